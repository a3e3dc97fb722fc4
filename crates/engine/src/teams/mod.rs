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

// ---------------------------------------------------------------- inputs and views

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

// ---------------------------------------------------------------- parsing

/// A refusal naming the field, in the message too (pages show only the message).
fn bad(field: impl Into<String>, message: impl Into<String>) -> EngineError {
    let field = field.into();
    let message = format!("{field}: {}", message.into());
    EngineError::invalid(field, message)
}

fn number(field: &str, raw: &str, min: u32, max: u32) -> Result<u32> {
    let t = raw.trim();
    let n: u32 = t
        .parse()
        .map_err(|_| bad(field, format!("must be a whole number, not {t:?}")))?;
    if !(min..=max).contains(&n) {
        return Err(bad(field, format!("must be from {min} to {max}")));
    }
    Ok(n)
}

fn offset(field: &str, raw: &str) -> Result<UtcOffset> {
    UtcOffset::parse(raw).ok_or_else(|| {
        bad(
            field,
            format!(
                "{:?} is not a UTC offset: write hours such as -5, +1 or +5:30 (from -12 to +14)",
                raw.trim()
            ),
        )
    })
}

fn state(field: &str, raw: &str) -> Result<String> {
    let s = raw.trim().to_ascii_uppercase();
    if s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(s)
    } else {
        Err(bad(field, "must be a two-letter state code such as PA"))
    }
}

/// An offset as the form shows it: `-5`, `+5:30`, `0`.
fn offset_input(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "+" };
    let m = minutes.unsigned_abs();
    match (m / 60, m % 60) {
        (0, 0) => "0".into(),
        (h, 0) => format!("{sign}{h}"),
        (h, r) => format!("{sign}{h}:{r:02}"),
    }
}

fn shown_offset(minutes: i64) -> String {
    i32::try_from(minutes)
        .ok()
        .and_then(UtcOffset::from_minutes)
        .map_or_else(|| format!("{minutes} minutes"), |o| o.to_string())
}

/// A state's standard UTC offset (the default for a campaign's roles).
fn state_offset(state: &str) -> i32 {
    match state {
        "CT" | "DE" | "DC" | "FL" | "GA" | "IN" | "ME" | "MD" | "MA" | "MI" | "NH" | "NJ"
        | "NY" | "NC" | "OH" | "PA" | "RI" | "SC" | "VT" | "VA" | "WV" | "KY" => -5,
        "AL" | "AR" | "IL" | "IA" | "KS" | "LA" | "MN" | "MS" | "MO" | "NE" | "ND" | "OK"
        | "SD" | "TN" | "TX" | "WI" => -6,
        "AZ" | "CO" | "ID" | "MT" | "NM" | "UT" | "WY" => -7,
        "CA" | "NV" | "OR" | "WA" => -8,
        "AK" => -9,
        "HI" => -10,
        _ => -5,
    }
}

pub(crate) fn team_name(kind: &str) -> String {
    Team::from_slug(kind).map_or_else(|| kind.to_owned(), |t| t.name().to_owned())
}

async fn taxonomy(tx: &mut dyn Tx, slate_id: Option<Id>) -> Result<Taxonomy> {
    let mut t = Taxonomy::standard();
    for s in tx.slate_skills(slate_id).await? {
        // Extensions never clash with the standard set (checked on insert).
        let _ = t.add(&s.slug, &s.label, &s.person);
    }
    Ok(t)
}

async fn toolkits(tx: &mut dyn Tx, slate_id: Id) -> Result<Toolkits> {
    let mut t = Toolkits::standard();
    for (role, md) in tx.toolkit_edits(slate_id).await? {
        t.set(&role, &md);
    }
    Ok(t)
}

fn volunteer_of(p: &VolunteerProfileRow) -> Volunteer {
    Volunteer {
        id: p.user_id.to_string(),
        skills: p
            .skills
            .iter()
            .filter_map(|(s, l)| Level::new(u8::try_from(*l).ok()?).map(|level| (s.clone(), level)))
            .collect(),
        hours_per_week: u32::try_from(p.hours_per_week).unwrap_or(0),
        weeks: u32::try_from(p.weeks).unwrap_or(0),
        utc_offset: i32::try_from(p.utc_offset_minutes)
            .ok()
            .and_then(UtcOffset::from_minutes)
            .unwrap_or(UtcOffset::from_minutes(0).expect("UTC is an offset")),
        state: p.state.clone(),
        remote: p.remote,
        languages: p.languages.clone(),
        can_mentor: p.can_mentor,
        past_teams: Vec::new(),
    }
}

fn need_of(n: &NeedRow, campaign: &str) -> Need {
    let u = |x: i64| u32::try_from(x).unwrap_or(0);
    Need {
        id: n.id.to_string(),
        campaign: campaign.to_owned(),
        role: n.need.role.clone(),
        skill: n.need.skill.clone(),
        min_level: Level::new(u8::try_from(n.need.min_level).unwrap_or(3)).unwrap_or(Level::EXPERT),
        hours_per_week: u(n.need.hours_per_week),
        weeks: u(n.need.weeks),
        utc_offset: i32::try_from(n.need.utc_offset_minutes)
            .ok()
            .and_then(UtcOffset::from_minutes)
            .unwrap_or(UtcOffset::from_minutes(0).expect("UTC is an offset")),
        state: n.need.state.clone(),
        remote_ok: n.need.remote_ok,
        priority: u(n.need.priority).max(1),
    }
}

