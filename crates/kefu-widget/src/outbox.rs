//! Delivery of hand-off cases and their photos to kefu-server, without loss and without
//! duplicates, whatever the network does.
//!
//! Everything is written to IndexedDB ([`crate::idb`]) *before* the first try: the case (its
//! client-generated UUID, the exact JSON body, the ids of its photos) and each photo (its own
//! UUID and the exact bytes the widget produced). A pass then, for each waiting case:
//! `POST /api/cases` (once it has a token, never again), then `PUT` each photo not yet
//! confirmed, with upload progress. A record leaves the outbox only when the server has
//! confirmed it (`201`, or `200` for a retry it already had). Because every retry resends
//! the same id with the same bytes, a retry after a lost answer never creates a second case
//! or photo (the server is idempotent by id).
//!
//! A request that fails with a network error waits for the next pass, unless the page's
//! Content-Security-Policy refused it ([`crate::net::blocked`]): that never passes, and the
//! case leaves the outbox for the chat to say it could not be sent.
//!
//! Passes run when a case is queued, when the widget starts (a reload or a new visit), when
//! the browser comes back `online`, and on a back-off timer (1 s, 2 s, 4 s … 30 s, or the
//! server's `Retry-After`) while something waits.
//!
//! Several tabs of a shop share the outbox, and whichever tab's pass gets there first
//! delivers a case. A finished case therefore leaves a small tombstone (`done`: delivered,
//! rejected or blocked) for [`TOMBSTONE_MS`] instead of vanishing, so that the tab whose chat shows the
//! case, waiting out a back-off, learns its fate on its next pass.

use crate::idb::{self, field, field_num, field_str, set, CASES, PHOTOS};
use crate::now_ms;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::XmlHttpRequest;

/// What happened to the outbox, for the chat to show.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The server has the case: its token opens the case's event stream.
    Created { case: String, url: String, token: String },
    /// Upload progress of a photo, 0–1.
    Progress { photo: String, fraction: f64 },
    /// The server has the photo.
    PhotoSent { photo: String },
    /// The server refused the photo for good (its error code: `image_too_large` …).
    PhotoRefused { photo: String, code: String },
    /// A try failed (offline, server down or busy); the case waits for the next pass.
    Waiting { case: String },
    /// The case and all its photos are confirmed.
    Delivered { case: String },
    /// The server refused the case for good (a 4xx other than 408/429). `text`: its
    /// description and order number, when this tab's pass was refused (a tab that only finds
    /// the tombstone has not got them).
    Rejected { case: String, status: u16, text: Option<(String, Option<String>)> },
    /// The page's CSP blocks the hand-off URL, so the case can never be sent from this page
    /// (a network error alike offline, but for good): it left the outbox. `text` as for
    /// [`Event::Rejected`].
    Blocked { case: String, text: Option<(String, Option<String>)> },
    /// A `kefu.outbox.*` entry that was not a case kefu wrote held a shopper's words
    /// ([`adopt_local_storage`]): its key, the words, an order number found with them.
    Unsent { key: String, text: String, order: Option<String> },
}

struct Sync {
    running: bool,
    again: bool,
    timer: bool,
    delay_ms: i32,
    listener: Option<fn(Event)>,
    /// Cases this tab queued or saw waiting, whose end it has not reported yet.
    known: Vec<String>,
}

thread_local! {
    static SYNC: RefCell<Sync> = const {
        RefCell::new(Sync { running: false, again: false, timer: false, delay_ms: 0, listener: None, known: Vec::new() })
    };
}

/// How long a finished case's tombstone stays for other tabs to read (longer than the
/// longest back-off, 30 s, by far).
const TOMBSTONE_MS: f64 = 10.0 * 60.0 * 1000.0;

/// Notes a case this tab will want to hear the end of.
fn remember(id: &str) {
    SYNC.with(|s| {
        let known = &mut s.borrow_mut().known;
        if !known.iter().any(|k| k == id) {
            known.push(id.to_string());
        }
    });
}

