//! Secrets out of server text: an endpoint or proxy may echo the `Authorization` header (or the key itself) in
//! an error body or a completion. Everything a server sends is passed through [`redact`] before viva shows,
//! stores or exports it.

use regex::Regex;
use std::sync::OnceLock;

/// What a secret is replaced with.
pub const MASK: &str = "[redacted]";

fn tokens() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // `Bearer <token>` (any scheme-cased "bearer"), and OpenAI-style keys `sk-…` not glued to a word.
        Regex::new(
            r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]{4,}|(^|[^A-Za-z0-9_-])(sk-[A-Za-z0-9_-]{8,})",
        )
        .expect("the redaction pattern compiles")
    })
}

fn userinfo() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // `scheme://user:secret@host`: credentials in a URL's user part.
    RE.get_or_init(|| {
        Regex::new(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@").expect("the URL pattern compiles")
    })
}

/// `text` with the configured `key` (when it is long enough to be a secret), any `Bearer …` or `sk-…` token, and
/// credentials in a URL's user part replaced by [`MASK`].
pub fn redact(text: &str, key: Option<&str>) -> String {
    let mut s = match key.map(str::trim).filter(|k| k.chars().count() >= 6) {
        Some(k) if text.contains(k) => text.replace(k, MASK),
        _ => text.to_string(),
    };
    if userinfo().is_match(&s) {
        s = userinfo()
            .replace_all(&s, format!("${{1}}{MASK}@"))
            .into_owned();
    }
    if tokens().is_match(&s) {
        s = tokens()
            .replace_all(&s, |c: &regex::Captures| {
                if let Some(b) = c.get(1) {
                    format!("{}{MASK}", b.as_str())
                } else {
                    format!("{}{MASK}", c.get(2).map_or("", |m| m.as_str()))
                }
            })
            .into_owned();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_the_key_and_bearer_and_sk_tokens() {
        let t = "401: bad header Authorization: Bearer abc.def-123 and key sk-proj-AAAAbbbbCCCC; mine=zz-secret-42";
        let r = redact(t, Some("zz-secret-42"));
        assert_eq!(
            r,
            "401: bad header Authorization: Bearer [redacted] and key [redacted]; mine=[redacted]"
        );
        // Ordinary words survive: "task-force", "risk-free", a short "sk-1".
        let plain = "a task-force of risk-free sk-1 bearers";
        assert_eq!(redact(plain, Some("x")), plain);
        assert_eq!(redact("BEARER sk-0123456789", None), "BEARER [redacted]");
        assert_eq!(
            redact(
                "cannot reach http://me:hunter2@127.0.0.1:9/v1 (refused)",
                None
            ),
            "cannot reach http://[redacted]@127.0.0.1:9/v1 (refused)"
        );
    }
}
