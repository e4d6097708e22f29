//! The PostgreSQL + pgvector memory backend (`[memory] backend = "postgres"`):
//! the same graph, scopes, hybrid search and embedding backlog as the
//! embedded store, on a server several daemons can share.
//!
//! Design:
//! - One table per concept, as in SQLite; an observation carries its vector
//!   (`vector(384)`, HNSW cosine index) and its full-text vector (a generated
//!   `tsvector`), so "not embedded yet" is `embedding IS NULL` and the
//!   backlog is claimed with `FOR UPDATE SKIP LOCKED`: daemons embedding at
//!   once never take the same row, and a crashed one releases its rows.
//! - The schema is versioned in `caxton_schema`; a newer version than this
//!   build knows is refused, never written to.
//! - Connections come from a small bounded pool (`pool_size`); a connection
//!   the server dropped is discarded and the next call reconnects, so a
//!   daemon recovers by itself when the server returns.
//! - The URL's password never appears in an error or log line: errors name
//!   the server by [`crate::config::redact_url`].

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::str::FromStr;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use pgvector::Vector;
use postgres::{Client, NoTls, Transaction};
use serde::Serialize;

use base64::Engine as _;

use super::embed::{self, DIMS, Embedder, MODEL_ID};
use super::graph::{ObservationAdd, ObservationDelete, ObservationsAdded, Remembered};
use super::search::{self, Hit, Options, Outcome};
use super::transfer::{
    self, Document, EntityRecord, EntityRef, ImportReport, ObservationRecord, RelationRecord,
};
use super::{Access, Entity, Graph, Relation};
use crate::clock::now_ms;
use crate::config::{PostgresConfig, redact_url};
use crate::error::{Error, Result};

/// The schema this build creates and understands.
pub const SCHEMA_VERSION: i32 = 1;
const BACKEND: &str = "PostgreSQL";
/// Observations embedded per claimed batch (and per transaction).
const EMBED_BATCH: i64 = 32;
/// Recorded searches kept for the latency percentiles.
const LOG_KEEP: i64 = 10_000;
/// The indexes a bulk import may drop and build again at its end (see
/// [`Postgres::import`]), by name: the full-text ones and the vector index,
/// with pgvector's defaults (m = 16, ef_construction = 64; see
/// docs/performance.md for the recall they give with `EF_SEARCH`).
const BULK_INDEXES: [(&str, &str); 3] = [
    (
        "memory_entities_tsv",
        "CREATE INDEX IF NOT EXISTS memory_entities_tsv ON memory_entities USING gin (tsv)",
    ),
    (
        "memory_observations_tsv",
        "CREATE INDEX IF NOT EXISTS memory_observations_tsv ON memory_observations USING gin (tsv)",
    ),
    (
        "memory_observations_hnsw",
        "CREATE INDEX IF NOT EXISTS memory_observations_hnsw ON memory_observations
         USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)",
    ),
];
/// The shortest HNSW candidate list a search uses (`hnsw.ef_search`); a
/// search wanting more rows uses that many.
const EF_SEARCH: i64 = 100;
/// The longest `hnsw.ef_search` pgvector accepts.
const EF_SEARCH_MAX: i64 = 1_000;
/// Vectors an import must bring into a table holding none for the HNSW
/// index to be dropped and built once at the end: inserting into the graph
/// one row at a time costs about a millisecond each on two cores; one bulk
/// build of 100,000 takes seconds.
const BULK_VECTORS: usize = 1_000;
/// Observations an import must bring into empty tables for the full-text
/// GIN indexes to be dropped and built once at the end: row by row, every
/// few megabytes of new entries are merged into the index again.
const BULK_ROWS: usize = 1_000;
/// Queries one pass of [`Postgres::exact_nearest`] scores (bounds the
/// statement and the row it returns per observation).
const EXACT_QUERIES: usize = 100;
/// Relations per insert statement of an import (bounds the arrays sent).
const RELATION_CHUNK: usize = 5_000;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS memory_entities (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT NOT NULL,
    entity_type  TEXT NOT NULL,
    scope        TEXT NOT NULL CHECK (scope IN ('agent', 'workspace', 'global')),
    scope_id     TEXT NOT NULL DEFAULT '',
    metadata     JSONB NOT NULL DEFAULT '{}',
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    tsv          TSVECTOR GENERATED ALWAYS AS (
                     setweight(to_tsvector('english', name), 'A')
                     || setweight(to_tsvector('english', entity_type), 'B')) STORED,
    UNIQUE (scope, scope_id, name)
);
CREATE INDEX IF NOT EXISTS memory_entities_by_name ON memory_entities (name);
CREATE TABLE IF NOT EXISTS memory_observations (
    id               BIGSERIAL PRIMARY KEY,
    entity_id        BIGINT NOT NULL REFERENCES memory_entities(id) ON DELETE CASCADE,
    content          TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    embedding        vector(384),
    embedding_model  TEXT,
    tsv              TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', content)) STORED
);
-- Observations can be longer than a btree entry: uniqueness is on a digest.
CREATE UNIQUE INDEX IF NOT EXISTS memory_observations_unique
    ON memory_observations (entity_id, md5(content));
CREATE INDEX IF NOT EXISTS memory_observations_pending
    ON memory_observations (id) WHERE embedding IS NULL;
CREATE TABLE IF NOT EXISTS memory_relations (
    id             BIGSERIAL PRIMARY KEY,
    from_id        BIGINT NOT NULL REFERENCES memory_entities(id) ON DELETE CASCADE,
    to_id          BIGINT NOT NULL REFERENCES memory_entities(id) ON DELETE CASCADE,
    relation_type  TEXT NOT NULL,
    strength       DOUBLE PRECISION NOT NULL DEFAULT 1.0,
    metadata       JSONB NOT NULL DEFAULT '{}',
    created_by     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    UNIQUE (from_id, to_id, relation_type)
);
CREATE INDEX IF NOT EXISTS memory_relations_to ON memory_relations (to_id);
CREATE TABLE IF NOT EXISTS memory_search_log (
    id           BIGSERIAL PRIMARY KEY,
    at           BIGINT NOT NULL,
    duration_us  BIGINT NOT NULL,
    mode         TEXT NOT NULL,
    results      INTEGER NOT NULL
);
";

/// SQL condition (on alias `e`) for entities `access` may see; binds $1..$3.
const VISIBLE: &str = "($1 OR e.scope = 'global' \
    OR (e.scope = 'workspace' AND e.scope_id = $2) \
    OR (e.scope = 'agent' AND e.scope_id = $3))";

/// Read a PostgreSQL connection file (`url`, `pool_size`,
/// `statement_timeout`, `connect_timeout`), YAML or TOML by extension.
pub fn load_config(path: &std::path::Path) -> Result<PostgresConfig> {
    super::external::load_connection_file(
        path,
        "expected keys: url, pool_size, statement_timeout, connect_timeout (e.g. url: postgres://caxton:PASSWORD@db:5432/caxton)",
    )
}

/// A PostgreSQL server holding the memory.
pub struct Postgres {
    config: postgres::Config,
    /// The URL with its password masked: what errors and status show.
    shown: String,
    pool: Pool,
    /// Set once the schema is known to be current (checked on first use).
    schema_checked: Mutex<bool>,
}

struct Pool {
    state: Mutex<PoolState>,
    freed: Condvar,
    max: usize,
    wait: Duration,
}

#[derive(Default)]
struct PoolState {
    idle: Vec<Client>,
    open: usize,
}

/// A pooled connection; it goes back to the pool when dropped, unless the
/// server closed it.
struct Conn<'a> {
    client: Option<Client>,
    pool: &'a Pool,
}

impl std::ops::Deref for Conn<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client.as_ref().expect("present until drop")
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().expect("present until drop")
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        let mut st = lock(&self.pool.state);
        match self.client.take() {
            Some(c) if !c.is_closed() => st.idle.push(c),
            _ => st.open = st.open.saturating_sub(1),
        }
        self.pool.freed.notify_one();
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// What a connection test found (`memory test-connection --backend postgres`).
#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    pub url: String,
    pub server_version: String,
    pub pgvector_version: Option<String>,
    pub latency_ms: f64,
    /// `None` when Caxton's schema is not created there yet.
    pub schema_version: Option<i32>,
    pub entities: Option<i64>,
    pub observations: Option<i64>,
}

/// Counts and search figures for `memory status` on PostgreSQL.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub server_version: String,
    pub db_bytes: u64,
    pub entities: i64,
    pub observations: i64,
    pub relations: i64,
    pub embedded: i64,
    pub pending: i64,
    pub searches: i64,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

