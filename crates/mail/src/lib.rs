//! Email over SMTP. The engine queues emails in its outbox inside the use
//! case's transaction; [`SmtpMailer`] is the [`Mailer`] that delivers them.
//!
//! Configuration, from the environment (all optional):
//! `COHORT_SMTP_HOST` (default `127.0.0.1`), `COHORT_SMTP_PORT` (default 25),
//! `COHORT_SMTP_USER` / `COHORT_SMTP_PASSWORD` (AUTH when both are set),
//! `COHORT_MAIL_FROM` (default `Cohort <cohort@localhost>`).
//!
//! The connection is plain SMTP: point it at the machine's own mail relay
//! (Postfix, or a provider's local agent), which handles TLS onward.
//!
//! Architecture invariant: nothing here decides who gets what email or
//! when; that is the engine's. This crate only speaks SMTP.

use std::time::Duration;

use async_trait::async_trait;
use cohort_engine::{Engine, Mailer, MailerError};
use cohort_store::NewEmail;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Where and as whom to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub credentials: Option<(String, String)>,
    pub from: String,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: 25,
            credentials: None,
            from: "Cohort <cohort@localhost>".into(),
        }
    }
}

impl SmtpConfig {
    /// Read `COHORT_SMTP_*` and `COHORT_MAIL_FROM`; a bad port is an error naming it.
    pub fn from_env() -> Result<Self, String> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let mut c = SmtpConfig::default();
        if let Some(h) = var("COHORT_SMTP_HOST") {
            c.host = h;
        }
        if let Some(p) = var("COHORT_SMTP_PORT") {
            c.port = p
                .parse()
                .map_err(|_| format!("COHORT_SMTP_PORT must be a port number, not {p:?}"))?;
        }
        if let (Some(u), Some(p)) = (var("COHORT_SMTP_USER"), var("COHORT_SMTP_PASSWORD")) {
            c.credentials = Some((u, p));
        }
        if let Some(f) = var("COHORT_MAIL_FROM") {
            c.from = f;
        }
        c.from
            .parse::<Mailbox>()
            .map_err(|e| format!("COHORT_MAIL_FROM {:?} is not an address: {e}", c.from))?;
        Ok(c)
    }
}

/// Sends each email as a plain-text message over SMTP.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    pub fn new(config: &SmtpConfig) -> Result<Self, String> {
        let from = config
            .from
            .parse::<Mailbox>()
            .map_err(|e| format!("sender {:?} is not an address: {e}", config.from))?;
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.clone())
                .port(config.port);
        if let Some((user, password)) = &config.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(SmtpMailer {
            transport: builder.build(),
            from,
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &NewEmail) -> Result<(), MailerError> {
        let to = email
            .to
            .as_str()
            .parse::<Mailbox>()
            .map_err(|e| MailerError(format!("recipient {}: {e}", email.to)))?;
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone());
        let message = match &email.attachment {
            None => builder
                .header(ContentType::TEXT_PLAIN)
                .body(email.body.clone()),
            // The text, then the file (a team's check-in as .ics).
            Some(a) => {
                let kind = ContentType::parse(&a.content_type).map_err(|e| {
                    MailerError(format!("attachment type {:?}: {e}", a.content_type))
                })?;
                builder.multipart(
                    MultiPart::mixed()
                        .singlepart(SinglePart::plain(email.body.clone()))
                        .singlepart(
                            Attachment::new(a.filename.clone()).body(a.content.clone(), kind),
                        ),
                )
            }
        }
        .map_err(|e| MailerError(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map_err(|e| MailerError(e.to_string()))?;
        Ok(())
    }
}

/// For development without a mail server: each email is printed to stderr,
/// links and all, so the demo's sign-in links can be followed from the terminal.
#[derive(Debug, Default)]
pub struct LogMailer;

#[async_trait]
impl Mailer for LogMailer {
    async fn send(&self, email: &NewEmail) -> Result<(), MailerError> {
        eprintln!(
            "\n---- email (no COHORT_SMTP_HOST set, so printed here) ----\nTo: {}\nSubject: {}\n\n{}{}----",
            email.to,
            email.subject,
            email.body,
            email
                .attachment
                .as_ref()
                .map(|a| format!("[attached: {} ({})]\n", a.filename, a.content_type))
                .unwrap_or_default()
        );
        Ok(())
    }
}

/// The mailer the environment asks for: SMTP when `COHORT_SMTP_HOST` is
/// set, otherwise [`LogMailer`].
pub fn from_env() -> Result<Box<dyn Mailer>, String> {
    if std::env::var("COHORT_SMTP_HOST").is_ok_and(|h| !h.is_empty()) {
        Ok(Box::new(SmtpMailer::new(&SmtpConfig::from_env()?)?))
    } else {
        Ok(Box::new(LogMailer))
    }
}

/// Deliver the outbox every `every`, forever (spawn it). Failures are
/// logged and retried by the next round.
pub async fn deliver_forever(engine: Engine, mailer: Box<dyn Mailer>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = engine.send_notices().await {
            eprintln!("unlock notices paused: {e}");
        }
        loop {
            match engine.deliver_email(mailer.as_ref(), 100).await {
                Ok(100) => continue,
                Ok(_) => break,
                Err(e) => {
                    eprintln!("email delivery paused: {e}");
                    break;
                }
            }
        }
    }
}
