//! Roll calls of Congress and what a slate says about them (issue 17): the
//! imported roll calls and member positions (the layout of `votes-119/`),
//! the member id each candidate holds once elected, and the roll calls an
//! organizer tagged with the platform's side. An area trait,
//! [`RollCallsTx`], that [`crate::Tx`] requires.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{Id, Result};

/// One roll call (a row of `rollcalls.csv`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RollCallRow {
    /// e.g. `h123-119.2025`.
    pub vote_id: String,
    /// `house` or `senate`.
    pub chamber: String,
    pub congress: i64,
    pub session: i64,
    pub number: i64,
    /// RFC 3339 with offset, as in the source.
    pub voted_at: String,
    /// `YYYY-MM-DD`, the local date (what date ranges compare).
    pub voted_on: String,
    pub category: String,
    pub vote_type: String,
    pub question: String,
    pub requires: String,
    pub result: String,
    pub bill: String,
    pub amendment: String,
}

/// One member's position on one roll call (a row of `positions.csv`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PositionRow {
    pub vote_id: String,
    pub member_id: String,
    pub party: String,
    pub state: String,
    /// As in the source: `Yea`, `Nay`, `Aye`, `No`, `Present`, `Not Voting`, …
    pub position: String,
}

/// The member ids a candidate holds (bioguide for the House, LIS for the Senate).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateMemberRow {
    pub candidate_id: Id,
    pub bioguide_id: Option<String>,
    pub lis_id: Option<String>,
}

/// A roll call tagged with the platform's side for one plank.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformVoteRow {
    pub slate_id: Id,
    pub vote_id: String,
    /// Index into the slate's current compact's planks.
    pub plank: i64,
    /// `yes` or `no`.
    pub position: String,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait RollCallsTx: Send {
    /// Insert these roll calls, replacing any with the same vote id (so a
    /// repeated import changes nothing).
    async fn upsert_roll_calls(&mut self, calls: &[RollCallRow]) -> Result<()>;
    /// Insert these positions, replacing any for the same vote and member.
    /// Each roll call must already be stored.
    async fn upsert_positions(&mut self, positions: &[PositionRow]) -> Result<()>;
    /// How many roll calls and positions are stored.
    async fn roll_call_counts(&mut self) -> Result<(i64, i64)>;
    async fn roll_call(&mut self, vote_id: &str) -> Result<Option<RollCallRow>>;
    /// Roll calls dated `from..=to` (`YYYY-MM-DD`; `None` leaves that end
    /// open), of one chamber or (`None`) both, by vote id.
    async fn roll_calls_between(
        &mut self,
        chamber: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Vec<RollCallRow>>;
    /// The positions of these members on roll calls dated `from..=to`, by
    /// vote id then member id.
    async fn positions_of(
        &mut self,
        members: &[String],
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Vec<PositionRow>>;
    /// Every position on a roll call of `chamber`, by vote id then member id.
    async fn positions_in(&mut self, chamber: &str) -> Result<Vec<PositionRow>>;

    /// Set (replace) a candidate's member ids.
    async fn set_candidate_member(&mut self, row: &CandidateMemberRow) -> Result<()>;
    /// The member ids of the slate's candidates that have any, by candidate id.
    async fn candidate_members(&mut self, slate_id: Id) -> Result<Vec<CandidateMemberRow>>;

    /// Tag a roll call for a plank; tagging the same roll call and plank
    /// again replaces the position. Answers whether the tag is new.
    async fn put_platform_vote(&mut self, row: &PlatformVoteRow) -> Result<bool>;
    /// The slate's tags, by vote id then plank.
    async fn platform_votes(&mut self, slate_id: Id) -> Result<Vec<PlatformVoteRow>>;
}
