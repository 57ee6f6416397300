//! The interview shell: reads answers (rustyline on a terminal, blank-line-separated blocks from a pipe),
//! carries out the state machine's effects, and saves every event to the store.

use crate::bank::Bank;
use crate::grade::Grader;
use crate::interview::{Ask, Command, Effect, Input, Interview};
use crate::output::{out, outln, Style};
use crate::render;
use crate::store::{fmt_id, new_session_id, Event, Store, SCHEMA_VERSION};
use anyhow::{Context, Result};
use std::collections::VecDeque;
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
        voice: crate::voice::SpokenMeta,
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
        let history = std::env::var_os("XDG_DATA_HOME")
            .map(std::path::PathBuf::from)
            .or_else(dirs::data_dir)
            .map(|d| d.join("viva").join("history.txt"));
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

/// A quoted sentence of the candidate's, indented.
fn wrap_quote(q: &str, width: usize) -> String {
    crate::output::wrap(&format!("\"{q}\""), width, "    ")
}

/// How far an interview follows up on each question.
#[derive(Debug, Clone, Copy)]
pub struct Ladder {
    /// Ladder rungs asked per question.
    pub follow_ups: usize,
    /// Probes or challenges per rung (0: the plain ladder).
    pub probes: usize,
}

/// Tokens and money spent in a session.
#[derive(Debug, Default)]
struct Spend {
    tokens: u64,
    usd: f64,
}

impl Spend {
    fn add(&mut self, prompt: u32, completion: u32, usd: Option<f64>) {
        self.tokens += (prompt + completion) as u64;
        self.usd += usd.unwrap_or(0.0);
    }
}

/// A store error in the middle of an interview. A full disk ends the process at once with one line (see
/// [`crate::commands::stop_if_disk_full`]); any other error is returned.
fn stop_on_store_error(e: crate::store::StoreError, session: u64) -> Result<()> {
    let e = crate::commands::stop_if_disk_full(e, |path| {
        format!(
            "the session so far is saved in {path}; free some space, then see it with `viva replay {}`",
            fmt_id(session)
        )
    });
    Err(e.context("saving the session"))
}

