//! Text normalisation shared by answers and concept patterns: tokens with offsets, numbers, lexicon, stemming.

use super::fasthash::FnvMap;
use rust_stemmers::{Algorithm, Stemmer};
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

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

/// Multi-word synonyms rewritten to one canonical token.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// variant stem sequence -> canonical stem, longest variants first when matching.
    entries: FnvMap<String, Vec<(Vec<String>, String)>>,
}

impl Lexicon {
    /// Build from `canonical -> variants`. Variants are normalised without the lexicon itself.
    pub fn new(map: &[(String, Vec<String>)]) -> Self {
        let mut entries: FnvMap<String, Vec<(Vec<String>, String)>> = FnvMap::default();
        for (canon, variants) in map {
            let canon_stem = stem_word(&canon.to_lowercase());
            for v in variants {
                let toks: Vec<String> = tokenize_plain(v).into_iter().map(|t| t.stem).collect();
                if toks.is_empty() {
                    continue;
                }
                entries
                    .entry(toks[0].clone())
                    .or_default()
                    .push((toks, canon_stem.clone()));
            }
        }
        for list in entries.values_mut() {
            list.sort_by_key(|e| std::cmp::Reverse(e.0.len()));
        }
        Lexicon { entries }
    }

    fn rewrite(&self, mut toks: Vec<Token>) -> Vec<Token> {
        if self.entries.is_empty() {
            return toks;
        }
        let mut out: Vec<Token> = Vec::with_capacity(toks.len());
        let mut skip = 0;
        for i in 0..toks.len() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            if let Some(cands) = self.entries.get(&toks[i].stem) {
                let hit = cands.iter().find(|(seq, _)| {
                    let n = seq.len();
                    i + n <= toks.len()
                        && toks[i..i + n].iter().zip(seq).all(|(t, s)| &t.stem == s)
                        && toks[i..i + n].iter().all(|t| t.sent == toks[i].sent)
                });
                if let Some((seq, canon)) = hit {
                    let n = seq.len();
                    let end = toks[i + n - 1].end;
                    let mut t = std::mem::take(&mut toks[i]);
                    t.end = end;
                    t.raw = canon.clone();
                    t.stem = canon.clone();
                    t.num = None;
                    out.push(t);
                    skip = n - 1;
                    continue;
                }
            }
            out.push(std::mem::take(&mut toks[i]));
        }
        out
    }
}

fn stemmer() -> &'static Stemmer {
    static S: OnceLock<Stemmer> = OnceLock::new();
    S.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// Stem one lower-case word (memoised per thread: answers repeat their words, and Snowball is not free).
pub fn stem_word(w: &str) -> String {
    if w.chars().any(|c| c.is_ascii_digit()) {
        return w.to_string();
    }
    thread_local! {
        static CACHE: std::cell::RefCell<FnvMap<String, String>> = std::cell::RefCell::new(FnvMap::default());
    }
    CACHE.with(|c| {
        if let Some(s) = c.borrow().get(w) {
            return s.clone();
        }
        let s = stemmer().stem(w).into_owned();
        let mut c = c.borrow_mut();
        if c.len() > 100_000 {
            c.clear();
        }
        c.insert(w.to_string(), s.clone());
        s
    })
}

fn number_word(w: &str) -> Option<f64> {
    Some(match w {
        "zero" => 0.0,
        "one" => 1.0,
        "two" => 2.0,
        "three" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "eleven" => 11.0,
        "twelve" => 12.0,
        "fifteen" => 15.0,
        "sixteen" => 16.0,
        "twenty" => 20.0,
        "thirty" => 30.0,
        "forty" => 40.0,
        "fifty" => 50.0,
        "hundred" => 100.0,
        "thousand" => 1000.0,
        "million" => 1e6,
        "billion" => 1e9,
        "half" => 0.5,
        _ => return None,
    })
}

