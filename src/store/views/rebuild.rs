//! Work over the whole log: the refold of the mastery and trend states (after an out-of-order change or a new
//! taxonomy), the replay of dirty cards, and the rebuild of every view, a session at a time, saying so on stderr
//! when it takes long.

use super::records::{card_key, encode_bucket, trend_bucket, Bucket};
use super::{SessionLog, ViewMeta, META, VIEWS_VERSION};
use crate::review::fold::{session_records, AnswerKey, AnswerRec, Taxonomy};
use crate::review::mastery::MasteryFold;
use crate::review::report::TrendFold;
use crate::store::read::decode_event;
use crate::store::{map_err, split_key, BadRecord, Event, Store, StoreError};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

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

impl Store {
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
            let (id, _) = split_key(&k);
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
            let (id, _) = split_key(&k);
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
}
