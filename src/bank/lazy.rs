//! The bank for commands that do not grade every question: every question parsed (id, area, prompt, criteria
//! with their tags and statements, ladder, quiz), but concept patterns compiled only for the questions a command
//! will grade. Compiling every pattern of the bank is most of what loading it costs, and an interview grades
//! only the few questions it asks.
//!
//! The embedded bank is validated in full by its tests and by `viva bank check`; a user's own `--bank` directory
//! is still loaded and validated in full (see `commands::review::load_outline`).

use super::compile::compile_question;
use super::files::{collect_embedded, is_lexicon, line_of, source_text};
use super::spec::{CriterionSpec, LexiconFile, MisconceptionSpec, QuestionSpec};
use super::{sort_by_area, Bank, BankError, BankIssue, Criterion, Misconception, Question, Rung};
use crate::text::normalize::Lexicon;
use std::path::Path;

impl Criterion {
    /// A criterion as written, its patterns not compiled.
    fn uncompiled(spec: &CriterionSpec) -> Criterion {
        Criterion::new(spec.clone(), Vec::new(), Vec::new())
    }
}

impl Misconception {
    /// A misconception as written, its patterns not compiled.
    fn uncompiled(spec: &MisconceptionSpec) -> Misconception {
        Misconception {
            spec: spec.clone(),
            patterns: Vec::new(),
        }
    }
}

/// The embedded rubric files as JSON, converted from their TOML at build time (see `build.rs`).
static MIRROR: &str = include_str!(concat!(env!("OUT_DIR"), "/rubrics.jsonl"));

/// Parsed question files (display path, line of `reference =`, spec) and lexicon entries, in file order.
type Parsed = (
    Vec<(String, usize, QuestionSpec)>,
    Vec<(String, Vec<String>)>,
);

/// The bank from the build-time mirror; None unless every file is there and parses.
fn from_mirror() -> Option<Parsed> {
    let mut lines = MIRROR.lines();
    let files: usize = lines.next()?.strip_prefix("files\t")?.parse().ok()?;
    let (mut qs, mut lex) = (Vec::new(), Vec::new());
    let mut n = 0;
    for line in lines {
        let (path, rest) = line.split_once('\t')?;
        let (reference_line, json) = rest.split_once('\t')?;
        n += 1;
        if is_lexicon(Path::new(path)) {
            let lf: LexiconFile = serde_json::from_str(json).ok()?;
            lex.extend(lf.synonyms);
        } else {
            let spec: QuestionSpec = serde_json::from_str(json).ok()?;
            qs.push((path.to_string(), reference_line.parse().ok()?, spec));
        }
    }
    (n == files).then_some((qs, lex))
}

/// The bank from the embedded TOML files; None when one does not parse.
fn from_toml() -> Option<Parsed> {
    let (qfiles, lfiles) = collect_embedded();
    let mut lex = Vec::new();
    for (_, text) in &lfiles {
        lex.extend(toml::from_str::<LexiconFile>(text).ok()?.synonyms);
    }
    let mut qs = Vec::with_capacity(qfiles.len());
    for (path, text) in qfiles {
        let spec = toml::from_str::<QuestionSpec>(&text).ok()?;
        qs.push((path, line_of(&text, "reference =", 1, 1), spec));
    }
    Some((qs, lex))
}

