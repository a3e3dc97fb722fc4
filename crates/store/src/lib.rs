//! The storage boundary: one [`Store`] trait over core types, implemented once
//! per database (`cohort-store-sqlite`, `cohort-store-postgres`), and the
//! conformance suite in [`conformance`] that every backend must pass.
//!
//! Architecture invariant: no driver type (sqlx, a row, a pool) appears in
//! this crate's API. Backends translate their errors into [`StoreError`].
//!
//! Architecture invariant: the store makes no decisions. It loads and saves;
//! what unlocks and how money splits is decided in `cohort-core` and
//! orchestrated by `cohort-engine`, inside one [`Tx`].

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use cohort_core::limits::LimitTable;
use cohort_core::model::{CompactContent, Election, PledgeKind, PledgeStatus, Race};
use cohort_core::{Cents, Condition, Email, Reads, Slug};
use serde::{Deserialize, Serialize};

mod api_tokens;
pub mod conformance;
mod conversation;
mod jobs;
mod joint_events;
mod log;
mod mail_hold;
mod payments;
mod sign_in;
mod teams;

pub use api_tokens::{ApiTokenRow, ApiTokensTx};
pub use conversation::*;
pub use jobs::{JobsTx, LeaseRow};
pub use joint_events::*;
pub use log::{LogCheckpointRow, LogEvent, LogHashRow, LogLeafRow, LogTx};
pub use mail_hold::{HeldEmail, MailHoldTx};
pub use payments::{DuePayment, PaymentRow, PaymentSetupRow, PaymentState};
pub use sign_in::SignInTx;
pub use teams::*;

