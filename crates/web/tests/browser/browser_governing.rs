//! Governing (issue 17) in a real headless Chromium, wide (1280 px) and at
//! a 390 px phone width, checked with axe-core: the demo's "already in
//! office" slate, whose cohesion and targeting pages show real figures from
//! the shipped roll calls; the targeting form works without JavaScript.

use cohort_testkit as common;

use common::webdriver::Browser;
use common::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cohesion_and_targeting_work_in_a_real_browser_wide_and_on_a_phone() {
    let app = TestApp::sqlite().await;
    let slug = app
        .engine
        .load_governing_demo(2026)
        .await
        .expect("the governing demo loads");
    let b = Browser::start().await;
    b.resize(1280, 2000).await;
    b.goto(&app.url(&format!("/slates/{slug}/cohesion"))).await;
    b.wait_for_text("Does the bloc hold?").await;
    b.wait_for_text("Alexandria Ocasio-Cortez").await;
    b.wait_for_text("Where the bloc split").await;
    b.check_fits("governing-01-cohesion").await;
    b.goto(&app.url(&format!(
        "/slates/{slug}/cohesion?from=2025-02-01&to=2025-02-28"
    )))
    .await;
    b.wait_for_text("from 2025-02-01 to 2025-02-28").await;
    b.check_fits("governing-02-cohesion-february").await;
    b.goto(&app.url(&format!("/slates/{slug}/targets"))).await;
    b.wait_for_text("Whom to challenge in the House").await;
    b.wait_for_text("The tagged votes that went against the platform")
        .await;
    b.check_fits("governing-03-targets").await;
    // Choose the Republican caucus with the form, as a visitor would.
    b.script(
        "document.querySelector(\"select[name='party']\").value = 'Republican';",
        serde_json::json!([]),
    )
    .await;
    b.click("main form button[type='submit']").await;
    b.wait_for_text("Sitting Republican members").await;
    assert!(
        b.url().await.contains("party=Republican"),
        "{}",
        b.url().await
    );
    b.check_fits("governing-04-targets-republican").await;
}
