//! The voice shell: an answer source for the interview REPL. It reads each question aloud, takes a spoken answer
//! (push-to-talk on a terminal, or the next clip of `--answer-dir`), keeps the recording in the store's `audio/`
//! folder, transcribes it, lets the candidate accept or correct the transcript, and measures delivery.
//! Whatever is missing (TTS, recorder, STT endpoint) costs one message and a fall-back to typed answers.

use super::audio::{self, Pcm};
use super::delivery::Delivery;
use super::record::{Clip, ClipQueue, MicRecorder};
use super::review::{self, Verdict};
use super::stt::{self, SttConfig, SttError};
use super::tts::{Speaker, TtsChoice};
use super::SpokenMeta;
use crate::input::{
    assemble, Assembler, BlockSource, Fed, Line, LineReader, Read, Source, TtySource,
};
use crate::interview::Ask;
use crate::output::{outln, wrap, Style};
use anyhow::{Context, Result};
use rustyline::error::ReadlineError;
use std::path::{Path, PathBuf};

/// How the voice shell is set up.
#[derive(Debug, Clone)]
pub struct Options {
    /// Text-to-speech engine.
    pub tts: TtsChoice,
    /// Scripted answers: a directory of clips.
    pub answer_dir: Option<PathBuf>,
    /// The store directory (recordings go to its `audio/` folder).
    pub store_dir: PathBuf,
    /// Standard input is a terminal.
    pub interactive: bool,
}

/// Speaks questions, takes spoken answers; typed answers when voice is unavailable.
pub struct VoiceSource {
    speaker: Option<Speaker>,
    clips: Option<ClipQueue>,
    mic: Option<MicRecorder>,
    stt: Option<SttConfig>,
    typed: Box<dyn Source>,
    editor: Option<rustyline::DefaultEditor>,
    audio_dir: PathBuf,
    ask: Option<(u32, String)>,
    asked_text: Option<String>,
    style: Style,
    width: usize,
}

impl VoiceSource {
    /// Set up TTS, the answer source and STT, printing one line for each thing that is missing.
    pub fn new(opts: Options, style: Style) -> Result<VoiceSource> {
        let warn = |m: String| outln(&style.warn(&m));
        let speaker = match Speaker::new(opts.tts) {
            Ok(s) => s,
            Err(e) => {
                warn(format!("{e}; questions are shown as text only."));
                None
            }
        };
        let clips = match &opts.answer_dir {
            Some(d) => Some(ClipQueue::from_dir(d)?),
            None => None,
        };
        let stt = match SttConfig::from_env() {
            None => {
                warn(format!("{}; answers are typed.", SttError::NotConfigured));
                None
            }
            Some(c) => match c.reachable() {
                Ok(()) => Some(c),
                Err(e) => {
                    warn(format!("{e}; answers are typed."));
                    None
                }
            },
        };
        let mut mic = None;
        if stt.is_some() && clips.is_none() {
            if !opts.interactive {
                warn("Spoken answers need a terminal for push-to-talk, or --answer-dir; answers are read as text from standard input.".into());
            } else {
                match MicRecorder::detect() {
                    Ok(m) => mic = Some(m),
                    Err(e) => warn(format!("{e}; answers are typed.")),
                }
            }
        }
        let typed: Box<dyn Source> = if opts.interactive {
            Box::new(TtySource::new(style)?)
        } else {
            Box::new(BlockSource::new(std::io::stdin().lock()))
        };
        let editor = if opts.interactive {
            Some(rustyline::DefaultEditor::new().context("starting the line editor")?)
        } else {
            None
        };
        let me = VoiceSource {
            speaker,
            clips,
            mic,
            stt,
            typed,
            editor,
            audio_dir: opts.store_dir.join("audio"),
            ask: None,
            asked_text: None,
            style,
            width: crate::output::width(),
        };
        outln(&style.dim(&me.describe()));
        Ok(me)
    }

