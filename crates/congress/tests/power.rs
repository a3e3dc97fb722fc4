//! The power calculator on the shipped extract.

use cohort_congress::{power, shipped, Chamber, PowerError, PowerInput, SeatRef};

fn input(chamber: Chamber, wins: u32, party: &str, seats: Vec<SeatRef>) -> PowerInput {
    PowerInput {
        chamber,
        wins,
        bloc_party: party.into(),
        seats,
        allies: 0,
        cycle: 2026,
    }
}

/// The first `n` House seats held by a Republican, as challengers' seats.
fn republican_house_seats(n: usize) -> Vec<SeatRef> {
    let c = shipped::congress().unwrap();
    c.legislators
        .iter()
        .filter(|l| l.chamber == Chamber::House && l.votes() && l.caucus == "Republican")
        .take(n)
        .map(|l| SeatRef {
            candidate: format!("challenger-{}", l.bioguide.to_lowercase()),
            name: format!("Challenger to {}", l.name),
            state: l.state.clone(),
            district: l.district,
        })
        .collect()
}

#[test]
fn flips_move_seats_and_pivotal_follows_the_api_formula() {
    let c = shipped::congress().unwrap();
    let v = shipped::votes().unwrap();
    let before = c.composition(Chamber::House);
    for wins in 1..=15 {
        let p = power(
            &c,
            Some(&v),
            &input(Chamber::House, wins, "Democrat", republican_house_seats(10)),
        )
        .unwrap();
        let flips = wins.min(10);
        assert_eq!(p.party_seats, before.caucus("Democrat") + flips);
        assert_eq!(
            p.after.caucus("Republican"),
            before.caucus("Republican") - flips
        );
        assert_eq!(p.after.members, before.members);
        assert_eq!(p.unnamed_wins, wins - flips);
        assert_eq!(
            p.pivotal,
            p.party_seats >= p.majority_needed && p.party_seats - wins < p.majority_needed
        );
        assert!(p.named_wins.iter().all(|w| w.kind == "flip"));
        assert!(!p.claims.is_empty());
    }
}

#[test]
fn a_majority_party_bloc_is_pivotal_exactly_when_it_exceeds_the_spare_votes() {
    let c = shipped::congress().unwrap();
    let house = c.composition(Chamber::House);
    let spare = house.caucus(&house.majority_party) - house.majority_needed;
    for wins in 1..=15 {
        let p = power(
            &c,
            None,
            &input(Chamber::House, wins, &house.majority_party, vec![]),
        )
        .unwrap();
        assert_eq!(p.pivotal, wins > spare, "wins {wins}, spare {spare}");
        assert_eq!(p.needed_to_block, Some(spare + 1));
        assert_eq!(p.before, p.after, "primary wins change no seat");
    }
}

#[test]
fn the_speaker_election_of_january_2025_is_read_from_the_roll_calls() {
    let c = shipped::congress().unwrap();
    let v = shipped::votes().unwrap();
    let p = power(
        &c,
        Some(&v),
        &input(Chamber::House, 1, "Republican", vec![]),
    )
    .unwrap();
    let s = p.speaker.unwrap();
    assert_eq!(s.vote_id, "h2-119.2025");
    assert_eq!(s.winner, "Johnson (LA)");
    let cast: u32 = s.votes.iter().map(|t| t.votes).sum();
    assert_eq!(s.needed, cast / 2 + 1);
    assert_eq!(s.withheld, 1);
    assert_eq!(s.changed, s.winner_votes - 1 < s.needed);
    assert_eq!(s.elected, None, "no one has a majority on that ballot");
    // Three Democratic flips of seats whose members voted for the winner
    // move three votes to the Democrats' choice.
    let flips: Vec<SeatRef> = [("NY", 17), ("PA", 1), ("CA", 22)]
        .iter()
        .map(|(st, d)| SeatRef {
            candidate: format!("{st}{d}"),
            name: "x".into(),
            state: st.to_string(),
            district: Some(*d),
        })
        .collect();
    let p = power(&c, Some(&v), &input(Chamber::House, 3, "Democrat", flips)).unwrap();
    let s = p.speaker.unwrap();
    assert_eq!(s.withheld, 3);
    let runner_up = &s.votes[1];
    assert_eq!(runner_up.name, "Jeffries");
    let expect = (runner_up.votes + 3 >= s.needed).then(|| "Jeffries".to_string());
    assert_eq!(s.elected, expect);
    assert!(s.changed);
    // Democrats who win primaries take no vote from the Republican winner.
    let p = power(&c, Some(&v), &input(Chamber::House, 5, "Democrat", vec![])).unwrap();
    let s = p.speaker.unwrap();
    assert_eq!((s.withheld, s.changed), (0, false));
    assert_eq!(s.elected.as_deref(), Some("Johnson (LA)"));
}

