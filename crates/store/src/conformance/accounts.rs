//! Conformance of accounts, grants, one-time secrets, pledges by email, the outbox and partners.

use super::*;

pub async fn accounts_grants_and_one_time_secrets(store: &dyn Store) {
    let s = slate(store, "kappa").await;
    let mut tx = store.write().await.expect("begin");
    let c = candidate(tx.as_mut(), s.id, "kay", "NY").await;
    let ana = tx
        .insert_user(&email("ana@x.org"), "Ana", at(1))
        .await
        .expect("user");
    assert_eq!(
        ana.email_prefs,
        EmailPrefs::Weekly,
        "weekly updates by default"
    );
    tx.commit().await.expect("commit");
    let mut again = store.write().await.expect("begin");
    assert!(
        matches!(
            again
                .insert_user(&email("ana@x.org"), "Ana again", at(2))
                .await,
            Err(StoreError::Conflict { what: "email" })
        ),
        "one account per email"
    );
    drop(again);
    let mut tx = store.write().await.expect("begin");
    let mut changed = ana.clone();
    changed.name = "Ana Diaz".into();
    changed.password_hash = Some("$argon2id$fake".into());
    changed.email_prefs = EmailPrefs::None;
    tx.update_user(&changed).await.expect("update");
    assert_eq!(tx.user(ana.id).await.expect("user"), Some(changed.clone()));
    assert_eq!(
        tx.user_by_email(&email("ana@x.org")).await.expect("user"),
        Some(changed)
    );
    assert_eq!(
        tx.user_by_email(&email("bo@x.org")).await.expect("user"),
        None
    );

    let organizer = TokenRow {
        role: Role::Organizer,
        slate_id: Some(s.id),
        candidate_id: None,
    };
    let campaign = TokenRow {
        role: Role::Candidate,
        slate_id: Some(s.id),
        candidate_id: Some(c.id),
    };
    let everywhere = TokenRow {
        role: Role::Organizer,
        slate_id: None,
        candidate_id: None,
    };
    assert!(tx.insert_grant(ana.id, &organizer).await.expect("grant"));
    assert!(
        !tx.insert_grant(ana.id, &organizer).await.expect("grant"),
        "granted once"
    );
    assert!(tx.insert_grant(ana.id, &campaign).await.expect("grant"));
    assert!(tx.insert_grant(ana.id, &everywhere).await.expect("grant"));
    let grants = tx.grants(ana.id).await.expect("grants");
    assert_eq!(grants.len(), 3);
    for g in [&organizer, &campaign, &everywhere] {
        assert!(grants.contains(g), "{g:?} round-trips");
    }
    let members = tx.slate_members(s.id).await.expect("members");
    assert_eq!(members.len(), 2, "the slate's own grants: {members:?}");

    let link = SecretRow {
        purpose: Purpose::Invite,
        user_id: None,
        email: Some(email("kay@x.org")),
        grant: Some(campaign.clone()),
        expires_at: at(9),
        used_at: None,
    };
    tx.insert_secret("h-invite", &link, at(1))
        .await
        .expect("secret");
    assert_eq!(tx.secret("h-invite").await.expect("secret"), Some(link));
    assert!(tx.use_secret("h-invite", at(3)).await.expect("use"));
    assert!(
        !tx.use_secret("h-invite", at(4)).await.expect("use"),
        "one time only"
    );
    assert_eq!(
        tx.secret("h-invite")
            .await
            .expect("secret")
            .and_then(|s| s.used_at),
        Some(at(3))
    );
    let session = SecretRow {
        purpose: Purpose::Session,
        user_id: Some(ana.id),
        email: None,
        grant: None,
        expires_at: at(20),
        used_at: None,
    };
    tx.insert_secret("h-session", &session, at(1))
        .await
        .expect("secret");
    tx.delete_secret("h-session").await.expect("delete");
    assert_eq!(tx.secret("h-session").await.expect("secret"), None);
    tx.commit().await.expect("commit");
}

