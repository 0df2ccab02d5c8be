//! The Anki round trip through the binary: the package an export writes
//! (read back with SQLite, as Anki would), re-exports that update instead
//! of duplicating, imports of Anki's reviews (once, in time order, skipping
//! what is not a recall), the text export, and hostile inputs. The check
//! against real Anki is `tests/anki/verify.py`, run by `.ci/run`.

mod common;

use std::io::{Read, Write};
use std::path::Path;

use common::*;

/// Runs as a learner in the project folder (`decks/…` sources), with
/// `stdin` piped in.
fn run(env: &Env, now: &str, args: &[&str], stdin: &str) -> std::process::Output {
    env.run_here(now, args, stdin)
}

fn ok(env: &Env, now: &str, args: &[&str]) -> String {
    let out = run(env, now, args, "");
    assert!(out.status.success(), "mastery {args:?}: {}", stderr(&out));
    stdout(&out)
}

fn json(env: &Env, now: &str, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(env, now, args)).unwrap()
}

fn show(env: &Env, card: &str) -> serde_json::Value {
    json(env, DAY3, &["show", card, "--json"])
}

/// The Anki day of a mastery study day (days since 2000-01-01).
fn anki_day(day: &str) -> i64 {
    let date = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
    (date - chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap()).num_days()
}

fn millis(stamp: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(stamp)
        .unwrap()
        .timestamp_millis()
}

/// The collection inside a package, written to `dir/name`.
fn unpack(apkg: &Path, dir: &Path, name: &str) -> std::path::PathBuf {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(apkg).unwrap()).unwrap();
    let mut names: Vec<String> = zip.file_names().map(|n| n.unwrap().to_string()).collect();
    names.sort();
    assert_eq!(names, ["collection.anki2", "media"]);
    let mut media = String::new();
    zip.by_name("media")
        .unwrap()
        .read_to_string(&mut media)
        .unwrap();
    assert_eq!(media, "{}");
    let mut bytes = Vec::new();
    zip.by_name("collection.anki2")
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    let out = dir.join(name);
    std::fs::write(&out, bytes).unwrap();
    out
}

/// A package in Anki's current format: `meta` saying version 3 and the
/// collection compressed with zstd, as Anki 23.10 and later export.
fn pack_current(collection: &Path, out: &Path) {
    let bytes = std::fs::read(collection).unwrap();
    let mut zip = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("meta", opts).unwrap();
    zip.write_all(&[0x08, 0x03]).unwrap();
    zip.start_file("collection.anki21b", opts).unwrap();
    zip.write_all(&zstd::stream::encode_all(bytes.as_slice(), 3).unwrap())
        .unwrap();
    zip.start_file("media", opts).unwrap();
    zip.write_all(&zstd::stream::encode_all(&b""[..], 3).unwrap())
        .unwrap();
    zip.finish().unwrap();
}

fn open(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

fn rows(conn: &rusqlite::Connection, sql: &str) -> String {
    let mut stmt = conn.prepare(sql).unwrap();
    let n = stmt.column_count();
    let rows = stmt
        .query_map([], |r| {
            Ok((0..n)
                .map(|i| match r.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Null => "-".to_string(),
                    rusqlite::types::ValueRef::Integer(x) => x.to_string(),
                    rusqlite::types::ValueRef::Real(x) => x.to_string(),
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    rusqlite::types::ValueRef::Blob(_) => "blob".to_string(),
                })
                .collect::<Vec<_>>()
                .join(" | "))
        })
        .unwrap();
    rows.map(|r| r.unwrap()).collect::<Vec<_>>().join("\n")
}

