//! Anti-brigading on the organizers' moderation page in a real headless
//! Chromium: a burst of anonymous participants who arrive within minutes
//! and vote as one is flagged (how many, when, how alike, what they pushed),
//! the organizer down-weights it with the page's own button, and the page
//! then says so. Each state is checked with axe-core, fits a 390 px phone
//! without scrolling sideways, and is screenshotted to `target/e2e-artifacts/`.

use cohort_testkit as common;

use cohort_engine::conversation::Vote;
use cohort_engine::Actor;
use cohort_store::Role;
use common::webdriver::Browser;
use common::{seed, TestApp, SLATE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizer_sees_a_burst_flagged_and_down_weights_it_in_a_real_browser() {
    let app = TestApp::sqlite().await;
    seed(&app, "signers >= 1").await;
    let e = &app.engine;
    let organizer = Actor::Organizer { slate: None };
    let pushed = "The stadium should get public money";
    let mut texts = vec![
        "Every neighborhood deserves a public library".to_owned(),
        pushed.to_owned(),
    ];
    texts.extend((2..8).map(|j| format!("Partisan statement number {j}")));
    let mut ids = Vec::new();
    for t in &texts {
        ids.push(
            e.seed_statement(&organizer, SLATE, t)
                .await
                .expect("seed")
                .id,
        );
    }
    // Side A agrees with the even statements, side B with the odd ones;
    // both with the library.
    let side = |a: bool, j: usize| match j {
        0 => Vote::Agree,
        _ if j.is_multiple_of(2) == a => Vote::Agree,
        _ => Vote::Disagree,
    };
    let t0 = common::now();
    for i in 0..30 {
        app.clock.set(t0 + chrono::Duration::minutes(20 * i));
        let secret = e.new_secret();
        for (j, id) in ids.iter().enumerate() {
            e.vote_as(
                &Actor::Public,
                Some(&secret),
                SLATE,
                *id,
                side(i % 2 == 0, j),
            )
            .await
            .expect("vote");
        }
    }
    // Fifteen arrivals within three minutes, voting as side B except that
    // they all agree with the stadium.
    let burst = t0 + chrono::Duration::hours(12);
    for k in 0..15 {
        app.clock.set(burst + chrono::Duration::seconds(12 * k));
        let secret = e.new_secret();
        for (j, id) in ids.iter().enumerate() {
            let v = if j == 1 { Vote::Agree } else { side(false, j) };
            e.vote_as(&Actor::Public, Some(&secret), SLATE, *id, v)
                .await
                .expect("vote");
        }
    }
    app.clock.set(burst + chrono::Duration::hours(1));
    assert!(e.recompute_conversation(SLATE).await.expect("recompute"));
    e.grant("org@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("grant");

    let b = Browser::start().await;
    b.sign_in(&app, "org@example.org").await;
    b.goto(&app.url(&format!("/slates/{SLATE}/conversation/moderate")))
        .await;
    b.wait_for_text("Possible brigading (1)").await;
    b.wait_for_text("15 participants").await;
    b.wait_for_text(&format!("They all agreed with “{pushed}”"))
        .await;
    b.check_fits("brigade-00-flagged").await;

    b.wait_for_new_page(b.click("li.burst form button")).await;
    b.wait_for_text("Down-weighted: its votes leave the bridging scores at the next update")
        .await;
    assert!(
        !b.text().await.contains("Down-weight this burst"),
        "a down-weighted burst is not offered again"
    );
    b.check_fits("brigade-01-down-weighted").await;
    let flagged = e
        .conversation_bursts(&organizer, SLATE)
        .await
        .expect("organizers see bursts");
    assert_eq!(flagged.decisions.len(), 1, "{flagged:?}");
}
