//! The transparency log (issue 18): one append-only Merkle log per instance
//! of every public event, sequenced after the fact by a background job (so
//! intake never waits on it), published as C2SP tiles under checkpoints
//! signed by the instance's note key. The hashing, tiles and notes are
//! `cohort-tlog`'s; here they meet the store.

use cohort_core::SlateEventKind;
use cohort_store::{LogCheckpointRow, LogHashRow, LogLeafRow, Tx};
use cohort_tlog::tree::{self, Hashes, Node};
use cohort_tlog::{b64, record_hash, CheckpointSigner, Hash, Leaf, TilePath, TILE_HEIGHT};
use serde::Serialize;

use crate::{Engine, EngineError, Result};

/// Events sequenced per round (one transaction).
pub const BATCH: i64 = 2000;

/// How far below the last logged event's seq the sequencer still looks for
/// events not logged yet. On PostgreSQL an event's seq is drawn when it is
/// inserted but becomes visible when its transaction commits, so a slow
/// transaction can commit an event below one already logged; it is logged
/// then, at the next index (the log's order is the order events became
/// visible, and each leaf carries its seq). `cohort verify` names any event
/// the log lacks.
pub const LATE_WINDOW: i64 = 100_000;

fn log_err(e: cohort_tlog::LogError) -> EngineError {
    EngineError::Store(cohort_store::StoreError::Other(format!(
        "transparency log: {e}"
    )))
}

fn node_key(n: Node) -> (i32, i64) {
    (i32::from(n.level), n.n as i64)
}

fn to_hash(bytes: &[u8]) -> Result<Hash> {
    let a: [u8; 32] = bytes.try_into().map_err(|_| {
        EngineError::Store(cohort_store::StoreError::Other(
            "transparency log: a stored hash is not 32 bytes".into(),
        ))
    })?;
    Ok(Hash(a))
}

/// Read `nodes` from the store, failing on one never stored.
async fn read_nodes(tx: &mut dyn Tx, nodes: &[Node], into: &mut Hashes) -> Result<()> {
    let todo: Vec<(i32, i64)> = nodes
        .iter()
        .filter(|n| into.get(**n).is_none())
        .map(|n| node_key(*n))
        .collect();
    if todo.is_empty() {
        return Ok(());
    }
    let rows = tx.log_hashes(&todo).await?;
    if rows.len() != todo.len() {
        return Err(log_err(cohort_tlog::LogError::Invalid(
            "a stored hash of the log is missing".into(),
        )));
    }
    for r in rows {
        let node = Node {
            level: r.level as u8,
            n: r.n as u64,
        };
        into.insert(node, to_hash(&r.hash)?);
    }
    Ok(())
}

/// The timestamp as the event API writes it (chrono's serde form).
fn at_text(at: &chrono::DateTime<chrono::Utc>) -> String {
    serde_json::to_value(at)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The leaf bytes of an event.
pub fn leaf_of(
    seq: i64,
    slug: &str,
    kind: SlateEventKind,
    at: &chrono::DateTime<chrono::Utc>,
    payload: &str,
) -> Vec<u8> {
    Leaf::new(seq, slug, kind.as_str(), &at_text(at), payload).to_bytes()
}

/// `GET /log/leaves/{index}`.
#[derive(Clone, Debug, Serialize)]
pub struct LeafView {
    pub index: u64,
    pub event_seq: i64,
    /// RFC 6962 leaf hash, base64.
    pub leaf_hash: String,
    pub leaf: serde_json::Value,
}

/// `GET /log/proof/inclusion`.
#[derive(Clone, Debug, Serialize)]
pub struct InclusionView {
    pub index: u64,
    pub size: u64,
    pub leaf_hash: String,
    pub root_hash: String,
    pub proof: Vec<String>,
}

/// `GET /log/proof/consistency`.
#[derive(Clone, Debug, Serialize)]
pub struct ConsistencyView {
    pub from: u64,
    pub to: u64,
    pub proof: Vec<String>,
}

/// Where a public fact sits in the log: a pledge's receipt commitment or a
/// candidate's signature (the proofs a receipt and a signature page show).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct LogPlace {
    pub leaf_index: u64,
    /// A pledge's receipt commitment (absent for a signature).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commitment: Option<String>,
    /// The published checkpoint it is included in (absent until one is):
    /// its tree size and root hash (base64, as the signed note has it).
    pub checkpoint_size: Option<u64>,
    pub checkpoint_root: Option<String>,
}

