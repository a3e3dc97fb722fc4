//! Pledges: intake (idempotent), the pledger's view through their receipt,
//! and cancellation.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use cohort_core::model::{is_state, Actions, PledgeKind, PledgeStatus, Recurrence};
use cohort_core::{Cents, Condition, Email};
use cohort_store::{
    CandidateRow, ConditionRow, Donor, Id, IntakeWrites, NewPledge, PendingPledge, PledgeRow,
    PotDelta, SlateRow, StoreError, Tx,
};
use futures::channel::oneshot;
use futures::future::{self, Either};
use sha2::{Digest, Sha256};

use crate::auth::Account;
use crate::sealing::Keyring;
use crate::secrets::token_hash;
use crate::settle::{intersects, pot_changed, SlateBase, SlateState};
use crate::slates::{parse_condition, parse_date, text};
use crate::views::{AllocationView, PledgeView};
use crate::{Engine, EngineError, Result};

mod cancel;
mod input;
mod intake;
mod stage;
mod view;
pub use cancel::*;
pub use input::*;
pub(crate) use intake::*;
pub(crate) use view::*;

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: ids reserved while some were still kept came out newest
    /// reservation first, so a server's later pledges took lower ids.
    #[test]
    fn reserved_ids_are_handed_out_lowest_first() {
        let intake = Intake::default();
        assert_eq!(intake.wanted(), RESERVE_IDS);
        intake.keep((1..=64).collect());
        let first: Vec<Id> = (0..54).map_while(|_| intake.take_id()).collect();
        assert_eq!(first, (1..=54).collect::<Vec<Id>>());
        assert_eq!(intake.wanted(), RESERVE_IDS - 10, "ten left");
        intake.keep((100..154).collect());
        assert_eq!(intake.wanted(), 0, "enough kept");
        let rest: Vec<Id> = std::iter::from_fn(|| intake.take_id()).collect();
        assert_eq!(rest, (55..=64).chain(100..154).collect::<Vec<Id>>());
    }
}
