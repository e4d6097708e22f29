//! Extism plug-ins, unchanged: agents/extism-demo (Extism Rust PDK code only)
//! is built in the test suite and run beside the vendored Extism kernel
//! through `agents deploy`, `agents test --function`, the daemon's execute
//! endpoint and a message. Config, persisted vars, logging and
//! `http_request` under the `http_client` tool's policy; refusals at
//! deploy leave the previous version live. Building needs the
//! wasm32-wasip1 target and the PDK crates fetched once
//! (scripts/setup-extism-pdk); without them these tests skip, and fail
//! under CAXTON_REQUIRE_ALL=1.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;

use crate::common::{Env, error_json, repo, skip};
use crate::daemon;

const SWITCH: &str = "CAXTON_REQUIRE_EXTISM_PDK";

/// The demo plug-in, built once per test process (offline: the crates come
/// from the cargo cache scripts/setup-extism-pdk fills), or why not.
fn plugin() -> Result<PathBuf, String> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let dir = repo().join("agents/extism-demo");
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let fetched = Command::new(&cargo)
                .current_dir(&dir)
                .args(["fetch", "--locked", "--offline", "--target", "wasm32-wasip1"])
                .output()
                .is_ok_and(|o| o.status.success());
            let target = Command::new("rustup")
                .args(["target", "list", "--installed"])
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("wasm32-wasip1"));
            if !fetched || !target {
                return Err("the extism-pdk crates or the wasm32-wasip1 target are not installed (run scripts/setup-extism-pdk)".into());
            }
            let target_dir = repo().join("target/extism-demo");
            let o = Command::new(&cargo)
                .current_dir(&dir)
                .args(["build", "--release", "--locked", "--offline", "--quiet"])
                .args(["--target", "wasm32-wasip1", "--target-dir"])
                .arg(&target_dir)
                // Not the test binary's own flags (coverage, sanitisers).
                .env_remove("RUSTFLAGS")
                .env_remove("CARGO_ENCODED_RUSTFLAGS")
                .output()
                .expect("run cargo");
            assert!(
                o.status.success(),
                "building agents/extism-demo failed:\n{}",
                String::from_utf8_lossy(&o.stderr)
            );
            Ok(target_dir.join("wasm32-wasip1/release/extism_demo.wasm"))
        })
        .clone()
}

/// A loopback HTTP server answering every request with `body`; it records
/// each request line.
fn serve(body: &'static str) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap_or(0);
            log.lock().unwrap().push(line.trim().to_string());
            // Read the headers to the blank line.
            let mut h = String::new();
            while reader.read_line(&mut h).is_ok_and(|n| n > 2) {
                h.clear();
            }
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-demo: yes\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (format!("127.0.0.1:{port}"), seen)
}

fn deploy(env: &Env, name: &str, file: &str, extra: &[&str]) -> Value {
    let mut args = vec!["agents", "deploy", name, "--source", file, "--json"];
    args.extend_from_slice(extra);
    env.run(&args).ok().json()
}

