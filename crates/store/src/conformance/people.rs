//! Conformance of the people area (issue 19): merge by email, filters,
//! paging, tags.

use super::*;

fn named(given: &str, zip: &str) -> PersonFields {
    PersonFields {
        given_name: given.into(),
        zip: zip.into(),
        ..PersonFields::default()
    }
}

pub async fn people_merge_by_email_and_page_by_slate_and_modified_date(store: &dyn Store) {
    let a = slate(store, "people-a").await;
    let b = slate(store, "people-b").await;
    let mut tx = store.write().await.expect("begin");
    let pat = email("pat@example.org");
    let (id, new) = tx
        .upsert_person(a.id, &pat, &named("Pat", "43210"), "csv", at(2))
        .await
        .expect("insert");
    assert!(new, "first sight of pat on slate a");
    // A later merge with an empty zip keeps the stored zip; a new phone lands.
    let later = PersonFields {
        phone: "555-0100".into(),
        ..named("Patricia", "")
    };
    let (again, new) = tx
        .upsert_person(a.id, &pat, &later, "osdi", at(5))
        .await
        .expect("merge");
    assert_eq!((again, new), (id, false), "merged by email");
    let p = tx.person(id).await.expect("get").expect("there");
    assert_eq!(p.fields.given_name, "Patricia");
    assert_eq!(p.fields.zip, "43210", "an empty field keeps what is stored");
    assert_eq!(p.fields.phone, "555-0100");
    assert_eq!(p.source, "csv", "the first source stays");
    assert_eq!((p.created_at, p.modified_at), (at(2), at(5)));
    // Nothing new: modified_at does not move.
    tx.upsert_person(a.id, &pat, &named("", ""), "csv", at(9))
        .await
        .expect("no-op");
    let p = tx.person(id).await.expect("get").expect("there");
    assert_eq!(p.modified_at, at(5), "an unchanged person is not modified");
    // The same email on another slate is another person.
    let (other, new) = tx
        .upsert_person(b.id, &pat, &named("Pat", ""), "pledge", at(3))
        .await
        .expect("other slate");
    assert!(new && other != id);
    for (i, who) in ["ann", "bea", "cy"].iter().enumerate() {
        tx.upsert_person(
            a.id,
            &email(&format!("{who}@example.org")),
            &named(who, ""),
            "csv",
            at(3 + i as u32),
        )
        .await
        .expect("more");
    }

    let only_a = PeopleQuery {
        slate_ids: vec![a.id],
        ..PeopleQuery::default()
    };
    assert_eq!(tx.count_people(&only_a).await.expect("count"), 4);
    let page = tx.people(&only_a, 1, 2).await.expect("page");
    let names: Vec<_> = page.iter().map(|p| p.fields.given_name.as_str()).collect();
    assert_eq!(names, ["ann", "bea"], "id order, offset 1, two");
    let both = PeopleQuery {
        slate_ids: vec![a.id, b.id],
        ..PeopleQuery::default()
    };
    assert_eq!(tx.count_people(&both).await.expect("count"), 5);
    assert_eq!(
        tx.count_people(&PeopleQuery::default())
            .await
            .expect("none"),
        0,
        "no slate named, no people"
    );
    let by_email = PeopleQuery {
        email: Some(pat.clone()),
        ..both.clone()
    };
    let found = tx.people(&by_email, 0, 10).await.expect("by email");
    assert_eq!(found.len(), 2, "pat on both slates");
    let recent = PeopleQuery {
        modified_after: Some(at(4)),
        ..only_a.clone()
    };
    let found = tx.people(&recent, 0, 10).await.expect("recent");
    let names: Vec<_> = found.iter().map(|p| p.fields.given_name.as_str()).collect();
    assert_eq!(names, ["Patricia", "cy"], "strictly after day 4");
    let window = PeopleQuery {
        modified_before: Some(at(5)),
        ..recent.clone()
    };
    assert_eq!(
        tx.count_people(&window).await.expect("window"),
        0,
        "after day 4 and before day 5: Patricia is at day 5 and cy at day 5"
    );
    let older = PeopleQuery {
        modified_before: Some(at(4)),
        ..only_a.clone()
    };
    let found = tx.people(&older, 0, 10).await.expect("older");
    let names: Vec<_> = found.iter().map(|p| p.fields.given_name.as_str()).collect();
    assert_eq!(names, ["ann"], "strictly before day 4");

    // Tags: one per name and slate; a filing is once and touches the person.
    let t = tx.upsert_tag(a.id, "volunteer", at(6)).await.expect("tag");
    let t2 = tx
        .upsert_tag(a.id, "volunteer", at(7))
        .await
        .expect("again");
    assert_eq!((t.id, t2.created_at), (t2.id, at(6)), "a tag is made once");
    let tb = tx.upsert_tag(b.id, "volunteer", at(6)).await.expect("b's");
    assert_ne!(tb.id, t.id);
    assert!(tx.tag_person(t.id, id, at(8)).await.expect("file"));
    assert!(!tx.tag_person(t.id, id, at(9)).await.expect("refile"));
    let p = tx.person(id).await.expect("get").expect("there");
    assert_eq!(p.modified_at, at(8), "filing touches the person");
    let filed = tx.taggings(t.id).await.expect("taggings");
    assert_eq!(filed.len(), 1);
    assert_eq!((filed[0].person_id, filed[0].created_at), (id, at(8)));
    assert_eq!(tx.tags_of(id).await.expect("tags of")[0].name, "volunteer");
    assert_eq!(
        tx.taggings_of(id).await.expect("taggings of"),
        filed,
        "the person's side of the same filing"
    );
    assert_eq!(tx.tags(&[a.id]).await.expect("tags").len(), 1);
    assert_eq!(tx.tags(&[a.id, b.id]).await.expect("tags").len(), 2);
    assert_eq!(
        tx.tag(t.id).await.expect("tag").map(|t| t.slate_id),
        Some(a.id)
    );
    tx.commit().await.expect("commit");
}

