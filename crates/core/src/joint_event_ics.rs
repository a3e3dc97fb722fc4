//! Joint events as iCalendar (RFC 5545): stable UIDs, local times with a
//! `TZID` and its `VTIMEZONE` (the zone's real transitions around the
//! events, from the tz database), `SEQUENCE` bumped on every change, and a
//! cancelled event as `STATUS:CANCELLED`. Pure text in, text out.

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::joint_event::{offset_at, EventStatus};

/// One event for the calendar.
#[derive(Clone, Debug)]
pub struct IcsEvent {
    /// Stable across changes: `joint-event-{id}@{host}`.
    pub uid: String,
    pub sequence: i64,
    pub status: EventStatus,
    pub summary: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub timezone: Tz,
    pub location: String,
    pub url: String,
    pub updated_at: DateTime<Utc>,
}

/// Escape a TEXT value (RFC 5545 §3.3.11).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
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

/// Fold a content line at 75 octets (§3.1), never inside a UTF-8 character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn utc_stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn local_stamp(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

fn offset_text(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.abs();
    format!("{sign}{:02}{:02}", a / 3600, (a % 3600) / 60)
}

/// The instants in `[from, to]` where `tz`'s offset changes, found day by
/// day and then to the minute.
fn transitions(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(DateTime<Utc>, i32, i32)> {
    let mut out = Vec::new();
    let mut t = from;
    let mut off = offset_at(tz, t);
    while t < to {
        let next = t + Duration::days(1);
        let next_off = offset_at(tz, next);
        if next_off != off {
            let (mut lo, mut hi) = (t, next);
            while hi - lo > Duration::minutes(1) {
                let mid = lo + (hi - lo) / 2;
                if offset_at(tz, mid) == off {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            // transitions fall on whole minutes: the first minute at or after one
            let secs = hi.timestamp();
            let at = DateTime::from_timestamp(secs - secs.rem_euclid(60), 0).unwrap_or(hi);
            out.push((at, off, next_off));
            off = next_off;
        }
        t = next;
    }
    out
}

/// A VTIMEZONE for `tz` valid from `from` to `to`: the offset in force at
/// `from` and every transition until `to`, each a dated observance.
fn vtimezone(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>, out: &mut String) {
    fold("BEGIN:VTIMEZONE", out);
    fold(&format!("TZID:{}", tz.name()), out);
    let first = offset_at(tz, from);
    let mut observances = vec![(from, first, first)];
    observances.extend(transitions(tz, from, to));
    for (at, before, after) in observances {
        let kind = if after > before {
            "DAYLIGHT"
        } else {
            "STANDARD"
        };
        fold(&format!("BEGIN:{kind}"), out);
        // DTSTART of an observance is the local time in the offset before it
        let local = at.naive_utc() + Duration::seconds(i64::from(before));
        fold(&format!("DTSTART:{}", local_stamp(local)), out);
        fold(&format!("TZOFFSETFROM:{}", offset_text(before)), out);
        fold(&format!("TZOFFSETTO:{}", offset_text(after)), out);
        let abbr = tz.offset_from_utc_datetime(&at.naive_utc()).to_string();
        fold(&format!("TZNAME:{}", text(&abbr)), out);
        fold(&format!("END:{kind}"), out);
    }
    fold("END:VTIMEZONE", out);
}

/// A whole calendar of `events` named `name`; `now` stamps `DTSTAMP`.
pub fn calendar(name: &str, events: &[IcsEvent], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    fold("BEGIN:VCALENDAR", &mut out);
    fold("VERSION:2.0", &mut out);
    fold("PRODID:-//Cohort//Joint events//EN", &mut out);
    fold("CALSCALE:GREGORIAN", &mut out);
    fold("METHOD:PUBLISH", &mut out);
    fold(&format!("X-WR-CALNAME:{}", text(name)), &mut out);
    let mut zones: Vec<Tz> = Vec::new();
    for e in events {
        if !zones.contains(&e.timezone) {
            zones.push(e.timezone);
        }
    }
    for tz in zones {
        let mine = events.iter().filter(|e| e.timezone == tz);
        let from = mine.clone().map(|e| e.starts_at).min().unwrap_or(now) - Duration::days(1);
        let to = mine.map(|e| e.ends_at).max().unwrap_or(now) + Duration::days(1);
        vtimezone(tz, from, to, &mut out);
    }
    for e in events {
        fold("BEGIN:VEVENT", &mut out);
        fold(&format!("UID:{}", e.uid), &mut out);
        fold(&format!("DTSTAMP:{}", utc_stamp(now)), &mut out);
        fold(
            &format!("LAST-MODIFIED:{}", utc_stamp(e.updated_at)),
            &mut out,
        );
        fold(&format!("SEQUENCE:{}", e.sequence), &mut out);
        let local = |t: DateTime<Utc>| local_stamp(t.with_timezone(&e.timezone).naive_local());
        fold(
            &format!("DTSTART;TZID={}:{}", e.timezone.name(), local(e.starts_at)),
            &mut out,
        );
        fold(
            &format!("DTEND;TZID={}:{}", e.timezone.name(), local(e.ends_at)),
            &mut out,
        );
        fold(&format!("SUMMARY:{}", text(&e.summary)), &mut out);
        if !e.description.is_empty() {
            fold(&format!("DESCRIPTION:{}", text(&e.description)), &mut out);
        }
        if !e.location.is_empty() {
            fold(&format!("LOCATION:{}", text(&e.location)), &mut out);
        }
        fold(&format!("URL:{}", e.url), &mut out);
        let status = match e.status {
            EventStatus::Cancelled | EventStatus::Declined => "CANCELLED",
            EventStatus::Proposed => "TENTATIVE",
            EventStatus::Confirmed | EventStatus::Held => "CONFIRMED",
        };
        fold(&format!("STATUS:{status}"), &mut out);
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::joint_event::{parse_time, parse_timezone};

    fn event(start: &str, status: EventStatus) -> IcsEvent {
        IcsEvent {
            uid: "joint-event-1@cohort.example".into(),
            sequence: 3,
            status,
            summary: "Town hall; housing, water".into(),
            description: "Line one\nLine two".into(),
            starts_at: parse_time("t", start).unwrap(),
            ends_at: parse_time("t", start).unwrap() + Duration::hours(2),
            timezone: parse_timezone("America/New_York").unwrap(),
            location: "Union Hall, 12 Main St, Albany, NY 12207".into(),
            url: "https://cohort.example/joint-events/1".into(),
            updated_at: parse_time("t", "2026-06-01T00:00:00Z").unwrap(),
        }
    }

    #[test]
    fn local_times_with_the_zone_and_escaped_text() {
        let now = parse_time("t", "2026-06-01T00:00:00Z").unwrap();
        let ics = calendar(
            "River, Caucus",
            &[event("2026-11-01T22:00:00Z", EventStatus::Cancelled)],
            now,
        );
        assert!(
            ics.contains("DTSTART;TZID=America/New_York:20261101T170000\r\n"),
            "{ics}"
        );
        assert!(ics.contains("SUMMARY:Town hall\\; housing\\, water\r\n"));
        assert!(ics.contains("DESCRIPTION:Line one\\nLine two\r\n"));
        assert!(ics.contains("STATUS:CANCELLED\r\n"));
        assert!(ics.contains("SEQUENCE:3\r\n"));
        assert!(ics.contains("X-WR-CALNAME:River\\, Caucus\r\n"));
        // the fall-back transition of 2026-11-01 06:00 UTC is in the zone
        assert!(
            ics.contains("DTSTART:20261101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\n"),
            "{ics}"
        );
        assert!(ics.lines().all(|l| l.len() <= 75));
    }

    #[test]
    fn long_lines_fold_without_splitting_characters() {
        let mut out = String::new();
        let line = format!("DESCRIPTION:{}", "é".repeat(100));
        fold(&line, &mut out);
        for l in out.split("\r\n") {
            assert!(l.len() <= 75);
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded.trim_end(), line);
    }
}
