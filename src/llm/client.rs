//! The chat client: an OpenAI-compatible endpoint through async-openai over reqwest, with connect and read
//! timeouts, retries that honour Retry-After, the circuit breaker, response-format fallbacks, streaming, and token
//! accounting.

use super::{breaker, budget, redact, Completion, LlmConfig, LlmError};
use crate::errors::root_cause;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::middleware::HttpRequestFactory;
use futures::StreamExt;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How to ask for structured output, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A JSON schema.
    Schema,
    /// Any JSON object.
    Object,
    /// Plain text; the first JSON object is extracted.
    Text,
}

/// The chat client.
#[derive(Clone)]
pub struct LlmClient {
    client: async_openai::Client<OpenAIConfig>,
    /// Its configuration.
    pub cfg: LlmConfig,
    attempts: Arc<AtomicU32>,
    /// Shared by every clone: opens after consecutive timeouts or failed connections.
    pub breaker: Arc<breaker::Breaker>,
}

/// How many alternatives of a token to ask for when log-probabilities are wanted (OpenAI allows up to 20).
const TOP_LOGPROBS: u32 = 10;

/// The first token's alternatives in a streamed chunk: (token, log-probability), most likely first.
fn first_top(chunk: &Value) -> Vec<(String, f64)> {
    let Some(alts) = chunk["choices"][0]["logprobs"]["content"][0]["top_logprobs"].as_array()
    else {
        return Vec::new();
    };
    alts.iter()
        .filter_map(|a| Some((a["token"].as_str()?.to_string(), a["logprob"].as_f64()?)))
        .filter(|(_, lp)| lp.is_finite())
        .collect()
}

fn backoff(attempt: u32, cap: Duration) -> Duration {
    let base = Duration::from_millis(250u64.saturating_mul(1 << attempt.min(8)));
    let jitter = Duration::from_millis(rand::random::<u64>() % 100);
    (base + jitter).min(cap)
}

fn retry_after(h: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = h
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .to_string();
    v.parse::<f64>()
        .ok()
        .filter(|s| *s >= 0.0)
        .map(Duration::from_secs_f64)
}

