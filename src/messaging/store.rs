//! Messages, conversations and agent health in the store. Every function
//! takes a connection or an open transaction: the caller decides what
//! commits together (a message is always committed before its delivery).

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::Value;

use super::message::{Message, Performative, State};
use super::router::Breaker;

const COLUMNS: &str =
    "message_id, performative, sender, receiver, capability, content, conversation_id,
     reply_with, in_reply_to, created_at, parent_id, depth, state, attempts, error, delivered_at,
     traceparent";

fn message(r: &Row) -> rusqlite::Result<Message> {
    let performative: String = r.get(1)?;
    let content: String = r.get(5)?;
    Ok(Message {
        message_id: r.get(0)?,
        performative: Performative::parse(&performative).unwrap_or(Performative::NotUnderstood),
        sender: r.get(2)?,
        receiver: r.get(3)?,
        capability: r.get(4)?,
        content: serde_json::from_str(&content).unwrap_or(Value::String(content)),
        conversation_id: r.get(6)?,
        reply_with: r.get(7)?,
        in_reply_to: r.get(8)?,
        created_at: r.get(9)?,
        parent_id: r.get(10)?,
        depth: r.get::<_, i64>(11)? as u32,
        state: State::parse(&r.get::<_, String>(12)?),
        attempts: r.get::<_, i64>(13)? as u32,
        error: r.get(14)?,
        delivered_at: r.get(15)?,
        traceparent: r.get(16)?,
    })
}

fn query(
    conn: &Connection,
    filter: &str,
    args: &[&dyn rusqlite::ToSql],
) -> rusqlite::Result<Vec<Message>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM messages {filter}"))?;
    stmt.query_map(args, message)?.collect()
}

/// Store `m` and count it in its conversation (created on first use).
/// False when a message with this id exists already: the duplicate is
/// dropped, which makes redelivery and client retries safe.
pub fn insert(tx: &Connection, m: &Message) -> rusqlite::Result<bool> {
    let exists = tx
        .prepare_cached("SELECT 1 FROM messages WHERE message_id = ?1")?
        .exists([&m.message_id])?;
    if exists {
        return Ok(false);
    }
    tx.prepare_cached(
        "INSERT INTO conversations (id, initiator, capability, message_count, created_at, updated_at)
         VALUES (?1, ?2, ?3, 1, ?4, ?4)
         ON CONFLICT (id) DO UPDATE SET message_count = message_count + 1, updated_at = excluded.updated_at",
    )?
    .execute(params![m.conversation_id, m.sender, m.capability, m.created_at])?;
    tx.prepare_cached(&format!(
        "INSERT INTO messages ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
    ))?
    .execute(params![
        m.message_id,
        m.performative.as_str(),
        m.sender,
        m.receiver,
        m.capability,
        serde_json::to_string(&m.content).unwrap_or_else(|_| "null".into()),
        m.conversation_id,
        m.reply_with,
        m.in_reply_to,
        m.created_at,
        m.parent_id,
        i64::from(m.depth),
        m.state.as_str(),
        i64::from(m.attempts),
        m.error,
        m.delivered_at,
        m.traceparent,
    ])?;
    Ok(true)
}

/// Record where a message is after a delivery attempt.
pub fn update(tx: &Connection, m: &Message) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE messages SET receiver = ?2, state = ?3, attempts = ?4, error = ?5, delivered_at = ?6
         WHERE message_id = ?1",
    )?
    .execute(params![
        m.message_id,
        m.receiver,
        m.state.as_str(),
        i64::from(m.attempts),
        m.error,
        m.delivered_at
    ])?;
    Ok(())
}

pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<Message>> {
    Ok(query(conn, "WHERE message_id = ?1", &[&id])?
        .into_iter()
        .next())
}

/// The reply to `m`: the message its handling sent back to its sender.
pub fn reply_to(conn: &Connection, m: &Message) -> rusqlite::Result<Option<Message>> {
    Ok(query(
        conn,
        "WHERE parent_id = ?1 AND receiver = ?2 ORDER BY seq LIMIT 1",
        &[&m.message_id, &m.sender],
    )?
    .into_iter()
    .next())
}

/// Messages stored but not yet delivered, oldest first.
/// The `limit` oldest undelivered messages.
pub fn pending(conn: &Connection, limit: usize) -> rusqlite::Result<Vec<Message>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    query(
        conn,
        "WHERE state = 'pending' ORDER BY seq LIMIT ?1",
        &[&limit],
    )
}

pub fn pending_count(conn: &Connection) -> rusqlite::Result<u64> {
    conn.prepare_cached("SELECT count(*) FROM messages WHERE state = 'pending'")?
        .query_row([], |r| r.get::<_, i64>(0))
        .map(|n| n as u64)
}

pub fn conversation(conn: &Connection, id: &str) -> rusqlite::Result<Vec<Message>> {
    query(conn, "WHERE conversation_id = ?1 ORDER BY seq", &[&id])
}

