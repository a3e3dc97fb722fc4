//! Sign-in and accounts against an attacker (issue 14, findings 4, 5 and 9),
//! over real HTTP on both backends with the real SMTP test server: nobody
//! can lock an address out of signing in, the password form answers alike
//! whether or not an account or a password exists, changing a password asks
//! for the current one and ends every other session, "sign out everywhere"
//! exists, a newer sign-in link voids the older, and common passwords are
//! refused.

use cohort_testkit as common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::jar::{Browser, Page};
use common::TestApp;
use reqwest::StatusCode;

both_backends!(
    link_requests_from_strangers_do_not_lock_the_owner_out,
    a_newer_sign_in_link_voids_the_older_one,
    password_form_answers_alike_for_unknown_unset_and_wrong,
    changing_the_password_asks_for_the_current_one,
    changing_the_password_ends_other_sessions,
    sign_out_everywhere_ends_every_session,
    common_passwords_are_refused_naming_the_field,
    password_guesses_from_a_stranger_do_not_lock_the_owner_out,
    a_forwarded_for_header_is_ignored_without_trusted_proxies,
    the_password_hash_runs_for_unknown_unset_and_wrong,
);

/// What these tests do with the cookie-jar browser (`cohort_testkit::jar`,
/// which also speaks through a trusted proxy with `base` and `forwarded_for`).
trait Accounts {
    async fn follow(&mut self, link: &str) -> Page;
    async fn sign_in_by_link(&mut self, email: &str);
    async fn sign_in_by_password(&mut self, email: &str, password: &str) -> Page;
    async fn signed_in(&mut self) -> bool;
}

impl Accounts for Browser<'_> {
    /// Follow a sign-in link as a person does: open it, press the button.
    async fn follow(&mut self, link: &str) -> Page {
        self.get(link).await;
        self.post(link, &[]).await
    }

    /// Ask for a link and follow the newest one that arrives over SMTP.
    async fn sign_in_by_link(&mut self, email: &str) {
        let asked = self.post("/sign-in/link", &[("email", email)]).await;
        assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
        let link = newest_link(self.app, email).await;
        let done = self.follow(&link).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert!(self.cookies.contains_key("cohort_session"));
    }

    async fn sign_in_by_password(&mut self, email: &str, password: &str) -> Page {
        self.post("/sign-in", &[("email", email), ("password", password)])
            .await
    }

    async fn signed_in(&mut self) -> bool {
        self.get("/me").await.status == StatusCode::OK
    }
}

