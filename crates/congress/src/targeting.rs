//! Whom to challenge: a party's sitting members in one chamber, ranked by
//! how often they voted against the platform on tagged roll calls and
//! against their own party's majority, with seniority, committee leadership
//! and whether a slate already has a challenger for the seat.

use std::collections::HashMap;

use serde::Serialize;

use crate::cohesion::PlatformTag;
use crate::legislators::{Congress, Legislator};
use crate::power::SeatRef;
use crate::votes::{RollCalls, Vote};
use crate::Chamber;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    pub bioguide: String,
    pub member_id: String,
    pub name: String,
    pub state: String,
    pub district: Option<u32>,
    pub serving_since: String,
    /// "Chair, House Committee on …", "Ranking Member, …".
    pub roles: Vec<String>,
    /// Tagged roll calls they voted yes or no on.
    pub tagged_votes: u32,
    /// The tagged roll calls where their vote was not the platform's.
    pub against_platform: Vec<String>,
    /// Roll calls with a party-majority side that they voted yes or no on.
    pub party_votes: u32,
    pub against_party: u32,
    pub against_party_share: Option<f64>,
    /// The slate candidate already challenging this seat, if any.
    pub challenger: Option<String>,
}

/// The member id a chamber's roll calls use for `l`.
fn member_id(l: &Legislator) -> Option<&str> {
    match l.chamber {
        Chamber::House => Some(&l.bioguide),
        Chamber::Senate => l.lis.as_deref(),
    }
}

