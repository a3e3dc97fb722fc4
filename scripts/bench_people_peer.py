"""The independent peer of `cohort bench-people` (issue 19): the same CSV
file read with Python's csv module and written with the sqlite3 module's
executemany into a people table keyed by email, in one transaction, with
SQLite's own upsert (new rows inserted, known ones merged). No checks beyond
"has an @". Prints the seconds it took, and nothing else, on stdout.

usage: python3 scripts/bench_people_peer.py FILE.csv DB.sqlite
"""
import csv
import sqlite3
import sys
import time


def main(path, db):
    t = time.perf_counter()
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute(
        "CREATE TABLE IF NOT EXISTS people (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, "
        "given_name TEXT, family_name TEXT, address TEXT, city TEXT, state TEXT, zip TEXT, phone TEXT)"
    )
    with open(path, newline="", encoding="utf-8") as f:
        rows = [
            (
                r.get("email", ""),
                r.get("first_name", ""),
                r.get("last_name", ""),
                r.get("can2_user_address", ""),
                r.get("can2_user_city", ""),
                r.get("can2_state_abbreviated", ""),
                r.get("zip_code", ""),
                r.get("can2_phone", ""),
            )
            for r in csv.DictReader(f)
            if "@" in r.get("email", "")
        ]
    with con:
        con.executemany(
            "INSERT INTO people (email, given_name, family_name, address, city, state, zip, phone) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO UPDATE SET "
            "given_name = excluded.given_name, family_name = excluded.family_name, "
            "address = excluded.address, city = excluded.city, state = excluded.state, "
            "zip = excluded.zip, phone = excluded.phone",
            rows,
        )
    con.close()
    print(f"{time.perf_counter() - t:.3f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
