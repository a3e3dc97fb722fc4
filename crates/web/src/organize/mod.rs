//! The organizer's dashboard (issue 16, defect 9), one page per section
//! behind one section nav: the overview (totals, the chart, allocations,
//! who holds a role and invitations), candidates, the compact, partner
//! organizations, exports and primaries. Every section asks the engine,
//! which refuses anyone but the slate's organizers. The forms each section
//! posts are in `forms`; the public partner page is in `partner_page`.

mod chart;
mod forms;
mod partner_page;
mod planks;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use cohort_core::model::Office;
use cohort_core::Cents;
use cohort_engine::{Engine, SlateView};
use cohort_store::Role;
use serde::Deserialize;

use crate::app::{role_label, sign_in_first};
use crate::extract::ApiPath;
use crate::pages::{html, race_label, PageError};
use crate::session::Viewer;
use chart::Chart;
use planks::PlankRow;

pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/slates/{slug}/organize", get(overview))
        .route("/slates/{slug}/organize/invite", post(forms::invite))
        .route(
            "/slates/{slug}/organize/candidates",
            get(candidates).post(forms::add_candidate),
        )
        .route(
            "/slates/{slug}/organize/compact",
            get(compact).post(forms::publish_compact),
        )
        .route(
            "/slates/{slug}/organize/partners",
            get(partners).post(forms::add_partner),
        )
        .route("/slates/{slug}/organize/exports", get(exports))
        .route("/slates/{slug}/organize/primaries", get(primaries))
        .route(
            "/slates/{slug}/partners/{code}",
            get(partner_page::partner_page),
        )
}

/// A section of the dashboard: its own page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Section {
    Overview,
    Candidates,
    Compact,
    Partners,
    Exports,
    Primaries,
}

impl Section {
    const ALL: [Section; 6] = [
        Section::Overview,
        Section::Candidates,
        Section::Compact,
        Section::Partners,
        Section::Exports,
        Section::Primaries,
    ];

    fn name(self) -> &'static str {
        match self {
            Section::Overview => "overview",
            Section::Candidates => "candidates",
            Section::Compact => "compact",
            Section::Partners => "partners",
            Section::Exports => "exports",
            Section::Primaries => "primaries",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Section::Overview => "Overview",
            Section::Candidates => "Candidates",
            Section::Compact => "The compact",
            Section::Partners => "Partners",
            Section::Exports => "Exports and records",
            Section::Primaries => "Primaries",
        }
    }

    pub(crate) fn href(self, slug: &str) -> String {
        match self {
            Section::Overview => format!("/slates/{slug}/organize"),
            s => format!("/slates/{slug}/organize/{}", s.name()),
        }
    }
}

/// One link of the section nav.
struct NavLink {
    href: String,
    label: &'static str,
    current: bool,
}

/// A partner organization with what its link has brought.
struct PartnerLine {
    code: String,
    name: String,
    pledgers: i64,
    pledges: i64,
    money: String,
    hours: i64,
}

/// One candidate as the candidates section lists them.
struct CandidateLine {
    slug: String,
    name: String,
    race: String,
    signed: bool,
}

#[derive(Template, Default)]
#[template(path = "organize.html")]
struct OrganizePage {
    csrf: String,
    slug: String,
    slate_name: String,
    section: &'static str,
    heading: &'static str,
    nav: Vec<NavLink>,
    notice: Option<String>,
    problem: Option<String>,
    // The overview.
    condition_text: String,
    pending: String,
    unlocked: String,
    pledgers: i64,
    signers: u64,
    candidate_count: usize,
    totals: Vec<(String, String, i64)>,
    members: Vec<(String, String, String)>,
    chart: Option<Chart>,
    /// Whom an invitation can be for: (value, label).
    invite_roles: Vec<(String, String)>,
    // Candidates and primaries.
    candidates: Vec<CandidateLine>,
    offices: Vec<(&'static str, &'static str)>,
    // The compact.
    commitment_rows: Vec<crate::compact_form::CommitmentRow>,
    measures: [(&'static str, &'static str); 4],
    kinds: Vec<(&'static str, &'static str)>,
    planks: Vec<PlankRow>,
    next_version: i32,
    // Partners.
    partners: Vec<PartnerLine>,
}

/// What a section's form kept after a refusal, shown again as typed.
#[derive(Default)]
pub(crate) struct Kept {
    pub commitments: Option<Vec<crate::compact_form::CommitmentRow>>,
    pub planks: Option<Vec<PlankRow>>,
}

