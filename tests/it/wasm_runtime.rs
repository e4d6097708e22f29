//! The WASM sandbox as a library (what the daemon calls): hostile modules
//! written in WAT are stopped by the right limit, the same runtime keeps
//! serving good executions, and runaway executions of one agent cannot
//! starve another.

use std::sync::Arc;

use crate::common::abi_module;
use caxton::runtime::wasm::{Ceilings, Limit, Limits, NoServices, Runtime, WasmError, status};

/// The configured defaults (16 MiB modules, 256 MiB memory, 10,000 frames,
/// 1 MiB input and output).
fn ceilings() -> Ceilings {
    caxton::config::RuntimeConfig::default().wasm_ceilings()
}

const LIMITS: Limits = Limits {
    max_memory_bytes: 16 << 20,
    max_cpu_millis: 100,
    max_execution_time_ms: 2_000,
};

/// Echoes the request: output = the input buffer.
fn echo() -> Vec<u8> {
    abi_module(
        "",
        "(i64.or (i64.shl (i64.extend_i32_u (local.get $p)) (i64.const 32)) (i64.extend_i32_u (local.get $n)))",
    )
}

fn run(
    rt: &Runtime,
    agent: &str,
    wasm: &[u8],
    limits: &Limits,
) -> caxton::runtime::wasm::Execution {
    let compiled = rt.compile(wasm).expect("compiles");
    rt.execute(
        agent,
        &compiled,
        limits,
        br#"{"input":"hi"}"#,
        Box::new(NoServices),
    )
}

#[track_caller]
fn assert_good(rt: &Runtime) {
    let e = run(rt, "good", &echo(), &LIMITS);
    assert_eq!(e.result.expect("good agent answers"), br#"{"input":"hi"}"#);
}

#[track_caller]
fn limit_of(e: &caxton::runtime::wasm::Execution) -> (Limit, u64, u64) {
    match &e.result {
        Err(WasmError::LimitExceeded {
            limit,
            configured,
            used,
        }) => (*limit, *configured, *used),
        other => panic!("expected a limit, got {other:?}"),
    }
}

#[test]
fn infinite_loop_stops_at_the_cpu_limit() {
    let rt = Runtime::new(ceilings(), 2);
    let e = run(
        &rt,
        "spin",
        &abi_module("", "(loop $l (br $l)) i64.const 0"),
        &LIMITS,
    );
    let (limit, configured, used) = limit_of(&e);
    assert_eq!((limit, configured), (Limit::Cpu, 100));
    // Never stopped early; how far past the limit it runs (about one fuel
    // slice) is a benchmark figure (benches/wasm.rs), not asserted here.
    assert!(used >= 100, "used {used} ms");
    assert!(e.stats.cpu_us >= 100_000, "{:?}", e.stats);
    assert!(e.stats.fuel > 0);
    assert_good(&rt);
}

#[test]
fn wall_clock_deadline_holds_when_cpu_allows_more() {
    let rt = Runtime::new(ceilings(), 2);
    let limits = Limits {
        max_cpu_millis: 10_000,
        max_execution_time_ms: 150,
        ..LIMITS
    };
    let e = run(
        &rt,
        "spin",
        &abi_module("", "(loop $l (br $l)) i64.const 0"),
        &limits,
    );
    let (limit, configured, used) = limit_of(&e);
    assert_eq!((limit, configured), (Limit::WallTime, 150));
    // Not stopped early; the overshoot on a loaded machine is a benchmark
    // figure (benches/wasm.rs).
    assert!(used >= 150, "used {used} ms");
    assert_good(&rt);
}

#[test]
fn memory_bomb_traps_with_memory_limit_exceeded() {
    let rt = Runtime::new(ceilings(), 2);
    let bomb = abi_module(
        "",
        "(loop $l (br_if $l (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) i64.const 0",
    );
    let e = run(&rt, "bomb", &bomb, &LIMITS);
    let (limit, configured, used) = limit_of(&e);
    assert_eq!((limit, configured), (Limit::Memory, 16 << 20));
    assert!(used > 16 << 20, "used {used}");
    let msg = e.result.unwrap_err().to_string();
    assert!(msg.starts_with("memory limit exceeded"), "{msg}");
    assert!(e.stats.peak_memory_bytes <= 16 << 20);
    assert_good(&rt);
}

#[test]
fn log_lines_past_the_cap_are_counted_as_dropped() {
    let rt = Runtime::new(ceilings(), 1);
    // 100 lines of 1 KiB: the first 64 fill the 64 KiB cap, 36 are dropped.
    let chatty = abi_module(
        r#"(import "caxton" "log" (func $log (param i32 i32 i32))) (data (i32.const 0) "{}")"#,
        "(local $i i32)
         (loop $l
           (call $log (i32.const 1) (i32.const 0) (i32.const 1024))
           (local.set $i (i32.add (local.get $i) (i32.const 1)))
           (br_if $l (i32.lt_u (local.get $i) (i32.const 100))))
         i64.const 2",
    );
    let e = run(&rt, "chatty", &chatty, &LIMITS);
    assert_eq!(e.result.as_deref().ok(), Some(&b"{}"[..]), "{:?}", e.result);
    assert_eq!(e.stats.logs_dropped, 36, "{:?}", e.stats);
    // Within the cap nothing is dropped.
    let quiet = abi_module(
        r#"(import "caxton" "log" (func $log (param i32 i32 i32))) (data (i32.const 0) "{}")"#,
        "(call $log (i32.const 1) (i32.const 0) (i32.const 2)) i64.const 2",
    );
    assert_eq!(run(&rt, "quiet", &quiet, &LIMITS).stats.logs_dropped, 0);
}

#[test]
fn deep_recursion_stops_at_the_depth_limit() {
    let rt = Runtime::new(ceilings(), 2);
    let rec = abi_module(
        "(func $f (param i32) (result i32) (call $f (i32.add (local.get 0) (i32.const 1))))",
        "(drop (call $f (i32.const 0))) i64.const 0",
    );
    let e = run(&rt, "rec", &rec, &LIMITS);
    let (limit, configured, _) = limit_of(&e);
    assert_eq!((limit, configured), (Limit::RecursionDepth, 10_000));
    assert_good(&rt);
}

#[test]
fn huge_output_is_refused() {
    let rt = Runtime::new(ceilings(), 2);
    // Claims 2 GiB of output at address 0.
    let e = run(&rt, "big", &abi_module("", "i64.const 0x7fffffff"), &LIMITS);
    let (limit, configured, used) = limit_of(&e);
    assert_eq!(
        (limit, configured, used),
        (Limit::OutputSize, 1 << 20, 0x7fff_ffff)
    );
    // A WASI command printing without end is cut at the same cap.
    let printer = wat::parse_str(
        r#"(module
             (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
             (memory (export "memory") 1)
             (data (i32.const 0) "\00\01\00\00\00\80\00\00")
             (func (export "_start") (loop $l (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16))) (br $l))))"#,
    )
    .unwrap();
    let e = run(&rt, "printer", &printer, &LIMITS);
    let (limit, _, used) = limit_of(&e);
    assert_eq!(limit, Limit::OutputSize);
    assert!(used > 1 << 20);
    assert_good(&rt);
}

