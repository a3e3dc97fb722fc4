//! Skilled volunteer teams (issue 5) on the web: the volunteer profile, the
//! needs form for campaigns and organizers, the organizer's matching preview
//! with pins and confirmation, toolkits, each team's page with its weekly
//! hours log, and the public pledged-versus-logged status. Every form goes
//! through [`CsrfForm`]; the engine decides who may do what.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use cohort_engine::teams::{
    Adjustment, MatchPreview, NeedsBoard, Placement, ProfileInput, ProfileView, RoleInput,
    TeamInput, TeamStatus, TeamView,
};
use cohort_engine::Engine;
use serde::Deserialize;

use crate::app::{after_form, fixable, see_other, sign_in_first};
use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::pages::{html, PageError};
use crate::session::{CsrfForm, Viewer};

const TEAMS_CSS: &str = include_str!("../static/teams.css");

pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/me/volunteer", get(profile_page).post(save_profile))
        .route("/slates/{slug}/teams", get(status_page))
        .route(
            "/slates/{slug}/teams/needs",
            get(needs_page).post(post_needs),
        )
        .route("/slates/{slug}/teams/skills", post(add_skill))
        .route("/slates/{slug}/teams/match", get(match_page))
        .route("/slates/{slug}/teams/match/adjust", post(adjust))
        .route("/slates/{slug}/teams/match/confirm", post(confirm))
        .route(
            "/slates/{slug}/teams/toolkits",
            get(toolkits_page).post(edit_toolkit),
        )
        .route("/teams/{id}", get(team_page))
        .route("/teams/{id}/hours", post(log_hours))
        .route("/teams/{id}/mentor", post(set_mentor))
        .route("/teams/{id}/checkin.ics", get(checkin))
        .route("/static/teams.css", get(stylesheet))
}

async fn stylesheet() -> Response {
    crate::pages::asset("text/css; charset=utf-8", TEAMS_CSS)
}

fn status_for(problem: &Option<String>) -> StatusCode {
    if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct NoticeQuery {
    notice: Option<String>,
    candidate: Option<String>,
    kind: Option<String>,
}

/// Markdown from a toolkit, as blocks the template escapes: headings, list
/// items and paragraphs. Nothing a user typed ever becomes HTML.
#[derive(Debug)]
enum Block {
    Heading(String),
    Subheading(String),
    Item(String),
    Para(String),
}

fn blocks(md: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut para = String::new();
    let flush = |para: &mut String, out: &mut Vec<Block>| {
        if !para.trim().is_empty() {
            out.push(Block::Para(para.trim().to_owned()));
        }
        para.clear();
    };
    for line in md.lines() {
        let t = line.trim();
        if let Some(h) = t.strip_prefix("# ") {
            flush(&mut para, &mut out);
            out.push(Block::Heading(h.into()));
        } else if let Some(h) = t.strip_prefix("## ").or_else(|| t.strip_prefix("### ")) {
            flush(&mut para, &mut out);
            out.push(Block::Subheading(h.into()));
        } else if let Some(i) = t
            .strip_prefix("- ")
            .or_else(|| t.strip_prefix("* "))
            .or_else(|| t.strip_prefix("- [ ] "))
        {
            flush(&mut para, &mut out);
            out.push(Block::Item(i.trim_start_matches("[ ] ").into()));
        } else if t.is_empty() {
            flush(&mut para, &mut out);
        } else {
            if !para.is_empty() {
                para.push(' ');
            }
            para.push_str(t);
        }
    }
    flush(&mut para, &mut out);
    out
}

// ---------------------------------------------------------------- profile

#[derive(Template)]
#[template(path = "volunteer.html")]
struct ProfilePage {
    csrf: String,
    notice: Option<String>,
    problem: Option<String>,
    p: ProfileView,
}

async fn profile_page(
    State(engine): State<Engine>,
    viewer: Viewer,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first("/me/volunteer"));
    }
    let p = engine.volunteer_profile(&viewer.actor).await?;
    let notice = (q.notice.as_deref() == Some("saved"))
        .then(|| "Your volunteer profile is saved.".to_owned());
    Ok(html(
        StatusCode::OK,
        &ProfilePage {
            csrf: viewer.csrf,
            notice,
            problem: None,
            p,
        },
    ))
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

fn checked(form: &[(String, String)], name: &str) -> bool {
    form.iter().any(|(k, v)| k == name && !v.is_empty())
}

