//! The review views as folds over compact records of the graded answers and attempts.
//!
//! Every derived view (mastery per criterion and concept, the per-session means of the trend charts, the FSRS
//! cards) is a fold over [`AnswerRec`]s in time order, or a replay of one question's [`AttemptRec`]s. A full replay
//! of the log builds these records from [`History`] and folds them at once; the store keeps the same records and
//! fold states in its view trees and folds new answers in as they are graded. Both paths call the same fold steps,
//! so a view kept current equals a full replay bit for bit. Pure: no IO, no clock.

use super::schedule::{self, Missed};
use super::{excerpt, Answered, Attempt, History};
use crate::bank::Bank;
use crate::grade::Verdict;
use crate::session::Event;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// `f64` stored as its bit pattern, so a value read back is exactly the value written (a decimal round trip
/// through JSON may move the last bit).
pub mod bits {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialize the bit pattern.
    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(x.to_bits())
    }

    /// Read the bit pattern back.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        u64::deserialize(d).map(f64::from_bits)
    }
}

/// Where a graded answer sits in the time order every fold uses: the time it was graded, then session, turn and
/// its place among the session's answers (the order the log replay sorts by). Stored as the tuple (seconds,
/// nanoseconds, session, turn, idx).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AnswerKey {
    /// When the answer was first graded.
    pub at: DateTime<Utc>,
    /// Session id.
    pub session: u64,
    /// Turn within the session.
    pub turn: u32,
    /// Position among the session's graded answers (breaks ties in log order).
    pub idx: u32,
}

impl Serialize for AnswerKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (
            self.at.timestamp(),
            self.at.timestamp_subsec_nanos(),
            self.session,
            self.turn,
            self.idx,
        )
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for AnswerKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (secs, nanos, session, turn, idx) = <(i64, u32, u64, u32, u32)>::deserialize(d)?;
        let at = DateTime::from_timestamp(secs, nanos)
            .ok_or_else(|| serde::de::Error::custom("time out of range"))?;
        Ok(AnswerKey {
            at,
            session,
            turn,
            idx,
        })
    }
}

/// Bytes of a time that sort as the times do (seconds with the sign bit flipped, then nanoseconds).
pub fn time_bytes(t: &DateTime<Utc>) -> [u8; 12] {
    let mut b = [0u8; 12];
    b[..8].copy_from_slice(&((t.timestamp() as u64) ^ (1 << 63)).to_be_bytes());
    b[8..].copy_from_slice(&t.timestamp_subsec_nanos().to_be_bytes());
    b
}

/// The time [`time_bytes`] encoded.
pub fn time_from_bytes(b: &[u8]) -> Option<DateTime<Utc>> {
    let secs = u64::from_be_bytes(b.get(..8)?.try_into().ok()?) ^ (1 << 63);
    let nanos = u32::from_be_bytes(b.get(8..12)?.try_into().ok()?);
    DateTime::from_timestamp(secs as i64, nanos)
}

impl AnswerKey {
    /// Bytes that sort as the keys do.
    pub fn to_bytes(&self) -> [u8; 28] {
        let mut b = [0u8; 28];
        b[..12].copy_from_slice(&time_bytes(&self.at));
        b[12..20].copy_from_slice(&self.session.to_be_bytes());
        b[20..24].copy_from_slice(&self.turn.to_be_bytes());
        b[24..].copy_from_slice(&self.idx.to_be_bytes());
        b
    }

    /// The key [`AnswerKey::to_bytes`] encoded.
    pub fn from_bytes(b: &[u8]) -> Option<AnswerKey> {
        Some(AnswerKey {
            at: time_from_bytes(b.get(..12)?)?,
            session: u64::from_be_bytes(b.get(12..20)?.try_into().ok()?),
            turn: u32::from_be_bytes(b.get(20..24)?.try_into().ok()?),
            idx: u32::from_be_bytes(b.get(24..28)?.try_into().ok()?),
        })
    }
}

/// One criterion's verdict as the folds need it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CritObs {
    /// Criterion id.
    pub id: String,
    /// Verdict of the latest grade.
    pub verdict: Verdict,
    /// Weight in points.
    #[serde(with = "bits")]
    pub weight: f64,
    /// The candidate's words that earned credit.
    pub evidence: Vec<String>,
    /// The statement stored with the grade (used when the question has left the bank).
    pub statement: String,
    /// The tags stored with the grade (likewise).
    pub tags: Vec<String>,
}

