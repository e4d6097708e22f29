//! The vector index: every observation vector of the current model,
//! quantised to int8 with one scale per vector, in one contiguous matrix,
//! plus a 1-bit sign code per vector (48 bytes at 384 dims). A search runs in
//! two stages: the sign codes of every allowed row are compared with the
//! query's by Hamming distance (XOR + popcount over u64 words, an eighth of
//! the int8 bandwidth), the closest few thousand become candidates, and only
//! those are scored with their int8 codes. The best are then re-scored with
//! their f32 vectors from the store, so the ranking is the one an f32
//! brute-force scan gives; they are read best first by the f32 query against
//! their int8 codes, and one whose score plus the worst-case rounding error
//! (half a step per dimension) cannot reach the current k-th best is not
//! read at all.
//!
//! The exact path (the int8 scan of every allowed row on all cores, nothing
//! approximate) stays, and is taken when asked for (`memory search --exact`)
//! and whenever the first stage cannot be trusted to hold the answer:
//! - the allowed rows (after the scope/type filter) are no more than the
//!   candidate pool, so the "first stage" would keep them all anyway;
//! - the recall check fails: one of the `k` best int8 candidates lies in the
//!   outer half of the candidate pool by Hamming distance, or over half of
//!   the pool ties at the cut distance. True neighbours sit near
//!   the pool's centre; a winner near its edge (or codes that do not
//!   separate rows) means the cut may have dropped a better row, so the
//!   exact scan answers instead. It is a check, not a proof: recall is
//!   measured by `cargo bench --bench memory -- index` and `-- index-real`.
//!
//! Passes over many rows (the distances, the pool, the exact scan) are split
//! over rayon's pool, the threads the process keeps for the embedder, rather
//! than threads started per query.
//!
//! Sign codes are taken of `vector − centre`, where the centre is the mean of
//! the indexed vectors (embeddings share a common offset; without removing
//! it most bits are the same for every row and carry no information). The
//! centre is recomputed, and every sign code re-derived from the int8 codes,
//! when the index has doubled since it was last centred, so the cost is
//! amortised. Invariants: `signs` has `SIGN_WORDS` words per row, derived
//! from that row's int8 codes and the current `centre`; a stale centre only
//! costs recall, never correctness, because the recall check and the f32
//! re-scoring guard every answer.
//!
//! The index follows the store through `memory_vector_changes` (filled by
//! triggers on every vector insert, update and delete): applying a change
//! re-reads that observation's current row, so changes can be applied more
//! than once and in any order. A long-lived process keeps one index and
//! syncs it before each search; a CLI call loads the persisted copy from the
//! cache directory instead of rebuilding it from every vector blob.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::path::Path;

use rayon::prelude::*;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::embed::{self, DIMS, MODEL_ID};
use crate::error::Result;
use crate::paths::write_atomic;
use crate::store::{Store, store_err};

/// Below this many rows one thread scans faster than waking more.
const PARALLEL_MIN_ROWS: usize = 32_768;
/// Rows scored per kernel call: big enough to amortise the dispatch, small
/// enough to stay in L1 with the scores.
const BLOCK_ROWS: usize = 512;
/// Change-log entries kept behind the newest; a reader further behind reloads.
const CHANGES_KEEP: i64 = 200_000;
const FILE_MAGIC: &[u8; 8] = b"CXVIDX02";
/// u64 words of one row's sign code.
const SIGN_WORDS: usize = DIMS / 64;
const _: () = assert!(DIMS.is_multiple_of(64), "sign codes fill whole u64 words");
/// Candidates the first stage keeps per wanted int8 result, and at least:
/// enough that the int8 scoring of the pool stays far below the first pass.
const POOL_PER_WANT: usize = 8;
const MIN_POOL: usize = 2_048;
/// ...and at least this fraction (1/n) of the rows: at 1M clustered vectors
/// a fixed 2,048 left true neighbours outside the pool on 9 % of queries
/// (benches/memory.rs), while int8 scoring of 1/64 of the rows still costs
/// a small part of the sign-code pass over all of them.
const POOL_SHARE: usize = 64;
/// Added to the quantisation error bound so f32 rounding in computing it
/// can never skip a row that belongs in the answer.
const BOUND_SLACK: f32 = 1e-4;
const FILE_NAME: &str = "vectors.idx";

/// What a filter sees of an indexed vector: its entity's scope and type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Group {
    pub(crate) scope: String,
    pub(crate) scope_id: String,
    /// The entity's type, as given at creation (a filter on `--type`).
    pub entity_type: String,
}

/// How the index was brought up to date for a search; `memory status`
/// reports the share of searches that did not need a full rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Load {
    /// Already current.
    Warm,
    /// Current after applying logged changes.
    Incremental,
    /// Rebuilt from every vector in the store.
    Rebuilt,
}

impl Load {
    /// Lowercase name, as `memory status` and the benches print it.
    pub fn as_str(self) -> &'static str {
        match self {
            Load::Warm => "warm",
            Load::Incremental => "incremental",
            Load::Rebuilt => "rebuilt",
        }
    }
}

/// One re-scored nearest observation.
#[derive(Debug, Clone, PartialEq)]
pub struct Near {
    /// Row id of the observation whose vector matched.
    pub observation_id: i64,
    pub(crate) entity_id: i64,
    pub(crate) similarity: f32,
}

/// How a search found its candidates for re-scoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Sign-code first stage, then int8 scores of the pool.
    TwoStage,
    /// The int8 scan of every allowed row, and why.
    Exact(ExactWhy),
}

/// Why a search took the exact path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExactWhy {
    /// The caller asked (`--exact`).
    Asked,
    /// No more allowed rows than the candidate pool.
    Small,
    /// The recall check failed: a winner sat at the pool's edge.
    Edge,
}

