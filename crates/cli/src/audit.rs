//! `cohort audit URL --key VERIFIER_KEY`: an outside auditor of a running
//! Cohort's transparency log (issue 18). Over HTTP only, it verifies the
//! checkpoint's signature, its consistency with the last checkpoint it saw
//! (the state file), recomputes the tree from the entry bundles and checks
//! the signed root, recomputes each slate's facts from the leaves (signers
//! and the versions they signed, endorsements, the latest compact's hash,
//! the candidates) and compares them with the public JSON API, and checks
//! that given receipts are in the log. The first problem is the error.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use anyhow::{anyhow, bail, Context, Result};
use cohort_core::SlateEventKind;
use cohort_tlog::tree::{self, Hashes, RootBuilder};
use cohort_tlog::{hash_from_b64, CheckpointVerifier, Hash, SignedCheckpoint, TILE_WIDTH};
use futures::stream::{self, StreamExt};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

#[derive(clap::Args)]
pub struct AuditArgs {
    /// The Cohort to audit, e.g. http://127.0.0.1:8080
    pub url: String,
    /// The log's note verifier key (`cohort log-key`, or /log/key).
    #[arg(long)]
    pub key: String,
    /// Keep the last checkpoint seen here; the next audit checks the log only grew.
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// A pledge receipt to find in the log, as PLEDGE_ID:RECEIPT_TOKEN (repeatable).
    #[arg(long = "receipt")]
    pub receipts: Vec<String>,
}

/// `cohort audit`: run the audit and print what checked out (a progress
/// bar on stderr when it is a terminal).
pub async fn main(args: AuditArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let a = run(args, progress).await?;
    println!(
        "ok: {} leaves under a valid checkpoint, {} slate(s) match the public API ({:.1}s)",
        a.size,
        a.slates,
        started.elapsed().as_secs_f64()
    );
    for (id, idx) in a.receipts {
        println!("  receipt of pledge {id}: leaf {idx}");
    }
    Ok(())
}

/// What an audit found when everything checked out.
#[derive(Debug)]
pub struct Audited {
    pub size: u64,
    pub slates: usize,
    pub receipts: Vec<(String, u64)>,
}

#[derive(Clone)]
struct Client {
    base: String,
    http: reqwest::Client,
}

impl Client {
    async fn bytes(&self, path: &str) -> Result<Vec<u8>> {
        self.bytes_opt(path)
            .await?
            .ok_or_else(|| anyhow!("fetching {path}: HTTP 404 Not Found"))
    }
    /// `None` for a 404.
    async fn bytes_opt(&self, path: &str) -> Result<Option<Vec<u8>>> {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .with_context(|| format!("fetching {path}"))?;
        if res.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !res.status().is_success() {
            bail!("fetching {path}: HTTP {}", res.status());
        }
        Ok(Some(res.bytes().await?.to_vec()))
    }
    async fn json<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T> {
        serde_json::from_slice(&self.bytes(path).await?).with_context(|| format!("parsing {path}"))
    }
}

/// Per slate, what the leaves say.
#[derive(Default, Debug)]
struct Facts {
    candidates: BTreeSet<String>,
    signed: BTreeMap<String, i64>,
    endorsements: BTreeSet<(String, String)>,
    compact: Option<(i64, String)>,
    /// The last `unlocked_total`: its event's seq and the total.
    unlocked_total: Option<(i64, i64)>,
    events: Vec<(i64, String)>,
}

fn text(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// One leaf as the audit reads it: its record hash and what [`fold`] needs.
struct Read {
    hash: Hash,
    seq: i64,
    slate: String,
    kind: String,
    /// `kind` as one of ours; `None`: a kind this binary does not know,
    /// which the audit checks against the API but does not interpret.
    known: Option<SlateEventKind>,
    /// The payload, for every kind but `pledged`: a log holds a million
    /// of those, and only their receipt commitment is read.
    payload: Option<Value>,
    commitment: Option<String>,
}

/// A leaf's fields (`Leaf`'s, all required), the payload left unparsed.
#[derive(Deserialize)]
struct RawLeaf<'a> {
    seq: i64,
    #[serde(borrow)]
    slate: Cow<'a, str>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[allow(dead_code)]
    at: serde::de::IgnoredAny,
    #[serde(borrow)]
    payload: &'a RawValue,
}

