//! Collecting money (issue 6): a [`PaymentGateway`] the engine calls, never
//! code in handlers.
//!
//! - **At pledge time** a money pledge gets a Customer and a SetupIntent with
//!   off-session usage ([`Engine::with_payment`]): the supporter saves a card,
//!   nothing is charged.
//! - **After unlock** the collector ([`Engine::collect_payments`], called in a
//!   loop by the binary) charges each installment's *allocated* total (never
//!   the unallocated part) with one off-session PaymentIntent.
//! - **A decline or a bank asking for authentication** opens a 7-day "fix your
//!   payment" window: an email at once and one at 48 hours (queued by `tick`);
//!   when the window closes the pledge is `payment_failed` and its allocations
//!   go back to the candidates' limits.
//! - **Webhooks** are verified by the gateway and applied once per event id.
//!
//! No store transaction is ever open across a gateway call: every network
//! call sits between two short transactions, so other writers (pledges,
//! unlocks) never wait on the payment provider.
//!
//! **No double charge.** Before the first charge of an installment the
//! collector commits a `charging` payment row; only then does it call the
//! gateway, and it records the outcome in a second transaction. A crash in
//! between leaves the row `charging`. A `charging` row is never charged
//! blindly again: the collector first asks the gateway for a successful
//! charge tagged with this pledge and period (PaymentIntent metadata) and
//! records that one if it exists. Each charge also carries an
//! `Idempotency-Key` derived from the pledge id, the period and the attempt
//! number, which Stripe itself honours; the lookup makes the guarantee hold
//! even against a gateway (localstripe) that ignores idempotency keys.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use cohort_core::model::{PledgeKind, PledgeStatus, Recurrence};
use cohort_core::Cents;
use cohort_store::{DuePayment, Id, PaymentRow, PaymentSetupRow, PaymentState, PledgeRow, Tx};
use serde::Serialize;

use crate::views::{PaymentInstallmentView, PaymentView, PledgeView};
use crate::{Engine, EngineError, Result};

/// How long a pledger has to fix a declined or unauthenticated payment.
pub const FIX_WINDOW: Duration = Duration::days(7);
/// When the reminder to fix a payment is sent.
pub const FIX_REMINDER: Duration = Duration::hours(48);

mod collect;
mod fix;
mod gateway;
mod setup;
mod webhook;
pub use collect::*;
use fix::*;
pub use gateway::*;

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn charge_key(pledge_id: Id, period: i32, attempt: i32) -> String {
    if attempt <= 1 {
        format!("cohort-pledge-{pledge_id}-period-{period}")
    } else {
        format!("cohort-pledge-{pledge_id}-period-{period}-attempt-{attempt}")
    }
}

fn is_once(row: &PledgeRow) -> bool {
    matches!(
        row.kind,
        PledgeKind::Money {
            recurring: Recurrence::Once,
            ..
        }
    )
}
