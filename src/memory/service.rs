//! The memory service: the one object through which the CLI, the daemon and
//! the run loop reach memory. [`Caxton::memory`](crate::Caxton::memory)
//! holds it; adapters call it and only render what it returns.
//!
//! It owns what the three entry points used to rebuild each on their own:
//! the embedding model (loaded on first use), the vector index (kept in
//! memory and synced with the store per search), the search log (every
//! search is recorded), and the `memory.max_entities` limit (a batch that
//! would pass it is refused whole).
//!
//! Design:
//! - Where memory lives is private: [`Backend`] is the embedded SQLite store
//!   of the data directory or a PostgreSQL + pgvector server
//!   (`[memory] backend = "postgres"`, postgres.rs); callers do not change.
//!   The model is not part of a backend: every backend embeds with the same
//!   local model. An operation one backend cannot do is refused with
//!   [`Error::Unsupported`] and a hint, never silently done elsewhere.
//! - A model that is missing or fails to load never fails a search or a
//!   write, wherever it is called from: search runs on keywords and its
//!   outcome says why (`reason`); new observations stay in the embedding
//!   backlog and [`Memory::embed_pending`] says why. Only the commands that
//!   exist to embed require the model ([`Memory::model`]).
//! - A failed load is remembered for a second ([`RETRY_LOAD`]) by the
//!   paths that go on without the model (search, embedding after a write),
//!   then tried again, so installing the model fixes a running daemon
//!   without a restart. A daemon without a model takes thousands of writes
//!   a second, and probing the model's files (and wording why they are
//!   missing) on each was a cost per request for an answer that changes
//!   only when someone installs the model. The commands that require the
//!   model ([`Memory::model`]) always try again.
//! - A long-lived server can embed off the request path
//!   ([`Memory::embed_soon`]): one background thread per process drains the
//!   backlog after writes, so a write is acknowledged when it commits, not
//!   after the model has run. The backlog is in the store, so nothing is
//!   lost if the process stops first; keyword search finds the rows meanwhile.
//!   It yields to writes: it runs when they pause, and while they keep
//!   coming it still gets about half the time (see [`Pace`]).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use rusqlite::Transaction;
use serde::Serialize;

use super::embed::Embedder;
use super::external::Qdrant;
use super::graph::{self, ObservationAdd, ObservationDelete, ObservationsAdded, Remembered};
use super::index::{self, VectorIndex};
use super::postgres::Postgres;
use super::search::{self, Options, Outcome};
use super::transfer::{self, Document, ImportReport};
use super::{Access, Entity, Graph, Relation, status, vectors};
use crate::config::MemoryConfig;
use crate::error::{Error, Result};
use crate::paths::Paths;
use crate::store::Store;
use crate::store::group::GroupCommit;
use crate::store::pool::{Pooled, StorePool};

/// Connections a process keeps for memory operations other than search
/// and the grouped writes, and how long a caller waits for one.
const STORE_CONNECTIONS: usize = 4;
const STORE_WAIT: Duration = Duration::from_secs(5);
/// How long a failed model load stands for the paths that go on without
/// the model (see the module doc).
const RETRY_LOAD: Duration = Duration::from_secs(1);
/// The largest backlog a search embeds before it runs (about a second of
/// MiniLM on one core); see [`Memory::catch_up`].
const CATCH_UP_ROWS: i64 = 64;
/// How long no write must have arrived before the background embedder
/// starts, or goes on with its next batch: MiniLM runs on every core, and
/// beside it a client ingesting over MCP stdio took twice as long
/// (docs/performance.md, issue 19). A client sending its batches back to
/// back leaves milliseconds between them; one that pauses longer than this
/// is not ingesting.
const EMBED_QUIET: Duration = Duration::from_millis(200);
/// The longest the background embedder defers to writes at a stretch.
/// Embedding earns deferral back as it works (up to this much), so under
/// writes that never pause it still gets about half the time: slowed,
/// never starved.
const EMBED_MAX_DEFER: Duration = Duration::from_secs(5);

/// The memory of one data directory, shared by every caller in a process.
pub struct Memory {
    backend: Backend,
    models_dir: PathBuf,
    max_entities: u64,
    /// `memory.semantic_threshold`: agents' default minimum similarity.
    semantic_threshold: f32,
    embedder: Mutex<Option<Arc<Embedder>>>,
    /// Why the model did not load, and when that was found out.
    unavailable: Mutex<Option<(Instant, String)>>,
    /// The background embedder's wake-up call ([`Memory::embed_soon`]).
    background: Arc<Background>,
}

/// What the background embedder waits on.
struct Background {
    state: Mutex<Signals>,
    wake: std::sync::Condvar,
    started: std::sync::Once,
}

impl Default for Background {
    fn default() -> Background {
        Background {
            state: Mutex::default(),
            wake: std::sync::Condvar::new(),
            started: std::sync::Once::new(),
        }
    }
}

#[derive(Default)]
struct Signals {
    /// A write asked for embedding since the embedder last looked.
    asked: bool,
    /// The memory is gone: the embedder ends.
    closed: bool,
    /// When the last write was reported ([`Memory::embed_soon`]).
    last_write: Option<Instant>,
}

impl Drop for Memory {
    fn drop(&mut self) {
        // Ends the background embedder, which holds only a weak reference.
        lock(&self.background.state).closed = true;
        self.background.wake.notify_all();
    }
}

/// Where entities, observations, relations and vectors are kept.
enum Backend {
    /// The SQLite store in the data directory.
    Embedded(Embedded),
    /// A PostgreSQL server with pgvector, possibly shared by several daemons.
    Postgres(Postgres),
}

struct Embedded {
    db: PathBuf,
    cache_dir: PathBuf,
    /// Searches are serialised anyway (the index is synced under this lock),
    /// so they share one kept connection: a connection per search would pay
    /// SQLite's open and, when it is the last one, a WAL checkpoint on close.
    searcher: Mutex<Searcher>,
    /// Connections for everything else, kept for the process's life.
    pool: Arc<StorePool>,
    /// Entity and observation writes share transactions (group commit).
    writer: OnceLock<GroupCommit>,
    /// `backend = "qdrant"`: vector search is answered by this collection,
    /// kept in sync with the store before each search.
    qdrant: Option<Box<Qdrant>>,
}

