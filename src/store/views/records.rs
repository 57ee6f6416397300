//! The layout of the `views` tree: the key of each record, how trend buckets are packed, what a session and an
//! attempt store, and reading and writing records.

use super::super::{map_err, Store, StoreError};
use crate::review::fold::{time_bytes, AnswerKey, AttemptRec};
use crate::review::mastery::MasteryFold;
use crate::review::report::TrendRec;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// What one session contributes, stored under `S` (to undo it when the session changes).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct SessionRec {
    /// Ledger keys, a hash of each record and its question.
    pub(super) answers: Vec<(AnswerKey, u64, String)>,
    /// Attempt keys (question, time) and a hash of each record.
    pub(super) attempts: Vec<(String, chrono::DateTime<chrono::Utc>, u64)>,
}

/// An attempt as stored under `A` (question, time and session are in the key; its missed criteria are read from
/// its session when it is a card's last attempt).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct StoredAttempt {
    session: u64,
    score: u32,
    skipped_only: bool,
}

impl StoredAttempt {
    pub(super) fn of(a: &AttemptRec) -> StoredAttempt {
        StoredAttempt {
            session: a.session,
            score: a.score,
            skipped_only: a.skipped_only,
        }
    }

    /// The attempt stored under key `k` (`A` question 0 time session) of question `q`.
    pub(super) fn rec(&self, k: &[u8], q: &str) -> Option<AttemptRec> {
        let t = k.len().checked_sub(20)?;
        if k.get(1..t.checked_sub(1)?)? != q.as_bytes() {
            return None;
        }
        Some(AttemptRec {
            question: q.to_string(),
            at: crate::review::fold::time_from_bytes(&k[t..t + 12])?,
            session: self.session,
            score: self.score,
            skipped_only: self.skipped_only,
            missed: Vec::new(),
        })
    }
}

fn prefixed(p: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut k = vec![p];
    for (i, x) in parts.iter().enumerate() {
        if i > 0 {
            k.push(0);
        }
        k.extend_from_slice(x);
    }
    k
}
pub(super) fn crit_key(q: &str, c: &str) -> Vec<u8> {
    prefixed(b'C', &[q.as_bytes(), c.as_bytes()])
}
pub(super) fn concept_key(t: &str) -> Vec<u8> {
    prefixed(b'T', &[t.as_bytes()])
}
pub(super) fn grid_key(a: &str, t: &str) -> Vec<u8> {
    prefixed(b'G', &[a.as_bytes(), t.as_bytes()])
}
pub(super) fn attempt_prefix(q: &str) -> Vec<u8> {
    let mut k = prefixed(b'A', &[q.as_bytes()]);
    k.push(0);
    k
}
pub(super) fn attempt_key(q: &str, at: &chrono::DateTime<chrono::Utc>, session: u64) -> Vec<u8> {
    let mut k = attempt_prefix(q);
    k.extend_from_slice(&time_bytes(at));
    k.extend_from_slice(&session.to_be_bytes());
    k
}
pub(super) fn card_key(q: &str) -> Vec<u8> {
    prefixed(b'D', &[q.as_bytes()])
}
/// Trend points are kept in buckets, one record per area and calendar month of the points' first answers (a
/// report reads every point: a few hundred records for years of history, not one per session).
pub(super) fn trend_bucket(area: &str, first: &AnswerKey) -> Vec<u8> {
    use chrono::Datelike;
    let month = first.at.year() as i64 * 12 + first.at.month0() as i64;
    prefixed(
        b'R',
        &[area.as_bytes(), &((month as u64) ^ (1 << 63)).to_be_bytes()],
    )
}

/// A bucket's points: (first answer, sum, n), 36 bytes each, by first answer.
pub(super) type Bucket = BTreeMap<AnswerKey, (u32, u32)>;

pub(super) fn encode_bucket(b: &Bucket) -> Vec<u8> {
    let mut v = Vec::with_capacity(b.len() * 36);
    for (k, (sum, n)) in b {
        v.extend_from_slice(&k.to_bytes());
        v.extend_from_slice(&sum.to_be_bytes());
        v.extend_from_slice(&n.to_be_bytes());
    }
    v
}

fn decode_bucket(v: &[u8]) -> Option<Bucket> {
    if v.len() % 36 != 0 {
        return None;
    }
    v.chunks(36)
        .map(|c| {
            Some((
                AnswerKey::from_bytes(&c[..28])?,
                (
                    u32::from_be_bytes(c[28..32].try_into().ok()?),
                    u32::from_be_bytes(c[32..36].try_into().ok()?),
                ),
            ))
        })
        .collect()
}

