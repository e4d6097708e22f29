//! Prometheus metrics (docs/operations.md and the runbook's alert rules) with
//! `prometheus-client`: one explicit registry, low-cardinality labels
//! (route templates, status classes, agent types, trap kinds; never ids).
//! Gauges that describe the store or the registry are refreshed at scrape.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use axum::Router;
use axum::extract::State as Extract;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use super::AppState;
use super::api::ApiResult;
use super::registry::Counts;

/// Prometheus text format 0.0.4: what `promtool check metrics` reads and
/// every Prometheus version scrapes.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TypeLabels {
    pub agent_type: String,
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ProviderLabels {
    pub provider: String,
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: String,
}

type Hist = Family<RequestLabels, Histogram, fn() -> Histogram>;

fn latency() -> Histogram {
    // 100 µs .. ~3.3 s: API calls and memory searches.
    Histogram::new(exponential_buckets(0.0001, 2.0, 16))
}

fn long_latency() -> Histogram {
    // 1 ms .. ~65 s: agent executions and LLM calls.
    Histogram::new(exponential_buckets(0.001, 2.0, 17))
}

pub struct Metrics {
    registry: Registry,
    /// Serialises scrapes so the refresh and the encoding see one state.
    scrape: Mutex<()>,
    uptime: Gauge<f64, AtomicU64>,
    requests: Hist,
    agents_config: Gauge,
    agents_wasm: Gauge,
    agents_failed: Gauge,
    agents_failing: Gauge,
    pub agent_response: Family<TypeLabels, Histogram, fn() -> Histogram>,
    wasm_executions: Family<OutcomeLabels, Counter>,
    wasm_fuel: Counter,
    wasm_traps: Counter,
    memory_entities: Gauge,
    pub memory_search: Histogram,
    memory_usage: Gauge<f64, AtomicU64>,
    /// Observed by config-agent runs (LLM calls) once they are wired in.
    pub llm_requests: Family<ProviderLabels, Histogram, fn() -> Histogram>,
}

/// Count this start in `run/starts`, returning how many starts came before
/// it (the restarts the daemon has had on this data dir).
pub fn count_start(data_dir: &Path) -> u64 {
    let path = data_dir.join("run").join("starts");
    let before: u64 = std::fs::read_to_string(&path)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    if let Err(e) = crate::paths::write_atomic(&path, format!("{}\n", before + 1).as_bytes()) {
        tracing::warn!("cannot count this start in {}: {e}", path.display());
    }
    before
}

