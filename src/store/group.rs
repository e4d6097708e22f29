//! Group commit: small writes from concurrent callers share transactions.
//!
//! One writer thread owns a connection. It takes every write queued since
//! its last commit (up to a batch limit), runs them in one `BEGIN IMMEDIATE`
//! transaction, commits once, and only then answers the callers. So a
//! caller is acknowledged only after the transaction holding its write has
//! committed: a crash (even `kill -9`) loses nothing that was acknowledged,
//! while N concurrent writers cost one commit instead of N, and none of
//! them spins in SQLite's busy handler.
//!
//! A failing write rolls back alone, the others keep their effects. The
//! writes of a batch first run one after the other with no savepoint: FTS5
//! writes its pending index to disk at every savepoint and at every
//! release, so a savepoint per write made each write a tiny index segment
//! of its own (then merged again): half the writer's time, found with
//! `perf`. Only when a write fails is the batch rolled back and run again,
//! each write in its own savepoint, which is why a write may run twice
//! (`Fn`, not `FnOnce`); nothing of the first run is kept. SQLite still
//! opens a statement savepoint inside each trigger-firing statement, so the
//! memory triggers do not write FTS5 at all: the batch's index rows are
//! written by one statement just before it commits (`store::search_index`).
//!
//! An async caller (the daemon's REST handlers) queues its write with
//! [`GroupCommit::submit`] and awaits the answer: the writer thread wakes the
//! request's task itself, so no thread of the caller is parked for the commit
//! (a blocking-pool thread per waiting request was two more thread hops per
//! write). Its queue is never waited on: when it is full the write is
//! refused at once with [`Error::WriterBusy`] (HTTP 503 + Retry-After).
//!
//! The writer never waits for a WAL checkpoint. SQLite's default makes the
//! committing connection copy the WAL into the database file (and `fsync`
//! it) once the WAL passes 1,000 pages, inside that commit: every caller of
//! that batch waited for it. The writer's connection instead tells a
//! checkpointer thread, which runs `PASSIVE` checkpoints on a connection of
//! its own beside the writes. A passive checkpoint never catches up with a
//! writer that never pauses, and the WAL restarts from its beginning only
//! when one has (everything copied when a write transaction begins), so a
//! WAL past [`WalLimits::bound`] is finished by the writer itself after its
//! commit (waiting for a checkpointer run in progress): only the frames the
//! checkpointer has not copied yet, and with no other writer in this process
//! it catches up, so the next transaction restarts the WAL.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError, mpsc};

use rusqlite::Connection;
use rusqlite::hooks::Wal;
use rusqlite::wal::CheckpointMode;

use super::{Store, search_index, store_err};
use crate::error::{Error, Result};

/// Writes one transaction carries at most: bounds how long the first
/// caller of a batch waits behind the others.
const MAX_BATCH: usize = 256;
/// Writes waiting for the writer; a caller beyond it waits to enqueue.
const QUEUE: usize = 4096;

/// When the WAL is copied into the database file, in WAL pages (frames).
#[derive(Clone, Copy, Debug)]
struct WalLimits {
    /// The checkpointer runs once per this many new pages (SQLite's own
    /// autocheckpoint threshold).
    checkpoint: i32,
    /// Past this many pages the writer finishes the checkpoint after its
    /// commit, so the WAL restarts: 16 MB of 4 KiB pages.
    bound: i32,
}

impl WalLimits {
    const DEFAULT: WalLimits = WalLimits {
        checkpoint: 1000,
        bound: 4000,
    };
}

/// One queued write: run (once, or twice when another write of its batch
/// failed), then answered once the batch's transaction has ended.
trait Job: Send {
    /// Run the write on `store` (or learn why it could not be opened or is
    /// refused in safe mode), in a savepoint of its own when `alone`,
    /// keeping the outcome for [`Job::finish`] (a second run replaces the
    /// first's). Whether it succeeded.
    fn run(&mut self, store: std::result::Result<&Store, &Error>, alone: bool) -> bool;
    /// Answer the caller; `failed` is why the batch's commit failed.
    fn finish(self: Box<Self>, failed: Option<&rusqlite::Error>);
}

