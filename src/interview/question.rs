//! The state of the question being worked on: the rung reached, the probes asked, what the candidate has met and
//! said so far, and what a hint points at. The machine starts a fresh one for each main question.

use super::coach;
use crate::bank::Question;
use crate::grade::{Grade, Verdict};
use crate::session::Purpose;

/// Everything the machine tracks about the current main question and its follow-ups.
#[derive(Debug, Default)]
pub(super) struct QuestionState {
    /// The rung being worked on (None: the main question); a probe or challenge keeps it.
    pub(super) rung: Option<usize>,
    /// Rungs asked on this question.
    pub(super) follow_ups: usize,
    /// Probes and challenges asked since the main question or the current rung was asked.
    pub(super) probes: usize,
    /// Why the current turn was asked.
    pub(super) purpose: Purpose,
    /// What the current probe or challenge targets.
    pub(super) target: Option<String>,
    /// Criteria met on this question, with the candidate's words: (id, quote).
    pub(super) met: Vec<(String, String)>,
    /// Answers given on this question (for the evidence behind a rung skip).
    pub(super) answers: Vec<String>,
    /// The candidate's last answer.
    pub(super) last_answer: String,
    /// Questions asked on this question, in order.
    pub(super) asked: Vec<String>,
    /// The answer to the main question or the current rung, which a probe or challenge answer completes.
    base_answer: String,
    /// The candidate's words a challenge disputes (left out when the challenge answer is graded).
    challenged: Option<String>,
    /// The gap the last graded answer showed (criterion id), for hints.
    gap: Option<String>,
    /// How direct the last hint was (0: none since the last grade).
    hint_level: u8,
}

impl QuestionState {
    /// Note an answer, and return the text to grade. A probe or challenge answer completes the answer it follows up
    /// on: the two are graded together (less the challenged claim), so the score shows what the candidate now has,
    /// not the fragment alone.
    pub(super) fn answered(&mut self, text: String) -> String {
        self.last_answer = text.clone();
        self.answers.push(text.clone());
        match self.purpose {
            Purpose::Rung => {
                self.base_answer = text.clone();
                text
            }
            Purpose::Probe => format!("{}\n\n{text}", self.base_answer),
            Purpose::Challenge => {
                let base = match &self.challenged {
                    Some(q) if !q.is_empty() => self.base_answer.replace(q.as_str(), ""),
                    _ => self.base_answer.clone(),
                };
                format!("{}\n\n{text}", base.trim())
            }
        }
    }

    /// Note a grade: the criteria it met (first quote kept), and the gap it showed for /hint (the heaviest missed
    /// criterion, else the heaviest partial). Returns the grade's gaps.
    pub(super) fn graded(&mut self, g: &Grade) -> Vec<coach::Gap> {
        for c in &g.criteria {
            if c.verdict == Verdict::Met && !self.met.iter().any(|(id, _)| id == &c.id) {
                let quote = c.evidence.first().cloned().unwrap_or_default();
                self.met.push((c.id.clone(), quote));
            }
        }
        let gaps = coach::gaps(g);
        self.gap = coach::heaviest(&gaps).map(|gp| gp.id.clone());
        self.hint_level = 0;
        gaps
    }

    /// Follow up on the last answer (graded `g`) with a probe or a challenge.
    pub(super) fn start_probe(&mut self, next: &coach::Next, g: &Grade) {
        self.probes += 1;
        self.purpose = next.purpose;
        self.target = Some(next.target.clone());
        self.challenged = (next.purpose == Purpose::Challenge)
            .then(|| {
                g.misconceptions
                    .first()
                    .and_then(|m| m.evidence.first().cloned())
            })
            .flatten();
    }

    /// Climb to rung `i` of the ladder.
    pub(super) fn start_rung(&mut self, i: usize) {
        self.rung = Some(i);
        self.follow_ups += 1;
        self.probes = 0;
        self.purpose = Purpose::Rung;
        self.target = None;
    }

    /// Statements of the question's criteria not met yet (for a model writing the next follow-up).
    pub(super) fn missed_statements(&self, q: &Question) -> Vec<String> {
        q.all_criteria()
            .filter(|c| !self.met.iter().any(|(id, _)| id == &c.spec.id))
            .map(|c| c.spec.statement.clone())
            .collect()
    }

    /// The next hint on `q`: (level, criterion, text). It targets the gap the last answer showed (or the current
    /// target's heaviest open criterion) and escalates: the concept, then a leading question, then the missing
    /// statement.
    pub(super) fn hint(&mut self, q: &Question) -> (u8, Option<String>, String) {
        let (crit, _) = q.target(self.rung);
        let open = |id: &str| !self.met.iter().any(|(m, _)| m == id);
        let gap = self
            .target
            .clone()
            .filter(|_| self.purpose == Purpose::Probe)
            .or_else(|| self.gap.clone().filter(|g| open(g)))
            .or_else(|| {
                let mut v: Vec<_> = crit.iter().filter(|c| open(&c.spec.id)).collect();
                v.sort_by(|a, b| b.spec.weight.total_cmp(&a.spec.weight));
                v.first().map(|c| c.spec.id.clone())
            });
        let Some(c) = gap
            .as_deref()
            .and_then(|id| q.all_criteria().find(|c| c.spec.id == id))
        else {
            return (
                0,
                None,
                "You have covered this; add numbers or a trade-off to make it stronger.".into(),
            );
        };
        self.hint_level = (self.hint_level + 1).min(3);
        let text = coach::hint(c, self.hint_level);
        (self.hint_level, Some(c.spec.id.clone()), text)
    }
}
