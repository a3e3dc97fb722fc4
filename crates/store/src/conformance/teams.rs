//! Conformance checks for the volunteer-team tables (issue 5).

use super::{at, candidate, date, email, money, slate};
use crate::*;
use cohort_core::model::{PledgeKind, PledgeStatus};
use cohort_core::Condition;

fn hours_pledge(slate_id: Id, condition_id: Id, who: &str, hours: u32, weeks: u32) -> NewPledge {
    NewPledge {
        kind: PledgeKind::Hours {
            hours_per_week: hours,
            weeks,
            skills: vec![],
        },
        receipt_token: format!("receipt-{who}-{hours}-{weeks}"),
        ..money(slate_id, condition_id, who, 0, "2028-01-01", None)
    }
}

fn profile(user_id: Id, skills: &[(&str, i64)]) -> VolunteerProfileRow {
    VolunteerProfileRow {
        user_id,
        skills: skills.iter().map(|(s, l)| ((*s).into(), *l)).collect(),
        hours_per_week: 6,
        weeks: 10,
        utc_offset_minutes: -300,
        state: "PA".into(),
        remote: true,
        languages: vec!["English".into(), "Español".into()],
        can_mentor: false,
        updated_at: at(3),
    }
}

fn need(role: &str, skill: &str, lead: bool) -> NewNeed {
    NewNeed {
        role: role.into(),
        skill: skill.into(),
        min_level: 2,
        hours_per_week: 5,
        weeks: 8,
        utc_offset_minutes: -300,
        state: "PA".into(),
        remote_ok: true,
        priority: 3,
        lead,
    }
}

