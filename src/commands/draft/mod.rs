//! `viva bank draft`: rubric files from questions with sample answers, each self-checked before it is written.

use crate::bank::draft::{self, input, input::DraftInput};
use crate::bank::spec::QuestionSpec;
use crate::bank::{Bank, BankError};
use crate::grade::offline;
use crate::output::{outln, Style};
use anyhow::{bail, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The sample answer must score at least this with its own rubric.
pub const SAMPLE_MIN: u32 = 85;
/// The bare question and an off-topic answer must score at most this.
pub const JUNK_MAX: u32 = 10;

/// An answer about something else entirely, for the self-check.
const OFF_TOPIC: &[&str] = &[
    "I would water the tomatoes early in the morning, before the sun is high, and mulch the beds with straw so \
the soil keeps its moisture. Pinching off the side shoots keeps the plants tidy, and a weekly feed of diluted \
seaweed helps the fruit set during the warm months of summer.",
    "The train leaves the coast at dawn and reaches the mountains by noon. Book a window seat on the left side \
for the lake views, carry a light jacket because the passes are cold even in July, and buy the regional pass, \
which covers the buses to the villages too.",
];

/// One drafted question's self-check.
#[derive(Debug, Clone, Serialize)]
pub struct SelfCheck {
    /// Score of the sample answer.
    pub sample: u32,
    /// Score of the bare question given as the answer.
    pub question: u32,
    /// Score of an off-topic answer (the worse of two about other subjects).
    pub off_topic: u32,
    /// Whether the sample answer scored by meaning too.
    pub semantic: bool,
}

impl SelfCheck {
    /// All three bounds hold.
    pub fn passed(&self) -> bool {
        self.sample >= SAMPLE_MIN && self.question <= JUNK_MAX && self.off_topic <= JUNK_MAX
    }
}

/// One row of the result.
#[derive(Debug, Clone, Serialize)]
pub struct Drafted {
    /// Question id.
    pub id: String,
    /// Area.
    pub area: String,
    /// Difficulty.
    pub difficulty: String,
    /// Company tags.
    pub companies: Vec<String>,
    /// Number of criteria.
    pub criteria: usize,
    /// How the rubric was drafted ("offline").
    pub drafter: String,
    /// The self-check.
    pub check: SelfCheck,
    /// The file written (None: not written because the self-check failed).
    pub file: Option<String>,
    /// Where the question came from.
    pub origin: String,
    /// The drafted rubric (in `--json` output).
    pub rubric: QuestionSpec,
}

/// Arguments of `viva bank draft`.
pub struct DraftArgs<'a> {
    /// Input files.
    pub files: &'a [PathBuf],
    /// Output directory.
    pub out: &'a Path,
    /// Area for questions without one.
    pub area: Option<&'a str>,
    /// Overwrite existing files.
    pub force: bool,
    /// JSON output.
    pub json: bool,
}

fn rubric_path(out: &Path, area: &str, id: &str) -> PathBuf {
    out.join(area).join(format!("{id}.toml"))
}

/// Read every input: the questions with a sample answer, and warnings for the rest (printed once the run is
/// known to go ahead, so an error stays the only line).
fn read_all(files: &[PathBuf]) -> Result<(Vec<DraftInput>, Vec<String>)> {
    let mut all = Vec::new();
    let mut warnings = Vec::new();
    for f in files {
        let qs = input::read(f)?;
        if qs.is_empty() {
            warnings.push(format!("warning: {}: no questions found", f.display()));
        }
        for q in qs {
            if q.answer.is_none() {
                warnings.push(format!(
                    "warning: {}: skipped (no sample answer): {}",
                    q.origin,
                    short(&q.question)
                ));
            } else {
                all.push(q);
            }
        }
    }
    Ok((all, warnings))
}

fn short(s: &str) -> String {
    let t: String = s.chars().take(60).collect();
    if t.len() < s.len() {
        format!("{t}…")
    } else {
        t
    }
}

/// Grade the sample answer, the bare question and off-topic texts against a drafted question.
fn self_check(bank: &Bank, id: &str) -> Option<SelfCheck> {
    let q = bank.get(id)?;
    let sample = offline::grade_without_coverage(bank, q, None, &q.spec.reference);
    let question = offline::grade_without_coverage(bank, q, None, &q.spec.prompt).score;
    let off = OFF_TOPIC
        .iter()
        .map(|t| offline::grade_without_coverage(bank, q, None, t).score)
        .max()
        .unwrap_or(0);
    Some(SelfCheck {
        sample: sample.score,
        question,
        off_topic: off,
        semantic: sample.semantic,
    })
}

/// A stricter redraft for a rubric the question or an off-topic answer could satisfy: every key term required.
fn stricter(spec: &mut QuestionSpec) {
    for c in &mut spec.criteria {
        if c.patterns.len() > 1 {
            c.min_hits = Some(c.patterns.len());
        }
    }
}

/// A looser redraft for a rubric its own sample answer does not satisfy: any key term is enough.
fn looser(spec: &mut QuestionSpec) {
    for c in &mut spec.criteria {
        c.min_hits = None;
    }
}

fn compile(specs: &[(QuestionSpec, String)]) -> Result<Bank> {
    let texts: Vec<(String, String)> = specs
        .iter()
        .map(|(s, origin)| {
            (
                format!("{}/{}.toml", s.area, s.id),
                draft::to_toml(s, origin),
            )
        })
        .collect();
    Bank::from_texts(texts).map_err(|e| match e {
        BankError::Invalid(issues) => anyhow::anyhow!(
            "a drafted rubric is invalid (please report this): {}",
            issues.first().map(|i| i.to_string()).unwrap_or_default()
        ),
        other => other.into(),
    })
}

