//! The conduit's books on the web (issue 6): the operator's page (what is
//! held and due to forward, batches, reports, the conduit's own record), its
//! JSON twins under `/api/books`, and the donor's best-efforts form. Each
//! handler calls one engine use case.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::NaiveDate;
use cohort_core::Cents;
use cohort_engine::{
    Actor, BatchView, BooksView, CommitteeInput, DonorAsSent, Engine, EngineError, Filing,
    PeriodInput, RefundAsk, RefundView,
};
use serde::Deserialize;

use crate::api::ApiResult;
use crate::app::{
    after_form, csv_response, download, fixable, see_other, sign_in_first, urlencode,
};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery, TokenAuth};
use crate::pages::{html, PageError};
use crate::session::{CsrfForm, Viewer};

pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/books", get(page))
        .route("/books/conduit", post(save_conduit))
        .route("/books/forward", post(forward))
        .route("/books/refund", post(refund))
        .route("/books/batches/{id}", get(batch_file))
        .route("/books/report", get(report_file))
        .route("/pledges/{id}/donor", get(donor_page).post(save_donor))
}

pub(crate) fn api_routes() -> Router<Engine> {
    Router::new()
        .route("/books", get(api_books))
        .route("/books/conduit", put(api_conduit))
        .route("/books/forwards", post(api_forward))
        .route("/books/refunds", post(api_refund))
        .route("/books/batches/{id}", get(api_batch_file))
        .route("/books/report", get(api_report_file))
}

// --- JSON

#[utoipa::path(get, path = "/api/books", tag = "books", responses((status = 200, description = "The books", body = cohort_engine::books::BooksView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn api_books(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
) -> ApiResult<Json<BooksView>> {
    Ok(Json(engine.books(&actor).await?))
}

#[utoipa::path(put, path = "/api/books/conduit", tag = "books", request_body = cohort_engine::CommitteeInput, responses((status = 200, description = "The conduit", body = cohort_engine::CommitteeInput), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn api_conduit(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiJson(input): ApiJson<CommitteeInput>,
) -> ApiResult<Json<CommitteeInput>> {
    Ok(Json(engine.set_conduit(&actor, input).await?))
}

#[derive(utoipa::ToSchema, Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ForwardInput {
    committee: String,
}

#[utoipa::path(post, path = "/api/books/forwards", tag = "books", request_body = ForwardInput, responses((status = 201, description = "The batch", body = cohort_engine::books::BatchView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn api_forward(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiJson(input): ApiJson<ForwardInput>,
) -> ApiResult<(StatusCode, Json<BatchView>)> {
    Ok((
        StatusCode::CREATED,
        Json(engine.forward(&actor, &input.committee).await?),
    ))
}

#[utoipa::path(post, path = "/api/books/refunds", tag = "books", request_body = cohort_engine::books::RefundAsk, responses((status = 201, description = "The refund", body = cohort_engine::books::RefundView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn api_refund(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiJson(ask): ApiJson<RefundAsk>,
) -> ApiResult<(StatusCode, Json<RefundView>)> {
    Ok((StatusCode::CREATED, Json(engine.refund(&actor, ask).await?)))
}

#[utoipa::path(get, path = "/api/books/batches/{id}", tag = "books", params(("id" = String, Path, description = "The batch id")), responses((status = 200, description = "The batch as CSV", content_type = "text/csv", body = String), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn api_batch_file(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    Ok(batch(&engine, &actor, &id).await?)
}

#[utoipa::path(get, path = "/api/books/report", tag = "books", params(("committee" = String, Query, description = "conduit or an FEC committee id"), ("from" = String, Query, description = "First day, YYYY-MM-DD"), ("through" = String, Query, description = "Last day, YYYY-MM-DD"), ("format" = Option<String>, Query, description = "csv or fec"), ("report_code" = Option<String>, Query, description = "The FEC report code, e.g. Q1")), responses((status = 200, description = "The report file (CSV or .fec)", content_type = "text/csv", body = String), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn api_report_file(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Response> {
    report(&engine, &actor, q).await
}

// --- downloads, shared by the page and the API

async fn batch(engine: &Engine, actor: &Actor, id: &str) -> Result<Response, EngineError> {
    let id = id.strip_suffix(".csv").unwrap_or(id);
    let (name, csv) = engine.batch_csv(actor, id).await?;
    Ok(csv_response(&name, csv))
}

