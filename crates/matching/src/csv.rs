//! `V.csv` (volunteers) and `N.csv` (needs) in, `A.csv` (assignment) out.
//!
//! RFC 4180 CSV: a header row, comma-separated fields, fields optionally in
//! double quotes (with `""` for a quote, and newlines allowed inside), LF or
//! CRLF line ends, an optional UTF-8 byte-order mark. Columns may come in any
//! order; unknown columns are refused so a misspelled one is not silently
//! ignored. Every error names the file, the line, the column (1-based, with
//! its header name) and what was expected there.

use std::collections::HashMap;
use std::fmt;

use crate::model::{compare_ids, Level, Need, UtcOffset, Volunteer, MAX_PRIORITY};
use crate::solve::Matching;

/// A malformed file, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvError {
    pub file: String,
    /// 1-based line of the file (where the record starts).
    pub line: usize,
    /// 1-based column (field number).
    pub column: usize,
    /// The column's header name, when known.
    pub column_name: Option<String>,
    pub message: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, line {}, column {}",
            self.file, self.line, self.column
        )?;
        if let Some(name) = &self.column_name {
            write!(f, " ({name})")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for CsvError {}

pub const VOLUNTEER_COLUMNS: &[&str] = &[
    "id",
    "skills",
    "hours_per_week",
    "weeks",
    "utc_offset",
    "state",
    "remote",
];
/// Columns a volunteer file may add.
pub const VOLUNTEER_OPTIONAL_COLUMNS: &[&str] = &["languages", "can_mentor", "past_teams"];
pub const NEED_COLUMNS: &[&str] = &[
    "id",
    "campaign",
    "role",
    "skill",
    "min_level",
    "hours_per_week",
    "weeks",
    "utc_offset",
    "state",
    "remote_ok",
    "priority",
];

/// Parses a volunteers file. `file` names it in errors.
pub fn parse_volunteers(file: &str, text: &str) -> Result<Vec<Volunteer>, CsvError> {
    let table = Table::read(file, text, VOLUNTEER_COLUMNS, VOLUNTEER_OPTIONAL_COLUMNS)?;
    let mut seen = HashMap::new();
    let mut out = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let id = table.id(row, "id", "volunteer", &mut seen)?;
        let skills = table.parse(row, "skills", parse_skills)?;
        let list = |name| -> Result<Vec<String>, CsvError> {
            Ok(table
                .optional(row, name)
                .map(|s| {
                    s.split(';')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default())
        };
        out.push(Volunteer {
            id,
            skills,
            hours_per_week: table.parse(row, "hours_per_week", |s| {
                whole(s, 0, 168, "a whole number of hours per week from 0 to 168")
            })?,
            weeks: table.parse(row, "weeks", |s| {
                whole(s, 0, 520, "a whole number of weeks from 0 to 520")
            })?,
            utc_offset: table.parse(row, "utc_offset", offset)?,
            state: table.parse(row, "state", state)?,
            remote: table.parse(row, "remote", boolean)?,
            languages: list("languages")?,
            can_mentor: match table.optional(row, "can_mentor") {
                Some(s) if !s.trim().is_empty() => table.parse(row, "can_mentor", boolean)?,
                _ => false,
            },
            past_teams: list("past_teams")?,
        });
    }
    Ok(out)
}

/// Parses a needs file. `file` names it in errors.
pub fn parse_needs(file: &str, text: &str) -> Result<Vec<Need>, CsvError> {
    let table = Table::read(file, text, NEED_COLUMNS, &[])?;
    let mut seen = HashMap::new();
    let mut out = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        out.push(Need {
            id: table.id(row, "id", "need", &mut seen)?,
            campaign: table.parse(row, "campaign", |s| non_empty(s, "a campaign"))?,
            role: table.parse(row, "role", |s| non_empty(s, "a role name"))?,
            skill: table.parse(row, "skill", skill_name)?,
            min_level: table.parse(row, "min_level", level)?,
            hours_per_week: table.parse(row, "hours_per_week", |s| {
                whole(s, 1, 168, "a whole number of hours per week from 1 to 168")
            })?,
            weeks: table.parse(row, "weeks", |s| {
                whole(s, 1, 520, "a whole number of weeks from 1 to 520")
            })?,
            utc_offset: table.parse(row, "utc_offset", offset)?,
            state: table.parse(row, "state", state)?,
            remote_ok: table.parse(row, "remote_ok", boolean)?,
            priority: table.parse(row, "priority", |s| {
                whole(s, 1, MAX_PRIORITY, "a whole-number priority of at least 1")
            })?,
        });
    }
    Ok(out)
}

/// `A.csv`: `need_id,volunteer_id,score`, one row per filled need, in need id order.
pub fn write_assignment(needs: &[Need], volunteers: &[Volunteer], matching: &Matching) -> String {
    let mut pairs = matching.pairs.clone();
    pairs.sort_by(|a, b| compare_ids(&needs[a.need].id, &needs[b.need].id));
    let mut out = String::from("need_id,volunteer_id,score\n");
    for p in &pairs {
        out.push_str(&quote(&needs[p.need].id));
        out.push(',');
        out.push_str(&quote(&volunteers[p.volunteer].id));
        out.push(',');
        out.push_str(&p.score.to_string());
        out.push('\n');
    }
    out
}

/// A field as CSV: quoted only when it has to be.
pub fn quote(field: &str) -> std::borrow::Cow<'_, str> {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\"")).into()
    } else {
        field.into()
    }
}

