//! Staging one pledge of a batch (checked against its slate, allocated), and the donor's receipt email.

use super::*;

impl Engine {
    /// Validate and write one pledge of a batch. Store errors abort the batch;
    /// any other error answers only this request.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn stage(
        &self,
        tx: &mut dyn Tx,
        job: &Job,
        slates: &mut HashMap<String, Option<BatchSlate>>,
        keys: &HashMap<&str, Vec<&str>>,
        ids: &mut IdBlock,
        kept: bool,
        at: DateTime<Utc>,
    ) -> Result<Staged> {
        if !slates.contains_key(&job.slate) {
            let (base, locked) = match self.kept_slate_base(&job.slate).filter(|_| kept) {
                Some(base) => (Some(base), false),
                None => (self.lock_slate_base(tx, &job.slate).await?, true),
            };
            let loaded = base.map(|base| BatchSlate {
                base,
                locked,
                pledges: Vec::new(),
                conditions: HashMap::new(),
                created: Vec::new(),
                delta: PotDelta::default(),
                donors: HashMap::new(),
                people: Vec::new(),
                receipts: Vec::new(),
                events: Vec::new(),
                known_keys: None,
                batch_keys: HashMap::new(),
                links: Vec::new(),
            });
            slates.insert(job.slate.clone(), loaded);
        }
        let Some(Some(b)) = slates.get_mut(&job.slate) else {
            return Err(EngineError::not_found("slate", job.slate.clone()));
        };
        let hash = job.request.request_hash.clone();
        let slate_id = b.base.row.id;
        let key = job.key.as_ref().map(|k| format!("{slate_id}:{k}"));
        if let Some(key) = &key {
            // The batch's keys for this slate are looked up together, once.
            if b.known_keys.is_none() {
                let all: Vec<String> = keys
                    .get(job.slate.as_str())
                    .into_iter()
                    .flatten()
                    .map(|k| format!("{slate_id}:{k}"))
                    .collect();
                let found = tx.pledges_by_idempotency_keys(&all).await?;
                b.known_keys = Some(found.into_iter().map(|(k, _, _)| k).collect());
            }
            if let Some((id, first)) = b.batch_keys.get(key) {
                if *first != hash {
                    return Err(key_reused());
                }
                return Ok(Staged::Repeat { id: *id, hash });
            }
            if b.known_keys.as_ref().is_some_and(|k| k.contains(key)) {
                if let Some(existing) = tx.pledge_by_idempotency_key(key).await? {
                    return replay(tx, &self.keys, existing, &hash)
                        .await
                        .map(|o| Staged::Done(Box::new(o)));
                }
            }
        }
        let slate = &b.base.row;
        let mut v = validate(
            &job.request,
            slate,
            &b.base.roster.candidates,
            at.date_naive(),
        )?;
        if let Some(event_id) = job.request.joint_event {
            // The event's status is read under the slate's lock, as its own
            // use cases read it (see `joint_events::lock_event`).
            if !b.locked {
                return Ok(Staged::Stale);
            }
            v.candidates = Some(fundraiser_hosts(tx, slate, event_id, &job.request).await?);
        }
        let canonical = v.condition.canonical();
        let condition_id = match b.conditions.get(&canonical) {
            Some(id) => *id,
            None => {
                let id = match b.base.by_text.get(&canonical) {
                    Some(&i) => b.base.conditions[i].id,
                    // A new condition moves the slate's version: not before it is locked.
                    None if !b.locked => return Ok(Staged::Stale),
                    None => {
                        let id = tx.condition_id(slate.id, &v.condition).await?;
                        b.created.push(ConditionRow {
                            id,
                            reads: v.condition.reads(),
                            condition: v.condition.clone(),
                        });
                        id
                    }
                };
                b.conditions.insert(canonical, id);
                id
            }
        };
        // Under an Idempotency-Key the token is derived (key ring, key and
        // body), so a replay answers it again though only its hash is stored.
        let receipt = match &key {
            Some(k) => self.keys.idempotent_receipt(k, &hash),
            None => self.tokens.token(),
        };
        let new = NewPledge {
            slate_id: b.base.row.id,
            kind: v.kind.clone(),
            condition_id,
            candidates: v.candidates,
            deadline: v.deadline,
            email: v.email.clone(),
            donor: v.donor,
            ref_code: v.ref_code,
            // Only its SHA-256 is stored (issue 14): the database alone opens nothing.
            receipt_token: token_hash(&receipt),
            idempotency_key: key,
            request_hash: hash,
            created_at: at,
        };
        // Every new pledge goes in with its slate's one write, under an id
        // given now (its receipt, event and email name it); a joint
        // fundraiser's link to its event is written after that write.
        let id = ids.next(tx, &self.intake).await?;
        if let Some(event_id) = job.request.joint_event {
            b.links.push((id, event_id));
        }
        if let Some(k) = &new.idempotency_key {
            b.batch_keys
                .insert(k.clone(), (id, new.request_hash.clone()));
        }
        // The pledger joins the slate's people list (OSDI, CSV) in the same
        // transaction: one upsert, after the pot's write.
        b.people
            .push((new.email.clone(), crate::osdi::pledger_fields(&new.donor)));
        b.delta.pending_cents += v.kind.money().get();
        b.delta.hours_per_week_pending += i64::from(v.kind.hours_per_week());
        *b.donors.entry(v.email.clone()).or_default() += 1;
        let commitment = crate::log::receipt_commitment(id, &receipt);
        let payload = serde_json::json!({ "pledge": id, "kind": v.kind.kind_str(), "receipt_commitment": commitment });
        b.events.push(payload.to_string());
        let mut receipt_email =
            self.pledge_receipt(&b.base.row, id, &new, &receipt, &v.condition, job.imported);
        receipt_email.0.held = !job.requested;
        b.receipts.push(receipt_email);
        let row = PledgeRow {
            id,
            slate_id: new.slate_id,
            kind: new.kind.clone(),
            condition_id,
            condition: v.condition,
            candidates: new.candidates.clone(),
            deadline: new.deadline,
            email: new.email.clone(),
            donor: new.donor.clone(),
            ref_code: new.ref_code.clone(),
            status: PledgeStatus::Pending,
            receipt_token: new.receipt_token.clone(),
            idempotency_key: new.idempotency_key.clone(),
            request_hash: new.request_hash.clone(),
            created_at: at,
            unlocked_at: None,
            stopped_at: None,
        };
        b.pledges.push((id, new));
        Ok(Staged::Created {
            row: Box::new(row),
            token: receipt,
        })
    }

    /// The receipt a new pledge's donor gets: what they pledged, what must
    /// happen by when, that nothing is charged otherwise, and their private link.
    fn pledge_receipt(
        &self,
        slate: &SlateRow,
        id: Id,
        p: &NewPledge,
        token: &str,
        condition: &Condition,
        imported: bool,
    ) -> (cohort_store::NewEmail, String) {
        let terms = if matches!(p.kind, PledgeKind::Money { .. }) {
            // A conditional earmark: the three statements of FEC AO 2019-01.
            conditional_disclosure(&condition.to_english(), p.deadline, true).join("\n")
        } else {
            format!(
                "It unlocks only when {} — something the candidates do, not something Cohort decides.\n\
                 It must happen by {}. If it has not happened by then, the pledge expires and nobody will ask for your time.",
                condition.to_english(),
                p.deadline.format("%B %-d, %Y"),
            )
        };
        let entered = if imported {
            format!(
                "An organizer of \"{}\" entered this pledge from a pledge card or list you gave them. \
                 If you did not make it, cancel it at the link below: nothing is ever charged while it is locked.\n\n",
                slate.name
            )
        } else {
            String::new()
        };
        let body = format!(
            "Hello,\n\n{entered}Thank you. Your pledge #{id} of {what} to the slate \"{slate}\" is saved and locked.\n\
             Name given on the pledge: \"{name}\".\n\n\
             {terms}\n\n\
             See, or cancel while it is still locked, at your private link (keep it to yourself):\n{base}/pledges/{id}?token={token}\n{invite}",
            invite = match p.kind {
                PledgeKind::Hours { .. } => {
                    format!("\n{}", crate::volunteer_invite::invitation(self.public_url()))
                }
                _ => String::new(),
            },
            name = p.donor.name,
            what = p.kind.describe(),
            slate = slate.name,
            base = self.public_url(),
        );
        self.compose(
            p.email.clone(),
            &format!("Your pledge to {}", slate.name),
            body,
            true,
        )
    }
}
