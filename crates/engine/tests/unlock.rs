//! The unlock rules end to end through the engine on a real store: scenario
//! tests named after what they protect, and a property test that drives
//! random sequences of events and checks, after every one, that nothing which
//! should have unlocked is still waiting and that every invariant holds.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use cohort_core::facts::Snapshot;
use cohort_core::model::{PledgeKind, PledgeStatus, Recurrence};
use cohort_core::SlateEventKind;
use cohort_core::{Cents, Condition, Email};
use cohort_engine::{
    Actor, CandidateInput, CompactInput, Ended, Engine, FixedClock, OsTokens, PledgeRequest,
    SlateInput, SlateView, LOG_TOTAL_AFTER,
};
use cohort_store::{Donor, Store};
use cohort_store_sqlite::SqliteStore;
use proptest::prelude::*;

const CANDIDATES: [(&str, &str); 4] = [("ann", "NY"), ("bo", "NY"), ("cy", "PA"), ("di", "CA")];

fn noon(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 12, 0, 0)
        .single()
        .expect("valid date")
}

struct World {
    engine: Engine,
    clock: Arc<FixedClock>,
    campaigns: Vec<Actor>,
    store: Arc<dyn Store>,
}

async fn sqlite() -> Arc<dyn Store> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "cohort-unlock-{}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        Utc::now().timestamp_nanos_opt().unwrap_or(0)
    ));
    let store = SqliteStore::open_dir(&dir).await.expect("open");
    store.migrate().await.expect("migrate");
    Arc::new(store)
}

async fn world(condition: &str) -> World {
    let clock = Arc::new(FixedClock::new(noon(2026, 11, 24)));
    let store = sqlite().await;
    let engine = Engine::new(store.clone(), clock.clone(), Arc::new(OsTokens));
    let org = Actor::Organizer { slate: None };
    engine
        .create_slate(
            &org,
            SlateInput {
                slug: "s".into(),
                name: "Test slate".into(),
                cycle: 2028,
                description: String::new(),
                condition: condition.into(),
            },
        )
        .await
        .expect("slate");
    let mut campaigns = Vec::new();
    for (slug, state) in CANDIDATES {
        engine
            .add_candidate(
                &org,
                "s",
                CandidateInput {
                    slug: slug.into(),
                    name: slug.to_uppercase(),
                    office: "us_house".into(),
                    state: state.into(),
                    district: Some("1".into()),
                    primary_date: Some("2028-06-27".into()),
                    general_date: "2028-11-07".into(),
                },
            )
            .await
            .expect("candidate");
        let token = engine
            .issue_candidate_token("s", slug)
            .await
            .expect("token");
        campaigns.push(engine.authenticate(Some(&token)).await.expect("auth"));
    }
    engine
        .publish_compact(
            &org,
            "s",
            CompactInput {
                commitments: vec!["Cross-endorse".into()],
                planks: vec![],
            },
        )
        .await
        .expect("compact");
    World {
        engine,
        clock,
        campaigns,
        store,
    }
}

/// A money pledge as the engine's own callers build it: typed values,
/// no wire type (the edge's parsing is web's, and tested there).
fn money(email: &str, cents: i64) -> PledgeRequest {
    let mut p = PledgeRequest::new(
        PledgeKind::Money {
            amount: Cents(cents),
            recurring: Recurrence::Once,
        },
        Email::parse(email).expect("an email"),
        Donor {
            name: "Supporter".into(),
            employer: "Acme".into(),
            occupation: "Nurse".into(),
            attests_eligible: true,
            ..Donor::default()
        },
    );
    p.deadline = chrono::NaiveDate::from_ymd_opt(2028, 1, 31);
    p
}

fn cond(source: &str) -> Option<Condition> {
    Some(Condition::parse(source).expect("a condition"))
}

fn make_monthly(p: &mut PledgeRequest) {
    if let PledgeKind::Money { recurring, .. } = &mut p.kind {
        *recurring = Recurrence::Monthly;
    }
}

