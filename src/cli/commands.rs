//! The flags of the one-shot commands: grading (`grade`, `calibrate`, `transcribe`), the session history
//! (`replay`, `export`, `import`, `repair`) and reviewing progress (`due`, `report`, `compare`, `regrade`).

use clap::{ArgGroup, Args, ValueEnum};
use std::path::PathBuf;

/// `viva grade` flags.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("answer").args(["answer_file", "answer_audio"])))]
pub struct GradeArgs {
    /// Question id (with --answer-file or --answer-audio).
    #[arg(long, value_name = "ID", requires = "answer", conflicts_with = "batch")]
    pub question: Option<String>,
    /// File holding the answer ('-' for stdin).
    #[arg(long, value_name = "FILE", requires = "question")]
    pub answer_file: Option<PathBuf>,
    /// A spoken answer (16-bit PCM WAV): transcribed, graded, and its delivery measured.
    #[arg(long, value_name = "FILE.wav", requires = "question")]
    pub answer_audio: Option<PathBuf>,
    /// Grade an answer to one follow-up of the question: a ladder stage (theory, implementation, constraints,
    /// failure_modes, production) or a 1-based rung number.
    #[arg(long, value_name = "STAGE|N", requires = "question")]
    pub rung: Option<String>,
    /// JSONL file: one {"question", "answer", ...} object per line ('-' for stdin); an optional "rung" field
    /// (stage or 1-based number) grades a follow-up answer and is echoed back.
    #[arg(long, value_name = "FILE")]
    pub batch: Option<PathBuf>,
    /// Answers graded at once in a batch (model requests in flight); output order is kept.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub concurrency: u64,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// `viva transcribe` flags.
#[derive(Debug, Args)]
pub struct TranscribeArgs {
    /// A recorded answer (16-bit PCM WAV).
    #[arg(value_name = "FILE.wav")]
    pub file: PathBuf,
    /// The words actually said: prints the word error rate of the transcript.
    #[arg(long, value_name = "TEXT")]
    pub reference: Option<String>,
    /// The question that was answered: its text is sent as context, as in an interview.
    #[arg(long, value_name = "ID", conflicts_with = "context")]
    pub question: Option<String>,
    /// Context for the recogniser (words likely to be said), sent in the prompt.
    #[arg(long, value_name = "TEXT")]
    pub context: Option<String>,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// `viva calibrate` flags.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Labelled set: a JSON array of {question, label, human, answer}.
    #[arg(long, value_name = "FILE")]
    pub set: PathBuf,
    /// Grade every answer this many times and report the spread of its scores (for a model grader).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=20))]
    pub reruns: u64,
    /// Answers graded at once (model requests in flight); the report is the same in any order.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub concurrency: u64,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// `viva repair` flags.
#[derive(Debug, Args)]
pub struct RepairArgs {
    /// Only list the unreadable records.
    #[arg(long)]
    pub dry_run: bool,
    /// Also rebuild the review views (schedule, mastery, trends) from the whole log.
    #[arg(long, conflicts_with = "dry_run")]
    pub views: bool,
}

/// `viva replay` flags.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Session id or unique prefix.
    pub id: String,
    /// Pause after each turn (Enter to continue).
    #[arg(long)]
    pub step: bool,
    /// JSON output (the raw events).
    #[arg(long)]
    pub json: bool,
}

/// Export formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ExportFormat {
    /// A readable Markdown transcript.
    Md,
    /// JSON lines, one event per line (importable).
    Json,
    /// A self-contained HTML transcript.
    Html,
}

/// `viva export` flags.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Session id or unique prefix.
    #[arg(required_unless_present = "all")]
    pub id: Option<String>,
    /// Export every session (json only).
    #[arg(long, conflicts_with = "id")]
    pub all: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "md")]
    pub format: ExportFormat,
    /// Write to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace the file given with -o when it exists.
    #[arg(long, requires = "output")]
    pub force: bool,
}

/// `viva import` flags.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// JSON-lines file from `viva export --format json`.
    pub file: PathBuf,
}

/// `viva due` flags.
#[derive(Debug, Args)]
pub struct DueArgs {
    /// Also list what comes due within this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=3650))]
    pub within: u32,
    /// List every question on the schedule, due or not.
    #[arg(long, conflicts_with = "within")]
    pub all: bool,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
    /// Compute from a full replay of the log instead of the stored views (a check that they agree).
    #[arg(long, hide = true)]
    pub from_log: bool,
    /// Compute as of this time (RFC 3339) instead of now.
    #[arg(long, hide = true, value_name = "TIME")]
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
}

/// `viva report` flags.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Weak criteria and concepts to list, at most.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: u32,
    /// JSON output.
    #[arg(long, conflicts_with = "html")]
    pub json: bool,
    /// Write a self-contained HTML report with charts to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Replace the file given with --html when it exists.
    #[arg(long, requires = "html")]
    pub force: bool,
    /// Compute from a full replay of the log instead of the stored views (a check that they agree).
    #[arg(long, hide = true)]
    pub from_log: bool,
    /// Compute as of this time (RFC 3339) instead of now.
    #[arg(long, hide = true, value_name = "TIME")]
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
}

/// `viva compare` flags.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Two session ids (or unique prefixes).
    #[arg(num_args = 0..=2, value_name = "ID", required_unless_present = "question", conflicts_with = "question")]
    pub ids: Vec<String>,
    /// Compare your last two attempts at this question instead.
    #[arg(long, value_name = "QID")]
    pub question: Option<String>,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
    /// Compute from a full replay of the log instead of the stored views (a check that they agree).
    #[arg(long, hide = true)]
    pub from_log: bool,
}

/// `viva regrade` flags.
#[derive(Debug, Args)]
pub struct RegradeArgs {
    /// Session id or unique prefix.
    pub id: String,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}
