//! The static embedding table: distilled from MiniLM once, saved as f16 rows (`static-table-v1.bin`), and what
//! load derives from it (per-piece weights, the common direction) cached in a sidecar (`static-table-v1.derived.bin`)
//! stamped with a fingerprint of everything it was derived from, so a stale sidecar is rebuilt, never trusted.

use super::MiniLm;
use crate::text::fasthash::Fnv;
use anyhow::{anyhow, Context, Result};
use candle_core::{Device, Tensor};
use std::hash::Hasher;
use std::path::Path;
use tokenizers::Tokenizer;

/// The static table's file in the model directory.
pub const TABLE_FILE: &str = "static-table-v1.bin";
const TABLE_MAGIC: &[u8; 8] = b"VIVAST01";
/// Weight of a function word's piece in the average (content words carry the claim).
const FUNCTION_WEIGHT: f32 = 0.25;

/// The most word pieces of one text that count (the tokenizer file's truncation length).
const MAX_PIECES: usize = 128;
/// Chunks remembered per thread before the memory is cleared.
const PIECE_CACHE_LIMIT: usize = 200_000;

thread_local! {
    /// Word pieces of whitespace-separated chunks already encoded.
    static PIECES: std::cell::RefCell<crate::text::fasthash::FnvMap<String, Vec<u32>>> =
        std::cell::RefCell::new(Default::default());
}

/// A static embedding table distilled from MiniLM: every word piece's contextual vector when the model reads it
/// alone. A sentence is the weighted mean of its pieces' vectors, so embedding costs a table lookup per piece
/// instead of a transformer pass (what lets batch grading keep its speed).
pub struct StaticTable {
    tokenizer: Tokenizer,
    dim: usize,
    rows: Vec<f32>,
    weight: Vec<f32>,
    /// The weighted mean of all rows: the direction every sentence shares, removed before comparing.
    common: Vec<f32>,
}

/// The weighted mean row.
fn common_direction(rows: &[f32], weight: &[f32], dim: usize) -> Vec<f32> {
    let mut acc = vec![0f32; dim];
    let mut total = 0f32;
    for (i, w) in weight.iter().enumerate() {
        if *w > 0.0 {
            for (a, x) in acc.iter_mut().zip(&rows[i * dim..(i + 1) * dim]) {
                *a += w * x;
            }
            total += w;
        }
    }
    if total > 0.0 {
        acc.iter_mut().for_each(|x| *x /= total);
    }
    acc
}

impl StaticTable {
    /// Run every vocabulary entry through the model (about a minute on one core), with a progress bar.
    pub fn distill(model: &MiniLm, progress: bool) -> Result<StaticTable> {
        let vocab = model.tokenizer.get_vocab_size(true);
        let (cls, sep) = (101u32, 102u32);
        let bar = if progress {
            let b = indicatif::ProgressBar::new(vocab as u64);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "preparing the embedding table {bar:30} {pos}/{len} ({eta})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            b
        } else {
            indicatif::ProgressBar::hidden()
        };
        let dev = &Device::Cpu;
        let mut rows: Vec<f32> = Vec::new();
        let mut dim = 0;
        for start in (0..vocab as u32).step_by(256) {
            let end = (start + 256).min(vocab as u32);
            let n = (end - start) as usize;
            let ids: Vec<u32> = (start..end).flat_map(|i| [cls, i, sep]).collect();
            let ids = Tensor::from_vec(ids, (n, 3), dev)?;
            let types = ids.zeros_like()?;
            let hidden = model.model.forward(&ids, &types, None)?;
            let tok = hidden.narrow(1, 1, 1)?.squeeze(1)?; // the piece's own position
            let norm = tok.sqr()?.sum_keepdim(1)?.sqrt()?;
            let unit = tok.broadcast_div(&norm)?;
            let v = unit.to_vec2::<f32>()?;
            dim = v.first().map_or(dim, |r| r.len());
            for r in v {
                rows.extend(r);
            }
            bar.set_position(end as u64);
        }
        bar.finish_and_clear();
        let weight = piece_weights(&model.tokenizer, vocab);
        let common = common_direction(&rows, &weight, dim);
        Ok(StaticTable {
            tokenizer: plain(model.tokenizer.clone()),
            dim,
            rows,
            weight,
            common,
        })
    }

