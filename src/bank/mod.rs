//! The question bank: the compiled questions and the loaders that read, validate (with file and line) and
//! compile the rubric files. Where the files come from is in `files`, the rules a question file must follow
//! in `compile`, its on-disk shape in [`spec`].

mod compile;
mod files;
pub mod lazy;
pub mod spec;

pub use compile::{
    is_kebab, MAX_PENALTY, MAX_RESTATEMENTS, MAX_RESTATEMENT_WORDS, MAX_WEIGHT,
    MIN_REFERENCE_WORDS, MIN_RESTATEMENT_WORDS,
};
pub use files::{line_of, source_text};

use crate::text::normalize::Lexicon;
use crate::text::pattern::Pattern;
use compile::compile_question;
use files::{collect_dir, collect_embedded, peek_id, replace_lexicons, toml_issue, RawFile};
use spec::{CriterionSpec, LexiconFile, MisconceptionSpec, QuestionSpec, AREAS};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// A problem found while loading the bank, located in a file.
#[derive(Debug, Clone, PartialEq)]
pub struct BankIssue {
    /// File (relative to the bank root, or the path given).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub msg: String,
}

impl std::fmt::Display for BankIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.msg)
    }
}

/// Loading failed; every issue found is listed.
#[derive(Debug, thiserror::Error)]
pub enum BankError {
    /// One or more files are invalid.
    #[error("{}", .0.iter().map(|i| i.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<BankIssue>),
    /// The directory could not be read.
    #[error("cannot read bank directory {0}: {1}")]
    Io(String, std::io::Error),
}

/// A compiled criterion.
#[derive(Debug, Clone)]
pub struct Criterion {
    /// As written.
    pub spec: CriterionSpec,
    /// Compiled full-credit patterns.
    pub patterns: Vec<Pattern>,
    /// Compiled partial-credit patterns.
    pub partial: Vec<Pattern>,
    /// Whether it asks for specifics (see [`Criterion::asks_specifics`]), worked out on first use: the bank
    /// outline that starts an interview never needs it.
    asks_specifics: std::sync::OnceLock<bool>,
    /// The statement's tokens, analysed with the bank's lexicon on first use (feedback compares them with the
    /// answer's words).
    statement_tokens: std::sync::OnceLock<Vec<crate::text::normalize::Token>>,
}

impl Criterion {
    /// A criterion from its spec and compiled patterns.
    pub fn new(spec: CriterionSpec, patterns: Vec<Pattern>, partial: Vec<Pattern>) -> Criterion {
        Criterion {
            spec,
            patterns,
            partial,
            asks_specifics: std::sync::OnceLock::new(),
            statement_tokens: std::sync::OnceLock::new(),
        }
    }

    /// Whether it asks for specifics, for the top of the scale: it `needs` them, or its statement gives a figure
    /// or a formula.
    pub fn asks_specifics(&self) -> bool {
        *self.asks_specifics.get_or_init(|| {
            self.spec.needs.is_some() || crate::grade::offline::states_figure(&self.spec.statement)
        })
    }

    /// The statement's tokens under `lex` (the bank's lexicon: one per bank, so the first analysis stands).
    pub fn statement_tokens(
        &self,
        lex: &crate::text::normalize::Lexicon,
    ) -> &[crate::text::normalize::Token] {
        self.statement_tokens
            .get_or_init(|| crate::text::normalize::tokenize_with(&self.spec.statement, lex))
    }
}

/// A compiled misconception.
#[derive(Debug, Clone)]
pub struct Misconception {
    /// As written.
    pub spec: MisconceptionSpec,
    /// Compiled patterns.
    pub patterns: Vec<Pattern>,
}

/// A compiled ladder rung.
#[derive(Debug, Clone)]
pub struct Rung {
    /// Stage tag.
    pub stage: String,
    /// Follow-up question.
    pub question: String,
    /// Constraint numbers it introduces.
    pub constraints: Vec<String>,
    /// Criteria.
    pub criteria: Vec<Criterion>,
    /// Misconceptions.
    pub misconceptions: Vec<Misconception>,
}

/// A compiled question.
#[derive(Debug, Clone)]
pub struct Question {
    /// As written.
    pub spec: QuestionSpec,
    /// Main criteria.
    pub criteria: Vec<Criterion>,
    /// Main misconceptions.
    pub misconceptions: Vec<Misconception>,
    /// Ladder.
    pub ladder: Vec<Rung>,
    /// Where it came from.
    pub source: String,
    /// Line of `reference =` in the source (for problems found after loading, e.g. by `viva bank check`).
    pub reference_line: usize,
}

