//! The organizer's preview of the matching, and pins to adjust it.

use super::*;

impl Engine {
    /// The organizer's preview: the optimal matching of the pool to the open
    /// needs, with pins respected and every unfilled role explained.
    pub async fn match_preview(&self, actor: &Actor, slate: &str) -> Result<MatchPreview> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        let m = solve(tx.as_mut(), &s).await?;
        let teams = team_summaries(tx.as_mut(), s.id, |t| t.confirmed_at.is_some()).await?;
        let name_of = |user: Id| {
            m.pool
                .iter()
                .find(|p| p.user.id == user)
                .map_or_else(|| format!("volunteer {user}"), |p| p.user.name.clone())
        };
        let placed: HashSet<usize> = m.pairs.iter().map(|p| p.1).collect();
        Ok(MatchPreview {
            slate: s.slug.to_string(),
            slate_name: s.name.clone(),
            available: m.available.len(),
            pool: m.pool.len(),
            open_needs: m.needs.len(),
            total_score: m.total,
            placements: m
                .pairs
                .iter()
                .map(|&(n, v, score, pinned)| Placement {
                    need_id: m.needs[n].id,
                    team: m.team_label(m.needs[n].team_id),
                    role: m.needs[n].need.role.clone(),
                    volunteer_id: m.pool[v].user.id,
                    volunteer: m.pool[v].user.name.clone(),
                    score,
                    pinned,
                })
                .collect(),
            unfilled: m
                .unfilled
                .iter()
                .map(|(n, why)| UnfilledView {
                    need_id: m.needs[*n].id,
                    team: m.team_label(m.needs[*n].team_id),
                    role: m.needs[*n].need.role.clone(),
                    reason: why.clone(),
                })
                .collect(),
            unplaced: m
                .available
                .iter()
                .filter(|v| !placed.contains(v))
                .map(|&v| m.pool[v].user.name.clone())
                .collect(),
            unassigned: m
                .bans
                .iter()
                .filter(|(n, _)| m.needs.iter().any(|x| x.id == *n))
                .map(|&(n, u)| (n, name_of(u)))
                .collect(),
            fingerprint: m.fingerprint(),
            volunteers: m
                .available
                .iter()
                .map(|&v| (m.pool[v].user.id, m.pool[v].user.name.clone()))
                .collect(),
            roles: m
                .needs
                .iter()
                .map(|n| {
                    (
                        n.id,
                        format!("{} · {}", m.team_label(n.team_id), n.need.role),
                    )
                })
                .collect(),
            teams,
        })
    }

    /// Adjust the matching by hand. A pin that can't work is refused with
    /// the reason (the volunteer lacks the skill, the hours, the time zone…).
    pub async fn adjust_match(
        &self,
        actor: &Actor,
        slate: &str,
        need_id: Id,
        user_id: Id,
        how: Adjustment,
    ) -> Result<()> {
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        tx.lock_slate(s.id).await?;
        let need = tx
            .needs(s.id)
            .await?
            .into_iter()
            .find(|n| n.id == need_id)
            .ok_or_else(|| EngineError::not_found("role", need_id.to_string()))?;
        if need.user_id.is_some() {
            return Err(EngineError::conflict(
                "role_filled",
                format!(
                    "the {} role is already filled by a confirmed matching",
                    need.need.role
                ),
            ));
        }
        match how {
            Adjustment::Clear => tx.delete_pins(&[need_id], None).await?,
            Adjustment::Unassign => {
                tx.upsert_pin(
                    s.id,
                    &PinRow {
                        need_id,
                        user_id,
                        pinned: false,
                    },
                )
                .await?
            }
            Adjustment::Pin => {
                let pool = tx.volunteer_pool(s.id).await?;
                let Some(p) = pool.iter().find(|p| p.user.id == user_id) else {
                    return Err(bad(
                        "volunteer",
                        "is not in this slate's pool (a volunteer profile and an unlocked hours pledge)",
                    ));
                };
                let needs = tx.needs(s.id).await?;
                if needs.iter().any(|n| n.user_id == Some(user_id)) {
                    return Err(EngineError::conflict(
                        "already_placed",
                        format!(
                            "{} is already on a confirmed team of this slate",
                            p.user.name
                        ),
                    ));
                }
                let v = volunteer_of(&p.profile);
                let n = need_of(&need, "");
                if score(&v, &n).is_none() {
                    let taxonomy = taxonomy(tx.as_mut(), Some(s.id)).await?;
                    let none = assign(&[], std::slice::from_ref(&n));
                    let why = explain_unfilled(
                        std::slice::from_ref(&v),
                        std::slice::from_ref(&n),
                        &none,
                        &taxonomy,
                    )
                    .into_iter()
                    .next()
                    .map_or_else(String::new, |(_, w)| w.to_string());
                    return Err(bad(
                        "volunteer",
                        format!(
                            "{} can't take the {} role: {why}",
                            p.user.name, need.need.role
                        ),
                    ));
                }
                // One pin per role and per volunteer: this one replaces others.
                for pin in tx.pins(s.id).await? {
                    if pin.pinned && (pin.need_id == need_id) != (pin.user_id == user_id) {
                        tx.delete_pins(&[pin.need_id], Some(pin.user_id)).await?;
                    }
                }
                tx.upsert_pin(
                    s.id,
                    &PinRow {
                        need_id,
                        user_id,
                        pinned: true,
                    },
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}
