//! Outgoing e-mail of `kefu serve` ("e-mail me this conversation"): the SMTP settings
//! (`--smtp-url`, `--mail-from`, a password from a file or the environment), the transport
//! (lettre on tokio; plain SMTP to a relay on this machine, STARTTLS or implicit TLS with
//! rustls elsewhere; every connect, read and write bounded by `--smtp-timeout`), and the
//! plain-text transcript mail in the shopper's language.
//!
//! The endpoint that uses it is `POST /api/transcripts` in [`crate::transcript`].

use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// No TLS: only to a relay on loopback, or with `?tls=none` (a trusted private network).
    Plain,
    /// `smtp://…?tls=required`: STARTTLS, refused if the server does not offer it.
    StartTls,
    /// `smtps://`: TLS from the first byte (port 465).
    Tls,
}

/// The SMTP settings of `kefu serve`.
#[derive(Clone)]
pub struct MailConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub user: Option<String>,
    password: Option<String>,
    /// The sender, e.g. `Demo Shop <service@shop.example>`.
    pub from: Mailbox,
    /// Bound on connecting and on each SMTP command; the whole send gets three times this.
    pub timeout: Duration,
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("server", &self.redacted())
            .field("from", &self.from.to_string())
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl MailConfig {
    /// Reads `url` (`smtp://[user@]host[:port][?tls=required|none]` or `smtps://[user@]host[:port]`),
    /// the password (if the server wants one) and the sender. Errors name the setting.
    pub fn new(url: &str, password: Option<String>, from: &str) -> anyhow::Result<MailConfig> {
        let u = url::Url::parse(url.trim()).map_err(|e| {
            anyhow::anyhow!("--smtp-url {url}: {e} (use smtp://host:25 for a local relay, smtp://user@host:587?tls=required, or smtps://user@host:465)")
        })?;
        let host =
            u.host_str().filter(|h| !h.is_empty()).ok_or_else(|| anyhow::anyhow!("--smtp-url {url}: no host"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']').to_string();
        let tls = u.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.to_string());
        let (security, default_port) = match (u.scheme(), tls.as_deref()) {
            ("smtp", None | Some("none")) => (Security::Plain, 25),
            ("smtp", Some("required" | "starttls")) => (Security::StartTls, 587),
            ("smtps", None | Some("wrapper" | "implicit")) => (Security::Tls, 465),
            (scheme, tls) => anyhow::bail!(
                "--smtp-url {url}: unknown scheme `{scheme}`{} (smtp://, smtp://…?tls=required, smtps://)",
                tls.map(|t| format!(" with tls={t}")).unwrap_or_default()
            ),
        };
        if security == Security::Plain && tls.is_none() && !is_loopback(&host) {
            anyhow::bail!(
                "--smtp-url {}: plain SMTP would send mail and password unencrypted to {host}; use \
                 smtp://{host}:587?tls=required (STARTTLS) or smtps://{host}:465, or add ?tls=none for a relay on a trusted private network",
                redact(&u)
            );
        }
        let user = (!u.username().is_empty()).then(|| percent_decode(u.username()));
        let password = password.or_else(|| u.password().map(percent_decode));
        if password.is_some() && user.is_none() {
            anyhow::bail!("--smtp-url {}: a password is set but no user name (smtp://USER@host…)", redact(&u));
        }
        if user.is_some() && password.is_none() {
            anyhow::bail!(
                "--smtp-url {}: user `{}` needs a password: --smtp-password-file FILE, or KEFU_SMTP_PASSWORD",
                redact(&u),
                user.as_deref().unwrap_or("")
            );
        }
        let from: Mailbox = from.trim().parse().map_err(|e| {
            anyhow::anyhow!(
                "--mail-from {from}: {e} (use an address, or a name and address: \"Demo Shop <service@shop.example>\")"
            )
        })?;
        Ok(MailConfig {
            host,
            port: u.port().unwrap_or(default_port),
            security,
            user,
            password,
            from,
            timeout: Duration::from_secs(15),
        })
    }

    /// The server as shown in logs and the banner (no password).
    pub fn redacted(&self) -> String {
        let scheme = if self.security == Security::Tls { "smtps" } else { "smtp" };
        let user = self.user.as_deref().map(|u| format!("{u}@")).unwrap_or_default();
        let q = match self.security {
            Security::StartTls => "?tls=required",
            _ => "",
        };
        format!("{scheme}://{user}{}:{}{q}", self.host, self.port)
    }

    /// The shop's name for subjects and greetings: the sender's display name, else its domain.
    pub fn shop_name(&self) -> String {
        self.from.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| self.from.email.domain().to_string())
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}

fn redact(u: &url::Url) -> String {
    let mut u = u.clone();
    if u.password().is_some() {
        let _ = u.set_password(Some("***"));
    }
    u.to_string()
}