/// The embedded bank with every question parsed and none compiled; [`compile`] the ones to grade. Read from the
/// build-time JSON mirror (the TOML when the mirror lacks a file); anything that does not parse falls back to the
/// full load, which reports it with file and line.
pub fn outline() -> Result<Bank, BankError> {
    let Some((qfiles, entries)) = from_mirror().or_else(from_toml) else {
        return Bank::embedded();
    };
    let mut questions = Vec::with_capacity(qfiles.len());
    for (path, reference_line, spec) in qfiles {
        let ladder = spec
            .ladder
            .iter()
            .map(|r| Rung {
                stage: r.stage.clone(),
                question: r.question.clone(),
                constraints: r.constraints.clone(),
                criteria: r.criteria.iter().map(Criterion::uncompiled).collect(),
                misconceptions: r
                    .misconceptions
                    .iter()
                    .map(Misconception::uncompiled)
                    .collect(),
            })
            .collect();
        questions.push(Question {
            criteria: spec.criteria.iter().map(Criterion::uncompiled).collect(),
            misconceptions: spec
                .misconceptions
                .iter()
                .map(Misconception::uncompiled)
                .collect(),
            ladder,
            reference_line,
            source: path,
            spec,
        });
    }
    sort_by_area(&mut questions);
    Ok(Bank {
        questions,
        lexicon: Lexicon::new(&entries),
    })
}

/// Whether a question's patterns are compiled (every criterion of a valid bank has at least one pattern).
pub fn is_compiled(q: &Question) -> bool {
    q.all_criteria().all(|c| !c.patterns.is_empty())
}

/// Compile the questions with these ids (those not compiled yet), validating them as the full load does.
pub fn compile(bank: &mut Bank, ids: &[String]) -> Result<(), BankError> {
    let mut issues = Vec::new();
    for q in bank.questions.iter_mut() {
        if !ids.iter().any(|id| id == q.id()) || is_compiled(q) {
            continue;
        }
        let Some(text) = source_text(&q.source) else {
            issues.push(BankIssue {
                file: q.source.clone(),
                line: 1,
                msg: "cannot read the question file again".into(),
            });
            continue;
        };
        let mut errs = Vec::new();
        match compile_question(q.spec.clone(), &q.source, &text, &bank.lexicon, &mut errs) {
            Some(c) if errs.is_empty() => *q = c,
            _ => issues.extend(errs.into_iter().map(|(line, msg)| BankIssue {
                file: q.source.clone(),
                line,
                msg,
            })),
        }
    }
    if issues.is_empty() {
        Ok(())
    } else {
        Err(BankError::Invalid(issues))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_build_time_mirror_parses_as_the_toml_does() {
        let (mq, ml) = from_mirror().expect("every embedded file is in the mirror");
        let (tq, tl) = from_toml().unwrap();
        assert_eq!(mq.len(), tq.len());
        for ((mp, mr, ms), (tp, tr, ts)) in mq.iter().zip(&tq) {
            assert_eq!((mp, mr), (tp, tr));
            assert_eq!(
                serde_json::to_value(ms).unwrap(),
                serde_json::to_value(ts).unwrap(),
                "{mp}"
            );
        }
        assert_eq!(ml, tl);
    }

    #[test]
    fn outline_has_every_question_and_compiles_on_demand() {
        let full = Bank::embedded().unwrap();
        let mut b = outline().unwrap();
        let ids = |b: &Bank| {
            b.questions
                .iter()
                .map(|q| q.id().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&b), ids(&full));
        assert!(b.questions.iter().all(|q| !is_compiled(q)));
        let want = "cv-detection-anchor-boxes".to_string();
        compile(&mut b, std::slice::from_ref(&want)).unwrap();
        let (q, f) = (b.get(&want).unwrap(), full.get(&want).unwrap());
        assert!(is_compiled(q));
        assert_eq!(q.all_criteria().count(), f.all_criteria().count());
        assert_eq!(q.reference_line, f.reference_line);
        // The same grade as the fully loaded bank.
        let answer =
            "Nine anchors per location: 3 scales times 3 aspect ratios; the RPN regresses offsets.";
        let g1 = crate::grade::offline::grade(&b, q, None, answer);
        let g2 = crate::grade::offline::grade(&full, f, None, answer);
        assert_eq!(g1, g2);
        assert_eq!(
            crate::review::fold::Taxonomy::of(&b).fingerprint(),
            crate::review::fold::Taxonomy::of(&full).fingerprint()
        );
    }
}
