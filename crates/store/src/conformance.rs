//! The conformance suite: what every [`Store`] must do, checked against a real
//! database. Each backend's `tests/conformance.rs` expands
//! [`conformance_tests!`](crate::conformance_tests) with a function that makes
//! a fresh, migrated store, and gets one `#[tokio::test]` per check.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use cohort_core::limits::LimitTable;
use cohort_core::model::{
    CompactContent, Election, Office, Plank, PledgeKind, PledgeStatus, Race, Recurrence,
};
use cohort_core::{Cents, Condition, Email, Slug};

use crate::*;

mod teams;
pub use teams::*;
mod conversation;
pub use conversation::*;
mod payments;
pub use payments::*;
mod stopping;
pub use stopping::*;
mod books;
pub use books::*;
mod intake;
pub use intake::*;
mod sign_in;
pub use sign_in::*;
mod jobs;
pub use jobs::*;
mod mail_hold;
pub use mail_hold::*;
mod joint_events;
pub use joint_events::*;
mod roll_calls;
pub use roll_calls::*;
mod joint_pledges;
pub use joint_pledges::*;
mod digest;
pub use digest::*;
mod log;
pub use log::*;
mod people;
pub use people::*;
mod candidate_profiles;
pub use candidate_profiles::*;
mod import_jobs;
pub use import_jobs::*;

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, 12, 0, 0)
        .single()
        .expect("valid time")
}

fn date(s: &str) -> NaiveDate {
    s.parse().expect("valid date")
}

fn email(s: &str) -> Email {
    Email::parse(s).expect("valid email")
}

async fn slate(store: &dyn Store, slug: &str) -> SlateRow {
    let mut tx = store.write().await.expect("begin");
    let s = tx
        .insert_slate(&NewSlate {
            slug: Slug::parse(slug).expect("slug"),
            name: format!("Slate {slug}"),
            cycle: 2028,
            description: "A test slate".into(),
            condition: Condition::parse("signers >= 2").expect("condition"),
            limits: LimitTable::new(),
            created_at: at(1),
        })
        .await
        .expect("insert slate");
    tx.commit().await.expect("commit");
    s
}

async fn candidate(tx: &mut dyn Tx, slate_id: Id, slug: &str, state: &str) -> CandidateRow {
    tx.insert_candidate(
        slate_id,
        &NewCandidate {
            slug: Slug::parse(slug).expect("slug"),
            name: slug.to_uppercase(),
            race: Race {
                office: Office::UsHouse,
                state: state.into(),
                district: Some("1".into()),
                primary_date: Some(date("2028-06-27")),
                general_date: date("2028-11-07"),
            },
        },
    )
    .await
    .expect("insert candidate")
}

/// Count a first pledge of `cents` by `who` into the slate's pot and pledgers,
/// as intake would have.
async fn counted_in_pot(tx: &mut dyn Tx, slate_id: Id, who: &str, cents: i64) {
    assert_eq!(
        tx.add_pledgers(slate_id, &[(email(who), 1)])
            .await
            .expect("pledger"),
        1,
        "{who} is new to the pot"
    );
    tx.add_to_pot(
        slate_id,
        &PotDelta {
            pending_cents: cents,
            pledgers: 1,
            ..PotDelta::default()
        },
    )
    .await
    .expect("pot");
}

fn money(
    slate_id: Id,
    condition_id: Id,
    who: &str,
    cents: i64,
    deadline: &str,
    key: Option<&str>,
) -> NewPledge {
    NewPledge {
        slate_id,
        kind: PledgeKind::Money {
            amount: Cents(cents),
            recurring: Recurrence::Once,
        },
        condition_id,
        candidates: None,
        deadline: date(deadline),
        email: email(who),
        donor: Donor {
            name: "Ana".into(),
            attests_eligible: true,
            ..Donor::default()
        },
        ref_code: None,
        receipt_token: format!("receipt-{who}-{cents}"),
        idempotency_key: key.map(str::to_owned),
        request_hash: "h".into(),
        created_at: at(2),
    }
}

