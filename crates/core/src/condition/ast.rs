//! The expression tree: evaluation, canonical text, and what it reads.

use std::collections::BTreeSet;
use std::fmt::Write;

use chrono::NaiveDate;

use super::bloc::{self, Figure, Share};
use super::Reads;
use crate::facts::Facts;
use crate::money::Cents;

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Op {
    #[cfg(test)]
    pub(super) const ALL: [Op; 6] = [Op::Lt, Op::Le, Op::Gt, Op::Ge, Op::Eq, Op::Ne];

    pub(super) fn symbol(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }

    /// The operator with its operands swapped: `3 <= x` is `x >= 3`.
    pub(super) fn swapped(self) -> Op {
        match self {
            Op::Lt => Op::Gt,
            Op::Le => Op::Ge,
            Op::Gt => Op::Lt,
            Op::Ge => Op::Le,
            Op::Eq => Op::Eq,
            Op::Ne => Op::Ne,
        }
    }

    /// The complementary operator: `not (x < 3)` is `x >= 3` (all our types are totally ordered).
    pub(super) fn negated(self) -> Op {
        match self {
            Op::Lt => Op::Ge,
            Op::Le => Op::Gt,
            Op::Gt => Op::Le,
            Op::Ge => Op::Lt,
            Op::Eq => Op::Ne,
            Op::Ne => Op::Eq,
        }
    }

    pub(super) fn test<T: Ord>(self, left: T, right: T) -> bool {
        match self {
            Op::Lt => left < right,
            Op::Le => left <= right,
            Op::Gt => left > right,
            Op::Ge => left >= right,
            Op::Eq => left == right,
            Op::Ne => left != right,
        }
    }
}

/// A variable holding a whole number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Count {
    Signers,
    States,
    Pledgers,
    Hours,
}

impl Count {
    #[cfg(test)]
    pub(super) const ALL: [Count; 4] =
        [Count::Signers, Count::States, Count::Pledgers, Count::Hours];

    pub(super) fn name(self) -> &'static str {
        match self {
            Count::Signers => "signers",
            Count::States => "states",
            Count::Pledgers => "pledgers",
            Count::Hours => "hours",
        }
    }

    pub(super) fn read(self, facts: &dyn Facts) -> u64 {
        match self {
            Count::Signers => facts.signers(),
            Count::States => facts.states(),
            Count::Pledgers => facts.pledgers(),
            Count::Hours => facts.hours(),
        }
    }
}

/// A condition's expression tree. Only the parser builds these (and tests),
/// so `All` and `Any` always hold at least two items and nesting is bounded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Expr {
    Const(bool),
    Mutual,
    Signed(String),
    Endorses(String, String),
    /// `kept("cslug")`: no measured commitment of theirs is broken (issue 15).
    Kept(String),
    /// `kept_all`: no signer's measured commitment is broken.
    KeptAll,
    Count(Count, Op, u64),
    Pledged(Op, Cents),
    Today(Op, NaiveDate),
    /// A cohesion figure compared with a share (issue 17; see `bloc`).
    Figure(Figure, Op, Share),
    Not(Box<Expr>),
    All(Vec<Expr>),
    Any(Vec<Expr>),
}

/// Binding strength, for deciding where the canonical text needs parentheses.
const PREC_OR: u8 = 1;
const PREC_AND: u8 = 2;
const PREC_ATOM: u8 = 3;

impl Expr {
    pub(super) fn eval(&self, facts: &dyn Facts) -> bool {
        match self {
            Expr::Const(b) => *b,
            Expr::Mutual => facts.mutual(),
            Expr::Signed(who) => facts.signed(who),
            Expr::Endorses(from, to) => facts.endorses(from, to),
            Expr::Kept(who) => facts.kept(who),
            Expr::KeptAll => facts.kept_all(),
            Expr::Count(var, op, n) => op.test(var.read(facts), *n),
            Expr::Pledged(op, amount) => op.test(facts.pledged(), *amount),
            Expr::Today(op, date) => op.test(facts.today(), *date),
            Expr::Figure(figure, op, share) => bloc::holds(figure.read(facts), *op, *share),
            Expr::Not(inner) => !inner.eval(facts),
            Expr::All(items) => items.iter().all(|e| e.eval(facts)),
            Expr::Any(items) => items.iter().any(|e| e.eval(facts)),
        }
    }

    pub(super) fn reads(&self, reads: &mut Reads) {
        match self {
            Expr::Const(_) => {}
            Expr::Mutual => reads.mutual = true,
            Expr::Signed(_) => reads.signed = true,
            Expr::Endorses(..) => reads.endorses = true,
            Expr::Kept(_) | Expr::KeptAll => reads.kept = true,
            Expr::Count(Count::Signers, ..) => reads.signers = true,
            Expr::Count(Count::States, ..) => reads.states = true,
            Expr::Count(Count::Pledgers, ..) => reads.pledgers = true,
            Expr::Count(Count::Hours, ..) => reads.hours = true,
            Expr::Pledged(..) => reads.pledged = true,
            Expr::Today(..) => reads.today = true,
            // Roll calls arrive with time: the daily tick re-examines these.
            Expr::Figure(..) => reads.today = true,
            Expr::Not(inner) => inner.reads(reads),
            Expr::All(items) | Expr::Any(items) => items.iter().for_each(|e| e.reads(reads)),
        }
    }

