//! `viva bank draft` on awkward input: other scripts, guide pages with unanswered questions, Markdown
//! sub-headings, tag lines, byte-order marks, bad values and re-drafts under another area.

use crate::util::*;
use serde_json::Value;

/// `viva bank draft ARGS --json`, required to succeed: its rows.
fn draft_rows(sb: &Sandbox, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["bank", "draft"];
    all.extend_from_slice(args);
    all.push("--json");
    serde_json::from_str(&sb.ok(&all, "")).expect("draft --json prints an array of rows")
}

fn rubric<'a>(row: &'a Value, key: &str) -> &'a Value {
    &row["rubric"][key]
}

#[test]
fn draft_answers_in_any_script_are_drafted_without_a_panic() {
    let sb = Sandbox::new();
    sb.write(
        "s.jsonl",
        concat!(
            r#"{"id": "var", "question": "What does the variance of a Gaussian control?", "answer": "σ² is the variance and it controls the spread of the distribution around the mean."}"#,
            "\n",
            r#"{"question": "Что такое переобучение?", "answer": "Или модель запоминает шум обучающих данных, и она плохо обобщает на новые примеры."}"#,
            "\n",
            r#"{"question": "什么是过拟合？", "answer": "过拟合是指模型记住了训练数据中的噪声，而不能泛化到新的数据。"}"#,
            "\n",
            r#"{"id": "emoji", "question": "What does a learning-rate warmup do?", "answer": "🚀 It ramps the learning rate up from near zero over the first steps, so early updates stay small while the optimizer statistics settle 🙂."}"#,
            "\n"
        ),
    );
    let o = sb.run(&["bank", "draft", "s.jsonl", "-o", "b", "--json"], "");
    let err = text(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_ne!(o.status.code(), Some(101), "{err}");
    let rows: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows.len(), 4, "{err}");
    assert_eq!(
        rubric(&rows[0], "criteria")[0]["statement"],
        "σ² is the variance"
    );
    assert!(sb.path("b/general/var.toml").exists(), "{err}");
    assert!(sb.path("b/general/emoji.toml").exists(), "{err}");
}

const GUIDE2: &str = "Object Detection

What is non-maximum suppression?

TeslaTeslaEasyObject Detection

Sample Answer

NMS keeps the highest-scoring box and removes overlapping boxes whose IoU with it exceeds a threshold, repeating until no boxes remain.

What is the difference between mAP at IoU 0.5 and COCO mAP?

DeepMindDeepMindMediumObject Detection

Why do feature pyramid networks help with small objects?

NVIDIANVIDIAHardObject Detection

Sample Answer

FPN builds a top-down pathway with lateral connections so that high-resolution early feature maps receive strong semantic features from deeper layers, which lets small objects be detected on fine levels.

Practice more Object Detection questions

What is focal loss for?

OpenAIOpenAIHardObject Detection

Practice more Object Detection questions
";

#[test]
fn draft_guide_questions_without_answers_are_skipped_with_a_warning() {
    let sb = Sandbox::new();
    sb.write("guide2.txt", GUIDE2);
    let o = sb.run(&["bank", "draft", "guide2.txt", "-o", "b", "--json"], "");
    let err = text(&o.stderr);
    assert!(o.status.success(), "{err}");
    let rows: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        rubric(&rows[0], "reference"),
        "NMS keeps the highest-scoring box and removes overlapping boxes whose IoU with it exceeds a threshold, repeating until no boxes remain."
    );
    assert_eq!(
        rubric(&rows[1], "companies"),
        &serde_json::json!(["nvidia"])
    );
    for (line, q) in [
        ("guide2.txt:11", "mAP at IoU"),
        ("guide2.txt:25", "focal loss"),
    ] {
        assert!(
            err.lines()
                .any(|l| l.contains(line) && l.contains("no sample answer") && l.contains(q)),
            "{line}: {err}"
        );
    }
}

