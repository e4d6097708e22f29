//! Local LLM benchmark (issue 5). Prints numbers; asserts nothing about time.
//!
//!   cargo bench --bench llm [-- THREADS...]   (default: 1 2)
//!
//! candle reads its thread count once per process, so each thread count runs
//! in a child process of this benchmark with CANDLE_NUM_THREADS set. Each
//! child measures, on the installed SmolLM2-135M-Instruct:
//! - load time: first load from a Q4_1-only directory (re-encode to Q8_0 and
//!   write the cache) and a load from the cached Q8_0 file;
//! - prompt processing: a ~290-token ChatML prompt, tokens per second;
//! - generation: 64 greedy tokens after that prompt (end of turn ignored);
//! - one constrained tool call end to end (prompt, grammar, validation);
//! - peak RSS.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use caxton::runtime::llm::local::model::{self, Model};
use caxton::runtime::llm::local::{Engine, MODEL_NAME, THREADS_ENV};
use caxton::runtime::llm::{ChatRequest, LlmError, Message, Role, ToolChoice, ToolSpec};
use serde_json::json;

mod common;
use common::{figure, scaled};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if args.first().map(String::as_str) == Some("child") {
        child();
        return;
    }
    let threads: Vec<String> = if args.is_empty() {
        vec!["1".into(), "2".into()]
    } else {
        args
    };
    let exe = std::env::current_exe().expect("own path");
    for n in threads {
        println!("== {THREADS_ENV}={n}");
        let status = Command::new(&exe)
            .arg("child")
            .env(THREADS_ENV, &n)
            .status()
            .expect("run the benchmark child");
        assert!(status.success(), "child with {n} threads failed");
    }
}

fn models_dir() -> PathBuf {
    std::env::var_os("CAXTON_MODELS_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share/caxton/models"))
        })
        .expect("set CAXTON_MODELS_DIR or HOME")
}

