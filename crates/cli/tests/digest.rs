//! One digest instead of a flood (issue 15), over real HTTP and a real SMTP
//! server on both backends: an unlock sends one email per person however
//! many of their pledges it unlocked; supporters on the weekly setting get
//! one digest a week (multipart text + HTML, RFC 8058 one-click
//! unsubscribe), written exactly once per person and week under the job
//! lease; updates wait for it instead of being dropped.

#[macro_use]
mod common;

use common::{seed, sign_as, TestApp, SLATE};
use reqwest::StatusCode;
use serde_json::{json, Value};

both_backends!(an_unlock_sends_one_email_per_person_not_per_pledge,);

fn money(email: &str, name: &str, condition: &str, cents: i64) -> Value {
    json!({
        "kind": "money", "amount_cents": cents, "recurring": "once",
        "condition": condition, "deadline": "2028-11-07",
        "donor": {"email": email, "name": name, "zip": "10027", "attests_eligible": true}
    })
}

async fn pledge(app: &TestApp, body: &Value) -> i64 {
    let (status, answer) = app
        .call(
            reqwest::Method::POST,
            &format!("/api/slates/{SLATE}/pledges"),
            None,
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    answer["id"].as_i64().expect("a pledge id")
}

/// Regression (issue 15): an unlock sent one email per pledge, so a person
/// with three pledges on the slate got three emails about one event.
async fn an_unlock_sends_one_email_per_person_not_per_pledge(app: TestApp) {
    let version = seed(&app, "signers >= 3").await;
    let mut eves = Vec::new();
    for cents in [1_000, 2_000, 3_000] {
        eves.push(pledge(&app, &money("eve@example.org", "Eve Marsh", "signed(\"ada-reyes\")", cents)).await);
    }
    pledge(&app, &money("bo@example.org", "Bo Lin", "signed(\"ada-reyes\")", 4_000)).await;
    let body = sign_as(&app, "ada-reyes", version).await;
    assert_eq!(body["unlocked"], 4, "{body}");

    let eve = app.mail.wait_for("eve@example.org", "unlocked").await;
    app.mail.wait_for("bo@example.org", "unlocked").await;
    app.engine.send_notices().await.expect("notices again");
    let outbox = app.engine.emails_to("eve@example.org").await.expect("outbox");
    let unlocks: Vec<_> = outbox
        .iter()
        .filter(|e| e.email.subject.contains("unlocked"))
        .collect();
    assert_eq!(unlocks.len(), 1, "one email for Eve's three pledges: {unlocks:?}");
    assert_eq!(
        app.mail.count("eve@example.org", "unlocked"),
        1,
        "one message reached Eve's inbox"
    );
    assert_eq!(eve.subject, "Your 3 pledges to River Caucus unlocked");
    for (id, dollars) in eves.iter().zip(["$10", "$20", "$30"]) {
        assert!(
            eve.body.contains(&format!("Your pledge #{id} of {dollars}")),
            "pledge #{id} is told: {}",
            eve.body
        );
        assert!(eve.body.contains(&format!("/pledges/{id}?token=")), "{}", eve.body);
    }
    assert!(
        eve.body.contains("to Ada Reyes (primary election)"),
        "{}",
        eve.body
    );
    let bo = app.mail.wait_for("bo@example.org", "unlocked").await;
    assert_eq!(bo.subject, "Your pledge to River Caucus unlocked");
    assert_eq!(app.mail.count("bo@example.org", "unlocked"), 1);
}
