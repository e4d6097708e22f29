//! Keeping the memory's full-text index (`memory_fts`) in step with its
//! tables, once per write transaction.
//!
//! The triggers on `memory_entities` and `memory_observations` do not write
//! FTS5 themselves (schema migration 12 says why): they note the FTS rowid
//! of every row they insert, delete or rename in `memory_fts_pending`.
//! [`flush`] runs just before a write transaction commits (`Store::write`,
//! the group-commit writer) and re-derives exactly those index rows from the
//! tables, so a committed row is searchable at once and a crash cannot
//! leave an index row without its row or the reverse: both are in the same
//! transaction.

use rusqlite::Connection;

/// The current version of every noted row that still exists, into the
/// index. CROSS JOIN keeps the notes the outer loop: a seek per note, never
/// a scan of the tables.
const INDEX_PENDING: &str = "INSERT INTO memory_fts (rowid, name, entity_type, content, entity_id)
         SELECT -e.id, e.name, e.entity_type, '', e.id
           FROM memory_fts_pending p CROSS JOIN memory_entities e ON e.id = -p.fts_rowid
          WHERE p.fts_rowid < 0
         UNION ALL
         SELECT o.id, e.name, e.entity_type, o.content, e.id
           FROM memory_fts_pending p
           CROSS JOIN memory_observations o ON o.id = p.fts_rowid
           CROSS JOIN memory_entities e ON e.id = o.entity_id
          WHERE p.fts_rowid > 0";

/// Replace the index rows the triggers noted with what the tables hold now
/// (deleted rows lose theirs), and clear the notes. Costs one indexed
/// lookup when nothing is pending, which is every write of other tables.
pub fn flush(conn: &Connection) -> rusqlite::Result<()> {
    let pending: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM memory_fts_pending)")?
        .query_row([], |r| r.get(0))?;
    if !pending {
        return Ok(());
    }
    // Old versions out first (a renamed entity's rows are in the index
    // under the same rowids), one seek each: FTS5 cannot use an index for
    // `rowid IN (...)` and would scan the whole table. New rows, the common
    // case, have nothing to remove.
    let stale: Vec<i64> = conn
        .prepare_cached("SELECT fts_rowid FROM memory_fts_pending WHERE stale")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut delete = conn.prepare_cached("DELETE FROM memory_fts WHERE rowid = ?1")?;
    for rowid in stale {
        delete.execute([rowid])?;
    }
    // One statement for the whole transaction: FTS5 writes all of it as one
    // index segment when the transaction commits.
    conn.prepare_cached(INDEX_PENDING)?.execute([])?;
    conn.prepare_cached("DELETE FROM memory_fts_pending")?
        .execute([])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use rusqlite::Connection;

    use crate::error::Result;
    use crate::store::group::GroupCommit;
    use crate::store::{Store, store_err};

    /// What a keyword query finds, as (rowid, name, content), by rowid.
    fn found(conn: &Connection, query: &str) -> Vec<(i64, String, String)> {
        conn.prepare(
            "SELECT rowid, name, content FROM memory_fts WHERE memory_fts MATCH ?1 ORDER BY rowid",
        )
        .unwrap()
        .query_map([query], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
    }

    fn pending(conn: &Connection) -> i64 {
        conn.query_row("SELECT count(*) FROM memory_fts_pending", [], |r| r.get(0))
            .unwrap()
    }

    fn sql(conn: &Connection, sql: &str) -> Result<()> {
        conn.execute_batch(sql)
            .map_err(|e| store_err(Path::new("t"), e))
    }

    const ENTITY: &str = "INSERT INTO memory_entities
        (id, name, entity_type, scope, created_by, created_at, updated_at)
        VALUES (1, 'alpha', 'thing', 'global', 't', 0, 0);";

    #[test]
    fn a_committed_write_is_searchable_and_renames_and_deletes_follow() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("caxton.db")).unwrap();
        s.write(|tx| {
            sql(
                tx,
                &format!(
                    "{ENTITY}
                     INSERT INTO memory_observations (id, entity_id, content, created_by, created_at)
                     VALUES (7, 1, 'zebras graze', 't', 0), (8, 1, 'lions hunt', 't', 0);"
                ),
            )
        })
        .unwrap();
        let c = s.conn();
        assert_eq!(
            found(c, "zebras"),
            [(7, "alpha".into(), "zebras graze".into())]
        );
        assert_eq!(
            found(c, "alpha").len(),
            3,
            "the entity and both observations"
        );
        assert_eq!(pending(c), 0);

        // A rename reaches the entity's row and every observation's row.
        s.write(|tx| sql(tx, "UPDATE memory_entities SET name = 'beta' WHERE id = 1"))
            .unwrap();
        let c = s.conn();
        assert!(found(c, "alpha").is_empty());
        assert_eq!(
            found(c, "beta").iter().map(|r| r.0).collect::<Vec<_>>(),
            [-1, 7, 8]
        );

        // Deleting an observation, then the entity (cascading to the rest).
        s.write(|tx| sql(tx, "DELETE FROM memory_observations WHERE id = 7"))
            .unwrap();
        assert!(found(s.conn(), "zebras").is_empty());
        assert_eq!(found(s.conn(), "lions").len(), 1);
        s.write(|tx| sql(tx, "DELETE FROM memory_entities WHERE id = 1"))
            .unwrap();
        let n: i64 = s
            .conn()
            .query_row("SELECT count(*) FROM memory_fts", [], |r| r.get(0))
            .unwrap();
        assert_eq!((n, pending(s.conn())), (0, 0));
    }

    #[test]
    fn indexing_the_notes_seeks_rows_and_never_scans_a_table() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("caxton.db")).unwrap();
        let plan: Vec<String> = s
            .conn()
            .prepare(&format!("EXPLAIN QUERY PLAN {}", super::INDEX_PENDING))
            .unwrap()
            .query_map([], |r| r.get(3))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        // The tables are reached only by one rowid each (a range search on
        // `o` or `e` would read every row, as a plain JOIN planned it).
        let tables: Vec<_> = plan
            .iter()
            .filter(|d| d.starts_with("SEARCH o ") || d.starts_with("SEARCH e "))
            .collect();
        assert_eq!(tables.len(), 3, "{plan:#?}");
        assert!(tables.iter().all(|d| d.ends_with("(rowid=?)")), "{plan:#?}");
        assert!(!plan.iter().any(|d| d.starts_with("SCAN")), "{plan:#?}");
    }

    #[test]
    fn group_commit_indexes_each_batch_and_a_failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("caxton.db");
        drop(Store::open(&path).unwrap());
        let g = GroupCommit::new(&path).unwrap();
        g.write(|c| sql(c, ENTITY)).unwrap();
        let r = g.write(|c| {
            sql(
                c,
                "INSERT INTO memory_observations (entity_id, content, created_by, created_at)
                 VALUES (1, 'never kept', 't', 0)",
            )?;
            sql(c, "SELECT no_such_function()")
        });
        assert!(r.is_err());
        g.write(|c| {
            sql(
                c,
                "INSERT INTO memory_observations (entity_id, content, created_by, created_at)
                 VALUES (1, 'kept here', 't', 0)",
            )
        })
        .unwrap();
        let s = Store::open(&path).unwrap();
        assert_eq!(found(s.conn(), "alpha").len(), 2);
        assert!(found(s.conn(), "never").is_empty());
        assert_eq!(found(s.conn(), "kept").len(), 1);
        assert_eq!(pending(s.conn()), 0);
    }
}
