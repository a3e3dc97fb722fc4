#!/usr/bin/env python3
"""Generate the Cohort demo slate (data/demo/slate.json).

Usage (from the repository root):

    python3 scripts/make-demo-data.py ../shared/data/congress > data/demo/slate.json

The argument is a directory holding the public-domain congress data from the
unitedstates/congress-legislators project:

    legislators-current.yaml   every sitting member of Congress (required)
    election_results_2024.csv  2024 winners (optional; used for cross-checks)

The races are real 2028 federal races: every House seat is up in 2028, and
the Senate seats up in 2028 are class 3. The incumbent of each race is looked
up in legislators-current.yaml (name, party, bioguide id) and the script fails
if the seat is vacant or the lookup is ambiguous. The candidates, partner
organisations and pledger names are FICTIONAL and are written out as-is.

Only the standard library and PyYAML are needed (pip install pyyaml). The
output is deterministic: the same input data gives byte-identical JSON.
"""

import csv
import datetime
import json
import os
import sys

try:
    import yaml
except ImportError:  # pragma: no cover
    sys.exit("make-demo-data.py needs PyYAML: pip install pyyaml")

CYCLE = 2028
GENERAL_DATE = "2028-11-07"  # Tuesday after the first Monday of November 2028

# Estimated 2028 primary dates, from each state's usual statutory calendar
# (see README). All are Tuesdays.
PRIMARY_DATES = {
    "CA": "2028-03-07",  # presidential years: first Tuesday in March
    "TX": "2028-03-07",  # first Tuesday in March
    "NC": "2028-03-07",  # presidential years: with Super Tuesday
    "IL": "2028-03-21",  # third Tuesday in March
    "PA": "2028-04-25",  # presidential years: fourth Tuesday in April
    "GA": "2028-05-23",  # 24 weeks before the general (2024: May 21, 2026: May 19)
    "NY": "2028-06-27",  # fourth Tuesday in June
    "AZ": "2028-08-01",  # first Tuesday in August (moved earlier in some years)
    "MI": "2028-08-08",  # Tuesday after the first Monday in August
    "WI": "2028-08-08",  # second Tuesday in August
    "MN": "2028-08-08",  # second Tuesday in August
}

# Fictional insurgent challengers in real 2028 races. The incumbent is filled
# in from the congress data; nothing here describes a real person.
CANDIDATES = [
    {
        "slug": "maria-okafor",
        "name": "Maria Okafor",
        "bio": "A public-school special-education teacher and tenant organizer from Lower Manhattan.",
        "office": "us_house", "state": "NY", "district": 10,
    },
    {
        "slug": "jonah-szymanski",
        "name": "Jonah Szymanski",
        "bio": "A former steelworker turned apprenticeship-program director from the Mon Valley.",
        "office": "us_senate", "state": "PA", "district": None,
    },
    {
        "slug": "leila-brandvold",
        "name": "Leila Brandvold",
        "bio": "An emergency-room nurse and union steward from Bucks County.",
        "office": "us_house", "state": "PA", "district": 1,
    },
    {
        "slug": "tomas-ibarra-quintero",
        "name": "Tomás Ibarra Quintero",
        "bio": "A farmworker's son and water-district engineer from the Central Valley.",
        "office": "us_house", "state": "CA", "district": 22,
    },
    {
        "slug": "denise-varga-whitfield",
        "name": "Denise Varga-Whitfield",
        "bio": "A rural family physician and county health-board member from downstate Illinois.",
        "office": "us_senate", "state": "IL", "district": None,
    },
    {
        "slug": "marcus-oyelaran",
        "name": "Marcus Oyelaran",
        "bio": "A West Side small-business owner who runs a neighborhood credit cooperative.",
        "office": "us_house", "state": "IL", "district": 7,
    },
    {
        "slug": "nadia-farouk-tillman",
        "name": "Nadia Farouk-Tillman",
        "bio": "An auto-plant electrician and union safety trainer from Detroit.",
        "office": "us_house", "state": "MI", "district": 13,
    },
    {
        "slug": "caleb-ainsworth",
        "name": "Caleb Ainsworth",
        "bio": "A volunteer firefighter and community-college instructor from northeast Georgia.",
        "office": "us_house", "state": "GA", "district": 10,
    },
]

