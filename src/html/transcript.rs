//! `viva export ID --format html`: a readable transcript. Everything the candidate typed is escaped and the page
//! allows no script at all (CSP), so an answer holding markup or a `<script>` stays inert text.

use super::{escape as e, page};
use crate::grade::Verdict;
use crate::review::transcript::{Entry, Transcript};
use crate::store::Event;
use std::fmt::Write;

const CSS: &str = r#"
.q { margin-top: 28px; }
.stage { text-transform: uppercase; letter-spacing: .04em; font-size: 12px; color: var(--muted); }
.prompt { font-weight: 600; white-space: pre-wrap; }
.answer { white-space: pre-wrap; overflow-wrap: anywhere; font-family: inherit; background: var(--panel);
  border-left: 3px solid var(--accent); padding: 8px 12px; margin: 8px 0; }
.score { font-weight: 700; }
ul.crit { list-style: none; padding-left: 0; margin: 6px 0; }
ul.crit li { margin: 3px 0; }
.note { color: var(--muted); font-size: 13px; }
"#;

fn verdict(v: Verdict) -> (&'static str, &'static str, &'static str) {
    match v {
        Verdict::Met => ("✓", "good", "met"),
        Verdict::Partial => ("~", "warn", "partial"),
        Verdict::Missed => ("✗", "bad", "missed"),
    }
}

fn tone(score: u32) -> &'static str {
    match score {
        70.. => "good",
        40..=69 => "warn",
        _ => "bad",
    }
}

/// Render a session's events as one HTML page.
pub fn transcript(events: &[Event]) -> String {
    let mut s = String::new();
    let mut title = String::from("viva session");
    for en in Transcript::new(events).entries() {
        if let Entry::Started(h) = en {
            title = format!("viva session {}", h.id);
        }
        html_entry(en, &title, &mut s);
    }
    page(&title, CSS, &s, "")
}

/// One transcript entry as HTML, every text escaped.
fn html_entry(en: Entry<'_>, title: &str, s: &mut String) {
    let _ = match en {
        Entry::Started(h) => writeln!(
            s,
            "<h1>{}</h1>\n<p class=\"muted\">{} · started {}</p>",
            e(title),
            e(&h.kind_and_grader()),
            h.started()
        ),
        Entry::Question(q) => writeln!(
            s,
            "<section class=\"q\"><h2>{}</h2><div class=\"stage\">question · <span class=\"id\">{}</span></div>\
             <p class=\"prompt\">{}</p></section>",
            e(q.title),
            e(q.question),
            e(q.text)
        ),
        Entry::FollowUp { label, text } => writeln!(
            s,
            "<h3>Follow-up</h3><div class=\"stage\">{}</div><p class=\"prompt\">{}</p>",
            e(label),
            e(text)
        ),
        Entry::Hint { level, text } => {
            writeln!(s, "<p class=\"muted\">Hint ({level}/3): {}</p>", e(text))
        }
        Entry::Answer { text, voice } => {
            let spoken = voice.map(|v| {
                format!(
                    "\n<p class=\"note\">{}</p>",
                    e(&crate::voice::view::one_line(v))
                )
            });
            writeln!(
                s,
                "<div class=\"answer\">{}</div>{}",
                e(text),
                spoken.unwrap_or_default()
            )
        }
        Entry::Graded { grade } => {
            html_grade(grade, s);
            Ok(())
        }
        Entry::Regraded { turn, at, grade } => {
            let day = at.format("%Y-%m-%d");
            let (cls, score, by) = (tone(grade.score), grade.score, e(&grade.grader));
            writeln!(s, "<p class=\"note\">Regraded turn {turn} on {day}: <span class=\"{cls}\">{score}/100</span> ({by} grader)</p>")
        }
        Entry::Skipped { question } => {
            writeln!(s, "<p class=\"note\">(skipped {})</p>", e(question))
        }
        Entry::Quiz(p) => {
            let (cls, mark) = if p.correct { ("good", "✓") } else { ("bad", "✗") };
            writeln!(
                s,
                "<p><span class=\"{cls}\">{mark}</span> quiz <span class=\"id\">{}</span> #{}: option {}</p>",
                e(p.question),
                p.number,
                p.option
            )
        }
        Entry::Ended { reason, at } => writeln!(
            s,
            "<hr><p class=\"note\">Ended ({}) {}</p>",
            e(reason),
            at.format("%Y-%m-%d %H:%M UTC")
        ),
    };
}

/// A grade: the score, flags, each criterion with the candidate's words, misconceptions.
fn html_grade(grade: &crate::grade::Grade, s: &mut String) {
    let _ = writeln!(
        s,
        "<p><span class=\"score {}\">Score {}/100</span> <span class=\"note\">({} grader{})</span></p>",
        tone(grade.score),
        grade.score,
        e(&grade.grader),
        if grade.degraded { ", degraded" } else { "" }
    );
    for f in &grade.flags {
        let _ = writeln!(s, "<p class=\"bad\">⚠ {}</p>", e(f));
    }
    s.push_str("<ul class=\"crit\">\n");
    for c in &grade.criteria {
        let (mark, cls, word) = verdict(c.verdict);
        let said: Vec<String> = c.evidence.iter().map(|q| format!("“{}”", e(q))).collect();
        let _ = writeln!(
            s,
            "<li><span class=\"{cls}\">{mark}</span> <b class=\"id\">{}</b> <span class=\"note\">{word}</span> — {}{}</li>",
            e(&c.id),
            e(&c.statement),
            if said.is_empty() {
                String::new()
            } else {
                format!(" <span class=\"note\">you said</span> {}", said.join(" "))
            }
        );
    }
    for m in &grade.misconceptions {
        let _ = writeln!(
            s,
            "<li><span class=\"bad\">−{}</span> misconception: {}</li>",
            m.penalty,
            e(&m.statement)
        );
    }
    s.push_str("</ul>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::testkit::*;

    #[test]
    fn answers_are_escaped_and_inert() {
        let mut log = Log::new(9, day(0));
        log.ask("cv-detection-anchor-boxes", "Anchors <b>&</b>");
        log.answer(
            "<script>alert(1)</script> & <img src=x onerror=alert(2)>",
            grade("cv-detection-anchor-boxes", None, &[("dense-anchors", M)]),
        );
        let h = transcript(&log.events);
        assert!(!h.contains("<script"), "{h}");
        assert!(!h.contains("<img"));
        assert!(h.contains(
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;"
        ));
        assert!(h.contains("Anchors &lt;b&gt;&amp;&lt;/b&gt;"));
        assert!(h.contains("script-src") || h.contains("default-src 'none'"));
    }
}
