//! The sled store: an append-only log of session events plus rebuildable views (the session summaries, and the
//! review views of [`views`]). This file opens the store and names its errors and keys; `write` appends and
//! imports, `read` reads the log back, `repair` moves damaged records aside.

pub use crate::session::event;
mod read;
mod repair;
pub mod views;
mod write;

pub use crate::session::event::{
    fmt_id, Event, EventKind, SessionKind, SessionSummary, SCHEMA_VERSION,
};
use std::path::{Path, PathBuf};
use std::time::Duration;

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

    /// Where the store lives, as errors name it.
    fn disp(&self) -> String {
        self.path.display().to_string()
    }

    /// Make everything appended so far durable.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db
            .flush()
            .map(|_| ())
            .map_err(|e| map_err(&self.path.display().to_string(), e))
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
