//! The web app over real HTTP on both backends: accounts by emailed link
//! (delivered over real SMTP to a server the test starts), passwords,
//! CSRF, sign-in rate limits, the pledge form, and a role × route matrix
//! proving no page or action leaks.

use cohort_testkit as common;

use cohort_store::Role;
use common::jar::{link_in, Browser};
use common::{candidate, seed, sign_as, TestApp, SLATE};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    sign_in_by_emailed_link_over_smtp,
    passwords_and_profile,
    forms_without_a_matching_csrf_token_change_nothing,
    sign_in_attempts_are_rate_limited,
    pledge_form_saves_once_and_emails_a_private_link,
    bad_pledge_forms_name_the_problem_and_write_nothing,
    role_route_matrix,
    supporters_stop_a_monthly_pledge_from_its_receipt,
    campaigns_sign_and_endorse_from_their_dashboard,
    unlock_notices_come_at_once_and_expiry_updates_wait_for_the_weekly_digest,
    partners_see_counts_for_their_own_link_only,
    organizers_build_a_slate_from_their_dashboard,
    organizers_edit_a_slate_and_pledges_keep_their_condition,
    campaigns_see_what_changed_since_the_version_they_last_saw,
    committee_records_are_checked_and_kept_per_candidate,
    the_conduit_operator_keeps_the_books,
);

/// Regression: a template edit once pasted whole sections into the organizer
/// page's `<title>`. Every page's title is a short line of text.
fn title_is_plain_text(path: &str, body: &str) {
    let title = body
        .split_once("<title>")
        .and_then(|(_, rest)| rest.split_once("</title>"))
        .map(|(t, _)| t)
        .unwrap_or_else(|| panic!("{path} has no <title>"));
    assert!(
        !title.contains('<')
            && !title.contains('\n')
            && title.len() < 120
            && title.contains("Cohort"),
        "{path} has a broken title: {title:?}"
    );
}

// ---------------------------------------------------------------- accounts

async fn sign_in_by_emailed_link_over_smtp(app: TestApp) {
    let mut b = Browser::new(&app);
    let me = b.get("/me").await;
    assert_eq!(me.status, StatusCode::SEE_OTHER);
    assert_eq!(me.location.as_deref(), Some("/sign-in?next=%2Fme"));

    b.sign_in("ana@example.org").await;
    let mail = app.mail.wait_for("ana@example.org", "sign-in link").await;
    assert!(
        mail.body.contains("/unsubscribe/"),
        "every email can be unsubscribed from: {}",
        mail.body
    );
    let me = b.get("/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert!(
        me.body.contains("Signed in as ana@example.org"),
        "{}",
        me.body
    );

    // The link works once.
    let link = link_in(&mail.body, "/sign-in/");
    let mut other = Browser::new(&app);
    other.get(&link).await;
    let again = other.post(&link, &[]).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED, "{}", again.body);
    assert!(
        again.body.contains("expired or was already used"),
        "{}",
        again.body
    );

    // Signing out ends the session for good.
    let session = b.cookies.get("cohort_session").cloned().expect("a session");
    let out = b.post("/sign-out", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(!b.cookies.contains_key("cohort_session"));
    b.cookies.insert("cohort_session".into(), session);
    assert_eq!(
        b.get("/me").await.status,
        StatusCode::SEE_OTHER,
        "the old cookie no longer works"
    );
}

