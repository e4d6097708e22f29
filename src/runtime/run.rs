//! Running a config agent once: render the prompts (with memory context when
//! `[memory].enabled`), ask the provider, run the tool calls the agent is
//! allowed to make, feed the results back (at most [`MAX_ROUNDS`] rounds,
//! within one overall timeout), and record the run in the store.
//!
//! [`run`] is the one entry point: the CLI (`agents test`, `test-local`), the
//! daemon's execute endpoint and message delivery all call it. It blocks, and
//! [`RunContext`] is `Send + Sync`, so any thread may call it.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use super::grounding;
use super::llm::select::{self, Resolved};
use super::llm::{
    ChatRequest, DEFAULT_REPLY_TOKENS, FinishReason, LlmError, LlmErrorKind, Message, Provider,
    Role, ToolCall, ToolChoice, ToolSpec, Usage,
};
use super::memory::{self, AgentMemory};
use super::present;
use super::records;
pub use super::records::{CallOutcome, RunError, RunRecord, Timings, ToolCallRecord};
use crate::Caxton;
use crate::agent::spec::{AgentSpec, MemoryScope};
use crate::agent::template;
use crate::clock::now_ms;
use crate::config::{LlmConfig, MemoryConfig};
use crate::error::{Error, Result};
use crate::memory::{Access, Entity, Memory};
use crate::paths::Paths;
use crate::store::Store;
use crate::tools::mcp::{self, McpServers};
use crate::tools::memory::MemoryHandle;
use crate::tools::send_message::MessagingHandle;
use crate::tools::{self, ToolContext};

/// Model calls per run: a model that keeps asking for tools is stopped here.
pub const MAX_ROUNDS: u32 = 8;
/// Tokens of memory context added to a prompt at most: about one run
/// summary, so recalled memories cannot crowd out the request of a small model.
pub const MEMORY_BUDGET_TOKENS: usize = 160;
/// Tool calls one model answer may ask for: each runs to its own limit, so
/// the count bounds a round's work (and a model looping on a hostile page).
pub const MAX_TOOL_CALLS_PER_ROUND: usize = 32;
/// Memories fetched for the context when `[memory].max_results` is unset.
const DEFAULT_MEMORY_RESULTS: usize = 5;
/// The workspace every agent belongs to: `scope = "workspace"` memory is
/// shared by all agents of this server.
pub const WORKSPACE: &str = "default";
/// A tool result longer than this is cut before it goes back to the model,
/// so one big CSV cannot fill the context window.
const MAX_TOOL_RESULT_CHARS: usize = 16_000;
/// Tokens the answer written from tool results may take when the agent's
/// `[llm] answer_max_tokens` is unset: enough for the facts, short enough
/// that a tiny model stops before it wanders off them.
pub const DEFAULT_ANSWER_TOKENS: u32 = 200;

/// Everything a run needs besides the agent and its input. Built once (per
/// CLI command, per daemon) and shared: providers and the embedding model
/// are loaded once and reused by later runs.
pub struct RunContext {
    paths: Paths,
    llm: LlmConfig,
    default_timeout: Duration,
    memory: Arc<Memory>,
    providers: Mutex<HashMap<String, Arc<dyn Provider>>>,
    fixed: Option<Arc<dyn Provider>>,
    /// The MCP servers `mcp:` tools are called on (none configured when
    /// built from parts).
    mcp: Arc<McpServers>,
    /// Kept open between runs: closing SQLite's last connection checkpoints
    /// and syncs the WAL, which alone cost ~20 ms per run. Locked only for
    /// the recording, never while the model thinks.
    store: Mutex<Option<Store>>,
}

impl RunContext {
    /// A context sharing `cx`'s MCP servers and memory service; providers
    /// are built on first use.
    pub fn new(cx: &Caxton) -> RunContext {
        RunContext {
            mcp: cx.mcp().clone(),
            memory: cx.memory().clone(),
            ..RunContext::from_parts(
                cx.paths().clone(),
                cx.config().llm.clone(),
                cx.config().runtime.agent_timeout,
            )
        }
    }

