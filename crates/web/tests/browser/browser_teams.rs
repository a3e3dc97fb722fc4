//! Volunteer teams in a real headless Chromium: an organizer previews the
//! matching, confirms it, and the team page and the public status follow.
//! Every page is screenshotted to `target/e2e-artifacts/` (wide and at a
//! 390px phone width) and checked with axe-core.

use cohort_testkit as common;

use cohort_engine::teams::{ProfileInput, RoleInput, TeamInput};
use cohort_store::Role;
use common::webdriver::Browser;
use common::{seed, sign_as, TestApp, SLATE};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizer_previews_and_confirms_a_matching_in_a_real_browser() {
    let app = TestApp::sqlite().await;
    seed(&app, "signers >= 1").await;
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
    let people = [
        (
            "lena@example.org",
            "Lena Park",
            vec![("team-lead", "3"), ("copywriting", "2")],
            "-5",
            "NY",
            false,
        ),
        (
            "omar@example.org",
            "Omar Haddad",
            vec![("front-end", "3")],
            "-6",
            "IL",
            false,
        ),
        (
            "ruth@example.org",
            "Ruth Abebe",
            vec![("copywriting", "3")],
            "-5",
            "PA",
            false,
        ),
        (
            "sam@example.org",
            "Sam Ortiz",
            vec![("data-analysis", "2")],
            "-8",
            "CA",
            true,
        ),
        (
            "tia@example.org",
            "Tia Nguyen",
            vec![("data-analysis", "3")],
            "-5",
            "NY",
            false,
        ),
    ];
    for (email, name, skills, utc, state, mentor) in &people {
        let (status, body) = app
            .call(
                Method::POST,
                &format!("/api/slates/{SLATE}/pledges"),
                None,
                Some(&json!({
                    "kind": "hours", "hours_per_week": 6, "weeks": 10, "skills": [],
                    "condition": "signed(\"ada-reyes\")", "deadline": "2028-10-01",
                    "donor": {"email": email, "name": name, "zip": "19104", "attests_eligible": true}
                })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let actor = e
            .session(&app.session_for(email).await)
            .await
            .expect("a session");
        e.save_volunteer_profile(
            &actor,
            ProfileInput {
                skills: skills
                    .iter()
                    .map(|(s, l)| ((*s).into(), (*l).into()))
                    .collect(),
                hours_per_week: "6".into(),
                weeks: "10".into(),
                utc_offset: (*utc).into(),
                state: (*state).into(),
                remote: *name != "Tia Nguyen",
                languages: "English".into(),
                can_mentor: *mentor,
            },
        )
        .await
        .expect("a profile");
    }
    let ada = e
        .session(&app.session_for("ada@example.org").await)
        .await
        .expect("a session");
    let version = app.get(&format!("/api/slates/{SLATE}")).await.1["compact"]["version"]
        .as_i64()
        .expect("a compact version");
    sign_as(&app, "ada-reyes", version).await;
    let role = |skill: &str, remote_ok: bool| RoleInput {
        include: true,
        skill: skill.into(),
        min_level: "2".into(),
        hours_per_week: "5".into(),
        weeks: "8".into(),
        utc_offset: "-5".into(),
        state: "NY".into(),
        remote_ok,
        priority: "2".into(),
    };
    e.post_team(
        &ada,
        SLATE,
        TeamInput {
            candidate: "ada-reyes".into(),
            kind: "web".into(),
            roles: vec![
                role("team-lead", true),
                role("front-end", true),
                role("copywriting", true),
                role("data-analysis", false),
            ],
        },
    )
    .await
    .expect("needs posted");
    e.post_team(
        &ada,
        SLATE,
        TeamInput {
            candidate: "ada-reyes".into(),
            kind: "press".into(),
            roles: vec![
                role("team-lead", true),
                role("press", true),
                role("video", true),
                role("copywriting", true),
            ],
        },
    )
    .await
    .expect("needs posted");

    let b = Browser::start().await;
    b.goto(&app.url("/")).await;
    b.add_cookie("cohort_session", &app.session_for("org@example.org").await)
        .await;
    b.goto(&app.url(&format!("/slates/{SLATE}/teams/match")))
        .await;
    b.wait_for_text("Who goes where").await;
    let text = b.text().await;
    assert!(
        text.contains("Lena Park") && text.contains("team lead"),
        "{text}"
    );
    assert!(
        text.contains("no press officer among the volunteers"),
        "{text}"
    );
    b.check_wide_and_phone("teams-01-match-preview").await;

    b.click("form[action$='/teams/match/confirm'] button").await;
    b.wait_for_text("Confirmed.").await;
    b.check_wide_and_phone("teams-02-match-confirmed").await;
    app.mail
        .wait_for("lena@example.org", "You're on the Website team")
        .await;

    b.click("a[href^='/teams/']").await;
    b.wait_for_text("The team").await;
    b.check_wide_and_phone("teams-03-team-page").await;

    b.goto(&app.url(&format!(
        "/slates/{SLATE}/teams/needs?candidate=ada-reyes&kind=ads"
    )))
    .await;
    b.wait_for_text("Digital ads team for Ada Reyes").await;
    b.check_wide_and_phone("teams-04-needs-form").await;

    b.goto(&app.url(&format!("/slates/{SLATE}/teams"))).await;
    b.wait_for_text("Hours pledged and hours given").await;
    b.check_wide_and_phone("teams-05-public-status").await;

    b.goto(&app.url("/me/volunteer")).await;
    b.wait_for_text("Your volunteer profile").await;
    b.check_wide_and_phone("teams-06-volunteer-profile").await;
}
