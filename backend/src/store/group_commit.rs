//! Group commit for SQLite: concurrent writes of one kind share one transaction, so N residents
//! submitting at once cost one `fsync` instead of N.
//!
//! One writer task per [`GroupCommit`] owns the write path. It takes the first job that arrives,
//! then every job that queued up meanwhile (while the previous batch's commit was syncing), up to
//! [`MAX_BATCH`], and runs them in a single `BEGIN IMMEDIATE` transaction. A job that fails (a
//! constraint, a bad row) fails alone: the batch is then run again with each job inside its own
//! savepoint, rolled back to it alone with its own error while the others go on (see
//! [`commit_batch`]). Only when `COMMIT` has returned (WAL + `synchronous=FULL`:
//! the batch is on disk) does any caller get its answer. If the commit fails, the batch is run
//! again job by job, and if that commit fails too every job of the batch gets an error; nothing
//! of it was acknowledged.
//!
//! The writer has a connection of its own (its page cache stays warm), sends a batch's rows as
//! one script ([`Script`]: one round trip to SQLite's thread for `BEGIN`, the rows and `COMMIT`),
//! and leaves checkpoints to a background task ([`checkpointer`]) so that no resident waits for
//! the WAL to be copied into the database.
//!
//! PostgreSQL does not need this (it groups commits of concurrent transactions itself), so callers
//! run their job in a transaction of their own there: see [`GroupCommit::run`].

use super::Tx;
use crate::db::{Db, Engine};
use crate::{BackendError, Result};
use sqlx::Connection;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, oneshot};

/// Most jobs in one transaction. Bounds the time one batch holds the write lock and the size of
/// one WAL append; at a few hundred microseconds per job this is well under the time of a sync.
pub const MAX_BATCH: usize = 256;

/// Jobs waiting for the writer; a full queue makes callers wait (back-pressure), it never drops.
const QUEUE: usize = 4096;

/// The future a [`Job`] returns (boxed: a plain `async fn` in the trait would make callers'
/// futures fail the `Send` check that axum and `tokio::spawn` need).
pub type WriteFuture<'a> = Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>;

/// A whole batch's common rows as one SQLite script: statements separated by `;`, their `$N`
/// parameters numbered across the whole script, and the arguments (SQLite runs every statement
/// of a query in one round trip to its connection thread; each round trip costs a thread
/// wake-up on both sides, which under load was most of a batch's time).
pub struct Script {
    pub sql: &'static str,
    pub args: Vec<String>,
}

/// One write, done inside a transaction the writer provides.
pub trait Job: Send + Sync + 'static {
    /// Writes this job's rows alone (PostgreSQL, and SQLite when a batch is run again job by
    /// job). Must not commit; may fail, which rolls back this job only.
    fn write<'a, 'c: 'a>(&'a self, tx: &'a mut Tx<'c>) -> WriteFuture<'a>;

    /// The rows every job of a batch writes, for all of `jobs` in one [`Script`] (SQLite). A
    /// failure fails the attempt, and the batch is run again job by job ([`Job::write`] in
    /// savepoints).
    ///
    /// # Errors
    /// The arguments could not be encoded.
    fn script(jobs: &[&Self]) -> Result<Script>
    where
        Self: Sized;

    /// Whether this job writes rows besides those of [`Job::script`] ([`Job::write_extra`]).
    fn has_extra(&self) -> bool {
        false
    }

    /// Those rows, after the script, in the same transaction. Must not commit.
    fn write_extra<'a, 'c: 'a>(&'a self, _tx: &'a mut Tx<'c>) -> WriteFuture<'a> {
        Box::pin(async { Ok(()) })
    }
}

struct Queued<J> {
    job: J,
    done: oneshot::Sender<Result<()>>,
}

/// The group-commit writer of one job type. Cheap to clone; the task starts on first use (so
/// building an [`crate::AppState`] needs no runtime).
pub struct GroupCommit<J: Job> {
    queue: Arc<OnceLock<mpsc::Sender<Queued<J>>>>,
    /// Transactions committed by the writer (so far), for tests and logs: fewer than the jobs
    /// when batching works.
    commits: Arc<AtomicU64>,
}

impl<J: Job> Clone for GroupCommit<J> {
    fn clone(&self) -> Self {
        Self { queue: Arc::clone(&self.queue), commits: Arc::clone(&self.commits) }
    }
}

impl<J: Job> Default for GroupCommit<J> {
    fn default() -> Self {
        Self { queue: Arc::new(OnceLock::new()), commits: Arc::new(AtomicU64::new(0)) }
    }
}

