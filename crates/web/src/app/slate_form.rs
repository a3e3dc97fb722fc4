//! The new-slate and edit-slate forms.

use super::*;

/// `/slates/new` and `/slates/{slug}/organize/edit`.
pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route(
            "/slates/{slug}/organize/edit",
            get(edit_slate_form).post(edit_slate),
        )
        .route("/slates/new", get(new_slate_form).post(create_slate))
}

/// What the new-slate form holds, as typed.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct SlateFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    cycle: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    condition: String,
    #[serde(default)]
    action: String,
}

/// One form creates a slate and edits it; `editing` names the slate being
/// edited (its address and cycle are then fixed and shown, not asked for).
#[derive(Template)]
#[template(path = "new_slate.html")]
struct NewSlatePage {
    csrf: String,
    v: SlateFields,
    editing: Option<String>,
    english: Option<String>,
    problem: Option<String>,
}

fn slate_form_page(
    viewer: &Viewer,
    v: SlateFields,
    editing: Option<&str>,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    let english = cohort_core::Condition::parse(&v.condition)
        .ok()
        .map(|c| c.to_english());
    html(
        status,
        &NewSlatePage {
            csrf: viewer.csrf.clone(),
            v,
            editing: editing.map(str::to_owned),
            english,
            problem,
        },
    )
}

/// "Check the condition": the form again, with the condition in plain
/// English or the place it goes wrong. Writes nothing.
fn slate_form_checked(viewer: &Viewer, v: SlateFields, editing: Option<&str>) -> Response {
    let problem = cohort_core::Condition::parse(&v.condition)
        .err()
        .map(|e| format!("Condition: {e}"));
    slate_form_page(viewer, v, editing, problem, StatusCode::OK)
}

pub(crate) async fn edit_slate_form(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first(&format!("/slates/{slug}/organize/edit")));
    }
    let s = engine.slate_to_edit(&viewer.actor, &slug).await?;
    let v = SlateFields {
        name: s.name,
        slug: s.slug.clone(),
        cycle: s.cycle.to_string(),
        description: s.description,
        condition: s.condition,
        action: String::new(),
    };
    Ok(slate_form_page(
        &viewer,
        v,
        Some(&s.slug),
        None,
        StatusCode::OK,
    ))
}

pub(crate) async fn edit_slate(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(v): CsrfForm<SlateFields>,
) -> Result<Response, PageError> {
    if v.action == "check" {
        // Checking writes nothing, but only the slate's organizers see the form.
        engine.slate_to_edit(&viewer.actor, &slug).await?;
        return Ok(slate_form_checked(&viewer, v, Some(&slug)));
    }
    let input = cohort_engine::SlateEdit {
        name: v.name.clone(),
        description: v.description.clone(),
        condition: v.condition.clone(),
    };
    match engine.update_slate(&viewer.actor, &slug, input).await {
        Ok(s) => Ok(see_other(
            &format!("/slates/{}/organize?notice=edited", s.slug),
            None,
        )),
        Err(EngineError::Invalid { field, message }) => {
            let problem = format!("{}: {message}", field_label(&field));
            Ok(slate_form_page(
                &viewer,
                v,
                Some(&slug),
                Some(problem),
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn new_slate_form(viewer: Viewer) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first("/slates/new"));
    }
    viewer.actor.require_global_organizer()?;
    let v = SlateFields {
        cycle: "2028".into(),
        condition: "signers >= 3 and mutual".into(),
        ..SlateFields::default()
    };
    Ok(slate_form_page(&viewer, v, None, None, StatusCode::OK))
}

pub(crate) async fn create_slate(
    State(engine): State<Engine>,
    viewer: Viewer,
    CsrfForm(v): CsrfForm<SlateFields>,
) -> Result<Response, PageError> {
    viewer.actor.require_global_organizer()?;
    if v.action == "check" {
        return Ok(slate_form_checked(&viewer, v, None));
    }
    let input = cohort_engine::SlateInput {
        slug: v.slug.trim().to_owned(),
        name: v.name.clone(),
        cycle: match v.cycle.trim().parse() {
            Ok(c) => c,
            Err(_) => {
                let problem = format!("Election cycle: {:?} is not a year", v.cycle);
                return Ok(slate_form_page(
                    &viewer,
                    v,
                    None,
                    Some(problem),
                    StatusCode::UNPROCESSABLE_ENTITY,
                ));
            }
        },
        description: v.description.clone(),
        condition: v.condition.clone(),
    };
    match engine.create_slate(&viewer.actor, input).await {
        Ok(s) => Ok(see_other(
            &format!("/slates/{}/organize?notice=created", s.slug),
            None,
        )),
        Err(EngineError::Invalid { field, message }) => {
            let problem = format!("{}: {message}", field_label(&field));
            Ok(slate_form_page(
                &viewer,
                v,
                None,
                Some(problem),
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        Err(e @ EngineError::Conflict { .. }) => {
            let problem = message(e);
            Ok(slate_form_page(
                &viewer,
                v,
                None,
                Some(problem),
                StatusCode::CONFLICT,
            ))
        }
        Err(e) => Err(e.into()),
    }
}
