//! Pledge intake: requests queued and written in batches, one transaction each, with reserved ids.

use std::collections::HashSet;

use cohort_store::PersonFields;

use super::*;

fn interrupted() -> EngineError {
    EngineError::Store(StoreError::Unavailable(
        "the pledge batch was interrupted; nothing was saved".into(),
    ))
}

/// A pledge request waiting for the next batch.
pub(super) struct Job {
    pub(super) slate: String,
    pub(super) request: PledgeRequest,
    pub(super) key: Option<String>,
    /// Made by the signed-in owner of the donor's address: their receipt
    /// goes out at once. Anyone else's is held (see `receipts_cap`).
    pub(super) requested: bool,
    /// Entered by an organizer from a pledge made offline (the CSV import):
    /// its receipt says so.
    pub(super) imported: bool,
    reply: oneshot::Sender<Result<PledgeOutcome>>,
}

/// Where a request stands inside a batch.
pub(super) enum Staged {
    Created {
        row: Box<PledgeRow>,
        /// The receipt token itself; the row holds only its SHA-256.
        token: String,
    },
    Done(Box<PledgeOutcome>),
    /// The same key and body as a pledge earlier in this batch: answered as
    /// a replay of it once the batch's write has put it in.
    Repeat {
        id: Id,
        hash: String,
    },
    /// The request needs to write what a slate's kept base holds (a new
    /// condition) before the slate is locked: the batch must run again, locking first.
    Stale,
}

/// How one try at a batch ended.
enum Attempt {
    /// Committed, or failed as a whole (then nothing was saved); each
    /// request's answer, in order.
    Ran(Result<()>, Vec<Result<Staged>>),
    /// A kept slate base turned out stale: rolled back, nothing answered.
    Stale,
}

/// A slate a batch touches: loaded once, and what the batch's pledges add to
/// it, written once at the end (pot, pledger counts) before one settle.
pub(super) struct BatchSlate {
    pub(super) base: Arc<SlateBase>,
    /// Whether the slate was locked when `base` was taken; if not, the
    /// pot's write locks it and checks `base`'s version.
    pub(super) locked: bool,
    /// New pledges under reserved ids, for the batch's one write.
    pub(super) pledges: Vec<(Id, NewPledge)>,
    /// Distinct conditions of the batch's pledges, by canonical text.
    pub(super) conditions: HashMap<String, Id>,
    /// Conditions the batch created (not in `base`).
    pub(super) created: Vec<ConditionRow>,
    pub(super) delta: PotDelta,
    /// Live pledges each donor gained in this batch.
    pub(super) donors: HashMap<Email, i64>,
    /// The batch's pledgers for the people list, filed after the pot's
    /// write has locked the slate (a person's row names the slate: filed
    /// first, two batches' key-share locks would deadlock on the lock).
    pub(super) people: Vec<(Email, cohort_store::PersonFields)>,
    /// Receipts for the batch's new pledges, queued with them.
    pub(super) receipts: Vec<(cohort_store::NewEmail, String)>,
    /// Payloads of the batch's `pledged` events, in order.
    pub(super) events: Vec<String>,
    /// Which of the batch's idempotency keys for this slate the database
    /// already has: looked up together at the slate's first keyed request.
    pub(super) known_keys: Option<HashSet<String>>,
    /// Keys this batch's new pledges took: the pledge and its request hash,
    /// so a repeat later in the batch replays it.
    pub(super) batch_keys: HashMap<String, (Id, String)>,
    /// Joint-event pledges to link once the batch's write has put them in.
    pub(super) links: Vec<(Id, Id)>,
}

/// Pledge ids for one attempt at a batch, asked of the store once (see
/// [`cohort_store::PledgesTx::new_pledge_ids`]): enough for every request,
/// so that every new pledge goes in with its slate's one write.
pub(super) struct IdBlock {
    want: usize,
    ids: Option<std::vec::IntoIter<Id>>,
}

impl IdBlock {
    pub(super) fn new(want: usize) -> IdBlock {
        IdBlock { want, ids: None }
    }

    /// An id kept from an earlier batch if there is one, else the next of
    /// this attempt's block.
    pub(super) async fn next(&mut self, tx: &mut dyn Tx, intake: &Intake) -> Result<Id> {
        if let Some(id) = intake.take_id() {
            return Ok(id);
        }
        if self.ids.is_none() {
            self.ids = Some(tx.new_pledge_ids(self.want).await?.into_iter());
        }
        // Asked for once: on SQLite a second ask would give the same ids again.
        self.ids.as_mut().and_then(Iterator::next).ok_or_else(|| {
            EngineError::Store(StoreError::Other("the batch ran out of pledge ids".into()))
        })
    }
}

