//! Skilled volunteer teams in the app (issue 5), over real HTTP on both
//! backends: profiles, who may post needs, the pool (unlocked hours pledges
//! only), the preview against `cohort_matching`'s optimum, pins, confirming
//! (emails over real SMTP with the check-in attached, read back by Python's
//! `email` and `icalendar`), hours logged and the public totals.

use cohort_testkit as common;

use std::collections::HashMap;

use cohort_engine::teams::MatchPreview;
use cohort_engine::Actor;
use cohort_matching::{assign, Level, Need, UtcOffset, Volunteer};
use cohort_store::Role;
use common::python::run_python;
use common::{seed, TestApp, SLATE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    profiles_are_checked_field_by_field_and_never_half_saved,
    only_organizers_and_signed_campaigns_post_their_own_needs,
    the_pool_is_unlocked_hours_pledgers_and_the_preview_is_optimal,
    pins_are_respected_and_impossible_ones_refused,
    confirming_emails_each_member_and_lead_with_a_calendar_file,
    hours_are_logged_weekly_and_totals_stay_anonymous,
    toolkits_are_edited_per_slate_and_travel_as_text,
    hours_pledgers_without_a_profile_are_invited_and_reminded,
);

// ---------------------------------------------------------------- a browser without JavaScript

/// Someone using the pages: a session cookie (from an emailed sign-in link)
/// and the CSRF token a page of theirs carries, put in every form.
struct Person<'a> {
    app: &'a TestApp,
    session: Option<String>,
}

struct Page {
    status: StatusCode,
    location: String,
    body: String,
}

impl<'a> Person<'a> {
    fn public(app: &'a TestApp) -> Self {
        Person { app, session: None }
    }

    /// Signed in by the link emailed to `email` (the account is made then).
    async fn signed_in(app: &'a TestApp, email: &str) -> Self {
        Person {
            app,
            session: Some(app.session_for(email).await),
        }
    }

    async fn actor(&self) -> Actor {
        self.app
            .engine
            .session(self.session.as_deref().expect("signed in"))
            .await
            .expect("a session")
    }

    async fn send(&self, method: Method, path: &str, form: &[(&str, &str)]) -> Page {
        let (cookies, csrf) = self.app.form_credentials(self.session.as_deref()).await;
        let mut req = self
            .app
            .client
            .request(method.clone(), self.app.url(path))
            .header("cookie", cookies);
        if method == Method::POST {
            let mut fields = vec![("csrf", csrf.as_str())];
            fields.extend_from_slice(form);
            req = req.form(&fields);
        }
        let res = req.send().await.expect("an answer");
        let status = res.status();
        let location = res
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap_or("").to_owned())
            .unwrap_or_default();
        Page {
            status,
            location,
            body: res.text().await.expect("a body"),
        }
    }

    async fn get(&self, path: &str) -> Page {
        self.send(Method::GET, path, &[]).await
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        self.send(Method::POST, path, form).await
    }
}

// ---------------------------------------------------------------- fixtures

async fn sign(app: &TestApp, who: &str) {
    let version = app.get(&format!("/api/slates/{SLATE}")).await.1["compact"]["version"].as_i64();
    common::sign_as(app, who, version.expect("a compact version")).await;
}

