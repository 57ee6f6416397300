//! The fairness guard of `viva bank check`: correct statements must never trip a misconception.
//!
//! Each misconception lists correct statements written to sit close to its patterns (`correct = [...]`). They, the
//! sentences of the reference answer and every criterion statement and restatement are graded for
//! misconceptions; any hit is a bank error naming the file and the line of the statement.

use super::judge::misconceptions;
use super::pattern::Doc;
use crate::bank::{line_of, Bank, BankIssue, Misconception, Question};

/// Correct statements each misconception of a built-in question must list.
pub const MIN_CORRECT: usize = 3;

/// What the guard found: errors (a misconception fires on a correct statement, or a built-in question lists too
/// few correct statements) and warnings (a user's rubric lists none).
#[derive(Debug, Default)]
pub struct Fairness {
    /// Bank errors, with file and line.
    pub errors: Vec<BankIssue>,
    /// Warnings, with file and line.
    pub warnings: Vec<BankIssue>,
    /// Correct statements checked.
    pub checked: usize,
    /// Wrong examples checked (each must fire its misconception).
    pub examples: usize,
}

/// Check every question of `bank`. `strict`: a misconception with fewer than [`MIN_CORRECT`] correct statements
/// is an error (the built-in bank) rather than a warning (a user's own rubric files).
pub fn check(bank: &Bank, strict: bool) -> Fairness {
    let mut out = Fairness::default();
    for q in &bank.questions {
        if strict && q.ladder.is_empty() {
            out.errors.push(BankIssue {
                file: q.source.clone(),
                line: 1,
                msg: "a question needs a follow-up ladder of 3-4 rungs (the built-in standard; drafted short-answer questions have none)".into(),
            });
        }
        check_question(bank, q, strict, &mut out);
    }
    out
}

/// Check one question of `bank` (a drafted rubric before it is written).
pub fn check_one(bank: &Bank, q: &Question, strict: bool) -> Fairness {
    let mut out = Fairness::default();
    check_question(bank, q, strict, &mut out);
    out
}

/// Sentences of a text, split at ., ? and ! followed by white space (numbers like 0.5 stay whole).
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = text.as_bytes();
    for i in 0..b.len() {
        if matches!(b[i], b'.' | b'?' | b'!')
            && b.get(i + 1).map_or(true, |c| c.is_ascii_whitespace())
        {
            let s = text[start..=i].trim();
            if !s.is_empty() {
                out.push(s);
            }
            start = i + 1;
        }
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

fn check_question(bank: &Bank, q: &Question, strict: bool, out: &mut Fairness) {
    let src = Source {
        file: &q.source,
        text: crate::bank::source_text(&q.source).unwrap_or_default(),
    };
    let all_mis: Vec<&Misconception> = q
        .misconceptions
        .iter()
        .chain(q.ladder.iter().flat_map(|r| r.misconceptions.iter()))
        .collect();
    for m in &all_mis {
        let n = m.spec.correct.len();
        if n < MIN_CORRECT {
            let issue = src.issue(
                &format!("id = \"{}\"", m.spec.id),
                format!(
                    "misconception '{}' lists {n} correct statement(s) that must not trip it; {MIN_CORRECT} are needed (`correct = [...]`)",
                    m.spec.id
                ),
            );
            if strict {
                out.errors.push(issue);
            } else {
                out.warnings.push(issue);
            }
        }
    }
    for m in &all_mis {
        for ex in &m.spec.examples {
            out.examples += 1;
            let doc = Doc::new(ex, &bank.lexicon);
            if misconceptions([*m], &doc).0.is_empty() {
                out.errors.push(src.issue(
                    ex,
                    format!(
                        "misconception '{}' does not fire on its own example: \"{}\"",
                        m.spec.id,
                        short(ex)
                    ),
                ));
            }
        }
    }
    check_probes(bank, q, &src, out);
    for (t, kind) in correct_texts(q, &all_mis) {
        out.checked += 1;
        let doc = Doc::new(t, &bank.lexicon);
        let (hits, _) = misconceptions(all_mis.iter().copied(), &doc);
        for h in hits {
            out.errors.push(src.issue(
                t,
                format!(
                    "misconception '{}' fires on a {kind}: \"{}\" (matched \"{}\")",
                    h.id,
                    short(t),
                    h.evidence.first().map(String::as_str).unwrap_or("")
                ),
            ));
        }
    }
}

/// A question's source file: problems are located at the first line holding a statement's first 40 characters.
struct Source<'a> {
    file: &'a str,
    text: String,
}

impl Source<'_> {
    fn issue(&self, needle: &str, msg: String) -> BankIssue {
        let key: String = needle.chars().take(40).collect();
        BankIssue {
            file: self.file.to_string(),
            line: line_of(&self.text, &key, 1, 1),
            msg,
        }
    }
}

/// What must never trip a misconception, and what each is: the correct statements the misconceptions list, the
/// sentences of the reference answer and every criterion statement.
fn correct_texts<'a>(
    q: &'a Question,
    all_mis: &[&'a Misconception],
) -> Vec<(&'a str, &'static str)> {
    let mut texts: Vec<(&str, &'static str)> = Vec::new();
    for m in all_mis {
        texts.extend(
            m.spec
                .correct
                .iter()
                .map(|s| (s.as_str(), "correct statement")),
        );
    }
    texts.extend(
        sentences(&q.spec.reference)
            .into_iter()
            .map(|s| (s, "reference sentence")),
    );
    for c in q.all_criteria() {
        texts.push((c.spec.statement.as_str(), "criterion statement"));
        texts.extend(
            c.spec
                .restatements
                .iter()
                .map(|s| (s.as_str(), "criterion restatement")),
        );
    }
    texts
}

/// A probe must not give the answer away: the criterion's own patterns must not match it.
fn check_probes(bank: &Bank, q: &Question, src: &Source, out: &mut Fairness) {
    for c in q.all_criteria() {
        let Some(p) = &c.spec.probe else { continue };
        let doc = Doc::new(p, &bank.lexicon);
        if let Some(pat) = c
            .patterns
            .iter()
            .find(|pat| pat.find_unscoped(&doc).is_some())
        {
            out.errors.push(src.issue(
                p,
                format!(
                    "the probe of criterion '{}' gives the answer away (its pattern \"{}\" matches the probe)",
                    c.spec.id, pat.source
                ),
            ));
        }
    }
}

fn short(t: &str) -> String {
    let mut s: String = t.chars().take(90).collect();
    if t.chars().count() > 90 {
        s.push('…');
    }
    s
}
