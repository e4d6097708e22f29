//! The one memory service, seen from each entry point through the real
//! binary: a model that fails to load gives the same keyword fallback with
//! a stated reason in the CLI, the daemon and a config-agent run, and
//! `memory.max_entities` is enforced the same way in the CLI, REST and the
//! `memory_store` tool.

use std::path::PathBuf;

use crate::common::recorded_llm::RecordedLlm;
use crate::common::{Env, Run, finish};

/// A models directory whose all-MiniLM-L6-v2 files are all present but are
/// not a model: loading it fails (unlike a missing model, which is a
/// separate, older case).
fn broken_models(env: &Env) -> PathBuf {
    let dir = env.path().join("broken-models");
    for f in ["config.json", "tokenizer.json", "model.safetensors"] {
        env.write(
            &format!("broken-models/all-MiniLM-L6-v2/{f}"),
            "not a model file\n",
        );
    }
    dir
}

fn run(env: &Env, vars: &[(&str, &str)], args: &[&str], stdin: Option<&str>) -> Run {
    use std::io::Write;
    use std::process::Stdio;
    let mut c = env.cmd();
    c.envs(vars.iter().copied())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if stdin.is_some() {
        c.stdin(Stdio::piped());
    }
    let mut child = c.spawn().expect("run caxton");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    finish(child.wait_with_output().unwrap())
}

const CATS: &str = r#"{"entities": [{"name": "Tom", "entityType": "cat", "observations": ["Tom purrs on the sofa"]}]}"#;

#[track_caller]
fn assert_failed_load_reason(reason: &serde_json::Value) {
    let reason = reason.as_str().unwrap_or_default();
    assert!(
        reason.contains("embedding model failed to load") && reason.contains("config.json"),
        "the reason names the failed load: {reason:?}"
    );
}

#[test]
fn cli_search_falls_back_to_keywords_when_the_model_fails_to_load() {
    let env = Env::new();
    let models = broken_models(&env);
    let models = models.to_str().unwrap();
    let vars = [("CAXTON_MODELS_DIR", models)];
    // The write commits; the warning says why nothing was embedded.
    let w = run(&env, &vars, &["memory", "create-entities"], Some(CATS)).ok();
    assert!(
        w.stderr
            .contains("observations saved; not embedded: embedding model failed to load"),
        "{}",
        w.stderr
    );
    let j = run(&env, &vars, &["memory", "search", "purrs", "--json"], None)
        .ok()
        .json();
    assert_eq!(j["mode"], "keyword", "{j}");
    assert_failed_load_reason(&j["reason"]);
    assert_eq!(j["results"][0]["name"], "Tom");
    assert_eq!(j["pending_embeddings"], 1);
    // The search is recorded like any other.
    let logged = run(
        &env,
        &vars,
        &["memory", "monitor", "--once", "--json"],
        None,
    )
    .ok();
    assert!(logged.stdout.contains("\"purrs\""), "{}", logged.stdout);
}

#[test]
fn daemon_search_falls_back_to_keywords_when_the_model_fails_to_load() {
    let env = Env::new();
    let models = broken_models(&env);
    let d = crate::daemon::start(&env, &[("CAXTON_MODELS_DIR", models.to_str().unwrap())]);
    let (status, created, _) = d.post("/api/v1/memory/entities", CATS);
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["created"][0]["name"], "Tom");
    assert_eq!(created["embedded"]["embedded"], 0, "{created}");
    assert_failed_load_reason(&created["embedded"]["reason"]);
    let (status, found, _) = d.post("/api/v1/memory/search", r#"{"query": "purrs"}"#);
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["mode"], "keyword", "{found}");
    assert_failed_load_reason(&found["reason"]);
    assert_eq!(found["results"][0]["name"], "Tom");
    let (_, health) = d.get("/api/v1/health/memory");
    assert_ne!(health["embedding_model"], "loaded", "{health}");
}

/// A config agent `notes` with memory on, answering through `llm`.
fn notes_agent(env: &Env, llm: &RecordedLlm) {
    env.write(
        "data/agents/notes.toml",
        &format!(
            "name = \"notes\"\nversion = \"1.0.0\"\ncapabilities = [\"notes\"]\ntools = []\n\
             system_prompt = \"You take notes.\"\nuser_prompt_template = \"{{{{request}}}}\"\n\
             [memory]\nenabled = true\n\
             [llm]\nprovider = \"openai\"\nbase_url = \"{}\"\nmodel = \"test-model\"\n",
            llm.url("/v1")
        ),
    );
}