#[test]
fn plugin_runs_unchanged_with_config_vars_logs_and_messages() {
    let file = match plugin() {
        Ok(f) => f,
        Err(missing) => return skip(SWITCH, &missing),
    };
    let file = file.to_str().unwrap();
    let env = Env::new();
    let d = deploy(&env, "demo", file, &["--plugin-config", "greeting=Bonjour"]);
    assert_eq!(d["module"]["abi"], "extism", "{d}");
    let functions = d["module"]["functions"].to_string();
    for f in ["greet", "fetch", "handle", "fail"] {
        assert!(functions.contains(f), "{d}");
    }

    // Config, vars (persisted across processes) and the plug-in's log line.
    let greet = |who: &str| {
        env.run(&[
            "agents",
            "test",
            "demo",
            "--function",
            "greet",
            "--input",
            who,
            "--json",
        ])
        .ok()
        .json()
    };
    let first = greet("Ada");
    assert_eq!(first["output"], "Bonjour, Ada! (call 1)", "{first}");
    assert_eq!(first["logs"][0]["level"], "info", "{first}");
    assert_eq!(first["logs"][0]["message"], "greeting Ada (call 1)");
    assert!(first["stats"]["fuel"].as_u64().unwrap() > 0, "{first}");
    assert_eq!(greet("Bob")["output"], "Bonjour, Bob! (call 2)");

    // The plug-in's own error (error_set, non-zero return).
    let e = error_json(
        &env.run(&[
            "agents",
            "test",
            "demo",
            "--function",
            "fail",
            "--input",
            "no way",
            "--json",
        ])
        .code(1),
    );
    assert_eq!(e["error"]["code"], "agent_error", "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("refused: no way"),
        "{e}"
    );
    // A function it does not export, and --function on an ABI v1 agent.
    let r = env
        .run(&[
            "agents",
            "test",
            "demo",
            "--function",
            "nope",
            "--input",
            "x",
        ])
        .code(2);
    assert!(
        r.stderr.contains("exports no function `nope`") && r.stderr.contains("greet"),
        "{}",
        r.stderr
    );
    let wc = repo().join("agents/word-count.wasm");
    env.run(&["agents", "deploy", "wc", "--source", wc.to_str().unwrap()])
        .ok();
    let r = env
        .run(&[
            "agents",
            "test",
            "wc",
            "--function",
            "greet",
            "--input",
            "\"x\"",
        ])
        .code(2);
    assert!(r.stderr.contains("Extism plug-ins only"), "{}", r.stderr);

    // The daemon: `"function"` on the execute endpoint (vars still count
    // on), the handler by default, and a message.
    let d = daemon::start(&env, &[]);
    let (s, v, _) = d.post(
        "/api/v1/agents/demo/execute",
        r#"{"input": "Cy", "function": "greet"}"#,
    );
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["output"], "Bonjour, Cy! (call 3)", "{v}");
    let (s, v, _) = d.post("/api/v1/agents/demo/execute", r#"{"input": "ping"}"#);
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["output"]["handled"], "ping", "{v}");
    let (s, v, _) = d.post(
        "/api/v1/agents/demo/execute",
        r#"{"input": "x", "function": "missing"}"#,
    );
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["error"]["code"], "usage", "{v}");
    let r = env
        .run(&[
            "message",
            "send",
            "--receiver",
            "demo",
            "--content",
            "hello",
            "--wait",
            "10s",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(r["reply"]["content"]["handled"], "hello", "{r:#}");
}

#[test]
fn http_request_goes_through_the_http_client_policy() {
    let file = match plugin() {
        Ok(f) => f,
        Err(missing) => return skip(SWITCH, &missing),
    };
    let file = file.to_str().unwrap();
    let env = Env::new();
    let (addr, seen) = serve("hi from loopback");
    let fetch = |agent: &str, url: &str| {
        env.run(&[
            "agents",
            "test",
            agent,
            "--function",
            "fetch",
            "--input",
            url,
            "--json",
        ])
    };

    // Allowed by the allow-list (and private networks allowed for it).
    deploy(
        &env,
        "fetcher",
        file,
        &[
            "--network-access",
            "--http-client",
            r#"{"allowed_domains": ["127.0.0.1"], "allow_private_networks": true}"#,
        ],
    );
    let ok = fetch("fetcher", &format!("http://{addr}/hello"))
        .ok()
        .json();
    assert_eq!(ok["output"], "200 hi from loopback", "{ok}");
    assert_eq!(*seen.lock().unwrap(), ["GET /hello HTTP/1.1"]);
    // Another host is not on the list.
    let port = addr.split(':').nth(1).unwrap();
    let e = error_json(&fetch("fetcher", &format!("http://127.0.0.2:{port}/other")).code(1));
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("127.0.0.2 is not in allowed_domains [127.0.0.1]"),
        "{e}"
    );

    // The default policy refuses private addresses.
    deploy(&env, "open", file, &["--network-access"]);
    let e = error_json(&fetch("open", &format!("http://{addr}/private")).code(1));
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(msg.contains("127.0.0.1 is a loopback"), "{e}");
    assert!(msg.contains("allow_private_networks"), "{e}");
    // Without network access nothing goes out at all.
    deploy(&env, "closed", file, &[]);
    let e = error_json(&fetch("closed", &format!("http://{addr}/closed")).code(1));
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no network access"),
        "{e}"
    );
    assert_eq!(
        *seen.lock().unwrap(),
        ["GET /hello HTTP/1.1"],
        "a refused request reached the server"
    );
}

