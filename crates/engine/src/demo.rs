//! The demo slate: real 2028 races (incumbents from the public-domain
//! congress-legislators data), fictional challengers, and a few hundred
//! generated pledges, loaded through the same use cases a user would call.

use cohort_core::model::PledgeStatus;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;

use crate::{
    Actor, CandidateInput, CommitteeInput, CompactInput, DonorAsSent, Engine, EngineError,
    PledgeAsSent, Result, SlateInput,
};

#[derive(Debug, Deserialize)]
pub struct DemoSpec {
    pub slate: DemoSlate,
    pub compact: CompactInput,
    pub candidates: Vec<DemoCandidate>,
    pub signatures: Vec<String>,
    pub endorsements: Vec<(String, String)>,
    pub pledges: DemoPledges,
    /// A lively conversation to seed (issue 4), if any.
    #[serde(default)]
    pub conversation: Option<crate::conversation::DemoConversation>,
    /// The conduit's own committee record (issue 6), if any.
    #[serde(default)]
    pub conduit: Option<CommitteeInput>,
}

#[derive(Debug, Deserialize)]
pub struct DemoSlate {
    pub slug: String,
    pub name: String,
    pub cycle: i32,
    pub description: String,
    pub condition: String,
}

#[derive(Debug, Deserialize)]
pub struct DemoCandidate {
    pub slug: String,
    pub name: String,
    pub office: String,
    pub state: String,
    pub district: Option<String>,
    pub primary_date: Option<String>,
    pub general_date: String,
    /// Where its earmarked money is forwarded (issue 6).
    #[serde(default)]
    pub committee: Option<CommitteeInput>,
}

#[derive(Debug, Deserialize)]
pub struct DemoPledges {
    pub count: usize,
    pub seed: u64,
    pub money_amounts_cents: Vec<i64>,
    pub money_weights: Vec<u32>,
    pub share_monthly: f64,
    pub share_hours: f64,
    pub share_actions: f64,
    pub states: Vec<String>,
    pub first_names: Vec<String>,
    pub last_names: Vec<String>,
    pub skills: Vec<String>,
}

/// What loading the demo produced.
#[derive(Debug, Clone, Default)]
pub struct DemoSummary {
    pub slug: String,
    pub pledges: usize,
    pub unlocked: usize,
}

impl Engine {
    /// Load the demo into an empty database. Does nothing (and says so) if the
    /// demo slate already exists.
    pub async fn load_demo(&self, spec: &DemoSpec) -> Result<Option<DemoSummary>> {
        let organizer = Actor::Organizer { slate: None };
        let s = &spec.slate;
        match self
            .create_slate(
                &organizer,
                SlateInput {
                    slug: s.slug.clone(),
                    name: s.name.clone(),
                    cycle: s.cycle,
                    description: s.description.clone(),
                    condition: s.condition.clone(),
                },
            )
            .await
        {
            Ok(_) => {}
            Err(EngineError::Conflict { .. }) => return Ok(None),
            Err(e) => return Err(e),
        }
        for c in &spec.candidates {
            self.add_candidate(
                &organizer,
                &s.slug,
                CandidateInput {
                    slug: c.slug.clone(),
                    name: c.name.clone(),
                    office: c.office.clone(),
                    state: c.state.clone(),
                    district: c.district.clone(),
                    primary_date: c.primary_date.clone(),
                    general_date: c.general_date.clone(),
                },
            )
            .await?;
        }
        for c in &spec.candidates {
            if let Some(committee) = &c.committee {
                self.set_committee(&organizer, &s.slug, &c.slug, committee.clone())
                    .await?;
            }
        }
        if let Some(conduit) = &spec.conduit {
            self.set_conduit(&organizer, conduit.clone()).await?;
        }
        let version = self
            .publish_compact(&organizer, &s.slug, spec.compact.clone())
            .await?
            .version;
        let mut campaign = std::collections::HashMap::new();
        for c in &spec.candidates {
            let token = self.issue_candidate_token(&s.slug, &c.slug).await?;
            campaign.insert(c.slug.clone(), self.authenticate(Some(&token)).await?);
        }
        let actor = |slug: &str| campaign.get(slug).cloned().unwrap_or(Actor::Public);
        for signer in &spec.signatures {
            self.sign(&actor(signer), &s.slug, signer, version).await?;
        }
        for (from, to) in &spec.endorsements {
            self.endorse(&actor(from), &s.slug, from, to).await?;
        }
        let mut summary = DemoSummary {
            slug: s.slug.clone(),
            ..DemoSummary::default()
        };
        for input in generate_pledges(spec) {
            let out = self
                .pledge_with(&s.slug, input.try_into()?, None, false)
                .await?;
            summary.pledges += 1;
            if out.pledge.status == PledgeStatus::Unlocked {
                summary.unlocked += 1;
            }
        }
        // Volunteer profiles and team needs, so the matching has a preview.
        self.demo_teams(&s.slug, 24).await?;
        self.demo_joint_events(&s.slug, &spec.signatures).await?;
        if let Some(c) = &spec.conversation {
            let started = std::time::Instant::now();
            self.load_demo_conversation(&organizer, &s.slug, c).await?;
            self.recompute_conversation(&s.slug).await?;
            tracing::info!(
                ms = started.elapsed().as_millis() as u64,
                "demo conversation loaded and analyzed"
            );
        }
        // The generated supporters (at example.org) get no receipts, no
        // unlock notices and no weekly digest this week: tell them now, into
        // the void.
        self.send_notices().await?;
        self.send_digests().await?;
        while self.deliver_email(&Discard, 500).await? > 0 {}
        Ok(Some(summary))
    }
}

