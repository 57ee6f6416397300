//! Per-bank precomputation for the offline grader: TF-IDF vectors of every question (for off-topic detection and
//! the calibration baseline), question vocabularies and prompt stems. Built once per bank and cached.

use super::detect::content_stems;
use super::fasthash::{FnvMap, FnvSet};
use super::normalize::{tokenize_with, Lexicon};
use crate::bank::{Bank, Question};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

/// A sparse, L2-normalised TF-IDF vector.
#[derive(Debug, Clone, Default)]
pub struct SparseVec {
    /// (term id, weight), sorted by term id.
    entries: Vec<(u32, f64)>,
}

impl SparseVec {
    /// Cosine similarity of two normalised vectors.
    pub fn cosine(&self, other: &SparseVec) -> f64 {
        let (a, b) = (&self.entries, &other.entries);
        let (mut i, mut j, mut dot) = (0, 0, 0.0);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    dot += a[i].1 * b[j].1;
                    i += 1;
                    j += 1;
                }
            }
        }
        dot
    }
}

/// Inverse document frequencies over a small corpus, with a term dictionary.
#[derive(Debug, Clone, Default)]
pub struct Idf {
    terms: FnvMap<String, u32>,
    idf: Vec<f64>,
    unseen: f64,
}

impl Idf {
    /// Fit on documents given as content-stem lists (smoothed: ln((1 + N) / (1 + df)) + 1).
    pub fn fit(docs: &[Vec<String>]) -> Idf {
        let mut terms: FnvMap<String, u32> = FnvMap::default();
        let mut df: Vec<f64> = Vec::new();
        for d in docs {
            let uniq: FnvSet<&String> = d.iter().collect();
            for t in uniq {
                let next = terms.len() as u32;
                let id = *terms.entry(t.clone()).or_insert(next);
                if id as usize == df.len() {
                    df.push(0.0);
                }
                df[id as usize] += 1.0;
            }
        }
        let n = docs.len() as f64;
        let idf = df
            .iter()
            .map(|d| ((1.0 + n) / (1.0 + d)).ln() + 1.0)
            .collect();
        Idf {
            terms,
            idf,
            unseen: (1.0 + n).ln() + 1.0,
        }
    }

    /// Whether a term occurs in at most half of the corpus's documents (a term of art, not a common word).
    pub fn is_specific(&self, term: &str) -> bool {
        // idf = ln((1 + N) / (1 + df)) + 1, and unseen = ln(1 + N) + 1.
        let n = (self.unseen - 1.0).exp() - 1.0;
        self.terms
            .get(term)
            .map(|&id| {
                let df = (1.0 + n) / (self.idf[id as usize] - 1.0).exp() - 1.0;
                df <= n / 2.0 + 1e-6
            })
            .unwrap_or(false)
    }

    /// Weighted terms of a stem list (term id, tf x idf) and the vector's norm, not normalised.
    fn weights(&self, stems: &[&str]) -> (Vec<(u32, f64)>, f64) {
        let mut tf: FnvMap<&str, f64> = FnvMap::default();
        for s in stems {
            *tf.entry(s).or_default() += 1.0;
        }
        let mut norm = 0.0;
        let mut entries = Vec::with_capacity(tf.len());
        for (t, f) in tf {
            match self.terms.get(t) {
                Some(&id) => {
                    let w = f * self.idf[id as usize];
                    norm += w * w;
                    entries.push((id, w));
                }
                None => norm += (f * self.unseen).powi(2),
            }
        }
        (entries, norm.sqrt())
    }

    /// The normalised TF-IDF vector of a stem list. Terms outside the corpus count towards the norm only.
    pub fn vector(&self, stems: &[&str]) -> SparseVec {
        let (mut entries, norm) = self.weights(stems);
        if norm > 0.0 {
            for e in &mut entries {
                e.1 /= norm;
            }
        }
        entries.sort_by_key(|e| e.0);
        SparseVec { entries }
    }
}

/// What the grader precomputes for one question.
#[derive(Debug, Clone)]
pub struct QuestionIndex {
    /// Content stems of the prompt, reference, criteria statements and ladder questions.
    pub vocabulary: FnvSet<String>,
    /// Stems of the main prompt (for copied-question detection).
    pub prompt_stems: FnvSet<String>,
    /// TF-IDF vector of the whole question text (question IDF).
    pub topic: SparseVec,
    /// TF-IDF vector of the reference answer (reference IDF).
    pub reference: SparseVec,
}

/// Precomputed data for every question of a bank.
#[derive(Debug, Clone)]
pub struct BankIndex {
    /// By question id.
    pub questions: FnvMap<String, QuestionIndex>,
    /// The bank's lexicon (texts are analysed as answers are).
    pub lexicon: Lexicon,
    /// IDF over whole-question texts (topic similarity).
    pub topic_idf: Idf,
    /// Question ids in bank order.
    order: Vec<String>,
    /// Per topic term id: (question position in `order`, weight in that question's topic vector).
    postings: Vec<Vec<(u32, f64)>>,
    /// IDF over reference answers (the calibration baseline).
    pub reference_idf: Idf,
    /// Content stems of every question of the bank: the domain's vocabulary.
    pub domain: FnvSet<String>,
}

