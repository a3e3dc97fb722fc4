//! The pledge form's condition controls (issue 16, defect 7): candidates
//! who must sign, a number of signatures and a pledged total, compiled to
//! the same condition language the advanced field takes, so a pledge made
//! with the controls and one typed by hand are the same condition.

use cohort_core::{Cents, Condition};
use cohort_engine::EngineError;

/// What the controls hold, as typed.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Controls<'a> {
    /// The candidates ticked under "these must sign" (slugs).
    pub must_sign: &'a [String],
    /// "At least N signatures".
    pub min_signers: &'a str,
    /// "At least this much pledged".
    pub min_pledged: &'a str,
}

impl Controls<'_> {
    /// The condition the controls describe, in its canonical text (e.g.
    /// `signed("ada-reyes") and signers >= 2 and pledged >= $5,000`), or
    /// `None` when no control is set. `roster` is the slate's candidates in
    /// their listed order; the condition names them in that order. A bad
    /// control is refused naming it.
    pub fn compile(&self, roster: &[String]) -> Result<Option<String>, EngineError> {
        if let Some(stranger) = self.must_sign.iter().find(|s| !roster.contains(s)) {
            return Err(EngineError::invalid(
                "must_sign",
                format!("{stranger:?} is not a candidate on this slate"),
            ));
        }
        let mut parts: Vec<String> = roster
            .iter()
            .filter(|c| self.must_sign.contains(c))
            .map(|c| format!("signed({c:?})"))
            .collect();
        let signers = self.min_signers.trim();
        if !signers.is_empty() {
            match signers.parse::<u32>() {
                Ok(n) if n >= 1 => parts.push(format!("signers >= {n}")),
                _ => {
                    return Err(EngineError::invalid(
                        "min_signers",
                        format!("{signers:?} is not a whole number of signatures, 1 or more"),
                    ))
                }
            }
        }
        let pledged = self.min_pledged.trim();
        if !pledged.is_empty() {
            match pledged.parse::<Cents>() {
                Ok(c) if c > Cents::ZERO => parts.push(format!("pledged >= {c}")),
                Ok(_) => {
                    return Err(EngineError::invalid(
                        "min_pledged",
                        "the pledged total must be more than zero",
                    ))
                }
                Err(e) => return Err(EngineError::invalid("min_pledged", e.to_string())),
            }
        }
        if parts.is_empty() {
            return Ok(None);
        }
        let condition = Condition::parse(&parts.join(" and "))
            .map_err(|e| EngineError::invalid("condition", e.to_string()))?;
        Ok(Some(condition.canonical()))
    }
}

/// The condition a pledge form asks for: the controls' or the typed one
/// (empty: the slate's). Both at once is ambiguous and refused.
pub(crate) fn chosen_condition(
    controls: &Controls<'_>,
    typed: &str,
    roster: &[String],
) -> Result<String, EngineError> {
    let typed = typed.trim();
    match controls.compile(roster)? {
        Some(_) if !typed.is_empty() => Err(EngineError::invalid(
            "condition",
            "set your condition with the controls or type it, not both (clear one of them)",
        )),
        Some(built) => Ok(built),
        None => Ok(typed.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roster() -> Vec<String> {
        ["ada-reyes", "ben-okafor", "cy-lindqvist"]
            .map(str::to_owned)
            .to_vec()
    }

    #[test]
    fn the_controls_compile_to_canonical_text_in_roster_order() {
        let ticked = vec!["ben-okafor".to_owned(), "ada-reyes".to_owned()];
        let c = Controls {
            must_sign: &ticked,
            min_signers: " 2 ",
            min_pledged: "$5000",
        };
        let text = c
            .compile(&roster())
            .expect("compiles")
            .expect("a condition");
        assert_eq!(
            text,
            r#"signed("ada-reyes") and signed("ben-okafor") and signers >= 2 and pledged >= $5,000"#
        );
        // The text is what a person would type: it parses back to itself.
        let typed = Condition::parse(&text).expect("parses");
        assert_eq!(typed.canonical(), text);
        assert_eq!(Controls::default().compile(&roster()).expect("empty"), None);
    }

    #[test]
    fn a_bad_control_is_refused_by_name() {
        let field = |c: Controls<'_>| match c.compile(&roster()) {
            Err(EngineError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        let stranger = vec!["zed".to_owned()];
        let none: Vec<String> = Vec::new();
        let base = Controls {
            must_sign: &none,
            ..Controls::default()
        };
        assert_eq!(
            field(Controls {
                must_sign: &stranger,
                ..base
            }),
            "must_sign"
        );
        for n in ["two", "0", "-1", "1.5"] {
            assert_eq!(
                field(Controls {
                    min_signers: n,
                    ..base
                }),
                "min_signers",
                "{n}"
            );
        }
        for m in ["lots", "0", "$0"] {
            assert_eq!(
                field(Controls {
                    min_pledged: m,
                    ..base
                }),
                "min_pledged",
                "{m}"
            );
        }
    }

    #[test]
    fn controls_and_a_typed_condition_together_are_refused() {
        let ticked = vec!["ada-reyes".to_owned()];
        let c = Controls {
            must_sign: &ticked,
            ..Controls::default()
        };
        assert!(matches!(
            chosen_condition(&c, "mutual", &roster()),
            Err(EngineError::Invalid { ref field, .. }) if field == "condition"
        ));
        assert_eq!(
            chosen_condition(&c, "  ", &roster()).expect("controls"),
            r#"signed("ada-reyes")"#
        );
        assert_eq!(
            chosen_condition(&Controls::default(), " mutual ", &roster()).expect("typed"),
            "mutual"
        );
    }
}
