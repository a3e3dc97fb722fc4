//! What the signed-in pages need beyond the public views: a person's roles,
//! previews for the pledge form, what changed between compact versions, and
//! the exports a treasurer works from. Every method checks the actor's role.

use cohort_core::model::{CompactContent, PledgeKind, PledgeStatus, Recurrence};
use cohort_core::unlock::{allocate, ContributionsToDate, MoneyToSplit};
use cohort_core::SlateEventKind;
use cohort_core::{Cents, Condition};
use cohort_store::{PartnerRow, PledgeRow, Referrals, Role};
use serde::Serialize;

use crate::auth::{Account, Actor};
use crate::commitments::find_candidate;
use crate::settle::SlateState;
use crate::slates::{find_slate, text};
use crate::views::CompactView;
use crate::{Engine, EngineError, Result};

/// One role a person holds, with names to show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoleView {
    pub role: Role,
    /// `None` for an organizer of every slate.
    pub slate: Option<String>,
    pub slate_name: Option<String>,
    pub candidate: Option<String>,
    pub candidate_name: Option<String>,
    /// The partner organization's referral code, for a partner admin.
    pub partner: Option<String>,
}

/// A partner organization as the public sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartnerView {
    pub code: String,
    pub name: String,
    pub endorsement: String,
}

impl From<PartnerRow> for PartnerView {
    fn from(p: PartnerRow) -> Self {
        PartnerView {
            code: p.code,
            name: p.name,
            endorsement: p.endorsement,
        }
    }
}

/// The pledge form's live preview.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Preview {
    /// The condition in plain English, when it parses.
    pub condition_text: Option<String>,
    /// What is wrong with the condition, with its column.
    pub condition_error: Option<String>,
    /// What is wrong with the amount.
    pub amount_error: Option<String>,
    /// How the amount would split across today's signers (or the chosen candidates).
    pub split: Vec<SplitLine>,
    /// What no signer could take (their contribution limits), never charged.
    pub unallocated_cents: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SplitLine {
    pub candidate: String,
    pub name: String,
    pub cents: i64,
}

/// What changed in the compact since a version someone saw.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CompactChanges {
    pub since: Option<i32>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

/// One allocation with what a campaign's treasurer needs about its donor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AllocationExport {
    pub pledge: i64,
    pub period: i32,
    pub unlocked_at: String,
    pub candidate: String,
    pub candidate_name: String,
    pub election: String,
    pub cents: i64,
    pub donor_name: String,
    pub email: String,
    pub address: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub employer: String,
    pub occupation: String,
}

/// Pledgers a partner's link must have brought before its own admins see
/// money and hours (the slate's organizers always do).
pub const PARTNER_AMOUNTS_FROM: i64 = 5;

/// What a partner's link has brought, as a viewer may see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartnerCounts {
    /// Money and hours are zero when not [`PartnerCounts::amounts_shown`].
    pub counts: Referrals,
    pub amounts_shown: bool,
}

impl Engine {
    /// The roles an account holds, by slate.
    pub async fn roles(&self, account: &Account) -> Result<Vec<RoleView>> {
        let mut tx = self.store.read().await?;
        let mut out = Vec::new();
        for g in &account.grants {
            let (mut slate, mut slate_name, mut candidate, mut candidate_name) =
                (None, None, None, None);
            let mut partner = None;
            if let Some(id) = g.slate_id {
                let Some(s) = tx.slate(id).await? else {
                    continue;
                };
                if g.role == Role::Partner {
                    partner = tx
                        .partners(s.id)
                        .await?
                        .into_iter()
                        .find(|p| Some(p.id) == g.candidate_id)
                        .map(|p| p.code);
                } else if let Some(cid) = g.candidate_id {
                    if let Some(c) = tx.candidates(s.id).await?.into_iter().find(|c| c.id == cid) {
                        candidate = Some(c.slug.to_string());
                        candidate_name = Some(c.name);
                    }
                }
                slate = Some(s.slug.to_string());
                slate_name = Some(s.name);
            }
            out.push(RoleView {
                role: g.role,
                slate,
                slate_name,
                candidate,
                candidate_name,
                partner,
            });
        }
        Ok(out)
    }

