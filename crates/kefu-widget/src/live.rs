//! Live chat with an agent, on the shopper's side: who is answering (the header shows
//! "Lily · 人工客服" once an agent joined or wrote, the bot again when the case is closed),
//! "agent is typing…" (a polite live region over the foot of the log, hidden after the
//! server's `ttl_ms` or when the reply arrives), and new-reply alerts for a shopper who is
//! looking elsewhere:
//!
//! - the tab title flashes ("(2) 【新回复】" and the page's own title in turn) while the page
//!   is hidden, and is put back as soon as it is visible again;
//! - an optional soft sound (off by default; `data-sound="on"` or `kefu('sound', true)`),
//!   made with WebAudio (no audio file, nothing fetched), started only after a gesture of the
//!   shopper as browsers require;
//! - a browser notification while the page is hidden, if the shopper allowed them. The widget
//!   asks only after the shopper's own gesture of sending a hand-off (never on page load).

use crate::i18n::{t, tf, Key};
use crate::{with_app, App};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The title flash: the page's own title, the number of replies not seen, the timer.
#[derive(Default)]
struct Flash {
    title: Option<String>,
    count: u32,
    timer: Option<i32>,
    on: bool,
}

thread_local! {
    static FLASH: RefCell<Flash> = RefCell::new(Flash::default());
    static AUDIO: RefCell<Option<web_sys::AudioContext>> = const { RefCell::new(None) };
    static TYPING_TIMER: RefCell<Option<i32>> = const { RefCell::new(None) };
}

/// Whether `data-sound` / `kefuSettings.sound` / `kefu('sound', …)` turns the sound on.
pub fn sound_setting(v: &JsValue) -> bool {
    v.as_bool().unwrap_or_else(|| v.as_string().is_some_and(|s| sound_word(&s)))
}

fn sound_word(s: &str) -> bool {
    matches!(s.trim().to_ascii_lowercase().as_str(), "on" | "true" | "1" | "yes")
}

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

fn page_hidden() -> bool {
    document().is_some_and(|d| d.hidden())
}

impl App {
    /// Puts the header in step with the conversation (agent or bot).
    pub(crate) fn update_header(&self) {
        self.panel.set_agent(self.chat.agent(), self.lang);
    }

    /// "Agent is typing…" for `ttl_ms` (renewed by each signal).
    pub(crate) fn show_typing(&self, ttl_ms: i32) {
        if self.chat.agent().is_none() && self.chat.case.as_ref().is_none_or(|c| c.closed) {
            return;
        }
        let text = t(self.lang, Key::AgentTyping);
        if self.panel.typing.text_content().as_deref() != Some(text) {
            self.panel.typing.set_text_content(Some(text));
        }
        let Some(window) = web_sys::window() else { return };
        let f = Closure::once_into_js(|| {
            TYPING_TIMER.with(|t| t.borrow_mut().take());
            with_app(|app| app.hide_typing());
        });
        let id = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(f.unchecked_ref(), ttl_ms.clamp(1000, 30_000))
            .ok();
        if let Some(old) = TYPING_TIMER.with(|t| std::mem::replace(&mut *t.borrow_mut(), id)) {
            window.clear_timeout_with_handle(old);
        }
    }

    pub(crate) fn hide_typing(&self) {
        if let Some(old) = TYPING_TIMER.with(|t| t.borrow_mut().take()) {
            if let Some(w) = web_sys::window() {
                w.clear_timeout_with_handle(old);
            }
        }
        if self.panel.typing.first_child().is_some() {
            self.panel.typing.set_text_content(None);
        }
    }

    /// An agent's reply arrived: alert a shopper who is not looking.
    pub(crate) fn alert_reply(&self, agent: &str, text: &str) {
        let hidden = page_hidden();
        if self.sound && (hidden || !self.open) {
            chime();
        }
        if hidden {
            flash_title(self.lang);
            let name = if agent.is_empty() { t(self.lang, Key::Agent) } else { agent };
            notify(&tf(self.lang, Key::NotifyTitle, &[("name", name)]), text);
        }
    }

    /// Turns the sound on or off (`kefu('sound', …)`); on, it prepares the audio if the page
    /// is handling a gesture of the shopper right now.
    pub(crate) fn set_sound(&mut self, on: bool) {
        self.sound = on;
        if on {
            unlock_audio();
        }
    }
}

/// Called on the shopper's gestures in the panel: browsers let audio start only then.
pub(crate) fn unlock_audio() {
    AUDIO.with(|a| {
        let mut a = a.borrow_mut();
        if a.is_none() {
            *a = web_sys::AudioContext::new().ok();
        }
        if let Some(ctx) = a.as_ref() {
            if ctx.state() == web_sys::AudioContextState::Suspended {
                let _ = ctx.resume();
            }
        }
    });
}

