//! Tests of the mastery fold: the weighted mean, the ranking and evidence, and rebuilding from the same log.

use super::super::history;
use super::super::testkit::*;
use super::*;
use crate::grade::Verdict;

const Q: &str = "cv-detection-anchor-boxes";

#[test]
fn ewma_weights_recent_answers_most() {
    let mut e = Ewma::default();
    assert_eq!(e.pct(), 0);
    e.push(0.0);
    assert_eq!(e.pct(), 0);
    e.push(1.0);
    // (0 * 0.5 + 1) / (0.5 + 1)
    assert_eq!(e.pct(), 67);
    e.push(1.0);
    assert_eq!(e.pct(), 86);
    let mut f = Ewma::default();
    f.push(1.0);
    f.push(0.0);
    assert_eq!(f.pct(), 33, "a recent miss outweighs an older success");
}

#[test]
fn criteria_and_concepts_ranked_weakest_first_with_evidence() {
    let mut log = Log::new(1, day(0));
    log.answered(
        Q,
        "Anchors",
        "anchors everywhere",
        &[
            ("dense-anchors", M),
            ("scales-times-ratios", X),
            ("rpn-objectness-offsets", P),
        ],
    );
    let mut log = log.then(2, day(3));
    log.answered(
        Q,
        "Anchors",
        "nine anchors, three scales",
        &[
            ("dense-anchors", M),
            ("scales-times-ratios", M),
            ("rpn-objectness-offsets", X),
        ],
    );
    let m = compute(&history(&log.events), bank());
    let ids: Vec<&str> = m.criteria.iter().map(|c| c.criterion.as_str()).collect();
    assert_eq!(
        ids,
        [
            "rpn-objectness-offsets",
            "scales-times-ratios",
            "dense-anchors"
        ]
    );
    let rpn = &m.criteria[0];
    assert_eq!(rpn.mastery.pct(), 17); // (0.5 * 0.5 + 0) / 1.5
    assert_eq!(rpn.mastery.n, 2);
    assert_eq!(rpn.last.session, 2);
    assert_eq!(rpn.last.verdict, Verdict::Missed);
    assert_eq!(rpn.last.answer, "nine anchors, three scales");
    assert_eq!(rpn.area, "detection");
    assert!(rpn.last.missing[0].contains("objectness"), "{:?}", rpn.last);
    // Concepts: rpn and box-regression only come from the weak criterion; anchors is mostly met.
    let tags: Vec<&str> = m.concepts.iter().map(|c| c.tag.as_str()).collect();
    assert_eq!(tags, ["box-regression", "rpn", "anchors"]);
    let anchors = &m.concepts[2];
    assert_eq!(anchors.mastery.pct(), 85); // (0.5 * 25/45 + 1) / 1.5
    assert_eq!(anchors.last.evidence.len(), 2);
    assert!(m
        .grid
        .iter()
        .any(|c| c.area == "detection" && c.tag == "anchors" && c.mastery.pct() == 85));
}

#[test]
fn rebuilding_from_the_same_log_gives_the_same_views() {
    let mut log = Log::new(7, day(1));
    log.ask("unknown-q", "Gone");
    log.answer("x", grade("unknown-q", None, &[("c", P)]));
    let h = history(&log.events);
    let a = compute(&h, bank());
    assert_eq!(a, compute(&history(&log.events), bank()));
    assert_eq!(a.criteria[0].area, "unknown");
    assert_eq!(a.concepts[0].tag, "tag-c");
    assert_eq!(a.concepts[0].mastery.pct(), 50);
}