/// Marks emails delivered without sending them (the demo's made-up supporters).
struct Discard;

#[async_trait::async_trait]
impl crate::Mailer for Discard {
    async fn send(
        &self,
        _: &cohort_store::NewEmail,
    ) -> std::result::Result<(), crate::MailerError> {
        Ok(())
    }
}

/// Every `REPEAT_EVERY`th generated pledge is a further pledge by the
/// supporter `REPEAT_BACK` places before (same email, name and address), so
/// the demo shows several pledges by one person and the one email per
/// person, not per pledge, that an unlock sends them.
pub const REPEAT_EVERY: usize = 8;
const REPEAT_BACK: usize = 3;

/// Deterministic pledges from the spec: the same seed, the same demo.
pub fn generate_pledges(spec: &DemoSpec) -> Vec<PledgeAsSent> {
    let p = &spec.pledges;
    let mut rng = StdRng::seed_from_u64(p.seed);
    let total_weight: u32 = p.money_weights.iter().sum::<u32>().max(1);
    let signers = &spec.signatures;
    let mut out = Vec::with_capacity(p.count);
    for i in 0..p.count {
        let first = &p.first_names[rng.gen_range(0..p.first_names.len().max(1))];
        let last = &p.last_names[rng.gen_range(0..p.last_names.len().max(1))];
        let state = p.states[rng.gen_range(0..p.states.len().max(1))].clone();
        let email = format!(
            "{}.{}{}@example.org",
            first.to_lowercase().replace(' ', ""),
            last.to_lowercase().replace(' ', ""),
            i
        );
        let mut donor = DonorAsSent {
            email,
            name: format!("{first} {last}"),
            address: format!("{} Main St", 10 + i),
            city: "Springfield".into(),
            state,
            zip: format!("{:05}", 10_000 + (i * 37) % 89_000),
            employer: "Self-employed".into(),
            occupation: ["Teacher", "Nurse", "Electrician", "Engineer", "Retired"][i % 5].into(),
            attests_eligible: true,
        };
        // After every draw above, so the rest of the demo is unchanged.
        if i % REPEAT_EVERY == REPEAT_EVERY - 1 {
            let earlier: &PledgeAsSent = &out[i - REPEAT_BACK];
            donor = earlier.donor.clone();
        }
        let roll: f64 = rng.gen();
        let mut input = PledgeAsSent {
            donor,
            ..PledgeAsSent::default()
        };
        if roll < p.share_hours {
            input.kind = "hours".into();
            input.hours_per_week = Some(rng.gen_range(2..=10));
            input.weeks = Some(rng.gen_range(4..=20));
            let n = rng.gen_range(1..=2);
            input.skills = Some(
                (0..n)
                    .map(|_| p.skills[rng.gen_range(0..p.skills.len().max(1))].clone())
                    .collect(),
            );
        } else if roll < p.share_hours + p.share_actions {
            input.kind = "actions".into();
            input.actions = Some(crate::ActionsAsSent {
                doors: rng.gen_range(0..=200),
                calls: rng.gen_range(0..=300),
                texts: rng.gen_range(1..=500),
            });
        } else {
            input.kind = "money".into();
            let mut pick = rng.gen_range(0..total_weight);
            let mut amount = p.money_amounts_cents.first().copied().unwrap_or(2500);
            for (a, w) in p.money_amounts_cents.iter().zip(&p.money_weights) {
                if pick < *w {
                    amount = *a;
                    break;
                }
                pick -= w;
            }
            input.amount_cents = Some(amount);
            input.recurring = Some(
                if rng.gen_bool(p.share_monthly.clamp(0.0, 1.0)) {
                    "monthly"
                } else {
                    "once"
                }
                .into(),
            );
            // A few supporters set their own, looser terms: back the signers already in.
            match rng.gen_range(0..10) {
                0 if signers.len() >= 3 => {
                    input.condition = Some("signers >= 3 and states >= 3".into())
                }
                1 => input.condition = Some("pledged >= $150,000".into()),
                2 if !signers.is_empty() => {
                    input.candidates = Some(signers.iter().take(2).cloned().collect())
                }
                _ => {}
            }
        }
        out.push(input);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn some_demo_supporters_pledge_more_than_once_and_the_demo_is_the_same_every_time() {
        let spec: DemoSpec =
            serde_json::from_str(include_str!("../../../data/demo/slate.json")).expect("spec");
        let emails = |v: Vec<PledgeAsSent>| -> Vec<String> {
            v.into_iter().map(|p| p.donor.email).collect()
        };
        let first = emails(generate_pledges(&spec));
        assert_eq!(first, emails(generate_pledges(&spec)), "deterministic");
        let mut counts = std::collections::BTreeMap::<&str, usize>::new();
        for e in &first {
            *counts.entry(e.as_str()).or_default() += 1;
        }
        let repeat = counts.values().filter(|&&n| n > 1).count();
        assert_eq!(repeat, spec.pledges.count / REPEAT_EVERY, "{counts:?}");
        assert_eq!(counts.len(), first.len() - repeat);
    }
}
