//! The message (README "Messaging between agents"): a FIPA-ACL subset addressed to a capability (or
//! an agent), validated before anything is stored.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::agent::spec::CAPABILITY_PATTERN;
use crate::error::{Error, Result};

/// The performatives Caxton understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Performative {
    /// Ask the receiver to do something (the usual way to run an agent).
    Request,
    /// Tell the receiver a fact or a result.
    Inform,
    /// Ask the receiver for information.
    Query,
    /// Offer to do something, under the conditions in the content.
    Propose,
    /// Accept an earlier `propose`.
    AcceptProposal,
    /// Decline an earlier `propose`.
    RejectProposal,
    /// Commit to doing what a `request` asked.
    Agree,
    /// Decline a `request`, with the reason in the content.
    Refuse,
    /// Report that an agreed action failed.
    Failure,
    /// Say the received message could not be understood.
    NotUnderstood,
}

impl Performative {
    /// The answers that say the request was not done (`failure`, `refuse`,
    /// `not-understood`): protocol clients see them as errors.
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            Performative::Failure | Performative::Refuse | Performative::NotUnderstood
        )
    }

    pub(crate) const ALL: [Performative; 10] = [
        Performative::Request,
        Performative::Inform,
        Performative::Query,
        Performative::Propose,
        Performative::AcceptProposal,
        Performative::RejectProposal,
        Performative::Agree,
        Performative::Refuse,
        Performative::Failure,
        Performative::NotUnderstood,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Performative::Request => "request",
            Performative::Inform => "inform",
            Performative::Query => "query",
            Performative::Propose => "propose",
            Performative::AcceptProposal => "accept_proposal",
            Performative::RejectProposal => "reject_proposal",
            Performative::Agree => "agree",
            Performative::Refuse => "refuse",
            Performative::Failure => "failure",
            Performative::NotUnderstood => "not_understood",
        }
    }

    /// Case-insensitive; `-` and `_` are the same (`Accept-Proposal`).
    pub fn parse(s: &str) -> Option<Performative> {
        let norm = s.trim().to_ascii_lowercase().replace('-', "_");
        Performative::ALL.into_iter().find(|p| p.as_str() == norm)
    }

    /// Whether the receiver's answer goes back to the sender as a reply.
    /// Answers to the others (inform, agree, ...) are acknowledgements and
    /// are not sent anywhere, so two agents informing each other cannot loop.
    pub fn expects_reply(self) -> bool {
        matches!(
            self,
            Performative::Request | Performative::Query | Performative::Propose
        )
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Performative {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a stored message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Stored, waiting for delivery to an agent.
    Pending,
    /// An agent handled it.
    Delivered,
    /// Every delivery attempt failed, or no agent offers the capability.
    Failed,
    /// Refused by loop protection (depth limit or conversation budget).
    Refused,
    /// Addressed to someone outside (a CLI user, an API client): stored only.
    Recorded,
}

impl State {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Delivered => "delivered",
            State::Failed => "failed",
            State::Refused => "refused",
            State::Recorded => "recorded",
        }
    }

    pub(crate) fn parse(s: &str) -> State {
        match s {
            "pending" => State::Pending,
            "delivered" => State::Delivered,
            "failed" => State::Failed,
            "refused" => State::Refused,
            _ => State::Recorded,
        }
    }
}

/// A stored message: the documented message fields (docs/wasm-abi.md "Messaging") plus its place in the conversation
/// tree and its delivery state. This is the JSON of the messaging API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub(crate) message_id: String,
    pub(crate) performative: Performative,
    pub(crate) sender: String,
    pub(crate) receiver: Option<String>,
    pub(crate) capability: Option<String>,
    pub(crate) content: Value,
    pub(crate) conversation_id: String,
    pub(crate) reply_with: Option<String>,
    pub(crate) in_reply_to: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    /// The message whose handling produced this one (reply or send).
    pub parent_id: Option<String>,
    /// Hops from the message that started the conversation.
    pub depth: u32,
    pub(crate) state: State,
    pub(crate) attempts: u32,
    pub(crate) error: Option<String>,
    pub(crate) delivered_at: Option<i64>,
    /// The W3C `traceparent` of the span that sent it (only with trace
    /// export on), so its delivery, even after a restart, continues the
    /// sender's trace: a conversation across agents is one trace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
}

