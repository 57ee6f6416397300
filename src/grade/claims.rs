//! Claim density: how much of an answer makes claims (relates its terms with a verb, a preposition, a number)
//! rather than listing them. A list of buzzwords scores low; the grader reads it as jargon.

use super::claim_words::{BUZZWORDS, LINKS};
use super::detect::{blank, code_lines, is_function_word};
use super::fasthash::FnvSet;

/// Fraction of an answer's words that sit in stretches making a claim (see [`LINKS`]); a comma-separated
/// list of buzzwords scores low, a telegraphic but specific answer ("warmup then cosine, label smoothing 0.1")
/// high. Stretches are split at ; : . ! ? ( ), line breaks and dashes, and their items at commas (see [`Item`]).
/// `notation`: the answer writes notes in the field's notation (see [`notation`]), so a stretch with a relation mark
/// makes a claim.
pub fn claim_density(text: &str, notation: bool) -> f64 {
    let code = code_lines(text);
    if !code.is_empty() {
        return claim_density(&blank(text, &code), notation);
    }
    let (mut claim, mut total) = (0usize, 0usize);
    for stretch in stretches(text) {
        let items: Vec<Item> = stretch
            .split(',')
            .map(|seg| Item::read(seg, notation))
            .collect();
        // A short run of comma items with a claim in it is one claim about all of them ("hurts depthwise nets,
        // outlier activations, detail tasks"); a longer run is a list, whatever one item says.
        let shared = items.len() <= SHARED_ITEMS && items.iter().any(|i| i.says);
        for i in &items {
            total += i.words;
            if i.says || shared {
                claim += i.words;
            }
        }
    }
    if total == 0 {
        0.0
    } else {
        claim as f64 / total as f64
    }
}

/// The stretches of a text between sentence and clause marks other than commas: ; : . ! ? brackets, line breaks
/// and dashes. A point or a colon between digits is part of a figure ("0.5 m", "1:3"), not a mark.
fn stretches(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let mark = matches!(
            c,
            ';' | ':' | '.' | '!' | '?' | '(' | ')' | '\n' | '\u{2014}' | '\u{2013}'
        );
        let in_figure = matches!(c, '.' | ':')
            && i > 0
            && b[i - 1].is_ascii_digit()
            && b.get(i + 1).is_some_and(u8::is_ascii_digit);
        if mark && !in_figure {
            out.push(&text[start..i]);
            start = i + c.len_utf8();
        }
    }
    out.push(&text[start..]);
    out
}

/// Most comma items a claim in their run speaks for (see [`claim_density`]).
const SHARED_ITEMS: usize = 4;

/// One comma-separated item of a stretch, as [`claim_density`] weighs it.
struct Item {
    /// Content words.
    words: usize,
    /// It makes a claim by itself.
    says: bool,
}

impl Item {
    fn read(seg: &str, notation: bool) -> Item {
        let mut buf = String::new();
        let mut words = 0;
        let mut numbers = 0;
        let mut says = false;
        // Only content words are weighed: "it's a question of A and B" is a claim about little.
        for w in seg
            .split_whitespace()
            .flat_map(|w| w.split(['\'', '\u{2019}', '/']))
        {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            if w.is_empty() {
                continue;
            }
            buf.clear();
            buf.extend(w.chars().flat_map(char::to_lowercase));
            let link = is_link(&buf);
            let number = buf.starts_with(|c: char| c.is_ascii_digit());
            if !link && !number && !is_function_word(&buf) && buf.len() > 1 {
                words += 1;
            }
            numbers += number as usize;
            says = says || link || buf == "s" || buf == "t";
        }
        // A figure relates the words next to it ("label smoothing 0.1"); with a unit alone ("256 channels") it
        // is a measurement, not a claim.
        says = says || (numbers > 0 && words > 1);
        // So does a relation mark between terms ("Z = f·B/d", "dilation -> OS8") in notes written in the field's
        // notation: that is how notes state claims. Marks between buzzwords and everyday words say nothing.
        says = says || (notation && relation_marks(seg) > 0);
        Item { words, says }
    }
}