impl Metrics {
    pub fn new(restarts: u64, llm_provider: &str) -> Metrics {
        let mut r = Registry::default();
        let uptime = Gauge::<f64, AtomicU64>::default();
        r.register(
            "caxton_server_uptime_seconds",
            "Seconds since the daemon started",
            uptime.clone(),
        );
        let restarts_c = Counter::<u64>::default();
        restarts_c.inc_by(restarts);
        r.register(
            "caxton_server_restarts",
            "Daemon starts on this data directory before the current one",
            restarts_c,
        );
        let requests: Hist = Family::new_with_constructor(latency);
        r.register(
            "caxton_server_request_duration_seconds",
            "HTTP API response time by route template, method and status class",
            requests.clone(),
        );
        let gauge = |r: &mut Registry, name: &str, help: &str| {
            let g = Gauge::default();
            r.register(name, help, g.clone());
            g
        };
        let agents_config = gauge(&mut r, "caxton_agents_config_total", "Config agents loaded");
        let agents_wasm = gauge(&mut r, "caxton_agents_wasm_total", "WASM agents loaded");
        let agents_failed = gauge(
            &mut r,
            "caxton_agents_failed_total",
            "Agents with no loadable version (status failed)",
        );
        let agents_failing = gauge(
            &mut r,
            "caxton_agents_failing_total",
            "Agents serving an older version or whose recent runs fail (status failing)",
        );
        let agent_response: Family<TypeLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(long_latency);
        r.register(
            "caxton_agent_response_duration_seconds",
            "Agent execution time by agent type and outcome",
            agent_response.clone(),
        );
        let wasm_executions = Family::<OutcomeLabels, Counter>::default();
        r.register(
            "caxton_wasm_agent_executions",
            "WASM agent executions by outcome",
            wasm_executions.clone(),
        );
        let wasm_fuel = Counter::default();
        r.register(
            "caxton_wasm_agent_fuel_consumed",
            "Fuel (wasmi instructions) consumed by WASM agents",
            wasm_fuel.clone(),
        );
        let wasm_traps = Counter::default();
        r.register(
            "caxton_wasm_agent_traps",
            "WASM executions stopped by a trap or a limit (per-agent kinds: caxton agents resource-usage)",
            wasm_traps.clone(),
        );
        let memory_entities = gauge(
            &mut r,
            "caxton_memory_entities_total",
            "Entities in the embedded memory",
        );
        let memory_search = latency();
        r.register(
            "caxton_memory_search_latency_seconds",
            "Memory search time through the API",
            memory_search.clone(),
        );
        let memory_usage = Gauge::<f64, AtomicU64>::default();
        r.register(
            "caxton_memory_usage_percentage",
            "Entities stored as a percentage of memory.max_entities",
            memory_usage.clone(),
        );
        let llm_requests: Family<ProviderLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(long_latency);
        r.register(
            "caxton_llm_request_duration_seconds",
            "LLM provider call time by provider and outcome",
            llm_requests.clone(),
        );
        let build = Family::<BuildLabels, Gauge>::default();
        build
            .get_or_create(&BuildLabels {
                version: env!("CARGO_PKG_VERSION").into(),
            })
            .set(1);
        r.register("caxton_build_info", "Caxton version (value is 1)", build);
        // Series exist from the start (count 0), so dashboards and alerts
        // see every family before the first execution or LLM call.
        for kind in ["config", "wasm"] {
            for outcome in ["ok", "error"] {
                let _ = agent_response.get_or_create(&TypeLabels {
                    agent_type: kind.into(),
                    outcome: outcome.into(),
                });
            }
        }
        for outcome in ["ok", "error"] {
            let _ = wasm_executions.get_or_create(&OutcomeLabels {
                outcome: outcome.into(),
            });
        }
        let _ = llm_requests.get_or_create(&ProviderLabels {
            provider: llm_provider.into(),
            outcome: "ok".into(),
        });
        Metrics {
            registry: r,
            scrape: Mutex::new(()),
            uptime,
            requests,
            agents_config,
            agents_wasm,
            agents_failed,
            agents_failing,
            agent_response,
            wasm_executions,
            wasm_fuel,
            wasm_traps,
            memory_entities,
            memory_search,
            memory_usage,
            llm_requests,
        }
    }

    pub fn observe_request(&self, route: &str, method: &str, status: u16, took: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_string(),
                method: method.to_string(),
                status: format!("{}xx", status / 100),
            })
            .observe(took.as_secs_f64());
    }

    pub fn set_agent_counts(&self, c: &Counts) {
        self.agents_config.set(c.config as i64);
        self.agents_wasm.set(c.wasm as i64);
        self.agents_failed.set(c.failed as i64);
        self.agents_failing.set(c.failing as i64);
    }

    /// One agent execution: its time, and for WASM its fuel and failure kind.
    pub fn observe_execution(
        &self,
        kind: &str,
        took: Duration,
        fuel: Option<u64>,
        failure: Option<&str>,
    ) {
        let outcome = if failure.is_some() { "error" } else { "ok" };
        self.agent_response
            .get_or_create(&TypeLabels {
                agent_type: kind.into(),
                outcome: outcome.into(),
            })
            .observe(took.as_secs_f64());
        if let Some(fuel) = fuel {
            self.wasm_executions
                .get_or_create(&OutcomeLabels {
                    outcome: outcome.into(),
                })
                .inc();
            self.wasm_fuel.inc_by(fuel);
            // A guest's own `{"error": ...}` answer is a failure, not a trap.
            if failure.is_some_and(|k| k != "agent_error") {
                self.wasm_traps.inc();
            }
        }
    }

    /// Adds the messaging families (read from `messenger` at each scrape).
    pub fn register_messaging(&mut self, messenger: crate::messaging::Messenger) {
        self.registry
            .register_collector(Box::new(MessagingCollector(messenger)));
    }

    /// Refresh the scrape-time gauges and encode everything.
    fn render(&self, state: &AppState) -> String {
        let _one = self.scrape.lock().unwrap_or_else(|p| p.into_inner());
        self.uptime.set(state.uptime().as_secs_f64());
        self.set_agent_counts(&state.registry.counts());
        let cx = state.cx();
        if let Ok(Some(store)) = cx.store_if_exists() {
            let max = cx.config().memory.max_entities;
            if let Ok(p) = crate::memory::status::usage_percent(&store, max) {
                self.memory_usage.set(p);
                // usage = 100 * entities / max, so this is the exact count.
                self.memory_entities
                    .set((p / 100.0 * max.max(1) as f64).round() as i64);
            }
        }
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        to_text_format(&out)
    }
}

