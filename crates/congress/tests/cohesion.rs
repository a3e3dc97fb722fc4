//! Cohesion as API.md defines it: properties, and a cross-check of one real
//! bloc against an independent Python implementation on the shipped extract.

use cohort_congress::{cohesion, shipped, BlocMember, PlatformTag, RollCalls, Vote};
use cohort_testkit::python::run_python;
use proptest::prelude::*;

const RC_HEAD: &str =
    "vote_id,chamber,congress,session,number,date,category,type,question,requires,result,bill,amendment\n";
const POS_HEAD: &str = "vote_id,member_id,party,state,position\n";

fn member(c: &str, m: &str) -> BlocMember {
    BlocMember {
        candidate: c.into(),
        member_id: m.into(),
    }
}

/// Eight House progressives who campaigned together and sit in the 119th.
fn real_bloc() -> Vec<BlocMember> {
    [
        ("aoc", "O000172"),
        ("omar", "O000173"),
        ("pressley", "P000617"),
        ("tlaib", "T000481"),
        ("summer-lee", "L000602"),
        ("casar", "C001131"),
        ("ramirez", "R000617"),
        ("jayapal", "J000298"),
    ]
    .into_iter()
    .map(|(c, m)| member(c, m))
    .collect()
}

fn real_tags() -> Vec<PlatformTag> {
    [
        ("h3-119.2025", Vote::No),
        ("h10-119.2025", Vote::Yes),
        ("h23-119.2025", Vote::No),
    ]
    .into_iter()
    .map(|(v, p)| PlatformTag {
        vote_id: v.into(),
        position: p,
    })
    .collect()
}

