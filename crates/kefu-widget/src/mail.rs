//! The shopper's e-mail address and "e-mail me this conversation".
//!
//! - The address is asked for only when the shopper opens the envelope in the header (or
//!   fills the optional field of the hand-off form). It is checked here with the server's own
//!   rule (`kefu_core::email`), kept for this tab only (sessionStorage, gone with "new
//!   conversation"), sent along with a hand-off case, and stored on an existing case
//!   (`PUT {case}/email`) so the agent sees it in the inbox.
//! - "E-mail me this conversation" asks kefu-server (`POST /api/transcripts`) to send it. The
//!   widget sends what only it has, the chat with the bot ([`Chat::mail_lines`]); what was said
//!   with an agent comes from the server's record of the case. One request id per click, so a
//!   retry after a lost answer never sends twice.
//! - Whether the server can send mail is asked once (`GET /api/mail`); when it cannot (no
//!   SMTP set up), the send button is disabled with a line saying why, and the address can
//!   still be saved. Whatever fails, the address typed stays in the field.

use crate::chat::{Body, Chat, From, Notice};
use crate::handoff::{self, BodyLine};
use crate::i18n::{email_problem, t, Key};
use crate::ui::form::show;
use crate::{get, store, with_app, App};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Whether this page's kefu-server can send mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MailState {
    #[default]
    Unknown,
    Available,
    Unavailable,
}

/// `POST /api/transcripts` body (kefu-server's `TranscriptRequest`).
#[derive(Serialize)]
pub(crate) struct TranscriptBody<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub locale: &'a str,
    pub utc_offset_minutes: i32,
    pub lines: Vec<BodyLine<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_id: Option<&'a str>,
}

#[derive(Serialize)]
struct EmailBody<'a> {
    email: &'a str,
}

impl Chat {
    /// Indices of the messages the widget sends for a transcript mail: the shopper's messages
    /// and the bot's replies. With a case on the server (`linked`), what the server has
    /// already is left out: the case bubble, the agents' replies and the shopper's messages
    /// that went to the agent (typed once an agent had joined or written, until the case
    /// closed). Notices and
    /// rating prompts are the widget's own words and stay out.
    pub fn mail_lines(&self, linked: bool) -> Vec<usize> {
        let mut out = Vec::new();
        let mut agent_in = false;
        for (i, m) in self.messages.iter().enumerate() {
            match (&m.from, &m.body) {
                (From::Agent(_), _) => {
                    agent_in = true;
                    if !linked {
                        out.push(i);
                    }
                }
                // From "joined" on, what the shopper types goes to the agent (and the server).
                (_, Body::Joined(_)) => agent_in = true,
                (_, Body::Notice(Notice::CaseClosed)) => agent_in = false,
                (_, Body::Case { .. }) => {
                    agent_in = false;
                    if !linked {
                        out.push(i);
                    }
                }
                (From::System, _) | (_, Body::Notice(_) | Body::Rate(_)) => {}
                (From::Shopper, _) if linked && agent_in => {}
                _ => out.push(i),
            }
        }
        out
    }
}

/// A JSON request to kefu-server with the client id (and the case token when given):
/// `(status, parsed body)`, `None` when the network failed.
async fn call(method: &str, url: &str, body: Option<&str>, token: Option<&str>) -> Option<(u16, JsValue)> {
    let req = crate::net::request(method, url, body, token, false)?;
    let _ = req.headers().set("Accept", "application/json");
    let resp = crate::net::send(&req).await?;
    let status = resp.status();
    let json = match resp.json() {
        Ok(p) => wasm_bindgen_futures::JsFuture::from(p).await.unwrap_or(JsValue::NULL),
        Err(_) => JsValue::NULL,
    };
    Some((status, json))
}

/// The `error.code` of a kefu-server error body.
fn error_code(v: &JsValue) -> String {
    get(&get(v, "error"), "code").as_string().unwrap_or_default()
}

/// A 404 for the endpoint itself (kefu serve's "endpoint not found", or a server that does not
/// answer in kefu's JSON), rather than for a case the request named.
fn no_endpoint(v: &JsValue) -> bool {
    let message = get(&get(v, "error"), "message").as_string().unwrap_or_default();
    error_code(v).is_empty() || message.starts_with("endpoint")
}

/// The case id at the end of a case URL (`…/api/cases/{id}`).
fn case_id_of(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or("")
}

impl App {
    /// kefu-server's `/api` (from `data-handoff-url`, which ends in `/cases`).
    pub(crate) fn api_base(&self) -> Option<String> {
        self.handoff_url.as_deref()?.strip_suffix("/cases").map(str::to_string)
    }

    /// The envelope shows only when there is a server to give the address to.
    pub(crate) fn show_mail_button(&self) {
        show(&self.panel.mail_button, self.api_base().is_some());
    }

    pub(crate) fn toggle_mail(&mut self) {
        if self.mail_open {
            self.close_mail();
        } else {
            self.open_mail();
        }
    }

