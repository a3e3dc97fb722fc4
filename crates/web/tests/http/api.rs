//! The JSON API and the public pages over real HTTP, on both backends.
//!
//! Each scenario is an `async fn(TestApp)`; `both_backends!` runs it once on
//! SQLite and once on PostgreSQL. Snapshots are shared by both runs, so they
//! also prove the backends answer identically.

use cohort_testkit as common;

use common::{candidate, publish, seed, TestApp, SLATE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    full_flow_unlocks_and_splits,
    idempotent_pledges,
    one_key_sent_at_once_many_times_pledges_once,
    bad_pledges_write_nothing,
    bad_slate_input,
    roles_are_enforced,
    only_the_latest_compact_can_be_signed,
    cancelling_pledges,
    stopping_monthly_pledges,
    withdrawing_and_unendorsing,
    slate_page_renders_and_escapes,
    api_errors_are_json,
    events_log_is_public,
    organizers_set_limits_and_splits_respect_them,
    a_candidate_on_two_slates_has_one_limit_per_donor,
    a_server_sees_what_another_server_changed_since_it_kept_the_slate,
    pledges_racing_signatures_on_two_servers_all_land_and_unlock,
);

// ---------------------------------------------------------------- fixtures

fn money(cents: Value) -> Value {
    json!({
        "kind": "money", "amount_cents": cents, "recurring": "once",
        "donor": {
            "email": "sam@example.org", "name": "Sam Doe", "zip": "10001",
            "employer": "Acme Water Co.", "occupation": "Engineer", "attests_eligible": true
        }
    })
}

async fn pledge(app: &TestApp, body: &Value, key: Option<&str>) -> (StatusCode, Value) {
    let mut req = app
        .client
        .post(app.url(&format!("/api/slates/{SLATE}/pledges")))
        .json(body);
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    common::read(req.send().await.expect("an answer")).await
}

