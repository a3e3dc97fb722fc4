//! Pledges made offline, imported from CSV (issue 19), over real HTTP and
//! the real binary on both backends: only an organizer of the slate may; the
//! dry run writes nothing and names each problem by line and column, with
//! the pledge intake's own validation; an ActBlue contribution export is
//! refused with the reason; only the previewed file is imported; each row
//! enters through the intake (pending, a `pledged` log event, a receipt
//! emailed with its private link); importing the file again, or a longer
//! one, adds each pledge once; a corrected row under the same id is refused;
//! the page works with plain form posts; `cohort import pledges` too.

use cohort_testkit as common;

use cohort_engine::Actor;
use cohort_store::Role;
use common::{seed, TestApp, SLATE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    only_an_organizer_of_the_slate_may_import_pledges,
    the_api_dry_runs_then_imports_each_pledge_once_through_the_intake,
    the_import_page_previews_then_confirms_with_plain_forms,
);

/// Pledge cards from a fair: each kind once, one name a formula.
const CARDS: &str = "Email,First Name,Last Name,ZIP,Kind,Amount,Recurring,Attests eligible,Hours,Weeks,Doors,Notes\n\
ada@example.org,Ada,Reyes,10001,money,$50,once,yes,,,,met at the fair\n\
ben@example.org,=Ben,Okafor,43004,money,25.00,monthly,yes,,,,\n\
cy@example.org,Cy,Lind,55101,hours,,,,4,10,,\n\
dee@example.org,Dee,,10002,,,,,,,20,\n";

async fn post_csv(
    app: &TestApp,
    query: &str,
    body: &str,
    token: Option<&str>,
) -> (StatusCode, Value) {
    let mut req = app
        .client
        .post(app.url(&format!("/api/slates/{SLATE}/pledges/import{query}")))
        .header("content-type", "text/csv")
        .body(body.to_owned());
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    common::read(req.send().await.expect("an answer")).await
}

async fn pledges(app: &TestApp) -> Vec<cohort_store::PledgeRow> {
    app.engine
        .export_pledges(&Actor::Organizer { slate: None }, SLATE)
        .await
        .expect("the pledges")
}

