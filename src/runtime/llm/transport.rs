//! What the HTTP adapters share: one POST with a deadline and one retry,
//! error classification by status, secret redaction, and an SSE reader.
//! The adapters only translate their wire format.

use std::io::{BufRead, BufReader, Read};
use std::time::{Duration, Instant};

use reqwest::blocking::{Client, Response};
use reqwest::header::HeaderMap;

use std::collections::BTreeMap;

use super::{ChatResponse, FinishReason, LlmError, LlmErrorKind, Message, Role, ToolCall, Usage};

/// Wait before the single retry when the provider does not say how long.
const DEFAULT_BACKOFF: Duration = Duration::from_millis(500);
/// Connecting never takes longer than this, so a dead host fails fast even
/// with a long request timeout.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// One client per provider: connection pooling across rounds of a run.
pub fn client(provider: &str) -> Result<Client, LlmError> {
    crate::http::client_builder()
        .connect_timeout(CONNECT_TIMEOUT)
        // Provider URLs are configured by the operator, so loopback servers
        // (Ollama, llama.cpp) are allowed here, unlike in `http_client`.
        .build()
        .map_err(|e| LlmError {
            kind: LlmErrorKind::Unavailable,
            provider: provider.to_string(),
            message: format!("cannot create an HTTP client: {e}"),
        })
}

/// A POST of a JSON body to one provider endpoint.
pub struct Post<'a> {
    pub provider: &'a str,
    pub url: &'a str,
    pub headers: HeaderMap,
    pub body: &'a serde_json::Value,
    /// Secrets that must never appear in an error message.
    pub secrets: &'a [&'a str],
}

impl Post<'_> {
    pub fn error(&self, kind: LlmErrorKind, message: impl AsRef<str>) -> LlmError {
        LlmError {
            kind,
            provider: self.provider.to_string(),
            message: redact(message.as_ref(), self.secrets),
        }
    }

    /// Send with the deadline `timeout` (retry included) and return a
    /// successful response whose body is still unread. Retries once on a
    /// timeout, 429 or 5xx, waiting `retry-after` when the provider gives one.
    pub fn send(&self, client: &Client, timeout: Duration) -> Result<Response, LlmError> {
        let deadline = Instant::now() + timeout;
        let body = serde_json::to_vec(self.body).unwrap_or_default();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(self.error(
                    LlmErrorKind::Timeout,
                    format!(
                        "no answer from {} within {}",
                        self.url,
                        crate::human::duration(timeout)
                    ),
                ));
            }
            let result = client
                .post(self.url)
                .headers(self.headers.clone())
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone())
                .timeout(left)
                .send();
            let (err, wait) = match result {
                Ok(r) if r.status().is_success() => return Ok(r),
                Ok(r) => {
                    let wait = retry_after(r.headers());
                    (self.status_error(r), wait)
                }
                Err(e) => (self.transport_error(&e, timeout), None),
            };
            let retryable = matches!(
                err.kind,
                LlmErrorKind::Timeout | LlmErrorKind::RateLimit | LlmErrorKind::Server
            );
            let wait = wait.unwrap_or(DEFAULT_BACKOFF);
            let left = deadline.saturating_duration_since(Instant::now());
            if attempt > 1 || !retryable || wait >= left {
                return Err(err);
            }
            std::thread::sleep(wait);
        }
    }

    fn transport_error(&self, e: &reqwest::Error, timeout: Duration) -> LlmError {
        if e.is_timeout() {
            self.error(
                LlmErrorKind::Timeout,
                format!(
                    "no answer from {} within {}",
                    self.url,
                    crate::human::duration(timeout)
                ),
            )
        } else if e.is_connect() {
            self.error(
                LlmErrorKind::Connection,
                format!("cannot connect to {}: {}", self.url, root_cause(e)),
            )
        } else {
            self.error(
                LlmErrorKind::Connection,
                format!("request to {} failed: {}", self.url, root_cause(e)),
            )
        }
    }

    /// Classify a non-success answer; the provider's own message is kept
    /// (redacted), because it usually says exactly what is wrong.
    fn status_error(&self, r: Response) -> LlmError {
        let status = r.status();
        let mut body = String::new();
        let _ = r.take(64 * 1024).read_to_string(&mut body);
        let detail = provider_message(&body);
        let kind = match status.as_u16() {
            401 | 403 => LlmErrorKind::Auth,
            429 => LlmErrorKind::RateLimit,
            500..=599 => LlmErrorKind::Server,
            _ => LlmErrorKind::BadResponse,
        };
        let what = match kind {
            LlmErrorKind::Auth => "the API key was refused",
            LlmErrorKind::RateLimit => "rate limited",
            LlmErrorKind::Server => "server error",
            _ => "request rejected",
        };
        self.error(
            kind,
            format!("{what}: HTTP {status} from {}: {detail}", self.url),
        )
    }
}

