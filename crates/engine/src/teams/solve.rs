//! A slate's matching problem as it stands (pool, open needs, pins), and its solution.

use super::*;

/// A slate's matching problem as it stands, and its solution.
pub(super) struct Solved {
    pub(super) pool: Vec<PoolRow>,
    pub(super) teams: Vec<TeamRow>,
    pub(super) candidates: HashMap<Id, String>,
    /// Open needs, in id order.
    pub(super) needs: Vec<NeedRow>,
    /// Indices into `pool` of volunteers not yet on a team of the slate.
    pub(super) available: Vec<usize>,
    /// `(index into needs, index into pool, score, pinned)`.
    pub(super) pairs: Vec<(usize, usize, u64, bool)>,
    /// `(index into needs, reason)`.
    pub(super) unfilled: Vec<(usize, String)>,
    /// `(need id, user id)` of pairs an organizer ruled out.
    pub(super) bans: Vec<(Id, Id)>,
    pub(super) total: u64,
}

impl Solved {
    pub(super) fn team_label(&self, team_id: Id) -> String {
        self.teams
            .iter()
            .find(|t| t.id == team_id)
            .map(|t| {
                format!(
                    "{} · {}",
                    team_name(&t.kind),
                    self.candidates
                        .get(&t.candidate_id)
                        .map_or("?", String::as_str)
                )
            })
            .unwrap_or_default()
    }

    pub(super) fn fingerprint(&self) -> String {
        let mut pairs: Vec<(Id, Id)> = self
            .pairs
            .iter()
            .map(|(n, v, _, _)| (self.needs[*n].id, self.pool[*v].user.id))
            .collect();
        pairs.sort_unstable();
        let text: Vec<String> = pairs.iter().map(|(n, v)| format!("{n}:{v}")).collect();
        hex::encode(&Sha256::digest(text.join(",").as_bytes())[..12])
    }
}

pub(super) async fn solve(tx: &mut dyn Tx, slate: &SlateRow) -> Result<Solved> {
    let pool = tx.volunteer_pool(slate.id).await?;
    let teams = tx.teams(slate.id).await?;
    let candidates: HashMap<Id, String> = tx
        .candidates(slate.id)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let all_needs = tx.needs(slate.id).await?;
    let placed: HashSet<Id> = all_needs.iter().filter_map(|n| n.user_id).collect();
    let needs: Vec<NeedRow> = all_needs
        .into_iter()
        .filter(|n| n.user_id.is_none())
        .collect();
    let available: Vec<usize> = (0..pool.len())
        .filter(|&i| !placed.contains(&pool[i].user.id))
        .collect();
    let pins = tx.pins(slate.id).await?;
    let taxonomy = taxonomy(tx, Some(slate.id)).await?;
    let campaign_of = |n: &NeedRow| {
        teams
            .iter()
            .find(|t| t.id == n.team_id)
            .and_then(|t| candidates.get(&t.candidate_id))
            .cloned()
            .unwrap_or_default()
    };
    let need_models: Vec<Need> = needs.iter().map(|n| need_of(n, &campaign_of(n))).collect();
    let vol_models: Vec<Volunteer> = pool.iter().map(|p| volunteer_of(&p.profile)).collect();
    let need_index: HashMap<Id, usize> = needs.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
    let vol_index: HashMap<Id, usize> = available.iter().map(|&i| (pool[i].user.id, i)).collect();

    // Pins that still stand (open role, available volunteer, feasible pair).
    let mut pairs = Vec::new();
    let (mut fixed_needs, mut fixed_vols) = (HashSet::new(), HashSet::new());
    for p in pins.iter().filter(|p| p.pinned) {
        let (Some(&n), Some(&v)) = (need_index.get(&p.need_id), vol_index.get(&p.user_id)) else {
            continue;
        };
        if fixed_needs.contains(&n) || fixed_vols.contains(&v) {
            continue;
        }
        if let Some(s) = score(&vol_models[v], &need_models[n]) {
            fixed_needs.insert(n);
            fixed_vols.insert(v);
            pairs.push((n, v, s, true));
        }
    }
    let bans: Vec<(Id, Id)> = pins
        .iter()
        .filter(|p| !p.pinned)
        .map(|p| (p.need_id, p.user_id))
        .collect();

    // The rest goes to the solver. A role with volunteers ruled out asks for
    // its own alias of the skill, which everyone else with the skill holds
    // at the same level: exactly "anyone but them".
    let rest_needs: Vec<usize> = (0..needs.len())
        .filter(|i| !fixed_needs.contains(i))
        .collect();
    let rest_vols: Vec<usize> = available
        .iter()
        .copied()
        .filter(|v| !fixed_vols.contains(v))
        .collect();
    let mut solver_needs: Vec<Need> = rest_needs.iter().map(|&i| need_models[i].clone()).collect();
    let mut solver_vols: Vec<Volunteer> =
        rest_vols.iter().map(|&i| vol_models[i].clone()).collect();
    for (k, &i) in rest_needs.iter().enumerate() {
        let banned: HashSet<Id> = bans
            .iter()
            .filter(|(n, _)| *n == needs[i].id)
            .map(|(_, u)| *u)
            .collect();
        if banned.is_empty() {
            continue;
        }
        let alias = format!("{}#{}", need_models[i].skill, needs[i].id);
        for (j, &v) in rest_vols.iter().enumerate() {
            if banned.contains(&pool[v].user.id) {
                continue;
            }
            if let Some(level) = vol_models[v].level(&need_models[i].skill) {
                solver_vols[j].skills.push((alias.clone(), level));
            }
        }
        solver_needs[k].skill = alias;
    }
    let matching = assign(&solver_vols, &solver_needs);
    for p in &matching.pairs {
        pairs.push((rest_needs[p.need], rest_vols[p.volunteer], p.score, false));
    }
    let plain_needs: Vec<Need> = rest_needs.iter().map(|&i| need_models[i].clone()).collect();
    let plain_vols: Vec<Volunteer> = rest_vols.iter().map(|&i| vol_models[i].clone()).collect();
    let unfilled = explain_unfilled(&plain_vols, &plain_needs, &matching, &taxonomy)
        .into_iter()
        .map(|(k, why)| (rest_needs[k], why.to_string()))
        .collect();
    pairs.sort_by_key(|(n, ..)| needs[*n].id);
    let total = pairs.iter().map(|p| p.2).sum();
    Ok(Solved {
        pool,
        teams,
        candidates,
        needs,
        available,
        pairs,
        unfilled,
        bans,
        total,
    })
}