/// The sign-in links delivered over SMTP to `to`, once every queued email
/// to it has been delivered: (every link received, the newest queued).
async fn delivered_links(app: &TestApp, to: &str) -> (Vec<String>, String) {
    let queued = loop {
        let rows = app.engine.emails_to(to).await.expect("the outbox");
        if rows.iter().all(|r| r.sent_at.is_some()) {
            break rows;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let queued: Vec<_> = queued
        .iter()
        .filter(|r| r.email.subject.contains("sign-in link"))
        .collect();
    let newest = link_in(&queued.first().expect("a sign-in email").email.body);
    let received: Vec<String> = app
        .mail
        .all()
        .iter()
        .filter(|m| m.to.iter().any(|t| t == to) && m.subject.contains("sign-in link"))
        .map(|m| link_in(&m.body))
        .collect();
    assert_eq!(
        received.len(),
        queued.len(),
        "every queued sign-in email arrived over SMTP"
    );
    assert!(received.contains(&newest), "the newest link arrived");
    (received, newest)
}

async fn newest_link(app: &TestApp, to: &str) -> String {
    delivered_links(app, to).await.1
}

/// The `/sign-in/…` path in an email body.
fn link_in(body: &str) -> String {
    let start = body.find("/sign-in/").expect("a sign-in link");
    body[start..]
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("")
        .to_owned()
}

/// The sign-in page's answer to a link request, without the form around it.
fn notice(body: &str) -> String {
    let start = body
        .find("<p class=\"notice\"")
        .unwrap_or_else(|| panic!("no notice in: {body}"));
    body[start..]
        .split_once("</p>")
        .map(|(n, _)| n.to_owned())
        .unwrap_or_default()
}

/// The error line of a page.
fn problem(body: &str) -> String {
    let start = body
        .find("<p class=\"problem\"")
        .unwrap_or_else(|| panic!("no problem in: {body}"));
    body[start..]
        .split_once("</p>")
        .map(|(n, _)| n.to_owned())
        .unwrap_or_default()
}

// ---------------------------------------------------------------- finding 4

/// Regression: five link requests for an address made the owner's own
/// request answer 429 for 13 minutes. Every request now gets the same
/// answer; at most three links an hour go to the address, and the newest
/// of them works.
async fn link_requests_from_strangers_do_not_lock_the_owner_out(app: TestApp) {
    let owner = "owner@example.org";
    let mut answers = Vec::new();
    for i in 0..5 {
        let mut stranger = Browser::new(&app);
        stranger.forwarded_for = Some(format!("203.0.113.{i}"));
        let asked = stranger.post("/sign-in/link", &[("email", owner)]).await;
        assert_eq!(asked.status, StatusCode::OK, "stranger {i}: {}", asked.body);
        answers.push(notice(&asked.body));
    }
    let mut me = Browser::new(&app);
    let mine = me.post("/sign-in/link", &[("email", owner)]).await;
    assert_eq!(
        mine.status,
        StatusCode::OK,
        "the owner is not refused: {}",
        mine.body
    );
    assert!(
        answers.iter().all(|a| *a == notice(&mine.body)),
        "every request is answered alike: {answers:?}"
    );
    assert!(
        notice(&mine.body).contains("can sign in, a link is on its way"),
        "{}",
        mine.body
    );
    let (received, newest) = delivered_links(&app, owner).await;
    assert_eq!(
        received.len(),
        3,
        "at most three links an hour to one address"
    );
    let done = me.follow(&newest).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some("/me"));
    assert!(me.signed_in().await, "the owner signs in");

    // An hour later the address gets links again.
    app.clock.set(common::now() + chrono::Duration::minutes(61));
    let later = Browser::new(&app)
        .post("/sign-in/link", &[("email", owner)])
        .await;
    assert_eq!(later.status, StatusCode::OK);
    assert_eq!(delivered_links(&app, owner).await.0.len(), 4);
}

// ---------------------------------------------------------------- finding 9: links

/// Regression: every sign-in link stayed good for its 30 minutes, however
/// many newer ones were sent. Only the newest unused link works.
async fn a_newer_sign_in_link_voids_the_older_one(app: TestApp) {
    let who = "ana@example.org";
    let mut b = Browser::new(&app);
    b.post("/sign-in/link", &[("email", who)]).await;
    let older = newest_link(&app, who).await;
    b.post("/sign-in/link", &[("email", who)]).await;
    let newer = newest_link(&app, who).await;
    assert_ne!(older, newer);
    let stale = b.follow(&older).await;
    assert_eq!(stale.status, StatusCode::UNAUTHORIZED, "{}", stale.body);
    assert!(
        stale.body.contains("expired or was already used"),
        "{}",
        stale.body
    );
    assert!(!b.signed_in().await);
    let fresh = b.follow(&newer).await;
    assert_eq!(fresh.status, StatusCode::SEE_OTHER, "{}", fresh.body);
    assert!(b.signed_in().await);
}

// ---------------------------------------------------------------- finding 5

/// Regression: the password form said "don't match" for an unknown address
/// or a wrong password but "this account has no password yet" for an
/// account without one, so anyone could learn who has an account and who
/// set a password. All three now get one answer.
async fn password_form_answers_alike_for_unknown_unset_and_wrong(app: TestApp) {
    let mut with = Browser::new(&app);
    with.sign_in_by_link("set@example.org").await;
    let set = with
        .post("/me/password", &[("password", "correct horse battery")])
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    Browser::new(&app)
        .sign_in_by_link("unset@example.org")
        .await;

    let mut answers = Vec::new();
    for email in ["nobody@example.org", "unset@example.org", "set@example.org"] {
        let mut b = Browser::new(&app);
        let p = b.sign_in_by_password(email, "not the password!").await;
        answers.push((email, p.status, problem(&p.body)));
        assert!(!b.signed_in().await);
    }
    for (email, status, text) in &answers {
        assert_eq!(*status, StatusCode::UNAUTHORIZED, "{email}: {text}");
        assert_eq!(*text, answers[0].2, "{email} is answered like the others");
        assert!(text.contains("don&#39;t match"), "{text}");
    }
    let right = Browser::new(&app)
        .sign_in_by_password("set@example.org", "correct horse battery")
        .await;
    assert_eq!(right.status, StatusCode::SEE_OTHER, "{}", right.body);
}

// ---------------------------------------------------------------- finding 9: passwords and sessions

/// Regression: anyone holding a session (a borrowed laptop, a stolen
/// cookie) could replace the password without knowing it. A session that
/// did not just follow an emailed link must give the current password.
async fn changing_the_password_asks_for_the_current_one(app: TestApp) {
    let who = "cam@example.org";
    let mut b = Browser::new(&app);
    b.sign_in_by_link(who).await;
    let set = b
        .post("/me/password", &[("password", "first long secret")])
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);

    // A session made with the password proves no fresh link.
    let mut other = Browser::new(&app);
    let signed = other.sign_in_by_password(who, "first long secret").await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let without = other
        .post("/me/password", &[("password", "second long secret")])
        .await;
    assert_eq!(
        without.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        without.body
    );
    assert!(
        problem(&without.body).contains("current password"),
        "the error names the field: {}",
        without.body
    );
    let wrong = other
        .post(
            "/me/password",
            &[
                ("current_password", "not it at all"),
                ("password", "second long secret"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem(&wrong.body).contains("current password"));
    let unchanged = Browser::new(&app)
        .sign_in_by_password(who, "first long secret")
        .await;
    assert_eq!(unchanged.status, StatusCode::SEE_OTHER, "nothing changed");

    let with = other
        .post(
            "/me/password",
            &[
                ("current_password", "first long secret"),
                ("password", "second long secret"),
            ],
        )
        .await;
    assert_eq!(with.status, StatusCode::SEE_OTHER, "{}", with.body);
    let now = Browser::new(&app)
        .sign_in_by_password(who, "second long secret")
        .await;
    assert_eq!(now.status, StatusCode::SEE_OTHER, "{}", now.body);

    // A link session is fresh for 15 minutes, then it too must give the
    // current password.
    let mut linked = Browser::new(&app);
    linked.sign_in_by_link(who).await;
    app.clock.set(common::now() + chrono::Duration::minutes(16));
    let stale = linked
        .post("/me/password", &[("password", "third long secret")])
        .await;
    assert_eq!(
        stale.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        stale.body
    );
}

/// Regression: changing the password left every other session signed in,
/// so someone who had taken over an account stayed in after the owner
/// changed it. Every other session ends; this one stays.
async fn changing_the_password_ends_other_sessions(app: TestApp) {
    let who = "dee@example.org";
    let mut laptop = Browser::new(&app);
    laptop.sign_in_by_link(who).await;
    let mut phone = Browser::new(&app);
    phone.sign_in_by_link(who).await;
    let mut attacker = Browser::new(&app);
    attacker.sign_in_by_link(who).await;
    assert!(laptop.signed_in().await && phone.signed_in().await);

    let changed = attacker
        .post("/me/password", &[("password", "a long new secret")])
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    assert!(
        attacker.signed_in().await,
        "the session that changed it stays"
    );
    assert!(!laptop.signed_in().await, "every other session ends");
    assert!(!phone.signed_in().await, "every other session ends");
}

/// Regression: there was no way to end the sessions of other browsers.
/// "Sign out everywhere" (a page and a route) ends every session of the
/// account and voids its unused sign-in links.
async fn sign_out_everywhere_ends_every_session(app: TestApp) {
    let who = "eli@example.org";
    let mut here = Browser::new(&app);
    here.sign_in_by_link(who).await;
    let mut there = Browser::new(&app);
    there.sign_in_by_link(who).await;
    let mut bystander = Browser::new(&app);
    bystander.sign_in_by_link("fay@example.org").await;
    // A link asked for and not yet used.
    Browser::new(&app)
        .post("/sign-in/link", &[("email", who)])
        .await;
    let pending = newest_link(&app, who).await;

    let page = here.get("/me/security").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("action=\"/sign-out/everywhere\""),
        "{}",
        page.body
    );
    let out = here.post("/sign-out/everywhere", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);
    assert!(!here.cookies.contains_key("cohort_session"));
    assert!(!there.signed_in().await, "the other browser is signed out");
    assert!(bystander.signed_in().await, "nobody else is");
    let late = Browser::new(&app).follow(&pending).await;
    assert_eq!(
        late.status,
        StatusCode::UNAUTHORIZED,
        "the unused link is void"
    );
}

/// Regression: "1234567890" and "password123" were accepted as passwords.
/// The 10,000 most common are refused, with an error naming the field.
async fn common_passwords_are_refused_naming_the_field(app: TestApp) {
    let who = "gus@example.org";
    let mut b = Browser::new(&app);
    b.sign_in_by_link(who).await;
    for common in ["1234567890", "password123", "QwertyUIOP"] {
        let refused = b.post("/me/password", &[("password", common)]).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{common}: {}",
            refused.body
        );
        let text = problem(&refused.body);
        assert!(
            text.contains("new password") && text.contains("most common"),
            "{common}: {text}"
        );
    }
    let short = b.post("/me/password", &[("password", "short")]).await;
    assert!(problem(&short.body).contains("at least 10 characters"));
    let refused = Browser::new(&app)
        .sign_in_by_password(who, "1234567890")
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "nothing was set");
}

