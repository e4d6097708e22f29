//! The WASM agent sandbox on wasmi (docs/wasm-abi.md).
//!
//! One [`Runtime`] per process holds one engine (fuel on, lazy
//! translation of validated code, strict module-shape limits), compiled
//! modules cached by content hash, and the bounded pool executions run on.
//! Every execution gets a fresh store and instance, runs in fuel slices and
//! is checked between slices against its CPU and wall-clock budgets, so a
//! guest can never hold the thread longer than one slice past a limit.
//! [`Runtime::execute`] is synchronous and blocking: the daemon calls it
//! from `spawn_blocking`, never on an async worker.

mod error;
mod extism;
mod host;
mod limits;
mod pool;
mod start;
mod wasi;

#[cfg(test)]
mod fuzz;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use wasmi::{
    CompilationMode, Config, EnforcedLimits, Engine, ExternType, Func, Linker, Module,
    ResumableCall, Store, TrapCode, Val,
};

pub use error::WasmError;
pub use extism::{
    DEFAULT_HANDLER, HttpRequest, HttpResponse, KERNEL as EXTISM_KERNEL, PluginError, PluginHost,
};
pub use host::{LogLine, MAX_LOG_BYTES, NoServices, Services, status};
pub use limits::{Ceilings, Limit, Limits};

use host::{HostState, Stop};

/// Fuel per slice: about 0.3–1.2 ms of CPU (research note §4.4). Control
/// returns to the host after every slice to check the budgets.
pub const FUEL_SLICE: u64 = 1_000_000;
/// Fuel backstop per CPU millisecond, three times the fastest rate measured
/// (3.3M/ms), so it only fires when thread CPU time cannot be read.
const FUEL_PER_CPU_MS_BACKSTOP: u64 = 10_000_000;
/// Compiled modules kept; the oldest half is dropped beyond this.
const CACHE_CAPACITY: usize = 256;
/// The magic number of binary modules; text (WAT) is never accepted.
const MAGIC: &[u8] = b"\0asm";

/// The ABI functions of the `caxton` host module.
pub const HOST_FUNCTIONS: &[&str] = &[
    "log",
    "send_message",
    "memory_search",
    "memory_store",
    "now_ms",
];

/// How a module talks to the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Abi {
    /// Exports `caxton_alloc`, `caxton_dealloc`, `caxton_handle`.
    CaxtonV1,
    /// Exports `_start`: JSON on stdin, JSON on stdout.
    WasiCommand,
    /// Imports from `extism:host/env`: an Extism plug-in, run beside the
    /// Extism kernel; any exported `() -> i32` function can be called.
    Extism,
}

impl Abi {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Abi::CaxtonV1 => "caxton-v1",
            Abi::WasiCommand => "wasi-command",
            Abi::Extism => "extism",
        }
    }
}

/// What deploy learns about a module.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModuleInfo {
    pub(crate) hash: String,
    pub(crate) size: u64,
    /// The calling convention the module was detected to use.
    pub abi: Abi,
    pub(crate) initial_memory_bytes: u64,
    /// `module.name` of every import.
    pub imports: Vec<String>,
    /// An Extism plug-in's callable exports (empty for the other ABIs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<String>,
}

/// A validated, compiled module with the linker for its imports.
pub struct Compiled {
    /// What validation found: ABI, exports, imports, sizes.
    pub info: ModuleInfo,
    module: Module,
    linker: Linker<HostState>,
    /// What runs once per fresh instance before the ABI call, in order.
    init: Vec<Init>,
    /// The Extism kernel an Extism plug-in is instantiated beside.
    kernel: Option<extism::KernelModule>,
}

/// An initialiser of a fresh instance, run under the execution's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Init {
    /// The module's start section (moved to an export, see `start.rs`),
    /// with the function's index.
    Start(u32),
    /// The WASI reactor initialiser `_initialize`.
    Initialize,
}

impl Init {
    fn export(self) -> &'static str {
        match self {
            Init::Start(_) => start::EXPORT,
            Init::Initialize => "_initialize",
        }
    }

    /// Where an error happened, for the message.
    fn describe(self) -> String {
        match self {
            Init::Start(func) => format!("the start function (start section, function {func})"),
            Init::Initialize => "`_initialize`".into(),
        }
    }
}

/// Resource use of one execution.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Stats {
    /// Fuel consumed (wasmi's instruction metering; the CPU limit falls
    /// back on it when thread CPU time cannot be read).
    pub fuel: u64,
    /// CPU time of the executing thread, in microseconds.
    pub cpu_us: u64,
    /// Wall-clock time of the execution, in microseconds.
    pub wall_us: u64,
    /// Largest linear memory the guest had, in bytes.
    pub peak_memory_bytes: u64,
    /// Time spent waiting for a pool slot (not counted against limits).
    pub queued_us: u64,
    /// Log lines the guest wrote past the per-execution log cap
    /// ([`MAX_LOG_BYTES`]), counted and dropped.
    pub logs_dropped: u64,
}

