//! Conformance of joint events: events with their hosts in order, guarded
//! status moves, RSVPs with one live RSVP per email, counts and reminders.

use cohort_core::joint_event::{EventKind, EventStatus, HostAnswer, Location, RsvpStatus};

use super::*;

fn new_event(slate_id: Id, hosts: Vec<Id>, day: u32) -> NewJointEvent {
    NewJointEvent {
        slate_id,
        kind: EventKind::TownHall,
        title: format!("Town hall {day}"),
        description: "Together".into(),
        starts_at: at(day),
        ends_at: at(day) + chrono::Duration::hours(2),
        timezone: "America/New_York".into(),
        location: Some(Location {
            venue: "Hall".into(),
            address: "1 Main St".into(),
            city: "Albany".into(),
            state: "NY".into(),
            zip: "12207".into(),
        }),
        online_url: None,
        capacity: Some(2),
        hosts,
        proposed_by: "organizer".into(),
        created_at: at(1),
    }
}

fn rsvp(event_id: Id, who: &str, status: RsvpStatus) -> NewRsvp {
    NewRsvp {
        event_id,
        name: who.to_uppercase(),
        email: email(&format!("{who}@x.org")),
        zip: "12207".into(),
        referral: Some("unions".into()),
        status,
        cancel_hash: format!("hash-{who}"),
        created_at: at(2),
    }
}

