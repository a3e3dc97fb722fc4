//! OSDI (issue 19) over real HTTP on both backends: a client that knows only
//! the entry point walks every collection by `_links` and checks each
//! resource's required fields and the paging; the three helpers; a
//! slate-scoped token never sees another slate; bad input names itself.

use cohort_testkit as common;

use std::collections::BTreeSet;

use crate::osdi_support::*;
use common::{TestApp, SLATE};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    a_client_walks_everything_from_the_entry_point,
    the_helpers_write_and_read_back,
    a_slate_token_sees_its_slate_only,
    bad_input_gets_an_osdi_error_naming_it,
    the_demo_pledgers_are_people,
);

async fn a_client_walks_everything_from_the_entry_point(app: TestApp) {
    populate(&app).await;
    let token = app.organizer.clone();
    let (status, ct, aep) = osdi_get(&app, &app.url(ENTRY), Some(&token)).await;
    assert_eq!(
        (status, ct.as_str()),
        (StatusCode::OK, "application/hal+json"),
        "{aep}"
    );
    assert_eq!(aep["osdi_version"], "1.1.1");
    for rel in [
        "osdi:people",
        "osdi:donations",
        "osdi:events",
        "osdi:tags",
        "osdi:person_signup_helper",
        "osdi:record_donation_helper",
        "osdi:record_attendance_helper",
    ] {
        link(&aep, rel);
    }

    let people = walk(&app, &link(&aep, "osdi:people"), "osdi:people", &token).await;
    let emails: BTreeSet<_> = people
        .iter()
        .map(|p| {
            format!(
                "{}/{}",
                p["custom_fields"]["cohort_slate"].as_str().unwrap_or(""),
                p["email_addresses"][0]["address"].as_str().unwrap_or("")
            )
        })
        .collect();
    let mut expected: BTreeSet<String> = (0..7)
        .map(|i| format!("{SLATE}/donor{i}@example.org"))
        .collect();
    expected.insert(format!("{SLATE}/helper@example.org"));
    expected.insert(format!("{OTHER}/zed@example.org"));
    assert_eq!(
        emails, expected,
        "every pledger, once per slate, and no one else"
    );
    let d0 = people
        .iter()
        .find(|p| p["email_addresses"][0]["address"] == "donor0@example.org")
        .expect("donor0");
    assert_eq!(d0["given_name"], "Dee");
    assert_eq!(d0["family_name"], "Nor0");
    assert_eq!(
        d0["postal_addresses"][0]["postal_code"], "43215",
        "the latest pledge's zip"
    );
    assert_eq!(d0["custom_fields"]["cohort_money_pledged"], "10.00");
    assert_eq!(d0["custom_fields"]["cohort_money_unlocked"], "10.00");
    assert_eq!(d0["custom_fields"]["cohort_hours_per_week"], "5");
    assert_eq!(d0["custom_fields"]["cohort_pledges"], "2");
    assert_eq!(d0["custom_fields"]["cohort_source"], "pledge");

    let donations = walk(
        &app,
        &link(&aep, "osdi:donations"),
        "osdi:donations",
        &token,
    )
    .await;
    assert_eq!(
        donations.len(),
        7,
        "River's seven unlocked; Hill's pledge is still pending"
    );
    let total: i64 = donations.iter().map(|d| cents(&d["amount"])).sum();
    assert_eq!(total, (1..=7).map(|i| 1_000 * i).sum::<i64>());
    let referred: Vec<_> = donations
        .iter()
        .filter(|d| d["action_network:referrer_data"]["referrer"] == "river-union")
        .collect();
    assert_eq!(referred.len(), 1);
    assert_eq!(
        referred[0]["action_network:referrer_data"]["cohort:partner"],
        "River Union"
    );
    assert_eq!(referred[0]["amount"], "40.00");
    for d in &donations {
        let names: BTreeSet<_> = d["recipients"]
            .as_array()
            .expect("recipients")
            .iter()
            .map(|r| r["display_name"].as_str().unwrap_or("").to_owned())
            .collect();
        assert_eq!(
            names,
            BTreeSet::from(["Ada Reyes".to_owned(), "Ben Okafor".to_owned()])
        );
        let (status, _, who) = osdi_get(&app, &link(d, "osdi:person"), Some(&token)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(who["email_addresses"][0]["address"]
            .as_str()
            .unwrap_or("")
            .starts_with("donor"));
    }
    let mine = walk(&app, &link(d0, "osdi:donations"), "osdi:donations", &token).await;
    assert_eq!(mine.len(), 1, "donor0's one unlocked money pledge");

    let events = walk(&app, &link(&aep, "osdi:events"), "osdi:events", &token).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["status"], "confirmed");
    assert_eq!(events[0]["location"]["locality"], "Albany");
    let rsvps = walk(
        &app,
        &link(&events[0], "osdi:attendances"),
        "osdi:attendances",
        &token,
    )
    .await;
    assert_eq!(rsvps.len(), 1);
    assert_eq!(rsvps[0]["status"], "accepted");

    let tags = walk(&app, &link(&aep, "osdi:tags"), "osdi:tags", &token).await;
    assert_eq!(tags.len(), 1);
    assert_eq!(tags[0]["name"], "volunteer");
    let taggings = walk(
        &app,
        &link(&tags[0], "osdi:taggings"),
        "osdi:taggings",
        &token,
    )
    .await;
    assert_eq!(taggings.len(), 1);
    let (_, _, tagged) = osdi_get(&app, &link(&taggings[0], "osdi:person"), Some(&token)).await;
    assert_eq!(
        tagged["email_addresses"][0]["address"],
        "donor2@example.org"
    );
}

