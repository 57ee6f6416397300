//! Checking a model's evidence quotes against the answer: exact after normalising case, whitespace and
//! punctuation, or near-verbatim (most of the quote's content words, in order, within a short span).

fn norm_words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '.')
        .map(|w| w.trim_matches('.').to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

const STOP: &[&str] = &[
    "the", "a", "an", "of", "to", "and", "or", "in", "on", "is", "are", "it", "that", "this",
    "for", "with", "as", "by", "be", "at",
];

/// Where a quote is found in the answer: the answer's own words for that span, or None.
pub fn locate(quote: &str, answer: &str) -> Option<String> {
    let q = norm_words(quote);
    if q.iter().all(|w| STOP.contains(&w.as_str())) {
        return None;
    }
    // Word positions in the original answer, to return its own text.
    let mut spans = Vec::new();
    let mut words = Vec::new();
    let lower = answer.to_lowercase();
    let mut i = 0;
    let b = lower.as_bytes();
    while i < b.len() {
        if (b[i] as char).is_alphanumeric() || !b[i].is_ascii() {
            let s = i;
            while i < b.len()
                && ((b[i] as char).is_alphanumeric()
                    || !b[i].is_ascii()
                    || (b[i] == b'.' && i + 1 < b.len() && (b[i + 1] as char).is_ascii_digit()))
            {
                i += 1;
            }
            spans.push((s, i));
            words.push(lower[s..i].to_string());
        } else {
            i += 1;
        }
    }
    let text_of = |a: usize, z: usize| -> Option<String> {
        answer.get(spans[a].0..spans[z].1).map(|s| s.to_string())
    };
    // Exact (normalised) match.
    if q.len() <= words.len() {
        for st in 0..=words.len() - q.len() {
            if words[st..st + q.len()] == q[..] {
                return text_of(st, st + q.len() - 1);
            }
        }
    }
    // Near-verbatim: >= 70% of the quote's content words in order within 1.5x its length (+4).
    let content: Vec<&String> = q.iter().filter(|w| !STOP.contains(&w.as_str())).collect();
    if content.len() < 2 {
        return None;
    }
    let need = ((content.len() as f64) * 0.7).ceil() as usize;
    let window = (q.len() as f64 * 1.5) as usize + 4;
    for st in 0..words.len() {
        if !content.iter().any(|c| **c == words[st]) {
            continue;
        }
        let (mut ci, mut got, mut last) = (0usize, 0usize, st);
        for (k, w) in words.iter().enumerate().skip(st).take(window) {
            if let Some(p) = content[ci..].iter().position(|c| *c == w) {
                ci += p + 1;
                got += 1;
                last = k;
                if ci >= content.len() {
                    break;
                }
            }
        }
        if got >= need {
            return text_of(st, last);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "Each position on the feature map gets k anchors, e.g. 3 sizes times 3 aspect ratios = 9. The RPN scores each anchor.";

    #[test]
    fn exact_and_normalised() {
        assert_eq!(
            locate("the feature map gets K anchors", A).as_deref(),
            Some("the feature map gets k anchors")
        );
        assert_eq!(
            locate("3 sizes times 3 aspect-ratios", A).as_deref(),
            Some("3 sizes times 3 aspect ratios")
        );
    }

    #[test]
    fn near_verbatim_paraphrase_of_a_quote() {
        assert!(locate("each position on feature map gets anchors", A).is_some());
        assert!(locate("RPN scores every anchor", A).is_some());
    }

    #[test]
    fn invented_quotes_fail() {
        assert!(locate("anchors with IoU above 0.7 are positives", A).is_none());
        assert!(locate("", A).is_none());
        assert!(locate("the", A).is_none());
    }
}
