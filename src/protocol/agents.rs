//! Deployed agents as protocol endpoints: which agents there are (what an
//! MCP client sees as `ask_<agent-id>` tools) and how a message reaches
//! them. Everything goes through the messaging layer, so a call from a
//! protocol client is an ordinary Caxton conversation.

use std::time::Duration;

use serde_json::{Value, json};

use crate::Caxton;
use crate::agent::{catalog, wasm};
use crate::error::Result;
use crate::messaging::{AgentKind, NewMessage, SendReport};

/// A deployed agent as a protocol client sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentEntry {
    /// The agent's id (file stem of a config agent, name of a WASM agent).
    pub id: String,
    /// Config (LLM-driven) or WASM.
    pub kind: AgentKind,
    /// A config agent's `description`.
    pub description: Option<String>,
    /// What it offers; messages are routed by these.
    pub capabilities: Vec<String>,
}

impl AgentEntry {
    /// The JSON Schema of what `ask_<id>` takes: a config agent answers a
    /// `query` (its `request` template variable); a WASM module gets its
    /// `input` JSON as is.
    pub fn input_schema(&self) -> Value {
        match self.kind {
            AgentKind::Config => json!({
                "type": "object",
                "properties": {"query": {"type": "string", "description": "What to ask the agent"}},
                "required": ["query"],
            }),
            AgentKind::Wasm => json!({
                "type": "object",
                "properties": {"input": {"description": "The JSON input the agent's module receives"}},
                "required": ["input"],
            }),
        }
    }

    /// The message content for a call's arguments (checked against
    /// [`AgentEntry::input_schema`] by the caller).
    pub fn content(&self, args: &serde_json::Map<String, Value>) -> Option<Value> {
        match self.kind {
            AgentKind::Config => args.get("query").filter(|q| q.is_string()).cloned(),
            AgentKind::Wasm => args.get("input").cloned(),
        }
    }
}

/// The valid config agents in the agents directory and the deployed WASM
/// agents: those the messaging layer routes to.
pub fn deployed(cx: &Caxton) -> Result<Vec<AgentEntry>> {
    let mut agents = Vec::new();
    for e in catalog::list(cx)? {
        let Some(spec) = e.report.spec.as_ref().filter(|_| e.report.is_valid()) else {
            continue;
        };
        agents.push(AgentEntry {
            id: e.id.clone(),
            kind: AgentKind::Config,
            description: spec.description.clone(),
            capabilities: spec.capabilities.clone(),
        });
    }
    for a in wasm::list(cx)? {
        agents.push(AgentEntry {
            id: a.id.clone(),
            kind: AgentKind::Wasm,
            description: None,
            capabilities: a.manifest.capabilities.clone(),
        });
    }
    Ok(agents)
}

/// How a protocol server reaches the agents.
pub trait Gateway: Send + Sync {
    /// The agents deployed now.
    fn agents(&self) -> Result<Vec<AgentEntry>>;
    /// Send `new` and wait up to `wait` for the reply.
    fn send(&self, new: NewMessage, wait: Duration) -> Result<SendReport>;
}

/// `caxton mcp serve`: through the daemon when one runs for this data
/// directory, else delivered in this process.
pub struct Local(pub Caxton);

impl Gateway for Local {
    fn agents(&self) -> Result<Vec<AgentEntry>> {
        deployed(&self.0)
    }

    fn send(&self, new: NewMessage, wait: Duration) -> Result<SendReport> {
        crate::server::client::send_message(&self.0, new, Some(wait))
    }
}
