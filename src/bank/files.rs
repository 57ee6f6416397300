//! Where rubric files come from (the bank built into the binary, a directory on disk) and how validation points
//! into their text: the line of a needle, of a TOML error.

use super::{BankError, BankIssue};
use include_dir::{include_dir, Dir};
use std::collections::HashSet;
use std::path::Path;

static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/rubrics");

/// A raw file before parsing: (display path, text).
pub(super) type RawFile = (String, String);

/// What a directory holds: question files, lexicon files, and the problems met reading them.
pub(super) type Collected = (Vec<RawFile>, Vec<RawFile>, Vec<BankIssue>);

/// Whether a rubric file is a lexicon (it sits in a directory named `lexicon`) rather than a question.
pub(super) fn is_lexicon(path: &Path) -> bool {
    path.parent()
        .and_then(|x| x.file_name())
        .is_some_and(|n| n == "lexicon")
}

/// The rubric and lexicon files under `root`, and the problems met reading them (a file that is not UTF-8 is
/// reported with its line and skipped). Directory links are followed once: a link back to a directory already
/// walked (a loop) is not entered again.
pub(super) fn collect_dir(root: &Path) -> Result<Collected, BankError> {
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
                        issues.push(not_utf8(disp, &err));
                        continue;
                    }
                };
                if is_lexicon(&p) {
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

/// The problem of a file that is not UTF-8: the line and column of its first invalid byte.
fn not_utf8(file: String, err: &std::string::FromUtf8Error) -> BankIssue {
    let good = &err.as_bytes()[..err.utf8_error().valid_up_to()];
    let line = good.iter().filter(|b| **b == b'\n').count() + 1;
    let col = good.len() - good.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1) + 1;
    BankIssue {
        file,
        line,
        msg: format!("not UTF-8 text (invalid byte at column {col})"),
    }
}

/// The question files and the lexicon files of the bank built into the binary, each sorted by path.
pub(super) fn collect_embedded() -> (Vec<RawFile>, Vec<RawFile>) {
    fn walk(d: &Dir<'_>, q: &mut Vec<RawFile>, l: &mut Vec<RawFile>) {
        for f in d.files() {
            if f.path().extension().map(|x| x == "toml").unwrap_or(false) {
                let text = f.contents_utf8().unwrap_or_default().to_string();
                let disp = format!("rubrics/{}", f.path().display());
                if is_lexicon(f.path()) {
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

/// Add a directory's lexicon files to `lexicons`, each replacing the one of the same file name.
pub(super) fn replace_lexicons(lexicons: &mut Vec<RawFile>, own: Vec<RawFile>) {
    let names: HashSet<String> = own.iter().filter_map(|(p, _)| file_name(p)).collect();
    lexicons.retain(|(p, _)| file_name(p).map(|n| !names.contains(&n)).unwrap_or(true));
    lexicons.extend(own);
}

fn file_name(p: &str) -> Option<String> {
    Path::new(p)
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
}

/// The `id = "..."` of a question file, read without parsing it.
pub(super) fn peek_id(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        l.trim()
            .strip_prefix("id")
            .map(|r| r.trim_start())
            .and_then(|r| r.strip_prefix('='))
            .map(|r| r.trim().trim_matches('"').to_string())
    })
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

/// A TOML parse error as a bank problem: the line it points at and its message on one line.
pub(super) fn toml_issue(file: &str, src: &str, e: &toml::de::Error) -> BankIssue {
    let line = e
        .span()
        .map(|s| src[..s.start.min(src.len())].matches('\n').count() + 1)
        .unwrap_or(1);
    BankIssue {
        file: file.to_string(),
        line,
        msg: e.message().split_whitespace().collect::<Vec<_>>().join(" "),
    }
}