#[derive(Deserialize)]
struct PledgedPayload<'a> {
    #[serde(borrow)]
    receipt_commitment: Option<Cow<'a, str>>,
}

impl Read {
    /// Leaf `i`'s bytes, as served in an entry bundle.
    fn parse(i: u64, bytes: &[u8]) -> Result<Read> {
        let l: RawLeaf =
            serde_json::from_slice(bytes).map_err(|_| anyhow!("leaf {i} is not a Cohort leaf"))?;
        let known = l.kind.parse::<SlateEventKind>().ok();
        let (payload, commitment) = if known == Some(SlateEventKind::Pledged) {
            let p = serde_json::from_str::<PledgedPayload>(l.payload.get()).ok();
            (
                None,
                p.and_then(|p| p.receipt_commitment).map(Cow::into_owned),
            )
        } else {
            (serde_json::from_str(l.payload.get()).ok(), None)
        };
        Ok(Read {
            hash: cohort_tlog::record_hash(bytes),
            seq: l.seq,
            slate: l.slate.into_owned(),
            kind: l.kind.into_owned(),
            known,
            payload,
            commitment,
        })
    }
}

fn fold(facts: &mut BTreeMap<String, Facts>, l: Read) {
    let f = match facts.get_mut(&l.slate) {
        Some(f) => f,
        None => facts.entry(l.slate).or_default(),
    };
    f.events.push((l.seq, l.kind));
    let Some(p) = &l.payload else { return };
    let Some(kind) = l.known else { return };
    use SlateEventKind::*;
    match kind {
        CandidateAdded => {
            f.candidates.insert(text(p, "candidate"));
        }
        CompactPublished => {
            f.compact = Some((p["version"].as_i64().unwrap_or(0), text(p, "hash")));
        }
        Signed => {
            f.signed
                .insert(text(p, "candidate"), p["version"].as_i64().unwrap_or(0));
        }
        Withdrew => {
            f.signed.remove(&text(p, "candidate"));
        }
        Endorsed => {
            f.endorsements.insert((text(p, "from"), text(p, "to")));
        }
        Unendorsed => {
            f.endorsements.remove(&(text(p, "from"), text(p, "to")));
        }
        UnlockedTotal => {
            f.unlocked_total = Some((l.seq, p["unlocked_cents"].as_i64().unwrap_or(0)));
        }
        _ => {}
    }
}

fn check_slate(slug: &str, f: &Facts, api: &Value) -> Result<()> {
    let cands = api["candidates"].as_array().cloned().unwrap_or_default();
    let listed: BTreeSet<String> = cands.iter().map(|c| text(c, "slug")).collect();
    if listed != f.candidates {
        bail!(
            "slate {slug}: the API lists candidates {listed:?}, the log {:?}",
            f.candidates
        );
    }
    for c in &cands {
        let who = text(c, "slug");
        let api_version = c["signed_version"].as_i64();
        let log_version = f.signed.get(&who).copied();
        if api_version != log_version {
            bail!(
                "slate {slug}: signature of {who}: the API says {}, the log {}",
                api_version.map_or("not signed".into(), |v| format!("signed version {v}")),
                log_version.map_or("not signed".into(), |v| format!("signed version {v}")),
            );
        }
    }
    let endorsed: BTreeSet<(String, String)> = api["endorsements"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| (text(e, "from"), text(e, "to")))
        .collect();
    if endorsed != f.endorsements {
        let extra: Vec<_> = endorsed.difference(&f.endorsements).collect();
        let missing: Vec<_> = f.endorsements.difference(&endorsed).collect();
        bail!("slate {slug}: endorsements differ: the API adds {extra:?} and lacks {missing:?} that the log has");
    }
    let compact = api
        .get("compact")
        .filter(|c| !c.is_null())
        .map(|c| (c["version"].as_i64().unwrap_or(0), text(c, "hash")));
    if compact != f.compact {
        bail!(
            "slate {slug}: compact hash: the API says {compact:?}, the log {:?}",
            f.compact
        );
    }
    check_unlocked_total(slug, f, &api["pot"])
}

