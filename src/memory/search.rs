//! Memory search. Keyword search runs on the FTS5 index (BM25); results are
//! grouped per entity and carry how they were found.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::embed::{self, MODEL_ID};
use super::graph::{VISIBLE, visible_params};
use super::index::{self, Group, VectorIndex};
use super::vectors;
use super::{Access, MemoryScope};
use crate::error::Result;
use crate::store::{Store, store_err};

/// Filters and size of one memory search (`memory search`, the
/// `search_nodes` tool, `GET /memory/search`).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Most results to return (entities, best first).
    pub limit: usize,
    /// Only entities of this type.
    pub entity_type: Option<String>,
    /// Only entities in this scope.
    pub scope: Option<MemoryScope>,
    /// Drop semantic matches below this cosine similarity.
    pub min_similarity: Option<f32>,
    /// Find the nearest vectors by an exact scan instead of the approximate
    /// first stage (in-process two-stage index, pgvector HNSW, Qdrant HNSW).
    pub exact: bool,
}

/// One entity found by a search, as `--json` and the REST API print it.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    #[serde(skip)]
    pub(crate) entity_id: i64,
    /// The entity's name.
    pub name: String,
    pub(crate) entity_type: String,
    pub(crate) scope: String,
    /// Relevance in [0, 1], best first.
    pub score: f64,
    /// The observation that matched best (empty when the name matched).
    pub matched: String,
    pub(crate) mode: &'static str,
}

/// The most full-text rows one search ranks. FTS5 scores every row that
/// matches any query word (a `docsize` read and the BM25 sum per row, about
/// 1.5 us), so one word found in a large share of the rows ("the", or a
/// stem every row carries, such as "personal" matching the entity type
/// "person") made a search over 30,000 rows cost 20-60 ms. Words are taken
/// rarest first while the rows they match together fit: the words left out
/// are the most common, whose BM25 weight (IDF) is the lowest.
const RANKED_ROWS: i64 = 4_096;

/// Query words probed for how common they are: a bound on the work a long
/// query (a pasted paragraph) can ask for.
const MAX_WORDS: usize = 64;

/// What a keyword search does when every query word is too common to rank
/// ([`RANKED_ROWS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Common {
    /// Rank the rarest word anyway: keywords are all the search has.
    RankRarest,
    /// Rank nothing: the semantic half of a hybrid search answers alone.
    Skip,
}

/// The query's distinct words (at most [`MAX_WORDS`]), in order.
fn words(text: &str) -> Vec<&str> {
    let mut seen = std::collections::HashSet::new();
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && seen.insert(w.to_lowercase()))
        .take(MAX_WORDS)
        .collect()
}

/// An FTS5 query matching any of `words`, each quoted so user input can
/// never be parsed as FTS syntax. `None` when there are no words.
fn fts_query(words: &[&str]) -> Option<String> {
    (!words.is_empty()).then(|| {
        words
            .iter()
            .map(|w| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(" OR ")
    })
}

/// The words of `text` worth ranking: rarest first, while the full-text rows
/// they match add up to at most [`RANKED_ROWS`]. Each word's rows are
/// counted by FTS5 itself (so stemming is the index's own), up to the bound.
fn selective<'t>(
    conn: &rusqlite::Connection,
    text: &'t str,
    common: Common,
) -> rusqlite::Result<Vec<&'t str>> {
    let mut count = conn.prepare_cached(
        "SELECT count(*) FROM (SELECT 1 FROM memory_fts WHERE memory_fts MATCH ?1 LIMIT ?2)",
    )?;
    let mut counted = Vec::new();
    for w in words(text) {
        let rows: i64 =
            count.query_row(params![format!("\"{w}\""), RANKED_ROWS + 1], |r| r.get(0))?;
        // A word no row has adds nothing but still costs nothing: dropped.
        if rows > 0 {
            counted.push((rows, w));
        }
    }
    counted.sort_by_key(|&(rows, _)| rows);
    let mut total = 0;
    let mut kept = Vec::new();
    for (i, (rows, w)) in counted.iter().enumerate() {
        total += rows;
        if total > RANKED_ROWS && !(i == 0 && common == Common::RankRarest) {
            break;
        }
        kept.push(*w);
    }
    Ok(kept)
}

/// Keyword search over names, types and observations, one hit per entity,
/// scores normalised so the best hit is 1. Only the query's rarer words are
/// ranked when all of them together match too many rows ([`RANKED_ROWS`]).
pub fn keyword(store: &Store, access: &Access, query: &str, opts: &Options) -> Result<Vec<Hit>> {
    keyword_ranked(store, access, query, opts, Common::RankRarest)
}

