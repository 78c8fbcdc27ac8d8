//! Routing, security headers, CORS, JSON errors under the API paths, and static files.

use axum::http::{header, HeaderValue, Method, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

use crate::error::ApiError;
use crate::{api, inbox, live, transcript, State};

/// CSP of the inbox page and anything else the server renders.
pub const INBOX_CSP: &str =
    "default-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/// CSP of HTML from `--www` / `--pkg` (the storefront running the wasm widget).
pub const SHOP_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
    img-src 'self' blob: data:; object-src 'none'; base-uri 'self'; frame-ancestors 'self'";

const INBOX_HTML: &str = include_str!("assets/inbox.html");
const INBOX_JS: &str = include_str!("assets/inbox.js");
const INBOX_CSS: &str = include_str!("assets/inbox.css");
const FAVICON: &str = include_str!("assets/favicon.svg");

fn asset(body: &'static str, mime: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

pub fn router(st: State) -> Router {
    let mut api = Router::new()
        .route("/api/cases", post(api::create_case))
        .route("/api/cases/{id}", get(api::get_case))
        .route("/api/cases/{id}/attachments/{att}", put(api::put_attachment))
        .route("/api/cases/{id}/attachments/{att}/thumb", get(live::thumb))
        .route("/api/cases/{id}/history", get(live::history))
        .route("/api/cases/{id}/events", get(api::get_events))
        .route("/api/cases/{id}/messages", post(api::post_message))
        .route("/api/cases/{id}/rating", post(api::post_rating))
        .route("/api/cases/{id}/email", put(transcript::put_case_email))
        .route("/api/sessions", post(api::post_session))
        .route("/api/mail", get(transcript::get_mail))
        .route("/api/transcripts", post(transcript::post_transcript))
        .route("/api/{*rest}", axum::routing::any(|| async { ApiError::not_found("endpoint") }));
    // Multipart reads go through axum's limit; raw bodies are limited in the handlers.
    api = api.layer(axum::extract::DefaultBodyLimit::max(st.cfg.max_attachment_bytes + 64 * 1024));
    if !st.cfg.allow_origins.is_empty() {
        api = api.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(allowed_origins(&st.cfg.allow_origins)))
                .allow_methods([Method::GET, Method::POST, Method::PUT])
                .allow_headers([
                    header::CONTENT_TYPE,
                    header::AUTHORIZATION,
                    header::HeaderName::from_static("last-event-id"),
                    header::HeaderName::from_static("x-kefu-client"),
                ])
                .expose_headers([header::RETRY_AFTER])
                .max_age(std::time::Duration::from_secs(3600)),
        );
    }

    let inbox = Router::new()
        .route("/inbox", get(|| async { Redirect::permanent("/inbox/") }))
        .route("/inbox/", get(|| async { asset(INBOX_HTML, "text/html; charset=utf-8") }))
        .route("/inbox/inbox.js", get(|| async { asset(INBOX_JS, "text/javascript; charset=utf-8") }))
        .route("/inbox/inbox.css", get(|| async { asset(INBOX_CSS, "text/css; charset=utf-8") }))
        .route("/inbox/favicon.svg", get(|| async { asset(FAVICON, "image/svg+xml") }))
        .route("/inbox/api/login", post(inbox::login))
        .route("/inbox/api/logout", post(inbox::logout))
        .route("/inbox/api/me", get(inbox::me))
        .route("/inbox/api/queue", get(inbox::queue))
        .route("/inbox/api/users", get(inbox::users))
        .route("/inbox/api/cases/{id}", get(inbox::case_detail))
        .route("/inbox/api/cases/{id}/attachments/{att}", get(inbox::attachment))
        .route("/inbox/api/cases/{id}/reply", post(inbox::reply))
        .route("/inbox/api/cases/{id}/assign", post(inbox::assign))
        .route("/inbox/api/cases/{id}/close", post(inbox::close))
        .route("/inbox/api/cases/{id}/join", post(live::join))
        .route("/inbox/api/cases/{id}/typing", post(live::typing))
        .route("/inbox/api/{*rest}", axum::routing::any(|| async { ApiError::not_found("endpoint") }))
        .layer(middleware::map_response(inbox_headers));

    let mut app = Router::new().merge(api).merge(inbox).route("/healthz", get(|| async { "ok" }));
    // Static files: pre-compressed `.br`/`.gz` siblings when the build made them and they
    // still match their file, else gzip on the fly (the wasm shrinks about 3×); strong
    // ETags from the content (see statics.rs).
    if let Some(pkg) = &st.cfg.pkg {
        let dir = ServeDir::new(pkg).precompressed_br().precompressed_gzip();
        let mut kefu = static_service(pkg, false, dir);
        // A shop on another origin loads the widget from here too: its module import and its
        // wasm and bundle fetches are CORS requests, refused without these headers (the
        // shopper then only got the loader's fallback form).
        if !st.cfg.allow_origins.is_empty() {
            kefu = kefu.layer(
                CorsLayer::new()
                    .allow_origin(AllowOrigin::list(allowed_origins(&st.cfg.allow_origins)))
                    .allow_methods([Method::GET, Method::HEAD])
                    .max_age(std::time::Duration::from_secs(3600)),
            );
        }
        app = app.nest_service("/kefu", kefu);
    }
    if let Some(www) = &st.cfg.www {
        let dir = ServeDir::new(www).append_index_html_on_directories(true).precompressed_br().precompressed_gzip();
        app = app.fallback_service(static_service(www, true, dir));
    } else {
        app = app.fallback(|| async { (StatusCode::NOT_FOUND, "not found") });
    }
    // Outermost: whatever answers an error under /api or /inbox/api, it is the JSON error shape.
    app.layer(middleware::from_fn(common_headers))
        .layer(middleware::from_fn(crate::error::json_error_bodies))
        .with_state(st)
}

