//! OpenTelemetry traces (docs/operations.md "Traces"): when
//! `[observability] otlp_endpoint` or the standard `OTEL_EXPORTER_OTLP_*`
//! variables name a collector, the daemon's spans go there as OTLP over
//! HTTP/protobuf, batched on the SDK's own thread and flushed at shutdown.
//!
//! Unset, nothing is installed: the spans below use their own target
//! ([`TARGET`]), which the log layer never enables, so with no exporter
//! they are disabled at the call site and cost one cached check.
//!
//! Trace context crosses two boundaries: a REST request's W3C
//! `traceparent` header becomes the parent of the request's span, and a
//! message stores the `traceparent` of the span that sent it, so its
//! delivery (possibly after a restart) continues the same trace.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{TraceContextExt, TracerProvider as _};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::error::{Error, Result};

/// The target of every exported span. The log layer's filter turns it off,
/// so spans never reach the log and exist only when an exporter is set.
pub const TARGET: &str = "caxton::trace";

/// The target of this module's own log lines (export failures): not under
/// [`TARGET`], which the log layer turns off by prefix.
const LOG_TARGET: &str = "caxton::otlp";

/// A span for export (see the module docs): `span!("name", field = value, ...)`.
macro_rules! span {
    ($name:expr $(, $($fields:tt)*)?) => {
        tracing::info_span!(target: "caxton::trace", $name $(, $($fields)*)?)
    };
}
pub(crate) use span;

/// Where traces go, resolved from the environment and the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The full URL spans are posted to (`…/v1/traces`).
    pub traces_url: String,
    /// What set it (for messages): a variable name or the config key.
    pub from: &'static str,
}

impl Endpoint {
    /// The URL for the log: scheme, host, port and path only (a password or
    /// a query may hold a secret).
    pub fn shown(&self) -> String {
        match reqwest::Url::parse(&self.traces_url) {
            Ok(u) => format!(
                "{}://{}{}{}",
                u.scheme(),
                u.host_str().unwrap_or(""),
                u.port().map(|p| format!(":{p}")).unwrap_or_default(),
                u.path()
            ),
            Err(_) => String::new(),
        }
    }
}

const TRACES_PATH: &str = "/v1/traces";

/// The collector to export to, if any. The standard variables come first
/// (a container's environment configures its deployment), then
/// `observability.otlp_endpoint`: `OTEL_SDK_DISABLED=true` turns export off;
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is the full URL; the base endpoints
/// (`OTEL_EXPORTER_OTLP_ENDPOINT`, the config key) get `/v1/traces`
/// appended, as the OTLP specification says. Only HTTP/protobuf is spoken.
pub fn endpoint(
    configured: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Endpoint>> {
    let var = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    if var("OTEL_SDK_DISABLED").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
        return Ok(None);
    }
    let full = var("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        .map(|v| (v, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", false));
    let base = || {
        var("OTEL_EXPORTER_OTLP_ENDPOINT")
            .map(|v| (v, "OTEL_EXPORTER_OTLP_ENDPOINT", true))
            .or_else(|| {
                configured
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| (v.to_string(), "observability.otlp_endpoint", true))
            })
    };
    let Some((raw, from, append)) = full.or_else(base) else {
        return Ok(None);
    };
    for protocol_var in [
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
    ] {
        if let Some(p) = var(protocol_var).filter(|p| p.trim() != "http/protobuf") {
            return Err(Error::Config {
                message: format!(
                    "{protocol_var}: {:?} is not supported; Caxton exports OTLP over http/protobuf",
                    p.trim()
                ),
                hint: format!(
                    "unset {protocol_var} or set it to http/protobuf, and point the endpoint at the collector's OTLP/HTTP port (4318)"
                ),
            });
        }
    }
    let url = parse_url(raw.trim(), from)?;
    let traces_url = if append {
        format!("{}{TRACES_PATH}", url.as_str().trim_end_matches('/'))
    } else {
        url.to_string()
    };
    Ok(Some(Endpoint { traces_url, from }))
}

/// An absolute http(s) URL, or a config error naming where it came from.
/// The message shows the URL without its password.
pub fn parse_url(raw: &str, from: &str) -> Result<reqwest::Url> {
    let bad = |why: String| {
        Error::Config {
        message: format!("{from}: {why}"),
        hint: "use the collector's OTLP/HTTP base URL, e.g. http://localhost:4318 (Jaeger, the OpenTelemetry Collector)".into(),
    }
    };
    let url = reqwest::Url::parse(raw)
        .map_err(|e| bad(format!("{:?} is not a URL ({e})", redact_text(raw))))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad(format!(
            "{:?} is not an http:// or https:// URL with a host",
            redact(&url)
        )));
    }
    Ok(url)
}

