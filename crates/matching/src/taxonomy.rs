//! The skills volunteers list and roles ask for. A standard set ships with
//! Cohort; an organizer adds their own.

use std::fmt;

/// One skill: its slug (as written in CSV files and needs), a label for
/// lists, and the word for a person who has it ("data analyst").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skill {
    pub slug: String,
    pub label: String,
    pub person: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaxonomyError {
    BadSlug(String),
    Duplicate(String),
    Empty(&'static str),
}

impl fmt::Display for TaxonomyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaxonomyError::BadSlug(s) => write!(
                f,
                "skill slug {s:?} must be 1 to 40 lowercase letters, digits or hyphens"
            ),
            TaxonomyError::Duplicate(s) => write!(f, "skill {s:?} is already in the taxonomy"),
            TaxonomyError::Empty(what) => write!(f, "a skill's {what} must not be empty"),
        }
    }
}

impl std::error::Error for TaxonomyError {}

/// `(slug, label, person)` of the skills every slate starts with.
const STANDARD: &[(&str, &str, &str)] = &[
    ("team-lead", "Team leadership", "team lead"),
    (
        "project-management",
        "Project management",
        "project manager",
    ),
    ("front-end", "Front-end engineering", "front-end engineer"),
    ("back-end", "Back-end engineering", "back-end engineer"),
    ("design", "Visual and UX design", "designer"),
    ("copywriting", "Copywriting", "copywriter"),
    ("data-analysis", "Data analysis", "data analyst"),
    ("data-engineering", "Data engineering", "data engineer"),
    (
        "performance-marketing",
        "Performance marketing (paid ads)",
        "performance marketer",
    ),
    ("email-marketing", "Email marketing", "email marketer"),
    ("texting", "Peer-to-peer texting", "texting coordinator"),
    ("social-media", "Social media", "social media manager"),
    ("press", "Press relations", "press officer"),
    ("video", "Video production", "video producer"),
    ("photography", "Photography", "photographer"),
    ("field-organizing", "Field organizing", "field organizer"),
    (
        "volunteer-coordination",
        "Volunteer coordination",
        "volunteer coordinator",
    ),
    ("fundraising", "Fundraising", "fundraiser"),
    (
        "compliance",
        "Campaign finance compliance",
        "compliance specialist",
    ),
    ("accounting", "Bookkeeping and accounting", "bookkeeper"),
    ("legal", "Election law", "election lawyer"),
    ("translation", "Translation", "translator"),
];

/// An ordered, extendable set of skills.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taxonomy {
    skills: Vec<Skill>,
}

impl Default for Taxonomy {
    fn default() -> Self {
        Taxonomy::standard()
    }
}

impl Taxonomy {
    /// The skills every slate starts with.
    pub fn standard() -> Taxonomy {
        Taxonomy {
            skills: STANDARD
                .iter()
                .map(|(slug, label, person)| Skill {
                    slug: (*slug).into(),
                    label: (*label).into(),
                    person: (*person).into(),
                })
                .collect(),
        }
    }

    /// Adds an organizer's skill, e.g. `("spanish-outreach", "Spanish-language
    /// outreach", "Spanish-language organizer")`.
    pub fn add(&mut self, slug: &str, label: &str, person: &str) -> Result<(), TaxonomyError> {
        if !is_slug(slug) {
            return Err(TaxonomyError::BadSlug(slug.into()));
        }
        if self.get(slug).is_some() {
            return Err(TaxonomyError::Duplicate(slug.into()));
        }
        for (what, text) in [("label", label), ("person word", person)] {
            if text.trim().is_empty() {
                return Err(TaxonomyError::Empty(what));
            }
        }
        self.skills.push(Skill {
            slug: slug.into(),
            label: label.trim().into(),
            person: person.trim().into(),
        });
        Ok(())
    }

    pub fn get(&self, slug: &str) -> Option<&Skill> {
        self.skills.iter().find(|s| s.slug == slug)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Skill> {
        self.skills.iter()
    }

    /// The word for someone with `slug`; for a skill outside the taxonomy,
    /// "volunteer with <slug>".
    pub fn person(&self, slug: &str) -> String {
        self.get(slug)
            .map_or_else(|| format!("volunteer with {slug}"), |s| s.person.clone())
    }
}

/// 1 to 40 of `a-z`, `0-9`, `-`, not starting or ending with `-`.
pub fn is_slug(s: &str) -> bool {
    (1..=40).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organizers_extend_the_standard_set() {
        let mut t = Taxonomy::standard();
        assert_eq!(t.person("data-analysis"), "data analyst");
        assert_eq!(t.person("welding"), "volunteer with welding");
        t.add("welding", "Welding", "welder").unwrap();
        assert_eq!(t.person("welding"), "welder");
        assert_eq!(
            t.add("welding", "Welding", "welder"),
            Err(TaxonomyError::Duplicate("welding".into()))
        );
        assert!(matches!(
            t.add("Bad Slug", "x", "y"),
            Err(TaxonomyError::BadSlug(_))
        ));
        assert!(matches!(
            t.add("ok", " ", "y"),
            Err(TaxonomyError::Empty("label"))
        ));
        assert!(t.iter().all(|s| is_slug(&s.slug)));
    }
}
