//! The sentence-embedding adapter: all-MiniLM-L6-v2 run by candle on the CPU, its weights pinned by sha256 and
//! fetched once into the cache (see [`fetch`]). The grader sees it only through [`crate::grade::semantic::Embed`].

pub mod fetch;

use anyhow::{anyhow, Context, Result};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use std::path::Path;
use tokenizers::{PaddingParams, Tokenizer, TruncationParams};

/// Longest input in word pieces; longer sentences are cut (a criterion-sized claim is far shorter).
const MAX_TOKENS: usize = 128;

/// all-MiniLM-L6-v2: mean pooling over the last layer, then L2 normalisation (the model card's recipe).
pub struct MiniLm {
    model: BertModel,
    tokenizer: Tokenizer,
}

impl MiniLm {
    /// Load from a directory holding `model.safetensors`, `tokenizer.json` and `config.json` (already verified).
    pub fn load(dir: &Path) -> Result<MiniLm> {
        let config: Config = serde_json::from_str(
            &std::fs::read_to_string(dir.join("config.json")).context("reading config.json")?,
        )
        .context("parsing config.json")?;
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json"))
            .map_err(|e| anyhow!("reading tokenizer.json: {e}"))?;
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(|e| anyhow!("tokenizer: {e}"))?;
        tokenizer.with_padding(Some(PaddingParams::default()));
        let weights =
            std::fs::read(dir.join("model.safetensors")).context("reading model.safetensors")?;
        let vb = VarBuilder::from_buffered_safetensors(weights, DType::F32, &Device::Cpu)
            .context("loading model.safetensors")?;
        let model = BertModel::load(vb, &config).context("building the model")?;
        Ok(MiniLm { model, tokenizer })
    }
}

/// The static table's file in the model directory.
pub const TABLE_FILE: &str = "static-table-v1.bin";
const TABLE_MAGIC: &[u8; 8] = b"VIVAST01";
/// Weight of a function word's piece in the average (content words carry the claim).
const FUNCTION_WEIGHT: f32 = 0.25;

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
            tokenizer: model.tokenizer.clone(),
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
        let tmp = path.with_extension("viva-tmp");
        std::fs::write(&tmp, &buf)
            .and_then(|_| std::fs::rename(&tmp, path))
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                anyhow!("writing {}: {e}", path.display())
            })
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
        let tokenizer = Tokenizer::from_file(dir.join("tokenizer.json"))
            .map_err(|e| anyhow!("reading tokenizer.json: {e}"))?;
        let weight = piece_weights(&tokenizer, n);
        let common = common_direction(&rows, &weight, dim);
        Ok(StaticTable {
            tokenizer,
            dim,
            rows,
            weight,
            common,
        })
    }

    fn embed_one(&self, text: &str) -> Vec<f32> {
        let mut acc = vec![0f32; self.dim];
        let mut total = 0f32;
        if let Ok(enc) = self.tokenizer.encode(text, false) {
            for &id in enc.get_ids() {
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

/// The table for `dir`, distilling it from the model first when it is missing (once; `progress` shows a bar).
pub fn table(dir: &Path, progress: bool) -> Result<StaticTable> {
    if let Ok(t) = StaticTable::load(dir) {
        return Ok(t);
    }
    let model = MiniLm::load(dir)?;
    let t = StaticTable::distill(&model, progress)?;
    t.save(&dir.join(TABLE_FILE))?;
    Ok(t)
}
