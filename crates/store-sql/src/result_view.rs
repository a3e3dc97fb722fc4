//! The text cells of the slim stored result (issue 20): a statement's
//! per-group tallies, a group's representative statements and the map's
//! drawn dots, written as space-separated lists both backends store in one
//! TEXT column.

use cohort_store::{RepCells, Result, ResultPointRow, StoreError, TallyCells};

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

/// "participant,x,y,group" per drawn dot (group empty for none),
/// space-separated; `x` and `y` written so they read back exactly.
pub fn dots_text<'a>(dots: impl Iterator<Item = &'a ResultPointRow>) -> String {
    let mut out = String::new();
    for p in dots {
        if !out.is_empty() {
            out.push(' ');
        }
        let group = p.group.map(|g| g.to_string()).unwrap_or_default();
        out.push_str(&format!("{},{:?},{:?},{group}", p.participant, p.x, p.y));
    }
    out
}

/// The drawn dots of [`dots_text`], every one `drawn`.
pub fn parse_dots(s: &str) -> Result<Vec<ResultPointRow>> {
    s.split_ascii_whitespace()
        .map(|cell| {
            let p: Vec<&str> = cell.split(',').collect();
            let parsed = match p.as_slice() {
                [id, x, y, g] => id
                    .parse()
                    .ok()
                    .zip(x.parse().ok())
                    .zip(y.parse().ok())
                    .and_then(|((participant, x), y)| {
                        let group = match *g {
                            "" => Some(None),
                            g => g.parse().ok().map(Some),
                        }?;
                        Some(ResultPointRow {
                            participant,
                            x,
                            y,
                            group,
                            drawn: true,
                        })
                    }),
                _ => None,
            };
            parsed.ok_or_else(|| corrupt_cell("conversation_result_drawn", cell))
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
        let d = vec![
            ResultPointRow {
                participant: 7,
                x: 0.1 + 0.2,
                y: -1e-300,
                group: Some(2),
                drawn: true,
            },
            ResultPointRow {
                participant: 9,
                x: 3.0,
                y: f64::MIN_POSITIVE,
                group: None,
                drawn: true,
            },
        ];
        assert_eq!(parse_dots(&dots_text(d.iter())).expect("parse"), d);
        assert_eq!(parse_dots("").expect("none"), Vec::new());
        for bad in ["1,2,3", "1,x,3,", "1,2,3,4,5", "a,1,2,"] {
            assert!(parse_dots(bad).is_err(), "{bad}");
        }
    }
}
