//! One digest instead of a flood (issue 15), over real HTTP and a real SMTP
//! server on both backends: an unlock sends one email per person however
//! many of their pledges it unlocked; supporters on the weekly setting get
//! one digest a week (multipart text + HTML, RFC 8058 one-click
//! unsubscribe), written exactly once per person and week under the job
//! lease; updates wait for it instead of being dropped.

use cohort_testkit as common;

use chrono::Duration;
use common::{publish, seed, sign_as, TestApp, SLATE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    an_unlock_sends_one_email_per_person_not_per_pledge,
    weekly_supporters_get_one_multipart_digest_a_week_and_nothing_is_dropped,
    one_click_unsubscribe_needs_the_exact_body_and_an_unforged_token,
    the_digest_tells_each_scorecard_change_once,
);

fn money(email: &str, name: &str, condition: &str, cents: i64) -> Value {
    json!({
        "kind": "money", "amount_cents": cents, "recurring": "once",
        "condition": condition, "deadline": "2028-11-07",
        "donor": {"email": email, "name": name, "zip": "10027", "attests_eligible": true}
    })
}

async fn pledge(app: &TestApp, body: &Value) -> i64 {
    let (status, answer) = app
        .call(
            reqwest::Method::POST,
            &format!("/api/slates/{SLATE}/pledges"),
            None,
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    answer["id"].as_i64().expect("a pledge id")
}

/// Regression (issue 15): an unlock sent one email per pledge, so a person
/// with three pledges on the slate got three emails about one event.
async fn an_unlock_sends_one_email_per_person_not_per_pledge(app: TestApp) {
    let version = seed(&app, "signers >= 3").await;
    let mut eves = Vec::new();
    for cents in [1_000, 2_000, 3_000] {
        eves.push(
            pledge(
                &app,
                &money(
                    "eve@example.org",
                    "Eve Marsh",
                    "signed(\"ada-reyes\")",
                    cents,
                ),
            )
            .await,
        );
    }
    pledge(
        &app,
        &money("bo@example.org", "Bo Lin", "signed(\"ada-reyes\")", 4_000),
    )
    .await;
    let body = sign_as(&app, "ada-reyes", version).await;
    assert_eq!(body["unlocked"], 4, "{body}");

    let eve = app.mail.wait_for("eve@example.org", "unlocked").await;
    app.mail.wait_for("bo@example.org", "unlocked").await;
    app.engine.send_notices().await.expect("notices again");
    let outbox = app
        .engine
        .emails_to("eve@example.org")
        .await
        .expect("outbox");
    let unlocks: Vec<_> = outbox
        .iter()
        .filter(|e| e.email.subject.contains("unlocked"))
        .collect();
    assert_eq!(
        unlocks.len(),
        1,
        "one email for Eve's three pledges: {unlocks:?}"
    );
    assert_eq!(
        app.mail.count("eve@example.org", "unlocked"),
        1,
        "one message reached Eve's inbox"
    );
    assert_eq!(eve.subject, "Your 3 pledges to River Caucus unlocked");
    for (id, dollars) in eves.iter().zip(["$10", "$20", "$30"]) {
        assert!(
            eve.body
                .contains(&format!("Your pledge #{id} of {dollars}")),
            "pledge #{id} is told: {}",
            eve.body
        );
        assert!(
            eve.body.contains(&format!("/pledges/{id}?token=")),
            "{}",
            eve.body
        );
    }
    assert!(
        eve.body.contains("to Ada Reyes (primary election)"),
        "{}",
        eve.body
    );
    let bo = app.mail.wait_for("bo@example.org", "unlocked").await;
    assert_eq!(bo.subject, "Your pledge to River Caucus unlocked");
    assert_eq!(app.mail.count("bo@example.org", "unlocked"), 1);
}

fn money_until(email: &str, condition: &str, cents: i64, deadline: &str) -> Value {
    let mut v = money(email, "Eve Marsh", condition, cents);
    v["deadline"] = json!(deadline);
    v
}

/// A town hall proposed by the organizer and confirmed by Ada's and Ben's
/// campaigns, ten days after the clock, at `zip`; answers its id.
async fn confirmed_event(app: &TestApp, title: &str, zip: &str) -> i64 {
    let start = app.engine.now() + Duration::days(10);
    let (status, e) = app
        .organize(
            &format!("/api/slates/{SLATE}/joint-events"),
            json!({
                "kind": "town_hall", "title": title, "description": "Two candidates, one stage.",
                "starts_at": start.to_rfc3339(), "ends_at": (start + Duration::hours(2)).to_rfc3339(),
                "timezone": "America/New_York",
                "location": {"venue": "Union Hall", "address": "12 Main St", "city": "Town", "state": "NY", "zip": zip},
                "online_url": null, "hosts": ["ada-reyes", "ben-okafor"], "capacity": 50
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    let id = e["id"].as_i64().expect("id");
    common::confirm_hosts(app, &e).await;
    id
}

/// A MIME message as the test reads it: unfolded headers and decoded parts.
struct Mime {
    headers: Vec<(String, String)>,
    /// (content type, decoded body) of each leaf part.
    parts: Vec<(String, String)>,
}

impl Mime {
    fn parse(raw: &str) -> Mime {
        let (headers, body) = split_head(raw);
        let kind = header(&headers, "Content-Type");
        let mut parts = Vec::new();
        if let Some(b) = kind.split("boundary=").nth(1) {
            let boundary = format!("--{}", b.trim_matches('"').split(';').next().unwrap_or(""));
            for chunk in body.split(&boundary).skip(1) {
                if chunk.starts_with("--") {
                    break;
                }
                let (h, content) = split_head(chunk.trim_start_matches(['\r', '\n']));
                let encoding = header(&h, "Content-Transfer-Encoding").to_ascii_lowercase();
                let decoded = match encoding.as_str() {
                    "base64" => {
                        String::from_utf8_lossy(&common::smtp::base64(content)).into_owned()
                    }
                    "quoted-printable" => quoted_printable(content),
                    _ => content.to_owned(),
                };
                parts.push((header(&h, "Content-Type"), decoded));
            }
        }
        Mime { headers, parts }
    }

    fn header(&self, name: &str) -> String {
        header(&self.headers, name)
    }

    fn part(&self, kind: &str) -> &str {
        self.parts
            .iter()
            .find(|(k, _)| k.starts_with(kind))
            .map(|(_, b)| b.as_str())
            .unwrap_or_else(|| panic!("no {kind} part among {:?}", self.parts))
    }
}

fn split_head(s: &str) -> (Vec<(String, String)>, &str) {
    let s = s.trim_start_matches(['\r', '\n']);
    let (head, body) = s
        .split_once("\n\n")
        .or_else(|| s.split_once("\r\n\r\n"))
        .unwrap_or((s, ""));
    let head = head
        .replace('\r', "")
        .replace("\n ", " ")
        .replace("\n\t", " ");
    let headers = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    (headers, body)
}

fn header(headers: &[(String, String)], name: &str) -> String {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn quoted_printable(s: &str) -> String {
    let mut out = Vec::new();
    for line in s.lines() {
        let (line, soft) = match line.trim_end_matches('\r').strip_suffix('=') {
            Some(l) => (l, true),
            None => (line.trim_end_matches('\r'), false),
        };
        let b = line.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'=' && i + 2 < b.len() + 1 && i + 3 <= b.len() {
                if let Ok(v) = u8::from_str_radix(&line[i + 1..i + 3], 16) {
                    out.push(v);
                    i += 3;
                    continue;
                }
            }
            out.push(b[i]);
            i += 1;
        }
        if !soft {
            out.push(b'\n');
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Issue 15: supporters on the weekly setting get ONE digest a week covering
/// what unlocked and what it became, joint events near their ZIP, new compact
/// versions and every update that waited for it (updates were dropped after
/// the first one of a week); written once per person and week under the
/// `digest` lease; multipart text + HTML with RFC 8058 headers.
async fn weekly_supporters_get_one_multipart_digest_a_week_and_nothing_is_dropped(app: TestApp) {
    let version = seed(&app, "signers >= 3").await;
    let eve = "eve@example.org";
    let unlocks = pledge(
        &app,
        &money_until(eve, "signed(\"ada-reyes\")", 9_000, "2028-11-07"),
    )
    .await;
    let first = pledge(&app, &money_until(eve, "signers >= 3", 1_000, "2026-12-01")).await;
    let second = pledge(&app, &money_until(eve, "signers >= 3", 2_000, "2026-12-01")).await;

    // Monday of the next week: Ada signs, a v2 compact, two town halls.
    app.clock.set(common::now() + Duration::days(6));
    let body = sign_as(&app, "ada-reyes", version).await;
    assert_eq!(body["unlocked"], 1, "{body}");
    app.mail.wait_for(eve, "unlocked").await; // transactional: immediate
    assert_eq!(publish(&app).await, version + 1);
    confirmed_event(&app, "Manhattan town hall", "10001").await;
    confirmed_event(&app, "Albany town hall", "12207").await;

    // Wednesday: both other pledges expire. Each update waits for the
    // digest; neither is sent now, neither is dropped.
    app.clock.set(common::now() + Duration::days(8));
    let s = app.engine.tick().await.expect("tick");
    assert_eq!(s.expired, 2, "{s:?}");
    assert!(
        app.engine
            .emails_to(eve)
            .await
            .expect("outbox")
            .iter()
            .all(|e| !e.email.subject.contains("expired")),
        "expiry updates wait for the digest"
    );

    // Two servers: only the lease holder writes digests.
    let ttl = Duration::seconds(30);
    let a = app
        .engine
        .take_lease("digest", "server-a", ttl)
        .await
        .expect("lease")
        .expect("free");
    assert_eq!(
        app.engine
            .take_lease("digest", "server-b", ttl)
            .await
            .expect("lease"),
        None,
        "server B waits while A holds the digest job"
    );
    let server_a = app.engine.fenced(a);
    assert!(server_a.send_digests().await.expect("digests") >= 1);
    assert_eq!(
        server_a.send_digests().await.expect("again"),
        0,
        "a second round the same week writes nothing"
    );
    let mail = app.mail.wait_for(eve, "Your week on Cohort").await;

    // The lease passes to B (A stalled past its expiry): B finds the week done.
    app.clock
        .set(common::now() + Duration::days(8) + Duration::seconds(31));
    let b = app
        .engine
        .take_lease("digest", "server-b", ttl)
        .await
        .expect("lease")
        .expect("expired, so B takes it");
    let server_b = app.engine.fenced(b);
    assert_eq!(
        server_b.send_digests().await.expect("B's round"),
        0,
        "B does not write Eve's digest again this week"
    );
    assert_eq!(
        app.mail.count(eve, "Your week on Cohort"),
        1,
        "one digest this week"
    );

    // The message: RFC 8058 headers, text and HTML parts telling the same week.
    let m = Mime::parse(&mail.raw);
    let list = m.header("List-Unsubscribe");
    let one_click_prefix = format!("<{}/unsubscribe/one-click/", app.base);
    assert!(list.starts_with(&one_click_prefix), "{list}");
    assert!(list.contains(", <mailto:"), "{list}");
    assert_eq!(
        m.header("List-Unsubscribe-Post"),
        "List-Unsubscribe=One-Click"
    );
    assert!(
        m.header("Content-Type")
            .starts_with("multipart/alternative"),
        "{}",
        m.header("Content-Type")
    );
    let url = list[1..list.find('>').expect("<url>")].to_owned();
    let text = m.part("text/plain");
    let html = m.part("text/html");
    for (needle, what) in [
        (format!("Your pledge #{unlocks} of $90"), "what unlocked"),
        (
            "$90 to Ada Reyes (primary election)".to_owned(),
            "what the money became",
        ),
        (
            format!("#{first} of $10 to \"River Caucus\" has expired"),
            "the first expiry",
        ),
        (
            format!("#{second} of $20 to \"River Caucus\" has expired"),
            "the second expiry",
        ),
        ("Manhattan town hall".to_owned(), "the event near ZIP 10027"),
        (format!("ersion {}", version + 1), "the new compact version"),
        (url.clone(), "the one-click link"),
    ] {
        assert!(
            text.contains(&needle),
            "text lacks {what} ({needle}):\n{text}"
        );
        let escaped = needle.replace('&', "&amp;").replace('"', "&quot;");
        assert!(
            html.contains(&escaped),
            "HTML lacks {what} ({escaped}):\n{html}"
        );
    }
    assert!(
        !text.contains("Albany town hall"),
        "an event far from ZIP 10027 is left out"
    );
    assert!(html.contains("<ul>") && html.contains("</html>"));

    // Next week: a new compact version makes a second digest, once.
    app.clock.set(common::now() + Duration::days(15));
    publish(&app).await;
    let c = app
        .engine
        .take_lease("digest", "server-b", ttl)
        .await
        .expect("lease")
        .expect("B renews");
    assert!(
        app.engine
            .fenced(c)
            .send_digests()
            .await
            .expect("next week")
            >= 1
    );
    let again = app.mail.wait_for_after(eve, "Your week on Cohort", 1).await;
    let again = Mime::parse(&again.raw);
    let text = again.part("text/plain");
    assert!(text.contains(&format!("version {}", version + 2)), "{text}");
    assert!(
        !text.contains("has expired"),
        "told updates are not told again"
    );
    assert_eq!(app.mail.count(eve, "Your week on Cohort"), 2);
}

/// RFC 8058: the mail client POSTs `List-Unsubscribe=One-Click` to the
/// header's URL with no session and no CSRF token; only that exact body and
/// only an unforged token unsubscribe; a GET never does.
async fn one_click_unsubscribe_needs_the_exact_body_and_an_unforged_token(app: TestApp) {
    seed(&app, "signers >= 3").await;
    let eve = "eve@example.org";
    pledge(&app, &money(eve, "Eve Marsh", "signers >= 3", 1_000)).await;
    app.clock.set(common::now() + Duration::days(1));
    publish(&app).await;
    assert_eq!(app.engine.send_digests().await.expect("digests"), 1);
    let mail = app.mail.wait_for(eve, "Your week on Cohort").await;
    let list = Mime::parse(&mail.raw).header("List-Unsubscribe");
    let url = list[1..list.find('>').expect("<url>")].to_owned();
    let path = url.strip_prefix(&app.base).expect("our URL").to_owned();
    let token = path.rsplit('/').next().expect("token").to_owned();
    let post = |path: String, body: &'static str, kind: &'static str| {
        let client = app.client.clone();
        let url = app.url(&path);
        async move {
            client
                .post(url)
                .header("content-type", kind)
                .header("origin", "https://mail.example")
                .body(body)
                .send()
                .await
                .expect("POST")
                .status()
        }
    };
    let form = "application/x-www-form-urlencoded";
    let prefs = || async {
        let mut tx = app.store.read().await.expect("read");
        tx.user_by_email(&cohort_core::Email::parse(eve).expect("email"))
            .await
            .expect("user")
            .map(|u| u.email_prefs)
    };

    // A GET (a link scanner) shows a button and changes nothing.
    let (status, page) = app.html(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("name=\"List-Unsubscribe\" value=\"One-Click\""),
        "{page}"
    );
    assert_eq!(prefs().await, None);
    // Not the exact body, a forged or foreign token: nothing happens.
    assert_eq!(
        post(path.clone(), "List-Unsubscribe=Yes", form).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        post(path.clone(), "", form).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (id, tag) = token.split_once('.').expect("ID.TAG");
    let other = format!(
        "/unsubscribe/one-click/{}.{tag}",
        id.parse::<i64>().expect("id") + 1
    );
    assert_eq!(
        post(other, "List-Unsubscribe=One-Click", form).await,
        StatusCode::NOT_FOUND
    );
    let flipped = format!(
        "/unsubscribe/one-click/{id}.{}{}",
        if tag.starts_with('0') { '1' } else { '0' },
        &tag[1..]
    );
    assert_eq!(
        post(flipped, "List-Unsubscribe=One-Click", form).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(prefs().await, None, "nothing changed yet");

    // The mail client's one click, from another site, no cookies, no CSRF.
    assert_eq!(
        post(path.clone(), "List-Unsubscribe=One-Click", form).await,
        StatusCode::OK
    );
    assert_eq!(prefs().await, Some(cohort_store::EmailPrefs::None));
    // No more digests; receipts still come.
    app.clock.set(common::now() + Duration::days(8));
    publish(&app).await;
    assert_eq!(app.engine.send_digests().await.expect("digests"), 0);
}

/// Issue 15: the weekly digest tells each change of a signer's standing on
/// a measured commitment since the last digest, once, in both parts: a
/// fundraiser held and recorded this week keeps both hosts' quarterly
/// promise; a month later Ben's missing endorsement breaks his.
async fn the_digest_tells_each_scorecard_change_once(app: TestApp) {
    seed(&app, "signers >= 2").await;
    let (status, v) = app
        .organize(
            &format!("/api/slates/{SLATE}/compact"),
            json!({"commitments": [
                {"text": "Endorse every other signer", "measure": "endorse_all"},
                {"text": "A joint fundraiser every quarter", "measure": "joint_events",
                 "kind": "fundraiser", "every": "quarter", "count": 1}
            ], "planks": []}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let version = v["version"].as_i64().expect("version");
    sign_as(&app, "ada-reyes", version).await;
    sign_as(&app, "ben-okafor", version).await;
    let ada = app
        .engine
        .issue_candidate_token(SLATE, "ada-reyes")
        .await
        .expect("token");
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/slates/{SLATE}/endorsements"),
            Some(&ada),
            Some(&json!({"from": "ada-reyes", "to": "ben-okafor"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let eve = "eve@example.org";
    pledge(&app, &money(eve, "Eve Marsh", "signers >= 3", 1_000)).await;

    // A joint fundraiser on December 4, recorded as held on December 6.
    let start = common::now() + Duration::days(10);
    let (status, e) = app
        .organize(
            &format!("/api/slates/{SLATE}/joint-events"),
            json!({
                "kind": "fundraiser", "title": "River dinner", "description": "",
                "starts_at": start.to_rfc3339(),
                "ends_at": (start + Duration::hours(2)).to_rfc3339(),
                "timezone": "America/New_York", "location": null,
                "online_url": "https://stream.example.org/dinner",
                "hosts": ["ada-reyes", "ben-okafor"], "capacity": null
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    let id = e["id"].as_i64().expect("id");
    common::confirm_hosts(&app, &e).await;
    app.clock.set(common::now() + Duration::days(12));
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/joint-events/{id}/held"),
            Some(&app.organizer),
            Some(&json!({"attendance": 40})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Monday December 7: the week's digest tells both kept promises.
    app.clock.set(common::now() + Duration::days(13));
    assert_eq!(app.engine.send_digests().await.expect("digests"), 1);
    let mail = app.mail.wait_for(eve, "Your week on Cohort").await;
    let m = Mime::parse(&mail.raw);
    let (text, html) = (m.part("text/plain"), m.part("text/html"));
    for line in [
        "Ada Reyes: quarterly joint fundraiser is now kept",
        "Ben Okafor: quarterly joint fundraiser is now kept",
    ] {
        assert!(text.contains(line), "text lacks {line:?}:\n{text}");
        assert!(html.contains(line), "HTML lacks {line:?}:\n{html}");
    }
    assert!(
        !text.contains("endorsing every other signer is now"),
        "an unchanged standing is not a change:\n{text}"
    );

    // Monday December 28: Ben's month to endorse Ada is over.
    app.clock.set(common::now() + Duration::days(34));
    assert_eq!(app.engine.send_digests().await.expect("digests"), 1);
    let again = app.mail.wait_for_after(eve, "Your week on Cohort", 1).await;
    let m = Mime::parse(&again.raw);
    let (text, html) = (m.part("text/plain"), m.part("text/html"));
    let line = "Ben Okafor: endorsing every other signer is now broken";
    assert!(text.contains(line), "text lacks {line:?}:\n{text}");
    assert!(html.contains(line), "HTML lacks {line:?}:\n{html}");
    assert!(
        !text.contains("fundraiser is now kept"),
        "a change is told once:\n{text}"
    );
    assert!(!text.contains("Ada Reyes: endorsing"), "{text}");
}
