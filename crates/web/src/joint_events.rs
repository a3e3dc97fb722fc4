//! Joint events (issue 15) over HTTP: the contract's JSON routes, the
//! slate's iCalendar feed and each event's `.ics`, and the pages — the
//! slate's events, an event with its RSVP form (no JavaScript needed), the
//! hosts' confirm/decline and the organizer's record-held forms on it, the
//! propose form, and the private cancel page. The engine decides who may
//! do what.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use cohort_core::joint_event::{parse_timezone, EventKind, EventStatus, Location};
use cohort_core::joint_event_ics::{calendar, IcsEvent};
use cohort_engine::joint_events::{
    JointEventChangeInput, JointEventInput, JointEventView, RsvpInput, RsvpOutcome, RsvpTicket,
    RsvpView,
};
use cohort_engine::{Actor, Engine, EngineError};
use serde::Deserialize;

use crate::api::ApiResult;
use crate::app::{fixable, see_other, sign_in_first, urlencode};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, Auth, TokenAuth};
use crate::pages::{html, PageError};
use crate::session::{CsrfForm, Viewer};

/// The routes under `/api`.
pub(crate) fn api_routes() -> Router<Engine> {
    Router::new()
        .route(
            "/slates/{slug}/joint-events",
            post(propose).get(list_public),
        )
        .route("/joint-events/{id}", get(one).patch(change))
        .route("/joint-events/{id}/hosts/{host}/confirm", post(confirm))
        .route("/joint-events/{id}/hosts/{host}/decline", post(decline))
        .route("/joint-events/{id}/rsvps", post(rsvp).get(rsvp_list))
        .route("/joint-events/{id}/held", post(held))
}

/// The pages and calendars.
pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/slates/{slug}/joint-events", get(list_page))
        .route("/slates/{slug}/joint-events.ics", get(feed))
        .route(
            "/slates/{slug}/joint-events/new",
            get(new_page).post(new_submit),
        )
        .route("/joint-events/{id}", get(event_page))
        .route("/joint-events/{id}/event.ics", get(one_ics))
        .route("/joint-events/{id}/rsvp", post(rsvp_submit))
        .route("/joint-events/{id}/answer", post(answer_submit))
        .route("/joint-events/{id}/held", post(held_submit))
        .route(
            "/joint-events/rsvps/{token}",
            get(ticket_page).post(ticket_cancel),
        )
}

// ---------------------------------------------------------------- JSON

#[utoipa::path(post, path = "/api/slates/{slug}/joint-events", tag = "joint_events", params(("slug" = String, Path, description = "The slate's slug")), request_body = cohort_engine::joint_events::JointEventInput, responses((status = 201, description = "The proposed event", body = cohort_engine::joint_events::JointEventView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn propose(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath(slug): ApiPath<String>,
    ApiJson(input): ApiJson<JointEventInput>,
) -> ApiResult<Response> {
    let view = engine.propose_joint_event(&actor, &slug, input).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

#[utoipa::path(get, path = "/api/slates/{slug}/joint-events", tag = "joint_events", params(("slug" = String, Path, description = "The slate's slug")), responses((status = 200, description = "The slate's public events", body = Vec<cohort_engine::joint_events::JointEventView>), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security((), ("bearer" = [])))]
async fn list_public(
    State(engine): State<Engine>,
    ApiPath(slug): ApiPath<String>,
) -> ApiResult<Json<Vec<JointEventView>>> {
    Ok(Json(
        engine.joint_events(&Actor::Public, &slug, false).await?,
    ))
}

#[utoipa::path(get, path = "/api/joint-events/{id}", tag = "joint_events", params(("id" = i64, Path, description = "The id")), responses((status = 200, description = "The event", body = cohort_engine::joint_events::JointEventView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security((), ("bearer" = [])))]
async fn one(
    State(engine): State<Engine>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<JointEventView>> {
    Ok(Json(engine.joint_event(&actor, id).await?))
}

#[utoipa::path(patch, path = "/api/joint-events/{id}", tag = "joint_events", params(("id" = i64, Path, description = "The id")), request_body = cohort_engine::joint_events::JointEventChangeInput, responses((status = 200, description = "The event", body = cohort_engine::joint_events::JointEventView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn change(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<JointEventChangeInput>,
) -> ApiResult<Json<JointEventView>> {
    Ok(Json(engine.change_joint_event(&actor, id, input).await?))
}

#[utoipa::path(post, path = "/api/joint-events/{id}/hosts/{host}/confirm", tag = "joint_events", params(("id" = i64, Path, description = "The id"), ("host" = String, Path, description = "The host candidate's slug")), responses((status = 200, description = "The event", body = cohort_engine::joint_events::JointEventView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn confirm(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath((id, host)): ApiPath<(i64, String)>,
) -> ApiResult<Json<JointEventView>> {
    Ok(Json(
        engine.answer_joint_event(&actor, id, &host, true).await?,
    ))
}

