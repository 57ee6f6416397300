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