// ---------------------------------------------------------------- behind a proxy

/// Serve the app a second time, on its own port, believing
/// `X-Forwarded-For` from 127.0.0.1 (as behind a local reverse proxy).
async fn behind_proxy(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    let options = cohort_web::Options {
        trusted_proxies: cohort_web::TrustedProxies::parse("127.0.0.1").expect("a list"),
        ..cohort_web::Options::default()
    };
    tokio::spawn(cohort_web::serve_with(
        listener,
        app.engine.clone(),
        options,
        std::future::pending(),
    ));
    base
}

/// A browser that reaches the app through the trusted proxy as client `ip`.
fn client<'a>(app: &'a TestApp, proxy: &str, ip: &str) -> Browser<'a> {
    let mut b = Browser::new(app);
    b.base = proxy.to_owned();
    b.forwarded_for = Some(ip.to_owned());
    b
}

/// Regression: one wrong-password limit per email (5 in 15 minutes, from
/// anywhere) let a stranger lock the owner out of password sign-in. Guesses
/// are now counted per client and address together: the stranger waits,
/// the owner signs in.
async fn password_guesses_from_a_stranger_do_not_lock_the_owner_out(app: TestApp) {
    let proxy = behind_proxy(&app).await;
    let who = "hal@example.org";
    let mut owner = client(&app, &proxy, "198.51.100.20");
    owner.sign_in_by_link(who).await;
    let set = owner
        .post("/me/password", &[("password", "a long owner secret")])
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);

    let mut stranger = client(&app, &proxy, "203.0.113.66");
    for i in 0..5 {
        let guess = stranger
            .sign_in_by_password(who, &format!("guess number {i}"))
            .await;
        assert_eq!(guess.status, StatusCode::UNAUTHORIZED, "guess {i}");
    }
    let limited = stranger.sign_in_by_password(who, "guess number 5").await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        limited.body
    );
    assert!(
        limited.body.contains("Too many sign-in attempts"),
        "{}",
        limited.body
    );
    let wait: u64 = limited
        .retry_after
        .as_deref()
        .and_then(|s| s.parse().ok())
        .expect("a Retry-After in seconds");
    assert!((1..=15 * 60).contains(&wait), "{wait}");

    let mut owner_again = client(&app, &proxy, "198.51.100.20");
    let mine = owner_again
        .sign_in_by_password(who, "a long owner secret")
        .await;
    assert_eq!(mine.status, StatusCode::SEE_OTHER, "{}", mine.body);
    assert!(owner_again.signed_in().await);
}

