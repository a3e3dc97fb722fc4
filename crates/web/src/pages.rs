//! Server-rendered public pages. Templates live in `templates/`; askama
//! escapes every value as HTML. The structs here only format engine views
//! for reading (money as dollars, offices as labels); they decide nothing.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cohort_core::joint_event::EventStatus;
use cohort_core::model::Office;
use cohort_core::Cents;
use cohort_engine::{CandidateView, Engine, EngineError, SlateView};
use cohort_store::Pot;

use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::us_map::{self, Tile, UsMap};

const CSS: &str = include_str!("../static/cohort.css");

/// Pages load only their own scripts and stylesheets, nothing inline; say so to
/// the browser. (The card pages also allow Stripe.js: see `card.rs`.)
const CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; \
                   form-action 'self'; frame-ancestors 'none'";

/// The HTML escaper every template uses (see `askama.toml`): `<>&"'` become
/// `&lt; &gt; &amp; &quot; &#39;`.
#[derive(Clone, Copy, Debug)]
pub struct NamedEntities;

impl askama::filters::Escaper for NamedEntities {
    fn write_escaped_str<W: std::fmt::Write>(&self, mut dest: W, s: &str) -> std::fmt::Result {
        let mut last = 0;
        for (i, b) in s.bytes().enumerate() {
            let entity = match b {
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'&' => "&amp;",
                b'"' => "&quot;",
                b'\'' => "&#39;",
                _ => continue,
            };
            dest.write_str(&s[last..i])?;
            dest.write_str(entity)?;
            last = i + 1;
        }
        dest.write_str(&s[last..])
    }
}

/// Cents as a page shows them (`$1,234.56`), for templates:
/// `{{ crate::pages::money(cents) }}`.
pub(crate) fn money(cents: &i64) -> String {
    cohort_core::Cents(*cents).to_string()
}

pub(crate) fn html<T: Template>(status: StatusCode, page: &T) -> Response {
    html_with_csp(status, page, &HeaderValue::from_static(CSP))
}

/// [`html`] under another Content-Security-Policy (the card pages, which load Stripe.js).
pub(crate) fn html_with_csp<T: Template>(
    status: StatusCode,
    page: &T,
    csp: &HeaderValue,
) -> Response {
    match page.render() {
        Ok(body) => (
            status,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (header::CONTENT_SECURITY_POLICY, csp.clone()),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
            ],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// A file compiled into the binary, served with its type and an hour's cache.
pub(crate) fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

pub(crate) async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", CSS)
}

/// An error shown as a page: the same status the API would answer with.
#[derive(Debug)]
pub(crate) struct PageError(pub(crate) ApiError);

impl From<EngineError> for PageError {
    fn from(e: EngineError) -> Self {
        PageError(e.into())
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError(e)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    heading: &'static str,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let heading = match self.0.status {
            StatusCode::NOT_FOUND => "We couldn't find that page",
            s if s.is_server_error() => "Something went wrong on our side",
            _ => "That request didn't work",
        };
        let page = ErrorPage {
            status: self.0.status.as_u16(),
            heading,
            message: self.0.message,
        };
        html(self.0.status, &page)
    }
}

pub(crate) async fn not_found() -> PageError {
    PageError(ApiError::not_found("There is no page at this address."))
}

/// Money and hours of a pot, formatted for reading.
struct PotLines {
    pending: String,
    unlocked: String,
    total: String,
    pledgers: i64,
    hours_pending: i64,
    hours_unlocked: i64,
    /// Share of the pledged money that has unlocked, 0–100.
    unlocked_pct: i64,
    /// Nobody has pledged money (no pledges, or hours and actions only).
    no_money: bool,
    /// The unlocked total the public log last recorded, and its entry.
    logged: Option<(String, i64)>,
}

impl PotLines {
    fn new(pot: &Pot) -> Self {
        let total = pot.pending_cents + pot.unlocked_cents;
        PotLines {
            pending: Cents(pot.pending_cents).to_string(),
            unlocked: Cents(pot.unlocked_cents).to_string(),
            total: Cents(total).to_string(),
            pledgers: pot.pledgers,
            hours_pending: pot.hours_per_week_pending,
            hours_unlocked: pot.hours_per_week_unlocked,
            unlocked_pct: percent(pot.unlocked_cents, total),
            no_money: total == 0,
            logged: pot
                .logged_seq
                .map(|seq| (Cents(pot.logged_unlocked_cents).to_string(), seq)),
        }
    }
}

