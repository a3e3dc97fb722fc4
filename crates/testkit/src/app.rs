//! The real application on a real socket with a fresh database, for HTTP tests.
//!
//! `TestApp::sqlite()` uses a new SQLite file under the system temp dir;
//! `TestApp::postgres()` creates a new database on the server named by
//! `COHORT_TEST_PG` (default `postgres://postgres@127.0.0.1:5432/test`) and
//! fails loudly if it can't, unless `COHORT_SKIP_PG=1`.

#![allow(dead_code)]

pub mod jar;
pub mod localstripe;
pub mod smtp;
pub mod webdriver;

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, TimeZone, Utc};
use cohort_engine::{Engine, FixedClock, OsTokens};
use cohort_store::Store;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::{Connection, Executor};

/// Runs each named `async fn(TestApp)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::TestApp::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = super::TestApp::postgres().await {
                        super::$name(app).await;
                    }
                }
            )*
        }
    };
}

// ---------------------------------------------------------------- shared fixtures

pub const SLATE: &str = "river-caucus";

pub fn candidate(
    slug: &str,
    name: &str,
    office: &str,
    state: &str,
    district: Option<&str>,
) -> Value {
    json!({
        "slug": slug, "name": name, "office": office, "state": state, "district": district,
        "primary_date": "2028-06-23", "general_date": "2028-11-07"
    })
}

