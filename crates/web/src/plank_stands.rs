//! Who stands on each plank (issue 16, "the platform across districts"): a
//! candidate stands on a plank when the compact version they signed holds
//! it (by title). A signer of an older version that lacked it is named as
//! such, so a plank adopted after they signed never reads as theirs.

use std::collections::HashMap;

use cohort_engine::{Engine, SlateView};

/// One plank of the current compact and where the signers are on it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct PlankStand {
    pub title: String,
    /// Signers whose signed version holds this plank, with their district.
    pub on: Vec<String>,
    /// Signers of an earlier version without it.
    pub earlier: Vec<String>,
}

/// Each current plank with who stands on it; `planks_of` holds the plank
/// titles of every version someone signed.
pub(crate) fn stands(slate: &SlateView, planks_of: &HashMap<i32, Vec<String>>) -> Vec<PlankStand> {
    let Some(compact) = &slate.compact else {
        return Vec::new();
    };
    compact
        .planks
        .iter()
        .map(|plank| {
            let mut stand = PlankStand {
                title: plank.title.clone(),
                ..PlankStand::default()
            };
            for c in slate.candidates.iter().filter(|c| c.signed) {
                let Some(v) = c.signed_version else { continue };
                let holds = planks_of
                    .get(&v)
                    .is_some_and(|titles| titles.contains(&plank.title));
                let seat = match &c.district {
                    Some(d) => format!("{} ({}-{d})", c.name, c.state),
                    None => format!("{} ({})", c.name, c.state),
                };
                if holds {
                    stand.on.push(seat);
                } else {
                    stand.earlier.push(c.name.clone());
                }
            }
            stand
        })
        .collect()
}

/// [`stands`] for a slate, reading each signed version's planks once.
pub(crate) async fn load(
    engine: &Engine,
    slate: &SlateView,
) -> cohort_engine::Result<Vec<PlankStand>> {
    let mut planks_of: HashMap<i32, Vec<String>> = HashMap::new();
    if let Some(c) = &slate.compact {
        planks_of.insert(
            c.version,
            c.planks.iter().map(|p| p.title.clone()).collect(),
        );
    }
    for v in slate.candidates.iter().filter_map(|c| c.signed_version) {
        if planks_of.contains_key(&v) {
            continue;
        }
        if let Some(old) = engine.compact_version(&slate.slug, v).await? {
            planks_of.insert(v, old.planks.into_iter().map(|p| p.title).collect());
        }
    }
    Ok(stands(slate, &planks_of))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cohort_core::model::Plank;
    use cohort_engine::{CandidateView, CompactView};

    fn cand(slug: &str, signed_version: Option<i32>) -> CandidateView {
        CandidateView {
            slug: slug.into(),
            name: slug.to_uppercase(),
            office: "us_house".into(),
            state: "NY".into(),
            district: Some("10".into()),
            primary_date: None,
            general_date: "2028-11-07".into(),
            signed: signed_version.is_some(),
            signed_version,
        }
    }

    #[test]
    fn a_plank_adopted_after_someone_signed_is_not_theirs() {
        let plank = |t: &str| Plank {
            title: t.into(),
            why: String::new(),
        };
        let mut slate = crate::endorsement_web::tests::slate_of(vec![
            cand("ada", Some(2)),
            cand("ben", Some(1)),
            cand("cy", None),
        ]);
        slate.compact = Some(CompactView {
            version: 2,
            hash: "h".into(),
            commitments: Vec::new(),
            measures: Vec::new(),
            planks: vec![plank("Medicare for All"), plank("Union rights")],
        });
        let planks_of: HashMap<i32, Vec<String>> = [
            (1, vec!["Medicare for All".to_owned()]),
            (
                2,
                vec!["Medicare for All".to_owned(), "Union rights".to_owned()],
            ),
        ]
        .into_iter()
        .collect();
        let s = stands(&slate, &planks_of);
        assert_eq!(s[0].on, vec!["ADA (NY-10)", "BEN (NY-10)"]);
        assert!(s[0].earlier.is_empty());
        assert_eq!(s[1].on, vec!["ADA (NY-10)"]);
        assert_eq!(s[1].earlier, vec!["BEN"]);
    }
}