impl Embedded {
    fn writer(&self) -> Result<&GroupCommit> {
        if let Some(w) = self.writer.get() {
            return Ok(w);
        }
        // Two first writers may both start one; the loser's thread ends
        // when its writer is dropped here.
        let w = GroupCommit::new(&self.db)?;
        Ok(self.writer.get_or_init(|| w))
    }
}

#[derive(Default)]
struct Searcher {
    store: Option<Store>,
    /// Boxed: the index's arrays are on the heap anyway, and its header
    /// would make the embedded backend far larger than the Postgres one.
    index: Option<Box<VectorIndex>>,
}

/// A write's result, and how many observations were still without a vector
/// once it committed.
#[derive(Debug)]
pub struct Written<T> {
    pub value: T,
    pub backlog: i64,
}

/// What [`Memory::embed_pending`] did.
#[derive(Debug, Clone, Serialize)]
pub struct Embedding {
    pub embedded: usize,
    /// Observations still without a vector.
    pub pending: i64,
    /// Why nothing was embedded (no model, or it failed to load).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A poisoned lock only means another caller panicked mid-use; the
    // guarded state (a cache) is rebuilt or re-synced from the store.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Memory {
    /// The memory of the data directory in `paths`, as `config` sets it up.
    /// Cheap: nothing is opened or loaded until first use.
    /// Fails only on a PostgreSQL URL that does not parse.
    pub fn new(paths: &Paths, config: &MemoryConfig) -> Result<Memory> {
        let mut m = Memory::embedded(paths, config);
        match config.backend.as_str() {
            "postgres" => m.backend = Backend::Postgres(Postgres::new(&config.postgres)?),
            "qdrant" => {
                if let Backend::Embedded(b) = &mut m.backend {
                    b.qdrant = Some(Box::new(Qdrant::new(&config.qdrant)?));
                }
            }
            _ => {}
        }
        Ok(m)
    }

    /// The embedded store of `paths`, whatever `config.backend` says (a run
    /// context built from parts, tests).
    pub fn embedded(paths: &Paths, config: &MemoryConfig) -> Memory {
        Memory {
            backend: Backend::Embedded(Embedded {
                db: paths.db(),
                cache_dir: paths.cache_dir(),
                searcher: Mutex::new(Searcher::default()),
                pool: StorePool::new(&paths.db(), STORE_CONNECTIONS, STORE_WAIT),
                writer: OnceLock::new(),
                qdrant: None,
            }),
            models_dir: paths.models_dir.clone(),
            max_entities: config.max_entities,
            semantic_threshold: config.semantic_threshold as f32,
            embedder: Mutex::new(None),
            unavailable: Mutex::new(None),
            background: Arc::default(),
        }
    }

    /// The backend actually serving: `embedded`, `qdrant` (the embedded
    /// store with vector search in Qdrant) or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match &self.backend {
            Backend::Embedded(b) if b.qdrant.is_some() => "qdrant",
            Backend::Embedded(_) => "embedded",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// The PostgreSQL backend, when it is the one serving.
    pub fn postgres(&self) -> Option<&Postgres> {
        match &self.backend {
            Backend::Postgres(p) => Some(p),
            Backend::Embedded(_) => None,
        }
    }

    /// For the commands that work on the embedded SQLite store's files
    /// (compaction, FTS rebuilds, the persisted vector index, search
    /// statistics): refused with a hint on another backend.
    pub fn require_embedded(&self, command: &str) -> Result<()> {
        match &self.backend {
            Backend::Embedded(_) => Ok(()),
            Backend::Postgres(_) => Err(self.unsupported(command)),
        }
    }

    fn unsupported(&self, command: &str) -> Error {
        let url = self.postgres().map(Postgres::url).unwrap_or_default();
        Error::Unsupported {
            message: format!(
                "`caxton memory {command}` works on the embedded store; this memory is served by PostgreSQL at {url}"
            ),
            hint: "use the server's own tools for it (VACUUM, REINDEX, pg_dump), or run it \
                   on the embedded store (`backend = \"embedded\"`)"
                .into(),
        }
    }

    /// Whether the backend answers now: `Err` says why not (health).
    pub fn ping(&self) -> std::result::Result<(), String> {
        match &self.backend {
            Backend::Embedded(b) => {
                Store::open(&b.db).map_err(|e| e.to_string())?;
                match &b.qdrant {
                    Some(q) => q.probe().map(|_| ()).map_err(|e| e.to_string()),
                    None => Ok(()),
                }
            }
            Backend::Postgres(p) => p.ping(),
        }
    }

    /// `memory.max_entities`: creating entities past it is refused.
    pub fn max_entities(&self) -> u64 {
        self.max_entities
    }

    /// `memory.semantic_threshold`: the minimum cosine similarity of the
    /// semantic hits an agent's memory context uses, unless the agent's
    /// `[memory] semantic_threshold` says otherwise.
    pub fn semantic_threshold(&self) -> f32 {
        self.semantic_threshold
    }

    /// Whether a search or write has loaded the embedding model.
    pub fn model_loaded(&self) -> bool {
        lock(&self.embedder).is_some()
    }

    /// The embedding model, loading it on first use. For the commands that
    /// exist to embed (reindex, recompute): for them a missing model is the
    /// error ([`Error::ModelMissing`], exit 4).
    pub fn model(&self) -> Result<Arc<Embedder>> {
        let mut slot = lock(&self.embedder);
        if let Some(e) = slot.as_ref() {
            return Ok(e.clone());
        }
        let e = Arc::new(Embedder::load(&self.models_dir)?);
        *slot = Some(e.clone());
        Ok(e)
    }

    /// Why the model did not load, when that was found out less than
    /// [`RETRY_LOAD`] ago.
    fn recent_failure(&self) -> Option<String> {
        match &*lock(&self.unavailable) {
            Some((at, reason)) if at.elapsed() < RETRY_LOAD => Some(reason.clone()),
            _ => None,
        }
    }

    /// The model, or why semantic search and embedding are unavailable.
    fn model_or_reason(&self) -> std::result::Result<Arc<Embedder>, String> {
        if let Some(reason) = self.recent_failure() {
            return Err(reason);
        }
        self.model().map_err(|e| {
            let reason = match e {
                Error::ModelMissing { dir } => format!(
                    "embedding model not found in {}; run scripts/fetch-models or set CAXTON_MODELS_DIR",
                    dir.display()
                ),
                other => format!(
                    "embedding model failed to load: {other}; reinstall it with scripts/fetch-models"
                ),
            };
            *lock(&self.unavailable) = Some((Instant::now(), reason.clone()));
            reason
        })
    }