/// Whether this tab still has to report `id`'s end (and from now on, not again).
fn forget(id: &str) -> bool {
    SYNC.with(|s| {
        let known = &mut s.borrow_mut().known;
        let had = known.iter().any(|k| k == id);
        known.retain(|k| k != id);
        had
    })
}

/// Replaces a case record by its tombstone (`done`: "delivered", "rejected" or "blocked").
async fn finish(id: &str, done: &str, status: u16) {
    let rec = js_sys::Object::new();
    set(&rec, "id", id);
    set(&rec, "done", done);
    set(&rec, "status", f64::from(status));
    set(&rec, "created", now_ms());
    let _ = idb::put(CASES, &rec).await;
}

/// Where outbox events go (the widget's chat).
pub fn listen(f: fn(Event)) {
    SYNC.with(|s| s.borrow_mut().listener = Some(f));
}

fn notify(e: Event) {
    if let Some(f) = SYNC.with(|s| s.borrow().listener) {
        f(e);
    }
}

/// Puts a case in the outbox: its photos (drafts already in IndexedDB) are attached to it,
/// then the case record is written. Resolves once both are committed.
pub async fn enqueue(case_id: &str, url: &str, body: &str, photos: &[String]) -> Result<(), JsValue> {
    for pid in photos {
        if let Some(p) = idb::get(PHOTOS, pid).await? {
            set(&p, "case", case_id);
            set(&p, "state", "queued");
            idb::put(PHOTOS, &p).await?;
        }
    }
    let rec = js_sys::Object::new();
    set(&rec, "id", case_id);
    set(&rec, "url", url);
    set(&rec, "body", body);
    let ids: js_sys::Array = photos.iter().map(|p| JsValue::from_str(p)).collect();
    set(&rec, "photos", ids);
    set(&rec, "created", now_ms());
    remember(case_id);
    idb::put(CASES, &rec).await
}

/// Starts a delivery pass now (or right after the one running).
pub fn kick() {
    let start = SYNC.with(|s| {
        let mut s = s.borrow_mut();
        if s.running {
            s.again = true;
            false
        } else {
            s.running = true;
            true
        }
    });
    if start {
        wasm_bindgen_futures::spawn_local(run());
    }
}

/// The outcome of one pass.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Pass {
    /// Nothing is left.
    Done,
    /// Something waits; try again after the back-off (at least this many ms).
    Wait(i32),
    /// A token went stale (server lost the case?): start over at once.
    Again,
}

async fn run() {
    let mut agains = 0;
    let outcome = loop {
        SYNC.with(|s| s.borrow_mut().again = false);
        let r = pass().await;
        if r == Pass::Again && agains < 3 {
            agains += 1;
            continue;
        }
        if !SYNC.with(|s| s.borrow().again) {
            break if r == Pass::Again { Pass::Wait(0) } else { r };
        }
    };
    SYNC.with(|s| s.borrow_mut().running = false);
    match outcome {
        Pass::Done | Pass::Again => SYNC.with(|s| s.borrow_mut().delay_ms = 0),
        Pass::Wait(at_least) => schedule(at_least),
    }
}

/// Retries later: 1 s, then doubling up to 30 s (or the server's `Retry-After`).
fn schedule(at_least: i32) {
    let Some(delay) = SYNC.with(|s| {
        let mut s = s.borrow_mut();
        if s.timer {
            return None;
        }
        s.timer = true;
        s.delay_ms = (s.delay_ms * 2).clamp(1000, 30_000).max(at_least);
        Some(s.delay_ms)
    }) else {
        return;
    };
    let Some(window) = web_sys::window() else { return };
    let f = Closure::once_into_js(move || {
        SYNC.with(|s| s.borrow_mut().timer = false);
        kick();
    });
    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(f.unchecked_ref(), delay);
}

/// Orders records by their `created` time. An insertion sort: a handful of records, and a
/// generic `sort_by` would add kilobytes of wasm.
fn oldest_first(v: &mut [JsValue]) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && field_num(&v[j - 1], "created") > field_num(&v[j], "created") {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
}

