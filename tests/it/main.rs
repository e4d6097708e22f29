//! All integration tests in one binary (one link, shared helpers): each
//! module is one area, run against the real `caxton` binary or library.

mod common;

mod a2a;
mod agent_runs;
mod agents;
mod backup;
mod config_and_meta;
mod daemon;
mod dashboard;
mod delegation;
mod deploy;
mod llm_adapters;
mod local_llm_runs;
mod mcp;
mod mcp_server;
mod memory;
mod memory_postgres;
mod memory_service;
mod messaging;
mod openai_server;
mod otlp;
mod props_outside_input;
mod runbook;
mod security_daemon;
mod security_sandbox;
mod serving;
mod storage;
mod tools;
mod wasm_agents;
mod wasm_extism;
mod wasm_runtime;
mod wasm_toolchains;
