//! Tests of reading a model's draft and turning it into a question file.

use super::*;
use serde_json::json;

fn base() -> QuestionSpec {
    QuestionSpec {
        id: "ml-dropout".into(),
        area: "ml".into(),
        title: "Dropout".into(),
        difficulty: "easy".into(),
        companies: vec![],
        version: 1,
        tags: vec!["ml".into()],
        prompt: "What does dropout do during training?".into(),
        reference: String::new(),
        criteria: vec![],
        misconceptions: vec![],
        ladder: vec![],
        quiz: vec![],
    }
}

#[test]
fn lenient_reading_and_generated_patterns() {
    let v = json!({
        "criteria": [
            {"statement": "Dropout randomly zeroes a fraction of activations on each step.", "weight": "60", "patterns": ["zero* + activation*", "((broken"]},
            "It stops units from co-adapting and acts as a regulariser."
        ],
        "misconceptions": [{"statement": "Believes dropout stays active at inference time.", "penalty": 90, "correct": ["Dropout is switched off at inference."]}],
        "ladder": [{"stage": "Failure modes", "question": "When does dropout hurt?", "constraints": [], "criteria": [{"statement": "Small models underfit with heavy dropout.", "weight": 1, "needs": "none"}]}]
    });
    let d = ModelDraft::from_json(&v).unwrap();
    assert_eq!(d.criteria[0].weight, 60.0);
    assert_eq!(d.ladder[0].stage, "failure_modes");
    assert_eq!(d.ladder[0].criteria[0].needs, None);
    let lex = Lexicon::default();
    let s = to_spec(&d, &base(), "Dropout zeroes activations at random.", &lex);
    // The broken pattern is dropped, the good one kept; the bare statement gets generated key terms.
    assert_eq!(s.criteria[0].patterns, vec!["zero* + activation*"]);
    assert!(!s.criteria[1].patterns.is_empty());
    let sum: f64 = s.criteria.iter().map(|c| c.weight).sum();
    assert_eq!(sum, 100.0);
    assert_eq!(s.misconceptions[0].penalty, 30.0);
    assert!(s.misconceptions[0].patterns[0].contains(" + "));
    assert!(s.misconceptions[0].id.starts_with("wrong-"));
    assert!(
        !s.misconceptions[0].id.contains("believes"),
        "{}",
        s.misconceptions[0].id
    );
    assert!(!s.misconceptions[0].patterns[0].contains("believes"));
    assert_eq!(claim_of("Thinks that X is Y."), "X is Y.");
    let ids: HashSet<&str> = s
        .criteria
        .iter()
        .chain(s.ladder.iter().flat_map(|r| r.criteria.iter()))
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(ids.len(), 3, "ids are unique across the question");
    // Short sample, no complete reference from the model: the sample and the ladder's points.
    assert_eq!(
        s.reference,
        "Dropout zeroes activations at random. Small models underfit with heavy dropout."
    );
    let long =
        "Dropout zeroes activations at random during training so units cannot co-adapt. ".repeat(4);
    assert_eq!(reference_for("Short.", &long, &s.ladder), long.trim());
    assert_eq!(reference_for("Short.", &long, &[]), "Short.");
    let short = shortfalls(&s);
    assert!(
        short.iter().any(|m| m.contains("'constraints' rung")),
        "{short:?}"
    );
    assert!(ModelDraft::from_json(&json!({"criteria": []})).is_err());
    assert!(ModelDraft::from_json(&json!("text")).is_err());
}

#[test]
fn restatements_are_kept_when_each_is_one_claim() {
    let v = json!({
        "criteria": [{
            "statement": "Dropout randomly zeroes a fraction of activations on each step.",
            "weight": 60,
            "restatements": [
                "On every training step a random share of the units is switched off.",
                "short",
                "Each step drops a random subset of activations to zero, so no unit can rely on another.",
                "A third good one that says the same thing about random zeroing during training."
            ]
        }]
    });
    let d = ModelDraft::from_json(&v).unwrap();
    assert_eq!(
        d.criteria[0].restatements.len(),
        2,
        "{:?}",
        d.criteria[0].restatements
    );
    assert!(d.criteria[0].restatements.iter().all(|r| r != "short"));
    let s = to_spec(
        &d,
        &base(),
        "Dropout zeroes activations at random.",
        &Lexicon::default(),
    );
    assert_eq!(s.criteria[0].restatements, d.criteria[0].restatements);
    let none = ModelDraft::from_json(&json!({"criteria": ["Dropout regularises."]})).unwrap();
    assert!(none.criteria[0].restatements.is_empty());
}
