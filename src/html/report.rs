//! `viva report --html`: one self-contained page with inline SVG charts (score over time per area, the
//! area × concept heat map, the review schedule) and the weak-spot list. Every number drawn is also carried in a
//! `data-*` attribute so tests can compare the page with `viva report --json`; an inline script checks that the
//! drawing agrees with the data and marks the page `data-viva-rendered="ok"`.

use super::charts::{heat, heatmap, schedule, tone, trend};
use super::{escape as e, page as html_page};
use crate::review::report::{Evidence, Report};
use std::fmt::Write;

const CSS: &str = r#"
.summary { display: flex; gap: 12px; flex-wrap: wrap; margin: 14px 0 0; }
.summary div { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; }
.summary b { display: block; font-size: 22px; }
svg { width: 100%; height: auto; display: block; }
svg text { font: 12px system-ui, "DejaVu Sans", sans-serif; fill: var(--muted); }
svg .lbl { font-size: 11px; font-weight: 600; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .series polyline { fill: none; stroke-width: 2.5; }
svg .series.hidden { display: none; }
.legend { display: flex; gap: 16px; flex-wrap: wrap; margin: 6px 0 0; font-size: 13px; }
.legend span { cursor: pointer; user-select: none; }
.legend span.off { opacity: .35; }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 3px; margin-right: 5px; vertical-align: -1px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 4px 8px; border: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--panel); font-weight: 600; }
.heatwrap { overflow-x: auto; }
.heat th.id { white-space: nowrap; }
.heat td.cell, .heat td.empty { text-align: center; min-width: 52px; padding: 3px 4px; font-variant-numeric: tabular-nums; }
.heat thead th { font-size: 12px; }
.nowrap { white-space: nowrap; }
.heat td.empty { background: #fafbfc; }
.scale { display: flex; align-items: center; gap: 8px; font-size: 12px; margin: 6px 0; }
.scale .ramp { width: 160px; height: 10px; border-radius: 5px;
  background: linear-gradient(90deg, hsl(0,70%,82%), hsl(60,70%,82%), hsl(120,70%,82%)); }
.due td.num { text-align: right; font-variant-numeric: tabular-nums; }
.due tr.now td:first-child { border-left: 4px solid var(--bad); }
ol.weak { padding-left: 22px; }
ol.weak li { margin: 0 0 14px; }
.meter { display: inline-block; width: 120px; height: 10px; background: #edf0f5; border-radius: 5px;
  vertical-align: middle; margin: 0 6px; overflow: hidden; }
.meter i { display: block; height: 100%; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 28px; }
.pair { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 28px; align-items: start; }
.pair table.due { width: 100%; }
@media (max-width: 900px) { .cols, .pair { grid-template-columns: 1fr; } }
"#;

const SCRIPT: &str = r#"
(function () {
  var root = document.documentElement;
  window.addEventListener('error', function (ev) { root.setAttribute('data-viva-error', String(ev.message)); });
  try {
    var bad = 0;
    var svg = document.getElementById('trend-svg');
    var pts = document.querySelectorAll('circle.pt');
    if (svg) {
      var top = +svg.getAttribute('data-top'), ph = +svg.getAttribute('data-ph');
      pts.forEach(function (c) {
        var want = top + ph * (1 - (+c.getAttribute('data-score')) / 100);
        if (Math.abs(want - (+c.getAttribute('cy'))) > 0.6) { bad++; }
      });
    }
    document.querySelectorAll('td.cell').forEach(function (td) {
      if (td.textContent.trim() !== td.getAttribute('data-mastery')) { bad++; }
    });
    var sum = 0;
    document.querySelectorAll('rect.bar').forEach(function (b) { sum += +b.getAttribute('data-count'); });
    if (sum !== document.querySelectorAll('tr.due-row').length) { bad++; }
    document.querySelectorAll('.legend span').forEach(function (s) {
      s.addEventListener('click', function () {
        var g = document.getElementById('series-' + s.getAttribute('data-area'));
        if (g) { g.classList.toggle('hidden'); s.classList.toggle('off'); }
      });
    });
    root.setAttribute('data-viva-points', String(pts.length));
    root.setAttribute('data-viva-rendered', bad === 0 ? 'ok' : 'inconsistent: ' + bad);
  } catch (err) {
    root.setAttribute('data-viva-rendered', 'error: ' + err.message);
  }
})();
"#;

fn meter(m: u32) -> String {
    format!(
        "<span class=\"meter\"><i style=\"width:{m}%;background:{}\"></i></span><b class=\"{}\">{m}%</b>",
        heat(m).replace("82%)", "45%)"),
        tone(m)
    )
}

fn evidence(l: &Evidence, s: &mut String) {
    if l.evidence.is_empty() {
        if !l.answer.is_empty() {
            let _ = write!(
                s,
                "<div class=\"small muted\">Your answer:</div><blockquote>{}</blockquote>",
                e(&l.answer)
            );
        }
    } else {
        s.push_str("<div class=\"small muted\">You said:</div>");
        for q in &l.evidence {
            let _ = write!(s, "<blockquote>{}</blockquote>", e(q));
        }
    }
    for m in &l.missing {
        let _ = write!(
            s,
            "<div class=\"small\"><span class=\"bad\">Missing:</span> {}</div>",
            e(m)
        );
    }
    let _ = write!(
        s,
        "<div class=\"small muted\">Last seen {} · <span class=\"id\">{}</span> ({}) · session \
         <span class=\"id\">{}</span></div>",
        l.at.format("%Y-%m-%d"),
        e(&l.question),
        e(&l.stage.replace('_', " ")),
        e(&l.session)
    );
}

/// The weakest criteria and concepts, side by side, each with the candidate's last words.
fn weak(r: &Report, s: &mut String) {
    s.push_str("<div class=\"cols\">");
    let none = "No criterion below 80% mastery.";
    weak_column(s, "Criteria", none, &r.weak_criteria, |c, s| {
        let _ = write!(
            s,
            "<li class=\"weak-criterion\" data-rank=\"{}\" data-question=\"{}\" data-criterion=\"{}\" \
             data-mastery=\"{}\"><b class=\"id\">{}</b>{} <span class=\"small muted\">{} answer(s) · {}</span>\
             <div>{}</div>",
            c.rank,
            e(&c.question),
            e(&c.criterion),
            c.mastery,
            e(&c.criterion),
            meter(c.mastery),
            c.attempts,
            e(&c.area),
            e(&c.statement)
        );
        evidence(&c.last, s);
    });
    let none = "No concept below 80% mastery.";
    weak_column(s, "Concepts", none, &r.weak_concepts, |c, s| {
        let _ = write!(
            s,
            "<li class=\"weak-concept\" data-rank=\"{}\" data-tag=\"{}\" data-mastery=\"{}\"><b class=\"id\">{}</b>{} \
             <span class=\"small muted\">{} answer(s) · {}</span>",
            c.rank,
            e(&c.tag),
            c.mastery,
            e(&c.tag),
            meter(c.mastery),
            c.attempts,
            e(&c.areas.join(", "))
        );
        evidence(&c.last, s);
    });
    s.push_str("</div>\n");
}

/// One column of weak spots: its heading, a note when there are none, then the ranked list, each spot's item
/// written by `item` (all but the closing tag).
fn weak_column<T>(
    s: &mut String,
    heading: &str,
    none: &str,
    spots: &[T],
    item: impl Fn(&T, &mut String),
) {
    let _ = writeln!(s, "<div><h3>{heading}</h3>");
    if spots.is_empty() {
        let _ = write!(s, "<p class=\"muted\">{none}</p>");
    }
    s.push_str("<ol class=\"weak\">\n");
    for spot in spots {
        item(spot, s);
        s.push_str("</li>\n");
    }
    s.push_str("</ol></div>");
}

/// The whole page.
pub fn page(r: &Report) -> String {
    let mut s = String::new();
    let due_now = r.schedule.iter().filter(|d| d.due_now).count();
    let _ = writeln!(
        s,
        "<h1>viva · progress report</h1>\n<p class=\"muted\">As of {}</p>\n<div class=\"summary\">\
         <div><b id=\"n-sessions\">{}</b>sessions</div><div><b id=\"n-answers\">{}</b>graded answers</div>\
         <div><b id=\"n-weak\">{}</b>weak criteria</div><div><b id=\"n-due\">{}</b>due now</div></div>",
        r.generated.format("%Y-%m-%d %H:%M UTC"),
        r.sessions,
        r.answers,
        r.weak_criteria.len(),
        due_now
    );
    s.push_str("<section id=\"trend\"><h2>Score over time per area</h2>\n");
    if r.areas.is_empty() {
        s.push_str("<p class=\"muted\">No graded answers yet.</p>\n");
    } else {
        trend(r, &mut s);
    }
    s.push_str(
        "</section>\n<div class=\"pair\">\n<section id=\"schedule\"><h2>Review schedule</h2>\n",
    );
    schedule(r, &mut s);
    s.push_str("</section>\n<section id=\"heatmap\"><h2>Mastery by area and concept</h2>\n");
    heatmap(r, &mut s);
    s.push_str("</section>\n</div>\n<section id=\"weak\"><h2>Weak spots</h2>\n");
    weak(r, &mut s);
    s.push_str("</section>\n");
    html_page("viva progress report", CSS, &s, SCRIPT)
}
