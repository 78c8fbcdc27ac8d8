//! After the hand-off: the case's event stream (kefu-server's
//! `GET /api/cases/{id}/events`, server-sent events). Agent replies become agent bubbles
//! (unread badge when the panel is closed); `closed` asks for a 1–5 rating. The last event
//! shown is remembered (sessionStorage with the chat, localStorage for the next visit), so a
//! reload or a new visit shows exactly the replies not seen yet.
//!
//! The browser's EventSource reconnects by itself after a dropped connection (sending
//! `Last-Event-ID`); when it gives up (the server answered with an error), the widget checks
//! the case and reconnects with a back-off (1 s … 30 s).
//!
//! Once an agent has joined (`joined`: opened the case in the inbox, or was assigned it) or
//! replied, what the shopper types goes to the agent (`POST /api/cases/{id}/messages`,
//! idempotent by `client_msg_id`) instead of the bot. Before that, from the moment the case
//! is left, the bot still answers, and each message also goes to the case the same way
//! ([`crate::chat::Chat::held`]: kept until the server has it, sent once the case itself has
//! arrived, again after a reload). `typing` signals (no id, never stored) show "agent is
//! typing…" ([`crate::live`]).

use crate::chat::{Body, From, Notice};
use crate::{get, get_str, handoff, now_ms, store, with_app, App};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

impl App {
    pub(crate) fn stop_following(&mut self) {
        if let Some((es, _)) = self.events.take() {
            es.close();
        }
    }

    /// A case another tab of the shop handed over (its link was just kept in `localStorage`):
    /// this tab follows it too, from its first event, so the agent's replies show here as
    /// well and what the shopper types here reaches the agent once one has joined. A tab
    /// following an open case of its own keeps it.
    pub(crate) fn adopt_case(&mut self, link: crate::chat::CaseLink) {
        if link.closed || link.token.is_empty() {
            return;
        }
        if self.chat.case.as_ref().is_some_and(|c| c.url == link.url || !c.closed) {
            return;
        }
        self.stop_following();
        self.chat.case = Some(crate::chat::CaseLink { last_event: 0, ..link });
        store::save(&self.chat);
        self.follow_case();
    }

