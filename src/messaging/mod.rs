//! Agent messaging (README "Messaging between agents", docs/wasm-abi.md "Messaging"): FIPA-ACL messages addressed to a capability,
//! routed to a healthy provider, persisted with their conversation before
//! delivery, delivered at least once (deduplicated by `message_id`).
//!
//! [`Messenger`] is the one long-lived object: the daemon holds it (it is
//! `Clone` + `Send` + `Sync`; every method blocks, so call it from blocking
//! threads), the CLI makes one per command and delivers in-process.
//! `send` stores and routes; delivery happens in `deliver_batch`, called by
//! worker threads (`work`), by `wait_reply` while it waits, or by
//! `run_until_idle` in the CLI.

mod budget;
mod delegate;
pub(crate) mod delivery;
pub(crate) mod message;
pub(crate) mod metrics;
pub(crate) mod router;
pub(crate) mod store;
mod watch;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::Caxton;
use crate::agent::{catalog, wasm};
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::runtime::wasm::Runtime;
use crate::store::{Store, store_err};

pub use delegate::Delegation;
pub use delivery::{ConfigRun, Outbox, Protection, SYSTEM, run_config_agent};
pub use message::{Message, NewMessage, Performative, State, new_id};
pub use metrics::{Outcome, Snapshot};
pub use router::{AgentInfo, AgentKind, BreakerPolicy, Health, Registry, Route};
pub use store::ConversationSummary;
pub use watch::{OnEvent, Watch};

use delivery::{Delivered, Target, notice};

/// Deliveries handled per store transaction.
pub const BATCH: usize = 64;

/// Where the ids of messages sent from a config agent's run start in the
/// [`delivery::derived_id`] numbering of the message it handles (below are
/// the outbox's sends and Caxton's notices).
const DELEGATED_IDS: usize = 2000;

/// The answer of `send` (the body of `POST /api/v1/messages`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendReport {
    /// The message as stored (id, conversation, depth filled in); for a
    /// duplicate, the copy stored first.
    pub message: Message,
    pub(crate) conversation_id: String,
    /// Agents the message was routed to (several for a broadcast).
    pub receivers: Vec<String>,
    /// The message id was already stored: nothing was sent again.
    pub duplicate: bool,
    /// The reply, when the caller waited for it.
    pub reply: Option<Message>,
    /// Messages still waiting for delivery (in-process sends only).
    pub pending: u64,
}

/// One provider in `capabilities list` / `GET /api/v1/capabilities`.
#[derive(Debug, Clone, Serialize)]
pub struct Provider {
    pub(crate) agent: String,
    pub(crate) kind: AgentKind,
    pub(crate) health: Health,
    pub(crate) in_flight: u32,
    pub(crate) consecutive_failures: u32,
    pub(crate) deliveries: u64,
    pub(crate) failures: u64,
    pub(crate) last_error: Option<String>,
}

/// One capability and the agents that offer it, as `capabilities list` and
/// `GET /api/v1/capabilities` print it.
#[derive(Debug, Clone, Serialize)]
pub struct Capability {
    /// The capability name (lowercase, as agents declare it).
    pub capability: String,
    /// Every deployed agent offering it, with its breaker health and counts.
    pub providers: Vec<Provider>,
}

/// `GET /api/v1/conversations/{id}`: the summary and every message, oldest
/// first (`parent_id` links them into a tree).
#[derive(Debug, Clone, Serialize)]
pub struct Conversation {
    #[serde(flatten)]
    pub(crate) summary: ConversationSummary,
    pub(crate) messages: Vec<Message>,
    /// The config-agent runs that took part, oldest first: who ran for
    /// which message, their tool calls and times.
    pub runs: Vec<RunSummary>,
}

/// One config-agent run of a conversation.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub(crate) run: i64,
    pub(crate) agent: String,
    /// The message the run handled; none for a run that opened the
    /// conversation (`agents test`, the execute endpoint).
    pub message_id: Option<String>,
    pub(crate) status: String,
    pub(crate) rounds: u64,
    pub(crate) total_ms: f64,
    pub(crate) model_ms: f64,
    pub(crate) tool_calls: Vec<RunToolCall>,
}

/// One tool call of a run in a conversation's listing: tool name,
/// outcome, duration in milliseconds and the error when it failed.
#[derive(Debug, Clone, Serialize)]
pub struct RunToolCall {
    pub(crate) name: String,
    pub(crate) outcome: String,
    pub(crate) duration_ms: f64,
    pub(crate) error: Option<String>,
}

/// Runs listed per conversation at most.
const CONVERSATION_RUNS: usize = 1000;

impl RunSummary {
    /// From a stored run record (as `--json` prints it).
    fn of(s: &crate::runtime::records::Stored) -> RunSummary {
        let r = &s.record;
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        RunSummary {
            run: s.id,
            agent: text(&r["agent"]),
            message_id: r["message_id"].as_str().map(str::to_string),
            status: text(&r["status"]),
            rounds: r["rounds"].as_u64().unwrap_or(0),
            total_ms: r["timings"]["total_ms"].as_f64().unwrap_or(0.0),
            model_ms: r["timings"]["model_ms"].as_f64().unwrap_or(0.0),
            tool_calls: r["tool_calls"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| RunToolCall {
                    name: text(&c["name"]),
                    outcome: text(&c["outcome"]),
                    duration_ms: c["duration_ms"].as_f64().unwrap_or(0.0),
                    error: c["error"].as_str().map(str::to_string),
                })
                .collect(),
        }
    }
}

/// The result of [`Messenger::recover`].
#[derive(Debug, Clone, Serialize)]
pub struct Recovered {
    /// Undelivered messages found in the store and queued again.
    pub queued: u64,
    /// More are stored than the queue had room for; they follow as it drains.
    pub deferred: bool,
}

/// A message waiting to be handed to an agent.
struct Job {
    message: Message,
    /// Agents that already failed it (failover skips them).
    tried: Vec<String>,
}

/// The deployed agents: routing index and how to run each.
struct Deployed {
    registry: Registry,
    targets: HashMap<String, Arc<Target>>,
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    /// Ids queued or being delivered: recovery never queues one twice.
    queued: HashSet<String>,
}

