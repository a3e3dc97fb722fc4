//! `/api/openapi.json` (issue 19): the document is served, is OpenAPI 3.1,
//! and names exactly the routes the router has under `/api`: a tidy test
//! that reads the route tables in `crates/web/src` so a new route cannot be
//! added without its `#[utoipa::path]`.

use cohort_testkit as common;

use std::collections::BTreeSet;
use std::path::Path;

use common::TestApp;
use reqwest::StatusCode;

/// `(METHOD, /api/path)` for every `.route(...)` in `text` (a slice of a
/// route table), with `prefix` put before each path.
fn routes_in(text: &str, prefix: &str, out: &mut BTreeSet<(String, String)>) {
    let mut rest = text;
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        // The call's arguments, up to its closing parenthesis.
        let mut depth = 1;
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let args = &rest[..end];
        let Some(open) = args.find('"') else { continue };
        let Some(close) = args[open + 1..].find('"') else {
            continue;
        };
        let path = &args[open + 1..open + 1 + close];
        let handlers = &args[open + 2 + close..];
        for method in ["get", "post", "put", "patch", "delete"] {
            let called = handlers.match_indices(&format!("{method}(")).any(|(i, _)| {
                i == 0 || !handlers[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
            });
            if called {
                out.insert((method.to_uppercase(), format!("{prefix}{path}")));
            }
        }
    }
}

/// The body of `fn name` in `src` (from its signature to the next line that
/// is a lone `}`), if there is one.
fn function<'a>(src: &'a str, name: &str) -> Option<&'a str> {
    let start = src.find(&format!("fn {name}("))?;
    let body = &src[start..];
    let end = body.find("\n}").unwrap_or(body.len());
    Some(&body[..end])
}

/// Every API route the router has, read from the route tables: each module's
/// `api_routes()`, `api.rs`'s and `openapi.rs`'s `routes()`, the `/api` block
/// of `lib.rs`, and any route anywhere whose path starts with `/api/`.
fn router_api_routes() -> BTreeSet<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/src");
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("crates/web/src") {
        let path = entry.expect("an entry").path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let src = std::fs::read_to_string(&path).expect("a source file");
        let file = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if let Some(table) = function(&src, "api_routes") {
            routes_in(table, "/api", &mut out);
        }
        if file == "api.rs" || file == "openapi.rs" {
            routes_in(
                function(&src, "routes").expect("routes()"),
                "/api",
                &mut out,
            );
        }
        if file == "lib.rs" {
            let start = src
                .find("let api = ")
                .expect("lib.rs builds `let api = ...`");
            let block = &src[start..];
            let block = &block[..block.find(";\n").expect("the end of `let api`")];
            routes_in(block, "/api", &mut out);
        }
        let mut absolute = BTreeSet::new();
        routes_in(&src, "", &mut absolute);
        out.extend(absolute.into_iter().filter(|(_, p)| p.starts_with("/api/")));
    }
    out
}

#[test]
fn the_route_reader_sees_methods_and_prefixes() {
    let mut out = BTreeSet::new();
    routes_in(
        r#"Router::new()
            .route("/a/{id}", get(one).patch(change))
            .route(
                "/b",
                post(crate::payments::new_card),
            )
            .route("/c", get(budget))"#,
        "/api",
        &mut out,
    );
    let want: BTreeSet<_> = [
        ("GET", "/api/a/{id}"),
        ("PATCH", "/api/a/{id}"),
        ("POST", "/api/b"),
        ("GET", "/api/c"),
    ]
    .into_iter()
    .map(|(m, p)| (m.to_owned(), p.to_owned()))
    .collect();
    assert_eq!(out, want);
}

#[tokio::test]
async fn every_api_route_is_in_the_openapi_document_and_nothing_else() {
    let app = TestApp::sqlite().await;
    let (status, doc) = app.get("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "OpenAPI 3.1: {}",
        doc["openapi"]
    );
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("a path item").keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let routed = router_api_routes();
    assert!(routed.len() > 40, "the reader found the tables: {routed:?}");
    let missing: Vec<_> = routed.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "routes under /api with no #[utoipa::path] (add one and list it in crates/web/src/openapi.rs): {missing:?}"
    );
    let extra: Vec<_> = documented.difference(&routed).collect();
    assert!(
        extra.is_empty(),
        "documented operations the router does not have: {extra:?}"
    );
}

#[tokio::test]
async fn the_document_describes_bearer_tokens_and_the_error_body() {
    let app = TestApp::sqlite().await;
    let (_, doc) = app.get("/api/openapi.json").await;
    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    let error = &doc["components"]["schemas"]["ErrorBody"];
    assert_eq!(error["required"], serde_json::json!(["error"]), "{error}");
    // An organizer-only operation requires the token and documents its errors.
    let books = &doc["paths"]["/api/books"]["get"];
    assert_eq!(books["security"], serde_json::json!([{"bearer": []}]));
    assert_eq!(
        books["responses"]["4XX"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ErrorBody"
    );
    // A real error answer has that shape.
    let (status, body) = app.get("/api/books").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["error"]["code"].is_string(), "{body}");
}