    /// API keys come from the process environment; memory has the
    /// default `[memory]` settings.
    pub fn from_parts(paths: Paths, llm: LlmConfig, default_timeout: Duration) -> RunContext {
        RunContext {
            memory: Arc::new(Memory::embedded(&paths, &MemoryConfig::default())),
            paths,
            llm,
            default_timeout,
            providers: Mutex::new(HashMap::new()),
            fixed: None,
            mcp: Arc::new(McpServers::new(BTreeMap::new())),
            store: Mutex::new(None),
        }
    }

    /// Answer every run with `provider` instead of the configured one
    /// (embedding Caxton with a custom provider; the run benchmark).
    pub fn with_provider(mut self, provider: Arc<dyn Provider>) -> RunContext {
        self.fixed = Some(provider);
        self
    }

    /// The provider settings an agent resolves to (for `diagnose`).
    pub fn resolve(&self, agent: &AgentSpec) -> Resolved {
        select::resolve(&self.llm, agent.llm.as_ref(), &|k| std::env::var(k).ok())
    }

    /// Run `f` on the shared store connection, opening it on first use.
    fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        let mut guard = self.store.lock().unwrap_or_else(|p| p.into_inner());
        let store = match guard.as_mut() {
            Some(s) => s,
            None => guard.insert(Store::open(&self.paths.db())?),
        };
        f(store)
    }

    fn provider(&self, r: &Resolved) -> std::result::Result<Arc<dyn Provider>, LlmError> {
        if let Some(p) = &self.fixed {
            return Ok(p.clone());
        }
        let key = r.cache_key();
        let mut cache = self.providers.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = cache.get(&key) {
            return Ok(p.clone());
        }
        let p = select::build(r, &self.paths.models_dir)?;
        cache.insert(key, p.clone());
        Ok(p)
    }
}

/// One request to an agent.
#[derive(Debug, Clone, Default)]
pub struct RunInput {
    /// The request: text, or a JSON object whose keys become template
    /// variables (`{{request}}` is then the JSON text).
    pub request: Value,
    /// Who asked (`{{sender}}`); `cli` when unset.
    pub sender: Option<String>,
    /// The capability the request was routed by (`{{capability}}`); the
    /// agent's first capability when unset.
    pub capability: Option<String>,
    /// Earlier turns of the conversation, as text (`{{conversation_history}}`).
    pub conversation_history: Option<String>,
    /// Overall limit for the run; else `[conversation].timeout`, else the
    /// server's `runtime.agent_timeout`.
    pub timeout: Option<Duration>,
    /// The file the agent was read from when it is not deployed (`test-local`).
    pub source_file: Option<PathBuf>,
    /// How the `send_message` tool reaches the other agents; without it the
    /// tool refuses (the run then has nobody to ask).
    pub messaging: Option<MessagingHandle>,
    /// Set by the caller to stop the run (an MCP client cancelled): checked
    /// before and after each model call and before each tool call; the run
    /// is then recorded as `cancelled`.
    pub stop: Option<Arc<std::sync::atomic::AtomicBool>>,
}

