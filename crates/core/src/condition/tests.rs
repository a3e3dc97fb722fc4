use std::cell::Cell;

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::sample::select;

use super::ast::{Count, Expr, Op};
use super::*;
use crate::facts::Snapshot;
use crate::money::Cents;

pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub(super) fn cond(src: &str) -> Condition {
    Condition::parse(src).unwrap_or_else(|e| panic!("{src:?} should parse: {e}"))
}

fn error(src: &str) -> (usize, String) {
    match Condition::parse(src) {
        Ok(c) => panic!("{src:?} should not parse, got {c:?}"),
        Err(e) => (e.column, e.message),
    }
}

/// A condition straight from a tree, as the generators build them.
pub(super) fn from_expr(expr: Expr) -> Condition {
    let mut source = String::new();
    expr.write_canonical(&mut source);
    Condition { source, expr }
}

/// Five signers from three states who all endorse each other, $250,000 pledged.
pub(super) fn bloc() -> Snapshot {
    let mut s = Snapshot::new(date(2028, 3, 1));
    for (who, state) in [
        ("a", "NY"),
        ("b", "NY"),
        ("c", "CA"),
        ("d", "TX"),
        ("jane-doe", "CA"),
    ] {
        s.signers.insert(who.into(), state.into());
    }
    let names: Vec<String> = s.signers.keys().cloned().collect();
    for from in &names {
        for to in &names {
            if from != to {
                s.endorsements.insert((from.clone(), to.clone()));
            }
        }
    }
    s.pledged = Cents::from_dollars(250_000);
    s.pledgers = 40;
    s.hours = 120;
    s
}

// ---------------------------------------------------------------- parsing

#[test]
fn parses_the_design_examples() {
    let c = cond("signers >= 5 and states >= 3 and mutual");
    assert_eq!(
        c.expr,
        Expr::All(vec![
            Expr::Count(Count::Signers, Op::Ge, 5),
            Expr::Count(Count::States, Op::Ge, 3),
            Expr::Mutual,
        ])
    );
    let c = cond("signed(\"jane-doe\") and signers >= 3");
    assert_eq!(
        c.expr,
        Expr::All(vec![
            Expr::Signed("jane-doe".into()),
            Expr::Count(Count::Signers, Op::Ge, 3),
        ])
    );
    assert_eq!(
        cond("pledged >= $500,000").expr,
        Expr::Pledged(Op::Ge, Cents::from_dollars(500_000))
    );
}

#[test]
fn every_variable_and_operator_parses() {
    assert_eq!(
        cond("pledgers < 10").expr,
        Expr::Count(Count::Pledgers, Op::Lt, 10)
    );
    assert_eq!(
        cond("hours <= 40").expr,
        Expr::Count(Count::Hours, Op::Le, 40)
    );
    assert_eq!(
        cond("states > 2").expr,
        Expr::Count(Count::States, Op::Gt, 2)
    );
    assert_eq!(
        cond("signers == 0").expr,
        Expr::Count(Count::Signers, Op::Eq, 0)
    );
    assert_eq!(
        cond("signers != 4").expr,
        Expr::Count(Count::Signers, Op::Ne, 4)
    );
    assert_eq!(
        cond("today >= 2028-03-01").expr,
        Expr::Today(Op::Ge, date(2028, 3, 1))
    );
    assert_eq!(
        cond("endorses(\"a\", \"b-2\")").expr,
        Expr::Endorses("a".into(), "b-2".into())
    );
    assert_eq!(cond("true").expr, Expr::Const(true));
    assert_eq!(cond("false").expr, Expr::Const(false));
}

#[test]
fn literals_in_their_written_forms() {
    assert_eq!(cond("pledged >= $500000"), cond("pledged >= $500,000"));
    assert_eq!(
        cond("pledged > $12.50").expr,
        Expr::Pledged(Op::Gt, Cents(1250))
    );
    assert_eq!(
        cond("pledged > $12.5").expr,
        Expr::Pledged(Op::Gt, Cents(1250))
    );
    assert_eq!(
        cond("hours >= 1,000").expr,
        Expr::Count(Count::Hours, Op::Ge, 1000)
    );
    assert_eq!(
        cond("hours >= 007").expr,
        Expr::Count(Count::Hours, Op::Ge, 7)
    );
    assert_eq!(
        cond("today < 2028-02-29").expr,
        Expr::Today(Op::Lt, date(2028, 2, 29))
    );
}

