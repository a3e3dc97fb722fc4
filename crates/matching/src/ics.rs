//! A team's weekly check-in as an RFC 5545 iCalendar file.
//!
//! One `VEVENT` with `RRULE:FREQ=WEEKLY;COUNT=<weeks>`. Times are written in
//! UTC (`…Z`): the team's time zone is a fixed UTC offset, so no `VTIMEZONE`
//! is needed. Lines end in CRLF and are folded at 75 octets (never inside a
//! UTF-8 character); TEXT values escape `\`, `;`, `,` and newlines. The
//! `DTSTAMP` is passed in: this crate reads no clock.

use std::fmt;

use chrono::{Duration, NaiveDateTime};

use crate::model::UtcOffset;

/// A person on the invitation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub email: String,
}

/// Everything the check-in file says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckIn {
    /// Globally unique and stable across re-sends, e.g. `team-42-checkin@cohort.example`.
    pub uid: String,
    /// When this file was made (UTC).
    pub dtstamp: NaiveDateTime,
    /// The first check-in, in the team's local wall-clock time.
    pub first: NaiveDateTime,
    /// The team's UTC offset.
    pub utc_offset: UtcOffset,
    pub duration_minutes: u32,
    /// How many weekly check-ins (the team's commitment in weeks).
    pub weeks: u32,
    pub summary: String,
    pub description: String,
    /// A room or a video-call link.
    pub location: Option<String>,
    pub organizer: Person,
    pub attendees: Vec<Person>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IcsError {
    NoWeeks,
    NoDuration,
    BadEmail(String),
}

impl fmt::Display for IcsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IcsError::NoWeeks => write!(f, "a check-in needs at least one week"),
            IcsError::NoDuration => write!(f, "a check-in needs a duration of at least one minute"),
            IcsError::BadEmail(e) => write!(f, "{e:?} is not an email address"),
        }
    }
}

impl std::error::Error for IcsError {}

/// The `.ics` text of the weekly check-in.
pub fn weekly_checkin(c: &CheckIn) -> Result<String, IcsError> {
    if c.weeks == 0 {
        return Err(IcsError::NoWeeks);
    }
    if c.duration_minutes == 0 {
        return Err(IcsError::NoDuration);
    }
    for p in std::iter::once(&c.organizer).chain(&c.attendees) {
        let e = &p.email;
        let ok = e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !e.contains(|ch: char| {
                    ch.is_whitespace() || ch.is_control() || "\"<>,;:".contains(ch)
                })
        });
        if !ok {
            return Err(IcsError::BadEmail(e.clone()));
        }
    }
    let start = c.first - Duration::minutes(i64::from(c.utc_offset.minutes()));
    let utc = |t: NaiveDateTime| t.format("%Y%m%dT%H%M%SZ").to_string();

    let mut out = String::new();
    let mut line = |s: &str| fold_into(&mut out, s);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//Cohort//Volunteer teams//EN");
    line("CALSCALE:GREGORIAN");
    line("METHOD:REQUEST");
    line("BEGIN:VEVENT");
    line(&format!("UID:{}", text(&c.uid)));
    line(&format!("DTSTAMP:{}", utc(c.dtstamp)));
    line(&format!("DTSTART:{}", utc(start)));
    line(&format!("DURATION:PT{}M", c.duration_minutes));
    line(&format!("RRULE:FREQ=WEEKLY;COUNT={}", c.weeks));
    line(&format!("SUMMARY:{}", text(&c.summary)));
    line(&format!("DESCRIPTION:{}", text(&c.description)));
    if let Some(location) = &c.location {
        line(&format!("LOCATION:{}", text(location)));
    }
    line(&format!(
        "ORGANIZER;CN={}:mailto:{}",
        param(&c.organizer.name),
        c.organizer.email
    ));
    for a in &c.attendees {
        line(&format!(
            "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{}",
            param(&a.name),
            a.email
        ));
    }
    line("END:VEVENT");
    line("END:VCALENDAR");
    Ok(out)
}

/// A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newline escaped.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value, always quoted; a quoted-string cannot hold `"` or controls.
fn param(s: &str) -> String {
    let clean: String = s.chars().filter(|c| *c != '"' && !c.is_control()).collect();
    format!("\"{clean}\"")
}

/// Appends one content line, folded so no line exceeds 75 octets (the
/// leading space of a continuation counts), never splitting a character.
fn fold_into(out: &mut String, line: &str) {
    let mut budget = 75;
    let mut used = 0;
    for ch in line.chars() {
        if used + ch.len_utf8() > budget {
            out.push_str("\r\n ");
            budget = 74;
            used = 0;
        }
        out.push(ch);
        used += ch.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        let long = format!("DESCRIPTION:{}", "é".repeat(100));
        fold_into(&mut out, &long);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{long}\r\n"));
    }

    #[test]
    fn text_escapes_what_rfc_5545_says() {
        assert_eq!(text("a,b;c\\d\ne\r"), "a\\,b\\;c\\\\d\\ne");
        assert_eq!(param("Ana \"Red\" Diaz"), "\"Ana Red Diaz\"");
    }
}