impl Postgres {
    /// A backend for `cfg`; nothing connects until first use.
    pub fn new(cfg: &PostgresConfig) -> Result<Postgres> {
        let url = cfg.url.as_deref().unwrap_or("").trim();
        let shown = redact_url(url);
        if url.is_empty() {
            return Err(Error::Config {
                message: "memory.postgres.url is not set".into(),
                hint: "set url under [memory.postgres] (postgres://USER:PASSWORD@HOST:5432/DB) or export CAXTON_MEMORY_POSTGRES_URL".into(),
            });
        }
        let mut config = postgres::Config::from_str(url).map_err(|e| Error::Config {
            message: format!("memory.postgres.url {shown}: {e}"),
            hint: "write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE (or host=/socket/dir for a Unix socket)".into(),
        })?;
        config.connect_timeout(cfg.connect_timeout);
        config.application_name("caxton");
        config.options(&format!(
            "-c statement_timeout={}",
            cfg.statement_timeout.as_millis().max(1)
        ));
        Ok(Postgres {
            config,
            shown,
            pool: Pool {
                state: Mutex::new(PoolState::default()),
                freed: Condvar::new(),
                max: cfg.pool_size.max(1) as usize,
                wait: cfg.statement_timeout.max(cfg.connect_timeout),
            },
            schema_checked: Mutex::new(false),
        })
    }

    /// The server's URL with the password masked.
    pub fn url(&self) -> &str {
        &self.shown
    }

    fn fail(&self, e: &postgres::Error) -> Error {
        pg_error(&self.shown, e)
    }

    /// A connection from the pool, opening one when none is idle and the
    /// pool is not full; waits (bounded) for a free one otherwise.
    fn raw(&self) -> Result<Conn<'_>> {
        let deadline = Instant::now() + self.pool.wait;
        let mut st = lock(&self.pool.state);
        loop {
            while let Some(c) = st.idle.pop() {
                if c.is_closed() {
                    st.open = st.open.saturating_sub(1);
                    continue;
                }
                return Ok(Conn {
                    client: Some(c),
                    pool: &self.pool,
                });
            }
            if st.open < self.pool.max {
                st.open += 1;
                drop(st);
                return match self.config.connect(NoTls) {
                    Ok(c) => Ok(Conn {
                        client: Some(c),
                        pool: &self.pool,
                    }),
                    Err(e) => {
                        let mut st = lock(&self.pool.state);
                        st.open = st.open.saturating_sub(1);
                        self.pool.freed.notify_one();
                        Err(self.fail(&e))
                    }
                };
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::Backend {
                    backend: BACKEND,
                    url: self.shown.clone(),
                    message: format!(
                        "all {} pooled connections stayed busy for {} s",
                        self.pool.max,
                        self.pool.wait.as_secs()
                    ),
                    hint: "raise memory.postgres.pool_size, or look for long-running statements on the server".into(),
                });
            }
            st = self
                .pool
                .freed
                .wait_timeout(st, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// A connection to a database whose schema is current (created or
    /// migrated on first use; a newer one is refused).
    fn conn(&self) -> Result<Conn<'_>> {
        let mut c = self.raw()?;
        let mut checked = lock(&self.schema_checked);
        if !*checked {
            self.ensure_schema(&mut c)?;
            *checked = true;
        }
        Ok(c)
    }

    /// Create the schema, or check the one there. Serialised across daemons
    /// by an advisory lock, so two first starts do not race.
    fn ensure_schema(&self, c: &mut Client) -> Result<()> {
        let err = |e: postgres::Error| self.fail(&e);
        let mut tx = c.transaction().map_err(err)?;
        tx.execute("SELECT pg_advisory_xact_lock(7312046001)", &[])
            .map_err(err)?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS caxton_schema (
                 id INTEGER PRIMARY KEY CHECK (id = 1),
                 version INTEGER NOT NULL,
                 updated_at BIGINT NOT NULL)",
        )
        .map_err(err)?;
        let found: Option<i32> = tx
            .query_opt("SELECT version FROM caxton_schema WHERE id = 1", &[])
            .map_err(err)?
            .map(|r| r.get(0));
        match found {
            Some(v) if v > SCHEMA_VERSION => {
                return Err(Error::Backend {
                    backend: BACKEND,
                    url: self.shown.clone(),
                    message: format!(
                        "the memory schema there is version {v}, written by a newer Caxton; this build knows version {SCHEMA_VERSION} and will not touch it"
                    ),
                    hint: "upgrade this Caxton to the version the other daemons run".into(),
                });
            }
            Some(_) => {}
            None => {
                // pgvector must exist before the tables that use its type.
                tx.batch_execute("CREATE EXTENSION IF NOT EXISTS vector")
                    .map_err(|e| self.pgvector_missing(&e))?;
                tx.batch_execute(SCHEMA).map_err(err)?;
                for (_, create) in BULK_INDEXES {
                    tx.batch_execute(create).map_err(err)?;
                }
                tx.execute(
                    "INSERT INTO caxton_schema (id, version, updated_at) VALUES (1, $1, $2)",
                    &[&SCHEMA_VERSION, &now_ms()],
                )
                .map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }

    fn pgvector_missing(&self, e: &postgres::Error) -> Error {
        Error::Backend {
            backend: BACKEND,
            url: self.shown.clone(),
            message: format!(
                "the pgvector extension is not available: {}",
                db_message(e)
            ),
            hint: "install pgvector on the server (e.g. apt-get install postgresql-16-pgvector) or have an administrator run CREATE EXTENSION vector in this database".into(),
        }
    }

    /// Connect, report the server and what Caxton's schema holds there,
    /// without creating anything.
    pub fn probe(&self) -> Result<Probe> {
        let started = Instant::now();
        let mut c = self.raw()?;
        let err = |e: postgres::Error| self.fail(&e);
        let server_version: String = c.query_one("SHOW server_version", &[]).map_err(err)?.get(0);
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        let pgvector_version: Option<String> = c
            .query_opt(
                "SELECT coalesce(
                    (SELECT extversion FROM pg_extension WHERE extname = 'vector'),
                    (SELECT default_version || ' (available, not created)' FROM pg_available_extensions WHERE name = 'vector'))",
                &[],
            )
            .map_err(err)?
            .and_then(|r| r.get(0));
        let has_schema: bool = c
            .query_one("SELECT to_regclass('caxton_schema') IS NOT NULL", &[])
            .map_err(err)?
            .get(0);
        let (mut schema_version, mut entities, mut observations) = (None, None, None);
        if has_schema {
            schema_version = c
                .query_opt("SELECT version FROM caxton_schema WHERE id = 1", &[])
                .map_err(err)?
                .map(|r| r.get(0));
            if schema_version.is_some_and(|v| v <= SCHEMA_VERSION) {
                let r = c
                    .query_one(
                        "SELECT (SELECT count(*) FROM memory_entities), (SELECT count(*) FROM memory_observations)",
                        &[],
                    )
                    .map_err(err)?;
                entities = Some(r.get(0));
                observations = Some(r.get(1));
            }
        }
        Ok(Probe {
            url: self.shown.clone(),
            server_version,
            pgvector_version,
            latency_ms,
            schema_version,
            entities,
            observations,
        })
    }

