//! `viva grade --answer-audio` and `viva transcribe`: a recorded answer, transcribed, measured and (for grade)
//! graded.

use crate::bank::Bank;
use crate::cli::TranscribeArgs;
use crate::llm::Grader;
use crate::output::{json, outln, wrap, Style};
use crate::voice::stt::{self, SttConfig, SttError};
use crate::voice::{audio, view, wer, Delivery};
use anyhow::Result;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Read, transcribe and measure a recording.
fn listen(file: &Path, context: Option<&str>) -> Result<(String, Delivery, Duration)> {
    let pcm = audio::read_wav(file)?;
    let cfg = SttConfig::from_env().ok_or(SttError::NotConfigured)?;
    let (text, took) = stt::transcribe_blocking(&cfg, file, context)?;
    if text.trim().is_empty() {
        anyhow::bail!(
            "{}: nothing was recognised in the recording",
            file.display()
        );
    }
    let d = Delivery::measure(&text, &pcm);
    Ok((text, d, took))
}

fn show_transcript(text: &str, took: Duration, style: Style, width: usize) {
    outln(&format!(
        "{} {}\n{}",
        style.bold("Transcript"),
        style.dim(&format!("({:.1} s to transcribe)", took.as_secs_f64())),
        wrap(text, width, "  │ ")
    ));
}

/// `viva grade --question ID --answer-audio FILE.wav [--json]`.
pub fn grade_audio(
    id: &str,
    file: &Path,
    as_json: bool,
    bank: &Bank,
    grader: &Grader,
    style: Style,
) -> Result<i32> {
    let q = bank
        .get(id)
        .ok_or_else(|| anyhow::anyhow!(bank.unknown_id_message(id)))?;
    let (text, d, took) = listen(file, Some(&q.spec.prompt))?;
    super::grade::check_answer(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let g = crate::runtime()?.block_on(grader.grade_quiet(bank, q, None, &text));
    if as_json {
        let mut m = super::grade::grade_json(&g);
        m.insert("transcript".into(), json!(text));
        m.insert("delivery".into(), view::delivery_json(&d));
        m.insert("transcription_s".into(), json!(round2(took.as_secs_f64())));
        json(&Value::Object(m));
    } else {
        let w = crate::output::width();
        outln(&style.bold(&format!("{} — {}", q.spec.id, q.spec.title)));
        show_transcript(&text, took, style, w);
        outln(&crate::render::feedback(&g, style, w));
        outln(&view::delivery(&d, style, w));
    }
    Ok(0)
}

/// `viva transcribe FILE.wav [--reference TEXT] [--json]`.
pub fn transcribe(a: &TranscribeArgs, bank_dir: Option<&Path>, style: Style) -> Result<i32> {
    let context = match &a.question {
        Some(id) => {
            let bank = super::bank::load(bank_dir)?;
            let q = bank
                .get(id)
                .ok_or_else(|| anyhow::anyhow!(bank.unknown_id_message(id)))?;
            Some(q.spec.prompt.clone())
        }
        None => a.context.clone(),
    };
    let (text, d, took) = listen(&a.file, context.as_deref())?;
    let err = a.reference.as_deref().map(|r| wer::wer(r, &text));
    if a.json {
        let mut v = json!({
            "file": a.file.display().to_string(),
            "transcript": text,
            "transcription_s": round2(took.as_secs_f64()),
            "delivery": view::delivery_json(&d),
        });
        if let (Some(e), Some(r)) = (err, &a.reference) {
            v["reference"] = json!(r);
            v["wer"] = json!((e * 1000.0).round() / 1000.0);
        }
        json(&v);
    } else {
        let w = crate::output::width();
        show_transcript(&text, took, style, w);
        outln(&view::delivery(&d, style, w));
        if let Some(e) = err {
            outln(&format!("\n{} {:.3}", style.bold("Word error rate"), e));
        }
    }
    Ok(0)
}
