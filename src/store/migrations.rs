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
    // 2: the memory knowledge graph. Observations are one row each; the FTS5
    // index is kept by triggers (observation rows use the observation id as
    // rowid, entity-name rows the negated entity id). Vectors live in
    // memory_vectors; an observation without a vector for the current model
    // is the embedding backlog, so pending work survives a crash.
    "CREATE TABLE memory_entities (
         id           INTEGER PRIMARY KEY,
         name         TEXT NOT NULL,
         entity_type  TEXT NOT NULL,
         scope        TEXT NOT NULL CHECK (scope IN ('agent', 'workspace', 'global')),
         scope_id     TEXT NOT NULL DEFAULT '',
         metadata     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
         created_by   TEXT NOT NULL,
         created_at   INTEGER NOT NULL,
         updated_at   INTEGER NOT NULL,
         UNIQUE (scope, scope_id, name)
     ) STRICT;
     CREATE INDEX memory_entities_by_name ON memory_entities (name);
     CREATE TABLE memory_observations (
         id          INTEGER PRIMARY KEY,
         entity_id   INTEGER NOT NULL REFERENCES memory_entities(id) ON DELETE CASCADE,
         content     TEXT NOT NULL,
         created_by  TEXT NOT NULL,
         created_at  INTEGER NOT NULL,
         UNIQUE (entity_id, content)
     ) STRICT;
     CREATE TABLE memory_relations (
         id             INTEGER PRIMARY KEY,
         from_id        INTEGER NOT NULL REFERENCES memory_entities(id) ON DELETE CASCADE,
         to_id          INTEGER NOT NULL REFERENCES memory_entities(id) ON DELETE CASCADE,
         relation_type  TEXT NOT NULL,
         strength       REAL NOT NULL DEFAULT 1.0,
         metadata       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
         created_by     TEXT NOT NULL,
         created_at     INTEGER NOT NULL,
         UNIQUE (from_id, to_id, relation_type)
     ) STRICT;
     CREATE INDEX memory_relations_to ON memory_relations (to_id);
     CREATE TABLE memory_vectors (
         observation_id  INTEGER PRIMARY KEY REFERENCES memory_observations(id) ON DELETE CASCADE,
         model           TEXT NOT NULL,
         dims            INTEGER NOT NULL,
         vector          BLOB NOT NULL
     ) STRICT;
     CREATE VIRTUAL TABLE memory_fts USING fts5(
         name, entity_type, content, entity_id UNINDEXED,
         tokenize = 'porter unicode61 remove_diacritics 2'
     );
     CREATE TRIGGER memory_entities_ai AFTER INSERT ON memory_entities BEGIN
         INSERT INTO memory_fts (rowid, name, entity_type, content, entity_id)
         VALUES (-new.id, new.name, new.entity_type, '', new.id);
     END;
     CREATE TRIGGER memory_entities_ad AFTER DELETE ON memory_entities BEGIN
         DELETE FROM memory_fts WHERE rowid = -old.id;
     END;
     CREATE TRIGGER memory_entities_au AFTER UPDATE OF name, entity_type ON memory_entities BEGIN
         UPDATE memory_fts SET name = new.name, entity_type = new.entity_type
         WHERE rowid = -new.id
            OR rowid IN (SELECT id FROM memory_observations WHERE entity_id = new.id);
     END;
     CREATE TRIGGER memory_observations_ai AFTER INSERT ON memory_observations BEGIN
         INSERT INTO memory_fts (rowid, name, entity_type, content, entity_id)
         SELECT new.id, e.name, e.entity_type, new.content, e.id
         FROM memory_entities e WHERE e.id = new.entity_id;
     END;
     CREATE TRIGGER memory_observations_ad AFTER DELETE ON memory_observations BEGIN
         DELETE FROM memory_fts WHERE rowid = old.id;
     END;",
    // 3: recorded search latencies, so `memory status` reports a real P99.
    "CREATE TABLE memory_search_log (
         id           INTEGER PRIMARY KEY,
         at           INTEGER NOT NULL,
         duration_us  INTEGER NOT NULL,
         mode         TEXT NOT NULL,
         results      INTEGER NOT NULL
     ) STRICT;",
    // 4: what the in-memory vector index needs to stay current without a full
    // reload: every vector insert/update/delete leaves its observation id in
    // a change log (the index applies changes after the seq it has seen; old
    // entries are pruned and `pruned_through` tells a reader it is too far
    // behind and must reload). `store_uid` ties a persisted index file to
    // this database. The search log learns how the index was served, and
    // periodic samples give `memory stats --include-trends` its history.
    // memory_counts keeps row counts by trigger so the embedding backlog is
    // known without counting a million rows on every search.
    "CREATE TABLE memory_vector_changes (
         seq             INTEGER PRIMARY KEY AUTOINCREMENT,
         observation_id  INTEGER NOT NULL
     ) STRICT;
     CREATE TRIGGER memory_vectors_ai AFTER INSERT ON memory_vectors BEGIN
         INSERT INTO memory_vector_changes (observation_id) VALUES (new.observation_id);
     END;
     CREATE TRIGGER memory_vectors_au AFTER UPDATE ON memory_vectors BEGIN
         INSERT INTO memory_vector_changes (observation_id) VALUES (new.observation_id);
     END;
     CREATE TRIGGER memory_vectors_ad AFTER DELETE ON memory_vectors BEGIN
         INSERT INTO memory_vector_changes (observation_id) VALUES (old.observation_id);
     END;
     CREATE TABLE memory_counts (
         name  TEXT PRIMARY KEY,
         n     INTEGER NOT NULL
     ) STRICT;
     INSERT INTO memory_counts SELECT 'observations', count(*) FROM memory_observations;
     INSERT INTO memory_counts SELECT 'vectors:' || model, count(*) FROM memory_vectors GROUP BY model;
     CREATE TRIGGER memory_counts_oi AFTER INSERT ON memory_observations BEGIN
         UPDATE memory_counts SET n = n + 1 WHERE name = 'observations';
     END;
     CREATE TRIGGER memory_counts_od AFTER DELETE ON memory_observations BEGIN
         UPDATE memory_counts SET n = n - 1 WHERE name = 'observations';
     END;
     CREATE TRIGGER memory_counts_vi AFTER INSERT ON memory_vectors BEGIN
         INSERT OR IGNORE INTO memory_counts VALUES ('vectors:' || new.model, 0);
         UPDATE memory_counts SET n = n + 1 WHERE name = 'vectors:' || new.model;
     END;
     CREATE TRIGGER memory_counts_vd AFTER DELETE ON memory_vectors BEGIN
         UPDATE memory_counts SET n = n - 1 WHERE name = 'vectors:' || old.model;
     END;
     CREATE TRIGGER memory_counts_vu AFTER UPDATE OF model ON memory_vectors
     WHEN old.model <> new.model BEGIN
         UPDATE memory_counts SET n = n - 1 WHERE name = 'vectors:' || old.model;
         INSERT OR IGNORE INTO memory_counts VALUES ('vectors:' || new.model, 0);
         UPDATE memory_counts SET n = n + 1 WHERE name = 'vectors:' || new.model;
     END;
     CREATE TABLE memory_index_state (
         key    TEXT PRIMARY KEY,
         value  ANY NOT NULL
     ) STRICT;
     INSERT INTO memory_index_state VALUES ('store_uid', lower(hex(randomblob(16)))), ('pruned_through', 0);
     ALTER TABLE memory_search_log ADD COLUMN index_load TEXT NOT NULL DEFAULT '';
     ALTER TABLE memory_search_log ADD COLUMN query TEXT NOT NULL DEFAULT '';
     CREATE INDEX memory_search_log_by_time ON memory_search_log (at);
     CREATE TABLE memory_samples (
         at            INTEGER PRIMARY KEY,
         entities      INTEGER NOT NULL,
         observations  INTEGER NOT NULL,
         relations     INTEGER NOT NULL,
         vectors       INTEGER NOT NULL,
         db_bytes      INTEGER NOT NULL,
         searches      INTEGER NOT NULL,
         search_p50_us INTEGER,
         search_p99_us INTEGER
     ) STRICT;",
    // 5: WASM agents. A version's content (agent_versions) is its JSON
    // manifest (module hash, limits, capabilities, policy); module bytes are
    // stored once per content hash. Execution statistics are one row per agent.
    "CREATE TABLE wasm_modules (
         hash                  TEXT PRIMARY KEY,
         bytes                 BLOB NOT NULL,
         size                  INTEGER NOT NULL,
         abi                   TEXT NOT NULL,
         initial_memory_bytes  INTEGER NOT NULL,
         imports               TEXT NOT NULL CHECK (json_valid(imports)),
         created_at            INTEGER NOT NULL
     ) STRICT;
     CREATE TABLE wasm_stats (
         agent_id           TEXT PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
         executions         INTEGER NOT NULL DEFAULT 0,
         failures           INTEGER NOT NULL DEFAULT 0,
         fuel               INTEGER NOT NULL DEFAULT 0,
         cpu_us             INTEGER NOT NULL DEFAULT 0,
         wall_us            INTEGER NOT NULL DEFAULT 0,
         peak_memory_bytes  INTEGER NOT NULL DEFAULT 0,
         traps              TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(traps)),
         last_error         TEXT,
         last_at            INTEGER
     ) STRICT;",
    // 6: config-agent runs. `record` is the full run record as `--json`
    // prints it (logs and diagnose read it back); the other columns are what
    // metrics aggregate. No foreign key: `agents test-local` runs files that
    // were never deployed.
    "CREATE TABLE agent_runs (
         id                 INTEGER PRIMARY KEY,
         agent_id           TEXT NOT NULL,
         version            TEXT NOT NULL,
         provider           TEXT NOT NULL,
         model              TEXT NOT NULL,
         input              TEXT NOT NULL,
         output             TEXT NOT NULL,
         tool_calls         TEXT NOT NULL CHECK (json_valid(tool_calls)),
         prompt_tokens      INTEGER NOT NULL,
         completion_tokens  INTEGER NOT NULL,
         started_at         INTEGER NOT NULL,
         duration_us        INTEGER NOT NULL,
         model_us           INTEGER NOT NULL,
         tools_us           INTEGER NOT NULL,
         rounds             INTEGER NOT NULL,
         error_kind         TEXT,
         error              TEXT,
         record             TEXT NOT NULL CHECK (json_valid(record))
     ) STRICT;
     CREATE INDEX agent_runs_by_agent ON agent_runs (agent_id, started_at);",
    // 7: agent messaging (README "Messaging between agents", docs/wasm-abi.md "Messaging"). A message is stored before it is
    // delivered; `state` is where it is (pending until an agent handled it),
    // `parent_id` links each reply or follow-up to the message whose handling
    // produced it. Breakers live in agent_health so every process shares them.
    "CREATE TABLE conversations (
         id             TEXT PRIMARY KEY,
         initiator      TEXT NOT NULL,
         capability     TEXT,
         message_count  INTEGER NOT NULL DEFAULT 0,
         created_at     INTEGER NOT NULL,
         updated_at     INTEGER NOT NULL
     ) STRICT;
     CREATE INDEX conversations_by_update ON conversations (updated_at);
     CREATE TABLE messages (
         seq              INTEGER PRIMARY KEY AUTOINCREMENT,
         message_id       TEXT NOT NULL UNIQUE,
         performative     TEXT NOT NULL,
         sender           TEXT NOT NULL,
         receiver         TEXT,
         capability       TEXT,
         content          TEXT NOT NULL CHECK (json_valid(content)),
         conversation_id  TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
         reply_with       TEXT,
         in_reply_to      TEXT,
         created_at       INTEGER NOT NULL,
         parent_id        TEXT,
         depth            INTEGER NOT NULL,
         state            TEXT NOT NULL
                          CHECK (state IN ('pending', 'delivered', 'failed', 'refused', 'recorded')),
         attempts         INTEGER NOT NULL DEFAULT 0,
         error            TEXT,
         delivered_at     INTEGER
     ) STRICT;
     CREATE INDEX messages_by_conversation ON messages (conversation_id, seq);
     CREATE INDEX messages_by_parent ON messages (parent_id);
     CREATE INDEX messages_pending ON messages (seq) WHERE state = 'pending';
     CREATE TABLE agent_health (
         agent_id              TEXT PRIMARY KEY,
         consecutive_failures  INTEGER NOT NULL DEFAULT 0,
         opened_at             INTEGER,
         deliveries            INTEGER NOT NULL DEFAULT 0,
         failures              INTEGER NOT NULL DEFAULT 0,
         last_error            TEXT,
         updated_at            INTEGER NOT NULL
     ) STRICT;",
    // 8: WASM executions per agent and minute, so `agents metrics --last`
    // has a window: counts, sums, trap kinds and hdrhistogram (V2) latency
    // histograms that merge across minutes. Bounded: one row per agent and
    // active minute, pruned after `wasm::METRICS_RETENTION_MS`.
    "CREATE TABLE wasm_minutes (
         agent_id    TEXT NOT NULL,
         minute      INTEGER NOT NULL,
         executions  INTEGER NOT NULL,
         failures    INTEGER NOT NULL,
         fuel        INTEGER NOT NULL,
         cpu_us      INTEGER NOT NULL,
         wall_us     INTEGER NOT NULL,
         traps       TEXT NOT NULL CHECK (json_valid(traps)),
         wall_hist   BLOB NOT NULL,
         cpu_hist    BLOB NOT NULL,
         PRIMARY KEY (agent_id, minute)
     ) STRICT, WITHOUT ROWID;",
    // 9: Extism plug-ins' variables (`var_get`/`var_set`), per agent,
    // persisted across executions; their total size per agent is capped by
    // `agent::wasm::MAX_VAR_BYTES`.
    "CREATE TABLE wasm_vars (
         agent_id  TEXT NOT NULL,
         key       TEXT NOT NULL,
         value     BLOB NOT NULL,
         PRIMARY KEY (agent_id, key)
     ) STRICT, WITHOUT ROWID;",
    // 10: a message's trace context (W3C `traceparent`), written only when
    // traces are exported, so its delivery joins the sender's trace.
    "ALTER TABLE messages ADD COLUMN traceparent TEXT;",
    // 11: the conversation a config-agent run took part in (it handled a
    // message of it, or opened it by delegating), so `conversations show`
    // can put each run's tool calls under the message it handled.
    "ALTER TABLE agent_runs ADD COLUMN conversation_id TEXT;
     CREATE INDEX agent_runs_by_conversation ON agent_runs (conversation_id)
         WHERE conversation_id IS NOT NULL;",
    // 12: the full-text index is written once per transaction, not per
    // statement. SQLite opens a statement savepoint for every statement that
    // writes through a trigger, and FTS5 writes its pending index to disk at
    // each one, so a trigger writing memory_fts made every inserted row a
    // tiny index segment of its own (a third of the group-commit writer's
    // time under `perf`). The triggers now only note which FTS rows changed
    // (the FTS rowid: an observation's id, an entity's negated id);
    // `store::search_index::flush` re-derives those rows from the tables
    // with one statement just before every write transaction commits, so a
    // committed row is searchable at once and nothing is half-indexed.
    "CREATE TABLE memory_fts_pending (
         fts_rowid  INTEGER PRIMARY KEY,
         -- 1: the index may hold an old version of the row (it was deleted
         -- or renamed), to be removed first; 0: a new row.
         stale      INTEGER NOT NULL
     ) STRICT;
     DROP TRIGGER memory_entities_ai;
     DROP TRIGGER memory_entities_ad;
     DROP TRIGGER memory_entities_au;
     DROP TRIGGER memory_observations_ai;
     DROP TRIGGER memory_observations_ad;
     CREATE TRIGGER memory_entities_ai AFTER INSERT ON memory_entities BEGIN
         INSERT OR IGNORE INTO memory_fts_pending VALUES (-new.id, 0);
     END;
     CREATE TRIGGER memory_entities_ad AFTER DELETE ON memory_entities BEGIN
         INSERT OR REPLACE INTO memory_fts_pending VALUES (-old.id, 1);
     END;
     CREATE TRIGGER memory_entities_au AFTER UPDATE OF name, entity_type ON memory_entities BEGIN
         INSERT OR REPLACE INTO memory_fts_pending VALUES (-new.id, 1);
         INSERT OR REPLACE INTO memory_fts_pending
             SELECT id, 1 FROM memory_observations WHERE entity_id = new.id;
     END;
     CREATE TRIGGER memory_observations_ai AFTER INSERT ON memory_observations BEGIN
         INSERT OR IGNORE INTO memory_fts_pending VALUES (new.id, 0);
     END;
     CREATE TRIGGER memory_observations_ad AFTER DELETE ON memory_observations BEGIN
         INSERT OR REPLACE INTO memory_fts_pending VALUES (old.id, 1);
     END;",
];

