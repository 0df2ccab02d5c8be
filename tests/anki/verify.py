#!/usr/bin/env python3
"""mastery's Anki round trip, checked by Anki itself.

Usage: verify.py MASTERY_BINARY [--keep] [--verbose]

Needs the `anki` wheel (Anki's own Rust backend) importable; run.sh makes a
throwaway venv with it. Every scratch file lives in a temporary folder
(`--keep` keeps it and prints where; `--verbose` prints what Anki did
also when every step passed). Each step prints `ok: ...`, or
`FAIL: ...` lines naming every mismatch, observed against expected; the
exit status is 0 only when every step passed.

mastery runs with an injected clock (MASTERY_NOW); Anki runs on the real
one. mastery's past study days are therefore simulated as the real now
minus N days, and every export and import happens at the real now. Both
sides run in one time zone: UTC, or VERIFY_TZ; mastery's day rolls over at
04:00, or at VERIFY_ROLLOVER.
"""

import csv
import datetime as dt
import hashlib
import html
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from collections import Counter
from pathlib import Path

# One time zone for mastery and Anki alike (Anki's Rust reads TZ too);
# VERIFY_TZ tries another, e.g. one whose local time is before the rollover.
os.environ["TZ"] = os.environ.get("VERIFY_TZ", "UTC")
time.tzset()

try:
    from anki.collection import (
        Collection,
        ExportAnkiPackageOptions,
        ImportAnkiPackageOptions,
        ImportAnkiPackageRequest,
        ImportCsvRequest,
        StripHtmlMode,
    )
    from anki.scheduler_pb2 import CardAnswer
except ImportError as err:  # run.sh installs it; a bare run explains itself
    sys.exit(f"verify.py needs the anki wheel (pip install anki): {err}")

AGAIN, HARD, GOOD, EASY = (
    CardAnswer.AGAIN,
    CardAnswer.HARD,
    CardAnswer.GOOD,
    CardAnswer.EASY,
)
RATING_NAME = {AGAIN: "Again", HARD: "Hard", GOOD: "Good", EASY: "Easy"}
# mastery's rollover hour; Anki's collections keep their default, 4.
# VERIFY_ROLLOVER tries another (written to mastery's config file).
ROLLOVER_HOUR = int(os.environ.get("VERIFY_ROLLOVER", "4"))


def button_for_grade(grade):
    """The Anki answer button of a mastery grade (the export contract)."""
    return 1 if grade <= 2 else grade - 1


GRADE_FOR_BUTTON = {1: 1, 2: 3, 3: 4, 4: 5}  # the import contract

# ---------------------------------------------------------------------------
# The decks this script writes: two decks, 7 Q cards and a cloze of two
# deletions; HTML-special characters, a fenced code block, a deck tag, a
# note's own Tags: line, Source: lines, a category.

DECK_A = """+++
title = "Module 1: Hooks & Memory"
module = 1
tags = ["hooks-deck"]
+++
# Exit codes

## Q: Which exit code blocks a tool call? {#qa1}
Exit code 2.
Source: docs/hooks.md#exit-codes

## Q: Is 1 < 2 & 3 > 2 true? {#qa2}
Yes: both comparisons hold, so their conjunction (&&) does too.

## Q: Which file holds project memory? {#qa3}
CLAUDE.md, read at startup.
Tags: memory, files
Source: docs/memory.md

# Memory files

## Cloze: Memory at startup {#za1}
Claude Code reads {{CLAUDE.md}} at {{startup}}.
Source: docs/memory.md#startup
"""

DECK_B = """+++
title = "Module 4: Quality"
module = 4
category = "quality"
+++
# Verification loops

## Q: How do you filter JSON with jq? {#qb1}
With a filter expression:

```sh
jq '.a < 3 && .b' file.json
```
Source: jq manual

## Q: What should you run before claiming a fix? {#qb2}
The tests, and read their output.

## Q: What is a flaky test? {#qb3}
One that passes and fails without a code change.

## Q: What does TDD start with? {#qb4}
A failing test.
"""

DECKS = {"a-hooks": DECK_A, "b-quality": DECK_B}
DECK_TITLE = {"a-hooks": "Module 1: Hooks & Memory", "b-quality": "Module 4: Quality"}
DECK_MODULE = {"a-hooks": 1, "b-quality": 4}
DECK_CATEGORY = {"b-quality": "quality"}
SUSPENDED_CARD = "qb4"
EDITED_CARD = "qa1"
EDIT_FROM, EDIT_TO = "Exit code 2.", "Exit code 2 (edited in step 2)."
# Substrings (of HTML) that the exported fields must contain.
FIELD_SNIPPETS = {
    "qa2": ("Front", ["1 &lt; 2 &amp; 3 &gt; 2"]),
    "qb1": ("Back", ["<pre", "<code", ".a &lt; 3 &amp;&amp; .b"]),
    "qa1": ("Back", ["Exit code 2"]),
}

