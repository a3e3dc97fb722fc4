//! Issue 15 in a real headless Chromium: a supporter gives through a joint
//! fundraiser's own form on the event page (no account, no JavaScript
//! needed), and anyone reads the slate's scorecard. Every page is checked
//! with axe-core wide (1280 px) and at phone width (390 px).

use cohort_testkit as common;

use chrono::Duration;
use cohort_store::Role;
use common::webdriver::Browser;
use common::{seed, sign_as, TestApp, SLATE};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supporter_gives_through_a_fundraiser_and_reads_the_scorecard_in_a_real_browser() {
    let app = TestApp::sqlite().await;
    seed(&app, "signers >= 3").await;
    let (status, v) = app
        .organize(
            &format!("/api/slates/{SLATE}/compact"),
            json!({
                "commitments": [
                    "Refuse corporate PAC money",
                    {"text": "Endorse every other signer", "measure": "endorse_all"},
                    {"text": "A joint fundraiser every quarter", "measure": "joint_events",
                     "kind": "fundraiser", "every": "quarter", "count": 1}
                ],
                "planks": []
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let version = v["version"].as_i64().expect("version");
    sign_as(&app, "ada-reyes", version).await;
    sign_as(&app, "ben-okafor", version).await;
    let start = common::now() + Duration::days(5);
    let (status, e) = app
        .organize(
            &format!("/api/slates/{SLATE}/joint-events"),
            json!({
                "kind": "fundraiser", "title": "River dinner",
                "description": "Two candidates, one table.",
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

    let b = Browser::start().await;
    b.goto(&app.url(&format!("/joint-events/{id}"))).await;
    b.wait_for_text("Give to this joint fundraiser").await;
    b.check_wide_and_phone("joint-fundraiser-page").await;
    b.type_into("#give-amount", "40").await;
    b.type_into("#give-name", "Ana Diaz").await;
    b.type_into("#give-email", "ana@example.org").await;
    b.type_into("#give-zip", "12207").await;
    b.click("#give-attests").await;
    b.click("form[action$='/pledge'] button").await;
    b.wait_for_text("$40").await;
    let (_, event) = app.get(&format!("/api/joint-events/{id}")).await;
    assert_eq!(event["raised_cents"], 4_000, "{event}");

    b.goto(&app.url(&format!("/slates/{SLATE}/scorecard")))
        .await;
    b.wait_for_text("Do they keep the compact?").await;
    b.wait_for_text("Not yet endorsed").await;
    b.check_wide_and_phone("scorecard").await;
    // At phone width the commitments read as blocks: no table of the
    // scorecard scrolls sideways inside its frame (the evidence column was
    // cut off at 390 px).
    b.resize(390, 2000).await;
    let wider = b
        .script(
            "return [...document.querySelectorAll('main .table-wrap')]\
               .filter(w => w.scrollWidth > w.clientWidth + 1).length;",
            serde_json::json!([]),
        )
        .await;
    assert_eq!(wider, 0, "scorecard tables scroll sideways at 390 px");
    b.resize(1280, 2000).await;
}

/// Issue 15: the organizer's compact form gives each commitment controls for
/// its measure (no JavaScript: selects and numbers posted with the form),
/// mapped to the same commitments as the JSON API; the measured commitment
/// then shows on the scorecard, and publishing the form again keeps it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_organizer_measures_a_commitment_with_the_form_and_the_scorecard_scores_it() {
    let app = TestApp::sqlite().await;
    seed(&app, "signers >= 3").await;
    app.engine
        .grant("org@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("grant");
    let b = Browser::start().await;
    b.sign_in(&app, "org@example.org").await;
    b.goto(&app.url(&format!("/slates/{SLATE}/organize/compact")))
        .await;
    b.wait_for_text("Publish version 2").await;
    b.check_wide_and_phone("organize-compact-form").await;
    b.assert_no_sideways_scroll("organize-compact-form").await;
    // row 1 is the seed's "Cross-endorse every other signer"; row 3 is blank
    b.type_into("#c2_text", "A joint fundraiser every quarter")
        .await;
    b.script(
        "const set = (id, v) => { document.querySelector(id).value = v; };\
         set('#c0_measure', 'endorse_all');\
         set('#c2_measure', 'joint_events'); set('#c2_kind', 'fundraiser');\
         set('#c2_every', 'quarter'); set('#c2_count', '1');",
        json!([]),
    )
    .await;
    b.click("form[action$='/organize/compact'] button[type=submit]")
        .await;
    b.wait_for_text("New compact version published.").await;

    let (_, slate) = app.get(&format!("/api/slates/{SLATE}")).await;
    let version = slate["compact"]["version"].as_i64().expect("version");
    assert_eq!(version, 2, "{slate}");
    sign_as(&app, "ada-reyes", version).await;
    let (_, card) = app.get(&format!("/api/slates/{SLATE}/scorecard")).await;
    let ada = card["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .find(|c| c["candidate"] == "ada-reyes")
        .expect("ada")
        .clone();
    let measures: Vec<&str> = ada["commitments"]
        .as_array()
        .expect("commitments")
        .iter()
        .map(|c| c["measure"].as_str().unwrap_or("none"))
        .collect();
    assert_eq!(measures, ["endorse_all", "none", "joint_events"], "{card}");
    assert_eq!(ada["commitments"][2]["status"], "due", "{card}");
    b.goto(&app.url(&format!("/slates/{SLATE}/scorecard")))
        .await;
    b.wait_for_text("A joint fundraiser every quarter").await;

    // the form shows the measures it was given, and publishing it unchanged keeps them
    b.goto(&app.url(&format!("/slates/{SLATE}/organize/compact")))
        .await;
    b.wait_for_text("Publish version 3").await;
    let shown = b
        .script(
            "return ['#c0_measure', '#c2_measure', '#c2_kind', '#c2_every', '#c2_count']\
             .map(id => document.querySelector(id).value);",
            json!([]),
        )
        .await;
    assert_eq!(
        shown,
        json!(["endorse_all", "joint_events", "fundraiser", "quarter", "1"])
    );
    b.click("form[action$='/organize/compact'] button[type=submit]")
        .await;
    b.wait_for_text("New compact version published.").await;
    let (_, v3) = app.get(&format!("/api/slates/{SLATE}")).await;
    assert_eq!(v3["compact"]["version"], 3);
    sign_as(&app, "ben-okafor", 3).await;
    let (_, card) = app.get(&format!("/api/slates/{SLATE}/scorecard")).await;
    let ben = card["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .find(|c| c["candidate"] == "ben-okafor")
        .expect("ben")
        .clone();
    assert_eq!(ben["commitments"][2]["measure"], "joint_events", "{card}");
}
