//! The progress report as data: weak criteria and concepts with evidence, per-area trends, the area × concept grid
//! and the review schedule. The terminal text, `--json` and the HTML page all render this one value.

use super::fold::{records, AnswerKey, AnswerRec, Taxonomy};
use super::mastery::{ConceptMastery, CriterionMastery, Ewma, Mastery, MasteryFold, WEAK_BELOW};
use super::schedule::{self, rating_name, state_name, CardState};
use super::seen::{LastSeen, Seen};
use super::{title_of, History};
use crate::bank::Bank;
use crate::session::fmt_id;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Where a weak spot was last seen, the session given as its display id.
pub type Evidence = Seen<String, String>;

impl From<&LastSeen> for Evidence {
    fn from(l: &LastSeen) -> Self {
        l.map(|s| fmt_id(*s), String::clone)
    }
}

/// A weak rubric criterion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeakCriterion {
    /// 1 = weakest.
    pub rank: usize,
    /// Question id.
    pub question: String,
    /// Question title.
    pub title: String,
    /// Area.
    pub area: String,
    /// Criterion id.
    pub criterion: String,
    /// What a strong answer claims.
    pub statement: String,
    /// Concept tags.
    pub tags: Vec<String>,
    /// Mastery in percent.
    pub mastery: u32,
    /// Answers that were graded on it.
    pub attempts: u32,
    /// The last time.
    pub last: Evidence,
}

/// A weak concept.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeakConcept {
    /// 1 = weakest.
    pub rank: usize,
    /// Concept tag.
    pub tag: String,
    /// Mastery in percent.
    pub mastery: u32,
    /// Answers that exercised it.
    pub attempts: u32,
    /// Areas it appeared in.
    pub areas: Vec<String>,
    /// Questions it appeared in.
    pub questions: Vec<String>,
    /// The last time.
    pub last: Evidence,
}

/// One session's mean score in an area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    /// Session (display id).
    pub session: String,
    /// Time of the session's first answer in the area.
    pub at: DateTime<Utc>,
    /// Mean score of the area's answers in that session.
    pub score: u32,
}

/// An area's scores over time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaTrend {
    /// Area id.
    pub area: String,
    /// One point per session, oldest first.
    pub points: Vec<TrendPoint>,
    /// Last point's score minus the first's.
    pub change: i64,
}

/// One cell of the area × concept heat map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeatCell {
    /// Area.
    pub area: String,
    /// Concept tag.
    pub tag: String,
    /// Mastery in percent.
    pub mastery: u32,
    /// Observations.
    pub attempts: u32,
}

/// A criterion missed last time, for the schedule (the card's own record of it).
pub type MissedItem = schedule::Missed;

/// A question on the review schedule (what `viva due` lists).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DueItem {
    /// Question id.
    pub question: String,
    /// Title.
    pub title: String,
    /// Area.
    pub area: String,
    /// When FSRS schedules the next review.
    pub due: DateTime<Utc>,
    /// Due now (at the report's time).
    pub due_now: bool,
    /// Whole days until due; negative when overdue.
    pub due_in_days: i64,
    /// Score of the last attempt.
    pub last_score: u32,
    /// FSRS rating of the last attempt (again, hard, good, easy).
    pub last_rating: &'static str,
    /// The last attempt was a skip.
    pub last_skipped: bool,
    /// Session of the last attempt.
    pub last_session: String,
    /// Time of the last attempt.
    pub last_at: DateTime<Utc>,
    /// Criteria not met last time.
    pub missed: Vec<MissedItem>,
    /// Reviews so far.
    pub reviews: u32,
    /// Times forgotten after being learned.
    pub lapses: i32,
    /// FSRS state.
    pub state: &'static str,
    /// FSRS stability in days.
    pub stability_days: f64,
}

/// Turn a card into a schedule entry as of `now`.
pub fn due_item(c: &CardState, now: DateTime<Utc>) -> DueItem {
    DueItem {
        question: c.question.clone(),
        title: c.title.clone(),
        area: c.area.clone(),
        due: c.card.due,
        due_now: c.is_due(now),
        due_in_days: c.due_in_days(now),
        last_score: c.last_score,
        last_rating: rating_name(c.last_rating),
        last_skipped: c.last_skipped,
        last_session: fmt_id(c.last_session),
        last_at: c.last_at,
        missed: c.missed.clone(),
        reviews: c.reviews,
        lapses: c.card.lapses,
        state: state_name(c.card.state),
        stability_days: (c.card.stability * 100.0).round() / 100.0,
    }
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The time the report is computed for.
    pub generated: DateTime<Utc>,
    /// Interview sessions with at least one graded answer.
    pub sessions: usize,
    /// Graded answers.
    pub answers: usize,
    /// Criteria below the weak threshold, weakest first (at most `limit`).
    pub weak_criteria: Vec<WeakCriterion>,
    /// Concepts below the weak threshold, weakest first (at most `limit`).
    pub weak_concepts: Vec<WeakConcept>,
    /// Mean score per session, per area (areas in bank order).
    pub areas: Vec<AreaTrend>,
    /// Area × concept mastery.
    pub heatmap: Vec<HeatCell>,
    /// Every question on the schedule, soonest first.
    pub schedule: Vec<DueItem>,
}

/// One session's answers in one area: a point of that area's trend chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendRec {
    /// Area.
    pub area: String,
    /// The session's first answer in the area (orders the points).
    pub first: AnswerKey,
    /// Sum of the latest scores.
    pub sum: u32,
    /// Answers.
    pub n: u32,
}

/// The per-session means of the trend charts as a fold over answers, oldest first.
#[derive(Debug, Clone, Default)]
pub struct TrendFold {
    /// By (area, session).
    pub points: HashMap<(String, u64), TrendRec>,
}

