//! `/api/v1/agents`: list, deploy (WASM, the runbook's body), show,
//! undeploy, execute, reload, logs, ping; `/api/v1/reload` and
//! `/api/v1/reload-status` for the whole registry.

use std::convert::Infallible;
use std::time::Instant;

use axum::Router;
use axum::extract::{Path, Query, State as Extract};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use serde::Deserialize;
use serde_json::{Value, json};

use super::api::{ApiJson, ApiResult, blocking, current_request_id, error_body, optional_body};
use super::contract::{Invalid, Ping, ReloadStatus, Reloaded};
use super::metrics::ProviderLabels;
use super::registry::{Agent, Health, Live, RunRecord};
use super::{AppState, InFlight};
use crate::agent::Kind;
use crate::agent::catalog;
use crate::agent::spec::AgentSpec;
use crate::agent::wasm::{self, DeployRequest, PluginSettings, SecurityPolicy};
use crate::error::{Error, Result};
use crate::messaging::Delegation;
use crate::runtime::run::{self, RunEvent, RunInput};
use crate::runtime::wasm::WasmError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/agents", get(list).post(deploy))
        .route("/api/v1/agents/{id}", get(show).delete(remove))
        .route("/api/v1/agents/{id}/execute", post(execute))
        .route("/api/v1/agents/{id}/reload", post(reload_one))
        .route("/api/v1/agents/{id}/logs", get(logs))
        .route("/api/v1/agents/{id}/ping", get(ping))
        .route("/api/v1/reload-status", get(reload_status))
}

async fn list(Extract(state): Extract<AppState>) -> impl IntoResponse {
    let all: Vec<_> = state.registry.all().iter().map(Agent::live).collect();
    axum::Json(all)
}

async fn show(
    Extract(state): Extract<AppState>,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let a = state.registry.find(&id)?;
    let mut v = a.live();
    let detail = match &a.live {
        Some(Live::Wasm(w)) => json!({
            "resource_limits": w.agent.manifest.resource_limits,
            "security_policy": w.agent.manifest.security_policy,
            "module": w.agent.module,
            "history": w.agent.history,
        }),
        Some(Live::Config(spec)) => json!({"tools": spec.tools, "description": spec.description}),
        None => json!({}),
    };
    if let Value::Object(m) = detail {
        v.detail = m;
    }
    if a.kind == Kind::Wasm {
        // Fuel, CPU and traps as recorded since deploy (the loaded agent's
        // copy is as old as its last reload).
        let (s, id) = (state.clone(), a.id.clone());
        let usage = blocking(move || Ok(wasm::find(&s.cx(), &id)?.map(|w| w.usage))).await?;
        v.detail.insert("usage".into(), json!(usage));
    }
    Ok(axum::Json(v))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsBody {
    max_memory_bytes: Option<u64>,
    max_cpu_millis: Option<u64>,
    max_execution_time_ms: Option<u64>,
}

/// The runbook's `POST /api/v1/agents` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeployBody {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    wasm_module: String,
    #[serde(default)]
    resource_limits: LimitsBody,
    #[serde(default)]
    capabilities: Vec<String>,
    #[serde(default)]
    security_policy: SecurityPolicy,
    /// An Extism plug-in's `config`, `handler` and `http_client` settings.
    #[serde(default)]
    plugin: Option<PluginSettings>,
}

