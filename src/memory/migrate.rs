//! `caxton memory migrate --to postgres|embedded`: copy the whole memory
//! from the backend in use to the other one, verify the copy, and only then
//! let the caller switch the configuration.
//!
//! Design:
//! - The copy is an export document imported in batches; each batch is one
//!   transaction and every insert skips what is already there, so a
//!   migration killed halfway is resumed by running it again: committed
//!   batches are skipped, nothing is duplicated.
//! - A marker file in the data dir's run/ says a migration into a target is
//!   under way: a non-empty target without it is refused (it holds someone
//!   else's data) unless `--replace`, which empties it first.
//! - Verification compares the full documents (every entity, observation,
//!   relation and timestamp; vectors as their exact bytes) and the top 10
//!   of sample searches on both backends. The source stays the source of
//!   truth: on any difference nothing is switched.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::Memory;
use super::transfer::{Document, ImportReport};
use crate::error::{Error, Result};
use base64::Engine as _;

#[derive(Debug, Clone)]
pub struct Options {
    /// Empty a non-empty target first.
    pub replace: bool,
    /// Entities per transaction.
    pub batch: usize,
    /// Searches compared between source and target.
    pub sample_queries: usize,
}

/// A table's rows on both sides.
#[derive(Debug, Clone, Serialize)]
pub struct TableCount {
    pub table: &'static str,
    pub source: usize,
    pub target: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub from: &'static str,
    pub to: &'static str,
    /// A marker of an interrupted migration was found: this run resumed it.
    pub resumed: bool,
    /// What this run added to the target.
    pub copied: ImportReport,
    pub counts: Vec<TableCount>,
    /// Every entity, observation, relation and vector byte equal.
    pub identical: bool,
    pub queries_compared: usize,
    pub queries_equal: usize,
    /// `hybrid`, or `keyword` when the model is not installed.
    pub search_mode: &'static str,
    /// Why verification failed, when it did.
    pub mismatches: Vec<String>,
    pub seconds: f64,
    /// Of `seconds`: reading the source and loading the target (with the
    /// vector index build), then comparing the two.
    pub copy_seconds: f64,
    pub verify_seconds: f64,
}