fn keyword_ranked(
    store: &Store,
    access: &Access,
    query: &str,
    opts: &Options,
    common: Common,
) -> Result<Vec<Hit>> {
    let conn = store.conn();
    let err = |e| store_err(store.path(), e);
    let Some(q) = fts_query(&selective(conn, query, common).map_err(err)?) else {
        return Ok(Vec::new());
    };
    let (all, ws, agent) = visible_params(access);
    let scope = opts.scope.map(super::scope_name);
    let sql = if all && opts.entity_type.is_none() && scope.is_none() {
        // Every row may be shown: rank in the full-text index alone and read
        // the content and the entity of the best rows only. Joining first
        // read both for every matching row before the sort (three B-tree
        // lookups per row instead of one).
        "SELECT e.id, e.name, e.entity_type, e.scope, c.content, f.rank
         FROM (SELECT rowid, bm25(memory_fts, 3.0, 1.0, 1.0) AS rank FROM memory_fts
               WHERE memory_fts MATCH ?4 ORDER BY rank LIMIT ?7) f
         JOIN memory_fts c ON c.rowid = f.rowid
         JOIN memory_entities e ON e.id = c.entity_id
         ORDER BY f.rank"
            .to_string()
    } else {
        format!(
            "SELECT e.id, e.name, e.entity_type, e.scope, f.content, bm25(memory_fts, 3.0, 1.0, 1.0) AS rank
             FROM memory_fts f JOIN memory_entities e ON e.id = f.entity_id
             WHERE memory_fts MATCH ?4 AND {VISIBLE}
               AND (?5 IS NULL OR e.entity_type = ?5) AND (?6 IS NULL OR e.scope = ?6)
             ORDER BY rank LIMIT ?7"
        )
    };
    let mut stmt = conn.prepare_cached(&sql).map_err(err)?;
    // Fetch more rows than hits: several observations of one entity can match.
    let fetch = (opts.limit.max(1) * 8) as i64;
    let rows = stmt
        .query_map(
            params![all, ws, agent, q, opts.entity_type, scope, fetch],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, f64>(5)?,
                ))
            },
        )
        .map_err(err)?;
    let mut seen: HashMap<i64, ()> = HashMap::new();
    let mut hits = Vec::new();
    let mut best = None;
    for row in rows {
        let (id, name, entity_type, scope, content, rank) = row.map_err(err)?;
        if seen.insert(id, ()).is_some() {
            continue;
        }
        // bm25() is negative, more negative is better.
        let best_rank = *best.get_or_insert(rank);
        hits.push(Hit {
            entity_id: id,
            name,
            entity_type,
            scope,
            score: if best_rank < 0.0 {
                rank / best_rank
            } else {
                1.0
            },
            matched: content,
            mode: "keyword",
        });
        if hits.len() >= opts.limit {
            break;
        }
    }
    Ok(hits)
}

/// Weights of the hybrid ranking: cosine similarity and normalised BM25.
pub const VECTOR_WEIGHT: f64 = 0.7;
pub(crate) const KEYWORD_WEIGHT: f64 = 0.3;

/// The outcome of a search: how it ran, why, and the hits.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// `hybrid` (vectors + keywords) or `keyword` (no model).
    pub mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<String>,
    /// Observations not embedded yet; they are found by keyword only.
    pub pending_embeddings: i64,
    /// Matching entities, best score first, at most `limit`.
    pub results: Vec<Hit>,
}

/// The semantic half of a search: the query's vector and where the nearest
/// vectors are found, already synced with the store. The caller embeds the
/// query first, so the model (most of a search's time) runs outside any
/// lock the index needs.
pub struct Semantic<'a> {
    /// The query embedded by [`super::embed::Embedder::embed_query`].
    pub query: &'a [f32],
    /// The vectors to search, synced with the store.
    pub index: &'a dyn Vectors,
}

/// Nearest-neighbour search over the store's vectors: the in-process index,
/// or a Qdrant collection (`backend = "qdrant"`).
pub trait Vectors {
    /// The `k` entities with the most similar observation to `query` among
    /// those `allow` lets through, best first, one observation each; by an
    /// exact scan when `exact`.
    fn nearest(
        &self,
        store: &Store,
        query: &[f32],
        allow: &dyn Fn(&Group) -> bool,
        k: usize,
        exact: bool,
    ) -> Result<Vec<index::Near>>;
}