    /// Whether the server answers now (health): `Err` says why not.
    pub fn ping(&self) -> std::result::Result<(), String> {
        self.conn()
            .and_then(|mut c| c.simple_query("SELECT 1").map_err(|e| self.fail(&e)))
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// A read-only transaction on one snapshot: everything it reads is the
    /// same moment's, whatever other daemons write meanwhile.
    fn snapshot<'c>(&self, c: &'c mut Client) -> Result<Transaction<'c>> {
        c.build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(|e| self.fail(&e))
    }

    fn write<T>(&self, f: impl FnOnce(&mut Transaction) -> Result<T>) -> Result<T> {
        let mut c = self.conn()?;
        let mut tx = c.transaction().map_err(|e| self.fail(&e))?;
        let out = f(&mut tx)?;
        tx.commit().map_err(|e| self.fail(&e))?;
        Ok(out)
    }

    // The MCP memory server's operations, each one transaction, with the
    // embedded store's semantics (graph.rs).

    pub fn create_entities(
        &self,
        access: &Access,
        entities: &[Entity],
        max_entities: Option<u64>,
    ) -> Result<Vec<Entity>> {
        for e in entities {
            super::graph::check_name("entity name", &e.name)?;
            super::graph::check_name("entityType", &e.entity_type)?;
        }
        let (scope, scope_id) = access.write_target();
        let creator = access.creator();
        let shown = &self.shown;
        self.write(|tx| {
            let sql = |e: postgres::Error| pg_error(shown, &e);
            if max_entities.is_some() {
                entity_count_lock(tx).map_err(sql)?;
            }
            let now = now_ms();
            let insert = tx
                .prepare(
                    "INSERT INTO memory_entities (name, entity_type, scope, scope_id, created_by, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $6)
                     ON CONFLICT (scope, scope_id, name) DO NOTHING RETURNING id",
                )
                .map_err(sql)?;
            let mut created = Vec::new();
            for e in entities {
                let Some(row) = tx
                    .query_opt(
                        &insert,
                        &[&e.name, &e.entity_type, &scope, &scope_id, &creator, &now],
                    )
                    .map_err(sql)?
                else {
                    continue;
                };
                let observations =
                    insert_observations(tx, row.get(0), &e.observations, &creator, now)
                        .map_err(sql)?;
                created.push(Entity {
                    name: e.name.clone(),
                    entity_type: e.entity_type.clone(),
                    observations,
                });
            }
            within_limit(tx, shown, created.len(), max_entities)?;
            Ok(created)
        })
    }

    pub fn remember(
        &self,
        access: &Access,
        entity: &Entity,
        max_entities: Option<u64>,
    ) -> Result<Remembered> {
        super::graph::check_name("entity name", &entity.name)?;
        super::graph::check_name("entityType", &entity.entity_type)?;
        let (scope, scope_id) = access.write_target();
        let creator = access.creator();
        let shown = &self.shown;
        self.write(|tx| {
            let sql = |e: postgres::Error| pg_error(shown, &e);
            let now = now_ms();
            let existing = tx
                .query_opt(
                    "UPDATE memory_entities SET updated_at = $4
                     WHERE scope = $1 AND scope_id = $2 AND name = $3 RETURNING id",
                    &[&scope, &scope_id, &entity.name, &now],
                )
                .map_err(sql)?;
            let (id, created) = match existing {
                Some(r) => (r.get::<_, i64>(0), false),
                None => {
                    if max_entities.is_some() {
                        entity_count_lock(tx).map_err(sql)?;
                    }
                    let row = tx
                        .query_one(
                            "INSERT INTO memory_entities (name, entity_type, scope, scope_id, created_by, created_at, updated_at)
                             VALUES ($1, $2, $3, $4, $5, $6, $6)
                             ON CONFLICT (scope, scope_id, name) DO UPDATE SET updated_at = EXCLUDED.updated_at
                             RETURNING id, (xmax = 0)",
                            &[&entity.name, &entity.entity_type, &scope, &scope_id, &creator, &now],
                        )
                        .map_err(sql)?;
                    let created: bool = row.get(1);
                    if created {
                        within_limit(tx, shown, 1, max_entities)?;
                    }
                    (row.get(0), created)
                }
            };
            let added = insert_observations(tx, id, &entity.observations, &creator, now)
                .map_err(sql)?;
            Ok(Remembered {
                entity: entity.name.clone(),
                created,
                added,
            })
        })
    }

    pub fn create_relations(
        &self,
        access: &Access,
        relations: &[Relation],
    ) -> Result<Vec<Relation>> {
        for r in relations {
            super::graph::check_name("relationType", &r.relation_type)?;
        }
        let creator = access.creator();
        let shown = &self.shown;
        self.write(|tx| {
            let sql = |e: postgres::Error| pg_error(shown, &e);
            let now = now_ms();
            let mut created = Vec::new();
            for r in relations {
                let from = require(tx, shown, access, &r.from)?;
                let to = require(tx, shown, access, &r.to)?;
                let n = tx
                    .execute(
                        "INSERT INTO memory_relations (from_id, to_id, relation_type, created_by, created_at)
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (from_id, to_id, relation_type) DO NOTHING",
                        &[&from, &to, &r.relation_type, &creator, &now],
                    )
                    .map_err(sql)?;
                if n > 0 {
                    created.push(r.clone());
                }
            }
            Ok(created)
        })
    }

    pub fn add_observations(
        &self,
        access: &Access,
        adds: &[ObservationAdd],
    ) -> Result<Vec<ObservationsAdded>> {
        let creator = access.creator();
        let shown = &self.shown;
        self.write(|tx| {
            let sql = |e: postgres::Error| pg_error(shown, &e);
            let now = now_ms();
            let mut out = Vec::new();
            for a in adds {
                let id = require(tx, shown, access, &a.entity_name)?;
                let added = insert_observations(tx, id, &a.contents, &creator, now).map_err(sql)?;
                tx.execute(
                    "UPDATE memory_entities SET updated_at = $1 WHERE id = $2",
                    &[&now, &id],
                )
                .map_err(sql)?;
                out.push(ObservationsAdded {
                    entity_name: a.entity_name.clone(),
                    added_observations: added,
                });
            }
            Ok(out)
        })
    }

    pub fn delete_entities(&self, access: &Access, names: &[String]) -> Result<usize> {
        let shown = &self.shown;
        self.write(|tx| {
            let mut n = 0;
            for name in names {
                if let Some(id) = entity_id(tx, access, name).map_err(|e| pg_error(shown, &e))? {
                    n += tx
                        .execute("DELETE FROM memory_entities WHERE id = $1", &[&id])
                        .map_err(|e| pg_error(shown, &e))? as usize;
                }
            }
            Ok(n)
        })
    }

    pub fn delete_observations(
        &self,
        access: &Access,
        dels: &[ObservationDelete],
    ) -> Result<usize> {
        let shown = &self.shown;
        self.write(|tx| {
            let sql = |e: postgres::Error| pg_error(shown, &e);
            let mut n = 0;
            for d in dels {
                let Some(id) = entity_id(tx, access, &d.entity_name).map_err(sql)? else {
                    continue;
                };
                n += tx
                    .execute(
                        "DELETE FROM memory_observations WHERE entity_id = $1 AND content = ANY($2)",
                        &[&id, &d.observations],
                    )
                    .map_err(sql)? as usize;
            }
            Ok(n)
        })
    }

    pub fn delete_relations(&self, access: &Access, relations: &[Relation]) -> Result<usize> {
        let shown = &self.shown;
        self.write(|tx| {
            let sql = |e: postgres::Error| pg_error(shown, &e);
            let mut n = 0;
            for r in relations {
                let (Some(from), Some(to)) = (
                    entity_id(tx, access, &r.from).map_err(sql)?,
                    entity_id(tx, access, &r.to).map_err(sql)?,
                ) else {
                    continue;
                };
                n += tx
                    .execute(
                        "DELETE FROM memory_relations WHERE from_id = $1 AND to_id = $2 AND relation_type = $3",
                        &[&from, &to, &r.relation_type],
                    )
                    .map_err(sql)? as usize;
            }
            Ok(n)
        })
    }

    /// The visible graph, or only the entities with the given ids.
    pub fn load_graph(&self, access: &Access, only: Option<&BTreeSet<i64>>) -> Result<Graph> {
        let mut c = self.conn()?;
        load_graph(&mut c, &self.shown, access, only)
    }

    pub fn ids_by_name(&self, access: &Access, names: &[String]) -> Result<BTreeSet<i64>> {
        let mut c = self.conn()?;
        let mut ids = BTreeSet::new();
        for n in names {
            if let Some(id) = entity_id(&mut *c, access, n).map_err(|e| self.fail(&e))? {
                ids.insert(id);
            }
        }
        Ok(ids)
    }

    pub fn neighbourhood(
        &self,
        access: &Access,
        name: &str,
        depth: usize,
        relation_types: &[String],
    ) -> Result<Graph> {
        let mut c = self.conn()?;
        let start = require(&mut *c, &self.shown, access, name)?;
        let types: Option<Vec<String>> =
            (!relation_types.is_empty()).then(|| relation_types.to_vec());
        let mut seen = BTreeSet::from([start]);
        let mut frontier = vec![start];
        let step = c
            .prepare(
                "SELECT to_id FROM memory_relations WHERE from_id = ANY($1)
                   AND ($2::text[] IS NULL OR relation_type = ANY($2))
                 UNION SELECT from_id FROM memory_relations WHERE to_id = ANY($1)
                   AND ($2::text[] IS NULL OR relation_type = ANY($2))",
            )
            .map_err(|e| self.fail(&e))?;
        for _ in 0..depth {
            let next: Vec<i64> = c
                .query(&step, &[&frontier, &types])
                .map_err(|e| self.fail(&e))?
                .into_iter()
                .map(|r| r.get::<_, i64>(0))
                .filter(|n| seen.insert(*n))
                .collect();
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        let mut graph = load_graph(&mut c, &self.shown, access, Some(&seen))?;
        if !relation_types.is_empty() {
            graph
                .relations
                .retain(|r| relation_types.contains(&r.relation_type));
        }
        Ok(graph)
    }

    /// Keyword search over names, types and observations (Postgres
    /// full-text), one hit per entity, the best scoring 1.
    pub fn keyword(&self, access: &Access, query: &str, opts: &Options) -> Result<Vec<Hit>> {
        let mut c = self.conn()?;
        keyword(&mut c, &self.shown, access, query, opts)
    }

    /// Hybrid search: pgvector cosine over embedded observations blended with
    /// full-text rank, as the embedded backend ranks (search.rs), recorded
    /// in the search log.
    pub fn search(
        &self,
        access: &Access,
        embedder: std::result::Result<&Embedder, String>,
        query: &str,
        opts: &Options,
    ) -> Result<Outcome> {
        let started = Instant::now();
        let mut c = self.conn()?;
        let fail = |e: postgres::Error| pg_error(&self.shown, &e);
        let pending: i64 = c
            .query_one(
                "SELECT count(*) FROM memory_observations WHERE embedding IS NULL",
                &[],
            )
            .map_err(fail)?
            .get(0);
        let pool = opts.limit.max(1) * 4;
        let keyword_hits = keyword(
            &mut c,
            &self.shown,
            access,
            query,
            &Options {
                limit: pool,
                ..opts.clone()
            },
        )?;
        let outcome = match embedder {
            Err(reason) => search::keyword_only(keyword_hits, reason, pending, opts.limit),
            Ok(embedder) => {
                let q = embedder.embed_query(query)?;
                let qv = Vector::from(q);
                let near = self.nearest(&mut c, access, &qv, opts, pool)?;
                // The cosine of every keyword hit (blend asks for those
                // outside the vector candidates) in one round trip, not one
                // per hit.
                let others: Vec<i64> = keyword_hits.iter().map(|h| h.entity_id).collect();
                let best: HashMap<i64, f32> = if others.is_empty() {
                    HashMap::new()
                } else {
                    c.query(
                        "SELECT entity_id, max(1 - (embedding <=> $2))::real FROM memory_observations
                         WHERE entity_id = ANY($1) AND embedding IS NOT NULL AND embedding_model = $3
                         GROUP BY entity_id",
                        &[&others, &qv, &MODEL_ID],
                    )
                    .map_err(fail)?
                    .iter()
                    .map(|r| (r.get(0), r.get(1)))
                    .collect()
                };
                let mut similarity =
                    |entity: i64| -> Result<Option<f32>> { Ok(best.get(&entity).copied()) };
                search::blend(
                    near,
                    keyword_hits,
                    &mut similarity,
                    opts.min_similarity,
                    pending,
                    opts.limit,
                )?
            }
        };
        let duration_us = started.elapsed().as_micros() as i64;
        // The log is telemetry: waiting for its commit to reach the disk
        // would add an fsync to every search.
        let mut tx = c.transaction().map_err(fail)?;
        tx.batch_execute("SET LOCAL synchronous_commit = off")
            .map_err(fail)?;
        tx.execute(
            "INSERT INTO memory_search_log (at, duration_us, mode, results) VALUES ($1, $2, $3, $4)",
            &[
                &now_ms(),
                &duration_us,
                &outcome.mode,
                &(outcome.results.len() as i32),
            ],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)?;
        if duration_us % 64 == 0 {
            // Trim now and then rather than on every search.
            c.execute(
                "DELETE FROM memory_search_log WHERE id <= (SELECT max(id) FROM memory_search_log) - $1",
                &[&LOG_KEEP],
            )
            .map_err(fail)?;
        }
        Ok(outcome)
    }

    /// The best observation per visible entity by cosine similarity (HNSW).
    fn nearest(
        &self,
        c: &mut Client,
        access: &Access,
        q: &Vector,
        opts: &Options,
        pool: usize,
    ) -> Result<Vec<search::Near>> {
        let (all, ws, agent) = super::graph::visible_params(access);
        let scope = opts.scope.map(super::scope_name);
        // Several observations of one entity can be near: fetch more rows
        // than entities wanted. Filters run inside the index scan
        // (pgvector's iterative scan keeps looking when they reject rows).
        let fetch = (pool * 4) as i64;
        let mut tx = c.transaction().map_err(|e| self.fail(&e))?;
        tx.batch_execute(&if opts.exact {
            // No index scan: the planner sorts every row by distance.
            "SET LOCAL enable_indexscan = off".to_string()
        } else {
            // A scan's candidate list is ef_search long: one shorter than
            // the rows wanted returns fewer and makes the iterative scan
            // search the graph again.
            format!(
                "SET LOCAL hnsw.iterative_scan = relaxed_order; SET LOCAL hnsw.ef_search = {}",
                fetch.clamp(EF_SEARCH, EF_SEARCH_MAX)
            )
        })
        .map_err(|e| self.fail(&e))?;
        let rows = tx
            .query(
                &format!(
                    "SELECT o.id, o.entity_id, e.name, e.entity_type, e.scope, o.content,
                            (1 - (o.embedding <=> $4))::real AS sim
                     FROM memory_observations o JOIN memory_entities e ON e.id = o.entity_id
                     WHERE o.embedding IS NOT NULL AND o.embedding_model = $5 AND {VISIBLE}
                       AND ($6::text IS NULL OR e.entity_type = $6) AND ($7::text IS NULL OR e.scope = $7)
                     ORDER BY o.embedding <=> $4 LIMIT $8"
                ),
                &[&all, &ws, &agent, q, &MODEL_ID, &opts.entity_type, &scope, &fetch],
            )
            .map_err(|e| self.fail(&e))?;
        tx.commit().map_err(|e| self.fail(&e))?;
        let mut seen = BTreeSet::new();
        let mut near = Vec::new();
        for r in rows {
            let entity_id: i64 = r.get(1);
            if !seen.insert(entity_id) {
                continue;
            }
            near.push(search::Near {
                entity_id,
                name: r.get(2),
                entity_type: r.get(3),
                scope: r.get(4),
                content: r.get(5),
                similarity: r.get(6),
            });
            if near.len() >= pool {
                break;
            }
        }
        // relaxed_order may return rows slightly out of order.
        near.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
        Ok(near)
    }

    /// For each of `queries`, the `k` entities nearest to it among all of
    /// them (an operator's view), by an exact scan: the server computes the
    /// cosine of every stored vector to every query (pgvector's `<=>`, as a
    /// search does) in one pass over the table per [`EXACT_QUERIES`]
    /// queries, not one per query (a pass reads every vector; one per query
    /// made a migration's 100 sample queries take most of a minute), and
    /// this side keeps each query's best observations. An entity's first
    /// row among them is its best, so the first `k` entities there are the
    /// answer; when the rows kept hold fewer, the pass is repeated keeping
    /// four times as many (bounded: once every row is kept, it is exact).
    pub fn exact_nearest(
        &self,
        queries: &[Vec<f32>],
        k: usize,
    ) -> Result<Vec<Vec<search::Nearest>>> {
        use postgres::fallible_iterator::FallibleIterator as _;
        let fail = |e: postgres::Error| pg_error(&self.shown, &e);
        let mut c = self.conn()?;
        let mut tx = self.snapshot(&mut c)?;
        // A pass reads the whole table, so it may run longer than the limit
        // set for ordinary queries.
        tx.batch_execute("SET LOCAL statement_timeout = 0")
            .map_err(fail)?;
        let mut found: Vec<Vec<(f32, i64)>> = Vec::with_capacity(queries.len());
        for chunk in queries.chunks(EXACT_QUERIES) {
            let cosines: Vec<String> = (0..chunk.len())
                .map(|i| format!("(1 - (embedding <=> ${}))::real", i + 2))
                .collect();
            let pass = tx
                .prepare(&format!(
                    "SELECT entity_id, ARRAY[{}] FROM memory_observations
                     WHERE embedding IS NOT NULL AND embedding_model = $1",
                    cosines.join(", ")
                ))
                .map_err(fail)?;
            let vectors: Vec<Vector> = chunk.iter().map(|q| Vector::from(q.clone())).collect();
            let mut params: Vec<&(dyn postgres::types::ToSql + Sync)> = vec![&MODEL_ID];
            params.extend(
                vectors
                    .iter()
                    .map(|v| v as &(dyn postgres::types::ToSql + Sync)),
            );
            let mut want = (4 * k).max(1);
            loop {
                let mut best: Vec<search::Best<i64>> =
                    chunk.iter().map(|_| search::Best::new(want)).collect();
                let mut rows = tx.query_raw(&pass, params.iter().copied()).map_err(fail)?;
                let mut seen = 0;
                while let Some(row) = rows.next().map_err(fail)? {
                    seen += 1;
                    let entity: i64 = row.get(0);
                    let sims: Vec<f32> = row.get(1);
                    for (b, &s) in best.iter_mut().zip(&sims) {
                        b.offer(s, || entity);
                    }
                }
                let firsts: Vec<Vec<(f32, i64)>> = best
                    .into_iter()
                    .map(|b| {
                        let mut entities = BTreeSet::new();
                        let mut rows = b.into_sorted();
                        rows.retain(|&(_, e)| entities.insert(e));
                        rows
                    })
                    .collect();
                if seen <= want || firsts.iter().all(|f| f.len() >= k) {
                    found.extend(firsts);
                    break;
                }
                want = want.saturating_mul(4);
            }
        }
        // The names of the entities found, in one query.
        let ids: Vec<i64> = found
            .iter()
            .flatten()
            .map(|&(_, e)| e)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let names: HashMap<i64, (String, String)> = tx
            .query(
                "SELECT id, name, scope FROM memory_entities WHERE id = ANY($1)",
                &[&ids],
            )
            .map_err(fail)?
            .iter()
            .map(|r| (r.get(0), (r.get(1), r.get(2))))
            .collect();
        tx.commit().map_err(fail)?;
        Ok(found
            .into_iter()
            .map(|f| {
                let near = f
                    .into_iter()
                    .filter_map(|(similarity, e)| {
                        let (name, scope) = names.get(&e)?.clone();
                        Some(search::Nearest {
                            name,
                            scope,
                            similarity,
                        })
                    })
                    .collect();
                search::rank_nearest(near, k)
            })
            .collect())
    }

    /// Observations still without a vector.
    pub fn backlog(&self) -> Result<i64> {
        Ok(self
            .conn()?
            .query_one(
                "SELECT count(*) FROM memory_observations WHERE embedding IS NULL",
                &[],
            )
            .map_err(|e| self.fail(&e))?
            .get(0))
    }

    /// Embed the backlog in batches. Each batch is claimed with `FOR UPDATE
    /// SKIP LOCKED` inside its transaction: another daemon embedding at the
    /// same time takes other rows, and a daemon that dies mid-batch leaves
    /// its rows to the next one. Bounded: stops when a batch comes back empty.
    pub fn embed_backlog(
        &self,
        embedder: &Embedder,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<usize> {
        let total = self.backlog()?.max(0) as usize;
        let mut c = self.conn()?;
        let mut done = 0;
        loop {
            let mut tx = c.transaction().map_err(|e| self.fail(&e))?;
            let rows = tx
                .query(
                    "SELECT id, content FROM memory_observations WHERE embedding IS NULL
                     ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
                    &[&EMBED_BATCH],
                )
                .map_err(|e| self.fail(&e))?;
            if rows.is_empty() {
                break;
            }
            let texts: Vec<String> = rows.iter().map(|r| r.get(1)).collect();
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let vectors = embedder.embed(&refs)?;
            let update = tx
                .prepare(
                    "UPDATE memory_observations SET embedding = $2, embedding_model = $3 WHERE id = $1",
                )
                .map_err(|e| self.fail(&e))?;
            for (r, v) in rows.iter().zip(vectors) {
                let id: i64 = r.get(0);
                tx.execute(&update, &[&id, &Vector::from(v), &MODEL_ID])
                    .map_err(|e| self.fail(&e))?;
            }
            tx.commit().map_err(|e| self.fail(&e))?;
            done += rows.len();
            progress(done, total.max(done));
        }
        Ok(done)
    }

    /// Counts and recorded search latencies for `memory status`.
    pub fn figures(&self) -> Result<Figures> {
        let mut c = self.conn()?;
        let r = c
            .query_one(
                "SELECT current_setting('server_version'),
                        pg_database_size(current_database()),
                        (SELECT count(*) FROM memory_entities),
                        (SELECT count(*) FROM memory_observations),
                        (SELECT count(*) FROM memory_relations),
                        (SELECT count(*) FROM memory_observations WHERE embedding IS NOT NULL),
                        (SELECT count(*) FROM memory_search_log),
                        (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_us) FROM memory_search_log),
                        (SELECT percentile_disc(0.99) WITHIN GROUP (ORDER BY duration_us) FROM memory_search_log)",
                &[],
            )
            .map_err(|e| self.fail(&e))?;
        let observations: i64 = r.get(3);
        let embedded: i64 = r.get(5);
        Ok(Figures {
            server_version: r.get(0),
            db_bytes: r.get::<_, i64>(1).max(0) as u64,
            entities: r.get(2),
            observations,
            relations: r.get(4),
            embedded,
            pending: observations - embedded,
            searches: r.get(6),
            p50_ms: r.get::<_, Option<i64>>(7).map(|us| us as f64 / 1000.0),
            p99_ms: r.get::<_, Option<i64>>(8).map(|us| us as f64 / 1000.0),
        })
    }

    /// Entities stored.
    pub fn entity_count(&self) -> Result<i64> {
        Ok(self
            .conn()?
            .query_one("SELECT count(*) FROM memory_entities", &[])
            .map_err(|e| self.fail(&e))?
            .get(0))
    }
    /// The whole memory as an export document, in the embedded store's
    /// order (byte order of scope, scope id, name: `COLLATE "C"`), vectors
    /// as the same little-endian f32 bytes.
    pub fn read_all(&self, embeddings: bool) -> Result<Document> {
        let mut c = self.conn()?;
        let fail = |e: postgres::Error| pg_error(&self.shown, &e);
        let mut tx = self.snapshot(&mut c)?;
        let mut index: HashMap<i64, usize> = HashMap::new();
        let mut entities = Vec::new();
        for r in tx
            .query(
                "SELECT id, name, entity_type, scope, scope_id, metadata::text, created_by, created_at, updated_at
                 FROM memory_entities
                 ORDER BY scope COLLATE \"C\", scope_id COLLATE \"C\", name COLLATE \"C\"",
                &[],
            )
            .map_err(fail)?
        {
            index.insert(r.get(0), entities.len());
            let metadata: String = r.get(5);
            entities.push(EntityRecord {
                name: r.get(1),
                entity_type: r.get(2),
                scope: r.get(3),
                scope_id: r.get(4),
                metadata: serde_json::from_str(&metadata).unwrap_or(serde_json::Value::Null),
                created_by: r.get(6),
                created_at: r.get(7),
                updated_at: r.get(8),
                observations: Vec::new(),
            });
        }
        for r in tx
            .query(
                "SELECT entity_id, content, created_by, created_at,
                        CASE WHEN embedding_model = $1 THEN embedding END
                 FROM memory_observations ORDER BY id",
                &[&MODEL_ID],
            )
            .map_err(fail)?
        {
            let Some(&i) = index.get(&r.get::<_, i64>(0)) else {
                continue;
            };
            let vector: Option<Vector> = r.get(4);
            entities[i].observations.push(ObservationRecord {
                content: r.get(1),
                created_by: r.get(2),
                created_at: r.get(3),
                embedding: vector.filter(|_| embeddings).map(|v| {
                    base64::engine::general_purpose::STANDARD.encode(embed::to_blob(v.as_slice()))
                }),
            });
        }
        let relations = tx
            .query(
                "SELECT f.name, f.scope, f.scope_id, t.name, t.scope, t.scope_id, r.relation_type,
                        r.strength, r.metadata::text, r.created_by, r.created_at
                 FROM memory_relations r JOIN memory_entities f ON f.id = r.from_id
                 JOIN memory_entities t ON t.id = r.to_id
                 ORDER BY f.scope COLLATE \"C\", f.scope_id COLLATE \"C\", f.name COLLATE \"C\",
                          t.scope COLLATE \"C\", t.scope_id COLLATE \"C\", t.name COLLATE \"C\",
                          r.relation_type COLLATE \"C\"",
                &[],
            )
            .map_err(fail)?
            .into_iter()
            .map(|r| {
                let metadata: String = r.get(8);
                RelationRecord {
                    from: EntityRef {
                        name: r.get(0),
                        scope: r.get(1),
                        scope_id: r.get(2),
                    },
                    to: EntityRef {
                        name: r.get(3),
                        scope: r.get(4),
                        scope_id: r.get(5),
                    },
                    relation_type: r.get(6),
                    strength: r.get(7),
                    metadata: serde_json::from_str(&metadata).unwrap_or(serde_json::Value::Null),
                    created_by: r.get(9),
                    created_at: r.get(10),
                }
            })
            .collect();
        tx.commit().map_err(fail)?;
        Ok(Document {
            format: transfer::FORMAT.into(),
            version: transfer::VERSION,
            entities,
            relations,
        })
    }

    /// Import a document, merging as the embedded import does: existing
    /// entities keep their row and gain missing observations, duplicates
    /// are skipped, a vector comes with its observation (same transaction).
    /// Committed every `batch` entities, so an interrupted import keeps what
    /// it committed and a rerun adds only the rest. `progress` gets (done,
    /// total) entities.
    ///
    /// A bulk load into empty tables drops the indexes that are cheaper to
    /// build once than to maintain row by row (HNSW, full-text) and builds
    /// them at the end: nothing is searchable there yet, so no search loses
    /// them. Every import ends by building whichever are missing, so one
    /// killed before its end leaves them to the rerun.
    pub fn import(
        &self,
        doc: &Document,
        batch: usize,
        max_entities: u64,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ImportReport> {
        self.room_for(doc, max_entities)?;
        let observations = doc.entities.iter().flat_map(|e| &e.observations);
        let vectors = observations
            .clone()
            .filter(|o| o.embedding.is_some())
            .count();
        let rows = observations.count();
        let (has_entities, has_vectors) = self.holds()?;
        let mut drop = Vec::new();
        if rows >= BULK_ROWS && !has_entities {
            drop.extend([BULK_INDEXES[0].0, BULK_INDEXES[1].0]);
        }
        if vectors >= BULK_VECTORS && !has_vectors {
            drop.push(BULK_INDEXES[2].0);
        }
        if !drop.is_empty() {
            self.conn()?
                .batch_execute(&format!("DROP INDEX IF EXISTS {}", drop.join(", ")))
                .map_err(|e| self.fail(&e))?;
        }
        let loaded = self.load(doc, batch, progress);
        // Also after a failed load, so what was committed is indexed.
        let built = self.build_indexes();
        let report = loaded?;
        built?;
        Ok(report)
    }

    /// Whether any entity is stored, and whether any observation has a
    /// vector.
    fn holds(&self) -> Result<(bool, bool)> {
        self.conn()?
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM memory_entities),
                        EXISTS (SELECT 1 FROM memory_observations WHERE embedding IS NOT NULL)",
                &[],
            )
            .map(|r| (r.get(0), r.get(1)))
            .map_err(|e| self.fail(&e))
    }

    /// Build the indexes a bulk import dropped, each in one pass (pgvector
    /// uses the parallel workers and memory it is given); nothing when they
    /// are all there (CREATE INDEX IF NOT EXISTS would still lock the table
    /// against writers first). A build is one statement that may run longer
    /// than `statement_timeout`, which bounds ordinary queries, so that
    /// limit is lifted for its transaction only.
    fn build_indexes(&self) -> Result<()> {
        let mut c = self.conn()?;
        let fail = |e: postgres::Error| pg_error(&self.shown, &e);
        let names: Vec<&str> = BULK_INDEXES.iter().map(|(name, _)| *name).collect();
        let present: BTreeSet<String> = c
            .query(
                "SELECT indexname::text FROM pg_indexes
                 WHERE schemaname = current_schema() AND indexname = ANY($1)",
                &[&names],
            )
            .map_err(fail)?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let missing: Vec<&str> = BULK_INDEXES
            .iter()
            .filter(|(name, _)| !present.contains(*name))
            .map(|(_, create)| *create)
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let mut tx = c.transaction().map_err(fail)?;
        tx.batch_execute(
            "SET LOCAL statement_timeout = 0; SET LOCAL maintenance_work_mem = '512MB'",
        )
        .map_err(fail)?;
        for create in missing {
            tx.batch_execute(create).map_err(fail)?;
        }
        tx.commit().map_err(fail)
    }

    /// Refuse a document whose new entities would pass `max_entities`,
    /// whole and before anything is written, as the embedded store does;
    /// entities it already holds (same scope, scope id and name) do not
    /// count. Another writer may add entities meanwhile; the batches are
    /// not held to the limit again (an import is an operator's action).
    fn room_for(&self, doc: &Document, max_entities: u64) -> Result<()> {
        let keys = transfer::entity_keys(doc);
        let mut c = self.conn()?;
        let stored: i64 = c
            .query_one("SELECT count(*) FROM memory_entities", &[])
            .map_err(|e| self.fail(&e))?
            .get(0);
        let stored = stored.max(0) as u64;
        // Fits even if every entity is new: no need to look them up.
        if stored.saturating_add(keys.len() as u64) <= max_entities {
            return Ok(());
        }
        let mut scopes = Vec::with_capacity(keys.len());
        let mut scope_ids = Vec::with_capacity(keys.len());
        let mut names = Vec::with_capacity(keys.len());
        for (scope, scope_id, name) in &keys {
            scopes.push(*scope);
            scope_ids.push(*scope_id);
            names.push(*name);
        }
        let existing: i64 = c
            .query_one(
                "SELECT count(*) FROM unnest($1::text[], $2::text[], $3::text[]) AS k(scope, scope_id, name)
                 WHERE EXISTS (SELECT 1 FROM memory_entities e
                               WHERE e.scope = k.scope AND e.scope_id = k.scope_id AND e.name = k.name)",
                &[&scopes, &scope_ids, &names],
            )
            .map_err(|e| self.fail(&e))?
            .get(0);
        let adding = (keys.len() as u64).saturating_sub(existing.max(0) as u64);
        transfer::fits(max_entities, stored, adding)
    }

    fn load(
        &self,
        doc: &Document,
        batch: usize,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ImportReport> {
        let mut report = ImportReport::default();
        let shown = &self.shown;
        let total = doc.entities.len();
        let mut done = 0;
        for chunk in doc.entities.chunks(batch.max(1)) {
            self.write(|tx| {
                let sql = |e: postgres::Error| pg_error(shown, &e);
                // Not waiting for each batch's WAL flush: see the relations'
                // transaction below, which makes them all durable.
                tx.batch_execute("SET LOCAL synchronous_commit = off")
                    .map_err(sql)?;
                // One statement per chunk for the entities and one for their
                // observations: a round trip per row caps the load at a few
                // thousand rows a second. The final SELECT's snapshot does
                // not see the rows `ins` adds, so `e` is what existed before.
                let entities = tx
                    .prepare(
                        "WITH input AS (
                             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                                                  $6::text[], $7::bigint[], $8::bigint[])
                                 WITH ORDINALITY AS i(name, entity_type, scope, scope_id, metadata, created_by,
                                                      created_at, updated_at, ord)),
                         ins AS (
                             INSERT INTO memory_entities (name, entity_type, scope, scope_id, metadata, created_by, created_at, updated_at)
                             SELECT name, entity_type, scope, scope_id, metadata::jsonb, created_by, created_at, updated_at
                             FROM input ORDER BY ord
                             ON CONFLICT (scope, scope_id, name) DO NOTHING
                             RETURNING id, scope, scope_id, name)
                         SELECT coalesce(ins.id, e.id), ins.id IS NOT NULL
                         FROM input
                         LEFT JOIN ins ON ins.scope = input.scope AND ins.scope_id = input.scope_id AND ins.name = input.name
                         LEFT JOIN memory_entities e
                                ON e.scope = input.scope AND e.scope_id = input.scope_id AND e.name = input.name
                         ORDER BY input.ord",
                    )
                    .map_err(sql)?;
                let observations = tx
                    .prepare(
                        "INSERT INTO memory_observations (entity_id, content, created_by, created_at, embedding, embedding_model)
                         SELECT o.entity_id, o.content, o.created_by, o.created_at, o.embedding,
                                CASE WHEN o.embedding IS NULL THEN NULL ELSE $6 END
                         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::vector[])
                              AS o(entity_id, content, created_by, created_at, embedding)
                         ON CONFLICT (entity_id, md5(content)) DO NOTHING
                         RETURNING embedding IS NOT NULL",
                    )
                    .map_err(sql)?;
                let metadata: Vec<String> = chunk.iter().map(|e| e.metadata.to_string()).collect();
                let column = |f: fn(&EntityRecord) -> &str| chunk.iter().map(f).collect::<Vec<_>>();
                let ids = tx
                    .query(
                        &entities,
                        &[
                            &column(|e| &e.name),
                            &column(|e| &e.entity_type),
                            &column(|e| &e.scope),
                            &column(|e| &e.scope_id),
                            &metadata,
                            &column(|e| &e.created_by),
                            &chunk.iter().map(|e| e.created_at).collect::<Vec<_>>(),
                            &chunk.iter().map(|e| e.updated_at).collect::<Vec<_>>(),
                        ],
                    )
                    .map_err(sql)?;
                let mut created_ids = BTreeSet::new();
                let mut rows = ObservationRows::default();
                for (e, row) in chunk.iter().zip(&ids) {
                    let (id, created): (Option<i64>, bool) = (row.get(0), row.get(1));
                    // Only a concurrent import of the same entity, not yet
                    // committed, leaves it without a row this snapshot sees.
                    let id = id.ok_or_else(|| Error::Usage {
                        message: format!(
                            "entity {:?} ({} {:?}) is being written by another import at the same time",
                            e.name, e.scope, e.scope_id
                        ),
                        hint: "run the import again when the other one has finished: what is already there is skipped".into(),
                    })?;
                    // The same entity twice in one chunk is created once.
                    report.entities += usize::from(created && created_ids.insert(id));
                    for o in &e.observations {
                        rows.entity_id.push(id);
                        rows.content.push(&o.content);
                        rows.created_by.push(&o.created_by);
                        rows.created_at.push(o.created_at);
                        rows.embedding.push(
                            o.embedding
                                .as_deref()
                                .map(|b64| decode_vector(&e.name, b64))
                                .transpose()?,
                        );
                    }
                }
                if !rows.entity_id.is_empty() {
                    for row in tx
                        .query(
                            &observations,
                            &[
                                &rows.entity_id,
                                &rows.content,
                                &rows.created_by,
                                &rows.created_at,
                                &rows.embedding,
                                &MODEL_ID,
                            ],
                        )
                        .map_err(sql)?
                    {
                        report.observations += 1;
                        report.embeddings += usize::from(row.get::<_, bool>(0));
                    }
                }
                Ok(())
            })?;
            done += chunk.len();
            progress(done, total);
        }
        // The relations in one transaction (they are small), a statement per
        // `RELATION_CHUNK`: their ends must all exist first, or nothing is added.
        // It commits as the server is set to (synchronously by default) and
        // takes a transaction id even when it adds nothing, so its commit
        // record is written and flushed, and with it every batch committed
        // before: a server crash may undo batches of an import still running
        // (a rerun adds them again), never those of one that returned.
        self.write(|tx| {
            let sql = |e: postgres::Error| pg_error(shown, &e);
            tx.execute("SELECT pg_current_xact_id()", &[]).map_err(sql)?;
            let missing = tx
                .prepare(
                    "SELECT n.name FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS n(scope, scope_id, name, ord)
                     WHERE NOT EXISTS (SELECT 1 FROM memory_entities e
                                       WHERE e.scope = n.scope AND e.scope_id = n.scope_id AND e.name = n.name)
                     ORDER BY n.ord LIMIT 1",
                )
                .map_err(sql)?;
            let insert = tx
                .prepare(
                    "INSERT INTO memory_relations (from_id, to_id, relation_type, strength, metadata, created_by, created_at)
                     SELECT f.id, t.id, r.relation_type, r.strength, r.metadata::jsonb, r.created_by, r.created_at
                     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                                 $7::text[], $8::float8[], $9::text[], $10::text[], $11::bigint[]) WITH ORDINALITY
                          AS r(from_scope, from_scope_id, from_name, to_scope, to_scope_id, to_name,
                               relation_type, strength, metadata, created_by, created_at, ord)
                     JOIN memory_entities f
                       ON f.scope = r.from_scope AND f.scope_id = r.from_scope_id AND f.name = r.from_name
                     JOIN memory_entities t
                       ON t.scope = r.to_scope AND t.scope_id = r.to_scope_id AND t.name = r.to_name
                     ORDER BY r.ord
                     ON CONFLICT (from_id, to_id, relation_type) DO NOTHING",
                )
                .map_err(sql)?;
            for chunk in doc.relations.chunks(RELATION_CHUNK) {
                // Both ends of each relation, in order, so the first missing
                // one is reported as a row-by-row insert would.
                let ends: Vec<&EntityRef> = chunk.iter().flat_map(|r| [&r.from, &r.to]).collect();
                let end = |f: fn(&EntityRef) -> &str| ends.iter().map(|e| f(e)).collect::<Vec<_>>();
                if let Some(row) = tx
                    .query_opt(&missing, &[&end(|e| &e.scope), &end(|e| &e.scope_id), &end(|e| &e.name)])
                    .map_err(sql)?
                {
                    return Err(Error::EntityNotFound { name: row.get(0) });
                }
                let col = |f: fn(&RelationRecord) -> &str| chunk.iter().map(f).collect::<Vec<_>>();
                let metadata: Vec<String> = chunk.iter().map(|r| r.metadata.to_string()).collect();
                report.relations += tx
                    .execute(
                        &insert,
                        &[
                            &col(|r| &r.from.scope),
                            &col(|r| &r.from.scope_id),
                            &col(|r| &r.from.name),
                            &col(|r| &r.to.scope),
                            &col(|r| &r.to.scope_id),
                            &col(|r| &r.to.name),
                            &col(|r| &r.relation_type),
                            &chunk.iter().map(|r| r.strength).collect::<Vec<_>>(),
                            &metadata,
                            &col(|r| &r.created_by),
                            &chunk.iter().map(|r| r.created_at).collect::<Vec<_>>(),
                        ],
                    )
                    .map_err(sql)? as usize;
            }
            Ok(())
        })?;
        Ok(report)
    }

    /// Delete every entity, observation and relation (a `migrate --replace`
    /// into this server). One statement, so all or nothing.
    pub fn clear(&self) -> Result<()> {
        self.conn()?
            .batch_execute("TRUNCATE memory_relations, memory_observations, memory_entities")
            .map_err(|e| self.fail(&e))
    }
}

