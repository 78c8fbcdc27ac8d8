//! Collecting a hand-off in the chat: the short form asks only for what this case needs
//! (seed rule) and says why each thing is asked —
//!
//! - a description (always), prefilled with what the shopper asked that the bot could not
//!   answer;
//! - the order number when the case is about an order, a complaint or an emergency, or when
//!   one is already known (prefilled from the chat or `identify`), checked against the
//!   shop's order-number pattern from `kefu.toml`;
//! - a contact only when the merchant needs one (`data-contact`);
//! - photos (camera or gallery, paste, drag and drop), up to the merchant's limit, checked
//!   and re-encoded in the browser ([`crate::images`]) and kept in IndexedDB as drafts.
//!
//! On send the `handoff` event fires (with the photos as `Blob`s) and, with a hand-off URL,
//! the case goes to the outbox ([`crate::outbox`]); its bubble in the chat shows the photos
//! and how delivery is going.

use crate::chat::{Body, CaseLink, CaseStatus, From, Notice, Offer, PhotoRef};
use crate::handoff::{self, Photo};
use crate::i18n::{t, tf, Key};
use crate::idb;
use crate::images::{self, Refused};
use crate::outbox::{self, Event};
use crate::ui::{self, form::show};
use crate::{emit, now_ms, store, with_app, App, Kb};
use kefu_core::reply::facts::OrderPattern;
use kefu_core::reply::{Cue, Triage};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlCanvasElement};

thread_local! {
    /// Files waiting to be checked and re-encoded (id, file name, file), and whether the
    /// worker that does it is running.
    static PHOTO_QUEUE: std::cell::RefCell<std::collections::VecDeque<(String, String, web_sys::File)>> =
        const { std::cell::RefCell::new(std::collections::VecDeque::new()) };
    static PHOTO_WORKER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Files picked beyond the photo limit: they take the place of a picked file that is
    /// refused (a shopper choosing 7 photos, 2 of them broken, with a limit of 5, gets 5),
    /// and are named as not added once the queue is done.
    static PHOTO_OVERFLOW: std::cell::RefCell<std::collections::VecDeque<web_sys::File>> =
        const { std::cell::RefCell::new(std::collections::VecDeque::new()) };
}

/// `name` quoted as the widget's messages quote file names.
fn quoted(lang: crate::i18n::Lang, name: &str) -> String {
    match lang {
        crate::i18n::Lang::ZhTw => format!("「{name}」"),
        _ => format!("“{name}”"),
    }
}

/// Whether the merchant wants a way to reach the shopper (`data-contact`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactMode {
    /// Not asked (replies reach the shopper in the widget).
    Off,
    Optional,
    Required,
}

impl ContactMode {
    /// `off`, `optional`, `required`; unset: `off` when replies can come back through
    /// kefu-server, `optional` when the case only goes to the page's callback.
    pub fn parse(s: Option<&str>, has_server: bool) -> ContactMode {
        match s.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            Some("off" | "none" | "no" | "false") => ContactMode::Off,
            Some("required" | "require") => ContactMode::Required,
            Some("optional" | "yes" | "true") => ContactMode::Optional,
            _ if has_server => ContactMode::Off,
            _ => ContactMode::Optional,
        }
    }
}

/// A photo in the open form.
pub struct Draft {
    pub id: String,
    pub name: String,
    /// Set once checked, re-encoded and stored: its details and the bytes that will be sent.
    pub ready: Option<(Photo, Rc<Vec<u8>>)>,
}

/// Folds full-width letters and digits to ASCII and drops spaces: how shoppers type order
/// numbers on phones. Control characters (pasted along) go too: kefu-server refuses them.
pub fn clean_order_number(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect()
}

impl App {
    fn order_pattern(&self) -> OrderPattern {
        OrderPattern::of_settings(self.engine.as_ref().and_then(|e| e.manifest().settings.order_pattern.as_deref()))
    }

    /// The order number is asked when the case is about an order (or worse), when one is
    /// known, or when nothing is known about the case yet.
    fn needs_order(&self) -> bool {
        let asked_anything = self.chat.messages.iter().any(|m| m.from == From::Shopper);
        self.chat.triage != Triage::Product
            || self.chat.known_order_number().is_some()
            || !asked_anything
            || matches!(self.kb, Kb::Failed(_))
    }

