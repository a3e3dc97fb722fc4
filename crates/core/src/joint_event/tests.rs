//! Tests of the joint event rules: proposals, hosts' answers, RSVPs, reminders and local times.

use super::*;
use proptest::prelude::*;

fn at(s: &str) -> DateTime<Utc> {
    parse_time("t", s).unwrap()
}

fn slugs(v: &[&str]) -> Vec<Slug> {
    v.iter().map(|s| Slug::parse(s).unwrap()).collect()
}

fn good() -> Proposal {
    Proposal {
        kind: "town_hall".into(),
        title: "Town hall on housing".into(),
        description: "Two candidates, one stage.".into(),
        starts_at: "2026-09-01T18:00:00-04:00".into(),
        ends_at: "2026-09-01T20:00:00-04:00".into(),
        timezone: "America/New_York".into(),
        location: Some(Location {
            venue: "Union Hall".into(),
            address: "12 Main St".into(),
            city: "Albany".into(),
            state: "ny".into(),
            zip: "12207".into(),
        }),
        online_url: None,
        hosts: vec!["ana".into(), "ben".into()],
        capacity: Some(100),
    }
}

const NOW: &str = "2026-06-01T00:00:00Z";

fn field_of(p: &Proposal) -> String {
    check_proposal(p, &slugs(&["ana", "ben", "cy"]), at(NOW))
        .unwrap_err()
        .field
}

#[test]
fn a_good_proposal_passes_and_is_normalised() {
    let c = check_proposal(&good(), &slugs(&["ana", "ben", "cy"]), at(NOW)).unwrap();
    assert_eq!(c.kind, EventKind::TownHall);
    assert_eq!(c.schedule.starts_at, at("2026-09-01T22:00:00Z"));
    assert_eq!(c.schedule.location.as_ref().unwrap().state, "NY");
    assert_eq!(c.hosts, slugs(&["ana", "ben"]));
}

#[test]
fn each_bad_field_is_named() {
    type Mutation = Box<dyn Fn(&mut Proposal)>;
    let cases: Vec<(Mutation, &str)> = vec![
        (Box::new(|p| p.kind = "rally".into()), "kind"),
        (Box::new(|p| p.title = "  ".into()), "title"),
        (Box::new(|p| p.starts_at = "tomorrow".into()), "starts_at"),
        (
            Box::new(|p| p.ends_at = "2026-09-01T17:00:00-04:00".into()),
            "ends_at",
        ),
        (Box::new(|p| p.ends_at = p.starts_at.clone()), "ends_at"),
        (
            Box::new(|p| {
                p.starts_at = "2026-05-01T18:00:00Z".into();
                p.ends_at = "2026-05-01T19:00:00Z".into();
            }),
            "starts_at",
        ),
        (
            Box::new(|p| p.timezone = "Mars/Olympus_Mons".into()),
            "timezone",
        ),
        (Box::new(|p| p.hosts = vec!["ana".into()]), "hosts"),
        (
            Box::new(|p| p.hosts = vec!["ana".into(), "zed".into()]),
            "hosts[1]",
        ),
        (
            Box::new(|p| p.hosts = vec!["ana".into(), "ana".into()]),
            "hosts[1]",
        ),
        (
            Box::new(|p| p.hosts = vec!["Not A Slug".into(), "ana".into()]),
            "hosts[0]",
        ),
        (Box::new(|p| p.capacity = Some(0)), "capacity"),
        (Box::new(|p| p.capacity = Some(-3)), "capacity"),
        (
            Box::new(|p| {
                p.location = None;
                p.online_url = Some("http://example.org/live".into());
            }),
            "online_url",
        ),
        (
            Box::new(|p| p.online_url = Some("javascript:alert(1)".into())),
            "online_url",
        ),
        (
            Box::new(|p| p.online_url = Some("https://".into())),
            "online_url",
        ),
        (Box::new(|p| p.location = None), "location"),
        (
            Box::new(|p| p.location.as_mut().unwrap().zip = "1220".into()),
            "location.zip",
        ),
    ];
    for (i, (mutate, field)) in cases.iter().enumerate() {
        let mut p = good();
        mutate(&mut p);
        assert_eq!(field_of(&p), *field, "case {i}");
    }
}

#[test]
fn online_only_is_fine_with_https() {
    let mut p = good();
    p.location = None;
    p.online_url = Some("https://stream.example.org/live?x=1".into());
    let c = check_proposal(&p, &slugs(&["ana", "ben"]), at(NOW)).unwrap();
    assert_eq!(
        c.schedule.online_url.as_deref(),
        Some("https://stream.example.org/live?x=1")
    );
}

