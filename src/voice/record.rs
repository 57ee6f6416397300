//! Where spoken answers come from: a microphone recorder run as a subprocess (push-to-talk: start, then stop with
//! SIGINT so the WAV header is finalised), or a directory of clips used in name order.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Recorder errors: one line each.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// No recorder program.
    #[error("{0}")]
    Unavailable(String),
    /// The recorder failed.
    #[error("recording failed: {0}")]
    Failed(String),
    /// The answer directory is unusable.
    #[error("{0}")]
    Dir(String),
}

/// A recorder command line; the output file is appended (or replaces `{file}`).
#[derive(Debug, Clone, PartialEq)]
pub struct MicRecorder {
    argv: Vec<String>,
}

impl MicRecorder {
    /// `VIVA_RECORDER` (a command line; `{file}` or a trailing argument gets the output path), else arecord,
    /// parecord or sox's rec, recording 16 kHz mono 16-bit WAV.
    pub fn detect() -> Result<MicRecorder, RecordError> {
        if let Some(cmd) = crate::settings::host().var("VIVA_RECORDER") {
            let argv: Vec<String> = cmd.split_whitespace().map(String::from).collect();
            if super::tts::which(&argv[0]).is_none() {
                return Err(RecordError::Unavailable(format!(
                    "the recorder '{}' (VIVA_RECORDER) was not found",
                    argv[0]
                )));
            }
            return Ok(MicRecorder { argv });
        }
        let candidates: &[&[&str]] = &[
            &[
                "arecord", "-q", "-f", "S16_LE", "-r", "16000", "-c", "1", "-t", "wav",
            ],
            &[
                "parecord",
                "--rate=16000",
                "--channels=1",
                "--format=s16le",
                "--file-format=wav",
            ],
            &["rec", "-q", "-r", "16000", "-c", "1", "-b", "16"],
        ];
        candidates
            .iter()
            .find(|c| super::tts::which(c[0]).is_some())
            .map(|c| MicRecorder {
                argv: c.iter().map(|s| s.to_string()).collect(),
            })
            .ok_or_else(|| {
                RecordError::Unavailable(
                    "no audio recorder found (install alsa-utils for arecord or pulseaudio-utils for parecord, or set VIVA_RECORDER)"
                        .into(),
                )
            })
    }

    /// A recorder from an explicit command line.
    pub fn from_argv(argv: Vec<String>) -> MicRecorder {
        MicRecorder { argv }
    }

    /// The program name.
    pub fn program(&self) -> &str {
        &self.argv[0]
    }

    /// Start recording into `out`.
    pub fn start(&self, out: &Path) -> Result<Recording, RecordError> {
        let file = out.to_string_lossy().into_owned();
        let mut args: Vec<String> = self.argv[1..].to_vec();
        if args.iter().any(|a| a.contains("{file}")) {
            args.iter_mut()
                .for_each(|a| *a = a.replace("{file}", &file));
        } else {
            args.push(file);
        }
        let child = Command::new(&self.argv[0])
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| RecordError::Failed(format!("{}: {e}", self.argv[0])))?;
        Ok(Recording {
            child,
            path: out.to_path_buf(),
            started: Instant::now(),
            program: self.argv[0].clone(),
        })
    }
}

/// A recording in progress.
#[derive(Debug)]
pub struct Recording {
    child: Child,
    path: PathBuf,
    started: Instant,
    program: String,
}

fn stderr_of(child: &mut Child) -> String {
    use std::io::Read;
    let mut s = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut s);
    }
    s.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("no message")
        .trim()
        .to_string()
}

impl Recording {
    /// If the recorder already exited (no microphone, no permission), why.
    pub fn failed_early(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(st)) if !st.success() => Some(format!(
                "{} exited ({}): {}",
                self.program,
                st,
                stderr_of(&mut self.child)
            )),
            _ => None,
        }
    }

    /// Stop (SIGINT, so the recorder finalises the file; killed after 3 s) and return the file and how long it ran.
    pub fn stop(mut self) -> Result<(PathBuf, Duration), RecordError> {
        let took = self.started.elapsed();
        if let Ok(None) = self.child.try_wait() {
            #[cfg(unix)]
            unsafe {
                // SAFETY: plain kill(2) on our own child's pid.
                libc::kill(self.child.id() as libc::pid_t, libc::SIGINT);
            }
            let deadline = Instant::now() + Duration::from_secs(3);
            while let Ok(None) = self.child.try_wait() {
                if Instant::now() > deadline {
                    let _ = self.child.kill();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let status = self
            .child
            .wait()
            .map_err(|e| RecordError::Failed(e.to_string()))?;
        let size = std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0);
        if size <= 44 {
            let why = stderr_of(&mut self.child);
            return Err(RecordError::Failed(format!(
                "{} wrote no audio ({status}): {why}",
                self.program
            )));
        }
        Ok((self.path, took))
    }
}

/// One scripted answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Clip {
    /// A WAV recording.
    Audio(PathBuf),
    /// A text file: a typed answer or a /command.
    Text(String),
}

/// Clips from `--answer-dir`, used in name order: `*.wav` are spoken answers, `*.txt` typed answers or commands.
#[derive(Debug)]
pub struct ClipQueue {
    items: VecDeque<PathBuf>,
    /// The directory, resolved: every clip must resolve inside it.
    root: PathBuf,
}

