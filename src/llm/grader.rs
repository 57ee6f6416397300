//! The LLM grader: one chat call per answer, the offline grader's detectors first, the model's quotes looked up
//! in the answer, and the verdict policy of [`crate::grade::verdicts`] for every decision (the score computed in
//! code, the offline verdicts as a second opinion); any failure falls back to the offline grade.

use super::prompt::{chat_messages, nonce_markers, Prompts};
use super::{budget, quote, reply_json, Completion, LlmClient, LlmError};
use crate::bank::Question;
use crate::grade::verdicts::{
    apply_policy, ModelCriterion, ModelMisconception, ModelVerdicts, Submission,
};
use crate::grade::{offline, prose::prose_only, Flag, Grade, LlmAudit};
use serde_json::{json, Value};

/// Longest answer sent to the model, in tokens; longer answers are cut with a visible warning.
pub const ANSWER_TOKEN_CAP: usize = 700;

/// An LLM-backed grader.
#[derive(Clone)]
pub struct LlmGrader {
    /// The endpoint client.
    pub client: LlmClient,
    /// Prompt templates.
    pub prompts: Prompts,
    /// Average each verified model verdict with the offline grader's and keep the offline misconception hits
    /// (helps a small judge); otherwise a verdict backed by a quote found in the answer stands.
    pub second_opinion: bool,
    /// Ask the model for one 0-5 grade of the whole answer and blend it with the offline score (see
    /// [`super::holistic`]), rather than for per-criterion verdicts.
    pub holistic: bool,
}

/// Whether `model` is the small local model that `scripts/local-llm` serves by default (a 0.5B judge, which
/// measurably gains from the offline second opinion).
pub fn small_local_model(model: &str) -> bool {
    let m = model.to_ascii_lowercase();
    m.contains("0.5b") || m.contains("0_5b")
}

fn schema(crit: &[&str], mis: &[&str]) -> Value {
    let mis_id = if mis.is_empty() {
        json!({"type": "string"})
    } else {
        json!({"type": "string", "enum": mis})
    };
    json!({
        "type": "object", "additionalProperties": false, "required": ["criteria", "misconceptions", "flags"],
        "properties": {
            "criteria": {"type": "array", "items": {"type": "object", "additionalProperties": false,
                "required": ["id", "evidence", "rationale", "verdict"],
                "properties": {"id": {"type": "string", "enum": crit}, "evidence": {"type": "array", "maxItems": 1, "items": {"type": "string", "maxLength": 140}},
                    "rationale": {"type": "string", "maxLength": 100}, "verdict": {"type": "string", "enum": ["met", "partial", "missed"]}}}},
            "misconceptions": {"type": "array", "items": {"type": "object", "additionalProperties": false, "required": ["id", "evidence"],
                "properties": {"id": mis_id, "evidence": {"type": "string", "maxLength": 140}}}},
            "flags": {"type": "object", "additionalProperties": false, "required": ["off_topic", "injection_attempt"],
                "properties": {"off_topic": {"type": "boolean"}, "injection_attempt": {"type": "boolean"}}}
        }
    })
}

/// Read the model's grading reply (the whole text as JSON, else its first JSON object). `Err` when the shape is
/// wrong.
pub fn parse(content: &str) -> Result<ModelVerdicts, String> {
    let v = reply_json(content).ok_or("no JSON object in the response")?;
    ModelVerdicts::from_json(&v)
}

/// The model's verdicts with each quote replaced by the answer's own words where it is found, and dropped where it
/// is not. Criterion evidence must come from prose: a quote from an encoded blob, a table of codes or a line of ids
/// is not found (as the offline grader sets that text aside too).
fn with_found_quotes(p: &ModelVerdicts, answer: &str) -> ModelVerdicts {
    let prose = prose_only(answer);
    let criteria = p
        .criteria
        .iter()
        .map(|c| ModelCriterion {
            evidence: c
                .evidence
                .iter()
                .filter_map(|e| quote::locate(e, &prose))
                .collect(),
            ..c.clone()
        })
        .collect();
    let misconceptions = p
        .misconceptions
        .iter()
        .filter_map(|m| {
            Some(ModelMisconception {
                id: m.id.clone(),
                evidence: quote::locate(&m.evidence, answer)?,
            })
        })
        .collect();
    ModelVerdicts {
        criteria,
        misconceptions,
        ..p.clone()
    }
}

