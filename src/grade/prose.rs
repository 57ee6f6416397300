//! Text that is not prose (issue 16, item 9): encoded blobs, random strings, runs of symbols or of bare numbers,
//! lists of identifiers and tables of such cells. None of it earns criterion credit, whatever words it hides, and
//! an answer made mostly of it is flagged `non_prose` and capped. A block of code (see
//! [`super::detect::code_lines`]), a formula, a number with its unit and a bullet list of claims are prose here:
//! each rule below asks for a shape that none of them has.

/// Byte ranges of the parts of `text` that are not prose, and their share of its non-blank characters.
pub fn non_prose(text: &str) -> (Vec<(usize, usize)>, f64) {
    let code = super::detect::code_lines(text);
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if !code.iter().any(|(a, _)| *a == at) {
            lines.push((at, line));
        }
        at += line.len();
    }
    let tables = table_lines(&lines);
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for (k, (start, line)) in lines.iter().enumerate() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        if tables.contains(&k) || symbol_line(t) || id_line(t) {
            ranges.push((start + lead, start + lead + t.len()));
            continue;
        }
        words_not_prose(line, *start, &mut ranges);
    }
    let blank = |s: &str| s.chars().filter(|c| !c.is_whitespace()).count();
    let total = blank(text);
    if total == 0 || ranges.is_empty() {
        return (ranges, 0.0);
    }
    let off: usize = ranges.iter().map(|&(a, b)| blank(&text[a..b])).sum();
    (ranges, off as f64 / total as f64)
}

/// `text` with its parts that are not prose blanked out (byte offsets unchanged): the text that may earn credit.
pub fn prose_only(text: &str) -> std::borrow::Cow<'_, str> {
    let (ranges, _) = non_prose(text);
    if ranges.is_empty() {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(super::detect::blank(text, &ranges))
    }
}

/// Whether an answer is mostly not prose: at least half of its non-blank characters, and 20 or more of them.
pub fn mostly_not_prose(text: &str, ranges: &[(usize, usize)], share: f64) -> bool {
    let off: usize = ranges
        .iter()
        .map(|&(a, b)| text[a..b].chars().filter(|c| !c.is_whitespace()).count())
        .sum();
    share >= 0.5 && off >= 20
}

/// A line of symbols: four or more non-blank characters, under a quarter of them letters or digits (Morse, rules,
/// emoji rows, "| ✓ | ✓ |"). Formulas keep their letters ("IoU = |A ∩ B| / |A ∪ B|" is half letters).
fn symbol_line(t: &str) -> bool {
    let chars: Vec<char> = t.chars().filter(|c| !c.is_whitespace()).collect();
    let alnum = chars.iter().filter(|c| c.is_alphanumeric()).count();
    chars.len() >= 4 && alnum * 4 < chars.len()
}

/// Verdict words that may sit beside identifiers in a pasted list.
const VERDICTS: &[&str] = &[
    "met", "partial", "missed", "yes", "no", "true", "false", "ok", "pass", "passed", "fail",
    "covered",
];

/// A line that is a list of identifiers: three or more labels (`dense-anchors`, `rpn_loss`, `item:3`), and
/// nothing else but verdict words, numbers and symbols. A bullet's marker is not a word.
fn id_line(t: &str) -> bool {
    let mut ids = 0;
    for w in t.split(|c: char| c.is_whitespace() || ",;|".contains(c)) {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        if w.is_empty() || is_number(w) || VERDICTS.contains(&w.to_lowercase().as_str()) {
            continue;
        }
        if !is_id(w) {
            return false;
        }
        ids += 1;
    }
    ids >= 3
}

/// A label: letters and digits joined by `-`, `_`, `:`, `#`, `.` or `/` (not a number like 1.5 or 1,000).
fn is_id(w: &str) -> bool {
    let cs: Vec<char> = w.chars().collect();
    (1..cs.len().saturating_sub(1)).any(|i| {
        "-_:#./".contains(cs[i]) && cs[i - 1].is_alphanumeric() && cs[i + 1].is_alphanumeric()
    }) && w.chars().any(|c| c.is_alphabetic())
}

