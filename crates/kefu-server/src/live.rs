//! Live chat between an agent and a shopper who is still on the page.
//!
//! - **Typing**: the inbox posts `POST /inbox/api/cases/{id}/typing` (throttled by the page,
//!   at most every ~2.5 s while the agent types). Nothing is stored: the server relays it to
//!   the case's open event streams as an SSE `typing` event without an id (so it never moves
//!   a widget's resume point and is never replayed), `{type, agent, ttl_ms}`; the widget hides
//!   the indicator after `ttl_ms` or when the reply arrives. Servers sharing a PostgreSQL
//!   database pass it on to each other with `pg_notify` on [`TYPING_CHANNEL`].
//! - **Joined**: an agent opening an open case in the inbox (`POST …/join`) or a supervisor
//!   assigning it marks `joined` on the event stream (`{agent}`: the inbox user's name, never
//!   an id or an address), stored like replies so a reload shows it too; joining again
//!   while still the latest agent to join adds nothing.
//! - **History**: `GET /api/cases/{id}/history` (case token) gives the shopper's widget the
//!   case as it stands, for a new tab or a later visit: its description, the messages of both
//!   sides (the transcript the widget sent, follow-ups, agent replies), the photos with a
//!   thumbnail URL (`GET /api/cases/{id}/attachments/{att}/thumb`, a small JPEG made on the
//!   first request and kept beside the photo), the agent who joined last, and the last event id to resume the stream after.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, State as AxState};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::api::{authorize_case, bearer, case_access, insert_event, rate_limit, TokenQuery};
use crate::auth::{self, User};
use crate::db::{params, Conn, Engine, OptionalExtension};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::util::parse_uuid;
use crate::State;

/// How long the widget shows "agent is typing…" after one typing signal.
pub const TYPING_TTL_MS: u64 = 6000;
/// The PostgreSQL channel on which servers sharing a database pass typing signals on
/// (payload: `{"case": id, "agent": name}`).
pub const TYPING_CHANNEL: &str = "kefu_typing";
/// Most messages the history endpoint returns (the newest).
pub const HISTORY_MESSAGES: i64 = 200;
/// Longest side of a history thumbnail, in pixels.
pub const THUMB_EDGE: u32 = 288;

/// An agent typing on a case (relayed to its event streams, never stored).
#[derive(Debug, Clone)]
pub struct Typing {
    pub case_id: Arc<str>,
    pub agent: Arc<str>,
}

impl Typing {
    /// The SSE data of a typing signal.
    pub fn data(&self) -> Value {
        json!({ "type": "typing", "agent": &*self.agent, "ttl_ms": TYPING_TTL_MS })
    }

    /// Reads a [`TYPING_CHANNEL`] payload.
    pub fn from_note(payload: &str) -> Option<Typing> {
        let v: Value = serde_json::from_str(payload).ok()?;
        Some(Typing { case_id: v["case"].as_str()?.into(), agent: v["agent"].as_str()?.into() })
    }
}

