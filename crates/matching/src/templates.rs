//! Role-based team templates: the teams that work (a website team is a
//! lead, a front-end engineer, a copywriter and an analyst), turned into
//! needs for one campaign.

use crate::model::{Level, Need, UtcOffset};

/// One role of a team template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoleTemplate {
    /// The role's name, also the key of its toolkit ([`crate::toolkits`]).
    pub role: &'static str,
    pub skill: &'static str,
    pub min_level: Level,
    /// Leads the team (gets the team email and runs the weekly check-in).
    pub lead: bool,
    /// Must be done in person, in the campaign's state.
    pub local_only: bool,
}

/// The kinds of team Cohort knows how to form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Team {
    Web,
    Ads,
    Email,
    Texting,
    Data,
    Press,
    Field,
    FinanceCompliance,
}

const fn role(
    role: &'static str,
    skill: &'static str,
    min: u8,
    lead: bool,
    local_only: bool,
) -> RoleTemplate {
    RoleTemplate {
        role,
        skill,
        min_level: match min {
            1 => Level::SOME,
            2 => Level::SOLID,
            _ => Level::EXPERT,
        },
        lead,
        local_only,
    }
}

impl Team {
    pub const ALL: [Team; 8] = [
        Team::Web,
        Team::Ads,
        Team::Email,
        Team::Texting,
        Team::Data,
        Team::Press,
        Team::Field,
        Team::FinanceCompliance,
    ];

    /// A short slug, used in need ids: `web`, `finance-compliance`, ….
    pub fn slug(self) -> &'static str {
        match self {
            Team::Web => "web",
            Team::Ads => "ads",
            Team::Email => "email",
            Team::Texting => "texting",
            Team::Data => "data",
            Team::Press => "press",
            Team::Field => "field",
            Team::FinanceCompliance => "finance-compliance",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Team> {
        Team::ALL.into_iter().find(|t| t.slug() == slug)
    }

    pub fn name(self) -> &'static str {
        match self {
            Team::Web => "Website team",
            Team::Ads => "Digital ads team",
            Team::Email => "Email team",
            Team::Texting => "Texting team",
            Team::Data => "Data team",
            Team::Press => "Press and video team",
            Team::Field => "Field team",
            Team::FinanceCompliance => "Finance and compliance team",
        }
    }

    /// The team's roles, lead first.
    pub fn roles(self) -> &'static [RoleTemplate] {
        const WEB: &[RoleTemplate] = &[
            role("team lead", "team-lead", 2, true, false),
            role("front-end engineer", "front-end", 2, false, false),
            role("copywriter", "copywriting", 2, false, false),
            role("analyst", "data-analysis", 2, false, false),
        ];
        const ADS: &[RoleTemplate] = &[
            role("team lead", "team-lead", 2, true, false),
            role(
                "performance marketer",
                "performance-marketing",
                2,
                false,
                false,
            ),
            role("analyst", "data-analysis", 2, false, false),
        ];
        const EMAIL: &[RoleTemplate] = &[
            role("team lead", "team-lead", 2, true, false),
            role("email marketer", "email-marketing", 2, false, false),
            role("copywriter", "copywriting", 2, false, false),
            role("analyst", "data-analysis", 1, false, false),
        ];
        const TEXTING: &[RoleTemplate] = &[
            role("team lead", "team-lead", 2, true, false),
            role("texting coordinator", "texting", 2, false, false),
            role("copywriter", "copywriting", 1, false, false),
            role("data engineer", "data-engineering", 1, false, false),
        ];
        const DATA: &[RoleTemplate] = &[
            role("team lead", "team-lead", 2, true, false),
            role("data engineer", "data-engineering", 2, false, false),
            role("analyst", "data-analysis", 2, false, false),
        ];
        const PRESS: &[RoleTemplate] = &[
            role("team lead", "team-lead", 2, true, false),
            role("press officer", "press", 2, false, false),
            role("video producer", "video", 2, false, false),
            role("copywriter", "copywriting", 2, false, false),
        ];
        const FIELD: &[RoleTemplate] = &[
            role("field lead", "field-organizing", 3, true, true),
            role("field organizer", "field-organizing", 2, false, true),
            role(
                "volunteer coordinator",
                "volunteer-coordination",
                2,
                false,
                true,
            ),
            role("analyst", "data-analysis", 1, false, false),
        ];
        const FINANCE: &[RoleTemplate] = &[
            role("team lead", "team-lead", 2, true, false),
            role("compliance specialist", "compliance", 2, false, false),
            role("bookkeeper", "accounting", 2, false, false),
        ];
        match self {
            Team::Web => WEB,
            Team::Ads => ADS,
            Team::Email => EMAIL,
            Team::Texting => TEXTING,
            Team::Data => DATA,
            Team::Press => PRESS,
            Team::Field => FIELD,
            Team::FinanceCompliance => FINANCE,
        }
    }

    /// The needs one campaign posts for this team: one per role, sharing
    /// the campaign's hours, weeks, time zone, state and priority. Local-only
    /// roles ignore `remote_ok`. Ids are `<id_prefix>-<team>-<role>`, e.g.
    /// `c12-web-front-end-engineer`.
    pub fn needs(self, spec: &TeamSpec) -> Vec<Need> {
        self.roles()
            .iter()
            .map(|r| Need {
                id: format!(
                    "{}-{}-{}",
                    spec.id_prefix,
                    self.slug(),
                    r.role.replace(' ', "-")
                ),
                campaign: spec.campaign.clone(),
                role: r.role.into(),
                skill: r.skill.into(),
                min_level: r.min_level,
                hours_per_week: spec.hours_per_week,
                weeks: spec.weeks,
                utc_offset: spec.utc_offset,
                state: spec.state.clone(),
                remote_ok: spec.remote_ok && !r.local_only,
                priority: spec.priority,
            })
            .collect()
    }
}

