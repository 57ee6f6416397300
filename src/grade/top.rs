//! The top of the scale: a complete answer earns up to [`TOP_BONUS`] more for the specifics it gives where its
//! criteria ask for them, so worked numbers stand out from a merely correct answer.

use super::{CriterionResult, Verdict};
use crate::bank::Criterion;

/// Most points a complete answer gains for specifics (figures in the sentences that meet its criteria).
pub const TOP_BONUS: f64 = 6.0;

/// The raw score from which an answer counts as complete enough to earn the specifics bonus.
pub const NEAR_COMPLETE: u32 = 80;

/// `score` (calibrated from `raw`) with the top of the scale: an answer that is complete or nearly so (raw
/// [`NEAR_COMPLETE`] or more) and says nothing wrong (`clean`) earns [`top_bonus`] on top, at most 100.
pub fn topped(
    score: u32,
    raw: u32,
    clean: bool,
    crit: &[Criterion],
    results: &[CriterionResult],
    answer: &str,
) -> u32 {
    if raw >= NEAR_COMPLETE && clean {
        (score + top_bonus(crit, results, answer)).min(100)
    } else {
        score
    }
}

/// The specifics bonus of a complete answer: [`TOP_BONUS`] times the share of the criteria that ask for specifics
/// met with them. A criterion asks for specifics when it `needs` them (a number, a unit, worked arithmetic: then it
/// is met only with them) or when its statement gives a figure ("3 x 3 = 9", "above 0.7"): then its evidence must
/// give one too, in the answer's sentence that holds the quote (a model may quote only a few words of it). A
/// rubric without such criteria gives none: the calibrated top (86, where reviewers put a complete answer) stays
/// the top for a merely correct answer.
pub fn top_bonus(crit: &[Criterion], results: &[CriterionResult], answer: &str) -> u32 {
    let asked: Vec<bool> = crit
        .iter()
        .zip(results)
        .filter(|(c, _)| c.asks_specifics())
        .map(|(c, r)| {
            r.verdict == Verdict::Met
                && (c.spec.needs.is_some() || evidence_gives_figure(r, answer))
        })
        .collect();
    if asked.is_empty() {
        return 0;
    }
    let met = asked.iter().filter(|m| **m).count();
    (TOP_BONUS * met as f64 / asked.len() as f64).round() as u32
}

/// Feedback for a criterion met without the figure its statement gives: the top of the scale asks for it. A
/// rationale already given is kept; a criterion that `needs` specifics is not met without them, and says so itself.
pub fn note_missing_figures(crit: &[Criterion], results: &mut [CriterionResult], answer: &str) {
    for (c, r) in crit.iter().zip(results.iter_mut()) {
        if c.asks_specifics()
            && c.spec.needs.is_none()
            && r.verdict == Verdict::Met
            && r.rationale.is_none()
            && !evidence_gives_figure(r, answer)
        {
            r.rationale = Some(format!(
                "Right, but with no figure: the top of the scale asks for it, as in \"{}\"",
                c.spec.statement.trim_end_matches('.')
            ));
        }
    }
}

/// Whether a sentence of the answer that holds one of the result's quotes gives a figure.
fn evidence_gives_figure(r: &CriterionResult, answer: &str) -> bool {
    r.evidence
        .iter()
        .any(|e| gives_figure(sentence_around(answer, e)))
}

/// Whether a statement gives a figure: a formula, or a number in digits that stands on its own, not one inside a
/// name ("ResNet-50", "INT8", "YOLOv8"; "SAM 2" reads as a figure and only asks the candidate for one more number).
pub fn states_figure(text: &str) -> bool {
    formula(text) || figures(text).any(|t| t.raw.chars().any(|c| c.is_ascii_digit()))
}

/// Whether an answer's sentence gives a figure: a formula, or a number in digits or in words ("nine", "twenty
/// thousand"; not "one").
fn gives_figure(text: &str) -> bool {
    formula(text) || figures(text).any(|t| t.raw != "one")
}

/// The sentence of `answer` that holds `quote` (the quote itself when it is not found verbatim).
fn sentence_around<'a>(answer: &'a str, quote: &'a str) -> &'a str {
    let Some(at) = answer.find(quote) else {
        return quote;
    };
    let end_of = |c: char| matches!(c, '.' | '!' | '?' | '\n');
    let from = answer[..at]
        .char_indices()
        .rev()
        .find(|&(i, c)| end_of(c) && answer[i + c.len_utf8()..].starts_with(char::is_whitespace))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let tail = at + quote.len();
    let to = answer[tail..]
        .char_indices()
        .find(|&(i, c)| {
            end_of(c)
                && answer[tail + i + c.len_utf8()..]
                    .chars()
                    .next()
                    .map_or(true, char::is_whitespace)
        })
        .map_or(answer.len(), |(i, _)| tail + i);
    &answer[from..to]
}

/// An equation or an order of growth: "Z = f * B / d", "O(n log n)".
fn formula(text: &str) -> bool {
    text.contains(" = ") || text.contains("O(")
}

fn figures(text: &str) -> impl Iterator<Item = crate::text::normalize::Token> + '_ {
    crate::text::normalize::tokenize_plain(text)
        .into_iter()
        .filter(|t| {
            t.num.is_some()
                && !(t.raw.chars().any(|c| c.is_ascii_digit()) && glued(text, t.start, t.end))
        })
}

