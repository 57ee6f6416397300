//! Reliability probes (issue 16): write errors, special files, bad records, imports, hostile text, limits.

use crate::util::*;
use serde_json::Value;
use std::process::{Command, Output, Stdio};

/// One scripted interview on the anchor-box question; its session id.
fn sit(sb: &Sandbox, answers: &str) -> String {
    sb.ok(
        &[
            "interview",
            "--question",
            "cv-detection-anchor-boxes",
            "--follow-ups",
            "1",
        ],
        answers,
    );
    let v: Value = serde_json::from_str(&sb.ok(&["sessions", "--json"], "")).unwrap();
    v[0]["id"].as_str().unwrap().to_string()
}

const ANSWERS: &str =
    "Nine anchors per location: 3 scales times 3 aspect ratios, at every feature map cell.\n\n\
                       The map is 38 by 63 so about 20,000 anchors.\n\n";

/// Run `args` with standard output going to `/dev/full`.
fn run_to_dev_full(sb: &Sandbox, args: &[&str]) -> Output {
    let mut c = sb.cmd();
    c.args(args)
        .stdin(Stdio::null())
        .stdout(
            std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        )
        .stderr(Stdio::piped());
    c.output().unwrap()
}

/// A small tmpfs mounted for one test (root only); unmounted on drop.
pub struct SmallFs {
    dir: tempfile::TempDir,
}

impl SmallFs {
    /// Mount a tmpfs of `kb` KiB, or None (with a message) when this machine does not allow it.
    pub fn mount(kb: u32) -> Option<SmallFs> {
        let dir = tempfile::tempdir().ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kb}k"), "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            eprintln!("skipped: cannot mount a small tmpfs here (needs root); the full-disk case is not exercised");
            return None;
        }
        Some(SmallFs { dir })
    }

    /// The mount point.
    pub fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Fill the file system up to its last byte with `filler`.
    pub fn fill(&self) {
        use std::io::Write;
        let mut f = std::fs::File::create(self.path().join("filler")).unwrap();
        let block = vec![b'x'; 4096];
        while f.write_all(&block).is_ok() {}
        while f.write_all(b"x").is_ok() {}
    }
}

impl Drop for SmallFs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
fn stdout_write_errors_are_one_line_and_non_zero() {
    let sb = Sandbox::new();
    let id = sit(&sb, ANSWERS);
    sb.write(
        "batch.jsonl",
        "{\"question\": \"cv-detection-anchor-boxes\", \"answer\": \"Nine anchors per cell.\"}\n",
    );
    let cases: Vec<Vec<&str>> = vec![
        vec!["export", "--all", "--format", "json"],
        vec!["export", &id, "--format", "md"],
        vec!["sessions"],
        vec!["sessions", "--json"],
        vec!["replay", &id],
        vec!["report"],
        vec!["due", "--all"],
        vec!["grade", "--batch", "batch.jsonl"],
        vec!["bank", "list"],
    ];
    for args in cases {
        let o = run_to_dev_full(&sb, &args);
        assert_one_line_error(
            &o,
            1,
            "cannot write to standard output: No space left on device",
        );
        assert!(
            text(&o.stderr).starts_with("viva: error:"),
            "{args:?}: {}",
            text(&o.stderr)
        );
    }
}

#[test]
fn export_to_a_full_disk_leaves_no_temp_file() {
    let Some(fs) = SmallFs::mount(64) else { return };
    let sb = Sandbox::new();
    let id = sit(&sb, ANSWERS);
    fs.fill();
    let target = fs.path().join("backup.jsonl");
    let o = sb.run(
        &[
            "export",
            &id,
            "--format",
            "json",
            "-o",
            target.to_str().unwrap(),
        ],
        "",
    );
    assert_one_line_error(&o, 1, "No space left on device");
    let left: Vec<String> = std::fs::read_dir(fs.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["filler"], "no partial file and no temp file remain");
    let html = fs.path().join("report.html");
    let o = sb.run(&["report", "--html", html.to_str().unwrap()], "");
    assert_one_line_error(&o, 1, "No space left on device");
    assert_eq!(std::fs::read_dir(fs.path()).unwrap().count(), 1);
}

#[test]
fn output_files_are_not_overwritten_without_force() {
    let sb = Sandbox::new();
    let id = sit(&sb, ANSWERS);
    let keep = sb.write("keep.jsonl", "precious\n");
    let o = sb.run(&["export", &id, "--format", "json", "-o", "keep.jsonl"], "");
    assert_one_line_error(
        &o,
        1,
        "keep.jsonl already exists; add --force to replace it",
    );
    assert_eq!(std::fs::read_to_string(&keep).unwrap(), "precious\n");
    sb.ok(
        &[
            "export",
            &id,
            "--format",
            "json",
            "-o",
            "keep.jsonl",
            "--force",
        ],
        "",
    );
    assert!(std::fs::read_to_string(&keep)
        .unwrap()
        .contains("SessionStarted"));
    let page = sb.write("r.html", "mine");
    let o = sb.run(&["report", "--html", "r.html"], "");
    assert_one_line_error(&o, 1, "r.html already exists; add --force to replace it");
    assert_eq!(std::fs::read_to_string(&page).unwrap(), "mine");
    sb.ok(&["report", "--html", "r.html", "--force"], "");
    assert!(std::fs::read_to_string(&page).unwrap().contains("<html"));
    // A directory is refused; nothing is left beside it.
    std::fs::create_dir(sb.path("adir")).unwrap();
    let o = sb.run(&["export", &id, "-o", "adir"], "");
    assert_one_line_error(&o, 1, "not a regular file");
}

