//! The maximum-total-score assignment of volunteers to needs.
//!
//! # The algorithm
//!
//! A primal–dual (Hungarian-family) method for maximum-weight bipartite
//! matching in which nobody has to be matched, in the form Galil gives
//! ("Efficient algorithms for finding maximum matching in graphs", 1986, §2).
//! Every role `r` carries a dual `y[r]`, every volunteer `v` a dual `z[v]`,
//! and the method keeps, from start to finish:
//!
//! 1. feasibility: `y[r] + z[v] >= score(r, v)` for every feasible pair, and
//!    `y, z >= 0`;
//! 2. every matched pair is *tight*: `y[r] + z[v] == score(r, v)`;
//! 3. every free volunteer has `z[v] == 0`, and every free role has the same
//!    dual `D` (all roles start at `D = W`, the largest score), or dual 0 once
//!    no pair could improve on leaving it unfilled.
//!
//! Each *stage* first augments the matching as far as the tight pairs allow:
//! it grows the alternating forest of tight pairs from the free roles,
//! breadth first, and every tree that reaches a free volunteer flips its path
//! (trees are disjoint, so many augment per pass), until a whole forest finds
//! none, which proves the matching maximum on tight pairs. That last forest
//! then moves the duals by `δ`: roles in it down, volunteers in it up. `δ` is the smallest slack of a
//! pair leaving the forest, or the step to the next sleeping role's value
//! (below), or `D` itself. Scores are integers, so `δ >= 1` and there are at
//! most `W` stages. When `D` reaches 0 (or no free role is left) the free
//! roles have dual 0 too, so every complementary-slackness
//! condition of the assignment LP holds: the total score equals the dual
//! objective `Σy + Σz`, which bounds every assignment's score from above.
//! [`Matching::check_optimality`] re-checks that certificate from scratch.
//!
//! # Exploiting the structure
//!
//! - Roles with the same skill, minimum level, hours, weeks, UTC offset,
//!   state and remote flag have the same feasible volunteers; they share one
//!   candidate list (a *class*), sorted by level (so by score) descending.
//!   Only the priority differs, and it only scales the score.
//! - Candidate lists are built from a per-skill index, stopping at the first
//!   volunteer below the minimum level, so no pair is tested whose skill
//!   differs.
//! - Free volunteers all have dual 0, so a role's best free candidate is the
//!   first free one in its list; a per-role cursor walks past volunteers as
//!   they get matched (they never become free again), which makes all free
//!   candidate look-ups together linear in the list sizes.
//! - A free role whose best value (`score − z` over its candidates) is below
//!   `D` has no tight pair and cannot be reached, so it *sleeps* in a heap
//!   keyed by that value and costs nothing until `D` comes down to it. Values
//!   only fall (volunteers' duals only rise), so a key is an upper bound,
//!   re-checked on waking. Roles thus enter in order of what they can score,
//!   and each stage works only on the roles still contending: the number of
//!   stages grows with the number of distinct scores, the work per stage
//!   does not grow with the number of roles.
//! - Alternating paths only ever leave a role through an already *matched*
//!   volunteer, so each class also keeps the list of its matched candidates,
//!   grown as volunteers are matched; searches scan those short lists instead
//!   of every candidate.
//!
//! # Ties
//!
//! Roles and volunteers are put in id order first ([`crate::model::compare_ids`]),
//! roles wake in order of value, then id; every search visits roles in id
//! order and candidates by score descending, then volunteer id ascending. The
//! result is therefore a function of the rows' contents, never of their
//! order; a role with several equally good free candidates takes the one with
//! the lowest id. (It does not promise the lexicographically smallest of all
//! optimal assignments.)

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use crate::model::{compare_ids, pair_score, within_offset, Level, Need, Volunteer};

/// One filled role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pair {
    /// Index into the `needs` slice given to [`assign`].
    pub need: usize,
    /// Index into the `volunteers` slice given to [`assign`].
    pub volunteer: usize,
    pub score: u64,
}

