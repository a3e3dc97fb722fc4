//! Plain-English rendering of a condition, as a fragment that reads after
//! "unlocks when ".
//!
//! The tree is first put in negation normal form, so every "not" lands on a
//! leaf that has a natural negative ("fewer than 5 candidates have signed",
//! "jane-doe has not signed"). Top-level clauses are joined plainly; a group
//! nested inside another reads "either X or Y" / "both X and Y", and anything
//! more complex is parenthesised, so the grouping is never ambiguous.

use chrono::NaiveDate;

use super::ast::{Count, Expr, Op};
use crate::money::Cents;

pub(super) fn render(expr: &Expr) -> String {
    clause(&expr.negation_normal_form(false), 0)
}

fn clause(expr: &Expr, depth: usize) -> String {
    match expr {
        Expr::All(items) => group(items, "and", depth),
        Expr::Any(items) => group(items, "or", depth),
        Expr::Const(true) => "always".to_owned(),
        Expr::Const(false) => "never".to_owned(),
        Expr::Mutual => "every signer endorses every other signer".to_owned(),
        Expr::Signed(who) => format!("{who} has signed"),
        Expr::Endorses(from, to) => format!("{from} endorses {to}"),
        Expr::Kept(who) => format!("{who} keeps every measured commitment of the compact"),
        Expr::KeptAll => "every signer keeps every measured commitment of the compact".to_owned(),
        Expr::Count(var, op, n) => count(*var, *op, *n),
        Expr::Pledged(op, amount) => pledged(*op, *amount),
        Expr::Today(op, date) => today(*op, *date),
        Expr::Figure(figure, op, share) => super::bloc::english(figure, *op, *share),
        Expr::Not(inner) => match inner.as_ref() {
            Expr::Figure(figure, op, share) => super::bloc::english_not(figure, *op, *share),
            Expr::Mutual => "not every signer endorses every other signer".to_owned(),
            Expr::Signed(who) => format!("{who} has not signed"),
            Expr::Endorses(from, to) => format!("{from} does not endorse {to}"),
            Expr::Kept(who) => format!("{who} has broken a measured commitment of the compact"),
            Expr::KeptAll => {
                "some signer has broken a measured commitment of the compact".to_owned()
            }
            // Not reached after negation normal form; kept so rendering is total.
            other => format!("it is not the case that {}", clause(other, depth + 1)),
        },
    }
}

fn group(items: &[Expr], conjunction: &str, depth: usize) -> String {
    let parts: Vec<String> = items.iter().map(|item| clause(item, depth + 1)).collect();
    let simple = items
        .iter()
        .all(|item| !matches!(item, Expr::All(_) | Expr::Any(_)));
    let pair = parts.len() == 2;
    let joined = if pair && simple {
        parts.join(&format!(" {conjunction} "))
    } else {
        parts.join(&format!(", {conjunction} "))
    };
    if depth == 0 {
        return joined;
    }
    let lead = if conjunction == "and" {
        "both"
    } else {
        "either"
    };
    match (pair, simple) {
        (true, true) => format!("{lead} {joined}"),
        (true, false) => format!("({lead} {joined})"),
        (false, _) => format!("({joined})"),
    }
}

/// "at least", "more than", ... for the ordering operators.
fn bound(op: Op, fewer: &str) -> &str {
    match op {
        Op::Ge => "at least",
        Op::Gt => "more than",
        Op::Le => "at most",
        Op::Lt => fewer,
        Op::Eq => "exactly",
        // Callers phrase inequality themselves.
        Op::Ne => "other than",
    }
}

fn count(var: Count, op: Op, n: u64) -> String {
    if op == Op::Ne {
        let what = match var {
            Count::Signers => "candidates who have signed",
            Count::States => "states the signers come from",
            Count::Pledgers => "supporters who have pledged",
            Count::Hours => "volunteer hours a week pledged",
        };
        return format!("the number of {what} is not {}", thousands(n));
    }
    let none = matches!((op, n), (Op::Lt, 1) | (Op::Le | Op::Eq, 0));
    let (quantity, one) = if none {
        ("no".to_owned(), false)
    } else {
        (
            format!("{} {}", bound(op, "fewer than"), thousands(n)),
            n == 1,
        )
    };
    let (noun, verb) = if one { ("", "has") } else { ("s", "have") };
    match var {
        Count::Signers => format!("{quantity} candidate{noun} {verb} signed"),
        Count::States => format!("the signers come from {quantity} state{noun}"),
        Count::Pledgers => format!("{quantity} supporter{noun} {verb} pledged"),
        Count::Hours => format!("{quantity} volunteer hour{noun} a week {verb} been pledged"),
    }
}

fn pledged(op: Op, amount: Cents) -> String {
    match (op, amount.get()) {
        (Op::Ne, _) => format!("the amount pledged is not {amount}"),
        (Op::Lt, 1) | (Op::Le | Op::Eq, 0) => "nothing has been pledged".to_owned(),
        _ => format!("{} {amount} has been pledged", bound(op, "less than")),
    }
}

fn today(op: Op, date: NaiveDate) -> String {
    let date = date.format("%B %-d, %Y");
    match op {
        Op::Ge => format!("it is {date} or later"),
        Op::Gt => format!("it is after {date}"),
        Op::Le => format!("it is {date} or earlier"),
        Op::Lt => format!("it is before {date}"),
        Op::Eq => format!("it is {date}"),
        Op::Ne => format!("it is not {date}"),
    }
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    thousands_u128(u128::from(n))
}

/// [`thousands`] for the wider numbers a shortfall can reach.
pub(super) fn thousands_u128(n: u128) -> String {
    let digits: Vec<char> = n.to_string().chars().collect();
    let groups: Vec<String> = digits
        .rchunks(3)
        .rev()
        .map(|group| group.iter().collect())
        .collect();
    groups.join(",")
}