async fn slate(app: &TestApp) -> Value {
    let (status, body) = app.get(&format!("/api/slates/{SLATE}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn pot(app: &TestApp) -> Value {
    slate(app).await["pot"].clone()
}

async fn event_count(app: &TestApp) -> usize {
    let (status, body) = app.get(&format!("/api/slates/{SLATE}/events")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array().expect("an array").len()
}

async fn candidate_token(app: &TestApp, slug: &str) -> String {
    app.engine
        .issue_candidate_token(SLATE, slug)
        .await
        .expect("a candidate token")
}

async fn sign(app: &TestApp, token: &str, who: &str, version: i64) -> (StatusCode, Value) {
    let path = format!("/api/slates/{SLATE}/signatures");
    app.call(
        Method::POST,
        &path,
        Some(token),
        Some(&json!({"candidate": who, "version": version})),
    )
    .await
}

async fn endorse(app: &TestApp, token: &str, from: &str, to: &str) -> (StatusCode, Value) {
    let path = format!("/api/slates/{SLATE}/endorsements");
    app.call(
        Method::POST,
        &path,
        Some(token),
        Some(&json!({"from": from, "to": to})),
    )
    .await
}

fn assert_error(status: StatusCode, body: &Value, want_status: u16, want_code: &str) {
    assert_eq!(status.as_u16(), want_status, "{body}");
    assert_eq!(body["error"]["code"], want_code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "an error says what is wrong: {body}"
    );
}

// --------------------------------------------------------------- scenarios

async fn full_flow_unlocks_and_splits(app: TestApp) {
    let version = seed(&app, "signers >= 2 and mutual").await;
    let (status, created) = pledge(&app, &money(json!(10_000)), None).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["status"], "pending");
    let id = created["id"].as_i64().expect("an id");
    let receipt = created["receipt_token"]
        .as_str()
        .expect("a receipt")
        .to_owned();
    assert_eq!(pot(&app).await["pending_cents"], 10_000);

    let (ada, ben) = (
        candidate_token(&app, "ada-reyes").await,
        candidate_token(&app, "ben-okafor").await,
    );
    let (status, body) = sign(&app, &ada, "ada-reyes", version).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        body,
        json!({"candidate": "ada-reyes", "version": version, "unlocked": 0})
    );
    let (status, body) = sign(&app, &ben, "ben-okafor", version).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        body["unlocked"], 0,
        "two signers who don't endorse each other unlock nothing"
    );
    let (status, body) = endorse(&app, &ada, "ada-reyes", "ben-okafor").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["unlocked"], 0);
    let (status, body) = endorse(&app, &ben, "ben-okafor", "ada-reyes").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        body["unlocked"], 1,
        "the mutual endorsement unlocks the pledge"
    );

    let (status, view) = app.get(&format!("/api/pledges/{id}?token={receipt}")).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["status"], "unlocked");
    assert_eq!(view["unallocated_cents"], 0);
    let mut shares: Vec<(String, i64)> = view["allocations"]
        .as_array()
        .expect("allocations")
        .iter()
        .map(|a| {
            (
                a["candidate"].as_str().unwrap_or("").to_owned(),
                a["cents"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    shares.sort();
    assert_eq!(
        shares,
        [
            ("ada-reyes".to_owned(), 5_000),
            ("ben-okafor".to_owned(), 5_000)
        ]
    );
    assert!(
        view.get("receipt_token").is_none(),
        "the receipt is shown once, at creation"
    );

    let s = slate(&app).await;
    assert_eq!(s["unlocked"], true);
    assert_eq!(
        (s["signers"].as_i64(), s["states"].as_i64(), &s["mutual"]),
        (Some(2), Some(2), &json!(true))
    );
    assert_eq!(s["pot"]["unlocked_cents"], 10_000);
    assert_eq!(s["pot"]["pending_cents"], 0);
    assert_eq!(s["pot"]["pledgers"], 1);

    let path = format!("/api/slates/{SLATE}/allocations");
    let (status, totals) = app
        .call(Method::GET, &path, Some(&app.organizer), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{totals}");
    assert_eq!(
        totals,
        json!([
            {"candidate": "ada-reyes", "name": "Ada Reyes", "cents": 5000, "contributions": 1},
            {"candidate": "ben-okafor", "name": "Ben Okafor", "cents": 5000, "contributions": 1},
            {"candidate": "cy-lindqvist", "name": "Cy Lindqvist", "cents": 0, "contributions": 0}
        ])
    );

    insta::assert_json_snapshot!("full_flow_slate", s, { ".compact.hash" => "[hash]" });
    insta::assert_json_snapshot!("full_flow_pledge", view, {
        ".id" => "[id]",
        ".created_at" => "[time]",
        ".unlocked_at" => "[time]",
    });
}

async fn idempotent_pledges(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let body = money(json!(2_500));
    let (status, first) = pledge(&app, &body, Some("retry-1")).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let before = pot(&app).await;
    assert_eq!(before["pending_cents"], 2_500);
    let events = event_count(&app).await;

    let (status, again) = pledge(&app, &body, Some("retry-1")).await;
    assert_eq!(status, StatusCode::OK, "a replay answers 200: {again}");
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["receipt_token"], first["receipt_token"]);
    assert_eq!(pot(&app).await, before, "a replay pledges nothing more");

    let (status, other) = pledge(&app, &money(json!(9_900)), Some("retry-1")).await;
    assert_error(status, &other, 409, "idempotency_key_reused");
    assert_eq!(pot(&app).await, before);
    assert_eq!(
        event_count(&app).await,
        events,
        "no event for a refused or replayed pledge"
    );

    let (status, fresh) = pledge(&app, &body, Some("retry-2")).await;
    assert_eq!(status, StatusCode::CREATED, "{fresh}");
    assert_ne!(fresh["id"], first["id"]);
    assert_eq!(pot(&app).await["pending_cents"], 5_000);
    assert_eq!(pot(&app).await["pledgers"], 1, "the same donor counts once");
}

/// The same Idempotency-Key sent 8 times at once (the per-address limit
/// is 10 an hour): the requests share
/// intake batches, where a batch checks its keys together and a key's
/// repeats after its first must still find the pledge the first made.
async fn one_key_sent_at_once_many_times_pledges_once(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let body = money(json!(2_500));
    let answers =
        futures::future::join_all((0..8).map(|_| pledge(&app, &body, Some("burst-1")))).await;
    let created: Vec<&Value> = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(created.len(), 1, "{answers:?}");
    for (status, b) in &answers {
        assert!(
            *status == StatusCode::CREATED || *status == StatusCode::OK,
            "{status}: {b}"
        );
        assert_eq!(b["id"], created[0]["id"], "{b}");
        assert_eq!(b["receipt_token"], created[0]["receipt_token"]);
    }
    assert_eq!(pot(&app).await["pending_cents"], 2_500);
}

async fn bad_pledges_write_nothing(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let (status, _) = pledge(&app, &money(json!(1_000)), None).await;
    assert_eq!(status, StatusCode::CREATED);
    let before = pot(&app).await;
    let events = event_count(&app).await;
    let path = format!("/api/slates/{SLATE}/pledges");

    let unchanged = |what: &'static str| {
        let app = &app;
        let before = before.clone();
        async move {
            assert_eq!(pot(app).await, before, "{what} changed the pot");
            assert_eq!(event_count(app).await, events, "{what} appended an event");
        }
    };

    let (status, body) = app
        .post_raw(
            &path,
            "application/json",
            r#"{"kind": "money", "amount_cents": "#,
        )
        .await;
    assert_error(status, &body, 400, "malformed_json");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("line 1, column"), "names where: {message}");
    unchanged("malformed JSON").await;

    let (status, body) = pledge(&app, &money(json!("abc")), None).await;
    assert_error(status, &body, 422, "invalid");
    assert_eq!(body["error"]["field"], "amount_cents");
    unchanged("a string amount").await;

    for (amount, what) in [
        (json!(-500), "a negative amount"),
        (json!(1_000_000_000_000_000_i64), "an absurd amount"),
        (json!(1e20), "an amount past i64"),
    ] {
        let (status, body) = pledge(&app, &money(amount), None).await;
        assert_error(status, &body, 422, "invalid");
        assert_eq!(body["error"]["field"], "amount_cents", "{what}: {body}");
        unchanged(what).await;
    }

    let mut chosen = money(json!(1_000));
    chosen["candidates"] = json!(["nobody-here"]);
    let (status, body) = pledge(&app, &chosen, None).await;
    assert_error(status, &body, 422, "invalid");
    assert_eq!(body["error"]["field"], "candidates[0]");
    unchanged("an unknown candidate").await;

    let mut cond = money(json!(1_000));
    cond["condition"] = json!("signers >=");
    let (status, body) = pledge(&app, &cond, None).await;
    assert_error(status, &body, 422, "invalid");
    assert_eq!(body["error"]["field"], "condition");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("column 11"),
        "points at the position: {message}"
    );
    unchanged("an unparsable condition").await;

    let mut unknown = money(json!(1_000));
    unknown["bogus"] = json!(true);
    let (status, body) = pledge(&app, &unknown, None).await;
    assert_error(status, &body, 422, "invalid");
    assert_eq!(body["error"]["field"], "bogus");
    unchanged("an unknown field").await;

    let mut no_email = money(json!(1_000));
    no_email["donor"].as_object_mut().map(|d| d.remove("email"));
    let (status, body) = pledge(&app, &no_email, None).await;
    assert_error(status, &body, 422, "invalid");
    assert_eq!(body["error"]["field"], "donor.email");
    unchanged("a missing email").await;

    let mut ineligible = money(json!(1_000));
    ineligible["donor"]["attests_eligible"] = json!(false);
    let (status, body) = pledge(&app, &ineligible, None).await;
    assert_error(status, &body, 422, "invalid");
    assert_eq!(body["error"]["field"], "donor.attests_eligible");
    unchanged("a missing attestation").await;

    let mut huge = money(json!(1_000));
    huge["donor"]["name"] = json!("x".repeat(70 * 1024));
    let res = app
        .client
        .post(app.url(&path))
        .json(&huge)
        .send()
        .await
        .expect("an answer");
    assert_eq!(
        res.headers().get("connection").map(|v| v.as_bytes()),
        Some(&b"close"[..]),
        "the unread body makes the connection unusable; the server says so"
    );
    let (status, body) = common::read(res).await;
    assert_error(status, &body, 413, "too_large");
    unchanged("a body over 64 KiB").await;

    let (status, body) = app
        .post_raw(&path, "text/plain", money(json!(1_000)).to_string())
        .await;
    assert_error(status, &body, 415, "unsupported_media_type");
    unchanged("a text/plain body").await;

    let (status, body) = app
        .call(
            Method::POST,
            "/api/slates/no-such-slate/pledges",
            None,
            Some(&money(json!(1_000))),
        )
        .await;
    assert_error(status, &body, 404, "not_found");
    unchanged("an unknown slate").await;
}

