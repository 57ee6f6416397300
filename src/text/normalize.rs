//! The tokenizer shared by answers and concept patterns: tokens with byte offsets, sentences and clauses,
//! numbers ("10k", "6e-5", "a tenth"), contractions, and the lexicon's multi-word synonyms ([`super::lexicon`]). The
//! word-level normalisation under it (stems, spelling, number words) is in [`super::words`].

use super::words::{americanize_if_needed, fraction_word, number_word, stem_word};
use unicode_normalization::UnicodeNormalization;

pub use super::lexicon::Lexicon;
pub use super::words::{americanize, americanize_prefix, case_sense, fmt_num, CASED_WORDS};

/// One normalised token with its place in the original text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Token {
    /// Stemmed (or canonical lexicon) form used for matching.
    pub stem: String,
    /// Lower-cased surface form (before stemming); for prefix patterns.
    pub raw: String,
    /// Numeric value when the token is a number.
    pub num: Option<f64>,
    /// Byte offset of the first character in the original text.
    pub start: usize,
    /// Byte offset one past the last character in the original text.
    pub end: usize,
    /// Sentence index.
    pub sent: u32,
    /// Clause index (clauses never span sentences).
    pub clause: u32,
}

/// Words that end a clause when they start one ("..., but ...").
pub const CLAUSE_WORDS: &[&str] = &[
    "but", "however", "whereas", "although", "though", "while", "yet",
];

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Characters that sit inside a word without splitting it: soft hyphen, zero-width (non-)joiners, word joiner,
/// and combining diacritical marks (their letter keeps its base form: "nai\u{308}ve" is "naive").
fn is_joiner(c: char) -> bool {
    matches!(c, '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{300}'..='\u{36f}')
}

/// Tokenise and normalise `text` without any lexicon.
pub fn tokenize_plain(text: &str) -> Vec<Token> {
    tokenize_with(text, &Lexicon::default())
}

/// Tokenise and normalise `text`, rewriting lexicon variants to canonical tokens.
pub fn tokenize_with(text: &str, lex: &Lexicon) -> Vec<Token> {
    let mut sc = Scanner {
        text,
        chars: text.char_indices().collect(),
        toks: Vec::new(),
        sent: 0,
        clause: 0,
    };
    let mut i = 0;
    while i < sc.chars.len() {
        if sc.starts_word(i) {
            i = sc.word(i);
        } else {
            sc.punctuation(i);
            i += 1;
        }
    }
    lex.rewrite(sc.toks)
}

/// The tokenizer's state: the text as characters with their byte offsets, the tokens so far, and the current
/// sentence and clause.
struct Scanner<'a> {
    text: &'a str,
    chars: Vec<(usize, char)>,
    toks: Vec<Token>,
    sent: u32,
    clause: u32,
}

