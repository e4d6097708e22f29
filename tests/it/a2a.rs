//! A2A in the daemon, driven by the official A2A client (PyPI a2a-sdk,
//! tests/a2a/client.py in the venv scripts/setup-a2a-client builds): the
//! Agent Card and `message/send` routed by capability.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::common::{Env, repo, required};
use crate::daemon::start;
use crate::messaging::{agent_module, deploy};

/// The venv's python, or `None` (skipped) when not installed.
#[track_caller]
fn python() -> Option<String> {
    let out = Command::new(repo().join("scripts/setup-a2a-client"))
        .arg("--check")
        .output()
        .ok()
        .filter(|o| o.status.success());
    match (out, required("CAXTON_REQUIRE_MCP")) {
        (Some(o), _) => Some(String::from_utf8_lossy(&o.stdout).trim().to_string()),
        (None, true) => panic!(
            "CAXTON_REQUIRE_MCP=1 but the A2A client is not installed (scripts/setup-a2a-client)"
        ),
        (None, false) => {
            eprintln!("note: the A2A client is not installed (scripts/setup-a2a-client); skipping");
            None
        }
    }
}

fn a2a_client(python: &str, url: &str, token: &str, messages: Value) -> Value {
    let mut child = Command::new(python)
        .arg(repo().join("tests/a2a/client.py"))
        .args([url, token])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(messages.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn the_official_a2a_client_reads_the_card_and_sends_by_capability() {
    let Some(python) = python() else { return };
    let env = Env::new();
    let a = agent_module(&env, "calc-a", r#"{"sum":3}"#, None);
    deploy(&env, "calc-a", &a, "calc");
    let b = agent_module(&env, "words-b", r#""seven words""#, None);
    deploy(&env, "words-b", &b, "count-words");
    env.write(
        "data/caxton.toml",
        "[llm]\nprovider = \"openai\"\n[llm.providers.openai]\napi_key = \"sk-card-must-not-show-this\"\n",
    );
    let d = start(&env, &[("CAXTON_SERVER_AUTH_TOKEN", "a2a-token-5")]);
    let out = a2a_client(
        &python,
        &d.url,
        "a2a-token-5",
        json!([
            {"data": {"a": 1, "b": 2}, "skill": "calc"},
            {"text": "how many words?", "skill": "count-words"},
            {"text": "no skill named, two exist"},
            {"text": "unknown", "skill": "teleport"}
        ]),
    );
    let card = &out["card"];
    let skills: Vec<&str> = card["skills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(skills, ["calc", "count-words"], "{card}");
    assert!(
        card["skills"][0]["description"]
            .as_str()
            .unwrap()
            .contains("calc-a")
    );
    assert_eq!(card["url"], format!("{}/a2a", d.url));
    assert!(
        !card.to_string().contains("sk-card"),
        "no secrets in the card: {card}"
    );
    assert!(!card.to_string().contains("a2a-token-5"));

    let r = &out["replies"];
    assert_eq!(
        r[0]["message"]["parts"][0]["data"],
        json!({"sum": 3}),
        "{r}"
    );
    assert_eq!(r[0]["message"]["role"], "agent");
    assert_eq!(r[1]["message"]["parts"][0]["text"], "seven words", "{r}");
    // The A2A context is a Caxton conversation.
    let conv_id = r[1]["message"]["contextId"].as_str().unwrap();
    let conv = env
        .run(&["conversations", "show", conv_id, "--json"])
        .ok()
        .json();
    assert_eq!(conv["messages"][0]["sender"], "a2a", "{conv}");
    assert_eq!(conv["messages"][0]["content"], "how many words?");
    assert!(
        r[2]["error"]
            .as_str()
            .unwrap()
            .contains("calc, count-words"),
        "{r}"
    );
    assert!(r[3]["error"].as_str().unwrap().contains("teleport"), "{r}");

    // Without the token the card is refused like the REST API.
    let (s, _) = d.get("/.well-known/agent-card.json");
    assert_eq!(s, 401);
}

#[test]
fn bad_a2a_json_rpc_gets_spec_error_codes() {
    let env = Env::new();
    let d = start(&env, &[]);
    let rpc = |body: &str| d.post("/a2a", body).1;
    assert_eq!(rpc("{not json")["error"]["code"], -32700);
    assert_eq!(
        rpc(r#"{"id":1,"method":"message/send"}"#)["error"]["code"],
        -32600
    );
    assert_eq!(
        rpc(r#"{"jsonrpc":"2.0","id":2,"method":"no/such"}"#)["error"]["code"],
        -32601
    );
    let v = rpc(
        r#"{"jsonrpc":"2.0","id":3,"method":"message/send","params":{"message":{"role":"user"}}}"#,
    );
    assert_eq!(
        (v["id"].clone(), v["error"]["code"].clone()),
        (json!(3), json!(-32602)),
        "{v}"
    );
    assert!(
        v["error"]["message"].as_str().unwrap().contains("message"),
        "{v}"
    );
    // A stream whose params are wrong is one error event.
    let (_, body, _) = d.post(
        "/a2a",
        r#"{"jsonrpc":"2.0","id":4,"method":"message/stream","params":{}}"#,
    );
    let raw = body.as_str().unwrap_or_default();
    assert!(raw.starts_with("data: {"), "{body}");
    let event: Value = serde_json::from_str(raw.trim().trim_start_matches("data: ")).unwrap();
    assert_eq!(
        (event["id"].clone(), event["error"]["code"].clone()),
        (json!(4), json!(-32602)),
        "{raw}"
    );
    assert_eq!(
        rpc(r#"{"jsonrpc":"2.0","id":5,"method":"tasks/get","params":{"id":"t"}}"#)["error"]["code"],
        -32004
    );
}

#[test]
fn message_stream_sends_the_task_its_status_and_the_final_reply() {
    let Some(python) = python() else { return };
    let env = Env::new();
    let a = agent_module(&env, "calc-a", r#"{"sum":3}"#, None);
    deploy(&env, "calc-a", &a, "calc");
    let d = start(&env, &[]);
    let out = a2a_client(
        &python,
        &d.url,
        "",
        json!([
            {"data": {"a": 1, "b": 2}, "skill": "calc", "stream": true},
            {"text": "unknown", "skill": "teleport", "stream": true}
        ]),
    );
    assert_eq!(
        out["card"]["capabilities"]["streaming"], true,
        "{}",
        out["card"]
    );
    let events = out["replies"][0]["stream"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", out["replies"]));
    let states: Vec<&str> = events
        .iter()
        .map(|e| e["task"]["status"]["state"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(states, ["submitted", "working", "completed"], "{events:#?}");
    let last = &events[2]["update"];
    assert_eq!(last["final"], true, "{last}");
    assert_eq!(last["kind"], "status-update");
    assert_eq!(
        last["status"]["message"]["parts"][0]["data"],
        json!({"sum": 3}),
        "{last}"
    );
    // Every event names the same task and context: a Caxton conversation.
    let task = events[0]["task"]["id"].as_str().unwrap();
    let context = events[0]["task"]["contextId"].as_str().unwrap();
    assert!(
        events
            .iter()
            .skip(1)
            .all(|e| e["update"]["taskId"] == task && e["update"]["contextId"] == context),
        "{events:#?}"
    );
    let conv = env
        .run(&["conversations", "show", context, "--json"])
        .ok()
        .json();
    assert_eq!(conv["messages"][0]["sender"], "a2a", "{conv}");
    assert_eq!(conv["messages"][1]["content"], json!({"sum": 3}), "{conv}");
    // A stream that cannot start is a JSON-RPC error the client raises.
    assert!(
        out["replies"][1]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("teleport"),
        "{}",
        out["replies"][1]
    );
}
