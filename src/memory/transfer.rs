//! Export and import of the whole memory, losslessly: scopes, provenance,
//! timestamps, metadata and (optionally) vectors. Ordering is defined
//! (entities by scope, scope id, name; observations by insertion; relations
//! by endpoints and type), so export → import → export is byte-identical.

use std::io::{BufRead, Write};

use base64::Engine as _;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::embed::MODEL_ID;
use crate::error::{Error, Result};
use crate::store::{Store, store_err};

pub(crate) const FORMAT: &str = "caxton-memory";
pub(crate) const VERSION: u32 = 1;
/// Entities per import transaction: an interrupted import keeps every
/// committed batch.
const BATCH: usize = 500;

/// One entity of an export with everything needed to restore it: its
/// scope, metadata, authorship and observations (with embeddings when
/// exported with them).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EntityRecord {
    pub(crate) name: String,
    pub(crate) entity_type: String,
    pub(crate) scope: String,
    pub(crate) scope_id: String,
    pub(crate) metadata: Value,
    pub(crate) created_by: String,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
    pub(crate) observations: Vec<ObservationRecord>,
}

/// One observation of an exported entity.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObservationRecord {
    /// The observation text.
    pub content: String,
    /// The agent id that wrote it, or `cli` for an operator.
    pub created_by: String,
    /// When it was written, in Unix milliseconds.
    pub created_at: i64,
    /// Base64 little-endian f32 vector of `MODEL_ID`, when exported with embeddings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedding: Option<String>,
}

/// An endpoint of a relation: an entity by scope and name.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EntityRef {
    pub(crate) name: String,
    pub(crate) scope: String,
    pub(crate) scope_id: String,
}

/// One exported relation: both endpoints by scope and name, its type,
/// strength, metadata and authorship.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RelationRecord {
    pub(crate) from: EntityRef,
    pub(crate) to: EntityRef,
    pub(crate) relation_type: String,
    pub(crate) strength: f64,
    pub(crate) metadata: Value,
    pub(crate) created_by: String,
    pub(crate) created_at: i64,
}

/// One line of the JSONL format.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub(crate) enum Line {
    /// The first line: the format name (`caxton-memory`) and its version.
    Header { format: String, version: u32 },
    /// One entity with its observations.
    Entity(EntityRecord),
    /// One relation (after every entity it names).
    Relation(RelationRecord),
}

/// A whole export: header fields, then every entity and relation (the
/// `--format json` document; JSONL carries the same as one `Line` each).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub(crate) format: String,
    pub(crate) version: u32,
    pub(crate) entities: Vec<EntityRecord>,
    pub(crate) relations: Vec<RelationRecord>,
}

/// The file format of `memory export` / `memory import`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON document ([`Document`]).
    Json,
    /// One JSON object per line (`Line`), header first: streams, and
    /// diffs well.
    Jsonl,
}

