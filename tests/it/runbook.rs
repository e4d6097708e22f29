//! The runbook's command lines that did not work as written: `--status
//! running`, a config-agent deploy with `--hot-reload --timeout 30s`,
//! `backup --embedded` without `--output`, `agents metrics` of a WASM agent
//! and `memory import --input`.

use crate::common::{Env, agent, repo};
use crate::daemon::{poll, start};

fn word_count(env: &Env) {
    let module = repo().join("agents/word-count.wasm");
    env.run(&[
        "agents",
        "deploy",
        "word-count",
        "--source",
        module.to_str().unwrap(),
        "--capability",
        "text-analysis",
    ])
    .ok();
}

/// The runbook's `deploy_config_agent` line: `agents deploy NAME --source
/// FILE.toml --hot-reload --timeout 30s`, of agent Early at `version`.
fn deploy_config_agent(env: &Env, version: &str) -> crate::common::Run {
    let src = env.write("src/early.toml", &agent("Early", version, ""));
    env.run(&[
        "agents",
        "deploy",
        "early",
        "--source",
        src.to_str().unwrap(),
        "--hot-reload",
        "--timeout",
        "30s",
    ])
    .ok()
}

#[test]
fn status_running_and_a_config_deploy_with_a_timeout_with_and_without_the_daemon() {
    let env = Env::new();
    std::fs::create_dir_all(env.agents()).unwrap();
    std::fs::write(env.agents().join("hot.toml"), agent("Hot", "1.0.0", "")).unwrap();
    word_count(&env);

    // Offline nothing runs: an empty answer, exit 0, and the reason on stderr.
    let r = env.run(&["agents", "count", "--status", "running"]).ok();
    assert_eq!(r.stdout.trim(), "0", "{}", r.stdout);
    assert!(r.stderr.contains("no agent is running"), "{}", r.stderr);
    let r = env
        .run(&["agents", "list", "--type", "config", "--status", "running"])
        .ok();
    assert!(r.stdout.contains("no agents match"), "{}", r.stdout);
    let r = env.run(&["agents", "count", "--status", "deployed"]).ok();
    assert_eq!(r.stdout.trim(), "2", "{}", r.stdout);

    // The runbook's deploy without a daemon: deployed, goes live at start.
    let r = deploy_config_agent(&env, "1.0.0");
    assert!(r.stdout.contains("daemon not running"), "{}", r.stdout);

    let d = start(&env, &[]);
    for id in ["hot", "early", "word-count"] {
        poll(id, || {
            (d.get(&format!("/api/v1/agents/{id}")).1["status"] == "running").then_some(())
        });
    }
    let r = env
        .run(&[
            "agents",
            "list",
            "--type",
            "config",
            "--status",
            "running",
            "--names-only",
        ])
        .ok();
    let mut names: Vec<&str> = r.stdout.lines().collect();
    names.sort();
    assert_eq!(names, ["early", "hot"], "{}", r.stdout);
    let r = env.run(&["agents", "count", "--status", "running"]).ok();
    assert_eq!(r.stdout.trim(), "3", "{}", r.stdout);

    // The runbook's deploy_config_agent: live within the timeout, exit 0.
    let r = deploy_config_agent(&env, "1.1.0");
    assert!(r.stdout.contains("early running 1.1.0"), "{}", r.stdout);
    assert_eq!(d.get("/api/v1/agents/early").1["version"], "1.1.0");
    // WASM-only flags are still refused for a config agent.
    let r = env
        .run(&[
            "agents",
            "deploy",
            "early",
            "--source",
            env.path().join("src/early.toml").to_str().unwrap(),
            "--max-memory",
            "1MiB",
        ])
        .code(2);
    assert!(r.stderr.contains("WASM agents only"), "{}", r.stderr);
}

#[test]
fn backup_without_output_writes_to_the_documented_default() {
    let env = Env::new();
    env.run(&["init"]).ok();
    let r = env.run(&["backup", "--embedded"]).ok();
    let dir = env.data().join("backups");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_str().unwrap().to_string();
    assert!(
        name.starts_with("caxton-") && name.ends_with("Z.tar.zst"),
        "{name}"
    );
    assert!(
        r.stdout.contains(&name),
        "the path is printed: {}",
        r.stdout
    );
    let r = env
        .run(&["backup", "verify", files[0].to_str().unwrap()])
        .ok();
    assert!(!r.stdout.is_empty());
}

