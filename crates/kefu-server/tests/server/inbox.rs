//! The agent inbox: login, CSRF, roles, queue order, escalation; static serving and headers.

use std::time::Duration;

use kefu_server::Role;
use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn login_sessions_csrf_and_roles() {
    let t = TestServer::start().await;
    t.add_user("amy", Role::Agent);
    t.add_user("bob", Role::Agent);
    t.add_user("sam", Role::Supervisor);
    let id = uuid();
    t.create(&case_body(&id, &[])).await;

    // No cookie.
    assert_eq!(t.client.get(t.url("/inbox/api/queue")).send().await.unwrap().status(), 401);
    assert_eq!(t.client.get(t.url(&format!("/inbox/api/cases/{id}"))).send().await.unwrap().status(), 401);
    let r =
        t.client.post(t.url(&format!("/inbox/api/cases/{id}/reply"))).json(&json!({"text": "x"})).send().await.unwrap();
    assert_eq!(r.status(), 401);
    // Wrong password, unknown user.
    for (n, p) in [("amy", "wrong password!"), ("nobody", "correct horse battery")] {
        let r = t.client.post(t.url("/inbox/api/login")).json(&json!({"name": n, "password": p})).send().await.unwrap();
        assert_eq!(r.status(), 401);
    }
    // Login from a foreign origin.
    let r = t
        .client
        .post(t.url("/inbox/api/login"))
        .header("origin", "https://evil.example")
        .json(&json!({"name": "amy", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Forged cookie.
    let forged = Session { cookie: "kefu_session=deadbeef".into(), csrf: "x".into() };
    assert_eq!(t.inbox_get(&forged, "/inbox/api/queue").await.status(), 401);

    let amy = t.login("amy").await;
    assert_eq!(t.inbox_get(&amy, "/inbox/api/queue").await.status(), 200);
    // Missing and wrong CSRF token.
    let r = t
        .client
        .post(t.url(&format!("/inbox/api/cases/{id}/reply")))
        .header("cookie", &amy.cookie)
        .json(&json!({"text": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let wrong = Session { cookie: amy.cookie.clone(), csrf: "0".repeat(64) };
    assert_eq!(t.inbox_post(&wrong, &format!("/inbox/api/cases/{id}/reply"), json!({"text": "x"})).await.status(), 403);
    // Another user's CSRF token does not fit this session.
    let bob = t.login("bob").await;
    let mixed = Session { cookie: amy.cookie.clone(), csrf: bob.csrf.clone() };
    assert_eq!(t.inbox_post(&mixed, &format!("/inbox/api/cases/{id}/reply"), json!({"text": "x"})).await.status(), 403);
    // A form post (no JSON) is refused even with the token.
    let r = t
        .client
        .post(t.url(&format!("/inbox/api/cases/{id}/reply")))
        .header("cookie", &amy.cookie)
        .header("x-csrf-token", &amy.csrf)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("text=x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);

    // Agent replies (case becomes hers); agent cannot reassign or close.
    assert_eq!(
        t.inbox_post(&amy, &format!("/inbox/api/cases/{id}/reply"), json!({"text": "On it"})).await.status(),
        201
    );
    let r = t.inbox_post(&amy, &format!("/inbox/api/cases/{id}/assign"), json!({"user": "bob"})).await;
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "role");
    assert_eq!(t.inbox_post(&amy, &format!("/inbox/api/cases/{id}/close"), json!({})).await.status(), 403);
    assert_eq!(t.inbox_get(&amy, "/inbox/api/users").await.status(), 403);
    // Bob may not reply to Amy's case.
    assert_eq!(
        t.inbox_post(&bob, &format!("/inbox/api/cases/{id}/reply"), json!({"text": "me too"})).await.status(),
        403
    );

    // Supervisor reassigns to Bob, then Bob may reply, then the supervisor closes.
    let sam = t.login("sam").await;
    assert_eq!(
        t.inbox_post(&sam, &format!("/inbox/api/cases/{id}/assign"), json!({"user": "bob"})).await.status(),
        200
    );
    assert_eq!(
        t.inbox_post(&bob, &format!("/inbox/api/cases/{id}/reply"), json!({"text": "Bob here"})).await.status(),
        201
    );
    assert_eq!(
        t.inbox_post(&sam, &format!("/inbox/api/cases/{id}/assign"), json!({"user": "ghost"})).await.status(),
        422
    );
    assert_eq!(
        t.inbox_post(&sam, &format!("/inbox/api/cases/{id}/close"), json!({"resolved": true})).await.status(),
        200
    );
    assert_eq!(t.inbox_post(&sam, &format!("/inbox/api/cases/{id}/close"), json!({})).await.status(), 409);
    assert_eq!(t.count("SELECT COUNT(*) FROM audit WHERE action IN ('assign', 'close')"), 2);

    // A disabled account loses its session at once and cannot log in again.
    t.sql(|c| kefu_server::auth::disable_user(c, "bob").unwrap());
    assert_eq!(t.inbox_get(&bob, "/inbox/api/queue").await.status(), 401);
    let r = t
        .client
        .post(t.url("/inbox/api/login"))
        .json(&json!({"name": "bob", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // Logout ends the session server-side.
    assert_eq!(t.inbox_post(&amy, "/inbox/api/logout", json!({})).await.status(), 204);
    assert_eq!(t.inbox_get(&amy, "/inbox/api/queue").await.status(), 401);
    t.stop().await;
}

#[tokio::test]
async fn queue_sorted_by_deadline_and_escalation_marks() {
    let t = TestServer::start_with(|c| {
        c.sla.product = Duration::from_secs(7200);
        // Later than the product deadline by more than the cases are created apart: with
        // equal deadlines two cases made in the same millisecond were ordered by their
        // random ids (a flake, seen once in a full run).
        c.sla.order = Duration::from_secs(3 * 3600);
        c.sla.urgent = Duration::from_millis(200);
        c.escalate_after = Duration::from_millis(1500);
    })
    .await;
    t.add_user("sam", Role::Supervisor);
    let mut ids = Vec::new();
    for triage in ["product", "complaint", "urgent", "order"] {
        let id = uuid();
        let mut b = case_body(&id, &[]);
        b["triage"] = json!(triage);
        assert_eq!(t.create(&b).await.0, 201);
        ids.push((triage, id));
    }
    let sam = t.login("sam").await;
    let q: Value = t.inbox_get(&sam, "/inbox/api/queue").await.json().await.unwrap();
    let order: Vec<&str> = q["cases"].as_array().unwrap().iter().map(|c| c["triage"].as_str().unwrap()).collect();
    assert_eq!(order, ["urgent", "complaint", "product", "order"]);

    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(t.count("SELECT COUNT(*) FROM cases WHERE escalated_at IS NOT NULL"), 1, "urgent missed 200 ms");
    let q: Value = t.inbox_get(&sam, "/inbox/api/queue").await.json().await.unwrap();
    assert_eq!(q["cases"][0]["escalated"], true);
    assert_eq!(q["cases"][1]["escalated"], false);
    let q: Value = t.inbox_get(&sam, "/inbox/api/queue?status=escalated").await.json().await.unwrap();
    assert_eq!(q["cases"].as_array().unwrap().len(), 1);
    assert_eq!(q["cases"][0]["triage"], "urgent");
    assert_eq!(t.inbox_get(&sam, "/inbox/api/queue?status=bogus").await.status(), 400);
    // Answering the complaint moves it behind the unanswered ones.
    let complaint = &ids[1].1;
    t.inbox_post(&sam, &format!("/inbox/api/cases/{complaint}/reply"), json!({"text": "Sorry"})).await;
    let q: Value = t.inbox_get(&sam, "/inbox/api/queue").await.json().await.unwrap();
    assert_eq!(q["cases"][3]["id"], complaint.as_str());

    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(t.count("SELECT COUNT(*) FROM cases WHERE supervisor_at IS NOT NULL"), 4, "left too long");
    let d: Value = t.inbox_get(&sam, &format!("/inbox/api/cases/{}", ids[0].1)).await.json().await.unwrap();
    assert_eq!(d["supervisor"], true);
    let q: Value = t.inbox_get(&sam, "/inbox/api/queue?status=supervisor").await.json().await.unwrap();
    assert_eq!(q["cases"].as_array().unwrap().len(), 4);

    let r = t.sql(|c| kefu_server::report::compute(c, 7, now_ms() + 1000).unwrap());
    assert_eq!(r.escalation_rate, Some(1.0));
    t.stop().await;
}

#[tokio::test]
async fn static_www_and_pkg_with_csp_and_wasm_mime() {
    let dir = tempfile::tempdir().unwrap();
    let www = dir.path().join("www");
    let pkg = dir.path().join("pkg");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(www.join("index.html"), "<!doctype html><title>shop</title>").unwrap();
    std::fs::write(www.join("app.js"), "console.log(1)").unwrap();
    std::fs::write(pkg.join("kefu_widget_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(pkg.join("kefu_widget.js"), "export default 1").unwrap();
    std::fs::write(dir.path().join("secret.txt"), "top secret").unwrap();
    let t = TestServer::start_with(|c| {
        c.www = Some(www.clone());
        c.pkg = Some(pkg.clone());
        c.allow_origins = vec!["https://shop.example".into()];
    })
    .await;
    let r = t.client.get(t.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'") && csp.contains("style-src 'self'"), "{csp}");
    let r = t.client.get(t.url("/kefu/kefu_widget_bg.wasm")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/wasm");
    assert_eq!(r.headers()["cache-control"], "no-cache");
    // Content-hashed build outputs are cached for good, and compressed on request.
    std::fs::write(pkg.join("kefu-widget.0123456789.wasm"), vec![0u8; 50_000]).unwrap();
    let r = t
        .client
        .get(t.url("/kefu/kefu-widget.0123456789.wasm"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/wasm");
    assert_eq!(r.headers()["content-encoding"], "gzip");
    assert!(r.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    assert!(r.bytes().await.unwrap().len() < 5_000);
    let r = t.client.get(t.url("/kefu/kefu_widget.js")).send().await.unwrap();
    assert!(r.headers()["content-type"].to_str().unwrap().contains("javascript"));
    for p in ["/../secret.txt", "/%2e%2e/secret.txt", "/kefu/..%2f..%2fsecret.txt"] {
        let r = t.client.get(t.url(p)).send().await.unwrap();
        assert_ne!(r.status(), 200, "{p}");
    }

    // CORS: the configured shop origin only.
    let pre = |origin: &'static str| {
        t.client
            .request(reqwest::Method::OPTIONS, t.url("/api/cases"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let r = pre("https://shop.example").await.unwrap();
    assert_eq!(r.headers()["access-control-allow-origin"], "https://shop.example");
    let r = pre("https://evil.example").await.unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
    // The widget's files are for the same shops: a page there imports the glue module and
    // fetches the wasm and the bundle from here.
    for file in ["/kefu/kefu_widget.js", "/kefu/kefu-widget.0123456789.wasm"] {
        let get = |origin: &'static str| t.client.get(t.url(file)).header("origin", origin).send();
        let r = get("https://shop.example").await.unwrap();
        assert_eq!(r.headers()["access-control-allow-origin"], "https://shop.example", "{file}");
        let r = get("https://evil.example").await.unwrap();
        assert!(r.headers().get("access-control-allow-origin").is_none(), "{file}");
    }
    // The inbox is never CORS-enabled.
    let r = t.client.get(t.url("/inbox/api/me")).header("origin", "https://shop.example").send().await.unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
    // Unknown API paths answer JSON.
    let r = t.client.get(t.url("/api/nope")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "not_found");
    t.stop().await;
}