async fn deploy(
    Extract(state): Extract<AppState>,
    ApiJson(body): ApiJson<DeployBody>,
) -> ApiResult<impl IntoResponse> {
    if body.kind != "wasm" {
        return Err(Error::Usage {
            message: format!("\"type\": \"{}\" cannot be deployed over the API", body.kind),
            hint: "POST deploys WASM agents (\"type\": \"wasm\"); config agents deploy by writing their .toml file into the agents directory".into(),
        }
        .into());
    }
    let module = base64::engine::general_purpose::STANDARD
        .decode(body.wasm_module.trim())
        .map_err(|e| Error::BadRequest {
            message: format!("\"wasm_module\" is not base64: {e}"),
        })?;
    let s = state.clone();
    let deployed = blocking(move || {
        let cx = s.cx();
        let d = wasm::deploy(
            &cx,
            &s.runtime,
            &DeployRequest {
                name: &body.name,
                module: &module,
                max_memory_bytes: body.resource_limits.max_memory_bytes,
                max_cpu_millis: body.resource_limits.max_cpu_millis,
                max_execution_time_ms: body.resource_limits.max_execution_time_ms,
                capabilities: body.capabilities,
                security_policy: body.security_policy,
                plugin: body.plugin,
                source: "api",
            },
        )?;
        s.rescan("deploy");
        Ok(d)
    })
    .await?;
    let agent = state.registry.find(&deployed.id)?;
    let mut v = agent.live();
    v.detail.insert("deployment".into(), json!(deployed));
    let status = if deployed.changed {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(v)))
}

async fn remove(
    Extract(state): Extract<AppState>,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let agent = state.registry.find(&id)?;
    let s = state.clone();
    blocking(move || {
        let cx = s.cx();
        match agent.kind {
            Kind::Wasm => {
                let w = wasm::find(&cx, &agent.id)?.ok_or_else(|| Error::AgentNotFound {
                    name: agent.id.clone(),
                    suggestions: Vec::new(),
                })?;
                wasm::remove(&cx, &w)?;
            }
            Kind::Config => {
                catalog::remove(&cx, &agent.id)?;
            }
        }
        s.rescan("delete");
        Ok(())
    })
    .await?;
    Ok(axum::Json(json!({"id": id, "deleted": true})))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExecuteBody {
    input: Value,
    /// The Extism plug-in function to call (default: its handler).
    #[serde(default)]
    function: Option<String>,
}

/// Runs a config agent through the LLM loop (`runtime::run`), recording the
/// provider call time. A run that failed at the provider is returned as its
/// classified error; the full record is in the run log either way.
fn run_config_agent(
    state: &AppState,
    spec: &AgentSpec,
    input: Value,
    on_event: &mut dyn FnMut(RunEvent<'_>),
) -> Result<run::RunRecord> {
    let ctx = state.runs();
    let request = RunInput {
        request: input,
        sender: Some("api".into()),
        messaging: Some(
            Delegation::new(&state.messenger, &spec.id(), &spec.capabilities, None).handle(),
        ),
        ..RunInput::default()
    };
    let record = run::run(&ctx, spec, request, on_event)?;
    let outcome = record.error.as_ref().map_or("ok".to_string(), |e| {
        serde_json::to_value(e.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "error".into())
    });
    state
        .metrics
        .llm_requests
        .get_or_create(&ProviderLabels {
            provider: record.provider.clone(),
            outcome,
        })
        .observe(record.timings.model_ms / 1000.0);
    match record.failure() {
        Some(e) => Err(e),
        None => Ok(record),
    }
}

async fn execute(
    Extract(state): Extract<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ExecuteBody>,
) -> ApiResult<Response> {
    let agent = state.registry.find(&id)?;
    let Some(live) = agent.live.clone() else {
        return Err(catalog::resolve(&state.cx(), &agent.id)?
            .report
            .into_error()
            .into());
    };
    let guard = state.begin_execution()?;
    let s = state.clone();
    let started = Instant::now();
    if wants_events(&headers) {
        return Ok(stream_execution(
            s,
            agent.id.clone(),
            guard,
            live,
            body,
            started,
        ));
    }
    let result = blocking(move || {
        let _running = guard;
        execute_live(
            &s,
            &agent.id,
            live,
            body.input,
            body.function.as_deref(),
            started,
            &mut |_| {},
        )
    })
    .await?;
    Ok(axum::Json(result).into_response())
}

/// Runs a live agent once on the calling (blocking) thread, recording the
/// run and its metrics; a config agent's progress goes to `on_event`.
fn execute_live(
    s: &AppState,
    id: &str,
    live: Live,
    input: Value,
    function: Option<&str>,
    started: Instant,
    on_event: &mut dyn FnMut(RunEvent<'_>),
) -> Result<Value> {
    match live {
        Live::Wasm(w) => {
            let compiled = w.compiled(&s.stores, &s.runtime)?;
            let agent = &w.agent;
            wasm::check_function(agent, &compiled, function)?;
            let cx = s.cx();
            let services = wasm::MemoryServices::new(cx.memory().clone(), &agent.id).with_plugin(
                &cx,
                &agent.id,
                agent.manifest.plugin_deployment(),
            );
            let done = wasm::execute(&s.runtime, agent, &compiled, input, function, services);
            let took = started.elapsed();
            s.recorder
                .record(&agent.id, &done.stats, done.output.as_ref().err().cloned());
            let error = done.output.as_ref().err();
            s.registry.record_run(
                &agent.id,
                &RunRecord {
                    cpu_us: done.stats.cpu_us,
                    wall_us: done.stats.wall_us,
                    memory_bytes: done.stats.peak_memory_bytes,
                    error: error.map(ToString::to_string),
                },
                done.logs.iter().map(|l| json!(l)).collect(),
            );
            let fuel = done.stats.fuel;
            s.metrics.observe_execution(
                "wasm",
                took,
                Some(fuel),
                error.map(WasmError::kind).as_deref(),
            );
            let output = done.output.map_err(Error::from)?;
            Ok(json!(wasm::RunReport {
                agent: agent.id.clone(),
                output,
                stats: done.stats,
                logs: done.logs,
            }))
        }
        Live::Config(spec) => {
            if function.is_some() {
                return Err(Error::Usage {
                    message: format!(
                        "`{id}` is a config agent: \"function\" applies to Extism plug-ins only"
                    ),
                    hint: "leave out \"function\"".into(),
                });
            }
            let out = run_config_agent(s, &spec, input, on_event);
            let took = started.elapsed();
            let err = out.as_ref().err().map(ToString::to_string);
            s.metrics
                .observe_execution("config", took, None, out.as_ref().err().map(|e| e.code()));
            s.registry.record_run(
                id,
                &RunRecord {
                    cpu_us: 0,
                    wall_us: took.as_micros() as u64,
                    memory_bytes: 0,
                    error: err,
                },
                Vec::new(),
            );
            out.map(|run| json!({"agent": id, "output": run.output, "run": run}))
        }
    }
}

/// Whether the client asked for the execution as Server-Sent Events.
fn wants_events(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().starts_with("text/event-stream"))
        })
}

