//! WAV files in and out (hound): mono samples in [-1, 1] for analysis, 16-bit PCM for writing.

use std::path::Path;

/// Audio file errors.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// The file cannot be opened or is not a WAV file hound understands.
    #[error("{path}: not a readable WAV file ({msg})")]
    Read {
        /// The file.
        path: String,
        /// What hound said.
        msg: String,
    },
    /// The file cannot be written.
    #[error("{path}: cannot write WAV ({msg})")]
    Write {
        /// The file.
        path: String,
        /// What went wrong.
        msg: String,
    },
}

/// Mono audio: samples in [-1, 1] at `rate` Hz.
#[derive(Debug, Clone, PartialEq)]
pub struct Pcm {
    /// Samples per second.
    pub rate: u32,
    /// Mono samples (channels averaged).
    pub samples: Vec<f32>,
}

impl Pcm {
    /// Length in seconds.
    pub fn duration_s(&self) -> f64 {
        if self.rate == 0 {
            0.0
        } else {
            self.samples.len() as f64 / self.rate as f64
        }
    }
}

/// Read a WAV file (16-bit PCM expected; other integer widths and 32-bit float are accepted too), mixing channels
/// down to mono.
pub fn read_wav(path: &Path) -> Result<Pcm, AudioError> {
    let err = |msg: String| AudioError::Read {
        path: path.display().to_string(),
        msg,
    };
    let mut r = hound::WavReader::open(path).map_err(|e| err(e.to_string()))?;
    let spec = r.spec();
    let ch = spec.channels.max(1) as usize;
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Int => {
            let scale = (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
            r.samples::<i32>()
                .map(|s| s.map(|v| v as f32 / scale))
                .collect::<Result<_, _>>()
        }
        hound::SampleFormat::Float => r.samples::<f32>().collect::<Result<_, _>>(),
    }
    .map_err(|e| err(e.to_string()))?;
    let samples = if ch == 1 {
        interleaved
    } else {
        interleaved
            .chunks(ch)
            .map(|f| f.iter().sum::<f32>() / f.len() as f32)
            .collect()
    };
    Ok(Pcm {
        rate: spec.sample_rate,
        samples,
    })
}

/// Write mono 16-bit PCM.
pub fn write_wav_i16(path: &Path, rate: u32, samples: &[i16]) -> Result<(), AudioError> {
    let err = |msg: String| AudioError::Write {
        path: path.display().to_string(),
        msg,
    };
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).map_err(|e| err(e.to_string()))?;
    for &s in samples {
        w.write_sample(s).map_err(|e| err(e.to_string()))?;
    }
    w.finalize().map_err(|e| err(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_stereo_mixdown() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.wav");
        write_wav_i16(&p, 16_000, &[0, 16_384, -16_384, 32_767]).unwrap();
        let pcm = read_wav(&p).unwrap();
        assert_eq!(pcm.rate, 16_000);
        assert_eq!(pcm.samples.len(), 4);
        assert!((pcm.samples[1] - 0.5).abs() < 1e-4);
        assert!((pcm.duration_s() - 4.0 / 16_000.0).abs() < 1e-9);

        let s = dir.path().join("s.wav");
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 8_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&s, spec).unwrap();
        for v in [16_384i16, 0, -16_384, -16_384] {
            w.write_sample(v).unwrap();
        }
        w.finalize().unwrap();
        let pcm = read_wav(&s).unwrap();
        assert_eq!(pcm.samples.len(), 2);
        assert!((pcm.samples[0] - 0.25).abs() < 1e-4);
        assert!((pcm.samples[1] + 0.5).abs() < 1e-4);
    }

    #[test]
    fn not_a_wav_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.wav");
        std::fs::write(&p, "hello").unwrap();
        let e = read_wav(&p).unwrap_err().to_string();
        assert!(e.contains("not a readable WAV file"), "{e}");
    }
}
