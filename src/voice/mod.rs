//! Spoken interviews: questions read aloud, answers recorded and transcribed, delivery measured.
//!
//! Pure parts: [`delivery`] (pace, fillers, hedges, pauses and their bands), [`lexicon`] (filler and hedge
//! detection), [`wer`] (word error rate). Adapters: [`audio`] (WAV via hound), [`stt`] (an OpenAI-compatible
//! transcription endpoint), [`tts`] (espeak-ng, piper or an endpoint), [`record`] (push-to-talk recorder or a clip
//! directory). The shell, [`shell::VoiceSource`], plugs into the interview REPL as an answer source.

pub mod audio;
pub mod delivery;
pub mod lexicon;
pub mod record;
pub mod shell;
pub mod stt;
pub mod tts;
pub mod view;
pub mod wer;

pub use delivery::Delivery;
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
