//! Email over SMTP. The engine queues emails in its outbox inside the use
//! case's transaction; [`SmtpMailer`] is the [`Mailer`] that delivers them.
//!
//! Configuration, from the environment (all optional):
//! `COHORT_SMTP_HOST` (default `127.0.0.1`), `COHORT_SMTP_TLS` (`starttls`,
//! `tls` or `none`; default `none` for a relay on this machine and `starttls`
//! for any other host), `COHORT_SMTP_PORT` (default 25 without TLS, 587 for
//! STARTTLS, 465 for TLS), `COHORT_SMTP_USER` / `COHORT_SMTP_PASSWORD` (AUTH
//! when both are set), `COHORT_MAIL_FROM` (default `Cohort <cohort@localhost>`).
//!
//! TLS is rustls with the Mozilla roots (`webpki-roots`): a provider's
//! submission port works directly, and a relay on loopback needs none.
//!
//! Architecture invariant: nothing here decides who gets what email or
//! when; that is the engine's. This crate only speaks SMTP.

use std::time::Duration;

use async_trait::async_trait;
use cohort_engine::{Engine, Mailer, MailerError};
use cohort_store::{NewEmail, OutboxParts};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP: only for a relay on this machine.
    None,
    /// Upgrade with STARTTLS, and refuse to send if the server can't.
    StartTls,
    /// TLS from the first byte (SMTPS, port 465).
    Tls,
}

impl SmtpTls {
    fn parse(v: &str) -> Result<Self, String> {
        match v.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(SmtpTls::None),
            "starttls" => Ok(SmtpTls::StartTls),
            "tls" => Ok(SmtpTls::Tls),
            _ => Err(format!(
                "COHORT_SMTP_TLS must be starttls, tls or none, not {v:?}"
            )),
        }
    }

    /// The protection a host gets unless told otherwise: none on loopback,
    /// STARTTLS anywhere else.
    fn default_for(host: &str) -> Self {
        let loopback = host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        if loopback {
            SmtpTls::None
        } else {
            SmtpTls::StartTls
        }
    }

    fn default_port(self) -> u16 {
        match self {
            SmtpTls::None => 25,
            SmtpTls::StartTls => 587,
            SmtpTls::Tls => 465,
        }
    }
}

/// Where and as whom to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub credentials: Option<(String, String)>,
    pub from: String,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: 25,
            tls: SmtpTls::None,
            credentials: None,
            from: "Cohort <cohort@localhost>".into(),
        }
    }
}

impl SmtpConfig {
    /// Read `COHORT_SMTP_*` and `COHORT_MAIL_FROM`; a bad port is an error naming it.
    pub fn from_env() -> Result<Self, String> {
        Self::from_vars(|k| std::env::var(k).ok())
    }

    /// The configuration these variables describe (`from_env` reads the process's).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let var = |k: &str| get(k).filter(|v| !v.is_empty());
        let mut c = SmtpConfig::default();
        if let Some(h) = var("COHORT_SMTP_HOST") {
            c.host = h;
        }
        c.tls = match var("COHORT_SMTP_TLS") {
            Some(t) => SmtpTls::parse(&t)?,
            None => SmtpTls::default_for(&c.host),
        };
        c.port = c.tls.default_port();
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
        let tls = match config.tls {
            SmtpTls::None => Tls::None,
            SmtpTls::StartTls | SmtpTls::Tls => {
                let params = TlsParameters::new(config.host.clone())
                    .map_err(|e| format!("TLS for {}: {e}", config.host))?;
                if config.tls == SmtpTls::Tls {
                    Tls::Wrapper(params)
                } else {
                    Tls::Required(params)
                }
            }
        };
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.clone())
                .port(config.port)
                .tls(tls);
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

    /// A digest: `multipart/alternative` (text, then HTML) with the
    /// one-click unsubscribe headers of RFC 8058.
    async fn send_with_parts(
        &self,
        email: &NewEmail,
        parts: &OutboxParts,
    ) -> Result<(), MailerError> {
        let to = email
            .to
            .as_str()
            .parse::<Mailbox>()
            .map_err(|e| MailerError(format!("recipient {}: {e}", email.to)))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                self.list_unsubscribe(&parts.list_unsubscribe),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ))
            .multipart(MultiPart::alternative_plain_html(
                email.body.clone(),
                parts.html.clone(),
            ))
            .map_err(|e| MailerError(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map_err(|e| MailerError(e.to_string()))?;
        Ok(())
    }
}

