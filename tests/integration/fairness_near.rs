//! Correct sentences worded close to a misconception must not cost points, and wrong ones must still be caught.
//!
//! Sets written for this purpose by the project's helpers without sight of the grader's rules or of each
//! other (not graded by people: each sentence is correct or wrong by construction):
//! - `tests/data/fairness-near.jsonl`: 60 correct sentences over 12 questions (negation, reported claims,
//!   hedges, clefts). On the code before this test, 8 fired a misconception; the rules were fixed on it.
//! - `tests/data/fairness-near-check.jsonl`: 70 correct and 28 wrong sentences over 14 other questions, written
//!   after those rules: 9 correct sentences were penalised before the rules, 4 after. Session 10 fixed the 4
//!   (a common claim, a habit of others set against, "leaks" as a harm).
//! - `tests/data/fairness-near-fresh.jsonl`: 150 correct and 30 wrong sentences over the other 28 questions,
//!   written before session 10's rules and first graded after the 4 above were fixed: 7 correct sentences were
//!   penalised; the rules were then fixed on it (questions asked aloud, "only … after", "would only", a negation
//!   up to six words after the phrase).
//! - `tests/data/fairness-near-final.jsonl`: 108 correct and 54 wrong sentences over all 54 questions, in nine
//!   forms (12 each), written blind while those rules were being made and graded once after them: 11 correct
//!   sentences were penalised on the code before session 10, 3 after. Two of the 3 were hedges ("rarely
//!   fixes", "seldom cures"), now negation cues; the third ("I would only downscale if …, and shrinking …")
//!   was fixed in session 12 ("only … if" conditions its whole sentence).
//!
//! Session 10 also widened every misconception's patterns (two helpers, from their own wrong wordings, blind to
//! these sets) and let a pattern's own harm word count as part of the claim ("skip connections prevent
//! overfitting"). Wrong sentences caught rose from 13 to 19 of 28 (check), 10 to 13 of 30 (fresh) and 17 to 31
//! of 54 (final), with no correct sentence newly penalised.
//!
//! Session 12 looked at the wrong sentences a misconception's patterns matched but a claim rule set aside, and
//! fixed four rules on them (so these catches are not blind): a dismissal the pattern names is its claim ("weights
//! are useless for scans"), "without" in an object does not reject what came before, a condition does not soften
//! "always", and "X is basically Y, only with more categories" names a difference. Caught: 19 → 21 (check),
//! 13 → 14 (fresh), 31 → 32 (final). The four still missed there fall outside one sentence's short span.
//!
//! - `tests/data/fairness-near-blind12.jsonl`: 80 correct and 40 wrong sentences over all 54 questions, written
//!   blind in session 12 in eight forms aimed at those rules (a condition with an absolute, "only with", "without"
//!   in an object, a dismissal denied, a true dismissal, "only … if" earlier, "is basically", mixed). On the code
//!   before session 12: 7 penalised, 26 caught; with the four rules above (not made on it): 7 and 29. Three rules
//!   were then made on it: "far from" and "anything but" deny, an alternative without its own negation is still
//!   negated ("is not irrelevant" against "(irrelevant|not important)"), and "only" opening the phrase with a
//!   condition later conditions it. Then 2 penalised and 28 caught ("is far from useless here: it sharpens …" is
//!   no longer caught: the denial in its first clause now reaches the match). Last, a claim's gap may not skip
//!   to a second conjunct ("panoptic is essentially semantic and instance segmentation unified"): 1 penalised.
//!
//! Session 12 then widened every misconception's patterns again (three helpers, their own wrong wordings, blind
//! to these sets): caught 21 → 23 (check), 14 → 16 (fresh), 32 → 36 (final), 28 → 28 (blind12). Two correct
//! sentences became penalised and were fixed (a pattern narrowed; a negation inside a removal phrase, "does not
//! drop", now negates).
//!
//! A correct sentence is appended to its question's reference answer; a wrong one is graded alone. Each set has
//! its bars (what the grader does today): fail when more correct sentences are penalised or fewer wrong ones
//! are caught.

