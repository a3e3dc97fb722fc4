//! Slates, their candidates, committees and compacts, the commitments between
//! candidates (signatures, endorsements), partner organizations and the public
//! log.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use cohort_core::limits::LimitTable;
use cohort_core::{Condition, SlateEventKind};

use crate::{
    CandidateRow, CommitteeRow, CompactRow, EndorsementRow, EventRow, Id, NewCandidate, NewSlate,
    PartnerRow, Referrals, Result, SignatureRow, SlateRow,
};

/// The slates area of a [`Tx`](crate::Tx).
#[async_trait]
pub trait SlatesTx: Send {
    async fn insert_slate(&mut self, slate: &NewSlate) -> Result<SlateRow>;
    async fn slate_by_slug(&mut self, slug: &str) -> Result<Option<SlateRow>>;
    async fn slate(&mut self, id: Id) -> Result<Option<SlateRow>>;
    async fn slates(&mut self) -> Result<Vec<SlateRow>>;
    async fn update_limits(&mut self, slate_id: Id, limits: &LimitTable) -> Result<()>;
    /// Rename a slate, rewrite its description and the condition new pledges default to.
    async fn update_slate(
        &mut self,
        slate_id: Id,
        name: &str,
        description: &str,
        condition: &Condition,
    ) -> Result<()>;
    async fn insert_candidate(&mut self, slate_id: Id, c: &NewCandidate) -> Result<CandidateRow>;
    async fn candidates(&mut self, slate_id: Id) -> Result<Vec<CandidateRow>>;
    /// Insert or replace a candidate's committee record.
    async fn upsert_committee(&mut self, c: &CommitteeRow, at: DateTime<Utc>) -> Result<()>;
    async fn committees(&mut self, slate_id: Id) -> Result<Vec<CommitteeRow>>;
    async fn insert_compact(&mut self, slate_id: Id, compact: &CompactRow) -> Result<()>;
    async fn latest_compact(&mut self, slate_id: Id) -> Result<Option<CompactRow>>;
    async fn compact_version(&mut self, slate_id: Id, version: i32) -> Result<Option<CompactRow>>;
    /// The compact version an account last looked at in a slate, and the one before it.
    async fn compact_seen(
        &mut self,
        user_id: Id,
        slate_id: Id,
    ) -> Result<Option<(i32, Option<i32>)>>;
    async fn set_compact_seen(
        &mut self,
        user_id: Id,
        slate_id: Id,
        seen: i32,
        before: Option<i32>,
    ) -> Result<()>;
    /// Insert or replace the candidate's standing signature.
    async fn upsert_signature(&mut self, slate_id: Id, sig: &SignatureRow) -> Result<()>;
    /// Remove a standing signature; false if there was none.
    async fn delete_signature(&mut self, slate_id: Id, candidate_id: Id) -> Result<bool>;
    async fn signatures(&mut self, slate_id: Id) -> Result<Vec<SignatureRow>>;
    /// False if the endorsement already stood.
    async fn insert_endorsement(&mut self, slate_id: Id, e: &EndorsementRow) -> Result<bool>;
    async fn delete_endorsement(&mut self, slate_id: Id, from_id: Id, to_id: Id) -> Result<bool>;
    async fn endorsements(&mut self, slate_id: Id) -> Result<Vec<EndorsementRow>>;
    async fn append_event(
        &mut self,
        slate_id: Id,
        kind: SlateEventKind,
        payload: &str,
        at: DateTime<Utc>,
    ) -> Result<i64>;
    async fn events(&mut self, slate_id: Id, after: i64, limit: i64) -> Result<Vec<EventRow>>;
    async fn insert_partner(&mut self, p: &PartnerRow, at: DateTime<Utc>) -> Result<PartnerRow>;
    async fn partners(&mut self, slate_id: Id) -> Result<Vec<PartnerRow>>;
    /// Counts of the live pledges carrying referral code `code` in a slate.
    async fn referrals(&mut self, slate_id: Id, code: &str) -> Result<Referrals>;
}
