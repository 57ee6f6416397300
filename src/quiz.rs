//! The readiness quiz: multiple-choice items from the bank, scored and saved.

use crate::bank::spec::QuizItem;
use crate::bank::Bank;
use crate::output::{outln, wrap, Style};
use crate::store::{fmt_id, new_session_id, Event, EventKind, SessionKind, Store, SCHEMA_VERSION};
use anyhow::{Context, Result};
use rand::seq::SliceRandom;
use rand::Rng;

/// One quiz item with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    /// Question id holding the item.
    pub question: String,
    /// Area.
    pub area: String,
    /// Index in that question's quiz list.
    pub item: usize,
    /// The item.
    pub quiz: QuizItem,
}

/// Choose `count` items, balanced across areas (round-robin), optionally of one area.
pub fn pick<R: Rng>(
    bank: &Bank,
    area: Option<&str>,
    count: usize,
    rng: &mut R,
) -> Result<Vec<Pick>, String> {
    let mut by_area: Vec<Vec<Pick>> = Vec::new();
    for a in bank.areas() {
        if area.map(|x| x != a).unwrap_or(false) {
            continue;
        }
        let mut v: Vec<Pick> = bank
            .questions
            .iter()
            .filter(|q| q.spec.area == a)
            .flat_map(|q| {
                q.spec.quiz.iter().enumerate().map(move |(i, it)| Pick {
                    question: q.spec.id.clone(),
                    area: q.spec.area.clone(),
                    item: i,
                    quiz: it.clone(),
                })
            })
            .collect();
        v.shuffle(rng);
        if !v.is_empty() {
            by_area.push(v);
        }
    }
    if by_area.is_empty() {
        return Err(match area {
            Some(a) => format!("no quiz items for area '{a}' (classification, detection, segmentation, video, multimodal, deployment)"),
            None => "the bank has no quiz items".into(),
        });
    }
    by_area.shuffle(rng);
    let mut out = Vec::new();
    let mut i = 0;
    while out.len() < count && by_area.iter().any(|v| !v.is_empty()) {
        let k = i % by_area.len();
        if let Some(p) = by_area[k].pop() {
            out.push(p);
        }
        i += 1;
    }
    Ok(out)
}

/// What the candidate typed for one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Option index.
    Choice(usize),
    /// Skip this item.
    Skip,
    /// Stop the quiz.
    Quit,
}

/// Parse "b", "B)", "2", "/skip", "/quit". `Err` is a one-line hint.
pub fn parse_reply(s: &str) -> Result<Reply, String> {
    let t = s.trim().trim_end_matches([')', '.']).to_lowercase();
    match t.as_str() {
        "a" | "1" => Ok(Reply::Choice(0)),
        "b" | "2" => Ok(Reply::Choice(1)),
        "c" | "3" => Ok(Reply::Choice(2)),
        "d" | "4" => Ok(Reply::Choice(3)),
        "/skip" | "/s" => Ok(Reply::Skip),
        "/quit" | "/q" | "/exit" => Ok(Reply::Quit),
        _ => Err("answer A, B, C or D (or /skip, /quit)".into()),
    }
}

/// Reads one line at a time.
pub trait LineInput {
    /// The next line, None at end of input.
    fn line(&mut self, prompt: &str) -> Result<Option<String>>;
}

/// Lines from a reader (piped stdin).
pub struct Lines<R: std::io::BufRead>(pub R);

impl<R: std::io::BufRead> LineInput for Lines<R> {
    fn line(&mut self, _prompt: &str) -> Result<Option<String>> {
        let mut s = String::new();
        if self.0.read_line(&mut s).context("reading standard input")? == 0 {
            return Ok(None);
        }
        Ok(Some(s.trim_end().to_string()))
    }
}

/// rustyline on a terminal.
pub struct TtyLines(pub rustyline::DefaultEditor);

impl LineInput for TtyLines {
    fn line(&mut self, prompt: &str) -> Result<Option<String>> {
        use rustyline::error::ReadlineError;
        loop {
            match self.0.readline(prompt) {
                Ok(l) => return Ok(Some(l)),
                Err(ReadlineError::Interrupted) => continue,
                Err(ReadlineError::Eof) => return Ok(None),
                Err(e) => return Err(anyhow::anyhow!("reading from the terminal: {e}")),
            }
        }
    }
}

