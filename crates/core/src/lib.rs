//! Cohort's pure domain.
//!
//! Architecture invariant: nothing in this crate performs IO, spawns tasks,
//! reads the clock or draws random numbers. Time arrives as a parameter
//! (`today`), identifiers arrive from the caller. That keeps every rule here
//! deterministic and testable with property tests.

pub mod commitment;
pub mod condition;
pub mod csv;
pub mod facts;
pub mod joint_event;
pub mod joint_event_ics;
pub mod joint_pledge;
pub mod limits;
pub mod model;
pub mod money;
pub mod people_csv;
pub mod pledges_csv;
pub mod slate_event;
pub mod slug;
pub mod split;
pub mod unlock;

pub use condition::{Condition, Named, ParseError, Reads};
pub use facts::Facts;
pub use money::Cents;
pub use slate_event::SlateEventKind;
pub use slug::{Email, Slug};
