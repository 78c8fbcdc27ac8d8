//! The public hand-off API the widget calls. See docs/handoff-api.md.

use kefu_core::analyze::is_bidi_control;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::db::{params, Conn, OptionalExtension};
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, FromRequest, Multipart, Request};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery, CaseBody};
use crate::images::{self, Kind};
use crate::pii::mask;
use crate::util::{ct_eq, now_ms, parse_uuid, random_token, sha256_hex};
use crate::{webhook, State};

// ---------------------------------------------------------------------------------------------
// Wire types

/// Triage class (kefu-core's `Triage`; its PascalCase names are accepted too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TriageClass {
    #[serde(alias = "Product")]
    Product,
    #[serde(alias = "Order")]
    Order,
    #[serde(alias = "Complaint")]
    Complaint,
    #[serde(alias = "Urgent")]
    Urgent,
}

impl TriageClass {
    pub fn as_str(self) -> &'static str {
        match self {
            TriageClass::Product => "product",
            TriageClass::Order => "order",
            TriageClass::Complaint => "complaint",
            TriageClass::Urgent => "urgent",
        }
    }
    pub fn parse(s: &str) -> TriageClass {
        match s {
            "order" => TriageClass::Order,
            "complaint" => TriageClass::Complaint,
            "urgent" => TriageClass::Urgent,
            _ => TriageClass::Product,
        }
    }
}

impl From<kefu_core::reply::Triage> for TriageClass {
    fn from(t: kefu_core::reply::Triage) -> Self {
        match t {
            kefu_core::reply::Triage::Product => TriageClass::Product,
            kefu_core::reply::Triage::Order => TriageClass::Order,
            kefu_core::reply::Triage::Complaint => TriageClass::Complaint,
            kefu_core::reply::Triage::Urgent => TriageClass::Urgent,
        }
    }
}

/// Shopper mood (kefu-core's `Emotion`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum EmotionClass {
    #[default]
    #[serde(alias = "Calm")]
    Calm,
    #[serde(alias = "Anxious")]
    Anxious,
    #[serde(alias = "Angry")]
    Angry,
}

impl EmotionClass {
    pub fn as_str(self) -> &'static str {
        match self {
            EmotionClass::Calm => "calm",
            EmotionClass::Anxious => "anxious",
            EmotionClass::Angry => "angry",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MsgRole {
    Shopper,
    Bot,
    Agent,
    System,
}

impl MsgRole {
    pub fn as_str(self) -> &'static str {
        match self {
            MsgRole::Shopper => "shopper",
            MsgRole::Bot => "bot",
            MsgRole::Agent => "agent",
            MsgRole::System => "system",
        }
    }
}

/// A time: Unix milliseconds (integer or float, as JavaScript's `Date.now()` may send) or an
/// RFC 3339 string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum At {
    Ms(i64),
    Float(f64),
    Text(String),
}

/// 9999-12-31T23:59:59.999Z
const MAX_MS: i64 = 253_402_300_799_999;

impl At {
    pub(crate) fn to_ms(&self) -> Option<i64> {
        let ms = match self {
            At::Ms(ms) => *ms,
            At::Float(f) if f.is_finite() => f.floor() as i64,
            At::Float(_) => return None,
            At::Text(s) => time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .ok()
                .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)?,
        };
        (0..=MAX_MS).contains(&ms).then_some(ms)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranscriptEntry {
    pub role: MsgRole,
    pub text: String,
    pub at: At,
}

/// `POST /api/cases` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    pub id: String,
    pub locale: String,
    #[serde(default)]
    pub transcript: Vec<TranscriptEntry>,
    #[serde(default)]
    pub order_number: Option<String>,
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub description: String,
    pub triage: TriageClass,
    #[serde(default, deserialize_with = "null_as_default")]
    pub emotion: EmotionClass,
    #[serde(default)]
    pub promise: Option<String>,
    #[serde(default)]
    pub attachments: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub bot_session: Option<String>,
    /// An e-mail address the shopper chose to leave (the hand-off form's optional field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

pub const MAX_TRANSCRIPT: usize = 200;
pub const MAX_TEXT: usize = 4000;

/// `null` read as the field's default, as it is for the optional strings (serde_json calls a
/// `null` where an enum goes a syntax error, which named no field).
fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

// ---------------------------------------------------------------------------------------------
// Validation helpers

/// The rule for every text a shopper or an agent sends: at most `max_chars` characters, and no
/// control characters but `\n`, `\t`, `\r` in multi-line text (NUL, ESC … would reach mails,
/// webhooks and terminals). Run [`strip_bidi`] first.
pub(crate) fn check_text(field: &str, s: &str, max_chars: usize, multiline: bool) -> ApiResult<()> {
    if s.chars().count() > max_chars {
        return Err(ApiError::invalid(field, format!("longer than {max_chars} characters")));
    }
    if let Some(c) = s.chars().find(|&c| c.is_control() && !(multiline && (c == '\n' || c == '\t' || c == '\r'))) {
        return Err(ApiError::invalid(field, format!("contains a control character (U+{:04X})", c as u32)));
    }
    Ok(())
}

/// `s` without the spaces and zero-width characters at its ends: a text of nothing else is
/// empty (it would show as a blank message, and an agent's would count as the first reply).
pub(crate) fn trim_blank(s: &str) -> String {
    s.trim_matches(|c: char| c.is_whitespace() || kefu_core::analyze::is_invisible(c)).to_string()
}

/// Removes bidi controls: invisible, they make an order number or a contact read differently
/// in the inbox than it was typed. Removed rather than refused, so a case is never lost over
/// a character nobody sees.
pub(crate) fn strip_bidi(s: &mut String) {
    if s.contains(is_bidi_control) {
        s.retain(|c| !is_bidi_control(c));
    }
}

/// Direction marks (LRM, RLM, ALM). In running text they place punctuation right; between
/// the digit groups of a one-line value they reorder it: "111-\u{200F}222-\u{200F}333" reads
/// 111-333-222, so an agent could act on another customer's order number.
fn is_direction_mark(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// [`strip_bidi`] for one-line values (order number, contact, tags, a photo's name): direction
/// marks and zero-width characters go too, so the value reads as typed and one made only of
/// them is empty.
pub(crate) fn strip_bidi_line(s: &mut String) {
    let gone = |c: char| is_bidi_control(c) || is_direction_mark(c) || kefu_core::analyze::is_invisible(c);
    if s.contains(gone) {
        s.retain(|c| !gone(c));
    }
}

pub(crate) fn check_locale(s: &str) -> ApiResult<()> {
    let ok = !s.is_empty()
        && s.len() <= 35
        && s.split('-').enumerate().all(|(i, p)| {
            let n = p.len();
            if i == 0 {
                (2..=3).contains(&n) && p.chars().all(|c| c.is_ascii_alphabetic())
            } else {
                (2..=8).contains(&n) && p.chars().all(|c| c.is_ascii_alphanumeric())
            }
        });
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid("locale", "must be a BCP 47 tag such as zh-CN or en"))
    }
}