#[test]
fn literal_first_comparisons_mean_the_same() {
    assert_eq!(cond("3 <= signers"), cond("signers >= 3"));
    assert_eq!(cond("3 < signers"), cond("signers > 3"));
    assert_eq!(cond("$5 >= pledged"), cond("pledged <= $5"));
    assert_eq!(cond("2028-01-01 == today"), cond("today == 2028-01-01"));
    assert_eq!(cond("2 != hours").canonical(), "hours != 2");
}

#[test]
fn keywords_are_case_insensitive_and_canonical_is_lowercase() {
    let c = cond("  SIGNERS>=5  And   NOT Mutual OR 3<=states  ");
    assert_eq!(c.source(), "SIGNERS>=5  And   NOT Mutual OR 3<=states");
    assert_eq!(c.canonical(), "signers >= 5 and not mutual or states >= 3");
    assert_eq!(c.to_string(), c.canonical());
    assert_eq!(cond(&c.canonical()), c);
}

#[test]
fn precedence_is_not_then_and_then_or() {
    assert_eq!(
        cond("mutual or signers >= 1 and states >= 2").expr,
        Expr::Any(vec![
            Expr::Mutual,
            Expr::All(vec![
                Expr::Count(Count::Signers, Op::Ge, 1),
                Expr::Count(Count::States, Op::Ge, 2),
            ]),
        ])
    );
    assert_eq!(
        cond("not mutual and true").expr,
        Expr::All(vec![Expr::Not(Box::new(Expr::Mutual)), Expr::Const(true)])
    );
    assert_eq!(
        cond("not (mutual and true)").expr,
        Expr::Not(Box::new(Expr::All(vec![Expr::Mutual, Expr::Const(true)])))
    );
}

#[test]
fn canonical_keeps_only_the_parentheses_the_tree_needs() {
    assert_eq!(cond("((mutual))").canonical(), "mutual");
    assert_eq!(
        cond("(mutual and true) or false").canonical(),
        "mutual and true or false"
    );
    assert_eq!(
        cond("mutual and (true or false)").canonical(),
        "mutual and (true or false)"
    );
    assert_eq!(
        cond("mutual and (true and false)").canonical(),
        "mutual and (true and false)"
    );
    assert_eq!(cond("not (signers > 1)").canonical(), "not signers > 1");
    assert_eq!(
        cond("endorses( \"a\" ,\"b\" ) AND pledged>=$1000.5").canonical(),
        "endorses(\"a\", \"b\") and pledged >= $1,000.50"
    );
}

#[test]
fn from_str_and_serde_use_the_source_text() {
    let c: Condition = "signers >=  5".parse().unwrap();
    assert_eq!(serde_json::to_string(&c).unwrap(), "\"signers >=  5\"");
    let back: Condition = serde_json::from_str("\"signers >=  5\"").unwrap();
    assert_eq!(back, c);
    assert_eq!(back.source(), "signers >=  5");
    let bad = serde_json::from_str::<Condition>("\"signers >=\"").unwrap_err();
    assert!(
        bad.to_string()
            .contains("expected a number after '>=' at column 11"),
        "{bad}"
    );
}

#[test]
fn mentioned_candidates_are_sorted_and_unique() {
    let c = cond("endorses(\"b\", \"a\") and signed(\"b\") or not signed(\"c\")");
    assert_eq!(c.mentioned_candidates(), vec!["a", "b", "c"]);
    assert!(cond("signers >= 2").mentioned_candidates().is_empty());
}

// ----------------------------------------------------------------- errors

#[test]
fn the_required_error_example() {
    let e = Condition::parse("signers >=").unwrap_err();
    assert_eq!(
        e,
        ParseError {
            column: 11,
            message: "expected a number after '>='".into()
        }
    );
    assert_eq!(e.to_string(), "expected a number after '>=' at column 11");
}

