//! Mastery per rubric criterion, per concept tag and per (area, concept): an exponentially weighted mean of recent
//! verdicts (met = 1, partial = 0.5, missed = 0), newest answer weighing most.

use super::fold::{records, AnswerKey, AnswerRec, CritObs, Taxonomy};
pub use super::seen::{LastObs, LastSeen, Seen};
use super::{area_of, History};
use crate::bank::Bank;

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Each older observation weighs this much relative to the next newer one.
pub const DECAY: f64 = 0.5;

/// Mastery (in percent) below which a criterion or concept is a weak spot.
pub const WEAK_BELOW: u32 = 80;

/// An exponentially weighted mean, bias-corrected: one observation x gives x.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Ewma {
    #[serde(with = "super::fold::bits")]
    num: f64,
    #[serde(with = "super::fold::bits")]
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

/// The fold state of one criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionState {
    /// Question id.
    pub question: String,
    /// Criterion id.
    pub criterion: String,
    /// Statement stored with its first grade (used when it left the bank).
    pub statement: String,
    /// Tags stored with its first grade (likewise).
    pub tags: Vec<String>,
    /// The weighted mean.
    pub mastery: Ewma,
    /// The last observation.
    pub last: LastObs,
    /// The answers of the first and last observation (to fill in texts after a fold over slim records).
    pub first_key: AnswerKey,
    /// See `first_key`.
    pub last_key: AnswerKey,
}

/// The fold state of one concept tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConceptState {
    /// The tag.
    pub tag: String,
    /// The weighted mean.
    pub mastery: Ewma,
    /// Areas it was seen in, in order of first sight.
    pub areas: Vec<String>,
    /// Questions it was seen in, likewise.
    pub questions: Vec<String>,
    /// The last observation.
    pub last: LastObs,
    /// The answer of the last observation.
    pub last_key: AnswerKey,
}

/// Mastery as a fold: criteria by (question, criterion), concepts by tag, the grid by (area, tag). Push answers
/// oldest first; [`MasteryFold::finish`] ranks them. The store keeps these states in its view tree and loads only
/// the entries an answer touches ([`MasteryFold::touched`]) to fold one more in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MasteryFold {
    /// Criterion states.
    pub criteria: BTreeMap<(String, String), CriterionState>,
    /// Concept states.
    pub concepts: BTreeMap<String, ConceptState>,
    /// Area × concept means.
    pub grid: BTreeMap<(String, String), Ewma>,
}

/// The keys one answer touches: criteria, tags and grid cells.
pub type Touched = (Vec<(String, String)>, Vec<String>, Vec<(String, String)>);

/// One observation per answer and tag: the weight-averaged verdicts of the criteria carrying the tag.
fn by_tag<'a>(a: &'a AnswerRec, tax: &'a Taxonomy) -> BTreeMap<&'a str, Vec<&'a CritObs>> {
    let mut by: BTreeMap<&str, Vec<&CritObs>> = BTreeMap::new();
    for c in &a.criteria {
        for t in tax.tags(&a.question, c) {
            by.entry(t.as_str()).or_default().push(c);
        }
    }
    by
}

impl MasteryFold {
    /// The keys [`MasteryFold::push`] reads and writes for this answer.
    pub fn touched(a: &AnswerRec, tax: &Taxonomy) -> Touched {
        let area = tax.area(&a.question);
        let crit = a
            .criteria
            .iter()
            .map(|c| (a.question.clone(), c.id.clone()))
            .collect();
        let tags: Vec<String> = by_tag(a, tax).into_keys().map(str::to_string).collect();
        let grid = tags.iter().map(|t| (area.to_string(), t.clone())).collect();
        (crit, tags, grid)
    }

    /// Fold in the next answer (answers must come oldest first).
    pub fn push(&mut self, a: &AnswerRec, tax: &Taxonomy) {
        let area = tax.area(&a.question);
        for c in &a.criteria {
            let e = self
                .criteria
                .entry((a.question.clone(), c.id.clone()))
                .or_insert_with(|| CriterionState {
                    question: a.question.clone(),
                    criterion: c.id.clone(),
                    statement: c.statement.clone(),
                    tags: c.tags.clone(),
                    mastery: Ewma::default(),
                    last: LastObs::new(a, &[c]),
                    first_key: a.key,
                    last_key: a.key,
                });
            e.mastery.push(c.verdict.fraction());
            e.last = LastObs::new(a, &[c]);
            e.last_key = a.key;
        }
        for (tag, cs) in by_tag(a, tax) {
            let w: f64 = cs.iter().map(|c| c.weight.max(0.0)).sum();
            let x = if w > 0.0 {
                cs.iter()
                    .map(|c| c.weight.max(0.0) * c.verdict.fraction())
                    .sum::<f64>()
                    / w
            } else {
                cs.iter().map(|c| c.verdict.fraction()).sum::<f64>() / cs.len() as f64
            };
            let e = self
                .concepts
                .entry(tag.to_string())
                .or_insert_with(|| ConceptState {
                    tag: tag.to_string(),
                    mastery: Ewma::default(),
                    areas: vec![],
                    questions: vec![],
                    last: LastObs::new(a, &cs),
                    last_key: a.key,
                });
            e.mastery.push(x);
            e.last = LastObs::new(a, &cs);
            e.last_key = a.key;
            if !e.areas.iter().any(|x| x == area) {
                e.areas.push(area.to_string());
            }
            if !e.questions.contains(&a.question) {
                e.questions.push(a.question.clone());
            }
            self.grid
                .entry((area.to_string(), tag.to_string()))
                .or_default()
                .push(x);
        }
    }