fn percent(part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        0
    } else {
        (part.saturating_mul(100) / whole).clamp(0, 100)
    }
}

/// "U.S. House NY-10", "U.S. Senate OH", "Governor GA".
pub(crate) fn race_label(c: &CandidateView) -> String {
    let office = c
        .office
        .parse::<Office>()
        .map(Office::label)
        .unwrap_or("Other office");
    match &c.district {
        Some(d) => format!("{office} {}-{d}", c.state),
        None => format!("{office} {}", c.state),
    }
}

struct SlateCard {
    slug: String,
    cycle: i32,
    name: String,
    description: String,
    condition_text: String,
    signers: u64,
    candidates: usize,
    unlocked: bool,
    pot: PotLines,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    slates: Vec<SlateCard>,
}

pub(crate) async fn home(State(engine): State<Engine>) -> Result<Response, PageError> {
    let slates = engine
        .slates()
        .await?
        .into_iter()
        .map(|s| SlateCard {
            pot: PotLines::new(&s.pot),
            candidates: s.candidates.len(),
            slug: s.slug,
            cycle: s.cycle,
            name: s.name,
            description: s.description,
            condition_text: s.condition_text,
            signers: s.signers,
            unlocked: s.unlocked,
        })
        .collect();
    Ok(html(StatusCode::OK, &HomePage { slates }))
}

struct CandidateLine {
    slug: String,
    name: String,
    race: String,
    signed: bool,
    /// Set when the standing signature is on an older version of the compact.
    signed_old_version: Option<i32>,
    /// "$1,234 and 12 volunteer hours/week", for candidates who have not signed.
    waiting: Option<String>,
}

/// The slate's candidates on the shared tile map: a state is `signed`
/// when a candidate there has signed, `waiting` when its candidates have
/// not, `none` without one.
fn candidates_map(candidates: &[CandidateView]) -> Vec<Tile> {
    us_map::tiles(|state| {
        let here: Vec<&CandidateView> = candidates.iter().filter(|c| c.state == state).collect();
        let class = if here.iter().any(|c| c.signed) {
            "signed"
        } else if here.is_empty() {
            "none"
        } else {
            "waiting"
        };
        let people: Vec<String> = here
            .iter()
            .map(|c| {
                let seat = race_label(c);
                let did = if c.signed {
                    "has signed"
                } else {
                    "has not signed yet"
                };
                format!("{} ({seat}) {did}", c.name)
            })
            .collect();
        let title = if people.is_empty() {
            format!("{state}: no candidate on this slate")
        } else {
            format!("{state}: {}", people.join("; "))
        };
        (class, title)
    })
}

#[derive(Template)]
#[template(path = "slate.html")]
struct SlatePage {
    partners: Vec<cohort_engine::dashboards::PartnerView>,
    /// The next confirmed joint events (at most three), soonest first.
    upcoming: Vec<UpcomingEvent>,
    /// (plank title, its support in the conversation when adopted).
    plank_support: Vec<(String, String)>,
    /// Who stands on each plank of the current compact.
    stands: Vec<crate::plank_stands::PlankStand>,
    map: UsMap,
    slate: SlateView,
    short_hash: String,
    candidates: Vec<CandidateLine>,
    pot: PotLines,
    signer_pct: i64,
    web: crate::endorsement_web::EndorsementWeb,
    /// Locked, though some money was already released (a signer withdrew,
    /// or pledges with their own conditions unlocked).
    broken: bool,
}

