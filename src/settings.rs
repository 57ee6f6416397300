//! One validated settings value: built-in defaults < config file < environment < flags.

use crate::cli::Cli;
use crate::cli::GraderChoice;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The config file's shape (every key optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Store directory.
    pub store: Option<PathBuf>,
    /// Extra rubric directory.
    pub bank: Option<PathBuf>,
    /// Grader choice.
    pub grader: Option<GraderChoice>,
    /// OpenAI-compatible base URL (…/v1).
    pub base_url: Option<String>,
    /// Model name.
    pub model: Option<String>,
    /// API key (prefer the environment).
    pub api_key: Option<String>,
    /// Timeout in seconds for connecting and reading.
    pub timeout: Option<u64>,
    /// Retries on 429, 5xx and connection errors.
    pub retries: Option<u32>,
    /// Prompt template directory.
    pub prompts: Option<PathBuf>,
    /// Average model verdicts with the offline grader's (unset: on only for the small local model).
    pub second_opinion: Option<bool>,
    /// Ask the model for one 0-5 grade of the whole answer and blend it with the offline score (default false).
    pub holistic: Option<bool>,
    /// Match sentences to criteria by meaning with the embedding model (default true).
    pub semantic: Option<bool>,
    /// Where the embedding model's files live (default: `<cache>/viva/models/all-minilm-l6-v2`).
    pub model_dir: Option<PathBuf>,
    /// Prices per model: USD per million input/output tokens.
    #[serde(default)]
    pub prices: std::collections::BTreeMap<String, Price>,
}

/// A model's price, USD per million tokens.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// Input (prompt) tokens.
    pub input: f64,
    /// Output (completion) tokens.
    pub output: f64,
}

/// The LLM endpoint as configured (the key is never printed).
#[derive(Clone)]
pub struct LlmSettings {
    /// Base URL.
    pub base_url: String,
    /// Model, if named.
    pub model: Option<String>,
    /// Key, if any.
    pub api_key: Option<String>,
    /// Timeout.
    pub timeout: u64,
    /// Retries.
    pub retries: u32,
    /// Prices by model.
    pub prices: std::collections::BTreeMap<String, Price>,
    /// Average model verdicts with the offline grader's (None: decided by the model, see `lib::llm_grader`).
    pub second_opinion: Option<bool>,
    /// The model gives one holistic grade, blended with the offline score (`--holistic`).
    pub holistic: bool,
}

/// Everything a command needs to know about its environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Store directory.
    pub store: PathBuf,
    /// Extra rubric directory.
    pub bank: Option<PathBuf>,
    /// Grader choice.
    pub grader: GraderChoice,
    /// Colours on stdout.
    pub color: bool,
    /// stdin is a terminal.
    pub interactive: bool,
    /// The LLM endpoint, when one is configured.
    pub llm: Option<LlmSettings>,
    /// Prompt template directory.
    pub prompts: Option<PathBuf>,
    /// Grade by meaning as well as patterns (when the model is installed or can be fetched).
    pub semantic: bool,
    /// The embedding model's directory.
    pub model_dir: PathBuf,
    /// Fetch the model when it is missing (only with a terminal on stderr, where a progress bar can show).
    pub fetch_model: bool,
}

/// Settings errors.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The config file does not parse.
    #[error("config file {0}: {1}")]
    Config(String, String),
    /// An environment variable has a bad value.
    #[error("environment variable {0}={1}: {2}")]
    Env(String, String, String),
}

fn default_config_path() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".config")))
        .map(|d| d.join("viva").join("config.toml"))
}

fn read_config(path: &Path, explicit: bool) -> Result<ConfigFile, SettingsError> {
    match std::fs::read_to_string(path) {
        Ok(t) => toml::from_str(&t).map_err(|e| {
            let line = e
                .span()
                .map(|s| t[..s.start.min(t.len())].matches('\n').count() + 1)
                .unwrap_or(1);
            SettingsError::Config(
                format!("{}:{line}", path.display()),
                e.message().to_string(),
            )
        }),
        Err(e) if !explicit && e.kind() == std::io::ErrorKind::NotFound => {
            Ok(ConfigFile::default())
        }
        Err(e) => Err(SettingsError::Config(
            path.display().to_string(),
            e.to_string(),
        )),
    }
}

fn env_nonempty(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.trim().is_empty())
}

impl std::fmt::Debug for LlmSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmSettings")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "<set>"))
            .field("timeout", &self.timeout)
            .field("second_opinion", &self.second_opinion)
            .field("holistic", &self.holistic)
            .finish()
    }
}

