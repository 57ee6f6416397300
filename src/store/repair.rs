//! Repair (`viva repair`): finding the records that do not decode, moving them aside, and rebuilding the session
//! summaries (a view) from the log.

use super::read::decode_event;
use super::{key, map_err, split_key, BadRecord, SessionSummary, Store, StoreError};

impl Store {
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
    pub(super) fn summary_from_log(&self, id: u64) -> Result<SessionSummary, StoreError> {
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
}
