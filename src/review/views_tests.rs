//! The store's review views against a full replay of the log, through a real sled store: after interviews turn
//! by turn, regrades, imports in and out of time order, a write whose view update never happened, views rolled
//! back or written by an older format, and a bank whose tags changed.

use super::report::{self, Parts};
use super::testkit::*;
use crate::bank::Bank;
use crate::store::{Event, Store};

/// The views must equal a full replay of the log, to the last bit of every mean.
fn check(st: &Store, bank: &Bank) {
    let want = report::parts(&super::history(&st.all_events().unwrap()), bank);
    let got = st.view_report_parts(bank).unwrap();
    let norm = |mut p: Parts| {
        p.trends.sort_by_key(|t| t.first);
        p
    };
    let (got, want) = (norm(got), norm(want));
    assert_eq!(got.cards, want.cards);
    assert_eq!(got.mastery, want.mastery);
    assert_eq!(got.trends, want.trends);
    assert_eq!((got.sessions, got.answers), (want.sessions, want.answers));
    assert_eq!(got, want);
}

const A: &str = "cv-detection-anchor-boxes";
const B: &str = "cv-classification-10k-classes";

/// A session of three questions: A with a follow-up, B skipped after an answer, A again later.
fn session(id: u64, at: i64, strong: bool) -> Vec<Event> {
    let v = if strong { M } else { X };
    let mut log = Log::new(id, day(at));
    log.answered(
        A,
        "Anchors",
        "anchors",
        &[("dense-anchors", v), ("scales-times-ratios", P)],
    );
    log.follow_up(A, 0, "implementation");
    log.answer("grid", grade(A, Some(0), &[("grid-count", v)]));
    log.answered(
        B,
        "10k",
        "smoothing",
        &[("label-smoothing", P), ("warmup-cosine", v)],
    );
    log.skip(B);
    log.events
}

/// A regrade giving the first turn's answer to A full marks, as event `seq` of `session` on day `at`.
fn full_marks_regrade(session: u64, seq: u32, at: i64) -> Event {
    Event {
        v: crate::store::SCHEMA_VERSION,
        session,
        seq,
        at: day(at),
        kind: crate::store::EventKind::Regraded {
            turn: 0,
            grade: grade(A, None, &[("dense-anchors", M), ("scales-times-ratios", M)]),
        },
    }
}

fn open(dir: &std::path::Path) -> Store {
    Store::open(&dir.join("store")).unwrap()
}

#[test]
fn views_follow_turns_regrades_and_imports_in_any_order() {
    let dir = tempfile::tempdir().unwrap();
    let b = bank();
    let st = open(dir.path());
    st.attach_views(b).unwrap();
    // Interviews, one event at a time (each turn folded in as it is graded).
    for (i, strong) in [(10, false), (11, true), (12, false)] {
        for e in session(100 + i as u64, i, strong) {
            st.append(&e).unwrap();
            check(&st, b);
        }
    }
    assert!(!st.views_meta().unwrap().refold);
    // An interview whose clock was behind: its turns come before answers already folded in.
    for e in session(105, 1, true) {
        st.append(&e).unwrap();
        check(&st, b);
    }
    // A regrade of an old answer changes the past: the states are refolded.
    let regrade = full_marks_regrade(110, 50, 13);
    st.append_all(&[regrade]).unwrap();
    check(&st, b);
    // An import of older sessions (before everything folded so far) and of a newer one.
    let mut older = session(5, 2, true);
    older.extend(session(6, 3, false));
    assert_eq!(st.import(older).unwrap().imported, 2);
    check(&st, b);
    assert_eq!(st.import(session(200, 20, true)).unwrap().imported, 1);
    check(&st, b);
    let m = st.views_meta().unwrap();
    assert_eq!((m.sessions, m.answers), (7, 21));
    // The next interview turn after all that is folded in again.
    for e in session(300, 30, false) {
        st.append(&e).unwrap();
    }
    check(&st, b);
    // A fresh attach of the same store finds nothing to do and reads the same.
    drop(st);
    let st = open(dir.path());
    let done = st.attach_views(b).unwrap();
    assert_eq!(done, Default::default());
    check(&st, b);
}