fn fraction_word(w: &str) -> Option<f64> {
    Some(match w {
        "third" => 1.0 / 3.0,
        "quarter" => 0.25,
        "fifth" => 0.2,
        "sixth" => 1.0 / 6.0,
        "eighth" => 0.125,
        "tenth" => 0.1,
        "sixteenth" => 0.0625,
        "hundredth" => 0.01,
        "thousandth" => 0.001,
        _ => return None,
    })
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
    let mut toks = Vec::new();
    let mut sent = 0u32;
    let mut clause = 0u32;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = chars.len();
    let mut i = 0;
    while i < n {
        let (bi, c) = chars[i];
        if is_word_char(c)
            || (c == '.'
                && i + 1 < n
                && chars[i + 1].1.is_ascii_digit()
                && (i == 0 || !is_word_char(chars[i - 1].1)))
        {
            // Collect a word run; numbers keep inner '.' and thousands ','.
            let start = bi;
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
            // Scientific notation: 6e-5, 1e+3.
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
            let end = if j < n { chars[j].0 } else { text.len() };
            // Apostrophe contractions: don't, isn't, can't -> not; 's, 're … dropped.
            let mut next = j;
            let mut contraction: Option<&str> = None;
            if j + 1 < n
                && (chars[j].1 == '\'' || chars[j].1 == '\u{2019}')
                && chars[j + 1].1.is_alphabetic()
            {
                let mut k = j + 1;
                let mut suf = String::new();
                while k < n && chars[k].1.is_alphabetic() {
                    suf.push(chars[k].1);
                    k += 1;
                }
                let suf_l = suf.to_lowercase();
                if suf_l == "t" && s.to_lowercase().ends_with('n') {
                    contraction = Some("not");
                    // can't -> can not, won't -> will not, shan't -> shall not, don't -> do not.
                    match s.to_lowercase().as_str() {
                        "can" => {}
                        "won" => s = "will".into(),
                        "shan" => s = "shall".into(),
                        _ => {
                            s.pop();
                        }
                    }
                    next = k;
                } else if ["s", "re", "ll", "d", "ve", "m"].contains(&suf_l.as_str()) {
                    next = k;
                }
            }
            push_word(&mut toks, &s, start, end, sent, clause);
            if let Some(c) = contraction {
                push_word(&mut toks, c, start, end, sent, clause);
            }
            if let Some(last) = toks.last() {
                if CLAUSE_WORDS.contains(&last.raw.as_str()) && toks.len() >= 2 {
                    // The clause word starts a new clause.
                    let l = toks.len();
                    if toks[l - 2].clause == clause {
                        clause += 1;
                        toks[l - 1].clause = clause;
                    }
                }
            }
            i = next;
            continue;
        }
        match c {
            '.' | '!' | '?' | ';' | '\n'
                if toks.last().map(|t| t.sent == sent).unwrap_or(false) =>
            {
                sent += 1;
                clause += 1;
            }
            ',' | ':' | '(' | ')' | '[' | ']' | '\u{2014}'
                if toks.last().map(|t| t.clause == clause).unwrap_or(false) =>
            {
                clause += 1;
            }
            '%' => {
                push_word(&mut toks, "percent", bi, bi + 1, sent, clause);
            }
            _ => {}
        }
        i += 1;
    }
    lex.rewrite(toks)
}

