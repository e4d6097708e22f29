//! WASM agents through the real binary: deploy, test (run), list/show/count,
//! resource usage, sandbox status, rollback, and hostile modules stopped
//! with exit code 7 and the limit named.

use crate::common::wat::abi_wat_at;
use crate::common::{Env, Run, agent, error_json, finish, repo};

fn example() -> String {
    repo().join("agents/word-count.wasm").display().to_string()
}

/// Write a WAT module compiled to binary under the temp dir.
fn module(env: &Env, name: &str, wat_text: &str) -> String {
    let p = env.path().join(format!("{name}.wasm"));
    std::fs::write(&p, wat::parse_str(wat_text).expect("valid WAT")).unwrap();
    p.display().to_string()
}

/// An ABI v1 module whose `caxton_handle` body is `body`.
fn abi(env: &Env, name: &str, extra: &str, body: &str) -> String {
    module(env, name, &abi_wat_at(1024, extra, body))
}

/// The example's deploy flags in the round-trip test.
const EXAMPLE_FLAGS: &[&str] = &[
    "--capability",
    "text-analysis",
    "--max-memory",
    "10MiB",
    "--timeout",
    "5s",
];

fn deploy(env: &Env, name: &str, file: &str, extra: &[&str]) -> Run {
    let mut args = vec!["agents", "deploy", name, "--source", file];
    args.extend_from_slice(extra);
    env.run(&args)
}

