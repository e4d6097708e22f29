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

/// An FTS5 query matching any word of `text`, each quoted so user input can
/// never be parsed as FTS syntax. `None` when the text has no words.
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\""))
        .collect();
    (!words.is_empty()).then(|| words.join(" OR "))
}

/// Keyword search over names, types and observations, one hit per entity,
/// scores normalised so the best hit is 1.
pub fn keyword(store: &Store, access: &Access, query: &str, opts: &Options) -> Result<Vec<Hit>> {
    let Some(q) = fts_query(query) else {
        return Ok(Vec::new());
    };
    let (all, ws, agent) = visible_params(access);
    let scope = opts.scope.map(super::scope_name);
    let sql = format!(
        "SELECT e.id, e.name, e.entity_type, e.scope, f.content, bm25(memory_fts, 3.0, 1.0, 1.0) AS rank
         FROM memory_fts f JOIN memory_entities e ON e.id = f.entity_id
         WHERE memory_fts MATCH ?4 AND {VISIBLE}
           AND (?5 IS NULL OR e.entity_type = ?5) AND (?6 IS NULL OR e.scope = ?6)
         ORDER BY rank LIMIT ?7"
    );
    let conn = store.conn();
    let err = |e| store_err(store.path(), e);
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
    let keyword_hits = keyword(
        store,
        access,
        query,
        &Options {
            limit: pool,
            ..opts.clone()
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
    fn fts_queries_are_quoted_words() {
        assert_eq!(
            fts_query("feline pets!").as_deref(),
            Some("\"feline\" OR \"pets\"")
        );
        assert_eq!(
            fts_query("a\"b OR c*").as_deref(),
            Some("\"a\" OR \"b\" OR \"OR\" OR \"c\"")
        );
        assert_eq!(fts_query("  ?? "), None);
    }
}

/// One entity of an exact vector ranking: its best observation's cosine.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Nearest {
    pub(crate) name: String,
    pub(crate) scope: String,
    pub(crate) similarity: f32,
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

/// The `k` entities visible to `access` nearest to `query` (unit length),
/// by an exact scan of every stored vector, without the quantised index:
/// the reference a migration's copy is checked against.
pub fn exact_nearest(
    store: &Store,
    access: &Access,
    query: &[f32],
    k: usize,
) -> Result<Vec<Nearest>> {
    let err = |e| store_err(store.path(), e);
    let (all, ws, agent) = visible_params(access);
    let mut stmt = store
        .conn()
        .prepare(&format!(
            "SELECT o.entity_id, e.name, e.scope, v.vector FROM memory_vectors v
             JOIN memory_observations o ON o.id = v.observation_id
             JOIN memory_entities e ON e.id = o.entity_id
             WHERE v.model = ?4 AND {VISIBLE}"
        ))
        .map_err(err)?;
    let mut best: HashMap<i64, Nearest> = HashMap::new();
    let rows = stmt
        .query_map(params![all, ws, agent, MODEL_ID], |r| {
            let v = embed::from_blob(&r.get::<_, Vec<u8>>(3)?);
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                v.iter().zip(query).map(|(a, b)| a * b).sum::<f32>(),
            ))
        })
        .map_err(err)?;
    for row in rows {
        let (entity, name, scope, similarity) = row.map_err(err)?;
        match best.get_mut(&entity) {
            Some(b) if b.similarity >= similarity => {}
            Some(b) => b.similarity = similarity,
            None => {
                best.insert(
                    entity,
                    Nearest {
                        name,
                        scope,
                        similarity,
                    },
                );
            }
        }
    }
    Ok(rank_nearest(best.into_values().collect(), k))
}