/// Run one interview to the end; every event is stored as it happens.
#[allow(clippy::too_many_arguments)]
pub fn run(
    store: &Store,
    bank: &Bank,
    grader: &Grader,
    plan: Vec<String>,
    ladder: Ladder,
    source: &mut dyn Source,
    style: Style,
    max_cost: Option<f64>,
) -> Result<u64> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let width = crate::output::width();
    let session = new_session_id();
    let mut seq = 0u32;
    let mut m =
        Interview::new(bank, plan, &grader.name(), ladder.follow_ups).with_probes(ladder.probes);
    let mut queue: VecDeque<Effect> = m.step(Input::Start).into();
    let mut spent = Spend::default();
    outln(&style.dim(&format!(
        "viva · {} grader · session {} · end each answer with an empty line, /help for commands",
        grader.name(),
        fmt_id(session)
    )));
    loop {
        while let Some(e) = queue.pop_front() {
            match e {
                Effect::Persist(kind) => {
                    let ev = Event {
                        v: SCHEMA_VERSION,
                        session,
                        seq,
                        at: chrono::Utc::now(),
                        kind,
                    };
                    if let Err(e) = store.append(&ev) {
                        stop_on_store_error(e, session)?;
                    }
                    seq += 1;
                }
                Effect::Flush => {
                    if let Err(e) = store.flush() {
                        stop_on_store_error(e, session)?;
                    }
                }
                Effect::Ask(a) => {
                    outln(&render::ask(&a, style, width));
                    source.asked(&a);
                }
                Effect::Grade {
                    question,
                    rung,
                    answer,
                } => {
                    let q = bank
                        .get(&question)
                        .with_context(|| format!("question {question} vanished from the bank"))?;
                    let g = rt.block_on(crate::calls::grade(grader, bank, q, rung, &answer));
                    if let Grader::Llm(l) = grader {
                        if let Some(n) = crate::llm::breaker_notice(&l.client) {
                            outln(&style.warn(&n));
                        }
                    }
                    if let Some(a) = &g.llm {
                        spent.add(a.prompt_tokens, a.completion_tokens, a.cost_usd);
                    }
                    let over = max_cost.map(|c| spent.usd >= c).unwrap_or(false);
                    queue.extend(m.step(Input::Graded(g)));
                    if over && !m.is_done() {
                        queue.push_back(Effect::Notice(format!(
                            "Cost limit reached (${:.4} of ${:.4}); ending the session.",
                            spent.usd,
                            max_cost.unwrap_or(0.0)
                        )));
                        queue.extend(m.step(Input::Stop("cost limit".into())));
                    }
                }
                Effect::ComposeFollowUp {
                    question,
                    rung,
                    purpose,
                    target,
                    authored: _,
                    missed,
                    last_answer,
                    asked,
                } => {
                    let q = bank
                        .get(&question)
                        .with_context(|| format!("question {question} vanished from the bank"))?;
                    let (text, c, note) = match (purpose, target) {
                        (crate::interview::Purpose::Rung, _) | (_, None) => rt.block_on(
                            crate::calls::follow_up(grader, q, rung, &last_answer, &missed, &asked),
                        ),
                        (p, Some(t)) => rt.block_on(crate::calls::probe(
                            grader,
                            bank,
                            q,
                            p,
                            &t,
                            &last_answer,
                            &asked,
                        )),
                    };
                    if let Some(c) = &c {
                        let usd = if let Grader::Llm(g) = grader {
                            g.client.cost(c)
                        } else {
                            None
                        };
                        spent.add(c.prompt_tokens, c.completion_tokens, usd);
                    }
                    if let Some(n) = note {
                        outln(&style.dim(&n));
                    }
                    queue.extend(m.step(Input::FollowUp(text)));
                }
                Effect::Feedback(g) => {
                    outln(&render::feedback(&g, style, width));
                    if let Some(a) = &g.llm {
                        outln(&style.dim(&render::usage_line(a, spent.tokens, spent.usd)));
                    }
                }
                Effect::Delivery(d) => outln(&crate::voice::view::delivery(&d, style, width)),
                Effect::Notice(n) => outln(&style.dim(&n)),
                Effect::Hint(h) => outln(&style.warn(&format!("Hint: {h}"))),
                Effect::Skipped { stage, quotes } => {
                    outln(&style.dim(&format!(
                        "You already covered the {} follow-up; moving on. You said:",
                        stage.replace('_', " ")
                    )));
                    for q in quotes {
                        outln(&style.dim(&wrap_quote(&q, width)));
                    }
                }
                Effect::Help => outln(render::REPL_HELP),
                Effect::Score(s) => outln(&render::summary(&s, style, width)),
                Effect::End(s) => {
                    outln(&render::summary(&s, style, width));
                    if spent.tokens > 0 {
                        outln(&format!(
                            "  {} {} tokens, ${:.4} estimated",
                            style.bold("Model use:"),
                            spent.tokens,
                            spent.usd
                        ));
                    }
                }
            }
        }
        if m.is_done() {
            break;
        }
        let input =
            match source.read()? {
                Read::Answer(t) => Input::Answer(t),
                Read::Command(line) if line.trim().eq_ignore_ascii_case("/retry-model") => {
                    match grader {
                        Grader::Llm(l) => {
                            l.client.breaker.reset();
                            outln(&style.dim(
                                "The model endpoint will be called again for the next answer.",
                            ));
                        }
                        Grader::Offline => {
                            outln(&style.dim("No model endpoint is in use; grading is offline."))
                        }
                    }
                    continue;
                }
                Read::Command(line) => match Command::parse(&line) {
                    Some(Ok(c)) => Input::Command(c),
                    Some(Err(msg)) => {
                        outln(&style.warn(&msg));
                        continue;
                    }
                    None => Input::Answer(line),
                },
                Read::Spoken { text, voice } => Input::Spoken { text, voice },
                Read::Eof => Input::Eof,
            };
        queue.extend(m.step(input));
    }
    out(&format!(
        "\nSaved session {} in {}. Replay it with: viva replay {}\n",
        fmt_id(session),
        store.path().display(),
        fmt_id(session)
    ));
    Ok(session)
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
