//! Example Caxton WASM agent: counts words, lines and characters of a text
//! and returns the most frequent words as JSON.
//!
//! Request: `{"input": {"text": "...", "top": 5}}` or `{"input": "..."}`.
//! Answer: `{"words", "lines", "characters", "unique_words", "top_words"}`,
//! or `{"error": "..."}` for a request it cannot use.

pub mod caxton;

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
struct Request {
    input: Value,
}

fn handle(request: &[u8]) -> Vec<u8> {
    let answer = match serde_json::from_slice::<Request>(request) {
        Ok(req) => count(&req.input),
        Err(e) => json!({"error": format!("bad request: {e}")}),
    };
    serde_json::to_vec(&answer).unwrap_or_else(|_| b"{\"error\":\"encoding failed\"}".to_vec())
}

fn count(input: &Value) -> Value {
    let (text, top) = match input {
        Value::String(s) => (s.as_str(), 5),
        Value::Object(o) => match o.get("text").and_then(Value::as_str) {
            Some(t) => (t, o.get("top").and_then(Value::as_u64).unwrap_or(5) as usize),
            None => return json!({"error": "input.text must be a string"}),
        },
        _ => return json!({"error": "input must be a string or {\"text\": ...}"}),
    };
    let mut freq: HashMap<String, u64> = HashMap::new();
    let mut words = 0u64;
    for w in text
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
    {
        words += 1;
        *freq.entry(w.to_lowercase()).or_default() += 1;
    }
    let mut ranked: Vec<(&String, &u64)> = freq.iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let top_words: Vec<Value> = ranked
        .iter()
        .take(top.min(100))
        .map(|(w, n)| json!({"word": w, "count": n}))
        .collect();
    caxton::log(caxton::INFO, &format!("counted {words} words"));
    json!({
        "words": words,
        "lines": text.lines().count(),
        "characters": text.chars().count(),
        "unique_words": freq.len(),
        "top_words": top_words,
    })
}

caxton_handler!(handle);
