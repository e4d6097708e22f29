//! `memory search`: hybrid search through the memory service (keyword-only,
//! saying why, without a usable model), rendered as a table or JSON.

use clap::Args;
use serde_json::json;

use super::graph::{Who, access};
use crate::Caxton;
use crate::cli::output::{DIM, Output};
use crate::error::{ExitCode, Result};
use crate::memory::MemoryScope;
use crate::memory::search::Options;

#[derive(Debug, Args)]
pub struct SearchArgs {
    query: String,
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Only entities of this type
    #[arg(long = "type", value_name = "TYPE")]
    entity_type: Option<String>,
    /// Only entities in this scope
    #[arg(long = "in-scope", value_enum, value_name = "SCOPE")]
    in_scope: Option<MemoryScope>,
    /// Drop semantic matches below this cosine similarity
    #[arg(long, value_name = "0..1")]
    min_similarity: Option<f32>,
    /// Scan every vector exactly instead of the fast two-stage search
    #[arg(long)]
    exact: bool,
    #[command(flatten)]
    who: Who,
}

pub fn run(cx: &Caxton, a: SearchArgs, out: &Output) -> Result<ExitCode> {
    let opts = Options {
        limit: a.limit,
        entity_type: a.entity_type,
        scope: a.in_scope,
        min_similarity: a.min_similarity,
        exact: a.exact,
    };
    let found = cx.memory().search(&access(&a.who)?, &a.query, &opts)?;
    if out.json {
        let mut v = json!(found);
        v["query"] = json!(a.query);
        out.json(&v);
        return Ok(ExitCode::Ok);
    }
    match &found.reason {
        Some(reason) => out.line(format!("{DIM}mode: {} — {reason}{DIM:#}", found.mode)),
        None => out.line(format!("{DIM}mode: {}{DIM:#}", found.mode)),
    }
    if found.pending_embeddings > 0 {
        out.line(format!(
            "{DIM}{} observations not embedded yet are matched by keyword only{DIM:#}",
            found.pending_embeddings
        ));
    }
    let rows: Vec<Vec<String>> = found
        .results
        .iter()
        .map(|h| {
            vec![
                format!("{:.3}", h.score),
                h.name.clone(),
                h.entity_type.clone(),
                h.scope.clone(),
                h.mode.into(),
                h.matched.clone(),
            ]
        })
        .collect();
    out.table(
        &["SCORE", "ENTITY", "TYPE", "SCOPE", "MATCH", "OBSERVATION"],
        &rows,
    );
    Ok(ExitCode::Ok)
}
