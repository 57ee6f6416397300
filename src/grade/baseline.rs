//! Naive baselines for calibration: what a grader must beat to be worth anything.
//!
//! - **length**: the answer's word count. Human grades correlate with length (strong answers are longer than weak
//!   ones), so a grader that only counts words already gets a positive Spearman; the gap above it is what
//!   reading the content adds.
//! - **tf-idf**: cosine similarity between the answer and the question's reference answer, with IDF over the bank's
//!   reference answers: "uses the right words", with no notion of claims, negation or gaming.

use super::index::BankIndex;
use super::stats;
use crate::bank::Bank;
use serde::Serialize;

/// Words in an answer (whitespace-separated).
pub fn word_count(answer: &str) -> usize {
    answer.split_whitespace().count()
}

/// TF-IDF cosine of an answer to its question's reference answer.
pub fn tfidf_reference(bank: &Bank, question: &str, answer: &str) -> f64 {
    BankIndex::of(bank).reference_similarity(question, answer)
}

/// How well one baseline ranks a labelled set.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BaselineResult {
    /// Spearman rank correlation with the human grades.
    pub spearman: f64,
}

/// Both baselines over a labelled set.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Baselines {
    /// Word count.
    pub length: BaselineResult,
    /// TF-IDF cosine to the reference answer.
    pub tfidf_reference: BaselineResult,
}

/// Compute both baselines for `(question, answer)` pairs against `human` grades.
pub fn baselines(bank: &Bank, items: &[(&str, &str)], human: &[f64]) -> Baselines {
    let len: Vec<f64> = items.iter().map(|(_, a)| word_count(a) as f64).collect();
    let tfidf: Vec<f64> = items
        .iter()
        .map(|(q, a)| tfidf_reference(bank, q, a))
        .collect();
    Baselines {
        length: BaselineResult {
            spearman: stats::spearman(&len, human),
        },
        tfidf_reference: BaselineResult {
            spearman: stats::spearman(&tfidf, human),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baselines_rank_the_reference_first() {
        let b = Bank::embedded().unwrap();
        let q = b.get("cv-detection-anchor-boxes").unwrap();
        let items = [
            (q.spec.id.as_str(), q.spec.reference.as_str()),
            (q.spec.id.as_str(), "Anchors are boxes."),
            (
                q.spec.id.as_str(),
                "I like pizza and long walks on the beach.",
            ),
        ];
        let r = baselines(&b, &items, &[90.0, 20.0, 0.0]);
        assert!((r.tfidf_reference.spearman - 1.0).abs() < 1e-9, "{r:?}");
        assert!(r.length.spearman > 0.0);
        assert_eq!(word_count(" a  b\nc "), 3);
    }
}