    /// Write the table (f16) atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut buf = Vec::with_capacity(16 + self.rows.len() * 2);
        buf.extend_from_slice(TABLE_MAGIC);
        buf.extend_from_slice(&((self.rows.len() / self.dim.max(1)) as u32).to_le_bytes());
        buf.extend_from_slice(&(self.dim as u32).to_le_bytes());
        for x in &self.rows {
            buf.extend_from_slice(&half::f16::from_f32(*x).to_le_bytes());
        }
        write_atomically(path, &buf)
    }

    /// Read a saved table; the tokenizer comes from the model directory.
    pub fn load(dir: &Path) -> Result<StaticTable> {
        let bytes = std::fs::read(dir.join(TABLE_FILE)).context("reading the embedding table")?;
        if bytes.len() < 16 || &bytes[..8] != TABLE_MAGIC {
            return Err(anyhow!("the embedding table is not a viva table"));
        }
        let n = u32::from_le_bytes(bytes[8..12].try_into()?) as usize;
        let dim = u32::from_le_bytes(bytes[12..16].try_into()?) as usize;
        if bytes.len() != 16 + n * dim * 2 || dim == 0 {
            return Err(anyhow!("the embedding table is truncated"));
        }
        let rows: Vec<f32> = bytes[16..]
            .chunks_exact(2)
            .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
            .collect();
        let tokenizer_json = std::fs::read(dir.join("tokenizer.json"))
            .map_err(|e| anyhow!("reading tokenizer.json: {e}"))?;
        let tokenizer = Tokenizer::from_bytes(&tokenizer_json)
            .map_err(|e| anyhow!("reading tokenizer.json: {e}"))?;
        let (weight, common) =
            Derived::cached_or_derive(dir, &tokenizer_json, &bytes, (n, dim), || {
                let weight = piece_weights(&tokenizer, n);
                let common = common_direction(&rows, &weight, dim);
                Derived { weight, common }
            });
        Ok(StaticTable {
            tokenizer: plain(tokenizer),
            dim,
            rows,
            weight,
            common,
        })
    }

    /// The word pieces of `text`, as the tokenizer gives them (at most [`MAX_PIECES`]). The tokenizer's
    /// normaliser and pre-tokenizer never join across whitespace, so each whitespace-separated chunk is encoded
    /// alone and remembered: an answer's words are mostly words graded before, and encoding is most of the cost.
    fn pieces(&self, text: &str) -> Vec<u32> {
        PIECES.with(|cache| {
            let mut cache = cache.borrow_mut();
            if cache.len() > PIECE_CACHE_LIMIT {
                cache.clear();
            }
            let mut ids = Vec::new();
            for chunk in text.split(char::is_whitespace).filter(|c| !c.is_empty()) {
                if let Some(v) = cache.get(chunk) {
                    ids.extend_from_slice(v);
                } else {
                    let v: Vec<u32> = match self.tokenizer.encode(chunk, false) {
                        Ok(enc) => enc.get_ids().to_vec(),
                        Err(_) => Vec::new(),
                    };
                    ids.extend_from_slice(&v);
                    cache.insert(chunk.to_string(), v);
                }
                if ids.len() >= MAX_PIECES {
                    break;
                }
            }
            ids.truncate(MAX_PIECES);
            ids
        })
    }

    fn embed_one(&self, text: &str) -> Vec<f32> {
        let mut acc = vec![0f32; self.dim];
        let mut total = 0f32;
        for id in self.pieces(text) {
            let id = id as usize;
            let Some(w) = self.weight.get(id).copied().filter(|w| *w > 0.0) else {
                continue;
            };
            let row = &self.rows[id * self.dim..(id + 1) * self.dim];
            for (a, x) in acc.iter_mut().zip(row) {
                *a += w * x;
            }
            total += w;
        }
        if total > 0.0 {
            for (a, c) in acc.iter_mut().zip(&self.common) {
                *a = *a / total - c;
            }
        }
        let n = acc.iter().map(|x| x * x).sum::<f32>().sqrt();
        if n > 0.0 {
            acc.iter_mut().for_each(|x| *x /= n);
        }
        acc
    }
}

