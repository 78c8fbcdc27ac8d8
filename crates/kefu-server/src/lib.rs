//! kefu-server: the receiver behind `kefu serve`.
//!
//! - The hand-off API the widget calls (`/api/…`, see docs/handoff-api.md): cases,
//!   attachments, shopper follow-ups, agent replies as server-sent events, CSAT ratings.
//! - The agent inbox (`/inbox/`): login, queue by SLA deadline, replies, reassign/close.
//! - Static serving of the demo storefront (`--www`) and the built widget (`--pkg`, at `/kefu/`).
//! - `kefu report`: weekly service figures from the same database.
//! - Optionally, a signed webhook relay of every stored case and photo to the merchant's own
//!   helpdesk, from a durable outbox ([`webhook`]).
//! - Optionally, "e-mail me this conversation" through the merchant's SMTP server ([`mail`],
//!   [`transcript`]); the shopper's e-mail address on a case works without it.
//!
//! Storage is one SQLite file (WAL) by default, or a PostgreSQL database through the same
//! code ([`db`]), plus re-encoded photos under the data directory.

pub mod api;
pub mod auth;
pub mod db;
pub mod error;
pub mod extract;
pub mod images;
pub mod inbox;
pub mod live;
pub mod mail;
pub mod pii;
pub mod preflight;
pub mod ratelimit;
pub mod report;
mod statics;
pub use statics::sibling;
pub mod transcript;
pub mod util;
mod web;
pub mod webhook;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use tokio::sync::{broadcast, watch, Semaphore};

use crate::db::{Db, Target};
use crate::ratelimit::{Limiter, Rate};

