//! Terminal output: colours that respect NO_COLOR and pipes, and writes that treat a closed pipe as a quiet exit.

use std::io::Write;

/// Colour styling; all methods return plain text when colour is off.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Whether to emit ANSI colours.
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    /// Bold.
    pub fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    /// Dim.
    pub fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    /// Green.
    pub fn good(&self, s: &str) -> String {
        self.paint("32", s)
    }
    /// Yellow.
    pub fn warn(&self, s: &str) -> String {
        self.paint("33", s)
    }
    /// Red.
    pub fn bad(&self, s: &str) -> String {
        self.paint("31", s)
    }
    /// Cyan.
    pub fn accent(&self, s: &str) -> String {
        self.paint("36", s)
    }
}

/// Write to stdout; a closed pipe (`viva sessions | head`) ends the process quietly with status 0.
pub fn out(s: &str) {
    let mut o = std::io::stdout().lock();
    if let Err(e) = o.write_all(s.as_bytes()).and_then(|_| o.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

/// `out` with a trailing newline.
pub fn outln(s: &str) {
    let mut t = String::with_capacity(s.len() + 1);
    t.push_str(s);
    t.push('\n');
    out(&t);
}

/// Pretty JSON to stdout.
pub fn json<T: serde::Serialize>(v: &T) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => outln(&s),
        Err(e) => eprintln!("viva: error: cannot encode JSON: {e}"),
    }
}

/// Wrap text to `width` columns with an indent on every line.
pub fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    for para in text.split("\n\n") {
        let mut line = String::from(indent);
        let mut empty = true;
        for w in para.split_whitespace() {
            if !empty && line.chars().count() + 1 + w.chars().count() > width {
                out.push_str(line.trim_end());
                out.push('\n');
                line = String::from(indent);
                empty = true;
            }
            if !empty {
                line.push(' ');
            }
            line.push_str(w);
            empty = false;
        }
        if !empty {
            out.push_str(&line);
            out.push('\n');
        }
        out.push('\n');
    }
    out.trim_end_matches('\n').to_string()
}

/// Terminal width (COLUMNS, else 80), clamped to a readable range.
pub fn width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(80usize)
        .clamp(40, 100)
}