#[test]
fn output_to_device_nodes_and_fifos_writes_in_place() {
    use std::os::unix::fs::FileTypeExt;
    let sb = Sandbox::new();
    let id = sit(&sb, ANSWERS);
    // A character device is written to, not replaced (and needs no --force).
    sb.ok(&["export", &id, "--format", "json", "-o", "/dev/null"], "");
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
    let o = sb.run(&["export", &id, "--format", "json", "-o", "/dev/full"], "");
    assert_one_line_error(&o, 1, "No space left on device");
    assert!(std::fs::metadata("/dev/full")
        .unwrap()
        .file_type()
        .is_char_device());
    // A FIFO gets the export and stays a FIFO.
    let fifo = sb.path("pipe");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    sb.ok(
        &[
            "export",
            &id,
            "--format",
            "json",
            "-o",
            fifo.to_str().unwrap(),
        ],
        "",
    );
    let got = reader.join().unwrap();
    assert!(got.contains("SessionStarted"), "{got}");
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn rubric_numbers_must_be_finite_and_sane() {
    let sb = Sandbox::new();
    let src =
        std::fs::read_to_string(root().join("rubrics/detection/cv-detection-anchor-boxes.toml"))
            .unwrap();
    for (from, to, what) in [
        (
            "weight = 25",
            "weight = inf",
            "weight must be a finite number of points, at most 1000",
        ),
        (
            "weight = 25",
            "weight = 1e300",
            "weight must be a finite number of points, at most 1000",
        ),
        (
            "penalty = 15",
            "penalty = inf",
            "penalty must be a finite number of points, at most 100",
        ),
        ("penalty = 15", "penalty = nan", "penalty must be > 0"),
    ] {
        let bad = src.replacen(from, to, 1);
        let line = bad.lines().position(|l| l == to).unwrap() + 1;
        sb.write("bad/cv-detection-anchor-boxes.toml", &bad);
        let o = sb.run(&["bank", "check", "bad"], "");
        assert_eq!(o.status.code(), Some(1), "{to}");
        let err = text(&o.stderr);
        assert!(
            err.contains(&format!("cv-detection-anchor-boxes.toml:{line}:")) && err.contains(what),
            "{to}: {err}"
        );
    }
}

/// Replace the stored bytes of one event (the store must not be in use).
fn plant(sb: &Sandbox, session: &str, seq: u32, bytes: &str) {
    let st = viva::store::Store::open(&sb.store()).unwrap();
    st.put_raw(
        viva::store::parse_id(session).unwrap(),
        seq,
        bytes.as_bytes(),
    )
    .unwrap();
    st.flush().unwrap();
}

#[test]
fn one_unreadable_grade_does_not_poison_the_store() {
    let sb = Sandbox::new();
    let first = sit(&sb, ANSWERS);
    let id = sit(&sb, ANSWERS);
    let evs: Value = serde_json::from_str(&sb.ok(&["replay", &id, "--json"], "")).unwrap();
    let mut graded = evs
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "Graded")
        .unwrap()
        .clone();
    let seq = graded["seq"].as_u64().unwrap() as u32;
    // What an infinite rubric weight used to become: `"weight": null`.
    graded["grade"]["criteria"][0]["weight"] = Value::Null;
    plant(&sb, &id, seq, &graded.to_string());
    let warning = format!("session {id} seq {seq}");
    for args in [
        vec!["export", "--all", "--format", "json"],
        vec!["report"],
        vec!["due", "--all"],
        vec!["replay", &id],
        vec!["compare", &first, &id],
        vec!["sessions"],
    ] {
        let o = sb.run(&args, "");
        let err = text(&o.stderr);
        assert!(o.status.success(), "{args:?}: {err}");
        if args[0] != "sessions" {
            assert_eq!(
                err.matches("unreadable record").count(),
                1,
                "{args:?}: {err}"
            );
            assert!(err.contains(&warning), "{args:?}: {err}");
        }
    }
    let all = sb.ok(&["export", "--all", "--format", "json"], "");
    assert_eq!(all.lines().count(), 2 * evs.as_array().unwrap().len() - 1);
    // An interview still starts and saves.
    sit(&sb, ANSWERS);
    // doctor finds it, repair --dry-run lists it, repair moves it aside.
    let o = sb.run(&["doctor"], "");
    assert!(
        text(&o.stdout).contains("1 unreadable record(s)"),
        "{}",
        text(&o.stdout)
    );
    let o = sb.run(&["repair", "--dry-run"], "");
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stdout).contains(&warning), "{}", text(&o.stdout));
    let out = sb.ok(&["repair"], "");
    assert!(out.contains("moved 1 unreadable record(s)"), "{out}");
    let o = sb.run(&["export", "--all", "--format", "json"], "");
    assert!(o.status.success());
    assert_eq!(text(&o.stderr), "", "no more warnings");
    assert!(sb
        .ok(&["repair", "--dry-run"], "")
        .contains("no unreadable records"));
    sb.ok(&["doctor"], "");
}

#[test]
fn import_refuses_absurd_numbers_and_unknown_versions() {
    let sb = Sandbox::new();
    let id = sit(&sb, ANSWERS);
    let all = sb.ok(&["export", &id, "--format", "json"], "");
    let lines: Vec<Value> = all
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let g = lines.iter().position(|e| e["type"] == "Graded").unwrap();
    let with = |i: usize, f: &dyn Fn(&mut Value)| {
        let mut ls = lines.clone();
        f(&mut ls[i]);
        ls.iter().map(|v| v.to_string() + "\n").collect::<String>()
    };
    let other = Sandbox::new();
    for (name, body, needle) in [
        (
            "score",
            with(g, &|v| v["grade"]["score"] = 100000.into()),
            "score 100000 is outside 0-100",
        ),
        (
            "weight",
            with(g, &|v| v["grade"]["criteria"][0]["weight"] = 1e300.into()),
            "weight 1",
        ),
        (
            "version",
            with(0, &|v| v["v"] = 99.into()),
            "schema version 99",
        ),
    ] {
        other.write(&format!("{name}.jsonl"), &body);
        let o = other.run(&["import", &format!("{name}.jsonl")], "");
        assert_one_line_error(&o, 1, needle);
        assert!(
            text(&o.stderr).contains(&format!(
                "{name}.jsonl:{}:",
                if name == "version" { 1 } else { g + 1 }
            )),
            "{}",
            text(&o.stderr)
        );
    }
    assert!(other.ok(&["sessions"], "").contains("No sessions"));
}