    /// A pooled connection for one operation.
    fn store(&self) -> Result<Pooled> {
        match &self.backend {
            Backend::Embedded(b) => b.pool.get(),
            Backend::Postgres(_) => Err(self.unsupported("this command")),
        }
    }

    /// Hybrid search in what `access` sees (keyword-only, saying why, when
    /// the model is unavailable), recorded in the search log.
    pub fn search(&self, access: &Access, query: &str, opts: &Options) -> Result<Outcome> {
        let span = crate::trace::span!(
            "memory.search",
            mode = tracing::field::Empty,
            results = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            otel.status_description = tracing::field::Empty,
        );
        let found = span.in_scope(|| self.search_in(access, query, opts));
        match &found {
            Ok(f) => {
                span.record("mode", f.mode);
                span.record("results", f.results.len() as i64);
            }
            Err(e) => crate::trace::fail(&span, &e.to_string()),
        }
        found
    }

    fn search_in(&self, access: &Access, query: &str, opts: &Options) -> Result<Outcome> {
        let started = std::time::Instant::now();
        let embedder = self.model_or_reason();
        let b = match &self.backend {
            Backend::Postgres(p) => {
                return p.search(
                    access,
                    embedder.as_deref().map_err(Clone::clone),
                    query,
                    opts,
                );
            }
            Backend::Embedded(b) => b,
        };
        // The query is embedded before the searcher lock is taken: the model
        // is most of a search's time and runs on several threads at once;
        // only the index sync and lookup need the lock.
        let vector = match &embedder {
            Ok(e) => {
                self.catch_up(e)?;
                Ok(e.embed_query(query)?)
            }
            Err(reason) => Err(reason.clone()),
        };
        let (found, load) = {
            let mut guard = lock(&b.searcher);
            let Searcher { store, index } = &mut *guard;
            let store = match store {
                Some(s) => s,
                None => store.insert(Store::open(&b.db)?),
            };
            // One read transaction for the index sync and the search's few
            // dozen statements: one snapshot, and one WAL read lock instead of
            // one per statement; ended (nothing to undo) when dropped. Not
            // with Qdrant: its sync records how far it got on this connection.
            let _snapshot = match b.qdrant {
                None => Some(
                    store
                        .conn()
                        .unchecked_transaction()
                        .map_err(|e| crate::store::store_err(&b.db, e))?,
                ),
                Some(_) => None,
            };
            match (&vector, &b.qdrant) {
                (Ok(vector), Some(q)) => {
                    let q: &Qdrant = q;
                    // Qdrant unreachable: keyword results, saying why, as
                    // when the model is missing.
                    let semantic = q
                        .sync(store)
                        .map(|_| search::Semantic {
                            query: vector,
                            index: q,
                        })
                        .map_err(|e| e.to_string());
                    let found = match search::search(store, access, semantic, query, opts) {
                        Err(e @ Error::Backend { .. }) => {
                            search::search(store, access, Err(e.to_string()), query, opts)?
                        }
                        other => other?,
                    };
                    (found, None)
                }
                (Ok(vector), None) => {
                    let load = match index.as_mut() {
                        Some(ix) => ix.sync(store)?,
                        None => {
                            let (ix, load) = index::open_cached(store, &b.cache_dir)?;
                            *index = Some(Box::new(ix));
                            load
                        }
                    };
                    let semantic = index
                        .as_ref()
                        .map(|index| search::Semantic {
                            query: vector,
                            index: &**index,
                        })
                        .ok_or_else(|| "no vector index".to_string());
                    (
                        search::search(store, access, semantic, query, opts)?,
                        Some(load),
                    )
                }
                (Err(reason), _) => (
                    search::search(store, access, Err(reason.clone()), query, opts)?,
                    None,
                ),
            }
        };
        // Logged on a pooled connection after the lock is released: the
        // commit need not hold up the next search.
        status::record_search(
            &mut *self.store()?,
            &status::SearchRecord {
                query,
                duration: started.elapsed(),
                mode: found.mode,
                index_load: load,
                results: found.results.len(),
            },
        )?;
        Ok(found)
    }

    /// Read your writes by meaning in a server that embeds in the background
    /// ([`Memory::embed_soon`]): a small backlog (a client's last writes,
    /// which the background embedder may not have reached yet) is embedded
    /// before a search. A large one (a bulk import) is left to the background
    /// and found by keyword meanwhile, so no search waits long. Elsewhere a
    /// backlog is deliberate (`--no-embed`) and searches leave it alone.
    fn catch_up(&self, embedder: &Embedder) -> Result<()> {
        if !self.background.started.is_completed() {
            return Ok(());
        }
        let mut store = self.store()?;
        let pending = vectors::backlog(&store)?;
        if pending > 0 && pending <= CATCH_UP_ROWS && store.check_writable().is_ok() {
            vectors::embed_backlog(&mut store, embedder, &mut |_, _| {})?;
        }
        Ok(())
    }

    /// Embed every observation still waiting for a vector, committing in
    /// batches (`progress` gets done, total). Without a usable model nothing
    /// is embedded and the result says why; the rows stay pending and are
    /// found by keyword.
    pub fn embed_pending(&self, progress: &mut dyn FnMut(usize, usize)) -> Result<Embedding> {
        if let Backend::Postgres(p) = &self.backend {
            let pending = p.backlog()?;
            if pending == 0 {
                return Ok(Embedding {
                    embedded: 0,
                    pending,
                    reason: None,
                });
            }
            return Ok(match self.model_or_reason() {
                Ok(e) => Embedding {
                    embedded: p.embed_backlog(&e, progress)?,
                    pending: p.backlog()?,
                    reason: None,
                },
                Err(reason) => Embedding {
                    embedded: 0,
                    pending,
                    reason: Some(reason),
                },
            });
        }
        let mut store = self.store()?;
        let pending = vectors::backlog(&store)?;
        if pending == 0 {
            return Ok(Embedding {
                embedded: 0,
                pending,
                reason: None,
            });
        }
        match self.model_or_reason() {
            Ok(e) => {
                let embedded = vectors::embed_backlog(&mut store, &e, progress)?;
                Ok(Embedding {
                    embedded,
                    pending: vectors::backlog(&store)?,
                    reason: None,
                })
            }
            Err(reason) => Ok(Embedding {
                embedded: 0,
                pending,
                reason: Some(reason),
            }),
        }
    }

