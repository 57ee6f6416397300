//! Voice mode with a tiny local fake endpoint: the transcription request, the TTS endpoint, spoken answers from
//! clips and push-to-talk, delivery metrics, and the fall-backs to typed answers. The tests with real speech
//! recognition are in `voice_stt.rs`; the helpers here serve both.

use crate::util::*;
use expectrl::Session;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(crate) const ANCHOR: &str = "cv-detection-anchor-boxes";

// ---------- helpers ----------

pub(crate) fn in_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// Whether a prerequisite is there; when it is not, skip with a message locally and fail in CI.
pub(crate) fn require(what: &str, present: bool) -> bool {
    if present {
        return true;
    }
    assert!(
        !in_ci(),
        "{what} is required in CI (.ci/run installs and starts it)"
    );
    eprintln!("skipping: {what} is not available (see scripts/local-stt)");
    false
}

/// The real STT endpoint and espeak-ng, or None (skip).
pub(crate) fn real_stt() -> Option<String> {
    let url = std::env::var("VIVA_STT_BASE_URL")
        .ok()
        .filter(|u| !u.is_empty());
    if !require(
        "VIVA_STT_BASE_URL (a running speech-to-text server)",
        url.is_some(),
    ) {
        return None;
    }
    if !require("espeak-ng", which("espeak-ng")) {
        return None;
    }
    url
}

pub(crate) fn which(prog: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(prog).is_file()))
        .unwrap_or(false)
}

/// espeak-ng speaks `text` to a WAV file (the voice the acceptance test uses).
pub(crate) fn speak(text: &str, out: &Path) {
    let st = std::process::Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", "150", "-w"])
        .arg(out)
        .arg(text)
        .status()
        .expect("run espeak-ng");
    assert!(st.success());
}

/// Synthetic speech-like audio: `(seconds, voiced)` segments at 16 kHz.
pub(crate) fn synth_wav(path: &Path, parts: &[(f64, bool)]) {
    let mut s = Vec::new();
    for &(secs, voiced) in parts {
        for i in 0..(secs * 16_000.0) as usize {
            let t = i as f32 / 16_000.0;
            let v = if voiced {
                0.3 * (2.0 * std::f32::consts::PI * 180.0 * t).sin()
            } else {
                0.0
            };
            s.push((v * 32_767.0) as i16);
        }
    }
    viva::voice::audio::write_wav_i16(path, 16_000, &s).unwrap();
}

