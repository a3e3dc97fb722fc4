//! The HTTP edge under attack (issue 14, findings 1, 6, 7 and 8), against
//! the real app on both backends: redirect targets, control characters in
//! every kind of input, CSRF tied to the browser and the origin, and the
//! cookies and headers a private or an HTTPS deployment needs.

use cohort_testkit as common;

use std::sync::Arc;

use cohort_engine::{Engine, OsTokens};
use common::{seed, TestApp, SLATE};
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(
    a_tab_in_next_does_not_redirect_off_site,
    a_nul_in_a_path_is_a_400_on_postgres,
    a_nul_in_a_query_is_a_400_naming_it,
    a_nul_in_a_json_field_is_a_400_naming_it_and_writes_nothing,
    a_nul_in_a_form_field_is_a_400_naming_it_and_writes_nothing,
    a_planted_csrf_cookie_with_a_foreign_origin_is_refused,
    a_csrf_token_works_only_in_the_browser_it_was_given_to,
    a_cross_site_form_with_a_valid_token_is_refused,
    private_pages_are_never_stored_by_caches,
    https_cookies_are_host_prefixed_and_secure_with_hsts,
);

/// GET `path` with a `cookie` header; answer status, headers and body.
async fn get(
    app: &TestApp,
    path: &str,
    cookie: &str,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let res = app
        .client
        .get(app.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .expect("an answer");
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, res.text().await.expect("a body"))
}

/// POST a form with a `cookie` header and extra headers.
async fn post_form(
    app: &TestApp,
    path: &str,
    cookie: &str,
    headers: &[(&str, &str)],
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let mut req = app
        .client
        .post(app.url(path))
        .header("cookie", cookie)
        .form(form);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.send().await.expect("an answer");
    (res.status(), res.text().await.expect("a body"))
}

fn location(headers: &reqwest::header::HeaderMap) -> Option<&str> {
    headers.get("location").and_then(|v| v.to_str().ok())
}

