//! Candidate pages (issue 16): `/slates/{slug}/candidates/{cslug}` shows who
//! they are, what they signed (version and hash), their endorsements with
//! withdrawals kept as withdrawals, their scorecard, and what is waiting for
//! them, from the slate view's own figures; their campaign (or an organizer)
//! writes the bio and photo, and nobody else may. Also the campaign's
//! confirmation steps (defect 5): signing shows the version, its hash and
//! what changed, and "endorse all signers" asks first.

use cohort_testkit as common;

use cohort_store::Role;
use common::{seed, sign_as, TestApp, SLATE};
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(
    a_candidate_page_tells_their_signature_endorsements_and_what_waits,
    only_their_campaign_or_an_organizer_writes_the_bio,
    the_slate_page_links_each_candidate_to_their_page,
    signing_asks_to_confirm_with_the_hash_and_what_changed,
    endorse_all_signers_asks_first_then_endorses_each,
    recording_a_lost_primary_asks_first_and_the_organizer_page_links_the_books,
);

/// POST the campaign form as `session`; answers the status and the body.
async fn campaign_post(
    app: &TestApp,
    session: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let (cookie, csrf) = app.form_credentials(Some(session)).await;
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let res = app
        .client
        .post(app.url(&format!("/slates/{SLATE}/campaign")))
        .header("cookie", cookie)
        .form(&form)
        .send()
        .await
        .expect("an answer");
    let status = res.status();
    (status, res.text().await.expect("a body"))
}

async fn ada_session(app: &TestApp) -> String {
    app.engine
        .grant(
            "ada@example.org",
            Role::Candidate,
            Some(SLATE),
            Some("ada-reyes"),
        )
        .await
        .expect("grant");
    app.session_for("ada@example.org").await
}

async fn signers(app: &TestApp) -> i64 {
    let (_, slate) = app.get(&format!("/api/slates/{SLATE}")).await;
    slate["signers"].as_i64().expect("signers")
}

