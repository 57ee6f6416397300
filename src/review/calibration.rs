//! `viva calibrate`'s report as data: a grader's agreement with the grades of a labelled set (over (set grade,
//! grader score) pairs), per label, over repeated runs, under both verdict policies, and what a model grader
//! cost. The JSON form is a contract: every struct lists its fields in alphabetical order, as the report always
//! printed them, and the figures the JSON rounds are rounded to 3 decimals.

use crate::grade::baseline::Baselines;
use crate::grade::offline::Signals;
use crate::grade::stats;
use serde::{Serialize, Serializer};

/// One graded item of a calibration run.
#[derive(Debug, Clone)]
pub struct GradedItem {
    /// The item's label (kind of answer).
    pub label: String,
    /// The set's grade, 0-100.
    pub human: f64,
    /// The grader's score.
    pub score: u32,
    /// The score before calibration (verdict points minus penalties).
    pub raw: u32,
    /// Question id.
    pub question: String,
    /// The grade's flags.
    pub flags: Vec<String>,
    /// What the offline grader measured (offline grades only).
    pub signals: Option<SignalFigures>,
    /// Scores of repeated runs (the first is `score`).
    pub runs: Vec<u32>,
    /// Model grades: what the call cost.
    pub audit: Option<ModelAudit>,
    /// The grade fell back from a failing grader.
    pub degraded: bool,
    /// Model grades: (this grade used the second opinion, the score under the other verdict policy).
    pub policy: Option<(bool, u32)>,
}

/// What one model grade cost.
#[derive(Debug, Clone, Copy)]
pub struct ModelAudit {
    /// Criteria downgraded for evidence the answer does not hold.
    pub invented_evidence: u32,
    /// Prompt and completion tokens.
    pub tokens: u32,
    /// Latency of the call, in milliseconds.
    pub latency_ms: u64,
}

/// What the offline grader measured on one answer (see [`Signals`]).
#[derive(Debug, Clone, Serialize)]
pub struct SignalFigures {
    buzzwords: usize,
    claim_density: f64,
    content_words: usize,
    domain_overlap: f64,
    echo: f64,
    misconceptions: usize,
    new_terms: usize,
    non_prose: f64,
    notation: bool,
    on_topic: bool,
    question_overlap: f64,
    raw: u32,
    rejected_criteria: usize,
    technical_terms: usize,
    topic_other: f64,
    topic_own: f64,
}

impl SignalFigures {
    /// The signals of an answer whose grade found `misconceptions` misconceptions, shares rounded.
    pub fn new(s: &Signals, misconceptions: usize) -> SignalFigures {
        SignalFigures {
            buzzwords: s.buzz,
            claim_density: round3(s.claims),
            content_words: s.content,
            domain_overlap: round3(s.domain),
            echo: round3(s.echo.0),
            misconceptions,
            new_terms: s.echo.1,
            non_prose: round3(s.non_prose),
            notation: s.notation,
            on_topic: s.on_topic(),
            question_overlap: round3(s.overlap),
            raw: s.raw,
            rejected_criteria: s.rejected,
            technical_terms: s.technical,
            topic_other: round3(s.topic.1),
            topic_own: round3(s.topic.0),
        }
    }
}

/// An item as the report lists it: the model's costs only for model grades, `runs` only when repeated.
#[derive(Serialize)]
struct ItemJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    degraded: Option<bool>,
    flags: &'a [String],
    human: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    invented_evidence: Option<u32>,
    label: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    latency_ms: Option<u64>,
    question: &'a str,
    raw: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    runs: Option<&'a [u32]>,
    score: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    signals: Option<&'a SignalFigures>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tokens: Option<u32>,
}

impl Serialize for GradedItem {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ItemJson {
            degraded: self.audit.map(|_| self.degraded),
            flags: &self.flags,
            human: self.human,
            invented_evidence: self.audit.map(|a| a.invented_evidence),
            label: &self.label,
            latency_ms: self.audit.map(|a| a.latency_ms),
            question: &self.question,
            raw: self.raw,
            runs: (self.runs.len() > 1).then_some(self.runs.as_slice()),
            score: self.score,
            signals: self.signals.as_ref(),
            tokens: self.audit.map(|a| a.tokens),
        }
        .serialize(s)
    }
}

