//! A pledge's receipt as its holder sees it (`GET /api/pledges/{id}` and the
//! receipt page), in one call: the pledge with its payment, where its
//! receipt commitment sits in the transparency log, and the supporter's own
//! referral link.

use cohort_store::Id;

use crate::log::{place_of, receipt_commitment, LogPlace};
use crate::referrals::Share;
use crate::views::{PledgeView, SlateView};
use crate::{Engine, EngineError, Result};

/// What a pledge's receipt shows.
#[derive(Clone, Debug)]
pub struct Receipt {
    /// The pledge, with its payment (a money pledge gets its saved-card
    /// setup here if it has none yet; see [`Engine::with_payment`]).
    pub pledge: PledgeView,
    /// Where its receipt commitment is in the log; `None` until the
    /// sequencer has logged it.
    pub log: Option<LogPlace>,
    /// The supporter's own referral code and what it has brought.
    pub share: Share,
}

/// The receipt page: the [`Receipt`] and the slate it is pledged to.
#[derive(Clone, Debug)]
pub struct ReceiptPage {
    pub receipt: Receipt,
    pub slate: SlateView,
}

impl Engine {
    /// Pledge `id`'s receipt, for the holder of its receipt `token`
    /// (checked first, once).
    pub async fn receipt(&self, id: Id, token: &str) -> Result<Receipt> {
        Ok(self.receipt_with(id, token, false).await?.0)
    }

    /// [`Engine::receipt`] and the slate's public view, for the receipt page.
    pub async fn receipt_page(&self, id: Id, token: &str) -> Result<ReceiptPage> {
        let (receipt, slate) = self.receipt_with(id, token, true).await?;
        let slate = slate.ok_or_else(|| EngineError::not_found("slate", id.to_string()))?;
        Ok(ReceiptPage { receipt, slate })
    }

    async fn receipt_with(
        &self,
        id: Id,
        token: &str,
        with_slate: bool,
    ) -> Result<(Receipt, Option<SlateView>)> {
        let (view, log, share, slate) = {
            let mut tx = self.store.read().await?;
            let (row, slate_row, view) = self.receipt_view_in(tx.as_mut(), id, token).await?;
            let commitment = receipt_commitment(id, token);
            let log = match tx.log_leaf_by_commitment(&commitment).await? {
                Some(leaf) => Some(place_of(tx.as_mut(), leaf.idx as u64, Some(commitment)).await?),
                None => None,
            };
            let code = self.keys.referral_code(row.email.as_str());
            let brought = tx.referrals(row.slate_id, &code).await?;
            let share = Share {
                code,
                pledgers: brought.pledgers,
            };
            let slate = if with_slate {
                Some(self.slate_view_in(tx.as_mut(), &slate_row).await?)
            } else {
                None
            };
            (view, log, share, slate)
        };
        // After the read transaction: the payment may call the gateway.
        let pledge = self.with_payment(view).await;
        Ok((Receipt { pledge, log, share }, slate))
    }
}