pub async fn slates_round_trip_and_slugs_are_unique(store: &dyn Store) {
    let s = slate(store, "alpha").await;
    let mut tx = store.read().await.expect("read");
    let back = tx
        .slate_by_slug("alpha")
        .await
        .expect("query")
        .expect("found");
    assert_eq!(back, s);
    assert_eq!(tx.slate(s.id).await.expect("query"), Some(s.clone()));
    assert_eq!(tx.slates().await.expect("list"), vec![s.clone()]);
    assert_eq!(tx.slate_by_slug("nope").await.expect("query"), None);
    drop(tx);
    let mut tx = store.write().await.expect("begin");
    let mut limits = LimitTable::new();
    limits.set(Office::StateHouse, 2028, Some(Cents(100_000)));
    tx.update_limits(s.id, &limits).await.expect("limits");
    tx.commit().await.expect("commit");
    let mut tx = store.read().await.expect("read");
    assert_eq!(
        tx.slate(s.id).await.expect("query").map(|s| s.limits),
        Some(limits)
    );
    assert_eq!(
        tx.pot(s.id).await.expect("pot"),
        Pot::default(),
        "a new slate has an empty pot"
    );
    drop(tx);
    let mut tx = store.write().await.expect("begin");
    let edited = Condition::parse("signers >= 3 and mutual").expect("condition");
    tx.update_slate(s.id, "Renamed", "New words", &edited)
        .await
        .expect("update slate");
    tx.commit().await.expect("commit");
    let mut tx = store.read().await.expect("read");
    let back = tx.slate(s.id).await.expect("query").expect("found");
    assert_eq!(
        (
            back.name.as_str(),
            back.description.as_str(),
            &back.condition
        ),
        ("Renamed", "New words", &edited)
    );
    assert_eq!(
        (back.slug, back.cycle, back.created_at),
        (s.slug.clone(), s.cycle, s.created_at),
        "editing keeps the address, cycle and creation time"
    );
    drop(tx);
    let mut tx = store.write().await.expect("begin");
    let dup = tx
        .insert_slate(&NewSlate {
            slug: Slug::parse("alpha").expect("slug"),
            name: "again".into(),
            cycle: 2028,
            description: String::new(),
            condition: Condition::parse("mutual").expect("condition"),
            limits: LimitTable::new(),
            created_at: at(1),
        })
        .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict { .. })),
        "duplicate slug must be a Conflict, got {dup:?}"
    );
}

pub async fn an_uncommitted_transaction_leaves_nothing(store: &dyn Store) {
    let s = slate(store, "beta").await;
    {
        let mut tx = store.write().await.expect("begin");
        candidate(tx.as_mut(), s.id, "ann", "NY").await;
        tx.add_to_pot(
            s.id,
            &PotDelta {
                pending_cents: 500,
                ..PotDelta::default()
            },
        )
        .await
        .expect("pot");
        // dropped without commit
    }
    let mut tx = store.read().await.expect("read");
    assert!(tx.candidates(s.id).await.expect("candidates").is_empty());
    assert_eq!(tx.pot(s.id).await.expect("pot").pending_cents, 0);
}

pub async fn candidates_compacts_signatures_and_endorsements(store: &dyn Store) {
    let s = slate(store, "gamma").await;
    let mut tx = store.write().await.expect("begin");
    let a = candidate(tx.as_mut(), s.id, "ann", "NY").await;
    let b = candidate(tx.as_mut(), s.id, "bo", "PA").await;
    let dup = tx
        .insert_candidate(
            s.id,
            &NewCandidate {
                slug: a.slug.clone(),
                name: "x".into(),
                race: a.race.clone(),
            },
        )
        .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict { .. })),
        "same slug twice in a slate: {dup:?}"
    );
    drop(tx);
    let mut tx = store.write().await.expect("begin");
    let a = candidate(tx.as_mut(), s.id, "ann", "NY").await;
    let b2 = candidate(tx.as_mut(), s.id, "bo", "PA").await;
    assert_eq!(b2.race, b.race);
    let content = CompactContent {
        commitments: vec!["Cross-endorse".into()],
        planks: vec![Plank {
            title: "Housing".into(),
            why: "Rents".into(),
        }],
        measures: vec![],
    };
    for v in 1..=2 {
        tx.insert_compact(
            s.id,
            &CompactRow {
                version: v,
                hash: format!("h{v}"),
                content: content.clone(),
                created_at: at(3),
            },
        )
        .await
        .expect("compact");
    }
    assert_eq!(
        tx.latest_compact(s.id)
            .await
            .expect("latest")
            .map(|c| c.version),
        Some(2)
    );
    assert_eq!(
        tx.compact_version(s.id, 1)
            .await
            .expect("v1")
            .map(|c| c.content),
        Some(content)
    );
    assert_eq!(tx.compact_version(s.id, 9).await.expect("v9"), None);
    let committee = |name: &str| CommitteeRow {
        candidate_id: a.id,
        slate_id: s.id,
        name: name.into(),
        fec_committee_id: "C00123456".into(),
        fec_candidate_id: "H8NY01123".into(),
        treasurer_first: "Tess".into(),
        treasurer_last: "Urer".into(),
        street1: "1 Main St".into(),
        street2: String::new(),
        city: "Albany".into(),
        state: "NY".into(),
        zip: "12207".into(),
    };
    tx.upsert_committee(&committee("Ann for Congress"), at(3))
        .await
        .expect("committee");
    tx.upsert_committee(&committee("Friends of Ann"), at(4))
        .await
        .expect("committee again");
    assert_eq!(
        tx.committees(s.id).await.expect("committees"),
        vec![committee("Friends of Ann")],
        "one record per candidate; the second replaces the first"
    );
    let viewer = tx
        .insert_user(&email("campaign@ann.org"), "Ann's campaign", at(3))
        .await
        .expect("user");
    assert_eq!(tx.compact_seen(viewer.id, s.id).await.expect("seen"), None);
    tx.set_compact_seen(viewer.id, s.id, 1, None)
        .await
        .expect("saw v1");
    tx.set_compact_seen(viewer.id, s.id, 2, Some(1))
        .await
        .expect("saw v2");
    assert_eq!(
        tx.compact_seen(viewer.id, s.id).await.expect("seen"),
        Some((2, Some(1))),
        "the second look replaces the first"
    );
    tx.upsert_signature(
        s.id,
        &SignatureRow {
            candidate_id: a.id,
            version: 1,
            signed_at: at(4),
        },
    )
    .await
    .expect("sign");
    tx.upsert_signature(
        s.id,
        &SignatureRow {
            candidate_id: a.id,
            version: 2,
            signed_at: at(5),
        },
    )
    .await
    .expect("re-sign");
    let sigs = tx.signatures(s.id).await.expect("signatures");
    assert_eq!(sigs.len(), 1, "re-signing replaces the standing signature");
    assert_eq!(sigs[0].version, 2);
    assert!(tx.delete_signature(s.id, a.id).await.expect("withdraw"));
    assert!(!tx
        .delete_signature(s.id, a.id)
        .await
        .expect("withdraw again"));
    let e = EndorsementRow {
        from_id: a.id,
        to_id: b2.id,
        at: at(6),
    };
    assert!(tx.insert_endorsement(s.id, &e).await.expect("endorse"));
    assert!(
        !tx.insert_endorsement(s.id, &e)
            .await
            .expect("endorse again"),
        "endorsing twice changes nothing"
    );
    assert_eq!(tx.endorsements(s.id).await.expect("list"), vec![e]);
    assert!(tx
        .delete_endorsement(s.id, a.id, b2.id)
        .await
        .expect("unendorse"));
    assert!(tx.endorsements(s.id).await.expect("list").is_empty());
    tx.commit().await.expect("commit");
}

