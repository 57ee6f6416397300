//! Session events (the log) and the summary derived from them.

use crate::grade::Grade;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Schema version written with every event.
pub const SCHEMA_VERSION: u32 = 1;

/// Display form of a session id.
pub fn fmt_id(id: u64) -> String {
    format!("{id:014x}")
}

/// What kind of session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionKind {
    /// A mock interview.
    Interview,
    /// A readiness quiz.
    Quiz,
}

/// Why a follow-up was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Purpose {
    /// The next rung of the ladder (and the main question).
    #[default]
    Rung,
    /// A probe of a criterion the last answer missed.
    Probe,
    /// A challenge of a misconception the last answer stated.
    Challenge,
}

impl Purpose {
    /// Lower-case name ("rung", "probe", "challenge").
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Rung => "rung",
            Purpose::Probe => "probe",
            Purpose::Challenge => "challenge",
        }
    }
}

/// How a follow-up is labelled in transcripts: "constraints" for a rung, "probe: <criterion> · constraints" for a
/// probe or challenge (with the stage it follows up on).
pub fn follow_up_label(stage: &str, purpose: Purpose, target: Option<&str>) -> String {
    let stage = stage.replace('_', " ");
    match purpose {
        Purpose::Rung => stage,
        p => match target {
            Some(t) => format!("{}: {t} · {stage}", p.as_str()),
            None => format!("{} · {stage}", p.as_str()),
        },
    }
}

/// One logged event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Schema version.
    pub v: u32,
    /// Session id.
    pub session: u64,
    /// Sequence number within the session.
    pub seq: u32,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

impl Event {
    /// Check what serde cannot: a schema version this build knows, and the numbers of a grade. The error names
    /// the first problem.
    pub fn check(&self) -> Result<(), String> {
        if self.v == 0 || self.v > SCHEMA_VERSION {
            return Err(format!(
                "schema version {} is not one this viva reads (1-{}); a newer viva wrote it",
                self.v, SCHEMA_VERSION
            ));
        }
        match &self.kind {
            EventKind::Graded { grade, .. } | EventKind::Regraded { grade, .. } => grade.check(),
            _ => Ok(()),
        }
    }
}

/// The event payloads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum EventKind {
    /// A session began.
    SessionStarted {
        /// Interview or quiz.
        kind: SessionKind,
        /// Grader name.
        grader: String,
    },
    /// A main question was asked.
    QuestionAsked {
        /// Turn number (0-based, across the session).
        turn: u32,
        /// Question id.
        question: String,
        /// Question title.
        title: String,
        /// The text asked.
        text: String,
    },
    /// A ladder follow-up was asked.
    FollowUpAsked {
        /// Turn number.
        turn: u32,
        /// Question id.
        question: String,
        /// Rung index in the ladder.
        rung: usize,
        /// Stage tag.
        stage: String,
        /// The text asked.
        text: String,
        /// Written by the model (adaptive) rather than taken from the bank.
        #[serde(default)]
        generated: bool,
        /// Why it was asked: the next rung, a probe of a missed criterion or a challenge of a misconception
        /// (older events: rung).
        #[serde(default)]
        purpose: Purpose,
        /// The criterion (probe) or misconception (challenge) it targets.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<String>,
    },
    /// The candidate asked for a hint.
    HintShown {
        /// Turn number.
        turn: u32,
        /// 1: the concept, 2: a leading question, 3: the missing statement (0: nothing left to hint).
        level: u8,
        /// The criterion it points at.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        criterion: Option<String>,
        /// The hint as shown.
        text: String,
    },
    /// The candidate answered.
    AnswerGiven {
        /// Turn number.
        turn: u32,
        /// The answer, verbatim.
        text: String,
        /// For a spoken answer: the recording, the raw transcript and the delivery metrics (absent for typed
        /// answers and in older events).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        voice: Option<super::SpokenMeta>,
    },
    /// An answer was graded.
    Graded {
        /// Turn number.
        turn: u32,
        /// The grade.
        grade: Grade,
    },
    /// The candidate skipped a question.
    Skipped {
        /// Turn number.
        turn: u32,
        /// Question id.
        question: String,
    },
    /// A quiz item was answered.
    QuizAnswered {
        /// Item number within the session.
        turn: u32,
        /// Question id the item belongs to.
        question: String,
        /// Index of the item within the question's quiz list.
        item: usize,
        /// Chosen option.
        chosen: usize,
        /// Whether it was right.
        correct: bool,
    },
    /// A past answer was graded again (`viva regrade`); the original `Graded` event stays untouched.
    Regraded {
        /// Turn number of the answer.
        turn: u32,
        /// The new grade (today's rubric and grader).
        grade: Grade,
    },
    /// The session ended.
    SessionEnded {
        /// Why it ended.
        reason: EndReason,
    },
}

/// Why a session ended, stored as the plain strings listed on each variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum EndReason {
    /// Every planned question or quiz item was done: "completed".
    Completed,
    /// The candidate typed /quit: "quit".
    Quit,
    /// The input ended (Ctrl-D, or the end of a piped script): "eof".
    Eof,
    /// The session's model spend reached `--max-cost` (interviews): "cost limit".
    CostLimit,
    /// Any other string, as an older viva may have stored it (kept verbatim so old stores still load).
    Other(String),
}

