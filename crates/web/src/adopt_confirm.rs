//! Adopting a conversation statement as a plank asks first (issue 16,
//! defect 6): the confirmation names the compact version it would publish
//! and how many signers (and who) would then be on an older version.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use cohort_engine::{Engine, EngineError};

use crate::app::sign_in_first;
use crate::pages::{html, PageError};
use crate::session::Viewer;

#[derive(Template)]
#[template(path = "adopt_confirm.html")]
struct AdoptConfirm {
    csrf: String,
    slug: String,
    slate_name: String,
    statement: i64,
    body: String,
    title: String,
    why: String,
    next_version: i32,
    /// "2 signers (Ada Reyes and Ben Okafor)"; empty: nobody has signed.
    signers: String,
}

/// "Ada Reyes", "Ada Reyes and Ben Okafor", "A, B and C".
fn and_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The confirmation page of adopting `statement` with `title` and `why`.
pub(crate) async fn page(
    engine: &Engine,
    viewer: &Viewer,
    slug: &str,
    statement: i64,
    title: &str,
    why: &str,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first(&format!(
            "/slates/{slug}/conversation/moderate"
        )));
    }
    // Organizers only: the same refusal as the adoption itself.
    let slate = engine.slate_to_edit(&viewer.actor, slug).await?;
    let body = engine
        .conversation_statements(&viewer.actor, slug)
        .await?
        .into_iter()
        .find(|s| s.id == statement)
        .map(|s| s.body)
        .ok_or_else(|| EngineError::not_found("statement", statement.to_string()))?;
    let names: Vec<String> = slate
        .candidates
        .iter()
        .filter(|c| c.signed)
        .map(|c| c.name.clone())
        .collect();
    let signers = match names.len() {
        0 => String::new(),
        1 => format!("The 1 signer ({})", names[0]),
        n => format!("All {n} signers ({})", and_list(&names)),
    };
    Ok(html(
        StatusCode::OK,
        &AdoptConfirm {
            csrf: viewer.csrf.clone(),
            slug: slate.slug.clone(),
            slate_name: slate.name.clone(),
            statement,
            title: if title.trim().is_empty() {
                body.clone()
            } else {
                title.trim().to_owned()
            },
            body,
            why: why.to_owned(),
            next_version: slate.compact.as_ref().map_or(1, |c| c.version + 1),
            signers,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::and_list;

    #[test]
    fn names_read_as_a_list() {
        let n = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(and_list(&n(&[])), "");
        assert_eq!(and_list(&n(&["A"])), "A");
        assert_eq!(and_list(&n(&["A", "B", "C"])), "A, B and C");
    }
}
