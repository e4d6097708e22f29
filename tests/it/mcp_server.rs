//! `caxton mcp serve` driven by clients no one here wrote: the official
//! TypeScript SDK client (tests/mcp/client.mjs) and the MCP Inspector CLI,
//! side by side with the reference memory server
//! (`@modelcontextprotocol/server-memory`), all pinned in tests/mcp.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::recorded_llm::RecordedLlm;
use crate::common::{Env, bin, have_model, repo, required};
use crate::delegation::{calls, config_agent_with_tools, says};

/// tests/mcp/node_modules with the SDK, the Inspector and the reference
/// server, or `None` (skipped) when not installed.
#[track_caller]
fn clients() -> Option<PathBuf> {
    let modules = repo().join("tests/mcp/node_modules");
    let installed = [
        "@modelcontextprotocol/sdk/package.json",
        "@modelcontextprotocol/inspector/package.json",
        "@modelcontextprotocol/server-memory/dist/index.js",
    ]
    .iter()
    .all(|p| modules.join(p).is_file());
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    match (installed && node, required("CAXTON_REQUIRE_MCP")) {
        (true, _) => Some(modules),
        (false, true) => panic!(
            "CAXTON_REQUIRE_MCP=1 but node or the MCP clients in tests/mcp are not installed (run ./install.sh)"
        ),
        (false, false) => {
            eprintln!(
                "note: node or the MCP clients in tests/mcp are missing (./install.sh); skipping"
            );
            None
        }
    }
}

fn reference_server(modules: &Path) -> String {
    modules
        .join("@modelcontextprotocol/server-memory/dist/index.js")
        .display()
        .to_string()
}

/// A command for `program` with this Env's environment (data dir, HOME,
/// models), so a client started by it starts `caxton` against the Env.
fn with_env(env: &Env, program: &str) -> Command {
    let mut c = Command::new(program);
    c.env_clear();
    for (k, v) in env.cmd().get_envs() {
        if let Some(v) = v {
            c.env(k, v);
        }
    }
    c.current_dir(env.path());
    c
}

/// Run `steps` through the TypeScript SDK client against `server` (a
/// command line); returns one outcome per step (after the connect outcome).
fn drive(env: &Env, server: &[&str], steps: Value) -> Vec<Value> {
    let v = client(env, "stdio", server, steps);
    assert!(
        v[0].get("result").is_some(),
        "client did not connect: {}",
        v[0]
    );
    v[1..].to_vec()
}

/// The client's outcomes, the connect outcome first; `mode` is `stdio`
/// (`target` = a command line) or `http` (`target` = URL, then headers).
fn client(env: &Env, mode: &str, target: &[&str], steps: Value) -> Vec<Value> {
    let mut c = with_env(env, "node");
    c.arg(repo().join("tests/mcp/client.mjs"))
        .arg(mode)
        .args(target)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("run node");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(steps.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let v: Vec<Value> = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!("client output is not JSON ({e}):\n{stdout}\nstderr:\n{stderr}")
    });
    assert!(!stderr.contains("panicked"), "{stderr}");
    v
}

