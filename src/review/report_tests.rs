//! The report as data: weak spots, trends per area.

use super::super::history;
use super::super::testkit::*;
use super::*;

const A: &str = "cv-detection-anchor-boxes";
const B: &str = "cv-classification-10k-classes";

#[test]
fn report_ranks_weak_spots_from_every_session() {
    let mut log = Log::new(1, day(0));
    log.answered(
        A,
        "Anchors",
        "boxes",
        &[("dense-anchors", X), ("scales-times-ratios", M)],
    );
    let mut log = log.then(2, day(2));
    log.answered(
        B,
        "10k",
        "smoothing",
        &[("label-smoothing", P), ("warmup-cosine", M)],
    );
    log.answered(
        A,
        "Anchors",
        "nine anchors",
        &[("dense-anchors", M), ("scales-times-ratios", M)],
    );
    let r = build(&history(&log.events), bank(), day(3), 10);
    assert_eq!((r.sessions, r.answers), (2, 3));
    let ids: Vec<&str> = r
        .weak_criteria
        .iter()
        .map(|c| c.criterion.as_str())
        .collect();
    assert_eq!(ids, ["label-smoothing", "dense-anchors"]);
    assert_eq!(r.weak_criteria[0].mastery, 50);
    assert_eq!(
        r.weak_criteria[0].last.evidence,
        ["words for label-smoothing"]
    );
    assert_eq!(r.weak_criteria[1].mastery, 67);
    assert_eq!(r.weak_criteria[1].last.session, fmt_id(2));
    assert_eq!(r.weak_concepts[0].tag, "loss-functions");
    let det = r.areas.iter().find(|a| a.area == "detection").unwrap();
    let scores: Vec<u32> = det.points.iter().map(|p| p.score).collect();
    assert_eq!(scores, [44, 100]);
    assert_eq!(det.change, 56);
    assert_eq!(r.areas[0].area, "classification", "bank order");
    assert_eq!(r.schedule.len(), 2);
    assert!(r
        .heatmap
        .iter()
        .any(|c| c.area == "detection" && c.tag == "anchors"));
    let again = build(&history(&log.events), bank(), day(3), 1);
    assert_eq!(again.weak_criteria.len(), 1);
}

#[test]
fn every_area_in_the_answers_has_a_trend() {
    let rec = |area: &str, session: u64| TrendRec {
        area: area.into(),
        first: AnswerKey {
            at: day(session as i64),
            session,
            turn: 0,
            idx: 0,
        },
        sum: 50,
        n: 1,
    };
    let recs = vec![
        rec("unknown", 1),
        rec("nlp", 2),
        rec("detection", 3),
        rec("3d-vision", 4),
    ];
    let names: Vec<String> = area_trends(recs).into_iter().map(|a| a.area).collect();
    assert_eq!(names, ["detection", "3d-vision", "nlp", "unknown"]);
}
