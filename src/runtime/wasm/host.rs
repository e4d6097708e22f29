//! Per-execution host state and the `caxton` host module of ABI v1
//! (docs/wasm-abi.md). Every pointer and length coming from the guest is
//! checked against its linear memory; payloads are capped.

use std::time::Instant;

use wasmi::{Caller, Extern, Linker, ResourceLimiter};
use wasmi_core::LimiterError;

use super::extism::{self, PluginHost};

/// Status codes returned by the `caxton` imports (negative = error).
pub mod status {
    /// Success.
    pub const OK: i32 = 0;
    /// The host service is not available in this execution (e.g.
    /// `send_message` outside a message delivery).
    pub const NOT_AVAILABLE: i32 = -1;
    /// A pointer/length outside linear memory, or a payload that is not UTF-8 JSON.
    pub const BAD_ARGS: i32 = -2;
    /// The payload is larger than the host accepts.
    pub const TOO_LARGE: i32 = -3;
    /// The agent's policy does not allow this call.
    pub const DENIED: i32 = -4;
    /// The host service failed.
    pub const FAILED: i32 = -5;
    /// Loop protection refused a message: the conversation's depth limit or
    /// message budget is reached (a `failure` is recorded in it).
    pub const LIMIT: i32 = -6;
}

/// The largest payload a guest may pass to a host function.
pub const MAX_HOST_PAYLOAD: usize = 64 * 1024;
/// Log bytes kept per execution; later lines are counted, not stored.
pub const MAX_LOG_BYTES: usize = 64 * 1024;
/// Fuel a host call costs: a constant per call (or per iovec) plus one unit
/// per byte it copies, so host work is paid from the same slices as guest
/// instructions (one fuel unit is about a nanosecond of either) and a loop
/// of host calls reaches the between-slice budget checks like any other.
pub const FUEL_PER_HOST_CALL: u64 = 100;
pub const FUEL_PER_BYTE: u64 = 1;

/// Services beyond the sandbox that an agent may call. The runtime knows
/// nothing about messaging or memory; the caller plugs them in.
pub trait Services: Send {
    /// Sends a message (JSON bytes) from the agent.
    fn send_message(&mut self, message: &[u8]) -> Result<(), i32>;
    /// Search results as JSON bytes.
    fn memory_search(&mut self, query: &[u8]) -> Result<Vec<u8>, i32>;
    /// Writes entities and observations (JSON bytes) to the agent's scope.
    fn memory_store(&mut self, payload: &[u8]) -> Result<(), i32>;
    /// The deployment's side of an Extism plug-in (config, vars, HTTP), if
    /// this execution has one.
    fn plugin(&mut self) -> Option<&mut dyn PluginHost> {
        None
    }
}

/// Every service answers `NOT_AVAILABLE`.
pub struct NoServices;

impl Services for NoServices {
    fn send_message(&mut self, _: &[u8]) -> Result<(), i32> {
        Err(status::NOT_AVAILABLE)
    }
    fn memory_search(&mut self, _: &[u8]) -> Result<Vec<u8>, i32> {
        Err(status::NOT_AVAILABLE)
    }
    fn memory_store(&mut self, _: &[u8]) -> Result<(), i32> {
        Err(status::NOT_AVAILABLE)
    }
}

/// One line an agent logged (via `caxton.log` or stderr).
#[derive(Debug, Clone, serde::Serialize)]
pub struct LogLine {
    /// `error`, `warn`, `info`, `debug`, `trace`, or `stderr` for WASI stderr.
    pub level: &'static str,
    /// The text.
    pub message: String,
}

/// Why a host function ended the execution.
#[derive(Debug, Clone, Copy)]
pub enum Stop {
    /// WASI `proc_exit`.
    Exit(i32),
    /// Output beyond the cap (bytes attempted).
    Output(u64),
    /// A pointer or length outside linear memory in a call that cannot report a status.
    BadPointer(&'static str),
    /// The wall-clock deadline passed during a host call.
    Deadline,
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Exit(c) => write!(f, "exit({c})"),
            Stop::Output(n) => write!(f, "output of {n} bytes over the cap"),
            Stop::BadPointer(func) => write!(f, "{func}: pointer or length out of bounds"),
            Stop::Deadline => write!(f, "deadline passed during a host call"),
        }
    }
}

impl wasmi::errors::HostError for Stop {}

