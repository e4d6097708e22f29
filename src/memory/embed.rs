//! Sentence embeddings with all-MiniLM-L6-v2, run in-process with candle:
//! BERT → mean pooling over the attention mask → L2 normalisation, exactly
//! the sentence-transformers pipeline the model ships with.
//!
//! Search queries go through a small cache of recent query vectors: an
//! agent or an MCP client repeats its questions, and a hit costs a hash
//! lookup instead of a BERT forward pass (most of a search's time). A hit
//! returns the vector the model computed for that exact text, so results are
//! identical.
//!
//! A query of up to [`SHORT_TOKENS`] tokens that misses the cache goes
//! through [`ShortBert`] (memory/bert.rs): the same model with its weights
//! packed once at load (as f16) instead of by candle's `gemm` on every
//! matrix product, which dominated a ~10-token query. Its vectors are within
//! a cosine of 0.999 of `BertModel`'s (tested on 200 real sentences; the
//! bench reports the measured minimum and how often a top-10 changes).
//! Everything that is stored goes through candle's `BertModel`, so stored
//! vectors do not depend on which path a text took. Both run their matrix
//! products on rayon's pool (`RAYON_NUM_THREADS`, which `main` sets to the
//! core count); `cargo bench --bench memory -- embed` compares the paths on
//! one thread and on all cores.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

use crate::error::{Error, Result};
use crate::memory::bert::ShortBert;

/// The embedding model, as vectors record it.
pub const MODEL_ID: &str = crate::config::EMBEDDING_MODEL;
/// Dimensions of its vectors.
pub const DIMS: usize = 384;
/// sentence-transformers' `max_seq_length` for this model; the shipped
/// tokenizer.json says 128, which would cut long observations short.
const MAX_TOKENS: usize = 256;
const FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];
/// Query vectors kept (1.5 KiB each plus the text).
const QUERY_CACHE_ENTRIES: usize = 1_024;
/// Up to this many tokens a query goes through [`ShortBert`]; longer ones
/// through candle's `BertModel`, whose packed matrix products win once the
/// packing is spread over enough tokens (`cargo bench --bench memory --
/// embed` prints both sides of the crossover).
const SHORT_TOKENS: usize = 64;

/// The loaded embedding model.
pub struct Embedder {
    model: BertModel,
    /// The same weights for one short query at a time, when the config is
    /// one [`ShortBert`] implements.
    short: Option<ShortBert>,
    tokenizer: Tokenizer,
    device: Device,
    /// Recent query vectors of this model, by exact text.
    queries: Mutex<QueryCache>,
}

/// A bounded least-recently-used map from query text to its vector.
#[derive(Debug)]
struct QueryCache {
    capacity: usize,
    /// Text → (vector, last use).
    entries: HashMap<String, (Vec<f32>, u64)>,
    clock: u64,
    hits: u64,
}

impl QueryCache {
    fn new(capacity: usize) -> QueryCache {
        QueryCache {
            capacity,
            entries: HashMap::with_capacity(capacity),
            clock: 0,
            hits: 0,
        }
    }

    fn get(&mut self, text: &str) -> Option<Vec<f32>> {
        self.clock += 1;
        let (v, used) = self.entries.get_mut(text)?;
        *used = self.clock;
        self.hits += 1;
        Some(v.clone())
    }

    fn insert(&mut self, text: &str, v: Vec<f32>) {
        if self.capacity == 0 {
            return;
        }
        if self.entries.len() >= self.capacity && !self.entries.contains_key(text) {
            // Evict the least recently used. A linear pass over at most
            // `capacity` entries, only on a miss, which also runs the model
            // (milliseconds): cheaper than keeping an ordered list in step.
            let oldest = self
                .entries
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(t, _)| t.clone());
            if let Some(t) = oldest {
                self.entries.remove(&t);
            }
        }
        self.clock += 1;
        self.entries.insert(text.to_owned(), (v, self.clock));
    }
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
        let model =
            BertModel::load(vb.clone(), &config).map_err(|e| failed("loading BERT weights", e))?;
        let short = ShortBert::load(vb, &config).map_err(|e| failed("loading BERT weights", e))?;
        Ok(Embedder {
            model,
            short,
            tokenizer,
            device,
            queries: Mutex::new(QueryCache::new(QUERY_CACHE_ENTRIES)),
        })
    }

    /// Embed one search query, from the cache of recent queries when the
    /// same text was embedded before (the identical vector).
    pub fn embed_query(&self, text: &str) -> Result<Vec<f32>> {
        // A poisoned lock only means another search panicked mid-update of
        // a plain map; the entries are still whole vectors.
        let cached = self
            .queries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(text);
        if let Some(v) = cached {
            return Ok(v);
        }
        let v = self.query_vector(text)?;
        self.queries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(text, v.clone());
        Ok(v)
    }

    /// Query-cache hits since the model was loaded.
    pub fn query_cache_hits(&self) -> u64 {
        self.queries.lock().unwrap_or_else(|p| p.into_inner()).hits
    }

    /// How many tokens the model sees for `text` (after truncation).
    pub fn token_count(&self, text: &str) -> Result<usize> {
        Ok(self
            .tokenizer
            .encode(text, true)
            .map_err(|e| failed("tokenizing", e))?
            .len())
    }

    /// One query's vector: through [`ShortBert`] when it is short.
    fn query_vector(&self, text: &str) -> Result<Vec<f32>> {
        if let Some(short) = &self.short {
            let encoding = self
                .tokenizer
                .encode(text, true)
                .map_err(|e| failed("tokenizing", e))?;
            if encoding.len() <= SHORT_TOKENS {
                let hidden = short
                    .forward(encoding.get_ids())
                    .map_err(|e| failed("embedding", e))?;
                return Ok(mean_normalised(&hidden, DIMS));
            }
        }
        Ok(self.embed(&[text])?.pop().unwrap_or_default())
    }

    /// Embed a batch of texts with candle's `BertModel`: one unit-length
    /// 384-d vector each.
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