/// The in-memory vector index over one store's observation embeddings
/// (design and invariants in the module doc).
#[derive(Debug, Default)]
pub struct VectorIndex {
    store_uid: String,
    /// Last change-log entry reflected here.
    seq: i64,
    ids: Vec<i64>,
    entities: Vec<i64>,
    groups: Vec<u32>,
    scales: Vec<f32>,
    /// `ids.len() × DIMS` codes, row-major.
    codes: Vec<i8>,
    /// `ids.len() × SIGN_WORDS` sign bits of `vector − centre`, row-major.
    signs: Vec<u64>,
    /// Subtracted before taking signs (empty: zero).
    centre: Vec<f32>,
    /// Rows when the centre was last computed.
    centred_rows: usize,
    group_keys: Vec<Group>,
    group_ix: HashMap<Group, u32>,
    rows: HashMap<i64, usize>,
    /// Changed since it was loaded or saved.
    dirty: bool,
}

/// One vector row as read from the store.
struct Row {
    id: i64,
    entity: i64,
    group: Group,
    vector: Vec<f32>,
}

const ROW_SQL: &str =
    "SELECT v.observation_id, o.entity_id, e.scope, e.scope_id, e.entity_type, v.vector
     FROM memory_vectors v JOIN memory_observations o ON o.id = v.observation_id
     JOIN memory_entities e ON e.id = o.entity_id
     WHERE v.model = ?1";

fn read_row(r: &rusqlite::Row) -> rusqlite::Result<Row> {
    Ok(Row {
        id: r.get(0)?,
        entity: r.get(1)?,
        group: Group {
            scope: r.get(2)?,
            scope_id: r.get(3)?,
            entity_type: r.get(4)?,
        },
        vector: embed::from_blob(&r.get::<_, Vec<u8>>(5)?),
    })
}

/// `(store_uid, pruned_through, newest seq)` of the change log.
pub(crate) fn log_state(store: &Store) -> Result<(String, i64, i64)> {
    let err = |e| store_err(store.path(), e);
    let conn = store.conn();
    // Cached statements: every search asks (see `VectorIndex::sync`).
    let uid: String = conn
        .prepare_cached("SELECT value FROM memory_index_state WHERE key = 'store_uid'")
        .and_then(|mut s| s.query_row([], |r| r.get(0)))
        .map_err(err)?;
    let pruned: i64 = conn
        .prepare_cached("SELECT value FROM memory_index_state WHERE key = 'pruned_through'")
        .and_then(|mut s| s.query_row([], |r| r.get(0)))
        .map_err(err)?;
    let newest: i64 = conn
        .prepare_cached("SELECT coalesce(max(seq), ?1) FROM memory_vector_changes")
        .and_then(|mut s| s.query_row([pruned], |r| r.get(0)))
        .map_err(err)?;
    Ok((uid, pruned, newest))
}

/// The observations whose vector was added, replaced or removed after
/// change-log seq `after`, up to `through`.
pub(crate) fn changed_observations(store: &Store, after: i64, through: i64) -> Result<Vec<i64>> {
    let err = |e| store_err(store.path(), e);
    store
        .conn()
        .prepare_cached(
            "SELECT DISTINCT observation_id FROM memory_vector_changes WHERE seq > ?1 AND seq <= ?2",
        )
        .map_err(err)?
        .query_map([after, through], |r| r.get(0))
        .map_err(err)?
        .collect::<rusqlite::Result<_>>()
        .map_err(err)
}

/// Drop change-log entries far behind the newest so the log stays small;
/// called by writers after they add vectors, inside their transaction.
pub fn prune_changes(tx: &rusqlite::Transaction) -> rusqlite::Result<()> {
    let newest: Option<i64> =
        tx.query_row("SELECT max(seq) FROM memory_vector_changes", [], |r| {
            r.get(0)
        })?;
    let Some(cut) = newest.map(|n| n - CHANGES_KEEP).filter(|c| *c > 0) else {
        return Ok(());
    };
    if tx.execute("DELETE FROM memory_vector_changes WHERE seq <= ?1", [cut])? > 0 {
        tx.execute(
            "UPDATE memory_index_state SET value = max(value, ?1) WHERE key = 'pruned_through'",
            [cut],
        )?;
    }
    Ok(())
}

/// Quantise `v` into `out` (symmetric int8, one scale per vector); returns
/// the scale that maps codes back to values.
fn quantize(v: &[f32], out: &mut [i8]) -> f32 {
    let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
    if max == 0.0 || !max.is_finite() {
        out.fill(0);
        return 0.0;
    }
    let scale = max / 127.0;
    for (o, x) in out.iter_mut().zip(v) {
        *o = (x / scale).round() as i8;
    }
    scale
}

#[cfg(test)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Integer dot products of `q` with each `DIMS`-wide row of `rows`.
fn dots(q: &[i8], rows: &[i8], out: &mut [i32]) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { dots_avx2(q, rows, out) };
    }
    dots_portable(q, rows, out)
}

/// The same loop compiled for AVX2 (32 int8 lanes), picked at run time so
/// the binary still runs on any x86-64.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn dots_avx2(q: &[i8], rows: &[i8], out: &mut [i32]) {
    dots_portable(q, rows, out)
}

// Written so the compiler vectorises it: widening i8 × i8 products summed in
// i32 lanes (pmaddwd), no bounds checks in the inner loop.
#[inline(always)]
fn dots_portable(q: &[i8], rows: &[i8], out: &mut [i32]) {
    for (o, row) in out.iter_mut().zip(rows.chunks_exact(DIMS)) {
        *o = q
            .iter()
            .zip(row)
            .map(|(&a, &b)| i32::from(i16::from(a) * i16::from(b)))
            .sum();
    }
}

/// `q · code` with the f32 query against an int8 code (in code units). Eight
/// running sums so the compiler can vectorise the loop.
fn dot_i8(q: &[f32], code: &[i8]) -> f32 {
    let mut acc = [0f32; 8];
    for (qs, cs) in q.chunks_exact(8).zip(code.chunks_exact(8)) {
        for ((a, x), &c) in acc.iter_mut().zip(qs).zip(cs) {
            *a += x * f32::from(c);
        }
    }
    acc.iter().sum()
}