#[utoipa::path(post, path = "/api/joint-events/{id}/hosts/{host}/decline", tag = "joint_events", params(("id" = i64, Path, description = "The id"), ("host" = String, Path, description = "The host candidate's slug")), responses((status = 200, description = "The event", body = cohort_engine::joint_events::JointEventView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn decline(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath((id, host)): ApiPath<(i64, String)>,
) -> ApiResult<Json<JointEventView>> {
    Ok(Json(
        engine.answer_joint_event(&actor, id, &host, false).await?,
    ))
}

#[utoipa::path(post, path = "/api/joint-events/{id}/rsvps", tag = "joint_events", params(("id" = i64, Path, description = "The id")), request_body = cohort_engine::joint_events::RsvpInput, responses((status = 201, description = "The RSVP", body = cohort_engine::joint_events::RsvpView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security((), ("bearer" = [])))]
async fn rsvp(
    State(engine): State<Engine>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<RsvpInput>,
) -> ApiResult<Response> {
    let (outcome, new): (RsvpOutcome, bool) = engine.rsvp_joint_event(id, input).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(outcome)).into_response())
}

#[utoipa::path(get, path = "/api/joint-events/{id}/rsvps", tag = "joint_events", params(("id" = i64, Path, description = "The id")), responses((status = 200, description = "The RSVPs", body = Vec<cohort_engine::joint_events::RsvpView>), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn rsvp_list(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<RsvpView>>> {
    Ok(Json(engine.joint_event_rsvps(&actor, id).await?))
}

#[derive(utoipa::ToSchema, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HeldInput {
    attendance: i64,
}

#[utoipa::path(post, path = "/api/joint-events/{id}/held", tag = "joint_events", params(("id" = i64, Path, description = "The id")), request_body = HeldInput, responses((status = 200, description = "The event", body = cohort_engine::joint_events::JointEventView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn held(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<HeldInput>,
) -> ApiResult<Json<JointEventView>> {
    Ok(Json(
        engine
            .record_joint_event_held(&actor, id, input.attendance)
            .await?,
    ))
}

// ---------------------------------------------------------------- iCalendar

fn ics_event(engine: &Engine, e: &JointEventView) -> Result<IcsEvent, ApiError> {
    let host = engine
        .public_url()
        .split("://")
        .nth(1)
        .unwrap_or("cohort")
        .split(['/', ':'])
        .next()
        .unwrap_or("cohort")
        .to_owned();
    let tz = parse_timezone(&e.timezone)
        .map_err(|r| ApiError::from(EngineError::invalid(r.field, r.message)))?;
    let mut description = format!("{} with {}.", e.kind_label, e.host_names());
    if !e.description.is_empty() {
        description = format!("{}\n\n{description}", e.description);
    }
    if let Some(u) = &e.online_url {
        description.push_str(&format!("\nOnline: {u}"));
    }
    Ok(IcsEvent {
        uid: format!("joint-event-{}@{host}", e.id),
        sequence: e.sequence,
        status: e.status,
        summary: e.title.clone(),
        description,
        starts_at: e.starts_at,
        ends_at: e.ends_at,
        timezone: tz,
        location: match (e.location_text(), &e.online_url) {
            (l, _) if !l.is_empty() => l,
            (_, Some(u)) => u.clone(),
            _ => String::new(),
        },
        url: format!("{}/joint-events/{}", engine.public_url(), e.id),
        updated_at: e.updated_at,
    })
}

