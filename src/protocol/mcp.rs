//! Caxton as an MCP *server* (issue 19): the knowledge-graph memory under
//! the reference memory server's tool names and JSON shapes
//! (`@modelcontextprotocol/server-memory`), so a client configured for that
//! server works by changing only the command. Built on the official Rust SDK
//! (`rmcp`); the transports (stdio here, Streamable HTTP in the daemon) are
//! the SDK's.
//!
//! Errors follow the MCP spec: an unknown tool or arguments of the wrong
//! shape are JSON-RPC errors (-32602 invalid params), while a call that was
//! well formed but failed (an unknown entity, a full memory) is a tool
//! result with `isError: true`, as the reference server answers. Every
//! memory write is one transaction, so a client that disconnects mid-call
//! leaves either the whole write or nothing.

use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ClientJsonRpcMessage, ContentBlock,
    Implementation, JsonObject, JsonRpcError, ListResourceTemplatesResult, ListResourcesResult,
    ListToolsResult, PaginatedRequestParams, ProgressNotificationParam, ReadResourceRequestParams,
    ReadResourceResponse, ReadResourceResult, Resource, ResourceContents, ResourceTemplate,
    ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::{NotificationContext, RequestContext};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::memory::graph::{ObservationAdd, ObservationDelete};
use crate::memory::{Access, Entity, Memory, Relation};
use crate::messaging::{AgentKind, NewMessage, OnEvent, SendReport, Watch};
use crate::protocol::agents::{AgentEntry, Gateway};
use crate::protocol::resources;
use crate::runtime::run::RunEvent;

/// Entities `search_nodes` returns, best first. The reference server returns
/// every substring match; a ranked search returns the best ones.
pub const SEARCH_NODES_LIMIT: usize = 10;

/// Largest JSON-RPC message read from stdin. Longer lines are discarded by
/// the SDK's transport (the connection stays usable), so a client cannot
/// make the server buffer without bound.
pub const MAX_MESSAGE_BYTES: usize = 8 * 1024 * 1024;

/// How long an `ask_` or `send_message` call waits for the agent's reply.
pub const AGENT_REPLY_WAIT: Duration = Duration::from_secs(120);

/// How often a session looks for deployed, changed or removed agents.
const AGENT_POLL: Duration = Duration::from_secs(1);

/// Streamed answer text is reported at most this often (tool calls and
/// their results always are).
const TEXT_PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Progress steps waiting to be sent to the client.
const PROGRESS_QUEUE: usize = 64;

/// How often a call in flight checks that its session still has a client
/// (a closed stdin, an ended HTTP session) so a run nobody waits for stops.
const SESSION_CHECK: Duration = Duration::from_millis(500);

/// The reference server's tool list, verbatim (names, titles, input and
/// output schemas, annotations) except `search_nodes`'s description, which
/// says how Caxton matches. Taken from `tools/list` of
/// @modelcontextprotocol/server-memory 2026.8.31.
static MEMORY_TOOLS: LazyLock<Vec<Tool>> = LazyLock::new(|| {
    serde_json::from_str(include_str!("memory_tools.json"))
        .expect("memory_tools.json is a valid MCP tool list (checked by a unit test)")
});

/// Who a call acts as, from the HTTP request that carried it (the daemon
/// reads `?scope=&agent=&workspace=`, as its REST API does).
pub type AccessOf = Arc<dyn Fn(&axum::http::request::Parts) -> Result<Access> + Send + Sync>;

#[derive(Clone)]
enum Who {
    /// stdio: chosen once, by `caxton mcp serve`'s options.
    Fixed(Access),
    /// Streamable HTTP: per request.
    PerRequest(AccessOf),
}

/// One MCP session's view of Caxton: the memory as the caller may see it.
#[derive(Clone)]
pub struct McpServer {
    memory: Arc<Memory>,
    who: Who,
    /// The deployed agents as `ask_<agent-id>` tools and `send_message`.
    agents: Option<Arc<dyn Gateway>>,
}

