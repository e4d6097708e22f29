//! `memory export`, `import`, `migrate`, and the external backends
//! (PostgreSQL, Qdrant): `migration-check`, `test-connection`,
//! `emergency-migrate`.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::Caxton;
use crate::cli::output::{Output, glyph};
use crate::error::{Error, ExitCode, Result};
use crate::memory::transfer::{self, Format};
use crate::memory::{Memory, external, migrate, postgres};

/// External memory backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    Qdrant,
    Postgres,
}

/// Where `memory migrate` moves the memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MigrateTarget {
    Postgres,
    Embedded,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[arg(long, value_enum)]
    to: MigrateTarget,
    /// Delete what the target already holds before copying
    #[arg(long)]
    replace: bool,
    /// Entities per transaction
    #[arg(long, default_value_t = 500, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    batch_size: u32,
    /// Searches compared between the backends before switching
    #[arg(long, default_value_t = 100, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=10_000))]
    sample_queries: u32,
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
        target,
        output,
        embeddings,
    } = a;
    // Named like import reads it, so `export --output x.jsonl` round-trips.
    let format = format.unwrap_or_else(|| match output.as_deref().map(|p| Format::detect(p, "")) {
        Some(Format::Jsonl) => ExportFormat::Jsonl,
        _ => ExportFormat::Json,
    });
    let qdrant = &cx.config().memory.qdrant;
    let write = |w: &mut dyn std::io::Write| match format {
        ExportFormat::Json => transfer::write(cx.memory().export(embeddings)?, Format::Json, w),
        ExportFormat::Jsonl => transfer::write(cx.memory().export(embeddings)?, Format::Jsonl, w),
        ExportFormat::Migration if target == Backend::Postgres => Err(Error::Usage {
            message: "there is no migration file for PostgreSQL".into(),
            hint: "`caxton memory migrate --to postgres` copies the memory to it directly".into(),
        }),
        ExportFormat::Migration => {
            cx.memory().require_embedded("export --format migration")?;
            external::export(&cx.store()?, &qdrant.collection, w).map(|_| ())
        }
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
    out.json(&cx.memory().import(&doc, IMPORT_BATCH, &mut |_, _| {})?);
    Ok(ExitCode::Ok)
}

/// Entities per transaction of `memory import`.
const IMPORT_BATCH: usize = 500;

pub fn migration_check(cx: &Caxton, a: MigrationCheckArgs, out: &Output) -> Result<ExitCode> {
    if a.target == Backend::Postgres {
        return postgres_check(cx, out);
    }
    cx.memory()
        .require_embedded("migration-check --target qdrant")?;
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
    if a.to == Backend::Postgres {
        return migrate(
            cx,
            MigrateArgs {
                to: MigrateTarget::Postgres,
                replace: false,
                batch_size: 500,
                sample_queries: 100,
            },
            out,
        );
    }
    cx.memory()
        .require_embedded("emergency-migrate --to qdrant")?;
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
        if cx.memory().backend_name() != "qdrant" {
            out.line("To answer vector search from it, set `backend = \"qdrant\"` under [memory].");
        }
    }
    Ok(ExitCode::Ok)
}