struct Row {
    line: usize,
    fields: Vec<String>,
}

/// A header-checked file: each row has exactly the header's field count.
struct Table<'a> {
    file: &'a str,
    header: Vec<String>,
    index: HashMap<String, usize>,
    rows: Vec<Row>,
}

impl<'a> Table<'a> {
    fn read(
        file: &'a str,
        text: &str,
        required: &[&str],
        optional: &[&str],
    ) -> Result<Table<'a>, CsvError> {
        let mut rows = records(file, text)?.into_iter();
        let Some(head) = rows.next() else {
            return Err(CsvError {
                file: file.into(),
                line: 1,
                column: 1,
                column_name: None,
                message: format!(
                    "the file is empty; expected a header row: {}",
                    required.join(",")
                ),
            });
        };
        let header: Vec<String> = head.fields.iter().map(|h| h.trim().to_owned()).collect();
        let mut index = HashMap::new();
        for (i, name) in header.iter().enumerate() {
            let err = |message: String| CsvError {
                file: file.into(),
                line: head.line,
                column: i + 1,
                column_name: Some(name.clone()),
                message,
            };
            if !required.contains(&name.as_str()) && !optional.contains(&name.as_str()) {
                return Err(err(format!(
                    "unknown column {name:?}; expected the columns {}{}",
                    required.join(","),
                    if optional.is_empty() {
                        String::new()
                    } else {
                        format!(" and optionally {}", optional.join(","))
                    }
                )));
            }
            if index.insert(name.clone(), i).is_some() {
                return Err(err(format!("column {name:?} appears twice")));
            }
        }
        if let Some(missing) = required.iter().find(|c| !index.contains_key(**c)) {
            return Err(CsvError {
                file: file.into(),
                line: head.line,
                column: header.len() + 1,
                column_name: None,
                message: format!(
                    "the header lacks the column {missing:?}; expected {}",
                    required.join(",")
                ),
            });
        }
        let rows: Vec<Row> = rows.collect();
        for row in &rows {
            if row.fields.len() != header.len() {
                let column = row.fields.len().min(header.len()) + 1;
                return Err(CsvError {
                    file: file.into(),
                    line: row.line,
                    column,
                    column_name: header.get(column - 1).cloned(),
                    message: format!(
                        "expected {} fields ({}), found {}",
                        header.len(),
                        header.join(","),
                        row.fields.len()
                    ),
                });
            }
        }
        Ok(Table {
            file,
            header,
            index,
            rows,
        })
    }

    fn optional<'r>(&self, row: &'r Row, name: &str) -> Option<&'r str> {
        self.index.get(name).map(|&i| row.fields[i].as_str())
    }

    /// Parses one required field, turning the parser's "expected …" into a
    /// positioned error.
    fn parse<T>(
        &self,
        row: &Row,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, CsvError> {
        let i = self.index[name];
        parse(&row.fields[i]).map_err(|message| CsvError {
            file: self.file.into(),
            line: row.line,
            column: i + 1,
            column_name: Some(self.header[i].clone()),
            message,
        })
    }

    fn id(
        &self,
        row: &Row,
        name: &str,
        what: &str,
        seen: &mut HashMap<String, usize>,
    ) -> Result<String, CsvError> {
        let id = self.parse(row, name, |s| non_empty(s, &format!("a {what} id")))?;
        if let Some(first) = seen.insert(id.clone(), row.line) {
            return self.parse(row, name, |_| {
                Err(format!(
                    "duplicate {what} id {id:?} (first on line {first})"
                ))
            });
        }
        Ok(id)
    }
}