/// The group-commit queue (see [`Engine::pledge`]).
#[derive(Default)]
pub(crate) struct Intake {
    queue: std::sync::Mutex<Vec<Job>>,
    leader: futures::lock::Mutex<()>,
    /// Pledge ids earlier batches reserved (see [`IntakeWrites::reserve`]),
    /// so a pledge can go in with its batch's one write.
    ids: std::sync::Mutex<Vec<Id>>,
}

/// Ids to keep reserved: enough for a few batches at low concurrency, where
/// the saved round trip matters; bigger batches take the rest one by one.
pub(super) const RESERVE_IDS: usize = 64;

impl Intake {
    pub(super) fn take_id(&self) -> Option<Id> {
        self.ids.lock().unwrap_or_else(|e| e.into_inner()).pop()
    }

    /// How many ids to ask the next write for.
    pub(super) fn wanted(&self) -> usize {
        let kept = self.ids.lock().unwrap_or_else(|e| e.into_inner()).len();
        if kept < RESERVE_IDS / 4 {
            RESERVE_IDS - kept
        } else {
            0
        }
    }

    pub(super) fn keep(&self, ids: Vec<Id>) {
        // Popped from the end: the lowest is handed out first, so one
        // server's pledges take ids in the order they arrive.
        let mut kept = self.ids.lock().unwrap_or_else(|e| e.into_inner());
        kept.extend(ids);
        kept.sort_unstable_by(|a, b| b.cmp(a));
    }
}
impl Engine {
    /// Take a pledge, and answer with what its pledger needs next: for a
    /// money pledge, how its money is collected (see
    /// [`Engine::with_payment`]). With an idempotency key, a repeat of the
    /// same request answers as the first did and writes nothing; the same
    /// key with a different body is a conflict.
    ///
    /// Pledges arriving together share one transaction and one durable commit
    /// (group commit): the caller that finds no batch in flight becomes the
    /// leader, takes every request queued meanwhile, and answers them all
    /// after the commit. Nobody is answered before their pledge is durable.
    ///
    /// The payment setup (a call to the gateway) is made only after that
    /// commit, never inside the batch's transaction, which would hold the
    /// one writer for a round trip to Stripe; see [`Engine::with_payment`]
    /// for what happens when the gateway is unreachable.
    pub async fn pledge(
        &self,
        slate: &str,
        request: PledgeRequest,
        idempotency_key: Option<&str>,
    ) -> Result<PledgeOutcome> {
        let outcome = self
            .pledge_with(slate, request, idempotency_key, false)
            .await?;
        Ok(self.paid(outcome).await)
    }

    /// [`Engine::pledge`] by the signed-in owner of the donor's address
    /// (the web form checks the session): its receipt is not held.
    pub async fn pledge_as_owner(
        &self,
        slate: &str,
        request: PledgeRequest,
        idempotency_key: Option<&str>,
    ) -> Result<PledgeOutcome> {
        let outcome = self
            .pledge_with(slate, request, idempotency_key, true)
            .await?;
        Ok(self.paid(outcome).await)
    }

    /// The outcome with its payment, after the pledge's commit.
    async fn paid(&self, outcome: PledgeOutcome) -> PledgeOutcome {
        PledgeOutcome {
            pledge: self.with_payment(outcome.pledge).await,
            created: outcome.created,
        }
    }

    /// The intake alone, without the payment: what the demos use.
    pub(crate) async fn pledge_with(
        &self,
        slate: &str,
        request: PledgeRequest,
        idempotency_key: Option<&str>,
        requested: bool,
    ) -> Result<PledgeOutcome> {
        if let Some(k) = idempotency_key {
            if k.is_empty() || k.len() > 255 {
                return Err(EngineError::invalid(
                    "Idempotency-Key",
                    "must be 1 to 255 characters",
                ));
            }
        }
        let (reply, answer) = oneshot::channel();
        let job = Job {
            slate: slate.to_owned(),
            request,
            key: idempotency_key.map(str::to_owned),
            requested,
            imported: false,
            reply,
        };
        self.intake
            .queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(job);
        // Wait for whichever comes first: a leader answering us, or our turn to lead.
        // (Waiting only for the lock would let later arrivals lead again and again
        // while an answered request sat in line.)
        let turn = Box::pin(self.intake.leader.lock());
        let (leader, mut answer) = match future::select(answer, turn).await {
            Either::Left((done, _)) => return done.unwrap_or_else(|_| Err(interrupted())),
            Either::Right((leader, answer)) => (leader, answer),
        };
        if let Ok(Some(done)) = answer.try_recv() {
            return done;
        }
        let jobs =
            std::mem::take(&mut *self.intake.queue.lock().unwrap_or_else(|e| e.into_inner()));
        self.intake_batch(jobs).await;
        drop(leader);
        answer.await.unwrap_or_else(|_| Err(interrupted()))
    }

