//! Payments on the web: the payment provider's webhook, and the pledger's
//! "fix your payment" page. Each handler calls one engine use case.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use cohort_engine::{Engine, EngineError, PaymentView, PledgeView};
use serde::Deserialize;

use crate::card::{CardForm, Mode};
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery};
use crate::pages::PageError;
use crate::session::{CsrfForm, Viewer};
use crate::CardConfig;

pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/webhooks/stripe", post(stripe_webhook))
        .route("/pledges/{id}/payment", get(payment_page))
        .route("/pledges/{id}/payment/retry", post(retry))
}

/// `POST /webhooks/stripe`: 200 once the event is recorded (or was already);
/// 400 for a missing, bad or stale signature or an unreadable event, with
/// nothing written; 404 when no webhook secret is configured.
async fn stripe_webhook(
    State(engine): State<Engine>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    match engine.payment_webhook(&body, signature).await {
        Ok(new) => Ok(Json(serde_json::json!({ "received": true, "new": new })).into_response()),
        Err(EngineError::Invalid { field, message }) => {
            Err(ApiError::new(StatusCode::BAD_REQUEST, "bad_webhook", message).with_field(field))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct TokenQuery {
    #[serde(default)]
    token: String,
}

#[derive(Template)]
#[template(path = "payment.html")]
struct PaymentPage {
    card: Option<CardForm>,
    csrf: String,
    id: i64,
    token: String,
    slate: String,
    status: String,
    amount: String,
    charged: String,
    pay: PaymentView,
    pledge_only: bool,
}

impl PaymentPage {
    /// The end of the fix window as people read it ("December 1, 2026 12:00 UTC").
    fn fix_by(&self) -> Option<String> {
        let by = self.pay.fix_by.as_deref()?;
        Some(match chrono::DateTime::parse_from_rfc3339(by) {
            Ok(t) => t
                .with_timezone(&chrono::Utc)
                .format("%B %-d, %Y %H:%M UTC")
                .to_string(),
            Err(_) => by.to_owned(),
        })
    }

    /// The payment's state in words.
    fn state_label(&self) -> &'static str {
        match self.pay.state.as_str() {
            "pledge_only" => "Pledges only: nothing is collected",
            "setup_pending" => "Setting up: the card form will be ready shortly",
            "card_needed" => "No card saved yet",
            "card_saved" => "Card saved; nothing charged yet",
            "charging" => "Being charged now",
            "paid" => "Paid",
            "declined" => "Declined",
            "action_required" => "Waiting for your bank's confirmation",
            "failed" => "Failed: the payment window closed and the pledge with it",
            "nothing_due" => "Nothing due: no share could be allocated",
            _ => "Unknown",
        }
    }
}

async fn payment_page(
    State(engine): State<Engine>,
    viewer: Viewer,
    Extension(config): Extension<CardConfig>,
    ApiPath(id): ApiPath<i64>,
    Query(q): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let view = engine.pledge_view(id, &q.token).await?;
    let view = engine.with_payment(view).await;
    let amount = view.amount_cents.unwrap_or_default().to_string();
    let pay = view.payment.clone().ok_or_else(|| {
        PageError(ApiError::not_found(
            "This pledge has no payment: it is not a money pledge.",
        ))
    })?;
    let card = CardForm::for_view(&config, &view, &q.token);
    Ok(crate::card::render(
        card.as_ref().and_then(CardForm::csp),
        &PaymentPage {
            card,
            csrf: viewer.csrf,
            id,
            token: q.token,
            slate: view.slate,
            status: view.status.as_str().to_owned(),
            amount,
            charged: pay.charged_cents.to_string(),
            pledge_only: !engine.collects_payments(),
            pay,
        },
    ))
}

#[derive(Debug, Deserialize)]
struct RetryForm {
    token: String,
}

async fn retry(
    State(engine): State<Engine>,
    ApiPath(id): ApiPath<i64>,
    CsrfForm(form): CsrfForm<RetryForm>,
) -> Result<Response, PageError> {
    engine.retry_payment(id, &form.token).await?;
    Ok(Redirect::to(&format!(
        "/pledges/{id}/payment?token={}",
        crate::app::urlencode(&form.token)
    ))
    .into_response())
}

/// `POST /api/pledges/{id}/payment-method?token=RECEIPT`: a new SetupIntent to
/// save a different card after a decline; the answer is the pledge with its
/// `payment.setup_client_secret`.
#[utoipa::path(post, path = "/api/pledges/{id}/payment-method", tag = "payments", params(("id" = i64, Path, description = "The id"), ("token" = String, Query, description = "The pledge's receipt token")), responses((status = 200, description = "The pledge with `payment.setup_client_secret`", body = cohort_engine::PledgeView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security((), ("bearer" = [])))]
pub(crate) async fn new_card(
    State(engine): State<Engine>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<TokenQuery>,
) -> Result<Json<PledgeView>, ApiError> {
    if q.token.is_empty() {
        return Err(ApiError::unauthorized(
            "add the pledge's receipt token: ?token=RECEIPT",
        ));
    }
    Ok(Json(engine.new_card(id, &q.token).await?))
}
