//! One-shot commands (everything but the interview shell).

pub mod doctor;
pub mod draft;
pub mod grading;
pub mod history;
pub mod model;
pub mod regrade;
pub mod report_text;
pub mod review;
pub mod voice;