# mastery's reviews: (days before the real now, grades piped to `review`).
# A grade below 4 brings the card back in the same session (a re-drill),
# so each list runs long; the `q` after it ends whatever is left. Day 8
# meets 8 new cards (the cloze's second deletion waits for its sibling);
# day 7 reviews them at 1 day, with one lapse (qa3); days 6 and 5 relearn
# qa3 and bring in the sibling. The passes of day 7 come due at 6 days on
# day 1, in step 2, which fails two of them so that Anki has cards due
# today in step 3.
HISTORY = [
    (8, [4, 5, 4, 3, 4, 0, 4, 5, 4, 4, 4, 4]),
    (7, [4, 4, 1, 4, 5, 4, 4, 3, 4, 4, 4, 4]),
    (6, [4, 5, 4, 4, 4, 4]),
    (5, [4, 4, 4, 4, 4, 4]),
]
# A note added to deck B after the history: a card that stays new.
LATE_NOTE = """
## Q: What does a regression test pin down? {#qb5}
A bug that was fixed, so it stays fixed.
"""
STEP2_DAY, STEP2_GRADES = 1, [5, 0, 4, 1, 3, 4, 4, 4, 4, 4, 4, 4]


# ---------------------------------------------------------------------------
# Small helpers


class StepFailed(Exception):
    pass


class Mismatches:
    """Collects every mismatch of a step, so a run names them all."""

    def __init__(self):
        self.items = []

    def check(self, cond, what):
        if not cond:
            self.items.append(what)
        return cond

    def eq(self, observed, expected, what):
        return self.check(
            observed == expected, f"{what}: observed {observed!r}, expected {expected!r}"
        )

    def __bool__(self):
        return bool(self.items)


