//! Candidate pages and the campaign's confirmation steps (issue 16) in a
//! real headless Chromium: a candidate writes their bio, reads their own
//! page, confirms a signature after reading the hash, and confirms
//! "endorse all signers"; each page checked with axe-core at 1280 and
//! 390 px, and nothing scrolls sideways at 390 px.

use cohort_testkit as common;

use cohort_store::Role;
use common::webdriver::Browser;
use common::{seed, sign_as, TestApp, SLATE};

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
    b.check_fits("candidate-profile-form").await;
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
    b.check_fits("sign-confirm").await;
    b.click("button[value='sign']").await;
    b.wait_for_text("You signed this version").await;

    b.click("button[value='endorse_all']").await;
    b.wait_for_text("Endorse 2 signers for Ada Reyes?").await;
    b.check_fits("endorse-all-confirm").await;
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
    b.check_fits("candidate-page").await;
    // And one who has not signed, from the slate page's link.
    b.goto(&app.url(&format!("/slates/{SLATE}"))).await;
    b.click(&format!("a[href='/slates/{SLATE}/candidates/ben-okafor']"))
        .await;
    b.wait_for_text("Ben Okafor endorses").await;
    b.check_fits("candidate-page-ben").await;
}