/// BASICS reviewed on day 1 (q-exit 4, c-sub/define 5, z-mem 1 then
/// re-drilled 3 and 4; c-sub/name waits, buried as define's sibling) and
/// one due card on day 2: six live reviews, one card still new.
fn studied() -> Env {
    let env = Env::basics();
    let out = run(&env, DAY1, &["review"], "\n4\n\n5\n\n1\n\n3\n\n4\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&env, DAY2, &["review"], "\n4\n");
    assert!(out.status.success(), "{}", stderr(&out));
    env
}

#[test]
fn an_export_is_a_schema_11_collection_with_the_cards_scheduling_and_log() {
    let env = studied();
    let out = ok(&env, DAY2, &["export", "anki", "--out", "m.apkg"]);
    assert_eq!(
        out.lines().next().unwrap(),
        "wrote m.apkg: 4 notes in 1 deck (3 reviewed, 1 new) and 6 reviews"
    );
    let col = open(&unpack(&env.path("m.apkg"), env.dir.path(), "c.anki2"));
    assert_eq!(rows(&col, "SELECT ver FROM col"), "11");
    let decks: serde_json::Value =
        serde_json::from_str(&rows(&col, "SELECT decks FROM col")).unwrap();
    let mut names: Vec<&str> = decks
        .as_object()
        .unwrap()
        .values()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["Default", "mastery", "mastery::Basics"]);
    let models: serde_json::Value =
        serde_json::from_str(&rows(&col, "SELECT models FROM col")).unwrap();
    let mut types: Vec<String> = models
        .as_object()
        .unwrap()
        .values()
        .map(|m| format!("{} {}", m["name"], m["type"]))
        .collect();
    types.sort();
    assert_eq!(types, ["\"mastery Basic\" 0", "\"mastery Cloze\" 1"]);

    // Each card as mastery has it, beside what Anki got.
    let cards = json(&env, DAY2, &["cards", "--json"]);
    for c in cards.as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let anki = rows(
            &col,
            &format!(
                "SELECT c.type, c.queue, c.due, c.ivl, c.factor, c.lapses FROM cards c JOIN notes n ON n.id = c.nid
                 WHERE n.flds LIKE '%' || char(31) || '{id}'"
            ),
        );
        let Some(due) = c["due"].as_str().map(anki_day) else {
            assert_eq!(anki, "0 | 0 | 1 | 0 | 0 | 0", "{id}: a new card");
            continue;
        };
        let factor = (c["ease"].as_f64().unwrap() * 1000.0).round() as i64;
        assert_eq!(
            anki,
            format!(
                "2 | 2 | {due} | {} | {factor} | {}",
                c["interval_days"], c["lapses"]
            ),
            "{id}"
        );
    }
    insta::assert_snapshot!(
        "anki_export_notes",
        rows(
            &col,
            "SELECT n.guid, n.tags, replace(n.flds, char(31), ' ¦ '), n.sfld, n.csum FROM notes n ORDER BY n.sfld"
        )
    );
    // Six live reviews, buttons mapped from the grades, times in ms.
    insta::assert_snapshot!(
        "anki_export_revlog",
        rows(
            &col,
            "SELECT r.id, r.ease, r.ivl, r.lastIvl, r.factor, r.type FROM revlog r ORDER BY r.id"
        )
    );
}

#[test]
fn new_suspended_and_buried_cards_keep_their_queue() {
    let env = Env::basics();
    let out = run(&env, DAY1, &["review", "--limit", "1"], "\n4\n");
    assert!(out.status.success(), "{}", stderr(&out));
    ok(&env, DAY1, &["suspend", "c-sub/define"]);
    ok(&env, DAY1, &["bury", "q-exit"]);
    ok(&env, DAY1, &["export", "anki", "--out", "m.apkg"]);
    let col = open(&unpack(&env.path("m.apkg"), env.dir.path(), "c.anki2"));
    insta::assert_snapshot!(
        rows(
            &col,
            "SELECT n.sfld, c.type, c.queue, c.due, c.ivl, c.factor, c.reps
             FROM cards c JOIN notes n ON n.id = c.nid ORDER BY c.type, c.due"
        ),
        @r"
    Define: Subagent | 0 | -1 | 1 | 0 | 0 | 0
    Which term is this?
    A helper with its own context window. | 0 | 0 | 2 | 0 | 0 | 0
    Claude Code reads {{c1::CLAUDE.md}} at startup. | 0 | 0 | 3 | 0 | 0 | 0
    Which exit code blocks a tool call? | 2 | -3 | 9558 | 1 | 2500 | 1
    "
    );
}

