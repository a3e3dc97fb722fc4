//! A slate's conversation (issue 4) on both backends: seeding, voting (last
//! vote wins), moderation, roles over real HTTP, the stored analysis against
//! `cohort_consensus::analyze` on the same votes (cold and warm), and
//! adopting a statement as a plank of the next compact version.

use cohort_testkit as common;

use reqwest::StatusCode;

// ------------------------------------------------ the loop in `cohort serve`

/// The number in "covering N votes" on a results page.
fn votes_covered(html: &str) -> Option<u64> {
    let rest = &html[html.find("covering ")? + "covering ".len()..];
    rest.split_whitespace().next()?.parse().ok()
}

/// The real binary's background loop recomputes the results after a vote
/// arrives over HTTP, while the vote itself answers at once.
#[tokio::test]
async fn the_served_app_recomputes_results_in_the_background_after_a_vote() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    use std::sync::Arc;

    const DEMO: &str = "people-first-2028";
    let dir = std::env::temp_dir().join(format!(
        "cohort-recompute-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
    ));
    let mut child = Command::new(env!("CARGO_BIN_EXE_cohort"))
        .args(["serve", "--demo", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(&dir)
        .env("RUST_LOG", "warn")
        .env_remove("COHORT_SMTP_HOST")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start cohort");
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let _child = Kill(child);
    let base = loop {
        let line = lines
            .next()
            .expect("cohort exited before printing its URL")
            .expect("read stdout");
        if let Some(rest) = line.strip_prefix("Cohort is running at ") {
            break rest.trim().trim_end_matches('/').to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});

    // A supporter signs in by the emailed link, read from the shared database's outbox.
    let store: Arc<dyn cohort_store::Store> = Arc::new(
        cohort_store_sqlite::SqliteStore::open_dir(&dir)
            .await
            .expect("open the served database"),
    );
    let engine = cohort_engine::Engine::with_store(store);
    let session = common::session_for(&engine, "voter@example.net").await;

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let get = |path: String, cookie: Option<String>| {
        let mut req = client.get(format!("{base}{path}"));
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        async move {
            let res = req.send().await.expect("an answer");
            assert_eq!(res.status(), StatusCode::OK);
            res.text().await.expect("a body")
        }
    };
    let results = format!("/slates/{DEMO}/conversation/results");
    let before = votes_covered(&get(results.clone(), None).await).expect("the demo's results");

    let vote_page = get(
        format!("/slates/{DEMO}/conversation"),
        Some(format!("cohort_session={session}")),
    )
    .await;
    let marker = "name=\"statement\" value=\"";
    let at = vote_page.find(marker).expect("a statement to vote on") + marker.len();
    let statement: String = vote_page[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let csrf = common::csrf_in(&vote_page).expect("the vote form's CSRF token");
    let res = client
        .post(format!("{base}/slates/{DEMO}/conversation/vote"))
        .header("cookie", format!("cohort_session={session}"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("statement", statement.as_str()),
            ("vote", "agree"),
        ])
        .send()
        .await
        .expect("the vote answers");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the vote is taken");

    // Nobody recomputes but the served app's own loop; wait for it (bounded).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let covered = votes_covered(&get(results.clone(), None).await);
        if covered == Some(before + 1) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the results never came to cover the new vote: still {covered:?}, was {before}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}