/// The Monday of the week `d` falls in.
fn monday(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

// ---------------------------------------------------------------- the matching problem

/// A slate's matching problem as it stands, and its solution.
struct Solved {
    pool: Vec<PoolRow>,
    teams: Vec<TeamRow>,
    candidates: HashMap<Id, String>,
    /// Open needs, in id order.
    needs: Vec<NeedRow>,
    /// Indices into `pool` of volunteers not yet on a team of the slate.
    available: Vec<usize>,
    /// `(index into needs, index into pool, score, pinned)`.
    pairs: Vec<(usize, usize, u64, bool)>,
    /// `(index into needs, reason)`.
    unfilled: Vec<(usize, String)>,
    /// `(need id, user id)` of pairs an organizer ruled out.
    bans: Vec<(Id, Id)>,
    total: u64,
}

impl Solved {
    fn team_label(&self, team_id: Id) -> String {
        self.teams
            .iter()
            .find(|t| t.id == team_id)
            .map(|t| {
                format!(
                    "{} · {}",
                    team_name(&t.kind),
                    self.candidates
                        .get(&t.candidate_id)
                        .map_or("?", String::as_str)
                )
            })
            .unwrap_or_default()
    }

    fn fingerprint(&self) -> String {
        let mut pairs: Vec<(Id, Id)> = self
            .pairs
            .iter()
            .map(|(n, v, _, _)| (self.needs[*n].id, self.pool[*v].user.id))
            .collect();
        pairs.sort_unstable();
        let text: Vec<String> = pairs.iter().map(|(n, v)| format!("{n}:{v}")).collect();
        hex::encode(&Sha256::digest(text.join(",").as_bytes())[..12])
    }
}

async fn solve(tx: &mut dyn Tx, slate: &SlateRow) -> Result<Solved> {
    let pool = tx.volunteer_pool(slate.id).await?;
    let teams = tx.teams(slate.id).await?;
    let candidates: HashMap<Id, String> = tx
        .candidates(slate.id)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let all_needs = tx.needs(slate.id).await?;
    let placed: HashSet<Id> = all_needs.iter().filter_map(|n| n.user_id).collect();
    let needs: Vec<NeedRow> = all_needs
        .into_iter()
        .filter(|n| n.user_id.is_none())
        .collect();
    let available: Vec<usize> = (0..pool.len())
        .filter(|&i| !placed.contains(&pool[i].user.id))
        .collect();
    let pins = tx.pins(slate.id).await?;
    let taxonomy = taxonomy(tx, Some(slate.id)).await?;
    let campaign_of = |n: &NeedRow| {
        teams
            .iter()
            .find(|t| t.id == n.team_id)
            .and_then(|t| candidates.get(&t.candidate_id))
            .cloned()
            .unwrap_or_default()
    };
    let need_models: Vec<Need> = needs.iter().map(|n| need_of(n, &campaign_of(n))).collect();
    let vol_models: Vec<Volunteer> = pool.iter().map(|p| volunteer_of(&p.profile)).collect();
    let need_index: HashMap<Id, usize> = needs.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
    let vol_index: HashMap<Id, usize> = available.iter().map(|&i| (pool[i].user.id, i)).collect();

    // Pins that still stand (open role, available volunteer, feasible pair).
    let mut pairs = Vec::new();
    let (mut fixed_needs, mut fixed_vols) = (HashSet::new(), HashSet::new());
    for p in pins.iter().filter(|p| p.pinned) {
        let (Some(&n), Some(&v)) = (need_index.get(&p.need_id), vol_index.get(&p.user_id)) else {
            continue;
        };
        if fixed_needs.contains(&n) || fixed_vols.contains(&v) {
            continue;
        }
        if let Some(s) = score(&vol_models[v], &need_models[n]) {
            fixed_needs.insert(n);
            fixed_vols.insert(v);
            pairs.push((n, v, s, true));
        }
    }
    let bans: Vec<(Id, Id)> = pins
        .iter()
        .filter(|p| !p.pinned)
        .map(|p| (p.need_id, p.user_id))
        .collect();

    // The rest goes to the solver. A role with volunteers ruled out asks for
    // its own alias of the skill, which everyone else with the skill holds
    // at the same level: exactly "anyone but them".
    let rest_needs: Vec<usize> = (0..needs.len())
        .filter(|i| !fixed_needs.contains(i))
        .collect();
    let rest_vols: Vec<usize> = available
        .iter()
        .copied()
        .filter(|v| !fixed_vols.contains(v))
        .collect();
    let mut solver_needs: Vec<Need> = rest_needs.iter().map(|&i| need_models[i].clone()).collect();
    let mut solver_vols: Vec<Volunteer> =
        rest_vols.iter().map(|&i| vol_models[i].clone()).collect();
    for (k, &i) in rest_needs.iter().enumerate() {
        let banned: HashSet<Id> = bans
            .iter()
            .filter(|(n, _)| *n == needs[i].id)
            .map(|(_, u)| *u)
            .collect();
        if banned.is_empty() {
            continue;
        }
        let alias = format!("{}#{}", need_models[i].skill, needs[i].id);
        for (j, &v) in rest_vols.iter().enumerate() {
            if banned.contains(&pool[v].user.id) {
                continue;
            }
            if let Some(level) = vol_models[v].level(&need_models[i].skill) {
                solver_vols[j].skills.push((alias.clone(), level));
            }
        }
        solver_needs[k].skill = alias;
    }
    let matching = assign(&solver_vols, &solver_needs);
    for p in &matching.pairs {
        pairs.push((rest_needs[p.need], rest_vols[p.volunteer], p.score, false));
    }
    let plain_needs: Vec<Need> = rest_needs.iter().map(|&i| need_models[i].clone()).collect();
    let plain_vols: Vec<Volunteer> = rest_vols.iter().map(|&i| vol_models[i].clone()).collect();
    let unfilled = explain_unfilled(&plain_vols, &plain_needs, &matching, &taxonomy)
        .into_iter()
        .map(|(k, why)| (rest_needs[k], why.to_string()))
        .collect();
    pairs.sort_by_key(|(n, ..)| needs[*n].id);
    let total = pairs.iter().map(|p| p.2).sum();
    Ok(Solved {
        pool,
        teams,
        candidates,
        needs,
        available,
        pairs,
        unfilled,
        bans,
        total,
    })
}

// ---------------------------------------------------------------- use cases

impl Engine {
    /// The signed-in person's volunteer profile (empty until saved), with
    /// every skill they can choose from.
    pub async fn volunteer_profile(&self, actor: &Actor) -> Result<ProfileView> {
        let account = actor.require_account()?;
        let mut tx = self.store.read().await?;
        let taxonomy = taxonomy(tx.as_mut(), None).await?;
        let profile = tx.volunteer_profile(account.user.id).await?;
        let history = tx
            .services(account.user.id)
            .await?
            .into_iter()
            .map(|s| ServiceView {
                team_id: s.team.id,
                team: team_name(&s.team.kind),
                role: s.role,
                candidate: s.candidate_name,
                slate: s.slate_slug,
                slate_name: s.slate_name,
            })
            .collect();
        let level = |slug: &str| {
            profile
                .as_ref()
                .and_then(|p| p.skills.iter().find(|(s, _)| s == slug))
                .map_or(0, |(_, l)| u8::try_from(*l).unwrap_or(0))
        };
        Ok(ProfileView {
            exists: profile.is_some(),
            name: account.user.name.clone(),
            skills: taxonomy
                .iter()
                .map(|s| SkillView {
                    slug: s.slug.clone(),
                    label: s.label.clone(),
                    level: level(&s.slug),
                })
                .collect(),
            hours_per_week: profile
                .as_ref()
                .map_or_else(String::new, |p| p.hours_per_week.to_string()),
            weeks: profile
                .as_ref()
                .map_or_else(String::new, |p| p.weeks.to_string()),
            utc_offset: profile
                .as_ref()
                .map_or_else(String::new, |p| offset_input(p.utc_offset_minutes)),
            state: profile
                .as_ref()
                .map_or_else(String::new, |p| p.state.clone()),
            remote: profile.as_ref().is_none_or(|p| p.remote),
            languages: profile
                .as_ref()
                .map_or_else(String::new, |p| p.languages.join(", ")),
            can_mentor: profile.as_ref().is_some_and(|p| p.can_mentor),
            history,
        })
    }

    /// Save the signed-in person's volunteer profile: every field checked
    /// first, then written whole.
    pub async fn save_volunteer_profile(&self, actor: &Actor, input: ProfileInput) -> Result<()> {
        let account = actor.require_account()?;
        let mut tx = self.store.write().await?;
        let taxonomy = taxonomy(tx.as_mut(), None).await?;
        let mut skills = Vec::new();
        for (slug, level) in &input.skills {
            let level = level.trim();
            if level.is_empty() || level == "0" {
                continue;
            }
            let field = format!("skill {slug}");
            let Some(skill) = taxonomy.get(slug) else {
                return Err(bad(field, "is not in the list of skills"));
            };
            let n = number(&format!("{} level", skill.label), level, 1, 3)?;
            if skills.iter().any(|(s, _)| s == slug) {
                return Err(bad(field, "is listed twice"));
            }
            skills.push((slug.clone(), i64::from(n)));
        }
        if skills.is_empty() {
            return Err(bad(
                "skills",
                "choose at least one skill and your level in it",
            ));
        }
        let hours = number("hours per week", &input.hours_per_week, 1, MAX_HOURS)?;
        let weeks = number("weeks available", &input.weeks, 1, MAX_WEEKS)?;
        let utc = offset("UTC offset", &input.utc_offset)?;
        let state = state("state", &input.state)?;
        let languages_text = text("languages", &input.languages, 300, false)?;
        let languages: Vec<String> = languages_text
            .split(',')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        if languages.len() > 12 {
            return Err(bad("languages", "list at most 12"));
        }
        tx.upsert_volunteer_profile(&VolunteerProfileRow {
            user_id: account.user.id,
            skills,
            hours_per_week: i64::from(hours),
            weeks: i64::from(weeks),
            utc_offset_minutes: i64::from(utc.minutes()),
            state,
            remote: input.remote,
            languages,
            can_mentor: input.can_mentor,
            updated_at: self.now(),
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Add a skill to a slate's taxonomy (organizers).
    pub async fn add_skill(
        &self,
        actor: &Actor,
        slate: &str,
        slug: &str,
        label: &str,
        person: &str,
    ) -> Result<()> {
        let slug = slug.trim().to_ascii_lowercase();
        if !is_slug(&slug) {
            return Err(bad(
                "skill slug",
                "must be 1 to 40 lowercase letters, digits or hyphens, e.g. spanish-outreach",
            ));
        }
        let label = text("skill name", label, 80, true)?;
        let person = text("word for someone with it", person, 80, true)?;
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        if Taxonomy::standard().get(&slug).is_some()
            || tx
                .slate_skills(Some(s.id))
                .await?
                .iter()
                .any(|k| k.slug == slug)
        {
            return Err(EngineError::conflict(
                "skill_exists",
                format!("the skill {slug:?} is already in the list"),
            ));
        }
        tx.insert_slate_skill(
            s.id,
            &SkillRow {
                slug,
                label,
                person,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The needs page: who may post for which campaign, the template form
    /// (when `choice` names a campaign and a template), and the teams asked for.
    pub async fn needs_board(
        &self,
        actor: &Actor,
        slate: &str,
        choice: Option<(&str, &str)>,
    ) -> Result<NeedsBoard> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        let organizer = actor.organizes(s.id);
        let mine = actor.campaigns(s.id);
        if !organizer && mine.is_empty() {
            if actor.account().is_none() && !matches!(actor, Actor::Organizer { .. }) {
                return Err(EngineError::Unauthenticated("sign in first".into()));
            }
            return Err(EngineError::Forbidden(format!(
                "only organizers of {} and its signed campaigns may post needs",
                s.slug
            )));
        }
        let candidates = tx.candidates(s.id).await?;
        let signed: HashSet<Id> = tx
            .signatures(s.id)
            .await?
            .into_iter()
            .map(|g| g.candidate_id)
            .collect();
        let mut campaigns = Vec::new();
        let mut waiting = Vec::new();
        for c in &candidates {
            if organizer {
                campaigns.push((c.slug.to_string(), c.name.clone()));
            } else if mine.contains(&c.id) {
                if signed.contains(&c.id) {
                    campaigns.push((c.slug.to_string(), c.name.clone()));
                } else {
                    waiting.push(format!(
                        "{} can post needs once they sign the compact.",
                        c.name
                    ));
                }
            }
        }
        let taxonomy = taxonomy(tx.as_mut(), Some(s.id)).await?;
        let form = match choice {
            Some((cand, kind)) => {
                let c = candidates
                    .iter()
                    .find(|c| c.slug.as_str() == cand && campaigns.iter().any(|(k, _)| k == cand))
                    .ok_or_else(|| {
                        bad("campaign", format!("you may not post needs for {cand:?}"))
                    })?;
                let team = Team::from_slug(kind)
                    .ok_or_else(|| bad("team", format!("{kind:?} is not a team template")))?;
                let state = c.race.state.clone();
                let utc = state_offset(&state);
                Some(TeamForm {
                    candidate: c.slug.to_string(),
                    candidate_name: c.name.clone(),
                    kind: team.slug().into(),
                    kind_name: team.name().into(),
                    roles: team
                        .roles()
                        .iter()
                        .map(|r| RoleDefaults {
                            role: r.role.into(),
                            lead: r.lead,
                            skill: r.skill.into(),
                            min_level: r.min_level.get(),
                            hours_per_week: 5,
                            weeks: 8,
                            utc_offset: offset_input(i64::from(utc) * 60),
                            state: state.clone(),
                            remote_ok: !r.local_only,
                            local_only: r.local_only,
                            priority: if r.lead { 3 } else { 2 },
                        })
                        .collect(),
                })
            }
            None => None,
        };
        let teams = team_summaries(tx.as_mut(), s.id, |t| {
            organizer || mine.contains(&t.candidate_id)
        })
        .await?;
        Ok(NeedsBoard {
            slate: s.slug.to_string(),
            slate_name: s.name.clone(),
            organizer,
            campaigns,
            waiting,
            templates: Team::ALL
                .iter()
                .map(|t| (t.slug().to_owned(), t.name().to_owned()))
                .collect(),
            skills: taxonomy
                .iter()
                .map(|k| (k.slug.clone(), k.label.clone()))
                .collect(),
            form,
            teams,
        })
    }

    /// Post a team's needs: an organizer of the slate, or the campaign
    /// account of this very candidate once the candidate has signed.
    pub async fn post_team(&self, actor: &Actor, slate: &str, input: TeamInput) -> Result<Id> {
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        let c = tx
            .candidates(s.id)
            .await?
            .into_iter()
            .find(|c| c.slug.as_str() == input.candidate.trim())
            .ok_or_else(|| EngineError::not_found("candidate", input.candidate.trim()))?;
        if !actor.organizes(s.id) {
            actor.require_candidate(s.id, c.id, c.slug.as_str())?;
            let signed = tx
                .signatures(s.id)
                .await?
                .iter()
                .any(|g| g.candidate_id == c.id);
            if !signed {
                return Err(EngineError::Forbidden(format!(
                    "{} must sign the compact before their campaign posts needs",
                    c.name
                )));
            }
        }
        let team = Team::from_slug(input.kind.trim())
            .ok_or_else(|| bad("team", format!("{:?} is not a team template", input.kind)))?;
        let template = team.roles();
        if input.roles.len() != template.len() {
            return Err(bad(
                "roles",
                format!("the {} has {} roles", team.name(), template.len()),
            ));
        }
        let taxonomy = taxonomy(tx.as_mut(), Some(s.id)).await?;
        let mut needs = Vec::new();
        for (r, t) in input.roles.iter().zip(template) {
            if !r.include {
                continue;
            }
            let f = |what: &str| format!("{} {what}", t.role);
            let skill = r.skill.trim().to_owned();
            if taxonomy.get(&skill).is_none() {
                return Err(bad(
                    f("skill"),
                    format!("{skill:?} is not in the slate's list of skills"),
                ));
            }
            needs.push(NewNeed {
                role: t.role.into(),
                skill,
                min_level: i64::from(number(&f("minimum level"), &r.min_level, 1, 3)?),
                hours_per_week: i64::from(number(
                    &f("hours per week"),
                    &r.hours_per_week,
                    1,
                    MAX_HOURS,
                )?),
                weeks: i64::from(number(&f("weeks"), &r.weeks, 1, MAX_WEEKS)?),
                utc_offset_minutes: i64::from(offset(&f("UTC offset"), &r.utc_offset)?.minutes()),
                state: state(&f("state"), &r.state)?,
                remote_ok: r.remote_ok && !t.local_only,
                priority: i64::from(number(&f("priority"), &r.priority, 1, 100)?),
                lead: t.lead,
            });
        }
        if needs.is_empty() {
            return Err(bad("roles", "include at least one role"));
        }
        let row = tx
            .insert_team(s.id, c.id, team.slug(), &needs, self.now())
            .await?;
        let payload = serde_json::json!({ "team": row.id, "kind": row.kind, "candidate": c.slug.as_str(), "roles": needs.len() });
        tx.append_event(s.id, "team_requested", &payload.to_string(), self.now())
            .await?;
        tx.commit().await?;
        Ok(row.id)
    }

    /// The organizer's preview: the optimal matching of the pool to the open
    /// needs, with pins respected and every unfilled role explained.
    pub async fn match_preview(&self, actor: &Actor, slate: &str) -> Result<MatchPreview> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        let m = solve(tx.as_mut(), &s).await?;
        let teams = team_summaries(tx.as_mut(), s.id, |t| t.confirmed_at.is_some()).await?;
        let name_of = |user: Id| {
            m.pool
                .iter()
                .find(|p| p.user.id == user)
                .map_or_else(|| format!("volunteer {user}"), |p| p.user.name.clone())
        };
        let placed: HashSet<usize> = m.pairs.iter().map(|p| p.1).collect();
        Ok(MatchPreview {
            slate: s.slug.to_string(),
            slate_name: s.name.clone(),
            available: m.available.len(),
            pool: m.pool.len(),
            open_needs: m.needs.len(),
            total_score: m.total,
            placements: m
                .pairs
                .iter()
                .map(|&(n, v, score, pinned)| Placement {
                    need_id: m.needs[n].id,
                    team: m.team_label(m.needs[n].team_id),
                    role: m.needs[n].need.role.clone(),
                    volunteer_id: m.pool[v].user.id,
                    volunteer: m.pool[v].user.name.clone(),
                    score,
                    pinned,
                })
                .collect(),
            unfilled: m
                .unfilled
                .iter()
                .map(|(n, why)| UnfilledView {
                    need_id: m.needs[*n].id,
                    team: m.team_label(m.needs[*n].team_id),
                    role: m.needs[*n].need.role.clone(),
                    reason: why.clone(),
                })
                .collect(),
            unplaced: m
                .available
                .iter()
                .filter(|v| !placed.contains(v))
                .map(|&v| m.pool[v].user.name.clone())
                .collect(),
            unassigned: m
                .bans
                .iter()
                .filter(|(n, _)| m.needs.iter().any(|x| x.id == *n))
                .map(|&(n, u)| (n, name_of(u)))
                .collect(),
            fingerprint: m.fingerprint(),
            volunteers: m
                .available
                .iter()
                .map(|&v| (m.pool[v].user.id, m.pool[v].user.name.clone()))
                .collect(),
            roles: m
                .needs
                .iter()
                .map(|n| {
                    (
                        n.id,
                        format!("{} · {}", m.team_label(n.team_id), n.need.role),
                    )
                })
                .collect(),
            teams,
        })
    }

    /// Adjust the matching by hand. A pin that can't work is refused with
    /// the reason (the volunteer lacks the skill, the hours, the time zone…).
    pub async fn adjust_match(
        &self,
        actor: &Actor,
        slate: &str,
        need_id: Id,
        user_id: Id,
        how: Adjustment,
    ) -> Result<()> {
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        tx.lock_slate(s.id).await?;
        let need = tx
            .needs(s.id)
            .await?
            .into_iter()
            .find(|n| n.id == need_id)
            .ok_or_else(|| EngineError::not_found("role", need_id.to_string()))?;
        if need.user_id.is_some() {
            return Err(EngineError::conflict(
                "role_filled",
                format!(
                    "the {} role is already filled by a confirmed matching",
                    need.need.role
                ),
            ));
        }
        match how {
            Adjustment::Clear => tx.delete_pins(&[need_id], None).await?,
            Adjustment::Unassign => {
                tx.upsert_pin(
                    s.id,
                    &PinRow {
                        need_id,
                        user_id,
                        pinned: false,
                    },
                )
                .await?
            }
            Adjustment::Pin => {
                let pool = tx.volunteer_pool(s.id).await?;
                let Some(p) = pool.iter().find(|p| p.user.id == user_id) else {
                    return Err(bad(
                        "volunteer",
                        "is not in this slate's pool (a volunteer profile and an unlocked hours pledge)",
                    ));
                };
                let needs = tx.needs(s.id).await?;
                if needs.iter().any(|n| n.user_id == Some(user_id)) {
                    return Err(EngineError::conflict(
                        "already_placed",
                        format!(
                            "{} is already on a confirmed team of this slate",
                            p.user.name
                        ),
                    ));
                }
                let v = volunteer_of(&p.profile);
                let n = need_of(&need, "");
                if score(&v, &n).is_none() {
                    let taxonomy = taxonomy(tx.as_mut(), Some(s.id)).await?;
                    let none = assign(&[], std::slice::from_ref(&n));
                    let why = explain_unfilled(
                        std::slice::from_ref(&v),
                        std::slice::from_ref(&n),
                        &none,
                        &taxonomy,
                    )
                    .into_iter()
                    .next()
                    .map_or_else(String::new, |(_, w)| w.to_string());
                    return Err(bad(
                        "volunteer",
                        format!(
                            "{} can't take the {} role: {why}",
                            p.user.name, need.need.role
                        ),
                    ));
                }
                // One pin per role and per volunteer: this one replaces others.
                for pin in tx.pins(s.id).await? {
                    if pin.pinned && (pin.need_id == need_id) != (pin.user_id == user_id) {
                        tx.delete_pins(&[pin.need_id], Some(pin.user_id)).await?;
                    }
                }
                tx.upsert_pin(
                    s.id,
                    &PinRow {
                        need_id,
                        user_id,
                        pinned: true,
                    },
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Confirm the matching the organizer previewed (`fingerprint` says
    /// which): fill the roles, give each team a mentor, and queue each placed
    /// volunteer's and each lead's email with the check-in attached.
    pub async fn confirm_match(
        &self,
        actor: &Actor,
        slate: &str,
        fingerprint: &str,
    ) -> Result<Confirmed> {
        let at = self.now();
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        tx.lock_slate(s.id).await?;
        let m = solve(tx.as_mut(), &s).await?;
        if m.fingerprint() != fingerprint.trim() {
            return Err(EngineError::conflict(
                "matching_changed",
                "the matching changed since this preview (a profile, a pledge, a need or a pin changed); review it again and confirm",
            ));
        }
        if m.pairs.is_empty() {
            return Err(EngineError::conflict(
                "nothing_to_confirm",
                "this matching places nobody; nothing to confirm",
            ));
        }
        let fills: Vec<(Id, Id, i64)> = m
            .pairs
            .iter()
            .map(|&(n, v, score, _)| {
                (
                    m.needs[n].id,
                    m.pool[v].user.id,
                    i64::try_from(score).unwrap_or(i64::MAX),
                )
            })
            .collect();
        tx.fill_needs(&fills).await?;
        let filled_needs: Vec<Id> = fills.iter().map(|f| f.0).collect();
        tx.delete_pins(&filled_needs, None).await?;
        let new_members: HashSet<Id> = fills.iter().map(|f| f.1).collect();
        let mut team_ids: Vec<Id> = m.pairs.iter().map(|&(n, ..)| m.needs[n].team_id).collect();
        team_ids.sort_unstable();
        team_ids.dedup();

        let all_needs = tx.needs(s.id).await?;
        let toolkits = toolkits(tx.as_mut(), s.id).await?;
        let mut mentoring: HashMap<Id, usize> = HashMap::new();
        for t in &m.teams {
            if let Some(u) = t.mentor_user_id {
                *mentoring.entry(u).or_default() += 1;
            }
        }
        let placed_now: HashSet<Id> = all_needs.iter().filter_map(|n| n.user_id).collect();
        let mut emails = 0;
        for team_id in &team_ids {
            let team = m
                .teams
                .iter()
                .find(|t| t.id == *team_id)
                .cloned()
                .ok_or_else(|| EngineError::not_found("team", team_id.to_string()))?;
            let members: Vec<&NeedRow> = all_needs
                .iter()
                .filter(|n| n.team_id == team.id && n.user_id.is_some())
                .collect();
            let member_ids: HashSet<Id> = members.iter().filter_map(|n| n.user_id).collect();
            // A mentor: the one the team has, or a volunteer who can mentor
            // (not on this team; free ones first, then whoever mentors least).
            let mentor = team.mentor_user_id.or_else(|| {
                m.pool
                    .iter()
                    .filter(|p| p.profile.can_mentor && !member_ids.contains(&p.user.id))
                    .min_by_key(|p| {
                        (
                            placed_now.contains(&p.user.id),
                            mentoring.get(&p.user.id).copied().unwrap_or(0),
                            p.user.id,
                        )
                    })
                    .map(|p| p.user.id)
            });
            if let Some(u) = mentor {
                *mentoring.entry(u).or_default() += 1;
            }
            tx.confirm_team(team.id, mentor, at).await?;
            let team = TeamRow {
                confirmed_at: team.confirmed_at.or(Some(at)),
                mentor_user_id: mentor,
                ..team
            };
            let letter = self
                .team_letter(tx.as_mut(), &s, &team, &all_needs, &toolkits, at)
                .await?;
            for n in &members {
                let Some(u) = n.user_id else { continue };
                if !(new_members.contains(&u) || n.need.lead) {
                    continue;
                }
                let Some(user) = tx.user(u).await? else {
                    continue;
                };
                let (subject, body) = letter.for_member(&user, &n.need.role, n.need.lead);
                let (mut email, hash) = self.compose(user.email.clone(), &subject, body, true);
                email.attachment = letter.ics.clone().map(|content| Attachment {
                    filename: "weekly-check-in.ics".into(),
                    content_type: "text/calendar; charset=utf-8; method=REQUEST".into(),
                    content,
                });
                tx.enqueue_emails(&[(email, hash)], at).await?;
                emails += 1;
            }
        }
        let payload = serde_json::json!({ "filled": fills.len(), "teams": team_ids });
        tx.append_event(s.id, "teams_confirmed", &payload.to_string(), at)
            .await?;
        tx.commit().await?;
        Ok(Confirmed {
            filled: fills.len(),
            teams: team_ids,
            emails,
        })
    }

    /// Everything a team's email says, and its check-in file.
    async fn team_letter(
        &self,
        tx: &mut dyn Tx,
        s: &SlateRow,
        team: &TeamRow,
        needs: &[NeedRow],
        toolkits: &Toolkits,
        at: DateTime<Utc>,
    ) -> Result<Letter> {
        let candidate = tx
            .candidates(s.id)
            .await?
            .into_iter()
            .find(|c| c.id == team.candidate_id)
            .map_or_else(String::new, |c| c.name);
        let mine: Vec<&NeedRow> = needs.iter().filter(|n| n.team_id == team.id).collect();
        let mut roster = Vec::new();
        let mut people = Vec::new();
        let mut lead = None;
        for n in &mine {
            match n.user_id {
                Some(u) => {
                    let user = tx
                        .user(u)
                        .await?
                        .ok_or_else(|| EngineError::not_found("user", u.to_string()))?;
                    roster.push(format!("- {}: {} <{}>", n.need.role, user.name, user.email));
                    let person = Person {
                        name: user.name.clone(),
                        email: user.email.to_string(),
                    };
                    if n.need.lead {
                        lead = Some(person.clone());
                    }
                    people.push(person);
                }
                None => roster.push(format!("- {}: not filled yet", n.need.role)),
            }
        }
        let mentor = match team.mentor_user_id {
            Some(u) => tx.user(u).await?,
            None => None,
        };
        let name = team_name(&team.kind);
        let weeks = mine.iter().map(|n| n.need.weeks).max().unwrap_or(1).max(1);
        let offset_minutes = mine
            .iter()
            .find(|n| n.need.lead)
            .or(mine.first())
            .map_or(0, |n| n.need.utc_offset_minutes);
        let utc = i32::try_from(offset_minutes)
            .ok()
            .and_then(UtcOffset::from_minutes)
            .unwrap_or(UtcOffset::from_minutes(0).expect("UTC is an offset"));
        let first = first_checkin(at, utc);
        let checkin = format!(
            "Tuesdays at 19:00 ({utc}), {CHECKIN_MINUTES} minutes, {weeks} weeks from {}",
            first.date().format("%A %-d %B %Y")
        );
        let url = format!("{}/teams/{}", self.public_url(), team.id);
        let host = self
            .public_url()
            .split("://")
            .nth(1)
            .unwrap_or("cohort.local")
            .split(['/', ':'])
            .next()
            .unwrap_or("cohort.local")
            .to_owned();
        let organizer = lead.clone().or_else(|| people.first().cloned());
        let mut attendees = people.clone();
        if let Some(m) = &mentor {
            attendees.push(Person {
                name: m.name.clone(),
                email: m.email.to_string(),
            });
        }
        let ics = organizer.and_then(|organizer| {
            weekly_checkin(&CheckIn {
                uid: format!("cohort-team-{}-checkin@{host}", team.id),
                dtstamp: at.naive_utc(),
                first,
                utc_offset: utc,
                duration_minutes: CHECKIN_MINUTES,
                weeks: u32::try_from(weeks).unwrap_or(1),
                summary: format!("{name} for {candidate}: weekly check-in"),
                description: format!("The {name} for {candidate} ({}). Team page: {url}", s.name),
                location: Some(url.clone()),
                organizer,
                attendees,
            })
            .ok()
        });
        let mut kits = String::new();
        if let Some(t) = Team::from_slug(&team.kind) {
            for (role, md) in toolkits.for_team(t) {
                if mine.iter().any(|n| n.need.role == role) {
                    kits.push_str(&format!(
                        "\n==== Toolkit: {role} ====\n\n{}\n",
                        md.trim_end()
                    ));
                }
            }
        }
        Ok(Letter {
            team: name,
            candidate,
            slate: s.name.clone(),
            roster: roster.join("\n"),
            mentor: mentor.map_or_else(
                || "to be named by the organizers".to_owned(),
                |m| format!("{} <{}>", m.name, m.email),
            ),
            checkin,
            url,
            toolkits: kits,
            ics,
        })
    }

    /// A team's page, for its members, its mentor, the slate's organizers
    /// and the candidate's campaign account.
    pub async fn team_view(&self, actor: &Actor, team_id: Id) -> Result<TeamView> {
        let mut tx = self.store.read().await?;
        let (s, team, needs) = team_for(tx.as_mut(), actor, team_id).await?;
        let viewer = actor.account().map(|a| a.user.id);
        let organizer = actor.organizes(s.id);
        let mine: Vec<&NeedRow> = needs.iter().filter(|n| n.team_id == team.id).collect();
        let mut members = Vec::new();
        let mut open_roles = Vec::new();
        for n in &mine {
            match n.user_id {
                Some(u) => {
                    if let Some(user) = tx.user(u).await? {
                        members.push(member(&user, &n.need.role, n.need.lead));
                    }
                }
                None => open_roles.push(n.need.role.clone()),
            }
        }
        let mentor = match team.mentor_user_id {
            Some(u) => tx.user(u).await?.map(|u| member(&u, "mentor", false)),
            None => None,
        };
        let kits = toolkits(tx.as_mut(), s.id).await?;
        let toolkits = Team::from_slug(&team.kind)
            .map(|t| {
                kits.for_team(t)
                    .into_iter()
                    .filter(|(role, _)| mine.iter().any(|n| n.need.role == *role))
                    .map(|(r, md)| (r.to_owned(), md.to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let hours: Vec<HoursRow> = tx
            .hours(s.id)
            .await?
            .into_iter()
            .filter(|h| h.team_id == team.id)
            .collect();
        let pool = tx.volunteer_pool(s.id).await?;
        let member_ids: HashSet<Id> = members.iter().map(|m| m.user_id).collect();
        let pledged_hours = pool
            .iter()
            .filter(|p| member_ids.contains(&p.user.id))
            .map(|p| p.pledged_hours)
            .sum();
        let mut my_weeks: Vec<WeekView> = hours
            .iter()
            .filter(|h| Some(h.user_id) == viewer)
            .map(|h| WeekView {
                week: h.week.to_string(),
                hours: h.hours,
            })
            .collect();
        my_weeks.reverse();
        let utc = mine
            .iter()
            .find(|n| n.need.lead)
            .or(mine.first())
            .map_or(0, |n| n.need.utc_offset_minutes);
        let weeks = mine.iter().map(|n| n.need.weeks).max().unwrap_or(0);
        Ok(TeamView {
            id: team.id,
            slate: s.slug.to_string(),
            slate_name: s.name.clone(),
            name: team_name(&team.kind),
            candidate: tx
                .candidates(s.id)
                .await?
                .into_iter()
                .find(|c| c.id == team.candidate_id)
                .map_or_else(String::new, |c| c.name),
            confirmed: team.confirmed_at.is_some(),
            can_log: viewer.is_some_and(|v| member_ids.contains(&v)),
            members,
            open_roles,
            mentor,
            toolkits,
            checkin: format!(
                "Tuesdays at 19:00 {}, {CHECKIN_MINUTES} minutes, for {weeks} weeks",
                shown_offset(utc)
            ),
            my_weeks,
            organizer,
            mentor_options: if organizer {
                pool.iter()
                    .filter(|p| p.profile.can_mentor && !member_ids.contains(&p.user.id))
                    .map(|p| (p.user.id, p.user.name.clone()))
                    .collect()
            } else {
                Vec::new()
            },
            pledged_hours,
            logged_hours: hours.iter().map(|h| h.hours).sum(),
        })
    }

    /// The team's weekly check-in as an `.ics` file (for the team page).
    pub async fn team_checkin(&self, actor: &Actor, team_id: Id) -> Result<String> {
        let mut tx = self.store.read().await?;
        let (s, team, needs) = team_for(tx.as_mut(), actor, team_id).await?;
        let at = team.confirmed_at.ok_or_else(|| {
            EngineError::conflict("not_confirmed", "this team has not been confirmed yet")
        })?;
        let letter = self
            .team_letter(tx.as_mut(), &s, &team, &needs, &Toolkits::standard(), at)
            .await?;
        letter
            .ics
            .ok_or_else(|| EngineError::conflict("no_members", "this team has nobody on it yet"))
    }

    /// Log (or correct) the hours the signed-in volunteer gave their team
    /// in one week: one entry per week, editable.
    pub async fn log_hours(
        &self,
        actor: &Actor,
        team_id: Id,
        week: &str,
        hours: &str,
    ) -> Result<()> {
        let account = actor.require_account()?;
        let day: NaiveDate = week.trim().parse().map_err(|_| {
            bad(
                "week",
                "must be a date such as 2026-11-23 (any day of the week)",
            )
        })?;
        let week = monday(day);
        if week > monday(self.today()) {
            return Err(bad("week", "hasn't started yet"));
        }
        let hours = number("hours", hours, 0, MAX_HOURS)?;
        let mut tx = self.store.write().await?;
        let team = tx
            .team(team_id)
            .await?
            .ok_or_else(|| EngineError::not_found("team", team_id.to_string()))?;
        let member = tx
            .needs(team.slate_id)
            .await?
            .iter()
            .any(|n| n.team_id == team.id && n.user_id == Some(account.user.id));
        if !member {
            return Err(EngineError::Forbidden(
                "only the team's own members log hours for it".into(),
            ));
        }
        if team
            .confirmed_at
            .is_some_and(|c| week < monday(c.date_naive()) - Duration::weeks(1))
        {
            return Err(bad("week", "is before the team was formed"));
        }
        tx.upsert_hours(
            &HoursRow {
                team_id,
                user_id: account.user.id,
                week,
                hours: i64::from(hours),
            },
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Name a team's mentor (organizers): a volunteer of the slate's pool
    /// who can mentor.
    pub async fn set_mentor(&self, actor: &Actor, team_id: Id, user_id: Id) -> Result<()> {
        let mut tx = self.store.write().await?;
        let team = tx
            .team(team_id)
            .await?
            .ok_or_else(|| EngineError::not_found("team", team_id.to_string()))?;
        let s = tx
            .slate(team.slate_id)
            .await?
            .ok_or_else(|| EngineError::not_found("slate", team.slate_id.to_string()))?;
        actor.require_organizer(&s)?;
        let ok = tx
            .volunteer_pool(s.id)
            .await?
            .iter()
            .any(|p| p.user.id == user_id && p.profile.can_mentor);
        if !ok {
            return Err(bad(
                "mentor",
                "must be a volunteer of this slate who offered to mentor",
            ));
        }
        let at = team.confirmed_at.unwrap_or_else(|| self.now());
        tx.confirm_team(team.id, Some(user_id), at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Pledged versus logged hours per team and per campaign: numbers only,
    /// for everyone.
    pub async fn team_status(&self, slate: &str) -> Result<TeamStatus> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        let teams: Vec<TeamRow> = tx
            .teams(s.id)
            .await?
            .into_iter()
            .filter(|t| t.confirmed_at.is_some())
            .collect();
        let needs = tx.needs(s.id).await?;
        let pledged: HashMap<Id, i64> = tx
            .volunteer_pool(s.id)
            .await?
            .into_iter()
            .map(|p| (p.user.id, p.pledged_hours))
            .collect();
        let hours = tx.hours(s.id).await?;
        let names: HashMap<Id, String> = tx
            .candidates(s.id)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        let mut lines = Vec::new();
        let mut campaigns: BTreeMap<String, CampaignLine> = BTreeMap::new();
        for t in &teams {
            let roles: Vec<&NeedRow> = needs.iter().filter(|n| n.team_id == t.id).collect();
            let members: Vec<Id> = roles.iter().filter_map(|n| n.user_id).collect();
            let p: i64 = members.iter().filter_map(|u| pledged.get(u)).sum();
            let l: i64 = hours
                .iter()
                .filter(|h| h.team_id == t.id)
                .map(|h| h.hours)
                .sum();
            let candidate = names.get(&t.candidate_id).cloned().unwrap_or_default();
            let c = campaigns.entry(candidate.clone()).or_insert(CampaignLine {
                candidate: candidate.clone(),
                teams: 0,
                pledged_hours: 0,
                logged_hours: 0,
            });
            c.teams += 1;
            c.pledged_hours += p;
            c.logged_hours += l;
            lines.push(TeamLine {
                name: team_name(&t.kind),
                candidate,
                members: members.len(),
                roles: roles.len(),
                pledged_hours: p,
                logged_hours: l,
            });
        }
        Ok(TeamStatus {
            slate: s.slug.to_string(),
            slate_name: s.name.clone(),
            pledged_hours: lines.iter().map(|l| l.pledged_hours).sum(),
            logged_hours: lines.iter().map(|l| l.logged_hours).sum(),
            teams: lines,
            campaigns: campaigns.into_values().collect(),
        })
    }

    /// A slate's toolkits, `(role, markdown, edited)` (organizers).
    pub async fn slate_toolkits(
        &self,
        actor: &Actor,
        slate: &str,
    ) -> Result<Vec<(String, String, bool)>> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        let edited: HashSet<String> = tx
            .toolkit_edits(s.id)
            .await?
            .into_iter()
            .map(|(r, _)| r)
            .collect();
        let kits = toolkits(tx.as_mut(), s.id).await?;
        Ok(kits
            .roles()
            .into_iter()
            .map(|r| {
                (
                    r.to_owned(),
                    kits.get(r).unwrap_or_default().to_owned(),
                    edited.contains(r),
                )
            })
            .collect())
    }

    /// Replace a role's toolkit for the slate, or (`None`) restore the standard one.
    pub async fn edit_toolkit(
        &self,
        actor: &Actor,
        slate: &str,
        role: &str,
        markdown: Option<&str>,
    ) -> Result<()> {
        let role = text("role", role, 80, true)?;
        let markdown = markdown
            .map(|m| text("toolkit", m, 20_000, true))
            .transpose()?;
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        if Toolkits::standard().get(&role).is_none()
            && !Team::ALL
                .iter()
                .any(|t| t.roles().iter().any(|r| r.role == role))
        {
            return Err(bad("role", format!("no team has a {role:?} role")));
        }
        tx.set_toolkit(s.id, &role, markdown.as_deref(), self.now())
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

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

/// The first weekly check-in: the next Tuesday at 19:00 in the team's time
/// zone, at least a day after `at`.
fn first_checkin(at: DateTime<Utc>, utc: UtcOffset) -> chrono::NaiveDateTime {
    let local = at.naive_utc() + Duration::minutes(i64::from(utc.minutes()));
    let mut day = local.date() + Duration::days(1);
    while day.weekday() != chrono::Weekday::Tue {
        day += Duration::days(1);
    }
    day.and_time(NaiveTime::from_hms_opt(19, 0, 0).expect("19:00 is a time"))
}

/// What the confirmation email of one team says.
struct Letter {
    team: String,
    candidate: String,
    slate: String,
    roster: String,
    mentor: String,
    checkin: String,
    url: String,
    toolkits: String,
    ics: Option<String>,
}

impl Letter {
    fn for_member(&self, user: &UserRow, role: &str, lead: bool) -> (String, String) {
        let subject = format!("You're on the {} for {}", self.team, self.candidate);
        let lead_note = if lead {
            "\nYou lead this team: you run the weekly check-in and keep the campaign posted.\n"
        } else {
            ""
        };
        let body = format!(
            "Hello {name},\n\nYou're on the {team} for {candidate} ({slate}), as {role}.\n{lead_note}\n\
             Your team\n{roster}\n\nMentor: {mentor}\n\n\
             Weekly check-in: {checkin}. The attached weekly-check-in.ics adds it to your calendar.\n\n\
             Log your hours each week on your team page:\n{url}\n\n\
             Toolkits for your team follow.\n{toolkits}",
            name = user.name,
            team = self.team,
            candidate = self.candidate,
            slate = self.slate,
            roster = self.roster,
            mentor = self.mentor,
            checkin = self.checkin,
            url = self.url,
            toolkits = self.toolkits,
        );
        (subject, body)
    }
}

impl Engine {
    /// The demo's volunteers and needs: `count` supporters pledge hours on
    /// terms the demo already meets (`signers >= 1`), so their pledges
    /// unlock through the ordinary use case; each gets a volunteer profile
    /// (skills, levels and the rest derived from their number, so the same
    /// demo every time); and the first two signers ask for a website and a
    /// data team, so the organizer's matching has something to preview.
    pub(crate) async fn demo_teams(&self, slate: &str, count: usize) -> Result<()> {
        const FIRST: [&str; 12] = [
            "Amara", "Bill", "Chen", "Dolores", "Emeka", "Fatima", "Gus", "Hana", "Ines", "Jonah",
            "Keiko", "Luis",
        ];
        const LAST: [&str; 7] = [
            "Osei", "Brandt", "Lindgren", "Vargas", "Kowalski", "Haddad", "Moreau",
        ];
        const SKILLS: [&str; 9] = [
            "team-lead",
            "front-end",
            "copywriting",
            "data-analysis",
            "data-engineering",
            "design",
            "press",
            "email-marketing",
            "performance-marketing",
        ];
        const STATES: [&str; 8] = ["PA", "OH", "MI", "WI", "AZ", "GA", "NC", "NV"];
        let mut people = Vec::new();
        for i in 0..count {
            let name = format!("{} {}", FIRST[i % FIRST.len()], LAST[(i * 5) % LAST.len()]);
            let email = format!("volunteer{i}@example.org");
            let n = i64::try_from(i).unwrap_or(0);
            let skills = [
                (SKILLS[i % SKILLS.len()], 1 + n % 3),
                (SKILLS[(i * 5 + 3) % SKILLS.len()], 1 + (n / 2) % 3),
            ];
            let input = crate::PledgeInput {
                kind: "hours".into(),
                hours_per_week: Some(3 + n % 6),
                weeks: Some(6 + n % 8),
                skills: Some(vec![skills[0].0.to_owned()]),
                condition: Some("signers >= 1".into()),
                donor: crate::DonorInput {
                    email: email.clone(),
                    name: name.clone(),
                    state: STATES[i % STATES.len()].into(),
                    zip: format!("{:05}", 15_000 + i * 7),
                    attests_eligible: true,
                    ..crate::DonorInput::default()
                },
                ..crate::PledgeInput::default()
            };
            self.pledge(slate, input, None).await?;
            people.push((email, name, skills, n, STATES[i % STATES.len()]));
        }
        let at = self.now();
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        for (email, name, skills, n, state) in &people {
            let email =
                cohort_core::Email::parse(email).map_err(|e| bad("email", e.to_string()))?;
            let user = match tx.user_by_email(&email).await? {
                Some(u) => u,
                None => tx.insert_user(&email, name, at).await?,
            };
            let mut mine: Vec<(String, i64)> = Vec::new();
            for (slug, level) in skills {
                if !mine.iter().any(|(s, _)| s == slug) {
                    mine.push(((*slug).to_owned(), *level));
                }
            }
            tx.upsert_volunteer_profile(&VolunteerProfileRow {
                user_id: user.id,
                skills: mine,
                hours_per_week: 3 + n % 6,
                weeks: 6 + n % 8,
                utc_offset_minutes: i64::from(state_offset(state)) * 60,
                state: (*state).into(),
                remote: n % 4 != 0,
                languages: vec!["English".into()],
                can_mentor: n % 7 == 3,
                updated_at: at,
            })
            .await?;
        }
        let signed: HashSet<Id> = tx
            .signatures(s.id)
            .await?
            .into_iter()
            .map(|g| g.candidate_id)
            .collect();
        let campaigns: Vec<_> = tx
            .candidates(s.id)
            .await?
            .into_iter()
            .filter(|c| signed.contains(&c.id))
            .take(2)
            .collect();
        for (c, team) in campaigns.iter().zip([Team::Web, Team::Data]) {
            let utc = i64::from(state_offset(&c.race.state)) * 60;
            let needs: Vec<NewNeed> = team
                .roles()
                .iter()
                .map(|r| NewNeed {
                    role: r.role.into(),
                    skill: r.skill.into(),
                    min_level: i64::from(r.min_level.get()),
                    hours_per_week: 3,
                    weeks: 6,
                    utc_offset_minutes: utc,
                    state: c.race.state.clone(),
                    remote_ok: !r.local_only,
                    priority: if r.lead { 3 } else { 2 },
                    lead: r.lead,
                })
                .collect();
            tx.insert_team(s.id, c.id, team.slug(), &needs, at).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
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
