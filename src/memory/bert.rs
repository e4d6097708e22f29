//! BERT's forward pass for one short text, in plain f32 loops.
//!
//! candle's `BertModel` sends every linear layer through `gemm`, which packs
//! the weight matrix into its micro-kernel layout on each call. For a batch
//! of documents that pays off; for one search query of ~10 tokens it does
//! not: packing the 384x1536 matrices was ~70 % of a query's 17–19 ms. Here
//! a linear layer reads each weight row once, where it lies (the
//! safetensors `[out, in]` layout is already one contiguous row per output),
//! and takes its dot product with every token while the row is in L1. The
//! arithmetic is the same f32 model as candle's (same GELU, layer norm and
//! softmax formulas); only the summation order differs, so the vectors agree
//! with `BertModel`'s to rounding (tests below: cosine ≥ 0.9999 on real
//! sentences, measured ~1.0 − 1e-7).
//!
//! The output rows of a layer are split over rayon's pool: each row is
//! computed by the same kernel whichever thread runs it, so the result does
//! not depend on the thread count.

use candle_core::Tensor;
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{Config, HiddenAct, PositionEmbeddingType};
use rayon::prelude::*;

/// A linear layer `y = x Wᵀ + b`, `W` row-major `[out, inp]`.
struct Linear {
    w: Vec<f32>,
    b: Vec<f32>,
    inp: usize,
}

struct LayerNorm {
    gamma: Vec<f32>,
    beta: Vec<f32>,
    eps: f32,
}

struct Layer {
    /// Query, key and value stacked into one `[3h, h]` matrix: one pass
    /// over the input instead of three.
    qkv: Linear,
    attn_out: Linear,
    attn_norm: LayerNorm,
    up: Linear,
    down: Linear,
    out_norm: LayerNorm,
}

/// The weights of a BERT encoder, for one text at a time.
pub(crate) struct ShortBert {
    /// Word embeddings stay a candle tensor (the largest matrix, 47 MB for
    /// MiniLM): a text needs only its tokens' rows.
    words: Tensor,
    positions: Vec<f32>,
    token_type0: Vec<f32>,
    embed_norm: LayerNorm,
    layers: Vec<Layer>,
    hidden: usize,
    heads: usize,
}

fn flat(vb: &VarBuilder, shape: &[usize], name: &str) -> candle_core::Result<Vec<f32>> {
    vb.get(shape, name)?.flatten_all()?.to_vec1::<f32>()
}

impl Linear {
    fn load(vb: VarBuilder, inp: usize, out: usize) -> candle_core::Result<Linear> {
        Ok(Linear {
            w: flat(&vb, &[out, inp], "weight")?,
            b: flat(&vb, &[out], "bias")?,
            inp,
        })
    }

    fn out(&self) -> usize {
        self.b.len()
    }

    /// `x` holds `tokens` rows of `inp`; returns `tokens` rows of `out`.
    fn forward(&self, x: &[f32], tokens: usize) -> Vec<f32> {
        let (inp, out) = (self.inp, self.out());
        // Output-major while computing, so each thread owns a contiguous
        // block of weight rows and of results.
        let mut yt = vec![0f32; out * tokens];
        let threads = rayon::current_num_threads();
        if threads <= 1 {
            rows_times_tokens(&self.w, x, inp, tokens, &mut yt);
        } else {
            // An even number of rows per block keeps the kernel on its
            // two-row path.
            let rows = out.div_ceil(threads).next_multiple_of(2);
            self.w
                .par_chunks(rows * inp)
                .zip(yt.par_chunks_mut(rows * tokens))
                .for_each(|(w, y)| rows_times_tokens(w, x, inp, tokens, y));
        }
        let mut y = vec![0f32; tokens * out];
        for (t, row) in y.chunks_exact_mut(out).enumerate() {
            for ((v, j), b) in row.iter_mut().zip(0..).zip(&self.b) {
                *v = yt[j * tokens + t] + b;
            }
        }
        y
    }
}

impl LayerNorm {
    fn load(vb: VarBuilder, size: usize, eps: f64) -> candle_core::Result<LayerNorm> {
        Ok(LayerNorm {
            gamma: flat(&vb, &[size], "weight")?,
            beta: flat(&vb, &[size], "bias")?,
            eps: eps as f32,
        })
    }

