//! The session log's vocabulary, shared by the core and the adapters: events as the interview and the quiz produce
//! them, the writer that stamps them, and what is kept of a spoken answer. The store persists these and the voice adapters fill in the spoken
//! parts; neither defines them.

pub mod event;
pub mod spoken;
pub mod writer;

pub use event::{
    fmt_id, EndReason, Event, EventKind, Purpose, SessionKind, SessionSummary, SCHEMA_VERSION,
};
pub use spoken::{Delivery, SpokenMeta};
pub use writer::SessionWriter;