/// One graded answer, reduced to what the views fold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerRec {
    /// Its place in time.
    pub key: AnswerKey,
    /// Question id.
    pub question: String,
    /// "question" or the ladder stage.
    pub stage: String,
    /// The start of the answer (what reports quote).
    pub answer: String,
    /// Latest score.
    pub score: u32,
    /// Latest verdicts.
    pub criteria: Vec<CritObs>,
}

impl AnswerRec {
    /// Without the texts (the answer, evidence and statements): what a refold of years of history holds in
    /// memory. A fold over slim records gets every number right; `MasteryFold::fill_texts` puts the texts back.
    pub fn slim(&self) -> AnswerRec {
        AnswerRec {
            answer: String::new(),
            criteria: self
                .criteria
                .iter()
                .map(|c| CritObs {
                    evidence: Vec::new(),
                    statement: String::new(),
                    ..c.clone()
                })
                .collect(),
            ..self.clone()
        }
    }

    /// The record of an answer; `idx` is its position among its session's answers.
    pub fn new(a: &Answered, idx: u32) -> AnswerRec {
        AnswerRec {
            key: AnswerKey {
                at: a.at,
                session: a.session,
                turn: a.turn,
                idx,
            },
            question: a.question.clone(),
            stage: a.stage.clone(),
            answer: excerpt(&a.answer, 160),
            score: a.grade.score,
            criteria: a
                .grade
                .criteria
                .iter()
                .map(|c| CritObs {
                    id: c.id.clone(),
                    verdict: c.verdict,
                    weight: c.weight,
                    evidence: c.evidence.clone(),
                    statement: c.statement.clone(),
                    tags: c.tags.clone(),
                })
                .collect(),
        }
    }
}

/// One attempt at a question (one session's turns on it), reduced to what its card replays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptRec {
    /// Question id.
    pub question: String,
    /// Time of the attempt (its last graded turn or skip).
    pub at: DateTime<Utc>,
    /// Session id.
    pub session: u64,
    /// The attempt's score (a skip without an answer: 0).
    pub score: u32,
    /// Skipped without any answer.
    pub skipped_only: bool,
    /// Criteria not met.
    pub missed: Vec<Missed>,
}

impl AttemptRec {
    /// The record of an attempt that has a score.
    pub fn new(a: &Attempt) -> Option<AttemptRec> {
        Some(AttemptRec {
            question: a.question.clone(),
            at: a.at,
            session: a.session,
            score: a.score()?,
            skipped_only: a.skipped && a.turns.is_empty(),
            missed: schedule::missed(a),
        })
    }
}

/// The records of a history: answers in time order (each with its position in its session), attempts in time order.
pub fn records(h: &History) -> (Vec<AnswerRec>, Vec<AttemptRec>) {
    let mut idx: HashMap<u64, u32> = HashMap::new();
    let answers = h
        .answers
        .iter()
        .map(|a| {
            let i = idx.entry(a.session).or_insert(0);
            *i += 1;
            AnswerRec::new(a, *i - 1)
        })
        .collect();
    let attempts = h.attempts.iter().filter_map(AttemptRec::new).collect();
    (answers, attempts)
}

/// What one session contributes to the views: its answer and attempt records.
pub fn session_records(events: &[Event]) -> (Vec<AnswerRec>, Vec<AttemptRec>) {
    records(&super::history(events))
}

/// The part of the bank the folds depend on: each question's area and each criterion's concept tags. A view
/// folded with one taxonomy is refolded when the bank's differs (see [`Taxonomy::fingerprint`]).
#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    areas: HashMap<String, String>,
    tags: HashMap<String, HashMap<String, Vec<String>>>,
    fingerprint: String,
}