    /// Opens the event stream of the followed case, resuming after the last event shown.
    pub(crate) fn follow_case(&mut self) {
        self.send_held();
        let Some(case) = self.chat.case.clone().filter(|c| !c.closed && !c.token.is_empty()) else { return };
        if self.events.is_some() {
            return;
        }
        let Ok(es) = EventSource::new(&case.events_url()) else { return };
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| {
            let (id, data) = (event_id(&ev), event_data(&ev));
            let text = get_str(&data, "text");
            let agent = get_str(&data, "agent").unwrap_or_default();
            with_app(|app| {
                app.follow_delay = 0;
                if !app.take_event(id) {
                    return;
                }
                if let Some(text) = text {
                    app.hide_typing();
                    app.alert_reply(&agent, &text);
                    app.chat.push(From::Agent(agent), Body::Text(text), now_ms());
                    app.render_new();
                }
            });
        });
        let on_joined = Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| {
            let (id, data) = (event_id(&ev), event_data(&ev));
            let agent = get_str(&data, "agent");
            with_app(|app| {
                app.follow_delay = 0;
                if !app.take_event(id) {
                    return;
                }
                if let Some(agent) = agent {
                    app.chat.push(From::System, Body::Joined(agent), now_ms());
                    app.render_new();
                }
            });
        });
        let on_typing = Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| {
            let ttl = get(&event_data(&ev), "ttl_ms").as_f64().unwrap_or(6000.0);
            with_app(|app| app.show_typing(ttl as i32));
        });
        let on_closed = Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| {
            let (id, data) = (event_id(&ev), event_data(&ev));
            let ask_rating = get(&data, "rating_requested") != JsValue::FALSE;
            with_app(|app| {
                if !app.take_event(id) {
                    return;
                }
                if let Some(case) = app.chat.case.as_mut() {
                    case.closed = true;
                }
                store::save_case(app.chat.case.as_ref());
                app.hide_typing();
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
        // Any other event (`received` …) only moves the resume point.
        let on_other = Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| {
            let id = event_id(&ev);
            with_app(|app| {
                app.follow_delay = 0;
                if id != 0 && app.take_event(id) {
                    store::save(&app.chat);
                }
            });
        });
        let on_error = Closure::<dyn FnMut(MessageEvent)>::new(|_ev: MessageEvent| {
            with_app(|app| {
                let gave_up = app.events.as_ref().is_some_and(|(es, _)| es.ready_state() == EventSource::CLOSED);
                if gave_up && app.chat.case.as_ref().is_some_and(|c| !c.closed) {
                    app.schedule_reconnect();
                }
            });
        });
        let _ = es.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
        let _ = es.add_event_listener_with_callback("closed", on_closed.as_ref().unchecked_ref());
        let _ = es.add_event_listener_with_callback("joined", on_joined.as_ref().unchecked_ref());
        let _ = es.add_event_listener_with_callback("typing", on_typing.as_ref().unchecked_ref());
        let _ = es.add_event_listener_with_callback("received", on_other.as_ref().unchecked_ref());
        let _ = es.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
        self.events = Some((es, vec![on_message, on_closed, on_joined, on_typing, on_other, on_error]));
    }

    /// Moves the resume point to event `id` (remembered for the next visit); false when that
    /// event was already shown (a replay after reconnecting).
    fn take_event(&mut self, id: u64) -> bool {
        let Some(case) = self.chat.case.as_mut() else { return false };
        if id != 0 && id <= case.last_event {
            return false;
        }
        case.last_event = case.last_event.max(id);
        store::save_case(self.chat.case.as_ref());
        true
    }

    /// The stream gave up: check the case, then reconnect after the back-off.
    fn schedule_reconnect(&mut self) {
        if self.follow_timer {
            return;
        }
        self.follow_timer = true;
        self.follow_delay = (self.follow_delay * 2).clamp(1000, 30_000);
        let Some(window) = web_sys::window() else { return };
        let f = Closure::once_into_js(move || {
            let case = with_app(|app| {
                app.follow_timer = false;
                // Dropped here, outside the listeners' own calls.
                app.stop_following();
                app.chat.case.clone()
            })
            .flatten();
            let Some(case) = case else { return };
            wasm_bindgen_futures::spawn_local(async move {
                match handoff::case_state(&case.url, &case.token).await {
                    // The server no longer knows the case (or the token): stop following it.
                    Some(401 | 404) => {
                        with_app(|app| {
                            if app.chat.case.as_ref().is_some_and(|c| c.url == case.url) {
                                app.chat.case = None;
                                store::save(&app.chat);
                                store::save_case(None);
                            }
                        });
                    }
                    Some(200..=299) => {
                        with_app(|app| app.follow_case());
                    }
                    _ => {
                        with_app(|app| app.schedule_reconnect());
                    }
                }
            });
        });
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(f.unchecked_ref(), self.follow_delay);
    }

    /// True when the shopper's next message should go to the agent rather than the bot: the
    /// case is open and an agent has joined or written since it was handed over.
    pub(crate) fn talking_to_agent(&self) -> bool {
        self.chat.agent().is_some()
    }

    /// Sends the messages held for the open case ([`crate::chat::Chat::held`]) once it has
    /// reached the server; each leaves the list when the server confirms it, and is tried
    /// again (1 s … 30 s) for as long as the page is open, then on the next start. One the
    /// server refuses (a 4xx) leaves too, and the shopper is told it did not reach the case.
    pub(crate) fn send_held(&mut self) {
        let Some(case) = self.chat.case.clone().filter(|c| !c.closed && !c.token.is_empty()) else { return };
        if !self.chat.open_case().is_some_and(|id| case.url.ends_with(id)) || self.chat.held.is_empty() {
            return;
        }
        for h in &mut self.chat.held {
            if h.id.is_empty() {
                h.id = handoff::uuid_v4();
            }
        }
        store::save(&self.chat);
        for h in self.chat.held.clone() {
            if self.held_in_flight.contains(&h.id) {
                continue;
            }
            self.held_in_flight.push(h.id.clone());
            let body = crate::to_json(&FollowUp { text: &h.text, client_msg_id: h.id.clone() });
            let case = case.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let delivered = post_with_retries(&case, &body, u32::MAX).await;
                with_app(|app| {
                    app.held_in_flight.retain(|id| *id != h.id);
                    app.chat.held.retain(|x| x.id != h.id);
                    store::save(&app.chat);
                    match delivered {
                        Delivery::Delivered | Delivery::Retry => {}
                        Delivery::Closed => app.notice(Notice::CaseClosed),
                        Delivery::Refused => app.notice(Notice::FollowUpFailed),
                    }
                });
            });
        }
    }

    /// Sends a follow-up to the agent, retrying a few times (same `client_msg_id`).
    pub(crate) fn send_to_agent(&mut self, text: &str) {
        let Some(case) = self.chat.case.clone() else { return };
        // Masked here as the server would mask it, the case's order number kept readable.
        let masked = self.chat.masked(&handoff::sendable(text, true));
        let text = masked.as_str();
        self.chat.push(From::Shopper, Body::Text(text.to_string()), now_ms());
        self.render_new();
        let body = crate::to_json(&FollowUp { text, client_msg_id: handoff::uuid_v4() });
        wasm_bindgen_futures::spawn_local(async move {
            let notice = match post_with_retries(&case, &body, 6).await {
                Delivery::Delivered => return,
                Delivery::Closed => Notice::CaseClosed,
                Delivery::Refused | Delivery::Retry => Notice::FollowUpFailed,
            };
            with_app(|app| app.notice(notice));
        });
    }
}

#[derive(serde::Serialize)]
struct FollowUp<'a> {
    text: &'a str,
    /// The server drops a repeat of the same id (a retry after a lost answer).
    client_msg_id: String,
}

/// How a follow-up's delivery ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delivery {
    Delivered,
    /// The case is closed (409).
    Closed,
    /// Refused for good (another 4xx).
    Refused,
    /// The network or the server failed every try.
    Retry,
}

/// `POST {case}/messages` with `body`, up to `tries` times with a back-off (1 s, 2 s, 4 s …).
async fn post_with_retries(case: &crate::chat::CaseLink, body: &str, tries: u32) -> Delivery {
    let mut delay = 1000;
    for _ in 0..tries {
        match handoff::post_message(&case.url, &case.token, body).await {
            Some(200..=299) => return Delivery::Delivered,
            Some(409) => return Delivery::Closed,
            Some(408 | 429) | None => {}
            Some(400..=499) => return Delivery::Refused,
            _ => {}
        }
        crate::sleep(delay).await;
        delay = (delay * 2).min(30_000);
    }
    Delivery::Retry
}

/// The SSE event id (`0` when the server sent none).
fn event_id(ev: &MessageEvent) -> u64 {
    ev.last_event_id().parse().unwrap_or(0)
}

/// The event's JSON data (`null` when it is not JSON).
fn event_data(ev: &MessageEvent) -> JsValue {
    js_sys::JSON::parse(&ev.data().as_string().unwrap_or_default()).unwrap_or(JsValue::NULL)
}
