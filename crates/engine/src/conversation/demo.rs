//! A made-up conversation for the demo and tests.

use cohort_store::{Id, NewStatement, StatementStatus, VoteRow};
use serde::Deserialize;

use crate::slates::find_slate;
use crate::{Actor, Engine, EngineError, Result};

/// A conversation made up for the demo (and tests): `cohort_consensus`'s
/// synthetic votes with real opinion structure, over the given statements.
#[derive(Clone, Debug, Deserialize)]
pub struct DemoConversation {
    /// Statements every group tends to agree on.
    pub common: Vec<String>,
    /// Statements that divide the groups.
    pub divisive: Vec<String>,
    /// Statements a participant added that wait for an organizer.
    #[serde(default)]
    pub pending: Vec<String>,
    pub participants: usize,
    pub votes: usize,
    pub groups: usize,
    pub seed: u64,
}

/// What [`Engine::load_demo_conversation`] wrote, in the generator's order.
#[derive(Clone, Debug)]
pub struct DemoConversationIds {
    /// Account id of synthetic participant `p`, ascending.
    pub users: Vec<Id>,
    /// Statement id of synthetic statement `s`, ascending.
    pub statements: Vec<Id>,
}

impl Engine {
    /// Seed a made-up conversation in one transaction: the statements
    /// (approved), one account per synthetic participant (at example.org,
    /// which receives no email) and their votes. Statements texts are matched
    /// to the generated stances: the ones every latent group agreed with most
    /// get `common` texts. Organizers only.
    pub async fn load_demo_conversation(
        &self,
        actor: &Actor,
        slate: &str,
        demo: &DemoConversation,
    ) -> Result<DemoConversationIds> {
        use cohort_consensus::synthetic::{generate, Spec};
        let n_s = demo.common.len() + demo.divisive.len();
        let spec = Spec {
            participants: demo.participants,
            statements: n_s,
            votes: demo.votes,
            groups: demo.groups,
            consensus_share: demo.common.len() as f64 / n_s.max(1) as f64,
            seed: demo.seed,
        };
        let synthetic = generate(&spec);
        // Lowest agree share over latent groups, per statement.
        let mut agree = vec![vec![(0u32, 0u32); spec.groups.max(1)]; n_s];
        for v in &synthetic.votes {
            let g = synthetic.latent[v.participant as usize];
            let cell = &mut agree[v.statement as usize][g];
            cell.1 += 1;
            if v.vote > 0 {
                cell.0 += 1;
            }
        }
        let floor: Vec<f64> = agree
            .iter()
            .map(|gs| {
                gs.iter()
                    .map(|(a, n)| f64::from(*a) / f64::from((*n).max(1)))
                    .fold(f64::INFINITY, f64::min)
            })
            .collect();
        let mut order: Vec<usize> = (0..n_s).collect();
        order.sort_by(|a, b| floor[*b].total_cmp(&floor[*a]).then(a.cmp(b)));
        let mut text_of = vec![String::new(); n_s];
        for (rank, s) in order.iter().enumerate() {
            text_of[*s] = if rank < demo.common.len() {
                demo.common[rank].clone()
            } else {
                demo.divisive[rank - demo.common.len()].clone()
            };
        }
        let at = self.now();
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        let mut statements = Vec::with_capacity(n_s);
        for body in &text_of {
            let body = Self::statement_text("statement", body)?;
            let row = tx
                .insert_statement(&NewStatement {
                    slate_id: s.id,
                    body,
                    author_id: None,
                    status: StatementStatus::Approved,
                    seeded: true,
                    created_at: at,
                })
                .await?;
            statements.push(row.id);
        }
        let mut users = Vec::with_capacity(spec.participants);
        for p in 0..spec.participants {
            let email = cohort_core::Email::parse(&format!("voter{p}.{}@example.org", s.slug))
                .map_err(|e| EngineError::invalid("email", e.to_string()))?;
            let user = match tx.user_by_email(&email).await? {
                Some(u) => u,
                None => tx.insert_user(&email, "", at).await?,
            };
            users.push(user.id);
        }
        for v in &synthetic.votes {
            let row = VoteRow {
                statement_id: statements[v.statement as usize],
                user_id: users[v.participant as usize],
                vote: i32::from(v.vote),
                at,
            };
            tx.upsert_vote(s.id, &row).await?;
        }
        for body in &demo.pending {
            tx.insert_statement(&NewStatement {
                slate_id: s.id,
                body: Self::statement_text("statement", body)?,
                author_id: users.first().copied(),
                status: StatementStatus::Pending,
                seeded: false,
                created_at: at,
            })
            .await?;
        }
        tx.touch_conversation(s.id).await?;
        tx.commit().await?;
        Ok(DemoConversationIds { users, statements })
    }
}
