//! The run log: what a config-agent run produced ([`RunRecord`], as stored
//! and as `--json` prints it), stored as one row (the record plus indexed
//! columns), and the queries behind `agents logs`, `metrics` and `diagnose`.

use std::path::{Path, PathBuf};

use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use serde_json::Value;

use super::llm::{LlmError, LlmErrorKind, Usage};
use super::memory;
use crate::error::{Error, Result};
use crate::store::{Store, store_err};

/// How one tool call ended (`outcome` of a tool call in the run record).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CallOutcome {
    /// The tool ran and returned a result to the model.
    Ok,
    /// The tool failed; the model was given the error message.
    Error,
    /// The agent does not list the tool; the model was told so.
    Denied,
}

impl CallOutcome {
    /// The name in the run record (and on a trace's `tool.call` span).
    pub fn as_str(self) -> &'static str {
        match self {
            CallOutcome::Ok => "ok",
            CallOutcome::Error => "error",
            CallOutcome::Denied => "denied",
        }
    }
}

/// One tool call the model made, as audited.
#[derive(Debug, Clone, Serialize)]
pub struct ToolCallRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    /// The arguments as parsed JSON, or the raw text when it did not parse.
    pub arguments: Value,
    pub(crate) outcome: CallOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) result: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
    pub(crate) duration_ms: f64,
    pub(crate) round: u32,
}

/// Why a run failed: a provider error (classified) or the run's own limits.
#[derive(Debug, Clone, Serialize)]
pub struct RunError {
    pub(crate) kind: LlmErrorKind,
    pub(crate) provider: String,
    pub(crate) message: String,
}

impl From<LlmError> for RunError {
    fn from(e: LlmError) -> RunError {
        RunError {
            kind: e.kind,
            provider: e.provider,
            message: e.message,
        }
    }
}

impl RunError {
    pub(crate) fn to_llm_error(&self) -> LlmError {
        LlmError {
            kind: self.kind,
            provider: self.provider.clone(),
            message: self.message.clone(),
        }
    }
}

/// Where a run's wall time went, in milliseconds (`timings` in the run
/// record); the parts add up to `total_ms`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    pub(crate) total_ms: f64,
    /// The model at work: answering, and loading where the provider
    /// prepares ahead of the first chat (that load runs while the run builds
    /// its prompt, so it is counted from when it started).
    pub model_ms: f64,
    /// Running tools.
    pub tools_ms: f64,
    /// The rest: wall time in which neither the model nor a tool was at
    /// work (prompts, the part of the memory context the model's load did
    /// not hide, dispatch).
    pub overhead_ms: f64,
}

/// The outcome of one run, as stored and as `--json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct RunRecord {
    /// Row id in the store's run log.
    pub id: i64,
    pub(crate) agent: String,
    pub(crate) version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) source_file: Option<PathBuf>,
    pub(crate) status: &'static str,
    pub(crate) started_at: String,
    pub(crate) provider: String,
    pub(crate) model: String,
    /// The provider's caveat (e.g. the local model is tiny); always in
    /// the record, `null` when the provider has none.
    pub notice: Option<String>,
    pub(crate) input: Value,
    pub(crate) output: String,
    pub(crate) rounds: u32,
    /// Every tool call the model asked for, in order, with its outcome.
    pub tool_calls: Vec<ToolCallRecord>,
    pub(crate) usage: Usage,
    /// Where the run's time went.
    pub timings: Timings,
    /// The memories added to the prompt; absent when the agent has no
    /// `[memory]` enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<memory::Context>,
    /// Why the run failed; absent when it succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<RunError>,
    /// The conversation the run took part in: the one of the message it
    /// handled, or the one its `send_message` calls opened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// The message the run handled, when a message started it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(skip)]
    pub(crate) started_ms: i64,
}

impl RunRecord {
    /// The failure as a catalogue error, for adapters that exit on it.
    pub fn failure(&self) -> Option<Error> {
        self.error.as_ref().map(|e| Error::Llm(e.to_llm_error()))
    }

