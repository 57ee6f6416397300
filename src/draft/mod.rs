//! Drafting rubric files from questions with sample answers (`viva bank draft`).
//!
//! Offline, a sample answer's claims become the criteria: each claim keeps the guide's own words as its statement,
//! weighs by how much it says (distinct content words the question does not already give), and is matched by the
//! key terms it uses (numbers become number patterns) and, with the embedding model, by meaning.

mod guide;
pub mod input;
mod markdown;
pub mod model;
pub mod naming;

pub use naming::{area_of_heading, bad_value, identity, kebab, stable_hash, title_of};

use crate::bank::spec::{CriterionSpec, QuestionSpec};
use crate::grade::detect;
use crate::text::normalize::{tokenize_with, Lexicon};
use input::DraftInput;
use std::collections::HashSet;

/// Most criteria a drafted question gets (the bank allows 7).
pub const MAX_CRITERIA: usize = 6;
/// How much more the first claim weighs than its salience alone says.
const LEAD_WEIGHT: f64 = 2.0;
/// Key terms kept per criterion.
const MAX_TERMS: usize = 4;
/// An answer this short (words) is a list of points: it is split at "and", commas and semicolons too.
const SHORT_ANSWER: usize = 25;

/// The sample answer's claims: sentences; a short answer is split further at "and", commas and semicolons, a long
/// sentence at semicolons. Inline maths markers (`$k$`) are dropped.
pub fn claims(answer: &str) -> Vec<String> {
    let text = answer.replace('$', "");
    let words = text.split_whitespace().count();
    let mut out = Vec::new();
    for s in detect::split_sentences(&text) {
        let s = s.trim();
        if s.is_empty() {
            continue;
        }
        let parts: Vec<String> = if words <= SHORT_ANSWER {
            split_list(s)
        } else if s.split_whitespace().count() > 40 {
            s.split("; ").map(str::to_string).collect()
        } else {
            vec![s.to_string()]
        };
        out.extend(parts.into_iter().map(|p| tidy_claim(&p)));
    }
    out.retain(|c| c.chars().any(|ch| ch.is_alphanumeric()));
    out
}

/// A claim without list punctuation and without the connective that joined it to the one before ("or if …").
fn tidy_claim(p: &str) -> String {
    let mut t = p.trim().trim_end_matches([',', ';']).trim();
    for lead in ["and ", "or ", "but ", "nor "] {
        // Not a byte slice: the claim may start with "σ²", Cyrillic, CJK or an emoji.
        if let Some((head, rest)) = t.split_at_checked(lead.len()) {
            if !rest.is_empty() && head.eq_ignore_ascii_case(lead) {
                t = rest.trim_start();
            }
        }
    }
    let mut c = t.chars();
    match c.next() {
        // A Greek letter at the start is a symbol ("σ² is the variance"): its case is its meaning.
        Some(f) if ('\u{370}'..='\u{3ff}').contains(&f) => t.to_string(),
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Split a short sentence into its listed points (each keeping at least one content word).
fn split_list(s: &str) -> Vec<String> {
    let mut parts: Vec<String> = vec![String::new()];
    for tok in s.split_inclusive([',', ';']) {
        for (i, piece) in tok.split(" and ").enumerate() {
            if i > 0 {
                parts.push(String::new());
            }
            parts.last_mut().unwrap().push_str(piece);
        }
        if tok.ends_with([',', ';']) {
            parts.push(String::new());
        }
    }
    // Merge a piece without content words into its neighbour (e.g. "both", "e.g.").
    let mut merged: Vec<String> = Vec::new();
    for p in parts {
        let content = p
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w.len() > 1 && !detect::is_function_word(&w.to_ascii_lowercase()));
        match merged.last_mut() {
            Some(last) if !content => {
                last.push(' ');
                last.push_str(p.trim());
            }
            _ => merged.push(p.trim().to_string()),
        }
    }
    merged.retain(|p| !p.is_empty());
    merged
}

/// Key terms of a claim, most telling first: numbers, then words the question does not already use, longer first.
fn key_terms(claim: &str, question_stems: &HashSet<String>, lex: &Lexicon) -> Vec<String> {
    let toks = tokenize_with(claim, lex);
    let mut seen = HashSet::new();
    let mut nums: Vec<String> = Vec::new();
    let mut fresh: Vec<(usize, String)> = Vec::new();
    let mut echoed: Vec<(usize, String)> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if let Some(n) = t.num {
            let s = format!("#{}", trim_num(n));
            if seen.insert(s.clone()) {
                nums.push(s);
            }
            continue;
        }
        let w = t.raw.as_str();
        // Adverbs ("finally", "generally", "simply") say how, not what: never key terms.
        if w.len() < 2
            || (w.len() > 4 && w.ends_with("ly"))
            || detect::is_function_word(w)
            || !w.chars().all(|c| c.is_ascii_alphanumeric())
            || !seen.insert(t.stem.clone())
        {
            continue;
        }
        if question_stems.contains(&t.stem) {
            echoed.push((i, w.to_string()));
        } else {
            fresh.push((i, w.to_string()));
        }
    }
    fresh.sort_by_key(|(i, w)| (std::cmp::Reverse(w.len().min(8)), *i));
    let mut out: Vec<String> = nums;
    out.extend(fresh.into_iter().map(|(_, w)| w));
    if out.is_empty() {
        out.extend(echoed.into_iter().map(|(_, w)| w));
    }
    out.truncate(MAX_TERMS);
    out
}

