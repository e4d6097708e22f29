//! Config agents delegating by capability with the `send_message` tool,
//! through the real binary. The models are played by scripted replays on
//! loopback (common/recorded_llm), so what each agent asks is fixed and the
//! tests check Caxton's part: routing, waiting for the reply within the
//! run's deadline, refusals the model sees, loop protection, crash recovery.

use std::io::Read as _;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::recorded_llm::RecordedLlm;
use crate::common::{Env, Run};
use crate::daemon;

/// An OpenAI chat completion (the whole-JSON form) in the replay format.
fn completion(message: Value, finish: &str) -> String {
    let body = json!({
        "id": "chatcmpl-delegation",
        "object": "chat.completion",
        "created": 1_764_297_611,
        "model": "test-model",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    });
    format!("HTTP/1.1 200 OK\ncontent-type: application/json\n\n{body}")
}

/// The model asks to call the tool `name` with `args`.
pub(crate) fn calls(name: &str, args: Value) -> String {
    completion(
        json!({"role": "assistant", "content": null, "tool_calls": [{
            "id": "call_1", "type": "function",
            "function": {"name": name, "arguments": args.to_string()},
        }]}),
        "tool_calls",
    )
}

/// The model asks to call `send_message` with `args`.
pub(crate) fn asks(args: Value) -> String {
    calls("send_message", args)
}

/// The model answers `text`.
pub(crate) fn says(text: &str) -> String {
    completion(json!({"role": "assistant", "content": text}), "stop")
}

/// A config agent offering `capabilities`, whose model is at `base_url`.
fn config_agent(env: &Env, name: &str, capabilities: &[&str], base_url: &str, extra: &str) {
    config_agent_with_tools(env, name, capabilities, &["send_message"], base_url, extra);
}

/// [`config_agent`] with `tools` instead of only `send_message`.
pub(crate) fn config_agent_with_tools(
    env: &Env,
    name: &str,
    capabilities: &[&str],
    tools: &[&str],
    base_url: &str,
    extra: &str,
) {
    let quoted = |list: &[&str]| {
        let q: Vec<String> = list.iter().map(|c| format!("\"{c}\"")).collect();
        q.join(", ")
    };
    env.write(
        &format!("data/agents/{name}.toml"),
        &format!(
            "name = \"{name}\"\nversion = \"1.0.0\"\ncapabilities = [{}]\ntools = [{}]\n{extra}\n\
             system_prompt = \"You are {name}.\"\n\
             user_prompt_template = \"{{{{request}}}}\"\n\
             [llm]\nprovider = \"openai\"\nbase_url = \"{base_url}\"\nmodel = \"test-model\"\ntemperature = 0.0\n",
            quoted(capabilities),
            quoted(tools)
        ),
    );
}

/// A model server that accepts requests and never answers: a delegate
/// stuck in its model.
struct Silent {
    url: String,
}

fn silent() -> Silent {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/v1",
        listener.local_addr().unwrap().port()
    );
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            let mut s2 = s.try_clone().unwrap();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while matches!(s2.read(&mut buf), Ok(n) if n > 0) {}
            });
            held.push(s);
        }
    });
    Silent { url }
}

/// The `n`-th model request's messages (what the agent was shown).
fn shown(llm: &RecordedLlm, n: usize) -> String {
    llm.received()
        .get(n)
        .map(|r| r.body["messages"].to_string())
        .unwrap_or_default()
}

fn conversation(env: &Env, id: &str) -> Value {
    env.run(&["conversations", "show", id, "--json"])
        .ok()
        .json()
}

fn only_conversation(env: &Env) -> String {
    let list = env.run(&["conversations", "list", "--json"]).ok().json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:#?}");
    list[0]["conversation_id"].as_str().unwrap().to_string()
}

/// `data-analyzer`, offering `data-analysis` and answering "Total revenue
/// is 60."; returns its model server.
fn analyzer(env: &Env) -> RecordedLlm {
    let analyst = RecordedLlm::serve(vec![says("Total revenue is 60.")]);
    config_agent(
        env,
        "data-analyzer",
        &["data-analysis"],
        &analyst.url("/v1"),
        "",
    );
    analyst
}

