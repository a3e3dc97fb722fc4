//! Conformance: a slate's conversation (statements, votes, stored results).

use chrono::{TimeZone, Utc};
use cohort_core::limits::LimitTable;
use cohort_core::{Condition, Email, Slug};

use crate::*;

pub async fn conversations_statements_votes_and_results(store: &dyn Store) {
    let at = |h: u32| {
        Utc.with_ymd_and_hms(2026, 11, 2, h, 0, 0)
            .single()
            .expect("time")
    };
    let mut tx = store.write().await.expect("begin");
    let slate = tx
        .insert_slate(&NewSlate {
            slug: Slug::parse("talk").expect("slug"),
            name: "Talk".into(),
            cycle: 2028,
            description: String::new(),
            condition: Condition::parse("signers >= 1").expect("condition"),
            limits: LimitTable::new(),
            created_at: at(1),
        })
        .await
        .expect("slate");
    let ann = tx
        .insert_user(
            &Email::parse("ann@example.org").expect("email"),
            "Ann",
            at(1),
        )
        .await
        .expect("user");
    let bo = tx
        .insert_user(&Email::parse("bo@example.org").expect("email"), "Bo", at(1))
        .await
        .expect("user");
    let seeded = tx
        .insert_statement(&NewStatement {
            slate_id: slate.id,
            body: "Rivers should be clean <b>".into(),
            author_id: None,
            status: StatementStatus::Approved,
            seeded: true,
            created_at: at(2),
        })
        .await
        .expect("statement");
    let added = tx
        .insert_statement(&NewStatement {
            slate_id: slate.id,
            body: "Buses should be free".into(),
            author_id: Some(ann.id),
            status: StatementStatus::Pending,
            seeded: false,
            created_at: at(3),
        })
        .await
        .expect("statement");
    tx.commit().await.expect("commit");

    let mut tx = store.write().await.expect("begin");
    let all = tx.statements(slate.id, None).await.expect("statements");
    assert_eq!(
        all,
        vec![seeded.clone(), added.clone()],
        "round trip, oldest first"
    );
    assert_eq!(
        tx.statements(slate.id, Some(added.id)).await.expect("one"),
        vec![added.clone()]
    );
    assert!(
        tx.statements(slate.id + 1, Some(added.id))
            .await
            .expect("none")
            .is_empty(),
        "only within its slate"
    );
    assert!(tx
        .set_statement_status(added.id, StatementStatus::Rejected)
        .await
        .expect("status"));
    assert!(!tx
        .set_statement_status(added.id + 1000, StatementStatus::Approved)
        .await
        .expect("status"));
    let adoption = Adoption {
        version: 2,
        title: "Clean rivers".into(),
        support: "82% agree".into(),
    };
    tx.set_statement_adopted(seeded.id, &adoption)
        .await
        .expect("adopt");
    assert_eq!(
        tx.conversation_state(slate.id).await.expect("state"),
        ConversationState::default(),
        "no conversation yet"
    );
    // The last vote of a person on a statement replaces the earlier one.
    for (user, vote, h) in [(ann.id, 1, 4), (ann.id, -1, 5), (bo.id, 0, 6)] {
        tx.upsert_vote(
            slate.id,
            &VoteRow {
                statement_id: seeded.id,
                user_id: user,
                vote,
                at: at(h),
            },
        )
        .await
        .expect("vote");
        tx.touch_conversation(slate.id).await.expect("touch");
    }
    tx.commit().await.expect("commit");

    let mut tx = store.write().await.expect("begin");
    let all = tx.statements(slate.id, None).await.expect("statements");
    assert_eq!(all[0].adopted.as_ref(), Some(&adoption));
    assert_eq!(all[1].status, StatementStatus::Rejected);
    let votes = tx.conversation_votes(slate.id).await.expect("votes");
    assert_eq!(
        votes,
        vec![
            VoteRow {
                statement_id: seeded.id,
                user_id: ann.id,
                vote: -1,
                at: at(5)
            },
            VoteRow {
                statement_id: seeded.id,
                user_id: bo.id,
                vote: 0,
                at: at(6)
            },
        ]
    );
    assert_eq!(
        tx.votes_of(slate.id, bo.id).await.expect("votes"),
        votes[1..].to_vec()
    );
    let state = tx.conversation_state(slate.id).await.expect("state");
    assert_eq!((state.changes, state.result.is_none()), (3, true));
    assert_eq!(
        tx.stale_conversations().await.expect("stale"),
        vec![slate.id]
    );

    let result = StoredResult {
        changes: 3,
        votes: 2,
        computed_at: at(7),
        result: "{\"groups\":[]}".into(),
        warm: "{}".into(),
    };
    assert!(tx
        .save_conversation_result(slate.id, &result)
        .await
        .expect("save"));
    let older = StoredResult {
        changes: 2,
        ..result.clone()
    };
    assert!(
        !tx.save_conversation_result(slate.id, &older)
            .await
            .expect("save"),
        "an older result never replaces a newer one"
    );
    let state = tx.conversation_state(slate.id).await.expect("state");
    assert_eq!(state.result.as_ref(), Some(&result));
    assert!(tx.stale_conversations().await.expect("stale").is_empty());
    tx.touch_conversation(slate.id).await.expect("touch");
    assert_eq!(
        tx.stale_conversations().await.expect("stale"),
        vec![slate.id]
    );
    tx.commit().await.expect("commit");
}

