-- mastery's database schema.
--
-- Each `-- migration: N` block upgrades a database from user_version N-1 to N.
-- The missing blocks are applied in order, together in one transaction under
-- the write lock, and never edited once released: a change to the schema is a
-- new block at the end. tests/fixtures/db holds a database of each released
-- version.

-- migration: 1

-- A deck is one source file. Its key is the stable deck id.
CREATE TABLE deck (
    id        INTEGER PRIMARY KEY,
    key       TEXT    NOT NULL UNIQUE,
    title     TEXT    NOT NULL,
    module    INTEGER,
    category  TEXT,
    requires  TEXT    NOT NULL DEFAULT '[]', -- JSON list of deck keys
    tags      TEXT    NOT NULL DEFAULT '[]', -- JSON list
    path      TEXT    NOT NULL,              -- source path as shown to the learner
    size      INTEGER NOT NULL DEFAULT 0,    -- fingerprint that lets compile skip
    mtime_ns  INTEGER NOT NULL DEFAULT 0,    -- unchanged files without reading them
    hash      TEXT    NOT NULL DEFAULT '',
    retired   INTEGER NOT NULL DEFAULT 0,
    -- Card counts, refreshed by every compile that writes, so that status
    -- need not count 100k cards on each run.
    cards         INTEGER NOT NULL DEFAULT 0,
    retired_cards INTEGER NOT NULL DEFAULT 0
) STRICT;

