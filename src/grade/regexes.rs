//! Regex-set plumbing shared by the injection and steering detectors: patterns kept on the lazy DFA, sets with room
//! for its states, and the first pattern a text matches.

use regex::RegexSet;

/// A pattern for lower-cased text: ASCII word boundaries keep the regex engine on its fast lazy DFA.
pub(super) fn fast(p: &str) -> String {
    p.replace("\\b", "(?-u:\\b)")
}

/// A set of patterns, with room for the lazy DFA's states (the default cache is cleared so often on these sets
/// that the engine falls back to its slow NFA simulation).
pub(super) fn set<I, S>(patterns: I) -> Result<RegexSet, regex::Error>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    regex::RegexSetBuilder::new(patterns)
        .dfa_size_limit(32 << 20)
        .build()
}

/// The first pattern of `set` that `text` matches. `is_match` goes first: most texts hold none, and it stops early
/// where the overlapping search cannot.
pub(super) fn first_match(set: &RegexSet, text: &str) -> Option<usize> {
    set.is_match(text)
        .then(|| set.matches(text).iter().next())
        .flatten()
}