/// Anonymous participants (issue 16): found by their secret's hash, their
/// last vote on a statement wins, their votes are listed per slate and per
/// visitor, and deleting one deletes their votes and nothing else.
pub async fn anonymous_participants_vote_and_are_deleted_whole(store: &dyn Store) {
    let at = |h: u32| {
        Utc.with_ymd_and_hms(2026, 11, 3, h, 0, 0)
            .single()
            .expect("time")
    };
    let mut tx = store.write().await.expect("begin");
    let mut slates = Vec::new();
    let mut statements = Vec::new();
    for slug in ["anon-a", "anon-b"] {
        let slate = tx
            .insert_slate(&NewSlate {
                slug: Slug::parse(slug).expect("slug"),
                name: slug.into(),
                cycle: 2028,
                description: String::new(),
                condition: Condition::parse("signers >= 1").expect("condition"),
                limits: LimitTable::new(),
                created_at: at(1),
            })
            .await
            .expect("slate");
        let s = tx
            .insert_statement(&NewStatement {
                slate_id: slate.id,
                body: format!("Statement of {slug}"),
                author_id: None,
                status: StatementStatus::Approved,
                seeded: true,
                created_at: at(1),
            })
            .await
            .expect("statement");
        slates.push(slate.id);
        statements.push(s.id);
    }
    assert_eq!(tx.visitor_by_token_hash("h1").await.expect("find"), None);
    let v1 = tx.insert_visitor("h1", at(2)).await.expect("visitor");
    let v2 = tx.insert_visitor("h2", at(2)).await.expect("visitor");
    assert_ne!(v1, v2);
    assert_eq!(
        tx.visitor_by_token_hash("h1").await.expect("find"),
        Some(v1)
    );
    tx.commit().await.expect("commit");
    let mut tx = store.write().await.expect("begin");
    assert!(
        tx.insert_visitor("h1", at(3)).await.is_err(),
        "one visitor per secret"
    );
    drop(tx);

    let mut tx = store.write().await.expect("begin");
    let vote = |slate: usize, visitor: Id, vote: i32, h: u32| VisitorVoteRow {
        slate_id: slates[slate],
        statement_id: statements[slate],
        visitor_id: visitor,
        vote,
        at: at(h),
    };
    for v in [
        vote(0, v1, 1, 4),
        vote(0, v1, -1, 5),
        vote(1, v1, 0, 6),
        vote(0, v2, 1, 7),
    ] {
        tx.upsert_visitor_vote(&v).await.expect("vote");
    }
    assert_eq!(
        tx.visitor_votes(v1, None).await.expect("votes"),
        vec![vote(0, v1, -1, 5), vote(1, v1, 0, 6)],
        "the last vote on a statement wins; every slate, in slate order"
    );
    assert_eq!(
        tx.visitor_votes(v1, Some(slates[1])).await.expect("votes"),
        vec![vote(1, v1, 0, 6)]
    );
    assert_eq!(
        tx.conversation_visitor_votes(slates[0])
            .await
            .expect("votes"),
        vec![vote(0, v1, -1, 5), vote(0, v2, 1, 7)]
    );
    assert!(
        tx.conversation_votes(slates[0])
            .await
            .expect("votes")
            .is_empty(),
        "accounts' votes are apart"
    );
    tx.delete_visitor(v1).await.expect("delete");
    assert!(tx.visitor_votes(v1, None).await.expect("votes").is_empty());
    assert_eq!(tx.visitor_by_token_hash("h1").await.expect("find"), None);
    assert_eq!(
        tx.conversation_visitor_votes(slates[0])
            .await
            .expect("votes"),
        vec![vote(0, v2, 1, 7)],
        "the other visitor keeps theirs"
    );
    tx.commit().await.expect("commit");
}

pub async fn burst_downweights_are_recorded_per_slate_in_order(store: &dyn Store) {
    let at = |h: u32| {
        Utc.with_ymd_and_hms(2026, 11, 3, h, 0, 0)
            .single()
            .expect("time")
    };
    let mut tx = store.write().await.expect("begin");
    let mut slates = Vec::new();
    for slug in ["brigaded", "quiet"] {
        let s = tx
            .insert_slate(&NewSlate {
                slug: Slug::parse(slug).expect("slug"),
                name: slug.into(),
                cycle: 2028,
                description: String::new(),
                condition: Condition::parse("signers >= 1").expect("condition"),
                limits: LimitTable::new(),
                created_at: at(1),
            })
            .await
            .expect("slate");
        slates.push(s.id);
    }
    let org = tx
        .insert_user(
            &Email::parse("org@example.org").expect("email"),
            "Org",
            at(1),
        )
        .await
        .expect("user");
    let first = NewDownweight {
        slate_id: slates[0],
        // Accounts and anonymous visitors (negative rows) alike.
        participants: vec![-9, -3, 4, 17],
        burst_from: at(2),
        burst_until: at(3),
        decided_by: Some(org.id),
        decided_at: at(4),
    };
    let second = NewDownweight {
        participants: vec![5],
        decided_by: None,
        decided_at: at(5),
        ..first.clone()
    };
    let a = tx.insert_downweight(&first).await.expect("insert");
    let b = tx.insert_downweight(&second).await.expect("insert");
    assert_ne!(a, b);
    tx.commit().await.expect("commit");

    let mut tx = store.read().await.expect("begin");
    assert_eq!(
        tx.downweights(slates[0]).await.expect("read"),
        vec![
            DownweightRow { id: a, d: first },
            DownweightRow { id: b, d: second }
        ],
        "oldest first, participants and times as written"
    );
    assert!(tx.downweights(slates[1]).await.expect("read").is_empty());
}

