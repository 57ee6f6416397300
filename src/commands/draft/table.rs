//! The result of `viva bank draft`: one row per question, as a table or as JSON.

use super::model::Spend;
use super::SelfCheck;
use super::{JUNK_MAX, SAMPLE_MIN};
use crate::bank::spec::QuestionSpec;
use crate::output::{outln, Style};
use serde::Serialize;

/// One row of the result: the rubric as drafted, its self-check, and how it was drafted.
#[derive(Debug, Clone, Serialize)]
pub struct Drafted {
    /// The drafted rubric (id, area, difficulty, companies, criteria, …).
    pub rubric: QuestionSpec,
    /// The self-check.
    pub check: SelfCheck,
    /// Who drafted it: "llm:<model>" or "offline".
    pub drafter: String,
    /// Why it was drafted offline (None when the model drafted it).
    pub reason: Option<String>,
    /// The file written (None: not written because the self-check failed).
    pub file: Option<String>,
    /// Where the question came from.
    pub origin: String,
    /// Model tokens spent on this question (absent when the model was not called).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokens: Option<Tokens>,
    /// Estimated cost of those tokens, when a price is configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
}

/// Model tokens of one question.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Tokens {
    /// Prompt tokens.
    pub prompt: u64,
    /// Completion tokens.
    pub completion: u64,
}

/// The width of a table column: its longest value, and at least its heading.
fn column_width(rows: &[Drafted], heading: &str, value: impl Fn(&Drafted) -> &String) -> usize {
    rows.iter()
        .map(|r| value(r).len())
        .max()
        .unwrap_or(0)
        .max(heading.len())
}

/// Print the rows as a table with the total model use, or as JSON.
pub(super) fn print(rows: &[Drafted], spent: &Spend, model_on: bool, json: bool, style: Style) {
    if json {
        crate::output::json(&rows);
        return;
    }
    let w = column_width(rows, "id", |r| &r.rubric.id);
    let aw = column_width(rows, "area", |r| &r.rubric.area);
    let dw = column_width(rows, "drafter", |r| &r.drafter);
    outln(&format!(
        "{:w$}  {:aw$}  {:>8}  {:dw$}  self-check (sample ≥{SAMPLE_MIN}, question ≤{JUNK_MAX}, off-topic ≤{JUNK_MAX})",
        "id", "area", "criteria", "drafter"
    ));
    for r in rows {
        let verdict = if r.check.passed() {
            style.good("ok")
        } else {
            style.bad("FAILED")
        };
        // Offline by choice needs no note; a fallback from the model says why.
        let why = match (&r.reason, model_on) {
            (Some(why), true) => style.dim(&format!(" ({why})")),
            _ => String::new(),
        };
        outln(&format!(
            "{:w$}  {:aw$}  {:>8}  {:dw$}  {verdict}: {} / {} / {}{}{why}",
            r.rubric.id,
            r.rubric.area,
            r.rubric.criteria.len(),
            r.drafter,
            r.check.sample,
            r.check.question,
            r.check.off_topic,
            if r.check.semantic {
                ""
            } else {
                " (patterns only)"
            }
        ));
    }
    let written = rows.iter().filter(|r| r.file.is_some()).count();
    outln(&format!(
        "{written} of {} rubric file(s) written",
        rows.len()
    ));
    if spent.tokens() > 0 {
        let cost = spent
            .usd
            .map(|u| format!(", ${u:.4} estimated"))
            .unwrap_or_default();
        outln(&format!(
            "{} {} tokens ({} prompt + {} completion){cost}",
            style.bold("Model use:"),
            spent.tokens(),
            spent.prompt,
            spent.completion
        ));
    }
}