fn push_word(toks: &mut Vec<Token>, s: &str, start: usize, end: usize, sent: u32, clause: u32) {
    let lower: String = if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        // Compatibility forms folded (full-width, ligatures), Latin accents dropped ("naïve" is "naive").
        s.nfkd()
            .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
            .nfc()
            .collect::<String>()
            .to_lowercase()
    };
    let mk = |stem: String, raw: String, num: Option<f64>| Token {
        stem,
        raw,
        num,
        start,
        end,
        sent,
        clause,
    };
    // Pure number (with optional decimal point).
    let numeric_start = lower.starts_with(|c: char| c.is_ascii_digit() || c == '.');
    if numeric_start {
        if let Ok(v) = lower.parse::<f64>() {
            toks.push(mk(fmt_num(v), lower.clone(), Some(v)));
            return;
        }
    }
    // Digit-led token with a suffix: 10k, 1m, 30ms, 2x, 640x640, 3d, 1st.
    if lower
        .chars()
        .next()
        .map(|c| c.is_ascii_digit())
        .unwrap_or(false)
    {
        let digits: String = lower
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let rest = &lower[digits.len()..];
        if let Ok(v) = digits.parse::<f64>() {
            match rest {
                "k" => return toks.push(mk(fmt_num(v * 1e3), lower.clone(), Some(v * 1e3))),
                "m" | "mn" => return toks.push(mk(fmt_num(v * 1e6), lower.clone(), Some(v * 1e6))),
                "b" | "bn" => return toks.push(mk(fmt_num(v * 1e9), lower.clone(), Some(v * 1e9))),
                "d" => return toks.push(mk(lower.clone(), lower.clone(), None)),
                "st" | "nd" | "rd" | "th" => {
                    return toks.push(mk(fmt_num(v), lower.clone(), Some(v)))
                }
                _ => {}
            }
            toks.push(mk(fmt_num(v), digits.clone(), Some(v)));
            // "640x640", "3x3": x then maybe a number.
            if let Some(after_x) = rest.strip_prefix('x') {
                toks.push(mk("x".into(), "x".into(), None));
                if !after_x.is_empty() {
                    push_word(toks, after_x, start, end, sent, clause);
                }
            } else if !rest.is_empty() {
                push_word(toks, rest, start, end, sent, clause);
            }
            return;
        }
    }
    // "a tenth", "one eighth of the channels": fractions (bare "fifth" or "third" stays an ordinary word).
    let after_article = toks
        .last()
        .map(|t| matches!(t.raw.as_str(), "a" | "an" | "one") && t.sent == sent)
        .unwrap_or(false);
    if let Some(v) = fraction_word(&lower).filter(|_| after_article) {
        toks.push(mk(fmt_num(v), lower.clone(), Some(v)));
        return;
    }
    if let Some(v) = number_word(&lower) {
        toks.push(mk(fmt_num(v), lower.clone(), Some(v)));
        return;
    }
    let lower = match americanize_if_needed(&lower) {
        Some(a) => a,
        None => lower,
    };
    toks.push(mk(stem_word(&lower), lower, None));
}

/// Words ending in -ise that are spelled so in American English too.
const ISE_WORDS: &[&str] = &[
    "advise",
    "advertise",
    "arise",
    "bruise",
    "chastise",
    "comprise",
    "compromise",
    "concise",
    "cruise",
    "despise",
    "devise",
    "disguise",
    "enterprise",
    "excise",
    "exercise",
    "expertise",
    "franchise",
    "improvise",
    "incise",
    "merchandise",
    "noise",
    "paradise",
    "poise",
    "praise",
    "precise",
    "premise",
    "promise",
    "raise",
    "revise",
    "rise",
    "supervise",
    "surmise",
    "surprise",
    "televise",
    "treatise",
    "wise",
];

/// [`americanize`], or `None` when the word is already in American spelling (the common case: no copy).
fn americanize_if_needed(w: &str) -> Option<String> {
    const ENDINGS: &[&str] = &[
        "ise", "ised", "ises", "ising", "isation", "isations", "iser", "isers", "yse", "ysed",
        "ysing", "our", "ours", "oured", "tre", "elled", "elling", "eller",
    ];
    if w.len() < 5 || !ENDINGS.iter().any(|e| w.ends_with(e)) {
        return None;
    }
    let a = americanize(w);
    (a != w).then_some(a)
}