/// The unlocked total the API says the log last published (`pot`'s
/// `logged_unlocked_cents` and `logged_seq`) is the log's last
/// `unlocked_total`, or one published after every event this checkpoint
/// holds for the slate (the log has not sequenced it yet).
fn check_unlocked_total(slug: &str, f: &Facts, pot: &Value) -> Result<()> {
    let api = pot["logged_seq"]
        .as_i64()
        .map(|seq| (seq, pot["logged_unlocked_cents"].as_i64().unwrap_or(0)));
    if api == f.unlocked_total {
        return Ok(());
    }
    let newest = f.events.iter().map(|(seq, _)| *seq).max();
    if let Some((seq, _)) = api {
        if newest.is_none_or(|n| seq > n) {
            return Ok(());
        }
    }
    let say = |t: Option<(i64, i64)>| {
        t.map_or("none published".to_owned(), |(seq, cents)| {
            format!("{} (event {seq})", cohort_core::Cents(cents))
        })
    };
    bail!(
        "slate {slug}: unlocked total: the API says {}, the log {}",
        say(api),
        say(f.unlocked_total)
    )
}

/// The bundle of tile `t` at a width of at least `t.width`, now that the
/// partial one of exactly that width is gone: the full bundle, or else the
/// partial the newest (verified) checkpoint has; a few tries, as the log
/// may grow between the two requests.
async fn wider_bundle(
    c: &Client,
    verifier: &CheckpointVerifier,
    t: cohort_tlog::TilePath,
) -> Result<Vec<u8>> {
    let start = t.n * TILE_WIDTH;
    for _ in 0..5 {
        let full = cohort_tlog::TilePath {
            width: TILE_WIDTH,
            ..t
        };
        if let Some(b) = c.bytes_opt(&format!("/log/{}", full.path())).await? {
            return Ok(b);
        }
        let note = String::from_utf8(c.bytes("/log/checkpoint").await?)?;
        let now = verifier
            .open(&note)
            .map_err(|e| anyhow!("the checkpoint does not verify: {e}"))?;
        let width = now.size.saturating_sub(start).min(TILE_WIDTH);
        if width < t.width {
            bail!(
                "the log shrank: tile {} had {} leaves, the newest checkpoint ({} leaves) has {width}",
                t.path(),
                t.width,
                now.size
            );
        }
        let now_tile = cohort_tlog::TilePath { width, ..t };
        if let Some(b) = c.bytes_opt(&format!("/log/{}", now_tile.path())).await? {
            return Ok(b);
        }
    }
    bail!(
        "fetching /log/{}: HTTP 404 Not Found (the log kept growing past each retry)",
        t.path()
    )
}

/// How many requests the auditor keeps in flight.
const IN_FLIGHT: usize = 8;

/// The leaves of entry bundle `t`. A partial bundle is served only at the
/// tile's current width, so one read from an older checkpoint is gone once
/// the log grew (C2SP tlog-tiles): its first `w` leaves are then the first
/// `w` of the full bundle, or of the partial the newest checkpoint names.
async fn bundle(
    c: &Client,
    verifier: &CheckpointVerifier,
    t: cohort_tlog::TilePath,
) -> Result<Vec<Vec<u8>>> {
    let (body, from_wider) = match c.bytes_opt(&format!("/log/{}", t.path())).await? {
        Some(b) => (b, false),
        None if t.width < TILE_WIDTH => (wider_bundle(c, verifier, t).await?, true),
        None => bail!("fetching /log/{}: HTTP 404 Not Found", t.path()),
    };
    cohort_tlog::tiles::unbundle(&body)
        .map(|mut l| {
            if from_wider {
                l.truncate(t.width as usize);
            }
            l
        })
        .filter(|l| l.len() as u64 == t.width)
        .ok_or_else(|| anyhow!("entry bundle {} is malformed", t.path()))
}

