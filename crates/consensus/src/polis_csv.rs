//! The Pol.is open-data export (github.com/compdemocracy/openData):
//! `comments.csv`, `participants-votes.csv` and, where present, `votes.csv`.
//! Pure functions over `&str`; errors name the file, line and column.
//!
//! Signs are the export's: agree = 1, disagree = -1, pass = 0. In
//! `comments.csv`, `moderated` is 1 (accepted), 0 (not yet) or -1 (removed).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::matrix::{VoteMatrix, VoteRecord};

/// A parse error: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for CsvError {}

/// One field with where it started (1-based line and column, in
/// characters). Borrowed from the file unless quoting had to be undone.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Field<'a> {
    text: Cow<'a, str>,
    line: usize,
    column: usize,
}

/// RFC 4180 records, one at a time: quoted fields may hold commas, doubled
/// quotes and line breaks; `\r\n`, `\n` and `\r` end a record; a leading BOM
/// is skipped; empty lines are skipped. Scans bytes (every delimiter is
/// ASCII, so slices fall on character boundaries) and allocates only for
/// fields with doubled quotes.
#[derive(Clone)]
struct Records<'a> {
    file: &'a str,
    text: &'a str,
    at: usize,
    line: usize,
    column: usize,
}

impl<'a> Records<'a> {
    fn new(file: &'a str, text: &'a str) -> Records<'a> {
        Records {
            file,
            text: text.strip_prefix('\u{feff}').unwrap_or(text),
            at: 0,
            line: 1,
            column: 1,
        }
    }

    fn error(&self, line: usize, column: usize, message: String) -> CsvError {
        CsvError {
            file: self.file.into(),
            line,
            column,
            message,
        }
    }

    /// The next record, `None` at the end.
    fn next_record(&mut self) -> Option<Result<Vec<Field<'a>>, CsvError>> {
        let b = self.text.as_bytes();
        let n = b.len();
        let mut record: Vec<Field<'a>> = Vec::new();
        loop {
            if self.at >= n && record.is_empty() {
                return None;
            }
            let (start_line, start_col) = (self.line, self.column);
            let value: Cow<'a, str> = if b.get(self.at) == Some(&b'"') {
                self.at += 1;
                self.column += 1;
                let mut owned: Option<String> = None;
                let mut seg = self.at;
                loop {
                    let Some(&c) = b.get(self.at) else {
                        return Some(Err(self.error(
                            start_line,
                            start_col,
                            "a quoted field is never closed".into(),
                        )));
                    };
                    match c {
                        b'"' if b.get(self.at + 1) == Some(&b'"') => {
                            owned
                                .get_or_insert_with(String::new)
                                .push_str(&self.text[seg..=self.at]);
                            self.at += 2;
                            self.column += 2;
                            seg = self.at;
                        }
                        b'"' => {
                            let tail = &self.text[seg..self.at];
                            self.at += 1;
                            self.column += 1;
                            break match owned {
                                Some(mut s) => {
                                    s.push_str(tail);
                                    Cow::Owned(s)
                                }
                                None => Cow::Borrowed(tail),
                            };
                        }
                        b'\n' => {
                            self.line += 1;
                            self.column = 1;
                            self.at += 1;
                        }
                        _ => {
                            // Count characters, not UTF-8 continuation bytes.
                            if c & 0xC0 != 0x80 {
                                self.column += 1;
                            }
                            self.at += 1;
                        }
                    }
                }
            } else {
                let s = self.at;
                while self.at < n && !matches!(b[self.at], b',' | b'\n' | b'\r') {
                    self.at += 1;
                }
                let v = &self.text[s..self.at];
                self.column += v.chars().count();
                Cow::Borrowed(v)
            };
            let next = b.get(self.at).copied();
            match next {
                None | Some(b',') | Some(b'\n') | Some(b'\r') => {}
                Some(_) => {
                    let c = self.text[self.at..].chars().next().unwrap_or('?');
                    return Some(Err(self.error(
                        self.line,
                        self.column,
                        format!("unexpected {c:?} after a closing quote"),
                    )));
                }
            }
            let field = Field {
                text: value,
                line: start_line,
                column: start_col,
            };
            self.at += 1;
            self.column += 1;
            if next == Some(b',') {
                record.push(field);
                continue;
            }
            // End of the record (a line break or the end of the text).
            if next == Some(b'\r') && b.get(self.at) == Some(&b'\n') {
                self.at += 1;
            }
            self.line += 1;
            self.column = 1;
            if !(record.is_empty() && field.text.is_empty()) {
                record.push(field);
                return Some(Ok(record));
            }
            // An empty line: skip it.
        }
    }
}

