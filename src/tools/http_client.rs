//! `http_client`: one HTTP request, guarded against reaching the machine's own
//! network (SSRF) unless the operator allows it.
//!
//! Three layers enforce the policy, because each alone has a hole: IP-literal
//! hosts are checked before anything is sent (they never reach a resolver), a
//! custom resolver checks every address a name resolves to (so a public name
//! pointing at 127.0.0.1 is caught at connect time, not just at parse time),
//! and the redirect policy re-applies the URL checks to every hop.

use std::collections::BTreeMap;
use std::error::Error as StdError;
use std::fmt;
use std::io::Read as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs as _};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{
    GroundedArg, Tool, ToolContext, ToolError, base64_encode, duration_setting, exclusive,
    human_size, parse_args, schema_of, size_setting,
};

const NAME: &str = "http_client";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_MAX_RESPONSE: u64 = 10_000_000;
const MAX_REDIRECTS: usize = 5;
const PRIVATE_HINT: &str =
    "set [tool_config.http_client] allow_private_networks = true to allow it";

pub struct HttpClient;

#[derive(Debug, Default, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
enum Method {
    #[default]
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
}

impl Method {
    fn as_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
            Method::Head => reqwest::Method::HEAD,
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Args {
    /// Absolute http:// or https:// URL to request.
    url: String,
    /// HTTP method (default GET).
    #[serde(default)]
    method: Method,
    /// Request headers, name to value.
    #[serde(default)]
    headers: BTreeMap<String, String>,
    /// Raw request body, sent as-is. Mutually exclusive with `json`.
    body: Option<String>,
    /// JSON request body; sets `content-type: application/json` unless a
    /// content-type header is given. Mutually exclusive with `body`.
    json: Option<Value>,
    /// Timeout for the whole request in seconds; cannot exceed the configured
    /// `timeout` (default 30 s).
    #[schemars(range(min = 0.001))]
    timeout: Option<f64>,
}

/// Which destinations a request (and each of its redirects) may reach.
#[derive(Debug, Clone)]
struct Policy {
    allowed_domains: Vec<String>,
    allow_private_networks: bool,
}

/// A destination refused by [`Policy`]. Travels through reqwest as the source
/// of its error, so the caller can tell a refusal from a network failure.
#[derive(Debug)]
struct Refusal {
    reason: String,
    hint: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl StdError for Refusal {}

impl Policy {
    fn from_ctx(ctx: &ToolContext) -> Result<Self, ToolError> {
        let allowed_domains = ctx
            .setting::<Vec<String>>("allowed_domains")?
            .unwrap_or_default()
            .into_iter()
            .map(|d| {
                d.trim()
                    .trim_start_matches("*.")
                    .trim_start_matches('.')
                    .trim_end_matches('.')
                    .to_ascii_lowercase()
            })
            .filter(|d| !d.is_empty())
            .collect();
        Ok(Policy {
            allowed_domains,
            allow_private_networks: ctx.setting("allow_private_networks")?.unwrap_or(false),
        })
    }

    /// The checks that need only the URL: scheme, allow-list, IP literals.
    fn check_url(&self, url: &Url) -> Result<(), Refusal> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Refusal {
                reason: format!("scheme {} is not supported", url.scheme()),
                hint: "use an http:// or https:// URL".to_string(),
            });
        }
        let Some(host) = url.host_str() else {
            return Err(Refusal {
                reason: "the URL has no host".to_string(),
                hint: "use an absolute URL such as https://example.com/".to_string(),
            });
        };
        // IPv6 literals keep their brackets in URLs.
        let literal = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .ok();
        let host_name = match literal {
            Some(ip) => ip.to_string(),
            None => host.trim_end_matches('.').to_ascii_lowercase(),
        };
        if !self.domain_allowed(&host_name) {
            return Err(Refusal {
                reason: format!(
                    "host {host_name} is not in allowed_domains [{}]",
                    self.allowed_domains.join(", ")
                ),
                hint: format!("add \"{host_name}\" to [tool_config.http_client] allowed_domains"),
            });
        }
        match literal {
            Some(ip) => self.check_ip(ip, &host_name),
            None => Ok(()),
        }
    }

    fn domain_allowed(&self, host: &str) -> bool {
        self.allowed_domains.is_empty()
            || self.allowed_domains.iter().any(|d| {
                host == d
                    || host
                        .strip_suffix(d.as_str())
                        .is_some_and(|prefix| prefix.ends_with('.'))
            })
    }

    fn check_ip(&self, ip: IpAddr, host: &str) -> Result<(), Refusal> {
        if self.allow_private_networks {
            return Ok(());
        }
        match non_public(ip) {
            None => Ok(()),
            Some(kind) => {
                let reason = if host == ip.to_string() {
                    format!("{ip} is {kind}")
                } else {
                    format!("{host} resolves to {ip}, {kind}")
                };
                Err(Refusal {
                    reason,
                    hint: PRIVATE_HINT.to_string(),
                })
            }
        }
    }
}