    /// Many pledges of one slate, each under its idempotency key, through
    /// the same group-committed intake as [`Engine::pledge`] (validation,
    /// log event, people list, receipt): the CSV import of pledges made
    /// offline. They join the queue together, so they share a batch (one
    /// transaction) with whatever else is waiting; their receipts are held
    /// like any pledge nobody signed in for. Answers are in `items`' order.
    pub(crate) async fn pledge_imported(
        &self,
        slate: &str,
        items: Vec<(PledgeRequest, String)>,
    ) -> Vec<Result<PledgeOutcome>> {
        let mut answers = Vec::with_capacity(items.len());
        {
            let mut queue = self.intake.queue.lock().unwrap_or_else(|e| e.into_inner());
            for (request, key) in items {
                let (reply, answer) = oneshot::channel();
                queue.push(Job {
                    slate: slate.to_owned(),
                    request,
                    key: Some(key),
                    requested: false,
                    imported: true,
                    reply,
                });
                answers.push(answer);
            }
        }
        // Lead one batch: it takes the queue, ours included, unless a
        // leader before us already took it; either way every answer comes.
        let leader = self.intake.leader.lock().await;
        let jobs =
            std::mem::take(&mut *self.intake.queue.lock().unwrap_or_else(|e| e.into_inner()));
        if !jobs.is_empty() {
            self.intake_batch(jobs).await;
        }
        drop(leader);
        let mut out = Vec::with_capacity(answers.len());
        for a in answers {
            out.push(a.await.unwrap_or_else(|_| Err(interrupted())));
        }
        out
    }

    /// Process queued pledges in one transaction and answer each.
    ///
    /// A slate whose base the engine keeps is first tried without locking
    /// it up front: the lock is taken, and the version checked, by the
    /// batch's one write of the pot ([`PledgesTx::record_intake`]), a round
    /// trip fewer per batch. If the version moved meanwhile (someone signed,
    /// endorsed, added a candidate or a condition), the attempt is rolled back
    /// and the batch runs again, locking first.
    ///
    /// [`PledgesTx::record_intake`]: cohort_store::PledgesTx::record_intake
    async fn intake_batch(&self, jobs: Vec<Job>) {
        let at = self.now();
        let (outcome, staged) = match self.intake_attempt(&jobs, true, at).await {
            Attempt::Ran(outcome, staged) => (outcome, staged),
            Attempt::Stale => match self.intake_attempt(&jobs, false, at).await {
                Attempt::Ran(outcome, staged) => (outcome, staged),
                Attempt::Stale => (Err(interrupted()), Vec::new()),
            },
        };
        let mut staged = staged.into_iter();
        for job in jobs {
            let answer = match (&outcome, staged.next()) {
                (Err(e), _) => Err(EngineError::Store(StoreError::Unavailable(format!(
                    "nothing was saved: {e}"
                )))),
                (Ok(()), Some(Ok(Staged::Done(o)))) => Ok(*o),
                (Ok(()), Some(Err(e))) => Err(e),
                (Ok(()), _) => Err(EngineError::Store(StoreError::Other(
                    "a staged pledge was not finished".into(),
                ))),
            };
            let _ = job.reply.send(answer);
        }
    }

