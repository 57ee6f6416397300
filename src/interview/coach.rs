//! The interviewer's judgement between turns: which gap to probe, which claim to challenge, when a rung is already
//! covered, and what a hint says. Pure functions over the bank and the grades.

use crate::bank::{Bank, Criterion, Question, Rung};
use crate::grade::{offline, pattern::Doc, Grade, Verdict};
use crate::session::Purpose;

/// A criterion the candidate missed or only partly met in one answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    /// Criterion id.
    pub id: String,
    /// Its weight.
    pub weight: f64,
    /// What a strong answer says.
    pub statement: String,
    /// Partly met (half credit) rather than missed.
    pub partial: bool,
}

/// The gaps of a graded answer, in rubric order.
pub fn gaps(g: &Grade) -> Vec<Gap> {
    g.criteria
        .iter()
        .filter(|c| c.verdict != Verdict::Met)
        .map(|c| Gap {
            id: c.id.clone(),
            weight: c.weight,
            statement: c.statement.clone(),
            partial: c.verdict == Verdict::Partial,
        })
        .collect()
}

/// The heaviest gap, missed before partial; ties go to rubric order.
pub fn heaviest(gaps: &[Gap]) -> Option<&Gap> {
    let pick = |partial: bool| {
        gaps.iter()
            .filter(|g| g.partial == partial)
            .fold(None::<&Gap>, |best, g| match best {
                Some(b) if b.weight >= g.weight => Some(b),
                _ => Some(g),
            })
    };
    pick(false).or_else(|| pick(true))
}

/// The next probe or challenge after an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Next {
    /// Probe or challenge.
    pub purpose: Purpose,
    /// Criterion or misconception id.
    pub target: String,
    /// The question to ask when no model writes one.
    pub text: String,
}

/// What to ask after `g`: challenge a misconception the answer stated (quoting the candidate), else probe the
/// heaviest criterion it missed that has not been met on this question (ties: rubric order); None: climb.
pub fn next_probe(q: &Question, g: &Grade, met: &[(String, String)]) -> Option<Next> {
    if let Some(hit) = g.misconceptions.first() {
        let spec = q
            .misconceptions
            .iter()
            .chain(q.ladder.iter().flat_map(|r| r.misconceptions.iter()))
            .find(|m| m.spec.id == hit.id);
        let quote = hit
            .evidence
            .first()
            .map(|e| short_quote(e))
            .unwrap_or_default();
        let ask = spec
            .and_then(|m| m.spec.challenge.clone())
            .unwrap_or_else(|| {
                "How would you check that claim, and what result would make you change your mind?"
                    .into()
            });
        let text = if quote.is_empty() {
            ask
        } else {
            format!("You said: \"{quote}\". {ask}")
        };
        return Some(Next {
            purpose: Purpose::Challenge,
            target: hit.id.clone(),
            text,
        });
    }
    let missed: Vec<Gap> = gaps(g)
        .into_iter()
        .filter(|gp| !gp.partial && !met.iter().any(|(id, _)| id == &gp.id))
        .collect();
    let gap = heaviest(&missed)?;
    let c = q.all_criteria().find(|c| c.spec.id == gap.id)?;
    Some(Next {
        purpose: Purpose::Probe,
        target: gap.id.clone(),
        text: probe_text(c),
    })
}

/// A criterion's probe: the authored one, else a question made from its concept tags that does not state it.
pub fn probe_text(c: &Criterion) -> String {
    if let Some(p) = &c.spec.probe {
        return p.clone();
    }
    match topic(c) {
        Some(t) => format!(
            "Let's stay on {t} for a moment: what does it change in your design here, and what would you do about it?"
        ),
        None => "Let's stay on this a moment: what did your answer leave out that matters most here, and why?"
            .into(),
    }
}

/// The concept a criterion is about, from its tags ("loss functions and iou").
fn topic(c: &Criterion) -> Option<String> {
    let tags: Vec<String> = c.spec.tags.iter().map(|t| t.replace('-', " ")).collect();
    match tags.len() {
        0 => None,
        1 => Some(tags[0].clone()),
        _ => Some(format!(
            "{} and {}",
            tags[..tags.len() - 1].join(", "),
            tags[tags.len() - 1]
        )),
    }
}

/// A hint at `level`: 1 names the concept, 2 asks a leading question, 3 gives the missing statement.
pub fn hint(c: &Criterion, level: u8) -> String {
    match level {
        0 | 1 => match topic(c) {
            Some(t) => format!("Think about {t}."),
            None => format!(
                "Think about the part of the answer worth {} points that is still missing.",
                crate::grade::normalize::fmt_num(c.spec.weight)
            ),
        },
        2 => probe_text(c),
        _ => format!("A strong answer would say: {}", c.spec.statement),
    }
}