pub async fn conditions_are_stored_once_per_slate(store: &dyn Store) {
    let s = slate(store, "delta").await;
    let mut tx = store.write().await.expect("begin");
    let c1 = Condition::parse("signers >= 3 and mutual").expect("parse");
    let c2 = Condition::parse("3 <= signers  and  mutual").expect("parse");
    let id1 = tx.condition_id(s.id, &c1).await.expect("id");
    let id2 = tx.condition_id(s.id, &c2).await.expect("id");
    assert_eq!(id1, id2, "equal conditions share one row");
    let other = tx
        .condition_id(s.id, &Condition::parse("pledged >= $5").expect("parse"))
        .await
        .expect("id");
    assert_ne!(id1, other);
    assert!(
        tx.pending_conditions(s.id)
            .await
            .expect("pending")
            .is_empty(),
        "no pledge waits yet"
    );
    tx.insert_pledge(&money(s.id, other, "a@x.org", 100, "2028-01-01", None))
        .await
        .expect("pledge");
    let pending = tx.pending_conditions(s.id).await.expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].id, other);
    assert!(
        pending[0].reads.pledged,
        "reads are stored with the condition"
    );
    tx.commit().await.expect("commit");
}

pub async fn pledges_round_trip_and_idempotency_keys_are_unique(store: &dyn Store) {
    let s = slate(store, "epsilon").await;
    let mut tx = store.write().await.expect("begin");
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    let mut p = money(s.id, cond, "a@x.org", 2500, "2028-01-01", Some("k1"));
    p.candidates = Some(vec![3, 5]);
    p.ref_code = Some("union-local-1".into());
    let id = tx.insert_pledge(&p).await.expect("insert");
    let row = tx.pledge(id).await.expect("get").expect("found");
    assert_eq!(row.kind, p.kind);
    assert_eq!(row.candidates, Some(vec![3, 5]));
    assert_eq!(row.status, PledgeStatus::Pending);
    assert_eq!(row.condition, s.condition);
    assert_eq!(row.donor, p.donor);
    assert_eq!(row.deadline, p.deadline);
    assert_eq!(row.created_at, p.created_at);
    assert_eq!(
        tx.pledge_by_idempotency_key("k1")
            .await
            .expect("by key")
            .map(|r| r.id),
        Some(id)
    );
    assert_eq!(
        tx.waiting(s.id).await.expect("waiting"),
        vec![WaitingRow {
            chosen: Some(vec![3, 5]),
            cents: Cents(2500),
            hours_per_week: 0,
            pledges: 1
        }]
    );
    assert!(tx
        .set_status(id, PledgeStatus::Pending, PledgeStatus::Cancelled)
        .await
        .expect("cancel"));
    assert!(
        tx.waiting(s.id).await.expect("waiting").is_empty(),
        "a cancelled pledge no longer waits"
    );
    assert!(tx
        .set_status(id, PledgeStatus::Cancelled, PledgeStatus::Pending)
        .await
        .expect("back"));
    let hours = NewPledge {
        kind: PledgeKind::Hours {
            hours_per_week: 5,
            weeks: 8,
            skills: vec!["web".into()],
        },
        idempotency_key: None,
        ..p.clone()
    };
    let hid = tx.insert_pledge(&hours).await.expect("hours");
    assert_eq!(
        tx.pledge(hid).await.expect("get").expect("found").kind,
        hours.kind
    );
    tx.commit().await.expect("commit");
    let mut tx = store.write().await.expect("begin");
    let again = tx.insert_pledge(&p).await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "a reused idempotency key must conflict: {again:?}"
    );
}