impl Vectors for VectorIndex {
    fn nearest(
        &self,
        store: &Store,
        query: &[f32],
        allow: &dyn Fn(&Group) -> bool,
        k: usize,
        exact: bool,
    ) -> Result<Vec<index::Near>> {
        VectorIndex::nearest(self, store, query, allow, k, exact)
    }
}

/// Hybrid search: vector cosine over embedded observations combined with
/// keyword BM25 over everything (so rows still waiting for a vector are
/// found too). Without the semantic half it is keyword-only and says why.
pub fn search(
    store: &Store,
    access: &Access,
    semantic: std::result::Result<Semantic, String>,
    query: &str,
    opts: &Options,
) -> Result<Outcome> {
    let pending = vectors::backlog(store)?;
    // Candidates beyond the limit let the two rankings meet.
    let pool = opts.limit.max(1) * 4;
    let keyword_hits = keyword_ranked(
        store,
        access,
        query,
        &Options {
            limit: pool,
            ..opts.clone()
        },
        if semantic.is_ok() {
            Common::Skip
        } else {
            Common::RankRarest
        },
    )?;
    let Semantic { query: q, index } = match semantic {
        Ok(s) => s,
        Err(reason) => return Ok(keyword_only(keyword_hits, reason, pending, opts.limit)),
    };
    let (all, ws, agent) = visible_params(access);
    let scope = opts.scope.map(super::scope_name);
    let allow = |g: &Group| {
        (all || g.scope == "global"
            || (g.scope == "workspace" && g.scope_id == ws)
            || (g.scope == "agent" && g.scope_id == agent))
            && opts
                .entity_type
                .as_ref()
                .is_none_or(|t| *t == g.entity_type)
            && scope.is_none_or(|s| s == g.scope)
    };
    let found = index.nearest(store, q, &allow, pool, opts.exact)?;
    let err = |e| store_err(store.path(), e);
    let mut describe = store
        .conn()
        .prepare_cached(
            "SELECT e.name, e.entity_type, e.scope, o.content FROM memory_observations o
             JOIN memory_entities e ON e.id = o.entity_id WHERE o.id = ?1",
        )
        .map_err(err)?;
    let mut near = Vec::with_capacity(found.len());
    for n in found {
        let Some((name, entity_type, scope, content)) = describe
            .query_row([n.observation_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()
            .map_err(err)?
        else {
            continue; // deleted since the index was synced
        };
        near.push(Near {
            entity_id: n.entity_id,
            name,
            entity_type,
            scope,
            content,
            similarity: n.similarity,
        });
    }
    let mut entity_similarity = store
        .conn()
        .prepare_cached(
            "SELECT v.vector FROM memory_vectors v JOIN memory_observations o ON o.id = v.observation_id
             WHERE o.entity_id = ?1 AND v.model = ?2",
        )
        .map_err(err)?;
    let mut similarity = |entity_id: i64| -> Result<Option<f32>> {
        let sims: Vec<f32> = entity_similarity
            .query_map(params![entity_id, MODEL_ID], |r| {
                let v = embed::from_blob(&r.get::<_, Vec<u8>>(0)?);
                Ok(v.iter().zip(q).map(|(a, b)| a * b).sum())
            })
            .map_err(err)?
            .collect::<rusqlite::Result<_>>()
            .map_err(err)?;
        Ok(sims.into_iter().reduce(f32::max))
    };
    blend(
        near,
        keyword_hits,
        &mut similarity,
        opts.min_similarity,
        pending,
        opts.limit,
    )
}

/// A keyword-only outcome (no model), saying why.
pub fn keyword_only(mut hits: Vec<Hit>, reason: String, pending: i64, limit: usize) -> Outcome {
    hits.truncate(limit);
    Outcome {
        mode: "keyword",
        reason: Some(reason),
        pending_embeddings: pending,
        results: hits,
    }
}

/// A semantic candidate: an entity and its observation nearest the query.
#[derive(Debug, Clone)]
pub struct Near {
    pub(crate) entity_id: i64,
    pub(crate) name: String,
    pub(crate) entity_type: String,
    pub(crate) scope: String,
    /// The nearest observation.
    pub content: String,
    pub(crate) similarity: f32,
}

/// The hybrid ranking every backend shares: `VECTOR_WEIGHT` × cosine +
/// `KEYWORD_WEIGHT` × normalised keyword score, best first (ties by name).
/// `near` is best-first with one entry per entity; `similarity` gives an
/// entity's best cosine for keyword hits outside the vector candidates.
pub fn blend(
    near: Vec<Near>,
    mut keyword_hits: Vec<Hit>,
    similarity: &mut dyn FnMut(i64) -> Result<Option<f32>>,
    min_similarity: Option<f32>,
    pending: i64,
    limit: usize,
) -> Result<Outcome> {
    let mut merged: Vec<Hit> = Vec::new();
    for n in near
        .into_iter()
        .filter(|n| min_similarity.is_none_or(|m| n.similarity >= m))
    {
        let kw = keyword_hits
            .iter()
            .position(|h| h.entity_id == n.entity_id)
            .map(|i| keyword_hits.remove(i));
        merged.push(Hit {
            entity_id: n.entity_id,
            name: n.name,
            entity_type: n.entity_type,
            scope: n.scope,
            score: VECTOR_WEIGHT * f64::from(n.similarity.max(0.0))
                + KEYWORD_WEIGHT * kw.as_ref().map_or(0.0, |h| h.score),
            matched: n.content,
            mode: if kw.is_some() { "hybrid" } else { "semantic" },
        });
    }
    // Keyword hits outside the vector candidates still get their cosine
    // when they have vectors, so a strong keyword match with a middling
    // cosine is ranked fairly; rows not embedded yet rank by keywords alone.
    for mut h in keyword_hits {
        let best = similarity(h.entity_id)?;
        if let (Some(m), Some(b)) = (min_similarity, best)
            && b < m
        {
            continue;
        }
        h.score =
            VECTOR_WEIGHT * f64::from(best.unwrap_or(0.0).max(0.0)) + KEYWORD_WEIGHT * h.score;
        // Scored (and held to `min_similarity`) by both: "keyword" is left
        // for rows without a vector, which a recall still has to check.
        if best.is_some() {
            h.mode = "hybrid";
        }
        merged.push(h);
    }
    merged.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.name.cmp(&b.name))
    });
    merged.truncate(limit);
    Ok(Outcome {
        mode: "hybrid",
        reason: None,
        pending_embeddings: pending,
        results: merged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts_queries_are_quoted_distinct_words() {
        assert_eq!(
            fts_query(&words("feline pets! Pets")).as_deref(),
            Some("\"feline\" OR \"pets\"")
        );
        assert_eq!(
            fts_query(&words("a\"b OR c*")).as_deref(),
            Some("\"a\" OR \"b\" OR \"OR\" OR \"c\"")
        );
        assert_eq!(fts_query(&words("  ?? ")), None);
        let long: String = (0..200).map(|i| format!("w{i} ")).collect();
        assert_eq!(words(&long).len(), MAX_WORDS);
    }

    #[test]
    fn words_too_common_to_rank_are_left_out_rarest_kept() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("caxton.db")).unwrap();
        let access = Access::operator(MemoryScope::Global, None, None);
        // "common" in more rows than a search ranks; "middling" in fewer,
        // "rare" in one.
        let n = RANKED_ROWS as usize + 100;
        let entities: Vec<super::super::Entity> = (0..n)
            .map(|i| super::super::Entity {
                name: format!("e{i:05}"),
                entity_type: "thing".into(),
                observations: vec![match i {
                    0 => "rare common seen".to_string(),
                    i if i % 2 == 0 => format!("middling common {i}"),
                    i => format!("common {i}"),
                }],
            })
            .collect();
        super::super::graph::create_entities(&mut store, &access, &entities, None).unwrap();
        let conn = store.conn();
        for common in [Common::RankRarest, Common::Skip] {
            assert_eq!(
                selective(conn, "COMMON middling rare absent", common).unwrap(),
                ["rare", "middling"],
                "rarest first, the word past the bound and the word no row has left out"
            );
        }
        assert_eq!(
            selective(conn, "common", Common::RankRarest).unwrap(),
            ["common"]
        );
        assert!(selective(conn, "common", Common::Skip).unwrap().is_empty());
        let opts = Options {
            limit: 5,
            ..Default::default()
        };
        // Ranked on the rarer words: the row with "rare" first.
        let hits = keyword(&store, &access, "common middling rare", &opts).unwrap();
        assert_eq!(hits[0].name, "e00000");
        assert_eq!(hits.len(), 5);
        assert!(hits[1..].iter().all(|h| h.matched.starts_with("middling")));
        // Keywords alone: the common word is still searched.
        assert_eq!(keyword(&store, &access, "Common", &opts).unwrap().len(), 5);
    }

    /// A deterministic unit vector (an LCG's draws, normalised).
    fn unit(seed: u64) -> Vec<f32> {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let v: Vec<f32> = (0..embed::DIMS)
            .map(|_| {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                (x >> 40) as f32 / (1u64 << 24) as f32 - 0.5
            })
            .collect();
        let norm = v.iter().map(|a| a * a).sum::<f32>().sqrt();
        v.into_iter().map(|a| a / norm).collect()
    }

    #[test]
    fn exact_nearest_ranks_every_query_as_a_scan_per_query_would() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("caxton.db")).unwrap();
        // 40 global entities and 40 of agent "a", three observations each.
        for (scope, agent) in [(MemoryScope::Global, None), (MemoryScope::Agent, Some("a"))] {
            let access = Access::operator(scope, agent.map(Into::into), None);
            let entities: Vec<super::super::Entity> = (0..40)
                .map(|i| super::super::Entity {
                    name: format!("e{i:02}"),
                    entity_type: "thing".into(),
                    observations: (0..3).map(|j| format!("fact {j} of {i}")).collect(),
                })
                .collect();
            super::super::graph::create_entities(&mut store, &access, &entities, None).unwrap();
        }
        let rows: Vec<(i64, String, String, Vec<f32>)> = store
            .write(|tx| {
                let ids: Vec<(i64, String, String)> = tx
                    .prepare(
                        "SELECT o.id, e.name, e.scope FROM memory_observations o
                         JOIN memory_entities e ON e.id = o.entity_id",
                    )
                    .unwrap()
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .unwrap()
                    .map(|r| r.unwrap())
                    .collect();
                Ok(ids
                    .into_iter()
                    .map(|(id, name, scope)| {
                        let v = unit(id as u64);
                        tx.execute(
                            "INSERT INTO memory_vectors (observation_id, model, dims, vector) VALUES (?1, ?2, ?3, ?4)",
                            params![id, MODEL_ID, embed::DIMS as i64, embed::to_blob(&v)],
                        )
                        .unwrap();
                        (id, name, scope, v)
                    })
                    .collect())
            })
            .unwrap();
        // Stored vectors (each its own best match) and fresh directions.
        let queries: Vec<Vec<f32>> = [5, 77, 200, 1 << 41, 1 << 42, 9_999]
            .into_iter()
            .map(|s| {
                if s < 1000 {
                    rows[s as usize % rows.len()].3.clone()
                } else {
                    unit(s)
                }
            })
            .collect();
        for k in [0, 1, 7, 200] {
            let got = exact_nearest(&store, &queries, k).unwrap();
            assert_eq!(got.len(), queries.len());
            for (q, got) in queries.iter().zip(got) {
                // The reference: every row scored on its own.
                let mut best: HashMap<(String, String), f32> = HashMap::new();
                for (_, name, scope, v) in &rows {
                    let s: f32 = v.iter().zip(q).map(|(a, b)| a * b).sum();
                    let b = best.entry((name.clone(), scope.clone())).or_insert(s);
                    *b = b.max(s);
                }
                let want = rank_nearest(
                    best.into_iter()
                        .map(|((name, scope), similarity)| Nearest {
                            name,
                            scope,
                            similarity,
                        })
                        .collect(),
                    k,
                );
                // Same-named entities in two scopes are told apart.
                assert_eq!(got.len(), k.min(80));
                assert_eq!(got.len(), want.len());
                for (g, w) in got.iter().zip(&want) {
                    assert_eq!((&g.name, &g.scope), (&w.name, &w.scope), "k = {k}");
                    assert!((g.similarity - w.similarity).abs() < 1e-5);
                }
            }
        }
    }
}

