//! Hand-off to a human: the case the shopper leaves (description, order number, contact,
//! the transcript and the votes) as JSON, POSTed to `data-handoff-url`. A case that cannot be
//! sent waits in `localStorage` (the outbox, shared with the loader's fallback form) and is
//! retried when the widget starts and whenever the browser comes back `online`.

use crate::chat::{Body, Chat, From, Notice};
use crate::i18n::{t, Key, Lang};
use crate::json::Json;
use kefu_core::reply::{Emotion, Triage};
use kefu_core::Engine;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Request, RequestInit, Response, Storage};

/// Prefix of outbox keys in `localStorage`; the value is the JSON body to POST.
pub const OUTBOX_PREFIX: &str = "kefu.outbox.";

/// What the shopper typed into the hand-off form.
#[derive(Debug, Clone, Default)]
pub struct Form {
    pub description: String,
    pub order_number: String,
    pub contact: String,
}

/// A case ready to go: its id, the body for `POST data-handoff-url` (kefu-server's
/// `/api/cases` shape: snake_case, `role`/`text`/`at` transcript), and the richer payload
/// of the page's `handoff` event (camelCase, with the votes and KB gaps).
pub struct Case {
    pub id: String,
    pub body: String,
    pub event: String,
}

/// A random UUID v4 (kefu-server wants case ids in that form).
pub fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    for x in &mut b {
        *x = (js_sys::Math::random() * 256.0) as u8;
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

fn triage_name(t: Triage) -> &'static str {
    match crate::chat::triage_rank(t) {
        3 => "urgent",
        2 => "complaint",
        1 => "order",
        _ => "product",
    }
}

fn emotion_name(e: Emotion) -> &'static str {
    match crate::chat::emotion_rank(e) {
        2 => "angry",
        1 => "anxious",
        _ => "calm",
    }
}

