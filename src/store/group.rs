//! Group commit: small writes from concurrent callers share transactions.
//!
//! One writer thread owns a connection. It takes every write queued since
//! its last commit (up to a batch limit), runs each inside its own
//! savepoint of one `BEGIN IMMEDIATE` transaction (a failing write rolls
//! back alone, the others keep their effects), commits once, and only then
//! answers the callers. So a caller is acknowledged only after the
//! transaction holding its write has committed: a crash (even `kill -9`)
//! loses nothing that was acknowledged, while N concurrent writers cost one
//! commit instead of N, and none of them spins in SQLite's busy handler.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use rusqlite::Connection;

use super::{Store, store_err};
use crate::error::{Error, Result};

/// Writes one transaction carries at most: bounds how long the first
/// caller of a batch waits behind the others.
const MAX_BATCH: usize = 256;
/// Writes waiting for the writer; a caller beyond it waits to enqueue.
const QUEUE: usize = 4096;

/// Called once the batch's transaction ended: `None` when it committed.
type Finish = Box<dyn FnOnce(Option<&rusqlite::Error>) + Send>;
/// Runs one write; given why the store could not be opened instead of it.
type Job = Box<dyn FnOnce(std::result::Result<&Store, &Error>) -> Finish + Send>;

/// One writer thread that commits concurrent writes together (group
/// commit): each caller is answered only after the shared transaction commits.
pub struct GroupCommit {
    jobs: mpsc::SyncSender<Job>,
    path: PathBuf,
}

impl GroupCommit {
    /// A writer for the store at `path`; the connection is opened by the
    /// first write (an open error is that write's answer).
    pub fn new(path: &Path) -> Result<GroupCommit> {
        let (jobs, queue) = mpsc::sync_channel(QUEUE);
        let db = path.to_path_buf();
        std::thread::Builder::new()
            .name("caxton-writer".into())
            .spawn(move || writer(&db, &queue))
            .map_err(|e| Error::io("start the writer thread for", path, e))?;
        Ok(GroupCommit {
            jobs,
            path: path.to_path_buf(),
        })
    }

    /// Run `f` in the next group transaction and return its result once that
    /// transaction has committed. `f` sees the store as [`Store::write`]
    /// would (refused in safe mode); its error rolls back only its own work.
    pub fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (reply, answer) = mpsc::sync_channel::<Result<T>>(1);
        let path = self.path.clone();
        let job: Job = Box::new(move |store: std::result::Result<&Store, &Error>| {
            let out = match store {
                Ok(store) => store.check_writable().and_then(|()| in_savepoint(store, f)),
                Err(e) => Err(Error::Io {
                    action: "open",
                    path: path.clone(),
                    source: std::io::Error::other(e.to_string()),
                }),
            };
            Box::new(move |failed: Option<&rusqlite::Error>| {
                let out = match (out, failed) {
                    (Ok(_), Some(e)) => Err(store_err(&path, again(e))),
                    (out, _) => out,
                };
                // The caller may have gone (its request was cancelled).
                let _ = reply.send(out);
            })
        });
        let stopped = || Error::Io {
            action: "write to",
            path: self.path.clone(),
            source: std::io::Error::other("the store's writer thread has stopped"),
        };
        self.jobs.send(job).map_err(|_| stopped())?;
        answer.recv().map_err(|_| stopped())?
    }
}

/// Run `f` between `SAVEPOINT` and `RELEASE`, rolling back to the savepoint
/// when it fails or panics.
fn in_savepoint<T>(store: &Store, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
    let conn = store.conn();
    let sql = |e| store_err(store.path(), e);
    conn.execute_batch("SAVEPOINT one_write").map_err(sql)?;
    let out = catch_unwind(AssertUnwindSafe(|| f(conn))).unwrap_or_else(|_| {
        Err(Error::Io {
            action: "write to",
            path: store.path().to_path_buf(),
            source: std::io::Error::other("the write panicked and was rolled back"),
        })
    });
    let end = match out {
        Ok(_) => "RELEASE one_write",
        Err(_) => "ROLLBACK TO one_write; RELEASE one_write",
    };
    conn.execute_batch(end).map_err(sql)?;
    out
}

