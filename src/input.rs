//! Answer sources: where the interview's answers come from. A terminal (rustyline, with history), blank-line
//! separated blocks from a pipe, or (in `crate::voice::shell`) push-to-talk recordings and clip directories; each
//! yields the same [`Read`]s.

use crate::interview::Ask;
use crate::output::{outln, Style};
use anyhow::{Context, Result};
use std::io::BufRead;

/// What one read produced.
#[derive(Debug, PartialEq)]
pub enum Read {
    /// A finished answer.
    Answer(String),
    /// A slash-command line.
    Command(String),
    /// A spoken answer: the transcript to grade and what is kept with it.
    Spoken {
        /// The (possibly edited) transcript.
        text: String,
        /// Recording, raw transcript and delivery metrics.
        voice: crate::session::SpokenMeta,
    },
    /// End of input.
    Eof,
}

/// A source of answers.
pub trait Source {
    /// Read the next answer or command.
    fn read(&mut self) -> Result<Read>;
    /// A question was just shown (the voice source reads it aloud).
    fn asked(&mut self, _ask: &Ask) {}
}

/// Blocks separated by blank lines from any reader (piped stdin).
pub struct BlockSource<R: BufRead> {
    reader: R,
}

impl<R: BufRead> BlockSource<R> {
    /// Wrap a reader.
    pub fn new(reader: R) -> Self {
        BlockSource { reader }
    }
}

impl<R: BufRead> Source for BlockSource<R> {
    fn read(&mut self) -> Result<Read> {
        let mut buf = String::new();
        loop {
            let mut line = String::new();
            let n = self
                .reader
                .read_line(&mut line)
                .context("reading the answer from standard input")?;
            if n == 0 {
                return Ok(if buf.trim().is_empty() {
                    Read::Eof
                } else {
                    Read::Answer(buf.trim_end().to_string())
                });
            }
            let l = line.trim_end_matches(['\n', '\r']);
            if buf.is_empty() && l.trim_start().starts_with('/') {
                return Ok(Read::Command(l.trim().to_string()));
            }
            if l.trim().is_empty() {
                if buf.trim().is_empty() {
                    continue;
                }
                return Ok(Read::Answer(buf.trim_end().to_string()));
            }
            buf.push_str(l);
            buf.push('\n');
        }
    }
}

/// rustyline on a terminal: history, Ctrl-C clears the input, Ctrl-D ends.
pub struct TtySource {
    ed: rustyline::DefaultEditor,
    history: Option<std::path::PathBuf>,
    style: Style,
}

impl TtySource {
    /// A new editor with persistent history.
    pub fn new(style: Style) -> Result<Self> {
        let mut ed = rustyline::DefaultEditor::new().context("starting the line editor")?;
        let history = crate::settings::host().history.clone();
        if let Some(h) = &history {
            let _ = ed.load_history(h);
        }
        Ok(TtySource { ed, history, style })
    }
}

impl Drop for TtySource {
    fn drop(&mut self) {
        if let Some(h) = &self.history {
            if let Some(d) = h.parent() {
                let _ = std::fs::create_dir_all(d);
            }
            let _ = self.ed.save_history(h);
        }
    }
}

impl Source for TtySource {
    fn read(&mut self) -> Result<Read> {
        use rustyline::error::ReadlineError;
        let mut buf = String::new();
        loop {
            let prompt = if buf.is_empty() { "> " } else { "... " };
            match self.ed.readline(prompt) {
                Ok(line) => {
                    if buf.is_empty() && line.trim_start().starts_with('/') {
                        let _ = self.ed.add_history_entry(line.trim());
                        return Ok(Read::Command(line.trim().to_string()));
                    }
                    if line.trim().is_empty() {
                        if buf.trim().is_empty() {
                            continue;
                        }
                        return Ok(Read::Answer(buf.trim_end().to_string()));
                    }
                    let _ = self.ed.add_history_entry(line.as_str());
                    buf.push_str(&line);
                    buf.push('\n');
                }
                Err(ReadlineError::Interrupted) => {
                    outln(
                        &self
                            .style
                            .dim("(input cleared; /quit to end the interview)"),
                    );
                    buf.clear();
                }
                Err(ReadlineError::Eof) => {
                    return Ok(if buf.trim().is_empty() {
                        Read::Eof
                    } else {
                        Read::Answer(buf.trim_end().to_string())
                    });
                }
                Err(e) => return Err(anyhow::anyhow!("reading from the terminal: {e}")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_and_commands() {
        let input = "first line\nsecond line\n\n\n/hint\nanswer two\n\n/quit\nlast without blank";
        let mut s = BlockSource::new(input.as_bytes());
        assert_eq!(
            s.read().unwrap(),
            Read::Answer("first line\nsecond line".into())
        );
        assert_eq!(s.read().unwrap(), Read::Command("/hint".into()));
        assert_eq!(s.read().unwrap(), Read::Answer("answer two".into()));
        assert_eq!(s.read().unwrap(), Read::Command("/quit".into()));
        assert_eq!(s.read().unwrap(), Read::Answer("last without blank".into()));
        assert_eq!(s.read().unwrap(), Read::Eof);
    }
}
