//! Conversation records → message bubbles. Answers are rendered from the bundle's parsed
//! blocks (paragraphs, lists; text, bold, links) as DOM nodes; links open in a new tab with
//! `rel="noopener noreferrer"`, and only web, mail and phone links become links at all.
//! Product cards are links too: their title and price are text nodes, their image an `<img>`
//! whose `src` is only ever an http(s) URL or a path on the shop's own site.

use super::{action, attr, child, icon, text, with_text, Icon};
use crate::chat::{Body, CaseStatus, From, Message, Notice};
use crate::handoff::{notice_key, offer_text};
use crate::i18n::{t, tf, Key, Lang};
use kefu_core::bundle::EntryMeta;
use kefu_core::{Block, Engine, Inline, Product};
use web_sys::Element;

/// What rendering needs besides the message.
pub struct Ctx<'a> {
    pub engine: Option<&'a Engine>,
    pub lang: Lang,
    /// The bundle failed to load: answers that cannot be shown say so.
    pub failed: bool,
}

impl Ctx<'_> {
    fn entry(&self, id: &str) -> Option<&EntryMeta> {
        let e = self.engine?;
        e.entry(e.position_of(id)?)
    }
}

/// Appends the bubble for message `index` to `log`.
pub fn message(log: &Element, m: &Message, index: usize, ctx: &Ctx) -> Element {
    let lang = ctx.lang;
    let (class, who) = match &m.from {
        // A note under an answer is no new bot message (tests and styles count `kefu-bot`).
        From::Bot if matches!(m.body, Body::Note { .. }) => ("kefu-msg kefu-note", t(lang, Key::Assistant).to_string()),
        From::Bot => ("kefu-msg kefu-bot", t(lang, Key::Assistant).to_string()),
        From::Shopper => ("kefu-msg kefu-shopper", t(lang, Key::You).to_string()),
        From::Agent(name) if !name.is_empty() => ("kefu-msg kefu-agent", format!("{} · {name}", t(lang, Key::Agent))),
        From::Agent(_) => ("kefu-msg kefu-agent", t(lang, Key::Agent).to_string()),
        From::System => ("kefu-msg kefu-system", t(lang, Key::Notice).to_string()),
    };
    let row = child(log, "div", class);
    attr(&row, "data-index", &index.to_string());
    let is_agent = matches!(m.from, From::Agent(_));
    let who_el = with_text(&row, "span", if is_agent { "kefu-who" } else { "kefu-sr" }, &who);
    if !is_agent {
        text(&who_el, "：");
    }
    let bubble = child(&row, "div", "kefu-bubble");
    // Each bubble takes its direction from its own text (an Arabic or Hebrew message reads
    // right to left in a left-to-right page).
    attr(&bubble, "dir", "auto");
    match &m.body {
        Body::Text(s) => paragraphs(&bubble, s),
        Body::Greeting => {
            let g = ctx.engine.map(|e| e.manifest().settings.greeting.as_str()).filter(|g| !g.is_empty());
            paragraphs(&bubble, g.unwrap_or(t(lang, Key::DefaultGreeting)));
        }
        Body::Answer { entry, lead, vote, human, .. } => {
            lead_paragraph(&bubble, lead);
            match ctx.entry(entry) {
                Some(e) => {
                    attr(&row, "data-entry", &e.id);
                    blocks(&bubble, &e.answer.blocks, lang);
                    extras(&row, e, ctx, index, *vote);
                    if *human {
                        leave_message(&row, lang);
                    }
                }
                None if ctx.engine.is_some() || ctx.failed => {
                    with_text(&bubble, "p", "", t(lang, Key::Unavailable));
                }
                None => {
                    with_text(&bubble, "p", "kefu-pending", t(lang, Key::Loading));
                }
            }
        }
        Body::Clarify { lead, message, candidates } => {
            lead_paragraph(&bubble, lead);
            paragraphs(&bubble, message.as_deref().unwrap_or(t(lang, Key::DidYouMean)));
            let chips = child(&row, "div", "kefu-chips");
            attr(&chips, "role", "group");
            attr(&chips, "aria-label", t(lang, Key::DidYouMean));
            // The choices in the script of the line above them, which is the shopper's: a
            // traditional message gets the KB's simplified titles in traditional characters.
            let trad = message.as_deref().and_then(kefu_core::analyze::script_of)
                == Some(kefu_core::analyze::Script::Traditional);
            for id in candidates {
                if let Some(e) = ctx.entry(id) {
                    let title = if trad { kefu_core::analyze::to_traditional(&e.title) } else { e.title.clone() };
                    action(&chips, "kefu-chip", "pick", &e.id, &title);
                }
            }
        }
        Body::Handoff { lead, message, promise, offer } => {
            lead_paragraph(&bubble, lead);
            paragraphs(&bubble, offer_text(*offer, message.as_deref(), lang));
            if let Some(p) = promise {
                with_text(&bubble, "p", "kefu-promise", p);
            }
            leave_message(&row, lang);
        }
        Body::Say { lead, message, promise, human } => {
            lead_paragraph(&bubble, lead);
            paragraphs(&bubble, message);
            if let Some(p) = promise {
                with_text(&bubble, "p", "kefu-promise", p);
            }
            if *human {
                leave_message(&row, lang);
            }
        }
        Body::Note { message, promise } => {
            paragraphs(&bubble, message);
            if let Some(p) = promise {
                with_text(&bubble, "p", "kefu-promise", p);
            }
        }
        Body::Rate(given) => {
            with_text(&bubble, "p", "", t(lang, Key::RatePrompt));
            let stars = child(&row, "div", "kefu-rate");
            attr(&stars, "role", "group");
            attr(&stars, "aria-label", t(lang, Key::RatePrompt));
            for n in 1..=5u8 {
                let b = action(&stars, "kefu-star", "rate", &format!("{index}:{n}"), "★");
                attr(&b, "aria-label", &format!("{n} {}", t(lang, Key::RateStar)));
                attr(&b, "aria-pressed", if *given == Some(n) { "true" } else { "false" });
                if given.is_some_and(|g| n <= g) {
                    let _ = b.class_list().add_1("kefu-star-on");
                }
            }
        }
        Body::Case { id, description, order_number, photos, status } => {
            let _ = row.class_list().add_1("kefu-case");
            attr(&row, "data-case", id);
            paragraphs(&bubble, description);
            if let Some(o) = order_number {
                with_text(&bubble, "p", "kefu-case-order", &format!("{}：{o}", t(lang, Key::FormOrder)));
            }
            if !photos.is_empty() {
                let list = child(&bubble, "ul", "kefu-case-photos");
                for (i, p) in photos.iter().enumerate() {
                    let li = child(&list, "li", "");
                    attr(&li, "data-photo", &p.id);
                    super::form::thumb_canvas(&li, lang, &p.id, i + 1);
                    let bar = child(&li, "progress", "kefu-progress");
                    attr(&bar, "max", "1");
                    attr(&bar, "value", "0");
                    attr(&bar, "aria-label", &tf(lang, Key::PhotoUploading, &[("n", &(i + 1).to_string())]));
                    if !matches!(status, CaseStatus::Sending | CaseStatus::Waiting) {
                        attr(&bar, "hidden", "");
                    }
                }
            }
            let st = with_text(&row, "p", "kefu-case-status", t(lang, case_status_key(*status)));
            attr(&st, "data-status", case_status_name(*status));
        }
        Body::Joined(name) => {
            let _ = row.class_list().add_1("kefu-joined");
            with_text(&bubble, "p", "", &tf(lang, Key::AgentJoined, &[("name", name)]));
        }
        Body::Notice(n) => {
            with_text(&bubble, "p", "", t(lang, notice_key(*n)));
            if matches!(n, Notice::FailNetwork | Notice::FailCorrupt | Notice::FailEngine | Notice::SorryVote) {
                leave_message(&row, lang);
            }
        }
    }
    row
}