pub type Id = i64;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken; `what` names the rule (e.g. "slate slug").
    #[error("{what} already exists")]
    Conflict { what: &'static str },
    /// Stored data that does not parse back into a domain value.
    #[error("corrupt row in {table}: {detail}")]
    Corrupt { table: &'static str, detail: String },
    /// The database is busy or unreachable; the operation may be retried.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Other(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSlate {
    pub slug: Slug,
    pub name: String,
    pub cycle: i32,
    pub description: String,
    pub condition: Condition,
    pub limits: LimitTable,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlateRow {
    pub id: Id,
    pub slug: Slug,
    pub name: String,
    pub cycle: i32,
    pub description: String,
    pub condition: Condition,
    pub limits: LimitTable,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCandidate {
    pub slug: Slug,
    pub name: String,
    pub race: Race,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateRow {
    pub id: Id,
    pub slate_id: Id,
    pub slug: Slug,
    pub name: String,
    pub race: Race,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompactRow {
    pub version: i32,
    pub hash: String,
    pub content: CompactContent,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureRow {
    pub candidate_id: Id,
    pub version: i32,
    pub signed_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndorsementRow {
    pub from_id: Id,
    pub to_id: Id,
    pub at: DateTime<Utc>,
}

/// A distinct condition text within a slate. Pledges point at one, so an
/// event evaluates each distinct condition once, not each pledge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionRow {
    pub id: Id,
    pub condition: Condition,
    pub reads: Reads,
}

/// Who pledged. Personal data: never shown to the public.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Donor {
    pub name: String,
    pub address: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub employer: String,
    pub occupation: String,
    pub attests_eligible: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPledge {
    pub slate_id: Id,
    pub kind: PledgeKind,
    pub condition_id: Id,
    /// The candidates the supporter chose to split across; `None` means every signer.
    pub candidates: Option<Vec<Id>>,
    pub deadline: NaiveDate,
    pub email: Email,
    pub donor: Donor,
    pub ref_code: Option<String>,
    /// The bearer secret that lets the pledger see and cancel this pledge.
    pub receipt_token: String,
    pub idempotency_key: Option<String>,
    /// SHA-256 of the request body, to tell a retry from a different request under the same key.
    pub request_hash: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PledgeRow {
    pub id: Id,
    pub slate_id: Id,
    pub kind: PledgeKind,
    pub condition_id: Id,
    pub condition: Condition,
    pub candidates: Option<Vec<Id>>,
    pub deadline: NaiveDate,
    pub email: Email,
    pub donor: Donor,
    pub ref_code: Option<String>,
    pub status: PledgeStatus,
    pub receipt_token: String,
    pub idempotency_key: Option<String>,
    pub request_hash: String,
    pub created_at: DateTime<Utc>,
    pub unlocked_at: Option<DateTime<Utc>>,
    /// When the supporter stopped this monthly pledge, if they did.
    pub stopped_at: Option<DateTime<Utc>>,
}

/// What the unlock step needs to know about a pending pledge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingPledge {
    pub id: Id,
    pub email: Email,
    pub amount: Cents,
    pub hours_per_week: i64,
    pub candidates: Option<Vec<Id>>,
}

/// An unlocked monthly pledge, for the monthly re-check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthlyPledge {
    pub pledge: PendingPledge,
    pub condition_id: Id,
    pub unlocked_at: DateTime<Utc>,
    pub last_period: i32,
}

/// One installment of a money pledge (period 0 for one-off pledges, then one
/// per month for monthly ones) and how it was split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Installment {
    pub pledge_id: Id,
    pub period: i32,
    pub amount: Cents,
    pub unallocated: Cents,
    pub allocations: Vec<AllocationShare>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllocationShare {
    pub candidate_id: Id,
    pub election: Election,
    pub cents: Cents,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllocationRow {
    pub pledge_id: Id,
    pub period: i32,
    pub candidate_id: Id,
    pub election: Election,
    pub cents: Cents,
}

/// What a donor has already given a candidate for one election, through Cohort.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GivenRow {
    pub email: Email,
    pub candidate_id: Id,
    pub election: Election,
    pub cents: Cents,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateTotal {
    pub candidate_id: Id,
    pub cents: Cents,
    pub contributions: i64,
}

/// A slate's running totals, kept up to date with every write so that pages
/// never scan pledges.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pot {
    pub pending_cents: i64,
    pub unlocked_cents: i64,
    pub pledgers: i64,
    pub hours_per_week_pending: i64,
    pub hours_per_week_unlocked: i64,
}

/// A change to [`Pot`], applied atomically by the store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PotDelta {
    pub pending_cents: i64,
    pub unlocked_cents: i64,
    pub pledgers: i64,
    pub hours_per_week_pending: i64,
    pub hours_per_week_unlocked: i64,
}

/// What a batch of new pledges adds to their slate besides the pledge rows
/// it inserted itself (see [`Tx::record_intake`]).
#[derive(Clone, Copy, Debug)]
pub struct IntakeWrites<'a> {
    pub slate_id: Id,
    /// New pledges to insert first, each under an id an earlier
    /// `record_intake` of the same store reserved (see `reserve`).
    pub pledges: &'a [(Id, NewPledge)],
    /// Payloads of the batch's `pledged` events, in order.
    pub events: &'a [String],
    /// Live pledges each donor gained (each email once, counts > 0).
    pub donors: &'a [(Email, i64)],
    /// Receipts, each with the hash of its unsubscribe secret.
    pub emails: &'a [(NewEmail, String)],
    /// What the batch adds to the pot; the store adds the donors new to it.
    pub delta: PotDelta,
    pub at: DateTime<Utc>,
    /// How many pledge ids to reserve for later batches, so that their
    /// pledges can go in with this one write. A store that cannot hand ids
    /// out ahead (SQLite: its ids are the table's next row) reserves none.
    pub reserve: usize,
}

/// What [`Tx::record_intake`] leaves: the slate's pot as it now stands, and
/// the slate's version, read under the slate's lock (taken, if the
/// transaction did not hold it yet, before the pot moved).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntakeRecorded {
    pub pot: Pot,
    pub slate_version: i64,
    /// Pledge ids reserved for later batches: no pledge has them, and no
    /// other call of any transaction will ever hand them out again.
    pub reserved: Vec<Id>,
}

/// What each unsigned candidate would get now: per candidate, pending money
/// that would include them, grouped by how many recipients it would split across.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitingRow {
    /// `None` for pledges that split across every signer.
    pub chosen: Option<Vec<Id>>,
    pub cents: Cents,
    pub hours_per_week: i64,
    pub pledges: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Organizer,
    Candidate,
    /// A partner organization's admin; `candidate_id` is unused, `slate_id` the slate.
    Partner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Organizer => "organizer",
            Role::Candidate => "candidate",
            Role::Partner => "partner",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "organizer" => Some(Role::Organizer),
            "candidate" => Some(Role::Candidate),
            "partner" => Some(Role::Partner),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRow {
    pub role: Role,
    pub slate_id: Option<Id>,
    pub candidate_id: Option<Id>,
}

/// An entry of the append-only public log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventRow {
    pub seq: i64,
    pub slate_id: Id,
    pub kind: String,
    pub payload: String,
    pub at: DateTime<Utc>,
}

/// A person with an account: a supporter, a campaign's staff, an organizer or
/// a partner organization's admin (what they may do comes from [`Grant`]s).
/// Accounts are created by following an emailed link, so every email here has
/// been shown to belong to its owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRow {
    pub id: Id,
    pub email: Email,
    pub name: String,
    /// An argon2id PHC string, when the person chose a password.
    pub password_hash: Option<String>,
    pub email_prefs: EmailPrefs,
    pub created_at: DateTime<Utc>,
}

