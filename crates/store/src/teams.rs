//! Rows of the skilled-volunteer teams (issue 5): profiles, a slate's extra
//! skills, teams and their needs, the organizer's pins, hours logged and
//! toolkit edits, and the [`TeamsTx`] area that stores them. The store keeps
//! them; the engine decides.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::{Id, Result, UserRow};

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

/// The teams area of a [`Tx`](crate::Tx).
#[async_trait]
pub trait TeamsTx: Send {
    /// Insert or replace a volunteer's profile.
    async fn upsert_volunteer_profile(&mut self, p: &VolunteerProfileRow) -> Result<()>;
    async fn volunteer_profile(&mut self, user_id: Id) -> Result<Option<VolunteerProfileRow>>;
    /// Add a skill to a slate's taxonomy (`Conflict` if the slug is taken).
    async fn insert_slate_skill(&mut self, slate_id: Id, s: &SkillRow) -> Result<()>;
    /// The skills organizers added, to one slate or (`None`) to any, by slug.
    async fn slate_skills(&mut self, slate_id: Option<Id>) -> Result<Vec<SkillRow>>;
    /// A new team request with its needs.
    async fn insert_team(
        &mut self,
        slate_id: Id,
        candidate_id: Id,
        kind: &str,
        needs: &[NewNeed],
        at: DateTime<Utc>,
    ) -> Result<TeamRow>;
    async fn team(&mut self, id: Id) -> Result<Option<TeamRow>>;
    async fn teams(&mut self, slate_id: Id) -> Result<Vec<TeamRow>>;
    /// Every need of a slate, by id.
    async fn needs(&mut self, slate_id: Id) -> Result<Vec<NeedRow>>;
    /// Accounts with a volunteer profile and an unlocked hours pledge to the slate, by user id.
    async fn volunteer_pool(&mut self, slate_id: Id) -> Result<Vec<PoolRow>>;
    async fn pins(&mut self, slate_id: Id) -> Result<Vec<PinRow>>;
    /// Insert or replace the pin of (need, volunteer).
    async fn upsert_pin(&mut self, slate_id: Id, pin: &PinRow) -> Result<()>;
    /// Remove pins on these needs (or of this volunteer on that need).
    async fn delete_pins(&mut self, need_ids: &[Id], user_id: Option<Id>) -> Result<()>;
    /// Fill needs: `(need, volunteer, score)`; only needs still open.
    async fn fill_needs(&mut self, fills: &[(Id, Id, i64)]) -> Result<u64>;
    /// Mark a team confirmed (keeps the first time) and set its mentor.
    async fn confirm_team(
        &mut self,
        team_id: Id,
        mentor: Option<Id>,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// The confirmed teams a volunteer fills a role on, newest first.
    async fn services(&mut self, user_id: Id) -> Result<Vec<ServiceRow>>;
    /// Record (or correct) one week's hours.
    async fn upsert_hours(&mut self, h: &HoursRow, at: DateTime<Utc>) -> Result<()>;
    /// Every hours entry of a slate's teams.
    async fn hours(&mut self, slate_id: Id) -> Result<Vec<HoursRow>>;
    /// A slate's edited toolkits: `(role, markdown)`.
    async fn toolkit_edits(&mut self, slate_id: Id) -> Result<Vec<(String, String)>>;
    /// Save an edited toolkit, or (`None`) go back to the standard one.
    async fn set_toolkit(
        &mut self,
        slate_id: Id,
        role: &str,
        markdown: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<()>;
}