    /// What [`Memory::embed_pending`] would answer after a write that left
    /// `backlog` observations pending, when that is known without work:
    /// nothing is pending, or the model failed to load less than
    /// [`RETRY_LOAD`] ago. `None`: call `embed_pending` (on a thread that may
    /// block: it loads the model or embeds).
    pub fn embedding_known(&self, backlog: i64) -> Option<Embedding> {
        let reason = if backlog > 0 {
            Some(self.recent_failure()?)
        } else {
            None
        };
        Some(Embedding {
            embedded: 0,
            pending: backlog,
            reason,
        })
    }

    /// Embed the backlog soon, on this process's background embedder
    /// (started on first call), and return at once: for servers, whose
    /// writes are acknowledged when they commit; call it after every write.
    /// The embedder starts once writes pause ([`EMBED_QUIET`]), and between
    /// its batches waits again while they arrive, within a bound
    /// ([`EMBED_MAX_DEFER`]), so a client ingesting keeps the CPU. A failure
    /// is logged and the rows stay pending for the next call (or `memory
    /// embed`).
    pub fn embed_soon(self: &Arc<Self>) {
        let bg = self.background.clone();
        bg.started.call_once(|| {
            let memory = Arc::downgrade(self);
            let bg = bg.clone();
            let spawned = std::thread::Builder::new()
                .name("caxton-embed".into())
                .spawn(move || background_embedder(&memory, &bg));
            if let Err(e) = spawned {
                tracing::warn!(target: "caxton::memory", "cannot start the background embedder: {e}; new observations stay pending");
            }
        });
        let wake = {
            let mut s = lock(&bg.state);
            s.last_write = Some(Instant::now());
            // Woken only from its idle wait: a writer per batch waking it
            // while it defers would only make it look again, too soon.
            !std::mem::replace(&mut s.asked, true)
        };
        if wake {
            bg.wake.notify_one();
        }
    }

    /// Embed what a writer has just added (a run's summary, its
    /// `memory_store` calls), so the next recall finds it by meaning: on
    /// the background embedder when this process runs one (a server that
    /// serves MCP), else now when the backlog is small. A large backlog is
    /// deliberate (`--no-embed`, a bulk import) and left to `memory embed`.
    /// Failures are logged; the rows stay pending and are found by keyword.
    pub fn embed_written(self: &Arc<Self>) {
        if self.background.started.is_completed() {
            self.embed_soon();
            return;
        }
        let backlog = match &self.backend {
            Backend::Postgres(p) => p.backlog(),
            Backend::Embedded(_) => self.store().and_then(|s| vectors::backlog(&s)),
        };
        let done = match backlog {
            Ok(n) if n > 0 && n <= CATCH_UP_ROWS => self.embed_pending(&mut |_, _| {}).map(drop),
            Ok(_) => Ok(()),
            Err(e) => Err(e),
        };
        if let Err(e) = done {
            tracing::warn!(target: "caxton::memory", "new observations not embedded: {e}; they stay pending and are found by keyword");
        }
    }

    /// The vector index, synced with the store and saved to the cache (for
    /// `reindex`: its size and the checks run against it).
    pub fn index(&self) -> Result<VectorIndex> {
        match &self.backend {
            Backend::Embedded(b) => Ok(index::open_cached(&*self.store()?, &b.cache_dir)?.0),
            Backend::Postgres(_) => Err(self.unsupported("reindex")),
        }
    }

    /// Entities stored, as a percentage of `memory.max_entities`.
    pub fn usage_percent(&self) -> Result<f64> {
        match &self.backend {
            Backend::Embedded(_) => status::usage_percent(&*self.store()?, self.max_entities),
            Backend::Postgres(p) => {
                Ok(100.0 * p.entity_count()? as f64 / self.max_entities.max(1) as f64)
            }
        }
    }

    /// The whole memory as an export document (`memory export`, the source
    /// side of `memory migrate`).
    pub fn export(&self, embeddings: bool) -> Result<Document> {
        match &self.backend {
            Backend::Embedded(_) => transfer::read_all(&*self.store()?, embeddings),
            Backend::Postgres(p) => p.read_all(embeddings),
        }
    }

    /// Merge an export document in, committing every `batch` entities: an
    /// interrupted import keeps its committed batches and a rerun adds only
    /// the rest (`memory import`, the target side of `memory migrate`).
    pub fn import(
        &self,
        doc: &Document,
        batch: usize,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ImportReport> {
        match &self.backend {
            Backend::Embedded(_) => {
                // transfer::import commits its own batches of entities.
                let report = transfer::import(&mut *self.store()?, doc, self.max_entities)?;
                progress(doc.entities.len(), doc.entities.len());
                Ok(report)
            }
            Backend::Postgres(p) => p.import(doc, batch, self.max_entities, progress),
        }
    }

    /// Delete every entity, observation, relation and vector, in one
    /// transaction (`memory migrate --replace` into this backend).
    pub fn clear(&self) -> Result<()> {
        match &self.backend {
            Backend::Embedded(_) => {
                let mut store = self.store()?;
                let path = store.path().to_path_buf();
                store.write(|tx| {
                    tx.execute("DELETE FROM memory_entities", [])
                        .map(|_| ())
                        .map_err(|e| crate::store::store_err(&path, e))
                })
            }
            Backend::Postgres(p) => p.clear(),
        }
    }

    /// Health figures of the memory (`memory status`, `/api/v1/memory/status`).
    pub fn status(&self, quick_check: bool) -> Result<status::Status> {
        match &self.backend {
            Backend::Embedded(b) => {
                let mut s = status::status(
                    &*self.store()?,
                    &self.dirs(b),
                    self.max_entities,
                    quick_check,
                )?;
                s.backend = self.backend_name();
                Ok(s)
            }
            Backend::Postgres(p) => Ok(status::from_postgres(
                &p.figures()?,
                &self.models_dir,
                self.max_entities,
            )),
        }
    }

    /// The status with a full integrity check, where the space goes, and
    /// what to do next (`memory emergency-diagnosis`).
    pub fn diagnose(&self) -> Result<status::Diagnosis> {
        match &self.backend {
            Backend::Embedded(b) => {
                status::diagnose(&*self.store()?, &self.dirs(b), self.max_entities)
            }
            Backend::Postgres(_) => Err(self.unsupported("emergency-diagnosis")),
        }
    }

    fn dirs(&self, b: &Embedded) -> status::Dirs<'_> {
        status::Dirs {
            models: &self.models_dir,
            cache: b.cache_dir.clone(),
        }
    }