/// The grader on the items of one label.
#[derive(Debug, Clone, Serialize)]
pub struct LabelRow {
    /// Highest score.
    pub grader_max: u32,
    /// Mean score.
    pub grader_mean: f64,
    /// Lowest score.
    pub grader_min: u32,
    /// Mean set grade.
    pub human_mean: f64,
    /// The label.
    pub label: String,
    /// Items with this label.
    pub n: usize,
}

/// How much repeated runs of the grader on the same answers disagree.
#[derive(Debug, Clone, Serialize)]
pub struct RerunSpread {
    /// Answers whose score changed between runs.
    pub answers_changed: usize,
    /// The largest spread (highest minus lowest score of one answer), in points.
    pub max_spread: u32,
    /// The mean spread, rounded.
    pub mean_spread: f64,
    /// Runs per answer.
    pub runs: usize,
}

/// Agreement with the set under one verdict policy, rounded.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyAgreement {
    /// Mean absolute error.
    pub mae: f64,
    /// Quadratic-weighted kappa (10-point bins).
    pub qwk: f64,
    /// Spearman rank correlation.
    pub spearman: f64,
}

/// Both verdict policies from the same model outputs: the model's verified verdict standing alone, and averaged
/// with the offline grader's (second opinion).
#[derive(Debug, Clone, Serialize)]
pub struct Policies {
    /// The model's verdict stands.
    pub model_stands: PolicyAgreement,
    /// Averaged with the offline grader.
    pub second_opinion: PolicyAgreement,
    /// The policy the grades used: "model_stands" or "second_opinion".
    pub used: &'static str,
}

/// What a model grader did over the set.
#[derive(Debug, Clone, Serialize)]
pub struct ModelFigures {
    /// Degraded grades (the model failed; the offline grade was given).
    pub degraded: usize,
    /// Scores of the injection answers.
    pub injection_scores: Vec<u32>,
    /// Invented-evidence downgrades.
    pub invented_evidence: u32,
    /// Mean latency per grade.
    pub mean_latency_ms: u64,
    /// Tokens used.
    pub tokens: u64,
}

/// The calibration report. `spearman`, `pearson`, `qwk`, `mae` and the baselines are kept exact and rounded in the
/// JSON only.
#[derive(Debug, Clone, Serialize)]
pub struct CalibrationReport {
    /// The naive baselines on the same set.
    #[serde(serialize_with = "rounded_baselines")]
    pub baselines: Baselines,
    /// The grader's name.
    pub grader: String,
    /// Every item, in the set's order.
    pub items: Vec<GradedItem>,
    /// Mean absolute error.
    #[serde(serialize_with = "rounded")]
    pub mae: f64,
    /// Model graders only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelFigures>,
    /// Items.
    pub n: usize,
    /// Pearson correlation.
    #[serde(serialize_with = "rounded")]
    pub pearson: f64,
    /// Per label, labels sorted.
    pub per_label: Vec<LabelRow>,
    /// Model graders that report both verdict policies only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policies: Option<Policies>,
    /// Quadratic-weighted kappa (10-point bins).
    #[serde(serialize_with = "rounded")]
    pub qwk: f64,
    /// With repeated runs only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reruns: Option<RerunSpread>,
    /// Sentences were matched by meaning.
    pub semantic: bool,
    /// The set file.
    pub set: String,
    /// Spearman rank correlation.
    #[serde(serialize_with = "rounded")]
    pub spearman: f64,
}

impl CalibrationReport {
    /// The report on `items` graded `reruns` times each, beside the `baselines` on the same set.
    pub fn new(
        set: String,
        grader: String,
        semantic: bool,
        items: Vec<GradedItem>,
        reruns: usize,
        baselines: Baselines,
    ) -> CalibrationReport {
        let human: Vec<f64> = items.iter().map(|r| r.human).collect();
        let ours: Vec<f64> = items.iter().map(|r| r.score as f64).collect();
        CalibrationReport {
            baselines,
            grader,
            mae: stats::mae(&human, &ours),
            model: model_figures(&items),
            n: items.len(),
            pearson: stats::pearson(&human, &ours),
            per_label: per_label(&items),
            policies: policies(&items, &human),
            qwk: stats::qwk(&human, &ours),
            reruns: (reruns > 1).then(|| rerun_spread(&items, reruns)),
            semantic,
            set,
            spearman: stats::spearman(&human, &ours),
            items,
        }
    }
}