    fn describe(&self) -> String {
        let q = match &self.speaker {
            Some(s) => format!("questions spoken with {}", s.describe()),
            None => "questions shown as text".into(),
        };
        let a = match (&self.stt, &self.clips, &self.mic) {
            (Some(s), Some(c), _) => format!(
                "answers from {} clip file(s), transcribed by {} ({})",
                c.remaining(),
                s.base_url,
                s.model
            ),
            (Some(s), None, Some(m)) => format!(
                "answers recorded with {} (push-to-talk), transcribed by {} ({})",
                m.program(),
                s.base_url,
                s.model
            ),
            _ => "answers typed".into(),
        };
        format!("voice · {q} · {a}")
    }

    fn warn(&self, m: &str) {
        outln(&self.style.warn(m));
    }

    fn editor(&mut self) -> &mut rustyline::DefaultEditor {
        self.editor.as_mut().expect("an editor in interactive mode")
    }

    /// Copy a recording into the store's audio folder; returns (path relative to the store, absolute path).
    fn keep(&self, src: &Path) -> Result<(String, PathBuf)> {
        std::fs::create_dir_all(&self.audio_dir)
            .with_context(|| format!("creating {}", self.audio_dir.display()))?;
        let (turn, q) = self.ask.clone().unwrap_or((0, "answer".into()));
        let stem = format!("{}-{q}-t{turn}", chrono::Utc::now().format("%Y%m%dT%H%M%S"));
        let mut name = format!("{stem}.wav");
        let mut k = 2;
        while self.audio_dir.join(&name).exists() {
            name = format!("{stem}-{k}.wav");
            k += 1;
        }
        let dst = self.audio_dir.join(&name);
        std::fs::copy(src, &dst)
            .with_context(|| format!("keeping the recording in {}", dst.display()))?;
        Ok((format!("audio/{name}"), dst))
    }

    /// Transcribe a clip, show it, let the candidate accept or correct it. `None`: nothing to grade, read again.
    fn spoken(&mut self, path: &Path) -> Result<Option<Read>> {
        let pcm: Pcm = match audio::read_wav(path) {
            Ok(p) => p,
            Err(e) => {
                self.warn(&format!("{e}; skipping it."));
                return Ok(None);
            }
        };
        if pcm.duration_s() < 0.3 {
            self.warn("That recording is too short; try again.");
            return Ok(None);
        }
        let (rel, abs) = self.keep(path)?;
        let Some(cfg) = self.stt.clone() else {
            return self.typed.read().map(Some);
        };
        let context = self.asked_text.clone();
        let (raw, took) = match stt::transcribe_blocking(&cfg, &abs, context.as_deref()) {
            Ok(x) => x,
            Err(SttError::Cancelled) => {
                let _ = std::fs::remove_file(&abs);
                self.warn("Transcription cancelled; answer again.");
                return Ok(None);
            }
            Err(e) => {
                self.warn(&format!(
                    "{e}; answers are typed from now on (the recording is kept in {rel}). Type this answer, end it with an empty line."
                ));
                self.stt = None;
                return self.typed.read().map(Some);
            }
        };
        if raw.trim().is_empty() {
            let _ = std::fs::remove_file(&abs);
            self.warn("Nothing was recognised in that recording; try again, or type your answer.");
            return Ok(None);
        }
        let delivery = Delivery::measure(&raw, &pcm);
        outln(&format!(
            "{} {}\n{}",
            self.style.bold("Transcript"),
            self.style
                .dim(&format!("({:.1} s to transcribe)", took.as_secs_f64())),
            wrap(&raw, self.width, "  │ ")
        ));
        let text = if let Some(ed) = self.editor.as_mut() {
            match review::confirm(ed, raw.clone(), self.style, self.width)? {
                Verdict::Accept(t) => t,
                Verdict::Redo => {
                    let _ = std::fs::remove_file(&abs);
                    return Ok(None);
                }
                Verdict::Command(c) => {
                    let _ = std::fs::remove_file(&abs);
                    return Ok(Some(Read::Command(c)));
                }
            }
        } else {
            raw.clone()
        };
        Ok(Some(Read::Spoken {
            text,
            voice: SpokenMeta {
                audio: rel,
                transcript: raw,
                delivery,
            },
        }))
    }

