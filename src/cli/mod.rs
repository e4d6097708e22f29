//! The command line: clap definitions and dispatch. Each command group has
//! its own file (or directory, one file per subcommand group); they parse,
//! call the core, and render through `output`. Flag values share the
//! parsers of `args`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::Caxton;
use crate::config::Overrides;
use crate::error::{ExitCode, Result};

mod agents;
mod args;
mod backup;
mod mcp;
mod memory;
mod messaging;
mod meta;
pub mod output;
mod server;
mod storage;
mod tools;

/// Caxton: a local multi-agent server with embedded memory.
#[derive(Debug, Parser)]
#[command(
    name = "caxton",
    version,
    about,
    propagate_version = true,
    max_term_width = 100
)]
// Doc comments on clap types and fields are --help text (checked against
// man/ and completions/), so the missing ones stay missing.
#[allow(missing_docs)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
#[allow(missing_docs)] // --help text, as for `Cli`
pub struct Global {
    /// Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]
    #[arg(long, global = true, value_name = "DIR")]
    pub agents_dir: Option<PathBuf>,
    /// Print machine-readable JSON
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
#[allow(missing_docs)] // --help text, as for `Cli`
pub enum Command {
    /// Create a data directory with a sample config and the example agents
    Init {
        /// Data directory to create [default: the configured data directory]
        dir: Option<PathBuf>,
    },
    /// Validate, deploy, inspect and roll back agents
    #[command(subcommand, visible_alias = "agent")]
    Agents(agents::AgentsCommand),
    /// Knowledge-graph memory: entities, observations, relations, search
    #[command(subcommand)]
    Memory(memory::MemoryCommand),
    /// Serve Caxton's memory to MCP clients (`mcp serve`: stdio)
    #[command(subcommand)]
    Mcp(mcp::McpCommand),
    /// List and run built-in tools
    #[command(subcommand, visible_alias = "tool")]
    Tools(tools::ToolsCommand),
    /// Show the effective server configuration
    #[command(subcommand)]
    Config(meta::ConfigCommand),
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page, or write every page into a directory
    Man {
        /// Write caxton.1 and one page per subcommand into DIR
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Back up the store, verify a backup, prune old backups
    Backup(backup::BackupArgs),
    /// Restore a verified backup (refused while a daemon uses the data directory)
    Restore(backup::RestoreArgs),
    /// Verify and repair the database, safe mode, corruption level
    #[command(subcommand)]
    Storage(storage::StorageCommand),
    /// Run the daemon (`server start`) or check on it (`server status`)
    #[command(subcommand)]
    Server(server::ServerCommand),
    /// Stop the running daemon (waits until it has exited)
    Shutdown {
        /// Let in-flight executions finish (up to --timeout) before stopping
        #[arg(long)]
        graceful: bool,
        /// How long in-flight executions may take with --graceful
        #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = args::duration)]
        timeout: std::time::Duration,
    },
    /// Rescan the agents directory in the running daemon now
    Reload {
        /// Reload only this agent (id, name or file stem)
        #[arg(long, value_name = "NAME")]
        agent: Option<String>,
    },
    /// Send messages to agents by capability; recover undelivered ones
    #[command(subcommand, visible_alias = "messages")]
    Message(messaging::MessageCommand),
    /// Conversations between agents: list them, show one as a tree
    #[command(subcommand, visible_alias = "conversation")]
    Conversations(messaging::ConversationsCommand),
    /// Capabilities of the deployed agents, who offers them, their health
    #[command(subcommand, visible_alias = "capability")]
    Capabilities(messaging::CapabilitiesCommand),
}

/// `caxton tool-worker` (and nothing after it): run one tool call read from
/// stdin and answer on stdout, as the worker process of `tools::isolate`.
/// Recognised before clap parses, so this internal command stays out of
/// `--help`, the man pages and the completions; it reads no configuration
/// and opens no data directory. `None` when the command line is another.
pub fn tool_worker() -> Option<u8> {
    let mut args = std::env::args_os().skip(1);
    let asked =
        args.next().as_deref() == Some(std::ffi::OsStr::new(crate::tools::isolate::WORKER_COMMAND));
    (asked && args.next().is_none()).then(crate::tools::isolate::worker_main)
}

/// Run a parsed command; returns the exit code for a command that finished
/// and printed its own outcome (e.g. validation with errors).
pub fn run(cli: Cli) -> Result<ExitCode> {
    // Every other command runs its hostile-input tools in workers.
    crate::tools::isolate::enable();
    let out = output::Output::new(cli.global.json);
    let ov = Overrides {
        config: cli.global.config.clone(),
        data_dir: cli.global.data_dir.clone(),
        agents_dir: cli.global.agents_dir.clone(),
    };
    let open = || -> Result<Caxton> {
        let cx = Caxton::open(&ov)?;
        for w in &cx.loaded().warnings {
            out.warn(w);
        }
        Ok(cx)
    };
    match cli.command {
        Command::Completions { shell } => meta::completions(shell),
        Command::Man { dir } => meta::man(dir.as_deref()),
        Command::Init { dir } => meta::init(&open()?, dir, &out),
        Command::Agents(c) => agents::run(&open()?, c, &out),
        Command::Tools(c) => tools::run(&open()?, c, &out),
        // The runbook passes the backend's connection file as `--config`:
        // for this one command it names that file, not a server config.
        Command::Memory(memory::MemoryCommand::TestConnection(a))
            if cli.global.config.is_some() =>
        {
            let cx = Caxton::open(&Overrides {
                config: None,
                ..ov.clone()
            })?;
            memory::test_connection(&cx, a.backend, cli.global.config.as_deref(), &out)
        }
        Command::Memory(c) => memory::run(&open()?, c, &out),
        Command::Mcp(c) => mcp::run(&open()?, c, &out),
        Command::Config(c) => meta::config(&open()?, c, &out),
        Command::Backup(a) => backup::run(&open()?, a, &out),
        Command::Restore(a) => backup::restore(
            &open()?,
            a,
            cli.global.data_dir.as_deref(),
            cli.global.agents_dir.as_deref(),
            &out,
        ),
        Command::Storage(c) => storage::run(&open()?, c, &out),
        Command::Server(c) => server::run(&ov, open()?, c, &out),
        Command::Shutdown { graceful, timeout } => {
            server::shutdown(&open()?, graceful, timeout, &out)
        }
        Command::Reload { agent } => agents::reload::reload(&open()?, agent.as_deref(), &out),
        Command::Message(c) => messaging::run_message(&open()?, c, &out),
        Command::Conversations(c) => messaging::run_conversations(&open()?, c, &out),
        Command::Capabilities(c) => messaging::run_capabilities(&open()?, c, &out),
    }
}
