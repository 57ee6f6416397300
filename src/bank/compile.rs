//! Validation and compilation of one question file: every rule `viva bank check` reports with its line, and the
//! concept patterns of its criteria and misconceptions compiled against the lexicon.

use super::files::line_of;
use super::spec::{CriterionSpec, MisconceptionSpec, QuestionSpec, QuizItem, RungSpec};
use super::spec::{DIFFICULTIES, STAGES};
use super::{Criterion, Misconception, Question, Rung};
use crate::text::normalize::Lexicon;
use crate::text::pattern::Pattern;
use std::collections::HashSet;
use std::path::Path;

/// Fewest words a reference answer may have (the shipped ones have 170 or more).
pub const MIN_REFERENCE_WORDS: usize = 40;

/// The most points one criterion can weigh (weights are relative: a question's criteria share 100 points).
pub const MAX_WEIGHT: f64 = 1000.0;
/// The most points one misconception can subtract (more could never matter: scores are clipped at 0).
pub const MAX_PENALTY: f64 = 100.0;
/// The most restatements a criterion may list (each costs one embedding per process).
pub const MAX_RESTATEMENTS: usize = 6;
/// Word bounds of a restatement: one claim, not a label and not a paragraph.
pub const MIN_RESTATEMENT_WORDS: usize = 4;
/// See [`MIN_RESTATEMENT_WORDS`].
pub const MAX_RESTATEMENT_WORDS: usize = 60;

/// Problems found in a file: (1-based line, message).
type Errs = Vec<(usize, String)>;