    pub(crate) fn open_mail(&mut self) {
        if self.api_base().is_none() {
            return;
        }
        if self.form_open {
            self.close_form();
        }
        let m = &self.panel.mail;
        if m.email.value().trim().is_empty() {
            m.email.set_value(&store::load_email().unwrap_or_default());
        }
        m.set_email_error(None);
        m.set_sendable(self.lang, self.mail_state != MailState::Unavailable);
        m.show(true);
        let _ = self.panel.compose.set_attribute("hidden", "");
        crate::ui::attr(&self.panel.mail_button, "aria-expanded", "true");
        self.mail_open = true;
        let _ = m.email.focus();
        if self.mail_state == MailState::Unknown {
            self.check_mail();
        }
    }

    pub(crate) fn close_mail(&mut self) {
        self.panel.mail.show(false);
        let _ = self.panel.compose.remove_attribute("hidden");
        crate::ui::attr(&self.panel.mail_button, "aria-expanded", "false");
        self.mail_open = false;
        let _ = self.panel.input.focus();
    }

    /// Asks the server once whether it can send mail.
    fn check_mail(&mut self) {
        let Some(base) = self.api_base() else { return };
        wasm_bindgen_futures::spawn_local(async move {
            let state = match call("GET", &format!("{base}/mail"), None, None).await {
                Some((200, v)) if get(&v, "transcripts") == JsValue::TRUE => MailState::Available,
                // `false`, or a server without the endpoint (an older kefu serve, a stand-in).
                Some((200 | 404, _)) => MailState::Unavailable,
                // Offline or a passing fault: ask again next time the form opens.
                _ => return,
            };
            with_app(|app| app.set_mail_state(state));
        });
    }

    fn set_mail_state(&mut self, state: MailState) {
        self.mail_state = state;
        self.panel.mail.set_sendable(self.lang, state != MailState::Unavailable);
    }

    /// The address in the mail form, checked; on a problem the field says what it is.
    fn checked_email(&self) -> Option<String> {
        let m = &self.panel.mail;
        match kefu_core::email::normalize(&m.email.value()) {
            Ok(e) => {
                m.set_email_error(None);
                Some(e)
            }
            Err(e) => {
                m.set_email_error(Some(t(self.lang, email_problem(e))));
                let _ = m.email.focus();
                None
            }
        }
    }

    /// "Save": kept for this tab, stored on the case if there is one.
    pub(crate) fn save_email(&mut self) {
        let Some(email) = self.checked_email() else { return };
        self.keep_email(&email);
        let on_case = self.chat.case.as_ref().is_some_and(|c| !c.token.is_empty());
        self.close_mail();
        self.notice(if on_case { Notice::EmailSaved } else { Notice::EmailKept });
    }

    /// Remembers the address and gives it to the case, if any.
    pub(crate) fn keep_email(&mut self, email: &str) {
        self.panel.mail.email.set_value(email);
        store::save_email(Some(email));
        self.sync_email();
    }

    /// Stores the remembered address on the followed case (idempotent; a few retries).
    pub(crate) fn sync_email(&self) {
        let (Some(email), Some(case)) = (store::load_email(), self.chat.case.clone()) else { return };
        if case.token.is_empty() {
            return;
        }
        let body = crate::to_json(&EmailBody { email: &email });
        wasm_bindgen_futures::spawn_local(async move {
            let mut delay = 1000;
            for _ in 0..4 {
                match call("PUT", &format!("{}/email", case.url), Some(&body), Some(&case.token)).await {
                    Some((s, _)) if s < 500 && s != 408 && s != 429 => return,
                    _ => {}
                }
                crate::sleep(delay).await;
                delay *= 2;
            }
        });
    }