/// `dot(q, from_blob(blob))` without the allocation: the same products
/// summed in the same order, so the same value to the last bit.
fn dot_blob(q: &[f32], blob: &[u8]) -> f32 {
    q.iter()
        .zip(blob.chunks_exact(4))
        .map(|(x, c)| x * f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .sum()
}

/// Threads worth using for a pass over `rows` rows: one below
/// `PARALLEL_MIN_ROWS` (waking workers costs more than it saves), else the
/// workers of rayon's pool, which the process keeps anyway (the embedder
/// runs on it) rather than threads started per query.
fn threads(rows: usize) -> usize {
    if rows >= PARALLEL_MIN_ROWS {
        rayon::current_num_threads().clamp(1, 8)
    } else {
        1
    }
}

/// `f(start, end)` over contiguous ranges covering `0..n`, one per thread
/// that `threads(n)` allows, in range order.
fn split<T: Send>(n: usize, f: impl Fn(usize, usize) -> T + Sync) -> Vec<T> {
    let chunk = n.div_ceil(threads(n)).max(1);
    if chunk >= n {
        return vec![f(0, n)];
    }
    (0..n.div_ceil(chunk))
        .into_par_iter()
        .map(|c| f(c * chunk, ((c + 1) * chunk).min(n)))
        .collect()
}

/// Keep the `want` best of `scored`, best first.
fn best_scored(scored: &mut Vec<Scored>, want: usize) {
    if scored.len() > want {
        scored.select_nth_unstable_by(want, |a, b| b.cmp(a));
        scored.truncate(want);
    }
    scored.sort_unstable_by(|a, b| b.cmp(a));
}

/// Sign bits of `code × scale − centre` (`centre` empty: zero) into `out`.
fn sign_code(code: &[i8], scale: f32, centre: &[f32], out: &mut [u64]) {
    out.fill(0);
    for (d, &c) in code.iter().enumerate() {
        let off = centre.get(d).copied().unwrap_or(0.0);
        if f32::from(c) * scale > off {
            out[d / 64] |= 1 << (d % 64);
        }
    }
}

/// Hamming distance of `q` to each row of `signs`, `NOT_ALLOWED` for rows a
/// filter drops; `hist[d]` counts rows at distance `d`.
fn hamming(
    q: &[u64],
    signs: &[u64],
    keep: impl Fn(usize) -> bool,
    out: &mut [u16],
    hist: &mut [u32],
) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("popcnt") {
        // SAFETY: the CPU supports POPCNT, checked just above.
        return unsafe { hamming_popcnt(q, signs, keep, out, hist) };
    }
    hamming_portable(q, signs, keep, out, hist)
}

/// The same loop with the POPCNT instruction (baseline x86-64 lacks it and
/// would count bits with shifts and masks).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
fn hamming_popcnt(
    q: &[u64],
    signs: &[u64],
    keep: impl Fn(usize) -> bool,
    out: &mut [u16],
    hist: &mut [u32],
) {
    hamming_portable(q, signs, keep, out, hist)
}

const NOT_ALLOWED: u16 = DIMS as u16 + 1;
/// Rows at each Hamming distance, `NOT_ALLOWED` included.
type Hist = [u32; DIMS + 2];

#[inline(always)]
fn hamming_portable(
    q: &[u64],
    signs: &[u64],
    keep: impl Fn(usize) -> bool,
    out: &mut [u16],
    hist: &mut [u32],
) {
    for (r, (o, row)) in out
        .iter_mut()
        .zip(signs.chunks_exact(SIGN_WORDS))
        .enumerate()
    {
        *o = if keep(r) {
            q.iter()
                .zip(row)
                .map(|(a, b)| (a ^ b).count_ones() as u16)
                .sum()
        } else {
            NOT_ALLOWED
        };
        hist[usize::from(*o)] += 1;
    }
}

/// A scored row ordered by score (then row, for a stable order).
#[derive(Clone, Copy, PartialEq)]
struct Scored(f32, usize);

impl Eq for Scored {}

impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Scored {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .total_cmp(&other.0)
            .then_with(|| other.1.cmp(&self.1))
    }
}

impl VectorIndex {
    /// Vectors indexed.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when no vector is indexed.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Bytes held by the index's arrays (what it adds to the process RSS).
    pub fn heap_bytes(&self) -> usize {
        let n = self.ids.capacity();
        self.codes.capacity()
            + n * 8
            + self.entities.capacity() * 8
            + self.groups.capacity() * 4
            + self.scales.capacity() * 4
            + self.signs.capacity() * 8
            + self.centre.capacity() * 4
            // The id → row map: key, value and hashbrown's control byte.
            + self.rows.capacity() * 17
    }

    /// Build from every vector of the current model in the store.
    pub fn build(store: &Store) -> Result<VectorIndex> {
        // Read the log position first: a change landing while the rows are
        // read is applied again by the next sync, which is harmless.
        let (uid, _, seq) = log_state(store)?;
        let mut index = VectorIndex {
            store_uid: uid,
            seq,
            dirty: true,
            ..VectorIndex::default()
        };
        let err = |e| store_err(store.path(), e);
        let mut stmt = store.conn().prepare(ROW_SQL).map_err(err)?;
        for row in stmt.query_map([MODEL_ID], read_row).map_err(err)? {
            index.upsert(row.map_err(err)?);
        }
        index.recentre();
        Ok(index)
    }

    /// Bring the index up to date with the store.
    pub fn sync(&mut self, store: &Store) -> Result<Load> {
        let (uid, pruned, newest) = log_state(store)?;
        if uid != self.store_uid || self.seq < pruned || self.seq > newest {
            *self = VectorIndex::build(store)?;
            return Ok(Load::Rebuilt);
        }
        if self.seq == newest {
            return Ok(Load::Warm);
        }
        let err = |e| store_err(store.path(), e);
        let changed = changed_observations(store, self.seq, newest)?;
        let mut stmt = store
            .conn()
            .prepare_cached(&format!("{ROW_SQL} AND v.observation_id = ?2"))
            .map_err(err)?;
        for id in changed {
            match stmt
                .query_row(params![MODEL_ID, id], read_row)
                .optional()
                .map_err(err)?
            {
                Some(row) => self.upsert(row),
                None => self.remove(id),
            }
        }
        self.seq = newest;
        self.dirty = true;
        if self.ids.len() > 2 * self.centred_rows {
            self.recentre();
        }
        Ok(Load::Incremental)
    }