/// The outcome of one execution: the output JSON bytes or why it stopped,
/// plus what it used and logged either way.
#[derive(Debug)]
pub struct Execution {
    /// The guest's output JSON bytes, or why the execution stopped.
    pub result: Result<Vec<u8>, WasmError>,
    /// What the execution used, also when it failed.
    pub stats: Stats,
    pub(crate) logs: Vec<LogLine>,
}

/// The WASM engine of a server: compiles and caches modules by content hash
/// and runs executions on a bounded worker pool within the [`Ceilings`].
pub struct Runtime {
    engine: Engine,
    ceilings: Ceilings,
    cache: Mutex<HashMap<String, Arc<Compiled>>>,
    pool: pool::Pool,
    fuel_slice: u64,
    /// The Extism kernel, compiled on the first plug-in.
    kernel: OnceLock<Result<extism::KernelModule, String>>,
}

impl Runtime {
    /// `workers` bounds concurrent executions (0 = one per CPU core).
    pub fn new(ceilings: Ceilings, workers: usize) -> Runtime {
        let mut cfg = Config::default();
        cfg.consume_fuel(true)
            // Validate everything at deploy, translate each function on its
            // first call (then cached in the Module): a 1 MiB module compiles
            // in ~11 ms instead of ~54 ms eagerly (benches/wasm.rs). The first
            // call of a function charges its translation to that execution's
            // fuel and CPU time; `Lazy` (unvalidated) is never used.
            .compilation_mode(CompilationMode::LazyTranslation)
            .enforced_limits(EnforcedLimits::strict())
            // wasmi would run a start function inside instantiation, where
            // no CPU or wall-clock check can stop it: `start::lift` moves it
            // to an export that runs in fuel slices, and anything it missed
            // is refused here rather than run unmetered.
            .allow_start_fn(false)
            .set_max_recursion_depth(ceilings.max_recursion_depth as usize);
        let workers = if workers == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            workers
        };
        Runtime {
            engine: Engine::new(&cfg),
            ceilings,
            cache: Mutex::new(HashMap::new()),
            pool: pool::Pool::new(workers),
            fuel_slice: FUEL_SLICE,
            kernel: OnceLock::new(),
        }
    }

    /// Use slices of `fuel` instead of [`FUEL_SLICE`]: larger slices cost
    /// less, smaller ones stop a runaway sooner after a limit.
    pub fn with_fuel_slice(mut self, fuel: u64) -> Runtime {
        self.fuel_slice = fuel.max(1);
        self
    }

    /// Executions that can run at once (the pool's worker threads).
    pub fn workers(&self) -> usize {
        self.pool.workers()
    }

    /// Validate and compile `bytes`, or return the cached module with the
    /// same content hash.
    pub fn compile(&self, bytes: &[u8]) -> Result<Arc<Compiled>, WasmError> {
        let hash = blake3::hash(bytes).to_hex().to_string();
        if let Some(c) = self.cache_lock().get(&hash) {
            return Ok(c.clone());
        }
        let compiled = Arc::new(self.compile_uncached(bytes, hash.clone())?);
        let mut cache = self.cache_lock();
        if cache.len() >= CACHE_CAPACITY {
            let drop: Vec<String> = cache.keys().take(CACHE_CAPACITY / 2).cloned().collect();
            drop.iter().for_each(|k| {
                cache.remove(k);
            });
        }
        cache.insert(hash, compiled.clone());
        Ok(compiled)
    }

    /// For a module importing from `extism:host/env`: the kernel it runs
    /// beside, once every such import is known to be a kernel export or a
    /// builtin and the module mixes in no ABI v1 import. `None` for other
    /// modules.
    fn extism_kernel(&self, module: &Module) -> Result<Option<extism::KernelModule>, WasmError> {
        let imports: Vec<_> = module.imports().collect();
        let from_extism = |m: &str| m == extism::MODULE || m == extism::USER_MODULE;
        if !imports.iter().any(|i| from_extism(i.module())) {
            return Ok(None);
        }
        let kernel = self
            .kernel
            .get_or_init(|| extism::KernelModule::new(&self.engine).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| {
                invalid(
                    &format!("the vendored Extism kernel does not compile: {e}"),
                    "",
                )
            })?;
        // Host functions of the plug-in's own host (`extism:host/user`)
        // exist only in that host.
        let unknown: Vec<String> = imports
            .iter()
            .filter(|i| from_extism(i.module()))
            .filter(|i| {
                i.module() == extism::USER_MODULE
                    || !matches!(i.ty(), ExternType::Func(_))
                    || !(kernel.exports(i.name()) || extism::BUILTINS.contains(&i.name()))
            })
            .map(|i| format!("{}.{}", i.module(), i.name()))
            .collect();
        if !unknown.is_empty() {
            return Err(invalid(
                &format!(
                    "the Extism plug-in imports {}, which Caxton does not provide: {}",
                    if unknown.len() == 1 {
                        "a host function"
                    } else {
                        "host functions"
                    },
                    unknown.join(", ")
                ),
                &format!(
                    "Caxton provides the Extism kernel's exports and {}; host functions of your own (Extism `host_fn`) are not supported",
                    extism::BUILTINS.join(", ")
                ),
            ));
        }
        if let Some(i) = imports.iter().find(|i| i.module() == "caxton") {
            return Err(invalid(
                &format!(
                    "the module is both an Extism plug-in (it imports extism:host/env) and an ABI v1 agent (it imports caxton.{})",
                    i.name()
                ),
                "a module follows one ABI: an Extism plug-in uses only the Extism PDK (docs/wasm-abi.md, \"Extism plug-ins\")",
            ));
        }
        Ok(Some(kernel.clone()))
    }

    fn cache_lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Compiled>>> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn compile_uncached(&self, bytes: &[u8], hash: String) -> Result<Compiled, WasmError> {
        let size = bytes.len() as u64;
        if size > self.ceilings.max_module_bytes {
            return Err(WasmError::LimitExceeded {
                limit: Limit::ModuleSize,
                configured: self.ceilings.max_module_bytes,
                used: size,
            });
        }
        if !bytes.starts_with(MAGIC) {
            return Err(invalid(
                "the file does not start with the WebAssembly magic number \\0asm",
                "deploy the compiled .wasm binary (text-format .wat is not accepted)",
            ));
        }
        let lifted = start::lift(bytes).map_err(|reason| invalid(&reason, "rename that export"))?;
        let (bytes, start) = match &lifted {
            Some((rewritten, func)) => (rewritten.as_slice(), Some(*func)),
            None => (bytes, None),
        };
        let module = Module::new(&self.engine, bytes).map_err(|e| {
            invalid(
                &e.to_string(),
                "rebuild the module for wasm32-wasip1 (or wasm32-unknown-unknown); `wasm-tools validate` shows details",
            )
        })?;
        let mut linker = Linker::<HostState>::new(&self.engine);
        host::add_to_linker(&mut linker).map_err(|e| invalid(&e.to_string(), ""))?;
        wasi::add_to_linker(&mut linker).map_err(|e| invalid(&e.to_string(), ""))?;
        let kernel = self.extism_kernel(&module)?;
        if kernel.is_some() {
            extism::add_to_linker(&mut linker).map_err(|e| invalid(&e.to_string(), ""))?;
        }
        let mut imports = Vec::new();
        for imp in module.imports() {
            let name = format!("{}.{}", imp.module(), imp.name());
            let known = match (imp.module(), imp.ty()) {
                ("caxton", ExternType::Func(_)) => HOST_FUNCTIONS.contains(&imp.name()),
                // Checked as a whole by `extism_kernel`.
                (extism::MODULE | extism::USER_MODULE, _) => true,
                (wasi::MODULE, ExternType::Func(_)) if wasi::PROVIDED.contains(&imp.name()) => true,
                (wasi::MODULE, ExternType::Func(ty)) => {
                    wasi::stub(&mut linker, imp.name(), ty.clone())
                        .map_err(|e| invalid(&e.to_string(), ""))?
                }
                _ => false,
            };
            if !known {
                let (what, hint) = match imp.ty() {
                    ExternType::Func(_) => (
                        "function",
                        "ABI v1 provides caxton.{log,send_message,memory_search,memory_store,now_ms} and WASI preview 1 (docs/wasm-abi.md)",
                    ),
                    ExternType::Memory(_) => (
                        "memory",
                        "export the module's own memory as `memory` instead (link without --import-memory)",
                    ),
                    ExternType::Table(_) | ExternType::Global(_) => (
                        "table or global",
                        "define it in the module (link without --import-table / shared globals)",
                    ),
                };
                return Err(invalid(
                    &format!(
                        "the module imports the {what} `{name}`, which Caxton does not provide"
                    ),
                    hint,
                ));
            }
            imports.push(name);
        }
        let export = |n: &str| module.get_export(n);
        let func = |n: &str, params: &[wasmi::ValType], results: &[wasmi::ValType]| matches!(export(n), Some(ExternType::Func(f)) if f.params() == params && f.results() == results);
        use wasmi::ValType::{I32, I64};
        let initial_memory_bytes = match (export("memory"), &kernel) {
            (Some(ExternType::Memory(m)), k) => m
                .minimum()
                .saturating_mul(65_536)
                .saturating_add(k.as_ref().map_or(0, |k| k.initial_memory_bytes)),
            // A plug-in's memory is its own business: the host reads the kernel's.
            (_, Some(k)) => k.initial_memory_bytes,
            (_, None) => {
                return Err(invalid(
                    "the module does not export its linear memory as `memory`",
                    "export the memory (Rust and C toolchains do by default)",
                ));
            }
        };
        let functions = match &kernel {
            Some(_) => extism::functions(&module),
            None => Vec::new(),
        };
        let abi = if kernel.is_some() {
            if export("caxton_handle").is_some() {
                return Err(invalid(
                    "the module is both an Extism plug-in (it imports extism:host/env) and an ABI v1 agent (it exports `caxton_handle`)",
                    "a module follows one ABI: drop `caxton_handle` to run it as an Extism plug-in, or the Extism PDK to run it on ABI v1 (docs/wasm-abi.md, \"Extism plug-ins\")",
                ));
            }
            if functions.is_empty() {
                return Err(invalid(
                    "the Extism plug-in exports no function of type `() -> i32`",
                    "export at least one plug-in function (`#[plugin_fn]` in the Rust PDK)",
                ));
            }
            Abi::Extism
        } else if func("caxton_handle", &[I32, I32], &[I64]) {
            if !func("caxton_alloc", &[I32], &[I32]) || !func("caxton_dealloc", &[I32, I32], &[]) {
                return Err(invalid(
                    "`caxton_handle` is exported but `caxton_alloc(len: i32) -> i32` or `caxton_dealloc(ptr: i32, len: i32)` is missing or has the wrong type",
                    "see docs/wasm-abi.md for the exact signatures",
                ));
            }
            Abi::CaxtonV1
        } else if func("_start", &[], &[]) {
            Abi::WasiCommand
        } else {
            return Err(invalid(
                "the module exports neither `caxton_handle(ptr: i32, len: i32) -> i64` (ABI v1) nor `_start` (WASI command)",
                "see docs/wasm-abi.md; agents/word-count is a working example",
            ));
        };
        let mut init: Vec<Init> = start.into_iter().map(Init::Start).collect();
        if func("_initialize", &[], &[]) {
            init.push(Init::Initialize);
        }
        let compiled = Compiled {
            info: ModuleInfo {
                hash,
                size,
                abi,
                initial_memory_bytes,
                imports,
                functions,
            },
            module,
            linker,
            init,
            kernel,
        };
        // Instantiate once now so an import with the wrong signature is a
        // deploy error, not a failure of every execution.
        if initial_memory_bytes > self.ceilings.max_memory_bytes {
            return Err(WasmError::LimitExceeded {
                limit: Limit::Memory,
                configured: self.ceilings.max_memory_bytes,
                used: initial_memory_bytes,
            });
        }
        let mut store = self.store(
            &compiled,
            self.ceilings.max_memory_bytes,
            Vec::new(),
            Box::new(NoServices),
            Instant::now(),
        );
        compiled.instantiate(&mut store).map_err(|e| {
            invalid(
                &e.to_string(),
                "check the import signatures against docs/wasm-abi.md",
            )
        })?;
        Ok(compiled)
    }

    /// Deploy-time checks of `limits` for a module: within the ceilings,
    /// room for the module's initial memory, and initialisers (start
    /// section, `_initialize`) that finish within the limits — a module
    /// whose initialiser traps or runs away would fail every execution, so
    /// it is refused now, while the deployed version stays live.
    pub fn check_limits(&self, compiled: &Compiled, limits: &Limits) -> Result<(), WasmError> {
        let info = &compiled.info;
        if let Some((limit, requested, ceiling, setting)) = self.ceilings.excess(limits) {
            return Err(WasmError::AboveCeiling {
                limit,
                requested,
                ceiling,
                setting,
            });
        }
        if info.initial_memory_bytes > limits.max_memory_bytes {
            return Err(WasmError::LimitExceeded {
                limit: Limit::Memory,
                configured: limits.max_memory_bytes,
                used: info.initial_memory_bytes,
            });
        }
        if compiled.init.is_empty() {
            return Ok(());
        }
        let _permit = self.pool.acquire(&info.hash);
        let mut run = Run::start(limits, self.fuel_slice);
        let mut store = self.store(
            compiled,
            limits.max_memory_bytes,
            Vec::new(),
            Box::new(NoServices),
            run.deadline,
        );
        let (init, fault) = match self.initialise(&mut store, compiled, &mut run) {
            Ok(_) => return Ok(()),
            Err(Fault::Init(init, fault)) => (init, *fault),
            Err(fault) => return Err(self.classify(fault, store.data(), limits)),
        };
        let e = self.classify(fault, store.data(), limits);
        Err(invalid(
            &format!("{} failed when tried at deploy: {e}", init.describe()),
            &format!(
                "initialisers run once per fresh instance under the agent's limits; {}",
                e.hint().unwrap_or_else(|| "fix the initialiser".into())
            ),
        ))
    }

    /// Instantiate `compiled` in `store` and run its initialisers; a fault
    /// in one of them is a [`Fault::Init`] naming it.
    fn initialise(
        &self,
        store: &mut Store<HostState>,
        compiled: &Compiled,
        run: &mut Run,
    ) -> Result<wasmi::Instance, Fault> {
        store.set_fuel(run.slice).map_err(Fault::Wasm)?;
        let instance = compiled.instantiate(store).map_err(Fault::Wasm)?;
        for &init in &compiled.init {
            let func = instance
                .get_func(&*store, init.export())
                .ok_or_else(|| abi(&format!("`{}` is missing", init.export())))?;
            run.call(store, func, &[], &mut [])
                .map_err(|e| Fault::Init(init, Box::new(e)))?;
        }
        Ok(instance)
    }

    fn store(
        &self,
        compiled: &Compiled,
        max_memory: u64,
        stdin: Vec<u8>,
        services: Box<dyn Services>,
        deadline: Instant,
    ) -> Store<HostState> {
        let state = HostState::new(
            usize::try_from(max_memory).unwrap_or(usize::MAX),
            usize::try_from(self.ceilings.max_output_bytes).unwrap_or(usize::MAX),
            services,
            stdin,
            deadline,
            if compiled.kernel.is_some() { 2 } else { 1 },
        );
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limiter);
        store
    }

    /// Run one execution of `compiled` for `agent` with `input` (the JSON
    /// request). Blocks while the pool is full, then runs on this thread.
    pub fn execute(
        &self,
        agent: &str,
        compiled: &Compiled,
        limits: &Limits,
        input: &[u8],
        services: Box<dyn Services>,
    ) -> Execution {
        self.execute_function(agent, compiled, limits, None, input, services)
    }

    /// [`Runtime::execute`], calling the Extism plug-in function `function`
    /// ([`DEFAULT_HANDLER`] when `None`) with `input` as its input bytes. ABI
    /// v1 and WASI command modules have one entry point: `function` must be
    /// `None` for them.
    pub fn execute_function(
        &self,
        agent: &str,
        compiled: &Compiled,
        limits: &Limits,
        function: Option<&str>,
        input: &[u8],
        services: Box<dyn Services>,
    ) -> Execution {
        let span = crate::trace::span!(
            "agent.execute",
            agent,
            kind = "wasm",
            wasm.fuel = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            otel.status_description = tracing::field::Empty,
        );
        let _entered = span.enter();
        let queued = Instant::now();
        let _permit = self.pool.acquire(agent);
        let queued_us = queued.elapsed().as_micros() as u64;
        let limits = self.ceilings.clamp(limits);
        let mut run = Run::start(&limits, self.fuel_slice);
        let result = if input.len() as u64 > self.ceilings.max_input_bytes {
            Err(WasmError::LimitExceeded {
                limit: Limit::InputSize,
                configured: self.ceilings.max_input_bytes,
                used: input.len() as u64,
            })
        } else {
            let stdin = match compiled.info.abi {
                Abi::WasiCommand => input.to_vec(),
                Abi::CaxtonV1 | Abi::Extism => Vec::new(),
            };
            let mut store = self.store(
                compiled,
                limits.max_memory_bytes,
                stdin,
                services,
                run.deadline,
            );
            let result = self.run(&mut store, compiled, function, input, &mut run);
            let st = store.data();
            run.peak_memory = st.limiter.peak as u64;
            let result = result.map_err(|e| self.classify(e, st, &limits));
            run.logs = std::mem::take(&mut store.data_mut().logs);
            run.logs_dropped = store.data().logs_dropped;
            result
        };
        span.record("wasm.fuel", i64::try_from(run.fuel).unwrap_or(i64::MAX));
        if let Err(e) = &result {
            crate::trace::fail(&span, &e.kind());
        }
        Execution {
            result,
            stats: Stats {
                fuel: run.fuel,
                cpu_us: thread_cpu().saturating_sub(run.cpu0).as_micros() as u64,
                wall_us: run.wall0.elapsed().as_micros() as u64,
                peak_memory_bytes: run.peak_memory,
                queued_us,
                logs_dropped: run.logs_dropped,
            },
            logs: run.logs,
        }
    }

    fn run(
        &self,
        store: &mut Store<HostState>,
        compiled: &Compiled,
        function: Option<&str>,
        input: &[u8],
        run: &mut Run,
    ) -> Result<Vec<u8>, Fault> {
        if let (Some(f), Abi::CaxtonV1 | Abi::WasiCommand) = (function, compiled.info.abi) {
            return Err(abi(&format!(
                "only Extism plug-ins have named functions to call; this {} module has one entry point (asked for `{f}`)",
                compiled.info.abi.as_str()
            )));
        }
        let instance = self.initialise(store, compiled, run)?;
        let get = |store: &Store<HostState>, name: &str| instance.get_func(store, name);
        match compiled.info.abi {
            Abi::Extism => {
                let name = function.unwrap_or(DEFAULT_HANDLER);
                if !compiled.info.functions.iter().any(|f| f == name) {
                    return Err(abi(&format!(
                        "the plug-in exports no function `{name}` of type () -> i32; it exports: {}",
                        compiled.info.functions.join(", ")
                    )));
                }
                let func = get(store, name).ok_or_else(|| abi(&format!("`{name}` is missing")))?;
                self.call_plugin(store, func, input, run)
            }
            Abi::WasiCommand => {
                let start = get(store, "_start").ok_or_else(|| abi("`_start` is missing"))?;
                match run.call(store, start, &[], &mut []) {
                    Ok(()) | Err(Fault::Stop(Stop::Exit(0))) => {}
                    Err(e) => return Err(e),
                }
                Ok(std::mem::take(&mut store.data_mut().stdout))
            }
            Abi::CaxtonV1 => {
                let len = i32::try_from(input.len()).map_err(|_| abi("input too large"))?;
                let alloc =
                    get(store, "caxton_alloc").ok_or_else(|| abi("`caxton_alloc` is missing"))?;
                let handle =
                    get(store, "caxton_handle").ok_or_else(|| abi("`caxton_handle` is missing"))?;
                let mut out = [Val::I32(0)];
                run.call(store, alloc, &[Val::I32(len)], &mut out)?;
                let ptr = out[0].i32().unwrap_or(0);
                let memory = instance
                    .get_memory(&*store, "memory")
                    .ok_or_else(|| abi("`memory` is not exported"))?;
                memory
                    .write(&mut *store, ptr as u32 as usize, input)
                    .map_err(|_| {
                        abi(&format!(
                            "caxton_alloc({len}) returned {ptr}, which is outside linear memory"
                        ))
                    })?;
                let mut packed = [Val::I64(0)];
                run.call(store, handle, &[Val::I32(ptr), Val::I32(len)], &mut packed)?;
                let packed = packed[0].i64().unwrap_or(0) as u64;
                let (out_ptr, out_len) = ((packed >> 32) as usize, packed & 0xffff_ffff);
                if out_len > self.ceilings.max_output_bytes {
                    return Err(Fault::Stop(Stop::Output(out_len)));
                }
                let mut output = vec![0u8; out_len as usize];
                memory
                    .read(&*store, out_ptr, &mut output)
                    .map_err(|_| abi(&format!("caxton_handle returned output at {out_ptr} with length {out_len}, outside linear memory")))?;
                Ok(output)
            }
        }
    }

    /// Extism's calling convention, all through the kernel's exports: reset
    /// it, hand it the input, call the function, then read the output, or
    /// the error the plug-in set when the function returns non-zero.
    fn call_plugin(
        &self,
        store: &mut Store<HostState>,
        func: Func,
        input: &[u8],
        run: &mut Run,
    ) -> Result<Vec<u8>, Fault> {
        let k = store
            .data()
            .extism
            .as_ref()
            .map(|s| s.kernel)
            .ok_or_else(|| abi("the Extism kernel is not instantiated"))?;
        let len = input.len() as i64;
        let mut out = [Val::I64(0)];
        run.call(store, k.reset, &[], &mut [])?;
        run.call(store, k.alloc, &[Val::I64(len)], &mut out)?;
        let offset = out[0].i64().unwrap_or(0);
        k.memory
            .write(&mut *store, offset as u64 as usize, input)
            .map_err(|_| abi("the Extism kernel could not allocate the input"))?;
        run.call(
            store,
            k.input_set,
            &[Val::I64(offset), Val::I64(len)],
            &mut [],
        )?;
        let mut rc = [Val::I32(0)];
        let rc = if func.ty(&*store).results().is_empty() {
            run.call(store, func, &[], &mut [])?;
            0
        } else {
            run.call(store, func, &[], &mut rc)?;
            rc[0].i32().unwrap_or(0)
        };
        let mut read = |store: &mut Store<HostState>,
                        offset: Func,
                        length: Option<Func>|
         -> Result<Option<Vec<u8>>, Fault> {
            run.call(store, offset, &[], &mut out)?;
            let at = out[0].i64().unwrap_or(0);
            if at == 0 {
                return Ok(None);
            }
            let mut n = [Val::I64(0)];
            match length {
                Some(f) => run.call(store, f, &[], &mut n)?,
                None => run.call(store, k.length, &[Val::I64(at)], &mut n)?,
            }
            let n = n[0].i64().unwrap_or(0) as u64;
            if n > self.ceilings.max_output_bytes {
                return Err(Fault::Stop(Stop::Output(n)));
            }
            let mut bytes = vec![0u8; n as usize];
            k.memory
                .read(&*store, at as u64 as usize, &mut bytes)
                .map_err(|_| abi(&format!("the plug-in's output at {at} with length {n} is outside the kernel's memory")))?;
            Ok(Some(bytes))
        };
        if rc != 0 {
            let message = read(store, k.error_get, None)?
                .map(|m| String::from_utf8_lossy(&m).into_owned())
                .unwrap_or_else(|| format!("the function returned {rc} without setting an error"));
            return Err(Fault::Error(WasmError::Agent { message }));
        }
        Ok(read(store, k.output_offset, Some(k.output_length))?.unwrap_or_default())
    }

    /// Turn whatever stopped an execution into the error to report.
    fn classify(&self, fault: Fault, st: &HostState, limits: &Limits) -> WasmError {
        let memory = |used: u64| WasmError::LimitExceeded {
            limit: Limit::Memory,
            configured: limits.max_memory_bytes,
            used,
        };
        let e = match fault {
            Fault::Error(e) => return e,
            // Limits keep their own error (they name the limit); a trap
            // says which initialiser it happened in.
            Fault::Init(init, fault) => {
                return match self.classify(*fault, st, limits) {
                    WasmError::Trap { kind, message } => WasmError::Trap {
                        kind,
                        message: format!("in {}: {message}", init.describe()),
                    },
                    e => e,
                };
            }
            Fault::Stop(stop) => {
                return match stop {
                    Stop::Exit(status) => WasmError::Exit {
                        status,
                        stderr: stderr_tail(&st.logs),
                    },
                    Stop::Output(used) => WasmError::LimitExceeded {
                        limit: Limit::OutputSize,
                        configured: self.ceilings.max_output_bytes,
                        used,
                    },
                    Stop::BadPointer(func) => WasmError::Trap {
                        kind: "bad_pointer".into(),
                        message: format!("{func}: pointer or length outside linear memory"),
                    },
                    Stop::Deadline => WasmError::LimitExceeded {
                        limit: Limit::WallTime,
                        configured: limits.max_execution_time_ms,
                        used: limits.max_execution_time_ms + 1,
                    },
                };
            }
            Fault::Wasm(e) => e,
        };
        if let Some(stop) = e.downcast_ref::<Stop>() {
            return self.classify(Fault::Stop(*stop), st, limits);
        }
        if let Some(p) = e.downcast_ref::<PluginError>() {
            return WasmError::Trap {
                kind: p.kind.to_string(),
                message: p.message.clone(),
            };
        }
        if let Some(refused) = st.limiter.refused {
            return memory(refused as u64);
        }
        match e.as_trap_code() {
            Some(TrapCode::StackOverflow) => WasmError::LimitExceeded {
                limit: Limit::RecursionDepth,
                configured: u64::from(self.ceilings.max_recursion_depth),
                used: u64::from(self.ceilings.max_recursion_depth) + 1,
            },
            Some(TrapCode::GrowthOperationLimited) => memory(limits.max_memory_bytes + 1),
            Some(TrapCode::OutOfFuel) => WasmError::LimitExceeded {
                limit: Limit::Cpu,
                configured: limits.max_cpu_millis,
                used: limits.max_cpu_millis + 1,
            },
            Some(code) => WasmError::Trap {
                kind: heck::ToSnakeCase::to_snake_case(format!("{code:?}").as_str()),
                message: code.to_string(),
            },
            None => WasmError::Trap {
                kind: "error".into(),
                message: e.to_string(),
            },
        }
    }
}