/// The case's status and whether `user` may write on it (the reply rule: unassigned, assigned
/// to them, or a supervisor).
fn may_write(c: &mut Conn, user: &User, case_id: &str) -> ApiResult<()> {
    let row: Option<(String, Option<i64>)> = c
        .query_row("SELECT status, assigned_to FROM cases WHERE id = ?1", [case_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (status, assigned) = row.ok_or_else(|| ApiError::not_found("case"))?;
    if status == "closed" {
        return Err(ApiError::conflict("case_closed", "the case is closed"));
    }
    if assigned.is_some_and(|a| a != user.id) && !user.is_supervisor() {
        return Err(ApiError::forbidden("not_assigned", "this case is assigned to another agent"));
    }
    Ok(())
}

/// Adds a `joined` event for `agent` unless the latest agent to join the case is `agent`
/// already. True when an event was added (the caller wakes the streams after commit).
pub fn mark_joined(c: &mut Conn, case_id: &str, agent: &str) -> ApiResult<bool> {
    let last: Option<String> = c
        .query_row(
            "SELECT data FROM events WHERE case_id = ?1 AND kind = 'joined' ORDER BY id DESC LIMIT 1",
            [case_id],
            |r| r.get(0),
        )
        .optional()?;
    let same =
        last.and_then(|d| serde_json::from_str::<Value>(&d).ok()).is_some_and(|v| v["agent"].as_str() == Some(agent));
    if same {
        return Ok(false);
    }
    insert_event(c, case_id, "joined", json!({ "agent": agent }))?;
    Ok(true)
}

/// `POST /inbox/api/cases/{id}/typing`: relays "agent is typing" to the shopper (204).
pub async fn typing(
    AxState(st): AxState<State>,
    headers: HeaderMap,
    ApiPath(case_id): ApiPath<String>,
) -> ApiResult<Response> {
    let user = auth::require_user_csrf(&st, &headers).await?;
    let case_id = parse_uuid(&case_id, "case id")?;
    let (cid, u) = (case_id.clone(), user.clone());
    let postgres = st
        .db
        .call(move |c| {
            may_write(c, &u, &cid)?;
            if c.engine() == Engine::Postgres {
                let note = json!({ "case": cid, "agent": u.name }).to_string();
                c.execute(&format!("SELECT pg_notify('{TYPING_CHANNEL}', ?1)"), [note])?;
                return Ok(true);
            }
            Ok(false)
        })
        .await?;
    // On PostgreSQL every server (this one too) hears it through its listener.
    if !postgres {
        let _ = st.typing.send(Typing { case_id: case_id.into(), agent: user.name.into() });
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /inbox/api/cases/{id}/join`: the agent joins the live chat (the case becomes theirs
/// if nobody has it). `{joined}` says whether the shopper was told just now.
pub async fn join(
    AxState(st): AxState<State>,
    headers: HeaderMap,
    ApiPath(case_id): ApiPath<String>,
) -> ApiResult<Response> {
    let user = auth::require_user_csrf(&st, &headers).await?;
    let case_id = parse_uuid(&case_id, "case id")?;
    let cid = case_id.clone();
    let joined = st
        .db
        .call(move |c| {
            let mut tx = c.transaction()?;
            may_write(&mut tx, &user, &cid)?;
            tx.execute(
                "UPDATE cases SET assigned_to = COALESCE(assigned_to, ?1) WHERE id = ?2",
                params![user.id, cid],
            )?;
            let joined = mark_joined(&mut tx, &cid, &user.name)?;
            tx.commit()?;
            Ok(joined)
        })
        .await?;
    if joined {
        let _ = st.events.send(case_id.into());
    }
    Ok(Json(json!({ "joined": joined })).into_response())
}

/// `GET /api/cases/{id}/history` (case token): the case for the shopper's widget.
pub async fn history(
    AxState(st): AxState<State>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiPath(case_id): ApiPath<String>,
    ApiQuery(q): ApiQuery<TokenQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (case_id, _) = case_access(&st, peer, &headers, &case_id, q.token.as_deref()).await?;
    let v = st
        .db
        .call(move |c| {
            let (status, created_at, description, order_number): (String, i64, String, Option<String>) = c.query_row(
                "SELECT status, created_at, description, order_number FROM cases WHERE id = ?1",
                [&case_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
            // The newest messages, in the order the inbox shows them: the transcript the
            // widget sent (before the hand-off), then what was said live.
            let mut stmt = c.prepare(
                "SELECT m.id, m.role, m.text, m.at, m.source, u.name FROM messages m LEFT JOIN users u ON u.id = m.author \
                 WHERE m.case_id = ?1 ORDER BY m.source = 'live' DESC, m.at DESC, m.id DESC LIMIT ?2",
            )?;
            let mut messages = stmt
                .query_map(params![case_id, HISTORY_MESSAGES], |r| {
                    let role: String = r.get(1)?;
                    let agent: Option<String> = if role == "agent" { r.get(5)? } else { None };
                    Ok(json!({
                        "role": role, "text": r.get::<_, String>(2)?, "at": r.get::<_, i64>(3)?,
                        "source": r.get::<_, String>(4)?, "agent": agent,
                    }))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            messages.reverse();
            let mut stmt =
                c.prepare("SELECT id, width, height FROM attachments WHERE case_id = ?1 ORDER BY created_at, id")?;
            let photos = stmt
                .query_map([&case_id], |r| {
                    let id: String = r.get(0)?;
                    Ok(json!({
                        "thumb_url": format!("/api/cases/{case_id}/attachments/{id}/thumb"),
                        "id": id, "width": r.get::<_, i64>(1)?, "height": r.get::<_, i64>(2)?,
                    }))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let agent: Option<String> = c
                .query_row(
                    "SELECT data FROM events WHERE case_id = ?1 AND kind = 'joined' ORDER BY id DESC LIMIT 1",
                    [&case_id],
                    |r| r.get::<_, String>(0),
                )
                .optional()?
                .and_then(|d| serde_json::from_str::<Value>(&d).ok())
                .and_then(|v| v["agent"].as_str().map(str::to_string));
            let last_event: i64 = c.query_row(
                "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM events WHERE case_id = ?1",
                [&case_id],
                |r| r.get(0),
            )?;
            Ok(json!({
                "id": case_id,
                "status": status,
                "created_at": created_at,
                "description": description,
                "order_number": order_number,
                "messages": messages,
                "photos": photos,
                "agent": agent,
                "last_event_id": last_event,
            }))
        })
        .await?;
    let mut resp = Json(v).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// `GET /api/cases/{id}/attachments/{att}/thumb` (case token): a JPEG of at most
/// [`THUMB_EDGE`] pixels a side of a stored photo.
pub async fn thumb(
    AxState(st): AxState<State>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiPath((case_id, att_id)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<TokenQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    rate_limit(&st, peer, &headers)?;
    let case_id = parse_uuid(&case_id, "case id")?;
    let att_id = parse_uuid(&att_id, "attachment id")?;
    authorize_case(&st, &case_id, bearer(&headers, q.token.as_deref())).await?;
    let file: Option<String> = st
        .db
        .call(move |c| {
            Ok(c.query_row(
                "SELECT file FROM attachments WHERE id = ?1 AND case_id = ?2",
                params![att_id, case_id],
                |r| r.get(0),
            )
            .optional()?)
        })
        .await?;
    let file = file.ok_or_else(|| ApiError::not_found("attachment"))?;
    if file.contains('/') || file.contains('\\') || file.contains("..") {
        return Err(ApiError::internal("bad stored file name"));
    }
    // Made once and kept beside the photo: a history opened again, or by many tabs, reads
    // the small file instead of decoding the photo each time.
    let dir = st.cfg.data_dir.join("attachments");
    let thumb_path = dir.join(crate::util::thumb_file(&file));
    let jpeg = match tokio::fs::read(&thumb_path).await {
        Ok(jpeg) => jpeg,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let bytes = crate::util::read_photo(&st.cfg.data_dir, &file).await?;
            let permit = st.decode.clone().acquire_owned().await.map_err(ApiError::internal)?;
            // A temporary name of its own: two first requests at once each write theirs.
            let tmp = dir.join(format!("{}.{}.tmp", crate::util::thumb_file(&file), crate::util::random_token()));
            tokio::task::spawn_blocking(move || {
                let _permit = permit;
                let jpeg = thumbnail(&bytes, THUMB_EDGE)?;
                if let Err(e) = crate::api::write_photo(&tmp, &thumb_path, &jpeg) {
                    // Served all the same; made again on the next request.
                    tracing::warn!("storing a thumbnail: {e}");
                }
                Ok::<_, ApiError>(jpeg)
            })
            .await
            .map_err(ApiError::internal)??
        }
        Err(e) => return Err(ApiError::internal(format!("reading thumbnail {}: {e}", thumb_path.display()))),
    };
    let mut resp = jpeg.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400"));
    h.insert("content-security-policy", HeaderValue::from_static("default-src 'none'; sandbox"));
    Ok(resp)
}

/// A stored photo (the server's own JPEG or PNG) scaled to fit `edge`, as JPEG.
fn thumbnail(bytes: &[u8], edge: u32) -> ApiResult<Vec<u8>> {
    let img = image::load_from_memory(bytes).map_err(ApiError::internal)?;
    let small = img.thumbnail(edge, edge).to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&small)
        .map_err(ApiError::internal)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_notes_round_trip() {
        let t = Typing::from_note(r#"{"case":"c1","agent":"lily"}"#).unwrap();
        assert_eq!((&*t.case_id, &*t.agent), ("c1", "lily"));
        assert_eq!(t.data(), json!({"type": "typing", "agent": "lily", "ttl_ms": TYPING_TTL_MS}));
        assert!(Typing::from_note("c1").is_none());
    }
}
