//! Receipts carry proofs (issue 18) in a real headless Chromium: a pledge's
//! receipt page before the log has it ("not yet sequenced") and after (leaf,
//! checkpoint, proof link, audit command), and a signer's page with their
//! signature's leaf; each checked with axe-core at 1280 and 390 px, and
//! nothing scrolls sideways at 390 px (the hashes and the command wrap).

use cohort_testkit as common;

use cohort_tlog::CheckpointSigner;
use common::webdriver::Browser;
use common::{log_keys, seed, sign_as, TestApp, SLATE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_receipt_and_signature_proofs_read_well_at_both_widths() {
    let app = TestApp::sqlite().await;
    let signer = CheckpointSigner::new(&log_keys().0).expect("signer");
    let version = seed(&app, "signers >= 2").await;
    let (id, receipt) = common::pledge_50(&app).await;
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
