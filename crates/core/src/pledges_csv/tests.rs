use super::*;

fn problems(text: &str) -> Vec<String> {
    parse(text)
        .expect_err("refused")
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn rows_of_each_kind_are_read_with_aliases() {
    let text = "Email,First Name,Last Name,ZIP,Kind,Amount,Frequency,Hours per week,Weeks,Doors,Texts,Attests eligible,Card,Notes\n\
ada@example.org,Ada,Reyes,10001,money,\"$1,250.50\",monthly,,,,,yes,C-1,met at the fair\n\
ben@example.org,Ben,,43004,,,,4,10,,,,C-2,\n\
cy@example.org,,,,,,,,,20,100,,C-3,\n\
ada@example.org,Ada,Reyes,10001,,25,,,,,,x,C-4,\n";
    let p = parse(text).expect("read");
    assert_eq!(
        p.pledges.len(),
        4,
        "one pledge per row, not merged by email"
    );
    assert_eq!(p.ignored, vec!["Notes"]);
    let a = &p.pledges[0];
    assert_eq!((a.line, a.kind), (2, Kind::Money));
    assert_eq!(a.amount, Some(Cents(125_050)));
    assert_eq!(a.monthly, Some(true));
    assert_eq!(a.name, "Ada Reyes");
    assert!(a.attests_eligible);
    assert_eq!(a.external_id.as_deref(), Some("C-1"));
    let b = &p.pledges[1];
    assert_eq!(b.kind, Kind::Hours, "inferred from the hours");
    assert_eq!((b.hours_per_week, b.weeks), (Some(4), Some(10)));
    assert!(!b.attests_eligible);
    let c = &p.pledges[2];
    assert_eq!(c.kind, Kind::Actions);
    assert_eq!((c.doors, c.calls, c.texts), (Some(20), None, Some(100)));
    assert_eq!(p.pledges[3].kind, Kind::Money, "inferred from the amount");
    assert_eq!(p.header(Field::Amount), Some("Amount"));
}

#[test]
fn each_problem_names_its_line_and_column() {
    let text = "email,amount,recurring,hours,weeks,attests\n\
a@example.org,12x,once,,,yes\n\
b@example.org,50,weekly,,,maybe\n\
nope,50,,,,yes\n\
c@example.org,,,3,,\n\
d@example.org,,,,,\n";
    assert_eq!(
        problems(text),
        vec![
            "line 2, column 'amount': '12x' is not a dollar amount (like 50, $50.00 or $1,250)",
            "line 3, column 'recurring': 'weekly' is not monthly or once",
            "line 3, column 'attests': 'maybe' is not yes or no",
            "line 4, column 'email': 'nope' is not an email address like name@example.org",
            "line 5, column 'weeks': is empty; an hours pledge needs a number of weeks",
            "line 6: says no kind of pledge and has no amount, hours, doors, calls or texts",
        ]
    );
}

#[test]
fn an_actblue_export_is_refused_with_the_reason() {
    let text = "Receipt ID,Date,Amount,Donor First Name,Donor Email\nAB1,2026-01-02,25.00,Ada,ada@example.org\n";
    let p = problems(text);
    assert_eq!(p.len(), 1);
    assert!(
        p[0].starts_with("line 1, column 'Receipt ID': this is an ActBlue contribution export"),
        "{p:?}"
    );
    assert!(p[0].contains("money already given"), "{p:?}");
    assert!(p[0].contains("import it as people"), "{p:?}");
}

#[test]
fn the_header_needs_an_email_and_a_pledge_column() {
    assert_eq!(
        problems("name,zip\nAda,10001\n"),
        vec![
            "line 1: no email column; name one 'email' (each pledge's receipt goes to its pledger)",
            "line 1: no pledge columns; name at least one of 'amount', 'hours', 'doors', 'calls', 'texts'",
        ]
    );
    assert_eq!(
        problems("email,amount,Dollars\na@example.org,5,5\n"),
        vec!["line 1, column 'Dollars': 'amount' already holds the amount; keep one"]
    );
}

#[test]
fn a_pledge_id_may_appear_once_and_formulas_read_back() {
    let text = "email,amount,card,name\na@example.org,5,C-1,'=Ada\nb@example.org,5,C-1,Ben\n";
    assert_eq!(
        problems(text),
        vec!["line 3, column 'card': 'C-1' is also line 2's id; each pledge needs its own"]
    );
    let p = parse("email,amount,name\na@example.org,5,'=Ada\n").expect("read");
    assert_eq!(p.pledges[0].name, "=Ada");
}

#[test]
fn a_money_row_without_an_amount_column_says_which_column_to_add() {
    assert_eq!(
        problems("email,kind,hours,weeks\na@example.org,money,,\n"),
        vec!["line 2: a money pledge needs an amount; the file has no 'amount' column"]
    );
}
