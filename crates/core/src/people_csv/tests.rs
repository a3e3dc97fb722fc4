use proptest::prelude::*;

use super::*;
use crate::csv::write;

fn problems(text: &str) -> Vec<String> {
    parse(text)
        .unwrap_err()
        .iter()
        .map(|p| p.to_string())
        .collect()
}

#[test]
fn headers_of_the_exports_organizers_have_are_read() {
    for h in [
        "first",
        "firstName",
        "first_name",
        "given_name",
        "First Name",
        "Donor First Name",
    ] {
        assert_eq!(column_of(h), Some(Column::GivenName), "{h}");
    }
    for h in [
        "zip",
        "zip_code",
        "postal_code",
        "Zip",
        "ZIP",
        "Donor ZIP",
        "zipCode",
    ] {
        assert_eq!(column_of(h), Some(Column::Zip), "{h}");
    }
    for h in [
        "email",
        "Email",
        "email_address",
        "Email Address",
        "Donor Email",
    ] {
        assert_eq!(column_of(h), Some(Column::Email), "{h}");
    }
    assert_eq!(column_of("can2_state_abbreviated"), Some(Column::State));
    assert_eq!(column_of("Receipt ID"), None);
}

#[test]
fn an_action_network_export_is_read() {
    let p = parse(
        "first_name,last_name,email,zip_code,can2_subscription_status\n\
         Ada,Lovelace,ADA@Example.org,02139,subscribed\n",
    )
    .unwrap();
    assert_eq!(p.people.len(), 1);
    let a = &p.people[0];
    assert_eq!(a.email.as_ref().unwrap().as_str(), "ada@example.org");
    assert_eq!((a.given_name.as_str(), a.zip.as_str()), ("Ada", "02139"));
    assert_eq!(p.ignored, vec!["can2_subscription_status"]);
}

#[test]
fn an_actblue_export_is_read() {
    let p = parse(
        "Receipt ID,Amount,Donor First Name,Donor Last Name,Donor Addr1,Donor City,Donor State,Donor ZIP,Donor Email,Donor Phone\n\
         AB1,25.00,Grace,Hopper,1 Main St,Arlington,va,22201-1234,grace@example.org,(703) 555-0100\n",
    )
    .unwrap();
    let g = &p.people[0];
    assert_eq!(g.state, "VA");
    assert_eq!(g.zip, "22201-1234");
    assert_eq!(g.phone, "(703) 555-0100");
}

#[test]
fn each_problem_names_its_line_and_column() {
    let text = "email,zip\nok@example.org,12345\n".to_owned()
        + &"a@example.org,12345\n".repeat(38)
        + "b@example.org,1234\nnot-an-email,\n";
    let got = problems(&text);
    assert_eq!(
        got,
        vec![
            "line 41, column 'zip': '1234' is not a ZIP code (five digits, or ZIP+4 like 12345-6789)",
            "line 42, column 'email': 'not-an-email' is not an email address like name@example.org",
        ]
    );
}

#[test]
fn control_characters_long_fields_and_ragged_rows_are_refused() {
    let got = problems("email,first\nx@example.org,a\u{7}b\n");
    assert!(got[0].starts_with("line 2, column 'first': holds a control character (U+0007)"));
    let long = "n".repeat(201);
    let got = problems(&format!("email,first\nx@example.org,{long}\n"));
    assert!(got[0].contains("is 201 characters long"), "{got:?}");
    let got = problems("email,first\nx@example.org\n");
    assert_eq!(got, vec!["line 2: has 1 fields but the header names 2"]);
    let got = problems("email,first\n\"x@example.org,a\n");
    assert_eq!(got, vec!["line 2: a quoted field is never closed"]);
}

#[test]
fn a_file_without_an_email_column_or_with_two_is_refused() {
    assert!(problems("first,zip\nA,12345\n")[0].contains("no email column"));
    assert_eq!(
        problems("email,Email\nx@example.org,y@example.org\n"),
        vec!["line 1, column 'Email': 'email' already holds the email; keep one"]
    );
    assert!(problems("")[0].contains("empty"));
    assert!(problems("email,first\n,Ann\n")[0].contains("line 2, column 'email': is empty"));
}

#[test]
fn duplicate_emails_merge_later_fields_over_earlier() {
    let p =
        parse("email,first,zip\na@example.org,Ann,\nb@example.org,Bo,\nA@example.org,,10001\n\n")
            .unwrap();
    assert_eq!(p.rows, 3);
    assert_eq!(p.duplicates, 1);
    assert_eq!(p.people.len(), 2);
    assert_eq!(
        (p.people[0].given_name.as_str(), p.people[0].zip.as_str()),
        ("Ann", "10001")
    );
}

fn name() -> impl Strategy<Value = String> {
    // Names as people type them: any text (formulas, quotes, commas, line
    // breaks, unicode) without surrounding whitespace, which import trims.
    prop_oneof!["[=+@\\-'\"]?[a-zA-Z ,\"'\\n=+é漢😀-]{0,20}", "\\PC{0,12}",]
        .prop_map(|s| s.trim().to_owned())
        .prop_filter("no control characters", |s| {
            !s.chars().any(super::forbidden)
        })
}

proptest! {
    #[test]
    fn the_export_round_trips_through_the_importer(
        people in proptest::collection::vec((name(), name(), name()), 1..8)
    ) {
        let rows = people.iter().enumerate().map(|(i, (g, f, c))| {
            vec![g.clone(), f.clone(), format!("p{i}@example.org"), "10001".into(),
                 String::new(), c.clone(), "NY".into(), String::new()]
        });
        let text = write(&EXPORT_HEADER, rows);
        let p = parse(&text).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(p.people.len(), people.len());
        for (got, (g, f, c)) in p.people.iter().zip(&people) {
            prop_assert_eq!(&got.given_name, g);
            prop_assert_eq!(&got.family_name, f);
            prop_assert_eq!(&got.city, c);
        }
    }
}
