//! viva: a mock-interview engine for ML and computer-vision interviews.
//!
//! A pure core (bank, grading, the interview state machine) with thin shells (REPL, one-shot commands) and
//! adapters (the sled store). See DESIGN notes in the README.
#![deny(missing_docs)]

pub mod bank;
pub mod calls;
pub mod cli;
pub mod commands;
pub mod draft;
pub mod embed;
pub mod errors;
pub mod grade;
pub mod html;
pub mod input;
pub mod interview;
pub mod llm;
pub mod output;
pub mod quiz;
pub mod render;
pub mod repl;
pub mod review;
pub mod session;
pub mod settings;
pub mod store;
pub mod text;
pub mod voice;

use anyhow::Result;
use clap::{CommandFactory, Parser};
use cli::{Cli, Cmd};
use output::Style;

/// A usage mistake found after parsing: exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for UsageError {}

/// Parse arguments, run, and return the process exit code.
pub fn main_exit_code() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let ran = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(cli))) {
        Ok(r) => r,
        Err(payload) => match output::OutputClosed::exit_code(payload.as_ref()) {
            Some(code) => return code,
            None => std::panic::resume_unwind(payload),
        },
    };
    match ran {
        Ok(code) => code,
        Err(e) => {
            if e.downcast_ref::<UsageError>().is_some() {
                eprintln!("viva: {}", output::neutralise(&e.to_string(), false));
                return 2;
            }
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!(
                "viva: error: {}",
                output::neutralise(&chain.join(": "), false)
            );
            1
        }
    }
}

/// A runtime for the async parts (model calls).
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// Build the LLM client for the configured endpoint (resolving the model from /models when none is named).
pub fn llm_grader(s: &settings::Settings) -> Result<llm::grader::LlmGrader> {
    let l = s.llm.as_ref().ok_or_else(|| anyhow::anyhow!("no LLM endpoint configured: set VIVA_LLM_BASE_URL (or OPENAI_BASE_URL), or use --grader offline"))?;
    let prompts = llm::prompt::Prompts::load(s.prompts.as_deref()).map_err(anyhow::Error::msg)?;
    let mut cfg = llm::LlmConfig {
        base_url: l.base_url.clone(),
        model: l.model.clone().unwrap_or_default(),
        api_key: l.api_key.clone(),
        timeout: std::time::Duration::from_secs(l.timeout),
        retries: l.retries,
        max_backoff: std::time::Duration::from_secs(20),
        price: None,
    };
    if cfg.model.is_empty() {
        let probe = llm::LlmClient::new(cfg.clone())?;
        let models = runtime()?.block_on(probe.models());
        cfg.model = models.and_then(|m| m.into_iter().next()).ok_or_else(|| {
            anyhow::anyhow!(
                "no model named and {} lists none: set VIVA_LLM_MODEL or --model",
                llm::redact::redact(&l.base_url, None)
            )
        })?;
    }
    cfg.price = l.prices.get(&cfg.model).map(|p| (p.input, p.output));
    let second_opinion = l
        .second_opinion
        .unwrap_or_else(|| llm::grader::small_local_model(&cfg.model));
    Ok(llm::grader::LlmGrader {
        client: llm::LlmClient::new(cfg)?,
        prompts,
        second_opinion,
        holistic: l.holistic,
    })
}

fn grader_for(s: &settings::Settings) -> Result<llm::Grader> {
    match s.grader {
        cli::GraderChoice::Offline => Ok(llm::Grader::Offline),
        cli::GraderChoice::Auto if s.llm.is_none() => Ok(llm::Grader::Offline),
        cli::GraderChoice::Auto | cli::GraderChoice::Llm => {
            Ok(llm::Grader::Llm(Box::new(llm_grader(s)?)))
        }
    }
}

