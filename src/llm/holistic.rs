//! Holistic grading (`--holistic`): the model reads the question, the reference answer and the candidate's answer,
//! and replies with one digit, 0-5. The grade is read from the probabilities of that first token (each digit
//! weighted by its probability), which a small model gives far more steadily than a per-criterion verdict list. The
//! offline grader still gives the verdicts, the evidence and the feedback, and its detectors still decide: an
//! injection or an empty answer never reaches the model, and a flagged answer never scores above its offline grade.
//! The score is a blend of the two, fitted on the golden tune split and the public set (`scripts/fit-holistic`).

use super::grader::{LlmGrader, ANSWER_TOKEN_CAP};
use super::prompt::{chat_messages, nonce_markers};
use super::{budget, Completion};
use crate::bank::Question;
use crate::grade::verdicts::Submission;
use crate::grade::{Flag, Grade, Holistic, LlmAudit};
use serde_json::Value;

/// Weight of the offline score in the blend; the model's expected digit `e` contributes
/// `(1 - OFFLINE_WEIGHT) * (MODEL_AT_ZERO + MODEL_PER_POINT * e)`. Fitted by `scripts/fit-holistic` on the golden tune
/// split and the public set (never on held-out or external answers).
pub const OFFLINE_WEIGHT: f64 = 0.5;
/// The model's line: its score at a digit of 0.
pub const MODEL_AT_ZERO: f64 = 0.0;
/// The model's line: points per digit.
pub const MODEL_PER_POINT: f64 = 20.0;

/// The least probability the six digits must hold among the listed alternatives for the reading to count.
const MIN_MASS: f64 = 0.5;

/// The expected digit and the digits' probability mass, from the first token's alternatives. None when the digits
/// hold less than half the probability (the model meant to say something else).
pub fn expected_digit(top: &[(String, f64)]) -> Option<(f64, f64)> {
    let mut p = [0.0f64; 6];
    for (tok, lp) in top {
        let t = tok.trim();
        if t.len() == 1 {
            if let Some(d) = t.chars().next().and_then(|c| c.to_digit(10)) {
                if d <= 5 {
                    p[d as usize] += lp.exp();
                }
            }
        }
    }
    let mass: f64 = p.iter().sum();
    if mass.is_nan() || mass < MIN_MASS {
        return None;
    }
    let e = p.iter().enumerate().map(|(d, v)| d as f64 * v).sum::<f64>() / mass;
    Some((e.clamp(0.0, 5.0), mass.min(1.0)))
}

/// The digit a reply starts with, for servers that give no probabilities.
fn leading_digit(content: &str) -> Option<f64> {
    let d = content.trim_start().chars().next()?.to_digit(10)?;
    (d <= 5).then_some(d as f64)
}

/// The grade a completion gives: (expected digit, mass), from the probabilities when there are any.
pub fn reading(c: &Completion) -> Option<(f64, f64)> {
    if c.first_top.is_empty() {
        leading_digit(&c.content).map(|d| (d, 1.0))
    } else {
        expected_digit(&c.first_top)
    }
}

/// The blended score of an offline score and the model's expected digit (0-100).
pub fn blend(offline: u32, e: f64) -> u32 {
    let model = (MODEL_AT_ZERO + MODEL_PER_POINT * e).clamp(0.0, 100.0);
    let s = OFFLINE_WEIGHT * offline as f64 + (1.0 - OFFLINE_WEIGHT) * model;
    s.round().clamp(0.0, 100.0) as u32
}

/// What the answer is compared with: the question's reference answer, or for a follow-up (and a question with no
/// reference) the points a strong answer makes.
fn reference(q: &Question, rung: Option<usize>) -> String {
    let (crit, _) = q.target(rung);
    if rung.is_none() && !q.spec.reference.trim().is_empty() {
        return q.spec.reference.trim().to_string();
    }
    crit.iter()
        .map(|c| c.spec.statement.trim())
        .collect::<Vec<_>>()
        .join(" ")
}

impl LlmGrader {
    /// The holistic grading messages (question and reference first, the answer last, between fresh markers).
    pub fn holistic_messages(&self, q: &Question, rung: Option<usize>, answer: &str) -> Vec<Value> {
        let question = match rung.and_then(|i| q.ladder.get(i)) {
            Some(r) => format!("{} (follow-up on: {})", r.question, q.spec.prompt),
            None => q.spec.prompt.clone(),
        };
        let (open, close) = nonce_markers();
        let reference = reference(q, rung);
        let sys = self.prompts.render(
            "holistic-system.md",
            &[
                ("open", &open),
                ("close", &close),
                ("question", &question),
                ("reference", &reference),
            ],
        );
        let user = self.prompts.render(
            "holistic-user.md",
            &[("open", &open), ("close", &close), ("answer", answer)],
        );
        chat_messages(sys, user)
    }