pub async fn status_moves_only_from_the_expected_status(store: &dyn Store) {
    let s = slate(store, "zeta").await;
    let mut tx = store.write().await.expect("begin");
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    let id = tx
        .insert_pledge(&money(s.id, cond, "a@x.org", 100, "2028-01-01", None))
        .await
        .expect("insert");
    assert!(tx
        .set_status(id, PledgeStatus::Pending, PledgeStatus::Cancelled)
        .await
        .expect("cancel"));
    assert!(
        !tx.set_status(id, PledgeStatus::Pending, PledgeStatus::Unlocked)
            .await
            .expect("unlock"),
        "not pending any more"
    );
    assert_eq!(
        tx.pledge(id).await.expect("get").map(|p| p.status),
        Some(PledgeStatus::Cancelled)
    );
    tx.commit().await.expect("commit");
}

pub async fn unlocking_records_installments_once(store: &dyn Store) {
    let s = slate(store, "eta").await;
    let mut tx = store.write().await.expect("begin");
    let a = candidate(tx.as_mut(), s.id, "ann", "NY").await;
    let b = candidate(tx.as_mut(), s.id, "bo", "PA").await;
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    let other = tx
        .condition_id(s.id, &Condition::parse("mutual").expect("parse"))
        .await
        .expect("cond");
    let p1 = tx
        .insert_pledge(&money(s.id, cond, "a@x.org", 1001, "2028-01-01", None))
        .await
        .expect("p1");
    let late = tx
        .insert_pledge(&money(s.id, cond, "b@x.org", 500, "2026-01-01", None))
        .await
        .expect("late");
    let _elsewhere = tx
        .insert_pledge(&money(s.id, other, "c@x.org", 700, "2028-01-01", None))
        .await
        .expect("p3");
    let waiting = tx
        .pending_pledges(s.id, &[cond], date("2026-11-24"))
        .await
        .expect("pending");
    assert_eq!(
        waiting.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![p1],
        "only this condition, only before the deadline"
    );
    assert_eq!(waiting[0].amount, Cents(1001));
    let inst = Installment {
        pledge_id: p1,
        period: 0,
        amount: Cents(1001),
        unallocated: Cents(0),
        allocations: vec![
            AllocationShare {
                candidate_id: a.id,
                election: Election::Primary,
                cents: Cents(501),
            },
            AllocationShare {
                candidate_id: b.id,
                election: Election::Primary,
                cents: Cents(500),
            },
        ],
    };
    let moved = tx
        .record_unlocks(&[p1], std::slice::from_ref(&inst), at(10))
        .await
        .expect("unlock");
    assert_eq!(moved, 1);
    let row = tx.pledge(p1).await.expect("get").expect("found");
    assert_eq!(row.status, PledgeStatus::Unlocked);
    assert_eq!(row.unlocked_at, Some(at(10)));
    assert_eq!(
        tx.pledges_unlocked_at(s.id, at(10))
            .await
            .expect("by unlock time")
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>(),
        vec![p1],
        "the pledges of one unlock event are found by its time"
    );
    assert!(tx
        .pledges_unlocked_at(s.id, at(11))
        .await
        .expect("none")
        .is_empty());
    assert_eq!(
        tx.installments(p1).await.expect("installments"),
        vec![inst.clone()]
    );
    let given = tx.given(s.id).await.expect("given");
    assert_eq!(given.len(), 2);
    assert!(given.iter().any(|g| g.candidate_id == a.id
        && g.cents == Cents(501)
        && g.election == Election::Primary));
    let totals = tx.candidate_totals(s.id).await.expect("totals");
    assert_eq!(
        totals
            .iter()
            .map(|t| (t.cents, t.contributions))
            .collect::<Vec<_>>(),
        vec![(Cents(501), 1), (Cents(500), 1)]
    );
    assert_eq!(
        tx.record_unlocks(&[p1], &[], at(11)).await.expect("again"),
        0,
        "an unlocked pledge does not move again"
    );
    tx.commit().await.expect("commit");
    let mut tx = store.write().await.expect("begin");
    let twice = tx
        .record_unlocks(&[], std::slice::from_ref(&inst), at(12))
        .await;
    assert!(
        twice.is_err(),
        "the same installment twice must be refused by the database"
    );
    drop(tx);
    let mut tx = store.write().await.expect("begin");
    let expired = tx
        .expire_pending(s.id, date("2026-11-24"))
        .await
        .expect("expire");
    assert_eq!(expired.iter().map(|p| p.id).collect::<Vec<_>>(), vec![late]);
    assert_eq!(
        tx.pledge(late).await.expect("get").map(|p| p.status),
        Some(PledgeStatus::Expired)
    );
    let waiting = tx.waiting(s.id).await.expect("waiting");
    assert_eq!(
        waiting,
        vec![WaitingRow {
            chosen: None,
            cents: Cents(700),
            hours_per_week: 0,
            pledges: 1
        }],
        "only the pledge still pending waits: unlocked and expired ones left"
    );
    tx.commit().await.expect("commit");
}