/// Whether `s` is a non-empty kebab-case name: lower-case letters, digits and single inner hyphens.
pub fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Validate and compile a parsed question file, adding every problem to `errs` (the question is usable only when
/// none was added).
pub(super) fn compile_question(
    spec: QuestionSpec,
    path: &str,
    text: &str,
    lex: &Lexicon,
    errs: &mut Errs,
) -> Option<Question> {
    let l = |field: &str| line_of(text, &format!("{field} ="), 1, 1);
    check_fields(&spec, path, text, errs);
    let mut cx = Compiler {
        text,
        lex,
        ids: HashSet::new(),
        errs,
    };
    let first_crit = line_of(text, "[[criteria]]", 1, 1);
    if !(1..=7).contains(&spec.criteria.len()) {
        cx.errs.push((
            first_crit,
            format!(
                "a question needs 1-7 criteria, found {}",
                spec.criteria.len()
            ),
        ));
    }
    let criteria = cx.criteria(&spec.criteria, first_crit);
    let misconceptions = cx.misconceptions(
        &spec.misconceptions,
        line_of(text, "[[misconceptions]]", 1, 1),
    );
    // A question either has a follow-up ladder of 3-4 rungs, or none at all (a short-answer question, as drafted
    // from a sample answer: the interviewer then only probes its gaps). The built-in bank always has one.
    if !spec.ladder.is_empty() && !(3..=4).contains(&spec.ladder.len()) {
        cx.errs.push((
            line_of(text, "[[ladder]]", 1, 1),
            format!(
                "a question needs a follow-up ladder of 3-4 rungs, found {}",
                spec.ladder.len()
            ),
        ));
    }
    let words = spec.reference.split_whitespace().count();
    if words > 0 && words < MIN_REFERENCE_WORDS && !spec.ladder.is_empty() {
        cx.errs.push((
            l("reference"),
            format!(
                "the reference answer is too short ({words} words; a complete answer needs at least {MIN_REFERENCE_WORDS})"
            ),
        ));
    }
    let ladder = cx.ladder(&spec.ladder);
    check_quiz(&spec.quiz, text, cx.errs);
    Some(Question {
        spec,
        criteria,
        misconceptions,
        ladder,
        source: path.to_string(),
        reference_line: l("reference"),
    })
}

/// The question's own fields: its id (the file name, kebab-case), area, difficulty, company tags, and the texts
/// that must not be empty.
fn check_fields(spec: &QuestionSpec, path: &str, text: &str, errs: &mut Errs) {
    let l = |field: &str| line_of(text, &format!("{field} ="), 1, 1);
    let stem = Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if stem != spec.id {
        errs.push((
            l("id"),
            format!("id '{}' must match the file name '{stem}.toml'", spec.id),
        ));
    }
    if !spec
        .id
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        || spec.id.is_empty()
    {
        errs.push((
            l("id"),
            format!("id '{}' must be kebab-case (a-z, 0-9, -)", spec.id),
        ));
    }
    if !is_kebab(&spec.area) {
        errs.push((
            l("area"),
            format!(
                "area '{}' must be a kebab-case name (a-z, 0-9, -), e.g. detection or 3d-geometry",
                spec.area
            ),
        ));
    }
    if !DIFFICULTIES.contains(&spec.difficulty.as_str()) {
        errs.push((
            l("difficulty"),
            format!(
                "unknown difficulty '{}' (easy, medium or hard)",
                spec.difficulty
            ),
        ));
    }
    if spec.companies.iter().any(|c| c != &c.to_lowercase()) {
        errs.push((l("companies"), "company tags must be lower-case".into()));
    }
    for (f, v) in [
        ("title", &spec.title),
        ("prompt", &spec.prompt),
        ("reference", &spec.reference),
    ] {
        if v.trim().is_empty() {
            errs.push((l(f), format!("{f} is empty")));
        }
    }
}

/// Each multiple-choice item: four options, an answer among them, one explanation per option.
fn check_quiz(quiz: &[QuizItem], text: &str, errs: &mut Errs) {
    let mut from = 1;
    for (i, item) in quiz.iter().enumerate() {
        let line = line_of(text, "[[quiz]]", from, 1);
        from = line + 1;
        if item.options.len() != 4 {
            errs.push((
                line,
                format!(
                    "quiz item {} needs exactly 4 options, found {}",
                    i + 1,
                    item.options.len()
                ),
            ));
        }
        if item.answer >= item.options.len() {
            errs.push((
                line,
                format!(
                    "quiz item {}: answer index {} is out of range",
                    i + 1,
                    item.answer
                ),
            ));
        }
        if item.explanations.len() != item.options.len() {
            errs.push((
                line,
                format!("quiz item {} needs one explanation per option", i + 1),
            ));
        }
    }
}

/// What compiling the criteria and misconceptions of one file carries along: the file's text (for lines), the
/// lexicon, the ids used so far (unique across the main question and its rungs) and the problems found.
struct Compiler<'a> {
    text: &'a str,
    lex: &'a Lexicon,
    ids: HashSet<String>,
    errs: &'a mut Errs,
}

