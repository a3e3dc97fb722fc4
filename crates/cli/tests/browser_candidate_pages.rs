//! Candidate pages and the campaign's confirmation steps (issue 16) in a
//! real headless Chromium: a candidate writes their bio, reads their own
//! page, confirms a signature after reading the hash, and confirms
//! "endorse all signers"; each page checked with axe-core at 1280 and
//! 390 px, and nothing scrolls sideways at 390 px.

mod common;

use cohort_store::Role;
use common::webdriver::Browser;
use common::{seed, sign_as, TestApp, SLATE};
use serde_json::json;

/// axe at both widths, and at 390 px the page is no wider than the window.
async fn check_page(b: &Browser, name: &str) {
    b.check_wide_and_phone(name).await;
    b.resize(390, 2000).await;
    let widths = b
        .script(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            json!([]),
        )
        .await;
    let scroll = widths[0].as_i64().unwrap_or(i64::MAX);
    let inner = widths[1].as_i64().unwrap_or(0);
    assert!(
        scroll <= inner,
        "{name} scrolls sideways at 390 px: scrollWidth {scroll} > innerWidth {inner}"
    );
    b.resize(1280, 2000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_candidate_writes_their_bio_signs_with_confirmation_and_endorses_all() {
    let app = TestApp::sqlite().await;
    let version = seed(&app, "signers >= 3 and mutual").await;
    sign_as(&app, "ben-okafor", version).await;
    sign_as(&app, "cy-lindqvist", version).await;
    app.engine
        .grant(
            "ada@example.org",
            Role::Candidate,
            Some(SLATE),
            Some("ada-reyes"),
        )
        .await
        .expect("grant");

    let b = Browser::start().await;
    b.sign_in(&app, "ada@example.org").await;
    b.goto(&app.url(&format!("/slates/{SLATE}/candidates/ada-reyes/profile")))
        .await;
    b.wait_for_text("Bio and photo").await;
    check_page(&b, "candidate-profile-form").await;
    b.type_into("#bio", "Teacher on the river for twenty years.")
        .await;
    b.click("form[action$='/profile'] button").await;
    b.wait_for_text("Teacher on the river for twenty years.")
        .await;

    // The dashboard's sign button leads to the confirmation with the hash.
    b.goto(&app.url(&format!("/slates/{SLATE}/campaign"))).await;
    b.click("button[value='sign']").await;
    b.wait_for_text("Sign version 1 of the compact for Ada Reyes?")
        .await;
    b.wait_for_text("Content hash of version 1").await;
    check_page(&b, "sign-confirm").await;
    b.click("button[value='sign']").await;
    b.wait_for_text("You signed this version").await;

    b.click("button[value='endorse_all']").await;
    b.wait_for_text("Endorse 2 signers for Ada Reyes?").await;
    check_page(&b, "endorse-all-confirm").await;
    b.click("button[value='endorse_all']").await;
    b.wait_for_text("Endorsement recorded.").await;

    // Ada's public page: bio, signature with hash, endorsements, scorecard.
    b.delete_cookies().await;
    b.goto(&app.url(&format!("/slates/{SLATE}/candidates/ada-reyes")))
        .await;
    b.wait_for_text("Teacher on the river for twenty years.")
        .await;
    b.wait_for_text("Signed version 1").await;
    b.wait_for_text("Signers who have not endorsed Ada Reyes")
        .await;
    check_page(&b, "candidate-page").await;
    // And one who has not signed, from the slate page's link.
    b.goto(&app.url(&format!("/slates/{SLATE}"))).await;
    b.click(&format!("a[href='/slates/{SLATE}/candidates/ben-okafor']"))
        .await;
    b.wait_for_text("Ben Okafor endorses").await;
    check_page(&b, "candidate-page-ben").await;
}