/// Run a quiz over `picks`, saving each answer. Returns (session id, correct, answered).
pub fn run(
    store: &Store,
    picks: &[Pick],
    input: &mut dyn LineInput,
    style: Style,
) -> Result<(u64, usize, usize)> {
    let width = crate::output::width();
    let session = new_session_id();
    let mut seq = 0u32;
    // A full disk ends the quiz at once with one line: every answer before it was flushed.
    let stop = |e| {
        crate::commands::stop_if_disk_full(e, |path| {
            format!(
                "the quiz so far is saved in {path}; free some space, then see it with `viva replay {}`",
                fmt_id(session)
            )
        })
        .context("saving the quiz")
    };
    let mut save = |kind: EventKind| -> Result<()> {
        store
            .append(&Event {
                v: SCHEMA_VERSION,
                session,
                seq,
                at: chrono::Utc::now(),
                kind,
            })
            .map_err(stop)?;
        seq += 1;
        store.flush().map_err(stop)?;
        Ok(())
    };
    save(EventKind::SessionStarted {
        kind: SessionKind::Quiz,
        grader: "quiz".into(),
    })?;
    outln(&style.dim(&format!(
        "viva quiz · {} items · session {} · answer A-D, /skip, /quit",
        picks.len(),
        fmt_id(session)
    )));
    let (mut correct, mut answered) = (0usize, 0usize);
    let mut reason = crate::session::EndReason::Completed;
    'items: for (n, p) in picks.iter().enumerate() {
        outln(&format!(
            "\n{}",
            style.bold(&style.accent(&format!("{}/{} · {}", n + 1, picks.len(), p.area)))
        ));
        outln(&wrap(&p.quiz.question, width, "  "));
        for (i, o) in p.quiz.options.iter().enumerate() {
            outln(&wrap(
                &format!("{}) {o}", (b'A' + i as u8) as char),
                width,
                "    ",
            ));
        }
        let choice = loop {
            match input.line("answer> ")? {
                None => {
                    reason = crate::session::EndReason::Eof;
                    break 'items;
                }
                Some(l) if l.trim().is_empty() => continue,
                Some(l) => match parse_reply(&l) {
                    Ok(Reply::Choice(c)) if c < p.quiz.options.len() => break c,
                    Ok(Reply::Choice(_)) => outln(&style.warn("that option does not exist")),
                    Ok(Reply::Skip) => continue 'items,
                    Ok(Reply::Quit) => {
                        reason = crate::session::EndReason::Quit;
                        break 'items;
                    }
                    Err(m) => outln(&style.warn(&m)),
                },
            }
        };
        let ok = choice == p.quiz.answer;
        answered += 1;
        if ok {
            correct += 1;
        }
        save(EventKind::QuizAnswered {
            turn: n as u32,
            question: p.question.clone(),
            item: p.item,
            chosen: choice,
            correct: ok,
        })?;
        let right = (b'A' + p.quiz.answer as u8) as char;
        if ok {
            outln(&style.good(&format!("✓ Correct ({right}).")));
        } else {
            outln(&style.bad(&format!("✗ Not quite: the answer is {right}.")));
            if let Some(e) = p.quiz.explanations.get(choice) {
                outln(&wrap(&format!("Your choice: {e}"), width, "  "));
            }
        }
        if let Some(e) = p.quiz.explanations.get(p.quiz.answer) {
            outln(&wrap(&format!("Why {right}: {e}"), width, "  "));
        }
    }
    save(EventKind::SessionEnded { reason })?;
    let pct = (100 * correct).checked_div(answered).unwrap_or(0);
    outln(&format!(
        "\n{} {correct}/{answered} correct ({pct}%)",
        style.bold("Quiz result:")
    ));
    outln(&format!(
        "Saved session {} in {}.",
        fmt_id(session),
        store.path().display()
    ));
    Ok((session, correct, answered))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn replies() {
        assert_eq!(parse_reply(" b) "), Ok(Reply::Choice(1)));
        assert_eq!(parse_reply("4"), Ok(Reply::Choice(3)));
        assert_eq!(parse_reply("/quit"), Ok(Reply::Quit));
        assert!(parse_reply("e").is_err());
    }

    #[test]
    fn picks_are_balanced_and_unique() {
        let b = Bank::embedded().unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let p = pick(&b, None, 12, &mut rng).unwrap();
        assert_eq!(p.len(), 12);
        let keys: std::collections::HashSet<_> =
            p.iter().map(|x| (x.question.clone(), x.item)).collect();
        assert_eq!(keys.len(), 12);
        // Eight areas: a 12-item quiz deals one or two items to every area.
        for a in b.areas() {
            let n = p.iter().filter(|x| x.area == a).count();
            assert!((1..=2).contains(&n), "{n} items from {a}");
        }
        let v = pick(&b, Some("video"), 3, &mut rng).unwrap();
        assert!(v.iter().all(|x| x.area == "video"));
        assert!(pick(&b, Some("nope"), 3, &mut rng).is_err());
    }
}