    pub(crate) fn open_form(&mut self) {
        if self.mail_open {
            self.close_mail();
        }
        let f = &self.panel.form;
        if f.description.value().trim().is_empty() {
            f.description.set_value(&self.chat.open_question());
        }
        if f.order.value().trim().is_empty() {
            f.order.set_value(&self.chat.known_order_number().unwrap_or_default());
        }
        if f.contact.value().trim().is_empty() {
            f.contact.set_value(self.chat.contact.as_deref().unwrap_or(""));
        }
        show(&f.order_wrap, self.needs_order());
        show(&f.contact_wrap, self.contact_mode != ContactMode::Off);
        // Without a contact field, an optional e-mail (kefu-server keeps it with the case).
        let saved_email = store::load_email();
        show(&f.email_wrap, self.contact_mode == ContactMode::Off && self.api_base().is_some());
        if f.email.value().trim().is_empty() {
            f.email.set_value(saved_email.as_deref().unwrap_or(""));
        }
        if f.contact.value().trim().is_empty() && self.contact_mode != ContactMode::Off {
            f.contact.set_value(saved_email.as_deref().unwrap_or(""));
        }
        f.email_error.set_text_content(None);
        let required = self.contact_mode == ContactMode::Required;
        f.contact_label
            .set_text_content(Some(t(self.lang, if required { Key::FormContactRequired } else { Key::FormContact })));
        let _ = if required { f.contact.set_attribute("required", "") } else { f.contact.remove_attribute("required") };
        let damage = matches!(self.chat.cue, Cue::Damaged | Cue::WrongItem | Cue::NotAsDescribed | Cue::Quality);
        f.set_photo_limit(self.lang, self.limits.count, damage);
        f.error.set_text_content(None);
        show(&f.form, true);
        let _ = self.panel.compose.set_attribute("hidden", "");
        self.form_open = true;
        self.keep_typed();
        let _ = f.description.focus();
        if !self.drafts_loaded && self.limits.count > 0 {
            self.drafts_loaded = true;
            wasm_bindgen_futures::spawn_local(async {
                let recs = outbox::drafts().await;
                with_app(|app| {
                    for r in recs {
                        app.restore_draft(&r);
                    }
                });
            });
        }
    }

    pub(crate) fn close_form(&mut self) {
        show(&self.panel.form.form, false);
        let _ = self.panel.compose.remove_attribute("hidden");
        self.form_open = false;
        self.keep_typed();
        let _ = self.panel.input.focus();
    }

    /// A photo left in the form before a reload.
    fn restore_draft(&mut self, rec: &JsValue) {
        let Some(id) = idb::field_str(rec, "id") else { return };
        if self.drafts.iter().any(|d| d.id == id) || self.drafts.len() as u32 >= self.limits.count {
            return;
        }
        let Ok(bytes) = idb::field(rec, "bytes").dyn_into::<js_sys::Uint8Array>() else { return };
        let photo = Photo {
            id: id.clone(),
            width: idb::field_num(rec, "width") as u32,
            height: idb::field_num(rec, "height") as u32,
            size: idb::field_num(rec, "size") as u32,
            sha256: idb::field_str(rec, "sha256").unwrap_or_default(),
        };
        let name = idb::field_str(rec, "name").unwrap_or_default();
        self.drafts.push(Draft { id: id.clone(), name, ready: Some((photo, Rc::new(bytes.to_vec()))) });
        let li = self.panel.form.add_thumb(self.lang, &id, false);
        // The record in hand has the thumbnail: no second IndexedDB read.
        if let Ok(thumb) = idb::field(rec, "thumb").dyn_into::<js_sys::Uint8Array>() {
            if let Some(c) = li.query_selector("canvas").ok().flatten().and_then(|c| c.dyn_into().ok()) {
                paint_slot(c, thumb.to_vec());
            }
        }
    }

