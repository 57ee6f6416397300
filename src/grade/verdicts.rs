//! A grading model's verdicts as the core reads them, and the verdict policy that turns them into a grade: each
//! criterion's verdict (fail closed, backed by a quote found in the answer, the rubric's specifics checked in code),
//! the misconceptions, and the score on the same scale and under the same caps as the offline grader.
//!
//! No transport here: the LLM adapter asks the model, finds the model's quotes in the answer, and calls this module
//! for every decision.

use super::calibration::Calibration;
use super::pattern::Doc;
use super::{compute_score, offline, CriterionResult, Flag, Grade, MisconceptionHit, Verdict};
use crate::bank::{Bank, Criterion, Misconception, Question};
use serde_json::Value;

/// An answer to grade: the bank (for its lexicon), the question, the ladder rung (None: the main question) and
/// the answer's text.
#[derive(Clone, Copy)]
pub struct Submission<'a> {
    /// The bank the question comes from.
    pub bank: &'a Bank,
    /// The question.
    pub question: &'a Question,
    /// The ladder rung answered, if any.
    pub rung: Option<usize>,
    /// The candidate's answer.
    pub answer: &'a str,
}

/// One criterion as the model judged it.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelCriterion {
    /// Criterion id.
    pub id: String,
    /// The model's quotes from the answer.
    pub evidence: Vec<String>,
    /// The model's one-line rationale.
    pub rationale: String,
    /// met, partial or missed; None when the model gave no usable verdict.
    pub verdict: Option<Verdict>,
}

/// One misconception the model says the answer states.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelMisconception {
    /// Misconception id.
    pub id: String,
    /// The model's quote (empty when it gave none).
    pub evidence: String,
}

/// The model's grading answer, read from its JSON and checked against the schema's shape.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelVerdicts {
    /// Criteria in the model's order.
    pub criteria: Vec<ModelCriterion>,
    /// Misconceptions in the model's order.
    pub misconceptions: Vec<ModelMisconception>,
    /// The model says the answer is off topic.
    pub off_topic: bool,
    /// The model says the answer tries to instruct the grader.
    pub injection: bool,
}

fn criterion_of(c: &Value) -> Result<ModelCriterion, String> {
    let id = c["id"]
        .as_str()
        .ok_or("a criterion without an id")?
        .to_string();
    let evidence = match &c["evidence"] {
        Value::Array(a) => a
            .iter()
            .filter_map(|e| e.as_str().map(String::from))
            .collect(),
        Value::String(s) => vec![s.clone()],
        _ => Vec::new(),
    };
    let verdict = match c["verdict"].as_str() {
        Some("met") => Some(Verdict::Met),
        Some("partial") => Some(Verdict::Partial),
        Some("missed") => Some(Verdict::Missed),
        _ => None,
    };
    Ok(ModelCriterion {
        id,
        evidence,
        rationale: c["rationale"].as_str().unwrap_or("").to_string(),
        verdict,
    })
}

fn misconception_of(m: &Value) -> Option<ModelMisconception> {
    match m {
        Value::String(s) => Some(ModelMisconception {
            id: s.clone(),
            evidence: String::new(),
        }),
        Value::Object(_) => Some(ModelMisconception {
            id: m["id"].as_str()?.to_string(),
            evidence: m["evidence"].as_str().unwrap_or("").to_string(),
        }),
        _ => None,
    }
}

impl ModelVerdicts {
    /// Read the model's JSON. Lenient about optional parts (a quote as a bare string, a misconception as a bare
    /// id, missing flags); `Err` when the shape is wrong (no criteria array, a criterion without an id).
    pub fn from_json(v: &Value) -> Result<ModelVerdicts, String> {
        let crit = v["criteria"].as_array().ok_or("no \"criteria\" array")?;
        let criteria = crit.iter().map(criterion_of).collect::<Result<_, _>>()?;
        let misconceptions = v["misconceptions"]
            .as_array()
            .map(|a| a.iter().filter_map(misconception_of).collect())
            .unwrap_or_default();
        Ok(ModelVerdicts {
            criteria,
            misconceptions,
            off_topic: v["flags"]["off_topic"].as_bool().unwrap_or(false),
            injection: v["flags"]["injection_attempt"].as_bool().unwrap_or(false),
        })
    }

    /// The offline grader's flags with the model's own: off topic (unless the offline grader said so already) and
    /// an injection attempt.
    pub fn flags(&self, offline: &[String]) -> Vec<String> {
        let mut flags = offline.to_vec();
        if self.off_topic && !flags.iter().any(|f| f == Flag::OffTopic.name()) {
            flags.push("model_says_off_topic".into());
        }
        if self.injection {
            flags.push("model_says_injection".into());
        }
        flags
    }
}

