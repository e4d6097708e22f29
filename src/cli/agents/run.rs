//! `agents test` (a deployed agent of either kind) and `agents test-local`
//! (a config agent file, not deployed): one run, its answer streamed to
//! stdout and a summary line on stderr.
//!
//! `--query TEXT` is the request as text and `--input JSON` the request as
//! JSON, in both commands. A WASM agent's ABI takes JSON, so its `--input`
//! must parse; a config agent takes text that is not JSON as the request
//! text (the runbook's `test-local FILE --input "test query"`).

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::sandbox;
use crate::Caxton;
use crate::agent::spec::AgentSpec;
use crate::agent::validate;
use crate::agent::wasm::{self, WasmAgent};
use crate::agent::{self, Agent, Kind, catalog};
use crate::cli::args;
use crate::cli::output::{DIM, Output};
use crate::error::{Error, ExitCode, Result};
use crate::messaging::{Delegation, Messenger};
use crate::runtime::run::{self, CallOutcome, RunContext, RunEvent, RunInput, RunRecord};
use crate::runtime::wasm::Abi;
use crate::tools::send_message::MessagingHandle;

/// The request, as text or JSON.
#[derive(Debug, clap::Args)]
pub struct Request {
    /// The request text
    #[arg(long, value_name = "TEXT", conflicts_with = "input")]
    query: Option<String>,
    /// The request as JSON: a WASM agent's input, or for a config agent an
    /// object whose keys become template variables (text that is not JSON
    /// is the request text)
    #[arg(long, value_name = "JSON")]
    input: Option<String>,
}

