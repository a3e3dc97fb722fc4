//! OSDI (issue 19): what a third-party organizing tool may read and write
//! through `/api/osdi/v1`. Only a slate's organizers (by API token) use it:
//! an organizer token for one slate sees that slate's people, donations,
//! events and tags; one for every slate sees all. Each use case is one
//! transaction; the wire shape (HAL+JSON) is the web layer's.

use chrono::{DateTime, Utc};
use cohort_core::model::{PledgeKind, PledgeStatus, Recurrence};
use cohort_core::{Cents, Email};
use cohort_store::{
    Id, PeopleQuery, PersonFields, PersonRow, PledgeRow, Role, RsvpRow, SlateRow, TagRow,
    TaggingRow, Tx,
};

use crate::donor_name::split_name;

mod person_links;
mod signup;
use crate::joint_events::{JointEventView, RsvpInput};
use crate::{Actor, Engine, EngineError, Result};

/// Which page of a collection: 1-based, at most 100 to a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    pub page: u32,
    pub per_page: u32,
}

impl Paging {
    fn offset(&self) -> u64 {
        u64::from(self.page.saturating_sub(1)) * u64::from(self.per_page)
    }

    /// This page of an in-memory list.
    pub(crate) fn slice<T>(&self, all: Vec<T>) -> OsdiPage<T> {
        let total_records = all.len() as u64;
        let items = all
            .into_iter()
            .skip(self.offset() as usize)
            .take(self.per_page as usize)
            .collect();
        OsdiPage {
            items,
            paging: *self,
            total_records,
        }
    }
}

/// One page of a collection and how many records it pages through.
#[derive(Clone, Debug)]
pub struct OsdiPage<T> {
    pub items: Vec<T>,
    pub paging: Paging,
    pub total_records: u64,
}

impl<T> OsdiPage<T> {
    pub fn total_pages(&self) -> u64 {
        self.total_records
            .div_ceil(u64::from(self.paging.per_page.max(1)))
    }
}

/// The OData subset Action Network supports, parsed at the edge.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OsdiFilter {
    /// `modified_date gt '…'`
    pub modified_after: Option<DateTime<Utc>>,
    /// `modified_date lt '…'`
    pub modified_before: Option<DateTime<Utc>>,
    /// `email_address eq '…'` (people only)
    pub email: Option<Email>,
}

impl OsdiFilter {
    pub(crate) fn admits(&self, modified: DateTime<Utc>) -> bool {
        self.modified_after.is_none_or(|t| modified > t)
            && self.modified_before.is_none_or(|t| modified < t)
    }
}

/// What a person has pledged on their slate (the OSDI `custom_fields`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PersonFacts {
    /// Live pledges (pending, unlocked or collected).
    pub pledges: u32,
    /// Money in live pledges (a monthly pledge counts one month).
    pub money_pledged: Cents,
    /// Money in pledges that have unlocked.
    pub money_unlocked: Cents,
    pub hours_per_week: u32,
    pub doors: u32,
    pub calls: u32,
    pub texts: u32,
}

#[derive(Clone, Debug)]
pub struct OsdiPerson {
    pub row: PersonRow,
    pub slate: String,
    pub facts: PersonFacts,
}

impl OsdiPerson {
    /// The `custom_fields` Cohort serves on a person, every one counted by
    /// Cohort (none is set by a client).
    pub const FACTS: [&'static str; 9] = [
        "cohort_slate",
        "cohort_source",
        "cohort_pledges",
        "cohort_money_pledged",
        "cohort_money_unlocked",
        "cohort_hours_per_week",
        "cohort_doors",
        "cohort_calls",
        "cohort_texts",
    ];

    /// [`OsdiPerson::FACTS`] with their values, as served.
    pub fn custom_fields(&self) -> Vec<(&'static str, String)> {
        let f = &self.facts;
        let values = [
            self.slate.clone(),
            self.row.source.clone(),
            f.pledges.to_string(),
            format!("{:#}", f.money_pledged),
            format!("{:#}", f.money_unlocked),
            f.hours_per_week.to_string(),
            f.doors.to_string(),
            f.calls.to_string(),
            f.texts.to_string(),
        ];
        Self::FACTS.into_iter().zip(values).collect()
    }
}