/// A pledge's receipt commitment: hex SHA-256 of `ID:TOKEN`, the only link
/// between a `pledged` leaf and the pledge, known to the receipt's holder.
pub fn receipt_commitment(id: i64, token: &str) -> String {
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
        format!("{id}:{token}").as_bytes(),
    ))
}

/// [`LogPlace`] of leaf `leaf_index`, with the latest checkpoint if it
/// includes the leaf.
pub(crate) async fn place_of(
    tx: &mut dyn Tx,
    leaf_index: u64,
    commitment: Option<String>,
) -> Result<LogPlace> {
    let size = tx
        .latest_log_checkpoint()
        .await?
        .map(|c| c.size as u64)
        .filter(|s| *s > leaf_index);
    let root = match size {
        Some(size) => {
            let mut h = Hashes::new();
            read_nodes(tx, &tree::tree_hash_needs(size), &mut h).await?;
            Some(b64(&tree::tree_hash(size, &h).map_err(log_err)?.0))
        }
        None => None,
    };
    Ok(LogPlace {
        leaf_index,
        commitment,
        checkpoint_size: size,
        checkpoint_root: root,
    })
}

/// What one round of the sequencer did.
struct Round {
    /// The log's size after it.
    size: u64,
    /// Events it logged.
    logged: usize,
}

impl Engine {
    /// One round of the sequencer: log the events not logged yet (at most
    /// [`BATCH`]), store the tree's new hashes and sign a checkpoint, in one
    /// transaction. The new size, or `None` when there was nothing to do.
    /// An empty log gets a signed checkpoint of size 0.
    pub async fn sequence_log(&self, signer: &CheckpointSigner) -> Result<Option<u64>> {
        Ok(self.sequence_round(signer).await?.map(|r| r.size))
    }

    async fn sequence_round(&self, signer: &CheckpointSigner) -> Result<Option<Round>> {
        let at = self.now();
        let mut tx = self.store.write_log().await?;
        let size = tx.log_size().await? as u64;
        let last = tx.log_last_event().await?;
        // Events above the last logged one are new; one below it is late
        // (its transaction committed after a later one's): rare, and only
        // where the store says it can happen. The window is searched event
        // by event only when a count says one is there: that search cost a
        // round ~8 ms at 100,000 events, and the count still ~13 ms on SQLite.
        let window = (last - LATE_WINDOW).max(0);
        let late = self.store.late_events() && tx.log_unlogged_count(window, last).await? != 0;
        let from = if late { window } else { last };
        let events = tx.log_unsequenced(from, BATCH).await?;
        let published = tx.latest_log_checkpoint().await?.map(|c| c.size as u64);
        if events.is_empty() && published == Some(size) {
            return Ok(None);
        }
        let mut hashes = Hashes::new();
        read_nodes(tx.as_mut(), &tree::frontier(size), &mut hashes).await?;
        let leaves: Vec<Vec<u8>> = events
            .iter()
            .map(|e| leaf_of(e.seq, &e.slug, e.kind, &e.at, &e.payload))
            .collect();
        let new = tree::append(size, &hashes, &leaves).map_err(log_err)?;
        let leaf_rows: Vec<LogLeafRow> = events
            .iter()
            .zip(&leaves)
            .enumerate()
            .map(|(i, (e, l))| LogLeafRow {
                idx: (size + i as u64) as i64,
                event_seq: e.seq,
                data: String::from_utf8_lossy(l).into_owned(),
                commitment: (e.kind == SlateEventKind::Pledged)
                    .then(|| serde_json::from_str::<serde_json::Value>(&e.payload).ok())
                    .flatten()
                    .and_then(|p| p["receipt_commitment"].as_str().map(str::to_owned)),
            })
            .collect();
        let hash_rows: Vec<LogHashRow> = new
            .iter()
            .map(|(n, h)| LogHashRow {
                level: i32::from(n.level),
                n: n.n as i64,
                hash: h.0.to_vec(),
            })
            .collect();
        tx.log_append(&leaf_rows, &hash_rows).await?;
        for (n, h) in new {
            hashes.insert(n, h);
        }
        let n = size + leaves.len() as u64;
        read_nodes(tx.as_mut(), &tree::tree_hash_needs(n), &mut hashes).await?;
        let root = tree::tree_hash(n, &hashes).map_err(log_err)?;
        let note = signer.sign(n, root).map_err(log_err)?;
        tx.put_log_checkpoint(&LogCheckpointRow {
            size: n as i64,
            note,
            at,
        })
        .await?;
        tx.commit().await?;
        Ok(Some(Round {
            size: n,
            logged: leaves.len(),
        }))
    }

