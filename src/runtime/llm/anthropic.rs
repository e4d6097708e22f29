//! The Anthropic Messages API: the system prompt is a top-level field, tool
//! calls are `tool_use` blocks, their results `tool_result` blocks inside a
//! user message, `max_tokens` is required, and the stream uses named events.

use std::collections::BTreeMap;

use reqwest::blocking::Client;
use reqwest::header::{HeaderMap, HeaderValue};
use serde::Deserialize;
use serde_json::{Value, json};

use super::transport::{self, Post};
use super::{
    ChatRequest, ChatResponse, FinishReason, LlmError, LlmErrorKind, Provider, Role, ToolChoice,
    Usage,
};

/// The provider's name in configs.
pub const NAME: &str = "anthropic";
/// Used when no `base_url` is configured.
pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";
/// Used when no model is configured.
pub const DEFAULT_MODEL: &str = "claude-sonnet-4-5";
const API_VERSION: &str = "2023-06-01";
/// The API requires `max_tokens`; used when the agent sets none.
const DEFAULT_MAX_TOKENS: u32 = 4096;

/// The Anthropic Messages API adapter.
pub struct Anthropic {
    base_url: String,
    api_key: Option<String>,
    model: String,
    client: Client,
}

impl Anthropic {
    /// `base_url` is the API root without `/v1`.
    pub fn new(base_url: &str, api_key: Option<String>, model: &str) -> Result<Self, LlmError> {
        Ok(Anthropic {
            base_url: base_url
                .trim_end_matches('/')
                .trim_end_matches("/v1")
                .to_string(),
            api_key,
            model: model.to_string(),
            client: transport::client(NAME)?,
        })
    }
}