impl SmtpMailer {
    /// The `List-Unsubscribe` value (RFC 2369) for a one-click HTTPS URL:
    /// the URL first (RFC 8058 needs an HTTPS one), then a `mailto:` to the
    /// sender with the URL in the subject, for clients that only mail.
    pub fn list_unsubscribe(&self, url: &str) -> String {
        format!(
            "<{url}>, <mailto:{}?subject=unsubscribe%20{}>",
            self.from.email,
            url.replace('%', "%25")
                .replace(' ', "%20")
                .replace('?', "%3F")
        )
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
        deliver_round(&engine, mailer.as_ref()).await;
    }
}

/// One round of the `digest` job: write this week's digests for whoever is
/// due one. `cohort serve` runs it only while it holds the `digest` lease,
/// on an engine fenced by it; the mail job then delivers them.
pub async fn digest_round(engine: &Engine) {
    if let Err(e) = engine.send_digests().await {
        eprintln!("weekly digests paused: {e}");
    }
}

/// One round of delivery: queue the unlock notices the log asks for, then
/// send what is due, 100 at a time, until nothing is. `cohort serve` runs it
/// only while it holds the `mail` lease, on an engine fenced by that lease
/// ([`Engine::fenced`]): each email is marked sent in a transaction that
/// first checks the lease, so a server that lost it stops at its next email.
pub async fn deliver_round(engine: &Engine, mailer: &dyn Mailer) {
    if let Err(e) = engine.send_notices().await {
        eprintln!("unlock notices paused: {e}");
    }
    loop {
        match engine.deliver_email(mailer, 100).await {
            Ok(100) => continue,
            Ok(_) => break,
            Err(e) => {
                eprintln!("email delivery paused: {e}");
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<SmtpConfig, String> {
        SmtpConfig::from_vars(|k| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn a_relay_on_this_machine_needs_no_tls() {
        let c = config(&[]).expect("defaults");
        assert_eq!(
            (c.host.as_str(), c.tls, c.port),
            ("127.0.0.1", SmtpTls::None, 25)
        );
        let c = config(&[("COHORT_SMTP_HOST", "localhost")]).expect("localhost");
        assert_eq!(c.tls, SmtpTls::None);
    }

    #[test]
    fn any_other_host_gets_starttls_on_the_submission_port() {
        let c = config(&[("COHORT_SMTP_HOST", "smtp.example.org")]).expect("remote");
        assert_eq!((c.tls, c.port), (SmtpTls::StartTls, 587));
        let c = config(&[
            ("COHORT_SMTP_HOST", "smtp.example.org"),
            ("COHORT_SMTP_TLS", "TLS"),
        ])
        .expect("smtps");
        assert_eq!((c.tls, c.port), (SmtpTls::Tls, 465));
        let c = config(&[
            ("COHORT_SMTP_HOST", "smtp.example.org"),
            ("COHORT_SMTP_TLS", "none"),
            ("COHORT_SMTP_PORT", "2525"),
        ])
        .expect("explicit");
        assert_eq!((c.tls, c.port), (SmtpTls::None, 2525));
        SmtpMailer::new(&config(&[("COHORT_SMTP_HOST", "smtp.example.org")]).expect("remote"))
            .expect("a STARTTLS transport builds");
    }

    #[test]
    fn bad_settings_name_the_variable() {
        let e = config(&[("COHORT_SMTP_TLS", "ssl")]).expect_err("unknown mode");
        assert!(
            e.contains("COHORT_SMTP_TLS must be starttls, tls or none"),
            "{e}"
        );
        let e = config(&[("COHORT_SMTP_PORT", "twenty-five")]).expect_err("bad port");
        assert!(e.contains("COHORT_SMTP_PORT"), "{e}");
    }
}
