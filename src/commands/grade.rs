//! `viva grade`: one answer (`--question ID --answer-file FILE`), or a JSONL batch (`--batch FILE`), one JSON line
//! out per line in; the `viva grade --json` contract.

use crate::bank::Bank;
use crate::cli::GradeArgs;
use crate::grade::{offline, Grade};
use crate::llm::Grader;
use crate::output::{json, outln, Style};
use crate::render;
use anyhow::{Context, Result};
use serde_json::{json, Map, Value};
use std::io::{BufRead, IsTerminal, Read};
use std::path::Path;

/// Longest answer graded, in characters.
pub const MAX_ANSWER_CHARS: usize = 20_000;

/// Read a text file, or standard input for `-`.
pub(super) fn read_input(p: &Path) -> Result<String> {
    if p == Path::new("-") {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading standard input")?;
        return Ok(s);
    }
    let bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
    String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", p.display()))
}

/// Check an answer's size; the error is one line.
pub fn check_answer(text: &str) -> std::result::Result<(), String> {
    let n = text.chars().count();
    if text.trim().is_empty() {
        Err("the answer is empty".into())
    } else if n > MAX_ANSWER_CHARS {
        Err(format!(
            "the answer is {n} characters long; the limit is {MAX_ANSWER_CHARS}"
        ))
    } else {
        Ok(())
    }
}

/// The JSON form of a grade (the `viva grade --json` contract).
pub fn grade_json(g: &Grade) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("question".into(), json!(g.question));
    m.insert("score".into(), json!(g.score));
    m.insert("grader".into(), json!(g.grader));
    m.insert("rubric_version".into(), json!(g.rubric_version));
    m.insert(
        "criteria".into(),
        Value::Array(
            g.criteria
                .iter()
                .map(|c| json!({"id": c.id, "verdict": c.verdict, "evidence": c.evidence, "weight": c.weight, "statement": c.statement}))
                .collect(),
        ),
    );
    m.insert(
        "misconceptions".into(),
        serde_json::to_value(&g.misconceptions).unwrap_or(Value::Null),
    );
    m.insert("flags".into(), json!(g.flags));
    m.insert("degraded".into(), json!(g.degraded));
    m.insert("semantic".into(), json!(g.semantic));
    if let Some(a) = &g.llm {
        m.insert(
            "tokens".into(),
            json!({"prompt": a.prompt_tokens, "completion": a.completion_tokens}),
        );
        m.insert("invented_evidence".into(), json!(a.invented_evidence));
        m.insert("latency_ms".into(), json!(a.latency_ms));
        m.insert("model_output".into(), json!(a.raw));
        if let Some(c) = a.cost_usd {
            m.insert("cost_usd".into(), json!(c));
        }
        if let Some(n) = &a.note {
            m.insert("note".into(), json!(n));
        }
        if let Some(h) = &a.holistic {
            m.insert("holistic".into(), json!(h));
        }
    }
    m
}

/// The embedded bank for grading one question: every question parsed, only `id`'s patterns compiled (see
/// `crate::bank::lazy`; an interview grades the same way).
pub fn bank_for(id: &str) -> Result<Bank> {
    let mut bank = super::review::load_outline(None)?;
    crate::bank::lazy::compile(&mut bank, &[id.to_string()])
        .map_err(|e| anyhow::anyhow!("invalid question bank: {e}"))?;
    Ok(bank)
}

/// `viva grade`.
pub fn grade(a: &GradeArgs, bank: &Bank, grader: &Grader, style: Style) -> Result<i32> {
    if let Some(batch) = &a.batch {
        return grade_batch(batch, bank, grader, a.concurrency as usize);
    }
    if let (Some(id), Some(audio)) = (&a.question, &a.answer_audio) {
        return super::voice::grade_audio(id, audio, a.json, bank, grader, style);
    }
    let (Some(id), Some(file)) = (&a.question, &a.answer_file) else {
        return Err(crate::UsageError(
            "give --question ID --answer-file FILE (or --answer-audio FILE.wav), or --batch FILE.jsonl".into(),
        )
        .into());
    };
    let q = bank
        .get(id)
        .ok_or_else(|| anyhow::anyhow!(bank.unknown_id_message(id)))?;
    let rung = match &a.rung {
        Some(r) => Some(q.rung_index(r).map_err(crate::UsageError)?),
        None => None,
    };
    let text = read_input(file)?;
    check_answer(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let g = crate::runtime()?.block_on(grader.grade_quiet(bank, q, rung, &text));
    if a.json {
        json(&Value::Object(grade_json(&g)));
    } else {
        outln(&style.bold(&format!("{} — {}", q.spec.id, q.spec.title)));
        if let Some(r) = rung.and_then(|i| q.ladder.get(i)) {
            outln(&style.dim(&format!("follow-up [{}]: {}", r.stage, r.question)));
        }
        outln(&render::feedback(&g, style, crate::output::width()));
    }
    Ok(0)
}

/// Lines graded together; the offline grader spreads each chunk over the machine's cores.
const BATCH_CHUNK: usize = 2048;

/// One input line of a batch: its text, or why it cannot be read as text.
pub type RawLine = std::result::Result<String, String>;

/// Split raw input into lines (LF or CRLF); a line that is not UTF-8 is kept as an error, not the end of input.
pub fn split_lines(bytes: &[u8]) -> impl Iterator<Item = RawLine> + '_ {
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    body.split(|b| *b == b'\n')
        .take(if bytes.is_empty() { 0 } else { usize::MAX })
        .map(|l| {
            let l = l.strip_suffix(b"\r").unwrap_or(l);
            std::str::from_utf8(l).map(String::from).map_err(|e| {
                format!(
                    "not UTF-8 text (invalid byte at column {})",
                    e.valid_up_to() + 1
                )
            })
        })
}

