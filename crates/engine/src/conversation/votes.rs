//! Voting: a person votes agree / disagree / pass (a later vote replaces an
//! earlier one), signed in or, as on Pol.is, anonymously (issue 16): a
//! visitor without an account is a participant known by a random secret
//! their browser keeps in a cookie, whose votes count like anyone's and move
//! to their account when they sign in ([`Engine::claim_visitor_votes`]).

use std::collections::{BTreeMap, HashMap, HashSet};

use cohort_store::{Id, StatementRow, StatementStatus, Tx, VisitorVoteRow, VoteRow};

use super::analysis::params;
use super::results::group_letter;
use super::slim::load_view;
use super::statements::statement_of;
use super::{statement_view, Participation, Position, Vote};
use crate::secrets::token_hash;
use crate::slates::find_slate;
use crate::{Actor, Engine, EngineError, Result};

/// An anonymous participant's row in the vote matrix: the negated visitor
/// id, so it never meets an account's (positive) user id.
pub(super) fn visitor_participant(visitor_id: Id) -> Id {
    -visitor_id
}

/// A visitor's secret as the web layer hands it over: what
/// [`Engine::new_secret`] makes, nothing else.
fn visitor_secret(secret: &str) -> Result<&str> {
    if (8..=128).contains(&secret.len()) && secret.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(secret)
    } else {
        Err(EngineError::invalid(
            "participant",
            "is not a participant secret this server issued",
        ))
    }
}

/// Who casts a vote.
enum Voter<'a> {
    Account(Id),
    /// An anonymous participant's secret.
    Visitor(&'a str),
}

/// Who is taking part: an account, or an anonymous participant (their
/// visitor row, once they have voted, and a key to order statements by).
enum Taker {
    Account(Id),
    Visitor {
        id: Option<Id>,
        key: Id,
    },
    /// Neither signed in nor carrying a participant cookie.
    Nobody,
}

impl Taker {
    /// Their row in the vote matrix, once they have one.
    fn participant(&self) -> Option<Id> {
        match self {
            Taker::Account(id) => Some(*id),
            Taker::Visitor { id, .. } => id.map(visitor_participant),
            Taker::Nobody => None,
        }
    }
    fn order_key(&self) -> Id {
        match self {
            Taker::Account(id) => *id,
            Taker::Visitor { key, .. } => *key,
            Taker::Nobody => 0,
        }
    }
}

/// A stable number from a secret's hash, to order statements for a visitor
/// the same way before and after their first vote.
fn secret_key(secret: &str) -> Id {
    let h = token_hash(secret);
    i64::from_str_radix(&h[..15], 16).unwrap_or(0)
}