async fn passwords_and_profile(app: TestApp) {
    let mut b = Browser::new(&app);
    b.sign_in("bo@example.org").await;
    let short = b.post("/me/password", &[("password", "short")]).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        short.body.contains("at least 10 characters"),
        "{}",
        short.body
    );
    let set = b
        .post("/me/password", &[("password", "correct horse battery")])
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    let prefs = b
        .post(
            "/me/profile",
            &[("name", "Bo Lindqvist"), ("email_prefs", "none")],
        )
        .await;
    assert_eq!(prefs.status, StatusCode::SEE_OTHER);
    let me = b.get("/me").await;
    assert!(me.body.contains("value=\"Bo Lindqvist\""), "{}", me.body);
    assert!(me.body.contains("value=\"none\" checked"), "{}", me.body);

    let mut fresh = Browser::new(&app);
    fresh.get("/sign-in").await;
    let wrong = fresh
        .post(
            "/sign-in",
            &[("email", "bo@example.org"), ("password", "wrong password!")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("don&#39;t match"), "{}", wrong.body);
    let right = fresh
        .post(
            "/sign-in",
            &[
                ("email", "bo@example.org"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(right.status, StatusCode::SEE_OTHER, "{}", right.body);
    assert_eq!(fresh.get("/me").await.status, StatusCode::OK);
}

async fn forms_without_a_matching_csrf_token_change_nothing(app: TestApp) {
    let mut b = Browser::new(&app);
    b.get("/sign-in").await;
    let forged = b
        .post_raw(
            "/sign-in/link",
            &[("csrf", "guessed"), ("email", "cy@example.org")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert!(forged.body.contains("reload the page"), "{}", forged.body);
    let mut stranger = Browser::new(&app);
    let no_cookie = stranger
        .post_raw(
            "/sign-in/link",
            &[("csrf", "x"), ("email", "cy@example.org")],
        )
        .await;
    assert_eq!(no_cookie.status, StatusCode::FORBIDDEN);
    assert!(
        app.engine
            .emails_to("cy@example.org")
            .await
            .expect("outbox")
            .is_empty(),
        "a refused form queues nothing"
    );
    // The cookie that carries the token is HttpOnly and SameSite=Strict.
    let res = app
        .client
        .get(app.url("/sign-in"))
        .send()
        .await
        .expect("an answer");
    let cookie = res
        .headers()
        .get("set-cookie")
        .expect("a CSRF cookie")
        .to_str()
        .unwrap_or("");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
}

async fn sign_in_attempts_are_rate_limited(app: TestApp) {
    let mut b = Browser::new(&app);
    b.get("/sign-in").await;
    for i in 0..5 {
        let p = b
            .post(
                "/sign-in",
                &[
                    ("email", "dee@example.org"),
                    ("password", "not the password"),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let limited = b
        .post(
            "/sign-in",
            &[
                ("email", "dee@example.org"),
                ("password", "not the password"),
            ],
        )
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        limited.body.contains("Too many sign-in attempts"),
        "{}",
        limited.body
    );
    // A link request is never refused (issue 14): a stranger's guesses
    // must not lock the owner out, and the answer is the same for everyone.
    let link = b
        .post("/sign-in/link", &[("email", "DEE@example.org")])
        .await;
    assert_eq!(link.status, StatusCode::OK, "{}", link.body);
}

// ---------------------------------------------------------------- the pledge form

fn pledge_fields<'a>(
    nonce: &'a str,
    condition: &'a str,
    amount: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("nonce", nonce),
        ("kind", "money"),
        ("amount", amount),
        ("recurring", "once"),
        ("condition", condition),
        ("deadline", ""),
        ("name", "Eve Marsh"),
        ("email", "eve@example.org"),
        ("zip", "10001"),
        ("employer", "River Co-op"),
        ("occupation", "Teacher"),
        ("attests", "yes"),
        ("ref", "sunrise"),
        ("action", "pledge"),
    ]
}

async fn pledge_form_saves_once_and_emails_a_private_link(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let mut b = Browser::new(&app);
    let form = b.get(&format!("/slates/{SLATE}/pledge?ref=sunrise")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("value=\"sunrise\""),
        "partner attribution from ?ref="
    );
    // The three statements of FEC AO 2019-01, for the slate's condition and the default date.
    for statement in [
        "Your contribution will be charged and forwarded only if this happens: at least 2",
        "is not in Cohort&#39;s control.",
        "It must happen by November 7, 2028.",
        "If it has not happened by November 7, 2028, nothing is charged",
    ] {
        assert!(form.body.contains(statement), "{statement}: {}", form.body);
    }
    let sent = b
        .post(
            &format!("/slates/{SLATE}/pledge"),
            &pledge_fields("n-1", "", "$120"),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let to = sent.location.expect("a redirect to the pledge");
    assert!(
        to.starts_with("/pledges/") && to.contains("token=") && to.ends_with("&new=1"),
        "{to}"
    );
    // A double submit (same form, same nonce) is the same pledge.
    let again = b
        .post(
            &format!("/slates/{SLATE}/pledge"),
            &pledge_fields("n-1", "", "$120"),
        )
        .await;
    assert_eq!(again.location.as_deref(), Some(to.as_str()));
    let (_, slate) = app.get(&format!("/api/slates/{SLATE}")).await;
    assert_eq!(slate["pot"]["pending_cents"], 12_000, "saved once: {slate}");

    let page = b.get(&to).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("$120 to"), "{}", page.body);
    assert!(page.body.contains("your pledge is saved"), "{}", page.body);
    let receipt = app
        .mail
        .wait_for("eve@example.org", "Your pledge to River Caucus")
        .await;
    assert!(
        receipt.body.contains("Thank you. Your pledge #"),
        "{}",
        receipt.body
    );
    for statement in [
        "Your pledge is charged and forwarded only if this happens: at least 2",
        "is not in Cohort's control.",
        "It must happen by November 7, 2028.",
        "If it has not happened by November 7, 2028, you will not be charged anything",
    ] {
        assert!(
            receipt.body.contains(statement),
            "{statement}: {}",
            receipt.body
        );
    }
    let private = link_in(&receipt.body, "/pledges/");
    assert_eq!(
        private,
        to.trim_end_matches("&new=1"),
        "the email carries the private link"
    );

    // The supporter cancels from the private page.
    let (id, token) = id_and_token(&to);
    let cancel = b
        .post(&format!("/pledges/{id}/cancel"), &[("token", &token)])
        .await;
    assert_eq!(cancel.status, StatusCode::SEE_OTHER, "{}", cancel.body);
    let (_, slate) = app.get(&format!("/api/slates/{SLATE}")).await;
    assert_eq!(slate["pot"]["pending_cents"], 0, "{slate}");
}

/// The id and receipt token in a private pledge link `/pledges/{id}?token=…`.
fn id_and_token(link: &str) -> (String, String) {
    let id = link
        .trim_start_matches("/pledges/")
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();
    let token = link
        .split("token=")
        .nth(1)
        .unwrap_or("")
        .split('&')
        .next()
        .unwrap_or("")
        .to_owned();
    (id, token)
}

/// A supporter stops their monthly pledge from its receipt page, without
/// JavaScript; a one-time pledge that unlocked is refused, saying why.
async fn supporters_stop_a_monthly_pledge_from_its_receipt(app: TestApp) {
    let version = seed(&app, "signers >= 1").await;
    let mut b = Browser::new(&app);
    let form = format!("/slates/{SLATE}/pledge");
    b.get(&form).await;
    let mut monthly = pledge_fields("n-monthly", "", "$25");
    monthly.retain(|(k, _)| *k != "recurring");
    monthly.push(("recurring", "monthly"));
    let sent = b.post(&form, &monthly).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = sent.location.expect("a redirect").replace("&new=1", "");
    let (id, token) = id_and_token(&page);
    let sent = b.post(&form, &pledge_fields("n-once", "", "$40")).await;
    let once = sent.location.expect("a redirect").replace("&new=1", "");
    let (once_id, once_token) = id_and_token(&once);
    let locked = b.get(&page).await;
    assert_eq!(locked.status, StatusCode::OK);
    assert!(
        !locked.body.contains("Stop this monthly pledge"),
        "nothing to stop while locked: {}",
        locked.body
    );

    assert_eq!(sign_as(&app, "ada-reyes", version).await["unlocked"], 2);
    let unlocked = b.get(&page).await;
    assert!(
        unlocked
            .body
            .contains(&format!("action=\"/pledges/{id}/stop\"")),
        "an unlocked monthly pledge offers the stop form: {}",
        unlocked.body
    );
    assert!(unlocked
        .body
        .contains("The months already given stay with the candidates"));
    let once_page = b.get(&once).await;
    assert!(!once_page.body.contains("Stop this monthly pledge"));
    // Signed in, the supporter's dashboard offers the same stop.
    let mut me = Browser::new(&app);
    me.sign_in("eve@example.org").await;
    let dashboard = me.get("/me").await;
    assert!(
        dashboard
            .body
            .contains(&format!("Stop monthly pledge #{id}")),
        "{}",
        dashboard.body
    );
    assert!(!dashboard
        .body
        .contains(&format!("Stop monthly pledge #{once_id}")));

    let refused = b
        .post(
            &format!("/pledges/{once_id}/stop"),
            &[("token", &once_token)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(
        refused.body.contains("already allocated"),
        "{}",
        refused.body
    );
    let wrong = b
        .post(&format!("/pledges/{id}/stop"), &[("token", &once_token)])
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::NOT_FOUND,
        "another pledge's token stops nothing"
    );

    let expected = format!("/pledges/{id}?token={token}&notice=stopped");
    for _ in 0..2 {
        let stop = b
            .post(&format!("/pledges/{id}/stop"), &[("token", &token)])
            .await;
        assert_eq!(stop.status, StatusCode::SEE_OTHER, "{}", stop.body);
        assert_eq!(
            stop.location.as_deref(),
            Some(expected.as_str()),
            "a stop is idempotent"
        );
    }
    let stopped = b.get(&expected).await;
    assert_eq!(stopped.status, StatusCode::OK);
    assert!(
        stopped.body.contains("Your monthly pledge is stopped"),
        "{}",
        stopped.body
    );
    assert!(stopped
        .body
        .contains("Stopped: no new month is split or charged"));
    assert!(
        !stopped.body.contains("action=\"/pledges/"),
        "nothing left to stop or cancel"
    );
    let (_, view) = app.get(&format!("/api/pledges/{id}?token={token}")).await;
    assert_eq!(view["status"], "stopped", "{view}");
    let dashboard = me.get("/me").await;
    assert!(
        !dashboard.body.contains("Stop monthly pledge")
            && dashboard.body.contains("Stopped: no new month"),
        "{}",
        dashboard.body
    );
    let mail = app.mail.wait_for("eve@example.org", "is stopped").await;
    assert!(
        mail.body.contains("No new month will be split or charged"),
        "{}",
        mail.body
    );
    let (_, view) = app
        .get(&format!("/api/pledges/{once_id}?token={once_token}"))
        .await;
    assert_eq!(view["status"], "unlocked");
}

async fn bad_pledge_forms_name_the_problem_and_write_nothing(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let mut b = Browser::new(&app);
    b.get(&format!("/slates/{SLATE}/pledge")).await;
    let path = format!("/slates/{SLATE}/pledge");
    let cases: [(&str, &str, &str); 3] = [
        (
            "signers >=",
            "$10",
            "expected a number after &#39;&gt;=&#39; at column 11",
        ),
        ("", "ten dollars", "Amount: an amount must be written like"),
        ("", "$0", "Amount: an amount must be more than zero"),
    ];
    for (condition, amount, expected) in cases {
        let p = b
            .post(&path, &pledge_fields("n-bad", condition, amount))
            .await;
        assert_eq!(
            p.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{condition:?} {amount:?}"
        );
        assert!(p.body.contains(expected), "{expected} in {}", p.body);
        assert!(
            p.body.contains("value=\"Eve Marsh\""),
            "what was typed is kept"
        );
    }
    let mut unattested = pledge_fields("n-att", "", "$10");
    unattested.retain(|(k, _)| *k != "attests");
    let p = b.post(&path, &unattested).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("Eligibility"), "{}", p.body);
    // Preview shows the condition in English without saving anything.
    let mut preview = pledge_fields("n-p", "mutual", "$100");
    preview.retain(|(k, _)| *k != "action");
    preview.push(("action", "preview"));
    let p = b.post(&path, &preview).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.body.contains("every signer endorses every other signer"),
        "{}",
        p.body
    );
    let (_, slate) = app.get(&format!("/api/slates/{SLATE}")).await;
    assert_eq!(slate["pot"]["pending_cents"], 0, "{slate}");
    assert!(app
        .engine
        .emails_to("eve@example.org")
        .await
        .expect("outbox")
        .is_empty());
}

// ---------------------------------------------------------------- roles

/// Every page and action, every role: the status each must get.
async fn role_route_matrix(app: TestApp) {
    seed(&app, "signers >= 1").await;
    let (status, body) = app
        .organize(
            "/api/slates",
            json!({"slug": "other-slate", "name": "Other", "cycle": 2028, "description": "", "condition": "signers >= 1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app
        .organize(
            "/api/slates/other-slate/candidates",
            candidate(
                "zed",
                "<script>alert(1)</script>",
                "us_house",
                "TX",
                Some("7"),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let e = &app.engine;
    e.grant("org@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("grant");
    e.grant(
        "other-org@example.org",
        Role::Organizer,
        Some("other-slate"),
        None,
    )
    .await
    .expect("grant");
    e.grant(
        "ada@example.org",
        Role::Candidate,
        Some(SLATE),
        Some("ada-reyes"),
    )
    .await
    .expect("grant");
    e.grant(
        "ben@example.org",
        Role::Candidate,
        Some(SLATE),
        Some("ben-okafor"),
    )
    .await
    .expect("grant");

    // A pledge that unlocks once Ada signs, from a supporter with an account.
    let mut pledger = Browser::new(&app);
    pledger.get(&format!("/slates/{SLATE}/pledge")).await;
    let mut fields = pledge_fields("n-m", "signed(\"ada-reyes\")", "$90");
    fields.retain(|(k, _)| *k != "email");
    fields.push(("email", "sup@example.org"));
    let p = pledger
        .post(&format!("/slates/{SLATE}/pledge"), &fields)
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);

    let mut browsers: Vec<(&str, Browser)> = Vec::new();
    browsers.push(("public", Browser::new(&app)));
    for (role, email) in [
        ("supporter", "sup@example.org"),
        ("ada", "ada@example.org"),
        ("ben", "ben@example.org"),
        ("organizer", "org@example.org"),
        ("other-org", "other-org@example.org"),
    ] {
        let mut b = Browser::new(&app);
        b.sign_in(email).await;
        browsers.push((role, b));
    }

    use StatusCode as S;
    const SEE: S = S::SEE_OTHER;
    let s = SLATE;
    // (path, [public, supporter, ada, ben, organizer, other-org])
    // The transparency log is public to everyone, once sequenced.
    let (skey, _) = cohort_tlog::key_from_seed("cohort.test/log", [5; 32]).expect("key");
    let signer = cohort_tlog::CheckpointSigner::new(&skey).expect("signer");
    let n = app
        .engine
        .sequence_log_all(&signer)
        .await
        .expect("sequence");
    assert!(n > 1 && n < 256, "{n}");
    let gets: Vec<(String, [S; 6])> = vec![
        ("/".into(), [S::OK; 6]),
        (
            format!("/unsubscribe/one-click/1.{}", "ab".repeat(32)),
            [S::OK; 6],
        ),
        ("/log/checkpoint".into(), [S::OK; 6]),
        (format!("/log/tile/entries/000.p/{n}"), [S::OK; 6]),
        (format!("/log/tile/0/000.p/{n}"), [S::OK; 6]),
        ("/log/tile/0/000".into(), [S::NOT_FOUND; 6]),
        ("/log/leaves/0".into(), [S::OK; 6]),
        ("/log/proof/inclusion?index=0".into(), [S::OK; 6]),
        ("/log/proof/consistency?from=1".into(), [S::OK; 6]),
        (format!("/slates/{s}"), [S::OK; 6]),
        (format!("/slates/{s}/pledge"), [S::OK; 6]),
        // the scorecard (issue 15) is public
        (format!("/slates/{s}/scorecard"), [S::OK; 6]),
        ("/me".into(), [SEE, S::OK, S::OK, S::OK, S::OK, S::OK]),
        (
            format!("/slates/{s}/campaign"),
            [SEE, S::FORBIDDEN, S::OK, S::OK, S::FORBIDDEN, S::FORBIDDEN],
        ),
        (
            format!("/slates/{s}/organize"),
            [
                SEE,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::OK,
                S::FORBIDDEN,
            ],
        ),
        (
            format!("/slates/{s}/committees"),
            [SEE, S::FORBIDDEN, S::OK, S::OK, S::OK, S::FORBIDDEN],
        ),
        // The organizer's sections (issue 16, defect 9).
        (
            format!("/slates/{s}/organize/candidates"),
            [
                SEE,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::OK,
                S::FORBIDDEN,
            ],
        ),
        (
            format!("/slates/{s}/organize/compact"),
            [
                SEE,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::OK,
                S::FORBIDDEN,
            ],
        ),
        (
            format!("/slates/{s}/organize/partners"),
            [
                SEE,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::OK,
                S::FORBIDDEN,
            ],
        ),
        (
            format!("/slates/{s}/organize/exports"),
            [
                SEE,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::OK,
                S::FORBIDDEN,
            ],
        ),
        (
            format!("/slates/{s}/organize/primaries"),
            [
                SEE,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::OK,
                S::FORBIDDEN,
            ],
        ),
        (
            format!("/slates/{s}/organize/edit"),
            [
                SEE,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::OK,
                S::FORBIDDEN,
            ],
        ),
        (
            format!("/slates/{s}/people/import"),
            [
                SEE,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::OK,
                S::FORBIDDEN,
            ],
        ),
        (
            format!("/slates/{s}/pledges/import"),
            [
                SEE,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::OK,
                S::FORBIDDEN,
            ],
        ),
        (
            format!("/slates/{s}/exports/allocations.csv"),
            [
                S::UNAUTHORIZED,
                S::FORBIDDEN,
                S::OK,
                S::OK,
                S::OK,
                S::FORBIDDEN,
            ],
        ),
        (
            format!("/slates/{s}/exports/pledges.csv"),
            [
                S::UNAUTHORIZED,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::OK,
                S::FORBIDDEN,
            ],
        ),
        // The books (issue 6) are the conduit operator's: an organizer of
        // every slate, which none of these is (web::the_conduit_operator_keeps_the_books
        // and payments::collected_money_is_booked_forwarded_and_reported cover the operator).
        (
            "/books".into(),
            [
                SEE,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
            ],
        ),
        (
            "/books/report?committee=conduit&from=2026-01-01&through=2026-12-31&format=fec".into(),
            [
                S::UNAUTHORIZED,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
            ],
        ),
        (
            "/books/batches/B20261124-1.csv".into(),
            [
                S::UNAUTHORIZED,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
            ],
        ),
        (
            "/pledges/1/donor?token=not-the-receipt".into(),
            [S::NOT_FOUND; 6],
        ),
        (
            "/pledges/1/general?token=not-the-receipt".into(),
            [S::NOT_FOUND; 6],
        ),
        (
            "/books/general-choices.csv?committee=C00100001".into(),
            [
                S::UNAUTHORIZED,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
            ],
        ),
        // Volunteer teams (issue 5): status public, needs for organizers and campaigns.
        (format!("/slates/{s}/teams"), [S::OK; 6]),
        (
            "/me/volunteer".into(),
            [SEE, S::OK, S::OK, S::OK, S::OK, S::OK],
        ),
        (
            format!("/slates/{s}/teams/needs"),
            [SEE, S::FORBIDDEN, S::OK, S::OK, S::OK, S::FORBIDDEN],
        ),
        (
            format!("/slates/{s}/teams/match"),
            [
                SEE,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::OK,
                S::FORBIDDEN,
            ],
        ),
        (
            format!("/slates/{s}/teams/toolkits"),
            [
                SEE,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::OK,
                S::FORBIDDEN,
            ],
        ),
        (format!("/slates/{s}/conversation/results"), [S::OK; 6]),
        // Open to visitors: they vote anonymously (issue 16).
        (format!("/slates/{s}/conversation"), [S::OK; 6]),
        (
            format!("/slates/{s}/conversation/moderate"),
            [
                SEE,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::OK,
                S::FORBIDDEN,
            ],
        ),
        // The coalition pages (issue 16): public, without pledgers' names.
        (format!("/slates/{s}/candidates/ada-reyes"), [S::OK; 6]),
        (format!("/slates/{s}/log"), [S::OK; 6]),
        (format!("/slates/{s}/joint-events"), [S::OK; 6]),
        // A candidate's profile: their own campaign and the organizers.
        (
            format!("/slates/{s}/candidates/ada-reyes/profile"),
            [SEE, S::FORBIDDEN, S::OK, S::FORBIDDEN, S::OK, S::FORBIDDEN],
        ),
        // Supporter lists (issue 19): the slate's organizers only.
        (
            format!("/slates/{s}/people/import"),
            [
                SEE,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::OK,
                S::FORBIDDEN,
            ],
        ),
        // (a link on the organizer's page: signed out, it asks you to sign in)
        (
            format!("/slates/{s}/people.csv"),
            [
                SEE,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::OK,
                S::FORBIDDEN,
            ],
        ),
        // Governing (issue 17): public pages.
        (format!("/slates/{s}/cohesion"), [S::OK; 6]),
        (format!("/slates/{s}/targets"), [S::OK; 6]),
        // The payment page takes the pledge's receipt token, not a role: without it, nobody.
        ("/pledges/1/payment".into(), [S::NOT_FOUND; 6]),
        (
            "/slates/other-slate/organize".into(),
            [
                SEE,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::OK,
            ],
        ),
    ];
    for (path, expected) in &gets {
        for ((role, b), want) in browsers.iter_mut().zip(expected) {
            let got = b.get(path).await;
            assert_eq!(got.status, *want, "GET {path} as {role}: {}", got.body);
            if got.status == S::OK && !path.ends_with(".csv") && !path.starts_with("/log/") {
                title_is_plain_text(path, &got.body);
            }
            if path.starts_with(&format!("/slates/{s}"))
                && !path.contains("export")
                // (the pledge form fills in a signed-in supporter's own email)
                && !["organizer", "supporter"].contains(role)
            {
                assert!(
                    !got.body.contains("sup@example.org"),
                    "GET {path} as {role} shows a pledger's email"
                );
                assert!(
                    !got.body.contains("Eve Marsh"),
                    "GET {path} as {role} shows a pledger's name"
                );
            }
        }
    }
    // Actions: only Ada's own account may sign for Ada; only organizers invite.
    let compact = app.get(&format!("/api/slates/{s}")).await.1["compact"].clone();
    let version = compact["version"].to_string();
    let hash = compact["hash"].as_str().unwrap_or("").to_owned();
    let sign = [
        ("action", "sign"),
        ("candidate", "ada-reyes"),
        ("version", version.as_str()),
        ("hash", hash.as_str()),
    ];
    let invite = [("email", "new@example.org"), ("role", "organizer")];
    let profile = [("bio", "Teacher, organizer, neighbor."), ("photo_url", "")];
    let check_edit = [
        ("name", "River Caucus"),
        ("condition", "signers >= 9"),
        ("action", "check"),
    ];
    let skill = [
        ("slug", "spanish-outreach"),
        ("label", "Spanish outreach"),
        ("person", "Spanish-language organizer"),
    ];
    // The conversation: one seeded statement to vote on, one waiting for review.
    let org_token = cohort_engine::Actor::Organizer { slate: None };
    let stmt = e
        .seed_statement(&org_token, s, "Clean water first")
        .await
        .expect("seed")
        .id
        .to_string();
    let sup_actor = e
        .session(
            browsers[1]
                .1
                .cookies
                .get("cohort_session")
                .expect("a session"),
        )
        .await
        .expect("actor");
    let held = e
        .add_statement(&sup_actor, s, "Free buses")
        .await
        .expect("add")
        .id
        .to_string();
    let vote = [("statement", stmt.as_str()), ("vote", "agree")];
    let seed_form = [("statement", "Another seeded statement")];
    let reject = [("statement", held.as_str()), ("decision", "reject")];
    let conduit = [
        ("name", "Cohort PAC"),
        ("fec_committee_id", "C00900001"),
        ("fec_candidate_id", ""),
        ("treasurer_first", "Trea"),
        ("treasurer_last", "Surer"),
        ("street1", "1 Conduit Way"),
        ("street2", ""),
        ("city", "Washington"),
        ("state", "DC"),
        ("zip", "20001"),
    ];
    // RFC 8058's one-click unsubscribe: no session or CSRF needed, and the
    // same for every role; a forged token unsubscribes nobody.
    let one_click = [("List-Unsubscribe", "One-Click")];
    let forged_one_click = format!("/unsubscribe/one-click/1.{}", "ab".repeat(32));
    type Form<'a> = &'a [(&'a str, &'a str)];
    let posts: Vec<(String, Form, [S; 6])> = vec![
        (forged_one_click.clone(), &one_click, [S::NOT_FOUND; 6]),
        (
            // A dry run of pledges made offline: the organizer sees the preview.
            format!("/slates/{s}/pledges/import/preview"),
            &[("csv", "email,name,amount,attests\nx@example.org,X,5,yes\n")],
            [
                S::UNAUTHORIZED,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::OK,
                S::FORBIDDEN,
            ],
        ),
        (
            format!("/slates/{s}/organize/edit"),
            &check_edit,
            [
                S::UNAUTHORIZED,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::OK,
                S::FORBIDDEN,
            ],
        ),
        (
            "/pledges/1/payment/retry".into(),
            &[("token", "not-the-receipt")],
            [S::NOT_FOUND; 6],
        ),
        // Stopping a monthly pledge takes its receipt token too, not a role.
        (
            "/pledges/1/stop".into(),
            &[("token", "not-the-receipt")],
            [S::NOT_FOUND; 6],
        ),
        (
            "/pledges/1/donor".into(),
            &[("token", "not-the-receipt"), ("employer", "Mill")],
            [S::NOT_FOUND; 6],
        ),
        (
            "/pledges/1/general".into(),
            &[
                ("token", "not-the-receipt"),
                ("receipt", "P1-0"),
                ("choice", "refund"),
            ],
            [S::NOT_FOUND; 6],
        ),
        (
            // The organizer may record it; the primary (2028) has not happened, which the page says.
            format!("/slates/{s}/organize/primary-loss"),
            &[("candidate", "ada-reyes"), ("confirm", "yes")],
            [
                S::UNAUTHORIZED,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::UNPROCESSABLE_ENTITY,
                S::FORBIDDEN,
            ],
        ),
        (
            "/books/forward".into(),
            &[("committee", "C00100001")],
            [
                S::UNAUTHORIZED,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
            ],
        ),
        (
            "/books/conduit".into(),
            &conduit,
            [
                S::UNAUTHORIZED,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
            ],
        ),
        (
            format!("/slates/{s}/organize/invite"),
            &invite,
            [
                S::UNAUTHORIZED,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                SEE,
                S::FORBIDDEN,
            ],
        ),
        (
            format!("/slates/{s}/candidates/ada-reyes/profile"),
            &profile,
            [
                S::UNAUTHORIZED,
                S::FORBIDDEN,
                SEE,
                S::FORBIDDEN,
                SEE,
                S::FORBIDDEN,
            ],
        ),
        (
            format!("/slates/{s}/teams/skills"),
            &skill,
            [
                S::UNAUTHORIZED,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                SEE,
                S::FORBIDDEN,
            ],
        ),
        (format!("/slates/{s}/conversation/vote"), &vote, [SEE; 6]),
        (
            format!("/slates/{s}/conversation/seed"),
            &seed_form,
            [
                S::UNAUTHORIZED,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                SEE,
                S::FORBIDDEN,
            ],
        ),
        (
            format!("/slates/{s}/conversation/moderate"),
            &reject,
            [
                S::UNAUTHORIZED,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                SEE,
                S::FORBIDDEN,
            ],
        ),
        (
            format!("/slates/{s}/campaign"),
            &sign,
            [
                S::UNAUTHORIZED,
                S::FORBIDDEN,
                SEE,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
            ],
        ),
    ];
    for (path, form, expected) in &posts {
        // Ada goes last so that her signature (which unlocks the pledge) is the only one.
        let mut order: Vec<usize> = vec![0, 1, 3, 4, 5, 2];
        if path.ends_with("invite") || path.ends_with("skills") {
            order = (0..6).collect();
        }
        for i in order {
            let (role, b) = &mut browsers[i];
            b.get("/").await;
            let got = b.post(path, form).await;
            assert_eq!(
                got.status, expected[i],
                "POST {path} as {role}: {}",
                got.body
            );
        }
    }
    // After the unlock: Ada's export holds only Ada's contributors; Ben's only his.
    let ada_csv = browsers[2]
        .1
        .get(&format!("/slates/{s}/exports/allocations.csv"))
        .await
        .body;
    assert!(
        ada_csv.contains("ada-reyes") && ada_csv.contains("sup@example.org"),
        "{ada_csv}"
    );
    assert!(!ada_csv.contains("ben-okafor"), "{ada_csv}");
    let ben_csv = browsers[3]
        .1
        .get(&format!("/slates/{s}/exports/allocations.csv"))
        .await
        .body;
    assert_eq!(
        ben_csv.lines().count(),
        1,
        "Ben got nothing, sees nobody: {ben_csv}"
    );
    let supporter = browsers[1].1.get("/me").await.body;
    assert!(
        supporter.contains("$90 to Ada Reyes"),
        "the supporter sees what it became: {supporter}"
    );
    // A candidate named like a script is just a name, everywhere.
    let other = browsers[5].1.get("/slates/other-slate/organize").await.body;
    assert!(
        other.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !other.contains("<script>alert"),
        "{other}"
    );
}

async fn campaigns_sign_and_endorse_from_their_dashboard(app: TestApp) {
    seed(&app, "signers >= 2 and mutual").await;
    let e = &app.engine;
    e.grant("org@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("grant");
    // The organizer invites Ada's campaign through the dashboard; Ada accepts by email.
    let mut org = Browser::new(&app);
    org.sign_in("org@example.org").await;
    org.get(&format!("/slates/{SLATE}/organize")).await;
    let sent = org
        .post(
            &format!("/slates/{SLATE}/organize/invite"),
            &[
                ("email", "ada@example.org"),
                ("role", "candidate:ada-reyes"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let invitation = app.mail.wait_for("ada@example.org", "Invitation").await;
    let link = link_in(&invitation.body, "/invites/");
    let mut ada = Browser::new(&app);
    let page = ada.get(&link).await;
    assert!(
        page.body.contains("campaign account of Ada Reyes"),
        "{}",
        page.body
    );
    let accepted = ada.post(&link, &[]).await;
    assert_eq!(
        accepted.location.as_deref(),
        Some(format!("/slates/{SLATE}/campaign").as_str())
    );
    let dash = ada.get(&format!("/slates/{SLATE}/campaign")).await;
    assert_eq!(dash.status, StatusCode::OK, "{}", dash.body);
    assert!(
        dash.body.contains("Sign version 1 for Ada Reyes"),
        "{}",
        dash.body
    );
    e.grant(
        "ben@example.org",
        Role::Candidate,
        Some(SLATE),
        Some("ben-okafor"),
    )
    .await
    .expect("grant");
    let mut ben = Browser::new(&app);
    ben.sign_in("ben@example.org").await;

    let path = format!("/slates/{SLATE}/campaign");
    let stale = ada
        .post(
            &path,
            &[
                ("action", "sign"),
                ("candidate", "ada-reyes"),
                ("version", "7"),
                ("hash", "0"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        stale.body.contains("there is no version 7"),
        "{}",
        stale.body
    );
    let hash = app.get(&format!("/api/slates/{SLATE}")).await.1["compact"]["hash"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    for (b, me, other) in [
        (&mut ada, "ada-reyes", "ben-okafor"),
        (&mut ben, "ben-okafor", "ada-reyes"),
    ] {
        b.get(&path).await;
        let signed = b
            .post(
                &path,
                &[
                    ("action", "sign"),
                    ("candidate", me),
                    ("version", "1"),
                    ("hash", hash.as_str()),
                ],
            )
            .await;
        assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
        let endorsed = b
            .post(
                &path,
                &[("action", "endorse"), ("candidate", me), ("to", other)],
            )
            .await;
        assert_eq!(endorsed.status, StatusCode::SEE_OTHER, "{}", endorsed.body);
    }
    let (_, slate) = app.get(&format!("/api/slates/{SLATE}")).await;
    assert_eq!(slate["signers"], 2);
    assert_eq!(slate["mutual"], true, "{slate}");
    let dash = ada
        .get(&format!("/slates/{SLATE}/campaign?notice=signed"))
        .await;
    assert!(
        dash.body.contains("You signed this version"),
        "{}",
        dash.body
    );
    assert!(
        dash.body.contains("Withdraw endorsement of Ben Okafor"),
        "{}",
        dash.body
    );
    // Ada can't act for Ben.
    let forged = ada
        .post(
            &path,
            &[("action", "withdraw"), ("candidate", "ben-okafor")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

async fn organizers_edit_a_slate_and_pledges_keep_their_condition(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let e = &app.engine;
    e.grant("org@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("grant");
    e.grant(
        "other@example.org",
        Role::Candidate,
        Some(SLATE),
        Some("ada-reyes"),
    )
    .await
    .expect("grant");
    let pledge = |who: &str| {
        json!({"kind": "money", "amount_cents": 5_000, "recurring": "once",
            "donor": {"email": who, "name": "Fay", "attests_eligible": true}})
    };
    let (status, before) = app
        .call(
            reqwest::Method::POST,
            &format!("/api/slates/{SLATE}/pledges"),
            None,
            Some(&pledge("early@example.org")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{before}");
    let edit = format!("/slates/{SLATE}/organize/edit");
    let fields = |name: &'static str, condition: &'static str, action: &'static str| {
        vec![
            ("name", name),
            ("description", "Now with a lake"),
            ("condition", condition),
            ("action", action),
        ]
    };

    let mut stranger = Browser::new(&app);
    stranger.sign_in("other@example.org").await;
    assert_eq!(stranger.get(&edit).await.status, StatusCode::FORBIDDEN);
    let refused = stranger
        .post(&edit, &fields("Hijacked", "signers >= 1", "save"))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let mut org = Browser::new(&app);
    org.sign_in("org@example.org").await;
    let form = org.get(&edit).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body.contains("value=\"signers &gt;= 2\""),
        "{}",
        form.body
    );
    let bad = org
        .post(&edit, &fields("River Caucus", "signers >=", "save"))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body
            .contains("Condition: expected a number after &#39;&gt;=&#39; at column 11"),
        "{}",
        bad.body
    );
    let (_, unchanged) = app.get(&format!("/api/slates/{SLATE}")).await;
    assert_eq!(
        unchanged["name"], "River Caucus",
        "a refused edit writes nothing"
    );

    let saved = org
        .post(
            &edit,
            &fields("River & Lake Caucus", "signers >= 3 and mutual", "save"),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (_, slate) = app.get(&format!("/api/slates/{SLATE}")).await;
    assert_eq!(slate["name"], "River & Lake Caucus");
    assert_eq!(slate["description"], "Now with a lake");
    assert_eq!(slate["condition"], "signers >= 3 and mutual");
    assert_eq!(slate["slug"], SLATE, "the address never changes");

    // The pledge made before the edit keeps the condition its supporter saw;
    // a pledge made after it takes the new one.
    let (status, after) = app
        .call(
            reqwest::Method::POST,
            &format!("/api/slates/{SLATE}/pledges"),
            None,
            Some(&pledge("late@example.org")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{after}");
    let condition_of = |answer: &serde_json::Value| answer["condition"].clone();
    assert_eq!(condition_of(&before), "signers >= 2", "{before}");
    assert_eq!(condition_of(&after), "signers >= 3 and mutual", "{after}");
    let page = org.get(&format!("/slates/{SLATE}")).await;
    assert!(
        page.body.contains("River &amp; Lake Caucus"),
        "{}",
        page.body
    );
}

async fn campaigns_see_what_changed_since_the_version_they_last_saw(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let e = &app.engine;
    e.grant(
        "ada@example.org",
        Role::Candidate,
        Some(SLATE),
        Some("ada-reyes"),
    )
    .await
    .expect("grant");
    let path = format!("/slates/{SLATE}/campaign");
    let mut ada = Browser::new(&app);
    ada.sign_in("ada@example.org").await;
    let first = ada.get(&path).await;
    assert!(!first.body.contains("What changed"), "{}", first.body);

    let republish = |planks: serde_json::Value| {
        let app = &app;
        async move {
            let (status, body) = app
                .organize(
                    &format!("/api/slates/{SLATE}/compact"),
                    json!({"commitments": ["Cross-endorse every other signer"], "planks": planks}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
    };
    republish(json!([{"title": "Clean water", "why": "Every town drinks from it."}])).await;
    let second = ada.get(&path).await;
    assert!(
        second.body.contains("What changed since version 1"),
        "{}",
        second.body
    );
    assert!(
        second
            .body
            .contains("Removed: Commitment: Vote as a bloc on the platform"),
        "{}",
        second.body
    );
    // A reload keeps showing the changes.
    let reload = ada.get(&path).await;
    assert!(
        reload.body.contains("What changed since version 1"),
        "{}",
        reload.body
    );

    republish(json!([
        {"title": "Clean water", "why": "Every town drinks from it."},
        {"title": "Rail", "why": "Towns need the trains back."}
    ]))
    .await;
    let third = ada.get(&path).await;
    assert!(
        third.body.contains("What changed since version 2"),
        "version 2 is the one Ada last saw: {}",
        third.body
    );
    assert!(
        third
            .body
            .contains("Added: Plank: Rail — Towns need the trains back."),
        "{}",
        third.body
    );
    assert!(
        !third.body.contains("Vote as a bloc"),
        "changes before the last version seen are not repeated: {}",
        third.body
    );
}

async fn the_conduit_operator_keeps_the_books(app: TestApp) {
    seed(&app, "signers >= 1").await;
    app.engine
        .grant("treasurer@example.org", Role::Organizer, None, None)
        .await
        .expect("grant");
    let mut t = Browser::new(&app);
    t.sign_in("treasurer@example.org").await;
    let page = t.get("/books").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Not recorded yet"), "{}", page.body);
    assert!(
        page.body.contains("Nothing is held for any committee."),
        "{}",
        page.body
    );
    let form = |id: &'static str| {
        vec![
            ("name", "Cohort PAC"),
            ("fec_committee_id", id),
            ("fec_candidate_id", ""),
            ("treasurer_first", "Trea"),
            ("treasurer_last", "Surer"),
            ("street1", "1 Conduit Way"),
            ("street2", ""),
            ("city", "Washington"),
            ("state", "dc"),
            ("zip", "20001"),
        ]
    };
    let bad = t.post("/books/conduit", &form("C9")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("FEC committee id"), "{}", bad.body);
    assert!(
        bad.body.contains("value=\"C9\""),
        "what was typed stays: {}",
        bad.body
    );
    assert!(
        t.get("/books").await.body.contains("Not recorded yet"),
        "nothing written"
    );
    let ok = t.post("/books/conduit", &form("C00900001")).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = t.get("/books?saved=conduit").await;
    assert!(page.body.contains("record is saved"), "{}", page.body);
    assert!(
        page.body.contains("value=\"C00900001\"") && page.body.contains("value=\"DC\""),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Not recorded yet"), "{}", page.body);
    // Nothing is payable: the refusal is shown on the page, nothing recorded.
    let none = t
        .post("/books/forward", &[("committee", "C00900001")])
        .await;
    assert_eq!(
        none.status,
        StatusCode::NOT_FOUND,
        "no such recipient: {}",
        none.body
    );
    let (status, books) = app
        .call(
            reqwest::Method::GET,
            "/api/books",
            Some(&app.organizer),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{books}");
    assert_eq!(books["batches"], json!([]), "{books}");
    assert_eq!(books["conduit"]["name"], "Cohort PAC", "{books}");
}

async fn committee_records_are_checked_and_kept_per_candidate(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let e = &app.engine;
    e.grant("org@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("grant");
    e.grant(
        "ada@example.org",
        Role::Candidate,
        Some(SLATE),
        Some("ada-reyes"),
    )
    .await
    .expect("grant");
    let page = format!("/slates/{SLATE}/committees");
    let ada_form = |committee_id: &'static str| {
        vec![
            ("name", "Ada Reyes for Congress"),
            ("fec_committee_id", committee_id),
            ("fec_candidate_id", "H8NY10123"),
            ("treasurer_first", "Tess"),
            ("treasurer_last", "Urer"),
            ("street1", "12 Canal St"),
            ("street2", ""),
            ("city", "New York"),
            ("state", "ny"),
            ("zip", "10013"),
        ]
    };
    let mut ada = Browser::new(&app);
    ada.sign_in("ada@example.org").await;
    let form = ada.get(&page).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body.contains("Ada Reyes") && !form.body.contains("Ben Okafor"),
        "a campaign sees only its own committee: {}",
        form.body
    );
    let bad = ada
        .post(&format!("{page}/ada-reyes"), &ada_form("C123"))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains(
            "<p class=\"problem\" role=\"alert\">FEC committee id &quot;C123&quot; must be a C followed by 8 digits"
        ),
        "{}",
        bad.body
    );
    assert!(
        bad.body.contains("value=\"12 Canal St\""),
        "what was typed stays in the form: {}",
        bad.body
    );
    let forged = ada
        .post(&format!("{page}/ben-okafor"), &ada_form("C00123456"))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    let saved = ada
        .post(&format!("{page}/ada-reyes"), &ada_form("C00123456"))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    // The organizer sees every candidate's record, over the API too.
    let (status, all) = app
        .call(
            reqwest::Method::GET,
            &format!("/api/slates/{SLATE}/committees"),
            Some(&app.organizer),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let all = all.as_array().expect("a list").clone();
    assert_eq!(all.len(), 3, "{all:?}");
    assert_eq!(all[0]["name"], "Ada Reyes for Congress");
    assert_eq!(all[0]["state"], "NY", "states are upper-cased");
    assert_eq!(all[0]["treasurer"], "Tess Urer");
    assert_eq!(all[1]["name"], "", "Ben has none yet");
    let put = |candidate: &str, body: serde_json::Value| {
        let app = &app;
        let path = format!("/api/slates/{SLATE}/candidates/{candidate}/committee");
        async move {
            app.call(
                reqwest::Method::PUT,
                &path,
                Some(&app.organizer),
                Some(&body),
            )
            .await
        }
    };
    let body = |committee_id: &str, candidate_id: &str| {
        json!({"name": "Committee", "fec_committee_id": committee_id,
            "fec_candidate_id": candidate_id, "treasurer_first": "Tess",
            "treasurer_last": "Urer", "street1": "1 Main St", "city": "Columbus",
            "state": "OH", "zip": "43215"})
    };
    // Ben runs for the Senate: a House candidate id is refused, naming the field.
    let (status, err) = put("ben-okafor", body("C00999999", "H8OH01123")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["error"]["field"], "fec_candidate_id", "{err}");
    // Cy runs for governor: the FEC does not cover it.
    let (status, err) = put("cy-lindqvist", body("C00999999", "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["error"]["field"], "fec_committee_id", "{err}");
    let (status, cy) = put("cy-lindqvist", body("", "")).await;
    assert_eq!(status, StatusCode::OK, "{cy}");
    assert_eq!(cy["federal"], false);
    let (status, ben) = put("ben-okafor", body("C00999999", "S8OH00123")).await;
    assert_eq!(status, StatusCode::OK, "{ben}");
    let (_, log) = app.get(&format!("/api/slates/{SLATE}/events")).await;
    let kinds: Vec<&str> = log
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .filter(|k| *k == "committee_set")
        .collect();
    assert_eq!(kinds.len(), 3, "each saved record is logged once: {log}");
}

// ---------------------------------------------------------------- notices

async fn unlock_notices_come_at_once_and_expiry_updates_wait_for_the_weekly_digest(app: TestApp) {
    seed(&app, "signers >= 3").await;
    let pledge = |condition: &str, deadline: &str, cents: i64| {
        json!({
            "kind": "money", "amount_cents": cents, "recurring": "once",
            "condition": condition, "deadline": deadline,
            "donor": {"email": "eve@example.org", "name": "Eve Marsh", "attests_eligible": true}
        })
    };
    for body in [
        pledge("signed(\"ada-reyes\")", "2028-11-07", 9_000),
        pledge("signers >= 3", "2026-12-01", 1_000),
        pledge("signers >= 3", "2026-12-01", 2_000),
    ] {
        let (status, answer) = app
            .call(
                reqwest::Method::POST,
                &format!("/api/slates/{SLATE}/pledges"),
                None,
                Some(&body),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }
    let body = sign_as(&app, "ada-reyes", 1).await;
    assert_eq!(body["unlocked"], 1, "{body}");
    let notice = app.mail.wait_for("eve@example.org", "unlocked").await;
    assert!(
        notice.body.contains("$90 to Ada Reyes (primary election)"),
        "{}",
        notice.body
    );
    assert!(notice.body.contains("/pledges/"), "{}", notice.body);

    // The deadline passes: two pledges expire. Updates to someone on the
    // weekly setting wait for the weekly digest (issue 15; they used to be
    // dropped after the first of the week): both are told there, once.
    app.clock.set(common::now() + chrono::Duration::days(8));
    let s = app.engine.tick().await.expect("tick");
    assert_eq!(s.expired, 2, "{s:?}");
    assert_eq!(app.engine.send_digests().await.expect("digests"), 1);
    let digest = app
        .mail
        .wait_for("eve@example.org", "Your week on Cohort")
        .await;
    assert!(digest.raw.contains("multipart/alternative"));
    let outbox = app
        .engine
        .emails_to("eve@example.org")
        .await
        .expect("outbox");
    let expiries = outbox
        .iter()
        .filter(|e| e.email.subject.contains("expired"))
        .count();
    assert_eq!(expiries, 0, "no expiry sent on its own");
    let told = outbox
        .iter()
        .find(|e| e.email.subject == "Your week on Cohort")
        .expect("the digest is in the outbox");
    assert_eq!(
        told.email.body.matches("has expired").count(),
        2,
        "both expiries, none dropped: {}",
        told.email.body
    );
    let unlocks = outbox
        .iter()
        .filter(|e| e.email.subject.contains("unlocked"))
        .count();
    assert_eq!(
        unlocks, 1,
        "the unlock is told once, however often notices run"
    );
    app.engine.send_notices().await.expect("notices");
    let again = app
        .engine
        .emails_to("eve@example.org")
        .await
        .expect("outbox");
    assert_eq!(
        again.len(),
        outbox.len(),
        "running the notices again sends nothing new"
    );
}

// ---------------------------------------------------------------- partners

async fn partners_see_counts_for_their_own_link_only(app: TestApp) {
    seed(&app, "signers >= 2").await;
    app.engine
        .grant("org@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("grant");
    let mut org = Browser::new(&app);
    org.sign_in("org@example.org").await;
    let add = format!("/slates/{SLATE}/organize/partners");
    let bad = org
        .post(&add, &[("code", "no spaces!"), ("name", "X")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("letters, digits, hyphens"),
        "{}",
        bad.body
    );
    let ok = org
        .post(
            &add,
            &[
                ("code", "river-union"),
                ("name", "River Union"),
                ("endorsement", "Our members back all three."),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let sent = org
        .post(
            &format!("/slates/{SLATE}/organize/invite"),
            &[("email", "pa@example.org"), ("role", "partner:river-union")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let invitation = app.mail.wait_for("pa@example.org", "Invitation").await;
    let mut admin = Browser::new(&app);
    let link = link_in(&invitation.body, "/invites/");
    admin.get(&link).await;
    let accepted = admin.post(&link, &[]).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);

    // A supporter pledges through the partner's link.
    let mut supporter = Browser::new(&app);
    let page = supporter
        .get(&format!("/slates/{SLATE}/partners/river-union"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Our members back all three."),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("What your link has brought"),
        "the public sees no counts"
    );
    supporter
        .get(&format!("/slates/{SLATE}/pledge?ref=river-union"))
        .await;
    // The form carries the partner's code from ?ref= in a hidden field.
    let mut fields = pledge_fields("n-ref", "", "$75");
    fields.retain(|(k, _)| *k != "ref");
    fields.push(("ref", "river-union"));
    let pledged = supporter
        .post(&format!("/slates/{SLATE}/pledge"), &fields)
        .await;
    assert_eq!(pledged.status, StatusCode::SEE_OTHER, "{}", pledged.body);

    let counts = admin
        .get(&format!("/slates/{SLATE}/partners/river-union"))
        .await;
    assert!(
        counts.body.contains("What your link has brought"),
        "{}",
        counts.body
    );
    assert!(
        counts.body.contains("<dt>Live pledges</dt><dd>1</dd>"),
        "{}",
        counts.body
    );
    // Totals (issue 16, defect 10), never who: no name, no address — and
    // no money or hours while so few have pledged that a total would be one
    // person's amount (the partner knows whom it sent the link to).
    assert!(
        !counts.body.contains("$75"),
        "one pledger's amount is not shown to the partner: {}",
        counts.body
    );
    assert!(
        counts
            .body
            .contains("Money and hours appear once 5 people have pledged through your link"),
        "{}",
        counts.body
    );
    assert!(
        !counts.body.contains("eve@example.org") && !counts.body.contains("Eve Marsh"),
        "totals only"
    );
    assert_eq!(
        admin.get(&format!("/slates/{SLATE}/organize")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        admin
            .get(&format!("/slates/{SLATE}/exports/pledges.csv"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let me = admin.get("/me").await.body;
    assert!(
        me.contains(&format!("/slates/{SLATE}/partners/river-union")),
        "{me}"
    );
    let slate = supporter.get(&format!("/slates/{SLATE}")).await.body;
    assert!(slate.contains("River Union") && slate.contains("Our members back all three."));
}

// ---------------------------------------------------------------- building a slate

async fn organizers_build_a_slate_from_their_dashboard(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let e = &app.engine;
    e.grant("lead@example.org", Role::Organizer, None, None)
        .await
        .expect("grant");
    e.grant("local@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("grant");
    let mut public = Browser::new(&app);
    assert_eq!(
        public.get("/slates/new").await.status,
        StatusCode::SEE_OTHER
    );
    let mut local = Browser::new(&app);
    local.sign_in("local@example.org").await;
    assert_eq!(
        local.get("/slates/new").await.status,
        StatusCode::FORBIDDEN,
        "one slate's organizer can't start slates"
    );

    let mut lead = Browser::new(&app);
    lead.sign_in("lead@example.org").await;
    assert_eq!(lead.get("/slates/new").await.status, StatusCode::OK);
    let fields = |slug: &'static str, condition: &'static str, action: &'static str| {
        vec![
            ("name", "Lake Slate"),
            ("slug", slug),
            ("cycle", "2028"),
            ("description", "Lakeside candidates"),
            ("condition", condition),
            ("action", action),
        ]
    };
    let check = lead
        .post("/slates/new", &fields("lake", "signers >= 2 and", "check"))
        .await;
    assert_eq!(check.status, StatusCode::OK);
    assert!(
        check.body.contains("Condition: ") && check.body.contains("column"),
        "{}",
        check.body
    );
    let bad = lead
        .post(
            "/slates/new",
            &fields("Lake Slate!", "signers >= 2", "create"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let made = lead
        .post(
            "/slates/new",
            &fields("lake", "signers >= 2 and mutual", "create"),
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    assert_eq!(
        made.location.as_deref(),
        Some("/slates/lake/organize?notice=created")
    );

    let add = "/slates/lake/organize/candidates";
    let candidate = |general: &'static str| {
        vec![
            ("name", "Lia Moss"),
            ("slug", "lia-moss"),
            ("office", "us_house"),
            ("state", "mi"),
            ("district", "3"),
            ("primary_date", "2028-08-04"),
            ("general_date", general),
        ]
    };
    let bad = lead.post(add, &candidate("next fall")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("is not a date like 2028-11-07"),
        "{}",
        bad.body
    );
    assert_eq!(
        lead.post(add, &candidate("2028-11-07")).await.status,
        StatusCode::SEE_OTHER
    );

    let publish = "/slates/lake/organize/compact";
    let bad = lead
        .post(
            publish,
            &[
                ("commitments", "Endorse each other"),
                ("plank_title_0", "Clean lakes without a why"),
                ("plank_why_0", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Plank 1"), "{}", bad.body);
    let ok = lead
        .post(
            publish,
            &[
                ("commitments", "Endorse each other\r\nVote as a bloc"),
                ("plank_title_0", "Clean lakes"),
                ("plank_why_0", "Everyone swims in them"),
                ("plank_title_1", ""),
                ("plank_why_1", ""),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let (_, slate) = app.get("/api/slates/lake").await;
    assert_eq!(
        slate["condition_text"],
        "at least 2 candidates have signed and every signer endorses every other signer"
    );
    assert_eq!(slate["candidates"][0]["state"], "MI", "{slate}");
    assert_eq!(slate["compact"]["version"], 1);
    assert_eq!(slate["compact"]["commitments"][1], "Vote as a bloc");
    assert_eq!(
        slate["compact"]["planks"][0]["why"],
        "Everyone swims in them"
    );
    assert_eq!(
        local.post(publish, &[("commitments", "x")]).await.status,
        StatusCode::FORBIDDEN,
        "an organizer of another slate can't publish here"
    );

    // Totals over time: the tick samples the pot once a day.
    let (status, body) = app
        .call(
            reqwest::Method::POST,
            &format!("/api/slates/{SLATE}/pledges"),
            None,
            Some(
                &json!({"kind": "money", "amount_cents": 4_200, "recurring": "once",
                "donor": {"email": "fay@example.org", "name": "Fay", "attests_eligible": true}}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let before = local.get(&format!("/slates/{SLATE}/organize")).await.body;
    assert!(before.contains("The chart fills in day by day"), "{before}");
    app.engine.tick().await.expect("tick");
    app.clock.set(common::now() + chrono::Duration::days(1));
    app.engine.tick().await.expect("tick");
    let after = local.get(&format!("/slates/{SLATE}/organize")).await.body;
    assert!(after.contains("class=\"line-pledged\""), "{after}");
    assert!(
        after.contains(
            "From 2026-11-24 to 2026-11-25: $42 pledged, $0 of it unlocked, by 1 person."
        ),
        "{after}"
    );
}

/// Regression: the demo's generated supporters were sent 30 unlock notices
/// at start-up (the notice sender read only the first 200 events of a slate).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_supporters_get_no_email_and_notices_read_the_whole_log() {
    // An engine with no mail loop running, as `serve` has while it loads the demo.
    let dir = std::env::temp_dir().join(format!("cohort-demo-mail-{}", std::process::id()));
    let store = cohort_store_sqlite::SqliteStore::open_dir(&dir)
        .await
        .expect("sqlite");
    let engine = cohort_engine::Engine::with_store(std::sync::Arc::new(store));
    engine.migrate().await.expect("migrate");
    let spec: cohort_engine::demo::DemoSpec =
        serde_json::from_str(include_str!("../../../../data/demo/slate.json")).expect("demo spec");
    let summary = engine
        .load_demo(&spec)
        .await
        .expect("the demo loads")
        .expect("into an empty database");
    assert!(summary.unlocked > 0, "the demo unlocks some pledges");
    let events = engine
        .events(&summary.slug, 0, 1000)
        .await
        .expect("the log");
    assert!(
        events.len() > 200,
        "more than one page of events: {}",
        events.len()
    );
    assert_eq!(
        engine.send_notices().await.expect("notices"),
        0,
        "every unlock was told at load, beyond the first page of the log"
    );
    struct Count(std::sync::atomic::AtomicUsize);
    #[async_trait::async_trait]
    impl cohort_engine::Mailer for Count {
        async fn send(&self, _: &cohort_store::NewEmail) -> Result<(), cohort_engine::MailerError> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok(())
        }
    }
    let count = Count(Default::default());
    engine.deliver_email(&count, 10_000).await.expect("deliver");
    assert_eq!(
        count.0.into_inner(),
        0,
        "nothing is left to send to made-up supporters"
    );
    let _ = std::fs::remove_dir_all(dir);
}
