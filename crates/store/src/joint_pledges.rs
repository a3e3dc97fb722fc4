//! Pledges given through a joint fundraiser (issue 15): which pledge came
//! through which event, and what the event has raised. An area trait,
//! [`JointPledgesTx`], that [`crate::Tx`] requires (migration 0021).

use async_trait::async_trait;

use crate::{Id, Result};

#[async_trait]
pub trait JointPledgesTx: Send {
    /// Record that pledge `pledge_id` was given through event `event_id`.
    /// A pledge belongs to at most one event (a second link is a conflict).
    async fn link_joint_event_pledge(&mut self, pledge_id: Id, event_id: Id) -> Result<()>;
    /// The event a pledge was given through, if any.
    async fn pledge_joint_event(&mut self, pledge_id: Id) -> Result<Option<Id>>;
    /// The pledge ids given through the event, oldest first.
    async fn joint_event_pledges(&mut self, event_id: Id) -> Result<Vec<Id>>;
    /// The cents pledged through the event by money pledges still standing
    /// (pending, unlocked, fulfilled or stopped; not cancelled, expired or failed).
    async fn joint_event_raised(&mut self, event_id: Id) -> Result<i64>;
}
