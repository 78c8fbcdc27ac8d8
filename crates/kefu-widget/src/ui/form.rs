//! The "leave a message for a person" form: description, order number, contact or e-mail and photos,
//! each with one line saying why it is asked. Which fields show is decided per case
//! ([`crate::intake`]); this module only builds and updates the DOM.

use super::{action, attr, child, icon, with_text, Icon};
use crate::i18n::{t, tf, Key, Lang};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlCanvasElement, HtmlElement, HtmlInputElement, HtmlTextAreaElement};

/// Handles to the parts of the form the app reads and updates.
pub struct HandoffForm {
    pub form: HtmlElement,
    pub description: HtmlTextAreaElement,
    pub order_wrap: HtmlElement,
    pub order: HtmlInputElement,
    pub order_error: Element,
    pub contact_wrap: HtmlElement,
    pub contact_label: Element,
    pub contact: HtmlInputElement,
    /// The optional e-mail field (shown when no contact is asked for and a server is there).
    pub email_wrap: HtmlElement,
    pub email: HtmlInputElement,
    pub email_error: Element,
    pub photos_wrap: HtmlElement,
    pub photos_legend: Element,
    pub photos_why: Element,
    /// Gallery / file picker (no `capture`), and the camera (`capture`, phones only).
    pub files: HtmlInputElement,
    pub camera: HtmlInputElement,
    pub camera_button: HtmlElement,
    pub choose_label: Element,
    pub thumbs: Element,
    pub photo_error: Element,
    pub error: Element,
}

/// Makes `input` an e-mail address field (keyboard, autofill, no autocorrection, the
/// longest address SMTP allows): the hand-off form's and the e-mail form's.
pub(crate) fn email_input(input: &HtmlInputElement) {
    attr(input, "type", "email");
    attr(input, "autocomplete", "email");
    attr(input, "inputmode", "email");
    attr(input, "spellcheck", "false");
    attr(input, "autocapitalize", "off");
    attr(input, "placeholder", "name@example.com");
    input.set_max_length(254);
}

/// True on touch-first devices (phones, tablets): the form offers the camera directly.
pub fn coarse_pointer() -> bool {
    web_sys::window().and_then(|w| w.match_media("(pointer: coarse)").ok().flatten()).is_some_and(|m| m.matches())
}

