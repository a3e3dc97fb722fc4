//! The JSON API (see API.md). Each handler only translates HTTP to one engine
//! use case and back.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use cohort_core::limits::LimitEntry;
use cohort_engine::{
    CandidateInput, CandidateTotalView, CandidateView, CompactInput, CompactVersionView, Engine,
    EngineError, PledgeRequest, PledgeView, SlateEdit, SlateInput, SlateView,
};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery, IdempotencyKey, TokenAuth};
use crate::pledge_input::PledgeInput;

pub(crate) type ApiResult<T> = Result<T, ApiError>;

/// The routes under `/api`.
pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/slates", post(create_slate).get(list_slates))
        .route("/slates/{slug}", get(slate).patch(update_slate))
        .route("/slates/{slug}/candidates", post(add_candidate))
        .route("/slates/{slug}/compact", post(publish_compact))
        .route("/slates/{slug}/signatures", post(sign))
        .route("/slates/{slug}/signatures/{candidate}", delete(withdraw))
        .route("/slates/{slug}/endorsements", post(endorse))
        .route("/slates/{slug}/endorsements/{from}/{to}", delete(unendorse))
        .route("/slates/{slug}/pledges", post(pledge))
        .route("/slates/{slug}/allocations", get(allocations))
        .route("/slates/{slug}/limits", put(set_limits))
        .route("/slates/{slug}/events", get(events))
        .route("/pledges/{id}", get(pledge_view).delete(cancel_pledge))
        .route(
            "/pledges/{id}/payment-method",
            post(crate::payments::new_card),
        )
        .fallback(|| async { ApiError::from_status(StatusCode::NOT_FOUND) })
}

fn created<T: Serialize>(body: T) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}

#[utoipa::path(post, path = "/api/slates", tag = "api", request_body = cohort_engine::SlateInput, responses((status = 201, description = "The new slate", body = cohort_engine::SlateView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn create_slate(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiJson(input): ApiJson<SlateInput>,
) -> ApiResult<Response> {
    Ok(created(engine.create_slate(&actor, input).await?))
}

#[utoipa::path(patch, path = "/api/slates/{slug}", tag = "api", params(("slug" = String, Path, description = "The slate's slug")), request_body = cohort_engine::SlateEdit, responses((status = 200, description = "The slate after the change", body = cohort_engine::SlateView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn update_slate(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath(slug): ApiPath<String>,
    ApiJson(input): ApiJson<SlateEdit>,
) -> ApiResult<Json<SlateView>> {
    Ok(Json(engine.update_slate(&actor, &slug, input).await?))
}

#[utoipa::path(get, path = "/api/slates", tag = "api", responses((status = 200, description = "Every slate", body = Vec<cohort_engine::SlateView>), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security((), ("bearer" = [])))]
async fn list_slates(State(engine): State<Engine>) -> ApiResult<Json<Vec<SlateView>>> {
    Ok(Json(engine.slates().await?))
}

#[utoipa::path(get, path = "/api/slates/{slug}", tag = "api", params(("slug" = String, Path, description = "The slate's slug")), responses((status = 200, description = "The slate", body = cohort_engine::SlateView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security((), ("bearer" = [])))]
async fn slate(
    State(engine): State<Engine>,
    ApiPath(slug): ApiPath<String>,
) -> ApiResult<Json<SlateView>> {
    Ok(Json(engine.slate_view(&slug).await?))
}

#[utoipa::path(post, path = "/api/slates/{slug}/candidates", tag = "api", params(("slug" = String, Path, description = "The slate's slug")), request_body = cohort_engine::CandidateInput, responses((status = 201, description = "The new candidate", body = cohort_engine::CandidateView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn add_candidate(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath(slug): ApiPath<String>,
    ApiJson(input): ApiJson<CandidateInput>,
) -> ApiResult<Response> {
    let view: CandidateView = engine.add_candidate(&actor, &slug, input).await?;
    Ok(created(view))
}

#[utoipa::path(post, path = "/api/slates/{slug}/compact", tag = "api", params(("slug" = String, Path, description = "The slate's slug")), request_body = cohort_engine::CompactInput, responses((status = 201, description = "The published version", body = cohort_engine::CompactVersionView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn publish_compact(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath(slug): ApiPath<String>,
    ApiJson(input): ApiJson<CompactInput>,
) -> ApiResult<Response> {
    let view: CompactVersionView = engine.publish_compact(&actor, &slug, input).await?;
    Ok(created(view))
}

