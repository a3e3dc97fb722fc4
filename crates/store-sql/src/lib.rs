//! The SQL both backends share.
//!
//! SQLite and PostgreSQL accept the same SQL for everything Cohort does
//! (`$n` placeholders, `RETURNING`, `ON CONFLICT`, `CAST(… AS BIGINT)`), so
//! the [`Tx`](cohort_store::Tx) implementation is written once, in
//! [`impl_sql_tx!`], and expanded in each backend crate against its own sqlx
//! driver. What differs between the databases — connection setup, migrations,
//! how a write transaction begins — lives in the backend crates.
//!
//! This crate itself depends on no driver: the plain functions here convert
//! between domain values and the primitive column values both databases store.

use cohort_core::model::{Actions, PledgeKind, Recurrence};
use cohort_core::Cents;
use cohort_store::{Id, StoreError};

/// Rows per multi-row statement in bulk writes; keeps every statement well
/// under SQLite's 32,766 and PostgreSQL's 65,535 bind-parameter limits.
pub const CHUNK: usize = 2_000;

/// A pledge's kind as the columns of the `pledges` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindColumns {
    pub kind: &'static str,
    pub amount_cents: i64,
    pub recurring: Option<&'static str>,
    pub hours_per_week: i64,
    pub weeks: i64,
    pub skills: String,
    pub doors: i64,
    pub calls: i64,
    pub texts: i64,
}

impl KindColumns {
    pub fn from_kind(k: &PledgeKind) -> KindColumns {
        let mut c = KindColumns {
            kind: k.kind_str(),
            amount_cents: 0,
            recurring: None,
            hours_per_week: 0,
            weeks: 0,
            skills: "[]".to_owned(),
            doors: 0,
            calls: 0,
            texts: 0,
        };
        match k {
            PledgeKind::Money { amount, recurring } => {
                c.amount_cents = amount.get();
                c.recurring = Some(recurring.as_str());
            }
            PledgeKind::Hours {
                hours_per_week,
                weeks,
                skills,
            } => {
                c.hours_per_week = i64::from(*hours_per_week);
                c.weeks = i64::from(*weeks);
                c.skills = serde_json::to_string(skills).unwrap_or_else(|_| "[]".to_owned());
            }
            PledgeKind::Actions(a) => {
                c.doors = i64::from(a.doors);
                c.calls = i64::from(a.calls);
                c.texts = i64::from(a.texts);
            }
        }
        c
    }

    #[allow(clippy::too_many_arguments)]
    pub fn to_kind(
        kind: &str,
        amount_cents: i64,
        recurring: Option<&str>,
        hours_per_week: i64,
        weeks: i64,
        skills: &str,
        doors: i64,
        calls: i64,
        texts: i64,
    ) -> Result<PledgeKind, StoreError> {
        let small = |v: i64| {
            u32::try_from(v).map_err(|_| corrupt("pledges", format!("count {v} out of range")))
        };
        match kind {
            "money" => Ok(PledgeKind::Money {
                amount: Cents(amount_cents),
                recurring: match recurring {
                    Some("monthly") => Recurrence::Monthly,
                    _ => Recurrence::Once,
                },
            }),
            "hours" => Ok(PledgeKind::Hours {
                hours_per_week: small(hours_per_week)?,
                weeks: small(weeks)?,
                skills: serde_json::from_str(skills).map_err(|e| corrupt("pledges", e))?,
            }),
            "actions" => Ok(PledgeKind::Actions(Actions {
                doors: small(doors)?,
                calls: small(calls)?,
                texts: small(texts)?,
            })),
            other => Err(corrupt("pledges", format!("unknown kind {other:?}"))),
        }
    }
}

/// Changes to the `waiting` table a statement caused, keyed by slate and
/// chosen-candidate list (`""` for every signer): cents, hours, pledges.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WaitingDeltas(pub std::collections::BTreeMap<(Id, String), (i64, i64, i64)>);

