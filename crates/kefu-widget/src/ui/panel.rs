//! The dialog: header (shop, e-mail, new conversation, close), the message log, a status
//! line, the "your e-mail" and "leave a message" forms and the composer. Built once per language; the element handles
//! live in [`Panel`].

use super::form::HandoffForm;
use super::mail::MailForm;
use super::{action, attr, child, el, html, icon, with_text, Icon};
use crate::i18n::{t, tf, Key, Lang};
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement, HtmlTextAreaElement};

/// Handles to the parts of the panel the app updates.
pub struct Panel {
    pub root: HtmlElement,
    pub title: Element,
    /// "智能客服 · 秒回", or the agent's name once one has joined ([`crate::live`]).
    pub sub: Element,
    pub avatar: Element,
    pub log: Element,
    pub status: Element,
    /// "Agent is typing…": a polite live region floating over the log's foot (no layout jump).
    pub typing: Element,
    pub form: HandoffForm,
    /// The envelope button in the header (hidden without a server) and its form.
    pub mail_button: Element,
    pub mail: MailForm,
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
        let mail_button = action(&head, "kefu-icon", "mail", "", "");
        attr(&mail_button, "aria-label", t(lang, Key::MailOpen));
        attr(&mail_button, "title", t(lang, Key::MailOpen));
        attr(&mail_button, "aria-expanded", "false");
        attr(&mail_button, "aria-controls", "kefu-mail");
        attr(&mail_button, "hidden", "");
        icon(&mail_button, Icon::Mail);
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

        let typing_row = child(&root, "div", "kefu-typing-row");
        let typing = child(&typing_row, "p", "kefu-typing");
        attr(&typing, "aria-live", "polite");
        attr(&typing, "aria-atomic", "true");

        let status = child(&root, "p", "kefu-status");
        attr(&status, "role", "status");

        let mail = MailForm::build(&root, lang);
        attr(&mail.form, "id", "kefu-mail");
        let form = HandoffForm::build(&root, lang);

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
        input.set_max_length(crate::COMPOSER_MAX as i32);
        attr(&input, "dir", "auto");
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
            sub,
            avatar,
            log,
            status,
            typing,
            form,
            mail_button,
            mail,
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
        if !self.root.has_attribute("data-agent") {
            self.avatar.set_text_content(Some(&initial(name)));
        }
    }

    /// The header's second line and avatar: the agent who joined (`Some(name)`), or the bot.
    pub fn set_agent(&self, agent: Option<&str>, lang: Lang) {
        match agent {
            Some(name) => {
                self.sub.set_text_content(Some(&tf(lang, Key::AgentSubtitle, &[("name", name)])));
                self.avatar.set_text_content(Some(&initial(name)));
                attr(&self.root, "data-agent", name);
            }
            None => {
                let _ = self.root.remove_attribute("data-agent");
                self.sub.set_text_content(Some(t(lang, Key::Subtitle)));
                let title = self.title.text_content().unwrap_or_default();
                self.avatar.set_text_content(Some(&initial(&title)));
            }
        }
    }

    pub fn set_state(&self, state: &str) {
        attr(&self.root, "data-state", state);
    }
}

/// The first letter of a name, upper-cased (the header's avatar).
fn initial(name: &str) -> String {
    name.chars().next().map(|c| c.to_uppercase().collect()).unwrap_or_default()
}
