//! The treasurer's views, and the inputs the books pages send.

use super::*;

/// The conduit's books as its operator sees them.
#[derive(utoipa::ToSchema, Clone, Debug, Serialize)]
pub struct BooksView {
    pub as_of: NaiveDate,
    /// The conduit's own committee record, once set.
    pub conduit: Option<CommitteeInput>,
    /// Money the conduit holds; always equal to what it owes.
    pub cash_cents: i64,
    pub received_cents: i64,
    pub forwarded_cents: i64,
    pub refunded_cents: i64,
    pub receipts: usize,
    /// What each committee is owed, soonest deadline first.
    pub due: Vec<DueView>,
    pub batches: Vec<BatchView>,
    /// Committees on record that reports can be made for.
    pub committees: Vec<CommitteeRef>,
    /// What `cohort verify` would say of the books; empty when clean.
    pub problems: Vec<String>,
}

#[derive(utoipa::ToSchema, Clone, Debug, Serialize)]
pub struct DueView {
    pub committee_id: String,
    pub committee: String,
    pub held_cents: i64,
    pub payable_cents: i64,
    pub receipts: usize,
    pub oldest_received: NaiveDate,
    pub forward_by: NaiveDate,
    pub overdue: bool,
    /// Each receipt held for this committee, soonest deadline first (what a
    /// refund names).
    pub items: Vec<DueItemView>,
}

#[derive(utoipa::ToSchema, Clone, Debug, Serialize)]
pub struct DueItemView {
    pub receipt: String,
    pub received_on: NaiveDate,
    pub forward_by: NaiveDate,
    pub held_cents: i64,
}

#[derive(utoipa::ToSchema, Clone, Debug, Serialize)]
pub struct BatchView {
    pub id: String,
    pub committee_id: String,
    pub committee: String,
    pub sent_on: NaiveDate,
    pub total_cents: i64,
    pub receipts: usize,
}

#[derive(utoipa::ToSchema, Clone, Debug, Serialize)]
pub struct CommitteeRef {
    pub id: String,
    pub name: String,
    pub candidate: String,
}

/// Money the operator returns to a donor from one earmarked contribution.
#[derive(utoipa::ToSchema, Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundAsk {
    /// The books' receipt, `P{pledge}-{period}`.
    pub receipt: String,
    /// The committee's FEC id the money was earmarked for.
    pub committee: String,
    pub amount_cents: i64,
    /// `cancelled`, `payment_failed`, `rejected` or `excess`.
    pub reason: String,
}

#[derive(utoipa::ToSchema, Clone, Debug, Serialize)]
pub struct RefundView {
    pub receipt: String,
    pub committee: String,
    pub amount_cents: i64,
    pub reason: String,
    pub refunded_on: NaiveDate,
    /// The payment provider's refund id.
    pub refund_id: String,
}

/// A refund reason by its name in the books (`excess`, `rejected`,
/// `cancelled`, `payment_failed`).
pub(super) fn refund_reason(s: &str) -> Result<RefundReason> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| {
        EngineError::invalid(
            "reason",
            format!(
                "{s:?} is not a refund reason: use cancelled, payment_failed, rejected or excess"
            ),
        )
    })
}

/// `P12-0` → pledge 12, installment 0.
pub(crate) fn parse_receipt(s: &str) -> Result<(Id, i32)> {
    s.strip_prefix('P')
        .and_then(|r| r.split_once('-'))
        .and_then(|(p, n)| Some((p.parse().ok()?, n.parse().ok()?)))
        .ok_or_else(|| {
            EngineError::invalid("receipt", format!("{s:?} is not a receipt id like P12-0"))
        })
}

pub(crate) fn committee_id(s: &str) -> Result<CommitteeId> {
    s.parse().map_err(|e: cohort_books::records::RecordError| {
        EngineError::invalid("committee", e.to_string())
    })
}

/// Which filing to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filing {
    /// Cohort's own Form 3X: earmarked receipts and conduit earmark outs.
    Conduit,
    /// One recipient committee's Form 3 lines, with the conduit memo lines.
    Recipient(String),
}

/// A report's period as the operator asks for it.
#[derive(Clone, Debug)]
pub struct PeriodInput {
    pub from: NaiveDate,
    pub through: NaiveDate,
    /// FEC report code (`Q1`, `YE`, `12G`…); `Q` + quarter by default.
    pub report_code: Option<String>,
}

/// The conduit's record as its form edits it.
pub(super) fn view_of(c: &Committee) -> CommitteeInput {
    let a = c.address.clone();
    CommitteeInput {
        name: c.name.clone(),
        fec_committee_id: c.id.to_string(),
        fec_candidate_id: String::new(),
        treasurer_first: c.treasurer.first.clone(),
        treasurer_last: c.treasurer.last.clone(),
        street1: a.street1,
        street2: a.street2.unwrap_or_default(),
        city: a.city,
        state: a.state,
        zip: a.zip,
    }
}