/// One candidate's share of an unlocked pledge.
#[derive(Clone, Debug)]
pub struct OsdiRecipient {
    pub candidate: String,
    pub name: String,
    pub amount: Cents,
}

/// An unlocked money pledge as an OSDI donation.
#[derive(Clone, Debug)]
pub struct OsdiDonation {
    pub id: Id,
    pub slate: String,
    pub person: Option<Id>,
    pub amount: Cents,
    pub recurring: bool,
    pub created_at: DateTime<Utc>,
    pub unlocked_at: DateTime<Utc>,
    pub recipients: Vec<OsdiRecipient>,
    /// The partner's referral code and name, when a partner brought it.
    pub referrer: Option<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct OsdiAttendance {
    pub rsvp: RsvpRow,
    pub person: Option<Id>,
}

#[derive(Clone, Debug)]
pub struct OsdiTagging {
    pub tag: Id,
    pub row: TaggingRow,
}

/// A person as the signup helper sends it, already parsed.
#[derive(Clone, Debug, Default)]
pub struct OsdiSignup {
    /// Which slate (a slug): needed when the token sees more than one.
    pub slate: Option<String>,
    pub email: String,
    pub fields: PersonFields,
    pub tags: Vec<String>,
    /// Action Network's `custom_fields`, name → value (see `signup.rs`).
    pub custom_fields: Vec<(String, String)>,
}

/// An RSVP as the record attendance helper sends it: the whole person, as
/// the signup helper takes them (the RSVP keeps the name, email and ZIP; the
/// people list keeps the rest).
#[derive(Clone, Debug, Default)]
pub struct OsdiAttendanceInput {
    pub email: String,
    pub fields: PersonFields,
    /// Action Network's `custom_fields`, name → value (see `signup.rs`).
    pub custom_fields: Vec<(String, String)>,
    pub referrer: Option<String>,
}

fn live(status: PledgeStatus) -> bool {
    matches!(
        status,
        PledgeStatus::Pending | PledgeStatus::Unlocked | PledgeStatus::Fulfilled
    )
}

/// What a pledge tells the people list about its pledger.
pub(crate) fn pledger_fields(p: &cohort_store::Donor) -> PersonFields {
    let (given_name, family_name) = split_name(&p.name);
    PersonFields {
        given_name,
        family_name,
        address: p.address.clone(),
        city: p.city.clone(),
        state: p.state.clone(),
        zip: p.zip.clone(),
        phone: String::new(),
    }
}

fn facts(pledges: &[PledgeRow]) -> PersonFacts {
    let mut f = PersonFacts::default();
    for p in pledges.iter().filter(|p| live(p.status)) {
        f.pledges += 1;
        match &p.kind {
            PledgeKind::Money { amount, .. } => {
                f.money_pledged = Cents(f.money_pledged.get() + amount.get());
                if p.unlocked_at.is_some() {
                    f.money_unlocked = Cents(f.money_unlocked.get() + amount.get());
                }
            }
            PledgeKind::Hours { hours_per_week, .. } => f.hours_per_week += hours_per_week,
            PledgeKind::Actions(a) => {
                f.doors += a.doors;
                f.calls += a.calls;
                f.texts += a.texts;
            }
        }
    }
    f
}

/// The OSDI name of an RSVP field the engine named.
fn attendance_field(field: &str) -> String {
    match field {
        "name" => "person.given_name",
        "email" => "person.email_addresses[0].address",
        "zip" => "person.postal_addresses[0].postal_code",
        "ref" | "referral" => "action_network:referrer_data.referrer",
        other => other,
    }
    .to_owned()
}

fn rename_field(e: EngineError) -> EngineError {
    match e {
        EngineError::Invalid { field, message } => EngineError::Invalid {
            field: attendance_field(&field),
            message,
        },
        other => other,
    }
}

impl Engine {
    /// The slates this actor may read over OSDI: an organizer token's.
    async fn osdi_slates(&self, tx: &mut dyn Tx, actor: &Actor) -> Result<Vec<SlateRow>> {
        let grants: Vec<_> = actor
            .grants()
            .into_iter()
            .filter(|g| g.role == Role::Organizer)
            .collect();
        if grants.is_empty() {
            return Err(if matches!(actor, Actor::Public) {
                EngineError::Unauthenticated(
                    "the OSDI API needs an organizer's API token in the OSDI-API-Token header"
                        .into(),
                )
            } else {
                EngineError::Forbidden(
                    "the OSDI API is for a slate's organizers; this token is not one".into(),
                )
            });
        }
        let mut slates = tx.slates().await?;
        slates.retain(|s| actor.organizes(s.id));
        slates.sort_by_key(|s| s.id);
        Ok(slates)
    }