pub fn case_status_key(s: CaseStatus) -> Key {
    match s {
        CaseStatus::Sending => Key::CaseSending,
        CaseStatus::Waiting => Key::CaseWaiting,
        CaseStatus::Sent => Key::CaseSent,
        CaseStatus::Local => Key::CaseLocal,
        CaseStatus::Refused => Key::CaseRefused,
        CaseStatus::Unsent => Key::CaseUnsent,
    }
}

pub fn case_status_name(s: CaseStatus) -> &'static str {
    match s {
        CaseStatus::Sending => "sending",
        CaseStatus::Waiting => "waiting",
        CaseStatus::Sent => "sent",
        CaseStatus::Local => "local",
        CaseStatus::Refused => "refused",
        CaseStatus::Unsent => "unsent",
    }
}

fn leave_message(row: &Element, lang: Lang) {
    let wrap = child(row, "div", "kefu-chips");
    let b = action(&wrap, "kefu-chip kefu-chip-human", "human", "", "");
    icon(&b, Icon::Person);
    with_text(&b, "span", "", t(lang, Key::LeaveMessage));
}

fn lead_paragraph(bubble: &Element, lead: &Option<String>) {
    if let Some(l) = lead.as_deref().filter(|l| !l.is_empty()) {
        with_text(bubble, "p", "kefu-lead", l);
    }
}