impl Compiled {
    /// A fresh instance in `store`: beside a new Extism kernel for a plug-in.
    fn instantiate(&self, store: &mut Store<HostState>) -> Result<wasmi::Instance, wasmi::Error> {
        match &self.kernel {
            Some(kernel) => kernel.instantiate(store, &self.linker, &self.module),
            None => self.linker.instantiate_and_start(store, &self.module),
        }
    }
}

/// What ended a call before it finished.
enum Fault {
    /// Already a reportable error (a limit seen between slices, an ABI break).
    Error(WasmError),
    /// A host function stopped the guest.
    Stop(Stop),
    /// wasmi reported a trap or error.
    Wasm(wasmi::Error),
    /// Any of these while instantiating or in an initialiser.
    Init(Init, Box<Fault>),
}

/// A host function's [`Stop`] stays a `Stop` (so `proc_exit(0)` can be
/// success); anything else is wasmi's error.
fn fault(e: wasmi::Error) -> Fault {
    match e.downcast_ref::<Stop>() {
        Some(stop) => Fault::Stop(*stop),
        None => Fault::Wasm(e),
    }
}

fn abi(reason: &str) -> Fault {
    Fault::Error(WasmError::Abi {
        reason: reason.to_string(),
    })
}

fn invalid(reason: &str, hint: &str) -> WasmError {
    WasmError::InvalidModule {
        reason: reason.to_string(),
        hint: hint.to_string(),
    }
}