/// Without `COHORT_TRUSTED_PROXIES` anyone can write `X-Forwarded-For`, so
/// it must name nobody: guesses that claim six different clients over one
/// connection's address are one client's, and the sixth waits. Through a
/// trusted proxy the same six are six clients.
async fn a_forwarded_for_header_is_ignored_without_trusted_proxies(app: TestApp) {
    let who = "ida@example.org";
    for i in 0..5 {
        let mut b = Browser::new(&app);
        b.forwarded_for = Some(format!("203.0.113.{i}"));
        let guess = b.sign_in_by_password(who, "not the password").await;
        assert_eq!(guess.status, StatusCode::UNAUTHORIZED, "guess {i}");
    }
    let mut sixth = Browser::new(&app);
    sixth.forwarded_for = Some("203.0.113.99".into());
    let limited = sixth.sign_in_by_password(who, "not the password").await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the header named nobody: {}",
        limited.body
    );

    let proxy = behind_proxy(&app).await;
    for i in 0..6 {
        let guess = client(&app, &proxy, &format!("198.51.100.{i}"))
            .sign_in_by_password("jo@example.org", "not the password")
            .await;
        assert_eq!(
            guess.status,
            StatusCode::UNAUTHORIZED,
            "client {i} through the trusted proxy is its own client"
        );
    }
}