    fn upsert(&mut self, row: Row) {
        if row.vector.len() != DIMS {
            // A vector of another shape cannot be compared; the store
            // checks dims on write, so this is only a damaged row.
            self.remove(row.id);
            return;
        }
        let next = self.group_keys.len() as u32;
        let group = *self.group_ix.entry(row.group.clone()).or_insert(next);
        if group == next {
            self.group_keys.push(row.group);
        }
        let r = match self.rows.get(&row.id) {
            Some(&r) => r,
            None => {
                let r = self.ids.len();
                self.rows.insert(row.id, r);
                self.ids.push(row.id);
                self.entities.push(0);
                self.groups.push(0);
                self.scales.push(0.0);
                self.codes.resize(self.codes.len() + DIMS, 0);
                self.signs.resize(self.signs.len() + SIGN_WORDS, 0);
                r
            }
        };
        self.entities[r] = row.entity;
        self.groups[r] = group;
        self.scales[r] = quantize(&row.vector, &mut self.codes[r * DIMS..(r + 1) * DIMS]);
        self.encode_signs(r);
        self.dirty = true;
    }

    fn encode_signs(&mut self, r: usize) {
        sign_code(
            &self.codes[r * DIMS..(r + 1) * DIMS],
            self.scales[r],
            &self.centre,
            &mut self.signs[r * SIGN_WORDS..(r + 1) * SIGN_WORDS],
        );
    }

    /// Make the centre the mean of the indexed vectors (as their int8 codes
    /// give them) and re-derive every sign code from it.
    fn recentre(&mut self) {
        let n = self.ids.len();
        let mut sum = vec![0f64; DIMS];
        for (code, &scale) in self.codes.chunks_exact(DIMS).zip(&self.scales) {
            for (s, &c) in sum.iter_mut().zip(code) {
                *s += f64::from(f32::from(c) * scale);
            }
        }
        self.centre = if n == 0 {
            Vec::new()
        } else {
            sum.iter().map(|s| (s / n as f64) as f32).collect()
        };
        self.centred_rows = n;
        for r in 0..n {
            self.encode_signs(r);
        }
        self.dirty = true;
    }

    fn remove(&mut self, id: i64) {
        let Some(r) = self.rows.remove(&id) else {
            return;
        };
        // Move the last row into the hole so the matrix stays contiguous.
        let last = self.ids.len() - 1;
        if r != last {
            self.codes
                .copy_within(last * DIMS..(last + 1) * DIMS, r * DIMS);
            self.signs
                .copy_within(last * SIGN_WORDS..(last + 1) * SIGN_WORDS, r * SIGN_WORDS);
            self.ids[r] = self.ids[last];
            self.entities[r] = self.entities[last];
            self.groups[r] = self.groups[last];
            self.scales[r] = self.scales[last];
            self.rows.insert(self.ids[r], r);
        }
        self.ids.pop();
        self.entities.pop();
        self.groups.pop();
        self.scales.pop();
        self.codes.truncate(last * DIMS);
        self.signs.truncate(last * SIGN_WORDS);
        self.dirty = true;
    }

    /// The `want` best rows by quantised score among allowed groups.
    fn scan(&self, q: &[i8], allowed: &[bool], want: usize) -> Vec<Scored> {
        let n = self.ids.len();
        let mut all: Vec<Scored> = split(n, |start, end| {
            self.scan_range(q, allowed, want, start, end)
        })
        .into_iter()
        .flatten()
        .collect();
        best_scored(&mut all, want);
        all
    }

    fn scan_range(
        &self,
        q: &[i8],
        allowed: &[bool],
        want: usize,
        start: usize,
        end: usize,
    ) -> Vec<Scored> {
        // A min-heap of the best `want`: its top is the bar to beat.
        let mut heap: BinaryHeap<std::cmp::Reverse<Scored>> = BinaryHeap::with_capacity(want + 1);
        let mut scores = [0i32; BLOCK_ROWS];
        let mut block = start;
        while block < end {
            let rows = (end - block).min(BLOCK_ROWS);
            dots(
                q,
                &self.codes[block * DIMS..(block + rows) * DIMS],
                &mut scores[..rows],
            );
            for (i, &d) in scores[..rows].iter().enumerate() {
                let r = block + i;
                if !allowed[self.groups[r] as usize] {
                    continue;
                }
                let s = Scored(d as f32 * self.scales[r], r);
                if heap.len() < want {
                    heap.push(std::cmp::Reverse(s));
                } else if heap.peek().is_some_and(|m| s > m.0) {
                    heap.pop();
                    heap.push(std::cmp::Reverse(s));
                }
            }
            block += rows;
        }
        heap.into_iter().map(|r| r.0).collect()
    }

    /// The `want` best allowed rows by int8 score: from a pool picked by
    /// sign-code Hamming distance, or by the exact scan when `exact` or when
    /// the first stage cannot be trusted (see the module doc). The recall
    /// check covers the best `k`.
    fn candidates(
        &self,
        q: &[i8],
        q_scale: f32,
        allowed: &[bool],
        want: usize,
        k: usize,
        exact: bool,
    ) -> (Vec<Scored>, Pass) {
        let exact_scan = |why| (self.scan(q, allowed, want), Pass::Exact(why));
        let n = self.ids.len();
        let pool = want
            .saturating_mul(POOL_PER_WANT)
            .max(MIN_POOL)
            .max(n / POOL_SHARE);
        if exact {
            return exact_scan(ExactWhy::Asked);
        }
        if n <= pool {
            return exact_scan(ExactWhy::Small);
        }
        let mut q_signs = [0u64; SIGN_WORDS];
        sign_code(q, q_scale, &self.centre, &mut q_signs);
        let (dist, hist) = self.distances(&q_signs, allowed);
        let rows = n - hist[usize::from(NOT_ALLOWED)] as usize;
        if rows <= pool {
            return exact_scan(ExactWhy::Small);
        }
        // `cut`: the distance at which the pool fills; `inner`: where its
        // closer half ends.
        let (mut seen, mut cut, mut inner) = (0usize, DIMS, DIMS);
        for (d, &count) in hist[..=DIMS].iter().enumerate() {
            seen += count as usize;
            if inner == DIMS && seen >= pool / 2 {
                inner = d;
            }
            if seen >= pool {
                cut = d;
                break;
            }
        }
        let at_cut = pool - (seen - hist[cut] as usize);
        let mut scored = self.score_pool(q, &dist, cut, at_cut);
        best_scored(&mut scored, want);
        // `inner == cut`: over half of the pool ties at the cut, so the
        // codes do not separate the pool from the rows left out. (A pool
        // widened 4x instead of the exact scan, trusted when none of its k
        // best came from the added rows, missed a neighbour on 1 of 200
        // real-vector queries: on real vectors a true neighbour can lie far
        // out by Hamming distance.)
        if inner == cut
            || scored
                .iter()
                .take(k)
                .any(|s| usize::from(dist[s.1]) > inner)
        {
            return exact_scan(ExactWhy::Edge);
        }
        (scored, Pass::TwoStage)
    }