/// Plain text, one paragraph per line.
fn paragraphs(bubble: &Element, s: &str) {
    for line in s.split('\n') {
        with_text(bubble, "p", "", line);
    }
}

/// The answer's blocks as `<p>`, `<ol>`, `<ul>`.
pub fn blocks(parent: &Element, blocks: &[Block], lang: Lang) {
    for b in blocks {
        match b {
            Block::Paragraph(inl) => inlines(&child(parent, "p", ""), inl, lang),
            Block::List { ordered, items } => {
                let list = child(parent, if *ordered { "ol" } else { "ul" }, "");
                for item in items {
                    inlines(&child(&list, "li", ""), item, lang);
                }
            }
        }
    }
}

fn inlines(parent: &Element, inl: &[Inline], lang: Lang) {
    for i in inl {
        match i {
            Inline::Text(s) => text(parent, s),
            Inline::Strong(s) => {
                with_text(parent, "strong", "", s);
            }
            Inline::Link { text: label, href } => link(parent, label, href, lang),
        }
    }
}

/// A link, when `href` is safe to follow; otherwise its text.
pub fn link(parent: &Element, label: &str, href: &str, lang: Lang) {
    if !safe_href(href) {
        text(parent, label);
        return;
    }
    let a = with_text(parent, "a", "", label);
    attr(&a, "href", href.trim());
    attr(&a, "target", "_blank");
    attr(&a, "rel", "noopener noreferrer");
    with_text(&a, "span", "kefu-sr", t(lang, Key::OpensNewTab));
}

/// `http(s)`, `mailto`, `tel` and relative URLs; never `javascript:`, `data:` and the like.
pub fn safe_href(href: &str) -> bool {
    let h = href.trim();
    if h.is_empty() || h.chars().any(|c| c.is_control()) {
        return false;
    }
    let lower = h.to_ascii_lowercase();
    // A scheme is what comes before the first ':' when no '/', '?' or '#' precedes it.
    match lower.find([':', '/', '?', '#']) {
        Some(i) if lower.as_bytes()[i] == b':' => {
            let scheme = &lower[..i];
            matches!(scheme, "http" | "https" | "mailto" | "tel")
        }
        _ => !lower.starts_with("//") || lower.len() > 2,
    }
}

/// Width and height attributes of a card image (the demo images are 4:3); CSS scales it,
/// the attributes reserve its space before it loads.
const CARD_IMG: (&str, &str) = ("160", "120");

