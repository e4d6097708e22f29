//! Caxton as an A2A server (issue 19; A2A protocol 0.3, JSON-RPC binding):
//! an Agent Card whose skills are the deployed agents' capabilities, and
//! `message/send`, routed to a capability through the messaging layer, so a
//! conversation started from A2A is a Caxton conversation (its `contextId`
//! is the conversation id). The daemon mounts this (server/a2a.rs); the
//! functions here only build and answer JSON.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

use super::agents::{AgentEntry, Gateway};
use crate::messaging::NewMessage;

/// The A2A protocol version the card and the JSON-RPC answers follow.
pub const PROTOCOL_VERSION: &str = "0.3.0";

/// How long `message/send` waits for the agent's reply.
pub const REPLY_WAIT: Duration = Duration::from_secs(120);

/// The Agent Card for a daemon reachable at `base_url` (no trailing `/`).
/// It names capabilities and the public descriptions of the agents that
/// offer them, never configuration values (keys, tokens, prompts).
pub fn card(agents: &[AgentEntry], base_url: &str, bearer: bool) -> Value {
    let mut skills: BTreeMap<&str, Vec<&AgentEntry>> = BTreeMap::new();
    for a in agents {
        for c in &a.capabilities {
            skills.entry(c.as_str()).or_default().push(a);
        }
    }
    let skills: Vec<Value> = skills
        .into_iter()
        .map(|(capability, by)| {
            let offered: Vec<String> = by
                .iter()
                .map(|a| match &a.description {
                    Some(d) => format!("{} ({d})", a.id),
                    None => a.id.clone(),
                })
                .collect();
            json!({
                "id": capability,
                "name": capability,
                "description": format!("Routed by capability `{capability}` to: {}", offered.join("; ")),
                "tags": [capability],
                "inputModes": ["text/plain", "application/json"],
                "outputModes": ["text/plain", "application/json"],
            })
        })
        .collect();
    let mut card = json!({
        "protocolVersion": PROTOCOL_VERSION,
        "name": "Caxton",
        "description": "A local multi-agent server: send a message to a skill (a capability) and the agent offering it answers. Name the skill in `metadata.skill` unless there is only one.",
        "url": format!("{base_url}/a2a"),
        "preferredTransport": "JSONRPC",
        "version": env!("CARGO_PKG_VERSION"),
        "capabilities": {"streaming": false, "pushNotifications": false, "stateTransitionHistory": false},
        "defaultInputModes": ["text/plain", "application/json"],
        "defaultOutputModes": ["text/plain", "application/json"],
        "skills": skills,
    });
    if bearer {
        card["securitySchemes"] = json!({"bearer": {"type": "http", "scheme": "bearer"}});
        card["security"] = json!([{"bearer": []}]);
    }
    card
}

/// JSON-RPC error codes (JSON-RPC 2.0 and A2A 0.3).
mod code {
    pub const PARSE_ERROR: i64 = -32700;
    pub const INVALID_REQUEST: i64 = -32600;
    pub const METHOD_NOT_FOUND: i64 = -32601;
    pub const INVALID_PARAMS: i64 = -32602;
    pub const INTERNAL_ERROR: i64 = -32603;
    /// A2A: the operation is not supported (streaming, tasks).
    pub const UNSUPPORTED_OPERATION: i64 = -32004;
}