    /// "E-mail me this conversation".
    pub(crate) fn send_transcript(&mut self) {
        let Some(base) = self.api_base() else { return };
        if self.mail_state == MailState::Unavailable {
            // Enter in the field with sending unavailable: keep the address at least.
            return self.save_email();
        }
        let Some(email) = self.checked_email() else { return };
        self.keep_email(&email);
        let linked = self.chat.case.clone().filter(|c| !c.token.is_empty());
        let mut lines: Vec<BodyLine> = {
            let idx = self.chat.mail_lines(linked.is_some());
            let from = idx.len().saturating_sub(crate::MAX_MAIL_LINES);
            idx[from..]
                .iter()
                .map(|&i| {
                    let m = &self.chat.messages[i];
                    let role = match m.from {
                        From::Shopper => "shopper",
                        From::Agent(_) => "agent",
                        From::System => "system",
                        From::Bot => "bot",
                    };
                    let text = handoff::plain_text(&m.body, self.engine.as_ref(), self.lang);
                    BodyLine {
                        role,
                        text: handoff::sendable(&text, true).chars().take(4000).collect(),
                        at: m.at.floor(),
                    }
                })
                .collect()
        };
        // Within the server's body limit, like a case.
        handoff::fit_lines(&mut lines, handoff::LINES_BUDGET);
        let id = handoff::uuid_v4();
        let offset = -(js_sys::Date::new_0().get_timezone_offset() as i32);
        let body = crate::to_json(&TranscriptBody {
            id: &id,
            email: &email,
            locale: self.lang.tag(),
            utc_offset_minutes: offset,
            lines,
            case_id: linked.as_ref().map(|c| case_id_of(&c.url)),
        });
        let m = &self.panel.mail;
        m.set_note(t(self.lang, Key::MailSending), Some("busy"));
        m.send.set_disabled(true);
        let token = linked.map(|c| c.token);
        wasm_bindgen_futures::spawn_local(async move {
            let url = format!("{base}/transcripts");
            let mut delay = 2000;
            let mut outcome = None;
            // The same id on every try: the server sends at most once.
            for _ in 0..3 {
                outcome = call("POST", &url, Some(&body), token.as_deref()).await;
                match &outcome {
                    None => {}
                    Some((409, v)) if error_code(v) == "mail_in_progress" => {}
                    Some(_) => break,
                }
                crate::sleep(delay).await;
                delay *= 2;
            }
            with_app(|app| app.transcript_sent(outcome));
        });
    }

    fn transcript_sent(&mut self, outcome: Option<(u16, JsValue)>) {
        let lang = self.lang;
        let m = &self.panel.mail;
        m.send.set_disabled(false);
        let fail = |key: Key| m.set_note(t(lang, key), Some("error"));
        match outcome {
            Some((200..=299, _)) => {
                m.set_note("", None);
                if self.mail_open {
                    self.close_mail();
                }
                self.notice(Notice::MailSent);
            }
            Some((503, v)) if error_code(&v) == "mail_not_configured" => self.set_mail_state(MailState::Unavailable),
            // No such endpoint (an older server): not "case not found".
            Some((404, v)) if no_endpoint(&v) => self.set_mail_state(MailState::Unavailable),
            Some((429, _)) => fail(Key::MailTooMany),
            // Passed the shared check but the mail server's side refused it.
            Some((400, v)) if error_code(&v) == "invalid_email" => {
                m.set_note("", None);
                m.set_email_error(Some(t(lang, Key::EmailNotUsable)));
            }
            None => fail(Key::MailOffline),
            Some(_) => fail(Key::MailFailed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{CaseStatus, Offer};

    fn text(s: &str) -> Body {
        Body::Text(s.into())
    }

    #[test]
    fn mail_lines_leave_out_what_the_server_has() {
        let mut c = Chat::new(0.0);
        c.push(From::Shopper, text("q1"), 1.0); // 1
        c.push(From::Bot, Body::Handoff { lead: None, message: None, promise: None, offer: Offer::NoMatch }, 2.0); // 2
        let case = Body::Case {
            id: "c".into(),
            description: "d".into(),
            order_number: None,
            photos: vec![],
            status: CaseStatus::Sent,
        };
        c.push(From::Shopper, case, 3.0); // 3
        c.push(From::System, Body::Notice(Notice::Sent), 4.0); // 4
        c.push(From::Shopper, text("to the bot while waiting"), 5.0); // 5
        c.push(From::Bot, text("bot answer"), 6.0); // 6
        c.push(From::Agent("Lily".into()), text("agent"), 7.0); // 7
        c.push(From::Shopper, text("to the agent"), 8.0); // 8
        c.push(From::System, Body::Notice(Notice::CaseClosed), 9.0); // 9
        c.push(From::System, Body::Rate(None), 10.0); // 10
        c.push(From::Shopper, text("to the bot again"), 11.0); // 11
        assert_eq!(c.mail_lines(true), vec![0, 1, 2, 5, 6, 11]);
        assert_eq!(c.mail_lines(false), vec![0, 1, 2, 3, 5, 6, 7, 8, 11]);
        // An agent who joins without writing yet: the shopper already talks to them.
        c.push(From::System, Body::Joined("Wu".into()), 12.0); // 12
        c.push(From::Shopper, text("to Wu"), 13.0); // 13
        assert_eq!(c.mail_lines(true), vec![0, 1, 2, 5, 6, 11]);
    }

    #[test]
    fn transcript_body_field_names() {
        let b = TranscriptBody {
            id: "i",
            email: "a@b.cn",
            locale: "zh-CN",
            utc_offset_minutes: 480,
            lines: vec![BodyLine { role: "bot", text: "t".into(), at: 5.0 }],
            case_id: None,
        };
        assert_eq!(
            serde_json::to_string(&b).unwrap(),
            r#"{"id":"i","email":"a@b.cn","locale":"zh-CN","utc_offset_minutes":480,"lines":[{"role":"bot","text":"t","at":5.0}]}"#
        );
        assert_eq!(case_id_of("/api/cases/0b6f"), "0b6f");
    }
}