/// A soft two-note chime (≈ 0.4 s, low volume), synthesised: no audio file is fetched.
fn chime() {
    AUDIO.with(|a| {
        let a = a.borrow();
        let Some(ctx) = a.as_ref() else { return };
        let now = ctx.current_time();
        for (i, freq) in [660.0_f32, 880.0].into_iter().enumerate() {
            let start = now + 0.14 * i as f64;
            let (Ok(osc), Ok(gain)) = (ctx.create_oscillator(), ctx.create_gain()) else { return };
            osc.set_type(web_sys::OscillatorType::Sine);
            osc.frequency().set_value(freq);
            let g = gain.gain();
            g.set_value(0.0001);
            let _ = g.exponential_ramp_to_value_at_time(0.06, start + 0.02);
            let _ = g.exponential_ramp_to_value_at_time(0.0001, start + 0.26);
            let _ = osc.connect_with_audio_node(&gain);
            let _ = gain.connect_with_audio_node(&ctx.destination());
            let _ = osc.start_with_when(start);
            let _ = osc.stop_with_when(start + 0.3);
        }
    });
}

/// Asks for permission to show notifications, if the shopper has not decided yet. Call only
/// from the shopper's own gesture (sending a hand-off).
pub(crate) fn ask_notification_permission() {
    if !js_sys::Reflect::has(&js_sys::global(), &"Notification".into()).unwrap_or(false) {
        return;
    }
    if web_sys::Notification::permission() == web_sys::NotificationPermission::Default {
        if let Ok(p) = web_sys::Notification::request_permission() {
            wasm_bindgen_futures::spawn_local(async move {
                let _ = wasm_bindgen_futures::JsFuture::from(p).await;
            });
        }
    }
}

/// A notification, when the shopper allowed them; a click brings the page back.
fn notify(title: &str, body: &str) {
    if !js_sys::Reflect::has(&js_sys::global(), &"Notification".into()).unwrap_or(false)
        || web_sys::Notification::permission() != web_sys::NotificationPermission::Granted
    {
        return;
    }
    let opts = web_sys::NotificationOptions::new();
    opts.set_body(&body.chars().take(140).collect::<String>());
    opts.set_tag("kefu-reply");
    let Ok(n) = web_sys::Notification::new_with_options(title, &opts) else { return };
    let n2 = n.clone();
    let click = Closure::once_into_js(move || {
        if let Some(w) = web_sys::window() {
            let _ = w.focus();
        }
        n2.close();
    });
    n.set_onclick(Some(click.unchecked_ref()));
}

/// One more reply not seen: the title alternates between "(n) 【新回复】…" and the page's own.
fn flash_title(lang: crate::i18n::Lang) {
    let Some(doc) = document() else { return };
    let Some(window) = web_sys::window() else { return };
    let label = t(lang, Key::NewReplyTitle);
    FLASH.with(|f| {
        let mut f = f.borrow_mut();
        if f.title.is_none() {
            f.title = Some(doc.title());
        }
        f.count += 1;
        f.on = true;
        let own = f.title.clone().unwrap_or_default();
        doc.set_title(&format!("({}) {label} {own}", f.count));
        if f.timer.is_none() {
            let tick = Closure::<dyn FnMut()>::new(move || {
                let Some(doc) = document() else { return };
                FLASH.with(|f| {
                    let mut f = f.borrow_mut();
                    f.on = !f.on;
                    let own = f.title.clone().unwrap_or_default();
                    doc.set_title(&if f.on { format!("({}) {label} {own}", f.count) } else { own });
                });
            });
            f.timer =
                window.set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), 1000).ok();
            tick.forget();
        }
    });
}

/// The page is visible again: the title goes back to the page's own.
pub(crate) fn stop_flash() {
    let Some(doc) = document() else { return };
    FLASH.with(|f| {
        let mut f = f.borrow_mut();
        if let (Some(id), Some(w)) = (f.timer.take(), web_sys::window()) {
            w.clear_interval_with_handle(id);
        }
        if let Some(own) = f.title.take() {
            doc.set_title(&own);
        }
        f.count = 0;
        f.on = false;
    });
}

/// Listens for the page becoming visible (ends the title flash).
pub(crate) fn listen_visibility() {
    let Some(doc) = document() else { return };
    let f = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
        if !page_hidden() {
            stop_flash();
        }
    });
    let _ = doc.add_event_listener_with_callback("visibilitychange", f.as_ref().unchecked_ref());
    f.forget();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sound_settings() {
        for on in ["on", "true", "1", " ON "] {
            assert!(sound_word(on), "{on}");
        }
        for off in ["off", "", "no", "0"] {
            assert!(!sound_word(off), "{off}");
        }
    }
}
