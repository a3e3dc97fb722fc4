//! A person's side of taggings and attendances (issue 19), as Action Network
//! links them from each person: `osdi:taggings` (the tags they are filed
//! under) and `osdi:attendances` (their RSVPs to the slate's joint events,
//! matched by email as the event side matches them to people).

use cohort_store::Id;

use super::{OsdiAttendance, OsdiFilter, OsdiPage, OsdiTagging, Paging};
use crate::{Actor, Engine, Result};

impl Engine {
    /// A page of the tags a person on the actor's slates is filed under,
    /// oldest filing first.
    pub async fn osdi_person_taggings(
        &self,
        actor: &Actor,
        person: Id,
        filter: &OsdiFilter,
        paging: Paging,
    ) -> Result<OsdiPage<OsdiTagging>> {
        let mut tx = self.store.read().await?;
        let (p, _) = self.visible_person(tx.as_mut(), actor, person).await?;
        let all: Vec<_> = tx
            .taggings_of(p.id)
            .await?
            .into_iter()
            .filter(|r| filter.admits(r.created_at))
            .map(|row| OsdiTagging {
                tag: row.tag_id,
                row,
            })
            .collect();
        Ok(paging.slice(all))
    }

    /// A page of a person's RSVPs to their slate's joint events (every
    /// status), oldest first.
    pub async fn osdi_person_attendances(
        &self,
        actor: &Actor,
        person: Id,
        filter: &OsdiFilter,
        paging: Paging,
    ) -> Result<OsdiPage<OsdiAttendance>> {
        let mut tx = self.store.read().await?;
        let (p, _) = self.visible_person(tx.as_mut(), actor, person).await?;
        let mut all = Vec::new();
        for e in tx.joint_events(p.slate_id).await? {
            all.extend(
                tx.rsvps(e.id)
                    .await?
                    .into_iter()
                    .filter(|r| r.email == p.email)
                    .filter(|r| filter.admits(r.cancelled_at.unwrap_or(r.created_at)))
                    .map(|rsvp| OsdiAttendance {
                        rsvp,
                        person: Some(p.id),
                    }),
            );
        }
        all.sort_by_key(|a| (a.rsvp.created_at, a.rsvp.id));
        Ok(paging.slice(all))
    }
}
