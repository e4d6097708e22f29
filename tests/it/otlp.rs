//! OTLP trace export through the real daemon to a real OTLP/HTTP receiver
//! on loopback (tests/otlp/receiver.py, decoding with the official protobuf
//! definitions from PyPI opentelemetry-proto, installed by
//! scripts/setup-otlp-receiver): the span tree of one execute of a config
//! agent that calls a tool, a caller's `traceparent` as its parent, a
//! message's delivery in the sender's trace, OTEL_SDK_DISABLED, headers
//! kept out of the log, and bad endpoints.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};

use serde_json::{Value, json};

use crate::agent_runs::{runbook_analyzer, sales_csv, server_llm};
use crate::common::recorded_llm::RecordedLlm;
use crate::common::{Env, repo, skip};
use crate::daemon::{Daemon, deploy_body, poll, start};
use crate::delegation::{asks, calls, config_agent_with_tools, says};
use crate::messaging::agent_module;

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID: &str = "00f067aa0ba902b7";

struct Receiver {
    child: Child,
    /// Closing it stops the receiver.
    _stdin: ChildStdin,
    url: String,
    out: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The receiver, or `None` (skipped with the reason; a failure under
/// `CAXTON_REQUIRE_ALL=1`) when scripts/setup-otlp-receiver has not run.
fn receiver() -> Option<Receiver> {
    receiver_on(0)
}

/// [`receiver`] listening on `port` (0: any free one).
fn receiver_on(port: u16) -> Option<Receiver> {
    let check = Command::new(repo().join("scripts/setup-otlp-receiver"))
        .arg("--check")
        .output()
        .expect("run scripts/setup-otlp-receiver --check");
    if !check.status.success() {
        skip(
            "CAXTON_REQUIRE_OTLP",
            "the OTLP receiver's venv is not installed (run scripts/setup-otlp-receiver)",
        );
        return None;
    }
    let python = String::from_utf8(check.stdout).unwrap().trim().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("spans.jsonl");
    let mut child = Command::new(python)
        .arg(repo().join("tests/otlp/receiver.py"))
        .arg(&out)
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the OTLP receiver");
    let stdin = child.stdin.take().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .strip_prefix("PORT ")
        .unwrap_or_else(|| panic!("receiver said {line:?}"));
    Some(Receiver {
        child,
        _stdin: stdin,
        url: format!("http://127.0.0.1:{port}"),
        out,
        _dir: dir,
    })
}

impl Receiver {
    fn spans(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn headers(&self) -> String {
        std::fs::read_to_string(self.out.with_extension("jsonl.headers")).unwrap_or_default()
    }
}

/// Stop the daemon the way an operator does (it flushes its spans), and
/// wait for it to exit.
fn stop(mut d: Daemon) {
    let (s, v, _) = d.post("/api/v1/shutdown", "");
    assert_eq!(s, 202, "{v}");
    poll("the daemon to exit", || d.child.try_wait().unwrap());
}

fn named<'a>(spans: &'a [Value], name: &str) -> Vec<&'a Value> {
    spans.iter().filter(|s| s["name"] == name).collect()
}

fn one<'a>(spans: &'a [Value], name: &str) -> &'a Value {
    let found = named(spans, name);
    assert_eq!(found.len(), 1, "one {name} span in {spans:#?}");
    found[0]
}

/// A loopback port nothing listens on (one the system just handed out and
/// took back).
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn traceparent() -> String {
    format!("00-{TRACE_ID}-{PARENT_ID}-01")
}

