//! The opinion map and its groups over reloads (issue 16), on both backends:
//! statement numbers never overlap on the map, even where statements that
//! were voted alike sit on one spot; and a person's group (every group's
//! letter and size) is the same on every reload while no votes change, however
//! often the results are recomputed meanwhile.

use cohort_testkit as common;

use chrono::{TimeZone, Utc};
use cohort_engine::conversation::{DemoConversation, Vote};
use cohort_engine::Actor;
use cohort_store::VoteRow;
use common::{seed, TestApp, SLATE};
use reqwest::StatusCode;

both_backends!(
    statement_numbers_on_the_map_never_overlap,
    a_persons_group_stays_put_while_no_votes_change,
);

/// A statement number's box as the map draws it: the text's anchor is its
/// left end on the baseline; bold 10-unit digits are at most 6.5 wide and
/// rise at most 10 above the baseline.
fn number_box(x: i64, y: i64, label: &str) -> (i64, i64, i64, i64) {
    let w = (label.len() as i64 * 13 + 1) / 2;
    (x, y - 10, w, 12)
}

fn overlap(a: (i64, i64, i64, i64), b: (i64, i64, i64, i64)) -> bool {
    a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
}

/// Each statement marker's number on the map: (x, y, text).
fn numbers(html: &str) -> Vec<(i64, i64, String)> {
    html.split("<g class=\"stmt\">")
        .skip(1)
        .map(|g| {
            let g = &g[..g.find("</g>").expect("a closed group")];
            let text = &g[g.find("<text ").expect("a number")..];
            let attr = |name: &str| -> i64 {
                let at = text.find(&format!("{name}=\"")).expect("an attribute") + name.len() + 2;
                text[at..]
                    .split('"')
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("a number")
            };
            let label = text[text.find('>').expect("text") + 1..]
                .split('<')
                .next()
                .expect("a label")
                .to_owned();
            (attr("x"), attr("y"), label)
        })
        .collect()
}

