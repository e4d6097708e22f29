//! Caxton: a local multi-agent server. The CLI and the daemon are thin
//! adapters over [`Caxton`], the core opened on a data directory.

pub mod agent;
pub mod cli;
pub mod config;
pub mod error;
pub mod init;
pub mod lock;
pub mod memory;
pub mod messaging;
pub mod ops;
pub mod paths;
pub mod runtime;
pub mod store;
pub mod tools;

use config::{Config, Loaded, Overrides};
use error::Result;
use paths::Paths;
use store::Store;

/// The core: configuration, paths and access to the store. Every command,
/// CLI or HTTP, goes through one of these.
#[derive(Clone)]
pub struct Caxton {
    loaded: Loaded,
}

impl Caxton {
    /// Load the configuration from files, the process environment and `ov`.
    pub fn open(ov: &Overrides) -> Result<Caxton> {
        let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
        let loaded = config::load(ov, &|k| std::env::var(k).ok(), &cwd)?;
        Ok(Caxton { loaded })
    }

    pub fn config(&self) -> &Config {
        &self.loaded.config
    }

    pub fn loaded(&self) -> &Loaded {
        &self.loaded
    }

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