impl Settings {
    /// Merge the layers.
    pub fn resolve(cli: &Cli) -> Result<Settings, SettingsError> {
        use std::io::IsTerminal;
        let cfg = match &cli.config {
            Some(p) => read_config(p, true)?,
            None => match default_config_path() {
                Some(p) => read_config(&p, false)?,
                None => ConfigFile::default(),
            },
        };
        let store = cli
            .store
            .clone()
            .or_else(|| env_nonempty("VIVA_STORE").map(PathBuf::from))
            .or(cfg.store.clone())
            .unwrap_or_else(|| PathBuf::from("sessions"));
        let bank = cli
            .bank
            .clone()
            .or_else(|| env_nonempty("VIVA_BANK").map(PathBuf::from))
            .or(cfg.bank.clone());
        let grader = cli
            .grader
            .or(env_grader()?)
            .or(cfg.grader)
            .unwrap_or_default();
        let base_url = cli
            .base_url
            .clone()
            .or_else(|| env_nonempty("VIVA_LLM_BASE_URL"))
            .or_else(|| env_nonempty("OPENAI_BASE_URL"))
            .or(cfg.base_url.clone());
        let timeout = timeout(cli, &cfg)?;
        let second_opinion = if cli.second_opinion {
            Some(true)
        } else if cli.no_second_opinion {
            Some(false)
        } else {
            env_bool("VIVA_SECOND_OPINION")?.or(cfg.second_opinion)
        };
        let semantic =
            !cli.no_semantic && env_bool("VIVA_SEMANTIC")?.or(cfg.semantic).unwrap_or(true);
        let model_dir = env_nonempty("VIVA_MODEL_DIR")
            .map(PathBuf::from)
            .or(cfg.model_dir.clone())
            .unwrap_or_else(crate::embed::fetch::default_dir);
        let holistic = if cli.holistic {
            true
        } else if cli.no_holistic {
            false
        } else {
            env_bool("VIVA_HOLISTIC")?.or(cfg.holistic).unwrap_or(false)
        };
        let llm = base_url
            .map(|base_url| llm_settings(cli, &cfg, base_url, timeout, (second_opinion, holistic)));
        let prompts = cli
            .prompts
            .clone()
            .or_else(|| env_nonempty("VIVA_PROMPTS").map(PathBuf::from))
            .or(cfg.prompts.clone());
        let color = std::env::var_os("NO_COLOR")
            .map(|v| v.is_empty())
            .unwrap_or(true)
            && std::io::stdout().is_terminal()
            && std::env::var("TERM").map(|t| t != "dumb").unwrap_or(true);
        host(); // the rest of the environment, read once now
        Ok(Settings {
            store,
            bank,
            grader,
            color,
            interactive: std::io::stdin().is_terminal(),
            llm,
            prompts,
            semantic,
            model_dir,
            fetch_model: std::io::stderr().is_terminal(),
        })
    }
}

/// `VIVA_GRADER`, when set.
fn env_grader() -> Result<Option<GraderChoice>, SettingsError> {
    match env_nonempty("VIVA_GRADER") {
        Some(v) => <GraderChoice as clap::ValueEnum>::from_str(&v, true)
            .map(Some)
            .map_err(|_| {
                SettingsError::Env(
                    "VIVA_GRADER".into(),
                    v,
                    "expected auto, llm or offline".into(),
                )
            }),
        None => Ok(None),
    }
}

/// The model-call timeout: `--timeout`, else `VIVA_LLM_TIMEOUT`, else the config file.
fn timeout(cli: &Cli, cfg: &ConfigFile) -> Result<Option<u64>, SettingsError> {
    match cli.timeout {
        Some(t) => Ok(Some(t)),
        None => match env_nonempty("VIVA_LLM_TIMEOUT") {
            Some(v) => v.parse().map(Some).map_err(|_| {
                SettingsError::Env(
                    "VIVA_LLM_TIMEOUT".into(),
                    v,
                    "expected whole seconds".into(),
                )
            }),
            None => Ok(cfg.timeout),
        },
    }
}