/// [`analyzer`] and `coordinator`, whose model asks it `question` and then answers
/// `answer`. Returns their model servers.
fn pair(env: &Env, question: &str, answer: &str) -> (RecordedLlm, RecordedLlm) {
    let analyst = RecordedLlm::serve(vec![says("Total revenue is 60.")]);
    let boss = RecordedLlm::serve(vec![
        asks(json!({"capability": "data-analysis", "content": question})),
        says(answer),
    ]);
    config_agent(
        env,
        "data-analyzer",
        &["data-analysis"],
        &analyst.url("/v1"),
        "",
    );
    config_agent(
        env,
        "coordinator",
        &["coordination"],
        &boss.url("/v1"),
        "requires = [\"data-analysis\"]",
    );
    (analyst, boss)
}

fn test_run(env: &Env, agent: &str, query: &str) -> Run {
    env.run(&["agents", "test", agent, "--query", query, "--json"])
}

#[test]
fn a_coordinator_delegates_to_the_data_analyzer_and_answers_from_the_reply() {
    let env = Env::new();
    let (analyst, boss) = pair(
        &env,
        "What is the total revenue?",
        "The data team says the total revenue is 60.",
    );
    let j = test_run(&env, "coordinator", "How much did we sell?")
        .ok()
        .json();
    assert_eq!(j["status"], "ok", "{j:#}");
    let call = &j["tool_calls"][0];
    assert_eq!(call["name"], "send_message");
    assert_eq!(call["outcome"], "ok", "{call:#}");
    assert_eq!(call["result"]["from"], "data-analyzer");
    assert_eq!(call["result"]["reply"], "Total revenue is 60.");
    assert_eq!(j["output"], "The data team says the total revenue is 60.");
    // The model got the reply as the tool result, and was offered only the
    // capability another agent has.
    assert!(
        shown(&boss, 1).contains("data-analyzer replied: Total revenue is 60."),
        "{}",
        shown(&boss, 1)
    );
    let tools = &boss.received()[0].body["tools"];
    let cap = &tools[0]["function"]["parameters"]["properties"]["capability"];
    assert_eq!(cap["enum"], json!(["data-analysis"]), "{tools:#}");
    assert!(shown(&analyst, 0).contains("What is the total revenue?"));

    // The delegation is a conversation: the request delivered to the
    // analyzer, its answer recorded for the coordinator (not run again).
    let id = only_conversation(&env);
    assert_eq!(call["result"]["conversation_id"], id.as_str());
    let c = conversation(&env, &id);
    let msgs = c["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 2, "{c:#}");
    assert_eq!(msgs[0]["sender"], "coordinator");
    assert_eq!(msgs[0]["receiver"], "data-analyzer");
    assert_eq!(msgs[0]["state"], "delivered");
    assert_eq!(msgs[1]["sender"], "data-analyzer");
    assert_eq!(msgs[1]["receiver"], "coordinator");
    assert_eq!(msgs[1]["performative"], "inform");
    assert_eq!(msgs[1]["state"], "recorded");
    assert_eq!(analyst.received().len(), 1, "the analyzer ran once");

    // Both runs belong to the conversation: the tree shows who asked whom,
    // the hop's latency, and each run's tool calls.
    let runs = c["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2, "{c:#}");
    // By start: the coordinator's run opened the conversation; the
    // analyzer's handled the request (and was recorded first, as #1).
    assert_eq!(runs[0]["agent"], "coordinator");
    assert!(runs[0]["message_id"].is_null());
    assert_eq!(runs[0]["tool_calls"][0]["name"], "send_message");
    assert_eq!(runs[1]["agent"], "data-analyzer");
    assert_eq!(runs[1]["message_id"], msgs[0]["message_id"]);
    let tree = env.run(&["conversations", "show", &id]).ok().stdout;
    let lines: Vec<&str> = tree.lines().collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no `{needle}` in\n{tree}"))
    };
    let opener = at("run #2 coordinator ok · 2 round(s) · send_message ok");
    let ask = at("request coordinator → data-analysis (data-analyzer) [delivered]");
    let answered = at("run #1 data-analyzer ok · 1 round(s) · no tool calls");
    let reply = at("inform data-analyzer → coordinator [recorded] Total revenue is 60.");
    assert!(opener < ask && ask < answered && answered < reply, "{tree}");
    assert!(lines[ask].ends_with(" ms"), "the hop's latency: {tree}");
    // Both agents' logs name the conversation.
    for agent in ["coordinator", "data-analyzer"] {
        let logs = env.run(&["agents", "logs", agent]).ok().stdout;
        assert!(logs.contains(&format!("(conversation {id})")), "{logs}");
    }
}

#[test]
fn requires_that_no_agent_offers_is_a_warning_and_an_error_with_strict() {
    let env = Env::new();
    config_agent(
        &env,
        "data-analyzer",
        &["data-analysis"],
        "http://127.0.0.1:1/v1",
        "",
    );
    let needs = |req: &str| {
        let name = format!("needs-{}", req.len());
        env.write(
            &format!("{name}.toml"),
            &format!(
                "name = \"{name}\"\nversion = \"1.0.0\"\ncapabilities = [\"writing\"]\nrequires = [{req}]\ntools = [\"send_message\"]\nsystem_prompt = \"x\"\n"
            ),
        )
        .display()
        .to_string()
    };
    let unmet = needs(r#""data-analysis", "poetry""#);
    let j = env
        .run(&["agents", "validate", &unmet, "--json"])
        .ok()
        .json();
    let w = j["warnings"].as_array().unwrap();
    assert_eq!(w.len(), 1, "{j:#}");
    assert_eq!(w[0]["code"], "unmet_requirement");
    assert_eq!(w[0]["line"], 4);
    assert!(
        w[0]["message"].as_str().unwrap().contains("`poetry`"),
        "{j:#}"
    );
    assert!(
        w[0]["hint"]
            .as_str()
            .unwrap()
            .contains("data-analysis (data-analyzer)"),
        "{j:#}"
    );
    env.run(&["agents", "validate", &unmet, "--strict"]).code(3);
    // Met by a deployed agent, or send_message without any `requires`: clean.
    let met = needs(r#""data-analysis""#);
    env.run(&["agents", "validate", &met, "--strict"]).ok();
    let none = needs("");
    env.run(&["agents", "validate", &none, "--strict"]).ok();
}

#[test]
fn message_send_to_a_config_agent_whose_run_delegates_further() {
    let env = Env::new();
    let (_analyst, _boss) = pair(&env, "total revenue?", "Revenue: 60.");
    let r = env
        .run(&[
            "message",
            "send",
            "--capability",
            "coordination",
            "--content",
            "How much did we sell?",
            "--wait",
            "20s",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(r["reply"]["sender"], "coordinator", "{r:#}");
    assert_eq!(r["reply"]["content"], "Revenue: 60.");
    let c = conversation(&env, r["conversation_id"].as_str().unwrap());
    let msgs = c["messages"].as_array().unwrap();
    let ask = msgs
        .iter()
        .find(|m| m["sender"] == "coordinator" && m["capability"] == "data-analysis")
        .unwrap_or_else(|| panic!("no delegation in {c:#}"));
    // One hop below the request the coordinator handled, in its conversation.
    assert_eq!(ask["depth"], 1);
    assert_eq!(ask["parent_id"], msgs[0]["message_id"]);
    assert_eq!(ask["state"], "delivered");
    let answer = msgs
        .iter()
        .find(|m| m["sender"] == "data-analyzer")
        .unwrap();
    assert_eq!(answer["content"], "Total revenue is 60.");
    assert_eq!(answer["state"], "recorded");
}

#[test]
fn delegating_to_its_own_capability_is_refused_and_recorded_in_the_run() {
    let env = Env::new();
    let llm = RecordedLlm::serve(vec![
        asks(json!({"capability": "data-analysis", "content": "sum?"})),
        says("I cannot ask myself."),
    ]);
    let other = RecordedLlm::serve(vec![]);
    config_agent(&env, "analyst", &["data-analysis"], &llm.url("/v1"), "");
    config_agent(&env, "writer", &["writing"], &other.url("/v1"), "");
    let j = test_run(&env, "analyst", "sum the data").ok().json();
    let call = &j["tool_calls"][0];
    assert_eq!(call["outcome"], "error", "{j:#}");
    let err = call["error"].as_str().unwrap();
    assert!(
        err.contains("offers the capability `data-analysis` itself")
            && err.contains("writing (writer)"),
        "{err}"
    );
    assert!(
        shown(&llm, 1).contains("itself"),
        "the model saw the refusal"
    );
    // Nothing was sent.
    let list = env.run(&["conversations", "list", "--json"]).ok().json();
    assert_eq!(list.as_array().unwrap().len(), 0, "{list:#}");

    // The same refusal for an operator trying it, and a capability nobody
    // offers lists what exists.
    let as_analyst = |args: &str| {
        env.run(&[
            "tools",
            "run",
            "send_message",
            "--agent",
            "analyst",
            "--args",
            args,
        ])
    };
    let r = as_analyst(r#"{"capability": "data-analysis", "content": "x"}"#);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("itself"), "{}", r.stderr);
    let r = as_analyst(r#"{"capability": "poetry", "content": "x"}"#);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("no agent offers the capability `poetry`")
            && r.stderr.contains("writing (writer)"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_chain_of_delegations_stops_at_the_depth_limit_with_the_refusal_recorded() {
    let env = Env::new();
    // a asks b, b asks c, c asks d: with max_depth 2 the third hop is refused.
    let names = ["a", "b", "c", "d"];
    let mut servers = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let script = match names.get(i + 1) {
            Some(next) => vec![
                asks(json!({"capability": format!("cap-{next}"), "content": "go on"})),
                says(&format!("{name} done")),
            ],
            None => vec![says("d done")],
        };
        let llm = RecordedLlm::serve(script);
        config_agent(&env, name, &[&format!("cap-{name}")], &llm.url("/v1"), "");
        servers.push(llm);
    }
    let r = crate::common::finish(
        env.cmd()
            .env("CAXTON_MESSAGING_MAX_DEPTH", "2")
            .args([
                "message",
                "send",
                "--capability",
                "cap-a",
                "--content",
                "start",
                "--wait",
                "30s",
                "--json",
            ])
            .output()
            .unwrap(),
    )
    .ok()
    .json();
    assert_eq!(r["reply"]["content"], "a done", "{r:#}");
    // c's request to d was refused; c's model saw why and answered anyway.
    assert!(
        shown(&servers[2], 1).contains("refused: depth limit of 2"),
        "{}",
        shown(&servers[2], 1)
    );
    assert!(servers[3].received().is_empty(), "d was never asked");
    let c = conversation(&env, r["conversation_id"].as_str().unwrap());
    let senders: Vec<&str> = c["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["performative"] == "request")
        .map(|m| m["sender"].as_str().unwrap())
        .collect();
    assert_eq!(senders, ["cli", "a", "b"], "{c:#}");
    // The refusal is in c's run record.
    let logs = env.run(&["agents", "logs", "c", "--json"]).ok().stdout;
    assert!(logs.contains("refused: depth limit of 2"), "{logs}");
}

#[test]
fn a_delegate_slower_than_the_deadline_gives_a_timeout_result_not_a_hung_run() {
    let env = Env::new();
    let stuck = silent();
    let boss = RecordedLlm::serve(vec![
        asks(json!({"capability": "data-analysis", "content": "total?"})),
        says("The analysis did not come back in time."),
    ]);
    config_agent(&env, "slow-analyzer", &["data-analysis"], &stuck.url, "");
    config_agent(
        &env,
        "coordinator",
        &["coordination"],
        &boss.url("/v1"),
        "conversation.timeout = \"4s\"",
    );
    let started = Instant::now();
    let j = test_run(&env, "coordinator", "How much?").ok().json();
    let took = started.elapsed();
    assert_eq!(j["status"], "ok", "{j:#}");
    let call = &j["tool_calls"][0];
    assert_eq!(call["outcome"], "error");
    let err = call["error"].as_str().unwrap();
    assert!(err.contains("no reply from `data-analysis`"), "{err}");
    assert_eq!(j["output"], "The analysis did not come back in time.");
    // The wait left the run time to answer (a lower bound only: the
    // machine is shared).
    assert!(call["duration_ms"].as_f64().unwrap() >= 2000.0, "{call:#}");
    assert!(took < Duration::from_secs(60), "took {took:?}");
}

#[test]
fn a_daemon_killed_mid_delegation_resumes_the_conversation_after_restart() {
    let env = Env::new();
    let stuck = silent();
    // The coordinator runs twice: once before the kill, once on redelivery.
    let boss = RecordedLlm::serve(vec![
        asks(json!({"capability": "data-analysis", "content": "total?"})),
        asks(json!({"capability": "data-analysis", "content": "total?"})),
        says("Total: 60."),
    ]);
    config_agent(&env, "data-analyzer", &["data-analysis"], &stuck.url, "");
    config_agent(&env, "coordinator", &["coordination"], &boss.url("/v1"), "");
    let mut d = daemon::start(&env, &[]);
    let (s, sent, _) = d.post(
        "/api/v1/messages",
        r#"{"performative": "request", "capability": "coordination", "content": "How much?"}"#,
    );
    assert!(s < 300, "{s} {sent}");
    let id = sent["conversation_id"].as_str().unwrap().to_string();
    // Wait until the delegation is stored and the analyzer is stuck in it.
    daemon::poll("the delegation", || {
        let (_, c) = d.get(&format!("/api/v1/conversations/{id}"));
        c["messages"]
            .as_array()?
            .iter()
            .any(|m| m["sender"] == "coordinator" && m["state"] == "pending")
            .then_some(())
    });
    d.child.kill().unwrap(); // SIGKILL
    d.child.wait().unwrap();
    drop(d);

    // The killed daemon's address file is stale: wait for the new one.
    std::fs::remove_file(env.data().join("run/caxton.url")).unwrap();
    // The analyzer answers now.
    let analyst = analyzer(&env);
    let d = daemon::start(&env, &[]);
    let c = daemon::poll("the coordinator's answer", || {
        let (_, c) = d.get(&format!("/api/v1/conversations/{id}"));
        c["messages"]
            .as_array()?
            .iter()
            // HTTP senders are `api`.
            .any(|m| m["sender"] == "coordinator" && m["receiver"] == "api")
            .then_some(c)
    });
    let msgs = c["messages"].as_array().unwrap();
    let asks: Vec<&Value> = msgs
        .iter()
        .filter(|m| m["sender"] == "coordinator" && m["capability"] == "data-analysis")
        .collect();
    assert_eq!(asks.len(), 1, "the redelivery did not ask twice: {c:#}");
    assert_eq!(asks[0]["state"], "delivered");
    let answer = msgs
        .iter()
        .find(|m| m["sender"] == "coordinator" && m["receiver"] == "api")
        .unwrap();
    assert_eq!(answer["content"], "Total: 60.", "{c:#}");
    assert_eq!(analyst.received().len(), 1);
    assert!(
        shown(&boss, 2).contains("data-analyzer replied: Total revenue is 60."),
        "{}",
        shown(&boss, 2)
    );
}

/// Whether the local model is installed; with `CAXTON_REQUIRE_MODEL=1` its
/// absence fails the test instead of skipping it.
fn have_local_model() -> bool {
    let installed =
        crate::common::models_dir().is_some_and(|d| d.join("SmolLM2-135M-Instruct").is_dir());
    assert!(
        installed || !crate::common::required("CAXTON_REQUIRE_MODEL"),
        "CAXTON_REQUIRE_MODEL=1 but SmolLM2-135M-Instruct is not installed (run scripts/fetch-models)"
    );
    if !installed {
        eprintln!("note: local model not installed; skipping");
    }
    installed
}

#[test]
fn the_local_model_coordinator_delegates_to_a_capability_another_agent_offers() {
    if !have_local_model() {
        return;
    }
    let env = Env::new();
    // The analyst's answer is scripted: the local model's part here is the
    // coordinator's grounded choice and its answer from the reply.
    let _analyst = analyzer(&env);
    let other = RecordedLlm::serve(vec![]);
    config_agent(&env, "chart-maker", &["charting"], &other.url("/v1"), "");
    std::fs::copy(
        crate::common::repo().join("agents/coordinator.toml"),
        env.agents().join("coordinator.toml"),
    )
    .unwrap();
    let j = env
        .run(&[
            "agents",
            "test",
            "coordinator",
            "--query",
            "What is the total revenue?",
            "--timeout",
            "600s",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(j["provider"], "local", "{j:#}");
    // Constrained decoding: the first round is a call, and its capability
    // one that another agent offers (never the coordinator's own).
    let call = &j["tool_calls"][0];
    assert_eq!(call["name"], "send_message", "{j:#}");
    let cap = call["arguments"]["capability"].as_str().unwrap_or_default();
    let to = call["arguments"]["receiver"].as_str().unwrap_or_default();
    assert!(
        ["data-analysis", "charting"].contains(&cap)
            || ["data-analyzer", "chart-maker"].contains(&to),
        "{call:#}"
    );
    if cap == "data-analysis" || to == "data-analyzer" {
        assert_eq!(call["outcome"], "ok", "{call:#}");
        assert_eq!(call["result"]["reply"], "Total revenue is 60.");
    }
    assert_eq!(j["status"], "ok", "{j:#}");
    assert!(!j["output"].as_str().unwrap().trim().is_empty(), "{j:#}");
}