/// A section's page, with a notice after a form succeeded or the problem
/// when it was refused (then with what was typed, and status 422).
pub(crate) async fn section_page(
    engine: &Engine,
    viewer: &Viewer,
    slug: &str,
    section: Section,
    notice: Option<String>,
    problem: Option<String>,
    kept: Kept,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first(&section.href(slug)));
    }
    // Organizers only, whatever the section shows.
    let slate = engine.slate_to_edit(&viewer.actor, slug).await?;
    let mut page = OrganizePage {
        csrf: viewer.csrf.clone(),
        slug: slate.slug.clone(),
        slate_name: slate.name.clone(),
        section: section.name(),
        heading: section.label(),
        nav: Section::ALL
            .iter()
            .map(|s| NavLink {
                href: s.href(&slate.slug),
                label: s.label(),
                current: *s == section,
            })
            .collect(),
        notice,
        candidates: slate
            .candidates
            .iter()
            .map(|c| CandidateLine {
                slug: c.slug.clone(),
                name: c.name.clone(),
                race: race_label(c),
                signed: c.signed,
            })
            .collect(),
        ..OrganizePage::default()
    };
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page.problem = problem;
    match section {
        Section::Overview => overview_parts(engine, viewer, &slate, &mut page).await?,
        Section::Candidates => {
            page.offices = Office::ALL
                .iter()
                .map(|o| (o.as_str(), o.label()))
                .collect();
        }
        Section::Compact => {
            let compact = slate.compact.as_ref();
            page.commitment_rows = kept
                .commitments
                .unwrap_or_else(|| crate::compact_form::rows(compact));
            page.measures = crate::compact_form::MEASURES;
            page.kinds = crate::compact_form::kinds();
            page.planks = planks::rows(
                kept.planks,
                compact.map(|c| c.planks.as_slice()).unwrap_or_default(),
            );
            page.next_version = compact.map_or(1, |c| c.version + 1);
        }
        Section::Partners => {
            page.partners = engine
                .partner_totals(&viewer.actor, slug)
                .await?
                .into_iter()
                .map(|(p, t)| PartnerLine {
                    code: p.code,
                    name: p.name,
                    pledgers: t.pledgers,
                    pledges: t.pledges,
                    money: Cents(t.cents).to_string(),
                    hours: t.hours_per_week,
                })
                .collect();
        }
        Section::Exports | Section::Primaries => {}
    }
    Ok(html(status, &page))
}

/// The overview's figures, chart, allocations and people.
async fn overview_parts(
    engine: &Engine,
    viewer: &Viewer,
    slate: &SlateView,
    page: &mut OrganizePage,
) -> Result<(), PageError> {
    let slug = slate.slug.as_str();
    let totals = engine.allocations(&viewer.actor, slug).await?;
    let members = engine.members(&viewer.actor, slug).await?;
    let partners = engine.partners(slug).await?;
    let history = engine.pot_history(&viewer.actor, slug).await?;
    let name_of = |c: &str| {
        slate
            .candidates
            .iter()
            .find(|x| x.slug == c)
            .map_or_else(|| c.to_owned(), |x| x.name.clone())
    };
    page.condition_text = slate.condition_text.clone();
    page.pending = Cents(slate.pot.pending_cents).to_string();
    page.unlocked = Cents(slate.pot.unlocked_cents).to_string();
    page.pledgers = slate.pot.pledgers;
    page.signers = slate.signers;
    page.candidate_count = slate.candidates.len();
    page.totals = totals
        .iter()
        .map(|t| (t.name.clone(), Cents(t.cents).to_string(), t.contributions))
        .collect();
    page.members = members
        .into_iter()
        .map(|(email, name, role, c)| {
            let role = match (role, c) {
                (Role::Candidate, Some(c)) => format!("Campaign account of {}", name_of(&c)),
                (r, _) => {
                    let mut s = role_label(r)
                        .trim_start_matches("an ")
                        .trim_start_matches("a ")
                        .to_owned();
                    if let Some(f) = s.get_mut(0..1) {
                        f.make_ascii_uppercase();
                    }
                    s
                }
            };
            (email, name, role)
        })
        .collect();
    page.chart = Some(Chart::new(&history));
    page.invite_roles = slate
        .candidates
        .iter()
        .map(|c| {
            (
                format!("candidate:{}", c.slug),
                format!("{}'s campaign account", c.name),
            )
        })
        .chain([(
            "organizer".to_owned(),
            "A co-organizer of this slate".to_owned(),
        )])
        .chain(partners.into_iter().map(|p| {
            (
                format!("partner:{}", p.code),
                format!("The admin of {} (partner)", p.name),
            )
        }))
        .collect();
    Ok(())
}

#[derive(Debug, Deserialize)]
pub(crate) struct NoticeQuery {
    notice: Option<String>,
}

/// What the notice a form redirected with says.
fn notice_text(n: Option<&str>) -> Option<String> {
    Some(match n? {
        "created" => "Your slate exists. Add candidates and publish the compact they will sign.",
        "candidate" => "Candidate added. Invite their campaign from the overview.",
        "compact" => "New compact version published.",
        "invited" => "Invitation sent.",
        "partner" => "Partner organization added.",
        "edited" => "Slate saved. Pledges already made keep the condition they were made under.",
        "primary" => "Recorded. No new money goes to that candidate, and each donor of their general-election money was asked to choose a refund or a redesignation.",
        _ => return None,
    }
    .to_owned())
}

async fn show(
    engine: Engine,
    viewer: Viewer,
    slug: String,
    section: Section,
    q: NoticeQuery,
) -> Result<Response, PageError> {
    let notice = notice_text(q.notice.as_deref());
    section_page(
        &engine,
        &viewer,
        &slug,
        section,
        notice,
        None,
        Kept::default(),
    )
    .await
}

macro_rules! section_handler {
    ($name:ident, $section:expr) => {
        async fn $name(
            State(engine): State<Engine>,
            viewer: Viewer,
            ApiPath(slug): ApiPath<String>,
            Query(q): Query<NoticeQuery>,
        ) -> Result<Response, PageError> {
            show(engine, viewer, slug, $section, q).await
        }
    };
}

section_handler!(overview, Section::Overview);
section_handler!(candidates, Section::Candidates);
section_handler!(compact, Section::Compact);
section_handler!(partners, Section::Partners);
section_handler!(exports, Section::Exports);
section_handler!(primaries, Section::Primaries);
