//! Word normalisation under the tokenizer: Snowball stems (memoised), number and fraction words, British
//! spellings made American, the case sense of words like CLIP and mAP, and the canonical text of a number.

use super::fasthash::FnvMap;
use rust_stemmers::{Algorithm, Stemmer};
use std::sync::OnceLock;

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

pub(super) fn number_word(w: &str) -> Option<f64> {
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

pub(super) fn fraction_word(w: &str) -> Option<f64> {
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

/// Endings of British spellings that [`americanize`] may rewrite.
const BRITISH_ENDINGS: &[&str] = &[
    "ise", "ised", "ises", "ising", "isation", "isations", "iser", "isers", "yse", "ysed", "ysing",
    "our", "ours", "oured", "tre", "elled", "elling", "eller",
];

/// [`americanize`], or `None` when the word is already in American spelling (the common case: no copy).
pub(super) fn americanize_if_needed(w: &str) -> Option<String> {
    if w.len() < 5 || !BRITISH_ENDINGS.iter().any(|e| w.ends_with(e)) {
        return None;
    }
    let a = americanize(w);
    (a != w).then_some(a)
}

/// British spellings to American, so that "quantise" and "quantize" (and their stems) are one word:
/// -ise/-isation → -ize/-ization, -yse → -yze, -our → -or, -tre → -ter, doubled l before -ed/-ing.
pub fn americanize(w: &str) -> String {
    let candidate = BRITISH_ENDINGS.iter().any(|e| w.ends_with(e));
    if w.len() < 5 || !candidate || !w.is_ascii() {
        return w.to_string();
    }
    americanize_slow(w)
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
