//! `agents diff` and `agents debug`: a config agent's definition against
//! a file, and its tools and prompts as the run loop would see them.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::Caxton;
use crate::agent::catalog;
use crate::agent::diff::{self, Change};
use crate::agent::template;
use crate::agent::validate::{self, FileReport};
use crate::cli::output::{self, BOLD, DIM, Output};
use crate::error::{Error, ExitCode, Result};

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    name: String,
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct DebugArgs {
    name: String,
    /// Show each tool's description, argument schema and settings
    #[arg(long)]
    show_tools: bool,
    /// Show the system and user prompts rendered with sample variables
    #[arg(long)]
    show_prompts: bool,
}

pub fn run_diff(cx: &Caxton, args: DiffArgs, out: &Output) -> Result<ExitCode> {
    let (name, file) = (&args.name, args.file.as_path());
    let entry = super::config_agent(cx, name, "diff compares config agent files")?;
    let new = validate::validate_file(file, &catalog::context(cx));
    if new.is_missing() {
        return Err(Error::FileNotFound {
            path: file.to_path_buf(),
        });
    }
    if !new.is_valid() {
        return Err(new.into_error());
    }
    let value = |r: &FileReport| {
        r.doc
            .as_ref()
            .map(|d| d.value.clone())
            .unwrap_or(Value::Null)
    };
    let changes = diff::diff(&value(&entry.report), &value(&new));
    if out.json {
        out.json(
            &json!({"agent": entry.id, "deployed": entry.file(), "file": file, "changes": changes}),
        );
        return Ok(ExitCode::Ok);
    }
    out.line(format!(
        "{BOLD}{}{BOLD:#} ({}) → {}",
        entry.id,
        entry.file().display(),
        file.display()
    ));
    if changes.is_empty() {
        out.line("  no changes");
    }
    let show = |v: &Value| match v {
        Value::String(s) if s.contains('\n') => format!("<{} lines>", s.lines().count()),
        other => other.to_string(),
    };
    for c in &changes {
        match c {
            Change::Added { field, new } => out.line(format!(
                "  {}+ {field}{:#} = {}",
                output::OK,
                output::OK,
                show(new)
            )),
            Change::Removed { field, old } => out.line(format!(
                "  {}- {field}{:#} (was {})",
                output::ERR,
                output::ERR,
                show(old)
            )),
            Change::Changed {
                field,
                old,
                new,
                text_diff,
            } => {
                out.line(format!(
                    "  {}~ {field}{:#}: {} → {}",
                    output::WARN,
                    output::WARN,
                    show(old),
                    show(new)
                ));
                if let Some(t) = text_diff {
                    t.lines().for_each(|l| out.line(format!("      {l}")));
                }
            }
        }
    }
    Ok(ExitCode::Ok)
}

pub fn run_debug(cx: &Caxton, args: DebugArgs, out: &Output) -> Result<ExitCode> {
    let e = &super::config_agent(
        cx,
        &args.name,
        "debug shows a config agent's tools and prompts",
    )?;
    let (show_tools, show_prompts) = (args.show_tools, args.show_prompts);
    let Some(s) = &e.report.spec else {
        return Err(e.report.clone().into_error());
    };
    // Neither flag: show both.
    let (show_tools, show_prompts) = if show_tools || show_prompts {
        (show_tools, show_prompts)
    } else {
        (true, true)
    };
    let mut tools = Vec::new();
    if show_tools {
        for name in &s.tools {
            let settings = s.tool_config.get(name).cloned().unwrap_or_default();
            match crate::tools::find(name) {
                Ok(t) => tools.push(json!({"name": name, "description": t.description(), "parameters": t.parameters(), "settings": settings})),
                Err(_) => tools.push(json!({"name": name, "external": true, "settings": settings})),
            }
        }
    }
    let mut prompts = Value::Null;
    if show_prompts {
        let mut vars = serde_json::Map::new();
        for (k, v) in &s.parameters {
            vars.insert(k.clone(), v.clone());
        }
        vars.insert("request".into(), "<the request text>".into());
        vars.insert(
            "context".into(),
            "<memory search results and conversation tail>".into(),
        );
        vars.insert("conversation_history".into(), "<earlier messages>".into());
        vars.insert("sender".into(), "cli".into());
        vars.insert(
            "capability".into(),
            s.capabilities.first().cloned().unwrap_or_default().into(),
        );
        vars.insert(
            "timestamp".into(),
            humantime::format_rfc3339_seconds(std::time::SystemTime::now())
                .to_string()
                .into(),
        );
        let vars = Value::Object(vars);
        let render = |t: &str| {
            template::render(t, &vars).unwrap_or_else(|err| format!("<cannot render: {err}>"))
        };
        prompts = json!({
            "variables": vars,
            "system": render(&s.system_prompt),
            "user": render(s.user_prompt_template()),
        });
    }
    let workspace = cx.paths().workspace(&e.id);
    if out.json {
        out.json(&json!({"agent": e.id, "file": e.file(), "workspace": workspace, "tools": tools, "prompts": prompts}));
        return Ok(ExitCode::Ok);
    }
    out.line(format!(
        "{BOLD}{}{BOLD:#} ({}) from {}",
        e.name(),
        e.id,
        e.file().display()
    ));
    out.line(format!("  workspace: {}", workspace.display()));
    if show_tools {
        out.line(format!("{BOLD}tools{BOLD:#}"));
        if tools.is_empty() {
            out.line("  none");
        }
        for t in &tools {
            out.line(format!(
                "  {}: {}",
                t["name"].as_str().unwrap_or(""),
                t["description"].as_str().unwrap_or("external (MCP) tool")
            ));
            if let Some(params) = t.get("parameters") {
                out.line(format!("    {DIM}arguments: {params}{DIM:#}"));
            }
            if t["settings"].as_object().is_some_and(|m| !m.is_empty()) {
                out.line(format!("    settings: {}", t["settings"]));
            }
        }
    }
    if show_prompts {
        out.line(format!(
            "{BOLD}system prompt{BOLD:#} {DIM}(sample variables){DIM:#}"
        ));
        prompts["system"]
            .as_str()
            .unwrap_or("")
            .lines()
            .for_each(|l| out.line(format!("  │ {l}")));
        out.line(format!("{BOLD}user prompt{BOLD:#}"));
        prompts["user"]
            .as_str()
            .unwrap_or("")
            .lines()
            .for_each(|l| out.line(format!("  │ {l}")));
    }
    Ok(ExitCode::Ok)
}
