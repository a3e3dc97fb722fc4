//! The OpenAPI 3.1 document of the JSON API, served at `/api/openapi.json`.
//!
//! Generated from the code: each API handler carries `#[utoipa::path]` and
//! each wire type derives `utoipa::ToSchema`, so the document moves with the
//! routes and types. `crates/web/tests/http/openapi.rs` fails when a route under
//! `/api` is missing here, and `crates/web/tests/http/schemathesis.rs` checks the
//! live server against the document.

use axum::routing::get;
use axum::{Json, Router};
use cohort_engine::Engine;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Cohort",
        description = "Conditional, pooled pledges for slates of candidates. Errors are `{\"error\": {\"code\", \"message\", \"field\"?}}`; see API.md.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later")
    ),
    paths(
        openapi_json,
        crate::api::create_slate,
        crate::people_import::api_import,
        crate::people_import::api_export,
        crate::people_import::api_attendees,
        crate::pledge_import::api_import,
        crate::api::list_slates,
        crate::api::slate,
        crate::api::update_slate,
        crate::api::add_candidate,
        crate::api::publish_compact,
        crate::api::sign,
        crate::api::withdraw,
        crate::api::endorse,
        crate::api::unendorse,
        crate::api::pledge,
        crate::api::allocations,
        crate::api::set_limits,
        crate::api::events,
        crate::api::pledge_view,
        crate::api::cancel_pledge,
        crate::payments::new_card,
        crate::committees::list,
        crate::committees::set,
        crate::books::api_books,
        crate::books::api_conduit,
        crate::books::api_forward,
        crate::books::api_refund,
        crate::books::api_batch_file,
        crate::books::api_report_file,
        crate::primaries::api_record_loss,
        crate::primaries::api_choices,
        crate::primaries::api_choose,
        crate::primaries::api_choices_csv,
        crate::joint_events::propose,
        crate::joint_events::list_public,
        crate::joint_events::one,
        crate::joint_events::change,
        crate::joint_events::confirm,
        crate::joint_events::decline,
        crate::joint_events::rsvp,
        crate::joint_events::rsvp_list,
        crate::joint_events::held,
        crate::governing::set_member_id,
        crate::governing::add_platform_vote,
        crate::governing::list_platform_votes,
        crate::governing::api_cohesion,
        crate::governing::api_targets,
        crate::scorecard::scorecard_json,
        crate::congress::api_chamber,
        crate::congress::api_power,
        crate::pledge_form::condition_preview,
        crate::pledge_form::preview,
    ),
    components(schemas(crate::error::Body)),
    modifiers(&BearerTokens)
)]
struct ApiDoc;

/// `Authorization: Bearer TOKEN`: an organizer's API token, or a
/// candidate's; without it the caller is the public.
struct BearerTokens;

impl Modify for BearerTokens {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A Cohort API token (`cohort token create`): an organizer's or a candidate's",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// `GET /api/openapi.json` (under the `/api` nest).
pub(crate) fn routes() -> Router<Engine> {
    Router::new().route("/openapi.json", get(openapi_json))
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "openapi",
    responses((status = 200, description = "This OpenAPI 3.1 document", body = serde_json::Value)),
    security(()))]
async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
