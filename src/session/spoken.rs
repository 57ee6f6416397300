//! What is kept of a spoken answer: the recording's place, the transcript and the delivery metrics. The voice
//! adapters produce these (`crate::voice::delivery` measures them); the session log only carries them.

use serde::{Deserialize, Serialize};

/// What is kept with a spoken answer in the store (the `voice` field of `AnswerGiven`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpokenMeta {
    /// The recording, relative to the store directory (`audio/….wav`).
    pub audio: String,
    /// The transcript as recognised; the graded answer text may be an edited copy.
    pub transcript: String,
    /// Delivery metrics.
    pub delivery: Delivery,
}

/// A pause longer than the threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pause {
    /// Where it starts, seconds from the start of the clip.
    pub at_s: f64,
    /// How long it lasts, seconds.
    pub len_s: f64,
}

/// Delivery metrics of one spoken answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// Length of the recording, seconds.
    pub duration_s: f64,
    /// From the first to the last voiced frame, seconds.
    pub speech_s: f64,
    /// Words in the transcript.
    pub words: u32,
    /// Words per minute of speech.
    pub wpm: f64,
    /// Filler words found, most frequent first.
    pub fillers: Vec<Count>,
    /// Filler words per minute of speech.
    pub fillers_per_min: f64,
    /// Hedging phrases found, most frequent first.
    pub hedges: Vec<Count>,
    /// Hedging phrases per minute of speech.
    pub hedges_per_min: f64,
    /// Pauses of at least `pause_threshold_s`.
    pub pauses: Vec<Pause>,
    /// The pause threshold used, seconds.
    pub pause_threshold_s: f64,
}

/// How often one phrase occurred.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// The phrase, lower case ("um", "you know").
    pub phrase: String,
    /// Occurrences.
    pub n: u32,
}
