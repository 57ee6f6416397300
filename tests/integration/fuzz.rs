//! Bounded fuzzing of the parsers that read user files: rubric TOML, concept patterns, import JSONL and batch
//! lines. A case fails on a panic, or on a hang (a watchdog gives each case a few seconds). `cargo test` runs a
//! fixed number of cases (VIVA_FUZZ_CASES, default 48 per parser); `scripts/fuzz` runs many more.

use crate::util::root;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::sync::mpsc;
use std::time::Duration;

fn cases() -> u32 {
    std::env::var("VIVA_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48)
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    })
}

/// Run `f` on its own thread; a panic fails the case, and so does not finishing within the limit.
fn within<F: FnOnce() + Send + 'static>(what: &str, f: F) -> Result<(), TestCaseError> {
    let (tx, rx) = mpsc::channel();
    let h = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
            let _ = tx.send(r.is_ok());
        })
        .unwrap();
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(true) => {
            let _ = h.join();
            Ok(())
        }
        Ok(false) => Err(TestCaseError::fail(format!("{what}: panicked"))),
        Err(_) => Err(TestCaseError::fail(format!(
            "{what}: no answer within 10 s (hang)"
        ))),
    }
}

/// Text edits: (position fraction, bytes removed, snippet inserted).
fn edits() -> impl Strategy<Value = Vec<(f64, usize, String)>> {
    let snippet = prop_oneof![
        Just(String::new()),
        Just("inf".to_string()),
        Just("nan".to_string()),
        Just("-1e309".to_string()),
        Just("\n[[ladder]]\n".to_string()),
        Just("\n[[criteria]]\nid = \"x\"\n".to_string()),
        Just("((((((((((((((((((((((".to_string()),
        Just("\"\"\"".to_string()),
        Just("\u{0}\u{1b}[2J\u{ad}\u{feff}".to_string()),
        "[ -~]{0,12}",
        any::<String>().prop_map(|s| s.chars().take(12).collect()),
    ];
    prop::collection::vec((0.0..1.0f64, 0usize..20, snippet), 1..6)
}

fn apply(text: &str, edits: &[(f64, usize, String)]) -> String {
    let mut s = text.to_string();
    for (at, cut, ins) in edits {
        let mut i = ((s.len() as f64) * at) as usize;
        while !s.is_char_boundary(i) {
            i -= 1;
        }
        let mut j = (i + cut).min(s.len());
        while !s.is_char_boundary(j) {
            j += 1;
        }
        s.replace_range(i..j, ins);
    }
    s
}

#[test]
fn fuzz_rubric_files() {
    let src =
        std::fs::read_to_string(root().join("rubrics/detection/cv-detection-anchor-boxes.toml"))
            .unwrap();
    runner()
        .run(&edits(), |e| {
            let text = apply(&src, &e);
            within("rubric", move || {
                let _ = viva::bank::Bank::from_texts(vec![(
                    "fuzz/cv-detection-anchor-boxes.toml".into(),
                    text,
                )]);
            })
        })
        .unwrap();
}

#[test]
fn fuzz_patterns() {
    let pat = prop_oneof![
        "[a-z0-9 ()|+*#~^.\\[\\]<>=!?-]{0,120}",
        any::<String>(),
        (1usize..50_000).prop_map(|n| format!("{}x{}", "(".repeat(n), ")".repeat(n))),
    ];
    runner()
        .run(&pat, |p| {
            within("pattern", move || {
                let lex = viva::grade::normalize::Lexicon::default();
                if let Ok(c) = viva::grade::pattern::Pattern::compile(&p, &lex) {
                    let _ = format!("{c:?}");
                }
            })
        })
        .unwrap();
}

#[test]
fn fuzz_import_files() {
    let base = concat!(
        "{\"v\":1,\"session\":7,\"seq\":0,\"at\":\"2026-11-28T10:00:00Z\",\"type\":\"SessionStarted\",\"kind\":\"interview\",\"grader\":\"offline\"}\n",
        "{\"v\":1,\"session\":7,\"seq\":1,\"at\":\"2026-11-28T10:00:01Z\",\"type\":\"QuestionAsked\",\"turn\":0,\"question\":\"cv-detection-anchor-boxes\",\"title\":\"Anchor boxes\",\"text\":\"Walk me through anchors.\"}\n",
        "{\"v\":1,\"session\":7,\"seq\":2,\"at\":\"2026-11-28T10:00:02Z\",\"type\":\"AnswerGiven\",\"turn\":0,\"text\":\"Nine anchors per cell.\"}\n",
        "{\"v\":1,\"session\":7,\"seq\":3,\"at\":\"2026-11-28T10:00:03Z\",\"type\":\"SessionEnded\",\"reason\":\"quit\"}\n",
    );
    assert!(viva::commands::history::parse_import(base, "base.jsonl").is_ok());
    runner()
        .run(&edits(), |e| {
            let text = apply(base, &e);
            within("import", move || {
                let _ = viva::commands::history::parse_import(&text, "fuzz.jsonl");
            })
        })
        .unwrap();
}

#[test]
fn fuzz_batch_lines() {
    let bank = std::sync::Arc::new(viva::bank::Bank::embedded().unwrap());
    let line = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        ("[a-z-]{0,30}", any::<String>()).prop_map(|(q, a)| {
            serde_json::json!({"question": q, "answer": a})
                .to_string()
                .into_bytes()
        }),
        any::<String>().prop_map(|a| {
            serde_json::json!({"question": "cv-detection-anchor-boxes", "answer": a})
                .to_string()
                .into_bytes()
        }),
    ];
    runner()
        .run(&prop::collection::vec(line, 1..4), |lines| {
            let bank = bank.clone();
            within("batch", move || {
                let bytes = lines.join(&b'\n');
                for l in viva::commands::grading::split_lines(&bytes).flatten() {
                    let out = viva::commands::grading::batch_line_output(&l, &bank);
                    assert!(out.get("error").is_some() || out.get("score").is_some());
                }
            })
        })
        .unwrap();
}
