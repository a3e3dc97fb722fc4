//! The demo's volunteers and needs.

use super::*;

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
            let mut request = crate::PledgeRequest::new(
                cohort_core::model::PledgeKind::Hours {
                    hours_per_week: 3 + (i % 6) as u32,
                    weeks: 6 + (i % 8) as u32,
                    skills: vec![skills[0].0.to_owned()],
                },
                cohort_core::Email::parse(&email).map_err(|e| bad("email", e.to_string()))?,
                cohort_store::Donor {
                    name: name.clone(),
                    state: STATES[i % STATES.len()].into(),
                    zip: format!("{:05}", 15_000 + i * 7),
                    attests_eligible: true,
                    ..cohort_store::Donor::default()
                },
            );
            request.condition = Some(
                cohort_core::Condition::parse("signers >= 1")
                    .map_err(|e| bad("condition", e.to_string()))?,
            );
            self.pledge_with(slate, request, None, false).await?;
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
