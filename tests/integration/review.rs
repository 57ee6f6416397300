//! Weak spots over time through the real store: report, due, priority, compare, regrade, HTML export.

use crate::util::*;
use serde_json::Value;

pub const A: &str = "cv-detection-anchor-boxes";
pub const B: &str = "cv-classification-10k-classes";

/// First session: a thin answer to A and its follow-up, a partial one to B.
pub const FIRST: &str = "Anchors sit at every feature map location.

I don't know.

Label smoothing of 0.1 and a cosine schedule with warmup.

No idea, sorry.
";

/// Second session: a better answer to A.
pub const SECOND: &str =
    "Each position on the feature map gets nine anchors: 3 scales times 3 aspect ratios.
The RPN predicts objectness and regresses offsets for each anchor.

For a 600x1000 image at stride 16 the map is about 38 by 63 cells, so roughly 20,000 anchors.
";

/// Run a piped interview and return the new session's id.
pub fn sit(sb: &Sandbox, questions: &[&str], answers: &str) -> String {
    // The plain ladder: these tests script one answer per rung.
    let mut args = vec!["interview", "--follow-ups", "1", "--probes", "0"];
    for q in questions {
        args.push("--question");
        args.push(q);
    }
    sb.ok(&args, answers);
    let v: Value = serde_json::from_str(&sb.ok(&["sessions", "--json"], "")).unwrap();
    v[0]["id"].as_str().unwrap().to_string()
}

/// Two scripted sessions in a fresh sandbox.
pub fn two_sessions() -> (Sandbox, String, String) {
    let sb = Sandbox::new();
    let s1 = sit(&sb, &[A, B], FIRST);
    let s2 = sit(&sb, &[A], SECOND);
    (sb, s1, s2)
}

pub fn json_of(sb: &Sandbox, args: &[&str]) -> Value {
    let out = sb.ok(args, "");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {out}"))
}

/// Copy every session into a new sandbox with all times moved `days` into the past.
fn aged(sb: &Sandbox, days: i64) -> Sandbox {
    sb.ok(
        &["export", "--all", "--format", "json", "-o", "all.jsonl"],
        "",
    );
    let text = std::fs::read_to_string(sb.path("all.jsonl")).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        let mut v: Value = serde_json::from_str(line).unwrap();
        let at = chrono::DateTime::parse_from_rfc3339(v["at"].as_str().unwrap()).unwrap()
            - chrono::Duration::days(days);
        v["at"] = Value::String(at.with_timezone(&chrono::Utc).to_rfc3339());
        out.push_str(&v.to_string());
        out.push('\n');
    }
    let old = Sandbox::new();
    old.write("old.jsonl", &out);
    old.ok(&["import", "old.jsonl"], "");
    old
}

