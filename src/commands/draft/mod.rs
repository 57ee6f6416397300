//! `viva bank draft`: rubric files from questions with sample answers, each self-checked before it is written.

mod check;
mod model;
mod table;

use check::{compile, looser, stricter};
pub(crate) use check::{self_check, try_compile};
pub use check::{SelfCheck, JUNK_MAX, SAMPLE_MIN};
pub use model::{ModelDrafting, Spend};
pub use table::{Drafted, Tokens};

use crate::bank::spec::QuestionSpec;
use crate::bank::Bank;
use crate::cli::BankCmd;
use crate::cli::GraderChoice;
use crate::draft::{self, input, input::DraftInput};
use crate::llm::drafter::LlmDrafter;
use crate::output::Style;
use crate::settings::Settings;
use anyhow::{bail, Result};
use model::Outcome;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Who drafts: the offline drafter (and why), or a model.
pub enum Drafting<'a> {
    /// Offline, with the reason (`--grader offline`, no endpoint configured).
    Offline(String),
    /// A model, validated and falling back to the offline draft.
    Model(ModelDrafting<'a>),
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
    /// Offline or with a model.
    pub drafting: Drafting<'a>,
}

fn rubric_path(out: &Path, area: &str, id: &str) -> PathBuf {
    out.join(area).join(format!("{id}.toml"))
}

