//! The grade flags: what each means, the cap it puts on a score, and what the candidate is told. Grades store a
//! flag by its name (`Grade::flags`, strings, so a model's own opinions such as `model_says_off_topic` fit beside
//! them); this is the one place that knows the names.

use super::offline::{
    COPIED_CAP, INJECTION_SCORE, NON_PROSE_CAP, NO_NUMBERS_CAP, OFF_TOPIC_CAP, STUFFING_CAP,
};

/// A flag the graders raise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// No answer at all.
    Empty,
    /// The answer tries to instruct the grader.
    InjectionAttempt,
    /// A list of terms without claims.
    KeywordStuffing,
    /// About something else.
    OffTopic,
    /// Mostly encoded text, symbols, codes or ids.
    NonProse,
    /// Mostly the question given back.
    CopiedQuestion,
    /// A rung that asks for numbers answered without any.
    NoNumbers,
}

impl Flag {
    /// Every flag.
    pub const ALL: [Flag; 7] = [
        Flag::Empty,
        Flag::InjectionAttempt,
        Flag::KeywordStuffing,
        Flag::OffTopic,
        Flag::NonProse,
        Flag::CopiedQuestion,
        Flag::NoNumbers,
    ];

    /// The name stored in a grade.
    pub fn name(self) -> &'static str {
        match self {
            Flag::Empty => "empty",
            Flag::InjectionAttempt => "injection_attempt",
            Flag::KeywordStuffing => "keyword_stuffing",
            Flag::OffTopic => "off_topic",
            Flag::NonProse => "non_prose",
            Flag::CopiedQuestion => "copied_question",
            Flag::NoNumbers => "no_numbers",
        }
    }

    /// The flag a stored name stands for (None: a model's opinion or another note).
    pub fn parse(name: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The cap every grader applies to a score carrying this flag. A copied question caps only the offline grade
    /// whose answer echoes it, and an injection sets the score rather than capping it; neither is here.
    pub fn cap(self) -> Option<u32> {
        match self {
            Flag::KeywordStuffing => Some(STUFFING_CAP),
            Flag::OffTopic => Some(OFF_TOPIC_CAP),
            Flag::NonProse => Some(NON_PROSE_CAP),
            Flag::NoNumbers => Some(NO_NUMBERS_CAP),
            Flag::Empty | Flag::InjectionAttempt | Flag::CopiedQuestion => None,
        }
    }

    /// Whether the flag marks an attempt to game the grade, or no real answer: the interviewer does not probe it.
    pub fn is_gaming(self) -> bool {
        self != Flag::NoNumbers
    }

    /// What the candidate is told.
    pub fn message(self) -> String {
        match self {
            Flag::Empty => "No answer given.".into(),
            Flag::InjectionAttempt => {
                format!("The answer tries to instruct the grader; it scores {INJECTION_SCORE}.")
            }
            Flag::KeywordStuffing => format!(
                "The answer reads as a list of terms or buzzwords: I could not tell what it claims about them; capped at {STUFFING_CAP}. Say how the terms relate (what causes what, what you would do and why)."
            ),
            Flag::OffTopic => {
                format!("The answer is mostly about something else; capped at {OFF_TOPIC_CAP}.")
            }
            Flag::NonProse => format!(
                "Most of the answer is not prose (encoded text, symbols, codes or ids); that part earns nothing; capped at {NON_PROSE_CAP}."
            ),
            Flag::CopiedQuestion => {
                let _ = COPIED_CAP; // the cap applies only when the whole answer is the question
                "Most of the answer repeats the question; that part earns nothing.".into()
            }
            Flag::NoNumbers => format!(
                "This follow-up asks for numbers and the answer has none; capped at {NO_NUMBERS_CAP}. Work the budget with the figures given."
            ),
        }
    }
}

impl From<Flag> for String {
    fn from(f: Flag) -> String {
        f.name().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_messages_state_the_caps() {
        for f in Flag::ALL {
            assert_eq!(Flag::parse(f.name()), Some(f));
            if let Some(cap) = f.cap() {
                assert!(f.message().contains(&format!("capped at {cap}")), "{f:?}");
            }
        }
        assert_eq!(Flag::parse("model_says_off_topic"), None);
    }
}
