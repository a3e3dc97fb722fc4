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
use cohort_core::{Cents, Condition, Email, Reads, SlateEventKind, Slug};
use serde::{Deserialize, Serialize};

mod accounts;
mod api_tokens;
mod books;
mod candidate_profiles;
pub mod conformance;
mod conversation;
mod digest;
mod import_jobs;
mod jobs;
mod joint_events;
mod joint_pledges;
mod log;
mod mail_hold;
mod outbox;
mod payments;
mod people;
mod pledge_pauses;
mod pledges;
mod primaries;
mod roll_calls;
mod sign_in;
mod slates;
mod teams;
mod unlock;

pub use accounts::AccountsTx;
pub use api_tokens::{ApiTokenRow, ApiTokensTx};
pub use books::BooksTx;
pub use candidate_profiles::{CandidateProfileRow, CandidateProfilesTx, ROSTER_KINDS};
pub use conversation::*;
pub use digest::{DigestItem, DigestRow, DigestTx, OutboxParts};
pub use import_jobs::{ImportJobRow, ImportJobsTx};
pub use jobs::{JobsTx, LeaseRow};
pub use joint_events::*;
pub use joint_pledges::JointPledgesTx;
pub use log::{LogCheckpointRow, LogEvent, LogHashRow, LogLeafRow, LogTx};
pub use mail_hold::{HeldEmail, MailHoldTx};
pub use outbox::OutboxTx;
pub use payments::{DuePayment, PaymentRow, PaymentSetupRow, PaymentState, PaymentsTx};
pub use people::{PeopleQuery, PeopleTx, PersonFields, PersonRow, TagRow, TaggingRow};
pub use pledge_pauses::{PauseRow, PledgePausesTx};
pub use pledges::PledgesTx;
pub use primaries::PrimariesTx;
pub use roll_calls::*;
pub use sign_in::SignInTx;
pub use slates::SlatesTx;
pub use teams::*;
pub use unlock::UnlockTx;

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
#[derive(utoipa::ToSchema, Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pot {
    pub pending_cents: i64,
    pub unlocked_cents: i64,
    pub pledgers: i64,
    pub hours_per_week_pending: i64,
    pub hours_per_week_unlocked: i64,
    /// The unlocked total as the transparency log last published it (its
    /// `unlocked_total` event), 0 before the first.
    pub logged_unlocked_cents: i64,
    /// The sequence number of that event.
    pub logged_seq: Option<i64>,
    /// Money pledges that unlocked or left the unlocked total since: the
    /// log publishes the total again once they number
    /// `LOG_TOTAL_AFTER` (cohort-engine), so no one amount can be read off
    /// two published totals.
    pub unlogged_unlocks: i64,
}

/// A change to [`Pot`], applied atomically by the store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PotDelta {
    pub pending_cents: i64,
    pub unlocked_cents: i64,
    pub pledgers: i64,
    pub hours_per_week_pending: i64,
    pub hours_per_week_unlocked: i64,
    /// Adds to [`Pot::unlogged_unlocks`] (`add_to_pot` only; intake's
    /// write never unlocks).
    pub unlogged_unlocks: i64,
}

/// What a batch of new pledges adds to their slate besides the pledge rows
/// it inserted itself (see [`PledgesTx::record_intake`]).
#[derive(Clone, Copy, Debug)]
pub struct IntakeWrites<'a> {
    pub slate_id: Id,
    /// New pledges to insert first, each under an id an earlier
    /// `record_intake` of the same store reserved (see `reserve`) or this
    /// transaction's `new_pledge_ids` gave.
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

/// What [`PledgesTx::record_intake`] leaves: the slate's pot as it now stands, and
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
    pub kind: SlateEventKind,
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

/// What one referral code brought: counts and sums of its live pledges,
/// never names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Referrals {
    pub pledges: i64,
    pub pledgers: i64,
    pub unlocked: i64,
    /// Money pledged (one month of a monthly pledge), in cents.
    pub cents: i64,
    /// Volunteer hours pledged, a week.
    pub hours_per_week: i64,
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
    /// Begin the transparency log's sequencing transaction: it reads events
    /// and writes the log's tables (and nothing else). The write transaction
    /// where the store has no cheaper one; SQLite keeps the log in a file of
    /// its own with its own writer, so sequencing never waits for intake's
    /// writer nor holds it.
    async fn write_log(&self) -> Result<Box<dyn Tx>> {
        self.write().await
    }
    /// Begin a read-only transaction (a consistent snapshot).
    async fn read(&self) -> Result<Box<dyn Tx>>;
    /// A short name for logs and benchmarks: "sqlite" or "postgres".
    fn backend(&self) -> &'static str;
    /// Whether an event can become visible below one already visible: its
    /// seq drawn at insert and shown at commit while other writers commit
    /// meanwhile (PostgreSQL). Not on SQLite, whose one writer inserts and
    /// commits in turn. The log's sequencer looks for such late events only
    /// where they can happen.
    fn late_events(&self) -> bool;
}

/// A transaction. Dropping it without [`Tx::commit`] rolls back. Its methods
/// come by area, each area a supertrait (one per line, so a new area merges
/// cleanly); callers take `&mut dyn Tx` and call any of them.
#[async_trait]
pub trait Tx:
    Send
    + SignInTx
    + JobsTx
    + ApiTokensTx
    + MailHoldTx
    + JointEventsTx
    + JointPledgesTx
    + PledgePausesTx
    + RollCallsTx
    + DigestTx
    + SlatesTx
    + PledgesTx
    + UnlockTx
    + AccountsTx
    + OutboxTx
    + TeamsTx
    + ConversationTx
    + PaymentsTx
    + BooksTx
    + PrimariesTx
    + LogTx
    + PeopleTx
    + CandidateProfilesTx
    + ImportJobsTx
{
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
    // --- invariants, for `cohort verify`
    /// Installments whose allocations plus unallocated differ from the amount,
    /// allocations on pledges that are not unlocked or fulfilled, pots that
    /// disagree with the pledges, and similar facts the schema alone can't enforce.
    async fn check_invariants(&mut self) -> Result<Vec<Violation>>;
}

/// Lets engine code write `tx.get(...)` helpers generically.
pub type BoxTx = Box<dyn Tx>;
