//! The review views kept current in the store (the `views` tree), and how they follow the log.
//!
//! The log (`events`) stays the source of truth. Every write to it that can change a view (a grade, a regrade, a
//! skip, an imported session, a record moved aside) advances a log position (`log_meta`); such a write made while
//! the views are attached updates them in the same sled transaction, and any other leaves a journal entry
//! (`journal`: position → session). The views record the position they reflect, their format
//! version and the bank taxonomy they were folded with. On [`Store::attach_views`] they are caught up from the
//! journal, refolded when the taxonomy differs, and rebuilt from the log when missing, written by an older viva,
//! or behind by more than the journal covers, so a view is never silently stale.
//!
//! Layout of the `views` tree (one-byte prefixes):
//! `M` meta · `S` per session: the keys and hashes of its answers and attempts ·
//! `C` criterion, `T` concept, `G` area × concept fold states · `R` trend points by area and month · `A` attempts
//! by question and time · `D` the FSRS card of each question.

use super::{decode_event, map_err, BadRecord, Event, EventKind, Store, StoreError};
use crate::review::fold::{
    session_records, time_bytes, AnswerKey, AnswerRec, AttemptRec, Taxonomy,
};
use crate::review::mastery::MasteryFold;
use crate::review::report::{TrendFold, TrendRec};
use crate::review::schedule::{self, CardCore};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

/// Format version of the views; a store whose views carry another version rebuilds them from the log.
pub const VIEWS_VERSION: u32 = 1;

/// Rebuilds and refolds that take longer than this say so on stderr.
const PROGRESS_AFTER: Duration = Duration::from_secs(1);

/// A line on stderr once a long pass over the log has taken more than [`PROGRESS_AFTER`], and one when it ends.
struct Progress {
    what: &'static str,
    started: Instant,
    said: bool,
}

impl Progress {
    fn new(what: &'static str) -> Progress {
        Progress {
            what,
            started: Instant::now(),
            said: false,
        }
    }

    /// `n` of about `total` sessions read so far.
    fn tick(&mut self, n: usize, total: usize) {
        if !self.said && self.started.elapsed() > PROGRESS_AFTER {
            eprintln!(
                "viva: {} the review views from the log ({n} of about {total} sessions so far)…",
                self.what
            );
            self.said = true;
        }
    }

    fn done(&self, n: usize) {
        if self.said || self.started.elapsed() > PROGRESS_AFTER {
            eprintln!(
                "viva: {} the review views from {n} session(s) in {:.1} s",
                match self.what {
                    "rebuilding" => "rebuilt",
                    _ => "refolded",
                },
                self.started.elapsed().as_secs_f64()
            );
        }
    }
}

/// What the views reflect, stored under `M`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ViewMeta {
    /// Format version ([`VIEWS_VERSION`] when written by this viva).
    pub version: u32,
    /// The viva that last wrote them.
    pub written_by: String,
    /// The log position they reflect.
    pub pos: u64,
    /// The newest session they reflect (a newer one in the log was written without them, e.g. by an older viva).
    pub last_session: Option<u64>,
    /// Fingerprint of the bank taxonomy the mastery and trend states were folded with.
    pub taxonomy: String,
    /// The newest answer folded into the mastery states.
    pub folded: Option<AnswerKey>,
    /// The mastery and trend states must be refolded from the log.
    pub refold: bool,
    /// Questions whose cards must be replayed from their attempts.
    pub dirty_cards: BTreeSet<String>,
    /// Graded answers.
    pub answers: u64,
    /// Sessions with at least one graded answer.
    pub sessions: u64,
    /// Records of the log that do not decode: (session, seq, reason).
    pub bad: Vec<(u64, u32, String)>,
}

/// What one session contributes, stored under `S` (to undo it when the session changes).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct SessionRec {
    /// Ledger keys, a hash of each record and its question.
    answers: Vec<(AnswerKey, u64, String)>,
    /// Attempt keys (question, time) and a hash of each record.
    attempts: Vec<(String, chrono::DateTime<chrono::Utc>, u64)>,
}