/// Every record of `text` (for tests and small files).
#[cfg(test)]
fn records<'a>(file: &'a str, text: &'a str) -> Result<Vec<Vec<Field<'a>>>, CsvError> {
    let mut r = Records::new(file, text);
    std::iter::from_fn(|| r.next_record()).collect()
}

/// A file's header, and its rows read one at a time ([`Table::rows`]).
struct Table<'a> {
    file: String,
    header: Vec<Field<'a>>,
    after_header: Records<'a>,
}

impl<'a> Table<'a> {
    fn parse(file: &'a str, text: &'a str) -> Result<Table<'a>, CsvError> {
        let mut recs = Records::new(file, text);
        let header = recs.next_record().transpose()?.ok_or_else(|| CsvError {
            file: file.into(),
            line: 1,
            column: 1,
            message: "the file is empty; expected a header row".into(),
        })?;
        Ok(Table {
            file: file.into(),
            header,
            after_header: recs,
        })
    }

    /// The rows after the header, each checked to have the header's width.
    fn rows(&self) -> impl Iterator<Item = Result<Vec<Field<'a>>, CsvError>> + '_ {
        let mut recs = self.after_header.clone();
        std::iter::from_fn(move || recs.next_record()).map(|row| {
            let row = row?;
            if row.len() != self.header.len() {
                return Err(CsvError {
                    file: self.file.clone(),
                    line: row[0].line,
                    column: row.last().map_or(1, |f| f.column),
                    message: format!(
                        "this row has {} fields but the header has {}",
                        row.len(),
                        self.header.len()
                    ),
                });
            }
            Ok(row)
        })
    }

    fn column(&self, name: &str) -> Result<usize, CsvError> {
        self.header
            .iter()
            .position(|h| h.text.trim() == name)
            .ok_or_else(|| CsvError {
                file: self.file.clone(),
                line: 1,
                column: 1,
                message: format!("the header has no {name:?} column"),
            })
    }

    fn optional_column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h.text.trim() == name)
    }

    fn int<T: std::str::FromStr>(&self, row: &[Field], col: usize) -> Result<T, CsvError> {
        let f = &row[col];
        f.text.trim().parse().map_err(|_| CsvError {
            file: self.file.clone(),
            line: f.line,
            column: f.column,
            message: format!(
                "expected an integer in {:?}, found {:?}",
                self.header[col].text, f.text
            ),
        })
    }

    fn optional_int<T: std::str::FromStr>(
        &self,
        row: &[Field],
        col: usize,
    ) -> Result<Option<T>, CsvError> {
        if row[col].text.trim().is_empty() {
            Ok(None)
        } else {
            self.int(row, col).map(Some)
        }
    }

    fn vote(&self, row: &[Field], col: usize) -> Result<Option<i8>, CsvError> {
        let f = &row[col];
        match f.text.trim() {
            "" => Ok(None),
            "1" | "1.0" => Ok(Some(1)),
            "-1" | "-1.0" => Ok(Some(-1)),
            "0" | "0.0" => Ok(Some(0)),
            other => Err(CsvError {
                file: self.file.clone(),
                line: f.line,
                column: f.column,
                message: format!(
                    "expected a vote (1, -1, 0 or empty) in {:?}, found {other:?}",
                    self.header[col].text
                ),
            }),
        }
    }
}

/// A row of `comments.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: u64,
    pub author: Option<u64>,
    pub timestamp: Option<i64>,
    pub datetime: String,
    pub agrees: u32,
    pub disagrees: u32,
    /// 1 accepted, 0 unmoderated, -1 moderated out.
    pub moderated: i8,
    pub body: String,
}

