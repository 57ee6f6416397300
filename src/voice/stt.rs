//! Speech to text through an OpenAI-compatible `/v1/audio/transcriptions` endpoint (multipart upload).
//!
//! Endpoint: `VIVA_STT_BASE_URL`, else `VIVA_LLM_BASE_URL`, else `OPENAI_BASE_URL`, else the OpenAI API when a key is
//! set. Key: `VIVA_STT_API_KEY`, else `OPENAI_API_KEY`; it is sent as a bearer token and never printed or stored.
//! The form carries the model name twice, as `model` (OpenAI) and `model_name` (faster-whisper-server).

use std::path::Path;
use std::time::{Duration, Instant};

/// Speech-to-text errors. None of them carries the API key.
#[derive(Debug, thiserror::Error)]
pub enum SttError {
    /// No endpoint is configured.
    #[error("no speech-to-text endpoint is configured (set VIVA_STT_BASE_URL, or start a local one with scripts/local-stt)")]
    NotConfigured,
    /// The endpoint cannot be reached.
    #[error("cannot reach the speech-to-text endpoint at {url} ({detail})")]
    Unreachable {
        /// The endpoint.
        url: String,
        /// Why.
        detail: String,
    },
    /// The endpoint answered with an error status.
    #[error("the speech-to-text endpoint {url} answered HTTP {status}: {body}")]
    Status {
        /// The endpoint.
        url: String,
        /// HTTP status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// The answer was not the expected JSON.
    #[error("the speech-to-text endpoint {url} sent an unexpected answer: {detail}")]
    BadResponse {
        /// The endpoint.
        url: String,
        /// What was wrong.
        detail: String,
    },
    /// The audio file cannot be read.
    #[error("cannot read {path}: {detail}")]
    Audio {
        /// The file.
        path: String,
        /// Why.
        detail: String,
    },
    /// Ctrl-C during the request.
    #[error("transcription cancelled")]
    Cancelled,
}

/// Where and how to transcribe.
#[derive(Clone)]
pub struct SttConfig {
    /// Base URL ending in `/v1` (no trailing slash).
    pub base_url: String,
    /// Bearer key, if any.
    pub api_key: Option<String>,
    /// Model name (`VIVA_STT_MODEL`, default `whisper-1`).
    pub model: String,
    /// Language hint (`VIVA_STT_LANGUAGE`, default `en`; empty for none).
    pub language: Option<String>,
    /// What goes ahead of the context in the prompt (`VIVA_STT_PROMPT`: unset, `off`, or your own text).
    pub lead_in: LeadIn,
    /// Request timeout.
    pub timeout: Duration,
}

/// The prompt's lead-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeadIn {
    /// [`FILLER_PROMPT`] before a context (the question); nothing without one. Whisper keeps "um" and "uh" when its
    /// prompt has them. Measured on 12 espeak-ng answers with tiny.en at temperature 0: with the question as
    /// context the lead-in lowered the word error rate (0.302 to 0.290); on its own it raised it (0.293 to 0.386).
    Fillers,
    /// Only the context.
    Off,
    /// This text before the context.
    Custom(String),
}

/// A disfluent lead-in: Whisper keeps fillers when its prompt has them.
pub const FILLER_PROMPT: &str =
    "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking.";

impl std::fmt::Debug for SttConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SttConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<set>"))
            .field("model", &self.model)
            .field("language", &self.language)
            .field("lead_in", &self.lead_in)
            .finish()
    }
}

/// The OpenAI API, used when only a key is set.
pub const OPENAI_BASE: &str = "https://api.openai.com/v1";

impl SttConfig {
    /// From the host environment (see [`crate::settings::host`]); `None` when no endpoint is configured.
    pub fn from_env() -> Option<SttConfig> {
        Self::from_lookup(|k| crate::settings::host().var(k))
    }

    /// From any variable lookup (tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Option<SttConfig> {
        let get = |k: &str| {
            get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let api_key = get("VIVA_STT_API_KEY").or_else(|| get("OPENAI_API_KEY"));
        let base = get("VIVA_STT_BASE_URL")
            .or_else(|| get("VIVA_LLM_BASE_URL"))
            .or_else(|| get("OPENAI_BASE_URL"))
            .or_else(|| api_key.as_ref().map(|_| OPENAI_BASE.to_string()))?;
        Some(SttConfig {
            base_url: base.trim_end_matches('/').to_string(),
            api_key,
            model: get("VIVA_STT_MODEL").unwrap_or_else(|| "whisper-1".into()),
            language: match get("VIVA_STT_LANGUAGE") {
                Some(l) if l == "auto" => None,
                Some(l) => Some(l),
                None => Some("en".into()),
            },
            lead_in: match get("VIVA_STT_PROMPT") {
                Some(p) if p == "off" => LeadIn::Off,
                Some(p) => LeadIn::Custom(p),
                None => LeadIn::Fillers,
            },
            timeout: Duration::from_secs(
                get("VIVA_STT_TIMEOUT")
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(120),
            ),
        })
    }