impl EndReason {
    /// The stored form ("completed", "quit", "eof", "cost limit", or the other string).
    pub fn as_str(&self) -> &str {
        match self {
            EndReason::Completed => "completed",
            EndReason::Quit => "quit",
            EndReason::Eof => "eof",
            EndReason::CostLimit => "cost limit",
            EndReason::Other(s) => s,
        }
    }
}

impl From<String> for EndReason {
    fn from(s: String) -> Self {
        match s.as_str() {
            "completed" => EndReason::Completed,
            "quit" => EndReason::Quit,
            "eof" => EndReason::Eof,
            "cost limit" => EndReason::CostLimit,
            _ => EndReason::Other(s),
        }
    }
}

impl From<EndReason> for String {
    fn from(r: EndReason) -> Self {
        match r {
            EndReason::Other(s) => s,
            known => known.as_str().to_string(),
        }
    }
}

impl std::fmt::Display for EndReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A session's summary, derived from its events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionSummary {
    /// Session id.
    pub id: u64,
    /// Interview or quiz.
    pub kind: SessionKind,
    /// Start time.
    pub started: Option<DateTime<Utc>>,
    /// End time, when ended.
    pub ended: Option<DateTime<Utc>>,
    /// Grader used.
    pub grader: String,
    /// Main questions asked.
    pub questions: u32,
    /// Answers given (None in summaries written before this field: use `graded`).
    #[serde(default)]
    pub answers: Option<u32>,
    /// Answers graded.
    pub graded: u32,
    /// Sum of scores of graded answers.
    pub score_sum: u64,
    /// Quiz items answered correctly.
    pub quiz_correct: u32,
    /// Quiz items answered.
    pub quiz_total: u32,
    /// Question ids asked, in order.
    pub question_ids: Vec<String>,
}

impl SessionSummary {
    /// An empty summary.
    pub fn new(id: u64) -> Self {
        SessionSummary {
            id,
            kind: SessionKind::Interview,
            started: None,
            ended: None,
            grader: String::new(),
            questions: 0,
            answers: Some(0),
            graded: 0,
            score_sum: 0,
            quiz_correct: 0,
            quiz_total: 0,
            question_ids: Vec::new(),
        }
    }

    /// Fold one event in.
    pub fn apply(&mut self, e: &Event) {
        match &e.kind {
            EventKind::SessionStarted { kind, grader } => {
                self.kind = *kind;
                self.started = Some(e.at);
                self.grader = grader.clone();
            }
            EventKind::QuestionAsked { question, .. } => {
                self.questions += 1;
                self.question_ids.push(question.clone());
            }
            EventKind::AnswerGiven { .. } => {
                self.answers = Some(self.answers.unwrap_or(self.graded) + 1);
            }
            EventKind::Graded { grade, .. } => {
                self.graded += 1;
                self.score_sum += grade.score as u64;
            }
            EventKind::QuizAnswered { correct, .. } => {
                self.quiz_total += 1;
                if *correct {
                    self.quiz_correct += 1;
                }
            }
            EventKind::SessionEnded { .. } => self.ended = Some(e.at),
            _ => {}
        }
    }

    /// Answers given (older summaries did not count them: their graded answers).
    pub fn answer_count(&self) -> u32 {
        self.answers.unwrap_or(self.graded)
    }

    /// Mean score of graded answers (quiz: percent correct).
    pub fn mean_score(&self) -> Option<f64> {
        match self.kind {
            SessionKind::Interview if self.graded > 0 => {
                Some(self.score_sum as f64 / self.graded as f64)
            }
            SessionKind::Quiz if self.quiz_total > 0 => {
                Some(100.0 * self.quiz_correct as f64 / self.quiz_total as f64)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod purpose_tests {
    use super::*;

    #[test]
    fn older_follow_up_events_load_as_rungs() {
        let old = r#"{"v":1,"session":7,"seq":2,"at":"2025-01-01T00:00:00Z","type":"FollowUpAsked","turn":1,"question":"q","rung":0,"stage":"implementation","text":"How?"}"#;
        let e: Event = serde_json::from_str(old).unwrap();
        match e.kind {
            EventKind::FollowUpAsked {
                purpose, target, ..
            } => {
                assert_eq!(purpose, Purpose::Rung);
                assert_eq!(target, None);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            follow_up_label("failure_modes", Purpose::Probe, Some("c1")),
            "probe: c1 · failure modes"
        );
    }

    #[test]
    fn end_reasons_keep_their_stored_strings() {
        for (stored, reason) in [
            ("completed", EndReason::Completed),
            ("quit", EndReason::Quit),
            ("eof", EndReason::Eof),
            ("cost limit", EndReason::CostLimit),
            ("interrupted", EndReason::Other("interrupted".into())),
        ] {
            let line = format!(
                r#"{{"v":1,"session":7,"seq":3,"at":"2025-01-01T00:00:00Z","type":"SessionEnded","reason":"{stored}"}}"#
            );
            let e: Event = serde_json::from_str(&line).unwrap();
            assert_eq!(
                e.kind,
                EventKind::SessionEnded {
                    reason: reason.clone()
                }
            );
            assert_eq!(reason.as_str(), stored);
            assert_eq!(serde_json::to_string(&e).unwrap(), line);
        }
    }
}
