//! Test helpers: build event logs by hand (unit tests only).

use crate::bank::Bank;
use crate::grade::{compute_score, CriterionResult, Grade, Verdict};
use crate::store::{Event, EventKind, SessionKind, SCHEMA_VERSION};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::sync::OnceLock;

pub const M: Verdict = Verdict::Met;
pub const P: Verdict = Verdict::Partial;
pub const X: Verdict = Verdict::Missed;

/// The embedded bank, loaded once.
pub fn bank() -> &'static Bank {
    static B: OnceLock<Bank> = OnceLock::new();
    B.get_or_init(|| Bank::embedded().unwrap())
}

/// Midnight UTC, 2025-01-01 plus `n` days.
pub fn day(n: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap() + Duration::days(n)
}

/// A grade with these verdicts; weight, statement and tags come from the bank when the criterion exists there.
pub fn grade(q: &str, rung: Option<usize>, verdicts: &[(&str, Verdict)]) -> Grade {
    let bq = bank().get(q);
    let criteria: Vec<CriterionResult> = verdicts
        .iter()
        .map(|(id, v)| {
            let spec = bq.and_then(|q| q.all_criteria().find(|c| c.spec.id == *id));
            CriterionResult {
                id: id.to_string(),
                verdict: *v,
                evidence: if *v == X {
                    vec![]
                } else {
                    vec![format!("words for {id}")]
                },
                statement: spec
                    .map(|c| c.spec.statement.clone())
                    .unwrap_or_else(|| format!("statement of {id}")),
                weight: spec.map(|c| c.spec.weight).unwrap_or(10.0),
                tags: spec
                    .map(|c| c.spec.tags.clone())
                    .unwrap_or_else(|| vec![format!("tag-{id}")]),
                rationale: None,
                closest: None,
            }
        })
        .collect();
    Grade {
        score: compute_score(&criteria, &[]),
        grader: "offline".into(),
        question: q.into(),
        rung,
        rubric_version: 1,
        criteria,
        misconceptions: vec![],
        flags: vec![],
        coverage: vec![],
        degraded: false,
        semantic: false,
        llm: None,
    }
}

/// A session being written.
pub struct Log {
    pub events: Vec<Event>,
    session: u64,
    seq: u32,
    turn: u32,
    at: DateTime<Utc>,
}

impl Log {
    /// A new session starting at `at`.
    pub fn new(session: u64, at: DateTime<Utc>) -> Log {
        let mut l = Log {
            events: vec![],
            session,
            seq: 0,
            turn: 0,
            at,
        };
        l.push(EventKind::SessionStarted {
            kind: SessionKind::Interview,
            grader: "offline".into(),
        });
        l
    }

    /// Append a second session to the same log.
    pub fn then(mut self, session: u64, at: DateTime<Utc>) -> Log {
        let mut next = Log::new(session, at);
        self.events.append(&mut next.events);
        next.events = self.events;
        next
    }

    fn push(&mut self, kind: EventKind) {
        self.events.push(Event {
            v: SCHEMA_VERSION,
            session: self.session,
            seq: self.seq,
            at: self.at,
            kind,
        });
        self.seq += 1;
        self.at += Duration::minutes(1);
    }

    /// Ask a main question (a new turn unless it is the first).
    pub fn ask(&mut self, q: &str, title: &str) {
        if self.seq > 1 {
            self.turn += 1;
        }
        self.push(EventKind::QuestionAsked {
            turn: self.turn,
            question: q.into(),
            title: title.into(),
            text: "?".into(),
        });
    }

    /// Ask a follow-up.
    pub fn follow_up(&mut self, q: &str, rung: usize, stage: &str) {
        self.turn += 1;
        self.push(EventKind::FollowUpAsked {
            turn: self.turn,
            question: q.into(),
            rung,
            stage: stage.into(),
            text: "?".into(),
            generated: false,
            purpose: Default::default(),
            target: None,
        });
    }

    /// Answer the current turn and record its grade.
    pub fn answer(&mut self, text: &str, g: Grade) {
        self.push(EventKind::AnswerGiven {
            turn: self.turn,
            text: text.into(),
            voice: None,
        });
        self.push(EventKind::Graded {
            turn: self.turn,
            grade: g,
        });
    }

    /// Ask a main question and answer it with a grade of these verdicts (see [`grade`]).
    pub fn answered(&mut self, q: &str, title: &str, text: &str, verdicts: &[(&str, Verdict)]) {
        self.ask(q, title);
        self.answer(text, grade(q, None, verdicts));
    }

    /// Skip the current question.
    pub fn skip(&mut self, q: &str) {
        self.push(EventKind::Skipped {
            turn: self.turn,
            question: q.into(),
        });
    }

    /// Regrade an earlier turn.
    pub fn regrade(&mut self, turn: u32, g: Grade) {
        self.push(EventKind::Regraded { turn, grade: g });
    }
}
