//! The knowledge graph's SQL: the MCP memory server's operations, each one
//! transaction, with scope-aware name resolution.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use super::{Access, Entity, Graph, Relation};
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::store::{Store, store_err};

/// SQL condition (on table alias `e`) for entities `access` may see; binds ?1..?3.
pub const VISIBLE: &str = "(?1 OR e.scope = 'global' \
    OR (e.scope = 'workspace' AND e.scope_id = ?2) \
    OR (e.scope = 'agent' AND e.scope_id = ?3))";

pub(crate) fn visible_params(access: &Access) -> (bool, String, String) {
    (
        access.agent.is_none(),
        access.workspace.clone().unwrap_or_default(),
        access.agent.clone().unwrap_or_default(),
    )
}

/// Observations to append to one existing entity (`add_observations`
/// request item).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObservationAdd {
    pub(crate) entity_name: String,
    pub(crate) contents: Vec<String>,
}

/// What `add_observations` appended to one entity: only the contents that
/// were new (duplicates are skipped).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservationsAdded {
    pub(crate) entity_name: String,
    pub(crate) added_observations: Vec<String>,
}

/// Observations to remove from one entity (`delete_observations` request
/// item); contents that are not there are ignored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObservationDelete {
    pub(crate) entity_name: String,
    pub(crate) observations: Vec<String>,
}

/// Find the id of the visible entity called `name`, preferring the writer's
/// own scope, then agent, workspace, global.
fn entity_id(conn: &Connection, access: &Access, name: &str) -> rusqlite::Result<Option<i64>> {
    let (all, ws, agent) = visible_params(access);
    let (scope, _) = access.write_target();
    conn.prepare_cached(&format!(
        "SELECT e.id FROM memory_entities e WHERE e.name = ?4 AND {VISIBLE}
         ORDER BY e.scope = ?5 DESC,
                  CASE e.scope WHEN 'agent' THEN 0 WHEN 'workspace' THEN 1 ELSE 2 END
         LIMIT 1"
    ))?
    .query_row(params![all, ws, agent, name, scope], |r| r.get(0))
    .optional()
}

fn require(conn: &Connection, access: &Access, name: &str) -> Result<i64> {
    entity_id(conn, access, name)
        .map_err(|e| store_err(std::path::Path::new("memory"), e))?
        .ok_or_else(|| Error::EntityNotFound {
            name: name.to_string(),
        })
}

pub(crate) fn check_name(kind: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::Usage {
            message: format!("{kind} must not be empty"),
            hint: "give every entity a name and an entityType".into(),
        });
    }
    Ok(())
}

/// Insert observations of one entity, skipping ones it already has.
/// Returns the contents actually added.
fn insert_observations(
    tx: &Connection,
    entity: i64,
    contents: &[String],
    creator: &str,
    now: i64,
) -> rusqlite::Result<Vec<String>> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO memory_observations (entity_id, content, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (entity_id, content) DO NOTHING",
    )?;
    let mut added = Vec::new();
    for c in contents {
        if stmt.execute(params![entity, c, creator, now])? > 0 {
            added.push(c.clone());
        }
    }
    Ok(added)
}

/// Create entities that do not exist yet in the writer's scope (existing
/// names are skipped, as in the MCP memory server). Returns the new ones.
/// With `max_entities`, a batch that would pass it is refused whole
/// ([`Error::MemoryFull`]) and nothing is written.
pub fn create_entities(
    store: &mut Store,
    access: &Access,
    entities: &[Entity],
    max_entities: Option<u64>,
) -> Result<Vec<Entity>> {
    let path = store.path().to_path_buf();
    store.write(|tx| create_entities_in(tx, &path, access, entities, max_entities))
}