/// How much non-transactional email a person wants. Transactional email
/// (sign-in links, pledge receipts, what a pledge became) is always sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailPrefs {
    /// At most one update a week (the default).
    #[default]
    Weekly,
    /// Every update as it happens.
    Every,
    /// No updates at all.
    None,
}

impl EmailPrefs {
    pub fn as_str(self) -> &'static str {
        match self {
            EmailPrefs::Weekly => "weekly",
            EmailPrefs::Every => "every",
            EmailPrefs::None => "none",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "weekly" => Some(EmailPrefs::Weekly),
            "every" => Some(EmailPrefs::Every),
            "none" => Some(EmailPrefs::None),
            _ => None,
        }
    }
}

/// What a one-time or session secret is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A signed-in browser session (cookie).
    Session,
    /// A one-time sign-in link sent by email.
    SignIn,
    /// An invitation to take a role (sent by email; `grant` says which).
    Invite,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Session => "session",
            Purpose::SignIn => "sign_in",
            Purpose::Invite => "invite",
        }
    }
}

/// A secret stored by its SHA-256 hash: sessions, sign-in links, invitations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretRow {
    pub purpose: Purpose,
    pub user_id: Option<Id>,
    pub email: Option<Email>,
    pub grant: Option<TokenRow>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

/// An email waiting in (or sent from) the outbox. Written in the same
/// transaction as whatever it tells about; delivered afterwards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEmail {
    pub to: Email,
    pub subject: String,
    pub body: String,
    /// Receipts, sign-in links, unlock notices: exempt from the weekly cap.
    pub transactional: bool,
    /// An email nobody proved they asked for (an anonymous pledge's
    /// receipt): not delivered until the engine releases it, at most a few
    /// an hour to one address, the rest folded into one summary.
    pub held: bool,
    /// A file sent along (a team's weekly check-in as `.ics`).
    pub attachment: Option<Attachment>,
}

/// A text file attached to an email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    /// A MIME type with parameters, e.g. `text/calendar; method=REQUEST`.
    pub content_type: String,
    pub content: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: Id,
    pub email: NewEmail,
    pub created_at: DateTime<Utc>,
    pub attempts: i32,
    pub sent_at: Option<DateTime<Utc>>,
}

/// A general-election earmark of a candidate who lost the primary, and the
/// donor's choice for it (`refund` or `redesignate`, once made).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneralChoiceRow {
    pub receipt: String,
    pub committee: String,
    pub pledge_id: Id,
    pub amount: Cents,
    pub choice: Option<String>,
    pub asked_at: DateTime<Utc>,
    pub chosen_at: Option<DateTime<Utc>>,
}