/// How big the problem was once grouped, and how much work it took.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SolveStats {
    /// Distinct role classes (roles sharing every feasibility attribute).
    pub classes: usize,
    /// Feasible (class, volunteer) pairs: the size of the candidate lists.
    pub candidate_pairs: usize,
    /// Dual adjustments made (at most the largest score).
    pub stages: usize,
}

/// A maximum-total-score assignment, with the dual solution proving it.
#[derive(Clone, Debug)]
pub struct Matching {
    /// Filled roles, in need id order.
    pub pairs: Vec<Pair>,
    pub total_score: u64,
    /// For each need (by input index): the volunteer placed there.
    pub volunteer_of_need: Vec<Option<usize>>,
    /// For each volunteer (by input index): the need they fill.
    pub need_of_volunteer: Vec<Option<usize>>,
    pub stats: SolveStats,
    need_dual: Vec<u64>,
    volunteer_dual: Vec<u64>,
}

impl Matching {
    pub fn filled(&self) -> usize {
        self.pairs.len()
    }

    pub fn unfilled(&self) -> usize {
        self.volunteer_of_need.len() - self.pairs.len()
    }

    /// Re-checks, from the input alone, that this assignment is feasible and
    /// optimal: every pair feasible with its true score, nobody used twice,
    /// and the duals feasible for every pair and complementary (so the total
    /// score equals an upper bound on every assignment's). Tests every
    /// volunteer against every need: for tests and audits, not hot paths.
    pub fn check_optimality(&self, volunteers: &[Volunteer], needs: &[Need]) -> Result<(), String> {
        let mut used = vec![false; volunteers.len()];
        let mut total = 0u64;
        for p in &self.pairs {
            let (v, n) = (&volunteers[p.volunteer], &needs[p.need]);
            if crate::model::score(v, n) != Some(p.score) {
                return Err(format!(
                    "pair {} <- {} is not feasible at score {}",
                    n.id, v.id, p.score
                ));
            }
            if std::mem::replace(&mut used[p.volunteer], true) {
                return Err(format!("volunteer {} placed twice", v.id));
            }
            if self.need_dual[p.need] + self.volunteer_dual[p.volunteer] != p.score {
                return Err(format!("matched pair {} <- {} is not tight", n.id, v.id));
            }
            total += p.score;
        }
        if total != self.total_score {
            return Err(format!(
                "pairs sum to {total}, reported {}",
                self.total_score
            ));
        }
        for (i, n) in needs.iter().enumerate() {
            if self.volunteer_of_need[i].is_none() && self.need_dual[i] != 0 {
                return Err(format!(
                    "unfilled need {} has dual {}",
                    n.id, self.need_dual[i]
                ));
            }
        }
        for (j, v) in volunteers.iter().enumerate() {
            if self.need_of_volunteer[j].is_none() && self.volunteer_dual[j] != 0 {
                return Err(format!(
                    "free volunteer {} has dual {}",
                    v.id, self.volunteer_dual[j]
                ));
            }
            for (i, n) in needs.iter().enumerate() {
                if let Some(s) = crate::model::score(v, n) {
                    if self.need_dual[i] + self.volunteer_dual[j] < s {
                        return Err(format!("dual infeasible on {} <- {}", n.id, v.id));
                    }
                }
            }
        }
        let bound: u64 = self.need_dual.iter().chain(&self.volunteer_dual).sum();
        if bound != total {
            return Err(format!("dual bound {bound} differs from total {total}"));
        }
        Ok(())
    }
}

