//! One validated settings value: built-in defaults < config file < environment < flags.

use crate::cli::Cli;
use crate::grade::GraderChoice;
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
        let env_grader = match env_nonempty("VIVA_GRADER") {
            Some(v) => Some(
                <GraderChoice as clap::ValueEnum>::from_str(&v, true).map_err(|_| {
                    SettingsError::Env(
                        "VIVA_GRADER".into(),
                        v,
                        "expected auto, llm or offline".into(),
                    )
                })?,
            ),
            None => None,
        };
        let store = cli
            .store
            .clone()
            .or_else(|| env_nonempty("VIVA_STORE").map(PathBuf::from))
            .or(cfg.store)
            .unwrap_or_else(|| PathBuf::from("sessions"));
        let bank = cli
            .bank
            .clone()
            .or_else(|| env_nonempty("VIVA_BANK").map(PathBuf::from))
            .or(cfg.bank);
        let grader = cli.grader.or(env_grader).or(cfg.grader).unwrap_or_default();
        let color = std::env::var_os("NO_COLOR")
            .map(|v| v.is_empty())
            .unwrap_or(true)
            && std::io::stdout().is_terminal()
            && std::env::var("TERM").map(|t| t != "dumb").unwrap_or(true);
        Ok(Settings {
            store,
            bank,
            grader,
            color,
            interactive: std::io::stdin().is_terminal(),
        })
    }
}
