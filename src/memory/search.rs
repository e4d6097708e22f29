//! Memory search. Keyword search runs on the FTS5 index (BM25); results are
//! grouped per entity and carry how they were found.

use std::collections::HashMap;

use rusqlite::params;
use serde::Serialize;

use super::embed::Embedder;
use super::graph::{VISIBLE, visible_params};
use super::vectors;
use super::{Access, MemoryScope};
use crate::error::Result;
use crate::store::{Store, store_err};

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub limit: usize,
    pub entity_type: Option<String>,
    pub scope: Option<MemoryScope>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub name: String,
    pub entity_type: String,
    pub scope: String,
    /// Relevance in [0, 1], best first.
    pub score: f64,
    /// The observation that matched best (empty when the name matched).
    pub matched: String,
    pub mode: &'static str,
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
pub const KEYWORD_WEIGHT: f64 = 0.3;

/// The outcome of a search: how it ran, why, and the hits.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// `hybrid` (vectors + keywords) or `keyword` (no model).
    pub mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Observations not embedded yet; they are found by keyword only.
    pub pending_embeddings: i64,
    pub results: Vec<Hit>,
}

/// Hybrid search: vector cosine over embedded observations combined with
/// keyword BM25 over everything (so rows still waiting for a vector are
/// found too). Without an embedder it is keyword-only and says why.
pub fn search(
    store: &Store,
    access: &Access,
    embedder: std::result::Result<&Embedder, String>,
    query: &str,
    min_similarity: Option<f32>,
    opts: &Options,
) -> Result<Outcome> {
    let pending = vectors::backlog(store)?;
    let mut keyword_hits = keyword(
        store,
        access,
        query,
        &Options {
            limit: opts.limit * 4,
            ..opts.clone()
        },
    )?;
    let embedder = match embedder {
        Ok(e) => e,
        Err(reason) => {
            keyword_hits.truncate(opts.limit);
            return Ok(Outcome {
                mode: "keyword",
                reason: Some(reason),
                pending_embeddings: pending,
                results: keyword_hits,
            });
        }
    };
    let q = embedder.embed(&[query])?.pop().unwrap_or_default();
    let near = vectors::nearest(store, access, &q, opts)?;
    let mut merged: Vec<Hit> = Vec::new();
    for s in near
        .into_iter()
        .filter(|s| min_similarity.is_none_or(|m| s.similarity >= m))
    {
        let kw = keyword_hits
            .iter()
            .position(|h| h.name == s.name && h.scope == s.scope)
            .map(|i| keyword_hits.remove(i));
        let kw_score = kw.as_ref().map_or(0.0, |h| h.score);
        merged.push(Hit {
            name: s.name,
            entity_type: s.entity_type,
            scope: s.scope,
            score: VECTOR_WEIGHT * f64::from(s.similarity.max(0.0)) + KEYWORD_WEIGHT * kw_score,
            matched: s.content,
            mode: if kw.is_some() { "hybrid" } else { "semantic" },
        });
    }
    // Keyword-only hits (e.g. not embedded yet) rank by their keyword share.
    merged.extend(keyword_hits.into_iter().map(|mut h| {
        h.score *= KEYWORD_WEIGHT;
        h
    }));
    merged.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.name.cmp(&b.name))
    });
    merged.truncate(opts.limit);
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
