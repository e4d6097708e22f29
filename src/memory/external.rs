//! Moving the memory to an external vector database, for a deployment that
//! outgrows the embedded store (runbook "Memory Migration Planning"). Qdrant
//! is the supported target: its REST API takes points of `{id, vector,
//! payload}`, which is what an embedded observation is. Relations stay in
//! the SQLite store (Qdrant has no graph); the payload carries the entity.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::{Value, json};

use super::embed::{self, DIMS, MODEL_ID};
use super::index::{self, Group, Near};
use super::search;
use super::vectors;
use crate::config::QdrantConfig;
use crate::error::{Error, Result};
use crate::store::{Store, store_err};

/// Points per upsert request: ~600 KB of JSON, well under Qdrant's 32 MB
/// default request limit and small enough to retry cheaply.
const BATCH: usize = 256;
const BACKEND: &str = "Qdrant";

/// Read a Qdrant connection file (`url`, `api_key`, `collection`,
/// `timeout`), YAML or TOML by extension.
pub fn load_config(path: &Path) -> Result<QdrantConfig> {
    load_connection_file(
        path,
        "expected keys: url, api_key, collection, timeout (e.g. url: http://localhost:6333)",
    )
}

/// A backend's connection file (what `memory test-connection --config FILE`
/// names): its config section's keys, YAML or TOML by extension.
pub fn load_connection_file<T: serde::de::DeserializeOwned>(path: &Path, keys: &str) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
    let bad = |message: String| Error::Config {
        message: format!("{}: {message}", path.display()),
        hint: keys.into(),
    };
    match path.extension().and_then(|e| e.to_str()) {
        Some("toml") => toml::from_str(&text).map_err(|e| bad(e.to_string())),
        _ => serde_norway::from_str(&text).map_err(|e| bad(e.to_string())),
    }
}

/// A configured Qdrant server.
pub struct Qdrant {
    url: String,
    api_key: Option<String>,
    collection: String,
    client: reqwest::blocking::Client,
}

/// What a connection test found.
#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    pub url: String,
    pub version: String,
    pub latency_ms: f64,
    pub collection: String,
    /// Points in the collection; `None` when it does not exist yet.
    pub points: Option<u64>,
    /// `(size, distance)` of the collection's vectors when it exists.
    pub vectors: Option<(u64, String)>,
}

impl Qdrant {
    pub fn new(cfg: &QdrantConfig) -> Result<Qdrant> {
        let Some(url) = cfg.url.as_deref().filter(|u| !u.is_empty()) else {
            return Err(Error::Config {
                message: "no Qdrant connection configured".into(),
                hint: "set url under [memory.qdrant] in the server config, or pass --config FILE with url: http://HOST:6333".into(),
            });
        };
        let client = crate::http::client_builder()
            .timeout(cfg.timeout)
            .build()
            .map_err(|e| Error::Config {
                message: format!("cannot build an HTTP client: {e}"),
                hint: String::new(),
            })?;
        Ok(Qdrant {
            url: url.trim_end_matches('/').to_string(),
            api_key: cfg.api_key.clone().filter(|k| !k.is_empty()),
            collection: cfg.collection.clone(),
            client,
        })
    }

    fn fail(&self, message: String) -> Error {
        Error::Backend {
            backend: BACKEND,
            url: self.url.clone(),
            message,
            hint: "check that Qdrant is running and reachable (curl URL/), and the url and api_key in its config".into(),
        }
    }

