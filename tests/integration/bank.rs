//! `viva bank …`.

use crate::util::*;
use serde_json::Value;

const SEEDS: &[&str] = &[
    "cv-classification-10k-classes",
    "cv-detection-anchor-boxes",
    "cv-segmentation-realtime-pedestrians",
    "cv-video-two-stream-vs-slowfast",
    "cv-multimodal-clip-defects",
    "cv-deploy-yolov8-jetson-latency",
];

#[test]
fn list_json_has_the_seed_questions_and_fields() {
    let sb = Sandbox::new();
    let v: Value = serde_json::from_str(&sb.ok(&["bank", "list", "--json"], "")).unwrap();
    let arr = v.as_array().unwrap();
    for id in SEEDS {
        let q = arr
            .iter()
            .find(|q| q["id"] == *id)
            .unwrap_or_else(|| panic!("seed {id} missing"));
        for f in [
            "area",
            "difficulty",
            "title",
            "companies",
            "criteria",
            "rungs",
        ] {
            assert!(!q[f].is_null(), "{id} lacks {f}");
        }
        let crit = q["criteria"].as_u64().unwrap();
        assert!((4..=7).contains(&crit), "{id}: {crit} criteria");
        assert!(q["rungs"].as_u64().unwrap() >= 3, "{id}: ladder too short");
    }
}

#[test]
fn check_passes_on_the_shipped_bank() {
    let sb = Sandbox::new();
    let out = sb.ok(&["bank", "check"], "");
    assert!(out.starts_with("ok: "), "{out}");
    let dir = root().join("rubrics");
    let out = sb.ok(&["bank", "check", dir.to_str().unwrap()], "");
    assert!(out.starts_with("ok: "), "{out}");
}

#[test]
fn show_prints_rubric_and_ladder() {
    let sb = Sandbox::new();
    let out = sb.ok(&["bank", "show", "cv-detection-anchor-boxes"], "");
    for want in [
        "Criteria",
        "Follow-up ladder",
        "Reference answer",
        "[constraints]",
    ] {
        assert!(out.contains(want), "missing {want}:\n{out}");
    }
}

#[test]
fn bank_override_dir_replaces_a_question() {
    let sb = Sandbox::new();
    let src =
        std::fs::read_to_string(root().join("rubrics/detection/cv-detection-anchor-boxes.toml"))
            .unwrap();
    let changed = src.replacen(
        "title = \"Anchor boxes in Faster R-CNN\"",
        "title = \"Overridden anchors\"",
        1,
    );
    assert_ne!(src, changed);
    sb.write("mybank/cv-detection-anchor-boxes.toml", &changed);
    let out = sb.ok(&["--bank", "mybank", "bank", "list"], "");
    assert!(out.contains("Overridden anchors"), "{out}");
    assert!(
        out.contains("cv-classification-10k-classes"),
        "the rest of the bank stays"
    );
}