/// A base64 little-endian f32 vector of the model's dimension.
/// One import chunk's observations, column by column (for `unnest`).
#[derive(Default)]
struct ObservationRows<'a> {
    entity_id: Vec<i64>,
    content: Vec<&'a str>,
    created_by: Vec<&'a str>,
    created_at: Vec<i64>,
    embedding: Vec<Option<Vector>>,
}

fn decode_vector(entity: &str, b64: &str) -> Result<Vector> {
    let bad = |why: String| Error::Usage {
        message: format!("entity {entity:?}: embedding {why}"),
        hint: "the input must be a `caxton memory export --embeddings` document".into(),
    };
    let blob = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|e| bad(format!("is not base64: {e}")))?;
    if blob.len() != DIMS * 4 {
        return Err(bad(format!(
            "has {} bytes, not {} ({DIMS} f32 values)",
            blob.len(),
            DIMS * 4
        )));
    }
    Ok(Vector::from(embed::from_blob(&blob)))
}
/// Serialise entity creation under `max_entities` across daemons: the
/// count checked at the end of the transaction must include every other
/// writer's committed entities (READ COMMITTED would otherwise let two
/// writers each see room for one more).
fn entity_count_lock(tx: &mut Transaction) -> std::result::Result<(), postgres::Error> {
    tx.execute("SELECT pg_advisory_xact_lock(7312046002)", &[])
        .map(|_| ())
}

