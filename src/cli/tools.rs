//! `caxton tools ...`: list the built-in tools and run one directly.

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::{Map, Value, json};

use super::output::{DIM, Output};
use crate::Caxton;
use crate::agent::catalog;
use crate::error::{Error, ExitCode, Result};
use crate::memory::{Access, MemoryScope};
use crate::runtime::memory::AgentMemory;
use crate::tools::memory::MemoryHandle;
use crate::tools::{self, ToolContext};

#[derive(Debug, Subcommand)]
pub enum ToolsCommand {
    /// List tools with their descriptions (and argument schemas with --json)
    List {
        /// Only tools that can be used right now
        #[arg(long)]
        available: bool,
    },
    /// Run a tool directly, as an operator or as a given agent would
    Run {
        /// Tool name, e.g. csv_parser
        name: String,
        /// Arguments as a JSON object, `@FILE` to read them from a file, or `-` for stdin
        #[arg(long, value_name = "JSON", default_value = "{}")]
        args: String,
        /// Run with this agent's [tool_config] and sandbox (its workspace)
        #[arg(long, value_name = "AGENT")]
        agent: Option<String>,
        /// Tool settings as a JSON object, e.g. '{"allow_private_networks": true}'
        #[arg(long, value_name = "JSON", conflicts_with = "agent")]
        tool_config: Option<String>,
        /// Working directory for file_storage and chart output [default: current directory]
        #[arg(long, value_name = "DIR", conflicts_with = "agent")]
        workspace: Option<PathBuf>,
    },
}

pub fn run(cx: &Caxton, cmd: ToolsCommand, out: &Output) -> Result<ExitCode> {
    match cmd {
        ToolsCommand::List { available } => {
            // Built-in tools need nothing external, so every one is available;
            // MCP tools are listed by starting their server.
            let mut list: Vec<Value> = tools::builtin()
                .iter()
                .map(|t| json!({"name": t.name(), "description": t.description(), "available": true, "parameters": t.parameters()}))
                .collect();
            let mcp = cx.mcp();
            for server in mcp.names() {
                match mcp.tools(server) {
                    Ok(offered) => list.extend(offered.into_iter().map(|t| {
                        json!({"name": format!("mcp:{server}/{}", t.name), "description": t.description, "available": true, "parameters": t.input_schema})
                    })),
                    Err(e) => list.push(json!({"name": format!("mcp:{server}/*"), "description": "", "available": false, "error": e.to_string()})),
                }
            }
            list.retain(|t| !available || t["available"] == true);
            if out.json {
                out.json(&list);
            } else {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|t| {
                        let text = t.get("error").unwrap_or(&t["description"]);
                        vec![
                            t["name"].as_str().unwrap_or_default().to_string(),
                            summary(text.as_str().unwrap_or_default()),
                        ]
                    })
                    .collect();
                out.table(&["TOOL", "DESCRIPTION"], &rows);
                out.line(format!("{DIM}agents list tools by name in `tools = [...]`; `caxton tools list --json` shows argument schemas{DIM:#}"));
            }
            Ok(ExitCode::Ok)
        }
        ToolsCommand::Run {
            name,
            args,
            agent,
            tool_config,
            workspace,
        } => {
            let target = match tools::mcp::parse_name(&name) {
                Some((server, tool)) => Target::Mcp(server, tool),
                None => Target::Builtin(tools::find(&name)?),
            };
            let args = parse_json("--args", &read_arg(&args)?)?;
            let ctx = match agent {
                Some(agent) => {
                    let entry = catalog::resolve(cx, &agent)?;
                    let spec = entry
                        .report
                        .spec
                        .as_ref()
                        .ok_or_else(|| entry.report.clone().into_error())?;
                    if !spec.tools.contains(&name) {
                        return Err(Error::Usage {
                            message: format!(
                                "agent `{}` does not list the tool `{name}`",
                                entry.id
                            ),
                            hint: format!(
                                "add \"{name}\" to `tools` in {}",
                                entry.file().display()
                            ),
                        });
                    }
                    let workspace = cx.paths().workspace(&entry.id);
                    let scope = spec.memory.as_ref().and_then(|m| m.scope);
                    let access = Access {
                        agent: Some(entry.id.clone()),
                        workspace: Some(crate::runtime::run::WORKSPACE.into()),
                        write_scope: scope.unwrap_or(MemoryScope::Agent),
                    };
                    ToolContext {
                        read_root: Some(workspace.clone()),
                        workspace,
                        config: spec.tool_config.get(&name).cloned().unwrap_or_default(),
                        memory: Some(memory_for(cx, access)),
                        messaging: super::agents::run::delegation(cx, spec)?,
                    }
                }
                None => {
                    let config = match tool_config {
                        Some(s) => match parse_json("--tool-config", &s)? {
                            Value::Object(m) => m,
                            _ => return Err(usage("--tool-config must be a JSON object")),
                        },
                        None => Map::new(),
                    };
                    let cwd = std::env::current_dir()
                        .map_err(|e| Error::io("read", std::path::Path::new("."), e))?;
                    ToolContext {
                        read_root: None,
                        workspace: workspace
                            .map_or(cwd.clone(), |w| crate::paths::absolutize(&w, &cwd)),
                        config,
                        memory: Some(memory_for(
                            cx,
                            Access::operator(MemoryScope::Global, None, None),
                        )),
                        messaging: None,
                    }
                }
            };
            let result = match target {
                Target::Builtin(tool) => tools::invoke(tool, &ctx, args)?,
                // MCP servers validate their own arguments and run outside
                // the agent sandbox, so the context does not apply to them.
                Target::Mcp(server, tool) => cx.mcp().call(server, tool, args)?,
            };
            out.json(&result);
            Ok(ExitCode::Ok)
        }
    }
}

/// The first sentence of a description, cut to fit a table row (MCP servers
/// write paragraphs).
fn summary(text: &str) -> String {
    const WIDTH: usize = 90;
    let line = text.lines().next().unwrap_or_default();
    let sentence = line.split_once(". ").map_or(line, |(s, _)| s);
    match sentence.char_indices().nth(WIDTH) {
        Some((cut, _)) => format!("{}…", &sentence[..cut]),
        None => sentence.to_string(),
    }
}

enum Target<'a> {
    Builtin(&'static dyn tools::Tool),
    Mcp(&'a str, &'a str),
}

/// The memory the `memory_*` tools use for this caller.
fn memory_for(cx: &Caxton, access: Access) -> MemoryHandle {
    MemoryHandle(std::sync::Arc::new(AgentMemory {
        memory: cx.memory().clone(),
        access,
    }))
}

fn usage(message: &str) -> Error {
    Error::Usage {
        message: message.to_string(),
        hint: "e.g. --args '{\"path\": \"data.csv\"}'".into(),
    }
}

fn read_arg(arg: &str) -> Result<String> {
    if arg == "-" {
        std::io::read_to_string(std::io::stdin())
            .map_err(|e| Error::io("read", std::path::Path::new("<stdin>"), e))
    } else if let Some(path) = arg.strip_prefix('@') {
        std::fs::read_to_string(path).map_err(|e| Error::io("read", std::path::Path::new(path), e))
    } else {
        Ok(arg.to_string())
    }
}

fn parse_json(flag: &str, text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| Error::Usage {
        message: format!("{flag} is not valid JSON: {e}"),
        hint: "quote the JSON for the shell, e.g. --args '{\"path\": \"data.csv\"}'".into(),
    })
}
