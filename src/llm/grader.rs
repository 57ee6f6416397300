//! The LLM grader: one chat call per answer, verdicts with verified quotes, the score computed in code, the offline
//! grader's detectors first and its verdicts as a second opinion; any failure falls back to the offline grade.

use super::prompt::{nonce_markers, Prompts};
use super::{budget, first_json_object, quote, Completion, LlmClient, LlmError};
use crate::bank::{Bank, Question};
use crate::grade::{
    calibration::Calibration, compute_score, offline, pattern::Doc, CriterionResult, Flag, Grade,
    LlmAudit, MisconceptionHit, Verdict,
};
use crate::session::Purpose;
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
}

/// One verdict policy's outcome.
struct PolicyResult {
    criteria: Vec<CriterionResult>,
    misconceptions: Vec<MisconceptionHit>,
    score: u32,
    invented: u32,
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

/// The model's answer, parsed and checked against the schema's shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// (id, evidence, rationale, verdict) in the model's order.
    pub criteria: Vec<(String, Vec<String>, String, Option<Verdict>)>,
    /// (id, evidence).
    pub misconceptions: Vec<(String, String)>,
    /// Model flags.
    pub off_topic: bool,
    /// Model flags.
    pub injection: bool,
}

/// Parse the model's JSON (or the first JSON object in its text). `Err` when the shape is wrong.
pub fn parse(content: &str) -> Result<Parsed, String> {
    let v: Value = serde_json::from_str(content.trim())
        .ok()
        .or_else(|| first_json_object(content))
        .ok_or("no JSON object in the response")?;
    let crit = v["criteria"].as_array().ok_or("no \"criteria\" array")?;
    let mut criteria = Vec::new();
    for c in crit {
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
        criteria.push((
            id,
            evidence,
            c["rationale"].as_str().unwrap_or("").to_string(),
            verdict,
        ));
    }
    let misconceptions = v["misconceptions"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|m| match m {
                    Value::String(s) => Some((s.clone(), String::new())),
                    Value::Object(_) => Some((
                        m["id"].as_str()?.to_string(),
                        m["evidence"].as_str().unwrap_or("").to_string(),
                    )),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Parsed {
        criteria,
        misconceptions,
        off_topic: v["flags"]["off_topic"].as_bool().unwrap_or(false),
        injection: v["flags"]["injection_attempt"].as_bool().unwrap_or(false),
    })
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
        vec![
            json!({"role": "system", "content": sys}),
            json!({"role": "user", "content": user}),
        ]
    }

    /// Grade an answer. Never fails: on any model failure the offline grade comes back marked degraded.
    pub async fn grade(
        &self,
        bank: &Bank,
        q: &Question,
        rung: Option<usize>,
        answer: &str,
        on_token: &mut (dyn FnMut(&str) + Send),
    ) -> Grade {
        let mut off = offline::grade(bank, q, rung, answer);
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
        let (text, truncated) = budget::truncate(&model, answer, ANSWER_TOKEN_CAP);
        audit.truncated = truncated;
        let (crit, mis) = q.target(rung);
        let ids: Vec<&str> = crit.iter().map(|c| c.spec.id.as_str()).collect();
        let mids: Vec<&str> = mis.iter().map(|m| m.spec.id.as_str()).collect();
        let sch = schema(&ids, &mids);
        let candidates: Vec<&str> = off.misconceptions.iter().map(|m| m.id.as_str()).collect();
        let msgs = self.messages(q, rung, &text, &candidates);
        // Room for every criterion's quote, rationale and verdict at the schema's bounds, and the misconceptions.
        let max_tokens = 150 + 110 * crit.len() as u32;
        let mut errors = Vec::new();
        for _ in 0..2 {
            match self
                .client
                .chat(&msgs, Some(&sch), max_tokens, on_token)
                .await
            {
                Ok(c) => {
                    add_usage(&mut audit, &c, self.client.cost(&c));
                    audit.raw = c.content.clone();
                    match parse(&c.content) {
                        Ok(p) => return self.finish(bank, q, rung, answer, off, p, audit),
                        Err(e) => errors.push(format!("bad JSON: {e}")),
                    }
                }
                Err(LlmError::Cancelled) => {
                    errors.push("cancelled".into());
                    break;
                }
                Err(e) => {
                    let retry = matches!(e, LlmError::Stream(_) | LlmError::BadResponse(_));
                    errors.push(e.to_string());
                    if !retry {
                        break;
                    }
                }
            }
        }
        audit.note = Some(format!(
            "fell back to the offline grader: {}",
            errors.join("; ")
        ));
        off.degraded = true;
        off.llm = Some(Box::new(audit));
        off
    }

    #[allow(clippy::too_many_arguments)]
    fn finish(
        &self,
        bank: &Bank,
        q: &Question,
        rung: Option<usize>,
        answer: &str,
        off: Grade,
        p: Parsed,
        mut audit: LlmAudit,
    ) -> Grade {
        let mine = self.verdicts(bank, q, rung, answer, &off, &p, self.second_opinion);
        let other = self.verdicts(bank, q, rung, answer, &off, &p, !self.second_opinion);
        audit.invented_evidence = mine.invented;
        audit.second_opinion = Some(self.second_opinion);
        audit.other_policy_score = Some(other.score);
        let mut flags = off.flags.clone();
        if p.off_topic && !flags.iter().any(|f| f == Flag::OffTopic.name()) {
            flags.push("model_says_off_topic".into());
        }
        if p.injection {
            flags.push("model_says_injection".into());
        }
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

    /// The verdicts, misconceptions and score under one policy. `second_opinion`: average each verified model
    /// verdict with the offline one and keep the offline misconception hits; otherwise a verdict backed by a quote
    /// found in the answer stands, and an offline misconception counts only when the model confirms it.
    #[allow(clippy::too_many_arguments)]
    fn verdicts(
        &self,
        bank: &Bank,
        q: &Question,
        rung: Option<usize>,
        answer: &str,
        off: &Grade,
        p: &Parsed,
        second_opinion: bool,
    ) -> PolicyResult {
        let (crit, mis) = q.target(rung);
        let mut invented = 0;
        let mut results = Vec::new();
        // Criterion evidence must come from prose: a quote from an encoded blob, a table of codes or a line of ids
        // is not found (as the offline grader sets that text aside too).
        let prose = crate::grade::prose::prose_only(answer);
        for c in crit {
            let offline_result = off.criteria.iter().find(|o| o.id == c.spec.id);
            let offv = offline_result.map_or(Verdict::Missed, |o| o.verdict);
            // Fail closed: a missing entry or verdict is a miss.
            let (llm_v, mut ev, mut rationale) = match p.criteria.iter().find(|x| x.0 == c.spec.id)
            {
                Some((_, ev, why, Some(v))) => {
                    let found: Vec<String> =
                        ev.iter().filter_map(|e| quote::locate(e, &prose)).collect();
                    if *v != Verdict::Missed && found.is_empty() {
                        invented += 1;
                        (
                            Verdict::Missed,
                            found,
                            Some(format!("{why} [model quote not found in the answer]")),
                        )
                    } else {
                        (*v, found, Some(tidy_rationale(why)))
                    }
                }
                _ => (
                    Verdict::Missed,
                    Vec::new(),
                    Some("no usable verdict from the model".into()),
                ),
            };
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
            results.push(CriterionResult {
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
            });
        }
        let mut hits: Vec<MisconceptionHit> = if second_opinion {
            off.misconceptions.clone()
        } else {
            Vec::new()
        };
        for (id, ev) in &p.misconceptions {
            if hits.iter().any(|h| &h.id == id) {
                continue;
            }
            if let (Some(m), Some(found)) = (
                mis.iter().find(|m| &m.spec.id == id),
                quote::locate(ev, answer),
            ) {
                hits.push(MisconceptionHit {
                    id: id.clone(),
                    statement: m.spec.statement.clone(),
                    penalty: m.spec.penalty,
                    evidence: vec![found],
                });
            }
        }
        // The same verdict arithmetic, the same map to the human scale and the same caps as the offline grader,
        // so a score means the same thing whichever grader gave it.
        let mut score = Calibration::embedded().apply(compute_score(&results, &hits));
        if compute_score(&results, &hits) == 100 && hits.is_empty() {
            score = (score + offline::top_bonus(crit, &results)).min(100);
        }
        // The model reads the copied sentences too, so a copied question caps its grade outright.
        if off.has_flag(Flag::CopiedQuestion.name()) {
            score = score.min(offline::COPIED_CAP);
        }
        let score = offline::apply_caps(score, &off.flags);
        PolicyResult {
            criteria: results,
            misconceptions: hits,
            score,
            invented,
        }
    }

    /// One call that writes an interview question from `{template}-system.md` and `{template}-user.md`, with the
    /// candidate's last answer (cut to 400 tokens) between fresh nonce markers as untrusted data.
    async fn write_question(
        &self,
        template: &str,
        vars: &[(&str, &str)],
        last_answer: &str,
        on_token: &mut (dyn FnMut(&str) + Send),
    ) -> Result<Completion, LlmError> {
        let (open, close) = nonce_markers();
        let (ans, _) = budget::truncate(&self.client.cfg.model, last_answer, 400);
        let sys = self.prompts.render(&format!("{template}-system.md"), &[]);
        let mut all: Vec<(&str, &str)> = vars.to_vec();
        all.extend([
            ("open", open.as_str()),
            ("close", close.as_str()),
            ("answer", ans.as_str()),
        ]);
        let user = self.prompts.render(&format!("{template}-user.md"), &all);
        let msgs = vec![
            json!({"role": "system", "content": sys}),
            json!({"role": "user", "content": user}),
        ];
        self.client.chat(&msgs, None, 90, on_token).await
    }

    /// Write a probe of a missed criterion (or a challenge of a stated misconception) from the candidate's own
    /// answer. The text must be one short new question that does not state what is missing (the criterion's own
    /// patterns must not match it); `Err` says why it was rejected, and the offline text is asked instead.
    #[allow(clippy::too_many_arguments)]
    pub async fn probe(
        &self,
        bank: &Bank,
        q: &Question,
        purpose: Purpose,
        target: &str,
        last_answer: &str,
        asked: &[String],
        on_token: &mut (dyn FnMut(&str) + Send),
    ) -> Result<(Result<String, String>, Completion), LlmError> {
        let crit = q.all_criteria().find(|c| c.spec.id == target);
        let mis = q
            .misconceptions
            .iter()
            .chain(q.ladder.iter().flat_map(|r| r.misconceptions.iter()))
            .find(|m| m.spec.id == target);
        let (kind, point) = match (purpose, crit, mis) {
            (Purpose::Challenge, _, Some(m)) => ("challenge", m.spec.statement.clone()),
            (_, Some(c), _) => ("probe", c.spec.statement.clone()),
            _ => {
                return Err(LlmError::BadResponse(format!(
                    "no criterion or misconception '{target}'"
                )))
            }
        };
        let vars = [
            ("question", q.spec.prompt.as_str()),
            ("kind", kind),
            ("point", point.as_str()),
            ("asked", &asked.join(" | ")),
        ];
        let c = self
            .write_question("probe", &vars, last_answer, on_token)
            .await?;
        let text = match valid_follow_up(&c.content, asked) {
            None => Err(format!(
                "not a single short new question: {:?}",
                c.content.chars().take(120).collect::<String>()
            )),
            Some(t) => {
                let doc = Doc::new(&t, &bank.lexicon);
                match crit.filter(|_| purpose == Purpose::Probe) {
                    Some(c) if c.patterns.iter().any(|p| p.find_unscoped(&doc).is_some()) => {
                        Err("the model's probe states what is missing".to_string())
                    }
                    _ => Ok(t),
                }
            }
        };
        Ok((text, c))
    }

    /// Write an adaptive follow-up for ladder rung `rung`; `None` means use the authored question.
    #[allow(clippy::too_many_arguments)]
    pub async fn follow_up(
        &self,
        q: &Question,
        rung: usize,
        last_answer: &str,
        missed: &[String],
        asked: &[String],
        on_token: &mut (dyn FnMut(&str) + Send),
    ) -> Result<(Result<String, String>, Completion), LlmError> {
        let r = q
            .ladder
            .get(rung)
            .ok_or_else(|| LlmError::BadResponse("no such rung".into()))?;
        let missed_s = if missed.is_empty() {
            "(none)".to_string()
        } else {
            missed.join("; ")
        };
        let vars = [
            ("question", q.spec.prompt.as_str()),
            ("stage", &r.stage.replace('_', " ")),
            ("rung", r.question.as_str()),
            ("constraints", &r.constraints.join("; ")),
            ("missed", missed_s.as_str()),
            ("asked", &asked.join(" | ")),
        ];
        let c = self
            .write_question("followup", &vars, last_answer, on_token)
            .await?;
        // The call's tokens are spent either way, so the completion comes back with the verdict on its text.
        let text = match valid_follow_up(&c.content, asked) {
            // A copy of the bank's own question is not a follow-up the model wrote: say so and use the bank's.
            Some(t) if jaccard(&t, &r.question) > 0.8 => {
                Err("the model copied the bank's question".to_string())
            }
            Some(t) => Ok(t),
            None => Err(format!(
                "not a single short new question: {:?}",
                c.content.chars().take(120).collect::<String>()
            )),
        };
        Ok((text, c))
    }
}

fn add_usage(a: &mut LlmAudit, c: &Completion, cost: Option<f64>) {
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

fn words(s: &str) -> std::collections::HashSet<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
        .map(String::from)
        .collect()
}

/// A usable follow-up: the first question in the text, 5-60 words, not a near-repeat of an earlier one.
pub fn valid_follow_up(text: &str, asked: &[String]) -> Option<String> {
    let q_end = text.find('?')?;
    let head = &text[..=q_end];
    // Start of the sentence that holds the question mark.
    let start = head
        .rfind(['\n', '.', '!', ':'])
        .map(|i| i + 1)
        .unwrap_or(0);
    let t = head[start..]
        .trim()
        .trim_matches(|c: char| c == '"' || c == '*' || c == '`')
        .trim();
    let n = t.split_whitespace().count();
    if !(5..=60).contains(&n) {
        return None;
    }
    if asked.iter().any(|a| jaccard(t, a) > 0.6) {
        return None;
    }
    Some(t.to_string())
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

/// Word-set overlap of two texts (intersection over union).
fn jaccard(a: &str, b: &str) -> f64 {
    let (w, aw) = (words(a), words(b));
    w.intersection(&aw).count() as f64 / w.union(&aw).count().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_fail_closed_and_lenient() {
        let p = parse("```json\n{\"criteria\": [{\"id\": \"a\", \"evidence\": [\"x\"], \"rationale\": \"r\", \"verdict\": \"met\"}, {\"id\": \"b\", \"verdict\": \"great\"}], \"misconceptions\": [\"m\"], \"flags\": {}}\n```").unwrap();
        assert_eq!(p.criteria[0].3, Some(Verdict::Met));
        assert_eq!(p.criteria[1].3, None);
        assert_eq!(p.misconceptions, vec![("m".to_string(), String::new())]);
        assert!(parse("{\"score\": 100}").is_err());
        assert!(parse("not json").is_err());
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
    fn follow_up_validation() {
        let asked = vec!["How would you compute the anchor grid for a 600x1000 image?".to_string()];
        assert!(valid_follow_up(
            "With a 20 ms budget on a Jetson Orin, which RPN stage would you cut first?",
            &asked
        )
        .is_some());
        assert!(valid_follow_up(
            "How would you compute the anchor grid for a 600x1000 image?",
            &asked
        )
        .is_none());
        assert!(valid_follow_up("Why? And how?", &asked).is_none());
        assert_eq!(
            tidy_rationale("The feature map is divided into k spatial locations, each with k anchors. This setup ensures that no"),
            "The feature map is divided into k spatial locations, each with k anchors. This setup ensures that…"
        );
        assert_eq!(tidy_rationale("Short and complete."), "Short and complete.");
        assert!(
            jaccard(
                "How would you compute the anchor grid?",
                "how would you compute the anchor grid"
            ) > 0.99
        );
        assert!(
            jaccard(
                "With 2 GB of memory, how many anchors?",
                "How would you compute the anchor grid?"
            ) < 0.5
        );
        assert!(valid_follow_up("Tell me more.", &asked).is_none());
        assert_eq!(
            valid_follow_up("Good point.\n**Follow-up:** With 2 GB of memory, how would you size the anchor set? Explain.", &asked).as_deref(),
            Some("With 2 GB of memory, how would you size the anchor set?")
        );
    }

    #[test]
    fn grading_prompts_fit_the_token_budget() {
        let bank = Bank::embedded().unwrap();
        let cfg = super::super::LlmConfig::unreachable_for_tests();
        let g = LlmGrader {
            client: LlmClient::new(cfg).unwrap(),
            prompts: Prompts::load(None).unwrap(),
            second_opinion: true,
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
            }
        }
        assert!(worst > 700, "the test exercises long prompts ({worst})");
    }
}
