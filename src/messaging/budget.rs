//! Conversation budgets are charged to the root conversation (issue 13,
//! item 5). An agent's `send_message` may name any `conversation_id`; were
//! each new conversation given a fresh `max_conversation_messages`, a
//! fan-out of k messages per delivery would grow as k^max_depth. So a
//! conversation opened by a message an agent sent while handling another
//! belongs to that one's tree, and every message anywhere in the tree counts
//! against the budget of the tree's root.
//!
//! The tree is in the store already: a conversation's first message links
//! (`parent_id`) to the message it was sent while handling. The root is
//! found by walking those links (at most `max_depth` steps, since depth grows
//! by one per link), and a root's charge after a restart is the sum of the
//! message counts of its tree. Both are cached in memory while the process
//! runs.

use rusqlite::{Connection, OptionalExtension};

use super::{ConvState, Inner, lock};
use crate::error::Result;
use crate::store::store_err;

/// Conversations whose roots are remembered before the cache is reset.
const ROOTS_CACHE: usize = 100_000;

/// Conversations of one tree counted after a restart; a tree larger than
/// this is over any budget anyway.
const TREE_LIMIT: u32 = 100_000;

/// The conversation whose message opened `conversation`, if another one did.
fn opened_by(conn: &Connection, conversation: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(
        "SELECT p.conversation_id FROM messages p
         WHERE p.message_id = (SELECT parent_id FROM messages WHERE conversation_id = ?1 ORDER BY seq LIMIT 1)",
    )?
    .query_row([conversation], |r| r.get::<_, String>(0))
    .optional()
    .map(|p| p.filter(|p| p != conversation))
}

/// The root of `conversation` in the store: itself unless its first message
/// was sent while handling a message of another conversation.
pub fn root_in_store(
    conn: &Connection,
    conversation: &str,
    max_steps: u32,
) -> rusqlite::Result<String> {
    let mut current = conversation.to_string();
    let mut seen = vec![current.clone()];
    for _ in 0..=max_steps {
        match opened_by(conn, &current)? {
            Some(p) if !seen.contains(&p) => {
                seen.push(p.clone());
                current = p;
            }
            _ => break,
        }
    }
    Ok(current)
}

/// Messages stored anywhere in the tree rooted at `root`.
pub fn tree_count(conn: &Connection, root: &str) -> rusqlite::Result<u32> {
    let n: i64 = conn
        .prepare_cached(
            "WITH RECURSIVE tree(id) AS (
                 SELECT ?1
                 UNION
                 SELECT c.conversation_id FROM tree
                   JOIN messages p ON p.conversation_id = tree.id
                   JOIN messages c ON c.parent_id = p.message_id
                 LIMIT ?2
             )
             SELECT coalesce(sum(message_count), 0) FROM conversations WHERE id IN tree",
        )?
        .query_row(rusqlite::params![root, TREE_LIMIT], |r| r.get(0))?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

impl Inner {
    /// The root conversation `conversation` is charged to.
    pub(super) fn root_of(&self, conversation: &str) -> Result<String> {
        if let Some(r) = lock(&self.roots).get(conversation) {
            return Ok(r.clone());
        }
        let root = {
            let store = lock(&self.store);
            root_in_store(store.conn(), conversation, self.protection.max_depth)
                .map_err(|e| store_err(store.path(), e))?
        };
        self.remember_root(conversation, &root);
        Ok(root)
    }

    fn remember_root(&self, conversation: &str, root: &str) {
        let mut roots = lock(&self.roots);
        if roots.len() >= ROOTS_CACHE {
            roots.clear();
        }
        roots.insert(conversation.to_string(), root.to_string());
    }

