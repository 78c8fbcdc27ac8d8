//! The shopper's e-mail address and "e-mail me this conversation":
//!
//! - `PUT /api/cases/{id}/email` `{email}` (case token): the address the shopper chose to
//!   leave, stored on the case so the agent sees it in the inbox (`null` removes it);
//! - `GET /api/mail`: whether this server can send mail (the widget hides the action if not);
//! - `POST /api/transcripts`: sends the conversation to an address.
//!
//! **Where the transcript comes from.** The bot's part of a conversation happens in the
//! shopper's browser and only the widget has it, so the widget sends its lines (shopper and
//! bot, with times; see docs/handoff-api.md). When the request names the shopper's case (with
//! its token), everything said with the shop's team after the hand-off comes from this
//! server's own records instead: the shopper's follow-ups and the agents' replies, as stored.
//! With no widget lines, the case's stored hand-off transcript stands in for them. All text is
//! masked again (ID-card and bank-card numbers, [`crate::pii`]) before it goes into the mail.
//!
//! Sending is idempotent by the request's `id` (a retry after a lost answer does not send a
//! second mail; the same id with other content is a `409`), and rate-limited per recipient,
//! per client id and per IP (`--rate-mail`) on top of the API's own limits; mails that name
//! no case share one server-wide budget (`--rate-mail-caseless`): their text comes from the
//! page alone, and many senders must not turn the shop's mail server into a relay. What is kept:
//! one row per request (id, a hash of its content, the case, state and times); neither the
//! address nor the text.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::api::{
    authorize_case, bearer, check_locale, check_text, parse_json, rate_limit, read_body, TranscriptEntry,
};
use crate::db::{params, Conn, OptionalExtension};
use crate::error::{ApiError, ApiResult};
use crate::extract::CaseBody;
use crate::mail::SendError;
use crate::pii::mask;
use crate::util::{now_ms, parse_uuid, sha256_hex};
use crate::State;

/// A request still marked `sending` this long after it started was cut short (a crash):
/// it may be tried again.
const STALE_SENDING_MS: i64 = 5 * 60 * 1000;
/// Lines the widget may send (as for a hand-off transcript).
const MAX_LINES: usize = crate::api::MAX_TRANSCRIPT;

/// The error for a shopper-typed address that cannot be used: `400`, naming the problem.
fn invalid_email(e: kefu_core::email::EmailError) -> ApiError {
    ApiError::bad_request("invalid_email", e.message()).field("email")
}

fn not_configured() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "mail_not_configured",
        "this shop has not set up e-mail (kefu serve --smtp-url, --mail-from), so conversations cannot be sent by e-mail",
    )
}

// ---------------------------------------------------------------------------------------------
// The address on a case

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetEmail {
    /// The address, or `null` to remove it.
    pub email: Option<String>,
}

/// `PUT /api/cases/{id}/email`: stores (or with `null` removes) the shopper's address on the
/// case. Idempotent; `200 {email}`.
pub async fn put_case_email(
    axum::extract::State(st): axum::extract::State<State>,
    CaseBody { case_id, body: req, .. }: CaseBody<SetEmail>,
) -> ApiResult<Response> {
    let email = match req.email.as_deref() {
        None => None,
        Some(e) => Some(kefu_core::email::normalize(e).map_err(invalid_email)?),
    };
    let stored = email.clone();
    st.db
        .call(move |c| {
            c.execute("UPDATE cases SET email = ?1 WHERE id = ?2", params![stored, case_id])?;
            Ok(())
        })
        .await?;
    Ok(Json(json!({ "email": email })).into_response())
}

/// The normalised address of `NewCase::email` (the hand-off form's optional field).
pub fn case_email(email: &Option<String>) -> ApiResult<Option<String>> {
    match email.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(e) => kefu_core::email::normalize(e).map(Some).map_err(invalid_email),
    }
}

// ---------------------------------------------------------------------------------------------
// Can this server send mail?

/// `GET /api/mail` → `{"transcripts": true|false}`: whether `POST /api/transcripts` can work.
pub async fn get_mail(axum::extract::State(st): axum::extract::State<State>) -> Response {
    Json(json!({ "transcripts": st.mailer.is_some() })).into_response()
}