    /// Draws the form's photo slots again (after the panel was rebuilt for another language).
    pub(crate) fn redraw_drafts(&mut self) {
        for d in &self.drafts {
            self.panel.form.add_thumb(self.lang, &d.id, d.ready.is_none());
        }
        self.paint_thumbs();
    }

    /// Files from the picker, the camera, a paste or a drop.
    pub(crate) fn add_files(&mut self, files: Vec<web_sys::File>) {
        if self.limits.count == 0 || files.is_empty() {
            return;
        }
        if !self.form_open {
            self.set_open(true);
            self.open_form();
        }
        // A new pick starts with no messages; each file not added then adds its own line.
        self.panel.form.photo_error.set_text_content(None);
        self.queue_files(files);
        // Nothing being checked that could still be refused: say at once what found no room.
        if PHOTO_QUEUE.with(|q| q.borrow().is_empty()) && !PHOTO_WORKER.with(|w| w.get()) {
            self.report_overflow();
        }
    }

    /// Queues `files` for checking while the form has room; the rest wait in the overflow.
    fn queue_files(&mut self, files: Vec<web_sys::File>) {
        let f = &self.panel.form;
        for file in files {
            if self.drafts.len() as u32 >= self.limits.count {
                PHOTO_OVERFLOW.with(|o| o.borrow_mut().push_back(file));
                continue;
            }
            let id = handoff::uuid_v4();
            let name = file.name();
            self.drafts.push(Draft { id: id.clone(), name: name.clone(), ready: None });
            f.add_thumb(self.lang, &id, true);
            PHOTO_QUEUE.with(|q| q.borrow_mut().push_back((id, name, file)));
        }
        // One photo at a time: a phone decoding five 12-megapixel photos at once can run out
        // of memory.
        if !PHOTO_QUEUE.with(|q| q.borrow().is_empty()) && !PHOTO_WORKER.with(|w| w.replace(true)) {
            let limits = self.limits;
            wasm_bindgen_futures::spawn_local(async move {
                while let Some((id, name, file)) = PHOTO_QUEUE.with(|q| q.borrow_mut().pop_front()) {
                    let result = images::process(&file, &limits).await;
                    if let Ok(p) = &result {
                        if let Err(e) = outbox::save_draft(&id, &name, p).await {
                            web_sys::console::warn_2(&"kefu: the photo could not be saved on this device".into(), &e);
                        }
                    }
                    with_app(|app| app.photo_done(&id, result));
                }
                PHOTO_WORKER.with(|w| w.set(false));
            });
        }
    }

    fn photo_done(&mut self, id: &str, result: Result<images::Processed, Refused>) {
        self.place_photo(id, result);
        // A refused file made room: the next file picked beyond the limit takes it.
        if (self.drafts.len() as u32) < self.limits.count {
            if let Some(next) = PHOTO_OVERFLOW.with(|o| o.borrow_mut().pop_front()) {
                self.queue_files(vec![next]);
            }
        }
        // All checked: the files that found no room are named.
        if PHOTO_QUEUE.with(|q| q.borrow().is_empty()) {
            self.report_overflow();
        }
    }

    /// Names the files picked beyond the limit that found no room, and forgets them.
    fn report_overflow(&self) {
        let left: Vec<web_sys::File> = PHOTO_OVERFLOW.with(|o| o.borrow_mut().drain(..).collect());
        if left.is_empty() {
            return;
        }
        let sep = if self.lang == crate::i18n::Lang::En { ", " } else { "、" };
        let names: Vec<String> = left.iter().map(|f| quoted(self.lang, &f.name())).collect();
        let n = self.limits.count.to_string();
        self.photo_message(&tf(self.lang, Key::PhotoLimitNotAdded, &[("n", &n), ("names", &names.join(sep))]));
    }

    /// Adds a line to the photo messages (several files of one pick can each be refused).
    fn photo_message(&self, msg: &str) {
        let e = &self.panel.form.photo_error;
        let text = match e.text_content().filter(|t| !t.is_empty()) {
            Some(before) => format!("{before}\n{msg}"),
            None => msg.to_string(),
        };
        e.set_text_content(Some(&text));
    }