    /// Hamming distance of every row's sign code to `q_signs` (`NOT_ALLOWED`
    /// for filtered rows) and how many rows lie at each distance.
    fn distances(&self, q_signs: &[u64], allowed: &[bool]) -> (Vec<u16>, Hist) {
        let n = self.ids.len();
        let mut dist = vec![0u16; n];
        let part = |start: usize, out: &mut [u16]| {
            let mut hist = [0u32; DIMS + 2];
            hamming(
                q_signs,
                &self.signs[start * SIGN_WORDS..(start + out.len()) * SIGN_WORDS],
                |r| allowed[self.groups[start + r] as usize],
                out,
                &mut hist,
            );
            hist
        };
        let chunk = n.div_ceil(threads(n));
        let hists: Vec<Hist> = if chunk >= n {
            vec![part(0, &mut dist)]
        } else {
            dist.par_chunks_mut(chunk)
                .enumerate()
                .map(|(c, out)| part(c * chunk, out))
                .collect()
        };
        let mut hist = [0u32; DIMS + 2];
        for h in &hists {
            hist.iter_mut().zip(h).for_each(|(a, b)| *a += b);
        }
        (dist, hist)
    }

    /// Int8 scores of the pool: every row closer than `cut`, then the first
    /// `at_cut` rows (in row order) at the cut.
    fn score_pool(&self, q: &[i8], dist: &[u16], cut: usize, at_cut: usize) -> Vec<Scored> {
        let score = |r: usize| {
            let mut one = [0i32; 1];
            dots(q, &self.codes[r * DIMS..(r + 1) * DIMS], &mut one);
            Scored(one[0] as f32 * self.scales[r], r)
        };
        let parts = split(dist.len(), |start, end| {
            let (mut scored, mut tied) = (Vec::new(), Vec::new());
            for (r, &d) in dist[start..end].iter().enumerate() {
                match usize::from(d).cmp(&cut) {
                    Ordering::Less => scored.push(score(start + r)),
                    Ordering::Equal if tied.len() < at_cut => tied.push(start + r),
                    _ => {}
                }
            }
            (scored, tied)
        });
        let mut tied_left = at_cut;
        let mut scored = Vec::new();
        for (part, tied) in parts {
            scored.extend(part);
            let take = tied.len().min(tied_left);
            scored.extend(tied[..take].iter().map(|&r| score(r)));
            tied_left -= take;
        }
        scored
    }

    /// The `k` entities nearest to `query` (unit length), one per entity (its
    /// best observation), best first, among vectors whose group `allow`s.
    /// Candidates come from the two-stage search (or the exact scan when
    /// `exact`); each is re-scored exactly with its f32 vector from the store.
    pub fn nearest(
        &self,
        store: &Store,
        query: &[f32],
        allow: &dyn Fn(&Group) -> bool,
        k: usize,
        exact: bool,
    ) -> Result<Vec<Near>> {
        self.nearest_pass(store, query, allow, k, exact)
            .map(|(near, _)| near)
    }

    /// [`VectorIndex::nearest`], also saying how the candidates were found.
    pub fn nearest_pass(
        &self,
        store: &Store,
        query: &[f32],
        allow: &dyn Fn(&Group) -> bool,
        k: usize,
        exact: bool,
    ) -> Result<(Vec<Near>, Pass)> {
        if k == 0 || self.ids.is_empty() || query.len() != DIMS {
            return Ok((Vec::new(), Pass::Exact(ExactWhy::Small)));
        }
        let allowed: Vec<bool> = self.group_keys.iter().map(allow).collect();
        let mut q = vec![0i8; DIMS];
        let q_scale = quantize(query, &mut q);
        let err = |e| store_err(store.path(), e);
        let mut stmt = store
            .conn()
            .prepare_cached(
                "SELECT vector FROM memory_vectors WHERE observation_id = ?1 AND model = ?2",
            )
            .map_err(err)?;
        // Ten candidates per result absorb the quantisation error; more are
        // fetched only when many candidates share an entity.
        let mut want = (k * 10).max(100);
        // |q·v − q·v̂| ≤ Σ|q_i|·|v_i − v̂_i| ≤ |q|₁ × half a step of v's
        // codes: the f32 query against a row's int8 code is within this of
        // the true cosine (the int8 × int8 score also carries the query's
        // rounding, about twice the error).
        let half_steps = 0.5 * query.iter().map(|x| x.abs()).sum::<f32>();
        loop {
            let (candidates, pass) = self.candidates(&q, q_scale, &allowed, want, k, exact);
            let mut near: Vec<(f32, usize)> = candidates
                .iter()
                .map(|&Scored(_, r)| (self.scales[r] * dot_i8(query, self.code(r)), r))
                .collect();
            // Best first: the bar below reaches its final height after the
            // fewest reads.
            near.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let mut best: HashMap<i64, Near> = HashMap::new();
            // The k-th best similarity so far (once there are k entities).
            let mut bar: Option<f32> = None;
            for &(approx, r) in &near {
                // A row whose true cosine cannot reach the bar can neither
                // enter the top k nor raise an entity already in it, so the
                // answer is the same as re-scoring every candidate, with
                // fewer reads.
                let upper = approx + self.scales[r] * half_steps + BOUND_SLACK;
                if bar.is_some_and(|bar| upper < bar) {
                    continue;
                }
                let Some(Some(similarity)) = stmt
                    .query_row(params![self.ids[r], MODEL_ID], |row| {
                        let blob = row.get_ref(0)?.as_blob()?;
                        Ok((blob.len() == DIMS * 4).then(|| dot_blob(query, blob)))
                    })
                    .optional()
                    .map_err(err)?
                else {
                    continue; // deleted since the last sync, or damaged
                };
                let near = Near {
                    observation_id: self.ids[r],
                    entity_id: self.entities[r],
                    similarity,
                };
                match best.get(&near.entity_id) {
                    Some(b) if b.similarity >= similarity => {}
                    _ => {
                        best.insert(near.entity_id, near);
                        if best.len() >= k {
                            let mut sims: Vec<f32> = best.values().map(|n| n.similarity).collect();
                            let (_, kth, _) =
                                sims.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
                            bar = Some(*kth);
                        }
                    }
                }
            }
            if best.len() >= k || candidates.len() < want {
                return Ok((best_first(best, k), pass));
            }
            want *= 4;
        }
    }

