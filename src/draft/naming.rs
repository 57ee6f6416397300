//! A drafted question's identity: its id, area, title and difficulty, from what the input file gives, the
//! section heading it sits under, or the question's own words.

use super::input::DraftInput;
use crate::bank::spec::{AREAS, DIFFICULTIES};
use crate::grade::detect;

/// Lower-case kebab-case of any text (ASCII letters and digits; at most `max_words` words).
pub fn kebab(text: &str, max_words: usize) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(max_words)
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("-")
}

/// An area given in the input, as its kebab-case name: lower case, spaces and underscores as dashes
/// ("Object Detection" is `object-detection`). Anything else is refused by [`bad_value`].
pub fn given_area(text: &str) -> String {
    text.trim().to_lowercase().replace([' ', '_'], "-")
}

/// Why an input's given area or difficulty cannot be used, if it cannot (`file:line` comes from the caller).
pub fn bad_value(inp: &DraftInput) -> Option<String> {
    if let Some(a) = inp.area.as_deref() {
        if !crate::bank::is_kebab(&given_area(a)) {
            return Some(format!(
                "area '{a}' must be a kebab-case name (letters a-z, digits, dashes)"
            ));
        }
    }
    match inp.difficulty.as_deref() {
        Some(d) if !DIFFICULTIES.contains(&d.to_lowercase().as_str()) => Some(format!(
            "difficulty '{d}' must be one of {}",
            DIFFICULTIES.join(", ")
        )),
        _ => None,
    }
}

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The area a section heading names: a built-in area by its title or name, or one of `known`; None otherwise.
pub fn area_of_heading(heading: &str, known: &[String]) -> Option<String> {
    let h = squash(heading);
    if h.is_empty() {
        return None;
    }
    for (name, title) in AREAS {
        if h == squash(title) || h == squash(name) {
            return Some(name.to_string());
        }
    }
    known.iter().find(|k| squash(k) == h).cloned()
}

/// Filler that opens interview questions and says nothing about the topic.
const OPENERS: &[&str] = &[
    "walk me through",
    "can you explain",
    "could you explain",
    "explain",
    "describe",
    "how would you",
    "what would you",
    "tell me about",
    "what is the",
    "what are the",
    "what is",
    "what are",
    "how do",
    "how does",
    "why do",
    "why does",
];

/// Words that say how to answer, not what about ("Explain, in detail, the …"), dropped before a title.
const MANNER: &[&str] = &[
    "in detail",
    "in your own words",
    "in simple terms",
    "step by step",
    "briefly",
    "concisely",
    "clearly",
    "please",
];

/// `text` without a leading `phrase` (any case) that ends on a word boundary; None when it does not lead.
fn strip_phrase<'a>(text: &'a str, phrase: &str) -> Option<&'a str> {
    let (head, rest) = text.split_at_checked(phrase.len())?;
    let boundary = !rest.starts_with(|c: char| c.is_alphanumeric() || c == '\'' || c == '-');
    (boundary && head.eq_ignore_ascii_case(phrase)).then_some(rest)
}

/// The longest opener that leads `text` as whole words ("how does" before "how do").
fn opener(text: &str) -> Option<&str> {
    OPENERS
        .iter()
        .filter_map(|o| strip_phrase(text, o).map(|rest| (o.len(), rest)))
        .max_by_key(|(n, _)| *n)
        .map(|(_, rest)| rest)
}

/// `text` without leading punctuation and manner words ("in detail, ", "briefly").
fn skip_manner(mut text: &str) -> &str {
    loop {
        text = text
            .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ':' | ';' | '-'));
        match MANNER.iter().find_map(|m| strip_phrase(text, m)) {
            Some(rest) => text = rest,
            None => return text,
        }
    }
}

/// A short title from the question: its asking sentence without the opener, cut at a clause break, 8 words.
pub fn title_of(question: &str) -> String {
    let sents = detect::split_sentences(question);
    let ask = sents
        .iter()
        .map(|s| s.trim())
        .rev()
        .find(|s| s.ends_with('?') || opener(s).is_some())
        .or_else(|| sents.first().map(|s| s.trim()))
        .unwrap_or(question);
    let mut rest = ask.trim_end_matches(['?', '.', '!']).trim();
    if let Some(r) = opener(rest) {
        rest = skip_manner(r);
        // "Explain briefly: what is dropout?"
        if let Some(r) = opener(rest) {
            rest = skip_manner(r);
        }
        for w in ["how", "what", "why", "whether"] {
            if let Some(r) = strip_phrase(rest, w) {
                rest = r.trim();
            }
        }
    }
    rest = skip_manner(rest);
    let cut = [" and explain", ", and ", "; ", ", "]
        .iter()
        .filter_map(|c| rest.find(c))
        .min()
        .unwrap_or(rest.len());
    let mut words: Vec<&str> = rest[..cut].split_whitespace().take(8).collect();
    while words
        .last()
        .is_some_and(|w| detect::is_function_word(&w.to_ascii_lowercase()))
    {
        words.pop();
    }
    let t = words.join(" ");
    let mut c = t.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => "Question".into(),
    }
}

