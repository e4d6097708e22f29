//! BERT's forward pass for one short text: a search query.
//!
//! candle's `BertModel` sends every linear layer through `gemm`, which packs
//! the weight matrix into its micro-kernel layout on each call. For a batch
//! of documents that pays off; for one search query of ~10 tokens it does
//! not: packing the 384x1536 matrices was ~70 % of a query's 17–19 ms. Here
//! the weights are packed once, at load, into panels of [`PANEL`] outputs
//! (`[inp][PANEL]`, so the kernel reads each panel front to back once per
//! block of tokens and broadcasts one input value at a time against it),
//! and stored as f16: MiniLM's six layers are 21 MB instead of 42 MB. A
//! quiet measurement of the six layers' products for 12 tokens on one core
//! (docs/performance.md): 8.5 ms for f32 weights read row by row, 6.5 ms
//! for f32 panels, 5.0 ms for f16 panels; the kernel is bound by arithmetic
//! and the f16 conversion rather than memory once the weights are halved.
//!
//! What differs from `BertModel`: the weights are rounded to f16 (their
//! products and sums stay f32), the sums run in another order, and GELU's
//! erf is a 1.5e-7-accurate approximation instead of libm's. The vectors
//! agree with `BertModel`'s to a cosine of ≥ 0.999 on real sentences (test
//! in memory/embed.rs, which prints the measured minimum), which is far
//! inside what separates search results; `cargo bench --bench memory --
//! embed` reports how often a query's top-10 over real sentences differs.
//!
//! The panels of a layer are split over rayon's pool: each output is
//! computed by the same kernel whichever thread runs it, so the result does
//! not depend on the thread count.

use candle_core::Tensor;
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{Config, HiddenAct, PositionEmbeddingType};
use half::f16;
use rayon::prelude::*;

/// Outputs per panel: two AVX vectors.
const PANEL: usize = 16;
/// Tokens per pass over a panel: with [`PANEL`] that is 12 accumulators,
/// which leaves the other four AVX registers for the panel's two vectors
/// and the broadcast input.
const TOKEN_BLOCK: usize = 6;

/// A linear layer `y = act(x Wᵀ + b)`, `W` packed into f16 panels.
struct Linear {
    /// Panel `p` holds outputs `p * PANEL ..`, as `inp` rows of [`PANEL`].
    panels: Vec<f16>,
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
    /// `w` is row-major `[out, inp]` as safetensors stores it; `out` must
    /// be a multiple of [`PANEL`] (checked by [`ShortBert::load`]).
    fn new(w: &[f32], b: Vec<f32>, inp: usize) -> Linear {
        let out = b.len();
        let mut panels = Vec::with_capacity(w.len());
        for p in 0..out / PANEL {
            for k in 0..inp {
                for c in 0..PANEL {
                    panels.push(f16::from_f32(w[(p * PANEL + c) * inp + k]));
                }
            }
        }
        Linear { panels, b, inp }
    }

    fn load(vb: VarBuilder, inp: usize, out: usize) -> candle_core::Result<Linear> {
        let w = flat(&vb, &[out, inp], "weight")?;
        Ok(Linear::new(&w, flat(&vb, &[out], "bias")?, inp))
    }

    fn out(&self) -> usize {
        self.b.len()
    }