/// One session's events as read from the log, and its records that do not decode.
#[derive(Debug, Clone, Default)]
pub(crate) struct SessionLog {
    /// Session id.
    pub(crate) id: u64,
    /// Its events, in order.
    pub(crate) events: Vec<Event>,
    /// Its unreadable records.
    pub(crate) bad: Vec<BadRecord>,
}

/// An attempt as stored under `A` (question, time and session are in the key; its missed criteria are read from
/// its session when it is a card's last attempt).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct StoredAttempt {
    session: u64,
    score: u32,
    skipped_only: bool,
}

impl StoredAttempt {
    fn of(a: &AttemptRec) -> StoredAttempt {
        StoredAttempt {
            session: a.session,
            score: a.score,
            skipped_only: a.skipped_only,
        }
    }

    /// The attempt stored under key `k` (`A` question 0 time session) of question `q`.
    fn rec(&self, k: &[u8], q: &str) -> Option<AttemptRec> {
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

/// The views of an attached store: the taxonomy they follow and their meta (kept in step with the tree).
pub(crate) struct Attached {
    pub(crate) tax: Taxonomy,
    pub(crate) meta: ViewMeta,
}

/// How a rebuild or catch-up went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Synced {
    /// Rebuilt from the whole log.
    pub rebuilt: bool,
    /// Sessions caught up from the journal.
    pub caught_up: usize,
    /// Mastery and trend states refolded from the log.
    pub refolded: bool,
}

pub(crate) const META: &[u8] = b"M";

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
fn crit_key(q: &str, c: &str) -> Vec<u8> {
    prefixed(b'C', &[q.as_bytes(), c.as_bytes()])
}
fn concept_key(t: &str) -> Vec<u8> {
    prefixed(b'T', &[t.as_bytes()])
}
fn grid_key(a: &str, t: &str) -> Vec<u8> {
    prefixed(b'G', &[a.as_bytes(), t.as_bytes()])
}
fn attempt_prefix(q: &str) -> Vec<u8> {
    let mut k = prefixed(b'A', &[q.as_bytes()]);
    k.push(0);
    k
}
fn attempt_key(q: &str, at: &chrono::DateTime<chrono::Utc>, session: u64) -> Vec<u8> {
    let mut k = attempt_prefix(q);
    k.extend_from_slice(&time_bytes(at));
    k.extend_from_slice(&session.to_be_bytes());
    k
}
fn card_key(q: &str) -> Vec<u8> {
    prefixed(b'D', &[q.as_bytes()])
}
/// Trend points are kept in buckets, one record per area and calendar month of the points' first answers (a
/// report reads every point: a few hundred records for years of history, not one per session).
fn trend_bucket(area: &str, first: &AnswerKey) -> Vec<u8> {
    use chrono::Datelike;
    let month = first.at.year() as i64 * 12 + first.at.month0() as i64;
    prefixed(
        b'R',
        &[area.as_bytes(), &((month as u64) ^ (1 << 63)).to_be_bytes()],
    )
}

/// A bucket's points: (first answer, sum, n), 36 bytes each, by first answer.
type Bucket = BTreeMap<AnswerKey, (u32, u32)>;

fn encode_bucket(b: &Bucket) -> Vec<u8> {
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
pub(crate) fn trend_points_of(k: &[u8], v: &[u8]) -> Option<Vec<TrendRec>> {
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
struct Buckets(HashMap<Vec<u8>, Bucket>);

impl Buckets {
    fn get(&mut self, st: &Store, key: Vec<u8>) -> Result<&mut Bucket, StoreError> {
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

    fn write(self, batch: &mut sled::Batch) {
        for (k, b) in self.0 {
            if b.is_empty() {
                batch.remove(k);
            } else {
                batch.insert(k, encode_bucket(&b));
            }
        }
    }
}

fn session_key(s: u64) -> Vec<u8> {
    prefixed(b'S', &[&s.to_be_bytes()])
}

/// FNV-1a: a stable 64-bit hash of a record's bytes (to see which records of a session changed).
fn hash(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, x| {
        (h ^ *x as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Whether an event can change a view (the rest only bring the context these read).
pub(crate) fn changes_views(e: &Event) -> bool {
    matches!(
        e.kind,
        EventKind::Graded { .. } | EventKind::Regraded { .. } | EventKind::Skipped { .. }
    )
}

impl Store {
    fn disp(&self) -> String {
        self.path.display().to_string()
    }

    fn enc<T: Serialize>(&self, v: &T) -> Result<Vec<u8>, StoreError> {
        serde_json::to_vec(v).map_err(|e| StoreError::Other(self.disp(), e.to_string()))
    }

    /// Read one view record; a record that does not decode is an error the caller answers with a rebuild.
    fn view_get<T: for<'de> Deserialize<'de>>(&self, k: &[u8]) -> Result<Option<T>, StoreError> {
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

    /// One session's events in order and the records that do not decode (each warned about once).
    pub(crate) fn session_log(&self, id: u64) -> Result<SessionLog, StoreError> {
        let (events, bad) = self.session_events(id)?;
        Ok(SessionLog { id, events, bad })
    }

    /// One session's events in order and the records that do not decode (each warned about once).
    pub(crate) fn session_events(
        &self,
        id: u64,
    ) -> Result<(Vec<Event>, Vec<BadRecord>), StoreError> {
        let mut evs = Vec::new();
        let mut bad = Vec::new();
        for r in self.events.scan_prefix(id.to_be_bytes()) {
            let (k, v) = r.map_err(|e| map_err(&self.disp(), e))?;
            match decode_event(&k, &v) {
                Ok(e) => evs.push(e),
                Err(b) => {
                    self.decode(&k, &v);
                    bad.push(b);
                }
            }
        }
        Ok((evs, bad))
    }

    /// Work out how the views change when one session's log is `log`: writes go into `batch`, counters and
    /// flags into `meta`. With `defer`, the mastery states are left for a
    /// refold and the cards for a replay ([`Store::finish_views`]); without it, answers newer than everything
    /// folded so far are folded in at once and touched cards replayed (an interview turn).
    pub(crate) fn plan_session(
        &self,
        tax: &Taxonomy,
        meta: &mut ViewMeta,
        batch: &mut sled::Batch,
        log: &SessionLog,
        defer: bool,
    ) -> Result<Vec<AnswerRec>, StoreError> {
        let (session, bad) = (log.id, &log.bad);
        let old: SessionRec = self.view_get(&session_key(session))?.unwrap_or_default();
        let (answers, attempts) = session_records(&log.events);
        let mut new = SessionRec::default();
        // Answers: one whose hash differs from the one stored is new or changed (a regrade).
        let old_by: HashMap<AnswerKey, u64> =
            old.answers.iter().map(|(k, h, _)| (*k, *h)).collect();
        let mut added: Vec<&AnswerRec> = Vec::new();
        let mut new_by: HashMap<AnswerKey, u64> = HashMap::new();
        for a in &answers {
            // The hash covers the whole record: a regrade that only changes evidence is a change.
            let h = hash(&self.enc(a)?);
            if old_by.get(&a.key) != Some(&h) {
                added.push(a);
            }
            new_by.insert(a.key, h);
            new.answers.push((a.key, h, a.question.clone()));
        }
        let mut changed_old = false;
        for (k, h, _) in &old.answers {
            match new_by.get(k) {
                None => changed_old = true,
                Some(nh) if nh != h => changed_old = true,
                Some(_) => {}
            }
        }
        let pushable = !defer
            && !meta.refold
            && !changed_old
            && added
                .iter()
                .all(|a| meta.folded.map_or(true, |f| a.key > f));
        if pushable && !added.is_empty() {
            let mut f = MasteryFold::default();
            // Only the states these answers touch are read.
            use std::collections::btree_map::Entry::Vacant;
            for a in &added {
                let (cs, ts, gs) = MasteryFold::touched(a, tax);
                for qc in cs {
                    if let Vacant(e) = f.criteria.entry(qc) {
                        let (q, c) = e.key();
                        if let Some(s) = self.view_get(&crit_key(q, c))? {
                            e.insert(s);
                        }
                    }
                }
                for t in ts {
                    if let Vacant(e) = f.concepts.entry(t) {
                        if let Some(s) = self.view_get(&concept_key(e.key()))? {
                            e.insert(s);
                        }
                    }
                }
                for at in gs {
                    if let Vacant(e) = f.grid.entry(at) {
                        let (ar, t) = e.key();
                        if let Some((_, _, s)) =
                            self.view_get::<(String, String, crate::review::mastery::Ewma)>(
                                &grid_key(ar, t),
                            )?
                        {
                            e.insert(s);
                        }
                    }
                }
            }
            for a in &added {
                f.push(a, tax);
                meta.folded = Some(a.key);
            }
            self.put_fold(batch, &f)?;
        } else if changed_old || !added.is_empty() {
            meta.refold = true;
        }
        // Trend points: this session's sums per area, exact whatever the order.
        if !meta.refold {
            let mut buckets = Buckets::default();
            let mut old_tf = TrendFold::default();
            for (k, _, q) in &old.answers {
                old_tf.push(&stub(*k, q), tax);
            }
            for p in old_tf.points.values() {
                buckets
                    .get(self, trend_bucket(&p.area, &p.first))?
                    .remove(&p.first);
            }
            let mut tf = TrendFold::default();
            for a in &answers {
                tf.push(a, tax);
            }
            for p in tf.points.values() {
                buckets
                    .get(self, trend_bucket(&p.area, &p.first))?
                    .insert(p.first, (p.sum, p.n));
            }
            buckets.write(batch);
        }
        // Attempts (stored without their missed criteria), and the cards they replay.
        let mut touched: BTreeSet<String> = BTreeSet::new();
        let mut fresh: HashMap<Vec<u8>, &AttemptRec> = HashMap::new();
        for a in &attempts {
            let h = hash(&self.enc(a)?);
            let k = attempt_key(&a.question, &a.at, a.session);
            if !old
                .attempts
                .iter()
                .any(|(q, at, oh)| q == &a.question && at == &a.at && *oh == h)
            {
                batch.insert(k.clone(), self.enc(&StoredAttempt::of(a))?);
                touched.insert(a.question.clone());
            }
            fresh.insert(k, a);
            new.attempts.push((a.question.clone(), a.at, h));
        }
        let mut gone: HashSet<Vec<u8>> = HashSet::new();
        for (q, at, _) in &old.attempts {
            let k = attempt_key(q, at, session);
            if !fresh.contains_key(&k) {
                batch.remove(k.clone());
                gone.insert(k);
                touched.insert(q.clone());
            }
        }
        if defer {
            meta.dirty_cards.extend(touched);
        } else {
            for q in touched {
                let mut all = self.stored_attempts(&q, &gone)?;
                for (k, a) in &fresh {
                    if a.question == q {
                        all.insert(k.clone(), ((*a).clone(), true));
                    }
                }
                match self.card_of(all)? {
                    Some(c) => batch.insert(card_key(&q), self.enc(&c)?),
                    None => batch.remove(card_key(&q)),
                }
            }
        }
        // Counts, unreadable records, the session's own record.
        meta.answers =
            (meta.answers + answers.len() as u64).saturating_sub(old.answers.len() as u64);
        meta.sessions = (meta.sessions + (!answers.is_empty()) as u64)
            .saturating_sub((!old.answers.is_empty()) as u64);
        meta.bad.retain(|(s, _, _)| *s != session);
        meta.bad
            .extend(bad.iter().map(|b| (b.session, b.seq, b.reason.clone())));
        if new.answers.is_empty() && new.attempts.is_empty() {
            batch.remove(session_key(session));
        } else {
            batch.insert(session_key(session), self.enc(&new)?);
        }
        Ok(answers)
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

    /// Replay a question's attempts (by key; `true` marks a full record) into its card. The card shows the last
    /// attempt's missed criteria: read from its session when that attempt came from the store.
    fn card_of(
        &self,
        all: BTreeMap<Vec<u8>, (AttemptRec, bool)>,
    ) -> Result<Option<CardCore>, StoreError> {
        let Some(mut card) = schedule::replay(all.values().map(|(a, _)| a)) else {
            return Ok(None);
        };
        if let Some((last, false)) = all.values().last() {
            let (evs, _) = self.session_events(last.session)?;
            let found = session_records(&evs)
                .1
                .into_iter()
                .find(|a| a.question == last.question && a.at == last.at);
            match found {
                Some(a) => card.missed = a.missed,
                None => {
                    return Err(StoreError::Decode(
                        self.disp(),
                        "view record: an attempt the log does not have".into(),
                    ))
                }
            }
        }
        Ok(Some(card))
    }

    /// Write a fold's states into a batch.
    fn put_fold(&self, batch: &mut sled::Batch, f: &MasteryFold) -> Result<(), StoreError> {
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
    fn clear_prefixes(&self, batch: &mut sled::Batch, prefixes: &[u8]) -> Result<(), StoreError> {
        for p in prefixes {
            for k in self.views.scan_prefix([*p]).keys() {
                batch.remove(k.map_err(|e| map_err(&self.disp(), e))?);
            }
        }
        Ok(())
    }

    /// Put the texts back into a fold over slim records, from the sessions of the first and last observations.
    fn fill_texts(&self, f: &mut MasteryFold, tax: &Taxonomy) -> Result<(), StoreError> {
        let keys = f.text_keys();
        let mut sessions: Vec<u64> = keys.iter().map(|k| k.session).collect();
        sessions.sort_unstable();
        sessions.dedup();
        let mut full: HashMap<AnswerKey, AnswerRec> = HashMap::new();
        for s in sessions {
            let (evs, _) = self.session_events(s)?;
            for a in session_records(&evs).0 {
                if keys.binary_search(&a.key).is_ok() {
                    full.insert(a.key, a);
                }
            }
        }
        if f.fill_texts(&full, tax) {
            Ok(())
        } else {
            // An answer folded moments ago is gone from the log: the views are rebuilt.
            Err(StoreError::Decode(
                self.disp(),
                "view record: the folds and the log differ".into(),
            ))
        }
    }

    /// Every graded answer of the log as a slim record (without its texts), oldest first: what a refold folds.
    /// One pass over the log, a session at a time.
    fn slim_answers(&self) -> Result<Vec<AnswerRec>, StoreError> {
        let d = self.disp();
        let mut progress = Progress::new("refolding");
        let total = self.sessions.len();
        let mut out = Vec::new();
        let mut cur: Option<u64> = None;
        let mut evs: Vec<Event> = Vec::new();
        let mut n = 0;
        for r in self.events.iter() {
            let (k, v) = r.map_err(|e| map_err(&d, e))?;
            let (id, _) = super::split_key(&k);
            if cur != Some(id) {
                out.extend(session_records(&evs).0.iter().map(AnswerRec::slim));
                evs.clear();
                cur = Some(id);
                n += 1;
                progress.tick(n, total);
            }
            evs.extend(self.decode(&k, &v));
        }
        out.extend(session_records(&evs).0.iter().map(AnswerRec::slim));
        out.sort_by_key(|a| a.key);
        progress.done(n);
        Ok(out)
    }

    /// Do what [`Store::plan_session`] deferred: refold the mastery and trend states (from `slim`, the log's
    /// answers when the caller has them, else from the log) and replay the dirty cards. Written in one batch
    /// with the meta.
    pub(crate) fn finish_views(
        &self,
        tax: &Taxonomy,
        meta: &mut ViewMeta,
        slim: Option<Vec<AnswerRec>>,
    ) -> Result<bool, StoreError> {
        let d = self.disp();
        let mut batch = sled::Batch::default();
        let refold = meta.refold || meta.taxonomy != tax.fingerprint();
        if refold {
            let answers = match slim {
                Some(v) => v,
                None => self.slim_answers()?,
            };
            let mut f = MasteryFold::default();
            let mut tf = TrendFold::default();
            meta.folded = None;
            for a in &answers {
                f.push(a, tax);
                tf.push(a, tax);
                meta.folded = Some(a.key);
            }
            drop(answers);
            self.fill_texts(&mut f, tax)?;
            self.clear_prefixes(&mut batch, b"CTGR")?;
            self.put_fold(&mut batch, &f)?;
            let mut buckets: HashMap<Vec<u8>, Bucket> = HashMap::new();
            for p in tf.points.values() {
                buckets
                    .entry(trend_bucket(&p.area, &p.first))
                    .or_default()
                    .insert(p.first, (p.sum, p.n));
            }
            for (k, b) in buckets {
                batch.insert(k, encode_bucket(&b));
            }
            meta.refold = false;
            meta.taxonomy = tax.fingerprint().to_string();
        }
        for q in std::mem::take(&mut meta.dirty_cards) {
            match self.card_of(self.stored_attempts(&q, &HashSet::new())?)? {
                Some(c) => batch.insert(card_key(&q), self.enc(&c)?),
                None => batch.remove(card_key(&q)),
            }
        }
        batch.insert(META, self.enc(meta)?);
        self.views.apply_batch(batch).map_err(|e| map_err(&d, e))?;
        Ok(refold)
    }

    /// Rebuild every view from the log, one session at a time (memory stays flat), saying so on stderr when it
    /// takes more than a second. Returns the number of sessions read.
    pub(crate) fn rebuild_views_with(
        &self,
        tax: &Taxonomy,
    ) -> Result<(ViewMeta, usize), StoreError> {
        let d = self.disp();
        let mut progress = Progress::new("rebuilding");
        let total = self.sessions.len();
        self.views.clear().map_err(|e| map_err(&d, e))?;
        let log_pos = self.log_pos()?;
        let mut meta = ViewMeta {
            version: VIEWS_VERSION,
            written_by: env!("CARGO_PKG_VERSION").to_string(),
            pos: log_pos,
            taxonomy: tax.fingerprint().to_string(),
            refold: true,
            ..Default::default()
        };
        let mut batch = sled::Batch::default();
        let mut pending = 0usize;
        let mut n = 0usize;
        let mut cur: Option<u64> = None;
        let mut evs: Vec<Event> = Vec::new();
        let mut bad: Vec<BadRecord> = Vec::new();
        let mut slim: Vec<AnswerRec> = Vec::new();
        let mut flush_session = |this: &Store,
                                 meta: &mut ViewMeta,
                                 batch: &mut sled::Batch,
                                 id: u64,
                                 evs: &mut Vec<Event>,
                                 bad: &mut Vec<BadRecord>|
         -> Result<(), StoreError> {
            let log = SessionLog {
                id,
                events: std::mem::take(evs),
                bad: std::mem::take(bad),
            };
            let answers = this.plan_session(tax, meta, batch, &log, true)?;
            slim.extend(answers.iter().map(AnswerRec::slim));
            Ok(())
        };
        for r in self.events.iter() {
            let (k, v) = r.map_err(|e| map_err(&d, e))?;
            let (id, _) = super::split_key(&k);
            if cur != Some(id) {
                if let Some(prev) = cur {
                    flush_session(self, &mut meta, &mut batch, prev, &mut evs, &mut bad)?;
                    n += 1;
                    pending += 1;
                    if pending >= 200 {
                        // Keep the pending batch small: memory stays flat however long the history.
                        self.views
                            .apply_batch(std::mem::take(&mut batch))
                            .map_err(|e| map_err(&d, e))?;
                        pending = 0;
                    }
                    progress.tick(n, total);
                }
                cur = Some(id);
            }
            match decode_event(&k, &v) {
                Ok(e) => evs.push(e),
                Err(b) => {
                    self.decode(&k, &v);
                    bad.push(b);
                }
            }
        }
        if let Some(prev) = cur {
            flush_session(self, &mut meta, &mut batch, prev, &mut evs, &mut bad)?;
            n += 1;
        }
        self.views.apply_batch(batch).map_err(|e| map_err(&d, e))?;
        meta.last_session = self.last_session()?;
        slim.sort_by_key(|a| a.key);
        self.finish_views(tax, &mut meta, Some(slim))?;
        // The journal is covered now.
        self.journal.clear().map_err(|e| map_err(&d, e))?;
        progress.done(n);
        Ok((meta, n))
    }

    /// The views' stored meta (None when missing or unreadable) and the log position, without attaching.
    pub fn views_status(&self) -> Result<(Option<ViewMeta>, u64), StoreError> {
        let meta = self.view_get(META).unwrap_or(None);
        Ok((meta, self.log_pos()?))
    }

    /// The newest session in the log.
    pub(crate) fn last_session(&self) -> Result<Option<u64>, StoreError> {
        Ok(self
            .events
            .last()
            .map_err(|e| map_err(&self.disp(), e))?
            .map(|(k, _)| super::split_key(&k).0))
    }

    /// Bring the views in line with the log for `tax`: rebuild, catch up from the journal, refold.
    pub(crate) fn sync_views(&self, tax: &Taxonomy) -> Result<(ViewMeta, Synced), StoreError> {
        let d = self.disp();
        let mut done = Synced::default();
        let meta: Option<ViewMeta> = match self.view_get(META) {
            Ok(m) => m,
            Err(StoreError::Decode(..)) => None,
            Err(e) => return Err(e),
        };
        let log_pos = self.log_pos()?;
        let last = self.last_session()?;
        let stored = match meta {
            Some(m) if m.version == VIEWS_VERSION && m.pos <= log_pos && m.last_session <= last => {
                m
            }
            _ => return self.rebuild(tax),
        };
        let mut meta = stored.clone();
        if meta.taxonomy != tax.fingerprint() {
            // Areas and tags changed: the mastery and trend states are refolded from the log.
            meta.refold = true;
        }
        // Sessions written since: the journal, and sessions past the last event the views saw (an older viva).
        let mut todo: BTreeSet<u64> = BTreeSet::new();
        if meta.pos < log_pos {
            let mut covered = 0u64;
            for r in self
                .journal
                .range((meta.pos + 1).to_be_bytes()..=log_pos.to_be_bytes())
            {
                let (_, v) = r.map_err(|e| map_err(&d, e))?;
                todo.insert(u64::from_be_bytes(v.as_ref().try_into().unwrap_or([0; 8])));
                covered += 1;
            }
            if covered != log_pos - meta.pos {
                return self.rebuild(tax);
            }
        }
        if last > meta.last_session {
            // Session by session (seeking past each): only the newer sessions are read.
            let mut from = meta.last_session.map_or(0, |s| s.saturating_add(1));
            while let Some(r) = self.events.range(super::key(from, 0)..).next() {
                let (k, _) = r.map_err(|e| map_err(&d, e))?;
                let (s, _) = super::split_key(&k);
                todo.insert(s);
                if s == u64::MAX {
                    break;
                }
                from = s + 1;
            }
        }
        for &s in &todo {
            let log = self.session_log(s)?;
            let mut batch = sled::Batch::default();
            match self.plan_session(tax, &mut meta, &mut batch, &log, true) {
                Ok(_) => {}
                Err(StoreError::Decode(..)) => return self.rebuild(tax),
                Err(e) => return Err(e),
            }
            batch.insert(META, self.enc(&meta)?);
            self.views.apply_batch(batch).map_err(|e| map_err(&d, e))?;
        }
        done.caught_up = todo.len();
        meta.pos = log_pos;
        meta.last_session = last;
        if meta.refold || !meta.dirty_cards.is_empty() {
            match self.finish_views(tax, &mut meta, None) {
                Ok(r) => done.refolded = r,
                Err(StoreError::Decode(..)) => return self.rebuild(tax),
                Err(e) => return Err(e),
            }
        } else if meta != stored {
            self.views
                .insert(META, self.enc(&meta)?)
                .map_err(|e| map_err(&d, e))?;
        }
        // Journal entries now reflected.
        if !self.journal.is_empty() {
            let mut jb = sled::Batch::default();
            for k in self.journal.range(..=log_pos.to_be_bytes()).keys() {
                jb.remove(k.map_err(|e| map_err(&d, e))?);
            }
            self.journal.apply_batch(jb).map_err(|e| map_err(&d, e))?;
        }
        Ok((meta, done))
    }

    fn rebuild(&self, tax: &Taxonomy) -> Result<(ViewMeta, Synced), StoreError> {
        let (meta, _) = self.rebuild_views_with(tax)?;
        Ok((
            meta,
            Synced {
                rebuilt: true,
                ..Default::default()
            },
        ))
    }
}

/// An answer record with only what the trend fold reads of it (key, question).
fn stub(key: AnswerKey, question: &str) -> AnswerRec {
    AnswerRec {
        key,
        question: question.to_string(),
        stage: String::new(),
        answer: String::new(),
        score: 0,
        criteria: vec![],
    }
}
