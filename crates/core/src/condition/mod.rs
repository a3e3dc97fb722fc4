//! The condition language: when a pledge unlocks.
//!
//! A condition is a small boolean expression over a slate's state, for example
//! `signers >= 5 and states >= 3 and mutual`, `signed("jane-doe") and signers >= 3`
//! or `pledged >= $500,000`.
//!
//! Grammar (keywords and names are case-insensitive):
//!
//! ```text
//! condition  := or
//! or         := and ("or" and)*
//! and        := not ("and" not)*
//! not        := "not" not | atom
//! atom       := "(" or ")"
//!             | "true" | "false" | "mutual"
//!             | "signed" "(" STRING ")"
//!             | "endorses" "(" STRING "," STRING ")"
//!             | "kept" "(" STRING ")" | "kept_all"      (the scorecard, issue 15)
//!             | VARIABLE CMP LITERAL | LITERAL CMP VARIABLE
//!             | FIGURE CMP SHARE
//! VARIABLE   := signers | states | pledgers | hours   (compared with whole numbers: 5, 1,000)
//!             | pledged                               (compared with money: $500,000, $12.50)
//!             | today                                 (compared with dates: 2028-03-01)
//! FIGURE     := "with_bloc" "(" STRING ")" | "with_platform" "(" STRING ")" | "rice"
//! SHARE      := a number from 0 to 1, at most three decimals: 0.9, 0.875
//!               (a figure with no votes yet makes its comparison false; see `bloc`)
//! CMP        := < | <= | > | >= | == | !=
//! STRING     := a double-quoted candidate slug: "jane-doe"
//! ```
//!
//! The pieces: `lexer` turns text into tokens with columns, `parser` is a
//! recursive-descent parser that type-checks as it goes and builds the
//! `ast::Expr`, which evaluates itself and renders its canonical text, and
//! `english` renders the plain-English fragment shown to people.

mod ast;
mod bloc;
mod english;
#[cfg(test)]
mod kept_tests;
mod lexer;
mod parser;
#[cfg(test)]
mod tests;
mod unmet;
#[cfg(test)]
mod unmet_tests;

pub use unmet::Named;

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::facts::Facts;

/// The longest condition accepted, in characters.
pub const MAX_LEN: usize = 2000;
/// How deeply parentheses and `not` may nest.
pub const MAX_DEPTH: usize = 64;

/// A parsed, type-checked condition.
///
/// Two conditions are equal when they mean the same expression tree; the
/// spelling of the source (spacing, case, `3 <= signers` versus
/// `signers >= 3`, `$500000` versus `$500,000`) does not matter.
#[derive(Clone, Debug)]
pub struct Condition {
    source: String,
    expr: ast::Expr,
}

/// Why a condition could not be parsed, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} at column {column}")]
pub struct ParseError {
    /// 1-based position in characters; one past the last character means "at the end".
    pub column: usize,
    pub message: String,
}

impl ParseError {
    fn new(column: usize, message: impl Into<String>) -> Self {
        ParseError {
            column,
            message: message.into(),
        }
    }
}

/// Which facts a condition depends on. Used to re-examine only the pledges
/// an event can affect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Reads {
    pub signers: bool,
    pub states: bool,
    pub mutual: bool,
    pub signed: bool,
    pub endorses: bool,
    pub pledged: bool,
    pub pledgers: bool,
    pub hours: bool,
    pub today: bool,
    /// `kept(..)` or `kept_all`: the scorecard (issue 15).
    pub kept: bool,
}

impl Reads {
    /// Affected by a signature or a withdrawal.
    pub fn signatures(&self) -> bool {
        self.signers || self.states || self.mutual || self.signed || self.kept
    }

    /// Affected by an endorsement being made or withdrawn.
    pub fn endorsements(&self) -> bool {
        self.mutual || self.endorses || self.kept
    }

    /// Affected by a pledge being made, cancelled or expiring.
    pub fn pot(&self) -> bool {
        self.pledged || self.pledgers || self.hours
    }

    /// Affected by the passing of time.
    pub fn clock(&self) -> bool {
        self.today || self.kept
    }

