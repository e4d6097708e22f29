//! The runbook's command lines that did not work as written: `--status
//! running`, a config-agent deploy with `--hot-reload --timeout 30s`,
//! `backup --embedded` without `--output`, `agents metrics` of a WASM agent
//! and `memory import --input`.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::recorded_llm::RecordedLlm;
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

/// Every `caxton …` command in a shell block of the runbook
/// (tests/fixtures/runbook/operations-runbook.md, a copy of the operators'
/// reference): (line number, the command as written). Continuation lines
/// are joined; a command ends where the shell would hand its output on
/// (`|`, `;`, `>`, `&&`, `||`, or the `)` / `'` that encloses it).
fn runbook_commands() -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(repo().join("tests/fixtures/runbook/operations-runbook.md"))
        .unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (mut out, mut shell, mut i) = (Vec::new(), false, 0);
    while i < lines.len() {
        let start = i;
        let fence = lines[i].trim_start();
        i += 1;
        if let Some(lang) = fence.strip_prefix("```") {
            shell = !shell && matches!(lang.trim(), "bash" | "sh");
            continue;
        }
        if !shell {
            continue;
        }
        let mut joined = lines[start].to_string();
        while joined.trim_end().ends_with('\\') && i < lines.len() {
            joined = format!(
                "{} {}",
                joined.trim_end().trim_end_matches('\\').trim_end(),
                lines[i].trim()
            );
            i += 1;
        }
        if joined.trim_start().starts_with('#') {
            continue;
        }
        let mut from = 0;
        while let Some(k) = joined[from..].find("caxton ").map(|k| k + from) {
            from = k + 1;
            let before = joined[..k].chars().last();
            let next = joined[k + 7..].chars().next();
            if !matches!(before, None | Some(' ' | '\t' | '(' | '!' | '\''))
                || !next.is_some_and(|c| c.is_ascii_lowercase())
            {
                continue;
            }
            let rest = &joined[k..];
            let end = match before {
                Some('(') => rest.find(')'),
                Some('\'') => rest.find('\''),
                _ => [" |", "; then", ";", " >", " 2>", " &&", " ||"]
                    .iter()
                    .filter_map(|t| rest.find(t))
                    .min(),
            };
            out.push((
                start + 1,
                rest[..end.unwrap_or(rest.len())].trim().to_string(),
            ));
        }
    }
    out
}

#[test]
fn the_runbook_commands_are_found_as_written() {
    let all = runbook_commands();
    let has = |c: &str| all.iter().any(|(_, x)| x == c);
    assert!(has("caxton storage verify --quick"), "{all:#?}");
    assert!(
        has(
            "caxton agents deploy \"$agent_name\" --source \"$agent_file\" --hot-reload --timeout 30s"
        ),
        "continuation lines are joined: {all:#?}"
    );
    assert!(
        has("caxton agents count --status running"),
        "inside $(…): {all:#?}"
    );
    assert!(
        has("caxton agents status --summary"),
        "inside '…': {all:#?}"
    );
    assert!(
        !all.iter()
            .any(|(_, c)| c.contains("caxton-backup") || c.contains('|')),
        "{all:#?}"
    );
    assert!(all.len() >= 65, "{} commands: {all:#?}", all.len());
}

/// Commands that need what a test cannot have; each with the reason.
const NOT_RUN: &[(&str, &str)] = &[
    (
        "caxton restore",
        "replaces the data directory of a stopped daemon: run by tests/it/backup.rs (emergency_restore)",
    ),
    (
        "qdrant",
        "needs a Qdrant server (none on loopback in the tests)",
    ),
];

/// Commands that keep running until stopped (watchers and monitors): they
/// pass when they are still running, or exited 0, after a moment.
const WATCHERS: &[&str] = &["--watch", "agents watch", "memory monitor"];