/// The maximum-total-score assignment: each volunteer fills at most one need,
/// each need takes at most one volunteer, only feasible pairs
/// ([`crate::model::score`]). Deterministic (see the module docs for ties).
pub fn assign(volunteers: &[Volunteer], needs: &[Need]) -> Matching {
    let graph = Graph::build(volunteers, needs);
    let mut solver = Solver::new(&graph);
    solver.run();

    let mut volunteer_of_need = vec![None; needs.len()];
    let mut need_of_volunteer = vec![None; volunteers.len()];
    let mut need_dual = vec![0u64; needs.len()];
    let mut volunteer_dual = vec![0u64; volunteers.len()];
    let mut pairs = Vec::new();
    for (r, &mate) in solver.role_mate.iter().enumerate() {
        let need = graph.role_input[r] as usize;
        need_dual[need] = u64::try_from(solver.y[r]).expect("duals stay non-negative");
        if mate != NONE {
            let volunteer = graph.vol_input[mate as usize] as usize;
            let score = pair_score(
                needs[need].priority,
                volunteers[volunteer]
                    .level(&needs[need].skill)
                    .expect("feasible"),
                needs[need].min_level,
            );
            volunteer_of_need[need] = Some(volunteer);
            need_of_volunteer[volunteer] = Some(need);
            pairs.push(Pair {
                need,
                volunteer,
                score,
            });
        }
    }
    for (v, &z) in solver.z.iter().enumerate() {
        volunteer_dual[graph.vol_input[v] as usize] =
            u64::try_from(z).expect("duals stay non-negative");
    }
    Matching {
        total_score: pairs.iter().map(|p| p.score).sum(),
        pairs,
        volunteer_of_need,
        need_of_volunteer,
        stats: SolveStats {
            classes: graph.class_min_level.len(),
            candidate_pairs: graph.entries.len(),
            stages: solver.stages,
        },
        need_dual,
        volunteer_dual,
    }
}

const NONE: u32 = u32::MAX;

/// A candidate: volunteer (internal index) and level packed as `v << 2 | level`.
type Entry = u32;

fn entry(v: u32, level: Level) -> Entry {
    v << 2 | u32::from(level.get())
}

/// Roles and volunteers in id order, with the shared candidate lists.
struct Graph {
    /// Internal index → input index.
    vol_input: Vec<u32>,
    role_input: Vec<u32>,
    role_class: Vec<u32>,
    role_priority: Vec<i64>,
    /// Per class: the minimum level, and its candidates `entries[start[c]..start[c+1]]`
    /// sorted by level descending, then volunteer.
    class_min_level: Vec<u8>,
    class_start: Vec<usize>,
    entries: Vec<Entry>,
    /// Per volunteer: the classes listing them, `(class, level)` packed like entries.
    vol_start: Vec<usize>,
    vol_classes: Vec<u32>,
}

