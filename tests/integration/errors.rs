//! Error paths: one clear line and a non-zero exit, never a panic.

use crate::util::*;

#[test]
fn malformed_rubric_names_file_and_line() {
    let sb = Sandbox::new();
    sb.write("bad/cv-detection-bad.toml", "id = \"cv-detection-bad\"\narea = \"detection\"\ntitle = \"x\"\ndifficulty = \"easy\"\nprompt = \"q\"\nreference = \"r\"\ncriteria = [\n");
    let o = sb.run(&["bank", "check", "bad"], "");
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("bad/cv-detection-bad.toml:7:")
            || err.contains("bad/cv-detection-bad.toml:8:"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}

#[test]
fn semantic_rubric_error_names_the_line() {
    let sb = Sandbox::new();
    let src =
        std::fs::read_to_string(root().join("rubrics/detection/cv-detection-anchor-boxes.toml"))
            .unwrap();
    let bad = src.replacen("penalty = 15", "penalty = 0", 1);
    let line = bad.lines().position(|l| l == "penalty = 0").unwrap() + 1;
    sb.write("bad/cv-detection-anchor-boxes.toml", &bad);
    let o = sb.run(&["bank", "check", "bad"], "");
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains(&format!("cv-detection-anchor-boxes.toml:{line}: misconception 'anchors-are-predictions': penalty must be > 0")), "{err}");
    // Using the broken bank for an interview is one line too.
    let o = sb.run(&["--bank", "bad", "bank", "list"], "");
    assert_one_line_error(&o, 1, &format!(":{line}:"));
}

#[test]
fn unknown_question_id() {
    let sb = Sandbox::new();
    sb.write("a.txt", "anchors");
    let o = sb.run(
        &[
            "grade",
            "--question",
            "cv-detection-anchors",
            "--answer-file",
            "a.txt",
        ],
        "",
    );
    assert_one_line_error(&o, 1, "unknown question id 'cv-detection-anchors'");
    let o = sb.run(&["interview", "--question", "nope"], "");
    assert_one_line_error(&o, 1, "unknown question id 'nope'");
    let o = sb.run(&["bank", "show", "nope"], "");
    assert_one_line_error(&o, 1, "unknown question id 'nope'");
}

#[test]
fn empty_and_huge_answers() {
    let sb = Sandbox::new();
    sb.write("empty.txt", "  \n\n");
    let o = sb.run(
        &[
            "grade",
            "--question",
            "cv-detection-anchor-boxes",
            "--answer-file",
            "empty.txt",
        ],
        "",
    );
    assert_one_line_error(&o, 1, "the answer is empty");
    sb.write("huge.txt", &"anchor boxes at each location ".repeat(2000));
    let o = sb.run(
        &[
            "grade",
            "--question",
            "cv-detection-anchor-boxes",
            "--answer-file",
            "huge.txt",
        ],
        "",
    );
    assert_one_line_error(&o, 1, "the limit is 20000");
    let o = sb.run(
        &[
            "grade",
            "--question",
            "cv-detection-anchor-boxes",
            "--answer-file",
            "missing.txt",
        ],
        "",
    );
    assert_one_line_error(&o, 1, "cannot read missing.txt");
}

#[test]
fn locked_store_is_a_clear_message() {
    let sb = Sandbox::new();
    let _held = viva::store::Store::open(&sb.store()).unwrap();
    let o = sb.run(&["sessions"], "");
    assert_one_line_error(&o, 1, "in use by another viva process");
    let o = sb.run(
        &["interview", "--question", "cv-detection-anchor-boxes"],
        "anchors\n\n",
    );
    assert_one_line_error(&o, 1, "in use by another viva process");
}

#[test]
fn usage_errors_exit_2() {
    let sb = Sandbox::new();
    let o = sb.run(&["grade", "--question", "x"], "");
    assert_eq!(o.status.code(), Some(2));
    let o = sb.run(&["frobnicate"], "");
    assert_eq!(o.status.code(), Some(2));
    let o = sb.run(&["export", "--all", "--format", "md"], "");
    assert_one_line_error(&o, 2, "--all works with --format json only");
}

#[test]
fn bad_config_and_env() {
    let sb = Sandbox::new();
    sb.write("config/viva/config.toml", "store = 3\n");
    let o = sb.run(&["sessions"], "");
    assert_one_line_error(&o, 1, "config.toml:1");
    let sb = Sandbox::new();
    let mut c = sb.cmd();
    let o = c
        .args(["sessions"])
        .env("VIVA_GRADER", "magic")
        .output()
        .unwrap();
    assert_one_line_error(&o, 1, "VIVA_GRADER=magic");
}

#[test]
fn broken_pipe_exits_quietly() {
    let sb = Sandbox::new();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let o = sb
        .cmd()
        .args(["completions", "zsh"])
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "stderr: {}", text(&o.stderr));
    assert!(text(&o.stderr).is_empty(), "{}", text(&o.stderr));
}

#[test]
fn help_has_examples_everywhere() {
    let sb = Sandbox::new();
    for args in [
        vec!["--help"],
        vec!["interview", "--help"],
        vec!["bank", "list", "--help"],
        vec!["bank", "show", "--help"],
        vec!["bank", "check", "--help"],
        vec!["grade", "--help"],
        vec!["calibrate", "--help"],
        vec!["sessions", "--help"],
        vec!["replay", "--help"],
        vec!["export", "--help"],
        vec!["import", "--help"],
        vec!["completions", "--help"],
    ] {
        let out = sb.ok(&args, "");
        assert!(out.contains("Example"), "{args:?} has no examples");
    }
    for sh in ["bash", "zsh", "fish"] {
        assert!(sb.ok(&["completions", sh], "").contains("viva"));
    }
}