impl World {
    async fn sign(&self, i: usize) {
        self.engine
            .sign(&self.campaigns[i], "s", CANDIDATES[i].0, 1)
            .await
            .expect("sign");
    }
    async fn endorse(&self, a: usize, b: usize) {
        self.engine
            .endorse(&self.campaigns[a], "s", CANDIDATES[a].0, CANDIDATES[b].0)
            .await
            .expect("endorse");
    }
    async fn verify(&self) {
        let v = self.engine.verify().await.expect("verify");
        assert!(v.is_empty(), "invariants violated: {v:?}");
    }
}

/// What the slate page says, as the condition language sees it.
fn facts_of(view: &SlateView, today: chrono::NaiveDate) -> Snapshot {
    let mut s = Snapshot::new(today);
    for c in view.candidates.iter().filter(|c| c.signed) {
        s.signers.insert(c.slug.clone(), c.state.clone());
    }
    for e in &view.endorsements {
        s.endorsements.insert((e.from.clone(), e.to.clone()));
    }
    s.pledged = Cents(view.pot.pending_cents + view.pot.unlocked_cents);
    s.pledgers = view.pot.pledgers as u64;
    s.hours = (view.pot.hours_per_week_pending + view.pot.hours_per_week_unlocked) as u64;
    s
}

#[tokio::test]
async fn a_signature_that_completes_the_slate_unlocks_and_splits_in_the_same_event() {
    let w = world("signers >= 2 and mutual").await;
    let p = w
        .engine
        .pledge("s", money("a@x.org", 10_000), None)
        .await
        .expect("pledge");
    assert_eq!(p.pledge.status, PledgeStatus::Pending);
    w.sign(0).await;
    w.endorse(0, 2).await;
    w.endorse(2, 0).await;
    let token = p.pledge.receipt_token.clone().expect("receipt");
    assert_eq!(
        w.engine
            .pledge_view(p.pledge.id, &token)
            .await
            .expect("view")
            .status,
        PledgeStatus::Pending,
        "one signer is not enough"
    );
    let outcome = w
        .engine
        .sign(&w.campaigns[2], "s", "cy", 1)
        .await
        .expect("sign");
    assert_eq!(outcome.unlocked, 1);
    let view = w
        .engine
        .pledge_view(p.pledge.id, &token)
        .await
        .expect("view");
    assert_eq!(view.status, PledgeStatus::Unlocked);
    let shares: Vec<(String, i64)> = view
        .allocations
        .iter()
        .map(|a| (a.candidate.clone(), a.cents.get()))
        .collect();
    assert_eq!(shares, vec![("ann".into(), 5_000), ("cy".into(), 5_000)]);
    assert_eq!(view.unallocated_cents, Cents(0));
    w.verify().await;
}

/// What a pledger needs next comes back from the one call: a money
/// pledge's payment (here pledge-only: this engine collects nothing); an
/// hours pledge has none.
#[tokio::test]
async fn a_pledge_answers_with_its_payment_in_one_call() {
    let w = world("signers >= 2").await;
    let out = w
        .engine
        .pledge("s", money("a@x.org", 1_000), None)
        .await
        .expect("pledge");
    let pay = out
        .pledge
        .payment
        .expect("a money pledge answers its payment");
    assert_eq!(pay.state, "pledge_only");
    let mut hours = PledgeRequest::new(
        PledgeKind::Hours {
            hours_per_week: 2,
            weeks: 3,
            skills: Vec::new(),
        },
        Email::parse("h@x.org").expect("an email"),
        Donor::default(),
    );
    hours.deadline = chrono::NaiveDate::from_ymd_opt(2028, 1, 31);
    let out = w.engine.pledge("s", hours, None).await.expect("pledge");
    assert_eq!(out.pledge.payment, None);
}

