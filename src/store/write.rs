//! The write path: appending events and importing sessions. Each session's events, its summary, the next log
//! position and either the review views' update or a journal entry go in as one sled transaction.

use super::views::{self, SessionLog};
use super::{fmt_id, key, map_err, Event, ImportCounts, SessionSummary, Store, StoreError};
use sled::transaction::TransactionError;

/// Key of the log position in `log_meta`.
const LOG_POS: &[u8] = b"pos";

impl Store {
    /// Append one event and update the summary view, and the review views when they are attached (in the same
    /// sled transaction); otherwise the write is journalled for the views to catch up on.
    pub fn append(&self, ev: &Event) -> Result<(), StoreError> {
        self.append_all(std::slice::from_ref(ev))
    }

    /// Append events (of one session or several): each session's events, its summary, the log position and the
    /// views' update go in as one sled transaction.
    pub fn append_all(&self, evs: &[Event]) -> Result<(), StoreError> {
        let mut by: std::collections::BTreeMap<u64, Vec<&Event>> = Default::default();
        for e in evs {
            by.entry(e.session).or_default().push(e);
        }
        for (id, list) in by {
            self.append_session(id, &list)?;
        }
        self.finish_pending()
    }

    /// Append one session's events with its summary: plainly when none can change a view, else as one
    /// transaction with the views' update or a journal entry ([`Store::commit_session`]).
    fn append_session(&self, id: u64, evs: &[&Event]) -> Result<(), StoreError> {
        let d = self.path.display().to_string();
        let mut rows = Vec::new();
        for ev in evs {
            let bytes =
                serde_json::to_vec(ev).map_err(|e| StoreError::Other(d.clone(), e.to_string()))?;
            rows.push((key(ev.session, ev.seq), bytes));
        }
        let mut sum = match self.summary(id) {
            Ok(found) => found.unwrap_or_else(|| SessionSummary::new(id)),
            // A damaged summary is a view: rebuild it from the log (the new events are applied below).
            Err(StoreError::Decode(..)) => self.summary_from_log(id)?,
            Err(e) => return Err(e),
        };
        for ev in evs {
            sum.apply(ev);
        }
        let sb =
            serde_json::to_vec(&sum).map_err(|e| StoreError::Other(d.clone(), e.to_string()))?;
        if !evs.iter().any(|e| views::changes_views(e)) {
            // Nothing the views read (a question asked, an answer before its grade, the end): the log and the
            // summary only, as always.
            for (k, b) in rows {
                self.events.insert(k, b).map_err(|e| map_err(&d, e))?;
            }
            self.sessions
                .insert(id.to_be_bytes(), sb)
                .map_err(|e| map_err(&d, e))?;
            return Ok(());
        }
        let mut batch = sled::Batch::default();
        for (k, b) in rows {
            batch.insert(&k[..], b);
        }
        let last = evs.iter().map(|e| (e.session, e.seq)).max();
        // The session as it will be, for the views.
        let session = |this: &Store| -> Result<Option<SessionLog>, StoreError> {
            let mut log = this.session_log(id)?;
            for ev in evs {
                log.events.retain(|x| x.seq != ev.seq);
                log.events.push((*ev).clone());
            }
            log.events.sort_by_key(|e| e.seq);
            Ok(Some(log))
        };
        self.commit_session(id, &batch, &sb, last, &session, false)
    }

    /// Write one session's event records and summary, the next log position, and either the views' update (when
    /// attached and current: `session` gives the session's events as they will be) or a journal entry, as one
    /// sled transaction. `defer` leaves the mastery refold and card replays for [`Store::finish_pending`].
    fn commit_session(
        &self,
        id: u64,
        batch: &sled::Batch,
        summary: &[u8],
        last: Option<(u64, u32)>,
        session: &dyn Fn(&Store) -> Result<Option<SessionLog>, StoreError>,
        defer: bool,
    ) -> Result<(), StoreError> {
        use sled::transaction::{ConflictableTransactionError, Transactional};
        let d = self.path.display().to_string();
        let pos = self.log_pos()? + 1;
        let mut guard = self.attached.lock().unwrap_or_else(|e| e.into_inner());
        let plan = match guard.as_ref() {
            Some(a) if a.meta.pos + 1 == pos => {
                let mut meta = a.meta.clone();
                let mut vb = sled::Batch::default();
                let planned = match session(self)? {
                    Some(log) => self
                        .plan_session(&a.tax, &mut meta, &mut vb, &log, defer)
                        .map(|_| ()),
                    None => Ok(()),
                };
                match planned {
                    Ok(()) => {
                        meta.pos = pos;
                        meta.last_session = meta.last_session.max(last.map(|l| l.0));
                        let mb = serde_json::to_vec(&meta)
                            .map_err(|e| StoreError::Other(d.clone(), e.to_string()))?;
                        vb.insert(views::META, mb);
                        Some((meta, vb))
                    }
                    // A view record that does not read: journal the write; the next attach rebuilds.
                    Err(StoreError::Decode(..)) => None,
                    Err(e) => return Err(e),
                }
            }
            _ => None,
        };
        let res = match &plan {
            Some((_, vb)) => (&self.events, &self.sessions, &self.log_meta, &self.views)
                .transaction(|(ev, se, lm, vw)| {
                    ev.apply_batch(batch)?;
                    se.insert(&id.to_be_bytes(), summary)?;
                    lm.insert(LOG_POS, &pos.to_be_bytes())?;
                    vw.apply_batch(vb)?;
                    Ok::<(), ConflictableTransactionError<()>>(())
                }),
            None => (&self.events, &self.sessions, &self.log_meta, &self.journal).transaction(
                |(ev, se, lm, jo)| {
                    ev.apply_batch(batch)?;
                    se.insert(&id.to_be_bytes(), summary)?;
                    lm.insert(LOG_POS, &pos.to_be_bytes())?;
                    jo.insert(&pos.to_be_bytes(), &id.to_be_bytes())?;
                    Ok::<(), ConflictableTransactionError<()>>(())
                },
            ),
        };
        res.map_err(|e| transaction_err(&d, e))?;
        match (plan, guard.as_mut()) {
            (Some((meta, _)), Some(a)) => a.meta = meta,
            // Journalled while attached: the views are behind until the next attach catches them up.
            (None, Some(_)) => *guard = None,
            _ => {}
        }
        Ok(())
    }

