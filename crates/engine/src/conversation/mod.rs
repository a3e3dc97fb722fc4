//! A slate's conversation (issue 4): organizers seed statements, signed-in
//! people vote agree / disagree / pass and add their own (held for an
//! organizer), and the Pol.is analysis of `cohort-consensus` finds opinion
//! groups and what every group agrees on. Organizers adopt a statement as a
//! plank of a new compact version.
//!
//! Votes are written at once; the analysis runs afterwards, in three steps so
//! the caller can keep the CPU work off its request threads and out of every
//! write transaction: [`Engine::load_conversation`] (a read transaction),
//! [`ConversationInput::analyze`] (pure), [`Engine::store_conversation`] (one
//! short write). [`Engine::recompute_conversation`] chains them.

use cohort_store::{Id, StatementRow};
use serde::{Deserialize, Serialize};

use crate::{EngineError, Result};

mod analysis;
mod brigades;
mod continuity;
mod demo;
mod results;
mod slim;
mod statements;
mod votes;

pub use analysis::{params, ConversationInput, ConversationOutput};
pub use brigades::{BurstResult, BurstsView, DownweightView};
pub use demo::{DemoConversation, DemoConversationIds};
pub use results::{
    group_letter, BridgeResult, ConversationResult, GroupResult, MapPoint, RepResult, ResultsView,
    StatementPoint, StatementTally, Tally,
};

/// Longest statement, in characters (Pol.is allows 140).
pub const STATEMENT_MAX: usize = 140;

/// A statement as people see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementView {
    pub id: Id,
    pub body: String,
    /// "approved", "pending" or "rejected".
    pub status: &'static str,
    pub seeded: bool,
    /// Compact version it became a plank of, with the support it had.
    pub adopted_version: Option<i32>,
    pub adopted_support: Option<String>,
}

fn statement_view(s: &StatementRow) -> StatementView {
    StatementView {
        id: s.id,
        body: s.body.clone(),
        status: s.status.as_str(),
        seeded: s.seeded,
        adopted_version: s.adopted.as_ref().map(|a| a.version),
        adopted_support: s.adopted.as_ref().map(|a| a.support.clone()),
    }
}

/// A vote: agree, disagree or pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Vote {
    Agree,
    Disagree,
    Pass,
}

impl Vote {
    pub fn parse(s: &str) -> Result<Vote> {
        match s {
            "agree" => Ok(Vote::Agree),
            "disagree" => Ok(Vote::Disagree),
            "pass" => Ok(Vote::Pass),
            _ => Err(EngineError::invalid(
                "vote",
                format!("{s:?} is not agree, disagree or pass"),
            )),
        }
    }
    /// "agree", "disagree" or "pass".
    pub fn as_str(self) -> &'static str {
        match self {
            Vote::Agree => "agree",
            Vote::Disagree => "disagree",
            Vote::Pass => "pass",
        }
    }
    fn value(self) -> i32 {
        match self {
            Vote::Agree => 1,
            Vote::Disagree => -1,
            Vote::Pass => 0,
        }
    }
}

/// A participant's place on the map, from the latest result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Position {
    pub x: f64,
    pub y: f64,
    /// The opinion group's letter ("A"), when they are in one.
    pub group: Option<String>,
}

/// What one person sees of a slate's conversation: signed in, or an
/// anonymous participant (issue 16).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Participation {
    pub slug: String,
    pub slate_name: String,
    /// The next approved statement they have not voted on.
    pub next: Option<StatementView>,
    pub voted: usize,
    /// Approved statements in all.
    pub statements: usize,
    /// Their own statements still waiting for an organizer.
    pub my_pending: Vec<StatementView>,
    pub position: Option<Position>,
    /// Votes still needed to appear on the map (Pol.is: min(7, statements)).
    pub votes_to_map: usize,
    pub organizer: bool,
    /// Their current votes on approved statements, to change (last vote wins).
    pub my_votes: Vec<(StatementView, Vote)>,
    /// Not signed in: their votes are held for them by a cookie.
    pub anonymous: bool,
    /// Their row in the vote matrix (and on the map), once they have voted.
    pub me: Option<Id>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn votes_parse_or_name_the_problem() {
        assert_eq!(Vote::parse("agree").ok(), Some(Vote::Agree));
        assert_eq!(Vote::parse("pass").map(Vote::value).ok(), Some(0));
        let e = Vote::parse("yes").expect_err("not a vote");
        assert_eq!(
            e.to_string(),
            "vote: \"yes\" is not agree, disagree or pass"
        );
    }
}