impl LlmGrader {
    /// Name shown in results: "llm:<model>".
    pub fn name(&self) -> String {
        format!("llm:{}", self.client.cfg.model)
    }

    /// The grading messages for an answer (stable instructions and rubric first, the answer last).
    ///
    /// `candidates`: misconception ids the offline detector matched; the model is asked to confirm each with a quote.
    pub fn messages(
        &self,
        q: &Question,
        rung: Option<usize>,
        answer: &str,
        candidates: &[&str],
    ) -> Vec<Value> {
        let (crit, mis) = q.target(rung);
        let question = match rung.and_then(|i| q.ladder.get(i)) {
            Some(r) => format!("{} (follow-up on: {})", r.question, q.spec.title),
            None => q.spec.prompt.clone(),
        };
        let criteria: String = crit
            .iter()
            .map(|c| format!("- {}: {}\n", c.spec.id, c.spec.statement))
            .collect();
        let misc: String = if mis.is_empty() {
            "- (none listed)\n".into()
        } else {
            mis.iter()
                .map(|m| {
                    let cand = if candidates.contains(&m.spec.id.as_str()) {
                        " [a word-matching detector flagged this; list it only if the answer really claims it, with an exact quote]"
                    } else {
                        ""
                    };
                    format!("- {}: {}{cand}\n", m.spec.id, m.spec.statement)
                })
                .collect()
        };
        let (open, close) = nonce_markers();
        let sys = self.prompts.render(
            "grade-system.md",
            &[
                ("open", &open),
                ("close", &close),
                ("question", &question),
                ("criteria", criteria.trim_end()),
                ("misconceptions", misc.trim_end()),
            ],
        );
        let user = self.prompts.render(
            "grade-user.md",
            &[("open", &open), ("close", &close), ("answer", answer)],
        );
        chat_messages(sys, user)
    }

    /// Grade an answer. Never fails: on any model failure the offline grade comes back marked degraded.
    pub async fn grade(
        &self,
        sub: &Submission<'_>,
        on_token: &mut (dyn FnMut(&str) + Send),
    ) -> Grade {
        let (q, rung) = (sub.question, sub.rung);
        let mut off = offline::grade(sub.bank, q, rung, sub.answer);
        let model = self.client.cfg.model.clone();
        let mut audit = LlmAudit {
            model: model.clone(),
            template_hash: self.prompts.grading_hash(),
            ..Default::default()
        };
        if off.has_flag(Flag::Empty.name()) || off.has_flag(Flag::InjectionAttempt.name()) {
            audit.note =
                Some("not sent to the model: the deterministic detectors already decided".into());
            off.grader = self.name();
            off.llm = Some(Box::new(audit));
            return off;
        }
        if self.holistic {
            return self.holistic(sub, off, audit).await;
        }
        let (text, truncated) = budget::truncate(&model, sub.answer, ANSWER_TOKEN_CAP);
        audit.truncated = truncated;
        let (crit, mis) = q.target(rung);
        let ids: Vec<&str> = crit.iter().map(|c| c.spec.id.as_str()).collect();
        let mids: Vec<&str> = mis.iter().map(|m| m.spec.id.as_str()).collect();
        let sch = schema(&ids, &mids);
        let candidates: Vec<&str> = off.misconceptions.iter().map(|m| m.id.as_str()).collect();
        let msgs = self.messages(q, rung, &text, &candidates);
        // Room for every criterion's quote, rationale and verdict at the schema's bounds, and the misconceptions.
        let max_tokens = 150 + 110 * crit.len() as u32;
        let mut tries = Tries::new();
        while tries.more() {
            let r = self
                .client
                .chat(&msgs, Some(&sch), max_tokens, on_token)
                .await;
            if let Some(c) = tries.took(r, &mut audit, &self.client) {
                match parse(&c.content) {
                    Ok(p) => return self.finish(sub, off, &p, audit),
                    Err(e) => tries.unreadable(format!("bad JSON: {e}")),
                }
            }
        }
        audit.note = Some(tries.fell_back());
        off.degraded = true;
        off.llm = Some(Box::new(audit));
        off
    }

