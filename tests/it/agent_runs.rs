//! Config agents answering through the real binary, with the provider
//! played by a REPLAY of hand-written responses (tests/recorded_llm on
//! loopback): tool calls, denied tools, the run log, and provider failures.

use crate::common::recorded_llm::{RecordedLlm, dead_url};
use crate::common::{Env, have_model, repo};
use crate::delegation::says;

const KEY: &str = "sk-test-wrong-key-12345";

/// An agent whose `[llm]` points at `base_url`.
fn agent_file(env: &Env, name: &str, provider: &str, base_url: &str, tools: &str) {
    env.write(
        &format!("data/agents/{name}.toml"),
        &format!(
            "name = \"{name}\"\nversion = \"1.2.0\"\ncapabilities = [\"testing\"]\ntools = [{tools}]\n\
             system_prompt = \"You analyse data for {{{{sender}}}}.\"\n\
             user_prompt_template = \"Request: {{{{request}}}}\"\n\
             [llm]\nprovider = \"{provider}\"\nbase_url = \"{base_url}\"\nmodel = \"test-model\"\ntemperature = 0.0\n"
        ),
    );
}

pub(crate) fn sales_csv(env: &Env, agent: &str) {
    env.write(
        &format!("data/workspaces/{agent}/sales.csv"),
        "region,revenue\nnorth,10\nsouth,20\neast,30\n",
    );
}

/// The runbook's data-analyzer agent file, as written, in `env`'s agents
/// directory.
pub(crate) fn runbook_analyzer(env: &Env) {
    std::fs::create_dir_all(env.agents()).unwrap();
    std::fs::copy(
        repo().join("tests/fixtures/runbook/data-analyzer.toml"),
        env.agents().join("data-analyzer.toml"),
    )
    .unwrap();
}

/// The server config's `[llm]` tables: the OpenAI provider at `llm`.
pub(crate) fn server_llm(llm: &RecordedLlm) -> String {
    format!(
        "[llm]\nprovider = \"openai\"\n[llm.providers.openai]\nbase_url = \"{}\"\nmodel = \"gpt-4o-mini\"\n",
        llm.url("/v1")
    )
}

