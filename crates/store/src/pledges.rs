//! Conditions and pledges, their intake in batches, the pot and the donor
//! counts that move with them, and the pledge lists organizers export.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use cohort_core::model::PledgeStatus;
use cohort_core::{Condition, Email};

use crate::{
    ConditionRow, Donor, Id, IntakeRecorded, IntakeWrites, NewPledge, PledgeRow, Pot, PotDelta,
    Result,
};

/// The pledges area of a [`Tx`](crate::Tx).
#[async_trait]
pub trait PledgesTx: Send {
    /// The id of this condition text within the slate, created if new.
    async fn condition_id(&mut self, slate_id: Id, condition: &Condition) -> Result<Id>;
    /// Conditions that at least one pending pledge of the slate waits on.
    async fn pending_conditions(&mut self, slate_id: Id) -> Result<Vec<ConditionRow>>;
    /// Every condition of the slate, pending pledges or not, oldest first.
    async fn slate_conditions(&mut self, slate_id: Id) -> Result<Vec<ConditionRow>>;
    async fn insert_pledge(&mut self, p: &NewPledge) -> Result<Id>;
    /// Insert many pledges at once, keeping the pot and the pledger counts
    /// right (for imports and benchmarks). Idempotency keys must be unused.
    async fn insert_pledges(&mut self, pledges: &[NewPledge]) -> Result<()>;
    async fn pledge(&mut self, id: Id) -> Result<Option<PledgeRow>>;
    async fn pledge_by_idempotency_key(&mut self, key: &str) -> Result<Option<PledgeRow>>;
    /// Of these idempotency keys, those a pledge holds: (key, pledge id,
    /// request hash), in no order. For checking a whole import file in a few
    /// statements instead of one a row.
    async fn pledges_by_idempotency_keys(
        &mut self,
        keys: &[String],
    ) -> Result<Vec<(String, Id, String)>>;
    /// Move a pledge from one status to another; false if it was not in `from`.
    async fn set_status(&mut self, id: Id, from: PledgeStatus, to: PledgeStatus) -> Result<bool>;
    /// Stop an unlocked monthly money pledge at `at` (`unlocked → stopped`):
    /// its installments stay, [`UnlockTx::monthly_pledges`] no longer lists it.
    /// False if it is not an unlocked monthly pledge (already stopped included).
    ///
    /// [`UnlockTx::monthly_pledges`]: crate::UnlockTx::monthly_pledges
    async fn stop_monthly(&mut self, id: Id, at: DateTime<Utc>) -> Result<bool>;
    async fn pot(&mut self, slate_id: Id) -> Result<Pot>;
    /// Apply `delta` to the slate's pot and return the pot as it now stands.
    async fn add_to_pot(&mut self, slate_id: Id, delta: &PotDelta) -> Result<Pot>;
    /// The log published `cents` as the slate's unlocked total in event
    /// `seq`: remember both and start counting changes again.
    async fn pot_logged(&mut self, slate_id: Id, cents: i64, seq: i64) -> Result<()>;
    /// Change a donor's count of live pledges in the slate; returns the new count.
    async fn adjust_pledger(&mut self, slate_id: Id, email: &Email, delta: i64) -> Result<i64>;
    /// Add live pledges for many donors at once (each email once, counts > 0);
    /// returns how many of them are new to the slate's pot.
    async fn add_pledgers(&mut self, slate_id: Id, donors: &[(Email, i64)]) -> Result<i64>;
    /// Insert the batch's pledges whose ids were reserved, append its
    /// `pledged` events, count its donors into the
    /// slate's pledgers, queue its receipts and move the pot, as one write
    /// where the database allows it (PostgreSQL: one statement). Locks the
    /// slate first, as [`Tx::lock_slate`] would, and returns its version
    /// read under that lock, so a caller that acted on a kept state without
    /// locking can check, before it commits, that the state still stands.
    async fn record_intake(&mut self, w: &IntakeWrites<'_>) -> Result<IntakeRecorded>;
    /// `n` pledge ids no pledge has, for [`IntakeWrites::pledges`] of a
    /// `record_intake` in this transaction: nothing hands them out again
    /// while it lasts. PostgreSQL draws them from the ids' sequence (they
    /// stay unique, used or not, whatever this transaction does); SQLite's
    /// are the table's next rows, so they hold only until this transaction
    /// ends and only while nothing else in it inserts a pledge.
    async fn new_pledge_ids(&mut self, n: usize) -> Result<Vec<Id>>;
    /// Record the pot as it stands on `day` (replacing that day's earlier sample).
    async fn record_pot_history(&mut self, slate_id: Id, day: NaiveDate, pot: &Pot) -> Result<()>;
    /// Each recorded day's pot, oldest first.
    async fn pot_history(&mut self, slate_id: Id) -> Result<Vec<(NaiveDate, Pot)>>;
    /// Every pledge of a slate, oldest first (organizer exports).
    async fn slate_pledges(&mut self, slate_id: Id) -> Result<Vec<PledgeRow>>;
    /// The pledges made with this email, newest first.
    async fn pledges_by_email(&mut self, email: &Email) -> Result<Vec<PledgeRow>>;
    /// Replace the donor details a pledge carries (employer and occupation
    /// supplied later, a corrected address).
    async fn set_pledge_donor(&mut self, pledge_id: Id, donor: &Donor) -> Result<bool>;
}
