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
//!
//! This file holds what the views reflect and how they are brought in line with the log when a command attaches
//! them; `records` holds the layout of the tree, `plan` how one session's log changes it, `rebuild` the refold and
//! the rebuild from the whole log, and `read` what the commands read of it.

mod plan;
mod read;
mod rebuild;
mod records;

use super::read::decode_event;
use super::{map_err, split_key, BadRecord, Event, EventKind, Store, StoreError};
use crate::review::fold::{AnswerKey, Taxonomy};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Format version of the views; a store whose views carry another version rebuilds them from the log.
pub const VIEWS_VERSION: u32 = 1;

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

/// Key of the meta record.
pub(crate) const META: &[u8] = b"M";

/// Whether an event can change a view (the rest only bring the context these read).
pub(crate) fn changes_views(e: &Event) -> bool {
    matches!(
        e.kind,
        EventKind::Graded { .. } | EventKind::Regraded { .. } | EventKind::Skipped { .. }
    )
}

impl Store {
    /// One session as the views read it: its events in order and its records that do not decode.
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

    /// Attach the review views for this bank: bring them up to date with the log (catching up, refolding or
    /// rebuilding as needed), warn about unreadable records they know of, and keep them current on every write
    /// from now on. The commands that read or change the review state call this first.
    pub fn attach_views(&self, bank: &crate::bank::Bank) -> Result<Synced, StoreError> {
        let tax = Taxonomy::of(bank);
        let (meta, done) = self.sync_views(&tax)?;
        for (s, q, reason) in &meta.bad {
            self.warn_bad(&BadRecord {
                session: *s,
                seq: *q,
                reason: reason.clone(),
            });
        }
        *self.attached.lock().unwrap_or_else(|e| e.into_inner()) = Some(Attached { tax, meta });
        Ok(done)
    }

    /// Rebuild the review views from the whole log (`viva repair --views`); they stay attached. Returns the
    /// number of sessions read.
    pub fn rebuild_views(&self, bank: &crate::bank::Bank) -> Result<usize, StoreError> {
        let tax = Taxonomy::of(bank);
        let (meta, n) = self.rebuild_views_with(&tax)?;
        *self.attached.lock().unwrap_or_else(|e| e.into_inner()) = Some(Attached { tax, meta });
        Ok(n)
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
            .map(|(k, _)| split_key(&k).0))
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
        let Some(todo) = self.sessions_written_since(&meta, log_pos, last)? else {
            return self.rebuild(tax);
        };
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
        self.clear_journal(log_pos)?;
        Ok((meta, done))
    }

    /// The sessions written since the views last saw the log: those the journal names after the views' position,
    /// and those past the newest session they reflect (written by an older viva). None when the journal does not
    /// cover every write since (the views must be rebuilt).
    fn sessions_written_since(
        &self,
        meta: &ViewMeta,
        log_pos: u64,
        last: Option<u64>,
    ) -> Result<Option<BTreeSet<u64>>, StoreError> {
        let d = self.disp();
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
                return Ok(None);
            }
        }
        if last > meta.last_session {
            // Session by session (seeking past each): only the newer sessions are read.
            let mut from = meta.last_session.map_or(0, |s| s.saturating_add(1));
            while let Some(r) = self.events.range(super::key(from, 0)..).next() {
                let (k, _) = r.map_err(|e| map_err(&d, e))?;
                let (s, _) = split_key(&k);
                todo.insert(s);
                if s == u64::MAX {
                    break;
                }
                from = s + 1;
            }
        }
        Ok(Some(todo))
    }

    /// Remove the journal entries up to `log_pos` (the views reflect them now).
    fn clear_journal(&self, log_pos: u64) -> Result<(), StoreError> {
        if !self.journal.is_empty() {
            let d = self.disp();
            let mut jb = sled::Batch::default();
            for k in self.journal.range(..=log_pos.to_be_bytes()).keys() {
                jb.remove(k.map_err(|e| map_err(&d, e))?);
            }
            self.journal.apply_batch(jb).map_err(|e| map_err(&d, e))?;
        }
        Ok(())
    }

    /// Rebuild the views from the whole log, as a sync that rebuilt.
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
