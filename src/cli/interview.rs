//! The flags of the sessions you sit: `viva interview` (also taken with no command) and `viva quiz`.

use clap::Args;
use std::path::PathBuf;

/// Interview options.
#[derive(Debug, Args, Clone, Default)]
pub struct InterviewArgs {
    /// Only questions of this area: a built-in one (`viva bank list` shows them) or one of your own bank.
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
