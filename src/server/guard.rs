//! Requests a web browser could be tricked into sending are refused before
//! any handler runs (issue 13, item 3). A page on another site can make the
//! browser of the daemon's operator send requests to `127.0.0.1`; after
//! DNS rebinding its own name even resolves there, so the browser treats the
//! daemon as that site and lets the page read the answers. Three checks
//! close this, in order:
//!
//! 1. **Host** must name this daemon: an IP address it listens on (any IP
//!    literal when bound to all interfaces), `localhost`, or a name listed in
//!    `server.allowed_hosts`. A rebinding attack always arrives with the
//!    attacker's name in `Host`. A request without `Host` (HTTP/1.0 tools) is
//!    let through: browsers always send one.
//! 2. **Origin**, when present, must be the daemon's own (`http://` or
//!    `https://` followed by the request's `Host`), or name a host in
//!    `server.allowed_hosts`. Browsers send `Origin` on every cross-site
//!    request and on every POST, so a page elsewhere is refused even when the
//!    daemon runs without a token.
//! 3. **Content type**: a POST, PUT, PATCH or DELETE with a body must say
//!    `Content-Type: application/json` (or `application/*+json`). A bodiless
//!    one (`curl -X POST .../api/v1/shutdown`) needs none. That keeps plain
//!    `curl` calls working and is still safe: the only cross-site requests a
//!    browser sends without a CORS preflight carry a form or text content
//!    type whenever they have a body (an HTML form always does, even empty),
//!    and a bodiless `fetch` still carries an `Origin` header, which check 2
//!    refuses.
//!
//! A request that passes has its whole body read here, within
//! `server.body_read_timeout` of its headers and at most
//! `server.max_body_bytes` (issue 13): a client whose body trickles in or
//! stalls gets a 408 and its connection back, whatever the route (execute
//! and shutdown have no `request_timeout`), instead of holding a connection
//! and a handler until it finishes.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::api::ApiError;
use crate::error::Error;

/// What the checks need: the live config (for `allowed_hosts`, reloaded on
/// SIGHUP) and the address the listener is bound to.
#[derive(Clone)]
struct Guard {
    state: AppState,
    bound: SocketAddr,
}

/// Wrap `router` (every route and the fallback) in the checks.
pub fn layer(router: Router, state: AppState, bound: SocketAddr) -> Router {
    router.layer(middleware::from_fn_with_state(
        Guard { state, bound },
        check,
    ))
}

async fn check(State(g): State<Guard>, req: Request, next: Next) -> Response {
    // Borrowed, not a clone of the server section (its strings, host list
    // and token): this runs on every request, `/api/v1/health` included.
    let (read_timeout, max_body) = {
        let cx = g.state.cx();
        let server = &cx.config().server;
        if let Some(e) = refusal(req.method(), req.headers(), g.bound, &server.allowed_hosts) {
            return ApiError(e).into_response();
        }
        (server.body_read_timeout, server.max_body_bytes)
    };
    match body_in_time(req, read_timeout, max_body).await {
        Ok(req) => next.run(req).await,
        Err(e) => ApiError(e).into_response(),
    }
}

/// `req` with its body read whole, within `timeout` and `max` bytes. A
/// request without a body passes untouched.
async fn body_in_time(req: Request, timeout: Duration, max: u64) -> Result<Request, Error> {
    let headers = req.headers();
    let has_body = headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .is_some_and(|n| n.as_bytes() != b"0");
    if !has_body {
        return Ok(req);
    }
    let (parts, mut body) = req.into_parts();
    let mut bytes = Vec::new();
    let read = async {
        while let Some(frame) =
            std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
        {
            let frame = frame.map_err(|e| Error::BadRequest {
                message: format!("the request body could not be read: {e}"),
            })?;
            if let Ok(data) = frame.into_data() {
                if (bytes.len() + data.len()) as u64 > max {
                    return Err(Error::PayloadTooLarge { limit: max });
                }
                bytes.extend_from_slice(&data);
            }
        }
        Ok(())
    };
    match tokio::time::timeout(timeout, read).await {
        Ok(Ok(())) => Ok(Request::from_parts(parts, Body::from(bytes))),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(Error::RequestRefused {
            code: "body_timeout",
            status: 408,
            message: format!(
                "the request body did not arrive within {} (server.body_read_timeout)",
                humantime::format_duration(timeout)
            ),
            hint: "send the whole body at once; on a slow link raise server.body_read_timeout"
                .into(),
        }),
    }
}

