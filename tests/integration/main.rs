//! The one integration-test binary: every test drives the built `viva` binary.

mod util;

mod adversarial;
mod arithmetic;
mod bank;
mod draft;
mod draft_input;
mod draft_model;
mod errors;
mod fairness_near;
mod fuzz;
mod grading;
mod history;
mod holistic;
mod interviewer;
mod llm;
mod llm_real;
mod piped;
mod pty;
mod quality;
mod quiz;
mod reliability;
mod report_html;
mod restate;
mod review;
mod telegraphic;
mod views;
mod voice;
mod voice_stt;
