//! Judging an analysed answer against a rubric: whether each criterion is met (with the candidate's own words
//! as evidence, and the specifics it needs), which misconceptions it states, and what a missed or partial
//! criterion lacks.

use super::detect;
use super::normalize::{tokenize_with, Lexicon};
use super::pattern::{Doc, Span};
use super::{CriterionResult, MisconceptionHit, Verdict};
use crate::bank::spec::Needs;
use crate::bank::{Criterion, Misconception};
use std::collections::HashSet;

/// Judge one criterion against an analysed answer.
pub fn judge(c: &Criterion, doc: &Doc) -> CriterionResult {
    judge_except(c, doc, &HashSet::new())
}

/// Judge one criterion, ignoring sentences in `void` (sentences that state a misconception earn nothing).
pub fn judge_except(c: &Criterion, doc: &Doc, void: &HashSet<u32>) -> CriterionResult {
    let allow = |s: u32| !void.contains(&s);
    let mut evidence: Vec<String> = Vec::new();
    let mut hits = 0usize;
    let mut sents: Vec<u32> = Vec::new();
    for p in &c.patterns {
        if let Some(sp) = p.find_where(doc, &allow) {
            hits += 1;
            sents.extend(doc.tokens[sp.first].sent..=doc.tokens[sp.last].sent);
            let q = doc.quote(sp);
            if !evidence.contains(&q) {
                evidence.push(q);
            }
        }
    }
    let need = c.spec.min_hits.unwrap_or(1).max(1);
    let mut verdict = if hits >= need {
        Verdict::Met
    } else if hits > 0 {
        Verdict::Partial
    } else {
        Verdict::Missed
    };
    if verdict == Verdict::Missed {
        for p in &c.partial {
            if let Some(sp) = p.find_where(doc, &allow) {
                verdict = Verdict::Partial;
                let q = doc.quote(sp);
                if !evidence.contains(&q) {
                    evidence.push(q);
                }
                break;
            }
        }
    }
    evidence.truncate(2);
    let mut rationale = None;
    if let Some(need) = c.spec.needs {
        if verdict != Verdict::Missed && !specifics(doc, &sents, need) {
            verdict = Verdict::Missed;
            evidence.clear();
            rationale = Some(needs_message(need).to_string());
        }
    }
    CriterionResult {
        verdict,
        evidence,
        rationale,
        ..missed(c)
    }
}

/// What a criterion that needs specifics says when the answer names the idea without them.
pub fn needs_message(need: Needs) -> &'static str {
    match need {
        Needs::Number => "You named the idea but gave no number for it.",
        Needs::Unit => "You named the idea but gave no figure with a unit (ms, GB, FPS…) for it.",
        Needs::Arithmetic => {
            "You named the idea but did not work the numbers: show the arithmetic with the rung's figures."
        }
    }
}

/// Units that make a number a quantity (surface forms after normalisation).
const UNITS: &[&str] = &[
    "ms",
    "s",
    "sec",
    "second",
    "seconds",
    "millisecond",
    "milliseconds",
    "us",
    "µs",
    "ns",
    "fps",
    "hz",
    "gb",
    "mb",
    "kb",
    "tb",
    "gib",
    "mib",
    "kib",
    "byte",
    "bytes",
    "bit",
    "bits",
    "w",
    "watt",
    "watts",
    "tops",
    "flops",
    "gflops",
    "tflops",
    "macs",
    "gmacs",
    "x",
    "times",
    "percent",
    "%",
    "px",
    "pixel",
    "pixels",
    "m",
    "km",
    "metre",
    "metres",
    "meter",
    "meters",
    "cm",
    "mm",
    "degree",
    "degrees",
    "epoch",
    "epochs",
    "gpu",
    "gpus",
    "hour",
    "hours",
    "day",
    "days",
    "minute",
    "minutes",
    "image",
    "images",
    "token",
    "tokens",
    "frame",
    "frames",
    "param",
    "params",
    "parameter",
    "parameters",
    "qps",
    "request",
    "requests",
    "core",
    "cores",
];