pub async fn joint_events_hosts_rsvps_and_reminders(store: &dyn Store) {
    let s = slate(store, "together").await;
    let mut tx = store.write().await.expect("begin");
    let a = candidate(tx.as_mut(), s.id, "ann", "NY").await;
    let b = candidate(tx.as_mut(), s.id, "bob", "PA").await;
    let c = candidate(tx.as_mut(), s.id, "cy", "OH").await;
    // inserted out of date order: listed soonest first, hosts in the order given
    let later = tx
        .insert_joint_event(&new_event(s.id, vec![c.id, a.id], 20))
        .await
        .expect("later");
    let soon = tx
        .insert_joint_event(&new_event(s.id, vec![b.id, a.id, c.id], 10))
        .await
        .expect("soon");
    tx.commit().await.expect("commit");

    let mut tx = store.write().await.expect("begin");
    let all = tx.joint_events(s.id).await.expect("list");
    assert_eq!(
        all.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![soon, later]
    );
    let e = tx.joint_event(soon).await.expect("get").expect("exists");
    assert_eq!(e.status, EventStatus::Proposed);
    assert_eq!(e.kind, EventKind::TownHall);
    assert_eq!(e.starts_at, at(10));
    assert_eq!(e.location.as_ref().map(|l| l.city.as_str()), Some("Albany"));
    assert_eq!(
        e.hosts
            .iter()
            .map(|h| (h.candidate_id, h.answer))
            .collect::<Vec<_>>(),
        vec![
            (b.id, HostAnswer::Pending),
            (a.id, HostAnswer::Pending),
            (c.id, HostAnswer::Pending)
        ]
    );
    assert!(tx
        .joint_event(later + soon + 100)
        .await
        .expect("get")
        .is_none());

    // answers: a second identical answer changes nothing; a stranger is no host
    assert!(tx
        .answer_host(soon, a.id, HostAnswer::Confirmed, at(3))
        .await
        .expect("answer"));
    assert!(!tx
        .answer_host(soon, a.id, HostAnswer::Confirmed, at(3))
        .await
        .expect("again"));
    assert!(!tx
        .answer_host(later, b.id, HostAnswer::Confirmed, at(3))
        .await
        .expect("stranger"));
    // status moves only from the expected status, and bumps the sequence
    assert!(!tx
        .set_joint_event_status(soon, EventStatus::Confirmed, EventStatus::Held, at(3))
        .await
        .expect("guard"));
    assert!(tx
        .set_joint_event_status(soon, EventStatus::Proposed, EventStatus::Confirmed, at(3))
        .await
        .expect("confirm"));
    let e = tx.joint_event(soon).await.expect("get").expect("exists");
    assert_eq!(e.status, EventStatus::Confirmed);
    assert_eq!(e.sequence, 1);
    assert_eq!(e.hosts[1].answer, HostAnswer::Confirmed);
    assert_eq!(e.hosts[1].answered_at, Some(at(3)));

    // a change of time and place bumps the sequence again
    let seq = tx
        .change_joint_event(
            soon,
            &JointEventChange {
                starts_at: at(11),
                ends_at: at(11) + chrono::Duration::hours(1),
                timezone: "America/Chicago".into(),
                location: None,
                online_url: Some("https://live.example.org/x".into()),
            },
            at(4),
        )
        .await
        .expect("change");
    assert_eq!(seq, 2);
    let e = tx.joint_event(soon).await.expect("get").expect("exists");
    assert_eq!(
        (e.starts_at, e.timezone.as_str(), e.location.is_none()),
        (at(11), "America/Chicago", true)
    );

    // RSVPs: one live per email; a cancelled one frees the email
    let r1 = tx
        .insert_rsvp(&rsvp(soon, "ann", RsvpStatus::Going))
        .await
        .expect("r1");
    let r2 = tx
        .insert_rsvp(&rsvp(soon, "bea", RsvpStatus::Going))
        .await
        .expect("r2");
    let r3 = tx
        .insert_rsvp(&rsvp(soon, "cat", RsvpStatus::Waitlisted))
        .await
        .expect("r3");
    assert_eq!(r1.referral.as_deref(), Some("unions"));
    tx.commit().await.expect("commit");

    let mut tx = store.write().await.expect("begin");
    let twice = NewRsvp {
        cancel_hash: "another".into(),
        ..rsvp(soon, "ann", RsvpStatus::Going)
    };
    assert!(matches!(
        tx.insert_rsvp(&twice).await,
        Err(StoreError::Conflict { .. })
    ));
    drop(tx);

    let mut tx = store.write().await.expect("begin");
    assert_eq!(
        tx.rsvp_counts(soon).await.expect("counts"),
        RsvpCounts {
            going: 2,
            waitlisted: 1
        }
    );
    assert_eq!(
        tx.rsvp_counts(later).await.expect("none"),
        RsvpCounts::default()
    );
    let found = tx.live_rsvp(soon, &email("ann@x.org")).await.expect("live");
    assert_eq!(found.map(|r| r.id), Some(r1.id));
    assert_eq!(
        tx.rsvp_by_cancel_hash("hash-bea")
            .await
            .expect("by hash")
            .map(|r| r.id),
        Some(r2.id)
    );
    assert!(tx
        .set_rsvp_status(r1.id, RsvpStatus::Going, RsvpStatus::Cancelled, at(5))
        .await
        .expect("cancel"));
    assert!(!tx
        .set_rsvp_status(r1.id, RsvpStatus::Going, RsvpStatus::Cancelled, at(5))
        .await
        .expect("cancel twice"));
    assert!(tx
        .set_rsvp_status(r3.id, RsvpStatus::Waitlisted, RsvpStatus::Going, at(5))
        .await
        .expect("promote"));
    assert!(tx
        .live_rsvp(soon, &email("ann@x.org"))
        .await
        .expect("live")
        .is_none());
    let again = NewRsvp {
        cancel_hash: "ann-again".into(),
        ..rsvp(soon, "ann", RsvpStatus::Waitlisted)
    };
    tx.insert_rsvp(&again)
        .await
        .expect("after cancelling, again");
    let all = tx.rsvps(soon).await.expect("rsvps");
    assert_eq!(all.len(), 4);
    assert_eq!(all[0].status, RsvpStatus::Cancelled);
    assert_eq!(all[0].cancelled_at, Some(at(5)));
    assert_eq!(all[2].status, RsvpStatus::Going);
    assert_eq!(all[2].cancelled_at, None);

    // reminders: only going RSVPs of confirmed events, each column once
    let due = tx.unreminded_rsvps().await.expect("due");
    assert_eq!(
        due.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![r2.id, r3.id]
    );
    assert!(tx
        .mark_reminded(r2.id, ReminderColumn::Day, at(6))
        .await
        .expect("day"));
    assert!(!tx
        .mark_reminded(r2.id, ReminderColumn::Day, at(7))
        .await
        .expect("day twice"));
    assert!(tx
        .mark_reminded(r2.id, ReminderColumn::Hour, at(7))
        .await
        .expect("hour"));
    let due = tx.unreminded_rsvps().await.expect("due");
    assert_eq!(due.iter().map(|r| r.id).collect::<Vec<_>>(), vec![r3.id]);
    let r2 = tx
        .rsvp_by_cancel_hash("hash-bea")
        .await
        .expect("r2")
        .expect("r2");
    assert_eq!(
        (r2.day_reminded_at, r2.hour_reminded_at),
        (Some(at(6)), Some(at(7)))
    );

    // held: only from confirmed, with the attendance
    assert!(!tx
        .record_joint_event_held(later, 10, at(25))
        .await
        .expect("proposed"));
    assert!(tx
        .record_joint_event_held(soon, 42, at(25))
        .await
        .expect("held"));
    let e = tx.joint_event(soon).await.expect("get").expect("exists");
    assert_eq!((e.status, e.attendance), (EventStatus::Held, Some(42)));
    assert!(tx.unreminded_rsvps().await.expect("due").is_empty());
    tx.commit().await.expect("commit");
}