/// British spellings to American, so that "quantise" and "quantize" (and their stems) are one word:
/// -ise/-isation → -ize/-ization, -yse → -yze, -our → -or, -tre → -ter, doubled l before -ed/-ing.
pub fn americanize(w: &str) -> String {
    const ENDINGS: &[&str] = &[
        "ise", "ised", "ises", "ising", "isation", "isations", "iser", "isers", "yse", "ysed",
        "ysing", "our", "ours", "oured", "tre", "elled", "elling", "eller",
    ];
    let candidate = ENDINGS.iter().any(|e| w.ends_with(e));
    if w.len() < 5 || !candidate || !w.is_ascii() {
        return w.to_string();
    }
    americanize_slow(w)
}

fn americanize_slow(w: &str) -> String {
    for (br, am) in [
        ("isations", "izations"),
        ("isation", "ization"),
        ("ising", "izing"),
        ("ised", "ized"),
        ("ises", "izes"),
        ("isers", "izers"),
        ("iser", "izer"),
        ("ise", "ize"),
    ] {
        if let Some(root) = w.strip_suffix(br) {
            let base = format!("{root}ise");
            if root.len() >= 4
                && !root.ends_with("wise")
                && !ISE_WORDS.iter().any(|x| base.ends_with(x))
            {
                return format!("{root}{am}");
            }
            return w.to_string();
        }
    }
    for (br, am) in [("yse", "yze"), ("ysed", "yzed"), ("ysing", "yzing")] {
        if let Some(root) = w.strip_suffix(br) {
            if root.ends_with("al") {
                return format!("{root}{am}");
            }
        }
    }
    for (br, am) in [("our", "or"), ("ours", "ors"), ("oured", "ored")] {
        if let Some(root) = w.strip_suffix(br) {
            if [
                "colo", "behavi", "neighb", "flav", "lab", "hon", "fav", "hum", "harb", "rum",
            ]
            .iter()
            .any(|r| root.ends_with(r))
            {
                return format!("{root}{am}");
            }
        }
    }
    for (br, am) in [("centre", "center"), ("metre", "meter"), ("fibre", "fiber")] {
        if let Some(root) = w.strip_suffix(br) {
            return format!("{root}{am}");
        }
    }
    for (br, am) in [("elled", "eled"), ("elling", "eling"), ("eller", "eler")] {
        if let Some(root) = w.strip_suffix(br) {
            if [
                "lab", "mod", "trav", "cancel", "channel", "fuel", "tunn", "level",
            ]
            .iter()
            .any(|r| root.ends_with(r))
                || root.ends_with("mod")
            {
                return format!("{root}{am}");
            }
        }
    }
    w.to_string()
}

/// [`americanize`] for a pattern prefix (`quantis*` → `quantiz*`, `analys*` → `analyz*`).
pub fn americanize_prefix(p: &str) -> String {
    for (br, am) in [("is", "iz"), ("ys", "yz")] {
        if let Some(idx) = p.rfind(br) {
            let (root, tail) = (&p[..idx], &p[idx + 2..]);
            let tail_ok = ["ation", "ations", "ing", "ed", "er", "ers", "e", "es"]
                .iter()
                .any(|t| t.starts_with(tail));
            let word = format!("{root}{br}e");
            if tail_ok && americanize(&word) != word {
                return format!("{root}{am}{tail}");
            }
        }
    }
    americanize(p)
}

/// Canonical text of a number (integers without a decimal point).
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Words whose acronym and common senses differ only in case: CLIP (the model) vs a video clip, mAP (the metric)
/// vs a feature map. A rubric pattern that writes the acronym form ("CLIP", "mAP") matches only the acronym sense;
/// one that writes it in lower case matches only the common sense. An answer written entirely in lower case gets
/// the benefit of the doubt: both senses match.
pub const CASED_WORDS: &[&str] = &["clip", "clips", "map", "maps"];

