//! Who brought whom (issue 16, defect 10): a supporter's own referral code
//! for the link they share after pledging, and what each partner
//! organization's link has brought, for the slate's organizers.

use cohort_store::Referrals;

use crate::auth::Actor;
use crate::dashboards::PartnerView;
use crate::slates::find_slate;
use crate::{Engine, Result};

/// A supporter's own link: its code, and how many people (live pledges,
/// counted once per email) it has brought. A count only: who they are and
/// what they gave stay theirs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Share {
    pub code: String,
    pub pledgers: i64,
}

impl Engine {
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
