//! Following one message's delivery while it runs: a protocol client that
//! asked for progress (MCP `notifications/progress`) or may cancel
//! (`notifications/cancelled`, a client gone away) registers a [`Watch`]
//! under the message's id before sending it; the config agent run that
//! handles the message reports its steps to it and stops when it says so.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::runtime::run::RunEvent;

/// What a watcher is told of a run: each step, as it happens.
pub type OnEvent = Arc<dyn Fn(RunEvent<'_>) + Send + Sync>;

/// One watcher of one message.
#[derive(Clone, Default)]
pub struct Watch {
    /// Told each step of the config agent run handling the message; runs
    /// on the delivering thread, so it must not block.
    pub on_event: Option<OnEvent>,
    /// Set to stop that run (checked between model calls and tool calls).
    pub stop: Arc<AtomicBool>,
}

impl Watch {
    /// Ask the run to stop.
    pub fn cancel(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The watches of a messenger, by message id.
#[derive(Default)]
pub(super) struct Watches(Mutex<HashMap<String, Watch>>);

impl Watches {
    pub(super) fn insert(&self, id: &str, w: Watch) {
        self.lock().insert(id.to_string(), w);
    }

    pub(super) fn remove(&self, id: &str) {
        self.lock().remove(id);
    }

    pub(super) fn get(&self, id: &str) -> Option<Watch> {
        self.lock().get(id).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Watch>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
