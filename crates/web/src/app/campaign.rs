//! The campaign dashboard and its actions.

use super::*;

/// `/slates/{slug}/campaign`.
pub(crate) fn routes() -> Router<Engine> {
    Router::new().route(
        "/slates/{slug}/campaign",
        get(campaign_page).post(campaign_action),
    )
}

struct Fellow {
    slug: String,
    name: String,
    race: String,
    signed: bool,
    endorsed: bool,
    endorses_me: bool,
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct CampaignPage {
    csrf: String,
    slug: String,
    slate_name: String,
    candidate: String,
    name: String,
    notice: Option<String>,
    problem: Option<String>,
    blocking: Vec<String>,
    waiting_label: &'static str,
    waiting: String,
    waiting_hours: i64,
    unlocked: String,
    contributions: i64,
    version: Option<i32>,
    signed_version: Option<i32>,
    changes_since: i32,
    added: Vec<String>,
    removed: Vec<String>,
    commitments: Vec<String>,
    planks: Vec<cohort_core::model::Plank>,
    fellows: Vec<Fellow>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CandidateQuery {
    candidate: Option<String>,
    notice: Option<String>,
}

pub(crate) async fn campaign_page_for(
    engine: &Engine,
    viewer: &Viewer,
    slug: &str,
    wanted: Option<&str>,
    notice: Option<String>,
    problem: Option<String>,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first(&format!("/slates/{slug}/campaign")));
    }
    let slate = engine.slate_view(slug).await?;
    let slugs = engine.my_campaigns(&viewer.actor, slug).await?;
    let mine: Vec<&cohort_engine::CandidateView> = slate
        .candidates
        .iter()
        .filter(|c| slugs.contains(&c.slug))
        .collect();
    let me = match wanted {
        Some(w) => mine.iter().find(|c| c.slug == w).copied(),
        None => mine.first().copied(),
    };
    let Some(me) = me else {
        return Err(EngineError::Forbidden(format!(
            "only a candidate's own campaign account may open the campaign dashboard of {}",
            slate.name
        ))
        .into());
    };
    let totals = engine
        .campaign_totals(&viewer.actor, slug, &me.slug)
        .await?;
    // Before signing: what signing would bring. After: this campaign's share
    // of what is still locked, which reaches it when the slate unlocks.
    let (waiting_label, waiting) = if me.signed {
        (
            if slate.blocking.is_empty() {
                "Still locked for you (pledges with their own conditions)"
            } else {
                "Reaches you when the slate unlocks"
            },
            slate.on_unlock.iter().find(|w| w.candidate == me.slug),
        )
    } else {
        (
            "Waiting for you if you sign",
            slate.waiting.iter().find(|w| w.candidate == me.slug),
        )
    };
    let (version, commitments, planks) = match &slate.compact {
        Some(c) => (Some(c.version), c.commitments.clone(), c.planks.clone()),
        None => (None, Vec::new(), Vec::new()),
    };
    let changes = match &slate.compact {
        Some(latest) => {
            // Changes since the version this account last saw; on a first
            // look, since the version the candidate signed.
            let last_seen = engine
                .saw_compact(&viewer.actor, slug, latest.version)
                .await?;
            engine
                .compact_changes(slug, last_seen.or(me.signed_version), latest)
                .await?
        }
        None => Default::default(),
    };
    let fellows = slate
        .candidates
        .iter()
        .filter(|c| c.slug != me.slug)
        .map(|c| Fellow {
            slug: c.slug.clone(),
            name: c.name.clone(),
            race: race_label(c),
            signed: c.signed,
            endorsed: slate
                .endorsements
                .iter()
                .any(|e| e.from == me.slug && e.to == c.slug),
            endorses_me: slate
                .endorsements
                .iter()
                .any(|e| e.from == c.slug && e.to == me.slug),
        })
        .collect();
    let status = if problem.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    Ok(html(
        status,
        &CampaignPage {
            csrf: viewer.csrf.clone(),
            slug: slate.slug.clone(),
            slate_name: slate.name.clone(),
            candidate: me.slug.clone(),
            name: me.name.clone(),
            notice,
            problem,
            blocking: slate.blocking.clone(),
            waiting_label,
            waiting: waiting.map_or(Cents::ZERO, |w| w.cents).to_string(),
            waiting_hours: waiting.map_or(0, |w| w.hours_per_week),
            unlocked: Cents(totals.0).to_string(),
            contributions: totals.1,
            version,
            signed_version: me.signed_version,
            changes_since: changes.since.unwrap_or(0),
            added: changes.added,
            removed: changes.removed,
            commitments,
            planks,
            fellows,
        },
    ))
}

pub(crate) async fn campaign_page(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    Query(q): Query<CandidateQuery>,
) -> Result<Response, PageError> {
    let notice = q.notice.as_deref().and_then(|n| match n {
        "signed" => Some(
            "Signed. Every pledge that was waiting on your signature has been re-checked."
                .to_owned(),
        ),
        "withdrawn" => Some("Your signature is withdrawn.".to_owned()),
        "endorsed" => Some("Endorsement recorded.".to_owned()),
        "unendorsed" => Some("Endorsement withdrawn.".to_owned()),
        _ => None,
    });
    campaign_page_for(
        &engine,
        &viewer,
        &slug,
        q.candidate.as_deref(),
        notice,
        None,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct CampaignForm {
    pub(crate) action: String,
    pub(crate) candidate: String,
    #[serde(default)]
    pub(crate) version: Option<i32>,
    #[serde(default)]
    to: Option<String>,
    /// The compact hash the candidate confirmed (issue 16: no signing unseen).
    #[serde(default)]
    pub(crate) hash: Option<String>,
    /// `yes` once a confirmation page was answered.
    #[serde(default)]
    pub(crate) confirm: Option<String>,
}

pub(crate) async fn campaign_action(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(form): CsrfForm<CampaignForm>,
) -> Result<Response, PageError> {
    let actor = &viewer.actor;
    let c = form.candidate.as_str();
    let to = form.to.as_deref().unwrap_or("");
    let (outcome, done) = match form.action.as_str() {
        "sign" => return campaign_confirm::sign(&engine, &viewer, &slug, &form).await,
        "endorse_all" => {
            return campaign_confirm::endorse_all(&engine, &viewer, &slug, &form).await
        }
        "withdraw" => (engine.withdraw(actor, &slug, c).await, "withdrawn"),
        "endorse" => (engine.endorse(actor, &slug, c, to).await, "endorsed"),
        "unendorse" => (engine.unendorse(actor, &slug, c, to).await, "unendorsed"),
        other => {
            return Err(ApiError::invalid("action", format!("unknown action {other:?}")).into());
        }
    };
    match outcome {
        Ok(_) => Ok(see_other(
            &format!("/slates/{slug}/campaign?candidate={c}&notice={done}"),
            None,
        )),
        Err(e) => {
            campaign_page_for(&engine, &viewer, &slug, Some(c), None, Some(fixable(e)?)).await
        }
    }
}
