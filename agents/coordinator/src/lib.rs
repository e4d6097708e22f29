//! Example Caxton WASM agent that cooperates by messaging: it offers
//! `coordination`, asks whoever offers `text-stats` (the word-count example)
//! to analyse a text, and turns the answer into a short report for the
//! original sender.
//!
//! 1. `request` with a text (`"..."` or `{"text": "..."}`) from a user:
//!    sends a `request` to `text-stats` with `reply_with` naming the user,
//!    answers that the analysis is under way.
//! 2. The `inform` answer of `text-stats` arrives: sends an `inform` with the
//!    report to the user named in `in_reply_to`.
//! 3. A `failure` from `text-stats` is passed on to the user the same way.

#[path = "../../word-count/src/caxton.rs"]
pub mod caxton;

use serde_json::{Value, json};

/// `reply_with` prefix that carries who gets the report.
const REPORT_TO: &str = "report-to:";

fn handle(request: &[u8]) -> Vec<u8> {
    let answer = match serde_json::from_slice::<Value>(request) {
        Ok(req) => coordinate(&req),
        Err(e) => json!({"error": format!("bad request: {e}")}),
    };
    serde_json::to_vec(&answer).unwrap_or_else(|_| b"{\"error\":\"encoding failed\"}".to_vec())
}

fn coordinate(req: &Value) -> Value {
    let performative = req["performative"].as_str().unwrap_or("request");
    match performative {
        "request" | "query" => ask(req),
        "inform" | "failure" => report(req, performative),
        other => json!({"error": format!("coordinator does not handle `{other}`")}),
    }
}

fn ask(req: &Value) -> Value {
    let text = match &req["input"] {
        Value::String(s) => s.as_str(),
        Value::Object(o) => match o.get("text").and_then(Value::as_str) {
            Some(t) => t,
            None => return json!({"error": "input.text must be a string"}),
        },
        _ => return json!({"error": "send a text, or {\"text\": ...}"}),
    };
    let requester = req["sender"].as_str().unwrap_or("cli");
    let message = json!({
        "performative": "request",
        "capability": "text-stats",
        "content": {"text": text, "top": 3},
        "reply_with": format!("{REPORT_TO}{requester}"),
    });
    match caxton::send_message(&message.to_string()) {
        0 => json!({"status": "asked text-stats; the report follows as an inform"}),
        code => json!({"error": format!("could not ask text-stats (status {code})")}),
    }
}

fn report(req: &Value, performative: &str) -> Value {
    let Some(to) = req["message"]["in_reply_to"]
        .as_str()
        .and_then(|r| r.strip_prefix(REPORT_TO))
    else {
        return json!({"ignored": "not an answer to one of my requests"});
    };
    let stats = &req["input"];
    let content = if performative == "failure" {
        json!({"error": format!("text-stats failed: {}", stats["error"])})
    } else {
        let top: Vec<String> = stats["top_words"]
            .as_array()
            .map(|ws| {
                ws.iter()
                    .map(|w| format!("{} ({})", w["word"].as_str().unwrap_or("?"), w["count"]))
                    .collect()
            })
            .unwrap_or_default();
        json!({
            "report": format!(
                "{} words in {} lines, {} distinct; most frequent: {}",
                stats["words"], stats["lines"], stats["unique_words"], top.join(", ")
            ),
            "stats": stats,
        })
    };
    let message = json!({"performative": performative, "receiver": to, "content": content});
    let status = caxton::send_message(&message.to_string());
    caxton::log(caxton::INFO, &format!("report to {to}: status {status}"));
    json!({"reported_to": to, "status": status})
}

caxton_handler!(handle);
