//! What N coordinated wins of a slate's bloc would do in one chamber.
//!
//! Each named win replaces the seat's incumbent: a primary challenge when the
//! incumbent caucuses with the bloc's party (the composition is unchanged), a
//! flip otherwise (one seat moves to the bloc's party), an open seat when it
//! is vacant. Wins beyond the slate's named candidates for the chamber count
//! as further primary wins (composition unchanged).

mod claims;
pub use claims::caucus_name;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::legislators::{Committee, Composition, Congress, Legislator, Side};
use crate::votes::RollCalls;
use crate::Chamber;

/// A slate candidate running for a seat in the chamber.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatRef {
    pub candidate: String,
    pub name: String,
    pub state: String,
    /// House district (0 at-large); ignored for the Senate.
    pub district: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct PowerInput {
    pub chamber: Chamber,
    pub wins: u32,
    pub bloc_party: String,
    /// The slate's candidates for this chamber, in slate order.
    pub seats: Vec<SeatRef>,
    /// Members outside the bloc assumed to vote with it inside the caucus.
    pub allies: u32,
    /// The election year (picks which Senate seat of a state is up).
    pub cycle: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PowerError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
}

/// One named win.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Win {
    pub candidate: String,
    pub name: String,
    pub state: String,
    pub district: Option<u32>,
    /// `primary`, `flip` or `open`.
    pub kind: &'static str,
    pub incumbent: Option<String>,
    pub incumbent_party: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaucusPower {
    pub party_seats: u32,
    pub bloc: u32,
    pub allies: u32,
    /// Bloc share of the caucus, in percent (rounded down).
    pub bloc_percent: u32,
    pub caucus_majority: u32,
    /// Members still missing for a caucus majority with the allies.
    pub short_of_caucus_majority: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitteePower {
    pub id: String,
    pub name: String,
    pub majority: u32,
    pub minority: u32,
    pub chair: Option<String>,
    pub ranking_member: Option<String>,
    /// Majority-side members who must vote no to defeat a party-line vote
    /// (a tie fails): ceil((majority − minority) / 2).
    pub needed_to_deny: u32,
    /// Bloc winners who would take over an incumbent's seat here (their
    /// primary opponent sits on it).
    pub bloc_members: Vec<String>,
    /// The bloc's party holds this committee's majority side.
    pub bloc_party_holds_majority: bool,
    pub could_deny: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpeakerTally {
    pub name: String,
    pub votes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Speaker {
    pub vote_id: String,
    pub date: String,
    pub winner: String,
    pub winner_votes: u32,
    pub votes: Vec<SpeakerTally>,
    /// A majority of the votes cast for a person.
    pub needed: u32,
    /// Votes the N wins would have taken from the winner.
    pub withheld: u32,
    /// Who would have had a majority on that ballot after the wins (none:
    /// another ballot).
    pub elected: Option<String>,
    pub changed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SenateFacts {
    pub vice_president_party: String,
    /// 50 seats and the Vice President of the party breaks ties.
    pub vice_president_breaks_tie: bool,
    pub cloture: u32,
    /// Votes the party needs from outside it to invoke cloture.
    pub cloture_short: u32,
    /// The party's senators who, voting no, defeat a party-line nomination
    /// (`None` when the party cannot confirm on its own anyway).
    pub block_nomination: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Power {
    pub chamber: Chamber,
    pub wins: u32,
    pub bloc_party: String,
    pub party_seats: u32,
    pub majority_needed: u32,
    /// `party_seats >= majority_needed and party_seats - wins < majority_needed`.
    pub pivotal: bool,
    /// Seats the party can lose on a party-line vote (negative: short).
    pub votes_to_spare: i64,
    /// Bloc members who, voting no, defeat a party-line vote (when the party
    /// has the majority).
    pub needed_to_block: Option<u32>,
    pub before: Composition,
    pub after: Composition,
    pub named_wins: Vec<Win>,
    pub unnamed_wins: u32,
    pub caucus: CaucusPower,
    pub committees: Vec<CommitteePower>,
    pub speaker: Option<Speaker>,
    pub senate: Option<SenateFacts>,
    /// Each finding in a sentence a voter understands.
    pub claims: Vec<String>,
}

fn invalid(field: &'static str, message: impl Into<String>) -> PowerError {
    PowerError::Invalid {
        field,
        message: message.into(),
    }
}

/// The Senate class whose seats are up in `cycle` (2026: class 2).
fn class_up(cycle: i32) -> u32 {
    (cycle - 2018).rem_euclid(6) as u32 / 2 + 1
}

fn incumbent<'a>(
    congress: &'a Congress,
    input: &PowerInput,
    seat: &SeatRef,
    taken: &[&str],
) -> Option<&'a Legislator> {
    let mut here: Vec<&Legislator> = congress
        .legislators
        .iter()
        .filter(|l| l.chamber == input.chamber && l.votes() && l.state == seat.state)
        .filter(|l| {
            input.chamber == Chamber::Senate || l.district == Some(seat.district.unwrap_or(0))
        })
        .filter(|l| !taken.contains(&l.bioguide.as_str()))
        .collect();
    let up = class_up(input.cycle);
    here.sort_by_key(|l| (l.class != Some(up), l.bioguide.clone()));
    here.first().copied()
}

/// What `input.wins` wins of the bloc would do.
pub fn power(
    congress: &Congress,
    votes: Option<&RollCalls>,
    input: &PowerInput,
) -> Result<Power, PowerError> {
    let before = congress.composition(input.chamber);
    if input.wins == 0 || input.wins > before.seats {
        return Err(invalid(
            "wins",
            format!("wins must be a whole number from 1 to {}", before.seats),
        ));
    }
    if !before.caucuses.contains_key(&input.bloc_party) {
        return Err(invalid(
            "party",
            format!(
                "no caucus named {:?} sits in the {}",
                input.bloc_party, input.chamber
            ),
        ));
    }
    let mut after = before.clone();
    let mut named = Vec::new();
    let mut taken: Vec<&str> = Vec::new();
    let mut replaced: Vec<&Legislator> = Vec::new();
    for seat in input.seats.iter().take(input.wins as usize) {
        let inc = incumbent(congress, input, seat, &taken);
        let kind = match inc {
            None => {
                *after.parties.entry(input.bloc_party.clone()).or_default() += 1;
                *after.caucuses.entry(input.bloc_party.clone()).or_default() += 1;
                "open"
            }
            Some(l) if l.caucus == input.bloc_party => "primary",
            Some(l) => {
                *after.parties.entry(l.party.clone()).or_default() -= 1;
                *after.caucuses.entry(l.caucus.clone()).or_default() -= 1;
                *after.parties.entry(input.bloc_party.clone()).or_default() += 1;
                *after.caucuses.entry(input.bloc_party.clone()).or_default() += 1;
                "flip"
            }
        };
        if let Some(l) = inc {
            taken.push(&l.bioguide);
            replaced.push(l);
        }
        named.push(Win {
            candidate: seat.candidate.clone(),
            name: seat.name.clone(),
            state: seat.state.clone(),
            district: (input.chamber == Chamber::House).then(|| seat.district.unwrap_or(0)),
            kind,
            incumbent: inc.map(|l| l.name.clone()),
            incumbent_party: inc.map(|l| l.party.clone()),
        });
    }
    after.parties.retain(|_, n| *n > 0);
    after.caucuses.retain(|_, n| *n > 0);
    after.independents.retain(|i| {
        !replaced
            .iter()
            .any(|l| l.name == i.name && l.state == i.state)
    });
    after.settle();
    let unnamed = input.wins - named.len() as u32;
    let party_seats = after.caucus(&input.bloc_party);
    if input.wins > party_seats {
        return Err(invalid(
            "wins",
            format!(
                "{} wins is more than the {} seats the {} caucus would hold",
                input.wins, party_seats, input.bloc_party
            ),
        ));
    }
    let need = after.majority_needed;
    let pivotal = party_seats >= need && party_seats - input.wins < need;
    let spare = i64::from(party_seats) - i64::from(need);
    let needed_to_block = (spare >= 0).then(|| spare as u32 + 1);

    let caucus_majority = party_seats / 2 + 1;
    let caucus = CaucusPower {
        party_seats,
        bloc: input.wins,
        allies: input.allies,
        bloc_percent: input.wins * 100 / party_seats,
        caucus_majority,
        short_of_caucus_majority: caucus_majority.saturating_sub(input.wins + input.allies),
    };

    let majority_party = &before.majority_party;
    let committees = congress
        .committees(input.chamber)
        .map(|c| {
            committee_power(
                c,
                congress,
                &input.bloc_party,
                majority_party,
                &named,
                &replaced,
            )
        })
        .collect();

    let speaker = match (input.chamber, votes) {
        (Chamber::House, Some(v)) => speaker(v, input, &replaced, &named),
        _ => None,
    };

    let senate = (input.chamber == Chamber::Senate).then(|| {
        let vp = congress.vice_president_party.clone();
        let tie = party_seats * 2 == after.members && vp == input.bloc_party;
        let others = after.members - party_seats;
        let passes = |yes: u32, no: u32| yes > no || (yes == no && tie_ok(&vp, &input.bloc_party));
        let block = passes(party_seats, others).then(|| {
            (1..=party_seats)
                .find(|k| !passes(party_seats - k, others + k))
                .unwrap_or(party_seats)
        });
        SenateFacts {
            vice_president_party: vp.clone(),
            vice_president_breaks_tie: tie,
            cloture: 60,
            cloture_short: 60u32.saturating_sub(party_seats),
            block_nomination: block,
        }
    });

    let mut p = Power {
        chamber: input.chamber,
        wins: input.wins,
        bloc_party: input.bloc_party.clone(),
        party_seats,
        majority_needed: need,
        pivotal,
        votes_to_spare: spare,
        needed_to_block,
        before,
        after,
        named_wins: named,
        unnamed_wins: unnamed,
        caucus,
        committees,
        speaker,
        senate,
        claims: Vec::new(),
    };
    p.claims = claims::claims(&p);
    Ok(p)
}

fn tie_ok(vp: &str, party: &str) -> bool {
    vp == party
}

fn committee_power(
    c: &Committee,
    congress: &Congress,
    bloc_party: &str,
    majority_party: &str,
    named: &[Win],
    replaced: &[&Legislator],
) -> CommitteePower {
    let (maj, min) = (c.count(Side::Majority), c.count(Side::Minority));
    let name_of = |s: Option<&crate::CommitteeSeat>| {
        s.map(|s| {
            congress
                .by_bioguide(&s.bioguide)
                .map_or(s.bioguide.clone(), |l| l.name.clone())
        })
    };
    let bloc_members: Vec<String> = named
        .iter()
        .filter(|w| w.kind == "primary")
        .filter_map(|w| {
            let l = replaced
                .iter()
                .find(|l| Some(&l.name) == w.incumbent.as_ref())?;
            c.seats
                .iter()
                .any(|s| s.bioguide == l.bioguide)
                .then(|| w.candidate.clone())
        })
        .collect();
    let needed = maj.saturating_sub(min).div_ceil(2);
    let holds = bloc_party == majority_party;
    CommitteePower {
        id: c.id.clone(),
        name: c.name.clone(),
        majority: maj,
        minority: min,
        chair: name_of(c.titled("Chair")),
        ranking_member: name_of(c.titled("Ranking Member")),
        needed_to_deny: needed,
        could_deny: holds && bloc_members.len() as u32 >= needed.max(1),
        bloc_members,
        bloc_party_holds_majority: holds,
    }
}

fn speaker(
    v: &RollCalls,
    input: &PowerInput,
    replaced: &[&Legislator],
    named: &[Win],
) -> Option<Speaker> {
    let call = v.last_speaker_election()?;
    let positions = v.positions.get(&call.vote_id)?;
    let mut tally: BTreeMap<&str, u32> = BTreeMap::new();
    for p in positions.values() {
        if !matches!(p.position.as_str(), "Present" | "Not Voting" | "") {
            *tally.entry(p.position.as_str()).or_default() += 1;
        }
    }
    let mut votes: Vec<SpeakerTally> = tally
        .iter()
        .map(|(n, v)| SpeakerTally {
            name: n.to_string(),
            votes: *v,
        })
        .collect();
    votes.sort_by(|a, b| b.votes.cmp(&a.votes).then(a.name.cmp(&b.name)));
    let winner = votes.first()?.clone();
    let cast: u32 = votes.iter().map(|t| t.votes).sum();
    let needed = cast / 2 + 1;
    // The party whose members elected the winner.
    let mut by_party: BTreeMap<&str, u32> = BTreeMap::new();
    for p in positions.values().filter(|p| p.position == winner.name) {
        *by_party.entry(p.party.as_str()).or_default() += 1;
    }
    let winner_party = by_party
        .iter()
        .max_by_key(|e| *e.1)
        .map(|e| *e.0)
        .unwrap_or("");
    let bloc_initial = input.bloc_party.get(..1).unwrap_or("");
    let withheld = if winner_party == bloc_initial {
        input.wins.min(winner.votes)
    } else {
        // Only flipped seats whose incumbent voted for the winner move votes.
        named
            .iter()
            .filter(|w| w.kind == "flip")
            .filter(|w| {
                replaced.iter().any(|l| {
                    Some(&l.name) == w.incumbent.as_ref()
                        && positions
                            .get(&l.bioguide)
                            .is_some_and(|p| p.position == winner.name)
                })
            })
            .count() as u32
    };
    // A flipped seat's vote goes to the name the bloc's party voted for most;
    // a withheld vote goes to someone else (the votes cast stay the same).
    let mut bloc_choice: BTreeMap<&str, u32> = BTreeMap::new();
    for p in positions.values().filter(|p| p.party == bloc_initial) {
        if votes.iter().any(|t| t.name == p.position) {
            *bloc_choice.entry(p.position.as_str()).or_default() += 1;
        }
    }
    let gainer = bloc_choice
        .iter()
        .max_by_key(|e| *e.1)
        .map(|e| e.0.to_string())
        .filter(|g| *g != winner.name && winner_party != bloc_initial);
    let after: Vec<SpeakerTally> = votes
        .iter()
        .map(|t| SpeakerTally {
            name: t.name.clone(),
            votes: if t.name == winner.name {
                t.votes.saturating_sub(withheld)
            } else if Some(&t.name) == gainer.as_ref() {
                t.votes + withheld
            } else {
                t.votes
            },
        })
        .collect();
    let elected = after
        .iter()
        .find(|t| t.votes >= needed)
        .map(|t| t.name.clone());
    Some(Speaker {
        vote_id: call.vote_id.clone(),
        date: call.date.clone(),
        winner: winner.name.clone(),
        winner_votes: winner.votes,
        needed,
        withheld,
        changed: elected.as_deref() != Some(winner.name.as_str()),
        elected,
        votes,
    })
}
