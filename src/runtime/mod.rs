//! Agent runtimes: where deployed agent code actually executes. Nothing here
//! knows about HTTP or the CLI; both adapters call the same functions.

pub(crate) mod grounding;
pub mod llm;
pub(crate) mod memory;
pub(crate) mod present;
pub(crate) mod records;
pub mod run;
pub mod wasm;
