//! The query language over a fixture collection whose cards have known
//! states: each query → the ids it matches. The states are made by the
//! same store calls a review session makes, on chosen study days.

use mastery::compile::{Options, compile};
use mastery::deck::source::Source;
use mastery::scheduler::{Grade, review_of};
use mastery::search::parse;
use mastery::store::{Grading, ListTexts, SortBy, Store};
use rstest::{fixture, rstest};

/// Today, as a study day: 2026-03-10.
const TODAY: i64 = 20522;

const BASICS: &str = r#"+++
title = "Basics"
module = 1
tags = ["hooks", "cli/flags"]
+++
# Hooks

## Q: Which exit code blocks a tool call? {#q-exit}
Exit code 2.

## Concept: Subagent {#c-sub}
A helper with its own context window.

# Mémoire

## Cloze: Memory file {#z-mem}
Claude Code reads {{CLAUDE.md}} at startup.
"#;

const DEBUGGING: &str = r#"+++
title = "Debugging"
category = "debugging"
+++
# Investigation

## Q: Où est l'école? {#q-ecole}
À côté du 100% café_noir.
Tags: Cafés, paris
Source: a guide
"#;

const EXTRA: &str = r#"+++
title = "Extra"
module = 2
+++
# Misc

## Q: What is a worktree? {#q-tree}
A second checkout of the repository.
"#;

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
}

/// Writes deck files under `dir`/decks and compiles that folder.
fn compile_decks(store: &mut Store, dir: &std::path::Path, files: &[(&str, &str)]) {
    let decks = dir.join("decks");
    for (name, text) in files {
        let path = decks.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    compile(store, &Source::Dir(decks), &Options::default()).unwrap();
}

/// The collection on TODAY:
///
/// | card | state |
/// |---|---|
/// | q-exit | learned D-10, passed D-9, lapsed D-3: due D-2, ivl 1, ease 2.28, 1 lapse, reps 1 |
/// | c-sub/define | introduced yesterday, failed: due today, ease 1.96, reps 1 |
/// | c-sub/name | new, flagged |
/// | z-mem/c-claude-md | new, suspended |
/// | q-ecole | introduced today, 5: due tomorrow |
/// | q-tree | new, buried today |
/// | q-gone | retired (removed from its deck) |
#[fixture]
fn collection() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("m.db")).unwrap();
    let gone = format!("{EXTRA}\n## Q: Soon gone? {{#q-gone}}\nYes.\n");
    compile_decks(
        &mut store,
        dir.path(),
        &[
            ("basics.md", BASICS),
            ("patterns/debugging.md", DEBUGGING),
            ("extra.md", &gone),
        ],
    );
    compile_decks(&mut store, dir.path(), &[("extra.md", EXTRA)]);

    let id = |store: &Store, key: &str| store.card_by_key(key).unwrap().unwrap().id;
    let grade = |store: &mut Store, key: &str, g: i64, day: i64| {
        let card_id = id(store, key);
        let g = Grade::new(g).unwrap();
        store
            .record(
                &Grading {
                    card_id,
                    grade: g.value(),
                    at: "2026-03-01T09:00:00Z",
                    day,
                    ms: 1000,
                },
                &|before| Some(review_of(before, g, day)),
            )
            .unwrap();
    };
    grade(&mut store, "q-exit", 4, TODAY - 10);
    grade(&mut store, "q-exit", 5, TODAY - 9);
    grade(&mut store, "q-exit", 2, TODAY - 3);
    grade(&mut store, "c-sub/define", 1, TODAY - 1);
    grade(&mut store, "q-ecole", 5, TODAY);
    let flag = id(&store, "c-sub/name");
    store.set_flagged(flag, true).unwrap();
    let mem = id(&store, "z-mem/c-claude-md");
    store.set_suspended(&[mem], true).unwrap();
    let tree = id(&store, "q-tree");
    store.bury(&[tree], TODAY).unwrap();
    Fixture { _dir: dir, store }
}