async fn signing_asks_to_confirm_with_the_hash_and_what_changed(app: TestApp) {
    let v1 = seed(&app, "signers >= 3").await;
    let ada = ada_session(&app).await;
    let v1s = v1.to_string();
    // The dashboard's button leads to a confirmation, not a signature.
    let (status, page) = campaign_post(
        &app,
        &ada,
        &[
            ("action", "sign"),
            ("candidate", "ada-reyes"),
            ("version", &v1s),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(signers(&app).await, 0, "nothing signed before confirming");
    let (_, slate) = app.get(&format!("/api/slates/{SLATE}")).await;
    let h1 = slate["compact"]["hash"].as_str().expect("hash").to_owned();
    says(
        &text(&page),
        &[
            "Sign version 1 of the compact for Ada Reyes?",
            &format!("Content hash of version 1: {h1}"),
            "You have not signed this slate's compact before",
            "Cross-endorse every other signer",
        ],
        &[],
        "the confirmation",
    );
    assert!(
        page.contains(&format!("name=\"hash\" value=\"{h1}\"")),
        "{page}"
    );
    // A wrong hash signs nothing.
    let (status, _) = campaign_post(
        &app,
        &ada,
        &[
            ("action", "sign"),
            ("candidate", "ada-reyes"),
            ("version", &v1s),
            ("hash", "0000"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(signers(&app).await, 0);
    let (status, _) = campaign_post(
        &app,
        &ada,
        &[
            ("action", "sign"),
            ("candidate", "ada-reyes"),
            ("version", &v1s),
            ("hash", &h1),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(signers(&app).await, 1);

    // Version 2 adds a commitment: the confirmation says what changed.
    let (status, body) = app
        .organize(
            &format!("/api/slates/{SLATE}/compact"),
            json!({
                "commitments": ["Cross-endorse every other signer", "Vote as a bloc on the platform",
                    "Hold a town hall together each quarter"],
                "planks": [{"title": "Clean water", "why": "Every town on the river drinks from it."}]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, page) = campaign_post(
        &app,
        &ada,
        &[
            ("action", "sign"),
            ("candidate", "ada-reyes"),
            ("version", "2"),
        ],
    )
    .await;
    says(
        &text(&page),
        &[
            "Sign version 2 of the compact for Ada Reyes?",
            "What changed since version 1, which you signed",
            "Added: Commitment: Hold a town hall together each quarter",
        ],
        &["You have not signed"],
        "the confirmation of version 2",
    );
    // Someone else's campaign gets no confirmation page for Ada.
    app.engine
        .grant(
            "ben@example.org",
            Role::Candidate,
            Some(SLATE),
            Some("ben-okafor"),
        )
        .await
        .expect("grant");
    let ben = app.session_for("ben@example.org").await;
    let (status, _) = campaign_post(
        &app,
        &ben,
        &[
            ("action", "sign"),
            ("candidate", "ada-reyes"),
            ("version", "2"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn endorse_all_signers_asks_first_then_endorses_each(app: TestApp) {
    let version = seed(&app, "signers >= 3 and mutual").await;
    sign_as(&app, "ada-reyes", version).await;
    sign_as(&app, "ben-okafor", version).await;
    sign_as(&app, "cy-lindqvist", version).await;
    let ada = ada_session(&app).await;
    let (_, dash) = {
        let res = app
            .client
            .get(app.url(&format!("/slates/{SLATE}/campaign")))
            .header("cookie", format!("cohort_session={ada}"))
            .send()
            .await
            .expect("an answer");
        (res.status(), res.text().await.expect("a body"))
    };
    assert!(dash.contains("value=\"endorse_all\""), "{dash}");
    assert!(
        dash.contains("Endorse Ben Okafor"),
        "the per-person buttons stay"
    );
    let (status, page) = campaign_post(
        &app,
        &ada,
        &[("action", "endorse_all"), ("candidate", "ada-reyes")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    says(
        &text(&page),
        &[
            "Endorse 2 signers for Ada Reyes?",
            "Ben Okafor",
            "Cy Lindqvist",
        ],
        &[],
        "the confirmation",
    );
    let (_, slate) = app.get(&format!("/api/slates/{SLATE}")).await;
    assert_eq!(
        slate["endorsements"].as_array().map(Vec::len),
        Some(0),
        "asked, not done"
    );
    let (status, _) = campaign_post(
        &app,
        &ada,
        &[
            ("action", "endorse_all"),
            ("candidate", "ada-reyes"),
            ("confirm", "yes"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, slate) = app.get(&format!("/api/slates/{SLATE}")).await;
    let mut edges: Vec<String> = slate["endorsements"]
        .as_array()
        .expect("endorsements")
        .iter()
        .map(|e| {
            format!(
                "{}>{}",
                e["from"].as_str().unwrap_or(""),
                e["to"].as_str().unwrap_or("")
            )
        })
        .collect();
    edges.sort();
    assert_eq!(edges, ["ada-reyes>ben-okafor", "ada-reyes>cy-lindqvist"]);
    let log = text(&app.html(&format!("/slates/{SLATE}/log")).await.1);
    says(
        &log,
        &[
            "Ada Reyes endorsed Ben Okafor",
            "Ada Reyes endorsed Cy Lindqvist",
        ],
        &[],
        "the log",
    );
}

async fn endorse(app: &TestApp, from: &str, to: &str, on: bool) {
    let token = app
        .engine
        .issue_candidate_token(SLATE, from)
        .await
        .expect("a candidate token");
    let (status, body) = if on {
        app.call(
            Method::POST,
            &format!("/api/slates/{SLATE}/endorsements"),
            Some(&token),
            Some(&json!({"from": from, "to": to})),
        )
        .await
    } else {
        app.call(
            Method::DELETE,
            &format!("/api/slates/{SLATE}/endorsements/{from}/{to}"),
            Some(&token),
            None,
        )
        .await
    };
    assert!(status.is_success(), "{status} {body}");
}

/// `html` with its tags dropped and whitespace collapsed, to match sentences.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn says(page: &str, wanted: &[&str], unwanted: &[&str], what: &str) {
    for w in wanted {
        assert!(page.contains(w), "{what} should say {w:?}:\n{page}");
    }
    for u in unwanted {
        assert!(!page.contains(u), "{what} should not say {u:?}:\n{page}");
    }
}

async fn a_candidate_page_tells_their_signature_endorsements_and_what_waits(app: TestApp) {
    let version = seed(&app, "signers >= 3").await;
    sign_as(&app, "ada-reyes", version).await;
    sign_as(&app, "ben-okafor", version).await;
    endorse(&app, "ada-reyes", "ben-okafor", true).await;
    endorse(&app, "ben-okafor", "ada-reyes", true).await;
    endorse(&app, "ben-okafor", "ada-reyes", false).await;
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/slates/{SLATE}/pledges"),
            None,
            Some(&json!({
                "kind": "money", "amount_cents": 60_000, "recurring": "once",
                "donor": {"email": "sam@example.org", "name": "Sam Doe", "zip": "10001",
                    "employer": "Acme", "occupation": "Engineer", "attests_eligible": true}
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, slate) = app.get(&format!("/api/slates/{SLATE}")).await;
    let hash = slate["compact"]["hash"]
        .as_str()
        .expect("a hash")
        .to_owned();

    let (status, html) = app
        .html(&format!("/slates/{SLATE}/candidates/ada-reyes"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let page = text(&html);
    says(
        &page,
        &[
            "Ada Reyes",
            "U.S. House NY-10",
            "Primary 2028-06-23 · general election 2028-11-07",
            "has not written a bio yet",
            "Signed version 1",
            &format!("Compact hash {hash}"),
            // Locked with two of three signers: her half of the $600.
            "Reaches them when the slate unlocks: $300 and 0 volunteer hours/week",
            "1 more signature (from any of: Cy Lindqvist)",
            "Ada Reyes endorses Ben Okafor",
            "Signers who have not endorsed Ada Reyes Ben Okafor",
            // The withdrawn endorsement stays, as a withdrawal.
            "Ben Okafor endorsed Ada Reyes",
            "Ben Okafor withdrew their endorsement of Ada Reyes",
            "Ada Reyes signed version 1 of the compact",
            "Scorecard",
        ],
        &["Endorsed by Ben Okafor", "A pledge was made", "Sam Doe"],
        "Ada's page",
    );
    assert!(
        html.contains("class=\"avatar avatar-initials\" aria-hidden=\"true\">AR<"),
        "{html}"
    );

    // Cy has not signed: what their signature would bring, no scorecard.
    let (_, cy) = app
        .html(&format!("/slates/{SLATE}/candidates/cy-lindqvist"))
        .await;
    says(
        &text(&cy),
        &[
            "Not yet signed",
            "Waiting for them if they sign: $200 and 0 volunteer hours/week",
            "History 2026-11-24 12:00 UTC Cy Lindqvist joined the slate The slate's whole log",
        ],
        &["Scorecard", "Compact hash", "withdrew"],
        "Cy's page",
    );
    let (status, _) = app
        .html(&format!("/slates/{SLATE}/candidates/nobody"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn post_profile(app: &TestApp, session: Option<&str>, bio: &str, photo: &str) -> StatusCode {
    let (cookie, csrf) = app.form_credentials(session).await;
    app.client
        .post(app.url(&format!("/slates/{SLATE}/candidates/ada-reyes/profile")))
        .header("cookie", cookie)
        .form(&[("csrf", csrf.as_str()), ("bio", bio), ("photo_url", photo)])
        .send()
        .await
        .expect("an answer")
        .status()
}

async fn only_their_campaign_or_an_organizer_writes_the_bio(app: TestApp) {
    seed(&app, "signers >= 2").await;
    app.engine
        .grant(
            "ada@example.org",
            Role::Candidate,
            Some(SLATE),
            Some("ada-reyes"),
        )
        .await
        .expect("grant");
    app.engine
        .grant(
            "ben@example.org",
            Role::Candidate,
            Some(SLATE),
            Some("ben-okafor"),
        )
        .await
        .expect("grant");
    let ada = app.session_for("ada@example.org").await;
    let ben = app.session_for("ben@example.org").await;

    // Ben's campaign may not write Ada's bio; nothing is written.
    assert_eq!(
        post_profile(&app, Some(&ben), "Not Ada.", "").await,
        StatusCode::FORBIDDEN
    );
    // A refused photo names the field and writes nothing.
    assert_eq!(
        post_profile(&app, Some(&ada), "Teacher.", "http://example.org/a.jpg").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (_, html) = app
        .html(&format!("/slates/{SLATE}/candidates/ada-reyes"))
        .await;
    says(
        &text(&html),
        &["has not written a bio yet"],
        &["Not Ada.", "Teacher."],
        "before",
    );

    assert_eq!(
        post_profile(
            &app,
            Some(&ada),
            "Teacher on the river for 20 years.\r\n\r\nMother of two.",
            "https://example.org/ada.jpg"
        )
        .await,
        StatusCode::SEE_OTHER
    );
    let (_, html) = app
        .html(&format!("/slates/{SLATE}/candidates/ada-reyes"))
        .await;
    assert!(
        html.contains("<p>Teacher on the river for 20 years.</p>"),
        "{html}"
    );
    assert!(html.contains("<p>Mother of two.</p>"), "{html}");
    assert!(
        html.contains("src=\"https://example.org/ada.jpg\" alt=\"Photo of Ada Reyes\""),
        "{html}"
    );
    // The public cannot open the form.
    let res = app
        .client
        .get(app.url(&format!("/slates/{SLATE}/candidates/ada-reyes/profile")))
        .send()
        .await
        .expect("an answer");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "sent to sign in");
}

async fn the_slate_page_links_each_candidate_to_their_page(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let (_, html) = app.html(&format!("/slates/{SLATE}")).await;
    for who in ["ada-reyes", "ben-okafor", "cy-lindqvist"] {
        let link = format!("href=\"/slates/{SLATE}/candidates/{who}\"");
        // Once from the candidate cards, once from the endorsement web.
        assert_eq!(html.matches(&link).count(), 2, "{who}: {html}");
    }
}

/// Defect 9 (in part): "Record that they lost the primary" is a destructive
/// action in the secondary style that asks first; the organizer page links
/// to the books.
async fn recording_a_lost_primary_asks_first_and_the_organizer_page_links_the_books(app: TestApp) {
    seed(&app, "signers >= 2").await;
    app.engine
        .grant("org@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("grant");
    let org = app.session_for("org@example.org").await;
    // The organizer's sections (issue 16, defect 9): exports link the
    // books, primaries hold the destructive step.
    let section = |name: &'static str| {
        let (app, org) = (&app, &org);
        async move {
            let res = app
                .client
                .get(app.url(&format!("/slates/{SLATE}/organize/{name}")))
                .header("cookie", format!("cohort_session={org}"))
                .send()
                .await
                .expect("an answer");
            res.text().await.expect("a body")
        }
    };
    let page = section("exports").await;
    assert!(page.contains("<a href=\"/books\">"), "{page}");
    let page = section("primaries").await;
    assert!(
        page.contains("<button type=\"submit\" class=\"danger\">Record that they lost the primary"),
        "{page}"
    );
    let (cookie, csrf) = app.form_credentials(Some(&org)).await;
    let res = app
        .client
        .post(app.url(&format!("/slates/{SLATE}/organize/primary-loss")))
        .header("cookie", cookie)
        .form(&[("csrf", csrf.as_str()), ("candidate", "ada-reyes")])
        .send()
        .await
        .expect("an answer");
    assert_eq!(res.status(), StatusCode::OK);
    let page = text(&res.text().await.expect("a body"));
    says(
        &page,
        &[
            "Record that Ada Reyes lost the primary?",
            "This cannot be undone",
            "Yes, Ada Reyes lost the primary",
        ],
        &[],
        "the confirmation",
    );
    let (_, cand) = app
        .html(&format!("/slates/{SLATE}/candidates/ada-reyes"))
        .await;
    assert!(!cand.contains("Lost the primary"), "asked, not recorded");
}
