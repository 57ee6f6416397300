//! A rubric drafted by a model: the typed shape the model returns, read leniently from its JSON, and its
//! conversion into a question file. Where the model gives no usable patterns the offline drafter's key terms
//! fill them; weights are normalised; ids are made in code so they are unique and kebab-case.

use super::{criterion, key_terms, normalise_weights};
use crate::bank::spec::{CriterionSpec, MisconceptionSpec, Needs, QuestionSpec, RungSpec};
use crate::bank::MIN_REFERENCE_WORDS;
use crate::text::normalize::{tokenize_with, Lexicon};
use crate::text::pattern::Pattern;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashSet;

/// Most misconceptions kept from a model draft.
const MAX_MISCONCEPTIONS: usize = 3;
/// Most criteria kept per ladder rung.
const MAX_RUNG_CRITERIA: usize = 4;
/// Penalty bounds for a drafted misconception.
const PENALTY: (f64, f64) = (5.0, 30.0);

/// One criterion as the model wrote it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DraftCriterion {
    /// What a strong answer states.
    pub statement: String,
    /// Relative weight (normalised later).
    pub weight: f64,
    /// Concept patterns (may be empty: generated from the statement).
    pub patterns: Vec<String>,
    /// Specifics the criterion needs.
    pub needs: Option<Needs>,
    /// The same point in other words, when the model volunteers them (the prompt does not ask: restatements
    /// written by the small local model lowered agreement on the external set, 0.512 to 0.494 Pearson); kept when
    /// each is one claim of the rubric format's length.
    pub restatements: Vec<String>,
}

/// One misconception as the model wrote it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DraftMisconception {
    /// The wrong idea.
    pub statement: String,
    /// Patterns that detect it (may be empty: generated from the statement).
    pub patterns: Vec<String>,
    /// Points subtracted.
    pub penalty: f64,
    /// Correct statements close to it that must never trip it.
    pub correct: Vec<String>,
    /// A question that makes the candidate test the claim.
    pub challenge: Option<String>,
}

/// One ladder rung as the model wrote it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DraftRung {
    /// implementation, constraints or failure_modes (others are kept and left to `bank check`).
    pub stage: String,
    /// The follow-up question.
    pub question: String,
    /// Concrete constraints with numbers.
    pub constraints: Vec<String>,
    /// The rung's criteria.
    pub criteria: Vec<DraftCriterion>,
}

/// A whole draft as the model returned it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ModelDraft {
    /// A complete answer (used as the reference only when the sample answer is too short for one).
    pub reference: String,
    /// Criteria of the main question.
    pub criteria: Vec<DraftCriterion>,
    /// Misconceptions with their correct near misses.
    pub misconceptions: Vec<DraftMisconception>,
    /// The follow-up ladder.
    pub ladder: Vec<DraftRung>,
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.trim().to_string(),
        _ => String::new(),
    }
}

fn texts(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().map(text).filter(|s| !s.is_empty()).collect(),
        Value::String(s) if !s.trim().is_empty() => vec![s.trim().to_string()],
        _ => Vec::new(),
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|x: &f64| x.is_finite())
}

fn needs_of(v: &Value) -> Option<Needs> {
    match text(v).to_ascii_lowercase().as_str() {
        "number" => Some(Needs::Number),
        "unit" => Some(Needs::Unit),
        "arithmetic" => Some(Needs::Arithmetic),
        _ => None,
    }
}

