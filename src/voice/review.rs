//! Reviewing a transcript before it is graded: Enter accepts, `/edit` corrects it (`$VISUAL`/`$EDITOR`, else the
//! line pre-filled for editing), `/redo` answers again; any other `/command` passes through.

use crate::output::{outln, wrap, Style};
use anyhow::{Context, Result};
use rustyline::error::ReadlineError;
use rustyline::DefaultEditor;

/// What the candidate decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Grade this text.
    Accept(String),
    /// Discard and answer again.
    Redo,
    /// A command typed instead (`/skip`, `/quit`, …).
    Command(String),
}

fn warn(style: Style, m: &str) {
    outln(&style.warn(m));
}

/// Show the choices and read one.
pub fn confirm(
    ed: &mut DefaultEditor,
    mut text: String,
    style: Style,
    width: usize,
) -> Result<Verdict> {
    let hint = style.dim("Enter grades this transcript · /edit corrects it · /redo answers again");
    outln(&hint);
    loop {
        match ed.readline("> ") {
            Ok(l) if l.trim().is_empty() => return Ok(Verdict::Accept(text)),
            Ok(l) if l.trim() == "/edit" || l.trim() == "/e" => {
                text = edit(ed, &text, style)?;
                outln(&format!(
                    "{}\n{}",
                    style.bold("Transcript (edited)"),
                    wrap(&text, width, "  │ ")
                ));
                outln(&hint);
            }
            Ok(l) if l.trim() == "/redo" => return Ok(Verdict::Redo),
            Ok(l) if l.trim_start().starts_with('/') => {
                return Ok(Verdict::Command(l.trim().to_string()))
            }
            Ok(_) => outln(&hint),
            Err(ReadlineError::Interrupted) => return Ok(Verdict::Redo),
            Err(ReadlineError::Eof) => return Ok(Verdict::Accept(text)),
            Err(e) => return Err(anyhow::anyhow!("reading from the terminal: {e}")),
        }
    }
}

/// `$VISUAL`/`$EDITOR` on the transcript, else a one-line re-entry pre-filled with it.
pub fn edit(ed: &mut DefaultEditor, text: &str, style: Style) -> Result<String> {
    let host = crate::settings::host();
    if let Some(cmd) = host.editor.clone() {
        let tmp = host
            .temp_dir
            .join(format!("viva-transcript-{}.txt", std::process::id()));
        std::fs::write(&tmp, format!("{text}\n"))
            .context("writing the transcript for the editor")?;
        let st = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{cmd} \"$1\""))
            .arg("sh")
            .arg(&tmp)
            .status();
        let edited = std::fs::read_to_string(&tmp).unwrap_or_default();
        let _ = std::fs::remove_file(&tmp);
        match st {
            Ok(s) if s.success() && !edited.trim().is_empty() => {
                return Ok(edited.split_whitespace().collect::<Vec<_>>().join(" "))
            }
            Ok(s) if s.success() => {
                warn(
                    style,
                    "The edited transcript is empty; keeping the original.",
                );
                return Ok(text.to_string());
            }
            _ => warn(
                style,
                &format!("The editor '{cmd}' failed; edit the line instead."),
            ),
        }
    }
    match ed.readline_with_initial("edit> ", (text, "")) {
        Ok(l) if !l.trim().is_empty() => Ok(l.trim().to_string()),
        Ok(_) | Err(ReadlineError::Interrupted) | Err(ReadlineError::Eof) => Ok(text.to_string()),
        Err(e) => Err(anyhow::anyhow!("reading from the terminal: {e}")),
    }
}
