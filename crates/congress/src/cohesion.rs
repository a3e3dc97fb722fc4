//! Whether the bloc holds: exactly API.md "Roll calls and cohesion".
//!
//! Members are the slate's candidates with a member id. A roll call is
//! *counted* when at least two members voted yes or no; `rice` is the mean
//! over counted roll calls of |yes − no| / (yes + no); the *bloc position*
//! is the side with more members (a tie has none); a member's `votes` is the
//! number of counted roll calls with a bloc position on which they voted,
//! `with_bloc` the share of those where they voted with it; `with_platform`
//! the share of tagged roll calls they voted on where their vote equals the
//! tagged position. Dates are inclusive on the roll call's date.
//!
//! Roll calls are visited in vote-id order, so every figure (including the
//! floating-point sum behind `rice`) is the same whatever order they were
//! imported in.

use serde::Serialize;

use crate::votes::{RollCalls, Vote};

/// A bloc member: the candidate's slug and the member id they hold
/// (bioguide for the House, LIS for the Senate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlocMember {
    pub candidate: String,
    pub member_id: String,
}

/// A roll call tagged with the platform's side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformTag {
    pub vote_id: String,
    pub position: Vote,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberCohesion {
    pub candidate: String,
    pub votes: u32,
    pub with_bloc: Option<f64>,
    pub with_platform: Option<f64>,
}

/// A counted roll call where the bloc split.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Split {
    pub vote_id: String,
    pub date: String,
    pub question: String,
    pub yes: u32,
    pub no: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cohesion {
    pub roll_calls: u32,
    /// `None` when no roll call is counted.
    pub rice: Option<f64>,
    pub members: Vec<MemberCohesion>,
    pub splits: Vec<Split>,
}

fn share(n: u32, of: u32) -> Option<f64> {
    (of > 0).then(|| f64::from(n) / f64::from(of))
}

/// The bloc's cohesion over `from..=to` (either end open when `None`).
pub fn cohesion(
    votes: &RollCalls,
    members: &[BlocMember],
    tags: &[PlatformTag],
    from: Option<&str>,
    to: Option<&str>,
) -> Cohesion {
    let in_range = |vote_id: &str| {
        votes.calls.get(vote_id).is_some_and(|c| {
            from.is_none_or(|f| c.date.as_str() >= f) && to.is_none_or(|t| c.date.as_str() <= t)
        })
    };
    let mut rice_sum = 0.0;
    let mut roll_calls = 0u32;
    let mut agree = vec![(0u32, 0u32); members.len()];
    let mut splits = Vec::new();
    for (vote_id, call) in &votes.calls {
        if !in_range(vote_id) {
            continue;
        }
        let Some(ps) = votes.positions.get(vote_id) else {
            continue;
        };
        let cast: Vec<Option<Vote>> = members
            .iter()
            .map(|m| ps.get(&m.member_id).and_then(|p| Vote::of(&p.position)))
            .collect();
        let yes = cast.iter().filter(|v| **v == Some(Vote::Yes)).count() as u32;
        let no = cast.iter().filter(|v| **v == Some(Vote::No)).count() as u32;
        if yes + no < 2 {
            continue;
        }
        roll_calls += 1;
        rice_sum += f64::from(yes.abs_diff(no)) / f64::from(yes + no);
        if yes > 0 && no > 0 {
            splits.push(Split {
                vote_id: vote_id.clone(),
                date: call.date.clone(),
                question: call.question.clone(),
                yes,
                no,
            });
        }
        let bloc = match yes.cmp(&no) {
            std::cmp::Ordering::Greater => Vote::Yes,
            std::cmp::Ordering::Less => Vote::No,
            std::cmp::Ordering::Equal => continue,
        };
        for (a, v) in agree.iter_mut().zip(&cast) {
            if let Some(v) = v {
                a.1 += 1;
                a.0 += u32::from(*v == bloc);
            }
        }
    }
    let mut tagged: Vec<&PlatformTag> = tags.iter().filter(|t| in_range(&t.vote_id)).collect();
    tagged.sort_by(|a, b| (&a.vote_id, a.position as u8).cmp(&(&b.vote_id, b.position as u8)));
    tagged.dedup();
    let members = members
        .iter()
        .zip(agree)
        .map(|(m, (with, of))| {
            let (mut hit, mut seen) = (0, 0);
            for t in &tagged {
                if let Some(v) = votes.vote(&t.vote_id, &m.member_id) {
                    seen += 1;
                    hit += u32::from(v == t.position);
                }
            }
            MemberCohesion {
                candidate: m.candidate.clone(),
                votes: of,
                with_bloc: share(with, of),
                with_platform: share(hit, seen),
            }
        })
        .collect();
    Cohesion {
        roll_calls,
        rice: (roll_calls > 0).then(|| rice_sum / f64::from(roll_calls)),
        members,
        splits,
    }
}