/// An item code: one letter and one or two digits (C1, Q12).
fn short_code(w: &str) -> bool {
    let mut cs = w.chars();
    cs.next().is_some_and(|c| c.is_ascii_alphabetic())
        && (2..=3).contains(&w.len())
        && cs.all(|c| c.is_ascii_digit())
}

/// A number as written: digits with separators (`12`, `0.5`, `1,000`, `-3`).
fn is_number(w: &str) -> bool {
    let w = w.trim_start_matches(['-', '+']);
    w.starts_with(|c: char| c.is_ascii_digit())
        && w.chars().all(|c| c.is_ascii_digit() || ".,".contains(c))
}

/// Indices (into `lines`) of the rows of tables that say nothing: a table is two or more consecutive lines split
/// into the same number (two or more) of cells by `|`, a tab, or a comma or semicolon with no space after it (CSV);
/// its rows without a word of language in any cell are not prose when there are two or more of them.
fn table_lines(lines: &[(usize, &str)]) -> Vec<usize> {
    let cells = |t: &str| -> Option<Vec<String>> {
        let t = t.trim().trim_matches('|');
        let cs: Vec<char> = t.chars().collect();
        // A comma or semicolon between digits is a thousands separator (21,546), not a cell boundary.
        let splits = |sep: char| -> Vec<usize> {
            (0..cs.len())
                .filter(|&i| cs[i] == sep)
                .filter(|&i| {
                    sep == '|'
                        || sep == '\t'
                        || !(i > 0
                            && cs[i - 1].is_ascii_digit()
                            && cs.get(i + 1).is_some_and(char::is_ascii_digit))
                })
                .collect()
        };
        let at = ['|', '\t', ',', ';'].into_iter().find_map(|sep| {
            let at = splits(sep);
            let csv = sep == ',' || sep == ';';
            // CSV cells follow their separator without a space; a prose list puts one there.
            let ok = !at.is_empty()
                && (!csv
                    || at
                        .iter()
                        .all(|&i| cs.get(i + 1).is_some_and(|c| !c.is_whitespace())));
            ok.then_some(at)
        })?;
        let mut out = Vec::new();
        let mut from = 0;
        for i in at.into_iter().chain([cs.len()]) {
            out.push(cs[from..i].iter().collect::<String>().trim().to_string());
            from = i + 1;
        }
        (out.len() >= 2).then_some(out)
    };
    let rows: Vec<Option<Vec<String>>> = lines.iter().map(|(_, l)| cells(l)).collect();
    // A row says nothing when no cell holds a word of language: ticks and symbols, numbers, identifiers, item codes
    // (C1, Q12) and verdicts only. A row with a word or a figure with its unit in it ("| head, 300 proposals | 6 ms
    // |", "| int8 | 4x |") is prose.
    let mute = |cs: &Vec<String>| {
        cs.iter().all(|c| {
            c.split_whitespace().all(|w| {
                let w = w.trim_matches(|ch: char| !ch.is_alphanumeric());
                !w.chars().any(char::is_alphabetic)
                    || is_number(w)
                    || is_id(w)
                    || short_code(w)
                    || VERDICTS.contains(&w.to_lowercase().as_str())
            })
        })
    };
    let mut out = Vec::new();
    let mut k = 0;
    while k < rows.len() {
        let Some(n) = rows[k].as_ref().map(Vec::len) else {
            k += 1;
            continue;
        };
        let run = rows[k..]
            .iter()
            .take_while(|r| r.as_ref().is_some_and(|cs| cs.len() == n))
            .count();
        let quiet: Vec<usize> = (k..k + run)
            .filter(|&i| rows[i].as_ref().is_some_and(mute))
            .collect();
        if run >= 2 && quiet.len() >= 2 {
            out.extend(quiet);
        }
        k += run;
    }
    out
}

