//! The LLM adapter: an OpenAI-compatible chat client (async-openai over reqwest) with timeouts, retries that
//! honour Retry-After, response-format fallbacks, streaming, and token accounting; the grader seam; and the
//! model-backed grader, question writer and rubric drafter. Decisions about grades live in the core
//! ([`crate::grade::verdicts`]); this module is transport.

pub mod breaker;
pub mod budget;
pub mod client;
pub mod drafter;
pub mod follow_up;
pub mod grader;
pub mod holistic;
pub mod prompt;
pub mod quote;
pub mod redact;

pub use client::{install_crypto, Format, LlmClient};

use crate::bank::{Bank, Question};
use crate::grade::verdicts::Submission;
use crate::grade::Grade;
use serde_json::Value;
use std::time::Duration;

/// Endpoint configuration. The key is never printed (Debug hides it).
#[derive(Clone)]
pub struct LlmConfig {
    /// Base URL ending in /v1.
    pub base_url: String,
    /// Model name.
    pub model: String,
    /// API key, when the endpoint needs one.
    pub api_key: Option<String>,
    /// Connect and read timeout.
    pub timeout: Duration,
    /// Retries on 429/5xx/connect errors.
    pub retries: u32,
    /// Longest wait between retries.
    pub max_backoff: Duration,
    /// Price per million input and output tokens, USD.
    pub price: Option<(f64, f64)>,
}

impl std::fmt::Debug for LlmConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmConfig")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "<set>"))
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .finish()
    }
}

/// LLM call failures (after retries).
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// Could not reach the endpoint.
    #[error("cannot reach {0}: {1}")]
    Connect(String, String),
    /// The endpoint answered with an error status.
    #[error("the endpoint answered {message}")]
    Status {
        /// The HTTP status code.
        code: u16,
        /// The status line and the endpoint's message (its first 200 characters), as shown.
        message: String,
    },
    /// The call timed out.
    #[error("the model call timed out after {0} s")]
    Timeout(u64),
    /// The response could not be used.
    #[error("unusable model response: {0}")]
    BadResponse(String),
    /// The stream broke off.
    #[error("the response stream broke off: {0}")]
    Stream(String),
    /// Cancelled by the user.
    #[error("cancelled")]
    Cancelled,
    /// The circuit breaker is open: the endpoint is not called again this session.
    #[error("the endpoint is switched off for this run after {0} timeouts or failed connections in a row (/retry-model in an interview tries it again)")]
    Unavailable(u32),
}

/// One finished completion.
#[derive(Debug, Clone, Default)]
pub struct Completion {
    /// The text the model produced.
    pub content: String,
    /// Prompt tokens (from the server, else estimated).
    pub prompt_tokens: u32,
    /// Completion tokens (from the server, else estimated).
    pub completion_tokens: u32,
    /// Wall time.
    pub latency_ms: u64,
    /// Wall time in microseconds.
    pub call_us: u64,
    /// Which response format was accepted: json_schema, json_object or text.
    pub format: String,
    /// HTTP attempts made (1 + retries).
    pub attempts: u32,
    /// The server stopped at the token limit (`finish_reason: "length"`): the reply is incomplete.
    pub cut_off: bool,
    /// The first token's most likely alternatives and their log-probabilities, when they were asked for and the
    /// server gives them.
    pub first_top: Vec<(String, f64)>,
}

/// The JSON in a model's reply: the whole text, else its first JSON object.
pub fn reply_json(content: &str) -> Option<Value> {
    serde_json::from_str(content.trim())
        .ok()
        .or_else(|| first_json_object(content))
}

/// Extract the first balanced JSON object from text (models sometimes wrap JSON in prose or ``` fences).
pub fn first_json_object(s: &str) -> Option<Value> {
    let bytes = s.as_bytes();
    let mut start = 0;
    while let Some(off) = s[start..].find('{') {
        let i = start + off;
        let (mut depth, mut in_str, mut esc) = (0i32, false, false);
        for (j, &b) in bytes.iter().enumerate().skip(i) {
            if in_str {
                match (esc, b) {
                    (true, _) => esc = false,
                    (false, b'\\') => esc = true,
                    (false, b'"') => in_str = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => in_str = true,
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        if let Ok(v) = serde_json::from_str::<Value>(&s[i..=j]) {
                            return Some(v);
                        }
                        break;
                    }
                }
                _ => {}
            }
        }
        start = i + 1;
    }
    None
}

/// The one-time notice when the breaker has just opened (None otherwise, and on every later call).
pub fn breaker_notice(client: &LlmClient) -> Option<String> {
    client.breaker.take_news().then(|| {
        format!(
            "The model endpoint {} timed out or refused {} times in a row: not calling it again in this run; \
             answers are graded offline (marked degraded). /retry-model in an interview, or a new run, tries it again.",
            client.cfg.base_url,
            breaker::TRIP_AFTER
        )
    })
}

/// The grader seam: the interview and the commands grade through this.
#[derive(Clone)]
pub enum Grader {
    /// Deterministic, local, no model.
    Offline,
    /// An OpenAI-compatible endpoint, with the offline grader as detector, second opinion and fallback.
    Llm(Box<grader::LlmGrader>),
}

impl Grader {
    /// Short name for display.
    pub fn name(&self) -> String {
        match self {
            Grader::Offline => "offline".into(),
            Grader::Llm(g) => g.name(),
        }
    }

    /// Grade an answer to a question (or to one of its ladder rungs); `on_token` sees model output as it streams.
    pub async fn grade(
        &self,
        bank: &Bank,
        q: &Question,
        rung: Option<usize>,
        answer: &str,
        on_token: &mut (dyn FnMut(&str) + Send),
    ) -> Grade {
        match self {
            Grader::Offline => crate::grade::offline::grade(bank, q, rung, answer),
            Grader::Llm(g) => {
                let sub = Submission {
                    bank,
                    question: q,
                    rung,
                    answer,
                };
                g.grade(&sub, on_token).await
            }
        }
    }

    /// Grade without streaming.
    pub async fn grade_quiet(
        &self,
        bank: &Bank,
        q: &Question,
        rung: Option<usize>,
        answer: &str,
    ) -> Grade {
        self.grade(bank, q, rung, answer, &mut |_| {}).await
    }
}

#[cfg(test)]
impl LlmConfig {
    /// A configuration for unit tests that never reach a server: the 0.5B model's name at a closed port.
    pub(crate) fn unreachable_for_tests() -> LlmConfig {
        LlmConfig {
            base_url: "http://127.0.0.1:9/v1".into(),
            model: "qwen2.5-coder-0.5b-instruct".into(),
            api_key: None,
            timeout: Duration::from_secs(1),
            retries: 0,
            max_backoff: Duration::from_secs(1),
            price: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_extraction() {
        let v = first_json_object("Sure! ```json\n{\"a\": {\"b\": \"}\"}, \"c\": [1]}\n``` done")
            .unwrap();
        assert_eq!(v["a"]["b"], "}");
        assert!(first_json_object("no json {here").is_none());
    }

    #[test]
    fn debug_hides_the_key() {
        let c = LlmConfig {
            api_key: Some("sk-secret".into()),
            ..LlmConfig::unreachable_for_tests()
        };
        assert!(!format!("{c:?}").contains("sk-secret"));
    }
}
