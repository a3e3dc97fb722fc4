//! The bloc's cohesion in conditions (issue 17): `with_bloc("cslug") >= 0.9`,
//! `with_platform("cslug") >= 0.8`, `rice >= 0.85`, read through
//! [`Facts::with_bloc`], [`Facts::with_platform`] and [`Facts::rice`]
//! (figures exactly as API.md "Roll calls and cohesion" defines them, over
//! every imported roll call).
//!
//! **A null figure makes the comparison false**, whatever the operator: a
//! candidate with no counted votes (not yet seated, no member id, or a bloc
//! of one, where no roll call counts) neither passes `with_bloc("x") >= 0.9`
//! nor `with_bloc("x") < 0.9`. `not` then makes it true. So `not` is never
//! pushed into these comparisons by flipping the operator (that would turn
//! "not at least 90%" into "below 90%", which a null is not); negation normal
//! form keeps `not` on them as on `signed(..)`.
//!
//! The threshold is a share from 0 to 1 with at most three decimals, kept
//! in thousandths so conditions compare exactly as equal trees.

use std::cmp::Ordering;
use std::fmt;

use super::ast::Op;
use crate::facts::Facts;

/// Which figure a comparison reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Figure {
    /// The candidate's agreement with the bloc's majority.
    WithBloc(String),
    /// The candidate's agreement with the platform's tagged roll calls.
    WithPlatform(String),
    /// The bloc's Rice index.
    Rice,
}

/// A share from 0 to 1, in thousandths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Share(pub(super) u16);

impl Share {
    /// `0.9`, `0.85`, `1`, `0`, `1.000`: at most three decimals, from 0 to 1.
    pub(super) fn parse(text: &str) -> Result<Share, String> {
        let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || !digits(frac) || (whole.is_empty() && frac.is_empty()) {
            return Err("write a share from 0 to 1, like 0.9".into());
        }
        if frac.len() > 3 {
            return Err("write a share with at most three decimals, like 0.875".into());
        }
        let whole: u32 = if whole.is_empty() {
            0
        } else {
            whole
                .parse()
                .map_err(|_| format!("{text} is not a share from 0 to 1"))?
        };
        let frac: u32 = format!("{frac:0<3}").parse().unwrap_or(0);
        let thousandths = whole.saturating_mul(1000).saturating_add(frac);
        if thousandths > 1000 {
            return Err(format!(
                "{text} is more than 1; a share runs from 0 to 1, like 0.9 for 90%"
            ));
        }
        Ok(Share(thousandths as u16))
    }

    pub(super) fn value(self) -> f64 {
        f64::from(self.0) / 1000.0
    }

    /// "90%", "87.5%".
    pub(super) fn percent(self) -> String {
        let tenths = u32::from(self.0);
        if tenths % 10 == 0 {
            format!("{}%", tenths / 10)
        } else {
            format!("{}.{}%", tenths / 10, tenths % 10)
        }
    }
}

/// `0.9`, `0.875`, `1`, `0`: the shortest text that parses back.
impl fmt::Display for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0 => f.write_str("0"),
            1000 => f.write_str("1"),
            n => {
                let s = format!("{n:03}");
                write!(f, "0.{}", s.trim_end_matches('0'))
            }
        }
    }
}

impl Figure {
    pub(super) fn read(&self, facts: &dyn Facts) -> Option<f64> {
        match self {
            Figure::WithBloc(c) => facts.with_bloc(c),
            Figure::WithPlatform(c) => facts.with_platform(c),
            Figure::Rice => facts.rice(),
        }
    }

    pub(super) fn candidate(&self) -> Option<&str> {
        match self {
            Figure::WithBloc(c) | Figure::WithPlatform(c) => Some(c),
            Figure::Rice => None,
        }
    }

    pub(super) fn canonical(&self) -> String {
        match self {
            Figure::WithBloc(c) => format!("with_bloc(\"{c}\")"),
            Figure::WithPlatform(c) => format!("with_platform(\"{c}\")"),
            Figure::Rice => "rice".into(),
        }
    }
}

/// Whether `figure op share` holds; a null figure never does.
pub(super) fn holds(figure: Option<f64>, op: Op, share: Share) -> bool {
    figure.is_some_and(|x| op.test(x.total_cmp(&share.value()), Ordering::Equal))
}

fn bound(op: Op) -> &'static str {
    match op {
        Op::Ge => "at least",
        Op::Gt => "more than",
        Op::Le => "at most",
        Op::Lt => "less than",
        Op::Eq => "exactly",
        Op::Ne => "other than",
    }
}

/// The plain-English fragment: "jane-doe votes with the bloc's majority at
/// least 90% of the time".
pub(super) fn english(figure: &Figure, op: Op, share: Share) -> String {
    match figure {
        Figure::WithBloc(c) => format!(
            "{c} votes with the bloc's majority {} {} of the time",
            bound(op),
            share.percent()
        ),
        Figure::WithPlatform(c) => format!(
            "{c} votes with the platform {} {} of the time",
            bound(op),
            share.percent()
        ),
        Figure::Rice => format!("the bloc's cohesion (Rice index) is {} {share}", bound(op)),
    }
}