fn matching(f: &Fixture, query: &str) -> Vec<String> {
    let q = parse(query).unwrap_or_else(|e| panic!("{query}: {e}"));
    let mut keys: Vec<String> = f
        .store
        .search(&q, TODAY, SortBy::Curriculum)
        .unwrap_or_else(|e| panic!("{query}: {e}"))
        .into_iter()
        .map(|c| c.key)
        .collect();
    // A listing joins only the tables the query reads: it must find the
    // same cards, in the same order, for every kind of term.
    let listed = f
        .store
        .list(
            &q,
            TODAY,
            SortBy::Curriculum,
            ListTexts {
                key: true,
                ..ListTexts::default()
            },
            |c| c.key.to_string(),
        )
        .unwrap_or_else(|e| panic!("{query}: {e}"));
    assert_eq!(listed, keys, "{query}");
    keys.sort();
    keys
}

const ALL: &[&str] = &[
    "c-sub/define",
    "c-sub/name",
    "q-ecole",
    "q-exit",
    "q-tree",
    "z-mem/c-claude-md",
];

#[rstest]
#[case::everything("", ALL)]
// Words and phrases: front or back, any case, any accents, ANDed.
#[case::word_in_front("exit", &["q-exit"])]
#[case::word_in_back("checkout", &["q-tree"])]
#[case::words_are_anded("exit code", &["q-exit"])]
#[case::words_across_front_and_back("blocks 2", &["q-exit"])]
#[case::case_insensitive("WORKTREE", &["q-tree"])]
#[case::accents_in_the_card("ecole", &["q-ecole"])]
#[case::accents_in_the_query("wörktree", &["q-tree"])]
#[case::phrase("\"context window\"", &["c-sub/define", "c-sub/name"])]
#[case::phrase_in_order_only("\"window context\"", &[])]
#[case::substring("tree", &["q-tree"])]
#[case::wildcard_word("w*tree", &["q-tree"])]
#[case::percent_is_literal("100%", &["q-ecole"])]
#[case::underscore_is_literal("café_noir", &["q-ecole"])]
#[case::underscore_not_a_wildcard("cafe_xoir", &[])]
// Boolean structure.
#[case::or("worktree or ecole", &["q-ecole", "q-tree"])]
#[case::negation("-is:new", &["c-sub/define", "q-ecole", "q-exit"])]
#[case::negated_group("-(deck:basics or deck:extra)", &["q-ecole"])]
#[case::and_keyword("is:new and deck:extra", &["q-tree"])]
// Where a card comes from.
#[case::deck("deck:extra", &["q-tree"])]
#[case::deck_includes_sub_decks("deck:patterns", &["q-ecole"])]
#[case::deck_wildcard("deck:pat*", &["q-ecole"])]
#[case::deck_any_case("deck:EXTRA", &["q-tree"])]
#[case::module("module:1", &["c-sub/define", "c-sub/name", "q-exit", "z-mem/c-claude-md"])]
#[case::no_module("-module:1 -module:2", &["q-ecole"])]
#[case::category("category:debugging", &["q-ecole"])]
#[case::category_is_whole("category:debug", &[])]
#[case::no_category_negated("-category:debugging", &["c-sub/define", "c-sub/name", "q-exit", "q-tree", "z-mem/c-claude-md"])]
#[case::topic_part("topic:hook", &["c-sub/define", "c-sub/name", "q-exit"])]
#[case::topic_accents("topic:memoire", &["z-mem/c-claude-md"])]
#[case::tag("tag:hooks", &["c-sub/define", "c-sub/name", "q-exit", "z-mem/c-claude-md"])]
#[case::tag_parent("tag:cli", &["c-sub/define", "c-sub/name", "q-exit", "z-mem/c-claude-md"])]
#[case::tag_is_whole("tag:hook", &[])]
#[case::tag_wildcard("tag:hoo*", &["c-sub/define", "c-sub/name", "q-exit", "z-mem/c-claude-md"])]
#[case::note_tag("tag:paris", &["q-ecole"])]
#[case::note_tag_accents("tag:cafes", &["q-ecole"])]
#[case::note_or_deck_tag("tag:paris or tag:hooks", &["c-sub/define", "c-sub/name", "q-ecole", "q-exit", "z-mem/c-claude-md"])]
#[case::tags_line_is_not_text("paris", &[])]
#[case::card_id("id:q-exit", &["q-exit"])]
#[case::note_id("id:c-sub", &["c-sub/define", "c-sub/name"])]
#[case::id_list("id:q-exit,q-tree", &["q-exit", "q-tree"])]
#[case::kind("kind:concept", &["c-sub/define", "c-sub/name"])]
#[case::kind_cloze("kind:cloze", &["z-mem/c-claude-md"])]
// States.
#[case::new("is:new", &["c-sub/name", "q-tree", "z-mem/c-claude-md"])]
#[case::due("is:due", &["c-sub/define", "q-exit"])]
#[case::learn_is_a_failed_last_grade("is:learn", &["c-sub/define", "q-exit"])]
#[case::review_includes_lapsed("is:review", &["q-ecole", "q-exit"])]
#[case::suspended("is:suspended", &["z-mem/c-claude-md"])]
#[case::buried("is:buried", &["q-tree"])]
#[case::flagged("is:flagged", &["c-sub/name"])]
#[case::flag_1("flag:1", &["c-sub/name"])]
#[case::flag_0("flag:0 is:new", &["q-tree", "z-mem/c-claude-md"])]
#[case::leech("is:leech", &[])]
#[case::retired("is:retired", &["q-gone"])]
// Properties.
#[case::ease_below("prop:ease<2", &["c-sub/define"])]
#[case::ease_not_for_new("prop:ease>=2.5", &["q-ecole"])]
#[case::ease_exact("prop:ease=2.28", &["q-exit"])]
#[case::ivl("prop:ivl>=1", &["c-sub/define", "q-ecole", "q-exit"])]
#[case::ivl_not_equal("prop:ivl!=1", &[])]
#[case::lapses("prop:lapses>0", &["q-exit"])]
#[case::reps("prop:reps>=1", &["c-sub/define", "q-ecole", "q-exit"])]
#[case::due_tomorrow("prop:due=1", &["q-ecole"])]
#[case::due_today("prop:due=0", &["c-sub/define"])]
#[case::overdue("prop:due<=-2", &["q-exit"])]
#[case::overdue_a_week("prop:due<=-7", &[])]
// The review log.
#[case::rated_today("rated:1", &["q-ecole"])]
#[case::rated_two_days("rated:2", &["c-sub/define", "q-ecole"])]
#[case::rated_with_grade("rated:30:2", &["q-exit"])]
#[case::rated_any_grade_long_ago("rated:30", &["c-sub/define", "q-ecole", "q-exit"])]
#[case::introduced("introduced:2", &["c-sub/define", "q-ecole"])]
#[case::introduced_long_ago("introduced:11", &["c-sub/define", "q-ecole", "q-exit"])]
#[case::introduced_not_a_review("introduced:9", &["c-sub/define", "q-ecole"])]
fn queries_match_these_cards(collection: Fixture, #[case] query: &str, #[case] want: &[&str]) {
    assert_eq!(matching(&collection, query), want, "{query}");
}

