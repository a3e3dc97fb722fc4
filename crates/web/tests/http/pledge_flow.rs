//! The pledge form (issue 16, defects 7 and 10) over real HTTP on both
//! backends, as a browser without JavaScript sends it: preset amounts, a
//! condition built with controls that compiles to the typed language,
//! "Preview" before the donor is filled in, the share step on the receipt
//! with the supporter's own referral code, and partners' totals.

use cohort_testkit as common;

use cohort_engine::Actor;
use cohort_store::Role;
use common::{seed, TestApp, SLATE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    presets_and_the_condition_controls_compile_to_the_typed_language,
    preview_needs_no_donor,
    the_receipt_offers_a_share_link_with_the_supporters_own_code,
    partners_see_pledgers_money_and_hours_and_the_form_names_them,
);

async fn get_page(app: &TestApp, session: Option<&str>, path: &str) -> (StatusCode, String) {
    let mut req = app.client.get(app.url(path));
    if let Some(s) = session {
        req = req.header("cookie", format!("cohort_session={s}"));
    }
    let res = req.send().await.expect("an answer");
    (res.status(), res.text().await.expect("a body"))
}

fn donor<'a>(email: &'a str, nonce: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("nonce", nonce),
        ("kind", "money"),
        ("recurring", "once"),
        ("deadline", ""),
        ("name", "Eve Marsh"),
        ("email", email),
        ("zip", "10001"),
        ("employer", "River Co-op"),
        ("occupation", "Teacher"),
        ("attests", "yes"),
    ]
}