#[test]
fn draft_markdown_second_sample_answer_is_an_error_with_its_line() {
    let sb = Sandbox::new();
    sb.write(
        "md4.md",
        "## 1. What does a 1x1 convolution do?\n\nSample answer: It mixes channels at each spatial position cheaply, as in bottleneck blocks.\n\n### Extra detail\n\nSample answer: Dropout randomly zeroes activations during training to prevent co-adaptation.\n",
    );
    let o = sb.run(&["bank", "draft", "md4.md", "-o", "b"], "");
    assert_one_line_error(
        &o,
        1,
        "md4.md:7: a second sample answer for the question at md4.md:1",
    );
    assert!(!sb.path("b").exists());
    // A numbered sub-heading is a question of its own.
    sb.write(
        "md3.md",
        "## 1. What does a 1x1 convolution do?\n\nSample answer: It mixes channels at each spatial position cheaply, as in bottleneck blocks.\n\n### 2. What is depthwise separable convolution?\n\nSample answer:\nA depthwise convolution filters each channel separately, then a pointwise 1x1 convolution mixes channels.\n",
    );
    let rows = draft_rows(&sb, &["md3.md", "-o", "b"]);
    assert_eq!(rows.len(), 2);
    assert!(rubric(&rows[0], "reference")
        .as_str()
        .unwrap()
        .starts_with("It mixes channels"));
    assert!(rubric(&rows[1], "prompt")
        .as_str()
        .unwrap()
        .starts_with("What is depthwise"));
}