/// A number that is part of a name: its word has letters that are not a unit or a multiplier ("ResNet-50",
/// "INT8", "3D", "(2+1)D"), while "3x3", "10k", "6e-5", "16GB" and "5ms" are figures.
fn glued(text: &str, start: usize, end: usize) -> bool {
    let from = text[..start]
        .rfind(char::is_whitespace)
        .map_or(0, |i| i + 1);
    let to = text[end..]
        .find(char::is_whitespace)
        .map_or(text.len(), |i| end + i);
    let letters: String = text[from..to]
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    !letters.is_empty()
        && !matches!(
            letters.as_str(),
            "x" | "xx"
                | "k"
                | "m"
                | "b"
                | "e"
                | "ms"
                | "s"
                | "h"
                | "gb"
                | "mb"
                | "kb"
                | "tb"
                | "px"
                | "fps"
                | "w"
                | "gbs"
                | "mbs"
                | "tops"
                | "gops"
                | "gflops"
                | "flops"
                | "gmacs"
                | "macs"
                | "fp"
                | "st"
                | "nd"
                | "rd"
                | "th"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_figure_stands_on_its_own() {
        assert!(states_figure(
            "k = number of scales x number of aspect ratios, e.g. 3 x 3 = 9."
        ));
        assert!(states_figure(
            "Training labels: IoU above 0.7 is positive, below 0.3 negative."
        ));
        assert!(states_figure(
            "Samples sparsely (about 1 FPS or keyframes)."
        ));
        assert!(!states_figure(
            "Consider a smaller backbone (e.g. ResNet-18) with fewer parameters."
        ));
        assert!(!states_figure(
            "INT8 via calibrated PTQ on YOLOv8, QAT if accuracy drops."
        ));
        assert!(!states_figure(
            "Describes anchors as fixed reference boxes, several per position."
        ));
        // Number words are no figure in a statement ("two networks"), but are in an answer.
        assert!(!states_figure("Two-Stream runs two networks."));
        assert!(!states_figure(
            "(2+1)D or X3D for GPU accuracy, full 3D with inflated weights."
        ));
        assert!(states_figure("a 3x3 kernel at rate 2"));
        assert!(states_figure(
            "about 10k classes, 16GB of memory, 5ms, lr 6e-5"
        ));
        assert!(gives_figure("the bundle holds nine templates"));
        assert!(gives_figure("about 40 by 60 positions"));
        assert!(!gives_figure("one feature map and a few sizes"));
        assert!(!gives_figure("we used ResNet-50 and INT8"));
        assert!(states_figure(
            "For a rectified pair, Z = f * B / d, from similar triangles."
        ));
        assert!(gives_figure("similar triangles give Z = f * B / d"));
        assert!(gives_figure("Sorting is O(n log n) and the loop is O(n^2)"));
    }

    fn criterion(statement: &str) -> Criterion {
        let spec: crate::bank::spec::CriterionSpec = toml::from_str(&format!(
            "id = \"c\"\nweight = 10\nstatement = \"{statement}\"\npatterns = [\"iou\"]"
        ))
        .unwrap();
        Criterion::new(spec, Vec::new(), Vec::new())
    }

    fn met(quote: &str) -> CriterionResult {
        CriterionResult {
            id: "c".into(),
            verdict: Verdict::Met,
            evidence: vec![quote.into()],
            statement: String::new(),
            weight: 10.0,
            tags: Vec::new(),
            rationale: None,
            closest: None,
        }
    }

    #[test]
    fn a_criterion_met_without_its_figure_says_so() {
        let crit = [criterion("IoU above 0.7 is positive, below 0.3 negative.")];
        let answer = "An anchor is positive at high IoU. Above 0.7 IoU it is positive and below 0.3 negative.";
        // Met without the figure: the feedback asks for it, and the bonus is withheld.
        let mut plain = [met("positive at high IoU")];
        note_missing_figures(&crit, &mut plain, answer);
        let why = plain[0].rationale.as_deref().unwrap_or_default();
        assert!(
            why.contains("no figure") && why.contains("above 0.7"),
            "{why}"
        );
        assert_eq!(top_bonus(&crit, &plain, answer), 0);
        assert_eq!(topped(80, 85, true, &crit, &plain, answer), 80);
        // Met with it: no note, the full bonus, but only for a complete answer with nothing wrong.
        let mut worked = [met("Above 0.7 IoU it is positive")];
        note_missing_figures(&crit, &mut worked, answer);
        assert_eq!(worked[0].rationale, None);
        assert_eq!(topped(86, 90, true, &crit, &worked, answer), 92);
        assert_eq!(topped(86, 90, false, &crit, &worked, answer), 86);
        assert_eq!(topped(70, 79, true, &crit, &worked, answer), 70);
        // A statement without a figure asks for none.
        let none = [criterion("Anchors are fixed reference boxes.")];
        let mut r = [met("positive at high IoU")];
        note_missing_figures(&none, &mut r, answer);
        assert_eq!(r[0].rationale, None);
    }

    #[test]
    fn a_quote_is_read_in_its_sentence() {
        let a = "Each cell gets k anchors, 3 scales times 3 ratios = 9. The RPN regresses 4 offsets. No figure here";
        assert_eq!(
            sentence_around(a, "Each cell gets"),
            "Each cell gets k anchors, 3 scales times 3 ratios = 9"
        );
        assert_eq!(
            sentence_around(a, "RPN regresses"),
            " The RPN regresses 4 offsets"
        );
        assert_eq!(sentence_around(a, "No figure"), " No figure here");
        assert_eq!(sentence_around(a, "not in it"), "not in it");
    }
}