    pub(super) fn candidates<'a>(&'a self, out: &mut BTreeSet<&'a str>) {
        match self {
            Expr::Signed(who) | Expr::Kept(who) => {
                out.insert(who);
            }
            Expr::Endorses(from, to) => {
                out.insert(from);
                out.insert(to);
            }
            Expr::Figure(figure, ..) => {
                if let Some(c) = figure.candidate() {
                    out.insert(c);
                }
            }
            Expr::Not(inner) => inner.candidates(out),
            Expr::All(items) | Expr::Any(items) => items.iter().for_each(|e| e.candidates(out)),
            Expr::Const(_)
            | Expr::Mutual
            | Expr::KeptAll
            | Expr::Count(..)
            | Expr::Pledged(..)
            | Expr::Today(..) => {}
        }
    }

    /// Whether any leaf reads a cohesion figure.
    pub(super) fn reads_bloc(&self) -> bool {
        match self {
            Expr::Figure(..) => true,
            Expr::Not(inner) => inner.reads_bloc(),
            Expr::All(items) | Expr::Any(items) => items.iter().any(Expr::reads_bloc),
            _ => false,
        }
    }

    fn precedence(&self) -> u8 {
        match self {
            Expr::Any(_) => PREC_OR,
            Expr::All(_) => PREC_AND,
            _ => PREC_ATOM,
        }
    }

    /// Writes the canonical text: parentheses exactly where the tree needs them.
    pub(super) fn write_canonical(&self, out: &mut String) {
        // Writing to a String cannot fail, so the fmt::Results below are ignored.
        match self {
            Expr::Const(b) => out.push_str(if *b { "true" } else { "false" }),
            Expr::Mutual => out.push_str("mutual"),
            Expr::Signed(who) => {
                let _ = write!(out, "signed(\"{who}\")");
            }
            Expr::Endorses(from, to) => {
                let _ = write!(out, "endorses(\"{from}\", \"{to}\")");
            }
            Expr::Kept(who) => {
                let _ = write!(out, "kept(\"{who}\")");
            }
            Expr::KeptAll => out.push_str("kept_all"),
            Expr::Count(var, op, n) => {
                let _ = write!(out, "{} {} {n}", var.name(), op.symbol());
            }
            Expr::Pledged(op, amount) => {
                let _ = write!(out, "pledged {} {amount}", op.symbol());
            }
            Expr::Today(op, date) => {
                let _ = write!(out, "today {} {}", op.symbol(), date.format("%Y-%m-%d"));
            }
            Expr::Figure(figure, op, share) => {
                let _ = write!(out, "{} {} {share}", figure.canonical(), op.symbol());
            }
            Expr::Not(inner) => {
                out.push_str("not ");
                inner.write_operand(PREC_ATOM, out);
            }
            Expr::All(items) => write_joined(items, " and ", PREC_ATOM, out),
            Expr::Any(items) => write_joined(items, " or ", PREC_AND, out),
        }
    }

    /// Writes `self` as an operand that must bind at least as tightly as `min`.
    fn write_operand(&self, min: u8, out: &mut String) {
        if self.precedence() < min {
            out.push('(');
            self.write_canonical(out);
            out.push(')');
        } else {
            self.write_canonical(out);
        }
    }

    /// The same condition with every `not` pushed down to a leaf (De Morgan),
    /// comparisons negated by flipping their operator, and nested `and`s
    /// (and `or`s) flattened. Only `not mutual`, `not signed(..)` and
    /// `not endorses(..)` remain. With `negate`, the result is the negation.
    pub(super) fn negation_normal_form(&self, negate: bool) -> Expr {
        match self {
            Expr::Not(inner) => inner.negation_normal_form(!negate),
            Expr::All(items) | Expr::Any(items) => {
                let is_all = matches!(self, Expr::All(_)) != negate;
                let mut flat = Vec::with_capacity(items.len());
                for item in items {
                    match item.negation_normal_form(negate) {
                        Expr::All(inner) if is_all => flat.extend(inner),
                        Expr::Any(inner) if !is_all => flat.extend(inner),
                        other => flat.push(other),
                    }
                }
                if is_all {
                    Expr::All(flat)
                } else {
                    Expr::Any(flat)
                }
            }
            leaf if !negate => leaf.clone(),
            Expr::Const(b) => Expr::Const(!b),
            Expr::Count(var, op, n) => Expr::Count(*var, op.negated(), *n),
            Expr::Pledged(op, amount) => Expr::Pledged(op.negated(), *amount),
            Expr::Today(op, date) => Expr::Today(op.negated(), *date),
            // A null figure fails every comparison, so `not` stays on it.
            leaf @ (Expr::Mutual
            | Expr::Signed(_)
            | Expr::Endorses(..)
            | Expr::Figure(..)
            | Expr::Kept(_)
            | Expr::KeptAll) => Expr::Not(Box::new(leaf.clone())),
        }
    }
}

fn write_joined(items: &[Expr], separator: &str, min: u8, out: &mut String) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        item.write_operand(min, out);
    }
}
