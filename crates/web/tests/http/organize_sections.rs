//! The organizer's dashboard in sections (issue 16, defect 9) over real
//! HTTP on both backends: each section its own page behind one section
//! nav, planks edited as one title and one "why" per plank, and a chart
//! with too little to draw said in a sentence instead of an empty frame.

use cohort_testkit as common;

use cohort_store::Role;
use common::{seed, TestApp, SLATE};
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(
    each_section_is_its_own_page_behind_one_nav,
    planks_are_edited_as_fields,
    a_chart_with_nothing_to_draw_is_a_sentence,
);

const SECTIONS: [&str; 5] = ["candidates", "compact", "partners", "exports", "primaries"];

async fn organizer(app: &TestApp) -> String {
    app.engine
        .grant("org@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("grant");
    app.session_for("org@example.org").await
}

async fn page(app: &TestApp, session: &str, path: &str) -> (StatusCode, String, String) {
    let res = app
        .client
        .get(app.url(path))
        .header("cookie", format!("cohort_session={session}"))
        .send()
        .await
        .expect("an answer");
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, location, res.text().await.expect("a body"))
}

async fn post_form(
    app: &TestApp,
    session: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let a = app.post_form(Some(session), path, fields).await;
    (a.status, a.location, a.body)
}

async fn each_section_is_its_own_page_behind_one_nav(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let org = organizer(&app).await;
    let base = format!("/slates/{SLATE}/organize");
    let (status, _, overview) = page(&app, &org, &base).await;
    assert_eq!(status, StatusCode::OK, "{overview}");
    // The overview no longer carries every form.
    for form in [
        "/organize/candidates\"",
        "/organize/compact\"",
        "/organize/primary-loss\"",
    ] {
        assert!(
            !overview.contains(&format!("action=\"/slates/{SLATE}{form}")),
            "the overview still holds the form {form}"
        );
    }
    for (section, form) in [
        ("candidates", "/organize/candidates\""),
        ("compact", "/organize/compact\""),
        ("partners", "/organize/partners\""),
        ("primaries", "/organize/primary-loss\""),
        ("exports", "/exports/pledges.csv\""),
    ] {
        let path = format!("{base}/{section}");
        let (status, _, body) = page(&app, &org, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert!(
            body.contains(&format!("/slates/{SLATE}{form}")),
            "{form} on {path}: {body}"
        );
        // One nav, naming every section, this one marked as current.
        assert!(body.contains("aria-label=\"Organizer sections\""), "{body}");
        for other in SECTIONS {
            assert!(
                body.contains(&format!("href=\"{base}/{other}\"")),
                "{other} linked from {path}"
            );
        }
        assert!(
            body.contains(&format!("href=\"{path}\" aria-current=\"page\"")),
            "{path} is marked current: {body}"
        );
    }
    let (_, _, exports) = page(&app, &org, &format!("{base}/exports")).await;
    assert!(exports.contains("href=\"/books\""), "{exports}");
    // The primaries page keeps the destructive step secondary and confirmed.
    let (_, _, primaries) = page(&app, &org, &format!("{base}/primaries")).await;
    assert!(
        primaries.contains("Record that they lost the primary…"),
        "{primaries}"
    );
    // Nobody else gets a section.
    let (status, _, _) = page(&app, "not-a-session", &format!("{base}/compact")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let ada = {
        app.engine
            .grant(
                "ada@example.org",
                Role::Candidate,
                Some(SLATE),
                Some("ada-reyes"),
            )
            .await
            .expect("grant");
        app.session_for("ada@example.org").await
    };
    for section in SECTIONS {
        let (status, _, _) = page(&app, &ada, &format!("{base}/{section}")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{section} for a campaign");
    }
}

async fn planks_are_edited_as_fields(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let org = organizer(&app).await;
    let path = format!("/slates/{SLATE}/organize/compact");
    let (_, _, form) = page(&app, &org, &path).await;
    assert!(!form.contains("title | why"), "{form}");
    assert!(
        form.contains("name=\"plank_title_0\" value=\"Clean water\""),
        "{form}"
    );
    assert!(
        form.contains("Every town on the river drinks from it.</textarea>"),
        "{form}"
    );
    assert!(
        form.contains("name=\"plank_title_1\" value=\"\""),
        "an empty row to add a plank: {form}"
    );
    let commitments = "Cross-endorse every other signer\r\nVote as a bloc on the platform";
    let (status, _, body) = post_form(
        &app,
        &org,
        &path,
        &[
            ("commitments", commitments),
            ("plank_title_0", "Clean water"),
            ("plank_why_0", "Every town drinks from it."),
            ("plank_title_1", "Open lakes"),
            ("plank_why_1", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("Plank 2"), "{body}");
    assert!(
        body.contains("value=\"Open lakes\""),
        "what was typed is kept: {body}"
    );
    let (_, before) = app.get(&format!("/api/slates/{SLATE}")).await;
    assert_eq!(before["compact"]["version"], 1, "nothing published");

    let (status, location, body) = post_form(
        &app,
        &org,
        &path,
        &[
            ("commitments", commitments),
            ("plank_title_0", "Clean water"),
            ("plank_why_0", "Every town drinks from it."),
            ("plank_title_1", "Open lakes"),
            ("plank_why_1", "Everyone swims in them."),
            ("plank_title_2", ""),
            ("plank_why_2", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(location.starts_with(&path), "{location}");
    let (_, slate) = app.get(&format!("/api/slates/{SLATE}")).await;
    assert_eq!(slate["compact"]["version"], 2, "{slate}");
    assert_eq!(
        slate["compact"]["planks"],
        json!([{"title": "Clean water", "why": "Every town drinks from it."},
               {"title": "Open lakes", "why": "Everyone swims in them."}])
    );
}

async fn a_chart_with_nothing_to_draw_is_a_sentence(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let org = organizer(&app).await;
    let path = format!("/slates/{SLATE}/organize");
    // The daily tick has sampled an empty pot: nothing to draw.
    app.engine.tick().await.expect("tick");
    let (_, _, body) = page(&app, &org, &path).await;
    assert!(
        !body.contains("<svg class=\"chart\""),
        "an empty frame: {body}"
    );
    assert!(body.contains("Nothing had been pledged by"), "{body}");
    // One day with money: still no line to draw, and the sentence says what there is.
    let (status, answer) = app
        .call(
            Method::POST,
            &format!("/api/slates/{SLATE}/pledges"),
            None,
            Some(
                &json!({"kind": "money", "amount_cents": 4_200, "recurring": "once",
                "donor": {"email": "fay@example.org", "name": "Fay", "attests_eligible": true}}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    app.engine.tick().await.expect("tick");
    let (_, _, body) = page(&app, &org, &path).await;
    assert!(
        !body.contains("<svg class=\"chart\""),
        "a one-point frame: {body}"
    );
    assert!(body.contains("$42 pledged"), "{body}");
    app.clock.set(common::now() + chrono::Duration::days(1));
    app.engine.tick().await.expect("tick");
    let (_, _, body) = page(&app, &org, &path).await;
    assert!(
        body.contains("<svg class=\"chart\""),
        "two days draw a line: {body}"
    );
}