/// [`create_entities`] inside the caller's transaction (a group commit).
pub fn create_entities_in(
    tx: &Connection,
    path: &Path,
    access: &Access,
    entities: &[Entity],
    max_entities: Option<u64>,
) -> Result<Vec<Entity>> {
    for e in entities {
        check_name("entity name", &e.name)?;
        check_name("entityType", &e.entity_type)?;
    }
    let (scope, scope_id) = access.write_target();
    let creator = access.creator();
    let sql = |e| store_err(path, e);
    let now = now_ms();
    let mut created = Vec::new();
    let mut insert = tx
        .prepare_cached(
            "INSERT INTO memory_entities (name, entity_type, scope, scope_id, created_by, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
             ON CONFLICT (scope, scope_id, name) DO NOTHING",
        )
        .map_err(sql)?;
    for e in entities {
        if insert
            .execute(params![
                e.name,
                e.entity_type,
                scope,
                scope_id,
                creator,
                now
            ])
            .map_err(sql)?
            == 0
        {
            continue;
        }
        let id = tx.last_insert_rowid();
        let observations =
            insert_observations(tx, id, &e.observations, &creator, now).map_err(sql)?;
        created.push(Entity {
            name: e.name.clone(),
            entity_type: e.entity_type.clone(),
            observations,
        });
    }
    within_limit(tx, path, created.len(), max_entities)?;
    Ok(created)
}

/// After inserting `created` entities in `tx`: refuse (the caller's
/// transaction then rolls back) when the store now holds more than `max`.
/// Counting inside the write transaction makes the check race-free.
fn within_limit(tx: &Connection, path: &Path, created: usize, max: Option<u64>) -> Result<()> {
    let Some(max) = max.filter(|_| created > 0) else {
        return Ok(());
    };
    let sql = |e| store_err(path, e);
    // count(*) reads every row, on every write. Ids are distinct integers,
    // so their span (two index seeks) bounds the count: only a store whose
    // span passes the limit (it is near it, or deletes left gaps) is counted.
    let span: i64 = tx
        .prepare_cached(
            "SELECT coalesce((SELECT max(id) FROM memory_entities)
                             - (SELECT min(id) FROM memory_entities) + 1, 0)",
        )
        .and_then(|mut s| s.query_row([], |r| r.get(0)))
        .map_err(sql)?;
    if span.max(0) as u64 <= max {
        return Ok(());
    }
    let total: i64 = tx
        .prepare_cached("SELECT count(*) FROM memory_entities")
        .and_then(|mut s| s.query_row([], |r| r.get(0)))
        .map_err(sql)?;
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

/// What [`remember`] did.
#[derive(Debug, Clone, Serialize)]
pub struct Remembered {
    pub(crate) entity: String,
    /// The entity did not exist in the writer's scope and was created.
    pub created: bool,
    /// Observations actually added (ones it already had are skipped).
    pub added: Vec<String>,
}

/// Add `entity`'s observations to the entity of that name in the writer's
/// scope, creating it there (with `entity.entity_type`) when there is none:
/// the `memory_store` tool and a run's automatic summary. One transaction;
/// creating counts against `max_entities` like [`create_entities`].
pub fn remember(
    store: &mut Store,
    access: &Access,
    entity: &Entity,
    max_entities: Option<u64>,
) -> Result<Remembered> {
    let path = store.path().to_path_buf();
    store.write(|tx| remember_in(tx, &path, access, entity, max_entities))
}

