//! Handing one message to one agent: WASM agents through `caxton_handle`
//! (the message is the request JSON), config agents through a run of their
//! prompt. Messages a WASM agent sends while it handles one (the
//! `send_message` host function) are collected in an [`Outbox`] and committed
//! together with the delivery, so a redelivery after a crash cannot send them
//! twice (their ids derive from the parent). A config agent's `send_message`
//! tool sends at once instead, since a `request` waits for its reply inside
//! the run (`delegate`); its ids derive from the parent too.

use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use serde_json::{Map, Value, json};

use super::message::{Message, NewMessage, Performative, State};
use crate::agent::spec::AgentSpec;
use crate::agent::wasm::{MemoryServices, PluginDeployment};
use crate::error::{Error, Result};
use crate::runtime::run::{RunContext, RunInput};
use crate::runtime::wasm::{Compiled, Limits, Services, Stats, WasmError, status};

/// How a deployed agent is run.
pub enum Target {
    Wasm {
        module_hash: String,
        limits: Limits,
        /// Compiled on first delivery (the runtime caches by hash too).
        compiled: OnceLock<Arc<Compiled>>,
        /// An Extism plug-in's deployment: its handler and host side.
        plugin: Option<PluginDeployment>,
    },
    Config {
        spec: Box<AgentSpec>,
    },
}

/// Loop protection and size limits, from the `messaging` config section.
#[derive(Debug, Clone, Copy)]
pub struct Protection {
    pub(crate) max_message_bytes: u64,
    pub(crate) max_depth: u32,
    pub(crate) max_conversation_messages: u32,
    /// Messages one delivery may send.
    pub max_sends_per_delivery: u32,
}

/// Why loop protection refuses a message at `depth` in a conversation that
/// holds `count` messages, if it does.
pub fn limit_reason(p: &Protection, depth: u32, count: u32) -> Option<String> {
    if depth > p.max_depth {
        Some(format!(
            "depth limit of {} messages reached (messaging.max_depth)",
            p.max_depth
        ))
    } else if count >= p.max_conversation_messages {
        Some(format!(
            "message budget of {} messages reached (messaging.max_conversation_messages)",
            p.max_conversation_messages
        ))
    } else {
        None
    }
}

/// Mark `m` refused by loop protection and return the `failure` notice to
/// `to` that records why in the conversation (stored, never delivered: that
/// is what ends a loop).
pub fn refuse(m: &mut Message, reason: String, to: &str, now: i64) -> Message {
    let content = json!({"error": format!("refused: {reason}"), "code": "conversation_limit"});
    m.state = State::Refused;
    m.error = Some(reason);
    notice(m, to, content, now, 0)
}

/// The sender of the notices Caxton itself writes into conversations.
pub const SYSTEM: &str = "caxton";

/// Messages sent by an agent while it handles `parent`.
pub struct Outbox {
    agent: String,
    parent: Message,
    limits: Protection,
    /// Messages charged to the conversation's root when the delivery started.
    conversation_messages: u32,
    /// Deliveries the queue had room for when the delivery started.
    queue_room: usize,
    /// A refusal is recorded once per delivery: an agent retrying in a loop
    /// must not fill the store with refusals.
    refusal_recorded: bool,
    /// Accepted: stored and routed when the delivery commits.
    pub sent: Vec<Message>,
    /// Refused by loop protection, each followed by its `failure` notice.
    pub refused: Vec<Message>,
}