pub async fn monthly_pledges_report_their_latest_installment(store: &dyn Store) {
    let s = slate(store, "theta").await;
    let mut tx = store.write().await.expect("begin");
    let a = candidate(tx.as_mut(), s.id, "ann", "NY").await;
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    let mut p = money(s.id, cond, "a@x.org", 1000, "2028-01-01", None);
    p.kind = PledgeKind::Money {
        amount: Cents(1000),
        recurring: Recurrence::Monthly,
    };
    let id = tx.insert_pledge(&p).await.expect("insert");
    let share = |period| Installment {
        pledge_id: id,
        period,
        amount: Cents(1000),
        unallocated: Cents(0),
        allocations: vec![AllocationShare {
            candidate_id: a.id,
            election: Election::Primary,
            cents: Cents(1000),
        }],
    };
    tx.record_unlocks(&[id], &[share(0)], at(1))
        .await
        .expect("unlock");
    tx.record_installments(&[share(2)], at(20))
        .await
        .expect("month 2");
    let monthly = tx.monthly_pledges(s.id).await.expect("monthly");
    assert_eq!(monthly.len(), 1);
    assert_eq!(monthly[0].last_period, 2);
    assert_eq!(monthly[0].condition_id, cond);
    assert_eq!(monthly[0].unlocked_at, at(1));
    tx.commit().await.expect("commit");
}

pub async fn pots_pledgers_events_and_tokens(store: &dyn Store) {
    let s = slate(store, "iota").await;
    let mut tx = store.write().await.expect("begin");
    tx.add_to_pot(
        s.id,
        &PotDelta {
            pending_cents: 700,
            hours_per_week_pending: 5,
            pledgers: 1,
            ..PotDelta::default()
        },
    )
    .await
    .expect("pot");
    tx.add_to_pot(
        s.id,
        &PotDelta {
            pending_cents: -200,
            unlocked_cents: 200,
            ..PotDelta::default()
        },
    )
    .await
    .expect("pot");
    assert_eq!(
        tx.pot(s.id).await.expect("pot"),
        Pot {
            pending_cents: 500,
            unlocked_cents: 200,
            pledgers: 1,
            hours_per_week_pending: 5,
            hours_per_week_unlocked: 0
        }
    );
    let who = email("a@x.org");
    assert_eq!(tx.adjust_pledger(s.id, &who, 1).await.expect("adj"), 1);
    assert_eq!(tx.adjust_pledger(s.id, &who, 2).await.expect("adj"), 3);
    assert_eq!(tx.adjust_pledger(s.id, &who, -3).await.expect("adj"), 0);
    let e1 = tx
        .append_event(s.id, "signed", "{\"a\":1}", at(3))
        .await
        .expect("event");
    let e2 = tx
        .append_event(s.id, "endorsed", "{}", at(4))
        .await
        .expect("event");
    assert!(e2 > e1, "the log is ordered");
    let events = tx.events(s.id, e1, 10).await.expect("events");
    assert_eq!(
        events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
        vec!["endorsed"]
    );
    let token = TokenRow {
        role: Role::Organizer,
        slate_id: None,
        candidate_id: None,
    };
    tx.insert_token("hash1", &token, at(1))
        .await
        .expect("token");
    assert_eq!(tx.token("hash1").await.expect("token"), Some(token));
    assert_eq!(tx.token("nope").await.expect("token"), None);
    tx.commit().await.expect("commit");
}

pub async fn check_invariants_names_a_planted_violation(store: &dyn Store) {
    let s = slate(store, "kappa").await;
    let mut tx = store.write().await.expect("begin");
    let a = candidate(tx.as_mut(), s.id, "ann", "NY").await;
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    let id = tx
        .insert_pledge(&money(s.id, cond, "a@x.org", 1000, "2028-01-01", None))
        .await
        .expect("insert");
    tx.add_to_pot(
        s.id,
        &PotDelta {
            pledgers: 1,
            unlocked_cents: 1000,
            ..PotDelta::default()
        },
    )
    .await
    .expect("pot");
    tx.adjust_pledger(s.id, &email("a@x.org"), 1)
        .await
        .expect("pledger");
    // 600 + 300 unallocated is not 1000: a store must keep it, verify must catch it.
    let bad = Installment {
        pledge_id: id,
        period: 0,
        amount: Cents(1000),
        unallocated: Cents(300),
        allocations: vec![AllocationShare {
            candidate_id: a.id,
            election: Election::General,
            cents: Cents(600),
        }],
    };
    tx.record_unlocks(&[id], &[bad], at(5))
        .await
        .expect("unlock");
    tx.commit().await.expect("commit");
    let mut tx = store.read().await.expect("read");
    let v = tx.check_invariants().await.expect("check");
    assert_eq!(
        v.iter().map(|v| v.rule).collect::<Vec<_>>(),
        vec!["conservation"],
        "got {v:?}"
    );
    assert!(
        v[0].detail.contains("600") && v[0].detail.contains("1000"),
        "names the numbers: {}",
        v[0].detail
    );
}

pub async fn a_clean_database_has_no_violations(store: &dyn Store) {
    let s = slate(store, "lambda").await;
    let mut tx = store.write().await.expect("begin");
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    tx.insert_pledge(&money(s.id, cond, "a@x.org", 1000, "2028-01-01", None))
        .await
        .expect("insert");
    tx.add_to_pot(
        s.id,
        &PotDelta {
            pledgers: 1,
            pending_cents: 1000,
            ..PotDelta::default()
        },
    )
    .await
    .expect("pot");
    tx.commit().await.expect("commit");
    let mut tx = store.read().await.expect("read");
    assert_eq!(tx.check_invariants().await.expect("check"), vec![]);
}

