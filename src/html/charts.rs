//! The report's charts as inline SVG and HTML: score over time per area, the area × concept heat map and the
//! review schedule. Every number drawn also sits in a `data-*` attribute (see `html::report`).

use super::escape as e;
use crate::review::report::Report;
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

/// Colours for the other areas (a drafted bank's own), picked by the area's name so each keeps its colour.
const MORE_COLORS: [&str; 6] = [
    "#e67700", "#5c940d", "#364fc7", "#a61e4d", "#087f5b", "#5f3dc4",
];

/// The line colour of an area.
pub fn color(area: &str) -> &'static str {
    COLORS
        .iter()
        .find(|(a, _)| *a == area)
        .map(|(_, c)| *c)
        .unwrap_or_else(|| {
            MORE_COLORS[(crate::draft::stable_hash(area) % MORE_COLORS.len() as u64) as usize]
        })
}

/// Background for a mastery percentage: red (0) through amber to green (100).
pub fn heat(m: u32) -> String {
    format!("hsl({}, 70%, 82%)", m.min(100) * 120 / 100)
}

/// CSS class for a 0–100 value: good, warn or bad.
pub fn tone(m: u32) -> &'static str {
    match m {
        70.. => "good",
        40..=69 => "warn",
        _ => "bad",
    }
}

/// The trend chart's geometry: the sessions in time order along x, scores 0–100 along y.
struct Frame<'a> {
    sessions: Vec<(DateTime<Utc>, &'a str)>,
    w: f64,
    h: f64,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
}

impl<'a> Frame<'a> {
    fn new(r: &'a Report) -> Frame<'a> {
        let mut sessions: Vec<(DateTime<Utc>, &str)> = Vec::new();
        for a in &r.areas {
            for p in &a.points {
                if !sessions.iter().any(|(_, id)| *id == p.session) {
                    sessions.push((p.at, &p.session));
                }
            }
        }
        sessions.sort();
        Frame {
            sessions,
            w: 1000.0,
            h: 280.0,
            left: 44.0,
            right: 24.0,
            top: 22.0,
            bottom: 46.0,
        }
    }
    fn pw(&self) -> f64 {
        self.w - self.left - self.right
    }
    fn ph(&self) -> f64 {
        self.h - self.top - self.bottom
    }
    fn x(&self, i: usize) -> f64 {
        let n = self.sessions.len();
        if n <= 1 {
            self.left + self.pw() / 2.0
        } else {
            self.left + self.pw() * i as f64 / (n - 1) as f64
        }
    }
    fn y(&self, score: u32) -> f64 {
        self.top + self.ph() * (1.0 - score as f64 / 100.0)
    }
    /// The x index of a session.
    fn idx(&self, sid: &str) -> usize {
        self.sessions
            .iter()
            .position(|(_, id)| *id == sid)
            .unwrap_or(0)
    }
}

/// Score over time per area: one line per area, one point per session.
pub fn trend(r: &Report, s: &mut String) {
    let f = Frame::new(r);
    let (w, h, top, ph) = (f.w, f.h, f.top, f.ph());
    let _ = writeln!(
        s,
        "<svg id=\"trend-svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"Score over time per area\" \
         data-top=\"{top}\" data-ph=\"{ph}\">"
    );
    trend_axes(&f, s);
    let beside = labels_beside(r, &f);
    for a in &r.areas {
        trend_series(a, &f, &beside, s);
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

/// Grid lines with their scores, session dates along x (at most about twelve), the x axis's title.
fn trend_axes(f: &Frame, s: &mut String) {
    let (w, h, left, right, bottom) = (f.w, f.h, f.left, f.right, f.bottom);
    for g in [0u32, 25, 50, 75, 100] {
        let _ = writeln!(
            s,
            "<line class=\"grid\" x1=\"{left}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{g}</text>",
            w - right,
            left - 8.0,
            f.y(g) + 4.0,
            yy = f.y(g)
        );
    }
    let n = f.sessions.len();
    let every = n.div_ceil(12).max(1);
    for (i, (at, _)) in f.sessions.iter().enumerate() {
        if i % every == 0 || i + 1 == n {
            let same_day = f
                .sessions
                .iter()
                .filter(|(t, _)| t.date_naive() == at.date_naive())
                .count();
            let _ = writeln!(
                s,
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                f.x(i),
                h - bottom + 20.0,
                if same_day > 1 {
                    at.format("%b %d %H:%M").to_string()
                } else {
                    at.format("%b %d").to_string()
                }
            );
        }
    }
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">session (oldest → newest)</text>",
        left + f.pw() / 2.0,
        h - 6.0
    );
}

/// Score labels sit above their point; when two points of one session are close, the lower one's label moves to
/// the point's right. The (area, session) pairs whose label moves.
fn labels_beside<'a>(r: &'a Report, f: &Frame) -> Vec<(&'a str, &'a str)> {
    let mut at_x: Vec<(usize, f64, &str, &str)> = r
        .areas
        .iter()
        .flat_map(|a| {
            a.points.iter().map(move |p| {
                (
                    f.idx(&p.session),
                    f.y(p.score),
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
    beside
}

/// One area's line, its points and their labels.
fn trend_series(
    a: &crate::review::report::AreaTrend,
    f: &Frame,
    beside: &[(&str, &str)],
    s: &mut String,
) {
    let c = color(&a.area);
    let pts: Vec<String> = a
        .points
        .iter()
        .map(|p| format!("{:.1},{:.1}", f.x(f.idx(&p.session)), f.y(p.score)))
        .collect();
    let _ = writeln!(
        s,
        "<g class=\"series\" id=\"series-{}\" data-area=\"{}\"><polyline stroke=\"{c}\" points=\"{}\"/>",
        e(&a.area),
        e(&a.area),
        pts.join(" ")
    );
    for p in &a.points {
        let (cx, cy) = (f.x(f.idx(&p.session)), f.y(p.score));
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

/// Mastery by area (columns) and concept (rows, weakest first).
pub fn heatmap(r: &Report, s: &mut String) {
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

/// Questions coming due per day, and the schedule as a table.
pub fn schedule(r: &Report, s: &mut String) {
    due_bars(r, s);
    if r.schedule.is_empty() {
        s.push_str("<p class=\"muted\">Nothing scheduled yet.</p>\n");
        return;
    }
    s.push_str(
        "<table class=\"due\"><thead><tr><th>question</th><th>due</th><th>last</th>\
         <th>missed last time</th></tr></thead><tbody>\n",
    );
    for d in &r.schedule {
        due_row(d, s);
    }
    s.push_str("</tbody></table>\n");
}

/// Bars: how many questions come due now, on each of the next days, and later.
fn due_bars(r: &Report, s: &mut String) {
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
}

/// One row of the due table.
fn due_row(d: &crate::review::report::DueItem, s: &mut String) {
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