/// Words of a prose line that are not prose: encoded blobs and random strings, runs of four or more words without
/// a letter or digit, runs of six or more bare numbers.
fn words_not_prose(line: &str, start: usize, out: &mut Vec<(usize, usize)>) {
    let mut words: Vec<(usize, &str)> = Vec::new();
    let mut from = None;
    for (i, c) in line.char_indices() {
        match (c.is_whitespace(), from) {
            (false, None) => from = Some(i),
            (true, Some(f)) => {
                words.push((f, &line[f..i]));
                from = None;
            }
            _ => {}
        }
    }
    if let Some(f) = from {
        words.push((f, &line[f..]));
    }
    let mut k = 0;
    while k < words.len() {
        let (i, w) = words[k];
        let core = w.trim_matches(|c: char| "\"'()[]{}<>.,;:!?*`".contains(c));
        if blob(core) {
            out.push((start + i, start + i + w.len()));
            k += 1;
            continue;
        }
        for (kind, min) in [(Run::Symbols, 4), (Run::Numbers, 6)] {
            let n = words[k..].iter().take_while(|(_, w)| kind.holds(w)).count();
            if n >= min {
                let (j, last) = words[k + n - 1];
                out.push((start + i, start + j + last.len()));
                k += n - 1;
                break;
            }
        }
        k += 1;
    }
}

#[derive(Clone, Copy)]
enum Run {
    Symbols,
    Numbers,
}

impl Run {
    fn holds(self, w: &str) -> bool {
        match self {
            Run::Symbols => !w.chars().any(char::is_alphanumeric),
            Run::Numbers => is_number(w.trim_end_matches([',', ';', '.'])),
        }
    }
}

/// One word that is not a word of any language: a long base64 or hex run, a long bare digit string, letters and
/// digits shuffled together ("aZ3kQ9pX"), a letter or symbol repeated five times, or six consonants in a row.
fn blob(w: &str) -> bool {
    let n = w.chars().count();
    if n < 5 {
        return false;
    }
    let digits = w.chars().filter(char::is_ascii_digit).count();
    let letters = w.chars().filter(|c| c.is_alphabetic()).count();
    // Base64 or hex: a long run of their alphabet, with digits among the letters or letters of both cases mixed.
    let b64 = n >= 20
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c))
        && letters >= 2
        && (digits >= 2 || case_changes(w) * 3 >= n);
    let long_number = digits >= 12 && w.chars().all(|c| c.is_ascii_digit() || ".,".contains(c));
    // Letters of both cases and digits shuffled: three letter groups and two digit groups ("x1y1x2y2", a box
    // format, has one case and stays a word).
    let shuffled = n >= 8
        && w.chars().all(|c| c.is_ascii_alphanumeric())
        && case_changes(w) >= 2
        && groups(w, |c| c.is_ascii_digit()) >= 2
        && groups(w, |c| c.is_ascii_alphabetic()) >= 3;
    let repeated = w
        .chars()
        .collect::<Vec<_>>()
        .windows(5)
        .any(|x| !x[0].is_ascii_digit() && x.iter().all(|c| *c == x[0]));
    let consonants = w.chars().all(|c| c.is_ascii_alphabetic())
        && !w.chars().all(|c| c.is_ascii_uppercase())
        && longest(w, |c| !"aeiouyAEIOUY".contains(c)) >= 6;
    b64 || long_number || shuffled || repeated || consonants
}

/// Changes between lower and upper case letters along a word.
fn case_changes(w: &str) -> usize {
    let cs: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
    cs.windows(2)
        .filter(|p| p[0].is_uppercase() != p[1].is_uppercase())
        .count()
}

/// Maximal groups of characters that satisfy `f`.
fn groups(w: &str, f: impl Fn(char) -> bool) -> usize {
    let mut n = 0;
    let mut inside = false;
    for c in w.chars() {
        if f(c) && !inside {
            n += 1;
        }
        inside = f(c);
    }
    n
}

