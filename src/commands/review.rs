//! `viva due`, `viva report`, `viva compare`: thin shells over `review/` (the store in, text out).

use super::report_text::hang;
use crate::bank::Bank;
use crate::cli::{CompareArgs, DueArgs, ReportArgs};
use crate::output::{json, out, outln, wrap, Style};
use crate::review::{self, compare, report, schedule};
use crate::settings::Settings;
use crate::store::{fmt_id, Store};
use crate::UsageError;
use anyhow::{bail, Result};
use chrono::{DateTime, Utc};
use rand::Rng;

/// The bank for commands that read or order the review state: the embedded bank parsed but not compiled
/// (`crate::bank::lazy`), or a `--bank` directory loaded and validated in full.
pub fn load_outline(dir: Option<&std::path::Path>) -> Result<Bank> {
    match dir {
        Some(_) => crate::commands::bank::load(dir),
        None => crate::bank::lazy::outline().or_else(|_| crate::commands::bank::load(None)),
    }
}

/// The store opened read-only with its review views attached (caught up or rebuilt from the log as needed).
fn load_read_only(s: &Settings) -> Result<(Store, Bank)> {
    let bank = load_outline(s.bank.as_deref())?;
    let store = Store::open_read_only(&s.store)?;
    store.attach_views(&bank)?;
    Ok((store, bank))
}

/// What a command shows, read from the review views, or with `--from-log` computed from a full replay of the log
/// (which the views must always equal).
fn views_or_log<T>(
    store: &Store,
    bank: &Bank,
    from_log: bool,
    replayed: impl FnOnce(&review::History) -> T,
    view: impl Fn(&Store) -> std::result::Result<T, crate::store::StoreError>,
) -> Result<T> {
    if from_log {
        Ok(replayed(&review::history(&store.all_events()?)))
    } else {
        Ok(store.read_views(bank, view)?)
    }
}

/// The question order for a new session (due, weakest, then new); see [`schedule::priority`]. Reads the views
/// (attaching them when the caller has not).
pub fn priority<R: Rng>(store: &Store, bank: &Bank, rng: &mut R) -> Result<Vec<String>> {
    if store.views_meta().is_none() {
        store.attach_views(bank)?;
    }
    let (cards, m) = store.read_views(bank, |st| {
        Ok((st.view_cards(bank)?, st.view_concepts(bank)?))
    })?;
    Ok(schedule::priority(bank, &cards, &m, Utc::now(), rng))
}

