//! Deployed agents as protocol endpoints: which agents there are (what an
//! MCP client sees as `ask_<agent-id>` tools) and how a message reaches
//! them. Everything goes through the messaging layer, so a call from a
//! protocol client is an ordinary Caxton conversation.

use std::time::Duration;

use serde_json::{Value, json};

use crate::Caxton;
use crate::agent::{catalog, wasm};
use crate::error::{Error, Result};
use crate::messaging::{
    AgentKind, Conversation, ConversationSummary, Messenger, NewMessage, SendReport, Watch,
};

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

/// A deployed agent as a document: what it is made of, secrets masked.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentDocument {
    /// `application/toml` or `application/json`.
    pub mime_type: &'static str,
    /// The document, secrets masked.
    pub text: String,
}

/// The deployed agent `id`'s document: a config agent's TOML file, a WASM
/// agent's manifest and module metadata as JSON. `None` when no agent by
/// that id is deployed. Secrets (an `api_key` in `tool_config`, a password
/// in a `base_url`, an Extism plug-in's `config` token) are masked as
/// `config show` masks them.
pub fn document(cx: &Caxton, id: &str) -> Result<Option<AgentDocument>> {
    if let Some(e) = catalog::list(cx)?
        .into_iter()
        .find(|e| e.id == id && e.report.is_valid())
    {
        let text = String::from_utf8_lossy(&e.report.content);
        return masked_toml(&text, e.file()).map(|text| {
            Some(AgentDocument {
                mime_type: "application/toml",
                text,
            })
        });
    }
    let Some(a) = wasm::find(cx, id)?.filter(|a| a.id == id) else {
        return Ok(None);
    };
    let doc = crate::config::mask_secrets(json!({
        "id": a.id,
        "kind": "wasm",
        "version": a.version(),
        "manifest": a.manifest,
        "module": a.module,
    }));
    Ok(Some(AgentDocument {
        mime_type: "application/json",
        text: serde_json::to_string_pretty(&doc).unwrap_or_default(),
    }))
}

/// `text` as is when it holds no secret, else re-written with each secret
/// masked (comments and layout are lost then: masking must not depend on
/// how the file is laid out).
fn masked_toml(text: &str, file: &std::path::Path) -> Result<String> {
    let bad = |why: String| Error::Usage {
        message: format!("{}: {why}", file.display()),
        hint: "fix the agent file; `caxton agents validate` shows where".into(),
    };
    let table: toml::Table = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
    let plain = serde_json::to_value(&table).map_err(|e| bad(e.to_string()))?;
    let masked = crate::config::mask_secrets(plain.clone());
    if masked == plain {
        return Ok(text.to_string());
    }
    toml::to_string(&masked).map_err(|e| bad(e.to_string()))
}

/// How a protocol server reaches the agents.
pub trait Gateway: Send + Sync {
    /// The agents deployed now.
    fn agents(&self) -> Result<Vec<AgentEntry>>;
    /// Send `new` and wait up to `wait` for the reply; `watch` follows the
    /// config agent run that handles it (progress, cancellation) where this
    /// gateway delivers itself.
    fn send(&self, new: NewMessage, wait: Duration, watch: Option<Watch>) -> Result<SendReport>;
    /// The deployed agent `id` as a document ([`document`]).
    fn document(&self, id: &str) -> Result<Option<AgentDocument>>;
    /// The `limit` most recently active conversations.
    fn conversations(&self, limit: usize) -> Result<Vec<ConversationSummary>>;
    /// One conversation with its messages.
    fn conversation(&self, id: &str) -> Result<Conversation>;
}

/// `caxton mcp serve`: through the daemon when one runs for this data
/// directory, else delivered in this process.
pub struct Local(pub Caxton);

impl Gateway for Local {
    fn agents(&self) -> Result<Vec<AgentEntry>> {
        deployed(&self.0)
    }

    /// A running daemon delivers the message (its workers hold the agents
    /// live), so `watch` follows the run only when none runs.
    fn send(&self, new: NewMessage, wait: Duration, watch: Option<Watch>) -> Result<SendReport> {
        match watch {
            Some(w) if crate::server::client::Client::find(&self.0)?.is_none() => {
                crate::messaging::ask_in_process(&self.0, new, wait, w)
            }
            _ => crate::server::client::send_message(&self.0, new, Some(wait)),
        }
    }

    fn document(&self, id: &str) -> Result<Option<AgentDocument>> {
        document(&self.0, id)
    }

    fn conversations(&self, limit: usize) -> Result<Vec<ConversationSummary>> {
        match self.0.store_if_exists()? {
            Some(_) => self.messenger()?.conversations(limit),
            None => Ok(Vec::new()),
        }
    }

    fn conversation(&self, id: &str) -> Result<Conversation> {
        if self.0.store_if_exists()?.is_none() {
            return Err(Error::ConversationNotFound { id: id.into() });
        }
        self.messenger()?.conversation(id)
    }
}

impl Local {
    /// A reader of the data directory's conversations (delivers nothing).
    fn messenger(&self) -> Result<Messenger> {
        Messenger::open(&self.0, std::sync::Arc::new(wasm::runtime(&self.0)))
    }
}
