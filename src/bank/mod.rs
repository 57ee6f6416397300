//! The question bank: loading, validation (with file and line), and compiled questions.

pub mod lazy;
pub mod spec;

use crate::text::normalize::Lexicon;
use crate::text::pattern::Pattern;
use include_dir::{include_dir, Dir};
use spec::{
    CriterionSpec, LexiconFile, MisconceptionSpec, QuestionSpec, AREAS, DIFFICULTIES, STAGES,
};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/rubrics");

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
    /// Every criterion of the question (main and rungs).
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

/// Fewest words a reference answer may have (the shipped ones have 170 or more).
pub const MIN_REFERENCE_WORDS: usize = 40;

/// The lowest offline score a reference answer may get (`viva bank check`).
pub const MIN_REFERENCE_SCORE: u32 = 85;

/// A raw file before parsing: (display path, text).
type RawFile = (String, String);

/// What a directory holds: question files, lexicon files, and the problems met reading them.
type Collected = (Vec<RawFile>, Vec<RawFile>, Vec<BankIssue>);

/// The rubric and lexicon files under `root`, and the problems met reading them (a file that is not UTF-8 is
/// reported with its line and skipped). Directory links are followed once: a link back to a directory already
/// walked (a loop) is not entered again.
fn collect_dir(root: &Path) -> Result<Collected, BankError> {
    let mut questions = Vec::new();
    let mut lexicons = Vec::new();
    let mut issues = Vec::new();
    let mut seen_dirs = HashSet::new();
    if let Ok(c) = root.canonicalize() {
        seen_dirs.insert(c);
    }
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let rd = std::fs::read_dir(&d).map_err(|e| BankError::Io(d.display().to_string(), e))?;
        for e in rd {
            let e = e.map_err(|e| BankError::Io(d.display().to_string(), e))?;
            let p = e.path();
            let ft = e
                .file_type()
                .map_err(|err| BankError::Io(p.display().to_string(), err))?;
            let is_dir = if ft.is_symlink() {
                p.is_dir()
            } else {
                ft.is_dir()
            };
            if is_dir {
                // Canonical paths make a link loop (dir/self -> dir) visible as a directory already seen.
                if p.canonicalize().is_ok_and(|c| seen_dirs.insert(c)) {
                    stack.push(p);
                }
            } else if p.extension().map(|x| x == "toml").unwrap_or(false) {
                let disp = p.display().to_string();
                let bytes =
                    std::fs::read(&p).map_err(|e| BankError::Io(p.display().to_string(), e))?;
                let text = match String::from_utf8(bytes) {
                    Ok(t) => t,
                    Err(err) => {
                        let good = &err.as_bytes()[..err.utf8_error().valid_up_to()];
                        let line = good.iter().filter(|b| **b == b'\n').count() + 1;
                        let col = good.len()
                            - good.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1)
                            + 1;
                        issues.push(BankIssue {
                            file: disp,
                            line,
                            msg: format!("not UTF-8 text (invalid byte at column {col})"),
                        });
                        continue;
                    }
                };
                if p.parent()
                    .and_then(|x| x.file_name())
                    .map(|n| n == "lexicon")
                    .unwrap_or(false)
                {
                    lexicons.push((disp, text));
                } else {
                    questions.push((disp, text));
                }
            }
        }
    }
    questions.sort();
    lexicons.sort();
    issues.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok((questions, lexicons, issues))
}

fn collect_embedded() -> (Vec<RawFile>, Vec<RawFile>) {
    fn walk(d: &Dir<'_>, q: &mut Vec<RawFile>, l: &mut Vec<RawFile>) {
        for f in d.files() {
            if f.path().extension().map(|x| x == "toml").unwrap_or(false) {
                let text = f.contents_utf8().unwrap_or_default().to_string();
                let disp = format!("rubrics/{}", f.path().display());
                if f.path()
                    .parent()
                    .and_then(|x| x.file_name())
                    .map(|n| n == "lexicon")
                    .unwrap_or(false)
                {
                    l.push((disp, text));
                } else {
                    q.push((disp, text));
                }
            }
        }
        for sub in d.dirs() {
            walk(sub, q, l);
        }
    }
    let (mut q, mut l) = (Vec::new(), Vec::new());
    walk(&EMBEDDED, &mut q, &mut l);
    q.sort();
    l.sort();
    (q, l)
}

