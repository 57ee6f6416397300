//! `viva sessions`, `viva replay`, `viva export`, `viva import`, `viva repair`: the stored sessions, listed, replayed,
//! moved in and out of the store, and mended.

use super::transcript::{markdown, transcript};
use crate::cli::{ExportArgs, ExportFormat, ImportArgs, RepairArgs, ReplayArgs};
use crate::output::{json, out, outln, Style};
use crate::store::{fmt_id, Event, EventKind, SessionSummary, Store};
use anyhow::{Context, Result};
use std::io::BufRead;

/// One session as `viva sessions --json` prints it (fields in alphabetical order, as they always were).
#[derive(serde::Serialize)]
struct SummaryJson<'a> {
    answers: u32,
    ended: Option<chrono::DateTime<chrono::Utc>>,
    graded: u32,
    grader: &'a str,
    id: String,
    kind: crate::store::SessionKind,
    mean_score: Option<f64>,
    question_ids: &'a [String],
    questions: u32,
    quiz_correct: u32,
    quiz_total: u32,
    started: Option<chrono::DateTime<chrono::Utc>>,
}

fn summary_json(s: &SessionSummary) -> SummaryJson<'_> {
    SummaryJson {
        answers: s.answer_count(),
        ended: s.ended,
        graded: s.graded,
        grader: &s.grader,
        id: fmt_id(s.id),
        kind: s.kind,
        mean_score: s.mean_score().map(|m| (m * 10.0).round() / 10.0),
        question_ids: &s.question_ids,
        questions: s.questions,
        quiz_correct: s.quiz_correct,
        quiz_total: s.quiz_total,
        started: s.started,
    }
}

/// `viva sessions`.
pub fn sessions(store: &Store, as_json: bool, style: Style) -> Result<()> {
    let all = store.sessions()?;
    if as_json {
        json(&all.iter().map(summary_json).collect::<Vec<_>>());
        return Ok(());
    }
    if all.is_empty() {
        outln(&format!(
            "No sessions in {} yet. Start one with: viva",
            store.path().display()
        ));
        return Ok(());
    }
    outln(&style.bold(&format!(
        "{:<14}  {:<16}  {:<9}  {:>9}  {:>7}  {:>5}",
        "ID", "STARTED", "KIND", "QUESTIONS", "ANSWERS", "MEAN"
    )));
    for s in &all {
        let started = s
            .started
            .map(|t| {
                t.with_timezone(&chrono::Local)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_else(|| "?".into());
        let kind = match s.kind {
            crate::store::SessionKind::Interview => "interview",
            crate::store::SessionKind::Quiz => "quiz",
        };
        let (q, a) = match s.kind {
            crate::store::SessionKind::Quiz => (s.quiz_total, s.quiz_correct),
            _ => (s.questions, s.answer_count()),
        };
        let mean = s
            .mean_score()
            .map(|m| format!("{m:.0}"))
            .unwrap_or_else(|| "-".into());
        outln(&format!(
            "{:<14}  {:<16}  {:<9}  {:>9}  {:>7}  {:>5}",
            fmt_id(s.id),
            started,
            kind,
            q,
            a,
            mean
        ));
    }
    Ok(())
}

/// `viva replay`.
pub fn replay(store: &Store, a: &ReplayArgs, style: Style) -> Result<()> {
    let id = store.resolve(&a.id)?;
    let events = store.events(id)?;
    if a.json {
        json(&events);
        return Ok(());
    }
    let chunks = transcript(&events, style, crate::output::width());
    let n = chunks.len();
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    for (i, c) in chunks.into_iter().enumerate() {
        out(&c);
        if a.step && i + 1 < n {
            out(&style.dim(&format!(
                "-- turn {}/{}: Enter for the next, q to stop -- ",
                i + 1,
                n
            )));
            match lines.next() {
                Some(Ok(l)) if l.trim() == "q" => break,
                Some(Ok(_)) => {}
                _ => outln(""),
            }
        }
    }
    Ok(())
}

/// `viva export`.
pub fn export(store: &Store, a: &ExportArgs) -> Result<()> {
    let events = if a.all {
        if a.format != ExportFormat::Json {
            return Err(crate::UsageError("--all works with --format json only".into()).into());
        }
        store.all_events()?
    } else {
        let id = store.resolve(a.id.as_deref().unwrap_or_default())?;
        store.events(id)?
    };
    // Text as stored, made inert for terminals and Markdown viewers (JSON escapes control characters itself).
    let text = match a.format {
        ExportFormat::Md => crate::output::neutralise(&markdown(&events), false).into_owned(),
        ExportFormat::Html => {
            crate::output::neutralise(&crate::html::transcript::transcript(&events), false)
                .into_owned()
        }
        ExportFormat::Json => {
            let mut s = String::new();
            for e in &events {
                s.push_str(&serde_json::to_string(e)?);
                s.push('\n');
            }
            s
        }
    };
    match &a.output {
        Some(p) => {
            crate::output::write_file(p, text.as_bytes(), a.force)?;
            eprintln!("wrote {} events to {}", events.len(), p.display());
        }
        None if a.format == ExportFormat::Json => crate::output::out_json(&text),
        None => out(&text),
    }
    Ok(())
}

/// `viva import`: every line is checked before anything is written (file and line for the first problem). The
/// review views are updated with the imported sessions (when the bank loads; else they catch up later).
pub fn import(store: &Store, a: &ImportArgs, bank_dir: Option<&std::path::Path>) -> Result<()> {
    let text = std::fs::read_to_string(&a.file)
        .with_context(|| format!("cannot read {}", a.file.display()))?;
    let events = parse_import(&text, &a.file.display().to_string())?;
    // A full disk ends the import at once: each session goes in whole or not at all, so running it again later
    // imports the rest.
    let stop = |e| {
        super::stop_if_disk_full(e, |path| {
            format!(
                "the sessions imported so far are saved whole in {path}; free some space, then run `viva import {}` again for the rest",
                a.file.display()
            )
        })
    };
    if let Ok(bank) = super::review::load_outline(bank_dir) {
        store.attach_views(&bank).map_err(stop)?;
    }
    let c = store.import(events).map_err(stop)?;
    outln(&super::summary::summary_line(
        format!("imported {} session(s)", c.imported),
        &[
            (
                c.completed,
                format!("completed {} partly imported session(s)", c.completed),
            ),
            (c.skipped, format!("{} already present", c.skipped)),
        ],
    ));
    Ok(())
}

/// Parse and check an export file: one event per line (a UTF-8 byte-order mark is allowed), each a known
/// schema version with sane numbers, no `(session, seq)` twice, and every session with a `SessionStarted`.
pub fn parse_import(text: &str, file: &str) -> Result<Vec<Event>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut events = Vec::new();
    // (session, seq) -> line; session -> (first line, has SessionStarted)
    let mut seen: std::collections::HashMap<(u64, u32), usize> = Default::default();
    let mut starts: std::collections::BTreeMap<u64, (usize, bool)> = Default::default();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let e: Event = serde_json::from_str(line)
            .map_err(|e| anyhow::anyhow!("{file}:{n}: not a viva event: {e}"))?;
        e.check().map_err(|m| anyhow::anyhow!("{file}:{n}: {m}"))?;
        if let Some(first) = seen.insert((e.session, e.seq), n) {
            anyhow::bail!(
                "{file}:{n}: session {} seq {} appears twice (first on line {first})",
                fmt_id(e.session),
                e.seq
            );
        }
        let st = starts.entry(e.session).or_insert((n, false));
        st.1 |= matches!(e.kind, EventKind::SessionStarted { .. });
        events.push(e);
    }
    if events.is_empty() {
        anyhow::bail!("{file} holds no events");
    }
    if let Some((id, (n, _))) = starts.iter().find(|(_, (_, ok))| !ok) {
        anyhow::bail!(
            "{file}:{n}: session {} has no SessionStarted event; export whole sessions",
            fmt_id(*id)
        );
    }
    Ok(events)
}

