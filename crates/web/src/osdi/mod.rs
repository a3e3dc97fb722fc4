//! OSDI 1.1.1 at `/api/osdi/v1` (issue 19), in the HAL+JSON dialect Action
//! Network serves, for a slate's organizers (`OSDI-API-Token`). See
//! docs/osdi.md. Each handler parses the wire into the engine's types, runs
//! one use case and renders the answer; every failure is an OSDI error.

mod hal;
mod query;

use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use cohort_engine::osdi::{OsdiAttendanceInput, OsdiSignup};
use cohort_engine::{Actor, Engine};
use cohort_store::{Id, PersonFields};
use serde::Deserialize;
use serde_json::{json, Value};
use tower_http::limit::RequestBodyLimitLayer;

use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use query::{list_params, OsdiError, HAL};

type OsdiResult = Result<Response, OsdiError>;

/// The routes under `/api/osdi/v1`, nested there by `lib.rs`.
pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/", get(entry_point))
        .route("/people", get(people))
        .route("/people/person_signup_helper", post(signup))
        .route("/people/{id}", get(person))
        .route("/people/{id}/donations", get(person_donations))
        .route("/people/{id}/taggings", get(person_taggings))
        .route("/people/{id}/attendances", get(person_attendances))
        .route("/donations", get(donations))
        .route("/donations/record_donation_helper", post(record_donation))
        .route("/donations/{id}", get(donation))
        .route("/events", get(events))
        .route("/events/{id}", get(event))
        .route("/events/{id}/attendances", get(attendances))
        .route("/events/{id}/attendances/{rsvp}", get(attendance))
        .route(
            "/events/{id}/record_attendance_helper",
            post(record_attendance),
        )
        .route("/tags", get(tags))
        .route("/tags/{id}", get(tag))
        .route("/tags/{id}/taggings", get(taggings))
        .route("/tags/{id}/taggings/{person}", get(tagging))
        .fallback(|| async { OsdiError(ApiError::not_found("there is no such OSDI resource")) })
        .layer(RequestBodyLimitLayer::new(crate::BODY_LIMIT))
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::map_response(osdi_errors))
}

/// Bare errors from axum or tower-http (405, an early 413) as OSDI errors.
async fn osdi_errors(res: Response) -> Response {
    let status = res.status();
    let is_hal = res
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(HAL.as_bytes()));
    if (status.is_client_error() || status.is_server_error()) && !is_hal {
        let (mut parts, _) = res.into_parts();
        let fresh = OsdiError(ApiError::from_status(status)).into_response();
        let (fresh_parts, body) = fresh.into_parts();
        parts.headers.remove(axum::http::header::CONTENT_LENGTH);
        parts
            .headers
            .insert(CONTENT_TYPE, HeaderValue::from_static(HAL));
        drop(fresh_parts);
        return Response::from_parts(parts, body);
    }
    res
}

fn hal(status: StatusCode, body: Value) -> Response {
    let mut res = (status, body.to_string()).into_response();
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(HAL));
    res
}

fn base(engine: &Engine) -> String {
    format!("{}/api/osdi/v1", engine.public_url())
}

/// The actor behind the `OSDI-API-Token` header (none: the public).
/// The caller, from the `OSDI-API-Token` header (none: the public), read
/// before any path, query or body.
struct Caller(Actor);

impl axum::extract::FromRequestParts<Engine> for Caller {
    type Rejection = OsdiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        engine: &Engine,
    ) -> Result<Self, OsdiError> {
        let Some(v) = parts.headers.get("osdi-api-token") else {
            return Ok(Caller(Actor::Public));
        };
        let token = v
            .to_str()
            .ok()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                OsdiError(ApiError::unauthorized("the OSDI-API-Token header is empty"))
            })?;
        Ok(Caller(engine.authenticate(Some(token)).await?))
    }
}

fn id_of(p: Result<ApiPath<Id>, ApiError>) -> Result<Id, OsdiError> {
    Ok(p?.0)
}

