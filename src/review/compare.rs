//! Two attempts at the same question side by side: per-stage scores, criteria newly covered, still missed, lost.

use super::{title_of, Attempt, History};
use crate::bank::Bank;
use crate::grade::Verdict;
use serde::Serialize;

/// One criterion across the two attempts (None: not asked in that attempt).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionRow {
    /// Criterion id.
    pub id: String,
    /// What a strong answer claims.
    pub statement: String,
    /// Verdict in the earlier attempt.
    pub before: Option<Verdict>,
    /// Verdict in the later attempt.
    pub after: Option<Verdict>,
    /// "newly covered", "still missed", "lost", "kept" or "not compared".
    pub change: &'static str,
}

/// One stage's scores across the two attempts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageRow {
    /// "question" or the ladder stage.
    pub stage: String,
    /// Earlier score.
    pub before: Option<u32>,
    /// Later score.
    pub after: Option<u32>,
}

/// The comparison of two attempts at one question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Question id.
    pub question: String,
    /// Title.
    pub title: String,
    /// Earlier session (display id).
    pub before_session: String,
    /// Later session (display id).
    pub after_session: String,
    /// Earlier attempt's score (mean over its turns).
    pub before_score: u32,
    /// Later attempt's score.
    pub after_score: u32,
    /// after − before.
    pub score_change: i64,
    /// Per-stage scores.
    pub stages: Vec<StageRow>,
    /// Every criterion seen in either attempt.
    pub criteria: Vec<CriterionRow>,
    /// Statements newly met.
    pub newly_covered: Vec<String>,
    /// Statements not met in the later attempt nor before.
    pub still_missed: Vec<String>,
    /// Statements met before but not any more.
    pub lost: Vec<String>,
}

fn verdicts(a: &Attempt) -> Vec<(String, String, Verdict)> {
    a.turns
        .iter()
        .flat_map(|t| t.grade.criteria.iter())
        .map(|c| (c.id.clone(), c.statement.clone(), c.verdict))
        .collect()
}

/// Compare an earlier and a later attempt at the same question.
pub fn compare(before: &Attempt, after: &Attempt, bank: &Bank) -> Comparison {
    let b = verdicts(before);
    let a = verdicts(after);
    let mut criteria: Vec<CriterionRow> = Vec::new();
    for (id, statement, _) in b.iter().chain(a.iter()) {
        if criteria.iter().any(|r| &r.id == id) {
            continue;
        }
        let vb = b.iter().find(|x| &x.0 == id).map(|x| x.2);
        let va = a.iter().find(|x| &x.0 == id).map(|x| x.2);
        let met = |v: Option<Verdict>| v == Some(Verdict::Met);
        let change = match (vb, va) {
            (_, None) => "not compared",
            (p, Some(_)) if met(p) && met(va) => "kept",
            (p, Some(_)) if met(p) => "lost",
            (_, Some(Verdict::Met)) => "newly covered",
            _ => "still missed",
        };
        criteria.push(CriterionRow {
            id: id.clone(),
            statement: statement.clone(),
            before: vb,
            after: va,
            change,
        });
    }
    let pick = |c: &str| -> Vec<String> {
        criteria
            .iter()
            .filter(|r| r.change == c)
            .map(|r| r.statement.clone())
            .collect()
    };
    let mut stages: Vec<StageRow> = Vec::new();
    for t in before.turns.iter().chain(after.turns.iter()) {
        if stages.iter().any(|s| s.stage == t.stage) {
            continue;
        }
        let score = |x: &Attempt| {
            x.turns
                .iter()
                .find(|u| u.stage == t.stage)
                .map(|u| u.grade.score)
        };
        stages.push(StageRow {
            stage: t.stage.clone(),
            before: score(before),
            after: score(after),
        });
    }
    let (bs, as_) = (before.score().unwrap_or(0), after.score().unwrap_or(0));
    Comparison {
        question: after.question.clone(),
        title: title_of(bank, &after.question),
        before_session: crate::session::fmt_id(before.session),
        after_session: crate::session::fmt_id(after.session),
        before_score: bs,
        after_score: as_,
        score_change: as_ as i64 - bs as i64,
        stages,
        newly_covered: pick("newly covered"),
        still_missed: pick("still missed"),
        lost: pick("lost"),
        criteria,
    }
}

/// Compare two sessions: every question both attempted, in the later session's order. `first` and `second` may
/// come in any order; the earlier one is "before".
pub fn sessions(h: &History, first: u64, second: u64, bank: &Bank) -> Vec<Comparison> {
    let of = |s: u64| -> Vec<&Attempt> { h.attempts.iter().filter(|a| a.session == s).collect() };
    let (mut x, mut y) = (of(first), of(second));
    let t = |v: &[&Attempt]| v.iter().map(|a| a.at).min();
    if t(&x) > t(&y) {
        std::mem::swap(&mut x, &mut y);
    }
    y.iter()
        .filter_map(|after| {
            let before = x.iter().find(|b| b.question == after.question)?;
            Some(compare(before, after, bank))
        })
        .collect()
}

/// The last two attempts at a question, if there are two.
pub fn last_two<'h>(h: &'h History, question: &str) -> Option<(&'h Attempt, &'h Attempt)> {
    let v: Vec<&Attempt> = h
        .attempts
        .iter()
        .filter(|a| a.question == question)
        .collect();
    match v.as_slice() {
        [.., b, a] => Some((b, a)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::history;
    use super::super::testkit::*;
    use super::*;

    const A: &str = "cv-detection-anchor-boxes";

    #[test]
    fn newly_covered_still_missed_and_lost() {
        let mut log = Log::new(1, day(0));
        log.answered(
            A,
            "Anchors",
            "one",
            &[
                ("dense-anchors", X),
                ("scales-times-ratios", M),
                ("rpn-objectness-offsets", P),
            ],
        );
        log.follow_up(A, 0, "implementation");
        log.answer("impl", grade(A, Some(0), &[("grid-count", X)]));
        let mut log = log.then(2, day(2));
        log.answered(
            A,
            "Anchors",
            "two",
            &[
                ("dense-anchors", M),
                ("scales-times-ratios", X),
                ("rpn-objectness-offsets", X),
            ],
        );
        let h = history(&log.events);
        let (b, a) = last_two(&h, A).unwrap();
        let c = compare(b, a, bank());
        let change = |id: &str| c.criteria.iter().find(|r| r.id == id).unwrap().change;
        assert_eq!(change("dense-anchors"), "newly covered");
        assert_eq!(change("scales-times-ratios"), "lost");
        assert_eq!(change("rpn-objectness-offsets"), "still missed");
        assert_eq!(change("grid-count"), "not compared");
        assert_eq!(c.newly_covered.len(), 1);
        assert_eq!(c.still_missed.len(), 1);
        assert_eq!(c.lost.len(), 1);
        // before: (question 46 + implementation 0) / 2; after: 36
        assert_eq!(
            (c.before_score, c.after_score, c.score_change),
            (23, 36, 13)
        );
        assert_eq!(c.stages[1].stage, "implementation");
        assert_eq!(c.stages[1].after, None);
        // Session order does not matter; sessions without a common question compare nothing.
        assert_eq!(sessions(&h, 2, 1, bank()), vec![c]);
        assert!(last_two(&h, "nope").is_none());
    }
}
