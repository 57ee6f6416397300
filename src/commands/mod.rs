//! One-shot commands (everything but the interview shell).

pub mod grading;
pub mod history;
pub mod voice;