#[tokio::test]
async fn assurance_threshold_unlocks_every_waiting_pledge_together() {
    let w = world("signers >= 1").await;
    w.sign(0).await;
    let mut receipts = Vec::new();
    for (i, cents) in [30_000, 30_000, 39_999].into_iter().enumerate() {
        let mut p = money(&format!("d{i}@x.org"), cents);
        p.condition = cond("pledged >= $1,000");
        let out = w.engine.pledge("s", p, None).await.expect("pledge");
        assert_eq!(
            out.pledge.status,
            PledgeStatus::Pending,
            "the pot has not reached $1,000 yet"
        );
        receipts.push((out.pledge.id, out.pledge.receipt_token.expect("receipt")));
    }
    let mut last = money("d9@x.org", 1);
    last.condition = cond("pledged >= $1,000");
    let out = w.engine.pledge("s", last, None).await.expect("pledge");
    assert_eq!(
        out.pledge.status,
        PledgeStatus::Unlocked,
        "the pledge that reaches the threshold unlocks with the rest"
    );
    for (id, token) in receipts {
        assert_eq!(
            w.engine.pledge_view(id, &token).await.expect("view").status,
            PledgeStatus::Unlocked
        );
    }
    w.verify().await;
}

#[tokio::test]
async fn capped_candidates_pass_the_rest_on_and_what_nobody_can_take_is_unallocated() {
    let w = world("signers >= 2").await;
    w.sign(0).await;
    w.sign(2).await;
    // $10,000 over two signers with a $3,500 federal limit each: $3,000 nobody can take.
    let out = w
        .engine
        .pledge("s", money("big@x.org", 1_000_000), None)
        .await
        .expect("pledge");
    assert_eq!(out.pledge.status, PledgeStatus::Unlocked);
    let cents: Vec<i64> = out
        .pledge
        .allocations
        .iter()
        .map(|a| a.cents.get())
        .collect();
    assert_eq!(cents, vec![350_000, 350_000]);
    assert_eq!(out.pledge.unallocated_cents, Cents(300_000));
    // A second gift by the same donor finds no headroom left for the primary.
    let again = w
        .engine
        .pledge("s", money("big@x.org", 5_000), None)
        .await
        .expect("pledge");
    assert!(again.pledge.allocations.is_empty());
    assert_eq!(again.pledge.unallocated_cents, Cents(5_000));
    w.verify().await;
}

#[tokio::test]
async fn pledges_past_their_deadline_expire_and_never_unlock() {
    let w = world("signers >= 1").await;
    let mut p = money("a@x.org", 2_000);
    p.deadline = chrono::NaiveDate::from_ymd_opt(2026, 12, 1);
    let out = w.engine.pledge("s", p, None).await.expect("pledge");
    w.clock.set(noon(2026, 12, 2));
    let t = w.engine.tick().await.expect("tick");
    assert_eq!(t.expired, 1);
    w.sign(0).await;
    let view = w
        .engine
        .pledge_view(out.pledge.id, &out.pledge.receipt_token.expect("r"))
        .await
        .expect("view");
    assert_eq!(view.status, PledgeStatus::Expired);
    let slate = w.engine.slate_view("s").await.expect("slate");
    assert_eq!(
        slate.pot.pending_cents, 0,
        "an expired pledge leaves the pot"
    );
    assert_eq!(slate.pot.pledgers, 0);
    w.verify().await;
}

#[tokio::test]
async fn monthly_pledges_give_again_only_while_the_bloc_holds() {
    let w = world("signers >= 2").await;
    w.sign(0).await;
    w.sign(2).await;
    let mut p = money("m@x.org", 3_000);
    make_monthly(&mut p);
    let out = w.engine.pledge("s", p, None).await.expect("pledge");
    let token = out.pledge.receipt_token.clone().expect("r");
    assert_eq!(out.pledge.status, PledgeStatus::Unlocked);
    w.clock.set(noon(2026, 12, 24));
    w.engine.tick().await.expect("tick");
    let view = w
        .engine
        .pledge_view(out.pledge.id, &token)
        .await
        .expect("view");
    assert_eq!(
        view.allocations.iter().filter(|a| a.period == 1).count(),
        2,
        "month 1 splits again"
    );
    w.engine
        .withdraw(&w.campaigns[2], "s", "cy")
        .await
        .expect("withdraw");
    w.clock.set(noon(2027, 1, 24));
    w.engine.tick().await.expect("tick");
    let view = w
        .engine
        .pledge_view(out.pledge.id, &token)
        .await
        .expect("view");
    assert!(
        view.allocations.iter().all(|a| a.period <= 1),
        "no installment while the condition fails"
    );
    w.verify().await;
}

