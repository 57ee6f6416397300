//! `viva bank …`, `viva grade`, `viva calibrate`.

use crate::bank::{Bank, BankError};
use crate::cli::{BankCmd, CalibrateArgs, GradeArgs};
use crate::grade::{baseline, compute_score, offline, stats, Grade};
use crate::llm::Grader;
use crate::output::{json, outln, Style};
use crate::render;
use anyhow::{bail, Context, Result};
use serde_json::{json, Map, Value};
use std::io::{BufRead, IsTerminal, Read};
use std::path::Path;

/// Longest answer graded, in characters.
pub const MAX_ANSWER_CHARS: usize = 20_000;

/// `viva bank list|show|check`.
pub fn bank(cmd: &BankCmd, bank_dir: Option<&Path>, style: Style) -> Result<()> {
    match cmd {
        BankCmd::Check { dir, strict } => {
            let target = dir.as_deref().or(bank_dir);
            let res = match target {
                Some(d) => Bank::from_dir_only(d),
                None => Bank::embedded(),
            };
            match res.and_then(check_references) {
                Ok(b) => {
                    let fair = crate::grade::fairness::check(&b, *strict || target.is_none());
                    for w in &fair.warnings {
                        eprintln!("warning: {w}");
                    }
                    if !fair.errors.is_empty() {
                        for e in &fair.errors {
                            eprintln!("{e}");
                        }
                        bail!(
                            "{} problem(s) in the question bank (fairness: correct statements must not trip a misconception)",
                            fair.errors.len()
                        );
                    }
                    let rungs: usize = b.questions.iter().map(|q| q.ladder.len()).sum();
                    let quiz: usize = b.questions.iter().map(|q| q.spec.quiz.len()).sum();
                    outln(&format!(
                        "ok: {} questions, {} ladder rungs, {} quiz items, {} correct statements never penalised",
                        b.questions.len(),
                        rungs,
                        quiz,
                        fair.checked
                    ));
                    Ok(())
                }
                Err(BankError::Invalid(issues)) => {
                    for i in &issues {
                        eprintln!("{i}");
                    }
                    bail!("{} problem(s) in the question bank", issues.len())
                }
                Err(e) => Err(e.into()),
            }
        }
        // Run by `commands::draft::command`, which needs the settings (the model endpoint).
        BankCmd::Draft { .. } => bail!("viva bank draft is not handled here"),
        BankCmd::List {
            area,
            json: as_json,
        } => {
            let b = load(bank_dir)?;
            if let Some(a) = area {
                if !b.questions.iter().any(|q| &q.spec.area == a) {
                    bail!("unknown area '{a}' ({})", b.areas().join(", "));
                }
            }
            let qs: Vec<_> = b
                .questions
                .iter()
                .filter(|q| area.as_ref().map(|a| &q.spec.area == a).unwrap_or(true))
                .collect();
            if *as_json {
                let v: Vec<Value> = qs
                    .iter()
                    .map(|q| {
                        json!({
                            "id": q.spec.id, "area": q.spec.area, "difficulty": q.spec.difficulty, "title": q.spec.title,
                            "companies": q.spec.companies, "criteria": q.criteria.len(), "rungs": q.ladder.len(),
                            "quiz_items": q.spec.quiz.len(), "version": q.spec.version,
                        })
                    })
                    .collect();
                json(&v);
            } else {
                let idw = qs.iter().map(|q| q.spec.id.len()).max().unwrap_or(10);
                outln(&style.bold(&format!(
                    "{:<idw$}  {:<14}  {:<6}  TITLE",
                    "ID", "AREA", "LEVEL"
                )));
                for q in qs {
                    outln(&format!(
                        "{:<idw$}  {:<14}  {:<6}  {}",
                        q.spec.id, q.spec.area, q.spec.difficulty, q.spec.title
                    ));
                }
            }
            Ok(())
        }
        BankCmd::Show { id, json: as_json } => {
            let b = load(bank_dir)?;
            let q = b
                .get(id)
                .ok_or_else(|| anyhow::anyhow!(b.unknown_id_message(id)))?;
            if *as_json {
                json(&q.spec);
                return Ok(());
            }
            let w = crate::output::width();
            outln(&style.bold(&format!("{} — {}", q.spec.id, q.spec.title)));
            outln(&style.dim(&format!(
                "{} · {} · {} · rubric v{}",
                q.spec.area,
                q.spec.difficulty,
                q.spec.companies.join(", "),
                q.spec.version
            )));
            outln(&format!(
                "\n{}\n{}",
                style.bold("Question"),
                crate::output::wrap(&q.spec.prompt, w, "  ")
            ));
            outln(&format!("\n{}", style.bold("Criteria")));
            for c in &q.criteria {
                outln(&crate::output::wrap(
                    &format!(
                        "- {} ({} pts): {}",
                        c.spec.id, c.spec.weight, c.spec.statement
                    ),
                    w,
                    "  ",
                ));
            }
            if !q.misconceptions.is_empty() {
                outln(&format!("\n{}", style.bold("Misconceptions")));
                for m in &q.misconceptions {
                    outln(&crate::output::wrap(
                        &format!(
                            "- {} (−{}): {}",
                            m.spec.id, m.spec.penalty, m.spec.statement
                        ),
                        w,
                        "  ",
                    ));
                }
            }
            outln(&format!("\n{}", style.bold("Follow-up ladder")));
            for (i, r) in q.ladder.iter().enumerate() {
                outln(&crate::output::wrap(
                    &format!("{}. [{}] {}", i + 1, r.stage, r.question),
                    w,
                    "  ",
                ));
            }
            outln(&format!(
                "\n{}\n{}",
                style.bold("Reference answer"),
                crate::output::wrap(&q.spec.reference, w, "  ")
            ));
            Ok(())
        }
    }
}