    /// In place, per row; candle_nn's formula (single-pass sums in f32).
    fn apply(&self, x: &mut [f32]) {
        let n = self.gamma.len();
        for row in x.chunks_exact_mut(n) {
            let (sum, sum2) = row
                .iter()
                .fold((0f32, 0f32), |(s, s2), v| (s + v, s2 + v * v));
            let mean = sum / n as f32;
            let var = sum2 / n as f32 - mean * mean;
            let inv_std = (var + self.eps).sqrt().recip();
            for ((v, g), b) in row.iter_mut().zip(&self.gamma).zip(&self.beta) {
                *v = (*v - mean) * inv_std * g + b;
            }
        }
    }
}

/// `x += r`, then layer norm: the residual step after attention and after
/// the feed-forward block.
fn add_norm(norm: &LayerNorm, mut x: Vec<f32>, r: &[f32]) -> Vec<f32> {
    for (v, r) in x.iter_mut().zip(r) {
        *v += r;
    }
    norm.apply(&mut x);
    x
}

impl ShortBert {
    /// The same weights `BertModel::load` reads, or `None` for a config
    /// this forward pass does not implement (candle's path then serves
    /// every text).
    pub(crate) fn load(vb: VarBuilder, config: &Config) -> candle_core::Result<Option<ShortBert>> {
        if config.hidden_act != HiddenAct::Gelu
            || config.position_embedding_type != PositionEmbeddingType::Absolute
            || config.num_attention_heads == 0
            || !config
                .hidden_size
                .is_multiple_of(config.num_attention_heads)
        {
            return Ok(None);
        }
        let h = config.hidden_size;
        let eps = config.layer_norm_eps;
        let e = vb.pp("embeddings");
        let words = e.get((config.vocab_size, h), "word_embeddings.weight")?;
        let positions = flat(
            &e,
            &[config.max_position_embeddings, h],
            "position_embeddings.weight",
        )?;
        let token_type0 = e
            .get((config.type_vocab_size, h), "token_type_embeddings.weight")?
            .get(0)?
            .to_vec1::<f32>()?;
        let embed_norm = LayerNorm::load(e.pp("LayerNorm"), h, eps)?;
        let layers = (0..config.num_hidden_layers)
            .map(|i| {
                let l = vb.pp(format!("encoder.layer.{i}"));
                let a = l.pp("attention");
                let [q, k, v] =
                    ["query", "key", "value"].map(|n| Linear::load(a.pp("self").pp(n), h, h));
                let (q, k, v) = (q?, k?, v?);
                Ok(Layer {
                    qkv: Linear {
                        w: [q.w, k.w, v.w].concat(),
                        b: [q.b, k.b, v.b].concat(),
                        inp: h,
                    },
                    attn_out: Linear::load(a.pp("output").pp("dense"), h, h)?,
                    attn_norm: LayerNorm::load(a.pp("output").pp("LayerNorm"), h, eps)?,
                    up: Linear::load(
                        l.pp("intermediate").pp("dense"),
                        h,
                        config.intermediate_size,
                    )?,
                    down: Linear::load(l.pp("output").pp("dense"), config.intermediate_size, h)?,
                    out_norm: LayerNorm::load(l.pp("output").pp("LayerNorm"), h, eps)?,
                })
            })
            .collect::<candle_core::Result<Vec<_>>>()?;
        Ok(Some(ShortBert {
            words,
            positions,
            token_type0,
            embed_norm,
            layers,
            hidden: h,
            heads: config.num_attention_heads,
        }))
    }

    /// The last hidden state of one unpadded text: `ids.len()` rows of
    /// `hidden` values.
    pub(crate) fn forward(&self, ids: &[u32]) -> candle_core::Result<Vec<f32>> {
        let (t, h) = (ids.len(), self.hidden);
        if t * h > self.positions.len() {
            candle_core::bail!("{t} tokens exceed the model's positions");
        }
        let ids_t = Tensor::new(ids, self.words.device())?;
        let mut x = self
            .words
            .index_select(&ids_t, 0)?
            .flatten_all()?
            .to_vec1::<f32>()?;
        for (row, pos) in x.chunks_exact_mut(h).zip(self.positions.chunks_exact(h)) {
            // candle's order: (word + token type) + position.
            for ((v, ty), p) in row.iter_mut().zip(&self.token_type0).zip(pos) {
                *v = (*v + ty) + p;
            }
        }
        self.embed_norm.apply(&mut x);
        for layer in &self.layers {
            let qkv = layer.qkv.forward(&x, t);
            let ctx = self.attention(&qkv, t);
            let attn = add_norm(&layer.attn_norm, layer.attn_out.forward(&ctx, t), &x);
            let mut up = layer.up.forward(&attn, t);
            for v in &mut up {
                *v = gelu_erf(*v);
            }
            x = add_norm(&layer.out_norm, layer.down.forward(&up, t), &attn);
        }
        Ok(x)
    }