    /// One REST call; `Ok(None)` for 404. The API key goes in a header and
    /// is never part of an error message.
    fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Option<Value>> {
        let mut req = self.client.request(method, format!("{}{path}", self.url));
        if let Some(key) = &self.api_key {
            req = req.header("api-key", key);
        }
        if let Some(b) = body {
            req = req
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(b.to_string());
        }
        let resp = req.send().map_err(|e| {
            self.fail(if e.is_timeout() {
                "timed out".into()
            } else if e.is_connect() {
                "connection refused or host unreachable".into()
            } else {
                format!("request failed: {}", e.without_url())
            })
        })?;
        let status = resp.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let text = resp.text().unwrap_or_default();
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            return Err(self.fail(format!("{status}: the api_key was refused")));
        }
        if !status.is_success() {
            let detail: String = text.chars().take(300).collect();
            return Err(self.fail(format!("{path} answered {status}: {detail}")));
        }
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| self.fail(format!("{path} answered with invalid JSON: {e}")))
    }

    /// Check the server answers, and what the collection holds.
    pub fn probe(&self) -> Result<Probe> {
        let started = Instant::now();
        let root = self
            .call(reqwest::Method::GET, "/", None)?
            .ok_or_else(|| self.fail("/ answered 404: is this a Qdrant server?".into()))?;
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        let version = root["version"]
            .as_str()
            .ok_or_else(|| self.fail("/ has no version: is this a Qdrant server?".into()))?
            .to_string();
        let info = self.call(
            reqwest::Method::GET,
            &format!("/collections/{}", self.collection),
            None,
        )?;
        let (points, vectors) = match info {
            Some(v) => {
                let r = &v["result"];
                let params = &r["config"]["params"]["vectors"];
                (
                    Some(r["points_count"].as_u64().unwrap_or(0)),
                    params["size"]
                        .as_u64()
                        .map(|s| (s, params["distance"].as_str().unwrap_or("").to_string())),
                )
            }
            None => (None, None),
        };
        Ok(Probe {
            url: self.url.clone(),
            version,
            latency_ms,
            collection: self.collection.clone(),
            points,
            vectors,
        })
    }

    /// Copy every embedded observation into the collection (created when
    /// absent). Re-running is safe: points are keyed by observation id.
    pub fn migrate(
        &self,
        store: &Store,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<MigrateReport> {
        let probe = self.probe()?;
        match &probe.vectors {
            None => {
                self.call(
                    reqwest::Method::PUT,
                    &format!("/collections/{}", self.collection),
                    Some(&json!({"vectors": {"size": DIMS, "distance": "Cosine"}})),
                )?;
            }
            Some((size, distance)) if *size as usize != DIMS || distance != "Cosine" => {
                return Err(Error::Conflict {
                    message: format!(
                        "Qdrant collection `{}` holds {size}-dimension {distance} vectors; {MODEL_ID} needs {DIMS} Cosine",
                        self.collection
                    ),
                    hint: "set another collection name in the Qdrant config".into(),
                });
            }
            Some(_) => {}
        }
        // What the change log says now: the copy below holds at least this,
        // so serving (`backend = "qdrant"`) continues from here.
        let (uid, _, newest) = index::log_state(store)?;
        let total = embedded_count(store)?;
        let started = Instant::now();
        let mut sent = 0;
        let mut batch = Vec::with_capacity(BATCH);
        let path = format!("/collections/{}/points?wait=true", self.collection);
        let mut flush = |batch: &mut Vec<Value>, sent: &mut usize| -> Result<()> {
            if batch.is_empty() {
                return Ok(());
            }
            self.call(reqwest::Method::PUT, &path, Some(&json!({"points": batch})))?;
            *sent += batch.len();
            batch.clear();
            progress(*sent, total);
            Ok(())
        };
        for_each_point(store, &mut |p| {
            batch.push(p);
            if batch.len() == BATCH {
                flush(&mut batch, &mut sent)?;
            }
            Ok(())
        })?;
        flush(&mut batch, &mut sent)?;
        self.set_synced(store, &uid, newest)?;
        let after = self.probe()?;
        Ok(MigrateReport {
            url: self.url.clone(),
            collection: self.collection.clone(),
            points_sent: sent,
            points_in_collection: after.points.unwrap_or(0),
            pending_embeddings: vectors::backlog(store)?,
            seconds: started.elapsed().as_secs_f64(),
        })
    }
}

/// Points asked of Qdrant per search at most: enough for a page of results
/// when most candidates are out of the caller's scope, small enough to stay
/// one quick request.
const MAX_CANDIDATES: usize = 4096;

/// Serving vector search from the collection (`[memory] backend =
/// "qdrant"`): the SQLite store stays the record (graph, keyword search,
/// the vectors themselves) and Qdrant answers the nearest-neighbour part.
impl Qdrant {
    /// The `memory_index_state` key of this collection's sync point.
    fn synced_key(&self) -> String {
        format!("qdrant_synced:{}:{}", self.url, self.collection)
    }