/// prometheus-client writes OpenMetrics; rewrite it as text format 0.0.4.
/// Two differences matter: OpenMetrics names a counter family without the
/// `_total` its samples carry, and the runbook's count gauges
/// (`caxton_agents_failed_total`, ...) are named like counters, which the
/// text format only allows for `untyped` families.
pub fn to_text_format(openmetrics: &str) -> String {
    let mut out = String::with_capacity(openmetrics.len());
    let mut help: Option<&str> = None;
    for line in openmetrics.lines() {
        if line == "# EOF" || line.starts_with("# UNIT ") {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# HELP ") {
            help = Some(rest);
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or((rest, "untyped"));
            let (name, kind) = match kind {
                "counter" => (format!("{name}_total"), "counter"),
                "gauge" if name.ends_with("_total") => (name.to_string(), "untyped"),
                "unknown" => (name.to_string(), "untyped"),
                k => (name.to_string(), k),
            };
            if let Some(h) = help.take() {
                let text = h.split_once(' ').map_or("", |(_, t)| t);
                out.push_str(&format!("# HELP {name} {text}\n"));
            }
            out.push_str(&format!("# TYPE {name} {kind}\n"));
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

async fn scrape(Extract(state): Extract<AppState>) -> ApiResult<impl IntoResponse> {
    let s = state.clone();
    let body = tokio::task::spawn_blocking(move || s.metrics.render(&s))
        .await
        .unwrap_or_default();
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], body))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/metrics", get(scrape))
        .route("/metrics", get(scrape))
}

/// The separate metrics listener (`server.metrics_port`): `/metrics` only.
pub fn metrics_only(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(state)
}

/// Messaging metrics, read from the messenger at scrape time: messages by
/// performative and outcome, routing decision latency, conversations.
struct MessagingCollector(crate::messaging::Messenger);

impl std::fmt::Debug for MessagingCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MessagingCollector")
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MessageLabels {
    performative: String,
    outcome: String,
}

impl prometheus_client::collector::Collector for MessagingCollector {
    fn encode(
        &self,
        mut encoder: prometheus_client::encoding::DescriptorEncoder,
    ) -> Result<(), std::fmt::Error> {
        use prometheus_client::encoding::{EncodeMetric, NoLabelSet};
        use prometheus_client::metrics::MetricType;
        use prometheus_client::metrics::counter::ConstCounter;
        use prometheus_client::metrics::gauge::ConstGauge;
        // A store error skips these families for one scrape rather than
        // failing the whole exposition.
        let Ok(snap) = self.0.metrics() else {
            return Ok(());
        };
        let mut family = encoder.encode_descriptor(
            "caxton_messages",
            "Messages handled, by performative and outcome",
            None,
            MetricType::Counter,
        )?;
        for m in &snap.messages {
            let labels = MessageLabels {
                performative: m.performative.as_str().into(),
                outcome: serde_json::to_value(m.outcome)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
            };
            ConstCounter::new(m.count).encode(family.encode_family(&labels)?)?;
        }
        let h = &snap.routing_latency;
        // The encoder accumulates per-bucket counts itself.
        let mut previous = 0;
        let mut buckets: Vec<(f64, u64)> =
            h.le.iter()
                .zip(&h.buckets)
                .map(|(le, cumulative)| {
                    let b = (*le, cumulative - previous);
                    previous = *cumulative;
                    b
                })
                .collect();
        buckets.push((f64::MAX, h.count.saturating_sub(previous)));
        encoder
            .encode_descriptor(
                "caxton_message_routing_duration_seconds",
                "Time to pick an agent for a message",
                None,
                MetricType::Histogram,
            )?
            .encode_histogram::<NoLabelSet>(h.sum_seconds, h.count, &buckets, None)?;
        for (name, help, value) in [
            (
                "caxton_conversations_active",
                "Conversations with a message pending delivery",
                snap.conversations_active,
            ),
            (
                "caxton_conversations",
                "Conversations stored",
                snap.conversations_total,
            ),
        ] {
            let gauge = ConstGauge::new(value as i64);
            gauge.encode(encoder.encode_descriptor(name, help, None, gauge.metric_type())?)?;
        }
        Ok(())
    }
}