#[test]
fn runbook_agent_calls_csv_parser_through_the_server_configured_provider() {
    let env = Env::new();
    let llm = RecordedLlm::start(&["openai/stream_tool_call.http", "openai/stream_text.http"]);
    // The runbook file as written; the provider comes from the server config.
    runbook_analyzer(&env);
    env.write("caxton.toml", &server_llm(&llm));
    sales_csv(&env, "data-analyzer");
    let r = env
        .run(&[
            "agents",
            "test",
            "data-analyzer",
            "--query",
            "Summarise this CSV: sales.csv",
            "--json",
        ])
        .ok();
    let j = r.json();
    assert_eq!(j["status"], "ok");
    assert_eq!(j["agent"], "data-analyzer");
    assert_eq!(j["version"], "1.0.0");
    assert_eq!(j["provider"], "openai");
    assert!(
        j.get("notice").is_some_and(|n| n.is_null()),
        "the notice is always in the record; a hosted provider has none"
    );
    assert_eq!(j["rounds"], 2);
    let call = &j["tool_calls"][0];
    assert_eq!(call["name"], "csv_parser");
    assert_eq!(call["outcome"], "ok");
    assert_eq!(call["arguments"]["path"], "sales.csv");
    assert!(call["result"].is_object(), "{call}");
    assert!(!j["output"].as_str().unwrap().is_empty());
    assert_eq!(j["usage"]["prompt_tokens"], 388 + 412);
    assert!(
        j["memory"]["mode"].is_string(),
        "memory is enabled in the runbook agent"
    );
    assert!(j["id"].as_i64().unwrap() > 0);

    // What the model saw: the rendered prompts, the tool, then the result.
    let got = llm.received();
    assert_eq!(got.len(), 2);
    let first = &got[0].body;
    assert_eq!(first["model"], "gpt-4o-mini");
    assert!(
        first["messages"][1]["content"]
            .as_str()
            .unwrap()
            .contains("Analyze the following data request: Summarise this CSV")
    );
    let names = |body: &serde_json::Value| -> Vec<String> {
        body["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["function"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    // The request names a file that exists: the first round offers only the
    // tool that reads it (grounding); the answering round offers them all.
    assert_eq!(names(first), ["csv_parser"]);
    // Both rounds are bounded with no max_tokens configured: the call round
    // by the default reply length (a server given none wrote to the end of
    // its context), the answer by the answer cap.
    assert_eq!(first["max_tokens"], 512, "{first}");
    assert_eq!(got[1].body["max_tokens"], 200, "{}", got[1].body);
    assert_eq!(
        names(&got[1].body),
        ["http_client", "csv_parser", "chart_generator"]
    );
    let msgs = got[1].body["messages"].as_array().unwrap();
    let last = msgs.last().unwrap();
    assert_eq!(last["role"], "tool");
    assert_eq!(last["tool_call_id"], "call_Qx7mB2nV9kL4pR1sT6wY3zA8");
    assert!(
        last["content"].as_str().unwrap().contains("revenue"),
        "{last}"
    );
    assert_eq!(
        msgs[msgs.len() - 2]["tool_calls"][0]["function"]["name"],
        "csv_parser"
    );

    // The run is in the log, the metrics and (memory on) in memory.
    let logs = env
        .run(&["agents", "logs", "data-analyzer", "--tail", "10"])
        .ok();
    assert!(
        logs.stdout.contains("tool csv_parser ok"),
        "{}",
        logs.stdout
    );
    let m = env
        .run(&[
            "agents",
            "metrics",
            "data-analyzer",
            "--last",
            "1h",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(
        (
            m["runs"].as_u64(),
            m["errors"].as_u64(),
            m["tool_calls"].as_u64()
        ),
        (Some(1), Some(0), Some(1))
    );
    assert!(m["latency_p50_ms"].as_f64().unwrap() > 0.0);
    let found = env
        .run(&["memory", "search", "Summarise CSV", "--json"])
        .ok()
        .json();
    let names: Vec<&str> = found["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"data-analyzer"),
        "run summary stored: {found}"
    );
}

/// In the terminal each finished tool call gets a line on stderr as it
/// happens, before the answer; the answer streams to stdout.
#[test]
fn agents_test_reports_each_tool_call_as_it_finishes() {
    let env = Env::new();
    let llm = RecordedLlm::start(&["openai/stream_denied_tool.http", "openai/stream_text.http"]);
    agent_file(&env, "lister", "openai", &llm.url("/v1"), "\"csv_parser\"");
    let r = env
        .run(&["agents", "test", "lister", "--query", "fetch the data"])
        .ok();
    let line = r
        .stderr
        .lines()
        .find(|l| l.contains("tool http_client denied in"))
        .unwrap_or_else(|| panic!("no tool line: {}", r.stderr));
    assert!(line.trim_end().ends_with(" ms"), "{line}");
    let summary = r.stderr.find("tools: http_client denied").unwrap();
    assert!(r.stderr.find(line).unwrap() < summary, "{}", r.stderr);
    assert!(!r.stdout.trim().is_empty(), "the answer is on stdout");
}

#[test]
fn a_tool_the_agent_does_not_list_is_denied_recorded_and_reported_to_the_model() {
    let env = Env::new();
    let llm = RecordedLlm::start(&["openai/stream_denied_tool.http", "openai/stream_text.http"]);
    agent_file(&env, "lister", "openai", &llm.url("/v1"), "\"csv_parser\"");
    let j = env
        .run(&[
            "agents",
            "test",
            "lister",
            "--query",
            "fetch the data",
            "--json",
        ])
        .ok()
        .json();
    let call = &j["tool_calls"][0];
    assert_eq!(call["name"], "http_client");
    assert_eq!(call["outcome"], "denied");
    assert!(
        call["error"].as_str().unwrap().contains("not allowed"),
        "{call}"
    );
    let got = llm.received();
    assert_eq!(
        got[0].body["messages"][0]["content"],
        "You analyse data for cli."
    );
    let last = got[1].body["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["role"], "tool");
    assert!(
        last["content"].as_str().unwrap().contains("not allowed"),
        "{last}"
    );
    let logs = env
        .run(&["agents", "logs", "lister", "--level", "warn"])
        .ok();
    assert!(
        logs.stdout.contains("tool http_client denied"),
        "{}",
        logs.stdout
    );
    assert!(!logs.stdout.contains("INFO"), "{}", logs.stdout);
    let m = env
        .run(&["agents", "metrics", "lister", "--json"])
        .ok()
        .json();
    assert_eq!(m["denied_tool_calls"], 1);
}

#[test]
fn anthropic_agent_round_trips_tool_use_and_tool_result() {
    let env = Env::new();
    let llm = RecordedLlm::start(&[
        "anthropic/stream_tool_use.http",
        "anthropic/stream_text.http",
    ]);
    agent_file(
        &env,
        "claude-user",
        "anthropic",
        &llm.url(""),
        "\"csv_parser\"",
    );
    sales_csv(&env, "claude-user");
    let r = env
        .cmd()
        .env("ANTHROPIC_API_KEY", KEY)
        .args([
            "agents",
            "test",
            "claude-user",
            "--query",
            "Summarise sales.csv",
        ])
        .output()
        .unwrap();
    let r = crate::common::finish(r).ok();
    // Streamed text of both rounds on stdout; the summary on stderr.
    assert!(r.stdout.contains("revenue averages 20."), "{}", r.stdout);
    assert!(r.stderr.contains("csv_parser ok"), "{}", r.stderr);
    let got = llm.received();
    assert_eq!(got[0].header("x-api-key"), Some(KEY));
    let second = got[1].body["messages"].as_array().unwrap();
    assert_eq!(second[1]["content"][1]["type"], "tool_use");
    assert_eq!(second[2]["role"], "user");
    assert_eq!(second[2]["content"][0]["type"], "tool_result");
    assert_eq!(
        second[2]["content"][0]["tool_use_id"],
        "toolu_01T1x1fJ34qAmk2tNTrN7Up6"
    );
}

#[test]
fn wrong_key_is_an_auth_error_naming_the_provider_without_the_key() {
    let env = Env::new();
    let llm = RecordedLlm::start(&["openai/401.http", "openai/401.http"]);
    agent_file(&env, "keyed", "openai", &llm.url("/v1"), "");
    let run = |json: bool| {
        let mut c = env.cmd();
        c.env("OPENAI_API_KEY", KEY)
            .args(["agents", "test", "keyed", "--query", "hi"]);
        if json {
            c.arg("--json");
        }
        crate::common::finish(c.output().unwrap()).code(1)
    };
    let r = run(false);
    assert!(
        r.stderr.contains("openai") && r.stderr.contains("Auth"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("OPENAI_API_KEY"),
        "the hint names the variable: {}",
        r.stderr
    );
    for leak in ["12345", "sk-test", "wrong-key"] {
        assert!(!r.all().contains(leak), "key leaked: {}", r.all());
    }
    let r = run(true);
    assert_eq!(r.json()["error"]["kind"], "auth");
    assert!(r.stderr.contains("\"llm_auth\""), "{}", r.stderr);
    assert!(!r.all().contains("12345"), "{}", r.all());
    assert_eq!(
        llm.received()[0].header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    // The failures are recorded and diagnose shows them.
    let d = env
        .run(&["agents", "diagnose", "keyed", "--show-errors"])
        .ok();
    assert!(
        d.stdout.contains("2 run(s) in the last 24h, 2 failed"),
        "{}",
        d.stdout
    );
    assert!(d.stdout.contains("(auth)"), "{}", d.stdout);
    assert!(
        d.stdout.contains("key: env OPENAI_API_KEY") || d.stdout.contains("key: none"),
        "{}",
        d.stdout
    );
    assert!(!d.stdout.contains("12345"));
}

#[test]
fn server_down_is_a_connection_error_with_the_url() {
    let env = Env::new();
    let (_port, url) = dead_url();
    agent_file(&env, "offline", "openai", &url, "");
    let r = env
        .run(&[
            "agents",
            "test",
            "offline",
            "--query",
            "hi",
            "--timeout",
            "5s",
        ])
        .code(1);
    assert!(
        r.stderr.contains(&format!("{url}/chat/completions")),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("Connection"), "{}", r.stderr);
    let logs = env
        .run(&["agents", "logs", "offline", "--level", "error"])
        .ok();
    assert!(
        logs.stdout.contains("failed (connection)"),
        "{}",
        logs.stdout
    );
}

#[test]
fn test_local_runs_an_undeployed_file() {
    let env = Env::new();
    let llm = RecordedLlm::start(&["ollama/stream_text.http"]);
    let file = env.path().join("agents/new-agent.toml");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(
        &file,
        format!(
            "name = \"NewAgent\"\ncapabilities = [\"testing\"]\nsystem_prompt = \"Be brief.\"\n[llm]\nprovider = \"openai\"\nbase_url = \"{}\"\nmodel = \"llama3.2:3b\"\n",
            llm.url("/v1")
        ),
    )
    .unwrap();
    let r = env
        .run(&[
            "agents",
            "test-local",
            "./agents/new-agent.toml",
            "--input",
            "test query",
            "--timeout",
            "10s",
        ])
        .ok();
    assert_eq!(r.stdout.trim(), "Three rows.");
    assert!(r.stderr.contains("llama3.2:3b"), "{}", r.stderr);
    assert_eq!(
        llm.received()[0].body["messages"][1]["content"],
        "test query"
    );
    // Not deployed: the agent is not listed.
    assert_eq!(env.run(&["agents", "count"]).ok().stdout.trim(), "0");
    let bad = env.write("agents/bad.toml", "name = \"Bad\"\n");
    env.run(&[
        "agents",
        "test-local",
        bad.to_str().unwrap(),
        "--input",
        "x",
    ])
    .code(3);
}

#[test]
fn a_model_that_keeps_calling_tools_is_stopped_after_8_rounds() {
    let env = Env::new();
    // One more tool call than the cap allows: a 9th request would get it.
    let llm = RecordedLlm::start(&["openai/stream_tool_call.http"; 9]);
    agent_file(&env, "looper", "openai", &llm.url("/v1"), "\"csv_parser\"");
    sales_csv(&env, "looper");
    let r = env.run(&[
        "agents",
        "test",
        "looper",
        "--query",
        "Summarise sales.csv",
        "--timeout",
        "120s",
    ]);
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(
        r.stderr.contains("still asked for tools after 8 rounds"),
        "{}",
        r.all()
    );
    assert_eq!(llm.received().len(), 8, "exactly 8 rounds were requested");
}

#[test]
fn an_answer_asking_for_more_than_32_tool_calls_ends_the_run() {
    let env = Env::new();
    // 33 calls in one answer; a second request would get the script's 599.
    let llm = RecordedLlm::start(&[
        "openai/stream_33_tool_calls.http",
        "openai/stream_text.http",
    ]);
    agent_file(&env, "greedy", "openai", &llm.url("/v1"), "\"csv_parser\"");
    sales_csv(&env, "greedy");
    let r = env.run(&[
        "agents",
        "test",
        "greedy",
        "--query",
        "Summarise sales.csv",
        "--timeout",
        "120s",
    ]);
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(
        r.stderr
            .contains("asked for 33 tool calls in round 1, more than the 32 a round may make"),
        "{}",
        r.all()
    );
    assert_eq!(llm.received().len(), 1, "no second round was requested");
}

/// Memory recall is about the request: an earlier run's summary (its answer
/// included) is recalled into a related request and not into an unrelated
/// one. Between CLI runs nothing embeds the summaries, so they are found by
/// keywords alone ("the"); the similarity floor must hold for them too.
#[test]
fn an_earlier_run_is_recalled_into_a_related_request_only() {
    if !have_model() {
        return;
    }
    let env = Env::new();
    let revenue = "The sales file has 3 rows and the average revenue is 20.";
    let haiku = "Crisp leaves drift and fall; the park turns amber and gold.";
    let llm = RecordedLlm::serve(vec![says(revenue), says(haiku), says("20.")]);
    env.write(
        "data/agents/notes.toml",
        &format!(
            "name = \"notes\"\nversion = \"1.0.0\"\ncapabilities = [\"notes\"]\ntools = []\n\
             system_prompt = \"You answer questions about the team's files.\"\n\
             user_prompt_template = \"{{{{request}}}}\"\n\
             [memory]\nenabled = true\n\
             [llm]\nprovider = \"openai\"\nbase_url = \"{}\"\nmodel = \"test-model\"\n",
            llm.url("/v1")
        ),
    );
    let ask = |query: &str| {
        env.run(&["agents", "test", "notes", "--query", query, "--json"])
            .ok()
            .json()
    };
    let first = ask("How many rows does the sales file have, and what is the average revenue?");
    assert_eq!(first["status"], "ok", "{first}");
    let unrelated = ask("Write a haiku about the autumn leaves in the park.");
    assert_eq!(unrelated["memory"]["hits"], 0, "{unrelated}");
    let related = ask("What is the average revenue in the sales file?");
    assert_eq!(related["memory"]["hits"], 1, "{related}");
    let prompts: Vec<String> = llm
        .received()
        .iter()
        .map(|r| r.body["messages"].to_string())
        .collect();
    assert!(!prompts[1].contains(revenue), "{}", prompts[1]);
    assert!(prompts[2].contains(revenue), "{}", prompts[2]);
    assert!(!prompts[2].contains(haiku), "{}", prompts[2]);
}