async fn entry_point(State(engine): State<Engine>, Caller(who): Caller) -> OsdiResult {
    let slates = engine.osdi_entry(&who).await?;
    let b = base(&engine);
    let link = |path: &str, title: &str| json!({ "href": format!("{b}{path}"), "title": title });
    Ok(hal(
        StatusCode::OK,
        json!({
            "motd": "Cohort's OSDI API: a slate's supporters, unlocked donations, joint events and tags",
            "vendor_name": "Cohort",
            "product_name": "Cohort",
            "osdi_version": "1.1.1",
            "max_pagesize": query::MAX_PER_PAGE,
            "namespace": "cohort",
            "cohort:slates": slates,
            "_links": {
                "self": link("", "This API entry point"),
                "osdi:people": link("/people", "The people on your slates"),
                "osdi:donations": link("/donations", "Unlocked money: each pledge that unlocked, split per candidate"),
                "osdi:events": link("/events", "Joint events"),
                "osdi:tags": link("/tags", "Tags"),
                "osdi:person_signup_helper": link("/people/person_signup_helper", "Add or update a person and tag them"),
                "osdi:record_donation_helper": link("/donations/record_donation_helper", "Refused: money only enters Cohort through a pledge"),
                "osdi:record_attendance_helper": {
                    "href": format!("{b}/events/{{event_id}}/record_attendance_helper"),
                    "templated": true,
                    "title": "RSVP a person to a joint event (each event links its own)",
                },
                "docs": { "href": "https://opensupporter.github.io/osdi-docs/", "title": "OSDI" },
                "curies": hal::curies(),
            },
        }),
    ))
}

async fn people(
    State(engine): State<Engine>,
    Caller(who): Caller,
    RawQuery(q): RawQuery,
) -> OsdiResult {
    let (paging, params) = list_params(q.as_deref(), true)?;
    let page = engine.osdi_people(&who, &params.filter, paging).await?;
    let b = base(&engine);
    let body = hal::page_of(&format!("{b}/people"), "osdi:people", &params, &page, |p| {
        hal::person(&b, p)
    });
    Ok(hal(StatusCode::OK, body))
}

async fn person(
    State(engine): State<Engine>,
    Caller(who): Caller,
    path: Result<ApiPath<Id>, ApiError>,
) -> OsdiResult {
    let p = engine.osdi_person(&who, id_of(path)?).await?;
    Ok(hal(StatusCode::OK, hal::person(&base(&engine), &p)))
}

async fn person_donations(
    State(engine): State<Engine>,
    Caller(who): Caller,
    path: Result<ApiPath<Id>, ApiError>,
    RawQuery(q): RawQuery,
) -> OsdiResult {
    let id = id_of(path)?;
    let (paging, params) = list_params(q.as_deref(), false)?;
    let page = engine
        .osdi_person_donations(&who, id, &params.filter, paging)
        .await?;
    let b = base(&engine);
    let url = format!("{b}/people/{id}/donations");
    let body = hal::page_of(&url, "osdi:donations", &params, &page, |d| {
        hal::donation(&b, d)
    });
    Ok(hal(StatusCode::OK, body))
}

async fn person_taggings(
    State(engine): State<Engine>,
    Caller(who): Caller,
    path: Result<ApiPath<Id>, ApiError>,
    RawQuery(q): RawQuery,
) -> OsdiResult {
    let id = id_of(path)?;
    let (paging, params) = list_params(q.as_deref(), false)?;
    let page = engine
        .osdi_person_taggings(&who, id, &params.filter, paging)
        .await?;
    let b = base(&engine);
    let url = format!("{b}/people/{id}/taggings");
    let body = hal::page_of(&url, "osdi:taggings", &params, &page, |t| {
        hal::tagging(&b, t)
    });
    Ok(hal(StatusCode::OK, body))
}

async fn person_attendances(
    State(engine): State<Engine>,
    Caller(who): Caller,
    path: Result<ApiPath<Id>, ApiError>,
    RawQuery(q): RawQuery,
) -> OsdiResult {
    let id = id_of(path)?;
    let (paging, params) = list_params(q.as_deref(), false)?;
    let page = engine
        .osdi_person_attendances(&who, id, &params.filter, paging)
        .await?;
    let b = base(&engine);
    let url = format!("{b}/people/{id}/attendances");
    let body = hal::page_of(&url, "osdi:attendances", &params, &page, |a| {
        hal::attendance(&b, a.rsvp.event_id, a)
    });
    Ok(hal(StatusCode::OK, body))
}

async fn donations(
    State(engine): State<Engine>,
    Caller(who): Caller,
    RawQuery(q): RawQuery,
) -> OsdiResult {
    let (paging, params) = list_params(q.as_deref(), false)?;
    let page = engine.osdi_donations(&who, &params.filter, paging).await?;
    let b = base(&engine);
    let body = hal::page_of(
        &format!("{b}/donations"),
        "osdi:donations",
        &params,
        &page,
        |d| hal::donation(&b, d),
    );
    Ok(hal(StatusCode::OK, body))
}

