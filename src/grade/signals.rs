//! What the offline grader measures about an answer besides the rubric verdicts, and what it reads into it: an
//! answer off topic, on topic, echoing the question, rejecting the key ideas, or jargon without claims.

/// Content words an answer needs before it can be judged off topic.
const OFF_TOPIC_MIN_CONTENT: usize = 8;
/// Raw points at which an answer is on its own question whatever its vocabulary: it earned half the rubric (the
/// golden set's competent answers to other questions earn at most 35 here, by partial credit on shared words).
const OFF_TOPIC_MAX_RAW: u32 = 50;
/// TF-IDF cosine to its own question a shorter answer needs to count as on topic (short answers the golden and
/// public graders call weak but relevant reach 0.07 and more; two short correct answers in the external set
/// sit at 0.027).
const SHORT_TOPIC_MIN: f64 = 0.015;

/// What the offline grader measured about an answer besides the rubric verdicts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signals {
    /// The protocol's score before calibration: verdict points minus penalties.
    pub raw: u32,
    /// Content words (not function words, not numbers) in the graded text.
    pub content: usize,
    /// Share of words in stretches that make a claim (see [`super::detect::claim_density`]).
    pub claims: f64,
    /// Distinct buzzwords (see [`super::claims::buzzwords`]).
    pub buzz: usize,
    /// Notes in the field's notation: relation marks count as claims (see [`super::claims::notation`]).
    pub notation: bool,
    /// TF-IDF cosine to the own question and to the closest other question.
    pub topic: (f64, f64),
    /// Share of content words from the question's vocabulary.
    pub overlap: f64,
    /// Share of content words from the whole bank's vocabulary (the field, not this question).
    pub domain: f64,
    /// Terms of art of the field among the content words.
    pub technical: usize,
    /// (share of content words that are the prompt's, distinct new content stems).
    pub echo: (f64, usize),
    /// Criteria the answer names only to reject them (matched when negation and denial are ignored).
    pub rejected: usize,
    /// Share of the answer's non-blank characters that are not prose and earn nothing (see [`super::prose::non_prose`]).
    pub non_prose: f64,
}

impl Signals {
    /// An answer mostly about another question: much closer to another question of the bank than to its own, and
    /// earning less than half its own rubric ("inside the function scope and outside it for globals" shares words
    /// with a question on scope, yet meets the criterion on where variables are declared).
    pub fn off_topic(&self) -> bool {
        self.content >= OFF_TOPIC_MIN_CONTENT
            && self.raw < OFF_TOPIC_MAX_RAW
            && (self.domain < 0.3 || (self.topic.1 >= 0.3 && self.topic.0 < 0.6 * self.topic.1))
    }

    /// Sincere and on topic: speaks the field's language (generic but relevant answers do). An answer too short to
    /// judge as off topic must still share some of its own question's text ("Hello, the weather is good and I
    /// like trains" uses the field's everyday words, not the question's).
    pub fn on_topic(&self) -> bool {
        self.technical >= 1
            && self.domain >= 0.4
            && self.overlap > 0.0
            && !self.off_topic()
            && (self.content >= OFF_TOPIC_MIN_CONTENT || self.topic.0 >= SHORT_TOPIC_MIN)
    }

    /// An answer that only echoes the question back: mostly its words, hardly anything new.
    pub fn echoes_question(&self) -> bool {
        self.content >= 10 && self.echo.0 >= 0.6 && self.echo.1 * 8 <= self.content
    }

    /// Names the rubric's ideas mainly to reject them: two criteria named only in negated or denied clauses, or one
    /// with nothing else earned.
    pub fn rejects_key_ideas(&self) -> bool {
        self.rejected >= 2 || (self.rejected >= 1 && self.raw == 0)
    }

    /// Terms without claims: most of the text is comma-separated buzzwords, or buzzword prose (three buzzwords or
    /// more, one in sixteen content words or more).
    pub fn jargon(&self) -> bool {
        self.content >= 15
            && (self.claims < 0.45 || (self.buzz >= 3 && self.buzz * 16 >= self.content))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An answer whose words sit nearer another question (topic 0.39 own, 0.74 other), as measured for "inside the
    /// function scope and outside of the function scope in case of global variables" on a drafted bank.
    fn nearer_another(raw: u32) -> Signals {
        Signals {
            raw,
            content: 9,
            claims: 1.0,
            topic: (0.388, 0.744),
            overlap: 0.667,
            domain: 1.0,
            technical: 8,
            echo: (0.111, 5),
            ..Default::default()
        }
    }

    #[test]
    fn an_answer_that_earns_half_its_rubric_is_never_off_topic() {
        assert!(nearer_another(0).off_topic());
        assert!(nearer_another(35).off_topic());
        assert!(!nearer_another(60).off_topic());
        assert!(nearer_another(60).on_topic());
        assert!(!nearer_another(100).off_topic());
    }
}
