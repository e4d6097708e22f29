//! The config agents' `send_message` tool, as one agent's run sees the
//! messenger: [`Delegation`] sends by capability (or to an agent) in the
//! run's conversation, waits for a `request`'s reply within the run's
//! deadline, and turns every refusal (its own capability, loop protection,
//! no provider, no reply in time) into a tool error the model reads.
//!
//! Routing, loop protection and delivery are the [`Messenger`]'s: a run
//! handling a message sends with [`Messenger::send_within`] (same
//! conversation, one hop deeper, ids derived from the message so a
//! redelivery after a crash finds the first delivery's sends); a run started
//! from `agents test` or the execute endpoint opens a conversation with its
//! first send and keeps using it.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::{Value, json};

use super::{Message, Messenger, NewMessage, State};
use crate::error::Error;
use crate::tools::ToolError;
use crate::tools::send_message::{Address, Messaging, MessagingHandle};

/// One agent run's way to the other agents.
pub struct Delegation {
    messenger: Messenger,
    agent: String,
    /// The agent's own capabilities: asking for one would ask itself.
    own: Vec<String>,
    /// The message the run handles, if it handles one.
    parent: Option<Message>,
    sent: Mutex<Sent>,
}

#[derive(Default)]
struct Sent {
    /// The conversation a run without a parent opened with its first send.
    conversation: Option<String>,
    count: usize,
}

impl Delegation {
    pub(crate) fn new(
        messenger: &Messenger,
        agent: &str,
        own: &[String],
        parent: Option<&Message>,
    ) -> Delegation {
        Delegation {
            messenger: messenger.clone(),
            agent: agent.to_string(),
            own: own.to_vec(),
            parent: parent.cloned(),
            sent: Mutex::new(Sent::default()),
        }
    }

    /// For a [`crate::runtime::run::RunInput`]; the run sets the deadline.
    pub fn handle(self) -> MessagingHandle {
        MessagingHandle {
            via: Arc::new(self),
            deadline: None,
        }
    }

    fn offers(&self) -> String {
        let peers = self.peers();
        if peers.is_empty() {
            return "no other agent is deployed".into();
        }
        let list: Vec<String> = peers
            .iter()
            .map(|(c, agents)| format!("{c} ({})", agents.join(", ")))
            .collect();
        format!("the other agents offer: {}", list.join("; "))
    }

    /// Why `to` cannot be asked, before anything is stored.
    fn refusal(&self, to: &Address) -> Option<ToolError> {
        let deployed = self.messenger.deployed();
        let reg = &deployed.registry;
        match to {
            // The model reads only the message, so it says what else exists.
            Address::Capability(c) if self.own.contains(c) => Some(ToolError::Denied {
                message: format!(
                    "agent `{}` offers the capability `{c}` itself: delegating it would ask itself; {}",
                    self.agent,
                    self.offers()
                ),
                hint: "answer it yourself, or ask for a capability another agent offers".into(),
            }),
            Address::Agent(a) if *a == self.agent => Some(ToolError::Denied {
                message: format!(
                    "agent `{a}` cannot send a message to itself; {}",
                    self.offers()
                ),
                hint: "address another agent, or a capability another agent offers".into(),
            }),
            Address::Capability(c) if reg.providers(c).is_empty() => Some(ToolError::failed(
                format!("no agent offers the capability `{c}`; {}", self.offers()),
            )),
            Address::Agent(a) if reg.slot(a).is_none() => Some(ToolError::failed(format!(
                "no agent `{a}` is deployed; {}",
                self.offers()
            ))),
            _ => None,
        }
    }
}

fn tool_error(e: Error) -> ToolError {
    match e {
        Error::ConversationLimit { reason, .. } => ToolError::LimitExceeded {
            message: format!("refused: {reason}"),
        },
        Error::MessageTooLarge { .. } => ToolError::LimitExceeded {
            message: e.to_string(),
        },
        e => ToolError::failed(e.to_string()),
    }
}

/// A reply's content as the text of an error.
fn content_text(v: &Value) -> String {
    match v.get("error").unwrap_or(v) {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Messaging for Delegation {
    fn conversation(&self) -> (Option<String>, Option<String>) {
        match &self.parent {
            Some(p) => (Some(p.conversation_id.clone()), Some(p.message_id.clone())),
            None => (
                self.sent
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .conversation
                    .clone(),
                None,
            ),
        }
    }

    fn peers(&self) -> Vec<(String, Vec<String>)> {
        let deployed = self.messenger.deployed();
        let reg = &deployed.registry;
        reg.capabilities()
            .iter()
            .filter(|c| !self.own.contains(c))
            .filter_map(|c| {
                let agents: Vec<String> = reg
                    .providers(c)
                    .iter()
                    .map(|&i| reg.slots()[i].id.clone())
                    .filter(|id| *id != self.agent)
                    .collect();
                (!agents.is_empty()).then(|| (c.clone(), agents))
            })
            .collect()
    }

    fn send(
        &self,
        to: &Address,
        content: &str,
        performative: &str,
        wait: Option<Duration>,
    ) -> Result<Value, ToolError> {
        if let Some(e) = self.refusal(to) {
            return Err(e);
        }
        let (capability, receiver) = match to {
            Address::Capability(c) => (Some(c.clone()), None),
            Address::Agent(a) => (None, Some(a.clone())),
        };
        let mut sent = self.sent.lock().unwrap_or_else(PoisonError::into_inner);
        let new = NewMessage {
            performative: performative.to_string(),
            sender: Some(self.agent.clone()),
            receiver,
            capability,
            content: Value::String(content.to_string()),
            conversation_id: sent.conversation.clone(),
            ..NewMessage::default()
        };
        let report = match &self.parent {
            Some(p) => self.messenger.send_within(p, sent.count, new),
            None => self.messenger.send(new),
        }
        .map_err(tool_error)?;
        sent.count += 1;
        sent.conversation = Some(report.conversation_id.clone());
        drop(sent);
        let m = &report.message;
        if m.state == State::Failed || m.state == State::Refused {
            return Err(ToolError::failed(
                m.error
                    .clone()
                    .unwrap_or_else(|| "the message was refused".into()),
            ));
        }
        let Some(wait) = wait else {
            return Ok(json!({
                "sent": m.message_id,
                "to": report.receivers,
                "conversation_id": report.conversation_id,
            }));
        };
        let whom = match to {
            Address::Capability(c) => format!("`{c}`"),
            Address::Agent(a) => format!("agent `{a}`"),
        };
        match self.messenger.await_reply(m, wait) {
            Ok(Some(r)) if r.performative.is_failure() => Err(ToolError::failed(format!(
                "{} could not answer: {}",
                r.sender,
                content_text(&r.content)
            ))),
            Ok(Some(r)) => Ok(json!({
                "from": r.sender,
                "reply": r.content,
                "conversation_id": report.conversation_id,
            })),
            Ok(None) => {
                let now = self.messenger.message(&m.message_id).ok().flatten();
                Err(ToolError::failed(now.and_then(|x| x.error).unwrap_or_else(
                    || format!("{whom} was asked but sent no reply"),
                )))
            }
            Err(Error::ReplyTimeout { .. }) => Err(ToolError::LimitExceeded {
                message: format!(
                    "no reply from {whom} within {} (what this run's deadline leaves); its answer, if it comes, is stored in conversation {}",
                    crate::human::duration(wait),
                    report.conversation_id
                ),
            }),
            Err(e) => Err(tool_error(e)),
        }
    }
}