/// A second copy of a commit error, one per caller of the batch.
fn again(e: &rusqlite::Error) -> rusqlite::Error {
    match e {
        rusqlite::Error::SqliteFailure(code, msg) => {
            rusqlite::Error::SqliteFailure(*code, msg.clone())
        }
        other => rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
            Some(other.to_string()),
        ),
    }
}

fn writer(path: &Path, queue: &mpsc::Receiver<Job>) {
    let mut store: Option<Store> = None;
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Ok(first) = queue.recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH
            && let Ok(next) = queue.try_recv()
        {
            batch.push(next);
        }
        let s = match &store {
            Some(s) => s,
            None => match Store::open(path) {
                Ok(s) => store.insert(s),
                Err(e) => {
                    // This batch's callers learn why; the next batch retries.
                    for job in batch.drain(..) {
                        job(Err(&e))(None);
                    }
                    continue;
                }
            },
        };
        run_batch(s, &mut batch);
    }
}

/// One transaction for the whole batch. When it cannot begin (another
/// process holds the write lock past the busy timeout), every write runs
/// in its own transaction instead: its savepoint commits it.
fn run_batch(store: &Store, batch: &mut Vec<Job>) {
    let conn = store.conn();
    let grouped = conn.execute_batch("BEGIN IMMEDIATE").is_ok();
    let finishes: Vec<Finish> = batch.drain(..).map(|job| job(Ok(store))).collect();
    let failed = if grouped {
        conn.execute_batch("COMMIT").err().inspect(|_| {
            let _ = conn.execute_batch("ROLLBACK");
        })
    } else {
        None
    };
    for finish in finishes {
        finish(failed.as_ref());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn setup() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("caxton.db");
        let s = Store::open(&path).unwrap();
        s.conn()
            .execute_batch("CREATE TABLE t (v INTEGER PRIMARY KEY)")
            .unwrap();
        (dir, path)
    }

    #[test]
    fn concurrent_writes_commit_and_a_failing_one_rolls_back_alone() {
        let (_dir, path) = setup();
        let g = Arc::new(GroupCommit::new(&path).unwrap());
        let threads: Vec<_> = (0..16)
            .map(|i| {
                let g = g.clone();
                std::thread::spawn(move || {
                    for j in 0..50 {
                        let v = i * 1000 + j;
                        let out = g.write(move |c| {
                            c.execute("INSERT INTO t (v) VALUES (?1)", [v])
                                .map_err(|e| store_err(Path::new("t"), e))?;
                            if v % 7 == 0 {
                                // Written, then failed: must not persist.
                                return Err(Error::BadRequest {
                                    message: "seven".into(),
                                });
                            }
                            Ok(v)
                        });
                        assert_eq!(out.is_ok(), v % 7 != 0, "{v}: {out:?}");
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        let s = Store::open(&path).unwrap();
        let n: i64 = s
            .conn()
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        let sevens: i64 = s
            .conn()
            .query_row("SELECT count(*) FROM t WHERE v % 7 = 0", [], |r| r.get(0))
            .unwrap();
        let expected = (0..16)
            .flat_map(|i| (0..50).map(move |j| i * 1000 + j))
            .filter(|v| v % 7 != 0)
            .count();
        assert_eq!((n as usize, sevens), (expected, 0));
    }

    #[test]
    fn a_panicking_write_is_an_error_and_the_writer_goes_on() {
        let (_dir, path) = setup();
        let g = GroupCommit::new(&path).unwrap();
        let r: Result<()> = g.write(|_| panic!("boom"));
        assert!(r.unwrap_err().to_string().contains("panicked"));
        assert_eq!(g.write(|_| Ok(5)).unwrap(), 5);
    }
}