fn day(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

fn short(id: &str) -> &str {
    &id[..id.len().min(10)]
}

fn score_text(score: u32, st: Style) -> String {
    let t = format!("{score}/100");
    match score {
        70.. => st.good(&t),
        40..=69 => st.warn(&t),
        _ => st.bad(&t),
    }
}

fn when(days: i64) -> String {
    match days {
        d if d < -1 => format!("{} days overdue", -d),
        -1 => "1 day overdue".into(),
        0 => "today".into(),
        1 => "tomorrow".into(),
        d => format!("in {d} days"),
    }
}

fn due_block(i: usize, d: &report::DueItem, st: Style, w: usize) -> String {
    let mut s = hang(
        &format!("{} ({}, {})", d.title, d.question, d.area),
        w,
        &format!("{}. ", i + 1),
        "   ",
    );
    s.push('\n');
    let last = if d.last_skipped {
        "skipped".to_string()
    } else {
        format!("last score {}", score_text(d.last_score, st))
    };
    s.push_str(&wrap(
        &format!(
            "due {} ({}) · {} ({}) on {} · session {}",
            day(d.due),
            when(d.due_in_days),
            last,
            d.last_rating,
            day(d.last_at),
            short(&d.last_session)
        ),
        w,
        "   ",
    ));
    s.push('\n');
    const SHOWN: usize = 4;
    for m in d.missed.iter().take(SHOWN) {
        let tag = match m.verdict {
            crate::grade::Verdict::Partial => "partly",
            _ => "missed",
        };
        s.push_str(&hang(
            &format!("{tag}: {} — {}", m.id, m.statement),
            w,
            "   ",
            "     ",
        ));
        s.push('\n');
    }
    if d.missed.len() > SHOWN {
        s.push_str(&st.dim(&format!(
            "   (+{} more: viva due --json)\n",
            d.missed.len() - SHOWN
        )));
    }
    s
}

/// `viva due`.
pub fn due(s: &Settings, a: &DueArgs, st: Style) -> Result<i32> {
    let (store, bank) = load_read_only(s)?;
    let now = a.as_of.unwrap_or_else(Utc::now);
    let cards = views_or_log(
        &store,
        &bank,
        a.from_log,
        |h| schedule::cards(h, &bank),
        |st| st.view_cards(&bank),
    )?;
    let picked: Vec<&schedule::CardState> = if a.all {
        cards.iter().collect()
    } else {
        schedule::due(&cards, now, a.within)
    };
    let items: Vec<report::DueItem> = picked.iter().map(|c| report::due_item(c, now)).collect();
    if a.json {
        json(&items);
        return Ok(0);
    }
    let w = crate::output::width();
    if cards.is_empty() {
        outln("Nothing on the schedule yet: answer a few questions first (viva).");
        return Ok(0);
    }
    if items.is_empty() {
        let next = &cards[0];
        outln(&wrap(
            &format!(
                "Nothing is due now. Next: {} on {} ({}, last score {}). See more with: viva due --within 7",
                next.title,
                day(next.card.due),
                when(next.due_in_days(now)),
                next.last_score
            ),
            w,
            "",
        ));
        return Ok(0);
    }
    let head = if a.all {
        format!("{} question(s) on the schedule", items.len())
    } else if a.within > 0 {
        format!("Due within {} day(s): {}", a.within, items.len())
    } else {
        format!("Due now: {}", items.len())
    };
    outln(&st.bold(&head));
    for (i, d) in items.iter().enumerate() {
        out(&due_block(i, d, st, w));
    }
    if !a.all {
        outln(&st.dim("Practise them first with: viva"));
    }
    Ok(0)
}

/// `viva report`.
pub fn report(s: &Settings, a: &ReportArgs, st: Style) -> Result<i32> {
    let (store, bank) = load_read_only(s)?;
    let now = a.as_of.unwrap_or_else(Utc::now);
    let parts = views_or_log(
        &store,
        &bank,
        a.from_log,
        |h| report::parts(h, &bank),
        |st| st.view_report_parts(&bank),
    )?;
    let r = report::assemble(parts, &bank, now, a.limit as usize);
    if a.json {
        json(&r);
        return Ok(0);
    }
    if let Some(path) = &a.html {
        let page = crate::html::report::page(&r);
        crate::output::write_file(path, page.as_bytes(), a.force)?;
        eprintln!("wrote the report to {}", path.display());
        return Ok(0);
    }
    out(&super::report_text::report(&r, st, crate::output::width()));
    Ok(0)
}

fn print_comparison(c: &compare::Comparison, st: Style, w: usize) {
    outln(&st.bold(&wrap(&format!("{} ({})", c.title, c.question), w, "")));
    outln(&wrap(
        &format!(
            "before: session {} · after: session {}",
            short(&c.before_session),
            short(&c.after_session)
        ),
        w,
        "  ",
    ));
    print_stages(c, st);
    let change = format!("{:+}", c.score_change);
    let change = if c.score_change > 0 {
        st.good(&change)
    } else if c.score_change < 0 {
        st.bad(&change)
    } else {
        change
    };
    outln(&format!(
        "  {} {} → {} ({change})",
        st.bold("Score:"),
        c.before_score,
        c.after_score
    ));
    print_criteria(c, st, w);
    for (label, items) in [
        ("Newly covered", &c.newly_covered),
        ("Still missed", &c.still_missed),
        ("Lost since last time", &c.lost),
    ] {
        if items.is_empty() {
            continue;
        }
        outln(&format!("  {}", st.bold(&format!("{label}:"))));
        for i in items {
            outln(&hang(i, w, "    - ", "      "));
        }
    }
}

/// The per-stage scores, before and after.
fn print_stages(c: &compare::Comparison, st: Style) {
    let sw = c
        .stages
        .iter()
        .map(|x| x.stage.len())
        .max()
        .unwrap_or(8)
        .max(5);
    outln(&st.dim(&format!(
        "  {:<sw$}  {:>6}  {:>6}  {:>6}",
        "stage", "before", "after", "change"
    )));
    let num = |x: Option<u32>| x.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
    for r in &c.stages {
        let ch = match (r.before, r.after) {
            (Some(b), Some(a)) => format!("{:+}", a as i64 - b as i64),
            _ => String::new(),
        };
        outln(&format!(
            "  {:<sw$}  {:>6}  {:>6}  {:>6}",
            r.stage.replace('_', " "),
            num(r.before),
            num(r.after),
            ch
        ));
    }
}

/// Each criterion's verdict, before and after.
fn print_criteria(c: &compare::Comparison, st: Style, w: usize) {
    let vname = |v: Option<crate::grade::Verdict>| match v {
        Some(crate::grade::Verdict::Met) => "met",
        Some(crate::grade::Verdict::Partial) => "partial",
        Some(crate::grade::Verdict::Missed) => "missed",
        None => "not asked",
    };
    let iw = c
        .criteria
        .iter()
        .map(|r| r.id.len())
        .max()
        .unwrap_or(10)
        .min(w.saturating_sub(28).max(10));
    for r in &c.criteria {
        let mark = match r.change {
            "newly covered" => st.good("+"),
            "lost" => st.bad("−"),
            "still missed" => st.bad("✗"),
            "kept" => st.good("✓"),
            _ => " ".into(),
        };
        let note = match r.change {
            "kept" => "",
            other => other,
        };
        outln(
            format!(
                "  {mark} {:<iw$} {:>9} → {:<9} {note}",
                r.id,
                vname(r.before),
                vname(r.after)
            )
            .trim_end(),
        );
    }
}

/// `viva compare`.
pub fn compare(s: &Settings, a: &CompareArgs, st: Style) -> Result<i32> {
    let (store, bank) = load_read_only(s)?;
    let comps = match &a.question {
        Some(q) => {
            // The last two attempts from the views, then only those two sessions from the log.
            let attempts = views_or_log(
                &store,
                &bank,
                a.from_log,
                |h| review::fold::records(h).1,
                |st| st.view_attempts(q),
            )?;
            let attempts: Vec<_> = attempts.iter().filter(|x| &x.question == q).collect();
            if bank.get(q).is_none() && attempts.is_empty() {
                bail!(bank.unknown_id_message(q));
            }
            let n = attempts.len();
            let h = match attempts.as_slice() {
                [.., b, af] => {
                    let mut evs = store.events(b.session)?;
                    if af.session != b.session {
                        evs.extend(store.events(af.session)?);
                    }
                    review::history(&evs)
                }
                _ => review::History::default(),
            };
            let Some((b, af)) = compare::last_two(&h, q) else {
                bail!("{q} has {n} stored attempt(s); compare needs two (practise it with: viva interview --question {q})");
            };
            vec![compare::compare(b, af, &bank)]
        }
        None => {
            if a.ids.len() != 2 {
                return Err(
                    UsageError("compare needs two session ids, or --question QID".into()).into(),
                );
            }
            let x = store.resolve(&a.ids[0])?;
            let y = store.resolve(&a.ids[1])?;
            if x == y {
                return Err(UsageError("compare needs two different sessions".into()).into());
            }
            // Attempts never span sessions: the two sessions' events are all a comparison needs.
            let mut evs = store.events(x)?;
            evs.extend(store.events(y)?);
            let v = compare::sessions(&review::history(&evs), x, y, &bank);
            if v.is_empty() {
                bail!(
                    "sessions {} and {} have no graded question in common",
                    fmt_id(x),
                    fmt_id(y)
                );
            }
            v
        }
    };
    if a.json {
        json(&comps);
        return Ok(0);
    }
    let w = crate::output::width();
    for (i, c) in comps.iter().enumerate() {
        if i > 0 {
            outln("");
        }
        print_comparison(c, st, w);
    }
    Ok(0)
}
