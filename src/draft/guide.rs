//! Prep-guide pages (plain text): a question paragraph, a tag line naming companies, difficulty and section,
//! "Sample Answer", then the answer's paragraphs up to "Practice more ..." or the next question.

use super::input::DraftInput;

/// The difficulty words a prep guide's tag line carries.
const LEVELS: &[&str] = &["Easy", "Medium", "Hard"];

/// A prep guide's tag line, e.g. `GoogleGoogleHardImage Classification and CNN Architectures`: (companies,
/// difficulty, section). The company name appears twice (a logo's caption, then the name).
fn tag_line(l: &str) -> Option<(Vec<String>, String, String)> {
    if l.len() > 160 || l.contains(". ") {
        return None;
    }
    for lv in LEVELS {
        // The level word directly followed by a capitalised section name (or the end of the line).
        let mut from = 0;
        while let Some(p) = l[from..].find(lv) {
            let at = from + p;
            let after = &l[at + lv.len()..];
            let before = &l[..at];
            let ok_after = after.is_empty() || after.starts_with(|c: char| c.is_ascii_uppercase());
            if ok_after && !before.contains(' ') {
                return Some((
                    companies_of(before),
                    lv.to_lowercase(),
                    after.trim().to_string(),
                ));
            }
            from = at + lv.len();
        }
    }
    None
}

/// `GoogleGoogle` -> [google]; `WaymoWaymoTeslaTesla` -> [waymo, tesla]; `Google` -> [google].
fn companies_of(s: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        if c.is_ascii_uppercase() && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    let mut out: Vec<String> = Vec::new();
    for w in words {
        let w = w.to_lowercase();
        if !w.is_empty() && !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// A prep-guide page: a question paragraph, a tag line (companies, difficulty, section), "Sample Answer", the
/// answer's paragraphs, then "Practice more ..." or the next question. Everything else is prose, not questions.
pub(super) fn guide(file: &str, text: &str) -> Vec<DraftInput> {
    // Paragraphs with their first line.
    let mut paras: Vec<(usize, String)> = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    for (i, l) in text.lines().enumerate() {
        let l = l.trim();
        if l.is_empty() {
            paras.extend(cur.take());
        } else if let Some((_, s)) = cur.as_mut() {
            s.push(' ');
            s.push_str(l);
        } else {
            cur = Some((i + 1, l.to_string()));
        }
    }
    paras.extend(cur);
    let is_marker = |s: &str| {
        let t = s.trim().trim_end_matches(':').to_ascii_lowercase();
        t == "sample answer" || t == "answer" || t == "model answer"
    };
    let markers: Vec<usize> = (0..paras.len())
        .filter(|&i| is_marker(&paras[i].1))
        .collect();
    let mut out = Vec::new();
    for (k, &m) in markers.iter().enumerate() {
        // Question and optional tag line before the marker.
        let (tags, qi) = match m
            .checked_sub(1)
            .and_then(|i| tag_line(&paras[i].1).map(|t| (t, i)))
        {
            Some((t, i)) => (Some(t), i.checked_sub(1)),
            None => (None, m.checked_sub(1)),
        };
        let Some(qi) = qi else { continue };
        // The answer runs to "Practice more", the next question's paragraphs, or the end.
        let next = markers.get(k + 1).copied().unwrap_or(paras.len() + 2);
        let stop_before_next = next.saturating_sub(
            if next < paras.len() && next >= 2 && tag_line(&paras[next - 1].1).is_some() {
                2
            } else {
                1
            },
        );
        let mut answer = Vec::new();
        for (_, p) in paras
            .iter()
            .take(stop_before_next.min(paras.len()))
            .skip(m + 1)
        {
            if p.to_ascii_lowercase().starts_with("practice more") {
                break;
            }
            answer.push(p.as_str());
        }
        let (companies, difficulty, section) = match tags {
            Some((c, d, s)) => (c, Some(d), Some(s).filter(|s| !s.is_empty())),
            None => (vec![], None, None),
        };
        out.push(DraftInput {
            id: None,
            area: None,
            heading: section,
            title: None,
            difficulty,
            companies,
            question: paras[qi].1.clone(),
            answer: Some(answer.join("\n\n")).filter(|a| !a.trim().is_empty()),
            origin: format!("{file}:{}", paras[qi].0),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_lines() {
        assert_eq!(
            tag_line("GoogleGoogleHardImage Classification and CNN Architectures"),
            Some((
                vec!["google".to_string()],
                "hard".to_string(),
                "Image Classification and CNN Architectures".to_string()
            ))
        );
        assert_eq!(
            tag_line("WaymoWaymoEasyObject Detection").unwrap().1,
            "easy"
        );
        assert!(tag_line("Most candidates find this hard. They should practise.").is_none());
    }

    #[test]
    fn guide_page() {
        let page = "Intro prose about interviews.\n\nWhat is a hard negative?\n\nAcmeAcmeMediumObject Detection\n\nSample Answer\n\nA background box the detector scores high.\n\nIt teaches the model.\n\nPractice more Object Detection questions\n\nWhy is NMS needed?\n\nSample Answer\n\nTo remove duplicate boxes.\n";
        let qs = guide("g.txt", page);
        assert_eq!(qs.len(), 2);
        assert_eq!(qs[0].question, "What is a hard negative?");
        assert_eq!(qs[0].companies, vec!["acme"]);
        assert_eq!(qs[0].difficulty.as_deref(), Some("medium"));
        assert_eq!(qs[0].heading.as_deref(), Some("Object Detection"));
        assert_eq!(
            qs[0].answer.as_deref(),
            Some("A background box the detector scores high.\n\nIt teaches the model.")
        );
        assert_eq!(qs[0].origin, "g.txt:3");
        assert_eq!(qs[1].answer.as_deref(), Some("To remove duplicate boxes."));
    }
}
