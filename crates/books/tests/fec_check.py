#!/usr/bin/env python3
"""Checks Cohort's .fec files with parsers and validators Cohort did not write.

Usage: fec_check.py EXPECTED.json   (written by tests/reports.rs)

For every file listed in EXPECTED.json:
  * splits it by hand (ASCII 28 between fields, a newline after each record)
    and checks each record has its form's number of fields;
  * maps each field to the FEC schema property at its position (the schemas'
    own fec_spec.COL_SEQ) and validates the header and summary against HDR.json
    and F3X.json / F3.json, and each itemization against the schema of its
    transaction type (CONDUIT_EARMARKS, EARMARK_MEMO, ...);
  * parses the file with `fecfile` and with `fastfec`, and compares what each
    parser read with the expected values (amounts, names, memo codes, totals);
  * checks the summary's arithmetic and that its totals equal the sums of the
    itemizations, from the parsed values.

Exits 1 listing every failure, 2 if a module is missing.
"""

import datetime
import io
import json
import os
import re
import sys

try:
    import fecfile
    import jsonschema
    from fastfec import FastFEC
    from fecfile import fecparser
except ModuleNotFoundError as e:  # the Rust test turns this into "run ./scripts/test"
    sys.stderr.write(f"ModuleNotFoundError: {e}\n")
    sys.exit(2)

FS = "\x1c"
FAILURES = []

# The transaction type each schema validates, as Cohort uses it: money the
# conduit deposits, so the "deposited" variants.
TRANSACTION_TYPE = {
    "CONDUIT_EARMARKS": "CONDUIT_EARMARK_RECEIPT_DEPOSITED",
    "CONDUIT_EARMARK_OUTS": "CONDUIT_EARMARK_OUT_DEPOSITED",
    "INDIVIDUAL_REFUNDS": "REFUND_INDIVIDUAL_CONTRIBUTION",
    "EARMARK_RECEIPT": "EARMARK_RECEIPT",
    "EARMARK_MEMO": "EARMARK_MEMO",
}


def fail(where, msg):
    FAILURES.append(f"{where}: {msg}")


def load(schema_dir, name):
    with open(os.path.join(schema_dir, name + ".json")) as f:
        return json.load(f)


def columns(schema):
    """Property names in .fec column order, from fec_spec.COL_SEQ."""
    cols = sorted(
        (p["fec_spec"]["COL_SEQ"], name)
        for name, p in schema["properties"].items()
        if isinstance(p.get("fec_spec", {}).get("COL_SEQ"), int)
    )
    assert [c for c, _ in cols] == list(range(1, len(cols) + 1)), schema.get("$id")
    return [name for _, name in cols]


def types_of(prop):
    t = prop.get("type", [])
    return t if isinstance(t, list) else [t]


def is_date(prop):
    return "[0-9]{4}-[0-9]{2}-[0-9]{2}" in prop.get("pattern", "")


def schema_record(fields, cols, schema):
    """The JSON object a schema validates, from a record's raw fields."""
    obj = {}
    for name, raw in zip(cols, fields):
        prop = schema["properties"].get(name, {})
        types = types_of(prop)
        if "boolean" in types and set(types) <= {"boolean", "null"}:
            obj[name] = raw == "X"  # .fec: X or blank
            continue
        if raw == "":
            continue
        if "number" in types:
            obj[name] = float(raw)
        elif is_date(prop) and re.fullmatch(r"\d{8}", raw):
            obj[name] = f"{raw[:4]}-{raw[4:6]}-{raw[6:]}"
        else:
            obj[name] = raw
    return obj


def validate(where, obj, schema):
    v = jsonschema.Draft7Validator(schema)
    for err in sorted(v.iter_errors(obj), key=lambda e: list(e.path)):
        fail(where, f"schema {schema.get('$id', '?').rsplit('/', 1)[-1]}: {'/'.join(map(str, err.path)) or '(record)'}: {err.message}")


def norm(v):
    if v is None or v == "":
        return None
    if isinstance(v, datetime.datetime):
        return v.date().isoformat()
    if isinstance(v, datetime.date):
        return v.isoformat()
    return v