/// The longest run of characters that satisfy `f`.
fn longest(w: &str, f: impl Fn(char) -> bool) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in w.chars() {
        run = if f(c) { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn off(text: &str) -> Vec<&str> {
        non_prose(text)
            .0
            .iter()
            .map(|&(a, b)| &text[a..b])
            .collect()
    }

    #[test]
    fn shapes_that_are_not_prose() {
        for (text, part) in [
            (
                "Anchors tile the map. dGhlIGFuY2hvcnMgYXJlIGdvb2QgYW5kIGRlbnNl",
                "dGhlIGFuY2hvcnMgYXJlIGdvb2QgYW5kIGRlbnNl",
            ),
            (
                "Anchors tile the map.\n.- -. -.-. .... --- .-. ...",
                ".- -. -.-. .... --- .-. ...",
            ),
            ("They are dense. x9Qk2Lm7Rv tokens", "x9Qk2Lm7Rv"),
            ("Nine per cell.\n| ✓ | ✓ | ✗ |", "| ✓ | ✓ | ✗ |"),
            (
                "Nine per cell.\nanchor_grid rpn-loss-terms iou:pos",
                "anchor_grid rpn-loss-terms iou:pos",
            ),
            (
                "Nine per cell.\nanchor_scale,128\nanchor_ratio,0.5\nrpn_stride,16",
                "anchor_scale,128",
            ),
            ("Nine per cell.\n| C1 | ✓ |\n| C2 | ✓ |", "| C1 | ✓ |"),
            (
                "Nine per cell 4 8 15 16 23 42 7 1 and more",
                "4 8 15 16 23 42 7 1",
            ),
            (
                "Nine per cell !!!! ---- ???? ==== ok",
                "!!!! ---- ???? ====",
            ),
            ("Nine per cell zzzzzzzz", "zzzzzzzz"),
            ("Nine per cell qwrtzpkl", "qwrtzpkl"),
        ] {
            let got = off(text);
            assert!(
                got.concat().contains(part.lines().next().unwrap()),
                "{text:?}: {got:?}"
            );
        }
    }

    #[test]
    fn prose_code_formulas_and_numbers_stay_prose() {
        for text in [
            "Each of the 38 x 63 cells gets 9 anchors, about 21,546 in all, in 2.5 ms on an Orin with 2 GB.",
            "IoU = |A ∩ B| / |A ∪ B|, and x' = (x - x_a) / w_a for the offsets.",
            "shifts = np.stack([sx, sy, sx, sy], -1)\nanchors = (base[None] + shifts[:, None]).reshape(-1, 4)\nreturn anchors\n",
            "- 3 scales x 3 ratios = 9 anchors per location\n- stride 16 on conv5\n- IoU > 0.7 positive, < 0.3 negative",
            "Use ResNet50 or ConvNeXt-T with FP16 and INT8; EfficientNetB0 is smaller. The strengths are clear.",
            "Keep one box format, corner x1y1x2y2 or centre-size cxcywh, and clamp with max(0, ...).",
            "| model | latency |\n|---|---|\n| ResNet-50 at 224 px on a T4 | about 4 ms per image |\n| MobileNetV3 at 224 px on a T4 | about 1 ms per image |",
            "Costs: 10 ms, 20 ms, 30 ms.",
            "| stage | ms |\n| backbone + RPN | 11 |\n| head, 300 proposals | 6 |\n| total | 17 |",
            "scales,3\nratios,3\nanchors,9",
            "| fp32 | 1x |\n| fp16 | 2x |\n| int8 | 4x |",
            "21,546 anchors\n38,000 boxes\n1000000 pixels",
        ] {
            let (r, share) = non_prose(text);
            let bad: Vec<&str> = r.iter().map(|&(a, b)| &text[a..b]).filter(|s| !s.starts_with("|---")).collect();
            assert!(bad.is_empty(), "{text:?}: {bad:?}");
            assert!(share < 0.2, "{text:?}: {share}");
        }
    }

    #[test]
    fn mostly() {
        let text = "Anchors.\nYW5jaG9ycyBhbmQgc2NhbGVzIGFuZCByYXRpb3MgYW5kIG9mZnNldHM= aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ=";
        let (r, share) = non_prose(text);
        assert!(mostly_not_prose(text, &r, share), "{share}");
        let text =
            "Anchors are dense references placed at every cell of the feature map. x9Qk2Lm7Rv";
        let (r, share) = non_prose(text);
        assert!(!mostly_not_prose(text, &r, share), "{share}");
    }
}