/// Linear-memory accounting: enforces `max_memory_bytes` over all the
/// store's memories together (an Extism plug-in and its kernel have one
/// each) and remembers the peak and the total a refused grow asked for.
pub struct MemoryLimiter {
    pub max_bytes: usize,
    /// Bytes of all memories now.
    pub total: usize,
    pub peak: usize,
    pub refused: Option<usize>,
    /// Instances (and so memories and tables) a store may hold: 1, or 2
    /// for a plug-in beside the Extism kernel.
    pub instances: usize,
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool, LimiterError> {
        let total = (self.total - current.min(self.total)).saturating_add(desired);
        if total > self.max_bytes {
            self.refused = Some(total);
            // Trap instead of returning -1: an allocator that sees -1 aborts
            // with an opaque `unreachable` (research note, pitfall 5).
            return Err(LimiterError::ResourceLimiterDeniedAllocation);
        }
        if maximum.is_some_and(|m| desired > m) {
            return Ok(false);
        }
        self.total = total;
        self.peak = self.peak.max(total);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool, LimiterError> {
        Ok(desired <= MAX_TABLE_ELEMENTS && maximum.is_none_or(|m| desired <= m))
    }

    fn instances(&self) -> usize {
        self.instances
    }

    fn tables(&self) -> usize {
        self.instances
    }

    fn memories(&self) -> usize {
        self.instances
    }
}

const MAX_TABLE_ELEMENTS: usize = 10_000;

/// Everything one execution owns.
pub struct HostState {
    pub limiter: MemoryLimiter,
    pub services: Box<dyn Services>,
    pub stdin: Vec<u8>,
    pub stdin_pos: usize,
    pub stdout: Vec<u8>,
    pub max_output: usize,
    pub logs: Vec<LogLine>,
    pub log_bytes: usize,
    pub logs_dropped: u64,
    pub deadline: Instant,
    /// Fuel host calls charged beyond what the current slice had left; the
    /// runner adds it to the execution's fuel.
    pub fuel_debt: u64,
    /// The last `memory_search` answer, so a retry with a bigger buffer
    /// does not search again.
    last_search: Option<(Vec<u8>, Vec<u8>)>,
    /// An Extism plug-in's kernel and HTTP state, once instantiated.
    pub extism: Option<extism::State>,
}

impl HostState {
    pub fn new(
        max_memory: usize,
        max_output: usize,
        services: Box<dyn Services>,
        stdin: Vec<u8>,
        deadline: Instant,
        instances: usize,
    ) -> HostState {
        HostState {
            limiter: MemoryLimiter {
                max_bytes: max_memory,
                total: 0,
                peak: 0,
                refused: None,
                instances,
            },
            services,
            stdin,
            stdin_pos: 0,
            stdout: Vec::new(),
            max_output,
            logs: Vec::new(),
            log_bytes: 0,
            logs_dropped: 0,
            deadline,
            fuel_debt: 0,
            last_search: None,
            extism: None,
        }
    }

    /// Bytes the log still keeps: a host call copies no more than this.
    pub fn log_room(&self) -> usize {
        MAX_LOG_BYTES.saturating_sub(self.log_bytes)
    }

    pub fn log(&mut self, level: &'static str, bytes: &[u8]) {
        if self.log_bytes + bytes.len() > MAX_LOG_BYTES {
            self.logs_dropped += 1;
            return;
        }
        self.log_bytes += bytes.len();
        self.logs.push(LogLine {
            level,
            message: String::from_utf8_lossy(bytes).trim_end().to_string(),
        });
    }
}

/// Charge a host call's work to the guest: [`FUEL_PER_HOST_CALL`] plus
/// [`FUEL_PER_BYTE`] per byte copied. Fuel beyond what the slice has left is
/// kept as [`HostState::fuel_debt`] and the slice ends at the guest's next
/// instruction, so the runner checks the CPU and wall budgets there. Past
/// the deadline the call stops the execution now.
pub fn charge(caller: &mut Caller<'_, HostState>, bytes: usize) -> Result<(), wasmi::Error> {
    let cost = FUEL_PER_HOST_CALL.saturating_add((bytes as u64).saturating_mul(FUEL_PER_BYTE));
    // Without fuel metering (not how the runtime is built) there is nothing to charge.
    if let Ok(left) = caller.get_fuel() {
        caller.set_fuel(left.saturating_sub(cost))?;
        let st = caller.data_mut();
        st.fuel_debt = st.fuel_debt.saturating_add(cost.saturating_sub(left));
    }
    if Instant::now() > caller.data().deadline {
        return Err(wasmi::Error::host(Stop::Deadline));
    }
    Ok(())
}

/// True when `len` bytes at `ptr` lie inside the caller's memory (checked
/// without copying them).
pub fn in_bounds(caller: &Caller<'_, HostState>, ptr: i32, len: i32) -> bool {
    let Some(mem) = caller.get_export("memory").and_then(Extern::into_memory) else {
        return false;
    };
    let (ptr, len) = (ptr as u32 as usize, len as u32 as usize);
    ptr.checked_add(len)
        .is_some_and(|end| end <= mem.data(caller).len())
}

/// Read `len` bytes at `ptr` from the caller's memory, if in bounds.
pub fn read(caller: &Caller<'_, HostState>, ptr: i32, len: i32) -> Option<Vec<u8>> {
    let mem = caller.get_export("memory").and_then(Extern::into_memory)?;
    let (ptr, len) = (ptr as u32 as usize, len as u32 as usize);
    let data = mem.data(caller);
    data.get(ptr..ptr.checked_add(len)?).map(<[u8]>::to_vec)
}

/// Write `bytes` at `ptr` into the caller's memory, if in bounds.
pub fn write(caller: &mut Caller<'_, HostState>, ptr: i32, bytes: &[u8]) -> Option<()> {
    let mem = caller.get_export("memory").and_then(Extern::into_memory)?;
    let ptr = ptr as u32 as usize;
    let data = mem.data_mut(caller);
    data.get_mut(ptr..ptr.checked_add(bytes.len())?)?
        .copy_from_slice(bytes);
    Some(())
}

fn level_name(level: i32) -> &'static str {
    match level {
        i32::MIN..=0 => "error",
        1 => "warn",
        2 => "info",
        3 => "debug",
        _ => "trace",
    }
}

