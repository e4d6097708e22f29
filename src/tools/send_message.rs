//! `send_message`: a config agent asks (or tells) another agent by capability,
//! from inside its run. The tool only validates the arguments and works out
//! how long a `request` may wait; routing, loop protection and delivery are
//! the messaging layer's, reached through [`Messaging`], which the caller
//! (message delivery, `agents test`, the daemon's execute endpoint) builds
//! for the agent being run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::{GroundedArg, Tool, ToolContext, ToolError, exclusive, parse_args, schema_of};

/// Who a message goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// Whichever healthy agent offers it.
    Capability(String),
    /// One agent by id.
    Agent(String),
}

/// What the agent being run may ask of the others.
pub trait Messaging: Send + Sync {
    /// The conversation the run takes part in (none before a run without a
    /// message sent anything) and the message it handles, if any.
    fn conversation(&self) -> (Option<String>, Option<String>);
    /// Who else is deployed: `(capability, providers)` for every capability
    /// another agent offers (the caller's own are left out).
    fn peers(&self) -> Vec<(String, Vec<String>)>;
    /// Send `content` to `to` as `performative` (`request` or `inform`).
    /// With `wait`, wait that long for the reply and return its content;
    /// without, return at once what was sent.
    fn send(
        &self,
        to: &Address,
        content: &str,
        performative: &str,
        wait: Option<Duration>,
    ) -> Result<Value, ToolError>;
}

/// A [`Messaging`] in a [`ToolContext`], with the run's deadline.
#[derive(Clone)]
pub struct MessagingHandle {
    pub via: Arc<dyn Messaging>,
    /// When the run must be done: a `request` waits for its reply until a
    /// [`margin`] before it, so the agent still has time to answer.
    pub deadline: Option<Instant>,
}

impl std::fmt::Debug for MessagingHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessagingHandle")
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

/// The time a run keeps for itself after a reply: a fifth of what is left,
/// at most 5 s, so the model can still write its answer from the reply.
pub fn margin(left: Duration) -> Duration {
    (left / 5).min(Duration::from_secs(5))
}