def real_now():
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def rfc3339(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def study_date(t):
    """mastery's study day (a date) of an aware datetime, in local time."""
    return (t.astimezone() - dt.timedelta(hours=ROLLOVER_HOUR)).date()


def strip_tags(s):
    text = re.sub(r"<style.*?</style>", " ", s, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(html.unescape(text).split())


def norm_text(s):
    """Text for a containment test: no whitespace at all, so that tags
    turned into spaces do not matter, and mastery's […] is Anki's [...]."""
    return "".join(s.replace("[…]", "[...]").split())


def topic_tag(topic):
    return "mastery::topic::" + topic.replace(" ", "_")


# ---------------------------------------------------------------------------
# mastery


class Mastery:
    def __init__(self, binary, root):
        self.binary = str(binary)
        self.root = Path(root)
        self.decks = self.root / "decks"
        self.db = self.root / "mastery.db"
        self.config = self.root / "config.toml"
        self.decks.mkdir(parents=True)
        if ROLLOVER_HOUR != 4:
            self.config.write_text(f"rollover_hour = {ROLLOVER_HOUR}\n", encoding="utf-8")

    def write_deck(self, name, text):
        (self.decks / f"{name}.md").write_text(text, encoding="utf-8")

    def run(self, now, *args, stdin="", check=True):
        env = dict(os.environ)
        env.update(
            MASTERY_DB=str(self.db),
            MASTERY_DECKS=str(self.decks),
            MASTERY_CONFIG=str(self.config),
            MASTERY_NOW=rfc3339(now),
            TZ=os.environ["TZ"],
            NO_COLOR="1",
        )
        proc = subprocess.run(
            [self.binary, *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            cwd=self.root,
            timeout=300,
        )
        if check and proc.returncode != 0:
            raise StepFailed(
                f"`mastery {' '.join(args)}` (MASTERY_NOW={rfc3339(now)}) exited "
                f"{proc.returncode}:\n{proc.stderr.strip()}\n{proc.stdout[-2000:]}"
            )
        return proc

    def json(self, now, *args):
        out = self.run(now, *args).stdout
        try:
            return json.loads(out)
        except json.JSONDecodeError as err:
            raise StepFailed(f"`mastery {' '.join(args)}` printed no JSON ({err}):\n{out[:2000]}")

    def review(self, now, grades):
        script = "".join(f"\n{g}\n" for g in grades) + "q\n"
        self.run(now, "review", "--all-new", "--new", "50", stdin=script)

    def cards(self, now):
        return {c["id"]: c for c in self.json(now, "cards", "--json")}

    def has_subcommand(self, *words):
        proc = subprocess.run(
            [self.binary, *words, "--help"], capture_output=True, text=True, timeout=60
        )
        return proc.returncode == 0

    def sql(self, query, args=()):
        con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            return con.execute(query, args).fetchall()
        finally:
            con.close()

    def review_columns(self):
        return {row[1] for row in self.sql("PRAGMA table_info(review)")}

    def live_reviews(self):
        """Live review rows, oldest first: (id, card key, grade, at, kind, origin)."""
        origin = "coalesce(r.origin, '')" if "origin" in self.review_columns() else "''"
        return self.sql(
            f"SELECT r.id, c.key, r.grade, r.at, r.kind, {origin} FROM review r "
            "JOIN card c ON c.id = r.card_id WHERE r.undone = 0 ORDER BY r.id"
        )


def parse_at(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# ---------------------------------------------------------------------------
# Anki


def open_collection(path):
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return Collection(str(path))


def import_package(col, path):
    req = ImportAnkiPackageRequest(
        package_path=str(path),
        options=ImportAnkiPackageOptions(
            with_scheduling=True,
            with_deck_configs=True,
            merge_notetypes=False,
        ),
    )
    return col.import_anki_package(req).log


def anki_notes(col):
    """Every note, keyed by its "Card id" field when it has one, else by guid."""
    notes = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        nt = note.note_type()
        fields = dict(zip([f["name"] for f in nt["flds"]], note.fields))
        cards = [col.get_card(cid) for cid in note.card_ids()]
        key = fields.get("Card id") or f"guid:{note.guid}"
        notes[key] = {
            "nid": note.id,
            "guid": note.guid,
            "mod": note.mod,
            "notetype": nt["name"],
            "notetype_type": nt["type"],
            "fields": fields,
            "tags": list(note.tags),
            "cards": cards,
        }
    return notes


def revlog(col):
    return col.db.all(
        "SELECT id, cid, ease, ivl, lastIvl, factor, time, type FROM revlog ORDER BY id"
    )


def select_deck(col, name):
    did = col.decks.id_for_name(name)
    if did is None:
        raise StepFailed(f"Anki has no deck named {name!r}")
    col.decks.select(did)
    return did


def answer_queue(col, ratings):
    """Answers the next queued cards with `ratings`, in order, until the
    queue is empty; returns (card id, rating) of each answer."""
    done = []
    for rating in ratings:
        queued = col.sched.get_queued_cards()
        if not queued.cards:
            break
        top = queued.cards[0]
        card = col.get_card(top.card.id)
        card.start_timer()
        col.sched.answer_card(col.sched.build_answer(card=card, states=top.states, rating=rating))
        done.append((card.id, rating))
    return done


def strip_media(col, text):
    """Anki's own strip_html_preserving_media_filenames (sort field, csum)."""
    return col._backend.strip_html(text=text, mode=StripHtmlMode.PRESERVE_MEDIA_FILENAMES)


def integrity(col):
    text, ok = col.fix_integrity()
    return ok, text


def import_text(col, path):
    meta = col.get_csv_metadata(str(path), None)
    return meta, col.import_csv(ImportCsvRequest(path=str(path), metadata=meta)).log


# ---------------------------------------------------------------------------
# The comparison at the heart of steps 1 and 2


def compare_collection(col, label, cards, live):
    """Compares an Anki collection that imported a mastery export with
    mastery's own view; returns a Mismatches."""
    bad = Mismatches()
    notes = anki_notes(col)
    # Anki keeps the gap between a card's due day and today: mastery's
    # today, by mastery's rollover hour, against Anki's, by Anki's.
    today = col.sched.today
    today_date = study_date(real_now())
    by_key = {}
    for rid, key, grade, at, kind, origin in live:
        by_key.setdefault(key, []).append((rid, grade, at, kind))

    bad.eq(col.note_count(), len(cards), f"{label}: Anki note count (mastery cards)")
    bad.eq(col.card_count(), len(cards), f"{label}: Anki card count (mastery cards)")
    log = revlog(col)
    bad.eq(len(log), len(live), f"{label}: Anki revlog entries (live mastery reviews)")
    missing = sorted(set(cards) - set(notes))
    bad.check(not missing, f"{label}: no Anki note has Card id {missing}")
    extra = sorted(set(notes) - set(cards))
    bad.check(not extra, f"{label}: Anki notes whose Card id mastery does not list: {extra}")

    guids = [n["guid"] for n in notes.values()]
    bad.check(len(set(guids)) == len(guids), f"{label}: duplicate GUIDs {guids}")
    for g in guids:
        bad.check(re.fullmatch(r"[A-Za-z0-9_-]+", g) is not None, f"{label}: GUID {g!r} uses characters outside [A-Za-z0-9_-]")

    revlog_by_cid = {}
    for entry in log:
        revlog_by_cid.setdefault(entry[1], []).append(entry)

    for key, c in sorted(cards.items()):
        n = notes.get(key)
        if n is None:
            continue
        what = f"{label}: card {key}"
        f = n["fields"]
        is_cloze = c["note_kind"] == "Cloze"
        if is_cloze:
            bad.eq(n["notetype"], "mastery Cloze", f"{what} note type")
            bad.eq(n["notetype_type"], 1, f"{what} note type kind (1 = cloze)")
            bad.eq(list(f), ["Text", "Back Extra", "Source", "Card id"], f"{what} fields")
            bad.check("{{c1::" in f.get("Text", ""), f"{what}: Text has no {{{{c1::…}}}}: {f.get('Text')!r}")
            bad.check("{{c2::" not in f.get("Text", ""), f"{what}: Text holds a second deletion: {f.get('Text')!r}")
        else:
            bad.eq(n["notetype"], "mastery Basic", f"{what} note type")
            bad.eq(list(f), ["Front", "Back", "Source", "Card id"], f"{what} fields")
        bad.eq(f.get("Card id"), key, f"{what} Card id field")
        # Source: the card's deck file from the decks folder on (no line
        # number, no path of this machine), then its Source: line when it
        # has one.
        source = strip_tags(f.get("Source", ""))
        deck_file = "decks/" + c["source"].rsplit(":", 1)[0].rsplit("/decks/", 1)[-1]
        for part in (deck_file, c.get("cites")):
            if part:
                bad.check(part in source, f"{what} Source field: observed {f.get('Source')!r}, expected to contain {part!r}")
        bad.check(not source.startswith("/"), f"{what} Source field names a path of this machine: {f.get('Source')!r}")
        if key in FIELD_SNIPPETS:
            field, snippets = FIELD_SNIPPETS[key]
            for s in snippets:
                bad.check(s in f.get(field, ""), f"{what} {field} field {f.get(field)!r} lacks {s!r}")

        # tags
        expected_tags = set(c["tags"]) | {
            f"mastery::module::{DECK_MODULE[c['deck']]}",
            topic_tag(c["topic"]),
        }
        if c["deck"] in DECK_CATEGORY:
            expected_tags.add(f"mastery::category::{DECK_CATEGORY[c['deck']]}")
        bad.eq(
            sorted(t.lower() for t in n["tags"]),
            sorted(t.lower() for t in expected_tags),
            f"{what} tags",
        )

        bad.eq(len(n["cards"]), 1, f"{what}: Anki cards of its note")
        if not n["cards"]:
            continue
        card = n["cards"][0]
        bad.eq(card.ord, 0, f"{what} card ord")
        bad.eq(col.decks.name(card.did), f"mastery::{DECK_TITLE[c['deck']]}", f"{what} deck")

        # rendering, by Anki's own templates
        question = norm_text(strip_tags(card.question()))
        answer = norm_text(strip_tags(card.answer()))
        bad.check(norm_text(c["front"]) in question, f"{what}: Anki's question {question!r} lacks mastery's front {c['front']!r}")
        if is_cloze:
            bad.check("[...]" in question, f"{what}: Anki's cloze question shows no [...]: {question!r}")
            hidden = re.search(r"\{\{c1::(.*?)(?:::.*?)?\}\}", f.get("Text", ""), re.S)
            shown = norm_text(strip_tags(hidden.group(1))) if hidden else None
            bad.check(shown and shown in answer, f"{what}: Anki's answer {answer!r} does not show the deletion {shown!r}")
        else:
            back = norm_text(strip_tags(f.get("Back", "")))
            bad.check(back and back in answer, f"{what}: Anki's answer {answer!r} does not show the Back field {back!r}")

        # scheduling
        reviews = by_key.get(key, [])
        suspended = c["suspended"] != "none"
        if c["due"] is None:
            bad.eq((card.type, card.queue), (0, -1 if suspended else 0), f"{what} (new{', suspended' if suspended else ''}) type, queue")
        else:
            bad.eq((card.type, card.queue), (2, -1 if suspended else 2), f"{what} (reviewed{', suspended' if suspended else ''}) type, queue")
            bad.eq(card.ivl, c["interval_days"], f"{what} ivl")
            bad.eq(card.factor, round(c["ease"] * 1000), f"{what} factor")
            expected_rel = (dt.date.fromisoformat(c["due"]) - today_date).days
            bad.eq(card.due - today, expected_rel, f"{what} due - today (days; mastery due {c['due']}, today {today_date})")
        bad.eq(card.lapses, c["lapses"], f"{what} lapses")
        bad.eq(card.reps, len(reviews), f"{what} reps (live mastery reviews)")

        # revlog
        entries = revlog_by_cid.get(card.id, [])
        bad.eq([e[2] for e in entries], [button_for_grade(r[1]) for r in reviews], f"{what} revlog buttons in id order (grades {[r[1] for r in reviews]})")
        for e, r in zip(entries, reviews):
            at = parse_at(r[2]).timestamp()
            bad.check(abs(e[0] / 1000 - at) <= 120, f"{what}: revlog id {e[0]} ({dt.datetime.fromtimestamp(e[0] / 1000, dt.timezone.utc):%Y-%m-%d %H:%M:%S}) is not the time of the review it records ({r[2]})")
    stray = [e for e in log if e[1] not in {n["cards"][0].id for n in notes.values() if n["cards"]}]
    bad.check(not stray, f"{label}: revlog entries of no imported card: {stray[:5]}")
    return bad


# ---------------------------------------------------------------------------
# The steps


class Run:
    def __init__(self, binary, root):
        self.root = Path(root)
        self.m = Mastery(binary, self.root / "mastery")
        self.start = real_now()
        self.info = []  # what Anki did, printed on failure or with --verbose

    def path(self, name):
        return self.root / name

    def day(self, n):
        return self.start - dt.timedelta(days=n)

    def export_anki(self, name):
        """`mastery export anki` at the real now, at least a second after
        the previous export (Anki compares note mod in seconds)."""
        time.sleep(1.1)
        now = real_now()
        out = self.path(name)
        self.m.run(now, "export", "anki", "--out", str(out))
        if not out.exists():
            raise StepFailed(f"`mastery export anki --out {out}` wrote no file")
        return now, out

    # -- step 1 -----------------------------------------------------------

    def step1(self):
        m = self.m
        for name, text in DECKS.items():
            m.write_deck(name, text)
        for days, grades in HISTORY:
            m.review(self.day(days), grades)
        m.run(self.day(3), "suspend", SUSPENDED_CARD)
        m.write_deck("b-quality", DECK_B + LATE_NOTE)
        self.require_export()
        now, apkg = self.export_anki("first.apkg")
        cards = m.cards(now)
        live = m.live_reviews()
        fixture_sanity(cards, live)

        bad = Mismatches()
        check_package_file(apkg, bad)
        self.raw_integrity(apkg, bad)

        col = open_collection(self.path("anki1/collection.anki2"))
        import_package(col, apkg)
        bad.items += compare_collection(col, "step 1", cards, live).items
        notes_before = anki_notes(col)
        self.first = {
            "guids": {k: n["guid"] for k, n in notes_before.items()},
            "mods": {k: n["mod"] for k, n in notes_before.items()},
            "cards": cards,
            "now": now,
        }
        ok, text = integrity(col)
        bad.check(ok, f"step 1: Anki's Check Database on the imported collection found problems:\n{text}")
        col.close()
        self.col1_path = self.path("anki1/collection.anki2")
        n_q = sum(1 for c in cards.values() if c["note_kind"] != "Cloze")
        return bad, (
            f"{len(cards)} cards ({n_q} Q, {len(cards) - n_q} cloze) in 2 decks, "
            f"{len(live)} reviews, 1 suspended: notes, cards, revlog, fields, tags, decks, "
            f"ivl/factor/due/queue/type/lapses/reps match in Anki; Check Database clean"
        )

    def require_export(self):
        if not self.m.has_subcommand("export", "anki"):
            raise StepFailed("`mastery export anki` does not exist yet in this binary")

    def raw_integrity(self, apkg, bad):
        """Anki's view of mastery's collection.anki2 itself, before an import
        normalises anything: each note's sort field and checksum as Anki
        computes them (older importers trust them), and Check Database."""
        raw = self.path("raw/collection.anki2")
        raw.parent.mkdir()
        with zipfile.ZipFile(apkg) as z:
            raw.write_bytes(z.read("collection.anki2"))
        con = sqlite3.connect(raw)
        try:
            models = json.loads(con.execute("SELECT models FROM col").fetchone()[0])
            notes = con.execute("SELECT id, mid, flds, sfld, csum FROM notes").fetchall()
        finally:
            con.close()
        try:
            col = open_collection(raw)
        except Exception as err:  # noqa: BLE001 - report whatever Anki says
            bad.check(False, f"step 1: Anki cannot open mastery's collection.anki2: {err}")
            return
        for nid, mid, flds, sfld, csum in notes:
            fields = flds.split("\x1f")
            model = models.get(str(mid))
            if not bad.check(model is not None, f"step 1: note {nid} has note type {mid}, not in col.models"):
                continue
            sort = strip_media(col, fields[model.get("sortf", 0)])
            first = strip_media(col, fields[0])
            want_csum = int(hashlib.sha1(first.encode("utf-8")).hexdigest()[:8], 16)
            bad.eq(str(sfld), sort, f"step 1: collection.anki2 note {nid} sfld")
            bad.eq(csum, want_csum, f"step 1: collection.anki2 note {nid} csum")
        ok, text = integrity(col)
        bad.check(ok, f"step 1: Anki's Check Database on mastery's own collection.anki2 found problems:\n{text}")
        col.close()

    # -- step 2 -----------------------------------------------------------

    def step2(self):
        m = self.m
        m.review(self.day(STEP2_DAY), STEP2_GRADES)
        deck = m.decks / "a-hooks.md"
        text = deck.read_text(encoding="utf-8")
        if EDIT_FROM not in text:
            raise StepFailed("fixture: the text to edit is not in the deck")
        deck.write_text(text.replace(EDIT_FROM, EDIT_TO), encoding="utf-8")
        now, apkg = self.export_anki("second.apkg")
        cards = m.cards(now)
        live = m.live_reviews()
        bad = Mismatches()
        changed = [k for k, c in cards.items() if (c["interval_days"], c["due"]) != (self.first["cards"][k]["interval_days"], self.first["cards"][k]["due"])]
        if not changed:
            raise StepFailed("fixture: the step-2 reviews changed no interval")

        # the same collection again
        col = open_collection(self.col1_path)
        before_notes, before_cards = col.note_count(), col.card_count()
        before_types = sorted(nt.name for nt in col.models.all_names_and_ids())
        log = import_package(col, apkg)
        bad.eq(sorted(nt.name for nt in col.models.all_names_and_ids()), before_types, "step 2: note types after re-import (a changed mastery note type is added again beside the old)")
        notes = anki_notes(col)
        bad.eq(col.note_count(), before_notes, "step 2: notes after re-import into the same collection")
        bad.eq(col.card_count(), before_cards, "step 2: cards after re-import into the same collection")
        bad.eq(len(log.new), 0, "step 2: notes Anki counted as new on re-import")
        bad.eq(len(log.conflicting), 0, "step 2: notes Anki refused as conflicting (note type changed?) on re-import")
        guids = {k: n["guid"] for k, n in notes.items()}
        bad.eq(guids, self.first["guids"], "step 2: GUIDs after re-import")
        back = notes.get(EDITED_CARD, {}).get("fields", {}).get("Back", "")
        bad.check(
            "(edited in step 2)" in back,
            f"step 2: the edited answer of {EDITED_CARD} was not updated in Anki: Back = {back!r} "
            f"(note mod in Anki {notes.get(EDITED_CARD, {}).get('mod')}, first export's {self.first['mods'].get(EDITED_CARD)}; "
            f"Anki updates a note only when the package's note mod is newer)",
        )
        unchanged_text = [k for k in notes if k != EDITED_CARD and notes[k]["mod"] != self.first["mods"].get(k)]
        stale = [k for k in changed if notes[k]["cards"] and notes[k]["cards"][0].ivl != cards[k]["interval_days"]]
        ok, text = integrity(col)
        bad.check(ok, f"step 2: Check Database after re-import:\n{text}")
        col.close()
        self.info.append(
            f"re-import into the same collection: {len(log.updated)} notes updated, "
            f"{len(log.duplicate)} unchanged; {len(unchanged_text)} notes other than the edited one got a new mod "
            f"({unchanged_text[:4]}); scheduling of {len(stale)} of {len(changed)} changed cards stays as first imported "
            "(Anki's importer never updates existing cards nor adds revlog to them)"
        )

        # a fresh collection from the second export
        col = open_collection(self.path("anki2/collection.anki2"))
        import_package(col, apkg)
        bad.items += compare_collection(col, "step 2 (fresh collection)", cards, live).items
        fresh = anki_notes(col)
        bad.eq({k: n["guid"] for k, n in fresh.items()}, self.first["guids"], "step 2: GUIDs of the second export (fresh collection) vs the first")
        ok, text = integrity(col)
        bad.check(ok, f"step 2: Check Database on the fresh collection:\n{text}")
        col.close()
        self.col2_path = self.path("anki2/collection.anki2")
        return bad, (
            f"re-import: no duplicate notes or cards, edited answer updated; fresh import has "
            f"the newer schedule ({len(changed)} cards changed, {len(live)} reviews)"
        )

    # -- step 3 -----------------------------------------------------------

    def step3(self):
        m = self.m
        if not m.has_subcommand("import", "anki"):
            raise StepFailed("`mastery import anki` does not exist yet in this binary")
        col = open_collection(self.col2_path)
        known_cids = {n["cards"][0].id: k for k, n in anki_notes(col).items() if n["cards"]}
        before_ids = {e[0] for e in revlog(col)}
        mastery_before = m.live_reviews()

        # a note mastery never wrote, in a mastery deck, answered too
        deck_a = select_deck(col, f"mastery::{DECK_TITLE['a-hooks']}")
        basic = col.models.by_name("Basic")
        foreign = col.new_note(basic)
        foreign["Front"], foreign["Back"] = "A note made in Anki", "mastery does not know it"
        col.add_note(foreign, deck_a)
        select_deck(col, "mastery")
        answered = answer_queue(col, [AGAIN, GOOD, GOOD, HARD, EASY, GOOD, GOOD, GOOD])
        # an Anki reschedule: a revlog entry mastery must skip (type 4 or 5)
        spare = [cid for cid in known_cids if cid not in {a[0] for a in answered}]
        if spare:
            col.sched.set_due_date([spare[0]], "3")
        select_deck(col, f"mastery::{DECK_TITLE['a-hooks']}")
        foreign_cid = foreign.card_ids()[0]
        if foreign_cid not in {a[0] for a in answered}:
            col.sched.answer_card(
                col.sched.build_answer(
                    card=_started(col.get_card(foreign_cid)),
                    states=col._backend.get_scheduling_states(foreign_cid),
                    rating=GOOD,
                )
            )
        new_entries = [e for e in revlog(col) if e[0] not in before_ids]
        on_mastery = [e for e in new_entries if e[1] in known_cids]
        wanted = [e for e in on_mastery if e[7] in (0, 1, 2)]
        skipped_types = Counter(e[7] for e in new_entries if e[7] not in (0, 1, 2))
        ratings = [RATING_NAME[r] for cid, r in answered if cid in known_cids]
        if "Again" not in ratings or "Good" not in ratings:
            raise StepFailed(f"fixture: Anki's queue gave no Again and Good on mastery cards: {ratings}")

        anki_states = {}
        for cid in {a[0] for a in answered if a[0] in known_cids}:
            card = col.get_card(cid)
            if card.type == 2 and card.queue == 2:
                due = study_date(real_now()) + dt.timedelta(days=card.due - col.sched.today)
                anki_states[known_cids[cid]] = f"review ivl {card.ivl} due {due}"
            else:
                anki_states[known_cids[cid]] = f"type {card.type} queue {card.queue} ivl {card.ivl}"

        apkg = self.path("from-anki.apkg")
        col.export_anki_package(
            out_path=str(apkg),
            options=ExportAnkiPackageOptions(
                with_scheduling=True, with_deck_configs=True, with_media=True, legacy=False
            ),
            limit=None,
        )
        legacy_apkg = self.path("from-anki-legacy.apkg")
        col.export_anki_package(
            out_path=str(legacy_apkg),
            options=ExportAnkiPackageOptions(with_scheduling=True, legacy=True),
            limit=None,
        )
        colpkg = self.path("from-anki.colpkg")
        col.export_collection_package(str(colpkg), include_media=True, legacy=False)  # closes col

        bad = Mismatches()
        runs = []
        for label, pkg in (
            (".colpkg", colpkg),
            (".apkg", apkg),
            ("legacy .apkg (collection.anki21)", legacy_apkg),
            ("bare collection file", self.col2_path),
            (".colpkg again", colpkg),
        ):
            out = m.json(real_now(), "import", "anki", str(pkg), "--json")
            runs.append((label, out))
            for field in ("added", "already_had", "unknown_notes"):
                bad.check(field in out, f"step 3: `import anki --json` ({label}) has no {field!r}: {out}")
        first = runs[0][1]
        bad.eq(first.get("added"), len(wanted), f"step 3: `added` from the .colpkg (Anki reviews of types 0-2 on mastery cards: {[(e[0], e[2], e[7]) for e in wanted]})")
        bad.eq(first.get("already_had"), len(mastery_before), "step 3: `already_had` from the .colpkg (the reviews mastery exported)")
        bad.check((first.get("unknown_notes") or 0) >= 1, f"step 3: `unknown_notes` from the .colpkg should count the note made in Anki: {first}")
        for label, out in runs[1:]:
            bad.eq(out.get("added"), 0, f"step 3: `added` importing the {label}")
            bad.eq(out.get("already_had"), len(mastery_before) + len(wanted), f"step 3: `already_had` importing the {label}")

        after = m.live_reviews()
        from_anki = [r for r in after if r[5] == "anki"]
        bad.eq(len(from_anki), len(wanted), "step 3: mastery review rows with origin 'anki'")
        bad.eq(len(after), len(mastery_before) + len(wanted), "step 3: live mastery reviews after the imports")
        bad.eq(
            sorted(r[1:3] for r in from_anki),
            sorted((known_cids[e[1]], GRADE_FOR_BUTTON[e[2]]) for e in wanted),
            "step 3: imported (card, grade) pairs",
        )
        bad.eq(
            [r[:5] for r in after if r[5] != "anki"],
            [r[:5] for r in mastery_before],
            "step 3: mastery's own reviews after the imports",
        )
        doctor = m.run(real_now(), "doctor", check=False)
        bad.check(doctor.returncode == 0, f"step 3: `mastery doctor` after the imports exited {doctor.returncode}: {doctor.stdout}{doctor.stderr}")
        now_cards = m.cards(real_now())
        self.info.append(
            "after the import, Anki vs mastery for the cards answered in Anki: "
            + "; ".join(
                f"{k}: Anki {v}, mastery ivl {now_cards[k]['interval_days']} due {now_cards[k]['due']}"
                for k, v in sorted(anki_states.items())
            )
        )
        self.info.append(
            f"Anki answers on mastery cards: {ratings}; Anki revlog types written: "
            f"{dict(Counter(e[7] for e in new_entries))}; skipped by contract: {dict(skipped_types)}"
        )

        # back to Anki: a fresh collection from mastery's next export holds
        # every review once, Anki's under the revlog ids Anki gave them
        now, again = self.export_anki("third.apkg")
        col = open_collection(self.path("anki3/collection.anki2"))
        import_package(col, again)
        bad.items += compare_collection(col, "step 3 (re-export)", m.cards(now), m.live_reviews()).items
        ids = {e[0] for e in revlog(col)}
        lost = [e[0] for e in wanted if e[0] not in ids]
        bad.check(not lost, f"step 3: the re-export gives these Anki reviews other revlog ids than Anki's: {lost}")

        # previews in a filtered deck that keeps the schedule: Anki logs
        # them as type 3, and mastery must not take them for grades
        did = col.decks.new_filtered("mastery preview")
        deck = col.decks.get(did)
        deck["resched"] = False
        deck["terms"] = [["deck:mastery*", 100, 0]]
        col.decks.save(deck)
        col.sched.rebuild_filtered_deck(did)
        col.decks.select(did)
        previews = answer_queue(col, [AGAIN, HARD])
        reviews_before = len(m.live_reviews())
        preview_pkg = self.path("preview.colpkg")
        col.export_collection_package(str(preview_pkg), include_media=True, legacy=False)  # closes col
        out = m.json(real_now(), "import", "anki", str(preview_pkg), "--json")
        bad.check(len(previews) == 2, f"step 3: fixture: the filtered deck gave {len(previews)} previews, not 2")
        bad.eq(out.get("added"), 0, "step 3: `added` importing previews from a filtered deck that keeps the schedule")
        bad.check((out.get("skipped_cram") or 0) >= len(previews), f"step 3: previews not counted as crams: {out}")
        bad.eq(len(m.live_reviews()), reviews_before, "step 3: live reviews after importing previews")
        return bad, (
            f"{len(wanted)} Anki reviews imported once (from .colpkg), 0 again from .apkg, legacy .apkg, "
            f"bare collection and .colpkg twice; mastery's {len(mastery_before)} reviews not doubled; note made "
            f"in Anki counted unknown; re-export carries Anki's revlog ids; filtered-deck previews skipped"
        )

    # -- step 4 -----------------------------------------------------------

    def step4(self):
        m = self.m
        if not m.has_subcommand("export", "notes"):
            raise StepFailed("`mastery export notes` does not exist yet in this binary")
        now = real_now()
        txt = self.path("notes.txt")
        m.run(now, "export", "notes", "--format", "anki-txt", "--out", str(txt))
        cards = m.cards(now)
        bad = Mismatches()
        lines = txt.read_text(encoding="utf-8").splitlines()
        headers = [l for l in lines if l.startswith("#")]
        for h in ("#separator:tab", "#html:true", "#guid column:1", "#notetype column:2", "#deck column:3", "#tags column:6"):
            bad.check(h in headers, f"step 4: header {h!r} missing from {headers}")
        body = "\n".join(l for l in lines if not l.startswith("#"))
        rows = [r for r in csv.reader(body.splitlines(), delimiter="\t") if r]
        col = open_collection(self.path("anki4/collection.anki2"))
        meta, log = import_text(col, txt)
        bad.eq(col.note_count(), len(rows), "step 4: Anki notes after the text import (rows in the file)")
        bad.eq(col.card_count(), len(cards), "step 4: Anki cards after the text import (mastery cards)")
        bad.eq(len(log.new), len(rows), "step 4: notes Anki reported as new")
        notes = anki_notes(col)
        by_guid = {n["guid"]: n for n in notes.values()}
        for r in rows:
            bad.check(r[0] in by_guid, f"step 4: no Anki note has the file's GUID {r[0]!r}")
        qa2 = [n for n in notes.values() if "1 &lt; 2 &amp; 3 &gt; 2" in n["fields"].get("Front", "")]
        if bad.check(len(qa2) == 1, f"step 4: notes whose Front holds '1 &lt; 2 &amp; 3 &gt; 2': {len(qa2)} (fronts: {[n['fields'].get('Front') for n in notes.values()]})"):
            n = qa2[0]
            bad.eq(n["notetype"], "Basic", "step 4: note type of qa2")
            bad.check("both comparisons hold" in n["fields"].get("Back", ""), f"step 4: qa2's Back {n['fields'].get('Back')!r}")
            bad.eq(col.decks.name(n["cards"][0].did), f"mastery::{DECK_TITLE['a-hooks']}", "step 4: deck of qa2")
            bad.check("mastery::module::1" in [t.lower() for t in n["tags"]], f"step 4: qa2's tags {n['tags']}")
        cloze = [n for n in notes.values() if n["notetype"] == "Cloze"]
        bad.check(cloze and all("{{c" in n["fields"].get("Text", "") for n in cloze), f"step 4: Cloze notes {[(n['notetype'], n['fields']) for n in cloze]}")
        apkg_guids = set(self.first["guids"].values()) if hasattr(self, "first") else set()
        same = len(apkg_guids & set(by_guid))
        self.info.append(f"anki-txt: {len(rows)} rows; {same} of its GUIDs equal the .apkg's")
        ok, text = integrity(col)
        bad.check(ok, f"step 4: Check Database after the text import:\n{text}")
        col.close()
        return bad, (
            f"anki-txt: {len(rows)} notes ({len(cards)} cards) imported by Anki's text importer; "
            "GUIDs, note types, fields, deck and tags match"
        )


def _started(card):
    card.start_timer()
    return card


def fixture_sanity(cards, live):
    """The history this script makes must have what the steps test."""
    problems = []
    if not any(c["lapses"] >= 1 for c in cards.values()):
        problems.append("no card has a lapse")
    if not any(r[2] < 3 for r in live):
        problems.append("no failed review")
    if not any(c["due"] is None for c in cards.values()):
        problems.append("no new card left")
    if sum(1 for c in cards.values() if c["note_kind"] == "Cloze") != 2:
        problems.append("the cloze does not have 2 cards")
    if not any(r[4] == "drill" for r in live):
        problems.append("no same-day re-drill")
    if cards.get(SUSPENDED_CARD, {}).get("suspended", "none") == "none":
        problems.append(f"{SUSPENDED_CARD} is not suspended")
    if problems:
        raise StepFailed("fixture: " + "; ".join(problems))


def check_package_file(apkg, bad):
    with zipfile.ZipFile(apkg) as z:
        names = z.namelist()
        bad.check("collection.anki2" in names, f"step 1: the .apkg holds {names}, no collection.anki2")
        if "media" in names:
            bad.eq(json.loads(z.read("media") or b"null"), {}, "step 1: the .apkg's media map")
        else:
            bad.check(False, f"step 1: the .apkg holds {names}, no media")
        if "collection.anki2" not in names:
            return
        with tempfile.NamedTemporaryFile(suffix=".anki2") as tmp:
            tmp.write(z.read("collection.anki2"))
            tmp.flush()
            con = sqlite3.connect(tmp.name)
            try:
                (ver,) = con.execute("SELECT ver FROM col").fetchone()
                bad.eq(ver, 11, "step 1: col.ver of collection.anki2")
                (check,) = con.execute("PRAGMA integrity_check").fetchone()
                bad.eq(check, "ok", "step 1: SQLite integrity_check of collection.anki2")
                # Anki takes note, card and revlog ids for creation times in
                # ms; past tomorrow it calls them invalid and renumbers them.
                limit = int(time.time() * 1000) + 86_400_000
                for table in ("notes", "cards", "revlog"):
                    future = [r[0] for r in con.execute(f"SELECT id FROM {table} WHERE id > ?", (limit,))]
                    bad.check(not future, f"step 1: collection.anki2 {table} ids past tomorrow in ms (Anki renumbers them): {future}")
            finally:
                con.close()


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    keep, verbose = "--keep" in argv, "--verbose" in argv
    if len(args) != 1:
        sys.exit("usage: verify.py MASTERY_BINARY [--keep] [--verbose]")
    binary = Path(args[0]).resolve()
    if not os.access(binary, os.X_OK):
        sys.exit(f"not an executable: {binary}")
    root = Path(tempfile.mkdtemp(prefix="mastery-anki-", dir=os.environ.get("TMPDIR")))
    run = Run(binary, root)
    steps = [("1", run.step1), ("2", run.step2), ("3", run.step3), ("4", run.step4)]
    failed = 0
    try:
        aborted = False
        for name, step in steps:
            if aborted and name in ("2", "3"):
                print(f"FAIL: step {name}: not run, an earlier step could not finish")
                failed += 1
                continue
            try:
                bad, summary = step()
            except StepFailed as err:
                print(f"FAIL: step {name}: {err}")
                failed, aborted = failed + 1, True
                continue
            except Exception:  # noqa: BLE001 - a crash is a failed step, not a lost run
                print(f"FAIL: step {name}: crashed:\n{traceback.format_exc()}")
                failed, aborted = failed + 1, True
                continue
            if bad:
                failed += 1
                for item in bad.items:
                    print(f"FAIL: {item}")
            else:
                print(f"ok: step {name}: {summary}")
        if failed or verbose:
            for line in run.info:
                print(f"note: {line}")
    finally:
        if keep:
            print(f"kept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    if failed:
        print(f"anki round trip: {failed} of {len(steps)} steps failed")
        return 1
    print(f"anki round trip: all {len(steps)} steps ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
