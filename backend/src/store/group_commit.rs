//! Group commit for SQLite: concurrent writes of one kind share one transaction, so N residents
//! submitting at once cost one `fsync` instead of N.
//!
//! One writer task per [`GroupCommit`] owns the write path. It takes the first job that arrives,
//! then every job that queued up meanwhile (while the previous batch's commit was syncing), up to
//! [`MAX_BATCH`], and runs them in a single `BEGIN IMMEDIATE` transaction. A job that fails (a
//! constraint, a bad row) fails alone: the batch is then run again with each job inside its own
//! savepoint, rolled back to it alone with its own error while the others go on (see
//! [`commit_batch`]). Only when `COMMIT` has returned (WAL + `synchronous=FULL`:
//! the batch is on disk) does any caller get its answer. If the commit fails, every job of the
//! batch gets an error and nothing of it was acknowledged.
//!
//! PostgreSQL does not need this (it groups commits of concurrent transactions itself), so callers
//! run their job in a transaction of their own there: see [`GroupCommit::run`].

use super::Tx;
use crate::db::{Db, Engine};
use crate::{BackendError, Result};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
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

/// One write, done inside a transaction the writer provides.
pub trait Job: Send + Sync + 'static {
    /// Writes this job's rows. Must not commit; may fail, which rolls back this job only.
    fn write<'a>(&'a self, tx: &'a mut Tx<'static>) -> WriteFuture<'a>;

    /// Writes the rows of several jobs at once (a job type may use multi-row statements here).
    /// Must not commit; a failure fails the attempt, and the batch is run again job by job
    /// ([`Job::write`] in savepoints). By default, one job after the other.
    fn write_all<'a>(jobs: &'a [&'a Self], tx: &'a mut Tx<'static>) -> WriteFuture<'a>
    where
        Self: Sized,
    {
        Box::pin(async move {
            for j in jobs {
                j.write(tx).await?;
            }
            Ok(())
        })
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

async fn writer<J: Job>(db: Db, mut rx: mpsc::Receiver<Queued<J>>, commits: Arc<AtomicU64>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(q) => batch.push(q),
                Err(_) => break,
            }
        }
        let n = batch.len();
        match commit_batch(&db, &batch).await {
            Ok(results) => {
                commits.fetch_add(1, Ordering::Relaxed);
                for (q, r) in batch.drain(..).zip(results) {
                    let _ = q.done.send(r);
                }
            }
            Err(e) => {
                tracing::error!(jobs = n, error = %e, "group commit failed; the batch is not stored");
                for q in batch.drain(..) {
                    let _ = q.done.send(Err(BackendError::Internal(format!("commit failed: {e}"))));
                }
            }
        }
    }
}

/// Runs every job of `batch` in one transaction; commits; returns each job's own result. `Err`
/// means the transaction itself failed and nothing was stored.
///
/// First optimistically, all jobs at once ([`Job::write_all`]: multi-row statements where the job
/// type has them) and with no savepoints (each costs two more round trips to SQLite's thread per
/// job): almost every batch has no failing job. If
/// one fails, that attempt is rolled back whole and the batch runs again with a savepoint per job
/// ([`commit_isolated`]), so only the failing job fails. Nobody has been answered before either
/// commit, so the retry is invisible to callers.
async fn commit_batch<J: Job>(db: &Db, batch: &[Queued<J>]) -> Result<Vec<Result<()>>> {
    if batch.len() == 1 {
        return commit_isolated(db, batch).await;
    }
    // IMMEDIATE takes the write lock at once (waiting under busy_timeout for other writers)
    // instead of failing later when a read inside the transaction turns into a write.
    let mut tx = db.pool.begin_with("BEGIN IMMEDIATE").await?;
    let jobs: Vec<&J> = batch.iter().map(|q| &q.job).collect();
    if J::write_all(&jobs, &mut tx).await.is_err() {
        tx.rollback().await?;
        return commit_isolated(db, batch).await;
    }
    tx.commit().await?;
    Ok(batch.iter().map(|_| Ok(())).collect())
}

/// [`commit_batch`] with each job inside its own savepoint: a job that fails (a constraint, a bad
/// row) is rolled back to its savepoint alone and gets its own error; the others go on.
async fn commit_isolated<J: Job>(db: &Db, batch: &[Queued<J>]) -> Result<Vec<Result<()>>> {
    let mut tx = db.pool.begin_with("BEGIN IMMEDIATE").await?;
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