/// The pledge a receipt address names, through the JSON API.
async fn pledge_at(app: &TestApp, location: &str) -> Value {
    let (path, query) = location.split_once('?').expect("a receipt query");
    let token = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("token="))
        .expect("a token");
    let (status, body) = app
        .call(
            Method::GET,
            &format!("/api{path}?token={token}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn presets_and_the_condition_controls_compile_to_the_typed_language(app: TestApp) {
    seed(&app, "signers >= 3").await;
    let path = format!("/slates/{SLATE}/pledge");
    let (status, form) = get_page(&app, None, &path).await;
    assert_eq!(status, StatusCode::OK);
    for preset in ["25", "50", "100", "250"] {
        assert!(
            form.contains(&format!("name=\"preset\" value=\"{preset}\"")),
            "a ${preset} preset in {form}"
        );
    }
    assert!(form.contains("name=\"preset\" value=\"other\""), "{form}");
    // A placeholder is phrased as an example, never as a value.
    assert!(form.contains("placeholder=\"e.g. "), "{form}");
    assert!(!form.contains("placeholder=\"$100\""), "{form}");
    // The controls: a box per candidate, a number of signatures, a total.
    for c in ["ada-reyes", "ben-okafor", "cy-lindqvist"] {
        assert!(
            form.contains(&format!("name=\"sign_{c}\"")),
            "{c} in {form}"
        );
    }
    assert!(form.contains("name=\"min_signers\""), "{form}");
    assert!(form.contains("name=\"min_pledged\""), "{form}");

    // Built with the controls and a preset amount.
    let mut built = donor("eve@example.org", "n-built");
    built.extend([
        ("preset", "50"),
        ("amount", ""),
        ("sign_ada-reyes", "yes"),
        ("sign_ben-okafor", "yes"),
        ("min_signers", "2"),
        ("min_pledged", "5000"),
        ("condition", ""),
        ("action", "pledge"),
    ]);
    let made = app.post_form(None, &path, &built).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let pledge = pledge_at(&app, &made.location).await;
    assert_eq!(pledge["amount_cents"], 5000, "{pledge}");
    let compiled =
        r#"signed("ada-reyes") and signed("ben-okafor") and signers >= 2 and pledged >= $5,000"#;
    assert_eq!(pledge["condition"], compiled, "{pledge}");

    // The same text typed in the advanced field is the same condition.
    let mut typed = donor("fay@example.org", "n-typed");
    typed.extend([
        ("preset", "other"),
        ("amount", "$75"),
        ("condition", compiled),
        ("action", "pledge"),
    ]);
    let made = app.post_form(None, &path, &typed).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let again = pledge_at(&app, &made.location).await;
    assert_eq!(again["condition"], pledge["condition"]);
    assert_eq!(again["condition_text"], pledge["condition_text"]);
    assert_eq!(
        again["amount_cents"], 7500,
        "'other' takes the typed amount"
    );

    // Both at once is ambiguous: refused, naming the field, nothing written.
    let (_, before) = app.get(&format!("/api/slates/{SLATE}")).await;
    let mut both = donor("gus@example.org", "n-both");
    both.extend([
        ("preset", "25"),
        ("sign_ada-reyes", "yes"),
        ("condition", "mutual"),
        ("action", "pledge"),
    ]);
    let refused = app.post_form(None, &path, &both).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Condition:"), "{}", refused.body);
    // A control that is not a number names itself.
    let mut bad = donor("gus@example.org", "n-bad");
    bad.extend([
        ("preset", "25"),
        ("min_signers", "two"),
        ("action", "pledge"),
    ]);
    let refused = app.post_form(None, &path, &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("At least this many signatures"),
        "{}",
        refused.body
    );
    // A candidate who is not on the slate is refused too.
    let mut stranger = donor("gus@example.org", "n-stranger");
    stranger.extend([("preset", "25"), ("sign_zed", "yes"), ("action", "pledge")]);
    let refused = app.post_form(None, &path, &stranger).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, after) = app.get(&format!("/api/slates/{SLATE}")).await;
    assert_eq!(before["pot"], after["pot"], "nothing written");

    // The live preview (the script's) compiles the controls the same way.
    let (status, p) = app
        .get(&format!(
            "/api/slates/{SLATE}/preview?amount=50&must_sign=ada-reyes,ben-okafor&min_signers=2&min_pledged=5000"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["condition"], compiled, "{p}");
    assert_eq!(p["condition_text"], pledge["condition_text"], "{p}");
}

async fn preview_needs_no_donor(app: TestApp) {
    seed(&app, "signers >= 3").await;
    let path = format!("/slates/{SLATE}/pledge");
    let (_, form) = get_page(&app, None, &path).await;
    // The browser checks `required` fields on submit: Preview must not ask it to.
    let preview_button = form
        .split("<button")
        .find(|b| b.contains("value=\"preview\""))
        .expect("a Preview button");
    assert!(
        preview_button.contains("formnovalidate"),
        "Preview trips the required name and email: {preview_button}"
    );
    let shown = app
        .post_form(
            None,
            &path,
            &[
                ("kind", "money"),
                ("preset", "100"),
                ("amount", ""),
                ("sign_ada-reyes", "yes"),
                ("min_signers", "2"),
                ("action", "preview"),
            ],
        )
        .await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert!(
        shown
            .body
            .contains("Your pledge unlocks when <strong>ada-reyes has signed"),
        "{}",
        shown.body
    );
    assert!(
        shown
            .body
            .contains("signed(&#34;ada-reyes&#34;) and signers &gt;= 2")
            || shown
                .body
                .contains("signed(&quot;ada-reyes&quot;) and signers &gt;= 2"),
        "the controls' condition as it would be typed: {}",
        shown.body
    );
    assert!(shown.body.contains("your $100"), "{}", shown.body);
    // What was chosen stays chosen.
    assert!(
        shown
            .body
            .contains("name=\"sign_ada-reyes\" value=\"yes\" checked"),
        "{}",
        shown.body
    );
    assert!(
        shown.body.contains("name=\"preset\" value=\"100\" checked"),
        "{}",
        shown.body
    );
    assert!(!shown.body.contains("role=\"alert\""), "{}", shown.body);
}

/// The `?ref=` code of the share link on a receipt page.
fn share_code(receipt: &str) -> String {
    let marker = format!("/slates/{SLATE}/pledge?ref=");
    let at = receipt
        .find(&marker)
        .unwrap_or_else(|| panic!("a share link in {receipt}"))
        + marker.len();
    receipt[at..]
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .next()
        .unwrap_or("")
        .to_owned()
}

async fn the_receipt_offers_a_share_link_with_the_supporters_own_code(app: TestApp) {
    seed(&app, "signers >= 3").await;
    let path = format!("/slates/{SLATE}/pledge");
    let pledge = |email: &'static str, nonce: &'static str| {
        let app = &app;
        let path = path.clone();
        async move {
            let mut f = donor(email, nonce);
            f.extend([("preset", "25"), ("action", "pledge")]);
            let made = app.post_form(None, &path, &f).await;
            assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
            let (status, receipt) = get_page(app, None, &made.location).await;
            assert_eq!(status, StatusCode::OK);
            receipt
        }
    };
    let first = pledge("eve@example.org", "n-1").await;
    assert!(first.contains("Share"), "{first}");
    let code = share_code(&first);
    assert!(code.len() >= 8, "{code}");
    assert!(
        !code.contains("eve"),
        "the code does not spell the address: {code}"
    );
    let second = pledge("eve@example.org", "n-2").await;
    assert_eq!(share_code(&second), code, "one code per person");
    let other = pledge("fay@example.org", "n-3").await;
    assert_ne!(share_code(&other), code, "each person has their own");

    // A friend comes through the link: their pledge carries Eve's code.
    let (status, form) = get_page(&app, None, &format!("{path}?ref={code}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains(&format!("name=\"ref\" value=\"{code}\"")),
        "{form}"
    );
    let mut f = donor("gus@example.org", "n-4");
    f.extend([
        ("preset", "25"),
        ("ref", code.as_str()),
        ("action", "pledge"),
    ]);
    let made = app.post_form(None, &path, &f).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    assert_eq!(pledge_at(&app, &made.location).await["ref"], code.as_str());
    // Eve's receipt counts the friend (a count only), and Fay's counts nobody.
    assert!(
        first.contains("Nobody has pledged through your link yet."),
        "{first}"
    );
    let again = pledge("eve@example.org", "n-5").await;
    assert!(
        again.contains("1 person has pledged through your link so far."),
        "{again}"
    );
    assert!(!again.contains("gus@example.org"), "{again}");
    let fay = pledge("fay@example.org", "n-6").await;
    assert!(
        fay.contains("Nobody has pledged through your link yet."),
        "{fay}"
    );
}

