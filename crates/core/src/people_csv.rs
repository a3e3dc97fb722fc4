//! A supporter list read from CSV (issue 19), decided before anything is
//! written: which column is which (the headers of Action Network's people
//! export, Mobilize's attendee export, ActBlue's contribution export and the
//! common spellings), and every problem with its line and column. A file with
//! any problem is refused whole.
//!
//! Duplicate emails within one file are merged, not refused: the later row's
//! non-empty fields win, as a second import of the same person would do
//! (Action Network de-duplicates its uploads by email the same way). The
//! preview counts them.

use std::collections::HashMap;
use std::fmt;

use crate::csv::{read, unneutralize};
use crate::Email;

/// The longest field accepted, in characters.
pub const MAX_FIELD_CHARS: usize = 200;

/// The columns Cohort's people export writes: Action Network's people-export
/// headers, in its order.
pub const EXPORT_HEADER: [&str; 8] = [
    "first_name",
    "last_name",
    "email",
    "zip_code",
    "can2_user_address",
    "can2_user_city",
    "can2_state_abbreviated",
    "can2_phone",
];

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    Email,
    GivenName,
    FamilyName,
    Address,
    City,
    State,
    Zip,
    Phone,
}

impl Column {
    fn what(self) -> &'static str {
        match self {
            Column::Email => "email",
            Column::GivenName => "first name",
            Column::FamilyName => "last name",
            Column::Address => "address",
            Column::City => "city",
            Column::State => "state",
            Column::Zip => "ZIP code",
            Column::Phone => "phone",
        }
    }
}