    /// The log position: how many writes that can change the views the log has had (0 for a store from before
    /// positions).
    pub(crate) fn log_pos(&self) -> Result<u64, StoreError> {
        let d = self.path.display().to_string();
        Ok(self
            .log_meta
            .get(LOG_POS)
            .map_err(|e| map_err(&d, e))?
            .and_then(|v| v.as_ref().try_into().ok().map(u64::from_be_bytes))
            .unwrap_or(0))
    }

    /// Record writes to the log that the views do not reflect (the sessions are caught up on the next attach).
    pub(super) fn journal_sessions(&self, ids: &[u64]) -> Result<(), StoreError> {
        let d = self.path.display().to_string();
        let mut pos = self.log_pos()?;
        let mut jb = sled::Batch::default();
        for id in ids {
            pos += 1;
            jb.insert(&pos.to_be_bytes(), &id.to_be_bytes());
        }
        use sled::transaction::{ConflictableTransactionError, Transactional};
        (&self.log_meta, &self.journal)
            .transaction(|(lm, jo)| {
                jo.apply_batch(&jb)?;
                lm.insert(LOG_POS, &pos.to_be_bytes())?;
                Ok::<(), ConflictableTransactionError<()>>(())
            })
            .map_err(|e| transaction_err(&d, e))
    }

    /// Do deferred view work (a refold after an out-of-order change, cards to replay).
    fn finish_pending(&self) -> Result<(), StoreError> {
        let mut guard = self.attached.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(a) = guard.as_mut() {
            if a.meta.refold || !a.meta.dirty_cards.is_empty() {
                let mut meta = a.meta.clone();
                self.finish_views(&a.tax, &mut meta, None)?;
                a.meta = meta;
            }
        }
        Ok(())
    }

    /// Store raw bytes under an event key, bypassing every check and the views (tests use it to plant a damaged
    /// record, or an event whose view update never happened, as after a kill between the two). The write is
    /// journalled, so the views catch up on the next attach.
    #[doc(hidden)]
    pub fn put_raw(&self, session: u64, seq: u32, bytes: &[u8]) -> Result<(), StoreError> {
        let d = self.path.display().to_string();
        self.events
            .insert(key(session, seq), bytes)
            .map_err(|e| map_err(&d, e))?;
        self.journal_sessions(&[session])?;
        Ok(())
    }

    /// Import whole sessions. A session already stored identically is skipped; one whose stored events are a
    /// prefix of the imported ones (an import that was killed) is completed; any other difference is refused
    /// before anything is written. Each session's events and its summary go in as one sled transaction, so a
    /// killed import leaves every session either whole or absent. Returns what was done.
    pub fn import(&self, events: Vec<Event>) -> Result<ImportCounts, StoreError> {
        let mut by: std::collections::BTreeMap<u64, Vec<Event>> = Default::default();
        for e in events {
            by.entry(e.session).or_default().push(e);
        }
        let mut todo = Vec::new();
        let mut counts = ImportCounts::default();
        for (id, mut evs) in by {
            evs.sort_by_key(|e| e.seq);
            let existing = self.events(id)?;
            if existing.is_empty() {
                counts.imported += 1;
                todo.push((id, evs, 0));
            } else if existing == evs {
                counts.skipped += 1;
            } else if existing.len() < evs.len() && existing[..] == evs[..existing.len()] {
                counts.completed += 1;
                let n = existing.len();
                todo.push((id, evs, n));
            } else {
                return Err(StoreError::Conflict(fmt_id(id)));
            }
        }
        for (id, evs, from) in &todo {
            self.write_session(*id, evs, *from)?;
        }
        self.finish_pending()?;
        self.flush()?;
        Ok(counts)
    }

    /// Write `evs[from..]` of one session and its summary (computed from all of `evs`) atomically, with the
    /// views' update when they are attached (the mastery refold and card replays are deferred to the end of the
    /// import), else a journal entry.
    fn write_session(&self, id: u64, evs: &[Event], from: usize) -> Result<(), StoreError> {
        let d = self.path.display().to_string();
        let mut batch = sled::Batch::default();
        let mut sum = SessionSummary::new(id);
        for (i, e) in evs.iter().enumerate() {
            sum.apply(e);
            if i >= from {
                let bytes = serde_json::to_vec(e)
                    .map_err(|e| StoreError::Other(d.clone(), e.to_string()))?;
                batch.insert(&key(e.session, e.seq), bytes);
            }
        }
        let sb =
            serde_json::to_vec(&sum).map_err(|e| StoreError::Other(d.clone(), e.to_string()))?;
        let last = evs.iter().map(|e| (e.session, e.seq)).max();
        let session = |_: &Store| {
            Ok(Some(SessionLog {
                id,
                events: evs.to_vec(),
                bad: Vec::new(),
            }))
        };
        self.commit_session(id, &batch, &sb, last, &session, true)
    }
}

/// The store error of a failed sled transaction.
fn transaction_err(d: &str, e: TransactionError<()>) -> StoreError {
    match e {
        TransactionError::Storage(e) => map_err(d, e),
        TransactionError::Abort(()) => StoreError::Other(d.to_string(), "write aborted".into()),
    }
}