    /// The transcription URL.
    pub fn url(&self) -> String {
        format!("{}/audio/transcriptions", self.base_url)
    }

    /// Quick check that something listens at the endpoint's host and port (no request is sent).
    pub fn reachable(&self) -> Result<(), SttError> {
        let unreachable = |detail: String| SttError::Unreachable {
            url: self.base_url.clone(),
            detail,
        };
        let url = reqwest::Url::parse(&self.base_url)
            .map_err(|e| unreachable(format!("bad URL: {e}")))?;
        let host = url
            .host_str()
            .ok_or_else(|| unreachable("no host".into()))?;
        let port = url.port_or_known_default().unwrap_or(80);
        let addrs: Vec<std::net::SocketAddr> =
            std::net::ToSocketAddrs::to_socket_addrs(&(host, port))
                .map_err(|e| unreachable(e.to_string()))?
                .collect();
        let mut last = String::from("no address");
        for a in addrs {
            match std::net::TcpStream::connect_timeout(&a, Duration::from_secs(2)) {
                Ok(_) => return Ok(()),
                Err(e) => last = e.to_string(),
            }
        }
        Err(unreachable(last))
    }
}

/// An HTTP client for the voice adapters (rustls on ring, installed once).
pub fn http_client(timeout: Duration) -> Result<reqwest::Client, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(5))
        .build()
        .map_err(|e| e.to_string())
}

fn error_detail(e: &reqwest::Error) -> String {
    let mut s = if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        "connection failed".to_string()
    } else {
        "request failed".to_string()
    };
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s = format!("{s}: {inner}");
        src = inner.source();
    }
    s
}

/// The prompt for one request: the configured lead-in, then the context (the question asked), at most ~600 chars.
pub fn prompt_for(cfg: &SttConfig, context: Option<&str>) -> Option<String> {
    let ctx: Option<String> = context
        .map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|c| !c.is_empty())
        .map(|c| c.chars().take(500).collect());
    match (&cfg.lead_in, ctx) {
        (LeadIn::Fillers, Some(c)) => Some(format!("{FILLER_PROMPT} {c}")),
        (LeadIn::Fillers, None) => None,
        (LeadIn::Custom(p), Some(c)) => Some(format!("{p} {c}")),
        (LeadIn::Custom(p), None) => Some(p.clone()),
        (LeadIn::Off, c) => c,
    }
}

/// Transcribe one audio file; `context` (the question) goes into the prompt to help with technical words.
pub async fn transcribe(
    cfg: &SttConfig,
    audio: &Path,
    context: Option<&str>,
) -> Result<String, SttError> {
    let bytes = std::fs::read(audio).map_err(|e| SttError::Audio {
        path: audio.display().to_string(),
        detail: e.to_string(),
    })?;
    let url = cfg.url();
    let client = http_client(cfg.timeout).map_err(|detail| SttError::Unreachable {
        url: url.clone(),
        detail,
    })?;
    let name = audio
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "answer.wav".into());
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(name)
        .mime_str("audio/wav")
        .expect("a valid MIME type");
    let mut form = reqwest::multipart::Form::new()
        .part("file", part)
        .text("model", cfg.model.clone())
        .text("model_name", cfg.model.clone())
        .text("response_format", "json")
        .text("temperature", "0");
    if let Some(l) = &cfg.language {
        form = form.text("language", l.clone());
    }
    if let Some(p) = prompt_for(cfg, context) {
        form = form.text("prompt", p);
    }
    let mut req = client.post(&url).multipart(form);
    if let Some(k) = &cfg.api_key {
        req = req.bearer_auth(k);
    }
    let resp = req.send().await.map_err(|e| SttError::Unreachable {
        url: url.clone(),
        detail: error_detail(&e),
    })?;
    let status = resp.status();
    let body = resp.text().await.map_err(|e| SttError::BadResponse {
        url: url.clone(),
        detail: error_detail(&e),
    })?;
    if !status.is_success() {
        let mut b: String = body.chars().take(200).collect();
        if body.chars().count() > 200 {
            b.push('…');
        }
        return Err(SttError::Status {
            url,
            status: status.as_u16(),
            body: crate::llm::redact::redact(&b.replace('\n', " "), cfg.api_key.as_deref()),
        });
    }
    let v: serde_json::Value = serde_json::from_str(&body).map_err(|e| SttError::BadResponse {
        url: url.clone(),
        detail: format!("not JSON ({e})"),
    })?;
    match v.get("text").and_then(|t| t.as_str()) {
        // A model stuck repeating itself is cut where the loop starts (see `runaway`).
        Some(t) => Ok(crate::llm::redact::redact(
            &super::runaway::cut_runaway(t.trim()),
            cfg.api_key.as_deref(),
        )),
        None => Err(SttError::BadResponse {
            url,
            detail: "no \"text\" field".into(),
        }),
    }
}

