//! The checks a drafted rubric must pass before it is written: it compiles as `viva bank check` would, and its
//! self-check holds (its sample answer scores high, the bare question and answers about something else score
//! low); the stricter or looser redraft for a rubric that fails.

use crate::bank::spec::QuestionSpec;
use crate::bank::{Bank, BankError};
use crate::draft;
use crate::grade::offline;
use anyhow::Result;
use serde::Serialize;

/// The sample answer must score at least this with its own rubric.
pub const SAMPLE_MIN: u32 = 85;
/// The bare question and an off-topic answer must score at most this.
pub const JUNK_MAX: u32 = 10;

/// An answer about something else entirely, for the self-check.
const OFF_TOPIC: &[&str] = &[
    "I would water the tomatoes early in the morning, before the sun is high, and mulch the beds with straw so \
the soil keeps its moisture. Pinching off the side shoots keeps the plants tidy, and a weekly feed of diluted \
seaweed helps the fruit set during the warm months of summer.",
    "The train leaves the coast at dawn and reaches the mountains by noon. Book a window seat on the left side \
for the lake views, carry a light jacket because the passes are cold even in July, and buy the regional pass, \
which covers the buses to the villages too.",
];

/// One drafted question's self-check.
#[derive(Debug, Clone, Serialize)]
pub struct SelfCheck {
    /// Score of the sample answer.
    pub sample: u32,
    /// Score of the bare question given as the answer.
    pub question: u32,
    /// Score of an off-topic answer (the worse of two about other subjects).
    pub off_topic: u32,
    /// Whether the sample answer scored by meaning too.
    pub semantic: bool,
}

impl SelfCheck {
    /// All three bounds hold.
    pub fn passed(&self) -> bool {
        self.sample >= SAMPLE_MIN && self.question <= JUNK_MAX && self.off_topic <= JUNK_MAX
    }
}

/// Grade the sample answer, the bare question and off-topic texts against a drafted question.
pub(crate) fn self_check(bank: &Bank, id: &str, sample_answer: &str) -> Option<SelfCheck> {
    let q = bank.get(id)?;
    let sample = offline::grade_without_coverage(bank, q, None, sample_answer);
    let question = offline::grade_without_coverage(bank, q, None, &q.spec.prompt).score;
    let off = OFF_TOPIC
        .iter()
        .map(|t| offline::grade_without_coverage(bank, q, None, t).score)
        .max()
        .unwrap_or(0);
    Some(SelfCheck {
        sample: sample.score,
        question,
        off_topic: off,
        semantic: sample.semantic,
    })
}

/// A stricter redraft for a rubric the question or an off-topic answer could satisfy: every key term required.
pub(super) fn stricter(spec: &mut QuestionSpec) {
    for c in &mut spec.criteria {
        if c.patterns.len() > 1 {
            c.min_hits = Some(c.patterns.len());
        }
    }
}

/// A looser redraft for a rubric its own sample answer does not satisfy: any key term is enough.
pub(super) fn looser(spec: &mut QuestionSpec) {
    for c in &mut spec.criteria {
        c.min_hits = None;
    }
}

fn bank_texts(specs: &[(QuestionSpec, String)]) -> Vec<(String, String)> {
    specs
        .iter()
        .map(|(s, origin)| {
            (
                format!("{}/{}.toml", s.area, s.id),
                draft::to_toml(s, origin),
            )
        })
        .collect()
}

/// Compile drafted questions as `viva bank check` would; `Err`: the problems found (without file and line).
pub(crate) fn try_compile(specs: &[(QuestionSpec, String)]) -> Result<Bank, Vec<String>> {
    Bank::from_texts(bank_texts(specs)).map_err(|e| match e {
        BankError::Invalid(issues) => issues.into_iter().map(|i| i.msg).collect(),
        other => vec![other.to_string()],
    })
}

pub(super) fn compile(specs: &[(QuestionSpec, String)]) -> Result<Bank> {
    Bank::from_texts(bank_texts(specs)).map_err(|e| match e {
        BankError::Invalid(issues) => anyhow::anyhow!(
            "a drafted rubric is invalid (please report this): {}",
            issues.first().map(|i| i.to_string()).unwrap_or_default()
        ),
        other => other.into(),
    })
}