#[derive(utoipa::ToSchema, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignInput {
    candidate: String,
    version: i32,
}

/// The answer to a signature: what was signed, and how many pledges it unlocked.
#[derive(utoipa::ToSchema, Debug, Serialize)]
struct Signed {
    candidate: String,
    version: i32,
    unlocked: u64,
}

#[utoipa::path(post, path = "/api/slates/{slug}/signatures", tag = "api", params(("slug" = String, Path, description = "The slate's slug")), request_body = SignInput, responses((status = 201, description = "Signed, and how many pledges that unlocked", body = Signed), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn sign(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath(slug): ApiPath<String>,
    ApiJson(input): ApiJson<SignInput>,
) -> ApiResult<Response> {
    let settled = engine
        .sign(&actor, &slug, &input.candidate, input.version)
        .await?;
    Ok(created(Signed {
        candidate: input.candidate,
        version: input.version,
        unlocked: settled.unlocked,
    }))
}

#[utoipa::path(delete, path = "/api/slates/{slug}/signatures/{candidate}", tag = "api", params(("slug" = String, Path, description = "The slate's slug"), ("candidate" = String, Path, description = "The candidate's slug")), responses((status = 204, description = "Withdrawn"), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn withdraw(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath((slug, candidate)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    engine.withdraw(&actor, &slug, &candidate).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(utoipa::ToSchema, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EndorseInput {
    from: String,
    to: String,
}

#[derive(utoipa::ToSchema, Debug, Serialize)]
struct Endorsed {
    from: String,
    to: String,
    unlocked: u64,
}

#[utoipa::path(post, path = "/api/slates/{slug}/endorsements", tag = "api", params(("slug" = String, Path, description = "The slate's slug")), request_body = EndorseInput, responses((status = 201, description = "Endorsed, and how many pledges that unlocked", body = Endorsed), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn endorse(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath(slug): ApiPath<String>,
    ApiJson(input): ApiJson<EndorseInput>,
) -> ApiResult<Response> {
    let settled = engine
        .endorse(&actor, &slug, &input.from, &input.to)
        .await?;
    Ok(created(Endorsed {
        from: input.from,
        to: input.to,
        unlocked: settled.unlocked,
    }))
}

#[utoipa::path(delete, path = "/api/slates/{slug}/endorsements/{from}/{to}", tag = "api", params(("slug" = String, Path, description = "The slate's slug"), ("from" = String, Path, description = "The endorsing candidate"), ("to" = String, Path, description = "The endorsed candidate")), responses((status = 204, description = "Withdrawn"), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn unendorse(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath((slug, from, to)): ApiPath<(String, String, String)>,
) -> ApiResult<StatusCode> {
    engine.unendorse(&actor, &slug, &from, &to).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 201 for a new pledge, 200 for an idempotent replay of one.
/// Anonymous: limited per address and per client before the engine is
/// called (`intake_limits.rs`), answered 429 with when to retry.
#[utoipa::path(post, path = "/api/slates/{slug}/pledges", tag = "api", params(("slug" = String, Path, description = "The slate's slug"), ("Idempotency-Key" = Option<String>, Header, description = "Replays answer the first pledge")), request_body = crate::pledge_input::PledgeInput, responses((status = 201, description = "The new pledge", body = cohort_engine::PledgeView), (status = 200, description = "A replay of the pledge with this Idempotency-Key", body = cohort_engine::PledgeView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security((), ("bearer" = [])))]
async fn pledge(
    State(engine): State<Engine>,
    gate: crate::intake_limits::PledgeGate,
    ApiPath(slug): ApiPath<String>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(input): ApiJson<PledgeInput>,
) -> Result<(StatusCode, Json<PledgeView>), Response> {
    gate.check(&input.donor.email)
        .map_err(IntoResponse::into_response)?;
    let refused = |e: EngineError| ApiError::from(e).into_response();
    let request = PledgeRequest::try_from(input).map_err(refused)?;
    // One call: the pledge, and (after its commit) how its money is collected.
    let outcome = engine
        .pledge(&slug, request, key.as_deref())
        .await
        .map_err(refused)?;
    let status = if outcome.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(outcome.pledge)))
}