/// `viva bank check`'s last gate: every reference answer must score at least
/// [`crate::bank::MIN_REFERENCE_SCORE`] with the offline grader (a reference that does not earn its own rubric's
/// points means the patterns or the reference are wrong).
fn check_references(b: Bank) -> std::result::Result<Bank, BankError> {
    let issues: Vec<crate::bank::BankIssue> = b
        .questions
        .iter()
        .filter_map(|q| {
            let g = offline::grade_without_coverage(&b, q, None, &q.spec.reference);
            (g.score < crate::bank::MIN_REFERENCE_SCORE).then(|| crate::bank::BankIssue {
                file: q.source.clone(),
                line: q.reference_line,
                msg: format!(
                    "the reference answer scores {} with the offline grader{}; it must score at least {}",
                    g.score,
                    if g.flags.is_empty() {
                        String::new()
                    } else {
                        format!(" (flags: {})", g.flags.join(", "))
                    },
                    crate::bank::MIN_REFERENCE_SCORE
                ),
            })
        })
        .collect();
    if issues.is_empty() {
        Ok(b)
    } else {
        Err(BankError::Invalid(issues))
    }
}

/// Load the bank in use: embedded, with `--bank DIR` overrides.
pub fn load(dir: Option<&Path>) -> Result<Bank> {
    let b = match dir {
        Some(d) => Bank::with_overrides(d),
        None => Bank::embedded(),
    };
    b.map_err(|e| match e {
        BankError::Invalid(issues) => {
            let first = issues[0].to_string();
            let more = if issues.len() > 1 {
                format!(" (and {} more; run `viva bank check`)", issues.len() - 1)
            } else {
                String::new()
            };
            anyhow::anyhow!("invalid question bank: {first}{more}")
        }
        other => other.into(),
    })
}

fn read_input(p: &Path) -> Result<String> {
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
    }
    m
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
    let mut parts = vec![format!("graded {} answer(s)", s.ok)];
    if s.degraded > 0 {
        parts.push(format!(
            "{} degraded (the model failed; the offline grade is given, marked \"degraded\")",
            s.degraded
        ));
    }
    if s.failed > 0 {
        parts.push(format!(
            "{} line(s) failed (see their \"error\" field)",
            s.failed
        ));
    }
    if s.blank > 0 {
        parts.push(format!("{} blank line(s) skipped", s.blank));
    }
    let none_by_model = model && s.ok > 0 && s.degraded == s.ok;
    if none_by_model {
        parts.push("the model graded none of them".into());
    }
    eprintln!("{}", parts.join(", "));
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

/// One labelled item of a calibration set.
#[derive(Debug, serde::Deserialize)]
pub struct LabelledAnswer {
    /// Question id.
    pub question: String,
    /// Kind of answer.
    #[serde(default)]
    pub label: String,
    /// Human grade 0-100.
    pub human: f64,
    /// The answer.
    pub answer: String,
}