    /// Row `r`'s int8 code.
    fn code(&self, r: usize) -> &[i8] {
        &self.codes[r * DIMS..(r + 1) * DIMS]
    }

    /// Serialise to `dir/vectors.idx` (atomic rename) when changed.
    pub fn save(&mut self, dir: &Path) -> std::io::Result<()> {
        if !self.dirty {
            return Ok(());
        }
        let n = self.ids.len();
        let mut b = Vec::with_capacity(64 + DIMS * 4 + n * (DIMS + 24 + SIGN_WORDS * 8));
        b.extend_from_slice(FILE_MAGIC);
        b.extend_from_slice(&(DIMS as u32).to_le_bytes());
        put_str(&mut b, &self.store_uid);
        b.extend_from_slice(&self.seq.to_le_bytes());
        b.extend_from_slice(&(n as u64).to_le_bytes());
        b.extend_from_slice(&(self.group_keys.len() as u32).to_le_bytes());
        for g in &self.group_keys {
            put_str(&mut b, &g.scope);
            put_str(&mut b, &g.scope_id);
            put_str(&mut b, &g.entity_type);
        }
        self.ids
            .iter()
            .for_each(|v| b.extend_from_slice(&v.to_le_bytes()));
        self.entities
            .iter()
            .for_each(|v| b.extend_from_slice(&v.to_le_bytes()));
        self.groups
            .iter()
            .for_each(|v| b.extend_from_slice(&v.to_le_bytes()));
        self.scales
            .iter()
            .for_each(|v| b.extend_from_slice(&v.to_le_bytes()));
        b.extend_from_slice(bytemuck::cast_slice(&self.codes));
        b.extend_from_slice(&(self.centred_rows as u64).to_le_bytes());
        b.extend_from_slice(&(self.centre.len() as u32).to_le_bytes());
        self.centre
            .iter()
            .for_each(|v| b.extend_from_slice(&v.to_le_bytes()));
        self.signs
            .iter()
            .for_each(|v| b.extend_from_slice(&v.to_le_bytes()));
        std::fs::create_dir_all(dir)?;
        write_atomic(&dir.join(FILE_NAME), &b)?;
        self.dirty = false;
        Ok(())
    }

    /// Read `dir/vectors.idx`; `None` when absent or not a valid index file
    /// (it is only a cache: the caller rebuilds).
    pub fn load(dir: &Path) -> Option<VectorIndex> {
        let bytes = std::fs::read(dir.join(FILE_NAME)).ok()?;
        let mut r = Reader(&bytes);
        if r.take(8)? != FILE_MAGIC || r.u32()? as usize != DIMS {
            return None;
        }
        let store_uid = r.str()?;
        let seq = r.i64()?;
        let n = usize::try_from(r.u64()?).ok()?;
        let ngroups = r.u32()? as usize;
        let mut index = VectorIndex {
            store_uid,
            seq,
            ..VectorIndex::default()
        };
        for i in 0..ngroups {
            let g = Group {
                scope: r.str()?,
                scope_id: r.str()?,
                entity_type: r.str()?,
            };
            index.group_ix.insert(g.clone(), i as u32);
            index.group_keys.push(g);
        }
        index.ids = r.array(n, i64::from_le_bytes)?;
        index.entities = r.array(n, i64::from_le_bytes)?;
        index.groups = r.array(n, u32::from_le_bytes)?;
        index.scales = r.array(n, f32::from_le_bytes)?;
        index.codes = bytemuck::cast_slice(r.take(n.checked_mul(DIMS)?)?).to_vec();
        index.centred_rows = usize::try_from(r.u64()?).ok()?;
        let centre = r.u32()? as usize;
        if centre != 0 && centre != DIMS {
            return None;
        }
        index.centre = r.array(centre, f32::from_le_bytes)?;
        index.signs = r.array(n.checked_mul(SIGN_WORDS)?, u64::from_le_bytes)?;
        if !r.0.is_empty() || index.groups.iter().any(|g| *g as usize >= ngroups) {
            return None;
        }
        index.rows = index
            .ids
            .iter()
            .enumerate()
            .map(|(r, id)| (*id, r))
            .collect();
        Some(index)
    }
}

/// The `k` best of one-per-entity results, best first (ties by observation
/// id, so the order is stable).
fn best_first(best: HashMap<i64, Near>, k: usize) -> Vec<Near> {
    let mut out: Vec<Near> = best.into_values().collect();
    out.sort_by(|a, b| {
        b.similarity
            .total_cmp(&a.similarity)
            .then_with(|| a.observation_id.cmp(&b.observation_id))
    });
    out.truncate(k);
    out
}

/// The index for a one-shot process: the persisted copy brought up to date,
/// or a fresh build. Saved back when it changed; a failed save only costs
/// the next call a rebuild, so it is not an error.
pub fn open_cached(store: &Store, cache_dir: &Path) -> Result<(VectorIndex, Load)> {
    let (mut index, load) = match VectorIndex::load(cache_dir) {
        Some(mut index) => {
            let load = index.sync(store)?;
            (index, load)
        }
        None => (VectorIndex::build(store)?, Load::Rebuilt),
    };
    let _ = index.save(cache_dir);
    Ok((index, load))
}