impl McpServer {
    /// A server whose tools read and write what `access` sees.
    pub fn new(memory: Arc<Memory>, access: Access) -> McpServer {
        McpServer {
            memory,
            who: Who::Fixed(access),
            agents: None,
        }
    }

    /// A server whose caller is decided per HTTP request by `access_of`.
    pub fn per_request(memory: Arc<Memory>, access_of: AccessOf) -> McpServer {
        McpServer {
            memory,
            who: Who::PerRequest(access_of),
            agents: None,
        }
    }

    /// Also offer the agents `gateway` reaches as tools.
    pub fn with_agents(mut self, gateway: Arc<dyn Gateway>) -> McpServer {
        self.agents = Some(gateway);
        self
    }

    /// Every tool: the memory's, then `send_message` and one `ask_<id>` per
    /// deployed agent.
    fn tools(&self) -> Result<Vec<Tool>> {
        let mut tools = MEMORY_TOOLS.clone();
        if let Some(gw) = &self.agents {
            tools.extend(agent_tools(&gw.agents()?));
        }
        Ok(tools)
    }

    /// Ask an agent (`ask_<id>`) or a capability (`send_message`) and wait
    /// for the reply, `watch` following the run; `None` when `name` is no
    /// agent tool.
    fn call_agent(
        &self,
        name: &str,
        args: &JsonObject,
        watch: Watch,
    ) -> Option<Result<CallOutcome, ErrorData>> {
        let gw = self.agents.as_ref()?;
        let agents = match gw.agents() {
            Ok(a) => a,
            Err(e) => return Some(Ok(Err(e))),
        };
        let new = if name == "send_message" {
            let m: SendArgs = match parse(name, args.clone()) {
                Ok(m) => m,
                Err(e) => return Some(Err(e)),
            };
            NewMessage {
                performative: "request".into(),
                capability: Some(m.capability),
                content: m.content,
                conversation_id: m.conversation_id,
                ..Default::default()
            }
        } else {
            let agent = agents.iter().find(|a| tool_name(&a.id) == name)?;
            let Some(content) = agent.content(args) else {
                return Some(Err(ErrorData::invalid_params(
                    format!("{name}: arguments must match {}", agent.input_schema()),
                    Some(json!({ "tool": name })),
                )));
            };
            NewMessage {
                performative: "request".into(),
                receiver: Some(agent.id.clone()),
                content,
                ..Default::default()
            }
        };
        let new = NewMessage {
            sender: Some("mcp".into()),
            ..new
        };
        Some(Ok(gw
            .send(new, AGENT_REPLY_WAIT, Some(watch))
            .map(|r| Structured::Reply(Box::new(r)))))
    }

    /// The agents' gateway, which the resources need; a server without one
    /// does not advertise resources, so a call is method-not-found.
    fn gateway(&self) -> Result<Arc<dyn Gateway>, ErrorData> {
        self.agents.clone().ok_or_else(|| {
            ErrorData::new(
                rmcp::model::ErrorCode::METHOD_NOT_FOUND,
                "this server offers no resources",
                None,
            )
        })
    }

    fn access(&self, context: &RequestContext<RoleServer>) -> Result<Access, ErrorData> {
        match &self.who {
            Who::Fixed(a) => Ok(a.clone()),
            Who::PerRequest(of) => {
                let parts = context
                    .extensions
                    .get::<axum::http::request::Parts>()
                    .ok_or_else(|| {
                        ErrorData::internal_error("no HTTP request for this call", None)
                    })?;
                of(parts).map_err(|e| {
                    ErrorData::invalid_params(
                        format!("{e}"),
                        e.hint().map(|hint| json!({ "hint": hint })),
                    )
                })
            }
        }
    }

