//! The bank for commands that do not grade every question: every question parsed (id, area, prompt, criteria
//! with their tags and statements, ladder, quiz), but concept patterns compiled only for the questions a command
//! will grade. Compiling every pattern of the bank is most of what loading it costs, and an interview grades
//! only the few questions it asks.
//!
//! The embedded bank is validated in full by its tests and by `viva bank check`; a user's own `--bank` directory
//! is still loaded and validated in full (see `commands::review::load_outline`).

use super::spec::{CriterionSpec, LexiconFile, MisconceptionSpec, QuestionSpec};
use super::{collect_embedded, compile_question, line_of, Bank, BankError, BankIssue};
use super::{Criterion, Misconception, Question, Rung, AREAS};
use crate::grade::normalize::Lexicon;

fn bare_criteria(specs: &[CriterionSpec]) -> Vec<Criterion> {
    specs
        .iter()
        .map(|c| Criterion {
            spec: c.clone(),
            patterns: Vec::new(),
            partial: Vec::new(),
        })
        .collect()
}

fn bare_misconceptions(specs: &[MisconceptionSpec]) -> Vec<Misconception> {
    specs
        .iter()
        .map(|m| Misconception {
            spec: m.clone(),
            patterns: Vec::new(),
        })
        .collect()
}

/// The embedded bank with every question parsed and none compiled; [`compile`] the ones to grade. Anything that
/// does not parse falls back to the full load, which reports it with file and line.
pub fn outline() -> Result<Bank, BankError> {
    let (qfiles, lfiles) = collect_embedded();
    let mut entries: Vec<(String, Vec<String>)> = Vec::new();
    for (_, text) in &lfiles {
        match toml::from_str::<LexiconFile>(text) {
            Ok(lf) => entries.extend(lf.synonyms),
            Err(_) => return Bank::embedded(),
        }
    }
    let mut questions = Vec::with_capacity(qfiles.len());
    for (path, text) in qfiles {
        let Ok(spec) = toml::from_str::<QuestionSpec>(&text) else {
            return Bank::embedded();
        };
        let ladder = spec
            .ladder
            .iter()
            .map(|r| Rung {
                stage: r.stage.clone(),
                question: r.question.clone(),
                constraints: r.constraints.clone(),
                criteria: bare_criteria(&r.criteria),
                misconceptions: bare_misconceptions(&r.misconceptions),
            })
            .collect();
        questions.push(Question {
            criteria: bare_criteria(&spec.criteria),
            misconceptions: bare_misconceptions(&spec.misconceptions),
            ladder,
            reference_line: line_of(&text, "reference =", 1, 1),
            source: path,
            spec,
        });
    }
    let area_pos = |a: &str| AREAS.iter().position(|(id, _)| *id == a).unwrap_or(99);
    questions.sort_by(|a, b| {
        (area_pos(&a.spec.area), &a.spec.id).cmp(&(area_pos(&b.spec.area), &b.spec.id))
    });
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
        let Some(text) = super::source_text(&q.source) else {
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
