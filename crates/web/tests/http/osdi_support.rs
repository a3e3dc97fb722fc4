//! The OSDI tests' fixtures and the client that walks `_links`.

use chrono::Duration;
use cohort_engine::osdi::OsdiSignup;
use cohort_engine::Actor;
use cohort_store::PersonFields;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{self, candidate, seed, sign_as, TestApp, SLATE};

pub const ENTRY: &str = "/api/osdi/v1";
pub const OTHER: &str = "hill-caucus";

pub fn money(email: &str, name: &str, cents: i64, referral: Option<&str>) -> Value {
    json!({
        "kind": "money", "amount_cents": cents, "recurring": "once",
        "ref": referral,
        "donor": {
            "email": email, "name": name, "zip": "10001", "address": "1 River Rd",
            "city": "Albany", "state": "NY",
            "employer": "Acme Water Co.", "occupation": "Engineer", "attests_eligible": true
        }
    })
}

pub fn hours(email: &str, name: &str, per_week: i64) -> Value {
    json!({
        "kind": "hours", "hours_per_week": per_week, "weeks": 4,
        "donor": { "email": email, "name": name, "zip": "43215" }
    })
}

pub async fn pledge(app: &TestApp, slate: &str, body: Value) {
    let res = app
        .client
        .post(app.url(&format!("/api/slates/{slate}/pledges")))
        .json(&body)
        .send()
        .await
        .expect("an answer");
    let (status, body) = common::read(res).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// River Caucus: seven money pledges (one through a partner), two hours
/// pledges, signed by two candidates so the money unlocks, a confirmed
/// joint event and a tagged person. Hill Caucus: one pledger of its own.
pub async fn populate(app: &TestApp) -> i64 {
    let version = seed(app, "signers >= 2").await;
    let organizer = Actor::Organizer { slate: None };
    app.engine
        .add_partner(
            &organizer,
            SLATE,
            "river-union",
            "River Union",
            "We back the bloc.",
        )
        .await
        .expect("a partner");
    for i in 0..7 {
        let referral = (i == 3).then_some("river-union");
        let email = format!("donor{i}@example.org");
        pledge(
            app,
            SLATE,
            money(&email, &format!("Dee Nor{i}"), 1_000 * (i + 1), referral),
        )
        .await;
    }
    pledge(app, SLATE, hours("donor0@example.org", "Dee Nor0", 5)).await;
    pledge(app, SLATE, hours("helper@example.org", "Hal Ours", 3)).await;
    sign_as(app, "ada-reyes", version).await;
    sign_as(app, "ben-okafor", version).await;

    let start = common::now() + Duration::days(10);
    let (status, e) = app
        .organize(
            &format!("/api/slates/{SLATE}/joint-events"),
            json!({
                "kind": "town_hall", "title": "River towns town hall",
                "description": "Two candidates, one stage.",
                "starts_at": start.to_rfc3339(),
                "ends_at": (start + Duration::hours(2)).to_rfc3339(),
                "timezone": "America/New_York",
                "location": {"venue": "Union Hall", "address": "12 Main St", "city": "Albany", "state": "NY", "zip": "12207"},
                "hosts": ["ada-reyes", "ben-okafor"], "capacity": 50
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    let event = e["id"].as_i64().expect("id");
    for who in ["ada-reyes", "ben-okafor"] {
        let t = app
            .engine
            .issue_candidate_token(SLATE, who)
            .await
            .expect("token");
        let (status, body) = app
            .call(
                Method::POST,
                &format!("/api/joint-events/{event}/hosts/{who}/confirm"),
                Some(&t),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/joint-events/{event}/rsvps"),
            None,
            Some(&json!({"name": "Rae Svp", "email": "donor1@example.org", "zip": "12207"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.engine
        .osdi_signup(
            &organizer,
            OsdiSignup {
                slate: Some(SLATE.into()),
                email: "donor2@example.org".into(),
                fields: PersonFields::default(),
                tags: vec!["volunteer".into()],
                custom_fields: Vec::new(),
            },
        )
        .await
        .expect("a tagged person");

    let (status, body) = app
        .organize(
            "/api/slates",
            json!({"slug": OTHER, "name": "Hill Caucus", "cycle": 2028,
                   "description": "Another bloc.", "condition": "signers >= 1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app
        .organize(
            &format!("/api/slates/{OTHER}/candidates"),
            candidate("dee-hill", "Dee Hill", "us_house", "CO", Some("3")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app
        .organize(
            &format!("/api/slates/{OTHER}/compact"),
            json!({"commitments": ["Vote as a bloc"], "planks": []}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    pledge(
        app,
        OTHER,
        money("zed@example.org", "Zed Other", 4_000, None),
    )
    .await;
    event
}

/// GET `url` (absolute) with the token: status, content type and body.
pub async fn osdi_get(
    app: &TestApp,
    url: &str,
    token: Option<&str>,
) -> (StatusCode, String, Value) {
    let mut req = app.client.get(url);
    if let Some(t) = token {
        req = req.header("OSDI-API-Token", t);
    }
    let res = req.send().await.expect("an answer");
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let (status, body) = common::read(res).await;
    (status, ct, body)
}

pub async fn osdi_post(app: &TestApp, url: &str, token: &str, body: &str) -> (StatusCode, Value) {
    let res = app
        .client
        .post(url)
        .header("OSDI-API-Token", token)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("an answer");
    common::read(res).await
}

pub fn link(v: &Value, rel: &str) -> String {
    v["_links"][rel]["href"]
        .as_str()
        .unwrap_or_else(|| panic!("a {rel} link in {v}"))
        .to_owned()
}

pub fn with_query(url: &str, q: &str) -> String {
    if url.contains('?') {
        format!("{url}&{q}")
    } else {
        format!("{url}?{q}")
    }
}

pub fn nonempty_str(v: &Value, field: &str, ctx: &str) {
    assert!(
        v[field].as_str().is_some_and(|s| !s.is_empty()),
        "{ctx}: {field} missing in {v}"
    );
}

/// The required OSDI fields of one resource of collection `rel`.
pub fn check_resource(rel: &str, v: &Value) {
    let ids = v["identifiers"].as_array().expect("identifiers");
    assert!(
        ids.iter()
            .all(|i| i.as_str().is_some_and(|s| s.starts_with("cohort:")))
            && !ids.is_empty(),
        "{rel}: identifiers in {v}"
    );
    link(v, "self");
    assert!(v["_links"]["curies"].is_array(), "{rel}: curies in {v}");
    nonempty_str(v, "modified_date", rel);
    match rel {
        "osdi:people" => {
            nonempty_str(v, "created_date", rel);
            nonempty_str(&v["email_addresses"][0], "address", rel);
            assert!(v["postal_addresses"].is_array() && v["phone_numbers"].is_array());
            for f in [
                "cohort_money_pledged",
                "cohort_hours_per_week",
                "cohort_pledges",
            ] {
                nonempty_str(&v["custom_fields"], f, rel);
            }
            link(v, "osdi:donations");
            link(v, "osdi:taggings");
            link(v, "osdi:attendances");
        }
        "osdi:donations" => {
            nonempty_str(v, "created_date", rel);
            assert_eq!(v["currency"], "USD");
            let amount = cents(&v["amount"]);
            let recipients = v["recipients"].as_array().expect("recipients");
            assert!(!recipients.is_empty(), "{v}");
            let split: i64 = recipients.iter().map(|r| cents(&r["amount"])).sum();
            assert_eq!(split, amount, "the recipients add up to the amount: {v}");
            for r in recipients {
                nonempty_str(r, "display_name", rel);
            }
            link(v, "osdi:person");
            assert!(v["action_network:recurrence"]["recurring"].is_boolean());
        }
        "osdi:events" => {
            for f in [
                "title",
                "name",
                "start_date",
                "end_date",
                "status",
                "browser_url",
            ] {
                nonempty_str(v, f, rel);
            }
            link(v, "osdi:attendances");
            link(v, "osdi:record_attendance_helper");
        }
        "osdi:attendances" => {
            nonempty_str(v, "created_date", rel);
            nonempty_str(v, "status", rel);
            link(v, "osdi:event");
            link(v, "osdi:person");
        }
        "osdi:tags" => {
            nonempty_str(v, "name", rel);
            link(v, "osdi:taggings");
        }
        "osdi:taggings" => {
            assert_eq!(v["item_type"], "osdi:person");
            link(v, "osdi:tag");
            link(v, "osdi:person");
        }
        other => panic!("no check for {other}"),
    }
}

/// "12.50" as cents.
pub fn cents(v: &Value) -> i64 {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("an amount string, got {v}"));
    let (d, c) = s.split_once('.').expect("dollars.cents");
    d.parse::<i64>().expect("dollars") * 100 + c.parse::<i64>().expect("cents")
}

/// Every item of the collection at `url`, page by page along `next`,
/// checking the paging fields and that the count is `total_records`.
pub async fn walk(app: &TestApp, url: &str, rel: &str, token: &str) -> Vec<Value> {
    let mut next = Some(with_query(url, "per_page=2"));
    let mut items = Vec::new();
    let mut total = None;
    let mut pages = 0;
    while let Some(u) = next {
        let (status, ct, page) = osdi_get(app, &u, Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{u}: {page}");
        assert_eq!(ct, "application/hal+json", "{u}");
        pages += 1;
        assert_eq!(page["page"], pages, "{u}");
        assert_eq!(page["per_page"], 2);
        let t = page["total_records"].as_u64().expect("total_records");
        assert_eq!(*total.get_or_insert(t), t, "the total holds across pages");
        assert_eq!(page["total_pages"].as_u64(), Some(t.div_ceil(2)), "{page}");
        let own = link(&page, "self");
        assert!(
            own.starts_with(url.split('?').next().unwrap_or(url))
                && own.contains(&format!("page={pages}&")),
            "{own} is page {pages} of {url}"
        );
        if pages > 1 {
            link(&page, "prev");
        }
        let embedded = page["_embedded"][rel].as_array().expect("embedded").clone();
        let linked = page["_links"][rel].as_array().expect("item links").len();
        assert_eq!(linked, embedded.len(), "one link per embedded item");
        assert!(embedded.len() <= 2);
        items.extend(embedded);
        next = page["_links"]["next"]["href"].as_str().map(str::to_owned);
        assert!(pages < 100, "paging ends");
    }
    assert_eq!(
        Some(items.len() as u64),
        total,
        "{rel}: the walk found total_records"
    );
    for item in &items {
        check_resource(rel, item);
        let (status, _, one) = osdi_get(app, &link(item, "self"), Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{one}");
        assert_eq!(
            one["identifiers"], item["identifiers"],
            "self reads the same resource"
        );
    }
    items
}