impl Question {
    /// The id.
    pub fn id(&self) -> &str {
        &self.spec.id
    }
    /// Criteria and misconceptions for a target: `None` is the main question, `Some(i)` rung i.
    pub fn target(&self, rung: Option<usize>) -> (&[Criterion], &[Misconception]) {
        match rung.and_then(|i| self.ladder.get(i)) {
            Some(r) => (&r.criteria, &r.misconceptions),
            None => (&self.criteria, &self.misconceptions),
        }
    }
    /// The ladder rung named by a stage ("constraints") or a 1-based number ("3"); the error names the stages.
    pub fn rung_index(&self, which: &str) -> Result<usize, String> {
        let which = which.trim();
        let stages: Vec<String> = self
            .ladder
            .iter()
            .enumerate()
            .map(|(i, r)| format!("{} ({})", r.stage, i + 1))
            .collect();
        let found = match which.parse::<usize>() {
            Ok(n) if n >= 1 && n <= self.ladder.len() => Some(n - 1),
            Ok(_) => None,
            Err(_) => self.ladder.iter().position(|r| r.stage == which),
        };
        found.ok_or_else(|| {
            if stages.is_empty() {
                return format!(
                    "question '{}' has no follow-up '{which}': it has no follow-up ladder",
                    self.spec.id
                );
            }
            format!(
                "question '{}' has no follow-up '{which}'; its ladder: {}",
                self.spec.id,
                stages.join(", ")
            )
        })
    }

    /// Every criterion of the question: main, then each rung's.
    pub fn all_criteria(&self) -> impl Iterator<Item = &Criterion> {
        self.criteria
            .iter()
            .chain(self.ladder.iter().flat_map(|r| r.criteria.iter()))
    }
}

/// The whole bank.
#[derive(Debug, Clone)]
pub struct Bank {
    /// Questions, by area order then id.
    pub questions: Vec<Question>,
    /// Merged lexicon.
    pub lexicon: Lexicon,
}

/// The lowest offline score a reference answer may get (`viva bank check`).
pub const MIN_REFERENCE_SCORE: u32 = 85;

impl Bank {
    /// The bank built into the binary.
    pub fn embedded() -> Result<Bank, BankError> {
        let (q, l) = collect_embedded();
        Bank::from_raw(q, l)
    }

    /// The embedded bank, overridden and extended by the questions in `dir` (same id replaces).
    pub fn with_overrides(dir: &Path) -> Result<Bank, BankError> {
        let (mut q, mut l) = collect_embedded();
        let (dq, dl, read_issues) = collect_dir(dir)?;
        let ids: HashSet<String> = dq.iter().filter_map(|(_, t)| peek_id(t)).collect();
        q.retain(|(_, t)| peek_id(t).map(|id| !ids.contains(&id)).unwrap_or(true));
        q.extend(dq);
        replace_lexicons(&mut l, dl);
        Bank::from_raw_with(q, l, read_issues)
    }

    /// Only the files in `dir` (plus the embedded lexicons): what `viva bank check DIR` validates.
    pub fn from_dir_only(dir: &Path) -> Result<Bank, BankError> {
        let (q, dl, read_issues) = collect_dir(dir)?;
        let (_, mut l) = collect_embedded();
        replace_lexicons(&mut l, dl);
        Bank::from_raw_with(q, l, read_issues)
    }

    /// Validate question files given as (display path, text), with the embedded lexicons: `bank check` without
    /// a directory (the fuzz tests feed it mangled rubrics).
    pub fn from_texts(files: Vec<(String, String)>) -> Result<Bank, BankError> {
        let (_, l) = collect_embedded();
        Bank::from_raw(files, l)
    }

    fn from_raw(qfiles: Vec<RawFile>, lfiles: Vec<RawFile>) -> Result<Bank, BankError> {
        Bank::from_raw_with(qfiles, lfiles, Vec::new())
    }

