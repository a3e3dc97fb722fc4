//! The background loop that keeps each slate's conversation results current:
//! every few seconds it asks the engine which conversations changed since
//! their stored result and recomputes those. The analysis itself runs on a
//! blocking thread, so voting (and every other request) never waits for it.

use cohort_engine::{Engine, EngineError};

/// Recompute every conversation that changed since its stored result.
pub async fn round(engine: &Engine) {
    let slugs = match engine.stale_conversations().await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "listing changed conversations failed; will retry");
            return;
        }
    };
    for slug in slugs {
        if let Err(e) = once(engine, &slug).await {
            tracing::warn!(slate = %slug, error = %e, "recomputing the conversation failed; will retry");
        }
    }
}

/// One recompute: load (read transaction), analyze (blocking thread), store
/// (short write). True if a new result was stored.
pub async fn once(engine: &Engine, slug: &str) -> Result<bool, EngineError> {
    let Some(input) = engine.load_conversation(slug).await? else {
        return Ok(false);
    };
    let started = std::time::Instant::now();
    let votes = input.votes.len();
    let out = tokio::task::spawn_blocking(move || input.analyze())
        .await
        .map_err(|e| EngineError::invalid("analysis", e.to_string()))?;
    tracing::info!(slate = %slug, votes, ms = started.elapsed().as_millis() as u64, "conversation recomputed");
    engine.store_conversation(&out).await
}