#[test]
fn a_re_export_keeps_every_id_and_moves_mod_only_for_changed_text() {
    let env = studied();
    ok(&env, DAY2, &["export", "anki", "--out", "a.apkg"]);
    let first = open(&unpack(&env.path("a.apkg"), env.dir.path(), "a.anki2"));
    let ids = "SELECT n.guid, n.id, n.mod, c.id FROM notes n JOIN cards c ON c.nid = n.id ORDER BY n.guid";
    let revlog = "SELECT id, cid FROM revlog ORDER BY id";
    // More study and an edited answer, a day later.
    let out = run(&env, DAY3, &["review"], "\n4\n");
    assert!(out.status.success(), "{}", stderr(&out));
    env.deck(
        "basics.md",
        &BASICS.replace("Exit code 2.", "Exit code 2, with stderr fed back."),
    );
    ok(
        &env,
        "2026-03-04T10:00:00Z",
        &["export", "anki", "--out", "b.apkg"],
    );
    let second = open(&unpack(&env.path("b.apkg"), env.dir.path(), "b.anki2"));
    let (a, b) = (rows(&first, ids), rows(&second, ids));
    let changed: Vec<(&str, &str)> = a.lines().zip(b.lines()).filter(|(x, y)| x != y).collect();
    assert_eq!(changed.len(), 1, "{a}\n---\n{b}");
    let (before, after) = changed[0];
    let mod_of = |line: &str| line.split(" | ").nth(2).unwrap().parse::<i64>().unwrap();
    assert!(mod_of(after) > mod_of(before), "{before} → {after}");
    assert_eq!(before.split(" | ").nth(1), after.split(" | ").nth(1));
    // The first export's reviews keep their ids; the new one is added.
    let (ra, rb) = (rows(&first, revlog), rows(&second, revlog));
    assert!(rb.starts_with(&ra), "{ra}\n---\n{rb}");
    assert_eq!(rb.lines().count(), ra.lines().count() + 1);
    assert!(rows(&second, "SELECT flds FROM notes").contains("Exit code 2, with stderr fed back."));
}

/// Adds reviews to an exported collection, as Anki would log them, for
/// the card whose mastery id is `card`.
fn anki_reviews(col: &Path, card: &str, reviews: &[(i64, i64, i64, i64)]) {
    let conn = open(col);
    let cid: i64 = conn
        .query_row(
            "SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid WHERE n.flds LIKE '%' || char(31) || ?1",
            [card],
            |r| r.get(0),
        )
        .unwrap();
    for (id, button, ivl, kind) in reviews {
        conn.execute(
            "INSERT INTO revlog VALUES (?1, ?2, -1, ?3, ?4, 1, 2500, 6000, ?5)",
            rusqlite::params![id, cid, button, ivl, kind],
        )
        .unwrap();
    }
}

