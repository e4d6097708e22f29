//! Commands about Caxton itself: init, config, completions, man pages.

use std::path::{Path, PathBuf};

use clap::{CommandFactory, Subcommand};
use serde_json::json;

use super::Cli;
use super::output::{BOLD, DIM, Output};
use crate::Caxton;
use crate::error::{Error, ExitCode, Result};
use crate::paths::Paths;

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print every setting, its value and where the value came from
    Show,
}

pub fn init(cx: &Caxton, dir: Option<PathBuf>, out: &Output) -> Result<ExitCode> {
    let paths = match dir {
        Some(d) => {
            let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
            let d = crate::paths::absolutize(&d, &cwd);
            Paths {
                agents_dir: d.join("agents"),
                models_dir: d.join("models"),
                data_dir: d,
            }
        }
        None => cx.paths().clone(),
    };
    let report = crate::init::init(&paths)?;
    if out.json {
        out.json(&report);
        return Ok(ExitCode::Ok);
    }
    for p in &report.created {
        out.line(format!("  created {}", p.display()));
    }
    for p in &report.kept {
        out.line(format!("  {DIM}kept    {}{DIM:#}", p.display()));
    }
    out.line(format!(
        "{} data directory ready: {}\n  agents: {}\n  next: caxton --data-dir {} agents list",
        super::output::glyph(None),
        report.data_dir.display(),
        report.agents_dir.display(),
        report.data_dir.display()
    ));
    Ok(ExitCode::Ok)
}

pub fn config(cx: &Caxton, cmd: ConfigCommand, out: &Output) -> Result<ExitCode> {
    match cmd {
        ConfigCommand::Show => {
            let loaded = cx.loaded();
            let settings = loaded.settings();
            let p = cx.paths();
            if out.json {
                let values: Vec<_> = settings
                    .iter()
                    .map(|(k, v, s)| json!({"key": k, "value": v, "source": s.to_string()}))
                    .collect();
                out.json(&json!({
                    "config_file": loaded.file,
                    "data_dir": p.data_dir,
                    "agents_dir": p.agents_dir,
                    "models_dir": p.models_dir,
                    "settings": values,
                    "warnings": loaded.warnings,
                }));
                return Ok(ExitCode::Ok);
            }
            out.line(format!(
                "{BOLD}config file{BOLD:#}: {}",
                loaded
                    .file
                    .as_ref()
                    .map_or("none (defaults)".into(), |f| f.display().to_string())
            ));
            out.line(format!(
                "{BOLD}data dir{BOLD:#}:    {}",
                p.data_dir.display()
            ));
            out.line(format!(
                "{BOLD}agents dir{BOLD:#}:  {}",
                p.agents_dir.display()
            ));
            out.line(format!(
                "{BOLD}models dir{BOLD:#}:  {}",
                p.models_dir.display()
            ));
            let rows: Vec<Vec<String>> = settings
                .into_iter()
                .map(|(k, v, s)| vec![k, v.to_string(), s.to_string()])
                .collect();
            out.table(&["KEY", "VALUE", "SOURCE"], &rows);
            Ok(ExitCode::Ok)
        }
    }
}

pub fn completions(shell: clap_complete::Shell) -> Result<ExitCode> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "caxton", &mut std::io::stdout());
    Ok(ExitCode::Ok)
}

pub fn man(dir: Option<&Path>) -> Result<ExitCode> {
    let cmd = Cli::command();
    match dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
            clap_mangen::generate_to(cmd, dir).map_err(|e| Error::io("write", dir, e))?;
        }
        None => {
            clap_mangen::Man::new(cmd)
                .render(&mut std::io::stdout())
                .map_err(|e| Error::io("write", Path::new("<stdout>"), e))?;
        }
    }
    Ok(ExitCode::Ok)
}