#[test]
fn senate_ties_cloture_and_blocking_a_nomination() {
    let c = shipped::congress().unwrap();
    let before = c.composition(Chamber::Senate);
    let r = before.caucus("Republican");
    let d = before.caucus("Democrat");
    let flips: Vec<SeatRef> = c
        .legislators
        .iter()
        .filter(|l| l.chamber == Chamber::Senate && l.caucus == "Republican")
        .map(|l| SeatRef {
            candidate: l.state.to_lowercase(),
            name: "x".into(),
            state: l.state.clone(),
            district: None,
        })
        .collect();
    // Enough flips for an even split: the Republican Vice President breaks
    // ties, so the Democrats hold no majority and cannot block alone.
    let even = 50 - d;
    let p = power(
        &c,
        None,
        &input(Chamber::Senate, even, "Democrat", flips.clone()),
    )
    .unwrap();
    assert_eq!(p.party_seats, 50);
    let s = p.senate.clone().unwrap();
    assert!(!s.vice_president_breaks_tie);
    assert_eq!(s.block_nomination, None);
    assert_eq!(s.cloture_short, 10);
    // One more flip: 51 seats; one Democrat voting no makes 50–50, which the
    // Republican Vice President breaks against the nomination.
    let p = power(
        &c,
        None,
        &input(Chamber::Senate, even + 1, "Democrat", flips),
    )
    .unwrap();
    assert_eq!(p.senate.unwrap().block_nomination, Some(1));
    // The Republicans as they sit: a tie is broken for them by their VP.
    let p = power(&c, None, &input(Chamber::Senate, 3, "Republican", vec![])).unwrap();
    let s = p.senate.unwrap();
    assert_eq!(s.block_nomination, Some(r - 50 + 1));
    assert_eq!(s.cloture_short, 60 - r);
}

#[test]
fn committees_need_half_the_majority_margin_to_deny_a_vote() {
    let c = shipped::congress().unwrap();
    let house = c.composition(Chamber::House);
    let p = power(
        &c,
        None,
        &input(Chamber::House, 3, &house.majority_party, vec![]),
    )
    .unwrap();
    assert_eq!(p.committees.len(), c.committees(Chamber::House).count());
    for k in &p.committees {
        let need = k.majority.saturating_sub(k.minority).div_ceil(2);
        assert_eq!(k.needed_to_deny, need, "{}", k.name);
        // A tie fails: `need` majority members voting no leave no majority.
        assert!(k.majority - need <= k.minority + need);
        if need > 0 {
            assert!(k.majority - (need - 1) > k.minority + (need - 1));
        }
    }
    assert!(p
        .committees
        .iter()
        .any(|k| k.chair.is_some() && k.ranking_member.is_some()));
}

#[test]
fn a_primary_winner_would_take_the_incumbents_committee_seats() {
    let c = shipped::congress().unwrap();
    let house = c.composition(Chamber::House);
    let chair = c
        .committees(Chamber::House)
        .find_map(|k| k.titled("Chair"))
        .and_then(|s| c.by_bioguide(&s.bioguide))
        .unwrap();
    let seat = SeatRef {
        candidate: "primary-challenger".into(),
        name: "P".into(),
        state: chair.state.clone(),
        district: chair.district,
    };
    let p = power(
        &c,
        None,
        &input(Chamber::House, 1, &house.majority_party, vec![seat]),
    )
    .unwrap();
    assert_eq!(p.named_wins[0].kind, "primary");
    assert_eq!(
        p.named_wins[0].incumbent.as_deref(),
        Some(chair.name.as_str())
    );
    let on: Vec<_> = p
        .committees
        .iter()
        .filter(|k| !k.bloc_members.is_empty())
        .collect();
    assert!(!on.is_empty());
    for k in on {
        assert_eq!(k.could_deny, k.needed_to_deny <= 1);
    }
}

#[test]
fn bad_wins_or_party_name_the_field() {
    let c = shipped::congress().unwrap();
    let e = power(&c, None, &input(Chamber::House, 0, "Democrat", vec![])).unwrap_err();
    assert!(matches!(e, PowerError::Invalid { field: "wins", .. }));
    let e = power(&c, None, &input(Chamber::Senate, 101, "Democrat", vec![])).unwrap_err();
    assert!(matches!(e, PowerError::Invalid { field: "wins", .. }));
    let e = power(&c, None, &input(Chamber::Senate, 60, "Democrat", vec![])).unwrap_err();
    assert!(matches!(e, PowerError::Invalid { field: "wins", .. }));
    let e = power(&c, None, &input(Chamber::House, 2, "Whig", vec![])).unwrap_err();
    assert!(matches!(e, PowerError::Invalid { field: "party", .. }));
}