/// CPU time of the whole process: with the wall clock it shows how much of
/// a slow run was waiting for a shared core (or spinning at a barrier).
fn cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn child() {
    let reps = scaled(2, 1);
    let gen_tokens = scaled(64, 16);
    let threads = std::env::var(THREADS_ENV).unwrap_or_default();
    let installed = models_dir();
    let q4 = model::model_dir(&installed).join(model::Q4_1_FILE);
    assert!(
        q4.is_file(),
        "{} missing: run scripts/fetch-models",
        q4.display()
    );

    // Load times, from a scratch models dir holding only the Q4_1 file.
    let scratch = tempfile::tempdir().expect("temp dir");
    let dir = model::model_dir(scratch.path());
    std::fs::create_dir(&dir).expect("model dir");
    if std::fs::hard_link(&q4, dir.join(model::Q4_1_FILE)).is_err() {
        std::fs::copy(&q4, dir.join(model::Q4_1_FILE)).expect("copy the model");
    }
    let t = Instant::now();
    let first = Model::load(scratch.path()).expect("first load");
    println!(
        "load, Q4_1 -> Q8_0 re-encode + cache write: {} ({:?})",
        secs(t.elapsed()),
        first.source
    );
    drop(first);
    let mut best_load = Duration::MAX;
    for _ in 0..reps {
        let t = Instant::now();
        let m = Model::load(scratch.path()).expect("cached load");
        best_load = best_load.min(t.elapsed());
        assert_eq!(m.source, model::Source::Cached);
    }
    println!("load, cached Q8_0: {}", secs(best_load));
    figure(
        &format!("llm.load_cached.{threads}_threads"),
        best_load.as_secs_f64() * 1e3,
        "ms",
    );

    let mut m = Model::load(scratch.path()).expect("load");
    let prompt = format!(
        "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging \
         Face<|im_end|>\n<|im_start|>user\n{}Summarise the text above in one sentence.\
         <|im_end|>\n<|im_start|>assistant\n",
        "Caxton is a local multi-agent server written in Rust. It runs config agents that \
         talk to a language model and call tools, and WebAssembly agents with enforced \
         limits. Agents exchange messages by capability, remember facts in an embedded \
         memory with semantic search, and everything lives in one SQLite database that can \
         be backed up, verified and restored. "
            .repeat(4)
    );
    let ids = m.encode(&prompt).expect("tokenize");
    let mut go = || Ok::<(), LlmError>(());
    let (mut best_prompt, mut prompt_cpu) = (Duration::MAX, Duration::MAX);
    let (mut best_gen, mut gen_cpu) = (Duration::MAX, Duration::MAX);
    for _ in 0..reps {
        let (t, c) = (Instant::now(), cpu_time());
        // Every repetition computes the whole prompt.
        m.forget();
        let (mut logits, _) = m.prefill(&ids, &mut go).expect("prompt");
        best_prompt = best_prompt.min(t.elapsed());
        prompt_cpu = prompt_cpu.min(cpu_time() - c);
        let (t, c) = (Instant::now(), cpu_time());
        for _ in 0..gen_tokens {
            let next = logits
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(i, _)| i as u32)
                .expect("logits");
            logits = m.step(&[next]).expect("step");
        }
        best_gen = best_gen.min(t.elapsed());
        gen_cpu = gen_cpu.min(cpu_time() - c);
    }
    let rate = |n: usize, d: Duration| n as f64 / d.as_secs_f64();
    println!(
        "prompt: {} tokens in {} = {:.1} tok/s wall, {:.1} tok per CPU-s",
        ids.len(),
        secs(best_prompt),
        rate(ids.len(), best_prompt),
        rate(ids.len(), prompt_cpu)
    );
    println!(
        "generation: {gen_tokens} tokens in {} = {:.1} tok/s wall, {:.1} tok per CPU-s",
        secs(best_gen),
        rate(gen_tokens, best_gen),
        rate(gen_tokens, gen_cpu)
    );
    figure(
        &format!("llm.prompt.{threads}_threads"),
        best_prompt.as_secs_f64() * 1e3 / ids.len() as f64,
        "ms/token",
    );
    figure(
        &format!("llm.generation.{threads}_threads"),
        best_gen.as_secs_f64() * 1e3 / gen_tokens as f64,
        "ms/token",
    );
    drop(m);

    let mut engine = Engine::load(scratch.path()).expect("engine");
    let string = json!({"type": "string"});
    let tool = |name: &str, description: &str, prop: &str| ToolSpec {
        name: name.into(),
        description: description.into(),
        parameters: json!({"type": "object", "properties": {prop: string},
                           "required": [prop]}),
    };
    let request = ChatRequest {
        model: Some(MODEL_NAME.into()),
        messages: vec![Message::new(Role::User, "What's the weather in Paris?")],
        tools: vec![
            tool("get_weather", "Current weather of a city", "city"),
            tool("remember", "Store a fact about the user", "fact"),
            tool("send_message", "Send a text to another agent", "text"),
        ],
        tool_choice: ToolChoice::Required,
        temperature: Some(0.0),
        max_tokens: Some(128),
        seed: None,
        timeout: Duration::from_secs(600),
    };
    for label in ["first (builds the grammar compiler)", "second"] {
        let t = Instant::now();
        let r = engine
            .answer(&request, Instant::now() + request.timeout, &mut |_| true)
            .expect("tool call");
        println!(
            "tool call, {label}: {} ({} prompt + {} generated tokens) -> {}({})",
            secs(t.elapsed()),
            r.usage.prompt_tokens,
            r.usage.completion_tokens,
            r.message.tool_calls[0].name,
            r.message.tool_calls[0].arguments
        );
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(line) = status.lines().find(|l| l.starts_with("VmHWM")) {
        println!("peak RSS: {}", line.trim_start_matches("VmHWM:").trim());
    }
}
