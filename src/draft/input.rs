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

/// An input file that cannot be read; displays as `file:line: message`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}: {msg}")]
pub struct InputError {
    /// The file.
    pub file: String,
    /// 1-based line.
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

/// Read one input file, choosing the format by extension (.jsonl/.json, .csv, .md/.markdown; anything else is
/// read as a prep-guide page).
pub fn read(path: &Path) -> Result<Vec<DraftInput>, InputError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| err(&name, 1, format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = upto.iter().filter(|b| **b == b'\n').count() + 1;
        err(&name, line, "not UTF-8 text")
    })?;
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "jsonl" | "json" | "ndjson" => jsonl(&name, &text),
        "csv" => csv_rows(&name, &text),
        "md" | "markdown" => super::markdown::markdown(&name, &text),
        _ => Ok(super::guide::guide(&name, &text)),
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
            Companies::Text(s) => s.split([',', ';', '|']).map(str::to_string).collect(),
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
    if !headers.iter().any(|h| h == "question") {
        return Err(err(file, 1, "the CSV header has no \"question\" column"));
    }
    let mut out = Vec::new();
    for rec in rd.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(1, |p| p.line() as usize);
            err(file, line, format!("bad CSV row: {e}"))
        })?;
        let line = rec.position().map_or(1, |p| p.line() as usize);
        let get = |k: &str| {
            headers
                .iter()
                .position(|h| h == k)
                .and_then(|i| rec.get(i))
                .map(str::to_string)
        };
        let row = Row {
            question: get("question"),
            answer: get("answer").or_else(|| get("sample_answer")),
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
}
