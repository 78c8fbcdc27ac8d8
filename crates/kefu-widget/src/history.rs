//! History across tabs and visits, both sides of the conversation.
//!
//! `sessionStorage` ([`crate::store`]) keeps the conversation of one tab. This module also
//! keeps the latest conversation of this browser in IndexedDB (store `history`, one record
//! `{id: "chat", data, saved, started}` with the same postcard encoding), so a new tab or a
//! later visit shows the shopper's own messages, the bot's answers, the case with its photo
//! thumbnails (kept in the `photos` store) and the agent's replies.
//!
//! Bounded and clearable, like the rest of what the widget keeps: at most [`MAX_MESSAGES`]
//! messages (the newest), forgotten [`MAX_AGE_DAYS`] days after it was last saved, and gone
//! with "new conversation" (↻ or `kefu('reset')`), which also sets the drafts-cleared marker
//! ([`store::DRAFTS_CLEARED_KEY`]): a conversation started before that time is neither
//! restored nor saved again, even by another tab still showing it.
//!
//! For a followed case whose conversation is not on this device any more (IndexedDB cleared
//! or unavailable, another browser profile kept the case link), the case comes from the
//! server: `GET {case}/history` with the case token (messages of both sides, the photos),
//! and thumbnails from `GET {case}/attachments/{id}/thumb`.

use crate::chat::{Body, CaseLink, CaseStatus, Chat, From, PhotoRef};
use crate::idb::{self, field, field_num, field_str, set, HISTORY};
use crate::{now_ms, store};
use std::cell::RefCell;
use wasm_bindgen::JsCast;

/// Most messages kept.
pub const MAX_MESSAGES: usize = 200;
/// Days after its last save that a conversation is forgotten.
pub const MAX_AGE_DAYS: f64 = 30.0;
const RECORD: &str = "chat";
const DAY_MS: f64 = 24.0 * 3600.0 * 1000.0;

thread_local! {
    /// What was written last (no write when nothing changed).
    static LAST: RefCell<String> = const { RefCell::new(String::new()) };
}

/// When the conversation started (its first message), ms since the epoch.
fn started(chat: &Chat) -> f64 {
    chat.messages.first().map_or(0.0, |m| m.at)
}

/// The conversation as kept: its newest [`MAX_MESSAGES`] messages.
pub fn bounded(chat: &Chat) -> Chat {
    let mut c = chat.clone();
    let n = c.messages.len();
    if n > MAX_MESSAGES {
        c.messages.drain(..n - MAX_MESSAGES);
    }
    c
}

/// Keeps `chat` (`encoded` by [`store::encode`]) for other tabs and later visits (nothing
/// for a conversation with only the greeting, or one started before the shopper last
/// cleared the history).
pub fn save(chat: &Chat, encoded: String) {
    if chat.messages.len() < 2 || started(chat) < store::drafts_cleared_at() {
        return;
    }
    let data = if chat.messages.len() > MAX_MESSAGES { store::encode(&bounded(chat)) } else { encoded };
    if LAST.with(|l| *l.borrow() == data) {
        return;
    }
    LAST.with(|l| *l.borrow_mut() = data.clone());
    let rec = js_sys::Object::new();
    set(&rec, "id", RECORD);
    set(&rec, "data", data.as_str());
    set(&rec, "saved", now_ms());
    set(&rec, "started", started(chat));
    wasm_bindgen_futures::spawn_local(async move {
        let _ = idb::put(HISTORY, &rec).await;
    });
}

/// The kept conversation, unless it is too old or was cleared.
pub async fn load() -> Option<Chat> {
    let rec = idb::get(HISTORY, RECORD).await.ok().flatten()?;
    let fresh = now_ms() - field_num(&rec, "saved") < MAX_AGE_DAYS * DAY_MS;
    if !fresh || field_num(&rec, "started") < store::drafts_cleared_at() {
        let _ = idb::delete(HISTORY, RECORD).await;
        return None;
    }
    store::decode_or_warn(&field_str(&rec, "data")?)
}

/// Forgets the kept conversation ("new conversation").
pub fn clear() {
    LAST.with(|l| l.borrow_mut().clear());
    wasm_bindgen_futures::spawn_local(async {
        let _ = idb::delete(HISTORY, RECORD).await;
    });
}

/// `GET url` with the case token: the response when it is a 2xx.
async fn get_with_token(url: &str, token: &str) -> Option<web_sys::Response> {
    let resp = crate::net::send(&crate::net::request("GET", url, None, Some(token), false)?).await?;
    resp.ok().then_some(resp)
}