/// Run `viva bank draft`. Exit 0 when every question was drafted and passed its self-check, 1 otherwise.
pub fn run(a: &DraftArgs, known_areas: &[String], style: Style) -> Result<i32> {
    if let Some(ar) = a.area {
        if !crate::bank::is_kebab(ar) {
            bail!("--area '{ar}' must be a kebab-case name (a-z, 0-9, -), e.g. nlp or 3d-vision");
        }
    }
    let (inputs, warnings) = read_all(a.files)?;
    if inputs.is_empty() {
        bail!("no questions with a sample answer in the input");
    }
    // Identities, duplicates and existing files are all checked before anything is written.
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut specs: Vec<(QuestionSpec, String)> = Vec::new();
    let lex = Bank::from_texts(vec![])
        .map(|b| b.lexicon)
        .unwrap_or_default();
    for inp in &inputs {
        let (id, area, title, difficulty) = draft::identity(inp, a.area, known_areas);
        if !crate::bank::is_kebab(&id) {
            bail!("{}: id '{id}' must be kebab-case (a-z, 0-9, -)", inp.origin);
        }
        if let Some(prev) = seen.insert(id.clone(), inp.origin.clone()) {
            bail!(
                "{}: duplicate question id '{id}' (also at {prev})",
                inp.origin
            );
        }
        let path = rubric_path(a.out, &area, &id);
        if path.exists() && !a.force {
            bail!(
                "{} already exists (use --force to overwrite)",
                path.display()
            );
        }
        let spec = draft::offline(inp, &id, &area, &title, &difficulty, &lex);
        specs.push((spec, inp.origin.clone()));
    }
    for w in &warnings {
        eprintln!("{w}");
    }
    let mut bank = compile(&specs)?;
    let mut rows: Vec<Drafted> = Vec::new();
    let n = specs.len();
    for i in 0..n {
        let id = specs[i].0.id.clone();
        let mut check = self_check(&bank, &id);
        // Redraft once: stricter when junk scores, looser when the sample answer falls short.
        if let Some(c) = check.clone().filter(|c| !c.passed()) {
            if c.question > JUNK_MAX || c.off_topic > JUNK_MAX {
                stricter(&mut specs[i].0);
            } else {
                looser(&mut specs[i].0);
            }
            bank = compile(&specs)?;
            check = self_check(&bank, &id);
        }
        let check =
            check.ok_or_else(|| anyhow::anyhow!("drafted question {id} did not compile"))?;
        let (spec, origin) = &specs[i];
        rows.push(Drafted {
            id: spec.id.clone(),
            area: spec.area.clone(),
            difficulty: spec.difficulty.clone(),
            companies: spec.companies.clone(),
            criteria: spec.criteria.len(),
            drafter: "offline".into(),
            check,
            file: None,
            origin: origin.clone(),
            rubric: spec.clone(),
        });
    }
    for (row, (spec, origin)) in rows.iter_mut().zip(&specs) {
        let mut path = rubric_path(a.out, &spec.area, &spec.id);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                anyhow::anyhow!(
                    "cannot create {}: {}",
                    dir.display(),
                    crate::output::io_message(&e)
                )
            })?;
        }
        if !row.check.passed() {
            // Kept for hand editing under a name the bank does not load.
            path.set_extension("toml.rejected");
            eprintln!(
                "warning: {}: {} failed its self-check (sample {}, question {}, off-topic {}); kept as {} for hand editing",
                origin,
                spec.id,
                row.check.sample,
                row.check.question,
                row.check.off_topic,
                path.display()
            );
            crate::output::write_file(&path, draft::to_toml(spec, origin).as_bytes(), true)?;
            continue;
        }
        crate::output::write_file(&path, draft::to_toml(spec, origin).as_bytes(), a.force)?;
        row.file = Some(path.display().to_string());
    }
    print(&rows, a.json, style);
    Ok(if rows.iter().all(|r| r.file.is_some()) {
        0
    } else {
        1
    })
}

fn print(rows: &[Drafted], json: bool, style: Style) {
    if json {
        outln(&serde_json::to_string_pretty(rows).unwrap_or_default());
        return;
    }
    let w = rows.iter().map(|r| r.id.len()).max().unwrap_or(2).max(2);
    let aw = rows.iter().map(|r| r.area.len()).max().unwrap_or(4).max(4);
    outln(&format!(
        "{:w$}  {:aw$}  {:>8}  self-check (sample ≥{SAMPLE_MIN}, question ≤{JUNK_MAX}, off-topic ≤{JUNK_MAX})",
        "id", "area", "criteria"
    ));
    for r in rows {
        let verdict = if r.check.passed() {
            style.good("ok")
        } else {
            style.bad("FAILED")
        };
        outln(&format!(
            "{:w$}  {:aw$}  {:>8}  {verdict}: {} / {} / {}{}",
            r.id,
            r.area,
            r.criteria,
            r.check.sample,
            r.check.question,
            r.check.off_topic,
            if r.check.semantic {
                ""
            } else {
                " (patterns only)"
            }
        ));
    }
    let written = rows.iter().filter(|r| r.file.is_some()).count();
    outln(&format!(
        "{written} of {} rubric file(s) written",
        rows.len()
    ));
}
