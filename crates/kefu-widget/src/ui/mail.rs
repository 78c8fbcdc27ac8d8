//! The "your e-mail" form, opened from the envelope button in the header: one address field
//! with the line saying what it is used for, "save" and "e-mail me this conversation". Built
//! once per language like the hand-off form; what it does is [`crate::mail`].

use super::{action, attr, child, form::email_input, form::show, with_text};
use crate::i18n::{t, Key, Lang};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlButtonElement, HtmlElement, HtmlInputElement};

/// Handles to the parts of the form the app reads and updates.
pub struct MailForm {
    pub form: HtmlElement,
    pub email: HtmlInputElement,
    /// What is wrong with the address (under the field).
    pub email_error: Element,
    /// Why sending is not possible here (no SMTP on the server), or how sending went.
    pub note: Element,
    pub send: HtmlButtonElement,
}

impl MailForm {
    /// Builds the (hidden) form into `parent`.
    pub fn build(parent: &Element, lang: Lang) -> MailForm {
        let form = child(parent, "form", "kefu-mail");
        attr(&form, "hidden", "");
        attr(&form, "aria-labelledby", "kefu-mail-title");
        attr(&form, "novalidate", "");
        let title = with_text(&form, "h3", "kefu-form-title", t(lang, Key::MailTitle));
        attr(&title, "id", "kefu-mail-title");

        let wrap = child(&form, "div", "kefu-field");
        let label = with_text(&wrap, "label", "", t(lang, Key::MailLabel));
        attr(&label, "for", "kefu-m-email");
        let email: HtmlInputElement = child(&wrap, "input", "").unchecked_into();
        attr(&email, "id", "kefu-m-email");
        email_input(&email);
        attr(&email, "aria-describedby", "kefu-m-email-why kefu-m-email-error kefu-mail-note");
        let why = with_text(&wrap, "p", "kefu-why", t(lang, Key::MailIntro));
        attr(&why, "id", "kefu-m-email-why");
        let email_error = child(&wrap, "p", "kefu-field-error");
        attr(&email_error, "id", "kefu-m-email-error");
        attr(&email_error, "role", "alert");

        let note = child(&form, "p", "kefu-mail-note");
        attr(&note, "id", "kefu-mail-note");
        attr(&note, "role", "status");

        let row = child(&form, "div", "kefu-form-row");
        action(&row, "kefu-btn kefu-btn-quiet", "cancel-mail", "", t(lang, Key::FormCancel));
        action(&row, "kefu-btn kefu-btn-quiet", "save-email", "", t(lang, Key::MailSave));
        let send = with_text(&row, "button", "kefu-btn kefu-btn-primary", t(lang, Key::MailSend));
        attr(&send, "type", "submit");

        MailForm { form: form.unchecked_into(), email, email_error, note, send: send.unchecked_into() }
    }

    /// Shows or hides the form.
    pub fn show(&self, on: bool) {
        show(&self.form, on);
    }

    /// Sending is possible (or not known yet) vs. not offered by this server: the button is
    /// disabled and the note says why.
    pub fn set_sendable(&self, lang: Lang, sendable: bool) {
        self.send.set_disabled(!sendable);
        if sendable {
            if self.note.get_attribute("data-kind").as_deref() == Some("unavailable") {
                self.set_note("", None);
            }
        } else {
            self.set_note(t(lang, Key::MailUnavailable), Some("unavailable"));
        }
    }

    /// Sets the note under the field (`kind` styles it: `unavailable`, `error`, `busy`).
    pub fn set_note(&self, text: &str, kind: Option<&str>) {
        self.note.set_text_content(Some(text));
        match kind {
            Some(k) => attr(&self.note, "data-kind", k),
            None => {
                let _ = self.note.remove_attribute("data-kind");
            }
        }
    }

    /// Shows what is wrong with the address, or clears it (`None`).
    pub fn set_email_error(&self, msg: Option<&str>) {
        self.email_error.set_text_content(msg);
        let _ = match msg {
            Some(_) => self.email.set_attribute("aria-invalid", "true"),
            None => self.email.remove_attribute("aria-invalid"),
        };
    }
}
