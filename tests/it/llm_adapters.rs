//! The OpenAI-compatible and Anthropic adapters against CANNED responses
//! (tests/recorded_llm, hand-written from the API docs, replayed on
//! loopback): success, streaming fragments, tool calls, and every classified
//! failure.

use std::time::{Duration, Instant};

use crate::common::recorded_llm::{RecordedLlm, dead_url};
use caxton::runtime::llm::anthropic::Anthropic;
use caxton::runtime::llm::openai::OpenAi;
use caxton::runtime::llm::{
    ChatRequest, ChatResponse, FinishReason, LlmError, LlmErrorKind, Message, Provider, Role,
    ToolChoice, ToolSpec,
};
use serde_json::json;

const KEY: &str = "sk-test-wrong-key-12345";

fn request() -> ChatRequest {
    ChatRequest {
        model: None,
        messages: vec![
            Message::new(Role::System, "You analyse data."),
            Message::new(Role::User, "Summarise sales.csv"),
        ],
        tools: vec![ToolSpec {
            name: "csv_parser".into(),
            description: "Parse CSV".into(),
            parameters: json!({"type": "object", "properties": {"path": {"type": "string"}}}),
        }],
        tool_choice: ToolChoice::Auto,
        temperature: Some(0.0),
        max_tokens: None,
        seed: None,
        timeout: Duration::from_secs(10),
    }
}

fn openai(server: &RecordedLlm) -> OpenAi {
    OpenAi::new(&server.url("/v1"), Some(KEY.into()), "gpt-4o-mini").unwrap()
}

fn anthropic(server: &RecordedLlm) -> Anthropic {
    Anthropic::new(&server.url(""), Some(KEY.into()), "claude-sonnet-4-5").unwrap()
}

fn chat(p: &dyn Provider) -> (Result<ChatResponse, LlmError>, String) {
    let mut streamed = String::new();
    let r = p.chat(&request(), &mut |t| streamed.push_str(t));
    (r, streamed)
}

#[track_caller]
fn failure(p: &dyn Provider, kind: LlmErrorKind) -> LlmError {
    let e = chat(p).0.expect_err("expected a failure");
    assert_eq!(e.kind, kind, "{e}");
    assert!(!e.to_string().contains("12345"), "key leaked: {e}");
    e
}

