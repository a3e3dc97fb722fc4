//! Rows of the skilled-volunteer teams (issue 5): profiles, a slate's extra
//! skills, teams and their needs, the organizer's pins, hours logged and
//! toolkit edits. The store keeps them; the engine decides.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{Id, UserRow};

/// A volunteer's profile; one per account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolunteerProfileRow {
    pub user_id: Id,
    /// `(skill slug, level 1..=3)`, each skill once.
    pub skills: Vec<(String, i64)>,
    pub hours_per_week: i64,
    pub weeks: i64,
    pub utc_offset_minutes: i64,
    pub state: String,
    pub remote: bool,
    pub languages: Vec<String>,
    pub can_mentor: bool,
    pub updated_at: DateTime<Utc>,
}

/// A skill an organizer added to a slate's taxonomy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkillRow {
    pub slug: String,
    pub label: String,
    pub person: String,
}

/// A team a campaign asked for (from a role-based template).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamRow {
    pub id: Id,
    pub slate_id: Id,
    pub candidate_id: Id,
    /// The template's slug: `web`, `ads`, … `finance-compliance`.
    pub kind: String,
    pub created_at: DateTime<Utc>,
    /// Set when a matching placing someone in it was confirmed.
    pub confirmed_at: Option<DateTime<Utc>>,
    pub mentor_user_id: Option<Id>,
}

/// One role to fill.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewNeed {
    pub role: String,
    pub skill: String,
    pub min_level: i64,
    pub hours_per_week: i64,
    pub weeks: i64,
    pub utc_offset_minutes: i64,
    pub state: String,
    pub remote_ok: bool,
    pub priority: i64,
    /// Leads the team.
    pub lead: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NeedRow {
    pub id: Id,
    pub team_id: Id,
    pub slate_id: Id,
    pub need: NewNeed,
    /// Who fills it, once a matching is confirmed.
    pub user_id: Option<Id>,
    pub score: Option<i64>,
}

/// An organizer's adjustment: `pinned` puts the volunteer in the role;
/// otherwise the volunteer must not take it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinRow {
    pub need_id: Id,
    pub user_id: Id,
    pub pinned: bool,
}

/// Someone in a slate's pool: a profile, and the hours (hours per week ×
/// weeks, summed) of their unlocked hours pledges to the slate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolRow {
    pub user: UserRow,
    pub profile: VolunteerProfileRow,
    pub pledged_hours: i64,
}

/// Hours a volunteer gave a team in the week starting `week` (a Monday).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoursRow {
    pub team_id: Id,
    pub user_id: Id,
    pub week: NaiveDate,
    pub hours: i64,
}

/// A team someone served on, for their history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceRow {
    pub team: TeamRow,
    pub role: String,
    pub slate_slug: String,
    pub slate_name: String,
    pub candidate_name: String,
}
