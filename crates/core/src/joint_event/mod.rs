//! Joint events (issue 15): two or more of a slate's candidates appearing
//! together — a joint fundraiser, a press conference, a town hall, a
//! livestream, a canvass, a phone bank — and the rules about them: what a
//! well-formed proposal is, how hosts confirm, who waits for a seat, which
//! reminder is due. Pure: the time arrives as `now`.

use std::fmt;

use chrono::{DateTime, Duration, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::{Email, Slug};

mod kinds;
pub use kinds::*;

/// A field that is wrong, and why (the engine turns it into a 4xx).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct Rejected {
    pub field: String,
    pub message: String,
}

fn reject(field: impl Into<String>, message: impl Into<String>) -> Rejected {
    Rejected {
        field: field.into(),
        message: message.into(),
    }
}

/// A proposal as it arrives (strings not yet parsed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Proposal {
    pub kind: String,
    pub title: String,
    pub description: String,
    pub starts_at: String,
    pub ends_at: String,
    pub timezone: String,
    pub location: Option<Location>,
    pub online_url: Option<String>,
    pub hosts: Vec<String>,
    pub capacity: Option<i64>,
}

/// When and where, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub timezone: Tz,
    pub location: Option<Location>,
    pub online_url: Option<String>,
}

/// A proposal that passed every rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    pub kind: EventKind,
    pub title: String,
    pub description: String,
    pub schedule: Schedule,
    /// Two or more distinct candidates of the slate, in the order given.
    pub hosts: Vec<Slug>,
    pub capacity: Option<i64>,
}

pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 5_000;

/// Parse an RFC 3339 time for `field`.
pub fn parse_time(field: &str, s: &str) -> Result<DateTime<Utc>, Rejected> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            reject(
                field,
                "expected an RFC 3339 time like 2026-09-01T18:00:00-04:00",
            )
        })
}

/// An IANA time zone name such as `America/New_York`.
pub fn parse_timezone(s: &str) -> Result<Tz, Rejected> {
    s.trim().parse::<Tz>().map_err(|_| {
        reject(
            "timezone",
            format!("{s:?} is not an IANA time zone such as America/New_York"),
        )
    })
}

/// An online link: `https://` with a host, no spaces.
pub fn check_online_url(s: &str) -> Result<String, Rejected> {
    let s = s.trim();
    let Some(rest) = s.strip_prefix("https://") else {
        return Err(reject("online_url", "the link must start with https://"));
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty()
        || !host.contains('.') && !host.starts_with("localhost")
        || s.chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>')
        || s.len() > 2_000
    {
        return Err(reject("online_url", "that is not a web address"));
    }
    Ok(s.to_owned())
}

/// Check when and where: start before end, start in the future, a real
/// time zone, a place or an https link (or both).
pub fn check_schedule(
    starts_at: &str,
    ends_at: &str,
    timezone: &str,
    location: Option<Location>,
    online_url: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Schedule, Rejected> {
    let starts = parse_time("starts_at", starts_at)?;
    let ends = parse_time("ends_at", ends_at)?;
    if starts <= now {
        return Err(reject("starts_at", "the event must start in the future"));
    }
    if ends <= starts {
        return Err(reject("ends_at", "the event must end after it starts"));
    }
    if ends - starts > Duration::days(14) {
        return Err(reject("ends_at", "an event lasts at most two weeks"));
    }
    let timezone = parse_timezone(timezone)?;
    let location = match location {
        Some(l) => {
            let l = Location {
                venue: l.venue.trim().to_owned(),
                address: l.address.trim().to_owned(),
                city: l.city.trim().to_owned(),
                state: l.state.trim().to_uppercase(),
                zip: l.zip.trim().to_owned(),
            };
            if l.one_line().is_empty() {
                None
            } else {
                if l.city.is_empty() && l.address.is_empty() {
                    return Err(reject(
                        "location.address",
                        "give the address or at least the city",
                    ));
                }
                if !l.zip.is_empty() && !is_zip(&l.zip) {
                    return Err(reject("location.zip", "expected a ZIP code like 12207"));
                }
                if [&l.venue, &l.address, &l.city, &l.state]
                    .iter()
                    .any(|s| s.len() > 200)
                {
                    return Err(reject("location", "too long"));
                }
                Some(l)
            }
        }
        None => None,
    };
    let online_url = match online_url.map(str::trim).filter(|s| !s.is_empty()) {
        Some(u) => Some(check_online_url(u)?),
        None => None,
    };
    if location.is_none() && online_url.is_none() {
        return Err(reject(
            "location",
            "give a place, an online link (https), or both",
        ));
    }
    Ok(Schedule {
        starts_at: starts,
        ends_at: ends,
        timezone,
        location,
        online_url,
    })
}

/// Check a whole proposal against the slate's candidates.
pub fn check_proposal(
    p: &Proposal,
    slate_candidates: &[Slug],
    now: DateTime<Utc>,
) -> Result<Checked, Rejected> {
    let kind = EventKind::parse(p.kind.trim()).ok_or_else(|| {
        reject(
            "kind",
            "expected fundraiser, media, town_hall, livestream, canvass or phone_bank",
        )
    })?;
    let title = p.title.trim().to_owned();
    if title.is_empty() {
        return Err(reject("title", "give the event a title"));
    }
    if title.chars().count() > MAX_TITLE {
        return Err(reject("title", format!("at most {MAX_TITLE} characters")));
    }
    let description = p.description.trim().to_owned();
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(reject(
            "description",
            format!("at most {MAX_DESCRIPTION} characters"),
        ));
    }
    let schedule = check_schedule(
        &p.starts_at,
        &p.ends_at,
        &p.timezone,
        p.location.clone(),
        p.online_url.as_deref(),
        now,
    )?;
    let hosts = check_hosts(&p.hosts, slate_candidates)?;
    if let Some(c) = p.capacity {
        if c <= 0 {
            return Err(reject(
                "capacity",
                "capacity must be at least 1 (or leave it empty for no limit)",
            ));
        }
        if c > 1_000_000 {
            return Err(reject("capacity", "capacity is at most 1,000,000"));
        }
    }
    Ok(Checked {
        kind,
        title,
        description,
        schedule,
        hosts,
        capacity: p.capacity,
    })
}

/// Two or more distinct candidates of the slate.
pub fn check_hosts(hosts: &[String], slate_candidates: &[Slug]) -> Result<Vec<Slug>, Rejected> {
    let mut out: Vec<Slug> = Vec::new();
    for (i, h) in hosts.iter().enumerate() {
        let field = format!("hosts[{i}]");
        let slug = Slug::parse(h.trim())
            .map_err(|_| reject(&field, format!("{h:?} is not a candidate slug")))?;
        if !slate_candidates.contains(&slug) {
            return Err(reject(
                &field,
                format!("{slug} is not a candidate of this slate"),
            ));
        }
        if out.contains(&slug) {
            return Err(reject(&field, format!("{slug} is listed twice")));
        }
        out.push(slug);
    }
    if out.len() < 2 {
        return Err(reject(
            "hosts",
            "a joint event needs two or more hosts among the slate's candidates",
        ));
    }
    Ok(out)
}

/// The status once every host has answered: any decline ends it (declined
/// before it was public, cancelled after), all confirmed makes it public.
pub fn status_after(current: EventStatus, answers: &[HostAnswer]) -> EventStatus {
    if current != EventStatus::Proposed && current != EventStatus::Confirmed {
        return current;
    }
    if answers.contains(&HostAnswer::Declined) {
        return if current == EventStatus::Confirmed {
            EventStatus::Cancelled
        } else {
            EventStatus::Declined
        };
    }
    if !answers.is_empty() && answers.iter().all(|a| *a == HostAnswer::Confirmed) {
        EventStatus::Confirmed
    } else {
        current
    }
}

/// A new RSVP goes in when a seat is free, else waits.
pub fn seat_for(going: i64, capacity: Option<i64>) -> RsvpStatus {
    match capacity {
        Some(c) if going >= c => RsvpStatus::Waitlisted,
        _ => RsvpStatus::Going,
    }
}

/// How many waitlisted people get a seat once `going` are going.
pub fn seats_free(going: i64, capacity: Option<i64>, waitlisted: i64) -> i64 {
    match capacity {
        Some(c) => (c - going).clamp(0, waitlisted),
        None => waitlisted,
    }
}

/// An RSVP as it arrives.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RsvpForm {
    pub name: String,
    pub email: String,
    pub zip: String,
    pub referral: Option<String>,
}