#[test]
fn a_real_bloc_matches_an_independent_python_implementation_exactly() {
    let votes = shipped::votes().unwrap();
    let bloc = real_bloc();
    let tags = real_tags();
    let (from, to) = ("2025-01-03", "2025-03-15");
    let ours = cohesion(&votes, &bloc, &tags, Some(from), Some(to));
    assert!(ours.roll_calls > 30, "{}", ours.roll_calls);
    assert!(!ours.splits.is_empty(), "the bloc split at least once");

    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/congress/votes");
    let mut args: Vec<String> = vec![
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cohesion.py").into(),
        dir.into(),
        from.into(),
        to.into(),
    ];
    for m in &bloc {
        args.push(format!("{}={}", m.candidate, m.member_id));
    }
    args.push("--".into());
    for t in &tags {
        let side = if t.position == Vote::Yes { "yes" } else { "no" };
        args.push(format!("{}={side}", t.vote_id));
    }
    let out = run_python(&args, None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // float_roundtrip (dev-dependency feature): parse floats exactly.
    let theirs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut ours = serde_json::to_value(&ours).unwrap();
    ours.as_object_mut().unwrap().remove("splits");
    assert_eq!(ours, theirs);
}

#[test]
fn rice_and_agreement_for_real_members_who_always_vote_alike() {
    // The same member twice is a bloc that always votes alike.
    let votes = shipped::votes().unwrap();
    let c = cohesion(
        &votes,
        &[member("a", "O000172"), member("b", "O000172")],
        &[],
        None,
        None,
    );
    assert!(c.roll_calls > 0);
    assert_eq!(c.rice, Some(1.0));
    assert!(c.members.iter().all(|m| m.with_bloc == Some(1.0)));
    assert!(c.splits.is_empty());
}

#[test]
fn a_bloc_of_one_counts_no_roll_call_but_agrees_with_a_platform_tagged_its_way() {
    // API.md counts a roll call only when two members voted, so a bloc of
    // one has no bloc position (with_bloc null); its platform agreement is 1.0
    // when the tags are the way it voted.
    let votes = shipped::votes().unwrap();
    let tags: Vec<PlatformTag> = ["h10-119.2025", "h3-119.2025"]
        .iter()
        .map(|v| PlatformTag {
            vote_id: v.to_string(),
            position: votes.vote(v, "O000172").unwrap(),
        })
        .collect();
    let c = cohesion(&votes, &[member("aoc", "O000172")], &tags, None, None);
    assert_eq!(c.roll_calls, 0);
    assert_eq!(c.rice, None);
    assert_eq!(c.members[0].with_bloc, None);
    assert_eq!(c.members[0].with_platform, Some(1.0));
}

/// A synthetic set: `calls[i][m]` is member m's position on roll call i.
fn files(calls: &[Vec<u8>], order: &[usize]) -> (String, String) {
    let mut rc = String::from(RC_HEAD);
    let mut pos = String::from(POS_HEAD);
    for &i in order {
        let day = 1 + i % 28;
        rc.push_str(&format!(
            "h{n}-119.2025,h,119,2025,{n},2025-02-{day:02}T10:00:00-05:00,passage,t,q,1/2,Passed,,\n",
            n = i + 1
        ));
        for (m, p) in calls[i].iter().enumerate() {
            let word = ["Yea", "Nay", "Not Voting", "Aye", "No", "Present"][*p as usize % 6];
            pos.push_str(&format!("h{}-119.2025,M{m},D,NY,{word}\n", i + 1));
        }
    }
    (rc, pos)
}

fn bloc(n: usize) -> Vec<BlocMember> {
    (0..n)
        .map(|m| member(&format!("c{m}"), &format!("M{m}")))
        .collect()
}

proptest! {
    #[test]
    fn cohesion_is_invariant_to_the_order_of_import(
        calls in prop::collection::vec(prop::collection::vec(0u8..6, 5), 1..40),
        seed in any::<u64>(),
        split in 0usize..40,
    ) {
        let n = calls.len();
        let order: Vec<usize> = (0..n).collect();
        let mut shuffled = order.clone();
        // A deterministic shuffle from the seed.
        let mut s = seed | 1;
        for i in (1..n).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let (rc, pos) = files(&calls, &order);
        let one = RollCalls::parse(&rc, &pos).unwrap();
        // The shuffled set, imported in two batches.
        let k = split.min(n);
        let (rc1, pos1) = files(&calls, &shuffled[..k]);
        let (rc2, pos2) = files(&calls, &shuffled[k..]);
        let mut two = RollCalls::default();
        two.add("r2", &rc2, "p2", &pos2).unwrap();
        two.add("r1", &rc1, "p1", &pos1).unwrap();
        let tags = vec![PlatformTag { vote_id: "h1-119.2025".into(), position: Vote::Yes }];
        let a = cohesion(&one, &bloc(5), &tags, Some("2025-02-03"), Some("2025-02-20"));
        let b = cohesion(&two, &bloc(5), &tags, Some("2025-02-03"), Some("2025-02-20"));
        prop_assert_eq!(a, b);
    }

    #[test]
    fn rice_is_one_when_every_member_voted_alike(
        sides in prop::collection::vec(any::<bool>(), 1..30),
        size in 2usize..8,
    ) {
        let calls: Vec<Vec<u8>> = sides.iter().map(|y| vec![if *y { 0 } else { 1 }; size]).collect();
        let order: Vec<usize> = (0..calls.len()).collect();
        let (rc, pos) = files(&calls, &order);
        let v = RollCalls::parse(&rc, &pos).unwrap();
        let c = cohesion(&v, &bloc(size), &[], None, None);
        prop_assert_eq!(c.roll_calls as usize, sides.len());
        prop_assert_eq!(c.rice, Some(1.0));
        for m in &c.members {
            prop_assert_eq!(m.with_bloc, Some(1.0));
        }
    }

    #[test]
    fn a_bloc_of_one_who_voted_agrees_fully_with_itself_as_a_platform(
        calls in prop::collection::vec(prop::collection::vec(0u8..6, 1), 1..30),
    ) {
        let order: Vec<usize> = (0..calls.len()).collect();
        let (rc, pos) = files(&calls, &order);
        let v = RollCalls::parse(&rc, &pos).unwrap();
        let tags: Vec<PlatformTag> = v.calls.keys().filter_map(|id| {
            v.vote(id, "M0").map(|p| PlatformTag { vote_id: id.clone(), position: p })
        }).collect();
        let c = cohesion(&v, &bloc(1), &tags, None, None);
        prop_assert_eq!(c.roll_calls, 0);
        prop_assert_eq!(c.members[0].with_platform, (!tags.is_empty()).then_some(1.0));
    }
}
