//! Sessions, replay, export and import through a real sled store.

use crate::util::*;
use serde_json::Value;

fn sit(sb: &Sandbox, answer: &str) -> String {
    sb.ok(
        &[
            "interview",
            "--question",
            "cv-detection-anchor-boxes",
            "--follow-ups",
            "1",
            "--probes",
            "0",
        ],
        answer,
    );
    let v: Value = serde_json::from_str(&sb.ok(&["sessions", "--json"], "")).unwrap();
    v[0]["id"].as_str().unwrap().to_string()
}

#[test]
fn sessions_newest_first_with_means() {
    let sb = Sandbox::new();
    let a = sit(&sb, "Anchors sit at every feature map location.\n\n");
    let b = sit(
        &sb,
        "Nine anchors per location, 3 scales and 3 aspect ratios.\n\nI don't know.\n\n",
    );
    let v: Value = serde_json::from_str(&sb.ok(&["sessions", "--json"], "")).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 2);
    assert_eq!(arr[0]["id"], b.as_str());
    assert_eq!(arr[1]["id"], a.as_str());
    assert!(arr[0]["mean_score"].is_number());
    let text_list = sb.ok(&["sessions"], "");
    assert!(
        text_list.lines().nth(1).unwrap().starts_with(&b),
        "{text_list}"
    );
}

#[test]
fn replay_step_goes_turn_by_turn() {
    let sb = Sandbox::new();
    let id = sit(
        &sb,
        "Anchors at each location.\n\nThe map is 38 by 63 so about 20,000 anchors.\n\n",
    );
    let out = sb.ok(&["replay", &id, "--step"], "\n\n\n");
    assert_eq!(out.matches("-- turn ").count(), 1, "{out}");
    let full = sb.ok(&["replay", &id, "--json"], "");
    let evs: Value = serde_json::from_str(&full).unwrap();
    let kinds: Vec<&str> = evs
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "SessionStarted",
            "QuestionAsked",
            "AnswerGiven",
            "Graded",
            "FollowUpAsked",
            "AnswerGiven",
            "Graded",
            "SessionEnded"
        ]
    );
}

#[test]
fn export_import_roundtrip() {
    let sb = Sandbox::new();
    let id = sit(&sb, "Anchors at each location, nine per cell.\n\n");
    let md = sb.ok(&["export", &id, "--format", "md"], "");
    assert!(md.starts_with("# viva session"));
    assert!(md.contains("Anchors at each location, nine per cell."));
    sb.ok(
        &["export", &id, "--format", "json", "-o", "backup.jsonl"],
        "",
    );
    let other = Sandbox::new();
    let backup = sb.path("backup.jsonl");
    let out = other.ok(&["import", backup.to_str().unwrap()], "");
    assert!(out.contains("imported 1 session"), "{out}");
    let out = other.ok(&["import", backup.to_str().unwrap()], "");
    assert!(out.contains("already present"), "{out}");
    assert_eq!(other.ok(&["replay", &id], ""), sb.ok(&["replay", &id], ""));
    // A tampered copy of an existing session is refused, nothing written.
    let tampered = std::fs::read_to_string(&backup)
        .unwrap()
        .replace("nine per cell", "ten per cell");
    other.write("t.jsonl", &tampered);
    let o = other.run(&["import", "t.jsonl"], "");
    assert_one_line_error(&o, 1, "already exists");
    // Garbage is a clear error naming the line.
    other.write("g.jsonl", "{\"nope\": 1}\n");
    let o = other.run(&["import", "g.jsonl"], "");
    assert_one_line_error(&o, 1, "g.jsonl:1: not a viva event");
}

#[test]
fn unknown_session_id() {
    let sb = Sandbox::new();
    let o = sb.run(&["replay", "abc"], "");
    assert_one_line_error(&o, 1, "no session matches 'abc'");
}