pub async fn bulk_unlocks_span_many_statements(store: &dyn Store) {
    let s = slate(store, "mu").await;
    let mut tx = store.write().await.expect("begin");
    let a = candidate(tx.as_mut(), s.id, "ann", "NY").await;
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    let mut ids = Vec::new();
    for i in 0..5_000 {
        ids.push(
            tx.insert_pledge(&money(
                s.id,
                cond,
                &format!("d{i}@x.org"),
                100 + i,
                "2028-01-01",
                None,
            ))
            .await
            .expect("insert"),
        );
    }
    let inst: Vec<Installment> = ids
        .iter()
        .zip(100..)
        .map(|(id, cents)| Installment {
            pledge_id: *id,
            period: 0,
            amount: Cents(cents),
            unallocated: Cents(0),
            allocations: vec![AllocationShare {
                candidate_id: a.id,
                election: Election::Primary,
                cents: Cents(cents),
            }],
        })
        .collect();
    assert_eq!(
        tx.record_unlocks(&ids, &inst, at(9)).await.expect("unlock"),
        5_000
    );
    let totals = tx.candidate_totals(s.id).await.expect("totals");
    assert_eq!(totals[0].contributions, 5_000);
    assert_eq!(totals[0].cents, Cents((100..5_100).sum()));
    tx.commit().await.expect("commit");
}

pub async fn bulk_inserted_pledges_keep_the_pot_right(store: &dyn Store) {
    let s = slate(store, "nu").await;
    let mut tx = store.write().await.expect("begin");
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    tx.insert_pledge(&money(s.id, cond, "d0@x.org", 100, "2028-01-01", None))
        .await
        .expect("one");
    counted_in_pot(tx.as_mut(), s.id, "d0@x.org", 100).await;
    // 2,500 pledges from 1,000 donors, one of whom (d0) already pledged.
    let many: Vec<NewPledge> = (0..2_500)
        .map(|i| {
            money(
                s.id,
                cond,
                &format!("d{}@x.org", i % 1_000),
                10,
                "2028-01-01",
                None,
            )
        })
        .collect();
    tx.insert_pledges(&many).await.expect("bulk");
    let pot = tx.pot(s.id).await.expect("pot");
    assert_eq!(pot.pending_cents, 100 + 25_000);
    assert_eq!(pot.pledgers, 1_000, "d0 is counted once");
    assert_eq!(
        tx.adjust_pledger(s.id, &email("d0@x.org"), 0)
            .await
            .expect("count"),
        4
    );
    assert_eq!(
        tx.pending_pledges(s.id, &[cond], date("2026-11-24"))
            .await
            .expect("pending")
            .len(),
        2_501
    );
    tx.commit().await.expect("commit");
    let mut tx = store.read().await.expect("read");
    assert_eq!(tx.check_invariants().await.expect("check"), vec![]);
}

pub async fn accounts_grants_and_one_time_secrets(store: &dyn Store) {
    let s = slate(store, "kappa").await;
    let mut tx = store.write().await.expect("begin");
    let c = candidate(tx.as_mut(), s.id, "kay", "NY").await;
    let ana = tx
        .insert_user(&email("ana@x.org"), "Ana", at(1))
        .await
        .expect("user");
    assert_eq!(
        ana.email_prefs,
        EmailPrefs::Weekly,
        "weekly updates by default"
    );
    tx.commit().await.expect("commit");
    let mut again = store.write().await.expect("begin");
    assert!(
        matches!(
            again
                .insert_user(&email("ana@x.org"), "Ana again", at(2))
                .await,
            Err(StoreError::Conflict { what: "email" })
        ),
        "one account per email"
    );
    drop(again);
    let mut tx = store.write().await.expect("begin");
    let mut changed = ana.clone();
    changed.name = "Ana Diaz".into();
    changed.password_hash = Some("$argon2id$fake".into());
    changed.email_prefs = EmailPrefs::None;
    tx.update_user(&changed).await.expect("update");
    assert_eq!(tx.user(ana.id).await.expect("user"), Some(changed.clone()));
    assert_eq!(
        tx.user_by_email(&email("ana@x.org")).await.expect("user"),
        Some(changed)
    );
    assert_eq!(
        tx.user_by_email(&email("bo@x.org")).await.expect("user"),
        None
    );

    let organizer = TokenRow {
        role: Role::Organizer,
        slate_id: Some(s.id),
        candidate_id: None,
    };
    let campaign = TokenRow {
        role: Role::Candidate,
        slate_id: Some(s.id),
        candidate_id: Some(c.id),
    };
    let everywhere = TokenRow {
        role: Role::Organizer,
        slate_id: None,
        candidate_id: None,
    };
    assert!(tx.insert_grant(ana.id, &organizer).await.expect("grant"));
    assert!(
        !tx.insert_grant(ana.id, &organizer).await.expect("grant"),
        "granted once"
    );
    assert!(tx.insert_grant(ana.id, &campaign).await.expect("grant"));
    assert!(tx.insert_grant(ana.id, &everywhere).await.expect("grant"));
    let grants = tx.grants(ana.id).await.expect("grants");
    assert_eq!(grants.len(), 3);
    for g in [&organizer, &campaign, &everywhere] {
        assert!(grants.contains(g), "{g:?} round-trips");
    }
    let members = tx.slate_members(s.id).await.expect("members");
    assert_eq!(members.len(), 2, "the slate's own grants: {members:?}");

    let link = SecretRow {
        purpose: Purpose::Invite,
        user_id: None,
        email: Some(email("kay@x.org")),
        grant: Some(campaign.clone()),
        expires_at: at(9),
        used_at: None,
    };
    tx.insert_secret("h-invite", &link, at(1))
        .await
        .expect("secret");
    assert_eq!(tx.secret("h-invite").await.expect("secret"), Some(link));
    assert!(tx.use_secret("h-invite", at(3)).await.expect("use"));
    assert!(
        !tx.use_secret("h-invite", at(4)).await.expect("use"),
        "one time only"
    );
    assert_eq!(
        tx.secret("h-invite")
            .await
            .expect("secret")
            .and_then(|s| s.used_at),
        Some(at(3))
    );
    let session = SecretRow {
        purpose: Purpose::Session,
        user_id: Some(ana.id),
        email: None,
        grant: None,
        expires_at: at(20),
        used_at: None,
    };
    tx.insert_secret("h-session", &session, at(1))
        .await
        .expect("secret");
    tx.delete_secret("h-session").await.expect("delete");
    assert_eq!(tx.secret("h-session").await.expect("secret"), None);
    tx.commit().await.expect("commit");
}