    /// Push-to-talk: Enter starts, Enter stops. A typed line is a typed answer or a command.
    fn push_to_talk(&mut self) -> Result<Option<Read>> {
        let mut a = Assembler::new();
        let line = match self.editor().line(a.prompt())? {
            Line::Text(l) => l,
            Line::Interrupted => return Ok(None),
            Line::Eof => return Ok(Some(Read::Eof)),
        };
        if !line.trim().is_empty() {
            // A command, or the first line of a typed answer (Ctrl-C while typing it discards it).
            if let Fed::Done(r) = a.feed(&line) {
                return Ok(Some(r));
            }
            return assemble(self.editor(), &mut a, |_, _, _| {});
        }
        let mic = self.mic.clone().expect("a recorder in push-to-talk mode");
        let tmp = crate::settings::host()
            .temp_dir
            .join(format!("viva-rec-{}.wav", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        let mut rec = match mic.start(&tmp) {
            Ok(r) => r,
            Err(e) => {
                self.warn(&format!("{e}; answers are typed from now on."));
                self.mic = None;
                return Ok(None);
            }
        };
        outln(&format!(
            "{} {}",
            self.style.bad("● Recording"),
            self.style.dim("— press Enter to stop (Ctrl-C discards)")
        ));
        std::thread::sleep(std::time::Duration::from_millis(200));
        if let Some(why) = rec.failed_early() {
            self.warn(&format!(
                "Recording failed: {why}; answers are typed from now on."
            ));
            self.mic = None;
            return Ok(None);
        }
        let key = self.editor().readline("");
        let stopped = rec.stop();
        if matches!(key, Err(ReadlineError::Interrupted)) {
            let _ = std::fs::remove_file(&tmp);
            outln(&self.style.dim("Recording discarded."));
            return Ok(None);
        }
        let res = match stopped {
            Ok((path, _)) => self.spoken(&path),
            Err(e) => {
                self.warn(&format!("{e}; answers are typed from now on."));
                self.mic = None;
                Ok(None)
            }
        };
        let _ = std::fs::remove_file(&tmp);
        res
    }
}

/// What is read aloud for a question.
pub fn spoken_text(a: &Ask) -> String {
    let mut s = match &a.stage {
        None => a.text.clone(),
        Some(_) => format!("Follow-up. {}", a.text),
    };
    if !a.constraints.is_empty() {
        s.push_str(&format!(" Constraints: {}.", a.constraints.join("; ")));
    }
    s
}

impl Source for VoiceSource {
    fn read(&mut self) -> Result<Read> {
        loop {
            if self.stt.is_none() {
                return self.typed.read();
            }
            if let Some(q) = self.clips.as_mut() {
                match q.next_clip() {
                    None => {
                        self.clips = None;
                        outln(
                            &self
                                .style
                                .dim("(no answer clips left; reading answers as text)"),
                        );
                        return self.typed.read();
                    }
                    Some(Err(e)) => self.warn(&e.to_string()),
                    Some(Ok(Clip::Text(t))) if t.is_empty() => {}
                    Some(Ok(Clip::Text(t))) if t.starts_with('/') => return Ok(Read::Command(t)),
                    Some(Ok(Clip::Text(t))) => return Ok(Read::Answer(t)),
                    Some(Ok(Clip::Audio(p))) => {
                        outln(&self.style.dim(&format!(
                            "(answer clip {})",
                            p.file_name().unwrap_or_default().to_string_lossy()
                        )));
                        if let Some(r) = self.spoken(&p)? {
                            return Ok(r);
                        }
                    }
                }
                continue;
            }
            if self.mic.is_none() {
                return self.typed.read();
            }
            if let Some(r) = self.push_to_talk()? {
                return Ok(r);
            }
        }
    }

    fn asked(&mut self, a: &Ask) {
        self.ask = Some((a.turn, a.question.clone()));
        self.asked_text = Some(a.text.clone());
        if let Some(sp) = self.speaker.as_mut() {
            if let Err(e) = sp.speak(&spoken_text(a)) {
                self.speaker = None;
                self.warn(&format!(
                    "{e}; questions are shown as text only from now on."
                ));
            }
        }
        if self.mic.is_some() && self.stt.is_some() {
            outln(&self.style.dim(
                "Press Enter to start recording and Enter again to stop; or type an answer, or a /command.",
            ));
        }
    }
}