    /// One try at a batch: `kept` lets slates go unlocked until the pot's
    /// write (see [`Engine::intake_batch`]). Answers are in `jobs`' order.
    async fn intake_attempt(&self, jobs: &[Job], kept: bool, at: DateTime<Utc>) -> Attempt {
        let mut staged: Vec<Result<Staged>> = Vec::with_capacity(jobs.len());
        let outcome: Result<bool> = async {
            let mut tx = self.store.write().await?;
            let mut slates: HashMap<String, Option<BatchSlate>> = HashMap::new();
            let mut keys: HashMap<&str, Vec<&str>> = HashMap::new();
            for job in jobs {
                if let Some(k) = &job.key {
                    keys.entry(job.slate.as_str()).or_default().push(k);
                }
            }
            let mut ids = IdBlock::new(jobs.len());
            for job in jobs {
                let r = self
                    .stage(tx.as_mut(), job, &mut slates, &keys, &mut ids, kept, at)
                    .await;
                match r {
                    Err(EngineError::Store(e)) => return Err(EngineError::Store(e)),
                    Ok(Staged::Stale) => return Ok(false),
                    r => staged.push(r),
                }
            }
            let mut unlocked_any = HashSet::new();
            for b in slates.values_mut().flatten() {
                let slate = &b.base.row;
                let donors: Vec<(Email, i64)> = b.donors.drain().collect();
                let recorded = tx
                    .record_intake(&IntakeWrites {
                        slate_id: slate.id,
                        pledges: &b.pledges,
                        events: &b.events,
                        donors: &donors,
                        emails: &b.receipts,
                        delta: b.delta,
                        at,
                        reserve: self.intake.wanted(),
                    })
                    .await?;
                // Unique whether or not this transaction commits.
                self.intake.keep(recorded.reserved);
                if !b.locked && recorded.slate_version != b.base.version {
                    return Ok(false);
                }
                for (pledge, event) in b.links.drain(..) {
                    tx.link_joint_event_pledge(pledge, event).await?;
                }
                // The pledgers join the people list as an import's people
                // do: an upsert each was a round trip to SQLite's worker
                // thread per pledge.
                let people = once_each(b.people.drain(..));
                crate::people_import::file_people(tx.as_mut(), slate.id, &people, "pledge", at)
                    .await?;
                // The pot moved: check the conditions that read it, and the
                // batch's own (a pledge whose condition already holds unlocks
                // on arrival), against the base, now known to stand.
                let state = SlateState::new(b.base.roster.clone(), recorded.pot, at.date_naive());
                let used: Vec<Id> = b.conditions.values().copied().collect();
                let affected: Vec<&ConditionRow> = b
                    .base
                    .conditions
                    .iter()
                    .chain(&b.created)
                    .filter(|c| intersects(c.reads, pot_changed()) || used.contains(&c.id))
                    .collect();
                let settled = self
                    .unlock_where_true(tx.as_mut(), slate, &state, &affected, at)
                    .await?;
                if settled.unlocked > 0 {
                    unlocked_any.insert(slate.id);
                }
            }
            let by_id: HashMap<Id, &BatchSlate> = slates
                .values()
                .flatten()
                .map(|b| (b.base.row.id, b))
                .collect();
            for r in staged.iter_mut() {
                if let Ok(Staged::Repeat { id, hash }) = r {
                    let first = tx
                        .pledge(*id)
                        .await?
                        .ok_or_else(|| EngineError::not_found("pledge", id.to_string()))?;
                    *r = replay(tx.as_mut(), &self.keys, first, hash)
                        .await
                        .map(|o| Staged::Done(Box::new(o)));
                    continue;
                }
                if let Ok(Staged::Created { row, token }) = r {
                    let Some(b) = by_id.get(&row.slate_id) else {
                        continue;
                    };
                    // Only a batch whose settle unlocked something needs to re-read its pledges.
                    let (row, installments) = if unlocked_any.contains(&row.slate_id) {
                        let fresh = tx
                            .pledge(row.id)
                            .await?
                            .ok_or_else(|| EngineError::not_found("pledge", row.id.to_string()))?;
                        let installments = tx.installments(row.id).await?;
                        (fresh, installments)
                    } else {
                        ((**row).clone(), Vec::new())
                    };
                    let mut view =
                        render_pledge(&b.base.row, &b.base.roster.candidates, &row, &installments);
                    view.receipt_token = Some(std::mem::take(token));
                    *r = Ok(Staged::Done(Box::new(PledgeOutcome {
                        pledge: view,
                        created: true,
                    })));
                }
            }
            tx.commit().await?;
            Ok(true)
        }
        .await;
        match outcome {
            Ok(true) => Attempt::Ran(Ok(()), staged),
            Ok(false) => Attempt::Stale,
            Err(e) => Attempt::Ran(Err(e), staged),
        }
    }
}

