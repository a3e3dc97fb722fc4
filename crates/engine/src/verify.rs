//! `cohort verify`: every invariant, checked on a live database.

use std::collections::HashMap;

use cohort_store::Violation;

use crate::{Engine, Result};

impl Engine {
    /// Conservation per installment, allocations only on unlocked pledges,
    /// one-off pledges unlocked once, pots that match their pledges (all in
    /// SQL, in the store), and no donor over any contribution limit (here,
    /// with each slate's limit table).
    pub async fn verify(&self) -> Result<Vec<Violation>> {
        let mut tx = self.store.read().await?;
        let mut out = tx.check_invariants().await?;
        for slate in tx.slates().await? {
            let candidates: HashMap<_, _> = tx
                .candidates(slate.id)
                .await?
                .into_iter()
                .map(|c| (c.id, c))
                .collect();
            // Limits are per candidate: what the donor gave the same FEC
            // candidate through another slate counts too.
            let mut given: std::collections::BTreeMap<_, cohort_store::GivenRow> =
                std::collections::BTreeMap::new();
            for g in tx
                .given(slate.id)
                .await?
                .into_iter()
                .chain(tx.given_elsewhere(slate.id).await?)
            {
                let key = (
                    g.email.as_str().to_owned(),
                    g.candidate_id,
                    g.election.as_str(),
                );
                match given.get_mut(&key) {
                    Some(sum) => sum.cents += g.cents,
                    None => {
                        given.insert(key, g);
                    }
                }
            }
            for g in given.into_values() {
                let Some(c) = candidates.get(&g.candidate_id) else {
                    out.push(Violation {
                        rule: "allocations stay in the slate",
                        detail: format!(
                            "{} was allocated to unknown candidate {}",
                            g.email, g.candidate_id
                        ),
                    });
                    continue;
                };
                if let Some(limit) = slate.limits.limit(c.race.office, slate.cycle) {
                    if g.cents > limit {
                        out.push(Violation {
                            rule: "contribution limit",
                            detail: format!(
                                "{} gave {} {} for the {} election, over the {} limit",
                                g.email,
                                c.slug,
                                g.cents,
                                g.election.as_str(),
                                limit
                            ),
                        });
                    }
                }
            }
        }
        let ledger = crate::books::load_books(tx.as_mut()).await?;
        for detail in self.books_problems(tx.as_mut(), &ledger).await? {
            out.push(Violation {
                rule: "the books",
                detail,
            });
        }
        out.extend(crate::log::log_problems(tx.as_mut()).await?);
        Ok(out)
    }
}