async fn save_profile(
    State(engine): State<Engine>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let input = ProfileInput {
        skills: form
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("skill.")?.to_owned(), v.clone())))
            .collect(),
        hours_per_week: field(&form, "hours_per_week").into(),
        weeks: field(&form, "weeks").into(),
        utc_offset: field(&form, "utc_offset").into(),
        state: field(&form, "state").into(),
        remote: field(&form, "remote") == "remote",
        languages: field(&form, "languages").into(),
        can_mentor: checked(&form, "can_mentor"),
    };
    match engine
        .save_volunteer_profile(&viewer.actor, input.clone())
        .await
    {
        Ok(()) => Ok(see_other("/me/volunteer?notice=saved", None)),
        Err(e) => {
            let problem = fixable(e)?;
            // Show what they typed, so nothing they wrote is lost.
            let mut p = engine.volunteer_profile(&viewer.actor).await?;
            for s in &mut p.skills {
                s.level = input
                    .skills
                    .iter()
                    .find(|(k, _)| *k == s.slug)
                    .and_then(|(_, v)| v.trim().parse().ok())
                    .unwrap_or(0);
            }
            p.hours_per_week = input.hours_per_week;
            p.weeks = input.weeks;
            p.utc_offset = input.utc_offset;
            p.state = input.state;
            p.remote = input.remote;
            p.languages = input.languages;
            p.can_mentor = input.can_mentor;
            Ok(html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ProfilePage {
                    csrf: viewer.csrf,
                    notice: None,
                    problem: Some(problem),
                    p,
                },
            ))
        }
    }
}

// ---------------------------------------------------------------- public status

#[derive(Template)]
#[template(path = "teams_status.html")]
struct StatusPage {
    s: TeamStatus,
    /// Whether the slate's condition holds now.
    unlocked: bool,
    /// Volunteer hours a week pledged to the slate: still locked, and unlocked.
    hours_locked: i64,
    hours_unlocked: i64,
}

async fn status_page(
    State(engine): State<Engine>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Response, PageError> {
    let s = engine.team_status(&slug).await?;
    let slate = engine.slate_view(&slug).await?;
    Ok(html(
        StatusCode::OK,
        &StatusPage {
            s,
            unlocked: slate.unlocked,
            hours_locked: slate.pot.hours_per_week_pending,
            hours_unlocked: slate.pot.hours_per_week_unlocked,
        },
    ))
}

// ---------------------------------------------------------------- needs

#[derive(Template)]
#[template(path = "teams_needs.html")]
struct NeedsPage {
    csrf: String,
    notice: Option<String>,
    problem: Option<String>,
    b: NeedsBoard,
}

async fn needs_page_for(
    engine: &Engine,
    viewer: &Viewer,
    slug: &str,
    choice: Option<(&str, &str)>,
    notice: Option<String>,
    mut problem: Option<String>,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first(&format!("/slates/{slug}/teams/needs")));
    }
    let b = match engine.needs_board(&viewer.actor, slug, choice).await {
        Ok(b) => b,
        Err(e) => {
            problem = Some(fixable(e)?);
            engine.needs_board(&viewer.actor, slug, None).await?
        }
    };
    Ok(html(
        status_for(&problem),
        &NeedsPage {
            csrf: viewer.csrf.clone(),
            notice,
            problem,
            b,
        },
    ))
}

async fn needs_page(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let notice = match q.notice.as_deref() {
        Some("posted") => Some("Needs posted. They join the next matching.".to_owned()),
        Some("skill") => Some("Skill added to this slate's list.".to_owned()),
        _ => None,
    };
    let choice = match (q.candidate.as_deref(), q.kind.as_deref()) {
        (Some(c), Some(k)) if !c.is_empty() && !k.is_empty() => Some((c, k)),
        _ => None,
    };
    needs_page_for(&engine, &viewer, &slug, choice, notice, None).await
}