/// Transcribe on a small runtime of its own; Ctrl-C cancels the request, not the process. Returns the text and
/// the time the request took.
pub fn transcribe_blocking(
    cfg: &SttConfig,
    audio: &Path,
    context: Option<&str>,
) -> Result<(String, Duration), SttError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| SttError::Unreachable {
            url: cfg.url(),
            detail: format!("cannot start the async runtime: {e}"),
        })?;
    let t0 = Instant::now();
    let text = rt.block_on(async {
        tokio::select! {
            r = transcribe(cfg, audio, context) => r,
            _ = tokio::signal::ctrl_c() => Err(SttError::Cancelled),
        }
    })?;
    Ok((text, t0.elapsed()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(vars: &[(&str, &str)]) -> Option<SttConfig> {
        let m: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        SttConfig::from_lookup(|k| m.get(k).cloned())
    }

    #[test]
    fn endpoint_precedence_and_defaults() {
        assert!(cfg(&[]).is_none());
        let c = cfg(&[
            ("OPENAI_BASE_URL", "http://a/v1/"),
            ("VIVA_LLM_BASE_URL", "http://b/v1"),
        ])
        .unwrap();
        assert_eq!(c.base_url, "http://b/v1");
        assert_eq!(c.url(), "http://b/v1/audio/transcriptions");
        assert_eq!(c.model, "whisper-1");
        assert_eq!(c.language.as_deref(), Some("en"));
        assert_eq!(prompt_for(&c, None), None);
        assert_eq!(
            prompt_for(&c, Some("Explain  anchors.\n")),
            Some(format!("{FILLER_PROMPT} Explain anchors."))
        );
        let off = cfg(&[
            ("VIVA_STT_BASE_URL", "http://c/v1"),
            ("VIVA_STT_PROMPT", "off"),
        ])
        .unwrap();
        assert_eq!(prompt_for(&off, None), None);
        assert_eq!(prompt_for(&off, Some("Q?")).as_deref(), Some("Q?"));
        let own = cfg(&[
            ("VIVA_STT_BASE_URL", "http://c/v1"),
            ("VIVA_STT_PROMPT", "Uh."),
        ])
        .unwrap();
        assert_eq!(prompt_for(&own, None).as_deref(), Some("Uh."));
        assert_eq!(prompt_for(&own, Some("Q?")).as_deref(), Some("Uh. Q?"));
        let c = cfg(&[
            ("VIVA_STT_BASE_URL", "http://c/v1"),
            ("VIVA_LLM_BASE_URL", "http://b/v1"),
        ])
        .unwrap();
        assert_eq!(c.base_url, "http://c/v1");
        let c = cfg(&[
            ("OPENAI_API_KEY", "sk-secret"),
            ("VIVA_STT_LANGUAGE", "auto"),
        ])
        .unwrap();
        assert_eq!(c.base_url, OPENAI_BASE);
        assert_eq!(c.language, None);
        assert!(
            !format!("{c:?}").contains("sk-secret"),
            "the key never shows in debug output"
        );
        let c = cfg(&[
            ("VIVA_STT_BASE_URL", "http://c/v1"),
            ("VIVA_STT_API_KEY", "k1"),
            ("OPENAI_API_KEY", "k2"),
        ])
        .unwrap();
        assert_eq!(c.api_key.as_deref(), Some("k1"));
    }

    #[test]
    fn unreachable_endpoint_is_reported() {
        // A port nothing listens on: bound without listening, and held until the test ends.
        let held =
            socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        let any: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
        held.bind(&any.into()).unwrap();
        let port = held.local_addr().unwrap().as_socket().unwrap().port();
        let c = cfg(&[("VIVA_STT_BASE_URL", &format!("http://127.0.0.1:{port}/v1"))]).unwrap();
        assert!(matches!(c.reachable(), Err(SttError::Unreachable { .. })));
        let dir = tempfile::tempdir().unwrap();
        let wav = dir.path().join("a.wav");
        crate::voice::audio::write_wav_i16(&wav, 16_000, &[0; 160]).unwrap();
        let e = transcribe_blocking(&c, &wav, None).unwrap_err();
        assert!(
            e.to_string()
                .contains("cannot reach the speech-to-text endpoint"),
            "{e}"
        );
    }
}
