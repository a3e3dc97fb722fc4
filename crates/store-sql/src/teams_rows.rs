//! Row readers for the volunteer-team tables, shared by the methods of
//! [`impl_sql_tx!`](crate::impl_sql_tx) that read them. Each expands to a
//! closure over the expanding backend's row type (`DbRow`), given its `get`
//! (and `corrupt`) helpers.

/// `|row| -> Result<VolunteerProfileRow>`.
#[macro_export]
#[doc(hidden)]
macro_rules! profile_from_row {
    ($get:ident, $corrupt:ident) => {
        |r: &DbRow| -> Result<VolunteerProfileRow> {
            let skills: String = $get(r, "skills")?;
            let languages: String = $get(r, "languages")?;
            Ok(VolunteerProfileRow {
                user_id: $get(r, "user_id")?,
                skills: ::serde_json::from_str(&skills)
                    .map_err(|e| $corrupt("volunteer_profiles", e))?,
                hours_per_week: $get(r, "hours_per_week")?,
                weeks: $get(r, "weeks")?,
                utc_offset_minutes: $get(r, "utc_offset_minutes")?,
                state: $get(r, "state")?,
                remote: $get(r, "remote")?,
                languages: ::serde_json::from_str(&languages)
                    .map_err(|e| $corrupt("volunteer_profiles", e))?,
                can_mentor: $get(r, "can_mentor")?,
                updated_at: $get(r, "updated_at")?,
            })
        }
    };
}

/// `|row| -> Result<TeamRow>`.
#[macro_export]
#[doc(hidden)]
macro_rules! team_from_row {
    ($get:ident) => {
        |r: &DbRow| -> Result<TeamRow> {
            Ok(TeamRow {
                id: $get(r, "id")?,
                slate_id: $get(r, "slate_id")?,
                candidate_id: $get(r, "candidate_id")?,
                kind: $get(r, "kind")?,
                created_at: $get(r, "created_at")?,
                confirmed_at: $get(r, "confirmed_at")?,
                mentor_user_id: $get(r, "mentor_user_id")?,
            })
        }
    };
}