/// An hours pledge from `email`, unlocking once `condition` holds.
async fn pledge_hours(
    app: &TestApp,
    email: &str,
    name: &str,
    hours: u32,
    weeks: u32,
    condition: &str,
) -> Value {
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/slates/{SLATE}/pledges"),
            None,
            Some(&json!({
                "kind": "hours", "hours_per_week": hours, "weeks": weeks, "skills": [],
                "condition": condition, "deadline": "2028-10-01",
                "donor": {"email": email, "name": name, "zip": "19104", "attests_eligible": true}
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn pledge_money(app: &TestApp, email: &str) {
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/slates/{SLATE}/pledges"),
            None,
            Some(&json!({
                "kind": "money", "amount_cents": 5000, "recurring": "once", "deadline": "2028-10-01",
                "condition": "signed(\"ada-reyes\")",
                "donor": {"email": email, "name": "Mo Ney", "zip": "10001", "attests_eligible": true}
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// A volunteer profile saved through the form (one argument per field).
#[allow(clippy::too_many_arguments)]
async fn profile(
    p: &Person<'_>,
    skills: &[(&str, &str)],
    hours: &str,
    weeks: &str,
    utc: &str,
    state: &str,
    remote: bool,
    mentor: bool,
) -> Page {
    let mut form: Vec<(String, String)> = skills
        .iter()
        .map(|(s, l)| (format!("skill.{s}"), (*l).to_owned()))
        .collect();
    form.extend([
        ("hours_per_week".into(), hours.into()),
        ("weeks".into(), weeks.into()),
        ("utc_offset".into(), utc.into()),
        ("state".into(), state.into()),
        (
            "remote".into(),
            if remote { "remote" } else { "local" }.into(),
        ),
        ("languages".into(), "English, Español".into()),
    ]);
    if mentor {
        form.push(("can_mentor".into(), "yes".into()));
    }
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    p.post("/me/volunteer", &refs).await
}

/// Post a team from a template with its defaults, changing `edits`
/// (`(role index, field, value)`), as `who`.
async fn post_team(
    who: &Person<'_>,
    candidate: &str,
    kind: &str,
    edits: &[(usize, &str, &str)],
) -> Page {
    let form = who
        .get(&format!(
            "/slates/{SLATE}/teams/needs?candidate={candidate}&kind={kind}"
        ))
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    // Read the defaults back out of the form, as a browser would submit them.
    let mut fields: Vec<(String, String)> = vec![
        ("candidate".into(), candidate.into()),
        ("kind".into(), kind.into()),
    ];
    let roles = form.body.matches("<fieldset class=\"role\">").count();
    fields.push(("roles".into(), roles.to_string()));
    for i in 0..roles {
        fields.push((format!("r{i}.include"), "yes".into()));
        for name in [
            "min_level",
            "hours_per_week",
            "weeks",
            "utc_offset",
            "state",
            "priority",
        ] {
            fields.push((
                format!("r{i}.{name}"),
                input_value(&form.body, &format!("r{i}.{name}")),
            ));
        }
        fields.push((
            format!("r{i}.skill"),
            input_value(&form.body, &format!("r{i}.skill")),
        ));
        if form
            .body
            .contains(&format!("name=\"r{i}.remote_ok\" value=\"yes\" checked"))
        {
            fields.push((format!("r{i}.remote_ok"), "yes".into()));
        }
    }
    for (i, name, value) in edits {
        let key = format!("r{i}.{name}");
        fields.retain(|(k, _)| *k != key);
        if !value.is_empty() {
            fields.push((key, (*value).to_owned()));
        }
    }
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    who.post(&format!("/slates/{SLATE}/teams/needs"), &refs)
        .await
}

/// The value a form field shows: an input's `value`, or a select's selected option.
fn input_value(body: &str, name: &str) -> String {
    let at = body
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no field {name}"));
    let rest = &body[at..];
    if let Some(v) = rest.split_once("value=\"") {
        let tag_end = rest.find('>').unwrap_or(rest.len());
        if rest.find("value=\"").is_some_and(|i| i < tag_end) {
            return v.1.split('"').next().unwrap_or("").to_owned();
        }
    }
    let select = &rest[..rest.find("</select>").expect("a select")];
    let selected = select.find(" selected").expect("a selected option");
    let open = select[..selected]
        .rfind("value=\"")
        .expect("an option value")
        + 7;
    select[open..].split('"').next().unwrap_or("").to_owned()
}

/// A slate whose condition (`signers >= 1`) Ada's signature meets, with
/// the organizer and Ada's campaign account signed in.
async fn slate_with_organizer(app: &TestApp) -> (Person<'_>, Person<'_>) {
    seed(app, "signers >= 1").await;
    let e = &app.engine;
    e.grant("org@example.org", Role::Organizer, Some(SLATE), None)
        .await
        .expect("grant");
    e.grant(
        "ada@example.org",
        Role::Candidate,
        Some(SLATE),
        Some("ada-reyes"),
    )
    .await
    .expect("grant");
    (
        Person::signed_in(app, "org@example.org").await,
        Person::signed_in(app, "ada@example.org").await,
    )
}

/// Volunteers of the standard scenario: `(email, name, skills, hours, weeks, utc, state, remote, mentor)`.
type Spec = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    u32,
    u32,
    &'static str,
    &'static str,
    bool,
    bool,
);
const VOLUNTEERS: &[Spec] = &[
    (
        "lena@example.org",
        "Lena Park",
        &[("team-lead", "3"), ("copywriting", "2")],
        8,
        12,
        "-5",
        "NY",
        true,
        false,
    ),
    (
        "omar@example.org",
        "Omar Haddad",
        &[("front-end", "3"), ("back-end", "2")],
        6,
        10,
        "-6",
        "IL",
        true,
        false,
    ),
    (
        "ruth@example.org",
        "Ruth Abebe",
        &[("copywriting", "3")],
        5,
        8,
        "-5",
        "PA",
        true,
        true,
    ),
    (
        "sam@example.org",
        "Sam Ortiz",
        &[("data-analysis", "2"), ("team-lead", "2")],
        10,
        16,
        "-8",
        "CA",
        true,
        false,
    ),
    (
        "tia@example.org",
        "Tia Nguyen",
        &[("data-analysis", "3")],
        4,
        8,
        "-5",
        "NY",
        false,
        false,
    ),
    (
        "ugo@example.org",
        "Ugo Bello",
        &[("front-end", "2")],
        6,
        12,
        "-5",
        "NY",
        true,
        true,
    ),
];

/// Pledges and profiles for the scenario: every volunteer pledges hours
/// that unlock when Ada signs; a money pledger and a pledger whose hours
/// are still pending also have profiles and must stay out of the pool.
async fn volunteers(app: &TestApp) -> Vec<Person<'_>> {
    let mut people = Vec::new();
    for (email, name, skills, hours, weeks, utc, state, remote, mentor) in VOLUNTEERS {
        pledge_hours(app, email, name, *hours, *weeks, "signed(\"ada-reyes\")").await;
        let p = Person::signed_in(app, email).await;
        let saved = profile(
            &p,
            skills,
            &hours.to_string(),
            &weeks.to_string(),
            utc,
            state,
            *remote,
            *mentor,
        )
        .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        people.push(p);
    }
    pledge_money(app, "money@example.org").await;
    pledge_hours(
        app,
        "later@example.org",
        "Lay Ter",
        9,
        20,
        "signed(\"cy-lindqvist\")",
    )
    .await;
    for email in ["money@example.org", "later@example.org"] {
        let p = Person::signed_in(app, email).await;
        let saved = profile(
            &p,
            &[("front-end", "3"), ("team-lead", "3")],
            "20",
            "30",
            "-5",
            "NY",
            true,
            true,
        )
        .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    }
    people
}

async fn preview(org: &Person<'_>) -> MatchPreview {
    org.app
        .engine
        .match_preview(&org.actor().await, SLATE)
        .await
        .expect("a preview")
}

/// The same problem, built from the scenario's own numbers and the needs the
/// page lists, solved by `cohort_matching` directly.
fn model(p: &MatchPreview, needs: &[NeedSpec], skip: &[&str]) -> (Vec<Volunteer>, Vec<Need>) {
    let vols = p
        .volunteers
        .iter()
        .filter(|(_, name)| !skip.contains(&name.as_str()))
        .map(|(id, name)| {
            let (_, _, skills, hours, weeks, utc, state, remote, mentor) = VOLUNTEERS
                .iter()
                .find(|v| v.1 == name)
                .unwrap_or_else(|| panic!("{name} is not a volunteer of the scenario"));
            Volunteer {
                id: id.to_string(),
                skills: skills
                    .iter()
                    .map(|(s, l)| ((*s).to_owned(), Level::new(l.parse().unwrap()).unwrap()))
                    .collect(),
                hours_per_week: *hours,
                weeks: *weeks,
                utc_offset: UtcOffset::parse(utc).unwrap(),
                state: (*state).into(),
                remote: *remote,
                languages: vec![],
                can_mentor: *mentor,
                past_teams: vec![],
            }
        })
        .collect();
    let needs = p
        .roles
        .iter()
        .filter(|(_, label)| !skip.contains(&label.as_str()))
        .map(|(id, label)| {
            let role = label.rsplit(" · ").next().unwrap();
            let (_, skill, min, hours, weeks, utc, state, remote_ok, priority) = needs
                .iter()
                .find(|n| n.0 == role)
                .unwrap_or_else(|| panic!("unexpected role {label}"));
            Need {
                id: id.to_string(),
                campaign: "ada".into(),
                role: role.into(),
                skill: (*skill).into(),
                min_level: Level::new(*min).unwrap(),
                hours_per_week: *hours,
                weeks: *weeks,
                utc_offset: UtcOffset::from_hours(*utc).unwrap(),
                state: (*state).into(),
                remote_ok: *remote_ok,
                priority: *priority,
            }
        })
        .collect();
    (vols, needs)
}

/// The website team's defaults for Ada (NY): 5 h/week, 8 weeks, UTC−5, NY,
/// remote fine, lead priority 3, others 2; the analyst role is edited to be
/// local to New York.
/// `(role, skill, min level, hours, weeks, UTC offset, state, remote ok, priority)`.
type NeedSpec = (
    &'static str,
    &'static str,
    u8,
    u32,
    u32,
    i32,
    &'static str,
    bool,
    u32,
);
const WEB_NEEDS: &[NeedSpec] = &[
    ("team lead", "team-lead", 2, 5, 8, -5, "NY", true, 3),
    (
        "front-end engineer",
        "front-end",
        2,
        5,
        8,
        -5,
        "NY",
        true,
        2,
    ),
    ("copywriter", "copywriting", 2, 5, 8, -5, "NY", true, 2),
    ("analyst", "data-analysis", 2, 5, 8, -5, "NY", false, 2),
];

async fn scenario(app: &TestApp) -> (Person<'_>, Person<'_>, Vec<Person<'_>>) {
    let (org, ada) = slate_with_organizer(app).await;
    let people = volunteers(app).await;
    sign(app, "ada-reyes").await;
    let posted = post_team(&ada, "ada-reyes", "web", &[(3, "remote_ok", "")]).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    (org, ada, people)
}

/// Parse a raw email with Python's `email` package, find the calendar part
/// and read it with `icalendar`.
const READ_MAIL: &str = r#"
import json, sys, email
from email import policy
try:
    import icalendar
except ImportError:
    sys.exit("MISSING_ICALENDAR")
msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
text = msg.get_body(preferencelist=("plain",)).get_content()
parts = [p for p in msg.iter_attachments() if p.get_content_type() == "text/calendar"]
cal = icalendar.Calendar.from_ical(parts[0].get_content().encode() if isinstance(parts[0].get_content(), str) else parts[0].get_content())
e = cal.walk("VEVENT")[0]
att = e.get("ATTENDEE")
att = att if isinstance(att, list) else [att]
print(json.dumps({
    "text": text,
    "filename": parts[0].get_filename(),
    "errors": [str(x) for c in cal.walk() for x in c.errors],
    "summary": str(e["SUMMARY"]),
    "rrule": {k: [str(v) for v in vs] for k, vs in e["RRULE"].items()},
    "dtstart": e["DTSTART"].dt.isoformat(),
    "organizer": str(e["ORGANIZER"]),
    "attendees": [str(a) for a in att],
}))
"#;

fn read_mail(raw: &str) -> Value {
    let out = run_python(["-c", READ_MAIL], Some(raw.as_bytes()));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "Python could not read the email:\n{stderr}\n{raw}"
    );
    serde_json::from_slice(&out.stdout).expect("JSON from the reader")
}

// ---------------------------------------------------------------- tests

async fn profiles_are_checked_field_by_field_and_never_half_saved(app: TestApp) {
    let p = Person::signed_in(&app, "vol@example.org").await;
    let page = p.get("/me/volunteer").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Data analysis") && page.body.contains("name=\"skill.data-analysis\"")
    );
    type Case<'a> = (
        &'a [(&'a str, &'a str)],
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        &'a str,
    );
    let cases: [Case; 6] = [
        (
            &[("copywriting", "2")],
            "0",
            "8",
            "-5",
            "PA",
            "hours per week",
        ),
        (
            &[("copywriting", "2")],
            "5",
            "lots",
            "-5",
            "PA",
            "weeks available",
        ),
        (&[("copywriting", "2")], "5", "8", "-15", "PA", "UTC offset"),
        (
            &[("copywriting", "2")],
            "5",
            "8",
            "-5",
            "Pennsylvania",
            "state",
        ),
        (
            &[("copywriting", "4")],
            "5",
            "8",
            "-5",
            "PA",
            "Copywriting level",
        ),
        (&[("juggling", "2")], "5", "8", "-5", "PA", "skill juggling"),
    ];
    for (skills, hours, weeks, utc, state, field) in cases {
        let bad = profile(&p, skills, hours, weeks, utc, state, true, false).await;
        assert_eq!(
            bad.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            bad.body
        );
        assert!(
            bad.body.contains(field),
            "the problem names {field:?}: {}",
            bad.body
        );
        assert!(
            bad.body.contains(&format!("value=\"{hours}\"")),
            "what they typed stays in the form"
        );
    }
    let none = profile(&p, &[], "5", "8", "-5", "PA", true, false).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.body.contains("skills"), "{}", none.body);
    let view = app
        .engine
        .volunteer_profile(&p.actor().await)
        .await
        .expect("a view");
    assert!(!view.exists, "no refused form saved anything");

    let ok = profile(
        &p,
        &[("copywriting", "2"), ("press", "3")],
        "6",
        "10",
        "+5:30",
        "pa",
        false,
        true,
    )
    .await;
    assert_eq!(
        (ok.status, ok.location.as_str()),
        (StatusCode::SEE_OTHER, "/me/volunteer?notice=saved")
    );
    let view = app
        .engine
        .volunteer_profile(&p.actor().await)
        .await
        .expect("a view");
    assert!(view.exists && view.can_mentor && !view.remote);
    assert_eq!(
        (
            view.hours_per_week.as_str(),
            view.weeks.as_str(),
            view.utc_offset.as_str(),
            view.state.as_str()
        ),
        ("6", "10", "+5:30", "PA")
    );
    assert_eq!(view.languages, "English, Español");
    let levels: HashMap<&str, u8> = view
        .skills
        .iter()
        .map(|s| (s.slug.as_str(), s.level))
        .collect();
    assert_eq!(
        (levels["copywriting"], levels["press"], levels["front-end"]),
        (2, 3, 0)
    );
    // A later bad edit leaves the saved profile as it was.
    let bad = profile(
        &p,
        &[("copywriting", "3")],
        "6",
        "10",
        "+5:30",
        "PA",
        true,
        true,
    )
    .await;
    assert_eq!(bad.status, StatusCode::SEE_OTHER);
    let bad = profile(
        &p,
        &[("copywriting", "1")],
        "999",
        "10",
        "+5:30",
        "PA",
        true,
        true,
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let view = app
        .engine
        .volunteer_profile(&p.actor().await)
        .await
        .expect("a view");
    assert_eq!(
        view.skills
            .iter()
            .find(|s| s.slug == "copywriting")
            .map(|s| s.level),
        Some(3)
    );
    // The public is sent to sign in; a forged form changes nothing.
    assert_eq!(
        Person::public(&app).get("/me/volunteer").await.status,
        StatusCode::SEE_OTHER
    );
    let forged = app
        .client
        .post(app.url("/me/volunteer"))
        .header(
            "cookie",
            format!(
                "cohort_csrf=a; cohort_session={}",
                p.session.as_deref().unwrap()
            ),
        )
        .form(&[
            ("csrf", "b"),
            ("skill.press", "1"),
            ("hours_per_week", "1"),
            ("weeks", "1"),
            ("utc_offset", "0"),
            ("state", "PA"),
        ])
        .send()
        .await
        .expect("an answer");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
}

async fn only_organizers_and_signed_campaigns_post_their_own_needs(app: TestApp) {
    let (org, ada) = slate_with_organizer(&app).await;
    app.engine
        .grant(
            "ben@example.org",
            Role::Candidate,
            Some(SLATE),
            Some("ben-okafor"),
        )
        .await
        .expect("grant");
    let ben = Person::signed_in(&app, "ben@example.org").await;
    let supporter = Person::signed_in(&app, "sup@example.org").await;
    let count = || async {
        app.engine
            .needs_board(&org.actor().await, SLATE, None)
            .await
            .expect("board")
            .teams
            .len()
    };

    // Before Ada signs, her campaign can't post, even for itself.
    let board = ada.get(&format!("/slates/{SLATE}/teams/needs")).await;
    assert_eq!(board.status, StatusCode::OK);
    assert!(board.body.contains("once they sign"), "{}", board.body);
    let early = app
        .engine
        .post_team(
            &ada.actor().await,
            SLATE,
            cohort_engine::teams::TeamInput {
                candidate: "ada-reyes".into(),
                kind: "web".into(),
                roles: vec![],
            },
        )
        .await;
    assert!(
        matches!(early, Err(cohort_engine::EngineError::Forbidden(_))),
        "{early:?}"
    );
    sign(&app, "ada-reyes").await;
    assert_eq!(
        post_team(&ada, "ada-reyes", "web", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(count().await, 1);
    // Not for another campaign, signed or not.
    sign(&app, "ben-okafor").await;
    let form = ada
        .get(&format!(
            "/slates/{SLATE}/teams/needs?candidate=ben-okafor&kind=ads"
        ))
        .await;
    assert_eq!(
        form.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        form.body
    );
    let ben_as_ada = ada
        .post(
            &format!("/slates/{SLATE}/teams/needs"),
            &[
                ("candidate", "ben-okafor"),
                ("kind", "data"),
                ("roles", "0"),
            ],
        )
        .await;
    assert_eq!(
        ben_as_ada.status,
        StatusCode::FORBIDDEN,
        "{}",
        ben_as_ada.body
    );
    assert_eq!(
        post_team(&ben, "ben-okafor", "ads", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    // Supporters and the public can't; organizers can for anyone (even unsigned Cy).
    let sup = supporter
        .post(
            &format!("/slates/{SLATE}/teams/needs"),
            &[("candidate", "ada-reyes"), ("kind", "web"), ("roles", "0")],
        )
        .await;
    assert_eq!(sup.status, StatusCode::FORBIDDEN);
    assert_eq!(
        supporter
            .get(&format!("/slates/{SLATE}/teams/needs"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let public = Person::public(&app)
        .post(
            &format!("/slates/{SLATE}/teams/needs"),
            &[("candidate", "ada-reyes"), ("kind", "web"), ("roles", "0")],
        )
        .await;
    assert_eq!(public.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        post_team(&org, "cy-lindqvist", "field", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(count().await, 3);
    // Bad values name the role and field; nothing is written.
    let bad = post_team(&org, "cy-lindqvist", "data", &[(1, "hours_per_week", "0")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("data engineer hours per week"),
        "{}",
        bad.body
    );
    let bad = post_team(&org, "cy-lindqvist", "data", &[(2, "skill", "juggling")]).await;
    assert!(bad.body.contains("analyst skill"), "{}", bad.body);
    assert_eq!(count().await, 3);
    // The defaults come from the template and the campaign's state.
    let needs = app
        .engine
        .needs_board(&org.actor().await, SLATE, Some(("cy-lindqvist", "field")))
        .await
        .expect("board");
    let form = needs.form.expect("a form");
    assert_eq!(form.roles[0].role, "field lead");
    assert_eq!(
        (
            form.roles[0].state.as_str(),
            form.roles[0].utc_offset.as_str(),
            form.roles[0].remote_ok
        ),
        ("MN", "-6", false)
    );
    // Organizers extend the taxonomy; campaigns can't.
    let added = org
        .post(
            &format!("/slates/{SLATE}/teams/skills"),
            &[
                ("slug", "spanish-outreach"),
                ("label", "Spanish-language outreach"),
                ("person", "Spanish-language organizer"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let again = org
        .post(
            &format!("/slates/{SLATE}/teams/skills"),
            &[
                ("slug", "spanish-outreach"),
                ("label", "x"),
                ("person", "y"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    let by_ada = ada
        .post(
            &format!("/slates/{SLATE}/teams/skills"),
            &[
                ("slug", "knitting"),
                ("label", "Knitting"),
                ("person", "knitter"),
            ],
        )
        .await;
    assert_eq!(by_ada.status, StatusCode::FORBIDDEN);
    assert!(
        supporter
            .get("/me/volunteer")
            .await
            .body
            .contains("name=\"skill.spanish-outreach\""),
        "volunteers can claim the new skill"
    );
}

async fn the_pool_is_unlocked_hours_pledgers_and_the_preview_is_optimal(app: TestApp) {
    let (org, _ada, _people) = scenario(&app).await;
    let p = preview(&org).await;
    let mut names: Vec<&str> = p.volunteers.iter().map(|(_, n)| n.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "Lena Park",
            "Omar Haddad",
            "Ruth Abebe",
            "Sam Ortiz",
            "Tia Nguyen",
            "Ugo Bello"
        ],
        "pending and money pledgers stay out"
    );
    assert_eq!((p.pool, p.available, p.open_needs), (6, 6, 4));
    let (vols, needs) = model(&p, WEB_NEEDS, &[]);
    let best = assign(&vols, &needs);
    best.check_optimality(&vols, &needs)
        .expect("cohort_matching is optimal");
    assert_eq!(p.total_score, best.total_score);
    let mut want: Vec<(i64, i64, u64)> = best
        .pairs
        .iter()
        .map(|x| {
            (
                needs[x.need].id.parse().unwrap(),
                vols[x.volunteer].id.parse().unwrap(),
                x.score,
            )
        })
        .collect();
    want.sort_unstable();
    let got: Vec<(i64, i64, u64)> = p
        .placements
        .iter()
        .map(|x| (x.need_id, x.volunteer_id, x.score))
        .collect();
    assert_eq!(got, want);
    assert!(best.filled() >= 3, "the scenario fills most roles: {got:?}");
    // The page says the same, and explains what stays unfilled.
    let page = org.get(&format!("/slates/{SLATE}/teams/match")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(&format!("<dd>{}</dd>", best.total_score)),
        "{}",
        page.body
    );
    for u in &p.unfilled {
        assert!(!u.reason.is_empty());
        assert!(page.body.contains(&u.reason), "{}", u.reason);
    }
    // A second, remote-hostile team: its analyst role can't be filled from UTC−8.
    let far = post_team(
        &org,
        "cy-lindqvist",
        "data",
        &[
            (0, "utc_offset", "-8"),
            (0, "state", "CA"),
            (1, "utc_offset", "-8"),
            (2, "utc_offset", "-8"),
            (2, "state", "CA"),
            (2, "remote_ok", ""),
            (2, "min_level", "3"),
        ],
    )
    .await;
    assert_eq!(far.status, StatusCode::SEE_OTHER, "{}", far.body);
    let p = preview(&org).await;
    let analyst = p
        .unfilled
        .iter()
        .find(|u| u.team.contains("Data team") && u.role == "analyst")
        .expect("the data analyst stays unfilled");
    assert!(
        analyst.reason.contains("data analyst"),
        "{}",
        analyst.reason
    );
    // Only organizers of this slate preview.
    let sup = Person::signed_in(&app, "lena@example.org").await;
    assert_eq!(
        sup.get(&format!("/slates/{SLATE}/teams/match"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

async fn pins_are_respected_and_impossible_ones_refused(app: TestApp) {
    let (org, _ada, _people) = scenario(&app).await;
    let p = preview(&org).await;
    let id_of = |name: &str| p.volunteers.iter().find(|v| v.1 == name).unwrap().0;
    let role_of = |role: &str| p.roles.iter().find(|r| r.1.ends_with(role)).unwrap().0;
    // Sam (UTC−8, expert nothing) as team lead instead of whoever the optimum chose.
    let (sam, lead) = (id_of("Sam Ortiz"), role_of("team lead"));
    let pinned = org
        .post(
            &format!("/slates/{SLATE}/teams/match/adjust"),
            &[
                ("need", &lead.to_string()),
                ("volunteer", &sam.to_string()),
                ("action", "pin"),
            ],
        )
        .await;
    assert_eq!(pinned.status, StatusCode::SEE_OTHER, "{}", pinned.body);
    let after = preview(&org).await;
    let on_lead = after
        .placements
        .iter()
        .find(|x| x.need_id == lead)
        .expect("the lead role is filled");
    assert_eq!((on_lead.volunteer_id, on_lead.pinned), (sam, true));
    // The rest is the optimum of the problem without Sam and the lead role.
    let (vols, needs) = model(&after, WEB_NEEDS, &["Sam Ortiz"]);
    let needs: Vec<Need> = needs
        .into_iter()
        .filter(|n| n.id != lead.to_string())
        .collect();
    let rest = assign(&vols, &needs);
    assert_eq!(after.total_score, on_lead.score + rest.total_score);

    // Tia works only locally in New York … and has no front-end skill.
    let tia = id_of("Tia Nguyen");
    let refused = org
        .post(
            &format!("/slates/{SLATE}/teams/match/adjust"),
            &[
                ("need", &role_of("front-end engineer").to_string()),
                ("volunteer", &tia.to_string()),
                ("action", "pin"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Tia Nguyen can")
            && refused.body.contains("take the front-end engineer role"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("no front-end engineer"),
        "{}",
        refused.body
    );
    // Omar has no data skill, and the analyst must work in person in New York.
    let refused = org
        .post(
            &format!("/slates/{SLATE}/teams/match/adjust"),
            &[
                ("need", &role_of("analyst").to_string()),
                ("volunteer", &id_of("Omar Haddad").to_string()),
                ("action", "pin"),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(
        preview(&org).await.fingerprint,
        after.fingerprint,
        "a refused pin changes nothing"
    );

    // Unassign: whoever holds the copywriter role is not placed there again.
    let copy = after
        .placements
        .iter()
        .find(|x| x.role == "copywriter")
        .expect("a copywriter")
        .clone();
    let un = org
        .post(
            &format!("/slates/{SLATE}/teams/match/adjust"),
            &[
                ("need", &copy.need_id.to_string()),
                ("volunteer", &copy.volunteer_id.to_string()),
                ("action", "unassign"),
            ],
        )
        .await;
    assert_eq!(un.status, StatusCode::SEE_OTHER);
    let again = preview(&org).await;
    assert!(!again
        .placements
        .iter()
        .any(|x| x.need_id == copy.need_id && x.volunteer_id == copy.volunteer_id));
    // Only organizers adjust.
    let lena = Person::signed_in(&app, "lena@example.org").await;
    let no = lena
        .post(
            &format!("/slates/{SLATE}/teams/match/adjust"),
            &[
                ("need", &lead.to_string()),
                ("volunteer", &sam.to_string()),
                ("action", "clear"),
            ],
        )
        .await;
    assert_eq!(no.status, StatusCode::FORBIDDEN);
}

async fn confirming_emails_each_member_and_lead_with_a_calendar_file(app: TestApp) {
    let (org, _ada, _people) = scenario(&app).await;
    let p = preview(&org).await;
    let stale = org
        .post(
            &format!("/slates/{SLATE}/teams/match/confirm"),
            &[("fingerprint", "not-this-one")],
        )
        .await;
    assert_eq!(
        stale.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        stale.body
    );
    assert!(stale.body.contains("changed since this preview"));
    let done = org
        .post(
            &format!("/slates/{SLATE}/teams/match/confirm"),
            &[("fingerprint", &p.fingerprint)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let team_id = org
        .app
        .engine
        .match_preview(&org.actor().await, SLATE)
        .await
        .unwrap()
        .teams[0]
        .id;
    let lead = p
        .placements
        .iter()
        .find(|x| x.role == "team lead")
        .expect("a lead");
    // Ruth and Ugo can mentor; Ruth is on the team, Ugo is free.
    let mentor = "Ugo Bello";
    assert!(
        !p.placements.iter().any(|x| x.volunteer == mentor),
        "{:?}",
        p.placements
    );
    for x in &p.placements {
        let (email, ..) = VOLUNTEERS.iter().find(|v| v.1 == x.volunteer).unwrap();
        let mail = app
            .mail
            .wait_for(email, "You're on the Website team for Ada Reyes")
            .await;
        let read = read_mail(&mail.raw);
        let text = read["text"].as_str().unwrap();
        assert!(text.contains(&format!("as {}", x.role)), "{text}");
        for y in &p.placements {
            assert!(
                text.contains(&format!("{}: {}", y.role, y.volunteer)),
                "the whole team is listed: {text}"
            );
        }
        assert!(
            text.contains(&format!("Mentor: {mentor} <ugo@example.org>")),
            "{text}"
        );
        assert!(text.contains("==== Toolkit: team lead ===="), "{text}");
        assert!(text.contains(&format!("/teams/{team_id}")), "{text}");
        assert_eq!(read["filename"], "weekly-check-in.ics");
        assert_eq!(read["errors"], json!([]), "{read}");
        assert_eq!(read["rrule"]["FREQ"], json!(["WEEKLY"]));
        assert_eq!(read["rrule"]["COUNT"], json!(["8"]));
        assert!(read["summary"]
            .as_str()
            .unwrap()
            .contains("Website team for Ada Reyes"));
        assert!(
            read["dtstart"]
                .as_str()
                .unwrap()
                .starts_with("2026-12-02T00:00:00"),
            "Tuesday 19:00 at UTC−5 is Wednesday 00:00 UTC: {read}"
        );
        let attendees = read["attendees"].to_string();
        for y in &p.placements {
            let (e, ..) = VOLUNTEERS.iter().find(|v| v.1 == y.volunteer).unwrap();
            assert!(attendees.contains(e), "{attendees}");
        }
        let (lead_email, ..) = VOLUNTEERS.iter().find(|v| v.1 == lead.volunteer).unwrap();
        assert_eq!(read["organizer"], format!("mailto:{lead_email}"));
    }
    // The lead's email says they lead; the confirmed roles left the pool.
    let (lead_email, ..) = VOLUNTEERS.iter().find(|v| v.1 == lead.volunteer).unwrap();
    let lead_mail = app.mail.wait_for(lead_email, "Website team").await;
    assert!(read_mail(&lead_mail.raw)["text"]
        .as_str()
        .unwrap()
        .contains("You lead this team"));
    let after = preview(&org).await;
    assert_eq!(after.available, 6 - p.placements.len());
    assert_eq!(after.open_needs, 4 - p.placements.len());
    // Profiles now show the team ("second tour of duty" starts here).
    let member = Person::signed_in(&app, lead_email).await;
    let page = member.get("/me/volunteer").await;
    assert!(
        page.body.contains("Website team for Ada Reyes"),
        "{}",
        page.body
    );
    // The team page and its .ics are private to the team and its people.
    assert_eq!(
        member.get(&format!("/teams/{team_id}")).await.status,
        StatusCode::OK
    );
    let ics = member.get(&format!("/teams/{team_id}/checkin.ics")).await;
    assert_eq!(ics.status, StatusCode::OK);
    assert!(ics.body.starts_with("BEGIN:VCALENDAR\r\n"));
    let outsider = Person::signed_in(&app, "money@example.org").await;
    assert_eq!(
        outsider.get(&format!("/teams/{team_id}")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        outsider
            .get(&format!("/teams/{team_id}/checkin.ics"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        Person::public(&app)
            .get(&format!("/teams/{team_id}/checkin.ics"))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

async fn hours_are_logged_weekly_and_totals_stay_anonymous(app: TestApp) {
    let (org, ada, _people) = scenario(&app).await;
    let p = preview(&org).await;
    let done = org
        .post(
            &format!("/slates/{SLATE}/teams/match/confirm"),
            &[("fingerprint", &p.fingerprint)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let team_id = preview(&org).await.teams[0].id;
    let first = &p.placements[0];
    let (email, _, _, hours, weeks, ..) =
        VOLUNTEERS.iter().find(|v| v.1 == first.volunteer).unwrap();
    let me = Person::signed_in(&app, email).await;
    let path = format!("/teams/{team_id}/hours");
    // The clock says 2026-11-24 (a Tuesday): its week starts Monday the 23rd.
    assert_eq!(
        me.post(&path, &[("week", "2026-11-24"), ("hours", "4")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        me.post(&path, &[("week", "2026-11-23"), ("hours", "6")])
            .await
            .status,
        StatusCode::SEE_OTHER,
        "same week: corrects it"
    );
    assert_eq!(
        me.post(&path, &[("week", "2026-11-17"), ("hours", "3")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let future = me
        .post(&path, &[("week", "2026-12-01"), ("hours", "3")])
        .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(future.body.contains("week: hasn"), "{}", future.body);
    let too_many = me
        .post(&path, &[("week", "2026-11-23"), ("hours", "200")])
        .await;
    assert!(
        too_many.body.contains("hours: must be from 0 to 168"),
        "{}",
        too_many.body
    );
    let outsider = Person::signed_in(&app, "money@example.org").await;
    assert_eq!(
        outsider
            .post(&path, &[("week", "2026-11-23"), ("hours", "9")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // The campaign (not a member) sees the team but doesn't log for it.
    assert_eq!(
        ada.get(&format!("/teams/{team_id}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        ada.post(&path, &[("week", "2026-11-23"), ("hours", "9")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let status = app.engine.team_status(SLATE).await.expect("status");
    let pledged: i64 = p
        .placements
        .iter()
        .map(|x| {
            let v = VOLUNTEERS.iter().find(|v| v.1 == x.volunteer).unwrap();
            i64::from(v.3 * v.4)
        })
        .sum();
    assert_eq!(
        (
            status.teams.len(),
            status.logged_hours,
            status.pledged_hours
        ),
        (1, 9, pledged)
    );
    assert_eq!(status.campaigns[0].candidate, "Ada Reyes");
    assert_eq!(
        (
            status.campaigns[0].pledged_hours,
            status.campaigns[0].logged_hours
        ),
        (pledged, 9)
    );
    let team = me.get(&format!("/teams/{team_id}")).await.body;
    assert!(
        team.contains("<td>2026-11-23</td><td class=\"num\">6</td>"),
        "{team}"
    );
    assert!(i64::from(*hours * *weeks) <= pledged);
    // The public page has the numbers and no one's name or email.
    let (code, public) = app.html(&format!("/slates/{SLATE}/teams")).await;
    assert_eq!(code, StatusCode::OK);
    assert!(
        public.contains(&format!("<dd>{pledged}</dd>")) && public.contains("<dd>9</dd>"),
        "{public}"
    );
    for (email, name, ..) in VOLUNTEERS {
        assert!(
            !public.contains(email) && !public.contains(name),
            "the public page names {name}"
        );
    }
    let (_, slate) = app.html(&format!("/slates/{SLATE}")).await;
    assert!(
        slate.contains(&format!("/slates/{SLATE}/teams")),
        "the slate page links to it"
    );
}

/// `cohort serve --demo` has volunteers and needs, so an organizer sees a
/// matching to preview straight away.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_a_matching_to_preview() {
    let app = TestApp::sqlite().await;
    let spec: cohort_engine::demo::DemoSpec =
        serde_json::from_str(include_str!("../../../../data/demo/slate.json")).expect("demo spec");
    let summary = app
        .engine
        .load_demo(&spec)
        .await
        .expect("the demo loads")
        .expect("into an empty database");
    let p = app
        .engine
        .match_preview(&Actor::Organizer { slate: None }, &summary.slug)
        .await
        .expect("a preview");
    assert!(
        p.pool >= 10 && p.open_needs >= 7,
        "{} in the pool, {} roles",
        p.pool,
        p.open_needs
    );
    assert!(!p.placements.is_empty() && p.total_score > 0, "{p:?}");
}

async fn toolkits_are_edited_per_slate_and_travel_as_text(app: TestApp) {
    let (org, ada, _people) = scenario(&app).await;
    let path = format!("/slates/{SLATE}/teams/toolkits");
    let page = org.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("# Copywriter toolkit"),
        "the standard toolkits are listed"
    );
    let ours = "# Copy for River Caucus\n\n## Voice\n- Plain words <script>alert(1)</script>\n";
    let saved = org
        .post(&path, &[("role", "copywriter"), ("markdown", ours)])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        ada.post(&path, &[("role", "copywriter"), ("markdown", "# Mine")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let bad = org
        .post(&path, &[("role", "juggler"), ("markdown", "# Juggling")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("role: no team has"), "{}", bad.body);

    let p = preview(&org).await;
    let done = org
        .post(
            &format!("/slates/{SLATE}/teams/match/confirm"),
            &[("fingerprint", &p.fingerprint)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let team_id = preview(&org).await.teams[0].id;
    // The team page shows the edited toolkit as text, never as markup.
    let team = org.get(&format!("/teams/{team_id}")).await.body;
    assert!(team.contains("<h3>Copy for River Caucus</h3>"), "{team}");
    assert!(
        team.contains("Plain words &lt;script&gt;alert(1)&lt;/script&gt;")
            && !team.contains("<script>alert"),
        "{team}"
    );
    // … and the copywriter's email carries it.
    let copy = p
        .placements
        .iter()
        .find(|x| x.role == "copywriter")
        .expect("a copywriter");
    let (email, ..) = VOLUNTEERS.iter().find(|v| v.1 == copy.volunteer).unwrap();
    let mail = read_mail(&app.mail.wait_for(email, "Website team").await.raw);
    assert!(
        mail["text"]
            .as_str()
            .unwrap()
            .contains("# Copy for River Caucus"),
        "{mail}"
    );
    // Restoring brings the standard one back.
    let reset = org
        .post(
            &path,
            &[("role", "copywriter"), ("markdown", ""), ("reset", "yes")],
        )
        .await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER);
    assert!(org
        .get(&format!("/teams/{team_id}"))
        .await
        .body
        .contains("<h3>Copywriter toolkit</h3>"));

    // The organizer names another mentor; only volunteers who offered qualify.
    let view = app
        .engine
        .team_view(&org.actor().await, team_id)
        .await
        .expect("a team");
    let options: Vec<i64> = view.mentor_options.iter().map(|o| o.0).collect();
    assert!(!options.is_empty());
    let sam = p.volunteers.iter().find(|v| v.1 == "Sam Ortiz").unwrap().0;
    let refused = org
        .post(
            &format!("/teams/{team_id}/mentor"),
            &[("mentor", &sam.to_string())],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Sam did not offer to mentor"
    );
    let named = org
        .post(
            &format!("/teams/{team_id}/mentor"),
            &[("mentor", &options[0].to_string())],
        )
        .await;
    assert_eq!(named.status, StatusCode::SEE_OTHER, "{}", named.body);
    assert_eq!(
        ada.post(
            &format!("/teams/{team_id}/mentor"),
            &[("mentor", &options[0].to_string())]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}

/// Defect 12 of issue 16: a person who pledged hours without a volunteer
/// profile was silently never matched. They are invited when they pledge,
/// their receipt page says so, and the unlock email reminds them — and only
/// them, not someone whose profile is saved.
async fn hours_pledgers_without_a_profile_are_invited_and_reminded(app: TestApp) {
    let _people = slate_with_organizer(&app).await;
    let cond = "signed(\"ada-reyes\")";
    let with = pledge_hours(&app, "has@example.org", "Has Profile", 5, 10, cond).await;
    let without = pledge_hours(&app, "none@example.org", "No Profile", 5, 10, cond).await;
    let receipt = app
        .mail
        .wait_for("none@example.org", "Your pledge to")
        .await;
    assert!(
        receipt.body.contains("/me/volunteer"),
        "the receipt invites: {}",
        receipt.body
    );
    let has = Person::signed_in(&app, "has@example.org").await;
    let saved = profile(
        &has,
        &[("front-end", "3")],
        "5",
        "10",
        "-5",
        "NY",
        true,
        false,
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    let receipt_page = |v: &Value| {
        format!(
            "/pledges/{}?token={}",
            v["id"],
            v["receipt_token"].as_str().expect("a receipt token")
        )
    };
    let invite = "Create your volunteer profile";
    let page = Person::public(&app).get(&receipt_page(&without)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(invite), "{}", page.body);
    let page = Person::public(&app).get(&receipt_page(&with)).await;
    assert!(
        !page.body.contains(invite),
        "a saved profile: {}",
        page.body
    );

    sign(&app, "ada-reyes").await;
    app.engine.send_notices().await.expect("notices");
    let reminded = app.mail.wait_for("none@example.org", "unlocked").await;
    assert!(
        reminded.body.contains("You have no volunteer profile yet")
            && reminded.body.contains("/me/volunteer"),
        "{}",
        reminded.body
    );
    let told = app.mail.wait_for("has@example.org", "unlocked").await;
    assert!(!told.body.contains("no volunteer profile"), "{}", told.body);
}
