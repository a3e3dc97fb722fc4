//! Each candidate's committee record: the name, FEC ids, treasurer and
//! address that earmarked money is forwarded to and reports name. Checked
//! once here with `cohort-books`' record types, so what the store holds is
//! always something a filing can print.

use cohort_books::records::{
    Address, AddressInput, Candidate, CandidateId, CandidateOffice, Committee, CommitteeId,
    PersonName, RecordError,
};
use cohort_core::model::Office;
use cohort_core::SlateEventKind;
use cohort_store::{CandidateRow, CommitteeRow};
use serde::{Deserialize, Serialize};

use crate::commitments::find_candidate;
use crate::slates::{find_slate, text};
use crate::{Actor, Engine, EngineError, Result};

/// What a campaign or an organizer types into the committee form.
#[derive(utoipa::ToSchema, Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CommitteeInput {
    pub name: String,
    #[serde(default)]
    pub fec_committee_id: String,
    #[serde(default)]
    pub fec_candidate_id: String,
    pub treasurer_first: String,
    pub treasurer_last: String,
    pub street1: String,
    #[serde(default)]
    pub street2: String,
    pub city: String,
    pub state: String,
    pub zip: String,
}

/// A candidate's committee as the organizer and the campaign see it.
#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommitteeView {
    pub candidate: String,
    pub candidate_name: String,
    /// Whether the FEC covers this office (then both FEC ids are required).
    pub federal: bool,
    pub name: String,
    pub fec_committee_id: String,
    pub fec_candidate_id: String,
    pub treasurer: String,
    pub treasurer_first: String,
    pub treasurer_last: String,
    pub street1: String,
    pub street2: String,
    pub city: String,
    pub state: String,
    pub zip: String,
}

fn field(name: &'static str) -> impl Fn(RecordError) -> EngineError {
    move |e| EngineError::invalid(name, e.to_string())
}

fn fec_office(office: Office) -> Option<CandidateOffice> {
    match office {
        Office::UsHouse => Some(CandidateOffice::House),
        Office::UsSenate => Some(CandidateOffice::Senate),
        _ => None,
    }
}

/// The treasurer and address of a committee form, checked.
fn treasurer_and_address(input: &CommitteeInput) -> Result<(PersonName, Address)> {
    let treasurer =
        PersonName::new(&input.treasurer_first, &input.treasurer_last).map_err(|e| {
            let name = match &e {
                RecordError::Empty { field } if field.starts_with("last") => "treasurer_last",
                _ => "treasurer_first",
            };
            EngineError::invalid(name, e.to_string())
        })?;
    let address = Address::new(AddressInput {
        street1: input.street1.clone(),
        street2: Some(input.street2.trim().to_owned()).filter(|s| !s.is_empty()),
        city: input.city.clone(),
        state: input.state.clone(),
        zip: input.zip.clone(),
    })
    .map_err(|e| {
        let name = match &e {
            RecordError::Zip { .. } => "zip",
            RecordError::State { .. } => "state",
            RecordError::Empty { field } if field.contains("city") => "city",
            _ => "street1",
        };
        EngineError::invalid(name, e.to_string())
    })?;
    Ok((treasurer, address))
}

/// Check a committee for one candidate; federal offices need both FEC ids,
/// matching the candidate's office, state and district. Returns the row to
/// store and, for a federal committee, the record the books and filings use.
fn check(c: &CandidateRow, input: &CommitteeInput) -> Result<(CommitteeRow, Option<Committee>)> {
    let (treasurer, address) = treasurer_and_address(input)?;
    let (committee_id, candidate) = match fec_office(c.race.office) {
        Some(office) => {
            let id: CommitteeId = input
                .fec_committee_id
                .parse()
                .map_err(field("fec_committee_id"))?;
            let cid: CandidateId = input
                .fec_candidate_id
                .parse()
                .map_err(field("fec_candidate_id"))?;
            if !cid.to_string().starts_with(office.code()) {
                return Err(EngineError::invalid(
                    "fec_candidate_id",
                    format!(
                        "{cid} is not a {} candidate id: it must start with {}",
                        c.race.office.label(),
                        office.code()
                    ),
                ));
            }
            let district = c.race.district.as_deref().map(|d| format!("{d:0>2}"));
            let (first, last) = c.name.rsplit_once(' ').unwrap_or((&c.name, &c.name));
            let name = PersonName::new(first, last).map_err(field("candidate"))?;
            let candidate =
                Candidate::new(cid, name, office, Some(&c.race.state), district.as_deref())
                    .map_err(field("fec_candidate_id"))?;
            (Some(id), Some(candidate))
        }
        None => {
            for (name, value) in [
                ("fec_committee_id", &input.fec_committee_id),
                ("fec_candidate_id", &input.fec_candidate_id),
            ] {
                if !value.trim().is_empty() {
                    return Err(EngineError::invalid(
                        name,
                        format!(
                            "a {} candidate files with the state, not the FEC: leave the FEC ids empty",
                            c.race.office.label()
                        ),
                    ));
                }
            }
            (None, None)
        }
    };
    let name = text("name", &input.name, 200, true)?;
    let row = CommitteeRow {
        candidate_id: c.id,
        slate_id: c.slate_id,
        name: name.clone(),
        fec_committee_id: committee_id
            .as_ref()
            .map(|i| i.to_string())
            .unwrap_or_default(),
        fec_candidate_id: candidate
            .as_ref()
            .map(|c| c.id.to_string())
            .unwrap_or_default(),
        treasurer_first: treasurer.first.clone(),
        treasurer_last: treasurer.last.clone(),
        street1: address.street1.clone(),
        street2: address.street2.clone().unwrap_or_default(),
        city: address.city.clone(),
        state: address.state.clone(),
        zip: address.zip.clone(),
    };
    let record = match committee_id {
        Some(id) => {
            Some(Committee::new(id, &name, treasurer, address, candidate).map_err(field("name"))?)
        }
        None => None,
    };
    Ok((row, record))
}

