//! Joint events (issue 15) over real HTTP on both backends: proposing with
//! every bad field named and nothing written, who may propose, confirm,
//! decline and record held, RSVPs with a waitlist, the private cancel link
//! promoting the first waitlisted person (emails through the real SMTP
//! server), changes emailed to RSVPs, reminders a day and an hour before
//! sent once by `tick`, and the iCalendar feed read back by Python's
//! `icalendar`.

use cohort_testkit as common;

use chrono::Duration;
use common::python::run_python;
use common::{seed, sign_as, TestApp, SLATE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    bad_proposals_name_the_field_and_write_nothing,
    only_organizers_and_signed_hosts_propose_and_each_host_confirms_for_itself,
    rsvps_waitlist_cancel_promotes_and_lists_stay_private,
    changes_and_reminders_are_emailed_once,
    held_only_by_organizers_after_the_end,
    the_calendar_feed_parses_with_icalendar,
    the_demo_has_a_held_event_a_livestream_and_a_fundraiser,
    an_rsvp_name_carrying_a_link_is_refused_and_nothing_is_emailed,
);

fn event(hosts: &[&str]) -> Value {
    let start = common::now() + Duration::days(10);
    json!({
        "kind": "town_hall",
        "title": "River towns town hall",
        "description": "Two candidates, one stage, your questions.",
        "starts_at": start.to_rfc3339(),
        "ends_at": (start + Duration::hours(2)).to_rfc3339(),
        "timezone": "America/New_York",
        "location": {"venue": "Union Hall", "address": "12 Main St", "city": "Albany", "state": "NY", "zip": "12207"},
        "online_url": null,
        "hosts": hosts,
        "capacity": 2
    })
}

async fn token(app: &TestApp, who: &str) -> String {
    app.engine
        .issue_candidate_token(SLATE, who)
        .await
        .expect("a candidate token")
}

