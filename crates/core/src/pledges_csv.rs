//! Pledges made offline read from CSV (issue 19): pledge cards collected at
//! an event, a spreadsheet of promises. Each row is one pledge that a person
//! made and that enters through the same intake as a pledge made on the web;
//! this module decides only which column is which and whether each cell can
//! be read at all, with its line and column. What a pledge may be (amount
//! limits, the condition, the candidates, the deadline, the attestation a
//! money pledge needs) is the intake's own validation, run on every row by
//! the engine's dry run.
//!
//! Money never enters any other way: a file with ActBlue's contribution-export
//! columns is money already given through ActBlue, not a promise, so it is
//! refused whole with the reason (its people can go through the people
//! import), never turned into pledges.
//!
//! Rows are not merged by email: one person may make two pledges (two cards).

use std::collections::HashMap;

use crate::csv::{read, unneutralize};
use crate::people_csv::{self, forbidden, normalize_header, shorten, Problem};
use crate::{Cents, Email};

/// The longest field accepted, in characters (a condition may be longer).
pub const MAX_FIELD_CHARS: usize = 200;
/// The longest condition accepted, in characters.
pub const MAX_CONDITION_CHARS: usize = 1_000;

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Email,
    Name,
    GivenName,
    FamilyName,
    Address,
    City,
    State,
    Zip,
    Employer,
    Occupation,
    Kind,
    Amount,
    Recurring,
    Hours,
    Weeks,
    Skills,
    Doors,
    Calls,
    Texts,
    Condition,
    Candidates,
    Deadline,
    Attests,
    Ref,
    ExternalId,
}

impl Field {
    fn what(self) -> &'static str {
        match self {
            Field::Email => "email",
            Field::Name => "name",
            Field::GivenName => "first name",
            Field::FamilyName => "last name",
            Field::Address => "address",
            Field::City => "city",
            Field::State => "state",
            Field::Zip => "ZIP code",
            Field::Employer => "employer",
            Field::Occupation => "occupation",
            Field::Kind => "kind of pledge",
            Field::Amount => "amount",
            Field::Recurring => "monthly or once",
            Field::Hours => "hours a week",
            Field::Weeks => "weeks",
            Field::Skills => "skills",
            Field::Doors => "doors",
            Field::Calls => "calls",
            Field::Texts => "texts",
            Field::Condition => "condition",
            Field::Candidates => "candidates",
            Field::Deadline => "deadline",
            Field::Attests => "eligibility attestation",
            Field::Ref => "referral code",
            Field::ExternalId => "pledge id",
        }
    }
}

/// Headers that only ActBlue's contribution export has: a file with one of
/// them records money already given, not pledges.
const ACTBLUE_ONLY: [&str; 8] = [
    "receipt_id",
    "lineitem_id",
    "fundraising_page",
    "recurrence_number",
    "recurring_total_months",
    "recipient_committee",
    "check_number",
    "fundraiser_recipient_id",
];

/// The column a header names, if the pledge import reads it.
pub fn field_of(header: &str) -> Option<Field> {
    let h = normalize_header(header);
    let f = match h.as_str() {
        "name" | "full_name" | "fullname" | "donor_name" | "pledger" | "pledger_name" => {
            Field::Name
        }
        "employer" | "donor_employer" => Field::Employer,
        "occupation" | "donor_occupation" | "job" | "job_title" => Field::Occupation,
        "kind" | "type" | "pledge_kind" | "pledge_type" => Field::Kind,
        "amount" | "amount_usd" | "dollars" | "pledge_amount" | "amount_dollars" => Field::Amount,
        "recurring" | "recurrence" | "frequency" | "schedule" | "monthly_or_once" | "monthly" => {
            Field::Recurring
        }
        "hours" | "hours_per_week" | "hours_a_week" | "weekly_hours" => Field::Hours,
        "weeks" | "number_of_weeks" => Field::Weeks,
        "skills" => Field::Skills,
        "doors" | "doors_knocked" | "doors_per_cycle" => Field::Doors,
        "calls" | "phone_calls" => Field::Calls,
        "texts" | "text_messages" => Field::Texts,
        "condition" | "unlocks_when" | "unlock_condition" => Field::Condition,
        "candidates" | "candidate" | "split_to" => Field::Candidates,
        "deadline" | "expires" | "expires_on" => Field::Deadline,
        "attests_eligible" | "attests" | "eligible" | "attestation" | "attests_eligibility" => {
            Field::Attests
        }
        "ref" | "ref_code" | "referral" | "referral_code" => Field::Ref,
        "id" | "pledge_id" | "card" | "card_id" | "card_number" | "external_id" | "row_id" => {
            Field::ExternalId
        }
        _ => match people_csv::column_of(header)? {
            people_csv::Column::Email => Field::Email,
            people_csv::Column::GivenName => Field::GivenName,
            people_csv::Column::FamilyName => Field::FamilyName,
            people_csv::Column::Address => Field::Address,
            people_csv::Column::City => Field::City,
            people_csv::Column::State => Field::State,
            people_csv::Column::Zip => Field::Zip,
            // A pledge keeps no phone number.
            people_csv::Column::Phone => return None,
        },
    };
    Some(f)
}

