//! "Totals over time" on the organizer's overview: an SVG line chart of
//! money pledged (pending and unlocked together) and money unlocked, one
//! point a day, or a sentence when there is no line to draw yet.

use cohort_core::Cents;
use cohort_store::Pot;

/// The chart, or what to say instead of it.
pub(crate) struct Chart {
    /// SVG `points` of each line; empty when there is nothing to draw
    /// (then `instead` says why).
    pub pledged: String,
    pub unlocked: String,
    pub first_day: String,
    pub last_day: String,
    pub top: String,
    pub summary: String,
    /// The sentence shown instead of an empty or one-point frame.
    pub instead: String,
}

impl Chart {
    const W: i64 = 600;
    const H: i64 = 180;
    const LEFT: i64 = 70;
    const TOP: i64 = 10;

    pub fn new(days: &[(chrono::NaiveDate, Pot)]) -> Chart {
        let total = |p: &Pot| p.pending_cents + p.unlocked_cents;
        let people = |n: i64| if n == 1 { "person" } else { "people" };
        let (Some((first, _)), Some((last, p))) = (days.first(), days.last()) else {
            return Chart::instead("The chart fills in day by day as Cohort runs.".into());
        };
        if days.iter().all(|(_, p)| total(p) == 0) {
            return Chart::instead(format!(
                "Nothing had been pledged by {last}, the last day counted; the chart starts with the first day that has money."
            ));
        }
        if days.len() < 2 {
            return Chart::instead(format!(
                "{last}: {} pledged, {} of it unlocked, by {} {}. The chart draws its line from the second day counted.",
                Cents(total(p)),
                Cents(p.unlocked_cents),
                p.pledgers,
                people(p.pledgers)
            ));
        }
        let max = days.iter().map(|(_, p)| total(p)).max().unwrap_or(0).max(1);
        let n = days.len() as i64;
        let x = |i: i64| Self::LEFT + i * Self::W / (n - 1);
        let y = |cents: i64| Self::TOP + Self::H - cents.saturating_mul(Self::H) / max;
        let line = |value: &dyn Fn(&Pot) -> i64| {
            days.iter()
                .enumerate()
                .map(|(i, (_, p))| format!("{},{}", x(i as i64), y(value(p))))
                .collect::<Vec<_>>()
                .join(" ")
        };
        Chart {
            pledged: line(&total),
            unlocked: line(&|p| p.unlocked_cents),
            first_day: first.to_string(),
            last_day: last.to_string(),
            top: Cents(max).to_string(),
            summary: format!(
                "From {first} to {last}: {} pledged, {} of it unlocked, by {} {}.",
                Cents(total(p)),
                Cents(p.unlocked_cents),
                p.pledgers,
                people(p.pledgers)
            ),
            instead: String::new(),
        }
    }

    fn instead(instead: String) -> Chart {
        Chart {
            pledged: String::new(),
            unlocked: String::new(),
            first_day: String::new(),
            last_day: String::new(),
            top: String::new(),
            summary: String::new(),
            instead,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32, pending: i64, unlocked: i64, pledgers: i64) -> (chrono::NaiveDate, Pot) {
        (
            chrono::NaiveDate::from_ymd_opt(2026, 11, d).expect("a date"),
            Pot {
                pending_cents: pending,
                unlocked_cents: unlocked,
                pledgers,
                ..Pot::default()
            },
        )
    }

    #[test]
    fn a_line_needs_two_days_and_some_money() {
        assert!(Chart::new(&[]).pledged.is_empty());
        let zero = Chart::new(&[day(24, 0, 0, 0), day(25, 0, 0, 0)]);
        assert!(zero.pledged.is_empty());
        assert!(zero
            .instead
            .starts_with("Nothing had been pledged by 2026-11-25"));
        let one = Chart::new(&[day(24, 4_200, 0, 1)]);
        assert!(one.pledged.is_empty());
        assert!(one
            .instead
            .starts_with("2026-11-24: $42 pledged, $0 of it unlocked, by 1 person."));
        let two = Chart::new(&[day(24, 4_200, 0, 1), day(25, 0, 4_200, 1)]);
        assert_eq!(two.pledged, "70,10 670,10");
        assert_eq!(two.unlocked, "70,190 670,10");
        assert!(two.instead.is_empty());
    }
}