/// Why `ip` is not a public unicast address, or `None` when it is one.
fn non_public(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => {
            // An IPv4 address wrapped in IPv6 reaches the same host as the bare one.
            if let Some(v4) = v6.to_ipv4_mapped() {
                return non_public_v4(v4);
            }
            non_public_v6(v6)
        }
    }
}

fn non_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_unspecified() || a == 0 {
        Some("an unspecified (\"this network\") address")
    } else if ip.is_private() {
        Some("a private (RFC 1918) address")
    } else if ip.is_link_local() {
        Some("a link-local address")
    } else if a == 100 && (64..128).contains(&b) {
        Some("a carrier-grade NAT (RFC 6598) address")
    } else if ip.is_multicast() {
        Some("a multicast address")
    } else if ip.is_broadcast() || a >= 240 {
        Some("a reserved address")
    } else {
        None
    }
}

/// The IPv4 address an IPv6 one carries and routes to: IPv4-compatible
/// `::a.b.c.d` (deprecated, still routed by some stacks), NAT64 `64:ff9b::/96`
/// and `64:ff9b:1::/48`, and 6to4 `2002::/16` (the gateway's address).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let tail = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        // `::` and `::1` are handled as IPv6 (unspecified, loopback).
        [0, 0, 0, 0, 0, 0, 0, 0 | 1] => None,
        [0, 0, 0, 0, 0, 0, _, _] => Some(tail),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(tail),
        [0x64, 0xff9b, 1, ..] => Some(tail),
        [0x2002, hi, lo, ..] => Some(Ipv4Addr::new(
            (hi >> 8) as u8,
            hi as u8,
            (lo >> 8) as u8,
            lo as u8,
        )),
        _ => None,
    }
}

fn non_public_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if let Some(v4) = embedded_v4(ip) {
        return non_public_v4(v4);
    }
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_unspecified() {
        Some("an unspecified address")
    } else if ip.is_unique_local() {
        Some("a unique-local (private) address")
    } else if ip.is_unicast_link_local() {
        Some("a link-local address")
    } else if ip.segments()[0] & 0xffc0 == 0xfec0 {
        Some("a site-local (deprecated private, fec0::/10) address")
    } else if ip.is_multicast() {
        Some("a multicast address")
    } else {
        None
    }
}

type BoxError = Box<dyn StdError + Send + Sync>;

/// System DNS resolution, refusing names that lead to a non-public address.
struct GuardedResolver {
    policy: Arc<Policy>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = Arc::clone(&self.policy);
        let host = name.as_str().to_string();
        Box::pin(async move {
            // getaddrinfo blocks; keep it off the runtime thread so the
            // request timeout still fires while it waits.
            let lookup_host = host.clone();
            let addrs = tokio::task::spawn_blocking(move || {
                (lookup_host.as_str(), 0)
                    .to_socket_addrs()
                    .map(|addrs| addrs.collect::<Vec<SocketAddr>>())
            })
            .await??;
            // One bad address refuses the name: connecting to "the public
            // ones only" would still let a rebinding name pick its target.
            for addr in &addrs {
                policy.check_ip(addr.ip(), &host)?;
            }
            Ok::<Addrs, BoxError>(Box::new(addrs.into_iter()))
        })
    }
}

