//! Volunteer profiles and the slate's skill taxonomy.

use super::*;

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
}