/// `memory test-connection`: `file` is the backend's own connection file
/// (the runbook passes it as `--config`), else the server config's section.
pub fn test_connection(
    cx: &Caxton,
    backend: Backend,
    file: Option<&Path>,
    out: &Output,
) -> Result<ExitCode> {
    if backend == Backend::Postgres {
        return postgres_connection(cx, file, out);
    }
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

/// `memory test-connection --backend postgres`: `file` is a connection file
/// of `[memory.postgres]`'s keys, else the server config's section.
fn postgres_connection(cx: &Caxton, file: Option<&Path>, out: &Output) -> Result<ExitCode> {
    let cfg = match file {
        Some(f) => postgres::load_config(f)?,
        None => cx.config().memory.postgres.clone(),
    };
    let p = postgres::Postgres::new(&cfg)?.probe()?;
    if out.json {
        out.json(&p);
        return Ok(ExitCode::Ok);
    }
    out.line(format!(
        "{} connected to PostgreSQL {} at {} in {:.1} ms",
        glyph(None),
        p.server_version,
        p.url,
        p.latency_ms
    ));
    out.line(match &p.pgvector_version {
        Some(v) => format!("pgvector: {v}"),
        None => "pgvector: not installed on this server (Caxton needs it: install pgvector)".into(),
    });
    out.line(match (p.schema_version, p.entities, p.observations) {
        (Some(v), Some(e), Some(o)) => {
            format!("Caxton schema version {v}: {e} entities, {o} observations")
        }
        (Some(v), _, _) => format!(
            "Caxton schema version {v} is newer than this build knows ({})",
            postgres::SCHEMA_VERSION
        ),
        (None, _, _) => {
            "no Caxton schema yet; `caxton memory migrate --to postgres` creates it".into()
        }
    });
    Ok(if p.pgvector_version.is_some() {
        ExitCode::Ok
    } else {
        ExitCode::Failure
    })
}

/// `memory migration-check --target postgres`: is a server configured and
/// answering with pgvector, and how much would be copied.
fn postgres_check(cx: &Caxton, out: &Output) -> Result<ExitCode> {
    let memory = cx.memory();
    let status = memory.status(false)?;
    let cfg = &cx.config().memory.postgres;
    let mut missing = Vec::new();
    let probe = match postgres::Postgres::new(cfg).and_then(|p| p.probe()) {
        Ok(p) => Some(p),
        Err(e) => {
            missing.push(e.to_string());
            None
        }
    };
    if let Some(p) = &probe {
        if p.pgvector_version.is_none() {
            missing.push("pgvector is not installed on the server".into());
        }
        if p.entities.is_some_and(|n| n > 0) {
            missing.push(format!(
                "the server already holds {} entities (migrate with --replace to overwrite them)",
                p.entities.unwrap_or_default()
            ));
        }
    }
    if memory.postgres().is_some() {
        missing.push("the memory is already served by PostgreSQL".into());
    }
    let ready = missing.is_empty();
    if out.json {
        out.json(&serde_json::json!({
            "target": "postgres",
            "ready": ready,
            "missing": missing,
            "server": probe,
            "entities": status.entities,
            "observations": status.observations,
            "relations": status.relations,
            "embedded_observations": status.embedded_observations,
        }));
    } else {
        out.line(format!(
            "Readiness: {}",
            if ready { "ready" } else { "not ready" }
        ));
        for m in &missing {
            out.line(format!("  missing: {m}"));
        }
        if let Some(p) = &probe {
            out.line(format!(
                "  {} PostgreSQL {} at {}",
                glyph(None),
                p.server_version,
                p.url
            ));
        }
        out.line(format!(
            "To copy: {} entities, {} observations ({} with vectors), {} relations",
            status.entities, status.observations, status.embedded_observations, status.relations
        ));
        out.line("Downtime: none until the switch; restart daemons after `caxton memory migrate --to postgres`");
    }
    Ok(if ready {
        ExitCode::Ok
    } else {
        ExitCode::Failure
    })
}

/// `memory migrate --to postgres|embedded`: copy, verify, then switch the
/// config file; the source stays in use until verification passes.
pub fn migrate(cx: &Caxton, a: MigrateArgs, out: &Output) -> Result<ExitCode> {
    let paths = cx.paths();
    let mut cfg = cx.config().memory.clone();
    let to = match a.to {
        MigrateTarget::Postgres => "postgres",
        MigrateTarget::Embedded => "embedded",
    };
    cfg.backend = to.into();
    let target = match a.to {
        MigrateTarget::Postgres => Memory::new(paths, &cfg)?,
        MigrateTarget::Embedded => Memory::embedded(paths, &cfg),
    };
    let bar = out.progress(0, "copying entities");
    let report = migrate::migrate(
        cx.memory(),
        &target,
        &paths.run_dir(),
        &migrate::Options {
            replace: a.replace,
            batch: a.batch_size as usize,
            sample_queries: a.sample_queries as usize,
        },
        &mut |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        },
    )?;
    bar.finish_and_clear();
    let file = cx
        .loaded()
        .file
        .clone()
        .unwrap_or_else(|| paths.data_dir.join("caxton.toml"));
    if report.verified() {
        crate::config::set_memory_backend(&file, to)?;
        migrate::finish(&paths.run_dir())?;
    }
    if out.json {
        out.json(&serde_json::json!({
            "report": report,
            "verified": report.verified(),
            "config_switched": report.verified().then(|| file.display().to_string()),
        }));
    } else {
        out.line(format!(
            "{} memory from {} to {} in {:.1} s{}",
            if report.resumed {
                "resumed copying"
            } else {
                "copied"
            },
            report.from,
            report.to,
            report.seconds,
            if report.resumed {
                " (an interrupted migration)"
            } else {
                ""
            }
        ));
        out.line(format!(
            "  {:.1}s copying (with the vector index), {:.1}s verifying",
            report.copy_seconds, report.verify_seconds
        ));
        for c in &report.counts {
            out.line(format!("  {:<13} {} → {}", c.table, c.source, c.target));
        }
        out.line(format!(
            "  this run added {} entities, {} observations ({} vectors), {} relations",
            report.copied.entities,
            report.copied.observations,
            report.copied.embeddings,
            report.copied.relations
        ));
        out.line(format!(
            "  {} every entity, observation, relation and vector byte equal",
            glyph((!report.identical).then_some(crate::diagnostics::Severity::Error))
        ));
        out.line(format!(
            "  {} top-10 {} search equal for {} of {} sample queries",
            glyph(
                (report.queries_equal < report.queries_compared)
                    .then_some(crate::diagnostics::Severity::Error)
            ),
            report.search_mode,
            report.queries_equal,
            report.queries_compared
        ));
        if report.verified() {
            out.line(format!(
                "switched {} to backend = \"{to}\"; restart running daemons to serve from it",
                file.display()
            ));
        } else {
            for m in &report.mismatches {
                out.warn(m);
            }
            out.line(format!(
                "verification failed: the configuration still uses {}; nothing was switched",
                report.from
            ));
        }
    }
    Ok(if report.verified() {
        ExitCode::Ok
    } else {
        ExitCode::Failure
    })
}
