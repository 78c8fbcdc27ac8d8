//! kefu-widget: the chat widget that runs in the shopper's browser (wasm).
//!
//! The loader (`www/loader/kefu.js`, plain JS) draws the launcher, fetches this module, the
//! wasm, the CSS and the KB bundle in parallel, then calls [`mount`] with the shadow root it
//! created and [`bundle`] (or [`bundle_failed`]) when the bundle arrives. Every later
//! `kefu(...)` call reaches [`command`]. Events for the page (`handoff`, `open`, `close`,
//! `ready`, `error`) go back through the `emit` function the loader passes in.
//!
//! Modules: [`chat`] (the conversation, DOM-free), [`ui`] (DOM), [`store`] (persistence),
//! [`handoff`] (cases for humans), [`i18n`] (strings), [`color`] (brand colour contrast),
//! [`json`] (a small JSON writer).

pub mod chat;
pub mod color;
pub mod handoff;
pub mod i18n;
pub mod json;
pub mod store;
pub mod ui;

use chat::{Body, Chat, From, Notice, Offer};
use i18n::{t, Key, Lang};
use kefu_core::reply::Now;
use kefu_core::{BundleError, Engine};
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
                let _ = f.call2(&JsValue::NULL, &JsValue::from_str(name), &payload);
            }
        }
    }
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

fn warn(msg: &str) {
    web_sys::console::warn_1(&JsValue::from_str(msg));
}

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
    /// The event stream of the handed-off case, and its listeners.
    events: Option<(web_sys::EventSource, Vec<Closure<dyn FnMut(web_sys::MessageEvent)>>)>,
    /// The last question's cost in ms: reply policy (search included), drawing, saving.
    last_reply_ms: f64,
    last_render_ms: f64,
    last_save_ms: f64,
}

/// Mounts the widget into the loader's shadow root. `settings`: `{locale, color,
/// handoffUrl, name, orderNumber}`; `emit(name, payload)` delivers events to the page.
#[wasm_bindgen]
pub fn mount(root: ShadowRoot, settings: JsValue, emit_fn: js_sys::Function) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let doc = window.document().ok_or("no document")?;
    let host: HtmlElement = root.host().dyn_into()?;
    let lang = Lang::from_tag(&get_str(&settings, "locale").unwrap_or_default());
    if let Some(c) = get_str(&settings, "color") {
        for (name, value) in color::palette(&c) {
            let _ = host.style().set_property(name, &value);
        }
    }
    let mut chat = store::load().unwrap_or_else(|| Chat::new(now_ms()));
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
        last_reply_ms: 0.0,
        last_render_ms: 0.0,
        last_save_ms: 0.0,
    };
    EMIT.with(|e| *e.borrow_mut() = Some(emit_fn));
    APP.with(|a| *a.borrow_mut() = Some(app));
    with_app(|app| {
        app.listen_panel();
        app.render_all();
        app.launcher.update(app.lang, false, 0);
        app.follow_case();
    });
    listen_window(&window);
    flush_outbox();
    Ok(())
}

/// Hands the KB bundle to the widget. A corrupt bundle is reported in the panel.
#[wasm_bindgen]
pub fn bundle(bytes: &[u8]) {
    let start = perf_now();
    let opened = Engine::open(bytes);
    let took = perf_now() - start;
    with_app(|app| app.bundle_opened(opened, took));
}

/// The bundle could not be fetched (`kind`: "network" or "http"; `detail` for the console).
#[wasm_bindgen]
pub fn bundle_failed(kind: &str, detail: &str) {
    warn(&format!("kefu: the knowledge base could not be loaded ({kind}): {detail}"));
    with_app(|app| app.fail(Notice::FailNetwork, kind, detail));
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
            if let Some(n) = get_str(&arg, "name") {
                app.chat.name = Some(n);
            }
            if let Some(o) = get_str(&arg, "orderNumber") {
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
                let from = match get_str(&arg, "from").as_deref() {
                    Some("system") => From::System,
                    Some("bot") => From::Bot,
                    _ => From::Agent(get_str(&arg, "name").unwrap_or_default()),
                };
                app.chat.push(from, Body::Text(text), now_ms());
                app.render_new();
            }
        }
        "handoff" => {
            app.set_open(true);
            app.open_form();
        }
        "reset" => app.reset(),
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
    let online = Closure::<dyn FnMut(Event)>::new(move |_: Event| flush_outbox());
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

/// Retries the hand-off cases waiting in the outbox.
fn flush_outbox() {
    let Some(url) = with_app(|app| app.handoff_url.clone()).flatten() else { return };
    if handoff::pending().is_empty() {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let sent = handoff::flush(url).await;
        if sent > 0 {
            with_app(|app| app.notice(Notice::Delivered));
        }
        if handoff::pending().is_empty() {
            RETRY.with(|r| r.set((0, false)));
        } else {
            schedule_retry();
        }
    });
}