/// One event of the conduit's ledger, as appended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookEventRow {
    pub seq: i64,
    pub key: String,
    /// cohort-books' `ledger::Event` as JSON.
    pub body: String,
    pub recorded_at: DateTime<Utc>,
}

/// A candidate's committee, as checked by the engine (FEC ids are empty
/// strings for offices the FEC does not cover).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitteeRow {
    pub candidate_id: Id,
    pub slate_id: Id,
    pub name: String,
    pub fec_committee_id: String,
    pub fec_candidate_id: String,
    pub treasurer_first: String,
    pub treasurer_last: String,
    pub street1: String,
    pub street2: String,
    pub city: String,
    pub state: String,
    pub zip: String,
}

/// A partner organization of a slate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartnerRow {
    pub id: Id,
    pub slate_id: Id,
    /// Its referral code: the `ref` of pledges it brought.
    pub code: String,
    pub name: String,
    /// Its public endorsement of the slate.
    pub endorsement: String,
}

/// What one referral code brought: counts only, never money or names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Referrals {
    pub pledges: i64,
    pub pledgers: i64,
    pub unlocked: i64,
}

/// Something `cohort verify` found wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub rule: &'static str,
    pub detail: String,
}

/// A database. Cheap to clone behind an `Arc`; all work happens in a [`Tx`].
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Apply pending migrations. Idempotent.
    async fn migrate(&self) -> Result<()>;
    /// Begin a write transaction. On SQLite this is `BEGIN IMMEDIATE` on the
    /// single writer connection, so writers queue instead of failing.
    async fn write(&self) -> Result<Box<dyn Tx>>;
    /// Begin a read-only transaction (a consistent snapshot).
    async fn read(&self) -> Result<Box<dyn Tx>>;
    /// A short name for logs and benchmarks: "sqlite" or "postgres".
    fn backend(&self) -> &'static str;
}

/// A transaction. Dropping it without [`Tx::commit`] rolls back.
#[async_trait]
pub trait Tx: Send + SignInTx + JobsTx + ApiTokensTx + MailHoldTx + JointEventsTx + LogTx {
    async fn commit(self: Box<Self>) -> Result<()>;
    /// Serialize writers of one slate (PostgreSQL: a row lock on the slate;
    /// SQLite: nothing to do, its write transactions are already exclusive).
    async fn lock_slate(&mut self, slate_id: Id) -> Result<()>;
    /// Lock a slate as [`Tx::lock_slate`] does, by slug, and return its id
    /// and version. The version changes (by a trigger, so no writer can
    /// forget) whenever the slate's row, candidates, signatures,
    /// endorsements, primary losses or conditions do: state read under the
    /// lock at version `v` stays true for as long as the version is `v`.
    async fn lock_slate_by_slug(&mut self, slug: &str) -> Result<Option<(Id, i64)>>;

    // --- slates, candidates, compacts
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

    // --- commitments between candidates
    /// Insert or replace the candidate's standing signature.
    async fn upsert_signature(&mut self, slate_id: Id, sig: &SignatureRow) -> Result<()>;
    /// Remove a standing signature; false if there was none.
    async fn delete_signature(&mut self, slate_id: Id, candidate_id: Id) -> Result<bool>;
    async fn signatures(&mut self, slate_id: Id) -> Result<Vec<SignatureRow>>;
    /// False if the endorsement already stood.
    async fn insert_endorsement(&mut self, slate_id: Id, e: &EndorsementRow) -> Result<bool>;
    async fn delete_endorsement(&mut self, slate_id: Id, from_id: Id, to_id: Id) -> Result<bool>;
    async fn endorsements(&mut self, slate_id: Id) -> Result<Vec<EndorsementRow>>;

