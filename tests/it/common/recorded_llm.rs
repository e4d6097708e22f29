//! A REPLAY, not a model: a loopback HTTP server that serves canned LLM API
//! responses (tests/recorded_llm/*.http: status line, headers, blank line,
//! body), one per request, in the order a test scripts them. The fixtures
//! are hand-written from the providers' API documentation, not captured
//! from the live services (tests/recorded_llm/README.md). It keeps every request it received so tests can
//! check what the adapters sent.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    /// Header names lowercased.
    pub headers: Vec<(String, String)>,
    pub body: serde_json::Value,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub struct RecordedLlm {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

/// The text of a recorded response.
pub fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/recorded_llm")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

impl RecordedLlm {
    /// Serve the named recordings, one per request, in order. Requests
    /// beyond the script get a 599 that no test expects.
    pub fn start(script: &[&str]) -> RecordedLlm {
        RecordedLlm::serve(script.iter().map(|n| fixture(n)).collect())
    }

    /// Serve `responses` (each in the fixture format), one per request, in order.
    pub fn serve(responses: Vec<String>) -> RecordedLlm {
        RecordedLlm::serve_paced(responses.into_iter().map(|r| (Duration::ZERO, r)).collect())
    }

    /// [`RecordedLlm::serve`], each response sent its delay after its
    /// request came in: a model that takes its time.
    pub fn serve_paced(responses: Vec<(Duration, String)>) -> RecordedLlm {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        std::thread::spawn(move || {
            let mut next = responses.into_iter();
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (delay, reply) = next.next().unwrap_or_else(|| {
                    (Duration::ZERO, "HTTP/1.1 599 Script Exhausted\n\n".into())
                });
                serve(stream, &reply, delay, &log);
            }
        });
        RecordedLlm { port, received }
    }

    /// `http://127.0.0.1:PORT` + `suffix`.
    pub fn url(&self, suffix: &str) -> String {
        format!("http://127.0.0.1:{}{suffix}", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// Read one request, log it (before answering, so a test that saw the
/// answer also sees the request), then write the recording.
fn serve(
    stream: TcpStream,
    reply: &str,
    delay: Duration,
    log: &Mutex<Vec<Received>>,
) -> Option<()> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let mut headers = Vec::new();
    let mut length = 0usize;
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_string());
            if k == "content-length" {
                length = v.parse().unwrap_or(0);
            }
            headers.push((k, v));
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    log.lock().unwrap().push(Received {
        path,
        headers,
        body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
    });
    std::thread::sleep(delay);
    let (head, payload) = reply.split_once("\n\n").unwrap_or((reply, ""));
    let mut out = String::new();
    for h in head.lines() {
        out.push_str(h.trim_end());
        out.push_str("\r\n");
    }
    out.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n{payload}",
        payload.len()
    ));
    let mut stream = stream;
    let _ = stream.write_all(out.as_bytes());
    let _ = stream.flush();
    Some(())
}

/// A loopback `/v1` base URL where nothing listens, and the port held for
/// as long as the returned guard lives.
pub fn dead_url() -> (super::DeadPort, String) {
    let port = super::DeadPort::new();
    let url = port.url("/v1");
    (port, url)
}
