//! The weekly check-in file, read back by an independent iCalendar parser
//! (the `icalendar` package from PyPI, installed by ./scripts/test).

use chrono::NaiveDate;
use cohort_matching::ics::{weekly_checkin, CheckIn, IcsError, Person};
use cohort_matching::UtcOffset;
use cohort_testkit::python::run_python;

/// Reads the calendar with Python's `icalendar` and prints what it understood
/// as JSON; parse problems it records (it is lenient) are reported too.
const READ_BACK: &str = r#"
import json, sys
try:
    import icalendar
except ImportError:
    sys.exit("MISSING_ICALENDAR")
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
events = cal.walk("VEVENT")
e = events[0]
att = e.get("ATTENDEE")
att = att if isinstance(att, list) else [att]
print(json.dumps({
    "errors": [str(x) for c in cal.walk() for x in c.errors],
    "version": str(cal["VERSION"]),
    "events": len(events),
    "uid": str(e["UID"]),
    "dtstamp": e["DTSTAMP"].dt.isoformat(),
    "dtstart": e["DTSTART"].dt.isoformat(),
    "duration_s": e["DURATION"].dt.total_seconds(),
    "rrule": {k: [str(v) for v in vs] for k, vs in e["RRULE"].items()},
    "summary": str(e["SUMMARY"]),
    "description": str(e["DESCRIPTION"]),
    "location": str(e["LOCATION"]),
    "organizer": [str(e["ORGANIZER"]), str(e["ORGANIZER"].params["CN"])],
    "attendees": [[str(a), str(a.params["CN"])] for a in att],
}))
"#;

fn read_back(ics: &str) -> serde_json::Value {
    let out = run_python(["-c", READ_BACK], Some(ics.as_bytes()));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "icalendar could not read the file:\n{stderr}\n{ics}"
    );
    serde_json::from_slice(&out.stdout).expect("JSON from the reader")
}

fn checkin() -> CheckIn {
    CheckIn {
        uid: "team-42-checkin@cohort.example".into(),
        dtstamp: NaiveDate::from_ymd_opt(2028, 2, 20).unwrap().and_hms_opt(9, 30, 0).unwrap(),
        // Tuesdays 19:00 in UTC−8 are Wednesdays 03:00 UTC.
        first: NaiveDate::from_ymd_opt(2028, 3, 7).unwrap().and_hms_opt(19, 0, 0).unwrap(),
        utc_offset: UtcOffset::from_hours(-8).unwrap(),
        duration_minutes: 30,
        weeks: 12,
        summary: "Website team, Okafor for Congress: weekly check-in".into(),
        description: "Agenda: shipped; blocked; next.\nToolkits: team lead, front-end engineer, copywriter, analyst.\n\
                      Mentor: Rosa Martínez (20 years of campaigns) — C:\\notes; «bring questions»"
            .repeat(2),
        location: Some("https://meet.example/okafor-web, room 3".into()),
        organizer: Person {
            name: "Ana \"Lead\" Díaz".into(),
            email: "ana@example.org".into(),
        },
        attendees: vec![
            Person {
                name: "Ben Ito".into(),
                email: "ben@example.org".into(),
            },
            Person {
                name: "Cai Wong, PhD".into(),
                email: "cai@example.org".into(),
            },
        ],
    }
}

#[test]
fn a_real_icalendar_parser_reads_every_field_back() {
    let c = checkin();
    let ics = weekly_checkin(&c).unwrap();
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "line of {} octets: {line:?}", line.len());
    }
    assert!(ics.ends_with("END:VCALENDAR\r\n") && !ics.replace("\r\n", "").contains('\n'));

    let got = read_back(&ics);
    assert_eq!(got["errors"], serde_json::json!([]), "{ics}");
    assert_eq!(got["version"], "2.0");
    assert_eq!(got["events"], 1);
    assert_eq!(got["uid"], c.uid);
    assert_eq!(got["dtstamp"], "2028-02-20T09:30:00+00:00");
    assert_eq!(got["dtstart"], "2028-03-08T03:00:00+00:00");
    assert_eq!(got["duration_s"], 1800.0);
    assert_eq!(
        got["rrule"],
        serde_json::json!({"FREQ": ["WEEKLY"], "COUNT": ["12"]})
    );
    assert_eq!(got["summary"], c.summary);
    assert_eq!(got["description"], c.description);
    assert_eq!(got["location"], c.location.clone().unwrap());
    assert_eq!(
        got["organizer"],
        serde_json::json!(["mailto:ana@example.org", "Ana Lead Díaz"])
    );
    assert_eq!(
        got["attendees"],
        serde_json::json!([
            ["mailto:ben@example.org", "Ben Ito"],
            ["mailto:cai@example.org", "Cai Wong, PhD"]
        ])
    );
}

#[test]
fn nonsense_is_refused_before_it_reaches_a_calendar() {
    let mut c = checkin();
    c.weeks = 0;
    assert_eq!(weekly_checkin(&c), Err(IcsError::NoWeeks));
    let mut c = checkin();
    c.attendees[0].email = "ben@example.org\r\nX-EVIL:1".into();
    assert!(matches!(weekly_checkin(&c), Err(IcsError::BadEmail(_))));
}