#[test]
fn one_execute_of_a_config_agent_calling_a_tool_is_one_trace_under_the_callers_span() {
    let Some(rx) = receiver() else { return };
    let env = Env::new();
    let llm = RecordedLlm::start(&["openai/stream_tool_call.http", "openai/stream_text.http"]);
    runbook_analyzer(&env);
    sales_csv(&env, "data-analyzer");
    let log = env.path().join("caxton.log");
    env.write(
        "caxton.toml",
        &format!(
            "{}[observability]\notlp_endpoint = \"{}\"\n[logging]\nfile = \"{}\"\n",
            server_llm(&llm),
            rx.url,
            log.display()
        ),
    );
    let d = start(
        &env,
        &[("OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=otlp-secret-123")],
    );
    let (s, v, _) = d.send(
        d.http
            .post(format!("{}/api/v1/agents/data-analyzer/execute", d.url))
            .header("content-type", "application/json")
            .header("traceparent", traceparent())
            .body(r#"{"input": "Summarise this CSV: sales.csv"}"#),
    );
    assert_eq!(s, 200, "{v}");
    stop(d);

    let spans = rx.spans();
    let http = one(&spans, "POST /api/v1/agents/{id}/execute");
    assert_eq!(http["trace_id"], TRACE_ID, "the caller's trace: {http:#}");
    assert_eq!(http["parent_span_id"], PARENT_ID, "{http:#}");
    assert_eq!(http["kind"], 2, "SPAN_KIND_SERVER: {http:#}");
    let a = &http["attributes"];
    assert_eq!(a["http.request.method"], "POST");
    assert_eq!(a["http.route"], "/api/v1/agents/{id}/execute");
    assert_eq!(a["http.response.status_code"], 200);
    assert_eq!(http["resource"]["service.name"], "caxton");

    let run = one(&spans, "agent.execute");
    assert_eq!(run["trace_id"], TRACE_ID);
    assert_eq!(run["parent_span_id"], http["span_id"], "{run:#}");
    assert_eq!(run["attributes"]["agent"], "data-analyzer");
    assert_eq!(run["attributes"]["kind"], "config");

    let calls = named(&spans, "llm.call");
    assert_eq!(calls.len(), 2, "a tool round and an answer: {spans:#?}");
    let prompt_tokens: i64 = calls
        .iter()
        .map(|c| {
            assert_eq!(c["parent_span_id"], run["span_id"], "{c:#}");
            assert_eq!(c["attributes"]["gen_ai.system"], "openai");
            assert!(c["attributes"]["gen_ai.request.model"].is_string(), "{c:#}");
            assert!(
                c["attributes"]["gen_ai.usage.output_tokens"].is_i64(),
                "{c:#}"
            );
            c["attributes"]["gen_ai.usage.input_tokens"]
                .as_i64()
                .unwrap()
        })
        .sum();
    assert_eq!(prompt_tokens, 388 + 412, "the recorded responses' usage");

    let tool = one(&spans, "tool.call");
    assert_eq!(tool["parent_span_id"], run["span_id"], "{tool:#}");
    assert_eq!(tool["attributes"]["tool"], "csv_parser");
    assert_eq!(tool["attributes"]["outcome"], "ok");
    assert_eq!(tool["trace_id"], TRACE_ID);
    // The runbook agent has memory on: its context search is in the run.
    let search = &named(&spans, "memory.search")[0];
    assert_eq!(search["parent_span_id"], run["span_id"], "{search:#}");
    // The tool call happens between the two model calls.
    let (first, second) = if calls[0]["start"].as_u64() < calls[1]["start"].as_u64() {
        (calls[0], calls[1])
    } else {
        (calls[1], calls[0])
    };
    assert!(tool["start"].as_u64() >= first["end"].as_u64(), "{tool:#}");
    assert!(tool["end"].as_u64() <= second["start"].as_u64(), "{tool:#}");

    // The configured header reached the collector; its value never reached the log.
    assert!(rx.headers().contains("otlp-secret-123"), "{}", rx.headers());
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.contains("traces: exporting OTLP over HTTP"), "{log}");
    assert!(!log.contains("otlp-secret-123"), "{log}");
}