    /// Grade holistically: the offline grade with its score blended with the model's digit. Any failure (no
    /// answer, no digit) gives the offline grade back, marked degraded, with the reason in the audit.
    pub(super) async fn holistic(
        &self,
        sub: &Submission<'_>,
        off: Grade,
        mut audit: LlmAudit,
    ) -> Grade {
        audit.template_hash = self.prompts.holistic_hash();
        let (text, truncated) =
            budget::truncate(&self.client.cfg.model, sub.answer, ANSWER_TOKEN_CAP);
        audit.truncated = truncated;
        let msgs = self.holistic_messages(sub.question, sub.rung, &text);
        let mut tries = super::grader::Tries::new();
        while tries.more() {
            let r = self.client.first_token(&msgs).await;
            if let Some(c) = tries.took(r, &mut audit, &self.client) {
                match reading(&c) {
                    Some((e, mass)) => return self.blended(off, e, mass, audit),
                    None => {
                        tries.unreadable(format!("no grade digit in the reply {:?}", c.content))
                    }
                }
            }
        }
        audit.note = Some(tries.fell_back());
        Grade {
            degraded: true,
            llm: Some(Box::new(audit)),
            ..off
        }
    }

    fn blended(&self, off: Grade, e: f64, mass: f64, mut audit: LlmAudit) -> Grade {
        let mut score = blend(off.score, e);
        // The detectors keep their say: a flagged answer (stuffing, off-topic, no numbers, ...) never gains.
        if off.flags.iter().any(|f| Flag::parse(f).is_some()) {
            score = score.min(off.score);
        }
        audit.holistic = Some(Holistic {
            expected: (e * 1000.0).round() / 1000.0,
            mass: (mass * 1000.0).round() / 1000.0,
            offline: off.score,
        });
        let mut flags = off.flags.clone();
        if audit.truncated {
            flags.push("truncated".into());
        }
        Grade {
            score,
            grader: self.name(),
            flags,
            llm: Some(Box::new(audit)),
            ..off
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(v: &[(&str, f64)]) -> Vec<(String, f64)> {
        v.iter().map(|(t, p)| (t.to_string(), p.ln())).collect()
    }

    #[test]
    fn the_expected_digit_weights_each_digit_by_its_probability() {
        let (e, m) = expected_digit(&top(&[("4", 0.5), ("5", 0.3), ("3", 0.2)])).unwrap();
        assert!((e - 4.1).abs() < 1e-9, "{e}");
        assert!((m - 1.0).abs() < 1e-9);
        // Other tokens are left out and the digits renormalised; " 2" with a space is still the digit 2.
        let (e, m) =
            expected_digit(&top(&[(" 2", 0.3), ("The", 0.2), ("0", 0.3), ("7", 0.1)])).unwrap();
        assert!((e - 1.0).abs() < 1e-9, "{e}");
        assert!((m - 0.6).abs() < 1e-9);
        // Mostly words: no reading.
        assert_eq!(expected_digit(&top(&[("I", 0.7), ("5", 0.2)])), None);
        assert_eq!(expected_digit(&[]), None);
        assert_eq!(expected_digit(&top(&[("45", 0.9)])), None);
    }

    #[test]
    fn without_probabilities_the_leading_digit_counts() {
        let c = Completion {
            content: " 3".into(),
            ..Default::default()
        };
        assert_eq!(reading(&c), Some((3.0, 1.0)));
        let c = Completion {
            content: "Great".into(),
            ..Default::default()
        };
        assert_eq!(reading(&c), None);
        let c = Completion {
            content: "9".into(),
            ..Default::default()
        };
        assert_eq!(reading(&c), None);
    }

    #[test]
    fn the_blend_is_monotone_in_both_and_stays_on_the_scale() {
        for off in (0..=100).step_by(10) {
            let mut last = 0;
            for k in 0..=50 {
                let s = blend(off, k as f64 / 10.0);
                assert!(s >= last && s <= 100, "{off} {k} {s}");
                last = s;
            }
        }
        assert!(blend(90, 4.0) > blend(40, 4.0));
        assert!(blend(0, 0.0) <= 10);
    }
}