/// The endpoint's settings, once a base URL is known.
fn llm_settings(
    cli: &Cli,
    cfg: &ConfigFile,
    base_url: String,
    timeout: Option<u64>,
    (second_opinion, holistic): (Option<bool>, bool),
) -> LlmSettings {
    LlmSettings {
        base_url,
        model: cli
            .model
            .clone()
            .or_else(|| env_nonempty("VIVA_LLM_MODEL"))
            .or(cfg.model.clone()),
        api_key: env_nonempty("VIVA_LLM_API_KEY")
            .or_else(|| env_nonempty("OPENAI_API_KEY"))
            .or(cfg.api_key.clone()),
        timeout: timeout.unwrap_or(120).max(1),
        retries: cfg.retries.unwrap_or(3),
        prices: cfg.prices.clone(),
        second_opinion,
        holistic,
    }
}

/// A yes/no environment variable (unset or empty: None).
fn env_bool(k: &str) -> Result<Option<bool>, SettingsError> {
    match env_nonempty(k) {
        Some(v) => match v.to_ascii_lowercase().as_str() {
            "1" | "true" | "on" | "yes" => Ok(Some(true)),
            "0" | "false" | "off" | "no" => Ok(Some(false)),
            _ => Err(SettingsError::Env(
                k.into(),
                v,
                "expected true or false".into(),
            )),
        },
        None => Ok(None),
    }
}

/// What viva takes from the host environment outside its own flags and config file: the speech, recorder and
/// player settings, the editor, the line-history file, the terminal width, the program search path and the
/// temporary directory. Read once, here, on first use (start-up calls [`host`] before any command runs), so no
/// other module reads the environment.
#[derive(Debug, Default)]
pub struct Host {
    vars: std::collections::BTreeMap<&'static str, String>,
    /// Terminal width for wrapped text: `COLUMNS`, else 80, clamped to 40-100.
    pub width: usize,
    /// `$VISUAL`, else `$EDITOR`: the command that edits a transcript.
    pub editor: Option<String>,
    /// The REPL's line history: `$XDG_DATA_HOME` (else the platform data directory) `/viva/history.txt`.
    pub history: Option<PathBuf>,
    /// `$PATH`, split: where programs (espeak-ng, piper, players, recorders) are looked for.
    pub search_path: Vec<PathBuf>,
    /// The directory for short-lived files (recordings, synthesised speech, transcripts being edited).
    pub temp_dir: PathBuf,
    /// Running under CI (`CI=true`): tests that need an installed tool fail instead of skipping.
    pub ci: bool,
}

/// The speech and audio variables, documented in the README's voice section.
const HOST_VARS: &[&str] = &[
    "VIVA_STT_BASE_URL",
    "VIVA_STT_API_KEY",
    "VIVA_STT_MODEL",
    "VIVA_STT_LANGUAGE",
    "VIVA_STT_PROMPT",
    "VIVA_STT_TIMEOUT",
    "VIVA_TTS_BASE_URL",
    "VIVA_TTS_API_KEY",
    "VIVA_TTS_MODEL",
    "VIVA_TTS_VOICE",
    "VIVA_PIPER_VOICE",
    "VIVA_AUDIO_PLAYER",
    "VIVA_RECORDER",
    "VIVA_LLM_BASE_URL",
    "OPENAI_BASE_URL",
    "OPENAI_API_KEY",
];

impl Host {
    fn from_env() -> Host {
        let vars = HOST_VARS
            .iter()
            .filter_map(|k| {
                let v = std::env::var(k).ok()?;
                let v = v.trim();
                (!v.is_empty()).then(|| (*k, v.to_string()))
            })
            .collect();
        Host {
            vars,
            width: std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.trim().parse().ok())
                .unwrap_or(80usize)
                .clamp(40, 100),
            editor: ["VISUAL", "EDITOR"]
                .iter()
                .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty())),
            history: std::env::var_os("XDG_DATA_HOME")
                .map(PathBuf::from)
                .or_else(dirs::data_dir)
                .map(|d| d.join("viva").join("history.txt")),
            search_path: std::env::var_os("PATH")
                .map(|p| std::env::split_paths(&p).collect())
                .unwrap_or_default(),
            temp_dir: std::env::temp_dir(),
            ci: std::env::var("CI").as_deref() == Ok("true"),
        }
    }

    /// One of the speech and audio variables (trimmed; `None` when unset or blank).
    pub fn var(&self, k: &str) -> Option<String> {
        debug_assert!(HOST_VARS.contains(&k), "{k} is not a host variable");
        self.vars.get(k).cloned()
    }
}

static HOST: std::sync::OnceLock<Host> = std::sync::OnceLock::new();

/// The host environment, read on first use.
pub fn host() -> &'static Host {
    HOST.get_or_init(Host::from_env)
}