/// Combine a model verdict (after quote checks) with the offline verdict: agreement stands; one step apart takes
/// the higher; met against missed meets halfway (partial).
pub fn combine(llm: Verdict, off: Verdict) -> Verdict {
    use Verdict::*;
    match (llm, off) {
        (a, b) if a == b => a,
        (Met, Partial) | (Partial, Met) => Met,
        (Met, Missed) | (Missed, Met) => Partial,
        _ => Partial,
    }
}

/// One verdict policy's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyResult {
    /// Per-criterion results.
    pub criteria: Vec<CriterionResult>,
    /// Misconceptions that count.
    pub misconceptions: Vec<MisconceptionHit>,
    /// The score, calibrated and capped.
    pub score: u32,
    /// Verdicts better than missed whose quotes were not found in the answer.
    pub invented: u32,
}

/// The verdicts, misconceptions and score under one policy.
///
/// `found`: the model's verdicts with each quote replaced by the answer's own words where it was found and dropped
/// where it was not (criterion quotes are looked up in the answer's prose only). `off`: the offline grade of the
/// same answer. `second_opinion`: average each verified model verdict with the offline one and keep the offline
/// misconception hits; otherwise a verdict backed by a found quote stands, and an offline misconception counts only
/// when the model confirms it with a found quote.
pub fn apply_policy(
    sub: &Submission<'_>,
    off: &Grade,
    found: &ModelVerdicts,
    second_opinion: bool,
) -> PolicyResult {
    let (crit, mis) = sub.question.target(sub.rung);
    let mut invented = 0;
    let mut criteria: Vec<CriterionResult> = crit
        .iter()
        .map(|c| {
            let (result, made_up) = criterion_result(sub.bank, c, off, found, second_opinion);
            invented += u32::from(made_up);
            result
        })
        .collect();
    super::top::note_missing_figures(crit, &mut criteria, sub.answer);
    let misconceptions = misconception_hits(mis, off, found, second_opinion);
    let score = policy_score(crit, &criteria, &misconceptions, off, sub.answer);
    PolicyResult {
        criteria,
        misconceptions,
        score,
        invented,
    }
}

/// The model's verdict on one criterion after the quote check.
struct Checked {
    verdict: Verdict,
    evidence: Vec<String>,
    rationale: Option<String>,
    /// A verdict better than missed without a found quote (turned into missed).
    invented: bool,
}

/// Fail closed: a missing entry or verdict is a miss, and so is a verdict better than missed without a found quote.
fn check(found: &ModelVerdicts, id: &str) -> Checked {
    match found.criteria.iter().find(|x| x.id == id) {
        Some(ModelCriterion {
            evidence,
            rationale,
            verdict: Some(v),
            ..
        }) => {
            if *v != Verdict::Missed && evidence.is_empty() {
                Checked {
                    verdict: Verdict::Missed,
                    evidence: Vec::new(),
                    rationale: Some(format!("{rationale} [model quote not found in the answer]")),
                    invented: true,
                }
            } else {
                Checked {
                    verdict: *v,
                    evidence: evidence.clone(),
                    rationale: Some(tidy_rationale(rationale)),
                    invented: false,
                }
            }
        }
        _ => Checked {
            verdict: Verdict::Missed,
            evidence: Vec::new(),
            rationale: Some("no usable verdict from the model".into()),
            invented: false,
        },
    }
}

/// One criterion's result under the policy, and whether the model's verdict on it was invented.
fn criterion_result(
    bank: &Bank,
    c: &Criterion,
    off: &Grade,
    found: &ModelVerdicts,
    second_opinion: bool,
) -> (CriterionResult, bool) {
    let offline_result = off.criteria.iter().find(|o| o.id == c.spec.id);
    let offv = offline_result.map_or(Verdict::Missed, |o| o.verdict);
    let Checked {
        verdict: llm_v,
        evidence: mut ev,
        mut rationale,
        invented,
    } = check(found, &c.spec.id);
    let mut verdict = if second_opinion {
        combine(llm_v, offv)
    } else {
        llm_v
    };
    // Specifics the rubric requires are checked in code, whoever judged the idea.
    if let Some(need) = c.spec.needs {
        let quoted = Doc::new(&ev.join(" \n "), &bank.lexicon);
        let all: Vec<u32> = quoted.tokens.iter().map(|t| t.sent).collect();
        if verdict != Verdict::Missed && !offline::specifics(&quoted, &all, need) {
            verdict = Verdict::Missed;
            ev.clear();
            rationale = Some(offline::needs_message(need).to_string());
        }
    }
    if second_opinion && ev.is_empty() && verdict != Verdict::Missed {
        ev = offline_result
            .map(|o| o.evidence.clone())
            .unwrap_or_default();
    }
    let result = CriterionResult {
        id: c.spec.id.clone(),
        verdict,
        evidence: ev,
        statement: c.spec.statement.clone(),
        weight: c.spec.weight,
        tags: c.spec.tags.clone(),
        rationale: rationale.filter(|r| !r.is_empty()),
        closest: offline_result
            .filter(|_| verdict == Verdict::Missed)
            .and_then(|o| o.closest.clone()),
    };
    (result, invented)
}

