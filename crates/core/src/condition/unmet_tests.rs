use proptest::prelude::*;

use super::ast::Expr;
use super::tests::{arb_expr, arb_snapshot, bloc, cond, date, from_expr, POOL};
use super::*;
use crate::facts::Snapshot;
use crate::money::Cents;

fn roster() -> Vec<Named> {
    vec![
        Named::new("nadia", "Nadia Farouk-Tillman"),
        Named::new("maria", "Maria Okafor"),
        Named::new("sam", "Sam Lee"),
        Named::new("ann", "Ann Park"),
    ]
}

/// Nadia and Maria have signed; Maria endorses Nadia; $500 pledged.
fn two_signed() -> Snapshot {
    let mut s = Snapshot::new(date(2028, 3, 1));
    s.signers.insert("nadia".into(), "NY".into());
    s.signers.insert("maria".into(), "NY".into());
    s.endorsements.insert(("maria".into(), "nadia".into()));
    s.pledged = Cents::from_dollars(500);
    s.pledgers = 3;
    s.hours = 10;
    s
}

fn unmet(src: &str, facts: &Snapshot) -> Vec<String> {
    cond(src).unmet(facts, &roster())
}

#[test]
fn names_what_blocks_each_part_of_the_design_example() {
    let lines = unmet(
        "signers >= 4 and states >= 2 and mutual and pledged >= $5,000",
        &two_signed(),
    );
    assert_eq!(
        lines,
        vec![
            "2 more signatures (from any of: Sam Lee, Ann Park)",
            "signers from 1 more state",
            "Nadia Farouk-Tillman has not endorsed Maria Okafor",
            "$4,500 more pledged",
        ]
    );
}

#[test]
fn a_met_condition_has_nothing_blocking_it() {
    assert!(unmet("signers >= 2 and pledged >= $500", &two_signed()).is_empty());
    assert!(cond("signers >= 5 and mutual")
        .unmet(&bloc(), &[])
        .is_empty());
}

#[test]
fn names_people_in_signed_and_endorses() {
    let facts = two_signed();
    assert_eq!(
        unmet(r#"signed("sam") and endorses("nadia", "maria")"#, &facts),
        vec![
            "Sam Lee has not signed",
            "Nadia Farouk-Tillman has not endorsed Maria Okafor"
        ]
    );
    // A slug the roster does not know is shown as itself.
    assert_eq!(
        unmet(r#"signed("ghost")"#, &facts),
        vec!["ghost has not signed"]
    );
    assert_eq!(
        unmet(r#"not signed("maria")"#, &facts),
        vec!["Maria Okafor has signed, and the condition needs them not to have"]
    );
}

#[test]
fn an_unmet_or_is_one_line_with_its_alternatives() {
    assert_eq!(
        unmet(
            "signers >= 3 or (pledgers >= 5 and hours > 10)",
            &two_signed()
        ),
        vec![
            "one of: 1 more signature (from any of: Sam Lee, Ann Park); \
             or 2 more supporters pledging and 1 more volunteer hour a week pledged"
        ]
    );
}

#[test]
fn shortfalls_count_from_each_operator() {
    let facts = two_signed();
    assert_eq!(
        unmet("signers > 3", &facts),
        vec!["2 more signatures (from any of: Sam Lee, Ann Park)"]
    );
    assert_eq!(unmet("signers < 2", &facts), vec!["1 fewer signature"]);
    assert_eq!(unmet("signers <= 0", &facts), vec!["2 fewer signatures"]);
    assert_eq!(
        unmet("pledgers == 1,003", &facts),
        vec!["1,000 more supporters pledging"]
    );
    assert_eq!(
        unmet("hours != 10", &facts),
        vec!["a number of volunteer hours a week pledged other than 10 (there are exactly that many now)"]
    );
    assert_eq!(unmet("pledged > $500", &facts), vec!["$0.01 more pledged"]);
    assert_eq!(
        unmet("pledged < $100", &facts),
        vec!["$400.01 less pledged"]
    );
    assert_eq!(
        unmet("today >= 2028-04-02", &facts),
        vec!["waiting until April 2, 2028"]
    );
    assert_eq!(
        unmet("today < 2028-01-01", &facts),
        vec!["nothing: the condition's date, January 1, 2028, has passed"]
    );
    assert_eq!(
        unmet("false", &facts),
        vec!["nothing: this condition can never be met"]
    );
    assert_eq!(
        unmet("signers > 18,446,744,073,709,551,615", &facts),
        vec!["nothing: no count can be more than the largest number"]
    );
}

#[test]
fn every_candidate_signed_but_more_signatures_needed() {
    let mut facts = two_signed();
    facts.signers.insert("sam".into(), "CA".into());
    facts.signers.insert("ann".into(), "TX".into());
    assert_eq!(
        unmet("signers >= 6", &facts),
        vec!["2 more signatures (more candidates must join the slate)"]
    );
}

#[test]
fn negations_are_pushed_down_before_reading_the_gap() {
    // not (signers < 4) is signers >= 4.
    assert_eq!(
        unmet("not (signers < 4 or mutual)", &two_signed()),
        vec!["2 more signatures (from any of: Sam Lee, Ann Park)"]
    );
}

fn pool_roster() -> Vec<Named> {
    POOL.iter()
        .map(|slug| Named::new(*slug, format!("Candidate {}", slug.to_uppercase())))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn nothing_blocks_exactly_when_the_condition_holds(expr in arb_expr(), facts in arb_snapshot()) {
        let c = from_expr(expr.clone());
        let lines = c.unmet(&facts, &pool_roster());
        prop_assert_eq!(lines.is_empty(), c.eval(&facts), "{:?}", lines);
        for line in &lines {
            prop_assert!(!line.trim().is_empty());
            // People are named, never by the language's syntax.
            prop_assert!(!line.contains("signed(\"") && !line.contains("endorses(\""), "{}", line);
        }
        let negated = from_expr(Expr::Not(Box::new(expr)));
        prop_assert_eq!(negated.unmet(&facts, &pool_roster()).is_empty(), !c.eval(&facts));
    }

    #[test]
    fn an_and_of_parts_lists_one_line_per_unmet_simple_part(
        need in 0u64..10, amount in 0i64..10_000_000, facts in arb_snapshot()
    ) {
        let c = from_expr(Expr::All(vec![
            Expr::Count(super::ast::Count::Signers, super::ast::Op::Ge, need),
            Expr::Pledged(super::ast::Op::Ge, Cents(amount)),
        ]));
        let lines = c.unmet(&facts, &pool_roster());
        let short_signers = need.saturating_sub(facts.signers.len() as u64);
        let short_money = amount.saturating_sub(facts.pledged.get()).max(0);
        prop_assert_eq!(lines.len(), usize::from(short_signers > 0) + usize::from(short_money > 0));
        if short_signers > 0 {
            let plural = if short_signers == 1 { "" } else { "s" };
            let expected = format!("{short_signers} more signature{plural}");
            prop_assert!(lines[0].starts_with(&expected), "{}", lines[0]);
        }
        if short_money > 0 {
            let expected = format!("{} more pledged", Cents(short_money));
            prop_assert_eq!(lines.last().unwrap(), &expected);
        }
    }
}