    /// Affected by the scorecard: signatures, endorsements, joint events
    /// held, and time (periods end).
    pub fn scorecard(&self) -> bool {
        self.kept
    }

    /// Every fact either set reads.
    pub fn union(self, other: Reads) -> Reads {
        Reads::from_bits(self.to_bits() | other.to_bits())
    }

    /// A stable encoding for storage. The bit positions never change; new
    /// facts get new bits.
    pub fn to_bits(self) -> i64 {
        self.flags()
            .iter()
            .enumerate()
            .filter(|(_, on)| **on)
            .fold(0, |bits, (i, _)| bits | (1 << i))
    }

    /// Decodes [`Reads::to_bits`]; unknown bits are ignored.
    pub fn from_bits(bits: i64) -> Reads {
        let on = |i: u32| bits & (1 << i) != 0;
        Reads {
            signers: on(0),
            states: on(1),
            mutual: on(2),
            signed: on(3),
            endorses: on(4),
            pledged: on(5),
            pledgers: on(6),
            hours: on(7),
            today: on(8),
            kept: on(9),
        }
    }

    /// The flags in bit order.
    fn flags(self) -> [bool; 10] {
        [
            self.signers,
            self.states,
            self.mutual,
            self.signed,
            self.endorses,
            self.pledged,
            self.pledgers,
            self.hours,
            self.today,
            self.kept,
        ]
    }
}

impl Condition {
    /// Parses and type-checks a condition. Errors point at a column of `src`
    /// as given (before trimming).
    pub fn parse(src: &str) -> Result<Condition, ParseError> {
        let expr = parser::parse(src)?;
        Ok(Condition {
            source: src.trim().to_owned(),
            expr,
        })
    }

    /// Whether the condition holds for these facts. Total and deterministic.
    pub fn eval(&self, facts: &dyn Facts) -> bool {
        self.expr.eval(facts)
    }

    /// A plain-English sentence fragment; callers prepend e.g. "unlocks when ".
    pub fn to_english(&self) -> String {
        english::render(&self.expr)
    }

    /// What still blocks the condition, one plain-English line per unmet
    /// part ("2 more signatures (from any of: …)", "Nadia Farouk-Tillman has
    /// not endorsed Maria Okafor", "$4,500 more pledged"); empty exactly when
    /// the condition holds. `roster` names the slate's candidates, in the
    /// order they are listed; a slug missing from it is shown as the slug.
    pub fn unmet(&self, facts: &dyn Facts, roster: &[Named]) -> Vec<String> {
        unmet::render(&self.expr, facts, roster)
    }

    /// The facts this condition depends on.
    pub fn reads(&self) -> Reads {
        let mut reads = Reads::default();
        self.expr.reads(&mut reads);
        reads
    }

    /// The text as given, trimmed.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// A normalized rendering (lowercase keywords, single spaces, variable on
    /// the left, `$500,000`-style money) that parses back to an equal condition.
    pub fn canonical(&self) -> String {
        let mut out = String::new();
        self.expr.write_canonical(&mut out);
        out
    }

    /// Whether the condition reads the bloc's cohesion (`with_bloc`,
    /// `with_platform`, `rice`): the engine computes those figures only then.
    /// Such a condition also reads `today` (see [`Reads`]), so the daily tick
    /// re-examines it as roll calls arrive.
    pub fn reads_bloc(&self) -> bool {
        self.expr.reads_bloc()
    }

    /// The candidate slugs named in `signed(...)` and `endorses(...)`, sorted and deduplicated.
    pub fn mentioned_candidates(&self) -> Vec<String> {
        let mut slugs = BTreeSet::new();
        self.expr.candidates(&mut slugs);
        slugs.into_iter().map(str::to_owned).collect()
    }
}

impl PartialEq for Condition {
    fn eq(&self, other: &Self) -> bool {
        self.expr == other.expr
    }
}

impl Eq for Condition {}

impl FromStr for Condition {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Condition::parse(s)
    }
}

/// The canonical form.
impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

/// Serialized as its source text, so what a person wrote is what is stored.
impl Serialize for Condition {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.source)
    }
}

impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let src = String::deserialize(deserializer)?;
        Condition::parse(&src).map_err(serde::de::Error::custom)
    }
}
