//! Primary losses and the donors' choices for general-election earmarks of
//! candidates who lost.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::{GeneralChoiceRow, Id, Result};

/// The primaries area of a [`Tx`](crate::Tx).
#[async_trait]
pub trait PrimariesTx: Send {
    /// Record that a candidate lost the primary; false if already recorded.
    async fn record_primary_loss(
        &mut self,
        slate_id: Id,
        candidate_id: Id,
        on: NaiveDate,
        at: DateTime<Utc>,
    ) -> Result<bool>;
    /// The candidates of a slate who lost their primary.
    async fn primary_losses(&mut self, slate_id: Id) -> Result<Vec<Id>>;
    /// Ask a donor to choose for one general-election earmark; false if asked before.
    async fn insert_general_choice(&mut self, c: &GeneralChoiceRow) -> Result<bool>;
    /// The choices asked of one pledge's donor, by receipt and committee.
    async fn general_choices_of(&mut self, pledge_id: Id) -> Result<Vec<GeneralChoiceRow>>;
    /// Every choice asked for one committee (FEC id), by receipt.
    async fn general_choices_for(&mut self, committee: &str) -> Result<Vec<GeneralChoiceRow>>;
    /// Record the donor's choice; false if there is no such earmark or it was chosen already.
    async fn choose_general(
        &mut self,
        receipt: &str,
        committee: &str,
        choice: &str,
        at: DateTime<Utc>,
    ) -> Result<bool>;
}
