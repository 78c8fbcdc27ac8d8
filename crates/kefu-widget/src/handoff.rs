//! Hand-off to a human: the case the shopper leaves (description, order number, contact,
//! photos, the transcript and the votes) in kefu-server's `POST /api/cases` shape, and the
//! richer payload of the page's `handoff` event. Delivery (IndexedDB outbox, retries, photo
//! uploads) is [`crate::outbox`]; the form is [`crate::intake`].

use crate::chat::{Body, Chat, From, Notice};
use crate::i18n::{t, Key, Lang};
use crate::json::Json;
use kefu_core::reply::{Cue, Emotion, Triage};
use kefu_core::Engine;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Request, RequestInit, Response};

/// Prefix of the loader's fallback outbox in `localStorage` (value: the JSON body to POST);
/// the widget moves such cases into its own outbox when it starts.
pub const OUTBOX_PREFIX: &str = "kefu.outbox.";

/// A photo of the case, as the widget produced it (re-encoded JPEG).
#[derive(Debug, Clone, Default)]
pub struct Photo {
    pub id: String,
    pub width: u32,
    pub height: u32,
    pub size: u32,
    pub sha256: String,
}

/// What the shopper typed into the hand-off form.
#[derive(Debug, Clone, Default)]
pub struct Form {
    pub description: String,
    pub order_number: String,
    pub contact: String,
    pub photos: Vec<Photo>,
}

/// A case ready to go: its id, the body for `POST data-handoff-url` (kefu-server's
/// `/api/cases` shape: snake_case, `role`/`text`/`at` transcript, announced `attachments`),
/// and the richer payload of the page's `handoff` event (camelCase, with the votes, KB gaps
/// and photo details).
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

fn cue_tag(c: Cue) -> Option<String> {
    Some(c.name()).filter(|n| !n.is_empty()).map(|n| n.replace('_', "-"))
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
    // (role, agent name, text, time, KB entry)
    type Line<'a> = (&'static str, Option<&'a str>, String, f64, Option<&'a str>);
    let transcript: Vec<Line> = chat
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
    j.array("attachments");
    for p in &form.photos {
        j.value(&p.id);
    }
    j.end_array();
    j.array("tags");
    j.value(&format!("handoff:{reason}"));
    if let Some(c) = cue_tag(chat.cue) {
        j.value(&c);
    }
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
        .opt("cue", cue_tag(chat.cue).as_deref())
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
    e.array("photos");
    for p in &form.photos {
        e.item()
            .str("id", &p.id)
            .str("type", "image/jpeg")
            .num("width", p.width.into())
            .num("height", p.height.into())
            .num("size", p.size.into())
            .str("sha256", &p.sha256)
            .end_item();
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
        Body::Case { description, order_number, photos, .. } => {
            let order = order_number.as_ref().map(|o| format!("{} {o}", t(lang, Key::FormOrder)));
            let photos = (!photos.is_empty()).then(|| format!("[{} × {}]", t(lang, Key::PhotoAlt), photos.len()));
            join(&[Some(description.as_str()), order.as_deref(), photos.as_deref()])
        }
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
        Notice::PhotoRefused => Key::PhotoRefused,
        Notice::FollowUpFailed => Key::FollowUpFailed,
    }
}

/// A random id per browser install (`localStorage`), sent as `X-Kefu-Client` so the
/// server's per-client rate limit keys on it.
pub(crate) fn client_id() -> Option<String> {
    let s = crate::store::local()?;
    if let Ok(Some(id)) = s.get_item("kefu.client") {
        return Some(id);
    }
    let id = uuid_v4();
    let _ = s.set_item("kefu.client", &id);
    Some(id)
}

/// A JSON `POST` to `url`, with the client id (`X-Kefu-Client`).
pub(crate) fn json_request(url: &str, body: &str, keepalive: bool) -> Option<Request> {
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
    let body = format!("{{\"rating\":{rating}}}");
    matches!(post_with_token(&format!("{case_url}/rating"), &token, &body).await, Some(200..=299))
}

/// `GET {case}` with the case token: the HTTP status, `None` when the network failed.
pub async fn case_state(case_url: &str, token: &str) -> Option<u16> {
    with_token(Request::new_with_str(case_url).ok()?, token).await
}

/// `POST {case}/messages` (a shopper follow-up): the HTTP status, `None` when the network
/// failed.
pub async fn post_message(case_url: &str, token: &str, body: &str) -> Option<u16> {
    post_with_token(&format!("{case_url}/messages"), token, body).await
}

/// A JSON `POST` with the case token: the HTTP status, `None` when the network failed.
async fn post_with_token(url: &str, token: &str, body: &str) -> Option<u16> {
    with_token(json_request(url, body, false)?, token).await
}

/// Sends `req` with the case token: the HTTP status, `None` when the network failed.
async fn with_token(req: Request, token: &str) -> Option<u16> {
    let window = web_sys::window()?;
    let _ = req.headers().set("Authorization", &format!("Bearer {token}"));
    let resp = wasm_bindgen_futures::JsFuture::from(window.fetch_with_request(&req)).await.ok()?;
    resp.dyn_into::<Response>().ok().map(|r| r.status())
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
