//! Why a role stayed unfilled, in words an organizer can act on.

use std::collections::HashMap;
use std::fmt;

use crate::model::{within_offset, Level, Need, UtcOffset, Volunteer};
use crate::solve::Matching;
use crate::taxonomy::Taxonomy;

/// The reason one role is unfilled. The first requirement (in the order
/// skill, level, hours, weeks, time zone, place) that no volunteer meets is
/// named; `qualified` counts volunteers who met every requirement before it.
/// `person` is the taxonomy's word for someone with the skill ("data analyst").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unfilled {
    NoSkill {
        person: String,
    },
    BelowLevel {
        person: String,
        min_level: Level,
        qualified: usize,
    },
    TooFewHours {
        person: String,
        min_level: Level,
        hours: u32,
        qualified: usize,
    },
    TooFewWeeks {
        person: String,
        min_level: Level,
        weeks: u32,
        qualified: usize,
    },
    TimeZone {
        person: String,
        offset: UtcOffset,
        qualified: usize,
    },
    Place {
        person: String,
        offset: UtcOffset,
        state: String,
        remote_ok: bool,
        qualified: usize,
    },
    /// Feasible volunteers exist, but the optimal assignment places all of
    /// them elsewhere (an optimal assignment never leaves a feasible pair
    /// with both sides free).
    Outscored {
        feasible: usize,
    },
}

impl fmt::Display for Unfilled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unfilled::NoSkill { person } => write!(f, "no {person} among the volunteers"),
            Unfilled::BelowLevel {
                person,
                min_level,
                qualified,
            } => write!(
                f,
                "no {person} at level {} ({}) or above; {qualified} at a lower level",
                min_level.get(),
                min_level.word()
            ),
            Unfilled::TooFewHours {
                person,
                min_level,
                hours,
                qualified,
            } => write!(
                f,
                "no {person} at level {}+ can give {hours} hours a week ({qualified} at that level {} fewer)",
                min_level.get(),
                verb(*qualified, "offers", "offer")
            ),
            Unfilled::TooFewWeeks {
                person,
                min_level,
                weeks,
                qualified,
            } => write!(
                f,
                "no {person} at level {}+ with the hours is available for {weeks} weeks ({qualified} {} fewer)",
                min_level.get(),
                verb(*qualified, "offers", "offer")
            ),
            Unfilled::TimeZone {
                person,
                offset,
                qualified,
            } => write!(
                f,
                "no {person} within 3 hours of {offset} ({qualified} {} in other time zones)",
                verb(*qualified, "qualifies", "qualify")
            ),
            Unfilled::Place {
                person,
                offset,
                state,
                remote_ok: true,
                qualified,
            } => write!(
                f,
                "no {person} within 3 hours of {offset} works remotely or lives in {state} ({qualified} {} but {} locally elsewhere)",
                verb(*qualified, "qualifies", "qualify"),
                verb(*qualified, "works", "work")
            ),
            Unfilled::Place {
                person,
                offset,
                state,
                remote_ok: false,
                qualified,
            } => write!(
                f,
                "the role is local to {state} and no {person} within 3 hours of {offset} lives there ({qualified} {} elsewhere)",
                verb(*qualified, "qualifies", "qualify")
            ),
            Unfilled::Outscored { feasible: 1 } => write!(
                f,
                "1 feasible volunteer, placed in another role where they add at least as much to the total score"
            ),
            Unfilled::Outscored { feasible } => write!(
                f,
                "{feasible} feasible volunteers, all placed in other roles where they add at least as much to the total score"
            ),
        }
    }
}

/// The verb agreeing with a count.
fn verb(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// For each unfilled need (in input order): its index and why.
pub fn explain_unfilled(
    volunteers: &[Volunteer],
    needs: &[Need],
    matching: &Matching,
    taxonomy: &Taxonomy,
) -> Vec<(usize, Unfilled)> {
    let mut by_skill: HashMap<&str, Vec<(&Volunteer, Level)>> = HashMap::new();
    for v in volunteers {
        for (skill, level) in &v.skills {
            by_skill
                .entry(skill.as_str())
                .or_default()
                .push((v, *level));
        }
    }
    let none = Vec::new();
    needs
        .iter()
        .enumerate()
        .filter(|(i, _)| matching.volunteer_of_need[*i].is_none())
        .map(|(i, n)| {
            let person = taxonomy.person(&n.skill);
            let pool = by_skill.get(n.skill.as_str()).unwrap_or(&none);
            let mut left: Vec<&Volunteer> = pool.iter().map(|(v, _)| *v).collect();
            if left.is_empty() {
                return (i, Unfilled::NoSkill { person });
            }
            // Each step keeps who passes one more requirement; the first
            // step that keeps nobody is the reason.
            let mut qualified = left.len();
            let mut keep = |left: &mut Vec<&Volunteer>, pass: &dyn Fn(&Volunteer) -> bool| {
                qualified = left.len();
                left.retain(|v| pass(v));
                left.is_empty().then_some(qualified)
            };
            let min = n.min_level;
            if let Some(q) = keep(&mut left, &|v| v.level(&n.skill) >= Some(min)) {
                return (
                    i,
                    Unfilled::BelowLevel {
                        person,
                        min_level: min,
                        qualified: q,
                    },
                );
            }
            if let Some(q) = keep(&mut left, &|v| v.hours_per_week >= n.hours_per_week) {
                return (
                    i,
                    Unfilled::TooFewHours {
                        person,
                        min_level: min,
                        hours: n.hours_per_week,
                        qualified: q,
                    },
                );
            }
            if let Some(q) = keep(&mut left, &|v| v.weeks >= n.weeks) {
                return (
                    i,
                    Unfilled::TooFewWeeks {
                        person,
                        min_level: min,
                        weeks: n.weeks,
                        qualified: q,
                    },
                );
            }
            if let Some(q) = keep(&mut left, &|v| within_offset(v.utc_offset, n.utc_offset)) {
                return (
                    i,
                    Unfilled::TimeZone {
                        person,
                        offset: n.utc_offset,
                        qualified: q,
                    },
                );
            }
            if let Some(q) = keep(&mut left, &|v| {
                (n.remote_ok && v.remote) || v.state == n.state
            }) {
                return (
                    i,
                    Unfilled::Place {
                        person,
                        offset: n.utc_offset,
                        state: n.state.clone(),
                        remote_ok: n.remote_ok,
                        qualified: q,
                    },
                );
            }
            (
                i,
                Unfilled::Outscored {
                    feasible: left.len(),
                },
            )
        })
        .collect()
}