/// The innermost error text (reqwest wraps hyper wraps io).
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// `retry-after` (seconds) or `retry-after-ms`, capped at one minute.
fn retry_after(h: &HeaderMap) -> Option<Duration> {
    let get = |name: &str| h.get(name)?.to_str().ok()?.trim().parse::<f64>().ok();
    let d = get("retry-after-ms")
        .map(|ms| ms / 1000.0)
        .or_else(|| get("retry-after"))?;
    Duration::try_from_secs_f64(d.clamp(0.0, 60.0)).ok()
}

/// The human message inside an error body (`{"error": {"message": ...}}` in
/// both OpenAI and Anthropic shapes), else the body's start.
fn provider_message(body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let msg = parsed.as_ref().and_then(|v| {
        v.pointer("/error/message")
            .or_else(|| v.get("error").filter(|e| e.is_string()))
            .or_else(|| v.get("message"))
            .and_then(|m| m.as_str())
            .map(str::to_string)
    });
    let text = msg.unwrap_or_else(|| body.trim().to_string());
    if text.is_empty() {
        "(empty body)".into()
    } else {
        text.chars().take(500).collect()
    }
}

/// Remove secrets from `text`: the configured keys themselves and anything
/// shaped like an API key (providers echo masked keys such as `sk-ab***yz`,
/// whose visible ends are still part of the secret).
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| s.len() >= 4) {
        out = out.replace(s, "[redacted]");
    }
    key_shape().replace_all(&out, "[redacted]").into_owned()
}

fn key_shape() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(r"\b(sk|pk|key|sess)-[A-Za-z0-9_\-\*\.]{3,}").expect("valid regex")
    })
}

/// Whether a response is an SSE stream (else it is one JSON document: some
/// servers ignore `stream: true`).
pub fn is_event_stream(r: &Response) -> bool {
    r.headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/event-stream"))
}

/// One server-sent event: its `event:` name (empty when unnamed) and data.
#[derive(Debug, Default, PartialEq)]
pub struct Event {
    pub name: String,
    pub data: String,
}

/// Read SSE events from `r`, calling `f` for each until it returns `false`
/// or the stream ends. I/O errors (a dropped connection, a read timeout)
/// are returned as text for the adapter to classify.
pub fn read_events(
    r: impl Read,
    f: &mut dyn FnMut(Event) -> Result<bool, LlmError>,
) -> Result<(), ReadError> {
    let mut reader = BufReader::new(r);
    let mut event = Event::default();
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader
            .read_line(&mut line)
            .map_err(|e| ReadError::Io(e.to_string()))?;
        let text = line.trim_end_matches(['\r', '\n']);
        if n == 0 || text.is_empty() {
            if !event.data.is_empty() || !event.name.is_empty() {
                let go = f(std::mem::take(&mut event)).map_err(ReadError::Llm)?;
                if !go {
                    return Ok(());
                }
            }
            if n == 0 {
                return Ok(());
            }
            continue;
        }
        if text.starts_with(':') {
            continue; // comment / keep-alive
        }
        let (field, value) = text.split_once(':').unwrap_or((text, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => event.name = value.to_string(),
            "data" => {
                if !event.data.is_empty() {
                    event.data.push('\n');
                }
                event.data.push_str(value);
            }
            _ => {}
        }
    }
}

pub enum ReadError {
    Io(String),
    Llm(LlmError),
}

