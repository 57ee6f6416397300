//! Weak spots over time, as data: the answers in the event log with their latest grades, mastery per criterion
//! and concept, FSRS scheduling, attempt comparisons and the progress report. Pure functions of the events and
//! the bank: no IO, no clock (callers pass `now`), so every view can be rebuilt from the log at any time.

pub mod calibration;
pub mod compare;
pub mod fold;
pub mod mastery;
pub mod regrade;
pub mod report;
pub mod schedule;
pub mod seen;
pub mod transcript;

use crate::bank::Bank;
use crate::grade::Grade;
use crate::session::{Event, EventKind};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};

/// One graded answer with its latest grade: a `Regraded` event replaces the original grade in derived views
/// (the original stays in the log and in `original_score`).
#[derive(Debug, Clone, PartialEq)]
pub struct Answered {
    /// Session id.
    pub session: u64,
    /// Turn within the session.
    pub turn: u32,
    /// When the answer was first graded.
    pub at: DateTime<Utc>,
    /// Question id.
    pub question: String,
    /// Ladder rung (None: the main question).
    pub rung: Option<usize>,
    /// "question" for the main question, else the rung's stage.
    pub stage: String,
    /// The answer, verbatim.
    pub answer: String,
    /// The latest grade.
    pub grade: Grade,
    /// The score first given.
    pub original_score: u32,
    /// Whether `grade` comes from a regrade.
    pub regraded: bool,
}

/// One attempt at a question: the turns of one session on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// Session id.
    pub session: u64,
    /// Question id.
    pub question: String,
    /// Time of the attempt's last graded turn or skip.
    pub at: DateTime<Utc>,
    /// Graded turns, in order.
    pub turns: Vec<Answered>,
    /// The candidate skipped (part of) the question.
    pub skipped: bool,
}

impl Attempt {
    /// Mean score of the graded turns; a question skipped without any answer scores 0; None when the question was
    /// asked but never answered nor skipped (the session ended first).
    pub fn score(&self) -> Option<u32> {
        if self.turns.is_empty() {
            return self.skipped.then_some(0);
        }
        let sum: u32 = self.turns.iter().map(|t| t.grade.score).sum();
        Some((sum as f64 / self.turns.len() as f64).round() as u32)
    }
}

/// Everything graded in the log, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// Graded answers, by time.
    pub answers: Vec<Answered>,
    /// Attempts (answered or skipped), by time.
    pub attempts: Vec<Attempt>,
}

/// Read the graded answers and attempts out of the events of any number of sessions.
pub fn history(events: &[Event]) -> History {
    let mut by: BTreeMap<u64, Vec<&Event>> = BTreeMap::new();
    for e in events {
        by.entry(e.session).or_default().push(e);
    }
    let mut h = History::default();
    for (session, mut evs) in by {
        evs.sort_by_key(|e| e.seq);
        let mut f = SessionFold::new(session);
        for e in evs {
            f.event(e);
        }
        let (answers, attempts) = f.finish();
        h.answers.extend(answers);
        h.attempts.extend(attempts);
    }
    h.answers.sort_by_key(|a| (a.at, a.session, a.turn));
    h.attempts.sort_by_key(|a| (a.at, a.session));
    h
}

/// One session's events folded into its graded answers and its attempts at each question.
struct SessionFold {
    session: u64,
    stage_of: HashMap<u32, String>,
    question_of: HashMap<u32, String>,
    text_of: HashMap<u32, String>,
    answers: Vec<Answered>,
    attempts: Vec<Attempt>,
}

impl SessionFold {
    fn new(session: u64) -> SessionFold {
        SessionFold {
            session,
            stage_of: HashMap::new(),
            question_of: HashMap::new(),
            text_of: HashMap::new(),
            answers: Vec::new(),
            attempts: Vec::new(),
        }
    }

    /// The index of the attempt at question `q`, opened at `at` when there is none yet.
    fn attempt_for(&mut self, q: &str, at: DateTime<Utc>) -> usize {
        match self.attempts.iter().position(|a| a.question == q) {
            Some(i) => i,
            None => {
                self.attempts.push(Attempt {
                    session: self.session,
                    question: q.to_string(),
                    at,
                    turns: Vec::new(),
                    skipped: false,
                });
                self.attempts.len() - 1
            }
        }
    }