/// `?committee=conduit|C00123456&from=2028-01-01&through=2028-03-31&format=csv|fec[&report_code=Q1]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReportQuery {
    committee: String,
    from: String,
    through: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    report_code: String,
}

fn date(field: &str, value: &str) -> Result<NaiveDate, ApiError> {
    value
        .trim()
        .parse()
        .map_err(|_| ApiError::invalid(field, format!("{value:?} is not a date like 2028-03-31")))
}

async fn report(engine: &Engine, actor: &Actor, q: ReportQuery) -> Result<Response, ApiError> {
    let period = PeriodInput {
        from: date("from", &q.from)?,
        through: date("through", &q.through)?,
        report_code: Some(q.report_code).filter(|c| !c.trim().is_empty()),
    };
    let conduit = q.committee == "conduit";
    match q.format.as_str() {
        "fec" => {
            let filing = if conduit {
                Filing::Conduit
            } else {
                Filing::Recipient(q.committee)
            };
            let (name, text) = engine.fec_filing(actor, filing, period).await?;
            Ok(download(&name, "text/plain; charset=us-ascii", text))
        }
        "csv" | "" if !conduit => {
            let (name, csv) = engine
                .contributions_csv(actor, &q.committee, period)
                .await?;
            Ok(csv_response(&name, csv))
        }
        "csv" | "" => Err(ApiError::invalid(
            "committee",
            "the contributions CSV is per recipient committee: choose one (the conduit's own report is the .fec filing)",
        )),
        other => Err(ApiError::invalid(
            "format",
            format!("{other:?} is not a report format: use csv or fec"),
        )),
    }
}

// --- the operator's page

#[derive(Template)]
#[template(path = "books.html")]
struct BooksPage {
    csrf: String,
    books: BooksView,
    conduit: CommitteeInput,
    notice: Option<String>,
    problem: Option<String>,
    conduit_problem: Option<String>,
    /// The report form's default period: this quarter so far.
    from: String,
    through: String,
}

#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    forwarded: Option<String>,
    refunded: Option<String>,
    saved: Option<String>,
}

async fn render(
    engine: &Engine,
    viewer: &Viewer,
    notice: Option<String>,
    problem: Option<String>,
    refused_conduit: Option<(String, CommitteeInput)>,
) -> Result<Response, PageError> {
    let books = engine.books(&viewer.actor).await?;
    let mut conduit = books.conduit.clone().unwrap_or_default();
    let mut conduit_problem = None;
    let status = if problem.is_some() || refused_conduit.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    if let Some((why, typed)) = refused_conduit {
        // Show what was typed, so nothing has to be retyped.
        conduit = typed;
        conduit_problem = Some(why);
    }
    let today = books.as_of;
    let quarter_start = NaiveDate::from_ymd_opt(
        chrono::Datelike::year(&today),
        (chrono::Datelike::month0(&today) / 3) * 3 + 1,
        1,
    )
    .unwrap_or(today);
    Ok(html(
        status,
        &BooksPage {
            csrf: viewer.csrf.clone(),
            from: quarter_start.to_string(),
            through: today.to_string(),
            books,
            conduit,
            notice,
            problem,
            conduit_problem,
        },
    ))
}

async fn page(
    State(engine): State<Engine>,
    viewer: Viewer,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first("/books"));
    }
    let notice = match (q.forwarded, q.refunded, q.saved) {
        (Some(b), _, _) => Some(format!(
            "Forwarding batch {b} recorded. Download its CSV below and send it with the payment."
        )),
        (None, Some(r), _) => Some(format!(
            "Refunded {r}: the payment provider returned the money and the books record it."
        )),
        (None, None, Some(_)) => Some("The conduit's committee record is saved.".to_owned()),
        _ => None,
    };
    render(&engine, &viewer, notice, None, None).await
}

async fn save_conduit(
    State(engine): State<Engine>,
    viewer: Viewer,
    CsrfForm(input): CsrfForm<CommitteeInput>,
) -> Result<Response, PageError> {
    after_form(
        engine.set_conduit(&viewer.actor, input.clone()).await,
        "/books?saved=conduit",
        |why| render(&engine, &viewer, None, None, Some((why, input))),
    )
    .await
}

