//! What an MCP client reads as resources (issue 19): each deployed agent
//! (`caxton://agents/{id}`: a config agent's TOML, a WASM agent's metadata
//! as JSON, secrets masked) and conversations
//! (`caxton://conversations/{id}`: its messages as JSON). A caller acting as
//! an agent (`--agent`, `?scope=agent&agent=`) sees only the conversations
//! that agent took part in, as its memory view is its own; the operator's
//! view sees them all.

use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::memory::Access;
use crate::messaging::{AgentKind, ConversationSummary};
use crate::protocol::agents::Gateway;

/// The URI of a deployed agent, followed by its id.
pub const AGENT_URI: &str = "caxton://agents/";
/// The URI of a conversation, followed by its id.
pub const CONVERSATION_URI: &str = "caxton://conversations/";

/// Conversations `resources/list` names, most recently active first; older
/// ones are read by URI (the template).
pub const LISTED_CONVERSATIONS: usize = 20;

/// Messages a conversation resource holds at most: the newest, with the
/// number left out said in the document (`omittedMessages`), so one read
/// stays small whatever the conversation's length.
pub const MAX_CONVERSATION_MESSAGES: usize = 200;

/// One readable resource, as `resources/list` describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    /// `caxton://agents/{id}` or `caxton://conversations/{id}`.
    pub uri: String,
    /// The agent id, or `conversation {id}`.
    pub name: String,
    /// One line on what it is.
    pub description: String,
    /// What [`read`] returns it as.
    pub mime_type: &'static str,
}

/// One resource's content.
#[derive(Debug, Clone, PartialEq)]
pub struct Read {
    /// `application/toml` or `application/json`.
    pub mime_type: &'static str,
    /// The document.
    pub text: String,
}

/// The deployed agents, then the recent conversations `access` may see.
pub fn list(gw: &dyn Gateway, access: &Access) -> Result<Vec<Listed>> {
    let mut out: Vec<Listed> = gw
        .agents()?
        .into_iter()
        .map(|a| Listed {
            uri: format!("{AGENT_URI}{}", a.id),
            description: match a.kind {
                AgentKind::Config => format!(
                    "The config agent `{}`'s TOML{}",
                    a.id,
                    a.description.map(|d| format!(": {d}")).unwrap_or_default()
                ),
                AgentKind::Wasm => format!("The WASM agent `{}`: manifest and module", a.id),
            },
            mime_type: match a.kind {
                AgentKind::Config => "application/toml",
                AgentKind::Wasm => "application/json",
            },
            name: a.id,
        })
        .collect();
    out.extend(
        gw.conversations(LISTED_CONVERSATIONS)?
            .into_iter()
            .filter(|c| visible(c, access))
            .map(|c| Listed {
                uri: format!("{CONVERSATION_URI}{}", c.conversation_id),
                description: format!(
                    "Conversation started by {} ({} messages{})",
                    c.initiator,
                    c.message_count,
                    c.capability
                        .as_deref()
                        .map(|cap| format!(", capability {cap}"))
                        .unwrap_or_default()
                ),
                name: format!("conversation {}", c.conversation_id),
                mime_type: "application/json",
            }),
    );
    Ok(out)
}

/// The resource at `uri`, or `None` when there is none (or `access` may not
/// see it: the same answer, so an id cannot be probed).
pub fn read(gw: &dyn Gateway, access: &Access, uri: &str) -> Result<Option<Read>> {
    if let Some(id) = uri.strip_prefix(AGENT_URI) {
        return Ok(gw.document(id)?.map(|d| Read {
            mime_type: d.mime_type,
            text: d.text,
        }));
    }
    let Some(id) = uri.strip_prefix(CONVERSATION_URI) else {
        return Ok(None);
    };
    let mut c = match gw.conversation(id) {
        Ok(c) => c,
        Err(Error::ConversationNotFound { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    if !visible(&c.summary, access) {
        return Ok(None);
    }
    let omitted = c.messages.len().saturating_sub(MAX_CONVERSATION_MESSAGES);
    let messages: Vec<Value> = c.messages.drain(omitted..).map(|m| json!(m)).collect();
    let s = &c.summary;
    let doc = json!({
        "conversationId": s.conversation_id,
        "initiator": s.initiator,
        "capability": s.capability,
        "participants": s.participants,
        "messageCount": s.message_count,
        "createdAt": s.created_at,
        "updatedAt": s.updated_at,
        "omittedMessages": omitted,
        "note": (omitted > 0).then(|| format!(
            "the oldest {omitted} messages are left out (at most {MAX_CONVERSATION_MESSAGES} are returned); \
             `caxton conversations show {}` shows them all",
            s.conversation_id
        )),
        "messages": messages,
    });
    Ok(Some(Read {
        mime_type: "application/json",
        text: serde_json::to_string_pretty(&doc).unwrap_or_default(),
    }))
}

/// Whether `access` may read conversation `c`: the operator reads all, an
/// agent those it started or received a message of.
fn visible(c: &ConversationSummary, access: &Access) -> bool {
    match &access.agent {
        None => true,
        Some(agent) => c.initiator == *agent || c.participants.iter().any(|p| p == agent),
    }
}
