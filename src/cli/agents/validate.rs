//! `agents validate`, `agents validate-schema`: check agent files and
//! report every problem by stage, with positions and hints.

use std::path::PathBuf;

use crate::Caxton;
use crate::agent::catalog;
use crate::agent::validate::{self, FileReport};
use crate::cli::output::{self, BOLD, DIM, Output};
use crate::diagnostics::{Severity, Stage};
use crate::error::{ExitCode, Result};

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Agent files (.toml)
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Show source excerpts for warnings and what each stage checked
    #[arg(long, short)]
    verbose: bool,
    /// Treat warnings as errors
    #[arg(long)]
    strict: bool,
}

#[derive(Debug, clap::Args)]
pub struct ValidateSchemaArgs {
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

pub fn run(cx: &Caxton, args: ValidateArgs, out: &Output) -> Result<ExitCode> {
    let ctx = catalog::context(cx);
    let mut reports: Vec<FileReport> = args
        .files
        .iter()
        .map(|f| validate::validate_file(f, &ctx))
        .collect();
    let scanned = catalog::scan_dir(&cx.paths().agents_dir, &ctx)?;
    let deployed = catalog::ids_of(&scanned);
    validate::check_conflicts(&mut reports, &cx.paths().agents_dir, &deployed);
    // What the deployed agents offer, and the files checked together (a
    // set of agents meant to work together is checked as a whole).
    let mut offers: Vec<(String, Vec<String>)> = Vec::new();
    for r in scanned
        .iter()
        .chain(reports.iter())
        .filter(|r| r.is_valid())
    {
        if let Some(spec) = &r.spec
            && !offers.iter().any(|(id, _)| *id == r.id)
        {
            offers.push((r.id.clone(), spec.capabilities.clone()));
        }
    }
    offers.extend(
        crate::agent::wasm::list(cx)?
            .into_iter()
            .map(|a| (a.id, a.manifest.capabilities)),
    );
    validate::check_requires(&mut reports, &offers);
    validate::sort(&mut reports);
    print_reports(&reports, args.strict, args.verbose, out);
    Ok(exit_for(&reports, args.strict))
}

/// Only the syntax and schema stages.
pub fn run_schema_check(cx: &Caxton, args: ValidateSchemaArgs, out: &Output) -> Result<ExitCode> {
    let mut report = validate::validate_file(&args.file, &catalog::context(cx));
    report
        .stages
        .retain(|s| matches!(s, Stage::Syntax | Stage::Schema));
    report
        .diagnostics
        .retain(|d| matches!(d.stage, Stage::Syntax | Stage::Schema));
    let reports = [report];
    print_reports(&reports, false, false, out);
    Ok(exit_for(&reports, false))
}

fn exit_for(reports: &[FileReport], strict: bool) -> ExitCode {
    if reports.iter().any(FileReport::is_missing) {
        ExitCode::NotFound
    } else if reports
        .iter()
        .any(|r| !r.is_valid() || (strict && r.warnings().next().is_some()))
    {
        ExitCode::Invalid
    } else {
        ExitCode::Ok
    }
}

pub(super) fn print_reports(reports: &[FileReport], strict: bool, verbose: bool, out: &Output) {
    if out.json {
        let checked: Vec<_> = reports.iter().map(FileReport::checked).collect();
        out.json(&crate::diagnostics::report_json(&checked, strict));
        return;
    }
    for r in reports {
        let title = match r.version() {
            Some(v) => format!("{BOLD}{}{BOLD:#} → {} {v}", r.file.display(), r.id),
            None => format!("{BOLD}{}{BOLD:#}", r.file.display()),
        };
        out.line(title);
        for stage in Stage::ALL {
            let found: Vec<_> = r.diagnostics.iter().filter(|d| d.stage == stage).collect();
            let errors = found
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            let warnings = found.len() - errors;
            if !r.stages.contains(&stage) {
                out.line(format!(
                    "  {DIM}- {} (not checked: fix the errors above first){DIM:#}",
                    stage.label()
                ));
                continue;
            }
            let worst = if errors > 0 {
                Some(Severity::Error)
            } else if warnings > 0 {
                Some(Severity::Warning)
            } else {
                None
            };
            let mut counts = Vec::new();
            if errors > 0 {
                counts.push(format!("{errors} error{}", plural(errors)));
            }
            if warnings > 0 {
                counts.push(format!("{warnings} warning{}", plural(warnings)));
            }
            let detail = if counts.is_empty() {
                String::new()
            } else {
                format!(": {}", counts.join(", "))
            };
            out.line(format!(
                "  {} {}{detail}",
                output::glyph(worst),
                stage.label()
            ));
            if verbose
                && stage == Stage::References
                && let Some(s) = &r.spec
            {
                out.line(format!(
                    "      {DIM}capabilities: {}{DIM:#}",
                    s.capabilities.join(", ")
                ));
                out.line(format!(
                    "      {DIM}tools: {}{DIM:#}",
                    if s.tools.is_empty() {
                        "none".into()
                    } else {
                        s.tools.join(", ")
                    }
                ));
            }
        }
        for d in &r.diagnostics {
            let excerpt = d.severity == Severity::Error || verbose;
            for l in output::diagnostic_lines(d, excerpt) {
                out.line(format!("  {l}"));
            }
        }
    }
    let invalid = reports.iter().filter(|r| !r.is_valid()).count();
    let errors: usize = reports.iter().map(|r| r.errors().count()).sum();
    let warnings: usize = reports.iter().map(|r| r.warnings().count()).sum();
    let summary = format!(
        "{} file{} checked: {} valid, {invalid} invalid ({errors} error{}, {warnings} warning{})",
        reports.len(),
        plural(reports.len()),
        reports.len() - invalid,
        plural(errors),
        plural(warnings)
    );
    let failed = invalid > 0 || (strict && warnings > 0);
    out.line(format!(
        "{} {summary}{}",
        output::glyph(failed.then_some(Severity::Error)),
        if strict && warnings > 0 && invalid == 0 {
            " — warnings fail with --strict"
        } else {
            ""
        }
    ));
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
