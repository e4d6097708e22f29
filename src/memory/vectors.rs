//! Observation vectors: the embedding backlog (observations without a vector
//! for the current model, so pending work survives any crash), storing
//! vectors (searched through the index in `index.rs`).

use rusqlite::params;

use super::embed::{self, DIMS, Embedder, MODEL_ID};
use crate::error::Result;
use crate::store::{Store, store_err};

/// How many observations still need a vector.
pub fn backlog(store: &Store) -> Result<i64> {
    backlog_in(store.conn()).map_err(|e| store_err(store.path(), e))
}

/// [`backlog`] on any connection, e.g. inside a group-commit write, so the
/// count is of the transaction that holds the write.
pub fn backlog_in(conn: &rusqlite::Connection) -> rusqlite::Result<i64> {
    // Cached: a daemon asks after every REST write, and parsing the
    // statement each time cost more than running it.
    conn.prepare_cached(
        // Every vector belongs to an observation (foreign key), so the
        // difference of the trigger-kept counts; counting is O(rows).
        "SELECT (SELECT n FROM memory_counts WHERE name = 'observations')
              - coalesce((SELECT n FROM memory_counts WHERE name = 'vectors:' || ?1), 0)",
    )
    .and_then(|mut s| s.query_row([MODEL_ID], |r| r.get(0)))
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
    // Resume after the last batch instead of re-walking embedded rows.
    let mut after = 0i64;
    loop {
        let batch: Vec<(i64, String)> = {
            let conn = store.conn();
            let err = |e| store_err(store.path(), e);
            let mut stmt = conn
                .prepare_cached(
                    "SELECT o.id, e.name, o.content FROM memory_observations o
                     JOIN memory_entities e ON e.id = o.entity_id
                     LEFT JOIN memory_vectors v ON v.observation_id = o.id AND v.model = ?1
                     WHERE v.observation_id IS NULL AND o.id > ?2 ORDER BY o.id LIMIT 32",
                )
                .map_err(err)?;
            stmt.query_map(params![MODEL_ID, after], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    text_of(&r.get::<_, String>(1)?, &r.get::<_, String>(2)?),
                ))
            })
            .map_err(err)?
            .collect::<rusqlite::Result<_>>()
            .map_err(err)?
        };
        let Some(&(last, _)) = batch.last() else {
            return Ok(done);
        };
        after = last;
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
            super::index::prune_changes(tx).map_err(|e| store_err(&path, e))
        })?;
        done += batch.len();
        progress(done, total.max(done));
    }
}