    /// Through which change-log seq of which store the collection is
    /// current, if it was ever synced from this store.
    fn synced(&self, store: &Store) -> Result<Option<(String, i64)>> {
        let v: Option<String> = store
            .conn()
            .query_row(
                "SELECT value FROM memory_index_state WHERE key = ?1",
                [self.synced_key()],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| store_err(store.path(), e))?;
        Ok(v.and_then(|v| {
            let (uid, seq) = v.split_once(' ')?;
            Some((uid.to_string(), seq.parse().ok()?))
        }))
    }

    fn set_synced(&self, store: &Store, uid: &str, seq: i64) -> Result<()> {
        store
            .conn()
            .execute(
                "INSERT INTO memory_index_state (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![self.synced_key(), format!("{uid} {seq}")],
            )
            .map(|_| ())
            .map_err(|e| store_err(store.path(), e))
    }

    /// Bring the collection up to date with the store: vectors added or
    /// replaced since the last sync are upserted, removed ones deleted. A
    /// collection never synced from this store, or further behind than the
    /// change log reaches, gets every point again (upserts are idempotent).
    /// Returns the points sent or deleted.
    pub fn sync(&self, store: &Store) -> Result<usize> {
        let (uid, pruned, newest) = index::log_state(store)?;
        let from = match self.synced(store)? {
            Some((u, seq)) if u == uid && seq >= pruned && seq <= newest => seq,
            _ => {
                return Ok(self.migrate(store, &mut |_, _| {})?.points_sent);
            }
        };
        if from == newest {
            return Ok(0);
        }
        let err = |e| store_err(store.path(), e);
        let changed = index::changed_observations(store, from, newest)?;
        let mut one = store
            .conn()
            .prepare_cached(&format!("{POINT_SQL} AND o.id = ?2"))
            .map_err(err)?;
        let (mut upserts, mut deletes) = (Vec::new(), Vec::new());
        for id in changed {
            match one
                .query_row(params![MODEL_ID, id], point)
                .optional()
                .map_err(err)?
            {
                Some(p) => upserts.push(p),
                None => deletes.push(id),
            }
        }
        let points = format!("/collections/{}/points", self.collection);
        for batch in upserts.chunks(BATCH) {
            self.call(
                reqwest::Method::PUT,
                &format!("{points}?wait=true"),
                Some(&json!({"points": batch})),
            )?;
        }
        for batch in deletes.chunks(BATCH) {
            self.call(
                reqwest::Method::POST,
                &format!("{points}/delete?wait=true"),
                Some(&json!({"points": batch})),
            )?;
        }
        self.set_synced(store, &uid, newest)?;
        Ok(upserts.len() + deletes.len())
    }
}