/// One graded item of a calibration run.
struct Graded {
    label: String,
    human: f64,
    score: u32,
    raw: u32,
    question: String,
    flags: Vec<String>,
    signals: Option<Value>,
    /// Scores of repeated runs (the first is `score`).
    runs: Vec<u32>,
    /// Model grades: invented evidence, tokens, latency in ms.
    audit: Option<(u32, u32, u64)>,
    degraded: bool,
    /// Model grades: (this grade used the second opinion, the score under the other verdict policy).
    policy: Option<(bool, u32)>,
}

/// Spearman, quadratic-weighted kappa and mean absolute error of `scores` against `human`.
fn agreement(human: &[f64], scores: &[f64]) -> (f64, f64, f64) {
    (
        stats::spearman(human, scores),
        stats::qwk(human, scores),
        stats::mae(human, scores),
    )
}

/// Grade one answer; the offline grader also reports what it measured.
async fn grade_for_calibration(
    bank: &Bank,
    grader: &Grader,
    q: &crate::bank::Question,
    answer: &str,
) -> (Grade, Option<Value>) {
    if matches!(grader, Grader::Offline) {
        let (g, s) = offline::grade_with_signals(bank, q, None, answer);
        let sig = json!({
            "raw": s.raw, "content_words": s.content, "technical_terms": s.technical, "on_topic": s.on_topic(), "claim_density": round3(s.claims),
            "topic_own": round3(s.topic.0), "topic_other": round3(s.topic.1),
            "question_overlap": round3(s.overlap), "domain_overlap": round3(s.domain), "echo": round3(s.echo.0), "new_terms": s.echo.1,
            "rejected_criteria": s.rejected, "misconceptions": g.misconceptions.len(), "non_prose": round3(s.non_prose),
        });
        (g, Some(sig))
    } else {
        (grader.grade_quiet(bank, q, None, answer).await, None)
    }
}