/// How many messages a conversation has and the agents that received any.
pub fn conversation_state(conn: &Connection, id: &str) -> rusqlite::Result<(u32, Vec<String>)> {
    let count: i64 = conn
        .prepare_cached("SELECT message_count FROM conversations WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT receiver FROM messages WHERE conversation_id = ?1 AND state = 'delivered'",
    )?;
    let agents = stmt
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok((count as u32, agents))
}

/// One line of `conversations list` / `GET /api/v1/conversations`.
#[derive(Debug, Clone, Serialize)]
pub struct ConversationSummary {
    pub(crate) conversation_id: String,
    pub(crate) initiator: String,
    pub(crate) capability: Option<String>,
    pub(crate) message_count: u64,
    pub(crate) pending: u64,
    pub(crate) failures: u64,
    pub(crate) participants: Vec<String>,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

const SUMMARY: &str = "SELECT c.id, c.initiator, c.capability, c.message_count, c.created_at, c.updated_at,
        (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id AND m.state = 'pending'),
        (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id AND m.performative = 'failure'),
        (SELECT group_concat(DISTINCT m.receiver) FROM messages m
           WHERE m.conversation_id = c.id AND m.state IN ('delivered', 'pending', 'failed'))
     FROM conversations c";

fn summary(r: &Row) -> rusqlite::Result<ConversationSummary> {
    let participants: Option<String> = r.get(8)?;
    let mut participants: Vec<String> = participants
        .map(|p| p.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    participants.sort();
    Ok(ConversationSummary {
        conversation_id: r.get(0)?,
        initiator: r.get(1)?,
        capability: r.get(2)?,
        message_count: r.get::<_, i64>(3)? as u64,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
        pending: r.get::<_, i64>(6)? as u64,
        failures: r.get::<_, i64>(7)? as u64,
        participants,
    })
}

/// Conversations, most recently active first.
pub fn conversations(
    conn: &Connection,
    limit: usize,
) -> rusqlite::Result<Vec<ConversationSummary>> {
    let mut stmt = conn.prepare(&format!(
        "{SUMMARY} ORDER BY c.updated_at DESC, c.id LIMIT ?1"
    ))?;
    stmt.query_map([limit as i64], summary)?.collect()
}

pub fn conversation_summary(
    conn: &Connection,
    id: &str,
) -> rusqlite::Result<Option<ConversationSummary>> {
    conn.query_row(&format!("{SUMMARY} WHERE c.id = ?1"), [id], summary)
        .optional()
}

/// `(conversations with pending messages, all conversations)`.
pub fn conversation_counts(conn: &Connection) -> rusqlite::Result<(u64, u64)> {
    conn.query_row(
        "SELECT (SELECT count(DISTINCT conversation_id) FROM messages WHERE state = 'pending'),
                (SELECT count(*) FROM conversations)",
        [],
        |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
    )
}

/// Persisted breakers, so CLI runs and daemon restarts share them.
pub fn health(conn: &Connection) -> rusqlite::Result<HashMap<String, Breaker>> {
    let mut stmt =
        conn.prepare("SELECT agent_id, consecutive_failures, opened_at FROM agent_health")?;
    stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            Breaker::restore(r.get::<_, i64>(1)? as u32, r.get(2)?),
        ))
    })?
    .collect()
}

/// The breaker of `agent` after `h.deliveries` deliveries (`h.failures` failed).
pub fn save_health(
    tx: &Connection,
    agent: &str,
    h: &HealthUpdate,
    now: i64,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO agent_health (agent_id, consecutive_failures, opened_at, deliveries, failures, last_error, updated_at)
         VALUES (?1, ?2, ?3, ?7, ?4, ?5, ?6)
         ON CONFLICT (agent_id) DO UPDATE SET
             consecutive_failures = excluded.consecutive_failures,
             opened_at = excluded.opened_at,
             deliveries = deliveries + excluded.deliveries,
             failures = failures + excluded.failures,
             last_error = coalesce(excluded.last_error, last_error),
             updated_at = excluded.updated_at",
    )?
    .execute(params![
        agent,
        i64::from(h.breaker.consecutive_failures),
        h.breaker.opened_at,
        h.failures as i64,
        h.last_error,
        now,
        h.deliveries as i64
    ])?;
    Ok(())
}

/// Deliveries to one agent within one committed batch.
#[derive(Default)]
pub struct HealthUpdate {
    pub breaker: Breaker,
    pub deliveries: u64,
    pub failures: u64,
    pub last_error: Option<String>,
}

/// Deliveries to one agent since it was first deployed.
#[derive(Debug, Clone, Default)]
pub struct DeliveryStats {
    pub deliveries: u64,
    pub failures: u64,
    pub last_error: Option<String>,
}

/// [`DeliveryStats`] per agent.
pub fn delivery_stats(conn: &Connection) -> rusqlite::Result<HashMap<String, DeliveryStats>> {
    let mut stmt =
        conn.prepare("SELECT agent_id, deliveries, failures, last_error FROM agent_health")?;
    stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            DeliveryStats {
                deliveries: r.get::<_, i64>(1)? as u64,
                failures: r.get::<_, i64>(2)? as u64,
                last_error: r.get(3)?,
            },
        ))
    })?
    .collect()
}