impl search::Vectors for Qdrant {
    /// Qdrant ranks the whole collection by cosine; each candidate is then
    /// looked up in the store, which decides what the caller may see (the
    /// payload could be stale, the store cannot), keeping the best per
    /// entity. More candidates are asked for while too many fall outside
    /// the caller's scope.
    fn nearest(
        &self,
        store: &Store,
        query: &[f32],
        allow: &dyn Fn(&Group) -> bool,
        k: usize,
        exact: bool,
    ) -> Result<Vec<Near>> {
        if k == 0 {
            return Ok(Vec::new());
        }
        let err = |e| store_err(store.path(), e);
        let mut owner = store
            .conn()
            .prepare_cached(
                "SELECT o.entity_id, e.scope, e.scope_id, e.entity_type
                 FROM memory_observations o JOIN memory_entities e ON e.id = o.entity_id
                 WHERE o.id = ?1",
            )
            .map_err(err)?;
        let path = format!("/collections/{}/points/search", self.collection);
        let mut want = (k * 4).clamp(32, MAX_CANDIDATES);
        loop {
            let found = self
                .call(
                    reqwest::Method::POST,
                    &path,
                    Some(&json!({
                        "vector": query,
                        "limit": want,
                        "with_payload": false,
                        // Qdrant's own exact (full scan) search.
                        "params": {"exact": exact},
                    })),
                )?
                .ok_or_else(|| {
                    self.fail(format!(
                        "collection `{}` does not exist: run `caxton memory emergency-migrate --to qdrant`",
                        self.collection
                    ))
                })?;
            let hits = found["result"]
                .as_array()
                .ok_or_else(|| self.fail(format!("{path} answered without a result list")))?;
            let mut best: HashMap<i64, Near> = HashMap::new();
            for hit in hits {
                let (Some(id), Some(score)) = (hit["id"].as_i64(), hit["score"].as_f64()) else {
                    return Err(self.fail(format!(
                        "{path} answered a point without id or score: {hit}"
                    )));
                };
                let Some((entity_id, group)) = owner
                    .query_row([id], |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            Group {
                                scope: r.get(1)?,
                                scope_id: r.get(2)?,
                                entity_type: r.get(3)?,
                            },
                        ))
                    })
                    .optional()
                    .map_err(err)?
                else {
                    continue; // deleted since the last sync
                };
                if !allow(&group) {
                    continue;
                }
                let similarity = score as f32;
                let e = best.entry(entity_id).or_insert(Near {
                    observation_id: id,
                    entity_id,
                    similarity,
                });
                if similarity > e.similarity {
                    *e = Near {
                        observation_id: id,
                        entity_id,
                        similarity,
                    };
                }
            }
            if best.len() >= k || hits.len() < want || want >= MAX_CANDIDATES {
                let mut near: Vec<Near> = best.into_values().collect();
                near.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
                near.truncate(k);
                return Ok(near);
            }
            want = (want * 4).min(MAX_CANDIDATES);
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MigrateReport {
    pub url: String,
    pub collection: String,
    pub points_sent: usize,
    pub points_in_collection: u64,
    /// Observations without a vector yet: not copied (Qdrant needs vectors).
    pub pending_embeddings: i64,
    pub seconds: f64,
}

fn embedded_count(store: &Store) -> Result<usize> {
    store
        .conn()
        .query_row(
            "SELECT count(*) FROM memory_vectors WHERE model = ?1",
            [MODEL_ID],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n as usize)
        .map_err(|e| store_err(store.path(), e))
}

/// An embedded observation as a Qdrant point: its vector and, as payload,
/// what it says and which entity it belongs to.
const POINT_SQL: &str =
    "SELECT o.id, v.vector, e.name, e.entity_type, e.scope, e.scope_id, o.content,
            o.created_by, o.created_at, e.metadata
     FROM memory_vectors v JOIN memory_observations o ON o.id = v.observation_id
     JOIN memory_entities e ON e.id = o.entity_id
     WHERE v.model = ?1";

fn point(r: &rusqlite::Row) -> rusqlite::Result<Value> {
    let id: i64 = r.get(0)?;
    let vector = embed::from_blob(&r.get::<_, Vec<u8>>(1)?);
    let metadata: String = r.get(9)?;
    Ok(json!({
        "id": id,
        "vector": vector,
        "payload": {
            "entity": r.get::<_, String>(2)?,
            "entity_type": r.get::<_, String>(3)?,
            "scope": r.get::<_, String>(4)?,
            "scope_id": r.get::<_, String>(5)?,
            "observation": r.get::<_, String>(6)?,
            "created_by": r.get::<_, String>(7)?,
            "created_at": r.get::<_, i64>(8)?,
            "metadata": serde_json::from_str::<Value>(&metadata).unwrap_or(Value::Null),
            "model": MODEL_ID,
        }
    }))
}

/// Every embedded observation as a Qdrant point, in observation id order.
fn for_each_point(store: &Store, f: &mut dyn FnMut(Value) -> Result<()>) -> Result<()> {
    let err = |e| store_err(store.path(), e);
    let mut stmt = store
        .conn()
        .prepare(&format!("{POINT_SQL} ORDER BY o.id"))
        .map_err(err)?;
    let mut rows = stmt.query(params![MODEL_ID]).map_err(err)?;
    while let Some(r) = rows.next().map_err(err)? {
        f(point(r).map_err(err)?)?;
    }
    Ok(())
}

