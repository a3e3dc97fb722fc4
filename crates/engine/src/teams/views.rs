//! The inputs the team pages send and the views they show.

use super::*;

/// A volunteer profile as typed into the form; every field is checked and a
/// bad one is named.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileInput {
    /// `(skill slug, level as typed)`; an empty level means "not this skill".
    pub skills: Vec<(String, String)>,
    pub hours_per_week: String,
    pub weeks: String,
    pub utc_offset: String,
    pub state: String,
    pub remote: bool,
    pub languages: String,
    pub can_mentor: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SkillView {
    pub slug: String,
    pub label: String,
    /// The volunteer's level (0 when they don't list it).
    pub level: u8,
}

/// A volunteer's profile page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProfileView {
    pub exists: bool,
    pub name: String,
    pub skills: Vec<SkillView>,
    pub hours_per_week: String,
    pub weeks: String,
    pub utc_offset: String,
    pub state: String,
    pub remote: bool,
    pub languages: String,
    pub can_mentor: bool,
    /// Confirmed teams served on ("second tour of duty"), newest first.
    pub history: Vec<ServiceView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceView {
    pub team_id: Id,
    pub team: String,
    pub role: String,
    pub candidate: String,
    pub slate: String,
    pub slate_name: String,
}

/// One role of a team request as typed (all text, checked by the engine).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoleInput {
    pub include: bool,
    pub skill: String,
    pub min_level: String,
    pub hours_per_week: String,
    pub weeks: String,
    pub utc_offset: String,
    pub state: String,
    pub remote_ok: bool,
    pub priority: String,
}

/// A team request: which campaign, which template, and its roles in the
/// template's order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TeamInput {
    pub candidate: String,
    pub kind: String,
    pub roles: Vec<RoleInput>,
}

/// A role of the needs form, with its defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoleDefaults {
    pub role: String,
    pub lead: bool,
    pub skill: String,
    pub min_level: u8,
    pub hours_per_week: u32,
    pub weeks: u32,
    pub utc_offset: String,
    pub state: String,
    pub remote_ok: bool,
    /// Must be done in person (remote work is never accepted).
    pub local_only: bool,
    pub priority: u32,
}

/// What the needs page shows someone who may post needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NeedsBoard {
    pub slate: String,
    pub slate_name: String,
    pub organizer: bool,
    /// `(slug, name)` of the campaigns this person may post needs for now.
    pub campaigns: Vec<(String, String)>,
    /// Campaigns of theirs that can't post yet (not signed), in words.
    pub waiting: Vec<String>,
    /// `(slug, name)` of every team template.
    pub templates: Vec<(String, String)>,
    /// `(slug, label)` of the slate's taxonomy.
    pub skills: Vec<(String, String)>,
    /// The form for one campaign and template, when one was chosen.
    pub form: Option<TeamForm>,
    pub teams: Vec<TeamSummary>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TeamForm {
    pub candidate: String,
    pub candidate_name: String,
    pub kind: String,
    pub kind_name: String,
    pub roles: Vec<RoleDefaults>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TeamSummary {
    pub id: Id,
    pub name: String,
    pub candidate: String,
    pub confirmed: bool,
    /// `(role, skill, filled)`.
    pub roles: Vec<(String, String, bool)>,
}

/// How an organizer adjusts a matching by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adjustment {
    /// The volunteer takes this role; the rest is solved around it.
    Pin,
    /// The volunteer must not take this role.
    Unassign,
    /// Forget every adjustment on this role.
    Clear,
}

/// The organizer's preview of a matching.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MatchPreview {
    pub slate: String,
    pub slate_name: String,
    /// Volunteers available (in the pool, not yet on a team of this slate).
    pub available: usize,
    /// Everyone in the pool, placed or not.
    pub pool: usize,
    pub open_needs: usize,
    pub total_score: u64,
    pub placements: Vec<Placement>,
    pub unfilled: Vec<UnfilledView>,
    /// Volunteers left without a role.
    pub unplaced: Vec<String>,
    /// `(need id, volunteer name)` of roles a volunteer was unassigned from.
    pub unassigned: Vec<(Id, String)>,
    /// What confirming commits to: changes whenever the matching would.
    pub fingerprint: String,
    /// `(user id, name)` of available volunteers, for pinning.
    pub volunteers: Vec<(Id, String)>,
    /// `(need id, "team · role")` of open roles, for pinning.
    pub roles: Vec<(Id, String)>,
    /// Confirmed teams, for the team pages.
    pub teams: Vec<TeamSummary>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Placement {
    pub need_id: Id,
    pub team: String,
    pub role: String,
    pub volunteer_id: Id,
    pub volunteer: String,
    pub score: u64,
    pub pinned: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnfilledView {
    pub need_id: Id,
    pub team: String,
    pub role: String,
    pub reason: String,
}

/// What a confirmation did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Confirmed {
    pub filled: usize,
    pub teams: Vec<Id>,
    pub emails: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemberView {
    pub user_id: Id,
    pub role: String,
    pub lead: bool,
    pub name: String,
    pub email: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WeekView {
    pub week: String,
    pub hours: i64,
}

/// A team's own page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TeamView {
    pub id: Id,
    pub slate: String,
    pub slate_name: String,
    pub name: String,
    pub candidate: String,
    pub confirmed: bool,
    pub members: Vec<MemberView>,
    pub open_roles: Vec<String>,
    pub mentor: Option<MemberView>,
    /// `(role, markdown)` of the team's toolkits.
    pub toolkits: Vec<(String, String)>,
    /// The weekly check-in in words.
    pub checkin: String,
    /// The viewer fills a role here and may log hours.
    pub can_log: bool,
    /// The viewer's own weeks, newest first.
    pub my_weeks: Vec<WeekView>,
    pub organizer: bool,
    /// `(user id, name)` of volunteers who can mentor, for organizers.
    pub mentor_options: Vec<(Id, String)>,
    pub pledged_hours: i64,
    pub logged_hours: i64,
}

/// Pledged versus logged hours, in aggregate (public).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TeamStatus {
    pub slate: String,
    pub slate_name: String,
    pub teams: Vec<TeamLine>,
    pub campaigns: Vec<CampaignLine>,
    pub pledged_hours: i64,
    pub logged_hours: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TeamLine {
    pub name: String,
    pub candidate: String,
    pub members: usize,
    pub roles: usize,
    pub pledged_hours: i64,
    pub logged_hours: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CampaignLine {
    pub candidate: String,
    pub teams: usize,
    pub pledged_hours: i64,
    pub logged_hours: i64,
}