impl TrendFold {
    /// Fold in the next answer.
    pub fn push(&mut self, a: &AnswerRec, tax: &Taxonomy) {
        let area = tax.area(&a.question);
        let p = self
            .points
            .entry((area.to_string(), a.key.session))
            .or_insert_with(|| TrendRec {
                area: area.to_string(),
                first: a.key,
                sum: 0,
                n: 0,
            });
        p.sum += a.score;
        p.n += 1;
    }
}

/// Each area's points, oldest first: every area the answers touch, the built-in ones in display order, then the
/// others (a drafted bank's own areas) by name, then `unknown` (questions no longer in the bank).
pub fn area_trends(mut points: Vec<TrendRec>) -> Vec<AreaTrend> {
    points.sort_by_key(|p| p.first);
    let builtin = |a: &str| crate::bank::spec::AREAS.iter().position(|(x, _)| *x == a);
    let mut names: Vec<String> = points.iter().map(|p| p.area.clone()).collect();
    names.sort_by_key(|a| (builtin(a).unwrap_or(usize::MAX), a == "unknown", a.clone()));
    names.dedup();
    let mut areas = Vec::new();
    for area in names {
        let points: Vec<TrendPoint> = points
            .iter()
            .filter(|p| p.area == area)
            .map(|p| TrendPoint {
                session: fmt_id(p.first.session),
                at: p.first.at,
                score: (p.sum as f64 / p.n as f64).round() as u32,
            })
            .collect();
        if points.is_empty() {
            continue;
        }
        let change = points.last().map(|p| p.score as i64).unwrap_or(0)
            - points.first().map(|p| p.score as i64).unwrap_or(0);
        areas.push(AreaTrend {
            area,
            points,
            change,
        });
    }
    areas
}

/// Everything a report is made of, however it was computed.
#[derive(Debug, Clone, PartialEq)]
pub struct Parts {
    /// Mastery, ranked.
    pub mastery: Mastery,
    /// Trend points.
    pub trends: Vec<TrendRec>,
    /// Interview sessions with at least one graded answer.
    pub sessions: usize,
    /// Graded answers.
    pub answers: usize,
    /// Every card, sorted.
    pub cards: Vec<CardState>,
}

/// The parts of a report by a full replay of the history.
pub fn parts(h: &History, bank: &Bank) -> Parts {
    let tax = Taxonomy::of(bank);
    let (answers, _) = records(h);
    let mut m = MasteryFold::default();
    let mut t = TrendFold::default();
    for a in &answers {
        m.push(a, &tax);
        t.push(a, &tax);
    }
    let mut sessions: Vec<u64> = answers.iter().map(|a| a.key.session).collect();
    sessions.sort_unstable();
    sessions.dedup();
    Parts {
        mastery: m.finish(bank),
        trends: t.points.into_values().collect(),
        sessions: sessions.len(),
        answers: answers.len(),
        cards: schedule::cards(h, bank),
    }
}

/// Build the report from the history (a full replay), as of `now`, keeping at most `limit` weak criteria and
/// concepts.
pub fn build(h: &History, bank: &Bank, now: DateTime<Utc>, limit: usize) -> Report {
    assemble(parts(h, bank), bank, now, limit)
}

/// Build the report from its parts, as of `now`, keeping at most `limit` weak criteria and concepts.
pub fn assemble(p: Parts, bank: &Bank, now: DateTime<Utc>, limit: usize) -> Report {
    let m = p.mastery;
    let weak_criteria = weak_rows(&m.criteria, limit, |rank, c| WeakCriterion {
        rank,
        question: c.question.clone(),
        title: title_of(bank, &c.question),
        area: c.area.clone(),
        criterion: c.criterion.clone(),
        statement: c.statement.clone(),
        tags: c.tags.clone(),
        mastery: c.mastery.pct(),
        attempts: c.mastery.n,
        last: (&c.last).into(),
    });
    let weak_concepts = weak_rows(&m.concepts, limit, |rank, c| WeakConcept {
        rank,
        tag: c.tag.clone(),
        mastery: c.mastery.pct(),
        attempts: c.mastery.n,
        areas: c.areas.clone(),
        questions: c.questions.clone(),
        last: (&c.last).into(),
    });
    Report {
        generated: now,
        sessions: p.sessions,
        answers: p.answers,
        weak_criteria,
        weak_concepts,
        areas: area_trends(p.trends),
        heatmap: m
            .grid
            .iter()
            .map(|c| HeatCell {
                area: c.area.clone(),
                tag: c.tag.clone(),
                mastery: c.mastery.pct(),
                attempts: c.mastery.n,
            })
            .collect(),
        schedule: p.cards.iter().map(|c| due_item(c, now)).collect(),
    }
}

/// A mastery entry of a list ranked weakest first: a criterion or a concept.
trait Ranked {
    fn mastery(&self) -> &Ewma;
}

impl Ranked for CriterionMastery {
    fn mastery(&self) -> &Ewma {
        &self.mastery
    }
}

impl Ranked for ConceptMastery {
    fn mastery(&self) -> &Ewma {
        &self.mastery
    }
}

/// The rows of the weak entries (below [`WEAK_BELOW`]) of a list ranked weakest first, at most `limit`, each made
/// with its rank (1 = weakest).
fn weak_rows<T: Ranked, R>(ranked: &[T], limit: usize, row: impl Fn(usize, &T) -> R) -> Vec<R> {
    ranked
        .iter()
        .filter(|x| x.mastery().pct() < WEAK_BELOW)
        .take(limit)
        .enumerate()
        .map(|(i, x)| row(i + 1, x))
        .collect()
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