/// The negated fragment (a null figure satisfies it).
pub(super) fn english_not(figure: &Figure, op: Op, share: Share) -> String {
    let who = match figure.candidate() {
        Some(c) => format!("{c} has no counted votes yet"),
        None => "no roll call has counted yet".to_owned(),
    };
    format!(
        "it is not the case that {} (or {who})",
        english(figure, op, share)
    )
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use proptest::prelude::*;

    use crate::facts::Snapshot;
    use crate::Condition;

    fn facts() -> Snapshot {
        let mut s = Snapshot::new(NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"));
        s.bloc.rice = Some(0.85);
        s.bloc.with_bloc.insert("aoc".into(), 9.0 / 10.0);
        s.bloc.with_bloc.insert("omar".into(), 0.5);
        s.bloc.with_platform.insert("aoc".into(), 4.0 / 5.0);
        s
    }

    fn holds(src: &str) -> bool {
        Condition::parse(src)
            .unwrap_or_else(|e| panic!("{src}: {e}"))
            .eval(&facts())
    }

    #[test]
    fn figures_compare_exactly_with_shares() {
        assert!(holds("with_bloc(\"aoc\") >= 0.9"), "9/10 is 0.9 exactly");
        assert!(!holds("with_bloc(\"aoc\") > 0.9"));
        assert!(holds("with_bloc(\"aoc\") == 0.900"));
        assert!(!holds("with_bloc(\"omar\") >= 0.9"));
        assert!(holds("with_platform(\"aoc\") >= 0.8"));
        assert!(holds("rice >= 0.85 and rice < 1"));
        assert!(holds("RICE >= 0.850"), "names are case-insensitive");
    }

    #[test]
    fn a_null_figure_makes_every_comparison_false_and_not_makes_it_true() {
        // "ramirez" has no counted vote; an empty snapshot has no rice.
        for op in ["<", "<=", ">", ">=", "==", "!="] {
            assert!(!holds(&format!("with_bloc(\"ramirez\") {op} 0.5")), "{op}");
            assert!(!holds(&format!("with_platform(\"omar\") {op} 0.5")), "{op}");
            assert!(
                holds(&format!("not with_bloc(\"ramirez\") {op} 0.5")),
                "{op}"
            );
        }
        let empty = Snapshot::new(NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"));
        let c = Condition::parse("rice >= 0").expect("parses");
        assert!(!c.eval(&empty), "no counted roll call: rice is null");
        // `not` is not turned into the flipped comparison (which a null fails).
        let c = Condition::parse("not with_bloc(\"ramirez\") >= 0.9").expect("parses");
        assert_eq!(c.canonical(), "not with_bloc(\"ramirez\") >= 0.9");
        assert_eq!(
            c.to_english(),
            "it is not the case that ramirez votes with the bloc's majority at least 90% of the time (or ramirez has no counted votes yet)"
        );
    }

    #[test]
    fn canonical_english_reads_and_candidates() {
        let c = Condition::parse("signers >= 5 and With_Bloc( \"aoc\" )>=0.90 and rice>=0.875")
            .expect("parses");
        assert_eq!(
            c.canonical(),
            "signers >= 5 and with_bloc(\"aoc\") >= 0.9 and rice >= 0.875"
        );
        assert_eq!(Condition::parse(&c.canonical()).expect("round trip"), c);
        assert_eq!(
            c.to_english(),
            "at least 5 candidates have signed, and aoc votes with the bloc's majority at least 90% of the time, and the bloc's cohesion (Rice index) is at least 0.875"
        );
        assert_eq!(c.mentioned_candidates(), ["aoc"]);
        assert!(c.reads_bloc());
        assert!(c.reads().today, "the daily tick re-examines it");
        assert!(!Condition::parse("signers >= 5")
            .expect("parses")
            .reads_bloc());
        assert_eq!(
            Condition::parse("with_platform(\"a\") < 1")
                .expect("parses")
                .to_english(),
            "a votes with the platform less than 100% of the time"
        );
        assert_eq!(
            Condition::parse("rice >= 0").expect("parses").canonical(),
            "rice >= 0"
        );
    }

    #[test]
    fn bad_figures_are_refused_where_they_go_wrong() {
        let e = |src: &str| Condition::parse(src).expect_err(src);
        assert_eq!(e("rice >= 1.5").column, 9);
        assert!(e("rice >= 1.5").message.contains("more than 1"));
        assert!(e("rice >= 0.8751").message.contains("three decimals"));
        assert_eq!(e("rice >= $5").column, 9);
        assert_eq!(e("with_bloc >= 0.9").column, 11);
        assert_eq!(e("with_bloc(\"A b\") >= 0.9").column, 11);
        assert_eq!(e("with_bloc(\"aoc\")").column, 17);
        assert!(e("0.9 <= rice").message.contains("write the figure first"));
        assert!(e("rice >= 2028-01-01").message.contains("share"));
        assert!(e("with_blok(\"aoc\") >= 0.9")
            .message
            .contains("did you mean 'with_bloc'"));
    }

    proptest! {
        /// Shares print as the shortest text that parses back to themselves.
        #[test]
        fn shares_round_trip(t in 0u16..=1000) {
            let s = super::Share(t);
            prop_assert_eq!(super::Share::parse(&s.to_string()), Ok(s));
        }

        /// `not` is the exact negation, null or not.
        #[test]
        fn not_negates_a_figure_comparison(t in 0u16..=1000, x in proptest::option::of(0.0f64..=1.0), op in 0usize..6) {
            let ops = ["<", "<=", ">", ">=", "==", "!="];
            let share = super::Share(t);
            let src = format!("rice {} {share}", ops[op]);
            let mut f = facts();
            f.bloc.rice = x;
            let c = Condition::parse(&src).expect("parses");
            let n = Condition::parse(&format!("not {src}")).expect("parses");
            prop_assert_eq!(n.eval(&f), !c.eval(&f));
            if x.is_none() {
                prop_assert!(!c.eval(&f));
            }
        }
    }
}