impl NewCase {
    /// Validates and normalises (canonical UUIDs, trimmed strings) in place.
    pub fn validate(&mut self, max_attachments: usize) -> ApiResult<()> {
        self.id = parse_uuid(&self.id, "id").map_err(|e| e.field("id"))?;
        check_locale(&self.locale)?;
        if self.transcript.len() > MAX_TRANSCRIPT {
            return Err(ApiError::invalid("transcript", format!("more than {MAX_TRANSCRIPT} entries")));
        }
        for (i, e) in self.transcript.iter_mut().enumerate() {
            strip_bidi(&mut e.text);
            check_text(&format!("transcript[{i}].text"), &e.text, MAX_TEXT, true)?;
            // A shopper's clock may be wrong: any time is accepted (future ones are stored as
            // the time of arrival), but it must be a time.
            if e.at.to_ms().is_none() {
                return Err(ApiError::invalid(format!("transcript[{i}].at"), "must be Unix milliseconds or RFC 3339"));
            }
        }
        strip_bidi(&mut self.description);
        // Spaces and zero-width characters alone are no description.
        self.description = trim_blank(&self.description);
        check_text("description", &self.description, MAX_TEXT, true)?;
        if self.description.is_empty() && self.transcript.is_empty() {
            return Err(ApiError::invalid("description", "a description or a transcript is required"));
        }
        for (name, v, max) in [("order_number", &mut self.order_number, 64), ("contact", &mut self.contact, 200)] {
            if let Some(s) = v {
                strip_bidi_line(s);
                *s = s.trim().to_string();
                check_text(name, s, max, false)?;
                if s.is_empty() {
                    *v = None;
                }
            }
        }
        if let Some(p) = &mut self.promise {
            strip_bidi(p);
            check_text("promise", p, 500, true)?;
        }
        if self.attachments.len() > max_attachments {
            return Err(ApiError::invalid("attachments", format!("more than {max_attachments} attachments")));
        }
        for (i, a) in self.attachments.iter_mut().enumerate() {
            *a = parse_uuid(a, "attachment id").map_err(|e| e.field(format!("attachments[{i}]")))?;
        }
        let mut seen = std::collections::HashSet::new();
        if !self.attachments.iter().all(|a| seen.insert(a.clone())) {
            return Err(ApiError::invalid("attachments", "duplicate attachment id"));
        }
        if self.tags.len() > 10 {
            return Err(ApiError::invalid("tags", "more than 10 tags"));
        }
        for (i, t) in self.tags.iter_mut().enumerate() {
            strip_bidi_line(t);
            check_text(&format!("tags[{i}]"), t, 32, false)?;
            if t.trim().is_empty() {
                return Err(ApiError::invalid(format!("tags[{i}]"), "empty tag"));
            }
        }
        if let Some(s) = &mut self.bot_session {
            *s = parse_uuid(s, "bot_session")?;
        }
        self.email = crate::transcript::case_email(&self.email)?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Request plumbing

/// Applies the per-IP and per-client-id rate limits.
pub fn rate_limit(st: &State, peer: SocketAddr, headers: &HeaderMap) -> ApiResult<()> {
    let too_many = || ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many requests; retry shortly");
    if !st.ip_limiter.check(&peer.ip().to_string()) {
        return Err(too_many());
    }
    if let Some(id) = headers.get("x-kefu-client").and_then(|v| v.to_str().ok()) {
        let id: String = id.chars().take(64).collect();
        if !st.client_limiter.check(&id) {
            return Err(too_many());
        }
    }
    Ok(())
}

/// Reads a body up to `limit` bytes, with a JSON 413 past it (checked from Content-Length
/// first, then while streaming, so chunked bodies are bounded too).
pub async fn read_body(st: &State, body: Body, headers: &HeaderMap, limit: usize) -> ApiResult<Bytes> {
    use futures_util::StreamExt;
    let too_large = || ApiError::too_large("body_too_large", format!("request body over {limit} bytes"));
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut stream = body.into_data_stream();
    let mut buf = Vec::with_capacity(declared.unwrap_or(0).min(limit as u64) as usize);
    let read = async {
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|_| {
                ApiError::bad_request("body_read_failed", "the request body could not be read completely")
            })?;
            if buf.len() + chunk.len() > limit {
                return Err(too_large());
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(())
    };
    // A body trickled in slowly must not hold a connection and its buffer for ever.
    tokio::time::timeout(st.cfg.body_timeout, read).await.map_err(|_| body_timeout())??;
    Ok(Bytes::from(buf))
}

fn body_timeout() -> ApiError {
    ApiError::new(StatusCode::REQUEST_TIMEOUT, "body_timeout", "the request body took too long")
}

/// `application/json`, with at most a `charset=utf-8` parameter (the body is read as UTF-8
/// whatever it says). Not a prefix match: `application/jsonfoo` is another type.
fn is_json_type(ct: &str) -> bool {
    let mut parts = ct.split(';');
    parts.next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
        && parts.all(|p| match p.split_once('=') {
            Some((k, v)) => {
                k.trim().eq_ignore_ascii_case("charset") && v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
            }
            None => p.trim().is_empty(),
        })
}

/// Parses a JSON body, which is one object on every endpoint. JSON only: a cross-site HTML
/// form cannot send it without a CORS preflight, which is what keeps the cookie-authenticated
/// inbox safe from forged posts. An error names the field it is in (`transcript[2].at`) when
/// there is one.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(headers: &HeaderMap, bytes: &[u8]) -> ApiResult<T> {
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !is_json_type(ct) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send Content-Type: application/json (charset, if given, utf-8)",
        ));
    }
    let error = |e: serde_json::Error, path: Option<String>| {
        let code = if e.is_syntax() || e.is_eof() { "invalid_json" } else { "invalid_field" };
        let message = e.to_string();
        // A missing field is reported at the object that lacks it: name the field itself. Only
        // serde's message has the name: the derived visitor builds the error with
        // `Error::missing_field(name)` on serde_json's error type, which serde_path_to_error
        // (it wraps the deserializer and visitors, not error constructors) never sees, so its
        // path ends at the object; serde_json's error has no field for it either.
        let missing =
            message.strip_prefix("missing field `").and_then(|m| m.split_once('`')).map(|(name, _)| name.to_string());
        // serde_path_to_error writes `?` for a place it cannot name (the body ended inside an
        // object): that is no field.
        let path = path.map(|p| p.trim_end_matches(".?").to_string()).filter(|p| !p.is_empty() && p != "." && p != "?");
        let field = match (path, missing) {
            (Some(p), Some(m)) => Some(format!("{p}.{m}")),
            (p, m) => p.or(m),
        };
        let err = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message);
        match field {
            Some(f) => err.field(f),
            None => err,
        }
    };
    // A body that is no object: serde would read an array as the object's fields in order
    // ("invalid length 0, expected struct NewCase with 13 elements"), a broken one too (its
    // first item's type is wrong before the text ends), and anything else in its own words.
    // Well-formed, it is told what the body must be; broken, it is broken JSON.
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        serde_json::from_slice::<serde::de::IgnoredAny>(bytes).map_err(|e| error(e, None))?;
        let what = match first {
            Some(b'[') => "an array",
            Some(b'"') => "a string",
            Some(b't' | b'f') => "true or false",
            Some(b'n') => "null",
            _ => "a number",
        };
        let message = format!("the request body must be a JSON object ({{…}}), not {what}");
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_json", message));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        error(e.into_inner(), Some(path))
    })?;
    de.end().map_err(|e| error(e, None))?;
    Ok(value)
}