/// Options of `kefu serve`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  kefu serve --www www/demo --pkg pkg --allow-origin https://shop.example\n  \
    KEFU_PASSWORD=… kefu serve --db kefu.sqlite --add-user lily --role supervisor")]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Database: a SQLite file, or PostgreSQL as a URL (postgres://kefu@localhost/kefu) or
    /// libpq key=value pairs ('postgres:host=/run/postgresql dbname=kefu'); created or migrated
    /// on start. The environment variable keeps a password off the command line.
    #[arg(long, default_value = "kefu.sqlite", env = "KEFU_DB", hide_env_values = true, value_name = "FILE|URL")]
    pub db: Target,
    /// Directory for stored photos [default: <db file name>.data next to a SQLite file,
    /// ./kefu.data with PostgreSQL; several servers sharing one PostgreSQL need a shared directory].
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Static folder served at `/` (the demo storefront).
    #[arg(long, value_name = "DIR")]
    pub www: Option<PathBuf>,
    /// Built widget folder (wasm-bindgen output) served at `/kefu/`.
    #[arg(long, value_name = "DIR")]
    pub pkg: Option<PathBuf>,
    /// Shop origin allowed to call the API and to load the widget (`/kefu/`) cross-origin
    /// (repeatable), e.g. https://shop.example.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origin: Vec<String>,
    /// Create (or reset the password of) an inbox account and exit. Password from the
    /// environment variable KEFU_PASSWORD, else the first line of standard input.
    #[arg(long, value_name = "NAME")]
    pub add_user: Option<String>,
    /// Disable an inbox account (ends its sessions; its replies stay attributed) and exit.
    #[arg(long, value_name = "NAME", conflicts_with = "add_user")]
    pub disable_user: Option<String>,
    /// Delete cases closed longer ago than this (with their messages, events and photos),
    /// and widget session counters as old, then exit. E.g. `--purge-closed 180d`.
    #[arg(long, value_name = "DURATION", conflicts_with_all = ["add_user", "disable_user"])]
    pub purge_closed: Option<String>,
    /// Role for --add-user: agent (read, reply) or supervisor (also reassign and close).
    #[arg(long, value_enum, default_value = "agent", requires = "add_user")]
    pub role: Role,
    /// First-response deadline per class, repeatable: urgent=3m, complaint=1h, order=2h, product=2h.
    #[arg(long = "sla", value_name = "CLASS=DURATION")]
    pub sla: Vec<String>,
    /// Open cases older than this go to supervisor review.
    #[arg(long, default_value = "24h", value_name = "DURATION")]
    pub escalate_after: String,
    /// Largest JSON request body in bytes.
    #[arg(long, default_value_t = 256 * 1024)]
    pub max_json_bytes: usize,
    /// Largest photo upload in bytes.
    #[arg(long, default_value_t = 10 * 1024 * 1024)]
    pub max_attachment_bytes: usize,
    /// Largest total of stored photos per case in bytes.
    #[arg(long, default_value_t = 40 * 1024 * 1024)]
    pub max_case_bytes: u64,
    /// Most photos per case.
    #[arg(long, default_value_t = 10)]
    pub max_attachments: usize,
    /// Largest photo in pixels (width × height), checked from the header before decoding.
    #[arg(long, default_value_t = 36_000_000)]
    pub max_pixels: u64,
    /// Rate limit per client IP on /api: BURST/PER_MINUTE (0/0 = off).
    #[arg(long, default_value = "120/240")]
    pub rate_ip: Rate,
    /// Rate limit per client id (X-Kefu-Client header) on /api: BURST/PER_MINUTE.
    #[arg(long, default_value = "60/120")]
    pub rate_client: Rate,
    /// Rate limit of inbox logins per IP and user name: BURST/PER_MINUTE (per IP alone: 10×).
    #[arg(long, default_value = "10/10")]
    pub rate_login: Rate,
    /// Send the session cookie without `Secure` (plain-HTTP deployments other than localhost).
    #[arg(long)]
    pub insecure_cookie: bool,
    /// Also relay every stored case, photo and shopper follow-up to this URL as signed POSTs
    /// (retried from a durable outbox). Env: KEFU_WEBHOOK_URL.
    #[arg(long, value_name = "URL")]
    pub webhook_url: Option<String>,
    /// File holding the webhook's HMAC secret (≥ 16 bytes; surrounding whitespace ignored).
    /// Env: KEFU_WEBHOOK_SECRET_FILE, or the secret itself in KEFU_WEBHOOK_SECRET.
    #[arg(long, value_name = "FILE")]
    pub webhook_secret_file: Option<PathBuf>,
    /// Give up on a webhook delivery still failing this long after it was queued.
    #[arg(long, default_value = "3d", value_name = "DURATION")]
    pub webhook_retry_for: String,
    /// SMTP server for "e-mail me this conversation": smtp://host:25 (a relay on this
    /// machine), smtp://USER@host:587?tls=required (STARTTLS), smtps://USER@host:465 (TLS);
    /// ?tls=none allows plain SMTP to a relay on a trusted private network. Env: KEFU_SMTP_URL.
    #[arg(long, value_name = "URL")]
    pub smtp_url: Option<String>,
    /// File holding the SMTP password (surrounding whitespace ignored). Env:
    /// KEFU_SMTP_PASSWORD_FILE, or the password itself in KEFU_SMTP_PASSWORD.
    #[arg(long, value_name = "FILE")]
    pub smtp_password_file: Option<PathBuf>,
    /// Sender of the mails, e.g. "Demo Shop <service@shop.example>" (the name is the shop's
    /// name in the mail). Required with --smtp-url. Env: KEFU_MAIL_FROM.
    #[arg(long, value_name = "ADDRESS")]
    pub mail_from: Option<String>,
    /// Longest wait for the SMTP server to connect or answer a command (the whole send: 3×).
    #[arg(long, default_value = "15s", value_name = "DURATION")]
    pub smtp_timeout: String,
    /// Rate limit of transcript mails per recipient address, per client id and per IP:
    /// BURST/PER_MINUTE.
    #[arg(long, default_value = "3/1")]
    pub rate_mail: Rate,
    /// Server-wide limit of transcript mails that name no case (a shopper who never reached a
    /// person), BURST/PER_MINUTE; 0/0 turns it off. Their text comes from the page only, so
    /// without a case this caps what many addresses could make the shop's mail server send.
    #[arg(long, default_value = "30/10")]
    pub rate_mail_caseless: Rate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Agent,
    Supervisor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "agent" => Some(Role::Agent),
            "supervisor" => Some(Role::Supervisor),
            _ => None,
        }
    }
}

