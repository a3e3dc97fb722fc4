//! Receipts carry proofs (issue 18) in a real headless Chromium: a pledge's
//! receipt page before the log has it ("not yet sequenced") and after (leaf,
//! checkpoint, proof link, audit command), and a signer's page with their
//! signature's leaf; each checked with axe-core at 1280 and 390 px, and
//! nothing scrolls sideways at 390 px (the hashes and the command wrap).

mod common;

use cohort_tlog::CheckpointSigner;
use common::webdriver::Browser;
use common::{log_keys, seed, sign_as, TestApp, SLATE};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_receipt_and_signature_proofs_read_well_at_both_widths() {
    let app = TestApp::sqlite().await;
    let signer = CheckpointSigner::new(&log_keys().0).expect("signer");
    let version = seed(&app, "signers >= 2").await;
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
        .expect("answer");
    let (_, created) = common::read(res).await;
    let id = created["id"].as_i64().expect("id");
    let receipt = created["receipt_token"]
        .as_str()
        .expect("receipt")
        .to_owned();
    let page = app.url(&format!("/pledges/{id}?token={receipt}"));

    let b = Browser::start().await;
    b.goto(&page).await;
    b.wait_for_text("Not yet sequenced").await;
    b.check_fits("receipt-not-yet-logged").await;

    sign_as(&app, "ada-reyes", version).await;
    app.engine
        .sequence_log_all(&signer)
        .await
        .expect("sequence");
    b.goto(&page).await;
    b.wait_for_text("Leaf index").await;
    b.wait_for_text("cohort audit").await;
    b.check_fits("receipt-with-proof").await;

    b.goto(&app.url(&format!("/slates/{SLATE}/candidates/ada-reyes")))
        .await;
    b.wait_for_text("Leaf index").await;
    b.check_fits("signature-with-proof").await;
}