/// `reply` hands the answer to the caller: a channel a thread waits on, or
/// the oneshot an async task awaits.
struct Write<T, F, R> {
    f: F,
    out: Option<Result<T>>,
    reply: R,
    path: Arc<Path>,
}

impl<T, F, R> Job for Write<T, F, R>
where
    T: Send,
    F: Fn(&Connection) -> Result<T> + Send,
    R: FnOnce(Result<T>) + Send,
{
    fn run(&mut self, store: std::result::Result<&Store, &Error>, alone: bool) -> bool {
        let out = match store {
            Ok(store) if alone => in_savepoint(store, &self.f),
            Ok(store) => guarded(store, &self.f),
            Err(Error::SafeMode { dir }) => Err(Error::SafeMode { dir: dir.clone() }),
            Err(e) => Err(Error::Io {
                action: "open",
                path: self.path.to_path_buf(),
                source: std::io::Error::other(e.to_string()),
            }),
        };
        let ok = out.is_ok();
        self.out = Some(out);
        ok
    }

    fn finish(self: Box<Self>, failed: Option<&rusqlite::Error>) {
        let out = match (self.out, failed) {
            (Some(Ok(_)), Some(e)) => Err(store_err(&self.path, again(e))),
            (Some(out), _) => out,
            // Every write of a batch runs before it is answered.
            (None, _) => Err(Error::Io {
                action: "write to",
                path: self.path.to_path_buf(),
                source: std::io::Error::other("the write was not run"),
            }),
        };
        (self.reply)(out);
    }
}

/// One writer thread that commits concurrent writes together (group
/// commit): each caller is answered only after the shared transaction commits.
pub struct GroupCommit {
    jobs: mpsc::SyncSender<Box<dyn Job>>,
    /// Shared with every queued write, which names the store in its errors.
    path: Arc<Path>,
}

impl GroupCommit {
    /// A writer for the store at `path`; the connection is opened by the
    /// first write (an open error is that write's answer).
    pub fn new(path: &Path) -> Result<GroupCommit> {
        GroupCommit::with_limits(path, WalLimits::DEFAULT)
    }

    fn with_limits(path: &Path, wal: WalLimits) -> Result<GroupCommit> {
        let (jobs, queue) = mpsc::sync_channel(QUEUE);
        let db = path.to_path_buf();
        std::thread::Builder::new()
            .name("caxton-writer".into())
            .spawn(move || writer(&db, wal, &queue))
            .map_err(|e| Error::io("start the writer thread for", path, e))?;
        Ok(GroupCommit {
            jobs,
            path: path.into(),
        })
    }

    /// Run `f` in the next group transaction and return its result once that
    /// transaction has committed. `f` sees the store as [`Store::write`]
    /// would (refused in safe mode); its error rolls back only its own work.
    /// `f` may run twice (the first run rolled back, see the module doc), so
    /// it must not have effects outside the connection. Blocks the calling
    /// thread, also while the queue is full: async callers use
    /// [`GroupCommit::submit`].
    pub fn write<T: Send + 'static>(
        &self,
        f: impl Fn(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (reply, answer) = mpsc::sync_channel::<Result<T>>(1);
        // The caller may have gone (a cancelled request), hence `let _`.
        let job = self.job(f, move |out| {
            let _ = reply.send(out);
        });
        self.jobs.send(job).map_err(|_| stopped(&self.path))?;
        answer.recv().map_err(|_| stopped(&self.path))?
    }