fn within_limit(tx: &mut Transaction, shown: &str, created: usize, max: Option<u64>) -> Result<()> {
    let Some(max) = max.filter(|_| created > 0) else {
        return Ok(());
    };
    let total: i64 = tx
        .query_one("SELECT count(*) FROM memory_entities", &[])
        .map_err(|e| pg_error(shown, &e))?
        .get(0);
    let total = total.max(0) as u64;
    if total > max {
        return Err(Error::MemoryFull {
            max,
            stored: total - created as u64,
            adding: created as u64,
        });
    }
    Ok(())
}

fn insert_observations(
    tx: &mut Transaction,
    entity: i64,
    contents: &[String],
    creator: &str,
    now: i64,
) -> std::result::Result<Vec<String>, postgres::Error> {
    let stmt = tx.prepare(
        "INSERT INTO memory_observations (entity_id, content, created_by, created_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT (entity_id, md5(content)) DO NOTHING",
    )?;
    let mut added = Vec::new();
    for c in contents {
        if tx.execute(&stmt, &[&entity, c, &creator, &now])? > 0 {
            added.push(c.clone());
        }
    }
    Ok(added)
}

/// The id of the visible entity called `name`, preferring the writer's own
/// scope, then agent, workspace, global (as graph.rs does).
fn entity_id<C: postgres::GenericClient>(
    c: &mut C,
    access: &Access,
    name: &str,
) -> std::result::Result<Option<i64>, postgres::Error> {
    let (all, ws, agent) = super::graph::visible_params(access);
    let (scope, _) = access.write_target();
    Ok(c.query_opt(
        &format!(
            "SELECT e.id FROM memory_entities e WHERE e.name = $4 AND {VISIBLE}
             ORDER BY e.scope = $5 DESC,
                      CASE e.scope WHEN 'agent' THEN 0 WHEN 'workspace' THEN 1 ELSE 2 END
             LIMIT 1"
        ),
        &[&all, &ws, &agent, &name, &scope],
    )?
    .map(|r| r.get(0)))
}

