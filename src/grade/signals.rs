//! What the offline grader measures about an answer besides the rubric verdicts, and what it reads into it: an
//! answer off topic, on topic, echoing the question, rejecting the key ideas, or jargon without claims.

/// Content words an answer needs before it can be judged off topic.
const OFF_TOPIC_MIN_CONTENT: usize = 8;
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
    /// An answer mostly about another question: much closer to another question of the bank than to its own.
    pub fn off_topic(&self) -> bool {
        self.content >= OFF_TOPIC_MIN_CONTENT
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