/// Install the ring crypto provider for rustls (once per process).
pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl LlmClient {
    /// Build a client: reqwest with connect/read timeouts under async-openai, retries in a tower service.
    pub fn new(cfg: LlmConfig) -> Result<LlmClient, LlmError> {
        install_crypto();
        let http = reqwest::Client::builder()
            .connect_timeout(cfg.timeout.min(Duration::from_secs(10)))
            .read_timeout(cfg.timeout)
            .build()
            .map_err(|e| LlmError::Connect(redact::redact(&cfg.base_url, None), e.to_string()))?;
        let attempts = Arc::new(AtomicU32::new(0));
        let breaker = Arc::new(breaker::Breaker::default());
        let (retries, cap, counter) = (cfg.retries, cfg.max_backoff, attempts.clone());
        let brk = breaker.clone();
        let service = tower::service_fn(move |factory: HttpRequestFactory| {
            let http = http.clone();
            let counter = counter.clone();
            let brk = brk.clone();
            async move {
                let mut attempt = 0u32;
                loop {
                    counter.fetch_add(1, Ordering::Relaxed);
                    let req = factory.build().await?;
                    let res = http.execute(req).await;
                    match &res {
                        Ok(_) => brk.success(),
                        Err(e) if e.is_connect() || e.is_timeout() => {
                            // No more retries once the breaker is open: each would cost a whole timeout.
                            if brk.failure() || brk.is_open() {
                                return Err(OpenAIError::Reqwest(res.expect_err("an error")));
                            }
                        }
                        Err(_) => {}
                    }
                    match res {
                        Ok(resp)
                            if (resp.status().as_u16() == 429
                                || resp.status().is_server_error())
                                && attempt < retries =>
                        {
                            let wait = retry_after(resp.headers())
                                .unwrap_or_else(|| backoff(attempt, cap))
                                .min(cap);
                            tokio::time::sleep(wait).await;
                        }
                        Ok(resp) => return Ok::<_, OpenAIError>(resp),
                        Err(e) if (e.is_connect() || e.is_timeout()) && attempt < retries => {
                            tokio::time::sleep(backoff(attempt, cap)).await
                        }
                        Err(e) => return Err(OpenAIError::Reqwest(e)),
                    }
                    attempt += 1;
                }
            }
        });
        let mut oc = OpenAIConfig::new().with_api_base(cfg.base_url.trim_end_matches('/'));
        oc = oc.with_api_key(cfg.api_key.clone().unwrap_or_default());
        let client = async_openai::Client::with_config(oc).with_http_service(service);
        Ok(LlmClient {
            client,
            cfg,
            attempts,
            breaker,
        })
    }

    /// Server text with the key and any bearer or `sk-` token masked (see [`redact`]).
    pub fn redact(&self, text: &str) -> String {
        redact::redact(text, self.cfg.api_key.as_deref())
    }

    fn map_err(&self, e: OpenAIError) -> LlmError {
        match self.map_err_raw(e) {
            LlmError::Connect(u, m) => LlmError::Connect(self.redact(&u), self.redact(&m)),
            LlmError::Status { code, message } => LlmError::Status {
                code,
                message: self.redact(&message),
            },
            LlmError::BadResponse(m) => LlmError::BadResponse(self.redact(&m)),
            LlmError::Stream(m) => LlmError::Stream(self.redact(&m)),
            other => other,
        }
    }

    fn map_err_raw(&self, e: OpenAIError) -> LlmError {
        match e {
            OpenAIError::Reqwest(r) if r.is_timeout() => {
                LlmError::Timeout(self.cfg.timeout.as_secs())
            }
            OpenAIError::Reqwest(r) if r.is_connect() => {
                LlmError::Connect(self.cfg.base_url.clone(), root_cause(&r))
            }
            OpenAIError::Reqwest(r) => LlmError::Stream(root_cause(&r)),
            OpenAIError::ApiError(a) => LlmError::Status {
                code: a.status_code.as_u16(),
                message: format!(
                    "{} {}",
                    a.status_code,
                    a.api_error.message.chars().take(200).collect::<String>()
                ),
            },
            OpenAIError::JSONDeserialize(e, _) => {
                LlmError::BadResponse(format!("not a chat completion ({e})"))
            }
            OpenAIError::StreamError(s) => LlmError::Stream(s.to_string()),
            other => LlmError::BadResponse(other.to_string()),
        }
    }

    /// One chat completion, streamed; `on_token` sees each piece of text as it arrives.
    /// Falls back from a JSON schema to a JSON object to plain text when the server rejects the format.
    pub async fn chat(
        &self,
        messages: &[Value],
        schema: Option<&Value>,
        max_tokens: u32,
        on_token: &mut (dyn FnMut(&str) + Send),
    ) -> Result<Completion, LlmError> {
        if self.breaker.is_open() {
            return Err(LlmError::Unavailable(breaker::TRIP_AFTER));
        }
        let formats: &[Format] = if schema.is_some() {
            &[Format::Schema, Format::Object, Format::Text]
        } else {
            &[Format::Text]
        };
        let mut last = None;
        for f in formats {
            match self
                .chat_once(messages, schema, *f, max_tokens, on_token, false)
                .await
            {
                Ok(c) => return Ok(c),
                // A 4xx about the request (not auth, not rate limit) means "try a simpler format".
                Err(
                    e @ LlmError::Status {
                        code: 400 | 422 | 501,
                        ..
                    },
                ) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| LlmError::BadResponse("no response format worked".into())))
    }

    /// One token of plain text with the first token's most likely alternatives and their log-probabilities
    /// (`Completion::first_top`), for reading a grade as a distribution rather than a single draw.
    pub async fn first_token(&self, messages: &[Value]) -> Result<Completion, LlmError> {
        if self.breaker.is_open() {
            return Err(LlmError::Unavailable(breaker::TRIP_AFTER));
        }
        self.chat_once(messages, None, Format::Text, 1, &mut |_| {}, true)
            .await
    }

    /// The request body: deterministic sampling, streamed with usage, in response format `f`; `logprobs` asks for
    /// the top alternatives of each token.
    fn request(
        &self,
        messages: &[Value],
        schema: Option<&Value>,
        f: Format,
        max_tokens: u32,
        logprobs: bool,
    ) -> Value {
        let mut req = json!({
            "model": self.cfg.model,
            "messages": messages,
            "temperature": 0,
            "seed": 7,
            "max_tokens": max_tokens,
            "stream": true,
            "stream_options": {"include_usage": true},
        });
        if logprobs {
            req["logprobs"] = json!(true);
            req["top_logprobs"] = json!(TOP_LOGPROBS);
        }
        match (f, schema) {
            (Format::Schema, Some(s)) => {
                req["response_format"] = json!({"type": "json_schema", "json_schema": {"name": "grade", "strict": true, "schema": s}})
            }
            (Format::Object, _) => req["response_format"] = json!({"type": "json_object"}),
            _ => {}
        }
        req
    }

    async fn chat_once(
        &self,
        messages: &[Value],
        schema: Option<&Value>,
        f: Format,
        max_tokens: u32,
        on_token: &mut (dyn FnMut(&str) + Send),
        logprobs: bool,
    ) -> Result<Completion, LlmError> {
        let req = self.request(messages, schema, f, max_tokens, logprobs);
        let start = Instant::now();
        let before = self.attempts.load(Ordering::Relaxed);
        let mut stream = self
            .client
            .chat()
            .create_stream_byot::<Value, Value>(req)
            .await
            .map_err(|e| self.map_err(e))?;
        let mut c = Completion {
            format: format!("{f:?}").to_lowercase(),
            ..Default::default()
        };
        let mut finished = false;
        while let Some(item) = stream.next().await {
            let v = item.map_err(|e| self.map_err(e))?;
            if let Some(t) = v["choices"][0]["delta"]["content"].as_str() {
                on_token(t);
                c.content.push_str(t);
            }
            if c.first_top.is_empty() {
                c.first_top = first_top(&v);
            }
            if let Some(reason) = v["choices"][0]["finish_reason"].as_str() {
                finished = true;
                c.cut_off = reason == "length";
            }
            if let Some(u) = v.get("usage").filter(|u| u.is_object()) {
                c.prompt_tokens = u["prompt_tokens"].as_u64().unwrap_or(0) as u32;
                c.completion_tokens = u["completion_tokens"].as_u64().unwrap_or(0) as u32;
            }
        }
        if !finished && c.content.is_empty() {
            return Err(LlmError::Stream(
                "the stream ended without any content".into(),
            ));
        }
        if c.completion_tokens == 0 {
            c.completion_tokens = budget::count(&self.cfg.model, &c.content) as u32;
        }
        if c.prompt_tokens == 0 {
            c.prompt_tokens = messages
                .iter()
                .map(|m| {
                    budget::count(&self.cfg.model, m["content"].as_str().unwrap_or("")) as u32 + 4
                })
                .sum();
        }
        c.content = self.redact(&c.content);
        c.latency_ms = start.elapsed().as_millis() as u64;
        c.call_us = start.elapsed().as_micros() as u64;
        c.attempts = self
            .attempts
            .load(Ordering::Relaxed)
            .saturating_sub(before)
            .max(1);
        Ok(c)
    }

    /// The models the endpoint lists (None when it has no /models).
    pub async fn models(&self) -> Option<Vec<String>> {
        let url = format!("{}/models", self.cfg.base_url.trim_end_matches('/'));
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(self.cfg.timeout)
            .build()
            .ok()?;
        let mut rb = http.get(url);
        if let Some(k) = &self.cfg.api_key {
            rb = rb.bearer_auth(k);
        }
        let v: Value = rb
            .send()
            .await
            .ok()?
            .error_for_status()
            .ok()?
            .json()
            .await
            .ok()?;
        Some(
            v["data"]
                .as_array()?
                .iter()
                .filter_map(|m| m["id"].as_str().map(|id| self.redact(id)))
                .collect(),
        )
    }

    /// Estimated cost in USD of a completion, when prices are configured.
    pub fn cost(&self, c: &Completion) -> Option<f64> {
        self.cfg
            .price
            .map(|(i, o)| (c.prompt_tokens as f64 * i + c.completion_tokens as f64 * o) / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_header() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(reqwest::header::RETRY_AFTER, "2".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
    }
}
