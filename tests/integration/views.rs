//! The review views through the binary: `due`, `report`, `compare` and the start of an interview read the views
//! kept in the store, and these must equal a full replay of the log (the hidden `--from-log`) after interviews,
//! regrades, imports in and out of time order, a turn whose view update never happened, a kill -9, and stores
//! whose views are missing, older or damaged.

use crate::review::{json_of, sit, two_sessions, A, B, FIRST, SECOND};
use crate::util::*;
use serde_json::Value;
use std::process::Stdio;

/// `report`, `due` and `compare` from the views equal the same commands computed from the whole log, as of the
/// same moment. Returns the report.
fn same_as_log(sb: &Sandbox, extra: &[&str]) -> Value {
    let t = (chrono::Utc::now() + chrono::Duration::hours(30)).to_rfc3339();
    let mut report = Value::Null;
    for args in [
        vec!["report", "--json", "--limit", "1000"],
        vec!["due", "--all", "--json"],
        vec!["due", "--within", "2", "--json"],
    ] {
        let mut a: Vec<&str> = extra.to_vec();
        a.extend(&args);
        a.extend(["--as-of", t.as_str()]);
        let views = json_of(sb, &a);
        a.push("--from-log");
        let log = json_of(sb, &a);
        assert_eq!(views, log, "{args:?} from the views differs from the log");
        if args[0] == "report" {
            report = views;
        }
    }
    for q in [A, B] {
        let mut a: Vec<&str> = extra.to_vec();
        a.extend(["compare", "--question", q, "--json"]);
        let views = sb.run(&a, "");
        a.push("--from-log");
        let log = sb.run(&a, "");
        assert_eq!(text(&views.stdout), text(&log.stdout), "compare {q}");
        assert_eq!(views.status.code(), log.status.code(), "compare {q}");
    }
    report
}

