use super::*;
use proptest::prelude::*;
use serde_json::json;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn input(v: serde_json::Value) -> CommitmentInput {
    serde_json::from_value(v).unwrap()
}

fn quarterly(count: u32) -> Measure {
    Measure::JointEvents {
        kind: EventKind::Fundraiser,
        every: Every::Quarter,
        count,
    }
}

fn held(id: i64, on: &str, hosts: &[i64]) -> HeldEvent {
    HeldEvent {
        id,
        kind: EventKind::Fundraiser,
        title: format!("Dinner {id}"),
        on: d(on),
        hosts: hosts.to_vec(),
    }
}

fn record<'a>(
    signed: &str,
    others: &'a [OtherSigner],
    events: &'a [HeldEvent],
) -> SignerRecord<'a> {
    SignerRecord {
        candidate_id: 1,
        signed_on: d(signed),
        others,
        events,
        bloc_agreement: None,
    }
}

#[test]
fn strings_and_objects_parse_as_api_md_says() {
    let cases = [
        (json!("Refuse corporate PAC money"), None),
        (
            json!({"text": "Endorse every other signer", "measure": "endorse_all"}),
            Some(Measure::EndorseAll),
        ),
        (
            json!({"text": "A joint fundraiser every quarter", "measure": "joint_events", "kind": "fundraiser", "every": "quarter", "count": 1}),
            Some(quarterly(1)),
        ),
        (
            json!({"text": "Vote with the bloc", "measure": "bloc_agreement", "at_least": 0.9}),
            Some(Measure::BlocAgreement { at_least: 0.9 }),
        ),
    ];
    for (v, want) in cases {
        let (_, got) = parse_commitment(0, &input(v.clone())).unwrap();
        assert_eq!(got, want, "{v}");
        // what the compact keeps reads back the same
        let again = CommitmentInput::of("t", got.as_ref());
        assert_eq!(parse_commitment(0, &again).unwrap().1, want);
    }
}

#[test]
fn a_bad_measure_names_its_field() {
    let cases = [
        (json!({"measure": "endorse_all"}), "commitments[2].text"),
        (
            json!({"text": "x", "measure": "be_nice"}),
            "commitments[2].measure",
        ),
        (json!({"text": "x"}), "commitments[2].measure"),
        (
            json!({"text": "x", "measure": "joint_events", "kind": "rally", "every": "month", "count": 1}),
            "commitments[2].kind",
        ),
        (
            json!({"text": "x", "measure": "joint_events", "kind": "fundraiser", "every": "week", "count": 1}),
            "commitments[2].every",
        ),
        (
            json!({"text": "x", "measure": "joint_events", "kind": "fundraiser", "every": "month", "count": 0}),
            "commitments[2].count",
        ),
        (
            json!({"text": "x", "measure": "joint_events", "kind": "fundraiser", "every": "month"}),
            "commitments[2].count",
        ),
        (
            json!({"text": "x", "measure": "bloc_agreement", "at_least": 1.5}),
            "commitments[2].at_least",
        ),
        (
            json!({"text": "x", "measure": "bloc_agreement", "at_least": 0.9, "count": 2}),
            "commitments[2].count",
        ),
        (
            json!({"text": "x", "measure": "endorse_all", "colour": "red"}),
            "commitments[2].colour",
        ),
    ];
    for (v, field) in cases {
        let e = parse_commitment(2, &input(v.clone())).unwrap_err();
        assert_eq!(e.field, field, "{v}");
    }
}

#[test]
fn quarters_count_from_the_signature() {
    let signed = d("2026-01-31");
    assert_eq!(
        period(signed, Every::Quarter, 0),
        Period {
            start: signed,
            end: d("2026-04-30")
        }
    );
    assert_eq!(period(signed, Every::Month, 1).start, d("2026-02-28"));
    assert!(periods_until(signed, Every::Month, d("2026-01-30")).is_empty());
    assert_eq!(
        periods_until(signed, Every::Quarter, d("2026-06-01")).len(),
        2
    );
}

#[test]
fn joint_events_kept_due_and_broken() {
    let others = [];
    // signed Jan 1: Q1 open, one fundraiser with this signer held in it → kept
    let events = [
        held(7, "2026-02-10", &[1, 2]),
        held(8, "2026-02-11", &[2, 3]),
    ];
    let r = record("2026-01-01", &others, &events);
    let s = score(Some(&quarterly(1)), &r, d("2026-03-01"));
    assert_eq!(s.standing, Standing::Kept);
    assert_eq!(s.events, vec![7], "only events this signer hosted count");
    // the next quarter is open and empty → due
    assert_eq!(
        score(Some(&quarterly(1)), &r, d("2026-04-15")).standing,
        Standing::Due
    );
    // and once it ends empty → broken, naming the period
    let s = score(Some(&quarterly(1)), &r, d("2026-07-02"));
    assert_eq!(s.standing, Standing::Broken);
    assert!(
        s.detail.contains("2026-04-01 to 2026-06-30"),
        "{}",
        s.detail
    );
    // an event before the signature does not count
    let early = [held(9, "2025-12-31", &[1])];
    let r = record("2026-01-01", &others, &early);
    assert_eq!(
        score(Some(&quarterly(1)), &r, d("2026-02-01")).standing,
        Standing::Due
    );
}