async fn pass() -> Pass {
    let mut cases = match idb::all(CASES).await {
        Ok(c) => c,
        Err(_) => return Pass::Wait(0),
    };
    oldest_first(&mut cases);
    for rec in cases {
        let Some(id) = field_str(&rec, "id") else { continue };
        if let Some(done) = field_str(&rec, "done") {
            // Another tab finished it: tell this tab's chat if it shows the case.
            if forget(&id) {
                notify(match done.as_str() {
                    "rejected" => {
                        Event::Rejected { case: id.clone(), status: field_num(&rec, "status") as u16, text: None }
                    }
                    "blocked" => Event::Blocked { case: id.clone(), text: None },
                    _ => Event::Delivered { case: id.clone() },
                });
            }
            if now_ms() - field_num(&rec, "created") > TOMBSTONE_MS {
                let _ = idb::delete(CASES, &id).await;
            }
            continue;
        }
        remember(&id);
        let (Some(url), Some(body)) = (field_str(&rec, "url"), field_str(&rec, "body")) else { continue };
        let token = match field_str(&rec, "token") {
            Some(t) => t,
            None => match post_case(&url, &body).await {
                Posted::Token(t) => {
                    set(&rec, "token", t.as_str());
                    let _ = idb::put(CASES, &rec).await;
                    notify(Event::Created { case: id.clone(), url: format!("{url}/{id}"), token: t.clone() });
                    t
                }
                Posted::Later(ra) => {
                    notify(Event::Waiting { case: id });
                    return Pass::Wait(ra);
                }
                Posted::Blocked => {
                    web_sys::console::warn_1(&JsValue::from_str(&format!(
                        "kefu: the page's Content-Security-Policy (connect-src) blocks the hand-off URL {url}: \
                         case {id} cannot be sent from this page; the page's handoff event still carried it"
                    )));
                    drop_case(&rec, "blocked", 0).await;
                    forget(&id);
                    notify(Event::Blocked { case: id, text: case_text(&body) });
                    continue;
                }
                Posted::Refused(status) => {
                    web_sys::console::warn_1(&JsValue::from_str(&format!(
                        "kefu: the hand-off server refused case {id} (HTTP {status}); the page's handoff event still carried it"
                    )));
                    drop_case(&rec, "rejected", status).await;
                    forget(&id);
                    notify(Event::Rejected { case: id, status, text: case_text(&body) });
                    continue;
                }
            },
        };
        let case_url = format!("{url}/{id}");
        for pid in photo_ids(&rec) {
            let Ok(Some(p)) = idb::get(PHOTOS, &pid).await else { continue };
            if field_str(&p, "state").as_deref() != Some("queued") {
                continue;
            }
            let Ok(bytes) = field(&p, "bytes").dyn_into::<js_sys::Uint8Array>() else { continue };
            let progress_id = pid.clone();
            let put = upload(&format!("{case_url}/attachments/{pid}"), &token, &bytes, move |f| {
                notify(Event::Progress { photo: progress_id.clone(), fraction: f })
            })
            .await;
            match put {
                Put::Stored => {
                    retire(&p, "sent").await;
                    notify(Event::PhotoSent { photo: pid });
                }
                Put::Later(ra) => {
                    notify(Event::Waiting { case: id });
                    return Pass::Wait(ra);
                }
                Put::Stale => {
                    // The server does not know the case or the token (a restored backup?):
                    // create it again (same id, same body) and retry.
                    set(&rec, "token", JsValue::UNDEFINED);
                    let _ = idb::put(CASES, &rec).await;
                    return Pass::Again;
                }
                Put::Refused(code) => {
                    retire(&p, "refused").await;
                    notify(Event::PhotoRefused { photo: pid, code });
                }
            }
        }
        finish(&id, "delivered", 0).await;
        forget(&id);
        notify(Event::Delivered { case: id });
    }
    Pass::Done
}

/// The ids of a case record's photos.
fn photo_ids(rec: &JsValue) -> Vec<String> {
    field(rec, "photos")
        .dyn_into::<js_sys::Array>()
        .map(|a| a.iter().filter_map(|v| v.as_string()).collect())
        .unwrap_or_default()
}

