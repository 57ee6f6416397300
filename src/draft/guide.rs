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

/// `GoogleGoogle` -> [google]; `WaymoWaymoTeslaTesla` -> [waymo, tesla]; `NVIDIANVIDIA` -> [nvidia];
/// `Google` -> [google]. A guide writes each company name twice in a row (a logo's caption, then the name), so
/// the names are found by that repetition, the longest first; what repeats no more is one name.
fn companies_of(s: &str) -> Vec<String> {
    let mut rest: Vec<char> = s.trim().chars().collect();
    let mut out: Vec<String> = Vec::new();
    while !rest.is_empty() {
        let k = (1..=rest.len() / 2)
            .rev()
            .find(|&k| rest[..k] == rest[k..2 * k])
            .unwrap_or(0);
        let (name, used) = if k == 0 {
            (rest.iter().collect::<String>(), rest.len())
        } else {
            (rest[..k].iter().collect::<String>(), 2 * k)
        };
        let name = name.trim().to_lowercase();
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
        rest.drain(..used);
    }
    out
}

/// The paragraphs of a page, each with the line it starts on.
fn paragraphs(text: &str) -> Vec<(usize, String)> {
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
    paras
}

fn is_marker(s: &str) -> bool {
    let t = s.trim().trim_end_matches(':').to_ascii_lowercase();
    t == "sample answer" || t == "answer" || t == "model answer"
}

fn is_practice(s: &str) -> bool {
    s.to_ascii_lowercase().starts_with("practice more")
}

/// A question found on a page: its paragraph, its tag line and its "Sample Answer" marker (None: unanswered).
struct Slot {
    question: usize,
    tag: Option<usize>,
    marker: Option<usize>,
}

/// Every question of a page: the paragraph before a marker (or before the tag line before it), and the paragraph
/// before a tag line that no marker follows (a question the page gives no sample answer for).
fn slots(paras: &[(usize, String)]) -> Vec<Slot> {
    let tag = |i: usize| tag_line(&paras[i].1).is_some();
    let mut out = Vec::new();
    for i in 0..paras.len() {
        if is_marker(&paras[i].1) {
            let t = i.checked_sub(1).filter(|&t| tag(t));
            let q = t
                .unwrap_or(i)
                .checked_sub(1)
                .filter(|&q| !is_marker(&paras[q].1));
            if let Some(q) = q {
                out.push(Slot {
                    question: q,
                    tag: t,
                    marker: Some(i),
                });
            }
        } else if tag(i) && !paras.get(i + 1).is_some_and(|p| is_marker(&p.1)) {
            let q = i
                .checked_sub(1)
                .filter(|&q| !is_marker(&paras[q].1) && !is_practice(&paras[q].1));
            if let Some(q) = q {
                out.push(Slot {
                    question: q,
                    tag: Some(i),
                    marker: None,
                });
            }
        }
    }
    out
}

/// A prep-guide page: a question paragraph, a tag line (companies, difficulty, section), "Sample Answer", the
/// answer's paragraphs, then "Practice more ..." or the next question. Everything else is prose, not questions; a
/// question with a tag line but no sample answer comes back without an answer (skipped with a warning).
pub(super) fn guide(file: &str, text: &str) -> Vec<DraftInput> {
    let paras = paragraphs(text);
    let slots = slots(&paras);
    let mut out = Vec::new();
    for (k, slot) in slots.iter().enumerate() {
        // The answer runs to "Practice more", the next question, or the end.
        let answer = slot.marker.map(|m| {
            let next = slots.get(k + 1).map_or(paras.len(), |n| n.question);
            paras[(m + 1).min(next)..next]
                .iter()
                .map(|(_, p)| p.as_str())
                .take_while(|p| !is_practice(p))
                .collect::<Vec<_>>()
                .join("\n\n")
        });
        let (companies, difficulty, section) = match slot.tag.and_then(|t| tag_line(&paras[t].1)) {
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
            question: paras[slot.question].1.clone(),
            answer: answer.filter(|a| !a.trim().is_empty()),
            origin: format!("{file}:{}", paras[slot.question].0),
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
        for (line, want) in [
            ("OpenAIOpenAIHardOptimization", vec!["openai"]),
            ("NVIDIANVIDIAHardModel Deployment", vec!["nvidia"]),
            (
                "WaymoWaymoTeslaTeslaEasyObject Detection",
                vec!["waymo", "tesla"],
            ),
            ("DeepMindDeepMindMediumObject Detection", vec!["deepmind"]),
            ("GoogleMediumObject Detection", vec!["google"]),
            ("MüllerMüllerEasyVision", vec!["müller"]),
        ] {
            assert_eq!(tag_line(line).unwrap().0, want, "{line}");
        }
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

    #[test]
    fn an_unanswered_question_is_its_own_question_not_part_of_the_answer_before() {
        let page = "What is NMS?\n\nTeslaTeslaEasyObject Detection\n\nSample Answer\n\nIt removes duplicate boxes.\n\nWhat is COCO mAP?\n\nDeepMindDeepMindMediumObject Detection\n\nWhy do FPNs help?\n\nAcmeAcmeHardObject Detection\n\nSample Answer\n\nFine levels get strong semantics.\n";
        let qs = guide("g.txt", page);
        let got: Vec<(&str, Option<&str>, &str)> = qs
            .iter()
            .map(|q| (q.question.as_str(), q.answer.as_deref(), q.origin.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "What is NMS?",
                    Some("It removes duplicate boxes."),
                    "g.txt:1"
                ),
                ("What is COCO mAP?", None, "g.txt:9"),
                (
                    "Why do FPNs help?",
                    Some("Fine levels get strong semantics."),
                    "g.txt:13"
                ),
            ]
        );
        // After "Practice more" too.
        let page = "What is NMS?\n\nSample Answer\n\nIt removes duplicates.\n\nPractice more Detection questions\n\nWhat is mAP?\n\nAcmeAcmeEasyObject Detection\n\nPractice more Detection questions\n";
        let qs = guide("g.txt", page);
        assert_eq!(qs.len(), 2);
        assert_eq!(qs[0].answer.as_deref(), Some("It removes duplicates."));
        assert_eq!(
            (qs[1].question.as_str(), qs[1].answer.as_deref()),
            ("What is mAP?", None)
        );
    }
}
