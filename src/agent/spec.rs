//! The config-agent file format (README "Agent files"). This struct is the one definition:
//! the JSON Schema printed by `caxton agents schema` and used by validation is
//! derived from it, and validated files deserialise into it.

// Doc comments here are also the agent JSON Schema's descriptions: write
// them for agent authors.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use crate::memory::MemoryScope;

/// A capability name: lowercase words joined by `.`, `_` or `-`.
pub const CAPABILITY_PATTERN: &str = r"^[a-z][a-z0-9]*([._-][a-z0-9]+)*$";

/// Keys that belong at the top level but that TOML puts into the preceding
/// table when they are written after a `[table]` header (the runbook example
/// does this). They are accepted there with a warning.
pub const HOISTABLE: &[&str] = &["system_prompt", "user_prompt_template", "documentation"];

/// A configuration-driven agent: an LLM with a prompt, capabilities and tools.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields, title = "Caxton config agent")]
pub struct AgentSpec {
    /// Display name; the agent id is its kebab-case slug (`DataAnalyzer` → `data-analyzer`).
    #[schemars(length(min = 1))]
    pub name: String,
    /// Semantic version of this definition (default 0.1.0).
    pub version: Option<String>,
    pub(crate) description: Option<String>,
    /// What this agent offers to other agents and users; messages are routed by capability.
    #[schemars(length(min = 1), inner(regex(pattern = CAPABILITY_PATTERN)))]
    pub capabilities: Vec<String>,
    /// Capabilities this agent needs from other agents.
    #[serde(default)]
    #[schemars(inner(regex(pattern = CAPABILITY_PATTERN)))]
    pub requires: Vec<String>,
    /// Built-in tool names (`caxton tools list`) or `mcp:<server>/<tool>`.
    #[serde(default)]
    pub tools: Vec<String>,
    /// The system prompt (a handlebars template).
    #[schemars(length(min = 1))]
    pub system_prompt: String,
    /// How a request becomes the user message (default `{{request}}`).
    pub user_prompt_template: Option<String>,
    /// Markdown documentation for humans.
    pub documentation: Option<String>,
    pub(crate) llm: Option<LlmSettings>,
    pub(crate) memory: Option<MemorySettings>,
    /// Free table; every key becomes a template variable.
    #[serde(default)]
    pub parameters: Map<String, Value>,
    /// Per-tool settings, e.g. `[tool_config.http_client] allowed_domains = [...]`.
    #[serde(default)]
    pub tool_config: BTreeMap<String, Map<String, Value>>,
    pub(crate) conversation: Option<ConversationSettings>,
}

/// Which LLM back-end runs the agent.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// The bundled local model, in-process (no network).
    Local,
    /// An OpenAI-compatible chat completions API (`base_url` selects a
    /// server other than OpenAI's).
    Openai,
    /// The Anthropic Messages API.
    Anthropic,
}

/// Overrides the server's default LLM for this agent.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct LlmSettings {
    pub(crate) provider: Option<Provider>,
    pub(crate) model: Option<String>,
    pub(crate) base_url: Option<String>,
    #[schemars(range(min = 0.0, max = 2.0))]
    pub(crate) temperature: Option<f64>,
    #[schemars(range(min = 1))]
    pub(crate) max_tokens: Option<u32>,
    /// Tokens the answer written from tool results may take (default 200):
    /// a short answer built on the result, cut at a sentence end.
    #[schemars(range(min = 1, max = 4096))]
    pub answer_max_tokens: Option<u32>,
}

/// The `[memory]` table: whether runs of this agent read and write the
/// knowledge graph, and how.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct MemorySettings {
    /// Give the agent memory: relevant memories are added to its prompt and
    /// the run's summary is remembered (default false).
    #[serde(default)]
    pub(crate) enabled: bool,
    /// Scope new memories are written to: `agent` (default, private to this
    /// agent), `workspace` (shared by the server's agents) or `global`.
    pub(crate) scope: Option<MemoryScope>,
    /// Most memories added to the prompt per run (default 5).
    #[schemars(range(min = 1, max = 100))]
    pub(crate) max_results: Option<u32>,
    /// Smallest cosine similarity for a memory to count as relevant (default:
    /// the server's `[memory]` setting).
    #[schemars(range(min = 0.0, max = 1.0))]
    pub(crate) semantic_threshold: Option<f64>,
}

/// The `[conversation]` table: limits for one run of the agent.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ConversationSettings {
    /// How many earlier messages of the conversation the agent is shown
    /// (`{{conversation_history}}`, newest kept), at most the server's
    /// `messaging.history_messages`. Fewer turns, a shorter prompt.
    #[schemars(range(min = 1))]
    pub(crate) max_turns: Option<u32>,
    /// A duration such as `30s` or `2m`.
    #[schemars(regex(pattern = r"^\s*[0-9]+\s*(ms|s|m|h|sec|min)?\s*$"))]
    pub timeout: Option<String>,
}

impl AgentSpec {
    pub(crate) fn id(&self) -> String {
        slug(&self.name)
    }

    pub(crate) fn version_or_default(&self) -> &str {
        self.version.as_deref().unwrap_or("0.1.0")
    }

    pub(crate) fn user_prompt_template(&self) -> &str {
        self.user_prompt_template
            .as_deref()
            .unwrap_or("{{request}}")
    }
}

/// The agent id for a name: kebab-case, ASCII lowercase.
pub fn slug(name: &str) -> String {
    heck::ToKebabCase::to_kebab_case(name.trim())
}

/// The JSON Schema of the format, as JSON.
pub fn json_schema() -> Value {
    serde_json::to_value(schemars::schema_for!(AgentSpec)).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("DataAnalyzer"), "data-analyzer");
        assert_eq!(slug("data-analyzer"), "data-analyzer");
        assert_eq!(slug("Data Analyzer"), "data-analyzer");
        assert_eq!(slug("HTTPFetcher2"), "http-fetcher2");
    }

    #[test]
    fn schema_has_required_fields_and_patterns() {
        let s = json_schema();
        let req: Vec<&str> = s["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(
            req.contains(&"name")
                && req.contains(&"capabilities")
                && req.contains(&"system_prompt")
        );
        assert_eq!(s["additionalProperties"], false);
        assert_eq!(
            s["properties"]["capabilities"]["items"]["pattern"],
            CAPABILITY_PATTERN
        );
    }
}
