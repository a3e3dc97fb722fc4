//! The two migration folders (`store-sqlite/migrations`,
//! `store-postgres/migrations`) must build the same tables with the same
//! columns: the SQL in this crate runs unchanged on both. A simple reader of
//! `CREATE TABLE`, `ALTER TABLE … ADD/DROP COLUMN/RENAME` and `DROP TABLE`
//! replays each folder in order and the test compares what is left.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Schema = BTreeMap<String, BTreeSet<String>>;

/// Words and single punctuation marks, lowercased; comments dropped; string
/// literals and `$$ … $$` bodies kept as one token each.
fn tokens(sql: &str) -> Vec<String> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if sql[i..].starts_with("--") {
            i = sql[i..].find('\n').map_or(b.len(), |n| i + n);
        } else if sql[i..].starts_with("/*") {
            i = sql[i..].find("*/").map_or(b.len(), |n| i + n + 2);
        } else if sql[i..].starts_with("$$") {
            let end = sql[i + 2..].find("$$").map_or(b.len(), |n| i + 2 + n + 2);
            out.push(sql[i..end].to_owned());
            i = end;
        } else if c == b'\'' {
            let mut j = i + 1;
            while j < b.len() {
                if b[j] == b'\'' && b.get(j + 1) == Some(&b'\'') {
                    j += 2;
                } else if b[j] == b'\'' {
                    break;
                } else {
                    j += 1;
                }
            }
            out.push(sql[i..(j + 1).min(b.len())].to_owned());
            i = j + 1;
        } else if c.is_ascii_alphanumeric() || c == b'_' || c == b'"' {
            let mut j = i;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'"') {
                j += 1;
            }
            out.push(sql[i..j].trim_matches('"').to_ascii_lowercase());
            i = j;
        } else {
            if !c.is_ascii_whitespace() {
                out.push((c as char).to_string());
            }
            i += 1;
        }
    }
    out
}

