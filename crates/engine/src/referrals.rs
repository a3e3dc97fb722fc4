//! Who brought whom (issue 16, defect 10): a supporter's own referral code
//! for the link they share after pledging, and what each partner
//! organization's link has brought, for the slate's organizers.

use cohort_store::Referrals;

use crate::auth::Actor;
use crate::dashboards::PartnerView;
use crate::pledges::{owned_pledge, Owner};
use crate::slates::find_slate;
use crate::{Engine, Result};

impl Engine {
    /// The referral code of the supporter who made pledge `id` (opened by
    /// its receipt token): one per email address, so every pledge they make
    /// shares the same link.
    pub async fn share_code(&self, id: i64, token: &str) -> Result<String> {
        let mut tx = self.store.read().await?;
        let row = owned_pledge(tx.as_mut(), id, Owner::Receipt(token, &self.keys)).await?;
        Ok(self.keys.referral_code(row.email.as_str()))
    }

    /// Each partner organization of a slate with what its link has brought
    /// (live pledges, people, money, hours a week), organizers only.
    pub async fn partner_totals(
        &self,
        actor: &Actor,
        slate: &str,
    ) -> Result<Vec<(PartnerView, Referrals)>> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        let mut out = Vec::new();
        for p in tx.partners(s.id).await? {
            let totals = tx.referrals(s.id, &p.code).await?;
            out.push((PartnerView::from(p), totals));
        }
        Ok(out)
    }
}