/// `url` without its password, for messages.
fn redact(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("***"));
    }
    shown.to_string()
}

/// A string that did not parse as a URL may still hold `user:password@`:
/// everything before an `@` is dropped.
fn redact_text(raw: &str) -> String {
    match raw.rfind('@') {
        Some(at) => format!("***{}", &raw[at..]),
        None => raw.to_string(),
    }
}

/// How long one export request may take (the OTLP default).
const EXPORT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The exporter's provider, kept for [`shutdown`].
static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();
/// Whether spans are exported: lets [`current_traceparent`] skip the
/// subscriber lookup when they are not.
static ENABLED: AtomicBool = AtomicBool::new(false);

/// The `tracing` layer that exports [`TARGET`] spans to `endpoint`.
/// Headers (`OTEL_EXPORTER_OTLP_HEADERS`) are read by the exporter itself
/// and never logged; the service name is `OTEL_SERVICE_NAME` or `caxton`.
pub fn layer<S>(endpoint: &Endpoint) -> Result<impl tracing_subscriber::Layer<S> + use<S>>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    // Caxton's own client: the one with the TLS provider installed
    // (src/http.rs); the exporter's default would panic without it. Built
    // here, before the daemon's async runtime exists, as a blocking client
    // must be.
    let client = crate::http::client_builder()
        .timeout(EXPORT_TIMEOUT)
        .build()
        .map_err(|e| Error::Config {
            message: format!("{}: cannot build the OTLP HTTP client: {e}", endpoint.from),
            hint: "check the endpoint URL".into(),
        })?;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(client)
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(endpoint.traces_url.clone())
        .build()
        .map_err(|e| Error::Config {
            message: format!("{}: cannot set up the OTLP exporter: {e}", endpoint.from),
            hint: "check the endpoint URL and OTEL_EXPORTER_OTLP_HEADERS (key=value,key2=value2)"
                .into(),
        })?;
    let exporter = Reporting {
        inner: exporter,
        url: endpoint.shown(),
        failing: AtomicBool::new(false),
    };
    let mut resource = opentelemetry_sdk::Resource::builder();
    if std::env::var_os("OTEL_SERVICE_NAME").is_none_or(|v| v.is_empty()) {
        resource = resource.with_service_name("caxton");
    }
    let resource = resource
        .with_attribute(opentelemetry::KeyValue::new(
            "service.version",
            env!("CARGO_PKG_VERSION"),
        ))
        .build();
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build();
    let tracer = provider.tracer("caxton");
    // A second daemon in one process (tests) keeps the first exporter.
    if PROVIDER.set(provider).is_ok() {
        ENABLED.store(true, Ordering::Release);
    }
    Ok(tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_location(false)
        .with_threads(false))
}

/// The exporter, logging when export starts failing and when it works
/// again: once per streak, so an unreachable collector does not flood the
/// log (the SDK's own reports go to its internal log, which is off). The
/// URL is [`Endpoint::shown`]; the errors are the exporter's (a status code
/// or "network error": no URL, header or response body).
#[derive(Debug)]
struct Reporting<E> {
    inner: E,
    url: String,
    /// Whether the last export failed.
    failing: AtomicBool,
}

impl<E: SpanExporter> SpanExporter for Reporting<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let spans = batch.len();
        let result = self.inner.export(batch).await;
        let failed = result.is_err();
        match (self.failing.swap(failed, Ordering::AcqRel), &result) {
            (false, Err(e)) => tracing::warn!(
                target: LOG_TARGET,
                "traces: exporting to {} failed ({e}); {spans} span(s) dropped, and further failures are not logged until an export succeeds",
                self.url
            ),
            (true, Ok(())) => {
                tracing::info!(target: LOG_TARGET, "traces: exporting to {} works again", self.url)
            }
            _ => {}
        }
        result
    }

    fn shutdown_with_timeout(&self, timeout: std::time::Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &opentelemetry_sdk::Resource) {
        self.inner.set_resource(resource);
    }
}

/// Export the spans of one CLI command (`caxton backup`, run by cron as the
/// runbook does) when an endpoint is configured; its log stays as it is,
/// plus export failures on stderr.
/// The spans leave when the returned guard drops. `configured` is
/// `observability.otlp_endpoint` (taken as a string so this module, which
/// the runtime's spans use, does not import the config).
pub fn for_command(configured: Option<&str>) -> Result<Option<CommandTraces>> {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{Layer, filter::Targets};
    let Some(endpoint) = endpoint(configured, &|k| std::env::var(k).ok())? else {
        return Ok(None);
    };
    let only_spans = Targets::new().with_target(TARGET, tracing::Level::TRACE);
    // The command's log is its output; only export failures are added, on
    // stderr, where cron mails them.
    let export_failures = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .with_filter(Targets::new().with_target(LOG_TARGET, tracing::Level::WARN));
    let installed = tracing_subscriber::registry()
        .with(layer(&endpoint)?.with_filter(only_spans))
        .with(export_failures)
        .try_init()
        .is_ok();
    Ok(installed.then_some(CommandTraces))
}