fn caxton(args: &[&str]) -> Vec<String> {
    let mut v = vec![bin().to_string(), "mcp".into(), "serve".into()];
    v.extend(args.iter().map(|s| s.to_string()));
    v
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The deterministic part of the reference server's contract: every tool
/// but search (which Caxton answers by meaning), in a fixed order.
fn script() -> Value {
    json!([
        {"call": "create_entities", "arguments": {"entities": [
            {"name": "Ada", "entityType": "person", "observations": ["wrote the first program", "worked with Babbage"]},
            {"name": "Babbage", "entityType": "person", "observations": ["designed the analytical engine"]},
            {"name": "Engine", "entityType": "machine", "observations": []}
        ]}},
        {"call": "create_entities", "arguments": {"entities": [
            {"name": "Ada", "entityType": "person", "observations": ["a duplicate is skipped"]}
        ]}},
        {"call": "create_relations", "arguments": {"relations": [
            {"from": "Ada", "to": "Babbage", "relationType": "worked with"},
            {"from": "Babbage", "to": "Engine", "relationType": "designed"}
        ]}},
        {"call": "add_observations", "arguments": {"observations": [
            {"entityName": "Ada", "contents": ["born in 1815", "wrote the first program"]}
        ]}},
        {"call": "open_nodes", "arguments": {"names": ["Ada", "Babbage", "Nobody"]}},
        {"call": "delete_observations", "arguments": {"deletions": [
            {"entityName": "Ada", "observations": ["born in 1815"]}
        ]}},
        {"call": "delete_relations", "arguments": {"relations": [
            {"from": "Babbage", "to": "Engine", "relationType": "designed"}
        ]}},
        {"call": "delete_entities", "arguments": {"entityNames": ["Engine"]}},
        {"call": "read_graph", "arguments": {}}
    ])
}

/// A tool result without what may differ between two correct servers:
/// the order of entities in a graph (the reference keeps insertion order,
/// Caxton sorts by name) and the pretty-printed text, which must still
/// parse to the structured content.
fn normalized(outcome: &Value) -> Value {
    let r = &outcome["result"];
    assert!(r.is_object(), "call failed: {outcome}");
    let mut sc = r["structuredContent"].clone();
    let text = r["content"][0]["text"].as_str().unwrap();
    if let Ok(parsed) = serde_json::from_str::<Value>(text) {
        if parsed.is_object() {
            assert_eq!(parsed, sc, "the text is the structured content");
        } else {
            assert_eq!(
                parsed.as_array(),
                sc.as_object()
                    .and_then(|o| o.values().next())
                    .and_then(Value::as_array)
            );
        }
    } else {
        assert_eq!(Some(text), sc["message"].as_str());
    }
    for key in ["entities", "relations"] {
        if let Some(list) = sc.get_mut(key).and_then(Value::as_array_mut) {
            list.sort_by_key(|v| v.to_string());
        }
    }
    // An absent isError means false (MCP spec).
    json!({"isError": r["isError"].as_bool().unwrap_or(false), "structuredContent": sc})
}

#[test]
fn memory_tools_answer_like_the_reference_server() {
    let Some(modules) = clients() else { return };
    let env = Env::new();
    let reference = drive(
        &env,
        &[
            "env",
            &format!(
                "MEMORY_FILE_PATH={}",
                env.path().join("ref.jsonl").display()
            ),
            "node",
            &reference_server(&modules),
        ],
        script(),
    );
    let ours = drive(&env, &strs(&caxton(&[])), script());
    assert_eq!(ours.len(), reference.len());
    for (i, (o, r)) in ours.iter().zip(&reference).enumerate() {
        assert_eq!(normalized(o), normalized(r), "step {i}: {}", script()[i]);
    }
    // Not vacuous: the final graph holds what the script left.
    let graph = &ours.last().unwrap()["result"]["structuredContent"];
    assert_eq!(graph["entities"].as_array().unwrap().len(), 2);
    assert_eq!(graph["relations"][0]["relationType"], "worked with");
}

/// tools/list through the official Inspector CLI, for `server`.
fn inspector_tools(env: &Env, modules: &Path, server: &[&str]) -> Value {
    let out = with_env(env, "node")
        .arg(modules.join("@modelcontextprotocol/inspector/clients/launcher/build/index.js"))
        .arg("--cli")
        .args(server)
        .args(["--method", "tools/list"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "inspector output is not JSON ({e}):\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn inspector_lists_the_reference_servers_tools_and_calls_them() {
    let Some(modules) = clients() else { return };
    let env = Env::new();
    let key = |t: &Value| json!({"name": t["name"], "inputSchema": t["inputSchema"], "outputSchema": t["outputSchema"], "annotations": t["annotations"]});
    // The Inspector passes only a default environment to the server it
    // starts: the data directory goes on the command line.
    let data = format!("CAXTON_DATA_DIR={}", env.data().display());
    let mut ours_cmd = vec!["env".to_string(), data];
    ours_cmd.extend(caxton(&[]));
    let ours = inspector_tools(&env, &modules, &strs(&ours_cmd));
    let reference = inspector_tools(
        &env,
        &modules,
        &[
            "env",
            &format!(
                "MEMORY_FILE_PATH={}",
                env.path().join("ref.jsonl").display()
            ),
            "node",
            &reference_server(&modules),
        ],
    );
    let ours: Vec<Value> = ours["tools"].as_array().unwrap().iter().map(key).collect();
    let reference: Vec<Value> = reference["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(key)
        .collect();
    assert_eq!(ours.len(), 9);
    assert_eq!(ours, reference);

    let out = with_env(&env, "node")
        .arg(modules.join("@modelcontextprotocol/inspector/clients/launcher/build/index.js"))
        .arg("--cli")
        .args(&ours_cmd)
        .args(["--method", "tools/call", "--tool-name", "create_entities", "--tool-arg"])
        .arg(r#"entities=[{"name":"Inspected","entityType":"thing","observations":["seen by the inspector"]}]"#)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(v["structuredContent"]["entities"][0]["name"], "Inspected");
    let graph = env.run(&["memory", "read-graph"]).ok().json();
    assert_eq!(
        graph["entities"][0]["observations"][0],
        "seen by the inspector"
    );
}

#[test]
fn search_nodes_finds_by_meaning() {
    let Some(_) = clients() else { return };
    if !have_model() {
        return;
    }
    let env = Env::new();
    let out = drive(
        &env,
        &strs(&caxton(&[])),
        json!([
            {"call": "create_entities", "arguments": {"entities": [
                {"name": "Marie", "entityType": "person", "observations": ["plays the violin in the city orchestra"]},
                {"name": "Leak", "entityType": "incident", "observations": ["water dripping from the kitchen ceiling"]}
            ]}},
            {"call": "search_nodes", "arguments": {"query": "musician"}},
            {"call": "search_nodes", "arguments": {"query": "plumbing problem at home"}}
        ]),
    );
    // No query word occurs in the entity it should find.
    assert_eq!(
        out[1]["result"]["structuredContent"]["entities"][0]["name"], "Marie",
        "{}",
        out[1]
    );
    assert_eq!(
        out[2]["result"]["structuredContent"]["entities"][0]["name"], "Leak",
        "{}",
        out[2]
    );
}

#[test]
fn scope_options_select_the_memory_a_client_sees() {
    let Some(_) = clients() else { return };
    let env = Env::new();
    let write = json!([{"call": "create_entities", "arguments": {"entities": [
        {"name": "Private", "entityType": "note", "observations": ["only agent a sees this"]}
    ]}}]);
    drive(
        &env,
        &strs(&caxton(&["--scope", "agent", "--agent", "a"])),
        write,
    );
    let read = json!([{"call": "read_graph", "arguments": {}}]);
    let names = |args: &[&str]| -> Vec<Value> {
        drive(&env, &strs(&caxton(args)), read.clone())[0]["result"]["structuredContent"]["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].clone())
            .collect()
    };
    assert_eq!(names(&["--agent", "a"]), vec![json!("Private")]);
    assert!(names(&["--agent", "b"]).is_empty());
    assert!(names(&["--agent", "b", "--workspace", "w"]).is_empty());
    // Without --agent the client has the operator's view: everything.
    assert_eq!(names(&[]), vec![json!("Private")]);
    // A write scope that names no owner is refused before serving.
    let r = env.run(&["mcp", "serve", "--scope", "agent"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains("--scope agent needs --agent"),
        "{}",
        r.stderr
    );
}

#[test]
fn import_memory_json_takes_the_reference_servers_file_as_is() {
    let Some(modules) = clients() else { return };
    let env = Env::new();
    // The reference server writes its own memory.jsonl.
    let file = env.path().join("memory.jsonl");
    let reference = drive(
        &env,
        &[
            "env",
            &format!("MEMORY_FILE_PATH={}", file.display()),
            "node",
            &reference_server(&modules),
        ],
        script(),
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(r#""type":"entity""#), "{text}");
    // A dangling relation, which the reference server accepts.
    std::fs::write(
        &file,
        format!(
            "{text}\n{}\n",
            r#"{"type":"relation","from":"Ada","to":"Ghost","relationType":"haunts"}"#
        ),
    )
    .unwrap();
    let file_arg = file.display().to_string();
    let read = json!([{"call": "read_graph", "arguments": {}}]);
    for _ in 0..2 {
        let ours = drive(
            &env,
            &strs(&caxton(&["--import-memory-json", &file_arg])),
            read.clone(),
        );
        assert_eq!(
            normalized(&ours[0]),
            normalized(reference.last().unwrap()),
            "imported once, not twice"
        );
    }
    let r = env.run(&["memory", "read-graph"]).ok().json();
    assert_eq!(r["entities"].as_array().unwrap().len(), 2);

    // A file that is not the reference format is refused, naming the line.
    let bad = env.write(
        "bad.jsonl",
        "{\"type\":\"entity\",\"name\":\"X\",\"entityType\":\"t\"}\nnot json\n",
    );
    let r = env.run(&[
        "mcp",
        "serve",
        "--import-memory-json",
        &bad.display().to_string(),
    ]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("line 2"), "{}", r.stderr);
    let g = env.run(&["memory", "read-graph"]).ok().json();
    assert_eq!(
        g["entities"].as_array().unwrap().len(),
        2,
        "nothing of a refused file is written: {g}"
    );
}

/// A raw JSON-RPC session over the server's stdin/stdout.
struct Raw {
    child: std::process::Child,
    out: BufReader<std::process::ChildStdout>,
}

impl Raw {
    fn start(env: &Env) -> Raw {
        let mut child = env
            .cmd()
            .args(["mcp", "serve"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        let mut raw = Raw { child, out };
        raw.send(&json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}).to_string());
        assert!(raw.recv()["result"]["serverInfo"]["name"] == "caxton");
        raw.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
        raw
    }

    fn send(&mut self, line: &str) {
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    }

    fn recv(&mut self) -> Value {
        let mut line = String::new();
        self.out.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"))
    }

    fn call(&mut self, id: u64, name: &str, arguments: Value) -> Value {
        self.send(
            &json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": name, "arguments": arguments}})
            .to_string(),
        );
        let r = self.recv();
        assert_eq!(r["id"], id, "{r}");
        r
    }

    /// Close stdin and wait (bounded) for a clean exit; returns stderr.
    fn finish(mut self) -> String {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut err = String::new();
                std::io::Read::read_to_string(&mut self.child.stderr.take().unwrap(), &mut err)
                    .unwrap();
                assert!(status.success(), "exit {status}: {err}");
                return err;
            }
            assert!(
                Instant::now() < deadline,
                "server did not exit after stdin closed"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn bad_input_gets_json_rpc_errors_and_writes_nothing() {
    let env = Env::new();
    let mut raw = Raw::start(&env);
    // Not JSON: ignored, as the official SDKs do (nothing to answer to).
    raw.send("this is not json {");
    // JSON that is no JSON-RPC message: -32600 invalid request.
    raw.send(r#"{"hello":"world"}"#);
    assert_eq!(raw.recv()["error"]["code"], -32600);
    // Unknown method: -32601.
    raw.send(r#"{"jsonrpc":"2.0","id":1,"method":"no/such/method"}"#);
    let r = raw.recv();
    assert_eq!(
        (r["id"].clone(), r["error"]["code"].clone()),
        (json!(1), json!(-32601))
    );
    // Unknown tool and wrong argument shapes: -32602, naming what is wrong.
    let r = raw.call(2, "drop_database", json!({}));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("drop_database"),
        "{r}"
    );
    let r = raw.call(
        3,
        "create_entities",
        json!({"entities": [{"name": "A", "entityType": 7}]}),
    );
    assert_eq!(r["error"]["code"], -32602, "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("entities[0].entityType"),
        "{r}"
    );
    let r = raw.call(4, "create_entities", json!({"entities": "A"}));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    let r = raw.call(
        5,
        "add_observations",
        json!({"observations": [{"entityName": "A"}]}),
    );
    assert_eq!(r["error"]["code"], -32602, "{r}");
    // A well-formed call that fails is a tool error the model can read.
    let r = raw.call(
        6,
        "add_observations",
        json!({"observations": [{"entityName": "Nobody", "contents": ["x"]}]}),
    );
    assert_eq!(r["result"]["isError"], true, "{r}");
    assert!(
        r["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("Nobody"),
        "{r}"
    );
    // An oversized message (over 8 MiB) is discarded without buffering it;
    // the session goes on.
    let huge = format!(
        r#"{{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{{"name":"create_entities","arguments":{{"entities":[{{"name":"Huge","entityType":"t","observations":["{}"]}}]}}}}}}"#,
        "x".repeat(9 * 1024 * 1024)
    );
    raw.send(&huge);
    let r = raw.call(8, "read_graph", json!({}));
    assert_eq!(
        r["result"]["structuredContent"],
        json!({"entities": [], "relations": []}),
        "nothing was written"
    );
    let stderr = raw.finish();
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_client_that_disconnects_mid_call_leaves_all_or_nothing() {
    let env = Env::new();
    let observations: Vec<String> = (0..200)
        .map(|i| format!("observation number {i}"))
        .collect();
    for round in 0..3 {
        let mut raw = Raw::start(&env);
        let name = format!("Batch{round}");
        raw.send(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "create_entities",
            "arguments": {"entities": [{"name": name, "entityType": "t", "observations": observations}]}}}).to_string());
        // Gone before the answer.
        let stderr = raw.finish();
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let g = env.run(&["memory", "read-graph"]).ok().json();
    for e in g["entities"].as_array().unwrap() {
        assert_eq!(
            e["observations"].as_array().unwrap().len(),
            200,
            "{}",
            e["name"]
        );
    }
}

#[test]
fn streamable_http_at_mcp_keeps_the_rest_apis_token_host_and_origin_rules() {
    let Some(_) = clients() else { return };
    let env = Env::new();
    let d = crate::daemon::start(&env, &[("CAXTON_SERVER_AUTH_TOKEN", "mcp-token-7")]);
    let url = format!("{}/mcp", d.url);
    let steps = json!([
        {"list": true},
        {"call": "create_entities", "arguments": {"entities": [
            {"name": "Over HTTP", "entityType": "note", "observations": ["sent through /mcp"]}
        ]}},
        {"call": "read_graph", "arguments": {}}
    ]);
    let out = client(
        &env,
        "http",
        &[&url, "Authorization=Bearer mcp-token-7"],
        steps.clone(),
    );
    assert!(out[0].get("result").is_some(), "{}", out[0]);
    assert_eq!(
        out[1]["result"]["tools"].as_array().unwrap().len(),
        9,
        "{}",
        out[1]
    );
    assert_eq!(
        out[3]["result"]["structuredContent"]["entities"][0]["name"], "Over HTTP",
        "{}",
        out[3]
    );
    // The REST API sees the same memory.
    let (s, g, _) = d.send(
        d.http
            .get(format!("{}/api/v1/memory/graph", d.url))
            .header("authorization", "Bearer mcp-token-7"),
    );
    assert_eq!(
        (s, g["entities"][0]["name"].clone()),
        (200, json!("Over HTTP"))
    );

    // The caller's scope comes from the URL, as in the REST API.
    let scoped = format!("{url}?scope=agent&agent=a");
    let out = client(
        &env,
        "http",
        &[&scoped, "Authorization=Bearer mcp-token-7"],
        json!([
            {"call": "read_graph", "arguments": {}}
        ]),
    );
    assert_eq!(
        out[1]["result"]["structuredContent"]["entities"][0]["name"], "Over HTTP",
        "global is visible to agent a"
    );
    let bad = format!("{url}?scope=agent");
    let out = client(
        &env,
        "http",
        &[&bad, "Authorization=Bearer mcp-token-7"],
        json!([
            {"call": "read_graph", "arguments": {}}
        ]),
    );
    assert_eq!(out[1]["error"]["code"], -32602, "{}", out[1]);

    // Without the token: refused before any MCP handling.
    let out = client(&env, "http", &[&url], steps);
    assert_eq!(out[0]["error"]["code"], 401, "{}", out[0]);
    assert!(
        out[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unauthorized"),
        "{}",
        out[0]
    );
    // A rebinding page (foreign Host) or a cross-site page (foreign Origin).
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "page", "version": "1"}}}).to_string();
    let post = |name: &str, value: &str| {
        d.send(
            d.http
                .post(&url)
                .header("authorization", "Bearer mcp-token-7")
                .header("content-type", "application/json")
                .header("accept", "application/json, text/event-stream")
                .header(name, value)
                .body(init.clone()),
        )
        .0
    };
    assert_eq!(post("host", "evil.example"), 403);
    assert_eq!(post("origin", "http://evil.example"), 403);
    assert_eq!(
        post("x-unrelated", "1"),
        200,
        "the same request from a real client passes"
    );

    // A body that is not JSON, or JSON that is no JSON-RPC message: the
    // JSON-RPC errors, not the SDK's plain-text 415.
    for (body, code) in [("{not json", -32700), (r#"{"hello": 1}"#, -32600)] {
        let (status, answer, _) = d.send(
            d.http
                .post(&url)
                .header("authorization", "Bearer mcp-token-7")
                .header("content-type", "application/json")
                .header("accept", "application/json, text/event-stream")
                .body(body),
        );
        assert_eq!(
            (status, answer["error"]["code"].clone()),
            (400, json!(code)),
            "{body}: {answer}"
        );
    }
}

#[test]
fn deployed_agents_are_tools_that_follow_deploys() {
    use crate::messaging::{agent_module, deploy};
    let Some(_) = clients() else { return };
    let env = Env::new();
    let a = agent_module(&env, "calc-a", r#"{"sum":3}"#, None);
    deploy(&env, "calc-a", &a, "calc");
    let b = agent_module(&env, "stats-b", r#"{"mean":2}"#, None);
    let out = drive(
        &env,
        &strs(&caxton(&[])),
        json!([
            {"list": true},
            {"call": "ask_calc-a", "arguments": {"input": {"a": 1, "b": 2}}},
            {"call": "send_message", "arguments": {"capability": "calc", "content": {"a": 1}}},
            {"exec": [bin(), "agents", "deploy", "stats-b", "--source", b, "--capability", "stats"]},
            {"waitToolsChanged": 30000},
            {"list": true},
            {"call": "ask_stats-b", "arguments": {"input": {}}},
            {"call": "ask_calc-a", "arguments": {"query": "wrong shape"}}
        ]),
    );
    let names = |o: &Value| -> Vec<String> {
        o["result"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_string())
            .collect()
    };
    let first = names(&out[0]);
    assert!(
        first.contains(&"ask_calc-a".to_string()) && first.contains(&"send_message".to_string()),
        "{first:?}"
    );
    assert!(!first.contains(&"ask_stats-b".to_string()), "{first:?}");
    let ask = &out[0]["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "ask_calc-a")
        .unwrap()["inputSchema"];
    assert_eq!(ask["required"], json!(["input"]));

    let reply = &out[1]["result"];
    assert_eq!(
        reply["structuredContent"]["content"],
        json!({"sum": 3}),
        "{reply}"
    );
    assert_eq!(reply["structuredContent"]["agent"], "calc-a");
    // The call is an ordinary Caxton conversation.
    let id = reply["structuredContent"]["conversationId"]
        .as_str()
        .unwrap();
    let conv = env
        .run(&["conversations", "show", id, "--json"])
        .ok()
        .json();
    assert_eq!(conv["messages"][0]["sender"], "mcp", "{conv}");
    assert_eq!(conv["messages"][0]["content"], json!({"a": 1, "b": 2}));

    assert_eq!(
        out[2]["result"]["structuredContent"]["content"],
        json!({"sum": 3}),
        "{}",
        out[2]
    );
    assert_eq!(out[4]["result"]["toolsChanged"], true, "{}", out[4]);
    assert!(names(&out[5]).contains(&"ask_stats-b".to_string()));
    assert_eq!(
        out[6]["result"]["structuredContent"]["content"],
        json!({"mean": 2}),
        "{}",
        out[6]
    );
    assert_eq!(out[7]["error"]["code"], -32602, "{}", out[7]);
}

/// A config agent whose file holds secrets a resource must not show.
const SECRET_AGENT: &str = r#"# Keep this comment when nothing is masked.
name = "Keeper"
version = "1.0.0"
description = "Keeps secrets."
capabilities = ["keeping"]
tools = []
system_prompt = "You keep secrets."

[llm]
base_url = "https://user:hunter2-pw@llm.example/v1"

[parameters]
api_key = "sk-live-abcdef123456"
audience = "ops"
"#;

#[test]
fn agents_and_conversations_are_resources_secrets_masked() {
    use crate::messaging::{agent_module, deploy};
    let Some(_) = clients() else { return };
    let env = Env::new();
    let keeper = env.write("keeper.toml", SECRET_AGENT);
    env.run(&[
        "agents",
        "deploy",
        "keeper",
        "--source",
        keeper.to_str().unwrap(),
    ])
    .ok();
    let a = agent_module(&env, "calc-a", r#"{"sum":3}"#, None);
    deploy(&env, "calc-a", &a, "calc");
    let sent = env
        .run(&[
            "message",
            "send",
            "--capability",
            "calc",
            "--content",
            r#"{"a":1}"#,
            "--wait",
            "10s",
            "--json",
        ])
        .ok()
        .json();
    let conv = sent["conversation_id"].as_str().unwrap().to_string();
    let b = agent_module(&env, "stats-b", r#"{"mean":2}"#, None);
    let conv_uri = format!("caxton://conversations/{conv}");
    let out = drive(
        &env,
        &strs(&caxton(&[])),
        json!([
            {"resources": true},
            {"templates": true},
            {"read": "caxton://agents/keeper"},
            {"read": "caxton://agents/calc-a"},
            {"read": conv_uri},
            {"read": "caxton://agents/nobody"},
            {"read": "file:///etc/passwd"},
            {"exec": [bin(), "agents", "deploy", "stats-b", "--source", b, "--capability", "stats"]},
            {"waitResourcesChanged": 30000},
            {"resources": true}
        ]),
    );
    let uris = |o: &Value| -> Vec<String> {
        o["result"]["resources"]
            .as_array()
            .unwrap_or_else(|| panic!("{o}"))
            .iter()
            .map(|r| r["uri"].as_str().unwrap().to_string())
            .collect()
    };
    let listed = uris(&out[0]);
    for u in [
        "caxton://agents/keeper",
        "caxton://agents/calc-a",
        &conv_uri,
    ] {
        assert!(listed.contains(&u.to_string()), "{u} not in {listed:?}");
    }
    assert!(!listed.contains(&"caxton://agents/stats-b".to_string()));
    let keeper = out[0]["result"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["uri"] == "caxton://agents/keeper")
        .unwrap();
    assert_eq!(keeper["mimeType"], "application/toml", "{keeper}");
    let templates: Vec<&str> = out[1]["result"]["resourceTemplates"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", out[1]))
        .iter()
        .map(|t| t["uriTemplate"].as_str().unwrap())
        .collect();
    assert_eq!(
        templates,
        ["caxton://agents/{id}", "caxton://conversations/{id}"]
    );

    // The config agent's TOML, its secrets masked and the rest as written.
    let toml_doc = &out[2]["result"]["contents"][0];
    assert_eq!(toml_doc["mimeType"], "application/toml", "{toml_doc}");
    let text = toml_doc["text"].as_str().unwrap();
    assert!(
        !text.contains("sk-live-abcdef123456") && !text.contains("hunter2-pw"),
        "{text}"
    );
    let parsed: toml::Table = toml::from_str(text).unwrap();
    assert_eq!(parsed["name"].as_str(), Some("Keeper"));
    assert_eq!(parsed["parameters"]["audience"].as_str(), Some("ops"));
    assert_eq!(parsed["parameters"]["api_key"].as_str(), Some("********"));
    assert!(
        parsed["llm"]["base_url"]
            .as_str()
            .unwrap()
            .contains("llm.example"),
        "{text}"
    );

    // The WASM agent's metadata.
    let wasm_doc = &out[3]["result"]["contents"][0];
    assert_eq!(wasm_doc["mimeType"], "application/json", "{wasm_doc}");
    let meta: Value = serde_json::from_str(wasm_doc["text"].as_str().unwrap()).unwrap();
    assert_eq!(meta["kind"], "wasm");
    assert_eq!(meta["manifest"]["capabilities"], json!(["calc"]), "{meta}");

    // The conversation's messages.
    let c: Value =
        serde_json::from_str(out[4]["result"]["contents"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(c["conversationId"], conv.as_str());
    assert_eq!(c["omittedMessages"], 0);
    assert_eq!(c["messages"][0]["content"], json!({"a": 1}), "{c}");
    assert_eq!(c["messages"][1]["content"], json!({"sum": 3}), "{c}");

    // Unknown resources: the spec's "resource not found".
    for o in [&out[5], &out[6]] {
        assert_eq!(o["error"]["code"], -32002, "{o}");
    }

    // A deploy changes the list and says so.
    assert_eq!(out[8]["result"]["resourcesChanged"], true, "{}", out[8]);
    assert!(uris(&out[9]).contains(&"caxton://agents/stats-b".to_string()));

    // An agent's view: only conversations it took part in.
    let read = json!([{"read": format!("caxton://conversations/{conv}")}, {"resources": true}]);
    let mine = drive(&env, &strs(&caxton(&["--agent", "calc-a"])), read.clone());
    assert!(
        mine[0]["result"]["contents"][0]["text"].is_string(),
        "{}",
        mine[0]
    );
    let other = drive(&env, &strs(&caxton(&["--agent", "stats-b"])), read);
    assert_eq!(other[0]["error"]["code"], -32002, "{}", other[0]);
    assert!(!uris(&other[1]).contains(&format!("caxton://conversations/{conv}")));
}

/// A config agent `name` offering `capability` whose model (a replay at
/// `llm`) first calls the tool `csv_parser`, then answers.
fn tool_calling_agent(env: &Env, name: &str, capability: &str, llm: &RecordedLlm) {
    config_agent_with_tools(
        env,
        name,
        &[capability],
        &["csv_parser"],
        &llm.url("/v1"),
        "",
    );
}

/// The model's first answer: call `csv_parser`.
fn calls_csv_parser() -> String {
    calls("csv_parser", json!({"content": "a,b\n1,2\n"}))
}

#[test]
fn an_agent_call_reports_its_runs_steps_as_progress() {
    let Some(_) = clients() else { return };
    let env = Env::new();
    let llm = RecordedLlm::serve(vec![calls_csv_parser(), says("The file has one row.")]);
    tool_calling_agent(&env, "counter", "counting", &llm);
    let out = drive(
        &env,
        &strs(&caxton(&[])),
        json!([
            {"call": "ask_counter", "arguments": {"query": "How many rows?"}, "progress": true}
        ]),
    );
    let r = &out[0]["result"];
    assert_eq!(
        r["content"][0]["text"], "The file has one row.",
        "{}",
        out[0]
    );
    let progress = r["progress"].as_array().unwrap_or_else(|| panic!("{r}"));
    let values: Vec<f64> = progress
        .iter()
        .map(|p| p["progress"].as_f64().unwrap())
        .collect();
    assert!(
        values.windows(2).all(|w| w[0] < w[1]),
        "progress must increase: {progress:?}"
    );
    let messages: Vec<&str> = progress
        .iter()
        .map(|p| p["message"].as_str().unwrap_or_default())
        .collect();
    for step in [
        "calling the tool `csv_parser` (model call 1)",
        "the tool `csv_parser` finished",
    ] {
        assert!(
            messages.iter().any(|m| m.starts_with(step)),
            "no `{step}` in {messages:?}"
        );
    }
}

#[test]
fn a_cancelled_agent_call_stops_its_run_and_the_server_goes_on() {
    let Some(_) = clients() else { return };
    let env = Env::new();
    // The answer after the tool comes 3 s late: the cancel, sent at the
    // first progress notification, arrives long before it.
    let slow = RecordedLlm::serve_paced(vec![
        (Duration::ZERO, calls_csv_parser()),
        (Duration::from_secs(3), says("Too late to matter.")),
    ]);
    tool_calling_agent(&env, "slow", "slowness", &slow);
    let quick = RecordedLlm::serve(vec![says("Still serving.")]);
    tool_calling_agent(&env, "quick", "quickness", &quick);
    let d = crate::daemon::start(&env, &[]);
    let url = format!("{}/mcp", d.url);
    let out = client(
        &env,
        "http",
        &[&url],
        json!([
            {"call": "ask_slow", "arguments": {"query": "Take your time."}, "abortOnProgress": true},
            {"call": "ask_quick", "arguments": {"query": "Are you there?"}}
        ]),
    );
    assert_eq!(out[1]["error"]["aborted"], true, "{}", out[1]);
    assert_eq!(
        out[2]["result"]["content"][0]["text"], "Still serving.",
        "{}",
        out[2]
    );
    // The run is recorded as cancelled; the late answer was not used.
    let logs = crate::daemon::poll("the cancelled run's record", || {
        let logs = env.run(&["agents", "logs", "slow", "--json"]).ok().json();
        let text = logs.to_string();
        text.contains("cancelled").then_some(text)
    });
    assert!(logs.contains("was cancelled by its caller"), "{logs}");
    assert!(!logs.contains("Too late"), "{logs}");
    assert!(slow.received().len() <= 2, "{:?}", slow.received());
}

#[test]
fn a_long_conversation_resource_holds_its_newest_200_messages() {
    use crate::messaging::{agent_module, deploy};
    let Some(_) = clients() else { return };
    let env = Env::new();
    let a = agent_module(&env, "calc-a", r#"{"sum":3}"#, None);
    deploy(&env, "calc-a", &a, "calc");
    let d = crate::daemon::start(&env, &[]);
    let post = |body: Value| {
        let (s, v, raw) = d.send(
            d.http
                .post(format!("{}/api/v1/messages", d.url))
                .header("content-type", "application/json")
                .body(body.to_string()),
        );
        assert_eq!(s, 200, "{raw}");
        v
    };
    // 205 messages: a request opens the conversation (its reply follows),
    // then 203 informs, which get none.
    let opened = post(json!({
        "performative": "request", "capability": "calc", "content": {"n": 0}, "wait": "10s"
    }));
    let conv = opened["conversation_id"].as_str().unwrap().to_string();
    for n in 1..=203 {
        post(json!({
            "performative": "inform", "receiver": "calc-a", "content": {"n": n},
            "conversation_id": conv
        }));
    }
    let shown = |c: &Value| c["messages"].as_array().map_or(0, Vec::len);
    let total = crate::daemon::poll("205 messages stored", || {
        let c = env
            .run(&["conversations", "show", &conv, "--json"])
            .ok()
            .json();
        (shown(&c) == 205).then_some(c)
    });
    let out = client(
        &env,
        "http",
        &[&format!("{}/mcp", d.url)],
        json!([{"read": format!("caxton://conversations/{conv}")}]),
    );
    let c: Value = serde_json::from_str(
        out[1]["result"]["contents"][0]["text"]
            .as_str()
            .unwrap_or_else(|| panic!("{}", out[1])),
    )
    .unwrap();
    assert_eq!(c["omittedMessages"], 5, "{}", c["note"]);
    assert_eq!(c["messageCount"], 205);
    let messages = c["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 200);
    // The newest 200, oldest first: the same as the full listing's tail.
    let all = total["messages"].as_array().unwrap();
    let ids = |ms: &[Value]| -> Vec<Value> { ms.iter().map(|m| m["message_id"].clone()).collect() };
    assert_eq!(ids(messages), ids(&all[5..]));
    assert_eq!(messages.last().unwrap()["content"], json!({"n": 203}));
    assert!(
        c["note"]
            .as_str()
            .unwrap()
            .contains("the oldest 5 messages"),
        "{}",
        c["note"]
    );
}
