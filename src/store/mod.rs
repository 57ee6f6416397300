//! The sled store: an append-only log of session events plus a rebuildable session-summary view.

pub mod event;

pub use event::{Event, EventKind, SessionKind, SessionSummary};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Schema version written with every event.
pub const SCHEMA_VERSION: u32 = 1;

/// Store errors.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the store.
    #[error("the store at {0} is in use by another viva process; finish that session or use --store DIR")]
    Locked(String),
    /// sled reported corruption.
    #[error("the store at {0} is corrupt ({1}); move it aside (mv {0} {0}.bad) and restore a backup with `viva import FILE`")]
    Corrupt(String, String),
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
    path: PathBuf,
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

/// Display form of a session id.
pub fn fmt_id(id: u64) -> String {
    format!("{id:014x}")
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
                Ok(db) => {
                    let events = db.open_tree("events").map_err(|e| map_err(&disp, e))?;
                    let sessions = db.open_tree("sessions").map_err(|e| map_err(&disp, e))?;
                    return Ok(Store {
                        db,
                        events,
                        sessions,
                        path: path.to_path_buf(),
                    });
                }
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

    /// Where the store lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one event and update the summary view.
    pub fn append(&self, ev: &Event) -> Result<(), StoreError> {
        let d = self.path.display().to_string();
        let bytes =
            serde_json::to_vec(ev).map_err(|e| StoreError::Other(d.clone(), e.to_string()))?;
        self.events
            .insert(key(ev.session, ev.seq), bytes)
            .map_err(|e| map_err(&d, e))?;
        let mut sum = self
            .summary(ev.session)?
            .unwrap_or_else(|| SessionSummary::new(ev.session));
        sum.apply(ev);
        let sb =
            serde_json::to_vec(&sum).map_err(|e| StoreError::Other(d.clone(), e.to_string()))?;
        self.sessions
            .insert(ev.session.to_be_bytes(), sb)
            .map_err(|e| map_err(&d, e))?;
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
        for r in self.sessions.iter().rev() {
            let (_, v) = r.map_err(|e| map_err(&d, e))?;
            out.push(
                serde_json::from_slice(&v)
                    .map_err(|e| StoreError::Decode(d.clone(), e.to_string()))?,
            );
        }
        Ok(out)
    }

    /// Resolve a full id or unique hex prefix.
    pub fn resolve(&self, prefix: &str) -> Result<u64, StoreError> {
        let p = prefix.trim().to_lowercase();
        if p.is_empty() || !p.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(StoreError::NotFound(prefix.to_string()));
        }
        let all: Vec<u64> = self
            .sessions()?
            .into_iter()
            .map(|s| s.id)
            .filter(|id| fmt_id(*id).starts_with(&p))
            .collect();
        match all.len() {
            0 => Err(StoreError::NotFound(prefix.to_string())),
            1 => Ok(all[0]),
            n => Err(StoreError::Ambiguous(prefix.to_string(), n)),
        }
    }

    /// Every event of one session, in order.
    pub fn events(&self, id: u64) -> Result<Vec<Event>, StoreError> {
        let d = self.path.display().to_string();
        let mut out = Vec::new();
        for r in self.events.scan_prefix(id.to_be_bytes()) {
            let (_, v) = r.map_err(|e| map_err(&d, e))?;
            out.push(
                serde_json::from_slice(&v)
                    .map_err(|e| StoreError::Decode(d.clone(), e.to_string()))?,
            );
        }
        Ok(out)
    }

    /// Every event in the store, in key order.
    pub fn all_events(&self) -> Result<Vec<Event>, StoreError> {
        let d = self.path.display().to_string();
        self.events
            .iter()
            .map(|r| {
                let (_, v) = r.map_err(|e| map_err(&d, e))?;
                serde_json::from_slice(&v).map_err(|e| StoreError::Decode(d.clone(), e.to_string()))
            })
            .collect()
    }

    /// Import whole sessions; identical sessions are skipped, conflicting ones refused before anything is written.
    /// Returns (imported, skipped) session counts.
    pub fn import(&self, events: Vec<Event>) -> Result<(usize, usize), StoreError> {
        let mut by: std::collections::BTreeMap<u64, Vec<Event>> = Default::default();
        for e in events {
            by.entry(e.session).or_default().push(e);
        }
        let mut todo = Vec::new();
        let mut skipped = 0;
        for (id, mut evs) in by {
            evs.sort_by_key(|e| e.seq);
            let existing = self.events(id)?;
            if existing.is_empty() {
                todo.push(evs);
            } else if existing == evs {
                skipped += 1;
            } else {
                return Err(StoreError::Conflict(fmt_id(id)));
            }
        }
        for evs in &todo {
            for e in evs {
                self.append(e)?;
            }
        }
        self.flush()?;
        Ok((todo.len(), skipped))
    }
}

fn map_err(path: &str, e: sled::Error) -> StoreError {
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
        assert_eq!(s.import(evs.clone()).unwrap(), (0, 1));
        let mut changed = evs;
        changed[1].kind = EventKind::AnswerGiven {
            turn: 0,
            text: "changed".into(),
            voice: None,
        };
        assert!(matches!(s.import(changed), Err(StoreError::Conflict(_))));
    }
}
