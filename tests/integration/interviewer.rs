//! The interviewer listens: piped interviews on the seed questions with three candidates' answers
//! (`tests/data/candidates/`): a gap is probed, a wrong claim challenged, the constraints rung never skipped
//! without numbers, and `--probes 0` keeps the plain ladder.

use crate::util::*;
use serde_json::Value;

fn candidates(name: &str) -> Vec<Value> {
    let p = root().join(format!("tests/data/candidates/{name}.jsonl"));
    std::fs::read_to_string(&p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn line_for<'a>(rows: &'a [Value], q: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["question"] == q)
        .unwrap_or_else(|| panic!("no answers for {q}"))
}

/// A piped interview on one question: the main answer, then `rest` in order (each ends with a blank line).
fn interview(sb: &Sandbox, q: &str, main: &str, rest: &[&str], extra: &[&str]) -> Vec<Value> {
    let mut input = format!("{main}\n\n");
    for r in rest {
        input.push_str(r);
        input.push_str("\n\n");
    }
    input.push_str("/quit\n");
    let mut args = vec!["interview", "--question", q];
    args.extend_from_slice(extra);
    sb.ok(&args, &input);
    newest_session_events(sb)
}

fn follow_ups(events: &[Value]) -> Vec<&Value> {
    events
        .iter()
        .filter(|e| e["type"] == "FollowUpAsked")
        .collect()
}

#[test]
fn a_missed_criterion_is_probed_next() {
    let rows = candidates("strong-senior");
    for q in SEEDS {
        let sb = Sandbox::new();
        let row = line_for(&rows, q);
        let ev = interview(
            &sb,
            q,
            row["main"].as_str().unwrap(),
            &["I would go back to the design."],
            &[],
        );
        let f = follow_ups(&ev);
        assert!(!f.is_empty(), "{q}: no follow-up");
        assert_eq!(f[0]["purpose"], "probe", "{q}: {}", f[0]);
        assert_eq!(
            f[0]["target"], row["omits"],
            "{q}: probed {}",
            f[0]["target"]
        );
        // The probe does not give the answer away: it is not the criterion's statement.
        let text = f[0]["text"].as_str().unwrap();
        assert!(text.ends_with('?'), "{q}: {text}");
    }
}