struct Settings {
    policy: Arc<Policy>,
    timeout: Duration,
    max_response_size: u64,
}

impl Settings {
    fn from_ctx(ctx: &ToolContext) -> Result<Self, ToolError> {
        Ok(Settings {
            policy: Arc::new(Policy::from_ctx(ctx)?),
            timeout: duration_setting(ctx, "timeout", DEFAULT_TIMEOUT)?,
            max_response_size: size_setting(ctx, "max_response_size", DEFAULT_MAX_RESPONSE)?,
        })
    }
}

fn build_client(
    settings: &Settings,
    timeout: Duration,
) -> Result<reqwest::blocking::Client, ToolError> {
    let redirect_policy = Arc::clone(&settings.policy);
    let redirect = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
        }
        match redirect_policy.check_url(attempt.url()) {
            Ok(()) => attempt.follow(),
            Err(refusal) => {
                let reason = format!("redirect to {}: {}", attempt.url(), refusal.reason);
                attempt.error(Refusal {
                    reason,
                    hint: refusal.hint,
                })
            }
        }
    });
    let mut builder = crate::http::client_builder()
        .user_agent(concat!("caxton/", env!("CARGO_PKG_VERSION")))
        .timeout(timeout)
        .redirect(redirect)
        // A proxy would resolve and connect on our behalf, out of reach of
        // the address checks.
        .no_proxy();
    if !settings.policy.allow_private_networks {
        builder = builder.dns_resolver(Arc::new(GuardedResolver {
            policy: Arc::clone(&settings.policy),
        }));
    }
    builder
        .build()
        .map_err(|e| ToolError::failed(format!("http_client: cannot build HTTP client: {e}")))
}

/// Find a [`Refusal`] among the causes of a reqwest error.
fn find_refusal<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a Refusal> {
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(refusal) = e.downcast_ref::<Refusal>() {
            return Some(refusal);
        }
        current = e.source();
    }
    None
}

/// The causes below a top-level error, which reqwest keeps out of its own message.
fn causes(err: &(dyn StdError + 'static)) -> String {
    let mut parts = Vec::new();
    let mut current = err.source();
    while let Some(e) = current {
        let text = e.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        current = e.source();
    }
    if parts.is_empty() {
        err.to_string()
    } else {
        parts.join(": ")
    }
}

fn denied(url: &str, refusal: &Refusal) -> ToolError {
    ToolError::Denied {
        message: format!("http_client refused {url}: {}", refusal.reason),
        hint: refusal.hint.clone(),
    }
}

fn request_error(err: &reqwest::Error, url: &str, timeout: Duration) -> ToolError {
    // After redirects, reqwest's error names the hop that failed.
    let failing_url = err.url().map_or(url.to_string(), Url::to_string);
    if let Some(refusal) = find_refusal(err) {
        return denied(&failing_url, refusal);
    }
    if err.is_timeout() {
        return timed_out(&failing_url, timeout);
    }
    ToolError::failed(format!(
        "http_client: request to {failing_url} failed: {}",
        causes(err)
    ))
}

/// A response whose body has been read.
struct Fetched {
    final_url: String,
    response: reqwest::blocking::Response,
    bytes: Vec<u8>,
}

fn timed_out(url: &str, timeout: Duration) -> ToolError {
    ToolError::LimitExceeded {
        message: format!(
            "http_client: request to {url} timed out after {}",
            crate::human::duration(timeout)
        ),
    }
}

/// Send `request` and read its body, all within `timeout`. reqwest's
/// blocking timeout restarts with every read, so a server dripping one byte
/// per (timeout − ε) would hold the call for as long as it likes: the
/// exchange runs on its own thread, which stops reading at the deadline, and
/// the caller stops waiting for it there whatever that thread is blocked in
/// (it ends on its own within one more read timeout, dropping the connection).
fn fetch_within(
    request: reqwest::blocking::RequestBuilder,
    url: &str,
    limit: u64,
    timeout: Duration,
) -> Result<Fetched, ToolError> {
    let deadline = Instant::now() + timeout;
    let (tx, rx) = std::sync::mpsc::channel();
    let owned_url = url.to_string();
    std::thread::Builder::new()
        .name("http_client".into())
        .spawn(move || {
            let _ = tx.send(fetch(request, &owned_url, limit, timeout, deadline));
        })
        .map_err(|e| ToolError::failed(format!("http_client: cannot start a request: {e}")))?;
    match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(result) => result,
        Err(_) => Err(timed_out(url, timeout)),
    }
}

