#!/usr/bin/env python3
"""Cohort's `cohort match` against Google OR-tools on the same instances.

Run through scripts/bench-matching, which makes the venv and the binary.

For each size it generates a deterministic instance (volunteers and the
needs of campaigns built from role-based team templates), writes V.csv and
N.csv, and then:

  Cohort:   wall-clock time of the whole `cohort match` process: start-up,
            reading and parsing both CSV files, finding feasible pairs,
            solving, and writing A.csv. (Its own breakdown, from stderr, is
            shown too.)
  OR-tools: in-process time of building the SimpleMinCostFlow graph from the
            feasible pairs (numpy arrays, added in bulk) plus solve(). Not
            timed: Python start-up, instance generation, and enumerating the
            feasible pairs, which Cohort's time does include.

Both total scores must be equal, and every pair in A.csv is re-checked
against the feasibility rule here. Each side runs --repeat times; the
median is reported.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np
from ortools.graph.python import min_cost_flow

SKILLS = [  # slug, relative share of volunteers listing it
    ("front-end", 12), ("back-end", 8), ("design", 9), ("copywriting", 11),
    ("data-analysis", 10), ("data-engineering", 5), ("performance-marketing", 5),
    ("email-marketing", 5), ("texting", 6), ("social-media", 9), ("press", 4),
    ("video", 5), ("photography", 4), ("field-organizing", 7),
    ("volunteer-coordination", 4), ("fundraising", 4), ("compliance", 2),
    ("accounting", 3), ("legal", 2), ("translation", 4), ("team-lead", 6),
    ("project-management", 6),
]
SKILL_INDEX = {s: i for i, (s, _) in enumerate(SKILLS)}

# Two-letter state, UTC offset in hours, relative population.
STATES = [
    ("CA", -8, 39), ("TX", -6, 30), ("FL", -5, 22), ("NY", -5, 20), ("PA", -5, 13),
    ("IL", -6, 13), ("OH", -5, 12), ("GA", -5, 11), ("NC", -5, 11), ("MI", -5, 10),
    ("NJ", -5, 9), ("VA", -5, 9), ("WA", -8, 8), ("AZ", -7, 7), ("MA", -5, 7),
    ("TN", -6, 7), ("IN", -5, 7), ("MD", -5, 6), ("MO", -6, 6), ("WI", -6, 6),
    ("CO", -7, 6), ("MN", -6, 6), ("SC", -5, 5), ("AL", -6, 5), ("LA", -6, 5),
    ("KY", -5, 5), ("OR", -8, 4), ("OK", -6, 4), ("CT", -5, 4), ("UT", -7, 3),
    ("IA", -6, 3), ("NV", -8, 3), ("AR", -6, 3), ("MS", -6, 3), ("KS", -6, 3),
    ("NM", -7, 2), ("NE", -6, 2), ("ID", -7, 2), ("WV", -5, 2), ("HI", -10, 1),
    ("NH", -5, 1), ("ME", -5, 1), ("MT", -7, 1), ("RI", -5, 1), ("DE", -5, 1),
    ("SD", -6, 1), ("ND", -6, 1), ("AK", -9, 1), ("VT", -5, 1), ("WY", -7, 1),
]
STATE_INDEX = {s: i for i, (s, _, _) in enumerate(STATES)}

# Team templates: (team, [(role, skill, min-level choices, local only)]).
TEAMS = [
    ("web", [("team lead", "team-lead", [2, 3], False), ("front-end engineer", "front-end", [2, 2, 3], False),
             ("copywriter", "copywriting", [1, 2], False), ("analyst", "data-analysis", [1, 2], False)]),
    ("ads", [("lead", "team-lead", [2, 3], False), ("performance marketer", "performance-marketing", [2, 3], False),
             ("analyst", "data-analysis", [2], False)]),
    ("email", [("lead", "team-lead", [2], False), ("email marketer", "email-marketing", [1, 2], False),
               ("copywriter", "copywriting", [1, 2], False)]),
    ("texting", [("lead", "team-lead", [2], False), ("texting coordinator", "texting", [1, 2], False),
                 ("data manager", "data-engineering", [1, 2], False)]),
    ("data", [("data engineer", "data-engineering", [2, 3], False), ("data analyst", "data-analysis", [2, 3], False)]),
    ("press", [("press officer", "press", [2, 3], False), ("video producer", "video", [1, 2], False),
               ("photographer", "photography", [1, 2], True)]),
    ("field", [("field lead", "field-organizing", [2, 3], True), ("field organizer", "field-organizing", [1, 2], True),
               ("volunteer coordinator", "volunteer-coordination", [1, 2], True)]),
    ("finance", [("compliance specialist", "compliance", [2, 3], False), ("bookkeeper", "accounting", [1, 2], False)]),
]


def generate(n_vol, n_roles, seed, priority_max=None):
    """Column arrays for volunteers and needs. Deterministic in `seed`.

    Priorities are 1–5 per team, or with `priority_max` uniform in
    1..priority_max per role (many distinct scores: the hard case for a
    method whose stages follow the score values)."""
    rng = np.random.default_rng(seed)
    state_p = np.array([p for _, _, p in STATES], float)
    state_p /= state_p.sum()
    skill_p = np.array([p for _, p in SKILLS], float)
    skill_p /= skill_p.sum()

    # Volunteers: 1–3 skills, levels skewed to "some"/"solid", offset from
    # their state except 3% abroad (UTC+0, +1, +5.5), 75% work remotely.
    vol = {
        "state": rng.choice(len(STATES), n_vol, p=state_p),
        "hours": rng.choice([3, 5, 6, 8, 10, 15, 20], n_vol, p=[.08, .3, .12, .2, .17, .08, .05]),
        "weeks": rng.choice([4, 6, 8, 12, 16, 26], n_vol, p=[.15, .1, .25, .25, .1, .15]),
        "remote": rng.random(n_vol) < 0.75,
    }
    offset = np.array([STATES[s][1] * 60 for s in vol["state"]])
    abroad = rng.random(n_vol) < 0.03
    offset[abroad] = rng.choice([0, 60, 330], abroad.sum())
    vol["offset"] = offset
    n_skills = rng.choice([1, 2, 3], n_vol, p=[.45, .38, .17])
    vol_skills = []  # per volunteer: list of (skill index, level)
    for k in n_skills:
        picks = rng.choice(len(SKILLS), k, replace=False, p=skill_p)
        levels = rng.choice([1, 2, 3], k, p=[.35, .42, .23])
        vol_skills.append(list(zip(picks.tolist(), levels.tolist())))

    # Needs: campaigns in states weighted by population, each posting 2–4 teams.
    rows = []
    campaign = 0
    while len(rows) < n_roles:
        st = int(rng.choice(len(STATES), p=state_p))
        for t in rng.choice(len(TEAMS), int(rng.integers(2, 5)), replace=False):
            team, roles = TEAMS[t]
            hours = int(rng.choice([5, 8, 10], p=[.5, .3, .2]))
            weeks = int(rng.choice([4, 8, 12], p=[.3, .4, .3]))
            priority = int(rng.choice([1, 2, 3, 4, 5], p=[.3, .25, .2, .15, .1]))
            for role, skill, levels, local in roles:
                p = priority if priority_max is None else int(rng.integers(1, priority_max + 1))
                rows.append((f"c{campaign}", f"{team}: {role}", SKILL_INDEX[skill], int(rng.choice(levels)),
                             hours, weeks, STATES[st][1] * 60, st,
                             (not local) and rng.random() < 0.85, p))
        campaign += 1
    rows = rows[:n_roles]
    need = {k: np.array([r[i] for r in rows]) for i, k in enumerate(
        ["campaign", "role", "skill", "min_level", "hours", "weeks", "offset", "state", "remote_ok", "priority"])}
    return vol, vol_skills, need


def offset_text(minutes):
    sign = "-" if minutes < 0 else "+"
    m = abs(int(minutes))
    return f"{sign}{m // 60}" if m % 60 == 0 else f"{sign}{m // 60}:{m % 60:02d}"


def write_csv(dirname, vol, vol_skills, need):
    with open(os.path.join(dirname, "V.csv"), "w") as f:
        f.write("id,skills,hours_per_week,weeks,utc_offset,state,remote\n")
        for i in range(len(vol_skills)):
            skills = ";".join(f"{SKILLS[s][0]}:{l}" for s, l in vol_skills[i])
            f.write(f"v{i},{skills},{vol['hours'][i]},{vol['weeks'][i]},{offset_text(vol['offset'][i])},"
                    f"{STATES[vol['state'][i]][0]},{'true' if vol['remote'][i] else 'false'}\n")
    with open(os.path.join(dirname, "N.csv"), "w") as f:
        f.write("id,campaign,role,skill,min_level,hours_per_week,weeks,utc_offset,state,remote_ok,priority\n")
        for j in range(len(need["skill"])):
            f.write(f"n{j},{need['campaign'][j]},{need['role'][j]},{SKILLS[need['skill'][j]][0]},"
                    f"{need['min_level'][j]},{need['hours'][j]},{need['weeks'][j]},{offset_text(need['offset'][j])},"
                    f"{STATES[need['state'][j]][0]},{'true' if need['remote_ok'][j] else 'false'},{need['priority'][j]}\n")


def feasible_pairs(vol, vol_skills, need):
    """Every feasible (need, volunteer, score), by the rule in the issue."""
    by_skill = [[] for _ in SKILLS]
    for v, skills in enumerate(vol_skills):
        for s, l in skills:
            by_skill[s].append((v, l))
    groups = []
    for s in range(len(SKILLS)):
        if by_skill[s]:
            a = np.array(by_skill[s])
            groups.append((a[:, 0], a[:, 1]))
        else:
            groups.append((np.zeros(0, int), np.zeros(0, int)))
    heads, tails, scores = [], [], []
    for j in range(len(need["skill"])):
        vs, lv = groups[need["skill"][j]]
        ok = ((lv >= need["min_level"][j]) & (vol["hours"][vs] >= need["hours"][j])
              & (vol["weeks"][vs] >= need["weeks"][j])
              & (np.abs(vol["offset"][vs] - need["offset"][j]) <= 180)
              & ((need["remote_ok"][j] & vol["remote"][vs]) | (vol["state"][vs] == need["state"][j])))
        heads.append(np.full(ok.sum(), j))
        tails.append(vs[ok])
        scores.append(need["priority"][j] * (1 + lv[ok] - need["min_level"][j]))
    return np.concatenate(heads), np.concatenate(tails), np.concatenate(scores)


def ortools_solve(n_vol, n_roles, heads, tails, scores):
    """Max-score assignment as min-cost flow; returns (total, build + solve seconds, solve seconds)."""
    started = time.perf_counter()
    smcf = min_cost_flow.SimpleMinCostFlow()
    source, sink = n_vol + n_roles, n_vol + n_roles + 1
    vols = np.arange(n_vol)
    roles = np.arange(n_roles)
    starts = np.concatenate([np.full(n_vol, source), tails, n_vol + roles, [source]])
    ends = np.concatenate([vols, n_vol + heads, np.full(n_roles, sink), [sink]])
    caps = np.concatenate([np.ones(n_vol, int), np.ones(len(heads), int), np.ones(n_roles, int), [n_roles]])
    costs = np.concatenate([np.zeros(n_vol, int), -scores, np.zeros(n_roles, int), [0]])
    smcf.add_arcs_with_capacity_and_unit_cost(starts, ends, caps, costs)
    smcf.set_node_supply(source, n_roles)
    smcf.set_node_supply(sink, -n_roles)
    solve_started = time.perf_counter()
    status = smcf.solve()
    finished = time.perf_counter()
    if status != smcf.OPTIMAL:
        sys.exit(f"OR-tools did not find an optimum (status {status})")
    return -smcf.optimal_cost(), finished - started, finished - solve_started


def cohort_solve(binary, dirname):
    started = time.perf_counter()
    out = subprocess.run([binary, "match", "--volunteers", "V.csv", "--needs", "N.csv", "--out", "A.csv"],
                         cwd=dirname, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if out.returncode != 0:
        sys.exit(f"cohort match failed:\n{out.stderr}")
    last = out.stdout.strip().splitlines()[-1]
    fields = dict(kv.split("=") for kv in last.split())
    return int(fields["total_score"]), int(fields["filled"]), elapsed, out.stderr.strip()


def check_assignment(dirname, vol, vol_skills, need, total):
    """Every row of A.csv is feasible with the right score, nobody twice, and sums to `total`."""
    seen_v, seen_n, s = set(), set(), 0
    with open(os.path.join(dirname, "A.csv")) as f:
        assert f.readline().strip() == "need_id,volunteer_id,score"
        for line in f:
            n_id, v_id, score = line.strip().split(",")
            j, v = int(n_id[1:]), int(v_id[1:])
            assert j not in seen_n and v not in seen_v, f"{n_id} or {v_id} used twice"
            seen_n.add(j)
            seen_v.add(v)
            lv = dict(vol_skills[v]).get(need["skill"][j], 0)
            ok = (lv >= need["min_level"][j] and vol["hours"][v] >= need["hours"][j]
                  and vol["weeks"][v] >= need["weeks"][j] and abs(vol["offset"][v] - need["offset"][j]) <= 180
                  and ((need["remote_ok"][j] and vol["remote"][v]) or vol["state"][v] == need["state"][j]))
            assert ok, f"infeasible pair {n_id},{v_id}"
            assert int(score) == need["priority"][j] * (1 + lv - need["min_level"][j]), line
            s += int(score)
    assert s == total, f"A.csv sums to {s}, cohort printed {total}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cohort", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--sizes", default="1000x200,10000x2000,100000x20000,100000x20000p1000",
                    help="VOLUNTEERSxROLES, with pN for priorities uniform in 1..N")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    rows = []
    for size in args.sizes.split(","):
        dims, _, pmax = size.partition("p")
        n_vol, n_roles = map(int, dims.split("x"))
        pmax = int(pmax) if pmax else None
        d = os.path.join(args.dir, size)
        os.makedirs(d, exist_ok=True)
        vol, vol_skills, need = generate(n_vol, n_roles, seed=n_vol * 7919 + n_roles, priority_max=pmax)
        write_csv(d, vol, vol_skills, need)
        heads, tails, scores = feasible_pairs(vol, vol_skills, need)
        print(f"{size}: {len(heads):,} feasible pairs", file=sys.stderr, flush=True)

        o_times, o_solve, c_times = [], [], []
        for _ in range(args.repeat):
            o_total, t, t_solve = ortools_solve(n_vol, n_roles, heads, tails, scores)
            o_times.append(t)
            o_solve.append(t_solve)
            c_total, filled, t, detail = cohort_solve(args.cohort, d)
            c_times.append(t)
            print(f"  ortools {o_times[-1]:.3f} s (solve {t_solve:.3f} s), cohort {c_times[-1]:.3f} s  [{detail}]",
                  file=sys.stderr, flush=True)
        check_assignment(d, vol, vol_skills, need, c_total)
        if c_total != o_total:
            sys.exit(f"{size}: total scores differ: cohort {c_total}, OR-tools {o_total}")
        c, o = statistics.median(c_times), statistics.median(o_times)
        rows.append((size, len(heads), c_total, o_total, filled, c, o, statistics.median(o_solve)))

    print("| volunteers × roles (pN: priorities 1–N) | feasible pairs | total score (Cohort = OR-tools) | filled | "
          "Cohort `cohort match` | OR-tools build + solve | OR-tools ÷ Cohort |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for size, pairs, c_total, o_total, filled, c, o, o_s in rows:
        print(f"| {size} | {pairs:,} | {c_total:,} = {o_total:,} | {filled:,} | "
              f"{c:.3f} s | {o:.3f} s (solve {o_s:.3f} s) | {o / c:.1f}× |")


if __name__ == "__main__":
    main()
