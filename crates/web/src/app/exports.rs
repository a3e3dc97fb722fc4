//! The organizer's CSV exports of a slate's allocations and pledges.

use super::*;

/// `/slates/{slug}/exports/allocations.csv` and `pledges.csv`.
pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route(
            "/slates/{slug}/exports/allocations.csv",
            get(export_allocations),
        )
        .route("/slates/{slug}/exports/pledges.csv", get(export_pledges))
}

pub(crate) async fn export_allocations(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
) -> Result<Response, PageError> {
    let rows = engine.export_allocations(&viewer.actor, &slug).await?;
    let body = csv(
        &[
            "pledge_id",
            "installment",
            "unlocked_at",
            "candidate",
            "candidate_name",
            "election",
            "amount",
            "donor_name",
            "donor_email",
            "address",
            "city",
            "state",
            "zip",
            "employer",
            "occupation",
        ],
        rows.into_iter().map(|r| {
            vec![
                r.pledge.to_string(),
                r.period.to_string(),
                r.unlocked_at,
                r.candidate,
                r.candidate_name,
                r.election,
                dollars(r.cents),
                r.donor_name,
                r.email,
                r.address,
                r.city,
                r.state,
                r.zip,
                r.employer,
                r.occupation,
            ]
        }),
    );
    Ok(csv_response(&format!("{slug}-allocations.csv"), body))
}

pub(crate) async fn export_pledges(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
) -> Result<Response, PageError> {
    let rows = engine.export_pledges(&viewer.actor, &slug).await?;
    let body = csv(
        &[
            "pledge_id",
            "created_at",
            "status",
            "kind",
            "amount",
            "recurring",
            "hours_per_week",
            "weeks",
            "doors",
            "calls",
            "texts",
            "condition",
            "deadline",
            "donor_name",
            "donor_email",
            "address",
            "city",
            "state",
            "zip",
            "employer",
            "occupation",
            "attests_eligible",
            "ref",
        ],
        rows.into_iter().map(|p| {
            use cohort_core::model::PledgeKind;
            let (amount, recurring, hours, weeks) = match &p.kind {
                PledgeKind::Money { amount, recurring } => (
                    dollars(amount.get()),
                    recurring.as_str().to_owned(),
                    String::new(),
                    String::new(),
                ),
                PledgeKind::Hours {
                    hours_per_week,
                    weeks,
                    ..
                } => (
                    String::new(),
                    String::new(),
                    hours_per_week.to_string(),
                    weeks.to_string(),
                ),
                PledgeKind::Actions(_) => Default::default(),
            };
            let [doors, calls, texts] = match &p.kind {
                PledgeKind::Actions(a) => [a.doors, a.calls, a.texts].map(|n| n.to_string()),
                _ => Default::default(),
            };
            vec![
                p.id.to_string(),
                p.created_at.to_rfc3339(),
                p.status.as_str().to_owned(),
                p.kind.kind_str().to_owned(),
                amount,
                recurring,
                hours,
                weeks,
                doors,
                calls,
                texts,
                p.condition.canonical(),
                p.deadline.to_string(),
                p.donor.name,
                p.email.to_string(),
                p.donor.address,
                p.donor.city,
                p.donor.state,
                p.donor.zip,
                p.donor.employer,
                p.donor.occupation,
                p.donor.attests_eligible.to_string(),
                p.ref_code.unwrap_or_default(),
            ]
        }),
    );
    Ok(csv_response(&format!("{slug}-pledges.csv"), body))
}
