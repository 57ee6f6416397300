//! The answer assembler: lines in, answers and commands out. Pure (no I/O): every answer reader (the terminal,
//! a pipe, push-to-talk typing, the quiz) feeds it the lines it reads and acts on what comes back.

use super::Read;

/// What one line did.
#[derive(Debug, PartialEq)]
pub enum Fed {
    /// A blank line with nothing typed yet: ignored.
    Skipped,
    /// The line was added to the answer being typed.
    Added,
    /// The line finished a read: a command, or the answer it ended.
    Done(Read),
}

/// Builds answers from lines. A line starting with '/' before any text is a command; otherwise lines gather
/// into an answer that an empty line ends (or, for one-line answers, the line itself).
#[derive(Debug, Default)]
pub struct Assembler {
    buf: String,
    /// One-line answers, read after this prompt (the quiz); `None`: answers of several lines.
    one_line: Option<&'static str>,
}

impl Assembler {
    /// Answers of several lines, each ended by an empty line (the interview).
    pub fn new() -> Self {
        Assembler::default()
    }

    /// Answers of one line each, read after `prompt` (the quiz).
    pub fn one_line(prompt: &'static str) -> Self {
        Assembler {
            buf: String::new(),
            one_line: Some(prompt),
        }
    }

    /// Whether nothing of an answer has been typed yet.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The prompt for the next line: "> " for a new answer, "... " to go on with one (one-line answers: their
    /// own prompt).
    pub fn prompt(&self) -> &'static str {
        if let Some(p) = self.one_line {
            p
        } else if self.buf.is_empty() {
            "> "
        } else {
            "... "
        }
    }

    /// Take one line (without its line ending).
    pub fn feed(&mut self, line: &str) -> Fed {
        if self.buf.is_empty() && line.trim_start().starts_with('/') {
            return Fed::Done(Read::Command(line.trim().to_string()));
        }
        if line.trim().is_empty() {
            if self.buf.trim().is_empty() {
                return Fed::Skipped;
            }
            return Fed::Done(self.take_answer());
        }
        self.buf.push_str(line);
        self.buf.push('\n');
        if self.one_line.is_some() {
            return Fed::Done(self.take_answer());
        }
        Fed::Added
    }

    /// The input ended: what was typed is the last answer, else the end.
    pub fn finish(&mut self) -> Read {
        if self.buf.trim().is_empty() {
            self.buf.clear();
            Read::Eof
        } else {
            self.take_answer()
        }
    }

    /// Forget what was typed (Ctrl-C).
    pub fn clear(&mut self) {
        self.buf.clear();
    }

    fn take_answer(&mut self) -> Read {
        let answer = self.buf.trim_end().to_string();
        self.buf.clear();
        Read::Answer(answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed_all(a: &mut Assembler, lines: &[&str]) -> Vec<Fed> {
        lines.iter().map(|l| a.feed(l)).collect()
    }

    #[test]
    fn answers_end_with_an_empty_line() {
        let mut a = Assembler::new();
        assert_eq!(a.prompt(), "> ");
        let fed = feed_all(&mut a, &["", "  ", "first line", "  second  "]);
        assert_eq!(fed, [Fed::Skipped, Fed::Skipped, Fed::Added, Fed::Added]);
        assert_eq!(a.prompt(), "... ");
        assert!(!a.is_empty());
        assert_eq!(
            a.feed(""),
            Fed::Done(Read::Answer("first line\n  second".into()))
        );
        assert!(a.is_empty());
        assert_eq!(a.prompt(), "> ");
    }

    #[test]
    fn a_slash_line_is_a_command_only_before_any_text() {
        let mut a = Assembler::new();
        assert_eq!(
            a.feed("  /Hint me "),
            Fed::Done(Read::Command("/Hint me".into()))
        );
        assert_eq!(a.feed("text"), Fed::Added);
        assert_eq!(a.feed("/not a command"), Fed::Added);
        assert_eq!(
            a.feed(" "),
            Fed::Done(Read::Answer("text\n/not a command".into()))
        );
    }

    #[test]
    fn the_end_of_input_ends_the_answer() {
        let mut a = Assembler::new();
        assert_eq!(a.finish(), Read::Eof);
        a.feed("last without blank");
        assert_eq!(a.finish(), Read::Answer("last without blank".into()));
        assert_eq!(a.finish(), Read::Eof);
        a.feed("dropped");
        a.clear();
        assert_eq!(a.finish(), Read::Eof);
    }

    #[test]
    fn one_line_answers() {
        let mut a = Assembler::one_line("answer> ");
        assert_eq!(a.feed(""), Fed::Skipped);
        assert_eq!(a.feed(" b) "), Fed::Done(Read::Answer(" b)".into())));
        assert_eq!(a.feed(" /skip "), Fed::Done(Read::Command("/skip".into())));
        assert_eq!(a.prompt(), "answer> ");
    }
}