/// `viva repair`: list the records that do not decode and (unless `--dry-run`) move them into the store's
/// quarantine tree, then rebuild the session summaries from the log and bring the review views up to date
/// (`--views`: rebuild them from the whole log). Exit 0 when the store is (now) clean.
pub fn repair(store: &Store, a: &RepairArgs, bank_dir: Option<&std::path::Path>) -> Result<i32> {
    let bad = if a.dry_run {
        store.bad_records()?
    } else {
        store.quarantine_bad_records()?
    };
    // The review views after the records moved aside: caught up, or with --views rebuilt from the log.
    let mut views_note = None;
    if !a.dry_run {
        let bank = super::review::load_outline(bank_dir)?;
        let t = std::time::Instant::now();
        if a.views {
            let n = store.rebuild_views(&bank)?;
            let m = store.views_meta().unwrap_or_default();
            views_note = Some(format!(
                "rebuilt the review views from the log: {n} session(s), {} graded answer(s), in {:.2} s",
                m.answers,
                t.elapsed().as_secs_f64()
            ));
        } else {
            let done = store.attach_views(&bank)?;
            if done.rebuilt {
                views_note = Some("rebuilt the review views from the log".to_string());
            } else if done.caught_up > 0 {
                views_note = Some(format!(
                    "caught the review views up with {} session(s)",
                    done.caught_up
                ));
            }
        }
        store.flush()?;
    }
    let views_note = || {
        if let Some(n) = &views_note {
            outln(n);
        }
    };
    for b in &bad {
        outln(&format!(
            "session {} seq {}: {}",
            fmt_id(b.session),
            b.seq,
            b.reason
        ));
    }
    let where_ = store.path().display();
    if bad.is_empty() {
        outln(&format!("the store at {where_} has no unreadable records"));
        if !a.dry_run {
            outln("rebuilt the session list from the log");
        }
        views_note();
        return Ok(0);
    }
    if a.dry_run {
        outln(&format!(
            "{} unreadable record(s) in {where_}; run `viva repair` to move them aside",
            bad.len()
        ));
        return Ok(1);
    }
    outln(&format!(
        "moved {} unreadable record(s) into the quarantine of {where_} (kept there, no longer read); rebuilt the session list",
        bad.len()
    ));
    views_note();
    Ok(0)
}
