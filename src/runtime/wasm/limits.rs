//! Resource limits of a WASM agent and the server-wide ceilings they are
//! clamped to (docs/wasm-abi.md). Every limit has a name, so an error can say which
//! one stopped an execution, what it was set to and what was used.

use serde::{Deserialize, Serialize};

/// One enforced limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    /// Size of the module's bytes at deploy.
    ModuleSize,
    /// Linear memory the guest may grow to, in bytes.
    Memory,
    /// CPU time of one execution's thread, in milliseconds.
    Cpu,
    /// Wall-clock time of one execution, in milliseconds.
    WallTime,
    /// Nested call frames.
    RecursionDepth,
    /// Bytes of the request JSON handed to the guest.
    InputSize,
    /// Bytes of the JSON the guest returns.
    OutputSize,
}

impl Limit {
    /// The stable name used in errors, stats and `--json`.
    pub fn name(self) -> &'static str {
        match self {
            Limit::ModuleSize => "module_size",
            Limit::Memory => "memory",
            Limit::Cpu => "cpu",
            Limit::WallTime => "wall_time",
            Limit::RecursionDepth => "recursion_depth",
            Limit::InputSize => "input_size",
            Limit::OutputSize => "output_size",
        }
    }

    /// The setting that configures it, so the message says what to change.
    pub fn setting(self) -> &'static str {
        match self {
            Limit::ModuleSize => "runtime.wasm_max_module_bytes",
            Limit::Memory => "max_memory_bytes (--max-memory)",
            Limit::Cpu => "max_cpu_millis (--max-cpu-ms)",
            Limit::WallTime => "max_execution_time_ms (--timeout)",
            Limit::RecursionDepth => "runtime.wasm_max_recursion_depth",
            Limit::InputSize => "runtime.wasm_max_input_bytes",
            Limit::OutputSize => "runtime.wasm_max_output_bytes",
        }
    }

    /// Render a value of this limit with its unit.
    pub fn show(self, value: u64) -> String {
        match self {
            Limit::ModuleSize | Limit::Memory | Limit::InputSize | Limit::OutputSize => {
                format!(
                    "{} ({value} bytes)",
                    bytesize::ByteSize::b(value).display().iec()
                )
            }
            Limit::Cpu => format!("{value} ms CPU"),
            Limit::WallTime => format!("{value} ms"),
            Limit::RecursionDepth => format!("{value} frames"),
        }
    }
}

/// Per-agent limits, chosen at deploy and stored with the agent version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Linear memory the guest may grow to, in bytes (`--max-memory`).
    pub max_memory_bytes: u64,
    /// CPU time of one execution, in milliseconds (`--max-cpu-ms`).
    pub max_cpu_millis: u64,
    /// Wall-clock time of one execution, in milliseconds (`--timeout`).
    pub max_execution_time_ms: u64,
}

/// Server-wide ceilings (config `runtime.wasm_*`). Agent limits above them
/// are refused at deploy and clamped at run time (a ceiling may be lowered
/// after an agent was deployed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ceilings {
    /// Largest module accepted at deploy, in bytes.
    pub max_module_bytes: u64,
    /// Most linear memory any agent may ask for, in bytes.
    pub max_memory_bytes: u64,
    /// Most CPU time per execution any agent may ask for, in milliseconds.
    pub max_cpu_millis: u64,
    /// Most wall-clock time per execution any agent may ask for, in
    /// milliseconds.
    pub max_execution_time_ms: u64,
    /// Deepest call stack, in frames (the same for every agent).
    pub max_recursion_depth: u32,
    /// Largest request JSON handed to a guest, in bytes.
    pub max_input_bytes: u64,
    /// Largest output JSON a guest may return, in bytes.
    pub max_output_bytes: u64,
}

impl Ceilings {
    /// The limits an execution really gets: the agent's, capped by the ceilings.
    pub fn clamp(&self, l: &Limits) -> Limits {
        Limits {
            max_memory_bytes: l.max_memory_bytes.min(self.max_memory_bytes),
            max_cpu_millis: l.max_cpu_millis.min(self.max_cpu_millis),
            max_execution_time_ms: l.max_execution_time_ms.min(self.max_execution_time_ms),
        }
    }

    /// The first requested limit above its ceiling, as `(limit, requested, ceiling, setting)`.
    pub fn excess(&self, l: &Limits) -> Option<(Limit, u64, u64, &'static str)> {
        [
            (
                Limit::Memory,
                l.max_memory_bytes,
                self.max_memory_bytes,
                "runtime.wasm_max_memory_bytes",
            ),
            (
                Limit::Cpu,
                l.max_cpu_millis,
                self.max_cpu_millis,
                "runtime.wasm_max_cpu_millis",
            ),
            (
                Limit::WallTime,
                l.max_execution_time_ms,
                self.max_execution_time_ms,
                "runtime.wasm_max_execution_time_ms",
            ),
        ]
        .into_iter()
        .find(|(_, req, max, _)| req > max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ceilings() -> Ceilings {
        Ceilings {
            max_module_bytes: 1 << 24,
            max_memory_bytes: 1 << 26,
            max_cpu_millis: 1000,
            max_execution_time_ms: 2000,
            max_recursion_depth: 10_000,
            max_input_bytes: 1 << 20,
            max_output_bytes: 1 << 20,
        }
    }

    #[test]
    fn clamp_and_excess() {
        let c = ceilings();
        let l = Limits {
            max_memory_bytes: 1 << 30,
            max_cpu_millis: 10,
            max_execution_time_ms: 5000,
        };
        let e = c.clamp(&l);
        assert_eq!(e.max_memory_bytes, 1 << 26);
        assert_eq!(e.max_cpu_millis, 10);
        assert_eq!(e.max_execution_time_ms, 2000);
        let (limit, req, max, _) = c.excess(&l).unwrap();
        assert_eq!((limit, req, max), (Limit::Memory, 1 << 30, 1 << 26));
        assert!(c.excess(&e).is_none());
    }

    #[test]
    fn values_have_units() {
        assert_eq!(Limit::Memory.show(10 << 20), "10.0 MiB (10485760 bytes)");
        assert_eq!(Limit::Cpu.show(5), "5 ms CPU");
    }
}
