//! Answer sources: where the interview's answers come from. A terminal (rustyline, with history), blank-line
//! separated blocks from a pipe, or (in `crate::voice::shell`) push-to-talk recordings and clip directories; each
//! yields the same [`Read`]s. Every typed line goes through one [`Assembler`].

pub mod assemble;
pub mod commands;

pub use assemble::{Assembler, Fed};

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

/// One line read from a terminal or a pipe.
#[derive(Debug, PartialEq)]
pub enum Line {
    /// A line, without its line ending.
    Text(String),
    /// Ctrl-C.
    Interrupted,
    /// End of input (Ctrl-D, or the end of the pipe).
    Eof,
}

/// Reads one line at a time.
pub trait LineReader {
    /// The next line, after showing `prompt` (a terminal).
    fn line(&mut self, prompt: &str) -> Result<Line>;
}

/// Lines from a reader (piped stdin).
pub struct PipeLines<R: BufRead> {
    reader: R,
    /// What a read error says viva was doing.
    reading: &'static str,
}

impl<R: BufRead> PipeLines<R> {
    /// Wrap a reader; a read error is reported as "`reading`: the error".
    pub fn new(reader: R, reading: &'static str) -> Self {
        PipeLines { reader, reading }
    }
}

impl<R: BufRead> LineReader for PipeLines<R> {
    fn line(&mut self, _prompt: &str) -> Result<Line> {
        let mut line = String::new();
        if self.reader.read_line(&mut line).context(self.reading)? == 0 {
            return Ok(Line::Eof);
        }
        Ok(Line::Text(line.trim_end_matches(['\n', '\r']).to_string()))
    }
}

impl<H: rustyline::Helper> LineReader for rustyline::Editor<H, rustyline::history::DefaultHistory> {
    fn line(&mut self, prompt: &str) -> Result<Line> {
        use rustyline::error::ReadlineError;
        match self.readline(prompt) {
            Ok(l) => Ok(Line::Text(l)),
            Err(ReadlineError::Interrupted) => Ok(Line::Interrupted),
            Err(ReadlineError::Eof) => Ok(Line::Eof),
            Err(e) => Err(anyhow::anyhow!("reading from the terminal: {e}")),
        }
    }
}

/// Feed lines from `lines` to `a` until it yields a read (`Some`), or Ctrl-C (`None`; what was typed stays in
/// `a`). `each` sees every line with what it did, before the next line is read.
pub fn assemble<L: LineReader + ?Sized>(
    lines: &mut L,
    a: &mut Assembler,
    mut each: impl FnMut(&mut L, &str, &Fed),
) -> Result<Option<Read>> {
    loop {
        match lines.line(a.prompt())? {
            Line::Text(l) => {
                let fed = a.feed(&l);
                each(lines, &l, &fed);
                if let Fed::Done(r) = fed {
                    return Ok(Some(r));
                }
            }
            Line::Interrupted => return Ok(None),
            Line::Eof => return Ok(Some(a.finish())),
        }
    }
}

/// Blocks separated by blank lines from any reader (piped stdin).
pub struct BlockSource<R: BufRead> {
    lines: PipeLines<R>,
}

impl<R: BufRead> BlockSource<R> {
    /// Wrap a reader.
    pub fn new(reader: R) -> Self {
        BlockSource {
            lines: PipeLines::new(reader, "reading the answer from standard input"),
        }
    }
}

impl<R: BufRead> Source for BlockSource<R> {
    fn read(&mut self) -> Result<Read> {
        let mut a = Assembler::new();
        loop {
            if let Some(r) = assemble(&mut self.lines, &mut a, |_, _, _| {})? {
                return Ok(r);
            }
        }
    }
}

/// Tab at the interview prompt: completes a slash command from [`commands::COMMANDS`]; answers get nothing.
pub struct SlashHelper;

impl rustyline::completion::Completer for SlashHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let before = line.get(..pos).unwrap_or(line);
        let start = before.len() - before.trim_start().len();
        Ok((start, commands::completions(before)))
    }
}

impl rustyline::hint::Hinter for SlashHelper {
    type Hint = String;
}
impl rustyline::highlight::Highlighter for SlashHelper {}
impl rustyline::validate::Validator for SlashHelper {}
impl rustyline::Helper for SlashHelper {}

/// rustyline on a terminal: history, Tab completes slash commands, Ctrl-C clears the input, Ctrl-D ends.
pub struct TtySource {
    ed: rustyline::Editor<SlashHelper, rustyline::history::DefaultHistory>,
    history: Option<std::path::PathBuf>,
    style: Style,
}

impl TtySource {
    /// A new editor with persistent history.
    pub fn new(style: Style) -> Result<Self> {
        let mut ed = rustyline::Editor::new().context("starting the line editor")?;
        ed.set_helper(Some(SlashHelper));
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
        let mut a = Assembler::new();
        loop {
            // Commands and answer lines go to the history as they are typed; blank lines do not.
            let read = assemble(&mut self.ed, &mut a, |ed, line, fed| {
                let kept = match fed {
                    Fed::Done(Read::Command(c)) => c.as_str(),
                    Fed::Added => line,
                    _ => return,
                };
                let _ = ed.add_history_entry(kept);
            })?;
            match read {
                Some(r) => return Ok(r),
                None => {
                    outln(
                        &self
                            .style
                            .dim("(input cleared; /quit to end the interview)"),
                    );
                    a.clear();
                }
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