fn error(id: Value, code: i64, message: String) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SendParams {
    message: A2aMessage,
    #[serde(default)]
    metadata: Option<serde_json::Map<String, Value>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct A2aMessage {
    role: String,
    parts: Vec<Part>,
    message_id: String,
    #[serde(default)]
    context_id: Option<String>,
    #[serde(default)]
    metadata: Option<serde_json::Map<String, Value>>,
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Part {
    Text { text: String },
    Data { data: Value },
    File {},
}

/// Answer one JSON-RPC request body (bytes as received). Always a JSON-RPC
/// response object, errors included.
pub fn handle(body: &[u8], gateway: &dyn Gateway) -> Value {
    let req: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return error(Value::Null, code::PARSE_ERROR, format!("parse error: {e}")),
    };
    let id = req.get("id").cloned().unwrap_or(Value::Null);
    let (Some("2.0"), Some(method)) = (
        req.get("jsonrpc").and_then(Value::as_str),
        req.get("method").and_then(Value::as_str),
    ) else {
        return error(
            id,
            code::INVALID_REQUEST,
            "invalid request: a JSON-RPC 2.0 object with `jsonrpc: \"2.0\"` and `method` is required".into(),
        );
    };
    match method {
        "message/send" => {
            let params = req.get("params").cloned().unwrap_or(Value::Null);
            match serde_path_to_error::deserialize::<_, SendParams>(params) {
                Ok(p) => send(id, p, gateway),
                Err(e) => error(
                    id,
                    code::INVALID_PARAMS,
                    format!("invalid params at `{}`: {}", e.path(), e.inner()),
                ),
            }
        }
        "message/stream"
        | "tasks/get"
        | "tasks/cancel"
        | "tasks/resubscribe"
        | "tasks/pushNotificationConfig/set"
        | "tasks/pushNotificationConfig/get" => error(
            id,
            code::UNSUPPORTED_OPERATION,
            format!(
                "{method} is not supported: Caxton answers message/send with the reply message"
            ),
        ),
        other => error(
            id,
            code::METHOD_NOT_FOUND,
            format!("method not found: {other}"),
        ),
    }
}

fn send(id: Value, p: SendParams, gateway: &dyn Gateway) -> Value {
    if p.message.role != "user" {
        return error(
            id,
            code::INVALID_PARAMS,
            "message.role must be \"user\"".into(),
        );
    }
    let agents = match gateway.agents() {
        Ok(a) => a,
        Err(e) => return error(id, code::INTERNAL_ERROR, e.to_string()),
    };
    let mut skills: Vec<&str> = agents
        .iter()
        .flat_map(|a| a.capabilities.iter().map(String::as_str))
        .collect();
    skills.sort_unstable();
    skills.dedup();
    let named = [p.metadata.as_ref(), p.message.metadata.as_ref()]
        .into_iter()
        .flatten()
        .find_map(|m| m.get("skill").and_then(Value::as_str).map(String::from));
    let capability = match (named, skills.as_slice()) {
        (Some(s), _) if skills.contains(&s.as_str()) => s,
        (Some(s), _) => {
            return error(
                id,
                code::INVALID_PARAMS,
                format!("no skill `{s}`: the skills are {}", skills.join(", ")),
            );
        }
        (None, [only]) => only.to_string(),
        (None, _) => {
            return error(
                id,
                code::INVALID_PARAMS,
                format!(
                    "name the skill in params.metadata.skill: one of {}",
                    skills.join(", ")
                ),
            );
        }
    };
    let mut texts = Vec::new();
    let mut data = Vec::new();
    for part in p.message.parts {
        match part {
            Part::Text { text } => texts.push(text),
            Part::Data { data: d } => data.push(d),
            Part::File {} => {
                return error(
                    id,
                    code::INVALID_PARAMS,
                    "file parts are not supported; send text or data".into(),
                );
            }
        }
    }
    let content = match (texts.is_empty(), data.len()) {
        (false, 0) => Value::String(texts.join("\n")),
        (true, 1) => data.pop().unwrap_or_default(),
        (true, 0) => return error(id, code::INVALID_PARAMS, "message.parts is empty".into()),
        _ => json!({"text": texts.join("\n"), "data": data}),
    };
    let new = NewMessage {
        message_id: Some(format!("a2a-{}", p.message.message_id)),
        performative: "request".into(),
        sender: Some("a2a".into()),
        capability: Some(capability),
        content,
        conversation_id: p.message.context_id,
        ..Default::default()
    };
    let report = match gateway.send(new, REPLY_WAIT) {
        Ok(r) => r,
        Err(e) => {
            let message = match e.hint() {
                Some(h) => format!("{e} ({h})"),
                None => e.to_string(),
            };
            return error(id, code::INVALID_PARAMS, message);
        }
    };
    let Some(reply) = report.reply else {
        return error(
            id,
            code::INTERNAL_ERROR,
            format!(
                "no reply within {}s (conversation {})",
                REPLY_WAIT.as_secs(),
                report.conversation_id
            ),
        );
    };
    let part = match &reply.content {
        Value::String(s) => json!({"kind": "text", "text": s}),
        v => json!({"kind": "data", "data": v}),
    };
    let failed = reply.performative.is_failure();
    json!({"jsonrpc": "2.0", "id": id, "result": {
        "kind": "message",
        "role": "agent",
        "messageId": reply.message_id,
        "contextId": report.conversation_id,
        "parts": [part],
        "metadata": {"agent": reply.sender, "performative": reply.performative, "failed": failed},
    }})
}