    fn place_photo(&mut self, id: &str, result: Result<images::Processed, Refused>) {
        let Some(pos) = self.drafts.iter().position(|d| d.id == id) else {
            // Removed while it was being prepared.
            let id = id.to_string();
            wasm_bindgen_futures::spawn_local(async move {
                let _ = idb::delete(idb::PHOTOS, &id).await;
            });
            return;
        };
        let f = &self.panel.form;
        match result {
            Ok(p) => {
                let photo = Photo {
                    id: id.to_string(),
                    width: p.width,
                    height: p.height,
                    size: p.bytes.len() as u32,
                    sha256: p.sha256.clone(),
                };
                self.drafts[pos].ready = Some((photo, Rc::new(p.bytes)));
                if let Some(li) = f.thumb(id) {
                    let _ = li.class_list().remove_1("kefu-thumb-busy");
                    if let Ok(Some(sr)) = li.query_selector(".kefu-sr") {
                        sr.remove();
                    }
                    if let Ok(Some(c)) = li.query_selector("canvas") {
                        let _ = c.remove_attribute("aria-busy");
                        if let Ok(c) = c.dyn_into::<HtmlCanvasElement>() {
                            paint_slot(c, p.thumb);
                        }
                    }
                }
            }
            Err(why) => {
                let name = self.drafts.remove(pos).name;
                if let Some(li) = f.thumb(id) {
                    li.remove();
                }
                f.renumber(self.lang);
                let lang = self.lang;
                let msg = match why {
                    Refused::NotAPhoto => tf(lang, Key::PhotoNotImage, &[("name", &name)]),
                    Refused::TooManyPixels(w, h) => {
                        tf(lang, Key::PhotoTooLarge, &[("name", &name), ("w", &w.to_string()), ("h", &h.to_string())])
                    }
                    Refused::FileTooBig => tf(lang, Key::PhotoFileTooBig, &[("name", &name)]),
                    Refused::Unreadable(crate::photo::Kind::Heic) => tf(lang, Key::PhotoHeic, &[("name", &name)]),
                    Refused::Unreadable(_) => tf(lang, Key::PhotoUnreadable, &[("name", &name)]),
                };
                self.photo_message(&msg);
            }
        }
    }

    pub(crate) fn remove_photo(&mut self, id: &str) {
        self.drafts.retain(|d| d.id != id);
        let f = &self.panel.form;
        if let Some(li) = f.thumb(id) {
            li.remove();
        }
        f.renumber(self.lang);
        f.photo_error.set_text_content(None);
        // Focus stays in the photo block.
        let next: Option<web_sys::HtmlElement> =
            f.thumbs.query_selector(".kefu-thumb-x").ok().flatten().and_then(|e| e.dyn_into().ok());
        let _ = match next {
            Some(b) => b.focus(),
            None => f
                .files
                .previous_element_sibling()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                .map(|b| b.focus())
                .unwrap_or(Ok(())),
        };
        let id = id.to_string();
        wasm_bindgen_futures::spawn_local(async move {
            let _ = idb::delete(idb::PHOTOS, &id).await;
        });
    }

    fn form_fail(&self, msg: &str, field: Option<&Element>) {
        let f = &self.panel.form;
        f.error.set_text_content(Some(msg));
        if let Some(el) = field {
            let _ = el.set_attribute("aria-invalid", "true");
            if let Ok(h) = el.clone().dyn_into::<web_sys::HtmlElement>() {
                let _ = h.focus();
            }
        }
    }