    /// The answers whose texts a fold over slim records ([`AnswerRec::slim`]) left out: each state's first and last
    /// observation.
    pub fn text_keys(&self) -> Vec<AnswerKey> {
        let mut v: Vec<AnswerKey> = self
            .criteria
            .values()
            .flat_map(|s| [s.first_key, s.last_key])
            .chain(self.concepts.values().map(|s| s.last_key))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Put back the texts a fold over slim records left out, from the full records of [`Self::text_keys`]: the
    /// same statements, evidence and answers a fold over the full records keeps. False when one is missing.
    pub fn fill_texts(&mut self, full: &HashMap<AnswerKey, AnswerRec>, tax: &Taxonomy) -> bool {
        for s in self.criteria.values_mut() {
            let (Some(first), Some(last)) = (full.get(&s.first_key), full.get(&s.last_key)) else {
                return false;
            };
            // The first observation set the fallbacks; a later duplicate of the id in that answer did not.
            let Some(c) = first.criteria.iter().find(|c| c.id == s.criterion) else {
                return false;
            };
            s.statement = c.statement.clone();
            s.tags = c.tags.clone();
            // The last push of the id wins.
            let Some(c) = last.criteria.iter().rev().find(|c| c.id == s.criterion) else {
                return false;
            };
            s.last = LastObs::new(last, &[c]);
        }
        for s in self.concepts.values_mut() {
            let Some(last) = full.get(&s.last_key) else {
                return false;
            };
            let Some(cs) = by_tag(last, tax).remove(s.tag.as_str()) else {
                return false;
            };
            s.last = LastObs::new(last, &cs);
        }
        true
    }

    /// Rank everything, weakest first, with today's statements, areas and tags from the bank.
    pub fn finish(self, bank: &Bank) -> Mastery {
        let mut criteria: Vec<CriterionMastery> = self
            .criteria
            .into_values()
            .map(|s| {
                let spec = bank
                    .get(&s.question)
                    .and_then(|q| q.all_criteria().find(|x| x.spec.id == s.criterion));
                CriterionMastery {
                    statement: spec
                        .map(|x| x.spec.statement.clone())
                        .unwrap_or(s.statement),
                    tags: spec.map(|x| x.spec.tags.clone()).unwrap_or(s.tags),
                    area: area_of(bank, &s.question),
                    last: s.last.resolve(bank),
                    question: s.question,
                    criterion: s.criterion,
                    mastery: s.mastery,
                }
            })
            .collect();
        weakest_first(&mut criteria, |c| {
            (
                c.mastery.value(),
                c.mastery.n,
                format!("{}/{}", c.question, c.criterion),
            )
        });
        let mut concepts: Vec<ConceptMastery> = self
            .concepts
            .into_values()
            .map(|s| ConceptMastery {
                last: s.last.resolve(bank),
                tag: s.tag,
                mastery: s.mastery,
                areas: s.areas,
                questions: s.questions,
            })
            .collect();
        weakest_first(&mut concepts, |c| {
            (c.mastery.value(), c.mastery.n, c.tag.clone())
        });
        let area_pos = |a: &str| {
            crate::bank::spec::AREAS
                .iter()
                .position(|(x, _)| *x == a)
                .unwrap_or(99)
        };
        let mut grid: Vec<Cell> = self
            .grid
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
}

fn weakest_first<T>(v: &mut [T], key: impl Fn(&T) -> (f64, u32, String)) {
    v.sort_by(|a, b| {
        let (ma, na, ia) = key(a);
        let (mb, nb, ib) = key(b);
        ma.total_cmp(&mb).then(nb.cmp(&na)).then(ia.cmp(&ib))
    });
}

/// Compute every mastery view from the history (oldest answer first) and the bank: a full replay.
pub fn compute(h: &History, bank: &Bank) -> Mastery {
    let tax = Taxonomy::of(bank);
    let mut f = MasteryFold::default();
    for a in &records(h).0 {
        f.push(a, &tax);
    }
    f.finish(bank)
}

#[cfg(test)]
#[path = "mastery_tests.rs"]
mod tests;
