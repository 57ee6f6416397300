//! `viva regrade`: grade a stored session again with today's rubric and grader; the new grades are appended as
//! `Regraded` events beside the originals, never over them.

use crate::cli::RegradeArgs;
use crate::llm::Grader;
use crate::output::{json, outln, Style};
use crate::review;
use crate::settings::Settings;
use crate::store::{fmt_id, Event, EventKind, SCHEMA_VERSION};
use anyhow::{bail, Context, Result};
use chrono::Utc;
use serde_json::json;

/// `viva regrade`: grade every answer of a session again and append `Regraded` events (the originals stay).
pub fn regrade(s: &Settings, a: &RegradeArgs, grader: &Grader, st: Style) -> Result<i32> {
    let mut bank = super::review::load_outline(s.bank.as_deref())?;
    let store = crate::store::Store::open(&s.store)?;
    store.attach_views(&bank)?;
    let id = store.resolve(&a.id)?;
    let events = store.events(id)?;
    let h = review::history(&events);
    if h.answers.is_empty() {
        bail!("session {} has no graded answers to regrade", fmt_id(id));
    }
    let ids: Vec<String> = h.answers.iter().map(|t| t.question.clone()).collect();
    crate::bank::lazy::compile(&mut bank, &ids)
        .map_err(|e| anyhow::anyhow!("invalid question bank: {e}"))?;
    let bank = bank;
    let mut regraded = Vec::new();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let mut seq = events
        .iter()
        .map(|e| e.seq)
        .max()
        .map(|m| m + 1)
        .unwrap_or(0);
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for t in &h.answers {
        let Some(q) = bank.get(&t.question) else {
            notes.push(format!(
                "turn {}: question {} is no longer in the bank; not regraded",
                t.turn + 1,
                t.question
            ));
            continue;
        };
        if t.rung.is_some_and(|r| r >= q.ladder.len()) {
            notes.push(format!(
                "turn {}: {} no longer has that follow-up; not regraded",
                t.turn + 1,
                t.question
            ));
            continue;
        }
        let g = rt.block_on(grader.grade_quiet(&bank, q, t.rung, &t.answer));
        let changed: Vec<serde_json::Value> = g
            .criteria
            .iter()
            .filter_map(|c| {
                let was = t
                    .grade
                    .criteria
                    .iter()
                    .find(|x| x.id == c.id)
                    .map(|x| x.verdict);
                (was != Some(c.verdict)).then(|| json!({"id": c.id, "was": was, "now": c.verdict}))
            })
            .collect();
        rows.push(json!({
            "turn": t.turn, "question": t.question, "stage": t.stage, "original": t.original_score,
            "was": t.grade.score, "now": g.score, "change": g.score as i64 - t.grade.score as i64,
            "grader": g.grader, "rubric_version": g.rubric_version, "criteria_changed": changed,
        }));
        regraded.push(Event {
            v: SCHEMA_VERSION,
            session: id,
            seq,
            at: Utc::now(),
            kind: EventKind::Regraded {
                turn: t.turn,
                grade: g,
            },
        });
        seq += 1;
    }
    // One transaction: the new grades and the views they change. A full disk ends the command at once.
    let stop = |e| {
        super::stop_if_disk_full(e, |path| {
            format!(
                "session {} was not regraded and what was stored before is intact in {path}; free some space, then run `viva regrade {}` again",
                fmt_id(id),
                fmt_id(id)
            )
        })
    };
    store.append_all(&regraded).map_err(stop)?;
    store.flush().map_err(stop)?;
    for n in &notes {
        eprintln!("viva: {n}");
    }
    if rows.is_empty() {
        bail!("no answer of session {} could be regraded", fmt_id(id));
    }
    if a.json {
        json(&rows);
        return Ok(0);
    }
    outln(&st.bold(&format!(
        "Regraded session {} with the {} grader and today's rubric",
        fmt_id(id),
        grader.name()
    )));
    outln(&st.dim(&format!(
        "  {:>4}  {:<14}  {:>4}  {:>4}  {:>6}  question",
        "turn", "stage", "was", "now", "change"
    )));
    for r in &rows {
        let ch = r["change"].as_i64().unwrap_or(0);
        let cs = format!("{:>6}", format!("{ch:+}"));
        let cs = match ch {
            1.. => st.good(&cs),
            ..=-1 => st.bad(&cs),
            _ => cs,
        };
        outln(&format!(
            "  {:>4}  {:<14}  {:>4}  {:>4}  {}  {}",
            r["turn"].as_u64().unwrap_or(0) + 1,
            r["stage"].as_str().unwrap_or("").replace('_', " "),
            r["was"].as_u64().unwrap_or(0),
            r["now"].as_u64().unwrap_or(0),
            cs,
            r["question"].as_str().unwrap_or("")
        ));
    }
    outln(&st.dim(
        "The new grades are stored beside the old ones; reports and the schedule use the newest.",
    ));
    Ok(0)
}
