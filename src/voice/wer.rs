//! Word error rate between a reference text and a transcript (pure): (substitutions + deletions + insertions)
//! over the reference's word count, after normalising case, punctuation and numbers ("3" and "three" match).

const ONES: &[&str] = &[
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: &[&str] = &[
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

fn number_words(n: u64, out: &mut Vec<String>) {
    if n < 20 {
        out.push(ONES[n as usize].into());
    } else if n < 100 {
        out.push(TENS[(n / 10) as usize].into());
        if n % 10 != 0 {
            out.push(ONES[(n % 10) as usize].into());
        }
    } else if n < 1000 {
        out.push(ONES[(n / 100) as usize].into());
        out.push("hundred".into());
        if n % 100 != 0 {
            number_words(n % 100, out);
        }
    } else if n < 1_000_000 {
        number_words(n / 1000, out);
        out.push("thousand".into());
        if n % 1000 != 0 {
            number_words(n % 1000, out);
        }
    } else {
        out.push(n.to_string());
    }
}

/// Lower-case words with punctuation removed and digits spelled out.
pub fn normalize(text: &str) -> Vec<String> {
    let mut cleaned = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &ch) in chars.iter().enumerate() {
        let digit_at = |k: Option<usize>| {
            k.and_then(|k| chars.get(k))
                .is_some_and(|c| c.is_ascii_digit())
        };
        match ch {
            ',' if digit_at(i.checked_sub(1)) && digit_at(Some(i + 1)) => {}
            '%' => cleaned.push_str(" percent "),
            '\'' | '\u{2019}' => {}
            c if c.is_alphanumeric() || c == '.' => cleaned.extend(c.to_lowercase()),
            _ => cleaned.push(' '),
        }
    }
    let mut out = Vec::new();
    for w in cleaned.split_whitespace() {
        let w = w.trim_matches('.');
        if w.is_empty() {
            continue;
        }
        if w.chars().all(|c| c.is_ascii_digit() || c == '.')
            && w.chars().any(|c| c.is_ascii_digit())
        {
            let mut parts = w.splitn(2, '.');
            let int = parts.next().unwrap_or("");
            match int.parse::<u64>() {
                Ok(n) => number_words(n, &mut out),
                Err(_) if int.is_empty() => out.push("zero".into()),
                Err(_) => out.push(int.into()),
            }
            if let Some(frac) = parts.next().filter(|f| !f.is_empty()) {
                out.push("point".into());
                for d in frac.chars().filter_map(|c| c.to_digit(10)) {
                    out.push(ONES[d as usize].into());
                }
            }
            continue;
        }
        for part in w.split('.') {
            if !part.is_empty() {
                out.push(part.to_string());
            }
        }
    }
    out
}

/// Word-level edit distance.
pub fn edits(reference: &[String], hypothesis: &[String]) -> usize {
    let mut prev: Vec<usize> = (0..=hypothesis.len()).collect();
    for (i, r) in reference.iter().enumerate() {
        let mut cur = vec![i + 1; hypothesis.len() + 1];
        for (j, h) in hypothesis.iter().enumerate() {
            let sub = prev[j] + usize::from(r != h);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[hypothesis.len()]
}

/// Word error rate of `hypothesis` against `reference` (0 is perfect; can exceed 1 with many insertions).
pub fn wer(reference: &str, hypothesis: &str) -> f64 {
    let r = normalize(reference);
    let h = normalize(hypothesis);
    if r.is_empty() {
        return if h.is_empty() { 0.0 } else { 1.0 };
    }
    edits(&r, &h) as f64 / r.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_punctuation_and_numbers() {
        assert_eq!(
            normalize("IoU over 0.7, it's 3 × 3 = 9 anchors; 25% recall."),
            vec![
                "iou", "over", "zero", "point", "seven", "its", "three", "three", "nine",
                "anchors", "twenty", "five", "percent", "recall"
            ]
        );
        assert_eq!(
            normalize("1,024 and 512"),
            vec!["one", "thousand", "twenty", "four", "and", "five", "hundred", "twelve"]
        );
    }

    #[test]
    fn counts_substitutions_deletions_insertions() {
        assert_eq!(wer("nine anchors per cell", "Nine anchors per cell."), 0.0);
        assert!((wer("nine anchors per cell", "high anchors per cell") - 0.25).abs() < 1e-9);
        assert!((wer("nine anchors per cell", "nine anchors cell") - 0.25).abs() < 1e-9);
        assert!((wer("nine anchors per cell", "nine big anchors per cell") - 0.25).abs() < 1e-9);
        assert_eq!(wer("three scales", "3 scales"), 0.0);
        assert_eq!(wer("", ""), 0.0);
        assert_eq!(wer("a b", ""), 1.0);
    }
}