#[test]
fn reviews_made_in_anki_come_back_once() {
    let env = studied();
    ok(&env, DAY2, &["export", "anki", "--out", "m.apkg"]);
    let col = unpack(&env.path("m.apkg"), env.dir.path(), "phone.anki2");
    // On the phone on day 3: Good on q-exit.
    let at = millis("2026-03-04T07:30:00Z");
    anki_reviews(&col, "q-exit", &[(at, 3, 6, 1)]);
    pack_current(&col, &env.path("phone.colpkg"));
    let due_before = show(&env, "q-exit")["due"].clone();
    let out = ok(&env, DAY3, &["import", "anki", "phone.colpkg"]);
    assert_eq!(
        out,
        "imported phone.colpkg: 1 review added (Basics 1)\n  6 already in the log\n"
    );
    assert_eq!(
        env.sql_text(
            "SELECT group_concat(c.key || ' ' || r.grade || ' ' || r.kind || ' ' || r.at, '; ')
             FROM review r JOIN card c ON c.id = r.card_id WHERE r.origin = 'anki'"
        ),
        "q-exit 4 review 2026-03-04T07:30:00.000Z"
    );
    // Scheduled from that review: q-exit went 1 → 6 days (SM-2's second step).
    let shown = show(&env, "q-exit");
    let places: Vec<bool> = shown["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["anki"].as_bool().unwrap())
        .collect();
    assert_eq!(places, [false, false, true], "{shown}");
    let text = ok(&env, DAY3, &["show", "q-exit"]);
    assert!(
        text.contains("2026-03-04T07:30:00.000Z  grade 4  review  (in Anki)\n"),
        "{text}"
    );
    assert_ne!(shown["due"], due_before);
    assert_eq!(shown["due"], "2026-03-10");
    assert_eq!(shown["interval_days"], 6);
    // The same file again adds nothing.
    let again = json(&env, DAY3, &["import", "anki", "phone.colpkg", "--json"]);
    assert_eq!(again["added"], 0);
    assert_eq!(again["already_had"], 7);
    assert_eq!(
        ok(&env, DAY3, &["doctor"]).lines().last().unwrap(),
        format!("{}: healthy", env.db().display())
    );
    // Every figure counts it: the review is in the day's count.
    assert_eq!(
        env.sql_count("SELECT count(*) FROM live_review WHERE day = (SELECT day FROM review WHERE origin = 'anki')"),
        1
    );
}

#[test]
fn an_anki_review_between_two_of_mastery_s_is_replayed_in_time_order() {
    let env = Env::basics();
    let out = run(&env, DAY1, &["review", "--limit", "1"], "\n4\n");
    assert!(out.status.success(), "{}", stderr(&out));
    ok(&env, DAY1, &["export", "anki", "--out", "m.apkg"]);
    // Day 3 in mastery (early: due day 3); day 2 on the phone, imported
    // only after.
    let out = run(&env, DAY3, &["review", "--limit", "1"], "\n5\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let col = unpack(&env.path("m.apkg"), env.dir.path(), "phone.anki2");
    anki_reviews(&col, "q-exit", &[(millis("2026-03-03T20:00:00Z"), 1, 1, 1)]);
    let out = ok(&env, DAY3, &["import", "anki", "phone.anki2"]);
    assert!(
        out.starts_with("imported phone.anki2: 1 review added"),
        "{out}"
    );
    // In id order: day 1 (4), day 2 from Anki (a fail: 1), day 3 (5); the
    // day-3 pass now follows a lapse: SM-2's second step (6 days), not
    // the third.
    assert_eq!(
        env.sql_text(
            "SELECT group_concat((day - 20514) || ':' || grade || ':' || kind || ':' || coalesce(origin, 'm') || ':' || a_interval || ':' || a_lapses, ' ')
             FROM (SELECT * FROM review ORDER BY id)"
        ),
        "0:4:new:m:1:0 1:1:review:anki:1:1 2:5:review:m:6:1"
    );
    let shown = show(&env, "q-exit");
    assert_eq!(shown["lapses"], 1);
    assert_eq!(shown["due"], "2026-03-10");
    assert!(ok(&env, DAY3, &["doctor"]).ends_with("healthy\n"));
    // The undo of the last grade still undoes mastery's day-3 review.
    let out = ok(&env, DAY3, &["undo"]);
    assert!(out.contains("q-exit"), "{out}");
    assert_eq!(show(&env, "q-exit")["due"], "2026-03-04");
}

#[test]
fn what_is_not_a_recall_and_notes_not_from_mastery_are_left_out() {
    let env = studied();
    ok(&env, DAY2, &["export", "anki", "--out", "m.apkg"]);
    let col = unpack(&env.path("m.apkg"), env.dir.path(), "phone.anki2");
    let t = millis("2026-03-04T07:00:00Z");
    anki_reviews(
        &col,
        "q-exit",
        &[
            (t, 0, 10, 4),     // "set due date"
            (t + 1, 3, 10, 5), // rescheduled
            (t + 2, 3, 0, 3),  // a preview in a filtered deck
            (t + 3, 3, 6, 1),  // a recall
        ],
    );
    {
        let conn = open(&col);
        conn.execute(
            "INSERT INTO notes VALUES (5, 'otherGUID', 1, 0, 0, '', 'From another deck' || char(31) || 'x', 'From another deck', 0, 0, '')",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO cards VALUES (5, 5, 1, 0, 0, 0, 2, 2, 9000, 3, 2500, 1, 0, 0, 0, 0, 0, '')",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO revlog VALUES (?1, 5, 0, 3, 3, 1, 2500, 5000, 1)",
            [t + 4],
        )
        .unwrap();
    }
    let report = json(&env, DAY3, &["import", "anki", "phone.anki2", "--json"]);
    assert_eq!(report["added"], 1, "{report}");
    assert_eq!(report["skipped_manual"], 2, "{report}");
    assert_eq!(report["skipped_cram"], 1, "{report}");
    assert_eq!(report["unknown_notes"], 1, "{report}");
    assert_eq!(report["unknown"][0], "From another deck");
    assert_eq!(env.sql_count("SELECT count(*) FROM card"), 4);
    let text = ok(&env, DAY3, &["import", "anki", "phone.anki2"]);
    assert_eq!(
        text,
        "imported phone.anki2: 0 reviews added\n  7 already in the log · 2 skipped (rescheduled by hand, not recalled) · 1 skipped (filtered-deck reviews that kept the schedule)\n  1 review of cards that are not mastery's (or no longer in your decks), left alone\n  1 note not from mastery, left alone: \"From another deck\"\n"
    );
}

#[test]
fn the_text_export_is_anki_s_notes_in_plain_text() {
    let env = Env::basics();
    let text = ok(&env, DAY1, &["export", "notes", "--format", "anki-txt"]);
    insta::assert_snapshot!(text);
    let out = run(
        &env,
        DAY1,
        &[
            "export",
            "notes",
            "--format",
            "anki-txt",
            "kind:cloze",
            "--out",
            "z.txt",
        ],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "wrote z.txt: 1 note\n");
    let written = std::fs::read_to_string(env.path("z.txt")).unwrap();
    assert_eq!(written.lines().count(), 7, "{written}");
    assert!(
        written
            .contains("\tCloze\tmastery::Basics\tClaude Code reads {{c1::CLAUDE.md}} at startup.")
    );
}

#[test]
fn a_query_or_scope_narrows_the_export_and_an_empty_one_is_refused() {
    let env = studied();
    let out = ok(
        &env,
        DAY2,
        &["export", "anki", "--out", "c.apkg", "kind:cloze"],
    );
    assert!(out.starts_with("wrote c.apkg: 1 note in 1 deck"), "{out}");
    let out = run(
        &env,
        DAY2,
        &["export", "anki", "--out", "x.apkg", "tag:nothing"],
        "",
    );
    assert_eq!(
        one_line_failure(&out, 2),
        "mastery: no card matches 'tag:nothing': nothing to export"
    );
    assert!(!env.path("x.apkg").exists());
    let out = run(
        &env,
        DAY2,
        &["export", "anki", "--out", "x.apkg", "--deck", "nope"],
        "",
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!env.path("x.apkg").exists());
}

#[test]
fn hostile_packages_get_one_line_errors() {
    let env = studied();
    ok(&env, DAY2, &["status"]);
    std::fs::write(env.path("text.apkg"), "hello").unwrap();
    std::fs::write(env.path("broken.apkg"), b"PK\x03\x04 truncated").unwrap();
    std::fs::create_dir(env.path("folder.apkg")).unwrap();
    let no_tables = env.path("plain.anki2");
    open(&no_tables)
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(env.path("newer.apkg")).unwrap());
        let opts = zip::write::SimpleFileOptions::default();
        zip.start_file("meta", opts).unwrap();
        zip.write_all(&[0x08, 0x09]).unwrap();
        zip.start_file("collection.anki21b", opts).unwrap();
        zip.write_all(b"x").unwrap();
        zip.finish().unwrap();
    }
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(env.path("bomb.colpkg")).unwrap());
        let opts = zip::write::SimpleFileOptions::default();
        zip.start_file("collection.anki21b", opts).unwrap();
        zip.write_all(b"not zstd at all").unwrap();
        zip.finish().unwrap();
    }
    let cases = [
        (
            "text.apkg",
            "not an Anki package (.apkg, .colpkg) or collection file (.anki2, .anki21)",
        ),
        ("broken.apkg", "not a readable Anki package"),
        (
            "folder.apkg",
            "is a folder, not a regular file: name a file",
        ),
        ("plain.anki2", "is not an Anki collection"),
        ("newer.apkg", "written by a newer Anki (package version 9"),
        ("bomb.colpkg", "cannot unpack collection.anki21b"),
        ("missing.apkg", "No such file or directory"),
    ];
    let before = env.sql_count("SELECT count(*) FROM review");
    for (file, says) in cases {
        let out = run(&env, DAY2, &["import", "anki", file], "");
        let line = one_line_failure(&out, out.status.code().unwrap_or(0).max(1));
        assert!(line.contains(file), "{file}: {line}");
        assert!(line.contains(says), "{file}: {line}");
    }
    assert_eq!(env.sql_count("SELECT count(*) FROM review"), before);
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_hanging_and_an_export_never_follows_a_link() {
    let env = studied();
    let fifo = env.path("pipe.apkg");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let out = run(&env, DAY2, &["import", "anki", "pipe.apkg"], "");
    assert!(
        one_line_failure(&out, 2).contains("is a FIFO, not a regular file"),
        "{}",
        stderr(&out)
    );
    std::fs::write(env.path("real.apkg"), "keep").unwrap();
    std::os::unix::fs::symlink(env.path("real.apkg"), env.path("link.apkg")).unwrap();
    let out = run(&env, DAY2, &["export", "anki", "--out", "link.apkg"], "");
    assert!(one_line_failure(&out, 2).contains("is a symbolic link"));
    assert_eq!(
        std::fs::read_to_string(env.path("real.apkg")).unwrap(),
        "keep"
    );
    // Nothing was recorded for an export that wrote nothing.
    assert_eq!(env.sql_count("SELECT count(*) FROM anki_revlog"), 0);
}

