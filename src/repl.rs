//! The interview shell: takes answers from an answer source (`crate::input`), carries out the state machine's
//! effects, and saves every event to the store.

use crate::bank::{Bank, Question};
use crate::input::commands::{self, Slash};
use crate::input::{Read, Source};
use crate::interview::{Effect, Input, Interview, Purpose, Summary};
use crate::llm::{Completion, Grader};
use crate::output::{out, outln, Style};
use crate::render;
use crate::session::writer::SessionWriter;
use crate::store::{fmt_id, new_session_id, Store};
use anyhow::{Context, Result};
use std::collections::VecDeque;

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

/// A store error in the middle of an interview or a quiz (`what`: "session" or "quiz"). A full disk ends the
/// process at once with one line (see [`crate::commands::stop_if_disk_full`]); any other error is returned.
pub(crate) fn saving_failed(
    e: crate::store::StoreError,
    session: u64,
    what: &str,
) -> anyhow::Error {
    crate::commands::stop_if_disk_full(e, |path| {
        format!(
            "the {what} so far is saved in {path}; free some space, then see it with `viva replay {}`",
            fmt_id(session)
        )
    })
    .context(format!("saving the {what}"))
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
    let machine = Interview::new(bank, plan, &grader.name(), ladder.follow_ups)
        .with_probes(ladder.probes)
        .with_cost_limit(max_cost);
    let mut sh = Shell {
        store,
        bank,
        grader,
        source,
        style,
        width: crate::output::width(),
        rt,
        m: machine,
        writer: SessionWriter::new(new_session_id()),
        queue: VecDeque::new(),
        spent: Spend::default(),
    };
    let session = sh.writer.session();
    let start = sh.m.step(Input::Start);
    sh.queue.extend(start);
    outln(&style.dim(&format!(
        "viva · {} grader · session {} · end each answer with an empty line, /help for commands",
        grader.name(),
        fmt_id(session)
    )));
    loop {
        while let Some(e) = sh.queue.pop_front() {
            sh.carry_out(e)?;
        }
        if sh.m.is_done() {
            break;
        }
        if let Some(input) = sh.next_input()? {
            let effects = sh.m.step(input);
            sh.queue.extend(effects);
        }
    }
    out(&format!(
        "\nSaved session {} in {}. Replay it with: viva replay {}\n",
        fmt_id(session),
        store.path().display(),
        fmt_id(session)
    ));
    Ok(session)
}

/// One interview in progress: the state machine, the effects it asked for that are not yet carried out, where
/// answers come from and events go, and what the models have cost so far.
struct Shell<'a> {
    store: &'a Store,
    bank: &'a Bank,
    grader: &'a Grader,
    source: &'a mut dyn Source,
    style: Style,
    width: usize,
    rt: tokio::runtime::Runtime,
    m: Interview<'a>,
    writer: SessionWriter,
    queue: VecDeque<Effect>,
    spent: Spend,
}

/// The question `id` of the bank the interview was planned from.
fn question<'b>(bank: &'b Bank, id: &str) -> Result<&'b Question> {
    bank.get(id)
        .with_context(|| format!("question {id} vanished from the bank"))
}