/// The kind of a pledge row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Money,
    Hours,
    Actions,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Money => "money",
            Kind::Hours => "hours",
            Kind::Actions => "actions",
        }
    }
}

/// One pledge read from the file, each cell readable; what it may be is the
/// intake's to decide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PledgeIn {
    pub line: usize,
    pub email: Email,
    /// The `name` column, or first and last name joined.
    pub name: String,
    pub address: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub employer: String,
    pub occupation: String,
    pub kind: Kind,
    pub amount: Option<Cents>,
    /// `Some(true)` for monthly, `Some(false)` once, `None` not said (once).
    pub monthly: Option<bool>,
    pub hours_per_week: Option<i64>,
    pub weeks: Option<i64>,
    pub skills: Vec<String>,
    pub doors: Option<i64>,
    pub calls: Option<i64>,
    pub texts: Option<i64>,
    pub condition: Option<String>,
    pub candidates: Vec<String>,
    pub deadline: Option<String>,
    pub attests_eligible: bool,
    pub ref_code: Option<String>,
    /// The organizer's own id for the pledge (a card number), if the file has one.
    pub external_id: Option<String>,
}

/// A file read without a problem.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    /// One per data row, in file order.
    pub pledges: Vec<PledgeIn>,
    /// Headers the import does not read.
    pub ignored: Vec<String>,
    /// The header each field was read from, as the file spells it.
    pub headers: HashMap<Field, String>,
    /// Problems of rows that could not be read (those rows are not in
    /// `pledges`), in line order: the file is refused if any.
    pub problems: Vec<Problem>,
}

impl Parsed {
    /// The header `f` was read from, if the file has one.
    pub fn header(&self, f: Field) -> Option<&str> {
        self.headers.get(&f).map(String::as_str)
    }
}

fn problem(line: usize, column: Option<&str>, message: impl Into<String>) -> Problem {
    Problem {
        line,
        column: column.map(str::to_owned),
        message: message.into(),
    }
}

/// Read a file of pledges. `Err` lists every problem found (in line order).
pub fn parse(text: &str) -> Result<Parsed, Vec<Problem>> {
    let p = read_rows(text)?;
    if p.problems.is_empty() {
        Ok(p)
    } else {
        Err(p.problems)
    }
}

