//! The daemon (docs/operations.md, README "Live agents"): `caxton server start` serves the same core over
//! HTTP on axum/tokio. One module per API area (`health`, `agents`,
//! `memory`, `metrics`); each exposes `routes()` and they are merged in
//! [`router`], so a new area (e.g. messaging) is one more module and one
//! more `.merge(...)`. Shared state is [`State`]; areas that need their own
//! state add a field there.

mod a2a;
mod agents;
mod api;
pub mod client;
pub mod contract;
pub(crate) mod dashboard;
mod guard;
mod health;
mod history;
mod limits;
mod logging;
mod mcp;
mod memory;
mod messages;
mod metrics;
mod recorder;
pub mod registry;
pub mod resources;
pub mod watch;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use tokio::sync::{Notify, watch as tokio_watch};

use crate::Caxton;
use crate::config::Overrides;
use crate::error::{Error, Result};
use crate::messaging::Messenger;
use crate::runtime::run::RunContext;
use crate::runtime::wasm::Runtime;
use crate::store::pool::StorePool;

pub use registry::Registry;

/// What `caxton server start` was asked for on the command line.
#[derive(Debug, Clone, Default)]
pub struct StartOptions {
    pub overrides: Overrides,
    pub host: Option<String>,
    pub port: Option<u16>,
    /// `--log-file`: overrides `logging.file`.
    pub log_file: Option<PathBuf>,
}

/// A shutdown request: from a signal or `POST /api/v1/shutdown`.
#[derive(Debug, Clone, Copy)]
pub struct Shutdown {
    /// How long in-flight executions may take to finish.
    pub timeout: Duration,
}

/// Everything the handlers share. Cheap to clone (`Arc`).
pub struct State {
    cx: RwLock<Arc<Caxton>>,
    /// Config-agent runs: providers (the local model included) stay loaded
    /// between requests; rebuilt with the config on SIGHUP.
    runs: RwLock<Arc<RunContext>>,
    /// Agent messaging: routing, persistence and delivery (README "Messaging between agents", docs/wasm-abi.md "Messaging").
    pub messenger: Messenger,
    /// Tells the delivery workers to stop (set when the server stops).
    messaging_stop: Arc<AtomicBool>,
    overrides: Overrides,
    pub registry: Registry,
    pub runtime: Arc<Runtime>,
    /// Store connections for executions, held for the daemon's life.
    pub stores: Arc<StorePool>,
    /// Execution statistics, written in batches.
    pub recorder: recorder::Recorder,
    pub metrics: metrics::Metrics,
    pub resources: resources::Sampler,
    started: Instant,
    ready: AtomicBool,
    draining: AtomicBool,
    in_flight: AtomicUsize,
    idle: Notify,
    shutdown: tokio_watch::Sender<Option<Shutdown>>,
    /// Required in `Authorization: Bearer` on every non-health route;
    /// re-read on SIGHUP.
    token: RwLock<Option<String>>,
}

pub type AppState = Arc<State>;