#[test]
fn every_runbook_command_exits_0_on_a_deployment_set_up_as_the_runbook_does() {
    let env = Env::new();
    // The runbook's deployment: a configured LLM provider (a replay on
    // loopback: the local model is too slow for a test on a loaded
    // machine), the data-analyzer config agent in the agents directory
    // with an earlier version to roll back to, a WASM agent, a running
    // daemon, and the paths it names mapped into the test's directory.
    let llm = RecordedLlm::start(&["openai/stream_text.http"; 8]);
    env.write("caxton.toml", &crate::agent_runs::server_llm(&llm));
    std::fs::create_dir_all(env.agents()).unwrap();
    let analyzer = repo().join("tests/fixtures/runbook/data-analyzer.toml");
    let current = std::fs::read_to_string(&analyzer).unwrap();
    let earlier = current.replace("version = \"1.0.0\"", "version = \"0.9.0\"");
    assert_ne!(current, earlier);
    std::fs::write(env.agents().join("data-analyzer.toml"), earlier).unwrap();
    let cwd = env.path().join("work");
    std::fs::create_dir_all(cwd.join("agents")).unwrap();
    std::fs::copy(&analyzer, cwd.join("agents/data-analyzer.toml")).unwrap();
    std::fs::write(
        cwd.join("agents/new-agent.toml"),
        agent("NewAgent", "0.1.0", ""),
    )
    .unwrap();
    let module = repo().join("agents/word-count.wasm");
    env.run(&[
        "agents",
        "deploy",
        "custom-algorithm-agent",
        "--source",
        module.to_str().unwrap(),
        "--capability",
        "custom-computation",
    ])
    .ok();
    let d = start(&env, &[]);
    poll("data-analyzer 0.9.0 running", || {
        let (_, a) = d.get("/api/v1/agents/data-analyzer");
        (a["status"] == "running" && a["version"] == "0.9.0").then_some(())
    });
    std::fs::copy(&analyzer, env.agents().join("data-analyzer.toml")).unwrap();
    poll("data-analyzer 1.0.0 running", || {
        let (_, a) = d.get("/api/v1/agents/data-analyzer");
        (a["status"] == "running" && a["version"] == "1.0.0").then_some(())
    });
    let mut daemon = Some(d);
    let backup_dir = env.path().join("backup/caxton");
    std::fs::create_dir_all(&backup_dir).unwrap();
    let bin_dir = env.path().join("bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    std::os::unix::fs::symlink(crate::common::bin(), bin_dir.join("caxton")).unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let data = format!("{}/", env.data().display());

    let mut failed = Vec::new();
    let mut ran = 0;
    for (line, command) in runbook_commands() {
        if let Some((_, why)) = NOT_RUN.iter().find(|(m, _)| command.contains(m)) {
            eprintln!("runbook:{line}: not run ({why}): {command}");
            continue;
        }
        // The runbook's emergency cases are separate scenarios: a repair
        // needs the daemon stopped (as its error says), and the data
        // corruption case ends with safe mode turned off again.
        if command == "caxton storage repair --emergency"
            && let Some(d) = daemon.take()
        {
            stop_daemon(&env, d);
        }
        if command == "caxton memory emergency-diagnosis" {
            env.run(&["storage", "safe-mode", "--disable"]).ok();
        }
        let script = command
            .replace("/var/lib/caxton/", &data)
            .replace("/backup/", &format!("{}/backup/", env.path().display()));
        // The test's environment (env.cmd()), run by bash as the runbook's
        // shell does, with the variables its functions set.
        let mut cmd = Command::new("bash");
        cmd.env_clear();
        for (k, v) in env.cmd().get_envs() {
            if let Some(v) = v {
                cmd.env(k, v);
            }
        }
        // Run from a work directory (for the runbook's `./agents/…` paths),
        // so the config is named as the runbook's Compose file does.
        cmd.current_dir(&cwd)
            .env("CAXTON_CONFIG", env.path().join("caxton.toml"))
            .env("PATH", &path)
            .env("agent_name", "data-analyzer")
            .env("agent", "data-analyzer")
            .env("agent_file", env.agents().join("data-analyzer.toml"))
            .env("timeout", "5")
            .env("BACKUP_DIR", &backup_dir)
            .env("BACKUP_FILE", "caxton-backup-test.tar.gz")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("run bash");
        let watcher = WATCHERS.iter().any(|w| command.contains(w));
        let end = Instant::now()
            + if watcher {
                Duration::from_secs(2)
            } else {
                Duration::from_secs(60)
            };
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break Some(s);
            }
            if Instant::now() > end {
                let _ = child.kill();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let out = child.wait_with_output().unwrap();
        ran += 1;
        let ok = match status {
            Some(s) => s.success(),
            None => watcher,
        };
        if !ok {
            failed.push(format!(
                "runbook:{line}: `{command}` -> {}\n{}{}",
                status.map_or("still running after 60 s".into(), |s| s.to_string()),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(ran >= 60, "{ran} commands ran");
    assert!(
        failed.is_empty(),
        "{} of {ran} failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
    drop(daemon);
}

/// `caxton shutdown`, then wait for the daemon to exit.
fn stop_daemon(env: &Env, mut d: crate::daemon::Daemon) {
    env.run(&["shutdown"]).ok();
    poll("the daemon to exit", || d.child.try_wait().unwrap());
}