    /// The server's turn of the sequencer (every 500 ms): rounds of
    /// [`Engine::sequence_log`] while they come back full, so a backlog is
    /// caught up at once, and otherwise one round. Each round is a write
    /// transaction with its own commit: running rounds until none found
    /// work would, under steady intake, take every other commit from the
    /// intake (it did: 0.33 of intake's throughput with the log on). The
    /// log's size afterwards (0 when there was nothing to do).
    pub async fn sequence_log_all(&self, signer: &CheckpointSigner) -> Result<u64> {
        let mut size = 0;
        while let Some(round) = self.sequence_round(signer).await? {
            size = round.size;
            if round.logged < BATCH as usize {
                break;
            }
        }
        Ok(size)
    }

    async fn published(tx: &mut dyn Tx) -> Result<LogCheckpointRow> {
        tx.latest_log_checkpoint()
            .await?
            .ok_or_else(|| EngineError::not_found("checkpoint", "latest"))
    }

    /// The latest signed checkpoint (signed-note text).
    pub async fn log_checkpoint(&self) -> Result<String> {
        let mut tx = self.store.read().await?;
        Ok(Self::published(tx.as_mut()).await?.note)
    }

    /// A tile by its path after `tile/` (hash tile or entry bundle), if the
    /// published tree has it at that width.
    pub async fn log_tile(&self, path: &str) -> Result<Vec<u8>> {
        let t = TilePath::parse(path).map_err(|_| EngineError::not_found("tile", path))?;
        let mut tx = self.store.read().await?;
        let size = Self::published(tx.as_mut()).await?.size as u64;
        if !t.exists_in(size) {
            return Err(EngineError::not_found("tile", path));
        }
        match t.level {
            Some(l) => {
                let from = (t.n << TILE_HEIGHT) as i64;
                let rows = tx
                    .log_hash_range(i32::from(l * TILE_HEIGHT), from, from + t.width as i64)
                    .await?;
                if rows.len() as u64 != t.width {
                    return Err(log_err(cohort_tlog::LogError::Invalid(format!(
                        "tile {path} lacks stored hashes"
                    ))));
                }
                Ok(rows.into_iter().flat_map(|r| r.hash).collect())
            }
            None => {
                let r = t.leaves();
                let rows = tx.log_leaves(r.start as i64, r.end as i64).await?;
                let leaves: Vec<Vec<u8>> = rows.into_iter().map(|l| l.data.into_bytes()).collect();
                Ok(cohort_tlog::tiles::bundle(&leaves))
            }
        }
    }

    /// One leaf, if it is in the published tree.
    pub async fn log_leaf(&self, index: u64) -> Result<LeafView> {
        let mut tx = self.store.read().await?;
        let size = Self::published(tx.as_mut()).await?.size as u64;
        let missing = || EngineError::not_found("leaf", index.to_string());
        if index >= size {
            return Err(missing());
        }
        let row = tx
            .log_leaves(index as i64, index as i64 + 1)
            .await?
            .pop()
            .ok_or_else(missing)?;
        Ok(LeafView {
            index,
            event_seq: row.event_seq,
            leaf_hash: b64(&record_hash(row.data.as_bytes()).0),
            leaf: serde_json::from_str(&row.data).unwrap_or(serde_json::Value::Null),
        })
    }

