//! The person signup helper (issue 19): add or merge a person by email,
//! tag them, and read Action Network's `custom_fields` the one way Cohort
//! can keep them. See docs/osdi.md "Custom fields".
//!
//! Cohort keeps no free-form fields on a person. A custom field is either
//! - named like a column of the people import (`phone`, `zip_code`,
//!   `Address`, `can2_user_city`, …: `people_csv::column_of`): it fills that
//!   field of the person (when the structured field is empty, or says the
//!   same), so an Action Network export's columns mean the same thing by
//!   either door;
//! - one of the `cohort_*` facts Cohort serves: counted from the person's
//!   pledges (or where they came from), never set. A client that reads a
//!   person and posts it back sends them unchanged, and that is accepted;
//!   a different value is refused, as money outside a pledge is;
//! - anything else: refused, naming `person.custom_fields.NAME`, and nothing
//!   is written. Silently dropping what a client sent would let it believe
//!   Cohort keeps it.

use cohort_core::people_csv::{column_of, Column};
use cohort_core::Email;
use cohort_store::PersonFields;

use super::{OsdiPerson, OsdiSignup};
use crate::{Actor, Engine, EngineError, Result};

const TAG_MAX: usize = 100;
const FIELD_MAX: usize = 200;
/// Custom fields one signup may carry.
const CUSTOM_FIELDS_MAX: usize = 50;

fn short(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.chars().count() > FIELD_MAX || v.chars().any(char::is_control) {
        return Err(EngineError::invalid(
            field,
            format!("must be one line of at most {FIELD_MAX} characters"),
        ));
    }
    Ok(v.to_owned())
}

fn custom(name: &str) -> String {
    format!("person.custom_fields.{name}")
}

/// The structured field a column fills, and its OSDI name.
fn slot(fields: &mut PersonFields, c: Column) -> Option<(&mut String, &'static str)> {
    Some(match c {
        Column::Email => return None,
        Column::GivenName => (&mut fields.given_name, "person.given_name"),
        Column::FamilyName => (&mut fields.family_name, "person.family_name"),
        Column::Address => (
            &mut fields.address,
            "person.postal_addresses[0].address_lines",
        ),
        Column::City => (&mut fields.city, "person.postal_addresses[0].locality"),
        Column::State => (&mut fields.state, "person.postal_addresses[0].region"),
        Column::Zip => (&mut fields.zip, "person.postal_addresses[0].postal_code"),
        Column::Phone => (&mut fields.phone, "person.phone_numbers[0].number"),
    })
}

/// Fold the custom fields that name a person field into `fields`; answer
/// the `cohort_*` ones, to check against what is served once the person is
/// read back. Anything else is refused by name.
fn read_custom_fields(
    custom_fields: &[(String, String)],
    fields: &mut PersonFields,
) -> Result<Vec<(String, String)>> {
    if custom_fields.len() > CUSTOM_FIELDS_MAX {
        return Err(EngineError::invalid(
            "person.custom_fields",
            format!("at most {CUSTOM_FIELDS_MAX} custom fields"),
        ));
    }
    let mut facts = Vec::new();
    for (name, value) in custom_fields {
        let field = custom(name);
        let value = short(&field, value)?;
        if name.starts_with("cohort_") {
            if !OsdiPerson::FACTS.contains(&name.as_str()) {
                return Err(EngineError::invalid(
                    field,
                    format!(
                        "Cohort serves no custom field {name:?}; its own are {}",
                        OsdiPerson::FACTS.join(", ")
                    ),
                ));
            }
            facts.push((name.clone(), value));
            continue;
        }
        let Some(column) = column_of(name) else {
            return Err(EngineError::invalid(
                field,
                format!(
                    "Cohort keeps no custom field {name:?}: a person here has a name, email, \
                     address and phone (a custom field named like one, such as phone or zip_code, \
                     fills it) and the cohort_* facts counted from their pledges; leave it out"
                ),
            ));
        };
        let Some((stored, osdi)) = slot(fields, column) else {
            return Err(EngineError::invalid(
                field,
                "the email address goes in person.email_addresses[0].address",
            ));
        };
        if value.is_empty() {
            continue;
        }
        if stored.is_empty() {
            *stored = value;
        } else if !stored.eq_ignore_ascii_case(&value) {
            return Err(EngineError::invalid(
                field,
                format!("says {value:?} where {osdi} says {stored:?}; send one"),
            ));
        }
    }
    Ok(facts)
}

/// A person as a helper sent them, checked: the email, the fields (custom
/// fields that name one folded in) and the `cohort_*` facts to compare with
/// what is served once the person is read back ([`check_facts`]).
pub(super) struct Checked {
    pub email: Email,
    pub fields: PersonFields,
    pub facts: Vec<(String, String)>,
}