impl State {
    /// The current core (replaced on SIGHUP when the config is reloaded).
    pub fn cx(&self) -> Arc<Caxton> {
        self.cx.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The bearer token requests must carry, if one is configured.
    pub fn token(&self) -> Option<String> {
        self.token.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn runs(&self) -> Arc<RunContext> {
        self.runs.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire) && !self.draining.load(Ordering::Acquire)
    }

    /// Mark an execution as running until the guard drops, so a graceful
    /// shutdown can wait for it. Refused once shutdown has begun.
    pub fn begin_execution(self: &Arc<Self>) -> Result<InFlight> {
        if self.draining.load(Ordering::Acquire) {
            return Err(Error::ShuttingDown);
        }
        let max = self.cx().config().runtime.max_concurrent_executions.max(1) as usize;
        self.in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .map_err(|_| Error::Overloaded {
                message: format!(
                    "{max} executions are running already (runtime.max_concurrent_executions)"
                ),
                hint: "retry when one has finished, or raise runtime.max_concurrent_executions"
                    .into(),
                retry_after_s: 1,
            })?;
        Ok(InFlight(self.clone()))
    }

    pub fn executions_in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Acquire)
    }

    pub fn request_shutdown(&self, s: Shutdown) {
        self.shutdown.send_replace(Some(s));
    }

    /// Reload the configuration from the same sources as at start. The data
    /// directory cannot change under a running daemon (it holds its lock).
    fn reload_config(&self) -> Result<()> {
        let new = Caxton::open(&self.overrides)?;
        let old = self.cx();
        if new.paths().data_dir != old.paths().data_dir {
            return Err(Error::Config {
                message: format!(
                    "the data directory changed from {} to {}",
                    old.paths().data_dir.display(),
                    new.paths().data_dir.display()
                ),
                hint: "restart the daemon to move it to another data directory".into(),
            });
        }
        for w in &new.loaded().warnings {
            tracing::warn!("{w}");
        }
        // A rotated token takes effect now; the old one is refused from here on.
        let token = auth_token(&new)?;
        if token.is_none() && self.token().is_some() {
            return Err(Error::Config {
                message: "the new configuration has no server.auth_token".into(),
                hint: "a running daemon keeps its token; restart it to run without one".into(),
            });
        }
        *self.token.write().unwrap_or_else(|p| p.into_inner()) = token;
        *self.runs.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(RunContext::new(&new));
        let new = Arc::new(new);
        *self.cx.write().unwrap_or_else(|p| p.into_inner()) = new.clone();
        warm_model(new);
        Ok(())
    }

    /// Full rescan: config agents from the directory, WASM agents from the store.
    pub fn rescan(&self, why: &str) {
        let cx = self.cx();
        for change in self.registry.rescan(&cx) {
            self.log_change(&change, why);
        }
        // Capabilities follow the agents that are live now.
        if let Err(e) = self.messenger.refresh() {
            tracing::warn!("messaging: cannot refresh the capability registry: {e}");
        }
        self.metrics.set_agent_counts(&self.registry.counts());
    }

    fn log_change(&self, c: &registry::Change, why: &str) {
        match &c.error {
            Some(e) => {
                tracing::warn!(agent = %c.agent, outcome = c.outcome, trigger = why, "agent reload: {e}")
            }
            None => {
                tracing::info!(agent = %c.agent, outcome = c.outcome, trigger = why, "agent reload")
            }
        }
    }
}

/// An execution in progress (see [`State::begin_execution`]).
pub struct InFlight(Arc<State>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

/// Load the embedding model in the background, so the first search does not
/// wait for it and `/api/v1/health/detailed` reports it `loaded` (what the
/// runbook's checks expect). Without the model files there is nothing to
/// load: search falls back to keywords and health says `missing`.
fn warm_model(cx: Arc<Caxton>) {
    if !crate::memory::embed::missing_files(&cx.paths().models_dir).is_empty() {
        return;
    }
    std::thread::spawn(move || match cx.memory().model() {
        Ok(_) => tracing::info!("embedding model loaded"),
        Err(e) => tracing::warn!("embedding model not loaded: {e}"),
    });
}

/// Files in `<data dir>/run/` that say where the daemon is.
pub fn pid_file(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("run").join("caxton.pid")
}

pub fn url_file(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("run").join("caxton.url")
}

/// The bearer token from `server.auth_token` or `server.auth_token_file`.
pub fn auth_token(cx: &Caxton) -> Result<Option<String>> {
    let s = &cx.config().server;
    if let Some(t) = s.auth_token.as_ref().filter(|t| !t.is_empty()) {
        return Ok(Some(t.clone()));
    }
    match &s.auth_token_file {
        Some(f) => {
            let t = std::fs::read_to_string(f).map_err(|e| Error::io("read", f, e))?;
            let t = t.trim().to_string();
            if t.is_empty() {
                return Err(Error::Config {
                    message: format!("server.auth_token_file {} is empty", f.display()),
                    hint: "write the token into the file".into(),
                });
            }
            Ok(Some(t))
        }
        None => Ok(None),
    }
}

/// The API router with every area merged, plus the shared middleware.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .merge(health::routes())
        .merge(agents::routes())
        .merge(history::routes())
        .merge(dashboard::routes())
        .merge(memory::routes())
        .merge(metrics::routes())
        .merge(messages::routes())
        .merge(mcp::routes(&state))
        .merge(a2a::routes())
        .route("/api/v1/shutdown", axum::routing::post(api::shutdown))
        .route("/api/v1/reload", axum::routing::post(agents::reload_all))
        .fallback(api::not_found);
    api::layer(api, state)
}