/// A photo record leaves the outbox (`sent` or `refused`): its bytes go, its thumbnail stays.
async fn retire(p: &JsValue, state: &str) {
    set(p, "state", state);
    set(p, "bytes", JsValue::UNDEFINED);
    let _ = idb::put(PHOTOS, p).await;
}

/// A case leaves the outbox unsent (`done`: "rejected" by the server, or "blocked" by the
/// page's CSP), and its photos with it.
async fn drop_case(rec: &JsValue, done: &str, status: u16) {
    for pid in photo_ids(rec) {
        if let Ok(Some(p)) = idb::get(PHOTOS, &pid).await {
            retire(&p, "refused").await;
        }
    }
    if let Some(id) = field_str(rec, "id") {
        finish(&id, done, status).await;
    }
}

/// The description and order number of a case body.
fn case_text(body: &str) -> Option<(String, Option<String>)> {
    let c = js_sys::JSON::parse(body).ok()?;
    field_str(&c, "description").map(|d| (d, field_str(&c, "order_number")))
}

enum Posted {
    Token(String),
    Later(i32),
    Refused(u16),
    /// The page's CSP blocks the URL: it can never go from this page.
    Blocked,
}

/// `Retry-After` in ms (seconds form only), 0 when absent.
fn retry_after(v: Option<String>) -> i32 {
    v.and_then(|s| s.trim().parse::<i32>().ok()).map(|s| s.clamp(0, 300) * 1000).unwrap_or(0)
}

async fn post_case(url: &str, body: &str) -> Posted {
    let Some(req) = crate::net::request("POST", url, Some(body), None, false) else { return Posted::Refused(0) };
    let Some(resp) = crate::net::send(&req).await else {
        // Offline, the server down, or refused by the page's CSP: only the last is for good.
        return if crate::net::blocked(url).await { Posted::Blocked } else { Posted::Later(0) };
    };
    let status = resp.status();
    match status {
        200..=299 => {
            let text = match resp.text() {
                Ok(p) => JsFuture::from(p).await.ok().and_then(|t| t.as_string()).unwrap_or_default(),
                Err(_) => String::new(),
            };
            let v = js_sys::JSON::parse(&text).unwrap_or(JsValue::NULL);
            match field_str(&v, "token") {
                Some(t) => Posted::Token(t),
                // A 2xx without a token (a receiver that is not kefu-server): delivered, but
                // there is no event stream to follow.
                None => Posted::Token(String::new()),
            }
        }
        408 | 429 => Posted::Later(retry_after(resp.headers().get("Retry-After").ok().flatten())),
        400..=499 => Posted::Refused(status),
        _ => Posted::Later(retry_after(resp.headers().get("Retry-After").ok().flatten())),
    }
}

enum Put {
    Stored,
    Later(i32),
    /// 401/404: the case or token is unknown to the server.
    Stale,
    Refused(String),
}

