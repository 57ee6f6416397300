//! Terminal output: colours that respect NO_COLOR and pipes, and writes that treat a closed pipe as a quiet exit.

use std::io::Write;
use std::path::Path;

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

/// Write to stdout; a closed pipe (`viva sessions | head`) ends the process quietly with status 0, any other
/// write error (a full disk, `> /dev/full`) ends it with one line on stderr and status 1: output that did not
/// reach its destination must never look like success.
pub fn out(s: &str) {
    let mut o = std::io::stdout().lock();
    if let Err(e) = o.write_all(s.as_bytes()).and_then(|_| o.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        drop(o);
        let _ = writeln!(
            std::io::stderr(),
            "viva: error: cannot write to standard output: {}",
            io_message(&e)
        );
        std::process::exit(1);
    }
}

/// An IO error as a short human message ("No space left on device", not "(os error 28)").
pub fn io_message(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Write `text` to the file `path` for `-o FILE` / `--html FILE`.
///
/// - An existing regular file is replaced only with `force`; otherwise the error says to add `--force`.
/// - A character device or FIFO (`/dev/null`, a named pipe) is written to in place, never replaced.
/// - Any other special file (directory, block device, socket) is refused.
/// - A regular file is written atomically: a temp file beside it, fsync, rename. On any error the temp file is
///   removed, so a full disk leaves neither a half-written file nor a temp file behind.
pub fn write_file(path: &Path, text: &[u8], force: bool) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::os::unix::fs::FileTypeExt;
    let shown = path.display();
    if let Ok(meta) = std::fs::metadata(path) {
        let ft = meta.file_type();
        if ft.is_char_device() || ft.is_fifo() {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .with_context(|| format!("cannot write {shown}"))?;
            return f
                .write_all(text)
                .and_then(|_| f.flush())
                .map_err(|e| anyhow::anyhow!("cannot write {shown}: {}", io_message(&e)));
        }
        if !ft.is_file() {
            anyhow::bail!("cannot write {shown}: not a regular file");
        }
        if !force {
            anyhow::bail!("{shown} already exists; add --force to replace it");
        }
    }
    let name = path
        .file_name()
        .ok_or_else(|| anyhow::anyhow!("cannot write {shown}: not a file name"))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.viva-tmp", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let res = (|| -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(text)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        anyhow::bail!("cannot write {shown}: {}", io_message(&e));
    }
    Ok(())
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
