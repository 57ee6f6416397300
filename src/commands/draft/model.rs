//! `viva bank draft` with a model: each question is drafted by the model, validated as `viva bank check` would
//! (structure, the reference's score, fairness: correct statements never trip a misconception) plus the draft's
//! own requirements (a ladder with numbers and arithmetic) and the self-check, redrafted once with the reasons,
//! and otherwise left to the offline draft with a warning.

use super::{self_check, try_compile, SelfCheck, JUNK_MAX, SAMPLE_MIN};
use crate::bank::spec::QuestionSpec;
use crate::draft::model;
use crate::grade::{fairness, offline};
use crate::llm::drafter::{DraftRequest, LlmDrafter};
use crate::llm::LlmError;
use std::fmt::Write as _;

/// Drafting with a model: the drafter and the spending limit.
pub struct ModelDrafting<'a> {
    /// The model.
    pub drafter: &'a LlmDrafter,
    /// Stop calling the model once the estimated spend reaches this many US dollars.
    pub max_cost: Option<f64>,
}

/// Tokens and money spent on the model so far.
#[derive(Debug, Default, Clone, Copy)]
pub struct Spend {
    /// Prompt tokens.
    pub prompt: u64,
    /// Completion tokens.
    pub completion: u64,
    /// Estimated cost (None: no price configured for the model).
    pub usd: Option<f64>,
}

impl Spend {
    fn add(&mut self, prompt: u32, completion: u32, usd: Option<f64>) {
        self.prompt += prompt as u64;
        self.completion += completion as u64;
        self.usd = match (self.usd, usd) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
    }

    /// Add another question's spend.
    pub fn merge(&mut self, other: Spend) {
        self.prompt += other.prompt;
        self.completion += other.completion;
        self.usd = match (self.usd, other.usd) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
    }

    /// Total tokens.
    pub fn tokens(&self) -> u64 {
        self.prompt + self.completion
    }
}

/// What the model did for one question.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The model's rubric, when it passed every check.
    pub spec: Option<QuestionSpec>,
    /// Why the question was drafted offline instead.
    pub reason: Option<String>,
    /// What this question's calls spent.
    pub spend: Spend,
}

/// Everything that keeps a model draft from being written; empty when it passes.
fn problems(specs: &[(QuestionSpec, String)], i: usize, sample: &str) -> Vec<String> {
    let bank = match try_compile(specs) {
        Ok(b) => b,
        Err(issues) => {
            return issues
                .into_iter()
                .take(4)
                .map(|m| {
                    if m.starts_with("the reference answer is too short") {
                        format!("{m}: write \"reference\" as a complete answer of 60 to 150 words")
                    } else {
                        m
                    }
                })
                .collect()
        }
    };
    let id = &specs[i].0.id;
    let Some(q) = bank.get(id) else {
        return vec![format!("question {id} did not compile")];
    };
    let mut out = model::shortfalls(&specs[i].0);
    let reference = offline::grade_without_coverage(&bank, q, None, &q.spec.reference).score;
    if reference < crate::bank::MIN_REFERENCE_SCORE {
        out.push(format!(
            "the reference answer scores {reference} against the criteria; it must score at least {}",
            crate::bank::MIN_REFERENCE_SCORE
        ));
    }
    out.extend(
        fairness::check_one(&bank, q, false)
            .errors
            .into_iter()
            .map(|e| e.msg),
    );
    if let Some(c) = self_check(&bank, id, sample) {
        out.extend(self_check_problems(&c));
    }
    out
}