fn stems(text: &str, lex: &Lexicon) -> Vec<String> {
    content_stems(&tokenize_with(text, lex))
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// All the text that says what a question is about.
pub fn question_text(q: &Question) -> String {
    let mut t = vec![q.spec.prompt.as_str(), q.spec.reference.as_str()];
    t.extend(q.all_criteria().map(|c| c.spec.statement.as_str()));
    t.extend(q.ladder.iter().map(|r| r.question.as_str()));
    t.join("\n")
}

impl BankIndex {
    /// Build the index of a bank.
    pub fn build(bank: &Bank) -> BankIndex {
        let topic_docs: Vec<Vec<String>> = bank
            .questions
            .iter()
            .map(|q| stems(&question_text(q), &bank.lexicon))
            .collect();
        let ref_docs: Vec<Vec<String>> = bank
            .questions
            .iter()
            .map(|q| stems(&q.spec.reference, &bank.lexicon))
            .collect();
        let topic_idf = Idf::fit(&topic_docs);
        let reference_idf = Idf::fit(&ref_docs);
        let questions: FnvMap<String, QuestionIndex> = bank
            .questions
            .iter()
            .zip(topic_docs.iter().zip(&ref_docs))
            .map(|(q, (td, rd))| {
                let tv: Vec<&str> = td.iter().map(String::as_str).collect();
                let rv: Vec<&str> = rd.iter().map(String::as_str).collect();
                (
                    q.spec.id.clone(),
                    QuestionIndex {
                        vocabulary: td.iter().cloned().collect(),
                        prompt_stems: tokenize_with(&q.spec.prompt, &bank.lexicon)
                            .into_iter()
                            .map(|t| t.stem)
                            .collect(),
                        topic: topic_idf.vector(&tv),
                        reference: reference_idf.vector(&rv),
                    },
                )
            })
            .collect();
        let order: Vec<String> = bank.questions.iter().map(|q| q.spec.id.clone()).collect();
        let mut postings: Vec<Vec<(u32, f64)>> = vec![Vec::new(); topic_idf.idf.len()];
        for (k, id) in order.iter().enumerate() {
            for &(t, w) in &questions[id].topic.entries {
                postings[t as usize].push((k as u32, w));
            }
        }
        BankIndex {
            questions,
            order,
            postings,
            topic_idf,
            reference_idf,
            domain: topic_docs.into_iter().flatten().collect(),
            lexicon: bank.lexicon.clone(),
        }
    }

    /// The index of the bank (built on first use, then cached for as long as the bank's content is the same).
    pub fn of(bank: &Bank) -> Arc<BankIndex> {
        type Cache = Mutex<Vec<(u64, Arc<BankIndex>)>>;
        static CACHE: OnceLock<Cache> = OnceLock::new();
        let key = fingerprint(bank);
        let mut cache = CACHE
            .get_or_init(|| Mutex::new(Vec::new()))
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some((_, ix)) = cache.iter().find(|(k, _)| *k == key) {
            return ix.clone();
        }
        // Built under the lock: concurrent graders of the same bank share one index.
        let ix = Arc::new(BankIndex::build(bank));
        if cache.len() >= 8 {
            cache.remove(0);
        }
        cache.push((key, ix.clone()));
        ix
    }

    /// Similarity of an answer's stems to its own question and to the closest other question.
    pub fn topic_similarity(&self, id: &str, stems: &[&str]) -> (f64, f64) {
        let (entries, norm) = self.topic_idf.weights(stems);
        if norm <= 0.0 {
            return (0.0, 0.0);
        }
        let mut acc = vec![0.0; self.order.len()];
        for (t, w) in entries {
            for &(k, qw) in &self.postings[t as usize] {
                acc[k as usize] += w * qw;
            }
        }
        let (mut own, mut other) = (0.0f64, 0.0f64);
        for (k, qid) in self.order.iter().enumerate() {
            let c = acc[k] / norm;
            if qid == id {
                own = c;
            } else {
                other = other.max(c);
            }
        }
        (own, other)
    }

    /// How many of the stems are terms of art of the bank (in its vocabulary, in at most half of its questions).
    pub fn technical_terms(&self, stems: &[&str]) -> usize {
        stems
            .iter()
            .filter(|s| !super::detect::GENERIC.contains(s) && self.topic_idf.is_specific(s))
            .count()
    }

    /// TF-IDF cosine of an answer to the question's reference answer (IDF over the bank's references).
    pub fn reference_similarity(&self, id: &str, answer: &str) -> f64 {
        let s = stems(answer, &self.lexicon);
        let v: Vec<&str> = s.iter().map(String::as_str).collect();
        let a = self.reference_idf.vector(&v);
        self.questions
            .get(id)
            .map(|q| q.reference.cosine(&a))
            .unwrap_or(0.0)
    }
}

/// A cheap fingerprint of a bank's content: ids, versions and text lengths.
fn fingerprint(bank: &Bank) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bank.questions.len().hash(&mut h);
    for q in &bank.questions {
        q.spec.id.hash(&mut h);
        q.spec.version.hash(&mut h);
        q.spec.prompt.len().hash(&mut h);
        q.spec.reference.len().hash(&mut h);
        q.criteria.len().hash(&mut h);
        q.ladder.len().hash(&mut h);
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_prefers_the_own_question() {
        let b = Bank::embedded().unwrap();
        let ix = BankIndex::of(&b);
        let q = b.get("cv-detection-anchor-boxes").unwrap();
        let s = stems(&q.spec.reference, &b.lexicon);
        let v: Vec<&str> = s.iter().map(String::as_str).collect();
        let (own, other) = ix.topic_similarity(&q.spec.id, &v);
        assert!(own > other, "{own} {other}");
        let r = ix.reference_similarity(&q.spec.id, &q.spec.reference);
        assert!((r - 1.0).abs() < 1e-9, "{r}");
        assert!(Arc::ptr_eq(&ix, &BankIndex::of(&b)));
    }
}
