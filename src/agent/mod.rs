//! Agent definitions: the config-agent format, validation with positions,
//! prompt templates, identity, and the registry of deployed versions.
//!
//! [`Agent`] is a deployed agent of either kind; [`resolve`] is the one
//! lookup by name every command and route uses, and [`Summary`] the one
//! JSON shape of an agent in `agents list|show --json`.

use serde::{Deserialize, Serialize};

use crate::Caxton;
use crate::diagnostics::Diagnostic;
use crate::error::{Error, Result};
use crate::runtime::wasm::{Limits, ModuleInfo};
use catalog::{Entry, Status};
use versions::VersionRecord;
use wasm::{SecurityPolicy, WasmAgent};

pub(crate) mod catalog;
pub(crate) mod diff;
pub(crate) mod examples;
pub(crate) mod history;
pub(crate) mod source;
pub mod spec;
pub(crate) mod template;
pub mod validate;
pub(crate) mod versions;
pub mod wasm;
pub(crate) mod wasm_minutes;

/// How an agent runs: a config agent is a TOML file driven by an LLM loop,
/// a WASM agent a module run in the sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A TOML file in the agents directory, run by the LLM loop.
    Config,
    /// A WebAssembly module deployed to the store, run in the sandbox.
    Wasm,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Config => "config",
            Kind::Wasm => "wasm",
        }
    }
}

/// A deployed agent: a config agent from the agents directory, or a WASM
/// agent from the store.
// Agents are few and short-lived (one per command or listing row), so the
// size difference between the variants costs nothing worth a Box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Agent {
    /// A config agent: its file and validation report.
    Config(Entry),
    /// A deployed WASM agent: its manifest and module.
    Wasm(WasmAgent),
}

impl Agent {
    pub(crate) fn id(&self) -> &str {
        match self {
            Agent::Config(e) => &e.id,
            Agent::Wasm(a) => &a.id,
        }
    }

    pub(crate) fn name(&self) -> &str {
        match self {
            Agent::Config(e) => e.name(),
            Agent::Wasm(a) => a.name(),
        }
    }

    pub(crate) fn kind(&self) -> Kind {
        match self {
            Agent::Config(_) => Kind::Config,
            Agent::Wasm(_) => Kind::Wasm,
        }
    }

    /// A stored WASM agent is always `deployed`.
    pub fn status(&self) -> Status {
        match self {
            Agent::Config(e) => e.status,
            Agent::Wasm(_) => Status::Deployed,
        }
    }

    pub(crate) fn capabilities(&self) -> &[String] {
        match self {
            Agent::Config(e) => e.report.spec.as_ref().map_or(&[], |s| &s.capabilities),
            Agent::Wasm(a) => &a.manifest.capabilities,
        }
    }

    /// Deployed versions, newest first.
    pub fn history(&self) -> &[VersionRecord] {
        match self {
            Agent::Config(e) => &e.history,
            Agent::Wasm(a) => &a.history,
        }
    }

    pub(crate) fn summary(&self) -> Summary<'_> {
        let detail = match self {
            Agent::Config(e) => {
                let spec = e.report.spec.as_ref();
                Detail::Config {
                    description: spec.and_then(|s| s.description.as_deref()),
                    capabilities: self.capabilities(),
                    tools: spec.map_or(&[], |s| &s.tools),
                    file: e.file(),
                }
            }
            Agent::Wasm(a) => Detail::Wasm {
                capabilities: self.capabilities(),
                resource_limits: &a.manifest.resource_limits,
                security_policy: &a.manifest.security_policy,
                module: &a.module,
            },
        };
        Summary {
            id: self.id(),
            name: self.name(),
            kind: self.kind(),
            status: self.status(),
            version: match self {
                Agent::Config(e) => e.report.version(),
                Agent::Wasm(a) => Some(a.version()),
            },
            detail,
            deployed_version: self.history().first(),
            versions: self.history().len(),
            errors: match self {
                Agent::Config(e) => Some(e.report.errors().collect()),
                Agent::Wasm(_) => None,
            },
        }
    }
}

/// An agent as `agents list --json` and `agents show --json` print it.
#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    pub(crate) id: &'a str,
    pub(crate) name: &'a str,
    #[serde(rename = "type")]
    pub(crate) kind: Kind,
    pub(crate) status: Status,
    pub(crate) version: Option<&'a str>,
    #[serde(flatten)]
    pub(crate) detail: Detail<'a>,
    pub(crate) deployed_version: Option<&'a VersionRecord>,
    pub(crate) versions: usize,
    /// A config agent's validation errors (empty when its file is valid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<&'a Diagnostic>>,
}

/// What a [`Summary`] says that depends on the kind.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum Detail<'a> {
    Config {
        description: Option<&'a str>,
        capabilities: &'a [String],
        tools: &'a [String],
        file: &'a std::path::Path,
    },
    Wasm {
        capabilities: &'a [String],
        resource_limits: &'a Limits,
        security_policy: &'a SecurityPolicy,
        module: &'a ModuleInfo,
    },
}

/// The agent called `name` (id, name or file stem, case-insensitively), of
/// either kind. A miss suggests the closest names of both kinds.
pub fn resolve(cx: &Caxton, name: &str) -> Result<Agent> {
    if let Some(a) = wasm::find(cx, name)? {
        return Ok(Agent::Wasm(a));
    }
    match catalog::resolve(cx, name) {
        Ok(e) => Ok(Agent::Config(e)),
        Err(Error::AgentNotFound { name: n, .. }) => {
            let ids: Vec<String> = list(cx, None, None)?
                .iter()
                .map(|a| a.id().to_string())
                .collect();
            Err(Error::AgentNotFound {
                suggestions: crate::tools::closest(name, ids.iter().map(String::as_str)),
                name: n,
            })
        }
        Err(e) => Err(e),
    }
}

/// Deployed agents of both kinds (config agents first) matching the filters.
pub fn list(cx: &Caxton, kind: Option<Kind>, status: Option<Status>) -> Result<Vec<Agent>> {
    let mut all: Vec<Agent> = Vec::new();
    if kind != Some(Kind::Wasm) {
        all.extend(
            catalog::list(cx)?
                .into_iter()
                .filter(|e| status.is_none_or(|s| s == e.status))
                .map(Agent::Config),
        );
    }
    if kind != Some(Kind::Config) && status.is_none_or(|s| s == Status::Deployed) {
        all.extend(wasm::list(cx)?.into_iter().map(Agent::Wasm));
    }
    Ok(all)
}