impl HandoffForm {
    /// Builds the (hidden) form into `parent`.
    pub fn build(parent: &Element, lang: Lang) -> HandoffForm {
        let form = child(parent, "form", "kefu-handoff");
        attr(&form, "hidden", "");
        attr(&form, "aria-labelledby", "kefu-form-title");
        attr(&form, "novalidate", "");
        let title = with_text(&form, "h3", "kefu-form-title", t(lang, Key::FormTitle));
        attr(&title, "id", "kefu-form-title");
        with_text(&form, "p", "kefu-form-intro", t(lang, Key::FormIntro));

        let (_, description, _) = field::<HtmlTextAreaElement>(
            &form,
            "textarea",
            "kefu-f-desc",
            t(lang, Key::FormDescription),
            Key::FormDescriptionWhy,
            lang,
        );
        description.set_rows(3);
        description.set_max_length(crate::COMPOSER_MAX as i32);
        attr(&description, "required", "");
        attr(&description, "aria-describedby", "kefu-f-desc-why kefu-form-error");

        let (order_wrap, order, _) =
            field::<HtmlInputElement>(&form, "input", "kefu-f-order", t(lang, Key::FormOrder), Key::FormOrderWhy, lang);
        attr(&order, "autocomplete", "off");
        attr(&order, "spellcheck", "false");
        attr(&order, "autocapitalize", "characters");
        order.set_max_length(64);
        let order_error = child(&order_wrap, "p", "kefu-field-error");
        attr(&order_error, "id", "kefu-f-order-error");
        attr(&order, "aria-describedby", "kefu-f-order-why kefu-f-order-error");

        let (contact_wrap, contact, contact_label) = field::<HtmlInputElement>(
            &form,
            "input",
            "kefu-f-contact",
            t(lang, Key::FormContact),
            Key::FormContactWhy,
            lang,
        );
        attr(&contact, "placeholder", t(lang, Key::FormContactHint));
        attr(&contact, "autocomplete", "email");
        attr(&contact, "aria-describedby", "kefu-f-contact-why kefu-form-error");
        contact.set_max_length(120);

        let (email_wrap, email, _) =
            field::<HtmlInputElement>(&form, "input", "kefu-f-email", t(lang, Key::FormEmail), Key::FormEmailWhy, lang);
        email_input(&email);
        let email_error = child(&email_wrap, "p", "kefu-field-error");
        attr(&email_error, "id", "kefu-f-email-error");
        attr(&email, "aria-describedby", "kefu-f-email-why kefu-f-email-error");

        // Photos.
        let photos_wrap = child(&form, "fieldset", "kefu-photos");
        let photos_legend = with_text(&photos_wrap, "legend", "", "");
        let photos_why = with_text(&photos_wrap, "p", "kefu-why", t(lang, Key::FormPhotosWhy));
        attr(&photos_why, "id", "kefu-photos-why");
        let buttons = child(&photos_wrap, "div", "kefu-photo-actions");
        let camera_button = action(&buttons, "kefu-btn kefu-btn-quiet kefu-photo-btn", "take-photo", "", "");
        icon(&camera_button, Icon::Camera);
        with_text(&camera_button, "span", "", t(lang, Key::PhotoCamera));
        attr(&camera_button, "aria-describedby", "kefu-photos-why");
        let choose = action(&buttons, "kefu-btn kefu-btn-quiet kefu-photo-btn", "pick-photos", "", "");
        icon(&choose, Icon::Image);
        let choose_label = with_text(&choose, "span", "", t(lang, Key::PhotoChoose));
        attr(&choose, "aria-describedby", "kefu-photos-why");
        let files = file_input(&buttons, "kefu-f-photos", false);
        let camera = file_input(&buttons, "kefu-f-camera", true);
        with_text(&photos_wrap, "p", "kefu-drop-hint", t(lang, Key::PhotoDropHint));
        let thumbs = child(&photos_wrap, "ul", "kefu-thumbs");
        attr(&thumbs, "aria-label", t(lang, Key::PhotoAlt));
        let photo_error = child(&photos_wrap, "p", "kefu-field-error kefu-photo-error");
        attr(&photo_error, "role", "alert");

        let error = child(&form, "p", "kefu-form-error");
        attr(&error, "id", "kefu-form-error");
        attr(&error, "role", "alert");
        let row = child(&form, "div", "kefu-form-row");
        action(&row, "kefu-btn kefu-btn-quiet", "cancel-form", "", t(lang, Key::FormCancel));
        let submit = with_text(&row, "button", "kefu-btn kefu-btn-primary", t(lang, Key::FormSend));
        attr(&submit, "type", "submit");

        HandoffForm {
            form: form.unchecked_into(),
            description,
            order_wrap,
            order,
            order_error,
            contact_wrap,
            contact_label,
            contact,
            email_wrap,
            email,
            email_error,
            photos_wrap: photos_wrap.unchecked_into(),
            photos_legend,
            photos_why,
            files,
            camera,
            camera_button: camera_button.unchecked_into(),
            choose_label,
            thumbs,
            photo_error,
            error,
        }
    }

    /// Shows the photo block for up to `limit` photos (0 hides it); on phones the camera
    /// button comes first and "add photos" reads "choose from gallery".
    pub fn set_photo_limit(&self, lang: Lang, limit: u32, damage: bool) {
        show(&self.photos_wrap, limit > 0);
        self.photos_legend.set_text_content(Some(&tf(lang, Key::FormPhotos, &[("n", &limit.to_string())])));
        self.photos_why
            .set_text_content(Some(t(lang, if damage { Key::FormPhotosWhyDamage } else { Key::FormPhotosWhy })));
        let phone = coarse_pointer();
        show(&self.camera_button, phone);
        self.choose_label.set_text_content(Some(t(lang, if phone { Key::PhotoGallery } else { Key::PhotoChoose })));
        self.files.set_multiple(limit > 1);
    }

