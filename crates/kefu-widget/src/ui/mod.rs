//! The widget's DOM, built with `createElement` and `textContent` only: KB, agent and shopper
//! text never passes through an HTML parser. `panel` builds the dialog chrome, `render` turns
//! conversation records into message bubbles, `launcher` keeps the loader's button in step.

pub mod form;
pub mod launcher;
pub mod mail;
pub mod panel;
pub mod render;

use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement};

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// An element with a class (empty class: none).
pub fn el(doc: &Document, tag: &str, class: &str) -> Element {
    let e = doc.create_element(tag).expect("createElement");
    if !class.is_empty() {
        e.set_class_name(class);
    }
    e
}

/// An element appended to `parent`.
pub fn child(parent: &Element, tag: &str, class: &str) -> Element {
    let e = el(&parent.owner_document().expect("document"), tag, class);
    let _ = parent.append_child(&e);
    e
}

/// Appends `s` as a text node.
pub fn text(parent: &Element, s: &str) {
    let _ = parent.append_with_str_1(s);
}

/// An element with text content.
pub fn with_text(parent: &Element, tag: &str, class: &str, s: &str) -> Element {
    let e = child(parent, tag, class);
    e.set_text_content(Some(s));
    e
}

pub fn attr(e: &Element, name: &str, value: &str) {
    let _ = e.set_attribute(name, value);
}

pub fn html(e: &Element) -> HtmlElement {
    e.clone().unchecked_into()
}

/// A `type=button` button that the panel's click handler dispatches by `data-act`/`data-arg`.
pub fn action(parent: &Element, class: &str, act: &str, arg: &str, label: &str) -> Element {
    let b = child(parent, "button", class);
    attr(&b, "type", "button");
    attr(&b, "data-act", act);
    if !arg.is_empty() {
        attr(&b, "data-arg", arg);
    }
    b.set_text_content(Some(label));
    b
}

/// Icons (24×24 viewBox, stroked paths), decorative: the control carries the label.
#[derive(Clone, Copy)]
pub enum Icon {
    Close,
    Send,
    Refresh,
    ThumbUp,
    ThumbDown,
    Person,
    Camera,
    Image,
    Mail,
}

pub fn icon(parent: &Element, which: Icon) -> Element {
    let doc = parent.owner_document().expect("document");
    let svg = doc.create_element_ns(Some(SVG_NS), "svg").expect("svg");
    attr(&svg, "viewBox", "0 0 24 24");
    attr(&svg, "aria-hidden", "true");
    attr(&svg, "focusable", "false");
    attr(&svg, "class", "kefu-icon-svg");
    let d = match which {
        Icon::Close => "M6 6l12 12M18 6L6 18",
        Icon::Send => "M4 12l16-8-6 16-2.5-6.5L4 12z",
        Icon::Refresh => "M20 11a8 8 0 1 0-2.3 5.7M20 4v7h-7",
        Icon::ThumbUp => {
            "M7 11v9H4v-9h3zm0 0l4-7c1.5 0 2.5 1 2 3l-1 3h5.5c1.2 0 2 1 1.8 2.2l-1.3 6.3c-.2 1-1 1.5-2 1.5H7"
        }
        Icon::ThumbDown => {
            "M7 13V4H4v9h3zm0 0l4 7c1.5 0 2.5-1 2-3l-1-3h5.5c1.2 0 2-1 1.8-2.2l-1.3-6.3c-.2-1-1-1.5-2-1.5H7"
        }
        Icon::Person => "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-7 8c0-3.5 3-6 7-6s7 2.5 7 6",
        Icon::Camera => "M4 8h3l2-3h6l2 3h3v11H4V8zm8 9a4 4 0 1 0 0-8 4 4 0 0 0 0 8z",
        Icon::Image => "M4 5h16v14H4V5zm0 11l5-5 4 4 2-2 5 5M15 9.5a1.5 1.5 0 1 0 0-.01",
        Icon::Mail => "M4 6h16v12H4V6zm0 1l8 6 8-6",
    };
    let path = doc.create_element_ns(Some(SVG_NS), "path").expect("path");
    attr(&path, "d", d);
    let _ = svg.append_child(&path);
    let _ = parent.append_child(&svg);
    svg
}

/// Removes every child of `e`.
pub fn clear(e: &Element) {
    while let Some(c) = e.first_child() {
        let _ = e.remove_child(&c);
    }
}