/// The bulk path of a CSV import: only emails new to the slate are added
/// (fields as given), people already on the list are left untouched, and
/// more people than one statement holds all arrive.
pub async fn new_people_are_inserted_in_bulk_and_known_ones_left_alone(store: &dyn Store) {
    let a = slate(store, "people-bulk").await;
    let mut tx = store.write().await.expect("begin");
    let (kept, _) = tx
        .upsert_person(
            a.id,
            &email("kim@example.org"),
            &named("Kim", "10001"),
            "pledge",
            at(1),
        )
        .await
        .expect("insert");
    let mut batch: Vec<(cohort_core::Email, PersonFields)> = (0..901)
        .map(|i| {
            (
                email(&format!("p{i}@example.org")),
                named(&format!("P{i}"), "02139"),
            )
        })
        .collect();
    batch.push((email("kim@example.org"), named("Kimberly", "99999")));
    let added = tx
        .insert_new_people(a.id, &batch, "csv", at(4))
        .await
        .expect("bulk insert");
    assert_eq!(added.len(), 901, "every new email, none of the known");
    assert!(!added.contains(&email("kim@example.org")));
    let kim = tx.person(kept).await.expect("get").expect("there");
    assert_eq!(
        (
            kim.fields.given_name.as_str(),
            kim.fields.zip.as_str(),
            kim.source.as_str()
        ),
        ("Kim", "10001", "pledge"),
        "a known person is left untouched"
    );
    let q = PeopleQuery {
        slate_ids: vec![a.id],
        email: Some(email("p900@example.org")),
        ..PeopleQuery::default()
    };
    let p900 = tx.people(&q, 0, 10).await.expect("people");
    assert_eq!(p900.len(), 1);
    assert_eq!(p900[0].fields.given_name, "P900");
    assert_eq!(
        (p900[0].source.as_str(), p900[0].created_at),
        ("csv", at(4))
    );
    let all = PeopleQuery {
        slate_ids: vec![a.id],
        ..PeopleQuery::default()
    };
    assert_eq!(tx.count_people(&all).await.expect("count"), 902);
    assert!(tx
        .insert_new_people(a.id, &[], "csv", at(5))
        .await
        .expect("empty")
        .is_empty());
    tx.commit().await.expect("commit");
}
