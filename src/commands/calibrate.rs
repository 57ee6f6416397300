//! `viva calibrate`: grade a labelled set (every answer `--reruns` times, `--concurrency` answers at once) and
//! print the grader's agreement with the set's grades, beside naive baselines, as text or JSON. The figures are
//! computed in [`crate::review::calibration`].

use super::grade::read_input;
use crate::bank::{Bank, Question};
use crate::cli::CalibrateArgs;
use crate::grade::{baseline, compute_score, offline, Grade};
use crate::llm::Grader;
use crate::output::{json, outln, Style};
use crate::review::calibration::{CalibrationReport, GradedItem, ModelAudit, SignalFigures};
use anyhow::{bail, Result};
use std::io::IsTerminal;

/// One labelled item of a calibration set.
#[derive(Debug, serde::Deserialize)]
pub struct LabelledAnswer {
    /// Question id.
    pub question: String,
    /// Kind of answer.
    #[serde(default)]
    pub label: String,
    /// Human grade 0-100.
    pub human: f64,
    /// The answer.
    pub answer: String,
}

/// `viva calibrate`: the grader's agreement with human grades on a labelled set, beside naive baselines.
pub fn calibrate(a: &CalibrateArgs, bank: &Bank, grader: &Grader, style: Style) -> Result<()> {
    let text = read_input(&a.set)?;
    let items: Vec<LabelledAnswer> = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}:{}: {}", a.set.display(), e.line(), e))?;
    if items.is_empty() {
        bail!("{} holds no items", a.set.display());
    }
    let reruns = a.reruns.max(1) as usize;
    let mut qs = Vec::with_capacity(items.len());
    for (i, it) in items.iter().enumerate() {
        qs.push(bank.get(&it.question).ok_or_else(|| {
            anyhow::anyhow!(
                "{} item {}: {}",
                a.set.display(),
                i + 1,
                bank.unknown_id_message(&it.question)
            )
        })?);
    }
    let graded = grade_all(&items, &qs, bank, grader, reruns, a.concurrency)?;
    let human: Vec<f64> = items.iter().map(|it| it.human).collect();
    let pairs: Vec<(&str, &str)> = items
        .iter()
        .map(|it| (it.question.as_str(), it.answer.as_str()))
        .collect();
    let report = CalibrationReport::new(
        a.set.display().to_string(),
        grader.name(),
        crate::grade::semantic::enabled(),
        graded,
        reruns,
        baseline::baselines(bank, &pairs, &human),
    );
    if a.json {
        json(&report);
    } else {
        print_text(&report, style);
    }
    Ok(())
}

/// Grade every item: one task per answer, its first grade, then the reruns back to back (a model server can reuse
/// its prompt cache); `concurrency` answers at once, results in input order, a progress line on a terminal.
fn grade_all(
    items: &[LabelledAnswer],
    qs: &[&Question],
    bank: &Bank,
    grader: &Grader,
    reruns: usize,
    concurrency: u64,
) -> Result<Vec<GradedItem>> {
    let rt = crate::runtime()?;
    let progress = std::io::stderr().is_terminal() && !matches!(grader, Grader::Offline);
    let total = items.len();
    Ok(rt.block_on(async {
        use futures::StreamExt;
        let mut done = 0usize;
        let mut out = Vec::with_capacity(total);
        let mut s = futures::stream::iter(items.iter().zip(qs).map(|(it, q)| async move {
            let (g, signals) = grade_for_calibration(bank, grader, q, &it.answer).await;
            let mut runs = vec![g.score];
            for _ in 1..reruns {
                runs.push(grader.grade_quiet(bank, q, None, &it.answer).await.score);
            }
            graded_item(it, &g, signals, runs)
        }))
        .buffered(concurrency.max(1) as usize);
        while let Some(r) = s.next().await {
            out.push(r);
            done += 1;
            if progress {
                eprint!("\r\x1b[2Kgrading {done}/{total}");
            }
        }
        if progress {
            eprint!("\r\x1b[2K");
        }
        out
    }))
}

/// Grade one answer; the offline grader also reports what it measured.
async fn grade_for_calibration(
    bank: &Bank,
    grader: &Grader,
    q: &Question,
    answer: &str,
) -> (Grade, Option<SignalFigures>) {
    if matches!(grader, Grader::Offline) {
        let (g, s) = offline::grade_with_signals(bank, q, None, answer);
        let signals = SignalFigures::new(&s, g.misconceptions.len());
        (g, Some(signals))
    } else {
        (grader.grade_quiet(bank, q, None, answer).await, None)
    }
}

