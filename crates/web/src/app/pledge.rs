//! A pledge's private page (through its receipt link): see, cancel or stop it.

use super::*;

/// `/pledges/{id}` and its cancel and stop forms.
pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/pledges/{id}", get(pledge_page))
        .route("/pledges/{id}/cancel", post(pledge_cancel))
        .route("/pledges/{id}/stop", post(pledge_stop))
}

#[derive(Template)]
#[template(path = "pledge.html")]
struct PledgePage {
    card: Option<CardForm>,
    pledge_only: bool,
    money: bool,
    csrf: String,
    p: PledgeCard,
    token: String,
    email: String,
    is_new: bool,
    notice: Option<String>,
    problem: Option<String>,
    /// An hours pledge whose pledger has no volunteer profile yet.
    needs_volunteer_profile: bool,
    /// The form's address with the supporter's own referral code.
    share_link: String,
    /// How many people have pledged through that link.
    shared_with: i64,
    /// Its receipt commitment's place in the transparency log.
    proof: crate::log_proof::ProofBox,
    proof_intro: &'static str,
}

#[derive(Debug, Deserialize)]
pub(crate) struct TokenQuery {
    #[serde(default)]
    token: String,
    new: Option<String>,
    notice: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn pledge_page_for(
    engine: &Engine,
    viewer: &Viewer,
    config: &CardConfig,
    log_key: &LogKey,
    id: i64,
    token: &str,
    is_new: bool,
    said: Said,
) -> Result<Response, PageError> {
    // A money pledge gets its SetupIntent here if it has none yet (as the API does).
    let cohort_engine::ReceiptPage { receipt, slate } = engine.receipt_page(id, token).await?;
    let view = receipt.pledge;
    let share = receipt.share;
    let email = match viewer.actor.account() {
        Some(a) => a.user.email.to_string(),
        None => "your email".to_owned(),
    };
    let card_form = CardForm::for_view(config, &view, token);
    let share_link = format!(
        "{}/slates/{}/pledge?ref={}",
        engine.public_url(),
        view.slate,
        share.code
    );
    let proof = crate::log_proof::ProofBox::new(
        engine.public_url(),
        log_key,
        receipt.log,
        Some(cohort_engine::log::receipt_commitment(id, token)),
        Some(format!("{id}:{token}")),
    );
    let (notice, problem) = match said {
        Said::Nothing => (None, None),
        Said::Notice(n) => (Some(n.to_owned()), None),
        Said::Problem(p) => (None, Some(p)),
    };
    // A refusal shown on the receipt (stopping a pledge that can't stop) is a conflict.
    let refused = problem.is_some();
    let mut page = crate::card::render(
        card_form.as_ref().and_then(CardForm::csp),
        &PledgePage {
            card: card_form,
            pledge_only: !engine.collects_payments(),
            money: matches!(view.kind, PledgeKind::Money { .. }),
            needs_volunteer_profile: view.needs_volunteer_profile,
            share_link,
            shared_with: share.pledgers,
            csrf: viewer.csrf.clone(),
            p: card(&view, &slate),
            token: token.to_owned(),
            email,
            is_new,
            notice,
            problem,
            proof,
            proof_intro: PROOF_INTRO,
        },
    );
    if refused {
        *page.status_mut() = StatusCode::CONFLICT;
    }
    Ok(page)
}

const PROOF_INTRO: &str = "Your pledge is in Cohort's public, append-only log as a commitment: \
     a hash that shows neither your name nor the amount, and that only this page's holder can tie to the pledge. \
     Once the log has it, no one — not even Cohort's operators — can remove or change it without every auditor noticing.";

/// What the receipt page says above the pledge.
enum Said {
    Nothing,
    /// What the supporter's last action did.
    Notice(&'static str),
    /// Why the supporter's last action was refused.
    Problem(String),
}

pub(crate) async fn pledge_page(
    State(engine): State<Engine>,
    viewer: Viewer,
    Extension(config): Extension<CardConfig>,
    Extension(log_key): Extension<LogKey>,
    ApiPath(id): ApiPath<i64>,
    Query(q): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let said = match q.notice.as_deref() {
        Some("cancelled") => Said::Notice(CANCELLED),
        Some("stopped") => Said::Notice(STOPPED),
        _ => Said::Nothing,
    };
    pledge_page_for(
        &engine,
        &viewer,
        &config,
        &log_key,
        id,
        &q.token,
        q.new.is_some(),
        said,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct TokenForm {
    token: String,
}

pub(crate) async fn pledge_cancel(
    State(engine): State<Engine>,
    ApiPath(id): ApiPath<i64>,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> Result<Response, PageError> {
    let ended = engine.cancel(id, &form.token).await?;
    Ok(see_other(
        &format!(
            "/pledges/{id}?token={}&notice={}",
            form.token,
            notice_of(ended)
        ),
        None,
    ))
}

/// The receipt page's "Stop this monthly pledge": back to the receipt with
/// a notice, or the receipt again saying why it can't be stopped.
pub(crate) async fn pledge_stop(
    State(engine): State<Engine>,
    viewer: Viewer,
    Extension(config): Extension<CardConfig>,
    Extension(log_key): Extension<LogKey>,
    ApiPath(id): ApiPath<i64>,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> Result<Response, PageError> {
    let done = engine.stop(id, &form.token).await;
    after_form(
        done,
        &format!("/pledges/{id}?token={}&notice=stopped", form.token),
        |problem| {
            pledge_page_for(
                &engine,
                &viewer,
                &config,
                &log_key,
                id,
                &form.token,
                false,
                Said::Problem(problem),
            )
        },
    )
    .await
}

pub(super) const CANCELLED: &str = "Your pledge is cancelled. Nothing will be charged.";
pub(super) const STOPPED: &str =
    "Your monthly pledge is stopped: no new month will be split or charged. \
     The months already given stay with the candidates.";

pub(super) fn notice_of(ended: Ended) -> &'static str {
    match ended {
        Ended::Cancelled => "cancelled",
        Ended::Stopped => "stopped",
    }
}
