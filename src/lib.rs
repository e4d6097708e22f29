//! Caxton: a local multi-agent server. The CLI and the daemon are thin
//! adapters over [`Caxton`], the core opened on a data directory.

#![warn(missing_docs)]

pub mod agent;
pub mod cli;
mod clock;
pub mod config;
mod diagnostics;
mod error;
mod heap;
pub mod http;
mod human;
mod init;
mod lock;
pub mod memory;
pub mod messaging;
mod ops;
pub mod paths;
pub mod protocol;
pub mod runtime;
mod server;
pub mod store;
mod tools;
mod trace;

/// Counts heap use per thread for the threads that ask (see [`heap`]).
#[global_allocator]
static ALLOCATOR: heap::Counting = heap::Counting;

use config::{Config, Loaded, Overrides};
use error::Result;
use paths::Paths;
use store::Store;

/// The core: configuration, paths and access to the store. Every command,
/// CLI or HTTP, goes through one of these.
#[derive(Clone)]
pub struct Caxton {
    loaded: Loaded,
    /// MCP servers, started on first use and stopped when this is dropped.
    mcp: std::sync::OnceLock<std::sync::Arc<tools::mcp::McpServers>>,
    /// The memory service. Built eagerly (it loads nothing until used) so
    /// every clone of this context shares one model and one vector index.
    memory: std::sync::Arc<memory::Memory>,
}

impl Caxton {
    /// Load the configuration from files, the process environment and `ov`.
    pub fn open(ov: &Overrides) -> Result<Caxton> {
        let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
        let loaded = config::load(ov, &|k| std::env::var(k).ok(), &cwd)?;
        let memory =
            std::sync::Arc::new(memory::Memory::new(&loaded.paths, &loaded.config.memory)?);
        Ok(Caxton {
            loaded,
            mcp: std::sync::OnceLock::new(),
            memory,
        })
    }

    /// The effective configuration.
    pub fn config(&self) -> &Config {
        &self.loaded.config
    }

    /// The configured MCP servers (`[mcp.servers.NAME]`).
    pub fn mcp(&self) -> &std::sync::Arc<tools::mcp::McpServers> {
        self.mcp.get_or_init(|| {
            std::sync::Arc::new(tools::mcp::McpServers::new(
                self.loaded.config.mcp.servers.clone(),
            ))
        })
    }

    /// The memory service: search, embedding and the graph operations.
    pub fn memory(&self) -> &std::sync::Arc<memory::Memory> {
        &self.memory
    }

    /// The configuration with the source of every setting.
    pub fn loaded(&self) -> &Loaded {
        &self.loaded
    }

    /// The data, agents and models directories.
    pub fn paths(&self) -> &Paths {
        &self.loaded.paths
    }

    /// Open the store, creating the data directory and database if needed.
    pub fn store(&self) -> Result<Store> {
        Store::open(&self.paths().db())
    }

    /// Open the store only if it exists; read-only commands use this so they
    /// never create a data directory.
    pub fn store_if_exists(&self) -> Result<Option<Store>> {
        Store::open_existing(&self.paths().db())
    }
}