impl Graph {
    fn build(volunteers: &[Volunteer], needs: &[Need]) -> Graph {
        assert!(volunteers.len() < (1 << 30), "at most 2^30 volunteers");
        let vol_input = id_order(volunteers.len(), |i| &volunteers[i].id);
        let role_input = id_order(needs.len(), |i| &needs[i].id);

        let mut skills: HashMap<&str, u32> = HashMap::new();
        let mut states: HashMap<&str, u32> = HashMap::new();
        let mut by_skill: Vec<Vec<Entry>> = Vec::new();
        struct Attrs {
            hours: u32,
            weeks: u32,
            offset: crate::model::UtcOffset,
            state: u32,
            remote: bool,
        }
        let mut attrs = Vec::with_capacity(volunteers.len());
        for (v, &input) in vol_input.iter().enumerate() {
            let vol = &volunteers[input as usize];
            let next = states.len() as u32;
            attrs.push(Attrs {
                hours: vol.hours_per_week,
                weeks: vol.weeks,
                offset: vol.utc_offset,
                state: *states.entry(vol.state.as_str()).or_insert(next),
                remote: vol.remote,
            });
            for (skill, level) in &vol.skills {
                let next = skills.len() as u32;
                let s = *skills.entry(skill.as_str()).or_insert(next) as usize;
                if s == by_skill.len() {
                    by_skill.push(Vec::new());
                }
                by_skill[s].push(entry(v as u32, *level));
            }
        }
        for list in &mut by_skill {
            // Volunteers were pushed in id order; a stable sort keeps it within a level.
            list.sort_by_key(|e| std::cmp::Reverse(e & 3));
        }

        let mut classes: HashMap<ClassKey, u32> = HashMap::new();
        let mut role_class = Vec::with_capacity(needs.len());
        let mut role_priority = Vec::with_capacity(needs.len());
        let mut class_min_level = Vec::new();
        let mut class_start = vec![0];
        let mut entries = Vec::new();
        for &input in &role_input {
            let n = &needs[input as usize];
            role_priority.push(i64::from(n.priority));
            let key = ClassKey {
                skill: skills.get(n.skill.as_str()).copied().unwrap_or(NONE),
                min_level: n.min_level,
                hours: n.hours_per_week,
                weeks: n.weeks,
                offset: n.utc_offset.minutes(),
                state: states.get(n.state.as_str()).copied().unwrap_or(NONE),
                remote_ok: n.remote_ok,
            };
            let next = class_min_level.len() as u32;
            let class = *classes.entry(key).or_insert(next);
            role_class.push(class);
            if class != next {
                continue;
            }
            class_min_level.push(n.min_level.get());
            if key.skill != NONE {
                for &e in &by_skill[key.skill as usize] {
                    if (e & 3) < u32::from(n.min_level.get()) {
                        break;
                    }
                    let a = &attrs[(e >> 2) as usize];
                    if a.hours >= n.hours_per_week
                        && a.weeks >= n.weeks
                        && within_offset(a.offset, n.utc_offset)
                        && ((n.remote_ok && a.remote) || a.state == key.state)
                    {
                        entries.push(e);
                    }
                }
            }
            class_start.push(entries.len());
        }

        // The reverse lists: which classes each volunteer is a candidate of.
        let mut vol_start = vec![0usize; volunteers.len() + 1];
        for &e in &entries {
            vol_start[(e >> 2) as usize + 1] += 1;
        }
        for i in 0..volunteers.len() {
            vol_start[i + 1] += vol_start[i];
        }
        let mut fill = vol_start.clone();
        let mut vol_classes = vec![0u32; entries.len()];
        for c in 0..class_min_level.len() {
            for &e in &entries[class_start[c]..class_start[c + 1]] {
                let v = (e >> 2) as usize;
                vol_classes[fill[v]] = (c as u32) << 2 | (e & 3);
                fill[v] += 1;
            }
        }

        Graph {
            vol_input,
            role_input,
            role_class,
            role_priority,
            class_min_level,
            class_start,
            entries,
            vol_start,
            vol_classes,
        }
    }

    /// The score of role `r` with a candidate of level `level` (from an entry).
    fn weight(&self, r: u32, level: u32) -> i64 {
        let min = u32::from(self.class_min_level[self.role_class[r as usize] as usize]);
        self.role_priority[r as usize] * i64::from(1 + level - min)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct ClassKey {
    skill: u32,
    min_level: Level,
    hours: u32,
    weeks: u32,
    offset: i32,
    state: u32,
    remote_ok: bool,
}

/// Input indices sorted by id (then input position, should ids repeat).
fn id_order<'a>(len: usize, id: impl Fn(usize) -> &'a String) -> Vec<u32> {
    let mut order: Vec<u32> = (0..len as u32).collect();
    order.sort_by(|&a, &b| compare_ids(id(a as usize), id(b as usize)).then(a.cmp(&b)));
    order
}

struct Solver<'g> {
    g: &'g Graph,
    y: Vec<i64>,
    z: Vec<i64>,
    role_mate: Vec<u32>,
    vol_mate: Vec<u32>,
    /// Per role: position in its class's candidates before which every
    /// volunteer is matched.
    cursor: Vec<usize>,
    /// Per class: its candidates that are matched, in the order they were.
    matched: Vec<Vec<Entry>>,
    /// Visit marks for volunteers, valid when equal to `stamp`.
    mark: Vec<u32>,
    stamp: u32,
    slack: Vec<i64>,
    slack_mark: Vec<u32>,
    stages: usize,
    // Scratch space, kept to avoid reallocating.
    /// Per volunteer reached in the forest: the role that reached them.
    vol_parent: Vec<u32>,
    /// Per role in the forest: its tree (index of its root); trees that
    /// augmented are dead for the rest of the pass.
    role_tree: Vec<u32>,
    dead: Vec<bool>,
    queue: Vec<u32>,
    reached: Vec<u32>,
    touched: Vec<u32>,
}

