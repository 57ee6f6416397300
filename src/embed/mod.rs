//! The sentence-embedding adapter: all-MiniLM-L6-v2 run by candle on the CPU, its weights pinned by sha256 and
//! fetched once into the cache (see [`fetch`]), and the static table distilled from it that grading embeds with
//! ([`StaticTable`]). The grader sees it only through [`crate::grade::semantic::Embed`].

pub mod fetch;
mod table;

pub use table::{StaticTable, DERIVED_FILE, TABLE_FILE};

use anyhow::{anyhow, Context, Result};
use candle_core::{DType, Device};
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