/// Options of `kefu report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Database: a SQLite file or PostgreSQL (as for `kefu serve`).
    #[arg(long, default_value = "kefu.sqlite", env = "KEFU_DB", hide_env_values = true, value_name = "FILE|URL")]
    pub db: Target,
    /// Period in days, ending now (1 to 3660: ten years).
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=3660))]
    pub since: u32,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// First-response deadlines by triage class.
#[derive(Debug, Clone, Copy)]
pub struct Sla {
    pub urgent: Duration,
    pub complaint: Duration,
    pub order: Duration,
    pub product: Duration,
}

impl Default for Sla {
    fn default() -> Self {
        Sla {
            urgent: Duration::from_secs(3 * 60),
            complaint: Duration::from_secs(3600),
            order: Duration::from_secs(2 * 3600),
            product: Duration::from_secs(2 * 3600),
        }
    }
}

impl Sla {
    pub fn of(&self, triage: api::TriageClass) -> Duration {
        match triage {
            api::TriageClass::Urgent => self.urgent,
            api::TriageClass::Complaint => self.complaint,
            api::TriageClass::Order => self.order,
            api::TriageClass::Product => self.product,
        }
    }
    /// Applies `class=duration` overrides.
    pub fn apply(&mut self, specs: &[String]) -> anyhow::Result<()> {
        for spec in specs {
            let (class, dur) = spec
                .split_once('=')
                .ok_or_else(|| anyhow::anyhow!("--sla {spec}: use CLASS=DURATION, e.g. urgent=3m"))?;
            let d = util::parse_duration(dur).map_err(|e| anyhow::anyhow!("--sla {spec}: {e}"))?;
            if d.is_zero() {
                // Every case would be overdue the moment it arrived.
                anyhow::bail!("--sla {spec}: a response time must be longer than 0, e.g. urgent=3m");
            }
            match class.trim() {
                "urgent" => self.urgent = d,
                "complaint" => self.complaint = d,
                "order" | "after-sales" => self.order = d,
                "product" => self.product = d,
                other => anyhow::bail!("--sla {spec}: unknown class `{other}` (urgent, complaint, order, product)"),
            }
        }
        Ok(())
    }
}

/// Everything the server needs; [`Config::new`] gives the defaults of `kefu serve`.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub db: Target,
    pub data_dir: PathBuf,
    pub www: Option<PathBuf>,
    pub pkg: Option<PathBuf>,
    pub allow_origins: Vec<String>,
    pub sla: Sla,
    pub escalate_after: Duration,
    /// How often overdue cases are marked escalated.
    pub escalation_tick: Duration,
    pub max_json_bytes: usize,
    pub max_attachment_bytes: usize,
    pub max_case_bytes: u64,
    pub max_attachments: usize,
    pub image: images::Limits,
    pub rate_ip: Rate,
    pub rate_client: Rate,
    pub rate_login: Rate,
    pub secure_cookie: bool,
    pub session_ttl: Duration,
    /// Photos decoded at once (bounds memory).
    pub decode_concurrency: usize,
    /// Longest time a client may take to send a request head.
    pub header_timeout: Duration,
    /// Longest time a client may take to send a request body (`408 body_timeout` past it).
    pub body_timeout: Duration,
    /// Relay to the merchant's helpdesk (`--webhook-url`), if configured.
    pub webhook: Option<webhook::WebhookConfig>,
    /// SMTP for transcript mails (`--smtp-url`), if configured.
    pub mail: Option<mail::MailConfig>,
    /// Transcript mails per recipient, client id and IP (`--rate-mail`).
    pub rate_mail: Rate,
    /// Transcript mails without a case, server-wide (`--rate-mail-caseless`).
    pub rate_mail_caseless: Rate,
}