#[test]
fn every_error_names_its_column_and_what_was_expected() {
    let cases: &[(&str, usize, &str)] = &[
        ("", 1, "expected a condition"),
        ("   ", 4, "expected a condition"),
        ("signers >= 5 x", 14, "unexpected 'x'; expected 'and', 'or' or the end of the condition"),
        ("signer >= 5", 1, "unknown name 'signer' (did you mean 'signers'?)"),
        ("Mutul", 1, "unknown name 'Mutul' (did you mean 'mutual'?)"),
        (
            "frobnicate",
            1,
            "unknown name 'frobnicate'; a condition can use signers, states, mutual, signed, endorses, kept, kept_all, pledged, pledgers, hours, today, with_bloc, with_platform and rice",
        ),
        (
            "signers >= $5",
            12,
            "'signers' is a number of candidates, not an amount of money; compare it with a whole number like 5",
        ),
        (
            "states >= 2028-01-01",
            11,
            "'states' is a number of states, not a date; compare it with a whole number like 5",
        ),
        (
            "today > 3",
            9,
            "'today' is a date, not a plain number; compare it with a date like 2028-03-01",
        ),
        (
            "pledged < 2028-01-01",
            11,
            "'pledged' is an amount of money, not a date; compare it with an amount like $500,000",
        ),
        (
            "mutual >= 2",
            8,
            "'mutual' is already true or false, so it can't be compared with '>='; use it alone, or with 'not'",
        ),
        (
            "signed(\"a\") == true",
            13,
            "'signed(...)' is already true or false, so it can't be compared with '=='; use it alone, or with 'not'",
        ),
        (
            "2 <= mutual",
            6,
            "'mutual' is already true or false, so it can't be compared with '<='; use it alone, or with 'not'",
        ),
        ("pledged >= 500000", 12, "write money with a dollar sign, like $500000"),
        ("pledged >= 500,00", 12, "write money with a dollar sign, like $500,000"),
        ("pledged >= $500,00", 12, "commas must separate groups of three digits, like $500,000"),
        ("pledged >= $5.123", 12, "write amounts with at most two digits of cents, like $12.50"),
        ("pledged >= $99999999999999999999", 12, "$99999999999999999999 is too large an amount"),
        (
            "signers >= 2.5",
            12,
            "'signers' is a number of candidates; write a whole number, without a decimal point",
        ),
        ("signers >= 1,0000", 12, "commas must separate groups of three digits, like 1,000"),
        ("hours >= 99999999999999999999", 10, "99999999999999999999 is too large a number"),
        ("today >= 2028-02-30", 10, "2028-02-30 is not a real date"),
        ("today >= 2028-3-1", 10, "write dates as year-month-day, like 2028-03-01"),
        ("today >=", 9, "expected a date like 2028-03-01 after '>='"),
        ("pledged >", 10, "expected an amount like $500,000 after '>'"),
        ("signers >= hours", 12, "expected a number after '>=', found 'hours'"),
        ("signers 5", 9, "expected a comparison like '>=' after 'signers', found '5'"),
        ("5", 2, "expected a comparison like '<=' after '5'"),
        ("5 >= 3", 6, "expected a name like signers, pledged or today after '>=', found '3'"),
        ("5 >= sigers", 6, "unknown name 'sigers' (did you mean 'signers'?)"),
        ("signers = 5", 9, "write '==' to test for equality"),
        ("signers => 5", 9, "write '>=' for 'at least'"),
        ("mutual && true", 8, "write 'and' instead of '&&'"),
        ("mutual || true", 8, "write 'or' instead of '||'"),
        ("!mutual", 1, "write 'not' instead of '!'"),
        ("signers ≥ 5", 9, "write '>=' instead of '≥'"),
        ("signers >= 5 and", 17, "expected a condition after 'and'"),
        ("and mutual", 1, "expected a condition, found 'and'"),
        ("mutual or or true", 11, "expected a condition after 'or', found 'or'"),
        ("not", 4, "expected a condition after 'not'"),
        ("(mutual", 8, "expected ')' to close the '(' at column 1"),
        ("(mutual x", 9, "expected 'and', 'or' or ')' to close the '(' at column 1, found 'x'"),
        ("mutual)", 7, "unexpected ')' with no matching '('"),
        ("()", 2, "expected a condition after '(', found ')'"),
        (
            "1 < signers < 5",
            13,
            "unexpected '<': comparisons can't be chained; join them with 'and', like signers >= 2 and signers <= 5",
        ),
        ("signed", 7, "expected '(' after 'signed'; write it like signed(\"jane-doe\")"),
        (
            "signed(jane)",
            8,
            "expected a candidate name in double quotes after '(', found 'jane'; write it like \"jane-doe\"",
        ),
        ("signed(\"jane\"", 14, "expected ')' after \"jane\""),
        (
            "signed(\"Jane\")",
            8,
            "a candidate name may use only lowercase letters, digits and hyphens, like \"jane-doe\" (found 'J')",
        ),
        (
            "signed(\"jane doe\")",
            8,
            "a candidate name may use only lowercase letters, digits and hyphens, like \"jane-doe\" (found U+0020)",
        ),
        ("signed(\"\")", 8, "a candidate name must not be empty"),
        (
            "signed(\"-x\")",
            8,
            "a candidate name must not start or end with a hyphen, or have two in a row",
        ),
        ("signed(\"jane", 13, "expected '\"' to close the name that starts at column 8"),
        (
            "signed(“jane”)",
            8,
            "write candidate names in straight double quotes, like \"jane-doe\", not with “",
        ),
        (
            "endorses(\"a\")",
            13,
            "expected ',' and the name of the endorsed candidate after \"a\", found ')'",
        ),
        (
            "endorses(\"a\",)",
            14,
            "expected the endorsed candidate's name in double quotes after ',', found ')'; write it like \"john-roe\"",
        ),
        ("signers >= 5 @", 14, "unexpected character '@'"),
        ("mutual\u{7}", 7, "unexpected character U+0007"),
        ("$", 2, "expected an amount after '$', like $500,000"),
        ("\"jane\"", 1, "expected a condition, found \"jane\""),
    ];
    for (src, column, message) in cases {
        assert_eq!(error(src), (*column, (*message).to_owned()), "for {src:?}");
    }
}