#[derive(Debug, Deserialize)]
struct ReceiptQuery {
    token: Option<String>,
}

impl ReceiptQuery {
    fn token(&self) -> ApiResult<&str> {
        self.token
            .as_deref()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::unauthorized("add the pledge's receipt token: ?token=RECEIPT"))
    }
}

#[utoipa::path(get, path = "/api/pledges/{id}", tag = "api", params(("id" = i64, Path, description = "The id"), ("token" = String, Query, description = "The pledge's receipt token")), responses((status = 200, description = "The pledge, with its payment and its place in the transparency log", body = cohort_engine::PledgeView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security((), ("bearer" = [])))]
async fn pledge_view(
    State(engine): State<Engine>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ReceiptQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let receipt = engine.receipt(id, q.token()?).await?;
    let mut json = serde_json::to_value(receipt.pledge).map_err(|_| ApiError::internal())?;
    // Where its receipt commitment is in the transparency log (issue 18).
    if let Some(place) = receipt.log {
        json["log"] = serde_json::to_value(place).map_err(|_| ApiError::internal())?;
    }
    Ok(Json(json))
}

#[utoipa::path(delete, path = "/api/pledges/{id}", tag = "api", params(("id" = i64, Path, description = "The id"), ("token" = String, Query, description = "The pledge's receipt token")), responses((status = 204, description = "Cancelled"), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security((), ("bearer" = [])))]
async fn cancel_pledge(
    State(engine): State<Engine>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ReceiptQuery>,
) -> ApiResult<StatusCode> {
    engine.cancel(id, q.token()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/slates/{slug}/allocations", tag = "api", params(("slug" = String, Path, description = "The slate's slug")), responses((status = 200, description = "Each candidate's total", body = Vec<cohort_engine::CandidateTotalView>), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn allocations(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath(slug): ApiPath<String>,
) -> ApiResult<Json<Vec<CandidateTotalView>>> {
    Ok(Json(engine.allocations(&actor, &slug).await?))
}

/// `PUT /api/slates/{slug}/limits` (organizer): `[{"office", "cycle",
/// "limit_cents": 350000 | null}]` → the slate's overrides after the change.
#[utoipa::path(put, path = "/api/slates/{slug}/limits", tag = "api", params(("slug" = String, Path, description = "The slate's slug")), request_body = Vec<cohort_core::limits::LimitEntry>, responses((status = 200, description = "The slate's overrides after the change", body = Vec<cohort_core::limits::LimitEntry>), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn set_limits(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath(slug): ApiPath<String>,
    ApiJson(entries): ApiJson<Vec<LimitEntry>>,
) -> ApiResult<Json<Vec<LimitEntry>>> {
    Ok(Json(engine.set_limits(&actor, &slug, entries).await?))
}

#[derive(Debug, Deserialize)]
struct EventsQuery {
    #[serde(default)]
    after: i64,
    limit: Option<i64>,
}

/// One entry of a slate's public, append-only log.
#[derive(utoipa::ToSchema, Debug, Serialize)]
struct EventView {
    seq: i64,
    kind: String,
    at: String,
    data: serde_json::Value,
}

const EVENTS_PAGE: i64 = 1_000;

/// `GET /api/slates/{slug}/events?after=N&limit=M`: the public log, oldest first.
#[utoipa::path(get, path = "/api/slates/{slug}/events", tag = "api", params(("slug" = String, Path, description = "The slate's slug"), ("after" = Option<i64>, Query, description = "Entries after this sequence number"), ("limit" = Option<i64>, Query, description = "At most this many, 1 to 1000")), responses((status = 200, description = "The public log, oldest first", body = Vec<EventView>), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security((), ("bearer" = [])))]
async fn events(
    State(engine): State<Engine>,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> ApiResult<Json<Vec<EventView>>> {
    let limit = q.limit.unwrap_or(EVENTS_PAGE);
    if !(1..=EVENTS_PAGE).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!("must be between 1 and {EVENTS_PAGE}"),
        ));
    }
    let rows = engine.events(&slug, q.after, limit).await?;
    Ok(Json(
        rows.into_iter()
            .map(|e| EventView {
                seq: e.seq,
                kind: e.kind.as_str().to_owned(),
                at: e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                data: serde_json::from_str(&e.payload)
                    .unwrap_or(serde_json::Value::String(e.payload)),
            })
            .collect(),
    ))
}