/// The `--allow-origin` origins as header values.
fn allowed_origins(origins: &[String]) -> Vec<HeaderValue> {
    origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect()
}

/// ETags and the check of pre-compressed copies around `ServeDir`, compression between them.
fn static_service(root: &std::path::Path, index_html: bool, dir: ServeDir) -> Router {
    let statics = crate::statics::Statics::new(root, index_html);
    Router::new().fallback_service(
        tower::ServiceBuilder::new()
            .layer(middleware::from_fn_with_state(statics, crate::statics::etags))
            .layer(CompressionLayer::new())
            .layer(middleware::from_fn(crate::statics::fresh_copies))
            .service(dir),
    )
}

async fn inbox_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    if !h.contains_key("content-security-policy") {
        h.insert("content-security-policy", HeaderValue::from_static(INBOX_CSP));
    }
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    r
}

/// nosniff and no-referrer everywhere; the storefront CSP on HTML that has none yet;
/// `application/wasm` for `.wasm` whatever the platform's MIME table says.
async fn common_headers(req: Request<axum::body::Body>, next: Next) -> Response {
    let path = req.uri().path();
    let is_wasm = path.ends_with(".wasm");
    let immutable = path.starts_with("/kefu/") && content_hashed(path);
    let is_static = !path.starts_with("/api/") && !path.starts_with("/inbox");
    let mut r = next.run(req).await;
    let cacheable = r.status().is_success() || r.status() == StatusCode::NOT_MODIFIED;
    if is_static && cacheable && !r.headers().contains_key(header::CACHE_CONTROL) {
        // Content-hashed widget files never change; everything else (the loader kefu.js, KB
        // bundles, pages) revalidates against its content-hash ETag on every use.
        let v = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
        r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(v));
    }
    let h = r.headers_mut();
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    if is_wasm && r.status().is_success() {
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/wasm"));
    }
    let h = r.headers_mut();
    let html = h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    if html && !h.contains_key("content-security-policy") {
        h.insert("content-security-policy", HeaderValue::from_static(SHOP_CSP));
    }
    r
}

/// `name.<10+ hex>.ext`, as the widget build names its outputs.
fn content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    let mut parts = name.rsplit('.');
    let (_ext, hash) = (parts.next(), parts.next().unwrap_or(""));
    parts.next().is_some() && hash.len() >= 8 && hash.chars().all(|c| c.is_ascii_hexdigit())
}