/// Each email once, in the order first seen, with the fields of all its
/// arrivals merged in order: what upserting them one by one would leave.
fn once_each(people: impl Iterator<Item = (Email, PersonFields)>) -> Vec<(Email, PersonFields)> {
    let mut out: Vec<(Email, PersonFields)> = Vec::new();
    let mut at: HashMap<Email, usize> = HashMap::new();
    for (email, fields) in people {
        match at.get(&email) {
            Some(&i) => out[i].1 = out[i].1.merged(&fields),
            None => {
                at.insert(email.clone(), out.len());
                out.push((email, fields));
            }
        }
    }
    out
}

#[cfg(test)]
mod once_each_tests {
    use super::*;

    fn fields(name: &str, zip: &str) -> PersonFields {
        PersonFields {
            given_name: name.into(),
            zip: zip.into(),
            ..PersonFields::default()
        }
    }

    fn email(s: &str) -> Email {
        Email::parse(s).expect("email")
    }

    #[test]
    fn a_repeated_pledger_is_kept_once_with_what_upserting_in_turn_would_leave() {
        let arrivals = vec![
            (email("a@example.org"), fields("Ann", "")),
            (email("b@example.org"), fields("Bo", "10001")),
            (email("a@example.org"), fields("", "10002")),
            (email("a@example.org"), fields("Anne", "")),
        ];
        let once = once_each(arrivals.clone().into_iter());
        assert_eq!(
            once,
            vec![
                (email("a@example.org"), fields("Anne", "10002")),
                (email("b@example.org"), fields("Bo", "10001")),
            ]
        );
        // One by one, from what the list already had, gives the same.
        let stored = fields("Old", "99999");
        let in_turn = arrivals
            .iter()
            .filter(|(e, _)| e == &email("a@example.org"))
            .fold(stored.clone(), |kept, (_, f)| kept.merged(f));
        assert_eq!(stored.merged(&once[0].1), in_turn);
    }
}

#[cfg(test)]
mod batch_key_tests {
    use std::sync::Arc;

    use cohort_core::model::PledgeKind;
    use cohort_store::{Donor, Store};
    use cohort_store_sqlite::SqliteStore;

    use crate::{Actor, CandidateInput, Engine, FixedClock, OsTokens, PledgeRequest, SlateInput};

    /// A key's second job in the same batch must find the pledge its first
    /// made (a replay), not insert it again: the batch remembers the keys it
    /// took (see `stage`). `pledge_imported` queues its items together,
    /// so they share one batch. Seen failing with the key looked up only
    /// once per batch (a prefetch tried for speed, without that memory).
    #[tokio::test]
    async fn a_key_twice_in_one_batch_pledges_once_and_replays_once() {
        let dir = std::env::temp_dir().join(format!(
            "cohort-batch-keys-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
        ));
        let store = SqliteStore::open_dir(&dir).await.expect("open");
        store.migrate().await.expect("migrate");
        let clock = Arc::new(FixedClock::new(chrono::Utc::now()));
        let engine = Engine::new(Arc::new(store), clock, Arc::new(OsTokens));
        let org = Actor::Organizer { slate: None };
        engine
            .create_slate(
                &org,
                SlateInput {
                    slug: "s".into(),
                    name: "Slate".into(),
                    cycle: 2028,
                    description: String::new(),
                    condition: "signers >= 1".into(),
                },
            )
            .await
            .expect("slate");
        engine
            .add_candidate(
                &org,
                "s",
                CandidateInput {
                    slug: "a".into(),
                    name: "A".into(),
                    office: "us_house".into(),
                    state: "PA".into(),
                    district: Some("1".into()),
                    primary_date: Some("2028-04-25".into()),
                    general_date: "2028-11-07".into(),
                },
            )
            .await
            .expect("candidate");
        let request = PledgeRequest::new(
            PledgeKind::Hours {
                hours_per_week: 3,
                weeks: 4,
                skills: Vec::new(),
            },
            cohort_core::Email::parse("sam@example.org").expect("email"),
            Donor {
                name: "Sam Doe".into(),
                zip: "19104".into(),
                attests_eligible: true,
                ..Donor::default()
            },
        );
        let answers = engine
            .pledge_imported(
                "s",
                vec![
                    (request.clone(), "row-1".into()),
                    (request.clone(), "row-1".into()),
                    (request, "row-2".into()),
                ],
            )
            .await;
        let outcomes: Vec<_> = answers
            .into_iter()
            .map(|a| a.expect("each row answered"))
            .collect();
        assert!(outcomes[0].created && !outcomes[1].created && outcomes[2].created);
        assert_eq!(outcomes[0].pledge.id, outcomes[1].pledge.id);
        assert_ne!(outcomes[0].pledge.id, outcomes[2].pledge.id);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