/// Run the daemon in the foreground until it is shut down. Holds the daemon
/// lock for the whole run; a second daemon on the same data dir is refused.
pub fn start(opts: StartOptions) -> Result<()> {
    let cx = Caxton::open(&opts.overrides)?;
    let log_file = opts.log_file.as_ref().or(cx.config().logging.file.as_ref());
    logging::init(
        &cx.config().observability,
        &cx.config().logging,
        log_file.map(|p| p.as_path()),
    )?;
    for w in &cx.loaded().warnings {
        tracing::warn!("{w}");
    }
    let data_dir = cx.paths().data_dir.clone();
    crate::paths::create_private_dir(&data_dir).map_err(|e| Error::io("create", &data_dir, e))?;
    let lock = crate::lock::daemon(&data_dir, "daemon")?;

    let server = &cx.config().server;
    let host = opts.host.clone().unwrap_or_else(|| server.host.clone());
    let port = opts.port.unwrap_or(server.port);
    let ip: IpAddr = match host.as_str() {
        "localhost" => IpAddr::from([127, 0, 0, 1]),
        h => h.parse().map_err(|_| Error::Config {
            message: format!("server.host `{h}` is not an IP address"),
            hint: "use 127.0.0.1 (local only) or 0.0.0.0 (all interfaces, needs server.auth_token)"
                .into(),
        })?,
    };
    let token = auth_token(&cx)?;
    if !ip.is_loopback() && token.is_none() {
        return Err(Error::Config {
            message: format!("binding to {ip} (not loopback) needs a bearer token"),
            hint: "set server.auth_token_file (or CAXTON_SERVER_AUTH_TOKEN), or bind to 127.0.0.1"
                .into(),
        });
    }
    let metrics_port = server.metrics_port;
    let shutdown_timeout = server.shutdown_timeout;

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("caxton-http")
        .build()
        .map_err(|e| Error::io("start", std::path::Path::new("tokio runtime"), e))?;
    let result = rt.block_on(serve(
        cx,
        opts.overrides,
        SocketAddr::new(ip, port),
        metrics_port,
        token,
        shutdown_timeout,
    ));
    // Executions still running past the shutdown timeout are abandoned.
    rt.shutdown_timeout(Duration::from_millis(200));
    // The spans of the last requests leave before the process does.
    crate::trace::shutdown();
    let _ = std::fs::remove_file(pid_file(&data_dir));
    let _ = std::fs::remove_file(url_file(&data_dir));
    drop(lock);
    if result.is_ok() {
        tracing::info!("caxton daemon stopped");
    }
    result
}

/// Delivery workers: one per core, at least one, each delivering batches
/// from the shared queue until the server stops.
fn spawn_delivery(state: &AppState) {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    for i in 0..workers {
        let messenger = state.messenger.clone();
        let stop = state.messaging_stop.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("caxton-delivery-{i}"))
            .spawn(move || {
                if let Err(e) = messenger.work(&stop) {
                    tracing::error!("messaging: delivery worker stopped: {e}");
                }
            });
        if let Err(e) = spawned {
            tracing::error!("messaging: cannot start a delivery worker: {e}");
        }
    }
}