    // The MCP memory server's operations, each one transaction.

    /// New entities in the writer's scope; existing names are skipped.
    pub fn create_entities(&self, access: &Access, entities: &[Entity]) -> Result<Vec<Entity>> {
        match &self.backend {
            Backend::Postgres(p) => p.create_entities(access, entities, Some(self.max_entities)),
            Backend::Embedded(b) => {
                let (db, access, entities) = (b.db.clone(), access.clone(), entities.to_vec());
                let max = Some(self.max_entities);
                b.writer()?
                    .write(move |tx| graph::create_entities_in(tx, &db, &access, &entities, max))
            }
        }
    }

    /// [`Memory::create_entities`] for async callers (the daemon), with the
    /// embedding backlog once it committed.
    pub async fn create_entities_acked(
        self: &Arc<Self>,
        access: Access,
        entities: Vec<Entity>,
    ) -> Result<Written<Vec<Entity>>> {
        let max = self.max_entities;
        self.acked(
            access,
            entities,
            move |tx, db, access, entities| {
                graph::create_entities_in(tx, db, access, entities, Some(max))
            },
            move |p, access, entities| p.create_entities(access, entities, Some(max)),
        )
        .await
    }

    /// [`Memory::add_observations`] for async callers (the daemon), with the
    /// embedding backlog once it committed.
    pub async fn add_observations_acked(
        self: &Arc<Self>,
        access: Access,
        adds: Vec<ObservationAdd>,
    ) -> Result<Written<Vec<ObservationsAdded>>> {
        self.acked(
            access,
            adds,
            |tx, db, access, adds| graph::add_observations_in(tx, db, access, adds),
            |p, access, adds| p.add_observations(access, adds),
        )
        .await
    }

    /// A write of `input` for async callers. On the embedded store no thread
    /// waits for the commit: the group-commit writer runs `grouped` and
    /// answers the awaiting task itself ([`GroupCommit::submit`]), counting
    /// the backlog in the same transaction, so the reply needs no pooled
    /// connection or second query. (A blocking-pool thread per request,
    /// parked until the writer answered, then the backlog query on a pooled
    /// connection, were most of a REST write's cost outside SQLite.)
    /// PostgreSQL runs `blocking`, its blocking client, on the blocking pool.
    async fn acked<I, T>(
        self: &Arc<Self>,
        access: Access,
        input: I,
        grouped: impl Fn(&rusqlite::Connection, &std::path::Path, &Access, &I) -> Result<T>
        + Send
        + 'static,
        blocking: impl FnOnce(&Postgres, &Access, &I) -> Result<T> + Send + 'static,
    ) -> Result<Written<T>>
    where
        I: Send + 'static,
        T: Send + 'static,
    {
        match &self.backend {
            Backend::Embedded(b) => {
                let db = b.db.clone();
                b.writer()?
                    .submit(move |tx| {
                        let value = grouped(tx, &db, &access, &input)?;
                        let backlog =
                            vectors::backlog_in(tx).map_err(|e| crate::store::store_err(&db, e))?;
                        Ok(Written { value, backlog })
                    })?
                    .await
            }
            Backend::Postgres(_) => {
                let memory = self.clone();
                // The work stays inside the request's span (traces).
                let span = tracing::Span::current();
                tokio::task::spawn_blocking(move || {
                    span.in_scope(|| match &memory.backend {
                        Backend::Postgres(p) => Ok(Written {
                            value: blocking(p, &access, &input)?,
                            backlog: p.backlog()?,
                        }),
                        Backend::Embedded(_) => unreachable!("a memory's backend never changes"),
                    })
                })
                .await
                .map_err(|e| Error::Io {
                    action: "run",
                    path: "a daemon worker thread".into(),
                    source: std::io::Error::other(e.to_string()),
                })?
            }
        }
    }

    /// Creates the relations `access` may write; returns those created.
    pub fn create_relations(
        &self,
        access: &Access,
        relations: &[Relation],
    ) -> Result<Vec<Relation>> {
        match &self.backend {
            Backend::Postgres(p) => p.create_relations(access, relations),
            Backend::Embedded(_) => graph::create_relations(&mut *self.store()?, access, relations),
        }
    }

    /// Adds observations to existing entities; returns what was added.
    pub fn add_observations(
        &self,
        access: &Access,
        adds: &[ObservationAdd],
    ) -> Result<Vec<ObservationsAdded>> {
        match &self.backend {
            Backend::Postgres(p) => p.add_observations(access, adds),
            Backend::Embedded(b) => {
                let (db, access, adds) = (b.db.clone(), access.clone(), adds.to_vec());
                b.writer()?
                    .write(move |tx| graph::add_observations_in(tx, &db, &access, &adds))
            }
        }
    }

    /// Returns how many were deleted; unknown names are ignored.
    pub fn delete_entities(&self, access: &Access, names: &[String]) -> Result<usize> {
        match &self.backend {
            Backend::Postgres(p) => p.delete_entities(access, names),
            Backend::Embedded(_) => graph::delete_entities(&mut *self.store()?, access, names),
        }
    }

    /// Returns how many were deleted.
    pub fn delete_observations(
        &self,
        access: &Access,
        dels: &[ObservationDelete],
    ) -> Result<usize> {
        match &self.backend {
            Backend::Postgres(p) => p.delete_observations(access, dels),
            Backend::Embedded(_) => graph::delete_observations(&mut *self.store()?, access, dels),
        }
    }

    /// Returns how many were deleted.
    pub fn delete_relations(&self, access: &Access, relations: &[Relation]) -> Result<usize> {
        match &self.backend {
            Backend::Postgres(p) => p.delete_relations(access, relations),
            Backend::Embedded(_) => graph::delete_relations(&mut *self.store()?, access, relations),
        }
    }

    /// The whole graph `access` sees.
    pub fn read_graph(&self, access: &Access) -> Result<Graph> {
        match &self.backend {
            Backend::Postgres(p) => p.load_graph(access, None),
            Backend::Embedded(_) => graph::load_graph(&*self.store()?, access, None),
        }
    }

