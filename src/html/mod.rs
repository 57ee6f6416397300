//! Self-contained HTML pages (no network: inline CSS and SVG, inline scripts only, a strict CSP): the progress
//! report with charts and readable transcripts. Every piece of stored text goes through [`escape`].

pub mod charts;
pub mod report;
pub mod transcript;

/// Escape text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

const BASE_CSS: &str = r#"
:root { --fg: #1d2330; --muted: #5b6475; --line: #d9dee7; --bg: #ffffff; --panel: #f6f8fb; --accent: #2f6fdb;
  --good: #1f8a4c; --warn: #b7791f; --bad: #c53030; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: var(--fg); background: var(--bg); }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 18px 0 6px; }
.muted { color: var(--muted); }
.small { font-size: 13px; }
code, .id { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: 13px; }
blockquote { margin: 6px 0; padding: 6px 12px; border-left: 3px solid var(--line); background: var(--panel);
  white-space: pre-wrap; overflow-wrap: anywhere; }
.good { color: var(--good); } .warn { color: var(--warn); } .bad { color: var(--bad); }
"#;

/// A complete page. `script` (may be empty) is inlined at the end of the body.
pub fn page(title: &str, css: &str, body: &str, script: &str) -> String {
    let csp = if script.is_empty() {
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    } else {
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
    };
    let mut s = String::with_capacity(body.len() + 4096);
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    s.push_str(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n"
    ));
    s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    s.push_str(&format!("<title>{}</title>\n", escape(title)));
    s.push_str(&format!(
        "<style>{BASE_CSS}{css}</style>\n</head>\n<body>\n<main>\n"
    ));
    s.push_str(body);
    s.push_str("</main>\n");
    if !script.is_empty() {
        s.push_str(&format!("<script>{script}</script>\n"));
    }
    s.push_str("</body>\n</html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
        let p = page("a<b", "", "<p>x</p>", "");
        assert!(p.contains("<title>a&lt;b</title>"));
        assert!(!p.contains("<script"), "no script element without a script");
        assert!(p.contains("default-src 'none'"));
    }
}