/// The case token from `Authorization: Bearer …` or `?token=`.
pub(crate) fn bearer(headers: &HeaderMap, query_token: Option<&str>) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            // Auth schemes are case-insensitive (RFC 9110): `bearer` is `Bearer`.
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
        })
        .or_else(|| query_token.map(str::to_string))
        .filter(|s| !s.is_empty())
}

/// Checks the case exists and the token is its own; returns the case status.
pub(crate) async fn authorize_case(st: &State, case_id: &str, token: Option<String>) -> ApiResult<String> {
    let token = token.ok_or_else(|| ApiError::unauthorized("case token required (Authorization: Bearer …)"))?;
    let id = case_id.to_string();
    let row: Option<(String, String)> = st
        .db
        .call(move |c| {
            Ok(c.query_row("SELECT token, status FROM cases WHERE id = ?1", [&id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?)
        })
        .await?;
    let (stored, status) = row.ok_or_else(|| ApiError::not_found("case"))?;
    if !ct_eq(&stored, &token) {
        return Err(ApiError::unauthorized("wrong case token"));
    }
    Ok(status)
}

#[derive(Deserialize, Default)]
pub struct TokenQuery {
    pub token: Option<String>,
    pub last_event_id: Option<i64>,
    pub after: Option<i64>,
    pub wait: Option<u64>,
}

// ---------------------------------------------------------------------------------------------
// Cases

fn case_response(c: &mut Conn, id: &str, created: bool) -> ApiResult<Value> {
    let (token, status, created_at, deadline_at, triage, declared): (String, String, i64, i64, String, String) = c
        .query_row(
            "SELECT token, status, created_at, deadline_at, triage, declared_attachments FROM cases WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )?;
    let expected: Vec<String> = serde_json::from_str(&declared).unwrap_or_default();
    let mut stmt = c.prepare("SELECT id FROM attachments WHERE case_id = ?1 ORDER BY created_at, id")?;
    let received: Vec<String> = stmt.query_map([id], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(json!({
        "id": id,
        "token": token,
        "created": created,
        "status": status,
        "triage": triage,
        "created_at": created_at,
        "deadline_at": deadline_at,
        "sla_seconds": (deadline_at - created_at) / 1000,
        "attachments": { "expected": expected, "received": received },
        "events_url": format!("/api/cases/{id}/events"),
    }))
}

/// `POST /api/cases`
pub async fn create_case(
    axum::extract::State(st): axum::extract::State<State>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    rate_limit(&st, peer, &headers)?;
    let bytes = read_body(&st, body, &headers, st.cfg.max_json_bytes).await?;
    let mut case: NewCase = parse_json(&headers, &bytes)?;
    case.validate(st.cfg.max_attachments)?;
    let fingerprint = sha256_hex(&serde_json::to_vec(&case).map_err(ApiError::internal)?);
    let sla = st.cfg.sla.of(case.triage).as_millis() as i64;
    let client_id: Option<String> =
        headers.get("x-kefu-client").and_then(|v| v.to_str().ok()).map(|s| s.chars().take(64).collect());
    let relay = st.cfg.webhook.is_some();
    let (created, value) = st
        .db
        .call(move |c| {
            let mut tx = c.transaction()?;
            let existing: Option<String> =
                tx.query_row("SELECT fingerprint FROM cases WHERE id = ?1", [&case.id], |r| r.get(0)).optional()?;
            if let Some(fp) = existing {
                if fp != fingerprint {
                    return Err(ApiError::conflict(
                        "case_id_conflict",
                        "a different case with this id exists; generate a new UUID per case",
                    ));
                }
                return Ok((false, case_response(&mut tx, &case.id, false)?));
            }
            let now = now_ms();
            let order_number = case.order_number.as_deref().map(crate::pii::order_number);
            let keep: Vec<&str> = order_number.iter().map(String::as_str).collect();
            tx.execute(
                "INSERT INTO cases (id, created_at, locale, order_number, contact, description, triage, emotion, promise, \
                 tags, declared_attachments, bot_session, token, fingerprint, client_id, deadline_at, email) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
                params![
                    case.id,
                    now,
                    case.locale,
                    order_number,
                    case.contact.as_deref().map(|s| mask(s, &keep)),
                    mask(&case.description, &keep),
                    case.triage.as_str(),
                    case.emotion.as_str(),
                    case.promise.as_deref().map(|s| mask(s, &keep)),
                    serde_json::to_string(&case.tags.iter().map(|t| mask(t, &keep)).collect::<Vec<_>>())
                        .unwrap_or_else(|_| "[]".into()),
                    serde_json::to_string(&case.attachments).unwrap_or_else(|_| "[]".into()),
                    case.bot_session,
                    random_token(),
                    fingerprint,
                    client_id,
                    now + sla,
                    case.email,
                ],
            )?;
            for e in &case.transcript {
                tx.execute(
                    "INSERT INTO messages (case_id, role, text, at, source) VALUES (?1, ?2, ?3, ?4, 'transcript')",
                    params![case.id, e.role.as_str(), mask(&e.text, &keep), e.at.to_ms().unwrap_or(now).min(now)],
                )?;
            }
            if let Some(s) = &case.bot_session {
                tx.execute(
                    "INSERT INTO bot_sessions (id, created_at, updated_at, locale, handed_off) VALUES (?1, ?2, ?2, ?3, 1) \
                     ON CONFLICT(id) DO UPDATE SET handed_off = 1, updated_at = ?2",
                    params![s, now, case.locale],
                )?;
            }
            insert_event(&mut tx, &case.id, "received", json!({ "deadline_at": now + sla, "sla_seconds": sla / 1000 }))?;
            if relay {
                let data = webhook::case_data(&mut tx, &case.id)?;
                webhook::enqueue(&mut tx, "case.created", &case.id, "", data)?;
            }
            let v = case_response(&mut tx, &case.id, true)?;
            tx.commit()?;
            Ok((true, v))
        })
        .await?;
    if created && relay {
        st.outbox.notify_one();
    }
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(value)).into_response())
}

/// `GET /api/cases/{id}`: the case as `POST /api/cases` answered it (status, deadline, which
/// announced photos arrived), for a widget resuming after a reload. Auth: the case token.
pub async fn get_case(
    axum::extract::State(st): axum::extract::State<State>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiPath(case_id): ApiPath<String>,
    ApiQuery(q): ApiQuery<TokenQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (case_id, _) = case_access(&st, peer, &headers, &case_id, q.token.as_deref()).await?;
    let v = st.db.call(move |c| case_response(c, &case_id, false)).await?;
    let mut resp = Json(v).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// Appends a shopper-visible event; the caller notifies `st.events` after commit.
pub fn insert_event(c: &mut Conn, case_id: &str, kind: &str, data: Value) -> ApiResult<i64> {
    let id = c.query_row(
        "INSERT INTO events (case_id, kind, data, at) VALUES (?1, ?2, ?3, ?4) RETURNING id",
        params![case_id, kind, data.to_string(), now_ms()],
        |r| r.get(0),
    )?;
    crate::db::notify_case(c, case_id)?;
    Ok(id)
}

// ---------------------------------------------------------------------------------------------
// Attachments

/// `PUT /api/cases/{id}/attachments/{attachment_id}`: raw image bytes, or multipart/form-data
/// with one file part (named `file`, or with a file name; a second one is refused).
pub async fn put_attachment(
    axum::extract::State(st): axum::extract::State<State>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiPath((case_id, att_id)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<TokenQuery>,
    req: Request,
) -> ApiResult<Response> {
    let headers = req.headers().clone();
    rate_limit(&st, peer, &headers)?;
    let case_id = parse_uuid(&case_id, "case id")?;
    let att_id = parse_uuid(&att_id, "attachment id")?;
    let status = authorize_case(&st, &case_id, bearer(&headers, q.token.as_deref())).await?;

    let limit = st.cfg.max_attachment_bytes;
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let (bytes, declared, filename) = if ct.starts_with("multipart/form-data") {
        // Bounded in time like raw bodies: a trickled upload must not hold its buffer for ever.
        tokio::time::timeout(st.cfg.body_timeout, read_multipart(req, limit)).await.map_err(|_| body_timeout())??
    } else {
        let declared = if ct.is_empty() { None } else { Some(ct.split(';').next().unwrap_or("").trim().to_string()) };
        (read_body(&st, req.into_body(), &headers, limit).await?, declared, None)
    };
    if bytes.is_empty() {
        return Err(ApiError::bad_request("empty_body", "no image bytes"));
    }
    let kind = images::sniff(&bytes).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_type",
            "only JPEG, PNG and WebP images are accepted",
        )
    })?;
    check_declared(kind, declared.as_deref(), filename.as_deref())?;
    let orig_sha = sha256_hex(&bytes);

    // Retry of an upload that already arrived: answer without decoding again.
    if let Some(v) = existing_attachment(&st, &case_id, &att_id, &orig_sha).await? {
        return Ok((StatusCode::OK, Json(v)).into_response());
    }
    // A new photo on a closed case is refused like a message (`post_message`); checked again
    // in the transaction below, for a case closed while this one was decoded.
    if status == "closed" {
        return Err(closed_case());
    }
    check_quota(&st, &case_id, bytes.len() as u64).await?;

    // The permit moves into the blocking task: a client that disconnects cannot free its slot
    // while its decode still runs.
    let permit = st.decode.clone().acquire_owned().await.map_err(ApiError::internal)?;
    let limits = st.cfg.image;
    let data = bytes.clone();
    let processed = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        images::process(&data, &limits)
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(|e| match e {
        e if e.is_too_large() => ApiError::too_large("image_too_large", e.to_string()),
        images::ImageError::Unsupported => {
            ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_type", e.to_string())
        }
        _ => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "image_invalid", e.to_string()),
    })?;

    // Server-generated file name; written in full and synced before the row points at it.
    let file = format!("{}.{}", random_token(), processed.extension());
    let dir = st.cfg.data_dir.join("attachments");
    let path = dir.join(&file);
    let tmp = dir.join(format!("{file}.tmp"));
    let stored = processed.bytes.clone();
    let written = {
        let (tmp, path) = (tmp.clone(), path.clone());
        tokio::task::spawn_blocking(move || write_photo(&tmp, &path, &stored)).await
    };
    match written {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(ApiError::internal(e)),
        Err(e) => {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(ApiError::internal(e));
        }
    }
    // Display text only (never a path); masked like any other text a shopper typed.
    let filename = filename.map(|f| {
        let mut f: String = f.chars().filter(|c| !c.is_control()).take(200).collect();
        strip_bidi_line(&mut f);
        mask(&f, &[])
    });
    let relay = st.cfg.webhook.is_some();
    let max_count = st.cfg.max_attachments as i64;
    let max_bytes = st.cfg.max_case_bytes as i64;
    let (cid, aid, osha) = (case_id.clone(), att_id.clone(), orig_sha.clone());
    let file2 = file.clone();
    let result = st
        .db
        .call(move |c| {
            let mut tx = c.transaction()?;
            if let Some(v) = lookup_attachment(&mut tx, &cid, &aid, &osha)? {
                return Ok((false, v));
            }
            let status: String = tx.query_row("SELECT status FROM cases WHERE id = ?1", [&cid], |r| r.get(0))?;
            if status == "closed" {
                return Err(closed_case());
            }
            let (count, total): (i64, i64) = tx.query_row(
                "SELECT COUNT(*), CAST(COALESCE(SUM(orig_size), 0) AS BIGINT) FROM attachments WHERE case_id = ?1",
                [&cid],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if count >= max_count {
                return Err(ApiError::conflict("attachment_limit", format!("a case holds at most {max_count} photos")));
            }
            if total + bytes.len() as i64 > max_bytes {
                return Err(ApiError::too_large("case_too_large", format!("photos of a case total at most {max_bytes} bytes")));
            }
            tx.execute(
                "INSERT INTO attachments (id, case_id, file, mime, width, height, size, sha256, orig_size, orig_sha256, filename, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    aid,
                    cid,
                    file2,
                    processed.mime(),
                    processed.width,
                    processed.height,
                    processed.bytes.len() as i64,
                    sha256_hex(&processed.bytes),
                    bytes.len() as i64,
                    osha,
                    filename,
                    now_ms()
                ],
            )?;
            let v = lookup_attachment(&mut tx, &cid, &aid, &osha)?.ok_or_else(|| ApiError::internal("attachment vanished"))?;
            if relay {
                let data = webhook::attachment_data(&mut tx, &aid)?;
                webhook::enqueue(&mut tx, "attachment.added", &cid, &aid, data)?;
            }
            tx.commit()?;
            Ok((true, v))
        })
        .await;
    match result {
        Ok((true, v)) => {
            if relay {
                st.outbox.notify_one();
            }
            Ok((StatusCode::CREATED, Json(v)).into_response())
        }
        Ok((false, v)) => {
            let _ = tokio::fs::remove_file(&path).await;
            Ok((StatusCode::OK, Json(v)).into_response())
        }
        Err(e) => {
            let _ = tokio::fs::remove_file(&path).await;
            Err(e)
        }
    }
}

