//! Extism plug-ins, unchanged (docs/wasm-abi.md, "Extism plug-ins").
//!
//! A plug-in built with an Extism PDK imports its memory helpers (`alloc`,
//! `load_u64`, `input_*`, `output_set`, ...) from `extism:host/env`. Those
//! are exported by the official Extism kernel (`extism/extism-runtime.wasm`,
//! vendored verbatim from the `extism` crate), which is instantiated in the
//! same store right before the plug-in, so the plug-in's calls into it are
//! ordinary metered wasm calls. The rest of `extism:host/env` (config, vars,
//! logging, HTTP) is defined here; they read and write the kernel's memory
//! through the kernel's own exports, never by knowing its layout.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use wasmi::{Caller, Engine, Func, Instance, Linker, Memory, Module, Store, Val};

use super::host::{HostState, Stop, charge};

/// The import module of Extism plug-ins.
pub const MODULE: &str = "extism:host/env";
/// Where a plug-in imports host functions its host defines (Extism's
/// `host_fn`): Caxton defines none, so such a plug-in is refused.
pub const USER_MODULE: &str = "extism:host/user";
/// The export a message to an Extism agent calls unless the deployment
/// names another.
pub const DEFAULT_HANDLER: &str = "handle";
/// The Extism kernel, byte for byte as shipped in the `extism` crate
/// (version and sha256 in extism/README.md).
pub const KERNEL: &[u8] = include_bytes!("extism/extism-runtime.wasm");
/// The most bytes one builtin copies out of the kernel's memory (a config
/// key, a var, a log line, an HTTP request or body).
pub const MAX_PAYLOAD: u64 = 4 * 1024 * 1024;
/// Extra fuel a builtin may spend inside kernel calls it makes itself
/// (`length`, `alloc`, `free`): they cost hundreds of units, and what they
/// use is charged to the execution like any host work.
const KERNEL_CALL_FUEL: u64 = 1_000_000;

/// The `extism:host/env` functions Caxton defines itself (the others are
/// the kernel's exports).
pub const BUILTINS: &[&str] = &[
    "config_get",
    "var_get",
    "var_set",
    "http_request",
    "http_status_code",
    "http_headers",
    "log_trace",
    "log_debug",
    "log_info",
    "log_warn",
    "log_error",
    "get_log_level",
];

/// An HTTP request a plug-in makes (Extism's `HttpRequest` JSON).
#[derive(Debug, Clone, Deserialize)]
pub struct HttpRequest {
    pub(crate) url: String,
    #[serde(default)]
    pub(crate) headers: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) method: Option<String>,
}

/// What came back.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HttpResponse {
    pub(crate) status: u16,
    pub(crate) headers: BTreeMap<String, String>,
    pub(crate) body: Vec<u8>,
}

/// Why a builtin failed: Extism traps the plug-in with the message (a
/// plug-in cannot catch it), and so does Caxton.
#[derive(Debug, Clone)]
pub struct PluginError {
    /// Recorded in the trap statistics: `http_denied`, `http_failed`, `vars`, `host_call`.
    pub kind: &'static str,
    pub(crate) message: String,
}

