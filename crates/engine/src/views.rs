//! What use cases answer with: plain, serializable views whose field names
//! are the JSON API's (see API.md in the repository root).

use cohort_core::model::{Plank, PledgeKind, PledgeStatus, Recurrence};
use cohort_core::Cents;
use cohort_store::Pot;
use serde::{Serialize, Serializer};

/// A pledge kind as the API names it.
fn kind_name<S: Serializer>(kind: &PledgeKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(kind.kind_str())
}

#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SlateView {
    pub slug: String,
    pub name: String,
    pub cycle: i32,
    pub description: String,
    pub condition: String,
    pub condition_text: String,
    pub compact: Option<CompactView>,
    pub candidates: Vec<CandidateView>,
    pub signers: u64,
    pub states: u64,
    pub mutual: bool,
    pub unlocked: bool,
    pub pot: Pot,
    pub waiting: Vec<WaitingView>,
    pub endorsements: Vec<EndorsementView>,
    /// What still blocks the slate's condition, one plain-English line per
    /// unmet part, naming people; empty once it holds. Pages only.
    #[serde(skip)]
    pub blocking: Vec<String>,
    /// For each signer, their share of the money and hours still locked:
    /// what reaches them when the slate unlocks (before contribution
    /// limits, which the unlock applies per donor). Pages only.
    #[serde(skip)]
    pub on_unlock: Vec<WaitingView>,
}

#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CompactView {
    pub version: i32,
    pub hash: String,
    pub commitments: Vec<String>,
    pub planks: Vec<Plank>,
    /// Each commitment's measure, in step with `commitments` (empty when
    /// none is measured). Pages only: the organizer's form shows them.
    #[serde(skip)]
    pub measures: Vec<Option<cohort_core::commitment::Measure>>,
}

#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CandidateView {
    pub slug: String,
    pub name: String,
    pub office: String,
    pub state: String,
    pub district: Option<String>,
    pub primary_date: Option<String>,
    pub general_date: String,
    pub signed: bool,
    pub signed_version: Option<i32>,
}

#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WaitingView {
    pub candidate: String,
    #[schema(value_type = i64)]
    pub cents: Cents,
    pub hours_per_week: i64,
}

#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EndorsementView {
    pub from: String,
    pub to: String,
}

#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PledgeView {
    pub id: i64,
    pub slate: String,
    /// Serialized as its name (`"money"`, `"hours"`, `"actions"`); what it
    /// holds is spelled out in the fields below.
    #[serde(serialize_with = "kind_name")]
    #[schema(value_type = String)]
    pub kind: PledgeKind,
    #[schema(value_type = String)]
    pub status: PledgeStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    pub amount_cents: Option<Cents>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub recurring: Option<Recurrence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours_per_week: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weeks: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skills: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actions: Option<cohort_core::model::Actions>,
    pub condition: String,
    pub condition_text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidates: Option<Vec<String>>,
    pub deadline: String,
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub ref_code: Option<String>,
    pub created_at: String,
    pub unlocked_at: Option<String>,
    /// When the supporter stopped this monthly pledge (status `stopped`, or
    /// `payment_failed` if an earlier month's payment later failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<String>,
    /// Present only in the answer that created the pledge (or its idempotent replay).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt_token: Option<String>,
    pub allocations: Vec<AllocationView>,
    #[schema(value_type = i64)]
    pub unallocated_cents: Cents,
    /// How the money is being collected (money pledges, in the API's answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<PaymentView>,
    /// "Only while the bloc holds" (issue 15): when a monthly pledge whose
    /// condition reads the scorecard was paused and resumed, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pauses: Vec<PauseView>,
    /// An hours pledge whose pledger has no volunteer profile, so no team
    /// can be matched with them yet (shown on the receipt page only).
    #[serde(skip)]
    pub needs_volunteer_profile: bool,
}

#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PauseView {
    pub paused_at: String,
    pub reason: String,
    pub resumed_at: Option<String>,
}

#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AllocationView {
    pub candidate: String,
    #[schema(value_type = i64)]
    pub cents: Cents,
    pub election: String,
    /// 0 for the first (or only) installment, then one per month.
    pub period: i32,
}

#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CandidateTotalView {
    pub candidate: String,
    pub name: String,
    pub cents: i64,
    pub contributions: i64,
}

#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CompactVersionView {
    pub version: i32,
    pub hash: String,
}

/// What one event did: used by tests, logs and benchmarks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Settlement {
    pub unlocked: u64,
    pub allocated_cents: i64,
    pub unallocated_cents: i64,
    pub expired: u64,
    pub installments: u64,
}

/// How a money pledge's payment stands, in the API's answers.
#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PaymentView {
    /// "stripe" or "pledge_only".
    pub gateway: String,
    /// `pledge_only`, `setup_pending` (the gateway could not be reached yet),
    /// `card_needed`, `card_saved`, `charging`, `paid`, `declined`,
    /// `action_required`, `failed` or `nothing_due`.
    pub state: String,
    /// For Stripe.js `confirmCardSetup`: saves the card, charges nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setup_client_secret: Option<String>,
    /// For Stripe.js `handleCardAction` while the bank wants authentication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_client_secret: Option<String>,
    /// Collected so far.
    #[schema(value_type = i64)]
    pub charged_cents: Cents,
    /// While a payment is declined or awaits authentication: the window's end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// Why an unlocked installment is not charged yet (a candidate's
    /// committee is not on record: a conduit must know where money goes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting_for: Option<String>,
    pub installments: Vec<PaymentInstallmentView>,
}

#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PaymentInstallmentView {
    pub period: i32,
    #[schema(value_type = i64)]
    pub amount_cents: Cents,
    pub state: String,
}
