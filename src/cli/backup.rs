//! `caxton backup [verify|prune]` and `caxton restore`: parse, call
//! `ops::{backup, archive, prune, restore}`, render.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::output::{Output, glyph};
use crate::Caxton;
use crate::diagnostics::Severity;
use crate::error::{Error, ExitCode, Result};
use crate::ops::{archive, backup, prune, restore};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct BackupArgs {
    #[command(subcommand)]
    command: Option<BackupCommand>,
    /// Back up the embedded store: a consistent snapshot of the SQLite
    /// database (taken while writers keep going), the agents directory and
    /// the server config
    #[arg(long, required = true)]
    embedded: bool,
    /// Archive to write: .tar.gz/.tgz is gzip, .tar.zst zstd, anything else
    /// plain tar. Written under a temporary name and renamed when complete
    /// [default: DATA_DIR/backups/caxton-<UTC timestamp>.tar.zst]
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Compress even when FILE has no compression suffix (zstd)
    #[arg(long)]
    compress: bool,
    /// Verify the finished archive (as `caxton backup verify`); exit non-zero if it fails
    #[arg(long)]
    verify: bool,
}

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Check a backup: every hash, manifest completeness, SQLite
    /// integrity_check of the snapshot, row counts, every agent file
    Verify {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Delete old backups in DIR, keeping the newest per day and per week;
    /// the newest backup that verifies is always kept
    Prune {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// Keep the newest backup of each of the last N days that have one
        #[arg(long, value_name = "N", default_value_t = 0)]
        keep_daily: usize,
        /// Keep the newest backup of each of the last N ISO weeks that have one
        #[arg(long, value_name = "N", default_value_t = 0)]
        keep_weekly: usize,
        /// Show what would be deleted without deleting
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// Backup archive written by `caxton backup`
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Restore into DIR/data and DIR/agents (the /var/lib/caxton layout);
    /// --data-dir and --agents-dir override either [default: the configured directories]
    #[arg(long, value_name = "DIR")]
    target: Option<PathBuf>,
    /// Replace an existing database (it is kept as a safety copy)
    #[arg(long)]
    force: bool,
}

/// A byte progress bar on a terminal; nothing in cron or with --json.
fn bar(out: &Output, what: &'static str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if out.json || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new(0);
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    pb.set_message(what);
    Some(pb)
}

fn on_bytes(pb: &Option<indicatif::ProgressBar>) -> impl FnMut(u64, u64) + '_ {
    move |done, total| {
        if let Some(pb) = pb {
            pb.set_length(total);
            pb.set_position(done);
        }
    }
}

pub fn run(cx: &Caxton, args: BackupArgs, out: &Output) -> Result<ExitCode> {
    match args.command {
        Some(BackupCommand::Verify { file }) => verify(&file, out),
        Some(BackupCommand::Prune {
            dir,
            keep_daily,
            keep_weekly,
            dry_run,
        }) => prune(&dir, keep_daily, keep_weekly, dry_run, out),
        None => {
            let output = args.output.unwrap_or_else(|| {
                backup::default_output(cx.paths(), std::time::SystemTime::now())
            });
            create(cx, &output, args.compress, args.verify, out)
        }
    }
}

fn create(
    cx: &Caxton,
    output: &Path,
    compress: bool,
    verify_after: bool,
    out: &Output,
) -> Result<ExitCode> {
    let _traces = crate::trace::for_command(cx.config().observability.otlp_endpoint.as_deref())?;
    let pb = bar(out, "backup");
    let mut bytes = on_bytes(&pb);
    let report = backup::create(cx, output, compress, &mut |p| match p {
        backup::Progress::Snapshot => {
            if let Some(pb) = &pb {
                pb.set_message("snapshot");
                pb.tick();
            }
        }
        backup::Progress::Packing { done, total } => {
            if let Some(pb) = &pb {
                pb.set_message("packing");
            }
            bytes(done, total)
        }
    })?;
    if let Some(pb) = &pb {
        pb.finish_and_clear();
    }
    if let Some(note) = &report.note {
        out.warn(note);
    }
    let verification = if verify_after {
        Some(check(&report.file, out)?)
    } else {
        None
    };
    let passed = verification.as_ref().is_none_or(|v| v.passed());
    if out.json {
        out.json(&serde_json::json!({
            "file": report.file,
            "codec": report.codec,
            "bytes": report.bytes,
            "manifest": report.manifest,
            "verification": verification,
        }));
    } else {
        let m = &report.manifest;
        let rows: i64 = m.row_counts.values().sum();
        out.line(format!(
            "{} backup written: {} ({}, {:?}), schema {}, {} files, {rows} rows",
            glyph(None),
            report.file.display(),
            bytesize::ByteSize::b(report.bytes),
            report.codec,
            m.schema_version,
            m.files.len()
        ));
        if let Some(v) = &verification {
            print_verification(v, out);
        }
    }
    Ok(if passed {
        ExitCode::Ok
    } else {
        ExitCode::Invalid
    })
}

/// Verify into a temporary directory (in TMPDIR): the snapshot must be a file
/// for SQLite to check it.
fn check(file: &Path, out: &Output) -> Result<archive::Verification> {
    let stage = tempfile::tempdir().map_err(|e| Error::io("create", &std::env::temp_dir(), e))?;
    let pb = bar(out, "verify");
    let v = archive::verify_into(file, stage.path(), &mut on_bytes(&pb))?;
    if let Some(pb) = &pb {
        pb.finish_and_clear();
    }
    Ok(v)
}

