//! Config-agent run overhead (issue 5): everything a run does besides
//! waiting for the model. The provider is a BENCHMARK STUB that answers
//! instantly (first a csv_parser call, then text), so the measured time is
//! prompt rendering, memory context (keyword search over 1,000 entities,
//! and hybrid when the embedding model is installed), tool dispatch with
//! argument validation, and recording the run plus its memory summary in
//! one transaction. Run: `cargo bench --bench run`.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::{figure, percentile, scaled};

use caxton::agent::spec::AgentSpec;
use caxton::config::{LlmConfig, MemoryConfig};
use caxton::memory::{Access, Entity, Memory, MemoryScope, graph};
use caxton::paths::Paths;
use caxton::runtime::llm::{
    ChatRequest, ChatResponse, FinishReason, LlmError, Message, Provider, Role, ToolCall, Usage,
};
use caxton::runtime::run::{self, RunContext, RunInput};
use caxton::store::Store;

/// Benchmark stub, not a model: odd calls ask for csv_parser, even calls
/// answer with text, both without any delay.
struct InstantStub {
    calls: AtomicU64,
}

impl Provider for InstantStub {
    fn name(&self) -> &str {
        "benchmark-stub"
    }
    fn default_model(&self) -> &str {
        "none"
    }
    fn chat(
        &self,
        request: &ChatRequest,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<ChatResponse, LlmError> {
        let n = self.calls.fetch_add(1, Ordering::Relaxed);
        let wants_tool = n.is_multiple_of(2) && !request.tools.is_empty();
        let message = if wants_tool {
            Message {
                tool_calls: vec![ToolCall {
                    id: format!("call_{n}"),
                    name: "csv_parser".into(),
                    arguments: r#"{"path": "sales.csv"}"#.into(),
                }],
                ..Message::new(Role::Assistant, "")
            }
        } else {
            on_text("Three regions; revenue averages 20.");
            Message::new(Role::Assistant, "Three regions; revenue averages 20.")
        };
        Ok(ChatResponse {
            finish_reason: if wants_tool {
                FinishReason::ToolCalls
            } else {
                FinishReason::Stop
            },
            message,
            usage: Usage {
                prompt_tokens: 100,
                completion_tokens: 10,
            },
            model: "none".into(),
        })
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

const AGENT: &str = r#"
name = "BenchAnalyzer"
version = "1.0.0"
capabilities = ["data-analysis"]
tools = ["csv_parser", "memory_search"]
system_prompt = "You are a data analysis expert. Formats: {{#each formats}}{{this}} {{/each}}"
user_prompt_template = "Analyze: {{request}}\nContext:\n{{context}}\nAt {{timestamp}} for {{sender}}"
[memory]
enabled = true
scope = "agent"
max_results = 5
[parameters]
formats = ["csv", "json", "xlsx"]
"#;

fn paths(data: &std::path::Path, models_dir: &std::path::Path) -> Paths {
    Paths {
        data_dir: data.to_path_buf(),
        agents_dir: data.join("agents"),
        models_dir: models_dir.to_path_buf(),
    }
}

fn measure(
    key: &str,
    label: &str,
    agent_toml: &str,
    models_dir: &std::path::Path,
    data: &std::path::Path,
    runs: usize,
) {
    let stub = Arc::new(InstantStub {
        calls: AtomicU64::new(0),
    });
    let ctx = RunContext::from_parts(
        paths(data, models_dir),
        LlmConfig::default(),
        Duration::from_secs(30),
    )
    .with_provider(stub);
    let agent: AgentSpec = toml::from_str(agent_toml).expect("bench agent parses");
    let input = || RunInput {
        request: "Summarise sales.csv revenue by region".into(),
        ..RunInput::default()
    };
    // Warm-up: first run loads the embedder / index when present.
    for _ in 0..20 {
        run::run(&ctx, &agent, input(), &mut |_| {}).expect("run");
    }
    let mut overhead = Vec::with_capacity(runs);
    let mut tools = Vec::with_capacity(runs);
    let mut mode = "";
    for _ in 0..runs {
        let t = Instant::now();
        let rec = run::run(&ctx, &agent, input(), &mut |_| {}).expect("run");
        let wall = t.elapsed();
        assert!(rec.error.is_none() && rec.tool_calls.len() == 1);
        mode = rec.memory.as_ref().map_or("", |m| m.mode);
        let model = Duration::from_secs_f64(rec.timings.model_ms / 1e3);
        overhead.push(wall.saturating_sub(model));
        tools.push(Duration::from_secs_f64(rec.timings.tools_ms / 1e3));
    }
    overhead.sort();
    tools.sort();
    println!(
        "{label} (memory context: {mode}): run overhead excluding model time over {runs} runs \
         (2 rounds, 1 csv_parser call, recording included): P50 {} P99 {}; of which tool execution P50 {}",
        ms(percentile(&overhead, 0.5)),
        ms(percentile(&overhead, 0.99)),
        ms(percentile(&tools, 0.5)),
    );
    figure(
        &format!("run.overhead_p50.{key}"),
        percentile(&overhead, 0.5).as_secs_f64() * 1e3,
        "ms",
    );
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("workspaces/bench-analyzer")).unwrap();
    std::fs::write(
        data.join("workspaces/bench-analyzer/sales.csv"),
        "region,revenue\nnorth,10\nsouth,20\neast,30\n",
    )
    .unwrap();
    // 1,000 entities in the agent's scope for the memory context to search.
    let mut store = Store::open(&data.join("caxton.db")).unwrap();
    let access = Access {
        agent: Some("bench-analyzer".into()),
        workspace: Some(run::WORKSPACE.into()),
        write_scope: MemoryScope::Agent,
    };
    let entities: Vec<Entity> = (0..1000)
        .map(|i| Entity {
            name: format!("region-report-{i}"),
            entity_type: "finding".into(),
            observations: vec![format!(
                "revenue in region {} grew {}% in quarter {}",
                i % 7,
                i % 13,
                i % 4
            )],
        })
        .collect();
    graph::create_entities(&mut store, &access, &entities, None).unwrap();
    drop(store);
    let runs = std::env::args()
        .filter_map(|a| a.parse().ok())
        .next()
        .unwrap_or(scaled(500, 50));
    let no_models = dir.path().join("no-models");
    let without_memory = AGENT.replace("enabled = true", "enabled = false");
    measure(
        "no_memory",
        "memory disabled",
        &without_memory,
        &no_models,
        &data,
        runs,
    );
    measure("keyword", "keyword memory", AGENT, &no_models, &data, runs);
    let models = std::env::var_os("CAXTON_MODELS_DIR").map(std::path::PathBuf::from);
    match models.filter(|m| m.join("all-MiniLM-L6-v2/model.safetensors").is_file()) {
        Some(m) => {
            // Observations are embedded when written; the 1,000 above were
            // stored without the model.
            Memory::embedded(&paths(&data, &m), &MemoryConfig::default())
                .embed_pending(&mut |_, _| {})
                .unwrap();
            measure(
                "hybrid",
                "hybrid memory (query embedding included)",
                AGENT,
                &m,
                &data,
                runs,
            )
        }
        None => println!("hybrid memory: skipped (set CAXTON_MODELS_DIR to the installed model)"),
    }
}
