//! API errors: every failure of the public and inbox APIs is a JSON body
//! `{"error": {"code": "...", "message": "...", "field": "..."}}` with a fitting status.
//! Handlers return [`ApiError`]; [`json_error_bodies`] rewrites whatever else answers an error
//! under an API path (axum's rejections, 404 of unknown routes, 405, body limits) to the same shape.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into(), field: None }
    }
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", message).field(field)
    }
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }
    pub fn not_found(what: &str) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("{what} not found"))
    }
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::CONFLICT, code, message)
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, code, message)
    }
    pub fn too_large(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, code, message)
    }
    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {e}");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal server error")
    }
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        ApiError::internal(format!("io: {e}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body { error: Inner { code: self.code, message: &self.message, field: self.field.as_deref() } };
        let mut resp = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            resp.headers_mut().insert("retry-after", axum::http::HeaderValue::from_static("1"));
        }
        resp
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Paths whose errors are JSON: the hand-off API and the inbox API.
pub fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/") || path == "/inbox/api" || path.starts_with("/inbox/api/")
}

/// The code of an error that did not come from a handler, by status.
fn code_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "request_timeout",
        409 => "conflict",
        411 => "length_required",
        413 => "body_too_large",
        414 => "uri_too_long",
        415 => "unsupported_media_type",
        422 => "invalid_body",
        429 => "rate_limited",
        500..=599 => "internal",
        _ => "error",
    }
}

/// Middleware: an error response under an API path that is not JSON already (an extractor's
/// plain-text rejection, a 405 of the method router, a body-limit 413 …) gets the JSON error
/// body, keeping its status and other headers (`Allow`, CORS, `Retry-After`). A client error
/// keeps axum's text as the message; a server error says only "internal server error".
pub async fn json_error_bodies(req: Request, next: Next) -> Response {
    let api = is_api_path(req.uri().path());
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/json"));
    if !api || is_json || !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let encoded = parts.headers.contains_key(header::CONTENT_ENCODING);
    let text = match status.is_client_error() && !encoded {
        true => {
            axum::body::to_bytes(body, 16 * 1024).await.ok().map(|b| String::from_utf8_lossy(&b).trim().to_string())
        }
        false => None,
    };
    let message = match text.filter(|t| !t.is_empty()) {
        Some(t) => t,
        None if status.is_server_error() => "internal server error".to_string(),
        None => status.canonical_reason().unwrap_or("error").to_ascii_lowercase(),
    };
    let (_, body) = ApiError::new(status, code_for(status), message).into_response().into_parts();
    for h in [header::CONTENT_LENGTH, header::CONTENT_ENCODING, header::TRANSFER_ENCODING] {
        parts.headers.remove(h);
    }
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::post;
    use axum::Router;
    use tower::ServiceExt;

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        n: u32,
    }

    /// A router with axum's own extractors (not used by the server's handlers, which read
    /// bodies themselves), to show their rejections come out as JSON too.
    fn app() -> Router {
        Router::new()
            .route("/api/json", post(|_: axum::Json<Body>| async { "ok" }))
            .route("/api/form", post(|_: axum::Form<Body>| async { "ok" }))
            .route("/api/big", post(|_: axum::body::Bytes| async { "ok" }))
            .route("/other", post(|_: axum::Json<Body>| async { "ok" }))
            .layer(axum::extract::DefaultBodyLimit::max(16))
            .layer(axum::middleware::from_fn(json_error_bodies))
    }

    async fn call(path: &str, ct: &str, body: &'static str) -> (StatusCode, String, serde_json::Value) {
        let req = Request::post(path).header("content-type", ct).body(axum::body::Body::from(body)).unwrap();
        let r = app().oneshot(req).await.unwrap();
        let ct = r.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        let status = r.status();
        let bytes = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        (status, ct, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
    }

    #[tokio::test]
    async fn extractor_rejections_under_api_paths_are_json() {
        for (path, ct, body, status, code) in [
            ("/api/json", "application/json", "{\"n\": -1}", 422, "invalid_body"),
            ("/api/json", "application/json", "{not json", 400, "bad_request"),
            ("/api/json", "text/plain", "{}", 415, "unsupported_media_type"),
            ("/api/form", "application/x-www-form-urlencoded", "n=abc", 422, "invalid_body"),
            ("/api/big", "application/octet-stream", "this body is over sixteen bytes", 413, "body_too_large"),
        ] {
            let (s, got_ct, v) = call(path, ct, body).await;
            assert_eq!(s.as_u16(), status, "{path} {body}: {v}");
            assert_eq!(got_ct, "application/json", "{path} {body}");
            assert_eq!(v["error"]["code"], code, "{path} {body}: {v}");
            assert!(!v["error"]["message"].as_str().unwrap().is_empty(), "{v}");
        }
        // Outside the API paths, axum's answer is left alone.
        let (s, ct, _) = call("/other", "text/plain", "{}").await;
        assert_eq!((s.as_u16(), ct.starts_with("text/plain")), (415, true));
    }
}