pub(crate) fn read_all(store: &Store, embeddings: bool) -> Result<Document> {
    let conn = store.conn();
    let err = |e| store_err(store.path(), e);
    let mut entities = Vec::new();
    let mut ids = Vec::new();
    {
        let mut stmt = conn
            .prepare(
                "SELECT id, name, entity_type, scope, scope_id, metadata, created_by, created_at, updated_at
                 FROM memory_entities ORDER BY scope, scope_id, name",
            )
            .map_err(err)?;
        let rows = stmt
            .query_map([], |r| {
                let metadata: String = r.get(5)?;
                Ok((
                    r.get::<_, i64>(0)?,
                    EntityRecord {
                        name: r.get(1)?,
                        entity_type: r.get(2)?,
                        scope: r.get(3)?,
                        scope_id: r.get(4)?,
                        metadata: serde_json::from_str(&metadata).unwrap_or(Value::Null),
                        created_by: r.get(6)?,
                        created_at: r.get(7)?,
                        updated_at: r.get(8)?,
                        observations: Vec::new(),
                    },
                ))
            })
            .map_err(err)?;
        for row in rows {
            let (id, e) = row.map_err(err)?;
            ids.push(id);
            entities.push(e);
        }
    }
    let mut obs = conn
        .prepare_cached(
            "SELECT o.content, o.created_by, o.created_at, v.vector FROM memory_observations o
             LEFT JOIN memory_vectors v ON v.observation_id = o.id AND v.model = ?2
             WHERE o.entity_id = ?1 ORDER BY o.id",
        )
        .map_err(err)?;
    for (id, e) in ids.iter().zip(entities.iter_mut()) {
        let rows = obs
            .query_map(params![id, MODEL_ID], |r| {
                let blob: Option<Vec<u8>> = r.get(3)?;
                Ok(ObservationRecord {
                    content: r.get(0)?,
                    created_by: r.get(1)?,
                    created_at: r.get(2)?,
                    embedding: blob
                        .filter(|_| embeddings)
                        .map(|b| base64::engine::general_purpose::STANDARD.encode(b)),
                })
            })
            .map_err(err)?;
        e.observations = rows.collect::<rusqlite::Result<_>>().map_err(err)?;
    }
    let mut stmt = conn
        .prepare(
            "SELECT f.name, f.scope, f.scope_id, t.name, t.scope, t.scope_id, r.relation_type,
                    r.strength, r.metadata, r.created_by, r.created_at
             FROM memory_relations r JOIN memory_entities f ON f.id = r.from_id
             JOIN memory_entities t ON t.id = r.to_id
             ORDER BY f.scope, f.scope_id, f.name, t.scope, t.scope_id, t.name, r.relation_type",
        )
        .map_err(err)?;
    let relations = stmt
        .query_map([], |r| {
            let metadata: String = r.get(8)?;
            Ok(RelationRecord {
                from: EntityRef {
                    name: r.get(0)?,
                    scope: r.get(1)?,
                    scope_id: r.get(2)?,
                },
                to: EntityRef {
                    name: r.get(3)?,
                    scope: r.get(4)?,
                    scope_id: r.get(5)?,
                },
                relation_type: r.get(6)?,
                strength: r.get(7)?,
                metadata: serde_json::from_str(&metadata).unwrap_or(Value::Null),
                created_by: r.get(9)?,
                created_at: r.get(10)?,
            })
        })
        .map_err(err)?
        .collect::<rusqlite::Result<_>>()
        .map_err(err)?;
    Ok(Document {
        format: FORMAT.into(),
        version: VERSION,
        entities,
        relations,
    })
}

/// Write `doc` in `format` (what `export` writes, from any backend).
pub fn write(doc: Document, format: Format, out: &mut dyn Write) -> Result<()> {
    let io = |e: std::io::Error| Error::io("write", std::path::Path::new("<export>"), e);
    let json = |l: &Line| serde_json::to_string(l).map_err(|e| io(std::io::Error::other(e)));
    match format {
        Format::Json => {
            let text =
                serde_json::to_string_pretty(&doc).map_err(|e| io(std::io::Error::other(e)))?;
            writeln!(out, "{text}").map_err(io)?;
        }
        Format::Jsonl => {
            writeln!(
                out,
                "{}",
                json(&Line::Header {
                    format: FORMAT.into(),
                    version: VERSION
                })?
            )
            .map_err(io)?;
            for e in doc.entities {
                writeln!(out, "{}", json(&Line::Entity(e))?).map_err(io)?;
            }
            for r in doc.relations {
                writeln!(out, "{}", json(&Line::Relation(r))?).map_err(io)?;
            }
        }
    }
    Ok(())
}

/// What an import added: counts of new entities, observations, relations
/// and embeddings (existing ones are skipped, not counted).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub(crate) entities: usize,
    pub(crate) observations: usize,
    pub(crate) relations: usize,
    pub(crate) embeddings: usize,
}

fn bad(message: String) -> Error {
    Error::Usage {
        message,
        hint: "the input must be a `caxton memory export` document (--format json or jsonl)".into(),
    }
}

/// Parse an export in either format.
impl Format {
    /// The format of an export file: by extension (`.jsonl`/`.ndjson`,
    /// `.json`), else by its first line, which in JSON Lines is a complete
    /// header object without the document's `entities`.
    pub fn detect(path: &std::path::Path, first_line: &str) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some("jsonl" | "ndjson") => Format::Jsonl,
            Some("json") => Format::Json,
            _ => match serde_json::from_str::<serde_json::Value>(first_line) {
                Ok(v) if v.is_object() && v.get("entities").is_none() => Format::Jsonl,
                _ => Format::Json,
            },
        }
    }
}

/// Read an export in `format` from `input`, checking the header's format
/// name and version; a usage error says what is wrong.
pub fn parse(input: &mut dyn BufRead, format: Format) -> Result<Document> {
    let io = |e| Error::io("read", std::path::Path::new("<import>"), e);
    match format {
        Format::Json => {
            let doc: Document =
                serde_json::from_reader(input).map_err(|e| bad(format!("invalid export: {e}")))?;
            check_header(&doc.format, doc.version)?;
            Ok(doc)
        }
        Format::Jsonl => {
            let mut doc = Document {
                format: String::new(),
                version: 0,
                entities: Vec::new(),
                relations: Vec::new(),
            };
            for (i, line) in input.lines().enumerate() {
                let line = line.map_err(io)?;
                if line.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<Line>(&line)
                    .map_err(|e| bad(format!("line {}: {e}", i + 1)))?
                {
                    Line::Header { format, version } => {
                        check_header(&format, version)?;
                        doc.format = format;
                        doc.version = version;
                    }
                    Line::Entity(e) => doc.entities.push(e),
                    Line::Relation(r) => doc.relations.push(r),
                }
            }
            check_header(&doc.format, doc.version)?;
            Ok(doc)
        }
    }
}