/// The exported events of one scripted session: (session id, JSON lines).
fn exported_session(sb: &Sandbox) -> (String, Vec<String>) {
    let id = sit(sb, ANSWERS);
    let lines = sb
        .ok(&["export", &id, "--format", "json"], "")
        .lines()
        .map(String::from)
        .collect();
    (id, lines)
}

#[test]
fn import_completes_a_partly_imported_session() {
    let sb = Sandbox::new();
    let (id, lines) = exported_session(&sb);
    let other = Sandbox::new();
    other.write("part.jsonl", &(lines[..4].join("\n") + "\n"));
    other.write("full.jsonl", &(lines.join("\n") + "\n"));
    assert!(other
        .ok(&["import", "part.jsonl"], "")
        .contains("imported 1 session(s)"));
    let out = other.ok(&["import", "full.jsonl"], "");
    assert!(
        out.contains("completed 1 partly imported session(s)"),
        "{out}"
    );
    assert_eq!(other.ok(&["replay", &id], ""), sb.ok(&["replay", &id], ""));
    let s: Value = serde_json::from_str(&other.ok(&["sessions", "--json"], "")).unwrap();
    let o: Value = serde_json::from_str(&sb.ok(&["sessions", "--json"], "")).unwrap();
    assert_eq!(s, o, "the summary is the whole session's");
    assert!(other
        .ok(&["import", "full.jsonl"], "")
        .contains("1 already present"));
}

#[test]
fn a_killed_import_leaves_each_session_whole_or_absent() {
    let sb = Sandbox::new();
    let (id, lines) = exported_session(&sb);
    let base = viva::store::parse_id(&id).unwrap();
    let mut big = String::new();
    for k in 0..4000u64 {
        for l in &lines {
            big.push_str(&l.replacen(
                &format!("\"session\":{base}"),
                &format!("\"session\":{}", base + 1 + k),
                1,
            ));
            big.push('\n');
        }
    }
    let other = Sandbox::new();
    other.write("big.jsonl", &big);
    // The whole import takes about a second; sled writes its log out every 500 ms.
    for delay_ms in [300u64, 600, 850] {
        let mut c = other.cmd();
        c.args(["import", "big.jsonl"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = c.spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let all = other.ok(&["export", "--all", "--format", "json"], "");
        let mut per: std::collections::BTreeMap<u64, usize> = Default::default();
        for l in all.lines() {
            let v: Value = serde_json::from_str(l).unwrap();
            *per.entry(v["session"].as_u64().unwrap()).or_default() += 1;
        }
        for (s, n) in per {
            assert_eq!(
                n,
                lines.len(),
                "session {s:x} has {n} of {} events after kill -9 at {delay_ms} ms",
                lines.len()
            );
        }
    }
    let out = other.ok(&["import", "big.jsonl"], "");
    assert!(out.starts_with("imported "), "{out}");
    let v: Value = serde_json::from_str(&other.ok(&["sessions", "--json"], "")).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 4000);
}

#[test]
fn import_checks_the_file_before_writing() {
    let sb = Sandbox::new();
    let (id, lines) = exported_session(&sb);
    let other = Sandbox::new();
    // The same seq twice: file and line of the second.
    let mut dup = lines.clone();
    dup.insert(3, lines[2].clone());
    other.write("dup.jsonl", &(dup.join("\n") + "\n"));
    let o = other.run(&["import", "dup.jsonl"], "");
    assert_one_line_error(&o, 1, "dup.jsonl:4: session");
    assert!(
        text(&o.stderr).contains("appears twice (first on line 3)"),
        "{}",
        text(&o.stderr)
    );
    // No SessionStarted.
    other.write("headless.jsonl", &(lines[1..].join("\n") + "\n"));
    let o = other.run(&["import", "headless.jsonl"], "");
    assert_one_line_error(
        &o,
        1,
        &format!("headless.jsonl:1: session {id} has no SessionStarted event"),
    );
    assert!(other.ok(&["sessions"], "").contains("No sessions"));
    // A byte-order mark is fine.
    other.write("bom.jsonl", &format!("\u{feff}{}\n", lines.join("\n")));
    assert!(other
        .ok(&["import", "bom.jsonl"], "")
        .contains("imported 1 session(s)"));
}

#[test]
fn a_key_echoed_by_the_endpoint_is_redacted_everywhere() {
    let sb = Sandbox::new();
    let f = crate::llm::Fake::start("reflect", 0.0);
    let secret = "zz-reflected-secret-77a1";
    let with_key = |args: &[&str], stdin: &str| {
        let mut c = sb.cmd();
        c.env("VIVA_LLM_BASE_URL", &f.url)
            .env("VIVA_LLM_MODEL", "fake-model")
            .env("VIVA_LLM_API_KEY", secret)
            .args(args);
        run_piped(c, stdin)
    };
    let mut shown = String::new();
    let o = with_key(
        &[
            "interview",
            "--question",
            "cv-detection-anchor-boxes",
            "--follow-ups",
            "1",
        ],
        ANSWERS,
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    shown += &(text(&o.stdout) + &text(&o.stderr));
    sb.write("a.txt", "Nine anchors per location, 3 scales and 3 ratios.");
    let o = with_key(
        &[
            "grade",
            "--question",
            "cv-detection-anchor-boxes",
            "--answer-file",
            "a.txt",
            "--json",
        ],
        "",
    );
    let g: Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    assert_eq!(g["degraded"], true);
    let note = g["note"].as_str().unwrap_or_default();
    assert!(
        note.contains("Bearer [redacted]"),
        "the note still says what happened: {note}"
    );
    shown += &(text(&o.stdout) + &text(&o.stderr));
    for args in [&["doctor"][..], &["doctor", "--json"][..]] {
        let o = with_key(args, "");
        shown += &(text(&o.stdout) + &text(&o.stderr));
    }
    shown += &sb.ok(&["export", "--all", "--format", "json"], "");
    let id = newest_session_events(&sb)[0]["session"].as_u64().unwrap();
    shown += &sb.ok(&["export", &format!("{id:014x}"), "--format", "md"], "");
    assert!(
        shown.contains("[redacted]"),
        "the echo reached the output: {shown}"
    );
    assert!(!shown.contains(secret), "the key leaked: {shown}");
    for entry in files_under(&sb.store()) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the key is stored in {}",
            entry.display()
        );
    }
}

