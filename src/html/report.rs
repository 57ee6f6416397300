//! `viva report --html`: one self-contained page with inline SVG charts (score over time per area, the
//! area × concept heat map, the review schedule) and the weak-spot list. Every number drawn is also carried in a
//! `data-*` attribute so tests can compare the page with `viva report --json`; an inline script checks that the
//! drawing agrees with the data and marks the page `data-viva-rendered="ok"`.

use super::{escape as e, page as html_page};
use crate::review::report::{Evidence, Report};
use chrono::{DateTime, Utc};
use std::fmt::Write;

/// Line colours by area (bank order), then one for questions that left the bank.
const COLORS: [(&str, &str); 7] = [
    ("classification", "#2f6fdb"),
    ("detection", "#d9480f"),
    ("segmentation", "#2b8a3e"),
    ("video", "#862e9c"),
    ("multimodal", "#0b7285"),
    ("deployment", "#c2255c"),
    ("unknown", "#868e96"),
];

fn color(area: &str) -> &'static str {
    COLORS
        .iter()
        .find(|(a, _)| *a == area)
        .map(|(_, c)| *c)
        .unwrap_or("#868e96")
}

/// Background for a mastery percentage: red (0) through amber to green (100).
fn heat(m: u32) -> String {
    format!("hsl({}, 70%, 82%)", m.min(100) * 120 / 100)
}

fn tone(m: u32) -> &'static str {
    match m {
        70.. => "good",
        40..=69 => "warn",
        _ => "bad",
    }
}

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

