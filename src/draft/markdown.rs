//! Markdown kits: `## N. question` (or `### N. question`) headings, optional `id:`, `area:`, `difficulty:`,
//! `companies:` lines, and a `Sample answer:` paragraph; `# Heading` names the section.

use super::input::{err, Companies, DraftInput, InputError};

/// `key: value` lines a Markdown question may carry.
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let l = line.trim();
    let (k, v) = l.split_once(':')?;
    let k = k.trim().trim_matches('*').trim();
    k.eq_ignore_ascii_case(key)
        .then(|| v.trim().trim_matches('*').trim())
}

/// A question heading: `## question`, or a numbered `### N. question`; an unnumbered `###` heading is a
/// sub-heading inside the current question.
fn question_heading(l: &str) -> Option<&str> {
    if let Some(h) = l.strip_prefix("## ") {
        return Some(strip_number(h.trim()));
    }
    let h = l.strip_prefix("### ")?.trim();
    let q = strip_number(h);
    (q.len() < h.len()).then_some(q)
}

/// The questions of a Markdown kit. A second sample answer inside one question is an error naming its line
/// (the first is never dropped silently).
pub(super) fn markdown(file: &str, text: &str) -> Result<Vec<DraftInput>, InputError> {
    let mut out: Vec<DraftInput> = Vec::new();
    let mut heading: Option<String> = None;
    let mut cur: Option<DraftInput> = None;
    let mut in_answer = false;
    for (i, raw) in text.lines().enumerate() {
        let l = raw.trim();
        if let Some(q) = question_heading(l) {
            out.extend(cur.take());
            in_answer = false;
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
            if q.answer.is_some() {
                return Err(err(
                    file,
                    i + 1,
                    format!(
                        "a second sample answer for the question at {} (start another question with \"## N. question\")",
                        q.origin
                    ),
                ));
            }
            q.answer = Some(v.to_string()).filter(|s| !s.is_empty());
            in_answer = true;
        } else if !set_field(q, l) {
            if in_answer {
                let a = q.answer.get_or_insert_with(String::new);
                if !a.is_empty() {
                    a.push(' ');
                }
                a.push_str(l);
            } else if q.answer.is_none() && !l.starts_with('#') {
                // More of the question.
                q.question.push(' ');
                q.question.push_str(l);
            }
        }
    }
    out.extend(cur);
    Ok(out)
}

/// Take an `id:`, `area:`, `title:`, `difficulty:` or `companies:` line; false when the line is none of them.
fn set_field(q: &mut DraftInput, l: &str) -> bool {
    if let Some(v) = field(l, "id") {
        q.id = Some(v.to_string());
    } else if let Some(v) = field(l, "area") {
        q.area = Some(v.to_string());
    } else if let Some(v) = field(l, "title") {
        q.title = Some(v.to_string());
    } else if let Some(v) = field(l, "difficulty") {
        q.difficulty = Some(v.to_lowercase());
    } else if let Some(v) = field(l, "companies").or_else(|| field(l, "company")) {
        q.companies = Companies::Text(v.to_string()).tags();
    } else {
        return false;
    }
    true
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
        let qs = markdown("q.md", md).unwrap();
        assert_eq!(qs.len(), 2);
        assert_eq!(qs[0].id.as_deref(), Some("net-tcp"));
        assert_eq!(qs[0].answer.as_deref(), Some("A reliable byte stream."));
        assert_eq!(qs[0].heading.as_deref(), Some("Networking"));
        assert_eq!(qs[0].difficulty.as_deref(), Some("easy"));
        assert_eq!(qs[1].answer, None);
    }

    #[test]
    fn a_second_sample_answer_is_an_error_and_numbered_sub_headings_are_questions() {
        let md = "## 1. What does a 1x1 convolution do?\n\nSample answer: It mixes channels.\n\n### Extra detail\n\nSample answer: Dropout zeroes activations.\n";
        let e = markdown("md4.md", md).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("md4.md", 7));
        assert!(
            e.msg.contains("second sample answer") && e.msg.contains("md4.md:1"),
            "{e}"
        );
        let md = "## 1. What is a 1x1 convolution?\n\nSample answer: It mixes channels.\n\n### Why it matters\n\nIt is cheap.\n\n### 2. What is a depthwise convolution?\n\nSample answer:\nOne filter per channel.\n";
        let qs = markdown("k.md", md).unwrap();
        assert_eq!(qs.len(), 2);
        assert_eq!(qs[0].answer.as_deref(), Some("It mixes channels."));
        assert_eq!(qs[1].question, "What is a depthwise convolution?");
        assert_eq!(qs[1].answer.as_deref(), Some("One filter per channel."));
        assert_eq!(qs[1].origin, "k.md:9");
    }
}