    /// Serve one client over stdin/stdout until it closes stdin.
    pub fn serve_stdio(self) -> Result<()> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| Error::io("start", std::path::Path::new("the MCP runtime"), e))?;
        rt.block_on(async move {
            let (stdin, stdout) = rmcp::transport::stdio();
            let transport = rmcp::transport::async_rw::AsyncRwTransport::new_server(stdin, stdout)
                .with_max_line_length(MAX_MESSAGE_BYTES);
            let running = self.serve(transport).await.map_err(|e| Error::Usage {
                message: format!("MCP session did not start: {e}"),
                hint: "the client must begin with an `initialize` request on stdin".into(),
            })?;
            // The session ends when the client closes stdin; a task that
            // failed is reported, not hidden.
            running.waiting().await.map_err(|e| Error::Usage {
                message: format!("MCP session failed: {e}"),
                hint: "see the log on stderr".into(),
            })?;
            Ok(())
        })
    }

    /// Run one tool (an agent's run followed by `watch`); `Ok(Err(..))` is
    /// a well-formed call that failed.
    fn call(
        &self,
        a: &Access,
        name: &str,
        args: JsonObject,
        watch: Watch,
    ) -> Result<CallOutcome, ErrorData> {
        let m = &self.memory;
        Ok(match name {
            "create_entities" => {
                let c: EntitiesArgs = parse(name, args)?;
                self.wrote(m.create_entities(a, &c.entities))
                    .map(|created| Structured::Listed("entities", json!(created)))
            }
            "create_relations" => {
                let r: RelationsArgs = parse(name, args)?;
                self.wrote(m.create_relations(a, &r.relations))
                    .map(|created| Structured::Listed("relations", json!(created)))
            }
            "add_observations" => {
                let o: ObservationsArgs = parse(name, args)?;
                self.wrote(m.add_observations(a, &o.observations))
                    .map(|added| Structured::Listed("results", json!(added)))
            }
            "delete_entities" => {
                let d: DeleteEntitiesArgs = parse(name, args)?;
                self.wrote(m.delete_entities(a, &d.entity_names))
                    .map(|_| Structured::Done("Entities deleted successfully"))
            }
            "delete_observations" => {
                let d: DeleteObservationsArgs = parse(name, args)?;
                self.wrote(m.delete_observations(a, &d.deletions))
                    .map(|_| Structured::Done("Observations deleted successfully"))
            }
            "delete_relations" => {
                let d: RelationsArgs = parse(name, args)?;
                self.wrote(m.delete_relations(a, &d.relations))
                    .map(|_| Structured::Done("Relations deleted successfully"))
            }
            "read_graph" => {
                let _: NoArgs = parse(name, args)?;
                m.read_graph(a).map(Structured::graph)
            }
            "search_nodes" => {
                let s: SearchArgs = parse(name, args)?;
                m.search_graph(a, &s.query, SEARCH_NODES_LIMIT)
                    .map(Structured::graph)
            }
            "open_nodes" => {
                let o: OpenArgs = parse(name, args)?;
                m.open_nodes(a, &o.names).map(Structured::graph)
            }
            other => {
                if let Some(outcome) = self.call_agent(other, &args, watch) {
                    return outcome;
                }
                let known: Vec<String> = self
                    .tools()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|t| t.name.to_string())
                    .collect();
                return Err(ErrorData::invalid_params(
                    format!("unknown tool `{other}`"),
                    Some(json!({ "tools": known })),
                ));
            }
        })
    }

    /// After a write commits, have what it added embedded in the background
    /// and answer at once: the write is acknowledged when it commits, and
    /// `search_nodes` finds it by keyword now and by meaning once embedded.
    /// Without a model the rows stay pending, as in `caxton memory
    /// create-entities`. Writes with nothing to embed (relations, deletes)
    /// are told too: the embedder waits while writes keep coming.
    fn wrote<T>(&self, written: Result<T>) -> Result<T> {
        if written.is_ok() {
            self.memory.embed_soon();
        }
        written
    }
}

type CallOutcome = Result<Structured>;