pub struct SendMessage;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Kind {
    /// Ask, and wait for the answer.
    Request,
    /// Tell, without waiting.
    Inform,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Args {
    /// The capability to ask for, e.g. `data-analysis`: whichever agent offers it answers.
    capability: Option<String>,
    /// An agent id to address directly instead of a capability.
    receiver: Option<String>,
    /// What to ask or tell, in plain words.
    #[schemars(length(min = 1, max = 4000))]
    content: String,
    /// `request` (default) waits for the reply; `inform` does not.
    performative: Option<Kind>,
}

impl Tool for SendMessage {
    fn name(&self) -> &'static str {
        "send_message"
    }
    fn description(&self) -> &'static str {
        "Ask another agent for help by capability (or agent id); with `request` its reply is the result"
    }
    fn parameters(&self) -> Value {
        exclusive(schema_of::<Args>(), &["capability", "receiver"], true)
    }
    fn grounded_args(&self) -> &'static [GroundedArg] {
        &[
            GroundedArg::Capability { name: "capability" },
            GroundedArg::Agent { name: "receiver" },
        ]
    }
    fn run(&self, ctx: &ToolContext, args: Value) -> Result<Value, ToolError> {
        let a: Args = parse_args(self.name(), args)?;
        let to = match (a.capability, a.receiver) {
            (Some(c), None) => Address::Capability(c.trim().to_string()),
            (None, Some(r)) => Address::Agent(r.trim().to_string()),
            _ => {
                return Err(ToolError::invalid_args(
                    self.name(),
                    "give exactly one of `capability` and `receiver`",
                ));
            }
        };
        let h = ctx.messaging.as_ref().ok_or_else(|| ToolError::Denied {
            message: "send_message sends as an agent, and no agent is running here".into(),
            hint: "list it in an agent's `tools`, or pass --agent NAME to `caxton tools run`; `caxton message send` sends as you".into(),
        })?;
        let (performative, wait) = match a.performative.unwrap_or(Kind::Request) {
            Kind::Inform => ("inform", None),
            Kind::Request => {
                // No deadline (an operator at the CLI): a generous bound
                // still keeps the wait finite.
                let left = h.deadline.map_or(Duration::from_secs(300), |d| {
                    d.saturating_duration_since(Instant::now())
                });
                ("request", Some(left.saturating_sub(margin(left))))
            }
        };
        h.via.send(&to, &a.content, performative, wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::invoke;
    use serde_json::json;
    use std::sync::Mutex;

    /// One send: to whom, content, performative, wait.
    type Sent = (Address, String, String, Option<Duration>);

    /// Records what it was asked to send and answers "42".
    struct Recorder {
        sent: Mutex<Vec<Sent>>,
    }

    impl Messaging for Recorder {
        fn conversation(&self) -> (Option<String>, Option<String>) {
            (None, None)
        }
        fn peers(&self) -> Vec<(String, Vec<String>)> {
            Vec::new()
        }
        fn send(
            &self,
            to: &Address,
            content: &str,
            performative: &str,
            wait: Option<Duration>,
        ) -> Result<Value, ToolError> {
            self.sent.lock().unwrap().push((
                to.clone(),
                content.to_string(),
                performative.to_string(),
                wait,
            ));
            Ok(json!("42"))
        }
    }

    fn ctx(via: Arc<Recorder>, deadline: Option<Instant>) -> ToolContext {
        ToolContext {
            workspace: std::env::temp_dir(),
            read_root: None,
            config: Default::default(),
            memory: None,
            messaging: Some(MessagingHandle { via, deadline }),
        }
    }

    #[test]
    fn a_request_waits_within_the_deadline_and_an_inform_does_not() {
        let r = Arc::new(Recorder {
            sent: Mutex::new(Vec::new()),
        });
        let c = ctx(r.clone(), Some(Instant::now() + Duration::from_secs(10)));
        let out = invoke(
            &SendMessage,
            &c,
            json!({"capability": "data-analysis", "content": "sum?"}),
        )
        .unwrap();
        assert_eq!(out, json!("42"));
        invoke(
            &SendMessage,
            &c,
            json!({"receiver": "bob", "content": "fyi", "performative": "inform"}),
        )
        .unwrap();
        let sent = r.sent.lock().unwrap();
        assert_eq!(sent[0].0, Address::Capability("data-analysis".into()));
        assert_eq!(sent[0].2, "request");
        let wait = sent[0].3.unwrap();
        // 10 s left: the margin keeps 2 s of it for the answer.
        assert!(
            wait <= Duration::from_secs(8) && wait > Duration::from_secs(7),
            "{wait:?}"
        );
        assert_eq!(sent[1].0, Address::Agent("bob".into()));
        assert_eq!((sent[1].2.as_str(), sent[1].3), ("inform", None));
    }

    #[test]
    fn both_or_neither_address_is_invalid_and_no_agent_is_denied() {
        let r = Arc::new(Recorder {
            sent: Mutex::new(Vec::new()),
        });
        let c = ctx(r.clone(), None);
        for bad in [
            json!({"content": "x"}),
            json!({"capability": "a", "receiver": "b", "content": "x"}),
            json!({"capability": "a", "content": ""}),
            json!({"capability": "a", "content": "x", "performative": "query"}),
        ] {
            assert!(
                matches!(
                    invoke(&SendMessage, &c, bad.clone()),
                    Err(ToolError::InvalidArgs { .. })
                ),
                "{bad}"
            );
        }
        assert!(r.sent.lock().unwrap().is_empty());
        let none = ToolContext {
            messaging: None,
            ..c
        };
        let e = invoke(
            &SendMessage,
            &none,
            json!({"capability": "a", "content": "x"}),
        );
        assert!(matches!(e, Err(ToolError::Denied { .. })), "{e:?}");
    }

    #[test]
    fn the_margin_is_a_fifth_capped_at_five_seconds() {
        assert_eq!(margin(Duration::from_secs(10)), Duration::from_secs(2));
        assert_eq!(margin(Duration::from_secs(100)), Duration::from_secs(5));
        assert_eq!(margin(Duration::ZERO), Duration::ZERO);
    }
}