    /// The automatic memory of a run: what was asked, what was answered,
    /// which tools helped.
    pub fn memory_summary(&self) -> String {
        let clip = |s: &str, n: usize| {
            let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
            if one_line.chars().count() > n {
                format!("{}…", one_line.chars().take(n).collect::<String>())
            } else {
                one_line
            }
        };
        let request = match &self.input {
            Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        let mut tools: Vec<&str> = self
            .tool_calls
            .iter()
            .filter(|c| c.outcome == CallOutcome::Ok)
            .map(|c| c.name.as_str())
            .collect();
        tools.dedup();
        let used = if tools.is_empty() {
            String::new()
        } else {
            format!(" (tools: {})", tools.join(", "))
        };
        format!(
            "Run {}: asked \"{}\", answered \"{}\"{used}",
            self.started_at,
            clip(&request, 200),
            clip(&self.output, 300)
        )
    }
}

/// Store `rec` in the run log: one row, one transaction.
pub fn insert(store: &mut Store, rec: &RunRecord) -> Result<i64> {
    let path = store.path().to_path_buf();
    store.write(|tx| insert_in(tx, &path, rec))
}

/// [`insert`] inside the caller's transaction (`path` names the store in
/// errors), beside the run's memory summary.
pub fn insert_in(tx: &Transaction, path: &Path, rec: &RunRecord) -> Result<i64> {
    let tool_calls = serde_json::to_string(&rec.tool_calls).unwrap_or_else(|_| "[]".into());
    let record = serde_json::to_string(rec).unwrap_or_else(|_| "{}".into());
    let input = match &rec.input {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    };
    tx.execute(
            "INSERT INTO agent_runs (agent_id, version, provider, model, input, output, tool_calls,
                 prompt_tokens, completion_tokens, started_at, duration_us, model_us, tools_us,
                 rounds, error_kind, error, record, conversation_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
            params![
                rec.agent,
                rec.version,
                rec.provider,
                rec.model,
                input,
                rec.output,
                tool_calls,
                rec.usage.prompt_tokens,
                rec.usage.completion_tokens,
                rec.started_ms,
                (rec.timings.total_ms * 1000.0) as i64,
                (rec.timings.model_ms * 1000.0) as i64,
                (rec.timings.tools_ms * 1000.0) as i64,
                rec.rounds,
                rec.error.as_ref().map(|e| kind_name(e.kind)),
                rec.error.as_ref().map(|e| e.message.clone()),
                record,
                rec.conversation_id,
            ],
        )
        .map_err(|e| store_err(path, e))?;
    Ok(tx.last_insert_rowid())
}

fn kind_name(k: LlmErrorKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// One stored run, newest first in listings.
#[derive(Debug, Clone, Serialize)]
pub struct Stored {
    pub id: i64,
    pub started_at: i64,
    /// The full record as it was printed by `--json`.
    pub record: Value,
}

/// The newest `limit` runs of `agent` (only failed ones with
/// `errors_only`), newest first.
pub fn recent(store: &Store, agent: &str, errors_only: bool, limit: usize) -> Result<Vec<Stored>> {
    let err = |e| store_err(store.path(), e);
    let mut stmt = store
        .conn()
        .prepare_cached(
            "SELECT id, started_at, record FROM agent_runs
             WHERE agent_id = ?1 AND (NOT ?2 OR error_kind IS NOT NULL)
             ORDER BY started_at DESC, id DESC LIMIT ?3",
        )
        .map_err(err)?;
    stmt.query_map(params![agent, errors_only, limit as i64], |r| {
        Ok(Stored {
            id: r.get(0)?,
            started_at: r.get(1)?,
            record: serde_json::from_str(&r.get::<_, String>(2)?).unwrap_or(Value::Null),
        })
    })
    .map_err(err)?
    .collect::<rusqlite::Result<_>>()
    .map_err(err)
}

/// Runs that took part in `conversation`, oldest first, at most `limit`.
pub fn in_conversation(
    conn: &rusqlite::Connection,
    conversation: &str,
    limit: usize,
) -> rusqlite::Result<Vec<Stored>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, started_at, record FROM agent_runs
         WHERE conversation_id = ?1 ORDER BY started_at, id LIMIT ?2",
    )?;
    stmt.query_map(
        params![conversation, i64::try_from(limit).unwrap_or(i64::MAX)],
        |r| {
            Ok(Stored {
                id: r.get(0)?,
                started_at: r.get(1)?,
                record: serde_json::from_str(&r.get::<_, String>(2)?).unwrap_or(Value::Null),
            })
        },
    )?
    .collect()
}