/// Read a file of pledges, going on past rows with problems so the rows
/// that could be read can be checked further: `Err` only when the header
/// itself is refused (or the file is not CSV).
pub fn read_rows(text: &str) -> Result<Parsed, Vec<Problem>> {
    let records = read(text).map_err(|e| vec![problem(e.line, None, e.message)])?;
    let mut records = records.into_iter();
    let Some(header) = records.next() else {
        return Err(vec![problem(
            1,
            None,
            "the file is empty; the first line names the columns",
        )]);
    };
    let names: Vec<String> = header
        .fields
        .iter()
        .map(|h| unneutralize(h).trim().to_owned())
        .collect();
    if let Some(n) = names
        .iter()
        .find(|n| ACTBLUE_ONLY.contains(&normalize_header(n).as_str()))
    {
        return Err(vec![problem(
            header.line,
            Some(n),
            "this is an ActBlue contribution export: its rows are money already given \
             through ActBlue, not pledges. Cohort takes money only as a pledge its pledger \
             made, so it makes no pledges from this file; import it as people instead",
        )]);
    }
    let mut problems = Vec::new();
    let mut columns: Vec<Option<Field>> = Vec::new();
    let mut out = Parsed::default();
    for name in &names {
        let f = field_of(name);
        if let Some(f) = f {
            if let Some(first) = out.headers.get(&f) {
                problems.push(problem(
                    header.line,
                    Some(name),
                    format!("'{first}' already holds the {}; keep one", f.what()),
                ));
            } else {
                out.headers.insert(f, name.clone());
            }
        } else if !name.is_empty() {
            out.ignored.push(name.clone());
        }
        columns.push(f);
    }
    if !out.headers.contains_key(&Field::Email) {
        problems.push(problem(
            header.line,
            None,
            "no email column; name one 'email' (each pledge's receipt goes to its pledger)",
        ));
    }
    let has = |f| out.headers.contains_key(&f);
    if !(has(Field::Amount)
        || has(Field::Hours)
        || has(Field::Doors)
        || has(Field::Calls)
        || has(Field::Texts))
    {
        problems.push(problem(
            header.line,
            None,
            "no pledge columns; name at least one of 'amount', 'hours', 'doors', 'calls', 'texts'",
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut ids: HashMap<String, usize> = HashMap::new();
    for rec in records {
        if rec.fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rec.fields.len() != columns.len() {
            problems.push(problem(
                rec.line,
                None,
                format!(
                    "has {} fields but the header names {}",
                    rec.fields.len(),
                    columns.len()
                ),
            ));
            continue;
        }
        let mut row = Row::default();
        for ((raw, f), name) in rec.fields.iter().zip(&columns).zip(&names) {
            let Some(f) = *f else { continue };
            if let Err(message) = row.set(f, raw) {
                problems.push(problem(rec.line, Some(name), message));
            }
        }
        match row.finish(rec.line, &out) {
            Ok(p) => {
                if let Some(id) = &p.external_id {
                    if let Some(first) = ids.insert(id.clone(), p.line) {
                        problems.push(problem(
                            p.line,
                            out.header(Field::ExternalId),
                            format!(
                                "'{}' is also line {first}'s id; each pledge needs its own",
                                shorten(id)
                            ),
                        ));
                    }
                }
                out.pledges.push(p);
            }
            Err(mut more) => {
                // A cell already refused says enough about its row.
                if !problems.iter().any(|q| q.line == rec.line) {
                    problems.append(&mut more);
                }
            }
        }
    }
    out.problems = problems;
    Ok(out)
}

/// A row's cells as read.
#[derive(Default)]
struct Row {
    text: HashMap<Field, String>,
    email: Option<Email>,
    kind: Option<Kind>,
    amount: Option<Cents>,
    monthly: Option<bool>,
    counts: HashMap<Field, i64>,
    attests: bool,
}

impl Row {
    fn set(&mut self, f: Field, raw: &str) -> Result<(), String> {
        let v = unneutralize(raw).trim();
        if let Some(ch) = v.chars().find(|&ch| forbidden(ch)) {
            return Err(format!(
                "holds a control character (U+{:04X}); send plain text",
                u32::from(ch)
            ));
        }
        let max = if f == Field::Condition {
            MAX_CONDITION_CHARS
        } else {
            MAX_FIELD_CHARS
        };
        let n = v.chars().count();
        if n > max {
            return Err(format!(
                "is {n} characters long; at most {max} are accepted"
            ));
        }
        if v.is_empty() {
            return Ok(());
        }
        let shown = shorten(v);
        match f {
            Field::Email => {
                self.email = Some(Email::parse(v).map_err(|_| {
                    format!("'{shown}' is not an email address like name@example.org")
                })?);
            }
            Field::Kind => {
                self.kind = Some(match v.to_ascii_lowercase().as_str() {
                    "money" | "dollars" | "donation" => Kind::Money,
                    "hours" | "time" | "volunteer" => Kind::Hours,
                    "actions" | "action" => Kind::Actions,
                    _ => return Err(format!("'{shown}' is not money, hours or actions")),
                });
            }
            Field::Amount => {
                self.amount = Some(v.parse::<Cents>().map_err(|_| {
                    format!("'{shown}' is not a dollar amount (like 50, $50.00 or $1,250)")
                })?);
            }
            Field::Recurring => {
                self.monthly = Some(match v.to_ascii_lowercase().as_str() {
                    "monthly" | "month" | "a month" | "per month" | "recurring" | "yes" | "y" => {
                        true
                    }
                    "once" | "one-time" | "one time" | "onetime" | "single" | "no" | "n" => false,
                    _ => return Err(format!("'{shown}' is not monthly or once")),
                });
            }
            Field::Hours | Field::Weeks | Field::Doors | Field::Calls | Field::Texts => {
                let n = v
                    .replace(',', "")
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 0)
                    .ok_or_else(|| format!("'{shown}' is not a whole number"))?;
                self.counts.insert(f, n);
            }
            Field::Attests => {
                self.attests = match v.to_ascii_lowercase().as_str() {
                    "yes" | "y" | "true" | "1" | "x" | "✓" | "✔" => true,
                    "no" | "n" | "false" | "0" => false,
                    _ => return Err(format!("'{shown}' is not yes or no")),
                };
            }
            _ => {
                self.text.insert(f, v.to_owned());
            }
        }
        Ok(())
    }

    fn finish(mut self, line: usize, file: &Parsed) -> Result<PledgeIn, Vec<Problem>> {
        let col = |f| file.header(f);
        let Some(email) = self.email.take() else {
            return Err(vec![problem(
                line,
                col(Field::Email),
                "is empty; every pledge needs its pledger's email",
            )]);
        };
        let count = |f| self.counts.get(&f).copied();
        let acts = [Field::Doors, Field::Calls, Field::Texts]
            .iter()
            .any(|f| count(*f).is_some_and(|n| n > 0));
        let kind = match self.kind {
            Some(k) => k,
            None if self.amount.is_some() => Kind::Money,
            None if count(Field::Hours).is_some() => Kind::Hours,
            None if acts => Kind::Actions,
            None => {
                return Err(vec![problem(
                    line,
                    col(Field::Kind),
                    "says no kind of pledge and has no amount, hours, doors, calls or texts",
                )])
            }
        };
        let needs = |f: Field, what: &str| -> Result<(), Vec<Problem>> {
            let missing = match f {
                Field::Amount => self.amount.is_none(),
                _ => count(f).is_none(),
            };
            if missing {
                Err(vec![problem(
                    line,
                    col(f),
                    match col(f) {
                        Some(_) => format!("is empty; {what}"),
                        None => format!("{what}; the file has no '{}' column", f.what()),
                    },
                )])
            } else {
                Ok(())
            }
        };
        match kind {
            Kind::Money => needs(Field::Amount, "a money pledge needs an amount")?,
            Kind::Hours => {
                needs(Field::Hours, "an hours pledge needs hours a week")?;
                needs(Field::Weeks, "an hours pledge needs a number of weeks")?;
            }
            Kind::Actions if !acts => {
                return Err(vec![problem(
                    line,
                    None,
                    "an actions pledge needs at least one door, call or text",
                )])
            }
            Kind::Actions => {}
        }
        let mut take = |f| self.text.remove(&f).unwrap_or_default();
        let name = match take(Field::Name) {
            n if !n.is_empty() => n,
            _ => format!("{} {}", take(Field::GivenName), take(Field::FamilyName))
                .trim()
                .to_owned(),
        };
        let some = |s: String| (!s.is_empty()).then_some(s);
        let list = |s: String| -> Vec<String> {
            s.split([';', '|', ','])
                .flat_map(|p| p.split_whitespace())
                .map(str::to_owned)
                .collect()
        };
        let skills: Vec<String> = take(Field::Skills)
            .split([';', '|', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        Ok(PledgeIn {
            line,
            email,
            name,
            address: take(Field::Address),
            city: take(Field::City),
            state: take(Field::State),
            zip: take(Field::Zip),
            employer: take(Field::Employer),
            occupation: take(Field::Occupation),
            kind,
            amount: self.amount,
            monthly: self.monthly,
            hours_per_week: count(Field::Hours),
            weeks: count(Field::Weeks),
            skills,
            doors: count(Field::Doors),
            calls: count(Field::Calls),
            texts: count(Field::Texts),
            condition: some(take(Field::Condition)),
            candidates: list(take(Field::Candidates)),
            deadline: some(take(Field::Deadline)),
            attests_eligible: self.attests,
            ref_code: some(take(Field::Ref)),
            external_id: some(take(Field::ExternalId)),
        })
    }
}

#[cfg(test)]
mod tests;
