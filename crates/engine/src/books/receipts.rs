//! Booking money: earmarks before a charge, receipts and reversals, and the best-efforts ask.

use super::*;
use cohort_core::SlateEventKind;

impl Engine {
    /// The earmarks a charge of this installment would carry, one per
    /// committee; `Err(why)` when a candidate it pays has no federal
    /// committee on record yet (then nothing may be charged).
    pub(crate) async fn installment_earmarks(
        &self,
        tx: &mut dyn Tx,
        pledge: &PledgeRow,
        period: i32,
    ) -> Result<std::result::Result<Vec<EarmarkInput>, String>> {
        let installment = tx
            .installments(pledge.id)
            .await?
            .into_iter()
            .find(|i| i.period == period);
        let Some(installment) = installment else {
            return Ok(Err(format!(
                "pledge {} has no installment {period}",
                pledge.id
            )));
        };
        let candidates: HashMap<Id, _> = tx
            .candidates(pledge.slate_id)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let committees = tx.committees(pledge.slate_id).await?;
        let mut by_committee: BTreeMap<CommitteeId, EarmarkInput> = BTreeMap::new();
        for share in installment
            .allocations
            .iter()
            .filter(|s| s.cents > Cents::ZERO)
        {
            let Some(c) = candidates.get(&share.candidate_id) else {
                return Ok(Err(format!("unknown candidate {}", share.candidate_id)));
            };
            let record = committees
                .iter()
                .find(|r| r.candidate_id == c.id)
                .and_then(|r| committee_record(c, r));
            let Some(record) = record else {
                return Ok(Err(format!(
                    "{} has a federal committee on record (Cohort's books cover FEC-registered committees)",
                    c.name
                )));
            };
            let election = election_code(&c.race, share.election)?;
            let e = by_committee
                .entry(record.id.clone())
                .or_insert(EarmarkInput {
                    committee: record.id,
                    election,
                    amount: Cents::ZERO,
                });
            e.amount += share.cents;
        }
        Ok(Ok(by_committee.into_values().collect()))
    }

    /// Book the receipt of an installment whose charge succeeded, in the
    /// caller's transaction; nothing if it is already on the books.
    pub(crate) async fn book_receipt(
        &self,
        tx: &mut dyn Tx,
        pledge: &PledgeRow,
        period: i32,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if tx.has_book_event(&receive_key(pledge.id, period)).await? {
            return Ok(());
        }
        let earmarks = match self.installment_earmarks(tx, pledge, period).await? {
            Ok(e) if !e.is_empty() => e,
            Ok(_) => return Ok(()),
            Err(why) => {
                // The collector checks this before charging; `cohort verify`
                // names any succeeded payment that is not on the books.
                tracing::error!(
                    pledge = pledge.id,
                    period,
                    "a charge succeeded but cannot be booked: {why}"
                );
                return Ok(());
            }
        };
        let id = receipt_id(pledge.id, period);
        let on = at.date_naive();
        let receive = Event::Receive(ReceiptInput {
            id: id.clone(),
            contributor: contributor_id(&pledge.email),
            received_on: on,
            earmarks,
        });
        let clear = Event::Clear {
            receipt: id.clone(),
            on,
        };
        // Check the receipt against an empty ledger: its shape (positive
        // amounts, one line per committee) is all a receipt's validity needs.
        let mut probe = Ledger::new();
        for e in [&receive, &clear] {
            probe
                .apply(e.clone())
                .map_err(|err| corrupt(format!("receipt {id}: {err}")))?;
        }
        append(tx, &receive_key(pledge.id, period), &receive, at).await?;
        append(tx, &format!("clear:{id}"), &clear, at).await?;
        self.ask_best_efforts(tx, pledge, at).await
    }

    /// A charge the bank took back (a dispute), in the caller's transaction:
    /// what the conduit still holds of the receipt goes out as a
    /// `payment_failed` refund, committee by committee. What was already
    /// forwarded is no longer the conduit's: the event log says so (without
    /// amounts) and the server's log names the shortfall to recover from the
    /// committee.
    pub(crate) async fn book_reversal(
        &self,
        tx: &mut dyn Tx,
        pledge_id: Id,
        period: i32,
        amount: Cents,
        at: DateTime<Utc>,
    ) -> Result<()> {
        tx.lock_books().await?;
        let mut ledger = load_books(tx).await?;
        let receipt = receipt_id(pledge_id, period);
        let committees: Vec<CommitteeId> = ledger
            .earmarks()
            .filter(|e| e.receipt == receipt)
            .map(|e| e.committee.clone())
            .collect();
        let mut left = amount;
        for committee in committees {
            let (clearing, payable) = ledger.held(&receipt, &committee);
            let take = left.min(clearing + payable);
            if take <= Cents::ZERO {
                continue;
            }
            let n = refunds_of(&ledger, &receipt, &committee) + 1;
            let event = Event::Refund(RefundInput {
                receipt: receipt.clone(),
                committee: committee.clone(),
                amount: take,
                refunded_on: at.date_naive(),
                reason: RefundReason::PaymentFailed,
            });
            ledger
                .apply(event.clone())
                .map_err(|e| corrupt(format!("reversal of {receipt}: {e}")))?;
            append(tx, &format!("refund:{receipt}:{committee}:{n}"), &event, at).await?;
            left = left - take;
        }
        if let Some(p) = tx.pledge(pledge_id).await? {
            // Public, like `payment_failed`: no amounts.
            let payload = serde_json::json!({
                "pledge": pledge_id,
                "period": period,
                "all_held": left == Cents::ZERO,
            });
            tx.append_event(
                p.slate_id,
                SlateEventKind::PaymentReversed,
                &payload.to_string(),
                at,
            )
            .await?;
        }
        if left > Cents::ZERO {
            tracing::error!(
                pledge = pledge_id,
                period,
                "a reversed charge had {left} already forwarded: recover it from the committee"
            );
        }
        Ok(())
    }

    /// One email, once per donor and cycle, when they have given a candidate
    /// more than $200 and the reports lack their employer, occupation or address.
    async fn ask_best_efforts(
        &self,
        tx: &mut dyn Tx,
        pledge: &PledgeRow,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let missing = missing_details(&pledge.donor);
        if missing.is_empty() {
            return Ok(());
        }
        let over = tx
            .collected_from(&pledge.email)
            .await?
            .iter()
            .any(|(_, cents)| *cents > BEST_EFFORTS_OVER);
        if !over {
            return Ok(());
        }
        let Some(slate) = tx.slate(pledge.slate_id).await? else {
            return Ok(());
        };
        let mark = format!("best-efforts:{}:{}", pledge.email.as_str(), slate.cycle);
        if !tx.mark_once(&mark, at).await? {
            return Ok(());
        }
        let body = format!(
            "Thank you for your contributions through Cohort to the candidates of \"{name}\".\n\n\
             Federal law requires us to use our best efforts to collect and report the name, \
             mailing address, occupation and employer of each person whose contributions \
             aggregate more than $200 in an election cycle. We don't have your {missing}.\n\n\
             Please add it at your private link (keep it to yourself):\n\
             {base}/pledges/{id}/donor?token={token}\n\n\
             Your contributions are not affected either way.\n",
            name = slate.name,
            missing = missing.join(", "),
            base = self.public_url(),
            id = pledge.id,
            token = self.receipt_link_token(pledge),
        );
        self.queue_email(
            tx,
            pledge.email.clone(),
            "Your employer and occupation, for the FEC",
            body,
            true,
            at,
        )
        .await?;
        Ok(())
    }
}