/// Builds the case from the conversation and the form.
pub fn case(chat: &Chat, engine: Option<&Engine>, lang: Lang, reason: &str, form: &Form) -> Case {
    let id = uuid_v4();
    let now = js_sys::Date::now();
    let page = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    let shop = engine.map(|e| e.manifest().settings.name.as_str()).unwrap_or("");
    let trimmed = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let (contact, order, description) =
        (trimmed(&form.contact), trimmed(&form.order_number), form.description.trim().to_string());
    let transcript: Vec<(&'static str, Option<&str>, String, f64, Option<&str>)> = chat
        .messages
        .iter()
        .map(|m| {
            let (role, agent) = match &m.from {
                From::Bot => ("bot", None),
                From::Shopper => ("shopper", None),
                From::Agent(name) => ("agent", Some(name.as_str())),
                From::System => ("system", None),
            };
            let entry = match &m.body {
                Body::Answer { entry, .. } => Some(entry.as_str()),
                _ => None,
            };
            (role, agent, plain_text(&m.body, engine, lang), m.at, entry)
        })
        .collect();

    let mut j = Json::object();
    j.str("id", &id).str("locale", lang.tag());
    j.array("transcript");
    for (role, _, text, at, _) in transcript.iter().rev().take(200).rev() {
        j.item().str("role", role).str("text", &clip(text, 4000)).num("at", at.floor()).end_item();
    }
    j.end_array();
    j.opt("order_number", order.as_deref())
        .opt("contact", contact.as_deref())
        .str("description", &clip(&description, 4000))
        .str("triage", triage_name(chat.triage))
        .str("emotion", emotion_name(chat.emotion))
        .opt("promise", chat.promise.as_deref());
    j.array("tags");
    j.value(&format!("handoff:{reason}"));
    j.end_array();
    if let Some(s) = &chat.session {
        j.str("bot_session", s);
    }
    let body = j.finish();

    let mut e = Json::object();
    e.str("id", &id)
        .str("createdAt", &iso(now))
        .str("shop", shop)
        .str("locale", lang.tag())
        .str("page", &page)
        .str("reason", reason)
        .str("triage", triage_name(chat.triage))
        .str("emotion", emotion_name(chat.emotion))
        .opt("name", chat.name.as_deref())
        .opt("contact", contact.as_deref())
        .opt("orderNumber", order.as_deref())
        .str("description", &description);
    e.array("transcript");
    for (role, agent, text, at, entry) in &transcript {
        e.item().str("from", role).str("text", text).str("at", &iso(*at));
        if let Some(a) = agent {
            e.str("agent", a);
        }
        if let Some(id) = entry {
            e.str("entry", id);
        }
        e.end_item();
    }
    e.end_array();
    e.array("votes");
    for (entry, question, helpful) in chat.votes() {
        e.item().str("entry", entry).str("question", question).bool("helpful", helpful).end_item();
    }
    e.end_array();
    e.array("gaps");
    for g in &chat.gaps {
        e.raw(&g.to_json());
    }
    e.end_array();
    Case { id, body, event: e.finish() }
}

fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

fn iso(ms: f64) -> String {
    js_sys::Date::new(&JsValue::from_f64(ms)).to_iso_string().into()
}

/// A message as an agent reads it in the transcript.
pub fn plain_text(body: &Body, engine: Option<&Engine>, lang: Lang) -> String {
    let entry = |id: &str| engine.and_then(|e| e.position_of(id).and_then(|p| e.entry(p)));
    let join = |parts: &[Option<&str>]| parts.iter().flatten().copied().collect::<Vec<_>>().join("\n");
    match body {
        Body::Text(t) => t.clone(),
        Body::Greeting => engine
            .map(|e| e.manifest().settings.greeting.clone())
            .filter(|g| !g.is_empty())
            .unwrap_or_else(|| t(lang, Key::DefaultGreeting).to_string()),
        Body::Answer { entry: id, lead, .. } => {
            let text = entry(id).map(|e| e.answer.plain_text()).unwrap_or_else(|| format!("[{id}]"));
            join(&[lead.as_deref(), Some(&text)])
        }
        Body::Clarify { lead, message, candidates } => {
            let titles: Vec<String> =
                candidates.iter().map(|id| entry(id).map(|e| e.title.clone()).unwrap_or_else(|| id.clone())).collect();
            let msg = message.as_deref().unwrap_or(t(lang, Key::DidYouMean));
            join(&[lead.as_deref(), Some(msg), Some(&titles.join(" / "))])
        }
        Body::Handoff { lead, message, promise, .. } => {
            join(&[lead.as_deref(), Some(message.as_deref().unwrap_or(t(lang, Key::NoMatch))), promise.as_deref()])
        }
        Body::Say { lead, message, promise, .. } => join(&[lead.as_deref(), Some(message), promise.as_deref()]),
        Body::Notice(n) => t(lang, notice_key(*n)).to_string(),
        Body::Rate(r) => match r {
            Some(r) => format!("{} {r}/5", t(lang, Key::RatePrompt)),
            None => t(lang, Key::RatePrompt).to_string(),
        },
    }
}

pub fn notice_key(n: Notice) -> Key {
    match n {
        Notice::Thanks => Key::Thanks,
        Notice::SorryVote => Key::SorryVote,
        Notice::Sent => Key::Sent,
        Notice::SentLocal => Key::SentLocal,
        Notice::Queued => Key::Queued,
        Notice::Delivered => Key::Delivered,
        Notice::FailNetwork => Key::FailNetwork,
        Notice::FailCorrupt => Key::FailCorrupt,
        Notice::FailEngine => Key::FailEngine,
        Notice::CaseClosed => Key::CaseClosed,
        Notice::Rated => Key::Rated,
    }
}

fn local() -> Option<Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Puts a case in the outbox until a POST succeeds.
pub fn queue(id: &str, body: &str) {
    if let Some(s) = local() {
        let _ = s.set_item(&format!("{OUTBOX_PREFIX}{id}"), body);
    }
}

/// The cases waiting in the outbox: (storage key, JSON body).
pub fn pending() -> Vec<(String, String)> {
    let Some(s) = local() else { return Vec::new() };
    let n = s.length().unwrap_or(0);
    let mut out = Vec::new();
    for i in 0..n {
        if let Ok(Some(k)) = s.key(i) {
            if k.starts_with(OUTBOX_PREFIX) {
                if let Ok(Some(v)) = s.get_item(&k) {
                    out.push((k, v));
                }
            }
        }
    }
    out
}

fn remove(key: &str) {
    if let Some(s) = local() {
        let _ = s.remove_item(key);
    }
}

/// How a POST went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// 2xx, or 409 (the server already has this case id: an earlier try got through).
    Delivered,
    /// The server refused the case for good (other 4xx): retrying cannot help.
    Rejected,
    /// Network error, 5xx, 408, 429: try again later.
    Later,
}