    /// Check the actor may use OSDI at all (the entry point answers only then).
    pub async fn osdi_entry(&self, actor: &Actor) -> Result<Vec<String>> {
        let mut tx = self.store.read().await?;
        let slates = self.osdi_slates(tx.as_mut(), actor).await?;
        Ok(slates.into_iter().map(|s| s.slug.to_string()).collect())
    }

    async fn osdi_person_view(
        &self,
        tx: &mut dyn Tx,
        row: PersonRow,
        slates: &[SlateRow],
    ) -> Result<OsdiPerson> {
        let pledges: Vec<_> = tx
            .pledges_by_email(&row.email)
            .await?
            .into_iter()
            .filter(|p| p.slate_id == row.slate_id)
            .collect();
        let slate = slates
            .iter()
            .find(|s| s.id == row.slate_id)
            .map(|s| s.slug.to_string())
            .unwrap_or_default();
        Ok(OsdiPerson {
            facts: facts(&pledges),
            slate,
            row,
        })
    }

    /// A page of the people on the actor's slates.
    pub async fn osdi_people(
        &self,
        actor: &Actor,
        filter: &OsdiFilter,
        paging: Paging,
    ) -> Result<OsdiPage<OsdiPerson>> {
        let mut tx = self.store.read().await?;
        let slates = self.osdi_slates(tx.as_mut(), actor).await?;
        let q = PeopleQuery {
            slate_ids: slates.iter().map(|s| s.id).collect(),
            email: filter.email.clone(),
            modified_after: filter.modified_after,
            modified_before: filter.modified_before,
        };
        let total_records = tx.count_people(&q).await?;
        let rows = tx.people(&q, paging.offset(), paging.per_page).await?;
        let mut items = Vec::with_capacity(rows.len());
        for row in rows {
            items.push(self.osdi_person_view(tx.as_mut(), row, &slates).await?);
        }
        Ok(OsdiPage {
            items,
            paging,
            total_records,
        })
    }

    async fn visible_person(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        id: Id,
    ) -> Result<(PersonRow, Vec<SlateRow>)> {
        let slates = self.osdi_slates(tx, actor).await?;
        match tx.person(id).await? {
            Some(p) if slates.iter().any(|s| s.id == p.slate_id) => Ok((p, slates)),
            _ => Err(EngineError::not_found("person", id.to_string())),
        }
    }

    /// One person on the actor's slates.
    pub async fn osdi_person(&self, actor: &Actor, id: Id) -> Result<OsdiPerson> {
        let mut tx = self.store.read().await?;
        let (row, slates) = self.visible_person(tx.as_mut(), actor, id).await?;
        self.osdi_person_view(tx.as_mut(), row, &slates).await
    }

    async fn person_by_email(
        &self,
        tx: &mut dyn Tx,
        slate_id: Id,
        email: &Email,
    ) -> Result<Option<Id>> {
        let q = PeopleQuery {
            slate_ids: vec![slate_id],
            email: Some(email.clone()),
            ..PeopleQuery::default()
        };
        Ok(tx.people(&q, 0, 1).await?.first().map(|p| p.id))
    }

