//! SQLite's single writer: every change of this process is stored through
//! one connection, and changes that arrive together are committed together.
//!
//! SQLite lets one connection write at a time. With several connections
//! writing, each writer that finds the lock taken sleeps in SQLite's busy
//! handler (1 ms, then longer) before it tries again, so most of a change's
//! time was spent asleep. Here the changes queue in the process instead and
//! one task stores them: it takes every change waiting (up to
//! [`MAX_BATCH`]), stores them one after the other in one `BEGIN IMMEDIATE`
//! transaction and answers each only after that transaction is committed
//! and synced. Durability is unchanged (WAL with `synchronous=FULL`; no
//! change is answered before it is on disk); one sync now carries several
//! changes.
//!
//! Each change stays all-or-nothing: its first statement is the conditional
//! version bump, which also finds an idempotency key already used, and when
//! it matches no row nothing of the change is written. Should a statement
//! fail, the whole transaction is rolled back and each of its changes is
//! stored again on its own, so one failing change never fails another.

use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};

use super::changes::{apply_prepared, ChangeOutcome, PreparedChange};
use super::Tx;

/// The most changes committed in one transaction.
const MAX_BATCH: usize = 64;

/// Changes waiting for the writer before senders wait in turn.
const QUEUE: usize = 1024;

/// A change handed to the writer, and where its outcome goes.
struct Job {
    change: PreparedChange,
    reply: oneshot::Sender<Result<ChangeOutcome, sqlx::Error>>,
}

/// The queue to the writer task of one SQLite database.
#[derive(Debug, Clone)]
pub(crate) struct SqliteWriter {
    jobs: mpsc::Sender<Job>,
}

impl SqliteWriter {
    /// Starts the writer task on `pool`, the pool of the single write connection.
    pub(crate) fn start(pool: SqlitePool) -> SqliteWriter {
        let (jobs, queue) = mpsc::channel(QUEUE);
        tokio::spawn(run(pool, queue));
        SqliteWriter { jobs }
    }

    /// Stores `change` (unless it is stale) and answers once it is durable.
    pub(crate) async fn apply(&self, change: PreparedChange) -> Result<ChangeOutcome, sqlx::Error> {
        let (reply, outcome) = oneshot::channel();
        self.jobs
            .send(Job { change, reply })
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        outcome.await.map_err(|_| sqlx::Error::PoolClosed)?
    }
}

/// Takes the changes waiting, stores them in one transaction, answers each; until every sender is gone.
async fn run(pool: SqlitePool, mut queue: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let jobs = std::mem::take(&mut batch);
        let changes: Vec<&PreparedChange> = jobs.iter().map(|job| &job.change).collect();
        match store(&pool, &changes).await {
            Ok(outcomes) => {
                for (job, outcome) in jobs.into_iter().zip(outcomes) {
                    // The requester may have gone; the change is stored all the same.
                    let _ = job.reply.send(Ok(outcome));
                }
            }
            Err(error) if jobs.len() == 1 => {
                if let Some(job) = jobs.into_iter().next() {
                    let _ = job.reply.send(Err(error));
                }
            }
            Err(_) => {
                // Rolled back as a whole: each one alone, so only a failing one fails.
                for job in jobs {
                    let outcome = store(&pool, &[&job.change])
                        .await
                        .map(|mut outcomes| outcomes.remove(0));
                    let _ = job.reply.send(outcome);
                }
            }
        }
    }
}

/// Stores `changes` in one transaction, in order; their outcomes, or the
/// first error (and then nothing is stored).
async fn store(
    pool: &SqlitePool,
    changes: &[&PreparedChange],
) -> Result<Vec<ChangeOutcome>, sqlx::Error> {
    // IMMEDIATE takes the write lock at once: another process writing to the
    // same file makes this wait here (busy timeout), never half-way through.
    let mut tx = Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?);
    let mut outcomes = Vec::with_capacity(changes.len());
    for change in changes {
        outcomes.push(apply_prepared(&mut tx, change).await?);
    }
    tx.commit().await?;
    Ok(outcomes)
}
