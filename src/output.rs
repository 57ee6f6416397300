//! Terminal output: colours that respect NO_COLOR and pipes, and writes that treat a closed pipe as a quiet end
//! (see [`OutputClosed`]).

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
}

/// The colour methods of [`Style`], one per SGR code.
macro_rules! colours {
    ($($(#[$doc:meta])* $name:ident = $code:literal;)*) => {
        impl Style {
            $(
                $(#[$doc])*
                pub fn $name(&self, s: &str) -> String {
                    self.paint($code, s)
                }
            )*
        }
    };
}

colours! {
    /// Bold.
    bold = "1";
    /// Dim.
    dim = "2";
    /// Green.
    good = "32";
    /// Yellow.
    warn = "33";
    /// Red.
    bad = "31";
    /// Cyan.
    accent = "36";
}

/// Write to stdout; a closed pipe (`viva sessions | head`) ends the command quietly with status 0, any other
/// write error (a full disk, `> /dev/full`) ends it with one line on stderr and status 1: output that did not
/// reach its destination must never look like success. Either way the command unwinds to `main` (see
/// [`OutputClosed`]), so destructors run.
pub fn out(s: &str) {
    out_raw(&neutralise(s, true));
}

/// JSON text to stdout, unchanged in meaning: serde already escapes C0 controls; DEL and C1 controls (which it
/// leaves raw) are escaped as `\u00XX`, so a terminal sees no control character and a parser the same string.
pub fn out_json(s: &str) {
    out_raw(&json_inert(s));
}

/// JSON text with DEL and C1 controls escaped as `\u00XX` (they can only occur inside strings).
pub fn json_inert(s: &str) -> std::borrow::Cow<'_, str> {
    let c1 = |c: char| ('\u{7f}'..='\u{9f}').contains(&c);
    // Bytes, not chars (megabytes of history): DEL is 0x7f, U+0080..U+009F are 0xc2 0x80..=0x9f in UTF-8.
    let b = s.as_bytes();
    let found = b
        .iter()
        .enumerate()
        .any(|(i, &x)| x == 0x7f || (x == 0xc2 && matches!(b.get(i + 1), Some(0x80..=0x9f))));
    if !found {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut t = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if c1(c) {
            t.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            t.push(c);
        }
    }
    std::borrow::Cow::Owned(t)
}

/// Standard output stopped taking what viva writes. Raised by [`out`] as an unwinding payload rather than an exit,
/// so every destructor on the way runs (the terminal is restored, the store flushed); `main` turns it into the
/// exit status: 0 for a reader that went away (`viva sessions | head`), 1 with one line for anything else.
#[derive(Debug)]
pub enum OutputClosed {
    /// The reader closed the pipe.
    Pipe,
    /// Another write error (a full disk, `> /dev/full`): the one-line message.
    Failed(String),
}

impl OutputClosed {
    /// The exit status for this payload, printing its line first; `None` when the payload is something else (a
    /// real panic, which must go on unwinding).
    pub fn exit_code(payload: &(dyn std::any::Any + Send)) -> Option<i32> {
        match payload.downcast_ref::<OutputClosed>()? {
            OutputClosed::Pipe => Some(0),
            OutputClosed::Failed(m) => {
                let _ = writeln!(std::io::stderr(), "viva: error: {m}");
                Some(1)
            }
        }
    }
}

/// `out` without neutralising control characters (JSON output, which escapes its own).
fn out_raw(s: &str) {
    let mut o = std::io::stdout().lock();
    if let Err(e) = o.write_all(s.as_bytes()).and_then(|_| o.flush()) {
        drop(o);
        let closed = if e.kind() == std::io::ErrorKind::BrokenPipe {
            OutputClosed::Pipe
        } else {
            OutputClosed::Failed(format!(
                "cannot write to standard output: {}",
                io_message(&e)
            ))
        };
        // Not a panic: no hook runs and nothing is printed; `main` catches the payload.
        std::panic::resume_unwind(Box::new(closed));
    }
}

/// Text made safe for a terminal or a Markdown file: control characters (C0 but newline and tab, DEL, C1) become
/// visible symbols (ESC shows as ␛), so an answer or an imported event cannot clear the screen, retitle the
/// window or write the clipboard (OSC 52). `keep_colours` lets exactly the colour sequences viva itself emits
/// (`ESC [ digits;… m`) through. A CR before a newline is dropped. Stored text is never changed: this is applied
/// on the way out.
pub fn neutralise(s: &str, keep_colours: bool) -> std::borrow::Cow<'_, str> {
    let bad =
        |c: char| (c.is_control() && c != '\n' && c != '\t') || ('\u{80}'..='\u{9f}').contains(&c);
    if !s.chars().any(bad) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let len = c.len_utf8();
        if c == '\u{1b}' && keep_colours {
            if let Some(n) = sgr_len(rest) {
                out.push_str(&rest[..n]);
                rest = &rest[n..];
                continue;
            }
        }
        if c == '\r' && rest[len..].starts_with('\n') {
            rest = &rest[len..];
            continue;
        }
        if bad(c) {
            out.push(match c as u32 {
                n @ 0..=0x1f => char::from_u32(0x2400 + n).unwrap_or('\u{fffd}'),
                0x7f => '\u{2421}',
                _ => '\u{fffd}',
            });
        } else {
            out.push(c);
        }
        rest = &rest[len..];
    }
    std::borrow::Cow::Owned(out)
}

/// Length of an SGR colour sequence (`ESC [ 0-9;… m`) at the start of `s`, if there is one.
fn sgr_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.len() < 3 || b[0] != 0x1b || b[1] != b'[' {
        return None;
    }
    let body = b[2..]
        .iter()
        .take(16)
        .take_while(|x| x.is_ascii_digit() || **x == b';')
        .count();
    (b.get(2 + body) == Some(&b'm')).then_some(3 + body)
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
        Ok(s) => out_json(&(s + "\n")),
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
    crate::settings::host().width
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        let osc52 = "ok\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2Jdone\r\nnext\rX\u{9b}2J";
        assert_eq!(
            neutralise(osc52, true),
            "ok\u{241b}]52;c;ZXZpbA==\u{2407}\u{241b}[2Jdone\nnext\u{240d}X\u{fffd}2J"
        );
        let colour = Style { color: true }.bold("hi");
        assert_eq!(neutralise(&colour, true), colour);
        assert_eq!(neutralise(&colour, false), "\u{241b}[1mhi\u{241b}[0m");
        assert!(matches!(
            neutralise("plain\ttext\n", true),
            std::borrow::Cow::Borrowed(_)
        ));
        let v = serde_json::json!({"t": "a\u{1b}b\u{9b}c\u{7f}"}).to_string();
        assert_eq!(v.matches('\u{9b}').count(), 1, "serde leaves C1 raw");
        let t = json_inert(&v);
        assert!(!t.contains('\u{9b}') && !t.contains('\u{7f}'));
        let back: serde_json::Value = serde_json::from_str(&t).unwrap();
        assert_eq!(back["t"], "a\u{1b}b\u{9b}c\u{7f}");
        // U+00A0..U+00FF share the lead byte of C1 controls and stay as they are.
        assert!(matches!(
            json_inert("\"\u{a1}\u{a0}\u{ff}\""),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(json_inert("\"\u{85}\""), "\"\\u0085\"");
        assert_eq!(json_inert("\"\u{9f}\u{7f}\""), "\"\\u009f\\u007f\"");
    }
}
