//! Commitments that are tracked (issue 15): a compact commitment may carry a
//! measure, and a signer's record against it is scored here — `kept`, `due`,
//! `broken` or `not_measured`, with the evidence. Pure: today is passed in.
//!
//! Periods count from the signature on the compact version that holds the
//! commitment: with `every: month` the first period is the signing date up
//! to the same day of the next month (chrono's month arithmetic clamps the
//! 31st to the month's last day), and so on back to back.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::joint_event::EventKind;

/// How often a `joint_events` measure asks for its count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Every {
    Month,
    Quarter,
}

impl Every {
    pub fn months(self) -> u32 {
        match self {
            Every::Month => 1,
            Every::Quarter => 3,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Every::Month => "month",
            Every::Quarter => "quarter",
        }
    }
}

/// What a commitment is measured by (API.md, "Commitments").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "measure", rename_all = "snake_case")]
pub enum Measure {
    /// The signer endorses every other signer.
    EndorseAll,
    /// At least `count` held joint events of `kind` with the signer among
    /// the hosts in every period.
    JointEvents {
        kind: EventKind,
        every: Every,
        count: u32,
    },
    /// Votes with the bloc at least `at_least` of the time (roll calls).
    BlocAgreement { at_least: f64 },
}

impl Eq for Measure {}

impl Measure {
    pub fn name(&self) -> &'static str {
        match self {
            Measure::EndorseAll => "endorse_all",
            Measure::JointEvents { .. } => "joint_events",
            Measure::BlocAgreement { .. } => "bloc_agreement",
        }
    }

    /// A short plain name for what is measured, as a sentence's subject:
    /// "quarterly joint fundraiser", "2 town halls a month", "endorsing
    /// every other signer", "voting with the bloc at least 90% of the time".
    pub fn short_label(&self) -> String {
        match self {
            Measure::EndorseAll => "endorsing every other signer".into(),
            Measure::JointEvents { kind, every, count } => {
                let kind = kind.label().to_lowercase();
                match count {
                    1 => {
                        let adverb = match every {
                            Every::Month => "monthly",
                            Every::Quarter => "quarterly",
                        };
                        format!("{adverb} {kind}")
                    }
                    n => {
                        let plural = if kind.ends_with('s') { "es" } else { "s" };
                        format!("{n} {kind}{plural} a {}", every.as_str())
                    }
                }
            }
            Measure::BlocAgreement { at_least } => format!(
                "voting with the bloc at least {:.0}% of the time",
                at_least * 100.0
            ),
        }
    }

    /// Canonical text, for the compact's hash.
    pub fn canonical(&self) -> String {
        match self {
            Measure::EndorseAll => "endorse_all".into(),
            Measure::JointEvents { kind, every, count } => {
                format!("joint_events:{}:{}:{count}", kind.as_str(), every.as_str())
            }
            Measure::BlocAgreement { at_least } => format!("bloc_agreement:{at_least}"),
        }
    }
}

/// A commitment as a compact's `commitments` array gives it: a string (not
/// measured) or an object with `text` and `measure`.
#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CommitmentInput {
    Text(String),
    Measured(serde_json::Map<String, serde_json::Value>),
}

impl From<&str> for CommitmentInput {
    fn from(s: &str) -> Self {
        CommitmentInput::Text(s.to_owned())
    }
}

impl From<String> for CommitmentInput {
    fn from(s: String) -> Self {
        CommitmentInput::Text(s)
    }
}

impl CommitmentInput {
    /// The input that gives back `text` with `measure`.
    pub fn of(text: &str, measure: Option<&Measure>) -> CommitmentInput {
        match measure {
            None => CommitmentInput::Text(text.to_owned()),
            Some(m) => {
                let mut o = match serde_json::to_value(m) {
                    Ok(serde_json::Value::Object(o)) => o,
                    _ => serde_json::Map::new(),
                };
                o.insert("text".into(), text.into());
                CommitmentInput::Measured(o)
            }
        }
    }
}

/// A commitment refused: the field (`commitments[i].count`…) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadCommitment {
    pub field: String,
    pub message: String,
}

