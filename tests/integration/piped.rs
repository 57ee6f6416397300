//! Piped (scripted) interviews: answers separated by blank lines, no colours, same flow.

use crate::util::*;
use serde_json::Value;

pub const ANCHOR_ANSWERS: &str =
    "Each position on the feature map gets nine anchors: 3 scales times 3 aspect ratios.
The RPN predicts objectness and regresses offsets for each anchor.

/hint

For a 600x1000 image at stride 16 the map is about 38 by 63 cells, so roughly 20,000 anchors.

/quit
";

/// Replace the session id and times so the transcript is stable.
pub fn redact(s: &str) -> String {
    let id = regex::Regex::new(r"\b[0-9a-f]{14}\b").unwrap();
    let store = regex::Regex::new(r"in \S+store\.").unwrap();
    let s = id.replace_all(s, "<ID>");
    store.replace_all(&s, "in <STORE>.").into_owned()
}

#[test]
fn scripted_interview_snapshot() {
    let sb = Sandbox::new();
    let out = sb.ok(
        &["interview", "--question", "cv-detection-anchor-boxes"],
        ANCHOR_ANSWERS,
    );
    assert!(!out.contains('\x1b'), "no colours when piped");
    insta::assert_snapshot!("scripted_anchor_interview", redact(&out));
}

#[test]
fn piped_interview_is_stored_and_replayable() {
    let sb = Sandbox::new();
    let out = sb.ok(&["interview", "--question", "cv-detection-anchor-boxes", "--question", "cv-classification-10k-classes"], "Anchors at every location, 9 per cell.\n\n/skip\n\nLabel smoothing of 0.1 and a cosine schedule with warmup.\n\n");
    assert!(out.contains("Question 1/2"));
    assert!(out.contains("Question 2/2"));
    assert!(out.contains("Session summary"));
    let v: Value = serde_json::from_str(&sb.ok(&["sessions", "--json"], "")).unwrap();
    let s = &v.as_array().unwrap()[0];
    assert_eq!(s["questions"], 2);
    assert_eq!(s["graded"], 2);
    let id = s["id"].as_str().unwrap().to_string();
    let replay = sb.ok(&["replay", &id[..8]], "");
    assert!(replay.contains("Anchors at every location, 9 per cell."));
    assert!(replay.contains("Label smoothing of 0.1"));
    assert!(replay.contains("skipped"));
    assert!(replay.contains("Score"));
}