pub async fn pledges_by_email_and_the_outbox(store: &dyn Store) {
    let s = slate(store, "lambda").await;
    let mut tx = store.write().await.expect("begin");
    let cond = tx
        .condition_id(s.id, &Condition::parse("signers >= 2").expect("condition"))
        .await
        .expect("condition");
    let first = tx
        .insert_pledge(&money(s.id, cond, "ana@x.org", 100, "2028-01-01", None))
        .await
        .expect("pledge");
    tx.insert_pledges(&[
        money(s.id, cond, "bo@x.org", 200, "2028-01-01", None),
        money(s.id, cond, "ana@x.org", 300, "2028-01-01", None),
    ])
    .await
    .expect("pledges");
    let ana = tx
        .pledges_by_email(&email("ana@x.org"))
        .await
        .expect("mine");
    assert_eq!(
        ana.iter().map(|p| p.kind.money().get()).collect::<Vec<_>>(),
        vec![300, 100],
        "both of Ana's pledges, newest first, and nobody else's"
    );
    assert_eq!(ana[1].id, first);
    assert!(tx
        .pledges_by_email(&email("cy@x.org"))
        .await
        .expect("none")
        .is_empty());

    let mail = |to: &str, subject: &str, transactional| NewEmail {
        to: email(to),
        subject: subject.into(),
        body: format!("Hello {to}"),
        transactional,
        held: false,
        attachment: None,
    };
    tx.enqueue_emails(
        &[
            (mail("ana@x.org", "Your pledge", true), "u1".into()),
            (mail("ana@x.org", "This week", false), "u2".into()),
            (mail("bo@x.org", "Your pledge", true), "u3".into()),
        ],
        at(5),
    )
    .await
    .expect("enqueue");
    assert_eq!(
        tx.unsubscribe_address("u2").await.expect("address"),
        Some(email("ana@x.org"))
    );
    assert_eq!(tx.unsubscribe_address("nope").await.expect("address"), None);
    assert_eq!(
        tx.last_update_email(&email("ana@x.org"))
            .await
            .expect("last"),
        Some(at(5))
    );
    assert_eq!(
        tx.last_update_email(&email("bo@x.org"))
            .await
            .expect("last"),
        None
    );
    let due = tx.due_emails(3, 10).await.expect("due");
    assert_eq!(due.len(), 3);
    assert_eq!(due[0].email.subject, "Your pledge");
    tx.mark_email(due[0].id, Some(at(6))).await.expect("sent");
    for _ in 0..3 {
        tx.mark_email(due[1].id, None).await.expect("failed");
    }
    let due = tx.due_emails(3, 10).await.expect("due");
    assert_eq!(
        due.iter().map(|e| e.email.to.as_str()).collect::<Vec<_>>(),
        vec!["bo@x.org"],
        "sent and thrice-failed emails are no longer due"
    );
    assert_eq!(tx.notice_cursor(s.id).await.expect("cursor"), (0, None));
    tx.set_notice_cursor(s.id, 7, Some(at(3)))
        .await
        .expect("cursor");
    tx.set_notice_cursor(s.id, 9, Some(at(4)))
        .await
        .expect("cursor");
    assert_eq!(
        tx.notice_cursor(s.id).await.expect("cursor"),
        (9, Some(at(4)))
    );
    assert!(
        tx.pledges_unlocked_at(s.id, at(4))
            .await
            .expect("unlocked")
            .is_empty(),
        "nothing has unlocked"
    );
    let ana_mail = tx.emails_to(&email("ana@x.org")).await.expect("emails");
    assert_eq!(ana_mail.len(), 2);
    assert_eq!(ana_mail[1].sent_at, Some(at(6)));
    assert_eq!(ana_mail[0].attempts, 3);
    tx.commit().await.expect("commit");
}

