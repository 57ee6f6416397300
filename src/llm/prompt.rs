//! Prompt templates: embedded defaults in `prompts/`, overridable per file with `--prompts DIR`.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

const NAMES: &[(&str, &str)] = &[
    (
        "grade-system.md",
        include_str!("../../prompts/grade-system.md"),
    ),
    ("grade-user.md", include_str!("../../prompts/grade-user.md")),
    (
        "probe-system.md",
        include_str!("../../prompts/probe-system.md"),
    ),
    ("probe-user.md", include_str!("../../prompts/probe-user.md")),
    (
        "followup-system.md",
        include_str!("../../prompts/followup-system.md"),
    ),
    (
        "followup-user.md",
        include_str!("../../prompts/followup-user.md"),
    ),
    (
        "draft-system.md",
        include_str!("../../prompts/draft-system.md"),
    ),
    ("draft-user.md", include_str!("../../prompts/draft-user.md")),
    (
        "holistic-system.md",
        include_str!("../../prompts/holistic-system.md"),
    ),
    (
        "holistic-user.md",
        include_str!("../../prompts/holistic-user.md"),
    ),
];

/// The loaded templates.
#[derive(Debug, Clone)]
pub struct Prompts {
    map: BTreeMap<String, String>,
}

impl Prompts {
    /// Embedded templates, with files from `dir` replacing those of the same name.
    pub fn load(dir: Option<&Path>) -> Result<Prompts, String> {
        let mut map: BTreeMap<String, String> = NAMES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        if let Some(d) = dir {
            if !d.is_dir() {
                return Err(format!("--prompts {}: not a directory", d.display()));
            }
            for (n, _) in NAMES {
                let p = d.join(n);
                if p.exists() {
                    let t =
                        std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
                    map.insert(n.to_string(), t);
                }
            }
        }
        Ok(Prompts { map })
    }

    /// Render a template, replacing `{{key}}` with values.
    pub fn render(&self, name: &str, vars: &[(&str, &str)]) -> String {
        let mut s = self.map.get(name).cloned().unwrap_or_default();
        for (k, v) in vars {
            s = s.replace(&format!("{{{{{k}}}}}"), v);
        }
        s
    }

    /// Short hash of the grading templates (stored with each grade).
    pub fn grading_hash(&self) -> String {
        self.hash(&["grade-system.md", "grade-user.md"])
    }

    /// Short hash of the holistic grading templates (stored with each grade they made).
    pub fn holistic_hash(&self) -> String {
        self.hash(&["holistic-system.md", "holistic-user.md"])
    }

    fn hash(&self, names: &[&str]) -> String {
        let mut h = Sha256::new();
        for n in names {
            h.update(self.map.get(*n).map(|s| s.as_bytes()).unwrap_or_default());
        }
        h.finalize()
            .iter()
            .take(6)
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// A chat's messages: the system prompt, then the user's.
pub fn chat_messages(system: String, user: String) -> Vec<Value> {
    vec![
        json!({"role": "system", "content": system}),
        json!({"role": "user", "content": user}),
    ]
}

/// A random delimiter pair for untrusted text.
pub fn nonce_markers() -> (String, String) {
    let n: u64 = rand::random();
    (
        format!("<<<ANSWER {n:016x}>>>"),
        format!("<<<END ANSWER {n:016x}>>>"),
    )
}
