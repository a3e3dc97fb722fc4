//! Pledges through a joint fundraiser (issue 15) over real HTTP on both
//! backends: the money splits across the event's hosts only, counts in the
//! event's `raised_cents`, keeps its referral code and waits for the slate's
//! condition like any pledge; a pledge naming anything but a confirmed
//! fundraiser of the slate is refused naming `joint_event` with nothing
//! written; the event page's own form works without JavaScript.

use cohort_testkit as common;

use chrono::Duration;
use common::{seed, sign_as, TestApp, SLATE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    a_fundraiser_pledge_splits_across_its_hosts_only_and_counts_in_raised,
    a_pledge_naming_anything_but_a_confirmed_fundraiser_names_joint_event_and_writes_nothing,
    the_event_page_takes_a_pledge_without_javascript,
);

fn event(kind: &str, hosts: &[&str]) -> Value {
    let start = common::now() + Duration::days(10);
    json!({
        "kind": kind,
        "title": "River dinner",
        "description": "Two candidates, one table.",
        "starts_at": start.to_rfc3339(),
        "ends_at": (start + Duration::hours(2)).to_rfc3339(),
        "timezone": "America/New_York",
        "location": null,
        "online_url": "https://stream.example.org/dinner",
        "hosts": hosts,
        "capacity": null
    })
}

/// Proposed by the organizer; confirmed by every host when `confirm`.
async fn propose(app: &TestApp, body: Value, confirm: bool) -> i64 {
    let (status, e) = app
        .organize(&format!("/api/slates/{SLATE}/joint-events"), body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    let id = e["id"].as_i64().expect("id");
    if confirm {
        common::confirm_hosts(app, &e).await;
    }
    id
}

fn money(cents: i64, email: &str) -> Value {
    json!({
        "kind": "money", "amount_cents": cents, "recurring": "once",
        "donor": {
            "email": email, "name": "Sam Doe", "zip": "10001",
            "employer": "Acme Water Co.", "occupation": "Engineer", "attests_eligible": true
        }
    })
}

async fn pledge(app: &TestApp, body: &Value) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        &format!("/api/slates/{SLATE}/pledges"),
        None,
        Some(body),
    )
    .await
}