impl Scanner<'_> {
    /// The character at index `i`, if any.
    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).map(|x| x.1)
    }

    /// Whether a word starts at character `i`: a word character, or the point of a number like ".5".
    fn starts_word(&self, i: usize) -> bool {
        let c = self.chars[i].1;
        is_word_char(c)
            || (c == '.'
                && self.at(i + 1).is_some_and(|d| d.is_ascii_digit())
                && (i == 0 || !is_word_char(self.chars[i - 1].1)))
    }

    /// Read the word at character `i` and push its tokens; returns the index after it (and its contraction).
    fn word(&mut self, i: usize) -> usize {
        let start = self.chars[i].0;
        let (mut s, j) = self.word_run(i);
        let j = self.exponent(&mut s, j);
        let end = self.chars.get(j).map_or(self.text.len(), |x| x.0);
        let (contraction, next) = self.contraction(&mut s, j);
        // Typed without the apostrophe ("dont", "doesnt"): the same negation.
        let contraction = contraction.or_else(|| {
            // Every such form is 4-8 letters ending in "t": most words skip the lookup.
            if !(4..=8).contains(&s.len()) || !s.ends_with(['t', 'T']) {
                return None;
            }
            let base = super::negation::bare_negative(&s.to_lowercase())?;
            s = base.to_string();
            Some("not")
        });
        let at = Place {
            start,
            end,
            sent: self.sent,
            clause: self.clause,
        };
        push_word(&mut self.toks, &s, at);
        if let Some(c) = contraction {
            push_word(&mut self.toks, c, at);
        }
        self.open_clause_at_clause_word();
        next
    }

    /// Collect a word run from character `i`; numbers keep inner '.' and thousands ','. Returns the run and the
    /// index after it.
    fn word_run(&self, i: usize) -> (String, usize) {
        let chars = &self.chars;
        let n = chars.len();
        let mut j = i;
        let mut s = String::new();
        while j < n {
            let ch = chars[j].1;
            if is_word_char(ch) {
                s.push(ch);
                j += 1;
            } else if is_joiner(ch) && j + 1 < n && is_word_char(chars[j + 1].1) {
                // A soft hyphen, zero-width joiner or combining accent inside a word: one word ("anc\u{ad}hors").
                j += 1;
            } else if (ch == '.' || ch == ',')
                && j + 1 < n
                && chars[j + 1].1.is_ascii_digit()
                && (s.is_empty() || s.chars().all(|x| x.is_ascii_digit() || x == '.'))
            {
                let is_thousands = ch == ',' && {
                    let digits = chars[j + 1..]
                        .iter()
                        .take_while(|x| x.1.is_ascii_digit())
                        .count();
                    digits == 3 && !s.contains('.')
                };
                if ch == '.' && !s.contains('.') {
                    s.push('.');
                    j += 1;
                } else if is_thousands {
                    j += 1;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        (s, j)
    }

    /// Scientific notation after the run `s` that ends at `j`: 6e-5, 1e+3. Returns the index after it.
    fn exponent(&self, s: &mut String, mut j: usize) -> usize {
        let chars = &self.chars;
        let n = chars.len();
        if j + 1 < n
            && (chars[j].1 == '-' || chars[j].1 == '+')
            && chars[j + 1].1.is_ascii_digit()
            && s.len() >= 2
            && s.ends_with(['e', 'E'])
            && s[..s.len() - 1]
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.')
        {
            s.push(chars[j].1);
            j += 1;
            while j < n && chars[j].1.is_ascii_digit() {
                s.push(chars[j].1);
                j += 1;
            }
        }
        j
    }

    /// An apostrophe contraction after the word `s` that ends at `j`: don't, isn't, can't -> "not" (the word
    /// loses its "n": don't -> do not, won't -> will not); 's, 're … are dropped. Returns the extra word, if
    /// any, and the index after the contraction.
    fn contraction(&self, s: &mut String, j: usize) -> (Option<&'static str>, usize) {
        let chars = &self.chars;
        let n = chars.len();
        if !(j + 1 < n
            && (chars[j].1 == '\'' || chars[j].1 == '\u{2019}')
            && chars[j + 1].1.is_alphabetic())
        {
            return (None, j);
        }
        let mut k = j + 1;
        let mut suf = String::new();
        while k < n && chars[k].1.is_alphabetic() {
            suf.push(chars[k].1);
            k += 1;
        }
        let suf_l = suf.to_lowercase();
        if suf_l == "t" && s.to_lowercase().ends_with('n') {
            // can't -> can not, won't -> will not, shan't -> shall not, don't -> do not.
            match s.to_lowercase().as_str() {
                "can" => {}
                "won" => *s = "will".into(),
                "shan" => *s = "shall".into(),
                _ => {
                    s.pop();
                }
            }
            (Some("not"), k)
        } else if ["s", "re", "ll", "d", "ve", "m"].contains(&suf_l.as_str()) {
            (None, k)
        } else {
            (None, j)
        }
    }

    /// A clause word ("but", "however", …) just pushed starts a new clause.
    fn open_clause_at_clause_word(&mut self) {
        let toks = &mut self.toks;
        if let Some(last) = toks.last() {
            if CLAUSE_WORDS.contains(&last.raw.as_str()) && toks.len() >= 2 {
                let l = toks.len();
                if toks[l - 2].clause == self.clause {
                    self.clause += 1;
                    toks[l - 1].clause = self.clause;
                }
            }
        }
    }

    /// Whether the point at character `i` belongs to an abbreviation rather than ending a sentence: a point with a
    /// letter right after it ("e.g", "U.S"), or the last point of "e.g.", "i.e.", "vs.", "cf.", "approx." and
    /// "et al.". ("etc." often ends a sentence, so it still does.)
    fn abbreviation(&self, i: usize) -> bool {
        if self.at(i + 1).is_some_and(char::is_alphabetic) {
            return true;
        }
        // The few characters before the point: enough for the longest abbreviation and the character before it.
        let from = self.chars[i.saturating_sub(8)].0;
        let before = self.text[from..self.chars[i].0].to_lowercase();
        let word_end = |w: &str| {
            before.ends_with(w)
                && !before[..before.len() - w.len()]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric)
        };
        ["e.g", "i.e", "vs", "cf", "approx", "et al"]
            .iter()
            .any(|w| word_end(w))
    }

    /// A character outside words at index `i`: sentence and clause punctuation, and '%' (the word "percent").
    fn punctuation(&mut self, i: usize) {
        let (bi, c) = self.chars[i];
        let last = self.toks.last();
        match c {
            '.' if self.abbreviation(i) => {}
            '.' | '!' | '?' | ';' | '\n' if last.map(|t| t.sent == self.sent).unwrap_or(false) => {
                self.sent += 1;
                self.clause += 1;
            }
            ',' | ':' | '(' | ')' | '[' | ']' | '\u{2014}'
                if last.map(|t| t.clause == self.clause).unwrap_or(false) =>
            {
                self.clause += 1;
            }
            '%' => {
                let at = Place {
                    start: bi,
                    end: bi + 1,
                    sent: self.sent,
                    clause: self.clause,
                };
                push_word(&mut self.toks, "percent", at);
            }
            _ => {}
        }
    }
}

/// Where a word stands: its bytes in the original text, its sentence and its clause.
#[derive(Clone, Copy)]
struct Place {
    start: usize,
    end: usize,
    sent: u32,
    clause: u32,
}

impl Place {
    fn token(self, stem: String, raw: String, num: Option<f64>) -> Token {
        Token {
            stem,
            raw,
            num,
            start: self.start,
            end: self.end,
            sent: self.sent,
            clause: self.clause,
        }
    }
}

/// Lower case, with compatibility forms folded (full-width, ligatures) and Latin accents dropped ("naïve" is
/// "naive").
fn fold_case(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        s.nfkd()
            .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
            .nfc()
            .collect::<String>()
            .to_lowercase()
    }
}