async fn bad_slate_input(app: TestApp) {
    let (status, body) = app
        .organize(
            "/api/slates",
            json!({"slug": "s", "name": "S", "cycle": 2028, "condition": "signers >="}),
        )
        .await;
    assert_error(status, &body, 422, "invalid");
    assert_eq!(body["error"]["field"], "condition");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("column 11"),
        "{body}"
    );

    let (status, body) = app
        .organize(
            "/api/slates",
            json!({"slug": "s", "name": "S", "cycle": "2028", "condition": "mutual"}),
        )
        .await;
    assert_error(status, &body, 422, "invalid");
    assert_eq!(body["error"]["field"], "cycle");

    let (status, body) = app
        .organize(
            "/api/slates",
            json!({"slug": "s", "name": "S", "cycle": 2028}),
        )
        .await;
    assert_error(status, &body, 422, "invalid");
    assert_eq!(body["error"]["field"], "condition");

    let (status, list) = app.get("/api/slates").await;
    assert_eq!(
        (status, list),
        (StatusCode::OK, json!([])),
        "no slate was half-created"
    );

    seed(&app, "signers >= 1").await;
    let (status, body) = app
        .organize(
            "/api/slates",
            json!({"slug": SLATE, "name": "Again", "cycle": 2028, "condition": "mutual"}),
        )
        .await;
    assert_error(status, &body, 409, "slug_taken");

    let path = format!("/api/slates/{SLATE}/candidates");
    let (status, body) = app
        .organize(
            &path,
            candidate("ada-reyes", "Ada Again", "us_house", "NY", Some("10")),
        )
        .await;
    assert_error(status, &body, 409, "candidate_exists");
    let (status, body) = app
        .organize(&path, candidate("dee", "Dee", "dogcatcher", "NY", None))
        .await;
    assert_error(status, &body, 422, "invalid");
    assert_eq!(body["error"]["field"], "office");
    let (status, body) = app
        .organize(&path, candidate("dee", "Dee", "mayor", "ZZ", None))
        .await;
    assert_error(status, &body, 422, "invalid");
    assert_eq!(body["error"]["field"], "state");
    assert_eq!(
        slate(&app).await["candidates"].as_array().map(Vec::len),
        Some(3)
    );

    let (status, body) = app
        .organize(
            &format!("/api/slates/{SLATE}/compact"),
            json!({"commitments": []}),
        )
        .await;
    assert_error(status, &body, 422, "invalid");
    assert_eq!(body["error"]["field"], "commitments");
    assert_eq!(slate(&app).await["compact"]["version"], 1, "no new version");
}

async fn roles_are_enforced(app: TestApp) {
    let version = seed(&app, "signers >= 2").await;
    let path = format!("/api/slates/{SLATE}/candidates");
    let dee = candidate("dee-park", "Dee Park", "mayor", "WA", None);

    let (status, body) = app.call(Method::POST, &path, None, Some(&dee)).await;
    assert_error(status, &body, 401, "unauthorized");
    let (status, body) = app
        .call(Method::POST, &path, Some("not-a-real-token"), Some(&dee))
        .await;
    assert_error(status, &body, 401, "unauthorized");
    let res = app
        .client
        .post(app.url(&path))
        .header("Authorization", format!("Basic {}", app.organizer))
        .json(&dee)
        .send()
        .await
        .expect("an answer");
    let (status, body) = common::read(res).await;
    assert_error(status, &body, 401, "unauthorized");

    let ada = candidate_token(&app, "ada-reyes").await;
    let (status, body) = app.call(Method::POST, &path, Some(&ada), Some(&dee)).await;
    assert_error(status, &body, 403, "forbidden");
    assert_eq!(
        slate(&app).await["candidates"].as_array().map(Vec::len),
        Some(3),
        "nobody was added"
    );

    let (status, body) = sign(&app, &ada, "ben-okafor", version).await;
    assert_error(status, &body, 403, "forbidden");
    let (status, body) = sign(&app, &app.organizer, "ben-okafor", version).await;
    assert_error(status, &body, 403, "forbidden");
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/slates/{SLATE}/signatures"),
            None,
            Some(&json!({"candidate": "ben-okafor", "version": version})),
        )
        .await;
    assert_error(status, &body, 401, "unauthorized");
    let (status, body) = endorse(&app, &ada, "ben-okafor", "ada-reyes").await;
    assert_error(status, &body, 403, "forbidden");
    let s = slate(&app).await;
    assert_eq!(s["signers"], 0, "no signature was recorded");
    assert_eq!(s["endorsements"], json!([]));

    let allocations = format!("/api/slates/{SLATE}/allocations");
    let (status, body) = app.get(&allocations).await;
    assert_error(status, &body, 401, "unauthorized");
    let (status, body) = app.call(Method::GET, &allocations, Some(&ada), None).await;
    assert_error(status, &body, 403, "forbidden");

    let (status, body) = app
        .call(
            Method::POST,
            "/api/slates",
            Some(&ada),
            Some(&json!({"slug": "x", "name": "X", "cycle": 2028, "condition": "mutual"})),
        )
        .await;
    assert_error(status, &body, 403, "forbidden");
}

