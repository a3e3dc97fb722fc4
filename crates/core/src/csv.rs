//! CSV in one place (issue 19): every file Cohort writes goes through
//! [`write`], which neutralizes spreadsheet formulas and quotes per RFC 4180,
//! and every file it reads goes through [`read`], which remembers the line
//! each record starts on so a problem can name it.
//!
//! Formulas: a field starting with `=`, `+`, `-`, `@`, tab or carriage return
//! is what a spreadsheet may run as a formula (CSV injection), so it is
//! written with a leading `'` (the cell then shows as text). [`unneutralize`]
//! takes that `'` off again when reading, so an export round-trips through the
//! importer: `=cmd` is written `'=cmd` and read back `=cmd`. A field that
//! itself starts with `'` followed by a trigger (or another `'`) gets one more
//! `'`, so `'=x` is written `''=x` and read back `'=x`.

/// Characters a spreadsheet may read as the start of a formula.
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn starts_with_trigger(s: &str) -> bool {
    s.starts_with(TRIGGERS)
}

/// Whether `s` needs a `'` in front to be read back unchanged and unrun.
fn needs_guard(s: &str) -> bool {
    starts_with_trigger(s)
        || s.strip_prefix('\'')
            .is_some_and(|rest| starts_with_trigger(rest) || rest.starts_with('\''))
}

/// `s` as a spreadsheet shows it as text, not a formula.
pub fn neutralize(s: &str) -> String {
    if needs_guard(s) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// The inverse of [`neutralize`]: a `'` that guards a formula is dropped.
pub fn unneutralize(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if starts_with_trigger(rest) || rest.starts_with('\'') => rest,
        _ => s,
    }
}

/// One field, neutralized and quoted when it holds a comma, quote or line break.
pub fn field(s: &str) -> String {
    quote(&neutralize(s))
}

/// One field quoted when it holds a comma, quote or line break, and not
/// neutralized: only for values Cohort itself computed (an amount such as
/// `-25.00` in the books' ActBlue layout, which compliance software reads as
/// a number); anything a person typed goes through [`field`].
pub fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// A whole file: the header and the rows, CRLF line endings (RFC 4180).
pub fn write(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut out = header
        .iter()
        .map(|h| field(h))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    for row in rows {
        let line: Vec<String> = row.iter().map(|f| field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// One record read, with the (1-based) line it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

/// A file that is not CSV at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ReadError {
    pub line: usize,
    pub message: String,
}

/// Every record of `text` (RFC 4180: quoted fields may hold commas, doubled
/// quotes and line breaks; LF or CRLF line endings; a leading byte-order mark
/// is skipped). Fields are returned as written, quotes removed.
pub fn read(text: &str) -> Result<Vec<Record>, ReadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut line = 1usize;
    let mut start = 1usize;
    let mut in_quotes = false;
    let mut quoted_from = 0usize;
    let mut after_quote = false;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cur.push('"');
                }
                '"' => {
                    in_quotes = false;
                    after_quote = true;
                }
                '\n' => {
                    line += 1;
                    cur.push(c);
                }
                _ => cur.push(c),
            }
            continue;
        }
        match c {
            '"' if cur.is_empty() && !after_quote => {
                in_quotes = true;
                quoted_from = line;
            }
            ',' => {
                fields.push(std::mem::take(&mut cur));
                after_quote = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                fields.push(std::mem::take(&mut cur));
                records.push(Record {
                    line: start,
                    fields: std::mem::take(&mut fields),
                });
                after_quote = false;
                line += 1;
                start = line;
                any = false;
            }
            _ if after_quote => {
                return Err(ReadError {
                    line,
                    message: "text after a closing quote; double a quote inside a quoted field"
                        .into(),
                })
            }
            _ => cur.push(c),
        }
    }
    if in_quotes {
        return Err(ReadError {
            line: quoted_from,
            message: "a quoted field is never closed".into(),
        });
    }
    if any {
        fields.push(cur);
        records.push(Record {
            line: start,
            fields,
        });
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(field("\tx"), "'\tx");
        assert_eq!(field("\rx"), "\"'\rx\"");
        assert_eq!(field("@SUM"), "'@SUM");
        assert_eq!(field("'=x"), "''=x");
        assert_eq!(field("'Neil"), "'Neil");
    }

    #[test]
    fn neutralizing_round_trips() {
        for s in ["=1", "'=1", "''", "'", "''=", "O'Neil", "-", "'-5", "", "x"] {
            assert_eq!(unneutralize(&neutralize(s)), s, "{s:?}");
        }
    }

    #[test]
    fn records_remember_their_line() {
        let r = read("a,b\r\n\"x\ny\",2\n3,\"q\"\"\"\n").unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(r[1].line, 2);
        assert_eq!(r[1].fields, vec!["x\ny", "2"]);
        assert_eq!(r[2].line, 4);
        assert_eq!(r[2].fields, vec!["3", "q\""]);
    }

    #[test]
    fn an_unclosed_quote_names_its_line() {
        let e = read("a\n\"open\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(read("a\n\"x\"y\n").is_err());
    }

    #[test]
    fn written_files_read_back() {
        let rows = vec![vec!["=cmd".to_owned(), "a,\"b\"\r\nc".to_owned()]];
        let text = write(&["h1", "h2"], rows.clone().into_iter());
        let r = read(&text).unwrap();
        let back: Vec<String> = r[1]
            .fields
            .iter()
            .map(|f| unneutralize(f).to_owned())
            .collect();
        assert_eq!(back, rows[0]);
    }
}
