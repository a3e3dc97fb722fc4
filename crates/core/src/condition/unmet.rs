//! What still blocks a condition, in plain English: one line per unmet part.
//!
//! The tree is put in negation normal form first (as for the English
//! rendering), then walked against the facts: a met part says nothing, an
//! unmet `and` lists each of its unmet parts, an unmet `or` is one line
//! offering its alternatives, and each unmet leaf says by how much it falls
//! short and, where the condition names people, names them ("2 more
//! signatures (from any of: …)", "Nadia Farouk-Tillman has not endorsed
//! Maria Okafor", "$4,500 more pledged").

use chrono::NaiveDate;

use super::ast::{Count, Expr, Op};
use crate::facts::Facts;
use crate::money::Cents;

/// A candidate on the slate, as the lines name them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    pub slug: String,
    pub name: String,
}

impl Named {
    pub fn new(slug: impl Into<String>, name: impl Into<String>) -> Self {
        Named {
            slug: slug.into(),
            name: name.into(),
        }
    }
}

pub(super) fn render(expr: &Expr, facts: &dyn Facts, roster: &[Named]) -> Vec<String> {
    let mut out = Vec::new();
    walk(&expr.negation_normal_form(false), facts, roster, &mut out);
    out
}

fn name<'a>(roster: &'a [Named], slug: &'a str) -> &'a str {
    roster
        .iter()
        .find(|c| c.slug == slug)
        .map_or(slug, |c| c.name.as_str())
}

fn walk(expr: &Expr, facts: &dyn Facts, roster: &[Named], out: &mut Vec<String>) {
    if expr.eval(facts) {
        return;
    }
    match expr {
        Expr::All(items) => items.iter().for_each(|e| walk(e, facts, roster, out)),
        Expr::Any(items) => {
            let alternatives: Vec<String> = items
                .iter()
                .map(|e| {
                    let mut lines = Vec::new();
                    walk(e, facts, roster, &mut lines);
                    lines.join(" and ")
                })
                .collect();
            out.push(format!("one of: {}", alternatives.join("; or ")));
        }
        Expr::Const(_) => out.push("nothing: this condition can never be met".to_owned()),
        Expr::Mutual => {
            let signers: Vec<&Named> = roster.iter().filter(|c| facts.signed(&c.slug)).collect();
            let before = out.len();
            for from in &signers {
                for to in &signers {
                    if from.slug != to.slug && !facts.endorses(&from.slug, &to.slug) {
                        out.push(format!("{} has not endorsed {}", from.name, to.name));
                    }
                }
            }
            if out.len() == before {
                out.push("not every signer endorses every other signer".to_owned());
            }
        }
        Expr::Signed(who) => out.push(format!("{} has not signed", name(roster, who))),
        Expr::Endorses(from, to) => out.push(format!(
            "{} has not endorsed {}",
            name(roster, from),
            name(roster, to)
        )),
        Expr::Not(inner) => out.push(match inner.as_ref() {
            Expr::Mutual => {
                "every signer endorses every other signer, and the condition needs one who does not"
                    .to_owned()
            }
            Expr::Signed(who) => format!(
                "{} has signed, and the condition needs them not to have",
                name(roster, who)
            ),
            Expr::Endorses(from, to) => format!(
                "{} endorses {}, and the condition needs them not to",
                name(roster, from),
                name(roster, to)
            ),
            Expr::Kept(who) => format!(
                "{} keeps every measured commitment, and the condition needs them not to",
                name(roster, who)
            ),
            Expr::Figure(figure, op, share) => {
                format!("not yet: {}", super::bloc::english_not(figure, *op, *share))
            }
            // Not reached after negation normal form.
            _ => "the opposite of a part that holds".to_owned(),
        }),
        Expr::Kept(who) => out.push(format!(
            "{} has broken a measured commitment of the compact",
            name(roster, who)
        )),
        Expr::KeptAll => {
            let broken: Vec<&str> = roster
                .iter()
                .filter(|c| facts.signed(&c.slug) && !facts.kept(&c.slug))
                .map(|c| c.name.as_str())
                .collect();
            out.push(if broken.is_empty() {
                "a signer has broken a measured commitment of the compact".to_owned()
            } else {
                format!(
                    "{} broken a measured commitment of the compact",
                    match broken.as_slice() {
                        [one] => format!("{one} has"),
                        [rest @ .., last] => format!("{} and {last} have", rest.join(", ")),
                        [] => unreachable!(),
                    }
                )
            });
        }
        Expr::Figure(figure, op, share) => out.push(format!(
            "not yet: {}",
            super::bloc::english(figure, *op, *share)
        )),
        Expr::Count(var, op, n) => out.push(count(*var, *op, *n, facts, roster)),
        Expr::Pledged(op, amount) => out.push(pledged(*op, *amount, facts.pledged())),
        Expr::Today(op, date) => out.push(today(*op, *date, facts.today())),
    }
}