/// A message as a client or an agent sends it (the body of
/// `POST /api/v1/messages`, the payload of the `send_message` host function).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    /// The client's id for the message; a retry with the same id is not
    /// sent again. Generated when absent.
    #[serde(default)]
    pub message_id: Option<String>,
    /// One of the [`Performative`] names in snake_case, e.g. `request`.
    pub performative: String,
    /// Who sends it: an agent id, or `cli` when absent.
    #[serde(default)]
    pub sender: Option<String>,
    /// A receiving agent's id; a message needs this or a `capability`.
    #[serde(default)]
    pub receiver: Option<String>,
    /// The capability addressed: any agent offering it may receive it.
    #[serde(default)]
    pub capability: Option<String>,
    /// The payload: JSON, or text (a string that parses as JSON is taken
    /// as JSON). Required, within `messaging.max_message_bytes`.
    #[serde(default)]
    pub content: Value,
    /// The conversation to continue; a new one is opened when absent.
    #[serde(default)]
    pub conversation_id: Option<String>,
    /// A token the receiver's reply will carry in `in_reply_to`.
    #[serde(default)]
    pub reply_with: Option<String>,
    /// The `reply_with` of the message this one answers.
    #[serde(default)]
    pub in_reply_to: Option<String>,
    /// Deliver an `inform` to every agent offering the capability.
    #[serde(default)]
    pub broadcast: bool,
}

/// A [`NewMessage`] that passed validation, before ids are assigned.
#[derive(Debug, Clone)]
pub struct Valid {
    pub message_id: Option<String>,
    pub performative: Performative,
    pub sender: String,
    pub receiver: Option<String>,
    pub capability: Option<String>,
    pub content: Value,
    pub conversation_id: Option<String>,
    pub reply_with: Option<String>,
    pub in_reply_to: Option<String>,
    pub broadcast: bool,
}

static CAPABILITY: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(CAPABILITY_PATTERN).expect("valid capability pattern"));

/// The longest id, sender or receiver accepted.
const MAX_ID: usize = 128;

fn invalid(field: &str, message: String, hint: &str) -> Error {
    Error::MessageInvalid {
        field: field.to_string(),
        message,
        hint: hint.to_string(),
    }
}

/// A text that starts like a JSON object or array must be one.
pub fn parse_content(text: &str) -> Result<Value> {
    let t = text.trim_start();
    if t.starts_with('{') || t.starts_with('[') {
        serde_json::from_str(text).map_err(|e| {
            invalid(
                "content",
                format!("content looks like JSON but is not valid JSON: {e}"),
                "fix the JSON, or send plain text that does not start with `{` or `[`",
            )
        })
    } else {
        Ok(Value::String(text.to_string()))
    }
}

fn check_id(field: &str, value: &Option<String>) -> Result<Option<String>> {
    let Some(v) = value else { return Ok(None) };
    let v = v.trim();
    if v.is_empty() || v.len() > MAX_ID || v.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(invalid(
            field,
            format!("`{field}` must be 1–{MAX_ID} printable characters without spaces"),
            "use an id such as a UUID, or leave it out to get one",
        ));
    }
    Ok(Some(v.to_string()))
}

impl NewMessage {
    /// Check everything that does not need the store: a known performative,
    /// an address, identifiers, content (a string that looks like JSON must
    /// parse) and the size limit.
    pub fn validate(self, max_bytes: u64) -> Result<Valid> {
        let performative = Performative::parse(&self.performative).ok_or_else(|| {
            invalid(
                "performative",
                format!("unknown performative `{}`", self.performative),
                &format!(
                    "use one of {}",
                    Performative::ALL.map(Performative::as_str).join(", ")
                ),
            )
        })?;
        let capability = match self.capability.as_deref().map(str::trim) {
            Some(c) if !CAPABILITY.is_match(c) => {
                return Err(invalid(
                    "capability",
                    format!("`{c}` is not a valid capability name"),
                    "lowercase words joined by `.`, `_` or `-`, e.g. text-stats; `caxton capabilities list` shows what exists",
                ));
            }
            c => c.map(str::to_string),
        };
        let receiver = check_id("receiver", &self.receiver)?;
        if capability.is_none() && receiver.is_none() {
            return Err(invalid(
                "capability",
                "a message needs a `capability` (or a `receiver`)".into(),
                "address it to what you need done, e.g. --capability text-stats",
            ));
        }
        if self.broadcast && performative != Performative::Inform {
            return Err(invalid(
                "broadcast",
                format!("only `inform` can be broadcast, not `{performative}`"),
                "send a request to one provider, or broadcast an inform",
            ));
        }
        if self.broadcast && capability.is_none() {
            return Err(invalid(
                "broadcast",
                "a broadcast needs a `capability`".into(),
                "every agent offering that capability receives it",
            ));
        }
        let content = match self.content {
            Value::String(s) => parse_content(&s)?,
            Value::Null => {
                return Err(invalid(
                    "content",
                    "the message has no content".into(),
                    "send text or JSON, e.g. --content 'count these words'",
                ));
            }
            v => v,
        };
        let size = serde_json::to_vec(&content).map_or(0, |v| v.len()) as u64;
        if size > max_bytes {
            return Err(Error::MessageTooLarge {
                size,
                limit: max_bytes,
            });
        }
        let sender = check_id("sender", &self.sender)?.unwrap_or_else(|| "cli".to_string());
        Ok(Valid {
            message_id: check_id("message_id", &self.message_id)?,
            performative,
            sender,
            receiver,
            capability,
            content,
            conversation_id: check_id("conversation_id", &self.conversation_id)?,
            reply_with: check_id("reply_with", &self.reply_with)?,
            in_reply_to: check_id("in_reply_to", &self.in_reply_to)?,
            broadcast: self.broadcast,
        })
    }
}

