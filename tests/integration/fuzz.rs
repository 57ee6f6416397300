//! Bounded fuzzing of the parsers that read user files: rubric TOML, concept patterns, import JSONL and batch
//! lines. Each case runs in a child process (this test binary, started again for that one case) with its address
//! space limited by setrlimit(RLIMIT_AS): a case fails on a panic, on a hang (no answer within 10 s: the child is
//! killed) and on unbounded memory (the child runs out of its bound and aborts). `cargo test` runs a fixed number
//! of cases (VIVA_FUZZ_CASES, default 48 per parser); `scripts/fuzz` runs many more.

use crate::util::root;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

/// Address space a parser may use for one case (the test binary and its libraries mapped included).
const MEMORY_MB: u64 = 1024;
/// Time a case may take.
const LIMIT: Duration = Duration::from_secs(10);

/// What the child prints when it has parsed its case.
const DONE: &str = "viva-fuzz: case parsed";

/// How a case run in a child process ended.
#[derive(Debug, PartialEq)]
enum Outcome {
    Ok,
    Panicked(String),
    OutOfMemory,
    Hung,
    Other(String),
}

/// Run parser `what` on `input` in a child process limited to `memory_mb` of address space and `limit` of time.
fn run_case(what: &str, input: &[u8], memory_mb: u64, limit: Duration) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("case");
    std::fs::write(&file, input).unwrap();
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args([
        "fuzz::parse_one_case",
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads",
        "1",
    ])
    .env("VIVA_FUZZ_PARSER", what)
    .env("VIVA_FUZZ_INPUT", &file)
    .env("RUST_BACKTRACE", "0")
    // The parser runs on libtest's thread: give it the stack the bank's parsers expect of a main thread.
    .env("RUST_MIN_STACK", (8u64 << 20).to_string())
    // One malloc arena: a thread's arena reserves 64 MB of address space it never uses.
    .env("MALLOC_ARENA_MAX", "1")
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    let bytes = memory_mb << 20;
    // SAFETY: setrlimit is async-signal-safe and touches no memory of the parent.
    unsafe {
        use std::os::unix::process::CommandExt;
        c.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: bytes as libc::rlim_t,
                rlim_max: bytes as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = c.spawn().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err_pipe.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break Some(st);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let err = reader.join().unwrap_or_default();
    let Some(status) = status else {
        return Outcome::Hung;
    };
    // libtest also succeeds when its filter matches no test: the child says it parsed the case.
    if status.success() && err.contains(DONE) {
        return Outcome::Ok;
    }
    if err.contains("memory allocation of") {
        return Outcome::OutOfMemory;
    }
    if let Some(p) = err.lines().find(|l| l.contains("panicked at")) {
        return Outcome::Panicked(p.to_string());
    }
    Outcome::Other(format!("{status}: {}", err.trim()))
}

/// A case in a child process as a proptest result.
fn within(what: &str, input: &[u8]) -> Result<(), TestCaseError> {
    match run_case(what, input, MEMORY_MB, LIMIT) {
        Outcome::Ok => Ok(()),
        Outcome::Panicked(p) => Err(TestCaseError::fail(format!("{what}: {p}"))),
        Outcome::OutOfMemory => Err(TestCaseError::fail(format!(
            "{what}: needs more than {MEMORY_MB} MB (unbounded memory)"
        ))),
        Outcome::Hung => Err(TestCaseError::fail(format!(
            "{what}: no answer within {} s (hang)",
            LIMIT.as_secs()
        ))),
        Outcome::Other(e) => Err(TestCaseError::fail(format!("{what}: {e}"))),
    }
}

/// The child side of [`run_case`]: parse the case file with the named parser. Ignored in a normal run.
#[test]
#[ignore = "runs one fuzz case in a child process"]
fn parse_one_case() {
    let (Ok(what), Ok(path)) = (
        std::env::var("VIVA_FUZZ_PARSER"),
        std::env::var("VIVA_FUZZ_INPUT"),
    ) else {
        return;
    };
    let bytes = std::fs::read(path).unwrap();
    let text = || std::str::from_utf8(&bytes).unwrap();
    match what.as_str() {
        "rubric" => {
            let _ = viva::bank::Bank::from_texts(vec![(
                "fuzz/cv-detection-anchor-boxes.toml".into(),
                text().to_string(),
            )]);
        }
        "pattern" => {
            let lex = viva::grade::normalize::Lexicon::default();
            if let Ok(c) = viva::grade::pattern::Pattern::compile(text(), &lex) {
                let _ = format!("{c:?}");
            }
        }
        "import" => {
            let _ = viva::commands::history::parse_import(text(), "fuzz.jsonl");
        }
        "batch" => {
            let bank = viva::bank::Bank::embedded().unwrap();
            for l in viva::commands::grade::split_lines(&bytes).flatten() {
                let out = viva::commands::grade::batch_line_output(&l, &bank);
                assert!(out.get("error").is_some() || out.get("score").is_some());
            }
        }
        // A parser that never finishes: the control case of the time limit.
        "sleeper" => std::thread::sleep(Duration::from_secs(600)),
        // A parser that never stops asking for memory: the control case of the bound.
        "hog" => {
            let mut kept: Vec<Vec<u8>> = Vec::new();
            loop {
                kept.push(vec![1u8; 16 << 20]);
            }
        }
        other => panic!("unknown parser {other}"),
    }
    eprintln!("{DONE}");
}

#[test]
fn the_bounds_catch_unbounded_memory_panics_and_hangs() {
    let run = |what: &str, input: &[u8], mb: u64| run_case(what, input, mb, LIMIT);
    // A parser that keeps allocating is stopped by the bound and reported, not left to take the machine.
    assert_eq!(run("hog", b"", 256), Outcome::OutOfMemory);
    // A huge input under a small bound is reported; a small one under the same bound is not.
    let line = |text: &str| {
        format!(
            "{{\"v\":1,\"session\":7,\"seq\":0,\"at\":\"2026-11-28T10:00:00Z\",\"type\":\"SessionStarted\",\"kind\":\"interview\",\"grader\":\"{text}\"}}\n"
        )
    };
    assert_eq!(run("import", line("offline").as_bytes(), 128), Outcome::Ok);
    assert_eq!(
        run("import", line(&"x".repeat(96 << 20)).as_bytes(), 128),
        Outcome::OutOfMemory
    );
    // A hang is cut off at the time limit, and a panic is reported as one.
    let started = Instant::now();
    assert_eq!(
        run_case("sleeper", b"", MEMORY_MB, Duration::from_secs(1)),
        Outcome::Hung
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(matches!(
        run("nothing-known", b"", MEMORY_MB),
        Outcome::Panicked(_)
    ));
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
        .run(&edits(), |e| within("rubric", apply(&src, &e).as_bytes()))
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
        .run(&pat, |p| within("pattern", p.as_bytes()))
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
        .run(&edits(), |e| within("import", apply(base, &e).as_bytes()))
        .unwrap();
}

#[test]
fn fuzz_batch_lines() {
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
            within("batch", &lines.join(&b'\n'))
        })
        .unwrap();
}