fn ics_response(body: String, filename: &str) -> Response {
    (
        [
            (CONTENT_TYPE, "text/calendar; charset=utf-8".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
            (CACHE_CONTROL, "no-cache".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// The slate's feed: confirmed and held events, and cancelled ones as
/// `STATUS:CANCELLED` so subscribed calendars drop them.
async fn feed(
    State(engine): State<Engine>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Response, PageError> {
    let slug = slug.trim_end_matches(".ics").to_owned();
    let events = engine.joint_events(&Actor::Public, &slug, true).await?;
    let slate = engine.slate_view(&slug).await?;
    let ics: Vec<IcsEvent> = events
        .iter()
        .map(|e| ics_event(&engine, e))
        .collect::<Result<_, _>>()?;
    let name = format!("{}: joint events", slate.name);
    Ok(ics_response(
        calendar(&name, &ics, engine.now()),
        &format!("{slug}-joint-events.ics"),
    ))
}

async fn one_ics(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, PageError> {
    let e = engine.joint_event(&viewer.actor, id).await?;
    let ics = ics_event(&engine, &e)?;
    Ok(ics_response(
        calendar(&e.title, &[ics], engine.now()),
        &format!("joint-event-{id}.ics"),
    ))
}

// ---------------------------------------------------------------- pages

#[derive(Template)]
#[template(path = "joint_events.html")]
struct ListPage {
    slug: String,
    slate_name: String,
    upcoming: Vec<JointEventView>,
    past: Vec<JointEventView>,
    waiting: Vec<JointEventView>,
    may_propose: bool,
    /// Where the upcoming events are: the map, and the same as text.
    map: crate::us_map::UsMap,
    states: Vec<(String, Vec<crate::joint_events_map::Place>)>,
    online: Vec<crate::joint_events_map::Place>,
}

async fn list_page(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
) -> Result<Response, PageError> {
    let slate = engine.slate_view(&slug).await?;
    let events = engine.joint_events(&viewer.actor, &slug, true).await?;
    let now = engine.now();
    let (mut upcoming, mut past, mut waiting) = (Vec::new(), Vec::new(), Vec::new());
    for e in events {
        match e.status {
            EventStatus::Proposed | EventStatus::Declined => waiting.push(e),
            EventStatus::Confirmed if e.ends_at > now => upcoming.push(e),
            _ => past.push(e),
        }
    }
    past.reverse();
    let may_propose = !matches!(viewer.actor, Actor::Public);
    let places = crate::joint_events_map::events_map(&upcoming);
    Ok(html(
        StatusCode::OK,
        &ListPage {
            slug: slate.slug,
            slate_name: slate.name,
            upcoming,
            past,
            waiting,
            may_propose,
            map: places.map,
            states: places.states,
            online: places.online,
        },
    ))
}

#[derive(Template)]
#[template(path = "joint_event.html")]
struct EventPage {
    csrf: String,
    e: JointEventView,
    notice: Option<String>,
    problem: Option<String>,
    /// The hosts this viewer answers for, still unanswered or confirmed.
    my_hosts: Vec<(String, String)>,
    organizer: bool,
    open_for_rsvps: bool,
    ended: bool,
    rsvps: Option<Vec<RsvpView>>,
    share_url: String,
    share_text: String,
    /// A confirmed, upcoming joint fundraiser: its own pledge form.
    fundraiser: Option<FundraiserForm>,
}

/// What the "Give to this joint fundraiser" form shows.
struct FundraiserForm {
    nonce: String,
    condition_text: String,
    disclosure: Vec<String>,
    pledge_only: bool,
}

#[derive(Debug, Default, Deserialize)]
struct EventQuery {
    notice: Option<String>,
}

pub(crate) async fn render_event(
    engine: &Engine,
    viewer: &Viewer,
    id: i64,
    notice: Option<String>,
    problem: Option<String>,
) -> Result<Response, PageError> {
    let e = engine.joint_event(&viewer.actor, id).await?;
    let (organizer, mine) = engine.joint_event_roles(&viewer.actor, id).await?;
    let rsvps = engine.joint_event_rsvps(&viewer.actor, id).await.ok();
    let my_hosts = e
        .hosts
        .iter()
        .filter(|h| mine.contains(&h.candidate))
        .filter(|_| matches!(e.status, EventStatus::Proposed | EventStatus::Confirmed))
        .map(|h| (h.candidate.clone(), h.name.clone()))
        .collect();
    let now = engine.now();
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let fundraiser = if e.kind == EventKind::Fundraiser
        && e.status == EventStatus::Confirmed
        && now < e.ends_at
    {
        let slate = engine.slate_view(&e.slate).await?;
        let deadline = slate
            .candidates
            .iter()
            .filter_map(|c| c.general_date.parse::<chrono::NaiveDate>().ok())
            .max();
        Some(FundraiserForm {
            nonce: engine.new_secret(),
            disclosure: deadline
                .map(|d| {
                    cohort_engine::conditional_disclosure(&slate.condition_text, d, false).to_vec()
                })
                .unwrap_or_default(),
            condition_text: slate.condition_text,
            pledge_only: !engine.collects_payments(),
        })
    } else {
        None
    };
    let share_url = format!("{}/joint-events/{}", engine.public_url(), e.id);
    let share_text = urlencode(&format!("{} — {}", e.title, e.host_names()));
    Ok(html(
        status,
        &EventPage {
            csrf: viewer.csrf.clone(),
            open_for_rsvps: e.status == EventStatus::Confirmed && now < e.ends_at,
            ended: now >= e.ends_at,
            notice,
            problem,
            my_hosts,
            organizer,
            rsvps,
            share_text,
            share_url: urlencode(&share_url),
            fundraiser,
            e,
        },
    ))
}

async fn event_page(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
    Query(q): Query<EventQuery>,
) -> Result<Response, PageError> {
    let notice = match q.notice.as_deref() {
        Some("going") => Some(
            "You're going. We emailed you the details and a private link to cancel.".to_owned(),
        ),
        Some("waitlisted") => Some(
            "The event is full, so you're on the waitlist; we'll email you if a seat opens."
                .to_owned(),
        ),
        Some("answered") => Some("Your answer is recorded.".to_owned()),
        Some("held") => Some("Recorded as held.".to_owned()),
        Some("proposed") => {
            Some("Proposed. Each host's campaign must confirm before it is public.".to_owned())
        }
        _ => None,
    };
    render_event(&engine, &viewer, id, notice, None).await
}

#[derive(Debug, Deserialize)]
struct RsvpFormInput {
    name: String,
    email: String,
    zip: String,
    #[serde(default, rename = "ref")]
    referral: Option<String>,
}

async fn rsvp_submit(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
    CsrfForm(f): CsrfForm<RsvpFormInput>,
) -> Result<Response, PageError> {
    let input = RsvpInput {
        name: f.name,
        email: f.email,
        zip: f.zip,
        referral: f.referral,
    };
    match engine.rsvp_joint_event(id, input).await {
        Ok((o, _)) => Ok(see_other(
            &format!("/joint-events/{id}?notice={}", o.status.as_str()),
            None,
        )),
        Err(e) => {
            let problem = fixable(e)?;
            render_event(&engine, &viewer, id, None, Some(problem)).await
        }
    }
}

#[derive(Debug, Deserialize)]
struct AnswerForm {
    host: String,
    answer: String,
}

async fn answer_submit(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
    CsrfForm(f): CsrfForm<AnswerForm>,
) -> Result<Response, PageError> {
    let confirm = f.answer == "confirm";
    match engine
        .answer_joint_event(&viewer.actor, id, &f.host, confirm)
        .await
    {
        Ok(_) => Ok(see_other(
            &format!("/joint-events/{id}?notice=answered"),
            None,
        )),
        Err(e) => {
            let problem = fixable(e)?;
            render_event(&engine, &viewer, id, None, Some(problem)).await
        }
    }
}

#[derive(Debug, Deserialize)]
struct HeldForm {
    attendance: String,
}

async fn held_submit(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
    CsrfForm(f): CsrfForm<HeldForm>,
) -> Result<Response, PageError> {
    let result = match f.attendance.trim().parse::<i64>() {
        Ok(n) => engine.record_joint_event_held(&viewer.actor, id, n).await,
        Err(_) => Err(EngineError::invalid(
            "attendance",
            "attendance is a whole number",
        )),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/joint-events/{id}?notice=held"), None)),
        Err(e) => {
            let problem = fixable(e)?;
            render_event(&engine, &viewer, id, None, Some(problem)).await
        }
    }
}

#[derive(Template)]
#[template(path = "joint_event_new.html")]
struct NewPage {
    csrf: String,
    slug: String,
    slate_name: String,
    candidates: Vec<(String, String, bool)>,
    kinds: Vec<(&'static str, &'static str, bool)>,
    f: ProposeForm,
    problem: Option<String>,
}

/// The propose form's fields as typed (kept on a refusal).
#[derive(Clone, Debug, Default)]
struct ProposeForm {
    kind: String,
    title: String,
    description: String,
    starts_at: String,
    ends_at: String,
    timezone: String,
    venue: String,
    address: String,
    city: String,
    state: String,
    zip: String,
    online_url: String,
    capacity: String,
    hosts: Vec<String>,
}

impl ProposeForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> ProposeForm {
        let mut f = ProposeForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "kind" => f.kind = v,
                "title" => f.title = v,
                "description" => f.description = v,
                "starts_at" => f.starts_at = v,
                "ends_at" => f.ends_at = v,
                "timezone" => f.timezone = v,
                "venue" => f.venue = v,
                "address" => f.address = v,
                "city" => f.city = v,
                "state" => f.state = v,
                "zip" => f.zip = v,
                "online_url" => f.online_url = v,
                "capacity" => f.capacity = v,
                "hosts" => f.hosts.push(v),
                _ => {}
            }
        }
        f
    }

    /// `datetime-local` fields carry no offset: read them in the event's zone.
    fn time(&self, field: &str, local: &str) -> Result<String, EngineError> {
        let local = local.trim();
        if local.is_empty() {
            return Err(EngineError::invalid(field, "give a date and time"));
        }
        if chrono::DateTime::parse_from_rfc3339(local).is_ok() {
            return Ok(local.to_owned());
        }
        let tz =
            parse_timezone(&self.timezone).map_err(|r| EngineError::invalid(r.field, r.message))?;
        let naive = chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M")
            .or_else(|_| chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M:%S"))
            .map_err(|_| EngineError::invalid(field, "expected a date and time"))?;
        use chrono::TimeZone;
        let t = tz
            .from_local_datetime(&naive)
            .earliest()
            .ok_or_else(|| EngineError::invalid(field, "that time does not exist in this zone"))?;
        Ok(t.to_rfc3339())
    }

    fn input(&self) -> Result<JointEventInput, EngineError> {
        let capacity = match self.capacity.trim() {
            "" => None,
            c => Some(
                c.parse::<i64>()
                    .map_err(|_| EngineError::invalid("capacity", "capacity is a whole number"))?,
            ),
        };
        let location = Location {
            venue: self.venue.clone(),
            address: self.address.clone(),
            city: self.city.clone(),
            state: self.state.clone(),
            zip: self.zip.clone(),
        };
        Ok(JointEventInput {
            kind: self.kind.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            starts_at: self.time("starts_at", &self.starts_at)?,
            ends_at: self.time("ends_at", &self.ends_at)?,
            timezone: self.timezone.clone(),
            location: (!location.one_line().is_empty()).then_some(location),
            online_url: (!self.online_url.trim().is_empty()).then(|| self.online_url.clone()),
            hosts: self.hosts.clone(),
            capacity,
        })
    }
}

async fn render_new(
    engine: &Engine,
    viewer: &Viewer,
    slug: &str,
    f: ProposeForm,
    problem: Option<String>,
) -> Result<Response, PageError> {
    let slate = engine.slate_view(slug).await?;
    let candidates = slate
        .candidates
        .iter()
        .map(|c| (c.slug.clone(), c.name.clone(), f.hosts.contains(&c.slug)))
        .collect();
    let kinds = EventKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label(), f.kind == k.as_str()))
        .collect();
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(html(
        status,
        &NewPage {
            csrf: viewer.csrf.clone(),
            slug: slate.slug,
            slate_name: slate.name,
            candidates,
            kinds,
            f,
            problem,
        },
    ))
}

async fn new_page(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first(&format!("/slates/{slug}/joint-events/new")));
    }
    let f = ProposeForm {
        timezone: "America/New_York".into(),
        kind: "town_hall".into(),
        ..ProposeForm::default()
    };
    render_new(&engine, &viewer, &slug, f, None).await
}

async fn new_submit(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = ProposeForm::from_pairs(pairs);
    let result = match f.input() {
        Ok(input) => {
            engine
                .propose_joint_event(&viewer.actor, &slug, input)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(e) => Ok(see_other(
            &format!("/joint-events/{}?notice=proposed", e.id),
            None,
        )),
        Err(e) => {
            let problem = fixable(e)?;
            render_new(&engine, &viewer, &slug, f, Some(problem)).await
        }
    }
}

#[derive(Template)]
#[template(path = "joint_event_ticket.html")]
struct TicketPage {
    csrf: String,
    token: String,
    t: RsvpTicket,
    cancelled_now: bool,
}

async fn ticket_page(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(token): ApiPath<String>,
) -> Result<Response, PageError> {
    let t = engine.rsvp_ticket(&token).await?;
    Ok(html(
        StatusCode::OK,
        &TicketPage {
            csrf: viewer.csrf.clone(),
            token,
            t,
            cancelled_now: false,
        },
    ))
}

async fn ticket_cancel(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(token): ApiPath<String>,
    CsrfForm(_): CsrfForm<std::collections::HashMap<String, String>>,
) -> Result<Response, PageError> {
    let t = engine.cancel_rsvp(&token).await?;
    Ok(html(
        StatusCode::OK,
        &TicketPage {
            csrf: viewer.csrf.clone(),
            token,
            t,
            cancelled_now: true,
        },
    ))
}