fn require<C: postgres::GenericClient>(
    c: &mut C,
    shown: &str,
    access: &Access,
    name: &str,
) -> Result<i64> {
    entity_id(c, access, name)
        .map_err(|e| pg_error(shown, &e))?
        .ok_or_else(|| Error::EntityNotFound {
            name: name.to_string(),
        })
}

fn load_graph(
    c: &mut Client,
    shown: &str,
    access: &Access,
    only: Option<&BTreeSet<i64>>,
) -> Result<Graph> {
    let sql = |e: postgres::Error| pg_error(shown, &e);
    let (all, ws, agent) = super::graph::visible_params(access);
    let only: Option<Vec<i64>> = only.map(|s| s.iter().copied().collect());
    let rows = c
        .query(
            &format!(
                "SELECT e.id, e.name, e.entity_type FROM memory_entities e
                 WHERE {VISIBLE} AND ($4::bigint[] IS NULL OR e.id = ANY($4))
                 ORDER BY e.name, e.id"
            ),
            &[&all, &ws, &agent, &only],
        )
        .map_err(sql)?;
    let mut order = Vec::with_capacity(rows.len());
    let mut entities: HashMap<i64, Entity> = HashMap::with_capacity(rows.len());
    for r in rows {
        let id: i64 = r.get(0);
        order.push(id);
        entities.insert(
            id,
            Entity {
                name: r.get(1),
                entity_type: r.get(2),
                observations: Vec::new(),
            },
        );
    }
    let ids: Vec<i64> = order.clone();
    for r in c
        .query(
            "SELECT entity_id, content FROM memory_observations WHERE entity_id = ANY($1) ORDER BY id",
            &[&ids],
        )
        .map_err(sql)?
    {
        if let Some(e) = entities.get_mut(&r.get::<_, i64>(0)) {
            e.observations.push(r.get(1));
        }
    }
    // As the reference MCP memory server (and graph.rs): a selection brings
    // the relations with at least one endpoint in it, both ends visible.
    let from_visible = VISIBLE.replace("e.", "f.");
    let to_visible = VISIBLE.replace("e.", "t.");
    let relations = c
        .query(
            &format!(
                "SELECT f.name, t.name, r.relation_type FROM memory_relations r
             JOIN memory_entities f ON f.id = r.from_id JOIN memory_entities t ON t.id = r.to_id
             WHERE (r.from_id = ANY($4) OR r.to_id = ANY($4)) AND {from_visible} AND {to_visible}
             ORDER BY f.name, t.name, r.relation_type"
            ),
            &[&all, &ws, &agent, &ids],
        )
        .map_err(sql)?
        .into_iter()
        .map(|r| Relation {
            from: r.get(0),
            to: r.get(1),
            relation_type: r.get(2),
        })
        .collect();
    Ok(Graph {
        entities: order
            .into_iter()
            .filter_map(|id| entities.remove(&id))
            .collect(),
        relations,
    })
}

