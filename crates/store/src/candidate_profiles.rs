//! Candidate pages (issue 16): each candidate's own words (a bio, a photo's
//! address) and the roster events that name them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use cohort_core::SlateEventKind;

use crate::{EventRow, Id, Result};

/// A candidate's bio and photo, as the candidate or an organizer wrote them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateProfileRow {
    pub candidate_id: Id,
    /// Plain text; empty: none written.
    pub bio: String,
    /// An `https://` address of a photo; `None`: initials instead.
    pub photo_url: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// The event kinds about the roster (signatures, endorsements, the primary):
/// never pledges, so reading them does not grow with the slate's pledges.
pub const ROSTER_KINDS: [SlateEventKind; 6] = [
    SlateEventKind::Signed,
    SlateEventKind::Withdrew,
    SlateEventKind::Endorsed,
    SlateEventKind::Unendorsed,
    SlateEventKind::CandidateAdded,
    SlateEventKind::PrimaryLost,
];

/// The candidate-profiles area of a [`Tx`](crate::Tx).
#[async_trait]
pub trait CandidateProfilesTx: Send {
    /// Write a candidate's profile whole (replacing any before it).
    async fn set_candidate_profile(&mut self, p: &CandidateProfileRow) -> Result<()>;
    /// A candidate's profile, if one was written.
    async fn candidate_profile(&mut self, candidate_id: Id) -> Result<Option<CandidateProfileRow>>;
    /// A slate's events of the [`ROSTER_KINDS`], oldest first, at most `limit`.
    async fn roster_events(&mut self, slate_id: Id, limit: i64) -> Result<Vec<EventRow>>;
}