// ---------------------------------------------------------------------------------------------
// Sending the conversation

/// `POST /api/transcripts` body.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TranscriptRequest {
    /// A UUID per request from the client: the same id again is a retry.
    pub id: String,
    pub email: String,
    /// zh-CN, zh-TW (or another zh-Hant tag) or en: the language of the mail.
    pub locale: String,
    /// The shopper's offset from UTC in minutes (JavaScript's `-getTimezoneOffset()`), for the
    /// times in the mail.
    #[serde(default)]
    pub utc_offset_minutes: i32,
    /// The widget's lines (shopper and bot, optionally system notices).
    #[serde(default)]
    pub lines: Vec<TranscriptEntry>,
    /// The shopper's case; its token goes in `Authorization: Bearer …`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
}

impl TranscriptRequest {
    fn validate(&mut self) -> ApiResult<()> {
        self.id = parse_uuid(&self.id, "id").map_err(|e| e.field("id"))?;
        self.email = kefu_core::email::normalize(&self.email).map_err(invalid_email)?;
        check_locale(&self.locale)?;
        if !(-14 * 60..=14 * 60).contains(&self.utc_offset_minutes) {
            return Err(ApiError::invalid("utc_offset_minutes", "must be between -840 and 840"));
        }
        if self.lines.len() > MAX_LINES {
            return Err(ApiError::invalid("lines", format!("more than {MAX_LINES} lines")));
        }
        for (i, l) in self.lines.iter().enumerate() {
            check_text(&format!("lines[{i}].text"), &l.text, crate::api::MAX_TEXT, true)?;
            if l.at.to_ms().is_none() {
                return Err(ApiError::invalid(format!("lines[{i}].at"), "must be Unix milliseconds or RFC 3339"));
            }
        }
        if let Some(c) = &mut self.case_id {
            *c = parse_uuid(c, "case_id").map_err(|e| e.field("case_id"))?;
        }
        Ok(())
    }
}

/// One line of the mail.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// shopper, bot, agent or system.
    pub role: String,
    /// The agent's name, for agent lines.
    pub agent: Option<String>,
    pub text: String,
    pub at: i64,
}

/// What the mail is made of.
#[derive(Debug, Clone, Default)]
pub struct Transcript {
    /// The chat as the widget shows it (or, without widget lines, the case's hand-off transcript).
    pub chat: Vec<Line>,
    /// The case, when one is named: its short id, description, and the follow-ups and replies.
    pub case: Option<(String, String, Vec<Line>)>,
}

/// The words of the mail in one language.
struct Words {
    subject: &'static str,
    hello: &'static str,
    intro: &'static str,
    times: &'static str,
    chat: &'static str,
    case: &'static str,
    message: &'static str,
    you: &'static str,
    bot: &'static str,
    agent: &'static str,
    notice: &'static str,
    footer: &'static str,
}

const ZH_CN: Words = Words {
    subject: "您在{shop}的客服对话记录",
    hello: "您好：",
    intro: "这是您要求发送的与{shop}客服的对话记录。",
    times: "时间按 {tz} 显示；身份证号、银行卡号已隐去，只保留后 4 位。",
    chat: "对话",
    case: "您的留言 {case} 与人工客服的沟通",
    message: "留言内容：",
    you: "我",
    bot: "智能客服",
    agent: "人工客服",
    notice: "提示",
    footer: "您收到这封邮件，是因为有人在{shop}网站的客服窗口填写了这个邮箱并要求发送对话记录。如果不是您本人操作，请忽略本邮件；这个邮箱不会用于其他用途。",
};

const ZH_TW: Words = Words {
    subject: "您在{shop}的客服對話紀錄",
    hello: "您好：",
    intro: "這是您要求寄送的與{shop}客服的對話紀錄。",
    times: "時間以 {tz} 顯示；身分證號、銀行卡號已隱藏，只保留末 4 碼。",
    chat: "對話",
    case: "您的留言 {case} 與真人客服的往來",
    message: "留言內容：",
    you: "我",
    bot: "智慧客服",
    agent: "真人客服",
    notice: "提示",
    footer: "您收到這封郵件，是因為有人在{shop}網站的客服視窗填寫了這個電子郵件地址並要求寄送對話紀錄。如果不是您本人操作，請忽略本郵件；這個地址不會用於其他用途。",
};