impl Request {
    fn value(self, kind: Kind) -> Result<Value> {
        match (self.query, self.input) {
            (Some(q), _) => Ok(Value::String(q)),
            (None, Some(i)) => match serde_json::from_str(&i) {
                Ok(v) => Ok(v),
                Err(_) if kind == Kind::Config => Ok(Value::String(i)),
                Err(e) => Err(Error::Usage {
                    message: format!("--input is not valid JSON: {e}"),
                    hint: "pass JSON, e.g. --input '{\"text\": \"hello world\"}' or --input '\"hello\"'"
                        .into(),
                }),
            },
            (None, None) => Err(Error::Usage {
                message: "nothing to send: give --query TEXT or --input JSON".into(),
                hint: "e.g. caxton agents test NAME --query \"Analyze sample data\"".into(),
            }),
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct TestArgs {
    name: String,
    #[command(flatten)]
    request: Request,
    /// Overall limit for a config agent's run, e.g. 30s
    /// [default: the agent's [conversation] timeout, then runtime.agent_timeout]
    #[arg(long, value_name = "DURATION", value_parser = args::duration)]
    timeout: Option<Duration>,
    /// The Extism plug-in function to call [default: the deployed handler, `handle`]
    #[arg(long, value_name = "NAME")]
    function: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct TestLocalArgs {
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    request: Request,
    /// Overall limit for the run, e.g. 10s
    #[arg(long, value_name = "DURATION", value_parser = args::duration)]
    timeout: Option<Duration>,
}

/// `agents test NAME`.
pub fn run(cx: &Caxton, args: TestArgs, out: &Output) -> Result<ExitCode> {
    match agent::resolve(cx, &args.name)? {
        Agent::Wasm(a) => {
            if args.timeout.is_some() {
                return Err(Error::Usage {
                    message: "--timeout applies to config agents; a WASM agent runs within its deployed limits".into(),
                    hint: format!("`caxton agents sandbox-status --agent {}` shows them", a.id),
                });
            }
            // An Extism plug-in takes bytes: `--input` reaches it verbatim.
            let input = match (a.module.abi, args.request) {
                (
                    Abi::Extism,
                    Request {
                        input: Some(raw), ..
                    },
                ) => Value::String(raw),
                (_, request) => request.value(Kind::Wasm)?,
            };
            test_wasm(cx, &a, input, args.function.as_deref(), out)
        }
        Agent::Config(_) if args.function.is_some() => Err(Error::Usage {
            message: format!(
                "`{}` is a config agent: --function applies to Extism plug-ins only",
                args.name
            ),
            hint: "leave out --function".into(),
        }),
        Agent::Config(e) => {
            let request = args.request.value(Kind::Config)?;
            match &e.report.spec {
                Some(s) if e.report.is_valid() => execute(cx, s, request, args.timeout, None, out),
                _ => Err(e.report.into_error()),
            }
        }
    }
}

/// `agents test-local FILE`: run a file that need not be deployed.
pub fn run_local(cx: &Caxton, args: TestLocalArgs, out: &Output) -> Result<ExitCode> {
    let report = validate::validate_file(&args.file, &catalog::context(cx));
    if report.is_missing() {
        return Err(Error::FileNotFound { path: args.file });
    }
    let spec: AgentSpec = match &report.spec {
        Some(s) if report.is_valid() => s.clone(),
        _ => return Err(report.into_error()),
    };
    for w in report.warnings() {
        out.warn(&w.message);
    }
    let request = args.request.value(Kind::Config)?;
    execute(cx, &spec, request, args.timeout, Some(args.file), out)
}

fn execute(
    cx: &Caxton,
    spec: &AgentSpec,
    request: Value,
    timeout: Option<Duration>,
    source_file: Option<std::path::PathBuf>,
    out: &Output,
) -> Result<ExitCode> {
    let ctx = RunContext::new(cx);
    let spinner = out.spinner(&format!("{} is thinking…", spec.id()));
    let mut streamed = false;
    let stream = !out.json;
    let mut on_event = |e: RunEvent<'_>| {
        if !stream {
            return;
        }
        match e {
            RunEvent::Text(t) => {
                if !streamed {
                    spinner.finish_and_clear();
                    streamed = true;
                }
                let mut so = anstream::stdout();
                let _ = so.write_all(t.as_bytes());
                let _ = so.flush();
            }
            RunEvent::ToolCall { name, .. } => {
                spinner.set_message(format!("{} is running {name}…", spec.id()));
            }
            // Each finished call gets a line as it happens, so a slow run
            // shows where its time goes before the summary.
            RunEvent::ToolResult(c) => spinner.suspend(|| {
                let _ = writeln!(
                    anstream::stderr(),
                    "{DIM}tool {} {} in {:.0} ms{DIM:#}",
                    c.name,
                    outcome_word(c.outcome),
                    c.duration_ms
                );
            }),
        }
    };
    let input = RunInput {
        request,
        timeout,
        source_file,
        messaging: delegation(cx, spec)?,
        ..RunInput::default()
    };
    let rec = run::run(&ctx, spec, input, &mut on_event);
    spinner.finish_and_clear();
    let rec = rec?;
    if out.json {
        out.json(&rec);
    } else {
        if streamed {
            out.line("");
        } else if !rec.output.is_empty() {
            out.line(&rec.output);
        }
        summary(&rec);
    }
    match rec.failure() {
        Some(e) => Err(e),
        None => Ok(ExitCode::Ok),
    }
}

fn outcome_word(o: CallOutcome) -> &'static str {
    match o {
        CallOutcome::Ok => "ok",
        CallOutcome::Error => "failed",
        CallOutcome::Denied => "denied",
    }
}

/// The `send_message` tool's way to the other agents, for an agent that
/// lists it: a messenger in this process, which delivers what the agent asks
/// for while the run waits.
pub(crate) fn delegation(cx: &Caxton, spec: &AgentSpec) -> Result<Option<MessagingHandle>> {
    if !spec.tools.iter().any(|t| t == "send_message") {
        return Ok(None);
    }
    let messenger = Messenger::open(cx, Arc::new(wasm::runtime(cx)))?;
    Ok(Some(
        Delegation::new(&messenger, &spec.id(), &spec.capabilities, None).handle(),
    ))
}

/// One dim line on stderr: provider, rounds, tools, tokens, time.
fn summary(rec: &RunRecord) {
    let calls: Vec<String> = rec
        .tool_calls
        .iter()
        .map(|c| format!("{} {}", c.name, outcome_word(c.outcome)))
        .collect();
    let tools = if calls.is_empty() {
        "no tool calls".to_string()
    } else {
        format!("tools: {}", calls.join(", "))
    };
    let t = &rec.timings;
    let mut err = anstream::stderr();
    let _ = writeln!(
        err,
        "{DIM}{} {} · {}/{} · {} round(s) · {tools} · {}+{} tokens · {:.0} ms (model {:.0} ms) · run #{}{DIM:#}",
        rec.agent,
        rec.version,
        rec.provider,
        rec.model,
        rec.rounds,
        rec.usage.prompt_tokens,
        rec.usage.completion_tokens,
        t.total_ms,
        t.model_ms,
        rec.id
    );
    if let Some(n) = &rec.notice {
        let _ = writeln!(err, "{DIM}note: {n}{DIM:#}");
    }
}

fn test_wasm(
    cx: &Caxton,
    agent: &WasmAgent,
    input: Value,
    function: Option<&str>,
    out: &Output,
) -> Result<ExitCode> {
    let rt = wasm::runtime(cx);
    let report = wasm::run(cx, &rt, agent, input, function)?;
    if out.json {
        out.json(&report);
        return Ok(ExitCode::Ok);
    }
    // stdout carries only the agent's answer, so it can be piped to jq.
    out.json(&report.output);
    for l in &report.logs {
        eprintln_dim(&format!("[{}] {}", l.level, l.message));
    }
    let s = &report.stats;
    eprintln_dim(&format!(
        "{}: {:.2} ms CPU, {:.2} ms wall, {} fuel, peak memory {}",
        report.agent,
        s.cpu_us as f64 / 1000.0,
        s.wall_us as f64 / 1000.0,
        s.fuel,
        sandbox::size(s.peak_memory_bytes)
    ));
    if s.logs_dropped > 0 {
        eprintln_dim(&format!(
            "{} more log lines dropped: one execution keeps {} of log",
            s.logs_dropped,
            sandbox::size(crate::runtime::wasm::MAX_LOG_BYTES as u64)
        ));
    }
    Ok(ExitCode::Ok)
}

fn eprintln_dim(text: &str) {
    use std::io::Write;
    let _ = writeln!(anstream::stderr(), "{DIM}{text}{DIM:#}");
}