#[test]
fn report_ranks_weak_spots_from_both_sessions() {
    let (sb, s1, s2) = two_sessions();
    let r = json_of(&sb, &["report", "--json"]);
    assert_eq!(r["sessions"], 2);
    let weak = r["weak_criteria"].as_array().unwrap();
    assert!(!weak.is_empty());
    let from = |s: &str| weak.iter().filter(|c| c["last"]["session"] == s).count();
    assert!(
        from(&s1) > 0 && from(&s2) > 0,
        "weak spots from both sessions: {r:#}"
    );
    let m: Vec<u64> = weak
        .iter()
        .map(|c| c["mastery"].as_u64().unwrap())
        .collect();
    assert!(m.windows(2).all(|w| w[0] <= w[1]), "weakest first: {m:?}");
    assert_eq!(weak[0]["rank"], 1);
    // Each weak spot carries what was missing and where it came from.
    let c = &weak[0];
    assert!(
        !c["last"]["missing"].as_array().unwrap().is_empty(),
        "{c:#}"
    );
    assert!(c["statement"].as_str().unwrap().len() > 10);
    // The improved criterion of A was missed, then met: not the weakest any more.
    let concepts = r["weak_concepts"].as_array().unwrap();
    assert!(!concepts.is_empty());
    let areas: Vec<&str> = r["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["area"].as_str().unwrap())
        .collect();
    assert_eq!(areas, ["classification", "detection"]);
    let det = &r["areas"][1]["points"];
    assert_eq!(det.as_array().unwrap().len(), 2, "one point per session");
    // The text report shows the same first weak spot.
    let text = sb.ok(&["report"], "");
    assert!(text.contains("Weakest criteria"), "{text}");
    assert!(text.contains(c["criterion"].as_str().unwrap()), "{text}");
    assert!(text.contains("Trend by area"));
    assert!(text.contains("detection"));
    let again = json_of(&sb, &["report", "--json", "--limit", "1"]);
    assert_eq!(again["weak_criteria"].as_array().unwrap().len(), 1);
}

#[test]
fn report_fits_narrow_terminals_without_colour() {
    let (sb, _, _) = two_sessions();
    let mut c = sb.cmd();
    c.args(["report"]).env("COLUMNS", "40").env("NO_COLOR", "1");
    let o = c.output().unwrap();
    assert!(o.status.success());
    let out = text(&o.stdout);
    assert!(!out.contains('\x1b'));
    for l in out.lines() {
        assert!(l.chars().count() <= 40, "line wider than 40: {l:?}");
    }
    assert!(
        out.contains('▁') || out.contains('█') || out.contains('▅'),
        "{out}"
    );
}

#[test]
fn due_lists_what_is_due_and_why() {
    let (sb, s1, _) = two_sessions();
    // Right after practising nothing is due yet; the next week holds both questions.
    assert_eq!(json_of(&sb, &["due", "--json"]), Value::Array(vec![]));
    let out = sb.ok(&["due"], "");
    assert!(out.contains("Nothing is due now"), "{out}");
    let soon = json_of(&sb, &["due", "--json", "--within", "30"]);
    let qs: Vec<&str> = soon
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["question"].as_str().unwrap())
        .collect();
    assert!(qs.contains(&A) && qs.contains(&B), "{soon:#}");
    let all = json_of(&sb, &["due", "--all", "--json"]);
    assert_eq!(all.as_array().unwrap().len(), 2);
    // Ten days later both are due, weakest (lowest last score) first, with the reasons.
    let old = aged(&sb, 10);
    let due = json_of(&old, &["due", "--json"]);
    let items = due.as_array().unwrap();
    assert_eq!(items.len(), 2, "{due:#}");
    assert!(items[0]["last_score"].as_u64() <= items[1]["last_score"].as_u64());
    let b = items.iter().find(|d| d["question"] == B).unwrap();
    assert_eq!(b["due_now"], true);
    assert_eq!(b["last_session"], s1.as_str());
    assert!(b["due_in_days"].as_i64().unwrap() < 0);
    assert!(!b["missed"].as_array().unwrap().is_empty());
    assert!(b["last_rating"].is_string());
    let text = old.ok(&["due"], "");
    assert!(text.contains("Due now: 2"), "{text}");
    assert!(text.contains("overdue"), "{text}");
    // `viva` with no arguments starts with the weakest due question.
    let first = items[0]["question"].as_str().unwrap().to_string();
    old.ok(&["--rounds", "1"], "/quit\n");
    let v: Value = serde_json::from_str(&old.ok(&["sessions", "--json"], "")).unwrap();
    assert_eq!(v[0]["question_ids"][0], first.as_str());
    // A filtered interview still prefers due items within its filter.
    old.ok(
        &["interview", "--area", "classification", "--rounds", "1"],
        "/quit\n",
    );
    let v: Value = serde_json::from_str(&old.ok(&["sessions", "--json"], "")).unwrap();
    assert_eq!(v[0]["question_ids"][0], B);
}