    /// Multi-head self-attention over `t` tokens with no padding (so no
    /// mask): `qkv` rows are `[q | k | v]`, each `hidden` wide.
    fn attention(&self, qkv: &[f32], t: usize) -> Vec<f32> {
        let h = self.hidden;
        let d = h / self.heads;
        let scale = (d as f64).sqrt() as f32;
        let row = |i: usize, part: usize, head: usize| {
            let at = i * 3 * h + part * h + head * d;
            &qkv[at..at + d]
        };
        let mut ctx = vec![0f32; t * h];
        let mut p = vec![0f32; t];
        for head in 0..self.heads {
            for i in 0..t {
                let q = row(i, 0, head);
                for (j, s) in p.iter_mut().enumerate() {
                    let dot: f32 = q.iter().zip(row(j, 1, head)).map(|(a, b)| a * b).sum();
                    *s = dot / scale;
                }
                let max = p.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let mut sum = 0f32;
                for s in &mut p {
                    *s = (*s - max).exp();
                    sum += *s;
                }
                let out = &mut ctx[i * h + head * d..i * h + (head + 1) * d];
                for (j, s) in p.iter().enumerate() {
                    let w = s / sum;
                    for (o, v) in out.iter_mut().zip(row(j, 2, head)) {
                        *o += w * v;
                    }
                }
            }
        }
        ctx
    }
}

/// candle's `gelu_erf` for f32.
fn gelu_erf(v: f32) -> f32 {
    (candle_core::cpu::erf::erf_f32(v * std::f32::consts::FRAC_1_SQRT_2) + 1.) * 0.5 * v
}

/// `y[j * tokens + t] = w[j] · x[t]` for every weight row `j` of `w` and
/// token row `t` of `x` (rows of `inp` values).
fn rows_times_tokens(w: &[f32], x: &[f32], inp: usize, tokens: usize, y: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if inp.is_multiple_of(8) && is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")
    {
        // SAFETY: the CPU has AVX2 and FMA (checked just above), and every
        // row is a whole number of 8-float vectors.
        unsafe { avx2::rows_times_tokens(w, x, inp, tokens, y) };
        return;
    }
    portable_rows_times_tokens(w, x, inp, tokens, y);
}