/// What loop protection and routing need to know of a conversation.
#[derive(Default, Clone)]
struct ConvState {
    count: u32,
    participants: Vec<String>,
}

/// Writes of one step, committed in one transaction before any job of it
/// is queued.
#[derive(Default)]
struct Plan {
    inserts: Vec<Message>,
    updates: Vec<Message>,
    jobs: Vec<Job>,
    /// Per agent, so a batch writes one row each.
    health: HashMap<String, store::HealthUpdate>,
    stats: HashMap<String, wasm::Runs>,
}

struct Inner {
    cx: Caxton,
    rt: Arc<Runtime>,
    protection: Protection,
    policy: BreakerPolicy,
    history: usize,
    store: Mutex<Store>,
    deployed: RwLock<Arc<Deployed>>,
    queue: Mutex<Queue>,
    /// Signalled when jobs are queued and when a step commits.
    changed: Condvar,
    conversations: Mutex<HashMap<String, ConvState>>,
    /// Conversation → the root conversation its budget is charged to.
    roots: Mutex<HashMap<String, String>>,
    /// Most deliveries waiting in the queue (`messaging.max_queued_messages`).
    max_queued: usize,
    /// Recovery left stored messages behind for want of queue room; they
    /// are queued as it drains.
    deferred: AtomicBool,
    metrics: metrics::Metrics,
    /// Config-agent runs, built on the first message to a config agent so
    /// providers stay loaded between deliveries.
    runs: std::sync::OnceLock<crate::runtime::run::RunContext>,
    /// Messages a caller follows while they are handled ([`Messenger::ask`]).
    watches: watch::Watches,
}

impl Inner {
    /// Count `m` in its conversation's cached state, and in its root's.
    fn count(&self, reg: &Registry, m: &Message) {
        let root = lock(&self.roots).get(&m.conversation_id).cloned();
        let mut cache = lock(&self.conversations);
        let c = cache.entry(m.conversation_id.clone()).or_default();
        c.count += 1;
        if let Some(r) = m.receiver.as_ref().filter(|r| reg.index_of(r).is_some())
            && !c.participants.contains(r)
        {
            c.participants.push(r.clone());
        }
        if let Some(root) = root.filter(|r| *r != m.conversation_id)
            && let Some(rc) = cache.get_mut(&root)
        {
            rc.count += 1;
        }
    }

    /// Store `m` for delivery to its (agent) receiver.
    fn accept(&self, reg: &Registry, plan: &mut Plan, m: Message) {
        self.metrics.message(m.performative, Outcome::Accepted);
        self.count(reg, &m);
        plan.jobs.push(Job {
            message: m.clone(),
            tried: Vec::new(),
        });
        plan.inserts.push(m);
    }
}

/// The messaging service of a server: validates, stores and routes
/// messages to the agents offering a capability, and runs the deliveries.
/// Cheap to clone (shared state).
#[derive(Clone)]
pub struct Messenger {
    inner: Arc<Inner>,
}

