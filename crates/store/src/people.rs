//! A slate's people (issue 19): the supporter list organizers exchange with
//! Action Network, Mobilize and spreadsheets, merged by email, and the tags
//! they are filed under. An area trait, [`PeopleTx`], that [`crate::Tx`]
//! requires (migration 0024).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use cohort_core::Email;

use crate::{Id, Result};

/// What is known of a person besides their email; an empty string is unknown.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PersonFields {
    pub given_name: String,
    pub family_name: String,
    pub address: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub phone: String,
}

impl PersonFields {
    /// What the list keeps when `given` arrives for a person it has as
    /// `self`: each field given replaces the one kept, an empty one keeps
    /// it. Applying a run of arrivals one by one equals applying them
    /// merged first (the merge is associative).
    pub fn merged(&self, given: &PersonFields) -> PersonFields {
        let pick = |s: &String, g: &String| {
            if g.is_empty() {
                s.clone()
            } else {
                g.clone()
            }
        };
        PersonFields {
            given_name: pick(&self.given_name, &given.given_name),
            family_name: pick(&self.family_name, &given.family_name),
            address: pick(&self.address, &given.address),
            city: pick(&self.city, &given.city),
            state: pick(&self.state, &given.state),
            zip: pick(&self.zip, &given.zip),
            phone: pick(&self.phone, &given.phone),
        }
    }
}

/// One person on a slate's list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonRow {
    pub id: Id,
    pub slate_id: Id,
    pub email: Email,
    pub fields: PersonFields,
    /// Where the person first came from: "pledge", "csv", "osdi", …
    pub source: String,
    pub created_at: DateTime<Utc>,
    pub modified_at: DateTime<Utc>,
}

/// Which people a page holds. Slates are always named: a reader sees only the
/// slates it may see.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeopleQuery {
    pub slate_ids: Vec<Id>,
    pub email: Option<Email>,
    /// Only people modified strictly after this instant.
    pub modified_after: Option<DateTime<Utc>>,
    /// Only people modified strictly before this instant.
    pub modified_before: Option<DateTime<Utc>>,
}

/// A tag a slate files people under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagRow {
    pub id: Id,
    pub slate_id: Id,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// One person filed under one tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaggingRow {
    pub tag_id: Id,
    pub person_id: Id,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait PeopleTx: Send {
    /// Add a person to a slate's list, or merge into the one with that email:
    /// every non-empty field given replaces the stored one (an empty field
    /// keeps what is stored) and `modified_at` moves to `at` when anything
    /// changed. The source stays the first one. Returns the id and whether
    /// the person is new.
    async fn upsert_person(
        &mut self,
        slate_id: Id,
        email: &Email,
        fields: &PersonFields,
        source: &str,
        at: DateTime<Utc>,
    ) -> Result<(Id, bool)>;
    /// One person by id.
    async fn person(&mut self, id: Id) -> Result<Option<PersonRow>>;
    /// People matching `q`, in id order, skipping `offset`, at most `limit`.
    async fn people(&mut self, q: &PeopleQuery, offset: u64, limit: u32) -> Result<Vec<PersonRow>>;
    /// How many people match `q`.
    async fn count_people(&mut self, q: &PeopleQuery) -> Result<u64>;
    /// The tag of that name on the slate, made if new.
    async fn upsert_tag(&mut self, slate_id: Id, name: &str, at: DateTime<Utc>) -> Result<TagRow>;
    /// The slates' tags, by id.
    async fn tags(&mut self, slate_ids: &[Id]) -> Result<Vec<TagRow>>;
    /// One tag by id.
    async fn tag(&mut self, id: Id) -> Result<Option<TagRow>>;
    /// File a person under a tag; false if already filed. Touches the
    /// person's `modified_at`.
    async fn tag_person(&mut self, tag_id: Id, person_id: Id, at: DateTime<Utc>) -> Result<bool>;
    /// Everyone filed under a tag, oldest filing first.
    async fn taggings(&mut self, tag_id: Id) -> Result<Vec<TaggingRow>>;
    /// The tags a person is filed under, by tag id.
    async fn tags_of(&mut self, person_id: Id) -> Result<Vec<TagRow>>;
    /// A person's filings, oldest first (OSDI's `/people/{id}/taggings`).
    async fn taggings_of(&mut self, person_id: Id) -> Result<Vec<TaggingRow>>;

    // CSV import (issue 19).
    /// Add every person whose email is not yet on the slate's list, in a few
    /// statements (the bulk path of an import); people already there are
    /// left untouched. Returns the emails added. `people` must not repeat an
    /// email.
    async fn insert_new_people(
        &mut self,
        slate_id: Id,
        people: &[(Email, PersonFields)],
        source: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<Email>>;
}
