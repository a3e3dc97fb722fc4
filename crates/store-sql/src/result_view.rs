//! The text cells of the slim stored result (issue 20): a statement's
//! per-group tallies and a group's representative statements, written as
//! short space-separated lists both backends store in one TEXT column.

use cohort_store::{RepCells, Result, StoreError, TallyCells};

fn corrupt_cell(table: &'static str, cell: &str) -> StoreError {
    StoreError::Corrupt {
        table,
        detail: format!("a result cell that does not parse: {cell:?}"),
    }
}

/// "agree/disagree/seen" per group, space-separated.
pub fn tallies_text(t: &[TallyCells]) -> String {
    t.iter()
        .map(|t| format!("{}/{}/{}", t.agree, t.disagree, t.seen))
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn parse_tallies(s: &str) -> Result<Vec<TallyCells>> {
    s.split_ascii_whitespace()
        .map(|cell| {
            let mut n = cell.split('/').map(|x| x.parse::<i64>());
            match (n.next(), n.next(), n.next(), n.next()) {
                (Some(Ok(agree)), Some(Ok(disagree)), Some(Ok(seen)), None) => Ok(TallyCells {
                    agree,
                    disagree,
                    seen,
                }),
                _ => Err(corrupt_cell("conversation_result_statements", cell)),
            }
        })
        .collect()
}

/// "statement:a|d:successes:trials" per statement, space-separated.
pub fn repness_text(r: &[RepCells]) -> String {
    r.iter()
        .map(|r| {
            format!(
                "{}:{}:{}:{}",
                r.statement_id,
                if r.agree { "a" } else { "d" },
                r.n_success,
                r.n_trials
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn parse_repness(s: &str) -> Result<Vec<RepCells>> {
    s.split_ascii_whitespace()
        .map(|cell| {
            let p: Vec<&str> = cell.split(':').collect();
            match p.as_slice() {
                [id, dir @ ("a" | "d"), ns, nt] => match (id.parse(), ns.parse(), nt.parse()) {
                    (Ok(statement_id), Ok(n_success), Ok(n_trials)) => Ok(RepCells {
                        statement_id,
                        agree: *dir == "a",
                        n_success,
                        n_trials,
                    }),
                    _ => Err(corrupt_cell("conversation_result_groups", cell)),
                },
                _ => Err(corrupt_cell("conversation_result_groups", cell)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_round_trip_and_refuse_garbage() {
        let t = vec![
            TallyCells {
                agree: 3,
                disagree: 1,
                seen: 5,
            },
            TallyCells::default(),
        ];
        assert_eq!(parse_tallies(&tallies_text(&t)).expect("parse"), t);
        assert_eq!(parse_tallies("").expect("none"), Vec::new());
        assert!(parse_tallies("1/2").is_err());
        let r = vec![RepCells {
            statement_id: -4,
            agree: false,
            n_success: 7,
            n_trials: 9,
        }];
        assert_eq!(parse_repness(&repness_text(&r)).expect("parse"), r);
        assert!(parse_repness("4:x:1:2").is_err());
    }
}
