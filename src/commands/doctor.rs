//! `viva doctor`: what viva will use, and whether the model endpoint works (reachable, model, JSON-schema output).

use crate::output::{json, outln, Style};
use crate::settings::Settings;
use anyhow::Result;
use serde_json::{json, Value};

/// Run the checks; exit code 1 when a configured endpoint is unusable.
pub fn doctor(s: &Settings, as_json: bool, style: Style) -> Result<i32> {
    let mut report = json!({
        "store": s.store.display().to_string(),
        "bank": s.bank.as_ref().map(|b| b.display().to_string()),
        "grader_choice": format!("{:?}", s.grader).to_lowercase(),
    });
    let bank = crate::commands::bank::load(s.bank.as_deref());
    report["questions"] = json!(bank.as_ref().map(|b| b.questions.len()).ok());
    let mut ok = bank.is_ok();
    // The store's health, when there is one (doctor never creates it).
    if s.store.exists() {
        ok &= store_health(s, &mut report);
    }
    // Grading by meaning: a missing model is not a failure (grades fall back to patterns and say so).
    let model_installed = crate::embed::fetch::installed(&s.model_dir, false);
    report["semantic"] = json!({
        "model": crate::embed::fetch::MODEL_NAME,
        "dir": s.model_dir.display().to_string(),
        "installed": model_installed,
        "in_use": s.semantic && model_installed,
    });
    ok &= endpoint_health(s, &mut report)?;
    report["ok"] = json!(ok);
    if as_json {
        json(&report);
    } else {
        print_store(&report, style);
        outln(&format!(
            "  bank         {} questions {}",
            report["questions"],
            mark(bank.is_ok(), style)
        ));
        outln(&format!(
            "  meaning      {}",
            match (model_installed, s.semantic) {
                (true, true) => "on (the embedding model is installed)",
                (true, false) => "off by request (--no-semantic / VIVA_SEMANTIC / config)",
                (false, _) =>
                    "off: model not installed, grading by patterns alone (run `viva model fetch`)",
            }
        ));
        print_endpoint(&report, style);
    }
    Ok(if ok { 0 } else { 1 })
}

fn mark(b: bool, style: Style) -> String {
    if b {
        style.good("ok")
    } else {
        style.bad("FAIL")
    }
}

/// The store's unreadable records and its views' state, into `report`; false when a record is unreadable.
fn store_health(s: &Settings, report: &mut Value) -> bool {
    let mut ok = true;
    let opened = crate::store::Store::open(&s.store);
    match opened.as_ref().map_err(|e| e.to_string()).and_then(|st| {
        let bad = st.bad_records().map_err(|e| e.to_string())?;
        let views = st.views_status().map_err(|e| e.to_string())?;
        Ok((bad, views))
    }) {
        Ok((bad, (meta, log_pos))) => {
            ok &= bad.is_empty();
            report["store_unreadable_records"] = json!(bad.len());
            // The views are a cache of the log: behind or missing is not a failure, they are rebuilt.
            report["views"] = match meta {
                Some(m) => json!({
                    "version": m.version, "current_version": crate::store::views::VIEWS_VERSION,
                    "reflects": m.pos, "log_position": log_pos,
                    "up_to_date": m.version == crate::store::views::VIEWS_VERSION && m.pos == log_pos && !m.refold,
                    "sessions": m.sessions, "answers": m.answers,
                }),
                None => json!({"up_to_date": false, "log_position": log_pos}),
            };
        }
        Err(e) => report["store_error"] = json!(e),
    }
    ok
}