    fn event(&mut self, e: &Event) {
        match &e.kind {
            EventKind::QuestionAsked { turn, question, .. } => {
                self.stage_of.insert(*turn, "question".into());
                self.question_of.insert(*turn, question.clone());
                self.attempt_for(question, e.at);
            }
            EventKind::FollowUpAsked {
                turn,
                question,
                stage,
                ..
            } => {
                self.stage_of.insert(*turn, stage.clone());
                self.question_of.insert(*turn, question.clone());
            }
            EventKind::AnswerGiven { turn, text, .. } => {
                self.text_of.insert(*turn, text.clone());
            }
            EventKind::Graded { turn, grade } => self.graded(*turn, grade, e.at),
            EventKind::Regraded { turn, grade } => {
                if let Some(a) = self.answers.iter_mut().rev().find(|a| a.turn == *turn) {
                    a.grade = grade.clone();
                    a.regraded = true;
                }
            }
            EventKind::Skipped { question, .. } => {
                let i = self.attempt_for(question, e.at);
                self.attempts[i].skipped = true;
                self.attempts[i].at = e.at;
            }
            _ => {}
        }
    }

    fn graded(&mut self, turn: u32, grade: &Grade, at: DateTime<Utc>) {
        let question = if grade.question.is_empty() {
            self.question_of.get(&turn).cloned().unwrap_or_default()
        } else {
            grade.question.clone()
        };
        self.answers.push(Answered {
            session: self.session,
            turn,
            at,
            question,
            rung: grade.rung,
            stage: self
                .stage_of
                .get(&turn)
                .cloned()
                .unwrap_or_else(|| "question".into()),
            answer: self.text_of.get(&turn).cloned().unwrap_or_default(),
            grade: grade.clone(),
            original_score: grade.score,
            regraded: false,
        });
    }

    /// The graded answers and the attempts that have a score.
    fn finish(mut self) -> (Vec<Answered>, Vec<Attempt>) {
        let answers = std::mem::take(&mut self.answers);
        for a in &answers {
            let i = self.attempt_for(&a.question, a.at);
            self.attempts[i].at = self.attempts[i].at.max(a.at);
            self.attempts[i].turns.push(a.clone());
        }
        let mut attempts = self.attempts;
        attempts.retain(|a| a.score().is_some());
        (answers, attempts)
    }
}

/// The area of a question per the bank ("unknown" when it left the bank).
pub fn area_of(bank: &Bank, question: &str) -> String {
    bank.get(question)
        .map(|q| q.spec.area.clone())
        .unwrap_or_else(|| "unknown".into())
}

/// The title of a question per the bank (the id when it left the bank).
pub fn title_of(bank: &Bank, question: &str) -> String {
    bank.get(question)
        .map(|q| q.spec.title.clone())
        .unwrap_or_else(|| question.to_string())
}

/// The start of a text, cut at a word boundary, at most `max` characters plus an ellipsis.
pub fn excerpt(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let mut out = String::new();
    for w in flat.split(' ') {
        if out.chars().count() + w.chars().count() + 1 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    if out.is_empty() {
        out = flat.chars().take(max).collect();
    }
    out.push('…');
    out
}

#[cfg(test)]
pub(crate) mod testkit;

#[cfg(test)]
mod views_tests;

#[cfg(test)]
mod tests {
    use super::testkit::*;
    use super::*;

    #[test]
    fn latest_grade_wins_and_attempts_group_turns() {
        let mut log = Log::new(1, day(0));
        log.ask("q-a", "question");
        log.answer("first", grade("q-a", None, &[("c1", M), ("c2", X)]));
        log.follow_up("q-a", 0, "implementation");
        log.answer("second", grade("q-a", Some(0), &[("r1", X)]));
        log.ask("q-b", "question");
        log.skip("q-b");
        log.ask("q-c", "question");
        log.regrade(0, grade("q-a", None, &[("c1", M), ("c2", M)]));
        let h = history(&log.events);
        assert_eq!(h.answers.len(), 2);
        assert_eq!(h.answers[0].grade.score, 100);
        assert_eq!(h.answers[0].original_score, 50);
        assert!(h.answers[0].regraded);
        assert_eq!(h.answers[1].stage, "implementation");
        assert_eq!(h.answers[1].answer, "second");
        // q-c was asked but the session ended: not an attempt.
        let qs: Vec<&str> = h.attempts.iter().map(|a| a.question.as_str()).collect();
        assert_eq!(qs, ["q-a", "q-b"]);
        assert_eq!(h.attempts[0].score(), Some(50));
        assert_eq!(h.attempts[1].score(), Some(0));
    }

    #[test]
    fn excerpt_cuts_at_words() {
        assert_eq!(excerpt("short  text", 20), "short text");
        assert_eq!(excerpt("one two three four", 9), "one two…");
    }
}