#[test]
fn hosts_confirm_then_public_and_a_decline_ends_it() {
    use HostAnswer::*;
    assert_eq!(
        status_after(EventStatus::Proposed, &[Confirmed, Pending]),
        EventStatus::Proposed
    );
    assert_eq!(
        status_after(EventStatus::Proposed, &[Confirmed, Confirmed]),
        EventStatus::Confirmed
    );
    assert_eq!(
        status_after(EventStatus::Proposed, &[Declined, Confirmed]),
        EventStatus::Declined
    );
    assert_eq!(
        status_after(EventStatus::Confirmed, &[Declined, Confirmed]),
        EventStatus::Cancelled
    );
    assert_eq!(
        status_after(EventStatus::Held, &[Declined, Confirmed]),
        EventStatus::Held
    );
}

#[test]
fn rsvp_fields_are_named() {
    let ok = RsvpForm {
        name: "Ana".into(),
        email: "ana@example.org".into(),
        zip: "12207".into(),
        referral: Some("unions-ny".into()),
    };
    assert!(check_rsvp(&ok).is_ok());
    for (f, field) in [
        (
            RsvpForm {
                email: "not-an-email".into(),
                ..ok.clone()
            },
            "email",
        ),
        (
            RsvpForm {
                name: " ".into(),
                ..ok.clone()
            },
            "name",
        ),
        (
            RsvpForm {
                zip: "ABCDE".into(),
                ..ok.clone()
            },
            "zip",
        ),
        (
            RsvpForm {
                referral: Some("a b".into()),
                ..ok.clone()
            },
            "ref",
        ),
    ] {
        assert_eq!(check_rsvp(&f).unwrap_err().field, field);
    }
}

#[test]
fn reminders_at_a_day_and_an_hour() {
    let start = at("2026-09-01T22:00:00Z");
    assert_eq!(
        reminder_due(start, at("2026-08-30T22:00:00Z"), false, false),
        None
    );
    assert_eq!(
        reminder_due(start, at("2026-08-31T23:00:00Z"), false, false),
        Some(Reminder::Day)
    );
    assert_eq!(
        reminder_due(start, at("2026-08-31T23:00:00Z"), true, false),
        None
    );
    assert_eq!(
        reminder_due(start, at("2026-09-01T21:30:00Z"), true, false),
        Some(Reminder::Hour)
    );
    assert_eq!(
        reminder_due(start, at("2026-09-01T21:30:00Z"), false, false),
        Some(Reminder::Hour)
    );
    assert_eq!(
        reminder_due(start, at("2026-09-01T21:30:00Z"), true, true),
        None
    );
    assert_eq!(
        reminder_due(start, at("2026-09-01T22:00:00Z"), false, false),
        None
    );
}

#[test]
fn local_time_in_the_events_zone() {
    let tz = parse_timezone("America/New_York").unwrap();
    assert_eq!(
        local_text(at("2026-09-01T22:00:00Z"), tz),
        "Tue Sep 1, 2026, 6:00 PM EDT"
    );
    assert_eq!(offset_at(tz, at("2026-12-01T22:00:00Z")), -5 * 3600);
}

proptest! {
    /// Going never passes capacity, and promotion fills exactly the free seats.
    #[test]
    fn seats_never_exceed_capacity(cap in 1i64..50, arrivals in 0i64..120, cancels in 0i64..60) {
        let mut going = 0i64;
        let mut waiting = 0i64;
        for _ in 0..arrivals {
            match seat_for(going, Some(cap)) {
                RsvpStatus::Going => going += 1,
                _ => waiting += 1,
            }
        }
        prop_assert!(going <= cap);
        prop_assert_eq!(going + waiting, arrivals);
        let cancels = cancels.min(going);
        going -= cancels;
        let promoted = seats_free(going, Some(cap), waiting);
        going += promoted;
        waiting -= promoted;
        prop_assert!(going <= cap);
        prop_assert!(waiting == 0 || going == cap);
    }

    /// Every reminder is sent at most once and never after the start.
    #[test]
    fn each_reminder_at_most_once(steps in proptest::collection::vec(1i64..600, 1..200)) {
        let start = at("2026-09-01T22:00:00Z");
        let mut now = start - Duration::hours(30);
        let (mut day, mut hour) = (0, 0);
        for s in steps {
            match reminder_due(start, now, day > 0, hour > 0) {
                Some(Reminder::Day) => { day += 1; prop_assert!(now < start); }
                Some(Reminder::Hour) => { hour += 1; prop_assert!(now < start); }
                None => {}
            }
            now += Duration::minutes(s);
        }
        prop_assert!(day <= 1 && hour <= 1);
    }

    /// Any ordering of times: accepted only when start is future and before end.
    #[test]
    fn time_rules(start_h in -100i64..100, len_h in -10i64..30) {
        let now = at(NOW);
        let mut p = good();
        let s = now + Duration::hours(start_h);
        p.starts_at = s.to_rfc3339();
        p.ends_at = (s + Duration::hours(len_h)).to_rfc3339();
        let r = check_proposal(&p, &slugs(&["ana", "ben"]), now);
        prop_assert_eq!(r.is_ok(), start_h > 0 && len_h > 0);
    }
}
