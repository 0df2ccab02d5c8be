//! The shipped curriculum: structure, prerequisites, topics, patterns, and
//! a lint-clean `mastery check`.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use assert_cmd::Command;
use common::*;

fn shipped() -> Command {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mastery"));
    let db = tempfile::tempdir().unwrap().keep().join("content.db");
    cmd.current_dir(root)
        .env("MASTERY_DB", db)
        .env("MASTERY_DECKS", root.join("decks"))
        .env("MASTERY_CONFIG", root.join("no-such-config.toml"))
        .env("MASTERY_NOW", DAY1)
        .env("TZ", "UTC");
    cmd
}

fn cards() -> Vec<serde_json::Value> {
    let out = shipped().args(["cards", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// Each module deck, its prerequisites, and its topics: the program
/// design's own topic names (shared/program-design.md), one `#` heading each.
const MODULES: [(&str, &[&str], &[&str]); 8] = [
    (
        "01-internals",
        &[],
        &[
            "Codex session architecture (system/user/function messages)",
            "Function calling and helper orchestration",
            "Context management, summarization, and budgeting",
            "Guarding workflows with validation scripts and logging hooks",
        ],
    ),
    (
        "02-customization",
        &["01-internals"],
        &[
            "Creating reusable prompt templates and instruction fragments",
            "Registering helper functions and wrapping scripts for Codex",
            "Validation scripts, logging hooks, and guard rails",
            "Configuration files that document helpers and context",
        ],
    ),
    (
        "03-speed",
        &["01-internals"],
        &[
            "Parallel prompt bundles and helper batching",
            "Coordinating multiple prompt threads",
            "Context optimization tactics",
            "Task decomposition frameworks",
            "Picking the right execution strategy (parallel vs sequential)",
        ],
    ),
    (
        "04-quality",
        &["01-internals"],
        &[
            "Multi-layer review patterns (code-reviewer, test-analyzer, etc.)",
            "Proactive quality gates",
            "Test-driven workflows with Codex",
            "Systematic debugging approaches (superpowers:systematic-debugging)",
            "Root cause analysis techniques",
        ],
    ),
    (
        "05-planning",
        &["02-customization", "03-speed", "04-quality"],
        &[
            "Writing effective plans",
            "Plan-execute workflows",
            "Breaking down complex features",
            "Progress tracking patterns",
            "Handling ambiguity and pivots",
        ],
    ),
    (
        "06-domain",
        &["02-customization", "03-speed", "04-quality"],
        &[
            "Refactoring large codebases",
            "Architecture exploration and design",
            "Legacy code navigation",
            "Performance optimization workflows",
            "Security review patterns",
        ],
    ),
    (
        "07-collaboration",
        &["05-planning", "06-domain"],
        &[
            "Effective prompting techniques",
            "Providing context efficiently",
            "Asking better questions",
            "Iterating on solutions",
            "Teaching Codex your codebase patterns",
        ],
    ),
    (
        "08-integration",
        &["05-planning", "06-domain"],
        &[
            "Multi-tool workflows (git + testing + deployment)",
            "CI/CD integration patterns",
            "Cross-project knowledge transfer",
            "Custom agent development",
            "Contributing to the ecosystem",
        ],
    ),
];

/// A card's note id: the card id without its generator suffix.
fn note_of(card_id: &str) -> &str {
    card_id.split('/').next().unwrap_or(card_id)
}

fn front_matter(deck: &str) -> toml::Table {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("decks")
        .join(format!("{deck}.md"));
    let text = std::fs::read_to_string(&path).unwrap();
    let body = text
        .strip_prefix("+++\n")
        .and_then(|t| t.split_once("\n+++"))
        .map(|(fm, _)| fm)
        .unwrap();
    body.parse().unwrap()
}

#[test]
fn eight_module_decks_with_numbers_prerequisites_and_topics() {
    let cards = cards();
    for (n, (deck, requires, topics)) in MODULES.iter().enumerate() {
        let fm = front_matter(deck);
        assert_eq!(fm["module"].as_integer(), Some(n as i64 + 1), "{deck}");
        let req: Vec<&str> = fm
            .get("requires")
            .and_then(|r| r.as_array())
            .map_or(vec![], |a| a.iter().filter_map(|v| v.as_str()).collect());
        assert_eq!(req, *requires, "{deck} requires");
        let mine: Vec<_> = cards.iter().filter(|c| c["deck"] == *deck).collect();
        assert!(mine.len() >= 30, "{deck} has {} cards", mine.len());
        // Every program topic, with at least four notes; no other topics.
        let mut notes: BTreeMap<&str, HashSet<&str>> = BTreeMap::new();
        for c in &mine {
            notes
                .entry(c["topic"].as_str().unwrap())
                .or_default()
                .insert(note_of(c["id"].as_str().unwrap()));
        }
        let present: Vec<&str> = notes.keys().copied().collect();
        let mut wanted: Vec<&str> = topics.to_vec();
        wanted.sort();
        assert_eq!(present, wanted, "{deck} topics");
        for (topic, n) in &notes {
            assert!(
                n.len() >= 4,
                "{deck}: topic '{topic}' has {} notes",
                n.len()
            );
        }
        assert!(
            mine.iter().all(|c| c["id"]
                .as_str()
                .unwrap()
                .starts_with(&format!("m{:02}-", n + 1))),
            "{deck} ids"
        );
    }
}

#[test]
fn forty_patterns_with_all_fields_eight_per_category() {
    let cards = cards();
    let mut per_category: BTreeMap<&str, HashSet<String>> = BTreeMap::new();
    for c in &cards {
        let deck = c["deck"].as_str().unwrap();
        if let Some(cat) = deck.strip_prefix("patterns/") {
            let id = c["id"].as_str().unwrap();
            let note = id.rsplit_once('/').map_or(id, |(n, _)| n).to_string();
            per_category.entry(cat).or_default().insert(note);
        }
    }
    let names: Vec<&str> = per_category.keys().copied().collect();
    assert_eq!(
        names,
        ["architecture", "debugging", "planning", "quality", "speed"]
    );
    let mut total = 0;
    for (cat, notes) in &per_category {
        assert!(notes.len() >= 8, "{cat} has {} patterns", notes.len());
        for note in notes {
            for generator in ["when", "how", "tradeoffs", "which"] {
                let id = format!("{note}/{generator}");
                assert!(cards.iter().any(|c| c["id"] == id.as_str()), "missing {id}");
            }
        }
        total += notes.len();
    }
    assert!(total >= 40, "{total} patterns");
}

#[test]
fn the_playbook_has_its_five_checklists() {
    let cards = cards();
    let fronts: Vec<&str> = cards
        .iter()
        .filter(|c| c["deck"] == "playbook")
        .map(|c| c["front"].as_str().unwrap())
        .collect();
    for name in [
        "Before starting a feature",
        "Debugging a failure",
        "Before merging",
        "Preparing to teach a module",
        "Daily review routine",
    ] {
        assert!(
            fronts.iter().any(|f| f.ends_with(name)),
            "playbook lacks '{name}'"
        );
    }
}

#[test]
fn every_shipped_note_cites_its_source() {
    let cards = cards();
    let bare: Vec<&str> = cards
        .iter()
        .filter(|c| c["cites"].as_str().is_none_or(|s| s.trim().is_empty()))
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(bare.is_empty(), "notes without a Source: line: {bare:?}");
}

/// Every pinned source the decks cite is listed in decks/SOURCES.md.
#[test]
fn sources_md_pins_every_cited_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("decks");
    let sources = std::fs::read_to_string(root.join("SOURCES.md")).unwrap();
    let mut repos = std::collections::BTreeSet::new();
    for c in cards() {
        for reference in c["cites"].as_str().unwrap_or_default().split("; ") {
            if let Some((repo, _)) = reference.split_once(':')
                && repo.contains('/')
                && !repo.starts_with("http")
            {
                repos.insert(repo.trim().to_string());
            }
        }
    }
    assert!(!repos.is_empty());
    for repo in repos {
        assert!(
            sources.contains(&repo),
            "decks/SOURCES.md does not list {repo}"
        );
    }
}

#[test]
fn no_duplicate_fronts() {
    let cards = cards();
    let mut seen = HashSet::new();
    for c in &cards {
        let front = c["front"].as_str().unwrap().to_lowercase();
        assert!(seen.insert(front.clone()), "duplicate front: {front}");
    }
}

#[test]
fn check_is_clean_no_errors_no_warnings() {
    let out = shipped().args(["check", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["errors"], serde_json::json!([]));
    // Covers missing ids, answers over 60 words, duplicate questions, When
    // texts that name their pattern and When texts too alike.
    assert_eq!(report["warnings"], serde_json::json!([]));
}

/// decks/README.md lists each module deck and its card count; this keeps
/// that table in step with `mastery cards --json`.
#[test]
fn decks_readme_lists_current_card_counts() {
    let cards = cards();
    let mut table = String::from("| deck | title | cards |\n|---|---|---|\n");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("decks");
    let mut decks: Vec<&str> = cards.iter().map(|c| c["deck"].as_str().unwrap()).collect();
    decks.dedup();
    for deck in decks {
        let fm = front_matter(deck);
        let count = cards.iter().filter(|c| c["deck"] == deck).count();
        table.push_str(&format!(
            "| `{deck}` | {} | {count} |\n",
            fm["title"].as_str().unwrap()
        ));
    }
    table.push_str(&format!("| | **total** | {} |\n", cards.len()));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(
        readme.contains(&table),
        "decks/README.md is out of date; its table should read:\n\n{table}"
    );
}

#[test]
fn the_binary_falls_back_to_its_built_in_decks() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mastery"))
        .current_dir(dir.path())
        .env_remove("MASTERY_DECKS")
        .env("MASTERY_DB", dir.path().join("m.db"))
        .env("MASTERY_CONFIG", dir.path().join("c.toml"))
        .env("MASTERY_NOW", DAY1)
        .args(["cards", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let builtin: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(builtin.as_array().unwrap().len(), cards().len());
    assert!(
        builtin[0]["source"]
            .as_str()
            .unwrap()
            .starts_with("decks/01-internals.md:")
    );
}
