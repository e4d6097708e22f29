//! Agent definitions: the config-agent format, validation with positions,
//! prompt templates, identity, and the registry of deployed versions.

pub mod catalog;
pub mod diff;
pub mod examples;
pub mod source;
pub mod spec;
pub mod template;
pub mod validate;
pub mod versions;
pub mod wasm;
