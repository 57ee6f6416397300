//! Filler words and hedging phrases in a transcript (pure text analysis).
//!
//! Fillers: um/uh/er/ah/hmm, "like" used as a filler, "you know", "I mean", "basically", "literally", "sort of",
//! "kind of". Context rules keep the ordinary uses out: "I would like to", "things like anchors", "what kind of
//! model", "do you know". Hedges: "I think", "maybe", "probably", "I guess", "not sure", …

pub use crate::session::spoken::Count;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Punct,
}

fn tokens(text: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut w = String::new();
    for ch in text.chars() {
        let c = match ch {
            '\u{2019}' | '\u{2018}' | '`' => '\'',
            c => c,
        };
        if c.is_alphanumeric() || (c == '\'' && !w.is_empty()) {
            w.extend(c.to_lowercase());
            continue;
        }
        if !w.is_empty() {
            out.push(Tok::Word(
                std::mem::take(&mut w).trim_end_matches('\'').to_string(),
            ));
        }
        if matches!(
            c,
            ',' | '.' | ';' | ':' | '!' | '?' | '\u{2014}' | '\u{2013}' | '(' | ')'
        ) || (c == '-' && out.last() != Some(&Tok::Punct))
        {
            out.push(Tok::Punct);
        }
    }
    if !w.is_empty() {
        out.push(Tok::Word(w.trim_end_matches('\'').to_string()));
    }
    out
}

/// Number of words in a transcript (fillers included: they were spoken).
pub fn word_count(text: &str) -> u32 {
    tokens(text)
        .iter()
        .filter(|t| matches!(t, Tok::Word(_)))
        .count() as u32
}

/// The canonical filler for a vocalised hesitation ("umm" → "um"), if the word is one.
fn hesitation(w: &str) -> Option<&'static str> {
    let squeeze: String = {
        let mut s = String::new();
        for c in w.chars() {
            if !s.ends_with(c) {
                s.push(c);
            }
        }
        s
    };
    match squeeze.as_str() {
        "um" | "uhm" | "hum" => Some("um"),
        "uh" | "uhh" => Some("uh"),
        "er" | "erm" => Some("er"),
        "ah" => Some("ah"),
        "hm" | "m" if w.len() >= 2 => Some("hmm"),
        _ => None,
    }
}

const NUMBER_WORDS: &[&str] = &[
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "fifteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
    "ninety", "hundred", "thousand", "million", "half", "a", "an",
];
const LIKE_NOT_FILLER_AFTER: &[&str] = &[
    "would",
    "i'd",
    "you'd",
    "we'd",
    "they'd",
    "don't",
    "didn't",
    "doesn't",
    "feel",
    "feels",
    "felt",
    "look",
    "looks",
    "looked",
    "seem",
    "seems",
    "sound",
    "sounds",
    "something",
    "anything",
    "nothing",
    "things",
    "much",
    "more",
    "less",
    "just",
    "exactly",
    "not",
    "you",
    "we",
    "they",
    "i",
    "to",
];
const KIND_DETERMINERS: &[&str] = &[
    "a",
    "an",
    "the",
    "this",
    "that",
    "these",
    "those",
    "what",
    "which",
    "any",
    "some",
    "every",
    "each",
    "one",
    "same",
    "other",
    "another",
    "different",
    "new",
    "particular",
    "specific",
    "whatever",
    "certain",
    "no",
    "its",
    "their",
    "our",
    "my",
    "your",
    "his",
    "her",
    "similar",
    "right",
    "wrong",
    "first",
    "second",
    "last",
];
const YOU_KNOW_NOT_AFTER: &[&str] = &[
    "do", "did", "does", "don't", "didn't", "if", "whether", "what", "would", "you'd", "can",
    "will",
];
const YOU_KNOW_NOT_BEFORE: &[&str] = &[
    "that", "what", "how", "why", "where", "when", "whether", "if", "about", "the", "a", "it",
    "this", "him", "her", "them", "which", "who",
];

fn word(toks: &[Tok], i: isize) -> Option<&str> {
    if i < 0 {
        return None;
    }
    match toks.get(i as usize) {
        Some(Tok::Word(w)) => Some(w.as_str()),
        _ => None,
    }
}

fn is_number(w: Option<&str>) -> bool {
    match w {
        Some(w) => {
            w.chars().next().is_some_and(|c| c.is_ascii_digit()) || NUMBER_WORDS.contains(&w)
        }
        None => false,
    }
}

fn bump(counts: &mut Vec<Count>, phrase: &str) {
    match counts.iter_mut().find(|c| c.phrase == phrase) {
        Some(c) => c.n += 1,
        None => counts.push(Count {
            phrase: phrase.into(),
            n: 1,
        }),
    }
}

fn sorted(mut v: Vec<Count>) -> Vec<Count> {
    v.sort_by(|a, b| b.n.cmp(&a.n).then(a.phrase.cmp(&b.phrase)));
    v
}