#[test]
fn bad_modules_are_rejected_at_compile() {
    let rt = Runtime::new(
        Ceilings {
            max_module_bytes: 4096,
            ..ceilings()
        },
        1,
    );
    let invalid = |bytes: &[u8]| match rt.compile(bytes) {
        Err(WasmError::InvalidModule { reason, .. }) => reason,
        Err(e) => panic!("expected invalid module, got {e}"),
        Ok(_) => panic!("accepted"),
    };
    assert!(invalid(b"\0asm\x01\0\0\0garbage").contains("offset"));
    assert!(invalid(b"(module)").contains("magic"));
    let unknown = wat::parse_str(
        r#"(module (import "env" "system" (func (param i32))) (memory (export "memory") 1)
                   (func (export "_start")))"#,
    )
    .unwrap();
    assert!(invalid(&unknown).contains("`env.system`"));
    let bad_sig = wat::parse_str(
        r#"(module (import "caxton" "log" (func (param i64))) (memory (export "memory") 1)
                   (func (export "_start")))"#,
    )
    .unwrap();
    invalid(&bad_sig);
    let reserved = wat::parse_str(
        r#"(module (memory (export "memory") 1) (func $s (export "__caxton_start")) (start $s) (func (export "_start")))"#,
    )
    .unwrap();
    assert!(invalid(&reserved).contains("`__caxton_start`"));
    let no_entry = wat::parse_str(r#"(module (memory (export "memory") 1))"#).unwrap();
    assert!(invalid(&no_entry).contains("caxton_handle"));
    let mut big = b"\0asm\x01\0\0\0".to_vec();
    big.resize(5000, 0);
    assert!(matches!(
        rt.compile(&big),
        Err(WasmError::LimitExceeded {
            limit: Limit::ModuleSize,
            configured: 4096,
            used: 5000
        })
    ));
}

