//! End to end in a real headless Chromium (Debian's, via chromedriver): a
//! supporter pledges through the form, a candidate signs and endorses from
//! their dashboard, the pledge unlocks, the supporter's dashboard shows the
//! allocation, and the organizer exports the CSV. Every page is screenshotted
//! to `target/e2e-artifacts/` and checked with axe-core: no serious or
//! critical accessibility violations.

use cohort_testkit as common;

use cohort_store::Role;
use common::webdriver::Browser;
use common::{seed, TestApp, SLATE};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pledge_unlocks_end_to_end_in_a_real_browser() {
    let app = TestApp::sqlite().await;
    seed(&app, "signers >= 1").await;
    let e = &app.engine;
    e.grant(
        "ada@example.org",
        Role::Candidate,
        Some(SLATE),
        Some("ada-reyes"),
    )
    .await
    .expect("grant");
    e.grant("org@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("grant");
    let b = Browser::start().await;

    b.goto(&app.url("/")).await;
    b.wait_for_text("River Caucus").await;
    b.check("01-home").await;
    b.goto(&app.url(&format!("/slates/{SLATE}"))).await;
    b.wait_for_text("Clean water").await;
    b.check("02-slate").await;

    // The supporter pledges through the form; the script previews as they type.
    b.goto(&app.url(&format!("/slates/{SLATE}/pledge?ref=river-union")))
        .await;
    b.type_into("#amount", "$100").await;
    b.type_into("#condition", "signers >=").await;
    b.wait_for_text("expected a number after '>=' at column 11")
        .await;
    b.type_into("#condition", "signed(\"ada-reyes\")").await;
    b.wait_for_text("Your pledge unlocks when ada-reyes has signed")
        .await;
    b.type_into("#name", "Eve Marsh").await;
    b.type_into("#email", "eve@example.org").await;
    b.type_into("#zip", "10001").await;
    b.click("input[name=attests]").await;
    b.check("03-pledge-form").await;
    b.click("button[value=pledge]").await;
    b.wait_for_text("your pledge is saved").await;
    assert!(b.url().await.contains("&new=1"), "{}", b.url().await);
    b.check("04-pledge-confirmation").await;
    // Its payment page (this app takes pledges only, and says so).
    let pledge_url = b.url().await;
    let (path, query) = pledge_url.split_once('?').expect("a receipt query");
    b.goto(&format!("{path}/payment?{query}")).await;
    b.wait_for_text("Pledges only").await;
    b.check("04b-payment").await;
    app.mail.wait_for("eve@example.org", "Your pledge").await;

    // Eve also gives monthly (through the API), to stop once it unlocks.
    let (status, monthly) = app
        .call(
            reqwest::Method::POST,
            &format!("/api/slates/{SLATE}/pledges"),
            None,
            Some(&json!({
                "kind": "money", "amount_cents": 2_000, "recurring": "monthly",
                "condition": "signed(\"ada-reyes\")",
                "donor": {"email": "eve@example.org", "name": "Eve Marsh", "attests_eligible": true}
            })),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{monthly}");
    let monthly_page = app.url(&format!(
        "/pledges/{}?token={}",
        monthly["id"],
        monthly["receipt_token"].as_str().expect("a receipt token")
    ));

    // Ada's campaign signs and endorses from the dashboard.
    b.sign_in(&app, "ada@example.org").await;
    b.goto(&app.url(&format!("/slates/{SLATE}/campaign"))).await;
    b.wait_for_text("Waiting for you if you sign").await;
    b.check("05-campaign-dashboard").await;
    b.click("button[value=sign]").await;
    // Signing asks first, showing the version and its content hash (issue 16, defect 5).
    b.wait_for_text("Content hash of version 1").await;
    b.click("button[value=sign]").await;
    b.wait_for_text("You signed this version").await;
    b.click("button[value=endorse]").await;
    b.wait_for_text("Endorsement recorded").await;
    b.check("06-campaign-signed").await;

    // The pledge unlocked; the supporter sees what it became.
    b.sign_in(&app, "eve@example.org").await;
    b.wait_for_text("$100 to Ada Reyes").await;
    assert!(
        b.source().await.contains("value=\"Eve Marsh\""),
        "the account takes the name given with the pledge"
    );
    b.check("07-supporter-dashboard").await;
    // The monthly pledge unlocked too; its receipt offers to stop it.
    b.goto(&monthly_page).await;
    b.wait_for_text("The months already given stay with the candidates")
        .await;
    b.check("07b-stop-a-monthly-pledge").await;
    b.click("form[action$='/stop'] button").await;
    b.wait_for_text("Your monthly pledge is stopped").await;
    b.check("07c-monthly-pledge-stopped").await;

    // The organizer sees totals over time and exports the allocations.
    app.engine.tick().await.expect("tick");
    app.clock.set(common::now() + chrono::Duration::days(1));
    app.engine.tick().await.expect("tick");
    b.sign_in(&app, "org@example.org").await;
    b.goto(&app.url(&format!("/slates/{SLATE}/organize"))).await;
    b.wait_for_text("Allocated to each candidate").await;
    b.check("08-organizer-dashboard").await;
    let csv = b
        .script_async(
            "const done = arguments[arguments.length - 1];\
             fetch(arguments[0]).then(r => r.text()).then(done, e => done('failed: ' + e));",
            json!([format!("/slates/{SLATE}/exports/allocations.csv")]),
        )
        .await;
    let csv = csv.as_str().unwrap_or("");
    assert!(csv.starts_with("pledge_id,"), "{csv}");
    assert!(
        csv.contains("ada-reyes,Ada Reyes,") && csv.contains(",100.00,Eve Marsh,eve@example.org,"),
        "{csv}"
    );

    // The organizer edits the slate; the condition previews live as typed.
    b.click("a[href$='/organize/edit']").await;
    b.wait_for_text("Edit River Caucus").await;
    b.script(
        "document.getElementById('condition').value = '';",
        json!([]),
    )
    .await;
    b.type_into("#condition", "signers >= 3 and mutual").await;
    b.wait_for_text("every signer endorses every other signer")
        .await;
    b.check("09-organizer-edits-the-slate").await;
    b.click("button[value=save]").await;
    b.wait_for_text("Slate saved").await;

    // Committee records (from the exports section): a refused one says
    // why and keeps what was typed.
    b.click("nav a[href$='/organize/exports']").await;
    b.wait_for_text("For the treasurer").await;
    b.click("a[href$='/committees']").await;
    b.wait_for_text("Committee records").await;
    for (field, value) in [
        ("#ada-reyes-name", "Ada Reyes for Congress"),
        ("#ada-reyes-fec", "C00123"),
        ("#ada-reyes-cand", "H8NY10123"),
        ("#ada-reyes-tf", "Tess"),
        ("#ada-reyes-tl", "Urer"),
        ("#ada-reyes-s1", "12 Canal St"),
        ("#ada-reyes-city", "New York"),
        ("#ada-reyes-state", "NY"),
        ("#ada-reyes-zip", "10013"),
    ] {
        b.type_into(field, value).await;
    }
    b.click("form[action$='/committees/ada-reyes'] button")
        .await;
    b.wait_for_text("must be a C followed by 8 digits").await;
    b.check("10-committee-records").await;

    // The conduit's operator keeps the books: its own record first.
    app.engine
        .grant("treasurer@example.org", Role::Organizer, None, None)
        .await
        .expect("grant");
    b.sign_in(&app, "treasurer@example.org").await;
    b.goto(&app.url("/books")).await;
    b.wait_for_text("Not recorded yet").await;
    for (field, value) in [
        ("#conduit-name", "Cohort PAC"),
        ("#conduit-fec", "C0090000"),
        ("#conduit-tf", "Trea"),
        ("#conduit-tl", "Surer"),
        ("#conduit-s1", "1 Conduit Way"),
        ("#conduit-city", "Washington"),
        ("#conduit-state", "DC"),
        ("#conduit-zip", "20001"),
    ] {
        b.type_into(field, value).await;
    }
    b.click("form[action='/books/conduit'] button").await;
    b.wait_for_text("must be a C followed by 8 digits").await;
    b.type_into("#conduit-fec", "C00900001").await;
    b.click("form[action='/books/conduit'] button").await;
    b.wait_for_text("record is saved").await;
    b.check_wide_and_phone("11-books").await;
}