fn print_verification(v: &archive::Verification, out: &Output) {
    if v.passed() {
        out.line(format!(
            "{} verified {}: {} files match their blake3, integrity_check {}, row counts match, {} agent files valid",
            glyph(None),
            v.file.display(),
            v.files_checked,
            v.integrity,
            v.agents_checked
        ));
    } else {
        out.line(format!(
            "{} {} failed verification: {} problem(s)",
            glyph(Some(Severity::Error)),
            v.file.display(),
            v.problems.len()
        ));
        for p in &v.problems {
            out.line(format!("  {p}"));
        }
    }
}

fn verify(file: &Path, out: &Output) -> Result<ExitCode> {
    if !file.is_file() {
        return Err(Error::FileNotFound { path: file.into() });
    }
    let v = check(file, out)?;
    if out.json {
        out.json(&serde_json::json!({
            "file": v.file,
            "valid": v.passed(),
            "codec": v.codec,
            "files_checked": v.files_checked,
            "agents_checked": v.agents_checked,
            "integrity": v.integrity,
            "problems": v.problems,
            "manifest": v.manifest,
        }));
    } else {
        print_verification(&v, out);
    }
    Ok(if v.passed() {
        ExitCode::Ok
    } else {
        ExitCode::Invalid
    })
}

fn prune(
    dir: &Path,
    keep_daily: usize,
    keep_weekly: usize,
    dry_run: bool,
    out: &Output,
) -> Result<ExitCode> {
    if keep_daily == 0 && keep_weekly == 0 {
        return Err(Error::Usage {
            message: "no retention given: pass --keep-daily N and/or --keep-weekly N".into(),
            hint: "e.g. caxton backup prune --keep-daily 7 --keep-weekly 4 /backup/caxton".into(),
        });
    }
    let plan = prune::prune(
        dir,
        prune::Policy {
            keep_daily,
            keep_weekly,
        },
        dry_run,
    )?;
    if out.json {
        out.json(&plan);
        return Ok(ExitCode::Ok);
    }
    for (file, problems) in &plan.failed_verification {
        out.warn(&format!(
            "{} does not verify: {}",
            file.display(),
            problems.join("; ")
        ));
    }
    if plan.newest_verified.is_none() && !plan.items.is_empty() {
        out.warn("no backup in this directory verifies");
    }
    let rows: Vec<Vec<String>> = plan
        .items
        .iter()
        .map(|i| {
            vec![
                if i.keep {
                    "keep"
                } else if dry_run {
                    "would delete"
                } else {
                    "deleted"
                }
                .to_string(),
                i.created_at.clone(),
                i.reasons.join(", "),
                i.file.display().to_string(),
            ]
        })
        .collect();
    out.table(&["ACTION", "CREATED", "REASON", "FILE"], &rows);
    out.line(format!(
        "{} of {} backups {}",
        plan.deleted,
        plan.items.len(),
        if dry_run {
            "would be deleted"
        } else {
            "deleted"
        }
    ));
    Ok(ExitCode::Ok)
}

/// Where `caxton restore` puts things: --data-dir / --agents-dir when given,
/// else DIR/data and DIR/agents under --target, else the configured dirs.
pub fn restore(
    cx: &Caxton,
    args: RestoreArgs,
    data_flag: Option<&Path>,
    agents_flag: Option<&Path>,
    out: &Output,
) -> Result<ExitCode> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let abs = |p: &Path| crate::paths::absolutize(p, &cwd);
    let target = args.target.as_deref().map(abs);
    let data_dir = data_flag
        .map(abs)
        .or_else(|| target.as_ref().map(|t| t.join("data")))
        .unwrap_or_else(|| cx.paths().data_dir.clone());
    let agents_dir = agents_flag
        .map(abs)
        .or_else(|| target.as_ref().map(|t| t.join("agents")))
        .unwrap_or_else(|| cx.paths().agents_dir.clone());
    let targets = restore::Targets {
        config_dir: target
            .as_ref()
            .map_or_else(|| data_dir.join("restored-config"), |t| t.join("config")),
        models_dir: cx
            .config()
            .memory
            .models_dir
            .clone()
            .unwrap_or_else(|| data_dir.join("models")),
        data_dir,
        agents_dir,
    };
    let pb = bar(out, "verify");
    let r = restore::restore(&args.file, &targets, args.force, &mut on_bytes(&pb));
    if let Some(pb) = &pb {
        pb.finish_and_clear();
    }
    let r = r?;
    if out.json {
        out.json(&r);
        return Ok(ExitCode::Ok);
    }
    print_verification(&r.verification, out);
    out.line(format!(
        "{} restored backup of {} (schema {})",
        glyph(None),
        r.manifest.created_at,
        r.manifest.schema_version
    ));
    out.line(format!("  database: {}", r.database.display()));
    out.line(format!("  agents:   {}", r.agents_dir.display()));
    if let Some(c) = &r.config {
        out.line(format!("  config:   {}", c.display()));
    }
    for s in &r.safety_copies {
        out.line(format!(
            "  safety copy of the replaced files: {}",
            s.display()
        ));
    }
    for n in &r.notes {
        out.warn(n);
    }
    Ok(ExitCode::Ok)
}
