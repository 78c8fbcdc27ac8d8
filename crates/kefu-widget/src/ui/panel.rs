//! The dialog: header (shop, new conversation, close), the message log, a status line, the
//! "leave a message" form and the composer. Built once per language; the element handles
//! live in [`Panel`].

use super::{action, attr, child, el, html, icon, with_text, Icon};
use crate::i18n::{t, Key, Lang};
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement, HtmlInputElement, HtmlTextAreaElement};

/// Handles to the parts of the panel the app updates.
pub struct Panel {
    pub root: HtmlElement,
    pub title: Element,
    pub avatar: Element,
    pub log: Element,
    pub status: Element,
    pub form: HtmlElement,
    pub description: HtmlTextAreaElement,
    pub order: HtmlInputElement,
    pub contact: HtmlInputElement,
    pub form_error: Element,
    pub compose: HtmlElement,
    pub input: HtmlTextAreaElement,
}

impl Panel {
    /// Builds the panel (hidden) in `lang` with the shop's name as title.
    pub fn build(doc: &Document, lang: Lang, shop: &str) -> Panel {
        let root = el(doc, "section", "kefu-panel");
        attr(&root, "role", "dialog");
        attr(&root, "aria-labelledby", "kefu-title");
        attr(&root, "aria-describedby", "kefu-sub");
        attr(&root, "lang", lang.tag());
        attr(&root, "data-state", "loading");
        attr(&root, "hidden", "");

        // Header.
        let head = child(&root, "div", "kefu-head");
        let avatar = child(&head, "span", "kefu-avatar");
        attr(&avatar, "aria-hidden", "true");
        let titles = child(&head, "div", "kefu-titles");
        let title = with_text(&titles, "h2", "kefu-title", "");
        attr(&title, "id", "kefu-title");
        let sub = with_text(&titles, "p", "kefu-sub", t(lang, Key::Subtitle));
        attr(&sub, "id", "kefu-sub");
        let new_chat = action(&head, "kefu-icon", "new", "", "");
        attr(&new_chat, "aria-label", t(lang, Key::NewChat));
        attr(&new_chat, "title", t(lang, Key::NewChat));
        icon(&new_chat, Icon::Refresh);
        let close = action(&head, "kefu-icon", "close", "", "");
        attr(&close, "aria-label", t(lang, Key::Close));
        attr(&close, "title", t(lang, Key::Close));
        icon(&close, Icon::Close);

        // Log.
        let log = child(&root, "div", "kefu-log");
        attr(&log, "role", "log");
        attr(&log, "aria-live", "polite");
        attr(&log, "aria-label", t(lang, Key::LogLabel));
        attr(&log, "tabindex", "0");

        let status = child(&root, "p", "kefu-status");
        attr(&status, "role", "status");

        // Hand-off form.
        let form = child(&root, "form", "kefu-handoff");
        attr(&form, "hidden", "");
        attr(&form, "aria-labelledby", "kefu-form-title");
        attr(&form, "novalidate", "");
        let ftitle = with_text(&form, "h3", "kefu-form-title", t(lang, Key::FormTitle));
        attr(&ftitle, "id", "kefu-form-title");
        with_text(&form, "p", "kefu-form-intro", t(lang, Key::FormIntro));
        let description: HtmlTextAreaElement = field(&form, "textarea", "kefu-f-desc", t(lang, Key::FormDescription));
        description.set_rows(3);
        description.set_max_length(2000);
        attr(&description, "required", "");
        attr(&description, "aria-describedby", "kefu-form-error");
        let order: HtmlInputElement = field(&form, "input", "kefu-f-order", t(lang, Key::FormOrder));
        attr(&order, "inputmode", "numeric");
        attr(&order, "autocomplete", "off");
        order.set_max_length(40);
        let contact: HtmlInputElement = field(&form, "input", "kefu-f-contact", t(lang, Key::FormContact));
        attr(&contact, "placeholder", t(lang, Key::FormContactHint));
        attr(&contact, "autocomplete", "email");
        contact.set_max_length(120);
        let form_error = child(&form, "p", "kefu-form-error");
        attr(&form_error, "id", "kefu-form-error");
        attr(&form_error, "role", "alert");
        let row = child(&form, "div", "kefu-form-row");
        action(&row, "kefu-btn kefu-btn-quiet", "cancel-form", "", t(lang, Key::FormCancel));
        let submit = with_text(&row, "button", "kefu-btn kefu-btn-primary", t(lang, Key::FormSend));
        attr(&submit, "type", "submit");

        // Composer.
        let compose = child(&root, "form", "kefu-compose");
        let human = action(&compose, "kefu-human", "human", "", "");
        icon(&human, Icon::Person);
        with_text(&human, "span", "", t(lang, Key::Human));
        let label = with_text(&compose, "label", "kefu-sr", t(lang, Key::InputLabel));
        attr(&label, "for", "kefu-input");
        let input: HtmlTextAreaElement = el(doc, "textarea", "kefu-input").unchecked_into();
        attr(&input, "id", "kefu-input");
        input.set_rows(1);
        input.set_max_length(500);
        attr(&input, "placeholder", t(lang, Key::Placeholder));
        attr(&input, "enterkeyhint", "send");
        attr(&input, "autocomplete", "off");
        let _ = compose.append_child(&input);
        let send = child(&compose, "button", "kefu-send");
        attr(&send, "type", "submit");
        attr(&send, "aria-label", t(lang, Key::Send));
        attr(&send, "title", t(lang, Key::Send));
        icon(&send, Icon::Send);

        let panel = Panel {
            root: html(&root),
            title,
            avatar,
            log,
            status,
            form: html(&form),
            description,
            order,
            contact,
            form_error,
            compose: html(&compose),
            input,
        };
        panel.set_shop(shop, lang);
        panel
    }

    /// Shows the shop's name (or the generic assistant title) in the header.
    pub fn set_shop(&self, shop: &str, lang: Lang) {
        let name = if shop.is_empty() { t(lang, Key::Launcher) } else { shop };
        self.title.set_text_content(Some(name));
        let initial: String = name.chars().next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
        self.avatar.set_text_content(Some(&initial));
    }

    pub fn set_state(&self, state: &str) {
        attr(&self.root, "data-state", state);
    }
}

/// A labelled form field (`<label>` + control) appended to `form`.
fn field<T: JsCast>(form: &Element, tag: &str, id: &str, label: &str) -> T {
    let wrap = child(form, "div", "kefu-field");
    let l = with_text(&wrap, "label", "", label);
    attr(&l, "for", id);
    let c = child(&wrap, tag, "");
    attr(&c, "id", id);
    if tag == "input" {
        attr(&c, "type", "text");
    }
    c.unchecked_into()
}