/// Whether `s` is a non-empty kebab-case name: lower-case letters, digits and single inner hyphens.
pub fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The text of a question's source file: from the embedded bank (`rubrics/...`) or from disk.
pub fn source_text(source: &str) -> Option<String> {
    if let Some(f) = source
        .strip_prefix("rubrics/")
        .and_then(|rel| EMBEDDED.get_file(rel))
    {
        return f.contents_utf8().map(str::to_string);
    }
    std::fs::read_to_string(source).ok()
}

/// 1-based line of the first line containing `needle` (at or after `from_line`), else `fallback`.
///
/// Validation asks this once per criterion, pattern and field, so the byte offsets of the text's lines are kept
/// between calls (for the text last asked about): one lookup costs a binary search plus the scan from
/// `from_line` to the match, not a walk over every earlier line.
pub fn line_of(src: &str, needle: &str, from_line: usize, fallback: usize) -> usize {
    use std::cell::RefCell;
    thread_local! {
        static STARTS: RefCell<(usize, usize, Vec<usize>)> = const { RefCell::new((0, 0, Vec::new())) };
    }
    if needle.is_empty() || needle.contains('\n') {
        return fallback;
    }
    STARTS.with(|cell| {
        let mut c = cell.borrow_mut();
        let id = (src.as_ptr() as usize, src.len());
        // A different text at the same address and length: the line starts would not fall after newlines.
        let stale = |starts: &[usize]| {
            starts
                .get(from_line.max(1) - 1)
                .is_some_and(|&o| o > 0 && src.as_bytes().get(o - 1) != Some(&b'\n'))
        };
        if (c.0, c.1) != id || c.2.is_empty() || stale(&c.2) {
            let starts = std::iter::once(0)
                .chain(src.match_indices('\n').map(|(i, _)| i + 1))
                .collect();
            *c = (id.0, id.1, starts);
        }
        let starts = &c.2;
        let from = from_line.max(1) - 1;
        let Some(&off) = starts.get(from) else {
            return fallback;
        };
        match src[off..].find(needle) {
            Some(pos) => starts.partition_point(|&st| st <= off + pos),
            None => fallback,
        }
    })
}

fn toml_line(src: &str, e: &toml::de::Error) -> usize {
    e.span()
        .map(|s| src[..s.start.min(src.len())].matches('\n').count() + 1)
        .unwrap_or(1)
}

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
        let lex_names: HashSet<String> = dl.iter().filter_map(|(p, _)| file_name(p)).collect();
        l.retain(|(p, _)| {
            file_name(p)
                .map(|n| !lex_names.contains(&n))
                .unwrap_or(true)
        });
        l.extend(dl);
        Bank::from_raw_with(q, l, read_issues)
    }

    /// Only the files in `dir` (plus the embedded lexicons): what `viva bank check DIR` validates.
    pub fn from_dir_only(dir: &Path) -> Result<Bank, BankError> {
        let (q, dl, read_issues) = collect_dir(dir)?;
        let (_, mut l) = collect_embedded();
        let lex_names: HashSet<String> = dl.iter().filter_map(|(p, _)| file_name(p)).collect();
        l.retain(|(p, _)| {
            file_name(p)
                .map(|n| !lex_names.contains(&n))
                .unwrap_or(true)
        });
        l.extend(dl);
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
        let mut entries: Vec<(String, Vec<String>)> = Vec::new();
        for (path, text) in &lfiles {
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
                Err(e) => issues.push(BankIssue {
                    file: path.clone(),
                    line: toml_line(text, &e),
                    msg: one_line(e.message()),
                }),
            }
        }
        let lexicon = Lexicon::new(&entries);
        let mut questions = Vec::new();
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for (path, text) in &qfiles {
            match toml::from_str::<QuestionSpec>(text) {
                Ok(spec) => {
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
                Err(e) => issues.push(BankIssue {
                    file: path.clone(),
                    line: toml_line(text, &e),
                    msg: one_line(e.message()),
                }),
            }
        }
        if !issues.is_empty() {
            return Err(BankError::Invalid(issues));
        }
        let area_pos = |a: &str| AREAS.iter().position(|(id, _)| *id == a).unwrap_or(99);
        questions.sort_by(|a, b| {
            (area_pos(&a.spec.area), &a.spec.id).cmp(&(area_pos(&b.spec.area), &b.spec.id))
        });
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

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn file_name(p: &str) -> Option<String> {
    Path::new(p)
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
}

fn peek_id(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        l.trim()
            .strip_prefix("id")
            .map(|r| r.trim_start())
            .and_then(|r| r.strip_prefix('='))
            .map(|r| r.trim().trim_matches('"').to_string())
    })
}

