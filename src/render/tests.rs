use rstest::rstest;

use super::*;

const CARD: &str = "**Exit code 2** blocks the tool call, and the hook's *stderr* is fed \
back to the model as the reason; run `claude --debug` to see it. See \
[the hooks reference](https://docs.claude.com/en/docs/claude-code/hooks).\n\n\
1. exit `0`: success, stdout shown in the transcript\n\
2. exit `2`: blocking error\n\
3. any other code: a non-blocking error\n\n\
- a bullet that is long enough to wrap onto a second line at forty columns\n\
- short\n\n\
```json\n{\n\t\"hooks\": { \"PreToolUse\": [ { \"matcher\": \"Bash\" } ] }\n}\n```\n\n\
> a quote that also wraps when the screen is narrow enough for it\n";

fn show(lines: &[Line], colour: bool) -> String {
    lines
        .iter()
        .map(|l| paint(l, colour).replace('\x1b', "␛"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_card_at_forty_columns_plain() {
    insta::assert_snapshot!(show(&markdown(CARD, 40), false));
}

#[test]
fn a_card_at_eighty_columns_coloured() {
    insta::assert_snapshot!(show(&markdown(CARD, 80), true));
}

/// Every word of the text survives wrapping whole: no line ends or starts
/// inside a word, at any width from 20 to 120.
#[test]
fn no_word_is_split_at_any_width() {
    let words: Vec<&str> = "SubagentStop hooks run when a subagent finishes; an execution \
        environment holds the sandbox, and PreToolUse fires before each tool call"
        .split(' ')
        .collect();
    let text = words.join(" ");
    for width in 20..=120 {
        let lines = markdown(&text, width);
        let rewrapped: Vec<String> = lines
            .iter()
            .flat_map(|l| plain(l).split(' ').map(str::to_string).collect::<Vec<_>>())
            .collect();
        assert_eq!(rewrapped, words, "at width {width}");
        for l in &lines {
            assert!(width_of(&plain(l)) <= width, "too wide at {width}: {l:?}");
        }
    }
}

#[test]
fn code_blocks_keep_their_text_exactly() {
    let text = "```\nfn main() {\n    let  x  =  1;   // spacing kept\n}\n```\n";
    let lines: Vec<String> = markdown(text, 80).iter().map(|l| plain(l)).collect();
    assert_eq!(
        lines,
        ["fn main() {", "    let  x  =  1;   // spacing kept", "}"]
    );
}

#[test]
fn a_code_line_wider_than_the_screen_is_continued_not_lost() {
    let long = "x".repeat(50);
    let lines: Vec<String> = markdown(&format!("```\n{long}\n```\n"), 30)
        .iter()
        .map(|l| plain(l))
        .collect();
    assert!(lines.len() > 1, "{lines:?}");
    assert!(lines[1].starts_with("↪ "), "{lines:?}");
    let joined: String = lines.concat().replace("↪ ", "");
    assert_eq!(joined, long);
}

#[rstest]
#[case::wide_chars("日本語のテキストを折り返す", 10)]
#[case::one_long_word("https://docs.claude.com/en/docs/claude-code/hooks-guide", 20)]
#[case::tiny_width("a b c", 1)]
fn nothing_is_wider_than_the_screen(#[case] text: &str, #[case] width: usize) {
    for l in markdown(text, width) {
        assert!(width_of(&plain(&l)) <= width.max(8), "{l:?}");
    }
}

#[rstest]
#[case("Module 1 › Context management", 80, "Module 1 › Context management")]
#[case("Module 1 › Context management", 12, "Module 1 ›…")]
#[case("日本語のテキスト", 7, "日本語…")]
fn headers_are_truncated_with_an_ellipsis(
    #[case] text: &str,
    #[case] width: usize,
    #[case] expected: &str,
) {
    assert_eq!(truncate(text, width), expected);
    assert!(width_of(&truncate(text, width)) <= width);
}

#[test]
fn control_characters_in_card_text_are_escaped() {
    let lines = markdown("a\u{1b}[2Jb `c\u{7}`", 80);
    assert_eq!(plain(&lines[0]), "a\\x1b[2Jb c\\x07");
}

#[test]
fn a_highlighted_run_is_marked() {
    let text = format!("hooks fire with {HIGHLIGHT_START}exit code 2{HIGHLIGHT_END} set");
    let lines = markdown(&text, 80);
    let marked: Vec<&str> = lines[0]
        .iter()
        .filter(|s| s.style.mark)
        .map(|s| s.text.as_str())
        .collect();
    assert_eq!(marked, ["exit code 2"]);
    assert_eq!(plain(&lines[0]), "hooks fire with exit code 2 set");
}

#[test]
fn a_url_longer_than_a_line_breaks_after_a_slash() {
    let lines: Vec<String> = markdown(
        "see https://platform.claude.com/docs/en/agents-and-tools/tool-use/handle-tool-calls now",
        40,
    )
    .iter()
    .map(|l| plain(l))
    .collect();
    assert_eq!(
        lines,
        [
            "see",
            "https://platform.claude.com/docs/en/",
            "agents-and-tools/tool-use/handle-tool-",
            "calls now"
        ]
    );
}

/// A word longer than the line is broken between grapheme clusters only:
/// a family emoji (four people joined by ZWJ), a flag (two regional
/// indicators) or a letter with a combining accent comes out whole.
#[rstest]
#[case("👨‍👩‍👧‍👦")]
#[case("🇫🇷")]
#[case("e\u{301}")]
fn a_long_word_is_broken_between_whole_clusters(#[case] cluster: &str) {
    use unicode_segmentation::UnicodeSegmentation;
    let word = cluster.repeat(50);
    for width in 8..=40 {
        let lines = markdown(&word, width);
        assert!(lines.len() > 1, "broken at {width}");
        let mut joined = String::new();
        for l in &lines {
            let text = plain(l);
            assert!(
                text.graphemes(true).all(|g| g == cluster),
                "a cluster cut at width {width}: {text:?}"
            );
            joined.push_str(&text);
        }
        assert_eq!(joined, word, "nothing lost at width {width}");
    }
}

#[rstest]
#[case("🇫🇷🇩🇪🇯🇵🇮🇹", 6, "🇫🇷🇩🇪…")]
#[case("👨‍👩‍👧‍👦👨‍👩‍👧‍👦👨‍👩‍👧‍👦", 5, "👨‍👩‍👧‍👦👨‍👩‍👧‍👦…")]
#[case("cafe\u{301} noir", 6, "cafe\u{301}…")]
#[case("aaaaae\u{301}bbb", 7, "aaaaae\u{301}…")]
#[case("aaaaaaaaaa", 7, "aaaaaa…")]
#[case("ab日本語", 5, "ab日…")]
#[case("“quoted” words here", 9, "“quoted”…")]
fn truncating_keeps_clusters_whole(
    #[case] text: &str,
    #[case] width: usize,
    #[case] expected: &str,
) {
    assert_eq!(truncate(text, width), expected);
    assert!(width_of(&truncate(text, width)) <= width);
}