    /// For each of `queries` (unit vectors of the memory's model), the `k`
    /// entities nearest to it among all of them, by an exact scan that
    /// bypasses any approximate index.
    pub fn exact_nearest(
        &self,
        queries: &[Vec<f32>],
        k: usize,
    ) -> Result<Vec<Vec<search::Nearest>>> {
        match &self.backend {
            Backend::Postgres(p) => p.exact_nearest(queries, k),
            Backend::Embedded(_) => search::exact_nearest(&*self.store()?, queries, k),
        }
    }

    /// Entities matching `query` by keyword, as a graph.
    pub fn search_nodes(&self, access: &Access, query: &str) -> Result<Graph> {
        let opts = Options {
            limit: 1000,
            ..Default::default()
        };
        if let Backend::Postgres(p) = &self.backend {
            let names: Vec<String> = p
                .keyword(access, query, &opts)?
                .into_iter()
                .map(|h| h.name)
                .collect();
            return p.load_graph(access, Some(&p.ids_by_name(access, &names)?));
        }
        let store = self.store()?;
        let names: Vec<String> = search::keyword(&store, access, query, &opts)?
            .into_iter()
            .map(|h| h.name)
            .collect();
        let ids = graph::ids_by_name(&store, access, &names)?;
        graph::load_graph(&store, access, Some(&ids))
    }

    /// Keyword-only search (no model, not recorded): a WASM agent's
    /// `memory_search` host call.
    pub fn keyword(
        &self,
        access: &Access,
        query: &str,
        opts: &Options,
    ) -> Result<Vec<search::Hit>> {
        match &self.backend {
            Backend::Embedded(_) => search::keyword(&*self.store()?, access, query, opts),
            Backend::Postgres(p) => p.keyword(access, query, opts),
        }
    }

    /// The `limit` entities that best match `query` by meaning and keyword
    /// (the hybrid [`Memory::search`]), as a graph, best first: the MCP
    /// `search_nodes` tool, where the reference server matches substrings.
    pub fn search_graph(&self, access: &Access, query: &str, limit: usize) -> Result<Graph> {
        let opts = Options {
            limit,
            ..Default::default()
        };
        let hits = self.search(access, query, &opts)?.results;
        // By the hits' own ids: looking their names up again would cost a
        // query each and could pick a same-named entity of another scope.
        let ids: BTreeSet<i64> = hits.iter().map(|h| h.entity_id).collect();
        let names: Vec<String> = hits.into_iter().map(|h| h.name).collect();
        let mut g = match &self.backend {
            Backend::Postgres(p) => p.load_graph(access, Some(&ids))?,
            Backend::Embedded(_) => graph::load_graph(&*self.store()?, access, Some(&ids))?,
        };
        // load_graph orders by name; a search answers in order of relevance.
        let rank = |e: &Entity| {
            names
                .iter()
                .position(|n| *n == e.name)
                .unwrap_or(usize::MAX)
        };
        g.entities.sort_by_key(rank);
        Ok(g)
    }

    /// Entities by name, as a graph.
    pub fn open_nodes(&self, access: &Access, names: &[String]) -> Result<Graph> {
        if let Backend::Postgres(p) = &self.backend {
            return p.load_graph(access, Some(&p.ids_by_name(access, names)?));
        }
        let store = self.store()?;
        let ids = graph::ids_by_name(&store, access, names)?;
        graph::load_graph(&store, access, Some(&ids))
    }

    /// `name` and its neighbours up to `depth` relation hops.
    pub fn neighbourhood(
        &self,
        access: &Access,
        name: &str,
        depth: usize,
        relation_types: &[String],
    ) -> Result<Graph> {
        match &self.backend {
            Backend::Postgres(p) => p.neighbourhood(access, name, depth, relation_types),
            Backend::Embedded(_) => {
                graph::neighbourhood(&*self.store()?, access, name, depth, relation_types)
            }
        }
    }

    /// Add observations to an entity of the writer's scope, creating it when
    /// missing (the `memory_store` tool, a run's automatic summary).
    pub fn remember(&self, access: &Access, entity: &Entity) -> Result<Remembered> {
        match &self.backend {
            Backend::Postgres(p) => p.remember(access, entity, Some(self.max_entities)),
            Backend::Embedded(_) => {
                graph::remember(&mut *self.store()?, access, entity, Some(self.max_entities))
            }
        }
    }

    /// [`Memory::remember`] `entity`, then write what it was remembered for
    /// with `record`, which is told why remembering failed, if it did (e.g.
    /// memory is full: the record still commits, saying so). When memory is
    /// the database of `store` (embedded), both are one transaction, so a
    /// crash keeps both or neither; an external backend is another database,
    /// so there they are two writes, memory first.
    pub fn remember_then<T>(
        &self,
        access: &Access,
        entity: &Entity,
        store: &mut Store,
        record: impl FnOnce(&Transaction, Option<Error>) -> Result<T>,
    ) -> Result<T> {
        match &self.backend {
            Backend::Embedded(b) if b.db == store.path() => {
                let path = store.path().to_path_buf();
                store.write(|tx| {
                    let sql = |e| crate::store::store_err(&path, e);
                    // A savepoint, so a refused summary leaves nothing of
                    // itself and the record still commits.
                    tx.execute_batch("SAVEPOINT summary").map_err(sql)?;
                    let failed =
                        graph::remember_in(tx, &path, access, entity, Some(self.max_entities))
                            .err();
                    if failed.is_some() {
                        tx.execute_batch("ROLLBACK TO summary").map_err(sql)?;
                    }
                    tx.execute_batch("RELEASE summary").map_err(sql)?;
                    record(tx, failed)
                })
            }
            _ => {
                let failed = self.remember(access, entity).err();
                store.write(|tx| record(tx, failed))
            }
        }
    }
}

/// The background embedder's loop: wait to be asked, drain the backlog,
/// repeat, until the memory is dropped.
fn background_embedder(memory: &std::sync::Weak<Memory>, bg: &Background) {
    let mut pace = Pace::new(Instant::now());
    loop {
        {
            let mut state = lock(&bg.state);
            while !state.asked && !state.closed {
                state = bg.wake.wait(state).unwrap_or_else(|p| p.into_inner());
            }
            if state.closed {
                return;
            }
            state.asked = false;
        }
        // Before holding the memory, so dropping it is not held up.
        bg.yield_to_writes(&mut pace);
        let Some(memory) = memory.upgrade() else {
            return;
        };
        // Called after each committed batch: the next waits for a pause.
        match memory.embed_pending(&mut |_, _| bg.yield_to_writes(&mut pace)) {
            Ok(e) => {
                if let Some(reason) = e.reason {
                    tracing::debug!(target: "caxton::memory", pending = e.pending, "not embedding: {reason}");
                }
            }
            Err(e) => {
                tracing::warn!(target: "caxton::memory", "background embedding failed: {e}; the rows stay pending")
            }
        }
    }
}

