//! kefu-widget: the chat widget that runs in the shopper's browser (wasm).
//!
//! The loader (`www/loader/kefu.js`, plain JS) draws the launcher, fetches this module, the
//! wasm, the CSS and the KB bundle in parallel, then calls [`mount`] with the shadow root it
//! created and [`bundle`] (or [`bundle_failed`]) when the bundle arrives. Every later
//! `kefu(...)` call reaches [`command`]. Events for the page (`handoff`, `open`, `close`,
//! `ready`, `error`) go back through the `emit` function the loader passes in.
//!
//! Modules: [`chat`] (the conversation, DOM-free), [`ui`] (DOM), [`store`] (persistence),
//! hand-off to a human: [`intake`] (the form), [`photo`] and [`images`] (photo checks and
//! re-encoding), [`handoff`] (the case), [`outbox`] over [`idb`] (delivery without loss),
//! [`follow`] (agent replies and rating), [`live`] (who is answering, typing, new-reply
//! alerts), [`history`] (the conversation for other tabs and later visits), [`mail`] (the
//! shopper's e-mail address and "e-mail me this conversation"); [`i18n`] (strings),
//! [`color`] (brand colour
//! contrast). What crosses to the page (event payloads, `kefu(...)` arguments) and the
//! JSON request bodies are typed structs converted by serde-wasm-bindgen ([`to_js`],
//! [`to_json`]).

pub mod chat;
pub mod color;
pub mod follow;
pub mod handoff;
pub mod history;
pub mod i18n;
pub mod idb;
pub mod images;
pub mod intake;
pub mod live;
pub mod mail;
pub mod net;
pub mod outbox;
pub mod photo;
pub mod store;
pub mod ui;

use chat::{Body, Chat, From, Notice, Offer};
use i18n::{t, tf, Key, Lang};
use kefu_core::reply::Now;
use kefu_core::{BundleError, Engine};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use ui::launcher::Launcher;
use ui::panel::Panel;
use ui::render::{self, Ctx};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Event, HtmlElement, KeyboardEvent, ShadowRoot};

