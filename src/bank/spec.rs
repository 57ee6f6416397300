//! The on-disk (TOML) shape of a question file.

use serde::{Deserialize, Serialize};

/// The six interview areas, in display order.
pub const AREAS: &[(&str, &str)] = &[
    (
        "classification",
        "Image classification and CNN architectures",
    ),
    ("detection", "Object detection"),
    ("segmentation", "Image segmentation"),
    ("video", "Video understanding and temporal models"),
    ("multimodal", "Multimodal and vision-language models"),
    (
        "deployment",
        "Training, deployment and real-world CV systems",
    ),
];

/// Allowed difficulties, easiest first.
pub const DIFFICULTIES: &[&str] = &["easy", "medium", "hard"];

/// Ladder stages in the order an interviewer climbs them.
pub const STAGES: &[&str] = &[
    "theory",
    "implementation",
    "constraints",
    "failure_modes",
    "production",
];

/// A question file as written.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionSpec {
    /// Unique id; equals the file name.
    pub id: String,
    /// One of [`AREAS`].
    pub area: String,
    /// Short title.
    pub title: String,
    /// One of [`DIFFICULTIES`].
    pub difficulty: String,
    /// Company tags.
    #[serde(default)]
    pub companies: Vec<String>,
    /// Rubric version, stored with each grade.
    #[serde(default = "one")]
    pub version: u32,
    /// Question-level concept tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The question as asked.
    pub prompt: String,
    /// A strong answer in the bank's own words.
    pub reference: String,
    /// Weighted criteria for the main question.
    pub criteria: Vec<CriterionSpec>,
    /// Known wrong ideas and their penalties.
    #[serde(default)]
    pub misconceptions: Vec<MisconceptionSpec>,
    /// Follow-up rungs.
    #[serde(default)]
    pub ladder: Vec<RungSpec>,
    /// Multiple-choice readiness items.
    #[serde(default)]
    pub quiz: Vec<QuizItem>,
}

fn one() -> u32 {
    1
}

/// One weighted rubric criterion.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CriterionSpec {
    /// Unique within the question.
    pub id: String,
    /// Points when met (half when partial).
    pub weight: f64,
    /// What a strong answer claims.
    pub statement: String,
    /// The same claim in other words (plain words, another angle): matching by meaning compares answer sentences
    /// with the statement and each of these, so a candidate who avoids the rubric's terms is still understood.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restatements: Vec<String>,
    /// Concept tags for mastery tracking.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Concept patterns: any one (or `min_hits` distinct ones) means met. None: met only by meaning (a sentence
    /// that says the same as the statement; needs the embedding model).
    #[serde(default)]
    pub patterns: Vec<String>,
    /// Patterns that earn partial credit.
    #[serde(default)]
    pub partial: Vec<String>,
    /// Distinct patterns needed for met.
    #[serde(default)]
    pub min_hits: Option<usize>,
    /// Specifics the criterion requires beyond the idea: a number, a number with a unit, or worked arithmetic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs: Option<Needs>,
    /// A follow-up question that targets this criterion without giving the answer away.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<String>,
}

/// Specifics a criterion requires in the sentences that meet it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Needs {
    /// At least one number.
    Number,
    /// A number with a unit (ms, GB, FPS, %, x, …).
    Unit,
    /// Worked arithmetic: at least two numbers and an operation or a result computed from them.
    Arithmetic,
}

/// A misconception and its penalty.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MisconceptionSpec {
    /// Unique within the question.
    pub id: String,
    /// The wrong idea, in one line.
    pub statement: String,
    /// Patterns that detect it.
    pub patterns: Vec<String>,
    /// Points subtracted.
    pub penalty: f64,
    /// A question that makes the candidate test the claim (asked when an answer states it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
    /// Correct statements close to the patterns that must never trip this misconception (checked by `bank check`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub correct: Vec<String>,
    /// Sentences that state the wrong idea and must trip this misconception (checked by `bank check`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<String>,
}

/// One follow-up rung of the ladder.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RungSpec {
    /// One of [`STAGES`].
    pub stage: String,
    /// The follow-up question.
    pub question: String,
    /// Concrete constraints the rung introduces.
    #[serde(default)]
    pub constraints: Vec<String>,
    /// Criteria of this rung.
    #[serde(default)]
    pub criteria: Vec<CriterionSpec>,
    /// Misconceptions of this rung.
    #[serde(default)]
    pub misconceptions: Vec<MisconceptionSpec>,
}

/// A multiple-choice item.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct QuizItem {
    /// The question.
    pub question: String,
    /// Exactly four options.
    pub options: Vec<String>,
    /// 0-based index of the correct option.
    pub answer: usize,
    /// Why each option is right or wrong.
    pub explanations: Vec<String>,
}

/// A lexicon file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LexiconFile {
    /// canonical word -> variants.
    #[serde(default)]
    pub synonyms: std::collections::BTreeMap<String, Vec<String>>,
}