fn trend(r: &Report, s: &mut String) {
    let mut sessions: Vec<(DateTime<Utc>, &str)> = Vec::new();
    for a in &r.areas {
        for p in &a.points {
            if !sessions.iter().any(|(_, id)| *id == p.session) {
                sessions.push((p.at, &p.session));
            }
        }
    }
    sessions.sort();
    let (w, h, left, right, top, bottom) = (1000.0, 280.0, 44.0, 24.0, 22.0, 46.0);
    let (pw, ph) = (w - left - right, h - top - bottom);
    let n = sessions.len();
    let x = |i: usize| {
        if n <= 1 {
            left + pw / 2.0
        } else {
            left + pw * i as f64 / (n - 1) as f64
        }
    };
    let y = |score: u32| top + ph * (1.0 - score as f64 / 100.0);
    let _ = writeln!(
        s,
        "<svg id=\"trend-svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"Score over time per area\" \
         data-top=\"{top}\" data-ph=\"{ph}\">"
    );
    for g in [0u32, 25, 50, 75, 100] {
        let _ = writeln!(
            s,
            "<line class=\"grid\" x1=\"{left}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{g}</text>",
            w - right,
            left - 8.0,
            y(g) + 4.0,
            yy = y(g)
        );
    }
    let every = n.div_ceil(12).max(1);
    for (i, (at, _)) in sessions.iter().enumerate() {
        if i % every == 0 || i + 1 == n {
            let _ = writeln!(
                s,
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                x(i),
                h - bottom + 20.0,
                at.format("%b %d")
            );
        }
    }
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">session (oldest → newest)</text>",
        left + pw / 2.0,
        h - 6.0
    );
    let idx = |sid: &str| sessions.iter().position(|(_, id)| *id == sid).unwrap_or(0);
    // Score labels sit above their point; when two points of one session are close, the lower one's label
    // moves to the point's right.
    let mut at_x: Vec<(usize, f64, &str, &str)> = r
        .areas
        .iter()
        .flat_map(|a| {
            a.points.iter().map(move |p| {
                (
                    idx(&p.session),
                    y(p.score),
                    a.area.as_str(),
                    p.session.as_str(),
                )
            })
        })
        .collect();
    at_x.sort_by(|a, b| {
        (a.0, a.1)
            .partial_cmp(&(b.0, b.1))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut beside: Vec<(&str, &str)> = Vec::new();
    for pair in at_x.windows(2) {
        if pair[0].0 == pair[1].0 && pair[1].1 - pair[0].1 < 16.0 {
            beside.push((pair[1].2, pair[1].3));
        }
    }
    for a in &r.areas {
        let c = color(&a.area);
        let pts: Vec<String> = a
            .points
            .iter()
            .map(|p| format!("{:.1},{:.1}", x(idx(&p.session)), y(p.score)))
            .collect();
        let _ = writeln!(
            s,
            "<g class=\"series\" id=\"series-{}\" data-area=\"{}\"><polyline stroke=\"{c}\" points=\"{}\"/>",
            e(&a.area),
            e(&a.area),
            pts.join(" ")
        );
        for p in &a.points {
            let (cx, cy) = (x(idx(&p.session)), y(p.score));
            let (lx, ly, anchor) = if beside.contains(&(a.area.as_str(), p.session.as_str())) {
                (cx + 9.0, cy + 4.0, "start")
            } else {
                (cx, cy - 10.0, "middle")
            };
            let _ = writeln!(
                s,
                "<circle class=\"pt\" data-area=\"{}\" data-session=\"{}\" data-score=\"{}\" cx=\"{cx:.1}\" \
                 cy=\"{cy:.1}\" r=\"5\" fill=\"{c}\"><title>{} · {} · session {} · {}</title></circle>\
                 <text class=\"lbl\" x=\"{lx:.1}\" y=\"{ly:.1}\" text-anchor=\"{anchor}\" fill=\"{c}\" \
                 style=\"fill:{c}\">{}</text>",
                e(&a.area),
                e(&p.session),
                p.score,
                e(&a.area),
                p.at.format("%Y-%m-%d"),
                e(&p.session),
                p.score,
                p.score
            );
        }
        s.push_str("</g>\n");
    }
    s.push_str("</svg>\n<div class=\"legend\">");
    for a in &r.areas {
        let last = a.points.last().map(|p| p.score).unwrap_or(0);
        let _ = write!(
            s,
            "<span data-area=\"{}\" title=\"click to hide or show\"><i style=\"background:{}\"></i>{} \
             <b>{last}</b> <span class=\"muted\">({:+} over {} session(s))</span></span>",
            e(&a.area),
            color(&a.area),
            e(&a.area),
            a.change,
            a.points.len()
        );
    }
    s.push_str("</div>\n");
}

fn heatmap(r: &Report, s: &mut String) {
    let mut areas: Vec<&str> = Vec::new();
    for c in &r.heatmap {
        if !areas.contains(&c.area.as_str()) {
            areas.push(&c.area);
        }
    }
    let mut tags: Vec<(&str, u32)> = Vec::new();
    for c in &r.heatmap {
        match tags.iter_mut().find(|(t, _)| *t == c.tag) {
            Some(t) => t.1 = t.1.min(c.mastery),
            None => tags.push((&c.tag, c.mastery)),
        }
    }
    tags.sort_by(|a, b| (a.1, a.0).cmp(&(b.1, b.0)));
    s.push_str(
        "<div class=\"scale\"><span>mastery 0%</span><span class=\"ramp\"></span><span>100%</span></div>\
         <p class=\"small muted\">Weakest concepts first; an empty cell: not practised in that area yet.</p>\n",
    );
    s.push_str("<div class=\"heatwrap\"><table class=\"heat\"><thead><tr><th>concept</th>");
    for a in &areas {
        let _ = write!(s, "<th>{}</th>", e(a));
    }
    s.push_str("</tr></thead><tbody>\n");
    for (tag, _) in &tags {
        let _ = write!(s, "<tr><th class=\"id\">{}</th>", e(tag));
        for a in &areas {
            match r.heatmap.iter().find(|c| c.area == *a && c.tag == *tag) {
                Some(c) => {
                    let _ = write!(
                        s,
                        "<td class=\"cell\" data-area=\"{}\" data-tag=\"{}\" data-mastery=\"{}\" \
                         style=\"background:{}\" title=\"{} answer(s)\">{}</td>",
                        e(a),
                        e(tag),
                        c.mastery,
                        heat(c.mastery),
                        c.attempts,
                        c.mastery
                    );
                }
                None => s.push_str("<td class=\"empty\"></td>"),
            }
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table></div>\n");
}

fn schedule(r: &Report, s: &mut String) {
    // Buckets: due now, then calendar days from the report's date, then later.
    let mut labels: Vec<String> = vec!["now".into(), "today".into()];
    labels.extend((1..=7).map(|d| format!("+{d}d")));
    labels.push("+8–14d".into());
    labels.push("later".into());
    let mut counts = vec![0u32; labels.len()];
    let today = r.generated.date_naive();
    for d in &r.schedule {
        let k = if d.due_now {
            0
        } else {
            match (d.due.date_naive() - today).num_days().max(0) {
                d @ 0..=7 => d as usize + 1,
                8..=14 => 9,
                _ => 10,
            }
        };
        counts[k] += 1;
    }
    let (w, h, left, top, bottom) = (480.0, 150.0, 8.0, 16.0, 26.0);
    let slot = (w - left - 10.0) / labels.len() as f64;
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let _ = writeln!(
        s,
        "<svg id=\"due-svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"Questions coming due per day\">"
    );
    let _ = writeln!(
        s,
        "<line class=\"grid\" x1=\"{left}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>",
        w - 10.0,
        h - bottom,
        h - bottom
    );
    for (i, (l, c)) in labels.iter().zip(&counts).enumerate() {
        let bh = (h - top - bottom - 14.0) * *c as f64 / max;
        let bx = left + slot * i as f64 + slot * 0.15;
        let fill = if i == 0 { "#c53030" } else { "#2f6fdb" };
        let _ = writeln!(
            s,
            "<rect class=\"bar\" data-bucket=\"{l}\" data-count=\"{c}\" x=\"{bx:.1}\" y=\"{:.1}\" width=\"{:.1}\" \
             height=\"{bh:.1}\" fill=\"{fill}\" rx=\"3\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"lbl\">{}</text>\
             <text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{l}</text>",
            h - bottom - bh,
            slot * 0.7,
            bx + slot * 0.35,
            h - bottom - bh - 4.0,
            if *c > 0 { c.to_string() } else { String::new() },
            bx + slot * 0.35,
            h - bottom + 18.0
        );
    }
    s.push_str("</svg>\n");
    if r.schedule.is_empty() {
        s.push_str("<p class=\"muted\">Nothing scheduled yet.</p>\n");
        return;
    }
    s.push_str(
        "<table class=\"due\"><thead><tr><th>question</th><th>due</th><th>last</th>\
         <th>missed last time</th></tr></thead><tbody>\n",
    );
    for d in &r.schedule {
        let when = if d.due_now {
            "<b class=\"bad\">due now</b>".to_string()
        } else {
            match d.due_in_days {
                ..=0 => "later today".to_string(),
                1 => "tomorrow".to_string(),
                n => format!("in {n} days"),
            }
        };
        let mut missed: Vec<String> = d
            .missed
            .iter()
            .take(3)
            .map(|m| {
                format!(
                    "<span class=\"id\" title=\"{}\">{}</span>",
                    e(&m.statement),
                    e(&m.id)
                )
            })
            .collect();
        if d.missed.len() > 3 {
            missed.push(format!(
                "<span class=\"muted\">+{} more</span>",
                d.missed.len() - 3
            ));
        }
        let _ = writeln!(
            s,
            "<tr class=\"due-row{}\" data-question=\"{}\" data-due=\"{}\" data-last-score=\"{}\" \
             data-due-now=\"{}\"><td>{}<br><span class=\"small muted\"><span class=\"id\">{}</span> · {}</span></td>\
             <td class=\"nowrap\">{}<br><span class=\"small muted\">{}</span></td><td class=\"num {}\">{}</td>\
             <td class=\"small\">{}</td></tr>",
            if d.due_now { " now" } else { "" },
            e(&d.question),
            serde_json::to_value(d.due)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            d.last_score,
            d.due_now,
            e(&d.title),
            e(&d.question),
            e(&d.area),
            d.due.format("%Y-%m-%d"),
            when,
            tone(d.last_score),
            d.last_score,
            if missed.is_empty() {
                "—".into()
            } else {
                missed.join(", ")
            }
        );
    }
    s.push_str("</tbody></table>\n");
}

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

fn weak(r: &Report, s: &mut String) {
    s.push_str("<div class=\"cols\"><div><h3>Criteria</h3>\n");
    if r.weak_criteria.is_empty() {
        s.push_str("<p class=\"muted\">No criterion below 80% mastery.</p>");
    }
    s.push_str("<ol class=\"weak\">\n");
    for c in &r.weak_criteria {
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
        s.push_str("</li>\n");
    }
    s.push_str("</ol></div><div><h3>Concepts</h3>\n");
    if r.weak_concepts.is_empty() {
        s.push_str("<p class=\"muted\">No concept below 80% mastery.</p>");
    }
    s.push_str("<ol class=\"weak\">\n");
    for c in &r.weak_concepts {
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
        s.push_str("</li>\n");
    }
    s.push_str("</ol></div></div>\n");
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