impl Background {
    /// Wait while writes arrive ([`Pace::defer`]); returns at once when
    /// the memory is dropped.
    fn yield_to_writes(&self, pace: &mut Pace) {
        let mut state = lock(&self.state);
        loop {
            let wait = pace.defer(state.last_write, Instant::now());
            if wait.is_zero() || state.closed {
                return;
            }
            state = self
                .wake
                .wait_timeout(state, wait)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}

/// How the background embedder shares the CPU with writes: it defers while
/// they arrive, out of a credit that deferring spends and the rest of its
/// time (embedding, idling) earns back, up to [`EMBED_MAX_DEFER`].
#[derive(Debug)]
struct Pace {
    credit: Duration,
    /// Since the last [`Pace::defer`], and whether it said to wait (the
    /// time since then spends credit) or not (it earns).
    since: Instant,
    waiting: bool,
}

impl Pace {
    fn new(now: Instant) -> Pace {
        Pace {
            credit: EMBED_MAX_DEFER,
            since: now,
            waiting: false,
        }
    }

    /// How long to wait at `now` before embedding, the last write having
    /// been at `last_write`: until [`EMBED_QUIET`] has passed since it, for
    /// as long as the credit lasts. Zero: embed now. After waiting, ask
    /// again: a write may have come meanwhile.
    fn defer(&mut self, last_write: Option<Instant>, now: Instant) -> Duration {
        let elapsed = now.saturating_duration_since(self.since);
        self.credit = if self.waiting {
            self.credit.saturating_sub(elapsed)
        } else {
            (self.credit + elapsed).min(EMBED_MAX_DEFER)
        };
        self.since = now;
        let wait = last_write
            .map_or(Duration::ZERO, |t| {
                (t + EMBED_QUIET).saturating_duration_since(now)
            })
            .min(self.credit);
        self.waiting = !wait.is_zero();
        wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryScope;

    fn memory(max_entities: u64) -> (tempfile::TempDir, Memory) {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths {
            data_dir: dir.path().join("data"),
            agents_dir: dir.path().join("agents"),
            models_dir: dir.path().join("no-models"),
        };
        let config = MemoryConfig {
            max_entities,
            ..MemoryConfig::default()
        };
        let m = Memory::embedded(&paths, &config);
        (dir, m)
    }

    fn entity(name: &str) -> Entity {
        Entity {
            name: name.into(),
            entity_type: "note".into(),
            observations: vec![format!("{name} is remembered")],
        }
    }

    #[test]
    fn a_batch_past_max_entities_is_refused_whole() {
        let (_dir, m) = memory(2);
        let who = Access::operator(MemoryScope::Global, None, None);
        m.create_entities(&who, &[entity("a")]).unwrap();
        let err = m
            .create_entities(&who, &[entity("b"), entity("c")])
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::MemoryFull {
                    max: 2,
                    stored: 1,
                    adding: 2
                }
            ),
            "{err:?}"
        );
        assert_eq!(m.read_graph(&who).unwrap().entities.len(), 1);
        // Existing names are not new entities; one more still fits.
        assert_eq!(
            m.create_entities(&who, &[entity("a"), entity("b")])
                .unwrap()
                .len(),
            1
        );
        let err = m.remember(&who, &entity("c")).unwrap_err();
        assert!(matches!(err, Error::MemoryFull { .. }), "{err:?}");
        // Adding to an entity that exists needs no room.
        assert!(!m.remember(&who, &entity("a")).unwrap().created);
    }

    /// The limit counts entities, not ids: with deletes leaving gaps in the
    /// ids (so their span passes the limit), entities up to the limit still
    /// fit, and one more is refused.
    #[test]
    fn max_entities_counts_entities_when_deletes_leave_gaps_in_the_ids() {
        let (_dir, m) = memory(3);
        let who = Access::operator(MemoryScope::Global, None, None);
        let names = |ns: &[&str]| ns.iter().map(|n| entity(n)).collect::<Vec<_>>();
        m.create_entities(&who, &names(&["a", "b", "c"])).unwrap();
        m.delete_entities(&who, &["b".into()]).unwrap();
        // Ids 1, 3 and 4 then: a span of 4, past the limit, for 3 entities.
        assert_eq!(m.create_entities(&who, &names(&["d"])).unwrap().len(), 1);
        let err = m.create_entities(&who, &names(&["e"])).unwrap_err();
        assert!(
            matches!(
                err,
                Error::MemoryFull {
                    max: 3,
                    stored: 3,
                    adding: 1
                }
            ),
            "{err:?}"
        );
    }

    /// A run's record and its summary commit together: a summary memory
    /// refuses (full) leaves nothing and the record still commits knowing
    /// why; a record that fails takes the summary back with it.
    #[test]
    fn the_summary_and_the_record_are_one_transaction() {
        let (dir, m) = memory(1);
        let who = Access::operator(MemoryScope::Global, None, None);
        let mut store = Store::open(&dir.path().join("data").join("caxton.db")).unwrap();
        let note = |tx: &Transaction, what: &str| {
            tx.execute("INSERT INTO kv (key, value) VALUES (?1, 'x')", [what])
                .map_err(|e| crate::store::store_err(std::path::Path::new("t"), e))
        };
        store
            .write(|tx| {
                tx.execute_batch("CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT)")
                    .map_err(|e| crate::store::store_err(std::path::Path::new("t"), e))
            })
            .unwrap();
        let seen = m
            .remember_then(&who, &entity("a"), &mut store, |tx, failed| {
                note(tx, "first")?;
                Ok(failed.map(|e| e.to_string()))
            })
            .unwrap();
        assert_eq!(seen, None);
        let seen = m
            .remember_then(&who, &entity("b"), &mut store, |tx, failed| {
                note(tx, "second")?;
                Ok(failed.map(|e| e.to_string()))
            })
            .unwrap();
        assert!(seen.unwrap().contains("memory is full"));
        // A failing record: "a" gains no observation, "third" is not kept.
        let more = Entity {
            observations: vec!["a changed".into()],
            ..entity("a")
        };
        m.remember_then(&who, &more, &mut store, |tx, _| {
            note(tx, "third")?;
            note(tx, "third").map(|_| ())
        })
        .unwrap_err();
        let names: Vec<String> = m
            .read_graph(&who)
            .unwrap()
            .entities
            .into_iter()
            .flat_map(|e| e.observations)
            .collect();
        assert_eq!(names, ["a is remembered"]);
        let keys: Vec<String> = store
            .conn()
            .prepare("SELECT key FROM kv ORDER BY key")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(keys, ["first", "second"]);
    }

    #[test]
    fn without_a_model_search_says_why_and_is_recorded() {
        let (_dir, m) = memory(10);
        let who = Access::operator(MemoryScope::Global, None, None);
        m.create_entities(&who, &[entity("cats")]).unwrap();
        let e = m.embed_pending(&mut |_, _| {}).unwrap();
        assert_eq!((e.embedded, e.pending), (0, 1));
        assert!(e.reason.unwrap().contains("not found"));
        let found = m
            .search(
                &who,
                "cats",
                &Options {
                    limit: 5,
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(found.mode, "keyword");
        assert!(found.reason.unwrap().contains("scripts/fetch-models"));
        let store = m.store().unwrap();
        assert_eq!(status::last_search_id(&store).unwrap(), 1);
    }

    /// The models directory holding the installed model, or `None` (skip
    /// the test) unless CAXTON_REQUIRE_MODEL=1.
    fn installed_models() -> Option<PathBuf> {
        let installed = std::env::var_os("CAXTON_MODELS_DIR")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .map(|h| PathBuf::from(h).join(".local/share/caxton/models"))
            })
            .filter(|d| super::super::embed::missing_files(d).is_empty());
        if installed.is_none() {
            assert!(
                !std::env::var("CAXTON_REQUIRE_MODEL").is_ok_and(|v| v == "1"),
                "CAXTON_REQUIRE_MODEL=1 but the model is not installed"
            );
            eprintln!("note: skipping model test: no installed model");
        }
        installed
    }

    /// How long [`Pace`] has the embedder wait, from `from` (ms after
    /// `t0`), while a write comes every 100 ms, until it says to embed;
    /// returns when that was.
    fn deferred_under_writes(pace: &mut Pace, t0: Instant, from: u64) -> u64 {
        let mut now = from;
        while !pace
            .defer(
                Some(t0 + Duration::from_millis(now - now % 100)),
                t0 + Duration::from_millis(now),
            )
            .is_zero()
        {
            now += 10;
            assert!(now < from + 60_000, "deferred for a minute");
        }
        now
    }

    #[test]
    fn the_background_embedder_defers_to_writes_within_a_bound_it_earns_back() {
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        let mut pace = Pace::new(t0);
        // Nothing written: embed now.
        assert_eq!(pace.defer(None, at(0)), Duration::ZERO);
        // A write 50 ms ago: wait until writes have paused for EMBED_QUIET.
        assert_eq!(pace.defer(Some(at(0)), at(50)), Duration::from_millis(150));
        assert_eq!(pace.defer(Some(at(0)), at(200)), Duration::ZERO);
        // Writes that never pause: it waits EMBED_MAX_DEFER, then embeds.
        assert_eq!(deferred_under_writes(&mut pace, t0, 1_000), 6_000);
        // Having embedded for a second, it waits at most a second.
        assert_eq!(deferred_under_writes(&mut pace, t0, 7_000), 8_000);
        // A pause in the writes: it embeds at once, spending nothing.
        assert_eq!(pace.defer(Some(at(8_000)), at(8_300)), Duration::ZERO);
        // Embedding for a minute earns no more than EMBED_MAX_DEFER.
        assert_eq!(deferred_under_writes(&mut pace, t0, 70_000), 75_000);
    }

    /// Writes that never pause slow the background embedder but do not
    /// starve it. Needs the installed model (skipped without it unless
    /// CAXTON_REQUIRE_MODEL=1).
    #[test]
    fn background_embedding_finishes_while_writes_never_pause() {
        let Some(installed) = installed_models() else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths {
            data_dir: dir.path().join("data"),
            agents_dir: dir.path().join("agents"),
            models_dir: installed,
        };
        let m = Arc::new(Memory::embedded(&paths, &MemoryConfig::default()));
        let who = Access::operator(MemoryScope::Global, None, None);
        m.create_entities(&who, &[entity("a"), entity("b")])
            .unwrap();
        let knows = Relation {
            from: "a".into(),
            to: "b".into(),
            relation_type: "knows".into(),
        };
        // Far past EMBED_MAX_DEFER plus the model's load and run.
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut writes = 0u64;
        // A write, told to the embedder as `caxton mcp serve` does, then
        // the next at once: the relation is created once, then skipped.
        loop {
            m.create_relations(&who, std::slice::from_ref(&knows))
                .unwrap();
            m.embed_soon();
            writes += 1;
            if vectors::backlog(&m.store().unwrap()).unwrap() == 0 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "not embedded after {writes} writes that never paused"
            );
        }
        assert_eq!(
            m.open_nodes(&who, &["a".into()]).unwrap().relations.len(),
            1
        );
    }