impl PluginError {
    pub(crate) fn new(kind: &'static str, message: impl Into<String>) -> PluginError {
        PluginError {
            kind,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for PluginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl wasmi::errors::HostError for PluginError {}

/// The host side of a deployed plug-in: its configuration, its persisted
/// variables and the HTTP policy it runs under. The runtime knows nothing
/// of deployments or the store; the caller plugs this in.
pub trait PluginHost: Send {
    /// A configuration value of the deployment.
    fn config(&self, key: &str) -> Option<String>;
    /// A variable of this agent.
    fn var_get(&mut self, key: &str) -> Result<Option<Vec<u8>>, PluginError>;
    /// Set (`Some`) or remove (`None`) a variable; persisted at once.
    fn var_set(&mut self, key: &str, value: Option<&[u8]>) -> Result<(), PluginError>;
    /// Make a request under the agent's HTTP policy, within `timeout`.
    fn http_request(
        &mut self,
        request: &HttpRequest,
        body: Option<&[u8]>,
        timeout: Duration,
    ) -> Result<HttpResponse, PluginError>;
}

/// Per-execution state of a plug-in: the kernel's handles and the last
/// HTTP response's status and headers.
pub struct State {
    pub kernel: Kernel,
    http_status: u16,
    http_headers: Option<Vec<u8>>,
}

/// The kernel exports the builtins and the runner call.
#[derive(Clone, Copy)]
pub struct Kernel {
    pub memory: Memory,
    pub alloc: Func,
    pub free: Func,
    pub length: Func,
    pub reset: Func,
    pub input_set: Func,
    pub output_offset: Func,
    pub output_length: Func,
    pub error_get: Func,
}

impl Kernel {
    fn of(store: &Store<HostState>, instance: Instance) -> Result<Kernel, String> {
        let func = |name: &str| {
            instance
                .get_func(store, name)
                .ok_or_else(|| format!("the Extism kernel does not export `{name}`"))
        };
        Ok(Kernel {
            memory: instance
                .get_memory(store, "memory")
                .ok_or("the Extism kernel does not export its memory")?,
            alloc: func("alloc")?,
            free: func("free")?,
            length: func("length")?,
            reset: func("reset")?,
            input_set: func("input_set")?,
            output_offset: func("output_offset")?,
            output_length: func("output_length")?,
            error_get: func("error_get")?,
        })
    }
}

/// The kernel, compiled once per engine.
#[derive(Clone)]
pub struct KernelModule {
    module: Module,
    /// Its declared initial memory, counted with the plug-in's at deploy.
    pub initial_memory_bytes: u64,
}

impl KernelModule {
    pub fn new(engine: &Engine) -> Result<KernelModule, wasmi::Error> {
        let module = Module::new(engine, KERNEL)?;
        let initial_memory_bytes = match module.get_export("memory") {
            Some(wasmi::ExternType::Memory(m)) => m.minimum().saturating_mul(65_536),
            _ => 0,
        };
        Ok(KernelModule {
            module,
            initial_memory_bytes,
        })
    }

    /// Whether the kernel exports `name` (then a plug-in's import of it is
    /// linked to the kernel).
    pub fn exports(&self, name: &str) -> bool {
        self.module.get_export(name).is_some()
    }

    /// Instantiate the kernel in `store`, then `plugin` with its
    /// `extism:host/env` imports resolved to the kernel's exports first and
    /// to `linker` (builtins, WASI) otherwise.
    pub fn instantiate(
        &self,
        store: &mut Store<HostState>,
        linker: &Linker<HostState>,
        plugin: &Module,
    ) -> Result<Instance, wasmi::Error> {
        let kernel =
            Linker::new(store.engine()).instantiate_and_start(&mut *store, &self.module)?;
        let handles = Kernel::of(store, kernel).map_err(wasmi::Error::new)?;
        store.data_mut().extism = Some(State {
            kernel: handles,
            http_status: 0,
            http_headers: None,
        });
        // The kernel's exports live in this store, so they join a per-store
        // copy of the linker (its entries are reference-counted).
        let mut linker = linker.clone();
        linker.instance(&mut *store, MODULE, kernel)?;
        linker.instantiate_and_start(&mut *store, plugin)
    }
}

type C<'a> = Caller<'a, HostState>;

fn kernel(caller: &C) -> Result<Kernel, wasmi::Error> {
    caller
        .data()
        .extism
        .as_ref()
        .map(|s| s.kernel)
        .ok_or_else(|| wasmi::Error::host(PluginError::new("host_call", "no Extism kernel")))
}

/// Call a kernel export from inside a builtin. The nested call cannot be
/// resumed, so it gets [`KERNEL_CALL_FUEL`] on top of what the slice has
/// left; what it uses comes off the slice, and any excess becomes the
/// execution's fuel debt, as with [`charge`].
fn kernel_call(caller: &mut C, func: Func, params: &[Val]) -> Result<i64, wasmi::Error> {
    let left = caller.get_fuel().unwrap_or(0);
    let budget = left.saturating_add(KERNEL_CALL_FUEL);
    caller.set_fuel(budget)?;
    let mut out = [Val::I64(0)];
    let results = if func.ty(&*caller).results().is_empty() {
        &mut out[..0]
    } else {
        &mut out[..]
    };
    let called = func.call(&mut *caller, params, results);
    let used = budget.saturating_sub(caller.get_fuel().unwrap_or(0));
    caller.set_fuel(left.saturating_sub(used))?;
    let st = caller.data_mut();
    st.fuel_debt = st.fuel_debt.saturating_add(used.saturating_sub(left));
    called?;
    Ok(match out[0] {
        Val::I64(v) => v,
        Val::I32(v) => i64::from(v),
        _ => 0,
    })
}

/// The bytes of the kernel block at `offset`, which the builtin owns and
/// frees (Extism's contract: builtins take ownership of their arguments).
fn take(caller: &mut C, offset: i64, what: &'static str) -> Result<Vec<u8>, wasmi::Error> {
    let k = kernel(caller)?;
    if offset == 0 {
        return Err(wasmi::Error::host(PluginError::new(
            "host_call",
            format!("{what}: the argument is a null handle"),
        )));
    }
    let len = kernel_call(caller, k.length, &[Val::I64(offset)])? as u64;
    if len > MAX_PAYLOAD {
        return Err(wasmi::Error::host(PluginError::new(
            "host_call",
            format!("{what}: {len} bytes is more than the {MAX_PAYLOAD} a host call accepts"),
        )));
    }
    charge(caller, len as usize)?;
    let start = offset as u64 as usize;
    let bytes = k
        .memory
        .data(&*caller)
        .get(start..start.saturating_add(len as usize))
        .map(<[u8]>::to_vec)
        .ok_or(wasmi::Error::host(Stop::BadPointer(what)))?;
    kernel_call(caller, k.free, &[Val::I64(offset)])?;
    Ok(bytes)
}

fn take_str(caller: &mut C, offset: i64, what: &'static str) -> Result<String, wasmi::Error> {
    String::from_utf8(take(caller, offset, what)?).map_err(|_| {
        wasmi::Error::host(PluginError::new(
            "host_call",
            format!("{what}: the argument is not UTF-8"),
        ))
    })
}

/// Copy `bytes` into a new kernel block and return its offset.
fn give(caller: &mut C, bytes: &[u8]) -> Result<i64, wasmi::Error> {
    let k = kernel(caller)?;
    charge(caller, bytes.len())?;
    let offset = kernel_call(caller, k.alloc, &[Val::I64(bytes.len() as i64)])?;
    if offset == 0 && !bytes.is_empty() {
        return Err(wasmi::Error::host(PluginError::new(
            "host_call",
            "the Extism kernel could not allocate memory",
        )));
    }
    let start = offset as u64 as usize;
    k.memory
        .data_mut(&mut *caller)
        .get_mut(start..start.saturating_add(bytes.len()))
        .ok_or(wasmi::Error::host(Stop::BadPointer("alloc")))?
        .copy_from_slice(bytes);
    Ok(offset)
}

fn plugin_error(e: PluginError) -> wasmi::Error {
    wasmi::Error::host(e)
}

/// The deployment's host side, or the error a builtin reports without it
/// (an initialiser tried at deploy has none).
fn with_host<R>(
    caller: &mut C,
    what: &str,
    f: impl FnOnce(&mut dyn PluginHost) -> Result<R, PluginError>,
) -> Result<R, wasmi::Error> {
    let result = match caller.data_mut().services.plugin() {
        Some(host) => f(host).map_err(plugin_error),
        None => Err(plugin_error(PluginError::new(
            "host_call",
            format!(
                "{what} is not available here (initialisers run without the deployment's host services)"
            ),
        ))),
    };
    // A slow host call must not carry the execution past its deadline.
    if Instant::now() > caller.data().deadline {
        return Err(wasmi::Error::host(Stop::Deadline));
    }
    result
}

fn log(caller: &mut C, level: &'static str, offset: i64) -> Result<(), wasmi::Error> {
    let k = kernel(caller)?;
    let len = kernel_call(caller, k.length, &[Val::I64(offset)])? as usize;
    // A full log only counts the line, as `caxton.log` does.
    if len > caller.data().log_room() {
        caller.data_mut().logs_dropped += 1;
        kernel_call(caller, k.free, &[Val::I64(offset)])?;
        return charge(caller, 0);
    }
    let bytes = take(caller, offset, "log")?;
    caller.data_mut().log(level, &bytes);
    Ok(())
}

/// Define the builtins of `extism:host/env` (the kernel's exports join per store).
pub fn add_to_linker(linker: &mut Linker<HostState>) -> Result<(), wasmi::errors::LinkerError> {
    linker.func_wrap(MODULE, "config_get", |mut c: C, key: i64| {
        let key = take_str(&mut c, key, "config_get")?;
        // Outside a deployment (deploy-time initialisers) there is no config.
        let value = c.data_mut().services.plugin().and_then(|h| h.config(&key));
        match value {
            Some(v) => give(&mut c, v.as_bytes()),
            None => Ok(0),
        }
    })?;
    linker.func_wrap(MODULE, "var_get", |mut c: C, key: i64| {
        let key = take_str(&mut c, key, "var_get")?;
        match with_host(&mut c, "var_get", |h| h.var_get(&key))? {
            Some(v) => give(&mut c, &v),
            None => Ok(0),
        }
    })?;
    linker.func_wrap(MODULE, "var_set", |mut c: C, key: i64, value: i64| {
        let key = take_str(&mut c, key, "var_set")?;
        let value = match value {
            0 => None,
            v => Some(take(&mut c, v, "var_set")?),
        };
        with_host(&mut c, "var_set", |h| h.var_set(&key, value.as_deref()))
    })?;
    linker.func_wrap(MODULE, "http_request", |mut c: C, req: i64, body: i64| {
        let raw = take(&mut c, req, "http_request")?;
        let body = match body {
            0 => None,
            b => Some(take(&mut c, b, "http_request")?),
        };
        let request: HttpRequest = serde_json::from_slice(&raw).map_err(|e| {
            plugin_error(PluginError::new(
                "host_call",
                format!("http_request: the request is not Extism's HttpRequest JSON: {e}"),
            ))
        })?;
        if let Some(st) = c.data_mut().extism.as_mut() {
            st.http_status = 0;
            st.http_headers = None;
        }
        let timeout = c.data().deadline.saturating_duration_since(Instant::now());
        let response = with_host(&mut c, "http_request", |h| {
            h.http_request(&request, body.as_deref(), timeout)
        })?;
        if let Some(st) = c.data_mut().extism.as_mut() {
            st.http_status = response.status;
            st.http_headers = serde_json::to_vec(&response.headers).ok();
        }
        give(&mut c, &response.body)
    })?;
    linker.func_wrap(MODULE, "http_status_code", |c: C| -> i32 {
        c.data()
            .extism
            .as_ref()
            .map_or(0, |s| i32::from(s.http_status))
    })?;
    linker.func_wrap(MODULE, "http_headers", |mut c: C| {
        let headers = c
            .data()
            .extism
            .as_ref()
            .and_then(|s| s.http_headers.clone());
        match headers {
            Some(h) => give(&mut c, &h),
            None => Ok(0),
        }
    })?;
    linker.func_wrap(MODULE, "log_trace", |mut c: C, m: i64| {
        log(&mut c, "trace", m)
    })?;
    linker.func_wrap(MODULE, "log_debug", |mut c: C, m: i64| {
        log(&mut c, "debug", m)
    })?;
    linker.func_wrap(MODULE, "log_info", |mut c: C, m: i64| {
        log(&mut c, "info", m)
    })?;
    linker.func_wrap(MODULE, "log_warn", |mut c: C, m: i64| {
        log(&mut c, "warn", m)
    })?;
    linker.func_wrap(MODULE, "log_error", |mut c: C, m: i64| {
        log(&mut c, "error", m)
    })?;
    // Every level reaches the agent log (0 = trace in Extism's numbering).
    linker.func_wrap(MODULE, "get_log_level", |_: C| -> i32 { 0 })?;
    Ok(())
}

/// The names of a plug-in's callable functions: exports of type
/// `() -> i32` or `() -> ()` other than initialisers.
pub fn functions(module: &Module) -> Vec<String> {
    use wasmi::ValType::I32;
    module
        .exports()
        .filter(|e| {
            !matches!(e.name(), "_initialize" | "_start") && e.name() != super::start::EXPORT
        })
        .filter(|e| {
            e.ty().func().is_some_and(|f| {
                f.params().is_empty() && (f.results().is_empty() || f.results() == [I32])
            })
        })
        .map(|e| e.name().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_is_the_vendored_file_and_exports_what_the_host_calls() {
        // extism/README.md: extism 1.41.0's src/extism-runtime.wasm, 3474 bytes.
        assert_eq!(KERNEL.len(), 3474);
        let kernel = KernelModule::new(&Engine::default()).expect("the kernel compiles");
        for name in [
            "memory",
            "alloc",
            "free",
            "length",
            "reset",
            "input_set",
            "output_offset",
            "output_length",
            "error_get",
            "input_load_u64",
            "store_u64",
            "output_set",
            "error_set",
        ] {
            assert!(kernel.exports(name), "the kernel does not export {name}");
        }
        // Builtins never shadow a kernel export.
        assert!(BUILTINS.iter().all(|b| !kernel.exports(b)));
        assert_eq!(kernel.initial_memory_bytes, 1 << 20);
    }
}
