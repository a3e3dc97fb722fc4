"""Runs `cohort consensus` and red-dwarf on the same conversations and reports:
consensus lists identical or not, adjusted Rand index (ARI) of each one's
opinion groups to the groups Pol.is assigned (participants-votes.csv
`group-id`), and two time ratios, each the best of --runs:

- pipeline to pipeline, each the best of --runs runs in one process:
  red-dwarf's `run_pipeline` (without Python start-up, imports or CSV
  reading) vs our `seconds` with `--repeat` (the matrix and every replayed
  update through consensus, without file reading); our first, cold run is
  reported under the table;
- whole process to whole process: wall time of `python this-script
  --reddwarf-process DIR` (start-up, imports, reading the CSVs, the pipeline,
  printing JSON) vs wall time of `cohort consensus DIR --json`.

Then the synthetic conversation under /usr/bin/time -v. Called by
scripts/bench-consensus, which sets up the venv and the binary."""

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import time

csv.field_size_limit(1 << 30)

import numpy as np
from sklearn.metrics import adjusted_rand_score
from reddwarf.implementations.polis import run_pipeline


def read_conversation(folder):
    """Votes (last per participant and statement), moderated-out ids and
    Pol.is's groups, read independently of the Rust importer."""
    with open(os.path.join(folder, "comments.csv"), newline="", encoding="utf-8") as f:
        mod_out = sorted(int(r["comment-id"]) for r in csv.DictReader(f) if int(r["moderated"]) < 0)
    polis_groups = {}
    cells = {}
    with open(os.path.join(folder, "participants-votes.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            pid = int(r["participant"])
            if r["group-id"].strip() != "":
                polis_groups[pid] = int(r["group-id"])
            for k, v in r.items():
                if k.isdigit() and v.strip() != "":
                    cells[(pid, int(k))] = int(float(v))
    votes_path = os.path.join(folder, "votes.csv")
    if os.path.exists(votes_path):
        with open(votes_path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        # Last vote wins: stable sort by timestamp keeps file order on ties.
        rows.sort(key=lambda r: int(r["timestamp"]))
        cells = {}
        for r in rows:
            cells[(int(r["voter-id"]), int(r["comment-id"]))] = int(r["vote"])
        source = "votes.csv"
    else:
        source = "participants-votes.csv"
    votes = [
        {"participant_id": p, "statement_id": s, "vote": v, "modified": 0}
        for (p, s), v in cells.items()
    ]
    return votes, mod_out, polis_groups, source


def run_ours(binary, folder, runs, seed, extra=()):
    """Pipeline `seconds`: the best of `runs` runs in one process (--repeat),
    as red-dwarf's pipeline is timed, with the first (cold) run beside it;
    and the best whole-process wall time (without --timings: the JSON a
    user gets). `extra`: more `cohort consensus` arguments (--every-poll)."""
    out = subprocess.run(
        [binary, "consensus", folder, "--json", "--timings", "--repeat", str(runs),
         "--seed", str(seed), *extra],
        check=True, capture_output=True, text=True,
    ).stdout
    best = json.loads(out)
    best.setdefault("first_seconds", best["seconds"])
    wall = None
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [binary, "consensus", folder, "--json", "--seed", str(seed), *extra],
            check=True, capture_output=True,
        )
        t = time.perf_counter() - t0
        wall = t if wall is None else min(wall, t)
    best["process_seconds"] = wall
    return best


def reddwarf_process(folder, seed):
    """One whole red-dwarf run, as a user would: read the export, run the
    pipeline, print the consensus lists as JSON."""
    votes, mod_out, _, _ = read_conversation(folder)
    rd = run_pipeline(votes=votes, mod_out_statement_ids=mod_out, random_state=seed)
    print(json.dumps({
        "agree": [int(s["tid"]) for s in rd.consensus["agree"]],
        "disagree": [int(s["tid"]) for s in rd.consensus["disagree"]],
    }))


def run_reddwarf_process(folder, runs, seed):
    wall = None
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--reddwarf-process", folder],
            check=True, capture_output=True, env={**os.environ, "BENCH_SEED": str(seed)},
        )
        t = time.perf_counter() - t0
        wall = t if wall is None else min(wall, t)
    return wall


def run_reddwarf(votes, mod_out, runs, seed):
    best_t, result = None, None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = run_pipeline(votes=votes, mod_out_statement_ids=mod_out, random_state=seed)
        t = time.perf_counter() - t0
        best_t = t if best_t is None else min(best_t, t)
    return result, best_t


def ari_to_polis(polis_groups, labels):
    """ARI over the participants Pol.is put in a group; anyone a method left
    unclustered gets the label -1."""
    pids = sorted(polis_groups)
    return adjusted_rand_score([polis_groups[p] for p in pids], [labels.get(p, -1) for p in pids])


def conversation(binary, folder, runs, seed, extra=()):
    votes, mod_out, polis_groups, source = read_conversation(folder)
    ours = run_ours(binary, folder, runs, seed, extra)
    rd, rd_seconds = run_reddwarf(votes, mod_out, runs, seed)
    rd_process = run_reddwarf_process(folder, runs, seed)

    our_labels = {p: g["id"] for g in ours["groups"] for p in g["participants"]}
    cid = rd.participants_df["cluster_id"]
    rd_labels = {int(p): int(c) for p, c in cid.items() if c is not None and not (isinstance(c, float) and np.isnan(c)) and str(c) != "<NA>"}
    rd_agree = [int(s["tid"]) for s in rd.consensus["agree"]]
    rd_disagree = [int(s["tid"]) for s in rd.consensus["disagree"]]
    return {
        "name": os.path.basename(folder.rstrip("/")),
        "source": source,
        "participants": ours["participants"],
        "statements": ours["statements"],
        "votes": ours["votes"],
        "identical": ours["consensus_agree"] == rd_agree and ours["consensus_disagree"] == rd_disagree,
        "ours_agree": ours["consensus_agree"],
        "ours_disagree": ours["consensus_disagree"],
        "rd_agree": rd_agree,
        "rd_disagree": rd_disagree,
        "ours_k": len(ours["groups"]),
        "rd_k": len(set(rd_labels.values())),
        "polis_k": len(set(polis_groups.values())),
        "ari_ours": ari_to_polis(polis_groups, our_labels),
        "ari_rd": ari_to_polis(polis_groups, rd_labels),
        "ours_seconds": ours["seconds"],
        "ours_first": ours["first_seconds"],
        "rd_seconds": rd_seconds,
        "ours_process": ours["process_seconds"],
        "rd_process": rd_process,
        "k_rule": ours["k_rule"],
        "k_updates": len(ours["k_updates"]),
        "k_path": [u["smoothed_k"] for u in ours["k_updates"]],
        "best_path": [u["best_k"] for u in ours["k_updates"]],
    }, rd


def red_dwarf_fixture(res, rd):
    """What the regression test compares against (data/polis/<name>/red-dwarf.json)."""
    cid = rd.participants_df["cluster_id"]
    groups = {}
    for p, c in cid.items():
        if str(c) not in ("<NA>", "nan", "None"):
            groups.setdefault(int(c), []).append(int(p))
    return {
        "generator": "scripts/bench-consensus.py --fixture (red-dwarf 0.4.0, reddwarf.implementations.polis.run_pipeline, random_state=1)",
        "consensus_agree": res["rd_agree"],
        "consensus_disagree": res["rd_disagree"],
        "groups": [{"id": g, "participants": sorted(ps)} for g, ps in sorted(groups.items())],
        "ari_to_polis": res["ari_rd"],
    }


def synthetic(binary, spec, seed):
    shape, votes = spec
    cmd = [binary, "consensus", "--synthetic", shape, "--votes", str(votes), "--seed", str(seed), "--json"]
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"synthetic run failed: {p.stderr}")
    r = json.loads(p.stdout)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", p.stderr).group(1)
    parts = [float(x) for x in wall.split(":")]
    wall_s = sum(x * 60 ** i for i, x in enumerate(reversed(parts)))
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    return {"cmd": " ".join(cmd[1:]), "wall": wall_s, "rss_gib": rss_kb / 1024 / 1024, "json": r}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-synthetic", action="store_true")
    ap.add_argument("--every-poll", action="store_true",
                    help="replay votes.csv after every poll window, Pol.is's own cadence (slow)")
    ap.add_argument("--fixture", help="also write red-dwarf's output for this conversation folder name to FIXTURE_OUT")
    ap.add_argument("--fixture-out")
    a = ap.parse_args()

    folders = sorted(
        os.path.join(a.data, d) for d in os.listdir(a.data)
        if os.path.isfile(os.path.join(a.data, d, "comments.csv"))
    )
    if a.fixture:
        folders = [f for f in folders if os.path.basename(f) == a.fixture] or [a.data]
    results = []
    for folder in folders:
        res, rd = conversation(a.bin, folder, a.runs, a.seed,
                               ["--every-poll"] if a.every_poll else [])
        results.append(res)
        print(f"# {res['name']}: done", file=sys.stderr)
        if a.fixture:
            with open(a.fixture_out, "w") as f:
                json.dump(red_dwarf_fixture(res, rd), f, indent=1)
                f.write("\n")
            return

    print("| conversation | votes from | participants × statements, votes | k chosen by | consensus lists identical | groups (ours / red-dwarf / Pol.is) | ARI to Pol.is: ours | red-dwarf | pipeline: ours (s) | red-dwarf (s) | speed-up | whole process: ours (s) | red-dwarf (s) | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        rule = (f"smoother, {r['k_updates']} updates" if r["k_rule"] == "smoother"
                else "single silhouette")
        print(
            f"| {r['name']} | {r['source']} | {r['participants']} × {r['statements']}, {r['votes']} "
            f"| {rule} | {'yes' if r['identical'] else 'NO'} | {r['ours_k']} / {r['rd_k']} / {r['polis_k']} "
            f"| {r['ari_ours']:.3f} | {r['ari_rd']:.3f} | {r['ours_seconds']:.4f} | {r['rd_seconds']:.3f} "
            f"| {r['rd_seconds'] / r['ours_seconds']:.0f}× | {r['ours_process']:.4f} | {r['rd_process']:.2f} "
            f"| {r['rd_process'] / r['ours_process']:.0f}× |"
        )
    print("\nPipeline, ours, first run in a fresh process (cold; the table has the best of "
          f"{a.runs} in one process, as red-dwarf's): "
          + ", ".join(f"{r['name']} {r['ours_first']:.4f} s ({r['rd_seconds'] / r['ours_first']:.0f}×)"
                      for r in results) + ".")
    for r in results:
        if r["k_rule"] == "smoother":
            best, smoothed, which = r["best_path"], r["k_path"], "per update"
            if len(best) > 30:  # --every-poll: thousands of updates
                best, smoothed, which = best[-30:], smoothed[-30:], f"over the last 30 of {len(r['best_path'])} updates"
            print(f"\n{r['name']}: best k {which} {best}, smoothed {smoothed}")
    for r in results:
        if not r["identical"]:
            print(f"\n{r['name']}: ours agree {r['ours_agree']} disagree {r['ours_disagree']}; "
                  f"red-dwarf agree {r['rd_agree']} disagree {r['rd_disagree']}")
    ok = all(r["identical"] for r in results)
    ari_ok = all(r["ari_ours"] >= r["ari_rd"] - 1e-12 for r in results)
    fast = min(r["rd_seconds"] / r["ours_seconds"] for r in results)
    fast_p = min(r["rd_process"] / r["ours_process"] for r in results)
    print(f"\nAll consensus lists identical: {'yes' if ok else 'NO'}; ARI >= red-dwarf's everywhere: "
          f"{'yes' if ari_ok else 'NO'}; slowest speed-up {fast:.0f}× pipeline to pipeline, "
          f"{fast_p:.0f}× whole process to whole process (target 20×).")

    if not a.skip_synthetic:
        s = synthetic(a.bin, ("100000x10000", 5_000_000), a.seed)
        j = s["json"]
        print(f"\nSynthetic: `cohort {s['cmd']}` — {j['participants']} participants × {j['statements']} statements, "
              f"{j['votes']} votes: pipeline {j['seconds']:.1f} s (+ {j['load_seconds']:.1f} s generating votes), "
              f"wall {s['wall']:.1f} s, peak RSS {s['rss_gib']:.2f} GiB; {len(j['groups'])} groups, "
              f"ARI to the latent groups {j.get('latent_ari', float('nan')):.3f}. Target: < 60 s and < 4 GB.")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--reddwarf-process":
        reddwarf_process(sys.argv[2], int(os.environ.get("BENCH_SEED", "1")))
    else:
        main()