async fn donation(
    State(engine): State<Engine>,
    Caller(who): Caller,
    path: Result<ApiPath<Id>, ApiError>,
) -> OsdiResult {
    let d = engine.osdi_donation(&who, id_of(path)?).await?;
    Ok(hal(StatusCode::OK, hal::donation(&base(&engine), &d)))
}

/// Always refused: money enters Cohort only through a pledge, which unlocks
/// when its condition holds; a recorded donation would bypass the compact.
async fn record_donation() -> OsdiResult {
    Err(OsdiError(ApiError::new(
        StatusCode::FORBIDDEN,
        "donations_enter_by_pledge",
        "Cohort records no donations: money only enters through a pledge (POST /api/slates/{slug}/pledges), which becomes a donation when it unlocks",
    )))
}

async fn events(
    State(engine): State<Engine>,
    Caller(who): Caller,
    RawQuery(q): RawQuery,
) -> OsdiResult {
    let (paging, params) = list_params(q.as_deref(), false)?;
    let page = engine.osdi_events(&who, &params.filter, paging).await?;
    let b = base(&engine);
    let public = engine.public_url().to_owned();
    let body = hal::page_of(&format!("{b}/events"), "osdi:events", &params, &page, |e| {
        hal::event(&b, &public, e)
    });
    Ok(hal(StatusCode::OK, body))
}

async fn event(
    State(engine): State<Engine>,
    Caller(who): Caller,
    path: Result<ApiPath<Id>, ApiError>,
) -> OsdiResult {
    let e = engine.osdi_event(&who, id_of(path)?).await?;
    Ok(hal(
        StatusCode::OK,
        hal::event(&base(&engine), engine.public_url(), &e),
    ))
}

async fn attendances(
    State(engine): State<Engine>,
    Caller(who): Caller,
    path: Result<ApiPath<Id>, ApiError>,
    RawQuery(q): RawQuery,
) -> OsdiResult {
    let id = id_of(path)?;
    let (paging, params) = list_params(q.as_deref(), false)?;
    let page = engine
        .osdi_attendances(&who, id, &params.filter, paging)
        .await?;
    let b = base(&engine);
    let url = format!("{b}/events/{id}/attendances");
    let body = hal::page_of(&url, "osdi:attendances", &params, &page, |a| {
        hal::attendance(&b, id, a)
    });
    Ok(hal(StatusCode::OK, body))
}

async fn attendance(
    State(engine): State<Engine>,
    Caller(who): Caller,
    path: Result<ApiPath<(Id, Id)>, ApiError>,
) -> OsdiResult {
    let (event, rsvp) = path?.0;
    let a = engine.osdi_attendance(&who, event, rsvp).await?;
    Ok(hal(
        StatusCode::OK,
        hal::attendance(&base(&engine), event, &a),
    ))
}

async fn tags(
    State(engine): State<Engine>,
    Caller(who): Caller,
    RawQuery(q): RawQuery,
) -> OsdiResult {
    let (paging, params) = list_params(q.as_deref(), false)?;
    let page = engine.osdi_tags(&who, &params.filter, paging).await?;
    let b = base(&engine);
    let body = hal::page_of(&format!("{b}/tags"), "osdi:tags", &params, &page, |t| {
        hal::tag(&b, t)
    });
    Ok(hal(StatusCode::OK, body))
}

async fn tag(
    State(engine): State<Engine>,
    Caller(who): Caller,
    path: Result<ApiPath<Id>, ApiError>,
) -> OsdiResult {
    let t = engine.osdi_tag(&who, id_of(path)?).await?;
    Ok(hal(StatusCode::OK, hal::tag(&base(&engine), &t)))
}

async fn taggings(
    State(engine): State<Engine>,
    Caller(who): Caller,
    path: Result<ApiPath<Id>, ApiError>,
    RawQuery(q): RawQuery,
) -> OsdiResult {
    let id = id_of(path)?;
    let (paging, params) = list_params(q.as_deref(), false)?;
    let page = engine
        .osdi_taggings(&who, id, &params.filter, paging)
        .await?;
    let b = base(&engine);
    let url = format!("{b}/tags/{id}/taggings");
    let body = hal::page_of(&url, "osdi:taggings", &params, &page, |t| {
        hal::tagging(&b, t)
    });
    Ok(hal(StatusCode::OK, body))
}

async fn tagging(
    State(engine): State<Engine>,
    Caller(who): Caller,
    path: Result<ApiPath<(Id, Id)>, ApiError>,
) -> OsdiResult {
    let (tag, person) = path?.0;
    let t = engine.osdi_tagging(&who, tag, person).await?;
    Ok(hal(StatusCode::OK, hal::tagging(&base(&engine), &t)))
}