#[test]
fn terminal_escapes_are_shown_inert_but_stored_as_given() {
    let sb = Sandbox::new();
    let evil = "Nine anchors per location\u{1b}]52;c;cm0gLXJmIH4=\u{7} at every cell\u{1b}[2J, 3 scales\u{9b}31m.";
    let o = sb.run(
        &[
            "interview",
            "--question",
            "cv-detection-anchor-boxes",
            "--follow-ups",
            "0",
        ],
        &format!("{evil}\n\n"),
    );
    assert!(o.status.success());
    let shown = text(&o.stdout);
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\u{7}') && !shown.contains('\u{9b}'),
        "{shown:?}"
    );
    let evs = newest_session_events(&sb);
    let answer = evs.iter().find(|e| e["type"] == "AnswerGiven").unwrap();
    assert_eq!(answer["text"], evil, "stored as given");
    let id = format!("{:014x}", answer["session"].as_u64().unwrap());
    for args in [
        vec!["replay", id.as_str()],
        vec!["export", id.as_str(), "--format", "md"],
        vec!["report"],
    ] {
        let out = sb.ok(&args, "");
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}'),
            "{args:?}: {out:?}"
        );
        if args[0] != "report" {
            assert!(
                out.contains("\u{241b}]52;c;"),
                "the escape is visible: {out}"
            );
        }
    }
    sb.ok(&["export", &id, "--format", "md", "-o", "t.md"], "");
    let md = std::fs::read_to_string(sb.path("t.md")).unwrap();
    assert!(
        !md.contains('\u{1b}') && md.contains("\u{241b}[2J"),
        "{md:?}"
    );
    // An imported event's text (here a question title) is inert too, and so are error messages quoting a file.
    let json = sb.ok(&["export", &id, "--format", "json"], "");
    let other = Sandbox::new();
    other.write("t.jsonl", &json.replace("Anchor", "\\u001b[2JAnchor"));
    other.ok(&["import", "t.jsonl"], "");
    let out = other.ok(&["replay", &id], "");
    assert!(!out.contains('\u{1b}'), "{out:?}");
    other.write("b.jsonl", "{\"v\":1,\"type\":\"\\u001b]0;pwned\\u0007\"}\n");
    let o = other.run(&["import", "b.jsonl"], "");
    assert!(!text(&o.stderr).contains('\u{1b}'), "{:?}", text(&o.stderr));
}