#[test]
fn the_leftmost_error_wins_even_when_a_later_character_is_unreadable() {
    assert_eq!(
        error("signers >= x @"),
        (12, "expected a number after '>=', found 'x'".to_owned())
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    assert_eq!(error("signed(\"é\") x").0, 8);
    assert_eq!(error("(mutual) é").0, 10);
}

#[test]
fn nesting_is_limited() {
    let ok = format!("{}mutual", "not ".repeat(MAX_DEPTH));
    assert!(Condition::parse(&ok).is_ok());
    let deep = format!("{}mutual", "not ".repeat(MAX_DEPTH + 1));
    assert_eq!(
        error(&deep),
        (
            MAX_DEPTH * 4 + 1,
            "conditions may nest at most 64 levels deep".to_owned()
        )
    );

    let ok = format!("{}mutual{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert!(Condition::parse(&ok).is_ok());
    let deep = format!(
        "{}mutual{}",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    assert_eq!(
        error(&deep),
        (
            MAX_DEPTH + 1,
            "conditions may nest at most 64 levels deep".to_owned()
        )
    );

    // Hostile input far beyond the limit is refused, not a stack overflow.
    let hostile = "(".repeat(MAX_LEN);
    assert_eq!(error(&hostile).0, MAX_DEPTH + 1);
}

#[test]
fn length_is_limited() {
    let long = "mutual and ".repeat(200) + "mutual";
    assert_eq!(
        error(&long),
        (
            MAX_LEN + 1,
            "a condition may be at most 2000 characters long (this one has 2206)".to_owned()
        )
    );
    let longest = format!("{}mutual", " ".repeat(MAX_LEN - 6));
    assert!(Condition::parse(&longest).is_ok());
}

// ------------------------------------------------------------- evaluation

#[test]
fn evaluates_the_design_example_against_a_snapshot() {
    let c = cond("signers >= 5 and states >= 3 and mutual");
    let mut s = bloc();
    assert!(c.eval(&s));
    s.endorsements.remove(&("a".to_owned(), "b".to_owned()));
    assert!(!c.eval(&s), "one missing endorsement breaks mutual");
    let mut s = bloc();
    s.signers.insert("d".into(), "NY".into());
    assert!(!c.eval(&s), "only two states left");
    let mut s = bloc();
    s.signers.remove("d");
    assert!(!c.eval(&s), "four signers");
}

#[test]
fn evaluates_each_fact_at_its_boundary() {
    let s = bloc();
    let holds = |src: &str| cond(src).eval(&s);
    assert!(holds("signers == 5") && !holds("signers > 5") && holds("signers <= 5"));
    assert!(holds("states == 3") && !holds("states != 3"));
    assert!(holds("pledgers >= 40") && !holds("pledgers < 40"));
    assert!(holds("hours > 119") && !holds("hours > 120"));
    assert!(holds("pledged >= $250,000") && !holds("pledged > $250,000"));
    assert!(holds("pledged > $249,999.99") && !holds("pledged >= $250,000.01"));
    assert!(holds("today >= 2028-03-01") && !holds("today > 2028-03-01"));
    assert!(holds("today < 2028-03-02") && !holds("today < 2028-03-01"));
    assert!(holds("signed(\"jane-doe\")") && !holds("signed(\"john-roe\")"));
    assert!(holds("endorses(\"a\", \"b\")") && !holds("endorses(\"a\", \"a\")"));
    assert!(holds("true") && !holds("false"));
    assert!(holds("not false") && !holds("not not false"));
    assert!(holds("false or mutual") && !holds("mutual and false"));
    assert!(holds("3 <= signers") && !holds("6 <= signers"));
}

#[test]
fn evaluates_an_empty_slate() {
    let s = Snapshot::new(date(2026, 1, 1));
    assert!(cond("mutual").eval(&s), "vacuously mutual");
    assert!(cond("signers == 0 and states == 0 and pledged == $0").eval(&s));
    assert!(!cond("signed(\"a\") or endorses(\"a\", \"b\")").eval(&s));
}

// ---------------------------------------------------------------- English

#[test]
fn renders_plain_english() {
    let cases: &[(&str, &str)] = &[
        (
            "signers >= 5 and states >= 3 and mutual",
            "at least 5 candidates have signed, and the signers come from at least 3 states, and every signer endorses every other signer",
        ),
        ("pledged >= $500,000", "at least $500,000 has been pledged"),
        ("signed(\"jane-doe\")", "jane-doe has signed"),
        ("today >= 2028-03-01", "it is March 1, 2028 or later"),
        ("today < 2028-11-07", "it is before November 7, 2028"),
        ("not mutual", "not every signer endorses every other signer"),
        ("not not mutual", "every signer endorses every other signer"),
        ("signers >= 1", "at least 1 candidate has signed"),
        ("signers > 1", "more than 1 candidate has signed"),
        ("signers < 1", "no candidates have signed"),
        ("signers != 3", "the number of candidates who have signed is not 3"),
        ("states == 1", "the signers come from exactly 1 state"),
        ("pledgers >= 1,000", "at least 1,000 supporters have pledged"),
        ("hours > 40", "more than 40 volunteer hours a week have been pledged"),
        ("pledged < $12.50", "less than $12.50 has been pledged"),
        ("pledged == $0", "nothing has been pledged"),
        ("endorses(\"a\", \"b\")", "a endorses b"),
        ("not endorses(\"a\", \"b\")", "a does not endorse b"),
        ("not signed(\"a\")", "a has not signed"),
        ("true", "always"),
        ("not true", "never"),
        (
            "signed(\"jane-doe\") and signers >= 3",
            "jane-doe has signed and at least 3 candidates have signed",
        ),
        (
            "signed(\"jane-doe\") and (signers >= 3 or pledged >= $1,000)",
            "jane-doe has signed, and either at least 3 candidates have signed or at least $1,000 has been pledged",
        ),
        (
            "not (signers >= 5 and mutual)",
            "fewer than 5 candidates have signed or not every signer endorses every other signer",
        ),
        (
            "(signers >= 2 and mutual) or (pledged >= $1,000 and today < 2028-01-01)",
            "both at least 2 candidates have signed and every signer endorses every other signer, or both at least $1,000 has been pledged and it is before January 1, 2028",
        ),
        (
            "mutual and (signed(\"a\") or (signed(\"b\") and signed(\"c\")))",
            "every signer endorses every other signer, and (either a has signed, or both b has signed and c has signed)",
        ),
        (
            "mutual and (signed(\"a\") or signed(\"b\") or signed(\"c\"))",
            "every signer endorses every other signer, and (a has signed, or b has signed, or c has signed)",
        ),
        (
            "mutual and (signed(\"a\") and signed(\"b\"))",
            "every signer endorses every other signer, and a has signed, and b has signed",
        ),
    ];
    for (src, english) in cases {
        assert_eq!(cond(src).to_english(), *english, "for {src:?}");
    }
}

// ------------------------------------------------------------------ reads

#[test]
fn reads_names_exactly_the_facts_used() {
    let r = cond("signers >= 5 and states >= 3 and mutual").reads();
    assert_eq!(
        r,
        Reads {
            signers: true,
            states: true,
            mutual: true,
            ..Reads::default()
        }
    );
    assert!(r.signatures() && r.endorsements() && !r.pot() && !r.clock());

    let r = cond("pledged >= $5 or today > 2028-01-01").reads();
    assert!(!r.signatures() && !r.endorsements() && r.pot() && r.clock());

    let r = cond("endorses(\"a\", \"b\")").reads();
    assert!(!r.signatures() && r.endorsements());

    let r = cond("not signed(\"a\") and (hours > 1 or pledgers > 1)").reads();
    assert!(r.signed && r.hours && r.pledgers && !r.pledged);
    assert!(r.signatures() && !r.endorsements() && r.pot());

    assert_eq!(cond("true").reads(), Reads::default());
}

#[test]
fn reads_bits_are_stable_and_round_trip() {
    let one = |r: Reads| r.to_bits();
    assert_eq!(
        one(Reads {
            signers: true,
            ..Reads::default()
        }),
        1
    );
    assert_eq!(
        one(Reads {
            states: true,
            ..Reads::default()
        }),
        2
    );
    assert_eq!(
        one(Reads {
            mutual: true,
            ..Reads::default()
        }),
        4
    );
    assert_eq!(
        one(Reads {
            signed: true,
            ..Reads::default()
        }),
        8
    );
    assert_eq!(
        one(Reads {
            endorses: true,
            ..Reads::default()
        }),
        16
    );
    assert_eq!(
        one(Reads {
            pledged: true,
            ..Reads::default()
        }),
        32
    );
    assert_eq!(
        one(Reads {
            pledgers: true,
            ..Reads::default()
        }),
        64
    );
    assert_eq!(
        one(Reads {
            hours: true,
            ..Reads::default()
        }),
        128
    );
    assert_eq!(
        one(Reads {
            today: true,
            ..Reads::default()
        }),
        256
    );
    for bits in 0..512 {
        assert_eq!(Reads::from_bits(bits).to_bits(), bits);
    }
    assert_eq!(
        one(Reads {
            kept: true,
            ..Reads::default()
        }),
        512,
        "kept (issue 15) takes the next bit"
    );
    assert_eq!(
        Reads::from_bits(-1).to_bits(),
        1023,
        "unknown bits are ignored"
    );
    let a = Reads::from_bits(5);
    assert_eq!(a.union(Reads::from_bits(256)).to_bits(), 261);
}

// ------------------------------------------------------------- properties

pub(super) const POOL: [&str; 5] = ["a", "b", "c", "jane-doe", "john-roe"];

fn arb_slug() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(&POOL[..]).prop_map(str::to_owned),
        1 => "[a-z][a-z0-9]{0,5}(-[a-z0-9]{1,4})?",
    ]
}

fn arb_date() -> impl Strategy<Value = NaiveDate> {
    (1000i32..=9999, 1u32..=12, 1u32..=31)
        .prop_filter_map("a real date", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
}

fn arb_leaf() -> impl Strategy<Value = Expr> {
    let op = select(Op::ALL.to_vec());
    prop_oneof![
        any::<bool>().prop_map(Expr::Const),
        Just(Expr::Mutual),
        arb_slug().prop_map(Expr::Signed),
        (arb_slug(), arb_slug()).prop_map(|(a, b)| Expr::Endorses(a, b)),
        (
            select(Count::ALL.to_vec()),
            op.clone(),
            prop_oneof![0u64..12, any::<u64>()]
        )
            .prop_map(|(v, op, n)| Expr::Count(v, op, n)),
        (op.clone(), prop_oneof![0i64..100_000_000, 0i64..=i64::MAX])
            .prop_map(|(op, c)| Expr::Pledged(op, Cents(c))),
        (op, arb_date()).prop_map(|(op, d)| Expr::Today(op, d)),
    ]
}

pub(super) fn arb_expr() -> impl Strategy<Value = Expr> {
    arb_leaf().prop_recursive(5, 32, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
            prop::collection::vec(inner.clone(), 2..5).prop_map(Expr::All),
            prop::collection::vec(inner, 2..5).prop_map(Expr::Any),
        ]
    })
}

