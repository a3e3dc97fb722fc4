//! Conformance of joint-fundraiser pledges: one event per pledge, the
//! event's pledges in order, and a raised total that counts only money
//! pledges still standing.

use cohort_core::joint_event::EventKind;

use super::*;

pub async fn joint_event_pledges_link_once_and_sum_what_stands(store: &dyn Store) {
    let s = slate(store, "jointfund").await;
    let mut tx = store.write().await.expect("begin");
    let a = candidate(tx.as_mut(), s.id, "ann", "NY").await;
    let b = candidate(tx.as_mut(), s.id, "bob", "PA").await;
    let event = NewJointEvent {
        slate_id: s.id,
        kind: EventKind::Fundraiser,
        title: "Dinner".into(),
        description: "Together".into(),
        starts_at: at(10),
        ends_at: at(10) + chrono::Duration::hours(2),
        timezone: "America/New_York".into(),
        location: None,
        online_url: Some("https://example.org/live".into()),
        capacity: None,
        hosts: vec![a.id, b.id],
        proposed_by: "organizer".into(),
        created_at: at(1),
    };
    let e = tx.insert_joint_event(&event).await.expect("event");
    let other = tx.insert_joint_event(&event).await.expect("other event");
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    let p1 = tx
        .insert_pledge(&money(s.id, cond, "a@x.org", 2500, "2028-01-01", None))
        .await
        .expect("p1");
    let p2 = tx
        .insert_pledge(&money(s.id, cond, "b@x.org", 1000, "2028-01-01", None))
        .await
        .expect("p2");
    let p3 = tx
        .insert_pledge(&money(s.id, cond, "c@x.org", 700, "2028-01-01", None))
        .await
        .expect("p3");
    let plain = tx
        .insert_pledge(&money(s.id, cond, "d@x.org", 9900, "2028-01-01", None))
        .await
        .expect("plain");
    assert_eq!(tx.joint_event_raised(e).await.expect("raised"), 0);
    tx.link_joint_event_pledge(p2, e).await.expect("link p2");
    tx.link_joint_event_pledge(p1, e).await.expect("link p1");
    tx.link_joint_event_pledge(p3, other)
        .await
        .expect("link p3");
    tx.commit().await.expect("commit");

    let mut tx = store.write().await.expect("begin");
    assert_eq!(tx.pledge_joint_event(p1).await.expect("of p1"), Some(e));
    assert_eq!(tx.pledge_joint_event(p3).await.expect("of p3"), Some(other));
    assert_eq!(tx.pledge_joint_event(plain).await.expect("of plain"), None);
    assert_eq!(
        tx.joint_event_pledges(e).await.expect("pledges"),
        vec![p1, p2]
    );
    assert_eq!(tx.joint_event_raised(e).await.expect("raised"), 3500);
    assert_eq!(tx.joint_event_raised(other).await.expect("raised"), 700);
    // a cancelled pledge no longer counts
    assert!(tx
        .set_status(p2, PledgeStatus::Pending, PledgeStatus::Cancelled)
        .await
        .expect("cancel"));
    assert_eq!(tx.joint_event_raised(e).await.expect("raised"), 2500);
    tx.commit().await.expect("commit");

    // one event per pledge
    let mut tx = store.write().await.expect("begin");
    let again = tx.link_joint_event_pledge(p1, other).await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );
}

pub async fn pledge_pauses_open_once_and_close(store: &dyn Store) {
    let s = slate(store, "pauses").await;
    let mut tx = store.write().await.expect("begin");
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    let p = tx
        .insert_pledge(&money(s.id, cond, "a@x.org", 1000, "2028-01-01", None))
        .await
        .expect("pledge");
    assert!(!tx.end_pause(p, at(3)).await.expect("end"), "nothing open");
    assert!(tx
        .start_pause(p, "Ann has broken", at(3))
        .await
        .expect("start"));
    assert!(
        !tx.start_pause(p, "again", at(4))
            .await
            .expect("start again"),
        "one open pause at a time"
    );
    assert!(tx.end_pause(p, at(5)).await.expect("end"));
    assert!(tx
        .start_pause(p, "Bob has broken", at(6))
        .await
        .expect("second"));
    tx.commit().await.expect("commit");
    let mut tx = store.read().await.expect("read");
    let all = tx.pauses(p).await.expect("pauses");
    assert_eq!(
        all.iter()
            .map(|r| (r.reason.as_str(), r.paused_at, r.resumed_at))
            .collect::<Vec<_>>(),
        vec![
            ("Ann has broken", at(3), Some(at(5))),
            ("Bob has broken", at(6), None)
        ]
    );
}