impl From<&CommitteeRow> for CommitteeInput {
    fn from(r: &CommitteeRow) -> CommitteeInput {
        CommitteeInput {
            name: r.name.clone(),
            fec_committee_id: r.fec_committee_id.clone(),
            fec_candidate_id: r.fec_candidate_id.clone(),
            treasurer_first: r.treasurer_first.clone(),
            treasurer_last: r.treasurer_last.clone(),
            street1: r.street1.clone(),
            street2: r.street2.clone(),
            city: r.city.clone(),
            state: r.state.clone(),
            zip: r.zip.clone(),
        }
    }
}

/// A stored committee as the books know it: `None` for an office the FEC
/// does not cover (or a record that no longer checks).
pub(crate) fn committee_record(c: &CandidateRow, row: &CommitteeRow) -> Option<Committee> {
    check(c, &CommitteeInput::from(row))
        .ok()
        .and_then(|(_, r)| r)
}

/// The conduit's own committee (Cohort, a nonconnected PAC): no candidate;
/// its FEC id is required.
pub(crate) fn conduit_record(input: &CommitteeInput) -> Result<Committee> {
    let (treasurer, address) = treasurer_and_address(input)?;
    let id: CommitteeId = input
        .fec_committee_id
        .parse()
        .map_err(field("fec_committee_id"))?;
    if !input.fec_candidate_id.trim().is_empty() {
        return Err(EngineError::invalid(
            "fec_candidate_id",
            "the conduit is a PAC, authorized by no candidate: leave the candidate id empty",
        ));
    }
    let name = text("name", &input.name, 200, true)?;
    Committee::new(id, &name, treasurer, address, None).map_err(field("name"))
}

fn view(c: &CandidateRow, row: Option<&CommitteeRow>) -> CommitteeView {
    let blank = CommitteeRow {
        candidate_id: c.id,
        slate_id: c.slate_id,
        name: String::new(),
        fec_committee_id: String::new(),
        fec_candidate_id: String::new(),
        treasurer_first: String::new(),
        treasurer_last: String::new(),
        street1: String::new(),
        street2: String::new(),
        city: String::new(),
        state: String::new(),
        zip: String::new(),
    };
    let r = row.cloned().unwrap_or(blank);
    CommitteeView {
        candidate: c.slug.to_string(),
        candidate_name: c.name.clone(),
        federal: fec_office(c.race.office).is_some(),
        treasurer: format!("{} {}", r.treasurer_first, r.treasurer_last)
            .trim()
            .to_owned(),
        name: r.name,
        fec_committee_id: r.fec_committee_id,
        fec_candidate_id: r.fec_candidate_id,
        treasurer_first: r.treasurer_first,
        treasurer_last: r.treasurer_last,
        street1: r.street1,
        street2: r.street2,
        city: r.city,
        state: r.state,
        zip: r.zip,
    }
}

impl Engine {
    /// Record (or correct) a candidate's committee: its own campaign account
    /// or an organizer of the slate. Nothing is written unless every field checks.
    pub async fn set_committee(
        &self,
        actor: &Actor,
        slate: &str,
        candidate: &str,
        input: CommitteeInput,
    ) -> Result<CommitteeView> {
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        let c = find_candidate(tx.as_mut(), &s, candidate).await?;
        if !actor.organizes(s.id) {
            actor.require_candidate(s.id, c.id, candidate)?;
        }
        let (row, _) = check(&c, &input)?;
        tx.upsert_committee(&row, self.now()).await?;
        let payload = serde_json::json!({
            "candidate": candidate,
            "committee": row.name,
            "fec_committee_id": row.fec_committee_id,
        });
        tx.append_event(
            s.id,
            SlateEventKind::CommitteeSet,
            &payload.to_string(),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(view(&c, Some(&row)))
    }

    /// Every candidate's committee record (blank where none is recorded yet):
    /// all of them for an organizer, only its own for a campaign account.
    pub async fn committees(&self, actor: &Actor, slate: &str) -> Result<Vec<CommitteeView>> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        let mine = actor.campaigns(s.id);
        if !actor.organizes(s.id) && mine.is_empty() {
            actor.require_organizer(&s)?;
        }
        let rows = tx.committees(s.id).await?;
        Ok(tx
            .candidates(s.id)
            .await?
            .iter()
            .filter(|c| actor.organizes(s.id) || mine.contains(&c.id))
            .map(|c| view(c, rows.iter().find(|r| r.candidate_id == c.id)))
            .collect())
    }
}