fn criteria_of(v: &Value) -> Vec<DraftCriterion> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| {
                    let statement = match c {
                        Value::String(s) => s.trim().to_string(),
                        _ => text(&c["statement"]),
                    };
                    (!statement.is_empty()).then(|| DraftCriterion {
                        statement,
                        weight: number(&c["weight"]).unwrap_or(1.0),
                        patterns: texts(&c["patterns"]),
                        needs: needs_of(&c["needs"]),
                        restatements: restatements_of(&c["restatements"]),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A criterion's restatements: each one claim within the rubric format's word bounds, at most two.
fn restatements_of(v: &Value) -> Vec<String> {
    use crate::bank::{MAX_RESTATEMENT_WORDS, MIN_RESTATEMENT_WORDS};
    texts(v)
        .into_iter()
        .filter(|r| {
            (MIN_RESTATEMENT_WORDS..=MAX_RESTATEMENT_WORDS).contains(&r.split_whitespace().count())
        })
        .take(2)
        .collect()
}

/// Stage names as models write them ("Failure modes", "failure-modes") in the bank's spelling.
fn stage_of(s: &str) -> String {
    s.trim()
        .to_ascii_lowercase()
        .replace([' ', '-'], "_")
        .trim_matches('_')
        .to_string()
}

impl ModelDraft {
    /// Read a draft from the model's JSON. Lenient about types (a weight as a string, a criterion as a bare
    /// string, missing optional fields); `Err` says what is missing when the shape is unusable.
    pub fn from_json(v: &Value) -> Result<ModelDraft, String> {
        if !v.is_object() {
            return Err("the reply is not a JSON object".into());
        }
        let criteria = criteria_of(&v["criteria"]);
        if criteria.is_empty() {
            return Err("no \"criteria\" with statements".into());
        }
        let misconceptions = v["misconceptions"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|m| {
                        let statement = text(&m["statement"]);
                        (!statement.is_empty()).then(|| DraftMisconception {
                            statement,
                            patterns: texts(&m["patterns"]),
                            penalty: number(&m["penalty"]).unwrap_or(10.0),
                            correct: texts(&m["correct"]),
                            challenge: Some(text(&m["challenge"])).filter(|s| !s.is_empty()),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let ladder = v["ladder"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| DraftRung {
                        stage: stage_of(&text(&r["stage"])),
                        question: text(&r["question"]),
                        constraints: texts(&r["constraints"]),
                        criteria: criteria_of(&r["criteria"]),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(ModelDraft {
            reference: text(&v["reference"]),
            criteria,
            misconceptions,
            ladder,
        })
    }
}

/// Patterns that compile (a model's broken pattern is dropped, not fatal).
fn usable(patterns: &[String], lex: &Lexicon) -> Vec<String> {
    patterns
        .iter()
        .filter(|p| !p.trim().is_empty() && Pattern::compile(p, lex).is_ok())
        .cloned()
        .collect()
}

/// A kebab-case id not used yet in the question.
fn unique(base: &str, fallback: &str, ids: &mut HashSet<String>) -> String {
    let base = if base.is_empty() { fallback } else { base };
    let mut id = base.to_string();
    let mut n = 2;
    while !ids.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

fn to_criteria(
    drafted: &[DraftCriterion],
    max: usize,
    q_stems: &HashSet<String>,
    lex: &Lexicon,
    ids: &mut HashSet<String>,
) -> Vec<CriterionSpec> {
    let mut out: Vec<CriterionSpec> = drafted
        .iter()
        .take(max)
        .enumerate()
        .map(|(n, d)| {
            // The offline drafter's criterion for the statement: its id, tags, and patterns when the model gave none.
            let mut c = criterion(&d.statement, key_terms(&d.statement, q_stems, lex), n + 1);
            let own = usable(&d.patterns, lex);
            if !own.is_empty() {
                c.patterns = own;
                c.min_hits = None;
            }
            c.id = unique(&c.id, &format!("point-{}", n + 1), ids);
            c.weight = d.weight.clamp(1.0, 100.0);
            c.needs = d.needs;
            c.restatements = d.restatements.clone();
            c
        })
        .collect();
    normalise_weights(&mut out);
    out
}

/// A misconception's claim without its framing ("Believes that …", "Thinks …").
fn claim_of(statement: &str) -> &str {
    let lower = statement.to_ascii_lowercase();
    for lead in ["believes", "thinks", "assumes", "claims"] {
        if let Some(rest) = lower.strip_prefix(lead) {
            let rest = rest.trim_start();
            let rest = rest.strip_prefix("that ").unwrap_or(rest);
            return &statement[statement.len() - rest.len()..];
        }
    }
    statement
}

/// Key words of a misconception's claim (no numbers), at most three.
fn claim_terms(statement: &str, q_stems: &HashSet<String>, lex: &Lexicon) -> Vec<String> {
    key_terms(claim_of(statement), q_stems, lex)
        .into_iter()
        .filter(|t| !t.starts_with('#'))
        .take(3)
        .collect()
}

/// Patterns for a misconception the model gave none: its key terms, all required together (the fairness check
/// then proves they do not fire on the correct statements).
fn misconception_patterns(
    statement: &str,
    q_stems: &HashSet<String>,
    lex: &Lexicon,
) -> Vec<String> {
    let terms = claim_terms(statement, q_stems, lex);
    if terms.is_empty() {
        Vec::new()
    } else {
        vec![terms.join(" + ")]
    }
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// The reference answer: the sample answer, unless it is too short for a question with a ladder. Then the model's
/// complete answer when it wrote one long enough, else the sample answer followed by what the ladder's criteria
/// state (a complete answer covers the follow-ups too).
fn reference_for(sample: &str, model_reference: &str, ladder: &[RungSpec]) -> String {
    let sample = sample.trim();
    if words(sample) >= MIN_REFERENCE_WORDS || ladder.is_empty() {
        return sample.to_string();
    }
    if words(model_reference) >= MIN_REFERENCE_WORDS {
        return model_reference.trim().to_string();
    }
    let mut out = sample.to_string();
    for c in ladder.iter().flat_map(|r| r.criteria.iter()) {
        if !out.ends_with(['.', '!', '?']) {
            out.push('.');
        }
        out.push(' ');
        out.push_str(c.statement.trim());
    }
    out
}

/// The question file for a model's draft. `sample` is the guide's sample answer; it is the reference unless it is
/// too short for a question with a ladder and the model wrote a complete answer.
pub fn to_spec(d: &ModelDraft, base: &QuestionSpec, sample: &str, lex: &Lexicon) -> QuestionSpec {
    let q_stems: HashSet<String> = tokenize_with(&base.prompt, lex)
        .into_iter()
        .map(|t| t.stem)
        .collect();
    let mut ids = HashSet::new();
    let criteria = to_criteria(&d.criteria, super::MAX_CRITERIA, &q_stems, lex, &mut ids);
    let ladder: Vec<RungSpec> = d
        .ladder
        .iter()
        .map(|r| RungSpec {
            stage: r.stage.clone(),
            question: r.question.clone(),
            constraints: r.constraints.clone(),
            criteria: to_criteria(&r.criteria, MAX_RUNG_CRITERIA, &q_stems, lex, &mut ids),
            misconceptions: vec![],
        })
        .collect();
    let misconceptions: Vec<MisconceptionSpec> = d
        .misconceptions
        .iter()
        .take(MAX_MISCONCEPTIONS)
        .enumerate()
        .map(|(n, m)| {
            let mut patterns = usable(&m.patterns, lex);
            if patterns.is_empty() {
                patterns = misconception_patterns(&m.statement, &q_stems, lex);
            }
            let base_id = claim_terms(&m.statement, &q_stems, lex).join("-");
            MisconceptionSpec {
                id: unique(
                    &format!("wrong-{base_id}"),
                    &format!("wrong-{}", n + 1),
                    &mut ids,
                ),
                statement: m.statement.clone(),
                patterns,
                penalty: m.penalty.clamp(PENALTY.0, PENALTY.1).round(),
                challenge: m.challenge.clone(),
                correct: m.correct.clone(),
                examples: vec![],
            }
        })
        .collect();
    let reference = reference_for(sample, &d.reference, &ladder);
    QuestionSpec {
        reference,
        criteria,
        misconceptions,
        ladder,
        ..base.clone()
    }
}

/// What a model draft lacks beyond `viva bank check`: a ladder with implementation, constraints and failure-mode
/// rungs, constraints with concrete numbers and an arithmetic criterion, and correct statements for every
/// misconception. Empty when nothing is missing.
pub fn shortfalls(spec: &QuestionSpec) -> Vec<String> {
    let mut out = Vec::new();
    if spec.ladder.is_empty() {
        out.push(
            "the ladder is missing: write 3-4 rungs (implementation, constraints, failure_modes)"
                .into(),
        );
    }
    for stage in ["implementation", "constraints", "failure_modes"] {
        if !spec.ladder.is_empty() && !spec.ladder.iter().any(|r| r.stage == stage) {
            out.push(format!("the ladder has no '{stage}' rung"));
        }
    }
    if let Some(r) = spec.ladder.iter().find(|r| r.stage == "constraints") {
        let numbers = r
            .constraints
            .iter()
            .chain(std::iter::once(&r.question))
            .any(|c| c.chars().any(|ch| ch.is_ascii_digit()));
        if !numbers {
            out.push("the constraints rung names no concrete numbers (latency, memory, throughput, data size)".into());
        }
        if !r
            .criteria
            .iter()
            .any(|c| c.needs == Some(Needs::Arithmetic))
        {
            out.push("the constraints rung needs a criterion with needs = \"arithmetic\" (the candidate works the numbers)".into());
        }
    }
    if spec.misconceptions.is_empty() {
        out.push("no misconceptions: list at least one common wrong idea".into());
    }
    for m in &spec.misconceptions {
        if m.correct.is_empty() {
            out.push(format!(
                "misconception '{}' lists no correct statements that must not trip it",
                m.statement
            ));
        }
    }
    out
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