    /// [`GroupCommit::write`] for async callers: queues `f` without blocking
    /// and returns a future of its result, ready once the transaction holding
    /// it has committed (the writer thread wakes the awaiting task). A full
    /// queue is refused at once ([`Error::WriterBusy`]): the writer is seconds
    /// behind, and waiting for room would park a runtime worker. Dropping the
    /// future does not cancel the write.
    pub fn submit<T: Send + 'static>(
        &self,
        f: impl Fn(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<impl Future<Output = Result<T>> + Send + 'static> {
        let (reply, answer) = tokio::sync::oneshot::channel::<Result<T>>();
        let job = self.job(f, move |out| {
            let _ = reply.send(out);
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(mpsc::TrySendError::Full(_)) => return Err(Error::WriterBusy { queued: QUEUE }),
            Err(mpsc::TrySendError::Disconnected(_)) => return Err(stopped(&self.path)),
        }
        let path = self.path.clone();
        Ok(async move { answer.await.map_err(|_| stopped(&path))? })
    }

    fn job<T: Send + 'static>(
        &self,
        f: impl Fn(&Connection) -> Result<T> + Send + 'static,
        reply: impl FnOnce(Result<T>) + Send + 'static,
    ) -> Box<dyn Job> {
        Box::new(Write {
            f,
            out: None,
            reply,
            path: self.path.clone(),
        })
    }
}

/// The writer thread ended (it panicked outside a write): nothing queued
/// can be answered.
fn stopped(path: &Path) -> Error {
    Error::Io {
        action: "write to",
        path: path.to_path_buf(),
        source: std::io::Error::other("the store's writer thread has stopped"),
    }
}

/// Run `f`, turning a panic into an error.
fn guarded<T>(store: &Store, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(|| f(store.conn()))).unwrap_or_else(|_| {
        Err(Error::Io {
            action: "write to",
            path: store.path().to_path_buf(),
            source: std::io::Error::other("the write panicked and was rolled back"),
        })
    })
}

