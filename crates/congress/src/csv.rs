//! A small RFC 4180 reader that remembers where every field starts, so a
//! bad value can be reported by file, line and column.

use crate::ParseError;

/// One parsed CSV file: its header and rows.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    file: String,
    header: Vec<String>,
    pub(crate) rows: Vec<Row>,
}

/// One record: the line it starts on and each field with its column.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) line: usize,
    fields: Vec<(usize, usize, String)>,
}

impl Row {
    pub(crate) fn get(&self, i: usize) -> &str {
        &self.fields[i].2
    }
}

impl Table {
    pub(crate) fn parse(file: &str, text: &str) -> Result<Table, ParseError> {
        let err = |line, column, message: String| ParseError {
            file: file.to_string(),
            line,
            column,
            message,
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut records: Vec<Row> = Vec::new();
        let mut chars = text.chars().peekable();
        let (mut line, mut col) = (1usize, 1usize);
        while chars.peek().is_some() {
            let start_line = line;
            let mut fields = Vec::new();
            loop {
                let (fl, fc) = (line, col);
                let mut value = String::new();
                if chars.peek() == Some(&'"') {
                    chars.next();
                    col += 1;
                    loop {
                        match chars.next() {
                            None => {
                                return Err(err(fl, fc, "a quoted field is never closed".into()))
                            }
                            Some('"') => {
                                col += 1;
                                if chars.peek() == Some(&'"') {
                                    chars.next();
                                    col += 1;
                                    value.push('"');
                                } else {
                                    break;
                                }
                            }
                            Some('\n') => {
                                line += 1;
                                col = 1;
                                value.push('\n');
                            }
                            Some(c) => {
                                col += 1;
                                value.push(c);
                            }
                        }
                    }
                    match chars.peek() {
                        None | Some(',') | Some('\n') | Some('\r') => {}
                        Some(_) => {
                            return Err(err(
                                line,
                                col,
                                "expected a comma after a closing quote".into(),
                            ))
                        }
                    }
                } else {
                    while let Some(&c) = chars.peek() {
                        if c == ',' || c == '\n' || c == '\r' {
                            break;
                        }
                        if c == '"' {
                            return Err(err(line, col, "a quote inside an unquoted field".into()));
                        }
                        value.push(c);
                        chars.next();
                        col += 1;
                    }
                }
                fields.push((fl, fc, value));
                match chars.next() {
                    Some(',') => col += 1,
                    Some('\r') => {
                        if chars.next_if_eq(&'\n').is_none() {
                            return Err(err(
                                line,
                                col,
                                "a carriage return without a line feed".into(),
                            ));
                        }
                        line += 1;
                        col = 1;
                        break;
                    }
                    Some('\n') => {
                        line += 1;
                        col = 1;
                        break;
                    }
                    None => break,
                    Some(_) => unreachable!("fields end at a comma, a line end or the end"),
                }
            }
            if fields.len() == 1 && fields[0].2.is_empty() {
                continue; // a blank line
            }
            records.push(Row {
                line: start_line,
                fields,
            });
        }
        let mut records = records.into_iter();
        let header: Vec<String> = match records.next() {
            Some(h) => h.fields.into_iter().map(|f| f.2).collect(),
            None => {
                return Err(err(
                    1,
                    1,
                    "the file is empty; expected a header line".into(),
                ))
            }
        };
        let mut rows = Vec::new();
        for r in records {
            if r.fields.len() != header.len() {
                let (l, c, _) = r
                    .fields
                    .last()
                    .cloned()
                    .unwrap_or((r.line, 1, String::new()));
                return Err(err(
                    l,
                    c,
                    format!("expected {} fields, found {}", header.len(), r.fields.len()),
                ));
            }
            rows.push(r);
        }
        Ok(Table {
            file: file.to_string(),
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
        let (line, column, _) = &row.fields[i];
        ParseError {
            file: self.file.clone(),
            line: *line,
            column: *column,
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
        assert_eq!(t.rows[1].line, 3);
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
    }
}
