//! The conformance suite: what every [`Store`] must do, checked against a real
//! database. Each backend's `tests/conformance.rs` expands
//! [`conformance_tests!`](crate::conformance_tests) with a function that makes
//! a fresh, migrated store, and gets one `#[tokio::test]` per check.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use cohort_core::limits::LimitTable;
use cohort_core::model::{
    CompactContent, Election, Office, Plank, PledgeKind, PledgeStatus, Race, Recurrence,
};
use cohort_core::{Cents, Condition, Email, SlateEventKind, Slug};

use crate::*;

mod teams;
pub use teams::*;
mod conversation;
pub use conversation::*;
mod payments;
pub use payments::*;
mod stopping;
pub use stopping::*;
mod books;
pub use books::*;
mod intake;
pub use intake::*;
mod sign_in;
pub use sign_in::*;
mod jobs;
pub use jobs::*;
mod mail_hold;
pub use mail_hold::*;
mod joint_events;
pub use joint_events::*;
mod roll_calls;
pub use roll_calls::*;
mod joint_pledges;
pub use joint_pledges::*;
mod digest;
pub use digest::*;
mod log;
pub use log::*;
mod people;
pub use people::*;
mod candidate_profiles;
pub use candidate_profiles::*;
mod import_jobs;
pub use import_jobs::*;
mod slates;
pub use slates::*;
mod pledges;
pub use pledges::*;
mod unlock;
pub use unlock::*;
mod invariants;
pub use invariants::*;
mod accounts;
pub use accounts::*;

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, 12, 0, 0)
        .single()
        .expect("valid time")
}

fn date(s: &str) -> NaiveDate {
    s.parse().expect("valid date")
}

fn email(s: &str) -> Email {
    Email::parse(s).expect("valid email")
}

async fn slate(store: &dyn Store, slug: &str) -> SlateRow {
    let mut tx = store.write().await.expect("begin");
    let s = tx
        .insert_slate(&NewSlate {
            slug: Slug::parse(slug).expect("slug"),
            name: format!("Slate {slug}"),
            cycle: 2028,
            description: "A test slate".into(),
            condition: Condition::parse("signers >= 2").expect("condition"),
            limits: LimitTable::new(),
            created_at: at(1),
        })
        .await
        .expect("insert slate");
    tx.commit().await.expect("commit");
    s
}

async fn candidate(tx: &mut dyn Tx, slate_id: Id, slug: &str, state: &str) -> CandidateRow {
    tx.insert_candidate(
        slate_id,
        &NewCandidate {
            slug: Slug::parse(slug).expect("slug"),
            name: slug.to_uppercase(),
            race: Race {
                office: Office::UsHouse,
                state: state.into(),
                district: Some("1".into()),
                primary_date: Some(date("2028-06-27")),
                general_date: date("2028-11-07"),
            },
        },
    )
    .await
    .expect("insert candidate")
}

/// Count a first pledge of `cents` by `who` into the slate's pot and pledgers,
/// as intake would have.
async fn counted_in_pot(tx: &mut dyn Tx, slate_id: Id, who: &str, cents: i64) {
    assert_eq!(
        tx.add_pledgers(slate_id, &[(email(who), 1)])
            .await
            .expect("pledger"),
        1,
        "{who} is new to the pot"
    );
    tx.add_to_pot(
        slate_id,
        &PotDelta {
            pending_cents: cents,
            pledgers: 1,
            ..PotDelta::default()
        },
    )
    .await
    .expect("pot");
}

fn money(
    slate_id: Id,
    condition_id: Id,
    who: &str,
    cents: i64,
    deadline: &str,
    key: Option<&str>,
) -> NewPledge {
    NewPledge {
        slate_id,
        kind: PledgeKind::Money {
            amount: Cents(cents),
            recurring: Recurrence::Once,
        },
        condition_id,
        candidates: None,
        deadline: date(deadline),
        email: email(who),
        donor: Donor {
            name: "Ana".into(),
            attests_eligible: true,
            ..Donor::default()
        },
        ref_code: None,
        receipt_token: format!("receipt-{who}-{cents}"),
        idempotency_key: key.map(str::to_owned),
        request_hash: "h".into(),
        created_at: at(2),
    }
}

/// Expands to one `#[tokio::test]` per conformance check, each on a fresh
/// store from `$fresh` (an async fn returning `Arc<dyn Store>`).
#[macro_export]
macro_rules! conformance_tests {
    ($fresh:path) => {
        $crate::conformance_tests!(@each $fresh;
            slates_round_trip_and_slugs_are_unique,
            an_uncommitted_transaction_leaves_nothing,
            candidates_compacts_signatures_and_endorsements,
            conditions_are_stored_once_per_slate,
            pledges_round_trip_and_idempotency_keys_are_unique,
            status_moves_only_from_the_expected_status,
            unlocking_records_installments_once,
            monthly_pledges_report_their_latest_installment,
            pots_pledgers_events_and_tokens,
            check_invariants_names_a_planted_violation,
            a_clean_database_has_no_violations,
            bulk_unlocks_span_many_statements,
            bulk_inserted_pledges_keep_the_pot_right,
            accounts_grants_and_one_time_secrets,
            attempts_are_counted_per_key_and_window_across_transactions,
            sign_in_links_are_voided_and_other_sessions_ended,
            pledges_by_email_and_the_outbox,
            partners_and_referral_counts,
            volunteer_teams_round_trip,
            conversations_statements_votes_and_results,
            anonymous_participants_vote_and_are_deleted_whole,
            burst_downweights_are_recorded_per_slate_in_order,
            the_slim_result_form_is_replaced_whole_and_reads_the_drawn_dots,
            payments_setups_charges_releases_and_webhook_events, check_invariants_names_a_wrong_charge,
            a_stopped_monthly_pledge_keeps_its_past_and_gets_no_new_month,
            books_events_settings_marks_and_collected_totals,
            given_elsewhere_counts_the_same_fec_candidate_on_other_slates,
            a_slate_version_moves_with_everything_conditions_read,
            record_intake_writes_one_pledge_and_its_receipt,
            record_intake_writes_a_large_batch,
            record_intake_inserts_pledges_under_reserved_ids,
            record_intake_inserts_pledges_under_new_ids,
            leases_round_trip_and_are_replaced_whole,
            api_tokens_have_names_expiries_and_revocation,
            held_email_waits_for_release_and_folded_email_never_goes,
            plain_receipt_tokens_and_unsealed_bodies_are_found_once,
            joint_events_hosts_rsvps_and_reminders,
            roll_calls_positions_member_ids_and_platform_votes,
            joint_event_pledges_link_once_and_sum_what_stands,
            pledge_pauses_open_once_and_close,
            digests_are_claimed_once_a_week_and_tell_waiting_updates,
            people_merge_by_email_and_page_by_slate_and_modified_date,
            new_people_are_inserted_in_bulk_and_known_ones_left_alone,
            candidate_profiles_replace_whole_and_roster_events_skip_pledges,
            import_jobs_queue_count_and_finish_dropping_the_file,
            log_leaves_hashes_and_checkpoints_round_trip,
            the_log_is_written_while_a_write_transaction_is_open,
        );
    };
    (@each $fresh:path; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                let store = $fresh().await;
                $crate::conformance::$name(store.as_ref()).await;
            }
        )*
    };
}