#[test]
fn answer_dir_refuses_links_that_leave_it() {
    let sb = Sandbox::new();
    sb.write("clips/01.wav", "RIFF");
    sb.write("secret.txt", "root:x:0:0:the password file\n");
    sb.write("clips/notes/inner.txt", "/quit\n");
    std::os::unix::fs::symlink(sb.path("secret.txt"), sb.path("clips/02.txt")).unwrap();
    let o = sb.run(
        &[
            "interview",
            "--question",
            "cv-detection-anchor-boxes",
            "--answer-dir",
            "clips",
        ],
        "",
    );
    assert_one_line_error(&o, 1, "02.txt is a link to");
    assert!(
        text(&o.stderr).contains("outside the directory"),
        "{}",
        text(&o.stderr)
    );
    assert!(!text(&o.stdout).contains("password"));
    // A link that stays inside the directory is fine.
    std::fs::remove_file(sb.path("clips/02.txt")).unwrap();
    std::os::unix::fs::symlink(sb.path("clips/notes/inner.txt"), sb.path("clips/00.txt")).unwrap();
    let o = sb.run(
        &[
            "interview",
            "--question",
            "cv-detection-anchor-boxes",
            "--answer-dir",
            "clips",
        ],
        "",
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
}

const BATCH_OK: &str =
    "{\"question\": \"cv-detection-anchor-boxes\", \"answer\": \"Nine anchors per location, 3 scales and 3 ratios.\"}";

/// A batch file: a good line, a line that is not UTF-8, a blank line, a good line.
fn mixed_batch(sb: &Sandbox) {
    let mut bytes = Vec::new();
    bytes.extend_from_slice(BATCH_OK.as_bytes());
    bytes.extend_from_slice(
        b"\n{\"question\": \"cv-detection-anchor-boxes\", \"answer\": \"caf\xe9 \xff\"}\n\n",
    );
    bytes.extend_from_slice(BATCH_OK.as_bytes());
    bytes.extend_from_slice(b"\r\n");
    std::fs::write(sb.path("mixed.jsonl"), bytes).unwrap();
}

#[test]
fn a_non_utf8_batch_line_gets_an_error_and_the_batch_goes_on() {
    let sb = Sandbox::new();
    mixed_batch(&sb);
    let f = crate::llm::Fake::start("ok", 0.0);
    for grader in ["offline", "llm"] {
        let mut c = sb.cmd();
        c.env("VIVA_LLM_BASE_URL", &f.url)
            .env("VIVA_LLM_MODEL", "fake-model")
            .args(["--grader", grader, "grade", "--batch", "mixed.jsonl"]);
        let o = run_piped(c, "");
        assert_eq!(o.status.code(), Some(1), "{grader}: a line failed");
        let out: Vec<Value> = text(&o.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(out.len(), 3, "{grader}: {out:?}");
        assert!(
            out[0]["score"].is_number() && out[2]["score"].is_number(),
            "{grader}: {out:?}"
        );
        assert!(
            out[1]["error"]
                .as_str()
                .unwrap()
                .starts_with("line 2: not UTF-8"),
            "{grader}: {}",
            out[1]
        );
        let err = text(&o.stderr);
        assert!(
            err.contains("graded 2 answer(s)")
                && err.contains("1 line(s) failed")
                && err.contains("1 blank line(s) skipped"),
            "{grader}: {err}"
        );
    }
}

#[test]
fn a_batch_the_model_could_not_grade_says_so_and_fails() {
    let sb = Sandbox::new();
    sb.write("b.jsonl", &format!("{BATCH_OK}\n{BATCH_OK}\n"));
    let f = crate::llm::Fake::start("garbage", 0.0);
    let mut c = sb.cmd();
    c.env("VIVA_LLM_BASE_URL", &f.url)
        .env("VIVA_LLM_MODEL", "fake-model")
        .args(["--grader", "llm", "grade", "--batch", "b.jsonl"]);
    let o = run_piped(c, "");
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("graded 2 answer(s), 2 degraded"), "{err}");
    assert!(err.contains("the model graded none of them"), "{err}");
    assert_eq!(
        text(&o.stdout).lines().count(),
        2,
        "the offline grades are still given"
    );
}

#[test]
fn interview_options_before_the_command_are_honoured_or_refused() {
    let sb = Sandbox::new();
    let out = sb.ok(
        &[
            "--question",
            "cv-segmentation-miou-dice",
            "--follow-ups",
            "0",
            "interview",
        ],
        "/quit\n",
    );
    assert!(
        out.contains("mIoU") || out.contains("Dice"),
        "the question given before the command is asked: {out}"
    );
    let evs = newest_session_events(&sb);
    let q = evs.iter().find(|e| e["type"] == "QuestionAsked").unwrap();
    assert_eq!(q["question"], "cv-segmentation-miou-dice");
    // Both places: the later one wins for a single value.
    sb.ok(
        &[
            "--question",
            "cv-segmentation-miou-dice",
            "interview",
            "--question",
            "cv-detection-anchor-boxes",
        ],
        "/quit\n",
    );
    let evs = newest_session_events(&sb);
    let q = evs.iter().find(|e| e["type"] == "QuestionAsked").unwrap();
    assert_eq!(q["question"], "cv-detection-anchor-boxes");
    for args in [
        &["--question", "cv-detection-anchor-boxes", "sessions"][..],
        &["--voice", "sessions"][..],
        &["--tts", "off", "report"][..],
    ] {
        let o = sb.run(args, "");
        assert_one_line_error(&o, 2, "go with `viva` or `viva interview`");
    }
}

#[test]
fn read_only_commands_never_create_a_store() {
    let sb = Sandbox::new();
    let missing = sb.path("nonexistent/deep/x");
    let m = missing.to_str().unwrap();
    assert!(sb
        .ok(&["--store", m, "sessions"], "")
        .contains("No sessions"));
    assert_eq!(
        sb.ok(&["--store", m, "sessions", "--json"], "").trim(),
        "[]"
    );
    assert_eq!(
        sb.ok(&["--store", m, "export", "--all", "--format", "json"], ""),
        ""
    );
    sb.ok(&["--store", m, "report"], "");
    sb.ok(&["--store", m, "due"], "");
    let o = sb.run(&["--store", m, "replay", "1a2b"], "");
    assert_one_line_error(&o, 1, "no session matches '1a2b'");
    assert!(!sb.path("nonexistent").exists(), "nothing was created");
}

#[test]
fn a_read_only_store_can_still_be_read() {
    let Some(fs) = SmallFs::mount(8192) else {
        return;
    };
    let sb = Sandbox::new();
    let store = fs.path().join("store");
    let st = store.to_str().unwrap();
    sb.ok(
        &[
            "--store",
            st,
            "interview",
            "--question",
            "cv-detection-anchor-boxes",
            "--follow-ups",
            "0",
        ],
        "Nine anchors per location, 3 scales and 3 ratios.\n\n",
    );
    let before = sb.ok(&["--store", st, "export", "--all", "--format", "json"], "");
    let ok = Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(fs.path())
        .status()
        .unwrap()
        .success();
    assert!(ok, "remount read-only");
    let v: Value =
        serde_json::from_str(&sb.ok(&["--store", st, "sessions", "--json"], "")).unwrap();
    let id = v[0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        sb.ok(&["--store", st, "export", "--all", "--format", "json"], ""),
        before
    );
    assert!(sb
        .ok(&["--store", st, "replay", &id], "")
        .contains("Nine anchors"));
    sb.ok(&["--store", st, "report"], "");
    sb.ok(&["--store", st, "due", "--all"], "");
    // Writing still fails, in one line.
    let o = sb.run(
        &[
            "--store",
            st,
            "interview",
            "--question",
            "cv-detection-anchor-boxes",
        ],
        "x\n\n",
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(!text(&o.stderr).contains("panicked"));
}

/// The anchor-box rubric with `edit` applied, written as the only file of `bad/`; `bank check bad`'s output.
fn check_edited(sb: &Sandbox, edit: &dyn Fn(&str) -> String) -> (Output, String) {
    let src =
        std::fs::read_to_string(root().join("rubrics/detection/cv-detection-anchor-boxes.toml"))
            .unwrap();
    let bad = edit(&src);
    sb.write("bad/cv-detection-anchor-boxes.toml", &bad);
    (sb.run(&["bank", "check", "bad"], ""), bad)
}

#[test]
fn bank_check_wants_a_ladder_and_a_reference_that_scores() {
    let sb = Sandbox::new();
    // No ladder at all: a short-answer question, as `bank draft` writes them; refused only under --strict (the
    // built-in standard).
    let (o, bad) = check_edited(&sb, &|s| {
        s[..s.find("[[ladder]]").unwrap()].to_string() + &s[s.find("[[quiz]]").unwrap_or(s.len())..]
    });
    assert!(!bad.contains("[[ladder]]"));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = sb.run(&["bank", "check", "--strict", "bad"], "");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("a question needs a follow-up ladder of 3-4 rungs"),
        "{}",
        text(&o.stderr)
    );
    // Two rungs: a ladder, but too short.
    let (o, _) = check_edited(&sb, &|s| {
        let first = s.find("[[ladder]]").unwrap();
        let third = first + 1 + s[first + 1..].find("[[ladder]]").unwrap();
        let third = third + 1 + s[third + 1..].find("[[ladder]]").unwrap();
        s[..third].to_string() + &s[s.find("[[quiz]]").unwrap_or(s.len())..]
    });
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("a question needs a follow-up ladder of 3-4 rungs, found 2"),
        "{}",
        text(&o.stderr)
    );
    // "I do not know." as the reference.
    let (o, bad) = check_edited(&sb, &|s| {
        let i = s.find("reference = ").unwrap();
        let end = i + s[i..].find("\"\"\"").unwrap() + 3;
        let close = end + s[end..].find("\"\"\"").unwrap() + 3;
        format!("{}reference = \"I do not know.\"{}", &s[..i], &s[close..])
    });
    let line = bad
        .lines()
        .position(|l| l.starts_with("reference = "))
        .unwrap()
        + 1;
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains(&format!(
            "cv-detection-anchor-boxes.toml:{line}: the reference answer is too short (4 words"
        )),
        "{err}"
    );
    // Long enough, but it does not earn its own rubric's points.
    let filler = "This paragraph talks about something else entirely, like gardening and the weather in spring, and it never mentions the topic at all. ".repeat(3);
    let (o, _) = check_edited(&sb, &|s| {
        let i = s.find("reference = ").unwrap();
        let end = i + s[i..].find("\"\"\"").unwrap() + 3;
        let close = end + s[end..].find("\"\"\"").unwrap() + 3;
        format!("{}reference = \"{filler}\"{}", &s[..i], &s[close..])
    });
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "cv-detection-anchor-boxes.toml:{line}: the reference answer scores"
        )) && err.contains("it must score at least 85"),
        "{err}"
    );
}

