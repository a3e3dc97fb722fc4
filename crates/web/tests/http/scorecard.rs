//! Commitments that are tracked (issue 15) over real HTTP on both backends:
//! a compact's measured commitments are checked on publication (a 4xx naming
//! the field, nothing published), and the public scorecard scores each
//! signer — kept, due, broken, not measured — with the evidence, as JSON and
//! as a page.

use cohort_testkit as common;

use chrono::Duration;
use common::{seed, sign_as, TestApp, SLATE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    a_bad_measure_names_its_field_and_publishes_nothing,
    the_scorecard_scores_each_signer_with_evidence,
    a_monthly_pledge_on_kept_all_splits_no_month_while_a_signer_is_in_breach,
);

fn measured() -> Value {
    json!({
        "commitments": [
            "Refuse corporate PAC money",
            {"text": "Endorse every other signer", "measure": "endorse_all"},
            {"text": "A joint fundraiser every quarter", "measure": "joint_events",
             "kind": "fundraiser", "every": "quarter", "count": 1},
            {"text": "Vote with the bloc", "measure": "bloc_agreement", "at_least": 0.9}
        ],
        "planks": [{"title": "Clean water", "why": "Every town on the river drinks from it."}]
    })
}

async fn latest_version(app: &TestApp) -> i64 {
    let (_, s) = app.get(&format!("/api/slates/{SLATE}")).await;
    s["compact"]["version"].as_i64().expect("a compact")
}

async fn a_bad_measure_names_its_field_and_publishes_nothing(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let before = latest_version(&app).await;
    let cases = [
        ("commitments[2].count", json!(0)),
        ("commitments[2].count", json!("one")),
    ];
    for (field, count) in cases {
        let mut body = measured();
        body["commitments"][2]["count"] = count;
        let (status, answer) = app
            .organize(&format!("/api/slates/{SLATE}/compact"), body)
            .await;
        assert!(status.is_client_error(), "{status} {answer}");
        assert_eq!(answer["error"]["field"], field, "{answer}");
    }
    let mut body = measured();
    body["commitments"][1]["measure"] = json!("be_nice");
    let (status, answer) = app
        .organize(&format!("/api/slates/{SLATE}/compact"), body)
        .await;
    assert!(status.is_client_error(), "{answer}");
    assert_eq!(answer["error"]["field"], "commitments[1].measure");
    let mut body = measured();
    body["commitments"][3]["at_least"] = json!(2);
    let (_, answer) = app
        .organize(&format!("/api/slates/{SLATE}/compact"), body)
        .await;
    assert_eq!(answer["error"]["field"], "commitments[3].at_least");
    assert_eq!(latest_version(&app).await, before, "nothing was published");
    // the good one publishes, and its hash differs from the same texts unmeasured
    let (status, good) = app
        .organize(&format!("/api/slates/{SLATE}/compact"), measured())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{good}");
    let mut plain = measured();
    plain["commitments"] = json!([
        "Refuse corporate PAC money",
        "Endorse every other signer",
        "A joint fundraiser every quarter",
        "Vote with the bloc"
    ]);
    let (_, unmeasured) = app
        .organize(&format!("/api/slates/{SLATE}/compact"), plain)
        .await;
    assert_ne!(
        good["hash"], unmeasured["hash"],
        "a measure is part of what is signed"
    );
}