fn compile_patterns(
    pats: &[String],
    text: &str,
    from: usize,
    lex: &Lexicon,
    errs: &mut Vec<(usize, String)>,
) -> Vec<Pattern> {
    let mut out = Vec::new();
    for p in pats {
        match Pattern::compile(p, lex) {
            Ok(c) => out.push(c),
            Err(e) => errs.push((line_of(text, p, from, from), e.to_string())),
        }
    }
    out
}

/// The most points one criterion can weigh (weights are relative: a question's criteria share 100 points).
pub const MAX_WEIGHT: f64 = 1000.0;
/// The most points one misconception can subtract (more could never matter: scores are clipped at 0).
pub const MAX_PENALTY: f64 = 100.0;

/// Where a number of points (a weight, a penalty) sits in a rubric file, for its range check.
struct Points<'a> {
    text: &'a str,
    line: usize,
    owner: &'static str,
    id: &'a str,
}

impl<'a> Points<'a> {
    /// Find the line of `owner` `id` at or after `cursor` (moving the cursor there), and report a duplicate id.
    fn locate(
        text: &'a str,
        owner: &'static str,
        id: &'a str,
        cursor: &mut usize,
        ids: &mut HashSet<String>,
        errs: &mut Vec<(usize, String)>,
    ) -> Points<'a> {
        let line = line_of(text, &format!("\"{id}\""), *cursor, *cursor);
        *cursor = line;
        if !ids.insert(id.to_string()) {
            errs.push((line, format!("duplicate {owner} id '{id}'")));
        }
        Points {
            text,
            line,
            owner,
            id,
        }
    }

    /// A number of points must be positive and finite, and at most `max`.
    fn check(&self, field: &str, v: f64, max: f64, errs: &mut Vec<(usize, String)>) {
        let problem = if v.is_nan() || v <= 0.0 {
            format!("{field} must be > 0")
        } else if !v.is_finite() || v > max {
            format!("{field} must be a finite number of points, at most {max}")
        } else {
            return;
        };
        errs.push((
            line_of(self.text, field, self.line, self.line),
            format!("{} '{}': {problem}", self.owner, self.id),
        ));
    }
}

fn compile_criteria(
    specs: &[CriterionSpec],
    text: &str,
    from: usize,
    lex: &Lexicon,
    ids: &mut HashSet<String>,
    errs: &mut Vec<(usize, String)>,
) -> Vec<Criterion> {
    let mut out = Vec::new();
    // Criteria come in file order: each id is looked up from the previous one's line (linear in the file).
    let mut cursor = from;
    for c in specs {
        let at = Points::locate(text, "criterion", &c.id, &mut cursor, ids, errs);
        let line = at.line;
        at.check("weight", c.weight, MAX_WEIGHT, errs);
        if let Some(m) = c.min_hits {
            if m == 0 || m > c.patterns.len() {
                errs.push((
                    line,
                    format!(
                        "criterion '{}': min_hits must be between 1 and the number of patterns",
                        c.id
                    ),
                ));
            }
        }
        if c.statement.trim().is_empty() {
            errs.push((line, format!("criterion '{}' has an empty statement", c.id)));
        }
        let patterns = compile_patterns(&c.patterns, text, line, lex, errs);
        let partial = compile_patterns(&c.partial, text, line, lex, errs);
        out.push(Criterion {
            spec: c.clone(),
            patterns,
            partial,
        });
    }
    out
}

