//! Cancelling and stopping a pledge.

use super::*;
use cohort_core::SlateEventKind;

impl Engine {
    /// End a pledge, proven by its receipt token: a pending pledge is
    /// cancelled, an unlocked monthly one is stopped (again: nothing more
    /// happens). A one-time pledge that unlocked is refused: its money is
    /// already allocated.
    pub async fn cancel(&self, id: Id, token: &str) -> Result<Ended> {
        self.end_as(id, Owner::Receipt(token, &self.keys), Ending::CancelOrStop)
            .await
    }

    /// Stop an unlocked monthly pledge, proven by its receipt token (the
    /// receipt page's "Stop" form). Unlike [`Engine::cancel`], a pledge
    /// still pending is refused: the supporter asked to stop months, not to
    /// cancel a locked pledge.
    pub async fn stop(&self, id: Id, token: &str) -> Result<Ended> {
        self.end_as(id, Owner::Receipt(token, &self.keys), Ending::StopOnly)
            .await
    }

    /// Cancel (or stop) one of a signed-in supporter's own pledges.
    pub async fn cancel_mine(&self, account: &Account, id: Id) -> Result<Ended> {
        self.end_as(id, Owner::Account(account), Ending::CancelOrStop)
            .await
    }

    async fn end_as(&self, id: Id, owner: Owner<'_>, ending: Ending) -> Result<Ended> {
        let at = self.now();
        let mut tx = self.store.write().await?;
        let row = owned_pledge(tx.as_mut(), id, owner).await?;
        let slate = tx
            .slate(row.slate_id)
            .await?
            .ok_or_else(|| EngineError::not_found("slate", row.slate_id.to_string()))?;
        tx.lock_slate(slate.id).await?;
        // Read again under the slate's lock: an unlock may have moved it since.
        let row = tx
            .pledge(id)
            .await?
            .ok_or_else(|| EngineError::not_found("pledge", id.to_string()))?;
        match (row.status, &row.kind) {
            (PledgeStatus::Pending, _) if ending == Ending::CancelOrStop => {}
            (PledgeStatus::Pending, _) => return Err(EngineError::conflict(
                "not_unlocked",
                "this pledge has not unlocked yet, so there is no month to stop: cancel it instead",
            )),
            (
                PledgeStatus::Unlocked | PledgeStatus::Stopped,
                PledgeKind::Money {
                    recurring: Recurrence::Monthly,
                    ..
                },
            ) => {
                self.stop_monthly(tx.as_mut(), &slate, &row, at).await?;
                tx.commit().await?;
                return Ok(Ended::Stopped);
            }
            (
                PledgeStatus::Unlocked | PledgeStatus::Fulfilled,
                PledgeKind::Money {
                    recurring: Recurrence::Once,
                    ..
                },
            ) => return Err(already_allocated()),
            (status, _) => {
                return Err(EngineError::conflict(
                    "not_pending",
                    format!(
                        "this pledge is {} and can no longer be cancelled or stopped",
                        status.as_str()
                    ),
                ))
            }
        }
        if !tx
            .set_status(id, PledgeStatus::Pending, PledgeStatus::Cancelled)
            .await?
        {
            return Err(EngineError::conflict(
                "not_pending",
                "this pledge is no longer pending and can no longer be cancelled",
            ));
        }
        let gone = PendingPledge {
            id,
            email: row.email.clone(),
            amount: row.kind.money(),
            hours_per_week: i64::from(row.kind.hours_per_week()),
            candidates: row.candidates.clone(),
        };
        self.leave_pot(tx.as_mut(), slate.id, &[gone]).await?;
        let payload = serde_json::json!({ "pledge": id });
        tx.append_event(
            slate.id,
            SlateEventKind::Cancelled,
            &payload.to_string(),
            at,
        )
        .await?;
        self.settle(tx.as_mut(), &slate, pot_changed(), &[], at)
            .await?;
        tx.commit().await?;
        Ok(Ended::Cancelled)
    }
}

/// What ending a pledge came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// A pending pledge: nothing was or will be charged.
    Cancelled,
    /// A monthly pledge: the months already split stay, no new month is.
    Stopped,
}

/// What the supporter asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ending {
    /// "I'm out" (the API's DELETE, the cancel buttons): cancel or stop, whichever applies.
    CancelOrStop,
    /// The receipt page's "Stop this monthly pledge".
    StopOnly,
}

/// The hosts a pledge through joint event `event_id` splits across, or a
/// rejection naming `joint_event` (or `candidates`).
pub(super) async fn fundraiser_hosts(
    tx: &mut dyn Tx,
    slate: &SlateRow,
    event_id: Id,
    request: &PledgeRequest,
) -> Result<Vec<Id>> {
    use cohort_core::joint_pledge::{fundraiser_candidates, FundraiserFacts};
    let event = tx.joint_event(event_id).await?.ok_or_else(|| {
        EngineError::invalid(
            "joint_event",
            format!("there is no joint event {event_id} on {}", slate.slug),
        )
    })?;
    let hosts: Vec<Id> = event.hosts.iter().map(|h| h.candidate_id).collect();
    let facts = FundraiserFacts {
        kind: event.kind,
        status: event.status,
        same_slate: event.slate_id == slate.id,
        hosts: &hosts,
    };
    let chose = request.candidates.is_some();
    fundraiser_candidates(&facts, chose, request.is_money()).map_err(|e| {
        let message = if e.field == "joint_event" {
            format!("joint event {event_id} {}", e.message)
        } else {
            e.message
        };
        EngineError::invalid(e.field, message)
    })
}

fn already_allocated() -> EngineError {
    EngineError::conflict(
        "already_allocated",
        "this one-time pledge has unlocked and its money is already allocated to the candidates, \
         so it can no longer be cancelled or stopped (only monthly pledges stop)",
    )
}
