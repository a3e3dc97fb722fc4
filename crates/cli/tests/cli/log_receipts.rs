//! Receipts carry proofs (issue 18): a pledge's private receipt page and a
//! signer's candidate page show their leaf in the transparency log, the
//! signed checkpoint that includes it and the proof, and the proof they
//! link verifies against that checkpoint; `cohort audit` run exactly as the
//! receipt page spells it passes. Sequencing is called directly.

use cohort_testkit as common;

use cohort_tlog::tree;
use cohort_tlog::{b64, hash_from_b64, CheckpointSigner, CheckpointVerifier, Hash};
use common::{log_keys, seed, sign_as, TestApp, SLATE};
use reqwest::StatusCode;
use serde_json::Value;

both_backends!(
    the_receipt_page_shows_its_leaf_and_a_proof_that_verifies,
    a_signers_page_shows_the_signature_leaf_and_its_proof,
);

fn keys() -> (CheckpointSigner, CheckpointVerifier, String) {
    let (skey, vkey) = log_keys();
    (
        CheckpointSigner::new(&skey).expect("signer"),
        CheckpointVerifier::new(&vkey).expect("verifier"),
        vkey,
    )
}

async fn signed_checkpoint(app: &TestApp, v: &CheckpointVerifier) -> (u64, Hash) {
    let res = app
        .client
        .get(app.url("/log/checkpoint"))
        .send()
        .await
        .expect("answer");
    assert_eq!(res.status(), StatusCode::OK);
    let c = v
        .open(&res.text().await.expect("text"))
        .expect("the checkpoint verifies");
    (c.size, c.root)
}

/// The text between `before` and the next `after` in `html`.
fn between<'a>(html: &'a str, before: &str, after: &str) -> &'a str {
    let start = html
        .find(before)
        .unwrap_or_else(|| panic!("{before:?} not in {html}"))
        + before.len();
    let len = html[start..].find(after).expect("the end");
    &html[start..start + len]
}

/// The page's leaf index and its proof link, checked against the signed
/// checkpoint: the link's proof verifies for the leaf it names.
async fn check_box(app: &TestApp, html: &str, v: &CheckpointVerifier) -> (u64, Value) {
    let (size, root) = signed_checkpoint(app, v).await;
    let index: u64 = between(html, "Leaf index: <strong>", "</strong>")
        .parse()
        .expect("a leaf index");
    let shown_size: u64 = between(html, "checkpoint of <strong>", "</strong>")
        .parse()
        .expect("a size");
    assert_eq!(shown_size, size, "{html}");
    assert!(
        html.contains(&format!("<code class=\"hash\">{}</code>", b64(&root.0))),
        "the page shows the signed root: {html}"
    );
    let link = between(html, "<a href=\"/log/proof/inclusion?", "\"").replace("&amp;", "&");
    assert_eq!(link, format!("index={index}&size={size}"));
    let (status, proof) = app.get(&format!("/log/proof/inclusion?{link}")).await;
    assert_eq!(status, StatusCode::OK, "{proof}");
    let (status, leaf) = app.get(&format!("/log/leaves/{index}")).await;
    assert_eq!(status, StatusCode::OK, "{leaf}");
    let leaf_hash = hash_from_b64(leaf["leaf_hash"].as_str().expect("hash")).expect("a hash");
    let path: Vec<Hash> = proof["proof"]
        .as_array()
        .expect("proof")
        .iter()
        .map(|h| hash_from_b64(h.as_str().expect("text")).expect("a hash"))
        .collect();
    assert!(tree::check_inclusion(&path, size, root, index, leaf_hash));
    (index, leaf)
}

async fn the_receipt_page_shows_its_leaf_and_a_proof_that_verifies(app: TestApp) {
    let (signer, verifier, vkey) = keys();
    let version = seed(&app, "signers >= 2").await;
    let (id, receipt) = common::pledge_50(&app).await;
    let commitment = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(format!("{id}:{receipt}").as_bytes()))
    };
    let page = format!("/pledges/{id}?token={receipt}");

    // Before the sequencer reaches it: the commitment, and that it is coming.
    let (status, html) = app.html(&page).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(&commitment), "{html}");
    assert!(html.contains("Not yet sequenced"), "{html}");
    assert!(!html.contains("Leaf index"), "{html}");

    // Other events after it, so its leaf is not simply the last one.
    app.engine
        .sequence_log_all(&signer)
        .await
        .expect("sequence");
    sign_as(&app, "ada-reyes", version).await;
    app.engine
        .sequence_log_all(&signer)
        .await
        .expect("sequence");

    let (status, html) = app.html(&page).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(!html.contains("Not yet sequenced"), "{html}");
    let (index, leaf) = check_box(&app, &html, &verifier).await;
    let (_, view) = app.get(&format!("/api/pledges/{id}?token={receipt}")).await;
    assert_eq!(view["log"]["leaf_index"], index, "{view}");
    assert_eq!(leaf["leaf"]["kind"], "pledged", "{leaf}");
    assert_eq!(
        leaf["leaf"]["payload"]["receipt_commitment"],
        commitment.as_str(),
        "{leaf}"
    );

    // The command the page prints, run as printed, passes.
    let command = format!(
        "cohort audit {} --key {vkey} --receipt {id}:{receipt}",
        app.base
    );
    assert!(html.contains(&command), "{command} not in {html}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cohort"))
        .args(command.split(' ').skip(1))
        .output()
        .expect("cohort runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains(&format!("leaf {index}")), "{text}");
}

async fn a_signers_page_shows_the_signature_leaf_and_its_proof(app: TestApp) {
    let (signer, verifier, vkey) = keys();
    let version = seed(&app, "signers >= 2").await;
    let page = format!("/slates/{SLATE}/candidates/ada-reyes");
    let (_, html) = app.html(&page).await;
    assert!(!html.contains("In the public log"), "unsigned: {html}");

    sign_as(&app, "ada-reyes", version).await;
    let (_, html) = app.html(&page).await;
    assert!(html.contains("Not yet sequenced"), "{html}");

    app.engine
        .sequence_log_all(&signer)
        .await
        .expect("sequence");
    sign_as(&app, "ben-okafor", version).await;
    app.engine
        .sequence_log_all(&signer)
        .await
        .expect("sequence");
    let (status, html) = app.html(&page).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let (_, leaf) = check_box(&app, &html, &verifier).await;
    assert_eq!(leaf["leaf"]["kind"], "signed", "{leaf}");
    assert_eq!(leaf["leaf"]["payload"]["candidate"], "ada-reyes", "{leaf}");
    assert_eq!(leaf["leaf"]["payload"]["version"], version, "{leaf}");
    assert!(
        html.contains(&format!("cohort audit {} --key {vkey}", app.base)),
        "{html}"
    );
}