/// Splits `text` into records, each with the line it starts on.
fn records(file: &str, text: &str) -> Result<Vec<Row>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let b = text.as_bytes();
    let mut rows = Vec::new();
    let (mut i, mut line) = (0, 1);
    let err = |line, column, message: &str| CsvError {
        file: file.into(),
        line,
        column,
        column_name: None,
        message: message.into(),
    };
    while i < b.len() {
        let start_line = line;
        let mut fields = Vec::new();
        loop {
            let column = fields.len() + 1;
            let mut field = String::new();
            if b.get(i) == Some(&b'"') {
                i += 1;
                let mut from = i;
                loop {
                    match b.get(i) {
                        None => {
                            return Err(err(
                                start_line,
                                column,
                                "a quoted field is never closed; expected a closing '\"'",
                            ))
                        }
                        Some(b'"') if b.get(i + 1) == Some(&b'"') => {
                            field.push_str(&text[from..=i]);
                            i += 2;
                            from = i;
                        }
                        Some(b'"') => {
                            field.push_str(&text[from..i]);
                            i += 1;
                            break;
                        }
                        Some(c) => {
                            line += usize::from(*c == b'\n');
                            i += 1;
                        }
                    }
                }
                if !matches!(b.get(i), None | Some(b',' | b'\n' | b'\r')) {
                    return Err(err(
                        line,
                        column,
                        "expected a comma or the end of the line after a closing quote",
                    ));
                }
            } else {
                let from = i;
                while !matches!(b.get(i), None | Some(b',' | b'\n' | b'\r')) {
                    i += 1;
                }
                if text[from..i].contains('"') {
                    return Err(err(
                        line,
                        column,
                        "a '\"' inside an unquoted field; quote the whole field and double the quote",
                    ));
                }
                field.push_str(&text[from..i]);
            }
            fields.push(field);
            match b.get(i) {
                Some(b',') => i += 1,
                Some(b'\r') if b.get(i + 1) == Some(&b'\n') => {
                    i += 2;
                    line += 1;
                    break;
                }
                Some(b'\r') => {
                    return Err(err(
                        line,
                        column,
                        "a carriage return not followed by a line feed",
                    ))
                }
                Some(b'\n') => {
                    i += 1;
                    line += 1;
                    break;
                }
                _ => break,
            }
        }
        let blank = fields.len() == 1 && fields[0].trim().is_empty();
        if !blank {
            rows.push(Row {
                line: start_line,
                fields,
            });
        }
    }
    Ok(rows)
}

fn non_empty(s: &str, what: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        Err(format!("expected {what}, found an empty field"))
    } else {
        Ok(s.to_owned())
    }
}

fn whole(s: &str, min: u32, max: u32, what: &str) -> Result<u32, String> {
    let t = s.trim();
    t.parse::<u32>()
        .ok()
        .filter(|n| (min..=max).contains(n) && t.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| format!("expected {what}, found {s:?}"))
}

fn boolean(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("expected true or false, found {s:?}")),
    }
}

fn offset(s: &str) -> Result<UtcOffset, String> {
    UtcOffset::parse(s).ok_or_else(|| {
        format!(
            "expected a UTC offset in hours from -12 to +14 such as -8, +5.5 or 5:30, found {s:?}"
        )
    })
}

fn state(s: &str) -> Result<String, String> {
    non_empty(s, "a state (such as PA)").map(|s| s.to_ascii_uppercase())
}

fn level(s: &str) -> Result<Level, String> {
    s.trim()
        .parse::<u8>()
        .ok()
        .and_then(Level::new)
        .ok_or_else(|| format!("expected a level 1, 2 or 3, found {s:?}"))
}

/// Skill names are compared in lowercase; `:` and `;` separate them in `skills`.
fn skill_name(s: &str) -> Result<String, String> {
    let name = non_empty(s, "a skill name")?.to_lowercase();
    if name.contains([':', ';']) {
        return Err(format!(
            "expected a skill name without ':' or ';', found {s:?}"
        ));
    }
    Ok(name)
}