/// Rank `party`'s members of `chamber` (by caucus): most votes against the
/// platform first, then the highest share against their party, then id.
pub fn targets(
    congress: &Congress,
    votes: &RollCalls,
    chamber: Chamber,
    party: &str,
    tags: &[PlatformTag],
    challengers: &[SeatRef],
) -> Vec<Target> {
    let caucus_of: HashMap<&str, &str> = congress
        .legislators
        .iter()
        .filter(|l| l.chamber == chamber)
        .filter_map(|l| Some((member_id(l)?, l.caucus.as_str())))
        .collect();
    // Each member's votes against the party majority, in one pass.
    let mut against: HashMap<&str, (u32, u32)> = HashMap::new();
    for (vote_id, call) in &votes.calls {
        if call.chamber != chamber {
            continue;
        }
        let Some(ps) = votes.positions.get(vote_id) else {
            continue;
        };
        let (mut yes, mut no) = (0u32, 0u32);
        let mut cast = Vec::with_capacity(ps.len());
        for (m, p) in ps {
            if caucus_of.get(m.as_str()) != Some(&party) {
                continue;
            }
            match Vote::of(&p.position) {
                Some(Vote::Yes) => yes += 1,
                Some(Vote::No) => no += 1,
                None => continue,
            }
            cast.push((m.as_str(), Vote::of(&p.position)));
        }
        let side = match yes.cmp(&no) {
            std::cmp::Ordering::Greater => Vote::Yes,
            std::cmp::Ordering::Less => Vote::No,
            std::cmp::Ordering::Equal => continue,
        };
        for (m, v) in cast {
            let e = against.entry(m).or_default();
            e.1 += 1;
            e.0 += u32::from(v != Some(side));
        }
    }
    // Committee leadership by member.
    let mut roles: HashMap<&str, Vec<String>> = HashMap::new();
    for c in congress.committees(chamber) {
        for s in &c.seats {
            if let Some(t) = s
                .title
                .as_ref()
                .filter(|t| t.starts_with("Chair") || t.starts_with("Ranking"))
            {
                roles
                    .entry(s.bioguide.as_str())
                    .or_default()
                    .push(format!("{t}, {}", c.name));
            }
        }
    }
    let mut tagged: Vec<&PlatformTag> = tags.iter().collect();
    tagged.sort_by(|a, b| a.vote_id.cmp(&b.vote_id));
    let mut out: Vec<Target> = congress
        .legislators
        .iter()
        .filter(|l| l.chamber == chamber && l.votes() && l.caucus == party)
        .filter_map(|l| {
            let id = member_id(l)?;
            let mut tagged_votes = 0;
            let mut against_platform = Vec::new();
            for t in &tagged {
                if let Some(v) = votes.vote(&t.vote_id, id) {
                    tagged_votes += 1;
                    if v != t.position && against_platform.last() != Some(&t.vote_id) {
                        against_platform.push(t.vote_id.clone());
                    }
                }
            }
            let (a, n) = against.get(id).copied().unwrap_or((0, 0));
            let roles = roles.get(l.bioguide.as_str()).cloned().unwrap_or_default();
            let challenger = challengers
                .iter()
                .find(|s| {
                    s.state == l.state
                        && (chamber == Chamber::Senate
                            || s.district.unwrap_or(0) == l.district.unwrap_or(0))
                })
                .map(|s| s.candidate.clone());
            Some(Target {
                bioguide: l.bioguide.clone(),
                member_id: id.to_string(),
                name: l.name.clone(),
                state: l.state.clone(),
                district: l.district,
                serving_since: l.serving_since.clone(),
                roles,
                tagged_votes,
                against_platform,
                party_votes: n,
                against_party: a,
                against_party_share: (n > 0).then(|| f64::from(a) / f64::from(n)),
                challenger,
            })
        })
        .collect();
    out.sort_by(|x, y| {
        y.against_platform
            .len()
            .cmp(&x.against_platform.len())
            .then(
                y.against_party_share
                    .unwrap_or(0.0)
                    .total_cmp(&x.against_party_share.unwrap_or(0.0)),
            )
            .then(x.bioguide.cmp(&y.bioguide))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shipped;

    #[test]
    fn ranks_members_against_the_platform_first_and_counts_party_breaks() {
        let c = shipped::congress().unwrap();
        let v = shipped::votes().unwrap();
        // The platform: the way most House Democrats voted on the rules
        // package's previous question (h3-119.2025) — no.
        let tags = [PlatformTag {
            vote_id: "h3-119.2025".into(),
            position: Vote::No,
        }];
        let t = targets(&c, &v, Chamber::House, "Republican", &tags, &[]);
        assert!(t.len() > 200);
        // Every Republican who voted on it voted against this platform.
        let voted = t.iter().filter(|x| x.tagged_votes == 1).count();
        assert_eq!(
            t.iter().filter(|x| x.against_platform.len() == 1).count(),
            voted
        );
        // Ranked: against the platform first, then by the share against party.
        for w in t.windows(2) {
            assert!(w[0].against_platform.len() >= w[1].against_platform.len());
            if w[0].against_platform.len() == w[1].against_platform.len() {
                assert!(
                    w[0].against_party_share.unwrap_or(0.0)
                        >= w[1].against_party_share.unwrap_or(0.0)
                );
            }
        }
        // Recount one member's party breaks by hand.
        let m = &t[0];
        let (mut a, mut n) = (0, 0);
        for (id, call) in &v.calls {
            if call.chamber != Chamber::House {
                continue;
            }
            let (mut yes, mut no) = (0, 0);
            for (mid, p) in &v.positions[id] {
                if c.by_bioguide(mid).is_some_and(|l| l.caucus == "Republican") {
                    match Vote::of(&p.position) {
                        Some(Vote::Yes) => yes += 1,
                        Some(Vote::No) => no += 1,
                        None => {}
                    }
                }
            }
            if yes == no {
                continue;
            }
            if let Some(mine) = v.vote(id, &m.bioguide) {
                n += 1;
                a += u32::from((mine == Vote::Yes) != (yes > no));
            }
        }
        assert_eq!((m.against_party, m.party_votes), (a, n));
        assert!(t
            .iter()
            .any(|x| x.roles.iter().any(|r| r.starts_with("Chair"))));
    }
}