fn fetch(
    request: reqwest::blocking::RequestBuilder,
    url: &str,
    limit: u64,
    timeout: Duration,
    deadline: Instant,
) -> Result<Fetched, ToolError> {
    let mut response = request
        .send()
        .map_err(|e| request_error(&e, url, timeout))?;
    let final_url = response.url().to_string();
    let too_large = |announced: Option<u64>| ToolError::LimitExceeded {
        message: format!(
            "http_client: response from {final_url} is {}over max_response_size {} \
             ([tool_config.http_client] max_response_size)",
            announced.map_or(String::new(), |n| format!("{}, ", human_size(n))),
            human_size(limit)
        ),
    };
    if let Some(length) = response.content_length().filter(|&n| n > limit) {
        return Err(too_large(Some(length)));
    }
    let mut bytes = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    // One byte past the limit tells "exactly at the limit" from "over it"
    // without buffering an unbounded body.
    while bytes.len() as u64 <= limit {
        if Instant::now() > deadline {
            return Err(timed_out(&final_url, timeout));
        }
        let want = chunk.len().min(
            (limit + 1 - bytes.len() as u64)
                .try_into()
                .unwrap_or(usize::MAX),
        );
        match response.read(&mut chunk[..want]) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(
                    match e
                        .get_ref()
                        .and_then(|inner| inner.downcast_ref::<reqwest::Error>())
                    {
                        Some(inner) => request_error(inner, &final_url, timeout),
                        None => ToolError::failed(format!(
                            "http_client: reading the response from {final_url} failed: {e}"
                        )),
                    },
                );
            }
        }
    }
    if bytes.len() as u64 > limit {
        return Err(too_large(None));
    }
    Ok(Fetched {
        final_url,
        response,
        bytes,
    })
}

fn request_headers(headers: &BTreeMap<String, String>) -> Result<HeaderMap, ToolError> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let header_name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| ToolError::invalid_args(NAME, format!("header name {name:?}: {e}")))?;
        let header_value = HeaderValue::from_str(value)
            .map_err(|e| ToolError::invalid_args(NAME, format!("value of header {name:?}: {e}")))?;
        map.append(header_name, header_value);
    }
    Ok(map)
}

