//! Grading: result types, the score computed from verdicts, and the grader seam.

pub use crate::text::{fasthash, limits, negation, normalize, pattern};

pub mod baseline;
pub mod calibration;
mod claim_words;
pub mod claims;
pub mod covert;
pub mod detect;
pub mod fairness;
pub mod flag;
pub mod index;
pub mod injection;
pub mod judge;
pub mod offline;
pub mod prose;
mod regexes;
pub mod semantic;
pub mod signals;
pub mod stats;
mod top;
pub mod verdicts;

pub use flag::Flag;
use serde::{Deserialize, Serialize};

/// A criterion's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Full points.
    Met,
    /// Half points.
    Partial,
    /// No points.
    Missed,
}

impl Verdict {
    /// Fraction of the weight earned.
    pub fn fraction(self) -> f64 {
        match self {
            Verdict::Met => 1.0,
            Verdict::Partial => 0.5,
            Verdict::Missed => 0.0,
        }
    }
}

/// One criterion's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionResult {
    /// Criterion id.
    pub id: String,
    /// Verdict.
    pub verdict: Verdict,
    /// The candidate's own words that earned it (verbatim).
    pub evidence: Vec<String>,
    /// The criterion's statement (what was expected).
    pub statement: String,
    /// Weight in points.
    pub weight: f64,
    /// Concept tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// One-sentence rationale (LLM grader), or what the offline grader found lacking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    /// For a missed criterion: the candidate's sentence that came closest (verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closest: Option<String>,
}

/// A detected misconception.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MisconceptionHit {
    /// Misconception id.
    pub id: String,
    /// What is wrong.
    pub statement: String,
    /// Points subtracted.
    pub penalty: f64,
    /// The candidate's words.
    pub evidence: Vec<String>,
}

/// A graded answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grade {
    /// 0-100, computed in code from the verdicts.
    pub score: u32,
    /// Which grader produced it ("offline" or "llm:<model>").
    pub grader: String,
    /// Question id.
    pub question: String,
    /// Ladder rung graded (None: the main question).
    #[serde(default)]
    pub rung: Option<usize>,
    /// Rubric version.
    pub rubric_version: u32,
    /// Per-criterion verdicts.
    pub criteria: Vec<CriterionResult>,
    /// Misconceptions found.
    pub misconceptions: Vec<MisconceptionHit>,
    /// Gaming and quality flags: the names of the [`Flag`]s raised, and any note a model grader adds.
    pub flags: Vec<String>,
    /// Criterion ids (main and ladder) the answer already covers; used to skip rungs.
    #[serde(default)]
    pub coverage: Vec<String>,
    /// The result fell back from a failing grader.
    #[serde(default)]
    pub degraded: bool,
    /// Sentences were matched to criteria by meaning (a sentence-embedding model was loaded), not by patterns alone.
    #[serde(default)]
    pub semantic: bool,
    /// The LLM call behind this grade (audit trail), when a model was asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm: Option<Box<LlmAudit>>,
}

/// What one LLM grading call used and returned, kept so a later re-grade can be compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct LlmAudit {
    /// Model name.
    pub model: String,
    /// Hash of the grading prompt templates.
    pub template_hash: String,
    /// Prompt tokens.
    pub prompt_tokens: u32,
    /// Completion tokens.
    pub completion_tokens: u32,
    /// Wall time of the model calls.
    pub latency_ms: u64,
    /// Wall time of the model calls in microseconds (for overhead measurements).
    #[serde(default)]
    pub call_us: u64,
    /// HTTP attempts.
    pub attempts: u32,
    /// Response format that worked.
    pub format: String,
    /// The model's raw output.
    pub raw: String,
    /// Estimated cost, when prices are configured.
    pub cost_usd: Option<f64>,
    /// Verdicts whose quotes were not found in the answer (downgraded).
    pub invented_evidence: u32,
    /// The answer was cut to fit the token budget.
    pub truncated: bool,
    /// Why the model was not used, or what went wrong.
    pub note: Option<String>,
    /// Whether the offline verdicts were averaged in (second opinion) for this grade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_opinion: Option<bool>,
    /// The score the same model output gives under the other verdict policy (for `calibrate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_policy_score: Option<u32>,
    /// The model's grade of the whole answer, when it was asked for one (`--holistic`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holistic: Option<Holistic>,
}

/// A model's grade of the whole answer on a 0-5 scale, read from the probabilities of its one-digit reply, and the
/// offline score it was blended with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Holistic {
    /// The expected digit: each digit 0-5 weighted by its probability (just the digit when the server gives no
    /// probabilities).
    pub expected: f64,
    /// How much probability the digits held among the alternatives the server listed (1 without probabilities).
    pub mass: f64,
    /// The offline grader's score of the same answer.
    pub offline: u32,
}

pub use crate::bank::{MAX_PENALTY, MAX_WEIGHT};

impl Grade {
    /// Check the numbers a stored or imported grade carries: a score of 0-100, finite weights and penalties of
    /// at most [`MAX_WEIGHT`] / [`MAX_PENALTY`]. The error names the first problem.
    pub fn check(&self) -> Result<(), String> {
        if self.score > 100 {
            return Err(format!("score {} is outside 0-100", self.score));
        }
        for c in &self.criteria {
            if !(c.weight.is_finite() && (0.0..=MAX_WEIGHT).contains(&c.weight)) {
                return Err(format!(
                    "criterion '{}': weight {} is not a number of points between 0 and {MAX_WEIGHT}",
                    c.id, c.weight
                ));
            }
        }
        for m in &self.misconceptions {
            if !(m.penalty.is_finite() && (0.0..=MAX_PENALTY).contains(&m.penalty)) {
                return Err(format!(
                    "misconception '{}': penalty {} is not a number of points between 0 and {MAX_PENALTY}",
                    m.id, m.penalty
                ));
            }
        }
        Ok(())
    }

    /// Whether a flag is set.
    pub fn has_flag(&self, f: &str) -> bool {
        self.flags.iter().any(|x| x == f)
    }
}

/// Score from verdicts and penalties: met = full weight, partial = half, minus penalties, clipped to 0-100.
pub fn compute_score(criteria: &[CriterionResult], misconceptions: &[MisconceptionHit]) -> u32 {
    let total: f64 = criteria.iter().map(|c| c.weight).sum();
    if total <= 0.0 {
        return 0;
    }
    let earned: f64 = criteria
        .iter()
        .map(|c| c.weight * c.verdict.fraction())
        .sum();
    let penalty: f64 = misconceptions.iter().map(|m| m.penalty).sum();
    let s = (100.0 * earned / total - penalty).round();
    s.clamp(0.0, 100.0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cr(w: f64, v: Verdict) -> CriterionResult {
        CriterionResult {
            id: "c".into(),
            verdict: v,
            evidence: vec![],
            statement: String::new(),
            weight: w,
            tags: vec![],
            rationale: None,
            closest: None,
        }
    }

    #[test]
    fn score_from_verdicts() {
        let c = vec![
            cr(50.0, Verdict::Met),
            cr(30.0, Verdict::Partial),
            cr(20.0, Verdict::Missed),
        ];
        assert_eq!(compute_score(&c, &[]), 65);
        let m = vec![MisconceptionHit {
            id: "m".into(),
            statement: String::new(),
            penalty: 80.0,
            evidence: vec![],
        }];
        assert_eq!(compute_score(&c, &m), 0);
        assert_eq!(compute_score(&[], &[]), 0);
    }
}