#[test]
fn bank_check_reports_non_utf8_files_and_skips_link_loops() {
    let sb = Sandbox::new();
    let src =
        std::fs::read_to_string(root().join("rubrics/detection/cv-detection-anchor-boxes.toml"))
            .unwrap();
    sb.write("bank/detection/cv-detection-anchor-boxes.toml", &src);
    let mut bytes =
        b"id = \"cv-detection-latin1\"\narea = \"detection\"\ntitle = \"na\xefve\"\n".to_vec();
    bytes.extend_from_slice(b"difficulty = \"easy\"\n");
    std::fs::write(sb.path("bank/detection/cv-detection-latin1.toml"), bytes).unwrap();
    std::os::unix::fs::symlink(sb.path("bank"), sb.path("bank/detection/loop")).unwrap();
    let o = sb.run(&["bank", "check", "bank"], "");
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "bank/detection/cv-detection-latin1.toml:3: not UTF-8 text (invalid byte at column 12)"
        ),
        "{err}"
    );
    assert!(!err.contains("loop/"), "the loop is not followed: {err}");
    assert!(
        err.contains("1 problem(s)"),
        "the other file was checked and is fine: {err}"
    );
    std::fs::remove_file(sb.path("bank/detection/cv-detection-latin1.toml")).unwrap();
    assert!(sb
        .ok(&["bank", "check", "bank"], "")
        .starts_with("ok: 1 questions"));
}

#[test]
fn sessions_count_answers_given_not_grades() {
    let sb = Sandbox::new();
    let (id, lines) = exported_session(&sb);
    // The last answer was given but never graded (the process died while grading).
    let last_graded = lines
        .iter()
        .rposition(|l| l.contains("\"type\":\"Graded\""))
        .unwrap();
    let mut cut = lines.clone();
    cut.remove(last_graded);
    let other = Sandbox::new();
    other.write("cut.jsonl", &(cut.join("\n") + "\n"));
    other.ok(&["import", "cut.jsonl"], "");
    let v: Value = serde_json::from_str(&other.ok(&["sessions", "--json"], "")).unwrap();
    assert_eq!(v[0]["answers"], 2, "{v}");
    assert_eq!(v[0]["graded"], 1, "{v}");
    let table = other.ok(&["sessions"], "");
    let row = table.lines().find(|l| l.starts_with(&id)).unwrap();
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cols[cols.len() - 2], "2", "ANSWERS column: {table}");
}

#[test]
fn deep_or_long_patterns_are_refused_with_file_and_line() {
    let sb = Sandbox::new();
    for (pat, what) in [
        (
            format!("{}x{}", "(".repeat(400), ")".repeat(400)),
            "pattern nests parentheses 400 deep; the limit is 8",
        ),
        (
            format!("{}x{}", "(".repeat(20_000), ")".repeat(20_000)),
            "pattern is 40001 characters long; the limit is 1000",
        ),
        ("anchor ".repeat(300), "characters long; the limit is 1000"),
    ] {
        let (o, bad) = check_edited(&sb, &|s| {
            s.replacen("patterns = [", &format!("patterns = [\"{pat}\", "), 1)
        });
        let line = bad.lines().position(|l| l.contains(pat.as_str())).unwrap() + 1;
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            err.contains(&format!("cv-detection-anchor-boxes.toml:{line}:")) && err.contains(what),
            "{err}"
        );
        assert!(
            err.len() < 2000,
            "the message does not repeat the whole pattern"
        );
    }
}

#[test]
fn bank_check_is_linear_on_a_big_file() {
    let sb = Sandbox::new();
    let crit: String = (0..20_000)
        .map(|k| format!("[[criteria]]\nid = \"c{k}\"\nweight = 10\nstatement = \"Statement {k} about anchors.\"\npatterns = [\"anchor{k} box\", \"(scale|ratio) {k}\"]\n\n"))
        .collect();
    let (o, _) = check_edited(&sb, &|s| {
        let i = s.find("[[criteria]]").unwrap();
        format!("{}{crit}", &s[..i])
    });
    let t = std::time::Instant::now();
    let o2 = sb.run(&["bank", "check", "bad"], "");
    let took = t.elapsed();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o2.stderr).contains("a question needs 1-7 criteria, found 20000"),
        "{}",
        text(&o2.stderr)
    );
    assert!(
        took < std::time::Duration::from_secs(5),
        "bank check took {took:?} on a 2.8 MB file"
    );
}

