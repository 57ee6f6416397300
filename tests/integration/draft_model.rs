//! `viva bank draft` with a model, against the scripted endpoint (scripts/fake-llm.py): a model draft that is
//! written and passes `viva bank check`, a draft that trips its own fairness check (redrafted once, then the
//! offline draft with a warning), a dead endpoint, the cost limit, and `--grader offline` never calling out.

use crate::llm::Fake;
use crate::util::*;
use serde_json::Value;
use std::process::{Command, Output};

/// A sample answer long enough (40+ words) to be the reference of a question with a ladder.
const DROPOUT: &str = "Dropout randomly zeroes a fraction of the activations on every training step, typically half of them in fully connected layers. Because no unit can rely on a particular partner being present, units stop co-adapting and learn more robust features. It acts as a regulariser, much like averaging an ensemble of thinned networks. At inference time dropout is switched off and the weights are scaled so the expected activation stays the same.";
const MUTEX: &str = "A mutex is a lock that lets only one thread at a time enter a critical section, so shared data is never written by two threads at once. A thread that finds the mutex held blocks until the owner releases it, and holding two mutexes in different orders can deadlock.";

fn kit(sb: &Sandbox, questions: &[(&str, &str, &str)]) {
    let lines: String = questions
        .iter()
        .map(|(id, q, a)| {
            serde_json::json!({"id": id, "area": "ml", "question": q, "answer": a}).to_string()
                + "\n"
        })
        .collect();
    sb.write("kit.jsonl", &lines);
}

/// `viva bank draft` with the endpoint at `url` (model `fake-model`) and extra flags.
fn draft_with(sb: &Sandbox, url: &str, args: &[&str]) -> Output {
    let mut c: Command = sb.cmd();
    c.env("VIVA_LLM_BASE_URL", url)
        .env("VIVA_LLM_MODEL", "fake-model")
        .env("VIVA_LLM_TIMEOUT", "30");
    c.args(args);
    run_piped(c, "")
}

fn json_rows(o: &Output) -> Vec<Value> {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "draft --json prints an array ({e}): {}\n{}",
            text(&o.stdout),
            text(&o.stderr)
        )
    })
}

