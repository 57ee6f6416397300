//! The HTML report and transcript in headless Chromium: the page loads without errors, its inline script marks it
//! rendered, the numbers drawn equal `viva report --json`, and an answer's `<script>` stays inert.

use crate::review::{json_of, sit, A, B, FIRST, SECOND};
use crate::util::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn chromium() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    panic!("headless Chromium is needed for the HTML tests: apt-get install -y chromium (.ci/run installs it)");
}

/// Run headless Chromium on a local file with a throw-away profile; returns stdout.
fn browse(file: &Path, extra: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut c = Command::new(chromium());
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ])
    .arg(format!("--user-data-dir={}", profile.path().display()))
    .args(extra)
    .arg(format!("file://{}", file.display()))
    .env("HOME", profile.path())
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = c.spawn().expect("start chromium");
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "chromium failed: {}", text(&o.stderr));
    text(&o.stdout)
}

/// Attributes of every element whose class list holds `class`, in document order.
fn elements(dom: &str, tag: &str, class: &str) -> Vec<BTreeMap<String, String>> {
    let el = regex::Regex::new(&format!(r"<{tag}\b([^>]*)>")).unwrap();
    let at = regex::Regex::new(r#"([\w-]+)="([^"]*)""#).unwrap();
    el.captures_iter(dom)
        .map(|c| {
            at.captures_iter(&c[1])
                .map(|a| (a[1].to_string(), a[2].replace("&amp;", "&")))
                .collect::<BTreeMap<_, _>>()
        })
        .filter(|m| {
            m.get("class")
                .map(|c| c.split_whitespace().any(|x| x == class))
                .unwrap_or(false)
        })
        .collect()
}

/// The opening `<html …>` tag of a dumped DOM (where the page's script puts its markers).
fn html_tag(dom: &str) -> String {
    regex::Regex::new(r"<html\b[^>]*>")
        .unwrap()
        .find(dom)
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| {
            panic!(
                "no <html> element in the dumped DOM: {}",
                &dom[..dom.len().min(300)]
            )
        })
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

#[test]
fn html_report_renders_in_chromium_and_matches_json() {
    // A history over time: three sessions ten days ago (some now due), one today.
    let sb = Sandbox::new();
    sit(&sb, &[A, B], FIRST);
    sit(&sb, &[A], SECOND);
    sit(
        &sb,
        &["cv-segmentation-miou-dice", "cv-deploy-int8-ptq-vs-qat"],
        "mIoU averages intersection over union per class; Dice is twice the overlap over the sum of both areas.\n\n\
         I would pick a threshold.\n\n\
         Post-training quantization calibrates int8 scales on a few hundred images; QAT simulates quantization \
         during training with fake quant nodes and recovers accuracy when PTQ drops too much.\n\n",
    );
    sb.ok(
        &["export", "--all", "--format", "json", "-o", "all.jsonl"],
        "",
    );
    let mut aged = String::new();
    for line in std::fs::read_to_string(sb.path("all.jsonl"))
        .unwrap()
        .lines()
    {
        let mut v: Value = serde_json::from_str(line).unwrap();
        let at = chrono::DateTime::parse_from_rfc3339(v["at"].as_str().unwrap()).unwrap()
            - chrono::Duration::days(10);
        v["at"] = Value::String(at.with_timezone(&chrono::Utc).to_rfc3339());
        aged.push_str(&v.to_string());
        aged.push('\n');
    }
    let old = Sandbox::new();
    old.write("aged.jsonl", &aged);
    old.ok(&["import", "aged.jsonl"], "");
    sit(&old, &[A, "cv-segmentation-miou-dice"], SECOND);

    let report = old.path("report.html");
    let o = old.run(&["report", "--html", report.to_str().unwrap()], "");
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("wrote the report to"));
    let html = std::fs::read_to_string(&report).unwrap();
    let r = json_of(&old, &["report", "--json"]);

    // Self-contained: no external resources at all.
    for bad in [
        "<link",
        "src=\"http",
        "href=\"http",
        "url(http",
        "@import",
        "<script src",
    ] {
        assert!(
            !html.contains(bad),
            "external resource {bad:?} in the report"
        );
    }
    assert!(html.contains("default-src 'none'"));

    let dom = browse(&report, &["--dump-dom", "--virtual-time-budget=3000"]);
    let root_el = html_tag(&dom);
    assert!(
        root_el.contains("data-viva-rendered=\"ok\""),
        "the page's script must finish and mark it rendered: {root_el}"
    );
    assert!(
        !root_el.contains("data-viva-error"),
        "a script error was reported: {root_el}"
    );

    // Score over time: every point, with its number, equals the JSON trend.
    let drawn: BTreeSet<(String, String, String)> = elements(&dom, "circle", "pt")
        .into_iter()
        .map(|m| {
            (
                m["data-area"].clone(),
                m["data-session"].clone(),
                m["data-score"].clone(),
            )
        })
        .collect();
    let mut want = BTreeSet::new();
    for a in r["areas"].as_array().unwrap() {
        for p in a["points"].as_array().unwrap() {
            want.insert((
                a["area"].as_str().unwrap().to_string(),
                p["session"].as_str().unwrap().to_string(),
                p["score"].to_string(),
            ));
        }
    }
    assert_eq!(drawn, want);
    assert!(want.len() >= 5, "{want:?}");
    assert!(root_el.contains(&format!("data-viva-points=\"{}\"", want.len())));
    let labels: Vec<String> = regex::Regex::new(r#"<text class="lbl"[^>]*>(\d+)</text>"#)
        .unwrap()
        .captures_iter(&dom[..dom.find("id=\"due-svg\"").unwrap()])
        .map(|c| c[1].to_string())
        .collect();
    let mut label_set = labels.clone();
    label_set.sort();
    let mut scores: Vec<String> = want.iter().map(|w| w.2.clone()).collect();
    scores.sort();
    assert_eq!(label_set, scores, "the numbers printed on the trend chart");

    // Heat map: area × concept cells.
    let cells: BTreeSet<(String, String, String)> = elements(&dom, "td", "cell")
        .into_iter()
        .map(|m| {
            (
                m["data-area"].clone(),
                m["data-tag"].clone(),
                m["data-mastery"].clone(),
            )
        })
        .collect();
    let want: BTreeSet<(String, String, String)> = r["heatmap"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["area"].as_str().unwrap().to_string(),
                c["tag"].as_str().unwrap().to_string(),
                c["mastery"].to_string(),
            )
        })
        .collect();
    assert_eq!(cells, want);

    // Schedule: rows and bar totals.
    let rows: Vec<(String, String, String, String)> = elements(&dom, "tr", "due-row")
        .into_iter()
        .map(|m| {
            (
                m["data-question"].clone(),
                m["data-due"].clone(),
                m["data-last-score"].clone(),
                m["data-due-now"].clone(),
            )
        })
        .collect();
    let want: Vec<(String, String, String, String)> = r["schedule"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["question"].as_str().unwrap().to_string(),
                d["due"].as_str().unwrap().to_string(),
                d["last_score"].to_string(),
                d["due_now"].to_string(),
            )
        })
        .collect();
    assert_eq!(rows, want);
    assert!(
        want.iter().any(|w| w.3 == "true"),
        "something is due: {want:?}"
    );
    assert!(
        want.iter().any(|w| w.3 == "false"),
        "something is not due yet"
    );
    let bars: u64 = elements(&dom, "rect", "bar")
        .iter()
        .map(|m| m["data-count"].parse::<u64>().unwrap())
        .sum();
    assert_eq!(bars as usize, want.len());
    let now_bar = elements(&dom, "rect", "bar")
        .into_iter()
        .find(|m| m["data-bucket"] == "now")
        .unwrap();
    assert_eq!(
        now_bar["data-count"],
        want.iter().filter(|w| w.3 == "true").count().to_string()
    );

    // Weak spots, in rank order.
    let weak: Vec<(String, String, String)> = elements(&dom, "li", "weak-criterion")
        .into_iter()
        .map(|m| {
            (
                m["data-question"].clone(),
                m["data-criterion"].clone(),
                m["data-mastery"].clone(),
            )
        })
        .collect();
    let want: Vec<(String, String, String)> = r["weak_criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["question"].as_str().unwrap().to_string(),
                c["criterion"].as_str().unwrap().to_string(),
                c["mastery"].to_string(),
            )
        })
        .collect();
    assert_eq!(weak, want);
    assert!(!want.is_empty());
    let concepts: Vec<(String, String)> = elements(&dom, "li", "weak-concept")
        .into_iter()
        .map(|m| (m["data-tag"].clone(), m["data-mastery"].clone()))
        .collect();
    let want: Vec<(String, String)> = r["weak_concepts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["tag"].as_str().unwrap().to_string(),
                c["mastery"].to_string(),
            )
        })
        .collect();
    assert_eq!(concepts, want);
    assert!(dom.contains(&format!("<b id=\"n-sessions\">{}</b>", r["sessions"])));
    assert!(dom.contains(&format!("<b id=\"n-answers\">{}</b>", r["answers"])));

    // A screenshot to look at.
    let shot = target_dir().join("report-screenshot.png");
    let _ = std::fs::remove_file(&shot);
    browse(
        &report,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1200,1600",
            "--hide-scrollbars",
        ],
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000);
    println!("report screenshot: {}", shot.display());
}

