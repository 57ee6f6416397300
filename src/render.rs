//! Rendering grades, questions and summaries as text (terminal, replay and Markdown share these).

use crate::grade::{CriterionResult, Grade, Verdict};
use crate::interview::coach::Gap;
use crate::interview::{open_gaps, Ask, Purpose, Summary, TurnResult};
use crate::output::{wrap, Style};

/// The question block shown to the candidate.
pub fn ask(a: &Ask, st: Style, width: usize) -> String {
    let head = match (a.purpose, &a.stage) {
        (Purpose::Rung, None) => {
            format!("Question {}/{} · {}", a.position.0, a.position.1, a.title)
        }
        (Purpose::Rung, Some(s)) => {
            format!("Follow-up · {}", s.replace('_', " "))
        }
        (p, _) => format!("Follow-up · {}", p.as_str()),
    };
    let mut s = format!(
        "\n{}\n{}",
        st.bold(&st.accent(&head)),
        wrap(&a.text, width, "  ")
    );
    if !a.constraints.is_empty() {
        s.push_str(&format!(
            "\n  {}",
            st.dim(&format!("Constraints: {}", a.constraints.join("; ")))
        ));
    }
    s
}

fn score_color(score: u32, st: Style) -> String {
    let t = format!("{score}/100");
    if score >= 70 {
        st.good(&t)
    } else if score >= 40 {
        st.warn(&t)
    } else {
        st.bad(&t)
    }
}

/// Feedback for one graded answer: score, each verdict with the candidate's words, what was missed.
pub fn feedback(g: &Grade, st: Style, width: usize) -> String {
    let mut s = String::new();
    let grader = if g.grader == "offline" {
        "offline grader".to_string()
    } else {
        g.grader.clone()
    };
    let degraded = if g.degraded {
        " (degraded: fell back to the offline grader)"
    } else {
        ""
    };
    s.push_str(&format!(
        "\n{} {}  {}\n",
        st.bold("Score"),
        st.bold(&score_color(g.score, st)),
        st.dim(&format!("({grader}{degraded})"))
    ));
    for f in &g.flags {
        // The model's own opinions are kept in the record but do not change the score; they are not warnings.
        if f.starts_with("model_says_") || f == "truncated" {
            continue;
        }
        let msg = crate::grade::Flag::parse(f).map_or_else(|| f.clone(), |fl| fl.message());
        s.push_str(&format!("  {} {}\n", st.bad("!"), msg));
    }
    for c in &g.criteria {
        criterion_feedback(&mut s, c, st, width);
    }
    for m in &g.misconceptions {
        s.push_str(&format!(
            "  {} {} {}\n",
            st.bad("−"),
            st.bold(&format!("misconception: {}", m.statement)),
            st.dim(&format!("(−{})", fmt_pts(m.penalty)))
        ));
        for e in &m.evidence {
            push_wrapped(&mut s, &format!("You said: \"{e}\""), width, "      ");
        }
    }
    s.trim_end().to_string()
}

/// One criterion's verdict: the mark and weight, then the candidate's words or what was expected.
fn criterion_feedback(s: &mut String, c: &CriterionResult, st: Style, width: usize) {
    let (mark, label) = match c.verdict {
        Verdict::Met => (st.good("✓"), "met"),
        Verdict::Partial => (st.warn("~"), "partial"),
        Verdict::Missed => (st.bad("✗"), "missed"),
    };
    s.push_str(&format!(
        "  {mark} {} {}\n",
        st.bold(&c.id),
        st.dim(&format!("[{label}, {} pts]", fmt_pts(c.weight)))
    ));
    match c.verdict {
        Verdict::Missed => {
            push_wrapped(s, &format!("Expected: {}", c.statement), width, "      ");
            if let Some(near) = &c.closest {
                push_wrapped(s, &format!("Closest you came: \"{near}\""), width, "      ");
            }
        }
        _ => {
            for e in &c.evidence {
                push_wrapped(s, &format!("You said: \"{e}\""), width, "      ");
            }
            if c.verdict == Verdict::Partial {
                push_wrapped(
                    s,
                    &format!("For full credit: {}", c.statement),
                    width,
                    "      ",
                );
            }
        }
    }
    if let Some(r) = &c.rationale {
        s.push_str(&format!("{}\n", st.dim(&wrap(r, width, "      "))));
    }
}

/// Append `text` wrapped to `width` with `indent`, and a newline.
fn push_wrapped(s: &mut String, text: &str, width: usize, indent: &str) {
    s.push_str(&wrap(text, width, indent));
    s.push('\n');
}

fn fmt_pts(x: f64) -> String {
    crate::grade::normalize::fmt_num(x)
}