    pub(crate) fn submit_form(&mut self) {
        let lang = self.lang;
        let f = &self.panel.form;
        for el in [
            f.description.unchecked_ref::<Element>(),
            f.order.unchecked_ref(),
            f.contact.unchecked_ref(),
            f.email.unchecked_ref(),
        ] {
            let _ = el.remove_attribute("aria-invalid");
        }
        f.error.set_text_content(None);
        f.order_error.set_text_content(None);
        // As the server will take it (no control characters), so what the chat shows is
        // what was sent.
        let description = kefu_core::analyze::visible(&handoff::sendable(&f.description.value(), true));
        if description.is_empty() {
            return self.form_fail(t(lang, Key::FormNeedText), Some(f.description.unchecked_ref()));
        }
        // Over the limit (set by a script or autofill past the field's maxlength): refused
        // whole with its length, as in the composer (`App::ask`), never cut.
        if let Some(n) = crate::too_long(&description) {
            let msg = tf(lang, Key::TooLongCount, &[("n", &n.to_string())]);
            return self.form_fail(&msg, Some(f.description.unchecked_ref()));
        }
        let order =
            if f.order_wrap.has_attribute("hidden") { String::new() } else { clean_order_number(&f.order.value()) };
        // An ID number typed as the order number is masked like one; ID and card numbers in
        // the description are masked before anything is shown, kept or sent (the server
        // masks again), the order number itself kept readable.
        let order = kefu_core::reply::mask::order_number(&order);
        let description = kefu_core::reply::mask::mask_keeping(&description, &[order.as_str()]);
        if !order.is_empty() && !self.order_pattern().matches(&order) {
            let f = &self.panel.form;
            f.order_error.set_text_content(Some(t(lang, Key::FormOrderInvalid)));
            let _ = f.order.set_attribute("aria-invalid", "true");
            let _ = f.order.focus();
            return;
        }
        // Masked like the description: an ID or card number typed here must not reach the
        // page's `handoff` event or the outbox either.
        let contact = if self.contact_mode == ContactMode::Off {
            String::new()
        } else {
            let typed = handoff::sendable(&f.contact.value(), false);
            kefu_core::reply::mask::mask_keeping(typed.trim(), &[order.as_str()])
        };
        if contact.is_empty() && self.contact_mode == ContactMode::Required {
            return self.form_fail(t(lang, Key::FormNeedContact), Some(self.panel.form.contact.unchecked_ref()));
        }
        let typed_email = if f.email_wrap.has_attribute("hidden") { String::new() } else { f.email.value() };
        f.email_error.set_text_content(None);
        let email = match typed_email.trim() {
            "" => String::new(),
            e => match kefu_core::email::normalize(e) {
                Ok(e) => e,
                Err(problem) => {
                    f.email_error.set_text_content(Some(t(lang, crate::i18n::email_problem(problem))));
                    let _ = f.email.set_attribute("aria-invalid", "true");
                    let _ = f.email.focus();
                    return;
                }
            },
        };
        if self.drafts.iter().any(|d| d.ready.is_none()) {
            return self.form_fail(t(lang, Key::PhotosStillPreparing), None);
        }
        if !email.is_empty() {
            self.keep_email(&email);
        }
        if !order.is_empty() {
            self.chat.order_number = Some(order.clone());
        }
        if !contact.is_empty() {
            self.chat.contact = Some(contact.clone());
        }
        let drafts = std::mem::take(&mut self.drafts);
        let photos: Vec<(Photo, Rc<Vec<u8>>)> = drafts.into_iter().filter_map(|d| d.ready).collect();
        let form = handoff::Form {
            description: description.clone(),
            order_number: order.clone(),
            contact,
            email,
            photos: photos.iter().map(|(p, _)| p.clone()).collect(),
        };
        let reason = match self.chat.messages.last().map(|m| &m.body) {
            _ if matches!(self.kb, Kb::Failed(_)) => "unavailable",
            Some(Body::Notice(Notice::SorryVote)) => "feedback",
            Some(Body::Handoff { offer: Offer::NoMatch, .. }) => "low_confidence",
            _ => "requested",
        };
        let case = handoff::case(&self.chat, self.engine.as_ref(), lang, reason, &form);

        // The page's event, with the photos as Blobs (for a helpdesk fed by the callback).
        let payload = case.event;
        if let Ok(list) = idb::field(&payload, "photos").dyn_into::<js_sys::Array>() {
            for (i, (_, bytes)) in photos.iter().enumerate() {
                if let Some(blob) = images::jpeg_blob(bytes) {
                    idb::set(&list.get(i as u32), "blob", blob);
                }
            }
        }
        emit("handoff", payload);

        let status = if self.handoff_url.is_some() { CaseStatus::Sending } else { CaseStatus::Local };
        let refs: Vec<PhotoRef> =
            photos.iter().map(|(p, _)| PhotoRef { id: p.id.clone(), width: p.width, height: p.height }).collect();
        self.chat.push(
            From::Shopper,
            Body::Case {
                id: case.id.clone(),
                description,
                order_number: Some(order).filter(|o| !o.is_empty()),
                photos: refs,
                status,
            },
            now_ms(),
        );
        let f = &self.panel.form;
        f.description.set_value("");
        ui::clear(&f.thumbs);
        f.photo_error.set_text_content(None);
        self.close_form();
        self.render_new();
        let ids: Vec<String> = photos.iter().map(|(p, _)| p.id.clone()).collect();
        match self.handoff_url.clone() {
            Some(url) => {
                // The shopper's own gesture: the moment to ask whether replies may notify them.
                crate::live::ask_notification_permission();
                let (id, body) = (case.id, case.body);
                wasm_bindgen_futures::spawn_local(async move {
                    if let Err(e) = outbox::enqueue(&id, &url, &body, &ids).await {
                        web_sys::console::warn_2(&"kefu: the hand-off could not be saved on this device".into(), &e);
                    }
                    outbox::kick();
                });
            }
            None => {
                wasm_bindgen_futures::spawn_local(async move {
                    for id in ids {
                        outbox::settle(&id).await;
                    }
                });
                // Without a hand-off URL only a listener of the page can take the case; whether
                // one did is known once the event has been delivered, right after this call.
                let id = case.id;
                wasm_bindgen_futures::spawn_local(async move {
                    with_app(|app| app.kept_by_page(&id));
                });
            }
        }
    }

