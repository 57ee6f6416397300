//! Expert notes against junk: correct answers written as terse notes (few verbs, arrows, figures) must not be
//! capped as keyword stuffing, and term lists, buzzword prose and buzzwords strung together with arrows must be.
//!
//! Three sets written for this purpose by the project's helpers (not graded by people: each line is a correct
//! answer or junk by construction), each written without sight of the others or of the grader:
//! `tests/data/telegraphic.jsonl` (32 notes, 16 junk answers; the rules were developed on it),
//! `tests/data/telegraphic-check.jsonl` (24 notes, 24 junk answers; checked afterwards, then used to settle the
//! linking words) and `tests/data/telegraphic-final.jsonl` (24 notes, 24 junk answers; checked last, then used to
//! settle how much of the field's vocabulary notation needs).

use crate::util::*;
use rstest::rstest;
use serde_json::{json, Value};

/// (file, question, kind, answer) for every line of the three sets.
fn lines() -> Vec<(String, String, String, String)> {
    [
        "tests/data/telegraphic.jsonl",
        "tests/data/telegraphic-check.jsonl",
        "tests/data/telegraphic-final.jsonl",
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
    // Junk stays at or under the stuffing cap. One buzzword-prose answer of the final set ("ambition meets token
    // gravity … tubelet-aware stewardship") uses invented buzzwords and scored 38 before these rules too: it may
    // pass the cap, but no junk answer may reach 40.
    let paid: Vec<String> = rows
        .iter()
        .zip(&graded)
        .filter(|((_, _, kind, _), v)| kind == "salad" && score(v) > 20)
        .map(|((f, q, _, a), v)| format!("{f} {q}: {} | {}", score(v), &a[..a.len().min(90)]))
        .collect();
    assert!(paid.len() <= 1, "junk that paid:\n{}", paid.join("\n"));
    let worst = rows
        .iter()
        .zip(&graded)
        .filter(|((_, _, kind, _), _)| kind == "salad")
        .map(|(_, v)| score(v))
        .max();
    assert!(worst < Some(40), "junk scored {worst:?}");
    // Correct notes: before the notation, linking-word and buzzword rules 58 of the 80 were capped at 20; now 17
    // are. Fail if more are, or if the notes that pass stop scoring like correct answers.
    let notes: Vec<i64> = rows
        .iter()
        .zip(&graded)
        .filter(|((_, _, kind, _), _)| kind == "telegraphic")
        .map(|(_, v)| score(v))
        .collect();
    assert_eq!(notes.len(), 80);
    let capped = notes.iter().filter(|s| **s <= 20).count();
    assert!(
        capped <= 17,
        "{capped} of 80 correct notes capped: {notes:?}"
    );
    let passing: Vec<i64> = notes.iter().copied().filter(|s| *s > 20).collect();
    let mean = passing.iter().sum::<i64>() as f64 / passing.len() as f64;
    assert!(mean >= 75.0, "notes that pass average {mean:.1}: {notes:?}");
}

/// `viva calibrate --json` shows why: whether an answer's notes count as notation, and its buzzwords.
#[test]
fn calibrate_shows_notation_and_buzzwords() {
    let sb = Sandbox::new();
    let rows = lines();
    let pick = |file: &str, kind: &str, q: &str| {
        rows.iter()
            .find(|(f, qq, k, _)| f.ends_with(file) && k == kind && qq == q)
            .map(|(_, q, _, a)| json!({"question": q, "answer": a, "label": kind, "human": 50}))
            .unwrap()
    };
    let set = json!([
        pick(
            "telegraphic.jsonl",
            "telegraphic",
            "cv-3d-vision-stereo-depth"
        ),
        pick(
            "telegraphic-final.jsonl",
            "salad",
            "cv-deploy-distributed-training"
        ),
        pick("telegraphic.jsonl", "salad", "cv-deploy-distillation-edge"),
    ]);
    sb.write("set.json", &set.to_string());
    let v: Value =
        serde_json::from_str(&sb.ok(&["calibrate", "--set", "set.json", "--json"], "")).unwrap();
    let sig = |i: usize| v["items"][i]["signals"].clone();
    assert_eq!(sig(0)["notation"], true, "{}", sig(0));
    assert_eq!(
        sig(1)["notation"],
        false,
        "arrows between everyday words: {}",
        sig(1)
    );
    assert!(sig(2)["buzzwords"].as_u64().unwrap() >= 3, "{}", sig(2));
}
