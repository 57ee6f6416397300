//! Reading the log: session summaries, id prefixes and events. An unreadable record is skipped with one warning
//! (per process), never allowed to make the rest of the history unreadable.

use super::{fmt_id, map_err, split_key, BadRecord, Event, SessionSummary, Store, StoreError};

impl Store {
    /// One session's stored summary.
    pub(super) fn summary(&self, id: u64) -> Result<Option<SessionSummary>, StoreError> {
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
    pub(super) fn decode(&self, k: &[u8], v: &[u8]) -> Option<Event> {
        match decode_event(k, v) {
            Ok(e) => Some(e),
            Err(bad) => {
                self.warn_bad(&bad);
                None
            }
        }
    }

    /// Warn about an unreadable record, once per process.
    pub(super) fn warn_bad(&self, bad: &BadRecord) {
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
}

/// Decode a stored event record.
pub(super) fn decode_event(k: &[u8], v: &[u8]) -> Result<Event, BadRecord> {
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