async fn only_an_organizer_of_the_slate_may_import_pledges(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let (status, body) = app
        .organize(
            "/api/slates",
            json!({"slug": "other-slate", "name": "Other", "cycle": 2028, "description": "", "condition": "signers >= 1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let other = app
        .engine
        .issue_organizer_token(Some("other-slate"))
        .await
        .expect("a token");
    let candidate = app
        .engine
        .issue_candidate_token(SLATE, "ada-reyes")
        .await
        .expect("a token");
    let own = app
        .engine
        .issue_organizer_token(Some(SLATE))
        .await
        .expect("a token");
    for query in ["?dry_run=true", ""] {
        let (status, body) = post_csv(&app, query, CARDS, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous: {body}");
        let (status, body) = post_csv(&app, query, CARDS, Some(&candidate)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a candidate: {body}");
        let (status, body) = post_csv(&app, query, CARDS, Some(&other)).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "another slate's organizer: {body}"
        );
    }
    assert!(pledges(&app).await.is_empty(), "nothing written");
    let (status, pv) = post_csv(&app, "?dry_run=true", CARDS, Some(&own)).await;
    assert_eq!(status, StatusCode::OK, "the slate's own organizer: {pv}");
    // Pages: a supporter and a candidate are refused, the organizer is not.
    app.engine
        .grant("org@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("grant");
    app.engine
        .grant(
            "ada@example.org",
            Role::Candidate,
            Some(SLATE),
            Some("ada-reyes"),
        )
        .await
        .expect("grant");
    let page = format!("/slates/{SLATE}/pledges/import");
    for (who, want) in [
        ("someone@example.org", StatusCode::FORBIDDEN),
        ("ada@example.org", StatusCode::FORBIDDEN),
        ("org@example.org", StatusCode::OK),
    ] {
        let session = app.session_for(who).await;
        let res = app
            .client
            .get(app.url(&page))
            .header("cookie", format!("cohort_session={session}"))
            .send()
            .await
            .expect("an answer");
        assert_eq!(res.status(), want, "{who}");
    }
}

async fn the_api_dry_runs_then_imports_each_pledge_once_through_the_intake(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let org = app.organizer.clone();
    // every problem by line and column, the intake's own validation among them
    let bad = "email,name,amount,hours,weeks,attests_eligible,candidates\n\
a@example.org,A,12x,,,yes,\n\
b@example.org,B,,90,4,,\n\
c@example.org,C,50,,,no,\n\
d@example.org,D,50,,,yes,zed\n";
    let (status, pv) = post_csv(&app, "?dry_run=true", bad, Some(&org)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{pv}");
    assert_eq!(
        pv["problems"],
        json!([
            "line 2, column 'amount': '12x' is not a dollar amount (like 50, $50.00 or $1,250)",
            "line 3, column 'hours': must be between 1 and 80",
            "line 4, column 'attests_eligible': a money pledge needs the donor to attest they are a U.S. citizen or permanent resident giving their own money, not a federal contractor",
            "line 5, column 'candidates': \"zed\" is not a candidate on river-caucus",
        ]),
        "{pv}"
    );
    let (status, err) = post_csv(&app, "", bad, Some(&org)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(err.to_string().contains("refused whole"), "{err}");
    assert!(
        pledges(&app).await.is_empty(),
        "nothing written by a refused file"
    );
    // money already given is not a pledge
    let actblue = "Receipt ID,Date,Amount,Donor First Name,Donor Last Name,Donor Email,Donor ZIP\n\
AB123,2026-10-01 10:00:00,25.00,Ada,Reyes,ada@example.org,10001\n";
    let (status, pv) = post_csv(&app, "?dry_run=true", actblue, Some(&org)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{pv}");
    let why = pv["problems"][0].as_str().unwrap_or_default();
    assert!(
        why.starts_with("line 1, column 'Receipt ID': this is an ActBlue contribution export")
            && why.contains("not pledges"),
        "{pv}"
    );
    let (status, _) = post_csv(&app, "", actblue, Some(&org)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        pledges(&app).await.is_empty(),
        "no pledge made from ActBlue money"
    );
    // the dry run of the cards: what would be made, nothing written
    let (status, pv) = post_csv(&app, "?dry_run=true", CARDS, Some(&org)).await;
    assert_eq!(status, StatusCode::OK, "{pv}");
    assert_eq!(
        (
            pv["rows"].as_u64(),
            pv["creates"].as_u64(),
            pv["once_cents"].as_i64(),
            pv["monthly_cents"].as_i64(),
            pv["hours_per_week"].as_i64(),
            pv["actions"].as_u64()
        ),
        (Some(4), Some(4), Some(5000), Some(2500), Some(4), Some(1)),
        "{pv}"
    );
    assert_eq!(pv["ignored_columns"], json!(["Notes"]));
    assert_eq!(pv["sample"][1]["name"], "=Ben Okafor");
    assert_eq!(pv["sample"][2]["pledge"], "4 hours a week for 10 weeks");
    assert!(
        pledges(&app).await.is_empty(),
        "nothing written by the dry run"
    );
    // only the previewed file
    let (status, err) = post_csv(&app, "?sha256=00ff", CARDS, Some(&org)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["error"]["field"], "sha256", "{err}");
    let sha = pv["sha256"].as_str().expect("a hash").to_owned();
    let (status, done) = post_csv(&app, &format!("?sha256={sha}"), CARDS, Some(&org)).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(
        (done["created"].as_u64(), done["already_imported"].as_u64()),
        (Some(4), Some(0))
    );
    assert_eq!(done["failed"], json!([]));
    // through the intake: pending, logged, the pledger emailed their private link
    let rows = pledges(&app).await;
    assert_eq!(rows.len(), 4);
    assert!(
        rows.iter().all(|r| r.status.as_str() == "pending"),
        "locked like any pledge"
    );
    let ada = rows
        .iter()
        .find(|r| r.email.as_str() == "ada@example.org")
        .expect("Ada's pledge");
    assert_eq!(ada.kind.describe(), "$50");
    assert_eq!(ada.donor.name, "Ada Reyes");
    assert!(ada.donor.attests_eligible);
    let (status, events) = app.get(&format!("/api/slates/{SLATE}/events")).await;
    assert_eq!(status, StatusCode::OK);
    let pledged = events
        .as_array()
        .or_else(|| events["events"].as_array())
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "pledged")
        .count();
    assert_eq!(pledged, 4, "one log event per pledge: {events}");
    let mail = app.mail.wait_for("ada@example.org", "Your pledge").await;
    assert!(mail.body.contains("An organizer of"), "{}", mail.body);
    let marker = format!("/pledges/{}?token=", ada.id);
    let at = mail.body.find(&marker).expect("the private link") + marker.len();
    let token: String = mail.body[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_' || *c == '.')
        .collect();
    let (status, view) = app
        .call(
            Method::GET,
            &format!("/api/pledges/{}?token={token}", ada.id),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the link opens the pledge: {view}");
    assert_eq!(view["status"], "pending");
    // the same file again: nothing new
    let (status, pv) = post_csv(&app, "?dry_run=true", CARDS, Some(&org)).await;
    assert_eq!(status, StatusCode::OK, "{pv}");
    assert_eq!(
        (pv["creates"].as_u64(), pv["already_imported"].as_u64()),
        (Some(0), Some(4))
    );
    let (status, done) = post_csv(&app, "", CARDS, Some(&org)).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(
        (done["created"].as_u64(), done["already_imported"].as_u64()),
        (Some(0), Some(4))
    );
    // the sheet with one more card, and the same card twice: two new pledges
    let longer = format!(
        "{CARDS}eve@example.org,Eve,,10003,money,10,,yes,,,,\neve@example.org,Eve,,10003,money,10,,yes,,,,\n"
    );
    let (status, done) = post_csv(&app, "", &longer, Some(&org)).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(
        (done["created"].as_u64(), done["already_imported"].as_u64()),
        (Some(2), Some(4))
    );
    assert_eq!(pledges(&app).await.len(), 6);
    // under a card id, a corrected row is refused rather than added again
    let with_ids = "card,email,name,amount,attests\nC-1,fay@example.org,Fay,20,yes\n";
    let (status, done) = post_csv(&app, "", with_ids, Some(&org)).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["created"], 1);
    let (status, pv) = post_csv(
        &app,
        "?dry_run=true",
        &with_ids.replace(",20,", ",200,"),
        Some(&org),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{pv}");
    let p = pv["problems"][0].as_str().unwrap_or_default();
    assert!(p.starts_with("line 2, column 'card': pledge #"), "{pv}");
    assert!(
        p.contains("imported under this id with other details"),
        "{pv}"
    );
    assert_eq!(pledges(&app).await.len(), 7);
}

async fn the_import_page_previews_then_confirms_with_plain_forms(app: TestApp) {
    seed(&app, "signers >= 2").await;
    app.engine
        .grant("org@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("granted");
    let page = format!("/slates/{SLATE}/pledges/import");
    let session = app.session_for("org@example.org").await;
    let (cookie, csrf) = app.form_credentials(Some(&session)).await;
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
    let preview = format!("{page}/preview");
    let (status, body) = post(
        preview.clone(),
        vec![
            ("csrf", csrf.clone()),
            ("csv", "email,amount\nnope,12x\n".into()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("line 2, column &#39;amount&#39;: &#39;12x&#39; is not a dollar amount"),
        "{body}"
    );
    assert!(!body.contains("/pledges/import/confirm"), "{body}");
    // the file chosen in the form's file field (multipart, as a browser sends it)
    let multipart = |file: &str, pasted: &str, csrf: &str| {
        format!(
            "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cards.csv\"\r\nContent-Type: text/csv\r\n\r\n{file}\r\n\
             --XyZ\r\nContent-Disposition: form-data; name=\"csv\"\r\n\r\n{pasted}\r\n--XyZ--\r\n"
        )
    };
    let upload = |body: String| {
        let req = app
            .client
            .post(app.url(&preview))
            .header("cookie", &cookie)
            .header("content-type", "multipart/form-data; boundary=XyZ")
            .body(body);
        async move {
            let res = req.send().await.expect("an answer");
            (res.status(), res.text().await.expect("a body"))
        }
    };
    let (status, body) = upload(multipart(CARDS, "", &csrf)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("4 rows checked"), "{body}");
    let (status, body) = upload(multipart(CARDS, "email,amount", &csrf)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.contains("choose a file or paste the CSV, not both"),
        "{body}"
    );
    let (status, body) = upload(multipart(CARDS, "", "not-the-token")).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the CSRF token is checked: {body}"
    );
    // over the stated limit: 413 naming it, before anything is read
    let big = format!("{CARDS}{}", "x".repeat(10 * 1024 * 1024));
    let (status, body) = upload(multipart(&big, "", &csrf)).await;
    assert_eq!(
        status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        &body[..body.len().min(300)]
    );
    assert!(
        body.contains("the limit is 10 MB"),
        "{}",
        &body[..body.len().min(2000)]
    );
    // …while other forms keep the 64 KB limit
    let (status, _) = post(
        format!("/slates/{SLATE}/organize/edit"),
        vec![("csrf", csrf.clone()), ("name", "x".repeat(70 * 1024))],
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // pasted, as a plain form
    let (status, body) = post(
        preview.clone(),
        vec![("csrf", csrf.clone()), ("csv", CARDS.into())],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("4 rows checked"), "{body}");
    assert!(
        body.contains(
            "4 new pledges: $50 once, $25 a month, 4 hours a week, 1 of doors, calls or texts."
        ),
        "{body}"
    );
    let marker = "name=\"sha256\" value=\"";
    let at = body.find(marker).expect("a confirm form") + marker.len();
    let sha: String = body[at..].chars().take(64).collect();
    assert!(pledges(&app).await.is_empty());
    let confirm = |csv: String| {
        let req = app
            .client
            .post(app.url(&format!("{page}/confirm")))
            .header("cookie", &cookie)
            .form(&[
                ("csrf", csrf.clone()),
                ("sha256", sha.clone()),
                ("csv", csv),
            ]);
        async move {
            let res = req.send().await.expect("an answer");
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "to the import's page");
            res.headers()["location"]
                .to_str()
                .expect("a location")
                .to_owned()
        }
    };
    let get = |path: String| {
        let req = app.client.get(app.url(&path)).header("cookie", &cookie);
        async move {
            let res = req.send().await.expect("an answer");
            let refresh = res
                .headers()
                .get("refresh")
                .map(|v| v.to_str().expect("text").to_owned());
            (res.status(), refresh, res.text().await.expect("a body"))
        }
    };
    // the confirm queues the import; its page counts the rows and refreshes itself
    let job = confirm(CARDS.replace('\n', "\r\n")).await;
    assert!(job.starts_with(&format!("{page}/jobs/")), "{job}");
    let (status, refresh, body) = get(job.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Importing: 0 of 4 rows through"), "{body}");
    assert_eq!(
        refresh.as_deref(),
        Some("5"),
        "it reloads itself, without JavaScript"
    );
    assert!(body.contains("?refresh=off\">Stop reloading</a>"), "{body}");
    let (_, refresh, body) = get(format!("{job}?refresh=off")).await;
    assert_eq!(refresh, None, "a reader may turn the reloading off");
    assert!(body.contains("Importing: 0 of 4 rows through"), "{body}");
    assert!(pledges(&app).await.is_empty(), "not yet run");
    assert_eq!(app.engine.run_import_jobs().await.expect("a round"), 1);
    let (status, refresh, body) = get(job.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Imported 4 rows: 4 pledges made."), "{body}");
    assert_eq!(refresh, None, "done: no more reloading");
    assert_eq!(pledges(&app).await.len(), 4);
    // confirming again (a double click) makes nothing new
    let again = confirm(CARDS.into()).await;
    assert_ne!(again, job);
    assert_eq!(app.engine.run_import_jobs().await.expect("a round"), 1);
    let (_, _, body) = get(again).await;
    assert!(
        body.contains("0 pledges made, 4 already imported before (skipped)"),
        "{body}"
    );
    assert_eq!(pledges(&app).await.len(), 4);
    // another slate's organizer, or a supporter, cannot see the import
    for who in ["someone@example.org", "ada@example.org"] {
        let session = app.session_for(who).await;
        let res = app
            .client
            .get(app.url(&job))
            .header("cookie", format!("cohort_session={session}"))
            .send()
            .await
            .expect("an answer");
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{who}");
    }
}
