//! Attacks on the daemon through the real binary on loopback (issue 13):
//! DNS rebinding and cross-site requests, slow and excess connections,
//! execution and queue caps, message storms, secrets in `config show`, the
//! token after SIGHUP, store errors in open health routes, a `wait`
//! that used to panic, and MCP servers killed with an idle thread.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Instant;

use serde_json::{Value, json};

use crate::common::recorded_llm::RecordedLlm;
use crate::common::{Env, repo};
use crate::daemon::{DEADLINE, Daemon, deploy_body, poll, slow_module, start};

/// The daemon's `host:port`.
fn authority(d: &Daemon) -> String {
    d.url.trim_start_matches("http://").to_string()
}

/// Send `request` as written (headers and all) and read the whole answer:
/// status, the headers as text, and the body as JSON (or text).
fn raw(d: &Daemon, request: &str) -> (u16, String, Value) {
    let mut s = TcpStream::connect(authority(d)).unwrap();
    s.set_read_timeout(Some(DEADLINE)).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    parse(&out)
}

fn parse(out: &[u8]) -> (u16, String, Value) {
    let text = String::from_utf8_lossy(out);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = serde_json::from_str(body).unwrap_or(Value::String(body.to_string()));
    (status, head.to_ascii_lowercase(), body)
}

fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut r = format!("{method} {path} HTTP/1.1\r\nconnection: close\r\n");
    for (k, v) in headers {
        r.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() {
        r.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    r.push_str("\r\n");
    r.push_str(body);
    r
}

fn alive(d: &Daemon) -> bool {
    d.get("/api/v1/health").0 == 200
}

#[test]
fn dns_rebinding_and_cross_site_requests_are_refused() {
    let env = Env::new();
    env.write(
        "caxton.toml",
        "[server]\nallowed_hosts = [\"caxton.internal\"]\n",
    );
    let d = start(&env, &[]);
    let own = authority(&d);
    let port = own.rsplit(':').next().unwrap().to_string();
    let evil_host = format!("evil.example:{port}");

    // Rebinding: the attacker's name in Host.
    let (s, _, v) = raw(
        &d,
        &request("GET", "/api/v1/agents", &[("host", &evil_host)], ""),
    );
    assert_eq!(s, 403, "{v}");
    assert_eq!(v["error"]["code"], "host_not_allowed", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("evil.example"),
        "{v}"
    );
    // A cross-site form post to shutdown (text/plain, foreign Origin).
    let (s, _, v) = raw(
        &d,
        &request(
            "POST",
            "/api/v1/shutdown",
            &[
                ("host", &own),
                ("content-type", "text/plain"),
                ("origin", "https://evil.example"),
            ],
            "{}",
        ),
    );
    assert_eq!(s, 403, "{v}");
    assert_eq!(v["error"]["code"], "origin_not_allowed", "{v}");
    // The same without Origin: the content type alone is refused.
    let (s, _, v) = raw(
        &d,
        &request(
            "POST",
            "/api/v1/shutdown",
            &[("host", &own), ("content-type", "text/plain")],
            "{}",
        ),
    );
    assert_eq!(s, 415, "{v}");
    assert_eq!(v["error"]["code"], "unsupported_media_type", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("application/json"),
        "{v}"
    );
    // A form post with no body still carries its content type.
    let (s, _, v) = raw(
        &d,
        &request(
            "POST",
            "/api/v1/reload",
            &[
                ("host", &own),
                ("content-type", "application/x-www-form-urlencoded"),
                ("content-length", "0"),
            ],
            "",
        ),
    );
    assert_eq!(s, 415, "{v}");
    assert!(alive(&d), "the daemon still runs");

    // What is allowed: its own names, a configured one, its own origin.
    for host in [
        own.clone(),
        format!("localhost:{port}"),
        "caxton.internal".to_string(),
    ] {
        let (s, _, v) = raw(
            &d,
            &request("GET", "/api/v1/agents", &[("host", &host)], ""),
        );
        assert_eq!(s, 200, "{host}: {v}");
    }
    let (s, _, v) = raw(
        &d,
        &request(
            "GET",
            "/api/v1/agents",
            &[("host", &own), ("origin", &format!("http://{own}"))],
            "",
        ),
    );
    assert_eq!(s, 200, "{v}");

    // The runbook's curl calls keep working, a bodiless POST included.
    let curl = |args: &[&str]| {
        let o = std::process::Command::new("curl")
            .args(["-s", "-o", "/dev/null", "-w", "%{http_code}"])
            .args(args)
            .output()
            .expect("curl");
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let url = |p: &str| format!("http://localhost:{port}{p}");
    assert_eq!(curl(&[&url("/api/v1/health")]), "200");
    assert_eq!(curl(&[&url("/api/v1/health/detailed")]), "200");
    assert_eq!(curl(&[&url("/api/v1/agents")]), "200");
    let deploy = deploy_body("custom-algorithm-agent", &slow_module(1));
    assert_eq!(
        curl(&[
            "-X",
            "POST",
            &url("/api/v1/agents"),
            "-H",
            "Content-Type: application/json",
            "-d",
            &deploy
        ]),
        "201"
    );
    let id = d.get("/api/v1/agents").1[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        curl(&[
            "-X",
            "POST",
            &url(&format!("/api/v1/agents/{id}/execute")),
            "-H",
            "Content-Type: application/json",
            "-d",
            r#"{"input": "test computation"}"#,
        ]),
        "200"
    );
    // `curl -d` without a content type sends a form: refused, clearly.
    assert_eq!(
        curl(&["-X", "POST", &url("/api/v1/reload"), "-d", "{}"]),
        "415"
    );
    assert_eq!(curl(&["-X", "POST", &url("/api/v1/shutdown")]), "202");
}

#[test]
fn slow_clients_are_cut_off_and_connections_are_capped() {
    let env = Env::new();
    env.write(
        "caxton.toml",
        "[server]\nmax_connections = 4\nheader_read_timeout = \"1s\"\n",
    );
    let d = start(&env, &[]);
    let own = authority(&d);
    // Slowloris: connections that never finish their headers.
    let partial: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut s = TcpStream::connect(&own).unwrap();
            s.write_all(b"GET /api/v1/health HTTP/1.1\r\nhost: 127.0.0.1\r\n")
                .unwrap();
            s
        })
        .collect();
    // One more is answered 503 at once, in the API's error shape.
    let (s, head, v) = raw(&d, &request("GET", "/api/v1/health", &[("host", &own)], ""));
    assert_eq!(s, 503, "{head}\n{v}");
    assert!(head.contains("retry-after: 1"), "{head}");
    assert_eq!(v["error"]["code"], "overloaded", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("server.max_connections"),
        "{v}"
    );
    // The header timeout closes the slow ones, which frees the slots.
    for mut s in partial {
        s.set_read_timeout(Some(DEADLINE)).unwrap();
        let mut buf = Vec::new();
        let started = Instant::now();
        let _ = s.read_to_end(&mut buf);
        assert!(
            started.elapsed() < DEADLINE,
            "a slow connection was never closed"
        );
        assert!(
            !String::from_utf8_lossy(&buf).contains("200 OK"),
            "no answer to half a request"
        );
    }
    poll("a free connection slot", || {
        (raw(&d, &request("GET", "/api/v1/health", &[("host", &own)], "")).0 == 200).then_some(())
    });
}

