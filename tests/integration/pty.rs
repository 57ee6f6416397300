//! The REPL through a real pseudo-terminal (expectrl): typing, Ctrl-C, Ctrl-D, and kill -9 durability.

use crate::util::*;
use expectrl::{ControlCode, Session, Signal};
use serde_json::Value;
use std::time::Duration;

fn spawn(sb: &Sandbox, args: &[&str], no_color: bool) -> Session {
    let mut c = sb.cmd();
    c.args(args);
    if no_color {
        c.env("NO_COLOR", "1");
    }
    let mut s = Session::spawn(c).expect("spawn viva in a pty");
    s.set_expect_timeout(Some(Duration::from_secs(20)));
    s
}

/// Type an answer line by line, waiting for each prompt (typed-ahead lines may be read in one chunk).
fn answer(s: &mut Session, lines: &[&str]) {
    s.expect("> ").unwrap();
    for l in lines {
        s.send_line(l).unwrap();
        s.expect("... ").unwrap();
    }
    s.send_line("").unwrap();
}

fn sessions(sb: &Sandbox) -> Vec<Value> {
    let v: Value = serde_json::from_str(&sb.ok(&["sessions", "--json"], "")).unwrap();
    v.as_array().unwrap().clone()
}

#[test]
fn two_question_interview_in_a_terminal() {
    let sb = Sandbox::new();
    let mut s = spawn(
        &sb,
        &[
            "interview",
            "--probes",
            "0",
            "--question",
            "cv-detection-anchor-boxes",
            "--question",
            "cv-classification-10k-classes",
            "--follow-ups",
            "1",
        ],
        false,
    );
    s.expect("Question 1/2").unwrap();
    s.expect("> ").unwrap();
    // Ctrl-C clears a half-typed answer without ending the interview.
    s.send_line("this will be thrown away").unwrap();
    s.expect("... ").unwrap();
    s.send("and this too").unwrap();
    s.send(ControlCode::EndOfText).unwrap();
    s.expect("input cleared").unwrap();
    answer(
        &mut s,
        &[
            "Each position on the feature map gets nine anchors,",
            "3 scales times 3 aspect ratios.",
        ],
    );
    s.expect("Score").unwrap();
    s.expect("\x1b[").unwrap(); // colours on a terminal
    s.expect("Follow-up").unwrap();
    s.expect("> ").unwrap();
    s.send_line("/hint").unwrap();
    s.expect("Hint:").unwrap();
    answer(
        &mut s,
        &["About 38 by 63 positions times 9, roughly 20,000 anchors."],
    );
    s.expect("Question 2/2").unwrap();
    answer(
        &mut s,
        &["Label smoothing of 0.1, warmup then a cosine learning rate schedule."],
    );
    s.expect("Score").unwrap();
    s.expect("Follow-up").unwrap();
    s.send(ControlCode::EndOfTransmission).unwrap(); // Ctrl-D ends and saves
    s.expect("Saved session").unwrap();
    s.expect(expectrl::Eof).unwrap();

    let all = sessions(&sb);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["questions"], 2);
    assert_eq!(all[0]["graded"], 3);
    let id = all[0]["id"].as_str().unwrap();
    let replay = sb.ok(&["replay", id], "");
    assert!(replay.contains("Each position on the feature map gets nine anchors,"));
    assert!(!replay.contains("thrown away"), "Ctrl-C discards the input");
    assert!(replay.contains("Session ended (eof)"));
}

/// An anchor-box interview with NO_COLOR, one short answer typed, up to its follow-up; the capture holds what was
/// printed before "Follow-up".
fn one_answer_without_colour(sb: &Sandbox) -> (Session, expectrl::Captures) {
    let mut s = spawn(
        sb,
        &["interview", "--question", "cv-detection-anchor-boxes"],
        true,
    );
    answer(&mut s, &["Nine anchors per location."]);
    let cap = s.expect("Follow-up").unwrap();
    (s, cap)
}

#[test]
fn no_color_is_respected_in_a_terminal() {
    let sb = Sandbox::new();
    let (mut s, cap) = one_answer_without_colour(&sb);
    let before = String::from_utf8_lossy(cap.before()).to_string();
    assert!(before.contains("Score"), "{before}");
    assert!(
        !before.contains("\x1b[32m") && !before.contains("\x1b[31m") && !before.contains("\x1b[1m"),
        "colour codes with NO_COLOR: {before:?}"
    );
    s.send_line("/quit").unwrap();
    s.expect("Saved session").unwrap();
}

#[test]
fn tab_completes_a_slash_command() {
    let sb = Sandbox::new();
    let (mut s, _) = one_answer_without_colour(&sb);
    s.expect("> ").unwrap();
    s.send("/sco\t").unwrap();
    s.expect("/score").unwrap();
    s.send_line("").unwrap();
    s.expect("Session summary").unwrap();
    s.send_line("/qu\t").unwrap();
    s.expect("Saved session").unwrap();
}

#[test]
fn kill_9_after_a_graded_turn_keeps_the_turn() {
    let sb = Sandbox::new();
    let mut s = spawn(
        &sb,
        &["interview", "--question", "cv-detection-anchor-boxes"],
        true,
    );
    answer(
        &mut s,
        &["Each location gets nine anchors from 3 scales and 3 aspect ratios."],
    );
    s.expect("Follow-up").unwrap();
    s.get_process_mut().kill(Signal::SIGKILL).unwrap();
    let _ = s.get_process().wait();
    // The store opens again and holds the graded turn.
    let all = sessions(&sb);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["graded"], 1);
    assert!(
        all[0]["ended"].is_null(),
        "the session was killed, not ended"
    );
    let id = all[0]["id"].as_str().unwrap();
    let evs: Value = serde_json::from_str(&sb.ok(&["replay", id, "--json"], "")).unwrap();
    let graded = evs
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "Graded")
        .expect("graded turn stored");
    assert!(graded["grade"]["score"].as_u64().unwrap() > 0);
}

/// Ctrl-C the moment the spinner says it cancels (the endpoint never answers): the call is cancelled, the offline
/// grade is shown and stored as degraded, and the interview ends normally. A fault test, so a scripted endpoint.
#[test]
fn ctrl_c_at_the_spinner_cancels_the_model_call_not_the_process() {
    let sb = Sandbox::new();
    let f = crate::llm::Fake::start("hang", 0.0);
    let mut c = sb.cmd();
    c.env("VIVA_LLM_BASE_URL", &f.url)
        .env("VIVA_LLM_MODEL", "fake-model")
        .env("VIVA_GRADER", "llm")
        .args([
            "interview",
            "--question",
            "cv-detection-anchor-boxes",
            "--follow-ups",
            "0",
        ]);
    let mut s = Session::spawn(c).expect("spawn viva in a pty");
    s.set_expect_timeout(Some(Duration::from_secs(30)));
    s.expect("> ").unwrap();
    s.send_line("Anchors are reference boxes at each position, 9 per position.")
        .unwrap();
    s.expect("... ").unwrap();
    s.send_line("").unwrap();
    cancel_at_spinner(&mut s, &sb);
}