/// The store's sled database, opened directly (retried while the last viva releases its lock).
fn raw(sb: &Sandbox) -> sled::Db {
    for _ in 0..100 {
        if let Ok(db) = sled::open(sb.store()) {
            return db;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("the store stays locked");
}

/// Change every card of the views (a view gone wrong) and optionally their format version.
fn tamper_cards(sb: &Sandbox, version: Option<u32>) {
    let db = raw(sb);
    let t = db.open_tree("views").unwrap();
    let cards: Vec<_> = t.scan_prefix("D").map(|r| r.unwrap()).collect();
    assert!(!cards.is_empty(), "the store has views with cards");
    for (k, v) in cards {
        let mut c: Value = serde_json::from_slice(&v).unwrap();
        c["last_score"] = 99.into();
        t.insert(k, serde_json::to_vec(&c).unwrap()).unwrap();
    }
    if let Some(v) = version {
        let mut m: Value = serde_json::from_slice(&t.get("M").unwrap().unwrap()).unwrap();
        m["version"] = v.into();
        t.insert("M", serde_json::to_vec(&m).unwrap()).unwrap();
    }
    db.flush().unwrap();
}

fn last_scores(sb: &Sandbox) -> Vec<u64> {
    json_of(sb, &["due", "--all", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["last_score"].as_u64().unwrap())
        .collect()
}

/// Export every session with all times moved `days` into the past and with new session ids.
fn aged_export(sb: &Sandbox, days: i64, id_shift: u64) -> String {
    let all = sb.ok(&["export", "--all", "--format", "json"], "");
    let mut out = String::new();
    for line in all.lines() {
        let mut v: Value = serde_json::from_str(line).unwrap();
        let at = chrono::DateTime::parse_from_rfc3339(v["at"].as_str().unwrap()).unwrap()
            - chrono::Duration::days(days);
        v["at"] = Value::String(at.with_timezone(&chrono::Utc).to_rfc3339());
        v["session"] = (v["session"].as_u64().unwrap() - id_shift).into();
        out.push_str(&v.to_string());
        out.push('\n');
    }
    out
}

#[test]
fn views_equal_a_replay_after_interviews_regrades_and_imports() {
    let (sb, s1, _s2) = two_sessions();
    let r = same_as_log(&sb, &[]);
    assert_eq!(
        (r["sessions"].as_u64(), r["answers"].as_u64()),
        (Some(2), Some(6))
    );
    assert!(!r["weak_criteria"].as_array().unwrap().is_empty());
    // A regrade under a rubric whose weights changed gives new scores: the views follow.
    let src =
        std::fs::read_to_string(root().join("rubrics/detection/cv-detection-anchor-boxes.toml"))
            .unwrap();
    sb.write(
        "mine/cv-detection-anchor-boxes.toml",
        &src.replacen("weight = 25", "weight = 60", 1),
    );
    let before = json_of(&sb, &["--bank", "mine", "report", "--json"]);
    let rows = json_of(&sb, &["--bank", "mine", "regrade", &s1, "--json"]);
    assert!(
        rows.as_array().unwrap().iter().any(|r| r["change"] != 0),
        "{rows}"
    );
    let after = same_as_log(&sb, &["--bank", "mine"]);
    assert_ne!(before["weak_criteria"], after["weak_criteria"]);
    same_as_log(&sb, &[]);
    // An import into an empty store builds the same views.
    sb.ok(
        &["export", "--all", "--format", "json", "-o", "all.jsonl"],
        "",
    );
    let other = Sandbox::new();
    std::fs::copy(sb.path("all.jsonl"), other.path("all.jsonl")).unwrap();
    other.ok(&["import", "all.jsonl"], "");
    let mut a = same_as_log(&other, &[]);
    let mut b = json_of(&sb, &["report", "--json", "--limit", "1000"]);
    a["generated"] = Value::Null;
    b["generated"] = Value::Null;
    assert_eq!(a["areas"], b["areas"]);
    assert_eq!(a["weak_concepts"], b["weak_concepts"]);
    // Older sessions imported after newer ones are folded in their place in time.
    let third = Sandbox::new();
    sit(&third, &[A], SECOND);
    third.write("old.jsonl", &aged_export(&sb, 40, 1 << 40));
    third.ok(&["import", "old.jsonl"], "");
    let r = same_as_log(&third, &[]);
    assert_eq!(r["sessions"], 3);
    // And an interview after all that is folded in as it is graded.
    sit(&third, &[B, A], FIRST);
    assert_eq!(same_as_log(&third, &[])["sessions"], 4);
}

#[test]
fn a_turn_whose_view_update_never_happened_is_caught_up() {
    let (sb, s1, _) = two_sessions();
    let evs = json_of(&sb, &["replay", &s1, "--json"]);
    let evs = evs.as_array().unwrap();
    // A new grade of the turn that answered B, as if the process died after writing it to the log and before
    // updating the views.
    let g = evs
        .iter()
        .find(|e| e["type"] == "Graded" && e["grade"]["question"] == B)
        .unwrap();
    let mut re = g.clone();
    re["type"] = "Regraded".into();
    re["seq"] = (evs
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .max()
        .unwrap()
        + 1)
    .into();
    for c in re["grade"]["criteria"].as_array_mut().unwrap() {
        c["verdict"] = "met".into();
    }
    re["grade"]["score"] = 97.into();
    {
        let st = viva::store::Store::open(&sb.store()).unwrap();
        let seq = re["seq"].as_u64().unwrap() as u32;
        st.put_raw(
            viva::store::parse_id(&s1).unwrap(),
            seq,
            re.to_string().as_bytes(),
        )
        .unwrap();
        st.flush().unwrap();
    }
    same_as_log(&sb, &[]);
    let due = json_of(&sb, &["due", "--all", "--json"]);
    let b = due
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["question"] == B)
        .unwrap();
    assert!(b["last_score"].as_u64().unwrap() > 50, "{b}");
}

#[test]
fn kill_9_after_a_graded_turn_leaves_views_that_match_the_log() {
    let (sb, _, _) = two_sessions();
    let mut c = sb.cmd();
    c.args([
        "interview",
        "--question",
        A,
        "--follow-ups",
        "2",
        "--probes",
        "0",
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    let mut child = c.spawn().unwrap();
    {
        use std::io::Write;
        let mut si = child.stdin.take().unwrap();
        si.write_all(format!("{SECOND}\n").as_bytes()).unwrap();
        // Keep stdin open: the interview waits for the next answer.
        std::mem::forget(si);
    }
    let mut out = child.stdout.take().unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    while !seen.contains("Follow-up") {
        use std::io::Read;
        let n = out.read(&mut buf).unwrap();
        assert!(n > 0, "the interview ended early: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let r = same_as_log(&sb, &[]);
    assert_eq!(r["sessions"], 3, "the graded turn survived the kill");
}

#[test]
fn a_killed_import_leaves_views_that_match_the_log() {
    let sb = Sandbox::new();
    sit(&sb, &[A, B], FIRST);
    let one = sb.ok(&["export", "--all", "--format", "json"], "");
    let base = one
        .lines()
        .next()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["session"]
                .as_u64()
                .unwrap()
        })
        .unwrap();
    let mut big = String::new();
    for k in 1..=2500u64 {
        for l in one.lines() {
            let mut v: Value = serde_json::from_str(l).unwrap();
            v["session"] = (base - k * 4096).into();
            let at = chrono::DateTime::parse_from_rfc3339(v["at"].as_str().unwrap()).unwrap()
                - chrono::Duration::hours(k as i64);
            v["at"] = Value::String(at.with_timezone(&chrono::Utc).to_rfc3339());
            big.push_str(&v.to_string());
            big.push('\n');
        }
    }
    let other = Sandbox::new();
    sit(&other, &[A], SECOND);
    other.write("big.jsonl", &big);
    let mut c = other.cmd();
    c.args(["import", "big.jsonl"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = c.spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    let _ = child.kill();
    let _ = child.wait();
    same_as_log(&other, &[]);
    other.ok(&["import", "big.jsonl"], "");
    let r = same_as_log(&other, &[]);
    assert_eq!(r["sessions"], 2501);
}

#[test]
fn an_old_store_without_views_opens_and_gets_them_built() {
    let (sb, _, _) = two_sessions();
    let want = last_scores(&sb);
    {
        // What a store written before the views looks like: the log and the session list only.
        let db = raw(&sb);
        for t in ["views", "log_meta", "journal"] {
            assert!(db.drop_tree(t).unwrap(), "{t}");
        }
        db.flush().unwrap();
    }
    let d = json_of(&sb, &["doctor", "--json"]);
    assert_eq!(d["views"]["up_to_date"], false, "{d}");
    same_as_log(&sb, &[]);
    assert_eq!(last_scores(&sb), want);
    let d = json_of(&sb, &["doctor", "--json"]);
    assert_eq!(d["views"]["up_to_date"], true, "{d}");
    assert_eq!(d["views"]["sessions"], 2, "{d}");
    // An interview on it starts from the rebuilt schedule and keeps it current.
    sit(&sb, &[B], FIRST);
    same_as_log(&sb, &[]);
}

#[test]
fn views_in_an_older_format_are_rebuilt() {
    let (sb, _, _) = two_sessions();
    let want = last_scores(&sb);
    tamper_cards(&sb, Some(0));
    assert_eq!(last_scores(&sb), want);
    same_as_log(&sb, &[]);
}

#[test]
fn a_view_record_that_does_not_decode_is_rebuilt_when_read() {
    let (sb, _, _) = two_sessions();
    let want = last_scores(&sb);
    {
        let db = raw(&sb);
        let t = db.open_tree("views").unwrap();
        let keys: Vec<_> = t.scan_prefix("D").keys().map(|k| k.unwrap()).collect();
        for k in keys {
            t.insert(k, &b"\xff not a card"[..]).unwrap();
        }
        db.flush().unwrap();
    }
    assert_eq!(last_scores(&sb), want);
    same_as_log(&sb, &[]);
}

#[test]
fn repair_views_rebuilds_them_on_demand() {
    let (sb, _, _) = two_sessions();
    let want = last_scores(&sb);
    // Views damaged in a way nothing records (a bad disk, a bug): `viva repair --views` is the way out.
    tamper_cards(&sb, None);
    assert!(last_scores(&sb).iter().all(|s| *s == 99));
    let out = sb.ok(&["repair", "--views"], "");
    assert!(
        out.contains("rebuilt the review views from the log: 2 session(s), 6 graded answer(s)"),
        "{out}"
    );
    assert_eq!(last_scores(&sb), want);
    same_as_log(&sb, &[]);
    assert!(sb.ok(&["repair"], "").contains("no unreadable records"));
}
