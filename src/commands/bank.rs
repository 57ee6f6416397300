//! `viva bank list|show|check` and loading the bank in use (embedded, with `--bank DIR` overrides).

use crate::bank::{Bank, BankError, Question};
use crate::cli::BankCmd;
use crate::grade::offline;
use crate::output::{json, outln, wrap, Style};
use anyhow::{bail, Result};
use serde_json::{json, Value};
use std::path::Path;

/// `viva bank list|show|check`.
pub fn bank(cmd: &BankCmd, bank_dir: Option<&Path>, style: Style) -> Result<()> {
    match cmd {
        BankCmd::Check { dir, strict } => check(dir.as_deref().or(bank_dir), *strict),
        // Run by `commands::draft::command`, which needs the settings (the model endpoint).
        BankCmd::Draft { .. } => bail!("viva bank draft is not handled here"),
        BankCmd::List {
            area,
            json: as_json,
        } => list(&load(bank_dir)?, area.as_deref(), *as_json, style),
        BankCmd::Show { id, json: as_json } => {
            let b = load(bank_dir)?;
            let q = b
                .get(id)
                .ok_or_else(|| anyhow::anyhow!(b.unknown_id_message(id)))?;
            if *as_json {
                json(&q.spec);
            } else {
                show(q, style);
            }
            Ok(())
        }
    }
}

/// `viva bank check`: the bank in `target` (else the embedded one) loads, every reference earns its own points,
/// and no correct statement trips a misconception (strict for the embedded bank).
fn check(target: Option<&Path>, strict: bool) -> Result<()> {
    let res = match target {
        Some(d) => Bank::from_dir_only(d),
        None => Bank::embedded(),
    };
    let b = match res.and_then(check_references) {
        Ok(b) => b,
        Err(BankError::Invalid(issues)) => {
            for i in &issues {
                eprintln!("{i}");
            }
            bail!("{} problem(s) in the question bank", issues.len())
        }
        Err(e) => return Err(e.into()),
    };
    let fair = crate::grade::fairness::check(&b, strict || target.is_none());
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
        "ok: {} questions, {} ladder rungs, {} quiz items, {} correct statements never penalised, {} wrong examples all caught",
        b.questions.len(),
        rungs,
        quiz,
        fair.checked,
        fair.examples
    ));
    Ok(())
}

/// `viva bank list`: the questions (of one area), as a table or JSON.
fn list(b: &Bank, area: Option<&str>, as_json: bool, style: Style) -> Result<()> {
    if let Some(a) = area {
        if !b.questions.iter().any(|q| q.spec.area == a) {
            bail!("unknown area '{a}' ({})", b.areas().join(", "));
        }
    }
    let qs: Vec<_> = b
        .questions
        .iter()
        .filter(|q| area.map(|a| q.spec.area == a).unwrap_or(true))
        .collect();
    if as_json {
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
        return Ok(());
    }
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
    Ok(())
}

/// `viva bank show ID` as text: the prompt, the rubric, the follow-up ladder and the reference answer.
fn show(q: &Question, style: Style) {
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
        wrap(&q.spec.prompt, w, "  ")
    ));
    let criteria = q.criteria.iter().map(|c| {
        format!(
            "- {} ({} pts): {}",
            c.spec.id, c.spec.weight, c.spec.statement
        )
    });
    section("Criteria", criteria, style, w);
    if !q.misconceptions.is_empty() {
        let misconceptions = q.misconceptions.iter().map(|m| {
            format!(
                "- {} (−{}): {}",
                m.spec.id, m.spec.penalty, m.spec.statement
            )
        });
        section("Misconceptions", misconceptions, style, w);
    }
    let ladder = (q.ladder.iter().enumerate())
        .map(|(i, r)| format!("{}. [{}] {}", i + 1, r.stage, r.question));
    if !q.ladder.is_empty() {
        section("Follow-up ladder", ladder, style, w);
    }
    outln(&format!(
        "\n{}\n{}",
        style.bold("Reference answer"),
        wrap(&q.spec.reference, w, "  ")
    ));
}

/// A bold heading after a blank line, then each item wrapped to `w` columns.
fn section(heading: &str, items: impl Iterator<Item = String>, style: Style, w: usize) {
    outln(&format!("\n{}", style.bold(heading)));
    for item in items {
        outln(&wrap(&item, w, "  "));
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
