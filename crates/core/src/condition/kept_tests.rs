//! `kept("cslug")` and `kept_all` (issue 15): parsing, canonical text,
//! English, what they read, and evaluation against the scorecard's facts.

use chrono::NaiveDate;

use super::*;
use crate::facts::Snapshot;

fn facts(broken: &[&str]) -> Snapshot {
    let mut s = Snapshot::new(NaiveDate::from_ymd_opt(2026, 6, 1).unwrap());
    s.broken = broken.iter().map(|b| (*b).to_owned()).collect();
    s
}

#[test]
fn kept_and_kept_all_parse_render_and_read_the_scorecard() {
    let c = Condition::parse("signers >= 3 and KEPT_ALL").unwrap();
    assert_eq!(c.canonical(), "signers >= 3 and kept_all");
    assert_eq!(
        c.to_english(),
        "at least 3 candidates have signed and every signer keeps every measured commitment of the compact"
    );
    assert!(c.reads().kept && c.reads().signers && !c.reads().today);
    assert!(c.reads().clock(), "periods end with time");
    assert!(c.reads().signatures() && c.reads().endorsements());

    let k = Condition::parse(r#"kept("ada-reyes") or not kept("ben-okafor")"#).unwrap();
    assert_eq!(
        k.canonical(),
        r#"kept("ada-reyes") or not kept("ben-okafor")"#
    );
    assert_eq!(k.mentioned_candidates(), vec!["ada-reyes", "ben-okafor"]);
    assert_eq!(
        Condition::parse(r#"not kept("ada-reyes")"#)
            .unwrap()
            .to_english(),
        "ada-reyes has broken a measured commitment of the compact"
    );
    assert_eq!(
        Condition::parse("not kept_all").unwrap().to_english(),
        "some signer has broken a measured commitment of the compact"
    );
    // round trip through the canonical text, and the stored bits
    assert_eq!(Condition::parse(&k.canonical()).unwrap(), k);
    assert_eq!(Reads::from_bits(c.reads().to_bits()), c.reads());
}

#[test]
fn kept_evaluates_against_broken_commitments() {
    let all = Condition::parse("kept_all").unwrap();
    let ada = Condition::parse(r#"kept("ada-reyes")"#).unwrap();
    assert!(all.eval(&facts(&[])));
    assert!(ada.eval(&facts(&[])));
    assert!(!all.eval(&facts(&["ben-okafor"])));
    assert!(
        ada.eval(&facts(&["ben-okafor"])),
        "Ben's breach is not Ada's"
    );
    assert!(!ada.eval(&facts(&["ada-reyes"])));
}

#[test]
fn kept_is_not_compared_and_needs_its_argument() {
    for (src, needle) in [
        ("kept_all >= 1", "'kept_all' is already true or false"),
        (
            r#"kept("ada-reyes") == 1"#,
            "'kept(...)' is already true or false",
        ),
        ("1 <= kept_all", "already true or false"),
        ("kept", "("),
        ("kept(ada)", "double quotes"),
    ] {
        let e = Condition::parse(src).unwrap_err();
        assert!(e.to_string().contains(needle), "{src}: {e}");
    }
}
