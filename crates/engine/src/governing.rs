//! Governing (issue 17): roll calls imported from the layout of
//! `votes-119/`, the member id each candidate holds once elected, the roll
//! calls an organizer tags with the platform's side, and what they add up
//! to — the bloc's cohesion (`cohort_congress::cohesion`, exactly API.md
//! "Roll calls and cohesion") and whom to challenge
//! (`cohort_congress::targets`). Each use case is one transaction; the
//! figures are computed by the pure crate outside it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use cohort_congress::votes::Position;
use cohort_congress::{
    BlocMember, Chamber, Cohesion, Congress, PlatformTag, RollCall, RollCalls, SeatRef, Target,
    Vote,
};
use cohort_core::model::Office;
use cohort_store::{
    CandidateMemberRow, CandidateRow, PlatformVoteRow, PositionRow, RollCallRow, SlateRow, Tx,
};
use serde::{Deserialize, Serialize};

use crate::{Actor, Engine, EngineError, Result};

/// `PATCH /api/slates/{slug}/candidates/{cslug}`: one of the two ids.
#[derive(utoipa::ToSchema, Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberIdInput {
    #[serde(default)]
    pub bioguide_id: Option<String>,
    #[serde(default)]
    pub lis_id: Option<String>,
}

#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemberIdView {
    pub candidate: String,
    pub bioguide_id: Option<String>,
    pub lis_id: Option<String>,
}

/// `POST /api/slates/{slug}/platform-votes`.
#[derive(utoipa::ToSchema, Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformVoteInput {
    pub vote_id: String,
    pub plank: i64,
    pub position: String,
}

#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlatformVoteView {
    pub vote_id: String,
    pub plank: i64,
    pub plank_title: String,
    pub position: String,
    pub date: String,
    pub question: String,
}

/// What an import wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub roll_calls: usize,
    pub positions: usize,
    /// Stored after the import (earlier imports included).
    pub stored_roll_calls: i64,
    pub stored_positions: i64,
}

/// One member's line on the cohesion page: their figures per month.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MonthFigures {
    /// `YYYY-MM`.
    pub month: String,
    pub roll_calls: u32,
    pub rice: Option<f64>,
    /// `with_bloc` per member, in the order of [`Cohesion::members`].
    pub with_bloc: Vec<Option<f64>>,
}

/// The cohesion of a slate's bloc over a date range, with its months.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CohesionReport {
    pub slate: String,
    pub slate_name: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub cohesion: Cohesion,
    /// Candidate slug → display name and member id, for pages.
    pub names: BTreeMap<String, (String, String)>,
    pub months: Vec<MonthFigures>,
    pub tags: Vec<PlatformVoteView>,
}

/// Whom to challenge in one party and chamber.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TargetsReport {
    pub slate: String,
    pub slate_name: String,
    pub chamber: Chamber,
    pub party: String,
    pub tagged: Vec<PlatformVoteView>,
    pub targets: Vec<Target>,
}

/// A bioguide id: one capital letter and six digits (`O000172`).
pub fn valid_bioguide(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 7 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit)
}

/// A Senate LIS member id: `S` and three digits (`S354`).
pub fn valid_lis(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 4 && b[0] == b'S' && b[1..].iter().all(u8::is_ascii_digit)
}

/// A `YYYY-MM-DD` date (a real calendar date).
fn valid_day(s: &str) -> bool {
    s.len() == 10 && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// The shipped legislators and committees, parsed once.
pub fn shipped_congress() -> Result<&'static Congress> {
    static C: OnceLock<std::result::Result<Congress, String>> = OnceLock::new();
    C.get_or_init(|| cohort_congress::shipped::congress().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| EngineError::Store(cohort_store::StoreError::Other(e.clone())))
}

fn chamber_of(s: &str) -> Result<Chamber> {
    Chamber::parse(s).ok_or_else(|| {
        EngineError::Store(cohort_store::StoreError::Other(format!(
            "roll_calls: chamber {s:?}"
        )))
    })
}