/// Why a request is refused, if it is.
fn refusal(
    method: &Method,
    headers: &HeaderMap,
    bound: SocketAddr,
    allowed: &[String],
) -> Option<Error> {
    let text = |name| {
        headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()))
    };
    let host = text(header::HOST);
    if let Some(h) = &host
        && !host_allowed(h, bound, allowed)
    {
        return Some(Error::RequestRefused {
            code: "host_not_allowed",
            status: 403,
            message: format!(
                "Host header `{}` does not name this daemon (it listens on {bound})",
                shorten(h)
            ),
            hint: format!(
                "call http://{bound}/ or http://localhost:{}/; a name of your own (e.g. behind a proxy) must be listed in server.allowed_hosts",
                bound.port()
            ),
        });
    }
    if let Some(origin) = text(header::ORIGIN)
        && !origin_allowed(&origin, host.as_deref(), bound, allowed)
    {
        return Some(Error::RequestRefused {
            code: "origin_not_allowed",
            status: 403,
            message: format!(
                "cross-origin request from `{}` refused: the API answers its own origin only",
                shorten(&origin)
            ),
            hint: "call the API from the CLI or a script (no Origin header); a web front end on another name must be listed in server.allowed_hosts".into(),
        });
    }
    let writes = [Method::POST, Method::PUT, Method::PATCH, Method::DELETE];
    if writes.contains(method) {
        match text(header::CONTENT_TYPE) {
            Some(ct) if !is_json(&ct) => {
                return Some(Error::RequestRefused {
                    code: "unsupported_media_type",
                    status: 415,
                    message: format!(
                        "{method} needs Content-Type: application/json, got `{}`",
                        shorten(&ct)
                    ),
                    hint: "send the body as JSON with -H 'Content-Type: application/json'".into(),
                });
            }
            None if has_body(headers) => {
                return Some(Error::RequestRefused {
                    code: "unsupported_media_type",
                    status: 415,
                    message: format!(
                        "{method} with a body needs Content-Type: application/json, got none"
                    ),
                    hint: "send the body as JSON with -H 'Content-Type: application/json'".into(),
                });
            }
            _ => {}
        }
    }
    None
}

/// Header text in an error message: bounded, printable.
fn shorten(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_control()).take(200).collect();
    s
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|sub| sub.ends_with("+json"))
}

fn has_body(headers: &HeaderMap) -> bool {
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    headers.contains_key(header::TRANSFER_ENCODING) || length.is_some_and(|l| l != "0")
}

/// `name` and `port` of a `Host`-style authority (`[::1]:8080`, `a.b:80`, `a.b`).
fn split_authority(authority: &str) -> Option<(String, Option<&str>)> {
    let authority = authority.trim();
    let (name, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (ip, after) = rest.split_once(']')?;
        match after {
            "" => (ip, None),
            p => (ip, Some(p.strip_prefix(':')?)),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((n, p)) => (n, Some(p)),
            None => (authority, None),
        }
    };
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    (!name.is_empty()).then_some((name, port))
}

fn host_allowed(host: &str, bound: SocketAddr, allowed: &[String]) -> bool {
    let Some((name, _port)) = split_authority(host) else {
        return false;
    };
    if let Ok(ip) = name.parse::<IpAddr>() {
        let b = bound.ip();
        return b.is_unspecified() || ip == b || (b.is_loopback() && ip.is_loopback());
    }
    name == "localhost" || listed(&name, allowed)
}

fn listed(name: &str, allowed: &[String]) -> bool {
    allowed
        .iter()
        .any(|a| split_authority(a).is_some_and(|(a, _)| a == name))
}

