//! The demo slate's joint events (issue 15): one held town hall, an
//! upcoming joint livestream and an upcoming joint fundraiser, each hosted
//! by signers and confirmed by every host's campaign.

use chrono::Duration;
use cohort_core::joint_event::{EventKind, EventStatus, HostAnswer, Location};
use cohort_core::model::{PledgeKind, Recurrence};
use cohort_core::{Cents, Email};
use cohort_store::{Donor, NewJointEvent};

use crate::joint_events::JointEventInput;
use crate::{Actor, Engine, EngineError, PledgeRequest, Result};

impl Engine {
    /// Add the demo's joint events to `slug`, hosted by its first signers.
    pub(crate) async fn demo_joint_events(&self, slug: &str, signers: &[String]) -> Result<()> {
        if signers.len() < 3 {
            return Ok(());
        }
        let organizer = Actor::Organizer { slate: None };
        let now = self.now();
        let (slate_id, ids) = {
            let mut tx = self.store.read().await?;
            let slate = tx
                .slate_by_slug(slug)
                .await?
                .ok_or_else(|| EngineError::not_found("slate", slug))?;
            let cands = tx.candidates(slate.id).await?;
            let ids: Vec<(String, i64)> = signers
                .iter()
                .filter_map(|s| cands.iter().find(|c| c.slug.as_str() == s))
                .map(|c| (c.slug.to_string(), c.id))
                .collect();
            (slate.id, ids)
        };
        // the held town hall happened last month: written as it stands now
        {
            // 7 PM Eastern (midnight UTC) a month ago, not whatever minute the demo started
            let start = (now - Duration::days(30))
                .date_naive()
                .and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc())
                .unwrap_or(now - Duration::days(30));
            let mut tx = self.store.write().await?;
            tx.lock_slate(slate_id).await?;
            let id = tx
                .insert_joint_event(&NewJointEvent {
                    slate_id,
                    kind: EventKind::TownHall,
                    title: "Town hall: water, wages and the river towns".into(),
                    description: "Three candidates on one stage, taking questions from the floor."
                        .into(),
                    starts_at: start,
                    ends_at: start + Duration::hours(2),
                    timezone: "America/New_York".into(),
                    location: Some(Location {
                        venue: "Union Hall".into(),
                        address: "12 Main St".into(),
                        city: "Albany".into(),
                        state: "NY".into(),
                        zip: "12207".into(),
                    }),
                    online_url: None,
                    capacity: Some(300),
                    hosts: ids.iter().take(3).map(|(_, id)| *id).collect(),
                    proposed_by: "organizer".into(),
                    created_at: start - Duration::days(14),
                })
                .await?;
            for (_, c) in ids.iter().take(3) {
                tx.answer_host(id, *c, HostAnswer::Confirmed, start - Duration::days(13))
                    .await?;
            }
            tx.set_joint_event_status(id, EventStatus::Proposed, EventStatus::Confirmed, start)
                .await?;
            tx.record_joint_event_held(id, 212, start + Duration::hours(3))
                .await?;
            tx.commit().await?;
        }
        let upcoming = [
            (
                EventKind::Livestream,
                "Live together: ask the bloc anything",
                Duration::days(9),
                None,
                Some("https://live.example.org/people-first"),
                vec![0usize, 1],
            ),
            (
                EventKind::Fundraiser,
                "Joint fundraiser: one slate, one night",
                Duration::days(21),
                Some(Location {
                    venue: "Riverside Community Center".into(),
                    address: "400 Water St".into(),
                    city: "Pittsburgh".into(),
                    state: "PA".into(),
                    zip: "15222".into(),
                }),
                None,
                vec![1usize, 2],
            ),
        ];
        for (kind, title, after, location, url, hosts) in upcoming {
            let start = (now + after)
                .date_naive()
                .and_hms_opt(23, 0, 0)
                .map(|t| t.and_utc())
                .unwrap_or(now + after);
            let hosts: Vec<(String, i64)> =
                hosts.iter().filter_map(|i| ids.get(*i).cloned()).collect();
            let e = self
                .propose_joint_event(
                    &organizer,
                    slug,
                    JointEventInput {
                        kind: kind.as_str().into(),
                        title: title.into(),
                        description: "Hosted together by candidates who signed the compact.".into(),
                        starts_at: start.to_rfc3339(),
                        ends_at: (start + Duration::hours(2)).to_rfc3339(),
                        timezone: "America/New_York".into(),
                        location,
                        online_url: url.map(str::to_owned),
                        hosts: hosts.iter().map(|(s, _)| s.clone()).collect(),
                        capacity: Some(250),
                    },
                )
                .await?;
            for (s, c) in &hosts {
                let actor = Actor::Candidate {
                    slate: slate_id,
                    candidate: *c,
                };
                self.answer_joint_event(&actor, e.id, s, true).await?;
            }
            if kind == EventKind::Fundraiser {
                self.demo_fundraiser_pledges(slug, e.id).await?;
            }
        }
        Ok(())
    }

    /// A few supporters give through the demo's joint fundraiser (its page
    /// shows what it raised; the money splits across its hosts only).
    async fn demo_fundraiser_pledges(&self, slug: &str, event: i64) -> Result<()> {
        let givers = [
            ("Rosa Delgado", "PA", 5_000, Recurrence::Once),
            ("Kwame Mensah", "NY", 2_500, Recurrence::Monthly),
            ("Ingrid Halvorsen", "MN", 10_000, Recurrence::Once),
            ("Priya Raman", "OH", 1_500, Recurrence::Monthly),
            ("Luis Ortega", "PA", 20_000, Recurrence::Once),
        ];
        for (i, (name, state, cents, recurring)) in givers.into_iter().enumerate() {
            let email = format!("{}@example.org", name.to_lowercase().replace(' ', "."));
            let mut request = PledgeRequest::new(
                PledgeKind::Money {
                    amount: Cents(cents),
                    recurring,
                },
                Email::parse(&email)
                    .map_err(|e| EngineError::invalid("donor.email", e.to_string()))?,
                Donor {
                    name: name.into(),
                    address: format!("{} River Rd", 20 + i),
                    city: "Springfield".into(),
                    state: state.into(),
                    zip: format!("{:05}", 15_222 + i),
                    employer: "Self-employed".into(),
                    occupation: "Teacher".into(),
                    attests_eligible: true,
                },
            );
            request.ref_code = (i % 2 == 0).then(|| "river-union".to_owned());
            request.joint_event = Some(event);
            self.pledge_with(slug, request, None, false).await?;
        }
        Ok(())
    }
}