/// The self-check's failures, worded for the model.
fn self_check_problems(c: &SelfCheck) -> Vec<String> {
    let mut out = Vec::new();
    if c.sample < SAMPLE_MIN {
        out.push(format!(
            "the sample answer scores {} against the criteria (at least {SAMPLE_MIN} needed): every criterion must be a point the sample answer states, and its patterns must match the sample's words",
            c.sample
        ));
    }
    if c.question > JUNK_MAX {
        out.push(format!(
            "the bare question scores {} (at most {JUNK_MAX} allowed): criteria must ask for more than the question's own words",
            c.question
        ));
    }
    if c.off_topic > JUNK_MAX {
        out.push(format!(
            "an answer about something else scores {} (at most {JUNK_MAX} allowed): the patterns are too loose",
            c.off_topic
        ));
    }
    out
}

/// One line of reasons (the first few, each cut short).
fn summary(reasons: &[String]) -> String {
    let mut s = String::new();
    for (n, r) in reasons.iter().take(2).enumerate() {
        if n > 0 {
            s.push_str("; ");
        }
        let cut: String = r.chars().take(140).collect();
        s.push_str(&cut);
        if cut.len() < r.len() {
            s.push('…');
        }
    }
    if reasons.len() > 2 {
        let _ = write!(s, " (and {} more)", reasons.len() - 2);
    }
    s
}

impl ModelDrafting<'_> {
    /// Why the model is not called for the next question (None: call it).
    pub fn skip_reason(&self, spent: &Spend) -> Option<String> {
        if let (Some(max), Some(usd)) = (self.max_cost, spent.usd) {
            if usd >= max {
                return Some(format!("cost limit reached (${usd:.4} of ${max:.4})"));
            }
        }
        self.drafter.client.breaker.is_open().then(|| {
            format!(
                "the endpoint is switched off for this run after {} timeouts or failed connections in a row",
                crate::llm::breaker::TRIP_AFTER
            )
        })
    }

    /// Draft question `i` of `specs` (its offline draft) with the model. On success `specs[i]` holds the model's
    /// rubric; otherwise it is left as it was and the outcome says why.
    pub fn draft(
        &self,
        rt: &tokio::runtime::Runtime,
        specs: &mut [(QuestionSpec, String)],
        i: usize,
        sample: &str,
        lex: &crate::grade::normalize::Lexicon,
    ) -> Outcome {
        let base = specs[i].0.clone();
        let req = DraftRequest {
            question: &base.prompt,
            sample,
            area: &base.area,
            difficulty: &base.difficulty,
        };
        let mut out = Outcome::default();
        let mut feedback: Vec<String> = Vec::new();
        let mut rejected = 0;
        for attempt in 0..2 {
            let reply = rt.block_on(crate::calls::draft(self.drafter, &base.id, &req, &feedback));
            let (parsed, c) = match reply {
                None => {
                    out.reason = Some("the model call was cancelled with Ctrl-C".into());
                    return out;
                }
                Some(Err(e)) => {
                    // A broken stream or an unusable response is worth one more try; anything else is final.
                    let again = matches!(e, LlmError::Stream(_) | LlmError::BadResponse(_));
                    if again && attempt == 0 {
                        continue;
                    }
                    out.reason = Some(format!("the model call failed: {e}"));
                    return out;
                }
                Some(Ok(r)) => r,
            };
            out.spend.add(
                c.prompt_tokens,
                c.completion_tokens,
                self.drafter.client.cost(&c),
            );
            rejected += 1;
            match parsed {
                Err(why) => {
                    feedback = vec![format!(
                        "the reply was not a usable draft ({why}); reply with one JSON object with the keys criteria, misconceptions, ladder and reference"
                    )]
                }
                Ok(d) => {
                    specs[i].0 = model::to_spec(&d, &base, sample, lex);
                    let found = problems(specs, i, sample);
                    if found.is_empty() {
                        out.spec = Some(specs[i].0.clone());
                        return out;
                    }
                    specs[i].0 = base.clone();
                    feedback = found;
                }
            }
        }
        out.reason = Some(format!(
            "the model's draft was rejected{}: {}",
            if rejected > 1 { " twice" } else { "" },
            summary(&feedback)
        ));
        out
    }
}