#[tokio::test]
async fn an_event_with_nothing_to_unlock_changes_no_pledge() {
    let w = world("signers >= 3 and mutual").await;
    let out = w
        .engine
        .pledge("s", money("a@x.org", 500), None)
        .await
        .expect("pledge");
    let s = w
        .engine
        .sign(&w.campaigns[0], "s", "ann", 1)
        .await
        .expect("sign");
    assert_eq!(s.unlocked, 0);
    let view = w
        .engine
        .pledge_view(out.pledge.id, &out.pledge.receipt_token.expect("r"))
        .await
        .expect("view");
    assert_eq!(view.status, PledgeStatus::Pending);
    assert!(view.allocations.is_empty());
}

#[derive(Clone, Debug)]
enum Op {
    Sign(usize),
    Withdraw(usize),
    Endorse(usize, usize),
    Unendorse(usize, usize),
    Pledge {
        donor: usize,
        cents: i64,
        condition: usize,
        chosen: Option<Vec<usize>>,
        monthly: bool,
    },
    Cancel(usize),
    Days(u32),
}

const CONDITIONS: [&str; 7] = [
    "signers >= 2",
    "signers >= 2 and mutual",
    "pledged >= $100",
    "states >= 2 and not signed(\"bo\")",
    "signed(\"ann\") and signers >= 2",
    "today >= 2027-01-01 and signers >= 1",
    "signers >= 3 or pledgers >= 4",
];

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..4usize).prop_map(Op::Sign),
        1 => (0..4usize).prop_map(Op::Withdraw),
        3 => (0..4usize, 0..4usize).prop_map(|(a, b)| Op::Endorse(a, b)),
        1 => (0..4usize, 0..4usize).prop_map(|(a, b)| Op::Unendorse(a, b)),
        4 => (0..4usize, 1i64..800_000, 0..CONDITIONS.len(), proptest::option::weighted(0.2, proptest::collection::vec(0..4usize, 1..3)), proptest::bool::weighted(0.35))
            .prop_map(|(donor, cents, condition, chosen, monthly)| Op::Pledge { donor, cents, condition, chosen, monthly }),
        // Cancels a pending pledge, stops an unlocked monthly one.
        2 => (0..10usize).prop_map(Op::Cancel),
        1 => (1..60u32).prop_map(Op::Days),
    ]
}

