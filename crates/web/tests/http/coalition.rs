//! The coalition at a glance (issue 16): the pages say what still blocks the
//! unlock, by name; the campaign dashboard and the split preview say what
//! will reach each campaign; every sentence matches the slate's state.

use cohort_testkit as common;

use cohort_store::Role;
use common::{seed, sign_as, TestApp, SLATE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    slate_page_and_dashboards_name_what_blocks_the_unlock,
    split_preview_matches_the_receipt_limits_included,
    campaign_dashboard_after_signing_shows_what_reaches_it_on_unlock,
    every_sentence_matches_the_state_it_describes,
    the_endorsement_web_is_drawn_and_listed,
    the_log_reads_as_sentences,
    pledges_csv_keeps_the_door_call_and_text_counts,
    an_empty_pot_says_no_money_is_pledged_yet,
);

// ---------------------------------------------------------------- fixtures

fn money(dollars: i64, email: &str) -> Value {
    json!({
        "kind": "money", "amount_cents": dollars * 100, "recurring": "once",
        "donor": {
            "email": email, "name": "Sam Doe", "zip": "10001",
            "employer": "Acme Water Co.", "occupation": "Engineer", "attests_eligible": true
        }
    })
}

async fn pledge(app: &TestApp, body: &Value) -> Value {
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/slates/{SLATE}/pledges"),
            None,
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn endorse(app: &TestApp, from: &str, to: &str) {
    let token = app
        .engine
        .issue_candidate_token(SLATE, from)
        .await
        .expect("a candidate token");
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/slates/{SLATE}/endorsements"),
            Some(&token),
            Some(&json!({"from": from, "to": to})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// A page as a signed-in campaign account sees it.
async fn page_as(app: &TestApp, session: &str, path: &str) -> String {
    let res = app
        .client
        .get(app.url(path))
        .header("cookie", format!("cohort_session={session}"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.expect("a body")
}

async fn campaign_session(app: &TestApp, email: &str, who: &str) -> String {
    app.engine
        .grant(email, Role::Candidate, Some(SLATE), Some(who))
        .await
        .expect("grant");
    app.session_for(email).await
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

// ---------------------------------------------------------------- what blocks the unlock

async fn slate_page_and_dashboards_name_what_blocks_the_unlock(app: TestApp) {
    let version = seed(&app, "signers >= 3 and mutual and pledged >= $5,000").await;
    sign_as(&app, "ada-reyes", version).await;
    sign_as(&app, "ben-okafor", version).await;
    endorse(&app, "ada-reyes", "ben-okafor").await;
    pledge(&app, &money(500, "sam@example.org")).await;

    let blockers = [
        "Still needed to unlock:",
        "1 more signature (from any of: Cy Lindqvist)",
        "Ben Okafor has not endorsed Ada Reyes",
        "$4,500 more pledged",
    ];
    let (status, slate) = app.html(&format!("/slates/{SLATE}")).await;
    assert_eq!(status, StatusCode::OK);
    let slate = text(&slate);
    for line in blockers {
        assert!(
            slate.contains(line),
            "the slate page says {line:?}: {slate}"
        );
    }

    let ada = campaign_session(&app, "ada@example.org", "ada-reyes").await;
    let dash = text(&page_as(&app, &ada, &format!("/slates/{SLATE}/campaign")).await);
    for line in &blockers[1..] {
        assert!(dash.contains(line), "the dashboard says {line:?}: {dash}");
    }

    // Once met, nothing is listed as blocking, on either page.
    sign_as(&app, "cy-lindqvist", version).await;
    for (from, to) in [
        ("ben-okafor", "ada-reyes"),
        ("ada-reyes", "cy-lindqvist"),
        ("cy-lindqvist", "ada-reyes"),
        ("ben-okafor", "cy-lindqvist"),
        ("cy-lindqvist", "ben-okafor"),
    ] {
        endorse(&app, from, to).await;
    }
    pledge(&app, &money(4_500, "kim@example.org")).await;
    let (_, slate) = app.html(&format!("/slates/{SLATE}")).await;
    assert!(!slate.contains("Still needed"), "{slate}");
    let dash = text(&page_as(&app, &ada, &format!("/slates/{SLATE}/campaign")).await);
    assert!(!dash.contains("Still needed"), "{dash}");
    assert!(dash.contains("The slate's condition is met"), "{dash}");
}

// ---------------------------------------------------------------- defect 2

/// Regression (issue 16, defect 2): a $20,000 pledge was previewed as an even
/// split while the unlock, within contribution limits, allocated less and
/// left the rest unallocated. The preview runs the unlock's allocation.
async fn split_preview_matches_the_receipt_limits_included(app: TestApp) {
    let version = seed(&app, "signers >= 3").await;
    let limits = json!([
        {"office": "us_house", "cycle": 2028, "limit_cents": 350000},
        {"office": "us_senate", "cycle": 2028, "limit_cents": 350000},
        {"office": "governor", "cycle": 2028, "limit_cents": 350000}
    ]);
    let (status, body) = app
        .call(
            Method::PUT,
            &format!("/api/slates/{SLATE}/limits"),
            Some(&app.organizer),
            Some(&limits),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for who in ["ada-reyes", "ben-okafor", "cy-lindqvist"] {
        sign_as(&app, who, version).await;
    }
    let (status, preview) = app
        .get(&format!("/api/slates/{SLATE}/preview?amount=20000"))
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    let previewed: Vec<(String, i64)> = preview["split"]
        .as_array()
        .expect("a split")
        .iter()
        .map(|s| {
            (
                s["candidate"].as_str().unwrap().to_owned(),
                s["cents"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(preview["unallocated_cents"], 950_000, "{preview}");
    let sentence = preview["split_text"].as_str().expect("a sentence");
    assert!(
        sentence.contains("$3,500 to Ada Reyes")
            && sentence.contains("$9,500 would stay unallocated"),
        "{sentence}"
    );

    let receipt = pledge(&app, &money(20_000, "sam@example.org")).await;
    assert_eq!(receipt["status"], "unlocked", "{receipt}");
    let mut allocated: Vec<(String, i64)> = receipt["allocations"]
        .as_array()
        .expect("allocations")
        .iter()
        .map(|a| {
            (
                a["candidate"].as_str().unwrap().to_owned(),
                a["cents"].as_i64().unwrap(),
            )
        })
        .collect();
    allocated.sort();
    let mut previewed = previewed;
    previewed.sort();
    assert_eq!(allocated, previewed, "the receipt is what the preview said");
    assert_eq!(receipt["unallocated_cents"], preview["unallocated_cents"]);
}

// ---------------------------------------------------------------- defect 1

/// Regression (issue 16, defect 1): after signing, the dashboard said
/// "Waiting for you if you sign $0" while $55,000 was still locked.
async fn campaign_dashboard_after_signing_shows_what_reaches_it_on_unlock(app: TestApp) {
    let version = seed(&app, "signers >= 3").await;
    pledge(&app, &money(55_000, "sam@example.org")).await;
    let ada = campaign_session(&app, "ada@example.org", "ada-reyes").await;
    let path = format!("/slates/{SLATE}/campaign");
    let before = text(&page_as(&app, &ada, &path).await);
    assert!(
        before.contains("Waiting for you if you sign $55,000"),
        "{before}"
    );
    sign_as(&app, "ada-reyes", version).await;
    sign_as(&app, "ben-okafor", version).await;
    let after = text(&page_as(&app, &ada, &path).await);
    assert!(!after.contains("if you sign"), "{after}");
    assert!(
        after.contains("Reaches you when the slate unlocks $27,500"),
        "{after}"
    );
    assert!(
        after.contains("1 more signature (from any of: Cy Lindqvist)"),
        "{after}"
    );
}

// ---------------------------------------------------------------- defect 3

async fn receipt(app: &TestApp, created: &Value) -> String {
    let (status, page) = app
        .html(&format!(
            "/pledges/{}?token={}&new=1",
            created["id"],
            created["receipt_token"].as_str().expect("a receipt token")
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    text(&page)
}

async fn page(app: &TestApp, path: &str) -> String {
    let (status, page) = app.html(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {page}");
    text(&page)
}

fn says(page: &str, yes: &[&str], no: &[&str], what: &str) {
    for s in yes {
        assert!(page.contains(s), "{what} should say {s:?}: {page}");
    }
    for s in no {
        assert!(!page.contains(s), "{what} should not say {s:?}: {page}");
    }
}

/// Regression (issue 16, defect 3): an unlocked slate still said "Unlocks
/// when…" and "Nothing is charged until…", an unlocked receipt "Nothing is
/// charged while it is locked", an hours receipt spoke of stopping a monthly
/// pledge, and the teams page said "Once it unlocked, they were matched" on
/// a locked slate with "Hours pledged 0" beside the hours pledged. Each page
/// is rendered locked, unlocked and broken (locked again).
async fn every_sentence_matches_the_state_it_describes(app: TestApp) {
    let version = seed(&app, "signers >= 2").await;
    let once = pledge(&app, &money(100, "sam@example.org")).await;
    let mut monthly_body = money(20, "mo@example.org");
    monthly_body["recurring"] = json!("monthly");
    let monthly = pledge(&app, &monthly_body).await;
    let hours = pledge(
        &app,
        &json!({
            "kind": "hours", "hours_per_week": 6, "weeks": 10, "skills": [],
            "deadline": "2028-10-01",
            "donor": {"email": "hal@example.org", "name": "Hal Ito", "zip": "19104", "attests_eligible": true}
        }),
    )
    .await;
    let slate_path = format!("/slates/{SLATE}");
    let teams_path = format!("/slates/{SLATE}/teams");

    // Locked.
    says(
        &page(&app, &slate_path).await,
        &["Locked.", "Unlocks when", "Nothing is charged until"],
        &["It unlocked when", "Locked now"],
        "a locked slate",
    );
    says(
        &receipt(&app, &once).await,
        &[
            "Nothing is charged while it is locked",
            "Unlocks when",
            "see and cancel this pledge",
        ],
        &["It unlocked when", "monthly"],
        "a locked money receipt",
    );
    says(
        &receipt(&app, &hours).await,
        &[
            "Nobody is matched with you while it is locked",
            "Unlocks when",
        ],
        &[
            "Nothing is charged while it is locked",
            "monthly",
            "stop this pledge",
        ],
        "a locked hours receipt",
    );
    says(
        &page(&app, &teams_path).await,
        &[
            "The slate is still locked: supporters have pledged 6 volunteer hours a week",
            "Volunteer hours/week pledged to the slate 6",
        ],
        &["Once it unlocked", "The slate unlocked"],
        "the teams page of a locked slate",
    );

    // Unlocked.
    sign_as(&app, "ada-reyes", version).await;
    sign_as(&app, "ben-okafor", version).await;
    says(
        &page(&app, &slate_path).await,
        &[
            "Unlocked.",
            "It unlocked when",
            "a pledge made now unlocks at once",
        ],
        &["Unlocks when", "Nothing is charged until", "Still needed"],
        "an unlocked slate",
    );
    says(
        &receipt(&app, &once).await,
        &["It unlocked when", "to Ada Reyes"],
        &[
            "Nothing is charged while it is locked",
            "Unlocks when",
            "monthly",
        ],
        "an unlocked money receipt",
    );
    says(
        &receipt(&app, &monthly).await,
        &[
            "It unlocked when",
            "see and stop this pledge",
            "Stop this monthly pledge",
        ],
        &["Nothing is charged while it is locked", "Unlocks when"],
        "an unlocked monthly receipt",
    );
    says(
        &receipt(&app, &hours).await,
        &["It unlocked when"],
        &[
            "Nobody is matched with you while it is locked",
            "monthly",
            "stop",
        ],
        "an unlocked hours receipt",
    );
    says(
        &page(&app, &teams_path).await,
        &[
            "The slate unlocked",
            "Volunteer hours/week pledged to the slate 6",
        ],
        &["still locked"],
        "the teams page of an unlocked slate",
    );

    // Broken: Ben withdraws; the slate is locked with money already released.
    let ben = app
        .engine
        .issue_candidate_token(SLATE, "ben-okafor")
        .await
        .expect("a token");
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/slates/{SLATE}/signatures/ben-okafor"),
            Some(&ben),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    says(
        &page(&app, &slate_path).await,
        &[
            "Locked now.",
            "has already been released",
            "Unlocks when",
            "1 more signature (from any of: Ben Okafor, Cy Lindqvist)",
        ],
        &["It unlocked when", "Unlocked."],
        "a broken slate",
    );
    says(
        &page(&app, &teams_path).await,
        &["The slate is locked now. Hours already unlocked were matched into teams"],
        &["The slate unlocked", "still locked:"],
        "the teams page of a broken slate",
    );
}

// ---------------------------------------------------------------- the endorsement web

async fn the_endorsement_web_is_drawn_and_listed(app: TestApp) {
    let version = seed(&app, "signers >= 3 and mutual").await;
    for who in ["ada-reyes", "ben-okafor", "cy-lindqvist"] {
        sign_as(&app, who, version).await;
    }
    endorse(&app, "ada-reyes", "ben-okafor").await;
    endorse(&app, "ben-okafor", "ada-reyes").await;
    endorse(&app, "ada-reyes", "cy-lindqvist").await;
    let (status, html) = app.html(&format!("/slates/{SLATE}")).await;
    assert_eq!(status, StatusCode::OK);
    // The picture: one mutual edge, one one-way edge missing its return,
    // one missing edge; each line titled in words.
    assert_eq!(
        html.matches("<line class=\"edge mutual\"").count(),
        1,
        "{html}"
    );
    assert_eq!(
        html.matches("<line class=\"edge one-way missing\"").count(),
        1,
        "{html}"
    );
    assert_eq!(
        html.matches("<line class=\"edge missing\"").count(),
        1,
        "{html}"
    );
    assert!(html.contains("role=\"img\" aria-labelledby=\"web-title web-desc\""));
    // The text equivalent lists every edge and every missing one.
    says(
        &text(&html),
        &[
            "Mutual endorsements Ada Reyes and Ben Okafor endorse each other",
            "One-way endorsements Ada Reyes endorses Cy Lindqvist",
            "Missing among signers Cy Lindqvist has not endorsed Ada Reyes back Ben Okafor and Cy Lindqvist have not endorsed each other",
        ],
        &[],
        "the endorsement web",
    );
}

// ---------------------------------------------------------------- the log

async fn the_log_reads_as_sentences(app: TestApp) {
    let version = seed(&app, "signers >= 1").await;
    let signed = sign_as(&app, "ada-reyes", version).await;
    let _ = signed;
    pledge(&app, &money(100, "sam@example.org")).await;
    endorse(&app, "ada-reyes", "ben-okafor").await;
    let ada = app
        .engine
        .issue_candidate_token(SLATE, "ada-reyes")
        .await
        .expect("a token");
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/slates/{SLATE}/signatures/ada-reyes"),
            Some(&ada),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, slate) = app.get(&format!("/api/slates/{SLATE}")).await;
    let hash: String = slate["compact"]["hash"]
        .as_str()
        .expect("a hash")
        .chars()
        .take(12)
        .collect();
    let log = page(&app, &format!("/slates/{SLATE}/log")).await;
    says(
        &log,
        &[
            "Version 1 of the compact was published (hash",
            &format!("Ada Reyes signed version 1 of the compact (hash {hash}"),
            "1 pledge unlocked, with 1 signer",
            "A pledge was made",
            "Ada Reyes endorsed Ben Okafor",
            "Ada Reyes withdrew their signature",
        ],
        &["$100", "{\""],
        "the log",
    );
    // Every page footer that mentions the log links to it.
    let (_, html) = app.html(&format!("/slates/{SLATE}")).await;
    assert!(
        html.contains(&format!(
            "<a href=\"/slates/{SLATE}/log\">an append-only log</a>"
        )),
        "{html}"
    );
}

// ---------------------------------------------------------------- defect 12

/// Defect 12: the organizer's pledges export dropped what an action pledge
/// promises (doors, calls, texts), so a CSV of action pledges said nothing.
async fn pledges_csv_keeps_the_door_call_and_text_counts(app: TestApp) {
    seed(&app, "signers >= 2").await;
    pledge(
        &app,
        &json!({
            "kind": "actions", "actions": {"doors": 40, "calls": 25, "texts": 300},
            "donor": {"email": "ada@example.org", "name": "Ada Knock"}
        }),
    )
    .await;
    pledge(&app, &money(50, "sam@example.org")).await;
    app.engine
        .grant("org@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("grant");
    let session = app.session_for("org@example.org").await;
    let csv = page_as(
        &app,
        &session,
        &format!("/slates/{SLATE}/exports/pledges.csv"),
    )
    .await;
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("no {name} column in {header:?}"))
    };
    let (doors, calls, texts, kind) = (col("doors"), col("calls"), col("texts"), col("kind"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let acts = rows
        .iter()
        .find(|r| r[kind] == "actions")
        .expect("the action pledge");
    assert_eq!((acts[doors], acts[calls], acts[texts]), ("40", "25", "300"));
    let gift = rows.iter().find(|r| r[kind] == "money").expect("the money");
    assert_eq!((gift[doors], gift[calls], gift[texts]), ("", "", ""));
}

/// Regression: a slate with no money pledged (no pledges, or hours only)
/// said "$0.00 of $0.00 pledged has unlocked" above an empty bar.
async fn an_empty_pot_says_no_money_is_pledged_yet(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let path = format!("/slates/{SLATE}");
    for p in [path.as_str(), "/"] {
        says(
            &page(&app, p).await,
            &["No money pledged yet"],
            &["pledged has unlocked"],
            "a slate nobody has pledged to",
        );
    }
    pledge(
        &app,
        &json!({
            "kind": "hours", "hours_per_week": 6, "weeks": 10, "skills": [],
            "deadline": "2028-10-01",
            "donor": {"email": "hal@example.org", "name": "Hal Ito", "zip": "19104", "attests_eligible": true}
        }),
    )
    .await;
    says(
        &page(&app, &path).await,
        &["No money pledged yet"],
        &["pledged has unlocked"],
        "a slate with only hours pledged",
    );
    pledge(&app, &money(100, "sam@example.org")).await;
    says(
        &page(&app, &path).await,
        &["$0 of $100 pledged has unlocked"],
        &["No money pledged yet"],
        "a slate with $100 pledged",
    );
}