#[test]
fn executions_beyond_the_configured_cap_get_429() {
    let env = Env::new();
    env.write("caxton.toml", "[runtime]\nmax_concurrent_executions = 1\n");
    let d = start(&env, &[]);
    let (s, v, _) = d.post("/api/v1/agents", &deploy_body("slow", &slow_module(3000)));
    assert_eq!(s, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    let url = d.url.clone();
    let path = format!("/api/v1/agents/{id}/execute");
    let first = std::thread::spawn({
        let path = path.clone();
        move || {
            let r = caxton::http::client_builder()
                .build()
                .unwrap()
                .post(format!("{url}{path}"))
                .header("content-type", "application/json")
                .body(r#"{"input": 1}"#)
                .send()
                .unwrap();
            r.status().as_u16()
        }
    });
    poll("the first execution to run", || {
        (d.get("/api/v1/health/detailed").1["executions_in_flight"] == 1).then_some(())
    });
    let resp = d
        .http
        .post(format!("{}{path}", d.url))
        .header("content-type", "application/json")
        .body(r#"{"input": 2}"#)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 429);
    assert_eq!(resp.headers()["retry-after"], "1");
    let v: Value = serde_json::from_slice(&resp.bytes().unwrap()).unwrap();
    assert_eq!(v["error"]["code"], "overloaded", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("runtime.max_concurrent_executions"),
        "{v}"
    );
    assert_eq!(
        first.join().unwrap(),
        200,
        "the running execution is not disturbed"
    );
}

#[test]
fn a_huge_wait_is_a_clear_400_not_a_panic() {
    let env = Env::new();
    let d = start(&env, &[]);
    for wait in [json!(1e19), json!(1e300), json!("100000000y")] {
        let body = json!({"performative": "inform", "capability": "nobody", "content": "hi", "wait": wait});
        let (s, v, _) = d.post("/api/v1/messages", &body.to_string());
        assert_eq!(s, 400, "{wait}: {v}");
        let m = v["error"]["message"].as_str().unwrap();
        assert!(m.contains("wait:"), "{m}");
    }
    let body =
        json!({"performative": "inform", "capability": "nobody", "content": "hi", "wait": 3600});
    let (s, v, _) = d.post("/api/v1/messages", &body.to_string());
    assert_eq!(s, 400, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("server.request_timeout"),
        "{v}"
    );
    assert!(alive(&d));
}

#[test]
fn sighup_reloads_the_bearer_token() {
    let env = Env::new();
    let token_file = env.write("token", "old-token-1234\n");
    let file = token_file.display().to_string();
    let d = start(&env, &[("CAXTON_SERVER_AUTH_TOKEN_FILE", &file)]);
    let with = |t: &str| {
        d.http
            .get(format!("{}/api/v1/agents", d.url))
            .bearer_auth(t)
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(with("old-token-1234"), 200);
    std::fs::write(&token_file, "new-token-5678\n").unwrap();
    let pid = d.child.id().to_string();
    let hup = std::process::Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .unwrap();
    assert!(hup.success());
    poll("the new token to be accepted", || {
        (with("new-token-5678") == 200).then_some(())
    });
    assert_eq!(
        with("old-token-1234"),
        401,
        "the old token is refused after SIGHUP"
    );
}

#[test]
fn open_health_routes_hide_store_errors_from_callers_without_the_token() {
    let env = Env::new();
    let d = start(&env, &[("CAXTON_SERVER_AUTH_TOKEN", "health-token-99")]);
    // Make the store unopenable: a directory where the database file was.
    let db = env.data().join("caxton.db");
    std::fs::rename(&db, env.path().join("moved.db")).unwrap();
    std::fs::create_dir(&db).unwrap();
    let data_dir = env.data().display().to_string();
    for path in ["/api/v1/health/detailed", "/api/v1/health/memory"] {
        let (s, v) = d.get(path);
        assert_eq!(s, 200, "{v}");
        let text = v.to_string();
        assert!(!text.contains(&data_dir), "{path} leaks a path: {text}");
        assert!(
            !text.contains("unable to open"),
            "{path} leaks SQLite's message: {text}"
        );
        let field = if path.ends_with("detailed") {
            &v["components"]["sqlite_db"]
        } else {
            &v["sqlite_status"]
        };
        assert_eq!(field, "error", "{path}: {text}");
        if path.ends_with("detailed") {
            assert_eq!(v["status"], "unhealthy", "{text}");
            assert_eq!(v["components"]["memory_system"], "error", "{text}");
            assert!(
                v["uptime_seconds"].is_u64(),
                "the runbook's fields stay: {text}"
            );
        }
        let v: Value = d
            .http
            .get(format!("{}{path}", d.url))
            .bearer_auth("health-token-99")
            .send()
            .and_then(|r| r.bytes())
            .map(|b| serde_json::from_slice(&b).unwrap())
            .unwrap();
        assert!(
            v.to_string().contains("error: "),
            "the operator sees why: {v}"
        );
    }
}

/// A WASM agent offering `storm` that, for each message, calls
/// `send_message` `sends` times to `storm` again; with `fresh`, each message
/// names a new random conversation (the fan-out that used to get a fresh
/// budget every time).
fn storm_module(sends: u32, fresh: bool) -> Vec<u8> {
    let template = if fresh {
        r#"{"performative":"request","capability":"storm","content":"again","conversation_id":"cccccccccccccccc"}"#
    } else {
        r#"{"performative":"request","capability":"storm","content":"again"}"#
    };
    let id_at = 2048 + template.find("cccc").unwrap_or(0);
    let len = template.len();
    let escaped = template.replace('"', "\\\"");
    let make_id = if fresh {
        format!(
            "(drop (call $random (i32.const {id_at}) (i32.const 16)))
             (local.set $j (i32.const 0))
             (block $hexed (loop $hex
               (br_if $hexed (i32.ge_u (local.get $j) (i32.const 16)))
               (i32.store8 (i32.add (i32.const {id_at}) (local.get $j))
                 (i32.add (i32.const 97)
                   (i32.and (i32.load8_u (i32.add (i32.const {id_at}) (local.get $j))) (i32.const 15))))
               (local.set $j (i32.add (local.get $j) (i32.const 1)))
               (br $hex)))"
        )
    } else {
        String::new()
    };
    wat::parse_str(format!(
        r#"(module
             (import "caxton" "send_message" (func $send (param i32 i32) (result i32)))
             (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
             (memory (export "memory") 1)
             (data (i32.const 2048) "{escaped}")
             (data (i32.const 4096) "{{\"ok\":true}}")
             (func (export "caxton_alloc") (param i32) (result i32) i32.const 8192)
             (func (export "caxton_dealloc") (param i32 i32))
             (func (export "caxton_handle") (param i32 i32) (result i64) (local $i i32) (local $j i32)
               (block $done (loop $again
                 (br_if $done (i32.ge_u (local.get $i) (i32.const {sends})))
                 {make_id}
                 (drop (call $send (i32.const 2048) (i32.const {len})))
                 (local.set $i (i32.add (local.get $i) (i32.const 1)))
                 (br $again)))
               i64.const 4096 i64.const 32 i64.shl i64.const 11 i64.or))"#
    ))
    .unwrap()
}

/// `(messages, pending, refused)` in the store, read beside the daemon.
fn message_counts(env: &Env) -> (i64, i64, i64) {
    let c = rusqlite::Connection::open_with_flags(
        env.data().join("caxton.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    c.query_row(
        "SELECT count(*), coalesce(sum(state = 'pending'), 0), coalesce(sum(state = 'refused'), 0) FROM messages",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .unwrap()
}

/// Deploy `module` as the `storm` agent, send it one message, and wait until
/// nothing is pending; fails as soon as more than `bound` messages exist.
fn run_storm(env: &Env, d: &Daemon, module: &[u8], bound: i64) -> (i64, i64) {
    let mut body: Value = serde_json::from_str(&deploy_body("storm", module)).unwrap();
    body["capabilities"] = json!(["storm"]);
    let (s, v, _) = d.post("/api/v1/agents", &body.to_string());
    assert_eq!(s, 201, "{v}");
    let (s, v, _) = d.post(
        "/api/v1/messages",
        &json!({"performative": "request", "capability": "storm", "content": "go"}).to_string(),
    );
    assert_eq!(s, 200, "{v}");
    let mut last = (-1, -1, -1);
    let mut stable = 0;
    poll("the storm to end", || {
        let now = message_counts(env);
        assert!(
            now.0 <= bound,
            "the storm grew to {} messages (bound {bound})",
            now.0
        );
        stable = if now == last && now.1 == 0 {
            stable + 1
        } else {
            0
        };
        last = now;
        (stable >= 5).then_some(())
    });
    (last.0, last.2)
}

#[test]
fn a_fan_out_into_new_conversations_is_charged_to_the_root() {
    let env = Env::new();
    env.write(
        "caxton.toml",
        "[messaging]\nmax_conversation_messages = 40\n",
    );
    let d = start(&env, &[]);
    // 3 sends per delivery, each into a new conversation: 3^16 without the
    // root budget. With it: the tree holds its 40 plus at most one refusal
    // (and notice) per delivery and per reply.
    let (total, refused) = run_storm(&env, &d, &storm_module(3, true), 400);
    assert!(total >= 40, "the budget was used: {total}");
    assert!(
        refused >= 1,
        "the over-budget sends were refused: {refused}"
    );
    let (s, v, _) = d.post(
        "/api/v1/messages",
        &json!({"performative": "inform", "capability": "nobody", "content": "hi"}).to_string(),
    );
    assert_eq!(s, 200, "the daemon still takes messages: {v}");
}

#[test]
fn one_delivery_sends_a_bounded_number_and_records_one_refusal() {
    let env = Env::new();
    env.write(
        "caxton.toml",
        "[messaging]\nmax_sends_per_delivery = 5\nmax_depth = 1\n",
    );
    let d = start(&env, &[]);
    // 5000 sends in one delivery: 5 go out, one refusal (and its notice) is
    // recorded, the rest only get the error code.
    let (total, refused) = run_storm(&env, &d, &storm_module(5000, false), 200);
    // The first delivery's sends past the cap, and each of its 5 messages'
    // deliveries (their sends and replies are past max_depth): one each.
    assert!(
        refused <= 2 * (1 + 5) + 1,
        "refusals recorded once per delivery: {refused}"
    );
    assert!(total <= 60, "{total} messages stored");
}

#[test]
fn a_full_delivery_queue_answers_429_with_retry_after() {
    let env = Env::new();
    env.write("caxton.toml", "[messaging]\nmax_queued_messages = 2\n");
    let d = start(&env, &[]);
    let mut body: Value = serde_json::from_str(&deploy_body("slow", &slow_module(3000))).unwrap();
    body["capabilities"] = json!(["slow"]);
    assert_eq!(d.post("/api/v1/agents", &body.to_string()).0, 201);
    let msg = json!({"performative": "inform", "capability": "slow", "content": "x"}).to_string();
    let statuses: Vec<u16> = (0..3).map(|_| d.post("/api/v1/messages", &msg).0).collect();
    assert_eq!(&statuses[..2], &[200, 200], "{statuses:?}");
    let resp = d
        .http
        .post(format!("{}/api/v1/messages", d.url))
        .header("content-type", "application/json")
        .body(msg)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 429, "{statuses:?}");
    assert_eq!(resp.headers()["retry-after"], "1");
    let v: Value = serde_json::from_slice(&resp.bytes().unwrap()).unwrap();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("messaging.max_queued_messages"),
        "{v}"
    );
}

#[test]
fn config_show_masks_env_tables_and_secret_keys_in_any_case() {
    let env = Env::new();
    env.write(
        "caxton.toml",
        "[mcp.servers.gh]\ncommand = \"gh-mcp\"\nenv = { GITHUB_TOKEN = \"ghp_SECRET_1\", PLAIN = \"plain-SECRET_2\" }\n\n\
         [llm.providers.custom]\nApiKey = \"key-SECRET_3\"\nDB_Password = \"pw-SECRET_4\"\n",
    );
    for args in [&["config", "show"][..], &["config", "show", "--json"][..]] {
        let r = env.run(args).ok();
        for secret in ["SECRET_1", "SECRET_2", "SECRET_3", "SECRET_4"] {
            assert!(
                !r.stdout.contains(secret),
                "{args:?} prints {secret}:\n{}",
                r.stdout
            );
        }
        assert!(
            r.stdout.contains("gh-mcp"),
            "other values still print:\n{}",
            r.stdout
        );
    }
}

#[test]
fn config_show_masks_secrets_inside_arrays_nested_tables_and_urls() {
    let env = Env::new();
    env.write(
        "caxton.toml",
        "[mcp.servers.db]\ncommand = \"db-mcp\"\n\
         args = [\"--token\", \"SECRET_5\", \"--dsn=postgres://me:SECRET_6@db/x\", \"--api-key=SECRET_7\", \"--verbose\"]\n\n\
         [llm.providers.custom]\nbase_url = \"https://u:SECRET_8@llm.example/v1\"\n\
         headers = [{ name = \"x-auth\", Auth_Token = \"SECRET_9\" }]\n\
         nested = { deeper = { Secret = \"SECRET_10\" } }\n\n\
         [memory.qdrant]\nurl = \"http://admin:SECRET_11@localhost:6333\"\n",
    );
    for args in [&["config", "show"][..], &["config", "show", "--json"][..]] {
        let r = env.run(args).ok();
        for n in 5..=11 {
            let secret = format!("SECRET_{n}");
            assert!(
                !r.stdout.contains(&secret),
                "{args:?} prints {secret}:\n{}",
                r.stdout
            );
        }
        for shown in ["--verbose", "x-auth", "postgres://me:", "@localhost:6333"] {
            assert!(
                r.stdout.contains(shown),
                "{args:?} hides {shown}:\n{}",
                r.stdout
            );
        }
    }
}

#[test]
fn memory_writes_to_the_agent_scope_of_nobody_are_a_400() {
    let env = Env::new();
    let d = start(&env, &[]);
    let entity = json!([{"name": "orphan", "entityType": "note", "observations": ["x"]}]);
    for (scope, field) in [("agent", "agent"), ("workspace", "workspace")] {
        let body = json!({"scope": scope, "entities": entity}).to_string();
        let (status, v, _) = d.post("/api/v1/memory/entities", &body);
        assert_eq!(status, 400, "{scope}: {v}");
        let message = v["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(&format!("\"scope\": \"{scope}\" needs \"{field}\"")),
            "{v}"
        );
        let (status, v) = d.get(&format!("/api/v1/memory/graph?scope={scope}"));
        assert_eq!(status, 400, "{scope}: {v}");
    }
    // Nothing was written; naming the owner works.
    let (_, graph) = d.get("/api/v1/memory/graph");
    assert!(!graph.to_string().contains("orphan"), "{graph}");
    let body = json!({"scope": "agent", "agent": "alpha", "entities": entity}).to_string();
    assert_eq!(d.post("/api/v1/memory/entities", &body).0, 201);
}

#[test]
fn a_body_that_trickles_or_stalls_is_cut_off_at_the_body_deadline() {
    let env = Env::new();
    env.write("caxton.toml", "[server]\nbody_read_timeout = \"1s\"\n");
    let d = start(&env, &[]);
    let own = authority(&d);
    let head = |len: usize| {
        format!(
            "POST /api/v1/agents/nobody/execute HTTP/1.1\r\nhost: {own}\r\ncontent-type: application/json\r\ncontent-length: {len}\r\n\r\n"
        )
    };
    // Stalled: half a body, then nothing. Execute has no request_timeout.
    let mut stalled = TcpStream::connect(&own).unwrap();
    stalled.write_all(head(100).as_bytes()).unwrap();
    stalled.write_all(b"{\"input\":").unwrap();
    // Trickling: one byte every 100 ms of a 1000-byte body (100 s in all).
    let mut trickle = TcpStream::connect(&own).unwrap();
    trickle.write_all(head(1000).as_bytes()).unwrap();
    let mut dripper = trickle.try_clone().unwrap();
    let drip = std::thread::spawn(move || {
        for _ in 0..1000 {
            if dripper.write_all(b" ").is_err() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    });
    // The daemon serves others meanwhile.
    assert!(alive(&d));
    for (name, mut s) in [("stalled", stalled), ("trickling", trickle)] {
        s.set_read_timeout(Some(DEADLINE)).unwrap();
        let mut out = Vec::new();
        let started = Instant::now();
        let mut buf = [0u8; 4096];
        // Read the answer (the connection may stay open for the drip).
        while !String::from_utf8_lossy(&out).contains("}}") {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
        let (status, _, v) = parse(&out);
        assert_eq!(status, 408, "{name}: {}", String::from_utf8_lossy(&out));
        assert!(started.elapsed() < DEADLINE, "{name}");
        assert_eq!(v["error"]["code"], "body_timeout", "{name}: {v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("server.body_read_timeout"),
            "{name}: {v}"
        );
        let _ = s.shutdown(std::net::Shutdown::Both);
    }
    drip.join().unwrap();
    assert!(alive(&d));
}

#[test]
fn an_mcp_server_outlives_the_thread_that_started_it() {
    // MCP servers get PR_SET_PDEATHSIG, which fires when the *thread* that
    // spawned them exits. Spawned from a tokio blocking thread, a server was
    // killed when that thread retired after 10 s idle, mid-life.
    if !crate::mcp::node_or_skip() {
        return;
    }
    let env = Env::new();
    // The first run crashes the server (started with the daemon, when the
    // agent's tools were checked); the second run's call starts it again,
    // from the thread that runs the agent.
    let llm = RecordedLlm::start(&[
        "openai/stream_mcp_crash.http",
        "openai/stream_text.http",
        "openai/stream_mcp_echo.http",
        "openai/stream_text.http",
    ]);
    let script = repo().join("tests/mcp/test-server.js");
    env.write(
        "data/caxton.toml",
        &format!("[mcp.servers.t]\ncommand = \"node\"\nargs = [{script:?}]\n"),
    );
    env.write(
        "data/agents/echoer.toml",
        &format!(
            "name = \"echoer\"\nversion = \"1.0.0\"\ncapabilities = [\"testing\"]\n\
             tools = [\"mcp:t/echo\", \"mcp:t/crash\"]\nsystem_prompt = \"You echo.\"\n\
             [llm]\nprovider = \"openai\"\nbase_url = \"{}\"\nmodel = \"test-model\"\n",
            llm.url("/v1")
        ),
    );
    let d = start(&env, &[]);
    for _ in 0..2 {
        let (status, v, _) = d.post("/api/v1/agents/echoer/execute", r#"{"input": "hi"}"#);
        assert_eq!(status, 200, "{v}");
    }
    // The restarted server answered `pid N: hi`, which went back to the model.
    let sent = llm.received();
    let second = sent.get(3).map(|r| r.body.to_string()).unwrap_or_default();
    let pid: u32 = second
        .split("pid ")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no echo from the MCP server in {second}"));
    assert!(crate::mcp::running(pid), "server {pid} is not running");
    // Idle for longer than tokio keeps an idle blocking thread (10 s).
    let until = Instant::now() + std::time::Duration::from_secs(16);
    while Instant::now() < until {
        assert!(
            crate::mcp::running(pid),
            "the MCP server {pid} died while the daemon idled"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