pub async fn the_slim_result_form_is_replaced_whole_and_reads_the_drawn_dots(store: &dyn Store) {
    let at = |h: u32| {
        Utc.with_ymd_and_hms(2026, 11, 4, h, 0, 0)
            .single()
            .expect("time")
    };
    let mut tx = store.write().await.expect("begin");
    let slate = tx
        .insert_slate(&NewSlate {
            slug: Slug::parse("slim").expect("slug"),
            name: "Slim".into(),
            cycle: 2028,
            description: String::new(),
            condition: Condition::parse("signers >= 1").expect("condition"),
            limits: LimitTable::new(),
            created_at: at(1),
        })
        .await
        .expect("slate")
        .id;
    assert_eq!(tx.result_view(slate, None).await.expect("read"), None);
    tx.touch_conversation(slate).await.expect("touch");
    tx.touch_conversation(slate).await.expect("touch");
    let stored = StoredResult {
        changes: 1,
        votes: 9,
        computed_at: at(2),
        result: "{}".into(),
        warm: String::new(),
    };
    assert!(tx
        .save_conversation_result(slate, &stored)
        .await
        .expect("save"));
    let t = |agree, disagree, seen| TallyCells {
        agree,
        disagree,
        seen,
    };
    let full = ResultView {
        changes: 0,
        stamp: None,
        participants: 3,
        in_conversation: 3,
        statements: vec![
            ResultStatementRow {
                statement_id: 11,
                overall: t(2, 1, 3),
                groups: vec![t(2, 0, 2), t(0, 1, 1)],
                group_consensus: Some((0.25, 1)),
                agree_rank: Some(0),
                disagree_rank: None,
                bridge: Some(BridgeCells {
                    votes: 3,
                    across: 0.5,
                    low: 0.25,
                    high: 0.75,
                    bridges: false,
                }),
                point: Some((0.5, -1.5)),
            },
            ResultStatementRow {
                statement_id: 12,
                overall: t(0, 0, 1),
                groups: Vec::new(),
                group_consensus: None,
                agree_rank: None,
                disagree_rank: Some(0),
                bridge: None,
                point: None,
            },
        ],
        groups: vec![
            ResultGroupRow {
                index: 0,
                group_id: 4,
                size: 2,
                repness: vec![RepCells {
                    statement_id: 11,
                    agree: true,
                    n_success: 2,
                    n_trials: 2,
                }],
            },
            ResultGroupRow {
                index: 1,
                group_id: 2,
                size: 1,
                repness: Vec::new(),
            },
        ],
        points: vec![
            ResultPointRow {
                participant: -7,
                x: 1.0,
                y: 2.0,
                group: Some(1),
                drawn: true,
            },
            ResultPointRow {
                participant: 3,
                x: -1.0,
                y: 0.0,
                group: None,
                drawn: false,
            },
            ResultPointRow {
                participant: 5,
                x: 0.25,
                y: -0.5,
                group: Some(0),
                drawn: true,
            },
        ],
    };
    tx.save_result_view(slate, &full).await.expect("save view");
    tx.commit().await.expect("commit");

    let mut tx = store.read().await.expect("begin");
    let drawn = ResultView {
        changes: 2,
        stamp: Some((1, 9, at(2))),
        points: vec![full.points[0], full.points[2]],
        ..full.clone()
    };
    assert_eq!(
        tx.result_view(slate, None).await.expect("read"),
        Some(drawn.clone()),
        "every statement and group; the drawn dots only"
    );
    assert_eq!(
        tx.result_view(slate, Some(3)).await.expect("read"),
        Some(ResultView {
            points: full.points.clone(),
            ..drawn.clone()
        }),
        "and the viewer's own dot"
    );
    drop(tx);

    let mut tx = store.write().await.expect("begin");
    let smaller = ResultView {
        statements: vec![full.statements[1].clone()],
        groups: Vec::new(),
        points: vec![full.points[1]],
        ..full.clone()
    };
    tx.save_result_view(slate, &smaller).await.expect("replace");
    assert_eq!(
        tx.result_view(slate, Some(3)).await.expect("read"),
        Some(ResultView {
            changes: 2,
            stamp: Some((1, 9, at(2))),
            ..smaller
        }),
        "nothing of the earlier form is left"
    );
    tx.commit().await.expect("commit");
}