pub(crate) async fn slate(
    State(engine): State<Engine>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Response, PageError> {
    let slate = engine.slate_view(&slug).await?;
    let mut page = slate_page(slate);
    let now = engine.now();
    let mut upcoming: Vec<_> = engine
        .joint_events(&cohort_engine::Actor::Public, &slug, false)
        .await?
        .into_iter()
        .filter(|e| e.status == EventStatus::Confirmed && e.ends_at > now)
        .collect();
    upcoming.sort_by_key(|e| e.starts_at);
    page.upcoming = upcoming
        .into_iter()
        .take(3)
        .map(UpcomingEvent::from)
        .collect();
    page.partners = engine.partners(&slug).await?;
    page.plank_support = engine.plank_support(&slug).await?;
    page.stands = crate::plank_stands::load(&engine, &page.slate).await?;
    Ok(html(StatusCode::OK, &page))
}

/// A joint event as the slate page lists it.
struct UpcomingEvent {
    id: i64,
    title: String,
    kind: &'static str,
    /// "Tue, Dec 8, 7:00 PM EST" as the event's own page words it.
    when: String,
    hosts: String,
}

impl From<cohort_engine::joint_events::JointEventView> for UpcomingEvent {
    fn from(e: cohort_engine::joint_events::JointEventView) -> Self {
        let names: Vec<&str> = e.hosts.iter().map(|h| h.name.as_str()).collect();
        UpcomingEvent {
            id: e.id,
            kind: e.kind_label,
            when: e.starts_local.clone(),
            hosts: match names.as_slice() {
                [] => String::new(),
                [one] => (*one).to_owned(),
                [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
            },
            title: e.title,
        }
    }
}

impl SlatePage {
    /// The conversation support of the plank titled `title`, if it was adopted from it.
    fn stand(&self, title: &str) -> Option<&crate::plank_stands::PlankStand> {
        self.stands.iter().find(|s| s.title == title)
    }

    fn support(&self, title: &str) -> Option<&str> {
        self.plank_support
            .iter()
            .find(|(t, _)| t == title)
            .map(|(_, s)| s.as_str())
    }
}

fn slate_page(slate: SlateView) -> SlatePage {
    let latest = slate.compact.as_ref().map(|c| c.version);
    let waiting: HashMap<&str, String> = slate
        .waiting
        .iter()
        .map(|w| {
            let text = format!("{} and {} volunteer hours/week", w.cents, w.hours_per_week);
            (w.candidate.as_str(), text)
        })
        .collect();
    let candidates = slate
        .candidates
        .iter()
        .map(|c| CandidateLine {
            slug: c.slug.clone(),
            name: c.name.clone(),
            race: race_label(c),
            signed: c.signed,
            signed_old_version: c.signed_version.filter(|v| Some(*v) != latest),
            waiting: if c.signed {
                None
            } else {
                waiting.get(c.slug.as_str()).cloned()
            },
        })
        .collect();
    let short_hash = slate
        .compact
        .as_ref()
        .map(|c| c.hash.chars().take(12).collect())
        .unwrap_or_default();
    let tiles = candidates_map(&slate.candidates);
    let signed_states: Vec<&str> = tiles
        .iter()
        .filter(|t| t.class == "signed")
        .map(|t| t.state)
        .collect();
    let waiting_states: Vec<&str> = tiles
        .iter()
        .filter(|t| t.class == "waiting")
        .map(|t| t.state)
        .collect();
    let map_summary = format!(
        "Signers in: {}. Candidates who have not signed in: {}.",
        if signed_states.is_empty() {
            "none yet".to_owned()
        } else {
            signed_states.join(", ")
        },
        if waiting_states.is_empty() {
            "none".to_owned()
        } else {
            waiting_states.join(", ")
        },
    );
    SlatePage {
        partners: Vec::new(),
        upcoming: Vec::new(),
        plank_support: Vec::new(),
        stands: Vec::new(),
        map: UsMap {
            id: "map",
            title: "Map of the United States: states with a signer, and states with candidates who have not signed".to_owned(),
            summary: map_summary,
            tiles,
            online: None,
        },
        short_hash,
        candidates,
        pot: PotLines::new(&slate.pot),
        web: crate::endorsement_web::build(&slate),
        broken: !slate.unlocked && slate.pot.unlocked_cents > 0,
        signer_pct: percent(slate.signers as i64, slate.candidates.len() as i64),
        slate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_with_named_entities() {
        use askama::filters::Escaper;
        let mut out = String::new();
        NamedEntities
            .write_escaped_str(&mut out, r#"<script>alert("x" & 'y')</script> ✓"#)
            .unwrap();
        assert_eq!(
            out,
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt; ✓"
        );
    }

    #[test]
    fn percentages_are_bounded() {
        assert_eq!(percent(0, 0), 0);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(5, 5), 100);
        assert_eq!(percent(7, 5), 100);
    }

    #[test]
    fn races_read_like_people_say_them() {
        let mut c = CandidateView {
            slug: "a".into(),
            name: "A".into(),
            office: "us_house".into(),
            state: "NY".into(),
            district: Some("10".into()),
            primary_date: None,
            general_date: "2026-11-03".into(),
            signed: false,
            signed_version: None,
        };
        assert_eq!(race_label(&c), "U.S. House NY-10");
        c.office = "us_senate".into();
        c.district = None;
        assert_eq!(race_label(&c), "U.S. Senate NY");
    }
}