/// The tokenizer without truncation or padding: [`StaticTable::pieces`] encodes a word at a time and applies
/// the length limit itself.
fn plain(mut tok: Tokenizer) -> Tokenizer {
    tok.with_padding(None);
    let _ = tok.with_truncation(None);
    tok
}

/// Per word piece: 0 for special tokens and punctuation, [`FUNCTION_WEIGHT`] for function words, 1 otherwise.
fn piece_weights(tok: &Tokenizer, vocab: usize) -> Vec<f32> {
    (0..vocab as u32)
        .map(|i| {
            let t = tok.id_to_token(i).unwrap_or_default();
            let w = t.trim_start_matches("##");
            if t.starts_with('[') && t.ends_with(']') || !w.chars().any(|c| c.is_alphanumeric()) {
                0.0
            } else if crate::grade::detect::is_function_word(w) {
                FUNCTION_WEIGHT
            } else {
                1.0
            }
        })
        .collect()
}

impl crate::grade::semantic::Embed for StaticTable {
    fn embed(&self, texts: &[&str]) -> Option<Vec<Vec<f32>>> {
        Some(texts.iter().map(|t| self.embed_one(t)).collect())
    }
}

/// Write `bytes` to `path` through a temp file (one per process, so concurrent writers never share one).
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!("viva-tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            anyhow!("writing {}: {e}", path.display())
        })
}

/// The sidecar file, next to the table, that caches [`Derived`].
pub const DERIVED_FILE: &str = "static-table-v1.derived.bin";
/// The sidecar's format and the rule that derives it: change it when [`piece_weights`] or
/// [`common_direction`] change.
const DERIVED_MAGIC: &[u8; 8] = b"VIVASD01";

/// What load derives from the table and the tokenizer: per-piece weights (see [`piece_weights`]) and the common
/// direction (see [`common_direction`]).
struct Derived {
    weight: Vec<f32>,
    common: Vec<f32>,
}

impl Derived {
    /// The cached derivation when the sidecar in `dir` is fresh for these tokenizer and table bytes (and holds
    /// `shape`: pieces and dimension), else `derive()`, written to the sidecar for next time (best effort: a
    /// read-only cache only costs the time).
    fn cached_or_derive(
        dir: &Path,
        tokenizer_json: &[u8],
        table: &[u8],
        shape: (usize, usize),
        derive: impl FnOnce() -> Derived,
    ) -> (Vec<f32>, Vec<f32>) {
        let path = dir.join(DERIVED_FILE);
        let stamp = derived_stamp(tokenizer_json, table);
        let cached = std::fs::read(&path)
            .ok()
            .and_then(|b| Derived::parse(&b, stamp, shape));
        let d = match cached {
            Some(d) => d,
            None => {
                let d = derive();
                let _ = write_atomically(&path, &d.to_bytes(stamp));
                d
            }
        };
        (d.weight, d.common)
    }

    /// Sidecar layout: magic, stamp (u64), piece count and dimension (u32 each), then the weights and the common
    /// direction as f32, all little-endian.
    fn to_bytes(&self, stamp: u64) -> Vec<u8> {
        let mut buf = Vec::with_capacity(24 + 4 * (self.weight.len() + self.common.len()));
        buf.extend_from_slice(DERIVED_MAGIC);
        buf.extend_from_slice(&stamp.to_le_bytes());
        buf.extend_from_slice(&(self.weight.len() as u32).to_le_bytes());
        buf.extend_from_slice(&(self.common.len() as u32).to_le_bytes());
        for x in self.weight.iter().chain(&self.common) {
            buf.extend_from_slice(&x.to_le_bytes());
        }
        buf
    }