/// A follow-up (message or photo) on a closed case.
fn closed_case() -> ApiError {
    ApiError::conflict("case_closed", "this case is closed; start a new conversation")
}

/// Writes a photo in full: to `tmp`, synced, then renamed to `path`. On any failure `tmp` is
/// removed (on a full disk, half-written files would keep the space taken until a restart)
/// and the error names the file and the OS error, for the log.
pub(crate) fn write_photo(tmp: &std::path::Path, path: &std::path::Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let written = std::fs::File::create(tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    let result = match written {
        Ok(()) => {
            std::fs::rename(tmp, path).map_err(|e| format!("renaming {} to {}: {e}", tmp.display(), path.display()))
        }
        Err(e) => Err(format!("writing photo {}: {e}", tmp.display())),
    };
    if result.is_err() {
        let _ = std::fs::remove_file(tmp);
    }
    result
}

/// The one file part of a multipart upload: (bytes, declared type, file name). A second file
/// part is refused rather than dropped: its photo would be lost without a word.
async fn read_multipart(req: Request, limit: usize) -> ApiResult<(Bytes, Option<String>, Option<String>)> {
    let bad = |m: String| ApiError::bad_request("invalid_multipart", m);
    let mut mp = Multipart::from_request(req, &()).await.map_err(|e| bad(e.body_text()))?;
    let mut found = None;
    while let Some(mut field) = mp.next_field().await.map_err(|e| bad(e.body_text()))? {
        let is_file = field.name() == Some("file") || field.file_name().is_some();
        if !is_file {
            continue;
        }
        if found.is_some() {
            return Err(bad(
                "one photo per request: upload each photo in a PUT of its own, with its own attachment id".into(),
            ));
        }
        let declared = field.content_type().map(|s| s.to_ascii_lowercase());
        let name = field.file_name().map(str::to_string);
        let mut buf = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::too_large("body_too_large", format!("image over {limit} bytes"))
            } else {
                bad(e.body_text())
            }
        })? {
            buf.extend_from_slice(&chunk);
            if buf.len() > limit {
                return Err(ApiError::too_large("body_too_large", format!("image over {limit} bytes")));
            }
        }
        found = Some((Bytes::from(buf), declared, name));
    }
    found.ok_or_else(|| bad("no file part (send the image in a part named `file`)".into()))
}

