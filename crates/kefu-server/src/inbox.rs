//! The agent inbox: JSON endpoints under `/inbox/api/` behind a session cookie, the SLA
//! escalation loop, and the static page (`assets/`).
//!
//! Roles (least privilege): an agent reads the queue and replies to unassigned cases and
//! cases assigned to them; a supervisor also replies to any case, reassigns and closes.

use std::net::SocketAddr;
use std::time::Duration;

use crate::db::{params, Conn, OptionalExtension};
use axum::body::Body;
use axum::extract::{ConnectInfo, State as AxState};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::{insert_event, parse_json, read_body};
use crate::auth::{self, User};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::pii::mask;
use crate::util::{now_ms, parse_uuid};
use crate::webhook;
use crate::State;

fn no_store(mut r: Response) -> Response {
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The Origin of a request, when sent, must be this server (login CSRF).
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let o = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")).unwrap_or("");
    !host.is_empty() && o == host
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub name: String,
    pub password: String,
}

/// `POST /inbox/api/login` `{name, password}` → session cookie + `{user, role, csrf}`.
pub async fn login(
    AxState(st): AxState<State>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let too_many =
        || ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many login attempts; wait a minute");
    // Behind a reverse proxy every login comes from one IP: the per-IP cap is looser, and the
    // tight limit is per (IP, user name), so guessing one name does not lock out the others.
    let ip = peer.ip().to_string();
    if !st.login_ip_limiter.check(&ip) {
        return Err(too_many());
    }
    if !same_origin(&headers) {
        return Err(ApiError::forbidden("cross_origin", "login from another origin"));
    }
    let bytes = read_body(&st, body, &headers, 4096).await?;
    let l: Login = parse_json(&headers, &bytes)?;
    let name_key: String = l.name.chars().take(64).collect();
    if !st.login_limiter.check(&format!("{ip}\n{name_key}")) {
        return Err(too_many());
    }
    let (token, user) = auth::login(&st, l.name, l.password).await?;
    let cookie = auth::session_cookie(&token, st.cfg.session_ttl.as_secs(), st.cfg.secure_cookie);
    let mut resp = Json(json!({ "name": user.name, "role": user.role, "csrf": user.csrf })).into_response();
    resp.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(ApiError::internal)?);
    Ok(no_store(resp))
}

/// `POST /inbox/api/logout`
pub async fn logout(AxState(st): AxState<State>, headers: HeaderMap) -> ApiResult<Response> {
    auth::require_user_csrf(&st, &headers).await?;
    auth::logout(&st, &headers).await?;
    let mut resp = StatusCode::NO_CONTENT.into_response();
    let cookie = auth::session_cookie("", 0, st.cfg.secure_cookie);
    resp.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(ApiError::internal)?);
    Ok(resp)
}

/// `GET /inbox/api/me` → `{name, role, csrf}`.
pub async fn me(AxState(st): AxState<State>, headers: HeaderMap) -> ApiResult<Response> {
    let u = auth::require_user(&st, &headers).await?;
    Ok(no_store(Json(json!({ "name": u.name, "role": u.role, "csrf": u.csrf })).into_response()))
}

#[derive(Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    pub status: Option<String>,
    /// Cases to skip (paging).
    #[serde(default)]
    pub offset: Option<u32>,
    /// Cases per page, 1 to [`QUEUE_PAGE`].
    #[serde(default)]
    pub limit: Option<u32>,
}

/// The largest (and default) page of the queue.
pub const QUEUE_PAGE: u32 = 500;