/// Full-text search, one hit per entity, the best normalised to 1. A name
/// match weighs 3x an observation match (as BM25's column weights do in
/// the embedded store).
fn keyword(
    c: &mut Client,
    shown: &str,
    access: &Access,
    query: &str,
    opts: &Options,
) -> Result<Vec<Hit>> {
    // The words, OR-ed: user input is never parsed as query syntax
    // (search::fts_query keeps only alphanumeric words).
    let words: Vec<&str> = query
        .split(|ch: char| !ch.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let q = words.join(" or ");
    let (all, ws, agent) = super::graph::visible_params(access);
    let scope = opts.scope.map(super::scope_name);
    let fetch = (opts.limit.max(1) * 8) as i64;
    let rows = c
        .query(
            &format!(
                "WITH q AS (SELECT websearch_to_tsquery('english', $4) AS q),
                 m AS (
                     SELECT e.id AS entity_id, '' AS content, 3 * ts_rank(e.tsv, q.q) AS rank
                     FROM memory_entities e, q WHERE e.tsv @@ q.q
                     UNION ALL
                     SELECT o.entity_id, o.content, ts_rank(o.tsv, q.q)
                     FROM memory_observations o, q WHERE o.tsv @@ q.q)
                 SELECT e.id, e.name, e.entity_type, e.scope, m.content, m.rank::float8
                 FROM m JOIN memory_entities e ON e.id = m.entity_id
                 WHERE {VISIBLE} AND ($5::text IS NULL OR e.entity_type = $5)
                   AND ($6::text IS NULL OR e.scope = $6)
                 ORDER BY m.rank DESC, e.name LIMIT $7"
            ),
            &[&all, &ws, &agent, &q, &opts.entity_type, &scope, &fetch],
        )
        .map_err(|e| pg_error(shown, &e))?;
    let mut seen = BTreeMap::new();
    let mut hits = Vec::new();
    let mut best = None;
    for r in rows {
        let id: i64 = r.get(0);
        if seen.insert(id, ()).is_some() {
            continue;
        }
        let rank: f64 = r.get(5);
        let best_rank = *best.get_or_insert(rank);
        hits.push(Hit {
            entity_id: id,
            name: r.get(1),
            entity_type: r.get(2),
            scope: r.get(3),
            score: if best_rank > 0.0 {
                rank / best_rank
            } else {
                1.0
            },
            matched: r.get(4),
            mode: "keyword",
        });
        if hits.len() >= opts.limit {
            break;
        }
    }
    Ok(hits)
}

/// The server's own message for a database error, else the client's.
fn db_message(e: &postgres::Error) -> String {
    e.as_db_error()
        .map(|d| d.message().to_string())
        .unwrap_or_else(|| e.to_string())
}

/// A client error as a typed backend error with a hint for its cause. The
/// URL shown is already redacted; the client's messages do not carry it.
pub fn pg_error(shown: &str, e: &postgres::Error) -> Error {
    use postgres::error::SqlState;
    let code = e.code();
    let (message, hint) = if code == Some(&SqlState::INVALID_PASSWORD)
        || code == Some(&SqlState::INVALID_AUTHORIZATION_SPECIFICATION)
    {
        (
            format!("authentication failed: {}", db_message(e)),
            "check the user and password in memory.postgres.url (or CAXTON_MEMORY_POSTGRES_URL)",
        )
    } else if code == Some(&SqlState::INVALID_CATALOG_NAME) {
        (
            db_message(e),
            "create the database first (createdb NAME) or fix its name in memory.postgres.url",
        )
    } else if code == Some(&SqlState::QUERY_CANCELED) {
        (
            format!("{} (memory.postgres.statement_timeout)", db_message(e)),
            "raise memory.postgres.statement_timeout, or look at the server's load",
        )
    } else if code == Some(&SqlState::UNDEFINED_OBJECT) && db_message(e).contains("vector") {
        (
            db_message(e),
            "install pgvector on the server and run CREATE EXTENSION vector",
        )
    } else if e.as_db_error().is_some() {
        (
            db_message(e),
            "the server refused the statement; see its log for details",
        )
    } else if e.is_closed() {
        (
            "the connection was closed by the server".to_string(),
            "check that PostgreSQL is running; Caxton reconnects on the next call",
        )
    } else {
        (
            format!("cannot connect: {e}"),
            "check that PostgreSQL is running and reachable at memory.postgres.url (pg_isready -d URL)",
        )
    };
    Error::Backend {
        backend: BACKEND,
        url: shown.to_string(),
        message,
        hint: hint.into(),
    }
}

// The schema's `vector(384)` is the model's dimension.
const _: () = assert!(DIMS == 384);
