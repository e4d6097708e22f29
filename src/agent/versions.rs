//! The agent registry's SQL: agents and every version ever deployed. Content is
//! stored byte for byte so a rollback restores exactly what was deployed.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::Serialize;

use crate::error::Result;
use crate::store::{Store, store_err};

#[derive(Debug, Clone, Serialize)]
pub struct VersionRecord {
    pub seq: i64,
    pub version: String,
    pub content_hash: String,
    pub source: String,
    pub action: String,
    /// Unix milliseconds.
    pub deployed_at: i64,
}

/// What to record for one new version.
pub struct NewVersion<'a> {
    pub id: &'a str,
    /// `config` or `wasm`.
    pub kind: &'a str,
    pub name: &'a str,
    pub file_name: &'a str,
    pub version: &'a str,
    pub content: &'a [u8],
    pub source: &'a str,
    pub action: &'a str,
}

pub fn hash(content: &[u8]) -> String {
    blake3::hash(content).to_hex().to_string()
}

const COLUMNS: &str = "seq, version, content_hash, source, action, deployed_at";

fn row(r: &Row) -> rusqlite::Result<VersionRecord> {
    Ok(VersionRecord {
        seq: r.get(0)?,
        version: r.get(1)?,
        content_hash: r.get(2)?,
        source: r.get(3)?,
        action: r.get(4)?,
        deployed_at: r.get(5)?,
    })
}

/// Every version of `id`, newest first.
pub fn history(store: &Store, id: &str) -> Result<Vec<VersionRecord>> {
    let conn = store.conn();
    history_on(conn, id).map_err(|e| store_err(store.path(), e))
}

fn history_on(conn: &Connection, id: &str) -> rusqlite::Result<Vec<VersionRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM agent_versions WHERE agent_id = ?1 ORDER BY seq DESC"
    ))?;
    stmt.query_map([id], row)?.collect()
}

/// Ids and file names of every agent the registry knows.
pub fn known_agents(store: &Store) -> Result<Vec<(String, String, Option<String>)>> {
    let conn = store.conn();
    let run = || -> rusqlite::Result<Vec<(String, String, Option<String>)>> {
        let mut stmt = conn.prepare("SELECT id, name, file_name FROM agents ORDER BY id")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect()
    };
    run().map_err(|e| store_err(store.path(), e))
}

/// The stored bytes of version `seq`.
pub fn content(store: &Store, seq: i64) -> Result<Vec<u8>> {
    store
        .conn()
        .query_row(
            "SELECT content FROM agent_versions WHERE seq = ?1",
            [seq],
            |r| r.get(0),
        )
        .map_err(|e| store_err(store.path(), e))
}

/// Whether `id` has a version with this content hash.
pub fn has_hash(tx: &Transaction, id: &str, hash: &str) -> rusqlite::Result<bool> {
    tx.query_row(
        "SELECT 1 FROM agent_versions WHERE agent_id = ?1 AND content_hash = ?2 LIMIT 1",
        params![id, hash],
        |_| Ok(()),
    )
    .optional()
    .map(|o| o.is_some())
}

/// The newest version of `id`, if any.
pub fn latest(tx: &Connection, id: &str) -> rusqlite::Result<Option<VersionRecord>> {
    tx.query_row(
        &format!(
            "SELECT {COLUMNS} FROM agent_versions WHERE agent_id = ?1 ORDER BY seq DESC LIMIT 1"
        ),
        [id],
        row,
    )
    .optional()
}

/// Insert a version (and the agent row on first sight); returns its seq.
pub fn record(tx: &Transaction, v: &NewVersion) -> rusqlite::Result<i64> {
    let now = crate::clock::now_ms();
    tx.execute(
        "INSERT INTO agents (id, name, kind, file_name, created_at, updated_at)
         VALUES (?1, ?2, ?5, ?3, ?4, ?4)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name,
             file_name = excluded.file_name, updated_at = excluded.updated_at",
        params![v.id, v.name, v.file_name, now, v.kind],
    )?;
    tx.execute(
        "INSERT INTO agent_versions (agent_id, version, content_hash, content, source, action, deployed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![v.id, v.version, hash(v.content), v.content, v.source, v.action, now],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The kind (`config` or `wasm`) of a registered agent.
pub fn kind_of(conn: &Connection, id: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT kind FROM agents WHERE id = ?1", [id], |r| r.get(0))
        .optional()
}
