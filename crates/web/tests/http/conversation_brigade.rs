//! Anti-brigading (issue 20) over real HTTP on both backends: a burst of
//! anonymous participants who arrive together and vote as one, mimicking one
//! side of the divide except on the statement they push, is flagged on the
//! organizers' moderation page (how many, when, how alike) and nowhere a
//! visitor can see; an organizer down-weights it (stored with who and when);
//! the bridging ranking is then the one the organic votes alone give, and the
//! pushed statement falls back below the statement that really bridges.

use cohort_testkit as common;

use cohort_consensus::bridging::{bridging, BridgingParams};
use cohort_consensus::{VoteMatrix, VoteRecord};
use cohort_engine::conversation::{BridgeResult, Vote};
use cohort_engine::Actor;
use cohort_store::Role;
use common::jar::Browser;
use common::{seed, TestApp, SLATE};
use reqwest::StatusCode;

both_backends!(
    a_planted_burst_is_flagged_for_organizers_and_down_weighting_it_holds_the_bridging_ranking
);

const BRIDGE: &str = "Every neighborhood deserves a public library";
const PUSHED: &str = "The stadium should get public money";
const ORGANIC: usize = 40;
const BURST: usize = 20;

/// A small deterministic generator for the organic participants' noise.
struct Lcg(u64);

impl Lcg {
    fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Side B's vote on statement `j` (0: the bridge, 1: the pushed one, then
/// eight that split the sides), before noise.
fn side_vote(side_a: bool, j: usize) -> i32 {
    let sign = if side_a { 1 } else { -1 };
    match j {
        0 => 1,
        1 => sign,
        j if j % 2 == 0 => sign,
        _ => -sign,
    }
}

fn as_vote(v: i32) -> Vote {
    if v > 0 {
        Vote::Agree
    } else {
        Vote::Disagree
    }
}

fn ranking(b: &[BridgeResult]) -> Vec<(i64, f64)> {
    b.iter().map(|x| (x.statement, x.low)).collect()
}

fn low_of(b: &[BridgeResult], statement: i64) -> f64 {
    b.iter()
        .find(|x| x.statement == statement)
        .map(|x| x.low)
        .expect("a bridging score")
}

async fn page(app: &TestApp, session: Option<&str>, path: &str) -> (StatusCode, String) {
    let mut req = app.client.get(app.url(path));
    if let Some(s) = session {
        req = req.header("cookie", format!("cohort_session={s}"));
    }
    let res = req.send().await.expect("an answer");
    (res.status(), res.text().await.expect("a body"))
}

async fn post(
    app: &TestApp,
    session: Option<&str>,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, Option<String>) {
    let (cookie, csrf) = app.form_credentials(session).await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let res = app
        .client
        .post(app.url(path))
        .header("cookie", cookie)
        .form(&form)
        .send()
        .await
        .expect("an answer");
    let location = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap_or("").to_owned());
    (res.status(), res.text().await.expect("a body"), location)
}

