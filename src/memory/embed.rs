//! Sentence embeddings with all-MiniLM-L6-v2, run in-process with candle:
//! BERT → mean pooling over the attention mask → L2 normalisation, exactly
//! the sentence-transformers pipeline the model ships with.

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

use crate::error::{Error, Result};

/// The embedding model, as vectors record it.
pub const MODEL_ID: &str = crate::config::EMBEDDING_MODEL;
/// Dimensions of its vectors.
pub const DIMS: usize = 384;
/// sentence-transformers' `max_seq_length` for this model; the shipped
/// tokenizer.json says 128, which would cut long observations short.
const MAX_TOKENS: usize = 256;
const FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];

/// The loaded embedding model.
pub struct Embedder {
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
}

/// Where the model's files live under a models directory.
pub fn model_dir(models_dir: &Path) -> PathBuf {
    models_dir.join(MODEL_ID)
}

/// The files that are missing from the model directory, if any.
pub fn missing_files(models_dir: &Path) -> Vec<PathBuf> {
    let dir = model_dir(models_dir);
    FILES
        .iter()
        .map(|f| dir.join(f))
        .filter(|p| !p.is_file())
        .collect()
}

fn failed(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Embedding {
        message: format!("{what}: {e}"),
    }
}

impl Embedder {
    /// Load the model from `<models_dir>/all-MiniLM-L6-v2`.
    pub fn load(models_dir: &Path) -> Result<Embedder> {
        let dir = model_dir(models_dir);
        if !missing_files(models_dir).is_empty() {
            return Err(Error::ModelMissing { dir });
        }
        let config: Config = std::fs::read_to_string(dir.join("config.json"))
            .map_err(|e| Error::io("read", &dir.join("config.json"), e))
            .and_then(|t| serde_json::from_str(&t).map_err(|e| failed("config.json", e)))?;
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json"))
            .map_err(|e| failed("tokenizer.json", e))?;
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            ..Default::default()
        }));
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(|e| failed("tokenizer truncation", e))?;
        let device = Device::Cpu;
        // SAFETY: the file is mapped read-only; fetch-models swaps the model
        // directory by rename, so a mapped file is never truncated in place.
        let vb = unsafe {
            VarBuilder::from_mmaped_safetensors(
                &[dir.join("model.safetensors")],
                DType::F32,
                &device,
            )
        }
        .map_err(|e| failed("model.safetensors", e))?;
        let model = BertModel::load(vb, &config).map_err(|e| failed("loading BERT weights", e))?;
        Ok(Embedder {
            model,
            tokenizer,
            device,
        })
    }

    /// Embed a batch of texts: one unit-length 384-d vector each.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let run = || -> candle_core::Result<Vec<Vec<f32>>> {
            let encodings = self
                .tokenizer
                .encode_batch(texts.to_vec(), true)
                .map_err(|e| candle_core::Error::Msg(e.to_string()))?;
            let ids: Vec<Tensor> = encodings
                .iter()
                .map(|e| Tensor::new(e.get_ids(), &self.device))
                .collect::<candle_core::Result<_>>()?;
            let mask: Vec<Tensor> = encodings
                .iter()
                .map(|e| Tensor::new(e.get_attention_mask(), &self.device))
                .collect::<candle_core::Result<_>>()?;
            let ids = Tensor::stack(&ids, 0)?;
            let mask = Tensor::stack(&mask, 0)?;
            let types = ids.zeros_like()?;
            let hidden = self.model.forward(&ids, &types, Some(&mask))?;
            let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
            let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
            let counts = mask.sum(1)?;
            let mean = summed.broadcast_div(&counts)?;
            let norm = mean.sqr()?.sum_keepdim(1)?.sqrt()?;
            mean.broadcast_div(&norm)?.to_vec2::<f32>()
        };
        run().map_err(|e| failed("embedding", e))
    }
}

/// Vectors are stored as little-endian f32 blobs.
pub fn to_blob(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// A stored vector (little-endian `f32`s) back as floats.
pub fn from_blob(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_round_trip() {
        let v = vec![0.5f32, -1.25, 3.0e-7];
        assert_eq!(from_blob(&to_blob(&v)), v);
    }

    /// The installed model, or `None` (skip) unless CAXTON_REQUIRE_MODEL=1.
    fn installed() -> Option<Embedder> {
        let dir = std::env::var_os("CAXTON_MODELS_DIR")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .map(|h| PathBuf::from(h).join(".local/share/caxton/models"))
            })?;
        match Embedder::load(&dir) {
            Ok(e) => Some(e),
            Err(e) if std::env::var("CAXTON_REQUIRE_MODEL").is_ok_and(|v| v == "1") => {
                panic!("CAXTON_REQUIRE_MODEL=1 but the model does not load: {e}")
            }
            Err(e) => {
                eprintln!("note: skipping model test: {e}");
                None
            }
        }
    }

    #[test]
    fn golden_vector_and_batch_consistency() {
        let Some(e) = installed() else { return };
        let v = e.embed(&["This is an example sentence"]).unwrap().remove(0);
        assert_eq!(v.len(), DIMS);
        for (got, want) in v
            .iter()
            .zip([0.067657, 0.063496, 0.048713, 0.079305, 0.037448])
        {
            assert!((got - want).abs() < 1e-4, "{got} vs {want}");
        }
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5);
        // Padding in a mixed batch must not change a sentence's vector.
        let long = "a much longer sentence that forces the other one to be padded in the batch";
        let batch = e.embed(&["This is an example sentence", long, ""]).unwrap();
        let cos: f32 = batch[0].iter().zip(&v).map(|(a, b)| a * b).sum();
        assert!(cos > 0.99999, "{cos}");
        assert_eq!(batch.len(), 3);
        assert!(e.embed(&[]).unwrap().is_empty());
    }

    #[test]
    fn similar_meaning_scores_higher() {
        let Some(e) = installed() else { return };
        let v = e
            .embed(&[
                "feline pets",
                "cats purr when content",
                "the deploy pipeline runs cargo",
            ])
            .unwrap();
        let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
        assert!(dot(&v[0], &v[1]) > dot(&v[0], &v[2]) + 0.1);
    }

    #[test]
    fn missing_model_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        match Embedder::load(dir.path()) {
            Err(Error::ModelMissing { dir: d }) => assert!(d.ends_with(MODEL_ID)),
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => panic!("loaded a model from an empty directory"),
        }
    }
}
