//! Cohort's use cases.
//!
//! Every public method of [`Engine`] is one use case and runs in one store
//! transaction: load what the decision needs, let `cohort-core` decide, write
//! the result, commit. An event (a signature, an endorsement, a new pledge,
//! the date passing) and every unlock and allocation it causes commit
//! together or not at all.
//!
//! Architecture invariant: the engine never names a database, a driver or
//! HTTP. It sees the store only as `dyn Store`, and the clock and the token
//! source are injected, so tests can pin time and randomness.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use cohort_store::{Store, StoreError};

pub mod accounts;
mod auth;
mod bloc_pauses;
pub mod books;
pub mod candidate_page;
mod commitments;
mod committees;
pub mod conversation;
pub mod dashboards;
pub mod demo;
mod demo_governing;
pub mod digest;
mod digest_render;
mod donor_name;
mod error;
pub mod governing;
pub mod import_jobs;
pub mod jobs;
pub mod joint_events;
mod joint_events_demo;
pub mod log;
mod mail;
mod notices;
pub mod osdi;
pub mod payments;
pub mod people_import;
pub mod pledge_import;
mod pledges;
pub mod primaries;
mod receipt;
mod receipts_cap;
pub mod referrals;
pub mod scorecard;
pub mod sealing;
mod secrets;
mod settle;
pub use settle::LOG_TOTAL_AFTER;
mod slates;
mod stopping;
pub mod teams;
pub mod tokens;
mod verify;
pub mod views;
mod volunteer_invite;

pub use accounts::{Argon2Passwords, Invitation, PasswordSignIn, Passwords, SessionToken};
pub use auth::{Account, Actor};
pub use books::{
    BatchView, BooksView, DueItemView, DueView, Filing, PeriodInput, RefundAsk, RefundView,
};
pub use committees::{CommitteeInput, CommitteeView};
pub use error::EngineError;
pub use mail::{Mailer, MailerError};
pub use payments::{PaymentGateway, PledgeOnly};
pub use pledges::{
    conditional_disclosure, ActionsAsSent, DonorAsSent, Ended, PledgeAsSent, PledgeOutcome,
    PledgeRequest,
};
pub use primaries::{GeneralChoiceLine, GeneralChoiceView, PrimaryLossView};
pub use receipt::{Receipt, ReceiptPage};
pub use slates::{CandidateInput, CompactInput, SlateEdit, SlateInput};
pub use views::PaymentView;
pub use views::*;

pub type Result<T, E = EngineError> = std::result::Result<T, E>;

/// Where the engine learns the time. Production uses [`SystemClock`].
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
    fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that says whatever a test sets it to.
#[derive(Debug)]
pub struct FixedClock(std::sync::Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        FixedClock(std::sync::Mutex::new(at))
    }
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Where secrets (API and receipt tokens) come from.
pub trait TokenSource: Send + Sync {
    fn token(&self) -> String;
}

/// 192 bits from the operating system's generator, hex encoded.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsTokens;

impl TokenSource for OsTokens {
    fn token(&self) -> String {
        use rand::RngCore;
        let mut bytes = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        hex::encode(bytes)
    }
}

#[derive(Clone)]
pub struct Engine {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    tokens: Arc<dyn TokenSource>,
    intake: Arc<pledges::Intake>,
    slate_cache: Arc<settle::SlateCache>,
    /// Where people reach this Cohort, for links in emails (no trailing slash).
    public_url: Arc<str>,
    /// Where money is collected ([`PledgeOnly`] unless one is configured).
    gateway: Arc<dyn PaymentGateway>,
    /// How passwords are hashed and verified ([`Argon2Passwords`]).
    passwords: Arc<dyn Passwords>,
    /// The keys outside the database that seal the outbox and derive
    /// receipt links ([`sealing`]).
    keys: Arc<sealing::Keyring>,
}

impl Engine {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, tokens: Arc<dyn TokenSource>) -> Self {
        Engine {
            store,
            clock,
            tokens,
            intake: Arc::default(),
            slate_cache: Arc::default(),
            public_url: Arc::from("http://127.0.0.1:8080"),
            gateway: Arc::new(PledgeOnly),
            passwords: Arc::new(Argon2Passwords::default()),
            keys: process_keys(),
        }
    }

    /// Hash and verify passwords with `passwords` (a test may wrap
    /// [`Argon2Passwords`] to see every verification).
    pub fn with_passwords(mut self, passwords: Arc<dyn Passwords>) -> Self {
        self.passwords = passwords;
        self
    }

    /// Seal the outbox and derive receipt links with `keys` (the binary
    /// reads them from `COHORT_SECRET_KEY` or the data directory). Every
    /// server on one database needs the same keys.
    pub fn with_keyring(mut self, keys: sealing::Keyring) -> Self {
        self.keys = Arc::new(keys);
        self
    }

    /// Collect money through `gateway` (see [`payments`]).
    pub fn with_gateway(mut self, gateway: Arc<dyn PaymentGateway>) -> Self {
        self.gateway = gateway;
        self
    }

    /// Links in emails point here (e.g. `https://cohort.example.org`).
    pub fn with_public_url(mut self, url: &str) -> Self {
        self.public_url = Arc::from(url.trim_end_matches('/'));
        self
    }

    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// A fresh random secret (for the web layer's CSRF cookie).
    pub fn new_secret(&self) -> String {
        self.tokens.token()
    }

    /// The engine over `store` with the real clock and the OS's randomness.
    pub fn with_store(store: Arc<dyn Store>) -> Self {
        Engine::new(store, Arc::new(SystemClock), Arc::new(OsTokens))
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// Migrate the database, then seal what older versions left in plain
    /// text (see [`Engine::seal_at_rest`]).
    pub async fn migrate(&self) -> Result<()> {
        self.store.migrate().await?;
        self.seal_at_rest().await?;
        Ok(())
    }
}

/// Engines that were given no keys share one fresh key per process, so
/// several engines on one database in one process (tests) agree.
fn process_keys() -> Arc<sealing::Keyring> {
    static KEYS: std::sync::OnceLock<Arc<sealing::Keyring>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| Arc::new(sealing::Keyring::ephemeral()))
        .clone()
}

impl From<StoreError> for EngineError {
    fn from(e: StoreError) -> Self {
        EngineError::Store(e)
    }
}