/// `Accept: text/event-stream`: the execution unfolds as events (`text`,
/// `tool_call`, `tool_result`), then one `done` with the body the JSON
/// answer would have had, or one `error` with the API's error body plus
/// its HTTP `status`. The run goes on to its end and is recorded even when
/// the client leaves.
fn stream_execution(
    s: AppState,
    id: String,
    guard: InFlight,
    live: Live,
    body: ExecuteBody,
    started: Instant,
) -> Response {
    // Unbounded, because a slow reader must not stall the run past its
    // deadline; the run's own limits (rounds, tokens, tool calls) bound
    // how many events there can be.
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
    let request_id = current_request_id();
    let failed = tx.clone();
    let failed_id = request_id.clone();
    let run = tokio::task::spawn_blocking(move || {
        let _running = guard;
        let function = body.function.as_deref();
        let result = execute_live(&s, &id, live, body.input, function, started, &mut |e| {
            let _ = tx.send(match e {
                RunEvent::Text(t) => event("text", &json!({"text": t})),
                RunEvent::ToolCall { round, name } => {
                    event("tool_call", &json!({"round": round, "name": name}))
                }
                RunEvent::ToolResult(call) => event("tool_result", call),
            });
        });
        let _ = tx.send(match result {
            Ok(body) => event("done", &body),
            Err(e) => error_event(&e, request_id),
        });
    });
    tokio::spawn(async move {
        if let Err(e) = run.await {
            let e = Error::Io {
                action: "run",
                path: "a daemon worker thread".into(),
                source: std::io::Error::other(e.to_string()),
            };
            let _ = failed.send(error_event(&e, failed_id));
        }
    });
    let events = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|e| (Ok::<_, Infallible>(e), rx))
    });
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}