// ---------------------------------------------------------------- finding 5: the hash runs every time

/// argon2 as the engine uses it, counting verifications and checking each
/// was against an argon2id hash made like a real one.
struct Counted {
    inner: cohort_engine::Argon2Passwords,
    verified: AtomicUsize,
    params: std::sync::Mutex<Vec<String>>,
}

impl cohort_engine::Passwords for Counted {
    fn hash(&self, password: &str, salt: &[u8]) -> Result<String, String> {
        self.inner.hash(password, salt)
    }
    fn verify(&self, password: &str, phc: &str) -> bool {
        self.verified.fetch_add(1, Ordering::SeqCst);
        // Everything before the salt: algorithm, version and cost.
        let shape = phc.rsplitn(3, '$').nth(2).unwrap_or("").to_owned();
        self.params.lock().expect("lock").push(shape);
        self.inner.verify(password, phc)
    }
    fn dummy(&self) -> &str {
        self.inner.dummy()
    }
}

/// Regression: for an unknown address or an account without a password the
/// form answered without running argon2, so the answer came back in a
/// fraction of the time a wrong password took. Each of the three cases now
/// runs exactly one verification, against a hash made like real ones.
/// (Counted, never timed.)
async fn the_password_hash_runs_for_unknown_unset_and_wrong(app: TestApp) {
    let counted = Arc::new(Counted {
        inner: cohort_engine::Argon2Passwords::default(),
        verified: AtomicUsize::new(0),
        params: std::sync::Mutex::default(),
    });
    let engine = cohort_engine::Engine::new(
        app.store.clone(),
        app.clock.clone(),
        Arc::new(cohort_engine::OsTokens),
    )
    .with_public_url(&app.base)
    .with_passwords(counted.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(cohort_web::serve(listener, engine, std::future::pending()));

    let mut with = Browser::new(&app);
    with.base = base.clone();
    with.sign_in_by_link("set@example.org").await;
    let set = with
        .post("/me/password", &[("password", "correct horse battery")])
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    let mut unset = Browser::new(&app);
    unset.base = base.clone();
    unset.sign_in_by_link("unset@example.org").await;
    assert_eq!(counted.verified.load(Ordering::SeqCst), 0);

    for (n, email) in ["nobody@example.org", "unset@example.org", "set@example.org"]
        .into_iter()
        .enumerate()
    {
        let mut b = Browser::new(&app);
        b.base = base.clone();
        let p = b.sign_in_by_password(email, "not the password!").await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED, "{email}");
        assert_eq!(
            counted.verified.load(Ordering::SeqCst),
            n + 1,
            "{email}: exactly one verification"
        );
    }
    let shapes = counted.params.lock().expect("lock").clone();
    assert!(shapes[0].starts_with("$argon2id$v=19$m="), "{shapes:?}");
    assert!(
        shapes.iter().all(|s| *s == shapes[0]),
        "the dummy hash costs what a real one does: {shapes:?}"
    );
}