/// An RSVP that passed the rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RsvpChecked {
    pub name: String,
    pub email: Email,
    pub zip: String,
    pub referral: Option<String>,
}

fn is_zip(s: &str) -> bool {
    let b = s.as_bytes();
    (b.len() == 5 && b.iter().all(u8::is_ascii_digit))
        || (b.len() == 10
            && b[5] == b'-'
            && b[..5].iter().all(u8::is_ascii_digit)
            && b[6..].iter().all(u8::is_ascii_digit))
}

pub fn check_rsvp(f: &RsvpForm) -> Result<RsvpChecked, Rejected> {
    let name = f.name.trim().to_owned();
    if name.is_empty() {
        return Err(reject("name", "give your name"));
    }
    if name.chars().count() > 200 {
        return Err(reject("name", "at most 200 characters"));
    }
    let email = Email::parse(f.email.trim())
        .map_err(|_| reject("email", "that is not an email address"))?;
    let zip = f.zip.trim().to_owned();
    if !is_zip(&zip) {
        return Err(reject("zip", "expected a ZIP code like 12207"));
    }
    let referral = match f
        .referral
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(r)
            if r.len() > 64
                || !r
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
        {
            return Err(reject("ref", "a referral code is letters, digits, - and _"));
        }
        r => r.map(str::to_owned),
    };
    Ok(RsvpChecked {
        name,
        email,
        zip,
        referral,
    })
}

/// Which reminder an RSVP is owed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reminder {
    /// About a day before.
    Day,
    /// About an hour before.
    Hour,
}

/// The reminder due `now` for an event starting at `starts_at`, given which
/// were already sent. Within the last hour only the hour reminder goes (a
/// day reminder that is late by then is skipped, never sent twice); nothing
/// once it has started.
pub fn reminder_due(
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
    day_sent: bool,
    hour_sent: bool,
) -> Option<Reminder> {
    if now >= starts_at {
        return None;
    }
    let left = starts_at - now;
    if left <= Duration::hours(1) {
        (!hour_sent).then_some(Reminder::Hour)
    } else if left <= Duration::hours(24) {
        (!day_sent).then_some(Reminder::Day)
    } else {
        None
    }
}

/// A UTC time as the wall-clock time in `tz`, for people:
/// "Tue Sep 1, 2026, 6:00 PM EDT".
pub fn local_text(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .format("%a %b %-d, %Y, %-I:%M %p %Z")
        .to_string()
}

/// The offset of `tz` at `t`, in seconds east of UTC.
pub fn offset_at(tz: Tz, t: DateTime<Utc>) -> i32 {
    tz.offset_from_utc_datetime(&t.naive_utc())
        .fix()
        .local_minus_utc()
}

#[cfg(test)]
mod tests;