impl<J: Job> GroupCommit<J> {
    /// How many batches the SQLite writer has committed.
    #[must_use]
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Writes `job` durably: on SQLite through the shared writer (batched), on PostgreSQL in a
    /// transaction of its own. Returns once the job's rows are committed, or its own error.
    ///
    /// # Errors
    /// The job's error (e.g. a unique violation the caller resolves), or a failed commit.
    pub async fn run(&self, db: &Db, job: J) -> Result<()> {
        if db.engine == Engine::Postgres {
            let mut tx = db.pool.begin().await?;
            job.write(&mut tx).await?;
            tx.commit().await?;
            return Ok(());
        }
        let sender = self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::channel(QUEUE);
            tokio::spawn(writer(db.clone(), rx, Arc::clone(&self.commits)));
            tx
        });
        let (done, answer) = oneshot::channel();
        sender
            .send(Queued { job, done })
            .await
            .map_err(|_| BackendError::Internal("group commit writer stopped".into()))?;
        answer.await.map_err(|_| BackendError::Internal("group commit writer dropped a job".into()))?
    }
}

/// How many WAL pages may pile up before the writer's own connection checkpoints inline: a
/// backstop only, if the background checkpoints stop (the automatic checkpoint at the default
/// 1,000 pages ran inside the committing connection and made that batch's residents wait).
const WRITER_AUTOCHECKPOINT: u32 = 50_000;

/// How often [`checkpointer`] looks whether the writer committed since its last checkpoint and
/// copies the WAL into the database beside the writer (`PASSIVE`: no lock the writer waits for).
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// WAL frames from which the writer lets the WAL start again: under steady load the background
/// checkpoint never copies the frames appended while it ran, and the WAL starts again from its
/// beginning only after a checkpoint that copied everything. So the writer, between two batches
/// (after answering one, before taking the next), runs one itself, when the last background
/// checkpoint left at most [`FINISH_BEHIND_AT_MOST`] frames to copy (a short pause: measured
/// 5–7 ms; with more left behind it would be longer, and it waits for a later one).
const FINISH_AT_FRAMES: i64 = 16_000;
const FINISH_BEHIND_AT_MOST: i64 = 1_024;

/// The writer's own connection, taken out of the pool for good: its page cache stays warm
/// (a pooled connection used by someone else in between would read every page it touches
/// again), nothing else waits for it, and its checkpoint setting touches nobody else.
async fn writer_connection(db: &Db) -> Result<sqlx::AnyConnection> {
    let mut conn = db.pool.acquire().await?.detach();
    sqlx::query(&format!("PRAGMA wal_autocheckpoint = {WRITER_AUTOCHECKPOINT}")).execute(&mut conn).await?;
    Ok(conn)
}

async fn writer<J: Job>(db: Db, mut rx: mpsc::Receiver<Queued<J>>, commits: Arc<AtomicU64>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut conn: Option<sqlx::AnyConnection> = None;
    let mut checkpoints: Option<tokio::task::JoinHandle<()>> = None;
    let wal = Arc::new(WalState::default());
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(q) => batch.push(q),
                Err(_) => break,
            }
        }
        let n = batch.len();
        if checkpoints.as_ref().is_none_or(tokio::task::JoinHandle::is_finished) {
            checkpoints = Some(tokio::spawn(checkpointer(db.clone(), Arc::clone(&commits), Arc::clone(&wal))));
        }
        let started = std::time::Instant::now();
        let outcome = match conn.as_mut() {
            Some(c) => commit_batch(c, &batch).await,
            None => match writer_connection(&db).await {
                Ok(c) => commit_batch(conn.insert(c), &batch).await,
                Err(e) => Err(e),
            },
        };
        match outcome {
            Ok(results) => {
                commits.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(jobs = n, micros = started.elapsed().as_micros(), "group commit");
                for (q, r) in batch.drain(..).zip(results) {
                    let _ = q.done.send(r);
                }
                if wal.frames.load(Ordering::Relaxed) >= FINISH_AT_FRAMES
                    && wal.behind.load(Ordering::Relaxed) <= FINISH_BEHIND_AT_MOST
                {
                    wal.frames.store(0, Ordering::Relaxed);
                    if let Some(c) = conn.as_mut() {
                        let t = std::time::Instant::now();
                        let r = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&mut *c).await;
                        tracing::debug!(micros = t.elapsed().as_micros(), "WAL checkpoint finished by the writer");
                        if let Err(e) = r {
                            tracing::warn!(error = %e, "WAL checkpoint by the writer failed");
                        }
                    }
                }
            }
            Err(e) => {
                tracing::error!(jobs = n, error = %e, "group commit failed; the batch is not stored");
                // The connection may be left mid-transaction: a fresh one for the next batch.
                conn = None;
                for q in batch.drain(..) {
                    let _ = q.done.send(Err(BackendError::Internal(format!("commit failed: {e}"))));
                }
            }
        }
    }
}

/// What the last background checkpoint found: frames in the WAL, and how many of them it could
/// not copy yet (appended while it ran).
#[derive(Default)]
struct WalState {
    frames: AtomicI64,
    behind: AtomicI64,
}