fn stderr_tail(logs: &[LogLine]) -> String {
    let text: Vec<&str> = logs
        .iter()
        .filter(|l| l.level == "stderr")
        .map(|l| l.message.as_str())
        .collect();
    let text = text.join("\n");
    let start = text.len().saturating_sub(500);
    let start = (start..text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    text[start..].to_string()
}

/// The budgets and clocks of one execution.
struct Run {
    cpu0: Duration,
    cpu_budget: Duration,
    wall0: Instant,
    deadline: Instant,
    wall_ms: u64,
    cpu_ms: u64,
    fuel: u64,
    fuel_backstop: u64,
    slice: u64,
    peak_memory: u64,
    logs: Vec<LogLine>,
    logs_dropped: u64,
}

impl Run {
    fn start(limits: &Limits, slice: u64) -> Run {
        let wall0 = Instant::now();
        Run {
            cpu0: thread_cpu(),
            cpu_budget: Duration::from_millis(limits.max_cpu_millis),
            wall0,
            deadline: wall0 + Duration::from_millis(limits.max_execution_time_ms),
            wall_ms: limits.max_execution_time_ms,
            cpu_ms: limits.max_cpu_millis,
            fuel: 0,
            fuel_backstop: limits
                .max_cpu_millis
                .saturating_mul(FUEL_PER_CPU_MS_BACKSTOP),
            slice,
            peak_memory: 0,
            logs: Vec::new(),
            logs_dropped: 0,
        }
    }

    /// Call `func` in fuel slices, checking the budgets between slices.
    fn call(
        &mut self,
        store: &mut Store<HostState>,
        func: Func,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<(), Fault> {
        store.set_fuel(self.slice).map_err(Fault::Wasm)?;
        let mut step = func.call_resumable(&mut *store, params, results);
        loop {
            self.fuel += self.slice - store.get_fuel().unwrap_or(0);
            self.fuel += std::mem::take(&mut store.data_mut().fuel_debt);
            match step {
                Ok(ResumableCall::Finished) => return Ok(()),
                Ok(ResumableCall::HostTrap(trap)) => return Err(fault(trap.into_host_error())),
                Err(e) => return Err(fault(e)),
                Ok(ResumableCall::OutOfFuel(call)) => {
                    self.check()?;
                    store.set_fuel(self.slice).map_err(Fault::Wasm)?;
                    step = call.resume(&mut *store, results);
                }
            }
        }
    }

    /// Between two slices: over the CPU budget, past the deadline, or
    /// through the fuel backstop means stop here.
    fn check(&self) -> Result<(), Fault> {
        let cpu = thread_cpu().saturating_sub(self.cpu0);
        if cpu > self.cpu_budget {
            return Err(Fault::Error(WasmError::LimitExceeded {
                limit: Limit::Cpu,
                configured: self.cpu_ms,
                used: cpu.as_millis() as u64,
            }));
        }
        let now = Instant::now();
        if now > self.deadline {
            return Err(Fault::Error(WasmError::LimitExceeded {
                limit: Limit::WallTime,
                configured: self.wall_ms,
                used: now.duration_since(self.wall0).as_millis() as u64,
            }));
        }
        if self.fuel > self.fuel_backstop {
            return Err(Fault::Error(WasmError::LimitExceeded {
                limit: Limit::Cpu,
                configured: self.cpu_ms,
                used: self.fuel / FUEL_PER_CPU_MS_BACKSTOP,
            }));
        }
        Ok(())
    }
}

/// CPU time of the calling thread: what the guest really consumed, whatever
/// else the machine is doing.
pub fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec we own.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}