impl WaitingDeltas {
    /// Count a pledge entering (`sign` 1) or leaving (`sign` -1) the pending state.
    pub fn add(&mut self, slate_id: Id, chosen: Option<String>, cents: i64, hours: i64, sign: i64) {
        let e = self
            .0
            .entry((slate_id, chosen.unwrap_or_default()))
            .or_default();
        e.0 += sign * cents;
        e.1 += sign * hours;
        e.2 += sign;
    }

    /// New pledges counted in, as they enter pending.
    pub fn of_new<'a>(pledges: impl IntoIterator<Item = &'a cohort_store::NewPledge>) -> Self {
        let mut w = WaitingDeltas::default();
        for p in pledges {
            w.add(
                p.slate_id,
                ids_to_json(&p.candidates),
                p.kind.money().get(),
                i64::from(p.kind.hours_per_week()),
                1,
            );
        }
        w
    }
}

pub fn corrupt(table: &'static str, detail: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table,
        detail: detail.to_string(),
    }
}

pub fn ids_to_json(ids: &Option<Vec<Id>>) -> Option<String> {
    ids.as_ref()
        .map(|v| serde_json::to_string(v).unwrap_or_else(|_| "[]".to_owned()))
}

pub fn ids_from_json(s: Option<String>) -> Result<Option<Vec<Id>>, StoreError> {
    s.map(|s| serde_json::from_str(&s).map_err(|e| corrupt("pledges", e)))
        .transpose()
}

/// `($1, $2, $3), ($4, $5, $6), …` for `rows` rows of `cols` columns; with
/// `sigil` `'?'`, plain positional `(?, ?, ?), …` instead. SQLite needs the
/// plain form for big statements: sqlx asks SQLite for every parameter's name,
/// a linear walk per parameter for `$n` or `?n`, which makes binding a
/// statement with thousands of numbered parameters quadratic (measured: 90% of
/// a bulk insert's time).
pub fn values_placeholders(sigil: char, rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 7);
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push_str(", ");
            }
            push_placeholder(&mut s, sigil, r * cols + c + 1);
        }
        s.push(')');
    }
    s
}

/// `$from, …, $to` (inclusive), or `?, …, ?` with `sigil` `'?'`.
pub fn list_placeholders(sigil: char, from: usize, to: usize) -> String {
    let mut s = String::new();
    for i in from..=to {
        if i > from {
            s.push_str(", ");
        }
        push_placeholder(&mut s, sigil, i);
    }
    s
}

fn push_placeholder(s: &mut String, sigil: char, n: usize) {
    s.push(sigil);
    if sigil != '?' {
        s.push_str(&n.to_string());
    }
}

mod accounts;
mod books;
mod bulk;
mod candidate_profiles;
mod conversation;
mod digest;
mod import_jobs;
mod jobs;
mod joint_events;
mod joint_pledges;
mod log;
mod mail_hold;
#[cfg(test)]
mod migration_pairs;
mod outbox;
mod payments;
mod people;
mod pledge_pauses;
mod pledges;
mod primaries;
#[doc(hidden)]
pub mod result_view;
mod roll_calls;
mod sign_in;
mod slates;
mod teams;
mod teams_rows;
mod tx_macro;
mod unlock;

