//! Config agents answered by the REAL embedded model (SmolLM2-135M in
//! candle), offline and without keys: the plumbing end to end. A 135M model
//! is weak, so these tests assert shape (a tool call was made and recorded,
//! text came back), arguments the grounding fixes, and the runtime's own
//! statements of results, never the model's wording.

use crate::common::{Env, mcp_servers_config, models_dir, repo, run_readme_quickstart};
use serde_json::Value;

/// Whether the local model is installed; with `CAXTON_REQUIRE_MODEL=1` its
/// absence fails the test instead of skipping it.
fn have_local_model() -> bool {
    let installed = models_dir().is_some_and(|d| d.join("SmolLM2-135M-Instruct").is_dir());
    let required = crate::common::required("CAXTON_REQUIRE_MODEL");
    assert!(
        installed || !required,
        "CAXTON_REQUIRE_MODEL=1 but SmolLM2-135M-Instruct is not installed (run scripts/fetch-models)"
    );
    if !installed {
        eprintln!("note: local model not installed; skipping");
    }
    installed
}

/// `agents test NAME --query Q --json` with a timeout generous enough for a
/// loaded 2-core CI machine.
fn run_agent(env: &Env, name: &str, query: &str) -> Value {
    env.run(&[
        "agents",
        "test",
        name,
        "--query",
        query,
        "--timeout",
        "600s",
        "--json",
    ])
    .ok()
    .json()
}

#[test]
fn runbook_agent_answers_offline_with_the_local_model_and_calls_csv_parser() {
    if !have_local_model() {
        return;
    }
    let env = Env::new();
    std::fs::create_dir_all(env.agents()).unwrap();
    std::fs::copy(
        repo().join("agents/data-analyzer.toml"),
        env.agents().join("data-analyzer.toml"),
    )
    .unwrap();
    env.write(
        "data/workspaces/data-analyzer/cities.csv",
        "city,temp\nParis,21\nOslo,12\nRome,25\n",
    );
    let run = run_agent(&env, "data-analyzer", "Summarise this CSV file: cities.csv");
    assert_eq!(run["status"], "ok", "{run:#}");
    assert_eq!(run["provider"], "local");
    assert!(
        run["notice"]
            .as_str()
            .unwrap()
            .contains("tiny offline model")
    );
    // The first round is a constrained tool call, so it always parses.
    let calls = run["tool_calls"].as_array().unwrap();
    assert!(!calls.is_empty(), "{run:#}");
    let names = ["http_client", "csv_parser", "chart_generator"];
    assert!(
        calls
            .iter()
            .all(|c| names.contains(&c["name"].as_str().unwrap())),
        "{run:#}"
    );
    assert!(calls.iter().all(|c| c["arguments"].is_object()), "{run:#}");
    assert!(
        !run["output"].as_str().unwrap().trim().is_empty(),
        "{run:#}"
    );
    assert!(run["usage"]["completion_tokens"].as_u64().unwrap() > 0);

    // The run is in the run log.
    let logs = env
        .run(&["agents", "logs", "data-analyzer", "--json"])
        .ok()
        .json();
    assert!(
        logs.to_string().contains("Summarise this CSV file"),
        "{logs}"
    );
}

