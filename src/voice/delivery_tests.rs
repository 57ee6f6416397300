//! Delivery metrics on synthetic audio with known silences, and the bands.
use super::*;
use crate::session::spoken::Count;

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