/// The followed case as the server has it (`GET {case}/history`), as a conversation: the
/// transcript the widget sent, the case with its photos, who joined, then what was said live.
pub async fn from_server(case: &CaseLink) -> Option<Chat> {
    let resp = get_with_token(&format!("{}/history", case.url), &case.token).await?;
    let v = wasm_bindgen_futures::JsFuture::from(resp.json().ok()?).await.ok()?;
    let id = field_str(&v, "id")?;
    let list =
        |k: &str| field(&v, k).dyn_into::<js_sys::Array>().map(|a| a.iter().collect::<Vec<_>>()).unwrap_or_default();
    let mut chat = Chat::default();
    let mut case_at = field_num(&v, "created_at");
    let mut live = Vec::new();
    for m in list("messages") {
        let text = field_str(&m, "text").unwrap_or_default();
        let at = field_num(&m, "at");
        let from = match field_str(&m, "role").as_deref() {
            Some("shopper") => From::Shopper,
            Some("bot") => From::Bot,
            Some("agent") => From::Agent(field_str(&m, "agent").unwrap_or_default()),
            _ => From::System,
        };
        let body = match from {
            From::Bot => Body::Say { lead: None, message: text, promise: None, human: false },
            _ => Body::Text(text),
        };
        if field_str(&m, "source").as_deref() == Some("live") {
            live.push((from, body, at));
        } else {
            case_at = case_at.max(at);
            chat.push(from, body, at);
        }
    }
    let photos = list("photos")
        .iter()
        .filter_map(|p| {
            Some(PhotoRef {
                id: field_str(p, "id")?,
                width: field_num(p, "width") as u32,
                height: field_num(p, "height") as u32,
            })
        })
        .collect();
    let description = field_str(&v, "description").unwrap_or_default();
    let order_number = field_str(&v, "order_number");
    chat.push(From::Shopper, Body::Case { id, description, order_number, photos, status: CaseStatus::Sent }, case_at);
    if let Some(agent) = field_str(&v, "agent") {
        chat.push(From::System, Body::Joined(agent), case_at);
    }
    for (from, body, at) in live {
        chat.push(from, body, at);
    }
    let closed = field_str(&v, "status").as_deref() == Some("closed");
    chat.case = Some(CaseLink {
        url: case.url.clone(),
        token: case.token.clone(),
        last_event: field_num(&v, "last_event_id").max(case.last_event as f64) as u64,
        closed: closed || case.closed,
    });
    if chat.messages.is_empty() {
        return None;
    }
    Some(chat)
}

/// A photo's thumbnail from the server (JPEG bytes), for a case whose photos are no longer
/// on this device.
pub async fn server_thumb(case: &CaseLink, photo: &str) -> Option<Vec<u8>> {
    let resp = get_with_token(&format!("{}/attachments/{photo}/thumb", case.url), &case.token).await?;
    let buf = wasm_bindgen_futures::JsFuture::from(resp.array_buffer().ok()?).await.ok()?;
    Some(js_sys::Uint8Array::new(&buf).to_vec())
}

/// A kept conversation shown again: a case an earlier page was still sending is now what
/// the outbox will deliver (it says "saved on this device", then "your saved message has
/// now been sent").
pub fn left_by_an_earlier_page(chat: &mut Chat) {
    for m in &mut chat.messages {
        if let Body::Case { status: status @ CaseStatus::Sending, .. } = &mut m.body {
            *status = CaseStatus::Waiting;
        }
    }
}

/// Whether the widget may replace `chat` by a kept one: nothing happened in it yet.
pub fn pristine(chat: &Chat) -> bool {
    chat.messages.len() <= 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_messages() {
        let mut c = Chat::new(1.0);
        for i in 0..(MAX_MESSAGES + 20) {
            c.push(From::Shopper, Body::Text(format!("m{i}")), 2.0 + i as f64);
        }
        let b = bounded(&c);
        assert_eq!(b.messages.len(), MAX_MESSAGES);
        assert_eq!(b.messages.last(), c.messages.last());
        assert_eq!(b.messages[0].body, Body::Text("m20".to_string()));
        assert!(pristine(&Chat::new(1.0)));
        let mut c = Chat::new(1.0);
        let case =
            |status| Body::Case { id: "c".into(), description: "d".into(), order_number: None, photos: vec![], status };
        c.push(From::Shopper, case(CaseStatus::Sending), 2.0);
        c.push(From::Shopper, case(CaseStatus::Sent), 3.0);
        left_by_an_earlier_page(&mut c);
        assert_eq!(c.messages[1].body, case(CaseStatus::Waiting));
        assert_eq!(c.messages[2].body, case(CaseStatus::Sent));
        assert!(!pristine(&c));
    }
}
