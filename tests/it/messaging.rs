//! Agent messaging through the real binary: routing by capability, the
//! circuit breaker, recovery of undelivered messages, loop protection,
//! deduplication and validation errors.

use crate::common::wat::abi_wat_at;
use crate::common::{Env, Run, error_json, repo};
use serde_json::Value;

/// An ABI v1 module answering `answer` (JSON) to every request; with
/// `send`, it first calls `send_message` with that payload.
pub(crate) fn agent_module(env: &Env, name: &str, answer: &str, send: Option<&str>) -> String {
    let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let (import, call, data) = match send {
        Some(payload) => (
            r#"(import "caxton" "send_message" (func $send (param i32 i32) (result i32)))"#
                .to_string(),
            format!(
                "(drop (call $send (i32.const 2048) (i32.const {})))",
                payload.len()
            ),
            format!(r#"(data (i32.const 2048) "{}")"#, esc(payload)),
        ),
        None => (String::new(), String::new(), String::new()),
    };
    let wat = abi_wat_at(
        4096,
        &format!(r#"{import} (data (i32.const 0) "{}") {data}"#, esc(answer)),
        &format!("{call} i64.const {}", answer.len()),
    );
    let p = env.path().join(format!("{name}.wasm"));
    std::fs::write(&p, wat::parse_str(&wat).expect("valid WAT")).unwrap();
    p.display().to_string()
}

pub(crate) fn deploy(env: &Env, name: &str, file: &str, capability: &str) {
    env.run(&[
        "agents",
        "deploy",
        name,
        "--source",
        file,
        "--capability",
        capability,
    ])
    .ok();
}

fn send(env: &Env, args: &[&str]) -> Run {
    let mut a = vec!["message", "send", "--wait", "10s", "--json"];
    a.extend_from_slice(args);
    env.run(&a)
}

/// Run with one config setting overridden through the environment.
fn run_with(env: &Env, var: &str, value: &str, args: &[&str]) -> Run {
    crate::common::finish(env.cmd().env(var, value).args(args).output().unwrap())
}

fn conversation(env: &Env, id: &str) -> Value {
    env.run(&["conversations", "show", id, "--json"])
        .ok()
        .json()
}

fn provider<'a>(caps: &'a Value, capability: &str, agent: &str) -> &'a Value {
    caps.as_array()
        .unwrap()
        .iter()
        .find(|c| c["capability"] == capability)
        .and_then(|c| {
            c["providers"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["agent"] == agent)
        })
        .unwrap_or_else(|| panic!("{agent} does not offer {capability}: {caps:#}"))
}