# Three signers from three states: the default condition needs five, so the
# demo opens two signatures (and one endorsement) short of unlocking.
SIGNATURES = ["maria-okafor", "tomas-ibarra-quintero", "nadia-farouk-tillman"]

ENDORSEMENTS = [
    # among the signers: five of the six ordered pairs (one is still missing,
    # so "mutual" is false until Nadia endorses Maria)
    ["maria-okafor", "tomas-ibarra-quintero"],
    ["maria-okafor", "nadia-farouk-tillman"],
    ["tomas-ibarra-quintero", "maria-okafor"],
    ["tomas-ibarra-quintero", "nadia-farouk-tillman"],
    ["nadia-farouk-tillman", "tomas-ibarra-quintero"],
    # a few involving candidates who have not signed yet
    ["jonah-szymanski", "leila-brandvold"],
    ["leila-brandvold", "jonah-szymanski"],
    ["marcus-oyelaran", "maria-okafor"],
    ["maria-okafor", "denise-varga-whitfield"],
]

SLATE = {
    "slug": "people-first-2028",
    "name": "People First 2028",
    "cycle": CYCLE,
    "description": (
        "A slate of first-time, people-powered candidates running for the U.S. House "
        "and Senate in 2028 on a shared platform. Pledges stay locked until at least "
        "five candidates from three states sign the compact and endorse each other, "
        "so supporters back a team rather than a lone star."
    ),
    "condition": "signers >= 5 and states >= 3 and mutual",
}

COMPACT = {
    "commitments": [
        "Cross-endorse every other signer of this compact, publicly and by name.",
        "Hold at least one joint fundraiser per quarter and split the proceeds through the slate.",
        "Appear together at shared media events and town halls in each other's states.",
        "Vote as a bloc on the platform planks below once in office.",
        "Refuse contributions from corporate PACs and federal lobbyists.",
        "Share volunteer lists, training materials and data with fellow signers.",
    ],
    "planks": [
        {"title": "Medicare for All",
         "why": "Health care should follow the person, not the job. One public plan covering "
                "everyone ends medical debt and frees workers to change jobs or start businesses."},
        {"title": "A Green New Deal for good jobs",
         "why": "Rebuilding the grid, transit and housing stock for a warming climate is the "
                "largest jobs program available, and the costs of waiting only grow."},
        {"title": "Housing as a human right",
         "why": "Rents have outpaced wages for decades. Building public and social housing at "
                "scale and protecting tenants brings costs down for everyone."},
        {"title": "The freedom to join a union",
         "why": "Unions built the middle class. Workers who want to organize should be able "
                "to do so without delay, retaliation or captive-audience meetings."},
        {"title": "Get big money out of politics",
         "why": "Public financing of elections and an end to unlimited outside spending let "
                "candidates answer to voters instead of donors."},
        {"title": "Tuition-free public college and trade school",
         "why": "Education after high school is now a basic requirement for most good jobs; "
                "it should be a public good, not a lifetime of debt."},
        {"title": "Protect and expand the vote",
         "why": "Automatic registration, early voting and mail ballots in every state make "
                "elections more accessible and more secure."},
        {"title": "Fair taxes on extreme wealth",
         "why": "When the richest households pay lower effective rates than nurses and "
                "electricians, asking them to pay their share funds everything above."},
    ],
}

PARTNERS = [
    {"slug": "riverline-nurses-guild", "name": "Riverline Nurses Guild (fictional)"},
    {"slug": "great-lakes-tenants-alliance", "name": "Great Lakes Tenants Alliance (fictional)"},
    {"slug": "keystone-transit-workers", "name": "Keystone Transit Workers Council (fictional)"},
    {"slug": "valley-farmworker-network", "name": "Valley Farmworker Network (fictional)"},
    {"slug": "neighbors-for-democracy", "name": "Neighbors for Democracy (fictional)"},
]

