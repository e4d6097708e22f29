//! `agents deploy` (a config agent file or a WASM module) and
//! `agents rollback`; both then make the agent live in a running daemon.

use std::path::{Path, PathBuf};

use super::{live, sandbox};
use crate::Caxton;
use crate::agent::wasm::{self, DeployRequest};
use crate::agent::{self, Agent, catalog};
use crate::cli::args;
use crate::cli::output::{self, Output};
use crate::error::{Error, ExitCode, Result};

#[derive(Debug, clap::Args)]
pub struct DeployArgs {
    /// Agent id, name or file stem
    name: String,
    /// Copy this file into the agents directory (atomically) instead of
    /// deploying the file already there; a .wasm module deploys a WASM agent
    #[arg(long, value_name = "FILE")]
    source: Option<PathBuf>,
    #[command(flatten)]
    wasm: WasmDeployArgs,
    /// Then make it live in the running daemon now and report its status
    #[arg(long)]
    hot_reload: bool,
}

#[derive(Debug, clap::Args)]
pub struct RollbackArgs {
    name: String,
    /// Roll back to the version before the current one
    #[arg(long, required = true)]
    to_previous_version: bool,
}

/// Deploy a WASM module or a config agent file.
pub fn run(cx: &Caxton, args: DeployArgs, out: &Output) -> Result<ExitCode> {
    let DeployArgs {
        name,
        source,
        wasm,
        hot_reload,
    } = args;
    match source {
        Some(src) if is_wasm(&src) => {
            deploy_wasm(cx, &name, &src, &wasm, out)?;
            if hot_reload {
                return live::apply_live(cx, &name, true, out);
            }
        }
        _ if wasm.given() => {
            return Err(Error::Usage {
                message: "--max-memory, --max-cpu-ms, --capability and the Extism flags (--plugin-config, --handler, --network-access, --http-client) apply to WASM agents only"
                    .into(),
                hint: format!("deploy a module: caxton agents deploy {name} --source FILE.wasm"),
            });
        }
        None if wasm::find(cx, &name)?.is_some() => {
            return Err(Error::Usage {
                message: format!("`{name}` is a WASM agent: deploy it from a module"),
                hint: format!("caxton agents deploy {name} --source FILE.wasm"),
            });
        }
        source => {
            let d = deploy_config(cx, &name, source.as_deref(), out)?;
            // A config agent's --timeout is how long to wait for the daemon
            // to report the new version live (the runbook's deploy loop).
            match wasm.timeout {
                Some(ms) => {
                    let wait = std::time::Duration::from_millis(ms);
                    return live::await_live(cx, &d.id, &d.version, wait, out);
                }
                None if hot_reload => return live::apply_live(cx, &d.id, true, out),
                None => {}
            }
        }
    }
    Ok(ExitCode::Ok)
}

/// Restore the previous version (of either kind) and make it live.
pub fn run_rollback(cx: &Caxton, args: RollbackArgs, out: &Output) -> Result<ExitCode> {
    let (id, line) = match agent::resolve(cx, &args.name)? {
        Agent::Wasm(a) => {
            let d = wasm::rollback(cx, &a, None)?;
            if out.json {
                out.json(&d);
            }
            let prev = d.previous_version.as_deref().unwrap_or("-");
            let line = format!("{} from {prev} to {} (#{})", d.id, d.version, d.seq);
            (d.id, line)
        }
        Agent::Config(e) => {
            let d = catalog::rollback(cx, &e.id, None)?;
            if out.json {
                out.json(&d);
            }
            let prev = d.previous_version.as_deref().unwrap_or("a missing file");
            let line = format!(
                "{} from {prev} to {} (#{}); {} restored",
                d.id,
                d.version,
                d.seq,
                d.file.display()
            );
            (d.id, line)
        }
    };
    if !out.json {
        out.line(format!("{} rolled back {line}", output::glyph(None)));
    }
    live::apply_live(cx, &id, false, out)
}

fn deploy_config(
    cx: &Caxton,
    name: &str,
    source: Option<&Path>,
    out: &Output,
) -> Result<catalog::Deployed> {
    let d = catalog::deploy(cx, name, source)?;
    if out.json {
        out.json(&d);
        return Ok(d);
    }
    for w in d.report.warnings() {
        output::diagnostic_lines(w, false)
            .iter()
            .for_each(|l| out.warn(l));
    }
    let what = match (&d.changed, &d.previous_version) {
        (false, _) => format!(
            "{} {} is already deployed (#{}, unchanged)",
            d.id, d.version, d.seq
        ),
        (true, Some(prev)) => format!("deployed {} {} (was {prev}) as #{}", d.id, d.version, d.seq),
        (true, None) => format!("deployed {} {} as #{}", d.id, d.version, d.seq),
    };
    out.line(format!("{} {what}", output::glyph(None)));
    out.line(format!("  file: {}", d.file.display()));
    Ok(d)
}

