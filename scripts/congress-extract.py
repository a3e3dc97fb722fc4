#!/usr/bin/env python3
"""Regenerate data/congress/ from the full data in /work/shared/data/congress.

    python3 scripts/congress-extract.py [SHARED_DIR] [OUT_DIR]

Needs PyYAML (Debian: python3-yaml). Writes:
  meta.csv         chamber sizes and the Vice President's party
  legislators.csv  one row per sitting member (current term only)
  committees.csv   one row per member of a full House or Senate committee
  votes/rollcalls.csv, votes/positions.csv
                   a subset of votes-119 in the same layout: every House roll
                   call from 2025-01-03 through 2025-03-31 (which includes the
                   Speaker election, h2-119.2025) and every Senate roll call of
                   January 2025. Rows keep their order in the source.
Run it again and the output is byte-for-byte the same.
"""
import csv
import os
import sys

import yaml

SRC = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/congress"
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "data", "congress")
AS_OF = "2026-08-01"


def writer(path):
    f = open(path, "w", newline="", encoding="utf-8")
    return f, csv.writer(f, lineterminator="\n")


def serving_since(terms):
    """Start of the unbroken run of terms in the current chamber."""
    last = terms[-1]
    since = last["start"]
    for prev in reversed(terms[:-1]):
        if prev["type"] != last["type"]:
            break
        # Consecutive terms end and start within a few days of each other.
        if prev["end"][:4] < str(int(since[:4]) - 1):
            break
        since = prev["start"]
    return since


def legislators():
    people = yaml.safe_load(open(os.path.join(SRC, "legislators-current.yaml")))
    rows = []
    for p in people:
        t = p["terms"][-1]
        chamber = {"rep": "house", "sen": "senate"}[t["type"]]
        name = p["name"].get("official_full") or f'{p["name"]["first"]} {p["name"]["last"]}'
        party = t["party"]
        rows.append([
            p["id"]["bioguide"], p["id"].get("lis", ""), name, party,
            t.get("caucus", party), t["state"],
            str(t["district"]) if chamber == "house" else "",
            str(t["class"]) if chamber == "senate" else "",
            chamber, t["start"], serving_since(p["terms"]),
        ])
    rows.sort(key=lambda r: (r[8], r[5], r[6].zfill(2), r[0]))
    f, w = writer(os.path.join(OUT, "legislators.csv"))
    w.writerow(["bioguide", "lis", "name", "party", "caucus", "state",
                "district", "class", "chamber", "term_start", "serving_since"])
    w.writerows(rows)
    f.close()


def committees():
    comms = yaml.safe_load(open(os.path.join(SRC, "committees-current.yaml")))
    roster = yaml.safe_load(open(os.path.join(SRC, "committee-membership-current.yaml")))
    f, w = writer(os.path.join(OUT, "committees.csv"))
    w.writerow(["committee", "chamber", "name", "bioguide", "side", "rank", "title"])
    for c in comms:
        if c["type"] not in ("house", "senate"):
            continue
        for m in roster.get(c["thomas_id"], []):
            w.writerow([c["thomas_id"], c["type"], c["name"], m["bioguide"],
                        m["party"], m.get("rank", ""), m.get("title", "")])
    f.close()


def keep(row):
    d = row["date"][:10]
    if row["chamber"] == "h":
        return "2025-01-03" <= d <= "2025-03-31"
    return "2025-01-01" <= d <= "2025-01-31"


def votes():
    src = os.path.join(SRC, "votes-119")
    os.makedirs(os.path.join(OUT, "votes"), exist_ok=True)
    kept = set()
    with open(os.path.join(src, "rollcalls.csv"), newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        head = next(r)
        o, w = writer(os.path.join(OUT, "votes", "rollcalls.csv"))
        w.writerow(head)
        for row in r:
            if keep(dict(zip(head, row))):
                kept.add(row[0])
                w.writerow(row)
        o.close()
    with open(os.path.join(src, "positions.csv"), newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        head = next(r)
        o, w = writer(os.path.join(OUT, "votes", "positions.csv"))
        w.writerow(head)
        for row in r:
            if row[0] in kept:
                w.writerow(row)
        o.close()


def meta():
    f, w = writer(os.path.join(OUT, "meta.csv"))
    w.writerow(["key", "value"])
    w.writerow(["as_of", AS_OF])
    w.writerow(["house_seats", "435"])
    w.writerow(["senate_seats", "100"])
    w.writerow(["vice_president_party", "Republican"])
    f.close()


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    meta()
    legislators()
    committees()
    votes()
