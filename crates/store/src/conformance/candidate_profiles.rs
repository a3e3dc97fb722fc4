//! Conformance of the candidate-profiles area (issue 16): a profile is
//! written whole, and the roster's events leave the pledges' out.

use super::*;

pub async fn candidate_profiles_replace_whole_and_roster_events_skip_pledges(store: &dyn Store) {
    let s = slate(store, "profiles").await;
    let mut tx = store.write().await.expect("begin");
    let ada = candidate(tx.as_mut(), s.id, "ada", "OH").await;
    assert_eq!(tx.candidate_profile(ada.id).await.expect("get"), None);
    let first = CandidateProfileRow {
        candidate_id: ada.id,
        bio: "Teacher.".into(),
        photo_url: Some("https://example.org/ada.jpg".into()),
        updated_at: at(2),
    };
    tx.set_candidate_profile(&first).await.expect("set");
    assert_eq!(
        tx.candidate_profile(ada.id).await.expect("get"),
        Some(first)
    );
    let second = CandidateProfileRow {
        candidate_id: ada.id,
        bio: "Nurse.".into(),
        photo_url: None,
        updated_at: at(3),
    };
    tx.set_candidate_profile(&second).await.expect("replace");
    assert_eq!(
        tx.candidate_profile(ada.id).await.expect("get"),
        Some(second),
        "the photo is cleared, not kept"
    );
    use SlateEventKind::*;
    for (i, kind) in [Signed, Pledged, Endorsed, Cancelled, Withdrew]
        .into_iter()
        .enumerate()
    {
        tx.append_event(s.id, kind, "{}", at(4 + i as u32))
            .await
            .expect("event");
    }
    let kinds: Vec<SlateEventKind> = tx
        .roster_events(s.id, 10)
        .await
        .expect("roster")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, [Signed, Endorsed, Withdrew]);
    assert_eq!(tx.roster_events(s.id, 2).await.expect("limited").len(), 2);
    tx.commit().await.expect("commit");
}