/// Conversations remembered for routing and budgets before the cache is reset.
const CONVERSATION_CACHE: usize = 100_000;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Messenger {
    /// Open the store and build the capability registry from the deployed
    /// agents. `rt` runs the WASM agents (the daemon shares its own).
    pub fn open(cx: &Caxton, rt: Arc<Runtime>) -> Result<Messenger> {
        let c = &cx.config().messaging;
        let store = cx.store()?;
        // Delivery batches touch the same few index pages over and over:
        // a larger page cache keeps them off the file system.
        store
            .conn()
            .execute_batch("PRAGMA cache_size = -16384")
            .map_err(|e| store_err(store.path(), e))?;
        let m = Messenger {
            inner: Arc::new(Inner {
                cx: cx.clone(),
                rt,
                protection: Protection {
                    max_message_bytes: c.max_message_bytes,
                    max_depth: c.max_depth,
                    max_conversation_messages: c.max_conversation_messages,
                    max_sends_per_delivery: c.max_sends_per_delivery,
                },
                policy: BreakerPolicy {
                    failures: c.breaker_failures.max(1),
                    cooldown_ms: c.breaker_cooldown.as_millis() as i64,
                },
                history: c.history_messages as usize,
                store: Mutex::new(store),
                deployed: RwLock::new(Arc::new(Deployed {
                    registry: Registry::build(Vec::new(), None),
                    targets: HashMap::new(),
                })),
                queue: Mutex::new(Queue::default()),
                changed: Condvar::new(),
                conversations: Mutex::new(HashMap::new()),
                roots: Mutex::new(HashMap::new()),
                max_queued: c.max_queued_messages.max(1) as usize,
                deferred: AtomicBool::new(false),
                metrics: metrics::Metrics::default(),
                runs: std::sync::OnceLock::new(),
                watches: watch::Watches::default(),
            }),
        };
        m.refresh()?;
        Ok(m)
    }

    fn deployed(&self) -> Arc<Deployed> {
        self.inner
            .deployed
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn db_err(&self, e: rusqlite::Error) -> Error {
        store_err(&self.inner.cx.paths().db(), e)
    }

    /// Rebuild the registry from the deployed agents: valid config agent
    /// files and WASM agents in the store. The daemon calls this after every
    /// deploy, reload and removal; breakers and in-flight counts of agents
    /// that stay carry over.
    pub fn refresh(&self) -> Result<()> {
        let cx = &self.inner.cx;
        let mut agents = Vec::new();
        let mut targets = HashMap::new();
        for e in catalog::list(cx)? {
            let Some(spec) = e.report.spec.clone().filter(|_| e.report.is_valid()) else {
                continue;
            };
            agents.push(AgentInfo {
                id: e.id.clone(),
                kind: AgentKind::Config,
                capabilities: spec.capabilities.clone(),
            });
            targets.insert(
                e.id,
                Arc::new(Target::Config {
                    spec: Box::new(spec),
                }),
            );
        }
        for a in wasm::list(cx)? {
            agents.push(AgentInfo {
                id: a.id.clone(),
                kind: AgentKind::Wasm,
                capabilities: a.manifest.capabilities.clone(),
            });
            targets.insert(
                a.id,
                Arc::new(Target::Wasm {
                    plugin: a.manifest.plugin_deployment(),
                    module_hash: a.manifest.module_hash,
                    limits: a.manifest.resource_limits,
                    compiled: Default::default(),
                }),
            );
        }
        let previous = self.deployed();
        let registry = Registry::build(agents, Some(&previous.registry));
        let health = store::health(lock(&self.inner.store).conn()).map_err(|e| self.db_err(e))?;
        for s in registry.slots() {
            if previous.registry.slot(&s.id).is_none()
                && let Some(b) = health.get(&s.id)
            {
                *s.live.breaker() = *b;
            }
        }
        *self
            .inner
            .deployed
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(Deployed { registry, targets });
        Ok(())
    }

    /// Store and route one message; delivery follows asynchronously (see
    /// [`Messenger::wait_reply`]). Validation, size and loop-protection
    /// errors are returned before anything is stored.
    pub fn send(&self, new: NewMessage) -> Result<SendReport> {
        let mut reports = self.send_many(vec![new])?;
        Ok(reports.pop().expect("one report per message"))
    }

    /// [`Messenger::send`] and [`Messenger::wait_reply`], with `watch`
    /// following the config agent run that handles the message. The id is
    /// chosen here when `new` names none, so the watch is in place before a
    /// worker can pick the message up.
    pub fn ask(
        &self,
        mut new: NewMessage,
        wait: Duration,
        watch: Option<Watch>,
    ) -> Result<SendReport> {
        let id = new.message_id.get_or_insert_with(message::new_id).clone();
        if let Some(w) = watch {
            self.inner.watches.insert(&id, w);
        }
        let asked = self.send(new).and_then(|mut report| {
            if !report.duplicate {
                report.reply = self.wait_reply(&report.message, wait)?;
            }
            Ok(report)
        });
        self.inner.watches.remove(&id);
        asked
    }

    /// [`Messenger::send`] for many messages in one store transaction.
    pub fn send_many(&self, news: Vec<NewMessage>) -> Result<Vec<SendReport>> {
        self.check_room(news.len())?;
        let now = now_ms();
        let mut messages = Vec::with_capacity(news.len());
        for new in news {
            messages.push(self.prepare(new, None, now)?);
        }
        self.send_prepared(messages, now)
    }

    /// Send `new` on behalf of the agent handling `parent`: in `parent`'s
    /// conversation, one hop deeper, charged to its root (the config agents'
    /// `send_message` tool). `n` numbers the sends of one handling, so a
    /// redelivery of `parent` after a crash sends the same ids and finds
    /// what the first delivery sent (and its reply) instead of sending again.
    pub fn send_within(&self, parent: &Message, n: usize, new: NewMessage) -> Result<SendReport> {
        self.check_room(1)?;
        let now = now_ms();
        let m = self.prepare(new, Some((parent, n)), now)?;
        let mut reports = self.send_prepared(vec![m], now)?;
        Ok(reports.pop().expect("one report per message"))
    }

    /// Refuse `n` more messages when the delivery queue is full.
    fn check_room(&self, n: usize) -> Result<()> {
        let queued = self.backlog();
        if queued + n > self.inner.max_queued {
            return Err(Error::Overloaded {
                message: format!(
                    "{queued} messages are waiting for delivery (messaging.max_queued_messages = {})",
                    self.inner.max_queued
                ),
                hint: "retry once agents have caught up, or raise messaging.max_queued_messages"
                    .into(),
                retry_after_s: 1,
            });
        }
        Ok(())
    }

    /// Validate `new` and give it its ids and place in its conversation
    /// (see [`Messenger::send_within`] for `within`). Loop protection
    /// refuses it here, before anything is stored. Returns the message,
    /// whether it is a broadcast, and whether it starts a conversation.
    fn prepare(
        &self,
        new: NewMessage,
        within: Option<(&Message, usize)>,
        now: i64,
    ) -> Result<(Message, bool, bool)> {
        let p = self.inner.protection;
        let mut v = new.validate(p.max_message_bytes)?;
        let (conversation_id, fresh, parent, id) = match within {
            Some((parent, n)) => (
                parent.conversation_id.clone(),
                false,
                Some(parent.clone()),
                Some(delivery::derived_id(&parent.message_id, DELEGATED_IDS + n)),
            ),
            None => {
                let fresh = v.conversation_id.is_none();
                let conversation_id = v.conversation_id.take().unwrap_or_else(message::new_id);
                let parent = match (&v.in_reply_to, fresh) {
                    (Some(r), false) => self.find_parent(&conversation_id, r)?,
                    _ => None,
                };
                (conversation_id, fresh, parent, None)
            }
        };
        let charged = if fresh {
            lock(&self.inner.conversations).insert(conversation_id.clone(), ConvState::default());
            self.inner.new_root(&conversation_id);
            0
        } else {
            self.inner.charged(&conversation_id)?
        };
        let depth = parent.as_ref().map_or(0, |p| p.depth + 1);
        if let Some(reason) = delivery::limit_reason(&p, depth, charged) {
            return Err(Error::ConversationLimit {
                conversation: conversation_id,
                reason,
            });
        }
        let broadcast = v.broadcast;
        let id = id
            .or_else(|| v.message_id.clone())
            .unwrap_or_else(message::new_id);
        let m = v.into_message(
            id,
            conversation_id,
            parent.map(|p| p.message_id),
            depth,
            now,
        );
        Ok((m, broadcast, fresh))
    }

    /// Route and store prepared messages in one transaction and queue their
    /// deliveries.
    fn send_prepared(
        &self,
        messages: Vec<(Message, bool, bool)>,
        now: i64,
    ) -> Result<Vec<SendReport>> {
        let mut plan = Plan::default();
        let mut firsts = Vec::with_capacity(messages.len());
        for (m, broadcast, fresh) in messages {
            if fresh {
                self.inner.metrics.conversation_started();
            }
            firsts.push(plan.inserts.len());
            self.dispatch(&mut plan, m, broadcast, now);
        }
        let inserted = self.commit(plan.inserts.clone(), plan)?;
        self.enqueue(inserted.jobs);
        let mut reports = Vec::with_capacity(firsts.len());
        let all = inserted.all;
        for (k, &i) in firsts.iter().enumerate() {
            let end = firsts.get(k + 1).copied().unwrap_or(all.len());
            let m = &all[i];
            let duplicate = !inserted.new.contains(&m.message_id);
            let message = if duplicate {
                self.message(&m.message_id)?.unwrap_or_else(|| m.clone())
            } else {
                m.clone()
            };
            let receivers = all[i..end]
                .iter()
                .filter(|x| x.state == State::Pending && x.sender == m.sender)
                .filter_map(|x| x.receiver.clone())
                .collect();
            if duplicate {
                self.inner
                    .metrics
                    .message(m.performative, Outcome::Duplicate);
            }
            reports.push(SendReport {
                conversation_id: message.conversation_id.clone(),
                message,
                receivers,
                duplicate,
                reply: None,
                pending: 0,
            });
        }
        Ok(reports)
    }

    /// The message `in_reply_to` answers: by id or by its `reply_with`.
    fn find_parent(&self, conversation: &str, in_reply_to: &str) -> Result<Option<Message>> {
        let s = lock(&self.inner.store);
        let all = store::conversation(s.conn(), conversation).map_err(|e| self.db_err(e))?;
        Ok(all
            .into_iter()
            .rev()
            .find(|m| m.message_id == in_reply_to || m.reply_with.as_deref() == Some(in_reply_to)))
    }

    /// Decide where `m` goes and add the writes (and the job) to `plan`:
    /// a capability is routed, a receiver that is an agent gets it directly,
    /// anyone else (a CLI user, an API client) only has it recorded. No
    /// provider, or every provider's breaker open, turns into a `failure`
    /// to the sender listing the capabilities that exist.
    fn dispatch(&self, plan: &mut Plan, mut m: Message, broadcast: bool, now: i64) {
        let deployed = self.deployed();
        let reg = &deployed.registry;
        let conv = self
            .inner
            .tree_state(&m.conversation_id)
            .unwrap_or_default();
        let charged = self.inner.charged(&m.conversation_id).unwrap_or(conv.count);
        let bump = |inner: &Inner, m: &Message| inner.count(reg, m);
        if m.state == State::Pending && self.refuse_if_over(plan, &mut m, charged, now) {
            bump(&self.inner, &m);
            return;
        }
        if let Some(r) = m.receiver.clone() {
            if reg.index_of(&r).is_none() {
                m.state = State::Recorded;
                self.inner
                    .metrics
                    .message(m.performative, Outcome::Recorded);
            } else {
                return self.inner.accept(reg, plan, m);
            }
            bump(&self.inner, &m);
            plan.inserts.push(m);
            return;
        }
        let capability = m.capability.clone().unwrap_or_default();
        if broadcast {
            let providers = reg.providers(&capability);
            if providers.is_empty() {
                m.state = State::Failed;
                m.error = Some(self.no_provider_error(&m, Route::NoProvider));
            } else {
                m.state = State::Recorded;
            }
            bump(&self.inner, &m);
            plan.inserts.push(m.clone());
            for (n, &i) in providers.iter().enumerate() {
                let mut copy = m.clone();
                copy.message_id = delivery::derived_id(&m.message_id, n);
                copy.parent_id = Some(m.message_id.clone());
                copy.receiver = Some(reg.slots()[i].id.clone());
                copy.state = State::Pending;
                self.inner.accept(reg, plan, copy);
            }
            if providers.is_empty() {
                self.no_provider(plan, &m, Route::NoProvider, now);
            }
            return;
        }
        let route = self.route(reg, &capability, &conv.participants, &[], now);
        match route {
            Route::Agent(i) => {
                m.receiver = Some(reg.slots()[i].id.clone());
                self.inner.accept(reg, plan, m);
            }
            miss => {
                m.state = State::Failed;
                m.error = Some(self.no_provider_error(&m, miss));
                bump(&self.inner, &m);
                plan.inserts.push(m.clone());
                self.no_provider(plan, &m, miss, now);
            }
        }
    }

    /// One routing decision, timed for the latency metric.
    fn route(
        &self,
        reg: &Registry,
        capability: &str,
        participants: &[String],
        tried: &[String],
        now: i64,
    ) -> Route {
        let t = Instant::now();
        // Small fixed buffers: the decision itself never allocates.
        let mut part = [usize::MAX; 8];
        for (slot, id) in part.iter_mut().zip(participants) {
            *slot = reg.index_of(id).unwrap_or(usize::MAX);
        }
        let mut excl = [usize::MAX; 8];
        for (slot, id) in excl.iter_mut().zip(tried.iter().rev()) {
            *slot = reg.index_of(id).unwrap_or(usize::MAX);
        }
        let r = reg.route(capability, &part, &excl, now, &self.inner.policy);
        self.inner.metrics.routing(t.elapsed().as_nanos() as u64);
        r
    }

    /// Loop protection for a message about to be stored for delivery.
    fn refuse_if_over(&self, plan: &mut Plan, m: &mut Message, charged: u32, now: i64) -> bool {
        let Some(reason) = delivery::limit_reason(&self.inner.protection, m.depth, charged) else {
            return false;
        };
        self.inner.metrics.message(m.performative, Outcome::Refused);
        let sender = m.sender.clone();
        let notice = delivery::refuse(m, reason, &sender, now);
        plan.inserts.push(m.clone());
        plan.inserts.push(notice);
        true
    }

    fn no_provider_error(&self, m: &Message, route: Route) -> String {
        let capability = m.capability.as_deref().unwrap_or("");
        match route {
            Route::Unavailable => format!(
                "every agent offering `{capability}` is unavailable (circuit breaker open after repeated failures)"
            ),
            _ => format!("no agent offers the capability `{capability}`"),
        }
    }

    /// The `failure` for a message nobody can take, listing the
    /// capabilities that do exist.
    fn no_provider(&self, plan: &mut Plan, m: &Message, route: Route, now: i64) {
        let deployed = self.deployed();
        self.inner
            .metrics
            .message(m.performative, Outcome::NoProvider);
        let content = json!({
            "error": self.no_provider_error(m, route),
            "code": if route == Route::Unavailable { "providers_unavailable" } else { "no_provider" },
            "capabilities": deployed.registry.capabilities(),
        });
        self.reply(
            plan,
            m,
            delivery::SYSTEM,
            Performative::Failure,
            content,
            now,
        );
    }

    /// Send `content` back to the sender of `m` as `performative`.
    fn reply(
        &self,
        plan: &mut Plan,
        m: &Message,
        from: &str,
        performative: Performative,
        content: Value,
        now: i64,
    ) {
        let mut r = notice(m, &m.sender, content, now, 0);
        r.message_id = delivery::derived_id(&m.message_id, usize::MAX);
        r.sender = from.to_string();
        r.performative = performative;
        let deployed = self.deployed();
        let reg = &deployed.registry;
        if reg
            .slot(&m.sender)
            .is_some_and(|s| s.kind == AgentKind::Config)
        {
            // A config agent sent `m` from its `send_message` tool, which
            // reads the reply from the store (or stopped waiting for it):
            // delivering it too would start another run of the agent.
            self.inner
                .metrics
                .message(r.performative, Outcome::Recorded);
            self.inner.count(reg, &r);
            plan.inserts.push(r);
            return;
        }
        r.state = State::Pending;
        self.dispatch(plan, r, false, now);
    }

    /// Commit `plan` in one transaction; duplicates are dropped. Returns
    /// which inserts were new and the jobs to queue now that their messages
    /// are stored.
    fn commit(&self, all: Vec<Message>, plan: Plan) -> Result<Inserted> {
        let mut new = HashSet::new();
        {
            let mut store = lock(&self.inner.store);
            let db = store.path().to_path_buf();
            let now = now_ms();
            store.write(|tx| {
                let sql = |e| store_err(&db, e);
                for m in &plan.inserts {
                    if store::insert(tx, m).map_err(sql)? {
                        new.insert(m.message_id.clone());
                    }
                }
                for m in &plan.updates {
                    store::update(tx, m).map_err(sql)?;
                }
                for (agent, h) in &plan.health {
                    store::save_health(tx, agent, h, now).map_err(sql)?;
                }
                for (agent, w) in &plan.stats {
                    w.record_in(tx, agent).map_err(sql)?;
                }
                Ok(())
            })?;
        }
        let updated: HashSet<&str> = plan.updates.iter().map(|m| m.message_id.as_str()).collect();
        let jobs: Vec<Job> = plan
            .jobs
            .into_iter()
            .filter(|j| {
                new.contains(&j.message.message_id)
                    || updated.contains(j.message.message_id.as_str())
            })
            .collect();
        Ok(Inserted { all, new, jobs })
    }

    fn enqueue(&self, jobs: Vec<Job>) {
        let mut q = lock(&self.inner.queue);
        for j in jobs {
            if q.queued.insert(j.message.message_id.clone()) {
                q.jobs.push_back(j);
            }
        }
        drop(q);
        self.inner.changed.notify_all();
    }

    /// Deliver up to `max` queued messages and commit their outcomes,
    /// replies and follow-ups in one transaction. Returns how many were
    /// handled (0 when the queue was empty).
    pub fn deliver_batch(&self, max: usize) -> Result<usize> {
        let jobs: Vec<Job> = {
            let deployed = self.deployed();
            let is_config = |j: &Job| {
                j.message
                    .receiver
                    .as_ref()
                    .and_then(|r| deployed.targets.get(r))
                    .is_some_and(|t| matches!(**t, Target::Config { .. }))
            };
            let mut q = lock(&self.inner.queue);
            let mut jobs = Vec::new();
            // A config agent's run may wait for the replies to messages it
            // sends (`send_message`): it goes in a batch of its own, so no
            // delivery it waits for is held behind it in this batch.
            while jobs.len() < max {
                let Some(front) = q.jobs.front() else { break };
                let config = is_config(front);
                if config && !jobs.is_empty() {
                    break;
                }
                jobs.extend(q.jobs.pop_front());
                if config {
                    break;
                }
            }
            jobs
        };
        if jobs.is_empty() {
            return Ok(0);
        }
        let n = jobs.len();
        let ids: Vec<String> = jobs.iter().map(|j| j.message.message_id.clone()).collect();
        let result = self.deliver_jobs(jobs);
        {
            let mut q = lock(&self.inner.queue);
            for id in &ids {
                q.queued.remove(id);
            }
        }
        // Failover and follow-up jobs: queued after their ids were released.
        self.enqueue(result?);
        Ok(n)
    }

    /// Deliver `jobs`, commit every outcome in one transaction, and return
    /// the jobs that follow (failovers, replies and messages to agents).
    fn deliver_jobs(&self, jobs: Vec<Job>) -> Result<Vec<Job>> {
        let deployed = self.deployed();
        let mut plan = Plan::default();
        for mut job in jobs {
            let agent = job.message.receiver.clone().unwrap_or_default();
            // Replies and messages sent while handling it carry this span's
            // context on (see `Message::traceparent`).
            let span = crate::trace::span!(
                "message.deliver",
                agent = %agent,
                messaging.message.id = %job.message.message_id,
                messaging.conversation.id = %job.message.conversation_id,
                performative = job.message.performative.as_str(),
                sender = %job.message.sender,
                otel.kind = "consumer",
                otel.status_code = tracing::field::Empty,
                otel.status_description = tracing::field::Empty,
            );
            if let Some(parent) = &job.message.traceparent {
                crate::trace::set_parent(&span, parent, None);
            }
            let _entered = span.enter();
            let now = now_ms();
            let Some(slot) = deployed.registry.slot(&agent) else {
                // Undeployed since it was routed: route again.
                let mut m = job.message;
                m.receiver = None;
                m.attempts += 1;
                self.reroute_or_no_provider(&mut plan, m, job.tried, now);
                continue;
            };
            let target = deployed.targets.get(&agent).cloned();
            let live = slot.live.clone();
            live.in_flight.fetch_add(1, Ordering::Relaxed);
            let delivered = self.execute(&agent, target.as_deref(), &job.message);
            live.in_flight.fetch_sub(1, Ordering::Relaxed);
            let now = now_ms();
            let Delivered {
                result,
                outbox,
                wasm,
            } = delivered;
            if let Some((stats, err)) = wasm {
                plan.stats
                    .entry(agent.clone())
                    .or_default()
                    .add(&stats, err);
            }
            let ok = result.is_ok();
            // A run its caller stopped says nothing of the agent's health
            // and is not retried elsewhere: the caller no longer waits.
            let cancelled = result.as_ref().err().is_some_and(Error::is_cancelled);
            let error = result.as_ref().err().map(ToString::to_string);
            if let Some(e) = &error {
                crate::trace::fail(&span, e);
            }
            let h = plan.health.entry(agent.clone()).or_default();
            if !cancelled {
                let mut b = live.breaker();
                b.record(ok, now, &self.inner.policy);
                h.breaker = *b;
            }
            h.deliveries += 1;
            h.failures += u64::from(!ok && !cancelled);
            if error.is_some() {
                h.last_error = error.clone();
            }
            job.message.attempts += 1;
            match result {
                Ok(answer) => {
                    job.message.state = State::Delivered;
                    job.message.delivered_at = Some(now);
                    job.message.error = None;
                    self.inner
                        .metrics
                        .message(job.message.performative, Outcome::Delivered);
                    plan.updates.push(job.message.clone());
                    plan.inserts.extend(outbox.refused);
                    for m in outbox.sent {
                        // A conversation the agent opened is charged to this one's root.
                        if let Err(e) = self
                            .inner
                            .link(&m.conversation_id, &job.message.conversation_id)
                        {
                            tracing::warn!("messaging: {e}");
                        }
                        self.dispatch(&mut plan, m, false, now);
                    }
                    if job.message.performative.expects_reply() {
                        self.reply(
                            &mut plan,
                            &job.message,
                            &agent,
                            Performative::Inform,
                            answer,
                            now,
                        );
                    }
                }
                Err(e) => {
                    self.inner
                        .metrics
                        .message(job.message.performative, Outcome::Failed);
                    job.message.error = error;
                    job.tried.push(agent.clone());
                    if job.message.capability.is_some() && !cancelled {
                        if let Some((m, _)) = self.reroute(&mut plan, job.message, job.tried, now) {
                            self.fail(&mut plan, m, &e, now);
                        }
                    } else {
                        self.fail(&mut plan, job.message, &e, now);
                    }
                }
            }
        }
        self.commit(Vec::new(), plan).map(|i| i.jobs)
    }

    /// Route `m` again, skipping the agents in `tried`: failover after a
    /// failed delivery, or a provider undeployed since routing. Gives `m`
    /// back with the routing miss when no provider is left.
    fn reroute(
        &self,
        plan: &mut Plan,
        mut m: Message,
        tried: Vec<String>,
        now: i64,
    ) -> Option<(Message, Route)> {
        let deployed = self.deployed();
        let reg = &deployed.registry;
        let capability = m.capability.clone().unwrap_or_default();
        let conv = self
            .inner
            .tree_state(&m.conversation_id)
            .unwrap_or_default();
        match self.route(reg, &capability, &conv.participants, &tried, now) {
            Route::Agent(i) => {
                m.receiver = Some(reg.slots()[i].id.clone());
                plan.updates.push(m.clone());
                plan.jobs.push(Job { message: m, tried });
                None
            }
            miss => Some((m, miss)),
        }
    }

    /// [`Messenger::reroute`] for a message whose provider is gone: with no
    /// other, the sender gets the no-provider `failure`.
    fn reroute_or_no_provider(&self, plan: &mut Plan, m: Message, tried: Vec<String>, now: i64) {
        if let Some((mut m, miss)) = self.reroute(plan, m, tried, now) {
            m.state = State::Failed;
            m.error = Some(self.no_provider_error(&m, miss));
            plan.updates.push(m.clone());
            self.no_provider(plan, &m, miss, now);
        }
    }

    fn fail(&self, plan: &mut Plan, mut m: Message, e: &Error, now: i64) {
        m.state = State::Failed;
        plan.updates.push(m.clone());
        let content = json!({"error": e.to_string(), "code": e.code(), "agent": m.receiver});
        let from = m
            .receiver
            .clone()
            .unwrap_or_else(|| delivery::SYSTEM.into());
        self.reply(plan, &m, &from, Performative::Failure, content, now);
    }

    /// Hand `m` to `agent`.
    fn execute(&self, agent: &str, target: Option<&Target>, m: &Message) -> Delivered {
        // An unreadable store charges nothing here; dispatch checks again.
        let charged = self.inner.charged(&m.conversation_id).unwrap_or(0);
        let room = self.inner.max_queued.saturating_sub(self.backlog());
        let outbox = Outbox::new(agent, m, self.inner.protection, charged, room);
        match target {
            Some(Target::Wasm {
                module_hash,
                limits,
                compiled,
                plugin,
            }) => {
                let compiled = match compiled.get() {
                    Some(c) => c.clone(),
                    None => {
                        let bytes = wasm::module_bytes(&lock(&self.inner.store), module_hash);
                        match bytes.and_then(|b| self.inner.rt.compile(&b).map_err(Error::from)) {
                            Ok(c) => compiled.get_or_init(|| c).clone(),
                            Err(e) => {
                                return Delivered {
                                    result: Err(e),
                                    outbox,
                                    wasm: None,
                                };
                            }
                        }
                    }
                };
                let memory = wasm::MemoryServices::new(self.inner.cx.memory().clone(), agent)
                    .with_plugin(&self.inner.cx, agent, plugin.clone());
                let handler = plugin.as_ref().map(|p| p.settings.handler());
                delivery::deliver_wasm(
                    &self.inner.rt,
                    memory,
                    agent,
                    &compiled,
                    limits,
                    handler,
                    m,
                    outbox,
                )
            }
            Some(Target::Config { spec }) => {
                let history = self.history(m).unwrap_or_default();
                let runs = self
                    .inner
                    .runs
                    .get_or_init(|| crate::runtime::run::RunContext::new(&self.inner.cx));
                let result = run_config_agent(
                    runs,
                    ConfigRun {
                        spec,
                        message: m,
                        variables: delivery::config_variables(m, &history),
                        messaging: Delegation::new(self, agent, &spec.capabilities, Some(m)),
                        watch: self.inner.watches.get(&m.message_id),
                    },
                );
                Delivered {
                    result,
                    outbox,
                    wasm: None,
                }
            }
            None => Delivered {
                result: Err(Error::AgentNotFound {
                    name: agent.to_string(),
                    suggestions: Vec::new(),
                }),
                outbox,
                wasm: None,
            },
        }
    }

    /// The conversation tail before `m` (config agents' `conversation_history`).
    fn history(&self, m: &Message) -> Result<Vec<Message>> {
        let all = store::conversation(lock(&self.inner.store).conn(), &m.conversation_id)
            .map_err(|e| self.db_err(e))?;
        let before: Vec<Message> = all
            .into_iter()
            .take_while(|x| x.message_id != m.message_id)
            .collect();
        let skip = before.len().saturating_sub(self.inner.history);
        Ok(before.into_iter().skip(skip).collect())
    }

    /// Deliver until nothing is queued or `deadline` passes. Returns how
    /// many deliveries ran.
    pub fn run_until_idle(&self, deadline: Option<Instant>) -> Result<usize> {
        let mut total = 0;
        while deadline.is_none_or(|d| Instant::now() < d) {
            let n = self.deliver_batch(BATCH)?;
            if n == 0 && !self.resume_deferred()? {
                break;
            }
            total += n;
        }
        Ok(total)
    }

    /// A worker loop for the daemon: deliver while jobs are queued, sleep on
    /// the queue otherwise, return when `stop` is set (checked at least
    /// every 200 ms).
    pub fn work(&self, stop: &AtomicBool) -> Result<()> {
        while !stop.load(Ordering::Relaxed) {
            if self.deliver_batch(BATCH)? == 0 && !self.resume_deferred()? {
                let q = lock(&self.inner.queue);
                if q.jobs.is_empty() {
                    let _ = self
                        .inner
                        .changed
                        .wait_timeout(q, Duration::from_millis(200));
                }
            }
        }
        Ok(())
    }

    /// Wait up to `timeout` for the reply to `m`, delivering queued messages
    /// meanwhile. `Ok(None)` when none will come: `m` does not expect one,
    /// or it was handled without one.
    pub fn wait_reply(&self, m: &Message, timeout: Duration) -> Result<Option<Message>> {
        self.wait_for_reply(m, timeout, true)
    }

    /// The wait of [`Messenger::wait_reply`] (delivering queued messages on
    /// this thread when `deliver`) and [`Messenger::await_reply`] (reading
    /// the store each time a step commits).
    fn wait_for_reply(
        &self,
        m: &Message,
        timeout: Duration,
        deliver: bool,
    ) -> Result<Option<Message>> {
        // A wait too long to represent is a wait without end.
        let deadline = Instant::now().checked_add(timeout);
        loop {
            {
                let s = lock(&self.inner.store);
                if let Some(r) = store::reply_to(s.conn(), m).map_err(|e| self.db_err(e))? {
                    return Ok(Some(r));
                }
                let now = store::get(s.conn(), &m.message_id).map_err(|e| self.db_err(e))?;
                if now.is_none_or(|x| x.state != State::Pending) {
                    return Ok(None);
                }
            }
            if deliver && self.deliver_batch(BATCH)? > 0 {
                continue;
            }
            let left = deadline.map_or(Duration::MAX, |d| {
                d.saturating_duration_since(Instant::now())
            });
            if left.is_zero() {
                return Err(Error::ReplyTimeout {
                    message_id: m.message_id.clone(),
                    waited_ms: timeout.as_millis() as u64,
                });
            }
            let q = lock(&self.inner.queue);
            // Delivering, queued jobs are ours to run, not to wait for.
            if !deliver || q.jobs.is_empty() {
                let _ = self
                    .inner
                    .changed
                    .wait_timeout(q, left.min(Duration::from_millis(50)));
            }
        }
    }

    /// Wait up to `timeout` for the reply to `m` without delivering on this
    /// thread: a helper thread delivers meanwhile (the reply may take several
    /// hops), so a slow delivery cannot hold the caller past `timeout`. A
    /// delivery still running at the timeout finishes on the helper, bounded
    /// by its agent's own limits, and its reply is stored. `Ok(None)` as for
    /// [`Messenger::wait_reply`].
    pub fn await_reply(&self, m: &Message, timeout: Duration) -> Result<Option<Message>> {
        let stop = Arc::new(AtomicBool::new(false));
        let helper = {
            let me = self.clone();
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("caxton-await-reply".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        match me.deliver_batch(1) {
                            Ok(0) => {
                                let q = lock(&me.inner.queue);
                                if q.jobs.is_empty() {
                                    let _ =
                                        me.inner.changed.wait_timeout(q, Duration::from_millis(50));
                                }
                            }
                            Ok(_) => {}
                            Err(e) => {
                                tracing::warn!("messaging: {e}");
                                break;
                            }
                        }
                    }
                })
                .map_err(|e| Error::Overloaded {
                    message: format!("cannot start a delivery thread: {e}"),
                    hint: "the system is out of threads; retry shortly".into(),
                    retry_after_s: 1,
                })?
        };
        let result = self.wait_for_reply(m, timeout, false);
        stop.store(true, Ordering::Relaxed);
        self.inner.changed.notify_all();
        // Joined only when done: one still inside a delivery is left to finish it.
        if helper.is_finished() {
            let _ = helper.join();
        }
        result
    }

    /// Queue the messages the store holds as undelivered (after a crash or
    /// a stop with work in flight), oldest first, as many as the queue has
    /// room for (`messaging.max_queued_messages`); the rest are queued as it
    /// drains. The daemon calls this at start; each message is queued once
    /// however often this runs.
    pub fn recover(&self) -> Result<Recovered> {
        let queued: HashSet<String> = lock(&self.inner.queue).queued.clone();
        let room = self.inner.max_queued.saturating_sub(queued.len());
        // Ids in `queued` may be among the oldest pending: read past them,
        // and one more to learn whether anything is left behind.
        let rows = store::pending(lock(&self.inner.store).conn(), room + queued.len() + 1)
            .map_err(|e| self.db_err(e))?;
        let mut pending: Vec<Message> = rows
            .into_iter()
            .filter(|m| !queued.contains(&m.message_id))
            .collect();
        let deferred = pending.len() > room;
        pending.truncate(room);
        self.inner.deferred.store(deferred, Ordering::Release);
        let mut plan = Plan::default();
        let deployed = self.deployed();
        let now = now_ms();
        let mut n = 0;
        for m in pending {
            n += 1;
            let routed = m.capability.is_some();
            match m
                .receiver
                .as_deref()
                .and_then(|r| deployed.registry.slot(r))
            {
                Some(_) => plan.jobs.push(Job {
                    message: m,
                    tried: Vec::new(),
                }),
                None if routed => self.reroute_or_no_provider(&mut plan, m, Vec::new(), now),
                None => {
                    let e = Error::AgentNotFound {
                        name: m.receiver.clone().unwrap_or_default(),
                        suggestions: Vec::new(),
                    };
                    self.fail(&mut plan, m, &e, now);
                }
            }
        }
        // Jobs of stored messages are queued without an insert.
        let mut jobs = std::mem::take(&mut plan.jobs);
        jobs.extend(self.commit(Vec::new(), plan)?.jobs);
        self.enqueue(jobs);
        Ok(Recovered {
            queued: n,
            deferred,
        })
    }

    /// With the queue drained, queue what recovery left behind. True when
    /// it queued any.
    fn resume_deferred(&self) -> Result<bool> {
        if !self.inner.deferred.load(Ordering::Acquire) || self.queued() > 0 {
            return Ok(false);
        }
        Ok(self.recover()?.queued > 0)
    }

    pub(crate) fn message(&self, id: &str) -> Result<Option<Message>> {
        store::get(lock(&self.inner.store).conn(), id).map_err(|e| self.db_err(e))
    }

    /// The reply to `m`, if one is stored.
    pub fn reply_to(&self, m: &Message) -> Result<Option<Message>> {
        store::reply_to(lock(&self.inner.store).conn(), m).map_err(|e| self.db_err(e))
    }

    /// Messages still waiting for delivery, in the store.
    pub fn pending(&self) -> Result<u64> {
        store::pending_count(lock(&self.inner.store).conn()).map_err(|e| self.db_err(e))
    }

    /// Deliveries queued in this process (not yet started).
    pub fn queued(&self) -> usize {
        lock(&self.inner.queue).jobs.len()
    }

    /// Deliveries queued or running: what `messaging.max_queued_messages` bounds.
    fn backlog(&self) -> usize {
        lock(&self.inner.queue).queued.len()
    }

    /// `GET /api/v1/conversations`.
    pub fn conversations(&self, limit: usize) -> Result<Vec<ConversationSummary>> {
        store::conversations(lock(&self.inner.store).conn(), limit).map_err(|e| self.db_err(e))
    }

    /// `GET /api/v1/conversations/{id}`.
    pub fn conversation(&self, id: &str) -> Result<Conversation> {
        let s = lock(&self.inner.store);
        let summary = store::conversation_summary(s.conn(), id)
            .map_err(|e| self.db_err(e))?
            .ok_or_else(|| Error::ConversationNotFound { id: id.to_string() })?;
        let messages = store::conversation(s.conn(), id).map_err(|e| self.db_err(e))?;
        let runs = crate::runtime::records::in_conversation(s.conn(), id, CONVERSATION_RUNS)
            .map_err(|e| self.db_err(e))?
            .iter()
            .map(RunSummary::of)
            .collect();
        Ok(Conversation {
            summary,
            messages,
            runs,
        })
    }

    /// `GET /api/v1/capabilities`: who offers what, with breaker health.
    pub fn capabilities(&self) -> Result<Vec<Capability>> {
        let stats =
            store::delivery_stats(lock(&self.inner.store).conn()).map_err(|e| self.db_err(e))?;
        let deployed = self.deployed();
        let reg = &deployed.registry;
        let now = now_ms();
        Ok(reg
            .capabilities()
            .iter()
            .map(|c| Capability {
                capability: c.clone(),
                providers: reg
                    .providers(c)
                    .iter()
                    .map(|&i| {
                        let s = &reg.slots()[i];
                        let b = *s.live.breaker();
                        let d = stats.get(&s.id).cloned().unwrap_or_default();
                        Provider {
                            agent: s.id.clone(),
                            kind: s.kind,
                            health: b.health(now, &self.inner.policy),
                            in_flight: s.live.in_flight.load(Ordering::Relaxed),
                            consecutive_failures: b.consecutive_failures,
                            deliveries: d.deliveries,
                            failures: d.failures,
                            last_error: d.last_error,
                        }
                    })
                    .collect(),
            })
            .collect())
    }

    /// Counters for `/metrics`.
    pub fn metrics(&self) -> Result<Snapshot> {
        let (active, total) = store::conversation_counts(lock(&self.inner.store).conn())
            .map_err(|e| self.db_err(e))?;
        Ok(self.inner.metrics.snapshot(active, total))
    }
}

