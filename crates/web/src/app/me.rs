//! The supporter's dashboard: their pledges as people read them, roles and profile.

use super::*;

/// `/me`, its profile form and cancelling one of one's own pledges.
pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/me", get(me))
        .route("/me/profile", post(update_profile))
        .route("/me/pledges/{id}/cancel", post(cancel_mine))
}

/// A pledge formatted for its pledger.
pub(crate) struct PledgeCard {
    pub(super) id: i64,
    pub(super) slate: String,
    pub(super) slate_name: String,
    pub(super) what: String,
    pub(super) status: String,
    pub(super) status_label: String,
    pub(super) condition_text: String,
    pub(super) deadline: String,
    pub(super) allocations: Vec<String>,
    pub(super) unallocated: Option<String>,
    pub(super) cancellable: bool,
    pub(super) stoppable: bool,
    /// Pauses "only while the bloc holds" (issue 15), oldest first.
    pub(super) pauses: Vec<cohort_engine::PauseView>,
}

fn describe(v: &PledgeView) -> String {
    match &v.kind {
        PledgeKind::Money {
            amount,
            recurring: Recurrence::Monthly,
        } => format!("{amount} a month"),
        PledgeKind::Money { amount, .. } => amount.to_string(),
        PledgeKind::Hours {
            hours_per_week,
            weeks,
            ..
        } => format!("{hours_per_week} hours a week for {weeks} weeks"),
        PledgeKind::Actions(a) => {
            format!("{} doors, {} calls, {} texts", a.doors, a.calls, a.texts)
        }
    }
}

fn status_label(status: PledgeStatus) -> &'static str {
    match status {
        PledgeStatus::Pending => "Locked: waiting for the condition",
        PledgeStatus::Unlocked => "Unlocked",
        PledgeStatus::Fulfilled => "Fulfilled",
        PledgeStatus::Expired => "Expired: the deadline passed; nothing was charged",
        PledgeStatus::Cancelled => "Cancelled",
        PledgeStatus::PaymentFailed => {
            "Payment failed: the card was not fixed in time; nothing was charged"
        }
        PledgeStatus::Stopped => {
            "Stopped: no new month is split or charged; the months already given stay with the candidates"
        }
    }
}

pub(super) fn card(v: &PledgeView, slate: &SlateView) -> PledgeCard {
    let names: HashMap<&str, &str> = slate
        .candidates
        .iter()
        .map(|c| (c.slug.as_str(), c.name.as_str()))
        .collect();
    PledgeCard {
        id: v.id,
        slate: v.slate.clone(),
        slate_name: slate.name.clone(),
        what: describe(v),
        status: v.status.as_str().to_owned(),
        status_label: status_label(v.status).to_owned(),
        condition_text: v.condition_text.clone(),
        deadline: v.deadline.clone(),
        allocations: v
            .allocations
            .iter()
            .map(|a| {
                let month = if a.period > 0 {
                    format!(", month {}", a.period + 1)
                } else {
                    String::new()
                };
                format!(
                    "{} to {} ({} election{month})",
                    a.cents,
                    names
                        .get(a.candidate.as_str())
                        .copied()
                        .unwrap_or(&a.candidate),
                    a.election
                )
            })
            .collect(),
        unallocated: (v.unallocated_cents > Cents::ZERO).then(|| v.unallocated_cents.to_string()),
        cancellable: cancellable(v.status),
        stoppable: stoppable(v.status, &v.kind),
        pauses: v.pauses.clone(),
    }
}

struct RoleLink {
    href: String,
    label: String,
}

