//! OSDI (issue 19), the links Action Network serves beside the collections:
//! a crawler that knows only the entry point follows every `_links` href it
//! finds and must reach taggings and attendances from both sides (tags and
//! people, events and people); the signup helper's `custom_fields`
//! (Action Network's object of name → value) kept, checked or refused by
//! name; the new person links refuse every role but the slate's organizer;
//! the record attendance helper keeps the whole person it is sent.

use cohort_testkit as common;

use std::collections::{BTreeMap, VecDeque};

use crate::osdi_support::*;
use common::{TestApp, SLATE};
use reqwest::StatusCode;
use serde_json::{json, Value};

both_backends!(
    a_crawler_from_the_entry_point_reaches_taggings_and_attendances_from_people,
    custom_fields_fill_person_fields_round_trip_facts_and_refuse_the_rest,
    a_persons_links_are_the_slates_organizers_only,
    the_attendance_helper_keeps_the_whole_person_or_writes_nothing,
);

/// Every href under `_links` (arrays of links too), by rel, except the
/// templated ones, the curies, docs and the helpers (POST only).
fn hrefs(v: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Some(links) = v["_links"].as_object() else {
        return out;
    };
    for (rel, l) in links {
        if rel == "curies" || rel == "docs" || rel.ends_with("_helper") {
            continue;
        }
        let all = match l {
            Value::Array(a) => a.clone(),
            one => vec![one.clone()],
        };
        for one in all {
            if one["templated"] == true {
                continue;
            }
            if let Some(h) = one["href"].as_str() {
                out.push((rel.clone(), h.to_owned()));
            }
        }
    }
    out
}