impl Config {
    pub fn new(db: impl Into<Target>, data_dir: impl Into<PathBuf>) -> Config {
        Config {
            addr: "127.0.0.1:8080".parse().unwrap(),
            db: db.into(),
            data_dir: data_dir.into(),
            www: None,
            pkg: None,
            allow_origins: Vec::new(),
            sla: Sla::default(),
            escalate_after: Duration::from_secs(24 * 3600),
            escalation_tick: Duration::from_secs(10),
            max_json_bytes: 256 * 1024,
            max_attachment_bytes: 10 * 1024 * 1024,
            max_case_bytes: 40 * 1024 * 1024,
            max_attachments: 10,
            image: images::Limits::default(),
            rate_ip: Rate { burst: 120, per_minute: 240 },
            rate_client: Rate { burst: 60, per_minute: 120 },
            rate_login: Rate { burst: 10, per_minute: 10 },
            secure_cookie: true,
            session_ttl: Duration::from_secs(12 * 3600),
            decode_concurrency: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).clamp(1, 8),
            header_timeout: Duration::from_secs(20),
            body_timeout: Duration::from_secs(120),
            webhook: None,
            mail: None,
            rate_mail: Rate { burst: 3, per_minute: 1 },
            rate_mail_caseless: Rate { burst: 30, per_minute: 10 },
        }
    }

    /// The configuration `kefu serve` runs with for these flags (checked, nothing opened yet).
    pub fn from_args(a: &ServeArgs) -> anyhow::Result<Config> {
        let data = a.data.clone().unwrap_or_else(|| a.db.default_data_dir());
        let mut c = Config::new(a.db.clone(), data);
        c.addr = a.addr.parse().map_err(|e| anyhow::anyhow!("--addr {}: {e}", a.addr))?;
        c.www = a.www.clone();
        c.pkg = a.pkg.clone();
        // A wrong folder would start a server whose storefront or widget URLs all answer 404.
        for (flag, dir, what) in
            [("--www", &a.www, "storefront, served at /"), ("--pkg", &a.pkg, "built widget, served at /kefu/")]
        {
            if let Some(d) = dir.as_ref().filter(|d| !d.is_dir()) {
                anyhow::bail!("{flag} {}: no such folder (the {what})", d.display());
            }
        }
        for o in &a.allow_origin {
            let o = o.trim_end_matches('/');
            let host = o.strip_prefix("https://").or_else(|| o.strip_prefix("http://")).unwrap_or("");
            if host.is_empty() || host.contains('/') || o.contains('*') {
                anyhow::bail!("--allow-origin {o}: use scheme://host[:port], e.g. https://shop.example");
            }
            c.allow_origins.push(o.to_string());
        }
        c.sla.apply(&a.sla)?;
        c.escalate_after =
            util::parse_duration(&a.escalate_after).map_err(|e| anyhow::anyhow!("--escalate-after: {e}"))?;
        c.max_json_bytes = a.max_json_bytes;
        c.max_attachment_bytes = a.max_attachment_bytes;
        c.max_case_bytes = a.max_case_bytes;
        c.max_attachments = a.max_attachments;
        c.image.max_pixels = a.max_pixels;
        c.rate_ip = a.rate_ip;
        c.rate_client = a.rate_client;
        c.rate_login = a.rate_login;
        c.secure_cookie = !a.insecure_cookie;
        c.webhook = webhook_from_args(a)?;
        c.mail = mail_from_args(a)?;
        c.rate_mail = a.rate_mail;
        c.rate_mail_caseless = a.rate_mail_caseless;
        Ok(c)
    }
}

/// The webhook settings from the flags, else the environment; none when no URL is given.
fn webhook_from_args(a: &ServeArgs) -> anyhow::Result<Option<webhook::WebhookConfig>> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let url = a.webhook_url.clone().or_else(|| env("KEFU_WEBHOOK_URL"));
    let file = a.webhook_secret_file.clone().or_else(|| env("KEFU_WEBHOOK_SECRET_FILE").map(PathBuf::from));
    let Some(url) = url else {
        if a.webhook_secret_file.is_some() {
            anyhow::bail!("--webhook-secret-file needs --webhook-url");
        }
        return Ok(None);
    };
    let secret: Vec<u8> = match (&file, env("KEFU_WEBHOOK_SECRET")) {
        (Some(f), _) => {
            let raw = std::fs::read(f).map_err(|e| anyhow::anyhow!("webhook secret file {}: {e}", f.display()))?;
            raw.trim_ascii().to_vec()
        }
        (None, Some(s)) => s.trim().as_bytes().to_vec(),
        (None, None) => anyhow::bail!(
            "--webhook-url needs a secret: --webhook-secret-file FILE (e.g. `openssl rand -hex 32 > webhook.secret`) \
             or KEFU_WEBHOOK_SECRET"
        ),
    };
    let mut cfg = webhook::WebhookConfig::new(&url, &secret)?;
    cfg.retry_for =
        util::parse_duration(&a.webhook_retry_for).map_err(|e| anyhow::anyhow!("--webhook-retry-for: {e}"))?;
    Ok(Some(cfg))
}

