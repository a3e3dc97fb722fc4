//! Volunteers, needs, and the single rule for which pairs may be matched.

use std::cmp::Ordering;
use std::fmt;

/// A skill level: 1 = some, 2 = solid, 3 = expert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Level(u8);

impl Level {
    pub const SOME: Level = Level(1);
    pub const SOLID: Level = Level(2);
    pub const EXPERT: Level = Level(3);

    /// `None` unless `n` is 1, 2 or 3.
    pub fn new(n: u8) -> Option<Level> {
        (1..=3).contains(&n).then_some(Level(n))
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// "some", "solid" or "expert".
    pub fn word(self) -> &'static str {
        match self.0 {
            1 => "some",
            2 => "solid",
            _ => "expert",
        }
    }
}

/// A UTC offset in whole minutes (UTC−8 is −480; India's UTC+5:30 is 330).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcOffset(i32);

impl UtcOffset {
    /// The widest real offsets are UTC−12 and UTC+14.
    pub const MIN_MINUTES: i32 = -12 * 60;
    pub const MAX_MINUTES: i32 = 14 * 60;

    pub fn from_minutes(minutes: i32) -> Option<UtcOffset> {
        (Self::MIN_MINUTES..=Self::MAX_MINUTES)
            .contains(&minutes)
            .then_some(UtcOffset(minutes))
    }

    pub fn from_hours(hours: i32) -> Option<UtcOffset> {
        Self::from_minutes(hours.checked_mul(60)?)
    }

    pub fn minutes(self) -> i32 {
        self.0
    }

    /// Parses `-8`, `+5.5`, `5:30`, `-3.5`, `0`: hours, optionally with a
    /// decimal fraction or `:minutes`.
    pub fn parse(s: &str) -> Option<UtcOffset> {
        let s = s.trim();
        let (sign, digits) = match s.strip_prefix('-').or_else(|| s.strip_prefix('\u{2212}')) {
            Some(rest) => (-1, rest),
            None => (1, s.strip_prefix('+').unwrap_or(s)),
        };
        let number = |t: &str| -> Option<i32> {
            (!t.is_empty() && t.len() <= 2 && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| t.parse().ok())
                .flatten()
        };
        let minutes = if let Some((h, m)) = digits.split_once(':') {
            let m = number(m).filter(|m| *m < 60)?;
            number(h)? * 60 + m
        } else if let Some((h, frac)) = digits.split_once('.') {
            let m = match frac {
                "0" | "00" => 0,
                "25" => 15,
                "5" | "50" => 30,
                "75" => 45,
                _ => return None,
            };
            number(h)? * 60 + m
        } else {
            number(digits)? * 60
        };
        Self::from_minutes(sign * minutes)
    }
}

impl fmt::Display for UtcOffset {
    /// `UTC−8`, `UTC+5:30`, `UTC±0` (with a true minus sign).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = match self.0.cmp(&0) {
            Ordering::Less => "\u{2212}",
            Ordering::Equal => "\u{b1}",
            Ordering::Greater => "+",
        };
        let m = self.0.unsigned_abs();
        if m.is_multiple_of(60) {
            write!(f, "UTC{sign}{}", m / 60)
        } else {
            write!(f, "UTC{sign}{}:{:02}", m / 60, m % 60)
        }
    }
}

/// How far apart a volunteer's and a role's time zones may be.
pub const MAX_OFFSET_GAP_MINUTES: i32 = 3 * 60;

/// A volunteer's profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Volunteer {
    pub id: String,
    /// Each skill at most once, with its level.
    pub skills: Vec<(String, Level)>,
    pub hours_per_week: u32,
    pub weeks: u32,
    pub utc_offset: UtcOffset,
    /// Where they live (a state code such as `PA`; compared exactly).
    pub state: String,
    /// Works remotely (otherwise only local roles in their state).
    pub remote: bool,
    pub languages: Vec<String>,
    pub can_mentor: bool,
    /// Teams served on before ("second tour of duty").
    pub past_teams: Vec<String>,
}

impl Volunteer {
    /// The volunteer's level in `skill`, if they have it.
    pub fn level(&self, skill: &str) -> Option<Level> {
        self.skills
            .iter()
            .find(|(s, _)| s == skill)
            .map(|(_, l)| *l)
    }
}

/// One role a campaign needs filled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Need {
    pub id: String,
    pub campaign: String,
    /// The role's name, e.g. `front-end engineer`.
    pub role: String,
    pub skill: String,
    pub min_level: Level,
    pub hours_per_week: u32,
    pub weeks: u32,
    pub utc_offset: UtcOffset,
    pub state: String,
    pub remote_ok: bool,
    /// How much filling this role matters; multiplies the score. At least 1.
    pub priority: u32,
}

/// The largest priority a need may carry (keeps every score far from overflow).
pub const MAX_PRIORITY: u32 = 1_000_000;

/// The score of matching `v` to `n`, or `None` if the pair is not feasible.
///
/// Feasible: `v` has the skill at `min_level` or above, offers at least the
/// role's hours per week and weeks, lives within 3 hours of the role's UTC
/// offset, and either the role accepts remote work and `v` works remotely, or
/// both are in the same state. Score: `priority × (1 + level − min_level)`.
pub fn score(v: &Volunteer, n: &Need) -> Option<u64> {
    let level = v.level(&n.skill)?;
    let feasible = level >= n.min_level
        && v.hours_per_week >= n.hours_per_week
        && v.weeks >= n.weeks
        && within_offset(v.utc_offset, n.utc_offset)
        && ((n.remote_ok && v.remote) || v.state == n.state);
    feasible.then(|| pair_score(n.priority, level, n.min_level))
}

pub(crate) fn within_offset(a: UtcOffset, b: UtcOffset) -> bool {
    (a.0 - b.0).abs() <= MAX_OFFSET_GAP_MINUTES
}

/// `priority × (1 + level − min_level)`, for `level >= min_level`.
pub(crate) fn pair_score(priority: u32, level: Level, min_level: Level) -> u64 {
    u64::from(priority) * u64::from(1 + level.0 - min_level.0)
}

/// The order ids are compared in: ids that are whole numbers first, by value
/// (so `9` before `10`), then every other id byte-wise. Ties cannot happen
/// between distinct ids except `7`/`007`, which fall back to bytes.
pub fn compare_ids(a: &str, b: &str) -> Ordering {
    let num = |s: &str| {
        (!s.is_empty() && s.len() <= 19 && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    match (num(a), num(b)) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.cmp(b)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_parse_and_display() {
        for (text, minutes, shown) in [
            ("-8", -480, "UTC\u{2212}8"),
            ("+5.5", 330, "UTC+5:30"),
            ("5:30", 330, "UTC+5:30"),
            ("-3.5", -210, "UTC\u{2212}3:30"),
            ("0", 0, "UTC\u{b1}0"),
            ("14", 840, "UTC+14"),
        ] {
            let o = UtcOffset::parse(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(o.minutes(), minutes, "{text}");
            assert_eq!(o.to_string(), shown);
        }
        for bad in ["", "-", "15", "-13", "5.3", "5:60", "abc", "1e2", "+-3"] {
            assert_eq!(UtcOffset::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn ids_that_are_numbers_sort_by_value() {
        let mut ids = vec!["10", "b", "9", "a10", "a9", "0"];
        ids.sort_by(|a, b| compare_ids(a, b));
        assert_eq!(ids, ["0", "9", "10", "a10", "a9", "b"]);
    }
}
