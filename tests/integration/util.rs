//! Test harness: runs the built `viva` binary in a temp dir with a controlled environment.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A sandbox: a temp dir with its own store and config home.
pub struct Sandbox {
    /// The temp dir (kept alive).
    pub dir: tempfile::TempDir,
    /// Grade by meaning: the real embedding model from the user's cache (`viva model fetch` installs it).
    pub model: Option<PathBuf>,
}

/// The installed embedding model's directory (the real cache, not a sandbox's), or None with a message outside
/// CI. In CI (CI=true) a missing model fails the test: `.ci/run` installs it before the tests.
pub fn model_dir() -> Option<PathBuf> {
    let d = viva::embed::fetch::default_dir();
    if viva::embed::fetch::installed(&d, false) {
        return Some(d);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "the embedding model is not installed in {}: run `viva model fetch`",
            d.display()
        );
    }
    eprintln!(
        "skipped the semantic variant: run `viva model fetch` to install the embedding model"
    );
    None
}

/// Path of the built binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_viva"))
}

/// The repo root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The six seed questions of the interview guide.
pub const SEEDS: &[&str] = &[
    "cv-classification-10k-classes",
    "cv-detection-anchor-boxes",
    "cv-segmentation-realtime-pedestrians",
    "cv-video-two-stream-vs-slowfast",
    "cv-multimodal-clip-defects",
    "cv-deploy-yolov8-jetson-latency",
];

/// The shared calibration set (beside the repo).
pub fn public_set() -> PathBuf {
    let p = root().join("../shared/calibration/public-set.json");
    assert!(
        p.exists(),
        "the shared calibration set is missing at {}",
        p.display()
    );
    p
}

impl Sandbox {
    /// A fresh sandbox.
    pub fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().expect("temp dir"),
            model: None,
        }
    }

    /// A sandbox that grades by meaning when `semantic` (None when the model is missing outside CI: skip).
    pub fn graded_by(semantic: bool) -> Option<Sandbox> {
        let mut sb = Sandbox::new();
        if semantic {
            sb.model = Some(model_dir()?);
        }
        Some(sb)
    }

    /// The store directory.
    pub fn store(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    /// Path inside the sandbox.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Write a file inside the sandbox.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(&p, text).unwrap();
        p
    }

    /// A command with a clean environment.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(bin());
        c.current_dir(self.dir.path());
        c.env_clear();
        c.env("PATH", std::env::var("PATH").unwrap_or_default());
        c.env("HOME", self.dir.path());
        c.env("XDG_CONFIG_HOME", self.dir.path().join("config"));
        c.env("XDG_DATA_HOME", self.dir.path().join("data"));
        c.env("VIVA_STORE", self.store());
        c.env("RUST_BACKTRACE", "0");
        c.env("TERM", "xterm-256color");
        c.env("COLUMNS", "100");
        match &self.model {
            Some(m) => c.env("VIVA_MODEL_DIR", m),
            None => c.env("VIVA_SEMANTIC", "0"),
        };
        c
    }

    /// Run with args and stdin text.
    pub fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut c = self.cmd();
        c.args(args);
        run_piped(c, stdin)
    }

    /// Run and require success; returns stdout.
    pub fn ok(&self, args: &[&str], stdin: &str) -> String {
        let o = self.run(args, stdin);
        assert!(
            o.status.success(),
            "viva {args:?} failed ({:?}):\nstdout: {}\nstderr: {}",
            o.status.code(),
            text(&o.stdout),
            text(&o.stderr)
        );
        text(&o.stdout)
    }

    /// `viva grade --batch -` on JSON lines that carry an `id`: each id's score.
    pub fn batch_scores(&self, lines: &str) -> std::collections::HashMap<String, i64> {
        self.ok(&["grade", "--batch", "-"], lines)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .map(|g| {
                (
                    g["id"].as_str().unwrap().to_string(),
                    g["score"].as_i64().unwrap(),
                )
            })
            .collect()
    }
}

/// Bytes as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Assert a failure with the given exit code and a single-line stderr containing `needle`.
pub fn assert_one_line_error(o: &Output, code: i32, needle: &str) {
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(code), "exit code; stderr: {err}");
    assert!(
        err.contains(needle),
        "stderr should mention {needle:?}: {err}"
    );
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "error must be one line: {err:?}"
    );
    assert!(!err.contains("panicked"), "no panics: {err}");
}

/// Copy a file from the repo into a sandbox-relative path.
pub fn copy_repo_file(sb: &Sandbox, from: &str, to: &str) -> PathBuf {
    let text = std::fs::read_to_string(root().join(from)).unwrap();
    sb.write(to, &text)
}

/// Whether a path exists.
pub fn exists(p: &Path) -> bool {
    p.exists()
}

/// Run `cmd` with `stdin` written to it and closed; the finished output.
pub fn run_piped(mut cmd: Command, stdin: &str) -> Output {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn viva");
    {
        use std::io::Write;
        let mut si = child.stdin.take().unwrap();
        let _ = si.write_all(stdin.as_bytes());
    }
    child.wait_with_output().expect("wait for viva")
}

/// Everything a pseudo-terminal session prints until it exits.
pub fn read_to_end(s: &mut expectrl::Session) -> String {
    let rest = s
        .expect(expectrl::Eof)
        .expect("the session runs to its end");
    // Eof matches everything still buffered.
    std::iter::once(rest.before())
        .chain(rest.matches())
        .map(|b| String::from_utf8_lossy(b).to_string())
        .collect()
}

/// The stored events of the newest session in the sandbox's store.
pub fn newest_session_events(sb: &Sandbox) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(&sb.ok(&["sessions", "--json"], "")).unwrap();
    let id = v[0]["id"].as_str().expect("a stored session").to_string();
    let evs: serde_json::Value =
        serde_json::from_str(&sb.ok(&["replay", &id, "--json"], "")).unwrap();
    evs.as_array().unwrap().clone()
}

/// Press Ctrl-C once the spinner invites it, then check the turn: the offline grade shown as degraded with the
/// reason, the session saved normally, and the stored grade marked degraded. Returns the stored `Graded` event.
pub fn cancel_at_spinner(s: &mut expectrl::Session, sb: &Sandbox) -> serde_json::Value {
    s.expect("(Ctrl-C cancels)").unwrap();
    s.send(expectrl::ControlCode::EndOfText).unwrap();
    let rest = read_to_end(s);
    assert!(rest.contains("degraded"), "{rest}");
    assert!(rest.contains("model call cancelled with Ctrl-C"), "{rest}");
    assert!(rest.contains("Saved session"), "{rest}");
    let evs = newest_session_events(sb);
    let g = evs
        .into_iter()
        .find(|e| e["type"] == "Graded")
        .expect("a stored grade");
    assert_eq!(g["grade"]["degraded"], true, "{g}");
    g
}

/// Every file under `p` (none when it cannot be read).
pub fn files_under(p: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let path = e.path();
            if path.is_dir() {
                out.extend(files_under(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// An endpoint URL whose port refuses every connection for as long as this value lives. The port is
/// bound without listening, so the system cannot hand it to a test server running beside this test.
pub struct DeadEndpoint {
    _held: socket2::Socket,
    pub url: String,
}

pub fn dead_endpoint() -> DeadEndpoint {
    use socket2::{Domain, Socket, Type};
    let s = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a socket");
    let any: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
    s.bind(&any.into()).expect("bind a loopback port");
    let port = s.local_addr().unwrap().as_socket().unwrap().port();
    DeadEndpoint {
        _held: s,
        url: format!("http://127.0.0.1:{port}/v1"),
    }
}
