//! The supporter import page with a file (issue 19) in a real headless
//! Chromium, without JavaScript of ours: an Action Network people export
//! chosen in the file field (multipart) previews its creates and merges, the
//! confirm queues it for the `imports` job, and the import's page counts the
//! people until it shows what was done, reloading itself by the HTTP
//! `Refresh` header; every page passes axe-core at 1280 and 390 px without
//! scrolling sideways.

use cohort_testkit as common;

use cohort_engine::Actor;
use cohort_store::Role;
use common::webdriver::Browser;
use common::{TestApp, SLATE};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizer_uploads_an_action_network_export_and_imports_it_in_the_background() {
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
    // Someone already on the list, to be merged.
    app.engine
        .import_people(
            &Actor::Organizer { slate: None },
            SLATE,
            "email,first_name\nada@example.org,Ada\n",
            None,
            &|_, _| {},
        )
        .await
        .expect("one person");

    let b = Browser::start().await;
    b.sign_in(&app, "org@example.org").await;
    b.goto(&app.url(&format!("/slates/{SLATE}/people/import")))
        .await;
    b.wait_for_text("Import supporters from CSV").await;
    b.check_fits("people-file-01-form").await;

    let long_name = "Maximiliana-Konstantinopoulou-Wolfeschlegelsteinhausen";
    let file = std::env::temp_dir().join(format!("cohort-people-{}.csv", std::process::id()));
    std::fs::write(
        &file,
        format!(
            "first_name,last_name,email,zip_code,can2_user_city,can2_state_abbreviated,can2_phone\n\
             Ada,{long_name},ada@example.org,10001,New York,NY,\n\
             Ben,\"Okafor, Jr.\",ben@example.org,43004,Columbus,OH,614-555-0100\n\
             Cy,=Cruz,cy@example.org,12180,Troy,NY,\n"
        ),
    )
    .expect("the file");
    b.choose_file("#file", &file).await;
    b.wait_for_new_page(b.click("form.stack button")).await;
    b.wait_for_text("2 new people, 1 merged").await;
    b.check_fits("people-file-02-preview").await;

    b.wait_for_new_page(b.click("form[action$='/confirm'] button"))
        .await;
    b.wait_for_text("Importing: 0 of 3 people through").await;
    b.wait_for_text("Stop reloading").await;
    b.check_fits("people-file-03-progress").await;
    // The `imports` job's round (cohort serve runs it every 2 s); the page
    // reloads itself, without JavaScript, and shows what it did.
    app.engine.run_import_jobs().await.expect("a round");
    b.wait_for_text("Imported 3 rows: 2 new, 1 merged").await;
    b.check_fits("people-file-04-done").await;

    let (_, csv) = app
        .engine
        .people_csv(&Actor::Organizer { slate: None }, SLATE)
        .await
        .expect("the export");
    assert_eq!(csv.lines().count(), 4, "a header and three people: {csv}");
    assert!(csv.contains(long_name), "{csv}");
    assert!(csv.contains("'=Cruz"), "a formula stays text: {csv}");
    let _ = std::fs::remove_file(&file);
}