/// `PUT`s one photo with `XMLHttpRequest` (fetch cannot report upload progress).
async fn upload(url: &str, token: &str, bytes: &js_sys::Uint8Array, on_progress: impl Fn(f64) + 'static) -> Put {
    if token.is_empty() {
        // The receiver gave no token: it takes no photos either.
        return Put::Refused("no_token".into());
    }
    let Ok(xhr) = XmlHttpRequest::new() else { return Put::Later(0) };
    if xhr.open("PUT", url).is_err() {
        return Put::Refused("bad_url".into());
    }
    let _ = xhr.set_request_header("Authorization", &format!("Bearer {token}"));
    let _ = xhr.set_request_header("Content-Type", "image/jpeg");
    if let Some(c) = crate::net::client_id() {
        let _ = xhr.set_request_header("X-Kefu-Client", &c);
    }
    xhr.set_timeout(180_000);
    let progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
        if e.length_computable() && e.total() > 0.0 {
            on_progress((e.loaded() / e.total()).clamp(0.0, 1.0));
        }
    });
    if let Ok(up) = xhr.upload() {
        up.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    let done = {
        let xhr = xhr.clone();
        js_sys::Promise::new(&mut |resolve, _reject| {
            let f = Closure::once_into_js(move || {
                let _ = resolve.call0(&JsValue::NULL);
            });
            xhr.set_onloadend(Some(f.unchecked_ref()));
        })
    };
    if xhr.send_with_opt_buffer_source(Some(bytes)).is_err() {
        return Put::Later(0);
    }
    let _ = JsFuture::from(done).await;
    if let Ok(up) = xhr.upload() {
        up.set_onprogress(None);
    }
    drop(progress);
    let status = xhr.status().unwrap_or(0);
    let code = || {
        let text = xhr.response_text().ok().flatten().unwrap_or_default();
        let v = js_sys::JSON::parse(&text).unwrap_or(JsValue::NULL);
        field_str(&field(&v, "error"), "code").unwrap_or_else(|| format!("http_{status}"))
    };
    match status {
        200..=299 => Put::Stored,
        0 => Put::Later(0),
        401 | 404 => Put::Stale,
        408 | 429 => Put::Later(retry_after(xhr.get_response_header("Retry-After").ok().flatten())),
        // `body_read_failed`: the connection dropped mid-body; try again.
        400 if code() == "body_read_failed" => Put::Later(0),
        400..=499 => Put::Refused(code()),
        _ => Put::Later(retry_after(xhr.get_response_header("Retry-After").ok().flatten())),
    }
}

/// Stores a photo the shopper added to the form (not yet part of a case).
pub async fn save_draft(id: &str, name: &str, p: &crate::images::Processed) -> Result<(), JsValue> {
    let rec = js_sys::Object::new();
    set(&rec, "id", id);
    set(&rec, "case", "");
    set(&rec, "state", "draft");
    set(&rec, "name", name);
    set(&rec, "bytes", js_sys::Uint8Array::from(&p.bytes[..]));
    set(&rec, "thumb", js_sys::Uint8Array::from(&p.thumb[..]));
    set(&rec, "width", p.width);
    set(&rec, "height", p.height);
    set(&rec, "size", p.bytes.len() as f64);
    set(&rec, "sha256", p.sha256.as_str());
    set(&rec, "created", now_ms());
    idb::put(PHOTOS, &rec).await
}

/// The photos in the form (drafts), oldest first.
pub async fn drafts() -> Vec<JsValue> {
    let cleared = crate::store::drafts_cleared_at();
    let mut v: Vec<JsValue> = Vec::new();
    for p in idb::all(PHOTOS).await.unwrap_or_default() {
        if field_str(&p, "state").as_deref() != Some("draft") {
            continue;
        }
        if field_num(&p, "created") <= cleared {
            // Discarded by "new conversation" before its deletion finished: finish it now.
            if let Some(id) = field_str(&p, "id") {
                let _ = idb::delete(PHOTOS, &id).await;
            }
            continue;
        }
        v.push(p);
    }
    oldest_first(&mut v);
    v
}

/// Marks a photo as kept only for its thumbnail (a case that went to the page's callback).
pub async fn settle(id: &str) {
    if let Ok(Some(p)) = idb::get(PHOTOS, id).await {
        retire(&p, "sent").await;
    }
}

/// Forgets old photo records: abandoned drafts after a week, thumbnails of delivered photos
/// when the conversation history they belong to is forgotten ([`crate::history`], 30 days).
/// Photos of cases still waiting are never touched.
pub async fn tidy() {
    let day = 24.0 * 3600.0 * 1000.0;
    for p in idb::all(PHOTOS).await.unwrap_or_default() {
        let state = field_str(&p, "state").unwrap_or_default();
        let keep_days = if state == "draft" { 7.0 } else { crate::history::MAX_AGE_DAYS };
        if state != "queued" && now_ms() - field_num(&p, "created") > keep_days * day {
            if let Some(id) = field_str(&p, "id") {
                let _ = idb::delete(PHOTOS, &id).await;
            }
        }
    }
}