    /// The sidecar's content, or None when it is not a sidecar, carries another stamp, has another shape than
    /// `(n, dim)` or is cut short.
    fn parse(bytes: &[u8], stamp: u64, (n, dim): (usize, usize)) -> Option<Derived> {
        if bytes.len() < 24 || &bytes[..8] != DERIVED_MAGIC || bytes[8..16] != stamp.to_le_bytes() {
            return None;
        }
        let word = |at: usize| {
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        if (word(16) as usize, word(20) as usize) != (n, dim) || bytes.len() != 24 + 4 * (n + dim) {
            return None;
        }
        let mut floats = bytes[24..]
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]));
        let weight = floats.by_ref().take(n).collect();
        let common = floats.collect();
        Some(Derived { weight, common })
    }
}

/// Fingerprint of everything [`Derived`] depends on: the derivation rule ([`DERIVED_MAGIC`], the function words
/// and their weight), the tokenizer's file and the table's bytes.
fn derived_stamp(tokenizer_json: &[u8], table: &[u8]) -> u64 {
    let mut h = Fnv::default();
    h.write(DERIVED_MAGIC);
    h.write_u32(FUNCTION_WEIGHT.to_bits());
    for w in crate::grade::detect::FUNCTION_WORDS {
        h.write(w.as_bytes());
        h.write_u8(0);
    }
    h.write_u64(fingerprint(tokenizer_json));
    h.write_u64(fingerprint(table));
    h.finish()
}

/// A fast fingerprint of a large byte string: FNV-style steps over 8-byte words in four independent lanes (each
/// step is a bijection of its lane, so any one changed word changes the result). It tells a stale cache from a
/// fresh one; it is no defence against a crafted file.
fn fingerprint(bytes: &[u8]) -> u64 {
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut lanes = [0xcbf2_9ce4_8422_2325u64; 4];
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        for (lane, w) in lanes.iter_mut().zip(block.chunks_exact(8)) {
            let w = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
            *lane = (*lane ^ w).wrapping_mul(PRIME);
        }
    }
    let mut h = Fnv::default();
    for lane in lanes {
        h.write_u64(lane);
    }
    h.write(blocks.remainder());
    h.write_u64(bytes.len() as u64);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn derived() -> Derived {
        Derived {
            weight: vec![0.0, 0.25, 1.0],
            common: vec![0.5, -0.5],
        }
    }

    #[test]
    fn a_sidecar_is_read_back_only_with_its_stamp_and_shape() {
        let bytes = derived().to_bytes(7);
        let d = Derived::parse(&bytes, 7, (3, 2)).unwrap();
        assert_eq!((d.weight, d.common), (derived().weight, derived().common));
        assert!(Derived::parse(&bytes, 8, (3, 2)).is_none(), "another stamp");
        assert!(Derived::parse(&bytes, 7, (3, 3)).is_none(), "another shape");
        assert!(
            Derived::parse(&bytes[..bytes.len() - 1], 7, (3, 2)).is_none(),
            "cut short"
        );
    }

    #[test]
    fn a_changed_table_or_tokenizer_changes_the_stamp() {
        let table = vec![1u8; 1000];
        let mut other = table.clone();
        other[517] = 2;
        let s = derived_stamp(b"{}", &table);
        assert_ne!(s, derived_stamp(b"{}", &other));
        assert_ne!(s, derived_stamp(b"{ }", &table));
        assert_ne!(s, derived_stamp(b"{}", &table[..999]));
    }

    #[test]
    fn a_stale_sidecar_is_rebuilt_and_a_fresh_one_is_used() {
        let dir = tempfile::tempdir().unwrap();
        let derive = |w: f32| {
            move || Derived {
                weight: vec![w; 3],
                common: vec![0.0; 2],
            }
        };
        let (w, _) = Derived::cached_or_derive(dir.path(), b"t", b"table one", (3, 2), derive(1.0));
        assert_eq!(w, vec![1.0; 3]);
        // Fresh: the cached values, not a new derivation.
        let (w, _) = Derived::cached_or_derive(dir.path(), b"t", b"table one", (3, 2), derive(2.0));
        assert_eq!(w, vec![1.0; 3]);
        // Another table: stale, derived again.
        let (w, _) = Derived::cached_or_derive(dir.path(), b"t", b"table two", (3, 2), derive(3.0));
        assert_eq!(w, vec![3.0; 3]);
    }
}
