//! Tests of the tokenizer and word normalisation.

use super::*;

fn stems(s: &str) -> Vec<String> {
    tokenize_plain(s).into_iter().map(|t| t.stem).collect()
}

#[test]
fn numbers_and_units() {
    assert_eq!(stems("10k classes"), vec!["10000", "class"]);
    assert_eq!(stems("30ms"), vec!["30", "ms"]);
    assert_eq!(stems("640x640"), vec!["640", "x", "640"]);
    assert_eq!(stems("2-4x faster"), vec!["2", "4", "x", "faster"]);
    assert_eq!(
        stems("10,000 and .1 and 0.1"),
        vec!["10000", "and", "0.1", "and", "0.1"]
    );
    assert_eq!(stems("three scales"), vec!["3", "scale"]);
    assert_eq!(stems("3D conv"), vec!["3d", "conv"]);
    assert_eq!(stems("1M images"), vec!["1000000", "imag"]);
    assert_eq!(stems("lr 6e-5"), vec!["lr", "0.00006"]);
    assert_eq!(stems("a tenth of it"), vec!["a", "0.1", "of", "it"]);
    assert_eq!(stems("the fifth layer"), vec!["the", "fifth", "layer"]);
    assert_eq!(stems("quantise"), stems("quantize"));
    assert_eq!(stems("normalisation"), stems("normalization"));
    assert_eq!(stems("labelled modelling"), stems("labeled modeling"));
    assert_eq!(stems("otherwise precise"), vec!["otherwis", "precis"]);
    assert_eq!(stems("can't won't"), vec!["can", "not", "will", "not"]);
    assert_eq!(americanize_prefix("quantis"), "quantiz");
    assert_eq!(americanize_prefix("normalisat"), "normalizat");
    assert_eq!(americanize_prefix("analys"), "analyz");
    assert_eq!(americanize_prefix("supervis"), "supervis");
    assert_eq!(americanize_prefix("rais"), "rais");
}

#[test]
fn contractions_and_clauses() {
    let t = tokenize_plain("It isn't slow, but it's big. Next one");
    let raws: Vec<&str> = t.iter().map(|t| t.raw.as_str()).collect();
    assert_eq!(
        raws,
        vec!["it", "is", "not", "slow", "but", "it", "big", "next", "one"]
    );
    assert_eq!(t[3].clause, t[0].clause);
    assert!(t[4].clause > t[3].clause);
    assert!(t[7].sent > t[6].sent);
    // Without the apostrophe, as typed in a hurry: the same words.
    for (typed, full) in [
        (
            "It isnt slow and you dont need anchors",
            "It isn't slow and you don't need anchors",
        ),
        (
            "It doesnt and it wont; it cant",
            "It doesn't and it won't; it can't",
        ),
    ] {
        let raw =
            |s: &str| -> Vec<String> { tokenize_plain(s).into_iter().map(|t| t.raw).collect() };
        assert_eq!(raw(typed), raw(full), "{typed}");
    }
}

#[test]
fn lexicon_rewrites_multiword() {
    let lex = Lexicon::new(&[("rpn".into(), vec!["region proposal network".into()])]);
    let t = tokenize_with("The Region Proposal Networks score anchors", &lex);
    let s: Vec<&str> = t.iter().map(|t| t.stem.as_str()).collect();
    assert_eq!(s, vec!["the", "rpn", "score", "anchor"]);
    assert_eq!(
        &"The Region Proposal Networks score"[t[1].start..t[1].end],
        "Region Proposal Networks"
    );
}

#[test]
fn abbreviations_do_not_end_sentences() {
    let sents = |t: &str| {
        let toks = tokenize_plain(t);
        toks.last().map_or(0, |x| x.sent + 1)
    };
    assert_eq!(
        sents("Train on K equal segments, e.g. 8, with a random offset."),
        1
    );
    assert_eq!(
        sents("Use a short schedule, i.e. a few epochs, then stop."),
        1
    );
    assert_eq!(sents("ViT vs. CNN at small data: the CNN wins."), 1);
    assert_eq!(sents("As in Lin et al. the focal loss uses gamma 2."), 1);
    assert_eq!(sents("Freeze the backbone. Retrain the head."), 2);
    assert_eq!(sents("It is cheap, etc. Then it is deployed."), 2);
    assert_eq!(sents("The model is small. E.g. it has 3M weights."), 2);
}
