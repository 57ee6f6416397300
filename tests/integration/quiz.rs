//! `viva quiz`: piped and in a terminal, scored and saved.

use crate::util::*;
use serde_json::Value;
use std::time::Duration;

fn answers_in_bank(sb: &Sandbox, question: &str, item: usize) -> usize {
    let v: Value = serde_json::from_str(&sb.ok(&["bank", "show", question, "--json"], "")).unwrap();
    v["quiz"][item]["answer"].as_u64().unwrap() as usize
}

#[test]
fn piped_quiz_is_scored_and_saved() {
    let sb = Sandbox::new();
    let out = sb.ok(
        &["quiz", "--count", "4", "--seed", "5"],
        "a\n\nnonsense\nb\nc\nd\n",
    );
    assert!(
        out.contains("answer A, B, C or D"),
        "a bad reply gets a hint: {out}"
    );
    assert!(out.contains("Quiz result:"));
    let v: Value = serde_json::from_str(&sb.ok(&["sessions", "--json"], "")).unwrap();
    let s = &v[0];
    assert_eq!(s["kind"], "quiz");
    assert_eq!(s["quiz_total"], 4);
    let evs: Value =
        serde_json::from_str(&sb.ok(&["replay", s["id"].as_str().unwrap(), "--json"], "")).unwrap();
    let answered: Vec<&Value> = evs
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "QuizAnswered")
        .collect();
    assert_eq!(answered.len(), 4);
    let mut correct = 0;
    for (e, chosen) in answered.iter().zip([0usize, 1, 2, 3]) {
        assert_eq!(e["chosen"], chosen);
        let right = answers_in_bank(
            &sb,
            e["question"].as_str().unwrap(),
            e["item"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            e["correct"],
            right == chosen,
            "correctness is computed from the bank"
        );
        correct += (right == chosen) as u64;
    }
    assert_eq!(s["quiz_correct"], correct);
    assert!(
        out.contains(&format!("Quiz result: {correct}/4 correct")),
        "{out}"
    );
    let list = sb.ok(&["sessions"], "");
    assert!(list.contains("quiz"), "{list}");
}

#[test]
fn quiz_area_filter_and_errors() {
    let sb = Sandbox::new();
    let out = sb.ok(&["quiz", "--area", "video", "--count", "2"], "/quit\n");
    assert!(out.contains("1/2 · video"), "{out}");
    let o = sb.run(&["quiz", "--area", "nope"], "");
    assert_one_line_error(&o, 1, "no quiz items for area 'nope'");
}

#[test]
fn quiz_in_a_terminal() {
    let sb = Sandbox::new();
    let mut c = sb.cmd();
    c.args(["quiz", "--count", "2", "--seed", "9"]);
    let mut s = expectrl::Session::spawn(c).unwrap();
    s.set_expect_timeout(Some(Duration::from_secs(20)));
    s.expect("1/2").unwrap();
    s.expect("answer> ").unwrap();
    s.send_line("b").unwrap();
    s.expect("Why ").unwrap();
    s.expect("answer> ").unwrap();
    s.send_line("/quit").unwrap();
    s.expect("Quiz result:").unwrap();
    s.expect(expectrl::Eof).unwrap();
    let v: Value = serde_json::from_str(&sb.ok(&["sessions", "--json"], "")).unwrap();
    assert_eq!(v[0]["quiz_total"], 1);
}