/// Modules written in WAT: a plug-in importing host functions Caxton does
/// not provide, and one that is both an Extism plug-in and an ABI v1 agent.
#[test]
fn plugins_caxton_cannot_serve_are_refused_and_the_old_version_stays() {
    let file = match plugin() {
        Ok(f) => f,
        Err(missing) => return skip(SWITCH, &missing),
    };
    let env = Env::new();
    deploy(&env, "demo", file.to_str().unwrap(), &[]);
    let write = |name: &str, wat: &str| {
        let p = env.path().join(name);
        std::fs::write(&p, wat::parse_str(wat).unwrap()).unwrap();
        p.display().to_string()
    };
    let unknown = write(
        "unknown.wasm",
        r#"(module
            (import "extism:host/env" "alloc" (func (param i64) (result i64)))
            (import "extism:host/env" "teleport" (func (param i64)))
            (import "extism:host/user" "kv_read" (func (param i64) (result i64)))
            (memory (export "memory") 1)
            (func (export "handle") (result i32) i32.const 0))"#,
    );
    let r = env
        .run(&["agents", "deploy", "demo", "--source", &unknown])
        .code(3);
    assert!(
        r.stderr
            .contains("extism:host/env.teleport, extism:host/user.kv_read"),
        "{}",
        r.stderr
    );
    let both = write(
        "both.wasm",
        r#"(module
            (import "extism:host/env" "alloc" (func (param i64) (result i64)))
            (memory (export "memory") 1)
            (func (export "caxton_alloc") (param i32) (result i32) i32.const 0)
            (func (export "caxton_dealloc") (param i32 i32))
            (func (export "caxton_handle") (param i32 i32) (result i64) i64.const 0)
            (func (export "handle") (result i32) i32.const 0))"#,
    );
    let r = env
        .run(&["agents", "deploy", "demo", "--source", &both])
        .code(3);
    assert!(
        r.stderr.contains("both an Extism plug-in") && r.stderr.contains("caxton_handle"),
        "{}",
        r.stderr
    );
    // A handler it does not export, settings for a module of another ABI.
    let r = env
        .run(&[
            "agents",
            "deploy",
            "demo",
            "--source",
            file.to_str().unwrap(),
            "--handler",
            "nope",
        ])
        .code(2);
    assert!(r.stderr.contains("handler `nope`"), "{}", r.stderr);
    let wc = repo().join("agents/word-count.wasm");
    let r = env
        .run(&[
            "agents",
            "deploy",
            "wc",
            "--source",
            wc.to_str().unwrap(),
            "--plugin-config",
            "a=b",
        ])
        .code(2);
    assert!(
        r.stderr.contains("apply to Extism plug-ins"),
        "{}",
        r.stderr
    );
    // The first version still answers.
    let v = env
        .run(&["agents", "test", "demo", "--input", "still here", "--json"])
        .ok()
        .json();
    assert_eq!(v["output"]["handled"], "still here", "{v}");
}

/// Plug-ins in WAT that use the kernel the way the PDKs do, run on the
/// runtime as a library: no toolchain needed.
mod kernel {
    use caxton::runtime::wasm::{Abi, Limit, Limits, NoServices, Runtime, WasmError};

    const LIMITS: Limits = Limits {
        max_memory_bytes: 4 << 20,
        max_cpu_millis: 100,
        max_execution_time_ms: 2_000,
    };

    fn runtime() -> Runtime {
        Runtime::new(caxton::config::RuntimeConfig::default().wasm_ceilings(), 2)
    }

    /// `echo` sets the output to the input block; `spin` never returns;
    /// `grow` grows the plug-in's own memory by 48 pages (3 MiB).
    const PLUGIN: &str = r#"(module
        (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
        (import "extism:host/env" "input_length" (func $input_length (result i64)))
        (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
        (memory (export "memory") 1)
        (func (export "echo") (result i32)
            (call $output_set (call $input_offset) (call $input_length))
            i32.const 0)
        (func (export "spin") (result i32) (loop br 0) i32.const 0)
        (func (export "grow") (result i32)
            (drop (memory.grow (i32.const 48))) i32.const 0))"#;

    fn call(rt: &Runtime, function: &str, limits: &Limits) -> caxton::runtime::wasm::Execution {
        let c = rt
            .compile(&wat::parse_str(PLUGIN).unwrap())
            .expect("compiles");
        assert_eq!(c.info.abi, Abi::Extism);
        let mut functions = c.info.functions.clone();
        functions.sort();
        assert_eq!(functions, ["echo", "grow", "spin"]);
        rt.execute_function(
            "p",
            &c,
            limits,
            Some(function),
            b"bytes in",
            Box::new(NoServices),
        )
    }

    #[test]
    fn a_plugin_calls_the_kernel_and_every_limit_covers_both() {
        let rt = runtime();
        let e = call(&rt, "echo", &LIMITS);
        assert_eq!(e.result.expect("echo answers"), b"bytes in");
        // The kernel's 1 MiB memory counts with the plug-in's 64 KiB.
        assert!(e.stats.peak_memory_bytes > 1 << 20, "{:?}", e.stats);

        let e = call(&rt, "spin", &LIMITS);
        assert!(
            matches!(
                e.result,
                Err(WasmError::LimitExceeded {
                    limit: Limit::Cpu,
                    ..
                })
            ),
            "{:?}",
            e.result
        );
        // 3 MiB more fits 4 MiB for the plug-in alone, not beside the kernel.
        let e = call(&rt, "grow", &LIMITS);
        assert!(
            matches!(
                e.result,
                Err(WasmError::LimitExceeded {
                    limit: Limit::Memory,
                    ..
                })
            ),
            "{:?}",
            e.result
        );
        let roomy = Limits {
            max_memory_bytes: 8 << 20,
            ..LIMITS
        };
        assert!(call(&rt, "grow", &roomy).result.is_ok());
        // The runtime still serves after the limits stopped a plug-in.
        assert_eq!(call(&rt, "echo", &LIMITS).result.unwrap(), b"bytes in");
    }
}
