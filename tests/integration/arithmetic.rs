//! The figures the bank states (constraints rungs, criterion statements, references, quiz explanations) are
//! recomputed here from `tests/data/arithmetic/*.toml`: a wrong budget fails CI.

use crate::util::root;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(serde::Deserialize)]
struct Table {
    check: Vec<Check>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Check {
    question: String,
    claim: String,
    expr: String,
    expect: f64,
    stated: String,
    tol: f64,
}

/// A tiny evaluator for plain arithmetic: numbers, + - * / ^ (right-associative), unary minus, parentheses.
struct Expr<'a> {
    s: &'a [u8],
    i: usize,
}

impl Expr<'_> {
    fn eval(text: &str) -> Result<f64, String> {
        let mut p = Expr {
            s: text.as_bytes(),
            i: 0,
        };
        let v = p.sum()?;
        p.ws();
        if p.i != p.s.len() {
            return Err(format!("unexpected '{}' at {}", p.s[p.i] as char, p.i));
        }
        Ok(v)
    }
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn sum(&mut self) -> Result<f64, String> {
        let mut v = self.product()?;
        loop {
            if self.eat(b'+') {
                v += self.product()?;
            } else if self.eat(b'-') {
                v -= self.product()?;
            } else {
                return Ok(v);
            }
        }
    }
    fn product(&mut self) -> Result<f64, String> {
        let mut v = self.power()?;
        loop {
            if self.eat(b'*') {
                v *= self.power()?;
            } else if self.eat(b'/') {
                v /= self.power()?;
            } else {
                return Ok(v);
            }
        }
    }
    fn power(&mut self) -> Result<f64, String> {
        let base = self.unary()?;
        if self.eat(b'^') {
            Ok(base.powf(self.power()?))
        } else {
            Ok(base)
        }
    }
    fn unary(&mut self) -> Result<f64, String> {
        if self.eat(b'-') {
            return Ok(-self.unary()?);
        }
        if self.eat(b'(') {
            let v = self.sum()?;
            if !self.eat(b')') {
                return Err("missing ')'".into());
            }
            return Ok(v);
        }
        self.ws();
        let start = self.i;
        while self.i < self.s.len() && (self.s[self.i].is_ascii_digit() || self.s[self.i] == b'.') {
            self.i += 1;
        }
        std::str::from_utf8(&self.s[start..self.i])
            .unwrap_or("")
            .parse()
            .map_err(|_| format!("expected a number at {start}"))
    }
}

fn rubric_files(dir: &Path, out: &mut HashMap<String, PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rubric_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "toml") {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            out.insert(stem, p);
        }
    }
}

#[test]
fn evaluator_does_plain_arithmetic() {
    assert_eq!(Expr::eval("200 * 2").unwrap(), 400.0);
    assert_eq!(Expr::eval("2 ^ 3 ^ 2").unwrap(), 512.0);
    assert_eq!(Expr::eval("-(3 - 5) / 4").unwrap(), 0.5);
    assert!(
        Expr::eval("4 / 1e9").is_err(),
        "scientific notation is not plain arithmetic"
    );
    assert!(Expr::eval("2 +").is_err());
}

#[test]
fn every_stated_figure_recomputes() {
    let mut files = HashMap::new();
    rubric_files(&root().join("rubrics"), &mut files);
    let mut texts: HashMap<String, String> = HashMap::new();
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut per_question: HashMap<String, usize> = HashMap::new();
    let dir = root().join("tests/data/arithmetic");
    let mut tables: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    tables.sort();
    assert!(tables.len() >= 6, "one table per area expected in {dir:?}");
    for t in &tables {
        let table: Table = toml::from_str(&std::fs::read_to_string(t).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", t.display()));
        for c in table.check {
            checked += 1;
            *per_question.entry(c.question.clone()).or_default() += 1;
            let Some(path) = files.get(&c.question) else {
                failures.push(format!("{}: unknown question {}", t.display(), c.question));
                continue;
            };
            let text = texts
                .entry(c.question.clone())
                .or_insert_with(|| std::fs::read_to_string(path).unwrap());
            if !text.contains(&c.stated) {
                failures.push(format!(
                    "{}: \"{}\" is not stated in {}",
                    c.question,
                    c.stated,
                    path.display()
                ));
            }
            match Expr::eval(&c.expr) {
                Ok(v) => {
                    let rel = (v - c.expect).abs() / c.expect.abs().max(1e-300);
                    if rel > c.tol {
                        failures.push(format!(
                            "{}: {} = {v}, but the rubric states {} ({})",
                            c.question, c.expr, c.expect, c.claim
                        ));
                    }
                }
                Err(e) => failures.push(format!("{}: bad expr {:?}: {e}", c.question, c.expr)),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 300, "only {checked} figures checked");
    // Every question of the built-in bank has its figures in a table.
    let missing: Vec<&String> = files
        .keys()
        .filter(|q| q.starts_with("cv-") && !per_question.contains_key(*q))
        .collect();
    assert!(missing.is_empty(), "no arithmetic rows for {missing:?}");
}