/// Whether the sentences `sents` of `doc` carry the specifics `need` asks for.
pub fn specifics(doc: &Doc, sents: &[u32], need: Needs) -> bool {
    let in_sents = |i: usize| sents.contains(&doc.tokens[i].sent);
    let nums: Vec<usize> = (0..doc.tokens.len())
        .filter(|&i| in_sents(i) && doc.tokens[i].num.is_some())
        .collect();
    match need {
        Needs::Number => !nums.is_empty(),
        Needs::Unit => nums.iter().any(|&i| {
            doc.tokens[i + 1..]
                .iter()
                .take(2)
                .any(|t| UNITS.contains(&t.raw.as_str()))
                || doc.text[doc.tokens[i].end..].starts_with('%')
        }),
        Needs::Arithmetic => {
            let mut vals: Vec<f64> = nums.iter().filter_map(|&i| doc.tokens[i].num).collect();
            vals.sort_by(f64::total_cmp);
            vals.dedup();
            vals.len() >= 2
        }
    }
}

/// Misconceptions present in the answer, and the sentences that state them.
pub fn misconceptions<'a>(
    ms: impl IntoIterator<Item = &'a Misconception>,
    doc: &Doc,
) -> (Vec<MisconceptionHit>, HashSet<u32>) {
    let mut sents = HashSet::new();
    let hits = ms
        .into_iter()
        .filter_map(|m| {
            let sp = m
                .patterns
                .iter()
                .find_map(|p| p.find_claim(doc).filter(|sp| !warned(doc, *sp, &p.source)))?;
            sents.extend(doc.tokens[sp.first].sent..=doc.tokens[sp.last].sent);
            Some(MisconceptionHit {
                id: m.spec.id.clone(),
                statement: m.spec.statement.clone(),
                penalty: m.spec.penalty,
                evidence: vec![doc.quote(sp)],
            })
        })
        .collect();
    (hits, sents)
}

/// Stems of harm: a misconception stated together with its harm is a warning against it ("full fine-tuning on a
/// few hundred images overfits"), not a claim.
const HARM: &[&str] = &[
    "overfit",
    "destroy",
    "wipe",
    "damag",
    "hurt",
    "harm",
    "degrad",
    "catastroph",
    "forget",
    "forgot",
    "eras",
    "ruin",
    "kill",
    "break",
    "lose",
    "collaps",
    "mistak",
    "wast",
    "risk",
    "danger",
    "memoris",
    "memoriz",
    "pitfal",
    "backfir",
    "leak",
    "fail",
];

/// Stems that begin like a harm and name none: "a harmless rescale", "a per-class breakdown", "leaky ReLU".
const NOT_HARM: &[&str] = &["harmless", "breakdown", "breakthrough", "leaki"];

/// Whether a token's stem names a harm from `harms`.
fn is_harm(stem: &str, harms: &[&str]) -> bool {
    harms.iter().any(|h| stem.starts_with(h)) && !NOT_HARM.iter().any(|n| stem.starts_with(n))
}

/// Whether a misconception match names the harm it does in its own clause ("… would just overfit"); a harm in
/// a later clause is a separate claim ("…, so this gap is plain overfitting"). A harm the pattern itself names
/// is part of the wrong claim ("skip connections prevent overfitting"), not a warning against it.
fn warned(doc: &Doc, sp: Span, source: &str) -> bool {
    let source = source.to_lowercase();
    let own = |h: &&str| {
        source
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w.starts_with(*h))
    };
    let harms: Vec<&str> = HARM.iter().copied().filter(|h| !own(h)).collect();
    let clause = doc.tokens[sp.last].clause;
    doc.tokens[sp.first..]
        .iter()
        .take(sp.last - sp.first + 14)
        .take_while(|t| t.clause <= clause)
        .any(|t| is_harm(&t.stem, &harms))
}

/// A criterion missed, with nothing to say about it.
pub(super) fn missed(c: &Criterion) -> CriterionResult {
    CriterionResult {
        id: c.spec.id.clone(),
        verdict: Verdict::Missed,
        evidence: vec![],
        statement: c.spec.statement.clone(),
        weight: c.spec.weight,
        tags: c.spec.tags.clone(),
        rationale: None,
        closest: None,
    }
}