impl<'g> Solver<'g> {
    fn new(g: &'g Graph) -> Solver<'g> {
        let roles = g.role_class.len();
        let vols = g.vol_input.len();
        Solver {
            g,
            y: vec![0; roles],
            z: vec![0; vols],
            role_mate: vec![NONE; roles],
            vol_mate: vec![NONE; vols],
            cursor: g
                .role_class
                .iter()
                .map(|&c| g.class_start[c as usize])
                .collect(),
            matched: vec![Vec::new(); g.class_min_level.len()],
            mark: vec![0; vols],
            stamp: 0,
            slack: vec![0; vols],
            slack_mark: vec![0; vols],
            stages: 0,
            vol_parent: vec![NONE; vols],
            role_tree: vec![0; roles],
            dead: Vec::new(),
            queue: Vec::new(),
            reached: Vec::new(),
            touched: Vec::new(),
        }
    }

    fn run(&mut self) {
        let g = self.g;
        // Free roles all share the dual `d`. A role whose best value
        // (`score − z` over its candidates) is below `d` has no tight pair, so
        // it sleeps in `dormant`, keyed by that value, until `d` comes down to
        // it. Values only fall as volunteers' duals rise, so a key is an upper
        // bound, re-checked on waking. Roles without candidates stay free with dual 0.
        let mut dormant: BinaryHeap<(i64, Reverse<u32>)> = (0..g.role_class.len() as u32)
            .filter_map(|r| {
                let c = g.role_class[r as usize] as usize;
                (g.class_start[c] < g.class_start[c + 1])
                    .then(|| (g.weight(r, g.entries[g.class_start[c]] & 3), Reverse(r)))
            })
            .collect();
        let mut roots: Vec<u32> = Vec::new();
        let mut d = dormant.peek().map_or(0, |&(key, _)| key);
        while d > 0 {
            let mut woke = false;
            while let Some(&(key, Reverse(r))) = dormant.peek() {
                if key < d {
                    break;
                }
                dormant.pop();
                match self.best_value(r) {
                    Some(b) if b == d => {
                        self.y[r as usize] = d;
                        roots.push(r);
                        woke = true;
                    }
                    Some(b) if b > 0 => dormant.push((b, Reverse(r))),
                    // Nobody can improve on leaving it unfilled: dual 0.
                    _ => self.y[r as usize] = 0,
                }
            }
            if woke {
                roots.sort_unstable();
            }
            self.match_tight_free(&roots);
            roots.retain(|&r| self.role_mate[r as usize] == NONE);
            let next_wake = dormant.peek().map_or(0, |&(key, _)| key);
            if roots.is_empty() {
                d = next_wake;
                continue;
            }
            // Never past the next sleeper's value, so its pairs stay feasible.
            if let Some(delta) = self.grow_forest(&roots, d - next_wake) {
                d -= delta;
                self.stages += 1;
            }
        }
        for (_, Reverse(r)) in dormant {
            self.y[r as usize] = 0;
        }
    }

    /// The best `score − z` of role `r` over its candidates (free and matched).
    fn best_value(&mut self, r: u32) -> Option<i64> {
        let free = self.best_free(r).map(|(_, w)| w);
        let class = self.g.role_class[r as usize] as usize;
        let matched = self.matched[class]
            .iter()
            .map(|&e| self.g.weight(r, e & 3) - self.z[(e >> 2) as usize])
            .max();
        free.max(matched)
    }

    /// The first still-free candidate of role `r` (its best: free volunteers
    /// all have dual 0) and that pair's score.
    fn best_free(&mut self, r: u32) -> Option<(u32, i64)> {
        let list_end = self.g.class_start[self.g.role_class[r as usize] as usize + 1];
        let mut i = self.cursor[r as usize];
        while i < list_end && self.vol_mate[(self.g.entries[i] >> 2) as usize] != NONE {
            i += 1;
        }
        self.cursor[r as usize] = i;
        (i < list_end).then(|| {
            let e = self.g.entries[i];
            (e >> 2, self.g.weight(r, e & 3))
        })
    }

    fn link(&mut self, r: u32, v: u32) {
        self.role_mate[r as usize] = v;
        self.vol_mate[v as usize] = r;
    }

    /// `v` was free and now is matched: it joins its classes' matched lists.
    fn now_matched(&mut self, v: u32) {
        let g = self.g;
        for &cl in &g.vol_classes[g.vol_start[v as usize]..g.vol_start[v as usize + 1]] {
            self.matched[(cl >> 2) as usize].push(v << 2 | (cl & 3));
        }
    }

    /// The common case, first: each root whose best free candidate is tight
    /// takes them.
    fn match_tight_free(&mut self, roots: &[u32]) {
        for &r in roots {
            if let Some((v, w)) = self.best_free(r) {
                if w == self.y[r as usize] {
                    self.link(r, v);
                    self.now_matched(v);
                }
            }
        }
    }

    /// Flips the alternating path that ends with role `u` taking the free
    /// volunteer `free`: each role up the tree takes the volunteer its
    /// successor gave up, up to the root, which was free.
    fn augment_path(&mut self, u: u32, free: u32) {
        let (mut r, mut v) = (u, free);
        loop {
            let gave_up = self.role_mate[r as usize];
            self.link(r, v);
            if gave_up == NONE {
                break;
            }
            v = gave_up;
            r = self.vol_parent[v as usize];
        }
        self.now_matched(free);
    }

    /// Grows the alternating forest of tight pairs from the free roles, one
    /// tree per root, breadth first. A tree that reaches a role with a tight
    /// free candidate flips that path and stops growing; the trees are
    /// disjoint, so several can augment in one pass. Then the matching has
    /// changed and `None` is returned: the caller grows a fresh forest. A
    /// forest with no augmenting path proves the matching maximum on tight
    /// pairs; the duals then move by the largest step, at most `cap`, that
    /// keeps them feasible (roles in the forest down, volunteers in it up),
    /// and that step (at least 1) is returned.
    fn grow_forest(&mut self, roots: &[u32], cap: i64) -> Option<i64> {
        self.stamp += 1;
        let stamp = self.stamp;
        self.queue.clear();
        self.reached.clear();
        self.touched.clear();
        self.dead.clear();
        self.dead.resize(roots.len(), false);
        for (tree, &r) in roots.iter().enumerate() {
            self.role_tree[r as usize] = tree as u32;
            self.queue.push(r);
        }
        let mut augmented = false;
        let mut delta = cap;
        let mut qi = 0;
        while qi < self.queue.len() {
            let u = self.queue[qi];
            qi += 1;
            let tree = self.role_tree[u as usize];
            if self.dead[tree as usize] {
                continue;
            }
            let yu = self.y[u as usize];
            if let Some((free, w)) = self.best_free(u) {
                if w == yu {
                    self.augment_path(u, free);
                    self.mark[free as usize] = stamp;
                    self.dead[tree as usize] = true;
                    augmented = true;
                    continue;
                }
                delta = delta.min(yu - w);
            }
            let class = self.g.role_class[u as usize] as usize;
            for &e in &self.matched[class] {
                let v = (e >> 2) as usize;
                if self.mark[v] == stamp {
                    continue;
                }
                let s = yu + self.z[v] - self.g.weight(u, e & 3);
                debug_assert!(s >= 0, "dual infeasible");
                if s == 0 {
                    self.mark[v] = stamp;
                    self.vol_parent[v] = u;
                    self.reached.push(v as u32);
                    let mate = self.vol_mate[v];
                    self.role_tree[mate as usize] = tree;
                    self.queue.push(mate);
                } else if self.slack_mark[v] != stamp {
                    self.slack_mark[v] = stamp;
                    self.slack[v] = s;
                    self.touched.push(v as u32);
                } else {
                    self.slack[v] = self.slack[v].min(s);
                }
            }
        }
        if augmented {
            return None;
        }
        for &v in &self.touched {
            if self.mark[v as usize] != stamp {
                delta = delta.min(self.slack[v as usize]);
            }
        }
        for &u in &self.queue {
            self.y[u as usize] -= delta;
        }
        for &v in &self.reached {
            self.z[v as usize] += delta;
        }
        Some(delta)
    }
}