async fn forward(
    State(engine): State<Engine>,
    viewer: Viewer,
    CsrfForm(input): CsrfForm<ForwardInput>,
) -> Result<Response, PageError> {
    match engine.forward(&viewer.actor, &input.committee).await {
        Ok(b) => Ok(see_other(
            &format!("/books?forwarded={}", urlencode(&b.id)),
            None,
        )),
        Err(e) => {
            let why = fixable(e)?;
            render(&engine, &viewer, None, Some(why), None).await
        }
    }
}

/// The refund form: an amount in dollars, as a person types it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RefundForm {
    receipt: String,
    committee: String,
    amount: String,
    reason: String,
}

async fn refund(
    State(engine): State<Engine>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<RefundForm>,
) -> Result<Response, PageError> {
    let asked = match form.amount.parse::<Cents>() {
        Ok(amount) => {
            let ask = RefundAsk {
                receipt: form.receipt.trim().to_owned(),
                committee: form.committee,
                amount_cents: amount.get(),
                reason: form.reason,
            };
            engine.refund(&viewer.actor, ask).await
        }
        Err(e) => Err(EngineError::invalid("amount", e.to_string())),
    };
    match asked {
        Ok(r) => Ok(see_other(
            &format!(
                "/books?refunded={}",
                urlencode(&format!("{} of {}", Cents(r.amount_cents), r.receipt))
            ),
            None,
        )),
        Err(e) => {
            let why = fixable(e)?;
            render(&engine, &viewer, None, Some(why), None).await
        }
    }
}

async fn batch_file(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, PageError> {
    Ok(batch(&engine, &viewer.actor, &id).await?)
}

async fn report_file(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, PageError> {
    report(&engine, &viewer.actor, q).await.map_err(PageError)
}

// --- the donor's best-efforts form

#[derive(Template)]
#[template(path = "donor.html")]
struct DonorPage {
    csrf: String,
    id: i64,
    token: String,
    employer: String,
    occupation: String,
    address: String,
    city: String,
    state: String,
    zip: String,
    notice: Option<String>,
    problem: Option<String>,
}

/// The form's fields; the receipt token rides along.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DonorForm {
    token: String,
    #[serde(default)]
    employer: String,
    #[serde(default)]
    occupation: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    zip: String,
}

impl DonorForm {
    fn page(
        self,
        csrf: String,
        id: i64,
        notice: Option<String>,
        problem: Option<String>,
    ) -> DonorPage {
        DonorPage {
            csrf,
            id,
            token: self.token,
            employer: self.employer,
            occupation: self.occupation,
            address: self.address,
            city: self.city,
            state: self.state,
            zip: self.zip,
            notice,
            problem,
        }
    }
}

#[derive(Debug, Deserialize)]
struct DonorQuery {
    #[serde(default)]
    token: String,
    saved: Option<String>,
}

async fn donor_page(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
    Query(q): Query<DonorQuery>,
) -> Result<Response, PageError> {
    let d = engine.donor_details(id, &q.token).await?;
    let form = DonorForm {
        token: q.token,
        employer: d.employer,
        occupation: d.occupation,
        address: d.address,
        city: d.city,
        state: d.state,
        zip: d.zip,
    };
    let notice = q
        .saved
        .map(|_| "Thank you: your details are saved, and the reports will carry them.".to_owned());
    Ok(html(
        StatusCode::OK,
        &form.page(viewer.csrf, id, notice, None),
    ))
}

async fn save_donor(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
    CsrfForm(form): CsrfForm<DonorForm>,
) -> Result<Response, PageError> {
    let input = DonorAsSent {
        email: String::new(),
        name: String::new(),
        address: form.address.clone(),
        city: form.city.clone(),
        state: form.state.clone(),
        zip: form.zip.clone(),
        employer: form.employer.clone(),
        occupation: form.occupation.clone(),
        attests_eligible: false,
    };
    match engine.complete_donor(id, &form.token, input).await {
        Ok(_) => Ok(see_other(
            &format!(
                "/pledges/{id}/donor?token={}&saved=1",
                urlencode(&form.token)
            ),
            None,
        )),
        Err(e) => {
            let why = fixable(e)?;
            Ok(html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form.page(viewer.csrf, id, None, Some(why)),
            ))
        }
    }
}