/// Write the migration file: the collection definition and every point in
/// the shape Qdrant's upsert takes, streamed so memory use stays flat.
pub fn export(store: &Store, collection: &str, out: &mut dyn Write) -> Result<usize> {
    let io = |e: std::io::Error| Error::io("write", Path::new("migration export"), e);
    let head = json!({
        "format": "caxton-memory-migration",
        "version": 1,
        "target": "qdrant",
        "model": MODEL_ID,
        "collection": {"name": collection, "vectors": {"size": DIMS, "distance": "Cosine"}},
        "pending_embeddings": vectors::backlog(store)?,
    })
    .to_string();
    // The head object without its closing brace, then the points array.
    write!(out, "{},\"points\":[", &head[..head.len() - 1]).map_err(io)?;
    let mut n = 0;
    for_each_point(store, &mut |p| {
        if n > 0 {
            out.write_all(b",").map_err(io)?;
        }
        out.write_all(b"\n").map_err(io)?;
        serde_json::to_writer(&mut *out, &p).map_err(|e| io(e.into()))?;
        n += 1;
        Ok(())
    })?;
    out.write_all(b"\n]}\n").map_err(io)?;
    Ok(n)
}

/// `memory migration-check`: what is ready and what is missing.
#[derive(Debug, Clone, Serialize)]
pub struct Readiness {
    pub target: &'static str,
    pub readiness_percent: u32,
    pub missing: Vec<String>,
    pub ready: Vec<String>,
    pub points: usize,
    pub payload_bytes_estimate: u64,
    /// Upload time estimated from the measured round trip and batch count;
    /// `None` without a reachable server to measure.
    pub estimated_migration_seconds: Option<f64>,
    /// The store stays online during `emergency-migrate` (it reads a
    /// consistent snapshot), so no downtime is needed.
    pub estimated_downtime_seconds: f64,
}

pub fn readiness(store: &Store, cfg: &QdrantConfig) -> Result<Readiness> {
    let points = embedded_count(store)?;
    // ~12 bytes per float as JSON text, plus the payload.
    let payload_bytes_estimate = points as u64 * (DIMS as u64 * 12 + 300);
    let pending = vectors::backlog(store)?;
    let mut ready = Vec::new();
    let mut missing = Vec::new();
    if pending == 0 {
        ready.push("every observation has a vector".to_string());
    } else {
        missing.push(format!(
            "{pending} observations not embedded (run `caxton memory reindex`)"
        ));
    }
    let mut estimate = None;
    match Qdrant::new(cfg) {
        Err(_) => {
            missing.push("qdrant connection config ([memory.qdrant] url)".into());
            missing.push("a reachable Qdrant server".into());
            missing.push("a compatible collection".into());
        }
        Ok(q) => {
            ready.push(format!("qdrant connection config ({})", q.url));
            match q.probe() {
                Err(e) => {
                    missing.push(format!("a reachable Qdrant server ({e})"));
                    missing.push("a compatible collection".into());
                }
                Ok(p) => {
                    ready.push(format!(
                        "Qdrant {} answering in {:.0} ms",
                        p.version, p.latency_ms
                    ));
                    match &p.vectors {
                        Some((size, distance)) if *size as usize != DIMS || distance != "Cosine" => {
                            missing.push(format!(
                                "a compatible collection (`{}` has {size}-dimension {distance} vectors)",
                                p.collection
                            ))
                        }
                        Some(_) => ready.push(format!("collection `{}` compatible", p.collection)),
                        None => ready.push(format!("collection `{}` will be created", p.collection)),
                    }
                    let batches = points.div_ceil(BATCH) as f64;
                    // Round trip per batch plus transfer at a conservative
                    // 20 MB/s and Qdrant's indexing, measured ~5k points/s.
                    estimate = Some(
                        batches * p.latency_ms / 1000.0
                            + payload_bytes_estimate as f64 / 20e6
                            + points as f64 / 5_000.0,
                    );
                }
            }
        }
    }
    let total = ready.len() + missing.len();
    Ok(Readiness {
        target: "qdrant",
        readiness_percent: (100 * ready.len() / total.max(1)) as u32,
        missing,
        ready,
        points,
        payload_bytes_estimate,
        estimated_migration_seconds: estimate,
        estimated_downtime_seconds: 0.0,
    })
}
