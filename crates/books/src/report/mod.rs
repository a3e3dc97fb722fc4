//! The reports a treasurer files or imports.
//!
//! Reports read the [`Ledger`](crate::ledger::Ledger) and a [`Directory`] of the
//! people and committees it names, for a [`ReportPeriod`], and return text.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::records::{Committee, CommitteeId, Contributor, ContributorId};

pub mod actblue;
pub mod fec;

/// The committees and contributors the ledger's ids refer to.
#[derive(Clone, Debug, Default)]
pub struct Directory {
    pub committees: BTreeMap<CommitteeId, Committee>,
    pub contributors: BTreeMap<ContributorId, Contributor>,
}

impl Directory {
    pub fn new(
        committees: impl IntoIterator<Item = Committee>,
        contributors: impl IntoIterator<Item = Contributor>,
    ) -> Directory {
        Directory {
            committees: committees.into_iter().map(|c| (c.id.clone(), c)).collect(),
            contributors: contributors
                .into_iter()
                .map(|c| (c.id.clone(), c))
                .collect(),
        }
    }

    pub fn committee(&self, id: &CommitteeId) -> Result<&Committee, ReportError> {
        self.committees
            .get(id)
            .ok_or_else(|| ReportError::UnknownCommittee(id.clone()))
    }

    pub fn contributor(&self, id: &ContributorId) -> Result<&Contributor, ReportError> {
        self.contributors
            .get(id)
            .ok_or_else(|| ReportError::UnknownContributor(id.clone()))
    }
}

/// The period a report covers, and how it is signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportPeriod {
    /// The FEC report code: `Q1`, `Q2`, `Q3`, `YE`, `M2`…`M12`, `12P`, `12G`,
    /// `30G`, `TER`…
    pub report_code: String,
    pub from: NaiveDate,
    pub through: NaiveDate,
    pub signed_on: NaiveDate,
    /// Where contributor aggregates start (11 CFR 104.3(a)(4)): January 1 for
    /// a PAC (the conduit), the first day of the election cycle for a
    /// candidate's committee. Also the start of a Form 3's cycle-to-date column.
    pub aggregation_start: NaiveDate,
}

impl ReportPeriod {
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.through
    }

    fn validate(&self) -> Result<(), ReportError> {
        if self.from > self.through {
            return Err(ReportError::PeriodReversed {
                from: self.from,
                through: self.through,
            });
        }
        if self.aggregation_start > self.through {
            return Err(ReportError::AggregationAfterPeriod);
        }
        let code = self.report_code.as_bytes();
        if code.is_empty()
            || code.len() > 3
            || !code
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Err(ReportError::ReportCode(self.report_code.clone()));
        }
        Ok(())
    }
}

/// A report that cannot be written as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("committee {0} is on the books but not in the directory")]
    UnknownCommittee(CommitteeId),
    #[error("contributor {0:?} is on the books but not in the directory")]
    UnknownContributor(ContributorId),
    #[error("committee {0} has no candidate on record; the FEC needs the candidate named on each earmark forwarded to it (Schedule B line 23)")]
    NoCandidate(CommitteeId),
    #[error("committee {0} is a presidential committee; its Form 3P is not supported")]
    Presidential(CommitteeId),
    #[error("the report period runs backwards: {from} to {through}")]
    PeriodReversed { from: NaiveDate, through: NaiveDate },
    #[error("the aggregation period must start on or before the end of the report")]
    AggregationAfterPeriod,
    #[error("report code {0:?} must be 1 to 3 capital letters or digits, like Q1, YE or 12G")]
    ReportCode(String),
    #[error("two lines of the filing got the same transaction id {0}; rename a receipt")]
    TransactionIdCollision(String),
}

/// Text as the FEC accepts it: printable ASCII only (`[ -~]`), at most `max`
/// characters. Accented Latin letters lose their accents (José → Jose);
/// anything else non-ASCII, and every control character (including the field
/// separator and newlines), is dropped; runs of spaces collapse.
pub fn ascii_text(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max));
    let mut space = false;
    for ch in s.chars() {
        let folded: &str = match ch {
            'À'..='Å' => "A",
            'à'..='å' => "a",
            'Æ' => "AE",
            'æ' => "ae",
            'Ç' => "C",
            'ç' => "c",
            'È'..='Ë' => "E",
            'è'..='ë' => "e",
            'Ì'..='Ï' => "I",
            'ì'..='ï' => "i",
            'Ð' => "D",
            'ð' => "d",
            'Ñ' => "N",
            'ñ' => "n",
            'Ò'..='Ö' | 'Ø' => "O",
            'ò'..='ö' | 'ø' => "o",
            'Ù'..='Ü' => "U",
            'ù'..='ü' => "u",
            'Ý' => "Y",
            'ý' | 'ÿ' => "y",
            'ß' => "ss",
            '‘' | '’' => "'",
            '“' | '”' => "\"",
            '–' | '—' => "-",
            c if c.is_whitespace() => " ",
            c if (' '..='~').contains(&c) => {
                out_push(&mut out, &mut space, c, max);
                continue;
            }
            _ => "",
        };
        for c in folded.chars() {
            out_push(&mut out, &mut space, c, max);
        }
    }
    out.trim_end().to_owned()
}

fn out_push(out: &mut String, space: &mut bool, c: char, max: usize) {
    if c == ' ' {
        if out.is_empty() || *space {
            return;
        }
        *space = true;
    } else {
        *space = false;
    }
    if out.len() < max {
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::ascii_text;

    #[test]
    fn text_is_folded_to_printable_ascii_and_cut() {
        assert_eq!(ascii_text("José Núñez", 30), "Jose Nunez");
        assert_eq!(ascii_text("a\u{1c}b\nc\td", 30), "ab c d");
        assert_eq!(ascii_text("  many   spaces  ", 30), "many spaces");
        assert_eq!(ascii_text("Zoë 王", 30), "Zoe");
        assert_eq!(ascii_text("abcdefghij", 4), "abcd");
    }
}
