//! A team's page and check-in file, hours logged each week, mentors, and pledged-versus-logged totals.

use super::*;

impl Engine {
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
}