/// The endpoint: reachable, its model listed, JSON output working; into `report`. False when it is unusable.
fn endpoint_health(s: &Settings, report: &mut Value) -> Result<bool> {
    let mut ok = true;
    match &s.llm {
        None => {
            report["grader"] = json!("offline");
            report["endpoint"] = Value::Null;
        }
        Some(l) => {
            report["endpoint"] = json!({"base_url": crate::llm::redact::redact(&l.base_url, None), "api_key": if l.api_key.is_some() { "set" } else { "not set" }, "timeout_s": l.timeout});
            match crate::llm_grader(s) {
                Err(e) => {
                    report["endpoint"]["error"] = json!(format!("{e:#}"));
                    ok = false;
                }
                Ok(g) => {
                    let rt = crate::runtime()?;
                    let models = rt.block_on(g.client.models());
                    let model = g.client.cfg.model.clone();
                    report["endpoint"]["model"] = json!(model);
                    report["endpoint"]["models_listed"] = json!(models);
                    report["endpoint"]["model_listed"] =
                        json!(models.as_ref().map(|m| m.contains(&model)));
                    let schema = json!({"type": "object", "additionalProperties": false, "required": ["ok"], "properties": {"ok": {"type": "boolean"}}});
                    let msgs = vec![
                        json!({"role": "user", "content": "Reply with the JSON object {\"ok\": true} and nothing else."}),
                    ];
                    match rt.block_on(g.client.chat(&msgs, Some(&schema), 20, &mut |_| {})) {
                        Ok(c) => {
                            let parsed = serde_json::from_str::<Value>(c.content.trim())
                                .ok()
                                .or_else(|| crate::llm::first_json_object(&c.content));
                            let good = parsed.map(|v| v["ok"].is_boolean()).unwrap_or(false);
                            report["endpoint"]["json_output"] = json!({"works": good, "format": c.format, "latency_ms": c.latency_ms});
                            ok &= good;
                        }
                        Err(e) => {
                            report["endpoint"]["json_output"] =
                                json!({"works": false, "error": e.to_string()});
                            ok = false;
                        }
                    }
                    report["grader"] = json!(match s.grader {
                        crate::cli::GraderChoice::Offline => "offline".to_string(),
                        _ => g.name(),
                    });
                }
            }
        }
    }
    Ok(ok)
}

/// The store lines of the text report.
fn print_store(report: &Value, style: Style) {
    outln(&style.bold("viva doctor"));
    outln(&format!(
        "  store        {}",
        report["store"].as_str().unwrap_or("")
    ));
    if let Some(n) = report["store_unreadable_records"].as_u64() {
        if n > 0 {
            outln(&format!(
                "  records      {} {n} unreadable record(s): run `viva repair` to move them aside",
                style.bad("FAIL")
            ));
        }
    }
    if let Some(e) = report["store_error"].as_str() {
        outln(&format!("  records      not checked ({e})"));
    }
    if let Some(v) = report["views"].as_object() {
        if v["up_to_date"].as_bool() == Some(true) {
            outln(&format!(
                "  views        up to date ({} session(s), {} graded answer(s), log position {})",
                v["sessions"], v["answers"], v["log_position"]
            ));
        } else {
            outln("  views        behind the log: the next `viva due`, `viva report` or interview catches them up (or run `viva repair --views`)");
        }
    }
}

/// The grader and endpoint lines of the text report.
fn print_endpoint(report: &Value, style: Style) {
    outln(&format!(
        "  grader       {} (choice: {})",
        report["grader"].as_str().unwrap_or("?"),
        report["grader_choice"].as_str().unwrap_or("")
    ));
    if let Some(e) = report["endpoint"].as_object() {
        outln(&format!(
            "  endpoint     {}",
            e["base_url"].as_str().unwrap_or("")
        ));
        outln(&format!(
            "  api key      {}",
            e["api_key"].as_str().unwrap_or("")
        ));
        if let Some(err) = e.get("error") {
            outln(&format!(
                "  problem      {} {}",
                style.bad("FAIL"),
                err.as_str().unwrap_or("")
            ));
        }
        if let Some(m) = e.get("model") {
            let listed = match e.get("model_listed").and_then(|v| v.as_bool()) {
                Some(true) => "listed by the endpoint".to_string(),
                Some(false) => "not in the endpoint's list".to_string(),
                None => "endpoint has no model list".to_string(),
            };
            outln(&format!(
                "  model        {} ({listed})",
                m.as_str().unwrap_or("")
            ));
        }
        if let Some(j) = e.get("json_output") {
            let works = j["works"].as_bool().unwrap_or(false);
            let detail = j
                .get("error")
                .and_then(|x| x.as_str())
                .map(String::from)
                .unwrap_or_else(|| {
                    format!(
                        "{} in {} ms",
                        j["format"].as_str().unwrap_or(""),
                        j["latency_ms"]
                    )
                });
            outln(&format!("  JSON output  {} ({detail})", mark(works, style)));
        }
    } else {
        outln("  endpoint     none (set VIVA_LLM_BASE_URL to grade with a model)");
    }
}