thread_local! {
    static APP: RefCell<Option<App>> = const { RefCell::new(None) };
    static EVENTS: RefCell<Vec<(&'static str, JsValue)>> = const { RefCell::new(Vec::new()) };
    static EMIT: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
    /// The ids of `handoff` cases a page listener took (`c.accept()`, see [`taken`]).
    static TAKEN: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    static SCROLL_PENDING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` on the widget. Re-entrant calls (a page callback calling `kefu()` while the
/// widget is busy) are dropped rather than aborting the wasm. Queued events are delivered
/// after the widget is released, so page callbacks may call back in.
fn with_app<R>(f: impl FnOnce(&mut App) -> R) -> Option<R> {
    let r = APP.with(|a| match a.try_borrow_mut() {
        Ok(mut g) => g.as_mut().map(f),
        Err(_) => None,
    });
    if APP.with(|a| a.try_borrow_mut().is_ok()) {
        deliver_events();
    }
    r
}

fn emit(name: &'static str, payload: JsValue) {
    EVENTS.with(|e| e.borrow_mut().push((name, payload)));
}

fn deliver_events() {
    loop {
        let batch: Vec<_> = EVENTS.with(|e| std::mem::take(&mut *e.borrow_mut()));
        if batch.is_empty() {
            return;
        }
        let f = EMIT.with(|f| f.borrow().clone());
        if let Some(f) = f {
            for (name, payload) in batch {
                // The loader's emit answers whether a listener took the event's case.
                let took = f.call2(&JsValue::NULL, &JsValue::from_str(name), &payload).is_ok_and(|r| r.is_truthy());
                if took && name == "handoff" {
                    if let Some(id) = get_str(&payload, "id") {
                        TAKEN.with(|t| t.borrow_mut().push(id));
                    }
                }
            }
        }
    }
}

/// Whether a listener of the page's `handoff` event took case `id`: called `accept()` on it,
/// or `preventDefault()` on the `kefu:handoff` DOM event, while the event was delivered
/// (docs/handoff-api.md). Known once the events queued with it have gone out, that is after
/// the `with_app` call that made the case: ask from a task spawned then.
pub(crate) fn taken(id: &str) -> bool {
    TAKEN.with(|t| t.borrow().iter().any(|x| x == id))
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn now() -> Now {
    let d = js_sys::Date::new_0();
    Now { unix_ms: d.get_time() as i64, utc_offset_minutes: -(d.get_timezone_offset() as i32) }
}

fn perf_now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn get_str(obj: &JsValue, key: &str) -> Option<String> {
    get(obj, key).as_string().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// `v` as a JS value: structs become plain objects, `None` becomes `null`.
pub(crate) fn to_js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
}

/// `v` as JSON text (a request body), by the browser's `JSON.stringify`.
pub(crate) fn to_json<T: Serialize + ?Sized>(v: &T) -> String {
    js_sys::JSON::stringify(&to_js(v)).map(String::from).unwrap_or_default()
}

/// The argument of `kefu('identify', {name, orderNumber})`; other fields are ignored.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Identify {
    name: Option<String>,
    order_number: Option<String>,
}

/// The `error` event's payload.
#[derive(Serialize)]
struct ErrorEvent<'a> {
    kind: &'a str,
    message: &'a str,
}

/// The session beacon's body (kefu-server's `POST /api/sessions`).
#[derive(Serialize)]
struct SessionBody<'a> {
    id: &'a str,
    locale: &'a str,
    messages: u32,
    answered: u32,
    handed_off: bool,
}

/// The longest message the composer (and the hand-off form's description) takes: as much as
/// the reply policy reads.
pub(crate) const COMPOSER_MAX: usize = kefu_core::reply::MAX_MESSAGE_CHARS;
/// The length of `text` when it is over [`COMPOSER_MAX`] characters (a message is refused
/// whole rather than cut: see `App::ask`).
pub(crate) fn too_long(text: &str) -> Option<usize> {
    Some(text.chars().count()).filter(|&n| n > COMPOSER_MAX)
}
/// The media query of the full-screen phone layout (kefu.css uses the same width).
const PHONE_LAYOUT: &str = "(max-width: 639.98px)";
/// What Tab can stop on inside the panel.
const FOCUSABLE: &str = "button:not([disabled]), [href], input:not([disabled]), textarea:not([disabled]), \
                         select:not([disabled]), [tabindex]:not([tabindex=\"-1\"])";

/// True when the panel takes the whole screen (a phone).
fn full_screen() -> bool {
    web_sys::window().and_then(|w| w.match_media(PHONE_LAYOUT).ok().flatten()).is_some_and(|m| m.matches())
}

fn warn(msg: &str) {
    web_sys::console::warn_1(&JsValue::from_str(msg));
}

/// The most lines a transcript request carries (kefu-server's limit).
pub(crate) const MAX_MAIL_LINES: usize = 200;

/// An event listener kept alive for as long as its event source.
type Listener = Closure<dyn FnMut(web_sys::MessageEvent)>;

/// The state of the KB bundle.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kb {
    Loading,
    Ready,
    Failed(Notice),
}

struct App {
    doc: Document,
    root: ShadowRoot,
    host: HtmlElement,
    lang: Lang,
    panel: Panel,
    launcher: Launcher,
    engine: Option<Engine>,
    kb: Kb,
    chat: Chat,
    open: bool,
    form_open: bool,
    /// The "your e-mail" form is open; whether the server can send mail.
    mail_open: bool,
    mail_state: mail::MailState,
    unread: u32,
    handoff_url: Option<String>,
    /// kefu-server's `/api/sessions` (settings `sessionsUrl`, else next to `handoffUrl`).
    sessions_url: Option<String>,
    /// Shopper messages (indices) asked before the bundle arrived.
    waiting: Vec<usize>,
    /// How many messages the log shows.
    rendered: usize,
    /// `performance.now()` when the KB became ready, and how long opening it took.
    ready_at: Option<f64>,
    open_ms: f64,
    /// The event stream of the handed-off case, and its listeners; the reconnect back-off.
    events: Option<(web_sys::EventSource, Vec<Listener>)>,
    follow_delay: i32,
    follow_timer: bool,
    /// Photo settings (`data-photos`, `data-photo-max-edge`, `data-photo-max-pixels`).
    limits: images::Limits,
    /// Whether the hand-off form asks for a contact (`data-contact`).
    contact_mode: intake::ContactMode,
    /// Photos in the open hand-off form; whether drafts left by an earlier page were loaded.
    drafts: Vec<intake::Draft>,
    drafts_loaded: bool,
    /// Cases the shopper was told are waiting for the network.
    told_waiting: Vec<String>,
    /// Ids of held follow-ups being sent now ([`Chat::held`]): not sent twice at once.
    held_in_flight: Vec<String>,
    /// `kefu.outbox.*` entries whose words are in the form ([`outbox::Event::Unsent`]).
    unsent: Vec<String>,
    /// A soft sound on agent replies (`data-sound`, `kefu('sound', …)`; off by default).
    sound: bool,
    /// The last question's cost in ms: reply policy (search included), drawing, saving.
    last_reply_ms: f64,
    last_render_ms: f64,
    last_save_ms: f64,
}

/// Mounts the widget into the loader's shadow root. `settings`: what the loader worked out
/// (`{locale, handoffUrl, name, orderNumber}`) and `opt(key)`, its reader of the merchant's
/// other settings (`kefuSettings`, else the tag's `data-*`: `color`, `photos`, `contact` …);
/// without `opt` those are fields of `settings` too. `emit(name, payload)` delivers events to
/// the page and answers whether a listener took a `handoff` case.
#[wasm_bindgen]
pub fn mount(root: ShadowRoot, settings: JsValue, emit_fn: js_sys::Function) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let doc = window.document().ok_or("no document")?;
    let host: HtmlElement = root.host().dyn_into()?;
    let lang = Lang::from_tag(&get_str(&settings, "locale").unwrap_or_default());
    let opt = get(&settings, "opt").dyn_into::<js_sys::Function>().ok();
    let setting = |k: &str| match &opt {
        Some(f) => f.call1(&JsValue::NULL, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED),
        None => get(&settings, k),
    };
    let setting_str = |k: &str| setting(k).as_string().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    // Values the loader ignores are ignored here too (the defaults everywhere), with one
    // warning each naming the setting and the accepted form (the loader draws the launcher
    // with the same rules: `data-color` only as #rgb or #rrggbb, `data-position` only "left"
    // moves it).
    let raw = |k: &str| setting(k).as_string().filter(|s| !s.is_empty());
    if let Some(c) = raw("color") {
        let palette = color::palette(&c);
        if palette.is_empty() {
            warn(&format!("kefu: data-color \"{c}\" ignored: use #rgb or #rrggbb, e.g. #e4393c"));
        }
        for (name, value) in palette {
            let _ = host.style().set_property(name, &value);
        }
    }
    if let Some(p) = raw("position").filter(|p| p != "left" && p != "right") {
        warn(&format!("kefu: data-position \"{p}\" ignored: use right or left"));
    }
    // Before any conversation starts: a clock put right must not stop it being kept.
    store::settle_drafts_cleared(now_ms());
    let from_session = store::load();
    // No conversation in this tab: the one kept for other tabs and visits comes next
    // (IndexedDB is asynchronous), and the case's events are followed after it.
    let restore = from_session.is_none();
    let mut chat = from_session.unwrap_or_else(|| Chat::new(now_ms()));
    // A case from an earlier visit whose replies the shopper has not seen.
    if chat.case.is_none() {
        chat.case = store::load_case().filter(|c| !c.closed);
    }
    let num = |k: &str| setting(k).as_f64().or_else(|| setting_str(k).and_then(|s| s.parse().ok()));
    let defaults = images::Limits::default();
    let limits = images::Limits {
        count: num("photos").map(|n| n.clamp(0.0, 10.0) as u32).unwrap_or(defaults.count),
        max_edge: num("photoMaxEdge").map(|n| n.clamp(256.0, 8192.0) as u32).unwrap_or(defaults.max_edge),
        max_pixels: num("photoMaxPixels").map(|n| n.clamp(1e6, 268e6) as u64).unwrap_or(defaults.max_pixels),
    };
    let contact_mode =
        intake::ContactMode::parse(setting_str("contact").as_deref(), get_str(&settings, "handoffUrl").is_some());
    if let Some(n) = get_str(&settings, "name") {
        chat.name = Some(n);
    }
    if let Some(o) = get_str(&settings, "orderNumber") {
        chat.order_number = Some(o);
    }
    let panel = Panel::build(&doc, lang, "");
    root.append_child(&panel.root)?;
    let launcher = Launcher::adopt(&root);
    let app = App {
        doc,
        root,
        host,
        lang,
        panel,
        launcher,
        engine: None,
        kb: Kb::Loading,
        chat,
        open: false,
        form_open: false,
        mail_open: false,
        mail_state: mail::MailState::Unknown,
        unread: 0,
        sessions_url: get_str(&settings, "sessionsUrl").or_else(|| {
            let h = get_str(&settings, "handoffUrl")?;
            h.strip_suffix("/cases").map(|base| format!("{base}/sessions"))
        }),
        handoff_url: get_str(&settings, "handoffUrl"),
        waiting: Vec::new(),
        rendered: 0,
        ready_at: None,
        open_ms: 0.0,
        events: None,
        follow_delay: 0,
        follow_timer: false,
        limits,
        contact_mode,
        drafts: Vec::new(),
        drafts_loaded: false,
        told_waiting: Vec::new(),
        held_in_flight: Vec::new(),
        unsent: Vec::new(),
        sound: live::sound_setting(&setting("sound")),
        last_reply_ms: 0.0,
        last_render_ms: 0.0,
        last_save_ms: 0.0,
    };
    EMIT.with(|e| *e.borrow_mut() = Some(emit_fn));
    APP.with(|a| *a.borrow_mut() = Some(app));
    with_app(|app| {
        app.listen_panel();
        app.show_mail_button();
        app.restore_typed();
        app.render_all();
        app.launcher.update(app.lang, false, 0);
        if !restore {
            app.follow_case();
        }
    });
    if let Some(doc) = window.document() {
        net::watch_csp(&doc);
    }
    listen_window(&window);
    live::listen_visibility();
    outbox::listen(|e| {
        with_app(|app| app.outbox_event(e));
    });
    let url = with_app(|app| app.handoff_url.clone()).flatten();
    wasm_bindgen_futures::spawn_local(async move {
        // The outbox reports into the conversation: restore that first.
        if restore {
            restore_history().await;
        }
        if let Some(url) = url {
            outbox::adopt_local_storage(&url).await;
            outbox::kick();
            outbox::tidy().await;
        }
    });
    Ok(())
}

/// A tab without a conversation of its own: shows the one kept on this device
/// ([`history::load`]), else, for a followed case, the case as the server has it; then
/// follows the case's events from where that conversation left off.
async fn restore_history() {
    let kept = match history::load().await {
        Some(chat) => Some(chat),
        None => {
            let case = with_app(|app| app.chat.case.clone()).flatten();
            match case {
                Some(case) => history::from_server(&case).await,
                None => None,
            }
        }
    };
    with_app(|app| {
        if let Some(mut kept) = kept.filter(|_| history::pristine(&app.chat)) {
            history::left_by_an_earlier_page(&mut kept);
            let (name, order) = (app.chat.name.take(), app.chat.order_number.take());
            // A case followed since that conversation was kept (another tab) stays followed.
            let case = kept.case.clone().or(app.chat.case.take());
            app.chat = Chat {
                name: name.or(kept.name.clone()),
                order_number: order.or(kept.order_number.clone()),
                case,
                ..kept
            };
            app.waiting.clear();
            app.render_all();
            store::save(&app.chat);
        }
        app.follow_case();
    });
}

/// Hands the KB bundle to the widget. A corrupt bundle is reported in the panel.
#[wasm_bindgen]
pub fn bundle(bytes: &[u8]) {
    let start = perf_now();
    let opened = Engine::open(bytes);
    let took = perf_now() - start;
    with_app(|app| app.bundle_opened(opened, took));
}

/// The bundle could not be fetched (`kind`: "network" or "http"; `detail` for the console),
/// or opening it trapped (`kind` "corrupt": the loader caught the trap of a panic in
/// [`bundle`], which wasm cannot unwind; the widget's state was not touched yet).
#[wasm_bindgen]
pub fn bundle_failed(kind: &str, detail: &str) {
    warn(&format!("kefu: the knowledge base could not be loaded ({kind}): {detail}"));
    let notice = if kind == "corrupt" { Notice::FailCorrupt } else { Notice::FailNetwork };
    with_app(|app| app.fail(notice, kind, detail));
}

/// One `kefu(name, arg)` call from the page.
#[wasm_bindgen]
pub fn command(name: &str, arg: JsValue) {
    with_app(|app| match name {
        // `{focus: false}`: reopened after a navigation; leave the page's focus alone.
        "open" => app.show(true, get(&arg, "focus") != JsValue::FALSE),
        "close" => app.set_open(false),
        "toggle" => app.set_open(!app.open),
        "ask" => {
            if let Some(text) = arg.as_string() {
                app.set_open(true);
                app.ask(&text);
            }
        }
        "identify" => {
            let who = match serde_wasm_bindgen::from_value::<Option<Identify>>(arg) {
                Ok(who) => who.unwrap_or_default(),
                Err(e) => {
                    warn(&format!("kefu: identify expects {{name, orderNumber}} strings: {e}"));
                    return;
                }
            };
            let given = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            if let Some(n) = given(who.name) {
                app.chat.name = Some(n);
            }
            if let Some(o) = given(who.order_number) {
                app.chat.order_number = Some(o);
            }
            store::save(&app.chat);
        }
        "locale" => {
            if let Some(tag) = arg.as_string() {
                app.set_lang(Lang::from_tag(&tag));
            }
        }
        "message" => {
            let text = get_str(&arg, "text").or_else(|| arg.as_string());
            if let Some(text) = text {
                // Masked as everything the widget shows and keeps (an agent's reply through
                // kefu serve is masked by the server; this one comes from the page), the
                // conversation's order number kept readable.
                let from = match get_str(&arg, "from").as_deref() {
                    Some("system") => From::System,
                    Some("bot") => From::Bot,
                    _ => From::Agent(app.chat.masked(&get_str(&arg, "name").unwrap_or_default())),
                };
                let text = app.chat.masked(&text);
                app.chat.push(from, Body::Text(text), now_ms());
                app.render_new();
            }
        }
        "handoff" => {
            app.set_open(true);
            app.open_form();
        }
        "reset" => app.reset(),
        "sound" => app.set_sound(live::sound_setting(&arg)),
        other => warn(&format!("kefu: unknown command `{other}`")),
    });
}

/// Figures for tests and the merchant's console: heap, bundle, timings.
#[wasm_bindgen]
pub fn stats() -> JsValue {
    let o = js_sys::Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &v);
    };
    let heap = wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().map(|b| b.byte_length()).unwrap_or(0));
    set("heapBytes", JsValue::from_f64(heap.unwrap_or(0) as f64));
    with_app(|app| {
        set("state", JsValue::from_str(app.state()));
        set("locale", JsValue::from_str(app.lang.tag()));
        set("messages", JsValue::from_f64(app.chat.messages.len() as f64));
        set("openBundleMs", JsValue::from_f64(app.open_ms));
        set("readyAt", app.ready_at.map(JsValue::from_f64).unwrap_or(JsValue::NULL));
        set("lastReplyMs", JsValue::from_f64(app.last_reply_ms));
        set("lastRenderMs", JsValue::from_f64(app.last_render_ms));
        set("lastSaveMs", JsValue::from_f64(app.last_save_ms));
        if let Some(e) = &app.engine {
            let (version, bytes) = e.format();
            set("bundleBytes", JsValue::from_f64(bytes as f64));
            set("bundleVersion", JsValue::from_f64(version as f64));
            set("entries", JsValue::from_f64(e.manifest().entries.len() as f64));
        }
    });
    o.into()
}

/// Soon after the KB is ready, runs the reply path once on a throw-away conversation so the
/// browser compiles the search code before the shopper's first question (V8 compiles wasm
/// functions lazily: the first real question would otherwise pay ~40 ms).
fn schedule_warm_up() {
    let Some(window) = web_sys::window() else { return };
    let f = Closure::once_into_js(move || {
        with_app(|app| {
            if let Some(engine) = &app.engine {
                let mut scratch = kefu_core::reply::Conversation::default();
                let _ = kefu_core::reply::respond(engine, &mut scratch, "退货运费 return delivery", now());
            }
        });
    });
    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(f.unchecked_ref(), 30);
}

fn listen_window(window: &web_sys::Window) {
    let hide = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
        with_app(|app| app.beacon());
    });
    let _ = window.add_event_listener_with_callback("pagehide", hide.as_ref().unchecked_ref());
    hide.forget();
    // Another tab of the shop handed a case over: this tab follows it too.
    let storage = Closure::<dyn FnMut(web_sys::StorageEvent)>::new(move |ev: web_sys::StorageEvent| {
        if ev.key().as_deref() != Some(store::CASE_KEY) {
            return;
        }
        if let Some(link) = store::load_case() {
            with_app(|app| app.adopt_case(link));
        }
    });
    let _ = window.add_event_listener_with_callback("storage", storage.as_ref().unchecked_ref());
    storage.forget();
    let online = Closure::<dyn FnMut(Event)>::new(move |_: Event| outbox::kick());
    let _ = window.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
    online.forget();
    if let Some(vv) = window.visual_viewport() {
        let on_resize = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            with_app(|app| app.fit_viewport());
        });
        let _ = vv.add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
        let _ = vv.add_event_listener_with_callback("scroll", on_resize.as_ref().unchecked_ref());
        on_resize.forget();
    }
}

/// Resolves after `ms` milliseconds.
pub(crate) async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}

impl App {
    fn state(&self) -> &'static str {
        match self.kb {
            Kb::Loading => "loading",
            Kb::Ready => "ready",
            Kb::Failed(_) => "error",
        }
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx { engine: self.engine.as_ref(), lang: self.lang, failed: matches!(self.kb, Kb::Failed(_)) }
    }

    /// What the shopper has typed and not sent, from the panel.
    fn typed(&self) -> store::Typed {
        let f = &self.panel.form;
        store::Typed {
            input: self.panel.input.value(),
            description: f.description.value(),
            order: f.order.value(),
            contact: f.contact.value(),
            email: f.email.value(),
            form_open: self.form_open,
        }
    }

    /// Keeps what the shopper has typed for a reload or a navigation in this tab.
    pub(crate) fn keep_typed(&self) {
        store::save_typed(&self.typed());
    }

    /// Gives back what was typed in this tab before a reload or a navigation.
    fn restore_typed(&mut self) {
        let Some(t) = store::load_typed() else { return };
        let f = &self.panel.form;
        self.panel.input.set_value(&t.input);
        f.description.set_value(&t.description);
        f.order.set_value(&t.order);
        f.contact.set_value(&t.contact);
        f.email.set_value(&t.email);
        if t.form_open && !self.form_open {
            self.open_form();
        }
    }

    fn shop(&self) -> String {
        self.engine.as_ref().map(|e| e.manifest().settings.name.clone()).unwrap_or_default()
    }

    /// Redraws the whole log (restore, bundle arrived, language switch).
    fn render_all(&mut self) {
        ui::clear(&self.panel.log);
        let ctx = self.ctx();
        for (i, m) in self.chat.messages.iter().enumerate() {
            if matches!(m.body, Body::Greeting) && self.engine.is_none() && self.kb == Kb::Loading {
                let row = ui::child(&self.panel.log, "div", "kefu-msg kefu-bot");
                ui::with_text(&ui::child(&row, "div", "kefu-bubble"), "p", "kefu-pending", t(self.lang, Key::Loading));
                continue;
            }
            render::message(&self.panel.log, m, i, &ctx);
        }
        self.rendered = self.chat.messages.len();
        self.scroll_to_end();
        self.paint_thumbs();
        self.update_header();
    }

    /// Draws the messages added since the last render; counts them as unread when closed.
    fn render_new(&mut self) {
        let t0 = perf_now();
        let ctx = Ctx { engine: self.engine.as_ref(), lang: self.lang, failed: matches!(self.kb, Kb::Failed(_)) };
        let mut fresh = 0;
        let mut photos = false;
        for i in self.rendered..self.chat.messages.len() {
            let m = &self.chat.messages[i];
            render::message(&self.panel.log, m, i, &ctx);
            if m.from != From::Shopper {
                fresh += 1;
            }
            photos |= matches!(&m.body, Body::Case { photos, .. } if !photos.is_empty());
        }
        self.rendered = self.chat.messages.len();
        if !self.open && fresh > 0 {
            self.unread += fresh;
            self.launcher.update(self.lang, self.open, self.unread);
        }
        self.scroll_to_end();
        // Only a case bubble brings thumbnails to paint: no DOM query on every reply.
        if photos {
            self.paint_thumbs();
        }
        self.update_header();
        let t1 = perf_now();
        store::save(&self.chat);
        self.last_save_ms = perf_now() - t1;
        self.last_render_ms = t1 - t0;
    }

    /// Scrolls the log to its end in the next animation frame: reading `scrollHeight` now
    /// would force a layout in the middle of drawing (the browser lays out once per frame).
    fn scroll_to_end(&self) {
        if SCROLL_PENDING.with(|p| p.replace(true)) {
            return;
        }
        let f = Closure::once_into_js(|| {
            SCROLL_PENDING.with(|p| p.set(false));
            with_app(|app| {
                let log = &app.panel.log;
                log.set_scroll_top(log.scroll_height());
            });
        });
        if let Some(w) = web_sys::window() {
            let _ = w.request_animation_frame(f.unchecked_ref());
        }
    }

    fn set_status(&self, s: &str) {
        self.panel.status.set_text_content(Some(s));
        let _ = self.panel.status.remove_attribute("data-why");
    }

    /// Says that the message in the composer is `n` characters long, over the limit.
    fn say_too_long(&self, n: usize) {
        self.set_status(&tf(self.lang, Key::TooLongCount, &[("n", &n.to_string())]));
        let _ = self.panel.status.set_attribute("data-why", "too-long");
    }

    /// Takes away a "message too long" notice once a message fits (other statuses stay).
    fn clear_too_long(&self) {
        if self.panel.status.has_attribute("data-why") {
            self.set_status("");
        }
    }

    fn bundle_opened(&mut self, opened: Result<Engine, BundleError>, took: f64) {
        match opened {
            Ok(engine) => {
                self.open_ms = took;
                self.engine = Some(engine);
                self.kb = Kb::Ready;
                let shop = self.shop();
                self.panel.set_shop(&shop, self.lang);
                self.panel.set_state("ready");
                self.set_status("");
                self.ready_at = Some(perf_now());
                if let Some(engine) = &self.engine {
                    for i in std::mem::take(&mut self.waiting) {
                        self.chat.reply(engine, i, now());
                    }
                }
                self.render_all();
                store::save(&self.chat);
                self.report_gaps();
                self.send_held();
                if std::mem::take(&mut self.chat.form_requested) {
                    self.open_form();
                }
                emit("ready", JsValue::from_str(&shop));
                schedule_warm_up();
            }
            Err(e) => {
                warn(&format!("kefu: the knowledge base bundle could not be read: {e}"));
                self.fail(Notice::FailCorrupt, "corrupt", &e.to_string());
            }
        }
    }

    fn fail(&mut self, notice: Notice, kind: &str, detail: &str) {
        self.kb = Kb::Failed(notice);
        self.engine = None;
        self.panel.set_state("error");
        self.set_status("");
        self.render_all();
        let last = self.chat.messages.last().map(|m| &m.body);
        if last != Some(&Body::Notice(notice)) {
            self.chat.push(From::System, Body::Notice(notice), now_ms());
        }
        // Questions asked while loading are answered by the notice (it offers a human).
        self.waiting.clear();
        self.render_new();
        emit("error", to_js(&ErrorEvent { kind, message: detail }));
    }

    fn set_open(&mut self, open: bool) {
        self.show(open, true);
    }

    fn show(&mut self, open: bool, focus: bool) {
        if open == self.open {
            if open && focus {
                self.focus_in();
            }
            return;
        }
        self.open = open;
        store::set_open(open);
        if open {
            // Before the class below changes the host's style (no second style pass).
            self.fit_zoom();
        }
        let _ = self.host.class_list().toggle_with_force("kefu-open", open);
        if open {
            let _ = self.panel.root.remove_attribute("hidden");
            self.forget_unsent();
            // Full screen on a phone: a modal dialog for assistive technology too.
            let _ = self.panel.root.set_attribute("aria-modal", if full_screen() { "true" } else { "false" });
            self.unread = 0;
            // The visual viewport is read only when it changes (resize/scroll events): until
            // then the full-screen phone panel uses 100dvh, and reading it now would force a
            // layout before the panel's first frame.
            self.scroll_to_end();
            if focus {
                self.focus_in();
            }
        } else {
            let _ = self.panel.root.set_attribute("hidden", "");
        }
        self.launcher.update(self.lang, open, self.unread);
        if !open && focus {
            self.launcher.focus();
        }
        emit(if open { "open" } else { "close" }, JsValue::UNDEFINED);
    }

    /// On a phone the panel covers the whole page, so it is modal: Tab and Shift+Tab cycle
    /// through its controls instead of moving onto the page's hidden links. On a larger
    /// screen the panel sits beside the page and Tab may leave it.
    fn keep_focus_in(&self, ev: &KeyboardEvent) {
        if !full_screen() {
            return;
        }
        let Ok(found) = self.panel.root.query_selector_all(FOCUSABLE) else { return };
        let controls: Vec<HtmlElement> = (0..found.length())
            .filter_map(|i| found.item(i)?.dyn_into::<HtmlElement>().ok())
            .filter(|e| e.offset_parent().is_some())
            .collect();
        let (Some(first), Some(last)) = (controls.first(), controls.last()) else { return };
        let active = self.root.active_element();
        let at = |e: &HtmlElement| active.as_ref().is_some_and(|a| a == e.unchecked_ref::<Element>());
        let wrap_to = if ev.shift_key() && (at(first) || active.is_none()) {
            last
        } else if !ev.shift_key() && at(last) {
            first
        } else {
            return;
        };
        ev.prevent_default();
        let _ = wrap_to.focus();
    }

    fn focus_in(&self) {
        if self.form_open {
            let _ = self.panel.form.description.focus();
        } else if self.mail_open {
            let _ = self.panel.mail.email.focus();
        } else {
            let _ = self.panel.input.focus();
        }
    }

    /// Mobile: size the full-screen panel to the visual viewport (on-screen keyboard).
    fn fit_viewport(&self) {
        let Some(vv) = web_sys::window().and_then(|w| w.visual_viewport()) else { return };
        // In the panel's px, which its zoom scales.
        let e = self.fit_zoom();
        let style = self.host.style();
        let _ = style.set_property("--kefu-vvh", &format!("{}px", (vv.height() / e).round()));
        let _ = style.set_property("--kefu-vvt", &format!("{}px", (vv.offset_top() / e).round()));
    }

    /// A zoom the page sets on html or body (`html { zoom: 2 }`: an "elder mode", a design
    /// scaled to the window) scales the widget and its viewport units, so a panel sized by
    /// the screen came out taller and wider than it. The panel gets a zoom `e` of its own
    /// and its sizes in the panel's px (the `--kefu-*` variables of kefu.css): it follows a
    /// page that enlarges as far as the screen leaves it 320 × 560 px, and never shrinks
    /// below its own size (legible text, 16 px inputs so iOS does not zoom). Returns `e`.
    fn fit_zoom(&self) -> f64 {
        let z = js_sys::Reflect::get(&self.host, &JsValue::from_str("currentCSSZoom"))
            .ok()
            .and_then(|v| v.as_f64())
            .filter(|z| z.is_finite() && *z > 0.0)
            .unwrap_or(1.0);
        let mut e = 1.0;
        if z != 1.0 {
            // The screen is read only under a page zoom (it can force a layout).
            let size = |v: Result<JsValue, JsValue>| v.ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
            if let Some(w) = web_sys::window() {
                e = z.min(size(w.inner_width()) / 320.0).min(size(w.inner_height()) / 560.0).max(1.0);
            }
        }
        let style = self.host.style();
        for (name, v) in [("--kefu-pz", e / z), ("--kefu-r", z / e), ("--kefu-ie", 1.0 / e)] {
            let _ = style.set_property(name, &v.to_string());
        }
        e
    }

    /// Tells kefu-server how this conversation went (messages, answers, hand-off).
    fn beacon(&self) {
        let (Some(url), Some(id)) = (&self.sessions_url, &self.chat.session) else { return };
        let (messages, answered) = self.chat.counts();
        if messages == 0 {
            return;
        }
        let body =
            SessionBody { id, locale: self.lang.tag(), messages, answered, handed_off: self.chat.case.is_some() };
        handoff::beacon(url, &to_json(&body));
    }

    /// A message from the composer or `kefu('ask')`.
    ///
    /// A message longer than [`COMPOSER_MAX`] is not sent, and not cut either: the composer's
    /// `maxlength` stops typing and a paste says what it left out, but a script, autofill, an
    /// IME or `kefu('ask', …)` can put more there, and sending only its first 2,000
    /// characters would drop the rest unseen. It goes back into the composer, whole, with a
    /// notice giving its length, for the shopper to shorten or send in parts (sending it in
    /// parts for them would cut sentences where no one chose to).
    fn ask(&mut self, text: &str) {
        let raw = text;
        // Zero-width characters (pasted from chat apps) are not a message, nor part of one;
        // control characters (pasted from Word, a PDF, a terminal) neither: kefu-server would
        // refuse a case or a follow-up holding one.
        let text = kefu_core::analyze::visible(&handoff::sendable(text, true));
        if let Some(n) = too_long(&text) {
            self.panel.input.set_value(raw);
            self.say_too_long(n);
            self.keep_typed();
            let _ = self.panel.input.focus();
            return;
        }
        // The composer was emptied for this message.
        self.keep_typed();
        if text.is_empty() {
            return;
        }
        self.clear_too_long();
        if self.chat.session.is_none() {
            self.chat.session = Some(handoff::uuid_v4());
        }
        if self.talking_to_agent() {
            self.send_to_agent(&text);
            return;
        }
        match self.kb {
            Kb::Ready => {
                if let Some(engine) = &self.engine {
                    let t0 = perf_now();
                    let first = self.chat.ask(engine, &text, now());
                    self.last_reply_ms = perf_now() - t0;
                    self.render_new();
                    // The message before was masked after the fact (a card split over two).
                    if std::mem::take(&mut self.chat.redraw) {
                        self.render_all();
                    }
                    // "没用" typed under an answer voted it down (Chat::reply): show it.
                    if let Some(i) =
                        self.chat.messages[..first].iter().rposition(|m| matches!(m.body, Body::Answer { .. }))
                    {
                        if let Body::Answer { vote, .. } = &self.chat.messages[i].body {
                            self.show_vote(i, *vote);
                        }
                    }
                    self.report_gaps();
                    self.send_held();
                    // "转人工" / "talk to a person": straight to the form, nothing to click.
                    if std::mem::take(&mut self.chat.form_requested) {
                        self.open_form();
                    }
                }
            }
            // Kept before it can be answered: masked now as the reply policy would mask it.
            Kb::Loading => {
                let text = kefu_core::reply::masked(&self.chat.conversation, &text);
                let i = self.chat.push(From::Shopper, Body::Text(text), now_ms());
                self.waiting.push(i);
                self.set_status(t(self.lang, Key::Loading));
                self.render_new();
            }
            Kb::Failed(_) => {
                let text = kefu_core::reply::masked(&self.chat.conversation, &text);
                self.chat.push(From::Shopper, Body::Text(text.clone()), now_ms());
                // With a case left, the message goes to it; else the form is offered.
                if !self.chat.hold_for_case(&text, now_ms()) {
                    let offer = Body::Handoff { lead: None, message: None, promise: None, offer: Offer::Unavailable };
                    self.chat.push(From::Bot, offer, now_ms());
                }
                self.render_new();
                self.send_held();
            }
        }
    }

    /// Unanswered questions go to the page as `gap` events (kefu-core's GapRecord JSON).
    fn report_gaps(&mut self) {
        let n = std::mem::take(&mut self.chat.gaps_new) as usize;
        let gaps = &self.chat.gaps;
        for g in &gaps[gaps.len().saturating_sub(n)..] {
            emit("gap", to_js(g));
        }
    }

    fn pick(&mut self, id: &str) {
        let Some(engine) = &self.engine else { return };
        if self.chat.pick(engine, id, now_ms()).is_some() {
            self.report_gaps();
            self.render_new();
            let _ = self.panel.input.focus();
        }
    }

    /// Shows answer `index`'s vote on its buttons.
    fn show_vote(&self, index: usize, vote: Option<bool>) {
        let sel = format!("[data-index=\"{index}\"] .kefu-vote-btn");
        if let Ok(buttons) = self.panel.log.query_selector_all(&sel) {
            for i in 0..buttons.length() {
                if let Some(b) = buttons.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                    let up = b.get_attribute("data-act").as_deref() == Some("up");
                    ui::attr(&b, "aria-pressed", if vote == Some(up) { "true" } else { "false" });
                }
            }
        }
    }

    fn vote(&mut self, index: usize, helpful: bool) {
        let Some(vote) = self.chat.vote(index, helpful) else { return };
        self.show_vote(index, vote);
        match vote {
            Some(true) => self.notice(Notice::Thanks),
            Some(false) => self.notice(Notice::SorryVote),
            None => store::save(&self.chat),
        }
    }

    /// The shopper rated the closed case: shown at once, sent to the server.
    fn rate(&mut self, index: usize, rating: u8) {
        let Some(case) = self.chat.case.clone() else { return };
        let Some(m) = self.chat.messages.get_mut(index) else { return };
        if !matches!(m.body, Body::Rate(_)) {
            return;
        }
        m.body = Body::Rate(Some(rating));
        // Update the stars in place: redrawing would lose the keyboard focus.
        let sel = format!("[data-index=\"{index}\"] .kefu-star");
        if let Ok(stars) = self.panel.log.query_selector_all(&sel) {
            for i in 0..stars.length() {
                if let Some(b) = stars.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                    let n = i as u8 + 1;
                    ui::attr(&b, "aria-pressed", if n == rating { "true" } else { "false" });
                    let _ = b.class_list().toggle_with_force("kefu-star-on", n <= rating);
                }
            }
        }
        store::save(&self.chat);
        // Tried again while the connection is down or the server busy, like a follow-up; the
        // shopper hears either way (the stars alone would look sent).
        wasm_bindgen_futures::spawn_local(async move {
            let mut delay = 1000;
            for _ in 0..5 {
                match handoff::rate(case.url.clone(), case.token.clone(), rating).await {
                    Some(200..=299) => {
                        with_app(|app| app.notice(Notice::Rated));
                        return;
                    }
                    None | Some(408 | 429 | 500..=599) => {}
                    Some(_) => break,
                }
                sleep(delay).await;
                delay = (delay * 2).min(30_000);
            }
            with_app(|app| app.notice(Notice::RateFailed));
        });
    }

    fn notice(&mut self, n: Notice) {
        self.chat.push(From::System, Body::Notice(n), now_ms());
        self.render_new();
    }

    fn reset(&mut self) {
        self.beacon();
        store::clear();
        store::save_case(None);
        history::clear();
        // The address was left for this conversation: a new one starts without it.
        store::save_email(None);
        self.panel.mail.email.set_value("");
        self.panel.form.email.set_value("");
        if self.mail_open {
            self.close_mail();
        }
        self.stop_following();
        self.hide_typing();
        // Photos in the form go; cases still in the outbox are delivered regardless.
        store::mark_drafts_cleared(now_ms());
        for d in std::mem::take(&mut self.drafts) {
            wasm_bindgen_futures::spawn_local(async move {
                let _ = idb::delete(idb::PHOTOS, &d.id).await;
            });
        }
        ui::clear(&self.panel.form.thumbs);
        self.panel.form.description.set_value("");
        self.chat =
            Chat { name: self.chat.name.take(), order_number: self.chat.order_number.take(), ..Chat::new(now_ms()) };
        self.waiting.clear();
        if self.form_open {
            self.close_form();
        }
        if let Kb::Failed(n) = self.kb {
            self.chat.push(From::System, Body::Notice(n), now_ms());
        }
        self.render_all();
        store::save(&self.chat);
        self.keep_typed();
        let _ = self.panel.input.focus();
    }

    fn set_lang(&mut self, lang: Lang) {
        if lang == self.lang {
            return;
        }
        self.lang = lang;
        // What the shopper has typed and where: the new panel takes it over (a shop that
        // switches its language in the page must not cost them a half-written hand-off).
        let typed = self.panel.input.value();
        let f = &self.panel.form;
        let fields = [f.description.value(), f.order.value(), f.contact.value(), f.email.value()];
        let mail_typed = self.panel.mail.email.value();
        let (form_open, mail_open) = (self.form_open, self.mail_open);
        let focused = self.root.active_element().map(|e| e.id()).filter(|id| !id.is_empty());
        let page_focus = self.doc.active_element().filter(|e| e != self.host.unchecked_ref::<Element>());
        let panel = Panel::build(&self.doc, lang, &self.shop());
        panel.set_state(self.state());
        if self.open {
            let _ = panel.root.remove_attribute("hidden");
        }
        let _ = self.root.replace_child(&panel.root, &self.panel.root);
        self.panel = panel;
        self.panel.input.set_value(&typed);
        self.form_open = false;
        self.mail_open = false;
        self.listen_panel();
        self.show_mail_button();
        self.redraw_drafts();
        self.render_all();
        self.launcher.update(lang, self.open, self.unread);
        let f = &self.panel.form;
        f.description.set_value(&fields[0]);
        for (field, value) in [&f.order, &f.contact, &f.email].into_iter().zip(&fields[1..]) {
            field.set_value(value);
        }
        self.panel.mail.email.set_value(&mail_typed);
        if form_open {
            self.open_form();
        } else if mail_open {
            self.open_mail();
        }
        // Focus goes back where it was: the same control, or the page's own element.
        match focused.and_then(|id| self.root.get_element_by_id(&id)) {
            Some(e) => {
                let _ = e.unchecked_into::<HtmlElement>().focus();
            }
            None => {
                if let Some(e) = page_focus.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
                    let _ = e.focus();
                }
            }
        }
    }

    /// One click, submit and keydown listener on the panel; controls are found by `data-act`.
    fn listen_panel(&self) {
        let root = &self.panel.root;
        let click = Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
            // Browsers start audio only after a gesture: this is one.
            with_app(|app| {
                if app.sound {
                    live::unlock_audio();
                }
            });
            let Some(target) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
            let Ok(Some(control)) = target.closest("[data-act]") else { return };
            let act = control.get_attribute("data-act").unwrap_or_default();
            let arg = control.get_attribute("data-arg").unwrap_or_default();
            with_app(|app| match act.as_str() {
                "close" => app.set_open(false),
                "new" => app.reset(),
                "human" => app.open_form(),
                "cancel-form" => app.close_form(),
                "mail" => app.toggle_mail(),
                "cancel-mail" => app.close_mail(),
                "save-email" => app.save_email(),
                "pick" => app.pick(&arg),
                "rate" => {
                    let mut it = arg.split(':').filter_map(|x| x.parse::<usize>().ok());
                    if let (Some(i), Some(n)) = (it.next(), it.next()) {
                        app.rate(i, n.clamp(1, 5) as u8);
                    }
                }
                "up" | "down" => {
                    if let Ok(i) = arg.parse() {
                        app.vote(i, act == "up");
                    }
                }
                "remove-photo" => app.remove_photo(&arg),
                "pick-photos" => app.panel.form.files.click(),
                "take-photo" => app.panel.form.camera.click(),
                _ => {}
            });
        });
        let _ = root.add_event_listener_with_callback("click", click.as_ref().unchecked_ref());
        click.forget();

        // Photos: picker and camera, paste, drag and drop.
        let change = Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            if input.type_() != "file" {
                return;
            }
            let files: Vec<web_sys::File> =
                input.files().map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect()).unwrap_or_default();
            input.set_value("");
            with_app(|app| app.add_files(files));
        });
        let _ = root.add_event_listener_with_callback("change", change.as_ref().unchecked_ref());
        change.forget();
        let paste = Closure::<dyn FnMut(web_sys::ClipboardEvent)>::new(move |ev: web_sys::ClipboardEvent| {
            let files = intake::files_of(ev.clipboard_data());
            if !files.is_empty() {
                ev.prevent_default();
                with_app(|app| app.add_files(files));
                return;
            }
            // The composer's limit cuts a longer paste: say so rather than drop the rest unseen.
            let into_composer =
                ev.target().and_then(|t| t.dyn_into::<Element>().ok()).is_some_and(|e| e.id() == "kefu-input");
            let pasted = ev.clipboard_data().and_then(|d| d.get_data("text").ok()).map_or(0, |t| t.chars().count());
            if into_composer && pasted > COMPOSER_MAX {
                with_app(|app| app.set_status(t(app.lang, Key::TooLong)));
            }
        });
        let _ = root.add_event_listener_with_callback("paste", paste.as_ref().unchecked_ref());
        paste.forget();
        let drag = Closure::<dyn FnMut(web_sys::DragEvent)>::new(move |ev: web_sys::DragEvent| {
            let dt = ev.data_transfer();
            if !intake::has_files(&dt) {
                return;
            }
            ev.prevent_default();
            let kind = ev.type_();
            with_app(|app| {
                let over = kind == "dragover" || kind == "dragenter";
                let _ = app.panel.root.class_list().toggle_with_force("kefu-drag", over);
                if kind == "drop" {
                    app.add_files(intake::files_of(dt));
                }
            });
        });
        for kind in ["dragenter", "dragover", "dragleave", "drop"] {
            let _ = root.add_event_listener_with_callback(kind, drag.as_ref().unchecked_ref());
        }
        drag.forget();

        let submit = Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
            ev.prevent_default();
            let Some(form) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
            let is_handoff = form.class_list().contains("kefu-handoff");
            let is_mail = form.class_list().contains("kefu-mail");
            with_app(|app| {
                if app.sound {
                    live::unlock_audio();
                }
                if is_mail {
                    app.send_transcript();
                } else if is_handoff {
                    app.submit_form();
                } else {
                    let text = app.panel.input.value();
                    app.panel.input.set_value("");
                    app.ask(&text);
                }
            });
        });
        let _ = root.add_event_listener_with_callback("submit", submit.as_ref().unchecked_ref());
        submit.forget();

        // Every keystroke in the composer or the form is kept for a reload (sessionStorage).
        let input = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            with_app(|app| app.keep_typed());
        });
        let _ = root.add_event_listener_with_callback("input", input.as_ref().unchecked_ref());
        input.forget();

        let keydown = Closure::<dyn FnMut(KeyboardEvent)>::new(move |ev: KeyboardEvent| {
            if ev.key() == "Escape" {
                ev.prevent_default();
                with_app(|app| app.set_open(false));
                return;
            }
            if ev.key() == "Tab" {
                with_app(|app| app.keep_focus_in(&ev));
                return;
            }
            // Enter sends; Shift+Enter is a new line; never while an IME is composing (pinyin).
            if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() && ev.key_code() != 229 {
                let target = ev.target().and_then(|t| t.dyn_into::<Element>().ok());
                let in_input = target.as_ref().is_some_and(|e| e.class_list().contains("kefu-input"));
                // The e-mail field: handled here, since a form whose send button is disabled
                // (no mail on this server) ignores Enter, and the address should still be kept.
                if target.is_some_and(|e| e.id() == "kefu-m-email") {
                    ev.prevent_default();
                    with_app(|app| app.send_transcript());
                    return;
                }
                if in_input {
                    ev.prevent_default();
                    with_app(|app| {
                        let text = app.panel.input.value();
                        app.panel.input.set_value("");
                        app.ask(&text);
                    });
                }
            }
        });
        let _ = root.add_event_listener_with_callback("keydown", keydown.as_ref().unchecked_ref());
        keydown.forget();
    }
}

/// Headless search over a KB bundle, without the chat UI: for pages that draw their own
/// search box, and for `bench/` (kefu side by side with MiniSearch and FlexSearch in Chromium).
///
/// ```js
/// import init, { KefuIndex } from './kefu-widget.<hash>.js';
/// await init();
/// const kb = KefuIndex.open(new Uint8Array(await (await fetch('/kb.kefu')).arrayBuffer()));
/// kb.search('where is my parcel', 3);   // ['track-order', 'lost-parcel', ...] entry ids, best first
/// kb.confidence('where is my parcel'); // 0.91: the reply policy's confidence in the top entry
/// kb.decide('where is my parcel', Date.now()); // 'answer\ttrack-order'
/// ```
#[wasm_bindgen]
pub struct KefuIndex {
    engine: Engine,
}

#[wasm_bindgen]
impl KefuIndex {
    /// Verifies and opens a bundle (`kefu build` output). A bad bundle is an `Error` saying why.
    pub fn open(bytes: &[u8]) -> Result<KefuIndex, JsValue> {
        Engine::open(bytes).map(|engine| KefuIndex { engine }).map_err(|e| js_sys::Error::new(&e.to_string()).into())
    }

    /// Ids of the best `k` entries for `query`, best first.
    pub fn search(&self, query: &str, k: usize) -> Vec<String> {
        let e = &self.engine;
        e.search(query, k).hits.iter().filter_map(|h| e.entry(h.entry)).map(|m| m.id.clone()).collect()
    }

    /// The reply policy's confidence (0–1) that the top entry for `query` is right; 0 when none.
    pub fn confidence(&self, query: &str) -> f32 {
        self.engine.manifest().calibration.model.confidence(&self.engine.search(query, 10))
    }

    /// What the shipped reply policy does with `query` as the first message of a conversation
    /// at `unix_ms` (UTC): the decision kind (`answer`, `clarify`, `ask`, `handoff`,
    /// `smalltalk`), then a tab and the entry id(s) for `answer` and `clarify` (comma-separated).
    pub fn decide(&self, query: &str, unix_ms: f64) -> String {
        let now = Now { unix_ms: unix_ms as i64, utc_offset_minutes: 0 };
        let reply = kefu_core::reply::respond(&self.engine, &mut Default::default(), query, now);
        let id = |p: &u32| self.engine.entry(*p).map(|m| m.id.as_str()).unwrap_or("");
        use kefu_core::reply::Decision;
        match &reply.decision {
            Decision::Answer { entry, .. } => format!("answer\t{}", id(entry)),
            Decision::Clarify { candidates } => {
                format!("clarify\t{}", candidates.iter().map(id).collect::<Vec<_>>().join(","))
            }
            other => other.kind().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_over_the_limit_is_measured_not_cut() {
        assert_eq!(too_long(&"退".repeat(COMPOSER_MAX)), None);
        assert_eq!(too_long(&"退".repeat(COMPOSER_MAX + 1)), Some(COMPOSER_MAX + 1));
        // Counted in characters as the shopper sees them, not in UTF-8 or UTF-16 units.
        assert_eq!(too_long(&"👍".repeat(COMPOSER_MAX)), None);
        assert_eq!(too_long(&"a".repeat(5000)), Some(5000));
    }

    #[test]
    fn identify_ignores_unknown_fields_and_refuses_wrong_types() {
        let who: Identify = serde_json::from_str(r#"{"name":"小王","orderNumber":"42","vip":true}"#).unwrap();
        assert_eq!((who.name.as_deref(), who.order_number.as_deref()), (Some("小王"), Some("42")));
        let who: Identify = serde_json::from_str(r#"{"name":null}"#).unwrap();
        assert_eq!((who.name, who.order_number), (None, None));
        assert!(serde_json::from_str::<Identify>(r#"{"orderNumber":2024052112345678}"#).is_err());
    }

    #[test]
    fn session_body_field_names() {
        let b = SessionBody { id: "s", locale: "zh-CN", messages: 3, answered: 2, handed_off: false };
        assert_eq!(
            serde_json::to_string(&b).unwrap(),
            r#"{"id":"s","locale":"zh-CN","messages":3,"answered":2,"handed_off":false}"#
        );
    }
}
