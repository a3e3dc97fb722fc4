//! A slate's conversation (issue 4) on both backends: seeding, voting (last
//! vote wins), moderation, roles over real HTTP, the stored analysis against
//! `cohort_consensus::analyze` on the same votes (cold and warm), and
//! adopting a statement as a plank of the next compact version.

use cohort_testkit as common;

use cohort_consensus::bridging::{bridging, BridgingParams};
use cohort_consensus::synthetic::{generate, Spec};
use cohort_consensus::{analyze, VoteMatrix, VoteRecord};
use cohort_engine::conversation::{params, DemoConversation, Vote};
use cohort_engine::{Actor, EngineError};
use cohort_store::Role;
use common::{seed, TestApp, SLATE};
use reqwest::StatusCode;

both_backends!(
    organizers_seed_and_people_vote_and_the_last_vote_wins,
    added_statements_wait_for_an_organizer,
    recompute_matches_the_analysis_of_the_same_votes,
    adopting_a_statement_publishes_the_next_compact_version,
    results_are_public_and_statements_are_escaped,
);

/// A signed-in person the way people sign in: an emailed link (over the
/// test's SMTP server), followed. Answers the actor and the session cookie.
async fn member(app: &TestApp, email: &str) -> (Actor, String) {
    app.engine.request_sign_in(email).await.expect("a link");
    let mail = app.mail.wait_for(email, "sign-in link").await;
    let start = mail.body.find("/sign-in/").expect("a link in the email") + "/sign-in/".len();
    let token: String = mail.body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let session = app
        .engine
        .sign_in_with_link(&token)
        .await
        .expect("a session");
    let actor = app.engine.session(&session.0).await.expect("an actor");
    assert!(actor.account().is_some());
    (actor, session.0)
}

