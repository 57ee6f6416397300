//! The readiness quiz: multiple-choice items from the bank, scored and saved.

use crate::bank::spec::QuizItem;
use crate::bank::Bank;
use crate::input::{assemble, Assembler, LineReader, Read};
use crate::output::{outln, wrap, Style};
use crate::repl::saving_failed;
use crate::session::writer::SessionWriter;
use crate::store::{fmt_id, new_session_id, EventKind, SessionKind, Store};
use anyhow::Result;
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
            Some(a) => {
                let with: Vec<String> = bank
                    .areas()
                    .into_iter()
                    .filter(|x| {
                        bank.questions
                            .iter()
                            .any(|q| &q.spec.area == x && !q.spec.quiz.is_empty())
                    })
                    .map(|x| x.to_string())
                    .collect();
                format!(
                    "no quiz items for area '{a}' (areas with quiz items: {})",
                    with.join(", ")
                )
            }
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

/// The next reply: a non-blank line, `None` at the end of input (Ctrl-C is ignored).
fn next_reply(input: &mut dyn LineReader) -> Result<Option<String>> {
    let mut a = Assembler::one_line("answer> ");
    loop {
        match assemble(input, &mut a, |_, _, _| {})? {
            None => continue,
            Some(Read::Answer(t) | Read::Command(t)) => return Ok(Some(t)),
            Some(_) => return Ok(None),
        }
    }
}

/// Save one event of the quiz and flush it at once. A full disk ends the quiz with one line: every answer
/// before it was flushed.
fn save(store: &Store, writer: &mut SessionWriter, kind: EventKind) -> Result<()> {
    let session = writer.session();
    let stop = |e| saving_failed(e, session, "quiz");
    store.append(&writer.stamp(kind)).map_err(stop)?;
    store.flush().map_err(stop)?;
    Ok(())
}

/// Show item `n` of `total`: its area, the question and the lettered options.
fn show_item(n: usize, total: usize, p: &Pick, style: Style, width: usize) {
    outln(&format!(
        "\n{}",
        style.bold(&style.accent(&format!("{}/{} · {}", n + 1, total, p.area)))
    ));
    outln(&wrap(&p.quiz.question, width, "  "));
    for (i, o) in p.quiz.options.iter().enumerate() {
        outln(&wrap(
            &format!("{}) {o}", (b'A' + i as u8) as char),
            width,
            "    ",
        ));
    }
}

/// Say whether `choice` was right, with the explanations of the choice and of the answer.
fn show_verdict(p: &Pick, choice: usize, style: Style, width: usize) {
    let right = (b'A' + p.quiz.answer as u8) as char;
    if choice == p.quiz.answer {
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

/// Run a quiz over `picks`, saving each answer. Returns (session id, correct, answered).
pub fn run(
    store: &Store,
    picks: &[Pick],
    input: &mut dyn LineReader,
    style: Style,
) -> Result<(u64, usize, usize)> {
    let width = crate::output::width();
    let mut writer = SessionWriter::new(new_session_id());
    let session = writer.session();
    save(
        store,
        &mut writer,
        EventKind::SessionStarted {
            kind: SessionKind::Quiz,
            grader: "quiz".into(),
        },
    )?;
    outln(&style.dim(&format!(
        "viva quiz · {} items · session {} · answer A-D, /skip, /quit",
        picks.len(),
        fmt_id(session)
    )));
    let (mut correct, mut answered) = (0usize, 0usize);
    let mut reason = crate::session::EndReason::Completed;
    'items: for (n, p) in picks.iter().enumerate() {
        show_item(n, picks.len(), p, style, width);
        let choice = loop {
            match next_reply(input)? {
                None => {
                    reason = crate::session::EndReason::Eof;
                    break 'items;
                }
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
        correct += usize::from(ok);
        save(
            store,
            &mut writer,
            EventKind::QuizAnswered {
                turn: n as u32,
                question: p.question.clone(),
                item: p.item,
                chosen: choice,
                correct: ok,
            },
        )?;
        show_verdict(p, choice, style, width);
    }
    save(store, &mut writer, EventKind::SessionEnded { reason })?;
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