/// Names that only the store knows are checked there, with the column of
/// the term.
#[rstest]
#[case(
    "is:new deck:extr",
    "query:8: unknown deck 'extr'; did you mean 'extra'?"
)]
#[case(
    "deck:pattern",
    "query:1: unknown deck 'pattern'; did you mean 'patterns'?"
)]
fn unknown_decks_are_errors(collection: Fixture, #[case] query: &str, #[case] starts: &str) {
    let q = parse(query).unwrap();
    let e = collection
        .store
        .search(&q, TODAY, SortBy::Curriculum)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with(starts), "{e}");
}

#[rstest]
fn a_deck_wildcard_that_matches_nothing_is_no_error(collection: Fixture) {
    assert!(matching(&collection, "deck:nothing*").is_empty());
}

#[rstest]
fn ids_come_in_curriculum_order_and_agree_with_the_rows(collection: Fixture) {
    let q = parse("-is:suspended").unwrap();
    let ids = collection
        .store
        .search_ids(&q, TODAY, SortBy::Curriculum)
        .unwrap();
    let rows: Vec<i64> = collection
        .store
        .search(&q, TODAY, SortBy::Curriculum)
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, rows);
    assert_eq!(ids.len(), 5);
}

#[rstest]
fn a_listing_reads_only_the_texts_asked_for(collection: Fixture) {
    let q = parse("id:q-exit").unwrap();
    let texts = ListTexts {
        front: true,
        source: true,
        ..ListTexts::default()
    };
    let rows = collection
        .store
        .list(&q, TODAY, SortBy::Curriculum, texts, |c| {
            (
                c.key.to_string(),
                c.front.to_string(),
                c.back.to_string(),
                c.path.ends_with("basics.md"),
                c.line,
                c.deck_key.to_string(),
                c.state.lapses,
            )
        })
        .unwrap();
    assert_eq!(
        rows,
        [(
            String::new(),
            "Which exit code blocks a tool call?".to_string(),
            String::new(),
            true,
            8,
            "basics".to_string(),
            1
        )]
    );
}