async fn organizer(app: &TestApp) -> (Actor, String) {
    app.engine
        .grant("org@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("grant");
    member(app, "org@example.org").await
}

/// A browser without JavaScript posting a form, with the CSRF token its pages carry.
async fn post(
    app: &TestApp,
    session: Option<&str>,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
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
    (res.status(), res.text().await.expect("a body"))
}

async fn page(app: &TestApp, session: Option<&str>, path: &str) -> (StatusCode, String) {
    let mut req = app.client.get(app.url(path));
    if let Some(s) = session {
        req = req.header("cookie", format!("cohort_session={s}"));
    }
    let res = req.send().await.expect("an answer");
    (res.status(), res.text().await.expect("a body"))
}

async fn organizers_seed_and_people_vote_and_the_last_vote_wins(app: TestApp) {
    seed(&app, "signers >= 1").await;
    let e = &app.engine;
    let (org, _) = organizer(&app).await;
    let (sup, sup_session) = member(&app, "sup@example.org").await;

    // Only organizers of the slate seed.
    assert!(matches!(
        e.seed_statement(&Actor::Public, SLATE, "Nope").await,
        Err(EngineError::Unauthenticated(_))
    ));
    assert!(matches!(
        e.seed_statement(&sup, SLATE, "Nope").await,
        Err(EngineError::Forbidden(_))
    ));
    assert!(matches!(
        e.seed_statement(&org, SLATE, "   ").await,
        Err(EngineError::Invalid { .. })
    ));
    let long = "x".repeat(141);
    assert!(matches!(
        e.seed_statement(&org, SLATE, &long).await,
        Err(EngineError::Invalid { .. })
    ));
    let mut ids = Vec::new();
    for text in [
        "Clean water is a right",
        "Transit should be free",
        "Rent should be capped",
    ] {
        let s = e.seed_statement(&org, SLATE, text).await.expect("seed");
        assert_eq!(s.status, "approved");
        ids.push(s.id);
    }
    assert_eq!(
        e.conversation_statements(&org, SLATE)
            .await
            .expect("list")
            .len(),
        3
    );

    // One statement at a time, each offered once.
    let mut seen = Vec::new();
    for _ in 0..3 {
        let p = e.participation(&sup, SLATE).await.expect("participation");
        let next = p.next.expect("a statement to vote on");
        assert!(!seen.contains(&next.id), "offered twice: {}", next.body);
        seen.push(next.id);
        e.vote(&sup, SLATE, next.id, Vote::Agree)
            .await
            .expect("vote");
    }
    let p = e.participation(&sup, SLATE).await.expect("participation");
    assert_eq!((p.next, p.voted, p.statements), (None, 3, 3));
    seen.sort_unstable();
    assert_eq!(seen, ids);

    // The last vote wins: agree, then (through the page) disagree.
    let (status, body) = post(
        &app,
        Some(&sup_session),
        &format!("/slates/{SLATE}/conversation/vote"),
        &[("statement", &ids[0].to_string()), ("vote", "disagree")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let p = e.participation(&sup, SLATE).await.expect("participation");
    let mine: Vec<(i64, Vote)> = p.my_votes.iter().map(|(s, v)| (s.id, *v)).collect();
    assert_eq!(
        mine,
        vec![
            (ids[0], Vote::Disagree),
            (ids[1], Vote::Agree),
            (ids[2], Vote::Agree)
        ]
    );
    let (_, body) = page(
        &app,
        Some(&sup_session),
        &format!("/slates/{SLATE}/conversation"),
    )
    .await;
    assert!(
        body.contains("You chose disagree.") && body.contains("Change to agree"),
        "{body}"
    );
    assert!(e.recompute_conversation(SLATE).await.expect("recompute"));
    assert!(
        !e.recompute_conversation(SLATE).await.expect("recompute"),
        "nothing changed since"
    );
    let r = e.conversation_results(SLATE).await.expect("results");
    let res = r.result.expect("a result");
    let t = res.tally(ids[0]).expect("a tally");
    assert_eq!(
        (t.overall.agree, t.overall.disagree, t.overall.seen),
        (0, 1, 1)
    );
    assert_eq!(r.votes, 3, "three statements, one vote each");
    assert!(!r.updating);

    // Without an account a vote is an anonymous participant's, and counts
    // (tests/conversation_anonymous.rs); a vote that is not a vote is refused.
    let (status, _) = post(
        &app,
        None,
        &format!("/slates/{SLATE}/conversation/vote"),
        &[("statement", &ids[1].to_string()), ("vote", "agree")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(e.recompute_conversation(SLATE).await.expect("recompute"));
    let (status, body) = post(
        &app,
        Some(&sup_session),
        &format!("/slates/{SLATE}/conversation/vote"),
        &[("statement", &ids[1].to_string()), ("vote", "maybe")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("is not agree, disagree or pass"), "{body}");
    // A form without the CSRF token does nothing.
    let res = app
        .client
        .post(app.url(&format!("/slates/{SLATE}/conversation/vote")))
        .header(
            "cookie",
            format!("cohort_csrf=a; cohort_session={sup_session}"),
        )
        .form(&[
            ("csrf", "b"),
            ("statement", &ids[1].to_string()),
            ("vote", "agree"),
        ])
        .send()
        .await
        .expect("an answer");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(
        !e.recompute_conversation(SLATE).await.expect("recompute"),
        "none of the refused votes changed anything"
    );
}

async fn added_statements_wait_for_an_organizer(app: TestApp) {
    seed(&app, "signers >= 1").await;
    let e = &app.engine;
    let (org, org_session) = organizer(&app).await;
    let (ann, ann_session) = member(&app, "ann@example.org").await;
    let (bo, bo_session) = member(&app, "bo@example.org").await;
    let base = e
        .seed_statement(&org, SLATE, "Clean water is a right")
        .await
        .expect("seed");

    // Ann adds two statements through the page; both wait for review.
    for text in ["Libraries should open on Sundays", "Ban all cars"] {
        let (status, body) = post(
            &app,
            Some(&ann_session),
            &format!("/slates/{SLATE}/conversation/statements"),
            &[("statement", text)],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    }
    let all = e.conversation_statements(&org, SLATE).await.expect("list");
    let libraries = all
        .iter()
        .find(|s| s.body.starts_with("Libraries"))
        .expect("added")
        .clone();
    let cars = all
        .iter()
        .find(|s| s.body == "Ban all cars")
        .expect("added")
        .clone();
    assert_eq!((libraries.status, cars.status), ("pending", "pending"));
    let p = e.participation(&ann, SLATE).await.expect("participation");
    assert_eq!(p.my_pending.len(), 2, "Ann sees her own, waiting");
    let (_, ann_page) = page(
        &app,
        Some(&ann_session),
        &format!("/slates/{SLATE}/conversation"),
    )
    .await;
    assert!(ann_page.contains("Waiting for review"), "{ann_page}");

    // Bo is never offered them, can't vote on them, and the results don't show them.
    let p = e.participation(&bo, SLATE).await.expect("participation");
    assert_eq!(p.statements, 1);
    assert_eq!(p.next.map(|s| s.id), Some(base.id));
    assert!(matches!(
        e.vote(&bo, SLATE, libraries.id, Vote::Agree).await,
        Err(EngineError::NotFound { .. })
    ));
    let (_, bo_page) = page(
        &app,
        Some(&bo_session),
        &format!("/slates/{SLATE}/conversation"),
    )
    .await;
    assert!(!bo_page.contains("Libraries") && !bo_page.contains("Ban all cars"));

    // A non-organizer can't moderate: 403, and nothing changes.
    let (status, _) = post(
        &app,
        Some(&bo_session),
        &format!("/slates/{SLATE}/conversation/moderate"),
        &[
            ("statement", &libraries.id.to_string()),
            ("decision", "approve"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = page(
        &app,
        Some(&bo_session),
        &format!("/slates/{SLATE}/conversation/moderate"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(matches!(
        e.moderate_statement(&ann, SLATE, libraries.id, true).await,
        Err(EngineError::Forbidden(_))
    ));
    let all = e.conversation_statements(&org, SLATE).await.expect("list");
    assert!(all.iter().all(|s| s.id == base.id || s.status == "pending"));

    // The organizer approves one and rejects the other, on the page.
    let (_, queue) = page(
        &app,
        Some(&org_session),
        &format!("/slates/{SLATE}/conversation/moderate"),
    )
    .await;
    assert!(
        queue.contains("Libraries should open on Sundays"),
        "{queue}"
    );
    for (id, decision) in [(libraries.id, "approve"), (cars.id, "reject")] {
        let (status, body) = post(
            &app,
            Some(&org_session),
            &format!("/slates/{SLATE}/conversation/moderate"),
            &[("statement", &id.to_string()), ("decision", decision)],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    }
    let p = e.participation(&bo, SLATE).await.expect("participation");
    assert_eq!(p.statements, 2, "the approved one is offered now");
    e.vote(&bo, SLATE, libraries.id, Vote::Agree)
        .await
        .expect("vote on the approved statement");
    assert!(matches!(
        e.vote(&bo, SLATE, cars.id, Vote::Agree).await,
        Err(EngineError::NotFound { .. })
    ));

    // Moderating out a statement with votes zeroes it in the analysis.
    e.vote(&bo, SLATE, base.id, Vote::Agree)
        .await
        .expect("vote");
    e.vote(&ann, SLATE, base.id, Vote::Disagree)
        .await
        .expect("vote");
    e.moderate_statement(&org, SLATE, base.id, false)
        .await
        .expect("reject");
    assert!(e.recompute_conversation(SLATE).await.expect("recompute"));
    let r = e.conversation_results(SLATE).await.expect("results");
    assert!(!r.statements.contains_key(&base.id) && !r.statements.contains_key(&cars.id));
    let res = r.result.expect("a result");
    assert!(res.statement_points.iter().all(|s| s.statement != base.id));
    assert!(res.group_consensus.iter().all(|(s, _)| *s != base.id));
    assert!(!res.consensus_agree.contains(&base.id) && !res.consensus_disagree.contains(&base.id));
    let (_, public) = page(&app, None, &format!("/slates/{SLATE}/conversation/results")).await;
    assert!(!public.contains("Ban all cars") && !public.contains("Clean water is a right"));
}

/// A synthetic conversation with real opinion structure, written through the
/// engine, then analyzed by the background use case: its stored groups and
/// consensus are exactly what `analyze` finds on the same votes — cold the
/// first time, warm-started from the first run's state the second.
async fn recompute_matches_the_analysis_of_the_same_votes(app: TestApp) {
    seed(&app, "signers >= 1").await;
    let e = &app.engine;
    let (org, org_session) = organizer(&app).await;
    let demo = DemoConversation {
        common: (0..4).map(|i| format!("Common ground {i}")).collect(),
        divisive: (0..12).map(|i| format!("Divisive {i}")).collect(),
        participants: 90,
        votes: 1100,
        groups: 3,
        seed: 11,
        pending: Vec::new(),
    };
    let ids = e
        .load_demo_conversation(&org, SLATE, &demo)
        .await
        .expect("load");
    // The same votes, from the generator itself, named by the stored ids.
    let synthetic = generate(&Spec {
        participants: demo.participants,
        statements: 16,
        votes: demo.votes,
        groups: demo.groups,
        consensus_share: 4.0 / 16.0,
        seed: demo.seed,
    });
    let mut votes: Vec<VoteRecord> = synthetic
        .votes
        .iter()
        .map(|v| VoteRecord {
            participant: ids.users[v.participant as usize] as u64,
            statement: ids.statements[v.statement as usize] as u64,
            vote: v.vote,
            time: 0,
        })
        .collect();
    let check = |stored: &cohort_engine::conversation::ConversationResult,
                 direct: &cohort_consensus::Analysis| {
        assert!(direct.groups.len() >= 2, "the planted groups are found");
        // The views read the slim form: memberships from the map's dots
        // (every dot is drawn at this size), sizes from the groups.
        let mut stored_groups: Vec<Vec<i64>> = vec![Vec::new(); stored.groups.len()];
        for p in &stored.points {
            if let Some(g) = p.group {
                stored_groups[g].push(p.participant);
            }
        }
        for (g, members) in stored.groups.iter().zip(&mut stored_groups) {
            members.sort_unstable();
            assert_eq!(g.size, members.len());
        }
        let direct_groups: Vec<Vec<i64>> = direct
            .groups
            .iter()
            .map(|g| g.participants.iter().map(|p| *p as i64).collect())
            .collect();
        assert_eq!(stored_groups, direct_groups);
        let ids_of = |v: &[cohort_consensus::ConsensusStatement]| -> Vec<i64> {
            v.iter().map(|c| c.statement as i64).collect()
        };
        assert_eq!(stored.consensus_agree, ids_of(&direct.consensus.agree));
        assert_eq!(
            stored.consensus_disagree,
            ids_of(&direct.consensus.disagree)
        );
        let gc: Vec<i64> = direct
            .group_consensus
            .iter()
            .map(|g| g.statement as i64)
            .collect();
        assert_eq!(
            stored
                .group_consensus
                .iter()
                .map(|(s, _)| *s)
                .collect::<Vec<_>>(),
            gc
        );
        for g in &stored.groups {
            let d = direct.repness.get(&g.id).expect("the same group ids");
            assert_eq!(
                g.repness.iter().map(|r| r.statement).collect::<Vec<_>>(),
                d.iter().map(|r| r.statement as i64).collect::<Vec<_>>()
            );
        }
        assert_eq!(stored.in_conversation, direct.in_conversation.len());
    };

    assert!(e.recompute_conversation(SLATE).await.expect("recompute"));
    let cold = analyze(&VoteMatrix::from_votes(&votes), &[], &params(), None);
    let r = e.conversation_results(SLATE).await.expect("results");
    assert_eq!(r.votes, votes.len() as i64);
    check(r.result.as_ref().expect("a result"), &cold);
    assert!(
        !r.result
            .as_ref()
            .expect("a result")
            .consensus_agree
            .is_empty(),
        "the planted common ground is found"
    );
    // Bridging: stored as the model finds it on the same votes; the planted
    // common ground bridges, the divisive statements do not; the results
    // page shows it and the adoption page puts the bridges first.
    let stored = &r.result.as_ref().expect("a result").bridging;
    let direct = bridging(
        &VoteMatrix::from_votes(&votes),
        &[],
        &BridgingParams::default(),
    );
    assert_eq!(stored.len(), direct.statements.len());
    for d in &direct.statements {
        let s = stored
            .iter()
            .find(|b| b.statement == d.statement as i64)
            .expect("stored");
        assert_eq!(
            (s.across, s.low, s.high, s.bridges),
            (d.across, d.low, d.high, d.bridges)
        );
    }
    // Statements every planted group agrees with (most of the time).
    let agreed: Vec<i64> = (0..16)
        .filter(|&s| synthetic.stance[s].iter().all(|(agree, _)| *agree >= 0.7))
        .map(|s| ids.statements[s])
        .collect();
    assert!(stored.iter().any(|b| b.bridges), "{stored:?}");
    let bridges: Vec<i64> = stored
        .iter()
        .filter(|b| b.bridges)
        .map(|b| b.statement)
        .collect();
    assert!(
        bridges.iter().all(|b| agreed.contains(b)),
        "{bridges:?} ⊄ {agreed:?}"
    );
    let body = |id: i64| r.statements.get(&id).expect("approved").body.clone();
    let (_, public) = page(&app, None, &format!("/slates/{SLATE}/conversation/results")).await;
    let section = public
        .split("Bridges across the divide")
        .nth(1)
        .expect("the section");
    let section = section.split("</section>").next().unwrap_or_default();
    assert!(
        bridges.iter().all(|b| section.contains(&body(*b))),
        "{section}"
    );
    assert!(section.contains("across the divide ("), "{section}");
    let (_, org_page) = page(
        &app,
        Some(&org_session),
        &format!("/slates/{SLATE}/conversation/moderate"),
    )
    .await;
    let approved = org_page
        .split("id=\"approved-heading\"")
        .nth(1)
        .expect("the list");
    let first = approved.find("<q>").expect("a statement") + 3;
    assert!(
        approved[first..].starts_with(&body(stored[0].statement)),
        "highest lower bound first"
    );
    assert!(approved.contains("a candidate plank"));

    // A new vote arrives; the next run starts warm from the first run.
    let (sup, _) = member(&app, "sup@example.org").await;
    let target = ids.statements[0];
    e.vote(&sup, SLATE, target, Vote::Agree)
        .await
        .expect("vote");
    let sup_id = sup.account().expect("an account").user.id;
    votes.push(VoteRecord {
        participant: sup_id as u64,
        statement: target as u64,
        vote: 1,
        time: 1,
    });
    let input = e
        .load_conversation(SLATE)
        .await
        .expect("load")
        .expect("votes changed");
    assert!(input.warm.is_some(), "the stored warm start is read back");
    assert!(e.recompute_conversation(SLATE).await.expect("recompute"));
    let warm = analyze(
        &VoteMatrix::from_votes(&votes),
        &[],
        &params(),
        Some(&cold.warm),
    );
    let r = e.conversation_results(SLATE).await.expect("results");
    assert_eq!(r.votes, votes.len() as i64);
    check(r.result.as_ref().expect("a result"), &warm);
    assert!(e.stale_conversations().await.expect("stale").is_empty());
}

async fn adopting_a_statement_publishes_the_next_compact_version(app: TestApp) {
    let version = seed(&app, "signers >= 1").await;
    let e = &app.engine;
    let (org, org_session) = organizer(&app).await;
    let (sup, sup_session) = member(&app, "sup@example.org").await;
    let (bo, _) = member(&app, "bo@example.org").await;
    let s = e
        .seed_statement(&org, SLATE, "Every river town gets lead-free pipes")
        .await
        .expect("seed");
    let why = "Both groups back it: safe water before anything else.";
    // No results cover it yet.
    assert!(matches!(
        e.adopt_statement(&org, SLATE, s.id, "", why).await,
        Err(EngineError::Conflict { .. })
    ));
    for a in [&sup, &bo, &org] {
        e.vote(a, SLATE, s.id, Vote::Agree).await.expect("vote");
    }
    assert!(e.recompute_conversation(SLATE).await.expect("recompute"));

    // Not an organizer: 403 over HTTP, and no new version.
    let (status, _) = post(
        &app,
        Some(&sup_session),
        &format!("/slates/{SLATE}/conversation/adopt"),
        &[
            ("statement", &s.id.to_string()),
            ("title", ""),
            ("why", why),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let view = e.slate_view(SLATE).await.expect("view");
    assert_eq!(
        view.compact.as_ref().map(|c| c.version),
        Some(version as i32)
    );

    // Without a why, a clear refusal on the page.
    let (status, body) = post(
        &app,
        Some(&org_session),
        &format!("/slates/{SLATE}/conversation/adopt"),
        &[
            ("statement", &s.id.to_string()),
            ("title", ""),
            ("why", " "),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("say why the movement holds this plank"),
        "{body}"
    );

    // Adopting asks first, saying who will be on an older version (issue 16,
    // defect 6); nothing is published until the organizer confirms.
    common::sign_as(&app, "ada-reyes", version).await;
    common::sign_as(&app, "ben-okafor", version).await;
    let (status, body) = post(
        &app,
        Some(&org_session),
        &format!("/slates/{SLATE}/conversation/adopt"),
        &[
            ("statement", &s.id.to_string()),
            ("title", "Lead-free pipes"),
            ("why", why),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for said in [
        "Publish version 2 of the compact with the plank",
        "Lead-free pipes",
        "All 2 signers (Ada Reyes and Ben Okafor) will then be on an older version of the compact until they sign version 2",
        "name=\"confirm\" value=\"yes\"",
    ] {
        assert!(body.contains(said), "{said:?} in {body}");
    }
    let view = e.slate_view(SLATE).await.expect("view");
    assert_eq!(
        view.compact.as_ref().map(|c| c.version),
        Some(version as i32),
        "asked, not published"
    );
    let (status, body) = post(
        &app,
        Some(&org_session),
        &format!("/slates/{SLATE}/conversation/adopt"),
        &[
            ("statement", &s.id.to_string()),
            ("title", "Lead-free pipes"),
            ("why", why),
            ("confirm", "yes"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let view = e.slate_view(SLATE).await.expect("view");
    let compact = view.compact.expect("a compact");
    assert_eq!(compact.version, version as i32 + 1);
    assert_eq!(
        compact.commitments,
        vec![
            "Cross-endorse every other signer",
            "Vote as a bloc on the platform"
        ],
        "the commitments carry over"
    );
    let titles: Vec<(&str, &str)> = compact
        .planks
        .iter()
        .map(|p| (p.title.as_str(), p.why.as_str()))
        .collect();
    assert_eq!(
        titles,
        vec![
            ("Clean water", "Every town on the river drinks from it."),
            ("Lead-free pipes", why)
        ]
    );
    // Adopted once.
    assert!(matches!(
        e.adopt_statement(&org, SLATE, s.id, "Again", why).await,
        Err(EngineError::Conflict { .. })
    ));
    let (_, slate_page) = page(&app, None, &format!("/slates/{SLATE}")).await;
    assert!(
        slate_page.contains("Adopted from the conversation: 100% of 3 voters agree"),
        "{slate_page}"
    );
}

async fn results_are_public_and_statements_are_escaped(app: TestApp) {
    seed(&app, "signers >= 1").await;
    let e = &app.engine;
    let (org, org_session) = organizer(&app).await;
    let (status, body) = page(&app, None, &format!("/slates/{SLATE}/conversation/results")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("No votes yet"), "{body}");
    let (status, body) = page(&app, None, &format!("/slates/{SLATE}/conversation")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "visitors vote anonymously (issue 16)"
    );
    assert!(body.contains("without an account"), "{body}");
    let (status, _) = page(&app, None, "/slates/no-such-slate/conversation/results").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let demo = DemoConversation {
        common: vec!["<script>alert(1)</script> & friends".into()],
        divisive: (0..7).map(|i| format!("Divisive \"{i}\"")).collect(),
        participants: 40,
        votes: 300,
        groups: 2,
        seed: 3,
        pending: Vec::new(),
    };
    e.load_demo_conversation(&org, SLATE, &demo)
        .await
        .expect("load");
    let (_, body) = page(&app, None, &format!("/slates/{SLATE}/conversation/results")).await;
    assert!(
        body.contains("first results are being computed"),
        "until the loop runs: {body}"
    );
    assert!(e.recompute_conversation(SLATE).await.expect("recompute"));
    for (who, path) in [
        (None, format!("/slates/{SLATE}/conversation/results")),
        (
            Some(org_session.as_str()),
            format!("/slates/{SLATE}/conversation/moderate"),
        ),
    ] {
        let (status, body) = page(&app, who, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            body.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; friends")
                && !body.contains("<script>alert"),
            "{path}: {body}"
        );
    }
    let (_, body) = page(&app, None, &format!("/slates/{SLATE}/conversation/results")).await;
    assert!(
        body.contains("Results last updated November 24, 2026 at 12:00 UTC"),
        "{body}"
    );
    assert!(
        body.contains("<svg") && body.contains("<desc id=\"map-desc\">"),
        "{body}"
    );
    assert!(body.contains("agree"), "{body}");
}
