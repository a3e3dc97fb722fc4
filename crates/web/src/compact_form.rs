//! The organizer's compact form (issue 15): each commitment is a row of
//! controls — its text, a select for the measure, the joint events' kind,
//! count and period, the bloc's share as a percentage — that map to the same
//! `commitments` a JSON client sends (API.md, "Commitments"). No JavaScript:
//! every control is always there, and only the chosen measure's are read.
//! A form that posts `commitments` as text, one per line, still works.

use cohort_core::commitment::{CommitmentInput, Every, Measure};
use cohort_core::joint_event::EventKind;
use cohort_engine::{CompactView, EngineError};
use serde_json::{Map, Value};

/// Blank rows offered after the compact's commitments, to add new ones.
pub(crate) const BLANK_ROWS: usize = 2;

/// One commitment row as the form shows it.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct CommitmentRow {
    pub text: String,
    /// `none`, `endorse_all`, `joint_events` or `bloc_agreement`.
    pub measure: &'static str,
    pub kind: &'static str,
    pub every: &'static str,
    pub count: String,
    /// The bloc share as a percentage ("90").
    pub share: String,
}

/// The measures, as the select offers them.
pub(crate) const MEASURES: [(&str, &str); 4] = [
    ("none", "Not measured (shown, not scored)"),
    ("endorse_all", "Endorses every other signer"),
    ("joint_events", "Holds joint events"),
    ("bloc_agreement", "Votes with the bloc"),
];

/// The joint event kinds, as the select offers them.
pub(crate) fn kinds() -> Vec<(&'static str, &'static str)> {
    EventKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect()
}

/// The rows for the current compact, then [`BLANK_ROWS`] empty ones.
pub(crate) fn rows(compact: Option<&CompactView>) -> Vec<CommitmentRow> {
    let blank = || CommitmentRow {
        measure: "none",
        kind: EventKind::Fundraiser.as_str(),
        every: Every::Quarter.as_str(),
        count: "1".into(),
        ..CommitmentRow::default()
    };
    let mut out: Vec<CommitmentRow> = compact
        .map(|c| {
            c.commitments
                .iter()
                .enumerate()
                .map(|(i, text)| {
                    let mut r = CommitmentRow {
                        text: text.clone(),
                        ..blank()
                    };
                    match c.measures.get(i).and_then(Option::as_ref) {
                        None => {}
                        Some(Measure::EndorseAll) => r.measure = "endorse_all",
                        Some(Measure::JointEvents { kind, every, count }) => {
                            r.measure = "joint_events";
                            r.kind = kind.as_str();
                            r.every = every.as_str();
                            r.count = count.to_string();
                        }
                        Some(Measure::BlocAgreement { at_least }) => {
                            r.measure = "bloc_agreement";
                            // 0.29 × 100 is 28.999999999999996 in floating point
                            let pct = (at_least * 100.0 * 1e6).round() / 1e6;
                            r.share = format!("{pct}");
                        }
                    }
                    r
                })
                .collect()
        })
        .unwrap_or_default();
    out.extend((0..BLANK_ROWS).map(|_| blank()));
    out
}

/// The rows as a refused form posted them, to show again as typed (values
/// outside the selects' options fall back to the first option).
pub(crate) fn typed_rows(fields: &[(String, String)]) -> Vec<CommitmentRow> {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let pick = |options: &[&'static str], typed: &str| {
        options
            .iter()
            .copied()
            .find(|o| *o == typed)
            .unwrap_or(options[0])
    };
    let measures: Vec<&'static str> = MEASURES.iter().map(|(v, _)| *v).collect();
    let kinds: Vec<&'static str> = kinds().iter().map(|(v, _)| *v).collect();
    let mut out = Vec::new();
    for row in 0.. {
        if !fields.iter().any(|(k, _)| *k == format!("c{row}_text")) {
            break;
        }
        let field = |k: &str| get(&format!("c{row}_{k}"));
        out.push(CommitmentRow {
            text: field("text").to_owned(),
            measure: pick(&measures, field("measure")),
            kind: pick(&kinds, field("kind")),
            every: pick(&["quarter", "month"], field("every")),
            count: field("count").to_owned(),
            share: field("share").to_owned(),
        });
    }
    out
}

