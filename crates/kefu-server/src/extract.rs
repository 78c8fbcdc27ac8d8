//! Request extractors whose refusals are [`ApiError`]s (the JSON error shape) instead of
//! axum's plain-text rejections: path parameters ([`ApiPath`]), query strings ([`ApiQuery`])
//! and a shopper's JSON request on a case ([`CaseBody`]).
//! Anything else that still answers an error in plain text under an API path is rewritten by
//! [`crate::error::json_error_bodies`].

use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A shopper's JSON request on a case (`POST`/`PUT /api/cases/{id}/…`): the shopper's rate
/// limit and the case token checked ([`crate::api::case_access`]), then the body read within
/// the JSON size limit and parsed. Goes last among a handler's extractors (it takes the body).
pub struct CaseBody<T> {
    pub case_id: String,
    /// The case's status (`open`, `closed` …).
    pub status: String,
    pub body: T,
}

impl<T> axum::extract::FromRequest<crate::State> for CaseBody<T>
where
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, st: &crate::State) -> Result<Self, ApiError> {
        use axum::extract::ConnectInfo;
        let (mut parts, body) = req.into_parts();
        let ConnectInfo(peer) = ConnectInfo::<std::net::SocketAddr>::from_request_parts(&mut parts, st)
            .await
            .map_err(|e| ApiError::internal(e.body_text()))?;
        let ApiPath(case_id) = ApiPath::<String>::from_request_parts(&mut parts, st).await?;
        let headers = &parts.headers;
        let (case_id, status) = crate::api::case_access(st, peer, headers, &case_id, None).await?;
        let bytes = crate::api::read_body(st, body, headers, st.cfg.max_json_bytes).await?;
        Ok(CaseBody { case_id, status, body: crate::api::parse_json(headers, &bytes)? })
    }
}

/// `Path<T>`, refused as `400 invalid_path` (with the parameter as `field` when known).
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(ApiPath(v)),
            Err(e) => Err(path_error(e)),
        }
    }
}

fn path_error(e: PathRejection) -> ApiError {
    if e.status().is_server_error() {
        // A route and its handler disagree: the server's fault, not the client's.
        return ApiError::internal(e.body_text());
    }
    let key = match &e {
        PathRejection::FailedToDeserializePathParams(d) => match d.kind() {
            ErrorKind::ParseErrorAtKey { key, .. }
            | ErrorKind::InvalidUtf8InPathParam { key }
            | ErrorKind::DeserializeError { key, .. } => Some(key.clone()),
            _ => None,
        },
        _ => None,
    };
    let err = ApiError::bad_request("invalid_path", e.body_text());
    match key {
        Some(k) => err.field(k),
        None => err,
    }
}

/// `Query<T>`, refused as `400 invalid_query` with the offending parameter as `field`.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parse_query(parts.uri.query().unwrap_or_default()).map(ApiQuery)
    }
}

/// Parses a query string as axum's `Query` does, keeping the path of a failing parameter.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner();
        if field.is_empty() || field == "." {
            ApiError::bad_request("invalid_query", format!("invalid query string: {inner}"))
        } else {
            ApiError::bad_request("invalid_query", format!("query parameter `{field}`: {inner}")).field(field)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Q {
        after: Option<i64>,
        wait: Option<u64>,
    }

    #[test]
    fn query_errors_name_the_parameter() {
        let q: Q = parse_query("after=5&wait=2&other=x").unwrap();
        assert_eq!((q.after, q.wait), (Some(5), Some(2)));
        let e = parse_query::<Q>("after=abc").unwrap_err();
        assert_eq!((e.status.as_u16(), e.code, e.field.as_deref()), (400, "invalid_query", Some("after")));
        assert!(e.message.starts_with("query parameter `after`: invalid digit"), "{}", e.message);
        let e = parse_query::<Q>("wait=-1").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("wait"));
    }
}