/// `GET /inbox/api/queue?status=open|closed|all&offset=N&limit=N` → a page of cases, most
/// urgent deadline first, with `total` (all that match) and `not_shown` (matching cases not
/// on this page): anyone can create cases, so a flood must not silently hide the rest.
pub async fn queue(
    AxState(st): AxState<State>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> ApiResult<Response> {
    auth::require_user(&st, &headers).await?;
    let status = q.status.unwrap_or_else(|| "open".into());
    // (filter, how many of the parameters [now, escalate_ms] it uses)
    let (filter, used) = match status.as_str() {
        "open" => ("c.status = 'open'", 0),
        "escalated" => (
            "c.status = 'open' AND c.first_response_at IS NULL AND (c.escalated_at IS NOT NULL OR c.deadline_at < ?1)",
            1,
        ),
        "supervisor" => ("c.status = 'open' AND (c.supervisor_at IS NOT NULL OR c.created_at + ?2 < ?1)", 2),
        "closed" => ("c.status = 'closed'", 0),
        "all" => ("1 = 1", 0),
        _ => {
            return Err(ApiError::bad_request("invalid_status", "status is open, escalated, supervisor, closed or all"))
        }
    };
    let limit = q.limit.unwrap_or(QUEUE_PAGE);
    if !(1..=QUEUE_PAGE).contains(&limit) {
        return Err(ApiError::bad_request("invalid_query", format!("limit is 1 to {QUEUE_PAGE}")).field("limit"));
    }
    let offset = q.offset.unwrap_or(0);
    let escalate_ms = st.cfg.escalate_after.as_millis() as i64;
    let list = st
        .db
        .call(move |c| {
            let now = now_ms();
            let sql = format!(
                "SELECT c.id, c.created_at, c.triage, c.emotion, c.tags, c.order_number, substr(c.description, 1, 140), \
                 c.deadline_at, c.first_response_at, c.escalated_at, c.supervisor_at, c.status, u.name, \
                 (SELECT COUNT(*) FROM attachments a WHERE a.case_id = c.id), \
                 (SELECT MAX(at) FROM messages m WHERE m.case_id = c.id), c.rating, c.locale, c.email \
                 FROM cases c LEFT JOIN users u ON u.id = c.assigned_to WHERE {filter} \
                 ORDER BY c.status = 'closed', c.first_response_at IS NOT NULL, c.deadline_at, c.created_at, c.id \
                 LIMIT {limit} OFFSET {offset}"
            );
            let total: i64 = c.query_row(
                &format!("SELECT COUNT(*) FROM cases c WHERE {filter}"),
                &params![now, escalate_ms][..used],
                |r| r.get(0),
            )?;
            let mut stmt = c.prepare(&sql)?;
            let rows = stmt
                .query_map(&params![now, escalate_ms][..used], |r| {
                    let created: i64 = r.get(1)?;
                    let deadline: i64 = r.get(7)?;
                    let first: Option<i64> = r.get(8)?;
                    let status: String = r.get(11)?;
                    let open = status == "open";
                    let overdue = open && first.is_none() && now > deadline;
                    let escalated_at: Option<i64> = r.get(9)?;
                    let supervisor_at: Option<i64> = r.get(10)?;
                    let tags: String = r.get(4)?;
                    Ok(json!({
                        "id": r.get::<_, String>(0)?,
                        "created_at": created,
                        "triage": r.get::<_, String>(2)?,
                        "emotion": r.get::<_, String>(3)?,
                        "tags": serde_json::from_str::<Value>(&tags).unwrap_or(json!([])),
                        "order_number": r.get::<_, Option<String>>(5)?,
                        "summary": r.get::<_, String>(6)?,
                        "deadline_at": deadline,
                        "first_response_at": first,
                        "escalated": escalated_at.is_some() || overdue,
                        "supervisor": supervisor_at.is_some() || (open && now - created > escalate_ms),
                        "status": status,
                        "assigned_to": r.get::<_, Option<String>>(12)?,
                        "attachments": r.get::<_, i64>(13)?,
                        "last_message_at": r.get::<_, Option<i64>>(14)?,
                        "rating": r.get::<_, Option<i64>>(15)?,
                        "locale": r.get::<_, String>(16)?,
                        "email": r.get::<_, Option<String>>(17)?,
                    }))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let not_shown = (total - rows.len() as i64).max(0);
            Ok(json!({ "now": now, "cases": rows, "total": total, "offset": offset, "limit": limit, "not_shown": not_shown }))
        })
        .await?;
    Ok(no_store(Json(list).into_response()))
}

/// `GET /inbox/api/cases/{id}` → the case with transcript, follow-ups, replies and photos.
pub async fn case_detail(
    AxState(st): AxState<State>,
    headers: HeaderMap,
    ApiPath(case_id): ApiPath<String>,
) -> ApiResult<Response> {
    auth::require_user(&st, &headers).await?;
    let case_id = parse_uuid(&case_id, "case id")?;
    let escalate_ms = st.cfg.escalate_after.as_millis() as i64;
    let v = st
        .db
        .call(move |c| {
            let now = now_ms();
            let case = c
                .query_row(
                    &format!(
                        "SELECT {}, c.status, u.name, c.first_response_at, c.escalated_at, c.supervisor_at, \
                         c.closed_at, c.resolved, c.rating, c.rating_comment, c.email \
                         FROM cases c LEFT JOIN users u ON u.id = c.assigned_to WHERE c.id = ?1",
                        webhook::CASE_HEAD
                    ),
                    [&case_id],
                    |r| {
                        let mut m = webhook::case_head(r)?;
                        let created: i64 = r.get(1)?;
                        let deadline: i64 = r.get(11)?;
                        let status: String = r.get(12)?;
                        let first: Option<i64> = r.get(14)?;
                        let open = status == "open";
                        let more = json!({
                            "status": status,
                            "assigned_to": r.get::<_, Option<String>>(13)?,
                            "first_response_at": first,
                            "escalated": r.get::<_, Option<i64>>(15)?.is_some() || (open && first.is_none() && now > deadline),
                            "supervisor": r.get::<_, Option<i64>>(16)?.is_some() || (open && now - created > escalate_ms),
                            "closed_at": r.get::<_, Option<i64>>(17)?,
                            "resolved": r.get::<_, Option<i64>>(18)?.map(|v| v != 0),
                            "rating": r.get::<_, Option<i64>>(19)?,
                            "rating_comment": r.get::<_, Option<String>>(20)?,
                            "email": r.get::<_, Option<String>>(21)?,
                        });
                        if let Value::Object(more) = more {
                            m.extend(more);
                        }
                        Ok(Value::Object(m))
                    },
                )
                .optional()?
                .ok_or_else(|| ApiError::not_found("case"))?;
            let mut stmt = c.prepare(
                "SELECT m.id, m.role, m.text, m.at, m.source, u.name FROM messages m LEFT JOIN users u ON u.id = m.author \
                 WHERE m.case_id = ?1 ORDER BY m.source = 'live', m.at, m.id",
            )?;
            let messages = stmt
                .query_map([&case_id], |r| {
                    Ok(json!({
                        "id": r.get::<_, i64>(0)?, "role": r.get::<_, String>(1)?, "text": r.get::<_, String>(2)?,
                        "at": r.get::<_, i64>(3)?, "source": r.get::<_, String>(4)?, "agent": r.get::<_, Option<String>>(5)?,
                    }))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let mut stmt = c.prepare(
                "SELECT id, mime, width, height, size, filename, created_at FROM attachments WHERE case_id = ?1 ORDER BY created_at, id",
            )?;
            let attachments = stmt
                .query_map([&case_id], |r| {
                    let id: String = r.get(0)?;
                    Ok(json!({
                        "url": format!("/inbox/api/cases/{case_id}/attachments/{id}"),
                        "id": id, "mime": r.get::<_, String>(1)?, "width": r.get::<_, i64>(2)?, "height": r.get::<_, i64>(3)?,
                        "size": r.get::<_, i64>(4)?, "filename": r.get::<_, Option<String>>(5)?, "created_at": r.get::<_, i64>(6)?,
                    }))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let mut v = case;
            v["messages"] = json!(messages);
            v["attachments"] = json!(attachments);
            Ok(v)
        })
        .await?;
    Ok(no_store(Json(v).into_response()))
}

/// `GET /inbox/api/cases/{id}/attachments/{att}` → the stored (re-encoded) image.
pub async fn attachment(
    AxState(st): AxState<State>,
    headers: HeaderMap,
    ApiPath((case_id, att_id)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    auth::require_user(&st, &headers).await?;
    let case_id = parse_uuid(&case_id, "case id")?;
    let att_id = parse_uuid(&att_id, "attachment id")?;
    let row: Option<(String, String)> = st
        .db
        .call(move |c| {
            Ok(c.query_row(
                "SELECT file, mime FROM attachments WHERE id = ?1 AND case_id = ?2",
                params![att_id, case_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
        })
        .await?;
    let (file, mime) = row.ok_or_else(|| ApiError::not_found("attachment"))?;
    // `file` is a server-generated name; still refuse anything path-like.
    if file.contains('/') || file.contains('\\') || file.contains("..") {
        return Err(ApiError::internal("bad stored file name"));
    }
    let bytes = crate::util::read_photo(&st.cfg.data_dir, &file).await?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_str(&mime).map_err(ApiError::internal)?);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=3600"));
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("inline"));
    h.insert("content-security-policy", HeaderValue::from_static("default-src 'none'; sandbox"));
    Ok(resp)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    pub text: String,
}

fn audit(c: &mut Conn, user: &User, action: &str, case_id: &str, detail: &str) -> ApiResult<()> {
    c.execute(
        "INSERT INTO audit (at, user_id, action, case_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![now_ms(), user.id, action, case_id, detail],
    )?;
    Ok(())
}

/// `POST /inbox/api/cases/{id}/reply` `{text}`: stored, and sent to the shopper as an event.
pub async fn reply(
    AxState(st): AxState<State>,
    headers: HeaderMap,
    ApiPath(case_id): ApiPath<String>,
    body: Body,
) -> ApiResult<Response> {
    let user = auth::require_user_csrf(&st, &headers).await?;
    let case_id = parse_uuid(&case_id, "case id")?;
    let bytes = read_body(&st, body, &headers, st.cfg.max_json_bytes).await?;
    let mut r: Reply = parse_json(&headers, &bytes)?;
    // The shopper's rules: an agent's text reaches the shopper, mails and webhooks too.
    crate::api::strip_bidi(&mut r.text);
    let text = crate::api::trim_blank(&r.text);
    if text.is_empty() {
        return Err(ApiError::invalid("text", "empty reply"));
    }
    crate::api::check_text("text", &text, crate::api::MAX_TEXT, true)?;
    let cid = case_id.clone();
    let v = st
        .db
        .call(move |c| {
            let mut tx = c.transaction()?;
            let row: Option<(String, Option<i64>, Option<String>)> = tx
                .query_row("SELECT status, assigned_to, order_number FROM cases WHERE id = ?1", [&cid], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()?;
            let (status, assigned, order) = row.ok_or_else(|| ApiError::not_found("case"))?;
            if status == "closed" {
                return Err(ApiError::conflict("case_closed", "the case is closed"));
            }
            if let Some(a) = assigned {
                if a != user.id && !user.is_supervisor() {
                    return Err(ApiError::forbidden("not_assigned", "this case is assigned to another agent"));
                }
            }
            let keep: Vec<&str> = order.iter().map(String::as_str).collect();
            let text = mask(&text, &keep);
            let now = now_ms();
            let mid: i64 = tx.query_row(
                "INSERT INTO messages (case_id, role, text, at, author, source) VALUES (?1, 'agent', ?2, ?3, ?4, 'live') RETURNING id",
                params![cid, text, now, user.id],
                |r| r.get(0),
            )?;
            tx.execute(
                "UPDATE cases SET first_response_at = COALESCE(first_response_at, ?1), assigned_to = COALESCE(assigned_to, ?2) WHERE id = ?3",
                params![now, user.id, cid],
            )?;
            insert_event(&mut tx, &cid, "message", json!({ "role": "agent", "agent": user.name, "text": text, "message_id": mid }))?;
            audit(&mut tx, &user, "reply", &cid, "")?;
            tx.commit()?;
            Ok(json!({ "id": mid, "at": now }))
        })
        .await?;
    let _ = st.events.send(case_id.into());
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// What a supervisor's post on a case does first: the signed-in user with the CSRF token, the
/// supervisor role (`action` names what needs it), the case id and the body (4 KiB at most).
async fn supervisor_post(
    st: &State,
    headers: &HeaderMap,
    case_id: &str,
    body: Body,
    action: &str,
) -> ApiResult<(User, String, axum::body::Bytes)> {
    let user = auth::require_user_csrf(st, headers).await?;
    if !user.is_supervisor() {
        return Err(ApiError::forbidden("role", format!("only a supervisor can {action}")));
    }
    let case_id = parse_uuid(case_id, "case id")?;
    let bytes = read_body(st, body, headers, 4096).await?;
    Ok((user, case_id, bytes))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assign {
    /// User name, or null to unassign.
    pub user: Option<String>,
}

/// `POST /inbox/api/cases/{id}/assign` `{user}` (supervisor).
pub async fn assign(
    AxState(st): AxState<State>,
    headers: HeaderMap,
    ApiPath(case_id): ApiPath<String>,
    body: Body,
) -> ApiResult<Response> {
    let (user, case_id, bytes) = supervisor_post(&st, &headers, &case_id, body, "reassign cases").await?;
    let a: Assign = parse_json(&headers, &bytes)?;
    let v = st
        .db
        .call(move |c| {
            let mut tx = c.transaction()?;
            let exists: Option<String> =
                tx.query_row("SELECT status FROM cases WHERE id = ?1", [&case_id], |r| r.get(0)).optional()?;
            match exists.as_deref() {
                None => return Err(ApiError::not_found("case")),
                Some("closed") => return Err(ApiError::conflict("case_closed", "the case is closed")),
                _ => {}
            }
            let target: Option<i64> = match &a.user {
                None => None,
                Some(name) => Some(
                    tx.query_row("SELECT id FROM users WHERE name = ?1 AND disabled = 0", [name], |r| r.get(0))
                        .optional()?
                        .ok_or_else(|| ApiError::invalid("user", "no such user"))?,
                ),
            };
            tx.execute("UPDATE cases SET assigned_to = ?1 WHERE id = ?2", params![target, case_id])?;
            audit(&mut tx, &user, "assign", &case_id, a.user.as_deref().unwrap_or(""))?;
            // The shopper of an open case sees who has it now.
            let joined = match &a.user {
                Some(name) if exists.as_deref() == Some("open") => crate::live::mark_joined(&mut tx, &case_id, name)?,
                _ => false,
            };
            tx.commit()?;
            Ok((json!({ "id": case_id, "assigned_to": a.user }), joined))
        })
        .await?;
    let (v, joined) = v;
    if joined {
        if let Some(id) = v["id"].as_str() {
            let _ = st.events.send(id.into());
        }
    }
    Ok(Json(v).into_response())
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Close {
    #[serde(default = "yes")]
    pub resolved: bool,
}

fn yes() -> bool {
    true
}

/// `POST /inbox/api/cases/{id}/close` `{resolved}` (supervisor): asks the shopper for a rating.
pub async fn close(
    AxState(st): AxState<State>,
    headers: HeaderMap,
    ApiPath(case_id): ApiPath<String>,
    body: Body,
) -> ApiResult<Response> {
    let (user, case_id, bytes) = supervisor_post(&st, &headers, &case_id, body, "close cases").await?;
    let cl: Close = if bytes.is_empty() { Close { resolved: true } } else { parse_json(&headers, &bytes)? };
    let cid = case_id.clone();
    let v = st
        .db
        .call(move |c| {
            let mut tx = c.transaction()?;
            let status: Option<String> =
                tx.query_row("SELECT status FROM cases WHERE id = ?1", [&cid], |r| r.get(0)).optional()?;
            match status.as_deref() {
                None => return Err(ApiError::not_found("case")),
                Some("closed") => return Err(ApiError::conflict("case_closed", "the case is already closed")),
                _ => {}
            }
            let now = now_ms();
            tx.execute(
                "UPDATE cases SET status = 'closed', closed_at = ?1, closed_by = ?2, resolved = ?3 WHERE id = ?4",
                params![now, user.id, cl.resolved as i64, cid],
            )?;
            insert_event(&mut tx, &cid, "closed", json!({ "resolved": cl.resolved, "rating_requested": true }))?;
            audit(&mut tx, &user, "close", &cid, if cl.resolved { "resolved" } else { "unresolved" })?;
            tx.commit()?;
            Ok(json!({ "id": cid, "status": "closed", "closed_at": now }))
        })
        .await?;
    let _ = st.events.send(case_id.into());
    Ok(Json(v).into_response())
}

/// `GET /inbox/api/users` (supervisor) → names and roles, for reassigning.
pub async fn users(AxState(st): AxState<State>, headers: HeaderMap) -> ApiResult<Response> {
    let user = auth::require_user(&st, &headers).await?;
    if !user.is_supervisor() {
        return Err(ApiError::forbidden("role", "supervisors only"));
    }
    let v = st
        .db
        .call(|c| {
            let mut stmt = c.prepare("SELECT name, role FROM users WHERE disabled = 0 ORDER BY name")?;
            let rows = stmt
                .query_map([], |r| Ok(json!({ "name": r.get::<_, String>(0)?, "role": r.get::<_, String>(1)? })))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(json!({ "users": rows }))
        })
        .await?;
    Ok(no_store(Json(v).into_response()))
}

/// Marks cases past their first-response deadline as escalated, and cases open longer than
/// the escalation window (24 h) for supervisor review. Runs until shutdown.
pub async fn escalation_loop(st: State) {
    let mut shutdown = st.shutdown.clone();
    loop {
        if let Err(e) = escalate_once(&st).await {
            tracing::warn!("escalation pass failed: {}", e.message);
        }
        tokio::select! {
            _ = tokio::time::sleep(st.cfg.escalation_tick.max(Duration::from_millis(50))) => {}
            _ = shutdown.wait_for(|s| *s) => return,
        }
    }
}

/// One escalation pass; returns (newly escalated, newly sent to supervisor review).
pub async fn escalate_once(st: &State) -> ApiResult<(usize, usize)> {
    let window = st.cfg.escalate_after.as_millis() as i64;
    st.db
        .call(move |c| {
            let now = now_ms();
            let a = c.execute(
                "UPDATE cases SET escalated_at = ?1 WHERE status = 'open' AND first_response_at IS NULL \
                 AND escalated_at IS NULL AND deadline_at < ?1",
                [now],
            )?;
            let b = c.execute(
                "UPDATE cases SET supervisor_at = ?1 WHERE status = 'open' AND supervisor_at IS NULL AND created_at + ?2 < ?1",
                params![now, window],
            )?;
            if a + b > 0 {
                tracing::info!("escalated {a} case(s) past their deadline, {b} to supervisor review");
            }
            Ok((a, b))
        })
        .await
}
