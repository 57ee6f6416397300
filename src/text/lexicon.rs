//! The lexicon: a rubric bank's multi-word synonyms ("region proposal network" for "rpn"), rewritten to one
//! canonical token after tokenizing, so that patterns and answers meet on the same word.

use super::fasthash::{Fnv, FnvMap};
use super::normalize::{tokenize_plain, Token};
use super::words::stem_word;
use std::hash::Hasher;

/// Multi-word synonyms rewritten to one canonical token.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// variant stem sequence -> canonical stem, longest variants first when matching.
    entries: FnvMap<String, Vec<(Vec<String>, String)>>,
    /// A hash of the `canonical -> variants` map it was built from (0 for the empty lexicon).
    fingerprint: u64,
}

impl Lexicon {
    /// Build from `canonical -> variants`. Variants are normalised without the lexicon itself.
    pub fn new(map: &[(String, Vec<String>)]) -> Self {
        let mut entries: FnvMap<String, Vec<(Vec<String>, String)>> = FnvMap::default();
        for (canon, variants) in map {
            let canon_stem = stem_word(&canon.to_lowercase());
            for v in variants {
                let toks: Vec<String> = tokenize_plain(v).into_iter().map(|t| t.stem).collect();
                if toks.is_empty() {
                    continue;
                }
                entries
                    .entry(toks[0].clone())
                    .or_default()
                    .push((toks, canon_stem.clone()));
            }
        }
        for list in entries.values_mut() {
            list.sort_by_key(|e| std::cmp::Reverse(e.0.len()));
        }
        Lexicon {
            entries,
            fingerprint: fingerprint(map),
        }
    }

    /// A hash of the synonyms this lexicon was built from: two lexicons with the same fingerprint normalise text
    /// alike, so what is derived from text under one can be cached for both.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    pub(super) fn rewrite(&self, mut toks: Vec<Token>) -> Vec<Token> {
        if self.entries.is_empty() {
            return toks;
        }
        let mut out: Vec<Token> = Vec::with_capacity(toks.len());
        let mut skip = 0;
        for i in 0..toks.len() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            if let Some(cands) = self.entries.get(&toks[i].stem) {
                let hit = cands.iter().find(|(seq, _)| {
                    let n = seq.len();
                    i + n <= toks.len()
                        && toks[i..i + n].iter().zip(seq).all(|(t, s)| &t.stem == s)
                        && toks[i..i + n].iter().all(|t| t.sent == toks[i].sent)
                });
                if let Some((seq, canon)) = hit {
                    let n = seq.len();
                    let end = toks[i + n - 1].end;
                    let mut t = std::mem::take(&mut toks[i]);
                    t.end = end;
                    t.raw = canon.clone();
                    t.stem = canon.clone();
                    t.num = None;
                    out.push(t);
                    skip = n - 1;
                    continue;
                }
            }
            out.push(std::mem::take(&mut toks[i]));
        }
        out
    }
}

fn fingerprint(map: &[(String, Vec<String>)]) -> u64 {
    if map.is_empty() {
        return 0;
    }
    let mut h = Fnv::default();
    for (canon, variants) in map {
        h.write(canon.as_bytes());
        h.write_u8(0xff);
        for v in variants {
            h.write(v.as_bytes());
            h.write_u8(0);
        }
        h.write_u8(0xfe);
    }
    h.finish()
}