async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Error::Config {
            message: format!("cannot listen on {addr}: {e}"),
            hint: "choose another port with --port (or server.port), or stop what uses it (`ss -tlnp`)".into(),
        })
}

async fn serve(
    cx: Caxton,
    overrides: Overrides,
    addr: SocketAddr,
    metrics_port: u16,
    token: Option<String>,
    default_timeout: Duration,
) -> Result<()> {
    let data_dir = cx.paths().data_dir.clone();
    let listener = bind(addr).await?;
    let local = listener.local_addr().map_err(|e| Error::Config {
        message: format!("cannot read the bound address: {e}"),
        hint: String::new(),
    })?;
    let metrics_listener = match metrics_port {
        0 => None,
        p if p == local.port() => None,
        p => Some(bind(SocketAddr::new(addr.ip(), p)).await?),
    };
    let runtime = Arc::new(crate::agent::wasm::runtime(&cx));
    let messenger = Messenger::open(&cx, runtime.clone())?;
    let restarts = metrics::count_start(&data_dir);
    let mut metrics = metrics::Metrics::new(restarts, &cx.config().llm.provider);
    metrics.register_messaging(messenger.clone());
    let (shutdown_tx, mut shutdown_rx) = tokio_watch::channel(None);
    // One connection per execution that may run, one for the recorder and
    // one to compile a newly deployed module.
    let executions = cx.config().runtime.max_concurrent_executions.max(1) as usize;
    let stores = StorePool::new(
        &cx.paths().db(),
        executions + 2,
        crate::agent::wasm::STORE_WAIT,
    );
    let recorder = recorder::Recorder::start(stores.clone())?;
    let state: AppState = Arc::new(State {
        registry: Registry::default(),
        runtime,
        stores,
        recorder,
        metrics,
        resources: resources::Sampler::new(),
        runs: RwLock::new(Arc::new(RunContext::new(&cx))),
        messenger,
        messaging_stop: Arc::new(AtomicBool::new(false)),
        cx: RwLock::new(Arc::new(cx)),
        overrides,
        started: Instant::now(),
        ready: AtomicBool::new(false),
        draining: AtomicBool::new(false),
        in_flight: AtomicUsize::new(0),
        idle: Notify::new(),
        shutdown: shutdown_tx,
        token: RwLock::new(token),
    });

    let url = format!("http://{local}");
    let write = |path: PathBuf, text: String| {
        crate::paths::write_atomic(&path, text.as_bytes()).map_err(|e| Error::io("write", &path, e))
    };
    write(pid_file(&data_dir), format!("{}\n", std::process::id()))?;
    write(url_file(&data_dir), format!("{url}\n"))?;

    let app = guard::layer(router(state.clone()), state.clone(), local);
    let (stop_tx, stop_rx) = tokio_watch::channel(false);
    let cx_now = state.cx();
    let server_cfg = &cx_now.config().server;
    let conn_limits = limits::ConnLimits {
        max_connections: server_cfg.max_connections,
        header_read_timeout: server_cfg.header_read_timeout,
    };
    let http = tokio::spawn(limits::serve(listener, app, conn_limits, stop_rx.clone()));
    let metrics_task = metrics_listener.map(|l| {
        let bound = l.local_addr().unwrap_or(local);
        tracing::info!(addr = %bound, "metrics listening");
        let app = guard::layer(metrics::metrics_only(state.clone()), state.clone(), bound);
        tokio::spawn(limits::serve(l, app, conn_limits, stop_rx.clone()))
    });
    tracing::info!(%url, data_dir = %data_dir.display(), "caxton daemon listening");

    // Load agents and open the store off the async workers; ready after.
    let loader = state.clone();
    tokio::task::spawn_blocking(move || {
        if let Err(e) = loader.cx().store() {
            tracing::error!("cannot open the store: {e}");
            return;
        }
        loader.rescan("start");
        // Messages stored but not delivered before the last stop go out now
        // (once: delivery dedups by message id).
        match loader.messenger.recover() {
            Ok(r) => tracing::info!(recovered = ?r, "messaging: recovered undelivered messages"),
            Err(e) => tracing::error!("messaging: recovery failed: {e}"),
        }
        spawn_delivery(&loader);
        loader.ready.store(true, Ordering::Release);
        tracing::info!(agents = loader.registry.len(), "ready");
        warm_model(loader.cx());
    });
    watch::spawn(state.clone());
    spawn_timers(state.clone());
    spawn_signals(state.clone());

    let request = loop {
        if let Some(s) = *shutdown_rx.borrow_and_update() {
            break s;
        }
        if shutdown_rx.changed().await.is_err() {
            break Shutdown {
                timeout: default_timeout,
            };
        }
    };
    tracing::info!(
        timeout_s = request.timeout.as_secs_f64(),
        "shutting down: no new executions"
    );
    state.draining.store(true, Ordering::Release);
    // Delivery workers finish their current batch (one transaction) and
    // stop; anything still queued is in the store and recovered next start.
    state.messaging_stop.store(true, Ordering::Release);
    let drained = async {
        loop {
            let idle = state.idle.notified();
            if state.in_flight.load(Ordering::Acquire) == 0 {
                break;
            }
            idle.await;
        }
    };
    if tokio::time::timeout(request.timeout, drained)
        .await
        .is_err()
    {
        tracing::warn!(
            running = state.in_flight.load(Ordering::Acquire),
            "shutdown timeout reached with executions still running"
        );
    }
    let _ = stop_tx.send(true);
    // Connections finish their current response; idle ones are closed.
    let _ = tokio::time::timeout(Duration::from_secs(2), http).await;
    if let Some(t) = metrics_task {
        let _ = tokio::time::timeout(Duration::from_secs(1), t).await;
    }
    // Statistics of the executions that finished are written before the
    // checkpoint.
    state.recorder.close();
    // Every write is its own transaction; a final checkpoint folds the WAL
    // into the database file so a copy of caxton.db alone is complete.
    if let Ok(store) = state.cx().store() {
        let _ = store.fold_wal(Duration::from_secs(2));
    }
    Ok(())
}