    /// A thumbnail slot for photo `id` (a canvas painted later, a remove button).
    pub fn add_thumb(&self, lang: Lang, id: &str, busy: bool) -> Element {
        let li = child(&self.thumbs, "li", "kefu-thumb");
        attr(&li, "data-photo", id);
        let c = thumb_canvas(&li, lang, id, 0);
        if busy {
            let _ = li.class_list().add_1("kefu-thumb-busy");
            attr(&c, "aria-busy", "true");
            with_text(&li, "span", "kefu-sr", t(lang, Key::PhotoPreparing));
        }
        let x = action(&li, "kefu-thumb-x", "remove-photo", id, "");
        icon(&x, Icon::Close);
        self.renumber(lang);
        li
    }

    /// Updates the photos' accessible names ("Photo 2", "Remove photo 2") after a change.
    pub fn renumber(&self, lang: Lang) {
        let Ok(items) = self.thumbs.query_selector_all(".kefu-thumb") else { return };
        for i in 0..items.length() {
            let Some(li) = items.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
            let n = (i + 1).to_string();
            if let Ok(Some(c)) = li.query_selector("canvas") {
                attr(&c, "aria-label", &format!("{} {n}", t(lang, Key::PhotoAlt)));
            }
            if let Ok(Some(x)) = li.query_selector(".kefu-thumb-x") {
                let label = tf(lang, Key::PhotoRemove, &[("n", &n)]);
                attr(&x, "aria-label", &label);
                attr(&x, "title", &label);
            }
        }
    }

    pub fn thumb(&self, id: &str) -> Option<Element> {
        self.thumbs.query_selector(&format!("[data-photo=\"{id}\"]")).ok().flatten()
    }
}

/// A square canvas for a thumbnail (painted from IndexedDB by the app), labelled as an image.
pub fn thumb_canvas(parent: &Element, lang: Lang, id: &str, n: usize) -> HtmlCanvasElement {
    let c: HtmlCanvasElement = child(parent, "canvas", "kefu-thumb-img").unchecked_into();
    c.set_width(144);
    c.set_height(144);
    attr(&c, "role", "img");
    attr(&c, "data-thumb", id);
    let label = if n > 0 { format!("{} {n}", t(lang, Key::PhotoAlt)) } else { t(lang, Key::PhotoAlt).to_string() };
    attr(&c, "aria-label", &label);
    c
}

pub fn show(e: &Element, on: bool) {
    if on {
        let _ = e.remove_attribute("hidden");
    } else {
        attr(e, "hidden", "");
    }
}

/// A hidden `<input type=file accept="image/*">`, opened by its button.
fn file_input(parent: &Element, id: &str, camera: bool) -> HtmlInputElement {
    let i: HtmlInputElement = child(parent, "input", "").unchecked_into();
    attr(&i, "type", "file");
    attr(&i, "id", id);
    attr(&i, "accept", "image/*");
    attr(&i, "hidden", "");
    attr(&i, "tabindex", "-1");
    attr(&i, "aria-hidden", "true");
    if camera {
        attr(&i, "capture", "environment");
    } else {
        i.set_multiple(true);
    }
    i
}

/// A labelled field with its "why we ask" line; returns (wrapper, control, label).
fn field<T: JsCast>(
    form: &Element,
    tag: &str,
    id: &str,
    label: &str,
    why: Key,
    lang: Lang,
) -> (HtmlElement, T, Element) {
    let wrap = child(form, "div", "kefu-field");
    let l = with_text(&wrap, "label", "", label);
    attr(&l, "for", id);
    let c = child(&wrap, tag, "");
    attr(&c, "id", id);
    if tag == "input" {
        attr(&c, "type", "text");
    }
    let w = with_text(&wrap, "p", "kefu-why", t(lang, why));
    attr(&w, "id", &format!("{id}-why"));
    (wrap.unchecked_into(), c.unchecked_into(), l)
}
