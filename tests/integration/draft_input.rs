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