/// Remove the persisted index; returns the bytes freed.
pub fn clear_cache(cache_dir: &Path) -> std::io::Result<u64> {
    let path = cache_dir.join(FILE_NAME);
    match std::fs::metadata(&path) {
        Ok(m) => std::fs::remove_file(&path).map(|()| m.len()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(e),
    }
}

fn put_str(b: &mut Vec<u8>, s: &str) {
    b.extend_from_slice(&(s.len() as u32).to_le_bytes());
    b.extend_from_slice(s.as_bytes());
}

/// A cursor over the index file; every read is bounds-checked.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn str(&mut self) -> Option<String> {
        let n = self.u32()? as usize;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }

    fn array<T, const W: usize>(&mut self, n: usize, f: fn([u8; W]) -> T) -> Option<Vec<T>> {
        let bytes = self.take(n.checked_mul(W)?)?;
        Some(
            bytes
                .chunks_exact(W)
                .map(|c| f(c.try_into().expect("chunks_exact yields W bytes")))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::graph::create_entities;
    use crate::memory::{Access, Entity, MemoryScope};

    /// A deterministic pseudo-random unit vector (xorshift), clustered around
    /// one of a few centres so neighbours are close like real embeddings.
    fn vector(seed: u64) -> Vec<f32> {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        };
        let centre = seed % 7;
        let mut v: Vec<f32> = (0..DIMS)
            .map(|i| next() + if i as u64 % 7 == centre { 0.6 } else { 0.0 })
            .collect();
        let norm = dot(&v, &v).sqrt();
        v.iter_mut().for_each(|x| *x /= norm);
        v
    }

    /// A store with `n` entities of two observations each, every observation
    /// carrying `vector(observation id)`; half global, half in agent scope "a".
    fn seeded(dir: &Path, n: usize) -> Store {
        seeded_with(dir, n, vector)
    }

    /// Unit vectors around 97 centres (cosine ≈ 0.8 within a centre, far
    /// less across), like embeddings of related sentences; a seed of 1 << 40
    /// or more is a direction with no centre, near nothing in particular.
    fn clustered(seed: u64) -> Vec<f32> {
        let noise = vector(seed);
        if seed >= 1 << 40 {
            return noise;
        }
        let centre = vector((seed % 97) << 32 | 3);
        let mut v: Vec<f32> = centre
            .iter()
            .zip(&noise)
            .map(|(c, n)| c + 0.5 * n)
            .collect();
        let norm = dot(&v, &v).sqrt();
        v.iter_mut().for_each(|x| *x /= norm);
        v
    }

    fn seeded_with(dir: &Path, n: usize, vector: fn(u64) -> Vec<f32>) -> Store {
        let mut store = Store::open(&dir.join("caxton.db")).unwrap();
        for (scope, agent) in [(MemoryScope::Global, None), (MemoryScope::Agent, Some("a"))] {
            let access = Access::operator(scope, agent.map(Into::into), None);
            let entities: Vec<Entity> = (0..n / 2)
                .map(|i| Entity {
                    name: format!("e{i}"),
                    entity_type: if i % 3 == 0 { "person" } else { "thing" }.into(),
                    observations: vec![format!("first {i}"), format!("second {i}")],
                })
                .collect();
            create_entities(&mut store, &access, &entities, None).unwrap();
        }
        store
            .write(|tx| {
                let ids: Vec<i64> = tx
                    .prepare("SELECT id FROM memory_observations")
                    .unwrap()
                    .query_map([], |r| r.get(0))
                    .unwrap()
                    .map(|r| r.unwrap())
                    .collect();
                for id in ids {
                    put(tx, id, &vector(id as u64));
                }
                Ok(())
            })
            .unwrap();
        store
    }

    fn put(tx: &rusqlite::Transaction, id: i64, v: &[f32]) {
        tx.execute(
            "INSERT INTO memory_vectors (observation_id, model, dims, vector) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (observation_id) DO UPDATE SET vector = excluded.vector",
            params![id, MODEL_ID, DIMS as i64, embed::to_blob(v)],
        )
        .unwrap();
    }

    /// The reference: exact f32 cosine over every allowed vector in the
    /// store, best observation per entity.
    fn brute_force(
        store: &Store,
        q: &[f32],
        allow: &dyn Fn(&Group) -> bool,
        k: usize,
    ) -> Vec<Near> {
        let mut stmt = store.conn().prepare(ROW_SQL).unwrap();
        let mut best: HashMap<i64, Near> = HashMap::new();
        for row in stmt.query_map([MODEL_ID], read_row).unwrap() {
            let row = row.unwrap();
            if !allow(&row.group) {
                continue;
            }
            let similarity = dot(q, &row.vector);
            if best
                .get(&row.entity)
                .is_none_or(|b| b.similarity < similarity)
            {
                best.insert(
                    row.entity,
                    Near {
                        observation_id: row.id,
                        entity_id: row.entity,
                        similarity,
                    },
                );
            }
        }
        best_first(best, k)
    }

    fn ids(v: &[Near]) -> Vec<i64> {
        v.iter().map(|n| n.observation_id).collect()
    }

    #[test]
    fn two_stage_and_exact_top_ten_equal_f32_brute_force_with_and_without_filters() {
        let dir = tempfile::tempdir().unwrap();
        // Enough rows that the exact scan runs on several threads and the
        // two-stage pool is a small part of each filter's rows.
        let store = seeded_with(dir.path(), 20_000, clustered);
        let index = VectorIndex::build(&store).unwrap();
        assert_eq!(index.len(), 40_000);
        let mut two_stage = 0;
        let global = |g: &Group| g.scope == "global";
        let people = |g: &Group| g.entity_type == "person";
        let any = |_: &Group| true;
        let filters: [&dyn Fn(&Group) -> bool; 3] = [&any, &global, &people];
        for (i, allow) in (0..60u64).zip(filters.iter().cycle()) {
            // Stored vectors, new members of a cluster, directions with no
            // cluster (where the first stage has nothing to go on).
            let q = clustered(match i % 4 {
                0 => i * 31 + 5,
                1 | 2 => 1_000_000 + i,
                _ => (1 << 40) + i,
            });
            let want = brute_force(&store, &q, allow, 10);
            let (exact, pass) = index.nearest_pass(&store, &q, allow, 10, true).unwrap();
            assert_eq!(pass, Pass::Exact(ExactWhy::Asked));
            let (fast, pass) = index.nearest_pass(&store, &q, allow, 10, false).unwrap();
            two_stage += usize::from(pass == Pass::TwoStage);
            for got in [exact, fast] {
                assert_eq!(ids(&got), ids(&want), "query {i} ({pass:?})");
                for (g, w) in got.iter().zip(&want) {
                    assert!((g.similarity - w.similarity).abs() < 1e-6);
                }
            }
        }
        // The first stage answered the clustered queries itself.
        assert!(two_stage >= 40, "two-stage answered {two_stage}/60");
    }

    #[test]
    fn the_exact_scan_answers_when_the_first_stage_cannot_be_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let store = seeded_with(dir.path(), 4_000, clustered);
        let mut index = VectorIndex::build(&store).unwrap();
        assert!(index.len() > MIN_POOL);
        let q = clustered(77);
        let any = |_: &Group| true;
        let want = brute_force(&store, &q, &any, 10);
        let pass = |index: &VectorIndex, allow: &dyn Fn(&Group) -> bool| {
            let (got, pass) = index.nearest_pass(&store, &q, allow, 10, false).unwrap();
            assert_eq!(ids(&got), ids(&brute_force(&store, &q, allow, 10)));
            pass
        };
        assert_eq!(pass(&index, &any), Pass::TwoStage);
        // A filter leaving fewer rows than the pool: every one is scored.
        let few = |g: &Group| g.scope == "agent" && g.entity_type == "person";
        assert_eq!(pass(&index, &few), Pass::Exact(ExactWhy::Small));
        // Sign codes that put the true winner at the edge of the pool.
        let mut q8 = vec![0i8; DIMS];
        let scale = quantize(&q, &mut q8);
        let mut q_signs = [0u64; SIGN_WORDS];
        sign_code(&q8, scale, &index.centre, &mut q_signs);
        let distance = |row: &[u64]| -> usize {
            q_signs
                .iter()
                .zip(row)
                .map(|(a, b)| (a ^ b).count_ones() as usize)
                .sum()
        };
        let mut sorted: Vec<usize> = index.signs.chunks_exact(SIGN_WORDS).map(distance).collect();
        sorted.sort_unstable();
        // Past the pool's closer half, short of its cut.
        let edge = (sorted[MIN_POOL / 2] + sorted[MIN_POOL - 1]) / 2;
        assert!(edge > sorted[MIN_POOL / 2] && edge < sorted[MIN_POOL - 1]);
        let best = index.rows[&want[0].observation_id];
        let mut code = q_signs;
        for bit in 0..edge {
            code[bit / 64] ^= 1 << (bit % 64);
        }
        index.signs[best * SIGN_WORDS..(best + 1) * SIGN_WORDS].copy_from_slice(&code);
        assert_eq!(pass(&index, &any), Pass::Exact(ExactWhy::Edge));
        // Codes that carry no information (all equal): every row ties.
        index.signs.fill(0);
        assert_eq!(pass(&index, &any), Pass::Exact(ExactWhy::Edge));
    }

    #[test]
    fn sync_applies_inserts_updates_and_deletes_like_a_rebuild() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = seeded(dir.path(), 200);
        let mut index = VectorIndex::build(&store).unwrap();
        assert_eq!(index.sync(&store).unwrap(), Load::Warm);
        store
            .write(|tx| {
                put(tx, 1, &vector(9_999)); // update
                tx.execute("DELETE FROM memory_observations WHERE id IN (2, 3, 50)", [])
                    .unwrap(); // cascades to the vectors
                tx.execute(
                    "DELETE FROM memory_entities WHERE name = 'e7' AND scope = 'global'",
                    [],
                )
                .unwrap();
                Ok(())
            })
            .unwrap();
        assert_eq!(index.sync(&store).unwrap(), Load::Incremental);
        let fresh = VectorIndex::build(&store).unwrap();
        assert_eq!(index.len(), fresh.len());
        assert_eq!(index.len(), 400 - 3 - 2);
        for i in 0..20u64 {
            let q = vector(i * 17 + 1);
            assert_eq!(
                index.nearest(&store, &q, &|_| true, 10, false).unwrap(),
                fresh.nearest(&store, &q, &|_| true, 10, false).unwrap()
            );
        }
        let q = vector(9_999);
        assert_eq!(
            index.nearest(&store, &q, &|_| true, 1, false).unwrap()[0].observation_id,
            1
        );
    }

    #[test]
    fn persisted_copy_round_trips_and_damage_means_rebuild() {
        let dir = tempfile::tempdir().unwrap();
        let store = seeded(dir.path(), 100);
        let cache = dir.path().join("cache");
        let (mut index, load) = open_cached(&store, &cache).unwrap();
        assert_eq!(load, Load::Rebuilt);
        let loaded = VectorIndex::load(&cache).unwrap();
        assert_eq!(loaded.ids, index.ids);
        assert_eq!(loaded.codes, index.codes);
        assert_eq!(loaded.signs, index.signs);
        assert_eq!(loaded.centre, index.centre);
        assert_eq!(loaded.group_keys, index.group_keys);
        assert_eq!(open_cached(&store, &cache).unwrap().1, Load::Warm);
        // A truncated file is not an index.
        let file = cache.join(FILE_NAME);
        let bytes = std::fs::read(&file).unwrap();
        std::fs::write(&file, &bytes[..bytes.len() - 1]).unwrap();
        assert!(VectorIndex::load(&cache).is_none());
        // A copy made for another database is rebuilt, not trusted.
        index.store_uid = "another store".into();
        index.dirty = true;
        index.save(&cache).unwrap();
        assert_eq!(open_cached(&store, &cache).unwrap().1, Load::Rebuilt);
        assert!(clear_cache(&cache).unwrap() > 0);
        assert_eq!(clear_cache(&cache).unwrap(), 0);
    }

    #[test]
    fn a_reader_behind_the_pruned_log_rebuilds() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = seeded(dir.path(), 10);
        let mut index = VectorIndex::build(&store).unwrap();
        store
            .write(|tx| {
                put(tx, 1, &vector(5));
                tx.execute(
                    "UPDATE memory_index_state SET value = 1000 WHERE key = 'pruned_through'",
                    [],
                )
                .unwrap();
                Ok(())
            })
            .unwrap();
        assert_eq!(index.sync(&store).unwrap(), Load::Rebuilt);
    }
}