impl Valid {
    /// The message to store, pending delivery.
    pub fn into_message(
        self,
        message_id: String,
        conversation_id: String,
        parent_id: Option<String>,
        depth: u32,
        now: i64,
    ) -> Message {
        Message {
            message_id,
            performative: self.performative,
            sender: self.sender,
            receiver: self.receiver,
            capability: self.capability,
            content: self.content,
            conversation_id,
            reply_with: self.reply_with,
            in_reply_to: self.in_reply_to,
            created_at: now,
            parent_id,
            depth,
            state: State::Pending,
            attempts: 0,
            error: None,
            delivered_at: None,
            traceparent: crate::trace::current_traceparent(),
        }
    }
}

/// A time-ordered UUID (version 7: Unix milliseconds, then random bits) for
/// message and conversation ids. New ids sort after older ones, so the store
/// appends to its indexes instead of touching a random page per message.
pub fn new_id() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        // No OS randomness: a process-wide counter still gives unique ids.
        static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        b[8..].copy_from_slice(&n.to_le_bytes());
    }
    let ms = crate::clock::now_ms() as u64;
    b[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
    uuid(b)
}

/// 16 bytes as a version 7 UUID (the first 6 bytes are the time).
pub fn uuid(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x70;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// The time prefix (6 bytes) of a UUID made by [`new_id`], if `id` is one.
pub fn time_prefix(id: &str) -> Option<[u8; 6]> {
    let hex: String = id.chars().filter(|c| *c != '-').take(12).collect();
    let mut out = [0u8; 6];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(p: &str, content: Value) -> NewMessage {
        NewMessage {
            performative: p.into(),
            capability: Some("text-stats".into()),
            content,
            ..Default::default()
        }
    }

    #[test]
    fn performatives_are_case_insensitive_in_and_lowercase_out() {
        assert_eq!(
            Performative::parse("Accept-Proposal"),
            Some(Performative::AcceptProposal)
        );
        assert_eq!(Performative::parse("REQUEST"), Some(Performative::Request));
        assert_eq!(
            serde_json::to_value(Performative::NotUnderstood).unwrap(),
            "not_understood"
        );
        for p in Performative::ALL {
            assert_eq!(Performative::parse(p.as_str()), Some(p));
        }
    }

    #[test]
    fn validation_catches_each_mistake() {
        let e = msg("ask", "x".into()).validate(100).unwrap_err();
        assert_eq!(e.code(), "message_invalid");
        let e = msg("request", "{oops".into()).validate(100).unwrap_err();
        assert!(e.to_string().contains("not valid JSON"), "{e}");
        let v = msg("request", "{\"a\": 1}".into()).validate(100).unwrap();
        assert_eq!(v.content["a"], 1);
        let e = msg("request", "x".repeat(200).into())
            .validate(100)
            .unwrap_err();
        assert_eq!(e.code(), "message_too_large");
        let mut m = msg("request", "x".into());
        m.broadcast = true;
        assert!(m.validate(100).is_err());
        let mut m = msg("request", "x".into());
        m.capability = Some("Bad Cap".into());
        assert!(m.validate(100).is_err());
    }

    #[test]
    fn ids_are_uuids() {
        let (a, b) = (new_id(), new_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "7");
        assert!(a < new_id() || a[..13] == new_id()[..13], "time-ordered");
        assert_eq!(time_prefix(&a).unwrap()[..5], time_prefix(&b).unwrap()[..5]);
    }
}