const EN: Words = Words {
    subject: "Your conversation with {shop}",
    hello: "Hello,",
    intro: "Here is the copy of your conversation with {shop} that you asked for.",
    times: "Times are in {tz}. ID-card and bank-card numbers are hidden except for the last 4 digits.",
    chat: "Chat",
    case: "Your message {case} to our team",
    message: "Your message:",
    you: "You",
    bot: "Assistant",
    agent: "Agent",
    notice: "Notice",
    footer: "You received this e-mail because this address was entered in the chat on {shop}'s website and a copy of the conversation was requested. If that was not you, please ignore this message; the address is not used for anything else.",
};

fn words(locale: &str) -> &'static Words {
    let l = locale.to_ascii_lowercase();
    if l.starts_with("zh") {
        if l.contains("-tw") || l.contains("-hk") || l.contains("-mo") || l.contains("hant") {
            &ZH_TW
        } else {
            &ZH_CN
        }
    } else {
        &EN
    }
}

/// `UTC+08:00`
fn tz_name(offset_minutes: i32) -> String {
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let m = offset_minutes.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

/// `2026-12-06 11:02` in the shopper's offset.
fn local_time(ms: i64, offset_minutes: i32) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(time::UtcOffset::from_whole_seconds(offset_minutes * 60).unwrap_or(time::UtcOffset::UTC));
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    t.format(&f).unwrap_or_default()
}

/// The subject and plain-text body of the mail.
pub fn compose(shop: &str, locale: &str, offset_minutes: i32, t: &Transcript) -> (String, String) {
    let w = words(locale);
    let fill = |s: &str| s.replace("{shop}", shop);
    let mut out = String::new();
    out.push_str(w.hello);
    out.push_str("\n\n");
    out.push_str(&fill(w.intro));
    out.push('\n');
    out.push_str(&w.times.replace("{tz}", &tz_name(offset_minutes)));
    out.push_str("\n\n");
    let line = |out: &mut String, l: &Line| {
        let who = match l.role.as_str() {
            "shopper" => w.you.to_string(),
            "bot" => w.bot.to_string(),
            "agent" => match l.agent.as_deref().filter(|a| !a.is_empty()) {
                Some(a) => format!("{} {a}", w.agent),
                None => w.agent.to_string(),
            },
            _ => w.notice.to_string(),
        };
        out.push_str(&format!("[{}] {who}\n", local_time(l.at, offset_minutes)));
        for text_line in l.text.lines() {
            out.push_str("  ");
            out.push_str(text_line);
            out.push('\n');
        }
        out.push('\n');
    };
    if !t.chat.is_empty() {
        out.push_str(&format!("—— {} ——\n\n", w.chat));
        for l in &t.chat {
            line(&mut out, l);
        }
    }
    if let Some((short, description, lines)) = &t.case {
        out.push_str(&format!("—— {} ——\n\n", w.case.replace("{case}", &format!("#{short}"))));
        if !description.trim().is_empty() {
            out.push_str(w.message);
            out.push('\n');
            for d in description.lines() {
                out.push_str("  ");
                out.push_str(d);
                out.push('\n');
            }
            out.push('\n');
        }
        for l in lines {
            line(&mut out, l);
        }
    }
    // The signature separator of RFC 3676: mail clients fold what follows.
    out.push_str("-- \n");
    out.push_str(&fill(w.footer));
    out.push('\n');
    (fill(w.subject), out)
}