PLEDGES = {
    "count": 400,
    "seed": 2028,
    # $25, $50, $100, $250, $500, $1,000, $2,700 -- small-dollar heavy
    "money_amounts_cents": [2500, 5000, 10000, 25000, 50000, 100000, 270000],
    "money_weights": [30, 25, 20, 12, 7, 4, 2],
    "share_monthly": 0.2,
    "share_hours": 0.2,
    "share_actions": 0.1,
    # the slate's six states first, then supporters from elsewhere
    "states": ["NY", "PA", "CA", "IL", "MI", "GA",
               "MA", "WA", "TX", "MN", "WI", "AZ", "CO", "NC", "OR", "VA", "MD", "NJ", "OH", "FL"],
    "first_names": [
        "Aisha", "Ben", "Carmen", "Dev", "Elena", "Femi", "Grace", "Hiro", "Imani", "Jake",
        "Keisha", "Luis", "Mei", "Noah", "Olivia", "Pedro", "Quinn", "Rosa", "Sam", "Tanvi",
        "Uma", "Victor", "Wren", "Ximena", "Yusuf", "Zoe", "Andre", "Bea", "Chen", "Dana",
    ],
    "last_names": [
        "Abara", "Bianchi", "Castillo", "Dubois", "Eriksen", "Fitzgerald", "Gupta", "Haddad",
        "Iwata", "Jovanovic", "Kaur", "Lindqvist", "Mensah", "Nakamura", "O'Neill", "Petrov",
        "Quispe", "Reyes", "Schwartz", "Tran", "Uribe", "Volkov", "Washington", "Xu", "Yilmaz",
        "Zamora", "Adeyemi", "Brennan", "Cohen", "Delacroix",
    ],
    "skills": ["web", "data", "design", "press", "field", "finance", "legal"],
}

# Each candidate's committee (issue 6): fictional, in a range of FEC ids
# (C99…, H8/S8 …99xxx) chosen to stand out as made up. Mailing addresses are
# a main street in a real city of the candidate's state.
CITIES = {
    "NY": ("New York", "10013"), "PA": ("Philadelphia", "19107"), "CA": ("Fresno", "93721"),
    "IL": ("Chicago", "60607"), "MI": ("Detroit", "48226"), "GA": ("Gainesville", "30501"),
}

# Cohort itself, the conduit, as the demo's FEC filings name it (fictional).
CONDUIT = {
    "name": "Cohort PAC (fictional)", "fec_committee_id": "C99000000",
    "treasurer_first": "Robin", "treasurer_last": "Ledger",
    "street1": "1 Conduit Way", "street2": "", "city": "Washington", "state": "DC", "zip": "20001",
}


def committee(i, c):
    city, zip_code = CITIES[c["state"]]
    house = c["office"] == "us_house"
    return {
        "name": "%s for %s (fictional)" % (c["name"], "Congress" if house else "Senate"),
        "fec_committee_id": "C99%06d" % i,
        "fec_candidate_id": "%s8%s%05d" % ("H" if house else "S", c["state"], 99000 + i),
        "treasurer_first": "Sam", "treasurer_last": "Keeper",
        "street1": "%d Main Street" % (100 + i), "street2": "",
        "city": city, "state": c["state"], "zip": zip_code,
    }


SOURCE = (
    "Incumbents (name, party, bioguide id) are real sitting members of Congress from the "
    "public-domain unitedstates/congress-legislators dataset (legislators-current.yaml); "
    "the races are real 2028 U.S. House and Senate (class 3) seats. All candidates, partner "
    "organizations and pledgers are fictional, and primary dates are estimates."
)


def die(msg):
    sys.exit("make-demo-data.py: " + msg)


def member_name(m):
    n = m["name"]
    if n.get("official_full"):
        return n["official_full"]
    parts = [n.get("first"), n.get("middle"), n.get("last")]
    name = " ".join(p for p in parts if p)
    if n.get("suffix"):
        name += ", " + n["suffix"]
    return name