/// Push the token(s) of one word: a number, a number with a unit, a number word or fraction, else a stem.
fn push_word(toks: &mut Vec<Token>, s: &str, at: Place) {
    let lower = fold_case(s);
    // Pure number (with optional decimal point).
    if lower.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        if let Ok(v) = lower.parse::<f64>() {
            toks.push(at.token(fmt_num(v), lower.clone(), Some(v)));
            return;
        }
    }
    if push_number_with_suffix(toks, &lower, at) {
        return;
    }
    // "a tenth", "one eighth of the channels": fractions (bare "fifth" or "third" stays an ordinary word).
    let after_article = toks
        .last()
        .map(|t| matches!(t.raw.as_str(), "a" | "an" | "one") && t.sent == at.sent)
        .unwrap_or(false);
    if let Some(v) = fraction_word(&lower).filter(|_| after_article) {
        toks.push(at.token(fmt_num(v), lower.clone(), Some(v)));
        return;
    }
    if let Some(v) = number_word(&lower) {
        toks.push(at.token(fmt_num(v), lower.clone(), Some(v)));
        return;
    }
    let lower = match americanize_if_needed(&lower) {
        Some(a) => a,
        None => lower,
    };
    toks.push(at.token(stem_word(&lower), lower, None));
}

/// A digit-led word with a suffix: 10k, 1m, 30ms, 2x, 640x640, 3d, 1st. Pushes its tokens and returns true,
/// or returns false when `lower` does not start with a number.
fn push_number_with_suffix(toks: &mut Vec<Token>, lower: &str, at: Place) -> bool {
    if !lower.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    let digits: String = lower
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let rest = &lower[digits.len()..];
    let Ok(v) = digits.parse::<f64>() else {
        return false;
    };
    let scaled = |x: f64| at.token(fmt_num(x), lower.to_string(), Some(x));
    let whole = match rest {
        "k" => Some(scaled(v * 1e3)),
        "m" | "mn" => Some(scaled(v * 1e6)),
        "b" | "bn" => Some(scaled(v * 1e9)),
        "d" => Some(at.token(lower.to_string(), lower.to_string(), None)),
        "st" | "nd" | "rd" | "th" => Some(scaled(v)),
        _ => None,
    };
    if let Some(t) = whole {
        toks.push(t);
        return true;
    }
    toks.push(at.token(fmt_num(v), digits.clone(), Some(v)));
    // "640x640", "3x3": x then maybe a number.
    if let Some(after_x) = rest.strip_prefix('x') {
        toks.push(at.token("x".into(), "x".into(), None));
        if !after_x.is_empty() {
            push_word(toks, after_x, at);
        }
    } else if !rest.is_empty() {
        push_word(toks, rest, at);
    }
    true
}

/// Negation cues (on the raw lower-case token) that scope over what follows in the clause.
pub const NEGATION_CUES: &[&str] = &[
    "not",
    "no",
    "never",
    "without",
    "avoid",
    "avoids",
    "avoided",
    "avoiding",
    "neither",
    "nor",
    "cannot",
    "instead",
    "rather",
    "none",
    "nothing",
    "unnecessary",
    "rarely",
    "seldom",
    "hardly",
    "barely",
    "nobody",
];

/// Whether a token is a negation cue.
pub fn is_negation(t: &Token) -> bool {
    NEGATION_CUES.contains(&t.raw.as_str())
}

#[cfg(test)]
#[path = "normalize_tests.rs"]
mod tests;