/// The commitments a posted form gives: the rows `c{i}_text`, `c{i}_measure`,
/// … in order (a row without text is skipped), or else the `commitments`
/// text, one per line. A share that is not a percentage names its field.
pub(crate) fn commitments(
    fields: &[(String, String)],
) -> Result<Vec<CommitmentInput>, EngineError> {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
    };
    if let Some(text) = get("commitments") {
        return Ok(text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(Into::into)
            .collect());
    }
    let mut out = Vec::new();
    for row in 0.. {
        let Some(text) = get(&format!("c{row}_text")) else {
            break;
        };
        if text.is_empty() {
            continue;
        }
        let i = out.len();
        let field = |k: &str| get(&format!("c{row}_{k}")).unwrap_or("");
        let mut o = Map::new();
        o.insert("text".into(), text.into());
        match field("measure") {
            "" | "none" => {
                out.push(CommitmentInput::Text(text.to_owned()));
                continue;
            }
            "joint_events" => {
                o.insert("kind".into(), field("kind").into());
                o.insert("every".into(), field("every").into());
                let count = field("count");
                // A count that is not a whole number goes as typed, so the
                // engine names `commitments[i].count`.
                let count = count
                    .parse::<u64>()
                    .map_or_else(|_| count.into(), Value::from);
                o.insert("count".into(), count);
            }
            "bloc_agreement" => {
                let share = field("share")
                    .trim_end_matches('%')
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s > 0.0 && *s <= 100.0)
                    .ok_or_else(|| {
                        EngineError::invalid(
                            format!("commitments[{i}].at_least"),
                            format!(
                                "commitment {}: the share of votes with the bloc must be a percentage above 0 and at most 100",
                                i + 1
                            ),
                        )
                    })?;
                o.insert("at_least".into(), Value::from(share / 100.0));
            }
            _ => {}
        }
        o.insert("measure".into(), field("measure").into());
        out.push(CommitmentInput::Measured(o));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cohort_core::commitment::parse_commitment;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn parsed(fields: &[(&str, &str)]) -> Vec<(String, Option<Measure>)> {
        commitments(&form(fields))
            .expect("commitments")
            .iter()
            .enumerate()
            .map(|(i, c)| parse_commitment(i, c).expect("valid"))
            .collect()
    }

    #[test]
    fn each_row_maps_to_the_json_commitment() {
        let got = parsed(&[
            ("c0_text", "Refuse corporate PAC money"),
            ("c0_measure", "none"),
            ("c0_kind", "fundraiser"),
            ("c0_count", "1"),
            ("c1_text", ""),
            ("c1_measure", "endorse_all"),
            ("c2_text", "A joint fundraiser every quarter"),
            ("c2_measure", "joint_events"),
            ("c2_kind", "fundraiser"),
            ("c2_every", "quarter"),
            ("c2_count", "1"),
            ("c2_share", ""),
            ("c3_text", "Endorse every other signer"),
            ("c3_measure", "endorse_all"),
            ("c3_count", "1"),
            ("c4_text", "Vote with the bloc"),
            ("c4_measure", "bloc_agreement"),
            ("c4_share", "90"),
        ]);
        assert_eq!(
            got,
            vec![
                ("Refuse corporate PAC money".to_owned(), None),
                (
                    "A joint fundraiser every quarter".to_owned(),
                    Some(Measure::JointEvents {
                        kind: EventKind::Fundraiser,
                        every: Every::Quarter,
                        count: 1
                    })
                ),
                (
                    "Endorse every other signer".to_owned(),
                    Some(Measure::EndorseAll)
                ),
                (
                    "Vote with the bloc".to_owned(),
                    Some(Measure::BlocAgreement { at_least: 0.9 })
                ),
            ]
        );
    }

    #[test]
    fn bad_numbers_name_their_field() {
        let e = commitments(&form(&[
            ("c0_text", "Vote with the bloc"),
            ("c0_measure", "bloc_agreement"),
            ("c0_share", "lots"),
        ]))
        .expect_err("not a percentage");
        assert!(
            matches!(e, EngineError::Invalid { ref field, .. } if field == "commitments[0].at_least"),
            "{e:?}"
        );
        let c = commitments(&form(&[
            ("c0_text", "Town halls"),
            ("c0_measure", "joint_events"),
            ("c0_kind", "town_hall"),
            ("c0_every", "month"),
            ("c0_count", "two"),
        ]))
        .expect("passed on");
        let e = parse_commitment(0, &c[0]).expect_err("count");
        assert_eq!(e.field, "commitments[0].count");
    }

    #[test]
    fn the_rows_show_the_compact_and_round_trip() {
        let compact = CompactView {
            version: 1,
            hash: String::new(),
            commitments: vec!["Plain".into(), "Bloc".into(), "Dinners".into()],
            planks: vec![],
            measures: vec![
                None,
                Some(Measure::BlocAgreement { at_least: 0.29 }),
                Some(Measure::JointEvents {
                    kind: EventKind::TownHall,
                    every: Every::Month,
                    count: 2,
                }),
            ],
        };
        let rows = rows(Some(&compact));
        assert_eq!(rows.len(), 3 + BLANK_ROWS);
        assert_eq!(rows[1].share, "29");
        assert_eq!(
            (rows[2].kind, rows[2].every, rows[2].count.as_str()),
            ("town_hall", "month", "2")
        );
        let mut fields = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            for (k, v) in [
                ("text", r.text.clone()),
                ("measure", r.measure.to_owned()),
                ("kind", r.kind.to_owned()),
                ("every", r.every.to_owned()),
                ("count", r.count.clone()),
                ("share", r.share.clone()),
            ] {
                fields.push((format!("c{i}_{k}"), v));
            }
        }
        let back: Vec<Option<Measure>> = commitments(&fields)
            .expect("commitments")
            .iter()
            .enumerate()
            .map(|(i, c)| parse_commitment(i, c).expect("valid").1)
            .collect();
        assert_eq!(
            back, compact.measures,
            "publishing the form unchanged keeps every measure"
        );
    }

    #[test]
    fn a_refused_form_shows_its_rows_again_as_typed() {
        let rows = typed_rows(&form(&[
            ("c0_text", "A joint fundraiser every month"),
            ("c0_measure", "joint_events"),
            ("c0_kind", "fundraiser"),
            ("c0_every", "month"),
            ("c0_count", "two"),
            ("c1_text", ""),
            ("c1_measure", "no-such-measure"),
        ]));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].text, "A joint fundraiser every month");
        assert_eq!((rows[0].measure, rows[0].every), ("joint_events", "month"));
        assert_eq!(rows[0].count, "two", "the bad count is shown as typed");
        assert_eq!(rows[1].measure, "none", "an unknown measure falls back");
        assert!(typed_rows(&form(&[("commitments", "x")])).is_empty());
    }
}
