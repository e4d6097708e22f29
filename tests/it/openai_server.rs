//! The `openai` adapter against a REAL OpenAI-compatible server: llama.cpp's
//! `llama-server` (built once by scripts/setup-llama-server, cached under
//! ~/.cache/caxton-test) serving the same SmolLM2-135M GGUF as the local
//! provider, on loopback. Runs when the server and the model are installed;
//! `CAXTON_REQUIRE_LLAMA_SERVER=1` or `CAXTON_REQUIRE_ALL=1` (.ci/run) make
//! their absence a failure. A 135M model is weak: these tests assert the
//! wire contract and the run record, never wording.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Env, models_dir, run_readme_quickstart, skip};
use caxton::runtime::llm::openai::OpenAi;
use caxton::runtime::llm::{
    ChatRequest, FinishReason, Message, Provider, Role, ToolCall, ToolChoice, ToolSpec,
};
use serde_json::json;

const SWITCH: &str = "CAXTON_REQUIRE_LLAMA_SERVER";

/// `$CAXTON_LLAMA_SERVER`, else where scripts/setup-llama-server puts it.
fn server_binary() -> Option<PathBuf> {
    let path = std::env::var_os("CAXTON_LLAMA_SERVER")
        .map(PathBuf::from)
        .or_else(|| {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
            Some(cache.join("caxton-test/llama-server/bin/llama-server"))
        })?;
    path.is_file().then_some(path)
}

fn gguf() -> Option<PathBuf> {
    let p = models_dir()?.join("SmolLM2-135M-Instruct/SmolLM2-135M-Instruct.Q4_1.gguf");
    p.is_file().then_some(p)
}

/// A running llama-server, killed on drop.
struct LlamaServer {
    child: Child,
    port: u16,
}

impl LlamaServer {
    /// Start it and wait (bounded) until `/health` says it has loaded the
    /// model; `None` (after a skip note, or a failure when required) when
    /// the binary or the model is missing.
    fn start() -> Option<LlamaServer> {
        let (Some(bin), Some(model)) = (server_binary(), gguf()) else {
            skip(
                SWITCH,
                "llama-server or the SmolLM2 GGUF is not installed (run scripts/setup-llama-server and scripts/fetch-models)",
            );
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free loopback port");
        // One thread: on a shared 2-core machine two spinning threads
        // collapse (docs/performance.md). --jinja enables tool calls.
        let child = Command::new(bin)
            .args(["-m"])
            .arg(model)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["-t", "1", "-c", "4096", "--jinja", "--no-webui"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start llama-server");
        let server = LlamaServer { child, port };
        let deadline = Instant::now() + Duration::from_secs(120);
        let client = reqwest::blocking::Client::new();
        loop {
            let ok = client
                .get(format!("{}/health", server.root()))
                .timeout(Duration::from_secs(5))
                .send()
                .is_ok_and(|r| r.status().is_success());
            if ok {
                return Some(server);
            }
            assert!(
                Instant::now() < deadline,
                "llama-server did not become healthy within 120 s"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn root(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn v1(&self) -> String {
        format!("{}/v1", self.root())
    }
}

impl Drop for LlamaServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn request(messages: Vec<Message>, tools: Vec<ToolSpec>) -> ChatRequest {
    ChatRequest {
        model: None,
        messages,
        tools,
        tool_choice: ToolChoice::Auto,
        temperature: Some(0.0),
        max_tokens: Some(64),
        seed: None,
        timeout: Duration::from_secs(300),
    }
}

/// A tool round trip on the wire: an assistant tool call and its result go
/// up as OpenAI `tool_calls` / `tool` messages, the answer streams back in
/// chunks that add up to the final text, with usage counted.
#[test]
fn llama_server_takes_a_tool_result_and_streams_the_answer_with_usage() {
    let Some(server) = LlamaServer::start() else {
        return;
    };
    let provider = OpenAi::new(&server.v1(), None, "SmolLM2-135M-Instruct").unwrap();
    let csv = ToolSpec {
        name: "csv_parser".into(),
        description: "Profile a CSV file".into(),
        parameters: json!({"type": "object", "properties": {"path": {"type": "string", "enum": ["sales.csv"]}},
                           "required": ["path"], "additionalProperties": false}),
    };
    let call = Message {
        tool_calls: vec![ToolCall {
            id: "call_1".into(),
            name: "csv_parser".into(),
            arguments: r#"{"path":"sales.csv"}"#.into(),
        }],
        ..Message::new(Role::Assistant, "")
    };
    let req = request(
        vec![
            Message::new(Role::System, "You analyse data. Answer in one sentence."),
            Message::new(Role::User, "Summarise this CSV: sales.csv"),
            call,
            Message::tool_result(
                "call_1",
                "sales.csv: 2 rows, 2 columns.\n- region (string): values north (1), south (1)\n- revenue (integer): sum 30, min 10, max 20, mean 15",
            ),
        ],
        vec![csv],
    );
    let mut streamed = String::new();
    let mut chunks = 0;
    let answer = provider
        .chat(&req, &mut |t| {
            chunks += 1;
            streamed.push_str(t)
        })
        .unwrap_or_else(|e| panic!("llama-server: {e}"));
    assert!(
        answer.message.tool_calls.is_empty() || answer.finish_reason == FinishReason::ToolCalls
    );
    if answer.message.tool_calls.is_empty() {
        assert!(!answer.message.content.trim().is_empty(), "{answer:?}");
        assert_eq!(streamed, answer.message.content);
        assert!(chunks > 1, "the answer came in one piece, not streamed");
    }
    assert!(answer.usage.prompt_tokens > 40, "{:?}", answer.usage);
    assert!(answer.usage.completion_tokens > 0, "{:?}", answer.usage);
    assert!(answer.usage.completion_tokens <= 64, "{:?}", answer.usage);
}

/// README's quickstart with `[llm] provider = "openai"` pointed at
/// llama-server: the grounded schema goes over the wire, whatever the model
/// calls is run and recorded, and the command succeeds.
#[test]
fn readme_quickstart_runs_through_the_openai_provider_on_llama_server() {
    let Some(server) = LlamaServer::start() else {
        return;
    };
    let env = Env::new();
    env.run(&["init"]).ok();
    env.write(
        "caxton.toml",
        &format!(
            "[runtime]\nagent_timeout = \"600s\"\n[llm]\nprovider = \"openai\"\n\
             [llm.providers.openai]\nbase_url = \"{}\"\nmodel = \"SmolLM2-135M-Instruct\"\n",
            server.v1()
        ),
    );
    let run = run_readme_quickstart(&env);
    assert_eq!(run["provider"], "openai", "{run:#}");
    assert!(
        run["usage"]["prompt_tokens"].as_u64().unwrap() > 0,
        "{run:#}"
    );
    // Grounded: whatever the model called, the tool accepted the arguments.
    for call in run["tool_calls"].as_array().unwrap() {
        assert_eq!(call["outcome"], "ok", "{run:#}");
    }
    assert!(
        !run["output"].as_str().unwrap().trim().is_empty(),
        "{run:#}"
    );
}
