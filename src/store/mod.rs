//! The sled store: an append-only log of session events plus rebuildable views (the session summaries, and the
//! review views of [`views`]).

pub use crate::session::event;
pub mod views;
mod views_read;

pub use crate::session::event::{
    fmt_id, Event, EventKind, SessionKind, SessionSummary, SCHEMA_VERSION,
};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Key of the log position in `log_meta`.
const LOG_POS: &[u8] = b"pos";

/// Store errors.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the store.
    #[error("the store at {0} is in use by another viva process; finish that session or use --store DIR")]
    Locked(String),
    /// sled reported corruption.
    #[error("the store at {0} is corrupt ({1}); move it aside (mv {0} {0}.bad) and restore a backup with `viva import FILE`")]
    Corrupt(String, String),
    /// The disk (or the file system holding the store) is full.
    #[error("disk full: cannot write the store at {0}; free some space")]
    DiskFull(String),
    /// Any other sled or IO failure.
    #[error("store {0}: {1}")]
    Other(String, String),
    /// No session matches.
    #[error("no session matches '{0}' (see `viva sessions`)")]
    NotFound(String),
    /// Several sessions match a prefix.
    #[error("'{0}' matches {1} sessions; give more characters of the id")]
    Ambiguous(String, usize),
    /// A stored record does not parse.
    #[error("store {0}: unreadable record: {1}")]
    Decode(String, String),
    /// Import would overwrite a different session.
    #[error(
        "session {0} already exists in the store with different content; nothing was imported"
    )]
    Conflict(String),
}

/// An open store.
pub struct Store {
    db: sled::Db,
    events: sled::Tree,
    sessions: sled::Tree,
    /// The log position (`pos`: writes to the log so far).
    log_meta: sled::Tree,
    /// Log writes the review views do not reflect yet: position → session.
    journal: sled::Tree,
    /// The review views (see [`views`]).
    views: sled::Tree,
    /// The attached views, when a command attached them.
    attached: std::sync::Mutex<Option<views::Attached>>,
    path: PathBuf,
    /// Unreadable records already reported in this process (each is warned about once).
    warned: std::sync::Mutex<std::collections::HashSet<(u64, u32)>>,
    /// For a read-only store: the private copy that was opened instead (removed on drop).
    scratch: Option<PathBuf>,
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Some(d) = self.scratch.take() {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

/// What an import did, in sessions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    /// Sessions new to the store.
    pub imported: usize,
    /// Sessions a killed import had left partly written, now complete.
    pub completed: usize,
    /// Sessions already present, identical.
    pub skipped: usize,
}

/// A stored record that does not decode: where it is and why.
#[derive(Debug, Clone, PartialEq)]
pub struct BadRecord {
    /// Session id.
    pub session: u64,
    /// Sequence number.
    pub seq: u32,
    /// The decoding error.
    pub reason: String,
}

/// The (session, seq) of an event key.
fn split_key(k: &[u8]) -> (u64, u32) {
    let mut s = [0u8; 8];
    let mut q = [0u8; 4];
    if k.len() >= 12 {
        s.copy_from_slice(&k[..8]);
        q.copy_from_slice(&k[8..12]);
    }
    (u64::from_be_bytes(s), u32::from_be_bytes(q))
}

fn key(session: u64, seq: u32) -> [u8; 12] {
    let mut k = [0u8; 12];
    k[..8].copy_from_slice(&session.to_be_bytes());
    k[8..].copy_from_slice(&seq.to_be_bytes());
    k
}

/// Parse a displayed session id (hex).
pub fn parse_id(s: &str) -> Option<u64> {
    u64::from_str_radix(s, 16).ok()
}

/// A new time-ordered session id.
pub fn new_session_id() -> u64 {
    let ms = chrono::Utc::now().timestamp_millis().max(0) as u64;
    (ms << 12) | (rand::random::<u64>() & 0xfff)
}

impl Store {
    /// Open (creating if needed) the store at `path`. A busy store is retried briefly, then reported.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let disp = path.display().to_string();
        let mut last = None;
        for attempt in 0..6 {
            if attempt > 0 {
                std::thread::sleep(Duration::from_millis(150));
            }
            match sled::Config::new()
                .path(path)
                .cache_capacity(8 * 1024 * 1024)
                .open()
            {
                Ok(db) => return Store::from_db(db, path, None),
                Err(e) => {
                    let m = map_err(&disp, e);
                    if !matches!(m, StoreError::Locked(_)) {
                        return Err(m);
                    }
                    last = Some(m);
                }
            }
        }
        Err(last.unwrap_or(StoreError::Locked(disp)))
    }