#[test]
fn html_transcript_keeps_a_script_in_an_answer_inert() {
    let sb = Sandbox::new();
    let evil = "<script>document.documentElement.setAttribute('data-pwned','1')</script> \
                <img src=x onerror=\"document.documentElement.setAttribute('data-pwned','2')\"> \
                Anchors sit at every feature map location & scale.";
    let id = sit(&sb, &[A], &format!("{evil}\n\n"));
    let page = sb.path("t.html");
    sb.ok(
        &[
            "export",
            &id,
            "--format",
            "html",
            "-o",
            page.to_str().unwrap(),
        ],
        "",
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("<script"), "no script element at all");
    assert!(!html.contains("<img"));
    assert!(html.contains("&lt;script&gt;document.documentElement.setAttribute(&#39;data-pwned&#39;,&#39;1&#39;)&lt;/script&gt;"));
    assert!(html.contains("feature map location &amp; scale."));
    assert!(html.contains("Score "), "grades are in the transcript");
    // Stdout works too.
    assert_eq!(sb.ok(&["export", &id, "--format", "html"], ""), html);
    let dom = browse(&page, &["--dump-dom"]);
    assert!(
        !html_tag(&dom).contains("data-pwned"),
        "the answer's script ran: {}",
        html_tag(&dom)
    );
    assert!(
        dom.contains("&lt;script&gt;"),
        "the answer is shown as text"
    );
    let o = sb.run(&["export", "--all", "--format", "html"], "");
    assert_one_line_error(&o, 2, "--all works with --format json only");
}