impl Post<'_> {
    /// Turn a stream read failure into a classified error.
    pub fn read_error(&self, e: ReadError) -> LlmError {
        match e {
            ReadError::Llm(e) => e,
            ReadError::Io(msg) if msg.contains("timed out") || msg.contains("deadline") => self
                .error(
                    LlmErrorKind::Timeout,
                    format!("the stream from {} stopped: {msg}", self.url),
                ),
            ReadError::Io(msg) => self.error(
                LlmErrorKind::BadResponse,
                format!("the stream from {} broke off: {msg}", self.url),
            ),
        }
    }

    /// A body that does not parse as the expected shape.
    pub fn bad_json(&self, what: &str, e: &serde_json::Error, text: &str) -> LlmError {
        let excerpt: String = text.chars().take(200).collect();
        self.error(
            LlmErrorKind::BadResponse,
            format!(
                "{what} from {} is not valid: {e} (got: {excerpt})",
                self.url
            ),
        )
    }
}

/// Parse a whole (non-streamed) JSON body.
pub fn read_json<T: serde::de::DeserializeOwned>(post: &Post, r: Response) -> Result<T, LlmError> {
    let text = r.text().map_err(|e| {
        post.error(
            if e.is_timeout() {
                LlmErrorKind::Timeout
            } else {
                LlmErrorKind::BadResponse
            },
            format!(
                "cannot read the answer from {}: {}",
                post.url,
                root_cause(&e)
            ),
        )
    })?;
    serde_json::from_str(&text).map_err(|e| post.bad_json("the answer", &e, &text))
}

/// A streamed or whole answer put together: tool calls by position as
/// (id, name, argument JSON text). A missing finish reason is inferred.
pub fn response(
    text: String,
    calls: BTreeMap<usize, (String, String, String)>,
    finish: Option<FinishReason>,
    usage: Usage,
    model: Option<String>,
    default_model: &str,
) -> ChatResponse {
    let tool_calls: Vec<ToolCall> = calls
        .into_iter()
        .map(|(i, (id, name, arguments))| ToolCall {
            id: if id.is_empty() {
                format!("call_{i}")
            } else {
                id
            },
            name,
            arguments: if arguments.trim().is_empty() {
                "{}".into()
            } else {
                arguments
            },
        })
        .collect();
    let finish_reason = match finish {
        Some(f) => f,
        None if !tool_calls.is_empty() => FinishReason::ToolCalls,
        None => FinishReason::Stop,
    };
    ChatResponse {
        message: Message {
            tool_calls,
            ..Message::new(Role::Assistant, text)
        },
        finish_reason,
        usage,
        model: model.unwrap_or_else(|| default_model.to_string()),
    }
}

/// An API key as a header value, marked sensitive so it is never logged.
pub fn secret_header(
    provider: &str,
    value: &str,
) -> Result<reqwest::header::HeaderValue, LlmError> {
    let mut v = reqwest::header::HeaderValue::from_str(value).map_err(|_| LlmError {
        kind: LlmErrorKind::Auth,
        provider: provider.to_string(),
        message: "the API key contains characters not allowed in an HTTP header".into(),
    })?;
    v.set_sensitive(true);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_keys_and_masked_echoes() {
        let msg = "Incorrect API key provided: sk-wrong*****1234. Also secret-value-xyz";
        let out = redact(msg, &["secret-value-xyz"]);
        assert!(!out.contains("sk-wrong") && !out.contains("1234"), "{out}");
        assert!(!out.contains("secret-value-xyz"), "{out}");
        assert!(out.contains("Incorrect API key provided: [redacted]"));
    }

    #[test]
    fn parses_named_and_multiline_events() {
        let body =
            ": ping\nevent: a\ndata: {\"x\":1}\n\ndata: one\ndata: two\r\n\r\ndata: [DONE]\n";
        let mut got = Vec::new();
        let r = read_events(body.as_bytes(), &mut |e| {
            got.push(e);
            Ok(true)
        });
        assert!(r.is_ok());
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].name, "a");
        assert_eq!(got[1].data, "one\ntwo");
        assert_eq!(got[2].data, "[DONE]");
    }

    #[test]
    fn retry_after_seconds_and_ms() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "2".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert("retry-after-ms", "250".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_millis(250)));
    }
}