/// A slate with `condition`, three candidates in three states and one
/// published compact; answers the compact's version.
pub async fn seed(app: &TestApp, condition: &str) -> i64 {
    let (status, slate) = app
        .organize(
            "/api/slates",
            json!({
                "slug": SLATE, "name": "River Caucus", "cycle": 2028,
                "description": "Candidates along the river who govern as a bloc.",
                "condition": condition
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{slate}");
    assert_eq!(slate["slug"], SLATE);
    for c in [
        candidate("ada-reyes", "Ada Reyes", "us_house", "NY", Some("10")),
        candidate("ben-okafor", "Ben Okafor", "us_senate", "OH", None),
        candidate("cy-lindqvist", "Cy Lindqvist", "governor", "MN", None),
    ] {
        let (status, body) = app
            .organize(&format!("/api/slates/{SLATE}/candidates"), c)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    publish(app).await
}

pub async fn publish(app: &TestApp) -> i64 {
    let (status, body) = app
        .organize(
            &format!("/api/slates/{SLATE}/compact"),
            json!({
                "commitments": ["Cross-endorse every other signer", "Vote as a bloc on the platform"],
                "planks": [{"title": "Clean water", "why": "Every town on the river drinks from it."}]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["hash"].as_str().map(str::len), Some(64), "{body}");
    body["version"].as_i64().expect("a version")
}

/// Committee records for the two federal candidates of `seed` (Cy runs for
/// governor): without them nothing is charged.
pub async fn record_committees(app: &TestApp) {
    for (who, committee, candidate, state, zip) in [
        ("ada-reyes", "C00100001", "H8NY10001", "NY", "10001"),
        ("ben-okafor", "C00200002", "S8OH00002", "OH", "43215"),
    ] {
        let (status, body) = app
            .call(
                Method::PUT,
                &format!("/api/slates/{SLATE}/candidates/{who}/committee"),
                Some(&app.organizer),
                Some(&json!({"name": format!("{who} for Congress"), "fec_committee_id": committee,
                    "fec_candidate_id": candidate, "treasurer_first": "Tess", "treasurer_last": "Urer",
                    "street1": "1 Main St", "city": "Capital", "state": state, "zip": zip})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

/// `seed`, with the committees collection needs.
pub async fn seed_paid(app: &TestApp, condition: &str) -> i64 {
    let version = seed(app, condition).await;
    record_committees(app).await;
    version
}

/// `who`'s campaign signs compact `version` through the API; answers the
/// answer (`unlocked`: how many pledges the signature unlocked).
pub async fn sign_as(app: &TestApp, who: &str, version: i64) -> Value {
    let token = app
        .engine
        .issue_candidate_token(SLATE, who)
        .await
        .expect("a candidate token");
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/slates/{SLATE}/signatures"),
            Some(&token),
            Some(&json!({"candidate": who, "version": version})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

/// Every host of a proposed joint event (`e`, the API's answer) confirms
/// with their campaign's token, as API.md's confirm route takes it.
pub async fn confirm_hosts(app: &TestApp, e: &Value) {
    let id = e["id"].as_i64().expect("id");
    for h in e["hosts"].as_array().expect("hosts") {
        let who = h["candidate"].as_str().expect("slug");
        let t = app
            .engine
            .issue_candidate_token(SLATE, who)
            .await
            .expect("token");
        let (status, body) = app
            .call(
                reqwest::Method::POST,
                &format!("/api/joint-events/{id}/hosts/{who}/confirm"),
                Some(&t),
                None,
            )
            .await;
        assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    }
}

/// Sam Doe's $50 one-time money pledge to the test slate, over the JSON
/// API without an account; answers its id and receipt token.
pub async fn pledge_50(app: &TestApp) -> (i64, String) {
    let res = app
        .client
        .post(app.url(&format!("/api/slates/{SLATE}/pledges")))
        .json(&serde_json::json!({
            "kind": "money", "amount_cents": 5000, "recurring": "once",
            "donor": {"email": "sam@example.org", "name": "Sam Doe", "zip": "10001",
                "employer": "Acme", "occupation": "Engineer", "attests_eligible": true}
        }))
        .send()
        .await
        .expect("answer");
    let (status, created) = read(res).await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().expect("id");
    let receipt = created["receipt_token"].as_str().expect("receipt");
    (id, receipt.to_owned())
}

/// What a form post answered ([`TestApp::post_form`]).
pub struct FormAnswer {
    pub status: StatusCode,
    pub location: String,
    pub body: String,
}

/// The cents a pledge's answer says were allocated, over all installments.
pub fn allocated(v: &Value) -> i64 {
    v["allocations"]
        .as_array()
        .expect("allocations")
        .iter()
        .map(|a| a["cents"].as_i64().expect("cents"))
        .sum()
}

const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/test";
/// Test databases older than this are leftovers of crashed runs and are dropped.
const STALE_AFTER: Duration = Duration::from_secs(2 * 3600);

/// The moment every test runs at.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap()
}

/// The test log's note signer and verifier keys (a fixed seed).
pub fn log_keys() -> (String, String) {
    cohort_tlog::key_from_seed("cohort.test/log", [3; 32]).expect("a log key")
}

pub struct TestApp {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base: String,
    pub engine: Engine,
    /// The database under `engine`, for a second engine on it (a second server).
    pub store: Arc<dyn Store>,
    pub clock: Arc<FixedClock>,
    /// An organizer token for every slate.
    pub organizer: String,
    pub client: reqwest::Client,
    pub backend: &'static str,
    /// The SMTP server the app delivers its email to.
    pub mail: smtp::SmtpServer,
    _cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    PgDatabase { admin_url: String, name: String },
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        match self {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PgDatabase { admin_url, name } => {
                // Drop runs inside the test's runtime; use a thread with its own.
                let (url, name) = (admin_url.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build();
                    if let Ok(rt) = rt {
                        rt.block_on(async {
                            if let Ok(mut conn) = sqlx::PgConnection::connect(&url).await {
                                let _ = conn.execute(drop_database(&name).as_str()).await;
                            }
                        });
                    }
                })
                .join();
            }
        }
    }
}

fn drop_database(name: &str) -> String {
    format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")
}

fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "{}_{}_{}_{}",
        now.as_secs(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        now.subsec_nanos()
    )
}

impl TestApp {
    /// The app over a fresh SQLite database.
    pub async fn sqlite() -> TestApp {
        let dir = std::env::temp_dir().join(format!("cohort-test-{}", unique_suffix()));
        let store = cohort_store_sqlite::SqliteStore::open_dir(&dir)
            .await
            .unwrap_or_else(|e| panic!("cannot open SQLite in {}: {e}", dir.display()));
        TestApp::start(Arc::new(store), Cleanup::Dir(dir)).await
    }

    /// The app over a fresh PostgreSQL database, or `None` when the run
    /// opted out with `COHORT_SKIP_PG=1`.
    pub async fn postgres() -> Option<TestApp> {
        if std::env::var("COHORT_SKIP_PG").is_ok_and(|v| v == "1") {
            eprintln!("COHORT_SKIP_PG=1: skipping the PostgreSQL run");
            return None;
        }
        let admin_url = std::env::var("COHORT_TEST_PG").unwrap_or_else(|_| DEFAULT_PG.to_owned());
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is not reachable at {admin_url} ({e}). Start it, point COHORT_TEST_PG at one, \
                 or set COHORT_SKIP_PG=1 to skip the PostgreSQL half of these tests."
            )
        });
        sweep_stale(&mut admin).await;
        let name = format!("cohort_t_{}", unique_suffix());
        admin
            .execute(format!("CREATE DATABASE \"{name}\"").as_str())
            .await
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
        let _ = admin.close().await;
        let cleanup = Cleanup::PgDatabase {
            admin_url: admin_url.clone(),
            name: name.clone(),
        };
        let url = with_database(&admin_url, &name);
        let store = cohort_store_postgres::PostgresStore::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to the test database: {e}"));
        Some(TestApp::start(Arc::new(store), cleanup).await)
    }

    /// Migrate `store`, build the engine at [`now`], and serve it on an
    /// ephemeral port.
    async fn start(store: Arc<dyn Store>, cleanup: Cleanup) -> TestApp {
        let backend = store.backend();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let base = format!("http://{}", listener.local_addr().expect("a local address"));
        let clock = Arc::new(FixedClock::new(now()));
        let engine =
            Engine::new(store.clone(), clock.clone(), Arc::new(OsTokens)).with_public_url(&base);
        engine
            .migrate()
            .await
            .expect("migrations apply to a fresh database");
        let organizer = engine
            .issue_organizer_token(None)
            .await
            .expect("an organizer token");
        let mail = smtp::SmtpServer::start().await;
        let mailer = cohort_mail::SmtpMailer::new(&cohort_mail::SmtpConfig {
            port: mail.port,
            ..cohort_mail::SmtpConfig::default()
        })
        .expect("an SMTP client");
        tokio::spawn(cohort_mail::deliver_forever(
            engine.clone(),
            Box::new(mailer),
            Duration::from_millis(50),
        ));
        // The log's verifier key, as `cohort serve` passes it (the pages
        // show it in the audit command); `log_keys()` is its signer.
        let options = cohort_web::Options {
            log_key: Some(log_keys().1),
            ..cohort_web::Options::default()
        };
        tokio::spawn(cohort_web::serve_with(
            listener,
            engine.clone(),
            options,
            std::future::pending(),
        ));
        TestApp {
            base,
            engine,
            store,
            clock,
            organizer,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client"),
            backend,
            mail,
            _cleanup: cleanup,
        }
    }

    /// A session for `email`, from the sign-in link the engine emails (the
    /// account is made then); the token goes in the `cohort_session` cookie.
    pub async fn session_for(&self, email: &str) -> String {
        session_for(&self.engine, email).await
    }

    /// The SQLite database file, for tests that edit it behind the app.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        match &self._cleanup {
            Cleanup::Dir(dir) => Some(dir.join("cohort.db")),
            Cleanup::PgDatabase { .. } => None,
        }
    }

    /// The `cohort` binary's arguments naming this app's database.
    pub fn db_args(&self) -> Vec<String> {
        match &self._cleanup {
            Cleanup::Dir(dir) => vec!["--data-dir".into(), dir.display().to_string()],
            Cleanup::PgDatabase { admin_url, name } => {
                vec!["--database-url".into(), with_database(admin_url, name)]
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// What a browser holds to post a form, the way a browser gets it: the
    /// `cookie` header (the session, if any, and the pre-session cookie the
    /// server sets) and the CSRF token printed in a page's form (the sign-in
    /// page, or `/me` when signed in).
    pub async fn form_credentials(&self, session: Option<&str>) -> (String, String) {
        form_credentials(&self.client, &self.base, session).await
    }

    /// Send `body` as JSON (if any) with an optional bearer token; answer
    /// the status and the body parsed as JSON (`Null` when empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        read(req.send().await.expect("the server answers")).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None, None).await
    }

    /// POST as the organizer.
    pub async fn organize(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(&self.organizer), Some(&body))
            .await
    }

    /// POST `body` verbatim with a content type, for malformed input.
    /// POST a form the way a browser without JavaScript does (the session's
    /// cookie and CSRF token included); answers the status, the
    /// `Location` header (empty when none) and the body.
    pub async fn post_form(
        &self,
        session: Option<&str>,
        path: &str,
        fields: &[(&str, &str)],
    ) -> FormAnswer {
        let (cookie, csrf) = self.form_credentials(session).await;
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        let res = self
            .client
            .post(self.url(path))
            .header("cookie", cookie)
            .form(&form)
            .send()
            .await
            .expect("an answer");
        let status = res.status();
        let location = res
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .unwrap_or("")
            .to_owned();
        FormAnswer {
            status,
            location,
            body: res.text().await.expect("a body"),
        }
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> (StatusCode, Value) {
        let res = self
            .client
            .post(self.url(path))
            .bearer_auth(&self.organizer)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("the server answers");
        read(res).await
    }

    pub async fn html(&self, path: &str) -> (StatusCode, String) {
        let res = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("the server answers");
        let status = res.status();
        let ct = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap_or("").to_owned());
        assert_eq!(
            ct.as_deref(),
            Some("text/html; charset=utf-8"),
            "{path} is an HTML page"
        );
        (status, res.text().await.expect("a body"))
    }
}

/// [`TestApp::form_credentials`] for any server at `base`.
pub async fn form_credentials(
    client: &reqwest::Client,
    base: &str,
    session: Option<&str>,
) -> (String, String) {
    let mut cookies: Vec<String> = session
        .map(|s| format!("cohort_session={s}"))
        .into_iter()
        .collect();
    for path in ["/sign-in", "/me"] {
        let res = client
            .get(format!("{base}{path}"))
            .header("cookie", cookies.join("; "))
            .send()
            .await
            .expect("an answer");
        for v in res.headers().get_all("set-cookie") {
            let pair = v.to_str().unwrap_or("").split(';').next().unwrap_or("");
            if pair.starts_with("cohort_csrf=") {
                cookies.push(pair.to_owned());
            }
        }
        let body = res.text().await.expect("a body");
        if let Some(token) = csrf_in(&body) {
            return (cookies.join("; "), token);
        }
    }
    panic!("neither /sign-in nor /me offered a form");
}

/// The CSRF token in the first form of an HTML page.
pub fn csrf_in(body: &str) -> Option<String> {
    let marker = "name=\"csrf\" value=\"";
    let at = body.find(marker)? + marker.len();
    body[at..].split('"').next().map(str::to_owned)
}

pub async fn read(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    let text = res.text().await.expect("a body");
    if text.is_empty() {
        return (status, Value::Null);
    }
    let value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("a JSON body ({e}), got {status}: {text}"));
    (status, value)
}

/// `url` with its database name replaced.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let host_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[host_start..].find('/') {
        Some(i) => &base[..host_start + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

/// Drop test databases that crashed runs left behind.
async fn sweep_stale(admin: &mut sqlx::PgConnection) {
    let Ok(names) = sqlx::query_scalar::<_, String>(
        "SELECT datname FROM pg_database WHERE datname LIKE 'cohort_t_%'",
    )
    .fetch_all(&mut *admin)
    .await
    else {
        return;
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    for name in names {
        let created = name
            .strip_prefix("cohort_t_")
            .and_then(|rest| rest.split('_').next())
            .and_then(|secs| u64::from_str(secs).ok());
        if created.is_some_and(|t| now.saturating_sub(t) > STALE_AFTER.as_secs()) {
            let _ = admin.execute(drop_database(&name).as_str()).await;
        }
    }
}

#[test]
fn database_urls_swap_their_database() {
    assert_eq!(
        with_database("postgres://u@h:5432/test", "x"),
        "postgres://u@h:5432/x"
    );
    assert_eq!(
        with_database("postgres://u@h/test?sslmode=disable", "x"),
        "postgres://u@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
}

/// A session for `email`, the way a person gets one: ask for a sign-in link,
/// read it from the outbox, follow it. Works on any engine, including one
/// opened on a served app's database.
pub async fn session_for(engine: &cohort_engine::Engine, email: &str) -> String {
    engine.request_sign_in(email).await.expect("a sign-in link");
    let mail = engine.emails_to(email).await.expect("the outbox");
    let body = &mail
        .iter()
        .find(|m| m.email.subject.contains("sign-in link"))
        .expect("a sign-in email")
        .email
        .body;
    let start = body.find("/sign-in/").expect("a link") + "/sign-in/".len();
    let token: String = body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    engine.sign_in_with_link(&token).await.expect("signed in").0
}

/// A fresh, empty PostgreSQL database for tests that run the real binary
/// against it (`tests/scale_out.rs`); dropped with this value. `None` when
/// the run opted out with `COHORT_SKIP_PG=1`.
pub struct ScratchPg {
    pub url: String,
    _cleanup: Cleanup,
}

impl ScratchPg {
    pub async fn create() -> Option<ScratchPg> {
        if std::env::var("COHORT_SKIP_PG").is_ok_and(|v| v == "1") {
            eprintln!("COHORT_SKIP_PG=1: skipping the PostgreSQL run");
            return None;
        }
        let admin_url = std::env::var("COHORT_TEST_PG").unwrap_or_else(|_| DEFAULT_PG.to_owned());
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL is not reachable at {admin_url} ({e})"));
        sweep_stale(&mut admin).await;
        let name = format!("cohort_t_{}", unique_suffix());
        admin
            .execute(format!("CREATE DATABASE \"{name}\"").as_str())
            .await
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
        let _ = admin.close().await;
        Some(ScratchPg {
            url: with_database(&admin_url, &name),
            _cleanup: Cleanup::PgDatabase { admin_url, name },
        })
    }
}
