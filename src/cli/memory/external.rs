//! `memory export`, `import`, and the external backend (Qdrant):
//! `migration-check`, `test-connection`, `emergency-migrate`.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::Caxton;
use crate::cli::output::{Output, glyph};
use crate::error::{Error, ExitCode, Result};
use crate::memory::external;
use crate::memory::transfer::{self, Format};

/// External memory backends.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Backend {
    Qdrant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Json,
    Jsonl,
    /// Points (id, vector, payload) for `--target`, as its upsert API takes them
    Migration,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// [default: jsonl for a .jsonl/.ndjson --output, else json]
    #[arg(long, value_enum)]
    format: Option<ExportFormat>,
    /// Backend a `--format migration` file is for
    #[arg(long, value_enum, default_value = "qdrant")]
    target: Backend,
    /// Output file (written atomically) [default: standard output]
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Include the stored vectors
    #[arg(long)]
    embeddings: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[arg(
        value_name = "FILE",
        required_unless_present = "input",
        conflicts_with = "input"
    )]
    file: Option<PathBuf>,
    /// The file to import (the same as FILE; mirrors export's --output)
    #[arg(long, value_name = "FILE")]
    input: Option<PathBuf>,
    /// [default: from the extension (.json, .jsonl), else the content]
    #[arg(long, value_enum)]
    format: Option<Format>,
}

#[derive(Debug, Args)]
pub struct MigrationCheckArgs {
    #[arg(long, value_enum)]
    target: Backend,
}

#[derive(Debug, Args)]
pub struct TestConnectionArgs {
    #[arg(long, value_enum)]
    pub backend: Backend,
}

#[derive(Debug, Args)]
pub struct EmergencyMigrateArgs {
    #[arg(long, value_enum)]
    to: Backend,
}

/// Prints nothing but the export itself (nothing at all with --output).
pub fn export(cx: &Caxton, a: ExportArgs) -> Result<ExitCode> {
    let ExportArgs {
        format,
        target: Backend::Qdrant,
        output,
        embeddings,
    } = a;
    // Named like import reads it, so `export --output x.jsonl` round-trips.
    let format = format.unwrap_or_else(|| match output.as_deref().map(|p| Format::detect(p, "")) {
        Some(Format::Jsonl) => ExportFormat::Jsonl,
        _ => ExportFormat::Json,
    });
    let store = cx.store()?;
    let qdrant = &cx.config().memory.qdrant;
    let write = |w: &mut dyn std::io::Write| match format {
        ExportFormat::Json => transfer::export(&store, Format::Json, embeddings, w),
        ExportFormat::Jsonl => transfer::export(&store, Format::Jsonl, embeddings, w),
        ExportFormat::Migration => external::export(&store, &qdrant.collection, w).map(|_| ()),
    };
    match output {
        Some(path) => {
            let mut buf = Vec::new();
            write(&mut buf)?;
            crate::paths::write_atomic(&path, &buf).map_err(|e| Error::io("write", &path, e))?;
        }
        None => write(&mut std::io::stdout().lock())?,
    }
    Ok(ExitCode::Ok)
}

pub fn import(cx: &Caxton, a: ImportArgs, out: &Output) -> Result<ExitCode> {
    let ImportArgs {
        file,
        input,
        format,
    } = a;
    // clap guarantees exactly one of them.
    let file = file.or(input).unwrap_or_default();
    use std::io::BufRead;
    let f = std::fs::File::open(&file).map_err(|e| Error::io("read", &file, e))?;
    let mut input = std::io::BufReader::new(f);
    let format = match format {
        Some(f) => f,
        None => {
            // Peek without consuming: fill_buf keeps the bytes.
            let head = input.fill_buf().map_err(|e| Error::io("read", &file, e))?;
            let first = String::from_utf8_lossy(head);
            Format::detect(&file, first.lines().next().unwrap_or(""))
        }
    };
    let doc = transfer::parse(&mut input, format)?;
    let max_entities = cx.memory().max_entities();
    out.json(&transfer::import(&mut cx.store()?, &doc, max_entities)?);
    Ok(ExitCode::Ok)
}

pub fn migration_check(cx: &Caxton, a: MigrationCheckArgs, out: &Output) -> Result<ExitCode> {
    let MigrationCheckArgs {
        target: Backend::Qdrant,
    } = a;
    let r = external::readiness(&cx.store()?, &cx.config().memory.qdrant)?;
    if out.json {
        out.json(&r);
    } else {
        out.line(format!(
            "Readiness: {}%{}",
            r.readiness_percent,
            if r.missing.is_empty() {
                String::new()
            } else {
                format!(" (missing: {})", r.missing.join("; "))
            }
        ));
        for item in &r.ready {
            out.line(format!("  {} {item}", glyph(None)));
        }
        out.line(format!(
            "Points to copy: {} (~{})",
            r.points,
            bytesize::ByteSize::b(r.payload_bytes_estimate)
        ));
        out.line("Estimated downtime: none (the store stays online while it is copied)");
        out.line(format!(
            "Estimated migration time: {}",
            r.estimated_migration_seconds.map_or_else(
                || "unknown until a Qdrant server answers".into(),
                |s| humantime::format_duration(std::time::Duration::from_secs(s.ceil() as u64))
                    .to_string()
            )
        ));
    }
    Ok(if r.missing.is_empty() {
        ExitCode::Ok
    } else {
        ExitCode::Failure
    })
}

pub fn emergency_migrate(cx: &Caxton, a: EmergencyMigrateArgs, out: &Output) -> Result<ExitCode> {
    let EmergencyMigrateArgs {
        to: Backend::Qdrant,
    } = a;
    let q = external::Qdrant::new(&cx.config().memory.qdrant)?;
    let store = cx.store()?;
    let bar = out.progress(0, "copying to Qdrant");
    let r = q.migrate(&store, &mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    if out.json {
        out.json(&r);
    } else {
        out.line(format!(
            "copied {} points to {} collection `{}` in {:.1} s; it now holds {} points",
            r.points_sent, r.url, r.collection, r.seconds, r.points_in_collection
        ));
        if r.pending_embeddings > 0 {
            out.warn(&format!(
                "{} observations have no vector yet and were not copied: run `caxton memory reindex`, then migrate again",
                r.pending_embeddings
            ));
        }
        out.line("Relations stay in the embedded store (Qdrant holds vectors and payloads only).");
    }
    Ok(ExitCode::Ok)
}

/// `memory test-connection`: `file` is the backend's own connection file
/// (the runbook passes it as `--config`), else the server config's section.
pub fn test_connection(cx: &Caxton, file: Option<&Path>, out: &Output) -> Result<ExitCode> {
    let cfg = match file {
        Some(f) => external::load_config(f)?,
        None => cx.config().memory.qdrant.clone(),
    };
    let p = external::Qdrant::new(&cfg)?.probe()?;
    if out.json {
        out.json(&p);
    } else {
        out.line(format!(
            "{} connected to Qdrant {} at {} in {:.1} ms",
            glyph(None),
            p.version,
            p.url,
            p.latency_ms
        ));
        out.line(match (&p.points, &p.vectors) {
            (Some(n), Some((size, distance))) => format!(
                "collection `{}`: {n} points, {size}-dimension {distance} vectors",
                p.collection
            ),
            (Some(n), None) => format!("collection `{}`: {n} points", p.collection),
            (None, _) => format!(
                "collection `{}` does not exist yet; `caxton memory emergency-migrate --to qdrant` creates it",
                p.collection
            ),
        });
    }
    Ok(ExitCode::Ok)
}