/// A vote as stored (+1, -1, 0) as a [`Vote`].
fn stored_vote(v: i32) -> Vote {
    match v {
        1 => Vote::Agree,
        -1 => Vote::Disagree,
        _ => Vote::Pass,
    }
}

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
        self.vote_as(actor, None, slate, statement, vote).await
    }

    /// A participant votes: the signed-in account, or else the anonymous
    /// participant whose secret is `visitor` (made on their first vote). A
    /// later vote replaces an earlier one; nobody votes twice on a statement.
    pub async fn vote_as(
        &self,
        actor: &Actor,
        visitor: Option<&str>,
        slate: &str,
        statement: Id,
        vote: Vote,
    ) -> Result<()> {
        let voter = match (actor.account(), visitor) {
            (Some(account), _) => Voter::Account(account.user.id),
            (None, Some(secret)) => Voter::Visitor(visitor_secret(secret)?),
            (None, None) => {
                return Err(EngineError::Unauthenticated(
                    "sign in, or vote from the conversation page".into(),
                ))
            }
        };
        let at = self.now();
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        let row = statement_of(tx.as_mut(), &s, statement).await?;
        if row.status != StatementStatus::Approved {
            // Pending and rejected statements are invisible to voters.
            return Err(EngineError::not_found("statement", statement.to_string()));
        }
        match voter {
            Voter::Account(user_id) => {
                let vote = VoteRow {
                    statement_id: row.id,
                    user_id,
                    vote: vote.value(),
                    at,
                };
                tx.upsert_vote(s.id, &vote).await?
            }
            Voter::Visitor(secret) => {
                let hash = token_hash(secret);
                let visitor_id = match tx.visitor_by_token_hash(&hash).await? {
                    Some(id) => id,
                    None => tx.insert_visitor(&hash, at).await?,
                };
                tx.upsert_visitor_vote(&VisitorVoteRow {
                    slate_id: s.id,
                    statement_id: row.id,
                    visitor_id,
                    vote: vote.value(),
                    at,
                })
                .await?
            }
        }
        tx.touch_conversation(s.id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Someone signed in with the participant cookie of their anonymous
    /// votes: move those votes (in every slate's conversation) to their
    /// account and forget the anonymous participant. Where the account had
    /// voted on a statement already, the account's vote stands: it is the
    /// one they cast knowingly as themselves. Answers how many votes moved.
    pub async fn claim_visitor_votes(&self, actor: &Actor, visitor: &str) -> Result<usize> {
        let account = actor.require_account()?;
        let hash = token_hash(visitor_secret(visitor)?);
        let mut tx = self.store.write().await?;
        let Some(visitor_id) = tx.visitor_by_token_hash(&hash).await? else {
            return Ok(0);
        };
        let mut by_slate: BTreeMap<Id, Vec<VisitorVoteRow>> = BTreeMap::new();
        for v in tx.visitor_votes(visitor_id, None).await? {
            by_slate.entry(v.slate_id).or_default().push(v);
        }
        let mut moved = 0;
        for (slate_id, votes) in &by_slate {
            moved += claim_in(tx.as_mut(), *slate_id, account.user.id, votes).await?;
        }
        tx.delete_visitor(visitor_id).await?;
        for slate_id in by_slate.keys() {
            tx.touch_conversation(*slate_id).await?;
        }
        tx.commit().await?;
        Ok(moved)
    }

    /// The participate page of a signed-in person.
    pub async fn participation(&self, actor: &Actor, slate: &str) -> Result<Participation> {
        actor.require_account()?;
        self.participation_as(actor, None, slate).await
    }

    /// The participate page: the next statement to vote on, and where the
    /// person stands; for the signed-in account, else for the anonymous
    /// participant whose secret is `visitor` (or a newcomer with no votes).
    pub async fn participation_as(
        &self,
        actor: &Actor,
        visitor: Option<&str>,
        slate: &str,
    ) -> Result<Participation> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        let taker = match (actor.account(), visitor) {
            (Some(a), _) => Taker::Account(a.user.id),
            (None, Some(secret)) => {
                let secret = visitor_secret(secret)?;
                Taker::Visitor {
                    id: tx.visitor_by_token_hash(&token_hash(secret)).await?,
                    key: secret_key(secret),
                }
            }
            (None, None) => Taker::Nobody,
        };
        let statements = tx.statements(s.id, None).await?;
        let votes: HashMap<Id, i32> = match &taker {
            Taker::Account(id) => tx
                .votes_of(s.id, *id)
                .await?
                .iter()
                .map(|v| (v.statement_id, v.vote))
                .collect(),
            Taker::Visitor { id: Some(id), .. } => tx
                .visitor_votes(*id, Some(s.id))
                .await?
                .iter()
                .map(|v| (v.statement_id, v.vote))
                .collect(),
            _ => HashMap::new(),
        };
        let mine: HashSet<Id> = votes.keys().copied().collect();
        let approved: Vec<&StatementRow> = statements
            .iter()
            .filter(|x| x.status == StatementStatus::Approved)
            .collect();
        let voted = approved.iter().filter(|x| mine.contains(&x.id)).count();
        let next = approved
            .iter()
            .filter(|x| !mine.contains(&x.id))
            .min_by_key(|x| shuffle_key(taker.order_key(), x.id))
            .map(|x| statement_view(x));
        let me = taker.participant();
        let (_, result) = load_view(tx.as_mut(), s.id, me).await?;
        let position = result.as_ref().and_then(|shown| {
            shown
                .result
                .points
                .iter()
                .find(|p| Some(p.participant) == me)
                .map(|p| Position {
                    x: p.x,
                    y: p.y,
                    group: p.group.map(group_letter),
                })
        });
        let needed = params().min_votes.min(approved.len());
        let author = match taker {
            Taker::Account(id) => Some(id),
            _ => None,
        };
        Ok(Participation {
            slug: s.slug.to_string(),
            slate_name: s.name.clone(),
            next,
            voted,
            statements: approved.len(),
            my_pending: statements
                .iter()
                .filter(|x| {
                    author.is_some()
                        && x.author_id == author
                        && x.status == StatementStatus::Pending
                })
                .map(statement_view)
                .collect(),
            position,
            votes_to_map: needed.saturating_sub(voted),
            organizer: actor.organizes(s.id),
            my_votes: approved
                .iter()
                .filter_map(|x| Some((statement_view(x), stored_vote(*votes.get(&x.id)?))))
                .collect(),
            anonymous: actor.account().is_none(),
            me,
        })
    }
}

/// Move a visitor's votes in one slate to the account, except where the
/// account has its own vote on the statement. Answers how many moved.
async fn claim_in(
    tx: &mut dyn Tx,
    slate_id: Id,
    user_id: Id,
    votes: &[VisitorVoteRow],
) -> Result<usize> {
    let own: HashSet<Id> = tx
        .votes_of(slate_id, user_id)
        .await?
        .iter()
        .map(|v| v.statement_id)
        .collect();
    let mut moved = 0;
    for v in votes.iter().filter(|v| !own.contains(&v.statement_id)) {
        tx.upsert_vote(
            slate_id,
            &VoteRow {
                statement_id: v.statement_id,
                user_id,
                vote: v.vote,
                at: v.at,
            },
        )
        .await?;
        moved += 1;
    }
    Ok(moved)
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