    /// Add a partner organization with its public endorsement and referral code (organizers).
    pub async fn add_partner(
        &self,
        actor: &Actor,
        slate: &str,
        code: &str,
        name: &str,
        endorsement: &str,
    ) -> Result<PartnerView> {
        let code = code.trim().to_lowercase();
        if code.is_empty()
            || code.len() > 64
            || !code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(EngineError::invalid(
                "code",
                "must be 1 to 64 letters, digits, hyphens or underscores",
            ));
        }
        let name = text("name", name, 200, true)?;
        let endorsement = text("endorsement", endorsement, 2000, false)?;
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        if tx.partners(s.id).await?.iter().any(|p| p.code == code) {
            return Err(EngineError::conflict(
                "partner_exists",
                format!("{slate} already has a partner with the code {code:?}"),
            ));
        }
        let row = tx
            .insert_partner(
                &PartnerRow {
                    id: 0,
                    slate_id: s.id,
                    code,
                    name,
                    endorsement,
                },
                self.now(),
            )
            .await?;
        let payload = serde_json::json!({ "partner": row.code, "name": row.name });
        tx.append_event(
            s.id,
            SlateEventKind::PartnerAdded,
            &payload.to_string(),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(row.into())
    }

    /// A slate's partner organizations (public).
    pub async fn partners(&self, slate: &str) -> Result<Vec<PartnerView>> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        Ok(tx
            .partners(s.id)
            .await?
            .into_iter()
            .map(PartnerView::from)
            .collect())
    }

    /// One partner organization, with its referral counts for its own admins
    /// and the slate's organizers (counts and totals: never names). A
    /// partner's own admins see money and hours only from
    /// [`PARTNER_AMOUNTS_FROM`] pledgers on: below that a total is a
    /// handful of people's amounts, and the partner knows whom it sent the
    /// link to.
    pub async fn partner(
        &self,
        actor: &Actor,
        slate: &str,
        code: &str,
    ) -> Result<(PartnerView, Option<PartnerCounts>)> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        let p = tx
            .partners(s.id)
            .await?
            .into_iter()
            .find(|p| p.code == code)
            .ok_or_else(|| EngineError::not_found("partner", code))?;
        let admin = actor.grants().iter().any(|g| {
            g.role == Role::Partner && g.slate_id == Some(s.id) && g.candidate_id == Some(p.id)
        });
        let counts = if admin || actor.organizes(s.id) {
            let mut counts = tx.referrals(s.id, &p.code).await?;
            let amounts_shown = actor.organizes(s.id) || counts.pledgers >= PARTNER_AMOUNTS_FROM;
            if !amounts_shown {
                counts.cents = 0;
                counts.hours_per_week = 0;
            }
            Some(PartnerCounts {
                counts,
                amounts_shown,
            })
        } else {
            None
        };
        Ok((p.into(), counts))
    }

    /// Preview a pledge: the condition (the slate's when empty) in English or
    /// its error, and how `amount` would split at today's signers.
    pub async fn preview(&self, slate: &str, condition: &str, amount: &str) -> Result<Preview> {
        let mut tx = self.store.read().await?;
        let row = find_slate(tx.as_mut(), slate).await?;
        let today = self.today();
        let state = SlateState::load(tx.as_mut(), &row, today).await?;
        let mut p = Preview::default();
        if condition.trim().is_empty() {
            p.condition_text = Some(row.condition.to_english());
        } else {
            match Condition::parse(condition) {
                Ok(c) => p.condition_text = Some(c.to_english()),
                Err(e) => p.condition_error = Some(e.to_string()),
            }
        }
        if amount.trim().is_empty() {
            return Ok(p);
        }
        match amount.parse::<Cents>() {
            Err(e) => p.amount_error = Some(e.to_string()),
            Ok(cents) => {
                // The unlock's own allocation (limits included), for a donor
                // who has given nothing yet.
                let a = allocate(
                    &MoneyToSplit {
                        donor: "",
                        amount: cents,
                        chosen: None,
                    },
                    &state.payees(),
                    &mut ContributionsToDate::new(),
                    &row.limits,
                    row.cycle,
                    today,
                );
                p.split = a
                    .shares
                    .iter()
                    .filter_map(|share| {
                        let c = state
                            .roster
                            .candidates
                            .iter()
                            .find(|c| c.id == share.candidate_id)?;
                        Some(SplitLine {
                            candidate: c.slug.to_string(),
                            name: c.name.clone(),
                            cents: share.cents.get(),
                        })
                    })
                    .collect();
                p.unallocated_cents = a.unallocated.get();
            }
        }
        Ok(p)
    }

    /// One version of a slate's compact (public).
    pub async fn compact_version(&self, slate: &str, version: i32) -> Result<Option<CompactView>> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        Ok(tx
            .compact_version(s.id, version)
            .await?
            .map(|c| CompactView {
                version: c.version,
                hash: c.hash,
                commitments: c.content.commitments,
                planks: c.content.planks,
                measures: c.content.measures,
            }))
    }

    /// Note that a signed-in account is looking at compact `version` of a
    /// slate, and return the version it had seen before this one (None on a
    /// first look, or for a token). Reloading keeps returning the same
    /// earlier version, so "what changed" stays on the page until a newer
    /// version is published. Writes only when the account sees a new version.
    pub async fn saw_compact(
        &self,
        actor: &Actor,
        slate: &str,
        version: i32,
    ) -> Result<Option<i32>> {
        let Some(account) = actor.account() else {
            return Ok(None);
        };
        let user = account.user.id;
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        let seen = tx.compact_seen(user, s.id).await?;
        drop(tx);
        let before = match seen {
            Some((seen, before)) if seen >= version => return Ok(before.filter(|b| *b < version)),
            Some((seen, _)) => Some(seen),
            None => None,
        };
        let mut tx = self.store.write().await?;
        tx.set_compact_seen(user, s.id, version, before).await?;
        tx.commit().await?;
        Ok(before)
    }

    /// Commitments and planks added or removed between version `since` and `latest`.
    pub async fn compact_changes(
        &self,
        slate: &str,
        since: Option<i32>,
        latest: &CompactView,
    ) -> Result<CompactChanges> {
        let old = match since {
            Some(v) if v != latest.version => self.compact_version(slate, v).await?,
            _ => None,
        };
        let Some(old) = old else {
            return Ok(CompactChanges {
                since,
                ..CompactChanges::default()
            });
        };
        let lines = |c: &CompactView| -> Vec<String> {
            let content = CompactContent {
                commitments: c.commitments.clone(),
                planks: c.planks.clone(),
                measures: Vec::new(),
            };
            content
                .commitments
                .iter()
                .map(|x| format!("Commitment: {x}"))
                .chain(
                    content
                        .planks
                        .iter()
                        .map(|p| format!("Plank: {} — {}", p.title, p.why)),
                )
                .collect()
        };
        let (before, after) = (lines(&old), lines(latest));
        Ok(CompactChanges {
            since,
            added: after
                .iter()
                .filter(|l| !before.contains(l))
                .cloned()
                .collect(),
            removed: before
                .iter()
                .filter(|l| !after.contains(l))
                .cloned()
                .collect(),
        })
    }

    /// Allocations with donor details: every candidate's for an organizer,
    /// only its own for a campaign account (a campaign sees its contributors
    /// only once their money is allocated to it).
    pub async fn export_allocations(
        &self,
        actor: &Actor,
        slate: &str,
    ) -> Result<Vec<AllocationExport>> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        let only: Option<Vec<i64>> = if actor.organizes(s.id) {
            None
        } else {
            let mine = actor.campaigns(s.id);
            if mine.is_empty() {
                actor.require_organizer(&s)?;
            }
            Some(mine)
        };
        let candidates = tx.candidates(s.id).await?;
        let rows = tx.allocation_details(s.id).await?;
        Ok(rows
            .into_iter()
            .filter(|(a, _)| only.as_ref().is_none_or(|m| m.contains(&a.candidate_id)))
            .map(|(a, p)| {
                let c = candidates.iter().find(|c| c.id == a.candidate_id);
                AllocationExport {
                    pledge: p.id,
                    period: a.period,
                    unlocked_at: p.unlocked_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                    candidate: c.map(|c| c.slug.to_string()).unwrap_or_default(),
                    candidate_name: c.map(|c| c.name.clone()).unwrap_or_default(),
                    election: a.election.as_str().to_owned(),
                    cents: a.cents.get(),
                    donor_name: p.donor.name.clone(),
                    email: p.email.to_string(),
                    address: p.donor.address.clone(),
                    city: p.donor.city.clone(),
                    state: p.donor.state.clone(),
                    zip: p.donor.zip.clone(),
                    employer: p.donor.employer.clone(),
                    occupation: p.donor.occupation.clone(),
                }
            })
            .collect())
    }

    /// What has been allocated to one candidate: (cents, contributions).
    /// Only that candidate's campaign account (or an organizer) may ask.
    pub async fn campaign_totals(
        &self,
        actor: &Actor,
        slate: &str,
        candidate: &str,
    ) -> Result<(i64, i64)> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        let c = find_candidate(tx.as_mut(), &s, candidate).await?;
        if !actor.organizes(s.id) {
            actor.require_candidate(s.id, c.id, candidate)?;
        }
        Ok(tx
            .candidate_totals(s.id)
            .await?
            .into_iter()
            .find(|t| t.candidate_id == c.id)
            .map_or((0, 0), |t| (t.cents.get(), t.contributions)))
    }

    /// The candidates (slugs) of `slate` this account campaigns for.
    pub async fn my_campaigns(&self, actor: &Actor, slate: &str) -> Result<Vec<String>> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        let mine = actor.campaigns(s.id);
        Ok(tx
            .candidates(s.id)
            .await?
            .into_iter()
            .filter(|c| mine.contains(&c.id))
            .map(|c| c.slug.to_string())
            .collect())
    }

    /// The pot at the end of each day the tick has seen (organizers only).
    pub async fn pot_history(
        &self,
        actor: &Actor,
        slate: &str,
    ) -> Result<Vec<(chrono::NaiveDate, cohort_store::Pot)>> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        Ok(tx.pot_history(s.id).await?)
    }

    /// Every pledge of a slate with its donor (organizers only).
    pub async fn export_pledges(&self, actor: &Actor, slate: &str) -> Result<Vec<PledgeRow>> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        Ok(tx.slate_pledges(s.id).await?)
    }

    /// Who holds a role on a slate: (email, name, role, candidate slug).
    pub async fn members(
        &self,
        actor: &Actor,
        slate: &str,
    ) -> Result<Vec<(String, String, Role, Option<String>)>> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        let candidates = tx.candidates(s.id).await?;
        Ok(tx
            .slate_members(s.id)
            .await?
            .into_iter()
            .map(|(u, g)| {
                let c = g
                    .candidate_id
                    .and_then(|id| candidates.iter().find(|c| c.id == id))
                    .map(|c| c.slug.to_string());
                (u.email.to_string(), u.name, g.role, c)
            })
            .collect())
    }
}

/// Whether a pledge can still be cancelled by its pledger.
pub fn cancellable(status: PledgeStatus) -> bool {
    status == PledgeStatus::Pending
}

/// Whether its pledger can stop a pledge: an unlocked monthly money pledge.
pub fn stoppable(status: PledgeStatus, kind: &PledgeKind) -> bool {
    status == PledgeStatus::Unlocked
        && matches!(
            kind,
            PledgeKind::Money {
                recurring: Recurrence::Monthly,
                ..
            }
        )
}