/// What a campaign says when it asks for a team.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamSpec {
    pub campaign: String,
    pub id_prefix: String,
    pub hours_per_week: u32,
    pub weeks: u32,
    pub utc_offset: UtcOffset,
    pub state: String,
    pub remote_ok: bool,
    pub priority: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::Taxonomy;

    fn spec() -> TeamSpec {
        TeamSpec {
            campaign: "okafor".into(),
            id_prefix: "c1".into(),
            hours_per_week: 6,
            weeks: 12,
            utc_offset: UtcOffset::from_hours(-5).unwrap(),
            state: "PA".into(),
            remote_ok: true,
            priority: 3,
        }
    }

    #[test]
    fn the_website_team_is_a_lead_an_engineer_a_copywriter_and_an_analyst() {
        let needs = Team::Web.needs(&spec());
        let roles: Vec<&str> = needs.iter().map(|n| n.role.as_str()).collect();
        assert_eq!(
            roles,
            ["team lead", "front-end engineer", "copywriter", "analyst"]
        );
        assert_eq!(needs[1].id, "c1-web-front-end-engineer");
        assert!(needs
            .iter()
            .all(|n| n.campaign == "okafor" && n.priority == 3 && n.remote_ok));
        let ads: Vec<&str> = Team::Ads.roles().iter().map(|r| r.role).collect();
        assert_eq!(ads, ["team lead", "performance marketer", "analyst"]);
    }

    #[test]
    fn every_template_has_one_lead_first_and_uses_known_skills() {
        let taxonomy = Taxonomy::standard();
        for team in Team::ALL {
            let roles = team.roles();
            assert!(
                roles[0].lead && roles[1..].iter().all(|r| !r.lead),
                "{team:?}"
            );
            for r in roles {
                assert!(
                    taxonomy.get(r.skill).is_some(),
                    "{team:?} {} uses unknown {}",
                    r.role,
                    r.skill
                );
                assert!(
                    crate::toolkits::Toolkits::standard().get(r.role).is_some(),
                    "no toolkit for {}",
                    r.role
                );
            }
            assert_eq!(Team::from_slug(team.slug()), Some(team));
        }
    }

    #[test]
    fn field_roles_stay_local_even_when_the_campaign_accepts_remote_work() {
        let needs = Team::Field.needs(&spec());
        let local: Vec<bool> = needs.iter().map(|n| n.remote_ok).collect();
        assert_eq!(local, [false, false, false, true]);
    }
}