async fn partners_see_pledgers_money_and_hours_and_the_form_names_them(app: TestApp) {
    seed(&app, "signers >= 3").await;
    let organizer = Actor::Organizer { slate: None };
    app.engine
        .add_partner(&organizer, SLATE, "river-union", "River Union", "")
        .await
        .expect("a partner");
    app.engine
        .add_partner(&organizer, SLATE, "lake-league", "Lake League", "")
        .await
        .expect("a partner");
    for (email, body) in [
        (
            "a@example.org",
            json!({"kind": "money", "amount_cents": 10_000, "recurring": "once"}),
        ),
        (
            "b@example.org",
            json!({"kind": "money", "amount_cents": 2_550, "recurring": "once"}),
        ),
        (
            "b@example.org",
            json!({"kind": "hours", "hours_per_week": 6, "weeks": 4, "skills": []}),
        ),
    ] {
        let mut body = body;
        body["ref"] = json!("river-union");
        body["donor"] = json!({"email": email, "name": "Sam Doe", "zip": "10001",
            "employer": "Acme", "occupation": "Engineer", "attests_eligible": true});
        let (status, answer) = app
            .call(
                Method::POST,
                &format!("/api/slates/{SLATE}/pledges"),
                None,
                Some(&body),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }
    app.engine
        .grant("org@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("grant");
    let org = app.session_for("org@example.org").await;
    let (status, page) = get_page(
        &app,
        Some(&org),
        &format!("/slates/{SLATE}/organize/partners"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let row = page
        .split("<tr")
        .find(|r| r.contains("River Union"))
        .unwrap_or_else(|| panic!("River Union's row in {page}"));
    for figure in [">2<", ">$125.50<", ">6<"] {
        assert!(row.contains(figure), "{figure} in {row}");
    }
    let lake = page
        .split("<tr")
        .find(|r| r.contains("Lake League"))
        .unwrap_or_else(|| panic!("Lake League's row in {page}"));
    assert!(lake.contains(">$0<"), "{lake}");
    // The partner's own page shows the same totals to its organizer.
    let (status, own) = get_page(
        &app,
        Some(&org),
        &format!("/slates/{SLATE}/partners/river-union"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(own.contains("$125.50"), "{own}");
    assert!(own.contains("Hours a week"), "{own}");
    // The public sees none of it.
    let (_, public) = get_page(&app, None, &format!("/slates/{SLATE}/partners/river-union")).await;
    assert!(!public.contains("$125.50"), "{public}");

    // The pledge form names a known partner, and only a known one.
    let (_, form) = get_page(
        &app,
        None,
        &format!("/slates/{SLATE}/pledge?ref=river-union"),
    )
    .await;
    assert!(form.contains("You came here through River Union"), "{form}");
    let (_, form) = get_page(
        &app,
        None,
        &format!("/slates/{SLATE}/pledge?ref=someone-else"),
    )
    .await;
    assert!(!form.contains("You came here through"), "{form}");
}