/// One entity of an exact vector ranking: its best observation's cosine.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Nearest {
    /// The entity's name.
    pub name: String,
    /// Its scope (`agent`, `workspace` or `global`).
    pub scope: String,
    /// The cosine of the entity's best observation.
    pub similarity: f32,
}

/// Best-first, ties by name then scope, so two backends holding the same
/// vectors give the same order.
pub fn rank_nearest(mut all: Vec<Nearest>, k: usize) -> Vec<Nearest> {
    all.sort_by(|a, b| {
        b.similarity
            .total_cmp(&a.similarity)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.scope.cmp(&b.scope))
    });
    all.truncate(k);
    all
}

/// For each of `queries` (unit length), the `k` entities nearest to it
/// among all of them (an operator's view), by an exact scan of every stored
/// vector without the quantised index: the reference a migration's copy is
/// checked against. One pass over the store serves every query, since
/// reading 100,000 vectors out of SQLite costs far more than the dot
/// products (a pass per query made a migration's 100 sample queries take
/// most of a minute).
pub fn exact_nearest(store: &Store, queries: &[Vec<f32>], k: usize) -> Result<Vec<Vec<Nearest>>> {
    let err = |e| store_err(store.path(), e);
    // Entity by entity (the primary key, then the observations' index on
    // entity_id: no sort), so an entity's best similarity is final when its
    // rows end and only the best `k` per query need be kept.
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT e.id, e.name, e.scope, v.vector FROM memory_entities e
             JOIN memory_observations o ON o.entity_id = e.id
             JOIN memory_vectors v ON v.observation_id = o.id
             WHERE v.model = ?1 ORDER BY e.id",
        )
        .map_err(err)?;
    let mut ranked: Vec<Best<(String, String)>> = queries.iter().map(|_| Best::new(k)).collect();
    let mut best = vec![f32::NEG_INFINITY; queries.len()];
    let mut current: Option<(i64, String, String)> = None;
    let mut offer = |current: Option<(i64, String, String)>, best: &[f32]| {
        if let Some((_, name, scope)) = current {
            for (r, &b) in ranked.iter_mut().zip(best) {
                r.offer(b, || (name.clone(), scope.clone()));
            }
        }
    };
    let mut rows = stmt.query(params![MODEL_ID]).map_err(err)?;
    while let Some(row) = rows.next().map_err(err)? {
        let id: i64 = row.get(0).map_err(err)?;
        if current.as_ref().is_some_and(|(c, _, _)| *c != id) {
            offer(current.take(), &best);
            best.fill(f32::NEG_INFINITY);
        }
        if current.is_none() {
            current = Some((id, row.get(1).map_err(err)?, row.get(2).map_err(err)?));
        }
        let v = embed::from_blob(&row.get::<_, Vec<u8>>(3).map_err(err)?);
        for (b, q) in best.iter_mut().zip(queries) {
            *b = b.max(dot(&v, q));
        }
    }
    offer(current, &best);
    Ok(ranked
        .into_iter()
        .map(|r| {
            let all = r.into_sorted().into_iter();
            let all = all.map(|(similarity, (name, scope))| Nearest {
                name,
                scope,
                similarity,
            });
            rank_nearest(all.collect(), k)
        })
        .collect())
}

