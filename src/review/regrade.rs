//! `viva regrade`'s report as data: for each answer graded again, its old and new score and the criteria whose
//! verdict changed. The JSON form is a contract: fields in alphabetical order, as it always printed them.

use super::Answered;
use crate::grade::{Grade, Verdict};
use serde::Serialize;

/// One answer graded again.
#[derive(Debug, Clone, Serialize)]
pub struct RegradeRow {
    /// New score minus the score it had.
    pub change: i64,
    /// Criteria whose verdict changed.
    pub criteria_changed: Vec<CriterionChange>,
    /// The grader of the new grade.
    pub grader: String,
    /// The new score.
    pub now: u32,
    /// The score first given.
    pub original: u32,
    /// Question id.
    pub question: String,
    /// The rubric version of the new grade.
    pub rubric_version: u32,
    /// "question" for the main question, else the rung's stage.
    pub stage: String,
    /// Turn within the session.
    pub turn: u32,
    /// The score it had (its latest grade).
    pub was: u32,
}

/// A criterion whose verdict changed.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionChange {
    /// Criterion id.
    pub id: String,
    /// The new verdict.
    pub now: Verdict,
    /// The verdict it had (None: the criterion is new).
    pub was: Option<Verdict>,
}

impl RegradeRow {
    /// Answer `t` graded again as `g`.
    pub fn new(t: &Answered, g: &Grade) -> RegradeRow {
        let criteria_changed = g
            .criteria
            .iter()
            .filter_map(|c| {
                let was = t
                    .grade
                    .criteria
                    .iter()
                    .find(|x| x.id == c.id)
                    .map(|x| x.verdict);
                (was != Some(c.verdict)).then(|| CriterionChange {
                    id: c.id.clone(),
                    now: c.verdict,
                    was,
                })
            })
            .collect();
        RegradeRow {
            change: g.score as i64 - t.grade.score as i64,
            criteria_changed,
            grader: g.grader.clone(),
            now: g.score,
            original: t.original_score,
            question: t.question.clone(),
            rubric_version: g.rubric_version,
            stage: t.stage.clone(),
            turn: t.turn,
            was: t.grade.score,
        }
    }
}