/// `python:3;data-analysis:2` (may be empty: no skills).
fn parse_skills(s: &str) -> Result<Vec<(String, Level)>, String> {
    let mut skills: Vec<(String, Level)> = Vec::new();
    for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((name, lvl)) = part.rsplit_once(':') else {
            return Err(format!(
                "expected skill:level pairs joined by ';' (e.g. copywriting:2;data-analysis:3), found {part:?} without a level"
            ));
        };
        let name = skill_name(name).map_err(|e| format!("in {part:?}: {e}"))?;
        let lvl = level(lvl).map_err(|e| format!("in {part:?}: {e}"))?;
        if skills.iter().any(|(n, _)| *n == name) {
            return Err(format!("skill {name:?} is listed twice"));
        }
        skills.push((name, lvl));
    }
    Ok(skills)
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: &str = "id,skills,hours_per_week,weeks,utc_offset,state,remote\n\
        v1,copywriting:2;data-analysis:3,10,12,-5,pa,true\n\
        \"v,2\",\"front-end:3\",5,4,+5.5,NY,FALSE\n";

    #[test]
    fn volunteers_parse() {
        let v = parse_volunteers("V.csv", V).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(
            v[0].skills,
            [
                ("copywriting".into(), Level::SOLID),
                ("data-analysis".into(), Level::EXPERT)
            ]
        );
        assert_eq!(
            (
                v[0].hours_per_week,
                v[0].weeks,
                v[0].state.as_str(),
                v[0].remote
            ),
            (10, 12, "PA", true)
        );
        assert_eq!(v[1].id, "v,2");
        assert_eq!(v[1].utc_offset.minutes(), 330);
        assert!(!v[1].remote);
    }

    #[test]
    fn errors_name_file_line_column_and_what_was_expected() {
        let cases: &[(&str, usize, usize, &str)] = &[
            ("id,skills,hours_per_week,weeks,utc_offset,state,remote\nv1,a:2,ten,4,-5,PA,true\n", 2, 3, "whole number of hours"),
            ("id,skills,hours_per_week,weeks,utc_offset,state,remote\n\nv1,a:2,1,4,-5,PA,true\nv2,a:4,1,4,-5,PA,true\n", 4, 2, "level 1, 2 or 3"),
            ("id,skills,hours_per_week,weeks,utc_offset,state,remote\nv1,a,1,4,-5,PA,true\n", 2, 2, "skill:level"),
            ("id,skills,hours_per_week,weeks,utc_offset,state,remote\r\nv1,a:1,1,4,-5,PA,yes\r\n", 2, 7, "true or false"),
            ("id,skills,hours_per_week,weeks,utc_offset,state,remote\nv1,a:1,1,4,-5,PA\n", 2, 7, "expected 7 fields"),
            ("id,skills,hours_per_week,weeks,utc_offset,state,remote\nv1,a:1,1,4,-20,PA,true\n", 2, 5, "UTC offset"),
            ("id,skills,hours_per_week,weeks,utc_offset,state,remote\nv1,a:1,1,4,-5,PA,true\nv1,a:1,1,4,-5,PA,true\n", 3, 1, "duplicate volunteer id \"v1\" (first on line 2)"),
            ("id,skills,hours_per_week,weeks,utc_offset,state,remote\n\"v1\nstill v1\",a:1,1,4,-5,PA,true\nv2,a:1,1,4,-5,,true\n", 4, 6, "a state"),
            ("id,skills,hours_per_week,weeks,utc_offset,state,remote\nv1,\"a:1,1,4,-5,PA,true\n", 2, 2, "never closed"),
            ("id,skills,hours_per_week,weeks,utc_offset,state,remote\nv\"1,a:1,1,4,-5,PA,true\n", 2, 1, "unquoted field"),
            ("id,skills,hours_per_week,weeks,utc_offset,state,remote,age\n", 1, 8, "unknown column \"age\""),
            ("id,skills,hours_per_week,weeks,utc_offset,state\n", 1, 7, "lacks the column \"remote\""),
            ("", 1, 1, "empty"),
        ];
        for (text, line, column, needle) in cases {
            let e = parse_volunteers("V.csv", text).expect_err(text);
            assert_eq!(
                (e.file.as_str(), e.line, e.column),
                ("V.csv", *line, *column),
                "{e} for {text:?}"
            );
            assert!(e.message.contains(needle), "{e} should mention {needle:?}");
        }
        let e = parse_volunteers("V.csv", cases[0].0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "V.csv, line 2, column 3 (hours_per_week): expected a whole number of hours per week from 0 to 168, found \"ten\""
        );
    }

    #[test]
    fn needs_parse_and_refuse_bad_priorities() {
        let head = "id,campaign,role,skill,min_level,hours_per_week,weeks,utc_offset,state,remote_ok,priority\n";
        let ok = format!("{head}n1,okafor,analyst,Data-Analysis,2,5,8,-8,CA,true,3\n");
        let n = parse_needs("N.csv", &ok).unwrap();
        assert_eq!(
            (n[0].skill.as_str(), n[0].min_level, n[0].priority),
            ("data-analysis", Level::SOLID, 3)
        );
        let bad = format!("{head}n1,okafor,analyst,data-analysis,2,5,8,-8,CA,true,0\n");
        let e = parse_needs("N.csv", &bad).unwrap_err();
        assert_eq!(
            (e.line, e.column, e.column_name.as_deref()),
            (2, 11, Some("priority"))
        );
    }

    #[test]
    fn assignment_quotes_only_when_needed() {
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote("a,b"), "\"a,b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
