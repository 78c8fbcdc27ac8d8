//! Every error under `/api` and `/inbox/api` is the JSON error shape, including the ones no
//! handler wrote: query and path rejections, unknown routes, wrong methods, body limits.

use reqwest::Method;
use serde_json::Value;

use crate::common::*;

/// Asserts a JSON error with `status` and `code`; returns the body.
async fn json_error(r: reqwest::Response, status: u16, code: &str) -> Value {
    let what = format!("{} {}", r.status(), r.url());
    assert_eq!(r.status(), status, "{what}");
    let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    assert!(ct.starts_with("application/json"), "{what}: content-type {ct}");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], code, "{what}: {v}");
    assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}: {v}");
    assert_eq!(v.as_object().unwrap().len(), 1, "only `error`: {v}");
    v
}

#[tokio::test]
async fn rejections_unknown_routes_and_wrong_methods_answer_json() {
    // With a storefront folder, so unknown paths also meet its file service.
    let t = TestServer::start_with(|c| c.www = Some(c.data_dir.clone())).await;
    let id = uuid();
    let (_, v) = t.create(&case_body(&id, &[])).await;
    let token = v["token"].as_str().unwrap().to_string();
    let get = |path: String| t.client.get(t.url(&path)).bearer_auth(&token).send();

    // Query strings that do not parse name the parameter.
    let v = json_error(get(format!("/api/cases/{id}/events?after=abc")).await.unwrap(), 400, "invalid_query").await;
    assert_eq!(v["error"]["field"], "after", "{v}");
    let v = json_error(get(format!("/api/cases/{id}/events?wait=-1")).await.unwrap(), 400, "invalid_query").await;
    assert_eq!(v["error"]["field"], "wait", "{v}");
    let att = uuid();
    let r = t
        .client
        .put(t.url(&format!("/api/cases/{id}/attachments/{att}?last_event_id=x")))
        .bearer_auth(&token)
        .body(jpeg(8, 8, 1))
        .send()
        .await
        .unwrap();
    json_error(r, 400, "invalid_query").await;
    // A path parameter that is not UTF-8.
    let v = json_error(get("/api/cases/%FF%FE".into()).await.unwrap(), 400, "invalid_path").await;
    assert_eq!(v["error"]["field"], "id", "{v}");

    // Unknown routes under both API prefixes, and the bare prefixes.
    for path in ["/api/nope", "/api/cases/x/y/z", "/api", "/inbox/api/nope", "/inbox/api"] {
        json_error(get(path.into()).await.unwrap(), 404, "not_found").await;
    }

    // Wrong methods: 405 with the Allow header kept.
    for (method, path) in [
        (Method::GET, "/api/cases".to_string()),
        (Method::DELETE, format!("/api/cases/{id}")),
        (Method::GET, "/inbox/api/login".to_string()),
    ] {
        let r = t.client.request(method.clone(), t.url(&path)).send().await.unwrap();
        let allow = r.headers().get("allow").map(|v| v.to_str().unwrap().to_string());
        json_error(r, 405, "method_not_allowed").await;
        assert!(allow.is_some_and(|a| !a.is_empty()), "{method} {path}: Allow header kept");
    }

    // Payload too large, and the inbox's own refusals, stay JSON.
    let big = vec![b' '; t.cfg.max_json_bytes + 1];
    let r = t.client.post(t.url("/api/cases")).header("content-type", "application/json").body(big).send().await;
    json_error(r.unwrap(), 413, "body_too_large").await;
    json_error(t.client.get(t.url("/inbox/api/queue?status=open")).send().await.unwrap(), 401, "unauthorized").await;

    // Outside the API, the storefront's 404 is left as it was (not JSON).
    let r = t.client.get(t.url("/no-such-page.html")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(!r.headers().get("content-type").is_some_and(|v| v.to_str().unwrap().contains("json")));
    t.stop().await;
}

#[tokio::test]
async fn inbox_query_and_path_rejections_answer_json() {
    let t = TestServer::start().await;
    t.add_user("ann", kefu_server::Role::Agent);
    let s = t.login("ann").await;
    let v = json_error(t.inbox_get(&s, "/inbox/api/cases/%C3%28").await, 400, "invalid_path").await;
    assert_eq!(v["error"]["field"], "id", "{v}");
    let r = t.inbox_get(&s, "/inbox/api/cases/x/attachments/%FF").await;
    json_error(r, 400, "invalid_path").await;
    // The inbox pages keep their headers on these answers too.
    let r = t.inbox_get(&s, "/inbox/api/nope").await;
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    json_error(r, 404, "not_found").await;
    t.stop().await;
}

#[tokio::test]
async fn a_json_body_that_is_no_object_is_refused_in_plain_words() {
    // With mail settings, so the transcript endpoint reads its body (nothing is sent: the
    // body is refused first).
    let mail = kefu_server::mail::MailConfig::new("smtp://127.0.0.1:9", None, "Shop <service@shop.example>").unwrap();
    let t = TestServer::start_with(|c| c.mail = Some(mail)).await;
    t.add_user("sam", kefu_server::Role::Supervisor);
    let s = t.login("sam").await;
    let id = uuid();
    let (_, v) = t.create(&case_body(&id, &[])).await;
    let token = v["token"].as_str().unwrap().to_string();

    // Every endpoint that reads a JSON body: (method, path, shopper's token or the inbox session).
    let endpoints: Vec<(Method, String, bool)> = vec![
        (Method::POST, "/api/cases".into(), false),
        (Method::POST, "/api/sessions".into(), false),
        (Method::POST, "/api/transcripts".into(), false),
        (Method::POST, format!("/api/cases/{id}/messages"), false),
        (Method::POST, format!("/api/cases/{id}/rating"), false),
        (Method::PUT, format!("/api/cases/{id}/email"), false),
        (Method::POST, "/inbox/api/login".into(), true),
        (Method::POST, format!("/inbox/api/cases/{id}/reply"), true),
        (Method::POST, format!("/inbox/api/cases/{id}/assign"), true),
        (Method::POST, format!("/inbox/api/cases/{id}/close"), true),
    ];
    for (method, path, inbox) in &endpoints {
        for (body, what) in [
            ("[]", "an array"),
            (" [\"x\", 1]", "an array"),
            ("\"x\"", "a string"),
            ("42", "a number"),
            ("true", "true or false"),
            ("null", "null"),
        ] {
            let mut req = t.client.request(method.clone(), t.url(path)).header("content-type", "application/json");
            req = if *inbox {
                req.header("cookie", &s.cookie).header("x-csrf-token", &s.csrf)
            } else {
                req.bearer_auth(&token)
            };
            let r = req.body(body).send().await.unwrap();
            let v = json_error(r, 422, "invalid_json").await;
            assert_eq!(
                v["error"]["message"],
                format!("the request body must be a JSON object ({{…}}), not {what}"),
                "{method} {path} {body}: {v}"
            );
            assert!(v["error"].get("field").is_none(), "{method} {path} {body}: {v}");
        }
    }
    // An object is still read field by field, and broken JSON is still broken JSON.
    let r = t.client.post(t.url("/api/cases")).header("content-type", "application/json").body("[1,").send().await;
    let v = json_error(r.unwrap(), 422, "invalid_json").await;
    assert!(!v["error"]["message"].as_str().unwrap().contains("object"), "{v}");
    t.stop().await;
}
