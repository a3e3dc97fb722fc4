//! Markdown toolkits per role, which travel with each team. The standard
//! library is embedded from `crates/matching/toolkits/*.md`; an organizer
//! replaces or adds toolkits for their slate.

use std::collections::BTreeMap;

/// `(role, markdown)` of the standard toolkits, keyed by role name as in
/// [`crate::templates`].
const STANDARD: &[(&str, &str)] = &[
    ("team lead", include_str!("../toolkits/team-lead.md")),
    ("field lead", include_str!("../toolkits/field-lead.md")),
    (
        "front-end engineer",
        include_str!("../toolkits/front-end-engineer.md"),
    ),
    ("copywriter", include_str!("../toolkits/copywriter.md")),
    ("analyst", include_str!("../toolkits/analyst.md")),
    (
        "performance marketer",
        include_str!("../toolkits/performance-marketer.md"),
    ),
    (
        "email marketer",
        include_str!("../toolkits/email-marketer.md"),
    ),
    (
        "texting coordinator",
        include_str!("../toolkits/texting-coordinator.md"),
    ),
    (
        "data engineer",
        include_str!("../toolkits/data-engineer.md"),
    ),
    (
        "press officer",
        include_str!("../toolkits/press-officer.md"),
    ),
    (
        "video producer",
        include_str!("../toolkits/video-producer.md"),
    ),
    (
        "field organizer",
        include_str!("../toolkits/field-organizer.md"),
    ),
    (
        "volunteer coordinator",
        include_str!("../toolkits/volunteer-coordinator.md"),
    ),
    (
        "compliance specialist",
        include_str!("../toolkits/compliance-specialist.md"),
    ),
    ("bookkeeper", include_str!("../toolkits/bookkeeper.md")),
];

/// The toolkits of one slate: the standard ones, with an organizer's edits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Toolkits {
    edited: BTreeMap<String, String>,
}

impl Toolkits {
    pub fn standard() -> Toolkits {
        Toolkits::default()
    }

    /// The markdown for `role`: the organizer's version if they wrote one.
    pub fn get(&self, role: &str) -> Option<&str> {
        self.edited
            .get(role)
            .map(String::as_str)
            .or_else(|| STANDARD.iter().find(|(r, _)| *r == role).map(|(_, md)| *md))
    }

    /// Replaces (or adds) the toolkit for `role`.
    pub fn set(&mut self, role: &str, markdown: &str) {
        self.edited.insert(role.to_owned(), markdown.to_owned());
    }

    /// Back to the standard toolkit (or none, for a role the organizer added).
    pub fn reset(&mut self, role: &str) {
        self.edited.remove(role);
    }

    /// Every role that has a toolkit, sorted.
    pub fn roles(&self) -> Vec<&str> {
        let mut roles: Vec<&str> = STANDARD.iter().map(|(r, _)| *r).collect();
        roles.extend(self.edited.keys().map(String::as_str));
        roles.sort_unstable();
        roles.dedup();
        roles
    }

    /// The toolkits a team takes with it: one per role of the team that has one.
    pub fn for_team(&self, team: crate::templates::Team) -> Vec<(&'static str, &str)> {
        team.roles()
            .iter()
            .filter_map(|r| self.get(r.role).map(|md| (r.role, md)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates::Team;

    #[test]
    fn every_standard_toolkit_is_a_titled_markdown_document() {
        let t = Toolkits::standard();
        for role in t.roles() {
            let md = t.get(role).unwrap();
            assert!(
                md.starts_with("# ") && md.contains("toolkit") && md.contains("\n## "),
                "{role}"
            );
        }
        assert_eq!(t.roles().len(), STANDARD.len());
    }

    #[test]
    fn organizer_edits_override_and_travel_with_the_team() {
        let mut t = Toolkits::standard();
        t.set("copywriter", "# Copy, our way\n");
        let web = t.for_team(Team::Web);
        assert_eq!(web.len(), 4);
        assert_eq!(web[2], ("copywriter", "# Copy, our way\n"));
        t.reset("copywriter");
        assert!(t
            .get("copywriter")
            .unwrap()
            .starts_with("# Copywriter toolkit"));
        t.set("translator", "# Translator\n");
        assert!(t.roles().contains(&"translator"));
    }
}
