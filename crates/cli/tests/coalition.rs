//! The coalition at a glance (issue 16): the pages say what still blocks the
//! unlock, by name; the campaign dashboard and the split preview say what
//! will reach each campaign; every sentence matches the slate's state.

#[macro_use]
mod common;

use cohort_store::Role;
use common::{seed, sign_as, TestApp, SLATE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(slate_page_and_dashboards_name_what_blocks_the_unlock,);

// ---------------------------------------------------------------- fixtures

fn money(dollars: i64, email: &str) -> Value {
    json!({
        "kind": "money", "amount_cents": dollars * 100, "recurring": "once",
        "donor": {
            "email": email, "name": "Sam Doe", "zip": "10001",
            "employer": "Acme Water Co.", "occupation": "Engineer", "attests_eligible": true
        }
    })
}

async fn pledge(app: &TestApp, body: &Value) -> Value {
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/slates/{SLATE}/pledges"),
            None,
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn endorse(app: &TestApp, from: &str, to: &str) {
    let token = app
        .engine
        .issue_candidate_token(SLATE, from)
        .await
        .expect("a candidate token");
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/slates/{SLATE}/endorsements"),
            Some(&token),
            Some(&json!({"from": from, "to": to})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// A page as a signed-in campaign account sees it.
async fn page_as(app: &TestApp, session: &str, path: &str) -> String {
    let res = app
        .client
        .get(app.url(path))
        .header("cookie", format!("cohort_session={session}"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.expect("a body")
}

async fn campaign_session(app: &TestApp, email: &str, who: &str) -> String {
    app.engine
        .grant(email, Role::Candidate, Some(SLATE), Some(who))
        .await
        .expect("grant");
    app.session_for(email).await
}

/// `html` with its tags dropped and whitespace collapsed, to match sentences.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------- what blocks the unlock

async fn slate_page_and_dashboards_name_what_blocks_the_unlock(app: TestApp) {
    let version = seed(&app, "signers >= 3 and mutual and pledged >= $5,000").await;
    sign_as(&app, "ada-reyes", version).await;
    sign_as(&app, "ben-okafor", version).await;
    endorse(&app, "ada-reyes", "ben-okafor").await;
    pledge(&app, &money(500, "sam@example.org")).await;

    let blockers = [
        "Still needed to unlock:",
        "1 more signature (from any of: Cy Lindqvist)",
        "Ben Okafor has not endorsed Ada Reyes",
        "$4,500 more pledged",
    ];
    let (status, slate) = app.html(&format!("/slates/{SLATE}")).await;
    assert_eq!(status, StatusCode::OK);
    let slate = text(&slate);
    for line in blockers {
        assert!(
            slate.contains(line),
            "the slate page says {line:?}: {slate}"
        );
    }

    let ada = campaign_session(&app, "ada@example.org", "ada-reyes").await;
    let dash = text(&page_as(&app, &ada, &format!("/slates/{SLATE}/campaign")).await);
    for line in &blockers[1..] {
        assert!(dash.contains(line), "the dashboard says {line:?}: {dash}");
    }

    // Once met, nothing is listed as blocking, on either page.
    sign_as(&app, "cy-lindqvist", version).await;
    for (from, to) in [
        ("ben-okafor", "ada-reyes"),
        ("ada-reyes", "cy-lindqvist"),
        ("cy-lindqvist", "ada-reyes"),
        ("ben-okafor", "cy-lindqvist"),
        ("cy-lindqvist", "ben-okafor"),
    ] {
        endorse(&app, from, to).await;
    }
    pledge(&app, &money(4_500, "kim@example.org")).await;
    let (_, slate) = app.html(&format!("/slates/{SLATE}")).await;
    assert!(!slate.contains("Still needed"), "{slate}");
    let dash = text(&page_as(&app, &ada, &format!("/slates/{SLATE}/campaign")).await);
    assert!(!dash.contains("Still needed"), "{dash}");
    assert!(dash.contains("The slate's condition is met"), "{dash}");
}