/// The most events the public API answers in one page.
const EVENTS_PAGE: usize = 1000;

/// A row of the public event API, as far as the audit reads it.
#[derive(Deserialize)]
struct EventRow {
    seq: i64,
    kind: String,
}

/// The public event log of `slug` shows each of `logged` (a run of the
/// log's events in sequence order) with the same kind.
async fn check_events(c: Client, slug: String, logged: Vec<(i64, String)>) -> Result<()> {
    let seqs = logged.iter().map(|(seq, _)| *seq);
    let (Some(first), Some(last)) = (seqs.clone().min(), seqs.max()) else {
        return Ok(());
    };
    let mut shown: BTreeMap<i64, String> = BTreeMap::new();
    let mut after = first - 1;
    loop {
        let rows: Vec<EventRow> = c
            .json(&format!(
                "/api/slates/{slug}/events?after={after}&limit={EVENTS_PAGE}"
            ))
            .await?;
        let Some(seen) = rows.iter().map(|r| r.seq).max() else {
            break;
        };
        shown.extend(rows.into_iter().map(|r| (r.seq, r.kind)));
        if seen >= last || seen <= after {
            break;
        }
        after = seen;
    }
    for (seq, kind) in &logged {
        match shown.get(seq) {
            Some(k) if k == kind => {}
            Some(k) => bail!("slate {slug}: event {seq} is {kind} in the log but {k} in the API"),
            None => bail!("slate {slug}: event {seq} ({kind}) is in the log but gone from the API"),
        }
    }
    Ok(())
}

/// The leaves of entry bundle `t`, read: fetched here, parsed and hashed
/// on a task of their own, so that reading one bundle overlaps fetching
/// the next.
async fn read_bundle(
    c: &Client,
    verifier: &CheckpointVerifier,
    t: cohort_tlog::TilePath,
) -> Result<Vec<Read>> {
    let leaves = bundle(c, verifier, t).await?;
    let first = t.n * TILE_WIDTH;
    joined(tokio::spawn(async move {
        leaves
            .iter()
            .enumerate()
            .map(|(i, bytes)| Read::parse(first + i as u64, bytes))
            .collect()
    }))
    .await
}

/// A spawned task's answer, its panic named as an error.
async fn joined<T>(h: tokio::task::JoinHandle<Result<T>>) -> Result<T> {
    h.await.map_err(|e| anyhow!("an audit task failed: {e}"))?
}

