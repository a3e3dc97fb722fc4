//! The supporter import page (issue 19) in a real headless Chromium: a file
//! with problems is listed by line and column with nothing to confirm, a good
//! file previews its creates and merges and the confirm button imports it,
//! with plain form posts; every page passes axe-core at 1280 and 390 px
//! without scrolling sideways.

use cohort_testkit as common;

use cohort_store::Role;
use common::webdriver::Browser;
use common::{TestApp, SLATE};
use reqwest::StatusCode;
use serde_json::json;

async fn paste(b: &Browser, text: &str) {
    b.script(
        "document.querySelector('#csv').value = arguments[0];",
        json!([text]),
    )
    .await;
    b.click("form.stack button").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizer_previews_and_imports_a_supporter_list() {
    let app = TestApp::sqlite().await;
    let (status, body) = app
        .organize(
            "/api/slates",
            json!({
                "slug": SLATE, "name": "River Caucus", "cycle": 2028,
                "description": "Candidates along the river.", "condition": "signers >= 2"
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.engine
        .grant("org@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("grant");
    let b = Browser::start().await;
    b.sign_in(&app, "org@example.org").await;
    b.goto(&app.url(&format!("/slates/{SLATE}/people/import")))
        .await;
    b.wait_for_text("Import supporters from CSV").await;
    b.check_wide_and_phone("people-import-01-form").await;
    b.assert_no_sideways_scroll("the import form").await;

    paste(&b, "email,first_name,zip\nnot-an-email,Ada,1234\n").await;
    b.wait_for_text("The file is refused: 2 problems").await;
    b.wait_for_text("line 2, column 'zip': '1234' is not a ZIP code")
        .await;
    b.check_wide_and_phone("people-import-02-problems").await;
    b.assert_no_sideways_scroll("the problems").await;

    let long_name = "Maximiliana-Konstantinopoulou-Wolfeschlegelsteinhausen";
    paste(
        &b,
        &format!(
            "Email,First Name,Last Name,Zip\nada@example.org,Ada,{long_name},10001\nben@example.org,=cmd,\"Okafor, Jr.\",43004\n"
        ),
    )
    .await;
    b.wait_for_text("2 new people, 0 merged").await;
    b.check_wide_and_phone("people-import-03-preview").await;
    b.assert_no_sideways_scroll("the preview").await;
    b.click("form[action$='/confirm'] button").await;
    // Queued for `cohort serve`'s `imports` job; its page reloads itself.
    b.wait_for_text("Importing: 0 of 2 people through").await;
    app.engine.run_import_jobs().await.expect("a round");
    b.wait_for_text("Imported 2 rows: 2 new, 0 merged").await;
    b.check_wide_and_phone("people-import-04-done").await;
    b.assert_no_sideways_scroll("the result").await;
    let (_, csv) = app
        .engine
        .people_csv(&cohort_engine::Actor::Organizer { slate: None }, SLATE)
        .await
        .expect("the export");
    assert!(
        csv.contains("'=cmd,\"Okafor, Jr.\",ben@example.org"),
        "{csv}"
    );
}
