//! API tokens (issue 14, finding 11): a name, a creation time, an optional
//! expiry, `cohort token list` and `cohort token revoke ID`, a clear 401 for
//! an expired or revoked token, only hashes in the database, and a demo that
//! prints the same token at every start instead of minting another.

use cohort_testkit as common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::ScratchPg;
use serde_json::Value;
use sha2::{Digest, Sha256};

const BIN: &str = env!("CARGO_BIN_EXE_cohort");

fn cohort(db: &[String], args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .args(db)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run cohort");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scratch(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "cohort-tokens-{tag}-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
    ))
}

/// `cohort token` issues, lists and revokes; the database holds only hashes.
async fn token_command(db: Vec<String>, stored: impl AsyncFn(&str) -> Vec<String>) {
    let (ok, token, err) = cohort(
        &db,
        &[
            "token",
            "--role",
            "organizer",
            "--name",
            "ci",
            "--expires",
            "30d",
        ],
    );
    assert!(ok, "{err}");
    let token = token.trim().to_owned();
    assert_eq!(token.len(), 48, "{token}");
    let (ok, _, err) = cohort(
        &db,
        &["token", "--role", "organizer", "--expires", "2020-01-01"],
    );
    assert!(!ok && err.contains("expires"), "{err}");
    let (ok, _, err) = cohort(&db, &["token", "--role", "organizer", "--expires", "soon"]);
    assert!(!ok && err.contains("expires"), "{err}");
    let (ok, _, err) = cohort(&db, &["token"]);
    assert!(!ok && err.contains("--role"), "{err}");

    let (ok, list, err) = cohort(&db, &["token", "list", "--json"]);
    assert!(ok, "{err}");
    let rows: Vec<Value> = list
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 1, "{list}");
    assert_eq!(rows[0]["name"], "ci");
    assert_eq!(rows[0]["role"], "organizer");
    assert_eq!(rows[0]["scope"], "every slate");
    assert_eq!(rows[0]["state"], "active");
    assert!(rows[0]["expires_at"].is_string(), "{list}");
    assert!(!list.contains(&token), "the list never shows a token");
    let id = rows[0]["id"].as_i64().expect("an id").to_string();

    // Only the hash is stored.
    let hashes = stored(&token).await;
    assert_eq!(hashes, vec![hex::encode(Sha256::digest(token.as_bytes()))]);

    let (ok, out, err) = cohort(&db, &["token", "revoke", &id]);
    assert!(ok, "{err}");
    assert!(out.contains("revoked"), "{out}");
    let (ok, table, _) = cohort(&db, &["token", "list"]);
    assert!(ok);
    assert!(
        table.lines().nth(1).is_some_and(|l| l.ends_with("revoked")),
        "{table}"
    );
    let (ok, _, err) = cohort(&db, &["token", "revoke", &id]);
    assert!(!ok && err.contains("already revoked"), "{err}");
    let (ok, _, err) = cohort(&db, &["token", "revoke", "999"]);
    assert!(!ok && err.contains("999"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_command_lists_and_revokes_and_stores_only_hashes_sqlite() {
    let dir = scratch("cli");
    let db = vec!["--data-dir".to_owned(), dir.display().to_string()];
    let file = dir.join("cohort.db");
    token_command(db, async |token: &str| {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display()))
            .await
            .expect("SQLite");
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM tokens WHERE hash = ?1 OR name = ?1")
            .bind(token)
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(n, 0, "the token itself is nowhere");
        sqlx::query_scalar("SELECT hash FROM tokens")
            .fetch_all(&mut c)
            .await
            .unwrap()
    })
    .await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_command_lists_and_revokes_and_stores_only_hashes_postgres() {
    let Some(pg) = ScratchPg::create().await else {
        return;
    };
    let db = vec!["--database-url".to_owned(), pg.url.clone()];
    let url = pg.url.clone();
    token_command(db, async |token: &str| {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(&url).await.expect("PostgreSQL");
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM tokens WHERE hash = $1 OR name = $1")
            .bind(token)
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(n, 0, "the token itself is nowhere");
        sqlx::query_scalar("SELECT hash FROM tokens")
            .fetch_all(&mut c)
            .await
            .unwrap()
    })
    .await;
}

/// `serve --demo` until it prints its organizer token; answers the token.
fn demo_token(dir: &Path, db: &[String]) -> String {
    let mut child = Command::new(BIN)
        .args(["serve", "--demo", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .args(db)
        .env("RUST_LOG", "warn")
        .env_remove("COHORT_SMTP_HOST")
        .env_remove("COHORT_STRIPE_SECRET_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start cohort");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let token = loop {
        let line = lines
            .next()
            .expect("cohort exited before printing its token")
            .expect("read stdout");
        if let Some(t) = line.trim().strip_prefix("organizer token:") {
            break t.trim().to_owned();
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    token
}

fn the_demo_prints_the_same_token_at_every_start(db: Vec<String>) {
    let dir = scratch("demo");
    let first = demo_token(&dir, &db);
    let second = demo_token(&dir, &db);
    assert_eq!(first, second, "the demo reuses its token");
    let (ok, list, err) = cohort(&db_or_dir(&db, &dir), &["token", "list", "--json"]);
    assert!(ok, "{err}");
    let demo: Vec<&str> = list
        .lines()
        .filter(|l| l.contains("\"name\":\"demo\""))
        .collect();
    assert_eq!(demo.len(), 1, "one demo token: {list}");
    // Revoked, the next start mints (and keeps) a new one.
    let id = serde_json::from_str::<Value>(demo[0]).unwrap()["id"].to_string();
    assert!(cohort(&db_or_dir(&db, &dir), &["token", "revoke", &id]).0);
    let third = demo_token(&dir, &db);
    assert_ne!(third, first);
    assert_eq!(demo_token(&dir, &db), third);
    let _ = std::fs::remove_dir_all(&dir);
}

fn db_or_dir(db: &[String], dir: &Path) -> Vec<String> {
    if db.is_empty() {
        vec!["--data-dir".to_owned(), dir.display().to_string()]
    } else {
        db.to_vec()
    }
}

#[test]
fn the_demo_prints_the_same_token_at_every_start_sqlite() {
    the_demo_prints_the_same_token_at_every_start(Vec::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_prints_the_same_token_at_every_start_postgres() {
    let Some(pg) = ScratchPg::create().await else {
        return;
    };
    let db = vec!["--database-url".to_owned(), pg.url.clone()];
    tokio::task::spawn_blocking(move || the_demo_prints_the_same_token_at_every_start(db))
        .await
        .unwrap();
}
