//! Interview questions written by the grading model: a probe of a missed criterion, a challenge of a stated
//! misconception, or an adaptive follow-up for a ladder rung. Each is one short call with the candidate's last
//! answer as untrusted data; a text that is not one short new question is rejected and the bank's text is asked.

use super::grader::LlmGrader;
use super::prompt::{chat_messages, nonce_markers};
use super::{budget, Completion, LlmError};
use crate::bank::{Bank, Question};
use crate::grade::pattern::Doc;
use crate::session::Purpose;

/// A written question, or why it was rejected, with the completion (its tokens are spent either way).
pub type Written = (Result<String, String>, Completion);

impl LlmGrader {
    /// One call that writes an interview question from `{template}-system.md` and `{template}-user.md`, with the
    /// candidate's last answer (cut to 400 tokens) between fresh nonce markers as untrusted data. The text is
    /// kept only when it holds one short question unlike those `asked` (see [`valid_follow_up`]).
    async fn write_question(
        &self,
        template: &str,
        vars: &[(&str, &str)],
        last_answer: &str,
        asked: &[String],
        on_token: &mut (dyn FnMut(&str) + Send),
    ) -> Result<Written, LlmError> {
        let (open, close) = nonce_markers();
        let (ans, _) = budget::truncate(&self.client.cfg.model, last_answer, 400);
        let sys = self.prompts.render(&format!("{template}-system.md"), &[]);
        let mut all: Vec<(&str, &str)> = vars.to_vec();
        let asked_s = asked.join(" | ");
        all.extend([
            ("asked", asked_s.as_str()),
            ("open", open.as_str()),
            ("close", close.as_str()),
            ("answer", ans.as_str()),
        ]);
        let user = self.prompts.render(&format!("{template}-user.md"), &all);
        let msgs = chat_messages(sys, user);
        let c = self.client.chat(&msgs, None, 90, on_token).await?;
        let text = valid_follow_up(&c.content, asked).ok_or_else(|| {
            format!(
                "not a single short new question: {:?}",
                c.content.chars().take(120).collect::<String>()
            )
        });
        Ok((text, c))
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
    ) -> Result<Written, LlmError> {
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
        ];
        let (text, c) = self
            .write_question("probe", &vars, last_answer, asked, on_token)
            .await?;
        let text = text.and_then(|t| {
            let doc = Doc::new(&t, &bank.lexicon);
            match crit.filter(|_| purpose == Purpose::Probe) {
                Some(c) if c.patterns.iter().any(|p| p.find_unscoped(&doc).is_some()) => {
                    Err("the model's probe states what is missing".to_string())
                }
                _ => Ok(t),
            }
        });
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
    ) -> Result<Written, LlmError> {
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
        ];
        let (text, c) = self
            .write_question("followup", &vars, last_answer, asked, on_token)
            .await?;
        // A copy of the bank's own question is not a follow-up the model wrote: say so and use the bank's.
        let text = text.and_then(|t| {
            if jaccard(&t, &r.question) > 0.8 {
                Err("the model copied the bank's question".to_string())
            } else {
                Ok(t)
            }
        });
        Ok((text, c))
    }
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

/// Word-set overlap of two texts (intersection over union).
fn jaccard(a: &str, b: &str) -> f64 {
    let (w, aw) = (words(a), words(b));
    w.intersection(&aw).count() as f64 / w.union(&aw).count().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