fn event(name: &str, data: &impl serde::Serialize) -> Event {
    Event::default()
        .event(name)
        .json_data(data)
        .unwrap_or_else(|_| Event::default().event(name))
}

fn error_event(e: &Error, request_id: Option<String>) -> Event {
    let mut body = error_body(e, request_id);
    body["status"] = json!(e.http_status());
    event("error", &body)
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReloadBody {
    /// Refuse (422) instead of keeping the old version when the file is invalid.
    #[serde(default)]
    validate_first: bool,
}

fn parse_reload(body: &[u8]) -> Result<ReloadBody> {
    optional_body(body, "reload")
}

async fn reload_one(
    Extract(state): Extract<AppState>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<impl IntoResponse> {
    let opts = parse_reload(&body)?;
    let s = state.clone();
    let agent = blocking(move || {
        s.rescan("api");
        let a = s.registry.find(&id)?;
        if opts.validate_first && a.reload_error.is_some() && a.kind == Kind::Config {
            return Err(catalog::resolve(&s.cx(), &a.id)?.report.into_error());
        }
        Ok(a)
    })
    .await?;
    Ok(axum::Json(agent.live()))
}

/// `POST /api/v1/reload`: rescan everything (`caxton reload`).
pub async fn reload_all(
    Extract(state): Extract<AppState>,
    body: axum::body::Bytes,
) -> ApiResult<impl IntoResponse> {
    let opts = parse_reload(&body)?;
    let s = state.clone();
    let agents = blocking(move || {
        s.rescan("api");
        Ok(s.registry.all())
    })
    .await?;
    let body = Reloaded {
        agents: agents.iter().map(Agent::live).collect(),
        invalid: agents
            .iter()
            .filter(|a| a.reload_error.is_some())
            .map(|a| Invalid {
                id: a.id.clone(),
                error: a.reload_error.clone(),
            })
            .collect(),
    };
    let status = if opts.validate_first && !body.invalid.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(body)))
}

#[derive(Debug, Deserialize)]
struct LogQuery {
    tail: Option<usize>,
    level: Option<String>,
}

async fn logs(
    Extract(state): Extract<AppState>,
    Path(id): Path<String>,
    Query(q): Query<LogQuery>,
) -> ApiResult<impl IntoResponse> {
    let a = state.registry.find(&id)?;
    let lines = state
        .registry
        .logs(&a.id, q.tail.unwrap_or(100), q.level.as_deref());
    Ok(axum::Json(json!({"agent": a.id, "lines": lines})))
}

/// Whether the agent has a live version that can take requests.
async fn ping(
    Extract(state): Extract<AppState>,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let started = Instant::now();
    let a = state.registry.find(&id)?;
    let ok = a.live.is_some();
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Ok((
        status,
        axum::Json(Ping {
            status: a.status(),
            agent: a.id,
            ok,
            version: a.version,
            error: a.reload_error,
            latency_ms: started.elapsed().as_secs_f64() * 1000.0,
        }),
    ))
}

async fn reload_status(Extract(state): Extract<AppState>) -> impl IntoResponse {
    let (events, rescans, last) = state.registry.events();
    let agents = state
        .registry
        .all()
        .iter()
        .filter(|a| a.status() != Health::Running || a.reloads > 0)
        .map(Agent::live)
        .collect();
    axum::Json(ReloadStatus {
        rescans,
        last_rescan: last.map(|t| humantime::format_rfc3339_millis(t).to_string()),
        events,
        agents,
    })
}
