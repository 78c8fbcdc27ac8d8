//! Net: every request the widget sends to kefu-server is built here, one way. It carries
//! the browser's client id (`X-Kefu-Client`, which the server's per-client limits key on),
//! the case token when the request is about a case, and a JSON body when there is one.
//! Photo uploads go through `XMLHttpRequest` for their progress (`outbox`), with the same
//! client id from [`client_id`].

use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Request, RequestInit, Response};

thread_local! {
    /// What the page's Content-Security-Policy refused a connection to: the `blockedURI` of
    /// each `securitypolicyviolation` event (a URL, or only its origin).
    static BLOCKED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Starts noting what the page's CSP blocks (once, when the widget mounts).
pub(crate) fn watch_csp(doc: &web_sys::Document) {
    let f = Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| {
        let uri = crate::get(&e, "blockedURI").as_string().unwrap_or_default();
        // `inline`, `eval`, `wasm-eval`: no URL, nothing a request can be refused by.
        if uri.contains(':') {
            BLOCKED.with(|b| b.borrow_mut().push(uri));
        }
    });
    let _ = doc.add_event_listener_with_callback("securitypolicyviolation", f.as_ref().unchecked_ref());
    f.forget();
}

/// Whether the page's CSP (`connect-src`) refuses requests to `url`, so that they can never
/// succeed from this page: asked when one failed with a network error, which looks the same
/// as being offline. The browser reports the violation a little after the request fails
/// (in Chromium after the failure, before the next task): this waits for that task first.
/// A violation reported later still counts at the next try.
pub(crate) async fn blocked(url: &str) -> bool {
    let tick = js_sys::Promise::new(&mut |resolve, _| {
        let later = web_sys::window().map(|w| w.set_timeout_with_callback(&resolve));
        if !matches!(later, Some(Ok(_))) {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(tick).await;
    BLOCKED.with(|b| b.borrow().iter().any(|u| blocks(u, url)))
}

/// Whether a violation's `blockedURI` names `url`: the URL itself (without its fragment),
/// or its origin, all a report gives after a cross-origin redirect.
fn blocks(blocked_uri: &str, url: &str) -> bool {
    let url = url.split('#').next().unwrap_or(url);
    url == blocked_uri
        || url
            .strip_prefix(blocked_uri.trim_end_matches('/'))
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// A random id per browser install (`localStorage`), sent as `X-Kefu-Client`.
pub(crate) fn client_id() -> Option<String> {
    let s = crate::store::local()?;
    if let Ok(Some(id)) = s.get_item("kefu.client") {
        return Some(id);
    }
    let id = crate::handoff::uuid_v4();
    let _ = s.set_item("kefu.client", &id);
    Some(id)
}

/// A request to kefu-server: `method` on `url`, with a JSON `body`, the case `token` as a
/// bearer token, `keepalive` so it survives the page unloading.
pub(crate) fn request(
    method: &str,
    url: &str,
    body: Option<&str>,
    token: Option<&str>,
    keepalive: bool,
) -> Option<Request> {
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(b) = body {
        init.set_body(&JsValue::from_str(b));
    }
    if keepalive {
        let _ = js_sys::Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::TRUE);
    }
    let req = Request::new_with_str_and_init(url, &init).ok()?;
    let h = req.headers();
    if body.is_some() {
        let _ = h.set("Content-Type", "application/json");
    }
    if let Some(id) = client_id() {
        let _ = h.set("X-Kefu-Client", &id);
    }
    if let Some(t) = token {
        let _ = h.set("Authorization", &format!("Bearer {t}"));
    }
    Some(req)
}

/// Sends a request: the response, `None` when the network failed.
pub(crate) async fn send(req: &Request) -> Option<Response> {
    let window = web_sys::window()?;
    wasm_bindgen_futures::JsFuture::from(window.fetch_with_request(req)).await.ok()?.dyn_into().ok()
}

/// Builds and sends a request: the HTTP status, `None` when the network failed.
pub(crate) async fn status(method: &str, url: &str, body: Option<&str>, token: Option<&str>) -> Option<u16> {
    Some(send(&request(method, url, body, token, false)?).await?.status())
}

#[cfg(test)]
mod tests {
    use super::blocks;

    #[test]
    fn a_violation_blocks_its_url_and_what_lies_under_its_origin() {
        let url = "https://help.example.com/api/cases";
        assert!(blocks(url, url));
        assert!(blocks(url, "https://help.example.com/api/cases#x"));
        assert!(blocks("https://help.example.com", url));
        assert!(blocks("https://help.example.com/", url));
        assert!(!blocks("https://help.example.com/api/cases/1", url));
        assert!(!blocks("https://help.example.co", url));
        assert!(!blocks("https://help.example.com/api/cases2", url));
        assert!(!blocks("https://cdn.example.com/kefu/kb.kefu", url));
    }
}