async fn the_helpers_write_and_read_back(app: TestApp) {
    populate(&app).await;
    let token = app
        .engine
        .issue_organizer_token(Some(SLATE))
        .await
        .expect("a slate token");
    let (_, _, aep) = osdi_get(&app, &app.url(ENTRY), Some(&token)).await;
    let signup = link(&aep, "osdi:person_signup_helper");
    let body = json!({
        "person": {
            "given_name": "Nia", "family_name": "Newcomer",
            "email_addresses": [{"address": "Nia@Example.org", "primary": true}],
            "postal_addresses": [{"address_lines": ["4 Elm St"], "locality": "Troy", "region": "NY", "postal_code": "12180", "country": "US"}],
            "custom_fields": {"can2_user_city": "Troy"}
        },
        "add_tags": ["volunteer", "river"]
    });
    let (status, made) = osdi_post(&app, &signup, &token, &body.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let (status, _, read) = osdi_get(&app, &link(&made, "self"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["email_addresses"][0]["address"], "nia@example.org");
    assert_eq!(read["postal_addresses"][0]["locality"], "Troy");
    assert_eq!(read["custom_fields"]["cohort_source"], "osdi");
    // Again with a phone: merged by email, not a second person.
    let again = json!({
        "person": {"email_addresses": [{"address": "nia@example.org"}], "phone_numbers": [{"number": "518-555-0100"}]},
        "add_tags": ["river"]
    });
    let (status, merged) = osdi_post(&app, &signup, &token, &again.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{merged}");
    assert_eq!(merged["identifiers"], made["identifiers"]);
    assert_eq!(
        merged["given_name"], "Nia",
        "an absent field keeps what is stored"
    );
    assert_eq!(merged["phone_numbers"][0]["number"], "518-555-0100");
    let tags = walk(&app, &link(&aep, "osdi:tags"), "osdi:tags", &token).await;
    let names: BTreeSet<_> = tags
        .iter()
        .map(|t| t["name"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["river".to_owned(), "volunteer".to_owned()])
    );
    let river = tags.iter().find(|t| t["name"] == "river").expect("river");
    let filed = walk(&app, &link(river, "osdi:taggings"), "osdi:taggings", &token).await;
    assert_eq!(filed.len(), 1, "filed once though tagged twice");
    assert_eq!(link(&filed[0], "osdi:person"), link(&made, "self"));

    // Donations are refused, saying why, and nothing is written.
    let before = walk(
        &app,
        &link(&aep, "osdi:donations"),
        "osdi:donations",
        &token,
    )
    .await;
    let (status, refused) = osdi_post(
        &app,
        &link(&aep, "osdi:record_donation_helper"),
        &token,
        &json!({"person": {"email_addresses": [{"address": "x@example.org"}]}, "amount": "5.00"})
            .to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert!(
        refused["error"]
            .as_str()
            .unwrap_or("")
            .contains("through a pledge"),
        "{refused}"
    );
    assert_eq!(refused["response_code"], 403);
    let after = walk(
        &app,
        &link(&aep, "osdi:donations"),
        "osdi:donations",
        &token,
    )
    .await;
    assert_eq!(before.len(), after.len());

    // An RSVP through the event's helper, read back as an attendance and a person.
    let events = walk(&app, &link(&aep, "osdi:events"), "osdi:events", &token).await;
    let helper = link(&events[0], "osdi:record_attendance_helper");
    let rsvp = json!({
        "person": {"given_name": "Ola", "family_name": "Guest",
                   "email_addresses": [{"address": "ola@example.org"}],
                   "postal_addresses": [{"postal_code": "12207"}]},
        "action_network:referrer_data": {"referrer": "river-union"}
    });
    let (status, att) = osdi_post(&app, &helper, &token, &rsvp.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{att}");
    assert_eq!(att["status"], "accepted");
    let listed = walk(
        &app,
        &link(&events[0], "osdi:attendances"),
        "osdi:attendances",
        &token,
    )
    .await;
    assert_eq!(listed.len(), 2);
    let ola = listed
        .iter()
        .find(|a| a["person"]["email_addresses"][0]["address"] == "ola@example.org")
        .expect("ola's attendance");
    assert_eq!(
        ola["action_network:referrer_data"]["referrer"],
        "river-union"
    );
    let (_, _, person) = osdi_get(&app, &link(ola, "osdi:person"), Some(&token)).await;
    assert_eq!(person["given_name"], "Ola");
    assert_eq!(person["custom_fields"]["cohort_source"], "rsvp");
    // The same guest again: the RSVP they have, not a second.
    let (status, _) = osdi_post(&app, &helper, &token, &rsvp.to_string()).await;
    assert_eq!(status, StatusCode::OK);
    // A bad ZIP names the OSDI field.
    let bad = json!({"person": {"given_name": "Bo", "email_addresses": [{"address": "bo@example.org"}],
                                "postal_addresses": [{"postal_code": "12"}]}});
    let (status, err) = osdi_post(&app, &helper, &token, &bad.to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(
        err["field"], "person.postal_addresses[0].postal_code",
        "{err}"
    );
}

async fn a_slate_token_sees_its_slate_only(app: TestApp) {
    populate(&app).await;
    let (_, _, all) = osdi_get(&app, &app.url(ENTRY), Some(&app.organizer)).await;
    let everyone = walk(
        &app,
        &link(&all, "osdi:people"),
        "osdi:people",
        &app.organizer,
    )
    .await;
    let zed = everyone
        .iter()
        .find(|p| p["custom_fields"]["cohort_slate"] == OTHER)
        .expect("Hill's pledger");

    let river = app
        .engine
        .issue_organizer_token(Some(SLATE))
        .await
        .expect("a slate token");
    let (status, _, aep) = osdi_get(&app, &app.url(ENTRY), Some(&river)).await;
    assert_eq!(status, StatusCode::OK);
    let people = walk(&app, &link(&aep, "osdi:people"), "osdi:people", &river).await;
    assert_eq!(people.len(), everyone.len() - 1);
    assert!(people
        .iter()
        .all(|p| p["custom_fields"]["cohort_slate"] == SLATE));
    let (status, _, body) = osdi_get(&app, &link(zed, "self"), Some(&river)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _, body) = osdi_get(&app, &link(zed, "osdi:donations"), Some(&river)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let donations = walk(
        &app,
        &link(&aep, "osdi:donations"),
        "osdi:donations",
        &river,
    )
    .await;
    assert!(donations.iter().all(|d| d["cohort:slate"] == SLATE));

    // Hill's token sees Hill's one pledger and none of River's money.
    let hill = app
        .engine
        .issue_organizer_token(Some(OTHER))
        .await
        .expect("a slate token");
    let people = walk(&app, &link(&aep, "osdi:people"), "osdi:people", &hill).await;
    assert_eq!(people.len(), 1);
    assert_eq!(
        people[0]["email_addresses"][0]["address"],
        "zed@example.org"
    );
    assert!(
        walk(&app, &link(&aep, "osdi:donations"), "osdi:donations", &hill)
            .await
            .is_empty()
    );
    assert!(walk(&app, &link(&aep, "osdi:events"), "osdi:events", &hill)
        .await
        .is_empty());
    let (status, _, _) = osdi_get(&app, &link(&everyone[0], "self"), Some(&hill)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A candidate's token may not; no token or a wrong one is not signed in.
    let ada = app
        .engine
        .issue_candidate_token(SLATE, "ada-reyes")
        .await
        .expect("a candidate token");
    let people_url = link(&aep, "osdi:people");
    for (token, want) in [
        (Some(ada.as_str()), StatusCode::FORBIDDEN),
        (None, StatusCode::UNAUTHORIZED),
        (Some("not-a-token"), StatusCode::UNAUTHORIZED),
    ] {
        for url in [app.url(ENTRY), people_url.clone(), link(zed, "self")] {
            let (status, ct, body) = osdi_get(&app, &url, token).await;
            assert_eq!(status, want, "{url} {token:?}: {body}");
            assert_eq!(ct, "application/hal+json");
            assert_eq!(body["response_code"], want.as_u16(), "{body}");
            assert!(
                body["error"].is_string() && body.get("_embedded").is_none(),
                "{body}"
            );
        }
    }
}

async fn bad_input_gets_an_osdi_error_naming_it(app: TestApp) {
    populate(&app).await;
    let token = app.organizer.clone();
    let (_, _, aep) = osdi_get(&app, &app.url(ENTRY), Some(&token)).await;
    let people = link(&aep, "osdi:people");

    // The supported filters work…
    let (status, _, one) = osdi_get(
        &app,
        &with_query(
            &people,
            "filter=email_address%20eq%20%27donor3%40example.org%27",
        ),
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["total_records"], 1);
    for (filter, n) in [
        ("modified_date gt '2099-01-01T00:00:00Z'", 0),
        ("modified_date lt '2099-01-01'", 9),
        (
            "modified_date gt '2000-01-01' and modified_date lt '2099-01-01'",
            9,
        ),
    ] {
        let q = format!(
            "per_page=2&filter={}",
            filter.replace(' ', "%20").replace('\'', "%27")
        );
        let (status, _, page) = osdi_get(&app, &with_query(&people, &q), Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["total_records"], n, "{filter}");
        if n > 0 {
            assert!(
                link(&page, "next").contains("filter="),
                "next keeps the filter"
            );
        }
    }
    // …and anything else is a 400 naming it.
    for (query, field, says) in [
        ("filter=given_name%20eq%20%27Dee%27", "filter", "given_name"),
        ("filter=modified_date%20gt%20%27soon%27", "filter", "soon"),
        ("per_page=500", "per_page", "per_page"),
        ("per_page=0", "per_page", "per_page"),
        ("page=first", "page", "page"),
    ] {
        let (status, ct, err) = osdi_get(&app, &with_query(&people, query), Some(&token)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {err}");
        assert_eq!(ct, "application/hal+json");
        assert_eq!(err["field"], field, "{err}");
        assert!(err["error"].as_str().unwrap_or("").contains(says), "{err}");
        assert_eq!(
            err["resource_status"][0]["errors"][0]["properties"][0],
            field
        );
    }
    let donations = link(&aep, "osdi:donations");
    let (status, _, err) = osdi_get(
        &app,
        &with_query(
            &donations,
            "filter=email_address%20eq%20%27donor3%40example.org%27",
        ),
        Some(&token),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "donations filter on modified_date only: {err}"
    );

    // Bodies: malformed JSON, a missing or bad email, an unknown field, a
    // slate the token does not name.
    let signup = link(&aep, "osdi:person_signup_helper");
    let before = walk(&app, &people, "osdi:people", &token).await.len();
    for (body, status, field) in [
        ("{\"person\": ", StatusCode::BAD_REQUEST, None),
        (
            r#"{"person": {"given_name": "No Email"}, "cohort:slate": "river-caucus"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("person.email_addresses"),
        ),
        (
            r#"{"person": {"email_addresses": [{"address": "not-an-email"}]}, "cohort:slate": "river-caucus"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("person.email_addresses[0].address"),
        ),
        (
            r#"{"person": {"email_addresses": [{"address": "ok@example.org"}], "favorite_color": "red"}, "cohort:slate": "river-caucus"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("person.favorite_color"),
        ),
        (
            r#"{"person": {"email_addresses": [{"address": "ok@example.org"}]}}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("cohort:slate"),
        ),
        (
            r#"{"person": {"email_addresses": [{"address": "ok@example.org"}]}, "add_tags": [""], "cohort:slate": "river-caucus"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("add_tags[0]"),
        ),
    ] {
        let (got, err) = osdi_post(&app, &signup, &token, body).await;
        assert_eq!(got, status, "{body}: {err}");
        assert_eq!(err["response_code"], status.as_u16());
        if let Some(f) = field {
            assert_eq!(err["field"], f, "{body}: {err}");
        }
        if field == Some("person.favorite_color") {
            assert!(
                err["error"]
                    .as_str()
                    .unwrap_or("")
                    .contains("favorite_color"),
                "{err}"
            );
        }
    }
    assert_eq!(
        walk(&app, &people, "osdi:people", &token).await.len(),
        before,
        "nothing half-written"
    );
    // An unknown address under the API, and a wrong method, are OSDI errors too.
    let (status, ct, err) = osdi_get(&app, &app.url("/api/osdi/v1/petitions"), Some(&token)).await;
    assert_eq!(
        (status, ct.as_str()),
        (StatusCode::NOT_FOUND, "application/hal+json"),
        "{err}"
    );
    let (status, ct, err) = osdi_get(&app, &signup, Some(&token)).await;
    assert_eq!(
        (status, ct.as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "application/hal+json"),
        "{err}"
    );
}

async fn the_demo_pledgers_are_people(app: TestApp) {
    let spec: cohort_engine::demo::DemoSpec =
        serde_json::from_str(include_str!("../../../../data/demo/slate.json")).expect("demo spec");
    let summary = app
        .engine
        .load_demo(&spec)
        .await
        .expect("the demo loads")
        .expect("into an empty database");
    let pledgers: BTreeSet<String> = cohort_engine::demo::generate_pledges(&spec)
        .into_iter()
        .map(|p| p.donor.email.to_lowercase())
        .collect();
    let (_, _, aep) = osdi_get(&app, &app.url(ENTRY), Some(&app.organizer)).await;
    let (status, _, page) = osdi_get(&app, &link(&aep, "osdi:people"), Some(&app.organizer)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page["total_records"].as_u64() >= Some(pledgers.len() as u64) && !pledgers.is_empty(),
        "every demo pledger is a person: {} people, {} pledgers",
        page["total_records"],
        pledgers.len()
    );
    let (status, _, money) =
        osdi_get(&app, &link(&aep, "osdi:donations"), Some(&app.organizer)).await;
    assert_eq!(status, StatusCode::OK, "{money}");
    if summary.unlocked > 0 {
        assert!(money["total_records"].as_u64() > Some(0), "{money}");
    }
}
