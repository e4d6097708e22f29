//! Numbered schema migrations. `PRAGMA user_version` holds how many have been
//! applied; each runs in its own transaction together with the version bump,
//! so a crash mid-migration leaves the previous schema intact.
//! Append new migrations; never edit one that has shipped.

use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    // 1: agent registry and every deployed version (content kept byte for byte
    // so rollback restores exactly what was deployed).
    "CREATE TABLE agents (
         id          TEXT PRIMARY KEY,
         name        TEXT NOT NULL,
         kind        TEXT NOT NULL CHECK (kind IN ('config', 'wasm')),
         file_name   TEXT,
         created_at  INTEGER NOT NULL,
         updated_at  INTEGER NOT NULL
     ) STRICT;
     CREATE TABLE agent_versions (
         seq           INTEGER PRIMARY KEY AUTOINCREMENT,
         agent_id      TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
         version       TEXT NOT NULL,
         content_hash  TEXT NOT NULL,
         content       BLOB NOT NULL,
         source        TEXT NOT NULL,
         action        TEXT NOT NULL CHECK (action IN ('deploy', 'rollback', 'observed')),
         deployed_at   INTEGER NOT NULL
     ) STRICT;
     CREATE INDEX agent_versions_by_agent ON agent_versions (agent_id, seq);",
];

pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

pub enum MigrateError {
    Sql(rusqlite::Error),
    TooNew { found: i64, known: i64 },
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> Self {
        MigrateError::Sql(e)
    }
}

pub fn apply(conn: &mut Connection) -> Result<(), MigrateError> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current > latest() {
        return Err(MigrateError::TooNew {
            found: current,
            known: latest(),
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the lock.
        let now: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if now > i as i64 {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