// The helpers' bodies: Action Network's person hash. Fields Cohort keeps
// nothing of (identifiers, languages, statuses) are read and ignored;
// `custom_fields` are the engine's to decide (kept, checked or refused by
// name: `cohort_engine::osdi` signup); any other field is refused by name.

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EmailBody {
    #[serde(default)]
    address: String,
    #[serde(default)]
    #[allow(dead_code)]
    primary: Option<bool>,
    #[serde(default)]
    #[allow(dead_code)]
    status: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PostalBody {
    #[serde(default)]
    address_lines: Vec<String>,
    #[serde(default)]
    locality: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    postal_code: String,
    #[serde(default)]
    #[allow(dead_code)]
    country: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    primary: Option<bool>,
    #[serde(default)]
    #[allow(dead_code)]
    language: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PhoneBody {
    #[serde(default)]
    number: String,
    #[serde(default)]
    #[allow(dead_code)]
    primary: Option<bool>,
    #[serde(default)]
    #[allow(dead_code)]
    number_type: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    status: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonBody {
    #[serde(default)]
    given_name: String,
    #[serde(default)]
    family_name: String,
    email_addresses: Vec<EmailBody>,
    #[serde(default)]
    postal_addresses: Vec<PostalBody>,
    #[serde(default)]
    phone_numbers: Vec<PhoneBody>,
    #[serde(default)]
    #[allow(dead_code)]
    identifiers: Vec<String>,
    #[serde(default)]
    custom_fields: serde_json::Map<String, Value>,
    #[serde(default)]
    #[allow(dead_code)]
    languages_spoken: Vec<String>,
}

impl PersonBody {
    /// Action Network's custom fields are strings; a number or a yes/no is
    /// read as its text, `null` as empty, anything else is refused by name.
    fn custom_fields(&self) -> Result<Vec<(String, String)>, OsdiError> {
        self.custom_fields
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    Value::Null => String::new(),
                    _ => {
                        return Err(OsdiError(ApiError::invalid(
                            format!("person.custom_fields.{k}"),
                            "a custom field's value is a string",
                        )))
                    }
                };
                Ok((k.clone(), text))
            })
            .collect()
    }

    fn email(&self) -> String {
        self.email_addresses
            .first()
            .map(|e| e.address.clone())
            .unwrap_or_default()
    }

    fn fields(&self) -> PersonFields {
        let postal = self.postal_addresses.first();
        PersonFields {
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            address: postal
                .map(|p| p.address_lines.join(", "))
                .unwrap_or_default(),
            city: postal.map(|p| p.locality.clone()).unwrap_or_default(),
            state: postal.map(|p| p.region.clone()).unwrap_or_default(),
            zip: postal.map(|p| p.postal_code.clone()).unwrap_or_default(),
            phone: self
                .phone_numbers
                .first()
                .map(|p| p.number.clone())
                .unwrap_or_default(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignupBody {
    person: PersonBody,
    #[serde(default)]
    add_tags: Vec<String>,
    #[serde(default, rename = "cohort:slate")]
    slate: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReferrerBody {
    #[serde(default)]
    referrer: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    source: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    website: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AttendanceBody {
    person: PersonBody,
    #[serde(default, rename = "action_network:referrer_data")]
    referrer_data: Option<ReferrerBody>,
}

async fn signup(
    State(engine): State<Engine>,
    Caller(who): Caller,
    body: Result<ApiJson<SignupBody>, ApiError>,
) -> OsdiResult {
    let ApiJson(b) = body?;
    let input = OsdiSignup {
        slate: b.slate,
        email: b.person.email(),
        fields: b.person.fields(),
        custom_fields: b.person.custom_fields()?,
        tags: b.add_tags,
    };
    let (p, new) = engine.osdi_signup(&who, input).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(hal(status, hal::person(&base(&engine), &p)))
}

async fn record_attendance(
    State(engine): State<Engine>,
    Caller(who): Caller,
    path: Result<ApiPath<Id>, ApiError>,
    body: Result<ApiJson<AttendanceBody>, ApiError>,
) -> OsdiResult {
    let event = id_of(path)?;
    let ApiJson(b) = body?;
    let input = OsdiAttendanceInput {
        email: b.person.email(),
        fields: b.person.fields(),
        custom_fields: b.person.custom_fields()?,
        referrer: b.referrer_data.and_then(|r| r.referrer),
    };
    let (a, new) = engine.osdi_record_attendance(&who, event, input).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(hal(status, hal::attendance(&base(&engine), event, &a)))
}