/// Run `f` between `SAVEPOINT` and `RELEASE`, rolling back to the savepoint
/// when it fails or panics. Outside a transaction the savepoint is the
/// transaction, so the full-text index is brought up to date before it
/// commits.
fn in_savepoint<T>(store: &Store, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
    let conn = store.conn();
    let sql = |e| store_err(store.path(), e);
    let commits = conn.is_autocommit();
    conn.execute_batch("SAVEPOINT one_write").map_err(sql)?;
    let out = guarded(store, f).and_then(|out| {
        if commits {
            search_index::flush(conn).map_err(sql)?;
        }
        Ok(out)
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

/// The writer's connection, its WAL checkpointed by a thread of its own
/// (see the module doc). The thread ends when the connection closes.
fn open_writer(path: &Path, wal: WalLimits) -> Result<Store> {
    let mut store = Store::open(path)?;
    // One pending wake-up is enough: a checkpoint copies every page
    // committed before it starts.
    let (wake, woken) = mpsc::sync_channel::<()>(1);
    // Held through each checkpoint: the writer finishing one at the bound
    // waits for the checkpointer's run rather than find the WAL busy and
    // let it grow by another run's worth of commits.
    let running = Arc::new(Mutex::new(()));
    let (db, ours) = (path.to_path_buf(), running.clone());
    std::thread::Builder::new()
        .name("caxton-checkpoint".into())
        .spawn(move || checkpointer(&db, &woken, &ours))
        .map_err(|e| Error::io("start the checkpoint thread for", path, e))?;
    // WAL pages when the checkpointer was last woken.
    let mut woke_at = 0;
    // Installing a WAL hook replaces SQLite's autocheckpoint on this
    // connection. The hook runs after each commit; its error would be the
    // commit's, so it never fails.
    let hook = move |w: &mut Wal, pages: std::ffi::c_int| {
        if pages < woke_at {
            // The WAL restarted.
            woke_at = 0;
        }
        if pages >= wal.bound {
            // Busy only while another process checkpoints: the next commit
            // tries again.
            let _one = running.lock().unwrap_or_else(PoisonError::into_inner);
            let _ = w.checkpoint_v2(CheckpointMode::PASSIVE);
        } else if pages - woke_at >= wal.checkpoint {
            woke_at = pages;
            let _ = wake.try_send(());
        }
        Ok(())
    };
    store
        .conn_mut()
        .wal_hook(Some(hook))
        .map_err(|e| store_err(path, e))?;
    Ok(store)
}

/// Copies the WAL into the database file whenever the writer asks, without
/// ever waiting for it: a `PASSIVE` checkpoint takes no lock a writer or
/// reader waits on, and copies what no reader still needs from the WAL.
fn checkpointer(path: &Path, woken: &mpsc::Receiver<()>, running: &Mutex<()>) {
    let mut store = None;
    while woken.recv().is_ok() {
        let _one = running.lock().unwrap_or_else(PoisonError::into_inner);
        if store.is_none() {
            // Failing to open only leaves the checkpoint to the writer's bound.
            store = Store::open(path).ok();
        }
        if let Some(s) = &store {
            let _ = s
                .conn()
                .wal_checkpoint_v2(Some("main"), CheckpointMode::PASSIVE);
        }
    }
}

fn writer(path: &Path, wal: WalLimits, queue: &mpsc::Receiver<Box<dyn Job>>) {
    let mut store: Option<Store> = None;
    let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_BATCH);
    while let Ok(first) = queue.recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH
            && let Ok(next) = queue.try_recv()
        {
            batch.push(next);
        }
        let s = match &store {
            Some(s) => s,
            None => match open_writer(path, wal) {
                Ok(s) => store.insert(s),
                Err(e) => {
                    // This batch's callers learn why; the next batch retries.
                    refuse(&mut batch, &e);
                    continue;
                }
            },
        };
        // Safe mode refuses every write (`Store::check_writable`). One stat
        // of its marker per batch, not per write: this thread is what
        // grouped writes wait on, and the batch's writes run after the check.
        match s.check_writable() {
            Ok(()) => run_batch(s, &mut batch),
            Err(e) => refuse(&mut batch, &e),
        }
    }
}

/// Answer every write of `batch` with `why`, none of them run.
fn refuse(batch: &mut Vec<Box<dyn Job>>, why: &Error) {
    for mut job in batch.drain(..) {
        job.run(Err(why), false);
        job.finish(None);
    }
}

/// One transaction for the whole batch, its writes run without savepoints;
/// when one fails, the batch is rolled back and run again with a savepoint
/// per write. When the transaction cannot begin (another process holds the
/// write lock past the busy timeout), every write runs in its own
/// transaction instead: its savepoint commits it.
fn run_batch(store: &Store, batch: &mut Vec<Box<dyn Job>>) {
    let conn = store.conn();
    let begin = || conn.execute_batch("BEGIN IMMEDIATE").is_ok();
    let mut grouped = begin();
    // `all` stops at the first failure; the rerun below runs every write.
    if !(grouped && batch.iter_mut().all(|job| job.run(Ok(store), false))) {
        if grouped {
            // The first run is undone whole; nothing of it was answered.
            let _ = conn.execute_batch("ROLLBACK");
            grouped = begin();
        }
        for job in batch.iter_mut() {
            job.run(Ok(store), true);
        }
    }
    let failed = if grouped {
        search_index::flush(conn)
            .and_then(|()| conn.execute_batch("COMMIT"))
            .err()
            .inspect(|_| {
                let _ = conn.execute_batch("ROLLBACK");
            })
    } else {
        None
    };
    for job in batch.drain(..) {
        job.finish(failed.as_ref());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
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

    /// A write queued for `run_batch` directly, so the batch is exactly
    /// these writes; its answer arrives on the returned receiver.
    fn job<T: Send + 'static>(
        path: &Path,
        f: impl Fn(&Connection) -> Result<T> + Send + 'static,
    ) -> (Box<dyn Job>, mpsc::Receiver<Result<T>>) {
        let (reply, answer) = mpsc::sync_channel(1);
        let w = Write {
            f,
            out: None,
            reply: move |out| reply.send(out).unwrap(),
            path: path.into(),
        };
        (Box::new(w), answer)
    }

    fn insert(v: i64) -> impl Fn(&Connection) -> Result<i64> + Send + 'static {
        move |c| {
            c.execute("INSERT INTO t (v) VALUES (?1)", [v])
                .map_err(|e| store_err(Path::new("t"), e))?;
            Ok(v)
        }
    }

    #[test]
    fn a_failing_write_in_a_batch_rolls_back_alone_and_the_others_commit_once() {
        let (_dir, path) = setup();
        let store = Store::open(&path).unwrap();
        let runs = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = {
            let runs = runs.clone();
            move |c: &Connection| {
                runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                insert(4)(c)
            }
        };
        let (a, ra) = job(&path, insert(1));
        let (b, rb) = job(&path, counted);
        // Fails because of a write before it in the same batch.
        let (c, rc) = job(&path, insert(1));
        // Writes, then fails: its row must not stay.
        let (d, rd) = job(&path, |c: &Connection| {
            insert(5)(c)?;
            Err::<i64, _>(Error::BadRequest {
                message: "five".into(),
            })
        });
        let (e, re) = job(&path, insert(6));
        let mut batch = vec![a, b, c, d, e];
        run_batch(&store, &mut batch);
        assert!(batch.is_empty());
        assert_eq!(ra.recv().unwrap().unwrap(), 1);
        assert_eq!(rb.recv().unwrap().unwrap(), 4);
        assert!(rc.recv().unwrap().is_err());
        assert!(rd.recv().unwrap().unwrap_err().to_string().contains("five"));
        assert_eq!(re.recv().unwrap().unwrap(), 6);
        let rows: Vec<i64> = store
            .conn()
            .prepare("SELECT v FROM t ORDER BY v")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(rows, [1, 4, 6]);
        // The failure sent the batch round again, each write alone.
        assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 2);
        assert!(store.conn().is_autocommit(), "the transaction ended");

        // A batch with no failure runs each write once, in one transaction.
        let (f, rf) = job(&path, insert(7));
        let (g, rg) = job(&path, |c: &Connection| Ok(c.is_autocommit()));
        let mut batch = vec![f, g];
        run_batch(&store, &mut batch);
        assert_eq!(rf.recv().unwrap().unwrap(), 7);
        assert!(
            !rg.recv().unwrap().unwrap(),
            "inside the batch's transaction"
        );
    }

    #[test]
    fn a_write_committed_by_its_own_savepoint_is_indexed_for_search() {
        // When the batch's transaction cannot begin, each write's savepoint
        // is its transaction: the full-text index must be written in it.
        let (_dir, path) = setup();
        let store = Store::open(&path).unwrap();
        in_savepoint(&store, |c: &Connection| {
            c.execute_batch(
                "INSERT INTO memory_entities
                 (id, name, entity_type, scope, created_by, created_at, updated_at)
                 VALUES (1, 'okapi', 'thing', 'global', 't', 0, 0)",
            )
            .map_err(|e| store_err(Path::new("t"), e))
        })
        .unwrap();
        assert!(store.conn().is_autocommit(), "committed");
        let hits: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM memory_fts WHERE memory_fts MATCH 'okapi'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(hits, 1);
    }

    #[test]
    fn a_panicking_write_is_an_error_and_the_writer_goes_on() {
        let (_dir, path) = setup();
        let g = GroupCommit::new(&path).unwrap();
        let r: Result<()> = g.write(|_| panic!("boom"));
        assert!(r.unwrap_err().to_string().contains("panicked"));
        assert_eq!(g.write(|_| Ok(5)).unwrap(), 5);
    }

    #[test]
    fn a_submitted_write_is_answered_after_its_commit_and_a_full_queue_is_refused_at_once() {
        let (_dir, path) = setup();
        let g = GroupCommit::new(&path).unwrap();
        // The first write holds the writer until the queue has been filled.
        let (started, running) = mpsc::sync_channel(1);
        let (release, held) = mpsc::sync_channel::<()>(1);
        let held = std::sync::Mutex::new(held);
        let first = g
            .submit(move |c| {
                started.send(()).unwrap();
                held.lock().unwrap().recv().unwrap();
                insert(-1)(c)
            })
            .unwrap();
        running.recv().unwrap();
        let queued: Vec<_> = (0..QUEUE as i64)
            .map(|v| g.submit(insert(v)).unwrap())
            .collect();
        // Refused without waiting for room, which would park the caller.
        let refused = g.submit(insert(-2)).err();
        assert!(
            matches!(refused, Some(Error::WriterBusy { queued: QUEUE })),
            "{refused:?}"
        );
        release.send(()).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert_eq!(rt.block_on(first).unwrap(), -1);
        let answers: Vec<i64> = rt
            .block_on(async {
                let mut all = Vec::new();
                for q in queued {
                    all.push(q.await);
                }
                all
            })
            .into_iter()
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(answers, (0..QUEUE as i64).collect::<Vec<_>>());
        // Every answered write is committed: a new connection sees it.
        let n: i64 = Store::open(&path)
            .unwrap()
            .conn()
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, QUEUE as i64 + 1);
        // The queue has room again.
        assert_eq!(rt.block_on(g.submit(insert(-3)).unwrap()).unwrap(), -3);
    }

    /// A writer with `wal` limits on a store with a table of 4 KB blobs:
    /// each write adds one row of at least one page.
    fn blob_writer(wal: WalLimits) -> (tempfile::TempDir, PathBuf, GroupCommit) {
        let (dir, path) = setup();
        Store::open(&path)
            .unwrap()
            .conn()
            .execute_batch("CREATE TABLE b (x BLOB)")
            .unwrap();
        let g = GroupCommit::with_limits(&path, wal).unwrap();
        (dir, path, g)
    }

    fn write_blob(g: &GroupCommit) {
        g.write(|c| {
            c.execute("INSERT INTO b (x) VALUES (zeroblob(4000))", [])
                .map_err(|e| store_err(Path::new("b"), e))
        })
        .unwrap();
    }

    fn file_len(path: &Path) -> u64 {
        std::fs::metadata(path).map_or(0, |m| m.len())
    }

    #[test]
    fn the_checkpointer_copies_the_wal_into_the_database_file_beside_the_writer() {
        // The writer itself never checkpoints here (no bound), and SQLite's
        // own autocheckpoint (1,000 pages) would not start below 300.
        let (_dir, path, g) = blob_writer(WalLimits {
            checkpoint: 50,
            bound: i32::MAX,
        });
        let before = file_len(&path);
        for _ in 0..300 {
            write_blob(&g);
        }
        // The checkpointer runs after the commits that woke it: wait for
        // the database file to hold the rows (at least 250 pages more).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while file_len(&path) < before + 250 * 4096 {
            assert!(
                std::time::Instant::now() < deadline,
                "the database file stayed at {} bytes",
                file_len(&path)
            );
            std::thread::yield_now();
        }
    }

    #[test]
    fn a_steady_writer_keeps_the_wal_bounded_when_the_checkpointer_falls_behind() {
        // The checkpointer is never woken: only the writer's bound keeps
        // the WAL from growing. The WAL file is reused from its start once
        // everything in it is copied, never shrunk, so its length is the
        // most it ever held.
        let (_dir, path, g) = blob_writer(WalLimits {
            checkpoint: i32::MAX,
            bound: 100,
        });
        let wal = path.with_extension("db-wal");
        for _ in 0..1000 {
            write_blob(&g);
        }
        // The bound, plus the few pages of the commit that passed it.
        let most = 32 + 110 * (4096 + 24);
        assert!(file_len(&wal) <= most, "WAL of {} bytes", file_len(&wal));
        let rows: i64 = Store::open(&path)
            .unwrap()
            .conn()
            .query_row("SELECT count(*) FROM b", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1000);
    }

    #[test]
    fn writes_are_refused_in_safe_mode_and_accepted_once_it_ends() {
        let (dir, path) = setup();
        let g = GroupCommit::new(&path).unwrap();
        let marker = crate::paths::safe_mode_marker(dir.path());
        std::fs::write(&marker, "").unwrap();
        for v in 0..3 {
            let r = g.write(insert(v));
            assert!(matches!(r, Err(Error::SafeMode { .. })), "{r:?}");
        }
        std::fs::remove_file(&marker).unwrap();
        assert_eq!(g.write(insert(100)).unwrap(), 100);
        let n: i64 = Store::open(&path)
            .unwrap()
            .conn()
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }
}
