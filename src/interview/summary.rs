//! The graded turns and the closing summary: what the machine keeps of each graded answer, and the gaps still open
//! at the end.

use super::coach;
use crate::session::{EndReason, Purpose};

/// One graded turn in the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnResult {
    /// Question id.
    pub question: String,
    /// Title.
    pub title: String,
    /// Stage ("question" for the main one).
    pub stage: String,
    /// Score.
    pub score: u32,
    /// Statements of criteria missed.
    pub missed: Vec<String>,
    /// Why the turn was asked.
    pub purpose: Purpose,
    /// Criteria missed or partly met: (id, weight, statement, partial).
    pub gaps: Vec<coach::Gap>,
    /// Criterion ids met in this turn.
    pub met: Vec<String>,
    /// Misconceptions stated in this turn.
    pub misconceptions: Vec<String>,
    /// Hints taken before answering.
    pub hints: u32,
}

/// The closing summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Graded turns.
    pub turns: Vec<TurnResult>,
    /// Questions skipped.
    pub skipped: Vec<String>,
    /// Mean score, when anything was graded.
    pub mean: Option<f64>,
    /// How it ended (None: the running score, the session goes on).
    pub reason: Option<EndReason>,
    /// Hints taken, including those on a turn left unanswered.
    pub hints: u32,
}

/// The gaps still open at the end: missed or partly met criteria never met later on the same question, once
/// each, heaviest first (missed before partial at equal weight).
pub fn open_gaps(turns: &[TurnResult]) -> Vec<&coach::Gap> {
    let mut out: Vec<(&str, &coach::Gap)> = Vec::new();
    for t in turns {
        for g in &t.gaps {
            let met_later = turns
                .iter()
                .any(|u| u.question == t.question && u.met.contains(&g.id));
            if met_later || out.iter().any(|(q, o)| *q == t.question && o.id == g.id) {
                continue;
            }
            out.push((&t.question, g));
        }
    }
    out.sort_by(|a, b| {
        b.1.weight
            .total_cmp(&a.1.weight)
            .then(a.1.partial.cmp(&b.1.partial))
    });
    out.into_iter().map(|(_, g)| g).collect()
}

impl Summary {
    /// The summary of the graded turns so far; `pending_hints` are hints taken on a turn not graded (yet).
    pub(super) fn new(
        turns: &[TurnResult],
        skipped: &[String],
        pending_hints: u32,
        reason: Option<EndReason>,
    ) -> Summary {
        let mean = if turns.is_empty() {
            None
        } else {
            Some(turns.iter().map(|r| r.score as f64).sum::<f64>() / turns.len() as f64)
        };
        Summary {
            turns: turns.to_vec(),
            skipped: skipped.to_vec(),
            mean,
            reason,
            hints: turns.iter().map(|r| r.hints).sum::<u32>() + pending_hints,
        }
    }
}