/// Mean of the rows of `hidden` (`dims` wide; every token counts, as there
/// is no padding), scaled to unit length: the pooling and normalisation
/// `embed` does with tensors.
fn mean_normalised(hidden: &[f32], dims: usize) -> Vec<f32> {
    let rows = (hidden.len() / dims).max(1) as f32;
    let mut mean = vec![0f32; dims];
    for row in hidden.chunks_exact(dims) {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += v;
        }
    }
    for m in &mut mean {
        *m /= rows;
    }
    let norm = mean.iter().map(|v| v * v).sum::<f32>().sqrt();
    for m in &mut mean {
        *m /= norm;
    }
    mean
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
    fn a_cached_query_is_the_identical_vector() {
        let Some(e) = installed() else { return };
        let text = "which project did Ada work on";
        let first = e.embed_query(text).unwrap();
        assert_eq!(e.query_cache_hits(), 0);
        assert_eq!(first, e.query_vector(text).unwrap());
        assert_eq!(e.embed_query(text).unwrap(), first);
        assert_eq!(e.query_cache_hits(), 1);
        // Keyed by the exact text: any other text runs the model.
        let other = e.embed_query("which project did Ada work on?").unwrap();
        assert_eq!(e.query_cache_hits(), 1);
        assert_eq!(
            other,
            e.query_vector("which project did Ada work on?").unwrap()
        );
    }

    #[test]
    fn the_query_cache_is_bounded_and_evicts_the_least_recently_used() {
        let mut c = QueryCache::new(3);
        for (i, t) in ["a", "b", "c"].into_iter().enumerate() {
            c.insert(t, vec![i as f32]);
        }
        assert_eq!(c.get("a"), Some(vec![0.0])); // "b" is now the oldest
        c.insert("d", vec![3.0]);
        assert_eq!(c.entries.len(), 3);
        assert_eq!(c.get("b"), None);
        assert_eq!(c.get("a"), Some(vec![0.0]));
        assert_eq!(c.get("c"), Some(vec![2.0]));
        assert_eq!(c.get("d"), Some(vec![3.0]));
        // Replacing a present text evicts nothing.
        c.insert("d", vec![4.0]);
        assert_eq!(c.entries.len(), 3);
        assert_eq!(c.get("d"), Some(vec![4.0]));
        assert_eq!(c.hits, 5);
    }

    /// Distinct real sentences from the project's own documentation.
    fn real_sentences(count: usize) -> Vec<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![root.join("README.md")];
        let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .collect();
        docs.sort();
        files.extend(docs);
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(f).unwrap();
            for s in text.split(['.', '\n', '|']).map(str::trim) {
                if (20..=200).contains(&s.len()) && seen.insert(s.to_owned()) {
                    out.push(s.to_owned());
                }
            }
        }
        out.truncate(count);
        assert_eq!(out.len(), count, "not enough sentences in the docs");
        out
    }

    /// A query through the short-text pass gets `BertModel`'s vector
    /// within f16 weight rounding, on real sentences.
    #[test]
    fn the_short_path_matches_bert_model() {
        let Some(e) = installed() else { return };
        assert!(
            e.short.is_some(),
            "MiniLM's config must take the short path"
        );
        let mut worst = 1f32;
        for s in real_sentences(200) {
            let tokens = e.tokenizer.encode(s.as_str(), true).unwrap().len();
            assert!(tokens <= SHORT_TOKENS, "{tokens} tokens: {s}");
            let short = e.query_vector(&s).unwrap();
            let candle = e.embed(&[&s]).unwrap().remove(0);
            let cos: f32 = short.iter().zip(&candle).map(|(a, b)| a * b).sum();
            worst = worst.min(cos);
        }
        eprintln!("short path vs BertModel, 200 sentences: min cosine {worst:.9}");
        assert!(worst >= 0.999, "min cosine {worst}");
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