/// The request body: system messages joined into `system`, the rest as
/// alternating user/assistant turns (consecutive same-role messages, e.g.
/// several tool results, merge into one turn's block list).
fn body(req: &ChatRequest, model: &str) -> Value {
    let system: Vec<&str> = req
        .messages
        .iter()
        .filter(|m| m.role == Role::System)
        .map(|m| m.content.as_str())
        .collect();
    let mut turns: Vec<(&'static str, Vec<Value>)> = Vec::new();
    for m in req.messages.iter().filter(|m| m.role != Role::System) {
        let (role, blocks) = match m.role {
            Role::User => ("user", vec![json!({"type": "text", "text": m.content})]),
            Role::Tool => (
                "user",
                vec![json!({"type": "tool_result",
                    "tool_use_id": m.tool_call_id.clone().unwrap_or_default(),
                    "content": m.content})],
            ),
            _ => {
                let mut b = Vec::new();
                if !m.content.is_empty() {
                    b.push(json!({"type": "text", "text": m.content}));
                }
                for c in &m.tool_calls {
                    // The model's arguments were JSON text; a broken one is
                    // sent as an empty object (its error was already reported).
                    let input: Value = serde_json::from_str(&c.arguments)
                        .ok()
                        .filter(Value::is_object)
                        .unwrap_or_else(|| json!({}));
                    b.push(json!({"type": "tool_use", "id": c.id, "name": c.name, "input": input}));
                }
                ("assistant", b)
            }
        };
        match turns.last_mut() {
            Some((r, b)) if *r == role => b.extend(blocks),
            _ => turns.push((role, blocks)),
        }
    }
    let messages: Vec<Value> = turns
        .into_iter()
        .map(|(role, content)| json!({"role": role, "content": content}))
        .collect();
    let mut body = json!({
        "model": req.model.as_deref().unwrap_or(model),
        "max_tokens": req.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
        "messages": messages,
        "stream": true,
    });
    if !system.is_empty() {
        body["system"] = json!(system.join("\n\n"));
    }
    if !req.tools.is_empty() {
        body["tools"] = req
            .tools
            .iter()
            .map(|t| json!({"name": t.name, "description": t.description, "input_schema": t.parameters}))
            .collect();
        if req.tool_choice == ToolChoice::Required {
            body["tool_choice"] = json!({"type": "any"});
        }
    }
    if let Some(t) = req.temperature {
        body["temperature"] = json!(t);
    }
    body
}

#[derive(Debug, Default, Deserialize)]
struct WireUsage {
    #[serde(default)]
    input_tokens: Option<u32>,
    #[serde(default)]
    output_tokens: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Block {
    Text {
        #[serde(default)]
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        #[serde(default)]
        input: Value,
    },
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
struct WireMessage {
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    content: Vec<Block>,
    #[serde(default)]
    stop_reason: Option<String>,
    #[serde(default)]
    usage: WireUsage,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Delta {
    #[serde(rename = "text_delta")]
    Text { text: String },
    #[serde(rename = "input_json_delta")]
    InputJson { partial_json: String },
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
struct MessageDelta {
    #[serde(default)]
    stop_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum StreamEvent {
    MessageStart {
        message: WireMessage,
    },
    ContentBlockStart {
        index: usize,
        content_block: Block,
    },
    ContentBlockDelta {
        index: usize,
        delta: Delta,
    },
    ContentBlockStop {},
    MessageDelta {
        delta: MessageDelta,
        #[serde(default)]
        usage: WireUsage,
    },
    MessageStop {},
    Ping {},
    Error {
        error: Value,
    },
}

fn finish(reason: &str) -> FinishReason {
    match reason {
        "end_turn" | "stop_sequence" => FinishReason::Stop,
        "tool_use" => FinishReason::ToolCalls,
        "max_tokens" => FinishReason::Length,
        other => FinishReason::Other(other.to_string()),
    }
}

#[derive(Default)]
struct Assembly {
    text: String,
    /// Tool-use blocks by content index: id, name, input JSON text.
    calls: BTreeMap<usize, (String, String, String)>,
    stop: Option<String>,
    usage: Usage,
    model: Option<String>,
    stopped: bool,
}

impl Assembly {
    fn block(&mut self, index: usize, b: Block, on_text: &mut dyn FnMut(&str)) {
        match b {
            Block::Text { text } if !text.is_empty() => {
                on_text(&text);
                self.text.push_str(&text);
            }
            Block::ToolUse { id, name, input } => {
                // A streamed block starts with `input: {}` and fills it by
                // deltas; a whole message carries the final input.
                let text = match &input {
                    Value::Object(m) if m.is_empty() => String::new(),
                    Value::Null => String::new(),
                    v => v.to_string(),
                };
                self.calls.insert(index, (id, name, text));
            }
            _ => {}
        }
    }

    fn message(&mut self, m: WireMessage, on_text: &mut dyn FnMut(&str)) {
        self.model = m.model.or(self.model.take());
        self.usage.prompt_tokens = m.usage.input_tokens.unwrap_or(self.usage.prompt_tokens);
        if let Some(o) = m.usage.output_tokens {
            self.usage.completion_tokens = o;
        }
        if let Some(s) = m.stop_reason {
            self.stop = Some(s);
        }
        for (i, b) in m.content.into_iter().enumerate() {
            self.block(i, b, on_text);
        }
    }

    fn into_response(self, default_model: &str) -> ChatResponse {
        transport::response(
            self.text,
            self.calls,
            self.stop.as_deref().map(finish),
            self.usage,
            self.model,
            default_model,
        )
    }
}

impl Provider for Anthropic {
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
        let url = format!("{}/v1/messages", self.base_url);
        let body = body(request, &self.model);
        let mut headers = HeaderMap::new();
        headers.insert("anthropic-version", HeaderValue::from_static(API_VERSION));
        let secrets: Vec<&str> = self.api_key.iter().map(String::as_str).collect();
        if let Some(key) = &self.api_key {
            headers.insert("x-api-key", transport::secret_header(NAME, key)?);
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
            let m: WireMessage = transport::read_json(&post, response)?;
            asm.message(m, on_text);
            return Ok(asm.into_response(&self.model));
        }
        transport::read_events(response, &mut |e| {
            let ev: StreamEvent = serde_json::from_str(&e.data).map_err(|err| {
                post.bad_json(&format!("stream event `{}`", e.name), &err, &e.data)
            })?;
            match ev {
                StreamEvent::MessageStart { message } => asm.message(message, on_text),
                StreamEvent::ContentBlockStart {
                    index,
                    content_block,
                } => asm.block(index, content_block, on_text),
                StreamEvent::ContentBlockDelta { index, delta } => match delta {
                    Delta::Text { text } => {
                        on_text(&text);
                        asm.text.push_str(&text);
                    }
                    Delta::InputJson { partial_json } => {
                        if let Some(c) = asm.calls.get_mut(&index) {
                            c.2.push_str(&partial_json);
                        }
                    }
                    Delta::Other => {}
                },
                StreamEvent::MessageDelta { delta, usage } => {
                    if let Some(s) = delta.stop_reason {
                        asm.stop = Some(s);
                    }
                    if let Some(o) = usage.output_tokens {
                        asm.usage.completion_tokens = o;
                    }
                }
                StreamEvent::MessageStop {} => {
                    asm.stopped = true;
                    return Ok(false);
                }
                StreamEvent::Error { error } => {
                    let kind = match error.get("type").and_then(Value::as_str) {
                        Some("rate_limit_error") => LlmErrorKind::RateLimit,
                        Some("authentication_error" | "permission_error") => LlmErrorKind::Auth,
                        _ => LlmErrorKind::Server,
                    };
                    let msg = error
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("unknown error");
                    return Err(
                        post.error(kind, format!("error inside the stream from {url}: {msg}"))
                    );
                }
                StreamEvent::ContentBlockStop {} | StreamEvent::Ping {} => {}
            }
            Ok(true)
        })
        .map_err(|e| post.read_error(e))?;
        if !asm.stopped && asm.stop.is_none() {
            return Err(post.error(
                LlmErrorKind::BadResponse,
                format!(
                    "the stream from {url} ended before the answer was complete (no message_stop)"
                ),
            ));
        }
        Ok(asm.into_response(&self.model))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::llm::{Message, ToolCall};
    use std::time::Duration;

    #[test]
    fn body_has_top_level_system_and_merged_tool_results() {
        let call = |id: &str| ToolCall {
            id: id.into(),
            name: "csv_parser".into(),
            arguments: r#"{"path":"a.csv"}"#.into(),
        };
        let req = ChatRequest {
            model: None,
            messages: vec![
                Message::new(Role::System, "be brief"),
                Message::new(Role::User, "hi"),
                Message {
                    tool_calls: vec![call("t1"), call("t2")],
                    ..Message::new(Role::Assistant, "")
                },
                Message::tool_result("t1", "r1"),
                Message::tool_result("t2", "r2"),
            ],
            tools: vec![],
            tool_choice: ToolChoice::Auto,
            temperature: None,
            max_tokens: None,
            seed: None,
            timeout: Duration::from_secs(1),
        };
        let b = body(&req, "m");
        assert_eq!(b["system"], "be brief");
        assert_eq!(b["max_tokens"], DEFAULT_MAX_TOKENS);
        let msgs = b["messages"].as_array().unwrap();
        assert_eq!(msgs.len(), 3);
        assert_eq!(msgs[1]["content"][0]["type"], "tool_use");
        assert_eq!(msgs[1]["content"][0]["input"]["path"], "a.csv");
        assert_eq!(msgs[2]["role"], "user");
        assert_eq!(msgs[2]["content"].as_array().unwrap().len(), 2);
        assert_eq!(msgs[2]["content"][1]["tool_use_id"], "t2");
    }
}