pub fn parse_comments(text: &str) -> Result<Vec<Comment>, CsvError> {
    let t = Table::parse("comments.csv", text)?;
    let id = t.column("comment-id")?;
    let moderated = t.column("moderated")?;
    let body = t.column("comment-body")?;
    let [author, timestamp, datetime, agrees, disagrees] =
        ["author-id", "timestamp", "datetime", "agrees", "disagrees"].map(|n| t.optional_column(n));
    t.rows()
        .map(|row| {
            let row = &row?;
            let moderated: i8 = t.int(row, moderated)?;
            Ok(Comment {
                id: t.int(row, id)?,
                author: author
                    .map(|c| t.optional_int(row, c))
                    .transpose()?
                    .flatten(),
                timestamp: timestamp
                    .map(|c| t.optional_int(row, c))
                    .transpose()?
                    .flatten(),
                datetime: datetime.map_or(String::new(), |c| row[c].text.to_string()),
                agrees: agrees
                    .map(|c| t.optional_int(row, c))
                    .transpose()?
                    .flatten()
                    .unwrap_or(0),
                disagrees: disagrees
                    .map(|c| t.optional_int(row, c))
                    .transpose()?
                    .flatten()
                    .unwrap_or(0),
                moderated: moderated.signum(),
                body: row[body].text.to_string(),
            })
        })
        .collect()
}

/// Statement ids moderated out (`moderated = -1`).
pub fn moderated_out(comments: &[Comment]) -> Vec<u64> {
    comments
        .iter()
        .filter(|c| c.moderated < 0)
        .map(|c| c.id)
        .collect()
}

/// A row of `participants-votes.csv`: the final vote matrix, with the group
/// Pol.is assigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantRow {
    pub participant: u64,
    pub xid: Option<String>,
    pub group: Option<u64>,
    /// (statement, vote) for every non-empty cell.
    pub votes: Vec<(u64, i8)>,
}

pub fn parse_participants_votes(text: &str) -> Result<Vec<ParticipantRow>, CsvError> {
    let t = Table::parse("participants-votes.csv", text)?;
    let participant = t.column("participant")?;
    let group = t.column("group-id")?;
    let xid = t.optional_column("xid");
    let fixed: BTreeSet<&str> = [
        "participant",
        "xid",
        "group-id",
        "n-comments",
        "n-votes",
        "n-agree",
        "n-disagree",
    ]
    .into();
    let mut statements = Vec::new();
    for (c, h) in t.header.iter().enumerate() {
        if fixed.contains(h.text.trim()) {
            continue;
        }
        let id: u64 = h.text.trim().parse().map_err(|_| CsvError {
            file: t.file.clone(),
            line: h.line,
            column: h.column,
            message: format!(
                "expected a statement id (an integer) as column name, found {:?}",
                h.text
            ),
        })?;
        statements.push((c, id));
    }
    t.rows()
        .map(|row| {
            let row = &row?;
            let mut votes = Vec::new();
            for &(c, id) in &statements {
                if let Some(v) = t.vote(row, c)? {
                    votes.push((id, v));
                }
            }
            Ok(ParticipantRow {
                participant: t.int(row, participant)?,
                xid: xid
                    .map(|c| row[c].text.to_string())
                    .filter(|x| !x.is_empty()),
                group: t.optional_int(row, group)?,
                votes,
            })
        })
        .collect()
}

/// `votes.csv`: every vote cast, in any order, with its timestamp.
pub fn parse_votes(text: &str) -> Result<Vec<VoteRecord>, CsvError> {
    let t = Table::parse("votes.csv", text)?;
    let [timestamp, statement, voter, vote] =
        ["timestamp", "comment-id", "voter-id", "vote"].map(|n| t.column(n));
    let (timestamp, statement, voter, vote) = (timestamp?, statement?, voter?, vote?);
    t.rows()
        .map(|row| {
            let row = &row?;
            Ok(VoteRecord {
                participant: t.int(row, voter)?,
                statement: t.int(row, statement)?,
                vote: t.vote(row, vote)?.ok_or_else(|| CsvError {
                    file: t.file.clone(),
                    line: row[vote].line,
                    column: row[vote].column,
                    message: "a vote is empty".into(),
                })?,
                time: t.int(row, timestamp)?,
            })
        })
        .collect()
}

