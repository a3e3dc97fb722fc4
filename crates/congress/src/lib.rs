//! Congress, pure (issue 17): the shipped congress-legislators extract,
//! each chamber's composition, what N coordinated wins of a slate's bloc
//! would do ([`power`]), the roll-call CSV layout of `votes-119/`
//! ([`votes`]) and the bloc's cohesion ([`cohesion`]).
//!
//! No IO, no async, no clock: every input is text the caller read.
//! [`shipped`] is the extract in `data/congress/`, compiled in.

use std::fmt;

use serde::Serialize;

pub mod cohesion;
mod csv;
pub mod legislators;
pub mod power;
pub mod targeting;
pub mod votes;

pub use cohesion::{cohesion, BlocMember, Cohesion, MemberCohesion, PlatformTag, Split};
pub use legislators::{Committee, CommitteeSeat, Composition, Congress, Legislator, Side};
pub use power::caucus_name;
pub use power::{power, Power, PowerError, PowerInput, SeatRef};
pub use targeting::{targets, Target};
pub use votes::{RollCall, RollCalls, Vote};

/// A malformed input file, located by file, line and column (1-based).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ParseError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// One of the two chambers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Chamber {
    House,
    Senate,
}

impl Chamber {
    /// `house` or `senate` (as in the API's paths and the extract).
    pub fn parse(s: &str) -> Option<Chamber> {
        match s {
            "house" => Some(Chamber::House),
            "senate" => Some(Chamber::Senate),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Chamber::House => "house",
            Chamber::Senate => "senate",
        }
    }
}

impl fmt::Display for Chamber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The extract shipped in `data/congress/` (see its README.md), compiled in.
pub mod shipped {
    pub const META: &str = include_str!("../../../data/congress/meta.csv");
    pub const LEGISLATORS: &str = include_str!("../../../data/congress/legislators.csv");
    pub const COMMITTEES: &str = include_str!("../../../data/congress/committees.csv");
    pub const ROLLCALLS: &str = include_str!("../../../data/congress/votes/rollcalls.csv");
    pub const POSITIONS: &str = include_str!("../../../data/congress/votes/positions.csv");

    /// The shipped legislators and committees, parsed.
    pub fn congress() -> Result<super::Congress, super::ParseError> {
        super::Congress::parse(META, LEGISLATORS, COMMITTEES)
    }

    /// The shipped roll calls, parsed.
    pub fn votes() -> Result<super::RollCalls, super::ParseError> {
        super::RollCalls::parse(ROLLCALLS, POSITIONS)
    }
}