/// The trend points of a bucket record.
pub(super) fn trend_points_of(k: &[u8], v: &[u8]) -> Option<Vec<TrendRec>> {
    let end = k.len().checked_sub(9)?;
    let area = std::str::from_utf8(k.get(1..end)?).ok()?;
    Some(
        decode_bucket(v)?
            .into_iter()
            .map(|(first, (sum, n))| TrendRec {
                area: area.to_string(),
                first,
                sum,
                n,
            })
            .collect(),
    )
}

/// Buckets read (once) and changed by one plan.
#[derive(Default)]
pub(super) struct Buckets(HashMap<Vec<u8>, Bucket>);

impl Buckets {
    pub(super) fn get(&mut self, st: &Store, key: Vec<u8>) -> Result<&mut Bucket, StoreError> {
        if !self.0.contains_key(&key) {
            let b = match st.views.get(&key).map_err(|e| map_err(&st.disp(), e))? {
                Some(v) => decode_bucket(&v).ok_or_else(|| {
                    StoreError::Decode(st.disp(), "view record: trend points".into())
                })?,
                None => Bucket::new(),
            };
            self.0.insert(key.clone(), b);
        }
        Ok(self.0.get_mut(&key).expect("just inserted"))
    }

    pub(super) fn write(self, batch: &mut sled::Batch) {
        for (k, b) in self.0 {
            if b.is_empty() {
                batch.remove(k);
            } else {
                batch.insert(k, encode_bucket(&b));
            }
        }
    }
}

pub(super) fn session_key(s: u64) -> Vec<u8> {
    prefixed(b'S', &[&s.to_be_bytes()])
}

/// FNV-1a: a stable 64-bit hash of a record's bytes (to see which records of a session changed).
pub(super) fn hash(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, x| {
        (h ^ *x as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Store {
    pub(super) fn enc<T: Serialize>(&self, v: &T) -> Result<Vec<u8>, StoreError> {
        serde_json::to_vec(v).map_err(|e| StoreError::Other(self.disp(), e.to_string()))
    }

    /// Read one view record; a record that does not decode is an error the caller answers with a rebuild.
    pub(super) fn view_get<T: for<'de> Deserialize<'de>>(
        &self,
        k: &[u8],
    ) -> Result<Option<T>, StoreError> {
        match self.views.get(k).map_err(|e| map_err(&self.disp(), e))? {
            Some(b) => serde_json::from_slice(&b)
                .map(Some)
                .map_err(|e| StoreError::Decode(self.disp(), format!("view record: {e}"))),
            None => Ok(None),
        }
    }

    /// Every view record under a prefix, decoded.
    pub(crate) fn view_scan<T: for<'de> Deserialize<'de>>(
        &self,
        prefix: &[u8],
    ) -> Result<Vec<T>, StoreError> {
        let mut out = Vec::new();
        for r in self.views.scan_prefix(prefix) {
            let (_, v) = r.map_err(|e| map_err(&self.disp(), e))?;
            out.push(
                serde_json::from_slice(&v)
                    .map_err(|e| StoreError::Decode(self.disp(), format!("view record: {e}")))?,
            );
        }
        Ok(out)
    }

    /// A question's stored attempts by key (without their missed criteria), leaving out `skip`.
    pub(crate) fn stored_attempts(
        &self,
        q: &str,
        skip: &HashSet<Vec<u8>>,
    ) -> Result<BTreeMap<Vec<u8>, (AttemptRec, bool)>, StoreError> {
        let mut all = BTreeMap::new();
        for r in self.views.scan_prefix(attempt_prefix(q)) {
            let (k, v) = r.map_err(|e| map_err(&self.disp(), e))?;
            if skip.contains(k.as_ref()) {
                continue;
            }
            let a: StoredAttempt = serde_json::from_slice(&v)
                .map_err(|e| StoreError::Decode(self.disp(), format!("view record: {e}")))?;
            if let Some(a) = a.rec(&k, q) {
                all.insert(k.to_vec(), (a, false));
            }
        }
        Ok(all)
    }

    /// Write a fold's states into a batch.
    pub(super) fn put_fold(
        &self,
        batch: &mut sled::Batch,
        f: &MasteryFold,
    ) -> Result<(), StoreError> {
        for ((q, c), s) in &f.criteria {
            batch.insert(crit_key(q, c), self.enc(s)?);
        }
        for (t, s) in &f.concepts {
            batch.insert(concept_key(t), self.enc(s)?);
        }
        for ((a, t), s) in &f.grid {
            batch.insert(grid_key(a, t), self.enc(&(a, t, s))?);
        }
        Ok(())
    }

    /// Remove every key under the prefixes.
    pub(super) fn clear_prefixes(
        &self,
        batch: &mut sled::Batch,
        prefixes: &[u8],
    ) -> Result<(), StoreError> {
        for p in prefixes {
            for k in self.views.scan_prefix([*p]).keys() {
                batch.remove(k.map_err(|e| map_err(&self.disp(), e))?);
            }
        }
        Ok(())
    }
}
