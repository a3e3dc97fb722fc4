//! The Congress routes (issue 17) over real HTTP, on both backends: the
//! chamber composition from the shipped extract, the power calculator for a
//! slate, its page, and bad input answered 400 naming the field.

use cohort_testkit as common;

use common::{candidate, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

both_backends!(
    chambers_are_counted_as_the_contract_says,
    a_slate_of_challengers_in_republican_seats_flips_the_house,
    bad_power_queries_name_the_field,
    the_power_page_draws_the_chamber_and_links_every_n,
);

const BLOC: &str = "governing-bloc";

/// The shipped `legislators.csv`, read here independently of the crate: the
/// last eight fields never contain a comma, so split from the right.
/// Answers (party, caucus, state, district, chamber) per member.
fn legislators() -> Vec<[String; 5]> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/congress/legislators.csv"
    ))
    .expect("the shipped extract");
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.rsplitn(9, ',').collect();
            // serving_since, term_start, chamber, class, district, state, caucus, party, rest
            [f[7], f[6], f[5], f[4], f[2]].map(str::to_owned)
        })
        .collect()
}

const NON_VOTING: [&str; 6] = ["DC", "PR", "GU", "VI", "AS", "MP"];

async fn chambers_are_counted_as_the_contract_says(app: TestApp) {
    let all = legislators();
    for (chamber, seats) in [("house", 435), ("senate", 100)] {
        let (status, body) = app.get(&format!("/api/congress/{chamber}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let members: Vec<&[String; 5]> = all
            .iter()
            .filter(|m| m[4] == chamber && !NON_VOTING.contains(&m[2].as_str()))
            .collect();
        let n = members.len() as u64;
        assert_eq!(body["chamber"], chamber);
        assert_eq!(body["seats"], seats);
        assert_eq!(body["members"], n);
        assert_eq!(body["vacancies"], seats - n);
        for party in ["Republican", "Democrat", "Independent"] {
            let count = members.iter().filter(|m| m[0] == party).count() as u64;
            assert_eq!(
                body["parties"][party].as_u64().unwrap_or(0),
                count,
                "{party}"
            );
        }
        let caucus = |p: &str| members.iter().filter(|m| m[1] == p).count();
        let majority = if caucus("Republican") > caucus("Democrat") {
            "Republican"
        } else {
            "Democrat"
        };
        assert_eq!(body["majority_party"], majority);
        let needed = if chamber == "house" { n / 2 + 1 } else { 51 };
        assert_eq!(body["majority_needed"], needed);
        assert_eq!(body["caucuses"]["Democrat"], caucus("Democrat") as u64);
    }
    // Senate independents are shown with the caucus they sit with.
    let (_, senate) = app.get("/api/congress/senate").await;
    let ind = senate["independents"].as_array().expect("independents");
    assert!(ind
        .iter()
        .any(|i| i["name"] == "Bernard Sanders" && i["caucus"] == "Democrat"));
}

/// A slate whose House candidates challenge `n` Republican-held seats.
async fn bloc_slate(app: &TestApp, n: usize) -> Vec<Value> {
    let (status, body) = app
        .organize(
            "/api/slates",
            json!({"slug": BLOC, "name": "Governing Bloc", "cycle": 2026,
                   "description": "Challengers who would govern together.",
                   "condition": "signers >= 2"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let seats: Vec<[String; 5]> = legislators()
        .into_iter()
        .filter(|m| m[4] == "house" && m[1] == "Republican" && m[3] != "0")
        .take(n)
        .collect();
    let mut out = Vec::new();
    for (i, s) in seats.iter().enumerate() {
        let c = candidate(
            &format!("c{i}"),
            &format!("Challenger {i}"),
            "us_house",
            &s[2],
            Some(&s[3]),
        );
        let (status, body) = app
            .organize(&format!("/api/slates/{BLOC}/candidates"), c.clone())
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        out.push(c);
    }
    // A governor on the slate is not part of any chamber's bloc.
    let g = candidate("gov", "Gov Candidate", "governor", "MN", None);
    let (status, _) = app
        .organize(&format!("/api/slates/{BLOC}/candidates"), g)
        .await;
    assert_eq!(status, StatusCode::CREATED);
    out
}

async fn a_slate_of_challengers_in_republican_seats_flips_the_house(app: TestApp) {
    bloc_slate(&app, 6).await;
    let (_, house) = app.get("/api/congress/house").await;
    let d0 = house["caucuses"]["Democrat"].as_u64().unwrap();
    for wins in [1u64, 3, 6, 9] {
        let (status, p) = app
            .get(&format!(
                "/api/slates/{BLOC}/power?chamber=house&wins={wins}"
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{p}");
        assert_eq!(p["chamber"], "house");
        assert_eq!(p["wins"], wins);
        assert_eq!(p["bloc_party"], "Democrat");
        let flips = wins.min(6);
        let seats = p["party_seats"].as_u64().unwrap();
        assert_eq!(seats, d0 + flips);
        let need = p["majority_needed"].as_u64().unwrap();
        assert_eq!(need, house["majority_needed"].as_u64().unwrap());
        assert_eq!(p["pivotal"], seats >= need && seats - wins < need);
        assert_eq!(p["named_wins"].as_array().unwrap().len() as u64, flips);
        assert_eq!(p["unnamed_wins"], wins - flips);
        assert!(!p["claims"].as_array().unwrap().is_empty());
        assert_eq!(p["speaker"]["vote_id"], "h2-119.2025");
    }
    // The Senate bloc is empty of named candidates; a Republican bloc of N
    // there is pivotal exactly when N exceeds the votes it can spare.
    let (_, senate) = app.get("/api/congress/senate").await;
    let r = senate["caucuses"]["Republican"].as_u64().unwrap();
    let (status, p) = app
        .get(&format!(
            "/api/slates/{BLOC}/power?chamber=senate&wins=3&party=Republican"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["party_seats"], r);
    assert_eq!(p["pivotal"], r - 3 < 51);
    assert_eq!(p["senate"]["cloture"], 60);
}

async fn bad_power_queries_name_the_field(app: TestApp) {
    bloc_slate(&app, 2).await;
    for (query, field) in [
        ("chamber=assembly&wins=3", "chamber"),
        ("wins=3", "chamber"),
        ("chamber=house", "wins"),
        ("chamber=house&wins=0", "wins"),
        ("chamber=house&wins=-2", "wins"),
        ("chamber=house&wins=seven", "wins"),
        ("chamber=house&wins=436", "wins"),
        ("chamber=senate&wins=90", "wins"),
        ("chamber=house&wins=3&party=Whig", "party"),
        ("chamber=house&wins=3&allies=lots", "allies"),
    ] {
        let (status, body) = app.get(&format!("/api/slates/{BLOC}/power?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["error"]["field"], field, "{query}: {body}");
    }
    let (status, body) = app.get("/api/congress/assembly").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["field"], "chamber");
    let (status, body) = app.get("/api/slates/nope/power?chamber=house&wins=1").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, page) = app
        .html(&format!("/slates/{BLOC}/power?chamber=house&wins=x"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("wins"), "{page}");
}

async fn the_power_page_draws_the_chamber_and_links_every_n(app: TestApp) {
    bloc_slate(&app, 4).await;
    let (status, page) = app
        .html(&format!("/slates/{BLOC}/power?chamber=house&wins=7"))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<svg class=\"seat-chart\""), "{page}");
    // One square per seat of the chamber.
    let chart = &page[page.find("seat-chart").unwrap()..];
    let chart = &chart[..chart.find("</svg>").unwrap()];
    assert_eq!(chart.matches("<rect").count(), 435);
    // The bloc's seats are outlined.
    assert_eq!(chart.matches("stroke=\"#000\"").count(), 7);
    for n in 1..=15 {
        assert!(
            page.contains(&format!(
                "/slates/{BLOC}/power?chamber=house&amp;wins={n}\""
            )),
            "link for {n}"
        );
    }
    assert!(page.contains("aria-current=\"page\" aria-label=\"7 wins\""));
    assert!(
        page.contains("With 7 wins, the Democratic majority could not pass a party-line bill without this bloc"),
        "{page}"
    );
    assert!(page.contains("Committee on Agriculture"));
    assert!(!page.contains("<script"), "works without JavaScript");
    // Default: the House, one win per named candidate.
    let (status, page) = app.html(&format!("/slates/{BLOC}/power")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("What 4 wins would do in the House"), "{page}");
    let (status, senate) = app
        .html(&format!("/slates/{BLOC}/power?chamber=senate&wins=2"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        senate.contains("Ending a filibuster takes 60 votes"),
        "{senate}"
    );
}