/// A labelled item with its grade `g` (and the scores of its `runs`).
fn graded_item(
    it: &LabelledAnswer,
    g: &Grade,
    signals: Option<SignalFigures>,
    runs: Vec<u32>,
) -> GradedItem {
    GradedItem {
        label: it.label.clone(),
        human: it.human,
        score: g.score,
        raw: compute_score(&g.criteria, &g.misconceptions),
        question: it.question.clone(),
        flags: g.flags.clone(),
        signals,
        runs,
        audit: g.llm.as_deref().map(|l| ModelAudit {
            invented_evidence: l.invented_evidence,
            tokens: l.prompt_tokens + l.completion_tokens,
            latency_ms: l.latency_ms,
        }),
        degraded: g.degraded,
        policy: g
            .llm
            .as_deref()
            .and_then(|l| Some((l.second_opinion?, l.other_policy_score?))),
    }
}

/// The report as text: the agreement table beside the baselines, the model's figures, the rerun spread, both
/// verdict policies, then one row per label.
fn print_text(r: &CalibrationReport, style: Style) {
    print_agreement(r, style);
    if let Some(m) = &r.model {
        outln(&format!(
            "  Model: {} invented-evidence downgrade(s), {} degraded grade(s), {} tokens, {:.1} s per grade",
            m.invented_evidence,
            m.degraded,
            m.tokens,
            m.mean_latency_ms as f64 / 1000.0
        ));
        outln(&format!(
            "  Injection answers scored: {}",
            serde_json::to_string(&m.injection_scores).unwrap_or_default()
        ));
    }
    if let Some(s) = &r.reruns {
        outln(&format!(
            "  Rerun spread over {} runs: mean {:.2}, max {} points; {} of {} answers changed",
            s.runs,
            finite_or_zero(s.mean_spread),
            s.max_spread,
            s.answers_changed,
            r.items.len()
        ));
    }
    if let Some(p) = &r.policies {
        for (key, name, a) in [
            (
                "model_stands",
                "model's verified verdict stands",
                &p.model_stands,
            ),
            (
                "second_opinion",
                "averaged with the offline grader",
                &p.second_opinion,
            ),
        ] {
            let used = if p.used == key { " (used)" } else { "" };
            outln(&format!(
                "  Policy {name:<34} Spearman {:.3}, QWK {:.3}, MAE {:.1}{used}",
                finite_or_zero(a.spearman),
                finite_or_zero(a.qwk),
                finite_or_zero(a.mae),
            ));
        }
    }
    print_per_label(r, style);
}

/// The heading and the grader's agreement with the set beside the baselines'.
fn print_agreement(r: &CalibrationReport, style: Style) {
    outln(&style.bold(&format!(
        "Calibration of the {} grader on {} ({} answers; semantic: {})",
        r.grader, r.set, r.n, r.semantic
    )));
    outln(&style.bold("                      grader   length   tf-idf"));
    outln(&format!(
        "  Spearman            {:>6.3}   {:>6.3}   {:>6.3}",
        r.spearman, r.baselines.length.spearman, r.baselines.tfidf_reference.spearman
    ));
    outln(&format!(
        "  Pearson             {:>6.3}        -        -",
        r.pearson
    ));
    outln(&format!(
        "  QWK (10-pt bins)    {:>6.3}        -        -",
        r.qwk
    ));
    outln(&format!(
        "  Mean abs. error     {:>6.1}        -        -",
        r.mae
    ));
    outln(&style.dim(
        "  (length: word count alone; tf-idf: cosine to the reference answer, IDF over the bank's references)",
    ));
}

/// One row per label: how many, the set's mean grade, the grader's mean and range.
fn print_per_label(r: &CalibrationReport, style: Style) {
    outln(&style.bold("  label               n     set  grader   spread"));
    for p in &r.per_label {
        outln(&format!(
            "  {:<18} {:>2}  {:>6.1}  {:>6.1}  {:>3}-{:<3}",
            p.label,
            p.n,
            finite_or_zero(p.human_mean),
            finite_or_zero(p.grader_mean),
            p.grader_min,
            p.grader_max
        ));
    }
    outln("  (set: the mean grade the set file gives; human or model-rater grades, as the set's own notes say)");
}

/// A figure as the JSON gives it: a non-finite one is `null` there, and the text has always shown 0 for it.
fn finite_or_zero(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        0.0
    }
}
