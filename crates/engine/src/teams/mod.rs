//! Skilled volunteer teams (issue 5): volunteer profiles, needs posted from
//! role-based team templates, the slate's pool (people with a profile whose
//! hours pledges to the slate unlocked), the organizer's preview of the
//! optimal matching (`cohort_matching`) with pins, confirmation (teams
//! stored, a mentor each, an email with the team, toolkits and the weekly
//! check-in as an `.ics` attachment), hours logged each week, and the
//! pledged-versus-logged totals the public sees.
//!
//! Every use case checks the [`Actor`] and runs in one transaction.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use cohort_matching::explain::explain_unfilled;
use cohort_matching::ics::{weekly_checkin, CheckIn, Person};
use cohort_matching::taxonomy::{is_slug, Taxonomy};
use cohort_matching::templates::Team;
use cohort_matching::toolkits::Toolkits;
use cohort_matching::{assign, score, Level, Need, UtcOffset, Volunteer};
use cohort_store::{
    Attachment, HoursRow, Id, NeedRow, NewNeed, PinRow, PoolRow, SkillRow, SlateRow, TeamRow, Tx,
    UserRow, VolunteerProfileRow,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::auth::Actor;
use crate::slates::{find_slate, text};
use crate::{Engine, EngineError, Result};

/// The most hours anyone can give in a week.
const MAX_HOURS: u32 = 168;
/// The longest commitment a profile or a role may name, in weeks.
const MAX_WEEKS: u32 = 104;
/// How long the weekly check-in lasts.
const CHECKIN_MINUTES: u32 = 30;

mod confirm;
mod demo;
mod hours;
mod matching;
mod needs;
mod parsing;
mod profiles;
mod solve;
mod toolkits;
mod views;

pub(crate) use parsing::*;
use solve::*;
pub use views::*;

/// A team, its slate and the slate's needs, if `actor` may see the team.
async fn team_for(
    tx: &mut dyn Tx,
    actor: &Actor,
    team_id: Id,
) -> Result<(SlateRow, TeamRow, Vec<NeedRow>)> {
    let team = tx
        .team(team_id)
        .await?
        .ok_or_else(|| EngineError::not_found("team", team_id.to_string()))?;
    let s = tx
        .slate(team.slate_id)
        .await?
        .ok_or_else(|| EngineError::not_found("slate", team.slate_id.to_string()))?;
    let needs = tx.needs(s.id).await?;
    let me = actor.account().map(|a| a.user.id);
    let member = me.is_some_and(|u| {
        team.mentor_user_id == Some(u)
            || needs
                .iter()
                .any(|n| n.team_id == team.id && n.user_id == Some(u))
    });
    if !(member || actor.organizes(s.id) || actor.campaigns(s.id).contains(&team.candidate_id)) {
        return Err(
            if actor.account().is_none() && matches!(actor, Actor::Public) {
                EngineError::Unauthenticated("sign in first".into())
            } else {
                EngineError::Forbidden("only the team, its mentor, its campaign and the slate's organizers see this team".into())
            },
        );
    }
    Ok((s, team, needs))
}

async fn team_summaries(
    tx: &mut dyn Tx,
    slate_id: Id,
    keep: impl Fn(&TeamRow) -> bool,
) -> Result<Vec<TeamSummary>> {
    let names: HashMap<Id, String> = tx
        .candidates(slate_id)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let needs = tx.needs(slate_id).await?;
    Ok(tx
        .teams(slate_id)
        .await?
        .into_iter()
        .filter(|t| keep(t))
        .map(|t| TeamSummary {
            id: t.id,
            name: team_name(&t.kind),
            candidate: names.get(&t.candidate_id).cloned().unwrap_or_default(),
            confirmed: t.confirmed_at.is_some(),
            roles: needs
                .iter()
                .filter(|n| n.team_id == t.id)
                .map(|n| {
                    (
                        n.need.role.clone(),
                        n.need.skill.clone(),
                        n.user_id.is_some(),
                    )
                })
                .collect(),
        })
        .collect())
}

fn member(user: &UserRow, role: &str, lead: bool) -> MemberView {
    MemberView {
        user_id: user.id,
        role: role.to_owned(),
        lead,
        name: user.name.clone(),
        email: user.email.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::confirm::first_checkin;
    use super::*;

    #[test]
    fn offsets_round_trip_through_the_form() {
        for m in [-480, -300, 0, 330, 60] {
            let o = UtcOffset::parse(&offset_input(m)).expect("parses");
            assert_eq!(i64::from(o.minutes()), m);
        }
    }

    #[test]
    fn the_first_checkin_is_the_next_tuesday_evening() {
        let at = DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        let first = first_checkin(at, UtcOffset::from_hours(-5).expect("offset"));
        assert_eq!(first.to_string(), "2026-12-01 19:00:00");
        assert_eq!(monday(first.date()).to_string(), "2026-11-30");
    }
}