fn deploy_wasm(
    cx: &Caxton,
    name: &str,
    src: &Path,
    args: &WasmDeployArgs,
    out: &Output,
) -> Result<()> {
    let bytes = std::fs::read(src).map_err(|e| Error::io("read", src, e))?;
    let rt = wasm::runtime(cx);
    let source = src.display().to_string();
    let d = wasm::deploy(
        cx,
        &rt,
        &DeployRequest {
            name,
            module: &bytes,
            max_memory_bytes: args.max_memory,
            max_cpu_millis: args.max_cpu_ms,
            max_execution_time_ms: args.timeout,
            capabilities: args.capabilities.clone(),
            security_policy: wasm::SecurityPolicy {
                network_access: args.network_access,
                file_system_access: false,
            },
            plugin: args.plugin()?,
            source: &source,
        },
    )?;
    if out.json {
        out.json(&d);
        return Ok(());
    }
    let what = match (&d.changed, &d.previous_version) {
        (false, _) => format!(
            "{} {} is already deployed (#{}, unchanged)",
            d.id, d.version, d.seq
        ),
        (true, Some(prev)) => format!(
            "deployed WASM agent {} {} (was {prev}) as #{}",
            d.id, d.version, d.seq
        ),
        (true, None) => format!("deployed WASM agent {} {} as #{}", d.id, d.version, d.seq),
    };
    out.line(format!("{} {what}", output::glyph(None)));
    out.line(format!("  module: {}", sandbox::module_line(&d.module)));
    out.line(format!(
        "  limits: {}",
        sandbox::limits_line(&d.resource_limits)
    ));
    Ok(())
}

/// Limits and capabilities of a WASM agent (only with a .wasm --source).
#[derive(Debug, clap::Args)]
struct WasmDeployArgs {
    /// Linear memory limit, e.g. 10MiB or 16MB [default: runtime.wasm_default_memory_bytes]
    #[arg(long, value_name = "SIZE", value_parser = args::size)]
    max_memory: Option<u64>,
    /// CPU time limit per execution in milliseconds [default: runtime.wasm_default_cpu_millis]
    #[arg(long, value_name = "MS")]
    max_cpu_ms: Option<u64>,
    /// WASM: wall-clock limit per execution, e.g. 10s or 500ms [default:
    /// runtime.wasm_default_execution_time_ms]. Config agent: wait up to this
    /// long for the daemon to report the new version live
    #[arg(long, value_name = "DURATION", value_parser = args::duration_ms)]
    timeout: Option<u64>,
    /// A capability the agent offers (repeatable)
    #[arg(long = "capability", value_name = "C")]
    capabilities: Vec<String>,
    /// Extism plug-in: a config value its `config::get(KEY)` returns (repeatable)
    #[arg(long = "plugin-config", value_name = "KEY=VALUE")]
    plugin_config: Vec<String>,
    /// Extism plug-in: the function messages call [default: handle]
    #[arg(long, value_name = "NAME")]
    handler: Option<String>,
    /// Extism plug-in: let `http_request` out, under the --http-client policy
    #[arg(long)]
    network_access: bool,
    /// Extism plug-in: the http_client tool's settings for `http_request` as
    /// JSON, e.g. '{"allowed_domains": ["api.example.com"]}'
    #[arg(long, value_name = "JSON")]
    http_client: Option<String>,
}

impl WasmDeployArgs {
    /// Whether a flag that only means something for a module was given
    /// (`--timeout` means something for both kinds).
    fn given(&self) -> bool {
        self.max_memory.is_some()
            || self.max_cpu_ms.is_some()
            || !self.capabilities.is_empty()
            || !self.plugin_config.is_empty()
            || self.handler.is_some()
            || self.network_access
            || self.http_client.is_some()
    }

    /// The Extism settings the flags give, if any.
    fn plugin(&self) -> Result<Option<wasm::PluginSettings>> {
        let mut settings = wasm::PluginSettings {
            handler: self.handler.clone(),
            ..Default::default()
        };
        for kv in &self.plugin_config {
            let Some((k, v)) = kv.split_once('=').filter(|(k, _)| !k.is_empty()) else {
                return Err(Error::Usage {
                    message: format!("--plugin-config {kv:?} is not KEY=VALUE"),
                    hint: "e.g. --plugin-config greeting=hello".into(),
                });
            };
            settings.config.insert(k.to_string(), v.to_string());
        }
        if let Some(json) = &self.http_client {
            settings.http_client = match serde_json::from_str(json) {
                Ok(serde_json::Value::Object(m)) => m,
                Ok(_) => {
                    return Err(Error::Usage {
                        message: "--http-client must be a JSON object".into(),
                        hint: "e.g. --http-client '{\"allowed_domains\": [\"api.example.com\"]}'"
                            .into(),
                    });
                }
                Err(e) => {
                    return Err(Error::Usage {
                        message: format!("--http-client is not valid JSON: {e}"),
                        hint: "e.g. --http-client '{\"allowed_domains\": [\"api.example.com\"]}'"
                            .into(),
                    });
                }
            };
        }
        Ok((settings != wasm::PluginSettings::default()).then_some(settings))
    }
}

fn is_wasm(path: &Path) -> bool {
    use std::io::Read;
    let magic = std::fs::File::open(path).and_then(|mut f| {
        let mut b = [0u8; 4];
        f.read_exact(&mut b).map(|_| b)
    });
    path.extension().is_some_and(|x| x == "wasm") || magic.is_ok_and(|m| &m == b"\0asm")
}