/// One line of the MCP reference memory server's `memory.jsonl`
/// (`@modelcontextprotocol/server-memory`), as that server writes it.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum ReferenceLine {
    #[serde(rename_all = "camelCase")]
    Entity {
        name: String,
        entity_type: String,
        #[serde(default)]
        observations: Vec<String>,
    },
    #[serde(rename_all = "camelCase")]
    Relation {
        from: String,
        to: String,
        relation_type: String,
    },
}

/// The reference memory server's `memory.jsonl`, as a document that
/// [`import`] merges into the scope `access` writes to. The reference server
/// stores relations without checking their endpoints; such dangling
/// relations cannot be stored here and are returned as `skipped`
/// (`from -[type]-> to`) instead of failing the import half-way.
pub fn from_reference_jsonl(
    input: &mut dyn BufRead,
    access: &super::Access,
) -> Result<(Document, Vec<String>)> {
    let bad = |message: String| {
        Error::Usage {
        message,
        hint: "pass the reference server's memory.jsonl as it is (one {\"type\": \"entity\"|\"relation\", ...} object per line)".into(),
    }
    };
    let (scope, scope_id) = access.write_target();
    let creator = access.creator();
    let now = crate::clock::now_ms();
    let endpoint = |name: &str| EntityRef {
        name: name.to_string(),
        scope: scope.to_string(),
        scope_id: scope_id.clone(),
    };
    let mut entities: Vec<EntityRecord> = Vec::new();
    let mut relations = Vec::new();
    for (i, line) in input.lines().enumerate() {
        let line = line.map_err(|e| Error::io("read", std::path::Path::new("<import>"), e))?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<ReferenceLine>(&line)
            .map_err(|e| bad(format!("line {}: {e}", i + 1)))?
        {
            ReferenceLine::Entity {
                name,
                entity_type,
                observations,
            } => entities.push(EntityRecord {
                name,
                entity_type,
                scope: scope.to_string(),
                scope_id: scope_id.clone(),
                metadata: Value::Object(Default::default()),
                created_by: creator.clone(),
                created_at: now,
                updated_at: now,
                observations: observations
                    .into_iter()
                    .map(|content| ObservationRecord {
                        content,
                        created_by: creator.clone(),
                        created_at: now,
                        embedding: None,
                    })
                    .collect(),
            }),
            ReferenceLine::Relation {
                from,
                to,
                relation_type,
            } => relations.push((from, to, relation_type)),
        }
    }
    let names: std::collections::BTreeSet<&str> =
        entities.iter().map(|e| e.name.as_str()).collect();
    let mut skipped = Vec::new();
    let mut kept = Vec::new();
    for (from, to, relation_type) in relations {
        if names.contains(from.as_str()) && names.contains(to.as_str()) {
            kept.push(RelationRecord {
                from: endpoint(&from),
                to: endpoint(&to),
                relation_type,
                strength: 1.0,
                metadata: Value::Object(Default::default()),
                created_by: creator.clone(),
                created_at: now,
            });
        } else {
            skipped.push(format!("{from} -[{relation_type}]-> {to}"));
        }
    }
    let doc = Document {
        format: FORMAT.into(),
        version: VERSION,
        entities,
        relations: kept,
    };
    Ok((doc, skipped))
}

fn check_header(format: &str, version: u32) -> Result<()> {
    if format != FORMAT {
        return Err(bad(format!(
            "not a Caxton memory export (format {format:?})"
        )));
    }
    if version > VERSION {
        return Err(bad(format!(
            "export version {version} is newer than this Caxton understands ({VERSION})"
        )));
    }
    Ok(())
}

/// The distinct (scope, scope id, name) keys of a document's entities:
/// what an import may create.
pub(crate) fn entity_keys(doc: &Document) -> std::collections::BTreeSet<(&str, &str, &str)> {
    doc.entities
        .iter()
        .map(|e| (e.scope.as_str(), e.scope_id.as_str(), e.name.as_str()))
        .collect()
}