/// An ABI v1 module answering the two bytes at address 0, whose start
/// function runs `start` and whose `_initialize` runs `init`.
fn with_initialisers(start: &str, init: &str) -> Vec<u8> {
    abi_module(
        &format!(r#"(func $s {start}) (start $s) (func (export "_initialize") {init})"#),
        "i64.const 2",
    )
}

#[test]
fn start_sections_and_initialize_run_once_per_instance_under_the_limits() {
    let rt = Runtime::new(ceilings(), 1);
    // The start function writes '4'; `_initialize` writes '2' only after it.
    let ordered = with_initialisers(
        "(i32.store8 (i32.const 0) (i32.add (i32.load8_u (i32.const 0)) (i32.const 52)))",
        "(if (i32.eq (i32.load8_u (i32.const 0)) (i32.const 52)) (then (i32.store8 (i32.const 1) (i32.const 50))))",
    );
    let c = rt.compile(&ordered).unwrap();
    rt.check_limits(&c, &LIMITS).expect("initialisers finish");
    // Twice: a fresh instance each time, so the start function's `+ 52` is
    // never applied on top of the last execution's.
    for _ in 0..2 {
        assert_eq!(run(&rt, "start", &ordered, &LIMITS).result.unwrap(), b"42");
    }

    let spin = with_initialisers("(loop $l (br $l))", "");
    let e = run(
        &rt,
        "spin-start",
        &spin,
        &Limits {
            max_cpu_millis: 50,
            ..LIMITS
        },
    );
    let (limit, configured, used) = limit_of(&e);
    assert_eq!((limit, configured), (Limit::Cpu, 50));
    assert!(used >= 50, "{used}");
    let slow = Limits {
        max_cpu_millis: 10_000,
        max_execution_time_ms: 100,
        ..LIMITS
    };
    assert_eq!(
        limit_of(&run(&rt, "slow-start", &spin, &slow)).0,
        Limit::WallTime
    );
    let bomb = with_initialisers(
        "(loop $l (br_if $l (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))",
        "",
    );
    let small = Limits {
        max_memory_bytes: 4 << 20,
        ..LIMITS
    };
    assert_eq!(
        limit_of(&run(&rt, "bomb-start", &bomb, &small)).0,
        Limit::Memory
    );
    let trap = with_initialisers("unreachable", "");
    match run(&rt, "trap-start", &trap, &LIMITS).result {
        Err(WasmError::Trap { kind, message }) => {
            assert_eq!(kind, "unreachable_code_reached");
            assert!(
                message.starts_with("in the start function (start section, function 0)"),
                "{message}"
            );
        }
        other => panic!("expected a trap, got {other:?}"),
    }
    let init_trap = with_initialisers("", "unreachable");
    match run(&rt, "trap-init", &init_trap, &LIMITS).result {
        Err(WasmError::Trap { message, .. }) => {
            assert!(message.starts_with("in `_initialize`"), "{message}")
        }
        other => panic!("expected a trap, got {other:?}"),
    }

    // At deploy the same initialisers are tried under the agent's limits.
    let refused =
        |wasm: &[u8], limits: &Limits| match rt.check_limits(&rt.compile(wasm).unwrap(), limits) {
            Err(WasmError::InvalidModule { reason, hint }) => format!("{reason} | {hint}"),
            other => panic!("expected a refusal, got {other:?}"),
        };
    let msg = refused(
        &spin,
        &Limits {
            max_cpu_millis: 50,
            ..LIMITS
        },
    );
    assert!(msg.starts_with("the start function (start section, function 0) failed when tried at deploy: cpu limit exceeded"), "{msg}");
    assert!(msg.contains("--max-cpu-ms"), "{msg}");
    assert!(refused(&bomb, &small).contains("memory limit exceeded"));
    assert!(refused(&trap, &LIMITS).contains("unreachable"));
    assert!(refused(&init_trap, &LIMITS).starts_with("`_initialize` failed"));
    assert_good(&rt);
}

#[test]
fn initial_memory_above_the_limit_is_refused_before_running() {
    let rt = Runtime::new(ceilings(), 1);
    // 300 pages = 18.75 MiB against a 16 MiB limit.
    let fat = wat::parse_str(r#"(module (memory (export "memory") 300) (func (export "_start")))"#)
        .unwrap();
    let c = rt.compile(&fat).unwrap();
    assert!(matches!(
        rt.check_limits(&c, &LIMITS),
        Err(WasmError::LimitExceeded {
            limit: Limit::Memory,
            used: 19_660_800,
            ..
        })
    ));
    let above = Limits {
        max_memory_bytes: 1 << 30,
        ..LIMITS
    };
    assert!(matches!(
        rt.check_limits(&c, &above),
        Err(WasmError::AboveCeiling {
            limit: Limit::Memory,
            ..
        })
    ));
}

#[test]
fn host_functions_check_pointers_and_report_unavailable_services() {
    let rt = Runtime::new(ceilings(), 1);
    let m = abi_module(
        r#"(import "caxton" "send_message" (func $send (param i32 i32) (result i32)))
           (import "caxton" "memory_store" (func $store (param i32 i32) (result i32)))"#,
        // Stores the three statuses at 0..12 and returns that 12-byte buffer.
        "(i32.store (i32.const 0) (call $send (local.get $p) (local.get $n)))
         (i32.store (i32.const 4) (call $send (i32.const 65530) (i32.const 100)))
         (i32.store (i32.const 8) (call $store (i32.const 0) (i32.const 100000)))
         (i64.const 12)",
    );
    let e = run(&rt, "host", &m, &LIMITS);
    let out = e.result.unwrap();
    let codes: Vec<i32> = out
        .chunks(4)
        .map(|c| i32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [status::NOT_AVAILABLE, status::BAD_ARGS, status::TOO_LARGE]
    );
}

#[test]
fn runaways_of_one_agent_do_not_starve_a_good_agent() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let rt = Arc::new(Runtime::new(ceilings(), 2));
    let spin = Arc::new(
        rt.compile(&abi_module("", "(loop $l (br $l)) i64.const 0"))
            .unwrap(),
    );
    // Each runaway spins for a whole second of CPU: long enough that the
    // good agent's answers below all fall inside the first one.
    let limits = Limits {
        max_cpu_millis: 1_000,
        max_execution_time_ms: 60_000,
        ..LIMITS
    };
    let done = Arc::new(AtomicUsize::new(0));
    let started = Arc::new(std::sync::Barrier::new(4));
    let runaways: Vec<_> = (0..3)
        .map(|_| {
            let (rt, spin, done, started) =
                (rt.clone(), spin.clone(), done.clone(), started.clone());
            std::thread::spawn(move || {
                started.wait();
                let e = rt.execute("runaway", &spin, &limits, b"{}", Box::new(NoServices));
                done.fetch_add(1, Ordering::SeqCst);
                limit_of(&e).0
            })
        })
        .collect();
    started.wait();
    // Let the runaways ask for their slots first (how long does not change
    // the outcome with the cap: one slot is theirs, the other stays free).
    std::thread::sleep(std::time::Duration::from_millis(200));
    // With the per-agent cap one runaway runs, the others queue, and the
    // good agent has the second worker: 20 answers before any runaway is
    // done. Without it two runaways hold both workers and the good agent
    // waits for one to finish.
    for _ in 0..20 {
        assert_good(&rt);
    }
    assert_eq!(
        done.load(Ordering::SeqCst),
        0,
        "the good agent waited for a runaway to finish"
    );
    for t in runaways {
        assert_eq!(t.join().unwrap(), Limit::Cpu);
    }
}

#[test]
fn wasi_commands_read_stdin_write_stdout_and_exit() {
    let rt = Runtime::new(ceilings(), 1);
    // Copies stdin to stdout (one read, one write), then exits with $code.
    let command = |code: i32| {
        wat::parse_str(format!(
            r#"(module
                 (import "wasi_snapshot_preview1" "fd_read" (func $r (param i32 i32 i32 i32) (result i32)))
                 (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
                 (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
                 (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
                 (import "wasi_snapshot_preview1" "sock_accept" (func $accept (param i32 i32 i32) (result i32)))
                 (memory (export "memory") 1)
                 (data (i32.const 0) "\00\01\00\00\00\10\00\00")
                 (func (export "_start")
                   ;; no files, no sockets: path_open is refused, sock_accept is ENOSYS
                   (if (i32.ne (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 16)) (i32.const 76)) (then unreachable))
                   (if (i32.ne (call $accept (i32.const 3) (i32.const 0) (i32.const 16)) (i32.const 52)) (then unreachable))
                   (drop (call $r (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
                   (i32.store (i32.const 4) (i32.load (i32.const 8)))
                   (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 12)))
                   (call $exit (i32.const {code}))))"#
        ))
        .unwrap()
    };
    let e = run(&rt, "cmd", &command(0), &LIMITS);
    assert_eq!(e.result.unwrap(), br#"{"input":"hi"}"#);
    let e = run(&rt, "cmd", &command(3), &LIMITS);
    assert!(
        matches!(e.result, Err(WasmError::Exit { status: 3, .. })),
        "{:?}",
        e.result
    );
}
