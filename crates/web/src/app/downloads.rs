//! CSV and file downloads: one CSV writer, never-cached attachments, dollars as exports write them.

use super::*;

/// One CSV field: quoted when it must be, and defused when a spreadsheet
/// would run it as a formula.
/// One CSV field: `cohort_core::csv`, the one writer every export uses.
#[cfg(test)]
pub(super) fn csv_field(s: &str) -> String {
    cohort_core::csv::field(s)
}

pub(crate) fn csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    cohort_core::csv::write(header, rows)
}

pub(crate) fn csv_response(name: &str, body: String) -> Response {
    download(name, "text/csv; charset=utf-8", body)
}

/// A file to save: its type, its name, never cached.
pub(crate) fn download(name: &str, content_type: &str, body: String) -> Response {
    (
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// Cents as exports write them (`1234.50`): `Cents`' plain form.
pub(crate) fn dollars(cents: i64) -> String {
    format!("{:#}", Cents(cents))
}
