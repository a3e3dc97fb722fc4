//! Reports: a batch's CSV, contributions CSV and `.fec` filings.

use super::*;

impl Engine {
    /// The CSV that goes with a forwarding batch: a row per contribution.
    pub async fn batch_csv(&self, actor: &Actor, batch: &str) -> Result<(String, String)> {
        self.require_conduit_operator(actor)?;
        let mut tx = self.store.read().await?;
        let ledger = load_books(tx.as_mut()).await?;
        let found = tx
            .book_events()
            .await?
            .into_iter()
            .find(|e| e.key == format!("forward:{batch}"));
        let Some(found) = found else {
            return Err(EngineError::not_found("forwarding batch", batch));
        };
        let Event::Forward(b) =
            serde_json::from_str::<Event>(&found.body).map_err(|e| corrupt(e.to_string()))?
        else {
            return Err(corrupt(format!("{} is not a forwarding batch", found.key)));
        };
        let directory = self.directory(tx.as_mut(), &ledger).await?;
        let csv = actblue::batch_csv(&ledger, &directory, &b).map_err(report_error)?;
        Ok((format!("cohort-{}-{}.csv", b.committee, b.id), csv))
    }

    /// Every contribution earmarked for one committee in a period, as
    /// ActBlue's contribution export names its columns.
    pub async fn contributions_csv(
        &self,
        actor: &Actor,
        committee: &str,
        period: PeriodInput,
    ) -> Result<(String, String)> {
        self.require_conduit_operator(actor)?;
        let id = committee_id(committee)?;
        let mut tx = self.store.read().await?;
        let ledger = load_books(tx.as_mut()).await?;
        let directory = self.directory(tx.as_mut(), &ledger).await?;
        if !directory.committees.contains_key(&id) {
            return Err(EngineError::not_found("committee", committee));
        }
        let p = report_period(&period, period.from)?;
        let csv = actblue::contributions_csv(&ledger, &directory, &id, &p).map_err(report_error)?;
        Ok((
            format!("cohort-{id}-{}-{}.csv", period.from, period.through),
            csv,
        ))
    }

    /// An FEC electronic filing (`.fec`, format 8.4) for a period.
    pub async fn fec_filing(
        &self,
        actor: &Actor,
        filing: Filing,
        period: PeriodInput,
    ) -> Result<(String, String)> {
        self.require_conduit_operator(actor)?;
        let mut tx = self.store.read().await?;
        let ledger = load_books(tx.as_mut()).await?;
        let Some(conduit) = self.conduit(tx.as_mut()).await? else {
            return Err(EngineError::conflict(
                "no_conduit_record",
                "record the conduit's own committee (name, FEC id, treasurer, address) on the books page first",
            ));
        };
        let directory = self.directory(tx.as_mut(), &ledger).await?;
        let text = match &filing {
            Filing::Conduit => {
                // A PAC aggregates contributors by calendar year.
                let start =
                    NaiveDate::from_ymd_opt(period.through.year(), 1, 1).unwrap_or(period.from);
                let p = report_period(&period, start)?;
                fec::conduit_filing(&ledger, &conduit, &directory, &p)
                    .map_err(report_error)?
                    .into_string()
            }
            Filing::Recipient(committee) => {
                let id = committee_id(committee)?;
                let recipient = directory
                    .committees
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| EngineError::not_found("committee", committee.as_str()))?;
                // A candidate's committee aggregates over the election cycle:
                // from January 1 of the odd year before the election.
                let year = period.through.year();
                let start = NaiveDate::from_ymd_opt(year - (year % 2 == 0) as i32, 1, 1)
                    .unwrap_or(period.from);
                let p = report_period(&period, start.min(period.from))?;
                fec::recipient_filing(&ledger, &conduit, &recipient, &directory, &p, Cents::ZERO)
                    .map_err(report_error)?
                    .into_string()
            }
        };
        let who = match &filing {
            Filing::Conduit => conduit.id.to_string(),
            Filing::Recipient(c) => c.clone(),
        };
        Ok((
            format!("cohort-{who}-{}-{}.fec", period.from, period.through),
            text,
        ))
    }
}

fn report_period(p: &PeriodInput, aggregation_start: NaiveDate) -> Result<ReportPeriod> {
    if p.from > p.through {
        return Err(EngineError::invalid(
            "from",
            format!("the period runs backwards: {} to {}", p.from, p.through),
        ));
    }
    let code = p
        .report_code
        .clone()
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| format!("Q{}", (p.through.month() - 1) / 3 + 1));
    let period = ReportPeriod {
        report_code: code.trim().to_uppercase(),
        from: p.from,
        through: p.through,
        signed_on: p.through,
        aggregation_start: aggregation_start.min(p.from),
    };
    Ok(period)
}

fn report_error(e: cohort_books::report::ReportError) -> EngineError {
    use cohort_books::report::ReportError as R;
    match e {
        R::ReportCode(_) => EngineError::invalid("report_code", e.to_string()),
        R::PeriodReversed { .. } | R::AggregationAfterPeriod => {
            EngineError::invalid("from", e.to_string())
        }
        _ => EngineError::conflict("report_refused", e.to_string()),
    }
}
