//! The needs page and posting a team's needs from a template.

use super::*;
use cohort_core::SlateEventKind;

impl Engine {
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
        tx.append_event(
            s.id,
            SlateEventKind::TeamRequested,
            &payload.to_string(),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(row.id)
    }
}
