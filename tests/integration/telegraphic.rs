//! Expert notes against junk: correct answers written as terse notes (few verbs, arrows, figures) must not be
//! capped as keyword stuffing, and term lists, buzzword prose and buzzwords strung together with arrows must be.
//!
//! Two sets written for this purpose by the project (not graded by people; each line is correct or junk by
//! construction), neither seen by the golden raters: `tests/data/telegraphic.jsonl` (32 notes, 16 junk answers;
//! the detectors were developed on it) and `tests/data/telegraphic-check.jsonl` (24 notes, 24 junk answers,
//! written afterwards without sight of the first set or the grader, kept for checking).

use crate::util::*;
use rstest::rstest;
use serde_json::{json, Value};

/// (file, question, kind, answer) for every line of both sets.
fn lines() -> Vec<(String, String, String, String)> {
    [
        "tests/data/telegraphic.jsonl",
        "tests/data/telegraphic-check.jsonl",
    ]
    .iter()
    .flat_map(|f| {
        let text = std::fs::read_to_string(root().join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                let s = |k: &str| v[k].as_str().unwrap().to_string();
                (f.to_string(), s("question"), s("kind"), s("answer"))
            })
            .collect::<Vec<_>>()
    })
    .collect()
}

fn grade(sb: &Sandbox, rows: &[(String, String, String, String)]) -> Vec<Value> {
    let input: String = rows
        .iter()
        .map(|(_, q, _, a)| json!({"question": q, "answer": a}).to_string() + "\n")
        .collect();
    sb.write("notes.jsonl", &input);
    let out = sb.ok(&["grade", "--batch", "notes.jsonl"], "");
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[rstest]
fn expert_notes_are_not_capped_and_junk_is(#[values(false, true)] semantic: bool) {
    let Some(sb) = Sandbox::graded_by(semantic) else {
        return;
    };
    let rows = lines();
    let graded = grade(&sb, &rows);
    assert_eq!(graded.len(), rows.len());
    let score = |v: &Value| v["score"].as_i64().expect("graded");
    // Every junk answer stays at or under the stuffing cap.
    let paid: Vec<String> = rows
        .iter()
        .zip(&graded)
        .filter(|((_, _, kind, _), v)| kind == "salad" && score(v) > 20)
        .map(|((f, q, _, a), v)| format!("{f} {q}: {} | {}", score(v), &a[..a.len().min(90)]))
        .collect();
    assert!(paid.is_empty(), "junk that paid:\n{}", paid.join("\n"));
    // Correct notes: before the notation and buzzword rules 40 of the 56 were capped at 20; now 14 are. Fail if
    // more are, or if the notes that pass stop scoring like correct answers.
    let notes: Vec<i64> = rows
        .iter()
        .zip(&graded)
        .filter(|((_, _, kind, _), _)| kind == "telegraphic")
        .map(|(_, v)| score(v))
        .collect();
    assert_eq!(notes.len(), 56);
    let capped = notes.iter().filter(|s| **s <= 20).count();
    assert!(
        capped <= 14,
        "{capped} of 56 correct notes capped: {notes:?}"
    );
    let passing: Vec<i64> = notes.iter().copied().filter(|s| *s > 20).collect();
    let mean = passing.iter().sum::<i64>() as f64 / passing.len() as f64;
    assert!(mean >= 75.0, "notes that pass average {mean:.1}: {notes:?}");
}