-- A note is what the author wrote; its key is the stable `{#id}`.
CREATE TABLE note (
    id       INTEGER PRIMARY KEY,
    key      TEXT    NOT NULL UNIQUE,
    deck_id  INTEGER NOT NULL REFERENCES deck(id),
    kind     TEXT    NOT NULL,
    title    TEXT    NOT NULL,
    topic    TEXT    NOT NULL,
    line     INTEGER NOT NULL,
    retired  INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX note_deck ON note(deck_id);

-- A card is one prompt generated from a note, with its SM-2 state. Its text
-- lives in card_text, so that scans of scheduling state stay small.
-- `due` is a study day (days since 1970-01-01); NULL means never reviewed.
CREATE TABLE card (
    id          INTEGER PRIMARY KEY,
    key         TEXT    NOT NULL UNIQUE,
    note_id     INTEGER NOT NULL REFERENCES note(id),
    deck_id     INTEGER NOT NULL REFERENCES deck(id),
    gen         TEXT    NOT NULL,   -- generator: q, define, name, when, how, ...
    pos         INTEGER NOT NULL,   -- order within its deck, for new cards
    reps        INTEGER NOT NULL DEFAULT 0,
    ease        INTEGER NOT NULL DEFAULT 250, -- hundredths
    interval    INTEGER NOT NULL DEFAULT 0,
    due         INTEGER,
    lapses      INTEGER NOT NULL DEFAULT 0,
    last_grade  INTEGER,
    last_day    INTEGER,
    retired     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX card_due ON card(due, deck_id) WHERE retired = 0 AND due IS NOT NULL;
-- Per-deck counts (status, stats) without touching rows, and new cards in
-- file order: deck_id = ? AND retired = 0 AND due IS NULL ORDER BY pos.
CREATE INDEX card_deck ON card(deck_id, retired, due, pos);
CREATE INDEX card_note ON card(note_id);

CREATE TABLE card_text (
    card_id  INTEGER PRIMARY KEY REFERENCES card(id),
    front    TEXT NOT NULL,
    back     TEXT NOT NULL
) STRICT;

-- The review log is append-only; an undo is recorded in `undo`, not by
-- deleting the row. `kind` is new, review or drill.
CREATE TABLE review (
    id           INTEGER PRIMARY KEY,
    card_id      INTEGER NOT NULL REFERENCES card(id),
    at           TEXT    NOT NULL, -- RFC 3339, UTC
    day          INTEGER NOT NULL, -- study day of `at`
    grade        INTEGER NOT NULL CHECK (grade BETWEEN 0 AND 5),
    kind         TEXT    NOT NULL CHECK (kind IN ('new', 'review', 'drill')),
    ms           INTEGER NOT NULL,
    b_reps       INTEGER NOT NULL,
    b_ease       INTEGER NOT NULL,
    b_interval   INTEGER NOT NULL,
    b_due        INTEGER,
    b_lapses     INTEGER NOT NULL,
    b_last_grade INTEGER,
    b_last_day   INTEGER,
    a_reps       INTEGER NOT NULL,
    a_ease       INTEGER NOT NULL,
    a_interval   INTEGER NOT NULL,
    a_due        INTEGER,
    a_lapses     INTEGER NOT NULL
) STRICT;
CREATE INDEX review_card ON review(card_id);
-- Covers the per-day figures (retention, heatmap, hours) without the rows.
CREATE INDEX review_day ON review(day, kind, grade, card_id, ms);
-- Only the rows weak-area scoring reads: lapses and re-drills.
CREATE INDEX review_lapse ON review(card_id, day) WHERE grade < 3 AND b_last_grade >= 3 AND kind != 'drill';
CREATE INDEX review_drill ON review(card_id, day) WHERE kind = 'drill';

CREATE TABLE undo (
    review_id INTEGER PRIMARY KEY REFERENCES review(id),
    at        TEXT NOT NULL
) STRICT;

-- migration: 2

-- A self-test: its scope, seed and running score. The score is updated in
-- the same transaction as each answer, so an interrupted quiz keeps it.
CREATE TABLE quiz (
    id          INTEGER PRIMARY KEY,
    scope       TEXT    NOT NULL, -- JSON object of the scope flags
    seed        INTEGER NOT NULL,
    format      TEXT    NOT NULL,
    threshold   INTEGER NOT NULL,
    reschedule  INTEGER NOT NULL DEFAULT 0,
    started_at  TEXT    NOT NULL,
    ended_at    TEXT,
    asked       INTEGER NOT NULL DEFAULT 0,
    correct     INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE quiz_answer (
    id       INTEGER PRIMARY KEY,
    quiz_id  INTEGER NOT NULL REFERENCES quiz(id),
    card_id  INTEGER NOT NULL REFERENCES card(id),
    format   TEXT    NOT NULL CHECK (format IN ('flip', 'choice', 'typed')),
    answer   TEXT    NOT NULL,
    correct  INTEGER NOT NULL CHECK (correct IN (0, 1)),
    ms       INTEGER NOT NULL,
    at       TEXT    NOT NULL,
    day      INTEGER NOT NULL
) STRICT;
CREATE INDEX quiz_answer_quiz ON quiz_answer(quiz_id);
CREATE INDEX quiz_answer_card ON quiz_answer(card_id, day);

-- migration: 3

-- Notes compiled from a docs tree can live in their own file (one pattern
-- per file); NULL means the deck's file.
ALTER TABLE note ADD COLUMN path TEXT;

-- migration: 4

-- What the database remembers about itself: the decks source it was
-- compiled from (`decks_source`), so that a run against other decks is
-- refused instead of retiring the learner's cards.
CREATE TABLE meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) STRICT;

-- The inode change time joins size and mtime in the stat fingerprint: an
-- edit that keeps both (`cp -p`, `rsync -t`) still changes it.
ALTER TABLE deck ADD COLUMN ctime_ns INTEGER NOT NULL DEFAULT 0;

-- Where a note's fact comes from: its closing `Source:` line. NULL when it
-- has none.
ALTER TABLE note ADD COLUMN cites TEXT;

-- migration: 5

-- One meaning of "live": a review is live until undone. The flag is written
-- in the undo transaction (the `undo` table keeps when); every query reads
-- reviews through `live_review`.
ALTER TABLE review ADD COLUMN undone INTEGER NOT NULL DEFAULT 0;
UPDATE review SET undone = 1 WHERE id IN (SELECT review_id FROM undo);

-- A log that checks itself: each row holds the whole state after it, and
-- the rules that produced it, so `doctor` can check the chain of states
-- without replaying old rows with today's rules. Rows written before this
-- migration were written by mastery 0.1's SM-2 ('sm2/1'), whose after-state
-- sets the last grade and day to the review's own (a drill changes nothing).
ALTER TABLE review ADD COLUMN a_last_grade INTEGER;
ALTER TABLE review ADD COLUMN a_last_day INTEGER;
UPDATE review SET
    a_last_grade = CASE kind WHEN 'drill' THEN b_last_grade ELSE grade END,
    a_last_day = CASE kind WHEN 'drill' THEN b_last_day ELSE day END;
ALTER TABLE review ADD COLUMN rules TEXT NOT NULL DEFAULT 'sm2/1';

CREATE VIEW live_review AS SELECT * FROM review WHERE undone = 0;

-- The indexes that skip undone rows, so queries through live_review keep
-- them.
DROP INDEX review_day;
CREATE INDEX review_day ON review(day, kind, grade, card_id, ms) WHERE undone = 0;
DROP INDEX review_lapse;
CREATE INDEX review_lapse ON review(card_id, day)
    WHERE grade < 3 AND b_last_grade >= 3 AND kind != 'drill' AND undone = 0;
DROP INDEX review_drill;
CREATE INDEX review_drill ON review(card_id, day) WHERE kind = 'drill' AND undone = 0;

-- Whether a note's id was derived from its title (1) or written by the
-- author (0): only derived ids take part in similarity carry-over. NULL on
-- rows written before; compile treats an id that starts with its deck's id
-- and a slash as derived.
ALTER TABLE note ADD COLUMN derived INTEGER;

-- A file is one deck: two active deck rows for one path are impossible.
-- mastery 0.1 could leave an old row active after a deck's id changed; the
-- older rows are retired (their history is kept).
UPDATE card SET retired = 1 WHERE deck_id IN (SELECT id FROM deck d WHERE d.retired = 0
    AND EXISTS (SELECT 1 FROM deck n WHERE n.path = d.path AND n.retired = 0 AND n.id > d.id));
UPDATE note SET retired = 1 WHERE deck_id IN (SELECT id FROM deck d WHERE d.retired = 0
    AND EXISTS (SELECT 1 FROM deck n WHERE n.path = d.path AND n.retired = 0 AND n.id > d.id));
UPDATE deck SET retired = 1 WHERE retired = 0
    AND EXISTS (SELECT 1 FROM deck n WHERE n.path = deck.path AND n.retired = 0 AND n.id > deck.id);
CREATE UNIQUE INDEX deck_active_path ON deck(path) WHERE retired = 0;

-- migration: 6

-- What the learner (or the leech rule) did to a card on the review screen.
-- `suspended`: 1 by the learner, 2 as a leech; a suspended card is in no
-- queue. `buried`: the study day the card is hidden on; it comes back the
-- day after. `flagged` marks a card to look at later. `leech`: the card
-- reached the leech threshold of lapses.
ALTER TABLE card ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0;
ALTER TABLE card ADD COLUMN buried INTEGER;
ALTER TABLE card ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0;
ALTER TABLE card ADD COLUMN leech INTEGER NOT NULL DEFAULT 0;

-- The grade that made its card a leech: 1 tagged it, 2 tagged and
-- suspended it. Undoing the grade undoes that too.
ALTER TABLE review ADD COLUMN leeched INTEGER NOT NULL DEFAULT 0;

-- One meaning of "lapse", as Anki counts them: every failed scheduling
-- review (grade below 3) of a card that was not new. mastery 0.1 counted a
-- fail only after a pass, so a card failed day after day had one lapse and
-- was never caught as a leech. SM-2's intervals never read the count, so
-- rows keep their rules; the counts of every row, and of every card, are
-- recounted from the log. An undone row counts the live lapses before it.
WITH counted AS (
    SELECT id,
           (kind = 'review' AND grade < 3) AS own,
           sum(CASE WHEN undone = 0 AND kind = 'review' AND grade < 3 THEN 1 ELSE 0 END)
               OVER (PARTITION BY card_id ORDER BY id ROWS UNBOUNDED PRECEDING) AS upto
    FROM review
)
UPDATE review SET
    b_lapses = counted.upto - (counted.own AND review.undone = 0),
    a_lapses = counted.upto - (counted.own AND review.undone = 0) + counted.own
FROM counted WHERE counted.id = review.id;
UPDATE card SET lapses = coalesce(
    (SELECT a_lapses FROM review r WHERE r.card_id = card.id AND r.undone = 0
     ORDER BY r.id DESC LIMIT 1), 0);

DROP INDEX review_lapse;
CREATE INDEX review_lapse ON review(card_id, day)
    WHERE grade < 3 AND kind = 'review' AND undone = 0;

-- Today's queue and due counts leave suspended and buried cards out; this
-- covers them (the rowid is the card id) without reading card rows.
CREATE INDEX card_queue ON card(due, deck_id, buried)
    WHERE retired = 0 AND due IS NOT NULL AND suspended = 0;

-- The few suspended cards per deck, so that the prerequisite share (which
-- leaves them out) is counted from indexes alone: card_deck for all cards,
-- this one for the suspended.
CREATE INDEX card_suspended ON card(deck_id, due) WHERE suspended != 0 AND retired = 0;

-- migration: 7

-- Issue 15, a readiness verdict you can teach on. A quiz knows its kind
-- ('quiz' or 'teach-back'), how many questions it drew, the topic floor its
-- verdict used, and whether it was answered to the end: a quiz stopped early
-- is never "ready", and stats skip it. Quizzes taken before this migration
-- were shown as finished results, so those with an end keep counting.
ALTER TABLE quiz ADD COLUMN kind TEXT NOT NULL DEFAULT 'quiz';
ALTER TABLE quiz ADD COLUMN planned INTEGER;
ALTER TABLE quiz ADD COLUMN topic_floor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE quiz ADD COLUMN complete INTEGER NOT NULL DEFAULT 0;
UPDATE quiz SET complete = 1 WHERE ended_at IS NOT NULL;

-- An answer the learner counted as right after a near miss is marked, so
-- the override stays visible; an answer undone with `u` stays in the table,
-- flagged, with the review it made (if the quiz rescheduled) to undo too.
ALTER TABLE quiz_answer ADD COLUMN override INTEGER NOT NULL DEFAULT 0;
ALTER TABLE quiz_answer ADD COLUMN undone INTEGER NOT NULL DEFAULT 0;
ALTER TABLE quiz_answer ADD COLUMN review_id INTEGER REFERENCES review(id);

-- Teach-back: one row per key point (a card's short answer) of a topic the
-- learner explained, and whether the explanation covered it. It never
-- touches the schedule.
CREATE TABLE teach_point (
    id       INTEGER PRIMARY KEY,
    quiz_id  INTEGER NOT NULL REFERENCES quiz(id),
    card_id  INTEGER NOT NULL REFERENCES card(id),
    covered  INTEGER NOT NULL CHECK (covered IN (0, 1)),
    at       TEXT    NOT NULL
) STRICT;
CREATE INDEX teach_point_quiz ON teach_point(quiz_id);

-- Accepted alternatives: `{{Ctrl+V|Cmd+V}}` shows the first and accepts the
-- others, kept here as a JSON array (NULL when there are none).
ALTER TABLE card_text ADD COLUMN accept TEXT;

-- migration: 8

-- Issue 18, FSRS as an option. `due` is the day the active scheduler set
-- (every queue and count reads it); SM-2's own due day moves to `sm2_due`,
-- kept under either scheduler with the rest of SM-2's state, so switching
-- back restores it exactly. `stability` and `difficulty` are FSRS's memory
-- state, replayed from the log while FSRS is active and NULL otherwise.
-- The meta row `due_by` names the scheduler (and its parameters) the due
-- days were computed with: a different one replays them.
ALTER TABLE card ADD COLUMN sm2_due INTEGER;
UPDATE card SET sm2_due = due;
ALTER TABLE card ADD COLUMN stability REAL;
ALTER TABLE card ADD COLUMN difficulty REAL;
INSERT INTO meta (key, value) VALUES ('due_by', 'sm2')
    ON CONFLICT (key) DO UPDATE SET value = 'sm2';

-- migration: 9

-- Issue 20: custom study, and tags on notes. A grade given in a `mastery review QUERY` session
-- is marked: the new cards such a session introduces (`--new N`) are the
-- learner's extra choice and don't use up the day's `new_per_day`.
-- (Numbered 9 because 8 is issue 18's; on a branch without it this block
-- is applied as the eighth.)
ALTER TABLE review ADD COLUMN custom INTEGER NOT NULL DEFAULT 0;

-- A note's own tags (its `Tags:` line), as a JSON list; NULL when it has
-- none. `tag:` searches them beside the deck's front-matter tags; the few
-- tagged notes are found from this index, not by reading every note.
ALTER TABLE note ADD COLUMN tags TEXT;
CREATE INDEX note_tagged ON note(id) WHERE tags IS NOT NULL;

-- migration: 10

-- Issue 19, the Anki round trip. A review brought back from an Anki
-- collection is marked `origin = 'anki'`; its `kind` keeps its scheduling
-- meaning (new, review, drill), so every figure counts it like any other.
ALTER TABLE review ADD COLUMN origin TEXT;

-- The Anki revlog id of every review that crossed to or from Anki: the id
-- an export gave a mastery review, or the id an imported review had. An
-- import skips the ids it finds here, so the same file twice adds nothing
-- and mastery's own reviews coming back from Anki are not doubled.
CREATE TABLE anki_revlog (
    id         INTEGER PRIMARY KEY,
    review_id  INTEGER NOT NULL UNIQUE REFERENCES review(id)
) STRICT;

-- What the last export wrote of each card's text, and when that text
-- changed (`mod`, seconds): Anki updates a note on import only when its
-- `mod` is newer, so it moves only when the text does.
CREATE TABLE anki_note (
    card_id  INTEGER PRIMARY KEY REFERENCES card(id),
    hash     TEXT    NOT NULL,
    mod      INTEGER NOT NULL
) STRICT;
