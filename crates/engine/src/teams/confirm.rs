//! Confirming the matching: teams filled, mentors named, each member's email with the check-in.

use super::*;
use cohort_core::SlateEventKind;

impl Engine {
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
        tx.append_event(
            s.id,
            SlateEventKind::TeamsConfirmed,
            &payload.to_string(),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(Confirmed {
            filled: fills.len(),
            teams: team_ids,
            emails,
        })
    }

    /// Everything a team's email says, and its check-in file.
    pub(super) async fn team_letter(
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
}

/// The first weekly check-in: the next Tuesday at 19:00 in the team's time
/// zone, at least a day after `at`.
pub(super) fn first_checkin(at: DateTime<Utc>, utc: UtcOffset) -> chrono::NaiveDateTime {
    let local = at.naive_utc() + Duration::minutes(i64::from(utc.minutes()));
    let mut day = local.date() + Duration::days(1);
    while day.weekday() != chrono::Weekday::Tue {
        day += Duration::days(1);
    }
    day.and_time(NaiveTime::from_hms_opt(19, 0, 0).expect("19:00 is a time"))
}

/// What the confirmation email of one team says.
pub(super) struct Letter {
    team: String,
    candidate: String,
    slate: String,
    roster: String,
    mentor: String,
    checkin: String,
    url: String,
    toolkits: String,
    pub(super) ics: Option<String>,
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
