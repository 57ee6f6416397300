//! Raw command-line flags (clap). Validated into [`crate::settings::Settings`] by `main`. This file holds the
//! top level (global flags and the list of commands); the flags of each command are in the submodules.

mod bank;
mod commands;
mod interview;

pub use bank::{BankCmd, ModelCmd};
pub use commands::{
    CalibrateArgs, CompareArgs, DueArgs, ExportArgs, ExportFormat, GradeArgs, ImportArgs,
    RegradeArgs, RepairArgs, ReplayArgs, ReportArgs, TranscribeArgs,
};
pub use interview::{InterviewArgs, QuizArgs, TtsChoice};

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// viva: mock interviews for ML and computer-vision roles, graded against per-question rubrics.
#[derive(Debug, Parser)]
#[command(name = "viva", version, about, long_about = None, after_help = EXAMPLES)]
pub struct Cli {
    /// Session store directory [env: VIVA_STORE] [default: ./sessions]
    #[arg(long, global = true, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// Extra or overriding rubric files (same id replaces the built-in question) [env: VIVA_BANK]
    #[arg(long, global = true, value_name = "DIR")]
    pub bank: Option<PathBuf>,
    /// Which grader to use [env: VIVA_GRADER] [default: auto]
    #[arg(long, global = true, value_enum)]
    pub grader: Option<GraderChoice>,
    /// OpenAI-compatible endpoint, e.g. http://127.0.0.1:8089/v1 [env: VIVA_LLM_BASE_URL, OPENAI_BASE_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// Model name at the endpoint [env: VIVA_LLM_MODEL] (the key comes only from VIVA_LLM_API_KEY/OPENAI_API_KEY or the config file)
    #[arg(long, global = true)]
    pub model: Option<String>,
    /// Connect/read timeout for model calls, seconds [env: VIVA_LLM_TIMEOUT] [default: 120]
    #[arg(long, global = true, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: Option<u64>,
    /// With a model grader, average each verified model verdict with the offline grader's (a second opinion) and
    /// keep the offline misconception hits [env: VIVA_SECOND_OPINION] [default: on only for the small local model]
    #[arg(long, global = true, overrides_with = "no_second_opinion")]
    pub second_opinion: bool,
    /// A verified model verdict stands on its own (the offline grader only detects gaming and falls back)
    #[arg(long, global = true, overrides_with = "second_opinion")]
    pub no_second_opinion: bool,
    /// With a model grader, ask the model for one 0-5 grade of the whole answer (read from its digit probabilities)
    /// and blend it with the offline score, which keeps the verdicts and feedback [env: VIVA_HOLISTIC]
    #[arg(long, global = true, overrides_with = "no_holistic")]
    pub holistic: bool,
    /// Ask the model for per-criterion verdicts (the default)
    #[arg(long, global = true, overrides_with = "holistic")]
    pub no_holistic: bool,
    /// Grade by patterns alone: do not load the sentence-embedding model (env VIVA_SEMANTIC=0).
    #[arg(long, global = true)]
    pub no_semantic: bool,
    /// Prompt templates that override the built-in ones (same file names) [env: VIVA_PROMPTS]
    #[arg(long, global = true, value_name = "DIR")]
    pub prompts: Option<PathBuf>,
    /// Config file [default: $XDG_CONFIG_HOME/viva/config.toml]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The command (default: interview).
    #[command(subcommand)]
    pub command: Option<Cmd>,
    /// Interview options when no command is given.
    #[command(flatten)]
    pub interview: InterviewArgs,
}

const EXAMPLES: &str = "Examples:
  viva                                          start a mock interview (3 questions, mixed areas)
  viva interview --area detection --rounds 2    two detection questions
  viva interview --question cv-detection-anchor-boxes < answers.txt   scripted interview
  viva grade --question cv-detection-anchor-boxes --answer-file a.txt --json
  viva sessions                                 list past sessions, newest first
  viva replay 1a2b3c --step                     replay a session turn by turn
  viva report                                   weak spots over time; --html FILE for charts
  viva due                                      questions due for review (spaced repetition)";

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Sit a mock interview (the default command).
    #[command(after_help = "Examples:
  viva interview
  viva interview --area detection --difficulty hard --company waymo
  viva interview --question cv-detection-anchor-boxes --rounds 1 < answers.txt
  viva interview --voice                          (questions spoken, answers by push-to-talk)
  viva interview --voice --answer-dir clips/      (scripted voice interview: clips used in name order)