/// Flushes a command's spans when dropped (see [`for_command`]).
pub struct CommandTraces;

impl Drop for CommandTraces {
    fn drop(&mut self) {
        shutdown();
    }
}

/// How long stopping waits for the last batch: a collector that does not
/// answer must not hold up a daemon's stop.
const FLUSH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Send the spans still batched and stop the exporter (at daemon stop).
pub fn shutdown() {
    if let Some(p) = PROVIDER.get()
        && let Err(e) = p.shutdown_with_timeout(FLUSH_TIMEOUT)
    {
        tracing::warn!(target: LOG_TARGET, "traces: the last spans were not exported: {e}");
    }
}

/// The W3C `traceparent` of the current span, when spans are exported and
/// one is open: what a message stores so its delivery joins the trace.
pub fn current_traceparent() -> Option<String> {
    if !ENABLED.load(Ordering::Acquire) {
        return None;
    }
    let cx = tracing::Span::current().context();
    if !cx.span().span_context().is_valid() {
        return None;
    }
    let mut carrier = HashMap::new();
    TraceContextPropagator::new().inject_context(&cx, &mut carrier);
    carrier.remove("traceparent")
}

/// Make `span` a child of the remote span `traceparent` (with its
/// `tracestate`). A malformed header is ignored, as the W3C
/// recommendation says: the span starts a new trace.
pub fn set_parent(span: &tracing::Span, traceparent: &str, tracestate: Option<&str>) {
    if !ENABLED.load(Ordering::Acquire) || span.is_disabled() {
        return;
    }
    let mut carrier = HashMap::from([("traceparent".to_string(), traceparent.to_string())]);
    if let Some(s) = tracestate {
        carrier.insert("tracestate".into(), s.to_string());
    }
    let cx = TraceContextPropagator::new().extract(&carrier);
    if cx.span().span_context().is_valid() {
        let _ = span.set_parent(cx);
    }
}

/// Mark `span` failed (OTLP status ERROR) with `message`.
pub fn fail(span: &tracing::Span, message: &str) {
    span.record("otel.status_code", "ERROR");
    span.record("otel.status_description", message);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(vars: &[(&str, &str)], config: Option<&str>) -> Result<Option<Endpoint>> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        endpoint(config, &|k| vars.get(k).cloned())
    }

    #[test]
    fn nothing_set_means_no_exporter() {
        assert_eq!(resolve(&[], None).unwrap(), None);
        assert_eq!(
            resolve(&[("OTEL_EXPORTER_OTLP_ENDPOINT", " ")], None).unwrap(),
            None
        );
    }

    #[test]
    fn base_endpoints_get_the_traces_path_and_the_signal_endpoint_is_used_as_is() {
        let e = resolve(&[], Some("http://jaeger:4318")).unwrap().unwrap();
        assert_eq!(e.traces_url, "http://jaeger:4318/v1/traces");
        assert_eq!(e.from, "observability.otlp_endpoint");
        let e = resolve(
            &[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")],
            Some("http://jaeger:4318"),
        )
        .unwrap()
        .unwrap();
        assert_eq!(e.traces_url, "http://collector:4318/v1/traces");
        let e = resolve(
            &[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
                (
                    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                    "https://x.example/otlp/spans",
                ),
            ],
            None,
        )
        .unwrap()
        .unwrap();
        assert_eq!(e.traces_url, "https://x.example/otlp/spans");
    }

    #[test]
    fn sdk_disabled_wins() {
        let vars = [
            ("OTEL_SDK_DISABLED", "TRUE"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"),
        ];
        assert_eq!(resolve(&vars, Some("http://jaeger:4318")).unwrap(), None);
    }

    #[test]
    fn a_bad_endpoint_names_its_source_and_hides_the_password() {
        let e = resolve(&[], Some("jaeger:4318")).unwrap_err().to_string();
        assert!(e.contains("observability.otlp_endpoint"), "{e}");
        let e = resolve(&[], Some("ftp://user:hunter2@host/x"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("not an http"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
        let e = resolve(
            &[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://u:hunter2@ bad")],
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("OTEL_EXPORTER_OTLP_ENDPOINT"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn grpc_is_refused_with_the_variable() {
        let e = resolve(
            &[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ],
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("OTEL_EXPORTER_OTLP_PROTOCOL"), "{e}");
    }
}