fn role_link(r: &RoleView) -> Option<RoleLink> {
    let slate = r.slate.as_ref()?;
    let slate_name = r.slate_name.clone().unwrap_or_default();
    Some(match r.role {
        Role::Organizer => RoleLink {
            href: format!("/slates/{slate}/organize"),
            label: format!("Organize {slate_name}"),
        },
        Role::Candidate => RoleLink {
            href: format!(
                "/slates/{slate}/campaign?candidate={}",
                r.candidate.clone().unwrap_or_default()
            ),
            label: format!(
                "Campaign dashboard: {} on {slate_name}",
                r.candidate_name.clone().unwrap_or_default()
            ),
        },
        Role::Partner => RoleLink {
            href: format!(
                "/slates/{slate}/partners/{}",
                r.partner.clone().unwrap_or_default()
            ),
            label: format!("Your partner organization's page on {slate_name}"),
        },
    })
}

#[derive(Template)]
#[template(path = "me.html")]
struct MePage {
    csrf: String,
    email: String,
    name: String,
    prefs: String,
    has_password: bool,
    pledges: Vec<PledgeCard>,
    roles: Vec<RoleLink>,
    notice: Option<String>,
    problem: Option<String>,
}

async fn slate_views(
    engine: &Engine,
    pledges: &[PledgeView],
) -> Result<HashMap<String, SlateView>, PageError> {
    let mut slates = HashMap::new();
    for p in pledges {
        if !slates.contains_key(&p.slate) {
            slates.insert(p.slate.clone(), engine.slate_view(&p.slate).await?);
        }
    }
    Ok(slates)
}

async fn me_page(
    engine: &Engine,
    viewer: &Viewer,
    notice: Option<String>,
    problem: Option<String>,
) -> Result<Response, PageError> {
    let Some(account) = viewer.actor.account() else {
        return Ok(sign_in_first("/me"));
    };
    let views = engine.my_pledges(account).await?;
    let slates = slate_views(engine, &views).await?;
    let pledges = views
        .iter()
        .filter_map(|v| slates.get(&v.slate).map(|s| card(v, s)))
        .collect();
    let mut roles: Vec<RoleLink> = engine
        .roles(account)
        .await?
        .iter()
        .filter_map(role_link)
        .collect();
    if viewer
        .actor
        .grants()
        .iter()
        .any(|g| g.role == Role::Organizer && g.slate_id.is_none())
    {
        for s in engine.slates().await? {
            roles.push(RoleLink {
                href: format!("/slates/{}/organize", s.slug),
                label: format!("Organize {}", s.name),
            });
        }
    }
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(html(
        status,
        &MePage {
            csrf: viewer.csrf.clone(),
            email: account.user.email.to_string(),
            name: account.user.name.clone(),
            prefs: account.user.email_prefs.as_str().to_owned(),
            has_password: account.user.password_hash.is_some(),
            pledges,
            roles,
            notice,
            problem,
        },
    ))
}

pub(crate) async fn me(
    State(engine): State<Engine>,
    viewer: Viewer,
    Query(q): Query<NextQuery>,
) -> Result<Response, PageError> {
    let notice = q.notice.as_deref().and_then(|n| match n {
        "cancelled" => Some(CANCELLED.to_owned()),
        "stopped" => Some(STOPPED.to_owned()),
        "saved" => Some("Saved.".to_owned()),
        "password" => Some("Your password is set.".to_owned()),
        _ => None,
    });
    me_page(&engine, &viewer, notice, None).await
}

pub(crate) async fn cancel_mine(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let account = viewer.account()?;
    let done = engine.cancel_mine(account, id).await;
    let to = format!("/me?notice={}", done.as_ref().map_or("", |e| notice_of(*e)));
    after_form(done, &to, |problem| {
        me_page(&engine, &viewer, None, Some(problem))
    })
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct ProfileForm {
    name: String,
    email_prefs: String,
}

pub(crate) async fn update_profile(
    State(engine): State<Engine>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<Response, PageError> {
    let account = viewer.account()?;
    let done = engine
        .update_profile(account, &form.name, &form.email_prefs)
        .await;
    after_form(done, "/me?notice=saved", |problem| {
        me_page(&engine, &viewer, None, Some(problem))
    })
    .await
}
