//! Rows of a slate's conversation (issue 4): statements, votes and the
//! stored result of the latest analysis; and the [`ConversationTx`] area that
//! stores them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{Id, Result};

/// Where a statement stands with the organizers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatementStatus {
    /// Shown to voters.
    Approved,
    /// Added by a participant, awaiting an organizer.
    Pending,
    /// Moderated out: never shown, zeroed in the analysis.
    Rejected,
}

impl StatementStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StatementStatus::Approved => "approved",
            StatementStatus::Pending => "pending",
            StatementStatus::Rejected => "rejected",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "approved" => Some(StatementStatus::Approved),
            "pending" => Some(StatementStatus::Pending),
            "rejected" => Some(StatementStatus::Rejected),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewStatement {
    pub slate_id: Id,
    pub body: String,
    /// `None` when an organizer's API token seeded it.
    pub author_id: Option<Id>,
    pub status: StatementStatus,
    pub seeded: bool,
    pub created_at: DateTime<Utc>,
}

/// A statement adopted as a plank of a compact version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Adoption {
    pub version: i32,
    pub title: String,
    /// The support it had when adopted, in words.
    pub support: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementRow {
    pub id: Id,
    pub slate_id: Id,
    pub body: String,
    pub author_id: Option<Id>,
    pub status: StatementStatus,
    pub seeded: bool,
    pub created_at: DateTime<Utc>,
    pub adopted: Option<Adoption>,
}

/// A person's current vote on a statement: +1 agree, -1 disagree, 0 pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VoteRow {
    pub statement_id: Id,
    pub user_id: Id,
    pub vote: i32,
    pub at: DateTime<Utc>,
}

/// An anonymous participant's current vote (issue 16): a [`VoteRow`] for a
/// visitor their browser's participant cookie names, not an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VisitorVoteRow {
    pub slate_id: Id,
    pub statement_id: Id,
    pub visitor_id: Id,
    pub vote: i32,
    pub at: DateTime<Utc>,
}

/// A computed result as stored: JSON the engine wrote, and what it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredResult {
    /// The conversation's change count the result was computed from.
    pub changes: i64,
    /// Votes it covers.
    pub votes: i64,
    pub computed_at: DateTime<Utc>,
    pub result: String,
    /// The warm start for the next run (JSON).
    pub warm: String,
}

/// An organizer's decision to down-weight a burst of participants who
/// arrived together and voted as one (issue 20): their votes are left out of
/// the bridging fit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDownweight {
    pub slate_id: Id,
    /// Vote-matrix rows (accounts' user ids; visitors as negative ids).
    pub participants: Vec<Id>,
    /// The burst's first and last arrival.
    pub burst_from: DateTime<Utc>,
    pub burst_until: DateTime<Utc>,
    /// `None` when an organizer's API token decided.
    pub decided_by: Option<Id>,
    pub decided_at: DateTime<Utc>,
}

/// A stored [`NewDownweight`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DownweightRow {
    pub id: Id,
    pub d: NewDownweight,
}

/// Votes on a statement: agreed, disagreed, seen (passes count as seen).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TallyCells {
    pub agree: i64,
    pub disagree: i64,
    pub seen: i64,
}

/// A statement's bridging score as stored.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BridgeCells {
    pub votes: i64,
    pub across: f64,
    pub low: f64,
    pub high: f64,
    pub bridges: bool,
}

/// One statement's line of the slim stored result (issue 20): what the
/// results pages show of it, one row each, so a view reads rows instead of
/// parsing the whole result.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultStatementRow {
    pub statement_id: Id,
    pub overall: TallyCells,
    /// One per group, in group order.
    pub groups: Vec<TallyCells>,
    /// Group-informed consensus and its place in that order (0 first).
    pub group_consensus: Option<(f64, i64)>,
    /// Place in the overall consensus lists (0 first).
    pub agree_rank: Option<i64>,
    pub disagree_rank: Option<i64>,
    pub bridge: Option<BridgeCells>,
    /// Its place on the opinion map.
    pub point: Option<(f64, f64)>,
}