/// A stable id for the `n`-th message sent while handling `parent`, so a
/// redelivery of `parent` produces the same ids and they deduplicate.
///
/// It keeps the parent's time prefix, so replies stay near their requests
/// in the store's indexes.
pub fn derived_id(parent: &str, n: usize) -> String {
    let h = blake3::hash(format!("{parent}/{n}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h.as_bytes()[..16]);
    if let Some(t) = super::message::time_prefix(parent) {
        b[..6].copy_from_slice(&t);
    }
    super::message::uuid(b)
}

/// The `failure` Caxton writes to `to` in the conversation of `about`.
pub fn notice(about: &Message, to: &str, content: Value, now: i64, n: usize) -> Message {
    Message {
        message_id: derived_id(&about.message_id, 1000 + n),
        performative: Performative::Failure,
        sender: SYSTEM.into(),
        receiver: Some(to.to_string()),
        capability: None,
        content,
        conversation_id: about.conversation_id.clone(),
        reply_with: None,
        in_reply_to: Some(
            about
                .reply_with
                .clone()
                .unwrap_or_else(|| about.message_id.clone()),
        ),
        created_at: now,
        parent_id: Some(about.message_id.clone()),
        depth: about.depth + 1,
        state: State::Recorded,
        attempts: 0,
        error: None,
        delivered_at: None,
        traceparent: crate::trace::current_traceparent(),
    }
}

impl Outbox {
    pub(crate) fn new(
        agent: &str,
        parent: &Message,
        limits: Protection,
        conversation_messages: u32,
        queue_room: usize,
    ) -> Outbox {
        Outbox {
            agent: agent.to_string(),
            parent: parent.clone(),
            limits,
            conversation_messages,
            queue_room,
            refusal_recorded: false,
            sent: Vec::new(),
            refused: Vec::new(),
        }
    }

    /// Send a message on behalf of the agent, in the conversation it is
    /// handling: the library function behind the `send_message` host
    /// function. The sender is
    /// always the agent; the conversation is the current one unless the
    /// message names another (its budget is still charged to the root of
    /// this one, see `budget`). Loop protection refuses a message deeper than
    /// `max_depth`, past the conversation budget, past
    /// `max_sends_per_delivery` or when the queue is full with
    /// [`Error::ConversationLimit`], and records the first refusal of the
    /// delivery and a `failure` notice in the conversation.
    pub fn send_message(&mut self, mut new: NewMessage) -> Result<&Message> {
        new.sender = Some(self.agent.clone());
        let mut v = new.validate(self.limits.max_message_bytes)?;
        let now = crate::clock::now_ms();
        let n = self.sent.len() + self.refused.len();
        let conversation_id = v
            .conversation_id
            .take()
            .unwrap_or_else(|| self.parent.conversation_id.clone());
        let id = v
            .message_id
            .clone()
            .unwrap_or_else(|| derived_id(&self.parent.message_id, n));
        let parent = Some(self.parent.message_id.clone());
        let mut m = v.into_message(id, conversation_id, parent, self.parent.depth + 1, now);
        let used = self
            .conversation_messages
            .saturating_add((self.sent.len() + self.refused.len()) as u32);
        let reason = limit_reason(&self.limits, m.depth, used).or_else(|| {
            let max = self.limits.max_sends_per_delivery;
            if self.sent.len() >= max as usize {
                Some(format!(
                    "send limit of {max} messages per delivery reached (messaging.max_sends_per_delivery)"
                ))
            } else if self.sent.len() >= self.queue_room {
                Some("the delivery queue is full (messaging.max_queued_messages)".to_string())
            } else {
                None
            }
        });
        if let Some(reason) = reason {
            let conversation = m.conversation_id.clone();
            if !self.refusal_recorded {
                self.refusal_recorded = true;
                let notice = refuse(&mut m, reason.clone(), &self.agent, now);
                self.refused.push(m);
                self.refused.push(notice);
            }
            return Err(Error::ConversationLimit {
                conversation,
                reason,
            });
        }
        self.sent.push(m);
        Ok(self.sent.last().expect("just pushed"))
    }
}

/// What a delivery produced.
pub struct Delivered {
    /// The agent's answer, or why it failed.
    pub result: Result<Value>,
    pub outbox: Outbox,
    /// WASM executions: resources used, recorded in `wasm_stats`.
    pub wasm: Option<(Stats, Option<WasmError>)>,
}

/// The WASM host services during a delivery: the agent's memory, and
/// `send_message` into the delivery's outbox.
struct MessagingServices {
    memory: MemoryServices,
    outbox: Arc<Mutex<Outbox>>,
}

impl Services for MessagingServices {
    fn send_message(&mut self, message: &[u8]) -> std::result::Result<(), i32> {
        let new: NewMessage = serde_json::from_slice(message).map_err(|_| status::BAD_ARGS)?;
        let mut outbox = self.outbox.lock().unwrap_or_else(PoisonError::into_inner);
        match outbox.send_message(new) {
            Ok(_) => Ok(()),
            Err(Error::ConversationLimit { .. }) => Err(status::LIMIT),
            Err(Error::MessageTooLarge { .. }) => Err(status::TOO_LARGE),
            Err(_) => Err(status::BAD_ARGS),
        }
    }

    fn memory_search(&mut self, query: &[u8]) -> std::result::Result<Vec<u8>, i32> {
        self.memory.memory_search(query)
    }

    fn memory_store(&mut self, payload: &[u8]) -> std::result::Result<(), i32> {
        self.memory.memory_store(payload)
    }

    fn plugin(&mut self) -> Option<&mut dyn crate::runtime::wasm::PluginHost> {
        self.memory.plugin()
    }
}

/// The request a WASM agent gets for a message (docs/wasm-abi.md).
pub fn wasm_request(agent: &str, m: &Message) -> Vec<u8> {
    let request = json!({
        "input": m.content,
        "agent": agent,
        "conversation_id": m.conversation_id,
        "sender": m.sender,
        "performative": m.performative,
        "capability": m.capability,
        "message": m,
    });
    serde_json::to_vec(&request).expect("request serialises")
}

/// Run a WASM agent on `m`, with `memory` as its memory host services. An
/// Extism plug-in gets the message content (a string as its text) in its
/// `handler` export.
#[allow(clippy::too_many_arguments)]
pub fn deliver_wasm(
    rt: &crate::runtime::wasm::Runtime,
    memory: MemoryServices,
    agent: &str,
    compiled: &Compiled,
    limits: &Limits,
    handler: Option<&str>,
    m: &Message,
    outbox: Outbox,
) -> Delivered {
    let outbox = Arc::new(Mutex::new(outbox));
    let services = Box::new(MessagingServices {
        memory,
        outbox: outbox.clone(),
    });
    let input = match compiled.info.abi {
        crate::runtime::wasm::Abi::Extism => crate::agent::wasm::plugin_input(&m.content),
        _ => wasm_request(agent, m),
    };
    let exec = rt.execute_function(agent, compiled, limits, handler, &input, services);
    let result = exec
        .result
        .and_then(|out| crate::agent::wasm::output(compiled, &out));
    let wasm = Some((exec.stats, result.as_ref().err().cloned()));
    // The services (and their clone of the outbox) were dropped with the instance.
    let outbox = Arc::try_unwrap(outbox)
        .map(|m| m.into_inner().unwrap_or_else(PoisonError::into_inner))
        .unwrap_or_else(|shared| {
            let mut g = shared.lock().unwrap_or_else(PoisonError::into_inner);
            let empty = Outbox::new(
                &g.agent,
                &g.parent,
                g.limits,
                g.conversation_messages,
                g.queue_room,
            );
            std::mem::replace(&mut *g, empty)
        });
    Delivered {
        result: result.map_err(Error::from),
        outbox,
        wasm,
    }
}

/// What a config agent run gets for a message.
pub struct ConfigRun<'a> {
    pub(crate) spec: &'a AgentSpec,
    pub(crate) message: &'a Message,
    /// Template variables: `request` (the content as text), `sender`,
    /// `capability`, `performative`, `conversation_id`, and
    /// `conversation_history` (the conversation tail, oldest first, as
    /// `[{sender, performative, content}]`).
    pub variables: Map<String, Value>,
    /// Where the `send_message` tool sends: into the conversation of
    /// `message`, one hop deeper.
    pub messaging: super::Delegation,
    /// The caller following this message, if any: told the run's steps,
    /// and able to stop it.
    pub watch: Option<super::Watch>,
}

/// The template variables of a config agent run for `m`.
pub fn config_variables(m: &Message, history: &[Message]) -> Map<String, Value> {
    let request = match &m.content {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    };
    let history: Vec<Value> = history
        .iter()
        .map(|h| json!({"sender": h.sender, "performative": h.performative, "content": h.content}))
        .collect();
    let mut vars = Map::new();
    vars.insert("request".into(), Value::String(request));
    vars.insert("sender".into(), Value::String(m.sender.clone()));
    vars.insert(
        "capability".into(),
        m.capability.clone().map_or(Value::Null, Value::String),
    );
    vars.insert("performative".into(), json!(m.performative));
    vars.insert("conversation_id".into(), json!(m.conversation_id));
    vars.insert("conversation_history".into(), Value::Array(history));
    vars
}

/// A template variable as prompt text: a string as itself, other JSON as
/// JSON text, nothing for null.
fn as_text(v: Option<&Value>) -> Option<String> {
    match v {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Null) | None => None,
        Some(v) => Some(v.to_string()),
    }
}

