//! Donor details and the committees on record (the conduit's and each candidate's).

use super::*;

impl Engine {
    /// The donor details a pledge carries, for its owner (the best-efforts form).
    pub async fn donor_details(&self, pledge_id: Id, token: &str) -> Result<Donor> {
        let mut tx = self.store.read().await?;
        Ok(
            crate::pledges::owned_receipt(tx.as_mut(), &self.keys, pledge_id, token)
                .await?
                .donor,
        )
    }

    /// Complete the donor details of a pledge (the best-efforts link):
    /// employer, occupation and mailing address, checked like the pledge form.
    pub async fn complete_donor(
        &self,
        pledge_id: Id,
        token: &str,
        input: crate::DonorAsSent,
    ) -> Result<Donor> {
        let mut tx = self.store.write().await?;
        let row = crate::pledges::owned_receipt(tx.as_mut(), &self.keys, pledge_id, token).await?;
        // The email and the attestation stay as pledged; the name too unless given.
        let mut input = input;
        input.email = row.email.as_str().to_owned();
        input.attests_eligible = row.donor.attests_eligible;
        if input.name.trim().is_empty() {
            input.name = row.donor.name.clone();
        }
        let (_, donor) = crate::pledges::check_donor(&input, true)?;
        tx.set_pledge_donor(row.id, &donor).await?;
        tx.commit().await?;
        Ok(donor)
    }

    pub(crate) fn require_conduit_operator(&self, actor: &Actor) -> Result<()> {
        actor
            .require_global_organizer()
            .map_err(|e| match e {
                EngineError::Forbidden(_) => EngineError::Forbidden(
                    "only an organizer of every slate (the conduit's operator) may see or change the books"
                        .into(),
                ),
                e => e,
            })
    }

    pub(super) async fn conduit(&self, tx: &mut dyn Tx) -> Result<Option<Committee>> {
        tx.setting(CONDUIT)
            .await?
            .map(|v| {
                serde_json::from_str::<Committee>(&v).map_err(|e| {
                    EngineError::Store(StoreError::Corrupt {
                        table: "settings",
                        detail: format!("conduit: {e}"),
                    })
                })
            })
            .transpose()
    }

    /// Record (or correct) the conduit's own committee: Cohort as a PAC.
    pub async fn set_conduit(
        &self,
        actor: &Actor,
        input: CommitteeInput,
    ) -> Result<CommitteeInput> {
        self.require_conduit_operator(actor)?;
        let record = conduit_record(&input)?;
        let mut tx = self.store.write().await?;
        let body = serde_json::to_string(&record).map_err(|e| corrupt(e.to_string()))?;
        tx.set_setting(CONDUIT, &body, self.now()).await?;
        tx.commit().await?;
        Ok(view_of(&record))
    }

    /// Every federal committee on record, by FEC id.
    pub(super) async fn committees_on_record(
        &self,
        tx: &mut dyn Tx,
    ) -> Result<BTreeMap<CommitteeId, (Committee, String)>> {
        let mut out = BTreeMap::new();
        for s in tx.slates().await? {
            let rows = tx.committees(s.id).await?;
            for c in tx.candidates(s.id).await? {
                if let Some(r) = rows
                    .iter()
                    .find(|r| r.candidate_id == c.id)
                    .and_then(|r| committee_record(&c, r))
                {
                    out.insert(r.id.clone(), (r, c.name.clone()));
                }
            }
        }
        Ok(out)
    }

    /// The people and committees the ledger names, for the reports.
    pub(super) async fn directory(&self, tx: &mut dyn Tx, ledger: &Ledger) -> Result<Directory> {
        let committees = self.committees_on_record(tx).await?;
        let mut contributors = BTreeMap::new();
        for e in ledger.earmarks() {
            if contributors.contains_key(&e.contributor) {
                continue;
            }
            let Ok(email) = Email::parse(&e.contributor.0) else {
                continue;
            };
            let pledges = tx.pledges_by_email(&email).await?;
            if let Some(c) = best_donor(&pledges).and_then(|p| contributor(&email, &p.donor)) {
                contributors.insert(e.contributor.clone(), c);
            }
        }
        Ok(Directory::new(
            committees.into_values().map(|(c, _)| c),
            contributors.into_values(),
        ))
    }
}
