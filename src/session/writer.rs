//! The session writer: stamps each event of one session with the session id, the next sequence number and the
//! time. It produces events; the caller persists them (the store is an adapter, not known here).

use super::event::{Event, EventKind, SCHEMA_VERSION};

/// Stamps the events of one session in order.
#[derive(Debug)]
pub struct SessionWriter {
    session: u64,
    seq: u32,
}

impl SessionWriter {
    /// A writer for the session `session`, starting at sequence number 0.
    pub fn new(session: u64) -> Self {
        SessionWriter { session, seq: 0 }
    }

    /// A writer that goes on with an existing session whose log holds `events`: numbering continues after the
    /// highest sequence number there.
    pub fn resume(session: u64, events: &[Event]) -> Self {
        let seq = events.iter().map(|e| e.seq + 1).max().unwrap_or(0);
        SessionWriter { session, seq }
    }

    /// The session id.
    pub fn session(&self) -> u64 {
        self.session
    }

    /// The next event of the session, stamped now.
    pub fn stamp(&mut self, kind: EventKind) -> Event {
        self.stamp_at(kind, chrono::Utc::now())
    }

    /// The next event of the session, stamped with `at`.
    pub fn stamp_at(&mut self, kind: EventKind, at: chrono::DateTime<chrono::Utc>) -> Event {
        let ev = Event {
            v: SCHEMA_VERSION,
            session: self.session,
            seq: self.seq,
            at,
            kind,
        };
        self.seq += 1;
        ev
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::SessionKind;

    #[test]
    fn events_are_numbered_in_order() {
        let mut w = SessionWriter::new(42);
        let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let start = EventKind::SessionStarted {
            kind: SessionKind::Quiz,
            grader: "quiz".into(),
        };
        let a = w.stamp_at(start.clone(), at);
        let b = w.stamp(start.clone());
        assert_eq!((a.v, a.session, a.seq, a.at), (SCHEMA_VERSION, 42, 0, at));
        assert_eq!((b.session, b.seq), (42, 1));
        assert_eq!(b.kind, start);
        assert_eq!(w.session(), 42);
        let mut r = SessionWriter::resume(42, &[a, b]);
        assert_eq!(r.stamp(start).seq, 2);
        assert_eq!(
            SessionWriter::resume(7, &[])
                .stamp_at(
                    EventKind::SessionEnded {
                        reason: crate::session::EndReason::Quit
                    },
                    at
                )
                .seq,
            0
        );
    }
}