pub(crate) fn script(sb: &Sandbox, name: &str, body: &str) -> PathBuf {
    let p = sb.write(name, &format!("#!/bin/sh\n{body}\n"));
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

/// A player that keeps what it was asked to play in `played/`.
pub(crate) fn recording_player(sb: &Sandbox) -> PathBuf {
    std::fs::create_dir_all(sb.path("played")).unwrap();
    let dir = sb.path("played");
    script(
        sb,
        "play.sh",
        &format!(
            "n=$(/bin/ls '{d}' | /usr/bin/wc -l)\n/bin/cp \"$1\" '{d}'/q$n.wav",
            d = dir.display()
        ),
    )
}

pub(crate) fn played(sb: &Sandbox) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(sb.path("played"))
        .map(|r| r.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

pub(crate) fn wav_secs(p: &Path) -> f64 {
    viva::voice::audio::read_wav(p).unwrap().duration_s()
}

pub(crate) fn answer_events(sb: &Sandbox) -> Vec<Value> {
    let out = sb.ok(&["export", "--all", "--format", "json"], "");
    out.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["type"] == "AnswerGiven")
        .collect()
}

/// A tiny HTTP/1.1 endpoint on loopback: every request is kept; `reply(path, raw request)` gives status,
/// content type and body. One thread per connection, at most 64 connections.
pub(crate) struct Fake {
    pub(crate) url: String,
    pub(crate) requests: Arc<Mutex<Vec<String>>>,
}

pub(crate) type Reply = dyn Fn(&str, &[u8]) -> (u16, &'static str, Vec<u8>) + Send + Sync;

fn find(h: &[u8], needle: &[u8]) -> Option<usize> {
    h.windows(needle.len()).position(|w| w == needle)
}

pub(crate) fn fake(reply: Arc<Reply>) -> Fake {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", l.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let reqs = requests.clone();
    std::thread::spawn(move || {
        for conn in l.incoming().take(64) {
            let Ok(mut s) = conn else { continue };
            let reply = reply.clone();
            let reqs = reqs.clone();
            std::thread::spawn(move || {
                s.set_read_timeout(Some(Duration::from_secs(10))).ok();
                let mut buf = Vec::new();
                let mut chunk = [0u8; 16384];
                let head_end = loop {
                    match s.read(&mut chunk) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                    if let Some(i) = find(&buf, b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                while buf.len() < head_end + len {
                    match s.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                reqs.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&buf).into_owned());
                let (status, ctype, body) = reply(&path, &buf);
                let _ = write!(
                    s,
                    "HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = s.write_all(&body);
            });
        }
    });
    Fake { url, requests }
}

pub(crate) fn fake_stt(text: &'static str) -> Fake {
    fake(Arc::new(move |_p: &str, _r: &[u8]| {
        (
            200,
            "application/json",
            serde_json::json!({ "text": text }).to_string().into_bytes(),
        )
    }))
}

/// (question id, answer) pairs from tests/data/stt-answers.txt.
pub(crate) fn known_answers() -> Vec<(String, String)> {
    std::fs::read_to_string(root().join("tests/data/stt-answers.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (q, a) = l.split_once('|').expect("question-id | answer");
            (q.trim().to_string(), a.trim().to_string())
        })
        .collect()
}

// ---------- the fake endpoint: request shape, TTS endpoint, faults ----------

#[test]
fn grade_answer_audio_sends_both_model_fields_and_measures_delivery() {
    let sb = Sandbox::new();
    let stt = fake_stt(
        "Um, each position gets nine anchors, three scales times three aspect ratios. I think the RPN, uh, regresses four offsets.",
    );
    let wav = sb.path("a.wav");
    // 2 s speech, a 3 s pause, 2.5 s speech.
    synth_wav(
        &wav,
        &[
            (0.5, false),
            (2.0, true),
            (3.0, false),
            (2.5, true),
            (0.5, false),
        ],
    );
    let mut c = sb.cmd();
    c.env("VIVA_STT_BASE_URL", &stt.url)
        .env("VIVA_STT_API_KEY", "sk-test-do-not-print")
        .args([
            "grade",
            "--question",
            ANCHOR,
            "--answer-audio",
            "a.wav",
            "--json",
        ]);
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert!(
        !all.contains("sk-test-do-not-print"),
        "the key is never printed"
    );
    let req = stt.requests.lock().unwrap().join("\n");
    assert!(req.starts_with("POST /v1/audio/transcriptions"), "{req}");
    assert!(
        req.contains("name=\"model\"\r\n\r\nwhisper-1"),
        "model field: {req}"
    );
    assert!(
        req.contains("name=\"model_name\"\r\n\r\nwhisper-1"),
        "model_name field"
    );
    assert!(req
        .to_lowercase()
        .contains("authorization: bearer sk-test-do-not-print"));
    assert!(
        req.contains("name=\"prompt\"") && req.contains("Walk me through"),
        "the question is the context"
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["transcript"]
        .as_str()
        .unwrap()
        .starts_with("Um, each position"));
    let d = &v["delivery"];
    assert!((d["speech_s"].as_f64().unwrap() - 7.5).abs() < 0.1, "{d}");
    assert_eq!(d["long_pauses"], 1);
    assert!((d["pauses"][0]["len_s"].as_f64().unwrap() - 3.0).abs() < 0.1);
    assert_eq!(d["filler_count"], 2);
    assert_eq!(d["hedges"][0]["phrase"], "i think");
    assert!(v["score"].as_u64().unwrap() > 0 && v["criteria"].is_array());
    // The text form shows the transcript and the delivery block.
    let mut c = sb.cmd();
    c.env("VIVA_STT_BASE_URL", &stt.url).args([
        "grade",
        "--question",
        ANCHOR,
        "--answer-audio",
        "a.wav",
    ]);
    let out = text(&c.output().unwrap().stdout);
    assert!(
        out.contains("Transcript") && out.contains("Delivery") && out.contains("pauses"),
        "{out}"
    );
}

#[test]
fn grade_answer_audio_errors_are_one_line() {
    let sb = Sandbox::new();
    synth_wav(&sb.path("a.wav"), &[(1.0, true)]);
    let grade = |env: &[(&str, &str)], file: &str| {
        let mut c = sb.cmd();
        for (k, v) in env {
            c.env(k, v);
        }
        c.args(["grade", "--question", ANCHOR, "--answer-audio", file]);
        c.output().unwrap()
    };
    assert_one_line_error(
        &grade(&[], "a.wav"),
        1,
        "no speech-to-text endpoint is configured",
    );
    let closed = dead_endpoint();
    assert_one_line_error(
        &grade(&[("VIVA_STT_BASE_URL", &closed.url)], "a.wav"),
        1,
        "cannot reach the speech-to-text endpoint",
    );
    let broken = fake(Arc::new(|_p: &str, _r: &[u8]| {
        (500, "text/plain", b"model exploded".to_vec())
    }));
    let o = grade(
        &[
            ("VIVA_STT_BASE_URL", &broken.url),
            ("OPENAI_API_KEY", "sk-hidden"),
        ],
        "a.wav",
    );
    assert_one_line_error(&o, 1, "answered HTTP 500: model exploded");
    assert!(!text(&o.stderr).contains("sk-hidden"));
    sb.write("n.wav", "not audio");
    assert_one_line_error(
        &grade(&[("VIVA_STT_BASE_URL", &broken.url)], "n.wav"),
        1,
        "not a readable WAV file",
    );
    let silent = fake_stt("");
    assert_one_line_error(
        &grade(&[("VIVA_STT_BASE_URL", &silent.url)], "a.wav"),
        1,
        "nothing was recognised",
    );
}

/// Questions spoken through an endpoint's /v1/audio/speech, answers from clips through the fake STT; the answer
/// events keep the recording and the metrics.
#[test]
fn scripted_voice_interview_with_endpoint_tts() {
    let sb = Sandbox::new();
    let speech = sb.path("speech.wav");
    synth_wav(&speech, &[(1.5, true)]);
    let speech_bytes = std::fs::read(&speech).unwrap();
    let served = speech_bytes.clone();
    let ep = fake(Arc::new(move |path: &str, _r: &[u8]| {
        if path.ends_with("/audio/speech") {
            (200, "audio/wav", served.clone())
        } else {
            (
                200,
                "application/json",
                br#"{"text": "Nine anchors per location, like, three scales times three ratios."}"#
                    .to_vec(),
            )
        }
    }));
    let clips = sb.path("clips");
    std::fs::create_dir_all(&clips).unwrap();
    synth_wav(&clips.join("01.wav"), &[(3.0, true)]);
    std::fs::write(clips.join("02.txt"), "/skip\n").unwrap();
    let player = recording_player(&sb);
    let mut c = sb.cmd();
    c.env("VIVA_TTS_BASE_URL", &ep.url)
        .env("VIVA_STT_BASE_URL", &ep.url)
        .env("VIVA_AUDIO_PLAYER", &player)
        .args([
            "interview",
            "--tts",
            "endpoint",
            "--question",
            ANCHOR,
            "--answer-dir",
            "clips",
        ]);
    let o = c.output().unwrap();
    let out = text(&o.stdout);
    assert!(o.status.success(), "{out}\n{}", text(&o.stderr));
    assert!(out.contains("/audio/speech"), "{out}");
    assert!(
        out.contains("Transcript") && out.contains("Delivery"),
        "{out}"
    );
    assert!(out.contains("\"like\" ×1"), "the filler is listed: {out}");
    let p = played(&sb);
    assert_eq!(
        p.len(),
        2,
        "the question and one follow-up were spoken: {p:?}"
    );
    assert_eq!(std::fs::read(&p[0]).unwrap(), speech_bytes);
    let reqs = ep.requests.lock().unwrap().join("\n");
    assert!(reqs.contains("\"input\":\"Walk me through"), "{reqs}");
    let ev = answer_events(&sb);
    assert_eq!(ev.len(), 1);
    let v = &ev[0]["voice"];
    assert!(sb.store().join(v["audio"].as_str().unwrap()).is_file());
    assert!((v["delivery"]["duration_s"].as_f64().unwrap() - 3.0).abs() < 0.05);
    assert_eq!(v["delivery"]["fillers"][0]["phrase"], "like");
    // Replay and the Markdown export say the answer was spoken.
    let id = {
        let s: Value = serde_json::from_str(&sb.ok(&["sessions", "--json"], "")).unwrap();
        s[0]["id"].as_str().unwrap().to_string()
    };
    assert!(sb.ok(&["replay", &id], "").contains("spoken · audio/"));
    assert!(sb
        .ok(&["export", &id, "--format", "md"], "")
        .contains("wpm"));
}

// ---------- graceful without audio ----------

#[test]
fn voice_without_tts_or_stt_falls_back_to_typed() {
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.path("emptybin")).unwrap();
    let mut c = sb.cmd();
    c.env("PATH", sb.path("emptybin"))
        .args([
            "interview",
            "--voice",
            "--question",
            ANCHOR,
            "--follow-ups",
            "0",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Nine anchors per location: 3 scales times 3 aspect ratios.\n\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let out = text(&o.stdout);
    assert!(o.status.success(), "{out}\n{}", text(&o.stderr));
    assert_eq!(
        out.matches("no text-to-speech engine found").count(),
        1,
        "{out}"
    );
    assert_eq!(
        out.matches("no speech-to-text endpoint is configured")
            .count(),
        1,
        "{out}"
    );
    assert!(out.contains("Score") && !out.contains("Delivery"), "{out}");
    assert!(!text(&o.stderr).contains("panicked"));
}

#[test]
fn unreachable_or_failing_stt_falls_back_to_typed() {
    let sb = Sandbox::new();
    let clips = sb.path("clips");
    std::fs::create_dir_all(&clips).unwrap();
    synth_wav(&clips.join("01.wav"), &[(2.0, true)]);
    let typed = "Nine anchors per location: 3 scales times 3 aspect ratios.\n\n";
    let run = |url: &str| {
        let mut c = sb.cmd();
        c.env("VIVA_STT_BASE_URL", url)
            .args([
                "interview",
                "--voice",
                "--tts",
                "off",
                "--question",
                ANCHOR,
                "--follow-ups",
                "0",
            ])
            .args(["--answer-dir", "clips"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = c.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(typed.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let closed = dead_endpoint();
    let o = run(&closed.url);
    let out = text(&o.stdout);
    assert!(o.status.success(), "{out}");
    assert_eq!(
        out.matches("cannot reach the speech-to-text endpoint")
            .count(),
        1,
        "{out}"
    );
    assert!(
        out.contains("answers are typed") && out.contains("Score"),
        "{out}"
    );

    let broken = fake(Arc::new(|_p: &str, _r: &[u8]| {
        (503, "text/plain", b"busy".to_vec())
    }));
    let o = run(&broken.url);
    let out = text(&o.stdout);
    assert!(o.status.success(), "{out}");
    assert_eq!(out.matches("answered HTTP 503").count(), 1, "{out}");
    assert!(
        out.contains("answers are typed from now on") && out.contains("Score"),
        "{out}"
    );
    let ev = answer_events(&sb);
    assert!(
        ev.iter().all(|e| e["voice"].is_null()),
        "typed answers carry no voice data"
    );
}

// ---------- push-to-talk in a terminal ----------

fn pty(sb: &Sandbox, env: &[(&str, &str)], args: &[&str]) -> Session {
    let mut c = sb.cmd();
    c.env("NO_COLOR", "1");
    for (k, v) in env {
        c.env(k, v);
    }
    c.args(args);
    let mut s = Session::spawn(c).expect("spawn viva in a pty");
    s.set_expect_timeout(Some(Duration::from_secs(30)));
    s
}

/// Push-to-talk with a file source standing in for the microphone (a recorder that copies a clip and waits
/// for SIGINT, like arecord); the transcript is shown, corrected with /edit, then graded.
#[test]
fn push_to_talk_record_edit_and_grade_in_a_terminal() {
    let sb = Sandbox::new();
    let clip = sb.path("mic.wav");
    synth_wav(&clip, &[(0.3, false), (2.5, true), (0.3, false)]);
    let rec = script(
        &sb,
        "fake-arecord",
        &format!(
            "trap 'exit 0' INT\n/bin/cp '{}' \"$1\"\nwhile :; do /bin/sleep 0.05; done",
            clip.display()
        ),
    );
    let stt =
        fake_stt("Um, each position gets nine anchors, three scales times three aspect ratios.");
    let mut s = pty(
        &sb,
        &[
            ("VIVA_RECORDER", rec.to_str().unwrap()),
            ("VIVA_STT_BASE_URL", &stt.url),
        ],
        &[
            "interview",
            "--voice",
            "--tts",
            "off",
            "--question",
            ANCHOR,
            "--follow-ups",
            "0",
        ],
    );
    s.expect("recorded with").unwrap();
    s.expect("Press Enter to start recording").unwrap();
    s.expect("> ").unwrap();
    s.send_line("").unwrap();
    s.expect("Recording").unwrap();
    std::thread::sleep(Duration::from_millis(400));
    s.send_line("").unwrap();
    s.expect("Transcript").unwrap();
    s.expect("Enter grades this transcript").unwrap();
    s.expect("> ").unwrap();
    s.send_line("/edit").unwrap();
    s.expect("edit> ").unwrap();
    s.send_line(" The RPN regresses four offsets.").unwrap();
    s.expect("Transcript (edited)").unwrap();
    s.expect("> ").unwrap();
    s.send_line("").unwrap();
    s.expect("Score").unwrap();
    s.expect("Delivery").unwrap();
    s.expect("Saved session").unwrap();
    let t0 = Instant::now();
    while s.is_alive().unwrap_or(false) && t0.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let ev = answer_events(&sb);
    assert_eq!(ev.len(), 1);
    let e = &ev[0];
    assert!(
        e["text"]
            .as_str()
            .unwrap()
            .ends_with("The RPN regresses four offsets."),
        "{e}"
    );
    assert!(
        !e["voice"]["transcript"].as_str().unwrap().contains("RPN"),
        "the raw transcript is kept too"
    );
    assert!(sb
        .store()
        .join(e["voice"]["audio"].as_str().unwrap())
        .is_file());
    assert_eq!(e["voice"]["delivery"]["fillers"][0]["phrase"], "um");
}

#[test]
fn no_recorder_in_a_terminal_falls_back_to_typed() {
    let sb = Sandbox::new();
    let stt = fake_stt("unused");
    let mut s = pty(
        &sb,
        &[
            ("VIVA_RECORDER", "/nonexistent/arecord"),
            ("VIVA_STT_BASE_URL", &stt.url),
        ],
        &[
            "interview",
            "--voice",
            "--tts",
            "off",
            "--question",
            ANCHOR,
            "--follow-ups",
            "0",
        ],
    );
    s.expect("was not found; answers are typed").unwrap();
    s.expect("> ").unwrap();
    s.send_line("Nine anchors per location, 3 scales times 3 aspect ratios.")
        .unwrap();
    s.expect("... ").unwrap();
    s.send_line("").unwrap();
    s.expect("Score").unwrap();
    s.expect("Saved session").unwrap();
}
