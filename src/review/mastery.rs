//! Mastery per rubric criterion, per concept tag and per (area, concept): an exponentially weighted mean of recent
//! verdicts (met = 1, partial = 0.5, missed = 0), newest answer weighing most.

use super::{area_of, excerpt, Answered, History};
use crate::bank::Bank;
use crate::grade::{CriterionResult, Verdict};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Each older observation weighs this much relative to the next newer one.
pub const DECAY: f64 = 0.5;

/// Mastery (in percent) below which a criterion or concept is a weak spot.
pub const WEAK_BELOW: u32 = 80;

/// An exponentially weighted mean, bias-corrected: one observation x gives x.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Ewma {
    num: f64,
    den: f64,
    /// Observations so far.
    pub n: u32,
}

impl Ewma {
    /// Add the newest observation (0..=1).
    pub fn push(&mut self, x: f64) {
        self.num = self.num * DECAY + x;
        self.den = self.den * DECAY + 1.0;
        self.n += 1;
    }
    /// The mean (0..=1); 0 before any observation.
    pub fn value(&self) -> f64 {
        if self.den > 0.0 {
            self.num / self.den
        } else {
            0.0
        }
    }
    /// The mean in whole percent.
    pub fn pct(&self) -> u32 {
        (self.value() * 100.0).round() as u32
    }
}

/// Where a criterion or concept was last seen: the candidate's words and what was missing.
#[derive(Debug, Clone, PartialEq)]
pub struct LastSeen {
    /// Session id.
    pub session: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// Question id.
    pub question: String,
    /// "question" or the ladder stage.
    pub stage: String,
    /// The worst verdict among the criteria concerned.
    pub verdict: Verdict,
    /// The candidate's words that earned credit (verbatim quotes).
    pub evidence: Vec<String>,
    /// The start of the answer.
    pub answer: String,
    /// Statements of what was missing or only partly there.
    pub missing: Vec<String>,
}

/// Mastery of one rubric criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionMastery {
    /// Question id.
    pub question: String,
    /// Criterion id.
    pub criterion: String,
    /// What a strong answer claims (today's rubric when the question is still in the bank).
    pub statement: String,
    /// Area of the question.
    pub area: String,
    /// Concept tags.
    pub tags: Vec<String>,
    /// The weighted mean.
    pub mastery: Ewma,
    /// The last observation.
    pub last: LastSeen,
}

/// Mastery of one concept tag (over every criterion carrying it).
#[derive(Debug, Clone, PartialEq)]
pub struct ConceptMastery {
    /// The tag.
    pub tag: String,
    /// The weighted mean over answers (one observation per answer: the weighted verdicts of its tagged criteria).
    pub mastery: Ewma,
    /// Areas it was seen in.
    pub areas: Vec<String>,
    /// Questions it was seen in.
    pub questions: Vec<String>,
    /// The last observation.
    pub last: LastSeen,
}

/// One cell of the area × concept grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Area.
    pub area: String,
    /// Concept tag.
    pub tag: String,
    /// The weighted mean.
    pub mastery: Ewma,
}

/// Every mastery view, weakest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mastery {
    /// Per criterion, weakest first.
    pub criteria: Vec<CriterionMastery>,
    /// Per concept, weakest first.
    pub concepts: Vec<ConceptMastery>,
    /// Area × concept, by area then tag.
    pub grid: Vec<Cell>,
}

fn tags_of(bank: &Bank, question: &str, c: &CriterionResult) -> Vec<String> {
    bank.get(question)
        .and_then(|q| q.all_criteria().find(|x| x.spec.id == c.id))
        .map(|x| x.spec.tags.clone())
        .unwrap_or_else(|| c.tags.clone())
}

fn statement_of(bank: &Bank, question: &str, c: &CriterionResult) -> String {
    bank.get(question)
        .and_then(|q| q.all_criteria().find(|x| x.spec.id == c.id))
        .map(|x| x.spec.statement.clone())
        .unwrap_or_else(|| c.statement.clone())
}

