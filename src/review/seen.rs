//! Where a criterion or concept was last seen: the candidate's words and what was missing, in the one shape the
//! mastery fold stores, the mastery view shows and the report gives as evidence.

use super::fold::{statement_in, AnswerRec, CritObs};
use crate::bank::Bank;
use crate::grade::Verdict;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a criterion or concept was last seen: the candidate's words and what was missing. One shape serves three
/// readers, told apart by how the session and the missing criteria are given: the stored fold state
/// ([`LastObs`]), the view with today's statements ([`LastSeen`]) and the report's evidence
/// (`report::Evidence`, the session as its display id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Seen<S, M> {
    /// Session id.
    pub session: S,
    /// When.
    pub at: DateTime<Utc>,
    /// Question id.
    pub question: String,
    /// "question" or the ladder stage.
    pub stage: String,
    /// The worst verdict among the criteria concerned.
    pub verdict: Verdict,
    /// The candidate's words that earned credit (verbatim quotes).
    pub evidence: Vec<String>,
    /// The start of the answer.
    pub answer: String,
    /// What was missing or only partly there.
    pub missing: Vec<M>,
}

impl<S, M> Seen<S, M> {
    /// The same observation with the session and each missing entry given another way.
    pub fn map<S2, M2>(
        &self,
        session: impl FnOnce(&S) -> S2,
        missing: impl FnMut(&M) -> M2,
    ) -> Seen<S2, M2> {
        Seen {
            session: session(&self.session),
            at: self.at,
            question: self.question.clone(),
            stage: self.stage.clone(),
            verdict: self.verdict,
            evidence: self.evidence.clone(),
            answer: self.answer.clone(),
            missing: self.missing.iter().map(missing).collect(),
        }
    }
}

/// The view's form: the statements of what was missing, as today's bank words them.
pub type LastSeen = Seen<u64, String>;

/// The stored form, before the bank is consulted: what was missing is kept as (criterion id, the statement stored
/// with the grade), and today's statement is looked up when the view is read.
pub type LastObs = Seen<u64, (String, String)>;

impl LastObs {
    /// The observation of these criteria of one answer: the worst verdict among them, their evidence, and what
    /// was missing.
    pub(super) fn new(a: &AnswerRec, crits: &[&CritObs]) -> LastObs {
        LastObs {
            session: a.key.session,
            at: a.key.at,
            question: a.question.clone(),
            stage: a.stage.clone(),
            verdict: crits
                .iter()
                .map(|c| c.verdict)
                .max_by_key(|v| match v {
                    Verdict::Met => 0,
                    Verdict::Partial => 1,
                    Verdict::Missed => 2,
                })
                .unwrap_or(Verdict::Missed),
            evidence: crits
                .iter()
                .flat_map(|c| c.evidence.iter().cloned())
                .collect(),
            answer: a.answer.clone(),
            missing: crits
                .iter()
                .filter(|c| c.verdict != Verdict::Met)
                .map(|c| (c.id.clone(), c.statement.clone()))
                .collect(),
        }
    }

    /// With today's statements.
    pub fn resolve(&self, bank: &Bank) -> LastSeen {
        self.map(
            |s| *s,
            |(id, st)| statement_in(bank, &self.question, id, st),
        )
    }
}