#[test]
fn requests_reach_a_healthy_provider_and_the_breaker_routes_around_a_failing_one() {
    let env = Env::new();
    let down = agent_module(&env, "down", r#"{"error":"database is down"}"#, None);
    let up = agent_module(&env, "up", r#"{"sum":42}"#, None);
    // Routing tries `a-flaky` first on ties (sorted ids, round-robin from 0).
    deploy(&env, "a-flaky", &down, "calc");
    deploy(&env, "b-steady", &up, "calc");
    let caps = env.run(&["capabilities", "list", "--json"]).ok().json();
    assert_eq!(provider(&caps, "calc", "a-flaky")["health"], "healthy");

    // The breaker opens after 3 consecutive failures (default); every request
    // meanwhile fails over to the healthy provider.
    for round in 1..=3 {
        let r = send(&env, &["--capability", "calc", "--content", "1+41"])
            .ok()
            .json();
        assert_eq!(r["reply"]["performative"], "inform", "{r:#}");
        assert_eq!(r["reply"]["sender"], "b-steady");
        assert_eq!(r["reply"]["content"]["sum"], 42);
        assert_eq!(r["message"]["attempts"], 2, "round {round}: {r:#}");
        assert_eq!(r["message"]["receiver"], "b-steady");
    }
    let caps = env.run(&["capabilities", "list", "--json"]).ok().json();
    let flaky = provider(&caps, "calc", "a-flaky");
    assert_eq!(flaky["health"], "open", "{caps:#}");
    assert_eq!(flaky["consecutive_failures"], 3);
    assert!(
        flaky["last_error"]
            .as_str()
            .unwrap()
            .contains("database is down")
    );
    // Open breaker: the next request goes straight to the healthy agent.
    let r = send(&env, &["--capability", "calc", "--content", "again"])
        .ok()
        .json();
    assert_eq!(r["message"]["attempts"], 1, "{r:#}");
    assert_eq!(r["reply"]["sender"], "b-steady");
    let human = env.run(&["capabilities", "list"]).ok().stdout;
    assert!(
        human.contains("a-flaky") && human.contains("open"),
        "{human}"
    );

    // With every provider failing, the sender gets a `failure` (exit 1).
    let only = agent_module(&env, "only", r#"{"error":"nope"}"#, None);
    deploy(&env, "lonely", &only, "solo");
    let r = send(&env, &["--capability", "solo", "--content", "x"]).code(1);
    let j = r.json();
    assert_eq!(j["reply"]["performative"], "failure");
    assert!(
        j["reply"]["content"]["error"]
            .as_str()
            .unwrap()
            .contains("nope")
    );
    assert_eq!(j["message"]["state"], "failed");
}

#[test]
fn no_provider_gets_a_failure_listing_the_capabilities_that_exist() {
    let env = Env::new();
    let wc = repo().join("agents/word-count.wasm").display().to_string();
    deploy(&env, "word-count", &wc, "text-stats");
    let ok = send(
        &env,
        &["--capability", "text-stats", "--content", "one two two"],
    )
    .ok()
    .json();
    assert_eq!(ok["reply"]["content"]["words"], 3);
    assert_eq!(ok["reply"]["in_reply_to"], ok["message"]["message_id"]);

    let r = send(&env, &["--capability", "translation", "--content", "hola"]).code(1);
    let j = r.json();
    assert_eq!(j["reply"]["performative"], "failure");
    assert_eq!(j["reply"]["sender"], "caxton");
    assert_eq!(j["reply"]["content"]["code"], "no_provider");
    assert_eq!(
        j["reply"]["content"]["capabilities"],
        serde_json::json!(["text-stats"])
    );

    // The conversation tree links the reply to its request.
    let id = ok["conversation_id"].as_str().unwrap();
    let c = conversation(&env, id);
    let msgs = c["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[1]["parent_id"], msgs[0]["message_id"]);
    let tree = env.run(&["conversations", "show", id]).ok().stdout;
    assert!(
        tree.contains("request cli → text-stats (word-count) [delivered] one two two"),
        "{tree}"
    );
    assert!(tree.contains("└─ inform word-count → cli"), "{tree}");
    let list = env.run(&["conversations", "list", "--json"]).ok().json();
    assert_eq!(list.as_array().unwrap().len(), 2);
}

#[test]
fn undelivered_messages_in_the_store_are_delivered_once_after_a_restart() {
    let env = Env::new();
    let wc = repo().join("agents/word-count.wasm").display().to_string();
    deploy(&env, "word-count", &wc, "text-stats");
    // The state a crash between "stored" and "delivered" leaves behind.
    let db = rusqlite::Connection::open(env.data().join("caxton.db")).unwrap();
    db.execute_batch(
        "INSERT INTO conversations (id, initiator, capability, message_count, created_at, updated_at)
             VALUES ('conv-crash', 'cli', 'text-stats', 2, 1, 1);
         INSERT INTO messages (message_id, performative, sender, receiver, capability, content,
                               conversation_id, created_at, depth, state)
             VALUES ('m-1', 'request', 'cli', 'word-count', 'text-stats', '\"a b c\"', 'conv-crash', 1, 0, 'pending'),
                    ('m-2', 'request', 'cli', NULL, 'text-stats', '\"d e\"', 'conv-crash', 2, 0, 'pending');",
    )
    .unwrap();
    drop(db);
    let r = env.run(&["message", "recover", "--json"]).ok().json();
    assert_eq!(r["queued"], 2, "{r:#}");
    assert_eq!(r["pending"], 0);
    let c = conversation(&env, "conv-crash");
    let msgs = c["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 4, "{c:#}");
    for (id, words) in [("m-1", 3), ("m-2", 2)] {
        let m = msgs.iter().find(|m| m["message_id"] == id).unwrap();
        assert_eq!(m["state"], "delivered");
        assert_eq!(m["attempts"], 1);
        let replies: Vec<&Value> = msgs.iter().filter(|m| m["parent_id"] == id).collect();
        assert_eq!(replies.len(), 1);
        assert_eq!(replies[0]["content"]["words"], words);
    }
    // A second start finds nothing to deliver.
    let r = env.run(&["message", "recover", "--json"]).ok().json();
    assert_eq!(r["queued"], 0);
    assert_eq!(conversation(&env, "conv-crash")["messages"], c["messages"]);
}

#[test]
fn message_recover_queues_no_more_than_max_queued_messages_at_once() {
    let env = Env::new();
    env.write("data/caxton.toml", "[messaging]\nmax_queued_messages = 2\n");
    let wc = repo().join("agents/word-count.wasm").display().to_string();
    deploy(&env, "word-count", &wc, "text-stats");
    let db = rusqlite::Connection::open(env.data().join("caxton.db")).unwrap();
    db.execute(
        "INSERT INTO conversations (id, initiator, capability, message_count, created_at, updated_at)
             VALUES ('conv-many', 'cli', 'text-stats', 5, 1, 1)",
        [],
    )
    .unwrap();
    for i in 0..5 {
        db.execute(
            "INSERT INTO messages (message_id, performative, sender, receiver, capability, content,
                                   conversation_id, created_at, depth, state)
                 VALUES (?1, 'request', 'cli', 'word-count', 'text-stats', '\"a b\"', 'conv-many', ?2, 0, 'pending')",
            rusqlite::params![format!("m-{i}"), i + 1],
        )
        .unwrap();
    }
    drop(db);
    let r = env.run(&["message", "recover", "--json"]).ok().json();
    // Two queued at once (the cap); the other three as the queue drained.
    assert_eq!(r["queued"], 2, "{r:#}");
    assert_eq!(r["pending"], 0, "{r:#}");
    let db = rusqlite::Connection::open(env.data().join("caxton.db")).unwrap();
    let delivered: i64 = db
        .query_row(
            "SELECT count(*) FROM messages WHERE message_id LIKE 'm-%' AND state = 'delivered'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(delivered, 5);
}

#[test]
fn two_agents_that_keep_messaging_each_other_stop_at_the_depth_limit() {
    let env = Env::new();
    let ping = agent_module(
        &env,
        "ping",
        "{}",
        Some(r#"{"capability":"pong","performative":"request","content":"again"}"#),
    );
    let pong = agent_module(
        &env,
        "pong",
        "{}",
        Some(r#"{"capability":"ping","performative":"request","content":"again"}"#),
    );
    deploy(&env, "pinger", &ping, "ping");
    deploy(&env, "ponger", &pong, "pong");
    let r = run_with(
        &env,
        "CAXTON_MESSAGING_MAX_DEPTH",
        "4",
        &[
            "message",
            "send",
            "--capability",
            "ping",
            "--content",
            "start",
            "--wait",
            "10s",
            "--json",
        ],
    )
    .ok()
    .json();
    assert_eq!(r["pending"], 0, "the loop must end: {r:#}");
    let c = conversation(&env, r["conversation_id"].as_str().unwrap());
    let msgs = c["messages"].as_array().unwrap();
    let refused: Vec<&Value> = msgs.iter().filter(|m| m["state"] == "refused").collect();
    assert!(!refused.is_empty(), "{c:#}");
    assert!(
        refused[0]["error"]
            .as_str()
            .unwrap()
            .contains("depth limit of 4")
    );
    let notice = msgs
        .iter()
        .find(|m| m["performative"] == "failure" && m["parent_id"] == refused[0]["message_id"])
        .expect("a failure notice for the refused message");
    assert_eq!(notice["sender"], "caxton");
    assert!(
        notice["content"]["error"]
            .as_str()
            .unwrap()
            .contains("depth limit")
    );
    assert!(
        msgs.iter()
            .filter(|m| m["state"] == "delivered")
            .all(|m| m["depth"].as_u64().unwrap() <= 4),
        "{c:#}"
    );
    // The per-conversation budget stops it too.
    let r = run_with(
        &env,
        "CAXTON_MESSAGING_MAX_CONVERSATION_MESSAGES",
        "5",
        &[
            "message",
            "send",
            "--capability",
            "ping",
            "--content",
            "go",
            "--json",
        ],
    )
    .ok()
    .json();
    let c = conversation(&env, r["conversation_id"].as_str().unwrap());
    let msgs = c["messages"].as_array().unwrap();
    let refused = msgs.iter().find(|m| m["state"] == "refused").unwrap();
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("message budget of 5")
    );
    // The budget also refuses a client continuing that conversation (exit 7).
    let e = run_with(
        &env,
        "CAXTON_MESSAGING_MAX_CONVERSATION_MESSAGES",
        "5",
        &[
            "message",
            "send",
            "--capability",
            "ping",
            "--content",
            "more",
            "--conversation",
            r["conversation_id"].as_str().unwrap(),
            "--json",
        ],
    )
    .code(7);
    assert_eq!(error_json(&e)["error"]["code"], "conversation_limit");
}

#[test]
fn retries_with_the_same_message_id_are_not_delivered_twice_and_inform_broadcasts() {
    let env = Env::new();
    let a = agent_module(&env, "a", r#"{"seen":true}"#, None);
    deploy(&env, "listener-a", &a, "news");
    deploy(&env, "listener-b", &a, "news");
    let args = [
        "--capability",
        "news",
        "--content",
        "hello",
        "--message-id",
        "fixed-1",
    ];
    let first = send(&env, &args).ok().json();
    assert_eq!(first["duplicate"], false);
    let again = send(&env, &args).ok().json();
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["message"]["state"], "delivered");
    let c = conversation(&env, first["conversation_id"].as_str().unwrap());
    assert_eq!(c["messages"].as_array().unwrap().len(), 2);

    let b = send(
        &env,
        &[
            "--capability",
            "news",
            "--performative",
            "INFORM",
            "--broadcast",
            "--content",
            "{\"headline\": \"x\"}",
        ],
    )
    .ok()
    .json();
    assert_eq!(
        b["receivers"],
        serde_json::json!(["listener-a", "listener-b"])
    );
    assert_eq!(b["message"]["performative"], "inform");
    let c = conversation(&env, b["conversation_id"].as_str().unwrap());
    let delivered = c["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["state"] == "delivered")
        .count();
    // Both copies delivered; an inform gets no reply.
    assert_eq!(delivered, 2, "{c:#}");
    assert_eq!(c["message_count"], 3);
}

#[test]
fn bad_messages_are_refused_with_precise_errors() {
    let env = Env::new();
    let r = send(
        &env,
        &[
            "--capability",
            "x",
            "--performative",
            "ask",
            "--content",
            "hi",
        ],
    )
    .code(3);
    let e = error_json(&r);
    assert_eq!(e["error"]["code"], "message_invalid");
    assert_eq!(e["error"]["details"]["field"], "performative");
    assert!(
        e["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("not_understood")
    );

    let r = send(&env, &["--capability", "x", "--content", "{\"a\": "]).code(3);
    assert_eq!(error_json(&r)["error"]["details"]["field"], "content");

    let r = send(&env, &["--capability", "Not Valid", "--content", "x"]).code(3);
    assert_eq!(error_json(&r)["error"]["details"]["field"], "capability");

    let r = send(
        &env,
        &["--capability", "x", "--broadcast", "--content", "x"],
    )
    .code(3);
    assert_eq!(error_json(&r)["error"]["details"]["field"], "broadcast");

    let big = "x".repeat(100);
    let r = run_with(
        &env,
        "CAXTON_MESSAGING_MAX_MESSAGE_BYTES",
        "50",
        &[
            "message",
            "send",
            "--capability",
            "x",
            "--content",
            &big,
            "--json",
        ],
    )
    .code(7);
    assert_eq!(error_json(&r)["error"]["code"], "message_too_large");

    let r = env
        .run(&["conversations", "show", "no-such-id", "--json"])
        .code(4);
    assert_eq!(error_json(&r)["error"]["code"], "conversation_not_found");

    let r = env.run(&["message", "send", "--content", "x"]).code(2);
    assert!(r.stderr.contains("--capability"), "{}", r.stderr);
}

#[test]
fn the_example_coordinator_asks_text_stats_and_reports_back() {
    let env = Env::new();
    let wasm = |n: &str| {
        repo()
            .join(format!("agents/{n}.wasm"))
            .display()
            .to_string()
    };
    deploy(&env, "word-count", &wasm("word-count"), "text-stats");
    deploy(&env, "coordinator", &wasm("coordinator"), "coordination");
    let r = send(
        &env,
        &[
            "--capability",
            "coordination",
            "--content",
            "the cat and the hat",
        ],
    )
    .ok()
    .json();
    assert_eq!(r["reply"]["sender"], "coordinator");
    assert!(
        r["reply"]["content"]["status"]
            .as_str()
            .unwrap()
            .contains("asked text-stats")
    );
    assert_eq!(r["pending"], 0);
    let c = conversation(&env, r["conversation_id"].as_str().unwrap());
    let msgs = c["messages"].as_array().unwrap();
    let ask = msgs
        .iter()
        .find(|m| m["sender"] == "coordinator" && m["capability"] == "text-stats")
        .expect("the coordinator asked text-stats");
    assert_eq!(ask["receiver"], "word-count");
    assert_eq!(ask["state"], "delivered");
    let report = msgs
        .iter()
        .find(|m| {
            m["sender"] == "coordinator"
                && m["receiver"] == "cli"
                && m["performative"] == "inform"
                && m["content"].get("report").is_some()
        })
        .unwrap_or_else(|| panic!("no report to cli: {c:#}"));
    assert!(
        report["content"]["report"]
            .as_str()
            .unwrap()
            .starts_with("5 words in 1 lines, 4 distinct; most frequent: the (2)"),
        "{report:#}"
    );
    let tree = env
        .run(&[
            "conversations",
            "show",
            r["conversation_id"].as_str().unwrap(),
        ])
        .ok()
        .stdout;
    assert!(
        tree.contains("request coordinator → text-stats (word-count) [delivered]"),
        "{tree}"
    );
}
