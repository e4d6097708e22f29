//! Property test: random *valid* modules from `wasm-smith`, shaped like
//! Caxton agents where the generator allows (the ABI v1 or WASI command
//! exports, imports drawn from what the host provides), go through the real
//! deploy path (validate, compile, instantiate once) and execute under small
//! fuel, memory, CPU and wall-clock limits. Every module must end in `Ok` or
//! a typed [`WasmError`]: never a panic, never past its limits.
//! `scripts/fuzz` runs it with more cases (`PROPTEST_CASES`).

use std::time::{Duration, Instant};

use arbitrary::Unstructured;
use proptest::prelude::*;

use super::{Abi, Ceilings, Limits, NoServices, Runtime, WasmError};

/// The exports of an ABI v1 agent; wasm-smith generates random bodies.
const CAXTON_V1_EXPORTS: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "caxton_alloc") (param i32) (result i32) unreachable)
  (func (export "caxton_dealloc") (param i32 i32) unreachable)
  (func (export "caxton_handle") (param i32 i32) (result i64) unreachable))"#;

/// The exports of a WASI command.
const WASI_COMMAND_EXPORTS: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "_initialize") unreachable)
  (func (export "_start") unreachable))"#;

/// Imports a generated module may use: the host ABI and the WASI calls that
/// copy guest memory (the expensive ones).
const HOST_IMPORTS: &str = r#"(module
  (import "caxton" "log" (func (param i32 i32 i32)))
  (import "caxton" "now_ms" (func (result i64)))
  (import "caxton" "send_message" (func (param i32 i32) (result i32)))
  (import "caxton" "memory_store" (func (param i32 i32) (result i32)))
  (import "caxton" "memory_search" (func (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func (param i32))))"#;

fn ceilings() -> Ceilings {
    Ceilings {
        max_module_bytes: 1 << 20,
        max_memory_bytes: 4 << 20,
        max_cpu_millis: 50,
        max_execution_time_ms: 200,
        max_recursion_depth: 256,
        max_input_bytes: 64 << 10,
        max_output_bytes: 64 << 10,
    }
}

/// The features wasmi runs in Caxton's build; anything else would only be
/// refused at validation, which teaches nothing about execution.
fn config(shape: u8) -> wasm_smith::Config {
    let mut c = wasm_smith::Config {
        gc_enabled: false,
        exceptions_enabled: false,
        threads_enabled: false,
        simd_enabled: false,
        relaxed_simd_enabled: false,
        memory64_enabled: false,
        custom_page_sizes_enabled: false,
        tail_call_enabled: false,
        max_memories: 1,
        // Up to 8 MiB: some modules start above the 4 MiB limit.
        max_memory32_bytes: 8 << 20,
        max_funcs: 20,
        max_instructions: 200,
        available_imports: Some(wat::parse_str(HOST_IMPORTS).expect("valid imports")),
        ..wasm_smith::Config::default()
    };
    c.exports = match shape % 3 {
        0 => Some(wat::parse_str(CAXTON_V1_EXPORTS).expect("valid exports")),
        1 => Some(wat::parse_str(WASI_COMMAND_EXPORTS).expect("valid exports")),
        // Arbitrary exports: most are refused at deploy, precisely.
        _ => None,
    };
    c
}

proptest! {
    #[test]
    fn proptest_random_modules_end_in_ok_or_a_typed_error(
        shape in any::<u8>(),
        seed in proptest::collection::vec(any::<u8>(), 0..8192),
        input in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let Ok(module) = wasm_smith::Module::new(config(shape), &mut Unstructured::new(&seed)) else {
            return Ok(());
        };
        let bytes = module.to_bytes();
        let rt = Runtime::new(ceilings(), 1).with_fuel_slice(100_000);
        let limits = Limits {
            max_memory_bytes: 2 << 20,
            max_cpu_millis: 20,
            max_execution_time_ms: 100,
        };
        let compiled = match rt.compile(&bytes) {
            Ok(c) => c,
            Err(WasmError::InvalidModule { reason, .. }) => {
                prop_assert!(!reason.is_empty());
                return Ok(());
            }
            Err(e @ WasmError::LimitExceeded { .. }) => {
                prop_assert!(!e.to_string().is_empty());
                return Ok(());
            }
            Err(e) => return Err(TestCaseError::fail(format!("deploy gave {e:?}"))),
        };
        if shape % 3 == 0 {
            prop_assert_eq!(compiled.info.abi, Abi::CaxtonV1);
        }
        if rt.check_limits(&compiled.info, &limits).is_err() {
            return Ok(());
        }
        let started = Instant::now();
        let ex = rt.execute("fuzz", &compiled, &limits, &input, Box::new(NoServices));
        // Every limit holds to within one slice; a generous margin for a
        // shared machine, far below a hang.
        prop_assert!(started.elapsed() < Duration::from_secs(5), "ran {:?}", started.elapsed());
        prop_assert!(ex.stats.peak_memory_bytes <= limits.max_memory_bytes);
        if let Err(e) = ex.result {
            prop_assert!(!e.kind().is_empty());
            prop_assert!(!e.to_string().is_empty());
        }
    }
}