pub async fn volunteer_teams_round_trip(store: &dyn Store) {
    let s = slate(store, "teams").await;
    let mut tx = store.write().await.expect("begin");
    let c = candidate(tx.as_mut(), s.id, "ada", "PA").await;
    let cond = tx
        .condition_id(s.id, &Condition::parse("signers >= 2").expect("condition"))
        .await
        .expect("condition");
    let ana = tx
        .insert_user(&email("ana@x.org"), "Ana", at(2))
        .await
        .expect("user");
    let bo = tx
        .insert_user(&email("bo@x.org"), "Bo", at(2))
        .await
        .expect("user");
    let cy = tx
        .insert_user(&email("cy@x.org"), "Cy", at(2))
        .await
        .expect("user");
    // Ana: two unlocked hours pledges; Bo: a pending one; Cy: money only.
    let a1 = tx
        .insert_pledge(&hours_pledge(s.id, cond, "ana@x.org", 5, 10))
        .await
        .expect("pledge");
    let a2 = tx
        .insert_pledge(&hours_pledge(s.id, cond, "ana@x.org", 2, 4))
        .await
        .expect("pledge");
    tx.insert_pledge(&hours_pledge(s.id, cond, "bo@x.org", 9, 9))
        .await
        .expect("pledge");
    let cm = tx
        .insert_pledge(&money(s.id, cond, "cy@x.org", 500, "2028-01-01", None))
        .await
        .expect("pledge");
    for id in [a1, a2, cm] {
        assert!(tx
            .set_status(id, PledgeStatus::Pending, PledgeStatus::Unlocked)
            .await
            .expect("status"));
    }
    for u in [&ana, &bo, &cy] {
        tx.upsert_volunteer_profile(&profile(u.id, &[("copywriting", 2)]))
            .await
            .expect("profile");
    }
    let mut changed = profile(ana.id, &[("copywriting", 3), ("team-lead", 2)]);
    changed.can_mentor = true;
    tx.upsert_volunteer_profile(&changed)
        .await
        .expect("replace");
    assert_eq!(
        tx.volunteer_profile(ana.id).await.expect("read"),
        Some(changed.clone())
    );
    assert_eq!(tx.volunteer_profile(9_999).await.expect("read"), None);

    let pool = tx.volunteer_pool(s.id).await.expect("pool");
    assert_eq!(pool.len(), 1, "only unlocked hours pledgers: {pool:?}");
    assert_eq!(pool[0].user.id, ana.id);
    assert_eq!(pool[0].profile, changed);
    assert_eq!(pool[0].pledged_hours, 5 * 10 + 2 * 4);

    let skill = SkillRow {
        slug: "spanish-outreach".into(),
        label: "Spanish outreach".into(),
        person: "Spanish-language organizer".into(),
    };
    tx.insert_slate_skill(s.id, &skill).await.expect("skill");
    assert_eq!(
        tx.slate_skills(Some(s.id)).await.expect("skills"),
        vec![skill.clone()]
    );
    assert_eq!(
        tx.slate_skills(None).await.expect("skills"),
        vec![skill.clone()]
    );
    assert_eq!(
        tx.slate_skills(Some(s.id + 1)).await.expect("skills"),
        vec![]
    );

    let team = tx
        .insert_team(
            s.id,
            c.id,
            "web",
            &[
                need("team lead", "team-lead", true),
                need("copywriter", "copywriting", false),
            ],
            at(4),
        )
        .await
        .expect("team");
    assert_eq!(
        (team.kind.as_str(), team.candidate_id, team.confirmed_at),
        ("web", c.id, None)
    );
    assert_eq!(tx.teams(s.id).await.expect("teams"), vec![team.clone()]);
    let needs = tx.needs(s.id).await.expect("needs");
    assert_eq!(needs.len(), 2);
    assert_eq!(needs[0].need, need("team lead", "team-lead", true));
    assert_eq!(
        (needs[1].team_id, needs[1].user_id, needs[1].score),
        (team.id, None, None)
    );

    tx.upsert_pin(
        s.id,
        &PinRow {
            need_id: needs[0].id,
            user_id: ana.id,
            pinned: false,
        },
    )
    .await
    .expect("pin");
    tx.upsert_pin(
        s.id,
        &PinRow {
            need_id: needs[0].id,
            user_id: ana.id,
            pinned: true,
        },
    )
    .await
    .expect("re-pin");
    tx.upsert_pin(
        s.id,
        &PinRow {
            need_id: needs[1].id,
            user_id: bo.id,
            pinned: false,
        },
    )
    .await
    .expect("pin");
    assert_eq!(
        tx.pins(s.id).await.expect("pins"),
        vec![
            PinRow {
                need_id: needs[0].id,
                user_id: ana.id,
                pinned: true
            },
            PinRow {
                need_id: needs[1].id,
                user_id: bo.id,
                pinned: false
            },
        ]
    );
    tx.delete_pins(&[needs[1].id], Some(ana.id))
        .await
        .expect("delete none");
    assert_eq!(tx.pins(s.id).await.expect("pins").len(), 2);
    tx.delete_pins(&[needs[0].id, needs[1].id], None)
        .await
        .expect("delete");
    assert_eq!(tx.pins(s.id).await.expect("pins"), vec![]);

    assert_eq!(
        tx.fill_needs(&[(needs[1].id, ana.id, 6)])
            .await
            .expect("fill"),
        1
    );
    assert_eq!(
        tx.fill_needs(&[(needs[1].id, bo.id, 3)])
            .await
            .expect("refill"),
        0,
        "a filled need stays filled"
    );
    tx.confirm_team(team.id, Some(bo.id), at(5))
        .await
        .expect("confirm");
    tx.confirm_team(team.id, Some(cy.id), at(6))
        .await
        .expect("re-confirm");
    let t = tx.team(team.id).await.expect("team").expect("exists");
    assert_eq!(
        (t.confirmed_at, t.mentor_user_id),
        (Some(at(5)), Some(cy.id)),
        "first confirmation time kept"
    );
    let served = tx.services(ana.id).await.expect("services");
    assert_eq!(served.len(), 1);
    assert_eq!(
        (
            served[0].role.as_str(),
            served[0].candidate_name.as_str(),
            served[0].slate_slug.as_str()
        ),
        ("copywriter", "ADA", "teams")
    );
    assert_eq!(tx.services(bo.id).await.expect("services"), vec![]);

    let week = date("2026-11-02");
    tx.upsert_hours(
        &HoursRow {
            team_id: team.id,
            user_id: ana.id,
            week,
            hours: 4,
        },
        at(6),
    )
    .await
    .expect("hours");
    tx.upsert_hours(
        &HoursRow {
            team_id: team.id,
            user_id: ana.id,
            week,
            hours: 7,
        },
        at(7),
    )
    .await
    .expect("edit");
    tx.upsert_hours(
        &HoursRow {
            team_id: team.id,
            user_id: ana.id,
            week: date("2026-11-09"),
            hours: 5,
        },
        at(7),
    )
    .await
    .expect("hours");
    let logged = tx.hours(s.id).await.expect("hours");
    assert_eq!(
        logged.iter().map(|h| h.hours).collect::<Vec<_>>(),
        vec![7, 5],
        "one entry per week, edits replace"
    );
    assert_eq!(logged[0].week, week);

    tx.set_toolkit(s.id, "copywriter", Some("# Ours"), at(7))
        .await
        .expect("toolkit");
    tx.set_toolkit(s.id, "copywriter", Some("# Ours, v2"), at(8))
        .await
        .expect("toolkit");
    tx.set_toolkit(s.id, "analyst", Some("# Numbers"), at(8))
        .await
        .expect("toolkit");
    tx.set_toolkit(s.id, "analyst", None, at(8))
        .await
        .expect("reset");
    assert_eq!(
        tx.toolkit_edits(s.id).await.expect("toolkits"),
        vec![("copywriter".to_owned(), "# Ours, v2".to_owned())]
    );

    // An email with an attachment comes back with it; one without, without.
    let mut with = NewEmail {
        to: email("ana@x.org"),
        subject: "Your team".into(),
        body: "Welcome".into(),
        transactional: true,
        held: false,
        attachment: Some(Attachment {
            filename: "checkin.ics".into(),
            content_type: "text/calendar; method=REQUEST".into(),
            content: "BEGIN:VCALENDAR\r\n".into(),
        }),
    };
    tx.enqueue_emails(&[(with.clone(), "t1".into())], at(8))
        .await
        .expect("queue");
    with.attachment = None;
    tx.enqueue_emails(&[(with.clone(), "t2".into())], at(9))
        .await
        .expect("queue");
    let sent = tx.emails_to(&email("ana@x.org")).await.expect("emails");
    assert_eq!(sent[0].email.attachment, None);
    assert_eq!(
        sent[1]
            .email
            .attachment
            .as_ref()
            .map(|a| a.filename.as_str()),
        Some("checkin.ics")
    );
    tx.commit().await.expect("commit");

    let mut again = store.write().await.expect("begin");
    assert!(matches!(
        again.insert_slate_skill(s.id, &skill).await,
        Err(StoreError::Conflict { .. })
    ));
    drop(again);
    let mut again = store.write().await.expect("begin");
    let needs = again.needs(s.id).await.expect("needs");
    assert!(
        matches!(
            again.fill_needs(&[(needs[0].id, ana.id, 6)]).await,
            Err(StoreError::Conflict { .. })
        ),
        "a volunteer fills at most one role per slate"
    );
}