impl Shell<'_> {
    /// Carry out one effect of the state machine.
    fn carry_out(&mut self, e: Effect) -> Result<()> {
        let (style, width) = (self.style, self.width);
        match e {
            Effect::Persist(kind) => {
                let ev = self.writer.stamp(kind);
                if let Err(e) = self.store.append(&ev) {
                    return Err(saving_failed(e, ev.session, "session"));
                }
            }
            Effect::Flush => {
                if let Err(e) = self.store.flush() {
                    return Err(saving_failed(e, self.writer.session(), "session"));
                }
            }
            Effect::Ask(a) => {
                outln(&render::ask(&a, style, width));
                self.source.asked(&a);
            }
            Effect::Grade {
                question,
                rung,
                answer,
            } => self.grade(&question, rung, &answer)?,
            Effect::ComposeFollowUp {
                question: id,
                rung,
                purpose,
                target,
                authored: _,
                missed,
                last_answer,
                asked,
            } => {
                let (grader, bank) = (self.grader, self.bank);
                let q = question(bank, &id)?;
                let composed =
                    match (purpose, target) {
                        (Purpose::Rung, _) | (_, None) => self.rt.block_on(
                            crate::calls::follow_up(grader, q, rung, &last_answer, &missed, &asked),
                        ),
                        (p, Some(t)) => self.rt.block_on(crate::calls::probe(
                            grader,
                            bank,
                            q,
                            p,
                            &t,
                            &last_answer,
                            &asked,
                        )),
                    };
                self.follow_up_composed(composed);
            }
            Effect::Feedback(g) => {
                outln(&render::feedback(&g, style, width));
                if let Some(a) = &g.llm {
                    outln(&style.dim(&render::usage_line(a, self.spent.tokens, self.spent.usd)));
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
            Effect::Help => outln(&commands::help()),
            Effect::Score(s) => outln(&render::summary(&s, style, width)),
            Effect::End(s) => self.end(&s),
        }
        Ok(())
    }

    /// Grade an answer and feed the grade and the spend so far to the machine (which ends the session past the
    /// cost limit).
    fn grade(&mut self, id: &str, rung: Option<usize>, answer: &str) -> Result<()> {
        let (grader, style) = (self.grader, self.style);
        let q = question(self.bank, id)?;
        let g = self
            .rt
            .block_on(crate::calls::grade(grader, self.bank, q, rung, answer));
        if let Grader::Llm(l) = grader {
            if let Some(n) = crate::llm::breaker_notice(&l.client) {
                outln(&style.warn(&n));
            }
        }
        let spent = &mut self.spent;
        if let Some(a) = &g.llm {
            spent.add(a.prompt_tokens, a.completion_tokens, a.cost_usd);
        }
        let spent_usd = self.spent.usd;
        self.queue.extend(self.m.step(Input::Graded {
            grade: g,
            spent_usd,
        }));
        Ok(())
    }

    /// Count what composing a follow-up cost, show its note, and feed the text to the machine.
    fn follow_up_composed(
        &mut self,
        composed: (Option<String>, Option<Completion>, Option<String>),
    ) {
        let (text, c, note) = composed;
        if let Some(c) = &c {
            let usd = if let Grader::Llm(g) = self.grader {
                g.client.cost(c)
            } else {
                None
            };
            self.spent.add(c.prompt_tokens, c.completion_tokens, usd);
        }
        if let Some(n) = note {
            outln(&self.style.dim(&n));
        }
        self.queue.extend(self.m.step(Input::FollowUp(text)));
    }

    /// The closing summary, with what the models cost.
    fn end(&self, s: &Summary) {
        let style = self.style;
        outln(&render::summary(s, style, self.width));
        if self.spent.tokens > 0 {
            outln(&format!(
                "  {} {} tokens, ${:.4} estimated",
                style.bold("Model use:"),
                self.spent.tokens,
                self.spent.usd
            ));
        }
    }

    /// Read the next answer or command for the machine; `None` when the shell handled the line itself.
    fn next_input(&mut self) -> Result<Option<Input>> {
        let style = self.style;
        Ok(Some(match self.source.read()? {
            Read::Answer(t) => Input::Answer(t),
            Read::Command(line) => match commands::parse(&line) {
                Some(Ok(Slash::Interview(c))) => Input::Command(c),
                Some(Ok(Slash::RetryModel)) => {
                    self.retry_model();
                    return Ok(None);
                }
                Some(Err(msg)) => {
                    outln(&style.warn(&msg));
                    return Ok(None);
                }
                None => Input::Answer(line),
            },
            Read::Spoken { text, voice } => Input::Spoken { text, voice },
            Read::Eof => Input::Eof,
        }))
    }

    /// `/retry-model`: let the model endpoint be called again after the circuit breaker opened.
    fn retry_model(&self) {
        match self.grader {
            Grader::Llm(l) => {
                l.client.breaker.reset();
                outln(
                    &self
                        .style
                        .dim("The model endpoint will be called again for the next answer."),
                );
            }
            Grader::Offline => outln(
                &self
                    .style
                    .dim("No model endpoint is in use; grading is offline."),
            ),
        }
    }
}