    /// A conversation that exists nowhere yet, opened by `m` (a message an
    /// agent sends while handling one of `parent_conversation`), joins the
    /// parent's tree. One that exists keeps the root it has.
    pub(super) fn link(&self, conversation: &str, parent_conversation: &str) -> Result<()> {
        if conversation == parent_conversation || lock(&self.roots).contains_key(conversation) {
            return Ok(());
        }
        let exists = {
            let store = lock(&self.store);
            store
                .conn()
                .prepare_cached("SELECT 1 FROM conversations WHERE id = ?1")
                .and_then(|mut s| s.exists([conversation]))
                .map_err(|e| store_err(store.path(), e))?
        };
        let root = if exists {
            self.root_of(conversation)?
        } else {
            self.root_of(parent_conversation)?
        };
        self.remember_root(conversation, &root);
        Ok(())
    }

    /// A conversation started here (no id given): its own root.
    pub(super) fn new_root(&self, conversation: &str) {
        self.remember_root(conversation, conversation);
    }

    /// Messages charged to the budget `conversation` draws on: those of its
    /// root's whole tree.
    pub(super) fn charged(&self, conversation: &str) -> Result<u32> {
        let root = self.root_of(conversation)?;
        Ok(self.tree_state(&root)?.count)
    }

    /// The cached state of `id`, loaded on a miss; `count` covers its tree.
    pub(super) fn tree_state(&self, id: &str) -> Result<ConvState> {
        if let Some(c) = lock(&self.conversations).get(id) {
            return Ok(c.clone());
        }
        let c = {
            let store = lock(&self.store);
            let db = |e| store_err(store.path(), e);
            let (_, participants) =
                super::store::conversation_state(store.conn(), id).map_err(db)?;
            let count = tree_count(store.conn(), id).map_err(db)?;
            ConvState {
                count,
                participants,
            }
        };
        let mut cache = lock(&self.conversations);
        if cache.len() >= super::CONVERSATION_CACHE {
            cache.clear();
        }
        cache.insert(id.to_string(), c.clone());
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE TABLE conversations (id TEXT PRIMARY KEY, message_count INTEGER);
             CREATE TABLE messages (seq INTEGER PRIMARY KEY, message_id TEXT, conversation_id TEXT, parent_id TEXT);",
        )
        .unwrap();
        c
    }

    fn add(c: &Connection, id: &str, conv: &str, parent: Option<&str>) {
        c.execute(
            "INSERT INTO messages (message_id, conversation_id, parent_id) VALUES (?1, ?2, ?3)",
            rusqlite::params![id, conv, parent],
        )
        .unwrap();
        c.execute(
            "INSERT INTO conversations VALUES (?1, 1) ON CONFLICT (id) DO UPDATE SET message_count = message_count + 1",
            [conv],
        )
        .unwrap();
    }

    #[test]
    fn a_fan_out_into_new_conversations_is_one_tree() {
        let c = db();
        add(&c, "m0", "root", None);
        add(&c, "m1", "root", Some("m0"));
        for k in 0..3 {
            let conv = format!("child{k}");
            add(&c, &format!("c{k}"), &conv, Some("m1"));
            add(
                &c,
                &format!("g{k}"),
                &format!("grand{k}"),
                Some(&format!("c{k}")),
            );
        }
        add(&c, "x", "other", None);
        assert_eq!(root_in_store(&c, "grand2", 16).unwrap(), "root");
        assert_eq!(root_in_store(&c, "child0", 16).unwrap(), "root");
        assert_eq!(root_in_store(&c, "other", 16).unwrap(), "other");
        assert_eq!(root_in_store(&c, "unknown", 16).unwrap(), "unknown");
        assert_eq!(tree_count(&c, "root").unwrap(), 2 + 3 + 3);
        assert_eq!(tree_count(&c, "other").unwrap(), 1);
    }

    #[test]
    fn cycles_in_stored_links_end() {
        let c = db();
        add(&c, "a", "A", Some("b"));
        add(&c, "b", "B", Some("a"));
        let r = root_in_store(&c, "A", 16).unwrap();
        assert!(r == "A" || r == "B");
        assert_eq!(tree_count(&c, "A").unwrap(), 2);
    }
}