def same(expected, got):
    got = norm(got)
    if isinstance(expected, str) and isinstance(got, float) and got.is_integer():
        got = str(int(got))  # the parsers read F3X's "year" column as a number
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        try:
            return got is not None and abs(float(got) - expected) < 0.005
        except (TypeError, ValueError):
            return False
    if isinstance(expected, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", expected) and isinstance(got, str):
        got = f"{got[:4]}-{got[4:6]}-{got[6:]}" if re.fullmatch(r"\d{8}", got) else got
    return expected == got


def compare(where, expected, by_schema_name):
    """by_schema_name: schema property name -> value as one reader read it."""
    for key, want in expected.items():
        if key in ("form_type_schema", "schema", "back_ref"):
            continue
        if key not in by_schema_name:
            fail(where, f"{key}: not read at all")
        elif not same(want, by_schema_name[key]):
            fail(where, f"{key}: expected {want!r}, read {by_schema_name[key]!r}")


def parser_view(parsed, mapping, cols, raw_fields, where):
    """What a parser read, keyed by schema property name. The parsers name
    fields by their own mapping; a field is looked up by the parser's name at
    its column. A name the mapping repeats (F3X's two 'total receipts' lines)
    is only trusted if the file gives every repeat the same value."""
    out = {}
    for i, col in enumerate(cols):
        if i >= len(mapping):
            break
        pname = mapping[i]
        repeats = [j for j, n in enumerate(mapping) if n == pname]
        if len(repeats) > 1 and len({raw_fields[j] if j < len(raw_fields) else "" for j in repeats}) > 1:
            continue
        if pname in parsed:
            out[col] = parsed[pname]
    return out


def fastfec_parse(raw):
    records = []
    with FastFEC() as ff:
        for form, line in ff.parse(io.BytesIO(raw)):
            records.append((form, line))
    return records


def check_file(spec, schema_dir):
    path, role = spec["path"], spec["role"]
    name = os.path.basename(path)
    raw = open(path, "rb").read()
    text = raw.decode("ascii")  # fails loudly on anything but ASCII
    if not text.endswith("\n"):
        fail(name, "the last record is not terminated by a newline")
    if "\r" in text:
        fail(name, "carriage return inside the file")
    lines = [l.split(FS) for l in text.rstrip("\n").split("\n")]

    hdr_schema = load(schema_dir, "HDR")
    summary_schema = load(schema_dir, "F3X" if role == "conduit" else "F3")
    sch = {"SA": load(schema_dir, "SchA"), "SB": load(schema_dir, "SchB")}
    cols = {"HDR": columns(hdr_schema), "summary": columns(summary_schema), "SA": columns(sch["SA"]), "SB": columns(sch["SB"])}

    # 1. By hand, and against the FEC's schemas.
    hdr, summary, items = lines[0], lines[1], lines[2:]
    if len(hdr) != len(cols["HDR"]):
        fail(name, f"HDR has {len(hdr)} fields, the format has {len(cols['HDR'])}")
    validate(f"{name} HDR", schema_record(hdr, cols["HDR"], hdr_schema), hdr_schema)
    if hdr[:3] != ["HDR", "FEC", "8.4"]:
        fail(name, f"header starts {hdr[:3]}, not HDR FEC 8.4")
    if len(summary) != len(cols["summary"]):
        fail(name, f"{summary[0]} has {len(summary)} fields, the format has {len(cols['summary'])}")
    summary_obj = schema_record(summary, cols["summary"], summary_schema)
    validate(f"{name} {summary[0]}", summary_obj, summary_schema)
    compare(f"{name} {summary[0]} (as written)", spec["summary"], summary_obj)

    if len(items) != len(spec["lines"]):
        fail(name, f"{len(items)} itemizations, expected {len(spec['lines'])}")
    tids = []
    item_objs = []
    for i, (fields, want) in enumerate(zip(items, spec["lines"])):
        where = f"{name} line {i + 3} {fields[0]}"
        kind = fields[0][:2]
        if fields[0] != want["form_type"]:
            fail(where, f"form type {fields[0]}, expected {want['form_type']}")
        if len(fields) != len(cols[kind]):
            fail(where, f"{len(fields)} fields, the format has {len(cols[kind])}")
        obj = schema_record(fields, cols[kind], sch[kind])
        item_objs.append(obj)
        tids.append(obj.get("transaction_id"))
        typed = dict(obj, transaction_type_identifier=TRANSACTION_TYPE[want["schema"]])
        specific = load(schema_dir, want["schema"])
        if "aggregation_group" in specific["properties"]:
            typed["aggregation_group"] = "GENERAL"
        validate(where, typed, specific)
        raw_view = {c: (f or None) for c, f in zip(cols[kind], fields)}
        compare(f"{where} (as written)", want, raw_view)
    if len(set(tids)) != len(tids):
        fail(name, f"transaction ids repeat: {tids}")
    for i, want in enumerate(spec["lines"]):
        if "back_ref" in want and i < len(item_objs):
            parent = item_objs[want["back_ref"]]
            got = item_objs[i].get("back_reference_tran_id_number")
            if got != parent.get("transaction_id"):
                fail(f"{name} line {i + 3}", f"back reference {got!r} is not line {want['back_ref'] + 3}'s id {parent.get('transaction_id')!r}")
            if item_objs[i].get("back_reference_sched_name") != parent.get("form_type"):
                fail(f"{name} line {i + 3}", "back reference schedule does not name the parent's form")

    # 2. fecfile.
    version = "8.4"
    mapping = {form: fecparser.getMapping(fecparser.mappings, form, version) for form in {l[0] for l in lines[1:]}}
    parsed = fecfile.loads(text)
    if parsed["header"].get("fec_version") != "8.4":
        fail(f"{name} fecfile", f"header version {parsed['header'].get('fec_version')!r}")
    if parsed["filing"].get("form_type") != summary[0]:
        fail(f"{name} fecfile", f"form type {parsed['filing'].get('form_type')!r}")
    compare(f"{name} fecfile {summary[0]}", spec["summary"], parser_view(parsed["filing"], mapping[summary[0]], cols["summary"], summary, name))
    fecfile_items = parsed["itemizations"].get("Schedule A", []) + parsed["itemizations"].get("Schedule B", [])
    # fecfile groups by schedule; put them back in file order by transaction id.
    order = {tid: i for i, tid in enumerate(tids)}
    fecfile_items.sort(key=lambda r: order.get(r.get("transaction_id") or r.get("transaction_id_number"), 1e9))
    if len(fecfile_items) != len(items):
        fail(f"{name} fecfile", f"read {len(fecfile_items)} itemizations, the file has {len(items)}")
    for i, (rec, want, fields) in enumerate(zip(fecfile_items, spec["lines"], items)):
        kind = fields[0][:2]
        compare(f"{name} fecfile line {i + 3}", want, parser_view(rec, mapping[fields[0]], cols[kind], fields, name))

    # 3. fastfec.
    ff = fastfec_parse(raw)
    if not ff or ff[0][0] != "header" or ff[0][1].get("fec_version") != "8.4":
        fail(f"{name} fastfec", f"first record {ff[:1]!r} is not an 8.4 header")
    ff_records = ff[1:]
    if len(ff_records) != len(lines) - 1:
        fail(f"{name} fastfec", f"read {len(ff_records)} records, the file has {len(lines) - 1}")
    if ff_records:
        form, rec = ff_records[0]
        if form != summary[0]:
            fail(f"{name} fastfec", f"summary form {form!r}")
        compare(f"{name} fastfec {form}", spec["summary"], parser_view(rec, mapping[summary[0]], cols["summary"], summary, name))
    for i, ((form, rec), want, fields) in enumerate(zip(ff_records[1:], spec["lines"], items)):
        if form != fields[0]:
            fail(f"{name} fastfec line {i + 3}", f"form {form!r}")
        kind = fields[0][:2]
        compare(f"{name} fastfec line {i + 3}", want, parser_view(rec, mapping[fields[0]], cols[kind], fields, name))

    # 4. The summary adds up, and agrees with its schedules (parsed values).
    s = summary_obj
    def total(form, field, memo=False):
        return round(sum(o.get(field, 0.0) for o in item_objs if o["form_type"] == form and o.get("memo_code", False) == memo), 2)
    def eq(label, a, b):
        if abs(a - b) > 0.005:
            fail(f"{name} summary", f"{label}: {a} != {b}")
    if role == "conduit":
        for col in ("period", "ytd"):
            begin = s["L6b_cash_on_hand_beginning_period"] if col == "period" else s["L6a_cash_on_hand_jan_1_ytd"]
            close = s["L8_cash_on_hand_at_close_period"] if col == "period" else s["L8_cash_on_hand_close_ytd"]
            eq(f"6d = 6b + 6c ({col})", s[f"L6d_subtotal_{col}"], begin + s[f"L6c_total_receipts_{col}"])
            eq(f"8 = 6d - 7 ({col})", close, s[f"L6d_subtotal_{col}"] - s[f"L7_total_disbursements_{col}"])
            eq(f"7 = 31 ({col})", s[f"L7_total_disbursements_{col}"], s[f"L31_total_disbursements_{col}"])
            eq(f"35 = 33 - 34 ({col})", s[f"L35_net_contributions_{col}"], s[f"L33_total_contributions_{col}"] - s[f"L34_total_contribution_refunds_{col}"])
        eq("11(a)(i) = itemized SA11AI", s["L11ai_itemized_period"], total("SA11AI", "contribution_amount"))
        eq("23 = itemized SB23", s["L23_contributions_to_federal_candidates_cmtes_period"], total("SB23", "expenditure_amount"))
        eq("28(a) = itemized SB28A", s["L28a_individuals_persons_period"], total("SB28A", "expenditure_amount"))
    else:
        eq("11(a)(i) = itemized SA11AI (not memo)", s["L11ai_individuals_itemized_period"], total("SA11AI", "contribution_amount"))
        eq("memo lines repeat their receipts", total("SA11AI", "contribution_amount", memo=True), total("SA11AI", "contribution_amount"))
        eq("27 = 23 + 24 - 26", s["L27_cash_on_hand_at_close_period"],
           s["L23_cash_on_hand_beginning_reporting_period"] + s["L24_total_receipts_period"] - s["L26_total_disbursements_period"])
    return len(lines)


def main():
    with open(sys.argv[1]) as f:
        expected = json.load(f)
    counted = 0
    for spec in expected["files"]:
        counted += check_file(spec, expected["schema_dir"])
    if FAILURES:
        print("\n".join(FAILURES))
        print(f"{len(FAILURES)} failures")
        sys.exit(1)
    print(f"{len(expected['files'])} .fec files, {counted} records: fecfile, fastfec and the FEC schemas agree")


if __name__ == "__main__":
    main()