/// `First Name`, `firstName`, `first-name` → `first_name`.
pub fn normalize_header(h: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in h.trim().chars() {
        if c.is_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        match c {
            ' ' | '-' | '.' | '/' => out.push('_'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    while out.contains("__") {
        out = out.replace("__", "_");
    }
    out.trim_matches('_').to_owned()
}

/// The column a header names, if Cohort reads it.
pub fn column_of(header: &str) -> Option<Column> {
    let h = normalize_header(header);
    let c = match h.as_str() {
        // Action Network (`email`), Mobilize (`Email`), ActBlue (`Donor Email`).
        "email" | "email_address" | "e_mail" | "emailaddress" | "donor_email" | "primary_email"
        | "user_email" => Column::Email,
        "first" | "first_name" | "firstname" | "given_name" | "givenname" | "donor_first_name"
        | "fname" => Column::GivenName,
        "last" | "last_name" | "lastname" | "family_name" | "familyname" | "surname"
        | "donor_last_name" | "lname" => Column::FamilyName,
        "address" | "address1" | "address_1" | "address_line1" | "address_line_1" | "street"
        | "street_address" | "can2_user_address" | "donor_addr1" | "addr1" => Column::Address,
        "city" | "locality" | "town" | "can2_user_city" | "donor_city" => Column::City,
        "state"
        | "region"
        | "state_code"
        | "can2_state_abbreviated"
        | "donor_state"
        | "state_abbreviation" => Column::State,
        "zip" | "zip_code" | "zipcode" | "postal_code" | "postalcode" | "postcode" | "zip5"
        | "donor_zip" | "can2_zip" => Column::Zip,
        "phone" | "phone_number" | "can2_phone" | "donor_phone" | "cell" | "cell_phone" => {
            Column::Phone
        }
        _ => return None,
    };
    Some(c)
}

/// One problem: the line (1 is the header) and, when it is one cell's, the column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}, column '{}': {}", self.line, c, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// One person read from the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PersonIn {
    /// The line of the person's (first) row.
    pub line: usize,
    pub email: Option<Email>,
    pub given_name: String,
    pub family_name: String,
    pub address: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub phone: String,
}

/// A file read without a problem.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    /// One per email, in the order first seen.
    pub people: Vec<PersonIn>,
    /// Data rows read (blank rows aside).
    pub rows: usize,
    /// Rows folded into an earlier row with the same email.
    pub duplicates: usize,
    /// Headers Cohort does not read.
    pub ignored: Vec<String>,
}

/// Read a supporter list. `Err` lists every problem found (in line order).
pub fn parse(text: &str) -> Result<Parsed, Vec<Problem>> {
    let records = read(text).map_err(|e| {
        vec![Problem {
            line: e.line,
            column: None,
            message: e.message,
        }]
    })?;
    let mut records = records.into_iter();
    let Some(header) = records.next() else {
        return Err(vec![Problem {
            line: 1,
            column: None,
            message: "the file is empty; the first line names the columns".into(),
        }]);
    };
    let mut problems = Vec::new();
    let mut columns: Vec<Option<Column>> = Vec::new();
    let mut seen: HashMap<Column, String> = HashMap::new();
    let mut ignored = Vec::new();
    for h in &header.fields {
        let name = unneutralize(h).trim().to_owned();
        let c = column_of(&name);
        if let Some(c) = c {
            if let Some(first) = seen.get(&c) {
                problems.push(Problem {
                    line: header.line,
                    column: Some(name.clone()),
                    message: format!("'{first}' already holds the {}; keep one", c.what()),
                });
            } else {
                seen.insert(c, name.clone());
            }
        } else if !name.is_empty() {
            ignored.push(name.clone());
        }
        columns.push(c);
    }
    if !seen.contains_key(&Column::Email) {
        problems.push(Problem {
            line: header.line,
            column: None,
            message: "no email column; name one 'email' (or 'Email', 'email_address', \
                      'Donor Email')"
                .into(),
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let names: Vec<String> = header
        .fields
        .iter()
        .map(|h| unneutralize(h).trim().to_owned())
        .collect();
    let mut out = Parsed {
        ignored,
        ..Parsed::default()
    };
    let mut by_email: HashMap<Email, usize> = HashMap::new();
    for rec in records {
        if rec.fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        out.rows += 1;
        if rec.fields.len() != columns.len() {
            problems.push(Problem {
                line: rec.line,
                column: None,
                message: format!(
                    "has {} fields but the header names {}",
                    rec.fields.len(),
                    columns.len()
                ),
            });
            continue;
        }
        let mut p = PersonIn {
            line: rec.line,
            ..PersonIn::default()
        };
        for ((raw, c), name) in rec.fields.iter().zip(&columns).zip(&names) {
            let Some(c) = *c else { continue };
            match cell(c, raw) {
                Ok(v) => set(&mut p, c, v),
                Err(message) => problems.push(Problem {
                    line: rec.line,
                    column: Some(name.clone()),
                    message,
                }),
            }
        }
        let Some(email) = p.email.clone() else {
            if !problems.iter().any(|q| q.line == rec.line) {
                problems.push(Problem {
                    line: rec.line,
                    column: seen.get(&Column::Email).cloned(),
                    message: "is empty; every person needs an email".into(),
                });
            }
            continue;
        };
        match by_email.get(&email) {
            Some(&i) => {
                out.duplicates += 1;
                merge_into(&mut out.people[i], p);
            }
            None => {
                by_email.insert(email, out.people.len());
                out.people.push(p);
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// A cell's value, or why it is refused.
enum Value {
    Email(Email),
    Text(String),
}

fn cell(c: Column, raw: &str) -> Result<Value, String> {
    let v = unneutralize(raw).trim();
    if let Some(ch) = v.chars().find(|&ch| forbidden(ch)) {
        return Err(format!(
            "holds a control character (U+{:04X}); send plain text",
            u32::from(ch)
        ));
    }
    let n = v.chars().count();
    if n > MAX_FIELD_CHARS {
        return Err(format!(
            "is {n} characters long; at most {MAX_FIELD_CHARS} are accepted"
        ));
    }
    let shown = shorten(v);
    match c {
        Column::Email if v.is_empty() => Err("is empty; every person needs an email".into()),
        Column::Email => Email::parse(v)
            .map(Value::Email)
            .map_err(|_| format!("'{shown}' is not an email address like name@example.org")),
        Column::Zip if !v.is_empty() && !is_zip(v) => Err(format!(
            "'{shown}' is not a ZIP code (five digits, or ZIP+4 like 12345-6789)"
        )),
        Column::State if !v.is_empty() && !is_state(v) => {
            Err(format!("'{shown}' is not a two-letter state code like NY"))
        }
        Column::State => Ok(Value::Text(v.to_ascii_uppercase())),
        Column::Phone if !v.is_empty() && !is_phone(v) => {
            Err(format!("'{shown}' is not a US phone number (ten digits)"))
        }
        _ => Ok(Value::Text(v.to_owned())),
    }
}

/// Control characters other than line breaks and tab, and the bidi controls
/// that reorder the text around them (the web edge's rule, `text.rs`).
pub(crate) fn forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

pub(crate) fn shorten(v: &str) -> String {
    let s: String = v.chars().take(40).collect();
    if s.len() < v.len() {
        format!("{s}…")
    } else {
        s
    }
}

pub(crate) fn is_zip(v: &str) -> bool {
    let b = v.as_bytes();
    let five = |s: &[u8]| s.len() == 5 && s.iter().all(u8::is_ascii_digit);
    five(b)
        || (b.len() == 10 && five(&b[..5]) && b[5] == b'-' && b[6..].iter().all(u8::is_ascii_digit))
}

pub(crate) fn is_state(v: &str) -> bool {
    v.len() == 2 && v.chars().all(|c| c.is_ascii_alphabetic())
}

fn is_phone(v: &str) -> bool {
    if v.chars()
        .any(|c| !(c.is_ascii_digit() || " ()-.+".contains(c)))
    {
        return false;
    }
    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
    digits.len() == 10 || (digits.len() == 11 && digits.starts_with('1'))
}

fn set(p: &mut PersonIn, c: Column, v: Value) {
    let text = match v {
        Value::Email(e) => {
            p.email = Some(e);
            return;
        }
        Value::Text(t) => t,
    };
    let slot = match c {
        Column::Email => return,
        Column::GivenName => &mut p.given_name,
        Column::FamilyName => &mut p.family_name,
        Column::Address => &mut p.address,
        Column::City => &mut p.city,
        Column::State => &mut p.state,
        Column::Zip => &mut p.zip,
        Column::Phone => &mut p.phone,
    };
    *slot = text;
}

/// The later row's non-empty fields over the earlier row's.
fn merge_into(earlier: &mut PersonIn, later: PersonIn) {
    let pick = |e: &mut String, l: String| {
        if !l.is_empty() {
            *e = l;
        }
    };
    pick(&mut earlier.given_name, later.given_name);
    pick(&mut earlier.family_name, later.family_name);
    pick(&mut earlier.address, later.address);
    pick(&mut earlier.city, later.city);
    pick(&mut earlier.state, later.state);
    pick(&mut earlier.zip, later.zip);
    pick(&mut earlier.phone, later.phone);
}

#[cfg(test)]
mod tests;
