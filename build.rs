//! Rebuild when the embedded rubric bank or prompt templates change, and write a JSON mirror of the bank.
//!
//! The mirror (`$OUT_DIR/rubrics.jsonl`: a header with the number of files, then one line per file: its path, the
//! line of `reference =`, and its content as JSON, separated by tabs) is what the
//! start-up path reads (`bank::lazy::outline`): JSON parses several times faster than TOML, and most of starting an
//! interview used to be parsing the bank. It is a plain TOML-to-JSON conversion, so the rubric schema lives in one
//! place (`bank::spec`). A file that does not parse is left out: at run time it is read from its TOML, where the
//! full load reports the problem with file and line; `viva bank check` always reads the TOML.
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=rubrics");
    println!("cargo:rerun-if-changed=prompts");
    let mut rubrics = Vec::new();
    for dir in ["rubrics", "prompts"] {
        let mut stack = vec![PathBuf::from(dir)];
        while let Some(d) = stack.pop() {
            if let Ok(rd) = std::fs::read_dir(&d) {
                for e in rd.flatten() {
                    let p = e.path();
                    println!("cargo:rerun-if-changed={}", p.display());
                    if p.is_dir() {
                        stack.push(p);
                    } else if dir == "rubrics" && p.extension().is_some_and(|x| x == "toml") {
                        rubrics.push(p);
                    }
                }
            }
        }
    }
    rubrics.sort_by_key(|p| slash(p));
    // A header with the number of files, so a reader can tell whether every file made it.
    let mut out = format!("files\t{}\n", rubrics.len());
    for p in &rubrics {
        let Ok(text) = std::fs::read_to_string(p) else {
            continue;
        };
        let Ok(v) = toml::from_str::<toml::Value>(&text) else {
            continue;
        };
        let Ok(json) = serde_json::to_string(&v) else {
            continue;
        };
        let rel = p.strip_prefix("rubrics").unwrap_or(p);
        // The line of `reference =` (what the full load records for `bank check`), 1 when absent.
        let reference_line = text
            .find("reference =")
            .map(|i| text[..i].matches('\n').count() + 1)
            .unwrap_or(1);
        out.push_str(&format!(
            "rubrics/{}\t{reference_line}\t{json}\n",
            slash(rel)
        ));
    }
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("rubrics.jsonl");
    std::fs::write(dest, out).expect("writing the rubric mirror");
}

/// A relative path with forward slashes (the embedded bank's display paths).
fn slash(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}
