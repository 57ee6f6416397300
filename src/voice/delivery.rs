//! Delivery metrics for a spoken answer (pure): pace, fillers, hedges and long pauses, with the bands they are
//! judged against.
//!
//! Pauses come from the audio: RMS energy over 20 ms frames against a threshold set from the clip's own levels
//! (26 dB below the loud frames, at least three times the noise floor, never below -50 dBFS). Only silences between
//! the first and the last voiced frame count; pace is measured over that span too, so a slow start after pressing
//! Enter does not lower the words per minute.

use super::audio::Pcm;
use super::lexicon;
pub use crate::session::spoken::{Delivery, Pause};
use serde::{Deserialize, Serialize};

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
    vec![pace(d), fillers(d), pauses(d), hedging(d)]
}

/// Words per minute against the comfortable 120-170.
fn pace(d: &Delivery) -> Note {
    let short = d.speech_s < 5.0 || d.words < 10;
    let pace = format!("{:.0} wpm", d.wpm);
    if short {
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
    }
}

/// Fillers per minute.
fn fillers(d: &Delivery) -> Note {
    let n = d.filler_count();
    let fv = format!("{} ({:.1}/min)", n, d.fillers_per_min);
    if n <= 2 || d.fillers_per_min <= FILLERS_OK_PER_MIN {
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
    }
}

/// Long pauses.
fn pauses(d: &Delivery) -> Note {
    let p = d.pauses.len();
    let pv = format!("{p} over {:.0} s", d.pause_threshold_s);
    match p {
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
    }
}

/// Hedges per minute.
fn hedging(d: &Delivery) -> Note {
    let h = d.hedge_count();
    let hv = format!("{} ({:.1}/min)", h, d.hedges_per_min);
    if h <= 1 || d.hedges_per_min <= 2.0 {
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
    }
}

#[cfg(test)]
#[path = "delivery_tests.rs"]
mod tests;
