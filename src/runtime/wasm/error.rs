//! What can go wrong when deploying or running a WASM agent. Mapped to codes,
//! exit codes and HTTP statuses in `crate::error`.

use super::limits::Limit;

/// Why a WASM module was refused at deploy or an execution stopped; the
/// `Display` text is the message the CLI and the API show.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WasmError {
    /// The bytes are not a module Caxton can run; found at deploy.
    #[error("invalid WASM module: {reason}")]
    InvalidModule {
        /// What is wrong with the module (from validation or compilation).
        reason: String,
        /// How to fix it, e.g. the build target or export to use.
        hint: String,
    },
    /// An execution (or a deploy, for the module size and initial memory)
    /// went over a limit.
    #[error("{} limit exceeded: used {}, the limit is {} (set by {})", limit.name(), limit.show(*used), limit.show(*configured), limit.setting())]
    LimitExceeded {
        /// Which limit stopped it.
        limit: Limit,
        /// The limit in force, in the limit's unit ([`Limit::show`]).
        configured: u64,
        /// What the execution used when it was stopped, same unit.
        used: u64,
    },
    /// A requested limit is above the server-wide ceiling.
    #[error("requested {} {} is above the server ceiling {} = {}", limit.name(), limit.show(*requested), setting, limit.show(*ceiling))]
    AboveCeiling {
        /// Which limit was requested too high.
        limit: Limit,
        /// The requested value, in the limit's unit ([`Limit::show`]).
        requested: u64,
        /// The server ceiling, same unit.
        ceiling: u64,
        /// The config key of the ceiling (`runtime.wasm_*`).
        setting: &'static str,
    },
    /// The guest trapped (a bug in the agent, not a limit).
    #[error("the agent trapped: {message} ({kind})")]
    Trap {
        /// The trap code in snake_case (e.g. `memory_out_of_bounds`,
        /// `bad_pointer`).
        kind: String,
        /// The engine's description of the trap.
        message: String,
    },
    /// A WASI command agent exited with a non-zero status.
    #[error("the agent exited with status {status}{}", if stderr.is_empty() { String::new() } else { format!(": {stderr}") })]
    Exit {
        /// The status passed to `proc_exit`.
        status: i32,
        /// What the agent wrote to stderr (empty when nothing).
        stderr: String,
    },
    /// The guest broke the ABI: bad pointers, output that is not JSON.
    #[error("the agent broke ABI v1: {reason}")]
    Abi {
        /// What the guest did wrong.
        reason: String,
    },
    /// The guest answered with `{"error": ...}`.
    #[error("the agent reported an error: {message}")]
    Agent {
        /// The guest's `error` value.
        message: String,
    },
}

impl WasmError {
    /// The kind recorded in the trap statistics.
    pub fn kind(&self) -> String {
        match self {
            WasmError::LimitExceeded { limit, .. } => limit.name().to_string(),
            WasmError::Trap { kind, .. } => kind.clone(),
            WasmError::Exit { .. } => "exit".into(),
            WasmError::Abi { .. } => "abi".into(),
            WasmError::Agent { .. } => "agent_error".into(),
            WasmError::InvalidModule { .. } => "invalid_module".into(),
            WasmError::AboveCeiling { .. } => "above_ceiling".into(),
        }
    }

    pub(crate) fn hint(&self) -> Option<String> {
        match self {
            WasmError::InvalidModule { hint, .. } => Some(hint.clone()),
            WasmError::LimitExceeded { limit, .. } => Some(match limit {
                Limit::Memory | Limit::Cpu | Limit::WallTime => format!(
                    "redeploy with a higher {} if the agent really needs more, or fix the agent",
                    limit.setting()
                ),
                Limit::ModuleSize => "build with --release and strip debug info (wasm-opt, -C strip=debuginfo), or raise runtime.wasm_max_module_bytes".into(),
                _ => format!("raise {} in the server config, or fix the agent", limit.setting()),
            }),
            WasmError::AboveCeiling { setting, .. } => Some(format!(
                "ask for less, or raise {setting} in the server config"
            )),
            WasmError::Trap { .. } | WasmError::Exit { .. } => Some(
                "`caxton agents sandbox-status --agent NAME` shows recent traps and the agent's log lines".into(),
            ),
            WasmError::Abi { .. } => Some("docs/wasm-abi.md describes the contract".into()),
            WasmError::Agent { .. } => None,
        }
    }
}