def find_incumbent(legislators, office, state, district):
    """The sitting member whose *current* (last) term holds this seat."""
    hits = []
    for m in legislators:
        t = m["terms"][-1]
        if t.get("state") != state:
            continue
        if office == "us_house" and t["type"] == "rep" and t.get("district") == district:
            hits.append((m, t))
        elif office == "us_senate" and t["type"] == "sen" and t.get("class") == 3:
            hits.append((m, t))
    where = state + ("-%s" % district if district is not None else " Senate class 3")
    if not hits:
        die("no sitting member holds %s (vacant seat?)" % where)
    if len(hits) > 1:
        die("more than one current member holds %s" % where)
    return hits[0]


def load_2024_results(directory):
    path = os.path.join(directory, "election_results_2024.csv")
    if not os.path.exists(path):
        return None
    with open(path, newline="", encoding="utf-8") as f:
        return {row["Race"]: row for row in csv.DictReader(f)}


def main(argv):
    if len(argv) != 2:
        die("usage: make-demo-data.py PATH/TO/shared/data/congress > data/demo/slate.json")
    directory = argv[1]
    with open(os.path.join(directory, "legislators-current.yaml"), encoding="utf-8") as f:
        legislators = yaml.safe_load(f)
    results = load_2024_results(directory)
    for day in list(PRIMARY_DATES.values()) + [GENERAL_DATE]:
        if datetime.date.fromisoformat(day).weekday() != 1:
            die("election date %s is not a Tuesday" % day)

    real_names = {member_name(m).lower() for m in legislators}
    real_names |= {("%s %s" % (m["name"]["first"], m["name"]["last"])).lower() for m in legislators}

    candidates = []
    for c in CANDIDATES:
        if c["name"].lower() in real_names:
            die("fictional candidate %r shares a name with a member of Congress" % c["name"])
        if c["state"] not in PRIMARY_DATES:
            die("no estimated 2028 primary date for %s" % c["state"])
        m, t = find_incumbent(legislators, c["office"], c["state"], c["district"])
        if t["end"] > "2029-01-03":
            die("%s's current term does not end before the 2028 winner is seated" % member_name(m))
        bioguide = m["id"]["bioguide"]
        if results is not None:
            if c["office"] == "us_house":
                row = results.get("%s%02d" % (c["state"], c["district"]))
                if row and row["Bioguide ID"] not in (bioguide, "(not assigned)"):
                    print("note: %s-%s was won in 2024 by %s; sitting member is %s"
                          % (c["state"], c["district"], row["Name"], member_name(m)), file=sys.stderr)
            else:
                row = results.get(c["state"])
                if row and row["Bioguide ID"] == bioguide:
                    die("%s was elected in 2024 (class 1), not up in 2028" % member_name(m))
        candidates.append({
            "slug": c["slug"],
            "name": c["name"] + " (fictional)",
            "fictional": True,
            "bio": c["bio"],
            "office": c["office"],
            "state": c["state"],
            "district": None if c["district"] is None else str(c["district"]),
            "primary_date": PRIMARY_DATES[c["state"]],
            "general_date": GENERAL_DATE,
            "incumbent": {"name": member_name(m), "party": t["party"], "bioguide": bioguide},
            "committee": committee(len(candidates) + 1, c),
        })

    slugs = {c["slug"] for c in candidates}
    if len(slugs) != len(candidates):
        die("duplicate candidate slug")
    for s in SIGNATURES:
        if s not in slugs:
            die("unknown signer %s" % s)
    seen = set()
    for a, b in ENDORSEMENTS:
        if a not in slugs or b not in slugs or a == b or (a, b) in seen:
            die("bad endorsement %s -> %s" % (a, b))
        seen.add((a, b))
    p = PLEDGES
    if len(p["money_amounts_cents"]) != len(p["money_weights"]):
        die("money_amounts_cents and money_weights differ in length")
    if len(p["first_names"]) != 30 or len(p["last_names"]) != 30:
        die("want 30 first and 30 last names")

    out = {
        "source": SOURCE,
        "slate": SLATE,
        "compact": COMPACT,
        "candidates": candidates,
        "signatures": SIGNATURES,
        "endorsements": ENDORSEMENTS,
        "partners": PARTNERS,
        "conduit": CONDUIT,
        "pledges": PLEDGES,
    }
    sys.stdout.reconfigure(encoding="utf-8")
    json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv)