/// [`remember`] inside the caller's transaction (`path` names the store in
/// errors): a run stores its record and its summary in one transaction.
pub fn remember_in(
    tx: &Transaction,
    path: &Path,
    access: &Access,
    entity: &Entity,
    max_entities: Option<u64>,
) -> Result<Remembered> {
    check_name("entity name", &entity.name)?;
    check_name("entityType", &entity.entity_type)?;
    let (scope, scope_id) = access.write_target();
    let creator = access.creator();
    let sql = |e| store_err(path, e);
    let now = now_ms();
    let existing = tx
        .query_row(
            "SELECT id FROM memory_entities WHERE scope = ?1 AND scope_id = ?2 AND name = ?3",
            params![scope, scope_id, entity.name],
            |r| r.get::<_, i64>(0),
        )
        .optional()
        .map_err(sql)?;
    let (id, created) = match existing {
        Some(id) => {
            tx.execute(
                "UPDATE memory_entities SET updated_at = ?1 WHERE id = ?2",
                params![now, id],
            )
            .map_err(sql)?;
            (id, false)
        }
        None => {
            tx.execute(
                "INSERT INTO memory_entities (name, entity_type, scope, scope_id, created_by, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                params![entity.name, entity.entity_type, scope, scope_id, creator, now],
            )
            .map_err(sql)?;
            let id = tx.last_insert_rowid();
            within_limit(tx, path, 1, max_entities)?;
            (id, true)
        }
    };
    let added = insert_observations(tx, id, &entity.observations, &creator, now).map_err(sql)?;
    Ok(Remembered {
        entity: entity.name.clone(),
        created,
        added,
    })
}

/// Create relations between existing entities; duplicates are skipped.
/// An unknown endpoint fails the whole call and nothing is written.
pub fn create_relations(
    store: &mut Store,
    access: &Access,
    relations: &[Relation],
) -> Result<Vec<Relation>> {
    for r in relations {
        check_name("relationType", &r.relation_type)?;
    }
    let creator = access.creator();
    let path = store.path().to_path_buf();
    store.write(|tx| {
        let sql = |e| store_err(&path, e);
        let now = now_ms();
        let mut created = Vec::new();
        for r in relations {
            let from = require(tx, access, &r.from)?;
            let to = require(tx, access, &r.to)?;
            let n = tx
                .prepare_cached(
                    "INSERT INTO memory_relations (from_id, to_id, relation_type, created_by, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (from_id, to_id, relation_type) DO NOTHING",
                )
                .and_then(|mut s| s.execute(params![from, to, r.relation_type, creator, now]))
                .map_err(sql)?;
            if n > 0 {
                created.push(r.clone());
            }
        }
        Ok(created)
    })
}

/// Add observations to existing entities inside the caller's transaction
/// (a group commit); `path` names the store in errors.
pub fn add_observations_in(
    tx: &Connection,
    path: &Path,
    access: &Access,
    adds: &[ObservationAdd],
) -> Result<Vec<ObservationsAdded>> {
    let creator = access.creator();
    let sql = |e| store_err(path, e);
    let now = now_ms();
    let mut out = Vec::new();
    for a in adds {
        let id = require(tx, access, &a.entity_name)?;
        let added = insert_observations(tx, id, &a.contents, &creator, now).map_err(sql)?;
        tx.execute(
            "UPDATE memory_entities SET updated_at = ?1 WHERE id = ?2",
            params![now, id],
        )
        .map_err(sql)?;
        out.push(ObservationsAdded {
            entity_name: a.entity_name.clone(),
            added_observations: added,
        });
    }
    Ok(out)
}

/// Delete entities (and, by cascade, their observations, vectors and
/// relations). Unknown names are ignored. Returns how many were deleted.
pub fn delete_entities(store: &mut Store, access: &Access, names: &[String]) -> Result<usize> {
    let path = store.path().to_path_buf();
    store.write(|tx| {
        let mut n = 0;
        for name in names {
            if let Some(id) = entity_id(tx, access, name).map_err(|e| store_err(&path, e))? {
                n += tx
                    .execute("DELETE FROM memory_entities WHERE id = ?1", [id])
                    .map_err(|e| store_err(&path, e))?;
            }
        }
        Ok(n)
    })
}