#[test]
fn metrics_of_a_wasm_agent_cover_the_window() {
    let env = Env::new();
    word_count(&env);
    for text in ["one two", "three", "four five six"] {
        env.run(&[
            "agents",
            "test",
            "word-count",
            "--input",
            &serde_json::json!({ "text": text }).to_string(),
        ])
        .ok();
    }
    // Not a JSON object: the agent answers with an error, counted by kind.
    env.run(&["agents", "test", "word-count", "--input", "[1]"]);
    let m = env
        .run(&["agents", "metrics", "word-count", "--last", "1h", "--json"])
        .ok()
        .json();
    assert_eq!(m["type"], "wasm", "{m}");
    assert_eq!(m["executions"], 4, "{m}");
    assert_eq!(m["failures"], 1, "{m}");
    let by_kind: u64 = m["traps"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(by_kind, 1, "{m}");
    assert!(m["fuel"].as_u64().unwrap() > 0, "{m}");
    assert!(m["wall_p50_ms"].as_f64().unwrap() > 0.0, "{m}");
    let r = env
        .run(&["agents", "metrics", "word-count", "--last", "1h"])
        .ok();
    assert!(r.stdout.contains("executions  4"), "{}", r.stdout);
}

#[test]
fn memory_import_takes_input_like_export_takes_output() {
    let src = Env::new();
    src.run_stdin(
        &["memory", "create-entities", "--no-embed"],
        r#"{"entities":[{"name":"Ada","entityType":"person","observations":["wrote the first program"]}]}"#,
    )
    .ok();
    // .jsonl: export picks the format from the name, as import does.
    let file = src.path().join("memory.jsonl");
    src.run(&["memory", "export", "--output", file.to_str().unwrap()])
        .ok();

    let env = Env::new();
    env.run(&["memory", "import", "--input", file.to_str().unwrap()])
        .ok();
    let r = env.run(&["memory", "read-graph"]).ok();
    assert!(r.stdout.contains("wrote the first program"), "{}", r.stdout);
    env.run(&["memory", "import"]).code(2);
}

#[test]
fn the_daemon_logs_to_a_file_that_logrotate_can_move() {
    let env = Env::new();
    env.run(&["init"]).ok();
    let log = env.path().join("log/caxton/caxton.log");
    let d = start(
        &env,
        &[
            ("CAXTON_LOGGING_FILE", log.to_str().unwrap()),
            ("CAXTON_LOGGING_ROTATE", "never"),
        ],
    );
    let lines = |p: &std::path::Path| -> Vec<serde_json::Value> {
        std::fs::read_to_string(p)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
            .collect()
    };
    poll("a JSON log line in the file", || {
        (!lines(&log).is_empty()).then_some(())
    });
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&log).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode & 0o007, 0, "not world-readable: {mode:o}");

    // logrotate: move the file away, then SIGHUP; the daemon writes anew.
    let moved = log.with_extension("log.1");
    std::fs::rename(&log, &moved).unwrap();
    let before = lines(&moved).len();
    // SAFETY: signalling our own child process.
    assert_eq!(
        unsafe { libc::kill(d.child.id() as libc::pid_t, libc::SIGHUP) },
        0
    );
    poll("lines in the reopened file", || {
        d.get("/api/v1/health");
        (!lines(&log).is_empty()).then_some(())
    });
    assert_eq!(
        lines(&moved).len(),
        before,
        "nothing more goes to the moved file"
    );
    assert!(
        lines(&log).iter().any(|l| l.to_string().contains("SIGHUP")),
        "{:?}",
        lines(&log)
    );
}

#[test]
fn an_unwritable_log_file_stops_the_start_with_the_reason() {
    let env = Env::new();
    env.run(&["init"]).ok();
    let r = env
        .run(&[
            "server",
            "start",
            "--port",
            "0",
            "--log-file",
            "/proc/caxton/caxton.log",
        ])
        .code(3);
    assert!(
        r.stderr
            .contains("cannot write the log file /proc/caxton/caxton.log"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("logging.file"), "{}", r.stderr);
}
