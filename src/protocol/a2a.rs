//! Caxton as an A2A server (issue 19; A2A protocol 0.3, JSON-RPC binding):
//! an Agent Card whose skills are the deployed agents' capabilities, and
//! `message/send` and `message/stream`, routed to a capability through the messaging layer, so a
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
        "capabilities": {"streaming": true, "pushNotifications": false, "stateTransitionHistory": false},
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

/// How a JSON-RPC request is answered.
pub enum Answer {
    /// One JSON-RPC response object, errors included.
    Json(Value),
    /// `message/stream`: a stream of events ([`stream`]), each a JSON-RPC
    /// response object; one error event when the request is wrong.
    Stream(Result<Box<Streamed>, Value>),
}

/// A `message/stream` request, checked and ready to send.
pub struct Streamed {
    id: Value,
    new: NewMessage,
}

/// Answer one JSON-RPC request body (bytes as received): `message/send`
/// here, `message/stream` as the events [`stream`] sends.
pub fn handle(body: &[u8], gateway: &dyn Gateway) -> Answer {
    let req: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Answer::Json(error(
                Value::Null,
                code::PARSE_ERROR,
                format!("parse error: {e}"),
            ));
        }
    };
    let id = req.get("id").cloned().unwrap_or(Value::Null);
    let (Some("2.0"), Some(method)) = (
        req.get("jsonrpc").and_then(Value::as_str),
        req.get("method").and_then(Value::as_str),
    ) else {
        return Answer::Json(error(
            id,
            code::INVALID_REQUEST,
            "invalid request: a JSON-RPC 2.0 object with `jsonrpc: \"2.0\"` and `method` is required".into(),
        ));
    };
    match method {
        "message/send" | "message/stream" => {
            let params = req.get("params").cloned().unwrap_or(Value::Null);
            let new = match serde_path_to_error::deserialize::<_, SendParams>(params) {
                Ok(p) => request(&id, p, gateway),
                Err(e) => Err(error(
                    id.clone(),
                    code::INVALID_PARAMS,
                    format!("invalid params at `{}`: {}", e.path(), e.inner()),
                )),
            };
            match (new, method) {
                (Err(e), "message/send") => Answer::Json(e),
                (Ok(new), "message/send") => Answer::Json(send(id, new, gateway)),
                (new, _) => Answer::Stream(new.map(|new| Box::new(Streamed { id, new }))),
            }
        }
        "tasks/get"
        | "tasks/cancel"
        | "tasks/resubscribe"
        | "tasks/pushNotificationConfig/set"
        | "tasks/pushNotificationConfig/get" => Answer::Json(error(
            id,
            code::UNSUPPORTED_OPERATION,
            format!(
                "{method} is not supported: Caxton answers message/send with the reply \
                 message and message/stream with the task's events; tasks are not kept"
            ),
        )),
        other => Answer::Json(error(
            id,
            code::METHOD_NOT_FOUND,
            format!("method not found: {other}"),
        )),
    }
}

/// The Caxton message for an A2A message, or the JSON-RPC error saying
/// what is wrong with it.
fn request(id: &Value, p: SendParams, gateway: &dyn Gateway) -> Result<NewMessage, Value> {
    let bad = |message: String| error(id.clone(), code::INVALID_PARAMS, message);
    if p.message.role != "user" {
        return Err(bad("message.role must be \"user\"".into()));
    }
    let agents = gateway
        .agents()
        .map_err(|e| error(id.clone(), code::INTERNAL_ERROR, e.to_string()))?;
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
            return Err(bad(format!(
                "no skill `{s}`: the skills are {}",
                skills.join(", ")
            )));
        }
        (None, [only]) => only.to_string(),
        (None, _) => {
            return Err(bad(format!(
                "name the skill in params.metadata.skill: one of {}",
                skills.join(", ")
            )));
        }
    };
    let mut texts = Vec::new();
    let mut data = Vec::new();
    for part in p.message.parts {
        match part {
            Part::Text { text } => texts.push(text),
            Part::Data { data: d } => data.push(d),
            Part::File {} => {
                return Err(bad("file parts are not supported; send text or data".into()));
            }
        }
    }
    let content = match (texts.is_empty(), data.len()) {
        (false, 0) => Value::String(texts.join("\n")),
        (true, 1) => data.pop().unwrap_or_default(),
        (true, 0) => return Err(bad("message.parts is empty".into())),
        _ => json!({"text": texts.join("\n"), "data": data}),
    };
    Ok(NewMessage {
        message_id: Some(format!("a2a-{}", p.message.message_id)),
        performative: "request".into(),
        sender: Some("a2a".into()),
        capability: Some(capability),
        content,
        conversation_id: p.message.context_id,
        ..Default::default()
    })
}

