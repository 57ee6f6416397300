//! Polarity of matching by meaning: which answer units may meet which statements, whatever their similarity.

use super::*;

/// The units `answer` is matched by (no void sentences, no question words).
fn units(answer: &str) -> Vec<Sentence> {
    sentences(
        &Doc::new(answer, &Lexicon::default()),
        &HashSet::new(),
        &FnvSet::default(),
    )
}

/// Whether the whole-sentence unit of `answer` disagrees in polarity with `statement`.
fn conflict(answer: &str, statement: &str) -> bool {
    let units = units(answer);
    let unit = units
        .first()
        .unwrap_or_else(|| panic!("no claim-making unit in {answer:?}"));
    let want = &statement_words(&[statement], &Lexicon::default())[0];
    unit.conflicts(want)
}

#[test]
fn a_contrast_rejects_only_the_option_it_names() {
    // "instead of 640" rejects 640, not the advice to lower the resolution.
    assert!(!conflict(
        "If the budget is still blown, feed smaller frames, 480 or 416 instead of 640, since cost scales with the square of the side.",
        "If still over budget, lower input resolution (640 to 416/480, cost ~ quadratic in side)."
    ));
    // A bracketed "not" in the statement and "rather than" in the answer reject the same thing.
    assert!(!conflict(
        "After the network, blend in a decaying average of the soft probability maps rather than the binary masks.",
        "Smooths after the model: EMA of probability maps (not hard labels) or hysteresis thresholds."
    ));
}

#[test]
fn choosing_the_other_option_still_conflicts() {
    assert!(conflict(
        "For the car I would pick Two-Stream over SlowFast because explicit flow is accurate.",
        "SlowFast is the real-time choice because it learns motion from raw frames."
    ));
    assert!(conflict(
        "Use soft probability maps for smoothing, not hard masks.",
        "Smoothing hard masks works best."
    ));
}

#[test]
fn an_idiom_that_affirms_is_not_a_denial() {
    assert!(!conflict(
        "The body runs at least once no matter what the condition is.",
        "The block inside a do-while statement executes at least once."
    ));
    assert!(!conflict(
        "Not only the weights but the activations are quantised.",
        "The activations are quantised."
    ));
    assert!(conflict(
        "No block runs before the condition is checked.",
        "The block runs before the condition is checked."
    ));
}

#[test]
fn a_denial_meets_only_a_denial() {
    assert!(conflict(
        "Gradient accumulation will fix the noisy batch statistics.",
        "Gradient accumulation does not fix it: it enlarges the gradient batch, not the normalisation statistics."
    ));
    assert!(!conflict(
        "Accumulating gradients won't help, since the statistics are still computed on two images.",
        "Gradient accumulation does not fix it."
    ));
    assert!(!conflict(
        "Not having a base case makes the recursion run forever.",
        "If the recursion step is defined incorrectly, or if the base case is not included."
    ));
}

#[test]
fn avoiding_denies_like_without() {
    let statement = "It avoids making copies of large data structures when calling functions.";
    assert!(!conflict(
        "Large objects are passed without copying them.",
        statement
    ));
    assert!(conflict(
        "Passing by reference makes a copy of the large structure.",
        statement
    ));
}

/// The texts of the units `answer` is matched by.
fn unit_texts(answer: &str) -> Vec<String> {
    units(answer).into_iter().map(|s| s.text).collect()
}

#[test]
fn a_claim_across_two_clauses_is_one_unit() {
    let units = unit_texts(
        "The backbone outputs a grid of features, and at each cell the detector places nine fixed rectangles, all centred on that cell.",
    );
    assert!(
        units
            .iter()
            .any(|u| u.starts_with("and at each cell") && u.ends_with("centred on that cell")),
        "{units:?}"
    );
    // Two clauses: the sentence itself already joins them, so no pair is added.
    let two =
        unit_texts("The detector places nine fixed rectangles, all centred on each grid cell.");
    assert_eq!(two.iter().filter(|u| u.contains(',')).count(), 1, "{two:?}");
}