/// `viva calibrate`: the grader's agreement with human grades on a labelled set, beside naive baselines.
pub fn calibrate(a: &CalibrateArgs, bank: &Bank, grader: &Grader, style: Style) -> Result<()> {
    let text = read_input(&a.set)?;
    let items: Vec<LabelledAnswer> = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}:{}: {}", a.set.display(), e.line(), e))?;
    if items.is_empty() {
        bail!("{} holds no items", a.set.display());
    }
    let reruns = a.reruns.max(1) as usize;
    let mut qs = Vec::with_capacity(items.len());
    for (i, it) in items.iter().enumerate() {
        qs.push(bank.get(&it.question).ok_or_else(|| {
            anyhow::anyhow!(
                "{} item {}: {}",
                a.set.display(),
                i + 1,
                bank.unknown_id_message(&it.question)
            )
        })?);
    }
    let rt = crate::runtime()?;
    let progress = std::io::stderr().is_terminal() && !matches!(grader, Grader::Offline);
    let total = items.len();
    // One task per answer: its first grade, then the reruns back to back (a model server can reuse its prompt
    // cache); `concurrency` answers at once, results in input order.
    let rows: Vec<Graded> = rt.block_on(async {
        use futures::StreamExt;
        let mut done = 0usize;
        let mut out = Vec::with_capacity(total);
        let mut s = futures::stream::iter(items.iter().zip(&qs).map(|(it, q)| async move {
            let (g, signals) = grade_for_calibration(bank, grader, q, &it.answer).await;
            let mut runs = vec![g.score];
            for _ in 1..reruns {
                runs.push(grader.grade_quiet(bank, q, None, &it.answer).await.score);
            }
            Graded {
                label: it.label.clone(),
                human: it.human,
                score: g.score,
                raw: compute_score(&g.criteria, &g.misconceptions),
                question: it.question.clone(),
                flags: g.flags.clone(),
                signals,
                runs,
                audit: g.llm.as_deref().map(|l| {
                    (
                        l.invented_evidence,
                        l.prompt_tokens + l.completion_tokens,
                        l.latency_ms,
                    )
                }),
                degraded: g.degraded,
                policy: g
                    .llm
                    .as_deref()
                    .and_then(|l| Some((l.second_opinion?, l.other_policy_score?))),
            }
        }))
        .buffered(a.concurrency.max(1) as usize);
        while let Some(r) = s.next().await {
            out.push(r);
            done += 1;
            if progress {
                eprint!("\r\x1b[2Kgrading {done}/{total}");
            }
        }
        if progress {
            eprint!("\r\x1b[2K");
        }
        out
    });
    let human: Vec<f64> = rows.iter().map(|r| r.human).collect();
    let ours: Vec<f64> = rows.iter().map(|r| r.score as f64).collect();
    let semantic_used = crate::grade::semantic::enabled();
    let (rho, kappa, mae) = agreement(&human, &ours);
    let pairs: Vec<(&str, &str)> = items
        .iter()
        .map(|it| (it.question.as_str(), it.answer.as_str()))
        .collect();
    let base = baseline::baselines(bank, &pairs, &human);
    let mut labels: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
    labels.sort();
    labels.dedup();
    let per_label: Vec<Value> = labels
        .iter()
        .map(|l| {
            let rs: Vec<&Graded> = rows.iter().filter(|r| &r.label == l).collect();
            let n = rs.len() as f64;
            json!({"label": l, "n": rs.len(), "human_mean": rs.iter().map(|r| r.human).sum::<f64>() / n,
                   "grader_mean": rs.iter().map(|r| r.score as f64).sum::<f64>() / n,
                   "grader_min": rs.iter().map(|r| r.score).min().unwrap_or(0),
                   "grader_max": rs.iter().map(|r| r.score).max().unwrap_or(0)})
        })
        .collect();
    let item_json = |r: &Graded| {
        let mut m = json!({"label": r.label, "human": r.human, "score": r.score, "raw": r.raw,
                           "question": r.question, "flags": r.flags});
        if r.runs.len() > 1 {
            m["runs"] = json!(r.runs);
        }
        if let Some((inv, tok, ms)) = r.audit {
            m["invented_evidence"] = json!(inv);
            m["tokens"] = json!(tok);
            m["latency_ms"] = json!(ms);
            m["degraded"] = json!(r.degraded);
        }
        if let Some(s) = &r.signals {
            m["signals"] = s.clone();
        }
        m
    };
    // Spread of repeated runs: per answer, the highest minus the lowest score over the runs.
    let spreads: Vec<u32> = rows
        .iter()
        .map(|r| r.runs.iter().max().unwrap_or(&0) - r.runs.iter().min().unwrap_or(&0))
        .collect();
    let rerun = (reruns > 1).then(|| {
        let n = spreads.len() as f64;
        json!({"runs": reruns,
               "mean_spread": round3(spreads.iter().sum::<u32>() as f64 / n),
               "max_spread": spreads.iter().max().copied().unwrap_or(0),
               "answers_changed": spreads.iter().filter(|&&d| d > 0).count()})
    });
    let model = rows.iter().any(|r| r.audit.is_some()).then(|| {
        let audits: Vec<(u32, u32, u64)> = rows.iter().filter_map(|r| r.audit).collect();
        let injections: Vec<u32> = rows
            .iter()
            .filter(|r| r.label == "injection" || r.flags.iter().any(|f| f == "injection_attempt"))
            .map(|r| r.score)
            .collect();
        json!({"invented_evidence": audits.iter().map(|a| a.0).sum::<u32>(),
               "degraded": rows.iter().filter(|r| r.degraded).count(),
               "tokens": audits.iter().map(|a| a.1 as u64).sum::<u64>(),
               "mean_latency_ms": audits.iter().map(|a| a.2).sum::<u64>() / audits.len().max(1) as u64,
               "injection_scores": injections})
    });
    // Sections beside the grader's own numbers: the naive baselines, the spread of repeated runs, model figures.
    let mut report = json!({
        "set": a.set.display().to_string(), "grader": grader.name(), "n": items.len(),
        "spearman": round3(rho), "pearson": round3(stats::pearson(&human, &ours)),
        "qwk": round3(kappa), "mae": round3(mae),
        "semantic": semantic_used,
        "baselines": {
            "length": {"spearman": round3(base.length.spearman)},
            "tfidf_reference": {"spearman": round3(base.tfidf_reference.spearman)},
        },
        "per_label": per_label,
        "items": rows.iter().map(item_json).collect::<Vec<_>>(),
    });
    if let Some(r) = &rerun {
        report["reruns"] = r.clone();
    }
    // Both verdict policies from the same model outputs: the model's verified verdict standing alone, and
    // averaged with the offline grader's (second opinion).
    // Answers the model never saw (injection, empty) score the same under both.
    let policies = rows.iter().any(|r| r.policy.is_some()).then(|| {
        let (mut stands, mut second) = (Vec::new(), Vec::new());
        for r in &rows {
            let (used_second, other) = r.policy.unwrap_or((false, r.score));
            let (a, b) = if used_second {
                (other, r.score)
            } else {
                (r.score, other)
            };
            stands.push(a as f64);
            second.push(b as f64);
        }
        let one = |v: &[f64]| {
            let (rho, kappa, mae) = agreement(&human, v);
            json!({"spearman": round3(rho), "qwk": round3(kappa), "mae": round3(mae)})
        };
        json!({"model_stands": one(&stands), "second_opinion": one(&second),
               "used": if rows.iter().any(|r| r.policy.is_some_and(|p| p.0)) {"second_opinion"} else {"model_stands"}})
    });
    if let Some(p) = &policies {
        report["policies"] = p.clone();
    }
    if let Some(m) = &model {
        report["model"] = m.clone();
    }
    if a.json {
        json(&report);
        return Ok(());
    }
    outln(&style.bold(&format!(
        "Calibration of the {} grader on {} ({} answers; semantic: {})",
        grader.name(),
        a.set.display(),
        items.len(),
        semantic_used
    )));
    outln(&style.bold("                      grader   length   tf-idf"));
    outln(&format!(
        "  Spearman            {:>6.3}   {:>6.3}   {:>6.3}",
        rho, base.length.spearman, base.tfidf_reference.spearman
    ));
    outln(&format!(
        "  Pearson             {:>6.3}        -        -",
        stats::pearson(&human, &ours)
    ));
    outln(&format!(
        "  QWK (10-pt bins)    {:>6.3}        -        -",
        kappa
    ));
    outln(&format!(
        "  Mean abs. error     {:>6.1}        -        -",
        mae
    ));
    outln(&style.dim(
        "  (length: word count alone; tf-idf: cosine to the reference answer, IDF over the bank's references)",
    ));
    if let Some(m) = &model {
        outln(&format!(
            "  Model: {} invented-evidence downgrade(s), {} degraded grade(s), {} tokens, {:.1} s per grade",
            m["invented_evidence"],
            m["degraded"],
            m["tokens"],
            m["mean_latency_ms"].as_f64().unwrap_or(0.0) / 1000.0
        ));
        outln(&format!(
            "  Injection answers scored: {}",
            m["injection_scores"]
        ));
    }
    if let Some(r) = &rerun {
        outln(&format!(
            "  Rerun spread over {} runs: mean {:.2}, max {} points; {} of {} answers changed",
            r["runs"],
            r["mean_spread"].as_f64().unwrap_or(0.0),
            r["max_spread"],
            r["answers_changed"],
            rows.len()
        ));
    }
    if let Some(p) = &policies {
        for (key, name) in [
            ("model_stands", "model's verified verdict stands"),
            ("second_opinion", "averaged with the offline grader"),
        ] {
            let used = if p["used"] == key { " (used)" } else { "" };
            outln(&format!(
                "  Policy {name:<34} Spearman {:.3}, QWK {:.3}, MAE {:.1}{used}",
                p[key]["spearman"].as_f64().unwrap_or(0.0),
                p[key]["qwk"].as_f64().unwrap_or(0.0),
                p[key]["mae"].as_f64().unwrap_or(0.0),
            ));
        }
    }
    outln(&style.bold("  label               n     set  grader   spread"));
    for p in &per_label {
        outln(&format!(
            "  {:<18} {:>2}  {:>6.1}  {:>6.1}  {:>3}-{:<3}",
            p["label"].as_str().unwrap_or(""),
            p["n"].as_u64().unwrap_or(0),
            p["human_mean"].as_f64().unwrap_or(0.0),
            p["grader_mean"].as_f64().unwrap_or(0.0),
            p["grader_min"].as_u64().unwrap_or(0),
            p["grader_max"].as_u64().unwrap_or(0)
        ));
    }
    outln("  (set: the mean grade the set file gives; human or model-rater grades, as the set's own notes say)");
    Ok(())
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