/// One line of model usage for a graded turn.
pub fn usage_line(a: &crate::grade::LlmAudit, session_tokens: u64, session_usd: f64) -> String {
    let mut s = format!(
        "  {} · {}+{} tokens · {:.1} s",
        a.model,
        a.prompt_tokens,
        a.completion_tokens,
        a.latency_ms as f64 / 1000.0
    );
    if let Some(c) = a.cost_usd {
        s.push_str(&format!(" · ${c:.4} (session ${session_usd:.4})"));
    } else {
        s.push_str(&format!(" · session {session_tokens} tokens"));
    }
    if a.invented_evidence > 0 {
        s.push_str(&format!(
            " · {} unsupported verdict(s) downgraded",
            a.invented_evidence
        ));
    }
    if a.truncated {
        s.push_str(" · answer truncated to fit the token budget");
    }
    if let Some(n) = &a.note {
        s.push_str(&format!(" · {n}"));
    }
    s
}

/// The closing summary of a session: each turn's score, a verdict per question, what was partly met and what was
/// wrong, and the three heaviest things to work on.
pub fn summary(sm: &Summary, st: Style, width: usize) -> String {
    let mut s = format!("\n{}\n", st.bold("Session summary"));
    if sm.turns.is_empty() {
        s.push_str("  No answers were graded.\n");
    }
    let mut order: Vec<&str> = Vec::new();
    for t in &sm.turns {
        if !order.contains(&t.question.as_str()) {
            order.push(&t.question);
        }
    }
    for qid in &order {
        let turns: Vec<&TurnResult> = sm.turns.iter().filter(|t| &t.question == qid).collect();
        question_scores(&mut s, &turns, st);
    }
    for q in &sm.skipped {
        s.push_str(&format!("  {} {}\n", st.dim("skipped:"), q));
    }
    if let Some(m) = sm.mean {
        s.push_str(&format!(
            "  {} {}\n",
            st.bold("Mean score:"),
            score_color(m.round() as u32, st)
        ));
    }
    let hints = sm.hints;
    if hints > 0 {
        s.push_str(&format!("  {} {hints}\n", st.bold("Hints used:")));
    }
    what_to_work_on(&mut s, &sm.turns, st, width);
    s.trim_end().to_string()
}

/// One question's block in the summary: its title with a verdict on the mean score, then each turn's score.
fn question_scores(s: &mut String, turns: &[&TurnResult], st: Style) {
    let mean = turns.iter().map(|t| t.score as f64).sum::<f64>() / turns.len() as f64;
    let verdict = if mean >= 70.0 {
        st.good("strong")
    } else if mean >= 40.0 {
        st.warn("mixed")
    } else {
        st.bad("weak")
    };
    s.push_str(&format!(
        "  {} {}\n",
        st.bold(&turns[0].title),
        st.dim(&format!("· {verdict} (mean {})", mean.round()))
    ));
    for t in turns {
        let label = match t.purpose {
            Purpose::Rung => t.stage.replace('_', " "),
            p => format!("{} ({})", p.as_str(), t.stage.replace('_', " ")),
        };
        let hints = if t.hints > 0 {
            st.dim(&format!("  {} hint(s)", t.hints))
        } else {
            String::new()
        };
        s.push_str(&format!(
            "    {:<24} {}{hints}\n",
            label,
            score_color(t.score, st)
        ));
    }
}

/// The end of the summary: the misconceptions stated, what was partly there, and the heaviest open gaps.
fn what_to_work_on(s: &mut String, turns: &[TurnResult], st: Style, width: usize) {
    let mut wrong: Vec<&String> = Vec::new();
    for m in turns.iter().flat_map(|t| t.misconceptions.iter()) {
        if !wrong.contains(&m) {
            wrong.push(m);
        }
    }
    if !wrong.is_empty() {
        s.push_str(&format!("  {}\n", st.bold("Misconceptions stated:")));
        for m in wrong {
            push_wrapped(s, &format!("- {m}"), width, "    ");
        }
    }
    let open = open_gaps(turns);
    let partial: Vec<&Gap> = open.iter().filter(|g| g.partial).copied().collect();
    if !partial.is_empty() {
        s.push_str(&format!("  {}\n", st.bold("Partly there:")));
        for g in partial.iter().take(5) {
            push_wrapped(s, &format!("- {}", g.statement), width, "    ");
        }
    }
    if !open.is_empty() {
        s.push_str(&format!("  {}\n", st.bold("To work on (heaviest first):")));
        for g in open.iter().take(3) {
            let line = format!("- {} ({} pts)", g.statement, fmt_pts(g.weight));
            push_wrapped(s, &line, width, "    ");
        }
    }
}