/// Copies the WAL into the database file beside the writer (`PASSIVE`: it takes no lock a
/// writer or reader waits for), whenever the writer has committed since the last time. Ends
/// with the pool (the writer starts it again if it must).
async fn checkpointer(db: Db, commits: Arc<AtomicU64>, wal: Arc<WalState>) {
    let mut seen = commits.load(Ordering::Relaxed);
    loop {
        tokio::time::sleep(CHECKPOINT_EVERY).await;
        if db.pool.is_closed() {
            return;
        }
        let now = commits.load(Ordering::Relaxed);
        if now == seen {
            continue;
        }
        seen = now;
        // (busy, frames in the WAL, frames copied into the database)
        let t = std::time::Instant::now();
        // (busy, frames in the WAL, frames copied into the database)
        let r = sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&db.pool).await;
        tracing::debug!(micros = t.elapsed().as_micros(), frames = ?r.as_ref().ok().map(|r| (r.1, r.2)), "WAL checkpoint");
        match r {
            Ok((_, log, done)) => {
                wal.behind.store(log - done, Ordering::Relaxed);
                wal.frames.store(log, Ordering::Relaxed);
            }
            Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed; the writer's own checkpoint is the backstop"),
        }
    }
}

/// Runs every job of `batch` in one transaction; commits; returns each job's own result. `Err`
/// means the transaction itself failed and nothing was stored.
///
/// First optimistically, all jobs at once and with no savepoints: `BEGIN IMMEDIATE`, the
/// batch's [`Script`] and `COMMIT` in one round trip to SQLite's thread, whatever the batch's
/// size (jobs with [`Job::write_extra`] rows take a transaction with more round trips). Almost
/// every batch has no failing job. If one fails, that attempt is rolled back whole and the
/// batch runs again with a savepoint per job ([`commit_isolated`]), so only the failing job
/// fails. Nobody has been answered before either commit, so the retry is invisible to callers.
async fn commit_batch<J: Job>(conn: &mut sqlx::AnyConnection, batch: &[Queued<J>]) -> Result<Vec<Result<()>>> {
    let jobs: Vec<&J> = batch.iter().map(|q| &q.job).collect();
    let Ok(script) = J::script(&jobs) else { return commit_isolated(conn, batch).await };
    if jobs.iter().any(|j| j.has_extra()) {
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        let mut wrote = bind(script.sql, &script.args).execute(&mut *tx).await.map(|_| ()).map_err(BackendError::from);
        for j in jobs.iter().filter(|j| j.has_extra()) {
            if wrote.is_err() {
                break;
            }
            wrote = j.write_extra(&mut tx).await;
        }
        if wrote.is_err() {
            tx.rollback().await?;
            return commit_isolated(conn, batch).await;
        }
        tx.commit().await?;
        return Ok(batch.iter().map(|_| Ok(())).collect());
    }
    // IMMEDIATE takes the write lock at once (waiting under busy_timeout for other writers)
    // instead of failing later when a read inside the transaction turns into a write. BEGIN,
    // the rows and COMMIT go in one round trip. If it fails, nothing of it is stored, whichever
    // statement failed: a failed INSERT stops the script before COMMIT (the ROLLBACK below ends
    // the transaction), and a COMMIT that fails is not a commit (SQLite rolls back, or leaves
    // the transaction open for the ROLLBACK). Either way the batch is run again job by job,
    // where each job gets its own answer and a broken disk fails every job.
    let sql = format!("BEGIN IMMEDIATE; {}; COMMIT", script.sql);
    if bind(&sql, &script.args).execute(&mut *conn).await.is_err() {
        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
        return commit_isolated(conn, batch).await;
    }
    Ok(batch.iter().map(|_| Ok(())).collect())
}

fn bind<'q>(sql: &'q str, args: &'q [String]) -> super::AnyQuery<'q> {
    args.iter().fold(sqlx::query(sql), |q, a| q.bind(a.as_str()))
}

/// [`commit_batch`] with each job inside its own savepoint: a job that fails (a constraint, a bad
/// row) is rolled back to its savepoint alone and gets its own error; the others go on.
async fn commit_isolated<J: Job>(conn: &mut sqlx::AnyConnection, batch: &[Queued<J>]) -> Result<Vec<Result<()>>> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    let mut results = Vec::with_capacity(batch.len());
    for q in batch {
        if batch.len() == 1 {
            // Alone, the job's failure is the transaction's: no savepoint needed.
            let r = q.job.write(&mut tx).await;
            if r.is_err() {
                tx.rollback().await?;
                return Ok(vec![r]);
            }
            results.push(r);
            continue;
        }
        sqlx::query("SAVEPOINT job").execute(&mut *tx).await?;
        match q.job.write(&mut tx).await {
            Ok(()) => {
                sqlx::query("RELEASE SAVEPOINT job").execute(&mut *tx).await?;
                results.push(Ok(()));
            }
            Err(e) => {
                sqlx::query("ROLLBACK TO SAVEPOINT job").execute(&mut *tx).await?;
                sqlx::query("RELEASE SAVEPOINT job").execute(&mut *tx).await?;
                results.push(Err(e));
            }
        }
    }
    tx.commit().await?;
    Ok(results)
}