pub(super) fn arb_snapshot() -> impl Strategy<Value = Snapshot> {
    let name = select(&POOL[..]).prop_map(str::to_owned);
    (
        prop::collection::btree_map(name.clone(), select(vec!["NY", "CA", "TX"]), 0..5),
        prop::collection::btree_set((name.clone(), name), 0..20),
        0i64..200_000_000,
        0u64..20,
        0u64..200,
        arb_date(),
    )
        .prop_map(
            |(signers, endorsements, pledged, pledgers, hours, today)| Snapshot {
                signers: signers
                    .into_iter()
                    .map(|(k, v)| (k, v.to_owned()))
                    .collect(),
                endorsements,
                pledged: Cents(pledged),
                pledgers,
                hours,
                today,
                bloc: Default::default(),
                broken: Default::default(),
            },
        )
}

/// Words, symbols and literals of the language, right and wrong, to build
/// strings that get deep into the parser.
const TOKENS: &[&str] = &[
    "signers",
    "states",
    "mutual",
    "signed",
    "endorses",
    "pledged",
    "pledgers",
    "hours",
    "today",
    "true",
    "false",
    "and",
    "or",
    "not",
    "AND",
    "Not",
    "(",
    ")",
    ",",
    "<",
    "<=",
    ">",
    ">=",
    "==",
    "!=",
    "=",
    "!",
    "&&",
    "||",
    "5",
    "0",
    "1,000",
    "1,00",
    "2.5",
    "$500,000",
    "$12.50",
    "$5.123",
    "$",
    "2028-03-01",
    "2028-02-30",
    "2028-3",
    "\"jane-doe\"",
    "\"a\"",
    "\"Bad\"",
    "\"",
    "\"\"",
    "x",
    "signer",
    "@",
    "-",
    "“",
    "é",
    "99999999999999999999999",
];