async fn raised(app: &TestApp, id: i64) -> i64 {
    let (status, e) = app.get(&format!("/api/joint-events/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{e}");
    e["raised_cents"].as_i64().expect("raised_cents")
}

async fn pending_cents(app: &TestApp) -> i64 {
    let (_, s) = app.get(&format!("/api/slates/{SLATE}")).await;
    s["pot"]["pending_cents"].as_i64().expect("pot")
}

fn allocated_to(view: &Value) -> Vec<(String, i64)> {
    let mut v: Vec<(String, i64)> = view["allocations"]
        .as_array()
        .expect("allocations")
        .iter()
        .map(|a| {
            (
                a["candidate"].as_str().expect("slug").to_owned(),
                a["cents"].as_i64().expect("cents"),
            )
        })
        .collect();
    v.sort();
    v
}

async fn a_fundraiser_pledge_splits_across_its_hosts_only_and_counts_in_raised(app: TestApp) {
    let version = seed(&app, "signers >= 3").await;
    let id = propose(
        &app,
        event("fundraiser", &["ada-reyes", "ben-okafor"]),
        true,
    )
    .await;
    assert_eq!(raised(&app, id).await, 0);
    let mut body = money(9_000, "sam@example.org");
    body["joint_event"] = json!(id);
    body["ref"] = json!("river-union");
    let (status, joint) = pledge(&app, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{joint}");
    assert_eq!(joint["status"], "pending", "it obeys the slate's condition");
    assert_eq!(joint["ref"], "river-union");
    assert_eq!(joint["candidates"], json!(["ada-reyes", "ben-okafor"]));
    let (status, plain) = pledge(&app, &money(3_000, "pat@example.org")).await;
    assert_eq!(status, StatusCode::CREATED, "{plain}");
    assert_eq!(
        raised(&app, id).await,
        9_000,
        "only the fundraiser's pledge counts"
    );
    // the event lists it in the slate's public list too
    let (_, list) = app.get(&format!("/api/slates/{SLATE}/joint-events")).await;
    assert_eq!(list[0]["raised_cents"], 9_000, "{list}");

    for who in ["ada-reyes", "ben-okafor", "cy-lindqvist"] {
        sign_as(&app, who, version).await;
    }
    let token = |v: &Value| v["receipt_token"].as_str().expect("receipt").to_owned();
    let pid = joint["id"].as_i64().expect("id");
    let (_, view) = app
        .get(&format!("/api/pledges/{pid}?token={}", token(&joint)))
        .await;
    assert_eq!(view["status"], "unlocked", "{view}");
    assert_eq!(
        allocated_to(&view),
        vec![("ada-reyes".into(), 4_500), ("ben-okafor".into(), 4_500)],
        "the third signer, not a host, gets nothing of it"
    );
    let pid = plain["id"].as_i64().expect("id");
    let (_, view) = app
        .get(&format!("/api/pledges/{pid}?token={}", token(&plain)))
        .await;
    assert_eq!(
        allocated_to(&view).len(),
        3,
        "a plain pledge still splits across every signer: {view}"
    );
    assert_eq!(raised(&app, id).await, 9_000, "unlocked money still counts");
}

async fn a_pledge_naming_anything_but_a_confirmed_fundraiser_names_joint_event_and_writes_nothing(
    app: TestApp,
) {
    seed(&app, "signers >= 3").await;
    let proposed = propose(
        &app,
        event("fundraiser", &["ada-reyes", "ben-okafor"]),
        false,
    )
    .await;
    let town_hall = propose(&app, event("town_hall", &["ada-reyes", "ben-okafor"]), true).await;
    let fundraiser = propose(
        &app,
        event("fundraiser", &["ada-reyes", "cy-lindqvist"]),
        true,
    )
    .await;
    let with = |id: i64| {
        let mut b = money(5_000, "sam@example.org");
        b["joint_event"] = json!(id);
        b
    };
    let mut chose = with(fundraiser);
    chose["candidates"] = json!(["ben-okafor"]);
    let hours = json!({
        "kind": "hours", "hours_per_week": 3, "weeks": 4, "joint_event": fundraiser,
        "donor": {"email": "sam@example.org", "name": "Sam Doe", "zip": "10001"}
    });
    let cases = [
        ("joint_event", with(proposed)),
        ("joint_event", with(town_hall)),
        ("joint_event", with(987_654)),
        ("candidates", chose),
        ("joint_event", hours),
    ];
    for (field, body) in cases {
        let (status, answer) = pledge(&app, &body).await;
        assert!(status.is_client_error(), "{status} {answer}");
        assert_eq!(answer["error"]["field"], field, "{answer}");
    }
    assert_eq!(pending_cents(&app).await, 0, "nothing was written");
    for id in [proposed, town_hall, fundraiser] {
        let mut tx = app.store.read().await.expect("read");
        assert!(tx.joint_event_pledges(id).await.expect("links").is_empty());
    }
}

async fn the_event_page_takes_a_pledge_without_javascript(app: TestApp) {
    seed(&app, "signers >= 3").await;
    let id = propose(
        &app,
        event("fundraiser", &["ada-reyes", "ben-okafor"]),
        true,
    )
    .await;
    let (status, page) = app.html(&format!("/joint-events/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Give to this joint fundraiser"), "{page}");
    assert!(page.contains(&format!("action=\"/joint-events/{id}/pledge\"")));
    let (cookie, csrf) = app.form_credentials(None).await;
    let post = |fields: Vec<(&'static str, String)>| {
        let req = app
            .client
            .post(app.url(&format!("/joint-events/{id}/pledge")))
            .header("cookie", cookie.clone())
            .form(&fields);
        async move { req.send().await.expect("answer") }
    };
    let good = |amount: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("amount", amount.to_owned()),
            ("recurring", "once".to_owned()),
            ("name", "Lee Park".to_owned()),
            ("email", "lee@example.org".to_owned()),
            ("zip", "12207".to_owned()),
            ("ref", "river-union".to_owned()),
            ("attests", "yes".to_owned()),
        ]
    };
    // a bad amount comes back to the event page, naming it; nothing written
    let res = post(good("lots")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.expect("page");
    assert!(body.contains("Amount:"), "{body}");
    assert!(body.contains("Give to this joint fundraiser"));
    assert_eq!(raised(&app, id).await, 0);
    let res = post(good("25")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().expect("location");
    assert!(to.starts_with("/pledges/"), "{to}");
    assert_eq!(raised(&app, id).await, 2_500);
    let (_, page) = app.html(&format!("/joint-events/{id}")).await;
    assert!(
        page.contains("Raised through this fundraiser: <strong>$25</strong>"),
        "the page shows what it raised: {page}"
    );
}