/// The case's part of the transcript, from the database; `keep` gets the order number.
fn case_part(c: &mut Conn, case_id: &str, no_widget_lines: bool) -> ApiResult<(Transcript, Option<String>)> {
    let (description, order): (String, Option<String>) = c
        .query_row("SELECT description, order_number FROM cases WHERE id = ?1", [case_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?
        .ok_or_else(|| ApiError::not_found("case"))?;
    let mut stmt = c.prepare(
        "SELECT m.role, m.text, m.at, m.source, u.name FROM messages m LEFT JOIN users u ON u.id = m.author \
         WHERE m.case_id = ?1 ORDER BY m.source = 'live', m.at, m.id",
    )?;
    let rows: Vec<(String, String, i64, String, Option<String>)> = stmt
        .query_map([case_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
        .collect::<Result<_, _>>()?;
    let mut t = Transcript::default();
    let mut live = Vec::new();
    for (role, text, at, source, agent) in rows {
        let l = Line { role, agent, text, at };
        if source == "live" {
            live.push(l);
        } else if no_widget_lines {
            t.chat.push(l);
        }
    }
    t.case = Some((case_id[..8].to_string(), description, live));
    Ok((t, order))
}

/// `POST /api/transcripts`: sends the conversation to the shopper's address.
/// `201 {id, to, sent_at}`; a retry of a sent request `200` with the same answer.
pub async fn post_transcript(
    axum::extract::State(st): axum::extract::State<State>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    rate_limit(&st, peer, &headers)?;
    let Some(mailer) = &st.mailer else { return Err(not_configured()) };
    let bytes = read_body(&st, body, &headers, st.cfg.max_json_bytes).await?;
    let mut req: TranscriptRequest = parse_json(&headers, &bytes)?;
    req.validate()?;
    if let Some(case_id) = &req.case_id {
        authorize_case(&st, case_id, bearer(&headers, None)).await?;
    }
    let fingerprint = sha256_hex(&serde_json::to_vec(&req).map_err(ApiError::internal)?);
    let masked_to = kefu_core::email::masked(&req.email);

    // Idempotency: claim the id (new, failed before, or a stale attempt), or answer from it.
    let (id, fp, case_id) = (req.id.clone(), fingerprint.clone(), req.case_id.clone());
    let claimed = st
        .db
        .call(move |c| {
            let now = now_ms();
            let row: Option<(String, String, Option<i64>)> = c
                .query_row("SELECT fingerprint, status, sent_at FROM mail_log WHERE id = ?1", [&id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()?;
            if let Some((stored, status, sent_at)) = row {
                if stored != fp {
                    return Err(ApiError::conflict(
                        "transcript_id_conflict",
                        "a different request with this id exists; generate a new UUID per request",
                    ));
                }
                if status == "sent" {
                    return Ok(Err(sent_at.unwrap_or(now)));
                }
            }
            // Compare-and-set: only one request (of two retries racing) wins the claim.
            let n = c.execute(
                "INSERT INTO mail_log (id, fingerprint, case_id, status, created_at, started_at) \
                 VALUES (?1, ?2, ?3, 'sending', ?4, ?4) \
                 ON CONFLICT(id) DO UPDATE SET status = 'sending', started_at = ?4, error = NULL \
                 WHERE mail_log.status = 'failed' OR (mail_log.status = 'sending' AND mail_log.started_at < ?5)",
                params![id, fp, case_id, now, now - STALE_SENDING_MS],
            )?;
            if n == 0 {
                return Err(ApiError::conflict(
                    "mail_in_progress",
                    "this conversation is being sent right now; ask again in a moment for the result",
                ));
            }
            Ok(Ok(()))
        })
        .await?;
    if let Err(sent_at) = claimed {
        return Ok((
            StatusCode::OK,
            Json(json!({ "id": req.id, "to": masked_to, "sent_at": sent_at, "created": false })),
        )
            .into_response());
    }

    let result = send(&st, mailer, &req, peer, &headers).await;
    let (id, now) = (req.id.clone(), now_ms());
    let error = result.as_ref().err().map(|e| e.message.clone());
    st.db
        .call(move |c| {
            match &error {
                None => {
                    c.execute("UPDATE mail_log SET status = 'sent', sent_at = ?1 WHERE id = ?2", params![now, id])?
                }
                Some(e) => {
                    c.execute("UPDATE mail_log SET status = 'failed', error = ?1 WHERE id = ?2", params![e, id])?
                }
            };
            Ok(())
        })
        .await?;
    result?;
    Ok((StatusCode::CREATED, Json(json!({ "id": req.id, "to": masked_to, "sent_at": now, "created": true })))
        .into_response())
}

/// Rate limits, the transcript, the mail.
async fn send(
    st: &State,
    mailer: &crate::mail::Mailer,
    req: &TranscriptRequest,
    peer: SocketAddr,
    headers: &HeaderMap,
) -> ApiResult<()> {
    let client = headers.get("x-kefu-client").and_then(|v| v.to_str().ok()).map(|s| s.chars().take(64).collect());
    let keys = [Some(format!("to:{}", req.email.to_lowercase())), Some(format!("ip:{}", peer.ip())), client];
    if !keys.iter().flatten().all(|k| st.mail_limiter.check(k)) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "mail_rate_limited",
            "too many e-mails were asked for from here or to this address; try again in a few minutes",
        ));
    }
    // Checked after the per-sender limits, so one sender who is over them spends none of it.
    if req.case_id.is_none() && !st.caseless_mail_limiter.check("caseless") {
        tracing::warn!("transcript mail {}: server-wide limit for mails without a case reached", req.id);
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "mail_busy",
            "the shop is sending many e-mails right now; try again in a few minutes",
        ));
    }
    let widget: Vec<Line> = req
        .lines
        .iter()
        .map(|l| Line {
            role: l.role.as_str().to_string(),
            agent: None,
            text: l.text.clone(),
            at: l.at.to_ms().unwrap_or(0),
        })
        .collect();
    let (mut t, order) = match &req.case_id {
        Some(case_id) => {
            let (case_id, empty) = (case_id.clone(), widget.is_empty());
            st.db.call(move |c| case_part(c, &case_id, empty)).await?
        }
        None => (Transcript::default(), None),
    };
    if !widget.is_empty() {
        t.chat = widget;
    }
    // Masked again here: widget lines come straight from the page.
    let keep: Vec<&str> = order.iter().map(String::as_str).collect();
    let mask_all = |lines: &mut Vec<Line>| {
        for l in lines {
            l.text = mask(&l.text, &keep);
        }
    };
    mask_all(&mut t.chat);
    if let Some((_, description, lines)) = &mut t.case {
        *description = mask(description, &keep);
        mask_all(lines);
    }
    let (subject, body) = compose(&mailer.config().shop_name(), &req.locale, req.utc_offset_minutes, &t);
    mailer.send(&req.email, &subject, body).await.map_err(|e| {
        tracing::warn!("transcript mail {}: {e}", req.id);
        match e {
            SendError::Address(_) => ApiError::bad_request("invalid_email", e.to_string()).field("email"),
            SendError::Timeout { .. } => ApiError::new(StatusCode::GATEWAY_TIMEOUT, "mail_timeout", e.to_string()),
            SendError::Connect { .. } | SendError::Rejected { .. } => {
                ApiError::new(StatusCode::BAD_GATEWAY, "mail_failed", e.to_string())
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(role: &str, text: &str, at: i64) -> Line {
        Line { role: role.into(), agent: (role == "agent").then(|| "Lily".into()), text: text.into(), at }
    }

    #[test]
    fn composes_sections_in_the_shoppers_language_and_time() {
        let t = Transcript {
            chat: vec![
                line("shopper", "杯子碎了\n怎么办", 1_765_000_000_000),
                line("bot", "请拍照", 1_765_000_060_000),
            ],
            case: Some(("0b6f5e38".into(), "杯子碎了".into(), vec![line("agent", "已补寄", 1_765_003_600_000)])),
        };
        let (subject, body) = compose("示例商店", "zh-CN", 480, &t);
        assert_eq!(subject, "您在示例商店的客服对话记录");
        assert!(body.contains("时间按 UTC+08:00 显示"), "{body}");
        assert!(body.contains("[2025-12-06 13:46] 我\n  杯子碎了\n  怎么办\n"), "{body}");
        assert!(body.contains("智能客服\n  请拍照"), "{body}");
        assert!(body.contains("#0b6f5e38"), "{body}");
        assert!(body.contains("[2025-12-06 14:46] 人工客服 Lily\n  已补寄"), "{body}");
        let (subject, body) = compose("Demo", "en-GB", -300, &Transcript { chat: t.chat.clone(), case: None });
        assert_eq!(subject, "Your conversation with Demo");
        assert!(body.contains("UTC-05:00") && body.contains("] You\n") && !body.contains("Your message"), "{body}");
        assert_eq!(words("zh-Hant-HK").subject, ZH_TW.subject);
    }
}