#[test]
fn a_conversation_across_agents_is_one_trace() {
    let Some(rx) = receiver() else { return };
    let env = Env::new();
    // The asker, handling a message, sends one to the answerer.
    let asker = agent_module(
        &env,
        "asker",
        r#"{"asked":true}"#,
        Some(r#"{"capability":"answering","performative":"inform","content":"hello"}"#),
    );
    let answerer = agent_module(&env, "answerer", r#"{"ok":true}"#, None);
    let d = start(&env, &[("OTEL_EXPORTER_OTLP_ENDPOINT", rx.url.as_str())]);
    for (name, file, capability) in [
        ("asker", &asker, "asking"),
        ("answerer", &answerer, "answering"),
    ] {
        let module = std::fs::read(file).unwrap();
        let mut body: Value = serde_json::from_str(&deploy_body(name, &module)).unwrap();
        body["capabilities"] = serde_json::json!([capability]);
        let (s, v, _) = d.post("/api/v1/agents", &body.to_string());
        assert_eq!(s, 201, "{v}");
    }
    let (s, sent, _) = d.send(
        d.http
            .post(format!("{}/api/v1/messages", d.url))
            .header("content-type", "application/json")
            .header("traceparent", traceparent())
            .body(r#"{"capability": "asking", "performative": "inform", "content": "go"}"#),
    );
    assert_eq!(s, 200, "{sent}");
    let conversation = sent["conversation_id"].as_str().unwrap().to_string();
    poll("both messages delivered", || {
        let (_, c) = d.get(&format!("/api/v1/conversations/{conversation}"));
        let messages = c["messages"].as_array()?;
        (messages.len() == 2 && messages.iter().all(|m| m["state"] == "delivered")).then_some(())
    });
    stop(d);

    let spans = rx.spans();
    let http = one(&spans, "POST /api/v1/messages");
    assert_eq!(http["parent_span_id"], PARENT_ID);
    let runs = named(&spans, "agent.execute");
    let run_of = |agent: &str| {
        *runs
            .iter()
            .find(|s| s["attributes"]["agent"] == agent)
            .unwrap_or_else(|| panic!("no run of {agent}: {spans:#?}"))
    };
    let deliveries = named(&spans, "message.deliver");
    let delivery_to = |agent: &str| {
        *deliveries
            .iter()
            .find(|s| s["attributes"]["agent"] == agent)
            .unwrap_or_else(|| panic!("no delivery to {agent}: {spans:#?}"))
    };
    let (to_asker, asked) = (delivery_to("asker"), run_of("asker"));
    let (to_answerer, answered) = (delivery_to("answerer"), run_of("answerer"));
    for s in [http, to_asker, asked, to_answerer, answered] {
        assert_eq!(s["trace_id"], TRACE_ID, "one trace: {s:#}");
    }
    // The request stored the message; its delivery ran the asker...
    assert_eq!(to_asker["parent_span_id"], http["span_id"], "{to_asker:#}");
    assert_eq!(to_asker["kind"], 5, "SPAN_KIND_CONSUMER: {to_asker:#}");
    assert_eq!(to_asker["attributes"]["performative"], "inform");
    assert_eq!(to_asker["attributes"]["sender"], "api");
    assert_eq!(asked["parent_span_id"], to_asker["span_id"]);
    assert_eq!(asked["attributes"]["kind"], "wasm");
    assert!(
        asked["attributes"]["wasm.fuel"].as_i64().unwrap() > 0,
        "{asked:#}"
    );
    // ...which sent the message whose delivery ran the answerer.
    assert_eq!(
        to_answerer["parent_span_id"], asked["span_id"],
        "{to_answerer:#}"
    );
    assert_eq!(to_answerer["attributes"]["sender"], "asker");
    assert_eq!(answered["parent_span_id"], to_answerer["span_id"]);
}

/// The issue's "done when": one execute of a config agent that calls a
/// tool and then delegates with `send_message` to another config agent is
/// one trace, the delegate's run under the send_message call that asked it.
#[test]
fn one_execute_that_calls_a_tool_and_delegates_is_one_trace_down_to_the_delegates_run() {
    let Some(rx) = receiver() else { return };
    let env = Env::new();
    let analyst = RecordedLlm::serve(vec![says("Total revenue is 60.")]);
    let boss = RecordedLlm::serve(vec![
        calls(
            "json_processor",
            json!({"input": [10, 20, 30], "filter": "add"}),
        ),
        asks(json!({"capability": "data-analysis", "content": "Is 60 the total revenue?"})),
        says("The data team confirms 60."),
    ]);
    config_agent_with_tools(
        &env,
        "data-analyzer",
        &["data-analysis"],
        &["send_message"],
        &analyst.url("/v1"),
        "",
    );
    config_agent_with_tools(
        &env,
        "coordinator",
        &["coordination"],
        &["json_processor", "send_message"],
        &boss.url("/v1"),
        "requires = [\"data-analysis\"]",
    );
    let d = start(&env, &[("OTEL_EXPORTER_OTLP_ENDPOINT", rx.url.as_str())]);
    let (s, v, _) = d.send(
        d.http
            .post(format!("{}/api/v1/agents/coordinator/execute", d.url))
            .header("content-type", "application/json")
            .header("traceparent", traceparent())
            .body(r#"{"input": "How much did we sell?"}"#),
    );
    assert_eq!(s, 200, "{v}");
    assert_eq!(analyst.received().len(), 1, "the delegate ran once: {v}");
    stop(d);

    let spans = rx.spans();
    // (The daemon's own requests, readiness polls and the stop, are traces of their own.)
    for s in spans
        .iter()
        .filter(|s| !s["name"].as_str().unwrap().contains("/api/"))
    {
        assert_eq!(s["trace_id"], TRACE_ID, "one trace: {s:#}");
    }
    let child_of = |parent: &Value, name: &str| -> Vec<&Value> {
        named(&spans, name)
            .into_iter()
            .filter(|s| s["parent_span_id"] == parent["span_id"])
            .collect()
    };
    let http = one(&spans, "POST /api/v1/agents/{id}/execute");
    assert_eq!(http["parent_span_id"], PARENT_ID, "{http:#}");
    assert_eq!(http["attributes"]["http.response.status_code"], 200);

    let runs = child_of(http, "agent.execute");
    assert_eq!(runs.len(), 1, "{spans:#?}");
    let run = runs[0];
    assert_eq!(run["attributes"]["agent"], "coordinator");
    assert_eq!(run["attributes"]["kind"], "config");
    let llm = child_of(run, "llm.call");
    assert_eq!(llm.len(), 3, "tool, send_message, answer: {spans:#?}");
    for c in &llm {
        assert_eq!(
            c["attributes"]["gen_ai.request.model"], "test-model",
            "{c:#}"
        );
        assert_eq!(c["attributes"]["gen_ai.usage.input_tokens"], 10, "{c:#}");
    }
    let tools = child_of(run, "tool.call");
    let tool = |name: &str| {
        *tools
            .iter()
            .find(|t| t["attributes"]["tool"] == name)
            .unwrap_or_else(|| panic!("no {name} call under the run: {spans:#?}"))
    };
    let (jq, send) = (tool("json_processor"), tool("send_message"));
    assert_eq!(tools.len(), 2, "{spans:#?}");
    assert_eq!(jq["attributes"]["outcome"], "ok", "{jq:#}");
    assert_eq!(send["attributes"]["outcome"], "ok", "{send:#}");
    assert!(jq["end"].as_u64() <= send["start"].as_u64(), "in order");

    // The send_message call stored the request; its delivery ran the analyzer.
    let deliveries = child_of(send, "message.deliver");
    assert_eq!(deliveries.len(), 1, "{spans:#?}");
    let delivery = deliveries[0];
    assert_eq!(delivery["attributes"]["agent"], "data-analyzer");
    assert_eq!(delivery["attributes"]["sender"], "coordinator");
    assert_eq!(delivery["attributes"]["performative"], "request");
    assert_eq!(delivery["kind"], 5, "SPAN_KIND_CONSUMER: {delivery:#}");
    let delegated = child_of(delivery, "agent.execute");
    assert_eq!(delegated.len(), 1, "{spans:#?}");
    assert_eq!(delegated[0]["attributes"]["agent"], "data-analyzer");
    assert_eq!(delegated[0]["attributes"]["kind"], "config");
    assert_eq!(child_of(delegated[0], "llm.call").len(), 1, "{spans:#?}");
    // The delegate ran inside the send_message call, which waited for it.
    assert!(delegated[0]["end"].as_u64() <= send["end"].as_u64());
    // Nothing else: every run and delivery of the request is in this tree.
    assert_eq!(named(&spans, "agent.execute").len(), 2, "{spans:#?}");
    assert_eq!(named(&spans, "message.deliver").len(), 1, "{spans:#?}");
}

/// A collector that cannot be reached is logged once, with the URL but
/// not its password or the headers, until export works again (once).
#[test]
fn failing_exports_are_logged_once_per_streak_without_credentials() {
    // Nothing listens on it until the receiver takes it.
    let port = closed_port();
    let env = Env::new();
    let log = env.path().join("caxton.log");
    env.write(
        "caxton.toml",
        &format!("[logging]\nfile = \"{}\"\n", log.display()),
    );
    let endpoint = format!("http://collector:hunter2@127.0.0.1:{port}");
    let d = start(
        &env,
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
            ("OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=otlp-secret-123"),
            // Batches leave every 100 ms, so the test sees several fail.
            ("OTEL_BSP_SCHEDULE_DELAY", "100"),
        ],
    );
    let read = || std::fs::read_to_string(&log).unwrap_or_default();
    let failed = format!("traces: exporting to http://127.0.0.1:{port}/v1/traces failed");
    let count = |text: &str| read().matches(text).count();
    let health = || assert_eq!(d.get("/api/v1/health").0, 200);
    health();
    poll("the export failure in the log", || {
        (count(&failed) > 0).then_some(())
    });
    // More batches fail (each request is a span): no new line for them.
    let before = std::time::Instant::now();
    while before.elapsed() < std::time::Duration::from_millis(800) {
        health();
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(count(&failed), 1, "once per streak: {}", read());
    let Some(rx) = receiver_on(port) else {
        stop(d);
        return;
    };
    poll("a span at the receiver", || {
        health();
        (!rx.spans().is_empty()).then_some(())
    });
    let back = format!("traces: exporting to http://127.0.0.1:{port}/v1/traces works again");
    poll("the recovery in the log", || {
        (count(&back) > 0).then_some(())
    });
    stop(d);
    let all = read();
    assert_eq!(all.matches(&back).count(), 1, "{all}");
    assert_eq!(all.matches(&failed).count(), 1, "{all}");
    assert!(!all.contains("hunter2"), "no password in the log: {all}");
    assert!(!all.contains("otlp-secret-123"), "no header value: {all}");
}

/// `caxton backup` (cron's command, no daemon needed) exports its `backup`
/// span: the file, codec, size and outcome, and a failed backup's error.
#[test]
fn a_backup_exports_its_span_with_file_codec_bytes_and_outcome() {
    let Some(rx) = receiver() else { return };
    let env = crate::common::seeded(2, 5);
    let out = env.path().join("backups/nightly.tar.gz");
    let backup_to = |output: &std::path::Path, endpoint: &str| {
        crate::common::finish(
            env.cmd()
                .args(["backup", "--embedded", "--json", "--output"])
                .arg(output)
                .env("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
                .output()
                .unwrap(),
        )
    };
    let backup = |output: &std::path::Path| backup_to(output, rx.url.as_str());
    let made = backup(&out).ok().json();
    let bytes = std::fs::metadata(&out).unwrap().len();
    assert_eq!(made["bytes"], bytes, "{made:#}");
    let spans = rx.spans();
    let span = one(&spans, "backup");
    let a = &span["attributes"];
    assert_eq!(a["output"], out.to_str().unwrap(), "{span:#}");
    assert_eq!(a["codec"], "gzip", "{span:#}");
    assert_eq!(a["bytes"], bytes, "{span:#}");
    assert_eq!(a["outcome"], "ok", "{span:#}");
    assert_eq!(span["status"], 0, "STATUS_CODE_UNSET: {span:#}");
    assert!(span["end"].as_u64() > span["start"].as_u64(), "{span:#}");
    assert_eq!(span["resource"]["service.name"], "caxton");

    // A directory as the output: the span says it failed, and why.
    let r = backup(env.path());
    assert_ne!(r.code, 0, "{}", r.all());
    let spans = rx.spans();
    let failed = named(&spans, "backup")
        .into_iter()
        .find(|s| s["attributes"]["outcome"] == "error")
        .unwrap_or_else(|| panic!("no failed backup span: {spans:#?}"));
    assert_eq!(failed["status"], 2, "STATUS_CODE_ERROR: {failed:#}");
    assert!(
        failed["status_message"]
            .as_str()
            .is_some_and(|m| m.contains("is a directory")),
        "{failed:#}"
    );

    // A collector that is down: the backup is made, the failure said on stderr.
    let port = closed_port();
    let r = backup_to(
        &env.path().join("backups/second.tar.zst"),
        &format!("http://u:hunter2@127.0.0.1:{port}"),
    );
    assert_eq!(r.code, 0, "{}", r.all());
    let failed = format!("traces: exporting to http://127.0.0.1:{port}/v1/traces failed");
    assert_eq!(r.stderr.matches(&failed).count(), 1, "{}", r.all());
    assert!(!r.all().contains("hunter2"), "{}", r.all());
}

#[test]
fn otel_sdk_disabled_exports_nothing() {
    let Some(rx) = receiver() else { return };
    let env = Env::new();
    let d = start(
        &env,
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", rx.url.as_str()),
            ("OTEL_SDK_DISABLED", "true"),
        ],
    );
    assert_eq!(d.get("/api/v1/health").0, 200);
    stop(d);
    assert_eq!(rx.spans(), Vec::<Value>::new());
    // The same daemon with export on sends the health request's span,
    // so the empty result above is the switch, not a broken exporter.
    let d = start(&env, &[("OTEL_EXPORTER_OTLP_ENDPOINT", rx.url.as_str())]);
    assert_eq!(d.get("/api/v1/health").0, 200);
    stop(d);
    assert!(
        !named(&rx.spans(), "GET /api/v1/health").is_empty(),
        "{:#?}",
        rx.spans()
    );
}

#[test]
fn a_bad_endpoint_stops_the_start_with_where_it_came_from() {
    let env = Env::new();
    env.write(
        "caxton.toml",
        "[observability]\notlp_endpoint = \"jaeger:4318\"\n",
    );
    let r = env.run(&["server", "start", "--port", "0"]).code(3);
    let all = r.all();
    assert!(all.contains("observability.otlp_endpoint"), "{all}");
    assert!(all.contains("http://localhost:4318"), "the hint: {all}");
    // Any command that loads the config names it (not only the daemon).
    let all = env.run(&["config", "show"]).code(3).all();
    assert!(all.contains("observability.otlp_endpoint"), "{all}");

    let env = Env::new();
    let r = crate::common::finish(
        env.cmd()
            .args(["server", "start", "--port", "0"])
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://user:hunter2@ bad")
            .output()
            .unwrap(),
    );
    let all = r.all();
    assert!(all.contains("OTEL_EXPORTER_OTLP_ENDPOINT"), "{all}");
    assert!(!all.contains("hunter2"), "no password in errors: {all}");
}
