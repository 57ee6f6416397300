//! The progress report as terminal text: ranked weak spots with evidence, and per-area sparklines that fit the
//! terminal's width (COLUMNS). Colour only through [`Style`], so NO_COLOR and pipes get plain text.

use crate::output::{wrap, Style};
use crate::review::report::{Evidence, Report};

const TICKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A sparkline of 0–100 scores, one character per score.
pub fn sparkline(scores: &[u32]) -> String {
    scores
        .iter()
        .map(|s| TICKS[((*s).min(100) as usize * (TICKS.len() - 1) + 50) / 100])
        .collect()
}

/// Wrap with a hanging indent: the first line starts with `first`, the rest with `rest`.
pub fn hang(text: &str, w: usize, first: &str, rest: &str) -> String {
    let body = wrap(text, w, rest);
    match body.strip_prefix(rest) {
        Some(tail) => format!("{first}{tail}"),
        None => body,
    }
}

/// A 10-cell bar for a percentage.
pub fn bar(pct: u32) -> String {
    let full = ((pct.min(100) + 5) / 10) as usize;
    format!("{}{}", "█".repeat(full), "░".repeat(10 - full))
}

fn paint(pct: u32, s: &str, st: Style) -> String {
    match pct {
        70.. => st.good(s),
        40..=69 => st.warn(s),
        _ => st.bad(s),
    }
}

fn said(e: &Evidence, w: usize) -> String {
    let text = if e.evidence.is_empty() {
        if e.answer.is_empty() {
            "You said: (no answer text stored)".to_string()
        } else {
            format!("Your answer: \u{201c}{}\u{201d}", e.answer)
        }
    } else {
        let q: Vec<String> = e
            .evidence
            .iter()
            .map(|x| format!("\u{201c}{x}\u{201d}"))
            .collect();
        format!("You said: {}", q.join(" "))
    };
    wrap(&text, w, "     ")
}

fn source(e: &Evidence) -> String {
    format!(
        "Last: {} · {} · session {} · {}",
        e.at.format("%Y-%m-%d"),
        e.question,
        &e.session[..e.session.len().min(10)],
        e.stage.replace('_', " ")
    )
}

/// Render the report for a terminal `w` columns wide.
pub fn report(r: &Report, st: Style, w: usize) -> String {
    let mut s = String::new();
    let mut line = |t: &str| {
        s.push_str(t);
        s.push('\n');
    };
    line(&st.bold("Progress report"));
    line(&st.dim(&wrap(
        &format!(
            "{} session(s) · {} graded answer(s) · as of {}",
            r.sessions,
            r.answers,
            r.generated.format("%Y-%m-%d %H:%M UTC")
        ),
        w,
        "",
    )));
    if r.answers == 0 {
        line("\nNo graded answers yet. Sit an interview first: viva");
        return s;
    }
    line("");
    line(&weak_criteria(r, st, w));
    line("");
    line(&weak_concepts(r, st, w));
    line("");
    line(&trend(r, st, w));
    let due_now = r.schedule.iter().filter(|d| d.due_now).count();
    line("");
    line(&st.dim(&wrap(
        &format!(
            "Due for review now: {due_now} (viva due). Charts: viva report --html report.html"
        ),
        w,
        "",
    )));
    s
}

/// A weak spot's heading: its rank and name, then its mastery bar, percentage and number of answers (two lines).
fn ranked(rank: usize, name: &str, mastery: u32, attempts: u32, st: Style) -> String {
    format!(
        "{:>2}. {}\n    {} {:>3}% · {} answer(s)",
        rank,
        st.bold(name),
        paint(mastery, &bar(mastery), st),
        mastery,
        attempts
    )
}

/// The candidate's last words on a weak spot, then where they were said.
fn last_words(last: &Evidence, st: Style, w: usize) -> String {
    format!(
        "{}\n{}",
        said(last, w),
        st.dim(&wrap(&source(last), w, "     "))
    )
}

/// The weakest criteria, each with what was expected and the candidate's last words on it.
fn weak_criteria(r: &Report, st: Style, w: usize) -> String {
    let none = "  None below 80% mastery. Well done.";
    weak_list("Weakest criteria", none, &r.weak_criteria, st, |c| {
        vec![
            ranked(c.rank, &c.criterion, c.mastery, c.attempts, st),
            wrap(
                &format!("Expected ({}): {}", c.area, c.statement),
                w,
                "     ",
            ),
            last_words(&c.last, st, w),
        ]
    })
}

/// The weakest concepts, each with what was missing and the candidate's last words on it.
fn weak_concepts(r: &Report, st: Style, w: usize) -> String {
    let none = "  None below 80% mastery.";
    weak_list("Weakest concepts", none, &r.weak_concepts, st, |c| {
        let mut lines = vec![
            ranked(c.rank, &c.tag, c.mastery, c.attempts, st),
            st.dim(&wrap(&format!("in {}", c.areas.join(", ")), w, "     ")),
        ];
        for m in &c.last.missing {
            lines.push(wrap(&format!("Missing: {m}"), w, "     "));
        }
        lines.push(last_words(&c.last, st, w));
        lines
    })
}

/// A list of weak spots under its bold heading (`none` when it is empty), each spot's lines in turn.
fn weak_list<T>(
    heading: &str,
    none: &str,
    spots: &[T],
    st: Style,
    lines: impl Fn(&T) -> Vec<String>,
) -> String {
    let mut s = String::new();
    let mut line = |t: &str| {
        s.push_str(t);
        s.push('\n');
    };
    line(&st.bold(heading));
    if spots.is_empty() {
        line(none);
    }
    for spot in spots {
        for l in lines(spot) {
            line(&l);
        }
    }
    s.trim_end_matches('\n').to_string()
}

/// One sparkline per area: mean score per session, oldest to newest.
fn trend(r: &Report, st: Style, w: usize) -> String {
    let mut s = String::new();
    let mut line = |t: &str| {
        s.push_str(t);
        s.push('\n');
    };
    line(&st.bold(&wrap(
        "Trend by area (mean score per session, oldest → newest)",
        w,
        "",
    )));
    let nw = r.areas.iter().map(|a| a.area.len()).max().unwrap_or(8);
    // "  name  spark  first → last (+change)": keep the sparkline within the width.
    let room = w.saturating_sub(nw + 23).max(1);
    let spw = r
        .areas
        .iter()
        .map(|a| a.points.len().min(room))
        .max()
        .unwrap_or(0);
    for a in &r.areas {
        let scores: Vec<u32> = a.points.iter().map(|p| p.score).collect();
        let shown = &scores[scores.len().saturating_sub(room)..];
        let first = scores[0];
        let last = *scores.last().unwrap_or(&0);
        let summary = if scores.len() > 1 {
            format!("{first} → {last} ({:+})", a.change)
        } else {
            format!("{last}")
        };
        line(&format!(
            "  {:<nw$}  {}{}  {}",
            a.area,
            paint(last, &sparkline(shown), st),
            " ".repeat(spw - shown.len()),
            summary
        ));
    }
    s.trim_end_matches('\n').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hanging_indent() {
        assert_eq!(hang("aa bb cc", 8, "1. ", "   "), "1. aa bb\n   cc");
    }

    #[test]
    fn sparkline_and_bar() {
        assert_eq!(sparkline(&[0, 50, 100]), "▁▅█");
        assert_eq!(bar(0), "░░░░░░░░░░");
        assert_eq!(bar(44), "████░░░░░░");
        assert_eq!(bar(100), "██████████");
    }
}