/// What a run reports while it unfolds, so a caller can show it as it
/// happens (the terminal, the dashboard's "Try it") rather than at the end.
#[derive(Debug, Clone, Copy)]
pub enum RunEvent<'a> {
    /// Assistant text as it streams in.
    Text(&'a str),
    /// The model asked for a tool; it is about to run.
    ToolCall {
        /// The model call (1-based) that asked for it.
        round: u32,
        /// The tool's name as the model gave it.
        name: &'a str,
    },
    /// A tool call finished (or was denied), as the run record keeps it.
    ToolResult(&'a ToolCallRecord),
}

/// Run `agent` once on `input`, reporting its progress to `on_event`. A run
/// that reached the provider stage is recorded and returned even when it
/// failed (`record.error`); `Err` means it could not start (store
/// unavailable, prompt template broken).
pub fn run(
    ctx: &RunContext,
    agent: &AgentSpec,
    input: RunInput,
    on_event: &mut dyn FnMut(RunEvent<'_>),
) -> Result<RunRecord> {
    let started = Instant::now();
    let started_ms = now_ms();
    let id = agent.id();
    let span = crate::trace::span!(
        "agent.execute",
        agent = %id,
        kind = "config",
        otel.status_code = tracing::field::Empty,
        otel.status_description = tracing::field::Empty,
    );
    let _entered = span.enter();
    let timeout = input
        .timeout
        .or_else(|| conversation_timeout(agent))
        .unwrap_or(ctx.default_timeout);
    let deadline = started + timeout;
    let workspace = ctx.paths.workspace(&id);
    std::fs::create_dir_all(&workspace).map_err(|e| Error::io("create", &workspace, e))?;
    let memory_settings = agent.memory.as_ref().filter(|m| m.enabled);
    let access = Access {
        agent: Some(id.clone()),
        workspace: Some(WORKSPACE.into()),
        write_scope: memory_settings
            .and_then(|m| m.scope)
            .unwrap_or(MemoryScope::Agent),
    };
    let request_text = match &input.request {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let resolved = ctx.resolve(agent);
    let provider = ctx.provider(&resolved);
    // The model gets ready (loads) while the memory context and the
    // grounding below are worked out.
    let mut preparing = provider.as_ref().ok().and_then(|p| p.prepare());
    let mem = match memory_settings {
        Some(m) => Some(memory::context(
            &ctx.memory,
            &access,
            &request_text,
            m.max_results.map_or(DEFAULT_MEMORY_RESULTS, |n| n as usize),
            Some(
                m.semantic_threshold
                    .map_or(ctx.memory.semantic_threshold(), |t| t as f32),
            ),
            MEMORY_BUDGET_TOKENS,
        )?),
        None => None,
    };
    let (system, user) = prompts(agent, &input, &request_text, mem.as_ref())?;

    let mut rec = RunRecord {
        id: 0,
        agent: id.clone(),
        version: agent.version_or_default().to_string(),
        source_file: input.source_file.clone(),
        status: "ok",
        started_at: humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
        provider: resolved.provider.clone(),
        model: resolved.model.clone().unwrap_or_default(),
        notice: None,
        input: input.request.clone(),
        output: String::new(),
        rounds: 0,
        tool_calls: Vec::new(),
        usage: Usage::default(),
        timings: Timings::default(),
        memory: mem,
        error: None,
        conversation_id: None,
        message_id: None,
        started_ms,
    };
    let mut model_time = Duration::ZERO;
    let mut tools_time = Duration::ZERO;
    match provider {
        Err(e) => rec.error = Some(e.into()),
        Ok(provider) => {
            rec.provider = provider.name().to_string();
            rec.notice = provider.notice().map(str::to_string);
            if rec.model.is_empty() {
                rec.model = provider.default_model().to_string();
            }
            let mut offered = Offered::new(agent, &ctx.mcp);
            let by_wire = &offered.by_wire;
            let files = grounding::Files::scan(&workspace);
            let peers = grounding::Peers::new(
                input
                    .messaging
                    .as_ref()
                    .map(|m| m.via.peers())
                    .unwrap_or_default(),
                &agent.requires,
            );
            let grounded = grounding::ground(
                &mut offered.specs,
                &|wire| {
                    let real = by_wire.get(wire)?;
                    let tool = tools::find(real).ok()?;
                    Some((tool.grounded_args(), agent.tool_config.get(real).cloned()))
                },
                &files,
                &peers,
                &request_text,
            );
            let mut system = system;
            if let Some(note) = &grounded.note {
                system.push_str("\n\n");
                system.push_str(note);
            }
            let answer_cap = agent
                .llm
                .as_ref()
                .and_then(|l| l.answer_max_tokens)
                .unwrap_or(DEFAULT_ANSWER_TOKENS);
            let tool_ctx = ToolContext {
                read_root: Some(workspace.clone()),
                workspace: workspace.clone(),
                config: Map::new(),
                memory: Some(MemoryHandle(Arc::new(AgentMemory {
                    memory: ctx.memory.clone(),
                    access: access.clone(),
                }))),
                messaging: input.messaging.clone().map(|m| MessagingHandle {
                    deadline: Some(deadline),
                    ..m
                }),
            };
            let mut messages = vec![
                Message::new(Role::System, system),
                Message::new(Role::User, user),
            ];
            let stopped = || {
                input
                    .stop
                    .as_ref()
                    .is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed))
            };
            for round in 1..=MAX_ROUNDS {
                if stopped() {
                    rec.error = Some(cancelled(&rec.provider, &id, round - 1));
                    break;
                }
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    rec.error = Some(out_of_time(&rec.provider, &id, timeout, round - 1));
                    break;
                }
                // After tool results the model writes the answer: short,
                // from the results. So does a first call offered no tool.
                let after_tools = messages.iter().any(|m| m.role == Role::Tool);
                let (tools, tool_choice) = if after_tools {
                    (offered.specs.clone(), ToolChoice::Auto)
                } else {
                    grounded.first_round(&offered.specs)
                };
                let answering = after_tools || tools.is_empty();
                // The answer opens with the runtime's own statement (streamed
                // first) where it has one: a request that names only missing
                // files is offered no tools and says so; a provider that can
                // go on from a given start gets the facts of the tool results
                // (`present::digest`) as its answer's start. The model adds
                // the rest.
                let continues = provider.continues_answers();
                let mut stated_all = false;
                let mut opening = if round == 1 && tools.is_empty() {
                    stated_all = true;
                    grounded.not_found.clone()
                } else if after_tools && continues {
                    let last: Vec<&ToolCallRecord> = rec
                        .tool_calls
                        .iter()
                        .filter(|c| c.round + 1 == round)
                        .collect();
                    let facts: Vec<String> = last
                        .iter()
                        .filter_map(|c| present::digest(&c.name, c.result.as_ref()?))
                        .collect();
                    stated_all = facts.len() == last.len();
                    (!facts.is_empty()).then(|| facts.join(" "))
                } else {
                    None
                };
                // Where the statement covers all the model would answer from
                // (a missing file; every tool result digested), a model that
                // only continues it adds nothing true: the tiny local one
                // repeated the prompt's note ("Tell the user that...") or
                // made up where the data came from. The statement is then
                // the answer.
                if continues
                    && stated_all
                    && let Some(stated) = opening.take()
                {
                    on_event(RunEvent::Text(&stated));
                    rec.output = stated;
                    break;
                }
                let mut conversation = messages.clone();
                if let Some(stated) = &opening {
                    on_event(RunEvent::Text(stated));
                    on_event(RunEvent::Text(" "));
                    if continues {
                        conversation.push(Message::new(Role::Assistant, stated.clone()));
                    }
                }
                let max_tokens = if answering {
                    Some(
                        resolved
                            .max_tokens
                            .map_or(answer_cap, |m| m.min(answer_cap)),
                    )
                } else {
                    Some(resolved.max_tokens.unwrap_or(DEFAULT_REPLY_TOKENS))
                };
                let request = ChatRequest {
                    model: resolved.model.clone(),
                    messages: conversation,
                    tools,
                    tool_choice,
                    temperature: resolved.temperature,
                    max_tokens,
                    seed: None,
                    timeout: left,
                };
                let t = Instant::now();
                let llm = crate::trace::span!(
                    "llm.call",
                    gen_ai.system = %rec.provider,
                    gen_ai.request.model = %rec.model,
                    round = i64::from(round),
                    gen_ai.usage.input_tokens = tracing::field::Empty,
                    gen_ai.usage.output_tokens = tracing::field::Empty,
                    otel.status_code = tracing::field::Empty,
                    otel.status_description = tracing::field::Empty,
                );
                let answer =
                    llm.in_scope(|| provider.chat(&request, &mut |t| on_event(RunEvent::Text(t))));
                match &answer {
                    Ok(a) => {
                        // i64: other integers would be exported as strings.
                        let tokens = |n: u32| i64::from(n);
                        llm.record("gen_ai.usage.input_tokens", tokens(a.usage.prompt_tokens));
                        llm.record(
                            "gen_ai.usage.output_tokens",
                            tokens(a.usage.completion_tokens),
                        );
                    }
                    Err(e) => crate::trace::fail(&llm, &e.to_string()),
                }
                drop(llm);
                let end = Instant::now();
                model_time += match preparing.take() {
                    Some(p) => p.model_time(t, end),
                    None => end - t,
                };
                rec.rounds = round;
                // An answer that came after the caller stopped waiting is
                // not used: no tool of it runs.
                if stopped() {
                    rec.error = Some(cancelled(&rec.provider, &id, round));
                    break;
                }
                let answer = match answer {
                    Ok(a) => a,
                    Err(e) => {
                        rec.error = Some(e.into());
                        break;
                    }
                };
                rec.usage.prompt_tokens += answer.usage.prompt_tokens;
                rec.usage.completion_tokens += answer.usage.completion_tokens;
                if !answer.model.is_empty() {
                    rec.model = answer.model.clone();
                }
                let calls = answer.message.tool_calls.clone();
                rec.output = if answering && answer.finish_reason == FinishReason::Length {
                    present::cut_at_sentence(&answer.message.content)
                } else {
                    answer.message.content.clone()
                };
                if let Some(stated) = opening.take() {
                    rec.output = format!("{stated} {}", rec.output.trim_start())
                        .trim_end()
                        .to_string();
                }
                if calls.is_empty() {
                    break;
                }
                if round == MAX_ROUNDS {
                    rec.error = Some(RunError {
                        kind: LlmErrorKind::BadResponse,
                        provider: rec.provider.clone(),
                        message: format!(
                            "the model still asked for tools after {MAX_ROUNDS} rounds; the run was stopped"
                        ),
                    });
                    break;
                }
                if calls.len() > MAX_TOOL_CALLS_PER_ROUND {
                    rec.error = Some(RunError {
                        kind: LlmErrorKind::BadResponse,
                        provider: rec.provider.clone(),
                        message: format!(
                            "the model asked for {} tool calls in round {round}, more than the {MAX_TOOL_CALLS_PER_ROUND} a round may make; the run was stopped",
                            calls.len()
                        ),
                    });
                    break;
                }
                messages.push(answer.message);
                for call in &calls {
                    // Tools are bounded one by one; the run's deadline holds
                    // across them.
                    if Instant::now() > deadline {
                        rec.error = Some(out_of_time(&rec.provider, &id, timeout, round));
                        break;
                    }
                    if stopped() {
                        rec.error = Some(cancelled(&rec.provider, &id, round));
                        break;
                    }
                    on_event(RunEvent::ToolCall {
                        round,
                        name: &call.name,
                    });
                    let t = Instant::now();
                    let tool = crate::trace::span!(
                        "tool.call",
                        tool = %call.name,
                        outcome = tracing::field::Empty,
                        otel.status_code = tracing::field::Empty,
                        otel.status_description = tracing::field::Empty,
                    );
                    let (record, reply) = tool
                        .in_scope(|| dispatch(agent, &offered, &ctx.mcp, &tool_ctx, call, round));
                    tool.record("outcome", record.outcome.as_str());
                    if let Some(e) = &record.error {
                        crate::trace::fail(&tool, e);
                    }
                    drop(tool);
                    tools_time += t.elapsed();
                    on_event(RunEvent::ToolResult(&record));
                    messages.push(Message::tool_result(&call.id, reply));
                    rec.tool_calls.push(record);
                }
                if rec.error.is_some() {
                    break;
                }
            }
        }
    }
    if let Some(e) = &rec.error {
        rec.status = match e.kind {
            LlmErrorKind::Cancelled => "cancelled",
            _ => "error",
        };
        crate::trace::fail(&span, &e.message);
    }
    if let Some(m) = &input.messaging {
        (rec.conversation_id, rec.message_id) = m.via.conversation();
    }
    let total = started.elapsed();
    rec.timings = Timings {
        total_ms: ms(total),
        model_ms: ms(model_time),
        tools_ms: ms(tools_time),
        overhead_ms: ms(total.saturating_sub(model_time + tools_time)),
    };
    // A successful run with memory on is remembered on the agent's own
    // entity, in the transaction that stores the record (when memory is the
    // embedded store), which says when the summary could not be stored
    // (memory full).
    let remember = memory_settings.is_some() && rec.error.is_none();
    let stored = ctx.with_store(|store| {
        if !remember {
            return records::insert(store, &rec);
        }
        let summary = Entity {
            name: id.clone(),
            entity_type: "agent".into(),
            observations: vec![rec.memory_summary()],
        };
        let path = store.path().to_path_buf();
        ctx.memory
            .remember_then(&access, &summary, store, |tx, failed| {
                if let Some(e) = failed
                    && let Some(m) = rec.memory.as_mut()
                {
                    m.not_remembered = Some(match e.hint() {
                        Some(hint) => format!("{e} ({hint})"),
                        None => e.to_string(),
                    });
                }
                records::insert_in(tx, &path, &rec)
            })
    })?;
    rec.id = stored;
    // Recall checks keyword hits without a vector against the similarity
    // threshold by embedding them: embedded once here, not on every run.
    if memory_settings.is_some() || agent.tools.iter().any(|t| t == "memory_store") {
        ctx.memory.embed_written();
    }
    Ok(rec)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn cancelled(provider: &str, agent: &str, rounds: u32) -> RunError {
    RunError {
        kind: LlmErrorKind::Cancelled,
        provider: provider.to_string(),
        message: format!(
            "the run of agent `{agent}` was cancelled by its caller after {rounds} model call(s)"
        ),
    }
}

fn out_of_time(provider: &str, agent: &str, timeout: Duration, rounds: u32) -> RunError {
    RunError {
        kind: LlmErrorKind::Timeout,
        provider: provider.to_string(),
        message: format!(
            "the run of agent `{agent}` used up its {} timeout after {rounds} round(s)",
            crate::human::duration(timeout)
        ),
    }
}

/// `[conversation].timeout` ("30s", or plain seconds).
fn conversation_timeout(agent: &AgentSpec) -> Option<Duration> {
    let t = agent.conversation.as_ref()?.timeout.as_deref()?;
    crate::human::parse_duration(t).ok()
}

/// The rendered system and user prompts: the agent's `[parameters]`, the
/// request's keys, and the variables documented on [`RunInput`]. When memory
/// is on but neither template uses `{{context}}`, the memories are appended
/// to the system prompt so they still reach the model.
fn prompts(
    agent: &AgentSpec,
    input: &RunInput,
    request_text: &str,
    mem: Option<&memory::Context>,
) -> Result<(String, String)> {
    let mut vars: Map<String, Value> = agent.parameters.clone();
    if let Value::Object(m) = &input.request {
        vars.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let context = mem.map(|m| m.text.clone()).unwrap_or_default();
    let history = input.conversation_history.clone().unwrap_or_default();
    let context_var = match (context.is_empty(), history.is_empty()) {
        (_, true) => context.clone(),
        (true, false) => history.clone(),
        (false, false) => format!("{context}\n{history}"),
    };
    vars.insert("request".into(), json!(request_text));
    vars.insert("context".into(), json!(context_var));
    vars.insert("conversation_history".into(), json!(history));
    vars.insert(
        "sender".into(),
        json!(input.sender.as_deref().unwrap_or("cli")),
    );
    vars.insert(
        "capability".into(),
        json!(
            input
                .capability
                .clone()
                .or_else(|| agent.capabilities.first().cloned())
                .unwrap_or_default()
        ),
    );
    vars.insert(
        "timestamp".into(),
        json!(humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()),
    );
    let vars = Value::Object(vars);
    let render = |which: &str, text: &str| {
        template::render(text, &vars).map_err(|e| Error::Usage {
            message: format!("cannot render the {which} of agent `{}`: {e}", agent.id()),
            hint: "run `caxton agents validate FILE` to see the template problem in context".into(),
        })
    };
    let mut system = render("system prompt", &agent.system_prompt)?;
    let user = render("user prompt template", agent.user_prompt_template())?;
    let uses_context =
        agent.system_prompt.contains("context") || agent.user_prompt_template().contains("context");
    if !uses_context && !context.is_empty() {
        system.push_str("\n\nRelevant memories:\n");
        system.push_str(&context);
    }
    Ok((system, user))
}

/// The tools offered to the model. Wire names must match
/// `^[a-zA-Z0-9_-]+$` for both APIs, so `mcp:server/tool` travels as
/// `mcp__server__tool` and is mapped back here.
struct Offered {
    specs: Vec<ToolSpec>,
    by_wire: BTreeMap<String, String>,
}

impl Offered {
    fn new(agent: &AgentSpec, mcp: &McpServers) -> Offered {
        let mut specs = Vec::new();
        let mut by_wire = BTreeMap::new();
        for name in &agent.tools {
            let spec = if let Some((server, tool)) = mcp::parse_name(name) {
                mcp_spec(mcp, name, server, tool)
            } else {
                match tools::find(name) {
                    Ok(t) => ToolSpec {
                        name: name.clone(),
                        description: t.description().to_string(),
                        parameters: t.parameters(),
                    },
                    // Validation rejects unknown names; a file that slipped
                    // through offers nothing for them.
                    Err(_) => continue,
                }
            };
            let wire = wire_name(name);
            by_wire.insert(wire.clone(), name.clone());
            specs.push(ToolSpec { name: wire, ..spec });
        }
        Offered { specs, by_wire }
    }

    /// The listed tool a model's call names (wire name or real name).
    fn allowed(&self, agent: &AgentSpec, called: &str) -> Option<String> {
        self.by_wire
            .get(called)
            .cloned()
            .or_else(|| agent.tools.iter().find(|t| *t == called).cloned())
    }
}

fn wire_name(name: &str) -> String {
    name.replace([':', '/'], "__")
}

/// An `mcp:` tool as its server describes it. A server that cannot be
/// listed right now still gets the tool offered with an open schema: the call
/// then fails with the server's error, which the model and the run record see.
fn mcp_spec(mcp: &McpServers, name: &str, server: &str, tool: &str) -> ToolSpec {
    let listed = mcp
        .tools(server)
        .ok()
        .and_then(|tools| tools.into_iter().find(|t| t.name == tool));
    match listed {
        Some(t) => ToolSpec {
            name: name.to_string(),
            description: t.description,
            parameters: t.input_schema,
        },
        None => ToolSpec {
            name: name.to_string(),
            description: format!("External tool {name} (MCP server)"),
            parameters: json!({"type": "object"}),
        },
    }
}

/// Run one tool call (or refuse it). Returns the audit record and the text
/// the model gets back.
fn dispatch(
    agent: &AgentSpec,
    offered: &Offered,
    mcp: &McpServers,
    base: &ToolContext,
    call: &ToolCall,
    round: u32,
) -> (ToolCallRecord, String) {
    let started = Instant::now();
    let parsed: std::result::Result<Value, _> = serde_json::from_str(&call.arguments);
    let mut rec = ToolCallRecord {
        id: call.id.clone(),
        name: call.name.clone(),
        arguments: parsed
            .as_ref()
            .cloned()
            .unwrap_or_else(|_| Value::String(call.arguments.clone())),
        outcome: CallOutcome::Ok,
        result: None,
        error: None,
        duration_ms: 0.0,
        round,
    };
    let result = match offered.allowed(agent, &call.name) {
        None => {
            rec.outcome = CallOutcome::Denied;
            let allowed = if agent.tools.is_empty() {
                "it may call no tools".to_string()
            } else {
                format!("its tools are: {}", agent.tools.join(", "))
            };
            Err(format!(
                "tool `{}` is not allowed for agent `{}`; {allowed}",
                call.name,
                agent.id()
            ))
        }
        Some(real) => {
            rec.name = real.clone();
            match parsed {
                Err(e) => Err(format!("the arguments are not valid JSON: {e}")),
                Ok(args) => {
                    let out = if let Some((server, tool)) = mcp::parse_name(&real) {
                        mcp.call(server, tool, args)
                    } else {
                        let ctx = ToolContext {
                            config: agent.tool_config.get(&real).cloned().unwrap_or_default(),
                            ..base.clone()
                        };
                        tools::find(&real).and_then(|t| tools::invoke(t, &ctx, args))
                    };
                    out.map_err(|e| e.to_string())
                }
            }
        }
    };
    rec.duration_ms = ms(started.elapsed());
    let reply = match result {
        Ok(v) => {
            // The model gets a compact summary; the record keeps the full
            // result, so `--json` shows what the answer rests on.
            let text = present::for_model(&rec.name, &v);
            rec.result = Some(v);
            truncate(text)
        }
        Err(e) => {
            if rec.outcome == CallOutcome::Ok {
                rec.outcome = CallOutcome::Error;
            }
            let reply = json!({"error": e}).to_string();
            rec.error = Some(e);
            reply
        }
    };
    (rec, reply)
}

fn truncate(text: String) -> String {
    if text.chars().count() <= MAX_TOOL_RESULT_CHARS {
        return text;
    }
    let cut: String = text.chars().take(MAX_TOOL_RESULT_CHARS).collect();
    format!(
        "{cut}… [truncated: the result has {} characters]",
        text.chars().count()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_are_api_safe_and_map_back() {
        assert_eq!(wire_name("mcp:everything/echo"), "mcp__everything__echo");
        assert_eq!(wire_name("csv_parser"), "csv_parser");
    }

    #[test]
    fn long_tool_results_are_cut_for_the_model() {
        let t = truncate("x".repeat(MAX_TOOL_RESULT_CHARS + 10));
        assert!(t.ends_with("characters]"));
        assert!(t.chars().count() < MAX_TOOL_RESULT_CHARS + 100);
    }
}