fn origin_allowed(origin: &str, host: Option<&str>, bound: SocketAddr, allowed: &[String]) -> bool {
    let Some(authority) = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    else {
        return false; // `null` (sandboxed pages, file://) and other schemes
    };
    let authority = authority.trim_end_matches('/');
    let own = host.is_some_and(|h| h.trim().eq_ignore_ascii_case(authority))
        && host.is_some_and(|h| host_allowed(h, bound, allowed));
    own || split_authority(authority).is_some_and(|(name, _)| listed(&name, allowed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn loopback() -> SocketAddr {
        "127.0.0.1:8080".parse().unwrap()
    }

    fn req(method: Method, pairs: &[(&'static str, &str)]) -> Option<Error> {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        refusal(&method, &h, loopback(), &["caxton.internal".to_string()])
    }

    fn code(e: Option<Error>) -> Option<&'static str> {
        e.map(|e| e.code())
    }

    #[test]
    fn hosts_naming_the_daemon_pass_others_are_refused() {
        for ok in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LOCALHOST",
            "127.0.0.1",
            "[::1]:8080",
            "caxton.internal:443",
            "localhost.:8080",
        ] {
            assert_eq!(code(req(Method::GET, &[("host", ok)])), None, "{ok}");
        }
        for bad in [
            "evil.example:8080",
            "evil.example",
            "10.0.0.1:8080",
            "127.0.0.1:80x",
            "[::1",
            "",
            "localhost.evil.example",
        ] {
            assert_eq!(
                code(req(Method::GET, &[("host", bad)])),
                Some("host_not_allowed"),
                "{bad}"
            );
        }
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert!(host_allowed("192.168.1.5:8080", any, &[]));
        assert!(!host_allowed("nas.example:8080", any, &[]));
    }

    #[test]
    fn only_the_daemons_own_origin_passes() {
        let host = ("host", "127.0.0.1:8080");
        assert_eq!(
            code(req(
                Method::POST,
                &[host, ("origin", "http://127.0.0.1:8080")]
            )),
            None
        );
        assert_eq!(
            code(req(
                Method::GET,
                &[host, ("origin", "https://caxton.internal")]
            )),
            None
        );
        for bad in [
            "https://evil.example",
            "null",
            "http://127.0.0.1:3000",
            "http://localhost:8080",
            "file://",
        ] {
            assert_eq!(
                code(req(Method::GET, &[host, ("origin", bad)])),
                Some("origin_not_allowed"),
                "{bad}"
            );
        }
    }

    #[test]
    fn writes_need_json_or_no_body() {
        let host = ("host", "localhost:8080");
        for m in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            let refused = req(
                m.clone(),
                &[
                    host,
                    ("content-type", "text/plain"),
                    ("content-length", "2"),
                ],
            );
            assert_eq!(code(refused), Some("unsupported_media_type"), "{m}");
            let form = req(
                m.clone(),
                &[
                    host,
                    ("content-type", "application/x-www-form-urlencoded"),
                    ("content-length", "0"),
                ],
            );
            assert_eq!(
                code(form),
                Some("unsupported_media_type"),
                "{m}: a form is refused even empty"
            );
            let bare = req(m.clone(), &[host, ("content-length", "5")]);
            assert_eq!(code(bare), Some("unsupported_media_type"), "{m}");
            let chunked = req(m.clone(), &[host, ("transfer-encoding", "chunked")]);
            assert_eq!(code(chunked), Some("unsupported_media_type"), "{m}");
            assert_eq!(
                code(req(
                    m.clone(),
                    &[
                        host,
                        ("content-type", "application/json; charset=utf-8"),
                        ("content-length", "2")
                    ]
                )),
                None
            );
            assert_eq!(
                code(req(
                    m.clone(),
                    &[host, ("content-type", "application/merge-patch+json")]
                )),
                None
            );
            assert_eq!(
                code(req(m.clone(), &[host])),
                None,
                "{m}: no body needs no content type"
            );
            assert_eq!(code(req(m, &[host, ("content-length", "0")])), None);
        }
        assert_eq!(
            code(req(Method::GET, &[host, ("content-type", "text/plain")])),
            None
        );
    }
}