/// How far `have` is from satisfying `have op n`: `Ok(more)` or `Err(fewer)`;
/// `None` when only a different number (not more or fewer) will do, or
/// when no number can (`> u64::MAX`).
fn gap(op: Op, have: u128, n: u128) -> Option<Result<u128, u128>> {
    match op {
        Op::Ge => Some(Ok(n - have)),
        Op::Gt => Some(Ok(n + 1 - have)),
        Op::Le => Some(Err(have - n)),
        Op::Lt => Some(Err(have + 1 - n)),
        Op::Eq if have < n => Some(Ok(n - have)),
        Op::Eq => Some(Err(have - n)),
        Op::Ne => None,
    }
}

fn plural(k: u128, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        super::english::thousands_u128(k),
        if k == 1 { one } else { many }
    )
}

fn count(var: Count, op: Op, n: u64, facts: &dyn Facts, roster: &[Named]) -> String {
    let have = var.read(facts);
    if op == Op::Gt && n == u64::MAX {
        return "nothing: no count can be more than the largest number".to_owned();
    }
    let Some(gap) = gap(op, u128::from(have), u128::from(n)) else {
        let what = match var {
            Count::Signers => "signatures",
            Count::States => "states among the signers",
            Count::Pledgers => "supporters pledging",
            Count::Hours => "volunteer hours a week pledged",
        };
        return format!(
            "a number of {what} other than {} (there are exactly that many now)",
            super::english::thousands_u128(u128::from(n))
        );
    };
    match (var, gap) {
        (Count::Signers, Ok(k)) => {
            let unsigned: Vec<&str> = roster
                .iter()
                .filter(|c| !facts.signed(&c.slug))
                .map(|c| c.name.as_str())
                .collect();
            let more = plural(k, "more signature", "more signatures");
            if unsigned.is_empty() {
                format!("{more} (more candidates must join the slate)")
            } else {
                format!("{more} (from any of: {})", unsigned.join(", "))
            }
        }
        (Count::Signers, Err(k)) => plural(k, "fewer signature", "fewer signatures"),
        (Count::States, Ok(k)) => {
            format!("signers from {}", plural(k, "more state", "more states"))
        }
        (Count::States, Err(k)) => {
            format!("signers from {}", plural(k, "fewer state", "fewer states"))
        }
        (Count::Pledgers, Ok(k)) => {
            plural(k, "more supporter pledging", "more supporters pledging")
        }
        (Count::Pledgers, Err(k)) => {
            plural(k, "fewer supporter pledging", "fewer supporters pledging")
        }
        (Count::Hours, Ok(k)) => plural(
            k,
            "more volunteer hour a week pledged",
            "more volunteer hours a week pledged",
        ),
        (Count::Hours, Err(k)) => plural(
            k,
            "fewer volunteer hour a week pledged",
            "fewer volunteer hours a week pledged",
        ),
    }
}

fn pledged(op: Op, amount: Cents, have: Cents) -> String {
    if op == Op::Gt && amount.get() == i64::MAX {
        return "nothing: no amount can be more than the largest amount".to_owned();
    }
    let money = |c: u128| Cents(i64::try_from(c).unwrap_or(i64::MAX)).to_string();
    let have_c = u128::try_from(have.get().max(0)).unwrap_or(0);
    let want = u128::try_from(amount.get().max(0)).unwrap_or(0);
    match gap(op, have_c, want) {
        None => format!("an amount pledged other than {amount} (exactly that is pledged now)"),
        Some(Ok(k)) => format!("{} more pledged", money(k)),
        Some(Err(k)) => format!("{} less pledged", money(k)),
    }
}

fn today(op: Op, date: NaiveDate, now: NaiveDate) -> String {
    let day = date.format("%B %-d, %Y");
    match op {
        Op::Ge => format!("waiting until {day}"),
        Op::Gt => format!("waiting until after {day}"),
        Op::Eq if now < date => format!("waiting until {day}"),
        Op::Ne => format!("waiting until a day other than {day}"),
        Op::Le | Op::Lt | Op::Eq => {
            format!("nothing: the condition's date, {day}, has passed")
        }
    }
}