/// The text and measure of commitment `i`, or the field that is wrong.
pub fn parse_commitment(
    i: usize,
    input: &CommitmentInput,
) -> Result<(String, Option<Measure>), BadCommitment> {
    let o = match input {
        CommitmentInput::Text(t) => return Ok((t.clone(), None)),
        CommitmentInput::Measured(o) => o,
    };
    let bad = |key: &str, message: String| BadCommitment {
        field: format!("commitments[{i}].{key}"),
        message,
    };
    const KEYS: [&str; 6] = ["text", "measure", "kind", "every", "count", "at_least"];
    if let Some(k) = o.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(bad(
            k,
            format!("is not a commitment field (one of {KEYS:?})"),
        ));
    }
    let text = match o.get("text") {
        Some(serde_json::Value::String(t)) => t.clone(),
        _ => return Err(bad("text", "a measured commitment needs its text".into())),
    };
    let allowed: &[&str] = match o.get("measure").and_then(|m| m.as_str()) {
        Some("endorse_all") => &["text", "measure"],
        Some("joint_events") => &["text", "measure", "kind", "every", "count"],
        Some("bloc_agreement") => &["text", "measure", "at_least"],
        Some(other) => {
            return Err(bad(
                "measure",
                format!("{other:?} is not \"endorse_all\", \"joint_events\" or \"bloc_agreement\""),
            ))
        }
        None => return Err(bad("measure", "must be a measure's name".into())),
    };
    if let Some(k) = o.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(bad(k, "does not belong to this measure".into()));
    }
    let measure = match o.get("measure").and_then(|m| m.as_str()) {
        Some("endorse_all") => Measure::EndorseAll,
        Some("joint_events") => {
            let kind = o
                .get("kind")
                .and_then(|k| k.as_str())
                .and_then(EventKind::parse)
                .ok_or_else(|| {
                    bad(
                        "kind",
                        "must be a joint event kind, e.g. \"fundraiser\"".into(),
                    )
                })?;
            let every = match o.get("every").and_then(|e| e.as_str()) {
                Some("month") => Every::Month,
                Some("quarter") => Every::Quarter,
                _ => return Err(bad("every", "must be \"month\" or \"quarter\"".into())),
            };
            let count = o
                .get("count")
                .and_then(|c| c.as_u64())
                .filter(|c| (1..=100).contains(c))
                .ok_or_else(|| bad("count", "must be a whole number from 1 to 100".into()))?;
            Measure::JointEvents {
                kind,
                every,
                count: count as u32,
            }
        }
        _ => {
            let at_least = o
                .get("at_least")
                .and_then(|a| a.as_f64())
                .filter(|a| *a > 0.0 && *a <= 1.0)
                .ok_or_else(|| bad("at_least", "must be a share above 0 and at most 1".into()))?;
            Measure::BlocAgreement { at_least }
        }
    };
    Ok((text, Some(measure)))
}

/// A signer's standing on one commitment.
#[derive(
    utoipa::ToSchema,
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Kept,
    Due,
    Broken,
    NotMeasured,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Kept => "kept",
            Standing::Due => "due",
            Standing::Broken => "broken",
            Standing::NotMeasured => "not_measured",
        }
    }

    /// What `kept("cslug")` asks of each measured commitment: kept or due.
    pub fn holds(self) -> bool {
        !matches!(self, Standing::Broken)
    }
}

/// One line telling that `who`'s standing on the commitment named `label`
/// (see [`Measure::short_label`]) went from `before` to `after`, or `None`
/// when it did not change: "Ada Reyes: quarterly joint fundraiser is now kept".
pub fn change_line(who: &str, label: &str, before: Standing, after: Standing) -> Option<String> {
    if before == after {
        return None;
    }
    let now = match after {
        Standing::Kept => "is now kept",
        Standing::Due => "is now due",
        Standing::Broken => "is now broken",
        Standing::NotMeasured => "is no longer measured",
    };
    Some(format!("{who}: {label} {now}"))
}

/// A period `[start, end)` counted from a signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// The `k`th period (from 0) of `every` counted from `signed`.
pub fn period(signed: NaiveDate, every: Every, k: u32) -> Period {
    let at = |n: u32| {
        signed
            .checked_add_months(Months::new(n.saturating_mul(every.months())))
            .unwrap_or(NaiveDate::MAX)
    };
    Period {
        start: at(k),
        end: at(k + 1),
    }
}

/// The periods from `signed` that have begun by `today`, in order: every one
/// but the last is finished; the last holds today. Empty before `signed`.
pub fn periods_until(signed: NaiveDate, every: Every, today: NaiveDate) -> Vec<Period> {
    let mut out = Vec::new();
    let mut k = 0;
    loop {
        let p = period(signed, every, k);
        if p.start > today || p.start >= p.end {
            return out;
        }
        out.push(p);
        if today < p.end {
            return out;
        }
        k += 1;
    }
}

/// A held joint event, as evidence for one signer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HeldEvent {
    pub id: i64,
    pub kind: EventKind,
    pub title: String,
    /// The day it took place (its start, in UTC).
    pub on: NaiveDate,
    /// The candidate ids who hosted it.
    pub hosts: Vec<i64>,
}

/// Another signer of the slate, and whether this signer endorses them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OtherSigner {
    pub id: i64,
    pub name: String,
    /// When the later of the two signed (the endorsement is owed from then).
    pub owed_since: NaiveDate,
    pub endorsed: bool,
}

/// Everything one signer is scored on.
#[derive(Clone, Debug, PartialEq)]
pub struct SignerRecord<'a> {
    pub candidate_id: i64,
    /// When they signed the compact version that holds the commitments.
    pub signed_on: NaiveDate,
    pub others: &'a [OtherSigner],
    /// Held joint events of the slate (any hosts; filtered here).
    pub events: &'a [HeldEvent],
    /// Share of counted roll calls voted with the bloc in the signer's
    /// period. See [`bloc_agreement_hook`].
    pub bloc_agreement: Option<f64>,
}

