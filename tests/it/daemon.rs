//! The daemon through the real binary on loopback: the runbook's endpoint
//! shapes, WASM deploy → execute, errors, hot reload, graceful shutdown
//! during an execution, one daemon per data dir, and the bearer token.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::common::recorded_llm::RecordedLlm;
use crate::common::{DeadPort, Env, abi_module, agent, repo};
use serde_json::{Value, json};

/// Generous: these poll a real process on a shared 2-core machine.
pub(crate) const DEADLINE: Duration = Duration::from_secs(20);

pub(crate) struct Daemon {
    pub(crate) child: Child,
    pub(crate) url: String,
    pub(crate) http: reqwest::blocking::Client,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[track_caller]
pub(crate) fn poll<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let end = Instant::now() + DEADLINE;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Start `caxton server start --port 0` and wait until it is ready.
pub(crate) fn start(env: &Env, extra_env: &[(&str, &str)]) -> Daemon {
    let d = spawn(env, extra_env);
    poll("/api/v1/ready", || {
        (d.get("/api/v1/ready").0 == 200).then_some(())
    });
    d
}

/// Start `caxton server start --port 0` and wait until it has bound its
/// port (it may still be loading its agents).
pub(crate) fn spawn(env: &Env, extra_env: &[(&str, &str)]) -> Daemon {
    let mut cmd = env.cmd();
    cmd.args(["server", "start", "--port", "0"])
        .env("CAXTON_SERVER_METRICS_PORT", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().expect("start daemon");
    let url_file = env.data().join("run/caxton.url");
    let url = poll("run/caxton.url", || {
        std::fs::read_to_string(&url_file)
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    });
    Daemon {
        child,
        url,
        http: caxton::http::client_builder().build().unwrap(),
    }
}

impl Daemon {
    pub(crate) fn send(&self, req: reqwest::blocking::RequestBuilder) -> (u16, Value, String) {
        let resp = req.send().expect("request");
        let status = resp.status().as_u16();
        let rid = resp
            .headers()
            .get("x-request-id")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = resp.bytes().unwrap();
        let v = serde_json::from_slice(&body)
            .unwrap_or(Value::String(String::from_utf8_lossy(&body).into_owned()));
        (status, v, rid)
    }

    pub(crate) fn get(&self, path: &str) -> (u16, Value) {
        let (s, v, _) = self.send(self.http.get(format!("{}{path}", self.url)));
        (s, v)
    }

    pub(crate) fn post(&self, path: &str, body: &str) -> (u16, Value, String) {
        self.send(
            self.http
                .post(format!("{}{path}", self.url))
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
    }

    fn agent(&self, id: &str) -> Value {
        let (s, v) = self.get(&format!("/api/v1/agents/{id}"));
        if s == 200 { v } else { Value::Null }
    }
}

/// A WASM module that runs for `ms` milliseconds of wall time, then answers.
pub(crate) fn slow_module(ms: u64) -> Vec<u8> {
    spinning_module(ms, r#"{"done":true}"#)
}

/// A WASM module that spins `ms` milliseconds of wall time, then answers
/// `answer` (JSON text without quotes needing escapes beyond `"`).
pub(crate) fn spinning_module(ms: u64, answer: &str) -> Vec<u8> {
    let len = answer.len();
    let data = answer.replace('"', "\\\"");
    abi_module(
        &format!(
            r#"(import "caxton" "now_ms" (func $now (result i64)))
               (data (i32.const 2048) "{data}")"#
        ),
        &format!(
            "(local $t i64)
             call $now local.set $t
             (block $done (loop $spin
               call $now local.get $t i64.sub i64.const {ms} i64.ge_s br_if $done
               br $spin))
             i64.const 2048 i64.const 32 i64.shl i64.const {len} i64.or"
        ),
    )
}

pub(crate) fn deploy_body(name: &str, module: &[u8]) -> String {
    use base64::Engine;
    json!({
        "name": name,
        "type": "wasm",
        "wasm_module": base64::engine::general_purpose::STANDARD.encode(module),
        "resource_limits": {"max_memory_bytes": 10485760, "max_cpu_millis": 5000, "max_execution_time_ms": 10000},
        "capabilities": ["custom-computation"],
        "security_policy": {"network_access": false, "file_system_access": false}
    })
    .to_string()
}

#[test]
fn runbook_endpoints_have_the_documented_shapes() {
    let env = Env::new();
    // Its provider is down, so executing it goes through the run loop to a
    // classified provider error without waiting on a model.
    let down = DeadPort::new();
    env.write(
        "data/agents/data-analyzer.toml",
        &agent(
            "DataAnalyzer",
            "1.0.0",
            &format!(
                "[llm]\nprovider = \"openai\"\nbase_url = \"{}\"\n",
                down.url("/v1")
            ),
        ),
    );
    let d = start(&env, &[]);

    let (s, h) = d.get("/api/v1/health");
    assert_eq!(s, 200);
    assert_eq!(h["status"], "healthy");
    assert_eq!(h["memory_backend"], "embedded");
    assert_eq!(h["agents"], 1);

    let (_, det) = d.get("/api/v1/health/detailed");
    assert_eq!(det["components"]["sqlite_db"], "ok");
    assert_eq!(det["components"]["memory_system"], "ok");
    assert_eq!(det["components"]["agents"], json!({"config": 1, "wasm": 0}));
    assert!(det["uptime_seconds"].is_u64());
    assert!(det["components"]["embedding_model"].is_string());

    let (_, mem) = d.get("/api/v1/health/memory");
    assert_eq!(mem["sqlite_status"], "ok");
    assert_eq!(mem["entities"], 0);
    let (_, ag) = d.get("/api/v1/health/agents");
    assert_eq!(
        ag,
        json!({"config_agents": 1, "wasm_agents": 0, "failing": 0, "failed": 0, "running": 1})
    );
    let (_, res) = d.get("/api/v1/health/resources");
    assert!(res["memory_mb"].as_f64().unwrap() > 1.0, "{res}");
    assert!(res["disk_gb"].as_f64().unwrap() > 0.0, "{res}");
    assert!(res["disk_free_bytes"].as_u64().unwrap() > 0, "{res}");
    // CPU figures move when the daemon works: a guest spinning 400 ms.
    let cpu_before = res["cpu_seconds_total"].as_f64().unwrap();
    let (s, v, _) = d.post("/api/v1/agents", &deploy_body("burn", &slow_module(400)));
    assert_eq!(s, 201, "{v}");
    let (s, v, _) = d.post("/api/v1/agents/burn/execute", r#"{"input": null}"#);
    assert_eq!(s, 200, "{v}");
    let (_, res) = d.get("/api/v1/health/resources");
    assert!(
        res["cpu_seconds_total"].as_f64().unwrap() > cpu_before,
        "before {cpu_before}: {res}"
    );
    // Sampled every 2 s: the interval holding the burn shows a share.
    poll("cpu_percent > 0", || {
        let (_, res) = d.get("/api/v1/health/resources");
        (res["cpu_percent"].as_f64().unwrap() > 0.0).then_some(())
    });
    let (s, _, _) = d.send(d.http.delete(format!("{}/api/v1/agents/burn", d.url)));
    assert_eq!(s, 200);

    // The runbook's WASM sequence: deploy, find the id by name, show, execute.
    let (s, deployed, _) = d.post(
        "/api/v1/agents",
        &deploy_body(
            "custom-algorithm-agent",
            &std::fs::read(repo().join("agents/word-count.wasm")).unwrap(),
        ),
    );
    assert_eq!(s, 201, "{deployed}");
    let (_, list) = d.get("/api/v1/agents");
    let id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "custom-algorithm-agent")
        .map(|a| a["id"].as_str().unwrap().to_string())
        .expect("listed by name");
    for a in list.as_array().unwrap() {
        for k in ["id", "name", "type", "status", "capabilities"] {
            assert!(!a[k].is_null(), "{k} missing in {a}");
        }
    }
    let one = d.agent(&id);
    assert_eq!(one["type"], "wasm");
    assert_eq!(one["status"], "running");
    let (s, run, _) = d.post(
        &format!("/api/v1/agents/{id}/execute"),
        r#"{"input": "test computation"}"#,
    );
    assert_eq!(s, 200, "{run}");
    assert_eq!(run["output"]["words"], 2);

    let (_, metrics) = d.get("/api/v1/metrics");
    let text = metrics.as_str().unwrap();
    for name in [
        "caxton_server_uptime_seconds",
        "caxton_server_restarts_total",
        "caxton_server_request_duration_seconds_bucket",
        "caxton_agents_config_total 1",
        "caxton_agents_wasm_total 1",
        "caxton_agents_failed_total 0",
        "caxton_agent_response_duration_seconds_count",
        "caxton_wasm_agent_executions_total{outcome=\"ok\"} 2",
        "caxton_wasm_agent_fuel_consumed_total",
        "caxton_memory_entities_total 0",
        "caxton_memory_search_latency_seconds",
        "caxton_memory_usage_percentage",
        "caxton_llm_request_duration_seconds",
        "caxton_build_info",
    ] {
        assert!(text.contains(name), "{name} missing:\n{text}");
    }
    check_exposition(text);

    // Errors: one shape, matching status, request id in header and body.
    let (s, e, rid) = d.post("/api/v1/agents/nope/execute", r#"{"input": 1}"#);
    assert_eq!(s, 404);
    assert_eq!(e["error"]["code"], "agent_not_found");
    assert_eq!(e["error"]["request_id"], rid.as_str());
    assert!(e["error"]["hint"].is_string());
    let (s, e, _) = d.post(&format!("/api/v1/agents/{id}/execute"), r#"{"input": "#);
    assert_eq!(s, 400);
    assert_eq!(e["error"]["code"], "bad_request");
    let (s, e, _) = d.post("/api/v1/agents/data-analyzer/execute", r#"{"input": "x"}"#);
    assert_eq!(s, 502, "{e}");
    assert_eq!(e["error"]["code"], "llm_connection");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&down.url("/v1")),
        "{e}"
    );

    // Undeploy.
    let (s, _, _) = d.send(d.http.delete(format!("{}/api/v1/agents/{id}", d.url)));
    assert_eq!(s, 200);
    assert_eq!(d.get(&format!("/api/v1/agents/{id}")).0, 404);
}

/// The text exposition format: every sample belongs to a declared family
/// (a histogram's `_bucket/_sum/_count`), counters end in `_total`, and
/// `promtool check metrics` passes when it is installed (Debian: prometheus).
fn check_exposition(text: &str) {
    let mut families: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (n, t) = rest.split_once(' ').unwrap();
            if t == "counter" {
                assert!(n.ends_with("_total"), "counter {n} without _total");
            }
            families.push((n.into(), t.into()));
        } else if !line.starts_with('#') && !line.is_empty() {
            let name = line.split(['{', ' ']).next().unwrap();
            let ok = families.iter().any(|(f, t)| {
                name == f
                    || (t == "histogram"
                        && [
                            format!("{f}_bucket"),
                            format!("{f}_sum"),
                            format!("{f}_count"),
                        ]
                        .contains(&name.to_string()))
            });
            assert!(ok, "sample {name} has no # TYPE");
            let value = line.rsplit(' ').next().unwrap();
            assert!(value.parse::<f64>().is_ok(), "bad value in {line}");
        }
    }
    let promtool = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    match promtool {
        Err(_) => crate::common::skip(
            "CAXTON_REQUIRE_ALL",
            "promtool is not installed (Debian: apt-get install prometheus)",
        ),
        Ok(mut p) => {
            use std::io::Write;
            p.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
            let out = p.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "promtool: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn agent_files_hot_reload_and_a_broken_file_keeps_the_old_version() {
    let env = Env::new();
    let d = start(&env, &[]);
    let file = env.agents().join("hot.toml");
    let status = |want: &str| {
        poll(want, || {
            let a = d.agent("hot");
            (a["status"] == want).then_some(a)
        })
    };
    paths_write(&file, &agent("Hot", "1.0.0", ""));
    let a = status("running");
    assert_eq!(a["version"], "1.0.0");

    paths_write(
        &file,
        "name = \"Hot\"\nversion = \"1.1.0\"\ncapabilities = [\"testing\"\n",
    );
    let a = status("failing");
    assert_eq!(a["version"], "1.0.0", "the last good version stays live");
    let err = a["error"].as_str().unwrap();
    assert!(
        err.contains("hot.toml:") && err.contains("TOML parse error"),
        "{err}"
    );
    let (s, p) = d.get("/api/v1/agents/hot/ping");
    assert_eq!(s, 200, "{p}");
    assert!(
        has_event(&d, "hot", "kept", "1.0.0"),
        "{:#}",
        d.get("/api/v1/reload-status").1
    );

    paths_write(&file, &agent("Hot", "1.2.0", ""));
    let a = poll("1.2.0 live", || {
        let a = d.agent("hot");
        (a["version"] == "1.2.0").then_some(a)
    });
    assert_eq!(a["status"], "running");
    assert!(a["error"].is_null());

    // Deleted: gone. The directory removed and recreated: watched again.
    std::fs::remove_file(&file).unwrap();
    poll("hot removed", || d.agent("hot").is_null().then_some(()));
    assert!(has_event(&d, "hot", "removed", ""));
    std::fs::remove_dir_all(env.agents()).unwrap();
    std::fs::create_dir(env.agents()).unwrap();
    // Writes are retried until the re-armed watch (or a rescan) sees one.
    poll("agent in a recreated directory", || {
        paths_write(&env.agents().join("back.toml"), &agent("Back", "1.0.0", ""));
        (d.agent("back")["status"] == "running").then_some(())
    });
    assert!(has_event(&d, "back", "loaded", "1.0.0"));
}

/// Whether `reload-status` lists an event `outcome` for `agent` (at
/// `version`, unless empty).
fn has_event(d: &Daemon, agent: &str, outcome: &str, version: &str) -> bool {
    let (_, status) = d.get("/api/v1/reload-status");
    status["events"].as_array().unwrap().iter().any(|e| {
        e["agent"] == agent
            && e["outcome"] == outcome
            && (version.is_empty() || e["version"] == version)
    })
}

fn paths_write(path: &std::path::Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[test]
fn graceful_shutdown_waits_for_a_running_execution() {
    let env = Env::new();
    let d = start(&env, &[]);
    let (s, v, _) = d.post("/api/v1/agents", &deploy_body("slow", &slow_module(1500)));
    assert_eq!(s, 201, "{v}");
    let url = d.url.clone();
    let running = std::thread::spawn(move || {
        caxton::http::client_builder()
            .build()
            .unwrap()
            .post(format!("{url}/api/v1/agents/slow/execute"))
            .header("content-type", "application/json")
            .body(r#"{"input": null}"#)
            .send()
            .and_then(|r| r.text())
    });
    // Shut down once the execution is in flight.
    poll("execution in flight", || {
        let (_, h) = d.get("/api/v1/health/detailed");
        (h["executions_in_flight"] == 1).then_some(())
    });
    let r = env
        .run(&["shutdown", "--graceful", "--timeout", "30s"])
        .ok();
    assert!(r.stdout.contains("stopped"), "{}", r.stdout);
    let answer = running.join().unwrap().expect("the execution completed");
    assert!(answer.contains("\"done\":true"), "{answer}");
    let mut d = d;
    let status = d.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(!env.data().join("run/caxton.pid").exists());
    assert!(!env.data().join("run/caxton.url").exists());
    env.run(&["server", "status"]).code(6);
}

#[test]
fn one_daemon_per_data_dir_and_limits_and_auth() {
    let env = Env::new();
    let d = start(
        &env,
        &[
            ("CAXTON_SERVER_MAX_BODY_BYTES", "1024"),
            ("CAXTON_SERVER_AUTH_TOKEN", "s3cret-token"),
        ],
    );
    // A second daemon on the same data dir is refused with exit 6.
    let second = env.run(&["server", "start", "--port", "0"]);
    assert_eq!(second.code, 6, "{}", second.all());
    assert!(
        second.stderr.contains("in use by a Caxton daemon"),
        "{}",
        second.stderr
    );

    // Health stays open; everything else needs the token.
    assert_eq!(d.get("/api/v1/health").0, 200);
    let (s, e) = d.get("/api/v1/agents");
    assert_eq!(s, 401);
    assert_eq!(e["error"]["code"], "unauthorized");
    let ok = d.send(
        d.http
            .get(format!("{}/api/v1/agents", d.url))
            .bearer_auth("s3cret-token"),
    );
    assert_eq!(ok.0, 200);
    // The CLI sends the configured token to a protected endpoint (and
    // without one the same call is refused).
    let summary = |token: Option<&str>| {
        let mut c = env.cmd();
        c.args(["agents", "status", "--summary", "--json"]);
        if let Some(t) = token {
            c.env("CAXTON_SERVER_AUTH_TOKEN", t);
        }
        crate::common::finish(c.output().unwrap())
    };
    let with = summary(Some("s3cret-token")).ok().json();
    assert_eq!(with["total"], 0, "{with}");
    let without = summary(None);
    assert_ne!(without.code, 0, "{}", without.all());
    assert!(
        without.all().contains("401") || without.all().to_lowercase().contains("token"),
        "{}",
        without.all()
    );

    let big = format!(r#"{{"input": "{}"}}"#, "x".repeat(4096));
    let (s, e, _) = d.send(
        d.http
            .post(format!("{}/api/v1/agents/any/execute", d.url))
            .bearer_auth("s3cret-token")
            .header("content-type", "application/json")
            .body(big),
    );
    assert_eq!(s, 413, "{e}");
    assert_eq!(e["error"]["code"], "payload_too_large");

    // Binding beyond loopback without a token is refused before binding.
    let env2 = Env::new();
    let r = env2.run(&["server", "start", "--host", "0.0.0.0", "--port", "0"]);
    assert_eq!(r.code, 3, "{}", r.all());
    assert!(r.stderr.contains("needs a bearer token"), "{}", r.stderr);
}

/// Columns of the `agents list --detailed` row whose first cell is `name`.
fn detailed_row(stdout: &str, name: &str) -> Vec<String> {
    stdout
        .lines()
        .map(|l| l.split_whitespace().map(String::from).collect::<Vec<_>>())
        .find(|c| c.first().is_some_and(|n| n == name))
        .unwrap_or_else(|| panic!("no row {name} in:\n{stdout}"))
}

/// `caxton agents deploy ID --source FILE --hot-reload` of a new 1.0.0 agent.
fn hot_deploy(env: &Env, name: &str) -> crate::common::Run {
    let id = name.to_lowercase();
    let src = env.write(&format!("src/{id}.toml"), &agent(name, "1.0.0", ""));
    let src = src.to_str().unwrap();
    env.run(&["agents", "deploy", &id, "--source", src, "--hot-reload"])
}

#[test]
fn live_agent_commands_with_and_without_the_daemon() {
    let env = Env::new();
    std::fs::create_dir_all(env.agents()).unwrap();
    paths_write(&env.agents().join("hot.toml"), &agent("Hot", "1.0.0", ""));

    // No daemon: live-only commands exit 6 and say how to start it.
    for args in [
        &["agents", "status", "hot"][..],
        &["agents", "ping", "hot"],
        &["agents", "reload", "hot"],
        &["agents", "reload-status"],
        &["agents", "status", "--summary"],
    ] {
        let r = env.run(args).code(6);
        assert!(
            r.stderr.contains("caxton server start"),
            "{args:?}: {}",
            r.stderr
        );
    }
    let r = env.run(&["agents", "list", "--detailed"]).ok();
    assert!(r.stderr.contains("daemon not running"), "{}", r.stderr);
    let row = detailed_row(&r.stdout, "Hot");
    assert_eq!(
        row[1..6],
        ["config", "deployed", "-", "-", "-"],
        "{}",
        r.stdout
    );
    let r = env
        .run(&["agents", "show", "hot", "--include-metrics"])
        .ok();
    assert!(
        r.stdout.contains("live metrics: daemon not running"),
        "{}",
        r.stdout
    );
    let r = hot_deploy(&env, "Early").ok();
    assert!(r.stdout.contains("daemon not running"), "{}", r.stdout);

    let d = start(&env, &[]);
    for id in ["hot", "early"] {
        poll(id, || (d.agent(id)["status"] == "running").then_some(()));
    }
    let r = env.run(&["agents", "list", "--detailed"]).ok();
    assert!(r.stdout.starts_with("NAME"), "{}", r.stdout);
    let row = detailed_row(&r.stdout, "Hot");
    assert_eq!(row[1..3], ["config", "running"], "{}", r.stdout);
    assert_ne!(row[3], "-", "uptime: {}", r.stdout);
    for col in &row[4..6] {
        col.parse::<f64>()
            .unwrap_or_else(|_| panic!("not a number: {col} in {}", r.stdout));
    }
    assert!(!r.stderr.contains("daemon not running"), "{}", r.stderr);

    let r = env.run(&["agents", "status", "hot"]).ok();
    assert!(r.stdout.contains("hot running 1.0.0"), "{}", r.stdout);
    let s = env
        .run(&["agents", "status", "--summary", "--json"])
        .ok()
        .json();
    assert_eq!(s["total"], 2, "{s}");
    assert_eq!(s["by_status"]["running"], 2, "{s}");
    assert_eq!(s["by_type"]["config"], 2, "{s}");
    let r = env.run(&["agents", "ping", "hot", "--timeout", "5s"]).ok();
    assert!(r.stdout.contains("hot responded"), "{}", r.stdout);
    let r = env.run(&["agents", "status", "nosuch"]).code(4);
    assert!(r.stderr.contains("nosuch"), "{}", r.stderr);
    env.run(&["agents", "ping", "nosuch"]).code(4);

    // deploy --hot-reload: live when the command returns.
    let r = hot_deploy(&env, "Fresh").ok();
    assert!(r.stdout.contains("fresh running 1.0.0"), "{}", r.stdout);
    assert_eq!(d.agent("fresh")["status"], "running");
    let show = env
        .run(&["agents", "show", "fresh", "--include-metrics", "--json"])
        .ok()
        .json();
    assert_eq!(show["live"]["status"], "running", "{show}");
    assert!(show["live"]["memory_mb"].is_number(), "{show}");

    // A broken file with --staged --rollback-on-error: the deployed version
    // is restored on disk and live, and the exit code says the reload failed.
    let rescans = |r: &serde_json::Value| r["rescans"].as_u64().unwrap();
    let before = rescans(&env.run(&["agents", "reload-status", "--json"]).ok().json());
    let file = env.agents().join("fresh.toml");
    paths_write(
        &file,
        "name = \"Fresh\"\nversion = \"2.0.0\"\ncapabilities = [\"testing\"\n",
    );
    let r = env
        .run(&[
            "agents",
            "reload",
            "fresh",
            "--staged",
            "--rollback-on-error",
        ])
        .code(3);
    assert!(
        r.stdout.contains("rolled back fresh to 1.0.0"),
        "{}",
        r.all()
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        agent("Fresh", "1.0.0", "")
    );
    poll("fresh 1.0.0 running", || {
        let a = d.agent("fresh");
        (a["status"] == "running" && a["version"] == "1.0.0").then_some(())
    });
    // Without rollback the invalid file is refused before the daemon is asked.
    paths_write(
        &file,
        "name = \"Fresh\"\nversion = \"2.0.0\"\ncapabilities = [\"testing\"\n",
    );
    let r = env.run(&["agents", "reload", "fresh", "--staged"]).code(3);
    assert!(r.stderr.contains("fresh.toml:"), "{}", r.stderr);
    let r = env
        .run(&["agents", "reload", "--all-config", "--validate-first"])
        .code(3);
    assert!(r.stderr.contains("fresh.toml:"), "{}", r.stderr);
    let r = env.run(&["agents", "reload-status", "--json"]).ok().json();
    assert!(
        rescans(&r) > before,
        "the reloads rescanned: {before} then {r}"
    );
    let fresh: Vec<_> = r["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["agent"] == "fresh")
        .collect();
    assert!(
        fresh
            .iter()
            .any(|e| e["outcome"] == "loaded" && e["version"] == "1.0.0"),
        "{r:#}"
    );
}

/// `caxton agents watch` as a child whose stdout is collected by a thread.
struct Watcher {
    child: Child,
    out: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Watcher {
    fn spawn(env: &Env, args: &[&str]) -> Watcher {
        let mut child = env
            .cmd()
            .args(["agents", "watch"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start agents watch");
        let out = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (stdout, sink) = (child.stdout.take().unwrap(), out.clone());
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        Watcher { child, out }
    }

    fn text(&self) -> String {
        self.out.lock().unwrap().clone()
    }

    #[track_caller]
    fn wait_for(&self, what: &str) -> String {
        poll(what, || {
            let t = self.text();
            t.contains(what).then_some(t)
        })
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn agents_watch_validates_changes_and_reloads_the_daemon() {
    let env = Env::new();
    let dev = env.path().join("dev");
    std::fs::create_dir_all(&dev).unwrap();
    let dir = dev.to_str().unwrap();
    let w = Watcher::spawn(
        &env,
        &[dir, "--auto-reload", "--ignore-errors", "--log-changes"],
    );
    let file = dev.join("w.toml");
    // Written until seen: the watch may not be armed yet.
    poll("broken file reported", || {
        paths_write(
            &file,
            "name = \"W\"\nversion = \"1.0.0\"\ncapabilities = [\"testing\"\n",
        );
        w.text().contains("1 invalid").then_some(())
    });
    let t = w.text();
    assert!(t.contains("changed ") && t.contains("w.toml"), "{t}");
    assert!(
        t.lines()
            .any(|l| l.contains("w.toml:2:") || l.contains("w.toml:3:") || l.contains("w.toml:4:")),
        "an error with file:line:col: {t}"
    );
    paths_write(&file, &agent("W", "1.0.0", ""));
    let t = w.wait_for("1 valid, 0 invalid");
    assert!(t.contains("daemon not running: w not reloaded"), "{t}");
    drop(w);

    // With a daemon: the changed agent is reloaded live.
    let d = start(&env, &[]);
    let w = Watcher::spawn(&env, &[env.agents().to_str().unwrap(), "--auto-reload"]);
    let live = env.agents().join("dev.toml");
    poll("dev reloaded by the watch", || {
        paths_write(&live, &agent("Dev", "1.0.0", ""));
        w.text().contains("dev running 1.0.0").then_some(())
    });
    assert_eq!(d.agent("dev")["status"], "running");
    drop(w);

    // Without --ignore-errors the first invalid file ends the watch with exit 3.
    paths_write(&dev.join("bad.toml"), "name = \"Bad\"\n[[[");
    let mut w = Watcher::spawn(&env, &[dir]);
    let status = poll("watch exits", || w.child.try_wait().unwrap());
    assert_eq!(status.code(), Some(3), "{}", w.text());
    assert!(w.text().contains("bad.toml"), "{}", w.text());
}

#[test]
fn message_send_goes_through_the_running_daemon() {
    let env = Env::new();
    let d = start(&env, &[]);
    // Deployed through the API: the daemon's messenger learns the
    // capability on the rescan that follows.
    let (s, deployed, _) = d.post(
        "/api/v1/agents",
        &deploy_body(
            "counter",
            &std::fs::read(repo().join("agents/word-count.wasm")).unwrap(),
        ),
    );
    assert_eq!(s, 201, "{deployed}");
    let sent = env
        .run(&[
            "message",
            "send",
            "--capability",
            "custom-computation",
            "--content",
            r#"{"text": "one two three"}"#,
            "--wait",
            "20s",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(sent["receivers"], json!(["counter"]), "{sent}");
    assert_eq!(sent["reply"]["performative"], "inform", "{sent}");
    // The daemon (not a CLI process) routed it: its own counters saw it.
    let metrics = d
        .http
        .get(format!("{}/metrics", d.url))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        metrics.contains(r#"caxton_messages_total{performative="request",outcome="accepted"} 1"#),
        "{metrics}"
    );
    let (s, conv) = d.get(&format!(
        "/api/v1/conversations/{}",
        sent["conversation_id"].as_str().unwrap()
    ));
    assert_eq!(s, 200, "{conv}");
    assert_eq!(conv["messages"].as_array().unwrap().len(), 2, "{conv}");
}

/// A config agent answered by the replayed provider at `llm`, whose system
/// prompt names its `version`.
fn llm_agent(name: &str, version: &str, base_url: &str) -> String {
    format!(
        "name = \"{name}\"\nversion = \"{version}\"\ncapabilities = [\"testing\"]\ntools = []\n\
         system_prompt = \"You are {name} version {version}.\"\n\
         [llm]\nprovider = \"openai\"\nbase_url = \"{base_url}\"\nmodel = \"test-model\"\n"
    )
}

/// The system prompt of the `i`th request the provider received.
fn system_prompt(llm: &RecordedLlm, i: usize) -> String {
    let got = llm.received();
    let req = got
        .get(i)
        .unwrap_or_else(|| panic!("request {i} of {got:#?}"));
    req.body["messages"][0]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_broken_file_keeps_the_last_good_version_executing() {
    let env = Env::new();
    let llm = RecordedLlm::start(&[
        "openai/stream_text.http",
        "openai/stream_text.http",
        "openai/stream_text.http",
    ]);
    let base = llm.url("/v1");
    let file = env.agents().join("hot.toml");
    std::fs::create_dir_all(env.agents()).unwrap();
    paths_write(&file, &llm_agent("Hot", "1.0.0", &base));
    let d = start(&env, &[]);
    let execute = || {
        let (s, v, _) = d.post("/api/v1/agents/hot/execute", r#"{"input": "hi"}"#);
        assert_eq!(s, 200, "{v}");
    };
    execute();
    assert!(
        system_prompt(&llm, 0).contains("version 1.0.0"),
        "{}",
        system_prompt(&llm, 0)
    );

    paths_write(&file, "name = \"Hot\"\nversion = \"2.0.0\"\n[[[");
    poll("hot failing", || {
        (d.agent("hot")["status"] == "failing").then_some(())
    });
    execute();
    let prompt = system_prompt(&llm, 1);
    assert!(
        prompt.contains("version 1.0.0"),
        "the old version ran: {prompt}"
    );

    paths_write(&file, &llm_agent("Hot", "1.1.0", &base));
    poll("1.1.0 live", || {
        (d.agent("hot")["version"] == "1.1.0").then_some(())
    });
    execute();
    assert!(
        system_prompt(&llm, 2).contains("version 1.1.0"),
        "{}",
        system_prompt(&llm, 2)
    );
}

#[test]
fn the_daemon_lock_is_released_when_the_daemon_is_killed() {
    let env = Env::new();
    let mut d = start(&env, &[]);
    // While it runs, the lock keeps maintenance out.
    env.run(&["storage", "repair"]).code(6);
    d.child.kill().unwrap(); // SIGKILL: no cleanup code runs.
    d.child.wait().unwrap();
    // The kernel dropped the flock with the process.
    env.run(&["storage", "repair"]).ok();
    // The stale URL file is left behind by kill -9; a new daemon replaces it.
    std::fs::remove_file(env.data().join("run/caxton.url")).unwrap();
    let again = start(&env, &[]);
    assert_eq!(again.get("/api/v1/health").0, 200);
}

#[test]
fn sighup_reloads_the_config() {
    let env = Env::new();
    let (first, second) = (DeadPort::new(), DeadPort::new());
    let config = |url: &str| {
        env.write(
            "caxton.toml",
            &format!(
                "[llm]\nprovider = \"openai\"\n[llm.providers.openai]\nbase_url = \"{url}\"\nmodel = \"m\"\n"
            ),
        );
    };
    config(&first.url("/v1"));
    std::fs::create_dir_all(env.agents()).unwrap();
    paths_write(&env.agents().join("a.toml"), &agent("A", "1.0.0", ""));
    let mut d = start(&env, &[]);
    let provider_in_error = || {
        let (s, e, _) = d.post("/api/v1/agents/a/execute", r#"{"input": "x"}"#);
        assert_eq!(s, 502, "{e}");
        e["error"]["message"].as_str().unwrap().to_string()
    };
    assert!(provider_in_error().contains(&first.url("/v1")));

    config(&second.url("/v1"));
    let pid = d.child.id() as libc::pid_t;
    // SAFETY: signalling our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGHUP) }, 0);
    poll("the new provider URL in use", || {
        provider_in_error()
            .contains(&second.url("/v1"))
            .then_some(())
    });
    let (_, status) = d.get("/api/v1/reload-status");
    assert!(status["rescans"].as_u64().unwrap() >= 2, "{status}");
    assert!(
        d.child.try_wait().unwrap().is_none(),
        "SIGHUP must not stop it"
    );
}

#[test]
fn ready_is_503_until_the_agents_are_loaded() {
    let env = Env::new();
    env.run(&["init"]).ok();
    // Hold the database's write lock: the daemon binds and answers, but
    // loading the agents waits on the lock (up to SQLite's 10 s busy
    // timeout), so it must not claim to be ready until the lock is let go.
    let db = rusqlite::Connection::open(env.data().join("caxton.db")).unwrap();
    db.execute_batch("BEGIN IMMEDIATE").unwrap();
    let d = spawn(&env, &[]);
    assert_eq!(d.get("/api/v1/health").0, 200, "alive while loading");
    let (s, r) = d.get("/api/v1/ready");
    assert_eq!(s, 503, "{r}");
    assert_eq!(r["ready"], false, "{r}");
    db.execute_batch("COMMIT").unwrap();
    let r = poll("ready once loaded", || {
        let (s, r) = d.get("/api/v1/ready");
        (s == 200).then_some(r)
    });
    assert_eq!(r["ready"], true, "{r}");
    assert_eq!(r["agents"], 3, "the example agents are loaded: {r}");
}

#[test]
fn writes_are_503_in_safe_mode() {
    let env = Env::new();
    let d = start(&env, &[]);
    let module = std::fs::read(repo().join("agents/word-count.wasm")).unwrap();
    env.run(&["storage", "safe-mode", "--enable"]).ok();
    let (s, e, _) = d.post("/api/v1/agents", &deploy_body("wc", &module));
    assert_eq!(s, 503, "{e}");
    assert_eq!(e["error"]["code"], "safe_mode", "{e}");
    let (_, h) = d.get("/api/v1/health");
    assert_eq!(h["status"], "degraded", "{h}");
    env.run(&["storage", "safe-mode", "--disable"]).ok();
    let (s, e, _) = d.post("/api/v1/agents", &deploy_body("wc", &module));
    assert_eq!(s, 201, "{e}");
}

#[test]
fn undelivered_messages_are_delivered_when_the_daemon_starts() {
    let env = Env::new();
    let wc = repo().join("agents/word-count.wasm").display().to_string();
    env.run(&[
        "agents",
        "deploy",
        "word-count",
        "--source",
        &wc,
        "--capability",
        "text-stats",
    ])
    .ok();
    // What a crash between "stored" and "delivered" leaves behind.
    let db = rusqlite::Connection::open(env.data().join("caxton.db")).unwrap();
    db.execute_batch(
        "INSERT INTO conversations (id, initiator, capability, message_count, created_at, updated_at)
             VALUES ('conv-crash', 'cli', 'text-stats', 1, 1, 1);
         INSERT INTO messages (message_id, performative, sender, receiver, capability, content,
                               conversation_id, created_at, depth, state)
             VALUES ('m-1', 'request', 'cli', 'word-count', 'text-stats', '\"a b c\"', 'conv-crash', 1, 0, 'pending');",
    )
    .unwrap();
    drop(db);
    let d = start(&env, &[]);
    let conv = poll("m-1 delivered by the daemon", || {
        let (s, c) = d.get("/api/v1/conversations/conv-crash");
        assert_eq!(s, 200, "{c}");
        let msgs = c["messages"].as_array().unwrap().clone();
        msgs.iter()
            .any(|m| m["message_id"] == "m-1" && m["state"] == "delivered")
            .then_some(msgs)
    });
    let reply = conv
        .iter()
        .find(|m| m["parent_id"] == "m-1")
        .unwrap_or_else(|| panic!("no reply in {conv:#?}"));
    assert_eq!(reply["content"]["words"], 3, "{reply}");
}

/// The execute endpoint's body read as Server-Sent Events: (name, data).
fn events(d: &Daemon, path: &str, body: &str) -> Vec<(String, Value)> {
    let resp = d
        .http
        .post(format!("{}{path}", d.url))
        .header("content-type", "application/json")
        .header("accept", "text/event-stream")
        .body(body.to_string())
        .send()
        .expect("request");
    assert_eq!(resp.status().as_u16(), 200);
    let ctype = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ctype.starts_with("text/event-stream"), "{ctype}");
    let text = resp.text().unwrap();
    text.split("\n\n")
        .filter(|frame| frame.contains("data:"))
        .map(|frame| {
            let mut name = String::new();
            let mut data = String::new();
            for line in frame.lines() {
                if let Some(n) = line.strip_prefix("event:") {
                    name = n.trim().to_string();
                } else if let Some(x) = line.strip_prefix("data:") {
                    data.push_str(x.trim_start());
                }
            }
            (
                name,
                serde_json::from_str(&data).unwrap_or_else(|e| panic!("{e}: {data}")),
            )
        })
        .collect()
}

#[test]
fn execute_streams_a_config_run_as_it_unfolds() {
    let env = Env::new();
    let llm = RecordedLlm::start(&["openai/stream_tool_call.http", "openai/stream_text.http"]);
    std::fs::create_dir_all(env.agents()).unwrap();
    std::fs::copy(
        repo().join("tests/fixtures/runbook/data-analyzer.toml"),
        env.agents().join("data-analyzer.toml"),
    )
    .unwrap();
    env.write(
        "caxton.toml",
        &format!(
            "[llm]\nprovider = \"openai\"\n[llm.providers.openai]\nbase_url = \"{}\"\nmodel = \"m\"\n",
            llm.url("/v1")
        ),
    );
    env.write(
        "data/workspaces/data-analyzer/sales.csv",
        "region,revenue\nnorth,10\nsouth,20\n",
    );
    let d = start(&env, &[]);
    let got = events(
        &d,
        "/api/v1/agents/data-analyzer/execute",
        r#"{"input": "Summarise this CSV: sales.csv"}"#,
    );
    // The tool call is announced, then its result, then the answer streams
    // in, then the same body the JSON answer has.
    let names: Vec<&str> = got
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| *n != "text")
        .collect();
    assert_eq!(names, ["tool_call", "tool_result", "done"], "{got:?}");
    assert_eq!(got[0].1["name"], "csv_parser");
    assert_eq!(got[0].1["round"], 1);
    let result = &got.iter().find(|(n, _)| n == "tool_result").unwrap().1;
    assert_eq!(result["outcome"], "ok", "{result}");
    assert_eq!(result["arguments"]["path"], "sales.csv");
    let streamed: String = got
        .iter()
        .filter(|(n, _)| n == "text")
        .map(|(_, v)| v["text"].as_str().unwrap())
        .collect();
    let (_, done) = got.last().unwrap();
    assert!(!streamed.is_empty());
    assert_eq!(done["output"], streamed.as_str());
    assert_eq!(done["agent"], "data-analyzer");
    assert_eq!(done["run"]["tool_calls"][0]["name"], "csv_parser");

    // A WASM agent has nothing to stream: just its result.
    let (s, v, _) = d.post(
        "/api/v1/agents",
        &deploy_body(
            "wc",
            &std::fs::read(repo().join("agents/word-count.wasm")).unwrap(),
        ),
    );
    assert_eq!(s, 201, "{v}");
    let got = events(&d, "/api/v1/agents/wc/execute", r#"{"input": "a b b"}"#);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "done");
    assert_eq!(got[0].1["output"]["words"], 3);

    // A run that fails at the provider ends with an error event carrying
    // the API's error body and status.
    let dead = DeadPort::new();
    paths_write(
        &env.agents().join("down.toml"),
        &llm_agent("Down", "1.0.0", &dead.url("/v1")),
    );
    poll("down live", || {
        (d.agent("down")["status"] == "running").then_some(())
    });
    let got = events(&d, "/api/v1/agents/down/execute", r#"{"input": "x"}"#);
    let (name, err) = got.last().unwrap();
    assert_eq!(name, "error", "{got:?}");
    assert_eq!(err["status"], 502, "{err}");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&dead.url("/v1")),
        "{err}"
    );
}