thread_local! {
    /// Outbox retry: the last delay (ms) and whether a retry is scheduled.
    static RETRY: std::cell::Cell<(i32, bool)> = const { std::cell::Cell::new((0, false)) };
}

/// Retries the outbox later while the page stays open (server errors, rate limits): 2 s,
/// then doubling up to 30 s. The `online` event and the next page load retry too.
fn schedule_retry() {
    let (last, scheduled) = RETRY.with(|r| r.get());
    if scheduled {
        return;
    }
    let delay = (last * 2).clamp(2000, 30000);
    RETRY.with(|r| r.set((delay, true)));
    let Some(window) = web_sys::window() else { return };
    let f = Closure::once_into_js(move || {
        RETRY.with(|r| r.set((delay, false)));
        flush_outbox();
    });
    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(f.unchecked_ref(), delay);
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
    }

    /// Draws the messages added since the last render; counts them as unread when closed.
    fn render_new(&mut self) {
        let t0 = perf_now();
        let ctx = Ctx { engine: self.engine.as_ref(), lang: self.lang, failed: matches!(self.kb, Kb::Failed(_)) };
        let mut fresh = 0;
        for i in self.rendered..self.chat.messages.len() {
            let m = &self.chat.messages[i];
            render::message(&self.panel.log, m, i, &ctx);
            if m.from != From::Shopper {
                fresh += 1;
            }
        }
        self.rendered = self.chat.messages.len();
        if !self.open && fresh > 0 {
            self.unread += fresh;
            self.launcher.update(self.lang, self.open, self.unread);
        }
        self.scroll_to_end();
        let t1 = perf_now();
        store::save(&self.chat);
        self.last_save_ms = perf_now() - t1;
        self.last_render_ms = t1 - t0;
    }

    fn scroll_to_end(&self) {
        let log = &self.panel.log;
        log.set_scroll_top(log.scroll_height());
    }

    fn set_status(&self, s: &str) {
        self.panel.status.set_text_content(Some(s));
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
        let o = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&o, &"kind".into(), &JsValue::from_str(kind));
        let _ = js_sys::Reflect::set(&o, &"message".into(), &JsValue::from_str(detail));
        emit("error", o.into());
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
        let _ = self.host.class_list().toggle_with_force("kefu-open", open);
        if open {
            let _ = self.panel.root.remove_attribute("hidden");
            self.unread = 0;
            self.fit_viewport();
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

    fn focus_in(&self) {
        if self.form_open {
            let _ = self.panel.description.focus();
        } else {
            let _ = self.panel.input.focus();
        }
    }

    /// Mobile: size the full-screen panel to the visual viewport (on-screen keyboard).
    fn fit_viewport(&self) {
        let Some(vv) = web_sys::window().and_then(|w| w.visual_viewport()) else { return };
        let style = self.host.style();
        let _ = style.set_property("--kefu-vvh", &format!("{}px", vv.height().round()));
        let _ = style.set_property("--kefu-vvt", &format!("{}px", vv.offset_top().round()));
    }

    /// Tells kefu-server how this conversation went (messages, answers, hand-off).
    fn beacon(&self) {
        let (Some(url), Some(id)) = (&self.sessions_url, &self.chat.session) else { return };
        let (messages, answered) = self.chat.counts();
        if messages == 0 {
            return;
        }
        let mut j = json::Json::object();
        j.str("id", id)
            .str("locale", self.lang.tag())
            .num("messages", messages as f64)
            .num("answered", answered as f64)
            .bool("handed_off", self.chat.case.is_some());
        handoff::beacon(url, &j.finish());
    }

    /// A message from the composer or `kefu('ask')`.
    fn ask(&mut self, text: &str) {
        let text: String = text.trim().chars().take(500).collect();
        if text.is_empty() {
            return;
        }
        if self.chat.session.is_none() {
            self.chat.session = Some(handoff::uuid_v4());
        }
        match self.kb {
            Kb::Ready => {
                if let Some(engine) = &self.engine {
                    let t0 = perf_now();
                    self.chat.ask(engine, &text, now());
                    self.last_reply_ms = perf_now() - t0;
                    self.render_new();
                    self.report_gaps();
                }
            }
            Kb::Loading => {
                let i = self.chat.push(From::Shopper, Body::Text(text), now_ms());
                self.waiting.push(i);
                self.set_status(t(self.lang, Key::Loading));
                self.render_new();
            }
            Kb::Failed(_) => {
                self.chat.push(From::Shopper, Body::Text(text), now_ms());
                let offer = Body::Handoff { lead: None, message: None, promise: None, offer: Offer::Unavailable };
                self.chat.push(From::Bot, offer, now_ms());
                self.render_new();
            }
        }
    }

    /// Follows the handed-off case's event stream: agent replies become agent bubbles (and
    /// unread count when closed); `closed` ends it. Resumes after the last event shown.
    fn follow_case(&mut self) {
        let Some(case) = self.chat.case.clone().filter(|c| !c.closed) else { return };
        if self.events.is_some() {
            return;
        }
        let Ok(es) = web_sys::EventSource::new(&case.events_url()) else { return };
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(|ev: web_sys::MessageEvent| {
            let id: u64 = ev.last_event_id().parse().unwrap_or(0);
            let data = js_sys::JSON::parse(&ev.data().as_string().unwrap_or_default()).unwrap_or(JsValue::NULL);
            let Some(text) = get_str(&data, "text") else { return };
            let agent = get_str(&data, "agent").unwrap_or_default();
            with_app(|app| {
                let Some(case) = app.chat.case.as_mut() else { return };
                if id != 0 && id <= case.last_event {
                    return;
                }
                case.last_event = case.last_event.max(id);
                app.chat.push(From::Agent(agent), Body::Text(text), now_ms());
                app.render_new();
            });
        });
        let on_closed = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(|ev: web_sys::MessageEvent| {
            let id: u64 = ev.last_event_id().parse().unwrap_or(0);
            let data = js_sys::JSON::parse(&ev.data().as_string().unwrap_or_default()).unwrap_or(JsValue::NULL);
            let ask_rating = get(&data, "rating_requested") != JsValue::FALSE;
            with_app(|app| {
                if let Some(case) = app.chat.case.as_mut() {
                    case.closed = true;
                    case.last_event = case.last_event.max(id);
                }
                // The listeners stay alive: this one is running.
                if let Some((es, _)) = &app.events {
                    es.close();
                }
                app.notice(Notice::CaseClosed);
                if ask_rating {
                    app.chat.push(From::System, Body::Rate(None), now_ms());
                    app.render_new();
                }
            });
        });
        let _ = es.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
        let _ = es.add_event_listener_with_callback("closed", on_closed.as_ref().unchecked_ref());
        self.events = Some((es, vec![on_message, on_closed]));
    }

    /// Unanswered questions go to the page as `gap` events (kefu-core's GapRecord JSON).
    fn report_gaps(&mut self) {
        let n = std::mem::take(&mut self.chat.gaps_new) as usize;
        let gaps = &self.chat.gaps;
        for g in &gaps[gaps.len().saturating_sub(n)..] {
            emit("gap", js_sys::JSON::parse(&g.to_json()).unwrap_or(JsValue::NULL));
        }
    }

    fn pick(&mut self, id: &str) {
        let Some(engine) = &self.engine else { return };
        if self.chat.pick(engine, id, now_ms()).is_some() {
            self.render_new();
            let _ = self.panel.input.focus();
        }
    }

    fn vote(&mut self, index: usize, helpful: bool) {
        let Some(vote) = self.chat.vote(index, helpful) else { return };
        let sel = format!("[data-index=\"{index}\"] .kefu-vote-btn");
        if let Ok(buttons) = self.panel.log.query_selector_all(&sel) {
            for i in 0..buttons.length() {
                if let Some(b) = buttons.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                    let up = b.get_attribute("data-act").as_deref() == Some("up");
                    ui::attr(&b, "aria-pressed", if vote == Some(up) { "true" } else { "false" });
                }
            }
        }
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
        wasm_bindgen_futures::spawn_local(async move {
            let ok = handoff::rate(case.url, case.token, rating).await;
            if ok {
                with_app(|app| app.notice(Notice::Rated));
            }
        });
    }

    fn notice(&mut self, n: Notice) {
        self.chat.push(From::System, Body::Notice(n), now_ms());
        self.render_new();
    }

    fn open_form(&mut self) {
        let p = &self.panel;
        if p.description.value().trim().is_empty() {
            p.description.set_value(&self.chat.open_question());
        }
        if p.order.value().trim().is_empty() {
            p.order.set_value(&self.chat.known_order_number().unwrap_or_default());
        }
        if p.contact.value().trim().is_empty() {
            p.contact.set_value(self.chat.contact.as_deref().unwrap_or(""));
        }
        p.form_error.set_text_content(None);
        let _ = p.form.remove_attribute("hidden");
        let _ = p.compose.set_attribute("hidden", "");
        self.form_open = true;
        let _ = p.description.focus();
    }

    fn close_form(&mut self) {
        let p = &self.panel;
        let _ = p.form.set_attribute("hidden", "");
        let _ = p.compose.remove_attribute("hidden");
        self.form_open = false;
        let _ = p.input.focus();
    }

    fn submit_form(&mut self) {
        let p = &self.panel;
        let form = handoff::Form {
            description: p.description.value(),
            order_number: p.order.value(),
            contact: p.contact.value(),
        };
        if form.description.trim().is_empty() {
            p.form_error.set_text_content(Some(t(self.lang, Key::FormNeedText)));
            ui::attr(&p.description, "aria-invalid", "true");
            let _ = p.description.focus();
            return;
        }
        let _ = p.description.remove_attribute("aria-invalid");
        let order = form.order_number.trim();
        if !order.is_empty() {
            self.chat.order_number = Some(order.to_string());
        }
        if !form.contact.trim().is_empty() {
            self.chat.contact = Some(form.contact.trim().to_string());
        }
        let reason = match self.chat.messages.last().map(|m| &m.body) {
            _ if matches!(self.kb, Kb::Failed(_)) => "unavailable",
            Some(Body::Notice(Notice::SorryVote)) => "feedback",
            Some(Body::Handoff { offer: Offer::NoMatch, .. }) => "low_confidence",
            _ => "requested",
        };
        let case = handoff::case(&self.chat, self.engine.as_ref(), self.lang, reason, &form);
        emit("handoff", js_sys::JSON::parse(&case.event).unwrap_or(JsValue::NULL));
        p.description.set_value("");
        self.close_form();
        match self.handoff_url.clone() {
            Some(url) => {
                wasm_bindgen_futures::spawn_local(async move {
                    let case_url = format!("{url}/{}", case.id);
                    let (sent, token) = handoff::send(url, case.id, case.body).await;
                    with_app(|app| {
                        if let Some(token) = token {
                            app.chat.case = Some(chat::CaseLink { url: case_url, token, last_event: 0, closed: false });
                            app.follow_case();
                            app.beacon();
                        }
                        if sent == handoff::Sent::Later {
                            schedule_retry();
                        }
                        app.notice(match sent {
                            handoff::Sent::Delivered => Notice::Sent,
                            // Refused for good: the page's handoff event still has it.
                            handoff::Sent::Rejected => Notice::SentLocal,
                            handoff::Sent::Later => Notice::Queued,
                        })
                    });
                });
                store::save(&self.chat);
            }
            None => self.notice(Notice::SentLocal),
        }
    }

    fn reset(&mut self) {
        self.beacon();
        store::clear();
        if let Some((es, _)) = self.events.take() {
            es.close();
        }
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
        let _ = self.panel.input.focus();
    }

    fn set_lang(&mut self, lang: Lang) {
        if lang == self.lang {
            return;
        }
        self.lang = lang;
        let typed = self.panel.input.value();
        let panel = Panel::build(&self.doc, lang, &self.shop());
        panel.set_state(self.state());
        if self.open {
            let _ = panel.root.remove_attribute("hidden");
        }
        let _ = self.root.replace_child(&panel.root, &self.panel.root);
        self.panel = panel;
        self.panel.input.set_value(&typed);
        self.form_open = false;
        self.listen_panel();
        self.render_all();
        self.launcher.update(lang, self.open, self.unread);
    }

    /// One click, submit and keydown listener on the panel; controls are found by `data-act`.
    fn listen_panel(&self) {
        let root = &self.panel.root;
        let click = Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
            let Some(target) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
            let Ok(Some(control)) = target.closest("[data-act]") else { return };
            let act = control.get_attribute("data-act").unwrap_or_default();
            let arg = control.get_attribute("data-arg").unwrap_or_default();
            with_app(|app| match act.as_str() {
                "close" => app.set_open(false),
                "new" => app.reset(),
                "human" => app.open_form(),
                "cancel-form" => app.close_form(),
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
                _ => {}
            });
        });
        let _ = root.add_event_listener_with_callback("click", click.as_ref().unchecked_ref());
        click.forget();

        let submit = Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
            ev.prevent_default();
            let Some(form) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
            let is_handoff = form.class_list().contains("kefu-handoff");
            with_app(|app| {
                if is_handoff {
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

        let keydown = Closure::<dyn FnMut(KeyboardEvent)>::new(move |ev: KeyboardEvent| {
            if ev.key() == "Escape" {
                ev.prevent_default();
                with_app(|app| app.set_open(false));
                return;
            }
            // Enter sends; Shift+Enter is a new line; never while an IME is composing (pinyin).
            if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() && ev.key_code() != 229 {
                let in_input = ev
                    .target()
                    .and_then(|t| t.dyn_into::<Element>().ok())
                    .is_some_and(|e| e.class_list().contains("kefu-input"));
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