/// A question's resolved identity: (id, area, title, difficulty).
pub fn identity(
    inp: &DraftInput,
    default_area: Option<&str>,
    known: &[String],
) -> (String, String, String, String) {
    let area = inp
        .area
        .as_deref()
        .map(given_area)
        .or_else(|| default_area.map(|a| kebab(a, 6)))
        .or_else(|| {
            inp.heading
                .as_deref()
                .and_then(|h| area_of_heading(h, known))
        })
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| "general".into());
    let title = inp.title.clone().unwrap_or_else(|| title_of(&inp.question));
    let id = inp.id.clone().unwrap_or_else(|| {
        let slug: Vec<String> = title
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| w.len() > 1 && !detect::is_function_word(&w.to_ascii_lowercase()))
            .take(4)
            .map(|w| w.to_ascii_lowercase())
            .collect();
        if slug.is_empty() {
            // A title with no ASCII words (Cyrillic, CJK): a stable id from the question's text.
            format!("{area}-q{:08x}", stable_hash(&inp.question) as u32)
        } else {
            format!("{area}-{}", slug.join("-"))
        }
    });
    let difficulty = inp
        .difficulty
        .as_deref()
        .map(str::to_lowercase)
        .filter(|d| DIFFICULTIES.contains(&d.as_str()))
        .unwrap_or_else(|| "medium".into());
    (id, area, title, difficulty)
}

/// A stable hash of `text` (FNV, the project's own): the same text always gives the same id.
pub fn stable_hash(text: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = crate::text::fasthash::Fnv::default();
    h.write(text.as_bytes());
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_areas() {
        assert_eq!(
            title_of("Walk me through how anchor boxes are generated in Faster R-CNN and explain why it matters."),
            "Anchor boxes are generated in Faster R-CNN"
        );
        assert_eq!(title_of("What is a variable?"), "A variable");
    }

    #[test]
    fn the_longest_opener_is_dropped_on_word_boundaries() {
        for (q, want) in [
            (
                "How does the Adam optimizer differ from SGD with momentum?",
                "The Adam optimizer differ from SGD with momentum",
            ),
            (
                "Why does a learning rate warmup help?",
                "A learning rate warmup help",
            ),
            (
                "How do transformers use attention?",
                "Transformers use attention",
            ),
            (
                "Explain, in detail, the difference between batch norm and layer norm.",
                "The difference between batch norm and layer norm",
            ),
            ("Explain briefly: what is dropout?", "Dropout"),
            ("Describer mode, what is it?", "Describer mode"),
        ] {
            assert_eq!(title_of(q), want, "{q}");
        }
        let inp = DraftInput {
            question: "Why does a learning rate warmup help?".into(),
            ..Default::default()
        };
        assert_eq!(
            identity(&inp, None, &[]).0,
            "general-learning-rate-warmup-help"
        );
        assert_eq!(
            area_of_heading("Training, Deployment, and Real-World CV Systems", &[]),
            Some("deployment".into())
        );
        assert_eq!(
            area_of_heading("Intro CS short-answer questions", &[]),
            None
        );
    }

    #[test]
    fn questions_in_other_scripts_get_a_stable_kebab_id() {
        let inp = DraftInput {
            question: "Что такое переобучение?".into(),
            ..Default::default()
        };
        let (id, area, title, _) = identity(&inp, None, &[]);
        assert_eq!(title, "Что такое переобучение");
        assert_eq!(area, "general");
        assert!(crate::bank::is_kebab(&id), "{id}");
        assert_eq!(identity(&inp, None, &[]).0, id);
        let cjk = DraftInput {
            question: "什么是过拟合？".into(),
            ..Default::default()
        };
        assert_ne!(identity(&cjk, None, &[]).0, id);
    }
}
