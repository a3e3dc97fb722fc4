//! The pledger's view of their pledges (by receipt or by account), and who owns a pledge.

use super::*;

impl Engine {
    /// A pledge as its pledger sees it, with the receipt token as proof.
    pub async fn pledge_view(&self, id: Id, token: &str) -> Result<PledgeView> {
        let mut tx = self.store.read().await?;
        Ok(self.receipt_view_in(tx.as_mut(), id, token).await?.2)
    }

    /// Pledge `id` opened with its receipt token: its row, its slate and
    /// the view its pledger sees (without the payment, which may call the gateway).
    pub(crate) async fn receipt_view_in(
        &self,
        tx: &mut dyn Tx,
        id: Id,
        token: &str,
    ) -> Result<(PledgeRow, SlateRow, PledgeView)> {
        let row = owned_pledge(tx, id, Owner::Receipt(token, &self.keys)).await?;
        let slate = tx
            .slate(row.slate_id)
            .await?
            .ok_or_else(|| EngineError::not_found("slate", row.slate_id.to_string()))?;
        let mut view = pledge_view(tx, &slate, &row).await?;
        view.needs_volunteer_profile = matches!(row.kind, PledgeKind::Hours { .. })
            && !crate::volunteer_invite::has_volunteer_profile(tx, &row.email).await?;
        Ok((row, slate, view))
    }

    /// A signed-in supporter's pledges (made with their account's email), newest first.
    pub async fn my_pledges(&self, account: &Account) -> Result<Vec<PledgeView>> {
        let mut tx = self.store.read().await?;
        let rows = tx.pledges_by_email(&account.user.email).await?;
        let mut slates: HashMap<Id, (SlateRow, Vec<CandidateRow>)> = HashMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let (slate, candidates) = match slates.entry(row.slate_id) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    let slate = tx
                        .slate(row.slate_id)
                        .await?
                        .ok_or_else(|| EngineError::not_found("slate", row.slate_id.to_string()))?;
                    let candidates = tx.candidates(slate.id).await?;
                    e.insert((slate, candidates))
                }
            };
            let installments = tx.installments(row.id).await?;
            let mut view = render_pledge(slate, candidates, &row, &installments);
            view.receipt_token = Some(self.receipt_link_token(&row));
            out.push(view);
        }
        Ok(out)
    }
}

/// How a pledger proves a pledge is theirs.
pub(crate) enum Owner<'a> {
    /// The receipt token from the pledge's answer and email (or one derived
    /// under the key ring, in a later email).
    Receipt(&'a str, &'a Keyring),
    /// A signed-in account with the pledge's email (accounts prove their email).
    Account(&'a Account),
}

/// The pledge whose receipt token this is (or not found, never "forbidden").
pub(crate) async fn owned_receipt(
    tx: &mut dyn Tx,
    keys: &Keyring,
    id: Id,
    token: &str,
) -> Result<PledgeRow> {
    owned_pledge(tx, id, Owner::Receipt(token, keys)).await
}

pub(crate) async fn owned_pledge(tx: &mut dyn Tx, id: Id, owner: Owner<'_>) -> Result<PledgeRow> {
    let row = tx.pledge(id).await?;
    let theirs = |r: &PledgeRow| match owner {
        Owner::Receipt(token, keys) => keys.receipt_matches(r.id, &r.receipt_token, token),
        Owner::Account(a) => r.email == a.user.email,
    };
    match row {
        Some(r) if theirs(&r) => Ok(r),
        // The same answer whether the pledge is missing or the token is wrong,
        // so pledge ids can't be probed.
        _ => Err(EngineError::not_found("pledge", id.to_string())),
    }
}

/// The answer to a known Idempotency-Key with another body.
pub(super) fn key_reused() -> EngineError {
    EngineError::conflict(
        "idempotency_key_reused",
        "this Idempotency-Key was already used with a different request body",
    )
}

pub(super) async fn replay(
    tx: &mut dyn Tx,
    keys: &Keyring,
    existing: PledgeRow,
    hash: &str,
) -> Result<PledgeOutcome> {
    if existing.request_hash != hash {
        return Err(key_reused());
    }
    let slate = tx
        .slate(existing.slate_id)
        .await?
        .ok_or_else(|| EngineError::not_found("slate", existing.slate_id.to_string()))?;
    let mut view = pledge_view(tx, &slate, &existing).await?;
    // The token itself is not stored: a replay derives it again (or, after
    // the key that made it was dropped, answers another that opens the pledge).
    let again = existing
        .idempotency_key
        .as_deref()
        .and_then(|k| keys.idempotent_receipt_again(k, hash, &existing.receipt_token));
    view.receipt_token =
        Some(again.unwrap_or_else(|| keys.receipt_token(existing.id, &existing.receipt_token)));
    Ok(PledgeOutcome {
        pledge: view,
        created: false,
    })
}

async fn pledge_view(tx: &mut dyn Tx, slate: &SlateRow, row: &PledgeRow) -> Result<PledgeView> {
    let candidates = tx.candidates(slate.id).await?;
    let installments = tx.installments(row.id).await?;
    let mut view = render_pledge(slate, &candidates, row, &installments);
    let secs = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    view.pauses = tx
        .pauses(row.id)
        .await?
        .into_iter()
        .map(|p| crate::views::PauseView {
            paused_at: secs(p.paused_at),
            reason: p.reason,
            resumed_at: p.resumed_at.map(secs),
        })
        .collect();
    Ok(view)
}

/// A pledge as its pledger sees it, from what is already loaded.
pub(super) fn render_pledge(
    slate: &SlateRow,
    candidates: &[CandidateRow],
    row: &PledgeRow,
    installments: &[cohort_store::Installment],
) -> PledgeView {
    let slug = |id: Id| {
        candidates
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.slug.to_string())
            .unwrap_or_else(|| format!("#{id}"))
    };
    let allocations = installments
        .iter()
        .flat_map(|i| {
            i.allocations.iter().map(|a| AllocationView {
                candidate: slug(a.candidate_id),
                cents: a.cents,
                election: a.election.as_str().to_owned(),
                period: i.period,
            })
        })
        .collect();
    let (amount_cents, recurring, hours_per_week, weeks, skills, actions) = match &row.kind {
        PledgeKind::Money { amount, recurring } => {
            (Some(*amount), Some(*recurring), None, None, None, None)
        }
        PledgeKind::Hours {
            hours_per_week,
            weeks,
            skills,
        } => (
            None,
            None,
            Some(*hours_per_week),
            Some(*weeks),
            Some(skills.clone()),
            None,
        ),
        PledgeKind::Actions(a) => (None, None, None, None, None, Some(*a)),
    };
    PledgeView {
        id: row.id,
        slate: slate.slug.to_string(),
        kind: row.kind.clone(),
        status: row.status,
        amount_cents,
        recurring,
        hours_per_week,
        weeks,
        skills,
        actions,
        condition: row.condition.canonical(),
        condition_text: row.condition.to_english(),
        candidates: row
            .candidates
            .as_ref()
            .map(|ids| ids.iter().map(|id| slug(*id)).collect()),
        deadline: row.deadline.to_string(),
        ref_code: row.ref_code.clone(),
        created_at: row
            .created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        unlocked_at: row
            .unlocked_at
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        stopped_at: row
            .stopped_at
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        receipt_token: None,
        allocations,
        unallocated_cents: installments.iter().map(|i| i.unallocated).sum(),
        payment: None,
        pauses: Vec::new(),
        needs_volunteer_profile: false,
    }
}