/// Stored rows back into the pure crate's [`RollCalls`].
fn to_roll_calls(calls: Vec<RollCallRow>, positions: Vec<PositionRow>) -> Result<RollCalls> {
    let mut out = RollCalls::default();
    for c in calls {
        out.calls.insert(
            c.vote_id.clone(),
            RollCall {
                chamber: chamber_of(&c.chamber)?,
                congress: c.congress as u32,
                session: c.session as u32,
                number: c.number as u32,
                datetime: c.voted_at,
                date: c.voted_on,
                category: c.category,
                vote_type: c.vote_type,
                question: c.question,
                requires: c.requires,
                result: c.result,
                bill: c.bill,
                amendment: c.amendment,
                vote_id: c.vote_id,
            },
        );
    }
    for p in positions {
        if !out.calls.contains_key(&p.vote_id) {
            continue;
        }
        out.positions.entry(p.vote_id.clone()).or_default().insert(
            p.member_id.clone(),
            Position {
                member_id: p.member_id,
                party: p.party,
                state: p.state,
                position: p.position,
            },
        );
    }
    Ok(out)
}

/// The member id a candidate votes under: bioguide (House), else LIS (Senate).
fn member_id(m: &CandidateMemberRow) -> Option<String> {
    m.bioguide_id.clone().or_else(|| m.lis_id.clone())
}

async fn slate_or_404(tx: &mut dyn Tx, slug: &str) -> Result<SlateRow> {
    tx.slate_by_slug(slug)
        .await?
        .ok_or_else(|| EngineError::not_found("slate", slug))
}

async fn tag_views(tx: &mut dyn Tx, slate: &SlateRow) -> Result<Vec<PlatformVoteView>> {
    let planks = tx
        .latest_compact(slate.id)
        .await?
        .map(|c| c.content.planks)
        .unwrap_or_default();
    let mut out = Vec::new();
    for t in tx.platform_votes(slate.id).await? {
        let call = tx.roll_call(&t.vote_id).await?;
        out.push(PlatformVoteView {
            plank_title: planks
                .get(t.plank as usize)
                .map(|p| p.title.clone())
                .unwrap_or_default(),
            date: call
                .as_ref()
                .map(|c| c.voted_on.clone())
                .unwrap_or_default(),
            question: call.map(|c| c.question).unwrap_or_default(),
            vote_id: t.vote_id,
            plank: t.plank,
            position: t.position,
        });
    }
    Ok(out)
}

fn tags_of(views: &[PlatformVoteView]) -> Vec<PlatformTag> {
    views
        .iter()
        .filter_map(|t| {
            Some(PlatformTag {
                vote_id: t.vote_id.clone(),
                position: Vote::parse(&t.position)?,
            })
        })
        .collect()
}

