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

fn err(file: &str, line: usize, msg: impl Into<String>) -> InputError {
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
        "md" | "markdown" => Ok(markdown(&name, &text)),
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
enum Companies {
    #[default]
    None,
    List(Vec<String>),
    Text(String),
}

impl Companies {
    fn tags(&self) -> Vec<String> {
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

/// `key: value` lines a Markdown question may carry.
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let l = line.trim();
    let (k, v) = l.split_once(':')?;
    let k = k.trim().trim_matches('*').trim();
    k.eq_ignore_ascii_case(key)
        .then(|| v.trim().trim_matches('*').trim())
}

fn markdown(file: &str, text: &str) -> Vec<DraftInput> {
    let mut out: Vec<DraftInput> = Vec::new();
    let mut heading: Option<String> = None;
    let mut cur: Option<DraftInput> = None;
    let mut in_answer = false;
    for (i, raw) in text.lines().enumerate() {
        let l = raw.trim();
        if let Some(h) = l.strip_prefix("## ") {
            out.extend(cur.take());
            in_answer = false;
            let q = strip_number(h.trim());
            cur = Some(DraftInput {
                heading: heading.clone(),
                question: q.to_string(),
                origin: format!("{file}:{}", i + 1),
                ..Default::default()
            });
            continue;
        }
        if let Some(h) = l.strip_prefix("# ") {
            out.extend(cur.take());
            in_answer = false;
            heading = Some(h.trim().to_string());
            continue;
        }
        let Some(q) = cur.as_mut() else { continue };
        if l.is_empty() {
            in_answer = false;
            continue;
        }
        if let Some(v) = field(l, "sample answer").or_else(|| field(l, "answer")) {
            q.answer = Some(v.to_string()).filter(|s| !s.is_empty());
            in_answer = true;
        } else if let Some(v) = field(l, "id") {
            q.id = Some(v.to_string());
        } else if let Some(v) = field(l, "area") {
            q.area = Some(v.to_string());
        } else if let Some(v) = field(l, "title") {
            q.title = Some(v.to_string());
        } else if let Some(v) = field(l, "difficulty") {
            q.difficulty = Some(v.to_lowercase());
        } else if let Some(v) = field(l, "companies").or_else(|| field(l, "company")) {
            q.companies = Companies::Text(v.to_string()).tags();
        } else if in_answer {
            let a = q.answer.get_or_insert_with(String::new);
            if !a.is_empty() {
                a.push(' ');
            }
            a.push_str(l);
        } else if q.answer.is_none() {
            // More of the question.
            q.question.push(' ');
            q.question.push_str(l);
        }
    }
    out.extend(cur);
    out
}

fn strip_number(h: &str) -> &str {
    let digits = h.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 {
        let rest = &h[digits..];
        if let Some(r) = rest.strip_prefix('.').or_else(|| rest.strip_prefix(')')) {
            return r.trim();
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_questions() {
        let md = "# Networking\n\n## 1. What is TCP?\n\nid: net-tcp\ndifficulty: Easy\n\nSample answer: A reliable\nbyte stream.\n\n## 2. What is UDP?\n";
        let qs = markdown("q.md", md);
        assert_eq!(qs.len(), 2);
        assert_eq!(qs[0].id.as_deref(), Some("net-tcp"));
        assert_eq!(qs[0].answer.as_deref(), Some("A reliable byte stream."));
        assert_eq!(qs[0].heading.as_deref(), Some("Networking"));
        assert_eq!(qs[0].difficulty.as_deref(), Some("easy"));
        assert_eq!(qs[1].answer, None);
    }

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
