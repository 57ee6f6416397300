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
pub mod review;
pub mod runaway;
pub mod shell;
pub mod stt;
pub mod tts;
pub mod view;
pub mod wer;

pub use crate::session::spoken::{Delivery, SpokenMeta};

#[cfg(test)]
mod tests {
    use crate::store::{Event, EventKind};

    #[test]
    fn old_answer_events_still_parse_and_new_ones_round_trip() {
        let old = r#"{"v":1,"session":7,"seq":2,"at":"2026-01-01T00:00:00Z","type":"AnswerGiven","turn":0,"text":"hi"}"#;
        let e: Event = serde_json::from_str(old).unwrap();
        assert!(matches!(e.kind, EventKind::AnswerGiven { voice: None, .. }));
        // A typed answer serialises without a voice field, as before.
        assert!(!serde_json::to_string(&e).unwrap().contains("voice"));
        let pcm = super::audio::Pcm {
            rate: 8_000,
            samples: vec![0.1; 8_000 * 3],
        };
        let mut spoken = e.clone();
        spoken.kind = EventKind::AnswerGiven {
            turn: 0,
            text: "hi".into(),
            voice: Some(super::SpokenMeta {
                audio: "audio/a.wav".into(),
                transcript: "um hi".into(),
                delivery: super::Delivery::measure("um hi", &pcm),
            }),
        };
        let s = serde_json::to_string(&spoken).unwrap();
        assert!(s.contains("\"audio\":\"audio/a.wav\""));
        assert_eq!(serde_json::from_str::<Event>(&s).unwrap(), spoken);
    }
}