/// The months `YYYY-MM` from the first to the last date, in order.
fn months(first: &str, last: &str) -> Vec<String> {
    let (Some(mut y), Some(mut m)) = (
        first[..4].parse::<u32>().ok(),
        first[5..7].parse::<u32>().ok(),
    ) else {
        return Vec::new();
    };
    let end = &last[..7];
    let mut out = Vec::new();
    loop {
        let s = format!("{y:04}-{m:02}");
        if s.as_str() > end || out.len() > 240 {
            break;
        }
        out.push(s);
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    out
}

/// The slate's bloc, in slate order: each candidate with a member id.
async fn bloc_of(
    tx: &mut dyn Tx,
    slate_id: cohort_store::Id,
) -> Result<(Vec<BlocMember>, BTreeMap<String, (String, String)>)> {
    let cands = tx.candidates(slate_id).await?;
    let members = tx.candidate_members(slate_id).await?;
    let mut bloc = Vec::new();
    let mut names = BTreeMap::new();
    for c in &cands {
        if let Some(id) = members
            .iter()
            .find(|m| m.candidate_id == c.id)
            .and_then(member_id)
        {
            names.insert(c.slug.to_string(), (c.name.clone(), id.clone()));
            bloc.push(BlocMember {
                candidate: c.slug.to_string(),
                member_id: id,
            });
        }
    }
    Ok((bloc, names))
}

/// The figures a condition reads (`with_bloc`, `with_platform`, `rice`),
/// over every imported roll call, inside the caller's transaction.
pub(crate) async fn bloc_figures(
    tx: &mut dyn Tx,
    slate_id: cohort_store::Id,
) -> Result<cohort_core::facts::BlocFigures> {
    bloc_figures_between(tx, slate_id, None, None).await
}

/// [`bloc_figures`] over roll calls dated `from..=to` (`YYYY-MM-DD`, either
/// end open): what the scorecard's `bloc_agreement` reads for a signer's
/// period.
pub(crate) async fn bloc_figures_between(
    tx: &mut dyn Tx,
    slate_id: cohort_store::Id,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<cohort_core::facts::BlocFigures> {
    let (bloc, _) = bloc_of(tx, slate_id).await?;
    let mut out = cohort_core::facts::BlocFigures::default();
    if bloc.is_empty() {
        return Ok(out);
    }
    let ids: Vec<String> = bloc.iter().map(|m| m.member_id.clone()).collect();
    let calls = tx.roll_calls_between(None, from, to).await?;
    let positions = tx.positions_of(&ids, from, to).await?;
    let votes = to_roll_calls(calls, positions)?;
    let platform: Vec<PlatformTag> = tx
        .platform_votes(slate_id)
        .await?
        .into_iter()
        .filter_map(|t| {
            Some(PlatformTag {
                position: Vote::parse(&t.position)?,
                vote_id: t.vote_id,
            })
        })
        .collect();
    let c = cohort_congress::cohesion(&votes, &bloc, &platform, from, to);
    out.rice = c.rice;
    for m in c.members {
        if let Some(x) = m.with_bloc {
            out.with_bloc.insert(m.candidate.clone(), x);
        }
        if let Some(x) = m.with_platform {
            out.with_platform.insert(m.candidate, x);
        }
    }
    Ok(out)
}

impl Engine {
    /// `cohort rollcalls import DIR`: store parsed roll calls (already
    /// checked whole by `cohort_congress`, so a malformed file never gets
    /// here) in one transaction, replacing equal rows, so importing twice
    /// changes nothing. `progress(done, total)` is told after each batch of
    /// positions.
    pub async fn import_roll_calls(
        &self,
        votes: &RollCalls,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<ImportSummary> {
        let calls: Vec<RollCallRow> = votes
            .calls
            .values()
            .map(|c| RollCallRow {
                vote_id: c.vote_id.clone(),
                chamber: c.chamber.as_str().into(),
                congress: c.congress.into(),
                session: c.session.into(),
                number: c.number.into(),
                voted_at: c.datetime.clone(),
                voted_on: c.date.clone(),
                category: c.category.clone(),
                vote_type: c.vote_type.clone(),
                question: c.question.clone(),
                requires: c.requires.clone(),
                result: c.result.clone(),
                bill: c.bill.clone(),
                amendment: c.amendment.clone(),
            })
            .collect();
        let positions: Vec<PositionRow> = votes
            .positions
            .iter()
            .flat_map(|(vid, ps)| {
                ps.values().map(move |p| PositionRow {
                    vote_id: vid.clone(),
                    member_id: p.member_id.clone(),
                    party: p.party.clone(),
                    state: p.state.clone(),
                    position: p.position.clone(),
                })
            })
            .collect();
        let mut tx = self.store.write().await?;
        tx.upsert_roll_calls(&calls).await?;
        let total = positions.len();
        let mut done = 0;
        for batch in positions.chunks(20_000) {
            tx.upsert_positions(batch).await?;
            done += batch.len();
            progress(done, total);
        }
        let (stored_roll_calls, stored_positions) = tx.roll_call_counts().await?;
        tx.commit().await?;
        Ok(ImportSummary {
            roll_calls: calls.len(),
            positions: total,
            stored_roll_calls,
            stored_positions,
        })
    }

    /// Set the member id a candidate holds (organizers of the slate).
    pub async fn set_member_id(
        &self,
        actor: &Actor,
        slug: &str,
        cslug: &str,
        input: MemberIdInput,
    ) -> Result<MemberIdView> {
        let mut tx = self.store.write().await?;
        let slate = slate_or_404(tx.as_mut(), slug).await?;
        tx.lock_slate(slate.id).await?;
        actor.require_organizer(&slate)?;
        let cand: CandidateRow = tx
            .candidates(slate.id)
            .await?
            .into_iter()
            .find(|c| c.slug.as_str() == cslug)
            .ok_or_else(|| EngineError::not_found("candidate", cslug))?;
        let row = match (input.bioguide_id, input.lis_id) {
            (Some(_), Some(_)) => {
                return Err(EngineError::invalid(
                    "lis_id",
                    "send one of bioguide_id (House) or lis_id (Senate), not both",
                ))
            }
            (None, None) => {
                return Err(EngineError::invalid(
                    "bioguide_id",
                    "send bioguide_id (House, like O000172) or lis_id (Senate, like S354)",
                ))
            }
            (Some(b), None) => {
                if !valid_bioguide(&b) {
                    return Err(EngineError::invalid(
                        "bioguide_id",
                        "a bioguide id is a capital letter and six digits, like O000172",
                    ));
                }
                if cand.race.office == Office::UsSenate {
                    return Err(EngineError::invalid(
                        "bioguide_id",
                        "a Senate candidate votes under a lis_id (like S354)",
                    ));
                }
                CandidateMemberRow {
                    candidate_id: cand.id,
                    bioguide_id: Some(b),
                    lis_id: None,
                }
            }
            (None, Some(l)) => {
                if !valid_lis(&l) {
                    return Err(EngineError::invalid(
                        "lis_id",
                        "a LIS member id is S and three digits, like S354",
                    ));
                }
                if cand.race.office != Office::UsSenate {
                    return Err(EngineError::invalid(
                        "lis_id",
                        "only a Senate candidate votes under a lis_id; House members use bioguide_id",
                    ));
                }
                CandidateMemberRow {
                    candidate_id: cand.id,
                    bioguide_id: None,
                    lis_id: Some(l),
                }
            }
        };
        tx.set_candidate_member(&row).await?;
        tx.commit().await?;
        Ok(MemberIdView {
            candidate: cand.slug.to_string(),
            bioguide_id: row.bioguide_id,
            lis_id: row.lis_id,
        })
    }

    /// Tag a roll call with the platform's side for one plank (organizers).
    pub async fn add_platform_vote(
        &self,
        actor: &Actor,
        slug: &str,
        input: PlatformVoteInput,
    ) -> Result<PlatformVoteView> {
        let at = self.now();
        let mut tx = self.store.write().await?;
        let slate = slate_or_404(tx.as_mut(), slug).await?;
        tx.lock_slate(slate.id).await?;
        actor.require_organizer(&slate)?;
        let position = match input.position.as_str() {
            "yes" | "no" => input.position.clone(),
            _ => {
                return Err(EngineError::invalid(
                    "position",
                    "position must be yes or no",
                ))
            }
        };
        let planks = tx
            .latest_compact(slate.id)
            .await?
            .map(|c| c.content.planks)
            .unwrap_or_default();
        let plank = usize::try_from(input.plank)
            .ok()
            .and_then(|i| planks.get(i))
            .ok_or_else(|| {
                EngineError::invalid(
                    "plank",
                    if planks.is_empty() {
                        "the slate's compact has no planks yet".to_string()
                    } else {
                        format!(
                            "plank must be the index of one of the compact's {} planks (0 to {})",
                            planks.len(),
                            planks.len() - 1
                        )
                    },
                )
            })?;
        let call = tx.roll_call(&input.vote_id).await?.ok_or_else(|| {
            EngineError::invalid(
                "vote_id",
                format!(
                    "no roll call {:?} has been imported (cohort rollcalls import DIR)",
                    input.vote_id
                ),
            )
        })?;
        tx.put_platform_vote(&PlatformVoteRow {
            slate_id: slate.id,
            vote_id: call.vote_id.clone(),
            plank: input.plank,
            position: position.clone(),
            created_at: at,
        })
        .await?;
        tx.commit().await?;
        Ok(PlatformVoteView {
            vote_id: call.vote_id,
            plank: input.plank,
            plank_title: plank.title.clone(),
            position,
            date: call.voted_on,
            question: call.question,
        })
    }

    /// The slate's tags (public).
    pub async fn platform_votes(&self, slug: &str) -> Result<Vec<PlatformVoteView>> {
        let mut tx = self.store.read().await?;
        let slate = slate_or_404(tx.as_mut(), slug).await?;
        tag_views(tx.as_mut(), &slate).await
    }

    /// The bloc's cohesion over `from..=to` (public), with its months.
    pub async fn cohesion(
        &self,
        slug: &str,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<CohesionReport> {
        for (field, v) in [("from", from), ("to", to)] {
            if let Some(v) = v {
                if !valid_day(v) {
                    return Err(EngineError::invalid(field, "a date is YYYY-MM-DD"));
                }
            }
        }
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(EngineError::invalid("to", "to must not be before from"));
            }
        }
        let (slate, bloc, names, votes, tags) = {
            let mut tx = self.store.read().await?;
            let slate = slate_or_404(tx.as_mut(), slug).await?;
            let (bloc, names) = bloc_of(tx.as_mut(), slate.id).await?;
            let ids: Vec<String> = bloc.iter().map(|m| m.member_id.clone()).collect();
            let calls = tx.roll_calls_between(None, from, to).await?;
            let positions = tx.positions_of(&ids, from, to).await?;
            let tags = tag_views(tx.as_mut(), &slate).await?;
            (slate, bloc, names, to_roll_calls(calls, positions)?, tags)
        };
        let platform = tags_of(&tags);
        let cohesion = cohort_congress::cohesion(&votes, &bloc, &platform, from, to);
        let dates: Vec<&str> = votes.calls.values().map(|c| c.date.as_str()).collect();
        let months = match (dates.iter().min(), dates.iter().max()) {
            (Some(first), Some(last)) => months(first, last)
                .into_iter()
                .map(|m| {
                    let (a, b) = (format!("{m}-01"), format!("{m}-31"));
                    let c = cohort_congress::cohesion(&votes, &bloc, &[], Some(&a), Some(&b));
                    MonthFigures {
                        month: m,
                        roll_calls: c.roll_calls,
                        rice: c.rice,
                        with_bloc: c.members.iter().map(|x| x.with_bloc).collect(),
                    }
                })
                .collect(),
            _ => Vec::new(),
        };
        Ok(CohesionReport {
            slate: slate.slug.to_string(),
            slate_name: slate.name.clone(),
            from: from.map(str::to_string),
            to: to.map(str::to_string),
            cohesion,
            names,
            months,
            tags,
        })
    }

    /// Whom to challenge (public): `party`'s sitting members of `chamber`,
    /// ranked by votes against the slate's tagged platform votes, then by
    /// the share of votes against their own party's majority.
    pub async fn targets(&self, slug: &str, chamber: &str, party: &str) -> Result<TargetsReport> {
        let ch = Chamber::parse(chamber)
            .ok_or_else(|| EngineError::invalid("chamber", "chamber must be house or senate"))?;
        let congress = shipped_congress()?;
        if !congress
            .legislators
            .iter()
            .any(|l| l.chamber == ch && l.caucus == party)
        {
            return Err(EngineError::invalid(
                "party",
                format!("no sitting member of the {ch} caucuses with {party:?} (try Democrat or Republican)"),
            ));
        }
        let (slate, cands, votes, tagged) = {
            let mut tx = self.store.read().await?;
            let slate = slate_or_404(tx.as_mut(), slug).await?;
            let cands = tx.candidates(slate.id).await?;
            let calls = tx.roll_calls_between(Some(ch.as_str()), None, None).await?;
            let positions = tx.positions_in(ch.as_str()).await?;
            let tagged = tag_views(tx.as_mut(), &slate).await?;
            (slate, cands, to_roll_calls(calls, positions)?, tagged)
        };
        let office = match ch {
            Chamber::House => Office::UsHouse,
            Chamber::Senate => Office::UsSenate,
        };
        let challengers: Vec<SeatRef> = cands
            .iter()
            .filter(|c| c.race.office == office)
            .map(|c| SeatRef {
                candidate: c.slug.to_string(),
                name: c.name.clone(),
                state: c.race.state.to_ascii_uppercase(),
                district: Some(
                    c.race
                        .district
                        .as_deref()
                        .and_then(|d| d.trim().parse().ok())
                        .unwrap_or(0),
                ),
            })
            .collect();
        let tags: Vec<PlatformVoteView> = tagged
            .into_iter()
            .filter(|t| votes.calls.contains_key(&t.vote_id))
            .collect();
        let targets =
            cohort_congress::targets(congress, &votes, ch, party, &tags_of(&tags), &challengers);
        Ok(TargetsReport {
            slate: slate.slug.to_string(),
            slate_name: slate.name.clone(),
            chamber: ch,
            party: party.to_string(),
            tagged: tags,
            targets,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_ids_have_their_formats() {
        assert!(valid_bioguide("O000172"));
        assert!(!valid_bioguide("o000172"));
        assert!(!valid_bioguide("O00017"));
        assert!(!valid_bioguide("O0001722"));
        assert!(valid_lis("S354"));
        assert!(!valid_lis("S35"));
        assert!(!valid_lis("X354"));
    }

    #[test]
    fn months_run_from_the_first_to_the_last() {
        assert_eq!(
            months("2024-11-30", "2025-02-01"),
            ["2024-11", "2024-12", "2025-01", "2025-02"]
        );
        assert_eq!(months("2025-03-01", "2025-03-09"), ["2025-03"]);
    }
}