/// A random id per browser install (`localStorage`), sent as `X-Kefu-Client` so the
/// server's per-client rate limit keys on it.
fn client_id() -> Option<String> {
    let s = local()?;
    if let Ok(Some(id)) = s.get_item("kefu.client") {
        return Some(id);
    }
    let id = uuid_v4();
    let _ = s.set_item("kefu.client", &id);
    Some(id)
}

fn json_request(url: &str, body: &str, keepalive: bool) -> Option<Request> {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    if keepalive {
        let _ = js_sys::Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::TRUE);
    }
    let req = Request::new_with_str_and_init(url, &init).ok()?;
    let _ = req.headers().set("Content-Type", "application/json");
    if let Some(id) = client_id() {
        let _ = req.headers().set("X-Kefu-Client", &id);
    }
    Some(req)
}

/// Sends the shopper's 1–5 rating of a closed case (`POST {case}/rating`, Bearer token).
pub async fn rate(case_url: String, token: String, rating: u8) -> bool {
    let Some(window) = web_sys::window() else { return false };
    let Some(req) = json_request(&format!("{case_url}/rating"), &format!("{{\"rating\":{rating}}}"), false) else {
        return false;
    };
    let _ = req.headers().set("Authorization", &format!("Bearer {token}"));
    match wasm_bindgen_futures::JsFuture::from(window.fetch_with_request(&req)).await {
        Ok(r) => r.dyn_into::<Response>().map(|r| r.ok()).unwrap_or(false),
        Err(_) => false,
    }
}

/// POSTs one JSON body; with a 2xx, also the case token kefu-server answers with.
pub async fn post(url: &str, body: &str) -> (Sent, Option<String>) {
    let Some(window) = web_sys::window() else { return (Sent::Later, None) };
    let Some(req) = json_request(url, body, false) else { return (Sent::Rejected, None) };
    let Ok(resp) = wasm_bindgen_futures::JsFuture::from(window.fetch_with_request(&req)).await else {
        return (Sent::Later, None);
    };
    let Ok(resp) = resp.dyn_into::<Response>() else { return (Sent::Later, None) };
    let sent = match resp.status() {
        200..=299 | 409 => Sent::Delivered,
        408 | 429 => Sent::Later,
        400..=499 => {
            web_sys::console::warn_1(&JsValue::from_str(&format!(
                "kefu: the hand-off server refused the case (HTTP {}); it was still passed to the page's handoff event",
                resp.status()
            )));
            Sent::Rejected
        }
        _ => Sent::Later,
    };
    let mut token = None;
    if resp.ok() {
        if let Ok(p) = resp.text() {
            if let Ok(text) = wasm_bindgen_futures::JsFuture::from(p).await {
                let v = js_sys::JSON::parse(&text.as_string().unwrap_or_default()).unwrap_or(JsValue::NULL);
                token = js_sys::Reflect::get(&v, &JsValue::from_str("token")).ok().and_then(|t| t.as_string());
            }
        }
    }
    (sent, token)
}

/// Sends a new case: POST, or keep it in the outbox when that fails for now.
pub async fn send(url: String, id: String, body: String) -> (Sent, Option<String>) {
    queue(&id, &body);
    let (sent, token) = post(&url, &body).await;
    if sent != Sent::Later {
        remove(&format!("{OUTBOX_PREFIX}{id}"));
    }
    (sent, token)
}

/// The session beacon (kefu-server's `POST /api/sessions`): fire and forget, `keepalive`
/// so it survives the page unloading.
pub fn beacon(url: &str, body: &str) {
    let Some(window) = web_sys::window() else { return };
    let Some(req) = json_request(url, body, true) else { return };
    let p = window.fetch_with_request(&req);
    // Failures are fine: the next beacon carries the same (growing) counters.
    wasm_bindgen_futures::spawn_local(async move {
        let _ = wasm_bindgen_futures::JsFuture::from(p).await;
    });
}

/// Retries every case in the outbox; returns how many were delivered.
pub async fn flush(url: String) -> usize {
    let mut delivered = 0;
    for (key, body) in pending() {
        match post(&url, &body).await.0 {
            Sent::Delivered => {
                remove(&key);
                delivered += 1;
            }
            Sent::Rejected => remove(&key),
            Sent::Later => {}
        }
    }
    delivered
}