pub async fn pledges_by_email_and_the_outbox(store: &dyn Store) {
    let s = slate(store, "lambda").await;
    let mut tx = store.write().await.expect("begin");
    let cond = tx
        .condition_id(s.id, &Condition::parse("signers >= 2").expect("condition"))
        .await
        .expect("condition");
    let first = tx
        .insert_pledge(&money(s.id, cond, "ana@x.org", 100, "2028-01-01", None))
        .await
        .expect("pledge");
    tx.insert_pledges(&[
        money(s.id, cond, "bo@x.org", 200, "2028-01-01", None),
        money(s.id, cond, "ana@x.org", 300, "2028-01-01", None),
    ])
    .await
    .expect("pledges");
    let ana = tx
        .pledges_by_email(&email("ana@x.org"))
        .await
        .expect("mine");
    assert_eq!(
        ana.iter().map(|p| p.kind.money().get()).collect::<Vec<_>>(),
        vec![300, 100],
        "both of Ana's pledges, newest first, and nobody else's"
    );
    assert_eq!(ana[1].id, first);
    assert!(tx
        .pledges_by_email(&email("cy@x.org"))
        .await
        .expect("none")
        .is_empty());

    let mail = |to: &str, subject: &str, transactional| NewEmail {
        to: email(to),
        subject: subject.into(),
        body: format!("Hello {to}"),
        transactional,
        held: false,
        attachment: None,
    };
    tx.enqueue_emails(
        &[
            (mail("ana@x.org", "Your pledge", true), "u1".into()),
            (mail("ana@x.org", "This week", false), "u2".into()),
            (mail("bo@x.org", "Your pledge", true), "u3".into()),
        ],
        at(5),
    )
    .await
    .expect("enqueue");
    assert_eq!(
        tx.unsubscribe_address("u2").await.expect("address"),
        Some(email("ana@x.org"))
    );
    assert_eq!(tx.unsubscribe_address("nope").await.expect("address"), None);
    assert_eq!(
        tx.last_update_email(&email("ana@x.org"))
            .await
            .expect("last"),
        Some(at(5))
    );
    assert_eq!(
        tx.last_update_email(&email("bo@x.org"))
            .await
            .expect("last"),
        None
    );
    let due = tx.due_emails(3, 10).await.expect("due");
    assert_eq!(due.len(), 3);
    assert_eq!(due[0].email.subject, "Your pledge");
    tx.mark_email(due[0].id, Some(at(6))).await.expect("sent");
    for _ in 0..3 {
        tx.mark_email(due[1].id, None).await.expect("failed");
    }
    let due = tx.due_emails(3, 10).await.expect("due");
    assert_eq!(
        due.iter().map(|e| e.email.to.as_str()).collect::<Vec<_>>(),
        vec!["bo@x.org"],
        "sent and thrice-failed emails are no longer due"
    );
    assert_eq!(tx.notice_cursor(s.id).await.expect("cursor"), (0, None));
    tx.set_notice_cursor(s.id, 7, Some(at(3)))
        .await
        .expect("cursor");
    tx.set_notice_cursor(s.id, 9, Some(at(4)))
        .await
        .expect("cursor");
    assert_eq!(
        tx.notice_cursor(s.id).await.expect("cursor"),
        (9, Some(at(4)))
    );
    assert!(
        tx.pledges_unlocked_at(s.id, at(4))
            .await
            .expect("unlocked")
            .is_empty(),
        "nothing has unlocked"
    );
    let ana_mail = tx.emails_to(&email("ana@x.org")).await.expect("emails");
    assert_eq!(ana_mail.len(), 2);
    assert_eq!(ana_mail[1].sent_at, Some(at(6)));
    assert_eq!(ana_mail[0].attempts, 3);
    tx.commit().await.expect("commit");
}

pub async fn partners_and_referral_counts(store: &dyn Store) {
    let s = slate(store, "mu").await;
    let mut tx = store.write().await.expect("begin");
    let p = tx
        .insert_partner(
            &PartnerRow {
                id: 0,
                slate_id: s.id,
                code: "river-union".into(),
                name: "River Union".into(),
                endorsement: "We back the whole slate.".into(),
            },
            at(1),
        )
        .await
        .expect("partner");
    assert!(p.id > 0);
    assert_eq!(tx.partners(s.id).await.expect("partners"), vec![p.clone()]);
    let cond = tx
        .condition_id(s.id, &Condition::parse("signers >= 2").expect("condition"))
        .await
        .expect("condition");
    let referred = |who: &str, cents| NewPledge {
        ref_code: Some("river-union".into()),
        ..money(s.id, cond, who, cents, "2028-01-01", None)
    };
    let first = tx
        .insert_pledge(&referred("a@x.org", 100))
        .await
        .expect("pledge");
    let hours = NewPledge {
        kind: PledgeKind::Hours {
            hours_per_week: 6,
            weeks: 4,
            skills: vec![],
        },
        receipt_token: "receipt-hours-b".into(),
        ..referred("b@x.org", 0)
    };
    tx.insert_pledges(&[
        referred("a@x.org", 200),
        referred("b@x.org", 300),
        hours,
        money(s.id, cond, "c@x.org", 400, "2028-01-01", None),
    ])
    .await
    .expect("pledges");
    assert!(tx
        .set_status(first, PledgeStatus::Pending, PledgeStatus::Cancelled)
        .await
        .expect("cancel"));
    assert_eq!(
        tx.referrals(s.id, "river-union").await.expect("counts"),
        Referrals {
            pledges: 3,
            pledgers: 2,
            unlocked: 0,
            cents: 500,
            hours_per_week: 6,
        },
        "live referred pledges only; the unreferred and the cancelled don't count"
    );
    assert_eq!(
        tx.referrals(s.id, "nobody").await.expect("counts"),
        Referrals::default()
    );
    tx.commit().await.expect("commit");
    let mut again = store.write().await.expect("begin");
    assert!(matches!(
        again.insert_partner(&p, at(2)).await,
        Err(StoreError::Conflict { .. })
    ));
}
