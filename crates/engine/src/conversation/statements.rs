//! The statements: organizers seed them, participants add them (held for an
//! organizer), organizers approve or reject them and adopt one as a plank of
//! the next compact version.

use cohort_core::model::Plank;
use cohort_store::{Adoption, Id, NewStatement, SlateRow, StatementRow, StatementStatus, Tx};

use super::results::load_result;
use super::{statement_view, StatementView, STATEMENT_MAX};
use crate::slates::{compact_content, find_slate, text};
use crate::{Actor, CompactInput, CompactVersionView, Engine, EngineError, Result};

impl Engine {
    pub(super) fn statement_text(field: &str, body: &str) -> Result<String> {
        let t = text(field, body, STATEMENT_MAX, true)?;
        if t.contains('\n') {
            return Err(EngineError::invalid(field, "must be one line"));
        }
        Ok(t)
    }

    /// An organizer seeds a statement: shown to voters at once.
    pub async fn seed_statement(
        &self,
        actor: &Actor,
        slate: &str,
        body: &str,
    ) -> Result<StatementView> {
        let body = Self::statement_text("statement", body)?;
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        let row = tx
            .insert_statement(&NewStatement {
                slate_id: s.id,
                body,
                author_id: actor.account().map(|a| a.user.id),
                status: StatementStatus::Approved,
                seeded: true,
                created_at: self.now(),
            })
            .await?;
        tx.commit().await?;
        Ok(statement_view(&row))
    }

    /// A signed-in participant adds a statement. It waits for an organizer
    /// (an organizer's own goes straight in).
    pub async fn add_statement(
        &self,
        actor: &Actor,
        slate: &str,
        body: &str,
    ) -> Result<StatementView> {
        let account = actor.require_account()?;
        let body = Self::statement_text("statement", body)?;
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        let existing = tx.statements(s.id, None).await?;
        if existing
            .iter()
            .any(|x| x.body.to_lowercase() == body.to_lowercase())
        {
            return Err(EngineError::conflict(
                "statement_exists",
                "that statement is already in the conversation",
            ));
        }
        let status = if actor.organizes(s.id) {
            StatementStatus::Approved
        } else {
            StatementStatus::Pending
        };
        let row = tx
            .insert_statement(&NewStatement {
                slate_id: s.id,
                body,
                author_id: Some(account.user.id),
                status,
                seeded: false,
                created_at: self.now(),
            })
            .await?;
        tx.commit().await?;
        Ok(statement_view(&row))
    }

    /// An organizer approves a statement (shown to voters) or rejects it
    /// (moderated out: hidden, and zeroed in the analysis).
    pub async fn moderate_statement(
        &self,
        actor: &Actor,
        slate: &str,
        statement: Id,
        approve: bool,
    ) -> Result<StatementView> {
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        let mut row = statement_of(tx.as_mut(), &s, statement).await?;
        let status = if approve {
            StatementStatus::Approved
        } else {
            StatementStatus::Rejected
        };
        if row.adopted.is_some() && !approve {
            return Err(EngineError::conflict(
                "adopted",
                "that statement is a plank of the compact; it can't be moderated out",
            ));
        }
        if row.status != status {
            tx.set_statement_status(row.id, status).await?;
            tx.touch_conversation(s.id).await?;
            row.status = status;
        }
        tx.commit().await?;
        Ok(statement_view(&row))
    }

    /// Every statement of the conversation, for its organizers.
    pub async fn conversation_statements(
        &self,
        actor: &Actor,
        slate: &str,
    ) -> Result<Vec<StatementView>> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        Ok(tx
            .statements(s.id, None)
            .await?
            .iter()
            .map(statement_view)
            .collect())
    }

    /// The support each adopted plank had, by plank title (for the slate page).
    pub async fn plank_support(&self, slate: &str) -> Result<Vec<(String, String)>> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        Ok(tx
            .statements(s.id, None)
            .await?
            .into_iter()
            .filter_map(|x| x.adopted.map(|a| (a.title, a.support)))
            .collect())
    }

    /// An organizer adopts a statement as a plank, with its "why", into a new
    /// compact version (the latest one's content plus this plank).
    pub async fn adopt_statement(
        &self,
        actor: &Actor,
        slate: &str,
        statement: Id,
        title: &str,
        why: &str,
    ) -> Result<CompactVersionView> {
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        let row = statement_of(tx.as_mut(), &s, statement).await?;
        if row.status != StatementStatus::Approved {
            return Err(EngineError::conflict(
                "not_approved",
                "only an approved statement can become a plank",
            ));
        }
        if row.adopted.is_some() {
            return Err(EngineError::conflict(
                "already_adopted",
                "that statement is already a plank",
            ));
        }
        let (_, result) = load_result(tx.as_mut(), s.id).await?;
        let support = result
            .as_ref()
            .and_then(|(_, r)| r.adoption_sentence(row.id))
            .ok_or_else(|| {
                EngineError::conflict(
                    "no_results",
                    "the results do not cover this statement yet; wait for the next update",
                )
            })?;
        let title = if title.trim().is_empty() {
            row.body.clone()
        } else {
            text("title", title, 200, true)?
        };
        if why.trim().is_empty() {
            return Err(EngineError::invalid(
                "why",
                "say why the movement holds this plank",
            ));
        }
        let why = text("why", why, 2_000, true)?;
        let latest = tx.latest_compact(s.id).await?.ok_or_else(|| {
            EngineError::conflict(
                "no_compact",
                "publish a compact (with its commitments) before adopting planks",
            )
        })?;
        if latest.content.planks.iter().any(|p| p.title == title) {
            return Err(EngineError::conflict(
                "plank_exists",
                format!("the compact already has a plank titled {title:?}"),
            ));
        }
        let mut planks = latest.content.planks.clone();
        planks.push(Plank {
            title: title.clone(),
            why,
        });
        let content = compact_content(&CompactInput {
            commitments: latest.content.commitment_inputs(),
            planks,
        })?;
        let view = self.publish_compact_in(tx.as_mut(), &s, content).await?;
        tx.set_statement_adopted(
            row.id,
            &Adoption {
                version: view.version,
                title,
                support,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(view)
    }
}

pub(super) async fn statement_of(tx: &mut dyn Tx, s: &SlateRow, id: Id) -> Result<StatementRow> {
    tx.statements(s.id, Some(id))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| EngineError::not_found("statement", id.to_string()))
}
