//! Agent runtimes: where deployed agent code actually executes. Nothing here
//! knows about HTTP or the CLI; both adapters call the same functions.

pub mod grounding;
pub mod llm;
pub mod memory;
pub mod present;
pub mod records;
pub mod run;
pub mod wasm;
