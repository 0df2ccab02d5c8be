//! A worksheet for a teaching session: the drawn quiz written out instead
//! of asked. It holds the same questions, formats, options and order that
//! the same scope, `--format` and `--seed` ask interactively, since both come
//! from one draw and one plan. Writing it records nothing.

use serde::Serialize;

use super::{Format, Question};

#[derive(Debug, Serialize, PartialEq)]
pub struct SheetQuestion {
    pub number: usize,
    pub card: String,
    pub deck: String,
    pub topic: String,
    pub format: Format,
    pub question: String,
    /// The four options of a choice question, in the order asked.
    pub options: Vec<String>,
    /// With `--answers`: the index (from 0) of the right option.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub right: Option<usize>,
    /// With `--answers`: the right answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// With `--answers`: where to re-read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Sheet {
    pub seed: u64,
    pub format: String,
    pub scope: String,
    pub questions: Vec<SheetQuestion>,
}

pub fn build(
    questions: &[Question],
    seed: u64,
    format: &str,
    scope: &str,
    answers: bool,
    links: crate::read::Links,
) -> Sheet {
    let questions = questions
        .iter()
        .enumerate()
        .map(|(i, q)| SheetQuestion {
            number: i + 1,
            card: q.card.key.clone(),
            deck: q.card.deck_key.clone(),
            topic: q.card.topic.clone(),
            format: q.format,
            question: q.card.front.clone(),
            options: q.options.clone(),
            right: answers
                .then(|| q.options.iter().position(|o| *o == q.card.back))
                .flatten(),
            answer: answers.then(|| {
                if q.card.accept.is_empty() {
                    q.card.back.clone()
                } else {
                    format!(
                        "{} (also accepted: {})",
                        q.card.back,
                        q.card.accept.join(", ")
                    )
                }
            }),
            source: answers.then(|| source_of(q, links)),
        })
        .collect();
    Sheet {
        seed,
        format: format.to_string(),
        scope: scope.to_string(),
        questions,
    }
}

fn source_of(q: &Question, links: crate::read::Links) -> String {
    match &q.card.cites {
        Some(c) => format!("{} ({c})", links.card(&q.card)),
        None => links.card(&q.card),
    }
}

/// Continuation lines of a list item, indented under it.
fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 || l.is_empty() {
                l.to_string()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Markdown to hand out, with an answer key at the end when asked for.
pub fn markdown(sheet: &Sheet) -> String {
    let mut out = format!(
        "# Quiz worksheet: {}\n\n{} questions · format {} · seed {} (`--seed {}` asks the same quiz)\n",
        sheet.scope,
        sheet.questions.len(),
        sheet.format,
        sheet.seed,
        sheet.seed
    );
    for q in &sheet.questions {
        out.push_str(&format!(
            "\n## {}. {} › {} ({})\n\n{}\n",
            q.number,
            q.deck,
            q.topic,
            q.format.as_str(),
            q.question.trim_end()
        ));
        match q.format {
            Format::Choice => {
                out.push('\n');
                for (i, o) in q.options.iter().enumerate() {
                    out.push_str(&format!("{}) {}\n", i + 1, indent(o, 3)));
                }
            }
            Format::Typed => out.push_str("\nAnswer: ______________________\n"),
            Format::Flip => out.push_str("\nAnswer in your own words.\n"),
        }
    }
    if sheet.questions.iter().any(|q| q.answer.is_some()) {
        out.push_str("\n# Answer key\n");
        for q in &sheet.questions {
            let Some(answer) = &q.answer else { continue };
            let option = q.right.map(|r| format!("{}) ", r + 1)).unwrap_or_default();
            out.push_str(&format!("\n{}. {option}{}\n", q.number, indent(answer, 3)));
            if let Some(source) = &q.source {
                out.push_str(&format!("   Source: {source}\n"));
            }
        }
    }
    out
}
