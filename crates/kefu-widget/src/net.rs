//! Net: every request the widget sends to kefu-server is built here, one way. It carries
//! the browser's client id (`X-Kefu-Client`, which the server's per-client limits key on),
//! the case token when the request is about a case, and a JSON body when there is one.
//! Photo uploads go through `XMLHttpRequest` for their progress (`outbox`), with the same
//! client id from [`client_id`].

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Request, RequestInit, Response};

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
