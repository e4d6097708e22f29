//! How commands reach a running daemon: its URL from `run/caxton.url`, the
//! bearer token from the config, and error bodies turned back into
//! [`Error::Remote`] with the daemon's code, message and hint.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::Caxton;
use crate::error::{Error, Result};

pub struct Client {
    pub url: String,
    token: Option<String>,
    http: reqwest::blocking::Client,
}

impl Client {
    /// The daemon of this data directory, if one runs. A URL file whose
    /// daemon is gone (its lock is free) is stale and ignored.
    pub fn find(cx: &Caxton) -> Result<Option<Client>> {
        let data_dir = &cx.paths().data_dir;
        let Ok(url) = std::fs::read_to_string(super::url_file(data_dir)) else {
            return Ok(None);
        };
        match crate::lock::daemon(data_dir, "probe") {
            Ok(_free) => return Ok(None),
            Err(Error::DaemonRunning { .. }) => {}
            Err(e) => return Err(e),
        }
        Ok(Some(Client::new(url.trim(), super::auth_token(cx)?)?))
    }

    /// The daemon, or [`Error::DaemonNotRunning`] (exit 6).
    pub fn require(cx: &Caxton) -> Result<Client> {
        Client::find(cx)?.ok_or_else(|| Error::DaemonNotRunning {
            dir: cx.paths().data_dir.clone(),
        })
    }

    pub fn new(url: &str, token: Option<String>) -> Result<Client> {
        let http = crate::http::client_builder()
            .timeout(Duration::from_secs(300))
            .build()
            .map_err(|e| Error::DaemonUnreachable {
                url: url.to_string(),
                message: e.to_string(),
            })?;
        Ok(Client {
            url: url.trim_end_matches('/').to_string(),
            token,
            http,
        })
    }

    fn send(
        &self,
        req: reqwest::blocking::RequestBuilder,
        timeout: Option<Duration>,
    ) -> Result<Value> {
        let mut req = req;
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(t) = timeout {
            req = req.timeout(t);
        }
        let unreachable = |e: reqwest::Error| Error::DaemonUnreachable {
            url: self.url.clone(),
            message: if e.is_timeout() {
                "no answer in time".into()
            } else {
                e.without_url().to_string()
            },
        };
        let resp = req.send().map_err(unreachable)?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().map_err(unreachable)?;
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if status < 400 {
            return Ok(body);
        }
        let err = &body["error"];
        Err(Error::Remote {
            status,
            code: err["code"].as_str().unwrap_or("http_error").to_string(),
            message: err["message"]
                .as_str()
                .map_or_else(|| format!("HTTP {status}"), String::from),
            hint: err["hint"].as_str().map(String::from),
        })
    }

    pub fn get(&self, path: &str, timeout: Option<Duration>) -> Result<Value> {
        self.send(self.http.get(format!("{}{path}", self.url)), timeout)
    }

    pub fn post(&self, path: &str, body: &Value, timeout: Option<Duration>) -> Result<Value> {
        self.send(
            self.http
                .post(format!("{}{path}", self.url))
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_string()),
            timeout,
        )
    }

    /// `GET`, read as one of the contract's types (`super::contract`).
    pub fn get_as<T: DeserializeOwned>(&self, path: &str, timeout: Option<Duration>) -> Result<T> {
        self.decode("GET", path, self.get(path, timeout)?)
    }

    /// `POST`, read as one of the contract's types (`super::contract`).
    pub fn post_as<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &Value,
        timeout: Option<Duration>,
    ) -> Result<T> {
        self.decode("POST", path, self.post(path, body, timeout)?)
    }

    /// An answer of the wrong shape means client and daemon do not match.
    fn decode<T: DeserializeOwned>(&self, method: &str, path: &str, v: Value) -> Result<T> {
        serde_json::from_value(v).map_err(|e| Error::DaemonUnreachable {
            url: self.url.clone(),
            message: format!("unexpected answer to {method} {path}: {e}"),
        })
    }
}

/// `/` and the agent name, percent-encoded for a path segment.
pub fn segment(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Send a message through the running daemon when there is one (its
/// workers deliver to the agents it holds live), else in this process.
/// `wait` is how long to wait for the reply; a message without a sender is
/// sent as `cli`.
pub fn send_message(
    cx: &Caxton,
    mut new: crate::messaging::NewMessage,
    wait: Option<Duration>,
) -> Result<crate::messaging::SendReport> {
    let Some(daemon) = Client::find(cx)? else {
        return crate::messaging::send_in_process(cx, new, wait);
    };
    new.sender.get_or_insert_with(|| "cli".into());
    let mut body = serde_json::to_value(&new).unwrap_or_default();
    if let Some(w) = wait {
        body["wait"] = serde_json::json!(w.as_secs_f64());
    }
    // The daemon waits up to `wait` for the reply; allow for the round trip.
    let timeout = wait.map(|w| w + Duration::from_secs(10));
    daemon.post_as("/api/v1/messages", &body, timeout)
}
