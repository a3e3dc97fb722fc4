//! Money is integer cents, always. There are no floats anywhere money flows.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An amount of US money in integer cents. May be negative only as the
/// result of arithmetic a caller chose to do; parsed amounts are never negative.
#[derive(
    utoipa::ToSchema,
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
)]
#[serde(transparent)]
pub struct Cents(pub i64);

/// The largest amount Cohort accepts in a single pledge: $10,000,000.00.
/// Anything larger is certainly a typo or an attack, never a real gift.
pub const MAX_PLEDGE: Cents = Cents(1_000_000_000);

impl Cents {
    pub const ZERO: Cents = Cents(0);

    pub const fn new(cents: i64) -> Self {
        Cents(cents)
    }

    pub const fn from_dollars(dollars: i64) -> Self {
        Cents(dollars * 100)
    }

    pub const fn get(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Cents) -> Option<Cents> {
        self.0.checked_add(other.0).map(Cents)
    }

    pub fn saturating_sub(self, other: Cents) -> Cents {
        Cents(self.0.saturating_sub(other.0))
    }

    /// A pledge amount as a supporter may give it: positive and at most [`MAX_PLEDGE`].
    pub fn pledge_amount(cents: i64) -> Result<Cents, MoneyError> {
        if cents <= 0 {
            Err(MoneyError::NotPositive)
        } else if cents > MAX_PLEDGE.0 {
            Err(MoneyError::TooLarge)
        } else {
            Ok(Cents(cents))
        }
    }
}

impl std::ops::Add for Cents {
    type Output = Cents;
    fn add(self, rhs: Cents) -> Cents {
        Cents(self.0 + rhs.0)
    }
}

impl std::ops::AddAssign for Cents {
    fn add_assign(&mut self, rhs: Cents) {
        self.0 += rhs.0;
    }
}

impl std::ops::Sub for Cents {
    type Output = Cents;
    fn sub(self, rhs: Cents) -> Cents {
        Cents(self.0 - rhs.0)
    }
}

impl std::iter::Sum for Cents {
    fn sum<I: Iterator<Item = Cents>>(iter: I) -> Cents {
        Cents(iter.map(|c| c.0).sum())
    }
}

/// Renders as dollars: `$1,234.50`, `$500,000`, `-$3.07`.
/// Whole-dollar amounts drop the cents.
/// The one way money is written: `$1,234.50` on pages and in emails (whole
/// dollars without cents: `$500`), and with `{:#}` the plain form files and
/// exports use, `1234.50`. A negative amount has one minus sign, in front:
/// `-$3.07`, `-3.07`.
impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let neg = self.0 < 0;
        let abs = self.0.unsigned_abs();
        let dollars = abs / 100;
        let cents = abs % 100;
        if f.alternate() {
            let sign = if neg { "-" } else { "" };
            return write!(f, "{sign}{dollars}.{cents:02}");
        }
        let digits = dollars.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        if neg {
            f.write_str("-")?;
        }
        if cents == 0 {
            write!(f, "${grouped}")
        } else {
            write!(f, "${grouped}.{cents:02}")
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("an amount must be written like $500, $500,000 or $12.50")]
    Malformed,
    #[error("an amount must be more than zero")]
    NotPositive,
    #[error("an amount must be at most $10,000,000")]
    TooLarge,
}

/// Parses `$500,000`, `$500000`, `500000`, `$12.5`, `$12.50`.
/// Commas must group thousands correctly; at most two decimal places.
impl FromStr for Cents {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let s = s.strip_prefix('$').unwrap_or(s);
        let (whole, frac) = match s.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (s, None),
        };
        if whole.is_empty() {
            return Err(MoneyError::Malformed);
        }
        if whole.contains(',') {
            let mut groups = whole.split(',');
            let first = groups.next().ok_or(MoneyError::Malformed)?;
            if first.is_empty() || first.len() > 3 {
                return Err(MoneyError::Malformed);
            }
            if groups.any(|g| g.len() != 3) {
                return Err(MoneyError::Malformed);
            }
        }
        let digits: String = whole.chars().filter(|c| *c != ',').collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::Malformed);
        }
        let dollars: i64 = digits.parse().map_err(|_| MoneyError::TooLarge)?;
        let cents: i64 = match frac {
            None => 0,
            Some(f) if !f.is_empty() && f.len() <= 2 && f.bytes().all(|b| b.is_ascii_digit()) => {
                let v: i64 = f.parse().map_err(|_| MoneyError::Malformed)?;
                if f.len() == 1 {
                    v * 10
                } else {
                    v
                }
            }
            Some(_) => return Err(MoneyError::Malformed),
        };
        dollars
            .checked_mul(100)
            .and_then(|d| d.checked_add(cents))
            .map(Cents)
            .ok_or(MoneyError::TooLarge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_forms_people_write() {
        assert_eq!("$500,000".parse::<Cents>(), Ok(Cents(50_000_000)));
        assert_eq!("$500000".parse::<Cents>(), Ok(Cents(50_000_000)));
        assert_eq!("12.5".parse::<Cents>(), Ok(Cents(1250)));
        assert_eq!("$0.07".parse::<Cents>(), Ok(Cents(7)));
        assert_eq!("$5,00".parse::<Cents>(), Err(MoneyError::Malformed));
        assert_eq!("$1.234".parse::<Cents>(), Err(MoneyError::Malformed));
        assert_eq!("$".parse::<Cents>(), Err(MoneyError::Malformed));
        assert_eq!("-5".parse::<Cents>(), Err(MoneyError::Malformed));
    }

    #[test]
    fn displays_as_dollars() {
        assert_eq!(Cents(50_000_000).to_string(), "$500,000");
        assert_eq!(Cents(123_450).to_string(), "$1,234.50");
        assert_eq!(Cents(7).to_string(), "$0.07");
        assert_eq!(Cents(-307).to_string(), "-$3.07");
    }

    #[test]
    fn displays_plainly_for_files_with_one_sign() {
        assert_eq!(format!("{:#}", Cents(123_450)), "1234.50");
        assert_eq!(format!("{:#}", Cents(5)), "0.05");
        assert_eq!(format!("{:#}", Cents(-150)), "-1.50");
        assert_eq!(format!("{:#}", Cents(-5)), "-0.05");
        assert_eq!(format!("{:#}", Cents(i64::MIN)), "-92233720368547758.08");
    }

    #[test]
    fn pledge_amount_rejects_zero_negative_and_absurd() {
        assert_eq!(Cents::pledge_amount(0), Err(MoneyError::NotPositive));
        assert_eq!(Cents::pledge_amount(-1), Err(MoneyError::NotPositive));
        assert_eq!(
            Cents::pledge_amount(MAX_PLEDGE.0 + 1),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(Cents::pledge_amount(5000), Ok(Cents(5000)));
    }

    proptest! {
        #[test]
        fn display_then_parse_round_trips(c in 0i64..1_000_000_000_000) {
            prop_assert_eq!(Cents(c).to_string().parse::<Cents>(), Ok(Cents(c)));
        }

        #[test]
        fn plain_form_parses_back_and_negates_with_one_sign(c in 1i64..1_000_000_000_000) {
            let plain = format!("{:#}", Cents(c));
            prop_assert_eq!(plain.parse::<Cents>(), Ok(Cents(c)));
            prop_assert_eq!(format!("{:#}", Cents(-c)), format!("-{plain}"));
            prop_assert_eq!(Cents(-c).to_string(), format!("-{}", Cents(c)));
        }

        #[test]
        fn parsing_arbitrary_text_never_panics(s in "\\PC{0,24}") {
            let _ = s.parse::<Cents>();
        }
    }
}