/// The best `k` of the items offered, by similarity, without keeping the
/// rest: a few more than `k` between trims.
pub(crate) struct Best<T> {
    k: usize,
    kept: Vec<(f32, T)>,
    /// The `k`-th best similarity at the last trim: an offer below it can
    /// never enter the best `k`.
    bar: f32,
}

impl<T> Best<T> {
    pub(crate) fn new(k: usize) -> Best<T> {
        Best {
            k,
            kept: Vec::new(),
            bar: f32::NEG_INFINITY,
        }
    }

    /// Consider an item; `item` builds it only when it may be kept.
    pub(crate) fn offer(&mut self, similarity: f32, item: impl FnOnce() -> T) {
        if self.k == 0 || similarity < self.bar {
            return;
        }
        self.kept.push((similarity, item()));
        if self.kept.len() >= 2 * self.k {
            self.trim();
        }
    }

    /// Keep the best `k`, and any tied with the `k`-th (a tie is broken by
    /// the caller, by name, not by the order items came in).
    fn trim(&mut self) {
        self.kept.sort_by(|a, b| b.0.total_cmp(&a.0));
        if let Some(&(kth, _)) = self.kept.get(self.k - 1) {
            let tied = self.kept.partition_point(|x| x.0 >= kth);
            self.kept.truncate(tied);
            self.bar = kth;
        }
    }

    /// The best `k` (and any tied with the `k`-th), best first.
    pub(crate) fn into_sorted(mut self) -> Vec<(f32, T)> {
        if self.k == 0 {
            return Vec::new();
        }
        self.trim();
        self.kept
    }
}

/// The dot product summed in eight lanes, so the compiler vectorises it (a
/// single running sum is one long chain of dependent additions).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        for (lane, (p, q)) in lanes.iter_mut().zip(x.iter().zip(y)) {
            *lane += p * q;
        }
    }
    let tail: f32 = a
        .chunks_exact(8)
        .remainder()
        .iter()
        .zip(b.chunks_exact(8).remainder())
        .map(|(x, y)| x * y)
        .sum();
    lanes.iter().sum::<f32>() + tail
}