/// Proposed by the organizer and confirmed by both hosts; answers its id.
async fn confirmed(app: &TestApp, body: Value) -> i64 {
    let (status, e) = app
        .organize(&format!("/api/slates/{SLATE}/joint-events"), body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    let id = e["id"].as_i64().expect("id");
    common::confirm_hosts(app, &e).await;
    id
}

async fn count_events(app: &TestApp) -> usize {
    let mut tx = app.store.read().await.expect("read");
    let slate = tx
        .slate_by_slug(SLATE)
        .await
        .expect("slate")
        .expect("slate");
    tx.joint_events(slate.id).await.expect("events").len()
}

async fn bad_proposals_name_the_field_and_write_nothing(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let (status, body) = app
        .organize(
            "/api/slates",
            json!({"slug": "other-slate", "name": "Other", "cycle": 2028, "description": "x", "condition": "signers >= 1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app
        .organize(
            "/api/slates/other-slate/candidates",
            common::candidate("zed-other", "Zed Other", "us_house", "PA", Some("3")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let past = (common::now() - Duration::hours(1)).to_rfc3339();
    type Mutation = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Mutation)> = vec![
        (
            "ends_at",
            Box::new(|v| v["ends_at"] = v["starts_at"].clone()),
        ),
        (
            "ends_at",
            Box::new(|v| v["ends_at"] = json!("2026-11-25T00:00:00Z")),
        ),
        (
            "starts_at",
            Box::new(move |v| v["starts_at"] = json!(past.clone())),
        ),
        (
            "hosts[1]",
            Box::new(|v| v["hosts"] = json!(["ada-reyes", "nobody-here"])),
        ),
        (
            "hosts[1]",
            Box::new(|v| v["hosts"] = json!(["ada-reyes", "zed-other"])),
        ),
        ("hosts", Box::new(|v| v["hosts"] = json!(["ada-reyes"]))),
        ("capacity", Box::new(|v| v["capacity"] = json!(0))),
        ("capacity", Box::new(|v| v["capacity"] = json!(-5))),
        (
            "timezone",
            Box::new(|v| v["timezone"] = json!("Eastern Time")),
        ),
        (
            "online_url",
            Box::new(|v| v["online_url"] = json!("http://stream.example.org/live")),
        ),
        ("kind", Box::new(|v| v["kind"] = json!("rally"))),
    ];
    for (field, mutate) in cases {
        let mut body = event(&["ada-reyes", "ben-okafor"]);
        mutate(&mut body);
        let (status, answer) = app
            .organize(&format!("/api/slates/{SLATE}/joint-events"), body)
            .await;
        assert!(status.is_client_error(), "{field}: {status} {answer}");
        assert_eq!(answer["error"]["field"], field, "{answer}");
    }
    assert_eq!(count_events(&app).await, 0, "nothing was written");
    // an RSVP with a malformed email: named, nothing written
    let id = confirmed(&app, event(&["ada-reyes", "ben-okafor"])).await;
    let (status, answer) = app
        .call(
            Method::POST,
            &format!("/api/joint-events/{id}/rsvps"),
            None,
            Some(&json!({"name": "Ana", "email": "ana-at-example", "zip": "12207"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["error"]["field"], "email");
    let (_, e) = app.get(&format!("/api/joint-events/{id}")).await;
    assert_eq!(e["rsvps"], 0);
    let (status, _) = app.get("/api/joint-events/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn only_organizers_and_signed_hosts_propose_and_each_host_confirms_for_itself(app: TestApp) {
    let version = seed(&app, "signers >= 3").await;
    let path = format!("/api/slates/{SLATE}/joint-events");
    let body = event(&["ada-reyes", "ben-okafor"]);
    // nobody, and a campaign that has not signed, may not propose
    let (status, _) = app.call(Method::POST, &path, None, Some(&body)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let ada = token(&app, "ada-reyes").await;
    let (status, answer) = app.call(Method::POST, &path, Some(&ada), Some(&body)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    // a signed campaign that is not a host may not either
    sign_as(&app, "cy-lindqvist", version).await;
    let cy = token(&app, "cy-lindqvist").await;
    let (status, _) = app.call(Method::POST, &path, Some(&cy), Some(&body)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(count_events(&app).await, 0);
    // once Ada signed, her campaign proposes with Ben
    sign_as(&app, "ada-reyes", version).await;
    let (status, e) = app.call(Method::POST, &path, Some(&ada), Some(&body)).await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    assert_eq!(e["status"], "proposed");
    assert_eq!(
        e["hosts"],
        json!([
            {"candidate": "ada-reyes", "name": "Ada Reyes", "confirmed": false, "answer": "pending"},
            {"candidate": "ben-okafor", "name": "Ben Okafor", "confirmed": false, "answer": "pending"}
        ])
    );
    let id = e["id"].as_i64().expect("id");
    // not public yet
    let (status, _) = app.get(&format!("/api/joint-events/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app.get(&format!("/api/slates/{SLATE}/joint-events")).await;
    assert_eq!(list, json!([]));
    // Ada's campaign may not confirm for Ben, nor Cy's for anyone
    let confirm = |who: &str| format!("/api/joint-events/{id}/hosts/{who}/confirm");
    let (status, _) = app
        .call(Method::POST, &confirm("ben-okafor"), Some(&ada), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .call(Method::POST, &confirm("cy-lindqvist"), Some(&cy), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "Cy is no host");
    let (status, e) = app
        .call(Method::POST, &confirm("ada-reyes"), Some(&ada), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_eq!(e["status"], "proposed");
    let ben = token(&app, "ben-okafor").await;
    let (_, e) = app
        .call(Method::POST, &confirm("ben-okafor"), Some(&ben), None)
        .await;
    assert_eq!(e["status"], "confirmed");
    let (status, e) = app.get(&format!("/api/joint-events/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    for key in [
        "id",
        "kind",
        "title",
        "starts_at",
        "ends_at",
        "timezone",
        "status",
        "hosts",
        "rsvps",
        "raised_cents",
    ] {
        assert!(e.get(key).is_some(), "{key} in {e}");
    }
    let (_, list) = app.get(&format!("/api/slates/{SLATE}/joint-events")).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    // a second event: Ben declines, so it never becomes public
    let (_, e2) = app
        .organize(&path, event(&["ada-reyes", "ben-okafor"]))
        .await;
    let id2 = e2["id"].as_i64().expect("id");
    let (status, e2) = app
        .call(
            Method::POST,
            &format!("/api/joint-events/{id2}/hosts/ben-okafor/decline"),
            Some(&ben),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{e2}");
    assert_eq!(e2["status"], "declined");
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/joint-events/{id2}/hosts/ada-reyes/confirm"),
            Some(&ada),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app.get(&format!("/api/joint-events/{id2}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn rsvp(app: &TestApp, id: i64, who: &str) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        &format!("/api/joint-events/{id}/rsvps"),
        None,
        Some(&json!({"name": who, "email": format!("{who}@example.org"), "zip": "12207", "ref": "river-unions"})),
    )
    .await
}

/// An RSVP emails whatever address it names, so its name is the same
/// vector as a donor's (issue 14, finding 3): "Your account is locked –
/// verify at evil dot example" must not reach a stranger's inbox.
async fn an_rsvp_name_carrying_a_link_is_refused_and_nothing_is_emailed(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let id = confirmed(&app, event(&["ada-reyes", "ben-okafor"])).await;
    for name in [
        "Your account is locked - verify at evil.example",
        "Ana https://evil.example/x",
        "Ana <b>",
    ] {
        let (status, body) = app
            .call(
                Method::POST,
                &format!("/api/joint-events/{id}/rsvps"),
                None,
                Some(&json!({"name": name, "email": "victim@example.org", "zip": "12207"})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {body}");
        assert_eq!(body["error"]["field"], "name", "{body}");
    }
    let queued = app
        .engine
        .emails_to("victim@example.org")
        .await
        .expect("the outbox");
    assert!(queued.is_empty(), "{} emails queued", queued.len());
    let (_, e) = app.get(&format!("/api/joint-events/{id}")).await;
    assert_eq!(e["rsvps"], 0);
}

/// The private cancel link in the RSVP email to `to`.
async fn cancel_link(app: &TestApp, to: &str) -> String {
    let mail = app.mail.wait_for(to, "RSVP:").await;
    let body = mail.body.clone();
    let start = body
        .find(&format!("{}/joint-events/rsvps/", app.base))
        .expect("a cancel link");
    body[start..]
        .split_whitespace()
        .next()
        .expect("link")
        .to_owned()
}

async fn rsvps_waitlist_cancel_promotes_and_lists_stay_private(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let id = confirmed(&app, event(&["ada-reyes", "ben-okafor"])).await;
    let (s1, a1) = rsvp(&app, id, "ana").await;
    let (s2, a2) = rsvp(&app, id, "bo").await;
    let (s3, a3) = rsvp(&app, id, "cal").await;
    let (s4, a4) = rsvp(&app, id, "dee").await;
    assert_eq!(
        (s1, s2, s3, s4),
        (
            StatusCode::CREATED,
            StatusCode::CREATED,
            StatusCode::CREATED,
            StatusCode::CREATED
        )
    );
    assert_eq!(
        [&a1["status"], &a2["status"], &a3["status"], &a4["status"]],
        ["going", "going", "waitlisted", "waitlisted"]
    );
    // the same email again: the RSVP it has, not a second
    let (status, again) = rsvp(&app, id, "ana").await;
    assert_eq!(
        (status, &again["status"]),
        (StatusCode::OK, &json!("going"))
    );
    // the public sees counts, not the list
    let (_, e) = app.get(&format!("/api/joint-events/{id}")).await;
    assert_eq!(
        (e["rsvps"].as_i64(), e["waitlisted"].as_i64()),
        (Some(2), Some(2))
    );
    let list_path = format!("/api/joint-events/{id}/rsvps");
    let (status, _) = app.get(&list_path).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let version = 1;
    sign_as(&app, "cy-lindqvist", version).await;
    let cy = token(&app, "cy-lindqvist").await;
    let (status, _) = app.call(Method::GET, &list_path, Some(&cy), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "Cy hosts nothing here");
    let ada = token(&app, "ada-reyes").await;
    let (status, list) = app.call(Method::GET, &list_path, Some(&ada), None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list.as_array().map(Vec::len), Some(4));
    assert_eq!(list[0]["email"], "ana@example.org");
    assert_eq!(list[0]["ref"], "river-unions");
    let (status, _) = app
        .call(Method::GET, &list_path, Some(&app.organizer), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    // Bo cancels through the private link: Cal (first waitlisted) gets the seat and is told
    let link = cancel_link(&app, "bo@example.org").await;
    let path = link.strip_prefix(&app.base).expect("our link").to_owned();
    let (status, page) = app.html(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Cancel my RSVP"), "{page}");
    // the form needs its CSRF token, read from a page as a browser does
    let (cookie, csrf) = app.form_credentials(None).await;
    let res = app
        .client
        .post(app.url(&path))
        .header("cookie", cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("answer");
    assert_eq!(res.status(), StatusCode::OK);
    let mail = app.mail.wait_for("cal@example.org", "You're in").await;
    assert!(
        mail.body.clone().contains("A seat opened up"),
        "{}",
        mail.body.clone()
    );
    let (_, e) = app.get(&format!("/api/joint-events/{id}")).await;
    assert_eq!(
        (e["rsvps"].as_i64(), e["waitlisted"].as_i64()),
        (Some(2), Some(1))
    );
    let (_, list) = app.call(Method::GET, &list_path, Some(&ada), None).await;
    let statuses: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["going", "cancelled", "going", "waitlisted"]);
    // the secret is stored only as its hash
    let secret = path.rsplit('/').next().unwrap();
    let mut tx = app.store.read().await.expect("read");
    assert!(tx
        .rsvp_by_cancel_hash(secret)
        .await
        .expect("lookup")
        .is_none());
}

async fn changes_and_reminders_are_emailed_once(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let id = confirmed(&app, event(&["ada-reyes", "ben-okafor"])).await;
    rsvp(&app, id, "ana").await;
    let (_, e) = app.get(&format!("/api/joint-events/{id}")).await;
    let seq = e["sequence"].as_i64().expect("sequence");
    // the organizer moves it a day later and online
    let start = common::now() + Duration::days(11);
    let (status, e) = app
        .call(
            Method::PATCH,
            &format!("/api/joint-events/{id}"),
            Some(&app.organizer),
            Some(&json!({"starts_at": start.to_rfc3339(), "ends_at": (start + Duration::hours(1)).to_rfc3339(),
                "timezone": "America/Chicago", "location": null, "online_url": "https://live.example.org/river"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert!(e["sequence"].as_i64().unwrap() > seq);
    let changed = app.mail.wait_for("ana@example.org", "Changed:").await;
    assert!(
        changed.body.contains("https://live.example.org/river"),
        "{}",
        changed.body
    );
    // the public page shows the change
    let (_, page) = app.html(&format!("/joint-events/{id}")).await;
    assert!(page.contains("Updated since it was announced"));
    // a day before: one day reminder, however often tick runs
    app.clock.set(start - Duration::hours(23));
    app.engine.tick().await.expect("tick");
    app.engine.tick().await.expect("tick again");
    // an hour before: one hour reminder
    app.clock.set(start - Duration::minutes(50));
    app.engine.tick().await.expect("tick");
    app.engine.tick().await.expect("tick again");
    app.clock.set(start + Duration::minutes(5));
    app.engine.tick().await.expect("after the start");
    let emails = app
        .engine
        .emails_to("ana@example.org")
        .await
        .expect("outbox");
    let reminders: Vec<&str> = emails
        .iter()
        .filter(|e| e.email.subject.starts_with("Reminder:"))
        .map(|e| e.email.body.as_str())
        .collect();
    assert_eq!(reminders.len(), 2, "{reminders:?}");
    assert_eq!(
        reminders
            .iter()
            .filter(|b| b.contains("starts tomorrow"))
            .count(),
        1
    );
    assert_eq!(
        reminders
            .iter()
            .filter(|b| b.contains("in about an hour"))
            .count(),
        1
    );
    app.mail.wait_for("ana@example.org", "Reminder:").await;
}

async fn held_only_by_organizers_after_the_end(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let id = confirmed(&app, event(&["ada-reyes", "ben-okafor"])).await;
    let path = format!("/api/joint-events/{id}/held");
    let body = json!({"attendance": 87});
    let (status, answer) = app
        .call(Method::POST, &path, Some(&app.organizer), Some(&body))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "not ended yet: {answer}");
    app.clock.set(common::now() + Duration::days(12));
    let ada = token(&app, "ada-reyes").await;
    let (status, _) = app.call(Method::POST, &path, Some(&ada), Some(&body)).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a host's campaign does not record attendance"
    );
    let (status, _) = app
        .call(
            Method::POST,
            &path,
            Some(&app.organizer),
            Some(&json!({"attendance": -1})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, e) = app
        .call(Method::POST, &path, Some(&app.organizer), Some(&body))
        .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_eq!(
        (e["status"].as_str(), e["attendance"].as_i64()),
        (Some("held"), Some(87))
    );
    let (_, list) = app.get(&format!("/api/slates/{SLATE}/joint-events")).await;
    assert_eq!(list[0]["status"], "held");
}

async fn the_calendar_feed_parses_with_icalendar(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let a = confirmed(&app, event(&["ada-reyes", "ben-okafor"])).await;
    let mut online = event(&["ben-okafor", "cy-lindqvist"]);
    online["kind"] = json!("livestream");
    online["title"] = json!("Live, together; ask us anything");
    online["timezone"] = json!("America/Chicago");
    online["location"] = Value::Null;
    online["online_url"] = json!("https://live.example.org/river");
    let b = confirmed(&app, online).await;
    // a third one, cancelled after confirmation by a host
    let c = confirmed(&app, event(&["ada-reyes", "cy-lindqvist"])).await;
    let cy = token(&app, "cy-lindqvist").await;
    let (status, e) = app
        .call(
            Method::POST,
            &format!("/api/joint-events/{c}/hosts/cy-lindqvist/decline"),
            Some(&cy),
            None,
        )
        .await;
    assert_eq!(
        (status, e["status"].as_str()),
        (StatusCode::OK, Some("cancelled"))
    );
    let res = app
        .client
        .get(app.url(&format!("/slates/{SLATE}/joint-events.ics")))
        .send()
        .await
        .expect("feed");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let ics = res.text().await.expect("body");
    let script = r#"
import sys, json, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.read())
zones = [str(z["TZID"]) for z in cal.walk("VTIMEZONE")]
out = []
for ev in cal.walk("VEVENT"):
    out.append({"uid": str(ev["UID"]), "seq": int(ev["SEQUENCE"]), "status": str(ev["STATUS"]),
                "summary": str(ev["SUMMARY"]), "tzid": ev["DTSTART"].params.get("TZID"),
                "start": ev.decoded("DTSTART").isoformat(), "utc": ev.decoded("DTSTART").astimezone(__import__("datetime").timezone.utc).isoformat()})
print(json.dumps({"zones": zones, "events": out}))
"#;
    let out = run_python(["-c", script], Some(ics.as_bytes()));
    assert!(
        out.status.success(),
        "{}\n{ics}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: Value = serde_json::from_slice(&out.stdout).expect("json");
    let events = parsed["events"].as_array().expect("events");
    assert_eq!(events.len(), 3, "{parsed}");
    let by_uid = |id: i64| {
        events
            .iter()
            .find(|e| {
                e["uid"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("joint-event-{id}@"))
            })
            .expect("event")
    };
    let start = (common::now() + Duration::days(10)).to_rfc3339();
    assert_eq!(by_uid(a)["tzid"], "America/New_York");
    assert_eq!(by_uid(a)["utc"], start);
    assert_eq!(by_uid(b)["tzid"], "America/Chicago");
    assert_eq!(by_uid(b)["summary"], "Live, together; ask us anything");
    assert_eq!(by_uid(c)["status"], "CANCELLED");
    assert!(by_uid(c)["seq"].as_i64() > by_uid(a)["seq"].as_i64());
    let zones = parsed["zones"].as_array().unwrap();
    assert!(
        zones.contains(&json!("America/New_York")) && zones.contains(&json!("America/Chicago"))
    );
    // and one event's own file
    let res = app
        .client
        .get(app.url(&format!("/joint-events/{b}/event.ics")))
        .send()
        .await
        .expect("ics");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("STATUS:CONFIRMED"));
}

async fn the_demo_has_a_held_event_a_livestream_and_a_fundraiser(app: TestApp) {
    let spec: cohort_engine::demo::DemoSpec =
        serde_json::from_str(include_str!("../../../../data/demo/slate.json")).expect("demo spec");
    let summary = app
        .engine
        .load_demo(&spec)
        .await
        .expect("the demo loads")
        .expect("into an empty database");
    let (status, list) = app
        .get(&format!("/api/slates/{}/joint-events", summary.slug))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let list = list.as_array().expect("events");
    let has = |kind: &str, status: &str| {
        list.iter()
            .any(|e| e["kind"] == kind && e["status"] == status)
    };
    assert!(has("town_hall", "held"), "{list:?}");
    assert!(has("livestream", "confirmed"), "{list:?}");
    assert!(has("fundraiser", "confirmed"), "{list:?}");
    assert!(list
        .iter()
        .all(|e| e["hosts"].as_array().unwrap().len() >= 2
            && e["hosts"]
                .as_array()
                .unwrap()
                .iter()
                .all(|h| h["confirmed"] == true)));
    let fundraiser = list
        .iter()
        .find(|e| e["kind"] == "fundraiser")
        .expect("a fundraiser");
    assert_eq!(
        fundraiser["raised_cents"], 39_000,
        "the demo's fundraiser has pledges: {fundraiser}"
    );
    // the scorecard shows a commitment kept and one due
    let (status, card) = app
        .get(&format!("/api/slates/{}/scorecard", summary.slug))
        .await;
    assert_eq!(status, StatusCode::OK, "{card}");
    let statuses: Vec<&str> = card["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .flat_map(|c| c["commitments"].as_array().cloned().unwrap_or_default())
        .filter_map(|m| m["status"].as_str().map(str::to_owned))
        .map(|s| match s.as_str() {
            "kept" => "kept",
            "due" => "due",
            "broken" => "broken",
            _ => "not_measured",
        })
        .collect();
    assert!(statuses.contains(&"kept"), "{card}");
    assert!(statuses.contains(&"due"), "{card}");
    // the slate page shows what is coming up, soonest first, never the
    // event already held
    let (status, page) = app.html(&format!("/slates/{}", summary.slug)).await;
    assert_eq!(status, StatusCode::OK);
    let together = page
        .split("id=\"together-heading\"")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .expect("a Together in public section");
    let title = |kind: &str| {
        list.iter()
            .find(|e| e["kind"] == kind)
            .and_then(|e| e["title"].as_str())
            .expect("a title")
            .to_owned()
    };
    assert!(together.contains(&title("livestream")), "{together}");
    assert!(together.contains(&title("fundraiser")), "{together}");
    assert!(!together.contains(&title("town_hall")), "{together}");
}
