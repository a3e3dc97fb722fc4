//! Supporters in and out as CSV (issue 19) over real HTTP and the real
//! binary, on both backends: the dry run writes nothing and names each
//! problem by line and column, a file with any problem is refused whole, the
//! import takes only the file previewed, the export (Action Network's
//! people-export headers, formulas neutralized) reads back through the
//! importer as all merges, organizers only; the page works with plain form
//! posts; `cohort import people` refuses a bad file with a non-zero exit.

use cohort_testkit as common;

use cohort_store::Role;
use common::{TestApp, SLATE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    the_api_previews_imports_and_exports_round_trip,
    the_import_page_previews_then_confirms_with_plain_forms,
    joint_event_rsvps_export_as_mobilize_and_read_back,
);

/// Action Network's people-export layout, one person twice (merged), one
/// name that is a formula.
const AN_FILE: &str = "first_name,last_name,email,zip_code,can2_subscription_status\n\
Ada,Reyes,ada@example.org,10001,subscribed\n\
=cmd,\"Okafor, Jr.\",ben@example.org,43004,subscribed\n\
,,ADA@example.org,10002,subscribed\n";

async fn make_slate(app: &TestApp) {
    let (status, body) = app
        .organize(
            "/api/slates",
            json!({
                "slug": SLATE, "name": "River Caucus", "cycle": 2028,
                "description": "Candidates along the river.", "condition": "signers >= 2"
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn post_csv(
    app: &TestApp,
    query: &str,
    body: &str,
    token: Option<&str>,
) -> (StatusCode, Value) {
    let mut req = app
        .client
        .post(app.url(&format!("/api/slates/{SLATE}/people/import{query}")))
        .header("content-type", "text/csv")
        .body(body.to_owned());
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    common::read(req.send().await.expect("an answer")).await
}

async fn export(app: &TestApp) -> String {
    let res = app
        .client
        .get(app.url(&format!("/api/slates/{SLATE}/people.csv")))
        .bearer_auth(&app.organizer)
        .send()
        .await
        .expect("an answer");
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.expect("a body")
}

async fn the_api_previews_imports_and_exports_round_trip(app: TestApp) {
    make_slate(&app).await;
    let org = app.organizer.clone();
    // only an organizer
    let (status, _) = post_csv(&app, "?dry_run=true", AN_FILE, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // the dry run: two people, one repeated row merged, nothing written
    let (status, pv) = post_csv(&app, "?dry_run=true", AN_FILE, Some(&org)).await;
    assert_eq!(status, StatusCode::OK, "{pv}");
    assert_eq!(
        (pv["creates"].as_u64(), pv["merges"].as_u64()),
        (Some(2), Some(0))
    );
    assert_eq!(pv["duplicates"], 1);
    assert_eq!(pv["ignored_columns"], json!(["can2_subscription_status"]));
    assert_eq!(
        export(&app).await.lines().count(),
        1,
        "nothing written by the dry run"
    );
    // a file with any problem is refused whole, naming line and column
    let bad = "email,zip\nok@example.org,10001\nb@example.org,1234\n";
    let (status, pv) = post_csv(&app, "?dry_run=true", bad, Some(&org)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        pv["problems"],
        json!(["line 3, column 'zip': '1234' is not a ZIP code (five digits, or ZIP+4 like 12345-6789)"])
    );
    let (status, err) = post_csv(&app, "", bad, Some(&org)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(err.to_string().contains("line 3, column 'zip'"), "{err}");
    assert_eq!(
        export(&app).await.lines().count(),
        1,
        "nothing written by a refused file"
    );
    // only the file previewed is imported
    let (status, err) = post_csv(&app, "?sha256=00ff", AN_FILE, Some(&org)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let (_, pv) = post_csv(&app, "?dry_run=true", AN_FILE, Some(&org)).await;
    let sha = pv["sha256"].as_str().expect("a hash").to_owned();
    let (status, done) = post_csv(&app, &format!("?sha256={sha}"), AN_FILE, Some(&org)).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(
        (done["created"].as_u64(), done["merged"].as_u64()),
        (Some(2), Some(0))
    );
    // the export: Action Network's headers, the formula neutralized
    let out = export(&app).await;
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("first_name,last_name,email,zip_code,can2_user_address,can2_user_city,can2_state_abbreviated,can2_phone")
    );
    assert!(out.contains("Ada,Reyes,ada@example.org,10002"), "{out}");
    assert!(
        out.contains("'=cmd,\"Okafor, Jr.\",ben@example.org,43004"),
        "{out}"
    );
    // … and reads back through the importer: everyone merges, nobody is new
    let (status, pv) = post_csv(&app, "?dry_run=true", &out, Some(&org)).await;
    assert_eq!(status, StatusCode::OK, "{pv}");
    assert_eq!(
        (pv["creates"].as_u64(), pv["merges"].as_u64()),
        (Some(0), Some(2))
    );
    assert_eq!(pv["sample"][1]["name"], "=cmd Okafor, Jr.");
    // a public caller cannot read the list
    let (status, _) = app
        .call(
            Method::GET,
            &format!("/api/slates/{SLATE}/people.csv"),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn the_import_page_previews_then_confirms_with_plain_forms(app: TestApp) {
    make_slate(&app).await;
    app.engine
        .grant("org@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("granted");
    let page = format!("/slates/{SLATE}/people/import");
    // a supporter who is not an organizer is refused
    let someone = app.session_for("someone@example.org").await;
    let res = app
        .client
        .get(app.url(&page))
        .header("cookie", format!("cohort_session={someone}"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let session = app.session_for("org@example.org").await;
    let (cookie, csrf) = app.form_credentials(Some(&session)).await;
    let res = app
        .client
        .get(app.url(&page))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("an answer");
    assert_eq!(res.status(), StatusCode::OK);
    let post = |path: String, form: Vec<(&'static str, String)>| {
        let req = app
            .client
            .post(app.url(&path))
            .header("cookie", &cookie)
            .form(&form);
        async move {
            let res = req.send().await.expect("an answer");
            (res.status(), res.text().await.expect("a body"))
        }
    };
    // a bad file: every problem, nothing to confirm
    let (status, body) = post(
        format!("{page}/preview"),
        vec![
            ("csrf", csrf.clone()),
            ("csv", "email,zip\nnope,1234\n".into()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("line 2, column &#39;email&#39;: &#39;nope&#39; is not an email address"),
        "{body}"
    );
    assert!(body.contains("line 2, column &#39;zip&#39;"), "{body}");
    assert!(!body.contains("/people/import/confirm"), "{body}");
    assert!(
        body.contains("rows=\"10\">email,zip\nnope,1234\n</textarea>"),
        "the refused file stays in the box to be fixed: {body}"
    );
    // a good file: the preview, then the confirm re-posts it
    let (status, body) = post(
        format!("{page}/preview"),
        vec![("csrf", csrf.clone()), ("csv", AN_FILE.into())],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("3 rows checked"), "{body}");
    assert!(body.contains("2 new people, 0 merged"), "{body}");
    let marker = "name=\"sha256\" value=\"";
    let at = body.find(marker).expect("a confirm form") + marker.len();
    let sha: String = body[at..].chars().take(64).collect();
    assert_eq!(
        app.engine
            .people_csv(&cohort_engine::Actor::Organizer { slate: None }, SLATE)
            .await
            .unwrap()
            .1
            .lines()
            .count(),
        1
    );
    let (status, body) = post(
        format!("{page}/confirm"),
        vec![
            ("csrf", csrf.clone()),
            ("sha256", sha),
            ("csv", AN_FILE.replace('\n', "\r\n")),
        ],
    )
    .await;
    // queued for the `imports` job (see people_import_jobs.rs for its page)
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(app.engine.run_import_jobs().await.expect("a round"), 1);
    // the export, signed in
    let res = app
        .client
        .get(app.url(&format!("/slates/{SLATE}/people.csv")))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("an answer");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("ben@example.org"));
}

async fn joint_event_rsvps_export_as_mobilize_and_read_back(app: TestApp) {
    let spec: cohort_engine::demo::DemoSpec =
        serde_json::from_str(include_str!("../../../../data/demo/slate.json")).expect("demo spec");
    let summary = app
        .engine
        .load_demo(&spec)
        .await
        .expect("the demo loads")
        .expect("into an empty database");
    let slug = summary.slug.clone();
    let (_, list) = app.get(&format!("/api/slates/{slug}/joint-events")).await;
    let event = list
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["status"] == "confirmed")
        .expect("a confirmed event")["id"]
        .as_i64()
        .expect("an id");
    for (name, email) in [
        ("Ada María Reyes", "ada.rsvp@example.org"),
        ("=Bo", "bo.rsvp@example.org"),
    ] {
        app.engine
            .rsvp_joint_event(
                event,
                cohort_engine::joint_events::RsvpInput {
                    name: name.into(),
                    email: email.into(),
                    zip: "10001".into(),
                    referral: None,
                },
            )
            .await
            .expect("an RSVP");
    }
    let path = format!("/api/joint-events/{event}/attendees.csv");
    let (status, _) = app.call(Method::GET, &path, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the list is private");
    let res = app
        .client
        .get(app.url(&path))
        .bearer_auth(&app.organizer)
        .send()
        .await
        .expect("an answer");
    assert_eq!(res.status(), StatusCode::OK);
    let out = res.text().await.expect("a body");
    assert!(
        out.starts_with("Event ID,Event name,Timeslot start,Timeslot end,First name,Last name,Email,ZIP,Attendance status,Signup date\r\n"),
        "{out}"
    );
    assert!(
        out.contains(",Ada,María Reyes,ada.rsvp@example.org,10001,Registered,"),
        "{out}"
    );
    assert!(out.contains(",'=Bo,,bo.rsvp@example.org,"), "{out}");
    let (status, pv) = app
        .client
        .post(app.url(&format!("/api/slates/{slug}/people/import?dry_run=true")))
        .bearer_auth(&app.organizer)
        .body(out)
        .send()
        .await
        .map(|r| (r.status(), r))
        .expect("an answer");
    let pv: Value = pv.json().await.expect("json");
    assert_eq!(status, StatusCode::OK, "{pv}");
    assert_eq!(
        pv["creates"].as_u64().unwrap() + pv["merges"].as_u64().unwrap(),
        2,
        "{pv}"
    );
    let names: Vec<&str> = pv["sample"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Ada María Reyes", "=Bo"]);
}