fn standing(card: &Value, who: &str, index: usize) -> (String, String) {
    let c = card["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .find(|c| c["candidate"] == who)
        .unwrap_or_else(|| panic!("{who} in {card}"));
    let m = &c["commitments"][index];
    (
        m["status"].as_str().unwrap_or_default().to_owned(),
        m["detail"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn the_scorecard_scores_each_signer_with_evidence(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let (status, v) = app
        .organize(&format!("/api/slates/{SLATE}/compact"), measured())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let version = v["version"].as_i64().expect("version");
    sign_as(&app, "ada-reyes", version).await;
    sign_as(&app, "ben-okafor", version).await;
    let ada = app
        .engine
        .issue_candidate_token(SLATE, "ada-reyes")
        .await
        .expect("token");
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/slates/{SLATE}/endorsements"),
            Some(&ada),
            Some(&json!({"from": "ada-reyes", "to": "ben-okafor"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let (status, card) = app.get(&format!("/api/slates/{SLATE}/scorecard")).await;
    assert_eq!(status, StatusCode::OK, "{card}");
    assert_eq!(standing(&card, "ada-reyes", 0).0, "not_measured");
    assert_eq!(
        card["candidates"][0]["commitments"][0]["measure"],
        Value::Null
    );
    assert_eq!(standing(&card, "ada-reyes", 1).0, "kept");
    assert_eq!(
        standing(&card, "ben-okafor", 1).0,
        "due",
        "a month to endorse"
    );
    assert_eq!(
        standing(&card, "ada-reyes", 2).0,
        "due",
        "no fundraiser yet"
    );
    assert_eq!(
        standing(&card, "ada-reyes", 3).0,
        "not_measured",
        "no roll calls yet"
    );
    let cy = card["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .find(|c| c["candidate"] == "cy-lindqvist")
        .expect("cy");
    assert_eq!(cy["signed"], false);

    // a joint fundraiser with both, held
    let start = common::now() + Duration::days(10);
    let (status, e) = app
        .organize(
            &format!("/api/slates/{SLATE}/joint-events"),
            json!({
                "kind": "fundraiser", "title": "River dinner", "description": "",
                "starts_at": start.to_rfc3339(),
                "ends_at": (start + Duration::hours(2)).to_rfc3339(),
                "timezone": "America/New_York", "location": null,
                "online_url": "https://stream.example.org/dinner",
                "hosts": ["ada-reyes", "ben-okafor"], "capacity": null
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    let id = e["id"].as_i64().expect("id");
    common::confirm_hosts(&app, &e).await;
    app.clock.set(common::now() + Duration::days(12));
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/joint-events/{id}/held"),
            Some(&app.organizer),
            Some(&json!({"attendance": 40})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, card) = app.get(&format!("/api/slates/{SLATE}/scorecard")).await;
    assert_eq!(standing(&card, "ada-reyes", 2).0, "kept", "{card}");
    assert_eq!(standing(&card, "ben-okafor", 2).0, "kept");
    let (status, page) = app.html(&format!("/slates/{SLATE}/scorecard")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Ada Reyes") && page.contains("River dinner"),
        "{page}"
    );

    // a hundred days on: a new quarter is open and empty (due); Ben never endorsed (broken)
    app.clock.set(common::now() + Duration::days(100));
    let (_, card) = app.get(&format!("/api/slates/{SLATE}/scorecard")).await;
    assert_eq!(standing(&card, "ada-reyes", 2).0, "due", "{card}");
    let (ben, detail) = standing(&card, "ben-okafor", 1);
    assert_eq!(ben, "broken");
    assert!(detail.contains("Ada Reyes"), "{detail}");
    let (_, page) = app.html(&format!("/slates/{SLATE}/scorecard")).await;
    assert!(
        page.contains("At least one commitment is broken."),
        "{page}"
    );
}

fn periods(view: &Value) -> Vec<i64> {
    let mut p: Vec<i64> = view["allocations"]
        .as_array()
        .expect("allocations")
        .iter()
        .filter_map(|a| a["period"].as_i64())
        .collect();
    p.dedup();
    p
}

async fn a_monthly_pledge_on_kept_all_splits_no_month_while_a_signer_is_in_breach(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let (status, v) = app
        .organize(
            &format!("/api/slates/{SLATE}/compact"),
            json!({"commitments": [
                "Refuse corporate PAC money",
                {"text": "Endorse every other signer", "measure": "endorse_all"}
            ], "planks": []}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let version = v["version"].as_i64().expect("version");
    sign_as(&app, "ada-reyes", version).await;
    sign_as(&app, "ben-okafor", version).await;
    let (status, p) = app
        .call(
            Method::POST,
            &format!("/api/slates/{SLATE}/pledges"),
            None,
            Some(&json!({
                "kind": "money", "amount_cents": 1_000, "recurring": "monthly",
                "condition": "signers >= 2 and kept_all",
                "donor": {"email": "sam@example.org", "name": "Sam Doe", "zip": "10001",
                          "attests_eligible": true}
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    assert_eq!(
        p["condition_text"],
        "at least 2 candidates have signed and every signer keeps every measured commitment of the compact"
    );
    assert_eq!(p["status"], "unlocked", "nothing is broken yet: {p}");
    let id = p["id"].as_i64().expect("id");
    let token = p["receipt_token"].as_str().expect("token").to_owned();
    let path = format!("/api/pledges/{id}?token={token}");
    assert_eq!(periods(&app.get(&path).await.1), vec![0]);

    // forty days on nobody has endorsed: both are in breach, the month is not split
    app.clock.set(common::now() + Duration::days(40));
    app.engine.tick().await.expect("tick");
    let (_, card) = app.get(&format!("/api/slates/{SLATE}/scorecard")).await;
    assert_eq!(standing(&card, "ada-reyes", 1).0, "broken", "{card}");
    assert_eq!(
        periods(&app.get(&path).await.1),
        vec![0],
        "paused while in breach"
    );
    let mail = app.mail.wait_for("sam@example.org", "is paused").await;
    assert!(
        mail.body.contains("Ada Reyes and Ben Okafor have broken"),
        "{}",
        mail.body
    );
    app.engine.tick().await.expect("tick");
    assert_eq!(
        periods(&app.get(&path).await.1),
        vec![0],
        "and a second tick changes nothing"
    );

    // both endorse: the bloc holds again and the next tick splits the month
    for (from, to) in [("ada-reyes", "ben-okafor"), ("ben-okafor", "ada-reyes")] {
        let t = app
            .engine
            .issue_candidate_token(SLATE, from)
            .await
            .expect("token");
        let (status, body) = app
            .call(
                Method::POST,
                &format!("/api/slates/{SLATE}/endorsements"),
                Some(&t),
                Some(&json!({"from": from, "to": to})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    app.engine.tick().await.expect("tick");
    assert_eq!(periods(&app.get(&path).await.1), vec![0, 1], "resumed");
    app.mail.wait_for("sam@example.org", "has resumed").await;
    let v = app.get(&path).await.1;
    assert_eq!(
        v["pauses"].as_array().map(Vec::len),
        Some(1),
        "one pause: {v}"
    );
    assert!(v["pauses"][0]["resumed_at"].is_string(), "{v}");
    let (_, page) = app.html(&format!("/pledges/{id}?token={token}")).await;
    assert!(
        page.contains("Paused on") && page.contains("Resumed on"),
        "the receipt shows the pause and the resume: {page}"
    );
    let v = app.get(&path).await.1;
    let total: i64 = v["allocations"]
        .as_array()
        .expect("allocations")
        .iter()
        .map(|a| a["cents"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(total, 2_000, "two months given, none lost or doubled: {v}");
}