#[test]
fn an_mcp_tool_result_comes_back_through_the_loop() {
    if !have_local_model() {
        return;
    }
    let env = Env::new();
    let root = env.path().join("shared");
    std::fs::create_dir_all(&root).unwrap();
    let Some(config) = mcp_servers_config(&root) else {
        return;
    };
    env.write("data/caxton.toml", &config);
    env.write(
        "data/agents/echoer.toml",
        "name = \"Echoer\"\nversion = \"1.0.0\"\ncapabilities = [\"echo\"]\n\
         tools = [\"mcp:everything/echo\"]\n\
         system_prompt = \"You repeat messages with the echo tool.\"\n",
    );
    let run = run_agent(&env, "echoer", "Echo the message: hello from caxton");
    assert_eq!(run["status"], "ok", "{run:#}");
    let call = &run["tool_calls"][0];
    assert_eq!(call["name"], "mcp:everything/echo", "{run:#}");
    assert_eq!(call["outcome"], "ok", "{run:#}");
    let text = call["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.starts_with("Echo: "), "{run:#}");
}

/// README's quickstart, its exact command, answered by the real local model:
/// the call is grounded in the workspace (csv_parser with `path` sales.csv,
/// which the tool accepts) and the answer rests on the result. Only the
/// run timeout is raised (in caxton.toml), so a loaded CI machine does not
/// turn a slow answer into a failure; the command is untouched.
#[test]
fn readme_quickstart_reads_sales_csv_and_answers_with_its_numbers() {
    if !have_local_model() {
        return;
    }
    let env = Env::new();
    env.run(&["init"]).ok();
    env.write("caxton.toml", "[runtime]\nagent_timeout = \"600s\"\n");
    let run = run_readme_quickstart(&env);
    let calls = run["tool_calls"].as_array().unwrap();
    let first = &calls[0];
    assert_eq!(first["name"], "csv_parser", "{run:#}");
    // The model may add optional arguments (e.g. max_rows); the file must
    // be the one named, given as `path` and not also as `content`.
    assert_eq!(first["arguments"]["path"], "sales.csv", "{run:#}");
    assert!(first["arguments"].get("content").is_none(), "{run:#}");
    assert_eq!(first["outcome"], "ok", "{run:#}");
    // The record keeps what the answer rests on.
    assert_eq!(first["result"]["rows"], 2, "{run:#}");
    let answer = run["output"].as_str().unwrap();
    assert!(
        answer.contains("30") || (answer.contains("10") && answer.contains("20")),
        "the answer has neither the total nor both values: {answer}"
    );
}

/// A chart request that names its type and states its numbers draws exactly
/// that chart: the call is grounded in the request (the model drew a bar
/// chart for "a line chart" and looped on 16 labels to the token cap), and
/// the answer opens with the runtime's statement of the file written.
#[test]
fn a_chart_request_draws_the_named_type_with_the_stated_numbers() {
    if !have_local_model() {
        return;
    }
    let env = Env::new();
    env.run(&["init"]).ok();
    let run = run_agent(
        &env,
        "data-analyzer",
        "Plot a line chart of the values 1, 4, 9 and 16",
    );
    assert_eq!(run["status"], "ok", "{run:#}");
    let call = &run["tool_calls"][0];
    assert_eq!(call["name"], "chart_generator", "{run:#}");
    assert_eq!(call["outcome"], "ok", "{run:#}");
    assert_eq!(call["arguments"]["chart_type"], "line", "{run:#}");
    assert_eq!(
        call["arguments"]["series"],
        serde_json::json!([{"values": [1, 4, 9, 16]}]),
        "{run:#}"
    );
    let written = std::path::Path::new(call["result"]["path"].as_str().unwrap());
    assert!(written.is_file(), "{run:#}");
    let name = written.file_name().unwrap().to_string_lossy();
    let answer = run["output"].as_str().unwrap();
    assert!(
        answer.starts_with(&format!("The chart was written to output/{name}")),
        "{answer}"
    );
}

/// A request naming a file that is not there is answered with the runtime's
/// statement of it and the files that are, and nothing else: the model,
/// continuing that statement, repeated the prompt's note ("Tell the user
/// that...") and suggested finding the file with a web scraping tool.
#[test]
fn a_request_naming_a_missing_file_gets_the_runtimes_statement_alone() {
    if !have_local_model() {
        return;
    }
    let env = Env::new();
    env.run(&["init"]).ok();
    env.write(
        "data/workspaces/data-analyzer/sales.csv",
        "region,revenue\nnorth,10\nsouth,20\n",
    );
    let run = run_agent(&env, "data-analyzer", "Summarise this CSV: data.csv");
    assert_eq!(run["status"], "ok", "{run:#}");
    assert_eq!(run["tool_calls"], serde_json::json!([]), "{run:#}");
    assert_eq!(
        run["output"], "data.csv was not found in the workspace; the files there are: sales.csv.",
        "{run:#}"
    );
}

/// "Remember that ..." stores that statement, about its subject, and a later
/// question searches memory with the question itself and answers from what
/// was found: the model stored `", "` under `A` and searched for
/// `search_tool`.
#[test]
fn a_stated_fact_is_stored_in_its_own_words_and_recalled() {
    if !have_local_model() {
        return;
    }
    let env = Env::new();
    env.run(&["init"]).ok();
    env.write(
        "data/agents/notes.toml",
        "name = \"Notes\"\nversion = \"1.0.0\"\ncapabilities = [\"memory\"]\n\
         tools = [\"memory_store\", \"memory_search\"]\n\
         system_prompt = \"You keep notes with memory_store and look them up with memory_search.\"\n\
         [memory]\nenabled = true\nscope = \"agent\"\n",
    );
    let run = run_agent(
        &env,
        "notes",
        "Remember that Alice owns the billing service.",
    );
    assert_eq!(run["status"], "ok", "{run:#}");
    let call = &run["tool_calls"][0];
    assert_eq!(call["name"], "memory_store", "{run:#}");
    assert_eq!(call["outcome"], "ok", "{run:#}");
    assert_eq!(
        call["arguments"]["observations"],
        serde_json::json!(["Alice owns the billing service"]),
        "{run:#}"
    );
    assert_eq!(call["arguments"]["entity"], "Alice", "{run:#}");

    let run = run_agent(
        &env,
        "notes",
        "Search your notes: who owns the billing service?",
    );
    assert_eq!(run["status"], "ok", "{run:#}");
    let call = &run["tool_calls"][0];
    assert_eq!(call["name"], "memory_search", "{run:#}");
    assert_eq!(
        call["arguments"]["query"], "who owns the billing service?",
        "{run:#}"
    );
    let answer = run["output"].as_str().unwrap();
    assert!(
        answer.starts_with("From memory: ") && answer.contains("Alice owns the billing service"),
        "{answer}"
    );
}