#[test]
fn new_questions_follow_due_ones() {
    let (sb, _, _) = two_sessions();
    // Nothing due: a 2-question session asks questions not seen before.
    sb.ok(&["--rounds", "2"], "/skip\n\n/skip\n");
    let v: Value = serde_json::from_str(&sb.ok(&["sessions", "--json"], "")).unwrap();
    let qs: Vec<&str> = v[0]["question_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q.as_str().unwrap())
        .collect();
    assert_eq!(qs.len(), 2);
    assert!(!qs.contains(&A) && !qs.contains(&B), "{qs:?}");
}

#[test]
fn compare_two_sessions_and_last_two_attempts() {
    let (sb, s1, s2) = two_sessions();
    let c = json_of(&sb, &["compare", &s1, &s2, "--json"]);
    let arr = c.as_array().unwrap();
    assert_eq!(arr.len(), 1, "only A is common");
    let a = &arr[0];
    assert_eq!(a["question"], A);
    assert_eq!(a["before_session"], s1.as_str());
    assert_eq!(a["after_session"], s2.as_str());
    assert!(a["score_change"].as_i64().unwrap() > 0, "{a:#}");
    assert!(!a["newly_covered"].as_array().unwrap().is_empty(), "{a:#}");
    assert!(a["still_missed"].is_array());
    // Order of the ids does not matter; a prefix works.
    let c2 = json_of(&sb, &["compare", &s2[..10], &s1, "--json"]);
    assert_eq!(c, c2);
    let q = json_of(&sb, &["compare", "--question", A, "--json"]);
    assert_eq!(q, c);
    let text = sb.ok(&["compare", "--question", A], "");
    assert!(text.contains("Score:"), "{text}");
    assert!(text.contains("Newly covered:"), "{text}");
    assert!(text.contains("before"), "{text}");
    // Errors: one line; usage errors exit 2.
    let o = sb.run(&["compare", "--question", B], "");
    assert_one_line_error(&o, 1, "compare needs two");
    let o = sb.run(&["compare", &s1], "");
    assert_one_line_error(&o, 2, "two session ids");
    let o = sb.run(&["compare", "--question", "cv-nope"], "");
    assert_one_line_error(&o, 1, "unknown question id");
    let o = sb.run(&["compare", &s1, &s1], "");
    assert_one_line_error(&o, 2, "two different sessions");
}

#[test]
fn regrade_stores_new_grades_beside_the_old() {
    let (sb, s1, _) = two_sessions();
    let before = json_of(&sb, &["replay", &s1, "--json"]);
    let n = before.as_array().unwrap().len();
    // Today's rubric: dense-anchors is now worth far more.
    let src =
        std::fs::read_to_string(root().join("rubrics/detection/cv-detection-anchor-boxes.toml"))
            .unwrap()
            .replacen("weight = 25", "weight = 200", 1);
    sb.write("mine/cv-detection-anchor-boxes.toml", &src);
    let rows = json_of(&sb, &["--bank", "mine", "regrade", &s1, "--json"]);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 4, "every graded answer: {rows:#?}");
    let main_a = rows
        .iter()
        .find(|r| r["question"] == A && r["stage"] == "question")
        .unwrap();
    assert!(
        main_a["now"].as_i64().unwrap() > main_a["was"].as_i64().unwrap(),
        "{main_a:#}"
    );
    assert_eq!(
        main_a["change"].as_i64().unwrap(),
        main_a["now"].as_i64().unwrap() - main_a["was"].as_i64().unwrap()
    );
    // The log only grew: the original events are untouched, the new grades follow.
    let after = json_of(&sb, &["replay", &s1, "--json"]);
    let after = after.as_array().unwrap();
    assert_eq!(&after[..n], before.as_array().unwrap().as_slice());
    assert_eq!(after.len(), n + 4);
    assert!(after[n..]
        .iter()
        .all(|e| e["type"] == "Regraded" && e["v"] == 1));
    // The text form prints per-turn differences; replay and exports show the regrade.
    let text = sb.ok(&["regrade", &s1], "");
    assert!(text.contains("was") && text.contains("now"), "{text}");
    assert!(sb.ok(&["replay", &s1], "").contains("Regraded turn"));
    assert!(sb
        .ok(&["export", &s1, "--format", "md"], "")
        .contains("regraded turn"));
    // Backups carry the new events and import again.
    sb.ok(
        &["export", "--all", "--format", "json", "-o", "b.jsonl"],
        "",
    );
    let other = Sandbox::new();
    other.ok(&["import", sb.path("b.jsonl").to_str().unwrap()], "");
    assert_eq!(
        json_of(&other, &["replay", &s1, "--json"])
            .as_array()
            .unwrap()
            .len(),
        n + 8
    );
    // Errors are one line.
    let o = sb.run(&["regrade", "ffff"], "");
    assert_one_line_error(&o, 1, "no session matches");
    sb.ok(&["quiz", "--count", "1", "--seed", "1"], "a\n");
    let v: Value = serde_json::from_str(&sb.ok(&["sessions", "--json"], "")).unwrap();
    let quiz = v[0]["id"].as_str().unwrap().to_string();
    let o = sb.run(&["regrade", &quiz], "");
    assert_one_line_error(&o, 1, "no graded answers to regrade");
}