pub(crate) fn delete_observations(
    store: &mut Store,
    access: &Access,
    dels: &[ObservationDelete],
) -> Result<usize> {
    let path = store.path().to_path_buf();
    store.write(|tx| {
        let mut n = 0;
        for d in dels {
            let Some(id) =
                entity_id(tx, access, &d.entity_name).map_err(|e| store_err(&path, e))?
            else {
                continue;
            };
            for c in &d.observations {
                n += tx
                    .execute(
                        "DELETE FROM memory_observations WHERE entity_id = ?1 AND content = ?2",
                        params![id, c],
                    )
                    .map_err(|e| store_err(&path, e))?;
            }
        }
        Ok(n)
    })
}

pub(crate) fn delete_relations(
    store: &mut Store,
    access: &Access,
    relations: &[Relation],
) -> Result<usize> {
    let path = store.path().to_path_buf();
    store.write(|tx| {
        let sql = |e| store_err(&path, e);
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
                    "DELETE FROM memory_relations WHERE from_id = ?1 AND to_id = ?2 AND relation_type = ?3",
                    params![from, to, r.relation_type],
                )
                .map_err(sql)?;
        }
        Ok(n)
    })
}

/// The visible graph, or only the entities with the given ids and the
/// relations that touch them. Ordered by entity name, observations by age.
pub fn load_graph(store: &Store, access: &Access, only: Option<&BTreeSet<i64>>) -> Result<Graph> {
    if let Some(ids) = only {
        return load_selection(store, access, ids);
    }
    let conn = store.conn();
    let sql = |e| store_err(store.path(), e);
    let (all, ws, agent) = visible_params(access);
    let mut entities: BTreeMap<i64, Entity> = BTreeMap::new();
    let mut visible: BTreeSet<i64> = BTreeSet::new();
    let mut order: Vec<(String, i64)> = Vec::new();
    {
        let mut stmt = conn
            .prepare(&format!(
                "SELECT e.id, e.name, e.entity_type FROM memory_entities e WHERE {VISIBLE} ORDER BY e.name, e.id"
            ))
            .map_err(sql)?;
        let rows = stmt
            .query_map(params![all, ws, agent], |r| {
                Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(sql)?;
        for row in rows {
            let (id, name, entity_type): (i64, String, String) = row.map_err(sql)?;
            visible.insert(id);
            if only.is_some_and(|o| !o.contains(&id)) {
                continue;
            }
            order.push((name.clone(), id));
            entities.insert(
                id,
                Entity {
                    name,
                    entity_type,
                    observations: Vec::new(),
                },
            );
        }
    }
    let mut stmt = conn
        .prepare_cached("SELECT entity_id, content FROM memory_observations ORDER BY id")
        .map_err(sql)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .map_err(sql)?;
    for row in rows {
        let (id, content) = row.map_err(sql)?;
        if let Some(e) = entities.get_mut(&id) {
            e.observations.push(content);
        }
    }
    let mut relations = Vec::new();
    let mut stmt = conn
        .prepare_cached(
            "SELECT r.from_id, r.to_id, f.name, t.name, r.relation_type FROM memory_relations r
             JOIN memory_entities f ON f.id = r.from_id JOIN memory_entities t ON t.id = r.to_id
             ORDER BY f.name, t.name, r.relation_type",
        )
        .map_err(sql)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })
        .map_err(sql)?;
    for row in rows {
        let (f, t, from, to, relation_type) = row.map_err(sql)?;
        // As the reference MCP memory server: a selection brings the
        // relations with at least one endpoint in it (both must be visible).
        let selected = entities.contains_key(&f) || entities.contains_key(&t);
        if selected && visible.contains(&f) && visible.contains(&t) {
            relations.push(Relation {
                from,
                to,
                relation_type,
            });
        }
    }
    Ok(Graph {
        entities: order
            .into_iter()
            .filter_map(|(_, id)| entities.remove(&id))
            .collect(),
        relations,
    })
}

