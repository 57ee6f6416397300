//! The one integration-test binary: every test drives the built `viva` binary.

mod util;

mod adversarial;
mod bank;
mod errors;
mod grading;
mod history;
mod piped;
mod pty;
mod quality;
mod quiz;
