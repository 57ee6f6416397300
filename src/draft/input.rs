//! Reading questions with sample answers: a prep-guide page (plain text), Markdown, JSON lines or CSV.

use serde::Deserialize;
use std::path::Path;

/// One question as found in an input file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DraftInput {
    /// A given id (used verbatim).
    pub id: Option<String>,
    /// A given area, or the guide's section heading (see [`DraftInput::heading`]).
    pub area: Option<String>,
    /// The section heading the question sits under, when the file has one.
    pub heading: Option<String>,
    /// A given short title.
    pub title: Option<String>,
    /// easy, medium or hard.
    pub difficulty: Option<String>,
    /// Company tags, lower-case.
    pub companies: Vec<String>,
    /// The question as asked.
    pub question: String,
    /// The sample answer (None: the file gave none; the question is skipped with a warning).
    pub answer: Option<String>,
    /// Where it came from: `file:line`.
    pub origin: String,
}

/// An input file that cannot be read; displays as `file:line: message`, or `file: message` for the whole file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}{}: {msg}", if *line > 0 { format!(":{line}") } else { String::new() })]
pub struct InputError {
    /// The file.
    pub file: String,
    /// 1-based line; 0 when the problem is the whole file (it cannot be read, its format is unknown).
    pub line: usize,
    /// What is wrong.
    pub msg: String,
}

pub(super) fn err(file: &str, line: usize, msg: impl Into<String>) -> InputError {
    InputError {
        file: file.to_string(),
        line,
        msg: msg.into(),
    }
}

/// The formats `bank draft` reads, by extension, for messages.
pub const FORMATS: &str =
    ".txt or no extension (a prep-guide page), .md, .markdown, .jsonl, .ndjson, .json or .csv";