/// Replays `sql` onto `schema`.
fn apply(schema: &mut Schema, sql: &str) {
    let t = tokens(sql);
    let at = |i: usize| t.get(i).map_or("", String::as_str);
    let mut i = 0;
    while i < t.len() {
        let mut j = i + 1;
        match at(i) {
            "create" => {
                let temp = matches!(at(j), "temp" | "temporary");
                if temp {
                    j += 1;
                }
                if at(j) != "table" {
                    i += 1;
                    continue;
                }
                j += 1;
                if at(j) == "if" {
                    j += 3;
                }
                let name = at(j).to_owned();
                j += 1;
                if at(j) != "(" {
                    i = j;
                    continue;
                }
                let (columns, end) = columns(&t, j);
                if !temp {
                    schema.insert(name, columns);
                }
                i = end;
                continue;
            }
            "drop" if at(j) == "table" => {
                j += 1;
                if at(j) == "if" {
                    j += 2;
                }
                schema.remove(at(j));
                i = j + 1;
                continue;
            }
            "alter" if at(j) == "table" => {
                j += 1;
                if at(j) == "if" {
                    j += 2;
                }
                if at(j) == "only" {
                    j += 1;
                }
                let table = at(j).to_owned();
                j += 1;
                match (at(j), at(j + 1)) {
                    ("add", "constraint") | ("drop", "constraint") => {}
                    ("add", _) => {
                        j += 1;
                        if at(j) == "column" {
                            j += 1;
                        }
                        if at(j) == "if" {
                            j += 3;
                        }
                        schema.entry(table).or_default().insert(at(j).to_owned());
                    }
                    ("drop", "column") => {
                        j += 2;
                        if at(j) == "if" {
                            j += 2;
                        }
                        schema.entry(table).or_default().remove(at(j));
                    }
                    ("rename", "to") => {
                        let columns = schema.remove(&table).unwrap_or_default();
                        schema.insert(at(j + 2).to_owned(), columns);
                    }
                    ("rename", "column") => {
                        let set = schema.entry(table).or_default();
                        set.remove(at(j + 2));
                        set.insert(at(j + 4).to_owned());
                    }
                    _ => {}
                }
                i = j + 1;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
}

/// The column names of the definition list opening at `t[open]` (`(`), and
/// the index after its closing `)`.
fn columns(t: &[String], open: usize) -> (BTreeSet<String>, usize) {
    const CONSTRAINTS: [&str; 6] = [
        "primary",
        "unique",
        "foreign",
        "check",
        "constraint",
        "exclude",
    ];
    let mut out = BTreeSet::new();
    let mut depth = 0;
    let mut first = true;
    for (i, tok) in t.iter().enumerate().skip(open) {
        match tok.as_str() {
            "(" => {
                depth += 1;
                continue;
            }
            ")" => {
                depth -= 1;
                if depth == 0 {
                    return (out, i + 1);
                }
                continue;
            }
            "," if depth == 1 => {
                first = true;
                continue;
            }
            _ => {}
        }
        if depth == 1 && first {
            first = false;
            if !CONSTRAINTS.contains(&tok.as_str()) {
                out.insert(tok.clone());
            }
        }
    }
    (out, t.len())
}

fn folder(dir: &Path) -> Schema {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    let mut schema = Schema::new();
    for f in files {
        apply(
            &mut schema,
            &std::fs::read_to_string(&f).expect("migration"),
        );
    }
    schema
}

/// Every way the two schemas differ, one line each.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let tables: BTreeSet<&String> = sqlite.keys().chain(postgres.keys()).collect();
    for table in tables {
        match (sqlite.get(table), postgres.get(table)) {
            (Some(_), None) => out.push(format!("table {table} only in store-sqlite")),
            (None, Some(_)) => out.push(format!("table {table} only in store-postgres")),
            (Some(a), Some(b)) => {
                for c in a.difference(b) {
                    out.push(format!("column {table}.{c} only in store-sqlite"));
                }
                for c in b.difference(a) {
                    out.push(format!("column {table}.{c} only in store-postgres"));
                }
            }
            (None, None) => {}
        }
    }
    out
}

#[test]
fn both_migration_folders_define_the_same_tables_and_columns() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let sqlite = folder(&crates.join("store-sqlite/migrations"));
    let postgres = folder(&crates.join("store-postgres/migrations"));
    // The reader must have read something real, or the test proves nothing.
    assert!(sqlite
        .get("pledges")
        .is_some_and(|c| c.contains("stopped_at")));
    assert!(sqlite.len() > 30, "only {} tables read", sqlite.len());
    let diff = differences(&sqlite, &postgres);
    assert!(
        diff.is_empty(),
        "the migration folders differ:\n{}",
        diff.join("\n")
    );
}

#[test]
fn the_reader_names_the_table_and_column_that_differ() {
    let mut a = Schema::new();
    let mut b = Schema::new();
    apply(
        &mut a,
        "-- a comment; CREATE TABLE nope (x INT);\n\
         CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT 'a,b', \
         n INT CHECK (n IN (1, 2)), PRIMARY KEY (id), UNIQUE (name));\n\
         CREATE TEMP TABLE guard (x INT); DROP TABLE guard;\n\
         CREATE TABLE old (v INT); ALTER TABLE old RENAME TO gone; DROP TABLE gone;\n\
         ALTER TABLE t ADD COLUMN extra TEXT; ALTER TABLE t ADD CONSTRAINT c CHECK (n > 0);",
    );
    apply(
        &mut b,
        "CREATE TABLE IF NOT EXISTS t (id BIGSERIAL PRIMARY KEY, name TEXT, n INT, other INT);\n\
         ALTER TABLE t DROP COLUMN other; ALTER TABLE t ADD COLUMN IF NOT EXISTS later INT;\n\
         CREATE TABLE u (x INT);",
    );
    assert_eq!(
        a["t"].iter().map(String::as_str).collect::<Vec<_>>(),
        ["extra", "id", "n", "name"]
    );
    assert_eq!(
        differences(&a, &b),
        [
            "column t.extra only in store-sqlite",
            "column t.later only in store-postgres",
            "table u only in store-postgres",
        ]
    );
}