/// Runs `sql` on an exported collection (Anki's side of a test).
fn on_phone(col: &Path, sql: &str) {
    open(col).execute_batch(sql).unwrap();
}

fn anki_card(col: &Path, card: &str) -> i64 {
    open(col)
        .query_row(
            "SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid WHERE n.flds LIKE '%' || char(31) || ?1",
            [card],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn undo_after_an_import_takes_back_the_newest_review_in_time() {
    let env = studied();
    ok(&env, DAY2, &["export", "anki", "--out", "m.apkg"]);
    let col = unpack(&env.path("m.apkg"), env.dir.path(), "phone.anki2");
    // Day 3: c-sub/define in mastery at 10:00; q-exit on the phone at
    // 07:30, imported after: its row has the newest id, not the newest time.
    let out = run(
        &env,
        "2026-03-04T10:00:00Z",
        &["review", "id:c-sub/define"],
        "\n4\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    anki_reviews(&col, "q-exit", &[(millis("2026-03-04T07:30:00Z"), 3, 6, 1)]);
    ok(
        &env,
        "2026-03-04T10:05:00Z",
        &["import", "anki", "phone.anki2"],
    );
    let out = ok(&env, "2026-03-04T10:06:00Z", &["undo"]);
    assert_eq!(out, "undone: grade 4 (review) of c-sub/define\n");
    assert!(ok(&env, DAY3, &["doctor"]).ends_with("healthy\n"));
}

#[test]
fn a_lapse_from_anki_slotted_before_a_mastery_lapse_catches_the_leech() {
    let env = Env::basics();
    std::fs::write(env.path("config.toml"), "leech_lapses = 2\n").unwrap();
    let out = run(&env, DAY1, &["review", "--limit", "1"], "\n4\n");
    assert!(out.status.success(), "{}", stderr(&out));
    ok(&env, DAY1, &["export", "anki", "--out", "m.apkg"]);
    // Day 4 in mastery: q-exit failed, its first lapse. Day 2 on the phone:
    // failed too, imported after: the day-4 fail becomes the second lapse.
    let out = run(
        &env,
        "2026-03-05T09:00:00Z",
        &["review", "id:q-exit"],
        "\n1\n\n4\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(show(&env, "q-exit")["leech"], false);
    let col = unpack(&env.path("m.apkg"), env.dir.path(), "phone.anki2");
    anki_reviews(&col, "q-exit", &[(millis("2026-03-03T08:00:00Z"), 1, 1, 1)]);
    ok(
        &env,
        "2026-03-05T10:00:00Z",
        &["import", "anki", "phone.anki2"],
    );
    let q = json(&env, "2026-03-05T10:00:00Z", &["show", "q-exit", "--json"]);
    assert_eq!(q["lapses"], 2, "{q}");
    assert_eq!(q["leech"], true, "{q}");
    assert_eq!(q["suspended"], "leech", "{q}");
}

#[test]
fn odd_review_logs_are_read_as_loosely_as_anki_reads_them() {
    let env = studied();
    ok(&env, DAY2, &["export", "anki", "--out", "m.apkg"]);
    let col = unpack(&env.path("m.apkg"), env.dir.path(), "phone.anki2");
    let t = millis("2026-03-04T07:00:00Z");
    let q = anki_card(&col, "q-exit");
    let z = anki_card(&col, "z-mem/c-claude-md");
    on_phone(
        &col,
        &format!(
            "-- A log without its primary key, so that one id can come twice.
             CREATE TABLE r2 AS SELECT * FROM revlog; DROP TABLE revlog; ALTER TABLE r2 RENAME TO revlog;
             -- A stuck timer (capped at 60 s) and a real interval (rounded).
             INSERT INTO revlog VALUES ({t}, {q}, -1, 3, 6.4, 1, 2500, 70000000, 1);
             -- Text where a number belongs: skipped, not fatal.
             INSERT INTO revlog VALUES ({t1}, {q}, -1, 'three', 6, 1, 2500, 5000, 1);
             -- The same id again, on another card.
             INSERT INTO revlog VALUES ({t}, {z}, -1, 3, 6, 1, 2500, 5000, 1);
             -- A review dated next year.
             INSERT INTO revlog VALUES ({future}, {z}, -1, 3, 6, 1, 2500, 5000, 1);
             -- A reverse card added to q-exit's note in Anki, and its review.
             INSERT INTO cards SELECT 7, nid, did, 1, mod, usn, type, queue, due, ivl, factor, reps,
                 lapses, left, odue, odid, flags, data FROM cards WHERE id = {q};
             INSERT INTO revlog VALUES ({t2}, 7, -1, 1, 1, 1, 2500, 5000, 1);
             -- A preview in a filtered deck: the delay in negative seconds.
             INSERT INTO revlog VALUES ({t3}, {z}, -1, 1, -60, 0, 0, 5000, 3);",
            t1 = t + 1,
            t2 = t + 2,
            t3 = t + 3,
            future = millis("2027-06-01T09:00:00Z"),
        ),
    );
    let report = json(&env, DAY3, &["import", "anki", "phone.anki2", "--json"]);
    assert_eq!(report["added"], 1, "{report}");
    assert_eq!(report["skipped_unreadable"], 2, "{report}");
    assert_eq!(report["skipped_bad_time"], 1, "{report}");
    assert_eq!(report["skipped_cram"], 1, "{report}");
    assert_eq!(report["other_reviews"], 1, "{report}");
    assert_eq!(
        env.sql_text("SELECT group_concat(grade || ' ' || ms) FROM review WHERE origin = 'anki'"),
        "4 60000"
    );
}

#[test]
fn a_deck_title_never_makes_a_sub_deck_or_splits_a_line() {
    assert_eq!(
        mastery::anki::export::deck_name("Parent:::Child"),
        "mastery::Parent:Child"
    );
    assert_eq!(
        mastery::anki::export::deck_name("A::::B\tC"),
        "mastery::A:B C"
    );
}

#[test]
fn lines_moving_in_a_deck_file_rewrite_no_note() {
    let env = studied();
    ok(&env, DAY2, &["export", "anki", "--out", "a.apkg"]);
    env.deck("basics.md", &BASICS.replace("# Hooks\n", "# Hooks\n\n\n"));
    ok(&env, DAY2, &["export", "anki", "--out", "b.apkg"]);
    let notes = "SELECT guid, mod, flds FROM notes ORDER BY guid";
    let a = rows(
        &open(&unpack(&env.path("a.apkg"), env.dir.path(), "a.anki2")),
        notes,
    );
    let b = rows(
        &open(&unpack(&env.path("b.apkg"), env.dir.path(), "b.anki2")),
        notes,
    );
    assert_eq!(a, b);
}
