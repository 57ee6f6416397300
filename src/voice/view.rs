//! Showing delivery metrics: text under the feedback, and the JSON form.

use super::delivery::{assess, Band, Delivery};
use crate::output::{wrap, Style};
use serde_json::{json, Value};

fn mmss(secs: f64) -> String {
    let s = secs.round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

fn list(c: &[super::lexicon::Count]) -> String {
    c.iter()
        .take(6)
        .map(|c| format!("\"{}\" ×{}", c.phrase, c.n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The delivery block shown after the feedback.
pub fn delivery(d: &Delivery, st: Style, width: usize) -> String {
    let mut s = format!(
        "\n{} {}\n",
        st.bold("Delivery"),
        st.dim(&format!(
            "({} recorded, {} of speech, {} words)",
            mmss(d.duration_s),
            mmss(d.speech_s),
            d.words
        ))
    );
    for n in assess(d) {
        let mark = match n.band {
            Band::Good => st.good("✓"),
            Band::Watch => st.warn("~"),
            Band::Poor => st.bad("!"),
        };
        let detail = match n.metric.as_str() {
            "fillers" if !d.fillers.is_empty() => format!(" — {}", list(&d.fillers)),
            "hedging" if !d.hedges.is_empty() => format!(" — {}", list(&d.hedges)),
            "pauses" if !d.pauses.is_empty() => format!(
                " — at {}",
                d.pauses
                    .iter()
                    .map(|p| format!("{} ({:.1} s)", mmss(p.at_s), p.len_s))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => String::new(),
        };
        let body = wrap(
            &format!("{}{}: {}", n.value, detail, n.advice),
            width,
            &" ".repeat(13),
        );
        s.push_str(&format!("  {mark} {:<8} {}\n", n.metric, body.trim_start()));
    }
    s.trim_end().to_string()
}

/// The JSON form: the stored metrics plus each metric's band.
pub fn delivery_json(d: &Delivery) -> Value {
    let mut v = serde_json::to_value(d).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("filler_count".into(), json!(d.filler_count()));
        m.insert("hedge_count".into(), json!(d.hedge_count()));
        m.insert("long_pauses".into(), json!(d.pauses.len()));
        m.insert(
            "assessment".into(),
            serde_json::to_value(assess(d)).unwrap_or(Value::Null),
        );
    }
    v
}

/// One line for replays and exports: "spoken · audio/….wav · 2:05 · 142 wpm · 3 fillers · 1 long pause · 2 hedges".
pub fn one_line(v: &super::SpokenMeta) -> String {
    let d = &v.delivery;
    format!(
        "spoken · {} · {} · {:.0} wpm · {} filler(s) · {} long pause(s) · {} hedge(s)",
        v.audio,
        mmss(d.duration_s),
        d.wpm,
        d.filler_count(),
        d.pauses.len(),
        d.hedge_count()
    )
}
