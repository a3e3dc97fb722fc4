//! Governing (issue 17) over real HTTP on both backends: member ids on
//! candidates, platform tags, the bloc's cohesion exactly as the pure crate
//! computes it on the shipped roll calls, targeting, their pages, and bad
//! input answered 4xx naming the field. Then `cohort rollcalls import` as a
//! real process (idempotent; a malformed file refused with file, line and
//! column and nothing written) and a property: cohesion ignores the order
//! roll calls were imported in.

use cohort_testkit as common;

use common::{candidate, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    member_ids_tags_cohesion_and_targets_over_http,
    a_one_member_bloc_counts_no_roll_call,
    a_pledge_waits_on_the_bloc_and_a_null_figure_never_holds,
    bloc_agreement_is_scored_from_the_roll_calls_since_signing,
);

const S: &str = "squad-test";

/// (slug, state, district, bioguide): real sitting members.
const BLOC: [(&str, &str, &str, &str); 4] = [
    ("aoc", "NY", "14", "O000172"),
    ("omar", "MN", "5", "O000173"),
    ("tlaib", "MI", "12", "T000481"),
    ("pressley", "MA", "7", "P000617"),
];

async fn slate(app: &TestApp, slug: &str, members: &[(&str, &str, &str, &str)]) {
    let (status, body) = app
        .organize(
            "/api/slates",
            json!({"slug": slug, "name": "Squad Test", "cycle": 2026,
                   "description": "Members who vote together.", "condition": "signers >= 2"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for (c, state, d, _) in members {
        let (status, body) = app
            .organize(
                &format!("/api/slates/{slug}/candidates"),
                candidate(c, &c.to_uppercase(), "us_house", state, Some(d)),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, body) = app
        .organize(
            &format!("/api/slates/{slug}/candidates"),
            candidate("sen", "Sen Test", "us_senate", "VT", None),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app
        .organize(
            &format!("/api/slates/{slug}/compact"),
            json!({"commitments": ["Vote together"],
                   "planks": [{"title": "Due process", "why": "A hearing first."},
                              {"title": "Climate", "why": "Keep the pause."}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn patch(app: &TestApp, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
    app.call(Method::PATCH, path, token, Some(&body)).await
}

fn field(body: &Value) -> &str {
    body["error"]["field"]
        .as_str()
        .or_else(|| body["field"].as_str())
        .unwrap_or_default()
}

async fn member_ids_tags_cohesion_and_targets_over_http(app: TestApp) {
    assert_eq!(
        app.engine.load_shipped_roll_calls().await.expect("import"),
        113
    );
    assert_eq!(
        app.engine.load_shipped_roll_calls().await.expect("again"),
        0,
        "loaded once"
    );
    slate(&app, S, &BLOC).await;
    let org = Some(app.organizer.as_str());

    // Member ids: bad input names the field; nothing is written.
    let path = |c: &str| format!("/api/slates/{S}/candidates/{c}");
    for (body, want) in [
        (json!({"bioguide_id": "o000172"}), "bioguide_id"),
        (json!({"bioguide_id": "O00017"}), "bioguide_id"),
        (json!({}), "bioguide_id"),
        (json!({"lis_id": "S354"}), "lis_id"),
        (
            json!({"bioguide_id": "O000172", "lis_id": "S354"}),
            "lis_id",
        ),
    ] {
        let (status, b) = patch(&app, &path("aoc"), org, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {b}");
        assert_eq!(field(&b), want, "{body} → {b}");
    }
    let (status, b) = patch(&app, &path("sen"), org, json!({"lis_id": "S35x"})).await;
    assert_eq!(
        (status, field(&b)),
        (StatusCode::UNPROCESSABLE_ENTITY, "lis_id"),
        "{b}"
    );
    let (status, _) = patch(
        &app,
        &path("nobody"),
        org,
        json!({"bioguide_id": "O000172"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = patch(
        &app,
        "/api/slates/no-such/candidates/aoc",
        org,
        json!({"bioguide_id": "O000172"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = patch(&app, &path("aoc"), None, json!({"bioguide_id": "O000172"})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Roles: a candidate's campaign and another slate's organizer may not.
    let campaign = app
        .engine
        .issue_candidate_token(S, "aoc")
        .await
        .expect("campaign token");
    let (status, b) = app
        .organize(
            "/api/slates",
            json!({"slug": "elsewhere", "name": "Elsewhere", "cycle": 2026,
                   "description": "", "condition": "signers >= 1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    let other = app
        .engine
        .issue_organizer_token(Some("elsewhere"))
        .await
        .expect("organizer token");
    for token in [&campaign, &other] {
        let (status, b) = patch(
            &app,
            &path("aoc"),
            Some(token),
            json!({"bioguide_id": "O000172"}),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{b}");
        let (status, b) = app
            .call(
                Method::POST,
                &format!("/api/slates/{S}/platform-votes"),
                Some(token),
                Some(&json!({"vote_id": "h6-119.2025", "plank": 0, "position": "no"})),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{b}");
    }
    let (_, before) = app.get(&format!("/api/slates/{S}/cohesion")).await;
    assert_eq!(
        before["members"],
        json!([]),
        "nothing was written: {before}"
    );
    for (c, .., id) in BLOC {
        let (status, b) = patch(&app, &path(c), org, json!({"bioguide_id": id})).await;
        assert_eq!(status, StatusCode::OK, "{b}");
        assert_eq!(b["bioguide_id"], id);
    }
    let (status, b) = patch(&app, &path("sen"), org, json!({"lis_id": "S354"})).await;
    assert_eq!(status, StatusCode::OK, "{b}");

    // Platform votes.
    let tags = format!("/api/slates/{S}/platform-votes");
    for (body, want) in [
        (
            json!({"vote_id": "h999-119.2025", "plank": 0, "position": "no"}),
            "vote_id",
        ),
        (
            json!({"vote_id": "h6-119.2025", "plank": 2, "position": "no"}),
            "plank",
        ),
        (
            json!({"vote_id": "h6-119.2025", "plank": -1, "position": "no"}),
            "plank",
        ),
        (
            json!({"vote_id": "h6-119.2025", "plank": 0, "position": "nay"}),
            "position",
        ),
    ] {
        let (status, b) = app.organize(&tags, body.clone()).await;
        assert!(status.is_client_error(), "{body} → {status} {b}");
        assert_eq!(field(&b), want, "{body} → {b}");
    }
    let (status, _) = app
        .call(
            Method::POST,
            &tags,
            None,
            Some(&json!({"vote_id": "h6-119.2025", "plank": 0, "position": "no"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let platform = [
        ("h6-119.2025", 0, "no"),
        ("h23-119.2025", 0, "no"),
        ("h35-119.2025", 1, "no"),
    ];
    for (v, p, side) in platform {
        let (status, b) = app
            .organize(&tags, json!({"vote_id": v, "plank": p, "position": side}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{b}");
        assert_eq!(b["vote_id"], v);
    }
    let (_, listed) = app.get(&tags).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(3), "{listed}");

    // Cohesion, against the pure crate on the shipped extract.
    let votes = cohort_congress::shipped::votes().expect("shipped votes");
    let mut bloc: Vec<cohort_congress::BlocMember> = BLOC
        .iter()
        .map(|(c, .., id)| cohort_congress::BlocMember {
            candidate: (*c).into(),
            member_id: (*id).into(),
        })
        .collect();
    bloc.push(cohort_congress::BlocMember {
        candidate: "sen".into(),
        member_id: "S354".into(),
    });
    let ptags: Vec<cohort_congress::PlatformTag> = platform
        .iter()
        .map(|(v, _, side)| cohort_congress::PlatformTag {
            vote_id: (*v).into(),
            position: cohort_congress::Vote::parse(side).expect("side"),
        })
        .collect();
    for (from, to) in [(None, None), (Some("2025-01-07"), Some("2025-02-28"))] {
        let want = cohort_congress::cohesion(&votes, &bloc, &ptags, from, to);
        let mut url = format!("/api/slates/{S}/cohesion");
        if let (Some(f), Some(t)) = (from, to) {
            url.push_str(&format!("?from={f}&to={t}"));
        }
        let (status, got) = app.get(&url).await;
        assert_eq!(status, StatusCode::OK, "{got}");
        assert_eq!(got["roll_calls"], want.roll_calls);
        assert_eq!(got["rice"].as_f64(), want.rice);
        assert_eq!(
            got["members"],
            serde_json::to_value(&want.members).expect("json")
        );
        assert_eq!(
            got["splits"],
            serde_json::to_value(&want.splits).expect("json")
        );
        assert!(want.roll_calls > 20, "{}", want.roll_calls);
    }
    let (status, b) = app
        .get(&format!("/api/slates/{S}/cohesion?from=2025-13-01"))
        .await;
    assert_eq!(
        (status, field(&b)),
        (StatusCode::UNPROCESSABLE_ENTITY, "from"),
        "{b}"
    );
    let (status, b) = app
        .get(&format!(
            "/api/slates/{S}/cohesion?from=2025-03-01&to=2025-02-01"
        ))
        .await;
    assert_eq!(
        (status, field(&b)),
        (StatusCode::UNPROCESSABLE_ENTITY, "to"),
        "{b}"
    );
    let (status, _) = app.get("/api/slates/no-such/cohesion").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Targeting: Democrats who voted for the Laken Riley Act come first.
    let (status, t) = app
        .get(&format!(
            "/api/slates/{S}/targets?chamber=house&party=Democrat"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    let targets = t["targets"].as_array().expect("targets");
    assert!(targets.len() > 200);
    let first = &targets[0];
    let against = first["against_platform"].as_array().expect("list");
    assert!(!against.is_empty(), "{first}");
    assert!(against
        .iter()
        .all(|v| ["h6-119.2025", "h23-119.2025", "h35-119.2025"]
            .contains(&v.as_str().unwrap_or_default())));
    let aoc = targets
        .iter()
        .find(|x| x["bioguide"] == "O000172")
        .expect("AOC is ranked");
    assert_eq!(
        aoc["challenger"], "aoc",
        "the slate has a candidate for NY-14"
    );
    assert_eq!(aoc["against_platform"], json!([]));
    for (q, want) in [
        ("chamber=moon&party=Democrat", "chamber"),
        ("chamber=house&party=Whig", "party"),
    ] {
        let (status, b) = app.get(&format!("/api/slates/{S}/targets?{q}")).await;
        assert_eq!(
            (status, field(&b)),
            (StatusCode::UNPROCESSABLE_ENTITY, want),
            "{b}"
        );
    }

    // Pages.
    let (status, html) = app.html(&format!("/slates/{S}/cohesion")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<svg class=\"cohesion-chart\""), "{html}");
    assert!(html.contains("Where the bloc split"));
    assert!(html.contains("AOC"));
    let (status, html) = app
        .html(&format!("/slates/{S}/targets?chamber=house&party=Democrat"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("The tagged votes that went against the platform"),
        "{html}"
    );
    let (status, _) = app.html(&format!("/slates/{S}/targets?chamber=moon")).await;
    assert!(status.is_client_error(), "{status}");
}

/// API.md: a roll call counts only when at least two members voted yes or
/// no, so a bloc of one has no counted roll call and `with_bloc` is null.
async fn a_one_member_bloc_counts_no_roll_call(app: TestApp) {
    app.engine.load_shipped_roll_calls().await.expect("import");
    slate(&app, "alone", &BLOC[..1]).await;
    let (status, b) = app
        .call(
            Method::PATCH,
            "/api/slates/alone/candidates/aoc",
            Some(&app.organizer),
            Some(&json!({"bioguide_id": "O000172"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    let (status, c) = app.get("/api/slates/alone/cohesion").await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["roll_calls"], 0);
    assert_eq!(c["rice"], Value::Null);
    assert_eq!(c["members"][0]["votes"], 0);
    assert_eq!(c["members"][0]["with_bloc"], Value::Null);
    assert_eq!(c["members"][0]["with_platform"], Value::Null);
}

/// The condition language reads the same figures: a pledge on
/// `with_bloc("aoc") >= 0.9 and rice >= 0.8` unlocks at the tick after the
/// roll calls and member ids are in (and not before); one on the Senate
/// candidate, who has no counted vote, never does.
async fn a_pledge_waits_on_the_bloc_and_a_null_figure_never_holds(app: TestApp) {
    slate(&app, S, &BLOC).await;
    let pledge = |condition: &str, email: &str| {
        json!({
            "kind": "hours", "hours_per_week": 3, "weeks": 4, "skills": [],
            "condition": condition, "deadline": "2028-10-01",
            "donor": {"email": email, "name": "Sam Doe", "zip": "10001", "attests_eligible": true}
        })
    };
    let mut ids = Vec::new();
    for (c, email) in [
        ("with_bloc(\"aoc\") >= 0.9 and rice >= 0.8", "a@example.org"),
        (
            "with_bloc(\"sen\") >= 0 or with_bloc(\"sen\") < 0",
            "b@example.org",
        ),
        ("not with_bloc(\"sen\") >= 0.5", "c@example.org"),
    ] {
        let (status, b) = app
            .call(
                Method::POST,
                &format!("/api/slates/{S}/pledges"),
                None,
                Some(&pledge(c, email)),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{b}");
        ids.push(b["id"].as_i64().expect("an id"));
    }
    let status_of = |id: i64| {
        let app = &app;
        async move {
            let v = app
                .store
                .read()
                .await
                .expect("read")
                .pledge(id)
                .await
                .expect("pledge")
                .expect("exists");
            v.status.as_str().to_owned()
        }
    };
    // Not before: no roll calls, no member ids.
    app.engine.tick().await.expect("tick");
    assert_eq!(status_of(ids[0]).await, "pending");
    app.engine.load_shipped_roll_calls().await.expect("import");
    for (c, .., id) in BLOC {
        let (status, _) = patch(
            &app,
            &format!("/api/slates/{S}/candidates/{c}"),
            Some(&app.organizer),
            json!({"bioguide_id": id}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (_, c) = app.get(&format!("/api/slates/{S}/cohesion")).await;
    assert!(c["rice"].as_f64().expect("rice") >= 0.8, "{c}");
    assert!(
        c["members"][0]["with_bloc"].as_f64().expect("aoc") >= 0.9,
        "{c}"
    );
    app.engine.tick().await.expect("tick");
    assert_eq!(status_of(ids[0]).await, "unlocked");
    assert_eq!(
        status_of(ids[1]).await,
        "pending",
        "a null figure fails every comparison"
    );
    assert_eq!(
        status_of(ids[2]).await,
        "unlocked",
        "and `not` makes it true"
    );
}

// ---------------------------------------------------------------- order

use proptest::prelude::*;

/// The shipped roll calls cut into `batches` parts in the order `order`.
fn batches(order: &[usize], parts: usize) -> Vec<cohort_congress::RollCalls> {
    let all = cohort_congress::shipped::votes().expect("shipped");
    let ids: Vec<&String> = all.calls.keys().collect();
    let mut out = vec![cohort_congress::RollCalls::default(); parts];
    for (i, &k) in order.iter().enumerate() {
        let id = ids[k];
        let b = &mut out[i % parts];
        b.calls.insert(id.clone(), all.calls[id].clone());
        if let Some(p) = all.positions.get(id) {
            b.positions.insert(id.clone(), p.clone());
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3, ..ProptestConfig::default() })]

    /// Cohesion is the same whatever order the roll calls were imported in,
    /// in however many batches, with a batch imported twice.
    #[test]
    fn cohesion_ignores_the_order_of_import(
        order in Just((0..113).collect::<Vec<usize>>()).prop_shuffle(),
        parts in 1usize..5,
    ) {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let (got, want) = rt.block_on(async {
            let app = TestApp::sqlite().await;
            let bs = batches(&order, parts);
            for b in bs.iter().chain(bs.first()) {
                app.engine.import_roll_calls(b, &mut |_, _| {}).await.expect("import");
            }
            slate(&app, S, &BLOC).await;
            for (c, .., id) in BLOC {
                let (status, _) = patch(
                    &app,
                    &format!("/api/slates/{S}/candidates/{c}"),
                    Some(&app.organizer),
                    json!({"bioguide_id": id}),
                )
                .await;
                assert_eq!(status, StatusCode::OK);
            }
            let got = app.engine.cohesion(S, None, Some("2025-03-15")).await.expect("cohesion");
            let bloc: Vec<cohort_congress::BlocMember> = BLOC
                .iter()
                .map(|(c, .., id)| cohort_congress::BlocMember {
                    candidate: (*c).into(),
                    member_id: (*id).into(),
                })
                .collect();
            let votes = cohort_congress::shipped::votes().expect("shipped");
            (got.cohesion, cohort_congress::cohesion(&votes, &bloc, &[], None, Some("2025-03-15")))
        });
        prop_assert_eq!(got, want);
    }
}

/// The scorecard's `bloc_agreement` reads cohesion over the signer's period:
/// members who signed on the 119th Congress's first day are scored on every
/// shipped roll call since, kept at or above `at_least` and broken below,
/// exactly as the public cohesion figures for that period say; the Senate
/// candidate, with no member id, is not measured.
async fn bloc_agreement_is_scored_from_the_roll_calls_since_signing(app: TestApp) {
    app.engine.load_shipped_roll_calls().await.expect("import");
    slate(&app, S, &BLOC).await;
    let (status, body) = app
        .organize(
            &format!("/api/slates/{S}/compact"),
            json!({"commitments": [
                       {"text": "Vote with the bloc", "measure": "bloc_agreement", "at_least": 0.5},
                       {"text": "Never split", "measure": "bloc_agreement", "at_least": 1.0}],
                   "planks": [{"title": "Due process", "why": "A hearing first."}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let version = body["version"].as_i64().expect("a version");
    app.clock
        .set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 1, 3, 12, 0, 0).unwrap());
    let signers: Vec<&str> = BLOC.iter().map(|m| m.0).chain(["sen"]).collect();
    for who in &signers {
        let token = app
            .engine
            .issue_candidate_token(S, who)
            .await
            .expect("token");
        let (status, body) = app
            .call(
                Method::POST,
                &format!("/api/slates/{S}/signatures"),
                Some(&token),
                Some(&json!({"candidate": who, "version": version})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    app.clock.set(common::now());
    for (c, _, _, bioguide) in BLOC {
        let (status, b) = patch(
            &app,
            &format!("/api/slates/{S}/candidates/{c}"),
            Some(&app.organizer),
            json!({"bioguide_id": bioguide}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{b}");
    }
    let today = common::now().date_naive();
    let (_, cohesion) = app
        .get(&format!(
            "/api/slates/{S}/cohesion?from=2025-01-03&to={today}"
        ))
        .await;
    let (status, card) = app.get(&format!("/api/slates/{S}/scorecard")).await;
    assert_eq!(status, StatusCode::OK, "{card}");
    let cards = card["candidates"].as_array().expect("candidates");
    let mut measured = 0;
    for (c, ..) in BLOC {
        let with_bloc = cohesion["members"]
            .as_array()
            .expect("members")
            .iter()
            .find(|m| m["candidate"] == c)
            .and_then(|m| m["with_bloc"].as_f64())
            .unwrap_or_else(|| panic!("{c} voted: {cohesion}"));
        let mine = cards.iter().find(|x| x["candidate"] == c).expect("a card");
        for (i, at_least) in [0.5, 1.0].into_iter().enumerate() {
            let want = if with_bloc >= at_least {
                "kept"
            } else {
                "broken"
            };
            assert_eq!(
                mine["commitments"][i]["status"], want,
                "{c}: with_bloc {with_bloc} against {at_least}: {mine}"
            );
            measured += 1;
        }
    }
    assert_eq!(measured, 8);
    let sen = cards
        .iter()
        .find(|x| x["candidate"] == "sen")
        .expect("a card");
    assert_eq!(sen["commitments"][0]["status"], "not_measured", "{sen}");
}
