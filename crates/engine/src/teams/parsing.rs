//! Checking form input, and turning stored rows into the matching's models.

use super::*;

/// A refusal naming the field, in the message too (pages show only the message).
pub(super) fn bad(field: impl Into<String>, message: impl Into<String>) -> EngineError {
    let field = field.into();
    let message = format!("{field}: {}", message.into());
    EngineError::invalid(field, message)
}

pub(super) fn number(field: &str, raw: &str, min: u32, max: u32) -> Result<u32> {
    let t = raw.trim();
    let n: u32 = t
        .parse()
        .map_err(|_| bad(field, format!("must be a whole number, not {t:?}")))?;
    if !(min..=max).contains(&n) {
        return Err(bad(field, format!("must be from {min} to {max}")));
    }
    Ok(n)
}

pub(super) fn offset(field: &str, raw: &str) -> Result<UtcOffset> {
    UtcOffset::parse(raw).ok_or_else(|| {
        bad(
            field,
            format!(
                "{:?} is not a UTC offset: write hours such as -5, +1 or +5:30 (from -12 to +14)",
                raw.trim()
            ),
        )
    })
}

pub(super) fn state(field: &str, raw: &str) -> Result<String> {
    let s = raw.trim().to_ascii_uppercase();
    if s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(s)
    } else {
        Err(bad(field, "must be a two-letter state code such as PA"))
    }
}

/// An offset as the form shows it: `-5`, `+5:30`, `0`.
pub(super) fn offset_input(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "+" };
    let m = minutes.unsigned_abs();
    match (m / 60, m % 60) {
        (0, 0) => "0".into(),
        (h, 0) => format!("{sign}{h}"),
        (h, r) => format!("{sign}{h}:{r:02}"),
    }
}

pub(super) fn shown_offset(minutes: i64) -> String {
    i32::try_from(minutes)
        .ok()
        .and_then(UtcOffset::from_minutes)
        .map_or_else(|| format!("{minutes} minutes"), |o| o.to_string())
}

/// A state's standard UTC offset (the default for a campaign's roles).
pub(super) fn state_offset(state: &str) -> i32 {
    match state {
        "CT" | "DE" | "DC" | "FL" | "GA" | "IN" | "ME" | "MD" | "MA" | "MI" | "NH" | "NJ"
        | "NY" | "NC" | "OH" | "PA" | "RI" | "SC" | "VT" | "VA" | "WV" | "KY" => -5,
        "AL" | "AR" | "IL" | "IA" | "KS" | "LA" | "MN" | "MS" | "MO" | "NE" | "ND" | "OK"
        | "SD" | "TN" | "TX" | "WI" => -6,
        "AZ" | "CO" | "ID" | "MT" | "NM" | "UT" | "WY" => -7,
        "CA" | "NV" | "OR" | "WA" => -8,
        "AK" => -9,
        "HI" => -10,
        _ => -5,
    }
}

pub(crate) fn team_name(kind: &str) -> String {
    Team::from_slug(kind).map_or_else(|| kind.to_owned(), |t| t.name().to_owned())
}

pub(super) async fn taxonomy(tx: &mut dyn Tx, slate_id: Option<Id>) -> Result<Taxonomy> {
    let mut t = Taxonomy::standard();
    for s in tx.slate_skills(slate_id).await? {
        // Extensions never clash with the standard set (checked on insert).
        let _ = t.add(&s.slug, &s.label, &s.person);
    }
    Ok(t)
}

pub(super) async fn toolkits(tx: &mut dyn Tx, slate_id: Id) -> Result<Toolkits> {
    let mut t = Toolkits::standard();
    for (role, md) in tx.toolkit_edits(slate_id).await? {
        t.set(&role, &md);
    }
    Ok(t)
}

pub(super) fn volunteer_of(p: &VolunteerProfileRow) -> Volunteer {
    Volunteer {
        id: p.user_id.to_string(),
        skills: p
            .skills
            .iter()
            .filter_map(|(s, l)| Level::new(u8::try_from(*l).ok()?).map(|level| (s.clone(), level)))
            .collect(),
        hours_per_week: u32::try_from(p.hours_per_week).unwrap_or(0),
        weeks: u32::try_from(p.weeks).unwrap_or(0),
        utc_offset: i32::try_from(p.utc_offset_minutes)
            .ok()
            .and_then(UtcOffset::from_minutes)
            .unwrap_or(UtcOffset::from_minutes(0).expect("UTC is an offset")),
        state: p.state.clone(),
        remote: p.remote,
        languages: p.languages.clone(),
        can_mentor: p.can_mentor,
        past_teams: Vec::new(),
    }
}

pub(super) fn need_of(n: &NeedRow, campaign: &str) -> Need {
    let u = |x: i64| u32::try_from(x).unwrap_or(0);
    Need {
        id: n.id.to_string(),
        campaign: campaign.to_owned(),
        role: n.need.role.clone(),
        skill: n.need.skill.clone(),
        min_level: Level::new(u8::try_from(n.need.min_level).unwrap_or(3)).unwrap_or(Level::EXPERT),
        hours_per_week: u(n.need.hours_per_week),
        weeks: u(n.need.weeks),
        utc_offset: i32::try_from(n.need.utc_offset_minutes)
            .ok()
            .and_then(UtcOffset::from_minutes)
            .unwrap_or(UtcOffset::from_minutes(0).expect("UTC is an offset")),
        state: n.need.state.clone(),
        remote_ok: n.need.remote_ok,
        priority: u(n.need.priority).max(1),
    }
}

/// The Monday of the week `d` falls in.
pub(super) fn monday(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}
