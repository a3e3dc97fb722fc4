//! Pauses of monthly pledges whose condition reads the scorecard (issue 15,
//! "only while the bloc holds"). An area trait, [`PledgePausesTx`], that
//! [`crate::Tx`] requires (migration 0021).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{Id, Result};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PauseRow {
    pub id: Id,
    pub pledge_id: Id,
    pub paused_at: DateTime<Utc>,
    /// Why, in a plain sentence (who is in breach).
    pub reason: String,
    pub resumed_at: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait PledgePausesTx: Send {
    /// Open a pause; false if one is already open.
    async fn start_pause(&mut self, pledge_id: Id, reason: &str, at: DateTime<Utc>)
        -> Result<bool>;
    /// Close the open pause; false if none was open.
    async fn end_pause(&mut self, pledge_id: Id, at: DateTime<Utc>) -> Result<bool>;
    /// Every pause of the pledge, oldest first.
    async fn pauses(&mut self, pledge_id: Id) -> Result<Vec<PauseRow>>;
}