    // --- conditions and pledges
    /// The id of this condition text within the slate, created if new.
    async fn condition_id(&mut self, slate_id: Id, condition: &Condition) -> Result<Id>;
    /// Conditions that at least one pending pledge of the slate waits on.
    async fn pending_conditions(&mut self, slate_id: Id) -> Result<Vec<ConditionRow>>;
    /// Every condition of the slate, pending pledges or not, oldest first.
    async fn slate_conditions(&mut self, slate_id: Id) -> Result<Vec<ConditionRow>>;
    async fn insert_pledge(&mut self, p: &NewPledge) -> Result<Id>;
    /// Insert many pledges at once, keeping the pot and the pledger counts
    /// right (for imports and benchmarks). Idempotency keys must be unused.
    async fn insert_pledges(&mut self, pledges: &[NewPledge]) -> Result<()>;
    async fn pledge(&mut self, id: Id) -> Result<Option<PledgeRow>>;
    async fn pledge_by_idempotency_key(&mut self, key: &str) -> Result<Option<PledgeRow>>;
    /// Move a pledge from one status to another; false if it was not in `from`.
    async fn set_status(&mut self, id: Id, from: PledgeStatus, to: PledgeStatus) -> Result<bool>;
    /// Stop an unlocked monthly money pledge at `at` (`unlocked → stopped`):
    /// its installments stay, [`Tx::monthly_pledges`] no longer lists it.
    /// False if it is not an unlocked monthly pledge (already stopped included).
    async fn stop_monthly(&mut self, id: Id, at: DateTime<Utc>) -> Result<bool>;
    /// Pending pledges waiting on any of `conditions` whose deadline is on or after `today`.
    async fn pending_pledges(
        &mut self,
        slate_id: Id,
        conditions: &[Id],
        today: NaiveDate,
    ) -> Result<Vec<PendingPledge>>;
    /// Mark pledges unlocked (only those still pending; returns how many moved)
    /// and record their first installments, all or nothing.
    async fn record_unlocks(
        &mut self,
        pledge_ids: &[Id],
        installments: &[Installment],
        at: DateTime<Utc>,
    ) -> Result<u64>;
    /// Record later installments of monthly pledges.
    async fn record_installments(
        &mut self,
        installments: &[Installment],
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// Unlocked monthly pledges of the slate, with their latest installment.
    async fn monthly_pledges(&mut self, slate_id: Id) -> Result<Vec<MonthlyPledge>>;
    /// Move every pending pledge whose deadline is before `today` to expired; returns them.
    async fn expire_pending(
        &mut self,
        slate_id: Id,
        today: NaiveDate,
    ) -> Result<Vec<PendingPledge>>;
    async fn installments(&mut self, pledge_id: Id) -> Result<Vec<Installment>>;
    /// Everything each donor has already been allocated per candidate and election in this slate.
    async fn given(&mut self, slate_id: Id) -> Result<Vec<GivenRow>>;
    /// What donors gave this slate's candidates through *other* slates of the
    /// same cycle: allocations to a candidate whose committee record there
    /// has the same FEC candidate id, reported under this slate's candidate.
    async fn given_elsewhere(&mut self, slate_id: Id) -> Result<Vec<GivenRow>>;
    async fn candidate_totals(&mut self, slate_id: Id) -> Result<Vec<CandidateTotal>>;
    /// Pending money and hours grouped by the supporter's chosen candidates.
    async fn waiting(&mut self, slate_id: Id) -> Result<Vec<WaitingRow>>;

    // --- the pot
    async fn pot(&mut self, slate_id: Id) -> Result<Pot>;
    /// Apply `delta` to the slate's pot and return the pot as it now stands.
    async fn add_to_pot(&mut self, slate_id: Id, delta: &PotDelta) -> Result<Pot>;
    /// Change a donor's count of live pledges in the slate; returns the new count.
    async fn adjust_pledger(&mut self, slate_id: Id, email: &Email, delta: i64) -> Result<i64>;
    /// Add live pledges for many donors at once (each email once, counts > 0);
    /// returns how many of them are new to the slate's pot.
    async fn add_pledgers(&mut self, slate_id: Id, donors: &[(Email, i64)]) -> Result<i64>;
    /// Insert the batch's pledges whose ids were reserved, append its
    /// `pledged` events, count its donors into the
    /// slate's pledgers, queue its receipts and move the pot, as one write
    /// where the database allows it (PostgreSQL: one statement). Locks the
    /// slate first, as [`Tx::lock_slate`] would, and returns its version
    /// read under that lock, so a caller that acted on a kept state without
    /// locking can check, before it commits, that the state still stands.
    async fn record_intake(&mut self, w: &IntakeWrites<'_>) -> Result<IntakeRecorded>;

    // --- a slate's conversation (statements, votes, the stored analysis)
    async fn insert_statement(&mut self, s: &NewStatement) -> Result<StatementRow>;
    /// Every statement of a slate (or only statement `only`), any status,
    /// oldest first.
    async fn statements(&mut self, slate_id: Id, only: Option<Id>) -> Result<Vec<StatementRow>>;
    /// Move a statement to `status`; false if there is no such statement.
    async fn set_statement_status(&mut self, id: Id, status: StatementStatus) -> Result<bool>;
    async fn set_statement_adopted(&mut self, id: Id, adoption: &Adoption) -> Result<()>;
    /// Record a vote, replacing the person's earlier vote on that statement.
    async fn upsert_vote(&mut self, slate_id: Id, vote: &VoteRow) -> Result<()>;
    /// One person's current votes in a slate's conversation.
    async fn votes_of(&mut self, slate_id: Id, user_id: Id) -> Result<Vec<VoteRow>>;
    /// Every current vote of a slate's conversation.
    async fn conversation_votes(&mut self, slate_id: Id) -> Result<Vec<VoteRow>>;
    /// Count one more change (a vote or a moderation decision).
    async fn touch_conversation(&mut self, slate_id: Id) -> Result<()>;
    async fn conversation_state(&mut self, slate_id: Id) -> Result<ConversationState>;
    /// Save a result unless a result covering as many changes is stored
    /// already; false if it was not saved.
    async fn save_conversation_result(&mut self, slate_id: Id, r: &StoredResult) -> Result<bool>;
    /// Slates whose conversation changed since its stored result.
    async fn stale_conversations(&mut self) -> Result<Vec<Id>>;

    // --- log and tokens
    async fn append_event(
        &mut self,
        slate_id: Id,
        kind: &str,
        payload: &str,
        at: DateTime<Utc>,
    ) -> Result<i64>;
    async fn events(&mut self, slate_id: Id, after: i64, limit: i64) -> Result<Vec<EventRow>>;
    async fn insert_token(&mut self, hash: &str, token: &TokenRow, at: DateTime<Utc>)
        -> Result<()>;
    async fn token(&mut self, hash: &str) -> Result<Option<TokenRow>>;

    // --- skilled volunteer teams (issue 5; rows in teams.rs)
    /// Insert or replace a volunteer's profile.
    async fn upsert_volunteer_profile(&mut self, p: &VolunteerProfileRow) -> Result<()>;
    async fn volunteer_profile(&mut self, user_id: Id) -> Result<Option<VolunteerProfileRow>>;
    /// Add a skill to a slate's taxonomy (`Conflict` if the slug is taken).
    async fn insert_slate_skill(&mut self, slate_id: Id, s: &SkillRow) -> Result<()>;
    /// The skills organizers added, to one slate or (`None`) to any, by slug.
    async fn slate_skills(&mut self, slate_id: Option<Id>) -> Result<Vec<SkillRow>>;
    /// A new team request with its needs.
    async fn insert_team(
        &mut self,
        slate_id: Id,
        candidate_id: Id,
        kind: &str,
        needs: &[NewNeed],
        at: DateTime<Utc>,
    ) -> Result<TeamRow>;
    async fn team(&mut self, id: Id) -> Result<Option<TeamRow>>;
    async fn teams(&mut self, slate_id: Id) -> Result<Vec<TeamRow>>;
    /// Every need of a slate, by id.
    async fn needs(&mut self, slate_id: Id) -> Result<Vec<NeedRow>>;
    /// Accounts with a volunteer profile and an unlocked hours pledge to the slate, by user id.
    async fn volunteer_pool(&mut self, slate_id: Id) -> Result<Vec<PoolRow>>;
    async fn pins(&mut self, slate_id: Id) -> Result<Vec<PinRow>>;
    /// Insert or replace the pin of (need, volunteer).
    async fn upsert_pin(&mut self, slate_id: Id, pin: &PinRow) -> Result<()>;
    /// Remove pins on these needs (or of this volunteer on that need).
    async fn delete_pins(&mut self, need_ids: &[Id], user_id: Option<Id>) -> Result<()>;
    /// Fill needs: `(need, volunteer, score)`; only needs still open.
    async fn fill_needs(&mut self, fills: &[(Id, Id, i64)]) -> Result<u64>;
    /// Mark a team confirmed (keeps the first time) and set its mentor.
    async fn confirm_team(
        &mut self,
        team_id: Id,
        mentor: Option<Id>,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// The confirmed teams a volunteer fills a role on, newest first.
    async fn services(&mut self, user_id: Id) -> Result<Vec<ServiceRow>>;
    /// Record (or correct) one week's hours.
    async fn upsert_hours(&mut self, h: &HoursRow, at: DateTime<Utc>) -> Result<()>;
    /// Every hours entry of a slate's teams.
    async fn hours(&mut self, slate_id: Id) -> Result<Vec<HoursRow>>;
    /// A slate's edited toolkits: `(role, markdown)`.
    async fn toolkit_edits(&mut self, slate_id: Id) -> Result<Vec<(String, String)>>;
    /// Save an edited toolkit, or (`None`) go back to the standard one.
    async fn set_toolkit(
        &mut self,
        slate_id: Id,
        role: &str,
        markdown: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<()>;

    // --- accounts, secrets and email
    async fn insert_user(
        &mut self,
        email: &Email,
        name: &str,
        at: DateTime<Utc>,
    ) -> Result<UserRow>;
    async fn user(&mut self, id: Id) -> Result<Option<UserRow>>;
    async fn user_by_email(&mut self, email: &Email) -> Result<Option<UserRow>>;
    /// Save name, password hash and email preferences.
    async fn update_user(&mut self, user: &UserRow) -> Result<()>;
    /// Give a user a role; returns false if they already had it.
    async fn insert_grant(&mut self, user_id: Id, grant: &TokenRow) -> Result<bool>;
    async fn grants(&mut self, user_id: Id) -> Result<Vec<TokenRow>>;
    /// Everyone holding a role on a slate, with the role.
    async fn slate_members(&mut self, slate_id: Id) -> Result<Vec<(UserRow, TokenRow)>>;
    async fn insert_secret(
        &mut self,
        hash: &str,
        secret: &SecretRow,
        at: DateTime<Utc>,
    ) -> Result<()>;
    async fn secret(&mut self, hash: &str) -> Result<Option<SecretRow>>;
    /// Mark a one-time secret used; false if it already was (or doesn't exist).
    async fn use_secret(&mut self, hash: &str, at: DateTime<Utc>) -> Result<bool>;
    async fn delete_secret(&mut self, hash: &str) -> Result<()>;
    /// How far notices have been sent for a slate: (event seq, time of the last unlock sent).
    async fn notice_cursor(&mut self, slate_id: Id) -> Result<(i64, Option<DateTime<Utc>>)>;
    async fn set_notice_cursor(
        &mut self,
        slate_id: Id,
        seq: i64,
        last_unlock_at: Option<DateTime<Utc>>,
    ) -> Result<()>;
    /// The pledges of a slate that unlocked at exactly `at` (one unlock event).
    async fn pledges_unlocked_at(
        &mut self,
        slate_id: Id,
        at: DateTime<Utc>,
    ) -> Result<Vec<PledgeRow>>;
    /// Record the pot as it stands on `day` (replacing that day's earlier sample).
    async fn record_pot_history(&mut self, slate_id: Id, day: NaiveDate, pot: &Pot) -> Result<()>;
    /// Each recorded day's pot, oldest first.
    async fn pot_history(&mut self, slate_id: Id) -> Result<Vec<(NaiveDate, Pot)>>;
    async fn insert_partner(&mut self, p: &PartnerRow, at: DateTime<Utc>) -> Result<PartnerRow>;
    async fn partners(&mut self, slate_id: Id) -> Result<Vec<PartnerRow>>;
    /// Counts of the live pledges carrying referral code `code` in a slate.
    async fn referrals(&mut self, slate_id: Id, code: &str) -> Result<Referrals>;
    /// Every pledge of a slate, oldest first (organizer exports).
    async fn slate_pledges(&mut self, slate_id: Id) -> Result<Vec<PledgeRow>>;
    /// Every allocation of a slate with its pledge, by pledge, period and candidate.
    async fn allocation_details(&mut self, slate_id: Id)
        -> Result<Vec<(AllocationRow, PledgeRow)>>;
    /// The pledges made with this email, newest first.
    async fn pledges_by_email(&mut self, email: &Email) -> Result<Vec<PledgeRow>>;
    /// Queue emails; each carries the SHA-256 of its own unsubscribe secret.
    async fn enqueue_emails(
        &mut self,
        emails: &[(NewEmail, String)],
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// The address an unsubscribe secret (by hash) was sent to.
    async fn unsubscribe_address(&mut self, hash: &str) -> Result<Option<Email>>;
    /// Unsent emails with fewer than `max_attempts` failures, oldest first.
    async fn due_emails(&mut self, max_attempts: i32, limit: i64) -> Result<Vec<OutboxRow>>;
    /// Record a delivery (`sent = Some(at)`) or a failed attempt.
    async fn mark_email(&mut self, id: Id, sent: Option<DateTime<Utc>>) -> Result<()>;
    /// When the last non-transactional email to this address was queued.
    async fn last_update_email(&mut self, to: &Email) -> Result<Option<DateTime<Utc>>>;
    /// Every email queued to one address, newest first (for tests and support).
    async fn emails_to(&mut self, to: &Email) -> Result<Vec<OutboxRow>>;

    // --- payments (issue 6): saved payment methods, charges, webhook events
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

    // --- the books (issue 6): the conduit ledger's events, records by key, once-marks
    /// Hold the books until commit: writers that read the ledger and append
    /// to it (a forwarding batch, a refund) must not interleave.
    async fn lock_books(&mut self) -> Result<()>;
    /// Append one ledger event under a unique `key`; false (and nothing
    /// written) if an event with that key is already on the books.
    async fn append_book_event(&mut self, key: &str, body: &str, at: DateTime<Utc>)
        -> Result<bool>;
    /// Every ledger event, in the order it was appended.
    async fn book_events(&mut self) -> Result<Vec<BookEventRow>>;
    /// Whether an event with this key is on the books.
    async fn has_book_event(&mut self, key: &str) -> Result<bool>;
    async fn setting(&mut self, key: &str) -> Result<Option<String>>;
    async fn set_setting(&mut self, key: &str, value: &str, at: DateTime<Utc>) -> Result<()>;
    /// Claim `key` once: true the first time, false ever after.
    async fn mark_once(&mut self, key: &str, at: DateTime<Utc>) -> Result<bool>;
    /// What the donor with this email has been charged for each candidate:
    /// the allocations of their installments whose payment succeeded.
    async fn collected_from(&mut self, email: &Email) -> Result<Vec<(Id, Cents)>>;
    /// Every installment whose charge succeeded: pledge, period, amount.
    async fn succeeded_payments(&mut self) -> Result<Vec<(Id, i32, Cents)>>;
    /// Replace the donor details a pledge carries (employer and occupation
    /// supplied later, a corrected address).
    async fn set_pledge_donor(&mut self, pledge_id: Id, donor: &Donor) -> Result<bool>;

    // --- primary losses (issue 6)
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

    // --- invariants, for `cohort verify`
    /// Installments whose allocations plus unallocated differ from the amount,
    /// allocations on pledges that are not unlocked or fulfilled, pots that
    /// disagree with the pledges, and similar facts the schema alone can't enforce.
    async fn check_invariants(&mut self) -> Result<Vec<Violation>>;
}

/// Lets engine code write `tx.get(...)` helpers generically.
pub type BoxTx = Box<dyn Tx>;