#[test]
fn a_hanging_endpoint_trips_the_breaker_in_a_batch() {
    let sb = Sandbox::new();
    sb.write("b.jsonl", &format!("{BATCH_OK}\n").repeat(12));
    let f = crate::llm::Fake::start("hang", 0.0);
    let mut c = sb.cmd();
    c.env("VIVA_LLM_BASE_URL", &f.url)
        .env("VIVA_LLM_MODEL", "fake-model")
        .args([
            "--timeout",
            "1",
            "grade",
            "--batch",
            "b.jsonl",
            "--concurrency",
            "1",
        ]);
    let t = std::time::Instant::now();
    let o = run_piped(c, "");
    let took = t.elapsed();
    let err = text(&o.stderr);
    assert!(took < std::time::Duration::from_secs(12), "{took:?}: {err}");
    assert_eq!(
        err.matches("not calling it again in this run").count(),
        1,
        "{err}"
    );
    let lines: Vec<Value> = text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 12);
    assert!(lines
        .iter()
        .all(|l| l["degraded"] == true && l["score"].is_number()));
    assert!(
        lines[11]["note"].as_str().unwrap().contains("switched off"),
        "{}",
        lines[11]
    );
    assert_eq!(o.status.code(), Some(1), "the model graded none");
}

#[test]
fn a_hanging_endpoint_trips_the_breaker_in_an_interview_and_retry_model_resets_it() {
    let sb = Sandbox::new();
    let f = crate::llm::Fake::start("hang", 0.0);
    let mut c = sb.cmd();
    c.env("VIVA_LLM_BASE_URL", &f.url)
        .env("VIVA_LLM_MODEL", "fake-model")
        .args([
            "--timeout",
            "1",
            "interview",
            "--question",
            "cv-detection-anchor-boxes",
            "--follow-ups",
            "3",
        ]);
    let t = std::time::Instant::now();
    let o = run_piped(
        c,
        "Nine anchors per location.\n\nThe map is 38 by 63.\n\nStride 16.\n\n/retry-model\n\nAnchors are fixed references.\n\n",
    );
    let took = t.elapsed();
    let out = text(&o.stdout);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        out.matches("not calling it again in this run").count(),
        2,
        "once per trip: {out}"
    );
    assert!(out.contains("will be called again"), "{out}");
    assert!(out.contains("Saved session"));
    // Two trips of three one-second timeouts, and no waiting in between.
    assert!(took < std::time::Duration::from_secs(20), "{took:?}");
    let graded: Vec<Value> = newest_session_events(&sb)
        .into_iter()
        .filter(|e| e["type"] == "Graded")
        .collect();
    assert_eq!(graded.len(), 4);
    assert!(graded.iter().all(|g| g["grade"]["degraded"] == true));
}

#[test]
fn a_full_disk_mid_interview_is_one_line_and_exit_1_never_a_hang() {
    use std::io::{Read, Write};
    // sled claims its log segments as it goes: leave it room to start, then fill the disk between two turns.
    let Some(fs) = SmallFs::mount(32 * 1024) else {
        return;
    };
    let sb = Sandbox::new();
    let store = fs.path().join("store");
    let mut c = sb.cmd();
    c.env("VIVA_STORE", &store)
        .args([
            "interview",
            "--question",
            "cv-detection-anchor-boxes",
            "--follow-ups",
            "3",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"Nine anchors per location, 3 scales and 3 ratios.\n\n")
        .unwrap();
    stdin.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    fs.fill();
    let _ = stdin.write_all(b"The map is 38 by 63, about 20,000 anchors.\n\nStride 16.\n\n");
    drop(stdin);
    let mut stderr = child.stderr.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if started.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            panic!("viva hung on a full disk");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let _ = out_reader.join();
    let mut err = String::new();
    stderr.read_to_string(&mut err).unwrap();
    assert_eq!(status.code(), Some(1), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(
        err.contains("disk full: the session so far is saved"),
        "{err}"
    );
    assert!(!err.contains("Os {"), "no Debug output: {err}");
    // Free the space: the first turn is there.
    std::fs::remove_file(fs.path().join("filler")).unwrap();
    let v: Value = serde_json::from_str(&sb.ok(
        &["--store", store.to_str().unwrap(), "sessions", "--json"],
        "",
    ))
    .unwrap();
    // The first turn is there, graded. The answer typed as the disk filled is there too when its few bytes fit
    // into the page sled had already claimed (page alignment decides); the grade that could not be written never is.
    assert_eq!(v[0]["graded"], 1, "{v}");
    assert!(matches!(v[0]["answers"].as_u64(), Some(1 | 2)), "{v}");
}

/// A key in the base URL's user part (`http://user:key@host/v1`) is never printed: not by doctor, not in errors.
#[test]
fn credentials_in_the_base_url_are_never_printed() {
    let sb = Sandbox::new();
    sb.write(
        "a.txt",
        "Anchors are fixed reference boxes at every feature-map position.",
    );
    for args in [
        vec!["doctor"],
        vec!["doctor", "--json"],
        vec![
            "grade",
            "--question",
            "cv-detection-anchor-boxes",
            "--answer-file",
            "a.txt",
            "--json",
        ],
    ] {
        let mut c = sb.cmd();
        c.env(
            "VIVA_LLM_BASE_URL",
            "http://me:hunter2secret@127.0.0.1:9/v1",
        );
        c.env("VIVA_LLM_TIMEOUT", "2");
        c.args(&args);
        let o = run_piped(c, "");
        let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
        assert!(
            !all.contains("hunter2secret"),
            "{args:?} printed the key:\n{all}"
        );
        assert!(
            all.contains("127.0.0.1:9"),
            "{args:?} should still name the host:\n{all}"
        );
    }
}

/// Run `c` to the end, failing the test when it takes more than `secs`: (exit code, stdout, stderr).
fn finish_within(mut child: std::process::Child, secs: u64, what: &str) -> (Option<i32>, String) {
    use std::io::Read;
    let mut err_pipe = child.stderr.take().unwrap();
    let out_pipe = child.stdout.take();
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err_pipe.read_to_string(&mut s);
        s
    });
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(mut p) = out_pipe {
            let _ = p.read_to_string(&mut s);
        }
        s
    });
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if started.elapsed() > std::time::Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("viva {what} hung on a full disk");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let _ = out_reader.join();
    (status.code(), err_reader.join().unwrap())
}