async fn a_planted_burst_is_flagged_for_organizers_and_down_weighting_it_holds_the_bridging_ranking(
    app: TestApp,
) {
    seed(&app, "signers >= 1").await;
    let e = &app.engine;
    let token = Actor::Organizer { slate: None };
    let mut texts = vec![BRIDGE.to_owned(), PUSHED.to_owned()];
    texts.extend((2..10).map(|j| format!("Partisan statement number {j}")));
    let mut ids = Vec::new();
    for t in &texts {
        ids.push(e.seed_statement(&token, SLATE, t).await.expect("seed").id);
    }

    // Organic participants, one every 15 minutes, half on each side, each
    // vote flipped with probability 0.15 (the bridge: 0.1).
    let t0 = common::now();
    let mut rng = Lcg(20);
    for i in 0..ORGANIC {
        app.clock.set(t0 + chrono::Duration::minutes(15 * i as i64));
        let secret = e.new_secret();
        for (j, id) in ids.iter().enumerate() {
            let mut v = side_vote(i % 2 == 0, j);
            if rng.unit() < if j == 0 { 0.1 } else { 0.15 } {
                v = -v;
            }
            e.vote_as(&Actor::Public, Some(&secret), SLATE, *id, as_vote(v))
                .await
                .expect("vote");
        }
    }

    // The burst, through the conversation page as anonymous visitors do:
    // twenty arrivals within four minutes, every one voting as side B
    // except that they agree with the pushed statement.
    let burst_start = t0 + chrono::Duration::hours(11);
    let vote_path = format!("/slates/{SLATE}/conversation/vote");
    for k in 0..BURST {
        app.clock
            .set(burst_start + chrono::Duration::seconds(12 * k as i64));
        let mut b = Browser::new(&app);
        let first = b.get(&format!("/slates/{SLATE}/conversation")).await;
        assert_eq!(first.status, StatusCode::OK);
        let csrf = b.csrf().await;
        for (j, id) in ids.iter().enumerate() {
            let v = if j == 1 { 1 } else { side_vote(false, j) };
            let id = id.to_string();
            let done = b
                .post_raw(
                    &vote_path,
                    &[
                        ("csrf", &csrf),
                        ("statement", &id),
                        ("vote", as_vote(v).as_str()),
                    ],
                )
                .await;
            assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        }
    }
    app.clock.set(burst_start + chrono::Duration::hours(1));
    assert!(e.recompute_conversation(SLATE).await.expect("recompute"));

    // Organizers see the burst: how many, when, how alike, what as one.
    e.grant("org@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("grant");
    let org = app.session_for("org@example.org").await;
    let moderate = format!("/slates/{SLATE}/conversation/moderate");
    let (status, body) = page(&app, Some(&org), &moderate).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Possible brigading (1)"), "{body}");
    assert!(
        body.contains("20 participants (33% of everyone who voted) arrived on"),
        "{body}"
    );
    assert!(body.contains("voted alike: 100% of their votes"), "{body}");
    assert!(
        body.contains(&format!("They all agreed with “{PUSHED}”")),
        "{body}"
    );
    assert!(body.contains("Down-weight this burst"), "{body}");
    let flagged = e
        .conversation_bursts(&token, SLATE)
        .await
        .expect("organizers see bursts");
    assert_eq!(flagged.bursts.len(), 1, "{flagged:?}");
    let burst = flagged.bursts[0].clone();
    assert_eq!(burst.participants.len(), BURST);
    assert_eq!(burst.from_time(), burst_start);
    assert!(flagged.decisions.is_empty());

    // Nobody else does: not the public results, not a visitor, not a member.
    let (status, results) =
        page(&app, None, &format!("/slates/{SLATE}/conversation/results")).await;
    assert_eq!(status, StatusCode::OK);
    for secret in ["brigading", "20 participants", burst.key.as_str()] {
        assert!(!results.contains(secret), "{secret} on the public results");
    }
    let public = e.conversation_results(SLATE).await.expect("results");
    assert!(public.result.expect("a result").bursts.is_empty());
    let (status, _) = page(&app, None, &moderate).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "visitors are sent to sign in"
    );
    let member = app.session_for("member@example.org").await;
    let (status, _) = page(&app, Some(&member), &moderate).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let downweight = format!("/slates/{SLATE}/conversation/downweight");
    let (status, _, _) = post(&app, Some(&member), &downweight, &[("burst", &burst.key)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "members cannot down-weight");
    assert!(e.conversation_bursts(&Actor::Public, SLATE).await.is_err());
    let (status, body, _) = post(&app, Some(&org), &downweight, &[("burst", "nonsense")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("burst"),
        "the problem names the field: {body}"
    );
    assert!(e
        .conversation_bursts(&token, SLATE)
        .await
        .expect("bursts")
        .decisions
        .is_empty());

    // The push worked on the bridging fit: with the burst, the pushed
    // statement scores higher than on the organic votes alone.
    let before = e
        .conversation_results(SLATE)
        .await
        .expect("results")
        .result
        .expect("a result")
        .bridging;

    // An organizer down-weights it; the decision is stored with who and when.
    let (status, body, location) =
        post(&app, Some(&org), &downweight, &[("burst", &burst.key)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(
        location.as_deref(),
        Some(format!("{moderate}?notice=downweighted").as_str())
    );
    // Before the next update the page says the decision is taken and
    // waiting, offers no second press, and a second press is refused (it
    // used to be taken again: the shown result knew no decision).
    let (status, body) = page(&app, Some(&org), &moderate).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Down-weighted: its votes leave the bridging scores at the next update"),
        "{body}"
    );
    assert!(!body.contains("Down-weight this burst"), "{body}");
    let twice = post(&app, Some(&org), &downweight, &[("burst", &burst.key)]).await;
    assert_eq!(twice.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", twice.1);
    assert!(twice.1.contains("down-weighted already"), "{}", twice.1);
    let input = e
        .load_conversation(SLATE)
        .await
        .expect("load")
        .expect("the decision is a change to recompute");
    let mut dropped: Vec<u64> = burst.participants.iter().map(|p| *p as u64).collect();
    dropped.sort_unstable();
    assert_eq!(input.downweighted, dropped);
    let organic: Vec<VoteRecord> = input
        .votes
        .iter()
        .filter(|v| dropped.binary_search(&v.participant).is_err())
        .copied()
        .collect();
    assert_eq!(organic.len(), ORGANIC * ids.len());
    let mut expected: Vec<BridgeResult> = bridging(
        &VoteMatrix::from_votes(&organic),
        &[],
        &BridgingParams::default(),
    )
    .statements
    .into_iter()
    .map(|b| BridgeResult {
        statement: b.statement as i64,
        votes: b.votes,
        across: b.across,
        low: b.low,
        high: b.high,
        bridges: b.bridges,
    })
    .collect();
    expected.sort_by(|a, b| b.low.total_cmp(&a.low).then(a.statement.cmp(&b.statement)));
    assert!(
        low_of(&before, ids[1]) > low_of(&expected, ids[1]) + 0.02,
        "the burst lifted the pushed statement: {} with it, {} without",
        low_of(&before, ids[1]),
        low_of(&expected, ids[1])
    );

    assert!(e.recompute_conversation(SLATE).await.expect("recompute"));
    let after = e
        .conversation_results(SLATE)
        .await
        .expect("results")
        .result
        .expect("a result")
        .bridging;
    assert_eq!(
        ranking(&after),
        ranking(&expected),
        "with the burst down-weighted the bridging ranking is the organic one"
    );
    assert!(low_of(&after, ids[0]) > low_of(&after, ids[1]));
    assert_eq!(after[0].statement, ids[0], "the real bridge ranks first");

    let (status, body) = page(&app, Some(&org), &moderate).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Down-weighted: left out of the bridging scores"),
        "{body}"
    );
    assert!(
        body.contains("down-weighted 20 participants who arrived on"),
        "{body}"
    );
    let bridge_at = body.find(&format!("<q>{BRIDGE}</q>")).expect("listed");
    let pushed_at = body.find(&format!("<q>{PUSHED}</q>")).expect("listed");
    assert!(bridge_at < pushed_at, "the bridge is listed first");
    let again = post(&app, Some(&org), &downweight, &[("burst", &burst.key)]).await;
    assert_eq!(again.0, StatusCode::UNPROCESSABLE_ENTITY, "once is enough");
    assert_eq!(
        e.conversation_bursts(&token, SLATE)
            .await
            .expect("bursts")
            .decisions
            .len(),
        1
    );
}