fn token_soup() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(select(TOKENS), 0..40),
        prop::collection::vec(select(vec![" ", "", "  "]), 40),
    )
        .prop_map(|(tokens, gaps)| {
            tokens
                .iter()
                .zip(gaps.iter().cycle())
                .map(|(t, g)| format!("{t}{g}"))
                .collect()
        })
}

/// Whatever `parse` returns must be coherent: errors point inside the text
/// (or just past it), successes re-render to an equal condition.
fn check_parse(src: &str) -> Result<(), TestCaseError> {
    match Condition::parse(src) {
        Err(e) => {
            let len = src.chars().count();
            prop_assert!(
                e.column >= 1 && e.column <= len.min(MAX_LEN) + 1,
                "column {} out of range for {src:?}",
                e.column
            );
            prop_assert!(!e.message.is_empty());
        }
        Ok(c) => {
            let again = Condition::parse(&c.canonical());
            prop_assert_eq!(again.as_ref(), Ok(&c), "canonical of {:?}", src);
            prop_assert!(!c.to_english().is_empty());
        }
    }
    Ok(())
}

/// Facts that remember which of them were read.
struct Recording<'a> {
    inner: &'a Snapshot,
    seen: Cell<Reads>,
}

impl Recording<'_> {
    fn mark(&self, f: impl FnOnce(&mut Reads)) {
        let mut r = self.seen.get();
        f(&mut r);
        self.seen.set(r);
    }
}