pub async fn partners_and_referral_counts(store: &dyn Store) {
    let s = slate(store, "mu").await;
    let mut tx = store.write().await.expect("begin");
    let p = tx
        .insert_partner(
            &PartnerRow {
                id: 0,
                slate_id: s.id,
                code: "river-union".into(),
                name: "River Union".into(),
                endorsement: "We back the whole slate.".into(),
            },
            at(1),
        )
        .await
        .expect("partner");
    assert!(p.id > 0);
    assert_eq!(tx.partners(s.id).await.expect("partners"), vec![p.clone()]);
    let cond = tx
        .condition_id(s.id, &Condition::parse("signers >= 2").expect("condition"))
        .await
        .expect("condition");
    let referred = |who: &str, cents| NewPledge {
        ref_code: Some("river-union".into()),
        ..money(s.id, cond, who, cents, "2028-01-01", None)
    };
    let first = tx
        .insert_pledge(&referred("a@x.org", 100))
        .await
        .expect("pledge");
    let hours = NewPledge {
        kind: PledgeKind::Hours {
            hours_per_week: 6,
            weeks: 4,
            skills: vec![],
        },
        receipt_token: "receipt-hours-b".into(),
        ..referred("b@x.org", 0)
    };
    tx.insert_pledges(&[
        referred("a@x.org", 200),
        referred("b@x.org", 300),
        hours,
        money(s.id, cond, "c@x.org", 400, "2028-01-01", None),
    ])
    .await
    .expect("pledges");
    assert!(tx
        .set_status(first, PledgeStatus::Pending, PledgeStatus::Cancelled)
        .await
        .expect("cancel"));
    assert_eq!(
        tx.referrals(s.id, "river-union").await.expect("counts"),
        Referrals {
            pledges: 3,
            pledgers: 2,
            unlocked: 0,
            cents: 500,
            hours_per_week: 6,
        },
        "live referred pledges only; the unreferred and the cancelled don't count"
    );
    assert_eq!(
        tx.referrals(s.id, "nobody").await.expect("counts"),
        Referrals::default()
    );
    tx.commit().await.expect("commit");
    let mut again = store.write().await.expect("begin");
    assert!(matches!(
        again.insert_partner(&p, at(2)).await,
        Err(StoreError::Conflict { .. })
    ));
}

/// Expands to one `#[tokio::test]` per conformance check, each on a fresh
/// store from `$fresh` (an async fn returning `Arc<dyn Store>`).
#[macro_export]
macro_rules! conformance_tests {
    ($fresh:path) => {
        $crate::conformance_tests!(@each $fresh;
            slates_round_trip_and_slugs_are_unique,
            an_uncommitted_transaction_leaves_nothing,
            candidates_compacts_signatures_and_endorsements,
            conditions_are_stored_once_per_slate,
            pledges_round_trip_and_idempotency_keys_are_unique,
            status_moves_only_from_the_expected_status,
            unlocking_records_installments_once,
            monthly_pledges_report_their_latest_installment,
            pots_pledgers_events_and_tokens,
            check_invariants_names_a_planted_violation,
            a_clean_database_has_no_violations,
            bulk_unlocks_span_many_statements,
            bulk_inserted_pledges_keep_the_pot_right,
            accounts_grants_and_one_time_secrets,
            attempts_are_counted_per_key_and_window_across_transactions,
            sign_in_links_are_voided_and_other_sessions_ended,
            pledges_by_email_and_the_outbox,
            partners_and_referral_counts,
            volunteer_teams_round_trip,
            conversations_statements_votes_and_results,
            payments_setups_charges_releases_and_webhook_events, check_invariants_names_a_wrong_charge,
            a_stopped_monthly_pledge_keeps_its_past_and_gets_no_new_month,
            books_events_settings_marks_and_collected_totals,
            given_elsewhere_counts_the_same_fec_candidate_on_other_slates,
            a_slate_version_moves_with_everything_conditions_read,
            record_intake_writes_one_pledge_and_its_receipt,
            record_intake_writes_a_large_batch,
            record_intake_inserts_pledges_under_reserved_ids,
            leases_round_trip_and_are_replaced_whole,
            api_tokens_have_names_expiries_and_revocation,
            held_email_waits_for_release_and_folded_email_never_goes,
            plain_receipt_tokens_and_unsealed_bodies_are_found_once,
            joint_events_hosts_rsvps_and_reminders,
            roll_calls_positions_member_ids_and_platform_votes,
            joint_event_pledges_link_once_and_sum_what_stands,
            pledge_pauses_open_once_and_close,
            digests_are_claimed_once_a_week_and_tell_waiting_updates,
            people_merge_by_email_and_page_by_slate_and_modified_date,
            new_people_are_inserted_in_bulk_and_known_ones_left_alone,
            candidate_profiles_replace_whole_and_roster_events_skip_pledges,
            import_jobs_queue_count_and_finish_dropping_the_file,
            log_leaves_hashes_and_checkpoints_round_trip,
        );
    };
    (@each $fresh:path; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                let store = $fresh().await;
                $crate::conformance::$name(store.as_ref()).await;
            }
        )*
    };
}