#[test]
fn a_write_without_its_view_update_is_caught_up() {
    let dir = tempfile::tempdir().unwrap();
    let b = bank();
    {
        let st = open(dir.path());
        st.attach_views(b).unwrap();
        for e in session(1, 0, false) {
            st.append(&e).unwrap();
        }
        // As if killed between the event and its view update: the event is in the log, the view is not.
        let g = full_marks_regrade(1, 40, 1);
        st.put_raw(1, 40, &serde_json::to_vec(&g).unwrap()).unwrap();
        // Appends after it in the same process are journalled too, never folded on top of a stale view.
        for e in session(2, 5, true) {
            st.append(&e).unwrap();
        }
        st.flush().unwrap();
    }
    let st = open(dir.path());
    let done = st.attach_views(b).unwrap();
    assert!(!done.rebuilt && done.caught_up == 2, "{done:?}");
    check(&st, b);
    let cards = st.view_cards(b).unwrap();
    let a = cards.iter().find(|c| c.question == A).unwrap();
    assert_eq!(a.last_session, 2);
}

/// The store's sled database directly (retried: a store just closed releases its lock a moment later).
fn raw(dir: &std::path::Path) -> sled::Db {
    for _ in 0..50 {
        if let Ok(db) = sled::open(dir.join("store")) {
            return db;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("the store stays locked");
}

/// Every entry of the views tree, to put back later.
fn snapshot(dir: &std::path::Path) -> Vec<(sled::IVec, sled::IVec)> {
    let db = raw(dir);
    let t = db.open_tree("views").unwrap();
    t.iter().map(|r| r.unwrap()).collect()
}

fn restore(dir: &std::path::Path, entries: &[(sled::IVec, sled::IVec)]) {
    let db = raw(dir);
    let t = db.open_tree("views").unwrap();
    t.clear().unwrap();
    for (k, v) in entries {
        t.insert(k, v.clone()).unwrap();
    }
    db.flush().unwrap();
}

fn edit_meta(dir: &std::path::Path, f: impl Fn(&mut serde_json::Value)) {
    let db = raw(dir);
    let t = db.open_tree("views").unwrap();
    let mut m: serde_json::Value = serde_json::from_slice(&t.get("M").unwrap().unwrap()).unwrap();
    f(&mut m);
    t.insert("M", serde_json::to_vec(&m).unwrap()).unwrap();
    db.flush().unwrap();
}

#[test]
fn rolled_back_missing_or_old_views_are_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let b = bank();
    let write = |sessions: &[(u64, i64, bool)]| {
        let st = open(dir.path());
        st.attach_views(b).unwrap();
        for &(id, at, strong) in sessions {
            for e in session(id, at, strong) {
                st.append(&e).unwrap();
            }
        }
        st.flush().unwrap();
    };
    let reopen = || {
        let st = open(dir.path());
        let done = st.attach_views(b).unwrap();
        check(&st, b);
        done
    };
    write(&[(1, 0, false)]);
    let old = snapshot(dir.path());
    write(&[(2, 3, true), (3, 4, false)]);
    // The views rolled back to an older state: behind the log, with no journal to catch up from.
    restore(dir.path(), &old);
    assert!(reopen().rebuilt);
    // No views at all (a store from before them).
    restore(dir.path(), &[]);
    assert!(reopen().rebuilt);
    // Views in an older format, with a card that format got wrong.
    let mut tampered = snapshot(dir.path());
    for (k, v) in tampered.iter_mut() {
        if k.starts_with(b"D") {
            let mut c: serde_json::Value = serde_json::from_slice(v).unwrap();
            c["last_score"] = 99.into();
            *v = serde_json::to_vec(&c).unwrap().into();
        }
    }
    restore(dir.path(), &tampered);
    edit_meta(dir.path(), |m| m["version"] = 0.into());
    assert!(reopen().rebuilt);
    // A view record that no longer decodes.
    let mut broken = snapshot(dir.path());
    for (k, v) in broken.iter_mut() {
        if k.starts_with(b"C") {
            *v = sled::IVec::from(&b"{not json"[..]);
        }
    }
    restore(dir.path(), &broken);
    edit_meta(dir.path(), |m| m["refold"] = true.into());
    reopen();
    // Up to date: nothing to do.
    assert_eq!(reopen(), Default::default());
}

#[test]
fn a_bank_with_other_tags_refolds_the_views() {
    let dir = tempfile::tempdir().unwrap();
    let st = open(dir.path());
    st.attach_views(bank()).unwrap();
    for e in session(1, 0, false).into_iter().chain(session(2, 2, true)) {
        st.append(&e).unwrap();
    }
    let mut other = bank().clone();
    let q = other.questions.iter_mut().find(|q| q.id() == A).unwrap();
    q.criteria[0].spec.tags = vec!["renamed-tag".into()];
    q.spec.area = "video".into();
    drop(st);
    let st = open(dir.path());
    let done = st.attach_views(&other).unwrap();
    assert!(done.refolded && !done.rebuilt, "{done:?}");
    check(&st, &other);
    assert!(st
        .view_mastery(&other)
        .unwrap()
        .concepts
        .iter()
        .any(|c| c.tag == "renamed-tag"));
}
