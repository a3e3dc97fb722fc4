//! The conversation in a real headless Chromium: a visitor votes without an
//! account, signs in and keeps those votes, votes on through the page (no
//! script involved), sees where they stand, opens the public
//! results; the organizer opens the moderation page. Each page is checked
//! with axe-core and screenshotted to `target/e2e-artifacts/`, also at a
//! 390 px phone width.

use cohort_testkit as common;

use cohort_engine::conversation::DemoConversation;
use cohort_engine::Actor;
use cohort_store::Role;
use common::webdriver::Browser;
use common::{seed, TestApp, SLATE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supporter_votes_and_reads_the_results_in_a_real_browser() {
    let app = TestApp::sqlite().await;
    seed(&app, "signers >= 1").await;
    let e = &app.engine;
    e.grant("org@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("grant");
    let demo = DemoConversation {
        common: vec![
            "Every river town deserves lead-free water pipes".into(),
            "Public meetings should be held in the evening so workers can come".into(),
            "Flood insurance should not bankrupt families".into(),
        ],
        divisive: vec![
            "The new bridge should carry a toll".into(),
            "Farm runoff rules should be set by the state, not counties".into(),
            "Downtown parking should be replaced with bike lanes".into(),
            "The riverfront should be rezoned for housing".into(),
            "Bus service matters more than road repair".into(),
            "The county should build a new stadium".into(),
        ],
        participants: 80,
        votes: 600,
        groups: 3,
        seed: 7,
        pending: vec!["Post offices should offer basic bank accounts".into()],
    };
    e.load_demo_conversation(&Actor::Organizer { slate: None }, SLATE, &demo)
        .await
        .expect("a conversation");
    assert!(e.recompute_conversation(SLATE).await.expect("recompute"));

    let b = Browser::start().await;
    // A visitor votes without an account (issue 16): the participant
    // cookie keeps their votes, and they come along when they sign in.
    b.goto(&app.url(&format!("/slates/{SLATE}/conversation")))
        .await;
    b.wait_for_text("You are taking part without an account")
        .await;
    b.check("conv-00-anonymous").await;
    for k in 1..=2 {
        b.click("button[value=agree]").await;
        b.wait_for_text(&format!("You have voted on {k} of 9 statements"))
            .await;
    }
    b.set_window_size(390, 1600).await;
    b.check("conv-00-anonymous-phone").await;
    b.set_window_size(1280, 2000).await;
    b.sign_in_here(&app, "sup@example.org").await;
    b.goto(&app.url(&format!("/slates/{SLATE}/conversation")))
        .await;
    b.wait_for_text("Help find the platform we share").await;
    b.wait_for_text("You have voted on 2 of 9 statements").await;
    assert!(
        !b.source().await.contains("without an account"),
        "signed in now"
    );
    b.check("conv-01-vote").await;
    // Five more votes through the form: seven, enough to join the map.
    for k in 3..=7 {
        let choice = ["agree", "disagree", "pass"][k % 3];
        b.click(&format!("button[value={choice}]")).await;
        b.wait_for_text(&format!("You have voted on {k} of 9 statements"))
            .await;
    }
    b.wait_for_text("Your place on the map appears with the next update")
        .await;
    assert!(e.recompute_conversation(SLATE).await.expect("recompute"));
    b.goto(&app.url(&format!("/slates/{SLATE}/conversation")))
        .await;
    b.wait_for_text("Where you stand").await;
    assert!(
        b.source().await.contains("class=\"you\""),
        "the supporter's own point is marked"
    );
    b.check("conv-02-position").await;

    b.goto(&app.url(&format!("/slates/{SLATE}/conversation/results")))
        .await;
    b.wait_for_text("Results last updated").await;
    b.wait_for_text("Common ground across groups").await;
    b.check("conv-03-results").await;

    // On a phone.
    b.set_window_size(390, 1600).await;
    b.check("conv-04-results-phone").await;
    b.goto(&app.url(&format!("/slates/{SLATE}/conversation")))
        .await;
    b.wait_for_text("Next statement").await;
    b.check("conv-05-vote-phone").await;
    b.set_window_size(1280, 2000).await;

    // The organizer's moderation page.
    b.sign_in(&app, "org@example.org").await;
    b.goto(&app.url(&format!("/slates/{SLATE}/conversation/moderate")))
        .await;
    b.wait_for_text("Moderate the conversation").await;
    b.check("conv-06-moderate").await;
}