/// The stderr of a command stopped by a full disk: exit 1, one line, `needle`, no Debug output.
fn assert_disk_full_line(code: Option<i32>, err: &str, needle: &str) {
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("viva: error: disk full: "), "{err}");
    assert!(err.contains(needle), "{needle:?} in {err}");
    assert!(!err.contains("Os {") && !err.contains("panicked"), "{err}");
}

#[test]
fn a_full_disk_mid_quiz_is_one_line_and_exit_1_never_a_hang() {
    use std::io::Write;
    let Some(fs) = SmallFs::mount(32 * 1024) else {
        return;
    };
    let sb = Sandbox::new();
    let store = fs.path().join("store");
    let mut c = sb.cmd();
    c.env("VIVA_STORE", &store)
        .args(["quiz", "--count", "30", "--seed", "7"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"A\n").unwrap();
    stdin.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    fs.fill();
    // Each answer is flushed: thirty of them need more room than the page the store had when the disk filled.
    let _ = stdin.write_all("B\n".repeat(29).as_bytes());
    drop(stdin);
    let (code, err) = finish_within(child, 30, "quiz");
    assert_disk_full_line(code, &err, "the quiz so far is saved in");
    std::fs::remove_file(fs.path().join("filler")).unwrap();
    let v: Value = serde_json::from_str(&sb.ok(
        &["--store", store.to_str().unwrap(), "sessions", "--json"],
        "",
    ))
    .unwrap();
    assert_eq!(v[0]["kind"], "quiz", "{v}");
    assert!(
        v[0]["quiz_total"].as_u64().unwrap_or(0) >= 1,
        "the first answer is kept: {v}"
    );
}

/// `lines` (one exported session) grown to `turns` graded turns of its first question, answer and grade.
fn many_turns(lines: &[String], turns: u32) -> String {
    let evs: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let first = |t: &str| evs.iter().find(|e| e["type"] == t).unwrap().clone();
    let mut out = Vec::new();
    let mut push = |mut e: Value, turn: Option<u32>| {
        e["seq"] = Value::from(out.len());
        if let Some(t) = turn {
            e["turn"] = Value::from(t);
        }
        out.push(e.to_string());
    };
    push(first("SessionStarted"), None);
    for t in 0..turns {
        for kind in ["QuestionAsked", "AnswerGiven", "Graded"] {
            push(first(kind), Some(t));
        }
    }
    push(first("SessionEnded"), None);
    out.join("\n") + "\n"
}

#[test]
fn a_full_disk_during_regrade_is_one_line_and_exit_1_and_loses_nothing() {
    let Some(fs) = SmallFs::mount(32 * 1024) else {
        return;
    };
    let sb = Sandbox::new();
    let (id, lines) = exported_session(&sb);
    // 400 graded turns: their new grades need more room than the store's current log segment has left.
    sb.write("big.jsonl", &many_turns(&lines, 400));
    let store = fs.path().join("store");
    let st = store.to_str().unwrap();
    sb.ok(&["--store", st, "import", "big.jsonl"], "");
    let before = sb.ok(&["--store", st, "export", &id, "--format", "json"], "");
    fs.fill();
    let mut c = sb.cmd();
    c.args(["--store", st, "regrade", &id])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let (code, err) = finish_within(c.spawn().unwrap(), 60, "regrade");
    assert_disk_full_line(
        code,
        &err,
        &format!("session {id} was not regraded and what was stored before is intact"),
    );
    std::fs::remove_file(fs.path().join("filler")).unwrap();
    // Nothing stored before is lost; the new grades went in as one transaction, so all or none of them are there.
    let after = sb.ok(&["--store", st, "export", &id, "--format", "json"], "");
    assert!(after.starts_with(&before), "the stored events are intact");
    let new = after[before.len()..].lines().count();
    assert!(new == 0 || new == 400, "{new} regraded events");
    // With room again, the regrade goes through.
    sb.ok(&["--store", st, "regrade", &id], "");
}

#[test]
fn a_full_disk_during_import_is_one_line_and_exit_1_and_a_rerun_finishes() {
    let Some(fs) = SmallFs::mount(32 * 1024) else {
        return;
    };
    let sb = Sandbox::new();
    let (id, lines) = exported_session(&sb);
    let base = viva::store::parse_id(&id).unwrap();
    let mut big = String::new();
    for k in 0..400u64 {
        for l in &lines {
            big.push_str(&l.replacen(
                &format!("\"session\":{base}"),
                &format!("\"session\":{}", base + 1 + k),
                1,
            ));
            big.push('\n');
        }
    }
    sb.write("big.jsonl", &big);
    sb.write("one.jsonl", &(lines.join("\n") + "\n"));
    let store = fs.path().join("store");
    let st = store.to_str().unwrap();
    sb.ok(&["--store", st, "import", "one.jsonl"], "");
    // A store that has been opened before has claimed its log segment: the disk fills under the import itself.
    sb.ok(&["--store", st, "sessions"], "");
    fs.fill();
    let mut c = sb.cmd();
    c.args(["--store", st, "import", "big.jsonl"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let (code, err) = finish_within(c.spawn().unwrap(), 60, "import");
    assert_disk_full_line(
        code,
        &err,
        "the sessions imported so far are saved whole in",
    );
    std::fs::remove_file(fs.path().join("filler")).unwrap();
    // Every stored session is whole, the one imported before among them.
    let all = sb.ok(&["--store", st, "export", "--all", "--format", "json"], "");
    let mut per: std::collections::BTreeMap<u64, usize> = Default::default();
    for l in all.lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        *per.entry(v["session"].as_u64().unwrap()).or_default() += 1;
    }
    assert_eq!(
        per.get(&base),
        Some(&lines.len()),
        "the earlier session is kept"
    );
    assert!(per.values().all(|n| *n == lines.len()), "{per:?}");
    assert!(per.len() < 401, "the disk filled before the end");
    let out = sb.ok(&["--store", st, "import", "big.jsonl"], "");
    assert!(out.starts_with("imported "), "{out}");
    let v: Value =
        serde_json::from_str(&sb.ok(&["--store", st, "sessions", "--json"], "")).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 401);
}
