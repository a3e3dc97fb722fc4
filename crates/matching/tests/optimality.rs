//! The matcher against exhaustive search, its own dual certificate, and
//! itself with the rows shuffled.

use cohort_matching::{assign, score, Level, Matching, Need, UtcOffset, Volunteer};
use proptest::prelude::*;

const SKILLS: &[&str] = &["copywriting", "data-analysis", "front-end"];
const STATES: &[&str] = &["CA", "PA", "NY"];
const OFFSETS: &[i32] = &[-8, -5, -4, 0, 1];

fn volunteer(
    id: usize,
    skills: &[(usize, u8)],
    hours: u32,
    weeks: u32,
    off: i32,
    st: usize,
    remote: bool,
) -> Volunteer {
    let mut list: Vec<(String, Level)> = Vec::new();
    for &(s, l) in skills {
        if !list.iter().any(|(n, _)| n == SKILLS[s]) {
            list.push((SKILLS[s].into(), Level::new(l).unwrap()));
        }
    }
    Volunteer {
        id: format!("v{id}"),
        skills: list,
        hours_per_week: hours,
        weeks,
        utc_offset: UtcOffset::from_hours(off).unwrap(),
        state: STATES[st].into(),
        remote,
        languages: vec![],
        can_mentor: false,
        past_teams: vec![],
    }
}

#[allow(clippy::too_many_arguments)]
fn need(
    id: usize,
    skill: usize,
    min: u8,
    hours: u32,
    weeks: u32,
    off: i32,
    st: usize,
    remote_ok: bool,
    priority: u32,
) -> Need {
    Need {
        id: format!("n{id}"),
        campaign: "c".into(),
        role: "r".into(),
        skill: SKILLS[skill].into(),
        min_level: Level::new(min).unwrap(),
        hours_per_week: hours,
        weeks,
        utc_offset: UtcOffset::from_hours(off).unwrap(),
        state: STATES[st].into(),
        remote_ok,
        priority,
    }
}

fn volunteers(max: usize) -> impl Strategy<Value = Vec<Volunteer>> {
    prop::collection::vec(
        (
            prop::collection::vec((0..SKILLS.len(), 1u8..=3), 0..3),
            prop::sample::select(vec![2u32, 5, 10]),
            prop::sample::select(vec![4u32, 8, 12]),
            prop::sample::select(OFFSETS.to_vec()),
            0..STATES.len(),
            any::<bool>(),
        ),
        0..=max,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (sk, h, w, o, s, r))| volunteer(i, &sk, h, w, o, s, r))
            .collect()
    })
}

fn needs(max: usize) -> impl Strategy<Value = Vec<Need>> {
    prop::collection::vec(
        (
            0..SKILLS.len(),
            1u8..=3,
            prop::sample::select(vec![2u32, 5, 10]),
            prop::sample::select(vec![4u32, 8, 12]),
            prop::sample::select(OFFSETS.to_vec()),
            0..STATES.len(),
            any::<bool>(),
            // Small priorities make many ties; large ones, many distinct scores.
            prop_oneof![1u32..=4, 1u32..=1_000_000],
        ),
        0..=max,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (sk, m, h, w, o, s, r, p))| need(i, sk, m, h, w, o, s, r, p))
            .collect()
    })
}

/// The best total score over every assignment, by exhaustive search.
fn brute_force(vs: &[Volunteer], ns: &[Need]) -> u64 {
    fn go(i: usize, used: &mut Vec<bool>, vs: &[Volunteer], ns: &[Need]) -> u64 {
        if i == ns.len() {
            return 0;
        }
        let mut best = go(i + 1, used, vs, ns); // leave need i unfilled
        for j in 0..vs.len() {
            if used[j] {
                continue;
            }
            if let Some(s) = score(&vs[j], &ns[i]) {
                used[j] = true;
                best = best.max(s + go(i + 1, used, vs, ns));
                used[j] = false;
            }
        }
        best
    }
    go(0, &mut vec![false; vs.len()], vs, ns)
}

/// Feasibility, scores and at-most-one, checked independently of the solver.
fn check_assignment(m: &Matching, vs: &[Volunteer], ns: &[Need]) {
    let mut vol_used = vec![false; vs.len()];
    let mut need_used = vec![false; ns.len()];
    let mut total = 0;
    for p in &m.pairs {
        assert_eq!(
            score(&vs[p.volunteer], &ns[p.need]),
            Some(p.score),
            "infeasible or misscored pair"
        );
        assert!(
            !std::mem::replace(&mut vol_used[p.volunteer], true),
            "volunteer used twice"
        );
        assert!(
            !std::mem::replace(&mut need_used[p.need], true),
            "need filled twice"
        );
        total += p.score;
    }
    assert_eq!(total, m.total_score);
    assert_eq!(m.filled() + m.unfilled(), ns.len());
}