/// Aggregates over a window of runs.
#[derive(Debug, Clone, Serialize)]
pub struct Metrics {
    pub agent: String,
    /// Start of the window (ms since the epoch).
    pub since: i64,
    pub runs: u64,
    pub errors: u64,
    pub error_rate: f64,
    pub latency_p50_ms: Option<f64>,
    pub latency_p99_ms: Option<f64>,
    pub model_p50_ms: Option<f64>,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub tool_calls: u64,
    pub denied_tool_calls: u64,
    pub last_run_at: Option<i64>,
    pub last_error: Option<String>,
}

impl Metrics {
    /// No runs in the window.
    pub fn empty(agent: &str, since: i64) -> Metrics {
        Metrics {
            agent: agent.to_string(),
            since,
            runs: 0,
            errors: 0,
            error_rate: 0.0,
            latency_p50_ms: None,
            latency_p99_ms: None,
            model_p50_ms: None,
            prompt_tokens: 0,
            completion_tokens: 0,
            tool_calls: 0,
            denied_tool_calls: 0,
            last_run_at: None,
            last_error: None,
        }
    }
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[i64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1] as f64 / 1000.0)
}

pub fn metrics(store: &Store, agent: &str, since: i64) -> Result<Metrics> {
    let err = |e| store_err(store.path(), e);
    let mut stmt = store
        .conn()
        .prepare_cached(
            "SELECT duration_us, model_us, prompt_tokens, completion_tokens, error_kind, tool_calls
             FROM agent_runs WHERE agent_id = ?1 AND started_at >= ?2",
        )
        .map_err(err)?;
    let mut durations = Vec::new();
    let mut model = Vec::new();
    let mut m = Metrics::empty(agent, since);
    let rows = stmt
        .query_map(params![agent, since], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
            ))
        })
        .map_err(err)?;
    for row in rows {
        let (d, md, pt, ct, kind, calls) = row.map_err(err)?;
        m.runs += 1;
        m.errors += u64::from(kind.is_some());
        durations.push(d);
        model.push(md);
        m.prompt_tokens += pt.max(0) as u64;
        m.completion_tokens += ct.max(0) as u64;
        let calls: Vec<Value> = serde_json::from_str(&calls).unwrap_or_default();
        m.tool_calls += calls.len() as u64;
        m.denied_tool_calls += calls.iter().filter(|c| c["outcome"] == "denied").count() as u64;
    }
    durations.sort_unstable();
    model.sort_unstable();
    m.latency_p50_ms = percentile(&durations, 50.0);
    m.latency_p99_ms = percentile(&durations, 99.0);
    m.model_p50_ms = percentile(&model, 50.0);
    if m.runs > 0 {
        m.error_rate = m.errors as f64 / m.runs as f64;
    }
    let last = store
        .conn()
        .query_row(
            "SELECT MAX(started_at) FROM agent_runs WHERE agent_id = ?1",
            [agent],
            |r| r.get::<_, Option<i64>>(0),
        )
        .map_err(err)?;
    m.last_run_at = last;
    m.last_error = store
        .conn()
        .query_row(
            "SELECT error FROM agent_runs WHERE agent_id = ?1 AND error IS NOT NULL
             ORDER BY started_at DESC, id DESC LIMIT 1",
            [agent],
            |r| r.get::<_, String>(0),
        )
        .optional()
        .map_err(err)?;
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<i64> = (1..=100).map(|i| i * 1000).collect();
        assert_eq!(percentile(&v, 50.0), Some(50.0));
        assert_eq!(percentile(&v, 99.0), Some(99.0));
        assert_eq!(percentile(&[7000], 99.0), Some(7.0));
        assert_eq!(percentile(&[], 50.0), None);
    }
}
