//! Voting: a person votes agree / disagree / pass (a later vote replaces an
//! earlier one), and the participate page's view of where they stand.

use std::collections::{HashMap, HashSet};

use cohort_store::{Id, StatementRow, StatementStatus, VoteRow};

use super::analysis::params;
use super::results::{group_letter, load_result};
use super::statements::statement_of;
use super::{statement_view, Participation, Position, Vote};
use crate::slates::find_slate;
use crate::{Actor, Engine, EngineError, Result};

/// A deterministic, per-person order of statements, so that each statement
/// gets votes early rather than the oldest ones first.
fn shuffle_key(user: Id, statement: Id) -> u64 {
    let mut x = (user as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (statement as u64);
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^ (x >> 29)
}

impl Engine {
    /// A signed-in participant votes; a later vote replaces an earlier one.
    pub async fn vote(&self, actor: &Actor, slate: &str, statement: Id, vote: Vote) -> Result<()> {
        let account = actor.require_account()?;
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        let row = statement_of(tx.as_mut(), &s, statement).await?;
        if row.status != StatementStatus::Approved {
            // Pending and rejected statements are invisible to voters.
            return Err(EngineError::not_found("statement", statement.to_string()));
        }
        tx.upsert_vote(
            s.id,
            &VoteRow {
                statement_id: row.id,
                user_id: account.user.id,
                vote: vote.value(),
                at: self.now(),
            },
        )
        .await?;
        tx.touch_conversation(s.id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The participate page: the next statement to vote on, and where the
    /// person stands.
    pub async fn participation(&self, actor: &Actor, slate: &str) -> Result<Participation> {
        let account = actor.require_account()?;
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        let statements = tx.statements(s.id, None).await?;
        let votes: HashMap<Id, i32> = tx
            .votes_of(s.id, account.user.id)
            .await?
            .iter()
            .map(|v| (v.statement_id, v.vote))
            .collect();
        let mine: HashSet<Id> = votes.keys().copied().collect();
        let approved: Vec<&StatementRow> = statements
            .iter()
            .filter(|x| x.status == StatementStatus::Approved)
            .collect();
        let voted = approved.iter().filter(|x| mine.contains(&x.id)).count();
        let next = approved
            .iter()
            .filter(|x| !mine.contains(&x.id))
            .min_by_key(|x| shuffle_key(account.user.id, x.id))
            .map(|x| statement_view(x));
        let (_, result) = load_result(tx.as_mut(), s.id).await?;
        let position = result.as_ref().and_then(|(_, r)| {
            r.points
                .iter()
                .find(|p| p.participant == account.user.id)
                .map(|p| Position {
                    x: p.x,
                    y: p.y,
                    group: p.group.map(group_letter),
                })
        });
        let needed = params().min_votes.min(approved.len());
        Ok(Participation {
            slug: s.slug.to_string(),
            slate_name: s.name.clone(),
            next,
            voted,
            statements: approved.len(),
            my_pending: statements
                .iter()
                .filter(|x| {
                    x.author_id == Some(account.user.id) && x.status == StatementStatus::Pending
                })
                .map(statement_view)
                .collect(),
            position,
            votes_to_map: needed.saturating_sub(voted),
            organizer: actor.organizes(s.id),
            my_votes: approved
                .iter()
                .filter_map(|x| {
                    let vote = match votes.get(&x.id)? {
                        1 => Vote::Agree,
                        -1 => Vote::Disagree,
                        _ => Vote::Pass,
                    };
                    Some((statement_view(x), vote))
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_person_gets_their_own_statement_order() {
        let order = |user: Id| {
            let mut ids: Vec<Id> = (1..=8).collect();
            ids.sort_by_key(|s| shuffle_key(user, *s));
            ids
        };
        assert_eq!(order(1), order(1), "stable for one person");
        assert_ne!(order(1), order(2), "different across people");
    }
}