#[track_caller]
fn good_answer(env: &Env) {
    let j = env
        .run(&[
            "agents",
            "test",
            "word-count",
            "--input",
            "\"one two two\"",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(j["output"]["words"], 3);
}

#[test]
fn example_agent_deploys_runs_and_is_listed() {
    let env = Env::new();
    let r = deploy(&env, "word-count", &example(), EXAMPLE_FLAGS).ok();
    assert!(
        r.stdout.contains("deployed WASM agent word-count"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("ABI caxton-v1"), "{}", r.stdout);

    let r = env
        .run(&[
            "agents",
            "test",
            "word-count",
            "--input",
            r#"{"text": "the cat and the hat\nthe end", "top": 2}"#,
        ])
        .ok();
    let out: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(out["words"], 7);
    assert_eq!(out["lines"], 2);
    assert_eq!(
        out["top_words"][0],
        serde_json::json!({"word": "the", "count": 3})
    );
    assert_eq!(out["top_words"].as_array().unwrap().len(), 2);
    assert!(r.stderr.contains("[info] counted 7 words"), "{}", r.stderr);

    // The agent's own error answer is a failure with its message.
    let r = env
        .run(&["agents", "test", "word-count", "--input", "42"])
        .code(1);
    assert!(r.stderr.contains("input must be a string"), "{}", r.stderr);
    let r = env
        .run(&["agents", "test", "word-count", "--input", "not json"])
        .code(2);
    assert!(
        r.stderr.contains("--input is not valid JSON"),
        "{}",
        r.stderr
    );

    assert_eq!(
        env.run(&["agents", "count", "--type", "wasm"])
            .ok()
            .stdout
            .trim(),
        "1"
    );
    assert_eq!(
        env.run(&["agents", "count", "--type", "config"])
            .ok()
            .stdout
            .trim(),
        "0"
    );
    let list = env
        .run(&["agents", "list", "--type", "wasm", "--json"])
        .ok()
        .json();
    assert_eq!(list[0]["type"], "wasm");
    assert_eq!(list[0]["capabilities"][0], "text-analysis");
    assert_eq!(list[0]["resource_limits"]["max_memory_bytes"], 10 << 20);
    assert_eq!(list[0]["resource_limits"]["max_execution_time_ms"], 5000);
    let show = env
        .run(&["agents", "show", "word-count", "--json"])
        .ok()
        .json();
    assert_eq!(show["module"]["abi"], "caxton-v1");
    assert_eq!(show["usage"]["executions"], 2);
    assert_eq!(show["usage"]["failures"], 1);
    assert_eq!(show["usage"]["traps"]["agent_error"], 1);
    let caps = env
        .run(&["agents", "capabilities", "word-count", "--list"])
        .ok();
    assert_eq!(caps.stdout, "text-analysis\n");

    let usage = env
        .run(&["agents", "resource-usage", "--type", "wasm", "--json"])
        .ok()
        .json();
    assert_eq!(usage[0]["usage"]["executions"], 2);
    assert!(usage[0]["usage"]["fuel"].as_u64().unwrap() > 0);
    assert!(usage[0]["usage"]["peak_memory_bytes"].as_u64().unwrap() >= 65_536);
    let table = env
        .run(&["agents", "resource-usage", "--type", "wasm"])
        .ok();
    assert!(table.stdout.starts_with("AGENT"), "{}", table.stdout);
    assert!(table.stdout.contains("agent_error=1"), "{}", table.stdout);

    let status = env
        .run(&[
            "agents",
            "sandbox-status",
            "--agent",
            "word-count",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(status["limits"]["effective"]["max_memory_bytes"], 10 << 20);
    assert_eq!(status["limits"]["ceilings"]["max_module_bytes"], 16 << 20);
    assert_eq!(status["isolation"]["network"], false);

    // Same module and limits: unchanged; new limits: a new version, and
    // rollback returns to the old limits.
    let r = deploy(&env, "word-count", &example(), EXAMPLE_FLAGS).ok();
    assert!(r.stdout.contains("unchanged"), "{}", r.stdout);
    deploy(&env, "word-count", &example(), &["--max-cpu-ms", "200"]).ok();
    let show = env
        .run(&["agents", "show", "word-count", "--json"])
        .ok()
        .json();
    assert_eq!(show["versions"], 2);
    assert_eq!(show["resource_limits"]["max_cpu_millis"], 200);
    env.run(&["agents", "rollback", "word-count", "--to-previous-version"])
        .ok();
    let show = env
        .run(&["agents", "show", "word-count", "--json"])
        .ok()
        .json();
    assert_eq!(show["versions"], 3);
    assert_eq!(show["resource_limits"]["max_memory_bytes"], 10 << 20);
    good_answer(&env);
}

#[test]
fn hostile_modules_stop_with_exit_7_naming_the_limit() {
    let env = Env::new();
    deploy(&env, "word-count", &example(), &[]).ok();
    let cases = [
        (
            "spin",
            abi(&env, "spin", "", "(loop $l (br $l)) i64.const 0"),
            vec!["--max-cpu-ms", "50"],
            "cpu",
        ),
        (
            "sleepless",
            abi(&env, "sleepless", "", "(loop $l (br $l)) i64.const 0"),
            vec!["--max-cpu-ms", "10000", "--timeout", "100ms"],
            "wall_time",
        ),
        (
            "bomb",
            abi(
                &env,
                "bomb",
                "",
                "(loop $l (br_if $l (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) i64.const 0",
            ),
            vec!["--max-memory", "4MiB"],
            "memory",
        ),
        (
            "deep",
            abi(
                &env,
                "deep",
                "(func $f (param i32) (result i32) (call $f (i32.add (local.get 0) (i32.const 1))))",
                "(drop (call $f (i32.const 0))) i64.const 0",
            ),
            vec![],
            "recursion_depth",
        ),
        (
            "loud",
            abi(&env, "loud", "", "i64.const 0x7fffffff"),
            vec![],
            "output_size",
        ),
    ];
    for (name, file, flags, limit) in &cases {
        deploy(&env, name, file, flags).ok();
        let r = env.run(&["agents", "test", name, "--input", "{}"]).code(7);
        assert!(
            r.stderr.contains(&format!("{limit} limit exceeded")),
            "{name}: {}",
            r.stderr
        );
        let j = error_json(
            &env.run(&["agents", "test", name, "--input", "{}", "--json"])
                .code(7),
        );
        assert_eq!(j["error"]["code"], "limit_exceeded");
        // The next good execution works.
        good_answer(&env);
        let status = env
            .run(&["agents", "sandbox-status", "--agent", name, "--json"])
            .ok()
            .json();
        assert_eq!(status["usage"]["traps"][limit], 2, "{name}: {status}");
    }
    let r = env
        .run(&["agents", "sandbox-status", "--agent", "spin"])
        .ok();
    assert!(r.stdout.contains("traps        cpu=2"), "{}", r.stdout);
    assert!(
        r.stdout.contains("last error   cpu limit exceeded: used"),
        "{}",
        r.stdout
    );
    let mem = env
        .run(&["agents", "test", "bomb", "--input", "{}"])
        .code(7);
    assert!(
        mem.stderr.contains("memory limit exceeded"),
        "{}",
        mem.stderr
    );
    assert!(
        mem.stderr.contains("the limit is 4.0 MiB"),
        "{}",
        mem.stderr
    );
}

#[test]
fn bad_modules_and_limits_are_refused_at_deploy() {
    let env = Env::new();
    let garbage = env.write("garbage.wasm", "\0asm\u{1}\0\0\0this is not wasm");
    let r = deploy(&env, "junk", garbage.to_str().unwrap(), &[]).code(3);
    assert!(r.stderr.contains("invalid WASM module"), "{}", r.stderr);
    let text = env.write("text.wasm", "(module)");
    let r = deploy(&env, "text", text.to_str().unwrap(), &[]).code(3);
    assert!(r.stderr.contains("magic number"), "{}", r.stderr);
    let unknown = module(
        &env,
        "unknown",
        r#"(module (import "env" "system" (func (param i32))) (memory (export "memory") 1) (func (export "_start")))"#,
    );
    let r = deploy(&env, "unknown", &unknown, &[]).code(3);
    assert!(r.stderr.contains("`env.system`"), "{}", r.stderr);
    let plugin = module(
        &env,
        "plugin",
        r#"(module (import "extism:host/env" "input_length" (func (result i64)))
                   (import "extism:host/env" "output_sett" (func (param i64 i64)))
                   (memory (export "memory") 1) (func (export "greet") (result i32) i32.const 0))"#,
    );
    // Extism plug-ins run (tests/it/wasm_extism.rs); one importing a host
    // function Caxton does not provide is refused, naming it.
    let r = deploy(&env, "plugin", &plugin, &[]).code(3);
    assert!(
        r.stderr.contains(
            "imports a host function, which Caxton does not provide: extism:host/env.output_sett"
        ),
        "{}",
        r.stderr
    );
    let imported = module(
        &env,
        "imported",
        r#"(module (import "env" "memory" (memory 1)) (func (export "_start")))"#,
    );
    let r = deploy(&env, "imported", &imported, &[]).code(3);
    assert!(
        r.stderr.contains("imports the memory `env.memory`")
            && r.stderr.contains("--import-memory"),
        "{}",
        r.stderr
    );

    // Initial memory (300 pages = 18.75 MiB) above --max-memory: refused at deploy.
    let fat = module(
        &env,
        "fat",
        r#"(module (memory (export "memory") 300) (func (export "_start")))"#,
    );
    let r = deploy(&env, "fat", &fat, &["--max-memory", "16MiB"]).code(7);
    assert!(
        r.stderr.contains("memory limit exceeded: used 18.8 MiB"),
        "{}",
        r.stderr
    );
    let r = deploy(&env, "fat", &example(), &["--max-memory", "1GiB"]).code(7);
    assert!(
        r.stderr
            .contains("above the server ceiling runtime.wasm_max_memory_bytes"),
        "{}",
        r.stderr
    );
    let r = finish(
        env.cmd()
            .args(["agents", "deploy", "small", "--source", &example()])
            .env("CAXTON_RUNTIME_WASM_MAX_MODULE_BYTES", "1000")
            .output()
            .unwrap(),
    )
    .code(7);
    assert!(
        r.stderr.contains("module_size limit exceeded"),
        "{}",
        r.stderr
    );
    // Nothing of the refused deploys was recorded.
    assert_eq!(
        env.run(&["agents", "count", "--type", "wasm"])
            .ok()
            .stdout
            .trim(),
        "0"
    );

    let cfg = env.write("src/tester.toml", &agent("Tester", "1.0.0", ""));
    let r = deploy(
        &env,
        "tester",
        cfg.to_str().unwrap(),
        &["--max-cpu-ms", "5"],
    )
    .code(2);
    assert!(
        r.stderr.contains("apply to WASM agents only"),
        "{}",
        r.stderr
    );
}

#[test]
fn test_dispatches_on_the_agent_kind() {
    let env = Env::new();
    env.run(&["init"]).ok();
    // A config agent runs through its LLM provider: the default `local`
    // one. Without its model files it fails clearly (with the fix) and the
    // run is recorded; an empty models dir makes that deterministic.
    let no_models = env.path().join("no-models");
    let run = |args: &[&str]| {
        crate::common::finish(
            env.cmd()
                .env("CAXTON_MODELS_DIR", &no_models)
                .args(args)
                .output()
                .unwrap(),
        )
    };
    let r = run(&["agents", "test", "data-analyzer", "--input", "{}"]).code(1);
    let r2 = run(&["agents", "test", "data-analyzer", "--input", "{}", "--json"]).code(1);
    assert!(r.stderr.contains("local LLM error"), "{}", r.stderr);
    assert!(r.stderr.contains("scripts/fetch-models"), "{}", r.stderr);
    assert_eq!(error_json(&r2)["error"]["code"], "llm_unavailable");
    let record: serde_json::Value = serde_json::from_str(&r2.stdout).unwrap();
    assert_eq!(
        (record["agent"].as_str(), record["provider"].as_str()),
        (Some("data-analyzer"), Some("local"))
    );
    deploy(&env, "word-count", &example(), &[]).ok();
    let r = env
        .run(&["agents", "test", "word-cuont", "--input", "{}"])
        .code(4);
    assert!(r.stderr.contains("word-count"), "suggestion: {}", r.stderr);
    // A WASM agent cannot take a config agent's name, nor the reverse.
    let r = deploy(&env, "data-analyzer", &example(), &[]).code(5);
    assert!(r.stderr.contains("already a config agent"), "{}", r.stderr);
    let cfg = env.write("src/wc.toml", &agent("word-count", "1.0.0", ""));
    let r = deploy(&env, "word-count", cfg.to_str().unwrap(), &[]).code(5);
    assert!(r.stderr.contains("already a WASM agent"), "{}", r.stderr);
    assert_eq!(env.run(&["agents", "count"]).ok().stdout.trim(), "4");
}

/// The checked-in example module is what its source builds to. Needs the
/// wasm32-wasip1 target and the rustc version recorded at build time.
#[test]
fn example_wasm_matches_its_source() {
    let recorded = std::fs::read_to_string(repo().join("agents/word-count.rustc-version")).unwrap();
    let rustc = std::process::Command::new("rustc")
        .arg("--version")
        .output();
    let current = rustc
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    if current.trim() != recorded.trim() {
        crate::common::skip(
            "CAXTON_REQUIRE_ALL",
            &format!(
                "agents/word-count.wasm was built with {}, this toolchain is {:?}",
                recorded.trim(),
                current.trim()
            ),
        );
        return;
    }
    let targets = std::process::Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    let installed = targets.is_ok_and(|o| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .any(|l| l == "wasm32-wasip1")
    });
    if !installed {
        crate::common::skip(
            "CAXTON_REQUIRE_ALL",
            "the wasm32-wasip1 target is not installed (rustup target add wasm32-wasip1)",
        );
        return;
    }
    let out = tempfile::tempdir().unwrap();
    for krate in ["word-count", "coordinator"] {
        let fresh = out.path().join(format!("{krate}.wasm"));
        let status = std::process::Command::new(repo().join("scripts/build-example-wasm"))
            .arg(&fresh)
            .arg(krate)
            .status()
            .unwrap();
        assert!(status.success());
        assert!(
            std::fs::read(&fresh).unwrap()
                == std::fs::read(repo().join(format!("agents/{krate}.wasm"))).unwrap(),
            "agents/{krate}.wasm is stale: run scripts/build-example-wasm agents/{krate}.wasm {krate}"
        );
    }
}

/// A module that stores `entity` (with an observation mentioning
/// "fuzzy") in its own memory, then answers with its search for "fuzzy".
fn memo_module(env: &Env, name: &str, entity: &str) -> String {
    let store = format!(
        r#"{{"entities":[{{"name":"{entity}","entityType":"fruit","observations":["{entity} is fuzzy"]}}]}}"#
    );
    let query = r#"{"query":"fuzzy"}"#;
    let wat_escape = |s: &str| s.replace('"', "\\\"");
    abi(
        env,
        name,
        &format!(
            r#"(import "caxton" "memory_store" (func $store (param i32 i32) (result i32)))
               (import "caxton" "memory_search" (func $search (param i32 i32 i32 i32) (result i32)))
               (data (i32.const 0) "{}")
               (data (i32.const 512) "{}")"#,
            wat_escape(&store),
            wat_escape(query)
        ),
        &format!(
            "(if (i32.ne (call $store (i32.const 0) (i32.const {})) (i32.const 0)) (then unreachable))
             (i64.or (i64.const 0x100000000000)
                     (i64.extend_i32_u (call $search (i32.const 512) (i32.const {}) (i32.const 4096) (i32.const 8192))))",
            store.len(),
            query.len()
        ),
    )
}

#[test]
fn memory_host_functions_use_the_agents_own_scope() {
    let env = Env::new();
    for (agent, entity) in [("memo", "kiwi"), ("other", "peach")] {
        let file = memo_module(&env, agent, entity);
        deploy(&env, agent, &file, &[]).ok();
    }
    let found = |agent: &str| -> Vec<serde_json::Value> {
        let out = env
            .run(&["agents", "test", agent, "--input", "{}", "--json"])
            .ok()
            .json();
        out["output"]["results"].as_array().unwrap().clone()
    };
    // Both have stored their fact once `other` has run; each sees only its own.
    found("memo");
    for (agent, own) in [("other", "peach"), ("memo", "kiwi")] {
        let results = found(agent);
        let names: Vec<&str> = results
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, [own], "{agent} sees {results:?}");
        assert_eq!(results[0]["scope"], "agent");
    }
    let graph = env
        .run(&["memory", "read-graph", "--agent", "memo", "--json"])
        .ok();
    assert!(graph.stdout.contains("kiwi is fuzzy"), "{}", graph.stdout);
    assert!(!graph.stdout.contains("peach"), "{}", graph.stdout);
}

#[test]
fn a_wasm_agents_memory_writes_count_against_max_entities() {
    let env = Env::new();
    for (agent, entity) in [("memo", "kiwi"), ("other", "peach")] {
        let file = memo_module(&env, agent, entity);
        deploy(&env, agent, &file, &[]).ok();
    }
    let test = |agent: &str| {
        let mut c = env.cmd();
        c.env("CAXTON_MEMORY_MAX_ENTITIES", "1")
            .args(["agents", "test", agent, "--input", "{}", "--json"]);
        finish(c.output().unwrap())
    };
    test("memo").ok();
    // The module traps when its store call is refused: the second entity
    // would pass the limit of one.
    let e = error_json(&test("other").code(1));
    assert_eq!(e["error"]["code"], "wasm_trap", "{e}");
    let graph = |agent: &str| {
        env.run(&["memory", "read-graph", "--agent", agent, "--json"])
            .ok()
            .stdout
    };
    assert!(graph("memo").contains("kiwi is fuzzy"), "{}", graph("memo"));
    assert!(!graph("other").contains("peach"), "{}", graph("other"));
}

#[test]
fn a_trap_exits_1_and_an_oversized_input_is_refused() {
    let env = Env::new();
    let trap = abi(&env, "trap", "", "unreachable");
    deploy(&env, "trap", &trap, &[]).ok();
    let r = env
        .run(&["agents", "test", "trap", "--input", "{}", "--json"])
        .code(1);
    let e = error_json(&r);
    assert_eq!(e["error"]["code"], "wasm_trap", "{e}");
    let r = env
        .run(&["agents", "test", "trap", "--input", "{}"])
        .code(1);
    assert!(r.stderr.contains("unreachable"), "{}", r.stderr);

    deploy(&env, "word-count", &example(), &[]).ok();
    // A 4 KiB input against a 1 KiB limit (the default is 1 MiB, more
    // than one command-line argument may hold).
    let big = format!("\"{}\"", "word ".repeat(800));
    let run = |input: &str, json: bool| {
        let mut c = env.cmd();
        c.env("CAXTON_RUNTIME_WASM_MAX_INPUT_BYTES", "1024").args([
            "agents",
            "test",
            "word-count",
            "--input",
            input,
        ]);
        if json {
            c.arg("--json");
        }
        finish(c.output().unwrap())
    };
    let r = run(&big, false).code(7);
    assert!(
        r.stderr.contains("input_size limit exceeded"),
        "{}",
        r.stderr
    );
    let e = error_json(&run(&big, true).code(7));
    assert_eq!(e["error"]["code"], "limit_exceeded", "{e}");
    // The same agent under the limit answers.
    let ok = run("\"one two\"", true).ok().json();
    assert_eq!(ok["output"]["words"], 2, "{ok}");
}

/// An ABI v1 module answering the two bytes its start function wrote at 0.
fn started(env: &Env, name: &str, start: &str) -> String {
    abi(
        env,
        name,
        &format!("(func $s {start}) (start $s)"),
        "i64.const 2",
    )
}

#[test]
fn start_sections_run_and_a_refused_redeploy_keeps_the_live_version() {
    let env = Env::new();
    let good = started(
        &env,
        "good",
        "(i32.store16 (i32.const 0) (i32.const 0x3234))",
    );
    deploy(&env, "init", &good, &[]).ok();
    let answer = || {
        env.run(&["agents", "test", "init", "--input", "{}", "--json"])
            .ok()
            .json()["output"]
            .clone()
    };
    assert_eq!(answer(), 42);
    let version = || {
        let show = env.run(&["agents", "show", "init", "--json"]).ok().json();
        (show["versions"].clone(), show["module"]["hash"].clone())
    };
    let live = version();
    let cases = [
        (
            "spin",
            "(loop $l (br $l))",
            vec!["--max-cpu-ms", "50"],
            3,
            "cpu limit exceeded",
        ),
        (
            "bomb",
            "(loop $l (br_if $l (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))",
            vec!["--max-memory", "4MiB"],
            3,
            "memory limit exceeded",
        ),
        ("trap", "unreachable", vec![], 3, "unreachable"),
    ];
    for (name, body, flags, code, what) in cases {
        let file = started(&env, name, body);
        let r = deploy(&env, "init", &file, &flags).code(code);
        assert!(
            r.stderr.contains(
                "the start function (start section, function 0) failed when tried at deploy"
            ),
            "{name}: {}",
            r.stderr
        );
        assert!(r.stderr.contains(what), "{name}: {}", r.stderr);
        assert_eq!(version(), live, "{name} replaced the live version");
        assert_eq!(answer(), 42);
    }
    // A truncated module is refused the same way.
    let mut bytes = std::fs::read(&good).unwrap();
    bytes.truncate(bytes.len() / 2);
    let cut = env.path().join("cut.wasm");
    std::fs::write(&cut, bytes).unwrap();
    let r = deploy(&env, "init", cut.to_str().unwrap(), &[]).code(3);
    assert!(r.stderr.contains("invalid WASM module"), "{}", r.stderr);
    assert_eq!(version(), live);
    assert_eq!(answer(), 42);
}