/// Cases the loader's fallback form (or an older widget) left in `localStorage`
/// (`kefu.outbox.<id>` → JSON body) move into the outbox.
///
/// Anything else under that prefix (a shop's script or an extension writing there, an entry
/// edited by hand: not JSON, JSON of another shape, `{}`) is not a case: posting it only earned
/// a refusal. It is not posted, and it goes with one console warning naming its key, without
/// holding up the real cases beside it. Except the words a shopper may have typed into it (its
/// `description`): those are not dropped with it. They go into the hand-off form, opened, with
/// a notice that a message kept on this device could not be sent as it was ([`Event::Unsent`]),
/// for the shopper to check and send as a new case. Not sent as they are: nothing says the rest
/// of such an entry (its id, order number, locale) is sound, or that the shopper still wants it
/// sent. And not removed before the shopper has seen them: the chat removes the entry once its
/// words are in the form and the panel has been open (`App::forget_unsent`); until then, a page
/// closed unseen, or a form that held other words, leaves it to be offered on a later start.
pub async fn adopt_local_storage(url: &str) {
    let Some(s) = crate::store::local() else { return };
    let mut found = Vec::new();
    for i in 0..s.length().unwrap_or(0) {
        if let Ok(Some(k)) = s.key(i) {
            if let Some(id) = k.strip_prefix(crate::handoff::OUTBOX_PREFIX) {
                if let Ok(Some(body)) = s.get_item(&k) {
                    found.push((k.clone(), id.to_string(), body));
                }
            }
        }
    }
    for (key, id, body) in found {
        let v = js_sys::JSON::parse(&body).unwrap_or(JsValue::NULL);
        if is_case(&v, &id) {
            if enqueue(&id, url, &body, &[]).await.is_ok() {
                let _ = s.remove_item(&key);
            }
            continue;
        }
        let mut warning = String::from("kefu: localStorage \"");
        warning.push_str(&key);
        warning.push_str("\" is not a case kefu saved: not sent (any shopper text goes to the form)");
        web_sys::console::warn_1(&JsValue::from_str(&warning));
        match shopper_text(&v) {
            Some(text) => notify(Event::Unsent { key, text, order: field_str(&v, "order_number") }),
            None => {
                let _ = s.remove_item(&key);
            }
        }
    }
}

/// Whether `v`, found under `kefu.outbox.<id>`, is a case the loader's form or the widget
/// wrote: kefu-server's case body (`POST /api/cases`) with that UUID as its id.
fn is_case(v: &JsValue, id: &str) -> bool {
    is_uuid(id)
        && field_str(v, "id").as_deref() == Some(id)
        && ["locale", "triage", "description"].iter().all(|k| field(v, k).is_string())
        && field(v, "transcript").is_instance_of::<js_sys::Array>()
}

/// The 8-4-4-4-12 hex form kefu-server wants ids in.
fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes()
            .enumerate()
            .all(|(i, b)| if matches!(i, 8 | 13 | 18 | 23) { b == b'-' } else { b.is_ascii_hexdigit() })
}

/// What a shopper typed in an entry that is not a case: its `description`.
fn shopper_text(v: &JsValue) -> Option<String> {
    Some(field_str(v, "description")?.trim().to_string()).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::is_uuid;

    #[test]
    fn case_ids_are_uuids() {
        assert!(is_uuid("0b7c1a52-5f0e-4d7a-9a51-2f4a3c8d9e10"));
        assert!(is_uuid("0B7C1A52-5F0E-4D7A-9A51-2F4A3C8D9E10"));
        for bad in [
            "",
            "abc",
            "0b7c1a52-5f0e-4d7a-9a51-2f4a3c8d9e1",
            "0b7c1a52x5f0e-4d7a-9a51-2f4a3c8d9e10",
            "0b7c1a52-5f0e-4d7a-9a51-2f4a3c8d9e1g",
            "0b7c1a52-5f0e-4d7a-9a51-2f4a3c8d9é",
        ] {
            assert!(!is_uuid(bad), "{bad}");
        }
    }
}