    /// A case that went to the page's `handoff` event only (no hand-off URL, or a URL the
    /// page's CSP blocks): passed to the shop's team if a listener took it. Otherwise nobody
    /// has it, and the shopper is told so, rather than that the team has it: it was not sent,
    /// it cannot be from this page, and their words stay in the chat to copy. The merchant
    /// is told what is missing in the console.
    pub(crate) fn kept_by_page(&mut self, id: &str) {
        if crate::taken(id) {
            self.set_case_status(id, CaseStatus::Local);
            return self.notice(Notice::SentLocal);
        }
        if self.handoff_url.is_none() {
            web_sys::console::warn_1(&JsValue::from_str(
                "kefu: a hand-off was not sent: there is no data-handoff-url, and no handoff listener took \
                 the case (c.accept()); the shopper was told it could not be sent (docs/handoff-api.md)",
            ));
        }
        self.set_case_status(id, CaseStatus::Unsent);
        self.notice(Notice::CannotSend);
    }

    /// Paints the thumbnails in the form and the log that are not painted yet (from the
    /// photos' records in IndexedDB); hides the progress bars of photos already delivered.
    pub(crate) fn paint_thumbs(&self) {
        let Ok(list) = self.panel.root.query_selector_all("canvas[data-thumb]:not([data-painted])") else { return };
        for i in 0..list.length() {
            let Some(c) = list.item(i).and_then(|n| n.dyn_into::<HtmlCanvasElement>().ok()) else { continue };
            let _ = c.set_attribute("data-painted", "");
            let Some(id) = c.get_attribute("data-thumb") else { continue };
            // A photo of the followed case may be on the server only (history from the server,
            // or its thumbnail forgotten on this device).
            let case = self.chat.case.clone().filter(|k| {
                let row = c.closest(".kefu-case").ok().flatten().and_then(|r| r.get_attribute("data-case"));
                row.is_some_and(|r| k.url.ends_with(&format!("/{r}")))
            });
            wasm_bindgen_futures::spawn_local(async move {
                let Ok(Some(rec)) = idb::get(idb::PHOTOS, &id).await else {
                    if let Some(bytes) = match &case {
                        Some(case) => crate::history::server_thumb(case, &id).await,
                        None => None,
                    } {
                        let _ = images::paint(&c, &bytes).await;
                        let _ = c.set_attribute("data-source", "server");
                    }
                    return;
                };
                if let Ok(thumb) = idb::field(&rec, "thumb").dyn_into::<js_sys::Uint8Array>() {
                    let _ = images::paint(&c, &thumb.to_vec()).await;
                }
                if matches!(idb::field_str(&rec, "state").as_deref(), Some("sent" | "refused")) {
                    if let Some(bar) = c.next_element_sibling() {
                        let _ = bar.set_attribute("hidden", "");
                    }
                }
            });
        }
    }

