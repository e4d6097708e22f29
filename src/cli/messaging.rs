//! `caxton message send|recover`, `caxton conversations list|show`,
//! `caxton capabilities list`: parse, call `messaging`, render.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use clap::Subcommand;

use super::agents::time;
use super::output::{self, DIM, Output};
use crate::Caxton;
use crate::agent::{catalog, wasm};
use crate::error::{Error, ExitCode, Result};
use crate::messaging::{
    Conversation, Message, Messenger, NewMessage, Performative, RunSummary, SendReport, State,
};
use crate::server::client;

#[derive(Debug, Subcommand)]
pub enum MessageCommand {
    /// Send a message to whichever agent offers a capability
    Send(Box<SendArgs>),
    /// Deliver messages stored but never delivered (after a crash); each once
    Recover,
}

#[derive(Debug, clap::Args)]
pub struct SendArgs {
    /// Capability to address (e.g. text-stats)
    #[arg(long, required_unless_present = "receiver")]
    capability: Option<String>,
    /// Agent id to address directly instead of a capability
    #[arg(long)]
    receiver: Option<String>,
    /// request, inform, query, propose, accept_proposal, reject_proposal,
    /// agree, refuse, failure or not_understood (any case)
    #[arg(long, default_value = "request")]
    performative: String,
    /// Text, or JSON when it starts with `{` or `[`
    #[arg(long)]
    content: String,
    /// Continue an existing conversation
    #[arg(long, value_name = "ID")]
    conversation: Option<String>,
    /// Message id (a retry with the same id is not delivered twice)
    #[arg(long, value_name = "ID")]
    message_id: Option<String>,
    /// FIPA-ACL reply_with: the answer carries it back as in_reply_to
    #[arg(long, value_name = "ID")]
    reply_with: Option<String>,
    /// FIPA-ACL in_reply_to: the message (id or reply_with) this answers
    #[arg(long, value_name = "ID")]
    in_reply_to: Option<String>,
    /// Deliver an `inform` to every agent offering the capability
    #[arg(long)]
    broadcast: bool,
    /// Wait up to this long for the reply and print it (e.g. 30s)
    #[arg(long, value_name = "DURATION", value_parser = super::args::duration)]
    wait: Option<Duration>,
}