    /// Open for reading only (`sessions`, `replay`, `export`, `report`, `due`, `compare`): a store that does not
    /// exist is read as empty and never created; one that cannot be opened for writing (a read-only directory or
    /// file system) is copied to a private temporary directory and the copy is read.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let disp = path.display().to_string();
        if !path.join("db").exists() && !path.join("conf").exists() {
            let db = sled::Config::new()
                .temporary(true)
                .open()
                .map_err(|e| map_err(&disp, e))?;
            return Store::from_db(db, path, None);
        }
        match Store::open(path) {
            Err(StoreError::Other(_, m)) if read_only_error(&m) => {}
            other => return other,
        }
        let scratch = crate::settings::host().temp_dir.join(format!(
            "viva-read-only-{}-{:x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        let copied = copy_dir(path, &scratch);
        let opened = copied
            .map_err(|e| StoreError::Other(disp.clone(), e.to_string()))
            .and_then(|_| {
                sled::Config::new()
                    .path(&scratch)
                    .cache_capacity(8 * 1024 * 1024)
                    .open()
                    .map_err(|e| map_err(&disp, e))
            });
        match opened {
            Ok(db) => Store::from_db(db, path, Some(scratch)),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&scratch);
                Err(e)
            }
        }
    }

    fn from_db(db: sled::Db, path: &Path, scratch: Option<PathBuf>) -> Result<Store, StoreError> {
        let disp = path.display().to_string();
        let tree = |name: &str| db.open_tree(name).map_err(|e| map_err(&disp, e));
        Ok(Store {
            events: tree("events")?,
            sessions: tree("sessions")?,
            log_meta: tree("log_meta")?,
            journal: tree("journal")?,
            views: tree("views")?,
            attached: Default::default(),
            db,
            path: path.to_path_buf(),
            warned: Default::default(),
            scratch,
        })
    }

    /// Where the store lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

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
        let session = |this: &Store| -> Result<Option<views::SessionLog>, StoreError> {
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
        session: &dyn Fn(&Store) -> Result<Option<views::SessionLog>, StoreError>,
        defer: bool,
    ) -> Result<(), StoreError> {
        use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};
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
        res.map_err(|e| match e {
            TransactionError::Storage(e) => map_err(&d, e),
            TransactionError::Abort(()) => StoreError::Other(d.clone(), "write aborted".into()),
        })?;
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
    fn journal_sessions(&self, ids: &[u64]) -> Result<(), StoreError> {
        let d = self.path.display().to_string();
        let mut pos = self.log_pos()?;
        let mut jb = sled::Batch::default();
        for id in ids {
            pos += 1;
            jb.insert(&pos.to_be_bytes(), &id.to_be_bytes());
        }
        use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};
        (&self.log_meta, &self.journal)
            .transaction(|(lm, jo)| {
                jo.apply_batch(&jb)?;
                lm.insert(LOG_POS, &pos.to_be_bytes())?;
                Ok::<(), ConflictableTransactionError<()>>(())
            })
            .map_err(|e| match e {
                TransactionError::Storage(e) => map_err(&d, e),
                TransactionError::Abort(()) => StoreError::Other(d.clone(), "write aborted".into()),
            })
    }

    /// Attach the review views for this bank: bring them up to date with the log (catching up, refolding or
    /// rebuilding as needed), warn about unreadable records they know of, and keep them current on every write
    /// from now on. The commands that read or change the review state call this first.
    pub fn attach_views(&self, bank: &crate::bank::Bank) -> Result<views::Synced, StoreError> {
        let tax = crate::review::fold::Taxonomy::of(bank);
        let (meta, done) = self.sync_views(&tax)?;
        for (s, q, reason) in &meta.bad {
            self.warn_bad(&BadRecord {
                session: *s,
                seq: *q,
                reason: reason.clone(),
            });
        }
        *self.attached.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(views::Attached { tax, meta });
        Ok(done)
    }

    /// Rebuild the review views from the whole log (`viva repair --views`); they stay attached. Returns the
    /// number of sessions read.
    pub fn rebuild_views(&self, bank: &crate::bank::Bank) -> Result<usize, StoreError> {
        let tax = crate::review::fold::Taxonomy::of(bank);
        let (meta, n) = self.rebuild_views_with(&tax)?;
        *self.attached.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(views::Attached { tax, meta });
        Ok(n)
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

    /// Make everything appended so far durable.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db
            .flush()
            .map(|_| ())
            .map_err(|e| map_err(&self.path.display().to_string(), e))
    }

    fn summary(&self, id: u64) -> Result<Option<SessionSummary>, StoreError> {
        let d = self.path.display().to_string();
        match self
            .sessions
            .get(id.to_be_bytes())
            .map_err(|e| map_err(&d, e))?
        {
            Some(b) => serde_json::from_slice(&b)
                .map(Some)
                .map_err(|e| StoreError::Decode(d, e.to_string())),
            None => Ok(None),
        }
    }

    /// All session summaries, newest first.
    pub fn sessions(&self) -> Result<Vec<SessionSummary>, StoreError> {
        let d = self.path.display().to_string();
        let mut out = Vec::new();
        // Forward (sled walks backwards much more slowly), then newest first.
        for r in self.sessions.iter() {
            let (k, v) = r.map_err(|e| map_err(&d, e))?;
            match serde_json::from_slice(&v) {
                Ok(s) => out.push(s),
                Err(e) => {
                    let mut id = [0u8; 8];
                    if k.len() == 8 {
                        id.copy_from_slice(&k);
                    }
                    eprintln!(
                        "viva: warning: skipped the unreadable summary of session {} ({e}); `viva repair` rebuilds it",
                        fmt_id(u64::from_be_bytes(id))
                    );
                }
            }
        }
        out.reverse();
        Ok(out)
    }

    /// Resolve a full id or unique hex prefix.
    pub fn resolve(&self, prefix: &str) -> Result<u64, StoreError> {
        let p = prefix.trim().to_lowercase();
        if p.is_empty() || !p.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(StoreError::NotFound(prefix.to_string()));
        }
        // Keys only: a prefix never needs a summary decoded.
        let d = self.path.display().to_string();
        let mut all: Vec<u64> = Vec::new();
        for k in self.sessions.iter().keys() {
            let k = k.map_err(|e| map_err(&d, e))?;
            if let Ok(b) = <[u8; 8]>::try_from(k.as_ref()) {
                let id = u64::from_be_bytes(b);
                if fmt_id(id).starts_with(&p) {
                    all.push(id);
                }
            }
        }
        match all.len() {
            0 => Err(StoreError::NotFound(prefix.to_string())),
            1 => Ok(all[0]),
            n => Err(StoreError::Ambiguous(prefix.to_string(), n)),
        }
    }

    /// Every event of one session, in order. An unreadable record is skipped with one warning (see
    /// [`Store::decode`]); `viva repair` moves it aside.
    pub fn events(&self, id: u64) -> Result<Vec<Event>, StoreError> {
        let d = self.path.display().to_string();
        let mut out = Vec::new();
        for r in self.events.scan_prefix(id.to_be_bytes()) {
            let (k, v) = r.map_err(|e| map_err(&d, e))?;
            out.extend(self.decode(&k, &v));
        }
        Ok(out)
    }

    /// Every event in the store, in key order; unreadable records are skipped with one warning each.
    pub fn all_events(&self) -> Result<Vec<Event>, StoreError> {
        let d = self.path.display().to_string();
        let mut out = Vec::new();
        for r in self.events.iter() {
            let (k, v) = r.map_err(|e| map_err(&d, e))?;
            out.extend(self.decode(&k, &v));
        }
        Ok(out)
    }

    /// Decode one stored event, or warn once (naming session and seq) and skip it: one bad record must not
    /// make the rest of the history unreadable.
    fn decode(&self, k: &[u8], v: &[u8]) -> Option<Event> {
        match decode_event(k, v) {
            Ok(e) => Some(e),
            Err(bad) => {
                self.warn_bad(&bad);
                None
            }
        }
    }

    /// Warn about an unreadable record, once per process.
    fn warn_bad(&self, bad: &BadRecord) {
        let fresh = self
            .warned
            .lock()
            .map(|mut w| w.insert((bad.session, bad.seq)))
            .unwrap_or(true);
        if fresh {
            eprintln!(
                "viva: warning: skipped an unreadable record (session {} seq {}: {}); `viva repair` moves it aside",
                fmt_id(bad.session),
                bad.seq,
                crate::output::neutralise(&bad.reason, false)
            );
        }
    }

    /// Every record that does not decode as an event.
    pub fn bad_records(&self) -> Result<Vec<BadRecord>, StoreError> {
        let d = self.path.display().to_string();
        let mut out = Vec::new();
        for r in self.events.iter() {
            let (k, v) = r.map_err(|e| map_err(&d, e))?;
            if let Err(b) = decode_event(&k, &v) {
                out.push(b);
            }
        }
        Ok(out)
    }

    /// Move unreadable records into the `quarantine` tree (kept, never read as events) and rebuild the
    /// session summaries. Returns the records moved.
    pub fn quarantine_bad_records(&self) -> Result<Vec<BadRecord>, StoreError> {
        let d = self.path.display().to_string();
        let bad = self.bad_records()?;
        if !bad.is_empty() {
            let q = self
                .db
                .open_tree("quarantine")
                .map_err(|e| map_err(&d, e))?;
            for b in &bad {
                let k = key(b.session, b.seq);
                if let Some(v) = self.events.get(k).map_err(|e| map_err(&d, e))? {
                    q.insert(k, v).map_err(|e| map_err(&d, e))?;
                    self.events.remove(k).map_err(|e| map_err(&d, e))?;
                }
            }
            let mut ids: Vec<u64> = bad.iter().map(|b| b.session).collect();
            ids.dedup();
            self.journal_sessions(&ids)?;
        }
        self.rebuild_summaries()?;
        Ok(bad)
    }

    /// One session's summary computed from its events.
    fn summary_from_log(&self, id: u64) -> Result<SessionSummary, StoreError> {
        let mut sum = SessionSummary::new(id);
        for e in self.events(id)? {
            sum.apply(&e);
        }
        Ok(sum)
    }

    /// Recompute every session's summary from the log (the summaries are a view; `viva repair` calls this).
    /// Returns the number of sessions.
    pub fn rebuild_summaries(&self) -> Result<usize, StoreError> {
        let d = self.path.display().to_string();
        let mut ids: Vec<u64> = Vec::new();
        for r in self.events.iter().keys() {
            let k = r.map_err(|e| map_err(&d, e))?;
            let (id, _) = split_key(&k);
            if ids.last() != Some(&id) {
                ids.push(id);
            }
        }
        self.sessions.clear().map_err(|e| map_err(&d, e))?;
        for &id in &ids {
            let sum = self.summary_from_log(id)?;
            let sb = serde_json::to_vec(&sum)
                .map_err(|e| StoreError::Other(d.clone(), e.to_string()))?;
            self.sessions
                .insert(id.to_be_bytes(), sb)
                .map_err(|e| map_err(&d, e))?;
        }
        self.flush()?;
        Ok(ids.len())
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
            Ok(Some(views::SessionLog {
                id,
                events: evs.to_vec(),
                bad: Vec::new(),
            }))
        };
        self.commit_session(id, &batch, &sb, last, &session, true)
    }
}