    /// Puts a refused case's description and order number back into the form (unless the
    /// shopper has started another) and opens it.
    fn refill_form(&mut self, id: &str) {
        let Some((description, order)) = self.chat.messages.iter().find_map(|m| match &m.body {
            Body::Case { id: c, description, order_number, .. } if c == id => {
                Some((description.clone(), order_number.clone()))
            }
            _ => None,
        }) else {
            return;
        };
        self.fill_form(&description, order);
    }

    /// Opens the hand-off form with `description` and `order` in it, unless the shopper has
    /// started another description there.
    fn fill_form(&mut self, description: &str, order: Option<String>) {
        let f = &self.panel.form;
        if f.description.value().trim().is_empty() {
            f.description.set_value(description);
            if let Some(o) = order.filter(|_| f.order.value().trim().is_empty()) {
                f.order.set_value(&o);
            }
        }
        self.open_form();
    }

    /// Removes the `kefu.outbox.*` entries whose words are in the form, once the shopper has
    /// had the panel open.
    pub(crate) fn forget_unsent(&mut self) {
        if let Some(s) = crate::store::local() {
            for key in std::mem::take(&mut self.unsent) {
                let _ = s.remove_item(&key);
            }
        }
    }

    fn case_row(&self, id: &str) -> Option<Element> {
        self.panel.log.query_selector(&format!(".kefu-case[data-case=\"{id}\"]")).ok().flatten()
    }

    fn case_status(&self, id: &str) -> Option<CaseStatus> {
        self.chat.messages.iter().find_map(|m| match &m.body {
            Body::Case { id: c, status, .. } if c == id => Some(*status),
            _ => None,
        })
    }