impl Taxonomy {
    /// The taxonomy of a bank.
    pub fn of(bank: &Bank) -> Taxonomy {
        let mut t = Taxonomy::default();
        let mut ids: Vec<&str> = Vec::new();
        for q in &bank.questions {
            // `Bank::get` finds the first question with an id: keep the first.
            if t.areas.contains_key(q.id()) {
                continue;
            }
            ids.push(q.id());
            t.areas.insert(q.id().to_string(), q.spec.area.clone());
            let mut by: HashMap<String, Vec<String>> = HashMap::new();
            for c in q.all_criteria() {
                by.entry(c.spec.id.clone())
                    .or_insert_with(|| c.spec.tags.clone());
            }
            t.tags.insert(q.id().to_string(), by);
        }
        ids.sort_unstable();
        let mut h = Sha256::new();
        for id in ids {
            h.update(id.as_bytes());
            h.update([0]);
            h.update(t.areas[id].as_bytes());
            h.update([0]);
            let mut cs: Vec<(&String, &Vec<String>)> = t.tags[id].iter().collect();
            cs.sort_unstable();
            for (c, tags) in cs {
                h.update(c.as_bytes());
                h.update([1]);
                for tag in tags {
                    h.update(tag.as_bytes());
                    h.update([2]);
                }
                h.update([3]);
            }
            h.update([4]);
        }
        t.fingerprint = h.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        t
    }

    /// A digest of every area and tag: equal fingerprints fold the same records the same way.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The area of a question ("unknown" when it left the bank).
    pub fn area(&self, question: &str) -> &str {
        self.areas
            .get(question)
            .map(String::as_str)
            .unwrap_or("unknown")
    }

    /// The concept tags of a criterion: today's rubric when the question and criterion are in the bank, else the
    /// tags stored with the grade.
    pub fn tags<'a>(&'a self, question: &str, c: &'a CritObs) -> &'a [String] {
        self.tags
            .get(question)
            .and_then(|m| m.get(&c.id))
            .map(Vec::as_slice)
            .unwrap_or(&c.tags)
    }
}

/// Today's statement of a criterion when the question and criterion are in the bank, else `fallback`.
pub fn statement_in(bank: &Bank, question: &str, criterion: &str, fallback: &str) -> String {
    bank.get(question)
        .and_then(|q| q.all_criteria().find(|x| x.spec.id == criterion))
        .map(|x| x.spec.statement.clone())
        .unwrap_or_else(|| fallback.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn key_bytes_sort_as_keys() {
        let key = |s: i64, n: u32, session: u64, turn: u32, idx: u32| AnswerKey {
            at: Utc.timestamp_opt(s, n).unwrap(),
            session,
            turn,
            idx,
        };
        let mut keys = vec![
            key(-5, 0, 9, 0, 0),
            key(10, 5, 1, 2, 0),
            key(10, 5, 1, 2, 1),
            key(10, 4, 7, 0, 0),
            key(1_900_000_000, 999_999_999, 0, 0, 0),
        ];
        let mut by_bytes = keys.clone();
        keys.sort();
        by_bytes.sort_by_key(|k| k.to_bytes());
        assert_eq!(keys, by_bytes);
        for k in &keys {
            assert_eq!(time_from_bytes(&time_bytes(&k.at)), Some(k.at));
            assert_eq!(AnswerKey::from_bytes(&k.to_bytes()), Some(*k));
            let j = serde_json::to_string(k).unwrap();
            assert_eq!(serde_json::from_str::<AnswerKey>(&j).unwrap(), *k, "{j}");
        }
    }

    #[test]
    fn taxonomy_follows_the_bank() {
        let b = super::super::testkit::bank();
        let t = Taxonomy::of(b);
        assert_eq!(t.area("cv-detection-anchor-boxes"), "detection");
        assert_eq!(t.area("gone"), "unknown");
        let c = CritObs {
            id: "dense-anchors".into(),
            verdict: Verdict::Met,
            weight: 1.0,
            evidence: vec![],
            statement: String::new(),
            tags: vec!["stored".into()],
        };
        assert!(t
            .tags("cv-detection-anchor-boxes", &c)
            .contains(&"anchors".to_string()));
        assert_eq!(t.tags("gone", &c), ["stored".to_string()]);
        assert_eq!(t.fingerprint(), Taxonomy::of(b).fingerprint());
        let mut other = b.clone();
        other.questions[0].spec.area = "elsewhere".into();
        assert_ne!(t.fingerprint(), Taxonomy::of(&other).fingerprint());
    }
}