    /// The grade from the model's verdicts under this grader's policy, with the other policy's score in the audit
    /// (so one run measures both).
    fn finish(
        &self,
        sub: &Submission<'_>,
        off: Grade,
        p: &ModelVerdicts,
        mut audit: LlmAudit,
    ) -> Grade {
        let found = with_found_quotes(p, sub.answer);
        let mine = apply_policy(sub, &off, &found, self.second_opinion);
        let other = apply_policy(sub, &off, &found, !self.second_opinion);
        audit.invented_evidence = mine.invented;
        audit.second_opinion = Some(self.second_opinion);
        audit.other_policy_score = Some(other.score);
        let mut flags = p.flags(&off.flags);
        if audit.truncated {
            flags.push("truncated".into());
        }
        Grade {
            score: mine.score,
            grader: self.name(),
            criteria: mine.criteria,
            misconceptions: mine.misconceptions,
            flags,
            llm: Some(Box::new(audit)),
            ..off
        }
    }
}

/// The calls of one grade: at most two, a second only after a broken stream or an unreadable reply (a refusal, a
/// timeout, an open breaker or a cancel ends them), with why each failed.
pub(super) struct Tries {
    left: u8,
    errors: Vec<String>,
}

impl Tries {
    pub(super) fn new() -> Tries {
        Tries {
            left: 2,
            errors: Vec::new(),
        }
    }

    /// Whether to call (again).
    pub(super) fn more(&self) -> bool {
        self.left > 0
    }

    /// Record a call: its usage and raw reply go to the audit; the reply to read, or None when the call failed.
    pub(super) fn took(
        &mut self,
        r: Result<Completion, LlmError>,
        audit: &mut LlmAudit,
        client: &LlmClient,
    ) -> Option<Completion> {
        self.left = self.left.saturating_sub(1);
        match r {
            Ok(c) => {
                add_usage(audit, &c, client.cost(&c));
                audit.raw = c.content.clone();
                Some(c)
            }
            Err(e) => {
                if !matches!(e, LlmError::Stream(_) | LlmError::BadResponse(_)) {
                    self.left = 0;
                }
                self.errors.push(match e {
                    LlmError::Cancelled => "cancelled".into(),
                    e => e.to_string(),
                });
                None
            }
        }
    }

    /// A reply that could not be read (it may be asked again).
    pub(super) fn unreadable(&mut self, why: String) {
        self.errors.push(why);
    }

    /// The audit note when every call failed.
    pub(super) fn fell_back(&self) -> String {
        format!(
            "fell back to the offline grader: {}",
            self.errors.join("; ")
        )
    }
}

