//! The bank's quality gate: size and mix, reference answers, wrong answers, near-duplicates.

use crate::util::*;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

fn bank_list(sb: &Sandbox) -> Vec<Value> {
    serde_json::from_str::<Value>(&sb.ok(&["bank", "list", "--json"], ""))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn at_least_54_questions_6_per_core_area_with_a_difficulty_mix() {
    let sb = Sandbox::new();
    let qs = bank_list(&sb);
    assert!(qs.len() >= 54, "{} questions", qs.len());
    let mut per: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for q in &qs {
        per.entry(q["area"].as_str().unwrap().to_string())
            .or_default()
            .push(q["difficulty"].as_str().unwrap().to_string());
        assert!(
            q["companies"]
                .as_array()
                .map(|c| !c.is_empty())
                .unwrap_or(false),
            "{} has no company tag",
            q["id"]
        );
        let c = q["criteria"].as_u64().unwrap();
        assert!((4..=7).contains(&c), "{}: {c} criteria", q["id"]);
        let r = q["rungs"].as_u64().unwrap();
        assert!((3..=4).contains(&r), "{}: {r} rungs", q["id"]);
    }
    // The six core areas keep at least six questions each with every difficulty; newer areas may be smaller.
    for area in [
        "classification",
        "detection",
        "segmentation",
        "video",
        "multimodal",
        "deployment",
    ] {
        let diffs = per
            .get(area)
            .unwrap_or_else(|| panic!("no {area} questions"));
        assert!(diffs.len() >= 6, "{area}: {} questions", diffs.len());
        for d in ["easy", "medium", "hard"] {
            assert!(diffs.iter().any(|x| x == d), "{area} has no {d} question");
        }
    }
    assert!(per.len() >= 8, "areas are free-form: {per:?}");
    let quiz: u64 = qs.iter().map(|q| q["quiz_items"].as_u64().unwrap()).sum();
    assert!(quiz >= 12);
}

fn grade_batch(sb: &Sandbox, lines: &[(String, String)]) -> Vec<u64> {
    let input: String = lines
        .iter()
        .map(|(q, a)| serde_json::json!({"question": q, "answer": a}).to_string() + "\n")
        .collect();
    sb.write("batch.jsonl", &input);
    let out = sb.ok(&["grade", "--batch", "batch.jsonl"], "");
    out.lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["score"]
                .as_u64()
                .expect("graded")
        })
        .collect()
}

#[test]
fn every_reference_answer_scores_at_least_85() {
    let sb = Sandbox::new();
    let mut lines = Vec::new();
    for q in bank_list(&sb) {
        let id = q["id"].as_str().unwrap().to_string();
        let spec: Value =
            serde_json::from_str(&sb.ok(&["bank", "show", &id, "--json"], "")).unwrap();
        lines.push((id, spec["reference"].as_str().unwrap().to_string()));
    }
    let scores = grade_batch(&sb, &lines);
    let low: Vec<String> = lines
        .iter()
        .zip(&scores)
        .filter(|(_, s)| **s < 85)
        .map(|((q, _), s)| format!("{q}: {s}"))
        .collect();
    assert!(low.is_empty(), "reference answers under 85: {low:?}");
}

#[test]
fn one_sentence_wrong_answers_score_at_most_20() {
    let sb = Sandbox::new();
    let ids: HashSet<String> = bank_list(&sb)
        .iter()
        .map(|q| q["id"].as_str().unwrap().to_string())
        .collect();
    let data = std::fs::read_to_string(root().join("tests/data/bank-gate.jsonl"))
        .expect("tests/data/bank-gate.jsonl");
    let rows: Vec<Value> = data
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let covered: HashSet<String> = rows
        .iter()
        .map(|r| r["question"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        covered, ids,
        "every question needs a wrong answer in bank-gate.jsonl"
    );
    let lines: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["question"].as_str().unwrap().to_string(),
                r["wrong"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let scores = grade_batch(&sb, &lines);
    let high: Vec<String> = lines
        .iter()
        .zip(&scores)
        .filter(|(_, s)| **s > 20)
        .map(|((q, _), s)| format!("{q}: {s}"))
        .collect();
    assert!(high.is_empty(), "wrong answers over 20: {high:?}");
}

fn words(s: &str) -> HashSet<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 3)
        .map(|w| w.trim_end_matches('s').to_string())
        .collect()
}

#[test]
fn no_two_questions_are_near_duplicates() {
    let sb = Sandbox::new();
    let mut texts = Vec::new();
    for q in bank_list(&sb) {
        let id = q["id"].as_str().unwrap().to_string();
        let spec: Value =
            serde_json::from_str(&sb.ok(&["bank", "show", &id, "--json"], "")).unwrap();
        texts.push((
            id,
            words(spec["prompt"].as_str().unwrap()),
            spec["title"].as_str().unwrap().to_lowercase(),
        ));
    }
    let mut worst = (0.0, String::new());
    for i in 0..texts.len() {
        for j in i + 1..texts.len() {
            assert_ne!(texts[i].2, texts[j].2, "same title");
            let (a, b) = (&texts[i].1, &texts[j].1);
            let jac = a.intersection(b).count() as f64 / a.union(b).count().max(1) as f64;
            if jac > worst.0 {
                worst = (jac, format!("{} ~ {}", texts[i].0, texts[j].0));
            }
        }
    }
    assert!(
        worst.0 < 0.5,
        "near-duplicate prompts (Jaccard {:.2}): {}",
        worst.0,
        worst.1
    );
}