/// `message/send`: the reply as an A2A `Message`, or the JSON-RPC error.
fn send(id: Value, new: NewMessage, gateway: &dyn Gateway) -> Value {
    match reply(&id, new, gateway) {
        Ok(r) => json!({"jsonrpc": "2.0", "id": id, "result": r.message}),
        Err(e) => e,
    }
}

/// The agent's answer to a request, as an A2A `Message`.
struct Replied {
    message: Value,
    /// A `failure` (or `refuse`, `not-understood`) reply.
    failed: bool,
}

/// Send `new` and wait for the reply; the JSON-RPC error when it cannot be
/// sent or none comes in time.
fn reply(id: &Value, new: NewMessage, gateway: &dyn Gateway) -> Result<Replied, Value> {
    let report = gateway.send(new, REPLY_WAIT, None).map_err(|e| {
        let message = match e.hint() {
            Some(h) => format!("{e} ({h})"),
            None => e.to_string(),
        };
        error(id.clone(), code::INVALID_PARAMS, message)
    })?;
    let Some(reply) = report.reply else {
        return Err(error(
            id.clone(),
            code::INTERNAL_ERROR,
            format!(
                "no reply within {}s (conversation {})",
                REPLY_WAIT.as_secs(),
                report.conversation_id
            ),
        ));
    };
    let part = match &reply.content {
        Value::String(s) => json!({"kind": "text", "text": s}),
        v => json!({"kind": "data", "data": v}),
    };
    let failed = reply.performative.is_failure();
    Ok(Replied {
        message: json!({
            "kind": "message",
            "role": "agent",
            "messageId": reply.message_id,
            "contextId": report.conversation_id,
            "parts": [part],
            "metadata": {"agent": reply.sender, "performative": reply.performative, "failed": failed},
        }),
        failed,
    })
}

/// Answer a `message/stream` request: the task (`submitted`), its status
/// `working` while the agent runs, then its final status (`completed` with
/// the reply as its message, or `failed`) with `final: true`, each given
/// to `emit` as a JSON-RPC response object. The task is the Caxton message
/// (its id is the task id), its context the conversation: one the client
/// names, else a new one whose id is chosen here so the first event can
/// carry it.
pub fn stream(s: Box<Streamed>, gateway: &dyn Gateway, emit: &mut dyn FnMut(Value)) {
    let Streamed { id, mut new } = *s;
    let context = new
        .conversation_id
        .get_or_insert_with(crate::messaging::new_id)
        .clone();
    let task = new.message_id.clone().unwrap_or_default();
    let result = |r: Value| json!({"jsonrpc": "2.0", "id": id, "result": r});
    let status = |state: &str, message: Option<&Value>, last: bool| {
        let mut st = json!({"state": state, "timestamp": now()});
        if let Some(m) = message {
            st["message"] = m.clone();
        }
        result(json!({
            "kind": "status-update",
            "taskId": task,
            "contextId": context,
            "status": st,
            "final": last,
        }))
    };
    emit(result(json!({
        "kind": "task",
        "id": task,
        "contextId": context,
        "status": {"state": "submitted", "timestamp": now()},
    })));
    emit(status("working", None, false));
    match reply(&id, new, gateway) {
        Ok(r) => {
            let mut message = r.message;
            message["taskId"] = json!(task);
            let state = if r.failed { "failed" } else { "completed" };
            emit(status(state, Some(&message), true));
        }
        Err(e) => {
            let why = e["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let message = json!({
                "kind": "message",
                "role": "agent",
                "messageId": format!("{task}-failed"),
                "taskId": task,
                "contextId": context,
                "parts": [{"kind": "text", "text": why}],
            });
            emit(status("failed", Some(&message), true));
        }
    }
}

/// Now as RFC 3339, as A2A timestamps are.
fn now() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}