#[test]
fn old_events_without_new_fields_still_parse() {
    // A version-1 log written before criteria carried tags and before `Regraded` existed.
    let sb = Sandbox::new();
    let grade = r#"{"score":40,"grader":"offline","question":"cv-detection-anchor-boxes","rubric_version":1,"criteria":[{"id":"dense-anchors","verdict":"met","evidence":["anchors everywhere"],"statement":"s","weight":25.0},{"id":"scales-times-ratios","verdict":"missed","evidence":[],"statement":"t","weight":20.0}],"misconceptions":[],"flags":[]}"#;
    let lines = [
        r#"{"v":1,"session":1000,"seq":0,"at":"2024-03-01T10:00:00Z","type":"SessionStarted","kind":"interview","grader":"offline"}"#.to_string(),
        r#"{"v":1,"session":1000,"seq":1,"at":"2024-03-01T10:00:01Z","type":"QuestionAsked","turn":0,"question":"cv-detection-anchor-boxes","title":"Anchors","text":"?"}"#.to_string(),
        r#"{"v":1,"session":1000,"seq":2,"at":"2024-03-01T10:01:00Z","type":"AnswerGiven","turn":0,"text":"anchors everywhere"}"#.to_string(),
        format!(r#"{{"v":1,"session":1000,"seq":3,"at":"2024-03-01T10:01:00Z","type":"Graded","turn":0,"grade":{grade}}}"#),
        r#"{"v":1,"session":1000,"seq":4,"at":"2024-03-01T10:02:00Z","type":"SessionEnded","reason":"quit"}"#.to_string(),
    ];
    sb.write("old.jsonl", &(lines.join("\n") + "\n"));
    sb.ok(&["import", "old.jsonl"], "");
    let r = json_of(&sb, &["report", "--json"]);
    assert_eq!(r["weak_criteria"][0]["criterion"], "scales-times-ratios");
    assert!(
        r["weak_concepts"][0]["tag"].is_string(),
        "tags come from the bank"
    );
    let d = json_of(&sb, &["due", "--json"]);
    assert_eq!(d[0]["question"], A, "long overdue");
    let out = sb.ok(&["regrade", "000000000003e8", "--json"], "");
    assert!(out.contains("\"was\": 40"), "{out}");
}

#[test]
fn new_commands_have_help_with_examples() {
    let sb = Sandbox::new();
    for cmd in ["due", "report", "compare", "regrade"] {
        let out = sb.ok(&[cmd, "--help"], "");
        assert!(out.contains("Examples:"), "{cmd}: {out}");
    }
    let out = sb.ok(&["export", "--help"], "");
    assert!(out.contains("html"));
    // An empty store: clear messages, empty lists.
    assert!(sb.ok(&["report"], "").contains("No graded answers yet"));
    assert_eq!(json_of(&sb, &["due", "--json"]), Value::Array(vec![]));
    assert!(sb.ok(&["due"], "").contains("Nothing on the schedule yet"));
}