async fn post_needs(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let count: usize = field(&form, "roles").parse().unwrap_or(0).min(20);
    let roles = (0..count)
        .map(|i| {
            let f = |name: &str| field(&form, &format!("r{i}.{name}")).to_owned();
            RoleInput {
                include: checked(&form, &format!("r{i}.include")),
                skill: f("skill"),
                min_level: f("min_level"),
                hours_per_week: f("hours_per_week"),
                weeks: f("weeks"),
                utc_offset: f("utc_offset"),
                state: f("state"),
                remote_ok: checked(&form, &format!("r{i}.remote_ok")),
                priority: f("priority"),
            }
        })
        .collect();
    let input = TeamInput {
        candidate: field(&form, "candidate").into(),
        kind: field(&form, "kind").into(),
        roles,
    };
    match engine.post_team(&viewer.actor, &slug, input.clone()).await {
        Ok(_) => Ok(see_other(
            &format!("/slates/{slug}/teams/needs?notice=posted"),
            None,
        )),
        Err(e) => {
            let problem = fixable(e)?;
            needs_page_for(
                &engine,
                &viewer,
                &slug,
                Some((input.candidate.as_str(), input.kind.as_str())),
                None,
                Some(problem),
            )
            .await
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct SkillForm {
    slug: String,
    label: String,
    person: String,
}

async fn add_skill(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(form): CsrfForm<SkillForm>,
) -> Result<Response, PageError> {
    let done = engine
        .add_skill(&viewer.actor, &slug, &form.slug, &form.label, &form.person)
        .await;
    after_form(
        done,
        &format!("/slates/{slug}/teams/needs?notice=skill"),
        |problem| needs_page_for(&engine, &viewer, &slug, None, None, Some(problem)),
    )
    .await
}

// ---------------------------------------------------------------- matching

#[derive(Template)]
#[template(path = "teams_match.html")]
struct MatchPage {
    csrf: String,
    notice: Option<String>,
    problem: Option<String>,
    m: MatchPreview,
    groups: Vec<Group>,
}

/// One team of the preview: each open role, filled or with why not.
struct Group {
    team: String,
    rows: Vec<Row>,
}

struct Row {
    need_id: i64,
    role: String,
    placed: Option<Placement>,
    reason: String,
}

fn groups(m: &MatchPreview) -> Vec<Group> {
    let mut rows: Vec<(String, Row)> = m
        .placements
        .iter()
        .map(|p| {
            (
                p.team.clone(),
                Row {
                    need_id: p.need_id,
                    role: p.role.clone(),
                    placed: Some(p.clone()),
                    reason: String::new(),
                },
            )
        })
        .chain(m.unfilled.iter().map(|u| {
            (
                u.team.clone(),
                Row {
                    need_id: u.need_id,
                    role: u.role.clone(),
                    placed: None,
                    reason: u.reason.clone(),
                },
            )
        }))
        .collect();
    rows.sort_by_key(|(_, r)| r.need_id);
    let mut out: Vec<Group> = Vec::new();
    for (team, row) in rows {
        match out.iter_mut().find(|g| g.team == team) {
            Some(g) => g.rows.push(row),
            None => out.push(Group {
                team,
                rows: vec![row],
            }),
        }
    }
    out
}

async fn match_page_for(
    engine: &Engine,
    viewer: &Viewer,
    slug: &str,
    notice: Option<String>,
    problem: Option<String>,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first(&format!("/slates/{slug}/teams/match")));
    }
    let m = engine.match_preview(&viewer.actor, slug).await?;
    Ok(html(
        status_for(&problem),
        &MatchPage {
            csrf: viewer.csrf.clone(),
            notice,
            problem,
            groups: groups(&m),
            m,
        },
    ))
}

async fn match_page(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let notice = q.notice.as_deref().and_then(|n| match n {
        "adjusted" => Some("Adjusted. The rest of the matching was solved again around it.".to_owned()),
        "confirmed" => Some(
            "Confirmed. Every placed volunteer and each team lead is being emailed their team, mentor, toolkits and check-in.".to_owned(),
        ),
        _ => None,
    });
    match_page_for(&engine, &viewer, &slug, notice, None).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct AdjustForm {
    need: String,
    #[serde(default)]
    volunteer: String,
    action: String,
}

async fn adjust(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(form): CsrfForm<AdjustForm>,
) -> Result<Response, PageError> {
    let how = match form.action.as_str() {
        "pin" => Adjustment::Pin,
        "unassign" => Adjustment::Unassign,
        "clear" => Adjustment::Clear,
        other => {
            return Err(ApiError::invalid("action", format!("unknown action {other:?}")).into())
        }
    };
    let need: i64 = form
        .need
        .trim()
        .parse()
        .map_err(|_| ApiError::invalid("role", "choose a role"))?;
    let volunteer: i64 = match (how, form.volunteer.trim().parse()) {
        (Adjustment::Clear, _) => 0,
        (_, Ok(v)) => v,
        (_, Err(_)) => return Err(ApiError::invalid("volunteer", "choose a volunteer").into()),
    };
    let done = engine
        .adjust_match(&viewer.actor, &slug, need, volunteer, how)
        .await;
    after_form(
        done,
        &format!("/slates/{slug}/teams/match?notice=adjusted"),
        |problem| match_page_for(&engine, &viewer, &slug, None, Some(problem)),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct ConfirmForm {
    fingerprint: String,
}

async fn confirm(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> Result<Response, PageError> {
    let done = engine
        .confirm_match(&viewer.actor, &slug, &form.fingerprint)
        .await;
    after_form(
        done,
        &format!("/slates/{slug}/teams/match?notice=confirmed"),
        |problem| match_page_for(&engine, &viewer, &slug, None, Some(problem)),
    )
    .await
}

// ---------------------------------------------------------------- toolkits

struct KitView {
    role: String,
    markdown: String,
    edited: bool,
    id: String,
}

#[derive(Template)]
#[template(path = "teams_toolkits.html")]
struct ToolkitsPage {
    csrf: String,
    slug: String,
    notice: Option<String>,
    problem: Option<String>,
    kits: Vec<KitView>,
}

async fn toolkits_page_for(
    engine: &Engine,
    viewer: &Viewer,
    slug: &str,
    notice: Option<String>,
    problem: Option<String>,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first(&format!("/slates/{slug}/teams/toolkits")));
    }
    let kits = engine
        .slate_toolkits(&viewer.actor, slug)
        .await?
        .into_iter()
        .map(|(role, markdown, edited)| KitView {
            id: role.replace(|c: char| !c.is_ascii_alphanumeric(), "-"),
            role,
            markdown,
            edited,
        })
        .collect();
    Ok(html(
        status_for(&problem),
        &ToolkitsPage {
            csrf: viewer.csrf.clone(),
            slug: slug.to_owned(),
            notice,
            problem,
            kits,
        },
    ))
}

async fn toolkits_page(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let notice = (q.notice.as_deref() == Some("saved"))
        .then(|| "Toolkit saved. Teams see it from now on.".to_owned());
    toolkits_page_for(&engine, &viewer, &slug, notice, None).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct ToolkitForm {
    role: String,
    #[serde(default)]
    markdown: String,
    #[serde(default)]
    reset: Option<String>,
}

async fn edit_toolkit(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(form): CsrfForm<ToolkitForm>,
) -> Result<Response, PageError> {
    let markdown = form.reset.is_none().then_some(form.markdown.as_str());
    let done = engine
        .edit_toolkit(&viewer.actor, &slug, &form.role, markdown)
        .await;
    after_form(
        done,
        &format!("/slates/{slug}/teams/toolkits?notice=saved"),
        |problem| toolkits_page_for(&engine, &viewer, &slug, None, Some(problem)),
    )
    .await
}

// ---------------------------------------------------------------- a team

#[derive(Template)]
#[template(path = "teams_team.html")]
struct TeamPage {
    csrf: String,
    notice: Option<String>,
    problem: Option<String>,
    t: TeamView,
    kits: Vec<(String, Vec<Block>)>,
    this_week: String,
}

async fn team_page_for(
    engine: &Engine,
    viewer: &Viewer,
    id: i64,
    notice: Option<String>,
    problem: Option<String>,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first(&format!("/teams/{id}")));
    }
    let t = engine.team_view(&viewer.actor, id).await?;
    let kits = t
        .toolkits
        .iter()
        .map(|(role, md)| (role.clone(), blocks(md)))
        .collect();
    Ok(html(
        status_for(&problem),
        &TeamPage {
            csrf: viewer.csrf.clone(),
            notice,
            problem,
            t,
            kits,
            this_week: engine.today().to_string(),
        },
    ))
}

async fn team_page(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let notice = q.notice.as_deref().and_then(|n| match n {
        "hours" => Some("Hours saved. Thank you.".to_owned()),
        "mentor" => Some("Mentor saved.".to_owned()),
        _ => None,
    });
    team_page_for(&engine, &viewer, id, notice, None).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct HoursForm {
    week: String,
    hours: String,
}

async fn log_hours(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
    CsrfForm(form): CsrfForm<HoursForm>,
) -> Result<Response, PageError> {
    let done = engine
        .log_hours(&viewer.actor, id, &form.week, &form.hours)
        .await;
    after_form(done, &format!("/teams/{id}?notice=hours"), |problem| {
        team_page_for(&engine, &viewer, id, None, Some(problem))
    })
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct MentorForm {
    mentor: String,
}

async fn set_mentor(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
    CsrfForm(form): CsrfForm<MentorForm>,
) -> Result<Response, PageError> {
    let mentor: i64 = form
        .mentor
        .trim()
        .parse()
        .map_err(|_| ApiError::invalid("mentor", "choose a mentor"))?;
    let done = engine.set_mentor(&viewer.actor, id, mentor).await;
    after_form(done, &format!("/teams/{id}?notice=mentor"), |problem| {
        team_page_for(&engine, &viewer, id, None, Some(problem))
    })
    .await
}

async fn checkin(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, PageError> {
    let ics = engine.team_checkin(&viewer.actor, id).await?;
    Ok((
        [
            (CONTENT_TYPE, "text/calendar; charset=utf-8".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"team-{id}-check-in.ics\""),
            ),
            (CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        ics,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toolkit_markdown_becomes_plain_blocks() {
        let b = blocks(
            "# Kit\n\nIntro line\ncontinues.\n\n## Week one\n- [ ] Do <b>this</b>\n- that\n",
        );
        let shown: Vec<String> = b.iter().map(|b| format!("{b:?}")).collect();
        assert_eq!(
            shown,
            [
                "Heading(\"Kit\")",
                "Para(\"Intro line continues.\")",
                "Subheading(\"Week one\")",
                "Item(\"Do <b>this</b>\")",
                "Item(\"that\")",
            ]
        );
    }
}