/// Up to five content words of a criterion's statement that `said` does not contain (surface forms, in order).
pub fn missing_terms(c: &Criterion, said: &str, lex: &Lexicon) -> Vec<String> {
    let stmt = c.statement_tokens(lex);
    let have = tokenize_with(said, lex);
    let have: Vec<&str> = have.iter().map(|t| t.stem.as_str()).collect();
    let content = detect::content_stems(stmt);
    let mut out: Vec<String> = Vec::new();
    for t in stmt {
        if content.contains(&t.stem.as_str())
            && !have.contains(&t.stem.as_str())
            && !out.contains(&t.raw)
        {
            out.push(t.raw.clone());
        }
    }
    out.truncate(5);
    out
}

/// The answer's sentence closest to a missed criterion (sharing the most content words with its statement, at
/// least two), and a note on what it lacks: feedback that starts from what the candidate did say.
pub fn closest(c: &Criterion, doc: &Doc, lex: &Lexicon) -> Option<(String, String)> {
    let stmt = c.statement_tokens(lex);
    let want: Vec<&str> = {
        let mut v = detect::content_stems(stmt);
        v.sort_unstable();
        v.dedup();
        v
    };
    if want.is_empty() || doc.tokens.is_empty() {
        return None;
    }
    // One pass: a sentence's tokens are contiguous. The first sentence with the most shared words wins.
    let mut best: Option<(usize, usize, usize)> = None;
    let mut shared: Vec<&str> = Vec::new();
    let mut from = 0;
    for (i, t) in doc.tokens.iter().enumerate() {
        if want.binary_search(&t.stem.as_str()).is_ok() && !shared.contains(&t.stem.as_str()) {
            shared.push(t.stem.as_str());
        }
        let ends = doc.tokens.get(i + 1).map_or(true, |n| n.sent != t.sent);
        if ends {
            if shared.len() >= 2 && best.map_or(true, |(n, _, _)| shared.len() > n) {
                best = Some((shared.len(), from, i));
            }
            shared.clear();
            from = i + 1;
        }
    }
    let (_, first, last) = best?;
    let quote = doc.quote(Span { first, last });
    let missing = missing_terms(
        c,
        &doc.text[doc.tokens[first].start..doc.tokens[last].end],
        lex,
    );
    let note = if missing.is_empty() {
        "It names the right terms but does not make the claim the criterion asks for.".to_string()
    } else {
        format!("It does not get to: {}.", missing.join(", "))
    };
    Some((quote, note))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::pattern::Pattern;

    /// Whether pattern `p` states its claim in `text` and names no harm against it.
    fn claimed(p: &str, text: &str) -> bool {
        let lex = Lexicon::new(&[]);
        // Patterns first: a document looks up the words patterns have interned.
        let pat = Pattern::compile(p, &lex).unwrap();
        let doc = Doc::new(text, &lex);
        pat.find_claim(&doc)
            .is_some_and(|sp| !warned(&doc, sp, &pat.source))
    }

    #[test]
    fn a_harm_warns_unless_the_pattern_names_it() {
        let full = "(retrain*) + (whole|entire) (network|model)";
        // Without the pattern's own harm exemption the second pattern never fires: "overfit" is a harm.
        assert!(claimed(full, "I would retrain the whole network."));
        assert!(!claimed(
            full,
            "Retraining the whole network on 200 images would overfit."
        ));
        let skip = "(skip|residual) + (prevent*|fix*|stop*) overfit*";
        assert!(claimed(
            skip,
            "Skip connections prevent overfitting in deep nets."
        ));
        assert!(!claimed(
            skip,
            "Skip connections do not prevent overfitting."
        ));
    }

    #[test]
    fn words_that_only_begin_like_a_harm_do_not_warn() {
        let full = "(retrain*) + (whole|entire) (network|model)";
        for text in [
            "I would retrain the whole network, a harmless step here.",
            "I would retrain the whole network and show a per-class breakdown.",
            "I would retrain the whole network with leaky ReLU activations.",
        ] {
            assert!(claimed(full, text), "{text}");
        }
        for text in [
            "Retraining the whole network would harm the pretrained features.",
            "Retraining the whole network would break what it learned.",
            "Retraining the whole network would leak the test set.",
            "Retraining the whole network fails when there are only a few hundred images.",
        ] {
            assert!(!claimed(full, text), "{text}");
        }
    }
}
