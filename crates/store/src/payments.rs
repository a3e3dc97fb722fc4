//! Rows for collecting money (issue 6): a pledge's saved payment method at
//! the gateway, and one payment per installment being charged.

use chrono::{DateTime, Utc};
use cohort_core::model::Recurrence;
use cohort_core::{Cents, Email};

use crate::Id;

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