/// The invariants `cohort verify` checks in SQL, each a query whose rows (a
/// single `detail` column) are violations. Limits need the limit table and
/// are checked by the engine over [`cohort_store::UnlockTx::given`].
pub const INVARIANT_QUERIES: &[(&str, &str)] = &[
    (
        "conservation",
        "SELECT 'pledge ' || CAST(i.pledge_id AS TEXT) || ' period ' || CAST(i.period AS TEXT) || ': allocated ' || \
         CAST(COALESCE(a.s, 0) AS TEXT) || ' + unallocated ' || CAST(i.unallocated_cents AS TEXT) || ' != amount ' || \
         CAST(i.amount_cents AS TEXT) AS detail FROM installments i LEFT JOIN (SELECT pledge_id, period, \
         SUM(cents) AS s FROM allocations GROUP BY pledge_id, period) a ON a.pledge_id = i.pledge_id AND a.period = i.period \
         WHERE COALESCE(a.s, 0) + i.unallocated_cents != i.amount_cents OR i.unallocated_cents < 0 LIMIT 100",
    ),
    (
        "installment amount",
        "SELECT 'pledge ' || CAST(p.id AS TEXT) || ' pledged ' || CAST(p.amount_cents AS TEXT) || \
         ' but installment ' || CAST(i.period AS TEXT) || ' is ' || CAST(i.amount_cents AS TEXT) AS detail \
         FROM installments i JOIN pledges p ON p.id = i.pledge_id WHERE i.amount_cents != p.amount_cents LIMIT 100",
    ),
    (
        "no orphans",
        "SELECT 'allocation of pledge ' || CAST(a.pledge_id AS TEXT) || ' period ' || CAST(a.period AS TEXT) || \
         ' has no installment' AS detail FROM allocations a WHERE NOT EXISTS (SELECT 1 FROM installments i \
         WHERE i.pledge_id = a.pledge_id AND i.period = a.period) \
         UNION ALL SELECT 'installment of missing pledge ' || CAST(i.pledge_id AS TEXT) AS detail FROM installments i \
         WHERE NOT EXISTS (SELECT 1 FROM pledges p WHERE p.id = i.pledge_id) \
         UNION ALL SELECT 'allocation to missing candidate ' || CAST(a.candidate_id AS TEXT) AS detail FROM allocations a \
         WHERE NOT EXISTS (SELECT 1 FROM candidates c WHERE c.id = a.candidate_id) LIMIT 100",
    ),
    (
        "waiting matches pending pledges",
        "SELECT 'slate ' || CAST(COALESCE(w.slate_id, p.slate_id) AS TEXT) || ' chosen [' || COALESCE(w.chosen, p.chosen) || \
         ']: waiting says ' || CAST(COALESCE(w.cents, 0) AS TEXT) || ' cents in ' || CAST(COALESCE(w.pledges, 0) AS TEXT) || \
         ' pledges, pledges say ' || CAST(COALESCE(p.cents, 0) AS TEXT) || ' in ' || CAST(COALESCE(p.n, 0) AS TEXT) AS detail \
         FROM waiting w FULL OUTER JOIN (SELECT slate_id, COALESCE(candidates, '') AS chosen, SUM(amount_cents) AS cents, \
         SUM(hours_per_week) AS hours, COUNT(*) AS n FROM pledges WHERE status = 'pending' GROUP BY slate_id, COALESCE(candidates, '')) p \
         ON p.slate_id = w.slate_id AND p.chosen = w.chosen \
         WHERE COALESCE(w.cents, 0) != COALESCE(p.cents, 0) OR COALESCE(w.hours, 0) != COALESCE(p.hours, 0) \
         OR COALESCE(w.pledges, 0) != COALESCE(p.n, 0) LIMIT 100",
    ),
    (
        "candidate totals match allocations",
        "SELECT 'candidate ' || CAST(c.id AS TEXT) || ': totals say ' || CAST(COALESCE(t.cents, 0) AS TEXT) || ' in ' || \
         CAST(COALESCE(t.contributions, 0) AS TEXT) || ', allocations say ' || CAST(COALESCE(a.cents, 0) AS TEXT) || ' in ' || \
         CAST(COALESCE(a.n, 0) AS TEXT) AS detail FROM candidates c \
         LEFT JOIN candidate_totals t ON t.candidate_id = c.id \
         LEFT JOIN (SELECT candidate_id, SUM(cents) AS cents, COUNT(*) AS n FROM allocations WHERE cents > 0 \
         GROUP BY candidate_id) a ON a.candidate_id = c.id \
         WHERE COALESCE(t.cents, 0) != COALESCE(a.cents, 0) OR COALESCE(t.contributions, 0) != COALESCE(a.n, 0) LIMIT 100",
    ),
    (
        "non-negative shares",
        "SELECT 'pledge ' || CAST(pledge_id AS TEXT) || ' gives ' || CAST(cents AS TEXT) || ' to candidate ' || \
         CAST(candidate_id AS TEXT) AS detail FROM allocations WHERE cents < 0 LIMIT 100",
    ),
    (
        "allocated only once unlocked",
        "SELECT 'pledge ' || CAST(p.id AS TEXT) || ' is ' || p.status || ' but has installment ' || \
         CAST(i.period AS TEXT) AS detail FROM installments i JOIN pledges p ON p.id = i.pledge_id \
         WHERE p.status NOT IN ('unlocked', 'fulfilled', 'payment_failed', 'stopped') LIMIT 100",
    ),
    (
        "one-off pledges unlock once",
        "SELECT 'one-off pledge ' || CAST(i.pledge_id AS TEXT) || ' has installment ' || CAST(i.period AS TEXT) AS detail \
         FROM installments i JOIN pledges p ON p.id = i.pledge_id WHERE p.recurring = 'once' AND i.period != 0 LIMIT 100",
    ),
    (
        "unlocked money is split",
        "SELECT 'pledge ' || CAST(p.id AS TEXT) || ' is ' || p.status || ' with no first installment' AS detail \
         FROM pledges p WHERE p.kind = 'money' AND p.status IN ('unlocked', 'fulfilled', 'stopped') AND NOT EXISTS \
         (SELECT 1 FROM installments i WHERE i.pledge_id = p.id AND i.period = 0) LIMIT 100",
    ),
    (
        "stopped pledges stop",
        "SELECT 'pledge ' || CAST(p.id AS TEXT) || ' is stopped but is not a monthly money pledge with a stop time' AS detail \
         FROM pledges p WHERE p.status = 'stopped' AND (p.stopped_at IS NULL OR p.kind != 'money' \
         OR p.recurring IS NULL OR p.recurring != 'monthly') \
         UNION ALL SELECT 'pledge ' || CAST(p.id AS TEXT) || ' is ' || p.status || ' with a stop time' AS detail \
         FROM pledges p WHERE p.stopped_at IS NOT NULL AND p.status NOT IN ('stopped', 'payment_failed') \
         UNION ALL SELECT 'pledge ' || CAST(p.id AS TEXT) || ' was stopped but split installment ' || \
         CAST(i.period AS TEXT) || ' afterwards' AS detail FROM installments i JOIN pledges p ON p.id = i.pledge_id \
         WHERE p.stopped_at IS NOT NULL AND i.created_at > p.stopped_at LIMIT 100",
    ),
    (
        "allocations stay in the slate",
        "SELECT 'pledge ' || CAST(p.id AS TEXT) || ' allocated to candidate ' || CAST(a.candidate_id AS TEXT) || \
         ' of another slate' AS detail FROM allocations a JOIN pledges p ON p.id = a.pledge_id \
         JOIN candidates c ON c.id = a.candidate_id WHERE c.slate_id != p.slate_id LIMIT 100",
    ),
    (
        "payments charge the allocated total",
        "SELECT 'pledge ' || CAST(y.pledge_id AS TEXT) || ' period ' || CAST(y.period AS TEXT) || ': ' || y.state || \
         ' payment of ' || CAST(y.amount_cents AS TEXT) || ' but allocated ' || \
         CAST(i.amount_cents - i.unallocated_cents AS TEXT) AS detail FROM payments y JOIN installments i \
         ON i.pledge_id = y.pledge_id AND i.period = y.period JOIN pledges p ON p.id = y.pledge_id \
         WHERE y.state IN ('charging', 'succeeded', 'declined', 'action_required', 'nothing_due') \
         AND y.amount_cents != i.amount_cents - i.unallocated_cents \
         UNION ALL SELECT 'pledge ' || CAST(y.pledge_id AS TEXT) || ' is ' || p.status || ' but its payment ' || \
         CAST(y.period AS TEXT) || ' failed' AS detail FROM payments y JOIN pledges p ON p.id = y.pledge_id \
         WHERE y.state = 'failed' AND p.status != 'payment_failed' \
         UNION ALL SELECT 'pledge ' || CAST(p.id AS TEXT) || ' is payment_failed with no failed payment' AS detail \
         FROM pledges p WHERE p.status = 'payment_failed' AND NOT EXISTS (SELECT 1 FROM payments y \
         WHERE y.pledge_id = p.id AND y.state = 'failed') LIMIT 100",
    ),
    (
        "pot matches pledges",
        "SELECT 'slate ' || CAST(t.id AS TEXT) || ': pot says pending ' || CAST(t.pending_cents AS TEXT) || \
         ', unlocked ' || CAST(t.unlocked_cents AS TEXT) || ', pledgers ' || CAST(t.pledgers AS TEXT) || \
         '; pledges say ' || CAST(t.pend AS TEXT) || ', ' || CAST(t.unl AS TEXT) || ', ' || CAST(t.ppl AS TEXT) AS detail \
         FROM (SELECT s.id, o.pending_cents, o.unlocked_cents, o.pledgers, \
           COALESCE((SELECT SUM(amount_cents) FROM pledges p WHERE p.slate_id = s.id AND p.status = 'pending'), 0) AS pend, \
           COALESCE((SELECT SUM(amount_cents) FROM pledges p WHERE p.slate_id = s.id AND p.status IN ('unlocked', 'fulfilled')), 0) AS unl, \
           (SELECT COUNT(DISTINCT email) FROM pledges p WHERE p.slate_id = s.id AND p.status IN ('pending', 'unlocked', 'fulfilled')) AS ppl \
           FROM slates s JOIN pots o ON o.slate_id = s.id) t \
         WHERE t.pending_cents != t.pend OR t.unlocked_cents != t.unl OR t.pledgers != t.ppl LIMIT 100",
    ),
    (
        "the published unlocked total is the log's",
        "SELECT 'slate ' || CAST(o.slate_id AS TEXT) || ': the pot says the log published ' || \
         CAST(o.logged_unlocked_cents AS TEXT) || ' in event ' || COALESCE(CAST(o.logged_seq AS TEXT), 'none') || \
         ', which is not an unlocked_total event of that amount' AS detail FROM pots o \
         WHERE (o.logged_seq IS NULL AND o.logged_unlocked_cents != 0) OR (o.logged_seq IS NOT NULL AND NOT EXISTS \
         (SELECT 1 FROM events e WHERE e.seq = o.logged_seq AND e.slate_id = o.slate_id AND e.kind = 'unlocked_total' \
         AND (e.payload LIKE '%\"unlocked_cents\":' || CAST(o.logged_unlocked_cents AS TEXT) || ',%' \
         OR e.payload LIKE '%\"unlocked_cents\":' || CAST(o.logged_unlocked_cents AS TEXT) || '}%'))) LIMIT 100",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_rows_then_columns() {
        assert_eq!(values_placeholders('$', 2, 2), "($1, $2), ($3, $4)");
        assert_eq!(list_placeholders('$', 2, 4), "$2, $3, $4");
        assert_eq!(values_placeholders('?', 2, 2), "(?, ?), (?, ?)");
    }

    #[test]
    fn kind_columns_round_trip() {
        let kinds = [
            PledgeKind::Money {
                amount: Cents(5000),
                recurring: Recurrence::Monthly,
            },
            PledgeKind::Hours {
                hours_per_week: 5,
                weeks: 8,
                skills: vec!["web".into(), "data".into()],
            },
            PledgeKind::Actions(Actions {
                doors: 100,
                calls: 200,
                texts: 0,
            }),
        ];
        for k in kinds {
            let c = KindColumns::from_kind(&k);
            let back = KindColumns::to_kind(
                c.kind,
                c.amount_cents,
                c.recurring,
                c.hours_per_week,
                c.weeks,
                &c.skills,
                c.doors,
                c.calls,
                c.texts,
            )
            .unwrap();
            assert_eq!(back, k);
        }
    }
}