#[test]
fn openai_streams_text_and_usage() {
    let s = RecordedLlm::start(&["openai/stream_text.http"]);
    let (r, streamed) = chat(&openai(&s));
    let r = r.unwrap();
    assert_eq!(
        r.message.content,
        "The file has 3 rows; revenue averages 20."
    );
    assert_eq!(streamed, r.message.content);
    assert_eq!(r.finish_reason, FinishReason::Stop);
    assert_eq!(
        (r.usage.prompt_tokens, r.usage.completion_tokens),
        (412, 23)
    );
    assert_eq!(r.model, "gpt-4o-mini-2024-07-18");
    let got = &s.received()[0];
    assert_eq!(got.path, "/v1/chat/completions");
    assert_eq!(
        got.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(got.body["stream"], true);
    assert_eq!(got.body["stream_options"]["include_usage"], true);
    assert_eq!(got.body["tools"][0]["function"]["name"], "csv_parser");
    assert_eq!(got.body["messages"][0]["role"], "system");
}

#[test]
fn openai_assembles_streamed_tool_call_fragments() {
    let s = RecordedLlm::start(&["openai/stream_tool_call.http"]);
    let r = chat(&openai(&s)).0.unwrap();
    assert_eq!(r.finish_reason, FinishReason::ToolCalls);
    let c = &r.message.tool_calls[0];
    assert_eq!(
        (c.id.as_str(), c.name.as_str()),
        ("call_Qx7mB2nV9kL4pR1sT6wY3zA8", "csv_parser")
    );
    assert_eq!(c.arguments, r#"{"path":"sales.csv"}"#);
}

#[test]
fn openai_reads_a_whole_json_completion() {
    let s = RecordedLlm::start(&["openai/chat_text.http"]);
    let (r, streamed) = chat(&openai(&s));
    let r = r.unwrap();
    assert_eq!(r.message.content, "The CSV has 3 rows.");
    assert_eq!(streamed, "The CSV has 3 rows.");
    assert_eq!(r.usage.completion_tokens, 7);
}

#[test]
fn ollama_and_llamacpp_tool_call_shapes() {
    let s = RecordedLlm::start(&[
        "ollama/stream_tool_call.http",
        "llamacpp/stream_tool_call.http",
    ]);
    let p = openai(&s);
    let r = chat(&p).0.unwrap();
    assert_eq!(r.message.tool_calls[0].name, "csv_parser");
    assert_eq!(r.message.tool_calls[0].arguments, r#"{"path":"sales.csv"}"#);
    assert_eq!(r.usage.prompt_tokens, 233);
    let r = chat(&p).0.unwrap();
    let args: serde_json::Value = serde_json::from_str(&r.message.tool_calls[0].arguments).unwrap();
    assert_eq!(args["path"], "sales.csv");
    assert_eq!(r.finish_reason, FinishReason::ToolCalls);
}

#[test]
fn openai_401_is_auth_without_the_key() {
    let s = RecordedLlm::start(&["openai/401.http"]);
    let e = failure(&openai(&s), LlmErrorKind::Auth);
    assert_eq!(e.provider, "openai");
    assert!(e.message.contains(&s.url("/v1/chat/completions")), "{e}");
    assert!(!e.message.contains("sk-test"), "{e}");
    assert_eq!(s.received().len(), 1, "auth failures are not retried");
}

#[test]
fn openai_429_waits_retry_after_then_succeeds() {
    let s = RecordedLlm::start(&["openai/429.http", "openai/stream_text.http"]);
    let started = Instant::now();
    let r = chat(&openai(&s)).0.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "retry-after: 1 was not honoured"
    );
    assert!(!r.message.content.is_empty());
    assert_eq!(s.received().len(), 2);
}

#[test]
fn openai_429_twice_is_rate_limit() {
    let s = RecordedLlm::start(&["openai/429.http", "openai/429.http"]);
    failure(&openai(&s), LlmErrorKind::RateLimit);
    assert_eq!(s.received().len(), 2, "exactly one retry");
}

#[test]
fn openai_500_twice_is_server_error() {
    let s = RecordedLlm::start(&["openai/500.http", "openai/500.http"]);
    let e = failure(&openai(&s), LlmErrorKind::Server);
    assert!(e.message.contains("HTTP 500"), "{e}");
    assert_eq!(s.received().len(), 2);
}

#[test]
fn openai_truncated_stream_and_malformed_json_are_bad_responses() {
    let s = RecordedLlm::start(&["openai/stream_truncated.http", "openai/malformed.http"]);
    let p = openai(&s);
    let e = failure(&p, LlmErrorKind::BadResponse);
    assert!(e.message.contains("ended before"), "{e}");
    let e = failure(&p, LlmErrorKind::BadResponse);
    assert!(e.message.contains("not valid"), "{e}");
}

#[test]
fn connection_refused_names_the_url() {
    let (_port, url) = dead_url();
    let p = OpenAi::new(&url, None, "m").unwrap();
    let e = chat(&p).0.unwrap_err();
    assert_eq!(e.kind, LlmErrorKind::Connection, "{e}");
    assert!(
        e.message.contains(&format!("{url}/chat/completions")),
        "{e}"
    );
}

#[test]
fn anthropic_streams_tool_use_with_json_deltas() {
    let s = RecordedLlm::start(&["anthropic/stream_tool_use.http"]);
    let (r, streamed) = chat(&anthropic(&s));
    let r = r.unwrap();
    assert_eq!(streamed, "I'll parse the file.");
    assert_eq!(r.finish_reason, FinishReason::ToolCalls);
    let c = &r.message.tool_calls[0];
    assert_eq!(
        (c.id.as_str(), c.name.as_str()),
        ("toolu_01T1x1fJ34qAmk2tNTrN7Up6", "csv_parser")
    );
    assert_eq!(c.arguments, r#"{"path": "sales.csv"}"#);
    assert_eq!(
        (r.usage.prompt_tokens, r.usage.completion_tokens),
        (472, 68)
    );
    let got = &s.received()[0];
    assert_eq!(got.path, "/v1/messages");
    assert_eq!(got.header("x-api-key"), Some(KEY));
    assert_eq!(got.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(got.body["system"], "You analyse data.");
    assert!(got.body["max_tokens"].as_u64().is_some());
    assert_eq!(got.body["messages"][0]["role"], "user");
    assert_eq!(got.body["tools"][0]["input_schema"]["type"], "object");
}

#[test]
fn anthropic_text_stream_and_whole_message() {
    let s = RecordedLlm::start(&["anthropic/stream_text.http", "anthropic/message.http"]);
    let p = anthropic(&s);
    let r = chat(&p).0.unwrap();
    assert_eq!(
        r.message.content,
        "The file has 3 rows; revenue averages 20."
    );
    assert_eq!(r.finish_reason, FinishReason::Stop);
    let r = chat(&p).0.unwrap();
    assert_eq!(r.message.content, "Let me check.");
    assert_eq!(r.message.tool_calls[0].arguments, r#"{"path":"sales.csv"}"#);
}

#[test]
fn anthropic_failures_are_classified() {
    let s = RecordedLlm::start(&[
        "anthropic/401.http",
        "anthropic/529.http",
        "anthropic/529.http",
        "anthropic/stream_truncated.http",
        "anthropic/malformed.http",
        "anthropic/stream_overloaded.http",
        "anthropic/429.http",
        "anthropic/stream_text.http",
    ]);
    let p = anthropic(&s);
    let e = failure(&p, LlmErrorKind::Auth);
    assert!(
        e.message.contains("invalid x-api-key") && e.provider == "anthropic",
        "{e}"
    );
    failure(&p, LlmErrorKind::Server);
    let e = failure(&p, LlmErrorKind::BadResponse);
    assert!(e.message.contains("message_stop"), "{e}");
    failure(&p, LlmErrorKind::BadResponse);
    let e = failure(&p, LlmErrorKind::Server);
    assert!(e.message.contains("Overloaded"), "{e}");
    assert!(chat(&p).0.is_ok(), "429 then success after retry-after");
    assert_eq!(s.received().len(), 8);
}
