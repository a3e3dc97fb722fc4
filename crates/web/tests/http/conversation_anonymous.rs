//! Anonymous participants in a slate's conversation (issue 16), as on Pol.is:
//! a visitor without an account votes through the no-JavaScript form (CSRF
//! enforced), a random participant secret in an HttpOnly, SameSite=Lax
//! cookie holds their votes, the votes count in the analysis, and when they
//! sign in the votes move to their account (where the account had voted on a
//! statement already, the account's vote stands). A flood of anonymous votes
//! from one client is refused with 429. Both backends.

use cohort_testkit as common;

use cohort_engine::conversation::Vote;
use cohort_engine::Actor;
use cohort_store::VoteRow;
use common::jar::Browser;
use common::{seed, TestApp, SLATE};
use reqwest::StatusCode;

both_backends!(
    visitors_vote_anonymously_and_keep_their_votes_when_they_sign_in,
    a_flood_of_anonymous_votes_is_refused,
);

/// Three approved statements, seeded by an organizer's token.
async fn statements(app: &TestApp) -> Vec<i64> {
    seed(app, "signers >= 1").await;
    let org = Actor::Organizer { slate: None };
    let mut ids = Vec::new();
    for text in [
        "Clean water is a right",
        "Transit should be free",
        "Rent should be capped",
    ] {
        let s = app
            .engine
            .seed_statement(&org, SLATE, text)
            .await
            .expect("seed");
        ids.push(s.id);
    }
    ids
}

/// "You have voted on N of …" on the conversation page: N.
fn voted_on(body: &str) -> Option<usize> {
    let at = body.find("You have voted on ")? + "You have voted on ".len();
    body[at..].split(' ').next()?.parse().ok()
}

async fn visitors_vote_anonymously_and_keep_their_votes_when_they_sign_in(app: TestApp) {
    let ids = statements(&app).await;
    let e = &app.engine;
    let page = format!("/slates/{SLATE}/conversation");
    let vote_path = format!("/slates/{SLATE}/conversation/vote");

    // The conversation is open to a visitor: a statement and the vote form.
    let mut b = Browser::new(&app);
    let p = b.get(&page).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Next statement"), "{}", p.body);
    assert!(p.body.contains(&format!("action=\"{vote_path}\"")));
    assert_eq!(voted_on(&p.body), Some(0), "{}", p.body);

    // A vote without this browser's CSRF token changes nothing.
    let forged = b
        .post_raw(
            &vote_path,
            &[
                ("csrf", "forged"),
                ("statement", &ids[0].to_string()),
                ("vote", "agree"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // Vote through the page's own form.
    let csrf = common::csrf_in(&p.body).expect("the page's form carries a token");
    for (statement, choice) in [(ids[0], "agree"), (ids[0], "disagree"), (ids[1], "agree")] {
        let res = app
            .client
            .post(app.url(&vote_path))
            .header("cookie", b.cookie_header())
            .form(&[
                ("csrf", csrf.as_str()),
                ("statement", &statement.to_string()),
                ("vote", choice),
            ])
            .send()
            .await
            .expect("an answer");
        let set: Vec<String> = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .filter(|v| v.starts_with("cohort_participant="))
            .collect();
        if let Some(c) = set.first() {
            assert!(
                c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Path=/"),
                "{c}"
            );
        }
        let answer = b.finish(res).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        assert_eq!(
            answer.location.as_deref(),
            Some(format!("{page}?notice=voted").as_str())
        );
        assert!(
            b.cookies.contains_key("cohort_participant"),
            "the first vote gives the browser its participant cookie"
        );
    }
    let p = b.get(&page).await;
    assert_eq!(
        voted_on(&p.body),
        Some(2),
        "a changed vote is one vote: {}",
        p.body
    );
    assert!(p.body.contains("You chose disagree."), "{}", p.body);
    // Another browser is another participant.
    let mut other = Browser::new(&app);
    assert_eq!(voted_on(&other.get(&page).await.body), Some(0));

    // The anonymous votes count in the analysis.
    assert!(e.recompute_conversation(SLATE).await.expect("recompute"));
    let r = e.conversation_results(SLATE).await.expect("results");
    let res = r.result.expect("a result");
    let t = res.tally(ids[0]).expect("a tally").overall;
    assert_eq!((t.agree, t.disagree, t.seen), (0, 1, 1));
    assert_eq!(res.participants, 1);

    // Ann had an account and had voted on statement 2 herself (passed);
    // now she signs in in the browser that voted anonymously.
    let mut tx = app.store.write().await.expect("begin");
    let slate = tx
        .slate_by_slug(SLATE)
        .await
        .expect("read")
        .expect("the slate");
    let user = tx
        .insert_user(
            &cohort_core::Email::parse("ann@example.org").expect("email"),
            "Ann",
            common::now(),
        )
        .await
        .expect("user");
    tx.upsert_vote(
        slate.id,
        &VoteRow {
            statement_id: ids[1],
            user_id: user.id,
            vote: 0,
            at: common::now(),
        },
    )
    .await
    .expect("vote");
    tx.touch_conversation(slate.id).await.expect("touch");
    tx.commit().await.expect("commit");
    b.sign_in("ann@example.org").await;
    let ann = {
        let session = app.session_for("ann@example.org").await;
        e.session(&session).await.expect("an actor")
    };
    assert!(
        !b.cookies.contains_key("cohort_participant"),
        "signing in ends the anonymous participant"
    );
    let mine = e.participation(&ann, SLATE).await.expect("participation");
    let mine: Vec<(i64, Vote)> = mine.my_votes.iter().map(|(s, v)| (s.id, *v)).collect();
    assert_eq!(
        mine,
        vec![(ids[0], Vote::Disagree), (ids[1], Vote::Pass)],
        "the anonymous vote moved; where Ann had voted, her own vote stands"
    );
    let p = b.get(&page).await;
    assert_eq!(voted_on(&p.body), Some(2), "{}", p.body);
    assert!(e.recompute_conversation(SLATE).await.expect("recompute"));
    let res = e
        .conversation_results(SLATE)
        .await
        .expect("results")
        .result
        .expect("a result");
    assert_eq!(res.participants, 1, "one person, not two");
    let t = res.tally(ids[1]).expect("a tally").overall;
    assert_eq!((t.agree, t.seen), (0, 1), "the anonymous agree is gone");
}

async fn a_flood_of_anonymous_votes_is_refused(app: TestApp) {
    let ids = statements(&app).await;
    let page = format!("/slates/{SLATE}/conversation");
    let vote_path = format!("/slates/{SLATE}/conversation/vote");
    let mut b = Browser::new(&app);
    let p = b.get(&page).await;
    let csrf = common::csrf_in(&p.body).expect("a token");
    let mut refused = None;
    for i in 0..400 {
        let choice = ["agree", "disagree"][i % 2];
        let answer = b
            .post_raw(
                &vote_path,
                &[
                    ("csrf", csrf.as_str()),
                    ("statement", &ids[0].to_string()),
                    ("vote", choice),
                ],
            )
            .await;
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            assert!(answer.body.contains("Too many votes"), "{}", answer.body);
            refused = Some(i);
            break;
        }
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    }
    assert_eq!(
        refused,
        Some(300),
        "one client casts at most 300 anonymous votes an hour"
    );
    // Signed-in people are not held back by the anonymous limit.
    let session = app.session_for("ann@example.org").await;
    let signed_in = app
        .post_form(
            Some(&session),
            &vote_path,
            &[("statement", &ids[1].to_string()), ("vote", "agree")],
        )
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
}