fn run(mut cli: Cli) -> Result<i32> {
    // Interview options before the command: honoured for `interview`, refused for any other command.
    match cli.command.take() {
        Some(Cmd::Interview(a)) => {
            let top = std::mem::take(&mut cli.interview);
            cli.command = Some(Cmd::Interview(a.merged(top)));
        }
        Some(_) if cli.interview.given() => {
            return Err(UsageError(
                "interview options (--question, --area, --rounds, --voice, --tts, …) go with `viva` or `viva interview`, not before another command".into(),
            )
            .into());
        }
        other => cli.command = other,
    }
    let s = settings::Settings::resolve(&cli)?;
    let style = Style { color: s.color };
    let bank_dir = s.bank.as_deref();
    match cli.command {
        Some(Cmd::Completions(a)) => {
            let mut cmd = Cli::command();
            let mut buf = Vec::new();
            clap_complete::generate(a.shell, &mut cmd, "viva", &mut buf);
            output::out(&String::from_utf8_lossy(&buf));
            Ok(0)
        }
        Some(Cmd::Bank(b @ cli::BankCmd::Draft { .. })) => {
            commands::model::prepare(&s, true);
            commands::draft::command(&s, &b, style)
        }
        Some(Cmd::Bank(b)) => {
            // Only checking and drafting grade answers.
            if matches!(b, cli::BankCmd::Check { .. }) {
                commands::model::prepare(&s, true);
            }
            commands::bank::bank(&b, bank_dir, style).map(|_| 0)
        }
        Some(Cmd::Model(m)) => commands::model::run(&s, &m),
        Some(Cmd::Grade(a)) => {
            commands::model::prepare(&s, true);
            let bank = match (&a.question, &a.batch) {
                // One question of the embedded bank: compile only its patterns (most of what loading costs).
                (Some(id), None) if bank_dir.is_none() => commands::grade::bank_for(id)?,
                _ => commands::bank::load(bank_dir)?,
            };
            commands::grade::grade(&a, &bank, &grader_for(&s)?, style)
        }
        Some(Cmd::Calibrate(a)) => {
            commands::model::prepare(&s, true);
            let bank = commands::bank::load(bank_dir)?;
            commands::calibrate::calibrate(&a, &bank, &grader_for(&s)?, style).map(|_| 0)
        }
        Some(Cmd::Sessions(a)) => {
            commands::history::sessions(&store::Store::open_read_only(&s.store)?, a.json, style)
                .map(|_| 0)
        }
        Some(Cmd::Replay(a)) => {
            commands::history::replay(&store::Store::open_read_only(&s.store)?, &a, style)
                .map(|_| 0)
        }
        Some(Cmd::Export(a)) => {
            commands::history::export(&store::Store::open_read_only(&s.store)?, &a).map(|_| 0)
        }
        Some(Cmd::Import(a)) => {
            commands::history::import(&store::Store::open(&s.store)?, &a, bank_dir).map(|_| 0)
        }
        Some(Cmd::Repair(a)) => {
            commands::history::repair(&store::Store::open(&s.store)?, &a, bank_dir)
        }
        Some(Cmd::Due(a)) => commands::review::due(&s, &a, style),
        Some(Cmd::Report(a)) => commands::review::report(&s, &a, style),
        Some(Cmd::Compare(a)) => commands::review::compare(&s, &a, style),
        Some(Cmd::Regrade(a)) => {
            commands::model::prepare(&s, true);
            commands::regrade::regrade(&s, &a, &grader_for(&s)?, style)
        }
        Some(Cmd::Transcribe(a)) => commands::voice::transcribe(&a, bank_dir, style),
        Some(Cmd::Interview(a)) => interview(&s, a, style),
        Some(Cmd::Quiz(a)) => quiz(&s, &a, style),
        Some(Cmd::Doctor(a)) => commands::doctor::doctor(&s, a.json, style),
        None => interview(&s, cli.interview, style),
    }
}

fn rng(seed: Option<u64>) -> rand::rngs::StdRng {
    use rand::SeedableRng;
    match seed {
        Some(x) => rand::rngs::StdRng::seed_from_u64(x),
        None => rand::rngs::StdRng::from_entropy(),
    }
}

fn quiz(s: &settings::Settings, a: &cli::QuizArgs, style: Style) -> Result<i32> {
    let bank = commands::bank::load(s.bank.as_deref())?;
    let picks = quiz::pick(&bank, a.area.as_deref(), a.count as usize, &mut rng(a.seed))
        .map_err(anyhow::Error::msg)?;
    let store = store::Store::open(&s.store)?;
    if s.interactive {
        let mut ed = rustyline::DefaultEditor::new()?;
        quiz::run(&store, &picks, &mut ed, style)?;
    } else {
        let mut lines = input::PipeLines::new(std::io::stdin().lock(), "reading standard input");
        quiz::run(&store, &picks, &mut lines, style)?;
    }
    Ok(0)
}

fn interview(s: &settings::Settings, a: cli::InterviewArgs, style: Style) -> Result<i32> {
    commands::model::prepare(s, true);
    // Every question parsed, none compiled: the plan is chosen from the parsed bank and the review views, then
    // only the planned questions are compiled.
    let mut bank = commands::review::load_outline(s.bank.as_deref())?;
    let grader = grader_for(s)?;
    let filters = interview::select::Filters {
        questions: a.questions.clone(),
        area: a.area.clone(),
        difficulty: a.difficulty.clone(),
        company: a.company.clone(),
    };
    let rounds = a
        .rounds
        .map(|r| r as usize)
        .unwrap_or(if a.questions.is_empty() {
            3
        } else {
            a.questions.len()
        });
    let store = store::Store::open(&s.store)?;
    store.attach_views(&bank)?;
    let mut rng = rng(a.seed);
    // Without explicit questions: due and weakest first, then new ones (see review::schedule::priority).
    let priority = if a.questions.is_empty() {
        commands::review::priority(&store, &bank, &mut rng)?
    } else {
        Vec::new()
    };
    let mut plan = interview::select::plan(&bank, &filters, rounds, &priority, &mut rng)
        .map_err(anyhow::Error::msg)?;
    plan.truncate(rounds);
    bank::lazy::compile(&mut bank, &plan)
        .map_err(|e| anyhow::anyhow!("invalid question bank: {e}"))?;
    let bank = bank;
    // One shell, three answer sources: spoken/clips, a terminal, or blank-line blocks from a pipe.
    let mut src: Box<dyn input::Source> = if a.voice || a.answer_dir.is_some() || a.tts.is_some() {
        let opts = voice::shell::Options {
            tts: a.tts.unwrap_or_default(),
            answer_dir: a.answer_dir.clone(),
            store_dir: s.store.clone(),
            interactive: s.interactive,
        };
        Box::new(voice::shell::VoiceSource::new(opts, style)?)
    } else if s.interactive {
        Box::new(input::TtySource::new(style)?)
    } else {
        Box::new(input::BlockSource::new(std::io::stdin().lock()))
    };
    let session = repl::run(
        &store,
        &bank,
        &grader,
        plan,
        repl::Ladder {
            follow_ups: a.follow_ups,
            probes: a.probes as usize,
        },
        src.as_mut(),
        style,
        a.max_cost,
    )?;
    let _ = session;
    Ok(0)
}