/// A statement that sets a group apart, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RepCells {
    pub statement_id: Id,
    pub agree: bool,
    pub n_success: i64,
    pub n_trials: i64,
}

/// One opinion group of the slim stored result.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultGroupRow {
    /// Its place in the result's group order (its letter).
    pub index: i64,
    /// Its id in the analysis.
    pub group_id: i64,
    pub size: i64,
    pub repness: Vec<RepCells>,
}

/// A participant's dot on the opinion map.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ResultPointRow {
    pub participant: Id,
    pub x: f64,
    pub y: f64,
    pub group: Option<i64>,
    /// One of the dots the map draws (an even sample of at most a few
    /// thousand); every participant's row is kept so anyone finds their own.
    pub drawn: bool,
}

/// The slim stored form of a result: what the results views read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResultView {
    /// On read: the conversation's change count, and the result's (changes,
    /// votes, time) as in [`StoredResult`]. Ignored on save.
    pub changes: i64,
    pub stamp: Option<(i64, i64, DateTime<Utc>)>,
    pub participants: i64,
    pub in_conversation: i64,
    pub statements: Vec<ResultStatementRow>,
    pub groups: Vec<ResultGroupRow>,
    /// On save, every participant's dot; on read, the drawn ones and the
    /// asked-for participant's.
    pub points: Vec<ResultPointRow>,
}

/// A slate's conversation bookkeeping.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConversationState {
    /// Votes and moderation decisions so far.
    pub changes: i64,
    pub result: Option<StoredResult>,
}

/// The conversation area of a [`Tx`](crate::Tx).
#[async_trait]
pub trait ConversationTx: Send {
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
    /// The anonymous participant whose secret hashes to `token_hash`.
    async fn visitor_by_token_hash(&mut self, token_hash: &str) -> Result<Option<Id>>;
    async fn insert_visitor(&mut self, token_hash: &str, at: DateTime<Utc>) -> Result<Id>;
    /// Record an anonymous participant's vote, replacing their earlier vote
    /// on that statement.
    async fn upsert_visitor_vote(&mut self, vote: &VisitorVoteRow) -> Result<()>;
    /// An anonymous participant's current votes, in every slate (or only
    /// `slate_id`'s), by slate and statement.
    async fn visitor_votes(
        &mut self,
        visitor_id: Id,
        slate_id: Option<Id>,
    ) -> Result<Vec<VisitorVoteRow>>;
    /// Every anonymous participant's current votes in a slate's
    /// conversation, by visitor and statement.
    async fn conversation_visitor_votes(&mut self, slate_id: Id) -> Result<Vec<VisitorVoteRow>>;
    /// Delete an anonymous participant and their votes.
    async fn delete_visitor(&mut self, visitor_id: Id) -> Result<()>;
    /// Count one more change (a vote or a moderation decision).
    async fn touch_conversation(&mut self, slate_id: Id) -> Result<()>;
    async fn conversation_state(&mut self, slate_id: Id) -> Result<ConversationState>;
    /// Save a result unless a result covering as many changes is stored
    /// already; false if it was not saved.
    async fn save_conversation_result(&mut self, slate_id: Id, r: &StoredResult) -> Result<bool>;
    /// Slates whose conversation changed since its stored result.
    async fn stale_conversations(&mut self) -> Result<Vec<Id>>;
    /// Replace the slim stored form of a slate's result (written beside
    /// [`ConversationTx::save_conversation_result`], in its transaction).
    async fn save_result_view(&mut self, slate_id: Id, v: &ResultView) -> Result<()>;
    /// The slim stored form: every statement and group row, the drawn
    /// points and `you`'s own (if they have one). `None` before any.
    async fn result_view(&mut self, slate_id: Id, you: Option<Id>) -> Result<Option<ResultView>>;
    /// Record an organizer's down-weighting of a burst.
    async fn insert_downweight(&mut self, d: &NewDownweight) -> Result<Id>;
    /// A slate's down-weighting decisions, oldest first.
    async fn downweights(&mut self, slate_id: Id) -> Result<Vec<DownweightRow>>;
}