/// The candidate's sentences that already meet every criterion of rung `r`, or None. Evidence comes from the grades
/// of this question (`met`) or from the answers given to it, judged against the rung's criteria. A constraints rung
/// also needs a figure in that evidence: it is never skipped on words alone.
pub fn covered_rung(
    bank: &Bank,
    r: &Rung,
    met: &[(String, String)],
    answers: &[String],
) -> Option<Vec<String>> {
    if r.criteria.is_empty() {
        return None;
    }
    let docs: Vec<Doc> = answers.iter().map(|a| Doc::new(a, &bank.lexicon)).collect();
    let mut quotes: Vec<String> = Vec::new();
    for c in &r.criteria {
        let corroborates = |q: &str| {
            let (shared, of) = shared_terms(bank, q, &c.spec.statement);
            shared >= MIN_SHARED && shared * 3 >= of
        };
        let quote = met
            .iter()
            .find(|(id, q)| id == &c.spec.id && corroborates(q))
            .map(|(_, q)| q.clone())
            .or_else(|| {
                docs.iter().find_map(|d| {
                    let res = offline::judge(c, d);
                    (res.verdict == Verdict::Met)
                        .then(|| res.evidence.into_iter().find(|e| corroborates(e)))
                        .flatten()
                })
            })?;
        if !quotes.contains(&quote) {
            quotes.push(quote);
        }
    }
    if r.stage == "constraints" && !quotes.iter().any(|q| q.chars().any(|c| c.is_ascii_digit())) {
        return None;
    }
    Some(quotes)
}

/// Content words a skip's evidence must share with the criterion's statement (at least this many, and a third of
/// the statement's): a pattern hit alone is not proof that the candidate already answered a rung they were never
/// asked.
const MIN_SHARED: usize = 2;

/// Distinct content stems `quote` shares with `statement`, and how many the statement has.
fn shared_terms(bank: &Bank, quote: &str, statement: &str) -> (usize, usize) {
    let a = crate::grade::normalize::tokenize_with(quote, &bank.lexicon);
    let b = crate::grade::normalize::tokenize_with(statement, &bank.lexicon);
    let mut want = crate::grade::detect::content_stems(&b);
    want.sort_unstable();
    want.dedup();
    let mut have = crate::grade::detect::content_stems(&a);
    have.sort_unstable();
    have.dedup();
    (have.iter().filter(|s| want.contains(s)).count(), want.len())
}

/// A quote cut to about 140 characters at a word boundary.
pub fn short_quote(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() <= 140 {
        return s.to_string();
    }
    let cut: String = s.chars().take(140).collect();
    let cut = cut
        .rsplit_once(' ')
        .map_or(cut.as_str(), |(a, _)| a)
        .to_string();
    format!("{cut} …")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bank() -> Bank {
        Bank::embedded().unwrap()
    }

    #[test]
    fn heaviest_prefers_missed_then_weight_then_rubric_order() {
        let g = |id: &str, w: f64, partial: bool| Gap {
            id: id.into(),
            weight: w,
            statement: String::new(),
            partial,
        };
        let v = vec![
            g("a", 10.0, false),
            g("b", 20.0, false),
            g("c", 20.0, false),
            g("d", 40.0, true),
        ];
        assert_eq!(heaviest(&v).unwrap().id, "b");
        assert_eq!(heaviest(&v[3..]).unwrap().id, "d");
        assert!(heaviest(&[]).is_none());
    }

    #[test]
    fn a_missed_criterion_is_probed_and_a_misconception_challenged() {
        let b = bank();
        let q = b.get("cv-detection-anchor-boxes").unwrap();
        let answer = "Each location gets nine anchors, three scales times three aspect ratios, and the RPN regresses offsets.";
        let g = offline::grade(&b, q, None, answer);
        let n = next_probe(q, &g, &[]).unwrap();
        assert_eq!(n.purpose, Purpose::Probe);
        let missed = gaps(&g);
        let top = heaviest(&missed).unwrap();
        assert_eq!(n.target, top.id);
        let wrong = "A single fixed anchor shape at every location is enough, since the regression fixes the rest.";
        let g = offline::grade(&b, q, None, wrong);
        let n = next_probe(q, &g, &[]).unwrap();
        assert_eq!(n.purpose, Purpose::Challenge);
        assert!(n.text.starts_with("You said: \""), "{}", n.text);
    }

    #[test]
    fn hints_escalate_from_concept_to_statement() {
        let b = bank();
        let q = b.get("cv-detection-anchor-boxes").unwrap();
        let c = &q.criteria[0];
        let (h1, h2, h3) = (hint(c, 1), hint(c, 2), hint(c, 3));
        assert!(h1.starts_with("Think about"));
        assert_eq!(h2, probe_text(c));
        assert!(h3.contains(&c.spec.statement));
    }

    #[test]
    fn constraints_rungs_need_figures_to_be_skipped() {
        let b = bank();
        let q = b.get("cv-detection-anchor-boxes").unwrap();
        let r = q.ladder.iter().find(|r| r.stage == "constraints").unwrap();
        let met: Vec<(String, String)> = r
            .criteria
            .iter()
            .map(|c| {
                (
                    c.spec.id.clone(),
                    "I would keep fewer proposals and sample fewer anchors".into(),
                )
            })
            .collect();
        assert!(
            covered_rung(&b, r, &met, &[]).is_none(),
            "words alone never skip it"
        );
        // Figures and the criterion's own terms: the rung is covered.
        let with_numbers: Vec<(String, String)> = r
            .criteria
            .iter()
            .map(|c| {
                let q = format!(
                    "{} With 1,000 proposals at 0.02 ms that is 20 ms.",
                    c.spec.statement
                );
                (c.spec.id.clone(), q)
            })
            .collect();
        assert!(covered_rung(&b, r, &with_numbers, &[]).is_some());
        // A pattern hit in a sentence about something else is not evidence.
        let unrelated: Vec<(String, String)> = r
            .criteria
            .iter()
            .map(|c| (c.spec.id.clone(), "It runs 20 FPS on a V100.".into()))
            .collect();
        assert!(covered_rung(&b, r, &unrelated, &[]).is_none());
    }
}