/// What a batch did, for its summary line and exit code.
#[derive(Debug, Default)]
struct BatchStats {
    ok: usize,
    failed: usize,
    degraded: usize,
    blank: usize,
}

impl BatchStats {
    /// Count one output line and add the line number to an error.
    fn take(&mut self, n: usize, r: LineResult) -> Map<String, Value> {
        match r {
            Ok(m) => {
                self.ok += 1;
                if m.get("degraded") == Some(&Value::Bool(true)) {
                    self.degraded += 1;
                }
                m
            }
            Err((mut m, e)) => {
                self.failed += 1;
                m.insert("error".into(), json!(format!("line {n}: {e}")));
                m
            }
        }
    }
}

/// `viva grade --batch`: one JSON line out per line in, in input order. The offline grader is pure and
/// deterministic, so chunks of lines are graded on all cores; a model grader keeps `concurrency` requests in flight.
/// Blank lines are skipped and counted; a line that is not UTF-8 gets an `error` like any other bad line.
fn grade_batch(path: &Path, bank: &Bank, grader: &Grader, concurrency: usize) -> Result<i32> {
    if !matches!(grader, Grader::Offline) {
        return grade_batch_async(path, bank, grader, concurrency);
    }
    let mut reader: Box<dyn BufRead> = if path == Path::new("-") {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?,
        ))
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let mut stats = BatchStats::default();
    let mut pending: Vec<(usize, RawLine)> = Vec::new();
    let mut buf = Vec::new();
    let mut n = 0usize;
    loop {
        buf.clear();
        let got = reader
            .read_until(b'\n', &mut buf)
            .with_context(|| format!("{}: reading line {}", path.display(), n + 1))?;
        let done = got == 0;
        if !done {
            n += 1;
            let line = split_lines(&buf)
                .next()
                .unwrap_or_else(|| Ok(String::new()));
            if matches!(&line, Ok(l) if l.trim().is_empty()) {
                stats.blank += 1;
            } else {
                pending.push((n, line));
            }
            if pending.len() < BATCH_CHUNK {
                continue;
            }
        }
        for (i, res) in pending
            .iter()
            .map(|(i, _)| *i)
            .zip(grade_lines(&pending, bank, threads))
        {
            let out = stats.take(i, res);
            crate::output::out_json(&(Value::Object(out).to_string() + "\n"));
        }
        pending.clear();
        if done {
            break;
        }
    }
    batch_summary(&stats, false)
}

