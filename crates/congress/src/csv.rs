//! A small RFC 4180 reader that remembers where every field starts, so a
//! bad value can be reported by file, line and column. Unquoted fields are
//! borrowed from the text; columns are counted only when an error is made.

use std::borrow::Cow;

use crate::ParseError;

/// One parsed CSV file: its header and rows.
#[derive(Debug, Clone)]
pub(crate) struct Table<'a> {
    file: String,
    text: &'a str,
    header: Vec<Cow<'a, str>>,
    pub(crate) rows: Vec<Row<'a>>,
}

#[derive(Debug, Clone)]
struct Field<'a> {
    line: usize,
    /// Byte offsets of the line's start and the field's start.
    line_start: usize,
    start: usize,
    value: Cow<'a, str>,
}

/// One record: each field with where it starts.
#[derive(Debug, Clone)]
pub(crate) struct Row<'a> {
    fields: Vec<Field<'a>>,
}

impl Row<'_> {
    pub(crate) fn get(&self, i: usize) -> &str {
        &self.fields[i].value
    }
}

fn column(text: &str, line_start: usize, at: usize) -> usize {
    text[line_start..at].chars().count() + 1
}

impl<'a> Table<'a> {
    pub(crate) fn parse(file: &str, text: &'a str) -> Result<Table<'a>, ParseError> {
        let err = |line, line_start, at, message: String| ParseError {
            file: file.to_string(),
            line,
            column: column(text, line_start, at),
            message,
        };
        let b = text.as_bytes();
        let mut i = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let (mut line, mut line_start) = (1usize, i);
        let mut records: Vec<Row> = Vec::new();
        while i < b.len() {
            let mut fields = Vec::new();
            loop {
                let (fl, fls, fs) = (line, line_start, i);
                let value: Cow<'a, str> = if b.get(i) == Some(&b'"') {
                    i += 1;
                    let mut v = String::new();
                    let mut from = i;
                    loop {
                        match b.get(i) {
                            None => {
                                return Err(err(
                                    fl,
                                    fls,
                                    fs,
                                    "a quoted field is never closed".into(),
                                ))
                            }
                            Some(b'"') => {
                                v.push_str(&text[from..i]);
                                if b.get(i + 1) == Some(&b'"') {
                                    v.push('"');
                                    i += 2;
                                    from = i;
                                } else {
                                    i += 1;
                                    break;
                                }
                            }
                            Some(b'\n') => {
                                i += 1;
                                line += 1;
                                line_start = i;
                            }
                            Some(_) => i += 1,
                        }
                    }
                    if !matches!(b.get(i), None | Some(b',') | Some(b'\n') | Some(b'\r')) {
                        return Err(err(
                            line,
                            line_start,
                            i,
                            "expected a comma after a closing quote".into(),
                        ));
                    }
                    Cow::Owned(v)
                } else {
                    let s = i;
                    while let Some(&c) = b.get(i) {
                        if c == b',' || c == b'\n' || c == b'\r' {
                            break;
                        }
                        if c == b'"' {
                            return Err(err(
                                line,
                                line_start,
                                i,
                                "a quote inside an unquoted field".into(),
                            ));
                        }
                        i += 1;
                    }
                    Cow::Borrowed(&text[s..i])
                };
                fields.push(Field {
                    line: fl,
                    line_start: fls,
                    start: fs,
                    value,
                });
                match b.get(i) {
                    Some(b',') => i += 1,
                    Some(b'\r') => {
                        if b.get(i + 1) != Some(&b'\n') {
                            return Err(err(
                                line,
                                line_start,
                                i,
                                "a carriage return without a line feed".into(),
                            ));
                        }
                        i += 2;
                        line += 1;
                        line_start = i;
                        break;
                    }
                    Some(b'\n') => {
                        i += 1;
                        line += 1;
                        line_start = i;
                        break;
                    }
                    _ => break,
                }
            }
            if fields.len() == 1 && fields[0].value.is_empty() {
                continue; // a blank line
            }
            records.push(Row { fields });
        }
        let mut records = records.into_iter();
        let header: Vec<Cow<'a, str>> = match records.next() {
            Some(h) => h.fields.into_iter().map(|f| f.value).collect(),
            None => {
                return Err(err(
                    1,
                    0,
                    0,
                    "the file is empty; expected a header line".into(),
                ))
            }
        };
        let mut rows = Vec::new();
        for r in records {
            if r.fields.len() != header.len() {
                let f = r.fields.last().expect("a record has a field");
                return Err(err(
                    f.line,
                    f.line_start,
                    f.start,
                    format!("expected {} fields, found {}", header.len(), r.fields.len()),
                ));
            }
            rows.push(r);
        }
        Ok(Table {
            file: file.to_string(),
            text,
            header,
            rows,
        })
    }

    /// The index of a required column, or an error on the header line.
    pub(crate) fn column(&self, name: &str) -> Result<usize, ParseError> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| ParseError {
                file: self.file.clone(),
                line: 1,
                column: 1,
                message: format!("the header has no column {name:?}"),
            })
    }

    /// An error about field `i` of `row`.
    pub(crate) fn error(&self, row: &Row, i: usize, message: impl Into<String>) -> ParseError {
        let f = &row.fields[i];
        ParseError {
            file: self.file.clone(),
            line: f.line,
            column: column(self.text, f.line_start, f.start),
            message: message.into(),
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_and_positions() {
        let t = Table::parse("x.csv", "a,b\n1,\"two, \"\"2\"\"\"\n\"x\ny\",z\n").unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].get(1), "two, \"2\"");
        assert_eq!(t.rows[1].get(0), "x\ny");
        assert_eq!(t.rows[1].fields[0].line, 3);
        let e = t.error(&t.rows[1], 1, "bad");
        assert_eq!((e.line, e.column), (4, 4));
    }

    #[test]
    fn wrong_field_count_names_line_and_column() {
        let e = Table::parse("f.csv", "a,b\n1,2\n3,4,5\n").unwrap_err();
        assert_eq!(e.to_string(), "f.csv:3:5: expected 2 fields, found 3");
        let e = Table::parse("f.csv", "a,b\n1,\"2\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 3));
        let e = Table::parse("f.csv", "a,b\n1,x\"y\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 4));
        // Columns count characters, not bytes.
        let e = Table::parse("f.csv", "a,b\n\u{e9},x\"y\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 4));
    }
}