/// [`load_graph`] of a selection, by index lookups per selected entity (a
/// search's ten results, `open_nodes`), so its cost does not grow with the
/// whole graph: the same entities, observations and relations (those with
/// an endpoint in the selection and both endpoints visible), in the same
/// order.
fn load_selection(store: &Store, access: &Access, ids: &BTreeSet<i64>) -> Result<Graph> {
    let conn = store.conn();
    let sql = |e| store_err(store.path(), e);
    let (all, ws, agent) = visible_params(access);
    let mut entity = conn
        .prepare_cached(&format!(
            "SELECT e.name, e.entity_type FROM memory_entities e WHERE e.id = ?4 AND {VISIBLE}"
        ))
        .map_err(sql)?;
    let mut observations = conn
        .prepare_cached("SELECT content FROM memory_observations WHERE entity_id = ?1 ORDER BY id")
        .map_err(sql)?;
    let both_visible = format!(
        "{} AND {}",
        VISIBLE.replace("e.", "f."),
        VISIBLE.replace("e.", "t.")
    );
    let mut touching = conn
        .prepare_cached(&format!(
            "SELECT r.id, f.name, t.name, r.relation_type FROM memory_relations r
             JOIN memory_entities f ON f.id = r.from_id JOIN memory_entities t ON t.id = r.to_id
             WHERE r.from_id = ?4 AND {both_visible}
             UNION
             SELECT r.id, f.name, t.name, r.relation_type FROM memory_relations r
             JOIN memory_entities f ON f.id = r.from_id JOIN memory_entities t ON t.id = r.to_id
             WHERE r.to_id = ?4 AND {both_visible}"
        ))
        .map_err(sql)?;
    let mut entities: Vec<(String, i64, Entity)> = Vec::new();
    let mut relations: BTreeMap<i64, (String, String, String)> = BTreeMap::new();
    for &id in ids {
        let Some((name, entity_type)) = entity
            .query_row(params![all, ws, agent, id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .optional()
            .map_err(sql)?
        else {
            continue;
        };
        let obs = observations
            .query_map([id], |r| r.get::<_, String>(0))
            .map_err(sql)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql)?;
        let rows = touching
            .query_map(params![all, ws, agent, id], |r| {
                Ok((r.get::<_, i64>(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
            })
            .map_err(sql)?;
        for row in rows {
            let (rid, rel) = row.map_err(sql)?;
            relations.insert(rid, rel);
        }
        entities.push((
            name.clone(),
            id,
            Entity {
                name,
                entity_type,
                observations: obs,
            },
        ));
    }
    entities.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let mut relations: Vec<Relation> = relations
        .into_values()
        .map(|(from, to, relation_type)| Relation {
            from,
            to,
            relation_type,
        })
        .collect();
    relations.sort_by(|a, b| {
        (&a.from, &a.to, &a.relation_type).cmp(&(&b.from, &b.to, &b.relation_type))
    });
    Ok(Graph {
        entities: entities.into_iter().map(|(_, _, e)| e).collect(),
        relations,
    })
}

/// Ids of visible entities with these names.
pub fn ids_by_name(store: &Store, access: &Access, names: &[String]) -> Result<BTreeSet<i64>> {
    let mut ids = BTreeSet::new();
    for n in names {
        if let Some(id) =
            entity_id(store.conn(), access, n).map_err(|e| store_err(store.path(), e))?
        {
            ids.insert(id);
        }
    }
    Ok(ids)
}

/// Entities within `depth` relation hops of `name` (either direction), and
/// the relations among them.
/// `name` and the entities reachable from it in up to `depth` hops over
/// relations in either direction; with `relation_types`, only over (and
/// showing only) relations of those types.
pub fn neighbourhood(
    store: &Store,
    access: &Access,
    name: &str,
    depth: usize,
    relation_types: &[String],
) -> Result<Graph> {
    let start = require(store.conn(), access, name)?;
    let types = (!relation_types.is_empty())
        .then(|| serde_json::to_string(relation_types).unwrap_or_default());
    let err = |e| store_err(store.path(), e);
    let mut seen = BTreeSet::from([start]);
    let mut frontier = vec![start];
    let mut stmt = store
        .conn()
        .prepare_cached(
            "SELECT to_id FROM memory_relations WHERE from_id = ?1
               AND (?2 IS NULL OR relation_type IN (SELECT value FROM json_each(?2)))
             UNION SELECT from_id FROM memory_relations WHERE to_id = ?1
               AND (?2 IS NULL OR relation_type IN (SELECT value FROM json_each(?2)))",
        )
        .map_err(err)?;
    for _ in 0..depth {
        let mut next = Vec::new();
        for id in frontier {
            let ids = stmt
                .query_map(params![id, types], |r| r.get::<_, i64>(0))
                .map_err(err)?
                .collect::<rusqlite::Result<Vec<i64>>>()
                .map_err(err)?;
            next.extend(ids.into_iter().filter(|n| seen.insert(*n)));
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    let mut graph = load_graph(store, access, Some(&seen))?;
    if !relation_types.is_empty() {
        graph
            .relations
            .retain(|r| relation_types.contains(&r.relation_type));
    }
    Ok(graph)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryScope;

    fn entity(name: &str) -> Entity {
        Entity {
            name: name.into(),
            entity_type: "note".into(),
            observations: vec![format!("{name} one"), format!("{name} two")],
        }
    }

    fn relation(from: &str, to: &str) -> Relation {
        Relation {
            from: from.into(),
            to: to.into(),
            relation_type: "knows".into(),
        }
    }

    /// A selection is read by index lookups; it must give what the whole
    /// graph gives for those entities: their observations, and the
    /// relations touching them whose other end the reader may see.
    #[test]
    fn a_selection_reads_like_the_whole_graph_filtered() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("caxton.db")).unwrap();
        let global = Access::operator(MemoryScope::Global, None, None);
        let b = Access::operator(MemoryScope::Agent, Some("b".into()), None);
        let a = Access::operator(MemoryScope::Agent, Some("a".into()), None);
        let names = ["zed", "amy", "kim"];
        let all: Vec<Entity> = names.iter().map(|n| entity(n)).collect();
        create_entities(&mut store, &global, &all, None).unwrap();
        create_entities(&mut store, &b, &[entity("secret")], None).unwrap();
        create_relations(
            &mut store,
            &global,
            &[
                relation("zed", "amy"),
                relation("amy", "kim"),
                relation("kim", "zed"),
            ],
        )
        .unwrap();
        create_relations(&mut store, &b, &[relation("zed", "secret")]).unwrap();
        let wanted: Vec<String> = ["zed", "secret", "kim"].map(String::from).to_vec();
        for who in [&a, &b, &global] {
            let ids = ids_by_name(&store, who, &wanted).unwrap();
            let got = load_graph(&store, who, Some(&ids)).unwrap();
            let whole = load_graph(&store, who, None).unwrap();
            let chosen: Vec<&str> = whole
                .entities
                .iter()
                .map(|e| e.name.as_str())
                .filter(|n| wanted.iter().any(|w| w == n))
                .collect();
            assert_eq!(
                got.entities
                    .iter()
                    .map(|e| e.name.as_str())
                    .collect::<Vec<_>>(),
                chosen
            );
            let expect: Vec<Entity> = whole
                .entities
                .iter()
                .filter(|e| chosen.contains(&e.name.as_str()))
                .cloned()
                .collect();
            assert_eq!(got.entities, expect);
            let touching: Vec<Relation> = whole
                .relations
                .iter()
                .filter(|r| chosen.contains(&r.from.as_str()) || chosen.contains(&r.to.as_str()))
                .cloned()
                .collect();
            assert_eq!(got.relations, touching);
        }
        // Agent a does not see `secret` nor the relation to it.
        let ids = ids_by_name(&store, &a, &wanted).unwrap();
        let got = load_graph(&store, &a, Some(&ids)).unwrap();
        assert!(got.relations.iter().all(|r| r.to != "secret"));
        assert_eq!(got.relations.len(), 3);
    }
}