#[test]
fn a_config_agent_run_uses_keyword_memory_when_the_model_fails_to_load() {
    let env = Env::new();
    let models = broken_models(&env);
    let llm = RecordedLlm::start(&["openai/stream_text.http"]);
    notes_agent(&env, &llm);
    let vars = [("CAXTON_MODELS_DIR", models.to_str().unwrap())];
    run(&env, &vars, &["memory", "create-entities"], Some(CATS)).ok();
    let j = run(
        &env,
        &vars,
        &[
            "agents",
            "test",
            "notes",
            "--query",
            "what purrs?",
            "--json",
        ],
        None,
    )
    .ok()
    .json();
    assert_eq!(j["status"], "ok", "{j}");
    assert_eq!(j["memory"]["mode"], "keyword", "{j}");
    assert_failed_load_reason(&j["memory"]["reason"]);
    assert_eq!(j["memory"]["hits"], 1, "{j}");
    // What the model saw includes the memory found by keyword.
    let prompt = llm.received()[0].body["messages"].to_string();
    assert!(prompt.contains("Tom purrs on the sofa"), "{prompt}");
}

#[test]
fn a_config_agent_runs_summary_is_embedded_and_found_by_meaning() {
    if !crate::common::have_model() {
        return;
    }
    let env = Env::new();
    let llm = RecordedLlm::start(&["openai/stream_text.http"]);
    notes_agent(&env, &llm);
    let j = env
        .run(&[
            "agents",
            "test",
            "notes",
            "--query",
            "what purrs?",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(j["status"], "ok", "{j}");
    // The summary was embedded by the run, not left for `memory embed`:
    // found by meaning (the hit is scored with its vector) and nothing
    // is pending.
    let found = env
        .run(&["memory", "search", "what purrs?", "--json"])
        .ok()
        .json();
    assert_eq!(found["pending_embeddings"], 0, "{found}");
    assert_eq!(found["results"][0]["name"], "notes", "{found}");
    assert_eq!(found["results"][0]["mode"], "hybrid", "{found}");
}

fn entities(names: &[&str]) -> String {
    let list: Vec<serde_json::Value> = names
        .iter()
        .map(|n| serde_json::json!({"name": n, "entityType": "item", "observations": [format!("{n} exists")]}))
        .collect();
    serde_json::json!({ "entities": list }).to_string()
}

fn entity_names(env: &Env) -> Vec<String> {
    let g = env.run(&["memory", "read-graph"]).ok().json();
    g["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn max_entities_refuses_a_batch_whole_in_the_cli_and_the_tool() {
    let env = Env::new();
    env.write("data/caxton.toml", "[memory]\nmax_entities = 2\n");
    let no_model = [("CAXTON_MODELS_DIR", "/nonexistent-models")];
    run(
        &env,
        &no_model,
        &["memory", "create-entities"],
        Some(&entities(&["a"])),
    )
    .ok();
    // Two more would make three: refused, exit 7, nothing written.
    let r = run(
        &env,
        &no_model,
        &["memory", "create-entities", "--json"],
        Some(&entities(&["b", "c"])),
    )
    .code(7);
    let body: serde_json::Value = serde_json::from_str(&r.stderr)
        .unwrap_or_else(|_| panic!("error JSON expected on stderr: {}", r.all()));
    let err = &body["error"];
    assert_eq!(err["code"], "memory_full", "{err}");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("max_entities = 2"),
        "{err}"
    );
    assert!(
        err["hint"]
            .as_str()
            .unwrap()
            .contains("CAXTON_MEMORY_MAX_ENTITIES"),
        "{err}"
    );
    assert_eq!(entity_names(&env), ["a"]);
    // Existing names are not new: the batch with one new entity fits.
    run(
        &env,
        &no_model,
        &["memory", "create-entities"],
        Some(&entities(&["a", "b"])),
    )
    .ok();
    // The run loop's memory_store tool meets the same limit.
    let r = run(
        &env,
        &no_model,
        &[
            "tools",
            "run",
            "memory_store",
            "--args",
            r#"{"entity": "c", "observations": ["c exists"]}"#,
        ],
        None,
    );
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(r.all().contains("memory is full"), "{}", r.all());
    assert_eq!(entity_names(&env), ["a", "b"]);
    // Adding to an entity that exists needs no room.
    run(
        &env,
        &no_model,
        &[
            "tools",
            "run",
            "memory_store",
            "--args",
            r#"{"entity": "a", "observations": ["a is old"]}"#,
        ],
        None,
    )
    .ok();
}

#[test]
fn max_entities_is_a_507_with_the_limit_over_rest() {
    let env = Env::new();
    env.write("data/caxton.toml", "[memory]\nmax_entities = 1\n");
    let d = crate::daemon::start(&env, &[("CAXTON_MODELS_DIR", "/nonexistent-models")]);
    let (status, body, _) = d.post("/api/v1/memory/entities", &entities(&["a", "b"]));
    assert_eq!(status, 507, "{body}");
    assert_eq!(body["error"]["code"], "memory_full", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("max_entities = 1"),
        "{body}"
    );
    let (_, graph) = d.get("/api/v1/memory/graph");
    assert_eq!(graph["entities"].as_array().unwrap().len(), 0, "{graph}");
    let (status, body, _) = d.post("/api/v1/memory/entities", &entities(&["a"]));
    assert_eq!(status, 201, "{body}");
}
