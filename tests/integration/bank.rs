//! `viva bank …`.

use crate::util::*;
use serde_json::Value;

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

/// Run, require exit 1, return stderr.
fn fails(sb: &Sandbox, args: &[&str]) -> String {
    let o = sb.run(args, "");
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(1), "{err}");
    err
}

/// A small valid rubric with one misconception; `extra` is appended to the misconception table.
fn fairness_rubric(correct: &[&str], examples: &[&str], probe: &str) -> String {
    let list = |v: &[&str]| {
        v.iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        r##"id = "cv-detection-tiny"
area = "detection"
title = "Tiny"
difficulty = "easy"
prompt = "Why does the IoU loss fail for disjoint boxes?"
reference = "For disjoint boxes IoU is zero wherever the prediction is, so the loss is flat and gives no gradient. GIoU adds the empty area of the enclosing box, so a prediction far from its target still gets a signal that pulls it closer. The loss is then one minus GIoU, which ranges from zero to two."

[[criteria]]
id = "flat-loss"
weight = 60
statement = "IoU is zero for every disjoint prediction, so the loss is flat with no gradient."
patterns = ["(disjoint|non overlapping) + (zero|flat|no) (gradient*|loss)"]
probe = {probe:?}

[[criteria]]
id = "giou"
weight = 40
statement = "GIoU subtracts the empty share of the smallest enclosing box."
patterns = ["giou + enclos*"]

[[misconceptions]]
id = "gradient-fine"
statement = "Claims the plain IoU loss already gives a useful gradient for disjoint boxes."
patterns = ["iou loss + (gives|provides) + gradient* + (disjoint|do not overlap)"]
penalty = 20
challenge = "Where does a disjoint box move if the loss does not change?"
correct = [{correct}]
examples = [{examples}]

[[ladder]]
stage = "implementation"
question = "How do you vectorise it?"
[[ladder.criteria]]
id = "broadcast"
weight = 50
statement = "Broadcast the boxes to an N x M matrix."
patterns = ["broadcast* + matrix"]

[[ladder]]
stage = "constraints"
question = "Budget?"
[[ladder.criteria]]
id = "budget-arithmetic"
weight = 50
statement = "1000 x 50 pairs = 50,000 IoUs."
patterns = ["#50000 + (pair*|iou*)"]
needs = "arithmetic"

[[ladder]]
stage = "failure_modes"
question = "The loss turns NaN. Where do you look?"
[[ladder.criteria]]
id = "degenerate"
weight = 50
statement = "Degenerate boxes with zero area divide by zero."
patterns = ["(zero area|degenerate) + (divi*|nan)"]
"##,
        correct = list(correct),
        examples = list(examples)
    )
}

#[test]
fn fairness_guard_fails_on_a_penalised_correct_statement_with_file_and_line() {
    let sb = Sandbox::new();
    let good = [
        "The IoU loss gives no gradient when the boxes do not overlap.",
        "For disjoint boxes the IoU loss is flat, which is why GIoU was proposed.",
        "GIoU still gives a gradient for disjoint boxes.",
    ];
    let ex = ["The IoU loss gives a useful gradient even for disjoint boxes."];
    sb.write(
        "ok/cv-detection-tiny.toml",
        &fairness_rubric(
            &good,
            &ex,
            "What happens to the loss when the two boxes are far apart?",
        ),
    );
    let out = sb.ok(&["bank", "check", "--strict", "ok"], "");
    assert!(out.starts_with("ok: 1 questions"), "{out}");

    // A correct statement that trips the misconception is a bank error naming file and line.
    let bad = [
        good[0],
        good[1],
        "Whether the IoU loss gives any gradient for disjoint boxes is what GIoU settles: it gives none.",
    ];
    let text = fairness_rubric(&bad, &ex, "What happens when the boxes are far apart?");
    sb.write("bad/cv-detection-tiny.toml", &text);
    let o = sb.run(&["bank", "check", "bad"], "");
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    let line = text
        .lines()
        .position(|l| l.contains("Whether the IoU loss gives any"))
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!("cv-detection-tiny.toml:{line}: misconception 'gradient-fine' fires on a correct statement")),
        "{err}"
    );
}

#[test]
fn fairness_guard_checks_examples_probes_and_the_count() {
    let sb = Sandbox::new();
    let good = [
        "The IoU loss gives no gradient when the boxes do not overlap.",
        "For disjoint boxes the IoU loss is flat.",
        "GIoU still gives a gradient for disjoint boxes.",
    ];
    // An example of the wrong claim that the patterns miss.
    sb.write(
        "a/cv-detection-tiny.toml",
        &fairness_rubric(
            &good,
            &["Plain IoU is fine as a loss."],
            "Where do far-apart boxes move?",
        ),
    );
    let err = fails(&sb, &["bank", "check", "a"]);
    assert!(err.contains("does not fire on its own example"), "{err}");
    // A probe that states the answer.
    sb.write(
        "b/cv-detection-tiny.toml",
        &fairness_rubric(
            &good,
            &["The IoU loss gives a gradient for disjoint boxes."],
            "Is the loss flat with zero gradient for disjoint boxes?",
        ),
    );
    let err = fails(&sb, &["bank", "check", "b"]);
    assert!(
        err.contains("probe of criterion 'flat-loss' gives the answer away"),
        "{err}"
    );
    // Too few correct statements: a warning for a user's rubric, an error with --strict.
    sb.write(
        "c/cv-detection-tiny.toml",
        &fairness_rubric(
            &good[..1],
            &["The IoU loss gives a gradient for disjoint boxes."],
            "Where do far-apart boxes move?",
        ),
    );
    let o = sb.run(&["bank", "check", "c"], "");
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("warning:"));
    let err = fails(&sb, &["bank", "check", "--strict", "c"]);
    assert!(err.contains("lists 1 correct statement(s)"), "{err}");
}
