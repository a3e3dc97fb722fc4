//! The demo's "already in office" slate (issue 17): seven sitting House
//! members of the 119th Congress commonly counted as "the Squad", the
//! progressive bloc whose members have campaigned together since 2018 —
//! with their bioguide ids set, three planks with roll calls tagged, and the shipped roll-call extract loaded, so cohesion,
//! targeting and the power view show real numbers from real votes on the
//! first start. The platform's sides are the demo organizer's tags, not a
//! claim about any member.

use cohort_core::model::Plank;

use crate::governing::{MemberIdInput, PlatformVoteInput};
use crate::{Actor, CandidateInput, CompactInput, Engine, EngineError, Result, SlateInput};

/// The slate's slug.
pub(crate) const GOVERNING_SLUG: &str = "already-in-office";

/// (slug, name, state, district, bioguide), from the shipped legislators.
const MEMBERS: [(&str, &str, &str, &str, &str); 7] = [
    (
        "ocasio-cortez",
        "Alexandria Ocasio-Cortez",
        "NY",
        "14",
        "O000172",
    ),
    ("omar", "Ilhan Omar", "MN", "5", "O000173"),
    ("pressley", "Ayanna Pressley", "MA", "7", "P000617"),
    ("tlaib", "Rashida Tlaib", "MI", "12", "T000481"),
    ("summer-lee", "Summer Lee", "PA", "12", "L000602"),
    ("casar", "Greg Casar", "TX", "35", "C001131"),
    ("ramirez", "Delia Ramirez", "IL", "3", "R000617"),
];

/// (vote id, plank, the platform's side), all in the shipped extract.
const TAGS: [(&str, i64, &str); 4] = [
    // Laken Riley Act (H.R. 29): detention without a hearing on a charge alone.
    ("h6-119.2025", 0, "no"),
    // Laken Riley Act (S. 5), final passage.
    ("h23-119.2025", 0, "no"),
    // Protecting American Energy Production Act: no president may pause fracking.
    ("h35-119.2025", 1, "no"),
    // The censure of Representative Al Green (H.Res. 189).
    ("h62-119.2025", 2, "no"),
];

impl Engine {
    /// Load the shipped roll calls if none are stored yet. Answers how many
    /// roll calls it loaded (0 when some were already there).
    pub async fn load_shipped_roll_calls(&self) -> Result<usize> {
        {
            let mut tx = self.store.read().await?;
            if tx.roll_call_counts().await?.0 > 0 {
                return Ok(0);
            }
        }
        let votes = cohort_congress::shipped::votes().map_err(|e| {
            EngineError::Store(cohort_store::StoreError::Other(format!(
                "the shipped roll calls do not parse: {e}"
            )))
        })?;
        let s = self.import_roll_calls(&votes, &mut |_, _| {}).await?;
        Ok(s.roll_calls)
    }

    /// Load the roll calls and the "already in office" slate into the demo
    /// (once: a second start keeps what is there). Answers the slate's slug.
    pub async fn load_governing_demo(&self, cycle: i32) -> Result<String> {
        self.load_shipped_roll_calls().await?;
        let organizer = Actor::Organizer { slate: None };
        let slug = GOVERNING_SLUG;
        match self
            .create_slate(
                &organizer,
                SlateInput {
                    slug: slug.into(),
                    name: "Already in office: the Squad".into(),
                    cycle,
                    description: "Seven sitting House members commonly counted as \"the Squad\", the progressive bloc that has campaigned together since 2018. Does the bloc hold on the floor? Their real roll calls answer.".into(),
                    condition: "signers >= 5".into(),
                },
            )
            .await
        {
            Ok(_) => {}
            Err(EngineError::Conflict { .. }) => return Ok(slug.into()),
            Err(e) => return Err(e),
        }
        for (cslug, name, state, district, _) in MEMBERS {
            self.add_candidate(
                &organizer,
                slug,
                CandidateInput {
                    slug: cslug.into(),
                    name: name.into(),
                    office: "us_house".into(),
                    state: state.into(),
                    district: Some(district.into()),
                    primary_date: None,
                    general_date: format!("{cycle}-11-03"),
                },
            )
            .await?;
        }
        let plank = |title: &str, why: &str| Plank {
            title: title.into(),
            why: why.into(),
        };
        let version = self
            .publish_compact(
                &organizer,
                slug,
                CompactInput {
                    commitments: vec![
                        "Vote with the bloc on every plank".into(),
                        "Campaign for each other's re-election".into(),
                    ],
                    planks: vec![
                        plank(
                            "Due process for immigrants",
                            "No one is jailed without a hearing on an accusation alone.",
                        ),
                        plank(
                            "Climate before fossil fuel profits",
                            "Keep the power to pause new drilling and fracking.",
                        ),
                        plank(
                            "Free speech in the chamber",
                            "No censure for speaking out of turn in protest.",
                        ),
                    ],
                },
            )
            .await?
            .version;
        for (cslug, ..) in MEMBERS {
            let token = self.issue_candidate_token(slug, cslug).await?;
            let campaign = self.authenticate(Some(&token)).await?;
            self.sign(&campaign, slug, cslug, version).await?;
        }
        for (cslug, .., bioguide) in MEMBERS {
            self.set_member_id(
                &organizer,
                slug,
                cslug,
                MemberIdInput {
                    bioguide_id: Some(bioguide.into()),
                    lis_id: None,
                },
            )
            .await?;
        }
        for (vote_id, plank, position) in TAGS {
            self.add_platform_vote(
                &organizer,
                slug,
                PlatformVoteInput {
                    vote_id: vote_id.into(),
                    plank,
                    position: position.into(),
                },
            )
            .await?;
        }
        Ok(slug.into())
    }
}