    /// Every unlocked money pledge of the slates, oldest pledge first.
    async fn donations_of(
        &self,
        tx: &mut dyn Tx,
        slates: &[SlateRow],
        filter: &OsdiFilter,
        email: Option<&Email>,
    ) -> Result<Vec<OsdiDonation>> {
        let mut out: Vec<OsdiDonation> = Vec::new();
        for slate in slates {
            let candidates = tx.candidates(slate.id).await?;
            let partners = tx.partners(slate.id).await?;
            for (a, p) in tx.allocation_details(slate.id).await? {
                let PledgeKind::Money { recurring, .. } = &p.kind else {
                    continue;
                };
                let Some(unlocked_at) = p.unlocked_at else {
                    continue;
                };
                if !filter.admits(unlocked_at) || email.is_some_and(|e| *e != p.email) {
                    continue;
                }
                let c = candidates.iter().find(|c| c.id == a.candidate_id);
                let d = match out.last_mut() {
                    Some(d) if d.id == p.id => d,
                    _ => {
                        out.push(OsdiDonation {
                            id: p.id,
                            slate: slate.slug.to_string(),
                            person: None,
                            amount: Cents::ZERO,
                            recurring: *recurring == Recurrence::Monthly,
                            created_at: p.created_at,
                            unlocked_at,
                            recipients: Vec::new(),
                            referrer: p.ref_code.as_ref().map(|code| {
                                let name = partners
                                    .iter()
                                    .find(|x| &x.code == code)
                                    .map(|x| x.name.clone())
                                    .unwrap_or_default();
                                (code.clone(), name)
                            }),
                        });
                        out.last_mut().expect("just pushed")
                    }
                };
                d.amount = Cents(d.amount.get() + a.cents.get());
                match d
                    .recipients
                    .iter_mut()
                    .find(|r| Some(r.candidate.as_str()) == c.map(|c| c.slug.as_str()))
                {
                    Some(r) => r.amount = Cents(r.amount.get() + a.cents.get()),
                    None => d.recipients.push(OsdiRecipient {
                        candidate: c.map(|c| c.slug.to_string()).unwrap_or_default(),
                        name: c.map(|c| c.name.clone()).unwrap_or_default(),
                        amount: a.cents,
                    }),
                }
            }
        }
        out.sort_by_key(|d| d.id);
        Ok(out)
    }

    async fn link_people(
        &self,
        tx: &mut dyn Tx,
        slates: &[SlateRow],
        page: &mut OsdiPage<OsdiDonation>,
    ) -> Result<()> {
        for d in &mut page.items {
            let Some(slate) = slates.iter().find(|s| s.slug.as_str() == d.slate) else {
                continue;
            };
            if let Some(p) = tx.pledge(d.id).await? {
                d.person = self.person_by_email(tx, slate.id, &p.email).await?;
            }
        }
        Ok(())
    }

    /// A page of the unlocked money on the actor's slates.
    pub async fn osdi_donations(
        &self,
        actor: &Actor,
        filter: &OsdiFilter,
        paging: Paging,
    ) -> Result<OsdiPage<OsdiDonation>> {
        let mut tx = self.store.read().await?;
        let slates = self.osdi_slates(tx.as_mut(), actor).await?;
        let all = self
            .donations_of(tx.as_mut(), &slates, filter, None)
            .await?;
        let mut page = paging.slice(all);
        self.link_people(tx.as_mut(), &slates, &mut page).await?;
        Ok(page)
    }

    /// A page of one person's unlocked money.
    pub async fn osdi_person_donations(
        &self,
        actor: &Actor,
        person: Id,
        filter: &OsdiFilter,
        paging: Paging,
    ) -> Result<OsdiPage<OsdiDonation>> {
        let mut tx = self.store.read().await?;
        let (p, slates) = self.visible_person(tx.as_mut(), actor, person).await?;
        let mine: Vec<_> = slates.into_iter().filter(|s| s.id == p.slate_id).collect();
        let all = self
            .donations_of(tx.as_mut(), &mine, filter, Some(&p.email))
            .await?;
        let mut page = paging.slice(all);
        for d in &mut page.items {
            d.person = Some(p.id);
        }
        Ok(page)
    }

    /// One unlocked money pledge on the actor's slates.
    pub async fn osdi_donation(&self, actor: &Actor, id: Id) -> Result<OsdiDonation> {
        let mut tx = self.store.read().await?;
        let slates = self.osdi_slates(tx.as_mut(), actor).await?;
        let missing = || EngineError::not_found("donation", id.to_string());
        let p = tx.pledge(id).await?.ok_or_else(missing)?;
        let mine: Vec<_> = slates.into_iter().filter(|s| s.id == p.slate_id).collect();
        let all = self
            .donations_of(tx.as_mut(), &mine, &OsdiFilter::default(), Some(&p.email))
            .await?;
        let mut d = all.into_iter().find(|d| d.id == id).ok_or_else(missing)?;
        if let Some(slate) = mine.first() {
            d.person = self
                .person_by_email(tx.as_mut(), slate.id, &p.email)
                .await?;
        }
        Ok(d)
    }