fn seen(a: &Answered, crits: &[&CriterionResult], bank: &Bank) -> LastSeen {
    LastSeen {
        session: a.session,
        at: a.at,
        question: a.question.clone(),
        stage: a.stage.clone(),
        verdict: crits
            .iter()
            .map(|c| c.verdict)
            .max_by_key(|v| match v {
                Verdict::Met => 0,
                Verdict::Partial => 1,
                Verdict::Missed => 2,
            })
            .unwrap_or(Verdict::Missed),
        evidence: crits
            .iter()
            .flat_map(|c| c.evidence.iter().cloned())
            .collect(),
        answer: excerpt(&a.answer, 160),
        missing: crits
            .iter()
            .filter(|c| c.verdict != Verdict::Met)
            .map(|c| statement_of(bank, &a.question, c))
            .collect(),
    }
}

fn weakest_first<T>(v: &mut [T], key: impl Fn(&T) -> (f64, u32, String)) {
    v.sort_by(|a, b| {
        let (ma, na, ia) = key(a);
        let (mb, nb, ib) = key(b);
        ma.total_cmp(&mb).then(nb.cmp(&na)).then(ia.cmp(&ib))
    });
}

/// Compute every mastery view from the history (oldest answer first) and the bank.
pub fn compute(h: &History, bank: &Bank) -> Mastery {
    let mut crit: BTreeMap<(String, String), CriterionMastery> = BTreeMap::new();
    let mut conc: BTreeMap<String, ConceptMastery> = BTreeMap::new();
    let mut grid: BTreeMap<(String, String), Ewma> = BTreeMap::new();
    for a in &h.answers {
        let area = area_of(bank, &a.question);
        for c in &a.grade.criteria {
            let e = crit
                .entry((a.question.clone(), c.id.clone()))
                .or_insert_with(|| CriterionMastery {
                    question: a.question.clone(),
                    criterion: c.id.clone(),
                    statement: statement_of(bank, &a.question, c),
                    area: area.clone(),
                    tags: tags_of(bank, &a.question, c),
                    mastery: Ewma::default(),
                    last: seen(a, &[c], bank),
                });
            e.mastery.push(c.verdict.fraction());
            e.last = seen(a, &[c], bank);
        }
        // One observation per answer and tag: the weight-averaged verdicts of the criteria carrying the tag.
        let mut by_tag: BTreeMap<String, Vec<&CriterionResult>> = BTreeMap::new();
        for c in &a.grade.criteria {
            for t in tags_of(bank, &a.question, c) {
                by_tag.entry(t).or_default().push(c);
            }
        }
        for (tag, cs) in by_tag {
            let w: f64 = cs.iter().map(|c| c.weight.max(0.0)).sum();
            let x = if w > 0.0 {
                cs.iter()
                    .map(|c| c.weight.max(0.0) * c.verdict.fraction())
                    .sum::<f64>()
                    / w
            } else {
                cs.iter().map(|c| c.verdict.fraction()).sum::<f64>() / cs.len() as f64
            };
            let e = conc.entry(tag.clone()).or_insert_with(|| ConceptMastery {
                tag: tag.clone(),
                mastery: Ewma::default(),
                areas: vec![],
                questions: vec![],
                last: seen(a, &cs, bank),
            });
            e.mastery.push(x);
            e.last = seen(a, &cs, bank);
            if !e.areas.contains(&area) {
                e.areas.push(area.clone());
            }
            if !e.questions.contains(&a.question) {
                e.questions.push(a.question.clone());
            }
            grid.entry((area.clone(), tag)).or_default().push(x);
        }
    }
    let mut criteria: Vec<CriterionMastery> = crit.into_values().collect();
    weakest_first(&mut criteria, |c| {
        (
            c.mastery.value(),
            c.mastery.n,
            format!("{}/{}", c.question, c.criterion),
        )
    });
    let mut concepts: Vec<ConceptMastery> = conc.into_values().collect();
    weakest_first(&mut concepts, |c| {
        (c.mastery.value(), c.mastery.n, c.tag.clone())
    });
    let area_pos = |a: &str| {
        crate::bank::spec::AREAS
            .iter()
            .position(|(x, _)| *x == a)
            .unwrap_or(99)
    };
    let mut grid: Vec<Cell> = grid
        .into_iter()
        .map(|((area, tag), mastery)| Cell { area, tag, mastery })
        .collect();
    grid.sort_by(|a, b| (area_pos(&a.area), &a.tag).cmp(&(area_pos(&b.area), &b.tag)));
    Mastery {
        criteria,
        concepts,
        grid,
    }
}

