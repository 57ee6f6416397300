//! Token counting and truncation with tiktoken-rs (the model's encoding when known, else o200k_base).

use std::sync::OnceLock;
use tiktoken_rs::CoreBPE;

fn o200k() -> Option<&'static CoreBPE> {
    static B: OnceLock<Option<CoreBPE>> = OnceLock::new();
    B.get_or_init(|| tiktoken_rs::o200k_base().ok()).as_ref()
}

fn cl100k() -> Option<&'static CoreBPE> {
    static B: OnceLock<Option<CoreBPE>> = OnceLock::new();
    B.get_or_init(|| tiktoken_rs::cl100k_base().ok()).as_ref()
}

fn bpe_for(model: &str) -> Option<&'static CoreBPE> {
    use tiktoken_rs::tokenizer::{get_tokenizer, Tokenizer};
    match get_tokenizer(model) {
        Some(Tokenizer::Cl100kBase) => cl100k(),
        _ => o200k(),
    }
}

/// Tokens in `text` for `model`.
pub fn count(model: &str, text: &str) -> usize {
    match bpe_for(model) {
        Some(b) => b.encode_with_special_tokens(text).len(),
        None => text.split_whitespace().count() * 4 / 3 + 1,
    }
}

/// Cut `text` to at most `max` tokens; returns the text and whether it was cut.
pub fn truncate(model: &str, text: &str, max: usize) -> (String, bool) {
    let Some(b) = bpe_for(model) else {
        return (text.to_string(), false);
    };
    let toks = b.encode_with_special_tokens(text);
    if toks.len() <= max {
        return (text.to_string(), false);
    }
    // Decode a prefix; back off until it decodes on a character boundary.
    let mut n = max;
    while n > 0 {
        if let Ok(s) = b.decode(toks[..n].to_vec()) {
            return (s, true);
        }
        n -= 1;
    }
    (String::new(), true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_truncates() {
        let t = "anchor boxes at every location ".repeat(100);
        let n = count("qwen2.5-coder", &t);
        assert!(n > 300 && n < 800, "{n}");
        let (cut, was) = truncate("qwen2.5-coder", &t, 50);
        assert!(was);
        assert!(count("qwen2.5-coder", &cut) <= 50);
        assert!(t.starts_with(&cut));
        assert_eq!(
            truncate("gpt-4o", "short", 50),
            ("short".to_string(), false)
        );
    }
}