#[test]
fn endorse_all_has_a_month_then_breaks() {
    let others = [
        OtherSigner {
            id: 2,
            name: "Ben".into(),
            owed_since: d("2026-03-01"),
            endorsed: true,
        },
        OtherSigner {
            id: 3,
            name: "Cy".into(),
            owed_since: d("2026-03-10"),
            endorsed: false,
        },
    ];
    let r = record("2026-03-01", &others, &[]);
    let s = score(Some(&Measure::EndorseAll), &r, d("2026-03-20"));
    assert_eq!((s.standing, s.detail.contains("Cy")), (Standing::Due, true));
    assert_eq!(
        score(Some(&Measure::EndorseAll), &r, d("2026-04-10")).standing,
        Standing::Broken
    );
    let all = [OtherSigner {
        endorsed: true,
        ..others[1].clone()
    }];
    let r = record("2026-03-01", &all, &[]);
    assert_eq!(
        score(Some(&Measure::EndorseAll), &r, d("2027-01-01")).standing,
        Standing::Kept
    );
}

#[test]
fn bloc_agreement_waits_for_roll_calls_and_strings_are_not_scored() {
    let r = record("2026-03-01", &[], &[]);
    let m = Measure::BlocAgreement { at_least: 0.9 };
    assert_eq!(
        score(Some(&m), &r, d("2026-05-01")).standing,
        Standing::NotMeasured
    );
    assert_eq!(
        score(None, &r, d("2026-05-01")).standing,
        Standing::NotMeasured
    );
    let voted = SignerRecord {
        bloc_agreement: Some(0.95),
        ..r.clone()
    };
    assert_eq!(
        score(Some(&m), &voted, d("2026-05-01")).standing,
        Standing::Kept
    );
    let strayed = SignerRecord {
        bloc_agreement: Some(0.5),
        ..r
    };
    assert_eq!(
        score(Some(&m), &strayed, d("2026-05-01")).standing,
        Standing::Broken
    );
}

fn any_every() -> impl Strategy<Value = Every> {
    prop_oneof![Just(Every::Month), Just(Every::Quarter)]
}

proptest! {
    /// The periods before today are back to back from the signature, never
    /// empty, and the last one holds today.
    #[test]
    fn periods_tile_time_from_the_signature(
        signed_days in 0u64..2_000, ahead in 0u64..1_500, every in any_every(),
    ) {
        let signed = d("2024-01-01") + chrono::Days::new(signed_days);
        let today = signed + chrono::Days::new(ahead);
        let ps = periods_until(signed, every, today);
        prop_assert!(!ps.is_empty());
        prop_assert_eq!(ps[0].start, signed);
        for w in ps.windows(2) {
            prop_assert_eq!(w[0].end, w[1].start);
        }
        for p in &ps {
            prop_assert!(p.start < p.end);
        }
        let last = ps.last().unwrap();
        prop_assert!(last.start <= today && today < last.end);
    }

    /// More held events never make a standing worse; meeting every period
    /// is never broken; events before the signature never change anything.
    #[test]
    fn more_events_never_hurt_and_events_before_signing_never_count(
        days in proptest::collection::vec(-200i64..800, 0..12),
        extra in -200i64..800,
        ahead in 0u64..800,
        count in 1u32..3,
        every in any_every(),
    ) {
        let signed = d("2026-01-01");
        let today = signed + chrono::Days::new(ahead);
        let on = |x: i64| signed + chrono::Duration::days(x);
        let m = Measure::JointEvents { kind: EventKind::Fundraiser, every, count };
        let base: Vec<HeldEvent> = days.iter().enumerate()
            .map(|(i, x)| held(i as i64, &on(*x).to_string(), &[1]))
            .filter(|e| e.on <= today)
            .collect();
        let mut more = base.clone();
        if on(extra) <= today {
            more.push(held(99, &on(extra).to_string(), &[1]));
        }
        let rank = |s: Standing| match s { Standing::Kept => 0, Standing::Due => 1, _ => 2 };
        let before = score(Some(&m), &record("2026-01-01", &[], &base), today).standing;
        let after = score(Some(&m), &record("2026-01-01", &[], &more), today).standing;
        prop_assert!(rank(after) <= rank(before), "{:?} -> {:?}", before, after);
        let post: Vec<HeldEvent> = base.iter().filter(|e| e.on >= signed).cloned().collect();
        prop_assert_eq!(
            score(Some(&m), &record("2026-01-01", &[], &post), today).standing,
            before
        );
        // every finished period met → not broken
        let ps = periods_until(signed, every, today);
        let met = ps.iter().take(ps.len().saturating_sub(1)).all(|p| {
            base.iter().filter(|e| p.start <= e.on && e.on < p.end).count() as u32 >= count
        });
        if met {
            prop_assert_ne!(before, Standing::Broken);
        }
    }
}

#[test]
fn short_labels_and_change_lines_read_plainly() {
    assert_eq!(quarterly(1).short_label(), "quarterly joint fundraiser");
    assert_eq!(quarterly(2).short_label(), "2 joint fundraisers a quarter");
    let canvass = Measure::JointEvents {
        kind: EventKind::Canvass,
        every: Every::Month,
        count: 3,
    };
    assert_eq!(canvass.short_label(), "3 canvasses a month");
    assert_eq!(
        Measure::BlocAgreement { at_least: 0.9 }.short_label(),
        "voting with the bloc at least 90% of the time"
    );
    assert_eq!(
        change_line(
            "Ada Reyes",
            "quarterly joint fundraiser",
            Standing::Due,
            Standing::Kept
        )
        .as_deref(),
        Some("Ada Reyes: quarterly joint fundraiser is now kept")
    );
    assert_eq!(
        change_line(
            "Ben Okafor",
            "endorsing every other signer",
            Standing::Due,
            Standing::Broken
        )
        .as_deref(),
        Some("Ben Okafor: endorsing every other signer is now broken")
    );
    for s in [
        Standing::Kept,
        Standing::Due,
        Standing::Broken,
        Standing::NotMeasured,
    ] {
        assert_eq!(
            change_line("Ada", "x", s, s),
            None,
            "{s:?} to itself is no change"
        );
    }
}