/// A declared type (Content-Type or file-name extension) must agree with the bytes.
fn check_declared(kind: Kind, declared: Option<&str>, filename: Option<&str>) -> ApiResult<()> {
    let mismatch = |what: &str| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "type_mismatch",
            format!("{what} does not match the file contents ({})", kind.mime()),
        )
    };
    if let Some(d) = declared.filter(|d| !d.is_empty() && *d != "application/octet-stream") {
        match Kind::from_mime(d) {
            Some(k) if k == kind => {}
            Some(_) => return Err(mismatch("Content-Type")),
            None => {
                return Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_type",
                    format!("Content-Type {d} is not accepted; send image/jpeg, image/png or image/webp"),
                ))
            }
        }
    }
    if let Some(name) = filename {
        match Kind::from_extension(name) {
            Some(k) if k != kind => return Err(mismatch("file name extension")),
            None if name.contains('.') => {
                return Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_type",
                    "file name extension is not .jpg, .jpeg, .png or .webp",
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

fn lookup_attachment(c: &mut Conn, case_id: &str, att_id: &str, orig_sha: &str) -> ApiResult<Option<Value>> {
    let row: Option<(String, String, String, i64, i64, i64, String)> = c
        .query_row(
            "SELECT case_id, orig_sha256, mime, width, height, size, sha256 FROM attachments WHERE id = ?1",
            [att_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )
        .optional()?;
    match row {
        None => Ok(None),
        Some((cid, osha, mime, w, h, size, sha)) => {
            if cid != case_id || osha != orig_sha {
                return Err(ApiError::conflict(
                    "attachment_id_conflict",
                    "a different photo with this attachment id exists; generate a new UUID per photo",
                ));
            }
            Ok(Some(json!({
                "id": att_id, "case_id": case_id, "mime": mime, "width": w, "height": h,
                "size": size, "sha256": sha,
            })))
        }
    }
}

async fn existing_attachment(st: &State, case_id: &str, att_id: &str, orig_sha: &str) -> ApiResult<Option<Value>> {
    let (c, a, o) = (case_id.to_string(), att_id.to_string(), orig_sha.to_string());
    st.db.call(move |conn| lookup_attachment(conn, &c, &a, &o)).await
}

async fn check_quota(st: &State, case_id: &str, incoming: u64) -> ApiResult<()> {
    let cid = case_id.to_string();
    let (count, total): (i64, i64) = st
        .db
        .call(move |c| {
            Ok(c.query_row(
                "SELECT COUNT(*), CAST(COALESCE(SUM(orig_size), 0) AS BIGINT) FROM attachments WHERE case_id = ?1",
                [&cid],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .await?;
    if count as usize >= st.cfg.max_attachments {
        return Err(ApiError::conflict(
            "attachment_limit",
            format!("a case holds at most {} photos", st.cfg.max_attachments),
        ));
    }
    if total as u64 + incoming > st.cfg.max_case_bytes {
        return Err(ApiError::too_large(
            "case_too_large",
            format!("photos of a case total at most {} bytes", st.cfg.max_case_bytes),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Shopper follow-ups and ratings

/// What every shopper request on an existing case does first: rate limit, check the case id
/// and its token (`Authorization: Bearer`, or `?token=` where a query token is allowed).
/// Returns the case id and its status.
pub(crate) async fn case_access(
    st: &State,
    peer: SocketAddr,
    headers: &HeaderMap,
    case_id: &str,
    query_token: Option<&str>,
) -> ApiResult<(String, String)> {
    rate_limit(st, peer, headers)?;
    let case_id = parse_uuid(case_id, "case id")?;
    let status = authorize_case(st, &case_id, bearer(headers, query_token)).await?;
    Ok((case_id, status))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    pub text: String,
    #[serde(default)]
    pub client_msg_id: Option<String>,
}

/// `POST /api/cases/{id}/messages`
pub async fn post_message(
    axum::extract::State(st): axum::extract::State<State>,
    CaseBody { case_id, status, body: mut m }: CaseBody<NewMessage>,
) -> ApiResult<Response> {
    strip_bidi(&mut m.text);
    m.text = trim_blank(&m.text);
    if m.text.is_empty() {
        return Err(ApiError::invalid("text", "empty message"));
    }
    check_text("text", &m.text, MAX_TEXT, true)?;
    if let Some(id) = &mut m.client_msg_id {
        *id = parse_uuid(id, "client_msg_id")?;
    }
    if status == "closed" {
        return Err(closed_case());
    }
    let relay = st.cfg.webhook.is_some();
    let (created, v) = st
        .db
        .call(move |c| {
            let mut tx = c.transaction()?;
            let order: Option<String> =
                tx.query_row("SELECT order_number FROM cases WHERE id = ?1", [&case_id], |r| r.get(0))?;
            let keep: Vec<&str> = order.iter().map(String::as_str).collect();
            let text = mask(&m.text, &keep);
            if let Some(cm) = &m.client_msg_id {
                let row: Option<(i64, i64, String)> = tx
                    .query_row(
                        "SELECT id, at, text FROM messages WHERE case_id = ?1 AND client_msg_id = ?2",
                        params![case_id, cm],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()?;
                if let Some((id, at, stored)) = row {
                    // The stored text is masked and the case's order number never changes, so a
                    // true replay masks to the very same text (no unmasked copy is kept to compare).
                    if stored != text {
                        return Err(ApiError::conflict(
                            "client_msg_id_conflict",
                            "a different message with this client_msg_id exists; generate a new UUID per message",
                        ));
                    }
                    return Ok((false, json!({ "id": id, "at": at })));
                }
            }
            let now = now_ms();
            let id: i64 = tx.query_row(
                "INSERT INTO messages (case_id, role, text, at, source, client_msg_id) VALUES (?1, 'shopper', ?2, ?3, 'live', ?4) \
                 RETURNING id",
                params![case_id, text, now, m.client_msg_id],
                |r| r.get(0),
            )?;
            if relay {
                let data = webhook::message_data(&mut tx, id)?;
                webhook::enqueue(&mut tx, "message.added", &case_id, &id.to_string(), data)?;
            }
            tx.commit()?;
            Ok((true, json!({ "id": id, "at": now })))
        })
        .await?;
    if created && relay {
        st.outbox.notify_one();
    }
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(v)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRating {
    pub rating: i64,
    #[serde(default)]
    pub comment: Option<String>,
}

/// `POST /api/cases/{id}/rating`
pub async fn post_rating(
    axum::extract::State(st): axum::extract::State<State>,
    CaseBody { case_id, status, body: mut r }: CaseBody<NewRating>,
) -> ApiResult<Response> {
    if let Some(c) = &mut r.comment {
        strip_bidi(c);
    }
    if !(1..=5).contains(&r.rating) {
        return Err(ApiError::invalid("rating", "must be an integer from 1 to 5"));
    }
    if let Some(c) = &r.comment {
        check_text("comment", c, 1000, true)?;
    }
    if status != "closed" {
        return Err(ApiError::conflict("case_not_closed", "ratings are accepted once the case is closed"));
    }
    let now = now_ms();
    st.db
        .call(move |c| {
            let comment = r.comment.as_deref().map(|s| mask(s.trim(), &[]));
            c.execute(
                "UPDATE cases SET rating = ?1, rating_comment = ?2, rated_at = ?3 WHERE id = ?4",
                params![r.rating, comment, now, case_id],
            )?;
            Ok(())
        })
        .await?;
    Ok(Json(json!({ "rating": r.rating, "rated_at": now })).into_response())
}

// ---------------------------------------------------------------------------------------------
// Bot sessions (for the self-service rate)

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BotSession {
    pub id: String,
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub messages: u32,
    #[serde(default)]
    pub answered: u32,
    #[serde(default)]
    pub handed_off: bool,
}

/// `POST /api/sessions`: one beacon per widget conversation (repeatable; counters only grow).
pub async fn post_session(
    axum::extract::State(st): axum::extract::State<State>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    rate_limit(&st, peer, &headers)?;
    let bytes = read_body(&st, body, &headers, 16 * 1024).await?;
    let mut s: BotSession = parse_json(&headers, &bytes)?;
    s.id = parse_uuid(&s.id, "id")?;
    if let Some(l) = &s.locale {
        check_locale(l)?;
    }
    if s.messages > 10_000 || s.answered > s.messages.max(1) * 10 {
        return Err(ApiError::invalid("messages", "implausible counters"));
    }
    st.db
        .call(move |c| {
            let now = now_ms();
            c.execute(
                "INSERT INTO bot_sessions (id, created_at, updated_at, locale, messages, answered, handed_off) \
                 VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET updated_at = ?2, \
                 messages = CASE WHEN bot_sessions.messages > excluded.messages THEN bot_sessions.messages ELSE excluded.messages END, \
                 answered = CASE WHEN bot_sessions.answered > excluded.answered THEN bot_sessions.answered ELSE excluded.answered END, \
                 handed_off = CASE WHEN bot_sessions.handed_off > excluded.handed_off THEN bot_sessions.handed_off ELSE excluded.handed_off END",
                params![s.id, now, s.locale, s.messages, s.answered, s.handed_off as i64],
            )?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---------------------------------------------------------------------------------------------
// Events: SSE with Last-Event-ID resume, or JSON long-poll

#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub at: i64,
    pub data: Value,
}

async fn fetch_events(st: &State, case_id: &str, after: i64) -> ApiResult<Vec<EventRow>> {
    let id = case_id.to_string();
    st.db
        .call(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, kind, at, data FROM events WHERE case_id = ?1 AND id > ?2 ORDER BY id LIMIT 200",
            )?;
            let rows = stmt
                .query_map(params![id, after], |r| {
                    let data: String = r.get(3)?;
                    Ok(EventRow {
                        id: r.get(0)?,
                        kind: r.get(1)?,
                        at: r.get(2)?,
                        data: serde_json::from_str(&data).unwrap_or(Value::Null),
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await
}

/// Waits until `case_id` has news (or the channel lagged/closed).
async fn wait_for_case(rx: &mut tokio::sync::broadcast::Receiver<Arc<str>>, case_id: &str) {
    loop {
        match rx.recv().await {
            Ok(id) if &*id == case_id => return,
            Ok(_) => continue,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => return,
            Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                std::future::pending::<()>().await;
            }
        }
    }
}

/// The next typing signal for `case_id` (signals lost to a lagging stream are skipped).
async fn typing_for_case(
    rx: &mut tokio::sync::broadcast::Receiver<crate::live::Typing>,
    case_id: &str,
) -> crate::live::Typing {
    loop {
        match rx.recv().await {
            Ok(t) if &*t.case_id == case_id => return t,
            Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
            Err(tokio::sync::broadcast::error::RecvError::Closed) => std::future::pending::<()>().await,
        }
    }
}

fn sse_event(e: &EventRow) -> Event {
    let mut payload = serde_json::Map::new();
    payload.insert("id".into(), json!(e.id));
    payload.insert("type".into(), json!(e.kind));
    payload.insert("at".into(), json!(e.at));
    if let Value::Object(m) = &e.data {
        for (k, v) in m {
            payload.insert(k.clone(), v.clone());
        }
    }
    Event::default().id(e.id.to_string()).event(&e.kind).data(Value::Object(payload).to_string())
}

/// `GET /api/cases/{id}/events`
pub async fn get_events(
    axum::extract::State(st): axum::extract::State<State>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiPath(case_id): ApiPath<String>,
    ApiQuery(q): ApiQuery<TokenQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (case_id, _) = case_access(&st, peer, &headers, &case_id, q.token.as_deref()).await?;
    let header_last =
        headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<i64>().ok());
    let after = header_last.or(q.last_event_id).or(q.after).unwrap_or(0).max(0);
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mut rx = st.events.subscribe();

    if accept.contains("application/json") && !accept.contains("text/event-stream") {
        // Long-poll: answer at once if there is news, else wait up to `wait` seconds (max 30).
        let wait = Duration::from_secs(q.wait.unwrap_or(25).min(30));
        let mut events = fetch_events(&st, &case_id, after).await?;
        if events.is_empty() && !wait.is_zero() {
            let mut shutdown = st.shutdown.clone();
            tokio::select! {
                _ = wait_for_case(&mut rx, &case_id) => {}
                _ = tokio::time::sleep(wait) => {}
                _ = shutdown.wait_for(|s| *s) => {}
            }
            events = fetch_events(&st, &case_id, after).await?;
        }
        let last = events.last().map_or(after, |e| e.id);
        let list: Vec<Value> = events
            .iter()
            .map(|e| {
                let mut m = match &e.data {
                    Value::Object(m) => m.clone(),
                    _ => serde_json::Map::new(),
                };
                m.insert("id".into(), json!(e.id));
                m.insert("type".into(), json!(e.kind));
                m.insert("at".into(), json!(e.at));
                Value::Object(m)
            })
            .collect();
        let mut resp = Json(json!({ "events": list, "last_event_id": last })).into_response();
        resp.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
        return Ok(resp);
    }

    struct S {
        st: State,
        case_id: String,
        last: i64,
        buf: VecDeque<EventRow>,
        rx: tokio::sync::broadcast::Receiver<Arc<str>>,
        /// Agents typing (relayed as they come, never stored: see [`crate::live`]).
        typing: tokio::sync::broadcast::Receiver<crate::live::Typing>,
        shutdown: tokio::sync::watch::Receiver<bool>,
        first: bool,
    }
    let typing = st.typing.subscribe();
    let init =
        S { shutdown: st.shutdown.clone(), st, case_id, last: after, buf: VecDeque::new(), rx, typing, first: true };
    let stream = futures_util::stream::unfold(init, |mut s| async move {
        if s.first {
            s.first = false;
            // Tell EventSource how soon to reconnect after a drop.
            return Some((Ok::<_, Infallible>(Event::default().retry(Duration::from_secs(3)).comment("kefu")), s));
        }
        loop {
            if *s.shutdown.borrow() {
                return None;
            }
            if let Some(e) = s.buf.pop_front() {
                s.last = e.id;
                return Some((Ok(sse_event(&e)), s));
            }
            match fetch_events(&s.st, &s.case_id, s.last).await {
                Ok(v) if !v.is_empty() => {
                    s.buf.extend(v);
                    continue;
                }
                Ok(_) => {}
                Err(_) => return None,
            }
            let case_id = s.case_id.clone();
            let typed = tokio::select! {
                _ = wait_for_case(&mut s.rx, &case_id) => None,
                t = typing_for_case(&mut s.typing, &case_id) => Some(t),
                _ = tokio::time::sleep(Duration::from_secs(30)) => None,
                _ = s.shutdown.wait_for(|v| *v) => return None,
            };
            if let Some(t) = typed {
                // No id: a typing signal never moves the resume point.
                return Some((Ok(Event::default().event("typing").data(t.data().to_string())), s));
            }
        }
    });
    let mut resp = Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    resp.headers_mut().insert("x-accel-buffering", header::HeaderValue::from_static("no"));
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_photo_write_leaves_no_temp_file_and_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let (tmp, path) = (dir.path().join("abc.jpg.tmp"), dir.path().join("abc.jpg"));
        // The rename fails: a non-empty directory holds the final name.
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("x"), b"x").unwrap();
        let e = write_photo(&tmp, &path, b"photo bytes").unwrap_err();
        assert!(!tmp.exists(), "temp file left behind");
        assert!(e.contains(&tmp.display().to_string()) && e.contains("os error"), "{e}");
        // The write fails: no such directory.
        let gone = dir.path().join("missing").join("abc.jpg");
        let e = write_photo(&gone.with_extension("jpg.tmp"), &gone, b"x").unwrap_err();
        assert!(e.contains("missing/abc.jpg.tmp") && e.contains("os error 2"), "{e}");
        write_photo(&tmp, &dir.path().join("ok.jpg"), b"photo bytes").unwrap();
        assert_eq!(std::fs::read(dir.path().join("ok.jpg")).unwrap(), b"photo bytes");
        assert!(!tmp.exists());
    }

    #[test]
    fn json_content_type_is_exact_and_bidi_controls_go() {
        for ok in ["application/json", "APPLICATION/JSON", "application/json; charset=utf-8", "application/json;"] {
            assert!(is_json_type(ok), "{ok}");
        }
        for bad in ["", "application/jsonfoo", "application/json-seq", "text/json", "application/json; charset=utf-16"]
        {
            assert!(!is_json_type(bad), "{bad}");
        }
        let mut s =
            "\u{202A}a\u{202B}b\u{202C}c\u{202D}d\u{202E}e\u{2066}f\u{2067}g\u{2068}h\u{2069}\u{200F}".to_string();
        strip_bidi(&mut s);
        assert_eq!(s, "abcdefgh\u{200F}", "marks stay in running text, where they place punctuation");
        // In a one-line value they reorder digit groups: gone, with zero-width characters.
        for (given, kept) in [
            ("111-\u{200F}222-\u{200F}333", "111-222-333"),
            ("\u{200F}138-\u{200F}0000-\u{200F}1234", "138-0000-1234"),
            ("\u{061C}2024-\u{061C}1123", "2024-1123"),
            ("\u{200B}\u{200B}", ""),
        ] {
            let mut s = given.to_string();
            strip_bidi_line(&mut s);
            assert_eq!(s, kept);
        }
    }
}