/// The SMTP settings from the flags, else the environment; none when no URL is given.
fn mail_from_args(a: &ServeArgs) -> anyhow::Result<Option<mail::MailConfig>> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let url = a.smtp_url.clone().or_else(|| env("KEFU_SMTP_URL"));
    let file = a.smtp_password_file.clone().or_else(|| env("KEFU_SMTP_PASSWORD_FILE").map(PathBuf::from));
    let from = a.mail_from.clone().or_else(|| env("KEFU_MAIL_FROM"));
    let Some(url) = url else {
        if a.smtp_password_file.is_some() || a.mail_from.is_some() {
            anyhow::bail!("--smtp-password-file and --mail-from need --smtp-url");
        }
        return Ok(None);
    };
    let from = from.ok_or_else(|| {
        anyhow::anyhow!(
            "--smtp-url needs a sender: --mail-from \"Shop name <service@shop.example>\" (or KEFU_MAIL_FROM)"
        )
    })?;
    let password = match (&file, env("KEFU_SMTP_PASSWORD")) {
        (Some(f), _) => {
            let raw =
                std::fs::read_to_string(f).map_err(|e| anyhow::anyhow!("SMTP password file {}: {e}", f.display()))?;
            Some(raw.trim().to_string())
        }
        (None, Some(p)) => Some(p.trim().to_string()),
        (None, None) => None,
    };
    let mut cfg = mail::MailConfig::new(&url, password, &from)?;
    cfg.timeout = util::parse_duration(&a.smtp_timeout).map_err(|e| anyhow::anyhow!("--smtp-timeout: {e}"))?;
    if cfg.timeout.is_zero() {
        anyhow::bail!("--smtp-timeout: must be more than 0 s");
    }
    Ok(Some(cfg))
}

/// Shared state of a running server.
pub struct AppState {
    pub cfg: Config,
    pub db: Db,
    /// Case ids with new shopper events.
    pub events: broadcast::Sender<Arc<str>>,
    /// Agents typing, relayed to the cases' event streams ([`live`]).
    pub typing: broadcast::Sender<live::Typing>,
    pub shutdown: watch::Receiver<bool>,
    /// Held for the whole of each photo decode, even if its client goes away meanwhile.
    pub decode: Arc<Semaphore>,
    pub ip_limiter: Limiter,
    pub client_limiter: Limiter,
    /// Inbox logins per (IP, user name).
    pub login_limiter: Limiter,
    /// Inbox logins per IP, whatever the name: ten times the per-name rate.
    pub login_ip_limiter: Limiter,
    /// Woken when a webhook delivery is queued.
    pub outbox: tokio::sync::Notify,
    /// Transcript mails (`--smtp-url`), and their own rate limit.
    pub mailer: Option<mail::Mailer>,
    pub mail_limiter: Limiter,
    /// One bucket for every transcript mail that names no case.
    pub caseless_mail_limiter: Limiter,
}

pub type State = Arc<AppState>;

/// A server started by [`start`].
pub struct Running {
    pub addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    handle: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Base URL, e.g. `http://127.0.0.1:8080`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// Stops accepting, ends event streams, waits for the server and closes the database.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let _ = self.handle.await;
    }
}

/// What a server does before it listens: checks the database and photo paths take writes
/// ([`preflight`], creating the directories), connects, migrates and sweeps orphan photo
/// files. Blocking.
pub fn open_storage(cfg: &Config) -> anyhow::Result<Db> {
    // A missing SQLite file beside photos of an earlier one (deleted, or a wrong --db): a new
    // empty database would take every photo for an orphan and delete it.
    if let Target::Sqlite(path) = &cfg.db {
        let photos = std::fs::read_dir(cfg.data_dir.join("attachments")).map_or(0, |d| d.count());
        if !path.exists() && photos > 0 {
            anyhow::bail!(
                "database {} does not exist, but {} holds {photos} photo file(s) of an earlier database: \
                 restore the database file, or start with another --data directory",
                path.display(),
                cfg.data_dir.join("attachments").display()
            );
        }
    }
    preflight::check_storage(&cfg.db, &cfg.data_dir)?;
    let db = Db::open(&cfg.db)?;
    let removed = sweep_orphans(cfg, &db)?;
    if removed > 0 {
        tracing::info!("removed {removed} unreferenced photo file(s) left by an interrupted upload");
    }
    Ok(db)
}