#[test]
fn draft_custom_area_appears_in_reports() {
    let sb = Sandbox::new();
    sb.write(
        "kit.jsonl",
        r#"{"id": "nlp-subwords", "area": "nlp", "question": "Why do language models use subword tokenizers?", "answer": "Subword units keep the vocabulary small while still covering rare and unseen words, because any word can be spelled from smaller pieces."}
"#,
    );
    sb.ok(&["bank", "draft", "kit.jsonl", "-o", "b"], "");
    sb.ok(
        &[
            "--bank",
            "b",
            "interview",
            "--question",
            "nlp-subwords",
            "--rounds",
            "1",
            "--follow-ups",
            "0",
        ],
        "Subword pieces keep the vocabulary small and still spell rare words.\n\n",
    );
    let r: Value = serde_json::from_str(&sb.ok(&["--bank", "b", "report", "--json"], "")).unwrap();
    let areas: Vec<&str> = r["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["area"].as_str().unwrap())
        .collect();
    assert_eq!(areas, ["nlp"], "{r}");
    let report = sb.ok(&["--bank", "b", "report"], "");
    let trend = report
        .split("Trend by area")
        .nth(1)
        .unwrap_or_else(|| panic!("{report}"));
    assert!(trend.contains("nlp"), "{report}");
    sb.ok(&["--bank", "b", "report", "--html", "r.html"], "");
    let html = std::fs::read_to_string(sb.path("r.html")).unwrap();
    assert!(
        html.contains("id=\"series-nlp\""),
        "the chart draws the nlp line"
    );
}

#[test]
fn draft_bad_flags_and_files_are_named() {
    let sb = Sandbox::new();
    let q = r#"{"question": "What does dropout do during training?", "answer": "Dropout randomly zeroes a fraction of activations on each step, which stops units from co-adapting."}"#;
    sb.write("k.jsonl", &format!("\u{feff}{q}\n"));
    let o = sb.run(
        &[
            "bank",
            "draft",
            "k.jsonl",
            "-o",
            "b",
            "--area",
            "Computer Vision",
        ],
        "",
    );
    assert_one_line_error(&o, 2, "--area 'Computer Vision' must be a kebab-case name");
    // A byte-order mark is not part of the first line.
    sb.ok(&["bank", "draft", "k.jsonl", "-o", "b"], "");
    let o = sb.run(&["bank", "draft", "nope.jsonl", "-o", "c"], "");
    assert_one_line_error(&o, 1, "nope.jsonl: cannot read: ");
    assert!(!text(&o.stderr).contains("nope.jsonl:1:"));
    sb.write("kit.yaml", "- question: x\n");
    let o = sb.run(&["bank", "draft", "kit.yaml", "-o", "c"], "");
    assert_one_line_error(&o, 1, "kit.yaml: unknown input format '.yaml'");
    sb.write("kit.csv", "question,notes\nWhat?,x\n");
    let o = sb.run(&["bank", "draft", "kit.csv", "-o", "c"], "");
    assert_one_line_error(&o, 1, "kit.csv:1: the CSV header has no \"answer\" column");
    sb.write("kitnoext", "Just prose, no questions here.\n");
    let o = sb.run(&["bank", "draft", "kitnoext", "-o", "c"], "");
    assert_one_line_error(&o, 1, "kitnoext: no questions found");
}

#[test]
fn draft_questions_without_a_ladder_say_so() {
    let sb = Sandbox::new();
    sb.write(
        "k.jsonl",
        r#"{"id": "drop", "question": "What does dropout do during training?", "answer": "Dropout randomly zeroes a fraction of activations on each step, which stops units from co-adapting."}
"#,
    );
    sb.ok(&["bank", "draft", "k.jsonl", "-o", "b"], "");
    sb.write("a.txt", "It zeroes activations.");
    let o = sb.run(
        &[
            "--bank",
            "b",
            "grade",
            "--question",
            "drop",
            "--rung",
            "constraints",
            "--answer-file",
            "a.txt",
        ],
        "",
    );
    assert_one_line_error(
        &o,
        2,
        "question 'drop' has no follow-up 'constraints': it has no follow-up ladder",
    );
    let show = sb.ok(&["--bank", "b", "bank", "show", "drop"], "");
    assert!(!show.contains("Follow-up ladder"), "{show}");
    assert!(show.contains("Reference answer"), "{show}");
}

#[test]
fn draft_bad_values_are_errors_and_a_redraft_moves_its_question() {
    let sb = Sandbox::new();
    let answer =
        "Precision is the share of predicted positives that are correct: true positives over true \
                  positives plus false positives. It falls when the model raises false alarms.";
    for (name, line, needle) in [
        (
            "d.jsonl",
            format!(
                r#"{{"id": "p", "question": "What is precision?", "answer": "{answer}", "difficulty": "expert"}}"#
            ),
            "d.jsonl:1: difficulty 'expert' must be one of easy, medium, hard",
        ),
        (
            "a.jsonl",
            format!(
                r#"{{"id": "p", "question": "What is precision?", "answer": "{answer}", "area": "../../x"}}"#
            ),
            "a.jsonl:1: area '../../x' must be a kebab-case name",
        ),
    ] {
        sb.write(name, &(line + "\n"));
        let o = sb.run(&["bank", "draft", name, "-o", "bad"], "");
        assert_one_line_error(&o, 1, needle);
        assert!(!exists(&sb.path("bad")), "nothing written for {name}");
    }
    // A given area in words and a difficulty in capitals are read; a bracketed company list is a list.
    sb.write(
        "q.md",
        &format!("## 1. What is precision?\nid: precision\narea: Model Evaluation\ndifficulty: Hard\ncompanies: [Google, Meta]\n\nSample answer: {answer}\n"),
    );
    let rows = draft_rows(&sb, &["q.md", "-o", "b"]);
    assert_eq!(rubric(&rows[0], "area"), "model-evaluation");
    assert_eq!(rubric(&rows[0], "difficulty"), "hard");
    assert_eq!(
        rubric(&rows[0], "companies"),
        &serde_json::json!(["google", "meta"])
    );
    // The same id drafted into another area: refused without --force, moved with it; the bank still loads.
    sb.write(
        "q2.md",
        &format!("## 1. What is precision?\nid: precision\n\nSample answer: {answer}\n"),
    );
    let o = sb.run(&["bank", "draft", "q2.md", "-o", "b", "--area", "nlp"], "");
    assert_one_line_error(&o, 1, "already holds question 'precision'");
    draft_rows(&sb, &["q2.md", "-o", "b", "--area", "nlp", "--force"]);
    assert!(exists(&sb.path("b/nlp/precision.toml")));
    assert!(!exists(&sb.path("b/model-evaluation/precision.toml")));
    let out = sb.ok(&["--bank", "b", "bank", "list", "--area", "nlp"], "");
    assert!(out.contains("precision"), "{out}");
}
