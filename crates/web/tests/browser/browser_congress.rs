//! The power view (issue 17) in a real headless Chromium, wide (1280 px)
//! and at a 390 px phone width, checked with axe-core; the links for N move
//! the bloc without any JavaScript.

use cohort_testkit as common;

use common::webdriver::Browser;
use common::{candidate, TestApp};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_power_view_works_in_a_real_browser_wide_and_on_a_phone() {
    let app = TestApp::sqlite().await;
    let (status, body) = app
        .organize(
            "/api/slates",
            json!({"slug": "governing-bloc", "name": "Governing Bloc", "cycle": 2026,
                   "description": "Challengers who would govern together.",
                   "condition": "signers >= 2"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for (slug, state, district) in [("a", "NY", "17"), ("b", "PA", "1"), ("c", "CA", "22")] {
        let c = candidate(
            slug,
            &format!("Candidate {slug}"),
            "us_house",
            state,
            Some(district),
        );
        let (status, body) = app
            .organize("/api/slates/governing-bloc/candidates", c)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let b = Browser::start().await;
    b.resize(1280, 2000).await;
    b.goto(&app.url("/slates/governing-bloc/power")).await;
    b.wait_for_text("What 3 wins would do in the House").await;
    b.check_wide_and_phone("congress-01-power-house").await;
    // Follow the link for 9 wins, as a visitor would.
    b.click("a[aria-label='9 wins']").await;
    b.wait_for_text("What 9 wins would do in the House").await;
    assert!(b.url().await.ends_with("wins=9"), "{}", b.url().await);
    b.check_wide_and_phone("congress-02-power-nine").await;
    b.click("main a[href*='chamber=senate']").await;
    b.wait_for_text("Ending a filibuster takes 60 votes").await;
    b.check_wide_and_phone("congress-03-power-senate").await;
}
