//! Conformance of the import-jobs area (issue 19): an import waits queued,
//! oldest first, counts its progress, and once done keeps its result and
//! drops its file.

use super::*;

pub async fn import_jobs_queue_count_and_finish_dropping_the_file(store: &dyn Store) {
    let s = slate(store, "imports").await;
    let mut tx = store.write().await.expect("begin");
    assert_eq!(tx.next_import_job().await.expect("next"), None);
    let first = tx
        .insert_import_job(s.id, "pledges", "aa", "sealed-1", 4, at(1))
        .await
        .expect("insert");
    let second = tx
        .insert_import_job(s.id, "people", "bb", "sealed-2", 2, at(2))
        .await
        .expect("insert");
    let next = tx.next_import_job().await.expect("next").expect("one");
    assert_eq!(
        (next.id, next.done, next.status.as_str()),
        (first, 0, "queued")
    );
    assert_eq!((next.file.as_str(), next.total), ("sealed-1", 4));
    assert_eq!(next.kind, "pledges");
    tx.set_import_progress(first, 3, at(3))
        .await
        .expect("progress");
    let row = tx.import_job(first).await.expect("get").expect("there");
    assert_eq!((row.done, row.updated_at), (3, at(3)));
    tx.finish_import_job(first, "{\"created\":4}", at(4))
        .await
        .expect("finish");
    let row = tx.import_job(first).await.expect("get").expect("there");
    assert_eq!(row.status, "done");
    assert_eq!(row.done, 4, "done counts every row");
    assert_eq!(row.file, "", "the file is dropped");
    assert_eq!(row.result.as_deref(), Some("{\"created\":4}"));
    assert_eq!(
        tx.next_import_job()
            .await
            .expect("next")
            .map(|r| (r.id, r.kind)),
        Some((second, "people".to_owned())),
        "the next one waiting, a people import"
    );
    assert_eq!(tx.import_job(second + 100).await.expect("get"), None);
    tx.commit().await.expect("commit");
}