    /// `x` holds `tokens` rows of `inp`; returns `tokens` rows of `out`,
    /// with GELU applied when `gelu` is set (while the values are in cache).
    fn forward(&self, x: &[f32], tokens: usize, gelu: bool) -> Vec<f32> {
        let (inp, out) = (self.inp, self.out());
        let panel_len = inp * PANEL;
        // Panel-major while computing (`[panel][token][PANEL]`), so each
        // thread owns a contiguous block of panels and of results.
        let mut yp = vec![0f32; out * tokens];
        let per_thread = (out / PANEL).div_ceil(rayon::current_num_threads());
        self.panels
            .par_chunks(per_thread * panel_len)
            .zip(yp.par_chunks_mut(per_thread * tokens * PANEL))
            .zip(self.b.par_chunks(per_thread * PANEL))
            .for_each(|((panels, y), b)| {
                for ((panel, y), b) in panels
                    .chunks_exact(panel_len)
                    .zip(y.chunks_exact_mut(tokens * PANEL))
                    .zip(b.chunks_exact(PANEL))
                {
                    panel_times_tokens(panel, b, x, inp, y);
                    if gelu {
                        y.iter_mut().for_each(|v| *v = gelu_erf(*v));
                    }
                }
            });
        let mut y = vec![0f32; tokens * out];
        for (p, block) in yp.chunks_exact(tokens * PANEL).enumerate() {
            for (t, values) in block.chunks_exact(PANEL).enumerate() {
                y[t * out + p * PANEL..][..PANEL].copy_from_slice(values);
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
            // Every layer's outputs fill whole panels.
            || !config.hidden_size.is_multiple_of(PANEL)
            || !config.intermediate_size.is_multiple_of(PANEL)
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
                // Query, key and value as one `[3h, h]` layer: one pass
                // over the input instead of three.
                let [q, k, v] = ["query", "key", "value"].map(|n| a.pp("self").pp(n));
                let w = [&q, &k, &v].map(|p| flat(p, &[h, h], "weight"));
                let b = [&q, &k, &v].map(|p| flat(p, &[h], "bias"));
                let [wq, wk, wv] = w;
                let [bq, bk, bv] = b;
                Ok(Layer {
                    qkv: Linear::new(&[wq?, wk?, wv?].concat(), [bq?, bk?, bv?].concat(), h),
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
            let qkv = layer.qkv.forward(&x, t, false);
            let ctx = self.attention(&qkv, t);
            let attn = add_norm(&layer.attn_norm, layer.attn_out.forward(&ctx, t, false), &x);
            let up = layer.up.forward(&attn, t, true);
            x = add_norm(&layer.out_norm, layer.down.forward(&up, t, false), &attn);
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

/// GELU as BERT defines it, `x Φ(x)` with the exact erf, here through
/// Abramowitz and Stegun 7.1.26 (absolute error ≤ 1.5e-7): one `exp`
/// instead of libm's `erff`, which took a third of a query's time.
fn gelu_erf(x: f32) -> f32 {
    let z = (x * std::f32::consts::FRAC_1_SQRT_2).abs();
    let t = 1. / (1. + 0.327_591_1 * z);
    let poly = t
        * (0.254_829_6
            + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152 + t * 1.061_405_4))));
    let erf = (1. - poly * (-z * z).exp()).copysign(x);
    0.5 * x * (1. + erf)
}

/// One panel's outputs for every token: `y[t][c] = b[c] + Σₖ x[t][k] ·
/// panel[k][c]` (`y` is `[token][PANEL]`, `x` holds rows of `inp`).
fn panel_times_tokens(panel: &[f16], b: &[f32], x: &[f32], inp: usize, y: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx2")
        && is_x86_feature_detected!("fma")
        && is_x86_feature_detected!("f16c")
    {
        // SAFETY: the CPU has AVX2, FMA and F16C (checked just above).
        unsafe { avx2::panel_times_tokens(panel, b, x, inp, y) };
        return;
    }
    portable_panel_times_tokens(panel, b, x, inp, y);
}

fn portable_panel_times_tokens(panel: &[f16], b: &[f32], x: &[f32], inp: usize, y: &mut [f32]) {
    for (xr, yr) in x.chunks_exact(inp).zip(y.chunks_exact_mut(PANEL)) {
        yr.copy_from_slice(b);
        for (xk, wk) in xr.iter().zip(panel.chunks_exact(PANEL)) {
            for (yc, wc) in yr.iter_mut().zip(wk) {
                *yc += xk * wc.to_f32();
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use half::f16;

    use super::{PANEL, TOKEN_BLOCK};

    /// # Safety
    /// The CPU must have AVX2, FMA and F16C.
    #[target_feature(enable = "avx2,fma,f16c")]
    pub(super) unsafe fn panel_times_tokens(
        panel: &[f16],
        b: &[f32],
        x: &[f32],
        inp: usize,
        y: &mut [f32],
    ) {
        assert!(panel.len() == inp * PANEL && b.len() == PANEL && y.len() * inp == x.len() * PANEL);
        let tokens = x.len() / inp;
        let mut t = 0;
        while t < tokens {
            let n = (tokens - t).min(TOKEN_BLOCK);
            let (x, y) = (
                &x[t * inp..(t + n) * inp],
                &mut y[t * PANEL..(t + n) * PANEL],
            );
            // SAFETY: the caller guarantees the CPU features; the slices
            // hold `n` tokens (asserted above, sliced here).
            unsafe {
                match n {
                    6 => block::<6>(panel, b, x, inp, y),
                    5 => block::<5>(panel, b, x, inp, y),
                    4 => block::<4>(panel, b, x, inp, y),
                    3 => block::<3>(panel, b, x, inp, y),
                    2 => block::<2>(panel, b, x, inp, y),
                    _ => block::<1>(panel, b, x, inp, y),
                }
            }
            t += n;
        }
    }

    /// `N` tokens against the whole panel: 2N accumulators, each step one
    /// panel row (two vectors converted from f16) and `N` broadcast inputs.
    ///
    /// # Safety
    /// AVX2, FMA and F16C; `panel` is `inp` rows of [`PANEL`], `x` is `N`
    /// rows of `inp`, `y` is `N` rows of [`PANEL`], `b` is [`PANEL`] long.
    #[target_feature(enable = "avx2,fma,f16c")]
    #[inline]
    unsafe fn block<const N: usize>(
        panel: &[f16],
        b: &[f32],
        x: &[f32],
        inp: usize,
        y: &mut [f32],
    ) {
        // Raw pointers, and no closures: closures do not inherit this
        // function's target features, so a vector passed through one turns
        // every load into a call.
        let (w, xp, yp) = (panel.as_ptr(), x.as_ptr(), y.as_mut_ptr());
        // SAFETY: every access below stays inside the slices as the
        // function's contract sizes them.
        unsafe {
            let bias = [
                _mm256_loadu_ps(b.as_ptr()),
                _mm256_loadu_ps(b.as_ptr().add(8)),
            ];
            let mut acc = [bias; N];
            for k in 0..inp {
                let row = w.add(k * PANEL).cast::<__m128i>();
                let w0 = _mm256_cvtph_ps(_mm_loadu_si128(row));
                let w1 = _mm256_cvtph_ps(_mm_loadu_si128(row.add(1)));
                for (n, a) in acc.iter_mut().enumerate() {
                    let xv = _mm256_broadcast_ss(&*xp.add(n * inp + k));
                    a[0] = _mm256_fmadd_ps(w0, xv, a[0]);
                    a[1] = _mm256_fmadd_ps(w1, xv, a[1]);
                }
            }
            for (n, a) in acc.iter().enumerate() {
                _mm256_storeu_ps(yp.add(n * PANEL), a[0]);
                _mm256_storeu_ps(yp.add(n * PANEL + 8), a[1]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random(count: usize, seed: &mut u32) -> Vec<f32> {
        (0..count)
            .map(|_| {
                *seed ^= *seed << 13;
                *seed ^= *seed >> 17;
                *seed ^= *seed << 5;
                *seed as f32 / u32::MAX as f32 - 0.5
            })
            .collect()
    }

    /// A packed layer computes `x Wᵀ + b` with the weights rounded to f16,
    /// through the SIMD kernel and the portable loop alike, for every
    /// remainder of the token blocking (to rounding: the sums run in
    /// different orders).
    #[test]
    fn a_packed_layer_computes_x_w_transposed_plus_b() {
        let mut seed = 0x9e37_79b9_u32;
        for (out, tokens, inp) in [(16, 1, 8), (32, 7, 24), (48, 13, 40), (16, 6, 384)] {
            let w = random(out * inp, &mut seed);
            let b = random(out, &mut seed);
            let x = random(tokens * inp, &mut seed);
            let layer = Linear::new(&w, b.clone(), inp);
            let fast = layer.forward(&x, tokens, false);
            let mut slow = vec![f32::NAN; out * tokens];
            for (p, panel) in layer.panels.chunks_exact(inp * PANEL).enumerate() {
                let mut y = vec![0f32; tokens * PANEL];
                portable_panel_times_tokens(panel, &b[p * PANEL..][..PANEL], &x, inp, &mut y);
                for t in 0..tokens {
                    slow[t * out + p * PANEL..][..PANEL].copy_from_slice(&y[t * PANEL..][..PANEL]);
                }
            }
            for t in 0..tokens {
                for j in 0..out {
                    let want: f64 = b[j] as f64
                        + (0..inp)
                            .map(|k| f16::from_f32(w[j * inp + k]).to_f64() * x[t * inp + k] as f64)
                            .sum::<f64>();
                    for got in [fast[t * out + j], slow[t * out + j]] {
                        assert!((got as f64 - want).abs() < 1e-5, "{got} vs {want}");
                    }
                }
            }
        }
    }

    /// The erf approximation keeps GELU within its stated error of the
    /// f64 formula (candle's erf), across the range activations take.
    #[test]
    fn gelu_matches_the_exact_erf() {
        for i in -2_000..=2_000 {
            let x = i as f32 / 200.;
            let erf = candle_core::cpu::erf::erf_f64(x as f64 / std::f64::consts::SQRT_2);
            let exact = 0.5 * x as f64 * (1. + erf);
            assert!((gelu_erf(x) as f64 - exact).abs() < 2e-6, "gelu({x})");
        }
    }
}