    fn set_case_status(&mut self, id: &str, st: CaseStatus) {
        for m in &mut self.chat.messages {
            if let Body::Case { id: c, status, .. } = &mut m.body {
                if c == id {
                    *status = st;
                }
            }
        }
        if let Some(row) = self.case_row(id) {
            if let Ok(Some(p)) = row.query_selector(".kefu-case-status") {
                p.set_text_content(Some(t(self.lang, ui::render::case_status_key(st))));
                let _ = p.set_attribute("data-status", ui::render::case_status_name(st));
            }
            if !matches!(st, CaseStatus::Sending | CaseStatus::Waiting) {
                if let Ok(bars) = row.query_selector_all("progress") {
                    for i in 0..bars.length() {
                        if let Some(b) = bars.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                            let _ = b.set_attribute("hidden", "");
                        }
                    }
                }
            }
        }
        store::save(&self.chat);
    }

    fn progress_bar(&self, photo: &str) -> Option<Element> {
        self.panel.log.query_selector(&format!("[data-photo=\"{photo}\"] progress")).ok().flatten()
    }

    /// Shows what the outbox did.
    pub(crate) fn outbox_event(&mut self, e: Event) {
        match e {
            Event::Created { case, url, token } => {
                if token.is_empty() {
                    // A receiver that gives no token takes no follow-ups: what was held for
                    // this case cannot reach it, and the shopper is told so.
                    if self.case_status(&case).is_some() && !self.chat.held.is_empty() {
                        self.chat.held.clear();
                        store::save(&self.chat);
                        self.notice(Notice::FollowUpFailed);
                    }
                    return;
                }
                let link = CaseLink { url, token, last_event: 0, closed: false };
                store::save_case(Some(&link));
                if self.case_status(&case).is_some() || self.chat.case.as_ref().is_none_or(|c| c.closed) {
                    self.stop_following();
                    self.chat.case = Some(link);
                    store::save(&self.chat);
                    self.follow_case();
                    // An address left while the case was on its way goes to it now.
                    self.sync_email();
                    self.beacon();
                }
            }
            Event::Progress { photo, fraction } => {
                if let Some(bar) = self.progress_bar(&photo) {
                    let _ = bar.set_attribute("value", &format!("{fraction:.3}"));
                }
            }
            Event::PhotoSent { photo } => {
                if let Some(bar) = self.progress_bar(&photo) {
                    let _ = bar.set_attribute("value", "1");
                    let _ = bar.set_attribute("hidden", "");
                }
            }
            Event::PhotoRefused { photo, code } => {
                web_sys::console::warn_1(&JsValue::from_str(&format!("kefu: photo {photo} was refused ({code})")));
                if let Some(bar) = self.progress_bar(&photo) {
                    let _ = bar.set_attribute("hidden", "");
                }
                self.notice(Notice::PhotoRefused);
            }
            Event::Waiting { case } => {
                if !self.told_waiting.contains(&case) {
                    self.told_waiting.push(case.clone());
                    if self.case_status(&case).is_some_and(|s| s != CaseStatus::Waiting) {
                        self.set_case_status(&case, CaseStatus::Waiting);
                        self.notice(Notice::Queued);
                    }
                }
            }
            Event::Delivered { case } => {
                let mine = self.case_status(&case);
                let waited = self.told_waiting.contains(&case) || mine == Some(CaseStatus::Waiting) || mine.is_none();
                if mine.is_some() {
                    self.set_case_status(&case, CaseStatus::Sent);
                }
                self.notice(if waited { Notice::Delivered } else { Notice::Sent });
            }
            Event::Rejected { case, text, .. } => {
                // Not "passed to the team": nobody has it (unless the page's own handoff
                // listener kept it). What the shopper wrote goes back into the form.
                if self.case_status(&case).is_some() {
                    self.set_case_status(&case, CaseStatus::Refused);
                    self.notice(Notice::Refused);
                    self.refill_form(&case);
                } else if let Some((description, order)) = text.filter(|(d, _)| !d.trim().is_empty()) {
                    // A case this chat does not show: left in the loader's plain form while
                    // the widget could not load (kept on the device, sent now), or by a tab
                    // since closed. Its words are not dropped with it either.
                    self.notice(Notice::Refused);
                    self.fill_form(&description, order);
                }
            }
            Event::Blocked { case, text } => {
                // Not "saved, sent when you're back online": this page can never send it.
                if self.case_status(&case).is_some() {
                    self.kept_by_page(&case);
                } else if let Some((description, order)) = text.filter(|(d, _)| !d.trim().is_empty()) {
                    // Kept by the loader's form while offline (or by a tab since closed): its
                    // words go into the form, to be copied.
                    self.notice(Notice::CannotSend);
                    self.fill_form(&description, order);
                }
            }
            Event::Unsent { key, text, order } => {
                // An entry that was no case kefu wrote held a shopper's words (see
                // outbox::adopt_local_storage). They go into an empty form; the form holds
                // them already after a reload; other words there leave the entry waiting
                // for a later start.
                let typed = self.panel.form.description.value();
                let empty = typed.trim().is_empty();
                if empty {
                    self.notice(Notice::Unsent);
                    self.fill_form(&text, order);
                }
                if empty || typed == text {
                    self.unsent.push(key);
                    if self.open {
                        self.forget_unsent();
                    }
                }
            }
        }
    }
}

/// Paints `thumb` into a form slot's canvas, marked painted so [`App::paint_thumbs`] skips it.
fn paint_slot(c: HtmlCanvasElement, thumb: Vec<u8>) {
    let _ = c.set_attribute("data-painted", "");
    wasm_bindgen_futures::spawn_local(async move {
        let _ = images::paint(&c, &thumb).await;
    });
}

/// Image files in a `DataTransfer` (paste, drop).
pub fn files_of(dt: Option<web_sys::DataTransfer>) -> Vec<web_sys::File> {
    let Some(list) = dt.and_then(|d| d.files()) else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// Whether a drag carries files.
pub fn has_files(dt: &Option<web_sys::DataTransfer>) -> bool {
    dt.as_ref().is_some_and(|d| d.types().iter().any(|t| t.as_string().as_deref() == Some("Files")))
}