use crate::util::*;
use serde_json::{json, Value};

/// The reference answer of every built-in question, by id.
fn references() -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    for area in std::fs::read_dir(root().join("rubrics")).unwrap() {
        let area = area.unwrap().path();
        if area.ends_with("lexicon") || !area.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&area).unwrap() {
            let f = f.unwrap().path();
            let v: toml::Value = toml::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
            let id = f.file_stem().unwrap().to_string_lossy().to_string();
            out.insert(id, v["reference"].as_str().unwrap().to_string());
        }
    }
    out
}

/// (correct sentences penalised, correct total, wrong sentences caught by their own misconception, wrong total).
fn measure(sb: &Sandbox, set: &str) -> (usize, usize, usize, usize) {
    let refs = references();
    let text = std::fs::read_to_string(root().join(set)).unwrap();
    let items: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let batch: String = items
        .iter()
        .enumerate()
        .map(|(k, v)| {
            let q = v["question"].as_str().unwrap();
            let s = v["sentence"].as_str().unwrap();
            let answer = if v["kind"] == "correct" {
                format!("{} {s}", refs[q])
            } else {
                s.to_string()
            };
            json!({"id": k.to_string(), "question": q, "answer": answer}).to_string() + "\n"
        })
        .collect();
    let out = sb.ok(
        &["grade", "--grader", "offline", "--batch", "-", "--json"],
        &batch,
    );
    let graded: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(graded.len(), items.len(), "{set}: one grade per line");
    let (mut pen, mut nc, mut caught, mut nw) = (0, 0, 0, 0);
    for (v, g) in items.iter().zip(&graded) {
        let hits: Vec<&str> = g["misconceptions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap())
            .collect();
        if v["kind"] == "correct" {
            nc += 1;
            pen += usize::from(!hits.is_empty());
        } else {
            nw += 1;
            caught += usize::from(hits.contains(&v["misconception"].as_str().unwrap()));
        }
    }
    (pen, nc, caught, nw)
}

#[test]
fn correct_sentences_near_a_misconception_cost_nothing() {
    let sb = Sandbox::new();
    let (pen, n, _, _) = measure(&sb, "tests/data/fairness-near.jsonl");
    assert_eq!(n, 60);
    assert_eq!(pen, 0, "{pen} of {n} correct sentences penalised");
    let (pen, n, caught, nw) = measure(&sb, "tests/data/fairness-near-check.jsonl");
    assert_eq!((n, nw), (70, 28));
    assert_eq!(
        pen, 0,
        "check set: {pen} of {n} correct sentences penalised"
    );
    assert!(
        caught >= 23,
        "check set: {caught} of {nw} wrong sentences caught (bar 23)"
    );
    let (pen, n, caught, nw) = measure(&sb, "tests/data/fairness-near-fresh.jsonl");
    assert_eq!((n, nw), (150, 30));
    assert_eq!(
        pen, 0,
        "fresh set: {pen} of {n} correct sentences penalised"
    );
    assert!(
        caught >= 16,
        "fresh set: {caught} of {nw} wrong sentences caught (bar 16)"
    );
    let (pen, n, caught, nw) = measure(&sb, "tests/data/fairness-near-final.jsonl");
    assert_eq!((n, nw), (108, 54));
    assert!(
        pen == 0,
        "final set: {pen} of {n} correct sentences penalised"
    );
    assert!(
        caught >= 36,
        "final set: {caught} of {nw} wrong sentences caught (bar 36)"
    );
    let (pen, n, caught, nw) = measure(&sb, "tests/data/fairness-near-blind12.jsonl");
    assert_eq!((n, nw), (80, 40));
    assert!(
        pen <= 1,
        "blind12 set: {pen} of {n} correct sentences penalised (bar 1)"
    );
    assert!(
        caught >= 28,
        "blind12 set: {caught} of {nw} wrong sentences caught (bar 28)"
    );
}