/// The assignment as (need id, volunteer id) pairs, sorted.
fn by_ids(m: &Matching, vs: &[Volunteer], ns: &[Need]) -> Vec<(String, String)> {
    let mut out: Vec<_> = m
        .pairs
        .iter()
        .map(|p| (ns[p.need].id.clone(), vs[p.volunteer].id.clone()))
        .collect();
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn the_total_is_the_exhaustive_maximum(vs in volunteers(7), ns in needs(6)) {
        let m = assign(&vs, &ns);
        check_assignment(&m, &vs, &ns);
        prop_assert_eq!(m.total_score, brute_force(&vs, &ns));
        prop_assert_eq!(m.check_optimality(&vs, &ns), Ok(()));
    }

    #[test]
    fn row_order_does_not_change_the_answer(vs in volunteers(12), ns in needs(10), seed in any::<u64>()) {
        let m = assign(&vs, &ns);
        let (mut vs2, mut ns2) = (vs.clone(), ns.clone());
        shuffle(&mut vs2, seed);
        shuffle(&mut ns2, seed.rotate_left(17));
        let m2 = assign(&vs2, &ns2);
        prop_assert_eq!(by_ids(&m, &vs, &ns), by_ids(&m2, &vs2, &ns2));
        prop_assert_eq!(m.check_optimality(&vs, &ns), Ok(()));
    }
}

fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut rng = Rng(seed | 1);
    for i in (1..items.len()).rev() {
        items.swap(i, rng.below(i as u64 + 1) as usize);
    }
}

/// xorshift64*: a deterministic generator for the larger instances.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn greedy_by_id_would_lose_a_role_and_the_matcher_does_not() {
    // n0 can take v0 or v1; n1 only v0. Taking v0 for n0 first fills one role.
    let vs = vec![
        volunteer(0, &[(0, 2)], 10, 12, -5, 1, true),
        volunteer(1, &[(0, 2)], 10, 12, -5, 1, false),
    ];
    let ns = vec![
        need(0, 0, 1, 5, 4, -5, 1, false, 2),
        need(1, 0, 1, 5, 4, -8, 0, true, 2),
    ];
    let m = assign(&vs, &ns);
    assert_eq!(
        by_ids(&m, &vs, &ns),
        [("n0".into(), "v1".into()), ("n1".into(), "v0".into())]
    );
    assert_eq!(m.total_score, 8);
}

#[test]
fn a_higher_priority_role_outbids_and_ties_go_to_the_lower_id() {
    // One expert, two roles; the priority-3 role scores 3×2 with them, the other 1×3.
    let vs = vec![
        volunteer(2, &[(1, 3)], 10, 12, -5, 1, true),
        volunteer(10, &[(1, 3)], 10, 12, -5, 1, true),
    ];
    let ns = vec![
        need(0, 1, 2, 5, 4, -5, 1, true, 3),
        need(1, 1, 1, 5, 4, -5, 1, true, 1),
    ];
    let m = assign(&vs[..1], &ns);
    assert_eq!(by_ids(&m, &vs[..1], &ns), [("n0".into(), "v2".into())]);
    // Two interchangeable experts, one role: the lower id wins. Ids that are
    // not whole numbers compare byte-wise, so "v10" comes before "v2".
    let m = assign(&vs, &ns[..1]);
    assert_eq!(by_ids(&m, &vs, &ns[..1]), [("n0".into(), "v10".into())]);
}

#[test]
fn larger_random_instances_carry_a_valid_optimality_certificate() {
    for seed in 1..=6u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let vs: Vec<Volunteer> = (0..1500)
            .map(|i| {
                let k = 1 + rng.below(2) as usize;
                let skills: Vec<(usize, u8)> = (0..k)
                    .map(|_| (rng.below(3) as usize, 1 + rng.below(3) as u8))
                    .collect();
                volunteer(
                    i,
                    &skills,
                    [2, 5, 10][rng.below(3) as usize],
                    [4, 8, 12][rng.below(3) as usize],
                    OFFSETS[rng.below(5) as usize],
                    rng.below(3) as usize,
                    rng.below(3) > 0,
                )
            })
            .collect();
        let ns: Vec<Need> = (0..(300 + 200 * seed as usize))
            .map(|i| {
                need(
                    i,
                    rng.below(3) as usize,
                    1 + rng.below(3) as u8,
                    [2, 5, 10][rng.below(3) as usize],
                    [4, 8, 12][rng.below(3) as usize],
                    OFFSETS[rng.below(5) as usize],
                    rng.below(3) as usize,
                    rng.below(4) > 0,
                    1 + rng.below(5) as u32,
                )
            })
            .collect();
        let m = assign(&vs, &ns);
        check_assignment(&m, &vs, &ns);
        assert_eq!(m.check_optimality(&vs, &ns), Ok(()), "seed {seed}");
        assert!(m.filled() > 0);
    }
}