    /// A page of the joint events of the actor's slates, every status.
    pub async fn osdi_events(
        &self,
        actor: &Actor,
        filter: &OsdiFilter,
        paging: Paging,
    ) -> Result<OsdiPage<JointEventView>> {
        let slugs = self.osdi_entry(actor).await?;
        let mut all = Vec::new();
        for slug in slugs {
            all.extend(
                self.joint_events(actor, &slug, true)
                    .await?
                    .into_iter()
                    .filter(|e| filter.admits(e.updated_at)),
            );
        }
        all.sort_by_key(|e| e.id);
        Ok(paging.slice(all))
    }

    /// One joint event of the actor's slates.
    pub async fn osdi_event(&self, actor: &Actor, id: Id) -> Result<JointEventView> {
        {
            let mut tx = self.store.read().await?;
            self.visible_event(tx.as_mut(), actor, id).await?;
        }
        self.joint_event(actor, id).await
    }

    async fn visible_event(&self, tx: &mut dyn Tx, actor: &Actor, id: Id) -> Result<Id> {
        self.osdi_slates(tx, actor).await?;
        match tx.joint_event(id).await? {
            Some(e) if actor.organizes(e.slate_id) => Ok(e.slate_id),
            _ => Err(EngineError::not_found("joint event", id.to_string())),
        }
    }

    /// A page of an event's RSVPs.
    pub async fn osdi_attendances(
        &self,
        actor: &Actor,
        event: Id,
        filter: &OsdiFilter,
        paging: Paging,
    ) -> Result<OsdiPage<OsdiAttendance>> {
        let mut tx = self.store.read().await?;
        let slate_id = self.visible_event(tx.as_mut(), actor, event).await?;
        let all: Vec<_> = tx
            .rsvps(event)
            .await?
            .into_iter()
            .filter(|r| filter.admits(r.cancelled_at.unwrap_or(r.created_at)))
            .collect();
        let mut page = paging
            .slice(all)
            .map_items(|rsvp| OsdiAttendance { rsvp, person: None });
        for a in &mut page.items {
            a.person = self
                .person_by_email(tx.as_mut(), slate_id, &a.rsvp.email)
                .await?;
        }
        Ok(page)
    }

    /// One RSVP of an event.
    pub async fn osdi_attendance(
        &self,
        actor: &Actor,
        event: Id,
        id: Id,
    ) -> Result<OsdiAttendance> {
        let mut tx = self.store.read().await?;
        let slate_id = self.visible_event(tx.as_mut(), actor, event).await?;
        let rsvp = tx
            .rsvps(event)
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| EngineError::not_found("attendance", id.to_string()))?;
        let person = self
            .person_by_email(tx.as_mut(), slate_id, &rsvp.email)
            .await?;
        Ok(OsdiAttendance { rsvp, person })
    }

    /// A page of the tags of the actor's slates.
    pub async fn osdi_tags(
        &self,
        actor: &Actor,
        filter: &OsdiFilter,
        paging: Paging,
    ) -> Result<OsdiPage<TagRow>> {
        let mut tx = self.store.read().await?;
        let slates = self.osdi_slates(tx.as_mut(), actor).await?;
        let ids: Vec<_> = slates.iter().map(|s| s.id).collect();
        let mut all: Vec<_> = tx
            .tags(&ids)
            .await?
            .into_iter()
            .filter(|t| filter.admits(t.created_at))
            .collect();
        all.sort_by_key(|t| t.id);
        Ok(paging.slice(all))
    }

    async fn visible_tag(&self, tx: &mut dyn Tx, actor: &Actor, id: Id) -> Result<TagRow> {
        let slates = self.osdi_slates(tx, actor).await?;
        match tx.tag(id).await? {
            Some(t) if slates.iter().any(|s| s.id == t.slate_id) => Ok(t),
            _ => Err(EngineError::not_found("tag", id.to_string())),
        }
    }