#[derive(Debug, Subcommand)]
pub enum ConversationsCommand {
    /// Conversations, most recently active first
    List {
        /// Show at most this many
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// The messages of a conversation as a tree of who answered whom
    Show {
        id: String,
        /// Keep printing new messages until none of the conversation is pending
        #[arg(long)]
        follow: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum CapabilitiesCommand {
    /// Every capability, the agents offering it and their health
    List,
}

fn messenger(cx: &Caxton) -> Result<Messenger> {
    Messenger::open(cx, Arc::new(wasm::runtime(cx)))
}

pub fn run_message(cx: &Caxton, cmd: MessageCommand, out: &Output) -> Result<ExitCode> {
    match cmd {
        MessageCommand::Send(args) => {
            let SendArgs {
                capability,
                receiver,
                performative,
                content,
                conversation,
                message_id,
                reply_with,
                in_reply_to,
                broadcast,
                wait,
            } = *args;
            let new = NewMessage {
                message_id,
                performative,
                sender: None,
                receiver,
                capability,
                content: serde_json::Value::String(content),
                conversation_id: conversation,
                reply_with,
                in_reply_to,
                broadcast,
            };
            let report = client::send_message(cx, new, wait)?;
            let failed = report
                .reply
                .as_ref()
                .is_some_and(|r| r.performative == Performative::Failure);
            if out.json {
                out.json(&report);
            } else {
                render_send(&report, wait.is_some(), out);
            }
            Ok(if failed {
                ExitCode::Failure
            } else {
                ExitCode::Ok
            })
        }
        MessageCommand::Recover => {
            let m = messenger(cx)?;
            let recovered = m.recover()?;
            let delivered = m.run_until_idle(None)?;
            if out.json {
                out.json(&serde_json::json!({
                    "queued": recovered.queued,
                    "deliveries": delivered,
                    "pending": m.pending()?,
                }));
            } else {
                out.line(format!(
                    "{} {} undelivered message(s) recovered, {delivered} delivery(ies) run",
                    output::glyph(None),
                    recovered.queued
                ));
            }
            Ok(ExitCode::Ok)
        }
    }
}

fn render_send(r: &SendReport, waited: bool, out: &Output) {
    let m = &r.message;
    let to = if r.receivers.is_empty() {
        m.receiver.clone().unwrap_or_else(|| "nobody".into())
    } else {
        r.receivers.join(", ")
    };
    let what = m
        .capability
        .as_deref()
        .map_or_else(|| to.clone(), |c| format!("{c} → {to}"));
    if r.duplicate {
        out.line(format!(
            "{} message {} was already sent ({}); not sent again",
            output::glyph(None),
            m.message_id,
            m.state.as_str()
        ));
    } else {
        out.line(format!(
            "{} {} {} to {what} ({})",
            output::glyph(None),
            m.performative,
            m.message_id,
            m.state.as_str()
        ));
    }
    out.line(format!("  conversation: {}", r.conversation_id));
    if r.pending > 0 {
        out.line(format!(
            "  {} message(s) still pending: `caxton message recover` delivers them",
            r.pending
        ));
    }
    match (&r.reply, waited) {
        (Some(reply), _) => {
            out.line(format!("{} from {}:", reply.performative, reply.sender));
            out.json(&reply.content);
        }
        (None, true) => out.line("no reply (the message does not expect one)"),
        (None, false) => {}
    }
}

pub fn run_conversations(cx: &Caxton, cmd: ConversationsCommand, out: &Output) -> Result<ExitCode> {
    match cmd {
        ConversationsCommand::List { limit } => {
            let list = match cx.store_if_exists()? {
                Some(_) => messenger(cx)?.conversations(limit)?,
                None => Vec::new(),
            };
            if out.json {
                out.json(&list);
                return Ok(ExitCode::Ok);
            }
            if list.is_empty() {
                out.line("no conversations yet: `caxton message send --capability C --content X` starts one");
                return Ok(ExitCode::Ok);
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|c| {
                    vec![
                        c.conversation_id.clone(),
                        c.message_count.to_string(),
                        c.pending.to_string(),
                        c.failures.to_string(),
                        c.participants.join(","),
                        time(c.updated_at),
                    ]
                })
                .collect();
            out.table(
                &[
                    "CONVERSATION",
                    "MESSAGES",
                    "PENDING",
                    "FAILURES",
                    "AGENTS",
                    "UPDATED",
                ],
                &rows,
            );
            Ok(ExitCode::Ok)
        }
        ConversationsCommand::Show { id, follow } => {
            if cx.store_if_exists()?.is_none() {
                return Err(Error::ConversationNotFound { id });
            }
            let m = messenger(cx)?;
            let c = m.conversation(&id)?;
            if out.json && !follow {
                out.json(&c);
                return Ok(ExitCode::Ok);
            }
            if !out.json {
                out.line(format!(
                    "conversation {} ({} messages, started by {} at {})",
                    c.summary.conversation_id,
                    c.summary.message_count,
                    c.summary.initiator,
                    time(c.summary.created_at)
                ));
                tree(&c, out);
            } else {
                c.messages.iter().for_each(|x| out.line(json_line(x)));
            }
            if follow {
                self::follow(&m, &id, c.messages.len(), out)?;
            }
            Ok(ExitCode::Ok)
        }
    }
}

fn json_line(m: &Message) -> String {
    serde_json::to_string(m).unwrap_or_default()
}

/// Print messages as they arrive (polling the store: the daemon or another
/// process delivers them) until none of the conversation is pending.
fn follow(m: &Messenger, id: &str, mut seen: usize, out: &Output) -> Result<()> {
    loop {
        let c = m.conversation(id)?;
        for x in &c.messages[seen.min(c.messages.len())..] {
            if out.json {
                out.line(json_line(x));
            } else {
                out.line(line(x));
            }
        }
        seen = c.messages.len();
        if c.summary.pending == 0 {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn line(m: &Message) -> String {
    let to = match (&m.receiver, &m.capability) {
        (Some(r), Some(c)) => format!("{c} ({r})"),
        (Some(r), None) => r.clone(),
        (None, Some(c)) => c.clone(),
        (None, None) => "-".into(),
    };
    let content = match &m.content {
        serde_json::Value::String(s) => s.clone(),
        v => v.to_string(),
    };
    let mut content: String = content.chars().take(100).collect();
    if content.len() < m.content.to_string().len().saturating_sub(2) {
        content.push('…');
    }
    let error = m
        .error
        .as_deref()
        .map(|e| format!(" — {e}"))
        .unwrap_or_default();
    let state = match m.state {
        State::Delivered | State::Recorded => format!("{DIM}[{}]{DIM:#}", m.state.as_str()),
        _ => format!("[{}]", m.state.as_str()),
    };
    format!(
        "{} {} → {to} {state} {content}{error}",
        m.performative, m.sender
    )
}

/// Each message under the one whose handling produced it, with the time to
/// its reply (the hop's latency), and under it the config-agent runs that
/// handled it with their tool calls. Runs that opened the conversation
/// (`agents test`, the execute endpoint) come first.
fn tree(c: &Conversation, out: &Output) {
    let messages = &c.messages;
    let ids: std::collections::HashSet<&str> =
        messages.iter().map(|m| m.message_id.as_str()).collect();
    let mut children: HashMap<Option<&str>, Vec<&Message>> = HashMap::new();
    for m in messages {
        let parent = m.parent_id.as_deref().filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(m);
    }
    let mut runs: HashMap<Option<&str>, Vec<&RunSummary>> = HashMap::new();
    for r in &c.runs {
        let handled = r.message_id.as_deref().filter(|m| ids.contains(m));
        runs.entry(handled).or_default().push(r);
    }
    struct Tree<'a> {
        children: HashMap<Option<&'a str>, Vec<&'a Message>>,
        runs: HashMap<Option<&'a str>, Vec<&'a RunSummary>>,
    }
    fn walk(parent: Option<&str>, prefix: &str, t: &Tree<'_>, out: &Output) {
        let kids = t.children.get(&parent).map_or(&[][..], Vec::as_slice);
        let runs = t.runs.get(&parent).map_or(&[][..], Vec::as_slice);
        for r in runs {
            let pad = if parent.is_some() { "   " } else { "" };
            out.line(format!("{prefix}{pad}{DIM}{}{DIM:#}", run_line(r)));
        }
        for (i, m) in kids.iter().enumerate() {
            let last = i + 1 == kids.len();
            let (branch, next) = match (parent, last) {
                (None, _) => ("", String::new()),
                (Some(_), true) => ("└─ ", format!("{prefix}   ")),
                (Some(_), false) => ("├─ ", format!("{prefix}│  ")),
            };
            let replies = t.children.get(&Some(m.message_id.as_str()));
            let latency = replies
                .and_then(|r| {
                    r.iter().find(|x| {
                        Some(&x.sender) == m.receiver.as_ref()
                            && x.receiver.as_deref() == Some(m.sender.as_str())
                    })
                })
                .map(|r| format!(" {DIM}· {} ms{DIM:#}", r.created_at - m.created_at))
                .unwrap_or_default();
            out.line(format!("{prefix}{branch}{}{latency}", line(m)));
            walk(Some(&m.message_id), &next, t, out);
        }
    }
    let t = Tree { children, runs };
    walk(None, "", &t, out);
}

/// `run #12 data-analyzer ok · 2 round(s) · send_message ok 812 ms · 1530 ms (model 700 ms)`.
fn run_line(r: &RunSummary) -> String {
    let calls: Vec<String> = r
        .tool_calls
        .iter()
        .map(|c| {
            let error = c
                .error
                .as_deref()
                .map(|e| format!(" ({})", e.chars().take(80).collect::<String>()))
                .unwrap_or_default();
            format!("{} {} {:.0} ms{error}", c.name, c.outcome, c.duration_ms)
        })
        .collect();
    let tools = if calls.is_empty() {
        "no tool calls".to_string()
    } else {
        calls.join(", ")
    };
    format!(
        "⚙ run #{} {} {} · {} round(s) · {tools} · {:.0} ms (model {:.0} ms)",
        r.run, r.agent, r.status, r.rounds, r.total_ms, r.model_ms
    )
}

pub fn run_capabilities(cx: &Caxton, cmd: CapabilitiesCommand, out: &Output) -> Result<ExitCode> {
    match cmd {
        CapabilitiesCommand::List => {
            // A read-only command: no store and no agent files means nothing
            // to list, and no data directory is created for it.
            let caps = if cx.store_if_exists()?.is_none() && catalog::list(cx)?.is_empty() {
                Vec::new()
            } else {
                messenger(cx)?.capabilities()?
            };
            if out.json {
                out.json(&caps);
                return Ok(ExitCode::Ok);
            }
            if caps.is_empty() {
                out.line("no capabilities: deploy an agent first (`caxton agents deploy`)");
                return Ok(ExitCode::Ok);
            }
            let rows: Vec<Vec<String>> = caps
                .iter()
                .flat_map(|c| {
                    c.providers.iter().map(|p| {
                        vec![
                            c.capability.clone(),
                            p.agent.clone(),
                            format!("{:?}", p.kind).to_lowercase(),
                            p.health.as_str().to_string(),
                            p.in_flight.to_string(),
                            format!("{}/{}", p.failures, p.deliveries),
                            p.last_error.clone().unwrap_or_default(),
                        ]
                    })
                })
                .collect();
            out.table(
                &[
                    "CAPABILITY",
                    "AGENT",
                    "KIND",
                    "HEALTH",
                    "IN-FLIGHT",
                    "FAILED/DELIVERED",
                    "LAST ERROR",
                ],
                &rows,
            );
            Ok(ExitCode::Ok)
        }
    }
}