/// The chat requests the fake endpoint logged.
fn requests(sb: &Sandbox) -> Vec<Value> {
    std::fs::read_to_string(sb.path("requests.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn fake_logged(sb: &Sandbox, mode: &str) -> Fake {
    let log = sb.path("requests.jsonl");
    Fake::start_with(mode, 0.0, &["--log", log.to_str().unwrap()])
}

/// The dropout question drafted (`--json`) against the scripted endpoint in `mode`, its requests logged; the
/// endpoint is returned for more runs.
fn draft_dropout(mode: &str) -> (Sandbox, Fake, Output) {
    let sb = Sandbox::new();
    let f = fake_logged(&sb, mode);
    kit(
        &sb,
        &[(
            "ml-dropout",
            "What does dropout do during training?",
            DROPOUT,
        )],
    );
    let o = draft_with(
        &sb,
        &f.url,
        &["bank", "draft", "kit.jsonl", "-o", "b", "--json"],
    );
    (sb, f, o)
}

#[test]
fn a_model_draft_is_written_with_its_ladder_and_passes_bank_check() {
    let (sb, f, o) = draft_dropout("draft");
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(!text(&o.stderr).contains("warning"), "{}", text(&o.stderr));
    let rows = json_rows(&o);
    let r = &rows[0];
    assert_eq!(r["drafter"], "llm:fake-model", "{r}");
    assert!(r["reason"].is_null(), "{r}");
    assert!(r["tokens"]["prompt"].as_u64().unwrap() > 0, "{r}");
    assert!(r["check"]["sample"].as_u64().unwrap() >= 85, "{r}");
    // The JSON carries the rubric itself (no copies of its fields beside it).
    let q = &r["rubric"];
    assert_eq!(q["id"], "ml-dropout");
    assert!(r.get("id").is_none() && r.get("area").is_none(), "{r}");
    let ladder = q["ladder"].as_array().unwrap();
    let stages: Vec<&str> = ladder
        .iter()
        .map(|x| x["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["implementation", "constraints", "failure_modes"]);
    assert!(ladder[1]["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["needs"] == "arithmetic"));
    // Criteria the model left without patterns got the offline drafter's.
    assert!(q["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| !c["patterns"].as_array().unwrap().is_empty()));
    let m = &q["misconceptions"][0];
    assert!(!m["correct"].as_array().unwrap().is_empty(), "{m}");
    assert_eq!(requests(&sb).len(), 1, "one call for one good draft");
    let file = std::fs::read_to_string(sb.path("b/ml/ml-dropout.toml")).unwrap();
    assert!(file.contains("needs = \"arithmetic\""), "{file}");
    let check = sb.ok(&["bank", "check", "b"], "");
    assert!(
        check.starts_with("ok: 1 questions, 3 ladder rungs"),
        "{check}"
    );
    // An interview on the drafted bank climbs the model's ladder.
    let o = sb.run(
        &[
            "--bank",
            "b",
            "interview",
            "--question",
            "ml-dropout",
            "--rounds",
            "1",
            "--probes",
            "0",
            "--follow-ups",
            "1",
        ],
        &format!("{DROPOUT}\n\nI would batch the inputs and cache what does not change.\n\n"),
    );
    let so = text(&o.stdout);
    assert!(o.status.success(), "{so}\n{}", text(&o.stderr));
    assert!(so.contains("step by step"), "{so}");

    // The table says who drafted each question and what the model cost; --max-cost stops calling it once the
    // estimate reaches the limit (a price in the config file makes each call $0.15).
    sb.write(
        "config/viva/config.toml",
        "[prices.\"fake-model\"]\ninput = 1000.0\noutput = 1000.0\n",
    );
    kit(
        &sb,
        &[
            (
                "ml-dropout",
                "What does dropout do during training?",
                DROPOUT,
            ),
            ("os-mutex", "What is a mutex for?", MUTEX),
        ],
    );
    let o = draft_with(
        &sb,
        &f.url,
        &[
            "bank",
            "draft",
            "kit.jsonl",
            "-o",
            "c",
            "--max-cost",
            "0.10",
        ],
    );
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "{err}");
    let line = |id: &str| {
        out.lines()
            .find(|l| l.starts_with(id))
            .unwrap_or("")
            .to_string()
    };
    assert!(line("ml-dropout").contains("llm:fake-model"), "{out}");
    assert!(
        line("os-mutex").contains("offline") && line("os-mutex").contains("cost limit reached"),
        "{out}"
    );
    assert!(
        err.contains("os-mutex: drafted offline instead: cost limit reached ($0.1500 of $0.1000)"),
        "{err}"
    );
    assert!(
        out.contains("Model use: 150 tokens (100 prompt + 50 completion), $0.1500 estimated"),
        "{out}"
    );
    sb.ok(&["bank", "check", "c"], "");
}

#[test]
fn a_draft_that_trips_its_own_misconception_is_redrafted_then_written_offline() {
    let (sb, _f, o) = draft_dropout("draft-bad");
    let err = text(&o.stderr);
    assert!(o.status.success(), "{err}");
    let warning: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warning.len(), 1, "{err}");
    assert!(
        warning[0]
            .contains("ml-dropout: drafted offline instead: the model's draft was rejected twice")
            && warning[0].contains("fires on a correct statement"),
        "{err}"
    );
    let reqs = requests(&sb);
    assert_eq!(reqs.len(), 2, "one draft and one redraft");
    let redraft = reqs[1]["messages"][1]["content"].as_str().unwrap();
    assert!(
        redraft.contains("rejected for these reasons")
            && redraft.contains("fires on a correct statement"),
        "the redraft tells the model what failed: {redraft}"
    );
    let r = &json_rows(&o)[0];
    assert_eq!(r["drafter"], "offline");
    assert!(
        r["reason"].as_str().unwrap().contains("rejected twice"),
        "{r}"
    );
    assert_eq!(r["tokens"]["prompt"], 200, "both calls are counted: {r}");
    assert!(
        r["rubric"]["ladder"].as_array().unwrap().is_empty(),
        "the offline draft: {r}"
    );
    assert!(sb.path("b/ml/ml-dropout.toml").exists());
    sb.ok(&["bank", "check", "b"], "");
}

#[test]
fn a_dead_endpoint_drafts_offline_with_a_warning_per_question() {
    let sb = Sandbox::new();
    // A port nobody listens on, held for the whole test.
    let dead = dead_endpoint();
    kit(
        &sb,
        &[
            (
                "ml-dropout",
                "What does dropout do during training?",
                DROPOUT,
            ),
            ("os-mutex", "What is a mutex for?", MUTEX),
        ],
    );
    let o = draft_with(
        &sb,
        &dead.url,
        &["--grader", "llm", "bank", "draft", "kit.jsonl", "-o", "b"],
    );
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    // Every file is written, so the run succeeds; each question says why the model did not draft it.
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("ml-dropout: drafted offline instead: the model call failed: cannot reach"),
        "{err}"
    );
    assert!(
        err.contains("os-mutex: drafted offline instead: the endpoint is switched off"),
        "{err}"
    );
    assert!(out.contains("2 of 2 rubric file(s) written"), "{out}");
    assert!(!out.contains("Model use"), "{out}");
    sb.ok(&["bank", "check", "b"], "");
}

#[test]
fn grader_offline_never_calls_the_endpoint() {
    let sb = Sandbox::new();
    let f = fake_logged(&sb, "draft");
    kit(
        &sb,
        &[(
            "ml-dropout",
            "What does dropout do during training?",
            DROPOUT,
        )],
    );
    let o = draft_with(
        &sb,
        &f.url,
        &[
            "--grader",
            "offline",
            "bank",
            "draft",
            "kit.jsonl",
            "-o",
            "b",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let r = &json_rows(&o)[0];
    assert_eq!(r["drafter"], "offline");
    assert_eq!(r["reason"], "--grader offline");
    assert!(r.get("tokens").is_none(), "{r}");
    assert!(requests(&sb).is_empty(), "the endpoint was called");
    // --grader llm without an endpoint is a one-line error, and a bad limit a usage error.
    let o = sb.run(
        &["--grader", "llm", "bank", "draft", "kit.jsonl", "-o", "c"],
        "",
    );
    assert_one_line_error(&o, 1, "no LLM endpoint configured");
    let o = draft_with(
        &sb,
        &f.url,
        &["bank", "draft", "kit.jsonl", "-o", "c", "--max-cost=0"],
    );
    assert_one_line_error(&o, 2, "--max-cost");
    assert!(requests(&sb).is_empty());
}

#[test]
fn a_draft_cut_off_at_the_token_limit_is_named_as_such_and_written_offline() {
    let (sb, _f, o) = draft_dropout("draft-long");
    let err = text(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("ml-dropout: drafted offline instead")
            && err.contains("cut off at the 1600-token limit"),
        "the warning says the reply ran out of tokens: {err}"
    );
    let reqs = requests(&sb);
    assert_eq!(reqs.len(), 2, "one draft and one redraft");
    let redraft = reqs[1]["messages"][1]["content"].as_str().unwrap();
    assert!(
        redraft.contains("cut off") && redraft.contains("write each item once"),
        "the redraft asks for a shorter reply: {redraft}"
    );
    assert_eq!(json_rows(&o)[0]["drafter"], "offline");
    sb.ok(&["bank", "check", "b"], "");
}
