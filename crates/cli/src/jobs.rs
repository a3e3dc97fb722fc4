//! `cohort serve`'s background loops (tick, mail, payment collection,
//! conversation recompute), each run by one server at a time however many
//! share the database: a round runs only under the job's lease, on an engine
//! fenced by it (see `cohort_engine::jobs`).

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Result};
use cohort_engine::jobs::Lease;
use cohort_engine::Engine;
use tokio::task::JoinHandle;

/// This server's name in the lease table, how long a lease lasts, and the
/// loops it runs (so a clean stop can end them and hand their jobs over).
pub struct Worker {
    holder: String,
    ttl: chrono::Duration,
    stop: tokio::sync::watch::Sender<bool>,
    loops: Mutex<Vec<(&'static str, JoinHandle<()>)>>,
}

impl Worker {
    /// `COHORT_LEASE_SECONDS` (default 30): how long a server that stopped
    /// (killed, hung, cut off) keeps its jobs before another takes them over.
    pub fn from_env() -> Result<Worker> {
        let seconds = match std::env::var("COHORT_LEASE_SECONDS") {
            Ok(v) if !v.trim().is_empty() => match v.trim().parse::<i64>() {
                Ok(s) if (1..=3600).contains(&s) => s,
                _ => bail!("COHORT_LEASE_SECONDS must be a whole number of seconds from 1 to 3600, not {v:?}"),
            },
            _ => 30,
        };
        let host = std::fs::read_to_string("/etc/hostname")
            .ok()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "host".into());
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        Ok(Worker {
            holder: format!("{host}:{}:{nanos:08x}", std::process::id()),
            ttl: chrono::Duration::seconds(seconds),
            stop: tokio::sync::watch::channel(false).0,
            loops: Mutex::new(Vec::new()),
        })
    }

    /// Stop every loop this worker runs and give up their leases, so another
    /// server takes the jobs at its next check rather than after the lease
    /// runs out. A round under way finishes first (up to `grace`; past it,
    /// it is dropped at its next await and its open transaction rolls back).
    pub async fn stop(&self, engine: &Engine, grace: Duration) {
        self.stop.send_replace(true);
        let loops = std::mem::take(&mut *self.loops.lock().unwrap_or_else(|p| p.into_inner()));
        let deadline = tokio::time::Instant::now() + grace;
        for (job, mut handle) in loops {
            if tokio::time::timeout_at(deadline, &mut handle)
                .await
                .is_err()
            {
                tracing::warn!(job, "a round was still running at shutdown; dropped");
                handle.abort();
                let _ = handle.await;
            }
            match engine.release_lease(job, &self.holder).await {
                Ok(true) => tracing::info!(job, "handed the job over"),
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(job, error = %e, "could not give up the lease; it expires by itself")
                }
            }
        }
    }

    /// The lease's length as a `std` duration.
    pub fn ttl(&self) -> Duration {
        self.ttl.to_std().unwrap_or(Duration::from_secs(30))
    }

    /// The engine to run one round of `job` on, fenced by its lease, if this
    /// server holds (or could take) the lease.
    pub async fn engine_for(&self, engine: &Engine, job: &str) -> Option<Engine> {
        self.lease(engine, job).await.map(|l| engine.fenced(l))
    }

    async fn lease(&self, engine: &Engine, job: &str) -> Option<Lease> {
        match engine.take_lease(job, &self.holder, self.ttl).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(job, error = %e, "cannot take the job's lease; will retry");
                None
            }
        }
    }

    /// Renew `lease` every third of its length for as long as this server
    /// keeps it; returns when it is lost (another server took it, or it
    /// expired and came back under a new generation).
    async fn heartbeat(&self, engine: &Engine, lease: &Lease) {
        loop {
            tokio::time::sleep(self.ttl() / 3).await;
            match self.lease(engine, &lease.job).await {
                Some(l) if l.generation == lease.generation => {}
                _ => return,
            }
        }
    }
}

/// Run `round` whenever this server holds `job`'s lease, checking every
/// `every` (at most a third of the lease, so the holder keeps it). While a
/// round runs, a heartbeat renews the lease, so a slow gateway or mail server
/// does not let another server take the job over from a live one; if the
/// lease is lost anyway, the round is dropped at its next await (its fenced
/// writes could not commit).
pub fn spawn<F, Fut>(
    engine: Engine,
    worker: Arc<Worker>,
    job: &'static str,
    every: Duration,
    round: F,
) where
    F: Fn(Engine) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let every = every.min(worker.ttl() / 3).max(Duration::from_millis(100));
    let mut stopped = worker.stop.subscribe();
    let w = worker.clone();
    let handle = tokio::spawn(async move {
        let worker = w;
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stopped.changed() => {}
            }
            if *stopped.borrow() {
                return;
            }
            if let Some(lease) = worker.lease(&engine, job).await {
                tokio::select! {
                    () = round(engine.fenced(lease.clone())) => {}
                    () = worker.heartbeat(&engine, &lease) => {
                        tracing::warn!(job, "lost the job's lease mid-round; another server has it");
                    }
                }
            }
        }
    });
    worker
        .loops
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push((job, handle));
}