/// The conversation tail as lines the prompt can show verbatim: the newest
/// `max_turns` turns (the agent's `[conversation] max_turns`), oldest first.
fn history_text(turns: &[Value], max_turns: Option<u32>) -> String {
    let keep = max_turns.map_or(turns.len(), |n| n as usize);
    turns[turns.len().saturating_sub(keep)..]
        .iter()
        .map(|t| {
            format!(
                "{} ({}): {}",
                t["sender"].as_str().unwrap_or_default(),
                t["performative"].as_str().unwrap_or_default(),
                as_text(Some(&t["content"])).unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs a config agent on a message (the LLM loop, `runtime::run::run`) and
/// returns its final answer, which goes back as `inform`. A run that failed
/// at its provider is an error: the sender gets a `failure` and the failure
/// counts toward the agent's breaker.
pub fn run_config_agent(runs: &RunContext, run: ConfigRun) -> Result<Value> {
    let max_turns = run.spec.conversation.as_ref().and_then(|c| c.max_turns);
    let history = run
        .variables
        .get("conversation_history")
        .and_then(Value::as_array)
        .map(|turns| history_text(turns, max_turns));
    let input = RunInput {
        request: Value::String(as_text(run.variables.get("request")).unwrap_or_default()),
        sender: Some(run.message.sender.clone()),
        capability: as_text(run.variables.get("capability")),
        conversation_history: history,
        messaging: Some(run.messaging.handle()),
        stop: run.watch.as_ref().map(|w| w.stop.clone()),
        ..RunInput::default()
    };
    let on_event = run.watch.and_then(|w| w.on_event);
    let record = crate::runtime::run::run(runs, run.spec, input, &mut |e| {
        if let Some(f) = &on_event {
            f(e);
        }
    })?;
    match record.failure() {
        Some(e) => Err(e),
        None => Ok(Value::String(record.output)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_turns_keeps_the_newest_turns_of_the_conversation() {
        let turns: Vec<Value> = (1..=4)
            .map(|i| json!({"sender": format!("a{i}"), "performative": "request", "content": format!("turn {i}")}))
            .collect();
        assert_eq!(
            history_text(&turns, Some(2)),
            "a3 (request): turn 3\na4 (request): turn 4"
        );
        // Unset, or more than there are: the whole tail.
        assert_eq!(history_text(&turns, None).lines().count(), 4);
        assert_eq!(history_text(&turns, Some(10)).lines().count(), 4);
        // JSON content is shown as JSON text.
        let json_turn = [json!({"sender": "b", "performative": "inform", "content": {"n": 1}})];
        assert_eq!(history_text(&json_turn, Some(1)), "b (inform): {\"n\":1}");
    }
}
