//! Joint events in a real headless Chromium: an organizer proposes through
//! the form, each host's campaign confirms on the event page, a supporter
//! RSVPs without an account, and the organizer records it held. Every page
//! is checked with axe-core wide (1280 px) and at phone width (390 px).

use cohort_testkit as common;

use chrono::Duration;
use cohort_store::Role;
use common::webdriver::Browser;
use common::{seed, TestApp, SLATE};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_is_proposed_confirmed_rsvped_and_held_in_a_real_browser() {
    let app = TestApp::sqlite().await;
    seed(&app, "signers >= 2").await;
    let e = &app.engine;
    e.grant("org@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("grant");
    for (email, who) in [
        ("ada@example.org", "ada-reyes"),
        ("ben@example.org", "ben-okafor"),
    ] {
        e.grant(email, Role::Candidate, Some(SLATE), Some(who))
            .await
            .expect("grant");
    }
    let b = Browser::start().await;

    // the organizer proposes through the form
    b.sign_in(&app, "org@example.org").await;
    b.goto(&app.url(&format!("/slates/{SLATE}/joint-events/new")))
        .await;
    b.check_wide_and_phone("joint-event-propose").await;
    let start = (common::now() + Duration::days(3))
        .format("%Y-%m-%dT18:00")
        .to_string();
    let end = (common::now() + Duration::days(3))
        .format("%Y-%m-%dT20:00")
        .to_string();
    b.type_into("#title", "River towns town hall").await;
    b.script(
        "document.querySelector('#starts_at').value = arguments[0]; document.querySelector('#ends_at').value = arguments[1];",
        serde_json::json!([start, end]),
    )
    .await;
    b.type_into("#venue", "Union Hall").await;
    b.type_into("#city", "Albany").await;
    b.type_into("#capacity", "1").await;
    b.click("#host-ada-reyes").await;
    b.click("#host-ben-okafor").await;
    b.click("main form button[type=submit]").await;
    b.wait_for_text("Each host's campaign must confirm").await;
    let url = b.url().await;
    let id: i64 = url
        .split("/joint-events/")
        .nth(1)
        .and_then(|s| s.split('?').next())
        .and_then(|s| s.parse().ok())
        .expect("the event's page");
    b.check_wide_and_phone("joint-event-proposed").await;

    // each host's campaign confirms for its own candidate
    for (email, name) in [
        ("ada@example.org", "Ada Reyes"),
        ("ben@example.org", "Ben Okafor"),
    ] {
        b.delete_cookies().await;
        b.sign_in(&app, email).await;
        b.goto(&app.url(&format!("/joint-events/{id}"))).await;
        b.wait_for_text(&format!("Your answer for {name}")).await;
        b.check_wide_and_phone("joint-event-campaign").await;
        b.click("button[value=confirm]").await;
        b.wait_for_text("Your answer is recorded").await;
    }

    // a supporter with no account RSVPs; the list shows it
    b.delete_cookies().await;
    b.goto(&app.url(&format!("/slates/{SLATE}/joint-events")))
        .await;
    b.wait_for_text("River towns town hall").await;
    b.check_wide_and_phone("joint-events-list").await;
    b.goto(&app.url(&format!("/joint-events/{id}"))).await;
    b.check_wide_and_phone("joint-event-page").await;
    b.type_into("#rsvp-name", "Ana Diaz").await;
    b.type_into("#rsvp-email", "ana@example.org").await;
    b.type_into("#rsvp-zip", "12207").await;
    b.click("form[action$='/rsvp'] button").await;
    b.wait_for_text("You're going").await;
    // a second person is waitlisted (capacity 1)
    b.type_into("#rsvp-name", "Bo Li").await;
    b.type_into("#rsvp-email", "bo@example.org").await;
    b.type_into("#rsvp-zip", "12208").await;
    b.click("form[action$='/rsvp'] button").await;
    b.wait_for_text("you're on the waitlist").await;

    // the private cancel page
    let mail = app.mail.wait_for("ana@example.org", "RSVP:").await;
    let at = mail
        .body
        .find("/joint-events/rsvps/")
        .expect("a cancel link");
    let secret = mail.body[at..]
        .trim_start_matches("/joint-events/rsvps/")
        .split_whitespace()
        .next()
        .expect("secret")
        .to_owned();
    b.goto(&app.url(&format!("/joint-events/rsvps/{secret}")))
        .await;
    b.check_wide_and_phone("joint-event-ticket").await;
    b.click("main form button").await;
    b.wait_for_text("Your RSVP is cancelled").await;
    app.mail.wait_for("bo@example.org", "You're in").await;

    // after it ends the organizer records it held
    app.clock.set(common::now() + Duration::days(4));
    b.sign_in(&app, "org@example.org").await;
    b.goto(&app.url(&format!("/joint-events/{id}"))).await;
    b.wait_for_text("Record it as held").await;
    b.check_wide_and_phone("joint-event-held-form").await;
    b.type_into("#attendance", "42").await;
    b.click("form[action$='/held'] button").await;
    b.wait_for_text("42 attended").await;
}

/// A confirmed event proposed by the organizer at `location` (or online).
async fn confirmed(app: &TestApp, title: &str, days: i64, location: serde_json::Value) -> i64 {
    let start = common::now() + Duration::days(days);
    let online = location
        .is_null()
        .then_some("https://stream.example.org/live");
    let (status, e) = app
        .organize(
            &format!("/api/slates/{SLATE}/joint-events"),
            json!({
                "kind": "town_hall", "title": title, "description": "",
                "starts_at": start.to_rfc3339(),
                "ends_at": (start + Duration::hours(2)).to_rfc3339(),
                "timezone": "America/New_York", "location": location,
                "online_url": online, "hosts": ["ada-reyes", "ben-okafor"], "capacity": null
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    let id = e["id"].as_i64().expect("id");
    common::confirm_hosts(app, &e).await;
    id
}

/// Issue 15: the events page "lists them with a map of where they are": the
/// shared tile map marks each state with an upcoming event in person, counts
/// the online ones, and lists every place as text; no JavaScript, axe-clean
/// at both widths, no sideways scroll.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_events_page_maps_where_the_events_are_in_a_real_browser() {
    let app = TestApp::sqlite().await;
    seed(&app, "signers >= 2").await;
    let place = |city: &str, state: &str, zip: &str| json!({"venue": "Union Hall", "address": "12 Main St", "city": city, "state": state, "zip": zip});
    confirmed(&app, "Albany town hall", 3, place("Albany", "NY", "12207")).await;
    confirmed(
        &app,
        "Buffalo town hall",
        4,
        place("Buffalo", "ny", "14201"),
    )
    .await;
    confirmed(
        &app,
        "Columbus town hall",
        5,
        place("Columbus", "OH", "43215"),
    )
    .await;
    confirmed(&app, "River livestream", 6, serde_json::Value::Null).await;

    let (status, page) = app.html(&format!("/slates/{SLATE}/joint-events")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("role=\"img\" aria-labelledby=\"events-map-title events-map-desc\""),
        "{page}"
    );
    for (state, class) in [("NY", "event"), ("OH", "event"), ("MN", "none")] {
        let tile = page
            .split("<g class=\"tile tile-")
            .find(|g| g.contains(&format!(">{state}</text>")))
            .unwrap_or_else(|| panic!("a tile for {state}"));
        assert!(tile.starts_with(class), "{state} is {class}: {tile}");
    }
    assert!(
        page.contains("Upcoming in person in: NY (2 events), OH (1 event). Online: 1 event."),
        "{page}"
    );
    assert!(page.contains("Online: 1 event</text>"), "the online badge");
    for title in [
        "Albany town hall",
        "Buffalo town hall",
        "Columbus town hall",
        "River livestream",
    ] {
        let listed = page
            .split("id=\"where-heading\"")
            .nth(1)
            .and_then(|s| s.split("id=\"upcoming-heading\"").next())
            .expect("the places");
        assert!(listed.contains(title), "{title} among the places: {listed}");
    }

    let b = Browser::start().await;
    b.goto(&app.url(&format!("/slates/{SLATE}/joint-events")))
        .await;
    b.wait_for_text("Where they are").await;
    b.check_wide_and_phone("joint-events-map").await;
    b.assert_no_sideways_scroll("joint-events-map").await;
    b.goto(&app.url(&format!("/slates/{SLATE}"))).await;
    b.wait_for_text("Albany town hall").await;
    b.check_wide_and_phone("slate-with-events").await;
    b.assert_no_sideways_scroll("slate-with-events").await;
}
