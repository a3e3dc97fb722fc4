//! The pledge import page (issue 19) in a real headless Chromium, without
//! JavaScript of ours: a pasted file with problems is listed by line and
//! column with nothing to confirm; a CSV file chosen in the file field
//! (multipart) previews the pledges, and the confirm button queues them,
//! the import's page refreshing itself until they are in;
//! every page passes axe-core at 1280 and 390 px without scrolling sideways.

use cohort_testkit as common;

use cohort_engine::Actor;
use cohort_store::Role;
use common::webdriver::Browser;
use common::{seed, TestApp, SLATE};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizer_uploads_pledge_cards_previews_and_imports_them() {
    let app = TestApp::sqlite().await;
    seed(&app, "signers >= 2").await;
    app.engine
        .grant("org@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("grant");
    let b = Browser::start().await;
    b.sign_in(&app, "org@example.org").await;
    b.goto(&app.url(&format!("/slates/{SLATE}/pledges/import")))
        .await;
    b.wait_for_text("Import pledges made offline").await;
    b.check_fits("pledge-import-01-form").await;

    b.script(
        "document.querySelector('#csv').value = arguments[0];",
        json!(["email,name,amount,attests\nnot-an-email,Ada,12x,yes\n"]),
    )
    .await;
    b.wait_for_new_page(b.click("form.stack button")).await;
    b.wait_for_text("The file is refused: 2 problems").await;
    b.wait_for_text("line 2, column 'amount': '12x' is not a dollar amount")
        .await;
    b.check_fits("pledge-import-02-problems").await;

    let long_name = "Maximiliana-Konstantinopoulou-Wolfeschlegelsteinhausen";
    let file = std::env::temp_dir().join(format!("cohort-cards-{}.csv", std::process::id()));
    std::fs::write(
        &file,
        format!(
            "Email,First Name,Last Name,ZIP,Amount,Recurring,Attests eligible,Hours,Weeks\n\
             ada@example.org,Ada,{long_name},10001,$50,monthly,yes,,\n\
             ben@example.org,=Ben,Okafor,43004,,,,4,10\n"
        ),
    )
    .expect("the file");
    b.script("document.querySelector('#csv').value = '';", json!([]))
        .await;
    b.choose_file("#file", &file).await;
    b.wait_for_new_page(b.click("form.stack button")).await;
    b.wait_for_text("2 new pledges: $50 a month, 4 hours a week")
        .await;
    b.check_fits("pledge-import-03-preview").await;
    b.wait_for_new_page(b.click("form[action$='/confirm'] button"))
        .await;
    b.wait_for_text("Importing: 0 of 2 rows through").await;
    b.check_fits("pledge-import-04-progress").await;
    // The `imports` job's round (cohort serve runs it every 2 s); the page
    // refreshes itself, without JavaScript, and shows what it did.
    app.engine.run_import_jobs().await.expect("a round");
    b.wait_for_text("Imported 2 rows: 2 pledges made").await;
    b.check_fits("pledge-import-05-done").await;
    let rows = app
        .engine
        .export_pledges(&Actor::Organizer { slate: None }, SLATE)
        .await
        .expect("the pledges");
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().any(|r| r.donor.name == "=Ben Okafor"));
    let _ = std::fs::remove_file(&file);
}