/// How long an endorsement may wait after both have signed before the
/// `endorse_all` commitment counts as broken.
pub const ENDORSE_GRACE: Months = Months::new(1);

/// `bloc_agreement`'s reading: cohesion's `with_bloc` over the signer's
/// period (a share from 0 to 1, or `None` while they have no counted roll
/// call, and then the commitment is `not_measured`), as the engine fills
/// [`SignerRecord::bloc_agreement`].
pub fn bloc_agreement_hook(with_bloc: Option<f64>) -> Option<f64> {
    with_bloc.filter(|x| x.is_finite())
}

/// The scored commitment: standing and a plain sentence of evidence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Score {
    pub standing: Standing,
    pub detail: String,
    /// Ids of the events that count (joint_events), in order.
    pub events: Vec<i64>,
}

/// Score one commitment for one signer on `today`.
pub fn score(measure: Option<&Measure>, r: &SignerRecord<'_>, today: NaiveDate) -> Score {
    let plain = |standing, detail: String| Score {
        standing,
        detail,
        events: Vec::new(),
    };
    match measure {
        None => plain(Standing::NotMeasured, "Shown, not scored.".into()),
        Some(Measure::BlocAgreement { at_least }) => match bloc_agreement_hook(r.bloc_agreement) {
            None => plain(
                Standing::NotMeasured,
                "Not measured yet: there are no roll calls to count.".into(),
            ),
            Some(x) if x >= *at_least => plain(
                Standing::Kept,
                format!(
                    "Voted with the bloc {:.0}% of the time (at least {:.0}% promised).",
                    x * 100.0,
                    at_least * 100.0
                ),
            ),
            Some(x) => plain(
                Standing::Broken,
                format!(
                    "Voted with the bloc {:.0}% of the time, below the {:.0}% promised.",
                    x * 100.0,
                    at_least * 100.0
                ),
            ),
        },
        Some(Measure::EndorseAll) => {
            let missing: Vec<&OtherSigner> = r.others.iter().filter(|o| !o.endorsed).collect();
            if missing.is_empty() {
                let detail = if r.others.is_empty() {
                    "No other signer to endorse yet.".into()
                } else {
                    format!("Endorses every other signer ({}).", names(r.others.iter()))
                };
                return plain(Standing::Kept, detail);
            }
            let late: Vec<&OtherSigner> = missing
                .iter()
                .copied()
                .filter(|o| {
                    o.owed_since
                        .checked_add_months(ENDORSE_GRACE)
                        .is_some_and(|d| d <= today)
                })
                .collect();
            if late.is_empty() {
                plain(
                    Standing::Due,
                    format!(
                        "Not yet endorsed: {} (a month to do it after both signed).",
                        names(missing.into_iter())
                    ),
                )
            } else {
                plain(
                    Standing::Broken,
                    format!(
                        "Has not endorsed {} a month after both signed.",
                        names(late.into_iter())
                    ),
                )
            }
        }
        Some(Measure::JointEvents { kind, every, count }) => {
            let mine: Vec<&HeldEvent> = r
                .events
                .iter()
                .filter(|e| e.kind == *kind && e.hosts.contains(&r.candidate_id))
                .collect();
            let periods = periods_until(r.signed_on, *every, today);
            let in_period = |p: &Period| -> Vec<&HeldEvent> {
                mine.iter()
                    .copied()
                    .filter(|e| p.start <= e.on && e.on < p.end)
                    .collect()
            };
            let counted: Vec<i64> = mine
                .iter()
                .filter(|e| e.on >= r.signed_on && e.on <= today)
                .map(|e| e.id)
                .collect();
            let what = format!(
                "{count} {} every {}",
                kind.label().to_lowercase(),
                every.as_str()
            );
            let Some((current, finished)) = periods.split_last() else {
                return Score {
                    standing: Standing::Due,
                    detail: format!("Promised {what}; the first period has not begun."),
                    events: counted,
                };
            };
            if let Some(missed) = finished
                .iter()
                .find(|p| (in_period(p).len() as u32) < *count)
            {
                return Score {
                    standing: Standing::Broken,
                    detail: format!(
                        "Promised {what}; held {} from {} to {}.",
                        in_period(missed).len(),
                        missed.start,
                        missed.end.pred_opt().unwrap_or(missed.end)
                    ),
                    events: counted,
                };
            }
            let now = in_period(current).len() as u32;
            let standing = if now >= *count {
                Standing::Kept
            } else {
                Standing::Due
            };
            Score {
                standing,
                detail: format!(
                    "Promised {what}; {now} held in the period from {} to {}{}.",
                    current.start,
                    current.end.pred_opt().unwrap_or(current.end),
                    if finished.is_empty() {
                        String::new()
                    } else {
                        ", and every earlier period met".to_owned()
                    }
                ),
                events: counted,
            }
        }
    }
}

fn names<'a>(others: impl Iterator<Item = &'a OtherSigner>) -> String {
    others
        .map(|o| o.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