pub(super) fn add_usage(a: &mut LlmAudit, c: &Completion, cost: Option<f64>) {
    a.prompt_tokens += c.prompt_tokens;
    a.completion_tokens += c.completion_tokens;
    a.latency_ms += c.latency_ms;
    a.call_us += c.call_us;
    a.attempts += c.attempts;
    a.format = c.format.clone();
    a.cost_usd = match (a.cost_usd, cost) {
        (Some(x), Some(y)) => Some(x + y),
        (x, y) => x.or(y),
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::Bank;
    use crate::grade::Verdict;

    #[test]
    fn parse_fail_closed_and_lenient() {
        let p = parse("```json\n{\"criteria\": [{\"id\": \"a\", \"evidence\": [\"x\"], \"rationale\": \"r\", \"verdict\": \"met\"}, {\"id\": \"b\", \"verdict\": \"great\"}], \"misconceptions\": [\"m\"], \"flags\": {}}\n```").unwrap();
        assert_eq!(p.criteria[0].verdict, Some(Verdict::Met));
        assert_eq!(p.criteria[1].verdict, None);
        assert_eq!(p.misconceptions[0].id, "m");
        assert!(parse("{\"score\": 100}").is_err());
        assert!(parse("not json").is_err());
    }

    #[test]
    fn quotes_not_in_the_answer_are_dropped() {
        let p = parse("{\"criteria\": [{\"id\": \"a\", \"evidence\": [\"three sizes times three ratios\", \"IoU above 0.7\"], \"verdict\": \"met\"}], \"misconceptions\": [{\"id\": \"m\", \"evidence\": \"anchors are learned\"}, {\"id\": \"n\", \"evidence\": \"NMS is skipped\"}]}").unwrap();
        let found = with_found_quotes(
            &p,
            "Anchors are learned, I think: three sizes times three ratios.",
        );
        assert_eq!(
            found.criteria[0].evidence,
            vec!["three sizes times three ratios"]
        );
        assert_eq!(found.misconceptions.len(), 1);
        assert_eq!(found.misconceptions[0].evidence, "Anchors are learned");
    }

    #[test]
    fn grading_prompts_fit_the_token_budget() {
        let bank = Bank::embedded().unwrap();
        let cfg = super::super::LlmConfig::unreachable_for_tests();
        let g = LlmGrader {
            client: LlmClient::new(cfg).unwrap(),
            prompts: Prompts::load(None).unwrap(),
            second_opinion: true,
            holistic: false,
        };
        let longest = "anchor ".repeat(5000);
        let (capped, cut) = budget::truncate("qwen2.5-coder", &longest, ANSWER_TOKEN_CAP);
        assert!(cut);
        let mut worst = 0;
        for q in &bank.questions {
            for rung in std::iter::once(None).chain((0..q.ladder.len()).map(Some)) {
                // Worst case: every misconception flagged by the offline detector as a candidate.
                let (_, mis) = q.target(rung);
                let all: Vec<&str> = mis.iter().map(|m| m.spec.id.as_str()).collect();
                let msgs = g.messages(q, rung, &capped, &all);
                let n: usize = msgs
                    .iter()
                    .map(|m| budget::count("qwen2.5-coder", m["content"].as_str().unwrap()) + 4)
                    .sum();
                worst = worst.max(n);
                // A 700-token answer, the whole rubric and every candidate fit well inside a 4,096-token context.
                assert!(n <= 1800, "{} rung {rung:?}: {n} tokens", q.spec.id);
                // The stable part (instructions, rubric) comes first; the answer is last.
                assert!(msgs[1]["content"]
                    .as_str()
                    .unwrap()
                    .contains("anchor anchor"));
                assert!(!msgs[0]["content"]
                    .as_str()
                    .unwrap()
                    .contains("anchor anchor"));
                // The holistic prompt fits too, and its random markers come after the question and reference,
                // so a server reuses the cached prefix from one answer to the next.
                let h = g.holistic_messages(q, rung, &capped);
                let n: usize = h
                    .iter()
                    .map(|m| budget::count("qwen2.5-coder", m["content"].as_str().unwrap()) + 4)
                    .sum();
                assert!(
                    n <= 1500,
                    "{} rung {rung:?}: holistic {n} tokens",
                    q.spec.id
                );
                let sys = h[0]["content"].as_str().unwrap();
                assert!(sys.find("Reference answer:").unwrap() < sys.find("<<<ANSWER").unwrap());
            }
        }
        assert!(worst > 700, "the test exercises long prompts ({worst})");
    }
}
