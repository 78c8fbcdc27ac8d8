//! The webhook relay: every stored case, photo and shopper follow-up is also POSTed to the
//! merchant's own helpdesk (`kefu serve --webhook-url URL --webhook-secret-file FILE`).
//!
//! - **Durable outbox.** [`enqueue`] writes a `webhook_outbox` row in the same SQLite
//!   transaction as the case, photo or message it announces, so whatever the shopper got a
//!   `201` for is relayed, across crashes and restarts.
//! - **Delivery.** [`run`] sends due rows (oldest first, at most one in flight per case so a
//!   case always arrives before its photos), marks a row delivered on any `2xx`, and otherwise
//!   retries with exponential backoff and jitter (`Retry-After` honoured) until
//!   [`WebhookConfig::retry_for`] has passed, when the row is marked `failed`.
//! - **Exactly once, from the server's side.** A row is delivered until one attempt is answered
//!   `2xx`, then never again. A receiver that answered `2xx` but whose answer was lost sees
//!   the same `X-Kefu-Delivery` id again: it dedupes by that id (or by case / attachment /
//!   message id, which are stable too).
//! - **Signature.** `X-Kefu-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`
//!   over the exact body bytes (JSON, or the whole multipart body for photos). See [`sign`],
//!   [`verify`] and docs/server.md for a receiver's check in Python and Node.
//!
//! Wire format: `case.created` and `message.added` are `application/json`;
//! `attachment.added` is `multipart/form-data` with a JSON part `event` (the same envelope)
//! and a file part `file` holding the stored (re-encoded) image.

use std::sync::Arc;
use std::time::Duration;

use crate::db::{params, Conn, OptionalExtension};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::error::ApiResult;
use crate::util::{hex, now_ms, random_token};
use crate::State;

/// Header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-kefu-signature";
/// Header carrying the delivery id (the same on every retry of one delivery).
pub const DELIVERY_HEADER: &str = "x-kefu-delivery";
/// Header carrying the event name (`case.created`, `attachment.added`, `message.added`).
pub const EVENT_HEADER: &str = "x-kefu-event";
/// Shortest secret accepted, in bytes.
pub const MIN_SECRET_LEN: usize = 16;

/// Where and how to relay.
#[derive(Clone)]
pub struct WebhookConfig {
    /// `http://` or `https://` URL the events are POSTed to.
    pub url: reqwest::Url,
    /// The shared HMAC secret.
    pub secret: Arc<[u8]>,
    /// First retry delay; doubled per failed attempt (±20 % jitter).
    pub backoff_base: Duration,
    /// Longest delay between two attempts.
    pub backoff_max: Duration,
    /// A delivery still failing this long after it was queued is marked `failed`.
    pub retry_for: Duration,
    /// Time limit of one attempt (connect + send + answer).
    pub timeout: Duration,
    /// Deliveries in flight at once (to different cases).
    pub concurrency: usize,
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &redacted(&self.url))
            .field("secret", &"<redacted>")
            .field("backoff_base", &self.backoff_base)
            .field("backoff_max", &self.backoff_max)
            .field("retry_for", &self.retry_for)
            .finish()
    }
}

/// The URL without user info or query (for logs: either may hold a credential).
pub fn redacted(url: &reqwest::Url) -> String {
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    format!("{}://{}{}{}", url.scheme(), url.host_str().unwrap_or(""), port, url.path())
}