/// Opens the storage ([`open_storage`], off the async threads), binds `cfg.addr` (port 0 = any
/// free port) and serves in the background.
pub async fn start(cfg: Config) -> anyhow::Result<Running> {
    let db = {
        let cfg = cfg.clone();
        tokio::task::spawn_blocking(move || open_storage(&cfg)).await??
    };
    start_with(cfg, db).await
}

/// [`start`] on storage already opened by [`open_storage`].
pub async fn start_with(cfg: Config, db: Db) -> anyhow::Result<Running> {
    let listener = tokio::net::TcpListener::bind(cfg.addr).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = watch::channel(false);
    let state = Arc::new(AppState {
        db,
        events: broadcast::channel(1024).0,
        typing: broadcast::channel(256).0,
        shutdown: rx.clone(),
        decode: Arc::new(Semaphore::new(cfg.decode_concurrency.max(1))),
        ip_limiter: Limiter::new(cfg.rate_ip),
        client_limiter: Limiter::new(cfg.rate_client),
        login_limiter: Limiter::new(cfg.rate_login),
        login_ip_limiter: Limiter::new(Rate {
            burst: cfg.rate_login.burst.saturating_mul(10),
            per_minute: cfg.rate_login.per_minute.saturating_mul(10),
        }),
        outbox: tokio::sync::Notify::new(),
        mailer: cfg.mail.as_ref().map(mail::Mailer::new).transpose()?,
        mail_limiter: Limiter::new(cfg.rate_mail),
        caseless_mail_limiter: Limiter::new(cfg.rate_mail_caseless),
        cfg,
    });
    // Several servers may share a PostgreSQL database: hear each other's shopper events.
    let event_listener = state.cfg.db.is_postgres().then(|| {
        let (events, typing) = (state.events.clone(), state.typing.clone());
        db::listen_for_cases(state.cfg.db.clone(), rx.clone(), move |channel, payload| {
            if channel == live::TYPING_CHANNEL {
                if let Some(t) = live::Typing::from_note(payload) {
                    let _ = typing.send(t);
                }
            } else {
                let _ = events.send(payload.into());
            }
        })
    });
    let app = web::router(state.clone());
    let escalation = tokio::spawn(inbox::escalation_loop(state.clone()));
    let relay = match &state.cfg.webhook {
        Some(w) => Some(tokio::spawn(webhook::run(state.clone(), webhook::client(w)?))),
        None => None,
    };
    let header_timeout = state.cfg.header_timeout;
    let mut stop_rx = rx;
    let handle = tokio::spawn(async move {
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let (stream, peer) = match accepted {
                        Ok(x) => x,
                        Err(e) => {
                            // Out of file descriptors and the like: back off, keep serving.
                            tracing::warn!("accept failed: {e}");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    let _ = stream.set_nodelay(true);
                    let app = app.clone();
                    let svc = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                        req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
                        tower::ServiceExt::oneshot(app.clone(), req)
                    });
                    // Unlike axum::serve, a timer is set, so a client that trickles its request
                    // head (slowloris) is cut off after `header_timeout`.
                    let conn = hyper::server::conn::http1::Builder::new()
                        .timer(hyper_util::rt::TokioTimer::new())
                        .header_read_timeout(header_timeout)
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), svc);
                    let conn = graceful.watch(conn);
                    tokio::spawn(async move {
                        if let Err(e) = conn.await {
                            tracing::debug!("connection from {peer}: {e}");
                        }
                    });
                }
                _ = async { let _ = stop_rx.wait_for(|s| *s).await; } => break,
            }
        }
        drop(listener);
        // Event streams end on the same signal; requests in flight get 10 s to finish.
        if tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await.is_err() {
            tracing::warn!("some connections were still busy after 10 s; closing anyway");
        }
        let _ = escalation.await;
        if let Some(relay) = relay {
            let _ = relay.await;
        }
        if let Some(t) = event_listener {
            let _ = tokio::task::spawn_blocking(move || t.join()).await;
        }
        drop(state);
    });
    Ok(Running { addr, shutdown: tx, handle })
}

