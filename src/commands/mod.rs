//! One-shot commands (everything but the interview shell).

pub mod bank;
pub mod calibrate;
pub mod doctor;
pub mod draft;
pub mod grade;
pub mod history;
pub mod model;
pub mod regrade;
pub mod report_text;
pub mod review;
pub mod summary;
pub mod transcript;
pub mod voice;

/// A store write failed. On a full disk, print one line (`viva: error: disk full: ` and `saved(path)`, which says
/// what is safe and how to go on) and exit 1 at once: what was flushed before is on disk, and returning would drop
/// the store, whose own flush can block on the full disk. Any other error is returned for the caller's context.
pub fn stop_if_disk_full(
    e: crate::store::StoreError,
    saved: impl FnOnce(&str) -> String,
) -> anyhow::Error {
    if let crate::store::StoreError::DiskFull(path) = &e {
        eprintln!(
            "viva: error: disk full: {}",
            crate::output::neutralise(&saved(path), false)
        );
        std::process::exit(1);
    }
    anyhow::Error::new(e)
}