impl Report {
    pub fn verified(&self) -> bool {
        self.mismatches.is_empty()
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Marker {
    to: String,
    started_at_ms: i64,
}

/// Where the marker of a migration in progress is kept.
pub fn marker_path(run_dir: &Path) -> PathBuf {
    run_dir.join("memory-migration.json")
}

/// Copy `source` into `target` and verify. `progress` gets (done, total)
/// entities. The caller switches the configuration when
/// [`Report::verified`] and then calls [`finish`].
pub fn migrate(
    source: &Memory,
    target: &Memory,
    run_dir: &Path,
    opts: &Options,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Report> {
    let started = Instant::now();
    let (from, to) = (source.backend_name(), target.backend_name());
    if from == to {
        return Err(Error::Usage {
            message: format!("the memory is already served by the {to} backend"),
            hint: "name the other backend: --to postgres or --to embedded".into(),
        });
    }
    let marker = marker_path(run_dir);
    let resumed = std::fs::read_to_string(&marker)
        .ok()
        .and_then(|t| serde_json::from_str::<Marker>(&t).ok())
        .is_some_and(|m| m.to == to);
    let doc = source.export(true)?;
    if !resumed {
        let held = target.export(false)?.entities.len();
        if held > 0 && !opts.replace {
            return Err(Error::Usage {
                message: format!(
                    "the {to} backend already holds {held} entities that are not from this migration"
                ),
                hint: "pass --replace to delete them and copy this memory over them, or point the target elsewhere"
                    .into(),
            });
        }
        if held > 0 {
            target.clear()?;
        }
        std::fs::create_dir_all(run_dir).map_err(|e| Error::io("create", run_dir, e))?;
        let m = Marker {
            to: to.to_string(),
            started_at_ms: crate::clock::now_ms(),
        };
        crate::paths::write_atomic(
            &marker,
            serde_json::to_string(&m).unwrap_or_default().as_bytes(),
        )
        .map_err(|e| Error::io("write", &marker, e))?;
    }
    let copied = target.import(&doc, opts.batch, progress)?;
    let copy_seconds = started.elapsed().as_secs_f64();
    let copy = target.export(true)?;
    let mut mismatches = Vec::new();
    let counts = counts(&doc, &copy);
    for c in &counts {
        if c.source != c.target {
            mismatches.push(format!(
                "{}: {} in {from}, {} in {to}",
                c.table, c.source, c.target
            ));
        }
    }
    let identical = doc.entities == copy.entities && doc.relations == copy.relations;
    if !identical && mismatches.is_empty() {
        mismatches.push(first_difference(&doc, &copy));
    }
    let (compared, equal, mode) = compare_searches(source, target, &doc, opts.sample_queries)?;
    if equal < compared {
        mismatches.push(format!(
            "top-10 search results differ for {} of {compared} sample queries",
            compared - equal
        ));
    }
    Ok(Report {
        from,
        to,
        resumed,
        copied,
        counts,
        identical,
        queries_compared: compared,
        queries_equal: equal,
        search_mode: mode,
        mismatches,
        seconds: started.elapsed().as_secs_f64(),
        copy_seconds,
        verify_seconds: started.elapsed().as_secs_f64() - copy_seconds,
    })
}

/// After the configuration was switched: the migration is complete.
pub fn finish(run_dir: &Path) -> Result<()> {
    let marker = marker_path(run_dir);
    match std::fs::remove_file(&marker) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io("remove", &marker, e)),
        _ => Ok(()),
    }
}

fn counts(a: &Document, b: &Document) -> Vec<TableCount> {
    let tally = |d: &Document| {
        let obs = d.entities.iter().map(|e| e.observations.len()).sum();
        let vectors = d
            .entities
            .iter()
            .flat_map(|e| &e.observations)
            .filter(|o| o.embedding.is_some())
            .count();
        [d.entities.len(), obs, d.relations.len(), vectors]
    };
    let (x, y) = (tally(a), tally(b));
    ["entities", "observations", "relations", "vectors"]
        .into_iter()
        .zip(x.into_iter().zip(y))
        .map(|(table, (source, target))| TableCount {
            table,
            source,
            target,
        })
        .collect()
}

/// The first entity or relation that differs, for the report.
fn first_difference(a: &Document, b: &Document) -> String {
    for (x, y) in a.entities.iter().zip(&b.entities) {
        if x != y {
            return format!(
                "entity {:?} ({} {:?}) differs between the backends",
                x.name, x.scope, x.scope_id
            );
        }
    }
    for (x, y) in a.relations.iter().zip(&b.relations) {
        if x != y {
            return format!(
                "relation {} -{}-> {} differs between the backends",
                x.from.name, x.relation_type, x.to.name
            );
        }
    }
    "the documents differ".into()
}

/// Rank the copy against the source for up to `n` sample queries: each
/// query is a stored vector (an observation's embedding, so no model is
/// needed), each side ranks its top 10 entities by an exact vector scan (one
/// pass over its vectors serves every query), and
/// the two must list the same entities in the same order (entities whose
/// similarities tie within 1e-4 may swap). Keyword ranking is left out on
/// purpose: SQLite's BM25 and PostgreSQL's ts_rank score differently by
/// design, so their orders would differ even for identical data.
fn compare_searches(
    source: &Memory,
    target: &Memory,
    doc: &Document,
    n: usize,
) -> Result<(usize, usize, &'static str)> {
    // Decode only the sampled vectors, not every one of the document's.
    let stored: Vec<&str> = doc
        .entities
        .iter()
        .flat_map(|e| &e.observations)
        .filter_map(|o| o.embedding.as_deref())
        .collect();
    let step = (stored.len() / n.max(1)).max(1);
    let sample: Vec<Vec<f32>> = stored
        .iter()
        .step_by(step)
        .filter_map(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
        .map(|blob| super::embed::from_blob(&blob))
        .take(n)
        .collect();
    if sample.is_empty() {
        return Ok((0, 0, "exact vector"));
    }
    // Each side ranks every sample on a thread of its own: one backend is a
    // server process, so the two overlap instead of taking turns.
    let (ranked_source, ranked_target) = std::thread::scope(|s| {
        let t = s.spawn(|| target.exact_nearest(&sample, 10));
        let a = source.exact_nearest(&sample, 10);
        (a, t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
    });
    let ranked_target = ranked_target?;
    let (mut compared, mut equal) = (0, 0);
    for (a, b) in ranked_source?.into_iter().zip(ranked_target) {
        compared += 1;
        let same = a.len() == b.len()
            && a.iter().zip(&b).all(|(x, y)| {
                (x.name == y.name && x.scope == y.scope)
                    || b.iter().any(|z| {
                        z.name == x.name
                            && z.scope == x.scope
                            && (z.similarity - x.similarity).abs() < 1e-4
                    })
            });
        equal += usize::from(same);
    }
    Ok((compared, equal, "exact vector"))
}
