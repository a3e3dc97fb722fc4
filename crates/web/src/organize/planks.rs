//! Planks edited as fields (issue 16, defect 9): one title and one "why"
//! per plank, `plank_title_N` and `plank_why_N`, plus an empty row to add
//! one. A row left entirely empty is dropped; half a row is refused.

use std::collections::BTreeMap;

use cohort_core::model::Plank;
use cohort_engine::EngineError;

/// One row of the plank fields, as typed or as published.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct PlankRow {
    pub index: usize,
    pub title: String,
    pub why: String,
}

/// The rows a form sent, in their order (`plank_title_0`, `plank_why_0`, …).
pub(crate) fn from_fields(fields: &BTreeMap<String, String>) -> Vec<PlankRow> {
    let mut rows: BTreeMap<usize, PlankRow> = BTreeMap::new();
    for (k, v) in fields {
        let (index, is_title) = if let Some(i) = k.strip_prefix("plank_title_") {
            (i, true)
        } else if let Some(i) = k.strip_prefix("plank_why_") {
            (i, false)
        } else {
            continue;
        };
        let Ok(index) = index.parse::<usize>() else {
            continue;
        };
        let row = rows.entry(index).or_insert_with(|| PlankRow {
            index,
            ..PlankRow::default()
        });
        if is_title {
            row.title = v.clone();
        } else {
            row.why = v.clone();
        }
    }
    rows.into_values().collect()
}

/// The planks the rows describe; a row with a title and no why (or the
/// other way round) is refused, naming its number.
pub(crate) fn planks(rows: &[PlankRow]) -> Result<Vec<Plank>, EngineError> {
    rows.iter()
        .filter(|r| !(r.title.trim().is_empty() && r.why.trim().is_empty()))
        .map(|r| {
            let (title, why) = (r.title.trim(), r.why.trim());
            if title.is_empty() || why.is_empty() {
                return Err(EngineError::invalid(
                    "planks",
                    format!(
                        "Plank {}: give it both a title and a why (one is empty)",
                        r.index + 1
                    ),
                ));
            }
            Ok(Plank {
                title: title.to_owned(),
                why: why.to_owned(),
            })
        })
        .collect()
}

/// The rows to show: what was typed (after a refusal) or the published
/// planks, renumbered, and always one empty row to add a plank.
pub(crate) fn rows(kept: Option<Vec<PlankRow>>, published: &[Plank]) -> Vec<PlankRow> {
    let mut rows: Vec<PlankRow> = match kept {
        Some(kept) => kept
            .into_iter()
            .filter(|r| !(r.title.trim().is_empty() && r.why.trim().is_empty()))
            .collect(),
        None => published
            .iter()
            .map(|p| PlankRow {
                index: 0,
                title: p.title.clone(),
                why: p.why.clone(),
            })
            .collect(),
    };
    rows.push(PlankRow::default());
    for (i, r) in rows.iter_mut().enumerate() {
        r.index = i;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn rows_are_read_in_numeric_order_and_empty_ones_dropped() {
        let sent = fields(&[
            ("plank_title_10", "Tenth"),
            ("plank_why_10", "Because ten."),
            ("plank_title_2", " Second "),
            ("plank_why_2", "Because two."),
            ("plank_title_3", ""),
            ("plank_why_3", " "),
            ("commitments", "not a plank"),
        ]);
        let got = planks(&from_fields(&sent)).expect("planks");
        assert_eq!(
            got.iter().map(|p| p.title.as_str()).collect::<Vec<_>>(),
            ["Second", "Tenth"]
        );
    }

    #[test]
    fn half_a_row_is_refused_by_its_number() {
        let sent = fields(&[("plank_title_1", "Open lakes"), ("plank_why_1", "")]);
        match planks(&from_fields(&sent)) {
            Err(EngineError::Invalid { message, .. }) => {
                assert!(message.starts_with("Plank 2:"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_form_always_offers_one_empty_row() {
        let published = [Plank {
            title: "Clean water".into(),
            why: "Everyone drinks it.".into(),
        }];
        let shown = rows(None, &published);
        assert_eq!(shown.len(), 2);
        assert_eq!(
            (shown[0].index, shown[0].title.as_str()),
            (0, "Clean water")
        );
        assert_eq!((shown[1].index, shown[1].title.as_str()), (1, ""));
        assert_eq!(rows(None, &[]).len(), 1);
    }
}