impl WebhookConfig {
    /// Checks the URL (http or https, with a host) and the secret (≥ 16 bytes); default timing.
    pub fn new(url: &str, secret: &[u8]) -> anyhow::Result<WebhookConfig> {
        let url = reqwest::Url::parse(url.trim()).map_err(|e| anyhow::anyhow!("webhook URL `{url}`: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            anyhow::bail!("webhook URL `{}`: use http:// or https:// with a host", redacted(&url));
        }
        if secret.len() < MIN_SECRET_LEN {
            anyhow::bail!(
                "webhook secret: at least {MIN_SECRET_LEN} bytes, e.g. `openssl rand -hex 32 > webhook.secret`"
            );
        }
        Ok(WebhookConfig {
            url,
            secret: secret.into(),
            backoff_base: Duration::from_secs(2),
            backoff_max: Duration::from_secs(600),
            retry_for: Duration::from_secs(3 * 86_400),
            timeout: Duration::from_secs(30),
            concurrency: 4,
        })
    }

    /// Delay before attempt `attempts + 1`, after `attempts` failures (≥ 1), with ±20 % jitter.
    pub fn backoff(&self, attempts: i64) -> Duration {
        let exp = attempts.clamp(1, 30) as u32 - 1;
        let d = self.backoff_base.saturating_mul(2u32.saturating_pow(exp)).min(self.backoff_max);
        d.mul_f64(0.8 + 0.4 * rand::random::<f64>())
    }
}

// ---------------------------------------------------------------------------------------------
// Signature

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], t: i64, body: &[u8]) -> HmacSha256 {
    let mut m = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
    m.update(t.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m
}

/// The `X-Kefu-Signature` value for `body` sent at `t` (Unix seconds).
pub fn sign(secret: &[u8], t: i64, body: &[u8]) -> String {
    format!("t={t},v1={}", hex(&mac(secret, t, body).finalize().into_bytes()))
}

/// A receiver's check: a `v1` signature of `t.body` matches (constant-time) and `t` is within
/// `tolerance_s` seconds of `now_s` (replay window).
pub fn verify(secret: &[u8], header: &str, body: &[u8], now_s: i64, tolerance_s: i64) -> bool {
    let mut t = None;
    let mut sigs = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => sigs.push(v),
            _ => {}
        }
    }
    let Some(t) = t else { return false };
    if (now_s - t).abs() > tolerance_s {
        return false;
    }
    sigs.iter().any(|s| unhex(s).is_some_and(|raw| mac(secret, t, body).verify_slice(&raw).is_ok()))
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() & 1 == 1 {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

// ---------------------------------------------------------------------------------------------
// Outbox

/// Queues `event` for `case_id` (`reference`: attachment or message id, `""` for the case)
/// with `data` as the envelope's `data`. Call inside the transaction that stores the thing
/// announced. A second call for the same (event, case, reference) is ignored.
pub fn enqueue(c: &mut Conn, event: &str, case_id: &str, reference: &str, data: Value) -> ApiResult<()> {
    let delivery_id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    let envelope = json!({
        "id": delivery_id,
        "event": event,
        "created_at": now,
        "case_id": case_id,
        "data": data,
    });
    c.execute(
        "INSERT INTO webhook_outbox (delivery_id, event, case_id, ref, payload, created_at, next_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (event, case_id, ref) DO NOTHING",
        params![delivery_id, event, case_id, reference, envelope.to_string(), now],
    )?;
    Ok(())
}

/// The first columns of a case (table alias `c`), in the order [`case_head`] reads them.
pub const CASE_HEAD: &str = "c.id, c.created_at, c.locale, c.order_number, c.contact, c.description, c.triage, \
     c.emotion, c.promise, c.tags, c.declared_attachments, c.deadline_at";

/// A case as the inbox and the webhook both show it, from a row that starts with the columns
/// of [`CASE_HEAD`] (PII was masked when it was stored).
pub fn case_head(r: &crate::db::Row) -> crate::db::Result<serde_json::Map<String, Value>> {
    let tags: String = r.get(9)?;
    let declared: String = r.get(10)?;
    let v = json!({
        "id": r.get::<_, String>(0)?,
        "created_at": r.get::<_, i64>(1)?,
        "locale": r.get::<_, String>(2)?,
        "order_number": r.get::<_, Option<String>>(3)?,
        "contact": r.get::<_, Option<String>>(4)?,
        "description": r.get::<_, String>(5)?,
        "triage": r.get::<_, String>(6)?,
        "emotion": r.get::<_, String>(7)?,
        "promise": r.get::<_, Option<String>>(8)?,
        "tags": serde_json::from_str::<Value>(&tags).unwrap_or(json!([])),
        "declared_attachments": serde_json::from_str::<Value>(&declared).unwrap_or(json!([])),
        "deadline_at": r.get::<_, i64>(11)?,
    });
    match v {
        Value::Object(m) => Ok(m),
        _ => unreachable!("json! of an object literal"),
    }
}

/// `data` of `case.created`: the case as stored (PII masked) with the transcript before the
/// hand-off.
pub fn case_data(c: &mut Conn, case_id: &str) -> ApiResult<Value> {
    let mut v =
        c.query_row(&format!("SELECT {CASE_HEAD}, c.bot_session FROM cases c WHERE c.id = ?1"), [case_id], |r| {
            let mut m = case_head(r)?;
            // The webhook's public name for what the shopper said they would attach.
            let declared = m.remove("declared_attachments").unwrap_or(json!([]));
            m.insert("attachments_expected".into(), declared);
            let created = m["created_at"].as_i64().unwrap_or(0);
            let deadline = m["deadline_at"].as_i64().unwrap_or(0);
            m.insert("sla_seconds".into(), json!((deadline - created) / 1000));
            m.insert("bot_session".into(), json!(r.get::<_, Option<String>>(12)?));
            Ok(Value::Object(m))
        })?;
    let mut stmt =
        c.prepare("SELECT role, text, at FROM messages WHERE case_id = ?1 AND source = 'transcript' ORDER BY id")?;
    let transcript = stmt
        .query_map([case_id], |r| {
            Ok(json!({ "role": r.get::<_, String>(0)?, "text": r.get::<_, String>(1)?, "at": r.get::<_, i64>(2)? }))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    v["transcript"] = json!(transcript);
    Ok(v)
}

/// `data` of `attachment.added`: the stored photo's metadata (the bytes go in the `file` part).
pub fn attachment_data(c: &mut Conn, attachment_id: &str) -> ApiResult<Value> {
    Ok(c.query_row(
        "SELECT id, case_id, mime, width, height, size, sha256, filename, created_at FROM attachments WHERE id = ?1",
        [attachment_id],
        |r| {
            Ok(json!({
                "id": r.get::<_, String>(0)?, "case_id": r.get::<_, String>(1)?, "mime": r.get::<_, String>(2)?,
                "width": r.get::<_, i64>(3)?, "height": r.get::<_, i64>(4)?, "size": r.get::<_, i64>(5)?,
                "sha256": r.get::<_, String>(6)?, "filename": r.get::<_, Option<String>>(7)?,
                "created_at": r.get::<_, i64>(8)?,
            }))
        },
    )?)
}

/// `data` of `message.added`: a shopper follow-up after the hand-off (PII masked).
pub fn message_data(c: &mut Conn, message_id: i64) -> ApiResult<Value> {
    Ok(c.query_row("SELECT id, role, text, at, client_msg_id FROM messages WHERE id = ?1", [message_id], |r| {
        Ok(json!({
            "id": r.get::<_, i64>(0)?, "role": r.get::<_, String>(1)?, "text": r.get::<_, String>(2)?,
            "at": r.get::<_, i64>(3)?, "client_msg_id": r.get::<_, Option<String>>(4)?,
        }))
    })?)
}

/// Counts of outbox rows by state: (pending, delivered, failed).
pub fn counts(c: &mut Conn) -> crate::db::Result<(i64, i64, i64)> {
    c.query_row(
        "SELECT COUNT(*) FILTER (WHERE state = 'pending'), COUNT(*) FILTER (WHERE state = 'delivered'), \
         COUNT(*) FILTER (WHERE state = 'failed') FROM webhook_outbox",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}

/// A claimed outbox row, ready to send.
#[derive(Debug, Clone)]
pub struct Due {
    pub id: i64,
    pub delivery_id: String,
    pub event: String,
    pub case_id: String,
    pub reference: String,
    payload: String,
    attempts: i64,
    created_at: i64,
}

/// Outbox row `o` may be sent: pending, and the oldest pending row of its case.
const SENDABLE: &str = "o.state = 'pending' AND NOT EXISTS (SELECT 1 FROM webhook_outbox p \
     WHERE p.case_id = o.case_id AND p.state = 'pending' AND p.id < o.id)";

/// Claims due pending rows for `owner` until `lease_until`, oldest first, at most one per case
/// (the case's oldest pending row, so a case is delivered before its photos and follow-ups).
/// A row another relay holds (an unexpired lease) is skipped; two relays claiming at once get
/// disjoint rows (compare-and-set on `lease_until`).
pub fn claim_due(c: &mut Conn, owner: &str, now: i64, lease_until: i64, limit: usize) -> crate::db::Result<Vec<Due>> {
    let candidates: Vec<(Due, i64)> = {
        let mut stmt = c.prepare_cached(&format!(
            "SELECT o.id, o.delivery_id, o.event, o.case_id, o.ref, o.payload, o.attempts, o.created_at, o.lease_until \
                 FROM webhook_outbox o WHERE {SENDABLE} AND o.next_at <= ?1 AND o.lease_until <= ?1 \
                 ORDER BY o.next_at, o.id LIMIT ?2"
        ))?;

        stmt.query_map(params![now, limit as i64], |r| {
            Ok((
                Due {
                    id: r.get(0)?,
                    delivery_id: r.get(1)?,
                    event: r.get(2)?,
                    case_id: r.get(3)?,
                    reference: r.get(4)?,
                    payload: r.get(5)?,
                    attempts: r.get(6)?,
                    created_at: r.get(7)?,
                },
                r.get(8)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?
    };
    let mut claimed = Vec::with_capacity(candidates.len());
    for (due, seen_lease) in candidates {
        let won = c.execute(
            "UPDATE webhook_outbox SET lease_until = ?1, lease_owner = ?2 \
             WHERE id = ?3 AND state = 'pending' AND lease_until = ?4",
            params![lease_until, owner, due.id, seen_lease],
        )?;
        if won == 1 {
            claimed.push(due);
        }
    }
    Ok(claimed)
}

async fn due_rows(st: &State, owner: Arc<str>, cfg: &WebhookConfig) -> ApiResult<Vec<Due>> {
    let (limit, lease) = (cfg.concurrency.max(1), cfg.timeout + LEASE_MARGIN);
    st.db
        .call(move |c| {
            let now = now_ms();
            Ok(claim_due(c, &owner, now, now + lease.as_millis() as i64, limit)?)
        })
        .await
}

/// How long a claimed delivery stays reserved beyond the attempt's own time limit.
const LEASE_MARGIN: Duration = Duration::from_secs(30);

/// How long until the next row that may be sent is due (at most `cap`). Rows waiting behind
/// an earlier row of their case do not count: their own `next_at` may be long past.
async fn until_next(st: &State, cap: Duration) -> Duration {
    let next: Option<i64> = st
        .db
        .call(|c| {
            Ok(c.query_row(
                &format!(
                    "SELECT MIN(CASE WHEN o.lease_until > o.next_at THEN o.lease_until ELSE o.next_at END) \
                     FROM webhook_outbox o WHERE {SENDABLE}"
                ),
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap_or(None);
    match next {
        None => cap,
        Some(at) => Duration::from_millis((at - now_ms()).clamp(0, cap.as_millis() as i64) as u64),
    }
}

/// Outcome of one attempt.
enum Outcome {
    Delivered,
    /// Retry later; `retry_after` from the receiver when it sent one. `connect` when the
    /// receiver could not be reached at all (it may simply be down).
    Retry {
        error: String,
        retry_after: Option<Duration>,
        connect: bool,
    },
    /// Cannot ever be sent (the photo was purged meanwhile).
    Drop(String),
}

/// Builds the body of a delivery: JSON, or multipart with the stored photo.
async fn body_of(st: &State, d: &Due) -> Result<(Vec<u8>, String), String> {
    if d.event != "attachment.added" {
        return Ok((d.payload.clone().into_bytes(), "application/json".into()));
    }
    let att = d.reference.clone();
    let row: Option<(String, String)> = st
        .db
        .call(move |c| {
            Ok(c.query_row("SELECT file, mime FROM attachments WHERE id = ?1", [&att], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?)
        })
        .await
        .map_err(|e| e.message)?;
    let Some((file, mime)) = row else { return Err("the photo is no longer stored".into()) };
    if file.contains('/') || file.contains('\\') || file.contains("..") {
        return Err("bad stored file name".into());
    }
    let bytes = tokio::fs::read(st.cfg.data_dir.join("attachments").join(&file))
        .await
        .map_err(|e| format!("reading the stored photo {}: {e}", file))?;
    let ext = if mime == "image/png" { "png" } else { "jpg" };
    Ok(multipart(&d.payload, &format!("{}.{ext}", d.reference), &mime, &bytes))
}

/// A `multipart/form-data` body: part `event` (the JSON envelope) and part `file` (the image).
/// Returns (body, content type).
fn multipart(json: &str, filename: &str, mime: &str, bytes: &[u8]) -> (Vec<u8>, String) {
    let mut boundary = format!("kefu-{}", &random_token()[..32]);
    while bytes.windows(boundary.len()).any(|w| w == boundary.as_bytes()) {
        boundary = format!("kefu-{}", &random_token()[..32]);
    }
    let mut b = Vec::with_capacity(bytes.len() + json.len() + 512);
    b.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    b.extend_from_slice(b"Content-Disposition: form-data; name=\"event\"\r\nContent-Type: application/json\r\n\r\n");
    b.extend_from_slice(json.as_bytes());
    b.extend_from_slice(format!("\r\n--{boundary}\r\n").as_bytes());
    b.extend_from_slice(
        format!(
            "Content-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: {mime}\r\n\r\n"
        )
        .as_bytes(),
    );
    b.extend_from_slice(bytes);
    b.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (b, format!("multipart/form-data; boundary={boundary}"))
}

async fn attempt(st: &State, client: &reqwest::Client, cfg: &WebhookConfig, d: &Due) -> Outcome {
    let (body, content_type) = match body_of(st, d).await {
        Ok(x) => x,
        Err(e) => return Outcome::Drop(e),
    };
    let t = now_ms() / 1000;
    let sent = client
        .post(cfg.url.clone())
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .header(SIGNATURE_HEADER, sign(&cfg.secret, t, &body))
        .header(DELIVERY_HEADER, &d.delivery_id)
        .header(EVENT_HEADER, &d.event)
        .header("x-kefu-case", &d.case_id)
        .header("x-kefu-attempt", (d.attempts + 1).to_string())
        .body(body)
        .send()
        .await;
    match sent {
        Ok(r) if r.status().is_success() => Outcome::Delivered,
        Ok(r) => {
            let retry_after = r
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            Outcome::Retry { error: format!("HTTP {}", r.status().as_u16()), retry_after, connect: false }
        }
        Err(e) => {
            let connect = e.is_connect();
            let kind = if connect {
                "connect"
            } else if e.is_timeout() {
                "timeout"
            } else {
                "request"
            };
            // The innermost cause says most ("Connection refused").
            let mut cause: &dyn std::error::Error = &e;
            while let Some(next) = cause.source() {
                cause = next;
            }
            Outcome::Retry { error: format!("{kind}: {cause}"), retry_after: None, connect }
        }
    }
}

/// Attempts one delivery and records the outcome.
async fn deliver(st: &State, client: &reqwest::Client, cfg: &WebhookConfig, d: Due) {
    let outcome = attempt(st, client, cfg, &d).await;
    let now = now_ms();
    let attempts = d.attempts + 1;
    let (id, retry_for) = (d.id, cfg.retry_for.as_millis() as i64);
    let result = match outcome {
        Outcome::Delivered => {
            tracing::debug!("webhook {} {} delivered (attempt {attempts})", d.event, d.delivery_id);
            st.db
                .call(move |c| {
                    // The payload's job is done: keep no second copy of the shopper's data.
                    c.execute(
                        "UPDATE webhook_outbox SET state = 'delivered', delivered_at = ?1, last_attempt_at = ?1, \
                         attempts = ?2, last_error = NULL, payload = '{}', lease_until = 0, lease_owner = NULL WHERE id = ?3",
                        params![now, attempts, id],
                    )?;
                    // The receiver is up again: rows that only failed to connect need not wait
                    // out their backoff.
                    c.execute(
                        "UPDATE webhook_outbox SET next_at = ?1 WHERE state = 'pending' AND next_at > ?1 \
                         AND last_error LIKE 'connect:%'",
                        [now],
                    )?;
                    Ok(())
                })
                .await
        }
        Outcome::Retry { error, retry_after, connect } => {
            let failed = now - d.created_at >= retry_for;
            let delay = retry_after.map(|r| r.min(cfg.backoff_max)).unwrap_or_else(|| cfg.backoff(attempts));
            if failed {
                tracing::error!(
                    "webhook {} {} for case {} failed for good after {attempts} attempts: {error}",
                    d.event,
                    d.delivery_id,
                    d.case_id
                );
            } else if attempts == 1 || attempts % 10 == 0 || !connect {
                tracing::warn!("webhook {} {} attempt {attempts}: {error}; retrying", d.event, d.delivery_id);
            }
            let next = now + delay.as_millis() as i64;
            st.db
                .call(move |c| {
                    c.execute(
                        "UPDATE webhook_outbox SET state = ?1, attempts = ?2, last_attempt_at = ?3, last_error = ?4, \
                         next_at = ?5, lease_until = 0, lease_owner = NULL WHERE id = ?6",
                        params![if failed { "failed" } else { "pending" }, attempts, now, error, next, id],
                    )?;
                    Ok(())
                })
                .await
        }
        Outcome::Drop(error) => {
            tracing::error!("webhook {} {} dropped: {error}", d.event, d.delivery_id);
            st.db
                .call(move |c| {
                    c.execute(
                        "UPDATE webhook_outbox SET state = 'failed', attempts = ?1, last_attempt_at = ?2, \
                         last_error = ?3, lease_until = 0, lease_owner = NULL WHERE id = ?4",
                        params![attempts, now, error, id],
                    )?;
                    Ok(())
                })
                .await
        }
    };
    if let Err(e) = result {
        tracing::error!("webhook outbox update failed: {}", e.message);
    }
}

/// Builds the HTTP client of the relay: no redirects (a 3xx is a failed attempt), timeouts.
pub fn client(cfg: &WebhookConfig) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(cfg.timeout.min(Duration::from_secs(10)))
        .timeout(cfg.timeout)
        .user_agent(concat!("kefu/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

/// The delivery loop; returns at shutdown (deliveries in flight get 5 s to finish; one cut
/// off is retried after the restart under the same delivery id).
pub async fn run(st: State, client: reqwest::Client) {
    let Some(cfg) = st.cfg.webhook.clone() else { return };
    let owner: Arc<str> = uuid::Uuid::new_v4().to_string().into();
    // Only this process uses a SQLite file: leases a previous run left are void.
    if !st.cfg.db.is_postgres() {
        let _ = st
            .db
            .call(|c| {
                Ok(c.execute(
                    "UPDATE webhook_outbox SET lease_until = 0, lease_owner = NULL WHERE lease_until > 0",
                    [],
                )?)
            })
            .await;
    }
    relay_loop(&st, &client, &cfg, owner.clone()).await;
    // Deliveries cut off by the shutdown are free for the next run (or another server) at once.
    let released = st
        .db
        .call(move |c| {
            Ok(c.execute(
                "UPDATE webhook_outbox SET lease_until = 0, lease_owner = NULL WHERE lease_owner = ?1 AND state = 'pending'",
                [&*owner],
            )?)
        })
        .await;
    if let Err(e) = released {
        tracing::warn!("webhook leases not released at shutdown: {}", e.message);
    }
}

async fn relay_loop(st: &State, client: &reqwest::Client, cfg: &WebhookConfig, owner: Arc<str>) {
    let mut shutdown = st.shutdown.clone();
    loop {
        if *shutdown.borrow() {
            return;
        }
        let due = match due_rows(st, owner.clone(), cfg).await {
            Ok(v) => v,
            Err(e) => {
                tracing::error!("webhook outbox read failed: {}", e.message);
                Vec::new()
            }
        };
        if due.is_empty() {
            let wait = until_next(st, Duration::from_secs(30)).await;
            tokio::select! {
                _ = st.outbox.notified() => {}
                _ = tokio::time::sleep(wait) => {}
                _ = shutdown.wait_for(|s| *s) => return,
            }
            continue;
        }
        let batch = futures_util::future::join_all(due.into_iter().map(|d| deliver(st, client, cfg, d)));
        let mut stop = shutdown.clone();
        tokio::select! {
            _ = batch => {}
            _ = async { let _ = stop.wait_for(|s| *s).await; tokio::time::sleep(Duration::from_secs(5)).await; } => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_test_0123456789abcdef";

    #[test]
    fn signature_matches_an_independent_hmac() {
        // python3: hmac.new(SECRET, b'1763884810.{"id":"x"}', hashlib.sha256).hexdigest()
        let h = sign(SECRET, 1_763_884_810, br#"{"id":"x"}"#);
        assert_eq!(h, "t=1763884810,v1=b1c65b698976f09a90db5bc88a28d7fe81f4d387e824b810e1c4513cfd8e0956");
        assert!(verify(SECRET, &h, br#"{"id":"x"}"#, 1_763_884_900, 300));
    }

    #[test]
    fn verify_refuses_tampering_replays_and_other_keys() {
        let h = sign(SECRET, 1_000_000, b"body");
        assert!(!verify(SECRET, &h, b"Body", 1_000_000, 300), "changed body");
        assert!(!verify(b"another secret of 16+ bytes", &h, b"body", 1_000_000, 300), "other key");
        assert!(!verify(SECRET, &h, b"body", 1_000_301, 300), "too old");
        assert!(!verify(SECRET, &h.replace("t=1000000", "t=1000001"), b"body", 1_000_000, 300), "changed time");
        assert!(!verify(SECRET, "v1=00", b"body", 1_000_000, 300), "no time");
        assert!(!verify(SECRET, "t=1000000,v1=zz", b"body", 1_000_000, 300), "bad hex");
        // A second v1 (key rotation on the receiver's side) is accepted when one matches.
        let two = format!("t=1000000,v1={},{}", "0".repeat(64), h.split(',').nth(1).unwrap());
        assert!(verify(SECRET, &two, b"body", 1_000_000, 300));
    }

    #[test]
    fn config_checks_url_and_secret_and_backoff_grows_to_the_cap() {
        assert!(WebhookConfig::new("ftp://x.example/", SECRET).is_err());
        assert!(WebhookConfig::new("not a url", SECRET).is_err());
        assert!(WebhookConfig::new("https://helpdesk.example/kefu", b"short").is_err());
        let mut c = WebhookConfig::new("https://user:pw@helpdesk.example/kefu?key=1", SECRET).unwrap();
        assert_eq!(redacted(&c.url), "https://helpdesk.example/kefu");
        assert!(!format!("{c:?}").contains("pw") && !format!("{c:?}").contains("whsec"));
        c.backoff_base = Duration::from_secs(2);
        c.backoff_max = Duration::from_secs(600);
        let b1 = c.backoff(1).as_secs_f64();
        let b3 = c.backoff(3).as_secs_f64();
        assert!((1.6..=2.4).contains(&b1), "{b1}");
        assert!((6.4..=9.6).contains(&b3), "{b3}");
        assert!(c.backoff(40).as_secs_f64() <= 720.0);
    }

    #[test]
    fn multipart_body_has_both_parts_and_a_fresh_boundary() {
        let (body, ct) = multipart(r#"{"id":"d"}"#, "a.jpg", "image/jpeg", b"\xFF\xD8\xFFjpeg");
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(text.contains("name=\"event\"\r\nContent-Type: application/json\r\n\r\n{\"id\":\"d\"}\r\n"));
        assert!(text.contains("name=\"file\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"));
        assert!(text.ends_with(&format!("\r\n--{boundary}--\r\n")));
    }
}