/// Whether an open error means "this store cannot be written" (permissions, a read-only file system).
fn read_only_error(msg: &str) -> bool {
    let m = msg.to_lowercase();
    m.contains("permission denied") || m.contains("read-only file system")
}

/// Copy a store directory (files and subdirectories) to `to`.
fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let t = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_dir(&e.path(), &t)?;
        } else {
            std::fs::copy(e.path(), &t)?;
        }
    }
    Ok(())
}

/// Decode a stored event record.
fn decode_event(k: &[u8], v: &[u8]) -> Result<Event, BadRecord> {
    let (session, seq) = split_key(k);
    let bad = |reason: String| BadRecord {
        session,
        seq,
        reason,
    };
    let e: Event = serde_json::from_slice(v).map_err(|e| bad(e.to_string()))?;
    e.check().map_err(bad)?;
    Ok(e)
}

fn map_err(path: &str, e: sled::Error) -> StoreError {
    // sled reports a full disk as an IO error or inside a bug report (with the OS error's Debug form).
    let full = match &e {
        sled::Error::Io(io) => {
            // `ErrorKind::StorageFull` is newer than the MSRV: compare its name; sled may also wrap the OS error.
            io.raw_os_error() == Some(libc::ENOSPC)
                || format!("{:?}", io.kind()) == "StorageFull"
                || io.to_string().contains("code: 28")
        }
        other => {
            let m = format!("{other:?}");
            m.contains("StorageFull") || m.contains("code: 28")
        }
    };
    if full {
        return StoreError::DiskFull(path.to_string());
    }
    match e {
        sled::Error::Io(io) => {
            let msg = io.to_string();
            if io.kind() == std::io::ErrorKind::WouldBlock
                || msg.contains("lock")
                || msg.contains("temporarily unavailable")
            {
                StoreError::Locked(path.to_string())
            } else {
                StoreError::Other(path.to_string(), msg)
            }
        }
        sled::Error::Corruption { .. } => StoreError::Corrupt(path.to_string(), e.to_string()),
        other => StoreError::Other(path.to_string(), other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(session: u64, seq: u32, kind: EventKind) -> Event {
        Event {
            v: SCHEMA_VERSION,
            session,
            seq,
            at: chrono::Utc::now(),
            kind,
        }
    }

    #[test]
    fn append_list_and_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s");
        let id = new_session_id();
        {
            let s = Store::open(&p).unwrap();
            s.append(&ev(
                id,
                0,
                EventKind::SessionStarted {
                    kind: SessionKind::Interview,
                    grader: "offline".into(),
                },
            ))
            .unwrap();
            s.append(&ev(
                id,
                1,
                EventKind::AnswerGiven {
                    turn: 0,
                    text: "hi".into(),
                    voice: None,
                },
            ))
            .unwrap();
            s.flush().unwrap();
            assert!(matches!(Store::open(&p), Err(StoreError::Locked(_))));
        }
        let s = Store::open(&p).unwrap();
        assert_eq!(s.events(id).unwrap().len(), 2);
        assert_eq!(s.resolve(&fmt_id(id)[..10]).unwrap(), id);
        let evs = s.events(id).unwrap();
        assert_eq!(s.import(evs.clone()).unwrap().skipped, 1);
        let mut changed = evs;
        changed[1].kind = EventKind::AnswerGiven {
            turn: 0,
            text: "changed".into(),
            voice: None,
        };
        assert!(matches!(s.import(changed), Err(StoreError::Conflict(_))));
    }
}