/// Grade batch lines with the offline grader, in order, on `threads` threads.
fn grade_lines(lines: &[(usize, RawLine)], bank: &Bank, threads: usize) -> Vec<LineResult> {
    let one = |l: &RawLine| match l {
        Ok(l) => batch_line(l, bank),
        Err(e) => Err((Map::new(), e.clone())),
    };
    if threads <= 1 || lines.len() < 2 {
        return lines.iter().map(|(_, l)| one(l)).collect();
    }
    let per = lines.len().div_ceil(threads);
    std::thread::scope(|sc| {
        let handles: Vec<_> = lines
            .chunks(per)
            .map(|chunk| sc.spawn(move || chunk.iter().map(|(_, l)| one(l)).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("grading thread panicked"))
            .collect()
    })
}

/// `viva grade --batch` with a model grader: `concurrency` requests in flight, output in input order, a progress
/// line on stderr when it is a terminal.
fn grade_batch_async(path: &Path, bank: &Bank, grader: &Grader, concurrency: usize) -> Result<i32> {
    use futures::StreamExt;
    let bytes = if path == Path::new("-") {
        let mut b = Vec::new();
        std::io::stdin()
            .read_to_end(&mut b)
            .context("reading standard input")?;
        b
    } else {
        std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?
    };
    let mut stats = BatchStats::default();
    let mut lines: Vec<(usize, RawLine)> = Vec::new();
    for (i, l) in split_lines(&bytes).enumerate() {
        if matches!(&l, Ok(t) if t.trim().is_empty()) {
            stats.blank += 1;
        } else {
            lines.push((i + 1, l));
        }
    }
    let total = lines.len();
    let progress = std::io::stderr().is_terminal();
    let mut done = 0usize;
    let rt = crate::runtime()?;
    rt.block_on(async {
        let mut results = futures::stream::iter(lines.into_iter().map(|(n, line)| async move {
            let r = match line {
                Ok(l) => batch_line_async(&l, bank, grader).await,
                Err(e) => Err((Map::new(), e)),
            };
            (n, r)
        }))
        .buffered(concurrency.max(1));
        while let Some((n, r)) = results.next().await {
            let out = stats.take(n, r);
            done += 1;
            if let Grader::Llm(l) = grader {
                if let Some(note) = crate::llm::breaker_notice(&l.client) {
                    if progress {
                        eprint!("\r\x1b[2K");
                    }
                    eprintln!("viva: {note}");
                }
            }
            if progress {
                eprint!("\r\x1b[2Kgrading {done}/{total}");
            }
            crate::output::out_json(&(Value::Object(out).to_string() + "\n"));
        }
    });
    if progress {
        eprint!("\r\x1b[2K");
    }
    batch_summary(&stats, true)
}

/// The summary line on stderr and the exit code: 1 when a line failed, or when a model grader graded none of
/// the answers itself (every grade fell back to the offline grader).
fn batch_summary(s: &BatchStats, model: bool) -> Result<i32> {
    let none_by_model = model && s.ok > 0 && s.degraded == s.ok;
    let line = super::summary::summary_line(
        format!("graded {} answer(s)", s.ok),
        &[
            (
                s.degraded,
                format!(
                    "{} degraded (the model failed; the offline grade is given, marked \"degraded\")",
                    s.degraded
                ),
            ),
            (
                s.failed,
                format!("{} line(s) failed (see their \"error\" field)", s.failed),
            ),
            (s.blank, format!("{} blank line(s) skipped", s.blank)),
            (
                none_by_model as usize,
                "the model graded none of them".into(),
            ),
        ],
    );
    eprintln!("{line}");
    Ok(if s.failed > 0 || none_by_model { 1 } else { 0 })
}

type LineResult = std::result::Result<Map<String, Value>, (Map<String, Value>, String)>;

/// A parsed batch line (the object, its question and answer), or the object so far and what is wrong with it.
type ParsedLine<'b> = std::result::Result<
    (
        Map<String, Value>,
        &'b crate::bank::Question,
        Option<usize>,
        String,
    ),
    (Map<String, Value>, String),
>;

/// Parse one batch line.
fn parse_line<'b>(line: &str, bank: &'b Bank) -> ParsedLine<'b> {
    let v: Value =
        serde_json::from_str(line).map_err(|e| (Map::new(), format!("not JSON: {e}")))?;
    let Value::Object(m) = v else {
        return Err((Map::new(), "expected a JSON object".into()));
    };
    let id = match m.get("question") {
        Some(Value::String(s)) => s.clone(),
        _ => return Err((m, "missing string field \"question\"".into())),
    };
    let answer = match m.get("answer") {
        Some(Value::String(s)) => s.clone(),
        _ => return Err((m, "missing string field \"answer\"".into())),
    };
    let Some(q) = bank.get(&id) else {
        let msg = bank.unknown_id_message(&id);
        return Err((m, msg));
    };
    let rung = match m.get("rung") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => match q.rung_index(s) {
            Ok(i) => Some(i),
            Err(e) => return Err((m, e)),
        },
        Some(Value::Number(n)) => match q.rung_index(&n.to_string()) {
            Ok(i) => Some(i),
            Err(e) => return Err((m, e)),
        },
        Some(_) => {
            return Err((
                m,
                "field \"rung\" must be a stage name or a 1-based number".into(),
            ))
        }
    };
    if let Err(e) = check_answer(&answer) {
        return Err((m, e));
    }
    Ok((m, q, rung, answer))
}

/// Add a grade's fields to a batch line's object.
fn with_grade(mut m: Map<String, Value>, g: &Grade) -> Map<String, Value> {
    for (k, v) in grade_json(g) {
        if k != "question" {
            m.insert(k, v);
        }
    }
    m
}

/// The output object of one batch line graded offline: the grade's fields, or an `error` (the batch contract).
pub fn batch_line_output(line: &str, bank: &Bank) -> Value {
    match batch_line(line, bank) {
        Ok(m) => Value::Object(m),
        Err((mut m, e)) => {
            m.insert("error".into(), json!(e));
            Value::Object(m)
        }
    }
}

/// Grade one batch line with the offline grader.
fn batch_line(line: &str, bank: &Bank) -> LineResult {
    let (m, q, rung, answer) = parse_line(line, bank)?;
    Ok(with_grade(
        m,
        &offline::grade_without_coverage(bank, q, rung, &answer),
    ))
}

/// Grade one batch line with a model grader; `engine_us` is the time spent in viva outside the model call.
async fn batch_line_async(line: &str, bank: &Bank, grader: &Grader) -> LineResult {
    let (m, q, rung, answer) = parse_line(line, bank)?;
    let t = std::time::Instant::now();
    let g = grader.grade_quiet(bank, q, rung, &answer).await;
    let took = t.elapsed().as_micros() as u64;
    let mut m = with_grade(m, &g);
    if let Some(a) = &g.llm {
        m.insert("engine_us".into(), json!(took.saturating_sub(a.call_us)));
    }
    Ok(m)
}