async fn run(ops: Vec<Op>) -> std::result::Result<(), TestCaseError> {
    let w = world("signers >= 2 and mutual").await;
    let mut pledges: Vec<(i64, String)> = Vec::new();
    let mut frozen: std::collections::HashMap<i64, Vec<(String, i64, i32)>> =
        std::collections::HashMap::new();
    // What a pledge had when first seen stopped (`cancel` stops an unlocked monthly pledge).
    let mut stopped: std::collections::HashMap<i64, Vec<(String, i64, i32)>> =
        std::collections::HashMap::new();
    let mut now = noon(2026, 11, 24);
    for op in ops {
        match op {
            Op::Sign(i) => w.sign(i).await,
            Op::Withdraw(i) => {
                let _ = w
                    .engine
                    .withdraw(&w.campaigns[i], "s", CANDIDATES[i].0)
                    .await;
            }
            Op::Endorse(a, b) if a != b => w.endorse(a, b).await,
            Op::Unendorse(a, b) if a != b => {
                let _ = w
                    .engine
                    .unendorse(&w.campaigns[a], "s", CANDIDATES[a].0, CANDIDATES[b].0)
                    .await;
            }
            Op::Endorse(..) | Op::Unendorse(..) => {}
            Op::Pledge {
                donor,
                cents,
                condition,
                chosen,
                monthly,
            } => {
                let mut p = money(&format!("donor{donor}@x.org"), cents);
                p.condition = cond(CONDITIONS[condition]);
                p.candidates =
                    chosen.map(|c| c.into_iter().map(|i| CANDIDATES[i].0.to_owned()).collect());
                if monthly {
                    make_monthly(&mut p);
                }
                let out = w.engine.pledge("s", p, None).await.expect("pledge");
                pledges.push((out.pledge.id, out.pledge.receipt_token.expect("receipt")));
            }
            Op::Cancel(i) => {
                if let Some((id, token)) = pledges.get(i) {
                    let _ = w.engine.cancel(*id, token).await;
                }
            }
            Op::Days(n) => {
                now = now + chrono::Days::new(u64::from(n));
                w.clock.set(now);
                w.engine.tick().await.expect("tick");
            }
        }
        // After every event: nothing that should have unlocked is still waiting.
        let slate = w.engine.slate_view("s").await.expect("slate");
        let facts = facts_of(&slate, now.date_naive());
        for (id, token) in &pledges {
            let p = w.engine.pledge_view(*id, token).await.expect("view");
            let condition = Condition::parse(&p.condition).expect("stored condition parses");
            let live = p.deadline.as_str() >= now.date_naive().to_string().as_str();
            if p.status == PledgeStatus::Pending && live {
                prop_assert!(
                    !condition.eval(&facts),
                    "pledge {} waits on `{}`, which holds",
                    id,
                    p.condition
                );
            }
            // Once split, a period's allocation never changes.
            let split: Vec<(String, i64, i32)> = p
                .allocations
                .iter()
                .map(|a| (a.candidate.clone(), a.cents.get(), a.period))
                .collect();
            if let Some(before) = frozen.get(id) {
                prop_assert!(
                    split.starts_with(before)
                        || split.iter().filter(|a| before.contains(a)).count() == before.len(),
                    "pledge {} allocation changed: {:?} -> {:?}",
                    id,
                    before,
                    split
                );
            }
            if p.status == PledgeStatus::Stopped {
                let then = stopped.entry(*id).or_insert_with(|| split.clone());
                prop_assert_eq!(&split, then, "stopped pledge {} was split again", id);
            }
            if p.status == PledgeStatus::Unlocked {
                frozen.insert(*id, split);
            }
        }
        let v = w.engine.verify().await.expect("verify");
        prop_assert!(v.is_empty(), "invariants violated: {:?}", v);
    }
    unlocked_totals_aggregate_ten_pledges(&w).await
}

/// Every published `unlocked_total` aggregates at least
/// [`LOG_TOTAL_AFTER`] money pledges unlocked or stopped since the last
/// (issue 14: no one amount can be read off two totals), counted right;
/// the pot remembers the last one and counts the changes since.
async fn unlocked_totals_aggregate_ten_pledges(
    w: &World,
) -> std::result::Result<(), TestCaseError> {
    let mut tx = w.store.read().await.expect("read");
    let slate = tx.slate_by_slug("s").await.expect("slate").expect("s");
    let events = tx.events(slate.id, 0, 100_000).await.expect("events");
    let mut since = 0i64;
    let mut last = None;
    for e in &events {
        let p: serde_json::Value = serde_json::from_str(&e.payload).expect("json");
        match e.kind {
            SlateEventKind::Unlock => since += p["pledges"].as_i64().expect("pledges"),
            // This world charges nothing, so no payment fails.
            SlateEventKind::PledgeStopped => since += 1,
            SlateEventKind::UnlockedTotal => {
                prop_assert!(
                    since >= LOG_TOTAL_AFTER,
                    "a total after {} pledges: {}",
                    since,
                    e.payload
                );
                prop_assert_eq!(p["pledges"].as_i64(), Some(since), "{}", e.payload);
                since = 0;
                last = Some((e.seq, p["unlocked_cents"].as_i64().expect("cents")));
            }
            _ => {}
        }
    }
    let pot = tx.pot(slate.id).await.expect("pot");
    prop_assert_eq!(pot.unlogged_unlocks, since);
    prop_assert_eq!(pot.logged_seq, last.map(|l| l.0));
    prop_assert_eq!(pot.logged_unlocked_cents, last.map_or(0, |l| l.1));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, max_shrink_iters: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_event_sequences_keep_every_unlock_rule(ops in proptest::collection::vec(op(), 1..30)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(run(ops))?;
    }
}

