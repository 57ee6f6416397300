//! Delivery metrics for a spoken answer (pure): pace, fillers, hedges and long pauses, with the bands they are
//! judged against.
//!
//! Pauses come from the audio: RMS energy over 20 ms frames against a threshold set from the clip's own levels
//! (26 dB below the loud frames, at least three times the noise floor, never below -50 dBFS). Only silences between
//! the first and the last voiced frame count; pace is measured over that span too, so a slow start after pressing
//! Enter does not lower the words per minute.

use super::audio::Pcm;
use super::lexicon::{self, Count};
use serde::{Deserialize, Serialize};

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

/// Pauses at least this long count.
pub const LONG_PAUSE_S: f64 = 2.0;
const FRAME_MS: u32 = 20;
/// Voiced runs shorter than this many frames inside silence are clicks, not speech.
const MIN_VOICED_FRAMES: usize = 3;

/// Where speech is in a clip.
#[derive(Debug, Clone, PartialEq)]
pub struct Voicing {
    /// First voiced moment, seconds (None: no speech at all).
    pub span: Option<(f64, f64)>,
    /// Silences of at least the threshold between first and last voiced frame.
    pub pauses: Vec<Pause>,
}

fn percentile(sorted: &[f32], p: f64) -> f32 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Find speech and the long pauses in it.
pub fn voicing(pcm: &Pcm, long_pause_s: f64) -> Voicing {
    let frame = ((pcm.rate as usize * FRAME_MS as usize) / 1000).max(1);
    let rms: Vec<f32> = pcm
        .samples
        .chunks(frame)
        .map(|c| (c.iter().map(|s| s * s).sum::<f32>() / c.len() as f32).sqrt())
        .collect();
    let mut sorted = rms.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let loud = percentile(&sorted, 0.95);
    let floor = percentile(&sorted, 0.10);
    // Never below -60 dBFS, so a silent clip with a faint hiss has no speech.
    let threshold = (loud * 0.05)
        .max(floor * 3.0)
        .max(0.003)
        .min(loud * 0.5)
        .max(0.001);
    let mut voiced: Vec<bool> = rms.iter().map(|r| *r > threshold && *r > 0.0).collect();
    // Short voiced blips are clicks.
    let mut i = 0;
    while i < voiced.len() {
        if voiced[i] {
            let start = i;
            while i < voiced.len() && voiced[i] {
                i += 1;
            }
            if i - start < MIN_VOICED_FRAMES {
                voiced[start..i].iter_mut().for_each(|v| *v = false);
            }
        } else {
            i += 1;
        }
    }
    let secs = |f: usize| f as f64 * frame as f64 / pcm.rate.max(1) as f64;
    let (Some(first), Some(last)) = (
        voiced.iter().position(|v| *v),
        voiced.iter().rposition(|v| *v),
    ) else {
        return Voicing {
            span: None,
            pauses: Vec::new(),
        };
    };
    let mut pauses = Vec::new();
    let mut i = first;
    while i <= last {
        if voiced[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i <= last && !voiced[i] {
            i += 1;
        }
        let len = secs(i - start);
        if len >= long_pause_s {
            pauses.push(Pause {
                at_s: round2(secs(start)),
                len_s: round2(len),
            });
        }
    }
    Voicing {
        span: Some((secs(first), secs(last + 1).min(pcm.duration_s()))),
        pauses,
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn per_min(n: u32, secs: f64) -> f64 {
    if secs < 1.0 {
        0.0
    } else {
        round2(n as f64 * 60.0 / secs)
    }
}

impl Delivery {
    /// Metrics for a transcript and its recording.
    pub fn measure(transcript: &str, pcm: &Pcm) -> Delivery {
        let v = voicing(pcm, LONG_PAUSE_S);
        let duration = pcm.duration_s();
        let speech = v.span.map(|(a, b)| b - a).unwrap_or(0.0);
        let words = lexicon::word_count(transcript);
        let fillers = lexicon::fillers(transcript);
        let hedges = lexicon::hedges(transcript);
        Delivery {
            duration_s: round2(duration),
            speech_s: round2(speech),
            words,
            wpm: per_min(words, speech),
            fillers_per_min: per_min(lexicon::total(&fillers), speech),
            hedges_per_min: per_min(lexicon::total(&hedges), speech),
            fillers,
            hedges,
            pauses: v.pauses,
            pause_threshold_s: LONG_PAUSE_S,
        }
    }

    /// Total filler words.
    pub fn filler_count(&self) -> u32 {
        lexicon::total(&self.fillers)
    }

    /// Total hedging phrases.
    pub fn hedge_count(&self) -> u32 {
        lexicon::total(&self.hedges)
    }
}

/// How a metric compares with its comfortable band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Band {
    /// Within the comfortable band.
    Good,
    /// Worth watching.
    Watch,
    /// Likely to distract an interviewer.
    Poor,
}

/// One metric judged against its band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// "pace", "fillers", "pauses" or "hedging".
    pub metric: String,
    /// The band.
    pub band: Band,
    /// The value, as shown ("142 wpm").
    pub value: String,
    /// What it means.
    pub advice: String,
}

/// Comfortable pace, words per minute.
pub const PACE_BAND: (f64, f64) = (120.0, 170.0);
/// Filler words per minute that pass unnoticed.
pub const FILLERS_OK_PER_MIN: f64 = 3.0;

fn note(metric: &str, band: Band, value: String, advice: &str) -> Note {
    Note {
        metric: metric.into(),
        band,
        value,
        advice: advice.into(),
    }
}

/// Judge each metric against its band.
pub fn assess(d: &Delivery) -> Vec<Note> {
    let mut out = Vec::new();
    let short = d.speech_s < 5.0 || d.words < 10;
    let pace = format!("{:.0} wpm", d.wpm);
    out.push(if short {
        note("pace", Band::Good, pace, "too short to judge the pace")
    } else if d.wpm < 100.0 {
        note("pace", Band::Poor, pace, "slow; aim for 120-170 wpm")
    } else if d.wpm < PACE_BAND.0 {
        note(
            "pace",
            Band::Watch,
            pace,
            "a little slow; 120-170 wpm is comfortable",
        )
    } else if d.wpm <= PACE_BAND.1 {
        note("pace", Band::Good, pace, "comfortable (120-170 wpm)")
    } else if d.wpm <= 190.0 {
        note(
            "pace",
            Band::Watch,
            pace,
            "a little fast; 120-170 wpm is comfortable",
        )
    } else {
        note(
            "pace",
            Band::Poor,
            pace,
            "fast; slow down and pause between points",
        )
    });
    let n = d.filler_count();
    let fv = format!("{} ({:.1}/min)", n, d.fillers_per_min);
    out.push(if n <= 2 || d.fillers_per_min <= FILLERS_OK_PER_MIN {
        note(
            "fillers",
            Band::Good,
            fv,
            "normal; a few a minute go unnoticed",
        )
    } else if d.fillers_per_min <= 6.0 {
        note(
            "fillers",
            Band::Watch,
            fv,
            "noticeable; a silent pause reads better than a filler",
        )
    } else {
        note(
            "fillers",
            Band::Poor,
            fv,
            "distracting; pause silently instead of filling the gap",
        )
    });
    let p = d.pauses.len();
    let pv = format!("{p} over {:.0} s", d.pause_threshold_s);
    out.push(match p {
        0 => note("pauses", Band::Good, pv, "fluent"),
        1 => note("pauses", Band::Good, pv, "one thinking pause is fine"),
        2 | 3 => note(
            "pauses",
            Band::Watch,
            pv,
            "several long pauses; say what you are weighing while you think",
        ),
        _ => note(
            "pauses",
            Band::Poor,
            pv,
            "many long pauses; outline the answer first, then fill it in",
        ),
    });
    let h = d.hedge_count();
    let hv = format!("{} ({:.1}/min)", h, d.hedges_per_min);
    out.push(if h <= 1 || d.hedges_per_min <= 2.0 {
        note("hedging", Band::Good, hv, "confident")
    } else if d.hedges_per_min <= 4.0 {
        note(
            "hedging",
            Band::Watch,
            hv,
            "some hedging; state the claim, then its condition",
        )
    } else {
        note(
            "hedging",
            Band::Poor,
            hv,
            "heavy hedging; state claims plainly and name what you are unsure of once",
        )
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: u32 = 16_000;

    /// Speech-like tone segments and silences with a faint noise floor: `(seconds, voiced)`.
    fn synth(parts: &[(f64, bool)]) -> Pcm {
        let mut samples = Vec::new();
        let mut seed = 12345u32;
        for &(secs, voiced) in parts {
            let n = (secs * RATE as f64) as usize;
            for i in 0..n {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let noise = ((seed >> 16) as f32 / 32_768.0 - 1.0) * 0.0005;
                let t = i as f32 / RATE as f32;
                let tone = if voiced {
                    // A 180 Hz voice with a 4 Hz syllable envelope that never drops to silence.
                    let env = 0.6 + 0.4 * (2.0 * std::f32::consts::PI * 4.0 * t).sin().abs();
                    0.3 * env * (2.0 * std::f32::consts::PI * 180.0 * t).sin()
                } else {
                    0.0
                };
                samples.push(tone + noise);
            }
        }
        // Through 16-bit PCM, as a recording would be.
        let pcm16: Vec<i16> = samples.iter().map(|s| (s * 32_767.0) as i16).collect();
        Pcm {
            rate: RATE,
            samples: pcm16.iter().map(|&s| s as f32 / 32_768.0).collect(),
        }
    }

    #[test]
    fn known_silences_are_found() {
        let pcm = synth(&[
            (0.8, false),
            (3.0, true),
            (2.5, false),
            (2.0, true),
            (1.2, false),
            (1.5, true),
            (3.4, false),
            (1.0, true),
            (1.5, false),
        ]);
        let v = voicing(&pcm, LONG_PAUSE_S);
        let (a, b) = v.span.unwrap();
        assert!((a - 0.8).abs() < 0.05, "speech starts at {a}");
        assert!((b - 15.4).abs() < 0.05, "speech ends at {b}");
        assert_eq!(v.pauses.len(), 2, "{:?}", v.pauses);
        assert!((v.pauses[0].at_s - 3.8).abs() < 0.05 && (v.pauses[0].len_s - 2.5).abs() < 0.05);
        assert!((v.pauses[1].at_s - 11.0).abs() < 0.05 && (v.pauses[1].len_s - 3.4).abs() < 0.05);
    }

    #[test]
    fn clicks_do_not_split_a_pause_and_silence_has_no_speech() {
        let mut pcm = synth(&[(1.0, true), (3.0, false), (1.0, true)]);
        // A 20 ms click in the middle of the silence.
        let mid = (2.5 * RATE as f64) as usize;
        for s in &mut pcm.samples[mid..mid + 320] {
            *s = 0.5;
        }
        let v = voicing(&pcm, LONG_PAUSE_S);
        assert_eq!(v.pauses.len(), 1, "{:?}", v.pauses);
        assert!((v.pauses[0].len_s - 3.0).abs() < 0.05);
        assert_eq!(voicing(&synth(&[(2.0, false)]), 2.0).span, None);
        let empty = Pcm {
            rate: RATE,
            samples: vec![],
        };
        assert_eq!(voicing(&empty, 2.0).span, None);
    }

    #[test]
    fn measure_combines_text_and_audio() {
        // 30 s of speech with one 2.5 s pause inside.
        let pcm = synth(&[
            (1.0, false),
            (15.0, true),
            (2.5, false),
            (12.5, true),
            (0.5, false),
        ]);
        let words = "anchors ".repeat(60);
        let text = format!("Um, {words} uh, I think, like, you know, maybe");
        let d = Delivery::measure(&text, &pcm);
        assert!((d.duration_s - 31.5).abs() < 0.01);
        assert!((d.speech_s - 30.0).abs() < 0.05);
        assert_eq!(d.words, 68);
        assert!((d.wpm - 136.0).abs() < 0.5, "{}", d.wpm);
        assert_eq!(d.filler_count(), 4);
        assert!((d.fillers_per_min - 8.0).abs() < 0.05);
        assert_eq!(d.hedge_count(), 2);
        assert_eq!(d.pauses.len(), 1);
        let notes = assess(&d);
        let band = |m: &str| notes.iter().find(|n| n.metric == m).unwrap().band;
        assert_eq!(band("pace"), Band::Good);
        assert_eq!(band("fillers"), Band::Poor);
        assert_eq!(band("pauses"), Band::Good);
        assert_eq!(band("hedging"), Band::Watch, "two hedges in 30 s");
    }

    #[test]
    fn bands_follow_the_numbers() {
        let base = Delivery {
            duration_s: 60.0,
            speech_s: 60.0,
            words: 200,
            wpm: 200.0,
            fillers: vec![Count {
                phrase: "um".into(),
                n: 5,
            }],
            fillers_per_min: 5.0,
            hedges: vec![Count {
                phrase: "maybe".into(),
                n: 6,
            }],
            hedges_per_min: 6.0,
            pauses: vec![
                Pause {
                    at_s: 1.0,
                    len_s: 2.5
                };
                3
            ],
            pause_threshold_s: 2.0,
        };
        let bands: Vec<Band> = assess(&base).iter().map(|n| n.band).collect();
        assert_eq!(
            bands,
            vec![Band::Poor, Band::Watch, Band::Watch, Band::Poor]
        );
        let slow = Delivery {
            wpm: 110.0,
            ..base.clone()
        };
        assert_eq!(assess(&slow)[0].band, Band::Watch);
        let short = Delivery {
            speech_s: 3.0,
            wpm: 300.0,
            ..base
        };
        assert_eq!(assess(&short)[0].band, Band::Good);
    }
}