/// Why a mail was not sent.
#[derive(Debug)]
pub enum SendError {
    /// The recipient or sender address could not be used (refused before connecting).
    Address(String),
    /// No answer within the timeout (connecting, or a command).
    Timeout { server: String, after: Duration },
    /// The server could not be reached (refused, unreachable, TLS failed).
    Connect { server: String, detail: String },
    /// The server answered with an error (e.g. `550 mailbox unavailable`).
    Rejected { server: String, detail: String },
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Address(e) => write!(f, "the message could not be addressed: {e}"),
            SendError::Timeout { server, after } => {
                write!(f, "the mail server {server} did not answer within {} s", after.as_secs_f32().ceil())
            }
            SendError::Connect { server, detail } => {
                write!(f, "the mail server {server} could not be reached: {detail}")
            }
            SendError::Rejected { server, detail } => {
                write!(f, "the mail server {server} refused the message: {detail}")
            }
        }
    }
}

/// Sends mail with the configured server; one connection per message (transcripts are rare).
pub struct Mailer {
    cfg: MailConfig,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl Mailer {
    pub fn new(cfg: &MailConfig) -> anyhow::Result<Mailer> {
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(cfg.host.clone())
            .port(cfg.port)
            .timeout(Some(cfg.timeout));
        b = match cfg.security {
            Security::Plain => b.tls(Tls::None),
            Security::StartTls => b.tls(Tls::Required(TlsParameters::new(cfg.host.clone())?)),
            Security::Tls => b.tls(Tls::Wrapper(TlsParameters::new(cfg.host.clone())?)),
        };
        if let (Some(u), Some(p)) = (&cfg.user, &cfg.password) {
            b = b.credentials(Credentials::new(u.clone(), p.clone()));
        }
        Ok(Mailer { cfg: cfg.clone(), transport: b.build() })
    }

    pub fn config(&self) -> &MailConfig {
        &self.cfg
    }

    /// Sends a plain-text UTF-8 mail to `to`.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), SendError> {
        let to: Mailbox = to.parse().map_err(|e| SendError::Address(format!("{to}: {e}")))?;
        let part = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            // Chinese text: base64 is the compact and safe choice for 8-bit content.
            .header(ContentTransferEncoding::Base64)
            .body(body);
        let msg = Message::builder()
            .from(self.cfg.from.clone())
            .to(to)
            .subject(subject)
            .singlepart(part)
            .map_err(|e| SendError::Address(e.to_string()))?;
        let server = format!("{}:{}", self.cfg.host, self.cfg.port);
        // lettre bounds each read and write; this bounds the whole conversation.
        let all = self.cfg.timeout * 3;
        match tokio::time::timeout(all, self.transport.send(msg)).await {
            Err(_) => Err(SendError::Timeout { server, after: all }),
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) if e.is_timeout() => Err(SendError::Timeout { server, after: self.cfg.timeout }),
            Ok(Err(e)) if e.is_permanent() || e.is_transient() => {
                Err(SendError::Rejected { server, detail: e.to_string() })
            }
            Ok(Err(e)) => Err(SendError::Connect { server, detail: connect_detail(&e) }),
        }
    }
}

/// The innermost cause of a connection error ("Connection refused (os error 111)"),
/// or a timed-out connect reported as such.
fn connect_detail(e: &lettre::transport::smtp::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    let mut last = e.to_string();
    while let Some(s) = source {
        last = s.to_string();
        source = s.source();
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_url_forms() {
        let c = MailConfig::new("smtp://127.0.0.1:2525", None, "Demo Shop <service@shop.example>").unwrap();
        assert_eq!((c.host.as_str(), c.port, c.security), ("127.0.0.1", 2525, Security::Plain));
        assert_eq!(c.shop_name(), "Demo Shop");
        let c =
            MailConfig::new("smtp://kefu@mail.example:587?tls=required", Some("pw".into()), "s@shop.example").unwrap();
        assert_eq!((c.port, c.security, c.user.as_deref()), (587, Security::StartTls, Some("kefu")));
        assert_eq!(c.shop_name(), "shop.example");
        assert_eq!(c.redacted(), "smtp://kefu@mail.example:587?tls=required");
        let c = MailConfig::new("smtps://kefu:p%40ss@mail.example", None, "s@shop.example").unwrap();
        assert_eq!((c.port, c.security, c.password.as_deref()), (465, Security::Tls, Some("p@ss")));
        assert!(!format!("{c:?}").contains("p@ss"));
        let c = MailConfig::new("smtp://relay.lan?tls=none", None, "s@shop.example").unwrap();
        assert_eq!((c.port, c.security), (25, Security::Plain));
    }

    #[test]
    fn refuses_unsafe_or_incomplete_settings() {
        let err =
            |u: &str, p: Option<&str>, f: &str| MailConfig::new(u, p.map(String::from), f).unwrap_err().to_string();
        assert!(err("smtp://mail.example", None, "s@shop.example").contains("unencrypted"));
        assert!(err("smtp://kefu@127.0.0.1", None, "s@shop.example").contains("needs a password"));
        assert!(err("http://mail.example", None, "s@shop.example").contains("unknown scheme"));
        assert!(err("smtp://127.0.0.1", None, "not an address").contains("--mail-from"));
        let e = err("smtp://:secret@127.0.0.1", None, "s@shop.example");
        assert!(e.contains("no user name") && !e.contains("secret"), "{e}");
    }
}