struct Inserted {
    all: Vec<Message>,
    new: HashSet<String>,
    jobs: Vec<Job>,
}

/// Send one message and deliver it in this process: the CLI's path when no
/// daemon runs. Delivers until the conversation has nothing queued (or
/// `wait` passes) and returns the reply when `wait` is given.
pub fn send_in_process(cx: &Caxton, new: NewMessage, wait: Option<Duration>) -> Result<SendReport> {
    send_here(cx, new, wait, None)
}

/// [`send_in_process`] with `watch` following the run that handles the
/// message (`caxton mcp serve` without a daemon).
pub fn ask_in_process(
    cx: &Caxton,
    new: NewMessage,
    wait: Duration,
    watch: Watch,
) -> Result<SendReport> {
    send_here(cx, new, Some(wait), Some(watch))
}

fn send_here(
    cx: &Caxton,
    new: NewMessage,
    wait: Option<Duration>,
    watch: Option<Watch>,
) -> Result<SendReport> {
    let rt = Arc::new(wasm::runtime(cx));
    let messenger = Messenger::open(cx, rt)?;
    let budget = wait.unwrap_or(Duration::from_secs(30));
    let deadline = Instant::now() + budget;
    let mut report = match wait {
        Some(w) => messenger.ask(new, w, watch)?,
        None => messenger.send(new)?,
    };
    messenger.run_until_idle(Some(deadline))?;
    if wait.is_some() && report.reply.is_none() {
        report.reply = messenger.reply_to(&report.message)?;
    }
    report.message = messenger
        .message(&report.message.message_id)?
        .unwrap_or(report.message);
    report.pending = messenger.pending()?;
    Ok(report)
}