/// Whether `adding` new entities fit next to `stored` under `max_entities`;
/// an import that does not fit is refused whole, before it writes.
pub(crate) fn fits(max_entities: u64, stored: u64, adding: u64) -> Result<()> {
    if adding > 0 && stored.saturating_add(adding) > max_entities {
        return Err(Error::MemoryFull {
            max: max_entities,
            stored,
            adding,
        });
    }
    Ok(())
}

/// Import a document, merging into what exists: existing entities (same
/// scope and name) keep their row and gain missing observations; duplicate
/// relations are skipped. Committed in batches of entities, after checking
/// up front that the new entities fit under `max_entities`: a document that
/// does not fit is refused whole, before anything is written.
pub fn import(store: &mut Store, doc: &Document, max_entities: u64) -> Result<ImportReport> {
    let mut report = ImportReport::default();
    let path = store.path().to_path_buf();
    store.write(|tx| {
        let sql = |e| store_err(&path, e);
        let stored: i64 = tx
            .query_row("SELECT count(*) FROM memory_entities", [], |r| r.get(0))
            .map_err(sql)?;
        let mut adding = 0u64;
        for (scope, scope_id, name) in entity_keys(doc) {
            let exists = tx
                .prepare_cached(
                    "SELECT 1 FROM memory_entities WHERE scope = ?1 AND scope_id = ?2 AND name = ?3",
                )
                .and_then(|mut s| s.exists(params![scope, scope_id, name]))
                .map_err(sql)?;
            adding += u64::from(!exists);
        }
        fits(max_entities, stored.max(0) as u64, adding)
    })?;
    for chunk in doc.entities.chunks(BATCH) {
        store.write(|tx| {
            let sql = |e| store_err(&path, e);
            for e in chunk {
                let metadata = serde_json::to_string(&e.metadata).unwrap_or_else(|_| "{}".into());
                tx.prepare_cached(
                    "INSERT INTO memory_entities (name, entity_type, scope, scope_id, metadata, created_by, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (scope, scope_id, name) DO NOTHING",
                )
                .and_then(|mut s| s.execute(params![e.name, e.entity_type, e.scope, e.scope_id, metadata, e.created_by, e.created_at, e.updated_at]))
                .map(|n| report.entities += n)
                .map_err(sql)?;
                let id: i64 = tx
                    .query_row(
                        "SELECT id FROM memory_entities WHERE scope = ?1 AND scope_id = ?2 AND name = ?3",
                        params![e.scope, e.scope_id, e.name],
                        |r| r.get(0),
                    )
                    .map_err(sql)?;
                for o in &e.observations {
                    let n = tx
                        .prepare_cached(
                            "INSERT INTO memory_observations (entity_id, content, created_by, created_at)
                             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (entity_id, content) DO NOTHING",
                        )
                        .and_then(|mut s| s.execute(params![id, o.content, o.created_by, o.created_at]))
                        .map_err(sql)?;
                    report.observations += n;
                    let Some(b64) = o.embedding.as_ref().filter(|_| n > 0) else { continue };
                    let blob = base64::engine::general_purpose::STANDARD
                        .decode(b64)
                        .map_err(|err| bad(format!("entity {:?}: embedding is not base64: {err}", e.name)))?;
                    tx.execute(
                        "INSERT INTO memory_vectors (observation_id, model, dims, vector) VALUES (?1, ?2, ?3, ?4)",
                        params![tx.last_insert_rowid(), MODEL_ID, (blob.len() / 4) as i64, blob],
                    )
                    .map_err(sql)?;
                    report.embeddings += 1;
                }
            }
            Ok(())
        })?;
    }
    store.write(|tx| {
        let sql = |e| store_err(&path, e);
        let find = |r: &EntityRef| -> Result<i64> {
            tx.query_row(
                "SELECT id FROM memory_entities WHERE scope = ?1 AND scope_id = ?2 AND name = ?3",
                params![r.scope, r.scope_id, r.name],
                |row| row.get(0),
            )
            .optional()
            .map_err(sql)?
            .ok_or_else(|| Error::EntityNotFound { name: r.name.clone() })
        };
        for r in &doc.relations {
            let (from, to) = (find(&r.from)?, find(&r.to)?);
            let metadata = serde_json::to_string(&r.metadata).unwrap_or_else(|_| "{}".into());
            report.relations += tx
                .execute(
                    "INSERT INTO memory_relations (from_id, to_id, relation_type, strength, metadata, created_by, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (from_id, to_id, relation_type) DO NOTHING",
                    params![from, to, r.relation_type, r.strength, metadata, r.created_by, r.created_at],
                )
                .map_err(sql)?;
        }
        Ok(())
    })?;
    Ok(report)
}
