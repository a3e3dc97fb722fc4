//! Rows for collecting money (issue 6): a pledge's saved payment method at
//! the gateway, and one payment per installment being charged; and the
//! [`PaymentsTx`] area that stores them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use cohort_core::model::Recurrence;
use cohort_core::{Cents, Email};

use crate::{Id, Result};

/// The gateway's Customer and SetupIntent for one money pledge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentSetupRow {
    pub pledge_id: Id,
    pub customer_id: String,
    pub setup_intent_id: String,
    pub client_secret: String,
    /// Known once the SetupIntent succeeded.
    pub payment_method: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Where the charge of one installment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaymentState {
    /// A PaymentIntent may have been created: look it up before creating another.
    Charging,
    Succeeded,
    /// The card was declined: the "fix your payment" window is open.
    Declined,
    /// The bank wants the pledger to authenticate: the window is open.
    ActionRequired,
    /// The window closed unfixed; the pledge is `payment_failed`.
    Failed,
    /// Nothing was allocated, so nothing is charged.
    NothingDue,
}

impl PaymentState {
    pub const ALL: [PaymentState; 6] = [
        PaymentState::Charging,
        PaymentState::Succeeded,
        PaymentState::Declined,
        PaymentState::ActionRequired,
        PaymentState::Failed,
        PaymentState::NothingDue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentState::Charging => "charging",
            PaymentState::Succeeded => "succeeded",
            PaymentState::Declined => "declined",
            PaymentState::ActionRequired => "action_required",
            PaymentState::Failed => "failed",
            PaymentState::NothingDue => "nothing_due",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentState> {
        PaymentState::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Declined or waiting for authentication: the pledger can still fix it.
    pub fn is_fixable(self) -> bool {
        matches!(self, PaymentState::Declined | PaymentState::ActionRequired)
    }
}

/// The charge of one installment (`period` as in [`crate::Installment`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentRow {
    pub pledge_id: Id,
    pub period: i32,
    /// The allocated total of the installment: what is charged.
    pub amount: Cents,
    pub state: PaymentState,
    pub intent_id: Option<String>,
    /// The gateway's reason for a decline, for the pledger.
    pub detail: String,
    /// The PaymentIntent's client secret while it needs authentication.
    pub action_secret: Option<String>,
    pub attempts: i32,
    pub failed_at: Option<DateTime<Utc>>,
    pub reminded_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// An installment of an unlocked pledge with a saved payment method whose
/// charge has not been settled (no payment yet, or one left `charging`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuePayment {
    pub pledge_id: Id,
    pub period: i32,
    /// Amount minus unallocated: the allocated total, the only part ever charged.
    pub allocated: Cents,
    pub recurring: Recurrence,
    pub email: Email,
    pub slate_id: Id,
    pub setup: PaymentSetupRow,
    /// The payment row if an attempt already started.
    pub payment: Option<PaymentRow>,
}

/// The payments area of a [`Tx`](crate::Tx).
#[async_trait]
pub trait PaymentsTx: Send {
    /// Record a pledge's Customer and SetupIntent; false if it already has one (kept).
    async fn insert_payment_setup(&mut self, setup: &PaymentSetupRow) -> Result<bool>;
    async fn payment_setup(&mut self, pledge_id: Id) -> Result<Option<PaymentSetupRow>>;
    async fn payment_setup_by_intent(
        &mut self,
        setup_intent_id: &str,
    ) -> Result<Option<PaymentSetupRow>>;
    /// Point a pledge's setup at a new SetupIntent (a new card, after a decline);
    /// forgets the saved payment method. False if the pledge has no setup.
    async fn replace_setup_intent(
        &mut self,
        pledge_id: Id,
        setup_intent_id: &str,
        client_secret: &str,
    ) -> Result<bool>;
    /// Save the payment method a SetupIntent ended with; false if there is no such setup.
    async fn set_payment_method(&mut self, pledge_id: Id, payment_method: &str) -> Result<bool>;
    /// Installments of unlocked (or stopped: the months split before the stop
    /// are still owed) pledges with a setup whose charge is not settled (no
    /// payment row, or one left `charging`), oldest pledge first.
    async fn due_payments(&mut self, limit: i64) -> Result<Vec<DuePayment>>;
    /// Insert or replace the payment of one installment.
    async fn upsert_payment(&mut self, payment: &PaymentRow) -> Result<()>;
    async fn payment(&mut self, pledge_id: Id, period: i32) -> Result<Option<PaymentRow>>;
    /// Every payment of a pledge, by period.
    async fn payments(&mut self, pledge_id: Id) -> Result<Vec<PaymentRow>>;
    async fn payment_by_intent(&mut self, intent_id: &str) -> Result<Option<PaymentRow>>;
    /// Payments declined or awaiting authentication whose window opened at or before `opened_by`.
    async fn open_payment_failures(
        &mut self,
        opened_by: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<PaymentRow>>;
    /// Give an installment's allocations back: delete them, take them off the
    /// candidates' totals, and count the whole installment as unallocated.
    /// Returns the cents released.
    async fn release_installment(&mut self, pledge_id: Id, period: i32) -> Result<Cents>;
    /// Remember a webhook event; false if it was seen before.
    async fn record_webhook_event(
        &mut self,
        id: &str,
        kind: &str,
        at: DateTime<Utc>,
    ) -> Result<bool>;
}