#[cfg(test)]
mod tests {
    use super::super::history;
    use super::super::testkit::*;
    use super::*;

    const Q: &str = "cv-detection-anchor-boxes";

    #[test]
    fn ewma_weights_recent_answers_most() {
        let mut e = Ewma::default();
        assert_eq!(e.pct(), 0);
        e.push(0.0);
        assert_eq!(e.pct(), 0);
        e.push(1.0);
        // (0 * 0.5 + 1) / (0.5 + 1)
        assert_eq!(e.pct(), 67);
        e.push(1.0);
        assert_eq!(e.pct(), 86);
        let mut f = Ewma::default();
        f.push(1.0);
        f.push(0.0);
        assert_eq!(f.pct(), 33, "a recent miss outweighs an older success");
    }

    #[test]
    fn criteria_and_concepts_ranked_weakest_first_with_evidence() {
        let mut log = Log::new(1, day(0));
        log.ask(Q, "Anchors");
        log.answer(
            "anchors everywhere",
            grade(
                Q,
                None,
                &[
                    ("dense-anchors", M),
                    ("scales-times-ratios", X),
                    ("rpn-objectness-offsets", P),
                ],
            ),
        );
        let mut log = log.then(2, day(3));
        log.ask(Q, "Anchors");
        log.answer(
            "nine anchors, three scales",
            grade(
                Q,
                None,
                &[
                    ("dense-anchors", M),
                    ("scales-times-ratios", M),
                    ("rpn-objectness-offsets", X),
                ],
            ),
        );
        let m = compute(&history(&log.events), bank());
        let ids: Vec<&str> = m.criteria.iter().map(|c| c.criterion.as_str()).collect();
        assert_eq!(
            ids,
            [
                "rpn-objectness-offsets",
                "scales-times-ratios",
                "dense-anchors"
            ]
        );
        let rpn = &m.criteria[0];
        assert_eq!(rpn.mastery.pct(), 17); // (0.5 * 0.5 + 0) / 1.5
        assert_eq!(rpn.mastery.n, 2);
        assert_eq!(rpn.last.session, 2);
        assert_eq!(rpn.last.verdict, Verdict::Missed);
        assert_eq!(rpn.last.answer, "nine anchors, three scales");
        assert_eq!(rpn.area, "detection");
        assert!(rpn.last.missing[0].contains("objectness"), "{:?}", rpn.last);
        // Concepts: rpn and box-regression only come from the weak criterion; anchors is mostly met.
        let tags: Vec<&str> = m.concepts.iter().map(|c| c.tag.as_str()).collect();
        assert_eq!(tags, ["box-regression", "rpn", "anchors"]);
        let anchors = &m.concepts[2];
        assert_eq!(anchors.mastery.pct(), 85); // (0.5 * 25/45 + 1) / 1.5
        assert_eq!(anchors.last.evidence.len(), 2);
        assert!(m
            .grid
            .iter()
            .any(|c| c.area == "detection" && c.tag == "anchors" && c.mastery.pct() == 85));
    }

    #[test]
    fn rebuilding_from_the_same_log_gives_the_same_views() {
        let mut log = Log::new(7, day(1));
        log.ask("unknown-q", "Gone");
        log.answer("x", grade("unknown-q", None, &[("c", P)]));
        let h = history(&log.events);
        let a = compute(&h, bank());
        assert_eq!(a, compute(&history(&log.events), bank()));
        assert_eq!(a.criteria[0].area, "unknown");
        assert_eq!(a.concepts[0].tag, "tag-c");
        assert_eq!(a.concepts[0].mastery.pct(), 50);
    }
}