fn portable_rows_times_tokens(w: &[f32], x: &[f32], inp: usize, tokens: usize, y: &mut [f32]) {
    for (wr, yr) in w.chunks_exact(inp).zip(y.chunks_exact_mut(tokens)) {
        for (xr, out) in x.chunks_exact(inp).zip(yr.iter_mut()) {
            // Eight partial sums: independent chains the compiler can
            // vectorise.
            let mut acc = [0f32; 8];
            for (wc, xc) in wr.chunks_exact(8).zip(xr.chunks_exact(8)) {
                for k in 0..8 {
                    acc[k] += wc[k] * xc[k];
                }
            }
            let tail: f32 = wr
                .chunks_exact(8)
                .remainder()
                .iter()
                .zip(xr.chunks_exact(8).remainder())
                .map(|(a, b)| a * b)
                .sum();
            *out = acc.iter().sum::<f32>() + tail;
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    /// Two weight rows by up to four tokens per step: eight independent
    /// FMA chains (enough to cover the FMA latency) from six loads.
    ///
    /// # Safety
    /// The CPU must have AVX2 and FMA; `inp` must be a multiple of 8.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn rows_times_tokens(
        w: &[f32],
        x: &[f32],
        inp: usize,
        tokens: usize,
        y: &mut [f32],
    ) {
        let rows = w.len() / inp;
        let mut j = 0;
        while j < rows {
            let r = if j + 1 < rows { 2 } else { 1 };
            let mut t = 0;
            while t < tokens {
                let n = (tokens - t).min(4);
                // SAFETY: rows j..j+r and tokens t..t+n are in bounds, and
                // the caller guarantees the CPU features.
                unsafe {
                    match (r, n) {
                        (2, 4) => block::<2, 4>(w, x, inp, tokens, y, j, t),
                        (2, 3) => block::<2, 3>(w, x, inp, tokens, y, j, t),
                        (2, 2) => block::<2, 2>(w, x, inp, tokens, y, j, t),
                        (2, _) => block::<2, 1>(w, x, inp, tokens, y, j, t),
                        (_, 4) => block::<1, 4>(w, x, inp, tokens, y, j, t),
                        (_, 3) => block::<1, 3>(w, x, inp, tokens, y, j, t),
                        (_, 2) => block::<1, 2>(w, x, inp, tokens, y, j, t),
                        _ => block::<1, 1>(w, x, inp, tokens, y, j, t),
                    }
                }
                t += n;
            }
            j += r;
        }
    }

    /// # Safety
    /// AVX2 and FMA; rows `j..j+R` of `w` and tokens `t..t+N` of `x` exist;
    /// `inp` is a multiple of 8.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn block<const R: usize, const N: usize>(
        w: &[f32],
        x: &[f32],
        inp: usize,
        tokens: usize,
        y: &mut [f32],
        j: usize,
        t: usize,
    ) {
        // Row starts as raw pointers: closures (and `array::from_fn`) do not
        // inherit this function's target features, so vectors must not
        // pass through one, or every load becomes a call.
        let wp: [*const f32; R] = std::array::from_fn(|r| w[(j + r) * inp..][..inp].as_ptr());
        let xp: [*const f32; N] = std::array::from_fn(|n| x[(t + n) * inp..][..inp].as_ptr());
        let mut acc = [[_mm256_setzero_ps(); N]; R];
        let mut xv = [_mm256_setzero_ps(); N];
        let mut k = 0;
        while k < inp {
            // SAFETY: k + 8 <= inp and every row pointer starts `inp` floats
            // inside its slice (sliced above, so out of range panicked there).
            unsafe {
                for n in 0..N {
                    xv[n] = _mm256_loadu_ps(xp[n].add(k));
                }
                for r in 0..R {
                    let wv = _mm256_loadu_ps(wp[r].add(k));
                    for n in 0..N {
                        acc[r][n] = _mm256_fmadd_ps(wv, xv[n], acc[r][n]);
                    }
                }
            }
            k += 8;
        }
        for r in 0..R {
            for n in 0..N {
                y[(j + r) * tokens + t + n] = hsum(acc[r][n]);
            }
        }
    }

    #[target_feature(enable = "avx2,fma")]
    #[inline]
    fn hsum(v: __m256) -> f32 {
        let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
        let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        let s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
        _mm_cvtss_f32(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SIMD kernel and the portable loop compute the same products
    /// (to rounding: they sum in different orders), for every remainder of
    /// rows and tokens the kernel's blocking has.
    #[test]
    fn the_kernel_matches_the_portable_loop() {
        let mut seed = 0x9e37_79b9_u32;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed as f32 / u32::MAX as f32 - 0.5
        };
        for (rows, tokens, inp) in [(7, 5, 24), (2, 4, 384), (1, 1, 8), (6, 3, 40), (5, 9, 20)] {
            let w: Vec<f32> = (0..rows * inp).map(|_| next()).collect();
            let x: Vec<f32> = (0..tokens * inp).map(|_| next()).collect();
            let mut fast = vec![f32::NAN; rows * tokens];
            let mut slow = vec![f32::NAN; rows * tokens];
            rows_times_tokens(&w, &x, inp, tokens, &mut fast);
            portable_rows_times_tokens(&w, &x, inp, tokens, &mut slow);
            for j in 0..rows {
                for t in 0..tokens {
                    let want: f64 = (0..inp)
                        .map(|k| w[j * inp + k] as f64 * x[t * inp + k] as f64)
                        .sum();
                    for got in [fast[j * tokens + t], slow[j * tokens + t]] {
                        assert!((got as f64 - want).abs() < 1e-5, "{got} vs {want}");
                    }
                }
            }
        }
    }
}