/// A conversation read from an export folder's files.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    pub comments: Vec<Comment>,
    pub votes: Vec<VoteRecord>,
    /// Pol.is's own group for each participant it clustered
    /// (`participants-votes.csv` `group-id`).
    pub polis_groups: BTreeMap<u64, u64>,
}

/// Reads an export. Votes come from `votes.csv` when given (every vote, the
/// last by timestamp winning), else from `participants-votes.csv` (the final
/// matrix). At least one of the two is required.
pub fn read_export(
    comments: &str,
    participants_votes: Option<&str>,
    votes: Option<&str>,
) -> Result<Export, CsvError> {
    let comments = parse_comments(comments)?;
    let rows = participants_votes
        .map(parse_participants_votes)
        .transpose()?;
    let polis_groups = rows
        .iter()
        .flatten()
        .filter_map(|r| Some((r.participant, r.group?)))
        .collect();
    let votes = match (votes, &rows) {
        (Some(v), _) => parse_votes(v)?,
        (None, Some(rows)) => rows
            .iter()
            .flat_map(|r| {
                r.votes.iter().map(|&(statement, vote)| VoteRecord {
                    participant: r.participant,
                    statement,
                    vote,
                    time: 0,
                })
            })
            .collect(),
        (None, None) => {
            return Err(CsvError {
                file: "votes.csv".into(),
                line: 0,
                column: 0,
                message: "neither votes.csv nor participants-votes.csv was given".into(),
            })
        }
    };
    Ok(Export {
        comments,
        votes,
        polis_groups,
    })
}

/// Quotes a field when it needs it.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn opt<T: ToString>(x: &Option<T>) -> String {
    x.as_ref().map_or(String::new(), |x| x.to_string())
}

/// Writes `comments.csv` in the export's column order.
pub fn write_comments(comments: &[Comment]) -> String {
    let mut out = String::from(
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n",
    );
    for c in comments {
        out += &format!(
            "{},{},{},{},{},{},{},{}\n",
            opt(&c.timestamp),
            field(&c.datetime),
            c.id,
            opt(&c.author),
            c.agrees,
            c.disagrees,
            c.moderated,
            field(&c.body)
        );
    }
    out
}

/// Writes `votes.csv` (the `datetime` column is left empty: formatting a
/// timestamp as a date would need a time zone, which this crate does not read).
pub fn write_votes(votes: &[VoteRecord]) -> String {
    let mut out = String::from("timestamp,datetime,comment-id,voter-id,vote\n");
    for v in votes {
        out += &format!("{},,{},{},{}\n", v.time, v.statement, v.participant, v.vote);
    }
    out
}

