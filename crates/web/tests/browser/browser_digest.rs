//! The weekly digest's one-click unsubscribe page (issue 15) in a real
//! headless Chromium: the link from a real digest shows a button (a GET
//! changes nothing), the button unsubscribes without a session, and both
//! pages pass axe-core at 1280 and 390 px without scrolling sideways.

use cohort_testkit as common;

use chrono::Duration;
use common::webdriver::Browser;
use common::{publish, seed, TestApp, SLATE};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_one_click_unsubscribe_page_works_without_a_session() {
    let app = TestApp::sqlite().await;
    seed(&app, "signers >= 3").await;
    let (status, body) = app
        .call(
            reqwest::Method::POST,
            &format!("/api/slates/{SLATE}/pledges"),
            None,
            Some(&json!({
                "kind": "money", "amount_cents": 5_000, "recurring": "once",
                "condition": "signers >= 3", "deadline": "2028-11-07",
                "donor": {"email": "eve@example.org", "name": "Eve Marsh", "zip": "10027", "attests_eligible": true}
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.clock.set(common::now() + Duration::days(1));
    publish(&app).await;
    assert_eq!(app.engine.send_digests().await.expect("digests"), 1);
    let mail = app
        .mail
        .wait_for("eve@example.org", "Your week on Cohort")
        .await;
    let raw = mail.raw.replace("\n ", " ");
    let start = raw.find("List-Unsubscribe: <").expect("the header") + "List-Unsubscribe: <".len();
    let url = raw[start..start + raw[start..].find('>').expect("<url>")].to_owned();
    assert!(
        url.starts_with(&app.url("/unsubscribe/one-click/")),
        "{url}"
    );

    let b = Browser::start().await;
    b.goto(&url).await;
    b.wait_for_text("Stop updates from Cohort").await;
    b.check_wide_and_phone("digest-01-one-click").await;
    b.assert_no_sideways_scroll("the one-click page").await;
    b.click("form button").await;
    b.wait_for_text("Done: no more updates").await;
    b.check_wide_and_phone("digest-02-unsubscribed").await;
    b.assert_no_sideways_scroll("the done page").await;
    let mut tx = app.store.read().await.expect("read");
    let user = tx
        .user_by_email(&cohort_core::Email::parse("eve@example.org").expect("email"))
        .await
        .expect("user")
        .expect("an account, so the setting is kept");
    assert_eq!(user.email_prefs, cohort_store::EmailPrefs::None);
}