/// Figures an answer needs before its relation marks count as claims (see [`relation_marks`]).
pub const NOTATION_FIGURES: usize = 2;
/// Share of its content words an answer needs from the field's vocabulary before its relation marks count as claims.
pub const NOTATION_DOMAIN: f64 = 0.85;

/// Whether an answer writes notes in the field's notation, so its arrows, equals signs and operators relate terms:
/// it carries figures ([`NOTATION_FIGURES`]) and speaks the field's language (`domain`: the share of its content
/// words from the bank's vocabulary, at least [`NOTATION_DOMAIN`]). Arrows strung between buzzwords and everyday
/// words ("all-reduce -> alignment -> momentum; 8 GPUs -> 1 vision") do not count.
pub fn notation(text: &str, domain: f64) -> bool {
    domain >= NOTATION_DOMAIN && figures(text) >= NOTATION_FIGURES
}

/// Figures in a text: words that start with a digit, not counting list markers (see [`list_marker`]).
pub fn figures(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| {
            let at = w.as_ptr() as usize - text.as_ptr() as usize;
            let lead = w.len()
                - w.trim_start_matches(['(', '[', '~', '≈', '<', '>', '$'])
                    .len();
            let num = &w[lead..];
            let digits = num.len() - num.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            digits > 0 && !list_marker(text, at + lead, at + lead + digits)
        })
        .count()
}

/// Whether the number at `start..end` of `text` numbers a list item rather than giving a figure: "1- design"
/// anywhere, "2) testing" or "3. coding" at the start of a line. ("stride 32." ends a sentence; "(stride 4)" closes
/// an aside.)
pub fn list_marker(text: &str, start: usize, end: usize) -> bool {
    let after = &text[end..];
    let spaced = |p: &str| {
        after
            .strip_prefix(p)
            .is_some_and(|r| r.is_empty() || r.starts_with(char::is_whitespace))
    };
    let before = text[..start].trim_end_matches([' ', '\t', '-', '*', '•']);
    let line_start = before.is_empty() || before.ends_with('\n');
    spaced("-") || (line_start && (spaced(")") || spaced(".")))
}

/// Relation marks in a stretch of text: arrows, equals and comparison signs, arithmetic operators. Notes that
/// relate terms with them ("Z = f·B/d", "dilation -> OS8") make claims without a verb.
pub fn relation_marks(s: &str) -> usize {
    let mut n = 0;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if (c == '-' || c == '=') && chars.peek() == Some(&'>') {
            chars.next();
            n += 1;
        } else if "=≈∝≤≥<>→⇒×+·√^".contains(c) {
            n += 1;
        }
    }
    n
}

/// Whether a (lower-case) word relates terms to each other (see [`LINKS`]).
pub fn is_link(w: &str) -> bool {
    static SET: std::sync::OnceLock<FnvSet<&'static str>> = std::sync::OnceLock::new();
    SET.get_or_init(|| LINKS.iter().copied().collect())
        .contains(w)
}

/// Hyphenated qualifiers that buzzword prose stacks up ("latency-conscious", "alignment-first").
const BUZZ_SUFFIXES: &[&str] = &["-centric", "-conscious", "-native", "-first", "-driven"];

/// How many distinct buzzwords (see [`BUZZWORDS`], [`BUZZ_SUFFIXES`]) a text uses. Real answers, long or short,
/// use at most one; buzzword prose strings several together.
pub fn buzzwords(text: &str) -> usize {
    let mut seen: Vec<String> = Vec::new();
    for w in text.split(|c: char| !(c.is_alphanumeric() || c == '-')) {
        let w = w.trim_matches('-');
        if w.len() < 4 {
            continue;
        }
        let w = w.to_lowercase();
        let buzz = BUZZWORDS.contains(&w.as_str())
            || BUZZ_SUFFIXES
                .iter()
                .any(|s| w.len() > s.len() + 2 && w.ends_with(s));
        if buzz && !seen.contains(&w) {
            seen.push(w);
        }
    }
    seen.len()
}

#[cfg(test)]
#[path = "claims_tests.rs"]
mod tests;
