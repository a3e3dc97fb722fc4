//! Conformance of `RollCallsTx`: roll calls and positions upsert (a second
//! import changes nothing), date ranges are inclusive, positions are found
//! by member, candidates carry member ids and slates tag roll calls.

use super::*;

fn call(n: i64, chamber: &str, on: &str) -> RollCallRow {
    let prefix = if chamber == "house" { "h" } else { "s" };
    RollCallRow {
        vote_id: format!("{prefix}{n}-119.2025"),
        chamber: chamber.into(),
        congress: 119,
        session: 2025,
        number: n,
        voted_at: format!("{on}T12:00:00-05:00"),
        voted_on: on.into(),
        category: "passage".into(),
        vote_type: "On Passage".into(),
        question: format!("On Passage: H R {n}, a \"quoted\" bill"),
        requires: "1/2".into(),
        result: "Passed".into(),
        bill: format!("hr{n}"),
        amendment: String::new(),
    }
}

fn pos(vote_id: &str, member: &str, position: &str) -> PositionRow {
    PositionRow {
        vote_id: vote_id.into(),
        member_id: member.into(),
        party: "D".into(),
        state: "NY".into(),
        position: position.into(),
    }
}

pub async fn roll_calls_positions_member_ids_and_platform_votes(store: &dyn Store) {
    let calls = vec![
        call(1, "house", "2025-01-03"),
        call(2, "house", "2025-02-10"),
        call(3, "senate", "2025-02-11"),
    ];
    // Enough positions to take more than one statement.
    let mut positions: Vec<PositionRow> = (0..2100)
        .map(|i| pos("h1-119.2025", &format!("M{i:06}"), "Yea"))
        .collect();
    positions.push(pos("h2-119.2025", "M000001", "Nay"));
    positions.push(pos("h2-119.2025", "M000002", "Not Voting"));
    positions.push(pos("s3-119.2025", "S354", "Yea"));
    for _ in 0..2 {
        let mut tx = store.write().await.expect("begin");
        tx.upsert_roll_calls(&calls).await.expect("calls");
        tx.upsert_positions(&positions).await.expect("positions");
        tx.commit().await.expect("commit");
    }
    let mut tx = store.write().await.expect("begin");
    assert_eq!(
        tx.roll_call_counts().await.expect("counts"),
        (3, 2103),
        "importing twice stores everything once"
    );
    assert_eq!(
        tx.roll_call("h2-119.2025").await.expect("one"),
        Some(calls[1].clone())
    );
    assert_eq!(tx.roll_call("h9-119.2025").await.expect("none"), None);
    // a changed position replaces the old one
    tx.upsert_positions(&[pos("h2-119.2025", "M000002", "Yea")])
        .await
        .expect("replace");
    let between = tx
        .roll_calls_between(None, Some("2025-02-10"), Some("2025-02-11"))
        .await
        .expect("between");
    assert_eq!(
        between
            .iter()
            .map(|c| c.vote_id.as_str())
            .collect::<Vec<_>>(),
        ["h2-119.2025", "s3-119.2025"],
        "both ends are inclusive"
    );
    let house = tx
        .roll_calls_between(Some("house"), None, None)
        .await
        .expect("house");
    assert_eq!(house.len(), 2);
    let mine = tx
        .positions_of(
            &["M000001".into(), "M000002".into(), "S354".into()],
            Some("2025-01-04"),
            None,
        )
        .await
        .expect("positions of");
    assert_eq!(
        mine,
        vec![
            pos("h2-119.2025", "M000001", "Nay"),
            pos("h2-119.2025", "M000002", "Yea"),
            pos("s3-119.2025", "S354", "Yea"),
        ]
    );
    assert_eq!(
        tx.positions_of(&[], None, None).await.expect("nobody"),
        vec![]
    );
    assert_eq!(
        tx.positions_in("house").await.expect("in house").len(),
        2102
    );
    tx.commit().await.expect("commit");

    let s = slate(store, "rollcall-bloc").await;
    let mut tx = store.write().await.expect("begin");
    let a = candidate(tx.as_mut(), s.id, "ann", "NY").await;
    let b = candidate(tx.as_mut(), s.id, "bea", "MN").await;
    let _c = candidate(tx.as_mut(), s.id, "cy", "TX").await;
    tx.set_candidate_member(&CandidateMemberRow {
        candidate_id: a.id,
        bioguide_id: Some("O000172".into()),
        lis_id: None,
    })
    .await
    .expect("member a");
    let lis = CandidateMemberRow {
        candidate_id: b.id,
        bioguide_id: None,
        lis_id: Some("S354".into()),
    };
    tx.set_candidate_member(&CandidateMemberRow {
        candidate_id: b.id,
        bioguide_id: Some("O000173".into()),
        lis_id: None,
    })
    .await
    .expect("member b");
    tx.set_candidate_member(&lis).await.expect("replaced");
    let members = tx.candidate_members(s.id).await.expect("members");
    assert_eq!(members.len(), 2, "only candidates with a member id");
    assert_eq!(members[0].bioguide_id.as_deref(), Some("O000172"));
    assert_eq!(members[1], lis, "setting again replaces both ids");

    let tag = |vote_id: &str, plank: i64, position: &str| PlatformVoteRow {
        slate_id: s.id,
        vote_id: vote_id.into(),
        plank,
        position: position.into(),
        created_at: at(2),
    };
    assert!(tx
        .put_platform_vote(&tag("h2-119.2025", 1, "no"))
        .await
        .expect("tag"));
    assert!(tx
        .put_platform_vote(&tag("h1-119.2025", 0, "yes"))
        .await
        .expect("tag"));
    assert!(!tx
        .put_platform_vote(&tag("h2-119.2025", 1, "yes"))
        .await
        .expect("retag"));
    assert_eq!(
        tx.platform_votes(s.id).await.expect("tags"),
        vec![tag("h1-119.2025", 0, "yes"), tag("h2-119.2025", 1, "yes")]
    );
    tx.commit().await.expect("commit");
}
