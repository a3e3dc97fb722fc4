"""An independent implementation of API.md "Cohesion", for the cross-check
in tests/cohesion.rs. Reads votes/rollcalls.csv and votes/positions.csv with
the csv module; prints the figures as JSON.

    python cohesion.py VOTES_DIR FROM TO CAND=MEMBER... -- VOTE_ID=yes|no...
"""
import csv
import json
import os
import sys

votes_dir, date_from, date_to = sys.argv[1], sys.argv[2], sys.argv[3]
rest = sys.argv[4:]
split = rest.index("--")
members = [a.split("=", 1) for a in rest[:split]]
tags = sorted(set(tuple(a.split("=", 1)) for a in rest[split + 1:]))

dates = {}
with open(os.path.join(votes_dir, "rollcalls.csv"), newline="", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        dates[row["vote_id"]] = row["date"][:10]
cast = {}
with open(os.path.join(votes_dir, "positions.csv"), newline="", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        side = {"Yea": "yes", "Aye": "yes", "Nay": "no", "No": "no"}.get(row["position"])
        if side:
            cast[(row["vote_id"], row["member_id"])] = side

in_range = lambda v: date_from <= dates[v] <= date_to
rice_terms = []
tally = {c: [0, 0] for c, _ in members}
for v in sorted(dates):
    if not in_range(v):
        continue
    got = {c: cast.get((v, m)) for c, m in members}
    yes = sum(1 for s in got.values() if s == "yes")
    no = sum(1 for s in got.values() if s == "no")
    if yes + no < 2:
        continue
    rice_terms.append(abs(yes - no) / (yes + no))
    if yes == no:
        continue
    bloc = "yes" if yes > no else "no"
    for c, s in got.items():
        if s is not None:
            tally[c][1] += 1
            tally[c][0] += s == bloc

total = 0.0
for t in rice_terms:
    total += t
out = {
    "roll_calls": len(rice_terms),
    "rice": total / len(rice_terms) if rice_terms else None,
    "members": [],
}
for c, m in members:
    w, n = tally[c]
    seen = [cast[(v, m)] == side for v, side in tags if in_range(v) and (v, m) in cast]
    out["members"].append({
        "candidate": c,
        "votes": n,
        "with_bloc": w / n if n else None,
        "with_platform": sum(seen) / len(seen) if seen else None,
    })
print(json.dumps(out))
