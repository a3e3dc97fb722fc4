#!/usr/bin/env python3
"""Reads Cohort's ActBlue-style CSV back with Python's csv module.

Usage: csv_check.py EXPECTED.json   (written by tests/reports.rs)

Checks the header is ActBlue's column list in ActBlue's order, that every row
has every column (quoting held: commas, quotes and accents survive), rows end
in CRLF, and the listed cells hold the expected values. Exits 1 listing every
failure.
"""

import csv
import io
import json
import sys

FAILURES = []


def main():
    with open(sys.argv[1]) as f:
        expected = json.load(f)
    columns = expected["columns"]
    rows_read = 0
    for spec in expected["files"]:
        name = spec["path"].rsplit("/", 1)[-1]
        data = open(spec["path"], "rb").read()
        text = data.decode("utf-8")
        if not text.endswith("\r\n") or text.replace("\r\n", "").count("\n") != sum(
            v.count("\n") for row in spec["rows"] for v in row.values()
        ):
            FAILURES.append(f"{name}: rows must end in CRLF")
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = next(reader)
        if header != columns:
            FAILURES.append(f"{name}: header differs from ActBlue's columns: {header[:6]}...")
        rows = list(reader)
        rows_read += len(rows)
        if len(rows) != len(spec["rows"]):
            FAILURES.append(f"{name}: {len(rows)} rows, expected {len(spec['rows'])}")
        for i, (row, want) in enumerate(zip(rows, spec["rows"])):
            if len(row) != len(columns):
                FAILURES.append(f"{name} row {i + 1}: {len(row)} cells, expected {len(columns)}")
                continue
            cells = dict(zip(columns, row))  # "Reserved" repeats; all are empty
            for col, value in want.items():
                if cells.get(col) != value:
                    FAILURES.append(f"{name} row {i + 1} {col}: expected {value!r}, read {cells.get(col)!r}")
            reserved = [v for c, v in zip(columns, row) if c == "Reserved"]
            if any(reserved):
                FAILURES.append(f"{name} row {i + 1}: a Reserved column holds {reserved}")
    if FAILURES:
        print("\n".join(FAILURES))
        print(f"{len(FAILURES)} failures")
        sys.exit(1)
    print(f"{len(expected['files'])} CSV files, {rows_read} rows read back by Python's csv module")


if __name__ == "__main__":
    main()
