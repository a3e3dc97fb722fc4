//! What an event unlocks: pending pledges by condition, installments and how
//! they split, what donors have given, what waits on unsigned candidates.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::{
    AllocationRow, CandidateTotal, GivenRow, Id, Installment, MonthlyPledge, PendingPledge,
    PledgeRow, Result, WaitingRow,
};

/// The unlock area of a [`Tx`](crate::Tx).
#[async_trait]
pub trait UnlockTx: Send {
    /// Pending pledges waiting on any of `conditions` whose deadline is on or after `today`.
    async fn pending_pledges(
        &mut self,
        slate_id: Id,
        conditions: &[Id],
        today: NaiveDate,
    ) -> Result<Vec<PendingPledge>>;
    /// Mark pledges unlocked (only those still pending; returns how many moved)
    /// and record their first installments, all or nothing.
    async fn record_unlocks(
        &mut self,
        pledge_ids: &[Id],
        installments: &[Installment],
        at: DateTime<Utc>,
    ) -> Result<u64>;
    /// Record later installments of monthly pledges.
    async fn record_installments(
        &mut self,
        installments: &[Installment],
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// Unlocked monthly pledges of the slate, with their latest installment.
    async fn monthly_pledges(&mut self, slate_id: Id) -> Result<Vec<MonthlyPledge>>;
    /// Move every pending pledge whose deadline is before `today` to expired; returns them.
    async fn expire_pending(
        &mut self,
        slate_id: Id,
        today: NaiveDate,
    ) -> Result<Vec<PendingPledge>>;
    async fn installments(&mut self, pledge_id: Id) -> Result<Vec<Installment>>;
    /// Everything each donor has already been allocated per candidate and election in this slate.
    async fn given(&mut self, slate_id: Id) -> Result<Vec<GivenRow>>;
    /// What donors gave this slate's candidates through *other* slates of the
    /// same cycle: allocations to a candidate whose committee record there
    /// has the same FEC candidate id, reported under this slate's candidate.
    async fn given_elsewhere(&mut self, slate_id: Id) -> Result<Vec<GivenRow>>;
    async fn candidate_totals(&mut self, slate_id: Id) -> Result<Vec<CandidateTotal>>;
    /// Pending money and hours grouped by the supporter's chosen candidates.
    async fn waiting(&mut self, slate_id: Id) -> Result<Vec<WaitingRow>>;
    /// The pledges of a slate that unlocked at exactly `at` (one unlock event).
    async fn pledges_unlocked_at(
        &mut self,
        slate_id: Id,
        at: DateTime<Utc>,
    ) -> Result<Vec<PledgeRow>>;
    /// Every allocation of a slate with its pledge, by pledge, period and candidate.
    async fn allocation_details(&mut self, slate_id: Id)
        -> Result<Vec<(AllocationRow, PledgeRow)>>;
}