/// Refuse a clip that resolves outside `root` (a symbolic link to `/etc/passwd` must not become an answer).
fn inside(root: &Path, p: &Path) -> Result<PathBuf, RecordError> {
    let real = p
        .canonicalize()
        .map_err(|e| RecordError::Dir(format!("{}: {e}", p.display())))?;
    if !real.starts_with(root) {
        return Err(RecordError::Dir(format!(
            "--answer-dir: {} is a link to {}, outside the directory; refusing it",
            p.display(),
            real.display()
        )));
    }
    Ok(real)
}

impl ClipQueue {
    /// List the directory.
    pub fn from_dir(dir: &Path) -> Result<ClipQueue, RecordError> {
        Self::list(dir).map(|(items, root)| ClipQueue {
            items: items.into(),
            root,
        })
    }

    fn list(dir: &Path) -> Result<(Vec<PathBuf>, PathBuf), RecordError> {
        let rd = std::fs::read_dir(dir).map_err(|e| {
            RecordError::Dir(format!("cannot read --answer-dir {}: {e}", dir.display()))
        })?;
        let mut items: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && p.extension()
                        .map(|x| x.eq_ignore_ascii_case("wav") || x.eq_ignore_ascii_case("txt"))
                        .unwrap_or(false)
            })
            .collect();
        items.sort();
        let root = dir.canonicalize().map_err(|e| {
            RecordError::Dir(format!("cannot read --answer-dir {}: {e}", dir.display()))
        })?;
        for p in &items {
            inside(&root, p)?;
        }
        if !items
            .iter()
            .any(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("wav")))
        {
            return Err(RecordError::Dir(format!(
                "--answer-dir {} holds no .wav clips",
                dir.display()
            )));
        }
        Ok((items, root))
    }

    /// Clips left.
    pub fn remaining(&self) -> usize {
        self.items.len()
    }

    /// The next clip (a text file that cannot be read is skipped with its error as the text's absence).
    pub fn next_clip(&mut self) -> Option<Result<Clip, RecordError>> {
        let p = self.items.pop_front()?;
        // Checked again at use: the link may have changed since the listing.
        let p = match inside(&self.root, &p) {
            Ok(_) => p,
            Err(e) => return Some(Err(e)),
        };
        if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("txt")) {
            return Some(
                std::fs::read_to_string(&p)
                    .map(|t| Clip::Text(t.trim().to_string()))
                    .map_err(|e| RecordError::Dir(format!("{}: {e}", p.display()))),
            );
        }
        Some(Ok(Clip::Audio(p)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::voice::audio::{read_wav, write_wav_i16};

    #[test]
    fn clips_come_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        write_wav_i16(&dir.path().join("02-b.wav"), 16_000, &[1; 1600]).unwrap();
        write_wav_i16(&dir.path().join("01-a.wav"), 16_000, &[1; 1600]).unwrap();
        std::fs::write(dir.path().join("03-skip.txt"), "/skip\n").unwrap();
        std::fs::write(dir.path().join("notes.md"), "ignored").unwrap();
        let mut q = ClipQueue::from_dir(dir.path()).unwrap();
        assert_eq!(q.remaining(), 3);
        assert_eq!(
            q.next_clip().unwrap().unwrap(),
            Clip::Audio(dir.path().join("01-a.wav"))
        );
        assert_eq!(
            q.next_clip().unwrap().unwrap(),
            Clip::Audio(dir.path().join("02-b.wav"))
        );
        assert_eq!(q.next_clip().unwrap().unwrap(), Clip::Text("/skip".into()));
        assert!(q.next_clip().is_none());
        let empty = tempfile::tempdir().unwrap();
        let e = ClipQueue::from_dir(empty.path()).unwrap_err().to_string();
        assert!(e.contains("holds no .wav clips"), "{e}");
    }

    /// The push-to-talk recorder with a file source standing in for the microphone: a script that writes a
    /// clip, waits for SIGINT like arecord, and exits.
    #[test]
    fn push_to_talk_recorder_stops_on_sigint() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("source.wav");
        write_wav_i16(&source, 16_000, &[100; 8000]).unwrap();
        let script = dir.path().join("fake-arecord");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\ntrap 'exit 0' INT\ncat '{}' > \"$1\"\nwhile :; do sleep 0.05; done\n",
                source.display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let rec = MicRecorder::from_argv(vec![script.to_string_lossy().into_owned()]);
        let out = dir.path().join("answer.wav");
        let mut r = rec.start(&out).unwrap();
        std::thread::sleep(Duration::from_millis(300));
        assert!(r.failed_early().is_none());
        let (path, took) = r.stop().unwrap();
        assert_eq!(path, out);
        assert!(took >= Duration::from_millis(300));
        assert_eq!(read_wav(&out).unwrap().samples.len(), 8000);
    }

    #[test]
    fn a_recorder_that_fails_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let rec = MicRecorder::from_argv(vec![
            "sh".into(),
            "-c".into(),
            "echo 'arecord: main:831: audio open error: No such file or directory' >&2; exit 1"
                .into(),
        ]);
        let mut r = rec.start(&dir.path().join("a.wav")).unwrap();
        std::thread::sleep(Duration::from_millis(200));
        let why = r.failed_early().expect("it failed");
        assert!(why.contains("audio open error"), "{why}");
    }
}