/// Writes `participants-votes.csv`: one row per participant with the counts
/// and one column per statement (comment ids and voted statements, ascending).
pub fn write_participants_votes(
    m: &VoteMatrix,
    groups: &BTreeMap<u64, u64>,
    comments: &[Comment],
) -> String {
    let mut columns: BTreeSet<u64> = comments.iter().map(|c| c.id).collect();
    columns.extend(m.statements());
    let columns: Vec<u64> = columns.into_iter().collect();
    let mut authored: BTreeMap<u64, usize> = BTreeMap::new();
    for c in comments {
        if let Some(a) = c.author {
            *authored.entry(a).or_default() += 1;
        }
    }
    let mut out = String::from("participant,group-id,n-comments,n-votes,n-agree,n-disagree");
    for c in &columns {
        out += &format!(",{c}");
    }
    out.push('\n');
    let mut cells = vec![None; columns.len()];
    for r in 0..m.n_rows() {
        let p = m.participants()[r];
        cells.iter_mut().for_each(|c| *c = None);
        let (mut n, mut a, mut d) = (0, 0, 0);
        for (c, v) in m.row(r) {
            let pos = columns.binary_search(&m.statements()[c]).unwrap_or(0);
            cells[pos] = Some(v);
            n += 1;
            a += usize::from(v == 1);
            d += usize::from(v == -1);
        }
        out += &format!(
            "{p},{},{},{n},{a},{d}",
            opt(&groups.get(&p)),
            authored.get(&p).copied().unwrap_or(0)
        );
        for c in &cells {
            out.push(',');
            if let Some(v) = c {
                out += &v.to_string();
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_with_commas_quotes_and_newlines() {
        let r = records("x.csv", "a,b\r\n\"1,2\",\"say \"\"hi\"\"\nthere\"\n\n3,\n").unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(r[1][0].text, "1,2");
        assert_eq!(r[1][1].text, "say \"hi\"\nthere");
        assert_eq!((r[1][1].line, r[1][1].column), (2, 7));
        assert_eq!(r[2][0].text, "3");
        assert_eq!(r[2][1].text, "");
        // Unquoted and simply quoted fields are borrowed, not copied.
        assert!(matches!(r[1][0].text, Cow::Borrowed(_)));
        assert!(matches!(r[1][1].text, Cow::Owned(_)));
        // Columns count characters, lines count breaks inside quotes too.
        let r = records("u.csv", "\"é\né\",x\n\"ü\",y,\"\"\n").unwrap();
        assert_eq!((r[0][1].line, r[0][1].column), (2, 4));
        assert_eq!((r[1][1].line, r[1][1].column), (3, 5));
        assert_eq!(r[1][2].text, "");
        let e = records("q.csv", "\"a\"b\n").unwrap_err();
        assert!(e.message.contains("'b' after a closing quote"), "{e}");
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let e = parse_comments("comment-id,moderated,comment-body\n1,1,ok\nx,1,bad\n").unwrap_err();
        assert_eq!((e.file.as_str(), e.line, e.column), ("comments.csv", 3, 1));
        assert!(
            e.to_string()
                .contains("expected an integer in \"comment-id\""),
            "{e}"
        );
        let e = parse_votes("timestamp,comment-id,voter-id,vote\n1,2,3,7\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 7));
        let e = parse_votes("timestamp,comment-id,voter-id\n").unwrap_err();
        assert!(e.message.contains("\"vote\""), "{e}");
        let e = records("c.csv", "a\n\"open").unwrap_err();
        assert_eq!((e.line, e.column), (2, 1));
        let e = parse_participants_votes("participant,group-id,abc\n").unwrap_err();
        assert_eq!(e.column, 22);
        let t = Table::parse("t.csv", "a,b\n1\n").unwrap();
        let e = t.rows().next().unwrap().unwrap_err();
        assert!(e.message.contains("1 fields but the header has 2"));
    }

    #[test]
    fn round_trip_through_the_export_format() {
        let comments = vec![
            Comment {
                id: 0,
                author: Some(4),
                timestamp: Some(1),
                datetime: "Tue, 1".into(),
                agrees: 1,
                disagrees: 0,
                moderated: 1,
                body: "Buses, \"free\"\nfor all".into(),
            },
            Comment {
                id: 1,
                author: None,
                timestamp: None,
                datetime: String::new(),
                agrees: 0,
                disagrees: 1,
                moderated: -1,
                body: "x".into(),
            },
        ];
        assert_eq!(
            parse_comments(&write_comments(&comments)).unwrap(),
            comments
        );
        assert_eq!(moderated_out(&comments), vec![1]);

        let votes = vec![
            VoteRecord {
                participant: 4,
                statement: 0,
                vote: 1,
                time: 5,
            },
            VoteRecord {
                participant: 2,
                statement: 1,
                vote: -1,
                time: 6,
            },
            VoteRecord {
                participant: 2,
                statement: 0,
                vote: 0,
                time: 7,
            },
        ];
        assert_eq!(parse_votes(&write_votes(&votes)).unwrap(), votes);

        let m = VoteMatrix::from_votes(&votes);
        let groups: BTreeMap<u64, u64> = [(2, 1)].into();
        let pv = write_participants_votes(&m, &groups, &comments);
        let export = read_export(&write_comments(&comments), Some(&pv), None).unwrap();
        assert_eq!(export.polis_groups, groups);
        assert_eq!(VoteMatrix::from_votes(&export.votes), m);
        // votes.csv wins over the matrix when both are given.
        let export = read_export(
            &write_comments(&comments),
            Some(&pv),
            Some(&write_votes(&votes)),
        )
        .unwrap();
        assert_eq!(export.votes, votes);
        assert!(read_export(&write_comments(&comments), None, None).is_err());
    }
}