/// Read one input file, choosing the format by extension (.jsonl/.ndjson/.json, .csv, .md/.markdown; .txt or no
/// extension: a prep-guide page). Any other extension is an error that lists these; a UTF-8 byte-order mark is
/// dropped.
pub fn read(path: &Path) -> Result<Vec<DraftInput>, InputError> {
    let name = path.display().to_string();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if !matches!(
        ext.as_str(),
        "" | "txt" | "text" | "jsonl" | "json" | "ndjson" | "csv" | "md" | "markdown"
    ) {
        return Err(err(
            &name,
            0,
            format!("unknown input format '.{ext}': use {FORMATS}"),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        err(
            &name,
            0,
            format!("cannot read: {}", crate::output::io_message(&e)),
        )
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = upto.iter().filter(|b| **b == b'\n').count() + 1;
        err(&name, line, "not UTF-8 text")
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    match ext.as_str() {
        "jsonl" | "json" | "ndjson" => jsonl(&name, text),
        "csv" => csv_rows(&name, text),
        "md" | "markdown" => super::markdown::markdown(&name, text),
        _ => Ok(super::guide::guide(&name, text)),
    }
}

/// A record of a JSONL or CSV file.
#[derive(Debug, Deserialize)]
struct Row {
    question: Option<String>,
    #[serde(alias = "sample_answer", alias = "reference")]
    answer: Option<String>,
    id: Option<String>,
    area: Option<String>,
    title: Option<String>,
    difficulty: Option<String>,
    #[serde(default)]
    companies: Companies,
}

#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
pub(super) enum Companies {
    #[default]
    None,
    List(Vec<String>),
    /// A comma-, semicolon- or bar-separated list.
    Text(String),
}

impl Companies {
    pub(super) fn tags(&self) -> Vec<String> {
        let raw: Vec<String> = match self {
            Companies::None => vec![],
            Companies::List(v) => v.clone(),
            // "[Google, Meta]" is a list too.
            Companies::Text(s) => s
                .trim()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .split([',', ';', '|'])
                .map(|c| c.trim().trim_matches(['"', '\'']).to_string())
                .collect(),
        };
        raw.iter()
            .map(|c| c.trim().to_lowercase())
            .filter(|c| !c.is_empty())
            .collect()
    }
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.map(|x| x.trim().to_string()).filter(|x| !x.is_empty())
}

fn from_row(file: &str, line: usize, r: Row) -> Result<DraftInput, InputError> {
    let question = nonempty(r.question).ok_or_else(|| err(file, line, "no \"question\""))?;
    Ok(DraftInput {
        id: nonempty(r.id),
        area: nonempty(r.area),
        heading: None,
        title: nonempty(r.title),
        difficulty: nonempty(r.difficulty).map(|d| d.to_lowercase()),
        companies: r.companies.tags(),
        question,
        answer: nonempty(r.answer),
        origin: format!("{file}:{line}"),
    })
}

fn jsonl(file: &str, text: &str) -> Result<Vec<DraftInput>, InputError> {
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        let row: Row = serde_json::from_str(l).map_err(|e| {
            err(
                file,
                i + 1,
                format!("not a JSON object with \"question\" and \"answer\": {e}"),
            )
        })?;
        out.push(from_row(file, i + 1, row)?);
    }
    Ok(out)
}

fn csv_rows(file: &str, text: &str) -> Result<Vec<DraftInput>, InputError> {
    let mut rd = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = rd
        .headers()
        .map_err(|e| err(file, 1, format!("bad CSV header: {e}")))?
        .clone();
    // Column names in any case ("Question,Answer,ID").
    let headers: Vec<String> = headers.iter().map(|h| h.to_lowercase()).collect();
    let col = |k: &str| headers.iter().position(|h| h == k);
    if col("question").is_none() {
        return Err(err(file, 1, "the CSV header has no \"question\" column"));
    }
    if ["answer", "sample_answer", "reference"]
        .iter()
        .all(|k| col(k).is_none())
    {
        return Err(err(
            file,
            1,
            "the CSV header has no \"answer\" column (or \"sample_answer\", \"reference\")",
        ));
    }
    let mut out = Vec::new();
    for rec in rd.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(1, |p| p.line() as usize);
            err(file, line, format!("bad CSV row: {e}"))
        })?;
        let line = rec.position().map_or(1, |p| p.line() as usize);
        let get = |k: &str| col(k).and_then(|i| rec.get(i)).map(str::to_string);
        let row = Row {
            question: get("question"),
            answer: get("answer")
                .or_else(|| get("sample_answer"))
                .or_else(|| get("reference")),
            id: get("id"),
            area: get("area"),
            title: get("title"),
            difficulty: get("difficulty"),
            companies: get("companies").map_or(Companies::None, Companies::Text),
        };
        out.push(from_row(file, line, row)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_and_csv_rows() {
        let j = "{\"question\":\"Q1?\",\"answer\":\"A1.\",\"companies\":[\"Acme\"]}\n\n{\"question\":\"Q2?\",\"answer\":\"A2.\",\"companies\":\"x, y\"}\n";
        let qs = jsonl("a.jsonl", j).unwrap();
        assert_eq!(qs[1].companies, vec!["x", "y"]);
        let bracketed = Companies::Text("[Google, 'Meta']".into()).tags();
        assert_eq!(bracketed, vec!["google", "meta"]);
        assert_eq!(qs[1].origin, "a.jsonl:3");
        let bad = jsonl("a.jsonl", "{\"question\":\"Q\"}\n{oops\n").unwrap_err();
        assert_eq!((bad.file.as_str(), bad.line), ("a.jsonl", 2));
        let c = "question,answer,area\n\"What, exactly?\",Yes.,nlp\n";
        let qs = csv_rows("b.csv", c).unwrap();
        assert_eq!(qs[0].question, "What, exactly?");
        assert_eq!(qs[0].area.as_deref(), Some("nlp"));
        assert!(csv_rows("b.csv", "q,a\n1,2\n")
            .unwrap_err()
            .msg
            .contains("question"));
    }

    #[test]
    fn csv_headers_in_any_case_and_a_missing_answer_column() {
        let qs = csv_rows("c.csv", "Question,Answer,ID\nWhat?,This.,my-id\n").unwrap();
        assert_eq!(qs[0].answer.as_deref(), Some("This."));
        assert_eq!(qs[0].id.as_deref(), Some("my-id"));
        let e = csv_rows("c.csv", "question,notes\nWhat?,x\n").unwrap_err();
        assert_eq!(e.to_string(), "c.csv:1: the CSV header has no \"answer\" column (or \"sample_answer\", \"reference\")");
    }

    #[test]
    fn whole_file_problems_name_the_file_without_a_line() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.md");
        let e = read(&missing).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("{}: cannot read: ", missing.display())),
            "{e}"
        );
        let yaml = dir.path().join("kit.yaml");
        std::fs::write(&yaml, "question: x\n").unwrap();
        let e = read(&yaml).unwrap_err().to_string();
        assert!(
            e.contains("kit.yaml: unknown input format '.yaml'") && e.contains(".jsonl"),
            "{e}"
        );
        let bom = dir.path().join("bom.jsonl");
        std::fs::write(&bom, "\u{feff}{\"question\":\"Q?\",\"answer\":\"A.\"}\n").unwrap();
        assert_eq!(read(&bom).unwrap()[0].answer.as_deref(), Some("A."));
    }
}
