//! The transcript view: one walk over a session's events that turns them into the entries a reader sees, with
//! every label worked out once (the follow-up's purpose, the quiz option's letter, the turn number). The terminal
//! replay, the Markdown export and the HTML transcript only format these entries, so the three cannot drift apart
//! (the HTML transcript once dropped the spoken-answer line this way).

use crate::grade::Grade;
use crate::session::event::follow_up_label;
use crate::session::{fmt_id, Event, EventKind, SessionKind, SpokenMeta};
use chrono::{DateTime, Utc};

/// A session's header.
#[derive(Debug, Clone, Copy)]
pub struct Header<'a> {
    /// Display id.
    pub id: &'a str,
    /// Interview or quiz.
    pub kind: SessionKind,
    /// Which grader the session used.
    pub grader: &'a str,
    /// When it started.
    pub at: DateTime<Utc>,
}

impl Header<'_> {
    /// "Interview · offline grader": what kind of session, graded by whom.
    pub fn kind_and_grader(&self) -> String {
        format!("{:?} · {} grader", self.kind, self.grader)
    }

    /// When it started, to the minute in UTC.
    pub fn started(&self) -> String {
        self.at.format("%Y-%m-%d %H:%M UTC").to_string()
    }
}

/// A main question as asked.
#[derive(Debug, Clone, Copy)]
pub struct Asked<'a> {
    /// Its title.
    pub title: &'a str,
    /// The question as asked.
    pub text: &'a str,
    /// Its id.
    pub question: &'a str,
}

/// A quiz item as answered.
#[derive(Debug, Clone, Copy)]
pub struct QuizPick<'a> {
    /// The question it belongs to.
    pub question: &'a str,
    /// The item's number (1-based).
    pub number: usize,
    /// The chosen option's letter.
    pub option: char,
    /// Whether it was the right one.
    pub correct: bool,
}

/// What a reader sees of one event.
#[derive(Debug, Clone, Copy)]
pub enum Entry<'a> {
    /// The session's header.
    Started(Header<'a>),
    /// A main question.
    Question(Asked<'a>),
    /// A follow-up, probe or challenge.
    FollowUp {
        /// Its label ("implementation", "probe · head-not-depth", …).
        label: &'a str,
        /// The follow-up as asked.
        text: &'a str,
    },
    /// A hint.
    Hint {
        /// 1–3 (0: nothing left to hint).
        level: u8,
        /// The hint as shown.
        text: &'a str,
    },
    /// The candidate's answer.
    Answer {
        /// As typed or transcribed.
        text: &'a str,
        /// How it was spoken, when it was.
        voice: Option<&'a SpokenMeta>,
    },
    /// The grade of the answer before it; a turn ends here.
    Graded {
        /// The grade.
        grade: &'a Grade,
    },
    /// A question skipped without an answer.
    Skipped {
        /// Its id.
        question: &'a str,
    },
    /// A quiz item.
    Quiz(QuizPick<'a>),
    /// A later re-grade.
    Regraded {
        /// The turn re-graded (1-based).
        turn: usize,
        /// When.
        at: DateTime<Utc>,
        /// The new grade.
        grade: &'a Grade,
    },
    /// The session's end.
    Ended {
        /// Why it ended.
        reason: &'a str,
        /// When.
        at: DateTime<Utc>,
    },
}

/// The events of one session as entries, in order. Labels that need work (follow-up labels, display ids) are
/// kept in `labels`, which the entries borrow from.
pub struct Transcript<'a> {
    events: &'a [Event],
    labels: Vec<String>,
}

impl<'a> Transcript<'a> {
    /// The view of `events` (one session's, oldest first).
    pub fn new(events: &'a [Event]) -> Transcript<'a> {
        let labels = events
            .iter()
            .map(|e| match &e.kind {
                EventKind::SessionStarted { .. } => fmt_id(e.session),
                EventKind::FollowUpAsked {
                    stage,
                    purpose,
                    target,
                    ..
                } => follow_up_label(stage, *purpose, target.as_deref()),
                _ => String::new(),
            })
            .collect();
        Transcript { events, labels }
    }

    /// The entries, in event order.
    pub fn entries(&self) -> impl Iterator<Item = Entry<'_>> {
        self.events
            .iter()
            .zip(&self.labels)
            .map(|(e, label)| entry(e, label))
    }
}

fn entry<'a>(e: &'a Event, label: &'a str) -> Entry<'a> {
    match &e.kind {
        EventKind::SessionStarted { kind, grader } => Entry::Started(Header {
            id: label,
            kind: *kind,
            grader,
            at: e.at,
        }),
        EventKind::QuestionAsked {
            title,
            text,
            question,
            ..
        } => Entry::Question(Asked {
            title,
            text,
            question,
        }),
        EventKind::FollowUpAsked { text, .. } => Entry::FollowUp { label, text },
        EventKind::HintShown { level, text, .. } => Entry::Hint {
            level: *level,
            text,
        },
        EventKind::AnswerGiven { text, voice, .. } => Entry::Answer {
            text,
            voice: voice.as_ref(),
        },
        EventKind::Graded { grade, .. } => Entry::Graded { grade },
        EventKind::Skipped { question, .. } => Entry::Skipped { question },
        EventKind::QuizAnswered {
            question,
            item,
            chosen,
            correct,
            ..
        } => Entry::Quiz(QuizPick {
            question,
            number: item + 1,
            option: (b'A' + (*chosen).min(25) as u8) as char,
            correct: *correct,
        }),
        EventKind::Regraded { turn, grade } => Entry::Regraded {
            turn: *turn as usize + 1,
            at: e.at,
            grade,
        },
        EventKind::SessionEnded { reason } => Entry::Ended {
            reason: reason.as_str(),
            at: e.at,
        },
    }
}