At the prompt: end an answer with an empty line. Commands: /skip /hint /repeat /score /quit /help.
Ctrl-C clears the current input; Ctrl-D or /quit ends and saves.")]
    Interview(InterviewArgs),
    /// A multiple-choice readiness quiz, scored and saved.
    #[command(after_help = "Examples:
  viva quiz                      (12 items, two per area)
  viva quiz --area detection --count 4
  printf 'b\\nd\\n' | viva quiz --count 2      (answers from a pipe, one letter per line)")]
    Quiz(QuizArgs),
    /// Browse and validate the question bank.
    #[command(subcommand)]
    Bank(BankCmd),
    /// Grade answers without an interview (one file, or a JSONL batch).
    #[command(after_help = "Examples:
  viva grade --question cv-detection-anchor-boxes --answer-file answer.txt
  viva grade --question cv-detection-anchor-boxes --answer-file answer.txt --json
  viva grade --batch answers.jsonl > graded.jsonl     # lines: {\"question\": ID, \"answer\": TEXT, ...}
  viva grade --question cv-detection-anchor-boxes --answer-audio answer.wav --json   # transcribed first")]
    Grade(GradeArgs),
    /// Grade a human-labelled set and report agreement (Spearman, kappa, MAE).
    #[command(after_help = "Examples:
  viva calibrate --set ../shared/calibration/public-set.json
  viva calibrate --set tests/golden/heldout.json --json
  viva --grader llm calibrate --set ../shared/calibration/public-set.json --reruns 5 --concurrency 4")]
    Calibrate(CalibrateArgs),
    /// List stored sessions, newest first.
    #[command(after_help = "Examples:
  viva sessions
  viva sessions --json | jq '.[0].id'")]
    Sessions(JsonFlag),
    /// Replay a stored session: questions, answers, verdicts and follow-ups.
    #[command(after_help = "Examples:
  viva replay 18c2f4a9        (an id or a unique prefix)
  viva replay 18c2f4a9 --step (press Enter for each turn)")]
    Replay(ReplayArgs),
    /// Export a session as Markdown or JSON lines.
    #[command(after_help = "Examples:
  viva export 18c2f4a9 --format md > session.md
  viva export 18c2f4a9 --format json -o backup.jsonl
  viva export --all --format json -o all.jsonl")]
    Export(ExportArgs),
    /// Transcribe a recorded answer and measure its delivery (pace, fillers, pauses, hedging).
    #[command(after_help = "Examples:
  viva transcribe answer.wav
  viva transcribe answer.wav --question cv-detection-anchor-boxes   (the question's text helps the recogniser)
  viva transcribe answer.wav --json --reference \"the words that were said\"   (adds the word error rate)

Needs a speech-to-text endpoint: VIVA_STT_BASE_URL (or VIVA_LLM_BASE_URL / OPENAI_BASE_URL); scripts/local-stt starts one.")]
    Transcribe(TranscribeArgs),
    /// Import sessions from a JSON-lines export.
    #[command(after_help = "Example:
  viva import backup.jsonl")]
    Import(ImportArgs),
    /// Check the configuration and the model endpoint (reachable, model, JSON output).
    #[command(after_help = "Examples:
  viva doctor
  VIVA_LLM_BASE_URL=http://127.0.0.1:8089/v1 viva doctor --json")]
    Doctor(JsonFlag),
    /// The sentence-embedding model that grades by meaning: where it is, and fetching it.
    #[command(subcommand)]
    Model(ModelCmd),
    /// Check the store for unreadable records and move them aside (into the store's quarantine); bring the
    /// review views up to date, or rebuild them from the log with --views.
    #[command(after_help = "Examples:
  viva repair --dry-run      (list unreadable records, change nothing)
  viva repair                (move them aside, rebuild the session list, catch the views up)
  viva repair --views        (also rebuild the review views from the whole log)")]
    Repair(RepairArgs),
    /// Questions due for review (spaced repetition, FSRS), weakest first, with why.
    #[command(after_help = "Examples:
  viva due                     (what is due now: last score, missed criteria, due date)
  viva due --within 7          (due in the next week)
  viva due --all --json        (every question on the schedule)")]
    Due(DueArgs),
    /// Progress report: weakest criteria and concepts with your words, trends per area.
    #[command(after_help = "Examples:
  viva report
  viva report --limit 5 --json
  viva report --html report.html     (one self-contained page with charts)")]
    Report(ReportArgs),
    /// Two attempts side by side: criteria newly covered, still missed, score change.
    #[command(after_help = "Examples:
  viva compare 18c2f4a9 18c3a0b1                       (every question both sessions asked)
  viva compare --question cv-detection-anchor-boxes    (your last two attempts at it)
  viva compare --question cv-detection-anchor-boxes --json")]
    Compare(CompareArgs),
    /// Grade a past session again with today's rubric and grader; the old grades are kept.
    #[command(after_help = "Examples:
  viva regrade 18c2f4a9
  viva regrade 18c2f4a9 --grader offline --json")]
    Regrade(RegradeArgs),
    /// Print a shell completion script.
    #[command(after_help = "Examples:
  viva completions bash > ~/.local/share/bash-completion/completions/viva
  viva completions zsh > ~/.zfunc/_viva
  viva completions fish > ~/.config/fish/completions/viva.fish")]
    Completions(CompletionArgs),
}

/// Just `--json`.
#[derive(Debug, Args)]
pub struct JsonFlag {
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// `viva completions` flags.
#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// Shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Which grader to use.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
    Default,
)]
#[serde(rename_all = "lowercase")]
pub enum GraderChoice {
    /// LLM when an endpoint is configured, else offline.
    #[default]
    Auto,
    /// Always the LLM endpoint.
    Llm,
    /// Always the offline grader.
    Offline,
}