async fn statement_numbers_on_the_map_never_overlap(app: TestApp) {
    seed(&app, "signers >= 1").await;
    let e = &app.engine;
    let org = Actor::Organizer { slate: None };
    let mut statements = Vec::new();
    for k in 0..8 {
        let s = e
            .seed_statement(&org, SLATE, &format!("Statement number {k}"))
            .await
            .expect("seed");
        statements.push(s.id);
    }
    // Two camps of twenty. Statements 0–3 get the same votes from everyone,
    // and so do 4–7: each four sit on one spot of the map.
    let at = Utc
        .with_ymd_and_hms(2026, 11, 2, 12, 0, 0)
        .single()
        .expect("a time");
    let mut tx = app.store.write().await.expect("begin");
    let slate = tx
        .slate_by_slug(SLATE)
        .await
        .expect("read")
        .expect("the slate");
    for p in 0..40 {
        let email = cohort_core::Email::parse(&format!("camp{p}@example.org")).expect("email");
        let user = tx.insert_user(&email, "", at).await.expect("user");
        let camp = if p % 2 == 0 { 1 } else { -1 };
        for (k, s) in statements.iter().enumerate() {
            let vote = if k < 4 { camp } else { -camp };
            tx.upsert_vote(
                slate.id,
                &VoteRow {
                    statement_id: *s,
                    user_id: user.id,
                    vote,
                    at,
                },
            )
            .await
            .expect("vote");
        }
    }
    tx.touch_conversation(slate.id).await.expect("touch");
    tx.commit().await.expect("commit");
    assert!(e.recompute_conversation(SLATE).await.expect("recompute"));

    let (status, html) = app
        .html(&format!("/slates/{SLATE}/conversation/results"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let shown = numbers(&html);
    assert_eq!(shown.len(), 8, "every statement is numbered: {shown:?}");
    for (i, a) in shown.iter().enumerate() {
        let ba = number_box(a.0, a.1, &a.2);
        assert!(
            ba.0 >= 0 && ba.1 >= 0 && ba.0 + ba.2 <= 400 && ba.1 + ba.3 <= 400,
            "statement {} is numbered outside the map: {ba:?}",
            a.2
        );
        for b in &shown[i + 1..] {
            assert!(
                !overlap(ba, number_box(b.0, b.1, &b.2)),
                "the numbers of statements {} and {} overlap: {a:?} {b:?}",
                a.2,
                b.2
            );
        }
    }
}

/// "group A (31 people), group B (…)": how the map sums up its groups.
fn group_summary(html: &str) -> String {
    let at = html.find("opinion groups: ").expect("groups on the map");
    html[at..].split('.').next().expect("a sentence").to_owned()
}

/// "You are in opinion group B" on the participate page.
fn my_group(html: &str) -> String {
    let at = html
        .find("opinion group ")
        .unwrap_or_else(|| panic!("no group in: {html}"));
    html[at..at + "opinion group ".len() + 1].to_owned()
}

async fn a_persons_group_stays_put_while_no_votes_change(app: TestApp) {
    seed(&app, "signers >= 1").await;
    let e = &app.engine;
    let org = Actor::Organizer { slate: None };
    // A small conversation, as every conversation starts: that is where the
    // groups used to move (the k smoother counted every recompute).
    let demo = DemoConversation {
        common: vec![
            "Every river town deserves lead-free water pipes".into(),
            "Flood insurance should not bankrupt families".into(),
        ],
        divisive: (0..8)
            .map(|k| format!("Divisive statement number {k}"))
            .collect(),
        pending: vec!["Post offices should offer basic bank accounts".into()],
        participants: 20,
        votes: 150,
        groups: 3,
        seed: 7,
    };
    e.load_demo_conversation(&org, SLATE, &demo)
        .await
        .expect("a conversation");
    assert!(e.recompute_conversation(SLATE).await.expect("recompute"));
    let session = app
        .session_for(&format!("voter0.{SLATE}@example.org"))
        .await;
    let page = format!("/slates/{SLATE}/conversation");
    let look = || async {
        let res = app
            .client
            .get(app.url(&page))
            .header("cookie", format!("cohort_session={session}"))
            .send()
            .await
            .expect("an answer");
        let mine = my_group(&res.text().await.expect("a body"));
        let (_, results) = app
            .html(&format!("/slates/{SLATE}/conversation/results"))
            .await;
        let groups = e
            .conversation_results(SLATE)
            .await
            .expect("results")
            .result
            .expect("a result")
            .points
            .iter()
            .map(|p| (p.participant, p.group))
            .collect::<Vec<_>>();
        (mine, group_summary(&results), groups)
    };
    let first = look().await;
    assert_eq!(look().await, first, "a reload alone changes nothing");

    // People change votes now and then; between those changes, things
    // happen that change no vote, each followed by a recompute as the
    // background job does: the same vote cast again, a statement approved
    // that nobody has voted on yet.
    let pending = e
        .conversation_statements(&org, SLATE)
        .await
        .expect("statements")
        .into_iter()
        .find(|s| s.status == "pending")
        .expect("a pending statement");
    for step in 0..4 {
        let email = format!("voter{}.{SLATE}@example.org", 1 + step * 4);
        let who = e
            .session(&app.session_for(&email).await)
            .await
            .expect("an actor");
        let theirs = e.participation(&who, SLATE).await.expect("participation");
        let (statement, vote) = theirs
            .my_votes
            .first()
            .map(|(s, v)| (s.id, *v))
            .expect("they voted");
        let flipped = if vote == Vote::Agree {
            Vote::Disagree
        } else {
            Vote::Agree
        };
        e.vote(&who, SLATE, statement, flipped).await.expect("vote");
        e.recompute_conversation(SLATE).await.expect("recompute");
        let now = look().await;
        for round in 0..5 {
            e.vote(&who, SLATE, statement, flipped).await.expect("vote");
            e.recompute_conversation(SLATE).await.expect("recompute");
            assert_eq!(
                look().await,
                now,
                "vote change {step}, recompute {round} on the same votes: the same groups"
            );
        }
        if step == 0 {
            e.moderate_statement(&org, SLATE, pending.id, true)
                .await
                .expect("approve");
            e.recompute_conversation(SLATE).await.expect("recompute");
            assert_eq!(look().await, now, "approving a statement moves nobody");
        }
    }
}