#[test]
fn a_stated_misconception_is_challenged_with_the_candidates_words() {
    let rows = candidates("weak-junior");
    let mut checked = 0;
    for row in rows.iter().filter(|r| r["states"].is_string()) {
        let q = row["question"].as_str().unwrap();
        if !SEEDS.contains(&q) {
            continue;
        }
        let sb = Sandbox::new();
        let ev = interview(
            &sb,
            q,
            row["main"].as_str().unwrap(),
            &[row["challenged"].as_str().unwrap()],
            &[],
        );
        let f = follow_ups(&ev);
        assert_eq!(f[0]["purpose"], "challenge", "{q}: {}", f[0]);
        let graded = ev.iter().find(|e| e["type"] == "Graded").unwrap();
        let hit = graded["grade"]["misconceptions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == f[0]["target"])
            .unwrap_or_else(|| panic!("{q}: the challenge targets a stated misconception"));
        let quote = hit["evidence"][0].as_str().unwrap();
        let text = f[0]["text"].as_str().unwrap();
        let shown = quote.chars().take(60).collect::<String>();
        assert!(
            text.contains(&shown),
            "{q}: the challenge quotes the candidate: {text}"
        );
        checked += 1;
    }
    assert!(
        checked >= 4,
        "only {checked} seed questions with a stated misconception"
    );
}

#[test]
fn a_candidate_who_never_speaks_about_deployment_gets_the_constraints_rung() {
    let rows = candidates("theory-no-numbers");
    for q in SEEDS {
        let sb = Sandbox::new();
        let row = line_for(&rows, q);
        let rungs = row["rungs"].as_object().unwrap();
        // Answer every follow-up with the candidate's answer for its stage (probes get the probe answer).
        let mut rest: Vec<&str> = vec![row["probe"].as_str().unwrap()];
        for stage in [
            "implementation",
            "constraints",
            "failure_modes",
            "production",
            "theory",
        ] {
            if let Some(a) = rungs.get(stage) {
                rest.push(a.as_str().unwrap());
                rest.push(row["probe"].as_str().unwrap());
            }
        }
        let ev = interview(
            &sb,
            q,
            row["main"].as_str().unwrap(),
            &rest,
            &["--follow-ups", "4"],
        );
        let asked_constraints = follow_ups(&ev)
            .iter()
            .any(|f| f["stage"] == "constraints" && f["purpose"] == "rung");
        assert!(asked_constraints, "{q}: the constraints rung was skipped");
    }
}

#[test]
fn probes_zero_keeps_the_plain_ladder() {
    let rows = candidates("weak-junior");
    let sb = Sandbox::new();
    let q = "cv-detection-anchor-boxes";
    let row = line_for(&rows, q);
    let ev = interview(
        &sb,
        q,
        row["main"].as_str().unwrap(),
        &["More anchors."],
        &["--probes", "0"],
    );
    let f = follow_ups(&ev);
    assert!(!f.is_empty());
    assert!(f.iter().all(|x| x["purpose"] == "rung"), "{f:?}");
    assert_eq!(f[0]["stage"], "implementation");
}

#[test]
fn hints_escalate_on_the_last_gap_and_are_stored() {
    let rows = candidates("strong-senior");
    let sb = Sandbox::new();
    let q = "cv-detection-anchor-boxes";
    let row = line_for(&rows, q);
    let input = format!(
        "{}\n\n/hint\n/hint\n/hint\n/quit\n",
        row["main"].as_str().unwrap()
    );
    let out = sb.ok(&["interview", "--question", q], &input);
    let ev = newest_session_events(&sb);
    let hints: Vec<&Value> = ev.iter().filter(|e| e["type"] == "HintShown").collect();
    assert_eq!(hints.len(), 3, "{out}");
    let levels: Vec<u64> = hints.iter().map(|h| h["level"].as_u64().unwrap()).collect();
    assert_eq!(levels, [1, 2, 3]);
    // They target the gap the answer just showed: the criterion the candidate left out.
    assert!(
        hints.iter().all(|h| h["criterion"] == row["omits"]),
        "{hints:?}"
    );
    assert!(out.contains("Hints used: 3"), "{out}");
}

#[test]
fn the_summary_names_misconceptions_partials_and_three_things_to_work_on() {
    let rows = candidates("weak-junior");
    let sb = Sandbox::new();
    let q = "cv-detection-anchor-boxes";
    let row = line_for(&rows, q);
    let out = sb.ok(
        &["interview", "--question", q],
        &format!("{}\n\n/quit\n", row["main"].as_str().unwrap()),
    );
    assert!(out.contains("Misconceptions stated:"), "{out}");
    assert!(out.contains("To work on (heaviest first):"), "{out}");
    assert!(out.contains("· weak") || out.contains("· mixed"), "{out}");
}

#[test]
fn replay_and_exports_show_why_a_follow_up_was_asked() {
    let rows = candidates("strong-senior");
    let sb = Sandbox::new();
    let q = "cv-detection-anchor-boxes";
    let row = line_for(&rows, q);
    interview(
        &sb,
        q,
        row["main"].as_str().unwrap(),
        &["Something more."],
        &[],
    );
    let v: Value = serde_json::from_str(&sb.ok(&["sessions", "--json"], "")).unwrap();
    let id = v[0]["id"].as_str().unwrap().to_string();
    let target = row["omits"].as_str().unwrap();
    let replay = sb.ok(&["replay", &id], "");
    assert!(replay.contains(&format!("probe: {target}")), "{replay}");
    let md = sb.ok(&["export", &id, "--format", "md"], "");
    assert!(md.contains(&format!("probe: {target}")), "{md}");
    let html = sb.ok(&["export", &id, "--format", "html"], "");
    assert!(html.contains(&format!("probe: {target}")), "{html}");
}