/// The rubric files for question `id` under `out` in areas other than `area` (a redraft that moves a question:
/// two files with one id would stop the bank from loading).
fn elsewhere(out: &Path, area: &str, id: &str) -> Vec<PathBuf> {
    let Ok(dirs) = std::fs::read_dir(out) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = dirs
        .flatten()
        .filter(|d| d.file_name().to_str() != Some(area))
        .map(|d| d.path().join(format!("{id}.toml")))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found
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

/// `viva bank draft` from the command line: who drafts (`--grader`, as for grading: auto uses a configured
/// endpoint), then [`run`]. Exit 1 when a question was not written.
pub fn command(s: &Settings, cmd: &BankCmd, style: Style) -> Result<i32> {
    let BankCmd::Draft {
        files,
        out,
        area,
        force,
        json,
        max_cost,
    } = cmd
    else {
        bail!("not a draft command");
    };
    if let Some(c) = max_cost {
        if !c.is_finite() || *c <= 0.0 {
            return Err(crate::UsageError(format!(
                "--max-cost {c}: give a positive number of US dollars"
            ))
            .into());
        }
    }
    let known = match s.bank.as_deref() {
        Some(d) => Bank::with_overrides(d)
            .map(|b| b.areas())
            .unwrap_or_default(),
        None => Bank::embedded().map(|b| b.areas()).unwrap_or_default(),
    };
    let drafter = match s.grader {
        GraderChoice::Offline => None,
        GraderChoice::Auto if s.llm.is_none() => None,
        GraderChoice::Auto | GraderChoice::Llm => {
            let g = crate::llm_grader(s)?;
            Some(LlmDrafter {
                client: g.client,
                prompts: g.prompts,
            })
        }
    };
    let drafting = match &drafter {
        Some(d) => Drafting::Model(ModelDrafting {
            drafter: d,
            max_cost: *max_cost,
        }),
        None if s.grader == GraderChoice::Offline => Drafting::Offline("--grader offline".into()),
        None => Drafting::Offline("no model endpoint configured".into()),
    };
    let args = DraftArgs {
        files,
        out,
        area: area.as_deref(),
        force: *force,
        json: *json,
        drafting,
    };
    let code = run(&args, &known, style)?;
    if code != 0 {
        bail!("some questions were not drafted (see the warnings above)");
    }
    Ok(0)
}

/// Who drafted a question (the drafter's name), why offline when it fell back, and what the model call spent.
type How = (String, Option<String>, Option<Spend>);

/// Run `viva bank draft`. Exit 0 when every question was drafted and passed its self-check, 1 otherwise.
pub fn run(a: &DraftArgs, known_areas: &[String], style: Style) -> Result<i32> {
    if let Some(ar) = a.area {
        if !crate::bank::is_kebab(ar) {
            return Err(crate::UsageError(format!(
                "--area '{ar}' must be a kebab-case name (a-z, 0-9, -), e.g. nlp or 3d-vision"
            ))
            .into());
        }
    }
    let (inputs, warnings) = read_all(a.files)?;
    if inputs.is_empty() {
        let names: Vec<String> = a.files.iter().map(|f| f.display().to_string()).collect();
        let why = if warnings.iter().any(|w| w.contains("no sample answer")) {
            "every question lacks a sample answer"
        } else {
            "no questions found"
        };
        bail!("{}: {why} (formats: {})", names.join(", "), input::FORMATS);
    }
    let lex = Bank::from_texts(vec![])
        .map(|b| b.lexicon)
        .unwrap_or_default();
    let mut specs = offline_drafts(a, &inputs, known_areas, &lex)?;
    for w in &warnings {
        eprintln!("{w}");
    }
    let samples: Vec<String> = inputs
        .iter()
        .map(|i| i.answer.clone().unwrap_or_default())
        .collect();
    // The offline drafts compile (a failure here is a bug), and are the fallback for the model's.
    let mut bank = compile(&specs)?;
    let n = specs.len();
    let (how, spent) = match &a.drafting {
        Drafting::Offline(why) => (
            vec![("offline".into(), Some(why.clone()), None); n],
            Spend::default(),
        ),
        Drafting::Model(m) => {
            let drafted = model_drafts(m, &mut specs, &samples, &lex)?;
            bank = compile(&specs)?;
            drafted
        }
    };
    let mut rows = self_checked(&mut specs, &samples, &how, bank)?;
    write_rubrics(a, &mut rows, &specs)?;
    table::print(
        &rows,
        &spent,
        matches!(a.drafting, Drafting::Model(_)),
        a.json,
        style,
    );
    Ok(if rows.iter().all(|r| r.file.is_some()) {
        0
    } else {
        1
    })
}

/// The offline draft of every input with its origin. Identities, duplicates and existing files are all checked
/// before anything is written.
fn offline_drafts(
    a: &DraftArgs,
    inputs: &[DraftInput],
    known_areas: &[String],
    lex: &crate::text::normalize::Lexicon,
) -> Result<Vec<(QuestionSpec, String)>> {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut specs: Vec<(QuestionSpec, String)> = Vec::new();
    for inp in inputs {
        if let Some(why) = draft::bad_value(inp) {
            bail!("{}: {why}", inp.origin);
        }
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
        if let Some(other) = elsewhere(a.out, &area, &id).first() {
            if !a.force {
                bail!(
                    "{} already holds question '{id}' (use --force to move it to area '{area}')",
                    other.display()
                );
            }
        }
        let spec = draft::offline(inp, &id, &area, &title, &difficulty, lex);
        specs.push((spec, inp.origin.clone()));
    }
    Ok(specs)
}

/// Ask the model for each question's draft (replacing the offline one in `specs` when it is usable), within the
/// spending cap; a question left offline gets a warning. Returns who drafted each question and the total spend.
fn model_drafts(
    m: &ModelDrafting,
    specs: &mut [(QuestionSpec, String)],
    samples: &[String],
    lex: &crate::text::normalize::Lexicon,
) -> Result<(Vec<How>, Spend)> {
    let rt = crate::runtime()?;
    let mut how: Vec<How> = Vec::with_capacity(specs.len());
    let mut spent = Spend::default();
    for i in 0..specs.len() {
        let out = match m.skip_reason(&spent) {
            Some(why) => Outcome {
                reason: Some(why),
                ..Default::default()
            },
            None => m.draft(&rt, specs, i, &samples[i], lex),
        };
        let called = out.spend.tokens() > 0;
        spent.merge(out.spend);
        match (&out.spec, &out.reason) {
            (Some(_), _) => how.push((m.drafter.name(), None, Some(out.spend))),
            (None, why) => {
                let why = why.clone().unwrap_or_else(|| "no usable draft".into());
                let line = format!(
                    "warning: {}: {}: drafted offline instead: {why}",
                    specs[i].1, specs[i].0.id
                );
                eprintln!("{}", crate::output::neutralise(&line, false));
                how.push(("offline".into(), Some(why), called.then_some(out.spend)));
            }
        }
    }
    Ok((how, spent))
}

/// Self-check every drafted question, redrafting once a question that fails: stricter when junk scores, looser
/// when the sample answer falls short. One row per question, not yet written.
fn self_checked(
    specs: &mut [(QuestionSpec, String)],
    samples: &[String],
    how: &[How],
    mut bank: Bank,
) -> Result<Vec<Drafted>> {
    let mut rows: Vec<Drafted> = Vec::new();
    for i in 0..specs.len() {
        let id = specs[i].0.id.clone();
        let mut check = self_check(&bank, &id, &samples[i]);
        if let Some(c) = check.clone().filter(|c| !c.passed()) {
            if c.question > JUNK_MAX || c.off_topic > JUNK_MAX {
                stricter(&mut specs[i].0);
            } else {
                looser(&mut specs[i].0);
            }
            bank = compile(specs)?;
            check = self_check(&bank, &id, &samples[i]);
        }
        let check =
            check.ok_or_else(|| anyhow::anyhow!("drafted question {id} did not compile"))?;
        let (spec, origin) = &specs[i];
        let (drafter, reason, spend) = how[i].clone();
        rows.push(Drafted {
            rubric: spec.clone(),
            check,
            drafter,
            reason,
            file: None,
            origin: origin.clone(),
            tokens: spend.map(|s| Tokens {
                prompt: s.prompt,
                completion: s.completion,
            }),
            cost_usd: spend.and_then(|s| s.usd),
        });
    }
    Ok(rows)
}

/// Write each rubric that passed its self-check under `--out`, and each that failed as `.toml.rejected` for hand
/// editing (with a warning); a written row gets its file.
fn write_rubrics(
    a: &DraftArgs,
    rows: &mut [Drafted],
    specs: &[(QuestionSpec, String)],
) -> Result<()> {
    for (row, (spec, origin)) in rows.iter_mut().zip(specs) {
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
        // With --force a question drafted into a new area moves there: its old file goes.
        for old in elsewhere(a.out, &spec.area, &spec.id) {
            std::fs::remove_file(&old).map_err(|e| {
                anyhow::anyhow!(
                    "cannot remove {}: {}",
                    old.display(),
                    crate::output::io_message(&e)
                )
            })?;
        }
        row.file = Some(path.display().to_string());
    }
    Ok(())
}