/// A payload for a status-returning import: in bounds, within the cap.
fn payload(caller: &mut Caller<'_, HostState>, ptr: i32, len: i32) -> Result<Vec<u8>, i32> {
    if len < 0 {
        return Err(status::BAD_ARGS);
    }
    if len as usize > MAX_HOST_PAYLOAD {
        return Err(status::TOO_LARGE);
    }
    // The deadline error surfaces from `after_service` right after.
    let _ = charge(caller, len as usize);
    read(caller, ptr, len).ok_or(status::BAD_ARGS)
}

fn after_service(caller: &Caller<'_, HostState>) -> Result<(), wasmi::Error> {
    // A slow service must not carry an execution past its deadline.
    if Instant::now() > caller.data().deadline {
        return Err(wasmi::Error::host(Stop::Deadline));
    }
    Ok(())
}

/// `caxton.now_ms`: the guest's wall clock.
fn now_ms() -> i64 {
    crate::clock::now_ms()
}

/// A status-returning import that hands a payload to a service.
fn call_service(
    mut caller: Caller<'_, HostState>,
    ptr: i32,
    len: i32,
    f: impl FnOnce(&mut dyn Services, &[u8]) -> Result<(), i32>,
) -> Result<i32, wasmi::Error> {
    let code = match payload(&mut caller, ptr, len) {
        Ok(p) => {
            f(caller.data_mut().services.as_mut(), &p).map_or_else(|code| code, |()| status::OK)
        }
        Err(code) => code,
    };
    after_service(&caller)?;
    Ok(code)
}

/// Define the `caxton` host module.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> Result<(), wasmi::errors::LinkerError> {
    linker.func_wrap(
        "caxton",
        "log",
        |mut caller: Caller<'_, HostState>, level: i32, ptr: i32, len: i32| {
            // Over-long lines are cut, not refused: logging must not fail.
            let len = len.clamp(0, MAX_HOST_PAYLOAD as i32);
            if !in_bounds(&caller, ptr, len) {
                return Err(wasmi::Error::host(Stop::BadPointer("log")));
            }
            // A full log only counts the line: nothing is copied.
            if len as usize > caller.data().log_room() {
                caller.data_mut().logs_dropped += 1;
                return charge(&mut caller, 0);
            }
            charge(&mut caller, len as usize)?;
            let bytes =
                read(&caller, ptr, len).ok_or(wasmi::Error::host(Stop::BadPointer("log")))?;
            caller.data_mut().log(level_name(level), &bytes);
            Ok(())
        },
    )?;
    linker.func_wrap("caxton", "now_ms", now_ms)?;
    linker.func_wrap(
        "caxton",
        "send_message",
        |caller: Caller<'_, HostState>, ptr: i32, len: i32| {
            call_service(caller, ptr, len, |s, p| s.send_message(p))
        },
    )?;
    linker.func_wrap(
        "caxton",
        "memory_store",
        |caller: Caller<'_, HostState>, ptr: i32, len: i32| {
            call_service(caller, ptr, len, |s, p| s.memory_store(p))
        },
    )?;
    linker.func_wrap(
        "caxton",
        "memory_search",
        |mut caller: Caller<'_, HostState>,
         ptr: i32,
         len: i32,
         out_ptr: i32,
         out_cap: i32|
         -> Result<i32, wasmi::Error> {
            let query = match payload(&mut caller, ptr, len) {
                Ok(q) => q,
                Err(code) => return Ok(code),
            };
            after_service(&caller)?;
            if out_cap < 0 || !in_bounds(&caller, out_ptr, out_cap) {
                return Ok(status::BAD_ARGS);
            }
            let cached = caller
                .data()
                .last_search
                .as_ref()
                .filter(|(q, _)| *q == query)
                .map(|(_, r)| r.clone());
            let result = match cached {
                Some(r) => r,
                None => match caller.data_mut().services.memory_search(&query) {
                    Ok(r) => {
                        caller.data_mut().last_search = Some((query, r.clone()));
                        r
                    }
                    Err(code) => {
                        after_service(&caller)?;
                        return Ok(code);
                    }
                },
            };
            after_service(&caller)?;
            // Too small a buffer: report the size needed; the guest retries.
            if result.len() <= out_cap as usize {
                charge(&mut caller, result.len())?;
                write(&mut caller, out_ptr, &result);
            }
            Ok(i32::try_from(result.len()).unwrap_or(status::TOO_LARGE))
        },
    )?;
    Ok(())
}