/// The misconceptions that count: the offline hits under the second opinion, and each misconception of the
/// question that the model names with a quote found in the answer.
fn misconception_hits(
    mis: &[Misconception],
    off: &Grade,
    found: &ModelVerdicts,
    second_opinion: bool,
) -> Vec<MisconceptionHit> {
    let mut hits: Vec<MisconceptionHit> = if second_opinion {
        off.misconceptions.clone()
    } else {
        Vec::new()
    };
    for ModelMisconception { id, evidence } in &found.misconceptions {
        if hits.iter().any(|h| &h.id == id) {
            continue;
        }
        if let Some(m) = mis.iter().find(|m| &m.spec.id == id) {
            hits.push(MisconceptionHit {
                id: id.clone(),
                statement: m.spec.statement.clone(),
                penalty: m.spec.penalty,
                evidence: vec![evidence.clone()],
            });
        }
    }
    hits
}

/// The same verdict arithmetic, the same map to the human scale and the same caps as the offline grader, so a
/// score means the same thing whichever grader gave it.
fn policy_score(
    crit: &[Criterion],
    results: &[CriterionResult],
    hits: &[MisconceptionHit],
    off: &Grade,
    answer: &str,
) -> u32 {
    let raw = compute_score(results, hits);
    let cal = Calibration::embedded().apply(raw);
    let mut score = offline::topped(cal, raw, hits.is_empty(), crit, results, answer);
    // The model reads the copied sentences too, so a copied question caps its grade outright.
    if off.has_flag(Flag::CopiedQuestion.name()) {
        score = score.min(offline::COPIED_CAP);
    }
    offline::apply_caps(score, &off.flags)
}

/// A rationale cut off by the schema's length bound ends at a word, with an ellipsis, not mid-word.
fn tidy_rationale(r: &str) -> String {
    let r = r.trim();
    if r.chars().count() < 90 || r.ends_with(['.', '!', '?', ')']) {
        return r.to_string();
    }
    match r.rfind(char::is_whitespace) {
        Some(i) => format!("{}…", r[..i].trim_end_matches([',', ';', ':', ' '])),
        None => r.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reading_fails_closed_and_is_lenient() {
        let v = json!({"criteria": [{"id": "a", "evidence": ["x"], "rationale": "r", "verdict": "met"},
            {"id": "b", "evidence": "y", "verdict": "great"}], "misconceptions": ["m", {"id": "n", "evidence": "q"}, 3],
            "flags": {"off_topic": true}});
        let p = ModelVerdicts::from_json(&v).unwrap();
        assert_eq!(p.criteria[0].verdict, Some(Verdict::Met));
        assert_eq!(p.criteria[1].verdict, None);
        assert_eq!(p.criteria[1].evidence, vec!["y".to_string()]);
        assert_eq!(p.misconceptions.len(), 2);
        assert_eq!(p.misconceptions[0].evidence, "");
        assert_eq!(p.misconceptions[1].evidence, "q");
        assert!(p.off_topic && !p.injection);
        assert_eq!(
            p.flags(&["off_topic".into()]),
            vec!["off_topic".to_string()]
        );
        assert!(ModelVerdicts::from_json(&json!({"score": 100})).is_err());
        assert!(ModelVerdicts::from_json(&json!({"criteria": [{"verdict": "met"}]})).is_err());
    }

    #[test]
    fn combination_rule() {
        use Verdict::*;
        assert_eq!(combine(Met, Met), Met);
        assert_eq!(combine(Met, Missed), Partial);
        assert_eq!(combine(Missed, Partial), Partial);
        assert_eq!(combine(Partial, Met), Met);
        assert_eq!(combine(Missed, Missed), Missed);
    }

    #[test]
    fn rationales_end_at_a_word() {
        assert_eq!(
            tidy_rationale("The feature map is divided into k spatial locations, each with k anchors. This setup ensures that no"),
            "The feature map is divided into k spatial locations, each with k anchors. This setup ensures that…"
        );
        assert_eq!(tidy_rationale("Short and complete."), "Short and complete.");
    }
}