/// The name on the account behind `session`, as /me shows it.
async fn shown_name(app: &TestApp, session: &str) -> String {
    let (status, _, body) = get(app, "/me", &format!("cohort_session={session}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let marker = "name=\"name\"";
    let at = body.find(marker).expect("the profile form");
    let rest = &body[at..];
    let v = rest.find("value=\"").expect("a value") + "value=\"".len();
    rest[v..].split('"').next().unwrap_or("").to_owned()
}

// ---------------------------------------------------------------- 1. next

async fn a_tab_in_next_does_not_redirect_off_site(app: TestApp) {
    let session = app.session_for("nia@example.org").await;
    let cookie = format!("cohort_session={session}");
    for next in [
        "/%09/evil.example",
        "/%0d%0aSet-Cookie:%20planted=1",
        "//evil.example",
        "/%5C/evil.example",
        "/%5Cevil.example",
        "https://evil.example",
        "/%252F%252Fevil.example",
        "/%2e%2e//evil.example",
        "/%00",
        "/%E2%80%AEelpmaxe.live",
        "evil.example",
    ] {
        let (status, headers, body) = get(&app, &format!("/sign-in?next={next}"), &cookie).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "next={next}: {body}");
        assert_eq!(location(&headers), Some("/"), "next={next}");
        assert!(headers
            .get("set-cookie")
            .is_none_or(|c| !c.to_str().unwrap_or("").contains("planted")));
    }
    // A path on this site is kept, with its query.
    let (status, headers, _) = get(
        &app,
        "/sign-in?next=%2Fslates%2Friver-caucus%2Fcampaign%3Fnotice%3Dx",
        &cookie,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location(&headers),
        Some("/slates/river-caucus/campaign?notice=x")
    );
}

// ---------------------------------------------------------------- 6. control characters

async fn a_nul_in_a_path_is_a_400_on_postgres(app: TestApp) {
    seed(&app, "signers >= 1").await;
    for segment in [
        "a%00b",
        "river-caucus%00",
        "a%7Fb",
        "a%C2%85b",
        "a%E2%80%AEb",
        "a%0Ab",
    ] {
        let (status, body) = app.get(&format!("/api/slates/{segment}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{segment}: {body}");
        assert_eq!(body["error"]["code"], "control_character", "{body}");
        assert_eq!(body["error"]["field"], "slug", "{body}");
        let (status, body) = app
            .call(
                Method::GET,
                &format!("/api/slates/{segment}/events"),
                Some(&app.organizer),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{segment}: {body}");
        let (status, page) = app.html(&format!("/slates/{segment}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{segment}: {page}");
        assert!(page.contains("slug"), "the page names the field: {page}");
    }
    // Right-to-left text is not a control character.
    let (status, _) = app.get("/api/slates/%D7%A9%D7%9C%D7%95%D7%9D").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_nul_in_a_query_is_a_400_naming_it(app: TestApp) {
    seed(&app, "signers >= 1").await;
    let (status, body) = app
        .get("/api/conditions/preview?condition=signers%20%3E%3D%201%00")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["field"], "condition", "{body}");
    let (status, page) = app.html(&format!("/slates/{SLATE}/pledge?ref=a%00b")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("ref"), "{page}");
}

async fn a_nul_in_a_json_field_is_a_400_naming_it_and_writes_nothing(app: TestApp) {
    seed(&app, "signers >= 1").await;
    let pledge = |name: &str| {
        json!({
            "kind": "money", "amount_cents": 5000, "recurring": "once",
            "donor": {
                "email": "sam@example.org", "name": name, "zip": "10001",
                "employer": "Acme Water Co.", "occupation": "Engineer", "attests_eligible": true
            }
        })
    };
    let path = format!("/api/slates/{SLATE}/pledges");
    for (name, what) in [
        ("Sam\u{0}Doe", "NUL"),
        ("Sam\u{7f}Doe", "DEL"),
        ("Sam\u{9b}Doe", "C1"),
        ("Sam\u{202e}eoD", "bidi override"),
    ] {
        let res = app
            .client
            .post(app.url(&path))
            .json(&pledge(name))
            .send()
            .await
            .expect("an answer");
        let (status, body) = common::read(res).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body}");
        assert_eq!(body["error"]["code"], "control_character", "{body}");
        assert_eq!(body["error"]["field"], "donor.name", "{body}");
    }
    let (status, body) = app.get(&format!("/api/slates/{SLATE}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["pot"]["pending_cents"], 0,
        "nothing was written: {body}"
    );

    // A slate named with a NUL is refused and not made; a description over
    // several lines is fine.
    let (status, body) = app
        .organize(
            "/api/slates",
            json!({"slug": "nul-slate", "name": "Nul\u{0}Slate", "cycle": 2028,
                   "description": "x", "condition": "signers >= 1"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["field"], "name", "{body}");
    let (status, _) = app.get("/api/slates/nul-slate").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing was written");
    let (status, body) = app
        .organize(
            "/api/slates",
            json!({"slug": "lines", "name": "Lines", "cycle": 2028,
                   "description": "One line.\nAnother\tline.", "condition": "signers >= 1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn a_nul_in_a_form_field_is_a_400_naming_it_and_writes_nothing(app: TestApp) {
    let session = app.session_for("bo@example.org").await;
    let (cookie, csrf) = app.form_credentials(Some(&session)).await;
    let (status, body) = post_form(
        &app,
        "/me/profile",
        &cookie,
        &[],
        &[
            ("csrf", &csrf),
            ("name", "Bo Lind"),
            ("email_prefs", "weekly"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    for bad in [
        "Bo\u{0}Evil",
        "Bo\u{1b}[31mEvil",
        "Bo\u{85}Evil",
        "Bo\u{2066}Evil",
    ] {
        let (status, body) = post_form(
            &app,
            "/me/profile",
            &cookie,
            &[],
            &[("csrf", &csrf), ("name", bad), ("email_prefs", "weekly")],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}: {body}");
        assert!(body.contains("name holds a control character"), "{body}");
    }
    assert_eq!(
        shown_name(&app, &session).await,
        "Bo Lind",
        "nothing was written"
    );
}

// ---------------------------------------------------------------- 7. CSRF

async fn a_planted_csrf_cookie_with_a_foreign_origin_is_refused(app: TestApp) {
    let session = app.session_for("vic@example.org").await;
    let planted = format!("cohort_csrf=planted; cohort_session={session}");
    for headers in [
        &[("origin", "https://evil.example")][..],
        &[][..],
        &[("sec-fetch-site", "cross-site")][..],
    ] {
        let (status, body) = post_form(
            &app,
            "/me/profile",
            &planted,
            headers,
            &[
                ("csrf", "planted"),
                ("name", "Mallory"),
                ("email_prefs", "none"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}: {body}");
    }
    assert_ne!(shown_name(&app, &session).await, "Mallory");
    // The pre-sign-in forms too: a planted cookie asks for no email.
    let (status, _) = post_form(
        &app,
        "/sign-in/link",
        "cohort_csrf=planted",
        &[("origin", "https://evil.example")],
        &[("csrf", "planted"), ("email", "vic@example.org")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn a_csrf_token_works_only_in_the_browser_it_was_given_to(app: TestApp) {
    let alice = app.session_for("alice@example.org").await;
    let bob = app.session_for("bob@example.org").await;
    let (alice_cookies, alice_token) = app.form_credentials(Some(&alice)).await;
    // Bob's browser, carrying Alice's pre-session cookie and token: refused.
    let alice_csrf_cookie = alice_cookies
        .split("; ")
        .find(|c| c.starts_with("cohort_csrf="))
        .unwrap_or("cohort_csrf=none")
        .to_owned();
    let (status, body) = post_form(
        &app,
        "/me/profile",
        &format!("{alice_csrf_cookie}; cohort_session={bob}"),
        &[],
        &[
            ("csrf", &alice_token),
            ("name", "Not Bob"),
            ("email_prefs", "weekly"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_ne!(shown_name(&app, &bob).await, "Not Bob");
    // Alice's own browser: fine.
    let (status, body) = post_form(
        &app,
        "/me/profile",
        &alice_cookies,
        &[],
        &[
            ("csrf", &alice_token),
            ("name", "Alice"),
            ("email_prefs", "weekly"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

    // Before signing in: an attacker's own (cookie, token) pair does not
    // work with the victim's pre-session cookie.
    let (attacker_cookie, attacker_token) = app.form_credentials(None).await;
    let (victim_cookie, victim_token) = app.form_credentials(None).await;
    assert_ne!(attacker_cookie, victim_cookie);
    let (status, _) = post_form(
        &app,
        "/sign-in/link",
        &victim_cookie,
        &[],
        &[("csrf", &attacker_token), ("email", "carol@example.org")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(app
        .engine
        .emails_to("carol@example.org")
        .await
        .expect("outbox")
        .is_empty());
    let (status, body) = post_form(
        &app,
        "/sign-in/link",
        &victim_cookie,
        &[],
        &[("csrf", &victim_token), ("email", "carol@example.org")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn a_cross_site_form_with_a_valid_token_is_refused(app: TestApp) {
    let session = app.session_for("dee@example.org").await;
    let (cookie, csrf) = app.form_credentials(Some(&session)).await;
    let form = |name: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("name", name.to_owned()),
            ("email_prefs", "weekly".to_owned()),
        ]
    };
    let send = |headers: Vec<(&'static str, String)>, name: &'static str| {
        let mut req = app
            .client
            .post(app.url("/me/profile"))
            .header("cookie", &cookie)
            .form(&form(name));
        for (k, v) in headers {
            req = req.header(k, v);
        }
        async move { req.send().await.expect("an answer").status() }
    };
    for headers in [
        vec![("origin", "https://evil.example".to_owned())],
        vec![("origin", "null".to_owned())],
        vec![("sec-fetch-site", "cross-site".to_owned())],
        vec![("sec-fetch-site", "same-site".to_owned())],
    ] {
        assert_eq!(
            send(headers.clone(), "Evil").await,
            StatusCode::FORBIDDEN,
            "{headers:?}"
        );
    }
    assert_ne!(shown_name(&app, &session).await, "Evil");
    // From this site, as a browser sends it: fine.
    let ok = send(
        vec![
            ("origin", app.base.clone()),
            ("sec-fetch-site", "same-origin".to_owned()),
        ],
        "Dee",
    )
    .await;
    assert_eq!(ok, StatusCode::SEE_OTHER);
    assert_eq!(shown_name(&app, &session).await, "Dee");
}

// ---------------------------------------------------------------- 8. cookies and headers

fn no_store(headers: &reqwest::header::HeaderMap) -> bool {
    headers
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store"))
}

async fn private_pages_are_never_stored_by_caches(app: TestApp) {
    seed(&app, "signers >= 1").await;
    let session = app.session_for("org@example.org").await;
    let signed_in = format!("cohort_session={session}");
    for path in [
        "/me",
        "/books",
        &format!("/slates/{SLATE}/campaign"),
        &format!("/slates/{SLATE}/organize"),
    ] {
        let (status, headers, _) = get(&app, path, &signed_in).await;
        assert!(no_store(&headers), "{path} ({status}) may be cached");
    }
    // A receipt, by its private link, without signing in.
    let res = app
        .client
        .post(app.url(&format!("/api/slates/{SLATE}/pledges")))
        .json(&json!({
            "kind": "money", "amount_cents": 5000, "recurring": "once",
            "donor": {"email": "sam@example.org", "name": "Sam Doe", "zip": "10001",
                      "employer": "Acme", "occupation": "Engineer", "attests_eligible": true}
        }))
        .send()
        .await
        .expect("an answer");
    assert!(
        no_store(res.headers()),
        "the pledge answer carries its receipt token"
    );
    let (status, created) = common::read(res).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let receipt = format!(
        "/pledges/{}?token={}",
        created["id"],
        created["receipt_token"].as_str().expect("a receipt token")
    );
    let (status, headers, _) = get(&app, &receipt, "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(no_store(&headers), "the receipt page may be cached");
    // The API with a token.
    let res = app
        .client
        .get(app.url(&format!("/api/slates/{SLATE}")))
        .bearer_auth(&app.organizer)
        .send()
        .await
        .expect("an answer");
    assert!(no_store(res.headers()));
    // A public page for someone not signed in may be cached.
    let (cookie, _) = app.form_credentials(None).await;
    let (status, headers, _) = get(&app, &format!("/slates/{SLATE}"), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!no_store(&headers), "a public page is public");
}

/// A second server on the same database whose public URL is HTTPS.
async fn https_server(app: &TestApp) -> String {
    let engine = Engine::new(app.store.clone(), app.clock.clone(), Arc::new(OsTokens))
        .with_public_url("https://cohort.example");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(cohort_web::serve(listener, engine, std::future::pending()));
    base
}

fn set_cookies(headers: &reqwest::header::HeaderMap) -> Vec<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap_or("").to_owned())
        .collect()
}

async fn https_cookies_are_host_prefixed_and_secure_with_hsts(app: TestApp) {
    let base = https_server(&app).await;
    let client = &app.client;
    let res = client
        .get(format!("{base}/sign-in"))
        .send()
        .await
        .expect("an answer");
    assert!(
        res.headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("max-age=")),
        "{:?}",
        res.headers()
    );
    let cookies = set_cookies(res.headers());
    let csrf_cookie = cookies
        .iter()
        .find(|c| c.starts_with("__Host-cohort_csrf="))
        .unwrap_or_else(|| panic!("a __Host- CSRF cookie: {cookies:?}"))
        .clone();
    assert!(csrf_cookie.contains("; Secure") && csrf_cookie.contains("Path=/"));
    assert!(!csrf_cookie.contains("Domain"));
    let jar = csrf_cookie.split(';').next().unwrap_or("").to_owned();
    let page = res.text().await.expect("a body");
    let token = common::csrf_in(&page).expect("a form");

    // Sign in by link on the HTTPS server; the session cookie is secure too.
    let res = client
        .post(format!("{base}/sign-in/link"))
        .header("cookie", &jar)
        .form(&[("csrf", token.as_str()), ("email", "sec@example.org")])
        .send()
        .await
        .expect("an answer");
    assert_eq!(res.status(), StatusCode::OK);
    let mail = app.mail.wait_for("sec@example.org", "sign-in link").await;
    let at = mail.body.find("/sign-in/").expect("a link");
    let link: String = mail.body[at..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let res = client
        .post(format!("{base}{link}"))
        .header("cookie", &jar)
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .expect("an answer");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookies = set_cookies(res.headers());
    let session = cookies
        .iter()
        .find(|c| c.starts_with("__Host-cohort_session="))
        .unwrap_or_else(|| panic!("a __Host- session cookie: {cookies:?}"));
    assert!(session.contains("; Secure") && session.contains("HttpOnly"));
    let value = session
        .split(';')
        .next()
        .and_then(|p| p.split_once('='))
        .map(|(_, v)| v.to_owned())
        .expect("a value");
    let me_url = format!("{base}/me");
    let me = |cookie: String| {
        let req = client.get(&me_url);
        async move {
            let res = req
                .header("cookie", cookie)
                .send()
                .await
                .expect("an answer");
            let no_store = no_store(res.headers());
            (res.status(), no_store)
        }
    };
    assert_eq!(
        me(format!("__Host-cohort_session={value}")).await,
        (StatusCode::OK, true)
    );
    // Without the prefix (as a subdomain or a plain-HTTP page could set
    // it), the cookie is not ours.
    let (status, _) = me(format!("cohort_session={value}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

// ---------------------------------------------------------------- every route

/// Every `.rs` file under `dir`, module directories (`osdi/`) included.
fn web_sources(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("the web sources") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            files.extend(web_sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// Every body a handler reads comes through an extractor that refuses
/// control characters (`ApiJson`, `CsrfForm`), and every path and query is
/// checked before routing; a handler taking axum's own `Json`/`Form` or a
/// raw body would skip the body check. Only the signed Stripe webhook reads
/// raw bytes.
#[test]
fn every_body_goes_through_a_checking_extractor() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/src");
    let mut offenders = Vec::new();
    for path in web_sources(&dir) {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_owned();
        let text = std::fs::read_to_string(&path).expect("a source file");
        for (i, line) in text.lines().enumerate() {
            let l = line.trim();
            let raw_body =
                l.contains(": Bytes,") && !(name == "payments.rs" && l == "body: Bytes,");
            let axum_body = l.contains("Json(") && l.contains(": Json<")
                || l.contains("Form(") && l.contains(": Form<")
                || l.contains("axum::Form")
                || l.contains("extract::Form");
            if raw_body || axum_body {
                offenders.push(format!("{name}:{}: {l}", i + 1));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "bodies read without the checks: {offenders:#?}"
    );
}

/// Every route the web crate declares (read from its sources, so a new one
/// is in here without anyone listing it), with a NUL in each of its path
/// parameters, is refused with 400 naming that parameter: under `/api`, under OSDI's
/// `/api/osdi/v1` or at the top, whichever the route lives at.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_refuses_a_nul_in_its_path() {
    let app = TestApp::sqlite().await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/src");
    let mut routes = Vec::new();
    for path in web_sources(&dir) {
        let text = std::fs::read_to_string(&path).expect("a file");
        let mut rest = text.as_str();
        while let Some(at) = rest.find(".route(") {
            rest = &rest[at + ".route(".len()..];
            // The path is a literal, so that this list is every route: a
            // path built at run time would be read as whatever string came
            // next (it was, once: the import pages' `format!`ed paths).
            let Some(literal) = rest.trim_start().strip_prefix('"') else {
                panic!(
                    "{}: a `.route(` whose path is not a string literal: {}",
                    path.display(),
                    rest.lines().next().unwrap_or("")
                );
            };
            let route = literal.split('"').next().unwrap_or("");
            if route.contains('{') {
                routes.push(route.to_owned());
            }
        }
    }
    assert!(routes.len() > 30, "the route list was found: {routes:?}");
    for route in routes {
        let params: Vec<&str> = route
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        // A catch-all `{*path}` is named `path` in the answer.
        let first = params[0].trim_start_matches('*');
        let path = route
            .split('/')
            .map(|s| if s.starts_with('{') { "a%00b" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let mut named = Vec::new();
        for prefix in ["", "/api", "/api/osdi/v1"] {
            for method in [Method::GET, Method::POST] {
                let res = app
                    .client
                    .request(method.clone(), app.url(&format!("{prefix}{path}")))
                    .send()
                    .await
                    .expect("an answer");
                assert_eq!(
                    res.status(),
                    StatusCode::BAD_REQUEST,
                    "{method} {prefix}{route}"
                );
                let body = res.text().await.expect("a body");
                if body.contains(&format!("{first} holds a control character")) {
                    named.push(format!("{method} {prefix}"));
                }
            }
        }
        assert!(!named.is_empty(), "{route}: no answer named `{first}`");
    }
}