pub async fn run(args: AuditArgs, progress: bool) -> Result<Audited> {
    let verifier = CheckpointVerifier::new(&args.key).map_err(|e| anyhow!("--key: {e}"))?;
    let c = Client {
        base: args.url.trim_end_matches('/').to_owned(),
        http: reqwest::Client::new(),
    };
    let note = String::from_utf8(c.bytes("/log/checkpoint").await?)?;
    let cp = verifier
        .open(&note)
        .map_err(|e| anyhow!("the checkpoint does not verify: {e}"))?;

    // Consistency with the last checkpoint this auditor saw.
    if let Some(state) = &args.state {
        if let Ok(old) = std::fs::read_to_string(state) {
            let old = verifier
                .open(&old)
                .map_err(|e| anyhow!("the state file's checkpoint does not verify: {e}"))?;
            check_extends(&c, &old, &cp).await?;
        }
    }

    // Every leaf, from the entry bundles, rebuilds the signed root and the
    // facts. The bundles are fetched a few at a time (in order), as a CT
    // monitor does; only the tree's right edge is kept.
    let tiles: Vec<cohort_tlog::TilePath> = (0..cp.size.div_ceil(TILE_WIDTH))
        .map(|n| cohort_tlog::TilePath {
            level: None,
            n,
            width: (cp.size - n * TILE_WIDTH).min(TILE_WIDTH),
        })
        .collect();
    let mut root = RootBuilder::new();
    let mut facts: BTreeMap<String, Facts> = BTreeMap::new();
    let mut commitments: BTreeMap<String, u64> = BTreeMap::new();
    let mut bundles =
        stream::iter(tiles.into_iter().map(|t| read_bundle(&c, &verifier, t))).buffered(IN_FLIGHT);
    while let Some(got) = bundles.next().await {
        for l in got? {
            if let Some(commitment) = &l.commitment {
                commitments.insert(commitment.clone(), root.size());
            }
            root.push_hash(l.hash);
            fold(&mut facts, l);
        }
        if progress {
            crate::progress::bar("leaves checked", root.size(), cp.size);
        }
    }
    let root = match root.root() {
        Some(r) => r,
        None => tree::tree_hash(0, &Hashes::new()).map_err(|e| anyhow!("{e}"))?,
    };
    if root != cp.root {
        bail!("the log's leaves do not hash to the signed root: a leaf was altered after it was signed");
    }

    // The facts the leaves imply, against the public API.
    for (slug, f) in &facts {
        let api: Value = c.json(&format!("/api/slates/{slug}")).await?;
        check_slate(slug, f, &api)?;
    }
    // The public event log shows every logged event, unchanged. The log
    // says which sequence numbers to expect, so each page of them can be
    // asked for at once rather than one cursor after another.
    let pages: Vec<(String, Vec<(i64, String)>)> = facts
        .iter()
        .flat_map(|(slug, f)| {
            f.events
                .chunks(EVENTS_PAGE)
                .map(move |chunk| (slug.clone(), chunk.to_vec()))
        })
        .collect();
    let mut checked = stream::iter(
        pages
            .into_iter()
            .map(|(slug, chunk)| joined(tokio::spawn(check_events(c.clone(), slug, chunk)))),
    )
    .buffered(IN_FLIGHT);
    while let Some(r) = checked.next().await {
        r?;
    }
    let mut receipts = Vec::new();
    for r in &args.receipts {
        let (id, token) = r
            .split_once(':')
            .ok_or_else(|| anyhow!("--receipt must be PLEDGE_ID:RECEIPT_TOKEN, not {r:?}"))?;
        let pledge: i64 = id
            .parse()
            .map_err(|_| anyhow!("--receipt: the pledge id must be a number, not {id:?}"))?;
        let commitment = cohort_engine::log::receipt_commitment(pledge, token);
        let idx = commitments.get(&commitment).ok_or_else(|| {
            anyhow!("receipt of pledge {id} is not in the log (commitment {commitment})")
        })?;
        receipts.push((id.to_owned(), *idx));
    }

    if let Some(state) = &args.state {
        crate::private_file::write(state, note.trim_end())
            .with_context(|| format!("writing {}", state.display()))?;
    }
    Ok(Audited {
        size: cp.size,
        slates: facts.len(),
        receipts,
    })
}

async fn check_extends(c: &Client, old: &SignedCheckpoint, new: &SignedCheckpoint) -> Result<()> {
    if new.size < old.size {
        bail!(
            "rolled back: the log had {} leaves at the last audit and now has {}",
            old.size,
            new.size
        );
    }
    if new.size == old.size {
        if new.root != old.root {
            bail!(
                "forked: two different trees of {} leaves were signed",
                new.size
            );
        }
        return Ok(());
    }
    if old.size == 0 {
        return Ok(());
    }
    let p: Value = c
        .json(&format!(
            "/log/proof/consistency?from={}&to={}",
            old.size, new.size
        ))
        .await?;
    let proof: Vec<_> = p["proof"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|h| h.as_str().and_then(hash_from_b64))
        .collect::<Option<_>>()
        .ok_or_else(|| anyhow!("the consistency proof is malformed"))?;
    if !tree::check_consistency(&proof, new.size, new.root, old.size, old.root) {
        bail!(
            "forked: the checkpoint of {} leaves does not extend the one of {} seen at the last audit",
            new.size,
            old.size
        );
    }
    Ok(())
}
