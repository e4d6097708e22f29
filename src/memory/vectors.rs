//! Observation vectors: the embedding backlog (observations without a vector
//! for the current model, so pending work survives any crash), storing
//! vectors, and exact cosine search over them.

use rusqlite::params;

use super::embed::{self, DIMS, Embedder, MODEL_ID};
use super::graph::{VISIBLE, visible_params};
use super::{Access, search::Options};
use crate::error::Result;
use crate::store::{Store, store_err};

/// How many observations still need a vector.
pub fn backlog(store: &Store) -> Result<i64> {
    store
        .conn()
        .query_row(
            "SELECT count(*) FROM memory_observations o
             LEFT JOIN memory_vectors v ON v.observation_id = o.id AND v.model = ?1
             WHERE v.observation_id IS NULL",
            [MODEL_ID],
            |r| r.get(0),
        )
        .map_err(|e| store_err(store.path(), e))
}

/// The text embedded for an observation: the entity name gives it context.
fn text_of(name: &str, content: &str) -> String {
    format!("{name}: {content}")
}

/// Embed pending observations in batches of 32, each batch committed on its
/// own. Returns how many were embedded. `progress` gets (done, total).
pub fn embed_backlog(
    store: &mut Store,
    embedder: &Embedder,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize> {
    let total = backlog(store)? as usize;
    let mut done = 0;
    loop {
        let batch: Vec<(i64, String)> = {
            let conn = store.conn();
            let err = |e| store_err(store.path(), e);
            let mut stmt = conn
                .prepare_cached(
                    "SELECT o.id, e.name, o.content FROM memory_observations o
                     JOIN memory_entities e ON e.id = o.entity_id
                     LEFT JOIN memory_vectors v ON v.observation_id = o.id AND v.model = ?1
                     WHERE v.observation_id IS NULL ORDER BY o.id LIMIT 32",
                )
                .map_err(err)?;
            stmt.query_map([MODEL_ID], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    text_of(&r.get::<_, String>(1)?, &r.get::<_, String>(2)?),
                ))
            })
            .map_err(err)?
            .collect::<rusqlite::Result<_>>()
            .map_err(err)?
        };
        if batch.is_empty() {
            return Ok(done);
        }
        let texts: Vec<&str> = batch.iter().map(|(_, t)| t.as_str()).collect();
        let vectors = embedder.embed(&texts)?;
        let path = store.path().to_path_buf();
        store.write(|tx| {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO memory_vectors (observation_id, model, dims, vector) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (observation_id) DO UPDATE SET model = excluded.model,
                         dims = excluded.dims, vector = excluded.vector",
                )
                .map_err(|e| store_err(&path, e))?;
            for ((id, _), v) in batch.iter().zip(&vectors) {
                stmt.execute(params![id, MODEL_ID, DIMS as i64, embed::to_blob(v)])
                    .map_err(|e| store_err(&path, e))?;
            }
            Ok(())
        })?;
        done += batch.len();
        progress(done, total.max(done));
    }
}

/// One scored observation from a vector search.
pub struct Scored {
    pub entity_id: i64,
    pub name: String,
    pub entity_type: String,
    pub scope: String,
    pub content: String,
    pub similarity: f32,
}

/// Exact cosine search (vectors are unit length, so a dot product) over the
/// visible, filtered observations; best observation per entity, best first.
pub fn nearest(
    store: &Store,
    access: &Access,
    query: &[f32],
    opts: &Options,
) -> Result<Vec<Scored>> {
    let (all, ws, agent) = visible_params(access);
    let scope = opts.scope.map(super::scope_name);
    let err = |e| store_err(store.path(), e);
    let mut stmt = store
        .conn()
        .prepare_cached(&format!(
            "SELECT e.id, e.name, e.entity_type, e.scope, o.content, v.vector
             FROM memory_vectors v JOIN memory_observations o ON o.id = v.observation_id
             JOIN memory_entities e ON e.id = o.entity_id
             WHERE v.model = ?4 AND {VISIBLE}
               AND (?5 IS NULL OR e.entity_type = ?5) AND (?6 IS NULL OR e.scope = ?6)"
        ))
        .map_err(err)?;
    let rows = stmt
        .query_map(
            params![all, ws, agent, MODEL_ID, opts.entity_type, scope],
            |r| {
                let blob: Vec<u8> = r.get(5)?;
                let v = embed::from_blob(&blob);
                let sim: f32 = v.iter().zip(query).map(|(a, b)| a * b).sum();
                Ok(Scored {
                    entity_id: r.get(0)?,
                    name: r.get(1)?,
                    entity_type: r.get(2)?,
                    scope: r.get(3)?,
                    content: r.get(4)?,
                    similarity: sim,
                })
            },
        )
        .map_err(err)?;
    let mut best: std::collections::HashMap<i64, Scored> = std::collections::HashMap::new();
    for row in rows {
        let s = row.map_err(err)?;
        match best.get(&s.entity_id) {
            Some(b) if b.similarity >= s.similarity => {}
            _ => {
                best.insert(s.entity_id, s);
            }
        }
    }
    let mut out: Vec<Scored> = best.into_values().collect();
    out.sort_by(|a, b| {
        b.similarity
            .total_cmp(&a.similarity)
            .then_with(|| a.name.cmp(&b.name))
    });
    Ok(out)
}