async fn only_the_latest_compact_can_be_signed(app: TestApp) {
    let v1 = seed(&app, "signers >= 1").await;
    let v2 = publish(&app).await;
    assert_eq!(v2, v1 + 1);
    let ada = candidate_token(&app, "ada-reyes").await;
    let (status, body) = sign(&app, &ada, "ada-reyes", v1).await;
    assert_error(status, &body, 409, "stale_version");
    let (status, body) = sign(&app, &ada, "ada-reyes", 99).await;
    assert_error(status, &body, 409, "stale_version");
    assert_eq!(slate(&app).await["signers"], 0);

    let (status, body) = sign(&app, &ada, "ada-reyes", v2).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let v3 = publish(&app).await;
    let s = slate(&app).await;
    let ada_view = &s["candidates"][0];
    assert_eq!(
        (
            ada_view["signed"].clone(),
            ada_view["signed_version"].as_i64()
        ),
        (json!(true), Some(v2))
    );
    assert_eq!(
        s["compact"]["version"].as_i64(),
        Some(v3),
        "the signature stays on the version it signed"
    );
}

async fn cancelling_pledges(app: TestApp) {
    let version = seed(&app, "signers >= 1").await;
    let (_, p) = pledge(&app, &money(json!(4_200)), None).await;
    let (id, receipt) = (
        p["id"].as_i64().expect("id"),
        p["receipt_token"].as_str().expect("receipt").to_owned(),
    );

    let (status, body) = app.get(&format!("/api/pledges/{id}")).await;
    assert_error(status, &body, 401, "unauthorized");
    let (status, body) = app.get(&format!("/api/pledges/{id}?token=wrong")).await;
    assert_error(status, &body, 404, "not_found");
    let (status, body) = end_pledge(&app, id, "wrong").await;
    assert_error(status, &body, 404, "not_found");
    let (status, body) = app.get("/api/pledges/not-a-number?token=x").await;
    assert_error(status, &body, 404, "not_found");
    assert_eq!(
        pot(&app).await["pending_cents"],
        4_200,
        "a wrong receipt cancels nothing"
    );

    let (status, body) = end_pledge(&app, id, &receipt).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    let (status, view) = app.get(&format!("/api/pledges/{id}?token={receipt}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["status"], "cancelled");
    let after = pot(&app).await;
    assert_eq!(
        (after["pending_cents"].as_i64(), after["pledgers"].as_i64()),
        (Some(0), Some(0))
    );
    let (status, body) = end_pledge(&app, id, &receipt).await;
    assert_error(status, &body, 409, "not_pending");

    let (_, p) = pledge(&app, &money(json!(4_200)), Some("second")).await;
    let (id, receipt) = (
        p["id"].as_i64().expect("id"),
        p["receipt_token"].as_str().expect("receipt").to_owned(),
    );
    let ada = candidate_token(&app, "ada-reyes").await;
    let (status, body) = sign(&app, &ada, "ada-reyes", version).await;
    assert_eq!(
        (status, body["unlocked"].as_i64()),
        (StatusCode::CREATED, Some(1))
    );
    let (status, body) = end_pledge(&app, id, &receipt).await;
    assert_error(status, &body, 409, "already_allocated");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("already allocated")),
        "the refusal says why: {body}"
    );
    let (_, view) = app.get(&format!("/api/pledges/{id}?token={receipt}")).await;
    assert_eq!(view["status"], "unlocked");
    assert_eq!(view["allocations"][0]["cents"], 4_200);
    assert_eq!(pot(&app).await["unlocked_cents"], 4_200);
}

