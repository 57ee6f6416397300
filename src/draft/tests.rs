//! Offline drafting: claims, key terms, word families, weights.

use super::*;

#[test]
fn short_answers_split_into_points() {
    assert_eq!(
        claims("Abstraction and reusability."),
        vec!["Abstraction", "Reusability."]
    );
    assert_eq!(
        claims("At the main function."),
        vec!["At the main function."]
    );
    let c = claims("The testing stage can influence both the coding stage (phase 5) and the solution refinement stage (phase 7)");
    assert_eq!(c.len(), 2, "{c:?}");
}

#[test]
fn numbers_become_number_patterns_and_weights_sum_to_100() {
    let lex = Lexicon::default();
    let inp = DraftInput {
        question: "How many anchors sit at each position?".into(),
        answer: Some("Nine anchors: 3 scales times 3 aspect ratios. They are centred on every feature-map cell.".into()),
        ..Default::default()
    };
    let q = offline(&inp, "x", "detection", "Anchors", "easy", &lex);
    assert!(
        q.criteria[0].patterns.contains(&"#3".to_string()),
        "{:?}",
        q.criteria[0].patterns
    );
    let sum: f64 = q.criteria.iter().map(|c| c.weight).sum();
    assert_eq!(sum, 100.0);
}

#[test]
fn a_key_term_matches_its_word_family() {
    use crate::text::pattern::{Doc, Pattern};
    assert_eq!(word_family("abstraction"), "abstract*");
    assert_eq!(word_family("initialized"), "initializ*");
    // "-ability" leaves a root one letter shorter (its "e" went with the ending: reuse -> reusability).
    assert_eq!(word_family("reusability"), "reus*");
    // The root's silent "e" goes with the ending, so the "-ing" form matches too.
    assert_eq!(word_family("refinement"), "refin*");
    // Too short a root would match unrelated words ("form*": format, formula); numbers stay number patterns.
    assert_eq!(word_family("formation"), "formation");
    assert_eq!(word_family("main"), "main");
    assert_eq!(word_family("#7"), "#7");
    let lex = Lexicon::default();
    let family = Pattern::compile(&word_family("abstraction"), &lex).unwrap();
    for said in [
        "Data abstraction and reuse.",
        "It lets you abstract details away.",
    ] {
        assert!(family.find(&Doc::new(said, &lex)).is_some(), "{said}");
    }
    let reuse = Pattern::compile(&word_family("reusability"), &lex).unwrap();
    for said in ["Existing classes can be reused.", "It gives reusable code."] {
        assert!(reuse.find(&Doc::new(said, &lex)).is_some(), "{said}");
    }
    let refine = Pattern::compile(&word_family("refinement"), &lex).unwrap();
    for said in ["Refining the solution.", "The refined solution."] {
        assert!(refine.find(&Doc::new(said, &lex)).is_some(), "{said}");
    }
}

#[test]
fn claims_in_any_script_never_panic() {
    for answer in [
        "σ² is the variance and it controls the spread of the distribution around the mean.",
        "Переобучение — это когда модель запоминает шум.",
        "Или так, и модель запоминает шум, но не обобщает.",
        "过拟合是指模型记住了训练数据中的噪声，而不能泛化。",
        "🙂 and 🚀, or ✨ but σ.",
        "é",
    ] {
        let c = claims(answer);
        assert!(!c.is_empty(), "{answer}");
    }
    assert_eq!(claims("σ² is the variance")[0], "σ² is the variance");
    assert_eq!(claims("and σ² grows, or 😀 drops")[0], "σ² grows");
}
