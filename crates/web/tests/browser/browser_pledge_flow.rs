//! The pledge form, its share step and the organizer's sections (issue 16,
//! defects 7, 9 and 10) in a real headless Chromium: a supporter referred
//! by a partner picks a preset amount, builds a condition with the
//! controls, previews before giving a name, pledges and gets a share link;
//! the organizer walks the sections. Each page is checked with axe-core at
//! 1280 and 390 px, and nothing scrolls sideways at 390 px.

use cohort_testkit as common;

use cohort_engine::Actor;
use cohort_store::Role;
use common::webdriver::Browser;
use common::{seed, TestApp, SLATE};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_referred_supporter_builds_a_condition_previews_pledges_and_shares() {
    let app = TestApp::sqlite().await;
    seed(&app, "signers >= 3").await;
    app.engine
        .add_partner(
            &Actor::Organizer { slate: None },
            SLATE,
            "river-union",
            "River Union",
            "We back all three.",
        )
        .await
        .expect("a partner");
    let b = Browser::start().await;
    b.goto(&app.url(&format!("/slates/{SLATE}/pledge?ref=river-union")))
        .await;
    b.wait_for_text("You came here through River Union").await;
    // The placeholder reads as an example, styled apart from a value.
    let style = b
        .script(
            "var s = getComputedStyle(document.getElementById('amount'), '::placeholder'); \
             return [document.getElementById('amount').placeholder, s.fontStyle];",
            json!([]),
        )
        .await;
    assert!(
        style[0].as_str().unwrap_or("").starts_with("e.g. "),
        "{style}"
    );
    assert_eq!(style[1], "italic", "{style}");
    b.check_fits("pledge-form-referred").await;

    // A preset and the controls; Preview before the name and email.
    b.click("input[name=preset][value='50']").await;
    b.click("input[name='sign_ada-reyes']").await;
    b.type_into("#min_signers", "2").await;
    b.wait_for_new_page(async { b.click("button[value=preview]").await })
        .await;
    b.wait_for_text("Your pledge unlocks when ada-reyes has signed")
        .await;
    b.wait_for_text("signed(\"ada-reyes\") and signers >= 2")
        .await;
    b.wait_for_text("your $50").await;
    b.check_fits("pledge-form-previewed").await;

    b.type_into("#name", "Eve Marsh").await;
    b.type_into("#email", "eve@example.org").await;
    b.type_into("#zip", "10001").await;
    b.click("input[name=attests]").await;
    b.click("button[value=pledge]").await;
    b.wait_for_text("your pledge is saved").await;
    b.wait_for_text("Share your own link").await;
    let link = b
        .script(
            "return document.getElementById('share-link').value;",
            json!([]),
        )
        .await;
    let link = link.as_str().unwrap_or("").to_owned();
    assert!(
        link.starts_with(&app.url(&format!("/slates/{SLATE}/pledge?ref="))),
        "{link}"
    );
    b.check_fits("pledge-receipt-share").await;
    // The link leads a friend to the form with Eve's code.
    b.goto(&link).await;
    b.wait_for_text("Make a pledge").await;
    let code = link.rsplit('=').next().unwrap_or("");
    let carried = b
        .script(
            "return document.querySelector('input[name=ref]').value;",
            json!([]),
        )
        .await;
    assert_eq!(carried, json!(code));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_organizer_walks_the_sections_and_a_partner_sees_its_totals() {
    let app = TestApp::sqlite().await;
    seed(&app, "signers >= 3").await;
    app.engine
        .add_partner(
            &Actor::Organizer { slate: None },
            SLATE,
            "river-union",
            "River Union",
            "",
        )
        .await
        .expect("a partner");
    app.engine
        .grant("org@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("grant");
    app.engine.tick().await.expect("tick");
    let b = Browser::start().await;
    b.sign_in(&app, "org@example.org").await;
    b.goto(&app.url(&format!("/slates/{SLATE}/organize"))).await;
    b.wait_for_text("Nothing had been pledged by").await;
    b.check_fits("organize-overview").await;
    for (section, text) in [
        ("candidates", "Add a candidate"),
        ("compact", "Publish version 2"),
        ("partners", "River Union"),
        ("exports", "the books"),
        ("primaries", "A candidate lost the primary"),
    ] {
        b.click(&format!("nav a[href$='/organize/{section}']"))
            .await;
        b.wait_for_text(text).await;
        b.check_fits(&format!("organize-{section}")).await;
    }
    b.goto(&app.url(&format!("/slates/{SLATE}/partners/river-union")))
        .await;
    b.wait_for_text("Hours a week").await;
    b.check_fits("partner-page-totals").await;
}
