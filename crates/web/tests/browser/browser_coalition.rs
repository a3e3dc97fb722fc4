//! The coalition pages (issue 16) in a real headless Chromium: the slate
//! page (what blocks the unlock, the endorsement web), the campaign
//! dashboard and the public log, locked, unlocked and locked again; each
//! checked with axe-core at 1280 and 390 px, and nothing scrolls sideways
//! at 390 px.

use cohort_testkit as common;

use cohort_store::Role;
use common::webdriver::Browser;
use common::{seed, sign_as, TestApp, SLATE};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn endorse(app: &TestApp, from: &str, to: &str) {
    let token = app
        .engine
        .issue_candidate_token(SLATE, from)
        .await
        .expect("a token");
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/slates/{SLATE}/endorsements"),
            Some(&token),
            Some(&json!({"from": from, "to": to})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coalition_pages_in_each_state_in_a_real_browser() {
    let app = TestApp::sqlite().await;
    let version = seed(&app, "signers >= 3 and mutual and pledged >= $5,000").await;
    app.engine
        .grant(
            "ada@example.org",
            Role::Candidate,
            Some(SLATE),
            Some("ada-reyes"),
        )
        .await
        .expect("grant");
    sign_as(&app, "ada-reyes", version).await;
    sign_as(&app, "ben-okafor", version).await;
    endorse(&app, "ada-reyes", "ben-okafor").await;
    let pledge = |dollars: i64, email: &'static str| {
        let app = &app;
        async move {
            let (status, body) = app
                .call(
                    Method::POST,
                    &format!("/api/slates/{SLATE}/pledges"),
                    None,
                    Some(&json!({
                        "kind": "money", "amount_cents": dollars * 100, "recurring": "once",
                        "donor": {"email": email, "name": "Sam Doe", "zip": "10001",
                                  "employer": "Acme", "occupation": "Engineer", "attests_eligible": true}
                    })),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
    };
    pledge(500, "sam@example.org").await;

    let b = Browser::start().await;
    let slate = app.url(&format!("/slates/{SLATE}"));
    let log = app.url(&format!("/slates/{SLATE}/log"));
    let campaign = app.url(&format!("/slates/{SLATE}/campaign"));

    // Locked.
    b.goto(&slate).await;
    b.wait_for_text("Still needed to unlock").await;
    b.check_fits("coalition-slate-locked").await;
    b.goto(&log).await;
    b.wait_for_text("Ada Reyes endorsed Ben Okafor").await;
    b.check_fits("coalition-log").await;
    b.sign_in(&app, "ada@example.org").await;
    b.goto(&campaign).await;
    b.wait_for_text("Reaches you when the slate unlocks").await;
    b.check_fits("coalition-campaign-locked").await;

    // Unlocked.
    sign_as(&app, "cy-lindqvist", version).await;
    for (from, to) in [
        ("ben-okafor", "ada-reyes"),
        ("ada-reyes", "cy-lindqvist"),
        ("cy-lindqvist", "ada-reyes"),
        ("ben-okafor", "cy-lindqvist"),
        ("cy-lindqvist", "ben-okafor"),
    ] {
        endorse(&app, from, to).await;
    }
    pledge(4_500, "kim@example.org").await;
    b.goto(&slate).await;
    b.wait_for_text("It unlocked when").await;
    b.check_fits("coalition-slate-unlocked").await;
    b.goto(&campaign).await;
    b.wait_for_text("The slate's condition is met").await;
    b.check_fits("coalition-campaign-unlocked").await;

    // Locked again: Cy withdraws.
    let cy = app
        .engine
        .issue_candidate_token(SLATE, "cy-lindqvist")
        .await
        .expect("a token");
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/slates/{SLATE}/signatures/cy-lindqvist"),
            Some(&cy),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    b.goto(&slate).await;
    b.wait_for_text("Locked now.").await;
    b.check_fits("coalition-slate-broken").await;
    // The endorsement web, scrolled into view for its screenshot.
    for (width, name) in [(1280, "coalition-web"), (390, "coalition-web-phone")] {
        b.resize(width, 2000).await;
        b.script(
            "document.getElementById('endorsements-heading').scrollIntoView();",
            json!([]),
        )
        .await;
        b.screenshot(name).await;
    }
    b.resize(1280, 2000).await;
    b.goto(&log).await;
    b.wait_for_text("Cy Lindqvist withdrew their signature")
        .await;
    b.check_fits("coalition-log-withdrawal").await;
}