/// `DELETE /api/pledges/{id}?token=` stops an unlocked monthly pledge: the
/// months already split stay, no new month is split, the pot lets it go.
async fn stopping_monthly_pledges(app: TestApp) {
    let version = seed(&app, "signers >= 1").await;
    let monthly = |email: &str, cents: i64| {
        let mut body = money(json!(cents));
        body["recurring"] = json!("monthly");
        body["donor"]["email"] = json!(email);
        body
    };
    let receipt = |p: &Value| {
        (
            p["id"].as_i64().expect("id"),
            p["receipt_token"].as_str().expect("receipt").to_owned(),
        )
    };
    let (id, token) = receipt(
        &pledge(&app, &monthly("sam@example.org", 1_000), Some("m"))
            .await
            .1,
    );
    let (kim, kim_token) = receipt(
        &pledge(&app, &monthly("kim@example.org", 500), Some("k"))
            .await
            .1,
    );
    let mut once = money(json!(700));
    once["donor"]["email"] = json!("ona@example.org");
    let (ona, ona_token) = receipt(&pledge(&app, &once, Some("o")).await.1);
    let ada = candidate_token(&app, "ada-reyes").await;
    assert_eq!(
        sign(&app, &ada, "ada-reyes", version).await.1["unlocked"],
        3
    );
    app.clock.set(common::now() + chrono::Duration::days(30));
    assert_eq!(app.engine.tick().await.expect("tick").installments, 2);
    let before = receipt_view(&app, id, &token).await;
    assert_eq!(
        before["allocations"].as_array().map(Vec::len),
        Some(2),
        "{before}"
    );
    assert_eq!(
        (
            pot(&app).await["unlocked_cents"].as_i64(),
            pot(&app).await["pledgers"].as_i64()
        ),
        (Some(2_200), Some(3))
    );

    let (status, body) = end_pledge(&app, id, &kim_token).await;
    assert_error(status, &body, 404, "not_found");
    assert_eq!(
        receipt_view(&app, id, &token).await["status"],
        "unlocked",
        "another's receipt stops nothing"
    );

    app.clock.set(common::now() + chrono::Duration::days(32));
    for _ in 0..2 {
        let (status, body) = end_pledge(&app, id, &token).await;
        assert_eq!(
            (status, body),
            (StatusCode::NO_CONTENT, Value::Null),
            "a stop is idempotent"
        );
    }
    let after = receipt_view(&app, id, &token).await;
    assert_eq!(after["status"], "stopped", "{after}");
    assert_eq!(after["stopped_at"], "2026-12-26T12:00:00Z");
    assert_eq!(
        after["allocations"], before["allocations"],
        "money already given is given"
    );
    assert_eq!(after["unallocated_cents"], before["unallocated_cents"]);
    let pot_now = pot(&app).await;
    assert_eq!(
        (
            pot_now["unlocked_cents"].as_i64(),
            pot_now["pledgers"].as_i64()
        ),
        (Some(1_200), Some(2)),
        "a stopped pledge leaves the pot: {pot_now}"
    );

    // Months pass: the running pledge gets its month, the stopped one none.
    app.clock.set(common::now() + chrono::Duration::days(92));
    assert_eq!(app.engine.tick().await.expect("tick").installments, 1);
    assert_eq!(
        receipt_view(&app, id, &token).await["allocations"],
        before["allocations"]
    );
    assert_eq!(
        receipt_view(&app, kim, &kim_token).await["allocations"]
            .as_array()
            .map(Vec::len),
        Some(3),
        "the monthly pledge still running was split again"
    );

    // A one-time pledge that unlocked can't be stopped: its money is allocated.
    let (status, body) = end_pledge(&app, ona, &ona_token).await;
    assert_error(status, &body, 409, "already_allocated");
    assert_eq!(
        receipt_view(&app, ona, &ona_token).await["status"],
        "unlocked"
    );

    let (_, log) = app.get(&format!("/api/slates/{SLATE}/events")).await;
    let stops: Vec<&Value> = log
        .as_array()
        .expect("an array")
        .iter()
        .filter(|e| e["kind"] == "pledge_stopped")
        .collect();
    assert_eq!(stops.len(), 1, "stopped once: {log}");
    assert_eq!(
        stops[0]["data"],
        json!({"pledge": id}),
        "no amounts in the public log"
    );
    let mail = app
        .engine
        .emails_to("sam@example.org")
        .await
        .expect("outbox");
    let stopped: Vec<_> = mail
        .iter()
        .filter(|m| m.email.subject.contains("is stopped"))
        .collect();
    assert_eq!(stopped.len(), 1, "one confirmation");
    assert!(
        stopped[0]
            .email
            .body
            .contains("No new month will be split or charged")
            && stopped[0]
                .email
                .body
                .contains(&format!("/pledges/{id}?token=")),
        "{}",
        stopped[0].email.body
    );
    // Only the receipt token's hash is stored, so a later email carries a
    // token derived under the server's key (issue 14); it opens the pledge too.
    let body = &stopped[0].email.body;
    let marker = format!("/pledges/{id}?token=");
    let start = body.find(&marker).expect("a link") + marker.len();
    let linked: String = body[start..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    assert_ne!(linked, token, "the original token is not kept to repeat");
    let (status, _) = app.get(&format!("/api/pledges/{id}?token={linked}")).await;
    assert_eq!(status, StatusCode::OK, "the emailed link opens the pledge");
    assert_eq!(app.engine.verify().await.expect("verify"), vec![]);
}

/// `DELETE /api/pledges/{id}?token=`: cancel or stop.
async fn end_pledge(app: &TestApp, id: i64, token: &str) -> (StatusCode, Value) {
    app.call(
        Method::DELETE,
        &format!("/api/pledges/{id}?token={token}"),
        None,
        None,
    )
    .await
}

async fn receipt_view(app: &TestApp, id: i64, token: &str) -> Value {
    let (status, v) = app.get(&format!("/api/pledges/{id}?token={token}")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v
}

async fn withdrawing_and_unendorsing(app: TestApp) {
    let version = seed(&app, "signers >= 3").await;
    let (ada, ben) = (
        candidate_token(&app, "ada-reyes").await,
        candidate_token(&app, "ben-okafor").await,
    );
    assert_eq!(
        sign(&app, &ada, "ada-reyes", version).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        endorse(&app, &ada, "ada-reyes", "ben-okafor").await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        endorse(&app, &ada, "ada-reyes", "ben-okafor").await.0,
        StatusCode::CREATED,
        "endorsing twice is harmless"
    );
    let (status, body) = endorse(&app, &ada, "ada-reyes", "ada-reyes").await;
    assert_error(status, &body, 422, "invalid");
    let s = slate(&app).await;
    assert_eq!(
        (
            s["signers"].as_i64(),
            s["endorsements"].as_array().map(Vec::len)
        ),
        (Some(1), Some(1))
    );

    let unendorse = format!("/api/slates/{SLATE}/endorsements/ada-reyes/ben-okafor");
    let (status, body) = app.call(Method::DELETE, &unendorse, Some(&ben), None).await;
    assert_error(status, &body, 403, "forbidden");
    let (status, _) = app.call(Method::DELETE, &unendorse, Some(&ada), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app.call(Method::DELETE, &unendorse, Some(&ada), None).await;
    assert_error(status, &body, 404, "not_found");

    let withdraw = format!("/api/slates/{SLATE}/signatures/ada-reyes");
    let (status, _) = app.call(Method::DELETE, &withdraw, Some(&ada), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app.call(Method::DELETE, &withdraw, Some(&ada), None).await;
    assert_error(status, &body, 404, "not_found");
    let s = slate(&app).await;
    assert_eq!(
        (
            s["signers"].as_i64(),
            s["endorsements"].as_array().map(Vec::len)
        ),
        (Some(0), Some(0))
    );
}

async fn slate_page_renders_and_escapes(app: TestApp) {
    seed(&app, "signers >= 2 and mutual").await;
    let path = format!("/api/slates/{SLATE}/candidates");
    let evil = candidate(
        "evil",
        "<script>alert(1)</script>",
        "state_house",
        "TX",
        Some("14"),
    );
    let (status, body) = app.organize(&path, evil).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = pledge(&app, &money(json!(123_456)), None).await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, page) = app.html(&format!("/slates/{SLATE}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<html lang=\"en\">"));
    assert!(page.contains("<title>River Caucus · Cohort</title>"));
    assert!(
        page.contains("Every town on the river drinks from it."),
        "the plank's why is shown"
    );
    assert!(page.contains("Clean water"));
    assert!(
        page.contains("Cross-endorse every other signer"),
        "the commitments are shown"
    );
    assert!(
        page.contains("Unlocks when"),
        "the condition is in plain English"
    );
    assert!(page.contains("U.S. House NY-10"), "offices read as labels");
    assert!(page.contains("$1,234.56"), "money is formatted as dollars");
    assert!(page.contains("What's waiting for Ada Reyes if they sign"));
    assert!(!page.contains("<script>"), "no raw tag may reach the page");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the name is shown as text: {page}"
    );

    let (status, home) = app.html("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains(&format!("href=\"/slates/{SLATE}\"")) && home.contains("River Caucus"));

    let (status, missing) = app.html("/slates/no-such-slate").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        missing.contains("We couldn't find that page")
            || missing.contains("We couldn&#39;t find that page")
    );
    let (status, _) = app.html("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let css = app
        .client
        .get(app.url("/static/cohort.css"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(css.status(), StatusCode::OK);
    assert!(css.headers()["content-type"]
        .to_str()
        .unwrap_or("")
        .starts_with("text/css"));
}

async fn api_errors_are_json(app: TestApp) {
    for path in ["/api/no/such/route", "/api/", "/api"] {
        let (status, body) = app.get(path).await;
        assert_error(status, &body, 404, "not_found");
    }
    let (status, body) = app.get("/api/slates/nope").await;
    assert_error(status, &body, 404, "not_found");
    let (status, body) = app
        .call(Method::PUT, "/api/slates", Some(&app.organizer), None)
        .await;
    assert_error(status, &body, 405, "method_not_allowed");
    let (status, body) = app.post_raw("/api/slates", "application/json", "").await;
    assert_error(status, &body, 400, "malformed_json");
    let (status, body) = app
        .post_raw("/api/slates", "application/json", "[1, 2]")
        .await;
    assert_error(status, &body, 422, "invalid");

    let res = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.expect("a body"), "ok");
}

async fn events_log_is_public(app: TestApp) {
    let version = seed(&app, "signers >= 1").await;
    let ada = candidate_token(&app, "ada-reyes").await;
    assert_eq!(
        sign(&app, &ada, "ada-reyes", version).await.0,
        StatusCode::CREATED
    );
    let (status, log) = app.get(&format!("/api/slates/{SLATE}/events")).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let kinds: Vec<&str> = log
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "slate_created",
            "candidate_added",
            "candidate_added",
            "candidate_added",
            "compact_published",
            "signed"
        ]
    );
    let last = log.as_array().and_then(|a| a.last()).expect("an event");
    assert_eq!(last["data"]["candidate"], "ada-reyes");
    assert_eq!(last["at"], "2026-11-24T12:00:00Z");

    let after = log[3]["seq"].as_i64().expect("a seq");
    let (_, tail) = app
        .get(&format!("/api/slates/{SLATE}/events?after={after}&limit=1"))
        .await;
    assert_eq!(tail.as_array().map(Vec::len), Some(1));
    assert_eq!(tail[0]["kind"], "compact_published");
    let (status, body) = app
        .get(&format!("/api/slates/{SLATE}/events?after=abc"))
        .await;
    assert_error(status, &body, 400, "bad_query");
    let (status, body) = app
        .get(&format!("/api/slates/{SLATE}/events?limit=0"))
        .await;
    assert_error(status, &body, 422, "invalid");
}