/// A row of product cards: each a link (new tab, `noopener noreferrer`) holding the image,
/// the title and the price. Cards whose url is not safe are left out; an unsafe image is
/// left out of its card.
pub fn cards(parent: &Element, products: &[Product], lang: Lang) {
    let shown: Vec<&Product> = products.iter().filter(|p| card_url(&p.url)).collect();
    if shown.is_empty() {
        return;
    }
    let list = child(parent, "ul", "kefu-cards");
    attr(&list, "aria-label", t(lang, Key::Products));
    for p in shown {
        let a = child(&child(&list, "li", ""), "a", "kefu-card");
        attr(&a, "href", p.url.trim());
        attr(&a, "target", "_blank");
        attr(&a, "rel", "noopener noreferrer");
        if let Some(src) = p.image.as_deref().filter(|s| card_url(s)) {
            let img = child(&a, "img", "kefu-card-img");
            attr(&img, "src", src.trim());
            attr(&img, "alt", &p.title);
            attr(&img, "loading", "lazy");
            attr(&img, "decoding", "async");
            attr(&img, "width", CARD_IMG.0);
            attr(&img, "height", CARD_IMG.1);
        }
        with_text(&a, "span", "kefu-card-title", &p.title);
        if let Some(price) = p.price.as_deref().filter(|s| !s.trim().is_empty()) {
            with_text(&a, "span", "kefu-card-price", price);
        }
        with_text(&a, "span", "kefu-sr", t(lang, Key::OpensNewTab));
    }
}

/// Product and image URLs: `http(s)://host…`, or a path on this site starting with one `/`.
pub fn card_url(url: &str) -> bool {
    let u = url.trim();
    if u.is_empty() || u.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\') {
        return false;
    }
    let lower = u.to_ascii_lowercase();
    match lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")) {
        Some(rest) => !rest.is_empty() && !rest.starts_with(['/', '?', '#']),
        None => u.starts_with('/') && !u.starts_with("//"),
    }
}

/// Product cards, links, quick replies and the vote buttons under an answer.
fn extras(row: &Element, e: &EntryMeta, ctx: &Ctx, index: usize, vote: Option<bool>) {
    let lang = ctx.lang;
    cards(row, &e.products, lang);
    if !e.links.is_empty() {
        let nav = child(row, "ul", "kefu-links");
        attr(&nav, "aria-label", t(lang, Key::RelatedLinks));
        for l in &e.links {
            link(&child(&nav, "li", ""), &l.title, &l.url, lang);
        }
    }
    let quick: Vec<&EntryMeta> =
        e.quick_replies.iter().filter_map(|p| ctx.engine.and_then(|en| en.entry(*p))).collect();
    if !quick.is_empty() {
        let chips = child(row, "div", "kefu-chips");
        attr(&chips, "role", "group");
        attr(&chips, "aria-label", t(lang, Key::MoreQuestions));
        for q in quick {
            action(&chips, "kefu-chip", "pick", &q.id, &q.title);
        }
    }
    let votes = child(row, "div", "kefu-vote");
    let arg = index.to_string();
    for (helpful, key, ic) in [(true, Key::Helpful, Icon::ThumbUp), (false, Key::NotHelpful, Icon::ThumbDown)] {
        let b = action(&votes, "kefu-vote-btn", if helpful { "up" } else { "down" }, &arg, "");
        attr(&b, "aria-label", t(lang, key));
        attr(&b, "title", t(lang, key));
        attr(&b, "aria-pressed", if vote == Some(helpful) { "true" } else { "false" });
        icon(&b, ic);
    }
}

#[cfg(test)]
mod tests {
    use super::{card_url, safe_href};

    #[test]
    fn card_urls() {
        for ok in ["/product.html", "/shop/img/a.svg", "https://shop.example/x", "HTTP://shop.example"] {
            assert!(card_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "//evil.example/x",
            "data:image/svg+xml,x",
            "product.html",
            "",
            "https://",
            "/a b",
            "/\\evil",
        ] {
            assert!(!card_url(bad), "{bad}");
        }
    }

    #[test]
    fn hrefs() {
        for ok in ["/help/returns", "https://shop.example/x", "mailto:a@b.c", "tel:+86", "help", "#faq", "?a=b:c"] {
            assert!(safe_href(ok), "{ok}");
        }
        for bad in ["javascript:alert(1)", " JavaScript:x", "data:text/html,x", "vbscript:x", "", "java\nscript:x"] {
            assert!(!safe_href(bad), "{bad}");
        }
    }
}