    /// A model installed under a running process is used without a
    /// restart, although the failed load before it is remembered for a
    /// while ([`RETRY_LOAD`]). Needs the installed model (skipped without
    /// it unless CAXTON_REQUIRE_MODEL=1).
    #[test]
    fn a_model_installed_after_a_failed_load_is_used_without_a_restart() {
        let Some(installed) = installed_models() else {
            return;
        };
        let (dir, m) = memory(10);
        let who = Access::operator(MemoryScope::Global, None, None);
        m.create_entities(&who, &[entity("cats")]).unwrap();
        let e = m.embed_pending(&mut |_, _| {}).unwrap();
        assert!(e.reason.unwrap().contains("not found"));
        // Installed now: `models_dir` of `memory()` is `<dir>/no-models`.
        std::fs::create_dir_all(dir.path().join("no-models")).unwrap();
        std::os::unix::fs::symlink(
            super::super::embed::model_dir(&installed),
            super::super::embed::model_dir(&dir.path().join("no-models")),
        )
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let e = m.embed_pending(&mut |_, _| {}).unwrap();
            if e.embedded == 1 {
                assert_eq!((e.pending, e.reason), (0, None));
                break;
            }
            assert!(Instant::now() < deadline, "the model was never used: {e:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(m.model_loaded());
    }
}
