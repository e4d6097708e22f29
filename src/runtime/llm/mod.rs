//! LLM providers behind one interface. Every adapter translates to and from a
//! single internal chat format (the OpenAI chat shape), so the execution loop,
//! run records and `--json` output never depend on which provider answered.
//!
//! Calls are blocking: the CLI runs them directly and the daemon runs them on
//! a blocking thread, which keeps the adapters free of async plumbing.

use std::sync::mpsc;
use std::time::{Duration, Instant};

pub mod local;

use serde::{Deserialize, Serialize};

/// Who wrote a chat message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Instructions: the agent's system prompt.
    System,
    /// The request's input (or an incoming agent message).
    User,
    /// The model.
    Assistant,
    /// A tool's result, answering one tool call.
    Tool,
}

/// One chat message. Assistant messages may carry tool calls; tool messages
/// answer exactly one call, named by `tool_call_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Who wrote it.
    pub role: Role,
    /// The text (a tool result's JSON for `Role::Tool`).
    pub content: String,
    /// Calls an assistant message asks for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// The call a tool message answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

impl Message {
    /// A message of `role` with text and no tool calls.
    pub fn new(role: Role, content: impl Into<String>) -> Self {
        Message {
            role,
            content: content.into(),
            tool_calls: Vec::new(),
            tool_call_id: None,
        }
    }

    /// The answer to tool call `call_id`.
    pub fn tool_result(call_id: &str, content: impl Into<String>) -> Self {
        Message {
            tool_call_id: Some(call_id.to_string()),
            ..Message::new(Role::Tool, content)
        }
    }
}

/// A call the model asked for. `arguments` is the raw JSON text as the model
/// produced it: models do emit broken JSON, and the loop must be able to tell
/// the model so instead of failing the whole request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The provider's id of the call, echoed in the answer.
    pub id: String,
    /// The tool asked for.
    pub name: String,
    /// The arguments, as JSON text.
    pub arguments: String,
}

/// A tool offered to the model; `parameters` is a JSON Schema object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolSpec {
    /// The name the model calls it by.
    pub name: String,
    /// What it does, for the model.
    pub description: String,
    /// JSON Schema of the arguments object.
    pub parameters: serde_json::Value,
}

/// Whether the model must call a tool (the APIs' `tool_choice`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ToolChoice {
    /// It may call a tool or answer in text.
    #[default]
    Auto,
    /// It must call one of the tools (ignored when none is offered).
    Required,
}

/// One chat completion to run.
#[derive(Debug, Clone)]
pub struct ChatRequest {
    /// Provider default when `None`.
    pub model: Option<String>,
    /// The conversation so far, system prompt first.
    pub messages: Vec<Message>,
    /// Tools the model may call.
    pub tools: Vec<ToolSpec>,
    /// Whether it must call one of them.
    pub tool_choice: ToolChoice,
    /// 0 means greedy for providers that can do it.
    pub temperature: Option<f64>,
    /// Most tokens to generate; the provider's default when `None`.
    pub max_tokens: Option<u32>,
    /// Seed for sampling when temperature > 0 (local provider; passed through
    /// where an API supports it).
    pub seed: Option<u64>,
    /// Wall-clock limit for this one call, retries included.
    pub timeout: Duration,
}

impl ChatRequest {
    /// The start of the answer the caller wrote itself: a last assistant
    /// message without tool calls, which a provider that
    /// [`Provider::continues_answers`] goes on from (Anthropic's "prefill").
    pub fn answer_prefix(&self) -> Option<&str> {
        self.messages
            .last()
            .filter(|m| m.role == Role::Assistant && m.tool_calls.is_empty())
            .map(|m| m.content.as_str())
    }

    /// The conversation without the [`ChatRequest::answer_prefix`].
    pub fn conversation(&self) -> &[Message] {
        let n = self.messages.len() - usize::from(self.answer_prefix().is_some());
        &self.messages[..n]
    }
}

/// Why the model stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// It finished its answer.
    Stop,
    /// It wants the tool calls in the message run.
    ToolCalls,
    /// It reached `max_tokens` or the context size.
    Length,
    /// Another reason, as the provider named it.
    Other(String),
}

/// Tokens one request used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Tokens read (the prompt).
    pub prompt_tokens: u32,
    /// Tokens generated.
    pub completion_tokens: u32,
}

/// A model's answer to a [`ChatRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatResponse {
    /// Always `Role::Assistant`; `tool_calls` is non-empty when the model
    /// wants tools run.
    pub message: Message,
    /// Why generation stopped.
    pub finish_reason: FinishReason,
    /// Tokens used.
    pub usage: Usage,
    /// The model that actually answered, as the provider names it.
    pub model: String,
}

// The provider interface's error is defined in `error.rs`, so that `error.rs`
// imports nothing from `runtime::llm` (which imports the config and agents).
pub use crate::error::{LlmError, LlmErrorKind};

/// Reply length when nothing sets `max_tokens`: the local model's default,
/// and the cap of a run's tool-call rounds (an OpenAI-compatible server
/// given none generates to the end of its context: llama-server's SmolLM2
/// wrote ~4,000 tokens of text, minutes on a CPU, instead of a call).
pub const DEFAULT_REPLY_TOKENS: u32 = 512;

/// A chat model. Implementations are shared between threads; a provider that
/// can only run one request at a time (the local model) serialises inside.
pub trait Provider: Send + Sync {
    /// `openai`, `anthropic` or `local`.
    fn name(&self) -> &str;

    /// The model used when a request names none.
    fn default_model(&self) -> &str;

    /// A caveat shown with every answer of this provider in docs and `--json`
    /// output (the local model is a tiny offline model).
    fn notice(&self) -> Option<&'static str> {
        None
    }

    /// Whether a request ending in an assistant message without tool calls
    /// ([`ChatRequest::answer_prefix`]) is answered by continuing that text,
    /// the continuation alone being returned. Only then does the run open an
    /// answer with its own statement of the tool results.
    fn continues_answers(&self) -> bool {
        false
    }

    /// Starts in the background the work this provider's next chat would
    /// begin with (the local model loads its weights), so that it overlaps
    /// the run's own preparation (memory context, grounding). `None` when
    /// there is nothing to start.
    fn prepare(&self) -> Option<Preparing> {
        None
    }

    /// Runs one chat completion. `on_text` receives assistant text as it is
    /// generated (streaming); the full result is returned at the end either
    /// way.
    fn chat(
        &self,
        request: &ChatRequest,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<ChatResponse, LlmError>;
}

/// Model work started ahead of a chat by [`Provider::prepare`].
pub struct Preparing {
    started: Instant,
    finished: mpsc::Receiver<Instant>,
}

impl Preparing {
    /// Work that started now and reports on `finished` when it ends.
    pub fn new(finished: mpsc::Receiver<Instant>) -> Preparing {
        Preparing {
            started: Instant::now(),
            finished,
        }
    }

    /// The model's working time for the first chat after the preparation,
    /// which ran from `chat_start` to `chat_end`: the preparation itself
    /// plus the part of the chat after it (a chat that began earlier waited
    /// for it, which is already counted). Time between the two, when the run
    /// was still busy with its own work, is not the model's.
    pub fn model_time(self, chat_start: Instant, chat_end: Instant) -> Duration {
        match self.finished.try_recv() {
            Ok(done) => {
                done.saturating_duration_since(self.started)
                    + chat_end.saturating_duration_since(chat_start.max(done))
            }
            Err(_) => chat_end.saturating_duration_since(chat_start),
        }
    }
}

pub mod anthropic;
pub mod openai;
pub(crate) mod select;
mod transport;
