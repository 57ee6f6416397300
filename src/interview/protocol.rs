//! What the shell and the machine say to each other: the inputs it feeds in (answers, grades, commands) and the
//! effects the machine asks it to carry out (persist, ask, grade, show).

use super::Summary;
use crate::grade::Grade;
use crate::session::{EndReason, EventKind, Purpose};

/// A slash command typed at the prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Move on to the next question.
    Skip,
    /// Show a hint for what is still missing.
    Hint,
    /// Ask the current question again.
    Repeat,
    /// Show the running score.
    Score,
    /// End and save.
    Quit,
    /// List the commands.
    Help,
}

/// What the shell feeds the machine.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Begin the session.
    Start,
    /// A finished answer.
    Answer(String),
    /// A spoken answer: its transcript is graded; the recording and delivery metrics are stored with it.
    Spoken {
        /// The transcript (possibly edited).
        text: String,
        /// Recording, raw transcript and delivery metrics.
        voice: crate::session::SpokenMeta,
    },
    /// The grade for the pending answer, with the session's model spend so far (the machine ends the session when
    /// it reaches the cost limit).
    Graded {
        /// The grade.
        grade: Grade,
        /// Estimated model spend of the session so far in USD, this grade's call included (0 offline).
        spent_usd: f64,
    },
    /// A slash command.
    Command(Command),
    /// The follow-up text the shell composed (None: use the authored rung question).
    FollowUp(Option<String>),
    /// Stop now, with the reason.
    Stop(EndReason),
    /// End of input (Ctrl-D, or the end of a piped script).
    Eof,
}

/// A question being asked.
#[derive(Debug, Clone, PartialEq)]
pub struct Ask {
    /// Turn number.
    pub turn: u32,
    /// Question id.
    pub question: String,
    /// Question title.
    pub title: String,
    /// Position: (question index, number of questions).
    pub position: (usize, usize),
    /// Ladder stage, None for the main question.
    pub stage: Option<String>,
    /// Rung index, None for the main question.
    pub rung: Option<usize>,
    /// The text to ask.
    pub text: String,
    /// Constraints the rung introduces.
    pub constraints: Vec<String>,
    /// Why it is asked: the main question or a rung (`Rung`), or a probe or challenge of the last answer.
    pub purpose: Purpose,
}

/// What the machine asks the shell to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Append this event to the store.
    Persist(EventKind),
    /// Make the store durable (a turn finished).
    Flush,
    /// Ask a question.
    Ask(Ask),
    /// Compose the next follow-up (adaptive, with a model) and feed back `Input::FollowUp`.
    ComposeFollowUp {
        /// Question id.
        question: String,
        /// Rung index (for a probe or challenge: the rung, or 0 on the main question, it follows up on).
        rung: usize,
        /// A rung, or a probe or challenge of the last answer.
        purpose: Purpose,
        /// The criterion (probe) or misconception (challenge) targeted.
        target: Option<String>,
        /// The question asked when no model writes one: the authored rung question, or the offline probe or
        /// challenge text.
        authored: String,
        /// Statements of criteria the candidate has not covered on this question.
        missed: Vec<String>,
        /// The candidate's last answer.
        last_answer: String,
        /// Questions already asked on this question.
        asked: Vec<String>,
    },
    /// Grade this answer and feed back `Input::Graded`.
    Grade {
        /// Question id.
        question: String,
        /// Rung, None for the main question.
        rung: Option<usize>,
        /// The answer.
        answer: String,
    },
    /// Show feedback for a grade.
    Feedback(Grade),
    /// Show the delivery metrics of the spoken answer just graded (after its feedback).
    Delivery(crate::session::Delivery),
    /// A one-line notice.
    Notice(String),
    /// Show a hint.
    Hint(String),
    /// A rung skipped because the candidate already covered it: the stage and the sentences that covered it.
    Skipped {
        /// Ladder stage.
        stage: String,
        /// The candidate's sentences that met the rung's criteria.
        quotes: Vec<String>,
    },
    /// Show the help text.
    Help,
    /// Show the running score.
    Score(Summary),
    /// The session is over.
    End(Summary),
}
