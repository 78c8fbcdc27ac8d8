//! The launcher button. The loader draws it (before any wasm exists) and keeps its click
//! handler; the widget only keeps its state in step: `aria-expanded`, the accessible name and
//! the unread badge.

use super::{attr, child};
use crate::i18n::{t, Key, Lang};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, ShadowRoot};

pub struct Launcher {
    pub button: Option<HtmlElement>,
    badge: Option<Element>,
}

impl Launcher {
    /// Finds the loader's button (`.kefu-launcher`) in the shadow root.
    pub fn adopt(root: &ShadowRoot) -> Launcher {
        let button: Option<HtmlElement> =
            root.query_selector(".kefu-launcher").ok().flatten().and_then(|b| b.dyn_into().ok());
        let badge = button.as_ref().map(|b| {
            let badge = child(b, "span", "kefu-badge");
            attr(&badge, "aria-hidden", "true");
            attr(&badge, "hidden", "");
            badge
        });
        Launcher { button, badge }
    }

    pub fn update(&self, lang: Lang, open: bool, unread: u32) {
        let Some(b) = &self.button else { return };
        attr(b, "aria-expanded", if open { "true" } else { "false" });
        let _ = b.remove_attribute("aria-busy");
        let _ = b.class_list().remove_1("kefu-loading");
        let label = if unread > 0 {
            format!("{} ({unread} {})", t(lang, Key::Launcher), t(lang, Key::Unread))
        } else {
            t(lang, Key::Launcher).to_string()
        };
        attr(b, "aria-label", &label);
        attr(b, "title", t(lang, Key::Launcher));
        if let Some(badge) = &self.badge {
            if unread > 0 {
                badge.set_text_content(Some(&if unread > 9 { "9+".to_string() } else { unread.to_string() }));
                let _ = badge.remove_attribute("hidden");
            } else {
                attr(badge, "hidden", "");
            }
        }
    }

    pub fn focus(&self) {
        if let Some(b) = &self.button {
            let _ = b.focus();
        }
    }
}