fn compile_misconceptions(
    specs: &[MisconceptionSpec],
    text: &str,
    from: usize,
    lex: &Lexicon,
    ids: &mut HashSet<String>,
    errs: &mut Vec<(usize, String)>,
) -> Vec<Misconception> {
    let mut out = Vec::new();
    let mut cursor = from;
    for m in specs {
        let at = Points::locate(text, "misconception", &m.id, &mut cursor, ids, errs);
        let line = at.line;
        at.check("penalty", m.penalty, MAX_PENALTY, errs);
        if m.patterns.is_empty() {
            errs.push((line, format!("misconception '{}' has no patterns", m.id)));
        }
        let patterns = compile_patterns(&m.patterns, text, line, lex, errs);
        out.push(Misconception {
            spec: m.clone(),
            patterns,
        });
    }
    out
}

fn compile_question(
    spec: QuestionSpec,
    path: &str,
    text: &str,
    lex: &Lexicon,
    errs: &mut Vec<(usize, String)>,
) -> Option<Question> {
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
    let mut ids = HashSet::new();
    let first_crit = line_of(text, "[[criteria]]", 1, 1);
    if !(1..=7).contains(&spec.criteria.len()) {
        errs.push((
            first_crit,
            format!(
                "a question needs 1-7 criteria, found {}",
                spec.criteria.len()
            ),
        ));
    }
    let criteria = compile_criteria(&spec.criteria, text, first_crit, lex, &mut ids, errs);
    let misconceptions = compile_misconceptions(
        &spec.misconceptions,
        text,
        line_of(text, "[[misconceptions]]", 1, 1),
        lex,
        &mut ids,
        errs,
    );
    // A question either has a follow-up ladder of 3-4 rungs, or none at all (a short-answer question, as drafted
    // from a sample answer: the interviewer then only probes its gaps). The built-in bank always has one.
    if !spec.ladder.is_empty() && !(3..=4).contains(&spec.ladder.len()) {
        errs.push((
            line_of(text, "[[ladder]]", 1, 1),
            format!(
                "a question needs a follow-up ladder of 3-4 rungs, found {}",
                spec.ladder.len()
            ),
        ));
    }
    let words = spec.reference.split_whitespace().count();
    if words > 0 && words < MIN_REFERENCE_WORDS && !spec.ladder.is_empty() {
        errs.push((
            l("reference"),
            format!(
                "the reference answer is too short ({words} words; a complete answer needs at least {MIN_REFERENCE_WORDS})"
            ),
        ));
    }
    let mut ladder = Vec::new();
    let mut from = 1;
    for (i, r) in spec.ladder.iter().enumerate() {
        let line = line_of(text, "[[ladder]]", from, 1);
        from = line + 1;
        if !STAGES.contains(&r.stage.as_str()) {
            errs.push((
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
            errs.push((
                line,
                format!("ladder rung {} ('{}') has no criteria", i + 1, r.stage),
            ));
        }
        if r.question.trim().is_empty() {
            errs.push((line, format!("ladder rung {} has an empty question", i + 1)));
        }
        let criteria = compile_criteria(&r.criteria, text, line, lex, &mut ids, errs);
        let misconceptions =
            compile_misconceptions(&r.misconceptions, text, line, lex, &mut ids, errs);
        ladder.push(Rung {
            stage: r.stage.clone(),
            question: r.question.clone(),
            constraints: r.constraints.clone(),
            criteria,
            misconceptions,
        });
    }
    let mut qfrom = 1;
    for (i, item) in spec.quiz.iter().enumerate() {
        let line = line_of(text, "[[quiz]]", qfrom, 1);
        qfrom = line + 1;
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
    Some(Question {
        spec,
        criteria,
        misconceptions,
        ladder,
        source: path.to_string(),
        reference_line: l("reference"),
    })
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