/// The schema version a fully migrated database has.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_from_before_migration_12_stays_searchable_and_indexes_new_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("caxton.db");
        // A data dir written by the previous release: schema 11, its rows
        // indexed by the old triggers.
        let conn = Connection::open(&path).unwrap();
        for sql in &MIGRATIONS[..11] {
            conn.execute_batch(sql).unwrap();
        }
        conn.execute_batch(
            "PRAGMA user_version = 11;
             INSERT INTO memory_entities (id, name, entity_type, scope, created_by, created_at, updated_at)
             VALUES (1, 'heron', 'bird', 'global', 't', 0, 0);
             INSERT INTO memory_observations (entity_id, content, created_by, created_at)
             VALUES (1, 'waits by the river', 't', 0);",
        )
        .unwrap();
        drop(conn);
        let mut store = crate::store::Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), latest());
        store
            .write(|tx| {
                tx.execute_batch(
                    "INSERT INTO memory_observations (entity_id, content, created_by, created_at)
                     VALUES (1, 'fishes in the river', 't', 0);
                     UPDATE memory_entities SET name = 'egret' WHERE id = 1;",
                )
                .map_err(|e| crate::store::store_err(&path, e))
            })
            .unwrap();
        let hits = |q: &str| -> i64 {
            store
                .conn()
                .query_row(
                    "SELECT count(*) FROM memory_fts WHERE memory_fts MATCH ?1",
                    [q],
                    |r| r.get(0),
                )
                .unwrap()
        };
        assert_eq!(hits("river"), 2, "the old row and the new one");
        assert_eq!(hits("egret"), 3, "the rename reached every row");
        assert_eq!(hits("heron"), 0);
    }
}