impl Compiler<'_> {
    fn patterns(&mut self, pats: &[String], from: usize) -> Vec<Pattern> {
        let mut out = Vec::new();
        for p in pats {
            match Pattern::compile(p, self.lex) {
                Ok(c) => out.push(c),
                Err(e) => self
                    .errs
                    .push((line_of(self.text, p, from, from), e.to_string())),
            }
        }
        out
    }

    /// Compile items that carry an id and a number of points (criteria, misconceptions), in file order: each id is
    /// looked up from the previous one's line (linear in the file) and must be new; the points (`field`, read by
    /// `id_points`) must be positive, finite and at most `max`. `build` checks and compiles the rest of an item,
    /// given its line.
    fn each<S, T>(
        &mut self,
        specs: &[S],
        from: usize,
        (owner, field, max): (&str, &str, f64),
        id_points: impl Fn(&S) -> (&str, f64),
        mut build: impl FnMut(&mut Self, &S, usize) -> T,
    ) -> Vec<T> {
        let mut out = Vec::new();
        let mut cursor = from;
        for s in specs {
            let (id, points) = id_points(s);
            let line = line_of(self.text, &format!("\"{id}\""), cursor, cursor);
            cursor = line;
            if !self.ids.insert(id.to_string()) {
                self.errs
                    .push((line, format!("duplicate {owner} id '{id}'")));
            }
            let problem = if points.is_nan() || points <= 0.0 {
                Some(format!("{field} must be > 0"))
            } else if !points.is_finite() || points > max {
                Some(format!(
                    "{field} must be a finite number of points, at most {max}"
                ))
            } else {
                None
            };
            if let Some(problem) = problem {
                self.errs.push((
                    line_of(self.text, field, line, line),
                    format!("{owner} '{id}': {problem}"),
                ));
            }
            out.push(build(self, s, line));
        }
        out
    }

    fn criteria(&mut self, specs: &[CriterionSpec], from: usize) -> Vec<Criterion> {
        let what = ("criterion", "weight", MAX_WEIGHT);
        self.each(
            specs,
            from,
            what,
            |c| (c.id.as_str(), c.weight),
            |cx, c, line| {
                if let Some(m) = c.min_hits {
                    if m == 0 || m > c.patterns.len() {
                        cx.errs.push((
                            line,
                            format!(
                            "criterion '{}': min_hits must be between 1 and the number of patterns",
                            c.id
                        ),
                        ));
                    }
                }
                if c.statement.trim().is_empty() {
                    cx.errs
                        .push((line, format!("criterion '{}' has an empty statement", c.id)));
                }
                if c.restatements.len() > MAX_RESTATEMENTS {
                    cx.errs.push((
                        line,
                        format!(
                            "criterion '{}' has {} restatements; at most {MAX_RESTATEMENTS} are read",
                            c.id,
                            c.restatements.len()
                        ),
                    ));
                }
                if let Some(r) = c.restatements.iter().find(|r| {
                    let n = r.split_whitespace().count();
                    !(MIN_RESTATEMENT_WORDS..=MAX_RESTATEMENT_WORDS).contains(&n)
                }) {
                    cx.errs.push((
                        line,
                        format!(
                            "criterion '{}': a restatement must be one claim of {MIN_RESTATEMENT_WORDS}-{MAX_RESTATEMENT_WORDS} words: \"{r}\"",
                            c.id
                        ),
                    ));
                }
                Criterion::new(
                    c.clone(),
                    cx.patterns(&c.patterns, line),
                    cx.patterns(&c.partial, line),
                )
            },
        )
    }

    fn misconceptions(&mut self, specs: &[MisconceptionSpec], from: usize) -> Vec<Misconception> {
        let what = ("misconception", "penalty", MAX_PENALTY);
        self.each(
            specs,
            from,
            what,
            |m| (m.id.as_str(), m.penalty),
            |cx, m, line| {
                if m.patterns.is_empty() {
                    cx.errs
                        .push((line, format!("misconception '{}' has no patterns", m.id)));
                }
                Misconception {
                    spec: m.clone(),
                    patterns: cx.patterns(&m.patterns, line),
                }
            },
        )
    }

    /// The follow-up rungs: a known stage, a question, at least one criterion each.
    fn ladder(&mut self, rungs: &[RungSpec]) -> Vec<Rung> {
        let text = self.text;
        let mut ladder = Vec::new();
        let mut from = 1;
        for (i, r) in rungs.iter().enumerate() {
            let line = line_of(text, "[[ladder]]", from, 1);
            from = line + 1;
            if !STAGES.contains(&r.stage.as_str()) {
                self.errs.push((
                    line_of(text, "stage", line, line),
                    format!(
                        "ladder rung {}: unknown stage '{}' ({})",
                        i + 1,
                        r.stage,
                        STAGES.join(", ")
                    ),
                ));
            }
            if r.criteria.is_empty() {
                self.errs.push((
                    line,
                    format!("ladder rung {} ('{}') has no criteria", i + 1, r.stage),
                ));
            }
            if r.question.trim().is_empty() {
                self.errs
                    .push((line, format!("ladder rung {} has an empty question", i + 1)));
            }
            ladder.push(Rung {
                stage: r.stage.clone(),
                question: r.question.clone(),
                constraints: r.constraints.clone(),
                criteria: self.criteria(&r.criteria, line),
                misconceptions: self.misconceptions(&r.misconceptions, line),
            });
        }
        ladder
    }
}