impl Facts for Recording<'_> {
    fn signers(&self) -> u64 {
        self.mark(|r| r.signers = true);
        self.inner.signers()
    }
    fn states(&self) -> u64 {
        self.mark(|r| r.states = true);
        self.inner.states()
    }
    fn mutual(&self) -> bool {
        self.mark(|r| r.mutual = true);
        self.inner.mutual()
    }
    fn signed(&self, candidate: &str) -> bool {
        self.mark(|r| r.signed = true);
        self.inner.signed(candidate)
    }
    fn endorses(&self, from: &str, to: &str) -> bool {
        self.mark(|r| r.endorses = true);
        self.inner.endorses(from, to)
    }
    fn pledged(&self) -> Cents {
        self.mark(|r| r.pledged = true);
        self.inner.pledged()
    }
    fn pledgers(&self) -> u64 {
        self.mark(|r| r.pledgers = true);
        self.inner.pledgers()
    }
    fn hours(&self) -> u64 {
        self.mark(|r| r.hours = true);
        self.inner.hours()
    }
    fn today(&self) -> NaiveDate {
        self.mark(|r| r.today = true);
        self.inner.today()
    }
    fn kept(&self, candidate: &str) -> bool {
        self.mark(|r| r.kept = true);
        self.inner.kept(candidate)
    }
    fn kept_all(&self) -> bool {
        self.mark(|r| r.kept = true);
        self.inner.kept_all()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn parsing_arbitrary_text_never_panics(src in "\\PC{0,300}") {
        check_parse(&src)?;
    }

    #[test]
    fn parsing_token_soup_never_panics(src in token_soup()) {
        check_parse(&src)?;
    }

    #[test]
    fn parsing_near_misses_of_valid_conditions_never_panics(
        expr in arb_expr(),
        cut in any::<prop::sample::Index>(),
        junk in select(TOKENS),
    ) {
        // Valid text with a token spliced in at a random character.
        let text = from_expr(expr).canonical();
        let chars: Vec<char> = text.chars().collect();
        let at = cut.index(chars.len() + 1);
        let spliced: String = chars[..at].iter().chain(junk.chars().collect::<Vec<_>>().iter()).chain(chars[at..].iter()).collect();
        check_parse(&spliced)?;
        let truncated: String = chars[..at].iter().collect();
        check_parse(&truncated)?;
    }

    #[test]
    fn nesting_up_to_the_limit_parses_and_beyond_it_fails(parens in 0usize..80, nots in 0usize..80) {
        let src = format!("{}{}mutual{}", "(".repeat(parens), "not ".repeat(nots), ")".repeat(parens));
        let parsed = Condition::parse(&src);
        prop_assert_eq!(parsed.is_ok(), parens + nots <= MAX_DEPTH, "{:?}", parsed);
        if let Ok(c) = parsed {
            prop_assert_eq!(c.eval(&Snapshot::new(NaiveDate::MIN)), nots % 2 == 0);
        }
    }

    #[test]
    fn canonical_parses_back_to_an_equal_condition(expr in arb_expr(), facts in arb_snapshot()) {
        let c = from_expr(expr);
        let text = c.canonical();
        prop_assume!(text.chars().count() <= MAX_LEN);
        let parsed = Condition::parse(&text);
        prop_assert_eq!(parsed.as_ref(), Ok(&c), "{}", text);
        if let Ok(parsed) = parsed {
            prop_assert_eq!(parsed.canonical(), text);
            prop_assert_eq!(parsed.eval(&facts), c.eval(&facts));
            prop_assert_eq!(parsed.reads(), c.reads());
        }
    }

    #[test]
    fn eval_is_total_and_consistent(expr in arb_expr(), facts in arb_snapshot()) {
        let c = from_expr(expr.clone());
        let value = c.eval(&facts);
        prop_assert_eq!(c.eval(&facts), value, "deterministic");

        let negated = from_expr(Expr::Not(Box::new(expr.clone())));
        prop_assert_eq!(negated.eval(&facts), !value);

        // The English is rendered from the negation normal form; it must mean the same.
        prop_assert_eq!(expr.negation_normal_form(false).eval(&facts), value);
        prop_assert_eq!(expr.negation_normal_form(true).eval(&facts), !value);
        let english = c.to_english();
        prop_assert!(!english.is_empty());
        prop_assert!(!english.contains("it is not the case"), "{}", english);

        // Reads is sound: evaluation touches no fact it does not declare.
        let recording = Recording { inner: &facts, seen: Cell::new(Reads::default()) };
        prop_assert_eq!(c.eval(&recording), value);
        let seen = recording.seen.get().to_bits();
        prop_assert_eq!(seen & !c.reads().to_bits(), 0, "read {:?} but declared {:?}", recording.seen.get(), c.reads());
    }
}