/// Derivational endings stripped to reach a word's family ("reusability", "reused" and "reusable" share "reus").
const DERIVED: &[&str] = &[
    "abilities",
    "ability",
    "ibility",
    "ations",
    "ation",
    "ments",
    "ment",
    "ness",
    "ities",
    "ity",
    "able",
    "ible",
    "ively",
    "ive",
    "ions",
    "ion",
    "ers",
    "er",
    "ing",
    "ed",
    "es",
    "e",
    "s",
];
/// Shortest family prefix kept: shorter roots would match unrelated words.
const MIN_ROOT: usize = 5;

/// A key term as a pattern that matches its word family: a prefix pattern on the root when stripping one
/// derivational ending leaves at least [`MIN_ROOT`] letters ("abstraction" -> `abstract*`), or one fewer after
/// "-ability", which takes the stem's "e" with it ("reusability" -> `reus*`: reuse, reused, reusable), else the
/// word itself.
/// Numbers stay number patterns.
fn word_family(term: &str) -> String {
    if term.starts_with('#') {
        return term.to_string();
    }
    DERIVED
        .iter()
        .find_map(|end| term.strip_suffix(end).map(|root| (root, *end)))
        .filter(|(root, end)| {
            root.len() >= MIN_ROOT || (root.len() + 1 >= MIN_ROOT && end.ends_with("bility"))
        })
        // A root's silent "e" goes too ("refinement" -> `refin*`, which also meets "refining").
        .map(|(root, _)| match root.strip_suffix('e') {
            Some(bare) if bare.len() >= MIN_ROOT => bare,
            _ => root,
        })
        .map_or_else(|| term.to_string(), |root| format!("{root}*"))
}

fn trim_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Does a claim deny something ("if the base case is not included")? Its words would read as negated in an
/// answer that makes the same claim, so such a criterion is matched by meaning only.
fn denies(claim: &str) -> bool {
    claim
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .any(|w| {
            let w = w.to_ascii_lowercase();
            matches!(
                w.as_str(),
                "not" | "no" | "never" | "cannot" | "without" | "neither" | "nor" | "none"
            ) || w.ends_with("n't")
                || crate::text::negation::bare_negative(&w).is_some()
        })
}

/// The word a claim's first plain negation ("not", "no", "never", "without", "cannot") applies to: the next
/// word ("no constructor", "not included"), with the words of its clause. None for contracted forms
/// ("doesn't"): matched by meaning only.
fn denied_word(claim: &str) -> Option<(String, Vec<String>)> {
    for piece in claim.split([',', ';', ':']) {
        let words: Vec<String> = piece
            .split(|c: char| c.is_whitespace() || matches!(c, '.' | '(' | ')'))
            .filter(|w| !w.is_empty())
            .map(|w| w.to_ascii_lowercase())
            .collect();
        let Some(at) = words
            .iter()
            .position(|w| matches!(w.as_str(), "not" | "no" | "never" | "without" | "cannot"))
        else {
            continue;
        };
        return words
            .get(at + 1)
            .filter(|w| w.chars().all(|c| c.is_ascii_alphanumeric()))
            .map(|w| (w.clone(), words.clone()));
    }
    None
}

/// One drafted criterion: statement, weight (before normalising), patterns, min_hits.
///
/// A claim that denies something ("if the base case is not included") gets one pattern that holds the negation
/// itself with its key terms: a pattern's own negation word exempts it from negation handling, so an answer that
/// says the same denial matches, while one that only names the terms does not.
fn criterion(claim: &str, terms: Vec<String>, n: usize) -> CriterionSpec {
    let denial = denies(claim);
    let k = terms.len();
    let min_hits = match k {
        _ if denial => None,
        0..=2 => None,
        _ => Some(k.div_ceil(2)),
    };
    let patterns = if denial {
        match denied_word(claim) {
            Some((next, piece)) => {
                // Other key terms of the denial's own clause (a term elsewhere in the claim may sit in a clause
                // the answer reports or rejects).
                let rest: Vec<&str> = terms
                    .iter()
                    .filter(|t| {
                        // The negation is the pattern's first group; a group never shares its word.
                        !t.starts_with('#')
                            && **t != next
                            && !crate::text::normalize::NEGATION_CUES.contains(&t.as_str())
                            && piece.iter().any(|w| w == *t)
                    })
                    .take(2)
                    .map(String::as_str)
                    .collect();
                let mut p = format!("(not|no|never|without|cannot) {next}");
                for w in rest {
                    p.push_str(" + ");
                    p.push_str(w);
                }
                vec![p]
            }
            None => Vec::new(),
        }
    } else {
        terms.iter().map(|t| word_family(t)).collect()
    };
    let id = {
        let words: Vec<String> = terms
            .iter()
            .filter(|t| !t.starts_with('#'))
            .take(3)
            .cloned()
            .collect();
        if words.is_empty() {
            format!("point-{n}")
        } else {
            words.join("-")
        }
    };
    let tags: Vec<String> = id
        .split('-')
        .take(1)
        .filter(|t| !t.starts_with("point"))
        .map(str::to_string)
        .collect();
    CriterionSpec {
        id,
        weight: 0.0,
        statement: claim.to_string(),
        restatements: vec![],
        tags,
        patterns,
        partial: vec![],
        min_hits,
        needs: None,
        probe: None,
    }
}

