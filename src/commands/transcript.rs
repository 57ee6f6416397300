//! A session's transcript as text: for the terminal (`viva replay`, one chunk per turn) and as Markdown
//! (`viva export --format md`). The HTML page is in [`crate::html::transcript`].

use crate::output::{wrap, Style};
use crate::render;
use crate::review::transcript::{Entry, Transcript};
use crate::store::Event;

/// Render a session's events as terminal text, one chunk per turn (a chunk ends after a grade).
pub fn transcript(events: &[Event], style: Style, width: usize) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut cur = String::new();
    let mut asked_since = false;
    for en in Transcript::new(events).entries() {
        match en {
            Entry::Question(_) | Entry::FollowUp { .. } | Entry::Quiz(_) => asked_since = true,
            Entry::Graded { .. } => asked_since = false,
            _ => {}
        }
        cur.push_str(&terminal_entry(en, style, width));
        if matches!(en, Entry::Graded { .. }) {
            chunks.push(std::mem::take(&mut cur));
        }
    }
    // A tail with no new question (the session's end) belongs to the last turn.
    match chunks.last_mut() {
        Some(last) if !cur.is_empty() && !asked_since => last.push_str(&cur),
        _ if !cur.is_empty() => chunks.push(cur),
        _ => {}
    }
    chunks
}

/// One transcript entry as terminal text.
fn terminal_entry(en: Entry<'_>, style: Style, width: usize) -> String {
    match en {
        Entry::Started(h) => style.dim(&format!(
            "Session {} · {} · {}\n",
            h.id,
            h.kind_and_grader(),
            h.started()
        )),
        Entry::Question(q) => format!(
            "\n{}\n{}\n{}",
            style.bold(&style.accent(&format!("Question · {}", q.title))),
            wrap(q.text, width, "  "),
            style.dim(&format!("  ({})\n", q.question))
        ),
        Entry::FollowUp { label, text } => format!(
            "\n{}\n{}\n",
            style.bold(&style.accent(&format!("Follow-up · {label}"))),
            wrap(text, width, "  ")
        ),
        Entry::Hint { level, text } => style.warn(&format!("  Hint ({level}/3): {text}\n")),
        Entry::Answer { text, voice } => {
            let mut s = format!("{}\n{}\n", style.bold("Answer"), wrap(text, width, "  │ "));
            if let Some(v) = voice {
                s.push_str(&style.dim(&format!("  ({})\n", crate::voice::view::one_line(v))));
            }
            s
        }
        Entry::Graded { grade } => format!("{}\n", render::feedback(grade, style, width)),
        Entry::Skipped { question } => style.dim(&format!("(skipped {question})\n")),
        Entry::Quiz(p) => {
            let mark = if p.correct {
                style.good("✓")
            } else {
                style.bad("✗")
            };
            format!(
                "{mark} quiz {} #{}: chose {}\n",
                p.question, p.number, p.option
            )
        }
        Entry::Regraded { turn, at, grade } => style.dim(&format!(
            "Regraded turn {turn} on {}: {}/100 ({})\n",
            at.format("%Y-%m-%d"),
            grade.score,
            grade.grader
        )),
        Entry::Ended { reason, at } => style.dim(&format!(
            "\nSession ended ({reason}) at {}\n",
            at.format("%H:%M UTC")
        )),
    }
}

/// Markdown transcript of a session.
pub fn markdown(events: &[Event]) -> String {
    Transcript::new(events)
        .entries()
        .map(markdown_entry)
        .collect()
}

/// One transcript entry as Markdown.
fn markdown_entry(en: Entry<'_>) -> String {
    match en {
        Entry::Started(h) => format!(
            "# viva session {}\n\n{} · started {}\n",
            h.id,
            h.kind_and_grader(),
            h.started()
        ),
        Entry::Question(q) => format!(
            "\n## {}\n\n`{}`\n\n> {}\n",
            q.title,
            q.question,
            q.text.replace('\n', "\n> ")
        ),
        Entry::FollowUp { label, text } => format!(
            "\n### Follow-up ({label})\n\n> {}\n",
            text.replace('\n', "\n> ")
        ),
        Entry::Hint { level, text } => format!("\n_Hint ({level}/3): {text}_\n"),
        Entry::Answer { text, voice } => {
            let mut s = format!(
                "\n**Answer**\n\n```text\n{}\n```\n",
                text.replace("```", "'''")
            );
            if let Some(v) = voice {
                s.push_str(&format!("\n_{}_\n", crate::voice::view::one_line(v)));
            }
            s
        }
        Entry::Graded { grade } => markdown_grade(grade),
        Entry::Skipped { question } => format!("\n_(skipped {question})_\n"),
        Entry::Quiz(p) => format!(
            "- quiz `{}` #{}: option {} — {}\n",
            p.question,
            p.number,
            p.option,
            if p.correct { "correct" } else { "wrong" }
        ),
        Entry::Regraded { turn, at, grade } => format!(
            "- regraded turn {turn} on {}: **{}/100** ({} grader)\n",
            at.format("%Y-%m-%d"),
            grade.score,
            grade.grader
        ),
        Entry::Ended { reason, at } => format!(
            "\n---\nEnded ({reason}) {}\n",
            at.format("%Y-%m-%d %H:%M UTC")
        ),
    }
}

/// A grade in the Markdown transcript: the score, flags, each criterion with the candidate's words, misconceptions.
fn markdown_grade(grade: &crate::grade::Grade) -> String {
    let mut s = format!(
        "\n**Score: {}/100** ({} grader{})\n\n",
        grade.score,
        grade.grader,
        if grade.degraded { ", degraded" } else { "" }
    );
    for f in &grade.flags {
        s.push_str(&format!("- ⚠ {f}\n"));
    }
    for c in &grade.criteria {
        let ev = c
            .evidence
            .iter()
            .map(|e| format!("“{e}”"))
            .collect::<Vec<_>>()
            .join(" ");
        s.push_str(&format!(
            "- **{}** {:?}: {}{}\n",
            c.id,
            c.verdict,
            c.statement,
            if ev.is_empty() {
                String::new()
            } else {
                format!(" — you said {ev}")
            }
        ));
    }
    for m in &grade.misconceptions {
        s.push_str(&format!(
            "- ✗ misconception (−{}): {}\n",
            m.penalty, m.statement
        ));
    }
    s
}
