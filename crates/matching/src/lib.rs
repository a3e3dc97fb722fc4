//! Skilled volunteers matched to campaign needs (issue 5).
//!
//! - [`model`]: volunteers, needs, and the one definition of a feasible pair
//!   and its score ([`model::score`]).
//! - [`solve`]: the maximum-total-score assignment, with a dual certificate
//!   that proves it optimal ([`Matching::check_optimality`]).
//! - [`explain`]: why each unfilled role stayed unfilled, in words.
//! - [`csv`]: `V.csv` and `N.csv` in, `A.csv` out; errors name file, line
//!   and column.
//! - [`taxonomy`], [`templates`], [`toolkits`], [`ics`]: the skill list an
//!   organizer can extend, role-based team templates that produce needs,
//!   markdown toolkits per role, and the weekly check-in as RFC 5545.
//!
//! Architecture invariant: nothing here performs IO, spawns tasks, reads the
//! clock or draws random numbers; timestamps (the iCalendar `DTSTAMP`) arrive
//! as parameters.

pub mod csv;
pub mod explain;
pub mod ics;
pub mod model;
pub mod solve;
pub mod taxonomy;
pub mod templates;
pub mod toolkits;

pub use explain::{explain_unfilled, Unfilled};
pub use model::{score, Level, Need, UtcOffset, Volunteer};
pub use solve::{assign, Matching, Pair};