/// Checks a person the signup or the record attendance helper sent, before
/// anything is written.
pub(super) fn check_person(
    email: &str,
    f: &PersonFields,
    custom_fields: &[(String, String)],
) -> Result<Checked> {
    let email = Email::parse(email)
        .map_err(|e| EngineError::invalid("person.email_addresses[0].address", e.to_string()))?;
    let mut fields = PersonFields {
        given_name: short("person.given_name", &f.given_name)?,
        family_name: short("person.family_name", &f.family_name)?,
        address: short("person.postal_addresses[0].address_lines", &f.address)?,
        city: short("person.postal_addresses[0].locality", &f.city)?,
        state: short("person.postal_addresses[0].region", &f.state)?,
        zip: short("person.postal_addresses[0].postal_code", &f.zip)?,
        phone: short("person.phone_numbers[0].number", &f.phone)?,
    };
    let facts = read_custom_fields(custom_fields, &mut fields)?;
    Ok(Checked {
        email,
        fields,
        facts,
    })
}

impl Engine {
    /// The person signup helper: add or merge a person by email on one of
    /// the actor's slates and file them under the tags given (made if new).
    /// Answers the person and whether they are new.
    pub async fn osdi_signup(
        &self,
        actor: &Actor,
        input: OsdiSignup,
    ) -> Result<(OsdiPerson, bool)> {
        let at = self.now();
        let Checked {
            email,
            fields,
            facts,
        } = check_person(&input.email, &input.fields, &input.custom_fields)?;
        let mut tags = Vec::new();
        for (i, t) in input.tags.iter().enumerate() {
            let name = t.trim();
            if name.is_empty()
                || name.chars().count() > TAG_MAX
                || name.chars().any(char::is_control)
            {
                return Err(EngineError::invalid(
                    format!("add_tags[{i}]"),
                    format!("a tag is one line of 1 to {TAG_MAX} characters"),
                ));
            }
            tags.push(name.to_owned());
        }
        let mut tx = self.store.write().await?;
        let slates = self.osdi_slates(tx.as_mut(), actor).await?;
        let slate = match (&input.slate, slates.as_slice()) {
            (Some(slug), _) => slates
                .iter()
                .find(|s| s.slug.as_str() == slug)
                .ok_or_else(|| EngineError::invalid("cohort:slate", format!("{slug:?} is not a slate this token organizes")))?,
            (None, [only]) => only,
            (None, _) => {
                return Err(EngineError::invalid(
                    "cohort:slate",
                    "this token organizes more than one slate: name the slate's slug in \"cohort:slate\"",
                ))
            }
        }
        .clone();
        let (id, new) = tx
            .upsert_person(slate.id, &email, &fields, "osdi", at)
            .await?;
        for name in &tags {
            let tag = tx.upsert_tag(slate.id, name, at).await?;
            tx.tag_person(tag.id, id, at).await?;
        }
        let row = tx
            .person(id)
            .await?
            .ok_or_else(|| EngineError::not_found("person", id.to_string()))?;
        let view = self.osdi_person_view(tx.as_mut(), row, &slates).await?;
        check_facts(&view, &facts)?;
        tx.commit().await?;
        Ok((view, new))
    }
}

/// The `cohort_*` custom fields sent must be what Cohort serves (the
/// transaction is dropped otherwise: nothing written).
pub(super) fn check_facts(view: &OsdiPerson, sent: &[(String, String)]) -> Result<()> {
    let served = view.custom_fields();
    for (name, value) in sent {
        let now = served
            .iter()
            .find(|(n, _)| *n == name.as_str())
            .map(|(_, v)| v.as_str())
            .unwrap_or_default();
        if now != value {
            return Err(EngineError::invalid(
                custom(name),
                format!(
                    "Cohort counts {name} itself (from the person's pledges, or where they came from): \
                     it is {now:?} and cannot be set; send it unchanged or leave it out"
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)], fields: &mut PersonFields) -> Result<Vec<(String, String)>> {
        let v: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        read_custom_fields(&v, fields)
    }

    #[test]
    fn a_custom_field_named_like_a_column_fills_that_field() {
        let mut f = PersonFields::default();
        let facts =
            read(&[("Phone", "518-555-0100"), ("zip_code", "12180")], &mut f).expect("read");
        assert_eq!(
            (f.phone.as_str(), f.zip.as_str()),
            ("518-555-0100", "12180")
        );
        assert!(facts.is_empty());
    }

    #[test]
    fn unknown_and_conflicting_fields_are_refused_by_name() {
        let field = |r: Result<Vec<(String, String)>>| match r {
            Err(EngineError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        let mut f = PersonFields::default();
        assert_eq!(
            field(read(&[("favorite_color", "red")], &mut f)),
            "person.custom_fields.favorite_color"
        );
        assert_eq!(
            field(read(&[("cohort_mood", "1")], &mut f)),
            "person.custom_fields.cohort_mood"
        );
        assert_eq!(
            field(read(&[("email", "a@example.org")], &mut f)),
            "person.custom_fields.email"
        );
        let mut f = PersonFields {
            zip: "12180".into(),
            ..PersonFields::default()
        };
        assert_eq!(
            field(read(&[("zip", "10001")], &mut f)),
            "person.custom_fields.zip"
        );
        assert!(read(&[("zip", "12180")], &mut f).is_ok(), "the same: fine");
    }
}
