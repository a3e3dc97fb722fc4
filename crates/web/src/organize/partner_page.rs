//! A partner organization's public page: its endorsement and the link that
//! counts pledges for it; for its own admins and the slate's organizers,
//! what that link has brought (people, pledges, money, hours a week).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use cohort_core::Cents;
use cohort_engine::Engine;

use crate::extract::ApiPath;
use crate::pages::{html, PageError};
use crate::session::Viewer;

#[derive(Template)]
#[template(path = "partner.html")]
struct PartnerPage {
    slug: String,
    slate_name: String,
    partner: cohort_engine::dashboards::PartnerView,
    link: String,
    counts: Option<cohort_engine::dashboards::PartnerCounts>,
    amounts_from: i64,
}

impl PartnerPage {
    fn money(&self) -> String {
        Cents(self.counts.map_or(0, |c| c.counts.cents)).to_string()
    }
}

pub(crate) async fn partner_page(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath((slug, code)): ApiPath<(String, String)>,
) -> Result<Response, PageError> {
    let (partner, counts) = engine.partner(&viewer.actor, &slug, &code).await?;
    let slate = engine.slate_view(&slug).await?;
    Ok(html(
        StatusCode::OK,
        &PartnerPage {
            link: format!(
                "{}/slates/{slug}/pledge?ref={}",
                engine.public_url(),
                partner.code
            ),
            slug,
            slate_name: slate.name,
            partner,
            counts,
            amounts_from: cohort_engine::dashboards::PARTNER_AMOUNTS_FROM,
        },
    ))
}