/// Draft a question offline from its sample answer.
pub fn offline(
    inp: &DraftInput,
    id: &str,
    area: &str,
    title: &str,
    difficulty: &str,
    lex: &Lexicon,
) -> QuestionSpec {
    let answer = inp.answer.clone().unwrap_or_default();
    let q_stems: HashSet<String> = tokenize_with(&inp.question, lex)
        .into_iter()
        .map(|t| t.stem)
        .collect();
    let mut scored: Vec<(usize, String, Vec<String>)> = claims(&answer)
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let terms = key_terms(&c, &q_stems, lex);
            (i, c, terms)
        })
        .filter(|(_, _, t)| !t.is_empty())
        .collect();
    // The most telling claims, kept in the answer's order.
    let salience = |c: &str| -> usize {
        let toks = tokenize_with(c, lex);
        let fresh: HashSet<&str> = detect::content_stems(&toks)
            .into_iter()
            .filter(|s| !q_stems.contains(*s))
            .collect();
        fresh.len() + 1
    };
    if scored.len() > MAX_CRITERIA {
        scored.sort_by_key(|(i, c, _)| (std::cmp::Reverse(salience(c)), *i));
        scored.truncate(MAX_CRITERIA);
        scored.sort_by_key(|(i, _, _)| *i);
    }
    let mut crits: Vec<CriterionSpec> = Vec::new();
    let mut ids = HashSet::new();
    for (n, (_, claim, terms)) in scored.into_iter().enumerate() {
        let mut c = criterion(&claim, terms, n + 1);
        if !ids.insert(c.id.clone()) {
            c.id = format!("{}-{}", c.id, n + 1);
            ids.insert(c.id.clone());
        }
        // A sample answer leads with its main point: the first claim weighs double.
        let lead = if n == 0 { LEAD_WEIGHT } else { 1.0 };
        c.weight = salience(&claim) as f64 * lead;
        crits.push(c);
    }
    if crits.is_empty() {
        // An answer with no content words of its own: one criterion, met by meaning.
        crits.push(whole_answer_criterion(&answer));
    }
    normalise_weights(&mut crits);
    QuestionSpec {
        id: id.to_string(),
        area: area.to_string(),
        title: title.to_string(),
        difficulty: difficulty.to_string(),
        companies: inp.companies.clone(),
        version: 1,
        tags: vec![area.to_string()],
        prompt: inp.question.trim().to_string(),
        reference: answer.trim().to_string(),
        criteria: crits,
        misconceptions: vec![],
        ladder: vec![],
        quiz: vec![],
    }
}

/// The one criterion of an answer with no content words of its own: the whole answer, met by meaning.
fn whole_answer_criterion(answer: &str) -> CriterionSpec {
    CriterionSpec {
        id: "answer".into(),
        weight: 100.0,
        statement: answer.trim().to_string(),
        restatements: vec![],
        tags: vec![],
        patterns: vec![],
        partial: vec![],
        min_hits: None,
        needs: None,
        probe: None,
    }
}

/// Whole-point weights summing to 100, none below 5.
fn normalise_weights(crits: &mut [CriterionSpec]) {
    let total: f64 = crits.iter().map(|c| c.weight.max(1.0)).sum();
    for c in crits.iter_mut() {
        c.weight = (100.0 * c.weight.max(1.0) / total).round().max(5.0);
    }
    let sum: f64 = crits.iter().map(|c| c.weight).sum();
    if let Some(first) = crits
        .iter_mut()
        .max_by(|a, b| a.weight.total_cmp(&b.weight))
    {
        first.weight = (first.weight + 100.0 - sum).max(5.0);
    }
}

/// The rubric file's text.
pub fn to_toml(spec: &QuestionSpec, origin: &str) -> String {
    let body = toml::to_string(spec).unwrap_or_default();
    format!("# Drafted by `viva bank draft` from {origin}. Edit freely; `viva bank check` validates it.\n{body}")
}

#[cfg(test)]
mod tests;