/// Periodic work: the 30 s safety-net rescan, memory trend samples, and
/// the CPU sampler behind `/health/resources`.
fn spawn_timers(state: AppState) {
    let s = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(30));
        tick.tick().await;
        loop {
            tick.tick().await;
            let s = s.clone();
            let _ = tokio::task::spawn_blocking(move || {
                s.rescan("periodic");
                if let Ok(mut store) = s.cx().store() {
                    let _ = crate::memory::status::sample_if_due(&mut store);
                }
            })
            .await;
        }
    });
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            tick.tick().await;
            state.resources.sample();
        }
    });
}

fn spawn_signals(state: AppState) {
    use tokio::signal::unix::{SignalKind, signal};
    let timeout = state.cx().config().server.shutdown_timeout;
    for kind in [SignalKind::terminate(), SignalKind::interrupt()] {
        let s = state.clone();
        if let Ok(mut sig) = signal(kind) {
            tokio::spawn(async move {
                sig.recv().await;
                s.request_shutdown(Shutdown { timeout });
            });
        }
    }
    if let Ok(mut hup) = signal(SignalKind::hangup()) {
        tokio::spawn(async move {
            while hup.recv().await.is_some() {
                let s = state.clone();
                let _ = tokio::task::spawn_blocking(move || {
                    // logrotate moved the file and signalled: write anew.
                    if let Err(e) = logging::reopen() {
                        tracing::error!("SIGHUP: log file not reopened: {e}");
                    }
                    match s.reload_config() {
                        Ok(()) => tracing::info!("SIGHUP: config reloaded, log file reopened"),
                        Err(e) => tracing::error!("SIGHUP: config not reloaded: {e}"),
                    }
                    s.rescan("SIGHUP");
                })
                .await;
            }
        });
    }
}