/// The case sense of a surface word listed in [`CASED_WORDS`]: `Some(true)` for the acronym form (two or more
/// capitals, or a capital after a lower-case letter: "CLIP", "mAP"), `Some(false)` for all lower case, `None`
/// otherwise (a capitalised first word, or a word not in the list).
pub fn case_sense(surface: &str) -> Option<bool> {
    if !CASED_WORDS.contains(&surface.to_lowercase().as_str()) {
        return None;
    }
    let caps = surface.chars().filter(|c| c.is_uppercase()).count();
    let inner_cap = surface.chars().skip(1).any(|c| c.is_uppercase());
    if caps >= 2 || (inner_cap && surface.starts_with(|c: char| c.is_lowercase())) {
        Some(true)
    } else if caps == 0 {
        Some(false)
    } else {
        None
    }
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
];

/// Whether a token is a negation cue.
pub fn is_negation(t: &Token) -> bool {
    NEGATION_CUES.contains(&t.raw.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(s: &str) -> Vec<String> {
        tokenize_plain(s).into_iter().map(|t| t.stem).collect()
    }

    #[test]
    fn numbers_and_units() {
        assert_eq!(stems("10k classes"), vec!["10000", "class"]);
        assert_eq!(stems("30ms"), vec!["30", "ms"]);
        assert_eq!(stems("640x640"), vec!["640", "x", "640"]);
        assert_eq!(stems("2-4x faster"), vec!["2", "4", "x", "faster"]);
        assert_eq!(
            stems("10,000 and .1 and 0.1"),
            vec!["10000", "and", "0.1", "and", "0.1"]
        );
        assert_eq!(stems("three scales"), vec!["3", "scale"]);
        assert_eq!(stems("3D conv"), vec!["3d", "conv"]);
        assert_eq!(stems("1M images"), vec!["1000000", "imag"]);
        assert_eq!(stems("lr 6e-5"), vec!["lr", "0.00006"]);
        assert_eq!(stems("a tenth of it"), vec!["a", "0.1", "of", "it"]);
        assert_eq!(stems("the fifth layer"), vec!["the", "fifth", "layer"]);
        assert_eq!(stems("quantise"), stems("quantize"));
        assert_eq!(stems("normalisation"), stems("normalization"));
        assert_eq!(stems("labelled modelling"), stems("labeled modeling"));
        assert_eq!(stems("otherwise precise"), vec!["otherwis", "precis"]);
        assert_eq!(stems("can't won't"), vec!["can", "not", "will", "not"]);
        assert_eq!(americanize_prefix("quantis"), "quantiz");
        assert_eq!(americanize_prefix("normalisat"), "normalizat");
        assert_eq!(americanize_prefix("analys"), "analyz");
        assert_eq!(americanize_prefix("supervis"), "supervis");
        assert_eq!(americanize_prefix("rais"), "rais");
    }

    #[test]
    fn contractions_and_clauses() {
        let t = tokenize_plain("It isn't slow, but it's big. Next one");
        let raws: Vec<&str> = t.iter().map(|t| t.raw.as_str()).collect();
        assert_eq!(
            raws,
            vec!["it", "is", "not", "slow", "but", "it", "big", "next", "one"]
        );
        assert_eq!(t[3].clause, t[0].clause);
        assert!(t[4].clause > t[3].clause);
        assert!(t[7].sent > t[6].sent);
    }

    #[test]
    fn lexicon_rewrites_multiword() {
        let lex = Lexicon::new(&[("rpn".into(), vec!["region proposal network".into()])]);
        let t = tokenize_with("The Region Proposal Networks score anchors", &lex);
        let s: Vec<&str> = t.iter().map(|t| t.stem.as_str()).collect();
        assert_eq!(s, vec!["the", "rpn", "score", "anchor"]);
        assert_eq!(
            &"The Region Proposal Networks score"[t[1].start..t[1].end],
            "Region Proposal Networks"
        );
    }
}