    /// One tag.
    pub async fn osdi_tag(&self, actor: &Actor, id: Id) -> Result<TagRow> {
        let mut tx = self.store.read().await?;
        self.visible_tag(tx.as_mut(), actor, id).await
    }

    /// A page of a tag's taggings.
    pub async fn osdi_taggings(
        &self,
        actor: &Actor,
        tag: Id,
        filter: &OsdiFilter,
        paging: Paging,
    ) -> Result<OsdiPage<OsdiTagging>> {
        let mut tx = self.store.read().await?;
        let t = self.visible_tag(tx.as_mut(), actor, tag).await?;
        let all: Vec<_> = tx
            .taggings(t.id)
            .await?
            .into_iter()
            .filter(|r| filter.admits(r.created_at))
            .map(|row| OsdiTagging { tag: t.id, row })
            .collect();
        Ok(paging.slice(all))
    }

    /// One tagging: a person filed under a tag.
    pub async fn osdi_tagging(&self, actor: &Actor, tag: Id, person: Id) -> Result<OsdiTagging> {
        let mut tx = self.store.read().await?;
        let t = self.visible_tag(tx.as_mut(), actor, tag).await?;
        let row = tx
            .taggings(t.id)
            .await?
            .into_iter()
            .find(|r| r.person_id == person)
            .ok_or_else(|| EngineError::not_found("tagging", person.to_string()))?;
        Ok(OsdiTagging { tag: t.id, row })
    }

    /// The record attendance helper: an RSVP through the RSVP use case, by
    /// an organizer of the event's slate.
    pub async fn osdi_record_attendance(
        &self,
        actor: &Actor,
        event: Id,
        input: OsdiAttendanceInput,
    ) -> Result<(OsdiAttendance, bool)> {
        // The person is checked whole before anything is written: a field
        // Cohort cannot keep is refused by name, never dropped.
        let person = signup::check_person(&input.email, &input.fields, &input.custom_fields)?;
        let name = format!("{} {}", person.fields.given_name, person.fields.family_name);
        let mut tx = self.store.write().await?;
        self.visible_event(tx.as_mut(), actor, event).await?;
        let (outcome, created, person_id) = self
            .rsvp_in(
                tx.as_mut(),
                event,
                RsvpInput {
                    name: name.trim().to_owned(),
                    email: person.email.as_str().to_owned(),
                    zip: person.fields.zip.clone(),
                    referral: input.referrer,
                },
                Some(person.fields),
            )
            .await
            .map_err(rename_field)?;
        if let (false, Some(id)) = (person.facts.is_empty(), person_id) {
            let row = tx
                .person(id)
                .await?
                .ok_or_else(|| EngineError::not_found("person", id.to_string()))?;
            let slates = self.osdi_slates(tx.as_mut(), actor).await?;
            let view = self.osdi_person_view(tx.as_mut(), row, &slates).await?;
            signup::check_facts(&view, &person.facts)?;
        }
        tx.commit().await?;
        Ok((
            self.osdi_attendance(actor, event, outcome.id).await?,
            created,
        ))
    }
}

impl<T> OsdiPage<T> {
    fn map_items<U>(self, f: impl FnMut(T) -> U) -> OsdiPage<U> {
        OsdiPage {
            items: self.items.into_iter().map(f).collect(),
            paging: self.paging,
            total_records: self.total_records,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_at_the_last_space() {
        assert_eq!(
            split_name("Ana María Ruiz"),
            ("Ana María".into(), "Ruiz".into())
        );
        assert_eq!(split_name("Cher"), ("Cher".into(), String::new()));
    }

    #[test]
    fn pages_slice_and_count() {
        let p = Paging {
            page: 3,
            per_page: 2,
        }
        .slice((1..=5).collect::<Vec<_>>());
        assert_eq!((p.items, p.total_records), (vec![5], 5));
        let p = Paging {
            page: 1,
            per_page: 2,
        }
        .slice(Vec::<u8>::new());
        assert_eq!(p.total_pages(), 0);
    }
}