    fn check_size(size: Option<u64>, published: u64, field: &str) -> Result<u64> {
        let s = size.unwrap_or(published);
        if s > published {
            return Err(EngineError::invalid(
                field,
                format!("the published log has {published} leaves"),
            ));
        }
        Ok(s)
    }

    /// The proof that leaf `index` is in the tree of `size` (default: the
    /// latest checkpoint's).
    pub async fn log_inclusion(&self, index: u64, size: Option<u64>) -> Result<InclusionView> {
        let mut tx = self.store.read().await?;
        let published = Self::published(tx.as_mut()).await?.size as u64;
        let size = Self::check_size(size, published, "size")?;
        if index >= size {
            return Err(EngineError::invalid(
                "index",
                format!("leaf {index} is not in a tree of {size} leaves"),
            ));
        }
        let mut h = Hashes::new();
        read_nodes(tx.as_mut(), &tree::inclusion_needs(size, index), &mut h).await?;
        read_nodes(tx.as_mut(), &tree::tree_hash_needs(size), &mut h).await?;
        let leaf = Node { level: 0, n: index };
        read_nodes(tx.as_mut(), &[leaf], &mut h).await?;
        let proof = tree::inclusion(size, index, &h).map_err(log_err)?;
        let root = tree::tree_hash(size, &h).map_err(log_err)?;
        Ok(InclusionView {
            index,
            size,
            leaf_hash: b64(&h.get(leaf).unwrap_or_default().0),
            root_hash: b64(&root.0),
            proof: proof.iter().map(|p| b64(&p.0)).collect(),
        })
    }

    /// The proof that the tree of `from` leaves is a prefix of the tree of
    /// `to` (default: the latest checkpoint's).
    pub async fn log_consistency(&self, from: u64, to: Option<u64>) -> Result<ConsistencyView> {
        let mut tx = self.store.read().await?;
        let published = Self::published(tx.as_mut()).await?.size as u64;
        let to = Self::check_size(to, published, "to")?;
        if from == 0 || from > to {
            return Err(EngineError::invalid(
                "from",
                format!("need 1 <= from <= to ({to})"),
            ));
        }
        let mut h = Hashes::new();
        read_nodes(tx.as_mut(), &tree::consistency_needs(to, from), &mut h).await?;
        let proof = tree::consistency(to, from, &h).map_err(log_err)?;
        Ok(ConsistencyView {
            from,
            to,
            proof: proof.iter().map(|p| b64(&p.0)).collect(),
        })
    }
}

/// `cohort verify`'s check of the log against the tables: every logged
/// leaf is its event as the table has it now, every event up to the last
/// logged one is logged, and no leaf logs an event that is gone.
pub(crate) async fn log_problems(tx: &mut dyn Tx) -> Result<Vec<cohort_store::Violation>> {
    let mut out = Vec::new();
    let last = tx.log_last_event().await?;
    let size = tx.log_size().await?;
    let mut matched = 0i64;
    for slate in tx.slates().await? {
        let mut after = 0;
        loop {
            let events = tx.events(slate.id, after, 1000).await?;
            let Some(end) = events.last().map(|e| e.seq) else {
                break;
            };
            for e in &events {
                let leaf = tx.log_leaf_of_event(e.seq).await?;
                match leaf {
                    Some(l) => {
                        matched += 1;
                        let now = leaf_of(e.seq, slate.slug.as_str(), e.kind, &e.at, &e.payload);
                        if l.data.as_bytes() != now.as_slice() {
                            out.push(cohort_store::Violation {
                                rule: "transparency log",
                                detail: format!(
                                    "leaf {} logs event {} of {} ({}) differently from the events table",
                                    l.idx, e.seq, slate.slug, e.kind
                                ),
                            });
                        }
                    }
                    None if e.seq <= last - LATE_WINDOW => out.push(cohort_store::Violation {
                        rule: "transparency log",
                        detail: format!(
                            "event {} of {} ({}) is not in the log",
                            e.seq, slate.slug, e.kind
                        ),
                    }),
                    None => {}
                }
            }
            after = end;
        }
    }
    if matched != size {
        out.push(cohort_store::Violation {
            rule: "transparency log",
            detail: format!(
                "the log has {size} leaves but only {matched} events they log are in the events table"
            ),
        });
    }
    Ok(out)
}