fn response_headers(headers: &HeaderMap) -> Map<String, Value> {
    let mut out = Map::new();
    for name in headers.keys() {
        let values: Vec<Value> = headers
            .get_all(name)
            .iter()
            .map(|v| Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let value = match <[Value; 1]>::try_from(values) {
            Ok([single]) => single,
            Err(many) => Value::Array(many),
        };
        out.insert(name.as_str().to_string(), value);
    }
    out
}

fn is_json_media_type(content_type: &str) -> bool {
    let media = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    media == "application/json" || media.ends_with("+json")
}

impl Tool for HttpClient {
    fn name(&self) -> &'static str {
        NAME
    }

    fn description(&self) -> &'static str {
        "Make an HTTP request (GET, POST, PUT, PATCH, DELETE, HEAD) and return the status, \
         headers and body (parsed as `json` when the response is JSON). Private and local \
         network addresses are refused unless the operator allows them."
    }

    fn parameters(&self) -> Value {
        exclusive(schema_of::<Args>(), &["body", "json"], false)
    }

    fn grounded_args(&self) -> &'static [GroundedArg] {
        &[GroundedArg::Url { name: "url" }]
    }

    fn run(&self, ctx: &ToolContext, args: Value) -> Result<Value, ToolError> {
        let args: Args = parse_args(NAME, args)?;
        let settings = Settings::from_ctx(ctx)?;
        let url = Url::parse(&args.url)
            .map_err(|e| ToolError::invalid_args(NAME, format!("url {:?}: {e}", args.url)))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ToolError::invalid_args(
                NAME,
                format!("url {}: only http and https are supported", args.url),
            ));
        }
        settings
            .policy
            .check_url(&url)
            .map_err(|refusal| denied(url.as_str(), &refusal))?;
        if args.body.is_some() && args.json.is_some() {
            return Err(ToolError::invalid_args(
                NAME,
                "give either `body` or `json`, not both",
            ));
        }
        let timeout = match args.timeout {
            Some(secs) => Duration::try_from_secs_f64(secs)
                .map_err(|e| ToolError::invalid_args(NAME, format!("timeout {secs}: {e}")))?
                .min(settings.timeout),
            None => settings.timeout,
        };

        let mut headers = request_headers(&args.headers)?;
        let body = match (args.body, &args.json) {
            (Some(text), _) => Some(text.into_bytes()),
            (None, Some(value)) => {
                if !headers.contains_key(CONTENT_TYPE) {
                    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                }
                Some(serde_json::to_vec(value).map_err(|e| {
                    ToolError::invalid_args(NAME, format!("json body cannot be encoded: {e}"))
                })?)
            }
            (None, None) => None,
        };

        let client = build_client(&settings, timeout)?;
        let mut request = client
            .request(args.method.as_reqwest(), url.clone())
            .headers(headers);
        if let Some(body) = body {
            request = request.body(body);
        }
        let started = Instant::now();
        let fetched = fetch_within(request, url.as_str(), settings.max_response_size, timeout)?;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        let Fetched {
            final_url,
            response,
            bytes,
        } = fetched;

        let status = response.status();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let mut result = Map::new();
        result.insert("status".into(), json!(status.as_u16()));
        result.insert("reason".into(), json!(status.canonical_reason()));
        result.insert("url".into(), json!(final_url));
        result.insert(
            "headers".into(),
            Value::Object(response_headers(response.headers())),
        );
        result.insert("content_type".into(), json!(content_type));
        let size = bytes.len();
        let parsed_json = content_type
            .as_deref()
            .filter(|ct| is_json_media_type(ct))
            .map(|_| serde_json::from_slice::<Value>(&bytes));
        match String::from_utf8(bytes) {
            Ok(text) => {
                result.insert("body".into(), Value::String(text));
            }
            Err(e) => {
                result.insert("body".into(), json!(base64_encode(e.as_bytes())));
                result.insert("body_encoding".into(), json!("base64"));
            }
        }
        match parsed_json {
            Some(Ok(value)) => {
                result.insert("json".into(), value);
            }
            Some(Err(e)) => {
                result.insert("json_error".into(), json!(e.to_string()));
            }
            None => {}
        }
        result.insert("bytes".into(), json!(size));
        result.insert("elapsed_ms".into(), json!(elapsed_ms));
        Ok(Value::Object(result))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead as _, BufReader, Write as _};
    use std::net::TcpListener;
    use std::thread::JoinHandle;

    include!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/it/common/dead_port.rs"
    ));

    fn ctx(config: Value) -> ToolContext {
        ToolContext {
            workspace: std::env::temp_dir(),
            read_root: None,
            config: config.as_object().cloned().unwrap_or_default(),
            memory: None,
            messaging: None,
        }
    }

    /// A server on 127.0.0.1 answering `responses.len()` connections in order
    /// with the given raw responses; returns its base URL and the request
    /// heads it saw.
    fn serve(responses: Vec<Vec<u8>>) -> (String, JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for response in responses {
                let (mut stream, _) = listener.accept().unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut head = String::new();
                let mut content_length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        content_length = v.trim().parse().unwrap();
                    }
                    head.push_str(&line);
                }
                let mut body = vec![0; content_length];
                reader.read_exact(&mut body).unwrap();
                head.push_str(&String::from_utf8(body).unwrap());
                seen.push(head);
                stream.write_all(&response).unwrap();
            }
            seen
        });
        (format!("http://127.0.0.1:{port}"), handle)
    }

    fn run(config: Value, args: Value) -> Result<Value, ToolError> {
        super::super::invoke(&HttpClient, &ctx(config), args)
    }

    #[test]
    fn refuses_loopback_literal_with_hint() {
        let err = run(json!({}), json!({"url": "http://127.0.0.1:8080/"})).unwrap_err();
        match err {
            ToolError::Denied { message, hint } => {
                assert_eq!(
                    message,
                    "http_client refused http://127.0.0.1:8080/: 127.0.0.1 is a loopback address"
                );
                assert!(hint.contains("allow_private_networks = true"), "{hint}");
            }
            other => panic!("expected Denied, got {other:?}"),
        }
    }

    #[test]
    fn refuses_private_ranges() {
        for (url, kind) in [
            ("http://10.1.2.3/", "private"),
            ("http://192.168.0.1/", "private"),
            ("http://169.254.169.254/latest/meta-data", "link-local"),
            ("http://100.64.0.1/", "carrier-grade NAT"),
            ("http://[::1]/", "loopback"),
            ("http://[fd00::1]/", "unique-local"),
            ("http://[::ffff:127.0.0.1]/", "loopback"),
            ("http://0.0.0.0/", "unspecified"),
            // URL parsing normalises numeric hosts to dotted form first.
            ("http://2130706433/", "loopback"),
            ("http://0x7f.1/", "loopback"),
            ("http://224.0.0.1/", "multicast"),
            // IPv6 forms that carry an IPv4 address reach that address.
            ("http://[64:ff9b::7f00:1]/", "loopback"),
            ("http://[64:ff9b::10.0.0.1]/", "private"),
            ("http://[2002:a9fe:a9fe::1]/", "link-local"),
            ("http://[::127.0.0.1]/", "loopback"),
            ("http://[::192.168.1.1]/", "private"),
            ("http://[fec0::1]/", "site-local"),
        ] {
            match run(json!({}), json!({"url": url})) {
                Err(ToolError::Denied { message, .. }) => {
                    assert!(message.contains(kind), "{url}: {message}")
                }
                other => panic!("{url}: expected Denied, got {other:?}"),
            }
        }
    }

    #[test]
    fn refuses_names_resolving_to_loopback() {
        let err = run(json!({}), json!({"url": "http://localhost:9/"})).unwrap_err();
        match err {
            ToolError::Denied { message, hint } => {
                assert!(
                    message.starts_with(
                        "http_client refused http://localhost:9/: localhost resolves to"
                    ),
                    "{message}"
                );
                assert!(message.contains("loopback"), "{message}");
                assert_eq!(hint, PRIVATE_HINT);
            }
            other => panic!("expected Denied, got {other:?}"),
        }
    }

    #[test]
    fn enforces_domain_allow_list() {
        let config = json!({"allowed_domains": ["example.com"]});
        let err = run(config.clone(), json!({"url": "https://evil.org/x"})).unwrap_err();
        match err {
            ToolError::Denied { message, hint } => {
                assert!(
                    message.contains("host evil.org is not in allowed_domains [example.com]"),
                    "{message}"
                );
                assert!(hint.contains("allowed_domains"), "{hint}");
            }
            other => panic!("expected Denied, got {other:?}"),
        }
        let policy = Policy::from_ctx(&ctx(config)).unwrap();
        assert!(policy.domain_allowed("example.com"));
        assert!(policy.domain_allowed("api.example.com"));
        assert!(!policy.domain_allowed("notexample.com"));
        assert!(!policy.domain_allowed("example.com.evil.org"));
    }

    #[test]
    fn rejects_bad_arguments() {
        for args in [
            json!({"url": "ftp://example.com/"}),
            json!({"url": "not a url"}),
            json!({"url": "https://example.com/", "body": "a", "json": {}}),
            json!({"url": "https://example.com/", "method": "BREW"}),
            json!({"url": "https://example.com/", "headers": {"bad header": "x"}}),
        ] {
            assert!(
                matches!(
                    run(json!({}), args.clone()),
                    Err(ToolError::InvalidArgs { .. })
                ),
                "{args}"
            );
        }
    }

    #[test]
    fn fetches_from_local_server_when_private_networks_allowed() {
        let body = r#"{"ok":true,"n":3}"#;
        let (base, server) = serve(vec![format!(
            "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Multi: a\r\nX-Multi: b\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()]);
        let result = run(
            json!({"allow_private_networks": true}),
            json!({"url": format!("{base}/items"), "method": "POST", "json": {"name": "x"},
                   "headers": {"X-Token": "t1"}}),
        )
        .unwrap();
        let seen = server.join().unwrap();
        assert!(
            seen[0].starts_with("POST /items HTTP/1.1\r\n"),
            "{}",
            seen[0]
        );
        assert!(seen[0].contains("x-token: t1"), "{}", seen[0]);
        assert!(
            seen[0].contains("content-type: application/json"),
            "{}",
            seen[0]
        );
        assert!(seen[0].ends_with(r#"{"name":"x"}"#), "{}", seen[0]);
        assert_eq!(result["status"], 201);
        assert_eq!(result["url"], format!("{base}/items"));
        assert_eq!(result["content_type"], "application/json");
        assert_eq!(result["headers"]["x-multi"], json!(["a", "b"]));
        assert_eq!(result["body"], body);
        assert_eq!(result["json"], json!({"ok": true, "n": 3}));
        assert_eq!(result["bytes"], body.len());
        assert!(result["elapsed_ms"].is_u64());
    }

    #[test]
    fn binary_body_is_base64() {
        let mut response =
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\n".to_vec();
        response.extend([0xff, 0xfe, 0x00]);
        let (base, server) = serve(vec![response]);
        let result = run(
            json!({"allow_private_networks": true}),
            json!({"url": base}),
        )
        .unwrap();
        server.join().unwrap();
        assert_eq!(result["body"], "//4A");
        assert_eq!(result["body_encoding"], "base64");
        assert_eq!(result["bytes"], 3);
        assert!(result.get("json").is_none());
    }

    #[test]
    fn response_over_size_cap_is_refused() {
        let big = "x".repeat(100);
        let (base, server) = serve(vec![
            format!("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{big}")
                .into_bytes(),
            // No length announced: the cap must hold while streaming.
            format!("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{big}").into_bytes(),
        ]);
        let config = json!({"allow_private_networks": true, "max_response_size": "50B"});
        for _ in 0..2 {
            match run(config.clone(), json!({"url": base})) {
                Err(ToolError::LimitExceeded { message }) => {
                    assert!(message.contains("max_response_size 50 B"), "{message}")
                }
                other => panic!("expected LimitExceeded, got {other:?}"),
            }
        }
        server.join().unwrap();
    }

    #[test]
    fn redirects_are_rechecked() {
        let (base, server) = serve(vec![
            format!(
                "HTTP/1.1 302 Found\r\nLocation: {}/next\r\nContent-Length: 0\r\n\r\n",
                "http://127.0.0.1:1"
            )
            .into_bytes(),
        ]);
        let port = base.rsplit(':').next().unwrap();
        let config = json!({"allow_private_networks": true, "allowed_domains": ["localhost"]});
        match run(
            config,
            json!({"url": format!("http://localhost:{port}/start")}),
        ) {
            Err(ToolError::Denied { message, .. }) => {
                assert_eq!(
                    message,
                    format!(
                        "http_client refused http://localhost:{port}/start: redirect to \
                         http://127.0.0.1:1/next: host 127.0.0.1 is not in allowed_domains [localhost]"
                    )
                );
            }
            other => panic!("expected Denied, got {other:?}"),
        }
        server.join().unwrap();
    }

    #[test]
    fn connection_failure_names_url() {
        let dead = DeadPort::new();
        let url = dead.url("/");
        match run(json!({"allow_private_networks": true}), json!({"url": url})) {
            Err(ToolError::Failed { message }) => {
                assert!(message.contains(&url), "{message}");
                assert!(message.to_lowercase().contains("refused"), "{message}");
            }
            other => panic!("expected Failed, got {other:?}"),
        }
    }
}