async fn a_crawler_from_the_entry_point_reaches_taggings_and_attendances_from_people(app: TestApp) {
    populate(&app).await;
    let token = app.organizer.clone();
    let mut queue = VecDeque::from([("self".to_owned(), app.url(ENTRY))]);
    // Each address fetched once; each rel, and the bodies it led to.
    let mut fetched: BTreeMap<String, Value> = BTreeMap::new();
    let mut reached: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    while let Some((rel, url)) = queue.pop_front() {
        if let Some(body) = fetched.get(&url) {
            reached.entry(rel).or_default().push(body.clone());
            continue;
        }
        assert!(fetched.len() < 2_000, "the crawl ends");
        let (status, ct, body) = osdi_get(&app, &url, Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{rel} {url}: {body}");
        assert_eq!(ct, "application/hal+json", "{url}");
        // Items embedded in a page are resources of the page's rel.
        if let Some(embedded) = body["_embedded"].as_object() {
            for (r, items) in embedded {
                for item in items.as_array().into_iter().flatten() {
                    check_resource(r, item);
                    queue.extend(hrefs(item));
                }
            }
        }
        queue.extend(hrefs(&body));
        fetched.insert(url, body.clone());
        reached.entry(rel).or_default().push(body);
    }
    for rel in [
        "osdi:people",
        "osdi:donations",
        "osdi:events",
        "osdi:attendances",
        "osdi:tags",
        "osdi:taggings",
        "osdi:person",
        "osdi:event",
        "osdi:tag",
    ] {
        assert!(
            reached.contains_key(rel),
            "the crawl never followed {rel}: it followed {:?}",
            reached.keys().collect::<Vec<_>>()
        );
    }
    // Every person links their taggings and attendances, as on Action
    // Network, and those collections hold what the tag and event sides hold.
    let people: Vec<&Value> = reached
        .values()
        .flatten()
        .filter(|b| {
            b["identifiers"][0]
                .as_str()
                .is_some_and(|i| i.starts_with("cohort:person-"))
        })
        .collect();
    assert!(!people.is_empty());
    for p in &people {
        link(p, "osdi:taggings");
        link(p, "osdi:attendances");
    }
    let by_email = |email: &str| -> Value {
        people
            .iter()
            .find(|p| p["email_addresses"][0]["address"] == email)
            .map(|p| (*p).clone())
            .unwrap_or_else(|| panic!("{email} is a person"))
    };
    let tagged = by_email("donor2@example.org");
    let filed = walk(
        &app,
        &link(&tagged, "osdi:taggings"),
        "osdi:taggings",
        &token,
    )
    .await;
    assert_eq!(filed.len(), 1, "donor2 is filed under one tag");
    let (_, _, tag) = osdi_get(&app, &link(&filed[0], "osdi:tag"), Some(&token)).await;
    assert_eq!(tag["name"], "volunteer");
    assert_eq!(link(&filed[0], "osdi:person"), link(&tagged, "self"));

    let guest = by_email("donor1@example.org");
    let went = walk(
        &app,
        &link(&guest, "osdi:attendances"),
        "osdi:attendances",
        &token,
    )
    .await;
    assert_eq!(went.len(), 1, "donor1 RSVPed once");
    assert_eq!(went[0]["status"], "accepted");
    assert_eq!(link(&went[0], "osdi:person"), link(&guest, "self"));
    let (_, _, event) = osdi_get(&app, &link(&went[0], "osdi:event"), Some(&token)).await;
    let listed = walk(
        &app,
        &link(&event, "osdi:attendances"),
        "osdi:attendances",
        &token,
    )
    .await;
    assert!(
        listed
            .iter()
            .any(|a| a["identifiers"] == went[0]["identifiers"]),
        "the event lists the same attendance"
    );
    // Someone neither tagged nor RSVPed has empty collections, not errors.
    let plain = by_email("donor5@example.org");
    assert!(walk(
        &app,
        &link(&plain, "osdi:taggings"),
        "osdi:taggings",
        &token
    )
    .await
    .is_empty());
    assert!(walk(
        &app,
        &link(&plain, "osdi:attendances"),
        "osdi:attendances",
        &token
    )
    .await
    .is_empty());
}

async fn custom_fields_fill_person_fields_round_trip_facts_and_refuse_the_rest(app: TestApp) {
    populate(&app).await;
    let token = app
        .engine
        .issue_organizer_token(Some(SLATE))
        .await
        .expect("a slate token");
    let (_, _, aep) = osdi_get(&app, &app.url(ENTRY), Some(&token)).await;
    let signup = link(&aep, "osdi:person_signup_helper");
    let people = link(&aep, "osdi:people");
    let count = || async { walk(&app, &people, "osdi:people", &token).await.len() };

    // Columns of an Action Network export, sent as custom fields, fill the
    // person's fields.
    let body = json!({"person": {
        "given_name": "Cy",
        "email_addresses": [{"address": "cy@example.org"}],
        "custom_fields": {"Phone": "518-555-0142", "zip_code": "12180", "can2_user_city": "Troy", "Last Name": null}
    }});
    let (status, made) = osdi_post(&app, &signup, &token, &body.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["phone_numbers"][0]["number"], "518-555-0142");
    assert_eq!(made["postal_addresses"][0]["postal_code"], "12180");
    assert_eq!(made["postal_addresses"][0]["locality"], "Troy");
    assert_eq!(made["custom_fields"]["cohort_source"], "osdi");

    // A client that reads a person and posts it back, facts and all: fine.
    let (_, _, read) = osdi_get(&app, &link(&made, "self"), Some(&token)).await;
    let back = json!({"person": {
        "given_name": read["given_name"], "family_name": read["family_name"],
        "email_addresses": [{"address": read["email_addresses"][0]["address"]}],
        "custom_fields": read["custom_fields"],
    }});
    let (status, again) = osdi_post(&app, &signup, &token, &back.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["identifiers"], made["identifiers"]);

    // Refused by name, nothing written: a fact set to something else, a
    // fact Cohort does not serve, a field Cohort keeps nothing of, the email
    // as a custom field, a custom field that contradicts the structured one,
    // a value that is not a string.
    let before = count().await;
    for (custom, field, says) in [
        (
            json!({"cohort_hours_per_week": "40"}),
            "person.custom_fields.cohort_hours_per_week",
            "cannot be set",
        ),
        (
            json!({"cohort_mood": "good"}),
            "person.custom_fields.cohort_mood",
            "cohort_mood",
        ),
        (
            json!({"favorite_color": "red"}),
            "person.custom_fields.favorite_color",
            "favorite_color",
        ),
        (
            json!({"email": "other@example.org"}),
            "person.custom_fields.email",
            "email_addresses",
        ),
        (json!({"zip": "10001"}), "person.custom_fields.zip", "12207"),
        (
            json!({"notes": {"a": 1}}),
            "person.custom_fields.notes",
            "string",
        ),
    ] {
        let body = json!({"person": {
            "email_addresses": [{"address": "new-one@example.org"}],
            "postal_addresses": [{"postal_code": "12207"}],
            "custom_fields": custom,
        }});
        let (status, err) = osdi_post(&app, &signup, &token, &body.to_string()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{custom}: {err}");
        assert_eq!(err["field"], field, "{err}");
        assert_eq!(err["response_code"], 422);
        assert!(
            err["error"].as_str().unwrap_or("").contains(says),
            "{custom}: {err}"
        );
    }
    // A fact sent wrong on a known person is refused and leaves them as they were.
    let wrong = json!({"person": {
        "email_addresses": [{"address": "cy@example.org"}],
        "given_name": "Changed",
        "custom_fields": {"cohort_pledges": "9"},
    }});
    let (status, err) = osdi_post(&app, &signup, &token, &wrong.to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["field"], "person.custom_fields.cohort_pledges");
    let (_, _, still) = osdi_get(&app, &link(&made, "self"), Some(&token)).await;
    assert_eq!(still["given_name"], "Cy", "nothing written: {still}");
    assert_eq!(count().await, before, "no one added");
}

async fn a_persons_links_are_the_slates_organizers_only(app: TestApp) {
    populate(&app).await;
    let (_, _, aep) = osdi_get(&app, &app.url(ENTRY), Some(&app.organizer)).await;
    let everyone = walk(
        &app,
        &link(&aep, "osdi:people"),
        "osdi:people",
        &app.organizer,
    )
    .await;
    let river = everyone
        .iter()
        .find(|p| p["email_addresses"][0]["address"] == "donor2@example.org")
        .expect("a River pledger");
    let urls = [
        link(river, "osdi:taggings"),
        link(river, "osdi:attendances"),
    ];
    let hill = app
        .engine
        .issue_organizer_token(Some(OTHER))
        .await
        .expect("Hill's organizer");
    let ada = app
        .engine
        .issue_candidate_token(SLATE, "ada-reyes")
        .await
        .expect("a candidate token");
    for url in &urls {
        for (who, token, want) in [
            ("anonymous", None, StatusCode::UNAUTHORIZED),
            ("a wrong token", Some("nope"), StatusCode::UNAUTHORIZED),
            ("a candidate", Some(ada.as_str()), StatusCode::FORBIDDEN),
            (
                "another slate's organizer",
                Some(hill.as_str()),
                StatusCode::NOT_FOUND,
            ),
        ] {
            let (status, ct, body) = osdi_get(&app, url, token).await;
            assert_eq!(status, want, "{who} at {url}: {body}");
            assert_eq!(ct, "application/hal+json");
            assert!(
                body.get("_embedded").is_none(),
                "{who} sees nothing: {body}"
            );
        }
        let (status, _, body) = osdi_get(&app, url, Some(&app.organizer)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // Paging and filters are checked as on every collection.
        let (status, _, err) =
            osdi_get(&app, &with_query(url, "per_page=0"), Some(&app.organizer)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
        assert_eq!(err["field"], "per_page");
    }
    // A person id that is no one's is a 404, not an empty list.
    let base = app.url(ENTRY);
    for tail in ["taggings", "attendances"] {
        let (status, _, body) = osdi_get(
            &app,
            &format!("{base}/people/999999/{tail}"),
            Some(&app.organizer),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, _, body) = osdi_get(
            &app,
            &format!("{base}/people/x/{tail}"),
            Some(&app.organizer),
        )
        .await;
        assert!(status.is_client_error(), "{body}");
    }
}

/// The record attendance helper used to keep only the name, email and ZIP of
/// the person it was sent and drop the rest (address, phone, custom fields)
/// without a word. It keeps them now, as the signup helper does, and refuses
/// what Cohort cannot keep by name with nothing written, RSVP included.
async fn the_attendance_helper_keeps_the_whole_person_or_writes_nothing(app: TestApp) {
    populate(&app).await;
    let token = app.organizer.clone();
    let (_, _, aep) = osdi_get(&app, &app.url(ENTRY), Some(&token)).await;
    let events = walk(&app, &link(&aep, "osdi:events"), "osdi:events", &token).await;
    let helper = link(&events[0], "osdi:record_attendance_helper");
    let attendances = link(&events[0], "osdi:attendances");
    let count = || async {
        walk(&app, &attendances, "osdi:attendances", &token)
            .await
            .len()
    };

    let body = json!({"person": {
        "given_name": "Mae", "family_name": "Ortiz",
        "email_addresses": [{"address": "mae@example.org"}],
        "postal_addresses": [{"address_lines": ["5 Elm St"], "locality": "Albany",
                              "region": "NY", "postal_code": "12207"}],
        "phone_numbers": [{"number": "518-555-0199"}],
        "custom_fields": {"zip_code": "12207"}
    }});
    let (status, att) = osdi_post(&app, &helper, &token, &body.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{att}");
    let listed = walk(&app, &attendances, "osdi:attendances", &token).await;
    let mae = listed
        .iter()
        .find(|a| a["person"]["email_addresses"][0]["address"] == "mae@example.org")
        .expect("mae's attendance");
    let (_, _, person) = osdi_get(&app, &link(mae, "osdi:person"), Some(&token)).await;
    assert_eq!(person["family_name"], "Ortiz", "{person}");
    assert_eq!(
        person["phone_numbers"][0]["number"], "518-555-0199",
        "{person}"
    );
    let postal = &person["postal_addresses"][0];
    assert_eq!(postal["address_lines"][0], "5 Elm St", "{person}");
    assert_eq!(postal["locality"], "Albany", "{person}");
    assert_eq!(postal["region"], "NY", "{person}");
    assert_eq!(postal["postal_code"], "12207", "{person}");

    // Refused by name, and neither the RSVP nor the person is written.
    let before = count().await;
    for (custom, field) in [
        (json!({"shoe_size": "9"}), "person.custom_fields.shoe_size"),
        (
            json!({"cohort_pledges": "9"}),
            "person.custom_fields.cohort_pledges",
        ),
    ] {
        let body = json!({"person": {
            "given_name": "Noa",
            "email_addresses": [{"address": "noa@example.org"}],
            "postal_addresses": [{"postal_code": "12207"}],
            "custom_fields": custom,
        }});
        let (status, err) = osdi_post(&app, &helper, &token, &body.to_string()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{custom}: {err}");
        assert_eq!(err["field"], field, "{err}");
    }
    assert_eq!(count().await, before, "no RSVP written");
    let people = walk(&app, &link(&aep, "osdi:people"), "osdi:people", &token).await;
    assert!(
        people
            .iter()
            .all(|p| p["email_addresses"][0]["address"] != "noa@example.org"),
        "no person written"
    );
}