/// Deletes cases closed before `cutoff` (ms) with everything attached to them, and bot
/// session counters last updated before it. Returns (cases, photo files) removed; the photos'
/// thumbnails go with them (not counted).
pub fn purge_closed(cfg: &Config, db: &Db, cutoff: i64) -> anyhow::Result<(usize, usize)> {
    let files: Vec<String> = db.with(|c| -> crate::db::Result<Vec<String>> {
        let mut tx = c.transaction()?;
        let files = {
            let mut stmt = tx.prepare(
                "SELECT a.file FROM attachments a JOIN cases c ON c.id = a.case_id \
                 WHERE c.status = 'closed' AND c.closed_at < ?1",
            )?;
            stmt.query_map([cutoff], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?
        };
        let old = "SELECT id FROM cases WHERE status = 'closed' AND closed_at < ?1";
        for table in ["attachments", "messages", "events", "webhook_outbox"] {
            tx.execute(&format!("DELETE FROM {table} WHERE case_id IN ({old})"), [cutoff])?;
        }
        tx.execute("UPDATE audit SET detail = NULL WHERE case_id IN (SELECT id FROM cases WHERE status = 'closed' AND closed_at < ?1)", [cutoff])?;
        tx.execute("DELETE FROM bot_sessions WHERE updated_at < ?1", [cutoff])?;
        tx.execute("DELETE FROM mail_log WHERE created_at < ?1", [cutoff])?;
        tx.commit()?;
        Ok(files)
    })?;
    let cases = db.with(|c| c.execute("DELETE FROM cases WHERE status = 'closed' AND closed_at < ?1", [cutoff]))?;
    let dir = cfg.data_dir.join("attachments");
    let mut removed = 0;
    for f in files {
        if !f.contains('/') && !f.contains('\\') && std::fs::remove_file(dir.join(&f)).is_ok() {
            removed += 1;
        }
        // Its thumbnail, if one was asked for.
        if !f.contains('/') && !f.contains('\\') {
            let _ = std::fs::remove_file(dir.join(crate::util::thumb_file(&f)));
        }
    }
    Ok((cases, removed))
}

/// Deletes files in the photo directory that no attachment row points at (a crash between
/// writing a file and committing its row). Runs at start, before this server accepts uploads.
/// With PostgreSQL, other servers may share the database and the photo directory and be
/// mid-upload right now, so only files older than an hour count as orphans there.
fn sweep_orphans(cfg: &Config, db: &Db) -> anyhow::Result<usize> {
    let dir = cfg.data_dir.join("attachments");
    let min_age = if cfg.db.is_postgres() { Duration::from_secs(3600) } else { Duration::ZERO };
    let known: std::collections::HashSet<String> = db.with(|c| -> crate::db::Result<_> {
        let mut stmt = c.prepare("SELECT file FROM attachments")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<_, _>>()?;
        Ok(rows)
    })?;
    let mut removed = 0;
    for entry in std::fs::read_dir(&dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        let old_enough =
            || entry.metadata().and_then(|m| m.modified()).is_ok_and(|t| t.elapsed().is_ok_and(|age| age >= min_age));
        // A thumbnail belongs to its photo.
        let photo = name.strip_suffix(crate::util::THUMB_SUFFIX).unwrap_or(&name);
        if entry.file_type()?.is_file() && !known.contains(photo) && (min_age.is_zero() || old_enough()) {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KEFU_LOG").unwrap_or_else(|_| "info".into());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

/// The database as the banner names it: a SQLite file by its full path, and whether this start
/// creates it (with the topmost of its folders that is missing: kefu creates those too, as for
/// a fresh volume; saying so shows a mistyped path). PostgreSQL as given, password hidden.
pub fn database_note(db: &Target) -> String {
    let Target::Sqlite(path) = db else { return db.to_string() };
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.clone());
    if abs.exists() {
        return abs.display().to_string();
    }
    match abs.ancestors().skip(1).take_while(|a| !a.exists()).last() {
        Some(dir) => format!("{} (new file, created now with the missing folder {})", abs.display(), dir.display()),
        None => format!("{} (new file, created now)", abs.display()),
    }
}

/// Runs `kefu serve`.
pub fn serve(args: ServeArgs) -> anyhow::Result<()> {
    init_tracing();
    if let Some(name) = &args.add_user {
        preflight::check_db(&args.db)?;
        let db = Db::open(&args.db)?;
        let password = auth::password_from_env_or_stdin()?;
        let created = db.with(|c| auth::add_user(c, name, args.role, &password))?;
        println!("{} {} user `{name}` in {}", if created { "created" } else { "updated" }, args.role.as_str(), args.db);
        return Ok(());
    }
    if let Some(name) = &args.disable_user {
        preflight::check_db(&args.db)?;
        let db = Db::open(&args.db)?;
        if !db.with(|c| auth::disable_user(c, name))? {
            anyhow::bail!("no user `{name}` in {}", args.db);
        }
        println!("disabled user `{name}` in {}", args.db);
        return Ok(());
    }
    if let Some(age) = &args.purge_closed {
        let age = util::parse_duration(age).map_err(|e| anyhow::anyhow!("--purge-closed: {e}"))?;
        let cfg = Config::from_args(&args)?;
        let db = open_storage(&cfg)?;
        let cutoff = util::now_ms() - age.as_millis() as i64;
        let (cases, photos) = purge_closed(&cfg, &db, cutoff)?;
        println!("purged {cases} case(s) closed before the cutoff and {photos} photo(s)");
        return Ok(());
    }
    let cfg = Config::from_args(&args)?;
    // Before the storage is opened (which creates a missing file and its folders): said in the
    // banner, so a mistyped --db is seen at once. Logged once the storage opened: a start
    // refused for its storage says so in one line.
    let db_note = database_note(&cfg.db);
    // Storage first, outside the runtime: a wrong --db fails before anything binds, and the
    // banner's figures come from here.
    let db = open_storage(&cfg)?;
    tracing::info!("database {db_note}");
    let users = db.with(|c| c.query_row("SELECT COUNT(*) FROM users", [], |r| r.get::<_, i64>(0)))?;
    let outbox = if cfg.webhook.is_some() { Some(db.with(webhook::counts)?) } else { None };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let running = start_with(cfg.clone(), db).await?;
        let url = running.url();
        println!("kefu serve: listening on {url}/");
        println!("  hand-off API  {url}/api/cases");
        println!("  agent inbox   {url}/inbox/");
        if cfg.www.is_some() {
            println!("  storefront    {url}/");
        }
        if cfg.pkg.is_some() {
            println!("  widget        {url}/kefu/");
        }
        if let (Some(w), Some((pending, _, failed))) = (&cfg.webhook, outbox) {
            println!("  webhook       {} ({pending} pending, {failed} failed deliveries)", webhook::redacted(&w.url));
        }
        match &cfg.mail {
            Some(m) => println!("  e-mail        {} as {}", m.redacted(), m.from),
            None => println!("  e-mail        off (\"e-mail me this conversation\" needs --smtp-url and --mail-from)"),
        }
        println!("  database {db_note} · photos {}", cfg.data_dir.display());
        if users == 0 {
            println!(
                "  no inbox accounts yet: KEFU_PASSWORD=… kefu serve --db {} --add-user NAME --role supervisor",
                cfg.db
            );
        }
        shutdown_signal().await;
        println!("kefu serve: stopping");
        running.stop().await;
        anyhow::Ok(())
    })
}

/// Ctrl-C, or SIGTERM (service managers, containers).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Runs `kefu report`.
pub fn report(args: ReportArgs) -> anyhow::Result<()> {
    if !args.db.exists() {
        anyhow::bail!("{}: no such database", args.db);
    }
    let db = Db::open(&args.db)?;
    let now = util::now_ms();
    let total = db.with(|c| report::compute(c, args.since, now))?;
    // Longer periods also get one block per week, newest first.
    let weeks = if args.since > 7 { db.with(|c| report::weekly(c, args.since, now))? } else { Vec::new() };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "period": total, "weeks": weeks }))?);
    } else {
        print!("{}", total.render());
        for w in &weeks {
            println!();
            print!("{}", w.render());
        }
    }
    Ok(())
}