async fn organizers_set_limits_and_splits_respect_them(app: TestApp) {
    let version = seed(&app, "signers >= 2").await;
    let path = format!("/api/slates/{SLATE}/limits");
    let limits = json!([
        {"office": "us_house", "cycle": 2028, "limit_cents": 100000},
        {"office": "governor", "cycle": 2028, "limit_cents": 50000}
    ]);
    let ada = candidate_token(&app, "ada-reyes").await;
    let (status, body) = app
        .call(Method::PUT, &path, Some(&ada), Some(&limits))
        .await;
    assert_error(status, &body, 403, "forbidden");
    let (status, body) = app.call(Method::PUT, &path, None, Some(&limits)).await;
    assert_error(status, &body, 401, "unauthorized");
    let bad = json!([{"office": "us_house", "cycle": 2028, "limit_cents": -5}]);
    let (status, body) = app
        .call(Method::PUT, &path, Some(&app.organizer), Some(&bad))
        .await;
    assert_error(status, &body, 422, "invalid");
    let (status, body) = app
        .call(Method::PUT, &path, Some(&app.organizer), Some(&limits))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body.as_array().map(Vec::len), Some(2), "{body}");

    let cy = candidate_token(&app, "cy-lindqvist").await;
    assert_eq!(
        sign(&app, &ada, "ada-reyes", version).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        sign(&app, &cy, "cy-lindqvist", version).await.0,
        StatusCode::CREATED
    );
    let (status, body) = pledge(&app, &money(json!(300000)), None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], "unlocked", "{body}");
    let shares: Vec<(String, i64)> = body["allocations"]
        .as_array()
        .expect("allocations")
        .iter()
        .map(|a| {
            (
                a["candidate"].as_str().unwrap_or_default().to_owned(),
                a["cents"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        shares,
        vec![
            ("ada-reyes".to_owned(), 100000),
            ("cy-lindqvist".to_owned(), 50000)
        ]
    );
    assert_eq!(
        body["unallocated_cents"], 150000,
        "what no one can take is never charged"
    );
}

/// Regression: limits were counted per slate, so a donor could give the same
/// candidate $3,500 through each slate she ran on. The FEC's limit is per
/// candidate; committee records (the FEC candidate id) say who is the same.
async fn a_candidate_on_two_slates_has_one_limit_per_donor(app: TestApp) {
    let v1 = seed(&app, "signers >= 1").await;
    let lake = "lake-caucus";
    let (status, body) = app
        .organize(
            "/api/slates",
            json!({"slug": lake, "name": "Lake Caucus", "cycle": 2028,
                   "description": "Another bloc.", "condition": "signers >= 1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app
        .organize(
            &format!("/api/slates/{lake}/candidates"),
            candidate("ada-reyes", "Ada Reyes", "us_house", "NY", Some("10")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app
        .organize(
            &format!("/api/slates/{lake}/compact"),
            json!({"commitments": ["Vote together"], "planks": [{"title": "Lakes", "why": "Clean."}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let v2 = body["version"].as_i64().expect("a version");
    for slate in [SLATE, lake] {
        let (status, body) = app
            .call(
                Method::PUT,
                &format!("/api/slates/{slate}/candidates/ada-reyes/committee"),
                Some(&app.organizer),
                Some(&json!({"name": "Ada Reyes for Congress", "fec_committee_id": "C00100001",
                    "fec_candidate_id": "H8NY10001", "treasurer_first": "Tess", "treasurer_last": "Urer",
                    "street1": "1 Main St", "city": "New York", "state": "NY", "zip": "10001"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let token = app
            .engine
            .issue_candidate_token(slate, "ada-reyes")
            .await
            .expect("a token");
        let version = if slate == SLATE { v1 } else { v2 };
        let (status, body) = app
            .call(
                Method::POST,
                &format!("/api/slates/{slate}/signatures"),
                Some(&token),
                Some(&json!({"candidate": "ada-reyes", "version": version})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    // $3,000 through the river slate, then $3,000 through the lake slate:
    // only $500 of the second is within Ada's $3,500 primary limit.
    let (status, first) = pledge(&app, &money(json!(300000)), None).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["allocations"][0]["cents"], 300000, "{first}");
    let (status, second) = common::read(
        app.client
            .post(app.url(&format!("/api/slates/{lake}/pledges")))
            .json(&money(json!(300000)))
            .send()
            .await
            .expect("an answer"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!(second["status"], "unlocked", "{second}");
    assert_eq!(second["allocations"][0]["cents"], 50000, "{second}");
    assert_eq!(second["unallocated_cents"], 250000, "{second}");
    let violations = app.engine.verify().await.expect("verify runs");
    assert!(violations.is_empty(), "{violations:?}");
}

/// Regression for the slate state intake keeps between pledges: a server
/// that kept a slate's signatures and candidates must notice another server
/// on the same database changing them (the slate's version moved), instead
/// of taking a pledge against what it kept.
async fn a_server_sees_what_another_server_changed_since_it_kept_the_slate(app: TestApp) {
    seed(&app, "signers >= 1").await;
    // Two pledges: the first stores the slate's condition (which moves its
    // version), so only after the second does this server keep a base it
    // can use without locking.
    for _ in 0..2 {
        let (status, first) = pledge(&app, &money(json!(10_000)), None).await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        assert_eq!(first["status"], "pending", "{first}");
    }
    // A second server on the same database: a candidate signs there, and
    // the organizer adds a candidate there.
    let other = cohort_engine::Engine::new(
        app.store.clone(),
        app.clock.clone(),
        std::sync::Arc::new(cohort_engine::OsTokens),
    );
    let token = other
        .issue_candidate_token(SLATE, "ada-reyes")
        .await
        .expect("a candidate token");
    let ada = other.authenticate(Some(&token)).await.expect("ada");
    let version = slate(&app).await["compact"]["version"]
        .as_i64()
        .expect("a compact");
    let signed = other
        .sign(
            &ada,
            SLATE,
            "ada-reyes",
            i32::try_from(version).expect("small"),
        )
        .await
        .expect("ada signs");
    assert_eq!(signed.unlocked, 2, "the waiting pledges unlock there");
    let organizer = other
        .authenticate(Some(&app.organizer))
        .await
        .expect("organizer");
    other
        .add_candidate(
            &organizer,
            SLATE,
            cohort_engine::CandidateInput {
                slug: "dee-park".into(),
                name: "Dee Park".into(),
                office: "us_house".into(),
                state: "PA".into(),
                district: Some("3".into()),
                primary_date: Some("2028-04-25".into()),
                general_date: "2028-11-07".into(),
            },
        )
        .await
        .expect("a candidate added there");
    // Back on the first server: the signature counts at once, so the new
    // pledge unlocks on arrival, and the new candidate can be chosen.
    let (status, second) = pledge(&app, &money(json!(5_000)), None).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!(second["status"], "unlocked", "{second}");
    assert_eq!(common::allocated(&second), 5_000, "{second}");
    let mut chosen = money(json!(2_000));
    chosen["candidates"] = json!(["ada-reyes", "dee-park"]);
    let (status, third) = pledge(&app, &chosen, None).await;
    assert_eq!(status, StatusCode::CREATED, "{third}");
}

/// Intake checks a kept slate's version only where it writes the pot, under
/// the slate's lock. Pledges on two servers racing signatures and
/// endorsements on one of them must all be taken (no deadlock between the
/// locks, no stale answer), and once the condition holds every one of them
/// must be unlocked, exactly once.
async fn pledges_racing_signatures_on_two_servers_all_land_and_unlock(app: TestApp) {
    let version = seed(&app, "signers >= 2").await;
    let version = i32::try_from(version).expect("small");
    let donor = |i: usize| {
        let mut body = money(json!(1_000 + i));
        // Seven donors, so both servers write the same donors' counts.
        body["donor"]["email"] = json!(format!("racer{}@example.org", i % 7));
        body
    };
    // The first server keeps the slate's base from here on (the first
    // pledge stores the condition, moving the version; the second reads it).
    let mut total = 0;
    for i in [0, 1000] {
        let (status, first) = pledge(&app, &donor(i), None).await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        total += first["amount_cents"].as_i64().expect("cents");
    }
    let other = cohort_engine::Engine::new(
        app.store.clone(),
        app.clock.clone(),
        std::sync::Arc::new(cohort_engine::OsTokens),
    );
    let mut campaigns = Vec::new();
    for who in ["ada-reyes", "ben-okafor"] {
        let token = other
            .issue_candidate_token(SLATE, who)
            .await
            .expect("a candidate token");
        campaigns.push(other.authenticate(Some(&token)).await.expect("campaign"));
    }
    let events = {
        let other = other.clone();
        tokio::spawn(async move {
            let pause = || tokio::time::sleep(std::time::Duration::from_millis(3));
            // Each signs, then endorses the other and takes it back, four times.
            let pairs = [("ada-reyes", "ben-okafor"), ("ben-okafor", "ada-reyes")];
            for (campaign, (me, them)) in campaigns.iter().zip(pairs) {
                other.sign(campaign, SLATE, me, version).await?;
                for _ in 0..4 {
                    pause().await;
                    other.endorse(campaign, SLATE, me, them).await?;
                    pause().await;
                    other.unendorse(campaign, SLATE, me, them).await?;
                }
            }
            Ok::<_, cohort_engine::EngineError>(())
        })
    };
    let mut pledgers = Vec::new();
    for t in 0..8usize {
        let (client, url, other) = (
            app.client.clone(),
            app.url(&format!("/api/slates/{SLATE}/pledges")),
            other.clone(),
        );
        let bodies: Vec<Value> = (0..12).map(|k| donor(1 + t * 12 + k)).collect();
        pledgers.push(tokio::spawn(async move {
            let mut cents = 0;
            for body in bodies {
                cents += body["amount_cents"].as_i64().expect("cents");
                if t % 2 == 0 {
                    let r = client
                        .post(&url)
                        .json(&body)
                        .send()
                        .await
                        .expect("an answer");
                    let status = r.status();
                    let text = r.text().await.expect("a body");
                    assert_eq!(status, StatusCode::CREATED, "{text}");
                } else {
                    let input: cohort_web::pledge_input::PledgeInput =
                        serde_json::from_value(body).expect("a pledge");
                    let request = input.try_into().expect("a valid pledge");
                    other
                        .pledge(SLATE, request, None)
                        .await
                        .expect("taken there");
                }
            }
            cents
        }));
    }
    for p in pledgers {
        total += p.await.expect("pledges run");
    }
    events
        .await
        .expect("events run")
        .expect("every event taken");
    // And after the race, each server takes a pledge against what now stands.
    let (status, last) = pledge(&app, &donor(2000), None).await;
    assert_eq!(status, StatusCode::CREATED, "{last}");
    assert_eq!(last["status"], "unlocked", "{last}");
    let input: cohort_web::pledge_input::PledgeInput =
        serde_json::from_value(donor(2001)).expect("a pledge");
    let request = input.try_into().expect("a valid pledge");
    let there = other
        .pledge(SLATE, request, None)
        .await
        .expect("taken there");
    assert_eq!(there.pledge.status.as_str(), "unlocked");
    total += last["amount_cents"].as_i64().expect("cents") + 3001;
    let pot = pot(&app).await;
    assert_eq!(
        pot["pending_cents"], 0,
        "nothing waits once two signed: {pot}"
    );
    assert_eq!(pot["unlocked_cents"], total, "{pot}");
    let violations = app.engine.verify().await.expect("verify runs");
    assert!(violations.is_empty(), "{violations:?}");
}