    /// Parse and validate; `issues` holds problems already found reading the files.
    fn from_raw_with(
        qfiles: Vec<RawFile>,
        lfiles: Vec<RawFile>,
        mut issues: Vec<BankIssue>,
    ) -> Result<Bank, BankError> {
        let lexicon = parse_lexicons(&lfiles, &mut issues);
        let mut questions = Vec::new();
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for (path, text) in &qfiles {
            let spec = match toml::from_str::<QuestionSpec>(text) {
                Ok(spec) => spec,
                Err(e) => {
                    issues.push(toml_issue(path, text, &e));
                    continue;
                }
            };
            let mut errs = Vec::new();
            if let Some(prev) = seen.get(&spec.id) {
                errs.push((
                    line_of(text, "id", 1, 1),
                    format!("duplicate question id '{}' (also in {prev})", spec.id),
                ));
            }
            seen.insert(spec.id.clone(), path.clone());
            match compile_question(spec, path, text, &lexicon, &mut errs) {
                Some(q) if errs.is_empty() => questions.push(q),
                _ => {}
            }
            for (line, msg) in errs {
                issues.push(BankIssue {
                    file: path.clone(),
                    line,
                    msg,
                });
            }
        }
        if !issues.is_empty() {
            return Err(BankError::Invalid(issues));
        }
        sort_by_area(&mut questions);
        Ok(Bank { questions, lexicon })
    }

    /// The areas of the bank's questions: the six built-in areas first, in display order, then any others by name.
    pub fn areas(&self) -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for q in &self.questions {
            if !v.contains(&q.spec.area) {
                v.push(q.spec.area.clone());
            }
        }
        v
    }

    /// Find a question by exact id.
    pub fn get(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.spec.id == id)
    }

    /// A clear error for an unknown id, with the closest known ids.
    pub fn unknown_id_message(&self, id: &str) -> String {
        let mut near: Vec<&str> = self
            .questions
            .iter()
            .map(|q| q.id())
            .filter(|q| id.split('-').filter(|p| p.len() > 2).any(|p| q.contains(p)))
            .take(3)
            .collect();
        near.sort();
        if near.is_empty() {
            format!("unknown question id '{id}' (see `viva bank list`)")
        } else {
            format!(
                "unknown question id '{id}'; did you mean {}?",
                near.join(", ")
            )
        }
    }
}

/// The lexicon merged from the lexicon files; a file that does not parse, or a key that is not one word, is a
/// problem added to `issues`.
fn parse_lexicons(lfiles: &[RawFile], issues: &mut Vec<BankIssue>) -> Lexicon {
    let mut entries: Vec<(String, Vec<String>)> = Vec::new();
    for (path, text) in lfiles {
        match toml::from_str::<LexiconFile>(text) {
            Ok(lf) => {
                for (k, v) in lf.synonyms {
                    if k.split_whitespace().count() != 1 || k.is_empty() {
                        issues.push(BankIssue {
                            file: path.clone(),
                            line: line_of(text, &k, 1, 1),
                            msg: format!("lexicon key '{k}' must be a single word"),
                        });
                    }
                    entries.push((k, v));
                }
            }
            Err(e) => issues.push(toml_issue(path, text, &e)),
        }
    }
    Lexicon::new(&entries)
}

/// Questions in display order: by area (the built-in areas in their order, then any other), then by id.
fn sort_by_area(questions: &mut [Question]) {
    let area_pos = |a: &str| AREAS.iter().position(|(id, _)| *id == a).unwrap_or(99);
    questions.sort_by(|a, b| {
        (area_pos(&a.spec.area), &a.spec.id).cmp(&(area_pos(&b.spec.area), &b.spec.id))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_bank_is_valid() {
        let b = Bank::embedded().expect("embedded bank must validate");
        assert!(b.get("cv-detection-anchor-boxes").is_some());
    }

    #[test]
    fn toml_errors_name_the_line() {
        let q = vec![(
            "x/bad.toml".to_string(),
            "id = \"bad\"\narea = \"detection\"\ntitle = 3\n".to_string(),
        )];
        let err = Bank::from_raw(q, vec![]).unwrap_err().to_string();
        assert!(err.starts_with("x/bad.toml:3:"), "{err}");
    }

    #[test]
    fn semantic_errors_are_collected_with_lines() {
        let src = include_str!("../../rubrics/detection/cv-detection-anchor-boxes.toml").replacen(
            "weight = 25",
            "weight = 0",
            1,
        );
        let q = vec![("d/cv-detection-anchor-boxes.toml".to_string(), src.clone())];
        let err = Bank::from_raw(q, vec![]).unwrap_err().to_string();
        let want = src.lines().position(|l| l == "weight = 0").unwrap() + 1;
        assert!(
            err.contains(&format!(
                ":{want}: criterion 'dense-anchors': weight must be > 0"
            )),
            "{err}"
        );
    }
}
