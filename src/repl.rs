//! The interview shell: takes answers from an answer source (`crate::input`), carries out the state machine's
//! effects, and saves every event to the store.

use crate::bank::Bank;
use crate::input::{Read, Source};
use crate::interview::{Command, Effect, Input, Interview};
use crate::llm::Grader;
use crate::output::{out, outln, Style};
use crate::render;
use crate::store::{fmt_id, new_session_id, Event, Store, SCHEMA_VERSION};
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
    let mut m = Interview::new(bank, plan, &grader.name(), ladder.follow_ups)
        .with_probes(ladder.probes)
        .with_cost_limit(max_cost);
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
                    queue.extend(m.step(Input::Graded {
                        grade: g,
                        spent_usd: spent.usd,
                    }));
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