#[derive(Clone, Debug)]
enum TotalOp {
    Money {
        donor: usize,
        cents: i64,
        monthly: bool,
    },
    Hours(usize),
    /// Stops the n-th pledge if it is an unlocked monthly one.
    Stop(usize),
    Days(u32),
}

fn total_op() -> impl Strategy<Value = TotalOp> {
    prop_oneof![
        6 => (0..12usize, 1i64..200_000, proptest::bool::weighted(0.4))
            .prop_map(|(donor, cents, monthly)| TotalOp::Money { donor, cents, monthly }),
        1 => (0..12usize).prop_map(TotalOp::Hours),
        2 => (0..40usize).prop_map(TotalOp::Stop),
        1 => (1..40u32).prop_map(TotalOp::Days),
    ]
}

/// On an unlocked slate every pledge unlocks on arrival: the published
/// total must still aggregate ten money pledges (counted here, as the test
/// makes them: volunteer pledges move no money), and equal the pot
/// whenever nothing moved it since.
async fn run_totals(ops: Vec<TotalOp>) -> std::result::Result<(), TestCaseError> {
    let w = world("signers >= 1").await;
    w.sign(0).await;
    let mut pledges: Vec<(i64, String)> = Vec::new();
    let mut now = noon(2026, 11, 24);
    let mut since = 0i64;
    let mut logged = None;
    let mut stopped = std::collections::HashSet::new();
    for op in ops {
        match op {
            TotalOp::Money {
                donor,
                cents,
                monthly,
            } => {
                let mut p = money(&format!("donor{donor}@x.org"), cents);
                if monthly {
                    make_monthly(&mut p);
                }
                let out = w.engine.pledge("s", p, None).await.expect("pledge");
                prop_assert_eq!(out.pledge.status, PledgeStatus::Unlocked);
                since += 1;
                pledges.push((out.pledge.id, out.pledge.receipt_token.expect("receipt")));
            }
            TotalOp::Hours(donor) => {
                let mut p = money(&format!("donor{donor}@x.org"), 1);
                p.kind = PledgeKind::Hours {
                    hours_per_week: 4,
                    weeks: 8,
                    skills: Vec::new(),
                };
                w.engine.pledge("s", p, None).await.expect("pledge");
            }
            TotalOp::Stop(i) => {
                // A second stop of the same pledge writes nothing.
                if let Some((id, token)) = pledges.get(i) {
                    if let Ok(Ended::Stopped) = w.engine.cancel(*id, token).await {
                        since += i64::from(stopped.insert(*id));
                    }
                }
            }
            TotalOp::Days(n) => {
                now = now + chrono::Days::new(u64::from(n));
                w.clock.set(now);
                w.engine.tick().await.expect("tick");
            }
        }
        let mut tx = w.store.read().await.expect("read");
        let slate = tx.slate_by_slug("s").await.expect("slate").expect("s");
        let pot = tx.pot(slate.id).await.expect("pot");
        if pot.logged_seq != logged {
            prop_assert!(
                since >= LOG_TOTAL_AFTER,
                "a total after {} pledges: {:?}",
                since,
                pot
            );
            let e = tx
                .events(slate.id, pot.logged_seq.expect("a seq") - 1, 1)
                .await
                .expect("events");
            let p: serde_json::Value = serde_json::from_str(&e[0].payload).expect("json");
            prop_assert_eq!(e[0].kind, SlateEventKind::UnlockedTotal);
            prop_assert_eq!(p["pledges"].as_i64(), Some(since));
            prop_assert_eq!(p["unlocked_cents"].as_i64(), Some(pot.unlocked_cents));
            since = 0;
            logged = pot.logged_seq;
        }
        prop_assert_eq!(pot.unlogged_unlocks, since, "{:?}", pot);
        prop_assert!(since < LOG_TOTAL_AFTER, "{} changes and no total", since);
    }
    let v = w.engine.verify().await.expect("verify");
    prop_assert!(v.is_empty(), "invariants violated: {:?}", v);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn published_unlocked_totals_never_give_away_one_pledge(ops in proptest::collection::vec(total_op(), 1..60)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(run_totals(ops))?;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_pledges_share_commits_and_a_bad_one_fails_alone() {
    let w = Arc::new(world("signers >= 2").await);
    w.sign(0).await;
    let mut tasks = Vec::new();
    for i in 0..60i64 {
        let w = w.clone();
        tasks.push(tokio::spawn(async move {
            let mut p = money(&format!("c{i}@x.org"), 1_000 + i);
            if i % 10 == 7 {
                // Invalid on this slate (found only inside the batch, where
                // the slate is loaded): must fail without taking the batch down.
                p.candidates = Some(vec!["nobody".into()]);
            }
            if i == 30 {
                p.condition = cond("signers >= 1"); // already true: unlocks inside its batch
            }
            (i, w.engine.pledge("s", p, Some(&format!("key-{i}"))).await)
        }));
    }
    let mut ids = std::collections::HashSet::new();
    let mut expected = 0;
    for t in tasks {
        let (i, r) = t.await.expect("task");
        if i % 10 == 7 {
            assert!(
                matches!(r, Err(cohort_engine::EngineError::Invalid { .. })),
                "pledge {i}: {r:?}"
            );
            continue;
        }
        let out = r.unwrap_or_else(|e| panic!("pledge {i} failed: {e}"));
        assert!(out.created);
        assert_eq!(
            out.pledge.status,
            if i == 30 {
                PledgeStatus::Unlocked
            } else {
                PledgeStatus::Pending
            },
            "pledge {i}"
        );
        assert!(ids.insert(out.pledge.id), "ids are distinct");
        expected += 1_000 + i;
    }
    assert_eq!(ids.len(), 54);
    let slate = w.engine.slate_view("s").await.expect("slate");
    assert_eq!(slate.pot.pending_cents + slate.pot.unlocked_cents, expected);
    assert_eq!(slate.pot.pledgers, 54);
    w.verify().await;
}

#[tokio::test]
async fn the_default_deadline_is_the_last_general_election_and_a_passed_one_is_named() {
    let w = world("signers >= 3").await;
    let mut p = money("a@x.org", 500);
    p.deadline = None;
    let out = w.engine.pledge("s", p.clone(), None).await.expect("pledge");
    assert_eq!(out.pledge.deadline, "2028-11-07");
    w.clock.set(noon(2028, 11, 8));
    match w.engine.pledge("s", p, None).await {
        Err(cohort_engine::EngineError::Invalid { field, message }) => {
            assert_eq!(field, "deadline");
            assert!(message.contains("2028-11-07"), "{message}");
        }
        other => panic!("expected an invalid deadline, got {other:?}"),
    }
}

#[tokio::test]
async fn statewide_races_take_no_district() {
    let w = world("signers >= 3").await;
    let senate = CandidateInput {
        slug: "sen".into(),
        name: "Sen".into(),
        office: "us_senate".into(),
        state: "PA".into(),
        district: Some("3".into()),
        primary_date: None,
        general_date: "2028-11-07".into(),
    };
    let org = Actor::Organizer { slate: None };
    match w.engine.add_candidate(&org, "s", senate.clone()).await {
        Err(cohort_engine::EngineError::Invalid { field, .. }) => assert_eq!(field, "district"),
        other => panic!("expected an invalid district, got {other:?}"),
    }
    let ok = CandidateInput {
        district: None,
        ..senate
    };
    assert_eq!(
        w.engine
            .add_candidate(&org, "s", ok)
            .await
            .expect("statewide")
            .district,
        None
    );
}
