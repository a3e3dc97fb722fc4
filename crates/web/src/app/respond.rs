//! Response helpers the pages share: redirects, sign-in first, form outcomes, messages and labels.

use super::*;

/// 303 to `to`, optionally setting the session cookie. A target that is not
/// a valid header value goes home instead of failing.
pub(crate) fn see_other(to: &str, cookie: Option<HeaderValue>) -> Response {
    let to = if HeaderValue::from_str(to).is_ok() {
        to
    } else {
        tracing::warn!(target = ?to, "a redirect target that is no header value");
        "/"
    };
    let mut res = Redirect::to(to).into_response();
    if let Some(c) = cookie {
        res.headers_mut().append(SET_COOKIE, c);
    }
    res
}

/// The sign-in page for the public, with where to come back to.
pub(crate) fn sign_in_first(path: &str) -> Response {
    see_other(&format!("/sign-in?next={}", urlencode(path)), None)
}

pub(crate) fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|e| e.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// Where to go after signing in: `/me` when no `next` was given, `next`
/// when it is a [`LocalPath`], else the home page (never another site).
pub(super) fn safe_next(next: Option<&str>) -> String {
    match next {
        None => "/me".to_owned(),
        Some(n) => LocalPath::or(Some(n), "/"),
    }
}

pub(crate) fn message(e: EngineError) -> String {
    ApiError::from(e).message
}

/// What a form does after its use case ran: on success, go to `to`; a
/// refusal the person can fix goes back to the form with the reason
/// (`again`); anything else is an error page.
pub(crate) async fn after_form<T, F, Fut>(
    result: Result<T, EngineError>,
    to: &str,
    again: F,
) -> Result<Response, PageError>
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = Result<Response, PageError>>,
{
    match result {
        Ok(_) => Ok(see_other(to, None)),
        Err(e) => again(fixable(e)?).await,
    }
}

/// A refusal the person can fix in the form (bad input, or a state that
/// conflicts) becomes a message on the page they came from; anything else
/// becomes an error page.
pub(crate) fn fixable(e: EngineError) -> Result<String, PageError> {
    match e {
        EngineError::Invalid { .. } | EngineError::Conflict { .. } => Ok(message(e)),
        other => Err(other.into()),
    }
}
pub(crate) fn role_label(role: Role) -> &'static str {
    match role {
        Role::Organizer => "an organizer",
        Role::Candidate => "a campaign account",
        Role::Partner => "a partner organization's admin",
    }
}
/// A field name as a person reads it.
pub(crate) fn field_label(field: &str) -> &str {
    match field {
        "donor.email" => "Email",
        "donor.name" => "Full name",
        "donor.attests_eligible" => "Eligibility",
        "donor.employer" => "Employer",
        "donor.occupation" => "Occupation",
        "donor.state" => "State",
        "amount_cents" | "amount" => "Amount",
        "hours_per_week" => "Hours a week",
        "condition" => "Condition",
        "must_sign" => "These candidates must sign",
        "min_signers" => "At least this many signatures",
        "min_pledged" => "At least this much pledged",
        "deadline" => "Deadline",
        "fec_committee_id" => "FEC committee id",
        "fec_candidate_id" => "FEC candidate id",
        "treasurer_first" | "treasurer_last" => "Treasurer",
        "street1" => "Street",
        "city" => "City",
        "state" => "State",
        "zip" => "ZIP code",
        other => other,
    }
}
