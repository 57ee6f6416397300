//! `viva regrade`: grade a stored session again with today's rubric and grader; the new grades are appended as
//! `Regraded` events beside the originals, never over them.

use crate::bank::Bank;
use crate::cli::RegradeArgs;
use crate::llm::Grader;
use crate::output::{json, outln, Style};
use crate::review::{self, regrade::RegradeRow, Answered};
use crate::session::SessionWriter;
use crate::settings::Settings;
use crate::store::{fmt_id, Event, EventKind};
use anyhow::{bail, Context, Result};

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
    let writer = SessionWriter::resume(id, &events);
    let done = grade_again(&h.answers, &bank, grader, writer)?;
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
    store.append_all(&done.events).map_err(stop)?;
    store.flush().map_err(stop)?;
    for n in &done.notes {
        eprintln!("viva: {n}");
    }
    if done.rows.is_empty() {
        bail!("no answer of session {} could be regraded", fmt_id(id));
    }
    if a.json {
        json(&done.rows);
    } else {
        print_text(&done.rows, id, grader, st);
    }
    Ok(0)
}

/// The answers of one session graded again.
struct Regraded {
    /// The `Regraded` events to append.
    events: Vec<Event>,
    /// What changed, per answer graded again.
    rows: Vec<RegradeRow>,
    /// Why an answer was not graded again.
    notes: Vec<String>,
}

/// Grade the `answers` of a session again; `writer` stamps the new events after the session's last. An answer whose
/// question or follow-up left the bank is skipped with a note.
fn grade_again(
    answers: &[Answered],
    bank: &Bank,
    grader: &Grader,
    mut writer: SessionWriter,
) -> Result<Regraded> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let mut done = Regraded {
        events: Vec::new(),
        rows: Vec::new(),
        notes: Vec::new(),
    };
    for t in answers {
        let Some(q) = bank.get(&t.question) else {
            done.notes.push(format!(
                "turn {}: question {} is no longer in the bank; not regraded",
                t.turn + 1,
                t.question
            ));
            continue;
        };
        if t.rung.is_some_and(|r| r >= q.ladder.len()) {
            done.notes.push(format!(
                "turn {}: {} no longer has that follow-up; not regraded",
                t.turn + 1,
                t.question
            ));
            continue;
        }
        let g = rt.block_on(grader.grade_quiet(bank, q, t.rung, &t.answer));
        done.rows.push(RegradeRow::new(t, &g));
        done.events.push(writer.stamp(EventKind::Regraded {
            turn: t.turn,
            grade: g,
        }));
    }
    Ok(done)
}

/// The regrade as text: one line per answer, the change coloured.
fn print_text(rows: &[RegradeRow], id: u64, grader: &Grader, st: Style) {
    outln(&st.bold(&format!(
        "Regraded session {} with the {} grader and today's rubric",
        fmt_id(id),
        grader.name()
    )));
    outln(&st.dim(&format!(
        "  {:>4}  {:<14}  {:>4}  {:>4}  {:>6}  question",
        "turn", "stage", "was", "now", "change"
    )));
    for r in rows {
        let cs = format!("{:>6}", format!("{:+}", r.change));
        let cs = match r.change {
            1.. => st.good(&cs),
            ..=-1 => st.bad(&cs),
            _ => cs,
        };
        outln(&format!(
            "  {:>4}  {:<14}  {:>4}  {:>4}  {}  {}",
            r.turn as u64 + 1,
            r.stage.replace('_', " "),
            r.was,
            r.now,
            cs,
            r.question
        ));
    }
    outln(&st.dim(
        "The new grades are stored beside the old ones; reports and the schedule use the newest.",
    ));
}