/// One row per label, labels sorted.
fn per_label(items: &[GradedItem]) -> Vec<LabelRow> {
    let mut labels: Vec<&String> = items.iter().map(|r| &r.label).collect();
    labels.sort();
    labels.dedup();
    labels
        .into_iter()
        .map(|l| {
            let rs: Vec<&GradedItem> = items.iter().filter(|r| &r.label == l).collect();
            let n = rs.len() as f64;
            LabelRow {
                grader_max: rs.iter().map(|r| r.score).max().unwrap_or(0),
                grader_mean: rs.iter().map(|r| r.score as f64).sum::<f64>() / n,
                grader_min: rs.iter().map(|r| r.score).min().unwrap_or(0),
                human_mean: rs.iter().map(|r| r.human).sum::<f64>() / n,
                label: l.clone(),
                n: rs.len(),
            }
        })
        .collect()
}

/// Spread of repeated runs: per answer, the highest minus the lowest score over the runs.
fn rerun_spread(items: &[GradedItem], runs: usize) -> RerunSpread {
    let spreads: Vec<u32> = items
        .iter()
        .map(|r| r.runs.iter().max().unwrap_or(&0) - r.runs.iter().min().unwrap_or(&0))
        .collect();
    RerunSpread {
        answers_changed: spreads.iter().filter(|&&d| d > 0).count(),
        max_spread: spreads.iter().max().copied().unwrap_or(0),
        mean_spread: round3(spreads.iter().sum::<u32>() as f64 / spreads.len() as f64),
        runs,
    }
}

/// Both verdict policies, when the grades report them. Answers the model never saw (injection, empty) score the
/// same under both.
fn policies(items: &[GradedItem], human: &[f64]) -> Option<Policies> {
    if !items.iter().any(|r| r.policy.is_some()) {
        return None;
    }
    let (mut stands, mut second) = (Vec::new(), Vec::new());
    for r in items {
        let (used_second, other) = r.policy.unwrap_or((false, r.score));
        let (a, b) = if used_second {
            (other, r.score)
        } else {
            (r.score, other)
        };
        stands.push(a as f64);
        second.push(b as f64);
    }
    let agreement = |v: &[f64]| PolicyAgreement {
        mae: round3(stats::mae(human, v)),
        qwk: round3(stats::qwk(human, v)),
        spearman: round3(stats::spearman(human, v)),
    };
    let used_second = items.iter().any(|r| r.policy.is_some_and(|p| p.0));
    Some(Policies {
        model_stands: agreement(&stands),
        second_opinion: agreement(&second),
        used: if used_second {
            "second_opinion"
        } else {
            "model_stands"
        },
    })
}

/// What the model did, when any item was graded by one.
fn model_figures(items: &[GradedItem]) -> Option<ModelFigures> {
    let audits: Vec<ModelAudit> = items.iter().filter_map(|r| r.audit).collect();
    if audits.is_empty() {
        return None;
    }
    Some(ModelFigures {
        degraded: items.iter().filter(|r| r.degraded).count(),
        injection_scores: items
            .iter()
            .filter(|r| r.label == "injection" || r.flags.iter().any(|f| f == "injection_attempt"))
            .map(|r| r.score)
            .collect(),
        invented_evidence: audits.iter().map(|a| a.invented_evidence).sum(),
        mean_latency_ms: audits.iter().map(|a| a.latency_ms).sum::<u64>() / audits.len() as u64,
        tokens: audits.iter().map(|a| a.tokens as u64).sum(),
    })
}

/// Rounded to 3 decimals, as the report gives its figures.
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn rounded<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(round3(*x))
}

/// The baselines with their figures rounded.
fn rounded_baselines<S: Serializer>(b: &Baselines, s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Rounded {
        #[serde(serialize_with = "rounded")]
        spearman: f64,
    }
    #[derive(Serialize)]
    struct Both {
        length: Rounded,
        tfidf_reference: Rounded,
    }
    Both {
        length: Rounded {
            spearman: b.length.spearman,
        },
        tfidf_reference: Rounded {
            spearman: b.tfidf_reference.spearman,
        },
    }
    .serialize(s)
}