/// A successful memory call, in the reference server's result shape.
enum Structured {
    /// `structuredContent` is `{key: list}`, the text the list pretty-printed.
    Listed(&'static str, Value),
    /// A graph: both the structured content and (pretty-printed) the text.
    Graph(Value),
    /// The delete tools: `{success: true, message}`, the text is the message.
    Done(&'static str),
    /// An agent's answer (or the lack of one).
    Reply(Box<SendReport>),
}

impl Structured {
    fn graph(g: crate::memory::Graph) -> Structured {
        Structured::Graph(json!(g))
    }

    fn into_result(self) -> CallToolResult {
        let (text, value) = match self {
            Structured::Listed(key, list) => {
                let text = serde_json::to_string_pretty(&list).unwrap_or_default();
                (
                    text,
                    Value::Object([(key.to_string(), list)].into_iter().collect()),
                )
            }
            Structured::Graph(v) => (serde_json::to_string_pretty(&v).unwrap_or_default(), v),
            Structured::Done(message) => (
                message.to_string(),
                json!({ "success": true, "message": message }),
            ),
            Structured::Reply(report) => return reply_result(*report),
        };
        let mut r = CallToolResult::success(vec![ContentBlock::text(text)]);
        r.structured_content = Some(value);
        r
    }
}

/// An agent's reply as a tool result: its content as text (and as
/// structured content with the conversation). No reply in time, or a
/// `failure`/`refuse`/`not-understood` reply, is a tool error.
fn reply_result(report: SendReport) -> CallToolResult {
    let conversation = report.conversation_id.clone();
    let Some(reply) = report.reply else {
        let why = report
            .message
            .error
            .clone()
            .unwrap_or_else(|| format!("no reply within {}s", AGENT_REPLY_WAIT.as_secs()));
        return CallToolResult::error(vec![ContentBlock::text(format!(
            "{why} (conversation {conversation}; `caxton conversations show {conversation}`)"
        ))]);
    };
    let text = match &reply.content {
        Value::String(s) => s.clone(),
        v => serde_json::to_string_pretty(v).unwrap_or_default(),
    };
    let failed = reply.performative.is_failure();
    let mut r = if failed {
        CallToolResult::error(vec![ContentBlock::text(text)])
    } else {
        CallToolResult::success(vec![ContentBlock::text(text)])
    };
    r.structured_content = Some(json!({
        "agent": reply.sender,
        "performative": reply.performative,
        "content": reply.content,
        "conversationId": conversation,
    }));
    r
}

/// The steps of an agent's run as progress messages for `tx`: each tool
/// call and result, and the streamed answer at most every
/// [`TEXT_PROGRESS_EVERY`].
fn progress_events(tx: tokio::sync::mpsc::Sender<String>) -> OnEvent {
    // Characters of answer text so far, and when the last report went out.
    let text = Mutex::new((0usize, None::<Instant>));
    Arc::new(move |e: RunEvent<'_>| {
        let message = match e {
            RunEvent::Text(t) => {
                let mut guard = text.lock().unwrap_or_else(PoisonError::into_inner);
                let (chars, last) = &mut *guard;
                *chars += t.chars().count();
                if last.is_some_and(|l| l.elapsed() < TEXT_PROGRESS_EVERY) {
                    return;
                }
                *last = Some(Instant::now());
                format!("writing the answer ({chars} characters so far)")
            }
            RunEvent::ToolCall { round, name } => {
                format!("calling the tool `{name}` (model call {round})")
            }
            RunEvent::ToolResult(r) => format!(
                "the tool `{}` finished: {} ({:.0} ms)",
                r.name,
                r.outcome.as_str(),
                r.duration_ms
            ),
        };
        let _ = tx.try_send(message);
    })
}

/// `ask_<agent-id>`, with characters MCP tool names may not hold as `_`.
fn tool_name(agent_id: &str) -> String {
    let id: String = agent_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("ask_{id}")
}

/// `send_message` (when any agent is deployed) and one `ask_` tool per agent.
fn agent_tools(agents: &[AgentEntry]) -> Vec<Tool> {
    let mut tools = Vec::new();
    if agents.is_empty() {
        return tools;
    }
    let mut capabilities: Vec<&str> = agents
        .iter()
        .flat_map(|a| a.capabilities.iter().map(String::as_str))
        .collect();
    capabilities.sort_unstable();
    capabilities.dedup();
    tools.push(tool(
        "send_message".into(),
        format!(
            "Send a request to whichever agent offers a capability and return its reply. \
             Capabilities: {}",
            capabilities.join(", ")
        ),
        json!({
            "type": "object",
            "properties": {
                "capability": {"type": "string", "enum": capabilities, "description": "The capability to route to"},
                "content": {"description": "The request: text or JSON"},
                "conversationId": {"type": "string", "description": "Continue this conversation"}
            },
            "required": ["capability", "content"]
        }),
    ));
    for a in agents {
        let description = format!(
            "Ask the {} agent `{}`{}. Capabilities: {}",
            match a.kind {
                AgentKind::Config => "config",
                AgentKind::Wasm => "WASM",
            },
            a.id,
            a.description
                .as_deref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default(),
            a.capabilities.join(", ")
        );
        tools.push(tool(tool_name(&a.id), description, a.input_schema()));
    }
    tools
}

fn tool(name: String, description: String, schema: Value) -> Tool {
    let schema = match schema {
        Value::Object(o) => o,
        _ => JsonObject::new(),
    };
    Tool::new(name, description, Arc::new(schema))
}

/// A list of agent tools that changed means `notifications/tools/list_changed`.
fn signature(agents: &[AgentEntry]) -> Vec<(String, Value, Vec<String>)> {
    agents
        .iter()
        .map(|a| (a.id.clone(), a.input_schema(), a.capabilities.clone()))
        .collect()
}

/// A failed call as a tool error the model (or user) can act on.
fn tool_error(e: &Error) -> CallToolResult {
    let text = match e.hint() {
        Some(hint) => format!("{e}\nhint: {hint}"),
        None => e.to_string(),
    };
    CallToolResult::error(vec![ContentBlock::text(text)])
}

/// Arguments of `tool`, or -32602 naming the field that is wrong.
fn parse<T: DeserializeOwned>(tool: &str, args: JsonObject) -> Result<T, ErrorData> {
    serde_path_to_error::deserialize(Value::Object(args)).map_err(|e| {
        let path = e.path().to_string();
        ErrorData::invalid_params(
            format!("{tool}: invalid arguments at `{path}`: {}", e.inner()),
            Some(json!({ "tool": tool, "path": path })),
        )
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntitiesArgs {
    entities: Vec<Entity>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RelationsArgs {
    relations: Vec<Relation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ObservationsArgs {
    observations: Vec<ObservationAdd>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DeleteEntitiesArgs {
    entity_names: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteObservationsArgs {
    deletions: Vec<ObservationDelete>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchArgs {
    query: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenArgs {
    names: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoArgs {}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SendArgs {
    capability: String,
    content: Value,
    conversation_id: Option<String>,
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        let tools = ServerCapabilities::builder().enable_tools();
        let capabilities = match self.agents {
            // Agents come and go with deploys and hot reloads; they and
            // their conversations are the resources.
            Some(_) => tools
                .enable_tool_list_changed()
                .enable_resources()
                .enable_resources_list_changed()
                .build(),
            None => tools.build(),
        };
        ServerConfig::new(capabilities)
            .with_server_info(Implementation::new("caxton", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Caxton's memory: a knowledge graph of entities, observations and relations. \
                 search_nodes matches by meaning and by keyword.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let this = self.clone();
        let tools = tokio::task::spawn_blocking(move || this.tools())
            .await
            .map_err(|e| ErrorData::internal_error(format!("tools/list failed: {e}"), None))?
            .map_err(|e| ErrorData::internal_error(format!("tools/list: {e}"), None))?;
        Ok(ListToolsResult::with_all_items(tools))
    }

    /// Watch the deployed agents for this session and tell the client when
    /// its `ask_` tools change. Stops when the session's transport closes.
    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        let Some(gw) = self.agents.clone() else {
            return;
        };
        let peer = context.peer;
        tokio::spawn(async move {
            let list = |gw: Arc<dyn Gateway>| async move {
                tokio::task::spawn_blocking(move || gw.agents().map(|a| signature(&a)))
                    .await
                    .ok()
                    .and_then(|r| r.ok())
            };
            let mut last = list(gw.clone()).await;
            while !peer.is_transport_closed() {
                tokio::time::sleep(AGENT_POLL).await;
                let now = list(gw.clone()).await;
                if now.is_some() && now != last {
                    last = now;
                    if peer.notify_tool_list_changed().await.is_err()
                        || peer.notify_resource_list_changed().await.is_err()
                    {
                        break;
                    }
                }
            }
        });
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let access = self.access(&context)?;
        let gw = self.gateway()?;
        let listed = tokio::task::spawn_blocking(move || resources::list(&*gw, &access))
            .await
            .map_err(|e| ErrorData::internal_error(format!("resources/list failed: {e}"), None))?
            .map_err(|e| ErrorData::internal_error(format!("resources/list: {e}"), None))?;
        Ok(ListResourcesResult::with_all_items(
            listed
                .into_iter()
                .map(|r| {
                    Resource::new(r.uri, r.name)
                        .with_description(r.description)
                        .with_mime_type(r.mime_type)
                })
                .collect(),
        ))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        self.gateway()?;
        Ok(ListResourceTemplatesResult::with_all_items(vec![
            ResourceTemplate::new(format!("{}{{id}}", resources::AGENT_URI), "agent")
                .with_description(
                    "A deployed agent: a config agent's TOML (application/toml) or a WASM \
                     agent's manifest and module (application/json), secrets masked",
                ),
            ResourceTemplate::new(
                format!("{}{{id}}", resources::CONVERSATION_URI),
                "conversation",
            )
            .with_description(format!(
                "A conversation's messages, the newest {} at most",
                resources::MAX_CONVERSATION_MESSAGES
            ))
            .with_mime_type("application/json"),
        ]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let access = self.access(&context)?;
        let gw = self.gateway()?;
        let uri = request.uri;
        let asked = uri.clone();
        let read = tokio::task::spawn_blocking(move || resources::read(&*gw, &access, &asked))
            .await
            .map_err(|e| ErrorData::internal_error(format!("resources/read failed: {e}"), None))?
            .map_err(|e| ErrorData::internal_error(format!("resources/read: {e}"), None))?;
        let Some(read) = read else {
            return Err(ErrorData::resource_not_found(
                format!("no resource `{uri}`"),
                Some(json!({
                    "uri": uri,
                    "hint": format!(
                        "resources/list names them; agents are {}ID, conversations {}ID",
                        resources::AGENT_URI,
                        resources::CONVERSATION_URI
                    ),
                })),
            ));
        };
        Ok(ReadResourceResult::new(vec![
            ResourceContents::text(read.text, uri).with_mime_type(read.mime_type),
        ])
        .into())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let access = self.access(&context)?;
        let this = self.clone();
        let name = request.name.to_string();
        let args = request.arguments.unwrap_or_default();
        // Progress goes from the delivering thread to this task through a
        // bounded channel; a step that finds it full is not reported.
        let token = context.meta.get_progress_token();
        let (tx, mut steps) = tokio::sync::mpsc::channel(PROGRESS_QUEUE);
        let watch = Watch {
            on_event: token.is_some().then(|| progress_events(tx)),
            ..Watch::default()
        };
        let w = watch.clone();
        // SQLite and the embedding model block; a memory write runs to its
        // end (one transaction) even if the client goes away meanwhile. An
        // agent's run stops when the client cancels the call or its session
        // ends, and is recorded as cancelled.
        let mut call = tokio::task::spawn_blocking(move || this.call(&access, &name, args, w));
        let mut progress = 0u32;
        let mut cancelled = false;
        let mut session = tokio::time::interval(SESSION_CHECK);
        let joined = loop {
            tokio::select! {
                joined = &mut call => break joined,
                Some(message) = steps.recv() => {
                    if let Some(token) = &token {
                        progress += 1;
                        let note = ProgressNotificationParam::new(token.clone(), f64::from(progress))
                            .with_message(message);
                        // A client gone away is noticed by the session check.
                        let _ = context.peer.notify_progress(note).await;
                    }
                }
                () = context.ct.cancelled(), if !cancelled => {
                    cancelled = true;
                    watch.cancel();
                }
                _ = session.tick(), if !cancelled => {
                    if context.peer.is_transport_closed() {
                        cancelled = true;
                        watch.cancel();
                    }
                }
            }
        };
        let outcome = joined
            .map_err(|e| ErrorData::internal_error(format!("tool call failed: {e}"), None))??;
        Ok(match outcome {
            Ok(s) => s.into_result(),
            Err(e) => tool_error(&e),
        }
        .into())
    }
}

/// The Streamable HTTP transport for the daemon's `/mcp`: one session per
/// client (`Mcp-Session-Id`), a new [`McpServer`] from `make` for each.
/// Host and Origin are checked by the daemon's guard for every route
/// (server/guard.rs), so the SDK's own host list is turned off rather than
/// kept as a second, different list.
pub fn http_service(
    make: impl Fn() -> McpServer + Send + Sync + 'static,
    max_body_bytes: usize,
) -> StreamableHttpService<McpServer, LocalSessionManager> {
    let config = StreamableHttpServerConfig::default()
        .disable_allowed_hosts()
        .with_max_request_body_bytes(max_body_bytes);
    StreamableHttpService::new(
        move || Ok(make()),
        Arc::new(LocalSessionManager::default()),
        config,
    )
}

/// The JSON-RPC error for an HTTP body that is not one MCP message: -32700
/// (parse error) when it is not JSON, -32600 (invalid request) when it is
/// JSON but no JSON-RPC message MCP defines; `None` when the SDK takes it.
/// The SDK itself answers both with a plain-text 415, which a JSON-RPC
/// client cannot read; the check is the SDK's own parse, so nothing it
/// accepts is refused here.
pub fn malformed(body: &[u8]) -> Option<Value> {
    if serde_json::from_slice::<ClientJsonRpcMessage>(body).is_ok() {
        return None;
    }
    let error = match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
        Err(e) => ErrorData::parse_error(format!("Parse error: the body is not JSON ({e})"), None),
        Ok(_) => ErrorData::invalid_request(
            "Invalid Request: the body is JSON but not a JSON-RPC 2.0 request, notification \
             or response of MCP",
            None,
        ),
    };
    serde_json::to_value(JsonRpcError::new(None, error)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_tool_list_parses_and_names_every_memory_tool() {
        let names: Vec<&str> = MEMORY_TOOLS.iter().map(|t| &*t.name).collect();
        assert_eq!(
            names,
            [
                "create_entities",
                "create_relations",
                "add_observations",
                "delete_entities",
                "delete_observations",
                "delete_relations",
                "read_graph",
                "search_nodes",
                "open_nodes"
            ]
        );
        assert!(MEMORY_TOOLS.iter().all(|t| t.output_schema.is_some()));
    }

    #[test]
    fn a_body_that_is_no_mcp_message_gets_the_json_rpc_error() {
        let code = |body: &str| malformed(body.as_bytes()).map(|e| e["error"]["code"].clone());
        assert_eq!(code("not json"), Some(json!(-32700)));
        assert_eq!(
            code("{\"jsonrpc\": \"2.0\", \"id\": 1,"),
            Some(json!(-32700))
        );
        assert_eq!(code("{\"hello\": 1}"), Some(json!(-32600)));
        assert_eq!(
            code(r#"{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}"#),
            None
        );
        assert_eq!(
            code(r#"{"jsonrpc": "2.0", "method": "notifications/initialized"}"#),
            None
        );
    }
}