/// Checks that, in every order, the full rows, the ids and the listings
/// (reading no text, or every text) of `query` come in one order; the
/// number of cards.
fn assert_one_order(store: &Store, query: &str) -> usize {
    let q = parse(query).unwrap();
    let all_texts = ListTexts {
        key: true,
        front: true,
        back: true,
        topic: true,
        kind: true,
        source: true,
    };
    let mut count = 0;
    for sort in SortBy::ALL {
        let rows: Vec<i64> = store
            .search(&q, TODAY, sort)
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect();
        let ids = store.search_ids(&q, TODAY, sort).unwrap();
        let bare = store
            .list(&q, TODAY, sort, ListTexts::default(), |c| c.id)
            .unwrap();
        let full = store.list(&q, TODAY, sort, all_texts, |c| c.id).unwrap();
        assert_eq!(ids, rows, "{sort:?}");
        assert_eq!(bare, rows, "{sort:?}");
        assert_eq!(full, rows, "{sort:?}");
        count = rows.len();
    }
    count
}

#[rstest]
fn every_order_is_the_same_for_listings_rows_and_ids(collection: Fixture) {
    assert_eq!(
        assert_one_order(&collection.store, "is:retired or -is:retired"),
        7,
        "every card, the retired one too"
    );
}

#[rstest]
#[case(SortBy::Ease, &["c-sub/define", "q-exit", "q-ecole"])]
#[case(SortBy::Due, &["q-exit", "c-sub/define", "q-ecole"])]
#[case(SortBy::Lapses, &["q-exit"])]
#[case(SortBy::Reviewed, &["q-ecole", "c-sub/define", "q-exit"])]
fn a_listing_comes_in_the_chosen_order(
    collection: Fixture,
    #[case] sort: SortBy,
    #[case] first: &[&str],
) {
    let q = parse("").unwrap();
    let texts = ListTexts {
        key: true,
        ..ListTexts::default()
    };
    let keys = collection
        .store
        .list(&q, TODAY, sort, texts, |c| c.key.to_string())
        .unwrap();
    assert_eq!(&keys[..first.len()], first, "{keys:?}");
}

/// A retired card keeps its place number, which a card added later can
/// take: the order must not then depend on which tables a listing joins
/// (SQLite's plan), nor differ between rows, ids and listings.
#[test]
fn cards_in_the_same_place_come_in_one_order_however_they_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("m.db")).unwrap();
    let front = "+++\ntitle = \"D\"\nmodule = 1\n+++\n# T\n\n";
    let before = format!(
        "{front}## Cloze: L {{#l}}\nAlpha {{{{aaa}}}} beta.\n\n## Cloze: R {{#r}}\nRetire {{{{me}}}} please.\n"
    );
    compile_decks(&mut store, dir.path(), &[("d.md", &before)]);
    let after = format!(
        "{front}## Q: New first? {{#n}}\nnew\n\n## Cloze: L {{#l}}\nAlpha {{{{bbb}}}} and {{{{aaa}}}} beta.\n"
    );
    compile_decks(&mut store, dir.path(), &[("d.md", &after)]);
    // `kind:` joins the notes, where SQLite starts from the note table.
    let q = parse("(is:retired or -is:retired) kind:cloze").unwrap();
    let places = store
        .list(&q, TODAY, SortBy::Curriculum, ListTexts::default(), |c| {
            c.pos
        })
        .unwrap();
    let mut distinct = places.clone();
    distinct.dedup();
    assert!(distinct.len() < places.len(), "a tie to break: {places:?}");
    assert_one_order(&store, "(is:retired or -is:retired) kind:cloze");
}
