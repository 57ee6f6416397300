//! `viva bank …`, `viva grade`, `viva calibrate`.

use crate::bank::{Bank, BankError};
use crate::cli::{BankCmd, CalibrateArgs, GradeArgs};
use crate::grade::{stats, Grade, Grader};
use crate::output::{json, outln, Style};
use crate::render;
use anyhow::{bail, Context, Result};
use serde_json::{json, Map, Value};
use std::io::Read;
use std::path::Path;

/// Longest answer graded, in characters.
pub const MAX_ANSWER_CHARS: usize = 20_000;

/// `viva bank list|show|check`.
pub fn bank(cmd: &BankCmd, bank_dir: Option<&Path>, style: Style) -> Result<()> {
    match cmd {
        BankCmd::Check { dir } => {
            let target = dir.as_deref().or(bank_dir);
            let res = match target {
                Some(d) => Bank::from_dir_only(d),
                None => Bank::embedded(),
            };
            match res {
                Ok(b) => {
                    let rungs: usize = b.questions.iter().map(|q| q.ladder.len()).sum();
                    let quiz: usize = b.questions.iter().map(|q| q.spec.quiz.len()).sum();
                    outln(&format!(
                        "ok: {} questions, {} ladder rungs, {} quiz items",
                        b.questions.len(),
                        rungs,
                        quiz
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
        BankCmd::List {
            area,
            json: as_json,
        } => {
            let b = load(bank_dir)?;
            if let Some(a) = area {
                if !crate::bank::spec::AREAS.iter().any(|(x, _)| x == a) {
                    bail!("unknown area '{a}' (classification, detection, segmentation, video, multimodal, deployment)");
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
    if let Some(a) = &g.llm {
        m.insert(
            "tokens".into(),
            json!({"prompt": a.prompt_tokens, "completion": a.completion_tokens}),
        );
        m.insert("invented_evidence".into(), json!(a.invented_evidence));
        m.insert("latency_ms".into(), json!(a.latency_ms));
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
    let text = read_input(file)?;
    check_answer(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let g = crate::runtime()?.block_on(grader.grade_quiet(bank, q, None, &text));
    if a.json {
        json(&Value::Object(grade_json(&g)));
    } else {
        outln(&style.bold(&format!("{} — {}", q.spec.id, q.spec.title)));
        outln(&render::feedback(&g, style, crate::output::width()));
    }
    Ok(0)
}

fn grade_batch(path: &Path, bank: &Bank, grader: &Grader, concurrency: usize) -> Result<i32> {
    use futures::StreamExt;
    use std::io::IsTerminal;
    let text = read_input(path)?;
    let lines: Vec<(usize, String)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l.to_string()))
        .collect();
    let total = lines.len();
    let progress = std::io::stderr().is_terminal();
    let (mut ok, mut failed, mut done) = (0usize, 0usize, 0usize);
    let rt = crate::runtime()?;
    rt.block_on(async {
        let mut results = futures::stream::iter(
            lines
                .into_iter()
                .map(|(n, line)| async move { (n, batch_line(&line, bank, grader).await) }),
        )
        .buffered(concurrency.max(1));
        while let Some((n, r)) = results.next().await {
            let out = match r {
                Ok(m) => {
                    ok += 1;
                    m
                }
                Err((mut m, e)) => {
                    failed += 1;
                    m.insert("error".into(), json!(format!("line {n}: {e}")));
                    m
                }
            };
            done += 1;
            if progress {
                eprint!("\r\x1b[2Kgrading {done}/{total}");
            }
            outln(&Value::Object(out).to_string());
        }
    });
    if progress {
        eprint!("\r\x1b[2K");
    }
    eprintln!(
        "graded {ok} answer(s){}",
        if failed > 0 {
            format!(", {failed} line(s) failed (see their \"error\" field)")
        } else {
            String::new()
        }
    );
    Ok(if failed > 0 { 1 } else { 0 })
}

type LineResult = std::result::Result<Map<String, Value>, (Map<String, Value>, String)>;

async fn batch_line(line: &str, bank: &Bank, grader: &Grader) -> LineResult {
    let v: Value =
        serde_json::from_str(line).map_err(|e| (Map::new(), format!("not JSON: {e}")))?;
    let Value::Object(mut m) = v else {
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
    if let Err(e) = check_answer(&answer) {
        return Err((m, e));
    }
    let t = std::time::Instant::now();
    let g = grader.grade_quiet(bank, q, None, &answer).await;
    let took = t.elapsed().as_micros() as u64;
    if let Some(a) = &g.llm {
        // Time spent in viva itself (prompt building, parsing, checks), excluding the model call.
        m.insert("engine_us".into(), json!(took.saturating_sub(a.call_us)));
    }
    for (k, v) in grade_json(&g) {
        if k != "question" {
            m.insert(k, v);
        }
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

/// `viva calibrate`.
pub fn calibrate(a: &CalibrateArgs, bank: &Bank, grader: &Grader, style: Style) -> Result<()> {
    let text = read_input(&a.set)?;
    let items: Vec<LabelledAnswer> = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}:{}: {}", a.set.display(), e.line(), e))?;
    if items.is_empty() {
        bail!("{} holds no items", a.set.display());
    }
    let rt = crate::runtime()?;
    let mut human = Vec::new();
    let mut ours = Vec::new();
    let mut rows = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let q = bank.get(&it.question).ok_or_else(|| {
            anyhow::anyhow!(
                "{} item {}: {}",
                a.set.display(),
                i + 1,
                bank.unknown_id_message(&it.question)
            )
        })?;
        let g = rt.block_on(grader.grade_quiet(bank, q, None, &it.answer));
        human.push(it.human);
        ours.push(g.score as f64);
        rows.push((
            it.label.clone(),
            it.human,
            g.score,
            it.question.clone(),
            g.flags.clone(),
        ));
    }
    let rho = stats::spearman(&human, &ours);
    let kappa = stats::qwk(&human, &ours);
    let mae = stats::mae(&human, &ours);
    let mut labels: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    labels.sort();
    labels.dedup();
    let per_label: Vec<Value> = labels
        .iter()
        .map(|l| {
            let rs: Vec<_> = rows.iter().filter(|r| &r.0 == l).collect();
            let n = rs.len() as f64;
            json!({"label": l, "n": rs.len(), "human_mean": rs.iter().map(|r| r.1).sum::<f64>() / n,
                   "grader_mean": rs.iter().map(|r| r.2 as f64).sum::<f64>() / n,
                   "grader_max": rs.iter().map(|r| r.2).max().unwrap_or(0)})
        })
        .collect();
    let report = json!({
        "set": a.set.display().to_string(), "grader": grader.name(), "n": items.len(),
        "spearman": round3(rho), "qwk": round3(kappa), "mae": round3(mae), "per_label": per_label,
        "items": rows.iter().map(|r| json!({"label": r.0, "human": r.1, "score": r.2, "question": r.3, "flags": r.4})).collect::<Vec<_>>(),
    });
    if a.json {
        json(&report);
        return Ok(());
    }
    outln(&style.bold(&format!(
        "Calibration of the {} grader on {} ({} answers)",
        grader.name(),
        a.set.display(),
        items.len()
    )));
    outln(&format!("  Spearman            {:.3}", rho));
    outln(&format!("  QWK (10-pt bins)    {:.3}", kappa));
    outln(&format!("  Mean abs. error     {:.1}", mae));
    outln(&style.bold("  label           n   human  grader   max"));
    for p in &per_label {
        outln(&format!(
            "  {:<14} {:>2}  {:>6.1}  {:>6.1}  {:>4}",
            p["label"].as_str().unwrap_or(""),
            p["n"],
            p["human_mean"].as_f64().unwrap_or(0.0),
            p["grader_mean"].as_f64().unwrap_or(0.0),
            p["grader_max"]
        ));
    }
    Ok(())
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
