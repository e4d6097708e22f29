//! The daemon's record of WASM executions, written in batches.
//!
//! Writing every execution's statistics in its own transaction cost more
//! than the execution itself. Executions hand their samples to one
//! recorder thread, which sums them per agent and writes them in one
//! transaction per [`BATCH`] samples or per [`LINGER`], whichever comes
//! first; [`Recorder::close`] (at shutdown, SIGTERM included) writes what is
//! left. A `kill -9` can lose at most the last few milliseconds of
//! statistics, never an answer: statistics are not acknowledged to anyone.

use std::collections::BTreeMap;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::agent::wasm::Runs;
use crate::error::{Error, Result};
use crate::runtime::wasm::{Stats, WasmError};
use crate::store::pool::StorePool;
use crate::store::store_err;

/// Samples one transaction carries at most.
const BATCH: usize = 512;
/// How long a sample waits for others before it is written anyway.
const LINGER: Duration = Duration::from_millis(5);

struct Sample {
    agent: String,
    stats: Stats,
    error: Option<WasmError>,
}

pub struct Recorder {
    samples: Mutex<Option<mpsc::Sender<Sample>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Recorder {
    /// A recorder writing through connections of `pool`.
    pub fn start(pool: Arc<StorePool>) -> Result<Recorder> {
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("caxton-recorder".into())
            .spawn(move || run(&pool, &rx))
            .map_err(|e| Error::io("start the stats recorder for", std::path::Path::new("-"), e))?;
        Ok(Recorder {
            samples: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Queue one execution of `agent`. After [`Recorder::close`] the sample
    /// is dropped (only executions abandoned at shutdown get here).
    pub fn record(&self, agent: &str, stats: &Stats, error: Option<WasmError>) {
        let samples = self.samples.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(tx) = samples.as_ref() {
            let _ = tx.send(Sample {
                agent: agent.to_string(),
                stats: *stats,
                error,
            });
        }
    }

    /// Write every queued sample and stop the thread.
    pub fn close(&self) {
        drop(
            self.samples
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(t) = thread {
            let _ = t.join();
        }
    }
}

fn run(pool: &Arc<StorePool>, samples: &mpsc::Receiver<Sample>) {
    let mut open = true;
    while open {
        let Ok(first) = samples.recv() else {
            return;
        };
        let deadline = Instant::now() + LINGER;
        let mut batch: BTreeMap<String, Runs> = BTreeMap::new();
        let mut n = 1;
        batch
            .entry(first.agent)
            .or_default()
            .add(&first.stats, first.error);
        while n < BATCH {
            match samples.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(s) => {
                    batch.entry(s.agent).or_default().add(&s.stats, s.error);
                    n += 1;
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => {
                    open = false;
                    break;
                }
            }
        }
        if let Err(e) = write(pool, &batch) {
            tracing::warn!(executions = n, "execution statistics not recorded: {e}");
        }
    }
}

fn write(pool: &Arc<StorePool>, batch: &BTreeMap<String, Runs>) -> Result<()> {
    let mut store = pool.get()?;
    let db = store.path().to_path_buf();
    store.write(|tx| {
        let sql = |e| store_err(&db, e);
        let mut exists = tx
            .prepare_cached("SELECT 1 FROM agents WHERE id = ?1")
            .map_err(sql)?;
        for (agent, runs) in batch {
            // Undeployed since it ran: its statistics went with it.
            if exists.exists([agent]).map_err(sql)? {
                runs.record_in(tx, agent).map_err(sql)?;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_writes_every_queued_sample_in_batches() {
        let dir = tempfile::tempdir().unwrap();
        let pool = StorePool::new(&dir.path().join("caxton.db"), 2, Duration::from_secs(5));
        pool.get()
            .unwrap()
            .conn()
            .execute_batch(
                "INSERT INTO agents (id, name, kind, created_at, updated_at)
                 VALUES ('a', 'a', 'wasm', 0, 0), ('b', 'b', 'wasm', 0, 0)",
            )
            .unwrap();
        let r = Recorder::start(pool.clone()).unwrap();
        let stats = Stats {
            fuel: 10,
            cpu_us: 2,
            wall_us: 3,
            peak_memory_bytes: 7,
            queued_us: 0,
            logs_dropped: 0,
        };
        for i in 0..2000 {
            let agent = if i % 2 == 0 { "a" } else { "b" };
            let err = (i % 10 == 1).then(|| WasmError::Agent {
                message: "no".into(),
            });
            r.record(agent, &stats, err);
        }
        r.record("gone", &stats, None);
        r.close();
        r.record("a", &stats, None);
        let store = pool.get().unwrap();
        let row = |id: &str| -> (i64, i64, i64) {
            store
                .conn()
                .query_row(
                    "SELECT executions, failures, fuel FROM wasm_stats WHERE agent_id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .unwrap()
        };
        assert_eq!(row("a"), (1000, 0, 10_000));
        assert_eq!(row("b"), (1000, 200, 10_000));
    }
}