/// Filler words and phrases, most frequent first.
pub fn fillers(text: &str) -> Vec<Count> {
    let t = tokens(text);
    let mut out = Vec::new();
    let mut i = 0usize;
    while i < t.len() {
        let Tok::Word(w) = &t[i] else {
            i += 1;
            continue;
        };
        let ii = i as isize;
        let prev = word(&t, ii - 1);
        let next_tok = t.get(i + 1);
        let next = word(&t, ii + 1);
        if let Some(h) = hesitation(w) {
            bump(&mut out, h);
        } else if w == "like" {
            let excluded = prev.is_some_and(|p| LIKE_NOT_FILLER_AFTER.contains(&p));
            let filler_next = matches!(next_tok, Some(Tok::Punct))
                || next.is_some_and(|n| hesitation(n).is_some() || n == "like")
                || is_number(next) && next != Some("a") && next != Some("an");
            let sentence_start = prev.is_none() && matches!(next_tok, Some(Tok::Punct));
            if !excluded && (filler_next || sentence_start) && next_tok.is_some() {
                bump(&mut out, "like");
            }
        } else if w == "basically" || w == "literally" {
            bump(&mut out, w);
        } else if (w == "kind" || w == "sort") && next == Some("of") {
            if !prev.is_some_and(|p| KIND_DETERMINERS.contains(&p)) {
                bump(&mut out, if w == "kind" { "kind of" } else { "sort of" });
            }
            i += 2;
            continue;
        } else if w == "you" && next == Some("know") {
            let after = word(&t, ii + 2);
            let excluded = prev.is_some_and(|p| YOU_KNOW_NOT_AFTER.contains(&p))
                || after.is_some_and(|a| YOU_KNOW_NOT_BEFORE.contains(&a));
            if !excluded {
                bump(&mut out, "you know");
            }
            i += 2;
            continue;
        } else if w == "i" && next == Some("mean") {
            let after = word(&t, ii + 2);
            let excluded = prev.is_some_and(|p| ["what", "by", "if", "do"].contains(&p))
                || after.is_some_and(|a| ["that", "it", "to", "the", "this"].contains(&a));
            if !excluded {
                bump(&mut out, "i mean");
            }
            i += 2;
            continue;
        }
        i += 1;
    }
    sorted(out)
}

const HEDGES: &[&str] = &[
    "if i remember correctly",
    "if i recall correctly",
    "i'm not an expert",
    "i feel like",
    "i don't know",
    "i'm not sure",
    "not sure",
    "not certain",
    "i think",
    "i guess",
    "i believe",
    "i suppose",
    "i assume",
    "i'd say",
    "might be",
    "maybe",
    "perhaps",
    "probably",
    "possibly",
];

/// Hedging phrases ("I think", "maybe", "probably", …), most frequent first. Longest match wins, so "I'm not sure"
/// counts once.
pub fn hedges(text: &str) -> Vec<Count> {
    let words: Vec<String> = tokens(text)
        .into_iter()
        .filter_map(|t| match t {
            Tok::Word(w) => Some(w),
            Tok::Punct => None,
        })
        .collect();
    let phrases: Vec<Vec<&str>> = HEDGES.iter().map(|h| h.split(' ').collect()).collect();
    let mut out = Vec::new();
    let mut i = 0;
    'outer: while i < words.len() {
        for (h, p) in HEDGES.iter().zip(&phrases) {
            if words.len() - i >= p.len() && p.iter().zip(&words[i..]).all(|(a, b)| a == b) {
                let name = if *h == "i'm not sure" { "not sure" } else { h };
                bump(&mut out, name);
                i += p.len();
                continue 'outer;
            }
        }
        i += 1;
    }
    sorted(out)
}

/// Total of a count list.
pub fn total(c: &[Count]) -> u32 {
    c.iter().map(|c| c.n).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn f(text: &str) -> Vec<(String, u32)> {
        fillers(text).into_iter().map(|c| (c.phrase, c.n)).collect()
    }

    #[rstest]
    #[case("Um, so anchors are, uh, reference boxes. Umm, yeah.", &[("um", 2), ("uh", 1)])]
    #[case("It's, like, really fast. Like, way faster.", &[("like", 2)])]
    #[case("It takes like 5 ms, you know, on the Orin.", &[("like", 1), ("you know", 1)])]
    #[case("I would like to use things like anchors; it looks like a grid.", &[])]
    #[case("What kind of model? This sort of loss is kind of slow and sort of unstable.", &[("kind of", 1), ("sort of", 1)])]
    #[case("Do you know the answer? You know, it depends.", &[("you know", 1)])]
    #[case("Basically the RPN basically, I mean, literally scores anchors.", &[("basically", 2), ("i mean", 1), ("literally", 1)])]
    #[case("What I mean is that hmm, the loss, er, diverges.", &[("er", 1), ("hmm", 1)])]
    #[case("I feel like batch norm helps.", &[])]
    fn known_fillers(#[case] text: &str, #[case] want: &[(&str, u32)]) {
        let want: Vec<(String, u32)> = want.iter().map(|(p, n)| (p.to_string(), *n)).collect();
        assert_eq!(f(text), want, "{text}");
    }

    #[test]
    fn hedges_longest_match_first() {
        let h = hedges("I think it's probably NMS. I'm not sure, maybe I think soft-NMS. I feel like it works.");
        let got: Vec<(&str, u32)> = h.iter().map(|c| (c.phrase.as_str(), c.n)).collect();
        assert_eq!(
            got,
            vec![
                ("i think", 2),
                ("i feel like", 1),
                ("maybe", 1),
                ("not sure", 1),
                ("probably", 1)
            ]
        );
        assert_eq!(total(&h), 6);
        assert!(hedges("Anchors are priors over box shapes.").is_empty());
    }

    #[test]
    fn words_are_counted_without_punctuation() {
        assert_eq!(
            word_count("Um, it's nine anchors — 3 scales × 3 ratios."),
            8
        );
        assert_eq!(word_count(""), 0);
        assert_eq!(word_count("soft-NMS"), 2);
    }
}
